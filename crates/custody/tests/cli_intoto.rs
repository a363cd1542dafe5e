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

const DESCRIPTION: &str = r#"
expires_in_days = 30
readme = "write the source, build the app"

[keys]
alice = "keys/f.pub"

[[steps]]
name = "write"
functionaries = ["alice"]
products = ["CREATE src.txt", "DISALLOW *"]

[[steps]]
name = "build"
functionaries = ["alice"]
expected_command = "cp src.txt app"
materials = ["MATCH src.txt WITH PRODUCTS FROM write", "DISALLOW *"]
products = ["CREATE app", "MATCH src.txt WITH PRODUCTS FROM write", "DISALLOW *"]

[[inspections]]
name = "check"
run = "test -f app"
materials = ["MATCH app WITH PRODUCTS FROM build", "DISALLOW app", "ALLOW *"]
"#;

/// A whole chain made by custody: layout from TOML, links by record and run.
fn custody_chain() -> (tempfile::TempDir, PathBuf) {
    let (tmp, key) = setup();
    let dir = tmp.path();
    std::fs::remove_file(dir.join("src.txt")).expect("start from nothing");
    custody(dir)
        .args([
            "key",
            "generate",
            "--unencrypted",
            "--name",
            "owner",
            "--dir",
            "keys",
        ])
        .assert()
        .success();
    std::fs::write(dir.join("layout.toml"), DESCRIPTION).expect("write");
    custody(dir)
        .args([
            "intoto",
            "layout",
            "create",
            "layout.toml",
            "--signing-key",
            "keys/owner.key",
            "-o",
            "root.layout",
        ])
        .assert()
        .success();
    let step = |sub: &[&str], args: &[&str]| {
        custody(dir)
            .arg("intoto")
            .args(sub)
            .arg("--signing-key")
            .arg(&key)
            .args(args)
            .assert()
            .success();
    };
    step(&["record", "start"], &["-n", "write"]);
    std::fs::write(dir.join("src.txt"), "source").expect("write");
    step(&["record", "stop"], &["-n", "write", "-p", "src.txt"]);
    step(
        &["run"],
        &[
            "-n", "build", "-m", "src.txt", "-p", "src.txt", "app", "--", "cp", "src.txt", "app",
        ],
    );
    (tmp, key)
}

