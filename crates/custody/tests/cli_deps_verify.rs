//! `custody deps verify` end to end: this repository's own Cargo.lock against cargo's
//! real registry cache, a made-up project whose cache holds a tampered `.crate`, pins
//! without hashes, every output format, the exit codes, and the MAT-1 row.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use sha2::Digest as _;
use std::path::Path;

#[path = "support/check_report.rs"]
mod check_report;
use check_report::{check_report, row};

fn custody() -> Command {
    Command::cargo_bin("custody").expect("binary built")
}

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn this_repositorys_crates_in_cargos_cache_are_the_locked_ones() {
    // Building these tests fetched every crate of Cargo.lock that builds here.
    let out = custody()
        .args(["deps", "verify", "--format", "json"])
        .arg(repo().join("Cargo.lock"))
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    let verified = report["counts"]["verified"].as_u64().unwrap_or(0);
    assert!(
        verified > 100,
        "only {verified} crates verified: {report:#}"
    );
    assert_eq!(report["findings"], 0);
    assert!(
        report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .filter(|c| c["status"] == "verified")
            .all(|c| c["kind"] == "crate-file"
                && c["actual"]["hex"].as_str().is_some_and(|h| h.len() == 64)),
        "{report:#}"
    );
}

/// A Cargo project with three registry crates (one good, one tampered, one never
/// fetched) and a git dependency, and a cargo home holding the first two.
fn cargo_project() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("project");
    let home = dir.path().join("cargo-home");
    let cache = home.join("registry/cache/index.crates.io-1949cf8c6b5b557f");
    std::fs::create_dir_all(&cache).expect("mkdir");
    std::fs::create_dir_all(&root).expect("mkdir");
    std::fs::write(cache.join("good-1.0.0.crate"), b"good crate").expect("write");
    std::fs::write(cache.join("bad-2.0.0.crate"), b"tampered crate").expect("write");
    let lock = format!(
        r#"version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "bad",
 "from-git",
 "good",
 "missing",
]

[[package]]
name = "bad"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "{bad}"

[[package]]
name = "from-git"
version = "0.3.0"
source = "git+https://example.com/from-git.git#0123456789abcdef0123456789abcdef01234567"

[[package]]
name = "good"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "{good}"

[[package]]
name = "missing"
version = "0.0.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "{missing}"
"#,
        bad = sha256(b"bad crate"),
        good = sha256(b"good crate"),
        missing = sha256(b"missing"),
    );
    std::fs::write(root.join("Cargo.lock"), lock).expect("write");
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n",
    )
    .expect("write");
    (dir, home)
}

#[test]
fn a_tampered_crate_is_a_mismatch_in_every_format() {
    let (dir, home) = cargo_project();
    let root = dir.path().join("project");
    custody()
        .args(["deps", "verify", "--cargo-home"])
        .arg(&home)
        .arg(&root)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "HASH MISMATCH  pkg:cargo/bad@2.0.0",
        ))
        .stdout(predicate::str::contains(format!(
            ".crate file has SHA-256 {}, the lockfile pins SHA-256 {}; in Cargo.lock",
            sha256(b"tampered crate"),
            sha256(b"bad crate")
        )))
        .stdout(predicate::str::contains(
            "git commit (1): pkg:cargo/from-git@0.3.0?vcs_url=",
        ))
        .stdout(predicate::str::contains(
            "not on disk (1): pkg:cargo/missing@0.0.1",
        ))
        .stdout(predicate::str::contains(
            "1 lockfile(s): 1 artefact(s) verified (1 .crate file); 1 finding(s)",
        ));

    let out = custody()
        .args(["deps", "verify", "--format", "json", "--cargo-home"])
        .arg(&home)
        .arg(&root)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let by_purl = |p: &str| {
        report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["purl"].as_str().is_some_and(|purl| purl.starts_with(p)))
            .cloned()
            .unwrap_or_else(|| panic!("{p}: {report:#}"))
    };
    assert_eq!(by_purl("pkg:cargo/good@1.0.0")["status"], "verified");
    assert_eq!(by_purl("pkg:cargo/bad@2.0.0")["status"], "mismatch");
    assert_eq!(
        by_purl("pkg:cargo/bad@2.0.0")["actual"]["hex"],
        sha256(b"tampered crate")
    );
    assert_eq!(by_purl("pkg:cargo/missing@0.0.1")["status"], "absent");
    assert_eq!(by_purl("pkg:cargo/from-git@0.3.0")["status"], "git-pinned");
    assert_eq!(
        by_purl("pkg:cargo/from-git@0.3.0")["detail"],
        "commit 0123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(report["counts"]["verified"], 1);

    let out = custody()
        .args(["deps", "verify", "--format", "sarif", "--cargo-home"])
        .arg(&home)
        .arg(&root)
        .output()
        .expect("runs");
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{sarif:#}");
    assert_eq!(results[0]["ruleId"], "custody/unverified-artefact");
    let location = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "Cargo.lock");
    // The `name = "bad"` line of the lockfile.
    assert_eq!(location["region"]["startLine"], 14, "{sarif:#}");

    // Fix the cache: the missing crate is then the only thing wrong, and only a finding
    // when every artefact must be there.
    std::fs::write(
        home.join("registry/cache/index.crates.io-1949cf8c6b5b557f/bad-2.0.0.crate"),
        b"bad crate",
    )
    .expect("write");
    custody()
        .args(["deps", "verify", "--cargo-home"])
        .arg(&home)
        .arg(&root)
        .assert()
        .code(0);
    custody()
        .args(["deps", "verify", "--require-present", "--cargo-home"])
        .arg(&home)
        .arg(&root)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "not on disk  pkg:cargo/missing@0.0.1",
        ));
}

