//! SRC-3: no credentials in the repository, found by custody's secret scanner over the
//! working tree (history and staged changes come with the git sources of the scanner).

use super::result;
use crate::catalogue::Control;
use crate::config::Project;
use crate::report::{ControlResult, Evidence, Status};
use custody_secrets::baseline::Baseline;
use custody_secrets::engine::RuleSet;
use custody_secrets::rules::builtin_and_files;
use custody_secrets::scan::{ScanOptions, scan_tree};

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
    let baseline_path = root.join(&cfg.baseline);
    let mut stale = Vec::new();
    if baseline_path.is_file() {
        match Baseline::read(&baseline_path) {
            Ok(b) => stale = b.apply(&mut report.findings),
            Err(e) => return broken(e.to_string()),
        }
    }
    let scope = format!(
        "{} file(s), {:.1} MB, {} rules",
        report.files,
        report.bytes as f64 / 1e6,
        set.len()
    );
    if !report.findings.is_empty() {
        let evidence = report
            .findings
            .iter()
            .map(|f| {
                Evidence::at(
                    format!("{}:{}", f.path, f.line),
                    format!("{} ({}): {}", f.rule, f.description, f.redacted),
                )
            })
            .collect();
        return result(
            control,
            Status::Fail,
            format!(
                "{} secret(s) in the working tree ({scope})",
                report.findings.len()
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
    evidence.extend(stale.iter().map(|e| {
        Evidence::note(format!(
            "stale baseline entry {} ({} in {}): remove it",
            e.fingerprint, e.rule, e.path
        ))
    }));
    result(
        control,
        Status::Warn,
        format!(
            "no secrets in the working tree ({scope}); git history and staged changes are not scanned yet"
        ),
        evidence,
        Some("install the pre-commit secret gate once custody ships it (issue #5)"),
    )
}
