//! `verify_source` on repositories built with the real git, commits signed by the real
//! `ssh-keygen` and `gpg`: what passes, and each way a history breaks the policy.

use custody_git::Repo;
use custody_git::policy::{InitialKey, initial_policy};
use custody_git::verify::{SourceReport, VerifyOptions, Violation};
use std::path::{Path, PathBuf};
use std::process::Command;

struct Person {
    name: &'static str,
    email: &'static str,
    /// git config arguments that make `commit -S` sign with this person's key.
    signing: Vec<String>,
    /// The line or certificate the policy lists.
    public: String,
}

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    gnupg: PathBuf,
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("tool runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

impl Fixture {
    fn new() -> Self {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("repo");
        let gnupg = tmp.path().join("gnupg");
        std::fs::create_dir_all(&gnupg).expect("mkdir");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&gnupg, std::fs::Permissions::from_mode(0o700))
                .expect("chmod");
        }
        let f = Self {
            _tmp: tmp,
            dir,
            gnupg,
        };
        run(Command::new("git")
            .args(["init", "-q", "-b", "main"])
            .arg(&f.dir));
        f
    }

    fn ssh_person(&self, name: &'static str, email: &'static str) -> Person {
        let key = self
            .dir
            .parent()
            .expect("parent")
            .join(format!("{name}.key"));
        run(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", email, "-f"])
            .arg(&key));
        let public = std::fs::read_to_string(key.with_extension("key.pub")).expect("pub");
        Person {
            name,
            email,
            signing: vec![
                "gpg.format=ssh".into(),
                format!("user.signingkey={}", key.display()),
            ],
            public: public.trim().to_owned(),
        }
    }

    fn gpg(&self) -> Command {
        let mut c = Command::new("gpg");
        c.env("GNUPGHOME", &self.gnupg).args([
            "--batch",
            "--quiet",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
        ]);
        c
    }

    fn gpg_person(&self, name: &'static str, email: &'static str) -> Person {
        let uid = format!("{name} <{email}>");
        run(self
            .gpg()
            .args(["--quick-gen-key", &uid, "ed25519", "sign", "0"]));
        let listing = run(self.gpg().args(["--with-colons", "--list-keys", email]));
        let fpr = listing
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .map(|l| l.trim_matches(':').to_owned())
            .expect("fingerprint");
        let public = run(self.gpg().args(["--armor", "--export", &fpr]));
        Person {
            name,
            email,
            signing: vec![
                "gpg.format=openpgp".into(),
                format!("user.signingkey={fpr}"),
            ],
            public,
        }
    }

    fn git(&self, by: &Person) -> Command {
        let mut c = Command::new("git");
        c.current_dir(&self.dir)
            .env("GNUPGHOME", &self.gnupg)
            .env("GIT_AUTHOR_NAME", by.name)
            .env("GIT_AUTHOR_EMAIL", by.email)
            .env("GIT_COMMITTER_NAME", by.name)
            .env("GIT_COMMITTER_EMAIL", by.email)
            .args(["-c", "commit.gpgsign=false"]);
        for s in &by.signing {
            c.args(["-c", s]);
        }
        c
    }

    /// Write files and commit them, signed or not; returns the commit id.
    fn commit(&self, by: &Person, signed: bool, files: &[(&str, &str)], message: &str) -> String {
        for (path, content) in files {
            let path = self.dir.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, content).expect("write");
        }
        run(self.git(by).args(["add", "-A"]));
        let mut cmd = self.git(by);
        cmd.args(["commit", "-q", "--allow-empty", "-m", message]);
        if signed {
            cmd.arg("-S");
        }
        run(&mut cmd);
        run(self.git(by).args(["rev-parse", "HEAD"]))
    }

    /// `by` merges `branch` into main, signed, with a merge commit.
    fn merge_into_main(&self, by: &Person, branch: &str) {
        run(self.git(by).args(["checkout", "-q", "main"]));
        let message = format!("merge {branch}");
        run(self
            .git(by)
            .args(["merge", "-q", "--no-ff", "-S", "-m", &message, branch]));
    }

    fn verify(&self, options: &VerifyOptions) -> SourceReport {
        Repo::discover(&self.dir)
            .expect("repo")
            .verify_source(options)
            .expect("verify")
    }
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

fn violations(report: &SourceReport, summary: &str) -> Vec<Violation> {
    report
        .commits
        .iter()
        .find(|c| c.summary == summary)
        .unwrap_or_else(|| panic!("no commit {summary:?} in {report:#?}"))
        .violations
        .clone()
}

