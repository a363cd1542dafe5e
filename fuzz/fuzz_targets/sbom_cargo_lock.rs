//! `Cargo.lock` text → the fast line reader held to the TOML parser → project → CycloneDX and SPDX documents: never a panic; the graph
//! only points at components that exist; the documents are JSON whose references are all
//! defined.
#![no_main]

use custody_sbom::cargo::project_from_lockfile_text;
use custody_sbom::discover::Inventory;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The fast line reader answers only where it agrees with the TOML parser.
    if let Some(fast) = custody_sbom::cargo::parse_as_cargo_writes(text) {
        let general: custody_sbom::cargo::LockFile =
            toml::from_str(text).expect("what the fast reader reads is TOML");
        assert_eq!(fast, general, "the fast reader and TOML disagree");
    }
    let Ok(project) = project_from_lockfile_text(text, Path::new("Cargo.lock")) else {
        return;
    };
    custody_fuzz::check_graph(&project);
    let inventory = Inventory {
        projects: vec![project],
        problems: vec![],
    };
    let cdx = custody_sbom::cyclonedx::document(&inventory, &Default::default());
    let doc: serde_json::Value = serde_json::from_slice(&cdx).expect("CycloneDX is JSON");
    let refs: BTreeSet<&str> = doc["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["bom-ref"].as_str())
        .chain([custody_sbom::cyclonedx::ROOT_REF])
        .collect();
    for d in doc["dependencies"].as_array().into_iter().flatten() {
        for on in d["dependsOn"].as_array().into_iter().flatten() {
            assert!(
                refs.contains(on.as_str().unwrap_or_default()),
                "undefined {on}"
            );
        }
    }
    let spdx = custody_sbom::spdx::document(&inventory, &Default::default());
    serde_json::from_slice::<serde_json::Value>(&spdx).expect("SPDX is JSON");
});
