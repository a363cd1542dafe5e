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
use std::sync::OnceLock;

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

/// The SPDX license and exception IDs, lower case: the list CycloneDX's schema carries
/// (shipped in `schemas/`), read once.
fn known_ids() -> &'static BTreeSet<String> {
    static IDS: OnceLock<BTreeSet<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let schema: Value =
            serde_json::from_str(include_str!("../schemas/cyclonedx/spdx.schema.json"))
                .unwrap_or_default();
        schema["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect()
    })
}

/// Whether a declared license is an SPDX license expression made of listed IDs:
/// `MIT`, `Apache-2.0 OR MIT`, `(GPL-2.0+ WITH Classpath-exception-2.0)`. Lockfiles
/// also say `proprietary` (Composer), `UNLICENSED` or `SEE LICENSE IN …` (npm), which
/// SPDX documents must not write as expressions.
#[must_use]
pub fn is_spdx_expression(text: &str) -> bool {
    let spaced = text.replace('(', " ( ").replace(')', " ) ");
    let mut depth = 0usize;
    let mut want_operand = true;
    for token in spaced.split_whitespace() {
        match token {
            "(" if want_operand => depth += 1,
            ")" if !want_operand && depth > 0 => depth -= 1,
            "AND" | "OR" | "WITH" | "and" | "or" | "with" if !want_operand => want_operand = true,
            id if want_operand && !matches!(id, "(" | ")") => {
                let id = id.strip_suffix('+').unwrap_or(id);
                if !known_ids().contains(&id.to_ascii_lowercase()) {
                    return false;
                }
                want_operand = false;
            }
            _ => return false,
        }
    }
    depth == 0 && !want_operand
}

/// `LicenseRef-` IDs for declared licenses that are not SPDX expressions, each with the
/// declared text (the document's `hasExtractedLicensingInfos`).
#[derive(Default)]
struct LicenseRefs {
    /// Declared text → ID.
    ids: BTreeMap<String, String>,
}

impl LicenseRefs {
    fn id_of(&mut self, text: &str) -> String {
        if let Some(id) = self.ids.get(text) {
            return id.clone();
        }
        let readable: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .take(64)
            .collect();
        let mut id = format!("LicenseRef-{readable}");
        if self.ids.values().any(|v| *v == id) {
            let digest = hex::encode(&sha2::Sha256::digest(text.as_bytes())[..4]);
            id = format!("{id}-{digest}");
        }
        self.ids.insert(text.to_owned(), id.clone());
        id
    }

    fn extracted(&self) -> Vec<Value> {
        let mut by_id: Vec<(&String, &String)> = self.ids.iter().map(|(t, i)| (i, t)).collect();
        by_id.sort();
        by_id
            .into_iter()
            .map(|(id, text)| json!({"licenseId": id, "extractedText": text, "name": text}))
            .collect()
    }
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
    let mut refs = LicenseRefs::default();
    packages.extend(
        all.iter()
            .map(|(purl, (c, projects))| package(c, &ids[purl], projects, &mut refs)),
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
    if !refs.ids.is_empty() {
        doc["hasExtractedLicensingInfos"] = Value::from(refs.extracted());
    }
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

fn package(c: &Component, id: &str, projects: &BTreeSet<String>, refs: &mut LicenseRefs) -> Value {
    let download = match &c.source {
        Source::Git { url, rev } => match rev {
            Some(r) => format!("git+{url}@{r}"),
            None => format!("git+{url}"),
        },
        Source::Url { url } => url.clone(),
        _ => "NOASSERTION".to_owned(),
    };
    let mut spdx = |l: &String| {
        if is_spdx_expression(l) {
            l.clone()
        } else {
            refs.id_of(l)
        }
    };
    let declared = match c.licenses.as_slice() {
        [] => "NOASSERTION".to_owned(),
        [one] => spdx(one),
        many => many
            .iter()
            .map(|l| format!("({})", spdx(l)))
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
    fn license_expressions_are_told_from_other_declarations() {
        for ok in [
            "MIT",
            "Apache-2.0 OR MIT",
            "(MIT OR Apache-2.0) AND BSD-3-Clause",
            "GPL-2.0+ WITH Classpath-exception-2.0",
            "mit",
        ] {
            assert!(is_spdx_expression(ok), "{ok}");
        }
        for bad in [
            "proprietary",
            "UNLICENSED",
            "SEE LICENSE IN LICENSE.txt",
            "MIT OR",
            "(MIT",
            "MIT)",
            "MIT Apache-2.0",
            "",
            "AND",
            "LicenseRef-x",
        ] {
            assert!(!is_spdx_expression(bad), "{bad}");
        }
    }

    #[test]
    fn declared_licenses_that_are_not_expressions_become_license_refs() {
        use crate::component::{Ecosystem, Project};
        let q = BTreeMap::new();
        let c = |name: &str, licenses: &[&str]| Component {
            ecosystem: Ecosystem::Packagist,
            name: name.into(),
            version: "1.0.0".into(),
            purl: Purl::new("composer", Some("acme"), name, Some("1.0.0"), &q),
            scope: Scope::Runtime,
            direct: true,
            first_party: false,
            source: Source::Unknown,
            hashes: vec![],
            licenses: licenses.iter().map(|l| (*l).to_owned()).collect(),
            dependencies: BTreeSet::new(),
        };
        let inv = Inventory {
            projects: vec![Project {
                lockfile: "composer.lock".into(),
                ecosystem: Ecosystem::Packagist,
                components: vec![
                    c("a", &["proprietary"]),
                    c("b", &["MIT", "proprietary"]),
                    c("c", &["MIT"]),
                ],
            }],
            problems: vec![],
        };
        let v: Value = serde_json::from_slice(&document(&inv, &Options::default())).expect("json");
        let declared: Vec<&str> = v["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .skip(1)
            .map(|p| p["licenseDeclared"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(
            declared,
            vec![
                "LicenseRef-proprietary",
                "(MIT) AND (LicenseRef-proprietary)",
                "MIT"
            ]
        );
        assert_eq!(
            v["hasExtractedLicensingInfos"],
            json!([{"licenseId": "LicenseRef-proprietary", "extractedText": "proprietary", "name": "proprietary"}])
        );
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