#[test]
fn pins_without_hashes_are_findings_and_wheels_are_matched_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let wheels = root.join("wheels");
    std::fs::create_dir_all(&wheels).expect("mkdir");
    std::fs::write(wheels.join("Hashed_Pkg-1.0-py3-none-any.whl"), b"wheel").expect("write");
    std::fs::write(wheels.join("hashed_pkg-1.1-py3-none-any.whl"), b"other").expect("write");
    std::fs::write(
        root.join("requirements.txt"),
        format!(
            "hashed-pkg==1.0 --hash=sha256:{}\nloose==2.0\n",
            sha256(b"wheel")
        ),
    )
    .expect("write");
    let out = custody()
        .args(["deps", "verify", "--format", "json", "--artefacts"])
        .arg(&wheels)
        .arg(root)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let got: Vec<(String, String)> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["purl"].as_str().unwrap_or("").to_owned(),
                c["status"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("pkg:pypi/hashed-pkg@1.0".to_owned(), "verified".to_owned()),
            ("pkg:pypi/loose@2.0".to_owned(), "no-hash".to_owned()),
        ],
        "{report:#}"
    );
}

#[test]
fn bad_arguments_and_empty_trees_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    custody()
        .args(["deps", "verify"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no lockfile under"));
    std::fs::write(dir.path().join("requirements.txt"), "a==1\n").expect("write");
    custody()
        .args(["deps", "verify", "--artefacts"])
        .arg(dir.path().join("nowhere"))
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nowhere: not a directory"));
}

#[test]
fn check_reports_mat1_from_the_same_verification() {
    let (dir, home) = cargo_project();
    let root = dir.path().join("project");
    let mat1 = |root: &Path| -> Value {
        let mut cmd = custody();
        cmd.env("CARGO_HOME", &home);
        row(&check_report(cmd, root), "MAT-1")
    };
    let row = mat1(&root);
    assert_eq!(row["status"], "fail", "{row:#}");
    assert!(
        row["evidence"]
            .to_string()
            .contains("pkg:cargo/bad@2.0.0: HASH MISMATCH"),
        "{row:#}"
    );
    let cache = home.join("registry/cache/index.crates.io-1949cf8c6b5b557f");
    std::fs::write(cache.join("bad-2.0.0.crate"), b"bad crate").expect("write");
    let row = mat1(&root);
    assert_eq!(row["status"], "warn", "{row:#}");
    assert!(
        row["summary"]
            .as_str()
            .is_some_and(|s| s.contains("2 artefact(s) match")),
        "{row:#}"
    );
    std::fs::write(cache.join("missing-0.0.1.crate"), b"missing").expect("write");
    let row = mat1(&root);
    // The git dependency is pinned by its commit: listed, not a reason to warn.
    assert_eq!(row["status"], "pass", "{row:#}");
}
