//! `custody secrets …`: credential scanning.

use crate::cli::{FindingsFormat, SecretsCommand, SecretsInstallHookArgs, SecretsScanArgs};
use crate::exit::Outcome;
use crate::io::write_output;
use anyhow::{Context as _, Result};
use custody_check::config::SecretsConfig;
use custody_check::git_secrets::{scan_history, scan_push, scan_staged};
use custody_core::atomic::FileMode;
use custody_git::HistorySpec;
use custody_secrets::baseline::Baseline;
use custody_secrets::engine::{Finding, RuleSet};
use custody_secrets::rules::builtin_and_files;
use custody_secrets::scan::{ScanOptions, ScanReport, scan_tree};
use serde_json::json;
use std::path::PathBuf;

pub fn run(cmd: SecretsCommand) -> Result<Outcome> {
    match cmd {
        SecretsCommand::Scan(args) => scan(&args),
        SecretsCommand::InstallHook(args) => install_hook(&args),
        SecretsCommand::Rules(args) => {
            for r in builtin_and_files(&args.rules)? {
                println!("{:<32} {}", r.id, r.description);
            }
            Ok(Outcome::Success)
        }
    }
}

/// The project's `[secrets]` settings, from `custody.toml` at the root of what is scanned
/// (the work tree for git scans), so that the CLI, the hooks and `custody check` accept
/// the same things.
fn project_settings(args: &SecretsScanArgs) -> Result<Option<(PathBuf, SecretsConfig)>> {
    if args.no_config {
        return Ok(None);
    }
    let root = if args.staged || args.git || args.pre_receive {
        match custody_git::Repo::discover(&args.path) {
            Ok(repo) => match repo.work_dir() {
                Some(dir) => dir.to_path_buf(),
                None => return Ok(None),
            },
            // The scan itself reports the error.
            Err(_) => return Ok(None),
        }
    } else {
        args.path.clone()
    };
    if !root.join(custody_check::config::CONFIG_FILE).is_file() {
        return Ok(None);
    }
    let project = custody_check::config::Project::open(&root)?;
    Ok(Some((root, project.config().secrets.clone())))
}

