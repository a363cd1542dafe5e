//! CycloneDX 1.6 (or 1.5) JSON from an [`Inventory`].
//!
//! The same inventory always gives the same bytes: components and dependencies sorted by
//! purl, keys sorted, no timestamp unless the caller passes one (`SOURCE_DATE_EPOCH`), and
//! a serial number derived from the document's own content, so an SBOM is immutable and
//! content-addressable.

use crate::component::{Component, Scope, Source};
use crate::discover::Inventory;
use crate::purl::Purl;
use serde_json::{Value, json};
use sha2::Digest as _;
use std::collections::BTreeSet;

/// The CycloneDX specification version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpecVersion {
    /// 1.5, for consumers that do not read 1.6 yet.
    V1_5,
    /// 1.6 (the default).
    #[default]
    V1_6,
}

impl SpecVersion {
    fn as_str(self) -> &'static str {
        match self {
            Self::V1_5 => "1.5",
            Self::V1_6 => "1.6",
        }
    }
}

/// Choices for a document.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The specification version.
    pub spec: SpecVersion,
    /// Seconds since the epoch for `metadata.timestamp`; none leaves it out.
    pub timestamp: Option<i64>,
    /// The name of what was scanned (the directory's name), for `metadata.component`.
    pub name: String,
}

/// The `bom-ref` of the scanned whole, the root of the dependency graph.
pub const ROOT_REF: &str = "custody:root";

/// The document's bytes (pretty-printed JSON, ending in a newline).
#[must_use]
pub fn document(inventory: &Inventory, options: &Options) -> Vec<u8> {
    let all = inventory.merged();
    let components: Vec<Value> = all
        .values()
        .map(|(c, projects)| component(c, projects))
        .collect();
    let mut dependencies = vec![json!({
        "ref": ROOT_REF,
        "dependsOn": inventory.roots().iter().map(Purl::as_str).collect::<Vec<_>>(),
    })];
    dependencies.extend(all.values().map(|(c, _)| {
        json!({
            "ref": c.purl.as_str(),
            "dependsOn": c.dependencies.iter().filter(|d| all.contains_key(*d)).map(Purl::as_str).collect::<Vec<_>>(),
        })
    }));
    let mut metadata = json!({
        "tools": {"components": [{
            "type": "application",
            "name": "custody",
            "version": env!("CARGO_PKG_VERSION"),
        }]},
        "component": {
            "type": "application",
            "bom-ref": ROOT_REF,
            "name": if options.name.is_empty() { "." } else { options.name.as_str() },
        },
        "properties": inventory.projects.iter().map(|p| json!({
            "name": "custody:lockfile",
            "value": p.lockfile.to_string_lossy(),
        })).collect::<Vec<_>>(),
    });
    if let Some(t) = options.timestamp {
        metadata["timestamp"] = Value::from(custody_core::time::format_utc(t));
    }
    let spec = options.spec.as_str();
    let mut doc = json!({
        "$schema": format!("http://cyclonedx.org/schema/bom-{spec}.schema.json"),
        "bomFormat": "CycloneDX",
        "specVersion": spec,
        "version": 1,
        "metadata": metadata,
        "components": components,
        "dependencies": dependencies,
    });
    doc["serialNumber"] = Value::from(serial_number(&doc));
    let mut out = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}

