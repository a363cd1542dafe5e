//! SBOMs read back into the component model: custody's own CycloneDX and SPDX output gives
//! back the inventory it was made from, cdxgen's SBOM of the npm fixture gives the same
//! components as custody's reading of the lockfile, and the official SPDX example is read
//! with its unidentifiable packages named.

use custody_sbom::component::{Component, Scope, Source};
use custody_sbom::import::{self, SbomFormat};
use custody_sbom::{Inventory, inventory};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn by_purl(projects: &[custody_sbom::Project]) -> BTreeMap<String, Component> {
    projects
        .iter()
        .flat_map(|p| p.components.iter())
        .map(|c| (c.purl.to_string(), c.clone()))
        .collect()
}

fn merged(inv: &Inventory) -> BTreeMap<String, Component> {
    inv.merged()
        .into_values()
        .map(|(c, _)| (c.purl.to_string(), c))
        .collect()
}

fn fixtures() -> Vec<Inventory> {
    [
        "testdata/materials/cargo/direct-vulns",
        "testdata/materials/npm",
        "testdata/materials/python",
    ]
    .iter()
    .map(|p| inventory(&repo().join(p)).expect("fixture"))
    .collect()
}

#[test]
fn custodys_cyclonedx_reads_back_as_the_inventory() {
    for inv in fixtures() {
        let doc = custody_sbom::cyclonedx::document(&inv, &Default::default());
        let imported = import::from_text(
            std::str::from_utf8(&doc).expect("utf-8"),
            Path::new("x.cdx.json"),
        )
        .expect("imports");
        assert_eq!(imported.format, SbomFormat::CycloneDx);
        assert!(
            imported.unidentified.is_empty(),
            "{:?}",
            imported.unidentified
        );
        let want = merged(&inv);
        let got = by_purl(&imported.projects);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>()
        );
        for (purl, w) in &want {
            let g = &got[purl];
            assert_eq!(
                (
                    g.scope,
                    g.direct,
                    g.first_party,
                    &g.hashes,
                    &g.dependencies,
                    &g.version
                ),
                (
                    w.scope,
                    w.direct,
                    w.first_party,
                    &w.hashes,
                    &w.dependencies,
                    &w.version
                ),
                "{purl}"
            );
            assert_eq!(g.name, w.name, "{purl}");
            match (&g.source, &w.source) {
                (Source::Git { url: a, .. }, Source::Git { url: b, .. }) => assert_eq!(a, b),
                (a, b) => assert_eq!(a, b, "{purl}"),
            }
        }
    }
}

#[test]
fn custodys_spdx_reads_back_with_its_graph() {
    for inv in fixtures() {
        let doc = custody_sbom::spdx::document(&inv, &Default::default());
        let imported = import::from_text(
            std::str::from_utf8(&doc).expect("utf-8"),
            Path::new("x.spdx.json"),
        )
        .expect("imports");
        assert_eq!(imported.format, SbomFormat::Spdx);
        assert_eq!(imported.spec_version, "SPDX-2.3");
        assert!(
            imported.unidentified.is_empty(),
            "{:?}",
            imported.unidentified
        );
        let want = merged(&inv);
        let got = by_purl(&imported.projects);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>()
        );
        for (purl, w) in &want {
            let g = &got[purl];
            assert_eq!(&g.hashes, &w.hashes, "{purl}");
            assert_eq!(&g.dependencies, &w.dependencies, "{purl}");
            assert_eq!(g.first_party, w.first_party, "{purl}");
        }
    }
}

#[test]
fn cdxgen_and_custody_see_the_same_npm_components() {
    let ours =
        inventory(&repo().join("testdata/materials/npm/package-lock.json")).expect("lockfile");
    let theirs = import::read(
        &repo().join("testdata/materials/npm/cdxgen-12.8.4.cdx.json"),
        Path::new("cdxgen.cdx.json"),
    )
    .expect("imports");
    assert!(theirs.unidentified.is_empty(), "{:?}", theirs.unidentified);
    let want = merged(&ours);
    let got = by_purl(&theirs.projects);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    assert!(want.len() > 60);
    for (purl, w) in &want {
        let g = &got[purl];
        for h in &g.hashes {
            assert!(
                w.hashes.contains(h),
                "{purl}: cdxgen's {h:?} not in the lockfile"
            );
        }
        assert_eq!(g.first_party, w.first_party, "{purl}");
    }
    let express = &got["pkg:npm/express@4.17.1"];
    assert!(express.direct, "the root depends on it");
    assert_eq!(express.licenses, vec!["MIT".to_owned()]);
    assert_eq!(
        express.source,
        Source::Registry {
            url: "https://registry.npmjs.org".into()
        }
    );
}

#[test]
fn the_official_spdx_example_names_what_it_cannot_identify() {
    let imported = import::read(
        &repo().join("testdata/materials/sbom/SPDXJSONExample-v2.3.spdx.json"),
        Path::new("example.spdx.json"),
    )
    .expect("imports");
    let got = by_purl(&imported.projects);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        vec!["pkg:maven/org.apache.jena/apache-jena@3.12.0"]
    );
    let jena = &got["pkg:maven/org.apache.jena/apache-jena@3.12.0"];
    assert_eq!(jena.name, "org.apache.jena:apache-jena");
    assert_eq!(
        imported.unidentified.len(),
        2,
        "{:?}",
        imported.unidentified
    );
    assert!(imported.unidentified.iter().any(|u| u.starts_with("Saxon")));
}

#[test]
fn hostile_and_odd_documents() {
    let p = Path::new("x.json");
    let err = |t: &str| import::from_text(t, p).expect_err("refused").to_string();
    assert!(err("[]").contains("not a JSON object"));
    assert!(err(r#"{"a":1}"#).contains("neither CycloneDX"));
    assert!(err(r#"{"bomFormat":"CycloneDX"}"#).contains("specVersion"));
    assert!(
        err(r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":{}}"#)
            .contains("not an array")
    );
    let mut deep = String::from(r#"{"name":"x","purl":"pkg:npm/x@1"}"#);
    for _ in 0..40 {
        deep = format!(r#"{{"name":"x","purl":"pkg:npm/x@1","components":[{deep}]}}"#);
    }
    let doc = format!(r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{deep}]}}"#);
    assert!(err(&doc).contains("nested deeper"));
    let doc = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
        {"name":"a","version":"1","purl":"pkg:generic/a@1"},
        {"name":"b","version":"2"},
        {"name":"c","purl":"pkg:pypi/Django_Rest@3.0","scope":"excluded","hashes":[{"alg":"SHA-256","content":"AB"}]}]}"#;
    let i = import::from_text(doc, p).expect("imports");
    assert_eq!(i.unidentified.len(), 2);
    let c = &i.projects[0].components[0];
    assert_eq!(
        (c.name.as_str(), c.version.as_str(), c.scope),
        ("django-rest", "3.0", Scope::Dev)
    );
    assert!(
        c.hashes.is_empty(),
        "a digest of the wrong length is not a digest"
    );
}
