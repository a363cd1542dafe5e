//! Four-eyes approvals (SRC-7) end to end: `custody source approve` signs with the real
//! ssh-keygen, `custody source verify` and the pre-receive hook count them.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

#[path = "support/tools.rs"]
mod tools;
use tools::{ok, output, path_with_custody};

struct Person {
    name: &'static str,
    email: &'static str,
    key: PathBuf,
}

fn person(dir: &Path, name: &'static str, email: &'static str) -> Person {
    let key = dir.join(name);
    ok(std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key));
    Person { name, email, key }
}

/// A policy: `header`, each person with their SSH key and role, then `rules`.
fn policy_text(header: &str, people: &[(&Person, &str)], rules: &str) -> String {
    let mut text = header.to_owned();
    for (p, role) in people {
        let key = std::fs::read_to_string(p.key.with_extension("pub")).expect("pub");
        text.push_str(&format!(
            "[[people]]\nname = \"{}\"\nemail = \"{}\"\nrole = \"{role}\"\nkeys = [{{ ssh = \"{}\" }}]\n",
            p.name,
            p.email,
            key.trim()
        ));
    }
    text + rules
}

fn git(work: &Path, p: &Person) -> std::process::Command {
    let mut c = std::process::Command::new("git");
    c.current_dir(work)
        .env("GIT_AUTHOR_NAME", p.name)
        .env("GIT_AUTHOR_EMAIL", p.email)
        .env("GIT_COMMITTER_NAME", p.name)
        .env("GIT_COMMITTER_EMAIL", p.email)
        .env("PATH", path_with_custody())
        .args(["-c", "gpg.format=ssh", "-c"])
        .arg(format!("user.signingkey={}", p.key.display()))
        .args(["-c"])
        .arg(format!("user.name={}", p.name));
    c
}

/// A new repository `dir/work` whose first commit, signed by `owner`, holds `files` (the
/// policy and the like); returns the work tree and that commit (the trust root).
fn start_repo(dir: &Path, owner: &Person, files: &[(&str, &str)]) -> (PathBuf, String) {
    let work = dir.join("work");
    ok(std::process::Command::new("git")
        .args(["init", "-q", "-b", "main"])
        .arg(&work));
    for (path, text) in files {
        let path = work.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    ok(git(&work, owner).args(["add", "-A"]));
    ok(git(&work, owner).args(["commit", "-q", "-S", "-m", "policy"]));
    let root = ok(git(&work, owner).args(["rev-parse", "HEAD"]));
    (work, root)
}

/// `p` merges the branch `feature` into `main`, signed, with a merge commit.
fn merge_feature(work: &Path, p: &Person) {
    ok(git(work, p).args(["checkout", "-q", "main"]));
    ok(git(work, p).args([
        "merge",
        "-q",
        "--no-ff",
        "-S",
        "-m",
        "merge feature",
        "feature",
    ]));
}

fn approve(work: &Path, p: &Person, rev: &str) {
    Command::cargo_bin("custody")
        .expect("binary")
        .current_dir(work)
        .env("GIT_CONFIG_COUNT", "2")
        .env("GIT_CONFIG_KEY_0", "gpg.format")
        .env("GIT_CONFIG_VALUE_0", "ssh")
        .env("GIT_CONFIG_KEY_1", "user.signingkey")
        .env("GIT_CONFIG_VALUE_1", p.key.display().to_string())
        .args(["source", "approve", rev, "--reviewer", p.name])
        .assert()
        .success();
}

fn src7(work: &Path) -> serde_json::Value {
    row(work, "SRC-7")
}

fn row(work: &Path, id: &str) -> serde_json::Value {
    let o = Command::cargo_bin("custody")
        .expect("binary")
        .args(["check", "--format", "json"])
        .arg(work)
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    v["controls"]
        .as_array()
        .and_then(|c| c.iter().find(|r| r["id"] == id))
        .cloned()
        .expect("row")
}

fn verify(work: &Path, root: &str) -> (Option<i32>, serde_json::Value) {
    let o = Command::cargo_bin("custody")
        .expect("binary")
        .args(["source", "verify", "--format", "json", "--trust-root", root])
        .arg(work)
        .output()
        .expect("runs");
    (
        o.status.code(),
        serde_json::from_slice(&o.stdout).expect("json"),
    )
}

#[test]
fn merges_into_a_protected_branch_need_two_independent_approvals() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let alice = person(dir, "alice", "alice@example.org");
    let bob = person(dir, "bob", "bob@example.org");
    let carol = person(dir, "carol", "carol@example.org");
    let dave = person(dir, "dave", "dave@example.org");
    let server = dir.join("server.git");
    ok(std::process::Command::new("git")
        .args(["init", "-q", "--bare", "-b", "main"])
        .arg(&server));
    let policy = policy_text(
        "version = 1\n",
        &[
            (&alice, "owner"),
            (&bob, "maintainer"),
            (&carol, "developer"),
            (&dave, "approver"),
        ],
        "[[rules]]\nrefs = [\"refs/heads/main\"]\nwriters = [\"owner\", \"maintainer\"]\napprovals = 2\nwrite_approval = true\n[[rules]]\nrefs = [\"**\"]\n",
    );
    let (work, root) = start_repo(dir, &alice, &[(".custody/policy.toml", &policy)]);
    ok(git(&work, &alice)
        .args(["remote", "add", "origin"])
        .arg(format!("file://{}", server.display())));
    Command::cargo_bin("custody")
        .expect("binary")
        .args(["source", "hook", "install", "--trust-root", &root, "--repo"])
        .arg(&server)
        .assert()
        .success();
    ok(git(&work, &alice).args(["push", "-q", "origin", "main"]));

    // Carol works on a branch; she approves her own work (never counts), Bob approves.
    ok(git(&work, &carol).args(["checkout", "-q", "-b", "feature"]));
    std::fs::write(work.join("feature.txt"), "feature").expect("write");
    ok(git(&work, &carol).args(["add", "-A"]));
    ok(git(&work, &carol).args(["commit", "-q", "-S", "-m", "carol's feature"]));
    approve(&work, &carol, "feature");
    approve(&work, &bob, "feature");
    merge_feature(&work, &alice);

    let (code, report) = verify(&work, &root);
    assert_eq!(code, Some(1), "{report:#}");
    let merge = report["commits"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["summary"] == "merge feature"))
        .cloned()
        .expect("merge commit");
    let why = merge["violations"].to_string();
    assert!(
        why.contains("1 independent approval(s), 2 required (by bob)"),
        "{why}"
    );
    assert!(why.contains("carol approved their own change"), "{why}");

    assert_eq!(src7(&work)["status"], "fail");

    // The server refuses the merge with approvals pushed along.
    let refused = output(git(&work, &alice).args([
        "push",
        "origin",
        "main",
        "feature",
        "refs/custody/attestations",
    ]));
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not approved"));

    // Dave's approval makes two independent ones, one (Bob's) with write access.
    approve(&work, &dave, "feature");
    let (code, report) = verify(&work, &root);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(src7(&work)["status"], "pass");
    ok(git(&work, &alice).args([
        "push",
        "-q",
        "origin",
        "main",
        "feature",
        "refs/custody/attestations",
    ]));
}

