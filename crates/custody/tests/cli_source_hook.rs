//! `custody source hook` in a real bare repository: pushes over `file://` through the
//! installed pre-receive hook, accepted and refused for each reason the policy gives.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

#[path = "support/tools.rs"]
mod tools;
use tools::{commit_all, ok, output, path_with_custody};

struct Setup {
    _tmp: tempfile::TempDir,
    work: PathBuf,
    server: PathBuf,
    key: PathBuf,
}

impl Setup {
    fn git(&self) -> std::process::Command {
        let mut c = std::process::Command::new("git");
        c.current_dir(&self.work)
            .env("GIT_AUTHOR_NAME", "Alice")
            .env("GIT_AUTHOR_EMAIL", "alice@example.org")
            .env("GIT_COMMITTER_NAME", "Alice")
            .env("GIT_COMMITTER_EMAIL", "alice@example.org")
            // The hook runs `custody` from PATH: the binary under test.
            .env("PATH", path_with_custody())
            .args(["-c", "gpg.format=ssh", "-c"])
            .arg(format!("user.signingkey={}", self.key.display()));
        c
    }

    fn commit(&self, signed: bool, files: &[(&str, &str)], message: &str) -> String {
        for (path, content) in files {
            let p = self.work.join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, content).expect("write");
        }
        commit_all(|| self.git(), signed, message)
    }

    /// Push; `Ok(stderr)` when accepted, `Err(stderr)` when refused.
    fn push(&self, args: &[&str]) -> Result<String, String> {
        let out = output(self.git().args(["push", "-q", "origin"]).args(args));
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if out.status.success() {
            Ok(stderr)
        } else {
            Err(stderr)
        }
    }
}

fn setup() -> (Setup, String) {
    let tmp = tempfile::tempdir().expect("tmp");
    let work = tmp.path().join("work");
    let server = tmp.path().join("server.git");
    let key = tmp.path().join("alice");
    ok(std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key));
    ok(std::process::Command::new("git")
        .args(["init", "-q", "-b", "main"])
        .arg(&work));
    ok(std::process::Command::new("git")
        .args(["init", "-q", "--bare", "-b", "main"])
        .arg(&server));
    let s = Setup {
        _tmp: tmp,
        work,
        server,
        key,
    };
    ok(s.git()
        .args(["remote", "add", "origin"])
        .arg(format!("file://{}", s.server.display())));
    let public = std::fs::read_to_string(s.key.with_extension("pub")).expect("pub");
    let policy = format!(
        r#"version = 1
[[people]]
name = "Alice"
email = "alice@example.org"
role = "owner"
keys = [{{ ssh = "{}" }}]
[[rules]]
refs = ["refs/heads/main"]
fast_forward_only = true
[[rules]]
refs = ["**"]
"#,
        public.trim()
    );
    let root = s.commit(true, &[(".custody/policy.toml", &policy)], "policy");
    Command::cargo_bin("custody")
        .expect("binary")
        .args(["source", "hook", "install", "--trust-root", &root, "--repo"])
        .arg(&s.server)
        .assert()
        .success();
    (s, root)
}

