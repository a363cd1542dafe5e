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
