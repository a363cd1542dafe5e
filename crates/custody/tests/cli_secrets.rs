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
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{secret} printed"
        );
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
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif json");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    assert!(results.iter().any(|r| r["ruleId"] == "aws-access-key-id"
        && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "build/out.txt"));
}

#[test]
fn clean_trees_exit_0_and_bad_rules_exit_2() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("a.rs"), "fn main() { println!(\"hi\"); }\n").expect("write");
    custody()
        .args(["secrets", "scan"])
        .arg(tmp.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("0 finding(s)"));
    std::fs::write(
        tmp.path().join("bad.toml"),
        "[[rules]]\nid='x'\ndescription='d'\nregex='('\n",
    )
    .expect("write");
    custody()
        .args(["secrets", "scan", "--rules"])
        .arg(tmp.path().join("bad.toml"))
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"x\""));
    custody()
        .args(["secrets", "scan", "/nonexistent/path"])
        .assert()
        .code(2);
    // A user rule finds what it describes.
    std::fs::write(
        tmp.path().join("mine.toml"),
        "[[rules]]\nid='acme-token'\ndescription='ACME token'\nregex='(acme_[a-z0-9]{16})'\nkeywords=['acme_']\n",
    )
    .expect("write");
    std::fs::write(tmp.path().join("b.txt"), "t = acme_0123456789abcdef\n").expect("write");
    custody()
        .args(["secrets", "scan", "--rules"])
        .arg(tmp.path().join("mine.toml"))
        .arg(tmp.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("acme-token"));
}

