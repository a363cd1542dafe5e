//! History walks and the index against repositories built with the real `git`.

use custody_git::{HistorySpec, Repo};
use std::path::Path;
use std::process::Command;

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
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn write(dir: &Path, path: &str, content: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

/// main: c1 (a.txt, dir/b.txt) -> c2 (a.txt changed, dir/c.txt = copy of b) -> merge of
/// side (side.txt, from c1). Returns the ids of c1 and c2.
fn sample(dir: &Path) -> (String, String) {
    git(dir, &["init", "-q"]);
    write(dir, "a.txt", "one\n");
    write(dir, "dir/b.txt", "two\n");
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "c1"]);
    let c1 = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["checkout", "-q", "-b", "side"]);
    write(dir, "side.txt", "side\n");
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "side"]);
    git(dir, &["checkout", "-q", "main"]);
    write(dir, "a.txt", "one v2\n");
    write(dir, "dir/c.txt", "two\n");
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "c2"]);
    let c2 = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["merge", "-q", "--no-edit", "side"]);
    (c1, c2)
}

fn paths(history: &custody_git::History) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = history
        .blobs
        .iter()
        .map(|b| {
            (
                b.path.clone(),
                b.commit.as_ref().map(|c| c.id.clone()).unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_blob_once_with_the_commit_that_added_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let (c1, c2) = sample(dir);
    let side = git(dir, &["rev-parse", "side"]);
    let repo = Repo::discover(&dir.join("dir")).expect("found from a subdirectory");
    let all = repo.added_blobs(&HistorySpec::All).expect("walk");
    assert_eq!(all.commits, 4, "c1, side, c2 and the merge");
    // dir/c.txt has dir/b.txt's content: one blob, reported once, where it first came.
    let mut expected = vec![
        ("a.txt".to_owned(), c1.clone()),
        ("a.txt".to_owned(), c2.clone()),
        ("dir/b.txt".to_owned(), c1.clone()),
        ("side.txt".to_owned(), side.clone()),
    ];
    expected.sort();
    assert_eq!(paths(&all), expected);
    // Parents first: c1's blobs come before anything else.
    assert_eq!(
        all.blobs[0].commit.as_ref().map(|c| c.id.as_str()),
        Some(c1.as_str())
    );
    let info = all.blobs[0].commit.as_ref().expect("commit");
    assert_eq!(info.author, "Ada <ada@example.org>");
    assert_eq!(info.time, 1_767_225_600);

    let reader = repo.reader().expect("reader");
    let a_v2 = all
        .blobs
        .iter()
        .find(|b| b.commit.as_ref().is_some_and(|c| c.id == c2))
        .expect("c2's blob");
    assert_eq!(reader.read(&a_v2.id).expect("blob"), b"one v2\n");
    assert!(reader.read(&c2).is_err(), "a commit is not a blob");
    assert!(reader.read("zz").is_err());
}

#[test]
fn since_and_ranges_leave_out_older_history() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let (c1, c2) = sample(dir);
    let side = git(dir, &["rev-parse", "side"]);
    let repo = Repo::discover(dir).expect("repo");
    let since = repo
        .added_blobs(&HistorySpec::Since(c1.clone()))
        .expect("walk");
    // The copy of dir/b.txt is new at its path and b's commit is outside the range: it
    // is reported (a scanner cannot know the older content was looked at).
    assert_eq!(
        paths(&since),
        [
            ("a.txt".to_owned(), c2.clone()),
            ("dir/c.txt".to_owned(), c2.clone()),
            ("side.txt".to_owned(), side)
        ]
    );
    let range = repo
        .added_blobs(&HistorySpec::Since(format!("{c1}..{c2}")))
        .expect("walk");
    assert_eq!(
        paths(&range),
        [
            ("a.txt".to_owned(), c2.clone()),
            ("dir/c.txt".to_owned(), c2.clone())
        ]
    );
    let open_range = repo
        .added_blobs(&HistorySpec::Since(format!("{c2}..")))
        .expect("walk");
    assert_eq!(open_range.commits, 2, "side and the merge");
    let pushed = repo
        .added_blobs(&HistorySpec::Between {
            tips: vec![c2.clone()],
            hidden: vec![c1],
        })
        .expect("walk");
    assert_eq!(paths(&pushed), paths(&range));
    let err = repo
        .added_blobs(&HistorySpec::Since("no-such-branch".to_owned()))
        .expect_err("unknown revision");
    assert!(err.to_string().contains("no-such-branch"), "{err}");
}

#[test]
fn staged_blobs_are_what_differs_from_head() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    write(dir, "new.txt", "first\n");
    let repo = Repo::discover(dir).expect("repo");
    assert!(repo.staged_blobs().expect("empty index").is_empty());
    git(dir, &["add", "."]);
    let staged = repo.staged_blobs().expect("index");
    assert_eq!(staged.len(), 1, "unborn branch: everything staged is new");
    git(dir, &["commit", "-q", "-m", "one"]);
    assert!(repo.staged_blobs().expect("index").is_empty());
    write(dir, "new.txt", "changed\n");
    write(dir, "sub/added.txt", "added\n");
    write(dir, "unstaged.txt", "not added\n");
    git(dir, &["add", "new.txt", "sub/added.txt"]);
    let mut staged: Vec<String> = repo
        .staged_blobs()
        .expect("index")
        .into_iter()
        .map(|b| {
            assert!(b.commit.is_none());
            b.path
        })
        .collect();
    staged.sort();
    assert_eq!(staged, ["new.txt", "sub/added.txt"]);
}

#[test]
fn not_a_repository_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let err = Repo::discover(tmp.path()).expect_err("no repository");
    assert!(err.to_string().contains("not a git repository"), "{err}");
}

#[test]
fn broken_objects_are_reported_and_the_rest_is_still_walked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    write(dir, "keep/a.txt", "kept\n");
    write(dir, "lost/b.txt", "lost\n");
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "one"]);
    write(dir, "later.txt", "later\n");
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "two"]);
    // Delete the loose object of the tree `lost/`.
    let lost = git(dir, &["rev-parse", "HEAD:lost"]);
    let object = dir.join(".git/objects").join(&lost[..2]).join(&lost[2..]);
    std::fs::remove_file(&object).expect("a loose tree object");
    let history = Repo::discover(dir)
        .expect("repo")
        .added_blobs(&HistorySpec::All)
        .expect("the walk goes on");
    let mut paths: Vec<&str> = history.blobs.iter().map(|b| b.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(paths, ["keep/a.txt", "later.txt"]);
    assert_eq!(history.errors.len(), 1, "{:?}", history.errors);
    assert!(
        history.errors[0].contains("tree lost") && history.errors[0].contains(&lost),
        "{:?}",
        history.errors
    );
}

#[test]
fn large_blobs_are_refused_before_they_are_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    write(dir, "big.txt", &"x".repeat(10_000));
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "big"]);
    let repo = Repo::discover(dir).expect("repo");
    let history = repo.added_blobs(&HistorySpec::All).expect("walk");
    let reader = repo.reader().expect("reader");
    let id = &history.blobs[0].id;
    assert_eq!(reader.read_limited(id, 9_999).expect("header"), None);
    assert_eq!(
        reader
            .read_limited(id, 10_000)
            .expect("blob")
            .map(|b| b.len()),
        Some(10_000)
    );
}