fn policy_with(people: &[(&Person, &str, &str)]) -> String {
    let mut text = String::from("version = 1\n");
    for (p, role, extra) in people {
        let key = if p.public.starts_with("-----BEGIN PGP") {
            format!("openpgp = \"\"\"\n{}\n\"\"\"", p.public)
        } else {
            format!("ssh = {:?}", p.public)
        };
        text.push_str(&format!(
            "[[people]]\nname = {:?}\nemail = {:?}\nrole = {role:?}\nkeys = [{{ {key}{extra} }}]\n",
            p.name, p.email
        ));
    }
    text.push_str(
        "[[rules]]\nrefs = [\"refs/heads/main\"]\nwriters = [\"owner\", \"maintainer\"]\n",
    );
    text.push_str("[[rules]]\nrefs = [\"**\"]\n");
    text
}

#[test]
fn a_signed_history_verifies_and_each_violation_is_named() {
    let f = Fixture::new();
    let alice = f.ssh_person("alice", "alice@example.org");
    let bob = f.ssh_person("bob", "bob@example.org");
    let policy = initial_policy(alice.name, alice.email, InitialKey::Ssh(&alice.public));
    let root = f.commit(&alice, true, &[(".custody/policy.toml", &policy)], "policy");
    f.commit(&alice, true, &[("a.txt", "a")], "signed by alice");
    let report = f.verify(&VerifyOptions::default());
    assert_eq!(report.reference, "refs/heads/main");
    assert_eq!(report.trust_root, root);
    assert!(!report.trust_root_pinned);
    assert_eq!(report.violations(), 0, "{report:#?}");
    assert_eq!(
        report.commits.len(),
        1,
        "the trust root itself is not judged"
    );
    assert_eq!(
        report.commits[0].signer.as_ref().map(|(n, _)| n.as_str()),
        Some("alice")
    );

    f.commit(&alice, false, &[("b.txt", "b")], "unsigned");
    f.commit(&bob, true, &[("c.txt", "c")], "signed by bob");
    // Alice's key, with bob as committer.
    let mut mixed = Person {
        name: "bob",
        email: "bob@example.org",
        signing: alice.signing.clone(),
        public: String::new(),
    };
    f.commit(&mixed, true, &[("d.txt", "d")], "alice's key, bob's name");
    let report = f.verify(&VerifyOptions::default());
    assert_eq!(violations(&report, "unsigned"), [Violation::Unsigned]);
    assert!(matches!(
        violations(&report, "signed by bob").as_slice(),
        [Violation::UnknownKey(k)] if k.starts_with("SHA256:")
    ));
    assert!(matches!(
        violations(&report, "alice's key, bob's name").as_slice(),
        [Violation::CommitterMismatch { person, .. }] if person == "alice"
    ));
    assert_eq!(report.violations(), 3);

    // Bob adds himself: not an Owner of the policy in force, so it does not take effect,
    // and his next commit is still by an unknown key.
    let with_bob = policy_with(&[(&alice, "owner", ""), (&bob, "developer", "")]);
    f.commit(
        &bob,
        true,
        &[(".custody/policy.toml", &with_bob)],
        "bob adds himself",
    );
    f.commit(&bob, true, &[("e.txt", "e")], "bob after adding himself");
    let report = f.verify(&VerifyOptions::default());
    assert!(
        violations(&report, "bob adds himself")
            .iter()
            .any(|v| matches!(v, Violation::PolicyChangeNotAuthorised(_)))
    );
    assert!(matches!(
        violations(&report, "bob after adding himself").as_slice(),
        [Violation::UnknownKey(_)]
    ));

    // Alice adds him: from then on his commits verify, but main is for owners and
    // maintainers only.
    mixed.signing.clear();
    f.commit(
        &alice,
        true,
        &[(".custody/policy.toml", &with_bob)],
        "alice adds bob",
    );
    f.commit(&bob, true, &[("f.txt", "f")], "bob on main");
    let report = f.verify(&VerifyOptions::default());
    assert!(violations(&report, "alice adds bob").is_empty());
    assert!(matches!(
        violations(&report, "bob on main").as_slice(),
        [Violation::NotAuthorised { person, role, .. }] if person == "bob" && role == "developer"
    ));

    // Pinning the trust root at a later commit judges only what follows it; a range
    // reports only its commits.
    let head = f.commit(&alice, true, &[("g.txt", "g")], "last");
    let pinned = f.verify(&VerifyOptions {
        trust_root: Some(head.clone()),
        ..VerifyOptions::default()
    });
    assert!(pinned.trust_root_pinned);
    assert!(pinned.commits.is_empty());
    let range = f.verify(&VerifyOptions {
        range: Some(format!("{head}~1..{head}")),
        ..VerifyOptions::default()
    });
    assert_eq!(range.commits.len(), 1);
    assert!(range.commits[0].violations.is_empty());
    let _ = path(&f.dir);
}

