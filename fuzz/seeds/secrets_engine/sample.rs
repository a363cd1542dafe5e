//! `custody secrets scan` end to end: planted credentials found with file, line and rule,
//! never printed whole; ignored, binary and decoy content handled; exit codes.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn custody() -> Command {
    Command::cargo_bin("custody").expect("binary built")
}

const GITHUB: &str = "ghp_4Fq9ZkT2mLw8RbX1cVn7HyJ3sDp0GaEu5Qio";
const STRIPE: &str = "sk_live_9uQ2mZr7TbXw4LpK8cVy3Nh6Ds1Fg5Ja";
const AWS: &str = "AKIAQWB5PDKHX6PYGPAN";

fn tree(dir: &Path) {
    std::fs::create_dir_all(dir.join("src")).expect("mkdir");
    std::fs::create_dir_all(dir.join("build")).expect("mkdir");
    std::fs::write(dir.join(".env"), format!("STRIPE_KEY={STRIPE}\n")).expect("write");
    std::fs::write(
        dir.join("src/config.py"),
        format!("import os\n\nTOKEN = \"{GITHUB}\"\nEXAMPLE = \"AKIAIOSFODNN7EXAMPLE\"\n"),
    )
    .expect("write");
    std::fs::write(dir.join(".gitignore"), "build/\n").expect("write");
    std::fs::write(dir.join("build/out.txt"), format!("key={AWS}\n")).expect("write");
    let mut binary = b"\x00\x01binary".to_vec();
    binary.extend_from_slice(AWS.as_bytes());
    std::fs::write(dir.join("src/blob.bin"), binary).expect("write");
    std::fs::write(dir.join("src/clean.rs"), "fn main() {}\n").expect("write");
}

#[test]
fn planted_secrets_are_found_and_never_printed_whole() {
    let tmp = tempfile::tempdir().expect("temp dir");
    tree(tmp.path());
    let out = custody()
        .current_dir(tmp.path())
        .args(["secrets", "scan", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for secret in [GITHUB, STRIPE, AWS] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret), "{secret} printed");
    }
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let found: Vec<(String, String, u64)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_owned(),
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (".env".to_owned(), "stripe-secret-key".to_owned(), 1),
            ("src/config.py".to_owned(), "github-pat".to_owned(), 3),
        ],
        "ignored build/, binary blob and the EXAMPLE decoy are not reported"
    );
    assert_eq!(v["binary_skipped"], 1);
    // --no-ignore scans build/ too.
    let out = custody()
        .current_dir(tmp.path())
        .args(["secrets", "scan", ".", "--no-ignore", "--format", "sarif"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::fr