fn src3(dir: &Path) -> (String, String) {
    let out = custody()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let c = v["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["id"] == "SRC-3")
        .expect("SRC-3")
        .clone();
    (
        c["status"].as_str().unwrap_or_default().to_owned(),
        c.to_string(),
    )
}

#[test]
fn baselines_allow_markers_and_the_src3_row() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    std::fs::write(d.join("app.py"), format!("TOKEN = \"{GITHUB}\"\n")).expect("write");
    let (status, detail) = src3(d);
    assert_eq!(status, "fail", "{detail}");
    assert!(
        detail.contains("app.py:1") && !detail.contains(GITHUB),
        "{detail}"
    );
    // Accept it in a baseline: scan and check both pass it.
    custody()
        .current_dir(d)
        .args([
            "secrets",
            "scan",
            "--write-baseline",
            ".custody/secrets-baseline.json",
        ])
        .assert()
        .failure(); // the directory does not exist yet
    std::fs::create_dir_all(d.join(".custody")).expect("mkdir");
    custody()
        .current_dir(d)
        .args([
            "secrets",
            "scan",
            "--write-baseline",
            ".custody/secrets-baseline.json",
        ])
        .assert()
        .success();
    custody()
        .current_dir(d)
        .args([
            "secrets",
            "scan",
            "--baseline",
            ".custody/secrets-baseline.json",
        ])
        .assert()
        .success();
    assert_eq!(src3(d).0, "warn");
    // The secret goes away: the baseline entry is reported as stale.
    std::fs::write(d.join("app.py"), "TOKEN = os.environ['TOKEN']\n").expect("write");
    custody()
        .current_dir(d)
        .args([
            "secrets",
            "scan",
            "--baseline",
            ".custody/secrets-baseline.json",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("matches nothing any more"));
    // An inline marker allows one line; an allowed path allows a file.
    std::fs::write(
        d.join("fixture.py"),
        format!("T = \"{STRIPE}\"  # custody:allow test fixture\n"),
    )
    .expect("write");
    std::fs::write(d.join("keys.txt"), format!("{AWS}\n")).expect("write");
    assert_eq!(src3(d).0, "fail");
    std::fs::write(
        d.join("custody.toml"),
        "[secrets]\nallow_paths = [\"keys.txt\"]\n",
    )
    .expect("config");
    assert_eq!(src3(d).0, "warn");
    custody()
        .current_dir(d)
        .args(["secrets", "scan", "--allow-path", "keys.txt"])
        .assert()
        .success();
}

#[test]
fn gitleaks_configurations_load() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    std::fs::create_dir_all(d.join("vendor")).expect("mkdir");
    let token = "acme_9f8e7d6c5b4a3b2c";
    std::fs::write(d.join("app.env"), format!("ACME={token}\n")).expect("write");
    std::fs::write(d.join("vendor/lib.env"), format!("ACME={token}\n")).expect("write");
    std::fs::write(d.join("dummy.env"), "ACME=acme_dummydummydummy\n").expect("write");
    std::fs::write(
        d.join("gitleaks.toml"),
        "title = \"team\"\n[[rules]]\nid = \"acme\"\ndescription = \"ACME token\"\nregex = '''(acme_[a-z0-9]{16})'''\nkeywords = [\"acme_\"]\n[rules.allowlist]\nstopwords = [\"dummy\"]\n[allowlist]\npaths = ['''^vendor/''']\n",
    )
    .expect("write");
    let out = custody()
        .current_dir(d)
        .args([
            "secrets",
            "scan",
            ".",
            "--rules",
            "gitleaks.toml",
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "acme")
        .map(|f| f["path"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        paths,
        ["app.env"],
        "vendor/ allowed, the dummy stopword honoured"
    );
}

/// `git` with a fixed identity, in `dir`.
fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("git")
        .args(["-c", "user.name=Ada", "-c", "user.email=ada@example.org"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs")
}

fn git_ok(dir: &Path, args: &[&str]) -> String {
    let out = git(dir, args);
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn commit_file(dir: &Path, path: &str, content: &str, message: &str) -> String {
    std::fs::write(dir.join(path), content).expect("write");
    git_ok(dir, &["add", path]);
    git_ok(dir, &["commit", "-q", "--no-verify", "-m", message]);
    git_ok(dir, &["rev-parse", "HEAD"])
}

#[test]
fn history_scans_attribute_findings_to_the_commit_that_added_them() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    git_ok(dir, &["init", "-q"]);
    let first = commit_file(dir, "README.md", "# project\n", "start");
    let leak = commit_file(dir, "deploy.sh", &format!("export GH={GITHUB}\n"), "deploy");
    // Removed from the tree, still in the history.
    commit_file(
        dir,
        "deploy.sh",
        "export GH=$GH_TOKEN\n",
        "use the environment",
    );
    custody()
        .current_dir(dir)
        .args(["secrets", "scan", "."])
        .assert()
        .code(0);
    let out = custody()
        .current_dir(dir)
        .args(["secrets", "scan", "--git", "--format", "json", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(GITHUB), "secret printed");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let findings = v["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{stdout}");
    assert_eq!(findings[0]["path"], "deploy.sh");
    assert_eq!(findings[0]["commit"]["id"], leak.as_str());
    assert_eq!(findings[0]["commit"]["author"], "Ada <ada@example.org>");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("from 3 commit(s)"), "{stderr}");
    // The table names the commit too.
    custody()
        .current_dir(dir)
        .args(["secrets", "scan", "--git", "."])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "added in {}",
            &leak[..12]
        )));
    // Only what came after the leak: clean.
    custody()
        .current_dir(dir)
        .args(["secrets", "scan", "--git", "--since", &leak, "."])
        .assert()
        .code(0);
    custody()
        .current_dir(dir)
        .args([
            "secrets",
            "scan",
            "--git",
            "--since",
            &format!("{first}..{leak}"),
            ".",
        ])
        .assert()
        .code(1);
    // A baseline written from history accepts it.
    let baseline = dir.join("baseline.json");
    custody()
        .current_dir(dir)
        .args(["secrets", "scan", "--git", "--write-baseline"])
        .arg(&baseline)
        .arg(".")
        .assert()
        .code(0);
    custody()
        .current_dir(dir)
        .args(["secrets", "scan", "--git", "--baseline"])
        .arg(&baseline)
        .arg(".")
        .assert()
        .code(0);
    // Bad revisions and non-repositories are input errors.
    custody()
        .current_dir(dir)
        .args(["secrets", "scan", "--git", "--since", "nope", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope"));
    let elsewhere = tempfile::tempdir().expect("temp dir");
    custody()
        .args(["secrets", "scan", "--git"])
        .arg(elsewhere.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a git repository"));
    custody()
        .args(["secrets", "scan", "--since", "x", "."])
        .assert()
        .code(2);
}

#[test]
fn the_pre_commit_hook_refuses_staged_secrets() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    git_ok(dir, &["init", "-q"]);
    commit_file(dir, "README.md", "# project\n", "start");
    let binary = assert_cmd::cargo::cargo_bin("custody");
    custody()
        .current_dir(dir)
        .args(["secrets", "install-hook", "--custody"])
        .arg(&binary)
        .assert()
        .code(0);
    let hook = dir.join(".git/hooks/pre-commit");
    assert!(hook.is_file());
    // Never overwritten silently.
    custody()
        .current_dir(dir)
        .args(["secrets", "install-hook"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    // An unstaged secret does not block; a staged one does.
    std::fs::write(dir.join("notes.txt"), format!("{STRIPE}\n")).expect("write");
    std::fs::write(dir.join("app.py"), "print('hello')\n").expect("write");
    git_ok(dir, &["add", "app.py"]);
    git_ok(dir, &["commit", "-q", "-m", "clean"]);
    std::fs::write(dir.join("app.py"), format!("KEY = \"{STRIPE}\"\n")).expect("write");
    git_ok(dir, &["add", "app.py"]);
    let out = git(dir, &["commit", "-q", "-m", "leak"]);
    assert!(!out.status.success(), "the hook let the secret through");
    // git sends a hook's output to its standard error.
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("app.py:1"), "{shown}");
    assert!(!shown.contains(STRIPE));
    custody()
        .current_dir(dir)
        .args(["secrets", "scan", "--staged", "--format", "sarif", "."])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"startLine\": 1"));
}

#[test]
fn the_pre_receive_hook_scans_only_what_a_push_adds() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let work = tmp.path().join("work");
    let server = tmp.path().join("server.git");
    std::fs::create_dir_all(&work).expect("mkdir");
    git_ok(tmp.path(), &["init", "-q", "--bare", "server.git"]);
    let binary = assert_cmd::cargo::cargo_bin("custody");
    custody()
        .args(["secrets", "install-hook", "--pre-receive", "--repo"])
        .arg(&server)
        .arg("--custody")
        .arg(&binary)
        .assert()
        .code(0);
    let url = format!("file://{}", server.display());
    git_ok(&work, &["init", "-q"]);
    commit_file(&work, "README.md", "# project\n", "start");
    git_ok(&work, &["push", "-q", &url, "HEAD:refs/heads/main"]);
    // A secret in a new commit: refused, with the reason on the pusher's terminal.
    commit_file(&work, "ci.yml", &format!("token: {GITHUB}\n"), "ci");
    let out = git(&work, &["push", &url, "HEAD:refs/heads/main"]);
    assert!(!out.status.success(), "the push went through");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ci.yml:1"), "{stderr}");
    assert!(stderr.contains("from 1 pushed commit(s)"), "{stderr}");
    assert!(!stderr.contains(GITHUB));
    // Fixed by a new commit on top: still refused, the secret is in the pushed history.
    commit_file(&work, "ci.yml", "token: ${{ secrets.TOKEN }}\n", "fix");
    let out = git(&work, &["push", &url, "HEAD:refs/heads/main"]);
    assert!(!out.status.success());
    // Rewritten away: accepted, and a new branch of known commits scans nothing.
    git_ok(&work, &["reset", "-q", "--hard", "HEAD~2"]);
    commit_file(&work, "ci.yml", "token: ${{ secrets.TOKEN }}\n", "ci");
    git_ok(&work, &["push", "-q", &url, "HEAD:refs/heads/main"]);
    let out = git(&work, &["push", &url, "HEAD:refs/heads/copy"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("from 0 pushed commit(s)"), "{stderr}");
    // Malformed hook input is an input error.
    custody()
        .current_dir(&server)
        .args(["secrets", "scan", "--pre-receive", "."])
        .write_stdin("not a ref update\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("OLD NEW REF"));
}

/// The pre-commit framework hook runs a command custody accepts and that gates staged
/// secrets.
#[test]
fn the_pre_commit_framework_hook_entry_works() {
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.pre-commit-hooks.yaml"),
    )
    .expect(".pre-commit-hooks.yaml at the repository root");
    assert!(manifest.contains("- id: custody-secrets"));
    let entry = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("entry: "))
        .expect("an entry");
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("custody"));
    let args: Vec<&str> = words.collect();
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    git_ok(dir, &["init", "-q"]);
    commit_file(dir, "README.md", "# project\n", "start");
    custody().current_dir(dir).args(&args).assert().code(0);
    std::fs::write(dir.join("key.txt"), format!("{AWS}\n")).expect("write");
    git_ok(dir, &["add", "key.txt"]);
    custody().current_dir(dir).args(&args).assert().code(1);
}