#[test]
fn key_validity_periods_and_max_age_use_the_commit_time() {
    let f = Fixture::new();
    let alice = f.ssh_person("alice", "alice@example.org");
    let policy = policy_with(&[(
        &alice,
        "owner",
        ", valid_from = \"2020-01-01\", valid_until = \"2030-01-01\"",
    )])
    .replace("version = 1\n", "version = 1\nmax_key_age = \"3650d\"\n");
    f.commit(&alice, true, &[(".custody/policy.toml", &policy)], "policy");
    let dated = |date: &str, summary: &str| {
        let mut cmd = f.git(&alice);
        cmd.env("GIT_COMMITTER_DATE", date).args([
            "commit",
            "-q",
            "-S",
            "--allow-empty",
            "-m",
            summary,
        ]);
        run(&mut cmd);
    };
    dated("2026-06-01T00:00:00Z", "in the period");
    dated("2019-06-01T00:00:00Z", "before the period");
    dated("2031-06-01T00:00:00Z", "after the period");
    let report = f.verify(&VerifyOptions::default());
    assert!(violations(&report, "in the period").is_empty());
    for summary in ["before the period", "after the period"] {
        assert!(
            matches!(
                violations(&report, summary).as_slice(),
                [Violation::KeyNotValid(_)]
            ),
            "{summary}: {report:#?}"
        );
    }
}

