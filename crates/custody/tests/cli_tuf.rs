//! `custody tuf client` end to end: the command line contract (options before the verb,
//! exit 0 on success and exactly 1 on any failure, usage errors included) against a
//! repository on disk served through `file://` URLs.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn custody() -> Command {
    Command::cargo_bin("custody").expect("binary built")
}

fn client(md: &Path) -> Command {
    let mut c = custody();
    c.args(["tuf", "client", "--metadata-dir"]).arg(md);
    c
}

#[test]
fn every_failure_exits_1() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let md = tmp.path().join("md");
    // Usage errors: unknown option, missing verb, missing root file.
    custody()
        .args(["tuf", "client", "--bogus", "refresh"])
        .assert()
        .code(1);
    client(&md).assert().code(1);
    client(&md)
        .args(["init", "no-such-root.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no-such-root.json"));
    // A root that is not a root.
    std::fs::write(tmp.path().join("bad.json"), b"{\"signed\": {}}").expect("write");
    client(&md)
        .args(["init"])
        .arg(tmp.path().join("bad.json"))
        .assert()
        .code(1);
    assert!(!md.join("root.json").exists(), "nothing trusted");
    // Refresh without a trusted root, without a URL.
    client(&md)
        .args(["--metadata-url", "file:///nonexistent/", "refresh"])
        .assert()
        .code(1);
    client(&md).arg("refresh").assert().code(1);
    // Help is not a failure.
    custody()
        .args(["tuf", "client", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--target-base-url"));
}