/// SRC-3 in a git repository: a secret removed from the tree still fails the control
/// through the history; accepted in the baseline and gated by the hook, it passes.
#[test]
fn src3_covers_the_history_and_the_commit_gate() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    git_ok(dir, &["init", "-q"]);
    let leak = commit_file(dir, "app.py", &format!("TOKEN = \"{GITHUB}\"\n"), "leak");
    commit_file(dir, "app.py", "TOKEN = os.environ['TOKEN']\n", "fix");
    let (status, detail) = src3(dir);
    assert_eq!(status, "fail", "{detail}");
    assert!(
        detail.contains(&format!("app.py:1 @ {}", &leak[..12])),
        "{detail}"
    );
    assert!(!detail.contains(GITHUB), "{detail}");
    std::fs::create_dir_all(dir.join(".custody")).expect("mkdir");
    custody()
        .current_dir(dir)
        .args(["secrets", "scan", "--git", "--write-baseline"])
        .arg(".custody/secrets-baseline.json")
        .assert()
        .success();
    let (status, detail) = src3(dir);
    assert_eq!(status, "warn", "{detail}");
    assert!(detail.contains("nothing stops new ones"), "{detail}");
    custody()
        .current_dir(dir)
        .args(["secrets", "install-hook"])
        .assert()
        .success();
    let (status, detail) = src3(dir);
    assert_eq!(status, "pass", "{detail}");
    assert!(
        detail.contains("pre-commit secret gate installed"),
        "{detail}"
    );
}

