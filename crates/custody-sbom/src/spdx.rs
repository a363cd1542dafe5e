//! SPDX 2.3 JSON from an [`Inventory`].
//!
//! Deterministic like the CycloneDX writer. SPDX requires a creation time: it is the
//! caller's (`SOURCE_DATE_EPOCH`), else the epoch, 1970-01-01, so that the same input still
//! gives the same bytes. The document namespace is derived from the content.

use crate::component::{Component, Scope, Source};
use crate::discover::Inventory;
use crate::purl::Purl;
use serde_json::{Value, json};
use sha2::Digest as _;
use std::collections::{BTreeMap, BTreeSet};

/// Choices for a document.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Seconds since the epoch for `creationInfo.created`; none writes the epoch.
    pub timestamp: Option<i64>,
    /// The name of what was scanned, for the document and its root package.
    pub name: String,
}

/// The SPDX ID of the scanned whole.
pub const ROOT_ID: &str = "SPDXRef-Root";

/// An SPDX element ID for a package: readable, and unique through a short hash of the
/// purl (two purls may differ only in characters an ID cannot hold).
fn spdx_id(purl: &Purl) -> String {
    let digest = hex::encode(&sha2::Sha256::digest(purl.as_str().as_bytes())[..4]);
    let readable: String = purl
        .as_str()
        .trim_start_matches("pkg:")
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("SPDXRef-Package-{readable}-{digest}")
}

/// The document's bytes (pretty-printed JSON, ending in a newline).
#[must_use]
pub fn document(inventory: &Inventory, options: &Options) -> Vec<u8> {
    let all = inventory.merged();
    let ids: BTreeMap<&Purl, String> = all.keys().map(|p| (p, spdx_id(p))).collect();
    let name = if options.name.is_empty() {
        "."
    } else {
        options.name.as_str()
    };
    let mut packages = vec![json!({
        "SPDXID": ROOT_ID,
        "name": name,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "primaryPackagePurpose": "APPLICATION",
        "comment": format!("Everything custody found under {name}: {} lockfile(s).", inventory.projects.len()),
    })];
    packages.extend(
        all.iter()
            .map(|(purl, (c, projects))| package(c, &ids[purl], projects)),
    );
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": ROOT_ID,
    })];
    let mut edges: BTreeSet<(String, &'static str, String)> = BTreeSet::new();
    for purl in inventory.roots() {
        if let Some(id) = ids.get(&purl) {
            edges.insert((ROOT_ID.to_owned(), "DEPENDS_ON", id.clone()));
        }
    }
    for (purl, (c, _)) in &all {
        for d in &c.dependencies {
            let (Some(child), Some((dep, _))) = (ids.get(d), all.get(d)) else {
                continue;
            };
            // The scope belongs to the dependency: SPDX says it on the relationship.
            let edge = match dep.scope {
                Scope::Runtime => (ids[purl].clone(), "DEPENDS_ON", child.clone()),
                Scope::Optional => (child.clone(), "OPTIONAL_DEPENDENCY_OF", ids[purl].clone()),
                Scope::Build => (child.clone(), "BUILD_DEPENDENCY_OF", ids[purl].clone()),
                Scope::Dev => (child.clone(), "DEV_DEPENDENCY_OF", ids[purl].clone()),
            };
            edges.insert(edge);
        }
    }
    relationships.extend(edges.into_iter().map(|(a, kind, b)| {
        json!({"spdxElementId": a, "relationshipType": kind, "relatedSpdxElement": b})
    }));
    let mut doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": "",
        "creationInfo": {
            "created": custody_core::time::format_utc(options.timestamp.unwrap_or(0)),
            "creators": [format!("Tool: custody-{}", env!("CARGO_PKG_VERSION"))],
        },
        "documentDescribes": [ROOT_ID],
        "packages": packages,
        "relationships": relationships,
    });
    let digest = hex::encode(sha2::Sha256::digest(
        serde_json::to_vec(&doc).unwrap_or_default(),
    ));
    doc["documentNamespace"] = Value::from(format!(
        "https://spdx.org/spdxdocs/custody-{}-{}",
        name.chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            })
            .collect::<String>(),
        &digest[..32]
    ));
    let mut out = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}

fn package(c: &Component, id: &str, projects: &BTreeSet<String>) -> Value {
    let download = match &c.source {
        Source::Git { url, rev } => match rev {
            Some(r) => format!("git+{url}@{r}"),
            None => format!("git+{url}"),
        },
        Source::Url { url } => url.clone(),
        _ => "NOASSERTION".to_owned(),
    };
    let declared = match c.licenses.as_slice() {
        [] => "NOASSERTION".to_owned(),
        [one] => one.clone(),
        many => many
            .iter()
            .map(|l| format!("({l})"))
            .collect::<Vec<_>>()
            .join(" AND "),
    };
    let mut v = json!({
        "SPDXID": id,
        "name": c.name,
        "versionInfo": c.version,
        "downloadLocation": download,
        "filesAnalyzed": false,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": declared,
        "copyrightText": "NOASSERTION",
        "primaryPackagePurpose": if c.first_party { "APPLICATION" } else { "LIBRARY" },
        "externalRefs": [{
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": c.purl.as_str(),
        }],
        "comment": format!(
            "scope {}, {}; from {}",
            c.scope.name(),
            if c.direct { "direct" } else if c.first_party { "first-party" } else { "transitive" },
            projects.iter().cloned().collect::<Vec<_>>().join(", "),
        ),
    });
    if !c.hashes.is_empty() {
        v["checksums"] = c
            .hashes
            .iter()
            .map(|h| json!({"algorithm": h.alg.spdx_name(), "checksumValue": h.hex}))
            .collect();
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_and_distinct_for_purls_differing_in_odd_characters() {
        let q = BTreeMap::new();
        let a = spdx_id(&Purl::new("npm", Some("@a"), "b", Some("1.0.0"), &q));
        let b = spdx_id(&Purl::new("npm", Some("a"), "b", Some("1.0.0"), &q));
        assert_ne!(a, b);
        for id in [a, b] {
            assert!(id.starts_with("SPDXRef-"));
            assert!(
                id[8..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'),
                "{id}"
            );
        }
    }

    #[test]
    fn empty_inventory_is_a_valid_skeleton_and_deterministic() {
        let inv = Inventory {
            projects: vec![],
            problems: vec![],
        };
        let opts = Options {
            timestamp: None,
            name: "my project".into(),
        };
        let a = document(&inv, &opts);
        assert_eq!(a, document(&inv, &opts));
        let v: Value = serde_json::from_slice(&a).expect("json");
        assert_eq!(v["creationInfo"]["created"], "1970-01-01T00:00:00Z");
        let ns = v["documentNamespace"].as_str().expect("namespace");
        assert!(
            ns.starts_with("https://spdx.org/spdxdocs/custody-my-project-"),
            "{ns}"
        );
        assert!(!ns.contains('#'));
    }
}
