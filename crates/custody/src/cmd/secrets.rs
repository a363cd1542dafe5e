//! `custody secrets …`: credential scanning.

use crate::cli::{FindingsFormat, SecretsCommand, SecretsScanArgs};
use crate::exit::Outcome;
use crate::io::write_output;
use anyhow::{Context as _, Result};
use custody_core::atomic::FileMode;
use custody_secrets::baseline::Baseline;
use custody_secrets::engine::{Finding, RuleSet};
use custody_secrets::rules::builtin_and_files;
use custody_secrets::scan::{ScanOptions, ScanReport, scan_tree};
use serde_json::json;

pub fn run(cmd: SecretsCommand) -> Result<Outcome> {
    match cmd {
        SecretsCommand::Scan(args) => scan(&args),
        SecretsCommand::Rules(args) => {
            for r in builtin_and_files(&args.rules)? {
                println!("{:<32} {}", r.id, r.description);
            }
            Ok(Outcome::Success)
        }
    }
}

fn scan(args: &SecretsScanArgs) -> Result<Outcome> {
    let rules = RuleSet::compile(builtin_and_files(&args.rules)?)?;
    let options = ScanOptions {
        respect_ignore_files: !args.no_ignore,
        max_file_size: args.max_file_size.saturating_mul(1 << 20),
        allow_paths: args.allow_paths.clone(),
    };
    let started = std::time::Instant::now();
    let mut report = scan_tree(&rules, &args.path, &options)
        .with_context(|| format!("scanning {}", args.path.display()))?;
    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::accepting(
            &report.findings,
            "accepted when the baseline was written: review",
        );
        let text = serde_json::to_string_pretty(&baseline)? + "\n";
        custody_core::atomic::write_atomic(path, text.as_bytes(), FileMode::Public)?;
        eprintln!(
            "Wrote {} with {} accepted finding(s); give each a reason",
            path.display(),
            baseline.entries.len()
        );
        return Ok(Outcome::Success);
    }
    let mut stale = Vec::new();
    if let Some(path) = &args.baseline {
        stale = Baseline::read(path)?.apply(&mut report.findings);
    }
    let text = match args.format {
        FindingsFormat::Table => table(&report),
        FindingsFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
        FindingsFormat::Sarif => {
            serde_json::to_string_pretty(&sarif(&report, &rules_used(&report)))? + "\n"
        }
    };
    write_output(args.output.as_deref(), text.as_bytes(), FileMode::Public)?;
    eprintln!(
        "Scanned {} file(s), {:.1} MB in {:.2} s with {} rules: {} finding(s){}{}",
        report.files,
        report.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        rules.len(),
        report.findings.len(),
        if report.binary_skipped + report.large_skipped > 0 {
            format!(
                "; skipped {} binary and {} large file(s)",
                report.binary_skipped, report.large_skipped
            )
        } else {
            String::new()
        },
        if report.errors.is_empty() {
            String::new()
        } else {
            format!("; {} file(s) unreadable", report.errors.len())
        }
    );
    for e in &report.errors {
        eprintln!("custody: warning: {e}");
    }
    for e in &stale {
        eprintln!(
            "custody: warning: baseline entry {} ({} in {}) matches nothing any more: remove it",
            e.fingerprint, e.rule, e.path
        );
    }
    Ok(if report.findings.is_empty() {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}

fn table(report: &ScanReport) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&format!(
            "{}:{}:{}  {}  {}\n    {}\n",
            f.path, f.line, f.column, f.rule, f.redacted, f.excerpt
        ));
    }
    out
}

fn rules_used(report: &ScanReport) -> Vec<(String, String)> {
    let mut rules: Vec<(String, String)> = report
        .findings
        .iter()
        .map(|f| (f.rule.clone(), f.description.clone()))
        .collect();
    rules.sort();
    rules.dedup();
    rules
}

/// SARIF 2.1.0: one result per finding, with the file URI, line and column, and the
/// fingerprint as a partial fingerprint so that code scanning tools track it over time.
fn sarif(report: &ScanReport, rules: &[(String, String)]) -> serde_json::Value {
    let result = |f: &Finding| {
        json!({
            "ruleId": f.rule,
            "level": "error",
            "message": {"text": format!("{} ({})", f.description, f.redacted)},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": f.path},
                "region": {"startLine": f.line, "startColumn": f.column},
            }}],
            "partialFingerprints": {"custodySecret/v1": f.fingerprint},
        })
    };
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "custody",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|(id, d)| json!({
                    "id": id, "shortDescription": {"text": d},
                })).collect::<Vec<_>>(),
            }},
            "results": report.findings.iter().map(result).collect::<Vec<_>>(),
        }],
    })
}
