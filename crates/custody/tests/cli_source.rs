//! `custody source init` and `custody source verify` end to end, with real git, ssh-keygen
//! and gpg: the exit codes, the table and JSON reports, and refused input.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[path = "support/check_report.rs"]
mod check_report;
use check_report::{check_report, row};
#[path = "support/tools.rs"]
mod tools;
use tools::{commit_all, ok};

fn custody() -> Command {
    Command::cargo_bin("custody").expect("binary built")
}

struct Repo {
    tmp: tempfile::TempDir,
    key: PathBuf,
}

impl Repo {
    fn new() -> Self {
        let tmp = tempfile::tempdir().expect("tmp");
        ok(std::process::Command::new("git")
            .args(["init", "-q", "-b", "main"])
            .arg(tmp.path().join("repo")));
        let key = tmp.path().join("alice");
        ok(std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&key));
        Self { tmp, key }
    }

    fn dir(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }

    fn git(&self) -> std::process::Command {
        let mut c = std::process::Command::new("git");
        c.current_dir(self.dir())
            .env("GIT_AUTHOR_NAME", "Alice")
            .env("GIT_AUTHOR_EMAIL", "alice@example.org")
            .env("GIT_COMMITTER_NAME", "Alice")
            .env("GIT_COMMITTER_EMAIL", "alice@example.org")
            .args(["-c", "gpg.format=ssh", "-c"])
            .arg(format!("user.signingkey={}", self.key.display()));
        c
    }

    fn commit(&self, signed: bool, message: &str) -> String {
        commit_all(|| self.git(), signed, message)
    }

    /// `custody source init` for Alice with `key`, in the repository.
    fn init_alice(&self, key: &Path) -> assert_cmd::assert::Assert {
        custody()
            .args([
                "source",
                "init",
                "--owner",
                "Alice",
                "--email",
                "alice@example.org",
                "--key",
            ])
            .arg(key)
            .arg(self.dir())
            .assert()
    }
}

fn pub_key(key: &Path) -> PathBuf {
    key.with_extension("pub")
}

#[test]
fn init_then_verify_a_signed_history_and_a_broken_one() {
    let r = Repo::new();
    r.init_alice(&pub_key(&r.key))
        .success()
        .stderr(predicate::str::contains("trust root"));
    let policy = std::fs::read_to_string(r.dir().join(".custody/policy.toml")).expect("policy");
    assert!(policy.contains("role = \"owner\"") && policy.contains("ssh-ed25519 "));
    // A second init is refused unless forced.
    r.init_alice(&pub_key(&r.key))
        .code(2)
        .stderr(predicate::str::contains("a policy exists already"));

    let root = r.commit(true, "custody: repository policy");
    r.commit(true, "work");
    custody()
        .args(["source", "verify", "--trust-root", &root])
        .arg(r.dir())
        .assert()
        .success()
        .stdout(predicate::str::contains("ok    ").and(predicate::str::contains("pinned")));

    r.commit(false, "unsigned work");
    let out = custody()
        .args([
            "source",
            "verify",
            "--format",
            "json",
            "--trust-root",
            &root,
        ])
        .arg(r.dir())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(report["violations"], 1);
    assert_eq!(report["trust_root"], root.as_str());
    let commits = report["commits"].as_array().expect("commits");
    assert_eq!(commits.len(), 2);
    assert_eq!(commits[0]["verified"], true);
    assert_eq!(commits[0]["signer"]["person"], "Alice");
    assert_eq!(commits[1]["verified"], false);
    assert!(
        commits[1]["violations"][0]
            .as_str()
            .is_some_and(|v| v.contains("not signed"))
    );

    // SARIF carries one result per violation.
    let out = custody()
        .args(["source", "verify", "--format", "sarif"])
        .arg(r.dir())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let sarif: Value = serde_json::from_slice(&out).expect("sarif");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(1)
    );

    // Nothing to anchor to: exit 2 with the reason.
    custody()
        .args(["source", "verify", "--trust-root", "no-such-commit"])
        .arg(r.dir())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-commit"));
}

