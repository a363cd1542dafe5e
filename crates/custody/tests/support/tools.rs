//! Running the real tools (git, ssh-keygen, gpg) in the source tests.
// Each test file uses part of these.
#![allow(dead_code)]

use std::process::{Command, Output};

/// Run a command and return what it did, success or not.
pub fn output(cmd: &mut Command) -> Output {
    cmd.output().expect("tool runs (installed by scripts/test)")
}

/// Run a command that must succeed; its standard output, trimmed.
pub fn ok(cmd: &mut Command) -> String {
    let out = output(cmd);
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// `PATH` with the custody under test first: git hooks run `custody` from `PATH`.
pub fn path_with_custody() -> String {
    let bin = assert_cmd::cargo::cargo_bin("custody");
    format!(
        "{}:{}",
        bin.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Stage everything and commit (signed with `-S`, or not) through `git`, which makes a
/// git command with the committer's identity; returns the new commit's id.
pub fn commit_all(git: impl Fn() -> Command, signed: bool, message: &str) -> String {
    ok(git().args(["add", "-A"]));
    let mut c = git();
    c.args(["commit", "-q", "--allow-empty", "-m", message]);
    if signed {
        c.arg("-S");
    }
    ok(&mut c);
    ok(git().args(["rev-parse", "HEAD"]))
}
