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

fn gen_key(dir: &Path, name: &str) {
    custody()
        .args(["key", "generate", "--unencrypted", "--name", name, "--dir"])
        .arg(dir)
        .assert()
        .success();
}

#[test]
fn a_repository_made_with_the_cli_is_trusted_by_the_client() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    for k in ["root", "targets", "online", "docs"] {
        gen_key(&d.join("keys"), k);
    }
    let key = |n: &str| d.join(format!("keys/{n}.key")).display().to_string();
    let public = |n: &str| d.join(format!("keys/{n}.pub")).display().to_string();
    custody()
        .current_dir(d)
        .args(["tuf", "init", "repo", "--root-key", &public("root")])
        .args([
            "--targets-key",
            &public("targets"),
            "--snapshot-key",
            &public("online"),
        ])
        .args([
            "--timestamp-key",
            &public("online"),
            "--expires",
            "timestamp=2d",
        ])
        .args([
            "--key",
            &key("root"),
            "--key",
            &key("targets"),
            "--key",
            &key("online"),
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("Published"));
    std::fs::create_dir_all(d.join("dist/sub")).expect("mkdir");
    std::fs::write(d.join("dist/app.tar.gz"), b"app").expect("write");
    std::fs::write(d.join("dist/sub/lib.so"), b"lib").expect("write");
    let online = ["--key", &key("targets"), "--key", &key("online")];
    custody()
        .current_dir(d)
        .args(["tuf", "add", "repo", "dist", "--prefix", "v1"])
        .args(online)
        .assert()
        .success()
        .stderr(predicate::str::contains("Added 2 target(s)"));
    custody()
        .current_dir(d)
        .args([
            "tuf", "delegate", "repo", "--name", "docs", "--path", "docs/*",
        ])
        .args(["--delegate-key", &public("docs")])
        .args(online)
        .assert()
        .success();
    std::fs::write(d.join("guide.md"), b"guide").expect("write");
    custody()
        .current_dir(d)
        .args([
            "tuf", "add", "repo", "guide.md", "--prefix", "docs", "--role", "docs", "--link",
        ])
        .args(online)
        .args(["--key", &key("docs")])
        .assert()
        .success();
    {
        use std::os::unix::fs::MetadataExt as _;
        let guide = std::fs::metadata(d.join("guide.md")).expect("stat");
        assert_eq!(guide.nlink(), 2, "--link links the target, no copy");
    }
    // The client, over file:// URLs.
    let md = d.join("md");
    client(&md)
        .arg("init")
        .arg(d.join("repo/metadata/1.root.json"))
        .assert()
        .success();
    let meta_url = format!("file://{}/repo/metadata/", d.display());
    let targets_url = format!("file://{}/repo/targets/", d.display());
    client(&md)
        .args(["--metadata-url", &meta_url])
        .args([
            "--target-name",
            "v1/sub/lib.so",
            "--target-name",
            "docs/guide.md",
        ])
        .arg("--target-dir")
        .arg(d.join("out"))
        .args(["--target-base-url", &targets_url, "download"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(d.join("out/v1%2Fsub%2Flib.so")).expect("saved"),
        b"lib"
    );
    assert_eq!(
        std::fs::read(d.join("out/docs%2Fguide.md")).expect("saved"),
        b"guide"
    );
    // A target named twice is fetched once; one that is missing fails the command, and
    // the targets fetched before it are saved all the same.
    client(&md)
        .args(["--metadata-url", &meta_url])
        .args([
            "--target-name",
            "v1/app.tar.gz",
            "--target-name",
            "v1/app.tar.gz",
        ])
        .args(["--target-name", "v1/missing"])
        .arg("--target-dir")
        .arg(d.join("out"))
        .args(["--target-base-url", &targets_url, "download"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "\"v1/missing\" is not in the repository",
        ));
    assert_eq!(
        std::fs::read(d.join("out/v1%2Fapp.tar.gz")).expect("saved before the failure"),
        b"app"
    );
    // Rotate the timestamp key: root needs its key; the client follows.
    gen_key(&d.join("keys"), "online2");
    custody()
        .current_dir(d)
        .args(["tuf", "rotate", "repo", "--role", "timestamp"])
        .args([
            "--add-key",
            &public("online2"),
            "--remove-key",
            &public("online"),
        ])
        .args([
            "--key",
            &key("root"),
            "--key",
            &key("online"),
            "--key",
            &key("online2"),
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("root v2"));
    client(&md)
        .args(["--metadata-url", &meta_url, "refresh"])
        .assert()
        .success();
    let trusted: serde_json::Value =
        serde_json::from_slice(&std::fs::read(md.join("root.json")).expect("root")).expect("json");
    assert_eq!(trusted["signed"]["version"], 2);
    // Signature checks are remembered between runs; a new trusted root forgets them.
    let memo = md.join(custody_tuf::memo::FILE_NAME);
    assert!(memo.exists(), "checks remembered");
    client(&md)
        .arg("init")
        .arg(d.join("repo/metadata/1.root.json"))
        .assert()
        .success();
    assert!(!memo.exists(), "init forgets remembered checks");
    client(&md)
        .args(["--metadata-url", &meta_url, "refresh"])
        .assert()
        .success();
    assert!(memo.exists());
    // Status: every role listed, nothing expired.
    custody()
        .current_dir(d)
        .args(["tuf", "status", "repo"])
        .assert()
        .success()
        .stdout(predicate::str::contains("timestamp").and(predicate::str::contains("docs")));
    // Without the snapshot key, `snapshot` is a usage error.
    custody()
        .current_dir(d)
        .args(["tuf", "snapshot", "repo", "--key", &key("targets")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("snapshot"));
}

fn statuses(dir: &Path) -> std::collections::BTreeMap<String, String> {
    let out = custody()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .output()
        .expect("custody runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    v["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .filter(|c| {
            [
                "ART-3", "ART-5", "ART-6", "BLD-15", "DEP-1", "DEP-2", "DEP-3",
            ]
            .contains(&c["id"].as_str().unwrap_or_default())
        })
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_owned(),
                c["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn custody_check_reports_the_tuf_controls() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    let all = |s: &str| -> std::collections::BTreeMap<String, String> {
        [
            "ART-3", "ART-5", "ART-6", "BLD-15", "DEP-1", "DEP-2", "DEP-3",
        ]
        .iter()
        .map(|c| ((*c).to_owned(), s.to_owned()))
        .collect()
    };
    assert_eq!(statuses(d), all("not-configured"));
    for k in ["root", "targets", "online"] {
        gen_key(&d.join("keys"), k);
    }
    let key = |n: &str| format!("keys/{n}.key");
    let public = |n: &str| format!("keys/{n}.pub");
    custody()
        .current_dir(d)
        .args(["tuf", "init", ".custody/tuf", "--root-key", &public("root")])
        .args([
            "--targets-key",
            &public("targets"),
            "--snapshot-key",
            &public("online"),
        ])
        .args(["--timestamp-key", &public("online")])
        .args([
            "--key",
            &key("root"),
            "--key",
            &key("targets"),
            "--key",
            &key("online"),
        ])
        .assert()
        .success();
    std::fs::write(d.join("app"), b"app").expect("write");
    custody()
        .current_dir(d)
        .args(["tuf", "add", ".custody/tuf", "app"])
        .args(["--key", &key("targets"), "--key", &key("online")])
        .assert()
        .success();
    let mut expected = all("pass");
    expected.insert("ART-5".into(), "warn".into()); // no delegations
    expected.insert("BLD-15".into(), "warn".into()); // root not pinned
    assert_eq!(statuses(d), expected);
    // Pin the root users are given.
    std::fs::copy(
        d.join(".custody/tuf/metadata/1.root.json"),
        d.join("trusted-root.json"),
    )
    .expect("copy");
    std::fs::write(
        d.join("custody.toml"),
        "[tuf]\ntrusted_root = \"trusted-root.json\"\n",
    )
    .expect("config");
    expected.insert("BLD-15".into(), "pass".into());
    assert_eq!(statuses(d), expected);
    // A tampered target fails DEP-1.
    for entry in std::fs::read_dir(d.join(".custody/tuf/targets")).expect("list") {
        std::fs::write(entry.expect("entry").path(), b"evil").expect("tamper");
    }
    assert_eq!(statuses(d)["DEP-1"], "fail");
}

#[test]
fn the_same_edits_at_the_same_time_give_the_same_bytes() {
    // SOURCE_DATE_EPOCH fixes the expiry dates; ed25519 signatures are deterministic.
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    for k in ["root", "targets", "online"] {
        gen_key(&d.join("keys"), k);
    }
    std::fs::write(d.join("app"), b"app").expect("write");
    let make = |repo: &str| {
        let run = |args: &[&str]| {
            custody()
                .current_dir(d)
                .env("SOURCE_DATE_EPOCH", "1893456000")
                .args(args)
                .assert()
                .success();
        };
        run(&[
            "tuf",
            "init",
            repo,
            "--root-key",
            "keys/root.pub",
            "--targets-key",
            "keys/targets.pub",
            "--snapshot-key",
            "keys/online.pub",
            "--timestamp-key",
            "keys/online.pub",
            "--key",
            "keys/root.key",
            "--key",
            "keys/targets.key",
            "--key",
            "keys/online.key",
        ]);
        run(&[
            "tuf",
            "add",
            repo,
            "app",
            "--key",
            "keys/targets.key",
            "--key",
            "keys/online.key",
        ]);
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(d.join(repo).join("metadata"))
            .expect("list")
            .map(|e| {
                let p = e.expect("entry").path();
                let name = p.file_name().expect("name").to_string_lossy().into_owned();
                (name, std::fs::read(&p).expect("read"))
            })
            .collect();
        files.sort();
        files
    };
    let first = make("a");
    let second = make("b");
    assert_eq!(first, second);
    let timestamp = &first
        .iter()
        .find(|(n, _)| n == "timestamp.json")
        .expect("timestamp")
        .1;
    assert!(
        String::from_utf8_lossy(timestamp).contains("2030-01-02T00:00:00Z"),
        "timestamp expiry = SOURCE_DATE_EPOCH + 1 day"
    );
}
