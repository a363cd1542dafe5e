//! End-to-end tests of the `custody` binary: real key files, real signatures, the exit
//! codes the README promises, and clear errors for bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const PASS: &str = "correct horse battery staple";

fn custody() -> Command {
    let mut c = Command::cargo_bin("custody").expect("binary built");
    c.env_remove("NO_COLOR")
        .env_remove("CUSTODY_KEY_DIR")
        .env("COLUMNS", "200");
    c
}

struct Keys {
    dir: tempfile::TempDir,
}

impl Keys {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn generate(&self, key_type: &str, name: &str) {
        custody()
            .args([
                "key",
                "generate",
                "--type",
                key_type,
                "--name",
                name,
                "--password-env",
                "PASS",
                "--dir",
            ])
            .arg(self.dir.path())
            .env("PASS", PASS)
            .assert()
            .success()
            .stdout(predicate::str::contains("(encrypted)"));
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write fixture");
        p
    }
}

#[test]
fn help_teaches_and_exits_zero() {
    custody()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("check").and(predicate::str::contains("Exit codes")));
    custody()
        .args(["key", "generate", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--password-env"));
    custody().arg("no-such-command").assert().code(2);
}

#[test]
fn generated_keys_sign_and_verify_for_every_type() {
    let k = Keys::new();
    let file = k.write("artifact.tar", b"release bytes");
    let tampered = k.write("tampered.tar", b"release bytez");
    for t in ["ed25519", "ecdsa", "rsa"] {
        k.generate(t, t);
        let key = k.path(&format!("{t}.key"));
        let sig = k.path(&format!("{t}.sig"));
        let text = std::fs::read_to_string(&key).expect("key file");
        assert!(
            text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
            "{t}: encrypted by default"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&key).expect("stat").permissions().mode();
            assert_eq!(
                mode & 0o777,
                0o600,
                "{t}: private key readable by its owner only"
            );
        }
        custody()
            .args(["sign", "--password-env", "PASS", "--key"])
            .arg(&key)
            .arg("-o")
            .arg(&sig)
            .arg(&file)
            .env("PASS", PASS)
            .assert()
            .success();
        let verify = |f: &Path| {
            let mut c = custody();
            c.args(["verify-blob", "--key"])
                .arg(k.path(&format!("{t}.pub")))
                .arg("--signature")
                .arg(&sig)
                .arg(f);
            c
        };
        verify(&file)
            .assert()
            .success()
            .stderr(predicate::str::contains("Verified OK"));
        verify(&tampered)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("verification failed"));
    }
}

#[test]
fn key_list_show_and_public_never_print_private_material() {
    let k = Keys::new();
    k.generate("ed25519", "alice");
    let list = custody()
        .args(["key", "list", "--format", "json"])
        .arg(k.dir.path())
        .assert()
        .success();
    let rows: serde_json::Value = serde_json::from_slice(&list.get_output().stdout).expect("json");
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 2, "alice.key and alice.pub: {rows:?}");
    assert!(rows.iter().all(|r| r["age_days"] == 0));
    let keyid = rows[1]["keyid"]
        .as_str()
        .expect("public key has an ID")
        .to_owned();

    let show = custody()
        .args(["key", "show", "--password-env", "PASS", "--format", "json"])
        .arg(k.path("alice.key"))
        .env("PASS", PASS)
        .assert()
        .success();
    let out = String::from_utf8_lossy(&show.get_output().stdout).into_owned();
    assert!(!out.contains("PRIVATE"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["keyid"], keyid.as_str());
    assert_eq!(v["encrypted"], true);

    let public = custody()
        .args(["key", "public", "--format", "json"])
        .arg(k.path("alice.pub"))
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&public.get_output().stdout).expect("json");
    assert_eq!(v["keyid"], keyid.as_str());
    assert_eq!(v["keytype"], "ed25519");
    assert_eq!(v["keyval"]["public"].as_str().map(str::len), Some(64));
}