#[test]
fn changed_paths_need_an_approval_from_their_code_owners() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let alice = person(dir, "alice", "alice@example.org");
    let bob = person(dir, "bob", "bob@example.org");
    let carol = person(dir, "carol", "carol@example.org");
    let dave = person(dir, "dave", "dave@example.org");
    let policy = policy_text(
        "version = 1\n",
        &[
            (&alice, "owner"),
            (&bob, "maintainer"),
            (&carol, "developer"),
            (&dave, "approver"),
        ],
        "[[rules]]\nrefs = [\"refs/heads/main\"]\napprovals = 1\ncodeowners = true\n",
    );
    let (work, root) = start_repo(
        dir,
        &alice,
        &[
            (".custody/policy.toml", &policy),
            (".github/CODEOWNERS", "* @bob\n/src/ dave@example.org\n"),
        ],
    );

    ok(git(&work, &carol).args(["checkout", "-q", "-b", "feature"]));
    std::fs::create_dir_all(work.join("src")).expect("mkdir");
    std::fs::write(work.join("src/lib.rs"), "fn main() {}\n").expect("write");
    ok(git(&work, &carol).args(["add", "-A"]));
    ok(git(&work, &carol).args(["commit", "-q", "-S", "-m", "carol changes src"]));
    approve(&work, &bob, "feature");
    merge_feature(&work, &alice);
    let (code, report) = verify(&work, &root);
    assert_eq!(code, Some(1), "{report:#}");
    let why = report["commits"].to_string();
    assert!(
        why.contains("src/lib.rs (owners dave@example.org)"),
        "{why}"
    );
    assert_eq!(row(&work, "SRC-4")["status"], "fail");

    approve(&work, &dave, "feature");
    let (code, report) = verify(&work, &root);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(
        row(&work, "SRC-4")["status"],
        "pass",
        "{:#}",
        row(&work, "SRC-4")
    );

    // The validator: valid as committed; an owner the policy does not know is an error.
    Command::cargo_bin("custody")
        .expect("binary")
        .args(["source", "codeowners"])
        .arg(&work)
        .assert()
        .success();
    std::fs::write(
        work.join(".github/CODEOWNERS"),
        "* @bob\n/src/ @mallory\n!x @bob\n",
    )
    .expect("write");
    let o = Command::cargo_bin("custody")
        .expect("binary")
        .args(["source", "codeowners", "--format", "json"])
        .arg(&work)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["unknown_owners"][0]["owner"], "@mallory");
    assert_eq!(v["errors"][0]["line"], 3);
}