/// The scan reads `[secrets]` from the project's custody.toml, as `custody check` does,
/// so that the hooks accept what the project accepts; `--no-config` ignores it.
#[test]
fn scans_read_the_project_settings() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    git_ok(dir, &["init", "-q"]);
    std::fs::create_dir_all(dir.join("fixtures")).expect("mkdir");
    std::fs::write(
        dir.join("custody.toml"),
        "[secrets]\nallow_paths = [\"fixtures/\"]\n",
    )
    .expect("config");
    std::fs::write(dir.join("fixtures/keys.txt"), format!("{AWS}\n")).expect("write");
    git_ok(dir, &["add", "."]);
    for mode in [&["--staged"][..], &[], &["--no-ignore"]] {
        custody()
            .current_dir(dir)
            .args(["secrets", "scan"])
            .args(mode)
            .arg(".")
            .assert()
            .code(0)
            .stderr(predicate::str::contains("Using [secrets] from"));
    }
    custody()
        .current_dir(dir)
        .args(["secrets", "scan", "--staged", "--no-config", "."])
        .assert()
        .code(1);
    git_ok(dir, &["commit", "-q", "--no-verify", "-m", "fixtures"]);
    custody()
        .current_dir(dir)
        .args(["secrets", "scan", "--git", "."])
        .assert()
        .code(0);
    // A broken custody.toml is an input error, not a silent default.
    std::fs::write(dir.join("custody.toml"), "[secrets]\nallow_path = []\n").expect("config");
    custody()
        .current_dir(dir)
        .args(["secrets", "scan", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("custody.toml"));
}

