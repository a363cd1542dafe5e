//! SBOMs custody writes, checked by the reference tooling: the official CycloneDX 1.5 and
//! 1.6 JSON schemas and the SPDX 2.3 schema (python `jsonschema`), and spdx-tools' own
//! parser and validator (PyPI `spdx-tools`, the SPDX project's Python library).
//!
//! Inputs: a workspace with every kind of dependency, this repository's own Cargo.lock,
//! and the real lockfiles of testdata/materials.
//!
//! Needs `CUSTODY_INTEROP_PYTHON`; `scripts/test` sets it up.

#[path = "support/cargo_workspace.rs"]
mod cargo_workspace;

use std::path::{Path, PathBuf};
use std::process::Command;

fn python() -> PathBuf {
    std::env::var_os("CUSTODY_INTEROP_PYTHON")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!("CUSTODY_INTEROP_PYTHON is not set: run scripts/test, which installs jsonschema and spdx-tools")
        })
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn generate(input: &Path, args: &[&str], out: &Path) {
    let status = Command::new(assert_cmd::cargo::cargo_bin("custody"))
        .args(["sbom", "generate"])
        .arg(input)
        .args(args)
        .arg("-o")
        .arg(out)
        .env_remove("SOURCE_DATE_EPOCH")
        .status()
        .expect("custody runs");
    assert!(
        status.success(),
        "custody sbom generate {}",
        input.display()
    );
}

fn validate(kind: &str, file: &Path) -> (bool, String) {
    let out = Command::new(python())
        .arg(repo().join("crates/custody/tests/interop/sbom_validate.py"))
        .arg(kind)
        .arg(repo().join("crates/custody-sbom/schemas"))
        .arg(file)
        .output()
        .expect("python runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
#[ignore = "interop: needs jsonschema and spdx-tools; run scripts/test"]
fn generated_sboms_pass_the_official_schemas_and_spdx_tools() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = tmp.path().join("ws");
    cargo_workspace::workspace(&ws);
    let inputs = [
        ("workspace", ws),
        ("own", repo().join("Cargo.lock")),
        ("materials", repo().join("testdata/materials")),
    ];
    for (name, input) in &inputs {
        for (kind, args, file) in [
            (
                "cyclonedx",
                &["--spec-version", "1.6"][..],
                format!("{name}.cdx16.json"),
            ),
            (
                "cyclonedx",
                &["--spec-version", "1.5"][..],
                format!("{name}.cdx15.json"),
            ),
            (
                "spdx",
                &["--format", "spdx-json"][..],
                format!("{name}.spdx.json"),
            ),
        ] {
            let out = tmp.path().join(file);
            generate(input, args, &out);
            let (ok, report) = validate(kind, &out);
            assert!(
                ok,
                "{} ({kind} {args:?}) does not validate:\n{report}",
                input.display()
            );
        }
    }
}

#[test]
#[ignore = "interop: needs jsonschema and spdx-tools; run scripts/test"]
fn the_validators_refuse_a_broken_document() {
    // The checks above can fail: an invalid scope and an unknown relationship type are
    // caught.
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = tmp.path().join("ws");
    cargo_workspace::workspace(&ws);
    let cdx = tmp.path().join("a.cdx.json");
    generate(&ws, &[], &cdx);
    let text = std::fs::read_to_string(&cdx).expect("read");
    std::fs::write(&cdx, text.replace("\"excluded\"", "\"dev-only\"")).expect("write");
    let (ok, report) = validate("cyclonedx", &cdx);
    assert!(!ok && report.contains("dev-only"), "{report}");
    let spdx = tmp.path().join("a.spdx.json");
    generate(&ws, &["--format", "spdx-json"], &spdx);
    let text = std::fs::read_to_string(&spdx).expect("read");
    std::fs::write(&spdx, text.replace("\"DEPENDS_ON\"", "\"NEEDS\"")).expect("write");
    let (ok, report) = validate("spdx", &spdx);
    assert!(!ok && report.contains("NEEDS"), "{report}");
}

/// `custody sbom validate FILE`: whether it says valid (exit 0) or invalid (exit 1).
fn custody_validate(file: &Path) -> (bool, String) {
    let out = Command::new(assert_cmd::cargo::cargo_bin("custody"))
        .args(["sbom", "validate"])
        .arg(file)
        .output()
        .expect("custody runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "custody sbom validate {}: {out:?}",
        file.display()
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
#[ignore = "interop: needs jsonschema and spdx-tools; run scripts/test"]
fn custody_sbom_validate_agrees_with_the_reference_validators() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let npm = repo().join("testdata/materials/npm");
    let mut docs: Vec<(&str, PathBuf)> = vec![
        (
            "cyclonedx",
            repo().join("testdata/materials/npm/cdxgen-12.8.4.cdx.json"),
        ),
        (
            "spdx",
            repo().join("testdata/materials/sbom/SPDXJSONExample-v2.3.spdx.json"),
        ),
    ];
    for (kind, args, name) in [
        (
            "cyclonedx",
            &["--spec-version", "1.6"][..],
            "npm16.cdx.json",
        ),
        (
            "cyclonedx",
            &["--spec-version", "1.5"][..],
            "npm15.cdx.json",
        ),
        ("spdx", &["--format", "spdx-json"][..], "npm.spdx.json"),
    ] {
        let out = tmp.path().join(name);
        generate(&npm, args, &out);
        docs.push((kind, out));
    }
    // Broken copies, each by one rule both sides check.
    let mutations: [(&str, usize, &str, &str); 5] = [
        (
            "cyclonedx",
            2,
            "\"type\": \"library\"",
            "\"type\": \"gadget\"",
        ),
        (
            "cyclonedx",
            2,
            "\"alg\": \"SHA-512\"",
            "\"alg\": \"SHA-513\"",
        ),
        (
            "cyclonedx",
            3,
            "\"specVersion\": \"1.5\",\n  \"version\": 1",
            "\"specVersion\": \"1.5\",\n  \"version\": \"one\"",
        ),
        ("spdx", 4, "\"dataLicense\": \"CC0-1.0\",", ""),
        ("spdx", 4, "\"DEPENDS_ON\"", "\"NEEDS\""),
    ];
    for (i, (kind, from, old, new)) in mutations.iter().enumerate() {
        let text = std::fs::read_to_string(&docs[*from].1).expect("read");
        assert!(
            text.contains(old),
            "{old} not in {}",
            docs[*from].1.display()
        );
        let broken = tmp.path().join(format!("broken-{i}.json"));
        std::fs::write(&broken, text.replacen(old, new, 1)).expect("write");
        docs.push((kind, broken));
    }
    let mut invalid = 0;
    for (kind, file) in &docs {
        let (reference_ok, reference) = validate(kind, file);
        let (ours_ok, ours) = custody_validate(file);
        assert_eq!(
            ours_ok,
            reference_ok,
            "{}: custody says {ours}\nthe reference says {reference}",
            file.display()
        );
        invalid += usize::from(!ours_ok);
    }
    assert_eq!(invalid, mutations.len());
}
