//! custody's verdicts against sequoia-git's (`sq-git log`) on the same histories.
//!
//! testdata/source/sq-git/record.py built one small history per case, with both tools'
//! policies in it (`.custody/policy.toml` and `openpgp-policy.toml` naming the same people
//! and keys), and recorded what sq-git 0.6.0 said about each (sq-git is not built in CI;
//! see that directory's README.md). Where the two overlap custody must agree; where custody
//! is stricter, or covers what sq-git does not (SSH keys), the case is listed with why.

use custody_git::Repo;
use custody_git::verify::VerifyOptions;
use std::path::Path;

/// Cases where custody's verdict differs from sq-git's, and why.
const DIFFERENCES: &[(&str, bool, &str)] = &[
    (
        "committer-not-the-key-holder",
        false,
        "custody checks that the committer is the key's holder; sq-git only asks whether \
         the key may sign",
    ),
    (
        "merge-of-unsigned-work",
        false,
        "custody verifies every commit a merge brings in (SRC-2); sq-git needs one \
         authenticated path to the tip, which the signed merge's first parent gives",
    ),
    (
        "ssh-signed",
        true,
        "custody's policy lists SSH keys; sq-git knows OpenPGP only",
    ),
];

#[test]
fn custody_agrees_with_sq_git_where_they_overlap() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/source/sq-git");
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data.join("expected.json")).expect("expected.json"),
    )
    .expect("json");
    let tmp = tempfile::tempdir().expect("tmp");
    let repo_dir = tmp.path().join("history.git");
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(data.join("history.bundle"))
        .arg(&repo_dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let repo = Repo::discover(&repo_dir).expect("repository");
    let trust_root = expected["trust_root"].as_str().expect("trust root");
    let cases = expected["cases"].as_array().expect("cases");
    assert!(cases.len() >= 10, "{cases:?}");
    let mut disagreements = Vec::new();
    for case in cases {
        let name = case["case"].as_str().expect("name");
        let sq_git = case["sq_git"]["authenticated"].as_bool().expect("verdict");
        let report = repo
            .verify_source(&VerifyOptions {
                reference: Some(format!("refs/heads/{name}")),
                trust_root: Some(trust_root.to_owned()),
                ..VerifyOptions::default()
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.tip, case["tip"].as_str().expect("tip"), "{name}");
        let custody = report.violations() == 0;
        let wanted = DIFFERENCES
            .iter()
            .find(|(case, _, _)| *case == name)
            .map_or(sq_git, |(_, custody, _)| *custody);
        if custody != wanted {
            disagreements.push(format!(
                "{name}: custody {custody}, expected {wanted} (sq-git {sq_git}): {:?}",
                report
                    .commits
                    .iter()
                    .flat_map(|c| c.violations.iter().map(ToString::to_string))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    // Every listed difference is a real one: sq-git's recorded verdict is the other.
    for (name, custody, _) in DIFFERENCES {
        let case = cases
            .iter()
            .find(|c| c["case"] == *name)
            .unwrap_or_else(|| panic!("{name} recorded"));
        assert_eq!(case["sq_git"]["authenticated"], !custody, "{name}");
    }
}
