//! SRC-3: no credentials in the repository, found by custody's secret scanner over the
//! working tree and, when the project is a git repository, every file version in its
//! history; the pre-commit gate counts as evidence that new ones are stopped.

use super::result;
use crate::catalogue::Control;
use crate::config::Project;
use crate::report::{ControlResult, Evidence, Status};
use custody_secrets::baseline::Baseline;
use custody_secrets::engine::RuleSet;
use custody_secrets::rules::builtin_and_files;
use custody_secrets::scan::{ScanOptions, scan_tree};

use crate::git_secrets::scan_history;
use custody_git::HistorySpec;
use std::path::Path;

pub(super) fn evaluate(control: &'static Control, project: &Project) -> ControlResult {
    let cfg = &project.config().secrets;
    let root = project.root();
    let broken = |why: String| {
        result(
            control,
            Status::Fail,
            "the secret scan could not run".to_owned(),
            vec![Evidence::note(why)],
            Some("fix the [secrets] configuration (rule files, baseline)"),
        )
    };
    let files: Vec<std::path::PathBuf> = cfg.rules.iter().map(|f| root.join(f)).collect();
    let rules = match builtin_and_files(&files) {
        Ok(r) => r,
        Err(e) => return broken(e.to_string()),
    };
    let set = match RuleSet::compile(rules) {
        Ok(s) => s,
        Err(e) => return broken(e.to_string()),
    };
    let options = ScanOptions {
        allow_paths: cfg.allow_paths.clone(),
        ..ScanOptions::default()
    };
    let mut report = match scan_tree(&set, root, &options) {
        Ok(r) => r,
        Err(e) => return broken(e.to_string()),
    };
    // History, when the project is a git repository: every file version once.
    let history = match custody_git::Repo::discover(root) {
        Ok(_) => match scan_history(&set, root, &HistorySpec::All, &options) {
            Ok(scan) => Some(scan),
            Err(e) => return broken(e.to_string()),
        },
        Err(_) => None,
    };
    let baseline_path = root.join(&cfg.baseline);
    let mut stale = Vec::new();
    let mut history = history;
    if baseline_path.is_file() {
        match Baseline::read(&baseline_path) {
            Ok(b) => {
                stale = b.apply(&mut report.findings);
                if let Some(h) = history.as_mut() {
                    // An entry counts as used if either scan still finds its secret.
                    let stale_in_history = b.apply(&mut h.report.findings);
                    stale.retain(|e| {
                        stale_in_history
                            .iter()
                            .any(|s| s.fingerprint == e.fingerprint)
                    });
                }
            }
            Err(e) => return broken(e.to_string()),
        }
    }
    let scope = format!(
        "{} file(s), {:.1} MB, {} rules",
        report.files,
        report.bytes as f64 / 1e6,
        set.len()
    );
    let history_findings = history.as_ref().map_or(&[][..], |h| &h.report.findings[..]);
    if !report.findings.is_empty() || !history_findings.is_empty() {
        let mut evidence: Vec<Evidence> = report
            .findings
            .iter()
            .map(|f| {
                Evidence::at(
                    format!("{}:{}", f.path, f.line),
                    format!("{} ({}): {}", f.rule, f.description, f.redacted),
                )
            })
            .collect();
        evidence.extend(history_findings.iter().map(|f| {
            let commit = f
                .commit
                .as_ref()
                .map_or("?", |c| custody_git::short_id(&c.id));
            Evidence::at(
                format!("{}:{} @ {commit}", f.path, f.line),
                format!("{} ({}): {}", f.rule, f.description, f.redacted),
            )
        }));
        return result(
            control,
            Status::Fail,
            format!(
                "{} secret(s) in the working tree, {} in the git history ({scope})",
                report.findings.len(),
                history_findings.len()
            ),
            evidence,
            Some(
                "remove the credentials and rotate them (they are in the history); accept deliberate ones with `custody:allow` on the line, [secrets] allow_paths, or a baseline (custody secrets scan --write-baseline)",
            ),
        );
    }
    let mut evidence = vec![Evidence::note(format!(
        "scanned {scope}; {} finding(s) in allowed paths",
        report.allowed_by_path
    ))];
    let hook = custody_git::Repo::discover(root)
        .ok()
        .map(|r| r.git_dir().join("hooks/pre-commit"))
        .filter(|p| is_secret_gate(p, root));
    if let Some(h) = &history {
        evidence.push(Evidence::note(format!(
            "git history: {} distinct file version(s) from {} commit(s), {:.1} MB, no secrets",
            h.report.files,
            h.commits,
            h.report.bytes as f64 / 1e6
        )));
    }
    evidence.push(Evidence::note(match &hook {
        Some(p) => format!("pre-commit secret gate installed: {}", p.display()),
        None => "no pre-commit secret gate in this clone".to_owned(),
    }));
    evidence.extend(stale.iter().map(|e| {
        Evidence::note(format!(
            "stale baseline entry {} ({} in {}): remove it",
            e.fingerprint, e.rule, e.path
        ))
    }));
    match (&history, &hook) {
        (Some(_), Some(_)) => result(
            control,
            Status::Pass,
            format!(
                "no secrets in the working tree or the git history ({scope}); commits are gated"
            ),
            evidence,
            None,
        ),
        (Some(_), None) => result(
            control,
            Status::Warn,
            format!(
                "no secrets in the working tree or the git history ({scope}); nothing stops new ones at commit time"
            ),
            evidence,
            Some(
                "`custody secrets install-hook` (pre-commit here; --pre-receive on the server's bare repository) or the pre-commit framework hook `custody-secrets`",
            ),
        ),
        (None, _) => result(
            control,
            Status::Warn,
            format!(
                "no secrets in the working tree ({scope}); not a git repository, so no history was scanned"
            ),
            evidence,
            Some("run `custody check` in the git repository to cover the history"),
        ),
    }
}

/// Whether the pre-commit hook runs custody's scan of staged changes: the hook
/// `custody secrets install-hook` writes, or the pre-commit framework's hook with the
/// `custody-secrets` hook in the project's `.pre-commit-config.yaml`.
fn is_secret_gate(hook: &Path, root: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(hook) else {
        return false;
    };
    text.contains("secrets scan --staged")
        || (text.contains("File generated by pre-commit")
            && std::fs::read_to_string(root.join(".pre-commit-config.yaml"))
                .is_ok_and(|config| config.contains("custody-secrets")))
}
