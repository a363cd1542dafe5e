//! The secret scanner over git content: history, the index, and what a push adds. This is
//! where custody-git (which blobs, added by which commit) meets custody-secrets (what is in
//! them); the CLI and the SRC-3 evaluation both come through here.

use custody_git::{AddedBlob, GitError, HistorySpec, Repo};
use custody_secrets::engine::{CommitRef, RuleSet};
use custody_secrets::scan::{BlobRef, ScanOptions, ScanReport, scan_blobs};
use std::path::Path;
use std::sync::Arc;

/// Why a git scan could not run.
#[derive(Debug, thiserror::Error)]
pub enum GitScanError {
    /// Reading the repository failed.
    #[error(transparent)]
    Git(#[from] GitError),
    /// The scanner's configuration is invalid.
    #[error(transparent)]
    Secrets(#[from] custody_secrets::SecretsError),
    /// A pre-receive line is not `OLD NEW REF`.
    #[error("pre-receive input line {line}: {detail}")]
    PushInput {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        detail: String,
    },
}

/// A scan of git content and how much history it covered.
#[derive(Debug)]
pub struct GitScan {
    /// Findings and counts; each finding names the commit that added the content.
    pub report: ScanReport,
    /// Commits walked (0 for the index).
    pub commits: usize,
}

/// Scan every blob that the commits selected by `spec` add, each once.
///
/// # Errors
/// [`GitScanError`] when the repository or a revision cannot be read.
pub fn scan_history(
    rules: &RuleSet,
    repo_path: &Path,
    spec: &HistorySpec,
    options: &ScanOptions,
) -> Result<GitScan, GitScanError> {
    let repo = Repo::discover(repo_path)?;
    let history = repo.added_blobs(spec)?;
    let mut report = scan_added(rules, &repo, &history.blobs, options)?;
    report.errors.extend(history.errors);
    Ok(GitScan {
        report,
        commits: history.commits,
    })
}

/// Scan what is staged for the next commit (the pre-commit gate).
///
/// # Errors
/// [`GitScanError`] when the repository or its index cannot be read.
pub fn scan_staged(
    rules: &RuleSet,
    repo_path: &Path,
    options: &ScanOptions,
) -> Result<GitScan, GitScanError> {
    let repo = Repo::discover(repo_path)?;
    let blobs = repo.staged_blobs()?;
    let report = scan_added(rules, &repo, &blobs, options)?;
    Ok(GitScan { report, commits: 0 })
}

/// One ref update of a push, as git hands it to a pre-receive hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// Old value (all zeros when the ref is created).
    pub old: String,
    /// New value (all zeros when the ref is deleted).
    pub new: String,
    /// The ref.
    pub name: String,
}

/// Read pre-receive input: one `OLD NEW REF` line per updated ref.
///
/// # Errors
/// [`GitScanError::PushInput`] naming the line.
pub fn parse_push(input: &str) -> Result<Vec<RefUpdate>, GitScanError> {
    let mut out = Vec::new();
    for (i, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [old, new, name] = fields[..] else {
            return Err(GitScanError::PushInput {
                line: i + 1,
                detail: format!("expected OLD NEW REF, got {line:?}"),
            });
        };
        for id in [old, new] {
            if !(id.len() == 40 || id.len() == 64) || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(GitScanError::PushInput {
                    line: i + 1,
                    detail: format!("{id:?} is not an object id"),
                });
            }
        }
        out.push(RefUpdate {
            old: old.to_owned(),
            new: new.to_owned(),
            name: name.to_owned(),
        });
    }
    Ok(out)
}

fn is_zero(id: &str) -> bool {
    id.bytes().all(|b| b == b'0')
}

/// Scan what a push adds: commits reachable from the new values and not from any ref the
/// repository has now (nor from the old values).
///
/// # Errors
/// [`GitScanError`] when the repository or the pushed objects cannot be read.
pub fn scan_push(
    rules: &RuleSet,
    repo_path: &Path,
    updates: &[RefUpdate],
    options: &ScanOptions,
) -> Result<GitScan, GitScanError> {
    let repo = Repo::for_hook(repo_path)?;
    let tips: Vec<String> = updates
        .iter()
        .filter(|u| !is_zero(&u.new))
        .map(|u| u.new.clone())
        .collect();
    let mut hidden = repo.ref_tips()?;
    hidden.extend(
        updates
            .iter()
            .filter(|u| !is_zero(&u.old))
            .map(|u| u.old.clone()),
    );
    let history = repo.added_blobs(&HistorySpec::Between { tips, hidden })?;
    let mut report = scan_added(rules, &repo, &history.blobs, options)?;
    report.errors.extend(history.errors);
    Ok(GitScan {
        report,
        commits: history.commits,
    })
}

fn scan_added(
    rules: &RuleSet,
    repo: &Repo,
    blobs: &[AddedBlob],
    options: &ScanOptions,
) -> Result<ScanReport, GitScanError> {
    // One CommitRef per commit, shared by its blobs.
    let mut commits: std::collections::HashMap<String, Arc<CommitRef>> =
        std::collections::HashMap::new();
    let refs: Vec<BlobRef> = blobs
        .iter()
        .map(|b| BlobRef {
            id: b.id.clone(),
            path: b.path.clone(),
            commit: b.commit.as_ref().map(|c| {
                Arc::clone(commits.entry(c.id.clone()).or_insert_with(|| {
                    Arc::new(CommitRef {
                        id: c.id.clone(),
                        author: c.author.clone(),
                        time: c.time,
                    })
                }))
            }),
        })
        .collect();
    Ok(scan_blobs(rules, &refs, options, || {
        let reader = repo.reader();
        move |id: &str, max: u64| match &reader {
            Ok(r) => r.read_limited(id, max).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        }
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_input_is_parsed_strictly() {
        let zero = "0".repeat(40);
        let a = "a".repeat(40);
        let parsed = parse_push(&format!("{zero} {a} refs/heads/main\n\n")).expect("valid");
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].name, "refs/heads/main");
        for bad in [
            "x y",
            &format!("{a} {a}"),
            &format!("{a} nothex refs/heads/x"),
        ] {
            assert!(parse_push(bad).is_err(), "{bad}");
        }
    }
}