#[test]
fn a_chain_made_by_custody_verifies_and_tampering_is_named() {
    let (tmp, _) = custody_chain();
    let dir = tmp.path();
    let verify = || {
        let mut c = custody(dir);
        c.args([
            "intoto",
            "verify",
            "--layout",
            "root.layout",
            "--verification-keys",
            "keys/owner.pub",
        ]);
        c
    };
    verify().assert().success().stderr(predicate::str::contains(
        "Verified OK: 2 step(s) and 1 inspection(s)",
    ));
    assert!(
        dir.join("check.link").exists(),
        "the inspection's link is written, as in-toto does"
    );
    let out = verify().args(["--format", "json"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(v["steps"][1]["step"], "build");
    assert!(v["final_products"]["app"]["sha256"].is_string());

    // A layout signed by someone else is refused.
    verify_with(dir, "keys/f.pub")
        .code(1)
        .stderr(predicate::str::contains("signatures do not verify"));
    // An artifact changed after the build breaks the inspection's MATCH.
    std::fs::write(dir.join("app"), "trojan").expect("write");
    verify()
        .assert()
        .code(1)
        .stderr(predicate::str::contains("\"check\""));
}

fn verify_with(dir: &Path, key: &str) -> assert_cmd::assert::Assert {
    custody(dir)
        .args([
            "intoto",
            "verify",
            "--layout",
            "root.layout",
            "--verification-keys",
            key,
        ])
        .assert()
}

#[test]
fn layouts_take_several_owner_signatures() {
    let (tmp, _) = custody_chain();
    let dir = tmp.path();
    custody(dir)
        .args([
            "key",
            "generate",
            "--unencrypted",
            "--name",
            "owner2",
            "--dir",
            "keys",
        ])
        .assert()
        .success();
    let check = |keys: &[&str]| {
        let mut c = custody(dir);
        c.args([
            "intoto",
            "sign",
            "root.layout",
            "--verify",
            "--verification-keys",
        ])
        .args(keys);
        c.assert()
    };
    check(&["keys/owner.pub"]).success();
    check(&["keys/owner.pub", "keys/owner2.pub"]).code(1);
    custody(dir)
        .args([
            "intoto",
            "sign",
            "root.layout",
            "--signing-key",
            "keys/owner2.key",
        ])
        .assert()
        .success();
    check(&["keys/owner.pub", "keys/owner2.pub"]).success();
    custody(dir)
        .args([
            "intoto",
            "verify",
            "--layout",
            "root.layout",
            "--verification-keys",
            "keys/owner.pub",
            "keys/owner2.pub",
        ])
        .assert()
        .success();
    // A bad description names the problem.
    std::fs::write(
        dir.join("bad.toml"),
        DESCRIPTION.replace("[\"alice\"]", "[\"eve\"]"),
    )
    .expect("write");
    custody(dir)
        .args(["intoto", "layout", "create", "bad.toml", "-o", "bad.layout"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("eve"));
    assert!(!dir.join("bad.layout").exists());
}

/// [`DESCRIPTION`] in YAML.
const DESCRIPTION_YAML: &str = r#"
expires_in_days: 30
readme: write the source, build the app
keys:
  alice: keys/f.pub
steps:
  - name: write
    functionaries: [alice]
    products: [CREATE src.txt, "DISALLOW *"]
  - name: build
    functionaries: [alice]
    expected_command: cp src.txt app
    materials: ["MATCH src.txt WITH PRODUCTS FROM write", "DISALLOW *"]
    products:
      - CREATE app
      - [MATCH, src.txt, WITH, PRODUCTS, FROM, write]
      - "DISALLOW *"
inspections:
  - name: check
    run: test -f app
    materials: ["MATCH app WITH PRODUCTS FROM build", DISALLOW app, "ALLOW *"]
"#;

#[test]
fn yaml_descriptions_make_the_same_layout() {
    let (tmp, _) = custody_chain();
    let dir = tmp.path();
    std::fs::write(dir.join("layout.yaml"), DESCRIPTION_YAML).expect("write");
    custody(dir)
        .args([
            "intoto",
            "layout",
            "create",
            "layout.yaml",
            "-o",
            "yaml.layout",
        ])
        .assert()
        .success();
    let signed = |file: &str| {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(file)).expect("read")).expect("json");
        let mut signed = v["signed"].clone();
        // Both expire 30 days from their own "now".
        signed["expires"] = serde_json::Value::Null;
        signed
    };
    assert_eq!(signed("yaml.layout"), signed("root.layout"));
    std::fs::write(dir.join("bad.yml"), "steps: [\n").expect("write");
    custody(dir)
        .args(["intoto", "layout", "create", "bad.yml", "-o", "bad.layout"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.yml"));
    assert!(!dir.join("bad.layout").exists());
}

fn check_statuses(dir: &Path) -> (std::collections::BTreeMap<String, String>, Option<i32>) {
    let out = custody(dir)
        .args(["check", "--format", "json"])
        .output()
        .expect("custody runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    let statuses = v["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .filter(|c| ["BLD-1", "ART-1", "ART-2"].contains(&c["id"].as_str().unwrap_or_default()))
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_owned(),
                c["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (statuses, out.status.code())
}

#[test]
fn custody_check_reports_the_in_toto_controls() {
    let (tmp, _) = custody_chain();
    let dir = tmp.path();
    let s = |pairs: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    };
    let fresh = tempfile::tempdir().expect("temp dir");
    assert_eq!(
        check_statuses(fresh.path()).0,
        s(&[
            ("ART-1", "not-configured"),
            ("ART-2", "not-configured"),
            ("BLD-1", "not-configured")
        ])
    );
    // The test keys are unencrypted private keys in the project directory: SRC-3 would
    // rightly fail on them, so they are an allowed path here.
    let config = "[secrets]\nallow_paths = [\"keys/\"]\n\n[intoto]\nlayout = \"root.layout\"\nlayout_keys = [\"keys/owner.pub\"]\nlink_dir = \".\"\n";
    std::fs::write(dir.join("custody.toml"), config).expect("config");
    assert_eq!(
        check_statuses(dir),
        (
            s(&[("ART-1", "pass"), ("ART-2", "pass"), ("BLD-1", "warn")]),
            Some(0)
        ),
        "inspections are not run unless asked"
    );
    std::fs::write(
        dir.join("custody.toml"),
        format!("{config}run_inspections = true\n"),
    )
    .expect("config");
    assert_eq!(
        check_statuses(dir),
        (
            s(&[("ART-1", "pass"), ("ART-2", "pass"), ("BLD-1", "pass")]),
            Some(0)
        )
    );
    std::fs::write(dir.join("app"), "trojan").expect("tamper");
    assert_eq!(
        check_statuses(dir),
        (
            s(&[("ART-1", "pass"), ("ART-2", "pass"), ("BLD-1", "fail")]),
            Some(1)
        )
    );
    for e in std::fs::read_dir(dir).expect("list") {
        let p = e.expect("entry").path();
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("build."))
        {
            std::fs::remove_file(p).expect("remove");
        }
    }
    assert_eq!(
        check_statuses(dir),
        (
            s(&[("ART-1", "fail"), ("ART-2", "fail"), ("BLD-1", "fail")]),
            Some(1)
        )
    );
}

#[test]
fn sublayouts_are_verified_recursively() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    for name in ["owner", "alice", "bob"] {
        custody(dir)
            .args([
                "key",
                "generate",
                "--unencrypted",
                "--name",
                name,
                "--dir",
                "keys",
            ])
            .assert()
            .success();
    }
    let keyid8 = |name: &str| {
        let out = custody(dir)
            .args(["key", "show", "--format", "json"])
            .arg(format!("keys/{name}.pub"))
            .output()
            .expect("runs");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        v["keyid"].as_str().expect("keyid")[..8].to_owned()
    };
    // The super layout delegates step "package" to alice, who writes a sublayout in which
    // bob performs "inner".
    std::fs::write(
        dir.join("super.toml"),
        "expires_in_days = 1\n[keys]\nalice = \"keys/alice.pub\"\n[[steps]]\nname = \"package\"\nfunctionaries = [\"alice\"]\nproducts = [\"CREATE out.txt\", \"DISALLOW *\"]\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("sub.toml"),
        "expires_in_days = 1\n[keys]\nbob = \"keys/bob.pub\"\n[[steps]]\nname = \"inner\"\nfunctionaries = [\"bob\"]\nproducts = [\"CREATE out.txt\", \"DISALLOW *\"]\n",
    )
    .expect("write");
    custody(dir)
        .args([
            "intoto",
            "layout",
            "create",
            "super.toml",
            "--signing-key",
            "keys/owner.key",
            "-o",
            "root.layout",
        ])
        .assert()
        .success();
    let alice = keyid8("alice");
    custody(dir)
        .args([
            "intoto",
            "layout",
            "create",
            "sub.toml",
            "--signing-key",
            "keys/alice.key",
            "-o",
        ])
        .arg(format!("package.{alice}.link"))
        .assert()
        .success();
    let sub_dir = dir.join(format!("package.{alice}"));
    std::fs::create_dir_all(&sub_dir).expect("mkdir");
    std::fs::write(dir.join("out.txt"), "packaged").expect("write");
    custody(dir)
        .args([
            "intoto",
            "run",
            "-q",
            "-n",
            "inner",
            "--signing-key",
            "keys/bob.key",
            "-p",
            "out.txt",
            "-d",
        ])
        .arg(&sub_dir)
        .args(["-x"])
        .assert()
        .success();
    let verify = || {
        let mut c = custody(dir);
        c.args([
            "intoto",
            "verify",
            "--layout",
            "root.layout",
            "--verification-keys",
            "keys/owner.pub",
        ]);
        c
    };
    verify().assert().success();
    // The inner link must be bob's: a link by alice in the sublayout directory does not count.
    for e in std::fs::read_dir(&sub_dir).expect("list") {
        std::fs::remove_file(e.expect("entry").path()).expect("remove");
    }
    custody(dir)
        .args([
            "intoto",
            "run",
            "-q",
            "-n",
            "inner",
            "--signing-key",
            "keys/alice.key",
            "-p",
            "out.txt",
            "-d",
        ])
        .arg(&sub_dir)
        .args(["-x"])
        .assert()
        .success();
    verify()
        .assert()
        .code(1)
        .stderr(predicate::str::contains("sublayout of step \"package\""));
}

#[test]
fn attestations_are_signed_bundled_and_verified() {
    let (tmp, key) = setup();
    let dir = tmp.path();
    std::fs::write(
        dir.join("sbom.json"),
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}"#,
    )
    .expect("write");
    std::fs::write(
        dir.join("scan.sarif"),
        r#"{"version": "2.1.0", "runs": []}"#,
    )
    .expect("write");
    for (ty, predicate) in [("cyclonedx", "sbom.json"), ("sarif", "scan.sarif")] {
        custody(dir)
            .args(["attest", "--key"])
            .arg(&key)
            .args([
                "--subject",
                "src.txt",
                "-t",
                ty,
                "--predicate",
                predicate,
                "--bundle",
                "src.intoto.jsonl",
            ])
            .assert()
            .success();
    }
    let bundle = std::fs::read_to_string(dir.join("src.intoto.jsonl")).expect("bundle");
    assert_eq!(bundle.lines().count(), 2, "one envelope per line");
    let verify = |extra: &[&str]| {
        let mut c = custody(dir);
        c.args([
            "attest",
            "verify",
            "--key",
            "keys/f.pub",
            "--subject",
            "src.txt",
        ])
        .args(extra)
        .arg("src.intoto.jsonl");
        c.assert()
    };
    verify(&["-t", "sarif"])
        .success()
        .stdout(predicate::str::contains("\"runs\""));
    verify(&["-t", "spdx"])
        .code(1)
        .stderr(predicate::str::contains("predicate type"));
    std::fs::write(dir.join("src.txt"), "changed").expect("write");
    verify(&[])
        .code(1)
        .stderr(predicate::str::contains("no subject has sha256 digest"));
    // A mislabelled predicate is refused before signing.
    custody(dir)
        .args(["attest", "--key"])
        .arg(&key)
        .args([
            "--subject",
            "src.txt",
            "-t",
            "cyclonedx",
            "--predicate",
            "scan.sarif",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bomFormat"));
}

#[test]
fn links_carried_as_v1_link_attestations_verify() {
    let (tmp, key) = custody_chain();
    let dir = tmp.path();
    // Re-issue every link as an in-toto v1 link attestation under the same file name.
    let links: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "link") && !p.ends_with("check.link"))
        .collect();
    assert_eq!(links.len(), 2, "{links:?}");
    for link in &links {
        let out = custody(dir)
            .args(["attest", "--key"])
            .arg(&key)
            .args(["-t", "link", "--predicate"])
            .arg(link)
            .arg("-o")
            .arg(link)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(link).expect("read");
        assert!(text.contains("payloadType"), "now a DSSE statement");
    }
    let verify = || {
        let mut c = custody(dir);
        c.args([
            "intoto",
            "verify",
            "--layout",
            "root.layout",
            "--verification-keys",
            "keys/owner.pub",
        ]);
        c.assert()
    };
    verify().success();
    std::fs::write(dir.join("app"), "trojan").expect("tamper");
    verify()
        .code(1)
        .stderr(predicate::str::contains("\"check\""));
}
