//! End-to-end tests of `custody intoto run` and `custody intoto record`.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn custody(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("custody").expect("binary built");
    c.current_dir(dir);
    c
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    custody(tmp.path())
        .args([
            "key",
            "generate",
            "--unencrypted",
            "--name",
            "f",
            "--dir",
            "keys",
        ])
        .assert()
        .success();
    std::fs::write(tmp.path().join("src.txt"), "source").expect("write");
    let key = tmp.path().join("keys/f.key");
    (tmp, key)
}

fn link(dir: &Path, prefix: &str) -> serde_json::Value {
    let path = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no {prefix}* link in {}", dir.display()));
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json")
}

#[test]
fn run_records_materials_products_and_byproducts() {
    let (tmp, key) = setup();
    custody(tmp.path())
        .args([
            "intoto",
            "run",
            "-n",
            "build",
            "-s",
            "-m",
            "src.txt",
            "-p",
            "out.txt",
            "--signing-key",
        ])
        .arg(&key)
        .args(["--", "sh", "-c", "cp src.txt out.txt; echo done"])
        .assert()
        .success()
        .stdout(predicate::str::contains("done"));
    let l = link(tmp.path(), "build.");
    let signed = &l["signed"];
    assert_eq!(signed["_type"], "link");
    assert_eq!(
        signed["command"],
        serde_json::json!(["sh", "-c", "cp src.txt out.txt; echo done"])
    );
    assert_eq!(signed["byproducts"]["stdout"], "done\n");
    assert_eq!(
        signed["materials"]["src.txt"],
        signed["products"]["out.txt"]
    );
    assert_eq!(l["signatures"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_failing_command_still_gets_a_link_and_passes_its_status_on() {
    let (tmp, key) = setup();
    custody(tmp.path())
        .args(["intoto", "run", "-n", "test", "--signing-key"])
        .arg(&key)
        .args(["--", "sh", "-c", "exit 7"])
        .assert()
        .code(7);
    assert_eq!(
        link(tmp.path(), "test.")["signed"]["byproducts"]["return-value"],
        7
    );
}

#[test]
fn record_start_and_stop_bracket_a_manual_step() {
    let (tmp, key) = setup();
    custody(tmp.path())
        .args([
            "intoto",
            "record",
            "start",
            "-n",
            "edit",
            "--use-dsse",
            "-m",
            "src.txt",
            "--signing-key",
        ])
        .arg(&key)
        .assert()
        .success();
    std::fs::write(tmp.path().join("src.txt"), "edited").expect("write");
    custody(tmp.path())
        .args([
            "intoto",
            "record",
            "stop",
            "-n",
            "edit",
            "-p",
            "src.txt",
            "--signing-key",
        ])
        .arg(&key)
        .assert()
        .success();
    let l = link(tmp.path(), "edit.");
    assert_eq!(
        l["payloadType"], "application/vnd.in-toto+json",
        "DSSE kept from start"
    );
    assert!(!std::fs::read_dir(tmp.path()).expect("list").any(|e| {
        e.expect("entry")
            .file_name()
            .to_string_lossy()
            .ends_with(".link-unfinished")
    }));
    // A stop without a start names the problem.
    custody(tmp.path())
        .args(["intoto", "record", "stop", "-n", "never", "--signing-key"])
        .arg(&key)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("record start"));
}

#[test]
fn bad_options_are_refused_before_anything_runs() {
    let (tmp, key) = setup();
    let run = |args: &[&str]| {
        let mut c = custody(tmp.path());
        c.args(["intoto", "run", "-n", "s", "--signing-key"])
            .arg(&key)
            .args(args);
        c
    };
    run(&["-P", "secret", "-x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--password-env"));
    run(&["--gpg", "-x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("GnuPG"));
    run(&["-d", "missing-dir", "--", "touch", "ran"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing-dir"));
    assert!(
        !tmp.path().join("ran").exists(),
        "the command must not run when the link cannot be written"
    );
    run(&["--lstrip-paths", "a/", "a", "-m", ".", "-x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("overlap"));
    run(&["--exclude", "!", "-m", ".", "-x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("exclude"));
    run(&[])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--no-command"));
    run(&["--", "/nonexistent/tool"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/tool"));
}