#[test]
fn bad_key_input_is_exit_2_with_a_clear_message() {
    let k = Keys::new();
    k.generate("ecdsa", "k");
    let file = k.write("f", b"data");
    let pem = std::fs::read_to_string(k.path("k.key")).expect("key");
    let truncated = k.write("truncated.key", &pem.as_bytes()[..pem.len() / 2]);
    let dsa = b"-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n";
    let cases: Vec<(PathBuf, Option<&str>, &str)> = vec![
        (truncated, Some(PASS), "private key"),
        (
            k.path("k.key"),
            Some("wrong passphrase"),
            "wrong passphrase",
        ),
        (k.path("k.key"), None, "encrypted"),
        (k.write("dsa.key", dsa), None, "PKCS#8"),
        (k.write("garbage.key", b"\x00\x01\x02"), None, "PEM"),
        (k.path("missing.key"), None, "missing.key"),
    ];
    for (key, pass, needle) in cases {
        let mut c = custody();
        c.args(["sign", "--key"])
            .arg(&key)
            .arg("-o")
            .arg(k.path("out.sig"))
            .arg(&file);
        if let Some(p) = pass {
            c.args(["--password-env", "PASS"]).env("PASS", p);
        }
        c.assert().code(2).stderr(predicate::str::contains(needle));
    }
    assert!(!k.path("out.sig").exists(), "nothing written on failure");
    // An unknown key type in a securesystemslib JSON key.
    let json = k.write(
        "k.json",
        br#"{"keytype":"dsa","scheme":"dsa-sha1","keyval":{"public":"00"}}"#,
    );
    custody()
        .args(["verify-blob", "--key"])
        .arg(&json)
        .arg("--signature")
        .arg(&file)
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("dsa-sha1"));
    // An empty signature file.
    let empty = k.write("empty.sig", b"");
    custody()
        .args(["verify-blob", "--key"])
        .arg(k.path("k.pub"))
        .arg("--signature")
        .arg(&empty)
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty"));
}

#[test]
fn generate_refuses_to_overwrite_and_unencrypted_needs_opt_in() {
    let k = Keys::new();
    k.generate("ed25519", "a");
    custody()
        .args(["key", "generate", "--name", "a", "--unencrypted", "--dir"])
        .arg(k.dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    // No passphrase source and no terminal: refuse rather than store in the clear.
    custody()
        .args(["key", "generate", "--name", "b", "--dir"])
        .arg(k.dir.path())
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--unencrypted"));
    custody()
        .args(["key", "generate", "--name", "c", "--unencrypted", "--dir"])
        .arg(k.dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("NOT encrypted"));
    let c = std::fs::read_to_string(k.path("c.key")).expect("key");
    assert!(c.starts_with("-----BEGIN PRIVATE KEY-----"));
}

fn dsse_sign(k: &Keys, keys: &[&str], payload: &Path, out: &Path) {
    let mut c = custody();
    c.args([
        "dsse",
        "sign",
        "--password-env",
        "PASS",
        "--payload-type",
        "application/vnd.in-toto+json",
        "-o",
    ])
    .arg(out)
    .env("PASS", PASS);
    for key in keys {
        c.arg("--key").arg(k.path(&format!("{key}.key")));
    }
    c.arg(payload).assert().success();
}

#[test]
fn dsse_threshold_counts_distinct_authorised_keys() {
    let k = Keys::new();
    for (t, n) in [("ed25519", "a"), ("ecdsa", "b"), ("ed25519", "c")] {
        k.generate(t, n);
    }
    let payload = k.write(
        "statement.json",
        br#"{"_type":"https://in-toto.io/Statement/v1"}"#,
    );
    let env = k.path("env.json");
    dsse_sign(&k, &["a", "b"], &payload, &env);
    let verify = |keys: &[&str], threshold: &str| {
        let mut c = custody();
        c.args(["dsse", "verify", "--threshold", threshold, "--payload-out"])
            .arg(k.path("out.json"));
        for key in keys {
            c.arg("--key").arg(k.path(&format!("{key}.pub")));
        }
        c.arg(&env);
        c
    };
    verify(&["a", "b"], "2").assert().success();
    assert_eq!(
        std::fs::read(k.path("out.json")).expect("payload"),
        std::fs::read(&payload).expect("payload")
    );
    // c did not sign: a and c give only one valid signature.
    verify(&["a", "c"], "2")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("1 of 2"));
    // The same key twice is a configuration error, not two signatures.
    verify(&["a", "a"], "2")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("twice"));
    // A threshold larger than the key set can never be met.
    verify(&["a"], "2")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("never be met"));
    verify(&["a"], "0")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at least 1"));

    // A duplicated signature does not count twice.
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&env).expect("env")).expect("json");
    let first = doc["signatures"][0].clone();
    doc["signatures"] = serde_json::json!([first.clone(), first]);
    let dup = k.write("dup.json", doc.to_string().as_bytes());
    custody()
        .args(["dsse", "verify", "--threshold", "2", "--key"])
        .arg(k.path("a.pub"))
        .arg("--key")
        .arg(k.path("b.pub"))
        .arg(&dup)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("counted once"));

    // Malformed envelopes are input errors.
    for (name, text, needle) in [
        ("notjson.json", "{", "invalid JSON"),
        (
            "nosigs.json",
            r#"{"payload":"e30=","payloadType":"t","signatures":[]}"#,
            "not signed",
        ),
        (
            "nopayload.json",
            r#"{"payloadType":"t","signatures":[{"sig":"AA=="}]}"#,
            "payload",
        ),
    ] {
        let bad = k.write(name, text.as_bytes());
        custody()
            .args(["dsse", "verify", "--key"])
            .arg(k.path("a.pub"))
            .arg(&bad)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(needle));
    }
}