/// On a server, a push is judged by the `[secrets]` settings committed on HEAD before it:
/// the committed allowed paths and rule files apply, a push cannot allow its own secret,
/// and a broken committed configuration refuses pushes instead of being skipped.
#[test]
fn the_pre_receive_gate_uses_the_settings_committed_before_the_push() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let work = tmp.path().join("work");
    let server = tmp.path().join("server.git");
    std::fs::create_dir_all(work.join("fixtures")).expect("mkdir");
    std::fs::create_dir_all(work.join("other")).expect("mkdir");
    git_ok(tmp.path(), &["init", "-q", "--bare", "server.git"]);
    custody()
        .args(["secrets", "install-hook", "--pre-receive", "--repo"])
        .arg(&server)
        .arg("--custody")
        .arg(assert_cmd::cargo::cargo_bin("custody"))
        .assert()
        .code(0);
    let url = format!("file://{}", server.display());
    let push = |expect_ok: bool| -> String {
        let out = git(&work, &["push", &url, "HEAD:refs/heads/main"]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.success(), expect_ok, "{stderr}");
        stderr
    };
    git_ok(&work, &["init", "-q"]);
    std::fs::write(
        work.join("acme.toml"),
        "[[rules]]\nid='acme-token'\ndescription='ACME token'\nregex='(acme_[a-z0-9]{16})'\nkeywords=['acme_']\n",
    )
    .expect("rules");
    git_ok(&work, &["add", "acme.toml"]);
    commit_file(
        &work,
        "custody.toml",
        "[secrets]\nallow_paths = [\"fixtures/\"]\nrules = [\"acme.toml\"]\n",
        "settings",
    );
    // The first push has no settings before it: built-in rules, nothing allowed.
    push(true);
    commit_file(&work, "fixtures/keys.txt", &format!("{AWS}\n"), "fixture");
    let stderr = push(true);
    assert!(
        stderr.contains("Using [secrets] from custody.toml at"),
        "{stderr}"
    );
    // The committed rule file applies.
    commit_file(&work, "app.cfg", "key = acme_0123456789abcdef\n", "acme");
    let stderr = push(false);
    assert!(stderr.contains("app.cfg:1"), "{stderr}");
    git_ok(&work, &["reset", "-q", "--hard", "HEAD~1"]);
    // Allowing a path in the same push as the secret in it does not work ...
    std::fs::write(work.join("other/keys.txt"), format!("{AWS}\n")).expect("write");
    git_ok(&work, &["add", "other/keys.txt"]);
    commit_file(
        &work,
        "custody.toml",
        "[secrets]\nallow_paths = [\"fixtures/\", \"other/\"]\nrules = [\"acme.toml\"]\n",
        "allow other/ and add a key there",
    );
    let stderr = push(false);
    assert!(stderr.contains("other/keys.txt:1"), "{stderr}");
    // ... landing the setting first, then the file, does.
    git_ok(&work, &["rm", "-q", "--cached", "other/keys.txt"]);
    git_ok(
        &work,
        &[
            "commit",
            "-q",
            "--amend",
            "--no-verify",
            "-m",
            "allow other/",
        ],
    );
    push(true);
    git_ok(&work, &["add", "other/keys.txt"]);
    git_ok(&work, &["commit", "-q", "--no-verify", "-m", "key"]);
    push(true);
    // A committed configuration that cannot be read refuses the next push, naming it.
    commit_file(
        &work,
        "custody.toml",
        "[secrets]\nallow_path = []\n",
        "typo",
    );
    push(true);
    commit_file(&work, "README.md", "# project\n", "readme");
    let stderr = push(false);
    assert!(stderr.contains("custody.toml at"), "{stderr}");
    assert!(stderr.contains("allow_path"), "{stderr}");
}
