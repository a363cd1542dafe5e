//! `custody deps sources` end to end: a project whose lockfiles take dependencies from
//! the public registry, a private registry, git, a plain URL and directories inside and
//! outside it; the default policy, a custody.toml that trusts them, every output format,
//! and the MAT-5 row of `custody check`.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

#[path = "support/check_report.rs"]
mod check_report;
use check_report::{check_report, row};

fn custody() -> Command {
    Command::cargo_bin("custody").expect("binary built")
}

/// A Cargo project and an npm project with one dependency from each kind of source.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::write(
        root.join("Cargo.lock"),
        r#"version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "internal",
 "serde",
 "tool",
 "vendored",
]

[[package]]
name = "internal"
version = "1.0.0"
source = "sparse+https://crates.internal.example/index/"
checksum = "0000000000000000000000000000000000000000000000000000000000000001"

[[package]]
name = "serde"
version = "1.0.200"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "0000000000000000000000000000000000000000000000000000000000000002"

[[package]]
name = "tool"
version = "0.3.0"
source = "git+https://github.com/our-org/tool?rev=abc#abcdef0123456789abcdef0123456789abcdef01"

[[package]]
name = "vendored"
version = "0.1.0"
"#,
    )
    .expect("write");
    std::fs::create_dir_all(root.join("web")).expect("mkdir");
    std::fs::write(
        root.join("web/package-lock.json"),
        r#"{"name":"web","version":"1.0.0","lockfileVersion":3,"packages":{
  "":{"name":"web","version":"1.0.0","dependencies":{"left-pad":"^1","tarball":"*","shared":"*","far":"*"}},
  "node_modules/left-pad":{"version":"1.3.0","resolved":"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"},
  "node_modules/tarball":{"version":"2.0.0","resolved":"https://downloads.example.com/tarball-2.0.0.tgz"},
  "node_modules/shared":{"resolved":"../libs/shared","link":true},
  "../libs/shared":{"name":"shared","version":"0.0.1"},
  "node_modules/far":{"version":"0.0.2","resolved":"file:../../far"}
}}"#,
    )
    .expect("write");
    dir
}

fn run(root: &Path, format: &str) -> std::process::Output {
    custody()
        .args(["deps", "sources"])
        .arg(root)
        .args(["--format", format])
        .output()
        .expect("runs")
}

#[test]
fn the_default_trusts_the_public_registries_only() {
    let dir = project();
    let out = run(dir.path(), "table");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "pkg:cargo/internal@1.0.0?repository_url=",
        "registry https://crates.internal.example/index/ is not a trusted registry",
        "git repository https://github.com/our-org/tool",
        "plain URL https://downloads.example.com/tarball-2.0.0.tgz is not trusted",
        "directory ../../far is outside the project",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
    assert!(!text.contains("left-pad"), "{text}");
    assert!(!text.contains("pkg:cargo/serde"), "{text}");

    let json: Value = serde_json::from_slice(&run(dir.path(), "json").stdout).expect("json");
    let untrusted = json["untrusted"].as_array().expect("array");
    assert_eq!(untrusted.len(), 4, "{json:#}");
    assert_eq!(json["counts"]["git"], 1);

    let sarif: Value = serde_json::from_slice(&run(dir.path(), "sarif").stdout).expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 4);
    let internal = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("internal"))
        })
        .expect("internal result");
    assert_eq!(
        internal["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "Cargo.lock"
    );
    assert_eq!(
        internal["locations"][0]["physicalLocation"]["region"]["startLine"], 14,
        "the line naming the package"
    );
}

#[test]
fn custody_toml_says_what_else_is_trusted_and_check_reports_mat5() {
    let dir = project();
    let mat5 = |root: &Path| -> Value { row(&check_report(custody(), root), "MAT-5") };
    let row = mat5(dir.path());
    assert_eq!(row["status"], "fail", "{row:#}");
    assert!(
        row["evidence"]
            .to_string()
            .contains("crates.internal.example"),
        "{row:#}"
    );

    std::fs::write(
        dir.path().join("custody.toml"),
        r#"[materials.sources]
registries = ["https://github.com/rust-lang/crates.io-index", "https://registry.npmjs.org", "https://crates.internal.example/index"]
git = ["https://github.com/our-org/"]
urls = ["https://downloads.example.com/"]
paths_outside = true
"#,
    )
    .expect("write");
    custody()
        .args(["deps", "sources"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "every dependency comes from a trusted source",
        ));
    let row = mat5(dir.path());
    assert_eq!(row["status"], "pass", "{row:#}");

    std::fs::write(
        dir.path().join("custody.toml"),
        "[materials.sources]\nregistry = []\n",
    )
    .expect("write");
    custody()
        .args(["deps", "sources"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("registry"));
}