fn project_with_key_aged(age_days: u64) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    let keys = tmp.path().join(".custody/keys");
    custody()
        .args([
            "key",
            "generate",
            "--unencrypted",
            "--name",
            "maintainer",
            "--dir",
        ])
        .arg(&keys)
        .assert()
        .success();
    std::fs::remove_file(keys.join("maintainer.key")).expect("private key leaves the repository");
    let meta_path = keys.join("maintainer.meta.json");
    let mut meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&meta_path).expect("meta")).expect("json");
    let now = meta["created_unix"].as_u64().expect("created");
    meta["created_unix"] = (now - age_days * 86_400).into();
    std::fs::write(&meta_path, meta.to_string()).expect("meta");
    std::fs::write(
        tmp.path().join("custody.toml"),
        "[keys]\nmax_age_days = 180\n",
    )
    .expect("config");
    tmp
}

#[test]
fn check_reports_every_control_and_fails_on_stale_keys() {
    let fresh = project_with_key_aged(10);
    let out = custody()
        .args(["check", "--format", "json"])
        .arg(fresh.path())
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    let controls = v["controls"].as_array().expect("controls");
    assert_eq!(controls.len(), 48);
    let src11 = controls
        .iter()
        .find(|c| c["id"] == "SRC-11")
        .expect("SRC-11");
    assert_eq!(src11["status"], "pass", "{src11}");
    assert!(
        controls
            .iter()
            .filter(|c| c["id"] != "SRC-11")
            .all(|c| c["status"] != "pass")
    );

    let stale = project_with_key_aged(200);
    custody()
        .args(["check", "--color", "never"])
        .arg(stale.path())
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("200 days old")
                .and(predicate::str::contains("1 older than the maximum age")),
        );
    let html = stale.path().join("report.html");
    custody()
        .args(["check", "--format", "html", "-o"])
        .arg(&html)
        .arg(stale.path())
        .assert()
        .code(1);
    assert!(
        std::fs::read_to_string(&html)
            .expect("html written")
            .contains("SRC-11")
    );
}

#[test]
fn check_respects_no_color_and_rejects_bad_config() {
    let tmp = tempfile::tempdir().expect("temp dir");
    custody()
        .arg("check")
        .arg(tmp.path())
        .args(["--color", "auto"])
        .env("NO_COLOR", "1")
        .assert()
        .success()
        .stdout(predicate::str::contains("\u{1b}[").not());
    std::fs::write(tmp.path().join("custody.toml"), "[keys]\nmax_age = 3\n").expect("config");
    custody()
        .arg("check")
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("max_age")
                .and(predicate::str::contains("docs/configuration.md")),
        );
    custody()
        .args(["check", "/nonexistent/path"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a directory"));
}