#[test]
fn a_policy_change_needs_the_owners_threshold_of_the_old_policy() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let alice = person(dir, "alice", "alice@example.org");
    let erin = person(dir, "erin", "erin@example.org");
    let bob = person(dir, "bob", "bob@example.org");
    let policy = |people: &[(&Person, &str)]| {
        policy_text(
            "version = 1
owners_threshold = 2
",
            people,
            "[[rules]]
refs = [\"**\"]
",
        )
    };
    let (work, root) = start_repo(
        dir,
        &alice,
        &[(
            ".custody/policy.toml",
            &policy(&[(&alice, "owner"), (&erin, "owner")]),
        )],
    );

    // Alice alone adds Bob: one Owner of two.
    std::fs::write(
        work.join(".custody/policy.toml"),
        policy(&[(&alice, "owner"), (&erin, "owner"), (&bob, "developer")]),
    )
    .expect("write");
    ok(git(&work, &alice).args(["add", "-A"]));
    ok(git(&work, &alice).args(["commit", "-q", "-S", "-m", "add bob"]));
    let (code, report) = verify(&work, &root);
    assert_eq!(code, Some(1));
    assert!(
        report["commits"]
            .to_string()
            .contains("1 Owner(s) signed or approved it (alice), the policy in force needs 2"),
        "{report:#}"
    );

    // Erin approves the change: two Owners, the policy takes effect.
    approve(&work, &erin, "HEAD");
    let (code, report) = verify(&work, &root);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["commits"][0]["changes_policy"], true);
}

#[test]
fn required_attestations_must_be_there_and_signed_by_people_of_the_policy() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let alice = person(dir, "alice", "alice@example.org");
    let ci = person(dir, "ci", "ci@example.org");
    let guest = person(dir, "guest", "guest@example.org");
    let policy = policy_text(
        "version = 1\n",
        &[(&alice, "owner"), (&ci, "developer"), (&guest, "guest")],
        "[[rules]]\nrefs = [\"refs/heads/main\"]\nattestations = [\"https://custody.dev/secrets-scan/v1\"]\n",
    );
    let (work, root) = start_repo(dir, &alice, &[(".custody/policy.toml", &policy)]);
    ok(git(&work, &alice).args(["commit", "-q", "-S", "--allow-empty", "-m", "work"]));

    let (code, report) = verify(&work, &root);
    assert_eq!(code, Some(1));
    assert!(
        report["commits"]
            .to_string()
            .contains("no valid attestation of type https://custody.dev/secrets-scan/v1"),
        "{report:#}"
    );
    let attest = |p: &Person| {
        std::fs::write(dir.join("scan.json"), "{\"findings\": 0}").expect("write");
        Command::cargo_bin("custody")
            .expect("binary")
            .current_dir(&work)
            .args([
                "source",
                "attest",
                "HEAD",
                "--type",
                "https://custody.dev/secrets-scan/v1",
                "--predicate",
            ])
            .arg(dir.join("scan.json"))
            .arg("--ssh-key")
            .arg(&p.key)
            .assert()
            .success();
    };
    attest(&guest);
    let (code, report) = verify(&work, &root);
    assert_eq!(code, Some(1));
    assert!(
        report["commits"].to_string().contains("a guest"),
        "{report:#}"
    );
    attest(&ci);
    let (code, report) = verify(&work, &root);
    assert_eq!(code, Some(0), "{report:#}");
}

/// A series fast-forwarded onto a protected ref needs every commit approved;
/// `approve A..B` approves each of them, and an empty range is an input error.
#[test]
fn a_range_approves_every_commit_of_a_series() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let alice = person(dir, "alice", "alice@example.org");
    let bob = person(dir, "bob", "bob@example.org");
    let carol = person(dir, "carol", "carol@example.org");
    let policy = policy_text(
        "version = 1\n",
        &[
            (&alice, "owner"),
            (&bob, "maintainer"),
            (&carol, "developer"),
        ],
        "[[rules]]\nrefs = [\"refs/heads/main\"]\nwriters = [\"owner\", \"maintainer\", \"developer\"]\napprovals = 1\n",
    );
    let (work, root) = start_repo(dir, &alice, &[(".custody/policy.toml", &policy)]);
    for i in 0..3 {
        std::fs::write(work.join(format!("{i}.txt")), "work").expect("write");
        ok(git(&work, &carol).args(["add", "-A"]));
        ok(git(&work, &carol).args(["commit", "-q", "-S", "-m", &format!("step {i}")]));
    }
    let (code, report) = verify(&work, &root);
    assert_eq!(code, Some(1), "{report:#}");
    let short = report["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .filter(|c| {
            c["violations"]
                .to_string()
                .contains("0 independent approval(s), 1 required")
        })
        .count();
    assert_eq!(short, 3, "{report:#}");

    Command::cargo_bin("custody")
        .expect("binary")
        .current_dir(&work)
        .args(["source", "approve", "main..main", "--ssh-key"])
        .arg(&bob.key)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("names no commits"));
    let out = Command::cargo_bin("custody")
        .expect("binary")
        .current_dir(&work)
        .args(["source", "approve", &format!("{root}..main"), "--ssh-key"])
        .arg(&bob.key)
        .output()
        .expect("runs");
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        said.matches("Recorded the approval of").count(),
        3,
        "{said}"
    );
    let (code, report) = verify(&work, &root);
    assert_eq!(code, Some(0), "{report:#}");
}