fn server_tip(server: &Path, reference: &str) -> Option<String> {
    let out = output(
        std::process::Command::new("git")
            .arg("-C")
            .arg(server)
            .args(["rev-parse", "--verify", "-q", reference]),
    );
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[test]
fn the_hook_accepts_signed_history_and_refuses_what_breaks_the_policy() {
    let (s, root) = setup();
    let hook = std::fs::read_to_string(s.server.join("hooks/pre-receive")).expect("hook");
    assert!(hook.contains(&format!("--trust-root {root}")));

    // The first push carries the trust root itself.
    let good = s.commit(true, &[("a.txt", "a")], "signed work");
    let accepted = s.push(&["main"]).expect("signed history is accepted");
    assert!(accepted.contains("accepted"), "{accepted}");
    assert_eq!(server_tip(&s.server, "refs/heads/main"), Some(good.clone()));

    // An unsigned commit: refused, and the server's ref does not move.
    s.commit(false, &[("b.txt", "b")], "unsigned work");
    let refused = s.push(&["main"]).expect_err("unsigned is refused");
    assert!(refused.contains("not signed"), "{refused}");
    assert_eq!(server_tip(&s.server, "refs/heads/main"), Some(good.clone()));

    // Rewriting it signed and pushing is fine (a fast-forward of the server's main).
    ok(s.git().args(["commit", "-q", "--amend", "-S", "--no-edit"]));
    s.push(&["main"]).expect("fixed commit is accepted");

    // Rewriting published history: a force push to a protected ref is refused.
    ok(s.git().args(["reset", "-q", "--hard", &good]));
    s.commit(true, &[("c.txt", "c")], "rewritten");
    let refused = s
        .push(&["--force", "main"])
        .expect_err("force push refused");
    assert!(
        refused.contains("force push to refs/heads/main"),
        "{refused}"
    );

    // Deleting the protected ref is refused; other branches may be rewritten and deleted.
    let refused = s.push(&[":main"]).expect_err("deletion refused");
    assert!(
        refused.contains("deleting refs/heads/main is not allowed"),
        "{refused}"
    );
    ok(s.git().args(["checkout", "-q", "-b", "topic"]));
    s.commit(true, &[("d.txt", "d")], "topic work");
    s.push(&["topic"]).expect("topic accepted");
    ok(s.git()
        .args(["commit", "-q", "--amend", "-S", "-m", "topic work again"]));
    s.push(&["--force", "topic"])
        .expect("force push to an unprotected branch");
    s.push(&[":topic"]).expect("deleting an unprotected branch");

    // A secret in a signed commit is refused by the scan of the pushed files.
    s.commit(
        true,
        &[(
            "deploy.py",
            "TOKEN = \"ghp_4Fq9ZkT2mLw8RbX1cVn7HyJ3sDp0GaEu5Qio\"\n",
        )],
        "add config",
    );
    let refused = s.push(&["topic"]).expect_err("secret refused");
    assert!(refused.contains("secret in commit"), "{refused}");
    assert_eq!(server_tip(&s.server, "refs/heads/topic"), None);
}

#[test]
fn without_a_policy_the_hook_fails_closed() {
    let (s, _) = setup();
    // A trust root the server cannot find: nothing can be verified, nothing is accepted.
    Command::cargo_bin("custody")
        .expect("binary")
        .args(["source", "hook", "install", "--force", "--trust-root"])
        .arg("0123456789abcdef0123456789abcdef01234567")
        .arg("--repo")
        .arg(&s.server)
        .assert()
        .success();
    s.commit(true, &[("a.txt", "a")], "signed work");
    let refused = s.push(&["main"]).expect_err("refused");
    assert!(refused.contains("cannot be verified"), "{refused}");
}

/// A second person whose key expired at the start of 2026, signing through `git`.
fn as_bob(s: &Setup, bob_key: &Path, date: &str) -> std::process::Command {
    let mut c = std::process::Command::new("git");
    c.current_dir(&s.work)
        .env("GIT_AUTHOR_NAME", "Bob")
        .env("GIT_AUTHOR_EMAIL", "bob@example.org")
        .env("GIT_COMMITTER_NAME", "Bob")
        .env("GIT_COMMITTER_EMAIL", "bob@example.org")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("PATH", path_with_custody())
        .args(["-c", "gpg.format=ssh", "-c"])
        .arg(format!("user.signingkey={}", bob_key.display()));
    c
}

#[test]
fn the_push_log_dates_commits_and_shows_refs_moved_outside_the_hook() {
    let (s, _) = setup();
    let dir = s.work.parent().expect("tmp").to_path_buf();
    Command::cargo_bin("custody")
        .expect("binary")
        .args([
            "key",
            "generate",
            "--unencrypted",
            "--name",
            "push-log",
            "--dir",
        ])
        .arg(&dir)
        .assert()
        .success();
    let bob_key = dir.join("bob");
    ok(std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&bob_key));
    // The policy names the log key and Bob, whose key is valid in 2025 only.
    std::fs::create_dir_all(s.work.join(".custody/keys")).expect("mkdir");
    std::fs::copy(
        dir.join("push-log.pub"),
        s.work.join(".custody/keys/push-log.pub"),
    )
    .expect("copy");
    let policy = std::fs::read_to_string(s.work.join(".custody/policy.toml")).expect("policy");
    let bob_public = std::fs::read_to_string(bob_key.with_extension("pub")).expect("pub");
    let policy = policy.replace(
        "version = 1\n",
        "version = 1\nlog_keys = [\"keys/push-log.pub\"]\n",
    ) + &format!(
        "[[people]]\nname = \"Bob\"\nemail = \"bob@example.org\"\nrole = \"developer\"\nkeys = [{{ ssh = \"{}\", valid_from = \"2025-01-01\", valid_until = \"2026-01-01\" }}]\n",
        bob_public.trim()
    );
    let root = s.commit(
        true,
        &[(".custody/policy.toml", &policy)],
        "policy with a log key",
    );
    Command::cargo_bin("custody")
        .expect("binary")
        .args([
            "source",
            "hook",
            "install",
            "--force",
            "--trust-root",
            &root,
            "--log-key",
        ])
        .arg(dir.join("push-log.key"))
        .arg("--repo")
        .arg(&s.server)
        .assert()
        .success();
    s.push(&["main"]).expect("accepted");
    let first = s.commit(true, &[("a.txt", "a")], "more work");
    s.push(&["main"]).expect("accepted");
    let count = ok(std::process::Command::new("git")
        .arg("-C")
        .arg(&s.server)
        .args(["rev-list", "--count", "refs/custody/push-log"]));
    assert_eq!(count, "2", "one entry per accepted ref update");

    let verify = |dir: &Path| {
        let mut c = Command::cargo_bin("custody").expect("binary");
        c.args([
            "source",
            "verify",
            "--format",
            "json",
            "--trust-root",
            &root,
        ])
        .arg(dir);
        let out = c.output().expect("runs");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        (out.status.code(), v)
    };
    let (code, report) = verify(&s.server);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["push_log"]["entries"], 2);
    assert_eq!(report["push_log"]["verified"], 2);
    assert!(
        report["commits"][0]["pushed"].is_string(),
        "dated by the log"
    );

    // Bob back-dates a commit into his key's validity period. Without a log, only the
    // committer date is known and it verifies; the server judges it at push time.
    ok(as_bob(&s, &bob_key, "2025-06-01T12:00:00Z").args([
        "commit",
        "-q",
        "-S",
        "--allow-empty",
        "-m",
        "back-dated",
    ]));
    let local = Command::cargo_bin("custody")
        .expect("binary")
        .args(["source", "verify", "--trust-root", &root])
        .arg(&s.work)
        .output()
        .expect("runs");
    assert_eq!(
        local.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&local.stdout)
    );
    let refused = s.push(&["main"]).expect_err("expired at push time");
    assert!(refused.contains("expired"), "{refused}");
    ok(s.git().args(["reset", "-q", "--hard", &first]));

    // Someone with shell access moves main back on the server: the log shows it.
    ok(std::process::Command::new("git")
        .arg("-C")
        .arg(&s.server)
        .args(["update-ref", "refs/heads/main", &root]));
    let (code, report) = verify(&s.server);
    assert_eq!(code, Some(1));
    let problems = report["push_log"]["problems"].to_string();
    assert!(problems.contains("moved outside the hook"), "{problems}");

    // A clone that fetches the log sees the same.
    let clone = dir.join("clone");
    ok(std::process::Command::new("git")
        .args(["clone", "-q"])
        .arg(format!("file://{}", s.server.display()))
        .arg(&clone));
    ok(std::process::Command::new("git").current_dir(&clone).args([
        "fetch",
        "-q",
        "origin",
        "refs/custody/*:refs/custody/*",
    ]));
    let (code, report) = verify(&clone);
    assert_eq!(code, Some(1), "{report:#}");
    // And `custody check` fails SRC-8 there.
    let out = Command::cargo_bin("custody")
        .expect("binary")
        .args(["check", "--format", "json"])
        .arg(&clone)
        .output()
        .expect("runs");
    let check: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let src8 = check["controls"]
        .as_array()
        .and_then(|c| c.iter().find(|r| r["id"] == "SRC-8"))
        .cloned()
        .expect("SRC-8 row");
    assert_eq!(src8["status"], "fail", "{src8:#}");
}

/// `git daemon` serving the server's directory, stopped when dropped.
struct Daemon(std::process::Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_hook_guards_pushes_over_git_daemon() {
    let (s, _) = setup();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let base = s.server.parent().expect("parent").to_path_buf();
    let child = std::process::Command::new("git")
        .env("PATH", path_with_custody())
        .args([
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--enable=receive-pack",
            "--listen=127.0.0.1",
        ])
        .arg(format!("--port={port}"))
        .arg(format!("--base-path={}", base.display()))
        .arg(&base)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("git daemon starts");
    let _daemon = Daemon(child);
    let ready = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(ready, "git daemon listens on {port}");
    ok(s.git()
        .args(["remote", "set-url", "origin"])
        .arg(format!("git://127.0.0.1:{port}/server.git")));

    s.commit(true, &[("a.txt", "a")], "signed work");
    s.push(&["main"])
        .expect("signed history is accepted over git://");
    s.commit(false, &[("b.txt", "b")], "unsigned work");
    let refused = s
        .push(&["main"])
        .expect_err("unsigned is refused over git://");
    assert!(refused.contains("not signed"), "{refused}");
}
