//! The secrets gate of a push reads its settings from the receiving repository's HEAD.

use custody_check::git_secrets::{push_settings, scan_push_as_configured};
use custody_git::push::parse_updates;
use std::path::Path;
use std::process::Command;

// Made-up credentials in the formats the built-in rules know.
const AWS: &str = "AKIAQWB5PDKHX6PYGPAN";
const GITHUB: &str = "ghp_4Fq9ZkT2mLw8RbX1cVn7HyJ3sDp0GaEu5Qio";

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
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
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A commit on top of HEAD that no reference points at (what a push brings), holding
/// `files`; the index is left as it was.
fn pushed_commit(dir: &Path, files: &[(&str, &str)]) -> String {
    for (path, text) in files {
        write(dir, path, text);
        git(dir, &["add", path]);
    }
    let tree = git(dir, &["write-tree"]);
    let commit = git(dir, &["commit-tree", &tree, "-p", "HEAD", "-m", "pushed"]);
    git(dir, &["reset", "-q"]);
    for (path, _) in files {
        std::fs::remove_file(dir.join(path)).expect("remove");
    }
    commit
}

fn found_paths(dir: &Path, commit: &str) -> Vec<String> {
    let head = git(dir, &["rev-parse", "HEAD"]);
    let updates = parse_updates(&format!("{head} {commit} refs/heads/main\n")).expect("updates");
    let scan = scan_push_as_configured(dir, &updates).expect("scan");
    assert!(scan.report.errors.is_empty(), "{:?}", scan.report.errors);
    let mut paths: Vec<String> = scan
        .report
        .findings
        .iter()
        .map(|f| f.path.clone())
        .collect();
    paths.sort();
    paths
}

#[test]
fn allowed_paths_rules_and_baseline_come_from_head() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    let settings = push_settings(dir).expect("unborn HEAD");
    assert!(settings.commit.is_none());
    assert!(settings.allow_paths.is_empty() && settings.baseline.is_none());

    write(
        dir,
        "custody.toml",
        "[secrets]\nallow_paths = [\"fixtures/\"]\nrules = [\"./rules/acme.toml\"]\n",
    );
    write(
        dir,
        "rules/acme.toml",
        "[[rules]]\nid='acme-token'\ndescription='ACME token'\nregex='(acme_[a-z0-9]{16})'\nkeywords=['acme_']\n",
    );
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "settings"]);
    let settings = push_settings(dir).expect("settings");
    assert_eq!(settings.commit, Some(git(dir, &["rev-parse", "HEAD"])));
    assert!(settings.rules.iter().any(|r| r.id == "acme-token"));

    let pushed = pushed_commit(
        dir,
        &[
            ("fixtures/keys.txt", &format!("{AWS}\n")),
            ("deploy.py", &format!("TOKEN = \"{GITHUB}\"\n")),
            ("app.cfg", "key = acme_0123456789abcdef\n"),
        ],
    );
    assert_eq!(found_paths(dir, &pushed), ["app.cfg", "deploy.py"]);

    // A committed baseline accepts a finding by its fingerprint.
    let head = git(dir, &["rev-parse", "HEAD"]);
    let updates = parse_updates(&format!("{head} {pushed} refs/heads/main\n")).expect("updates");
    let scan = scan_push_as_configured(dir, &updates).expect("scan");
    let accepted: Vec<_> = scan
        .report
        .findings
        .iter()
        .filter(|f| f.path == "app.cfg")
        .cloned()
        .collect();
    let baseline = custody_secrets::baseline::Baseline::accepting(&accepted, "test key");
    write(
        dir,
        ".custody/secrets-baseline.json",
        &serde_json::to_string(&baseline).expect("json"),
    );
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "baseline"]);
    assert_eq!(found_paths(dir, &pushed), ["deploy.py"]);
}

#[test]
fn committed_settings_that_cannot_be_used_are_errors() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    for (config, expected) in [
        ("[secrets]\nallow_path = []\n", "allow_path"),
        (
            "[secrets]\nrules = [\"missing.toml\"]\n",
            "is not in the commit",
        ),
        (
            "[secrets]\nrules = [\"../outside.toml\"]\n",
            "inside the repository",
        ),
        (
            "[secrets]\nrules = [\"/etc/passwd\"]\n",
            "inside the repository",
        ),
    ] {
        write(dir, "custody.toml", config);
        git(dir, &["add", "."]);
        git(dir, &["commit", "-q", "--allow-empty", "-m", "settings"]);
        let error = push_settings(dir).expect_err(config).to_string();
        assert!(error.contains(expected), "{config}: {error}");
        assert!(error.contains("custody.toml at"), "{config}: {error}");
    }
    write(dir, "custody.toml", "[secrets]\n");
    write(dir, ".custody/secrets-baseline.json", "{\"entries\": 3}");
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "bad baseline"]);
    let error = push_settings(dir).expect_err("bad baseline").to_string();
    assert!(error.contains("secrets-baseline.json at"), "{error}");
}
