//! The secret scanner over git content: history, the index, and what a push adds. This is
//! where custody-git (which blobs, added by which commit) meets custody-secrets (what is in
//! them); the CLI and the SRC-3 evaluation both come through here.

use custody_git::push::RefUpdate;
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
        .filter(|u| !u.deletes())
        .map(|u| u.new.clone())
        .collect();
    let mut hidden = repo.ref_tips()?;
    hidden.extend(
        updates
            .iter()
            .filter(|u| !u.creates())
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