fn scan(args: &SecretsScanArgs) -> Result<Outcome> {
    let mut rule_files = args.rules.clone();
    let mut allow_paths = args.allow_paths.clone();
    let mut baseline = args.baseline.as_deref().map(Baseline::read).transpose()?;
    let mut committed_rules = None;
    if args.pre_receive {
        // A push is judged by the settings already committed on the receiving side.
        if !args.no_config {
            let settings = custody_check::git_secrets::push_settings(&args.path)
                .context("reading the [secrets] settings the push is judged by")?;
            if let Some(commit) = &settings.commit {
                eprintln!(
                    "Using [secrets] from custody.toml at {} (HEAD)",
                    custody_git::short_id(commit)
                );
            }
            allow_paths.extend(settings.allow_paths);
            if baseline.is_none() {
                baseline = settings.baseline;
            }
            committed_rules = Some(settings.rules);
        }
    } else if let Some((root, cfg)) = project_settings(args)? {
        rule_files.extend(cfg.rules.iter().map(|f| root.join(f)));
        allow_paths.extend(cfg.allow_paths.iter().cloned());
        let configured = root.join(&cfg.baseline);
        if baseline.is_none() && args.write_baseline.is_none() && configured.is_file() {
            baseline = Some(Baseline::read(&configured)?);
        }
        eprintln!(
            "Using [secrets] from {}",
            root.join(custody_check::config::CONFIG_FILE).display()
        );
    }
    let mut rules = match committed_rules {
        Some(rules) => rules,
        None => custody_secrets::rules::builtin()?,
    };
    custody_secrets::rules::add_rule_files(&mut rules, &rule_files)?;
    let rules = RuleSet::compile(rules)?;
    let options = ScanOptions {
        respect_ignore_files: !args.no_ignore,
        max_file_size: args.max_file_size.saturating_mul(1 << 20),
        allow_paths,
    };
    let started = std::time::Instant::now();
    let where_ = args.path.display();
    // What was scanned, for the summary: files of a tree, or blobs of commits.
    let (mut report, scope) = if args.staged {
        let scan = scan_staged(&rules, &args.path, &options)
            .with_context(|| format!("scanning the staged changes of {where_}"))?;
        (scan.report, "staged file(s)".to_owned())
    } else if args.git {
        let spec = args
            .since
            .clone()
            .map_or(HistorySpec::All, HistorySpec::Since);
        let scan = scan_history(&rules, &args.path, &spec, &options)
            .with_context(|| format!("scanning the history of {where_}"))?;
        (
            scan.report,
            format!("distinct file version(s) from {} commit(s)", scan.commits),
        )
    } else if args.pre_receive {
        let updates = crate::io::read_ref_updates("pushed")?;
        let scan = scan_push(&rules, &args.path, &updates, &options)
            .with_context(|| format!("scanning the push into {where_}"))?;
        (
            scan.report,
            format!("file version(s) from {} pushed commit(s)", scan.commits),
        )
    } else {
        let report = scan_tree(&rules, &args.path, &options)
            .with_context(|| format!("scanning {where_}"))?;
        (report, "file(s)".to_owned())
    };
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
    if let Some(baseline) = &baseline {
        stale = baseline.apply(&mut report.findings);
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
        "Scanned {} {scope}, {:.1} MB in {:.2} s with {} rules: {} finding(s){}{}",
        report.files,
        report.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        rules.len(),
        report.findings.len(),
        if report.binary_skipped + report.large_skipped > 0 {
            format!(
                "; skipped {} binary and {} large",
                report.binary_skipped, report.large_skipped
            )
        } else {
            String::new()
        },
        if report.errors.is_empty() {
            String::new()
        } else {
            format!("; {} unreadable", report.errors.len())
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
    // A push gate fails closed: what could not be read was not checked.
    if args.pre_receive && !report.errors.is_empty() {
        eprintln!("custody: refusing the push: part of it could not be read and scanned");
        return Ok(Outcome::Failure);
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
            "{}:{}:{}  {}  {}\n",
            f.path, f.line, f.column, f.rule, f.redacted
        ));
        if let Some(c) = &f.commit {
            let short = custody_git::short_id(&c.id);
            let date = custody_core::time::format_utc(c.time);
            out.push_str(&format!("    added in {short} by {} on {date}\n", c.author));
        }
        out.push_str(&format!("    {}\n", f.excerpt));
    }
    out
}

/// The hook scripts: they find custody on PATH when they run (or the path given).
fn install_hook(args: &SecretsInstallHookArgs) -> Result<Outcome> {
    let repo = custody_git::Repo::discover(&args.repo)?;
    let hooks = repo.git_dir().join("hooks");
    let (name, command) = if args.pre_receive {
        ("pre-receive", "secrets scan --pre-receive .")
    } else {
        ("pre-commit", "secrets scan --staged .")
    };
    let custody = match &args.custody {
        Some(p) => shell_quote(&p.display().to_string()),
        None => "custody".to_owned(),
    };
    // The scan reads the work tree's custody.toml ([secrets]: allowed paths, rules, the
    // baseline), as `custody check` does.
    let script = format!(
        "#!/bin/sh\n# Installed by `custody secrets install-hook`: refuses a {what} that adds secrets.\nexec {custody} {command}\n",
        what = if args.pre_receive { "push" } else { "commit" },
    );
    let path = hooks.join(name);
    if path.exists() && !args.force {
        anyhow::bail!(
            "{} exists; look at it, then run again with --force to replace it",
            path.display()
        );
    }
    std::fs::create_dir_all(&hooks).with_context(|| format!("creating {}", hooks.display()))?;
    custody_core::atomic::write_atomic(&path, script.as_bytes(), FileMode::Executable)?;
    eprintln!("Installed {}", path.display());
    Ok(Outcome::Success)
}

pub(crate) fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
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
            "properties": f.commit.as_ref().map(|c| json!({
                "commit": c.id, "author": c.author, "time": c.time,
            })).unwrap_or_else(|| json!({})),
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