/// `urn:uuid:` with a version 8 (custom) UUID made of the SHA-256 of the document
/// without its serial number.
fn serial_number(doc: &Value) -> String {
    let digest = sha2::Sha256::digest(serde_json::to_vec(doc).unwrap_or_default());
    let mut b: [u8; 16] = [0; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn component(c: &Component, projects: &BTreeSet<String>) -> Value {
    let mut v = json!({
        "type": if c.first_party { "application" } else { "library" },
        "bom-ref": c.purl.as_str(),
        "name": c.name,
        "version": c.version,
        "purl": c.purl.as_str(),
        "scope": match c.scope {
            Scope::Runtime => "required",
            Scope::Optional => "optional",
            Scope::Build | Scope::Dev => "excluded",
        },
    });
    if !c.hashes.is_empty() {
        v["hashes"] = c
            .hashes
            .iter()
            .map(|h| json!({"alg": h.alg.cyclonedx_name(), "content": h.hex}))
            .collect();
    }
    if c.licenses
        .iter()
        .all(|l| crate::spdx::is_spdx_expression(l))
        && !c.licenses.is_empty()
    {
        let expression = if c.licenses.len() == 1 {
            c.licenses[0].clone()
        } else {
            c.licenses
                .iter()
                .map(|l| format!("({l})"))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        v["licenses"] = json!([{ "expression": expression }]);
    } else if !c.licenses.is_empty() {
        // Not all SPDX expressions (`proprietary`, `SEE LICENSE IN …`): each by name,
        // since CycloneDX takes one expression or a list of licenses, never both.
        v["licenses"] = c
            .licenses
            .iter()
            .map(|l| json!({"license": {"name": l}}))
            .collect();
    }
    let mut properties = vec![
        json!({"name": "custody:scope", "value": c.scope.name()}),
        json!({"name": "custody:direct", "value": c.direct.to_string()}),
    ];
    match &c.source {
        Source::Registry { url } => {
            properties.push(json!({"name": "custody:source", "value": format!("registry {url}")}));
        }
        Source::Git { url, rev } => {
            properties.push(json!({"name": "custody:source", "value": format!("git {url}")}));
            let url = match rev {
                Some(r) => format!("{url}#{r}"),
                None => url.clone(),
            };
            v["externalReferences"] = json!([{"type": "vcs", "url": url}]);
        }
        Source::Path { path } => {
            properties.push(json!({"name": "custody:source", "value": format!("path {path}")}));
        }
        Source::Url { url } => {
            properties.push(json!({"name": "custody:source", "value": format!("url {url}")}));
            v["externalReferences"] = json!([{"type": "distribution", "url": url}]);
        }
        Source::Unknown => {}
    }
    for p in projects {
        properties.push(json!({"name": "custody:lockfile", "value": p}));
    }
    v["properties"] = Value::Array(properties);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::{Ecosystem, Project};
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    fn comp(name: &str, scope: Scope, deps: &[&str]) -> Component {
        Component {
            ecosystem: Ecosystem::Cargo,
            name: name.into(),
            version: "1.0.0".into(),
            purl: Purl::new("cargo", None, name, Some("1.0.0"), &BTreeMap::new()),
            scope,
            direct: false,
            first_party: name == "app",
            source: Source::Unknown,
            hashes: vec![],
            licenses: vec![],
            dependencies: deps
                .iter()
                .map(|d| Purl::new("cargo", None, d, Some("1.0.0"), &BTreeMap::new()))
                .collect(),
        }
    }

    fn inv() -> Inventory {
        Inventory {
            projects: vec![
                Project {
                    lockfile: PathBuf::from("a/Cargo.lock"),
                    ecosystem: Ecosystem::Cargo,
                    components: vec![
                        comp("app", Scope::Runtime, &["x"]),
                        comp("x", Scope::Dev, &[]),
                    ],
                },
                Project {
                    lockfile: PathBuf::from("b/Cargo.lock"),
                    ecosystem: Ecosystem::Cargo,
                    components: vec![comp("x", Scope::Runtime, &[])],
                },
            ],
            problems: vec![],
        }
    }

    #[test]
    fn the_same_inventory_gives_the_same_bytes_and_serial() {
        let a = document(&inv(), &Options::default());
        let b = document(&inv(), &Options::default());
        assert_eq!(a, b);
        let v: Value = serde_json::from_slice(&a).expect("json");
        assert!(v["metadata"].get("timestamp").is_none());
        let serial = v["serialNumber"].as_str().expect("serial");
        assert_eq!(serial.len(), "urn:uuid:".len() + 36);
        assert_eq!(&serial[9 + 14..9 + 15], "8");
        let with_time = document(
            &inv(),
            &Options {
                timestamp: Some(0),
                ..Options::default()
            },
        );
        let w: Value = serde_json::from_slice(&with_time).expect("json");
        assert_eq!(w["metadata"]["timestamp"], "1970-01-01T00:00:00Z");
        assert_ne!(w["serialNumber"], v["serialNumber"]);
    }

    #[test]
    fn licenses_are_one_expression_or_else_names() {
        let mut i = inv();
        i.projects[0].components[0].licenses = vec!["MIT".into(), "Apache-2.0".into()];
        i.projects[0].components[1].licenses = vec!["MIT".into(), "proprietary".into()];
        let v: Value = serde_json::from_slice(&document(&i, &Options::default())).expect("json");
        let comps = v["components"].as_array().expect("components");
        assert_eq!(
            comps[0]["licenses"],
            json!([{"expression": "(MIT) AND (Apache-2.0)"}])
        );
        assert_eq!(
            comps[1]["licenses"],
            json!([{"license": {"name": "MIT"}}, {"license": {"name": "proprietary"}}])
        );
    }

    #[test]
    fn components_merge_across_projects_with_the_strongest_scope() {
        let v: Value =
            serde_json::from_slice(&document(&inv(), &Options::default())).expect("json");
        let comps = v["components"].as_array().expect("components");
        assert_eq!(comps.len(), 2);
        let x = &comps[1];
        assert_eq!(x["name"], "x");
        assert_eq!(x["scope"], "required");
        let lockfiles: Vec<&str> = x["properties"]
            .as_array()
            .expect("properties")
            .iter()
            .filter(|p| p["name"] == "custody:lockfile")
            .filter_map(|p| p["value"].as_str())
            .collect();
        assert_eq!(lockfiles, vec!["a/Cargo.lock", "b/Cargo.lock"]);
        let deps = v["dependencies"].as_array().expect("deps");
        assert_eq!(deps[0]["ref"], ROOT_REF);
        assert_eq!(deps[0]["dependsOn"], json!(["pkg:cargo/app@1.0.0"]));
        assert_eq!(deps[1]["dependsOn"], json!(["pkg:cargo/x@1.0.0"]));
    }
}
