//! PyPI advisories matched by custody against a reference computed with `packaging` (the
//! PyPA's own version library) over the same OSV files: the PYSEC IDs per pinned package
//! must be the same.
//!
//! Needs `CUSTODY_INTEROP_PYTHON` (with `packaging` and `PyYAML`); `scripts/test` sets it up.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    std::env::var_os("CUSTODY_INTEROP_PYTHON")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("CUSTODY_INTEROP_PYTHON is not set: run scripts/test"))
}

#[test]
#[ignore = "interop: needs packaging and PyYAML; run scripts/test"]
fn pysec_ids_match_a_packaging_reference() {
    let db = repo().join("testdata/advisories/pypa-subset");
    let requirements = repo().join("testdata/materials/python/requirements.txt");
    let reference = Command::new(python())
        .arg(repo().join("crates/custody/tests/interop/pysec_reference.py"))
        .arg(&db)
        .arg(&requirements)
        .output()
        .expect("python runs");
    assert!(
        reference.status.success(),
        "{}",
        String::from_utf8_lossy(&reference.stderr)
    );
    let want: Vec<String> = String::from_utf8_lossy(&reference.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(
        want.len() > 50,
        "the reference found only {} findings",
        want.len()
    );
    let out = Command::new(assert_cmd::cargo::cargo_bin("custody"))
        .args(["scan", "vulns", "--format", "json", "--db"])
        .arg(&db)
        .arg(&requirements)
        .env_remove("CUSTODY_VULN_DB")
        .output()
        .expect("custody runs");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut got: Vec<String> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .flat_map(|f| {
            f["ids"].as_array().into_iter().flatten().map(move |id| {
                format!(
                    "{} {} {}",
                    id.as_str().unwrap_or_default(),
                    f["package"].as_str().unwrap_or_default(),
                    f["version"].as_str().unwrap_or_default()
                )
            })
        })
        .collect();
    got.sort();
    got.dedup();
    assert_eq!(got, want);
}
