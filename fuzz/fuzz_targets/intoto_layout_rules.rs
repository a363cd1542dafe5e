//! Layouts and artifact rules from untrusted input: parsing a layout document and
//! evaluating every rule it holds over small artifact sets never panics, and a rule's
//! list form parses back to the same rule.
#![no_main]

use custody_intoto::hash::Digests;
use custody_intoto::layout::Layout;
use custody_intoto::link::Link;
use custody_intoto::rules::{ArtifactRule, verify_item};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fn artifacts(paths: &[&str], salt: &str) -> BTreeMap<String, Digests> {
    paths
        .iter()
        .map(|p| {
            (
                (*p).to_owned(),
                [("sha256".to_owned(), format!("{p}{salt}"))].into(),
            )
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(layout) = Layout::from_value(&value, &BTreeMap::new()) else {
        return;
    };
    let paths = ["a", "src/x.c", "src/y.h", "dir/", "[", "*"];
    let link = Link {
        name: "s".into(),
        materials: artifacts(&paths[..4], ""),
        products: artifacts(&paths[2..], "changed"),
        byproducts: None,
        command: vec![],
    };
    let links: BTreeMap<String, Link> = layout
        .steps
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                Link {
                    name: s.name.clone(),
                    ..link.clone()
                },
            )
        })
        .collect();
    for step in &layout.steps {
        let parse = |rules: &[serde_json::Value]| -> Option<Vec<ArtifactRule>> {
            rules
                .iter()
                .map(|r| ArtifactRule::from_json(r).ok())
                .collect()
        };
        let (Some(m), Some(p)) = (
            parse(&step.expected_materials),
            parse(&step.expected_products),
        ) else {
            continue;
        };
        for rule in m.iter().chain(&p) {
            assert_eq!(
                ArtifactRule::from_json(&rule.to_json()).ok().as_ref(),
                Some(rule)
            );
        }
        let _ = verify_item(&step.name, &m, &p, &link, &links);
    }
});