#[test]
fn init_takes_an_openpgp_certificate_and_refuses_other_files() {
    let r = Repo::new();
    let gnupg = r.tmp.path().join("gnupg");
    std::fs::create_dir_all(&gnupg).expect("mkdir");
    let gpg = |args: &[&str]| {
        ok(std::process::Command::new("gpg")
            .env("GNUPGHOME", &gnupg)
            .args([
                "--batch",
                "--quiet",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
            ])
            .args(args))
    };
    gpg(&[
        "--quick-gen-key",
        "Alice <alice@example.org>",
        "ed25519",
        "sign",
        "0",
    ]);
    let cert = gpg(&["--armor", "--export", "alice@example.org"]);
    let cert_file = r.tmp.path().join("alice.asc");
    std::fs::write(&cert_file, cert).expect("write");
    r.init_alice(&cert_file).success();
    assert!(
        r.dir()
            .join(".custody/keys/alice@example.org.asc")
            .is_file()
    );
    let policy = std::fs::read_to_string(r.dir().join(".custody/policy.toml")).expect("policy");
    assert!(policy.contains("openpgp = \"keys/alice@example.org.asc\""));

    let junk = r.tmp.path().join("junk.pub");
    std::fs::write(&junk, "not a key\n").expect("write");
    custody()
        .args([
            "source", "init", "--force", "--owner", "A", "--email", "a@x", "--key",
        ])
        .arg(&junk)
        .arg(r.dir())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "neither an OpenSSH public key nor an OpenPGP certificate",
        ));
}

#[test]
fn custody_check_reports_the_source_rows() {
    let r = Repo::new();
    r.init_alice(&pub_key(&r.key)).success();
    let root = r.commit(true, "custody: repository policy");
    r.commit(true, "work");
    let status = |report: &Value, id: &str| row(report, id)["status"].as_str().map(str::to_owned);

    // Not pinned: SRC-1 warns; SRC-6 lists the roles; no merges yet.
    let report = check_report(custody(), &r.dir());
    assert_eq!(
        status(&report, "SRC-1").as_deref(),
        Some("warn"),
        "{}",
        row(&report, "SRC-1")
    );
    assert_eq!(status(&report, "SRC-6").as_deref(), Some("pass"));
    assert!(row(&report, "SRC-6").to_string().contains("owner: Alice"));
    assert_eq!(status(&report, "SRC-2").as_deref(), Some("warn"));
    // The only key has no validity period and the policy no max_key_age.
    assert_eq!(status(&report, "SRC-11").as_deref(), Some("warn"));

    // Pinned in custody.toml: passes; then an unsigned commit fails it.
    std::fs::write(
        r.dir().join("custody.toml"),
        format!("[source]\ntrust_root = \"{root}\"\n"),
    )
    .expect("write");
    r.commit(true, "pin the trust root");
    let report = check_report(custody(), &r.dir());
    assert_eq!(
        status(&report, "SRC-1").as_deref(),
        Some("pass"),
        "{}",
        row(&report, "SRC-1")
    );
    r.commit(false, "unsigned");
    let report = check_report(custody(), &r.dir());
    assert_eq!(status(&report, "SRC-1").as_deref(), Some("fail"));
    assert!(row(&report, "SRC-1").to_string().contains("unsigned"));
}

#[test]
fn a_key_fingerprint_can_anchor_the_chain() {
    let r = Repo::new();
    r.init_alice(&pub_key(&r.key)).success();
    r.commit(true, "custody: repository policy");
    r.commit(true, "work");
    let listed = ok(std::process::Command::new("ssh-keygen")
        .arg("-lf")
        .arg(pub_key(&r.key)));
    let fingerprint = listed
        .split_whitespace()
        .nth(1)
        .expect("fingerprint")
        .to_owned();
    custody()
        .args(["source", "verify", "--trust-key", &fingerprint])
        .arg(r.dir())
        .assert()
        .success()
        .stdout(predicate::str::contains("(pinned)"));
    let other = r.tmp.path().join("other");
    ok(std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&other));
    let listed = ok(std::process::Command::new("ssh-keygen")
        .arg("-lf")
        .arg(pub_key(&other)));
    let wrong = listed
        .split_whitespace()
        .nth(1)
        .expect("fingerprint")
        .to_owned();
    custody()
        .args(["source", "verify", "--trust-key", &wrong])
        .arg(r.dir())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not by the trust key"));
}