#[test]
fn openpgp_signed_commits_and_merges_verify() {
    let f = Fixture::new();
    let carol = f.gpg_person("carol", "carol@example.org");
    let dave = f.ssh_person("dave", "dave@example.org");
    let policy = policy_with(&[(&carol, "owner", ""), (&dave, "developer", "")]);
    f.commit(&carol, true, &[(".custody/policy.toml", &policy)], "policy");
    f.commit(&carol, true, &[("a", "a")], "carol signs with gpg");
    // Dave works on a branch; carol merges it into main with a signed merge.
    run(f.git(&dave).args(["checkout", "-q", "-b", "feature"]));
    f.commit(&dave, true, &[("b", "b")], "dave on a branch");
    f.merge_into_main(&carol, "feature");
    let report = f.verify(&VerifyOptions::default());
    assert_eq!(report.violations(), 0, "{report:#?}");
    let merged = report
        .commits
        .iter()
        .find(|c| c.summary == "dave on a branch")
        .expect("merged commit is verified");
    assert!(!merged.on_ref);
    let gpg = report
        .commits
        .iter()
        .find(|c| c.summary == "carol signs with gpg")
        .expect("commit");
    assert!(gpg.signer.as_ref().is_some_and(|(n, _)| n == "carol"));

    // An unsigned commit merged in is a violation even though the merge is signed.
    run(f.git(&dave).args(["checkout", "-q", "-b", "feature2"]));
    f.commit(&dave, false, &[("c", "c")], "dave unsigned on a branch");
    f.merge_into_main(&carol, "feature2");
    let report = f.verify(&VerifyOptions::default());
    assert_eq!(
        violations(&report, "dave unsigned on a branch"),
        [Violation::Unsigned]
    );
    assert!(violations(&report, "merge feature2").is_empty());

    // git's own verdict agrees on the signed ones.
    let status = Command::new("git")
        .current_dir(&f.dir)
        .env("GNUPGHOME", &f.gnupg)
        .args(["verify-commit", "HEAD"])
        .output()
        .expect("git");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn a_revoked_openpgp_key_signs_nothing() {
    let f = Fixture::new();
    let alice = f.ssh_person("alice", "alice@example.org");
    let mut carol = f.gpg_person("carol", "carol@example.org");
    let fpr = carol
        .signing
        .iter()
        .find_map(|s| s.strip_prefix("user.signingkey="))
        .expect("fingerprint")
        .to_owned();
    // The policy lists Carol's certificate with gpg's own revocation certificate applied
    // (reason "none given": a hard revocation). It is made in a copy of the keyring, so
    // that Carol's gpg still signs, as a thief's copy of the key would.
    let copy = f.gnupg.with_extension("revoked");
    run(Command::new("cp").arg("-a").arg(&f.gnupg).arg(&copy));
    let rev = std::fs::read_to_string(copy.join("openpgp-revocs.d").join(format!("{fpr}.rev")))
        .expect("revocation certificate");
    let rev: Vec<&str> = rev
        .lines()
        .map(|l| l.strip_prefix(':').unwrap_or(l))
        .collect();
    let rev_file = copy.join("rev.asc");
    std::fs::write(&rev_file, rev.join("\n")).expect("write");
    let in_copy = |args: &[&str]| {
        run(Command::new("gpg")
            .env("GNUPGHOME", &copy)
            .args(["--batch", "--quiet"])
            .args(args))
    };
    in_copy(&["--import", &rev_file.display().to_string()]);
    carol.public = in_copy(&["--armor", "--export", &fpr]);
    let policy = policy_with(&[(&alice, "owner", ""), (&carol, "maintainer", "")]);
    f.commit(&alice, true, &[(".custody/policy.toml", &policy)], "policy");
    f.commit(&carol, true, &[("a", "a")], "carol with a revoked key");
    let report = f.verify(&VerifyOptions::default());
    assert!(
        matches!(
            violations(&report, "carol with a revoked key").as_slice(),
            [Violation::KeyNotValid(why)] if why.contains("revoked")
        ),
        "{report:#?}"
    );
    let _ = run(Command::new("rm").arg("-rf").arg(&copy));
}

/// A history long enough that the signatures are checked ahead on several threads gets
/// exactly the verdicts the in-order walk gives: keys added by a policy change, an unknown
/// key and a signature that does not match its commit are all told apart.
#[test]
fn long_histories_are_judged_the_same_with_signatures_checked_ahead() {
    let f = Fixture::new();
    let alice = f.ssh_person("alice", "alice@example.org");
    let bob = f.ssh_person("bob", "bob@example.org");
    let carol = f.gpg_person("carol", "carol@example.org");
    let policy = policy_with(&[(&alice, "owner", ""), (&carol, "maintainer", "")]);
    let root = f.commit(&alice, true, &[(".custody/policy.toml", &policy)], "policy");
    for i in 0..140 {
        let by = if i % 10 == 0 { &carol } else { &alice };
        f.commit(by, true, &[], &format!("early {i}"));
    }
    f.commit(&bob, true, &[], "bob before he is in the policy");
    // A commit whose message was changed after it was signed.
    let signed = f.commit(&alice, true, &[], "as signed");
    let raw = run(f.git(&alice).args(["cat-file", "commit", &signed]));
    let forged = raw.replace("as signed", "changed after signing") + "\n";
    let forged_file = f.dir.parent().expect("parent").join("forged");
    std::fs::write(&forged_file, forged).expect("write");
    let forged_id = run(f
        .git(&alice)
        .args(["hash-object", "-t", "commit", "-w"])
        .arg(&forged_file));
    run(f
        .git(&alice)
        .args(["update-ref", "refs/heads/main", &forged_id]));
    let policy = policy_with(&[
        (&alice, "owner", ""),
        (&carol, "maintainer", ""),
        (&bob, "maintainer", ""),
    ]);
    f.commit(
        &alice,
        true,
        &[(".custody/policy.toml", &policy)],
        "add bob",
    );
    for i in 0..130 {
        let by = if i % 10 == 0 { &carol } else { &bob };
        f.commit(by, true, &[], &format!("late {i}"));
    }

    let report = f.verify(&VerifyOptions {
        trust_root: Some(root.clone()),
        ..VerifyOptions::default()
    });
    assert_eq!(report.commits.len(), 273);
    let broken: Vec<(&str, &Vec<Violation>)> = report
        .commits
        .iter()
        .filter(|c| !c.violations.is_empty())
        .map(|c| (c.summary.as_str(), &c.violations))
        .collect();
    assert_eq!(broken.len(), 2, "{broken:#?}");
    assert!(matches!(
        violations(&report, "bob before he is in the policy").as_slice(),
        [Violation::UnknownKey(_)]
    ));
    assert!(matches!(
        violations(&report, "changed after signing").as_slice(),
        [Violation::BadSignature(_)]
    ));
    let bob_signed = report
        .commits
        .iter()
        .filter(|c| c.signer.as_ref().is_some_and(|(name, _)| name == "bob"))
        .count();
    assert_eq!(bob_signed, 117);

    // The same commits judged by the in-order walk alone (too few to check ahead).
    let tail = f.verify(&VerifyOptions {
        trust_root: Some(root),
        range: Some("HEAD~140..HEAD".into()),
        ..VerifyOptions::default()
    });
    assert_eq!(tail.commits.len(), 140);
    for commit in &tail.commits {
        let same = report
            .commits
            .iter()
            .find(|c| c.id == commit.id)
            .expect("in both");
        assert_eq!(same.violations, commit.violations, "{}", commit.summary);
        assert_eq!(same.signer, commit.signer, "{}", commit.summary);
    }
    assert!(tail.commits.iter().any(|c| !c.violations.is_empty()));
}
