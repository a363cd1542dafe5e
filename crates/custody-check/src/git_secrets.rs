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
    /// The committed `custody.toml` that a push is judged by is invalid.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The committed `[secrets]` settings name a file that is not in the commit.
    #[error("custody.toml at {commit}: [secrets] {what} {path:?} {detail}")]
    Settings {
        /// The commit whose settings these are.
        commit: String,
        /// `rules` or `baseline`.
        what: &'static str,
        /// The path as configured.
        path: String,
        /// What is wrong with it.
        detail: &'static str,
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

/// The `[secrets]` settings a push is judged by: those committed on the receiving
/// repository's `HEAD` (its default branch) before the push. A push therefore cannot
/// allow its own secrets: a change of `allow_paths`, rule files or the baseline counts
/// from the push after the one that lands it.
#[derive(Debug)]
pub struct PushSettings {
    /// The commit the settings were read from; `None` when `HEAD` is unborn or has no
    /// `custody.toml` (built-in rules, nothing allowed).
    pub commit: Option<String>,
    /// The built-in rules followed by the committed rule files.
    pub rules: Vec<custody_secrets::rules::Rule>,
    /// Paths whose findings are accepted.
    pub allow_paths: Vec<String>,
    /// The committed baseline, when the file is there.
    pub baseline: Option<custody_secrets::baseline::Baseline>,
}

/// Read the [`PushSettings`] of the repository at `repo_path`.
///
/// # Errors
/// [`GitScanError`] when `HEAD`, `custody.toml`, a rule file or the baseline cannot be
/// read or is invalid; a hook refuses the push then (it fails closed).
pub fn push_settings(repo_path: &Path) -> Result<PushSettings, GitScanError> {
    let repo = Repo::discover(repo_path)?;
    let mut settings = PushSettings {
        commit: None,
        rules: custody_secrets::rules::builtin()?,
        allow_paths: Vec::new(),
        baseline: None,
    };
    let Some(head) = repo.head_commit()? else {
        return Ok(settings);
    };
    let Some(text) = repo.file_at(&head, crate::config::CONFIG_FILE)? else {
        return Ok(settings);
    };
    let origin = format!(
        "{} at {}",
        crate::config::CONFIG_FILE,
        custody_git::short_id(&head)
    );
    let text = String::from_utf8(text).map_err(|_| crate::config::ConfigError::Invalid {
        path: origin.clone().into(),
        message: "not UTF-8".to_owned(),
    })?;
    let config = crate::config::parse(Path::new(&origin), &text)?.secrets;
    let committed = |what: &'static str, path: &Path| -> Result<Option<Vec<u8>>, GitScanError> {
        let error = |detail| GitScanError::Settings {
            commit: head.clone(),
            what,
            path: path.display().to_string(),
            detail,
        };
        let mut parts = Vec::new();
        for c in path.components() {
            match c {
                std::path::Component::Normal(p) => {
                    parts.push(p.to_str().ok_or_else(|| error("is not UTF-8"))?);
                }
                std::path::Component::CurDir => {}
                _ => return Err(error("must be a relative path inside the repository")),
            }
        }
        Ok(repo.file_at(&head, &parts.join("/"))?)
    };
    for file in &config.rules {
        let text = committed("rules", file)?.ok_or_else(|| GitScanError::Settings {
            commit: head.clone(),
            what: "rules",
            path: file.display().to_string(),
            detail: "is not in the commit",
        })?;
        let text = String::from_utf8(text).map_err(|_| GitScanError::Settings {
            commit: head.clone(),
            what: "rules",
            path: file.display().to_string(),
            detail: "is not UTF-8",
        })?;
        let origin = format!("{} at {}", file.display(), custody_git::short_id(&head));
        custody_secrets::rules::add_rules(
            &mut settings.rules,
            custody_secrets::rules::load_rule_file(&text, &origin)?,
        );
    }
    if let Some(bytes) = committed("baseline", &config.baseline)? {
        let origin = format!(
            "{} at {}",
            config.baseline.display(),
            custody_git::short_id(&head)
        );
        settings.baseline = Some(custody_secrets::baseline::Baseline::parse(&bytes, &origin)?);
    }
    settings.allow_paths = config.allow_paths;
    settings.commit = Some(head);
    Ok(settings)
}

/// Scan what a push adds as the repository's committed settings say ([`push_settings`]):
/// their rules and allowed paths, with the findings their baseline accepts dropped.
///
/// # Errors
/// [`GitScanError`] when the settings, the repository or the pushed objects cannot be read.
pub fn scan_push_as_configured(
    repo_path: &Path,
    updates: &[RefUpdate],
) -> Result<GitScan, GitScanError> {
    let settings = push_settings(repo_path)?;
    let rules = RuleSet::compile(settings.rules)?;
    let options = ScanOptions {
        allow_paths: settings.allow_paths,
        ..ScanOptions::default()
    };
    let mut scan = scan_push(&rules, repo_path, updates, &options)?;
    if let Some(baseline) = &settings.baseline {
        baseline.apply(&mut scan.report.findings);
    }
    Ok(scan)
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
