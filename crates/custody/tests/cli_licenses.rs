//! `custody scan licenses` end to end on the real npm and Composer fixtures: allow lists,
//! denied categories, expressions that are not SPDX, undeclared licenses, formats, the
//! policy in custody.toml and the MAT-8 row of `custody check`.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[path = "support/check_report.rs"]
mod check_report;
use check_report::{check_report, row};

fn custody() -> Command {
    let mut c = Command::cargo_bin("custody").expect("binary built");
    // No cargo registry cache: what the lockfiles say is all there is.
    c.env("CARGO_HOME", "/nonexistent");
    c
}

fn json(path: &Path, extra: &[&str]) -> (i32, Value) {
    let out = custody()
        .args(["scan", "licenses", "--format", "json"])
        .arg(path)
        .args(extra)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).expect("json"),
    )
}

#[test]
fn allow_lists_categories_and_invalid_expressions() {
    let npm = repo().join("testdata/materials/npm");
    let (code, v) = json(&npm, &["--deny-category", "Copyleft"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["components"], 65);
    assert_eq!(v["expressions"]["MIT"], 61);
    let (code, v) = json(&npm, &["--allow", "MIT", "--allow", "ISC"]);
    assert_eq!(code, 1);
    let denied: Vec<&str> = v["denied"]
        .as_array()
        .expect("denied")
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert_eq!(denied, vec!["qs"], "{v:#}");
    assert_eq!(
        v["denied"][0]["failing"][0],
        "BSD-3-Clause: not in the allow list"
    );
    let (code, v) = json(&npm, &["--deny", "ISC"]);
    assert_eq!(code, 1);
    assert_eq!(v["denied"].as_array().map(Vec::len), Some(3));
    // Composer's `proprietary` is not an SPDX expression: a finding, not a pass.
    let (code, v) = json(&repo().join("testdata/materials/php"), &[]);
    assert_eq!(code, 1);
    assert!(v["invalid"].to_string().contains("proprietary"), "{v:#}");
    // Lockfiles that record no licenses: reported, and failing only when asked.
    let ruby = repo().join("testdata/materials/ruby");
    let (code, v) = json(&ruby, &[]);
    assert_eq!(code, 0);
    assert!(v["undeclared"].as_array().is_some_and(|u| !u.is_empty()));
    assert_eq!(json(&ruby, &["--deny-unknown"]).0, 1);
    // A policy that names nothing real is refused.
    let out = custody()
        .args(["scan", "licenses"])
        .arg(&npm)
        .args(["--deny-category", "Viral"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Viral"));
}

#[test]
fn custody_toml_policy_and_the_mat8_row() {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in ["package.json", "package-lock.json"] {
        std::fs::copy(
            repo().join("testdata/materials/npm").join(f),
            dir.path().join(f),
        )
        .expect("copy");
    }
    let mat8 = || -> Value { row(&check_report(custody(), dir.path()), "MAT-8") };
    assert_eq!(mat8()["status"], "not-configured");
    std::fs::write(
        dir.path().join("custody.toml"),
        "[materials.licenses]\nallow = [\"MIT\", \"ISC\"]\n",
    )
    .expect("write");
    let row = mat8();
    assert_eq!(row["status"], "fail", "{row:#}");
    assert!(row["evidence"].to_string().contains("qs"), "{row:#}");
    let sarif = custody()
        .args(["scan", "licenses", "--format", "sarif"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(sarif.status.code(), Some(1));
    let s: Value = serde_json::from_slice(&sarif.stdout).expect("sarif");
    assert_eq!(
        s["runs"][0]["results"][0]["ruleId"],
        "custody/license-denied"
    );
    std::fs::write(
        dir.path().join("custody.toml"),
        "[materials.licenses]\ndeny_categories = [\"Copyleft\", \"Copyleft Limited\"]\n",
    )
    .expect("write");
    assert_eq!(mat8()["status"], "pass");
}

#[test]
fn license_texts_in_a_tree_are_identified_and_judged() {
    let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/licenses/tree");
    let out = Command::cargo_bin("custody")
        .expect("binary built")
        .args(["scan", "license-texts", "--format", "json"])
        .arg(&tree)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let files: Vec<(String, Vec<String>)> = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_owned(),
                f["licenses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|l| l["license"].as_str().unwrap_or("").to_owned())
                    .collect(),
            )
        })
        .collect();
    let owned = |p: &str, l: &[&str]| {
        (
            p.to_owned(),
            l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        files,
        [
            owned("LICENSE", &["MIT"]),
            owned("docs/LICENSE-NOTES.txt", &[]),
            owned("vendor/dual/LICENSE.md", &["BSD-3-Clause", "Apache-2.0"]),
            owned("vendor/gpl-lib/COPYING", &["GPL-2.0-only"]),
        ],
        "{v:#}"
    );
    assert!(
        v["files"][1]["closest"]["confidence"]
            .as_f64()
            .unwrap_or(1.0)
            < 0.5
    );

    Command::cargo_bin("custody")
        .expect("binary built")
        .args(["scan", "license-texts", "--deny-category", "Copyleft"])
        .arg(&tree)
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "vendor/gpl-lib/COPYING  GPL-2.0-only (100%, lines 1-117, same text as GPL-2.0-or-later)  DENIED: GPL-2.0-only: Copyleft, a denied category; GPL-2.0-or-later: Copyleft, a denied category",
        ));
    // The note is no license: a finding only when every license file must be identified.
    Command::cargo_bin("custody")
        .expect("binary built")
        .args(["scan", "license-texts", "--deny-unknown"])
        .arg(&tree)
        .assert()
        .code(1);
    Command::cargo_bin("custody")
        .expect("binary built")
        .args(["scan", "license-texts", "--min-confidence", "1.5"])
        .arg(&tree)
        .assert()
        .code(2);
}
