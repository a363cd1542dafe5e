//! The `custody-secrets` hook of `.pre-commit-hooks.yaml` driven by the real pre-commit
//! framework (PyPI `pre-commit`): installed from a hook repository, it passes a clean
//! commit and refuses one that adds a credential.
//!
//! Needs `CUSTODY_INTEROP_PYTHON` (a Python whose environment has `pre-commit`);
//! `scripts/test` sets it up.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pre_commit() -> PathBuf {
    let python = std::env::var_os("CUSTODY_INTEROP_PYTHON")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| {
            panic!("CUSTODY_INTEROP_PYTHON is not set: run scripts/test, which installs pre-commit and sets it")
        });
    PathBuf::from(python)
        .parent()
        .expect("the venv's bin directory")
        .join("pre-commit")
}

fn run(dir: &Path, program: &Path, args: &[&str], home: &Path) -> Output {
    let custody_dir = assert_cmd::cargo::cargo_bin("custody")
        .parent()
        .expect("target directory")
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(custody_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home)
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@example.org")
        .output()
        .expect("runs")
}

fn git(dir: &Path, args: &[&str], home: &Path) -> Output {
    let mut all = vec![
        "-c",
        "init.defaultBranch=main",
        "-c",
        "commit.gpgsign=false",
    ];
    all.extend_from_slice(args);
    run(dir, Path::new("git"), &all, home)
}

fn ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
#[ignore = "interop: needs the pre-commit framework; run scripts/test"]
fn the_pre_commit_framework_runs_the_custody_secrets_hook() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = tmp.path().join("pre-commit-home");
    // A hook repository with this repository's manifest.
    let hooks = tmp.path().join("hooks");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .expect("manifest");
    ok(&git(&hooks, &["init", "-q"], &home), "git init");
    ok(&git(&hooks, &["add", "."], &home), "git add");
    ok(
        &git(&hooks, &["commit", "-q", "-m", "hooks"], &home),
        "git commit",
    );
    let rev = ok(&git(&hooks, &["rev-parse", "HEAD"], &home), "rev-parse");
    // A project using it.
    let project = tmp.path().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    ok(&git(&project, &["init", "-q"], &home), "git init");
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: custody-secrets\n",
            hooks.display()
        ),
    )
    .expect("config");
    let pre_commit = pre_commit();
    ok(
        &run(&project, &pre_commit, &["install"], &home),
        "pre-commit install",
    );
    std::fs::write(project.join("app.py"), "print('hello')\n").expect("write");
    ok(&git(&project, &["add", "."], &home), "git add");
    ok(
        &git(&project, &["commit", "-q", "-m", "clean"], &home),
        "a clean commit",
    );
    // custody check counts the framework's hook as the commit gate of SRC-3.
    let check = run(
        &project,
        &assert_cmd::cargo::cargo_bin("custody"),
        &["check", "--format", "json"],
        &home,
    );
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
    let src3 = report["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["id"] == "SRC-3")
        .expect("SRC-3");
    assert_eq!(src3["status"], "pass", "{src3}");
    let secret = "ghp_4Fq9ZkT2mLw8RbX1cVn7HyJ3sDp0GaEu5Qio";
    std::fs::write(project.join("app.py"), format!("TOKEN = \"{secret}\"\n")).expect("write");
    ok(&git(&project, &["add", "app.py"], &home), "git add");
    let refused = git(&project, &["commit", "-q", "-m", "leak"], &home);
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&refused.stdout),
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(
        !refused.status.success(),
        "the commit went through: {shown}"
    );
    assert!(shown.contains("custody secret scan"), "{shown}");
    assert!(shown.contains("app.py:1"), "{shown}");
    assert!(!shown.contains(secret), "{shown}");
    // `pre-commit run` (what CI systems call) agrees.
    let run_all = run(&project, &pre_commit, &["run"], &home);
    assert_eq!(run_all.status.code(), Some(1));
}
