//! `custody scan licenses`: declared licenses against the project's policy.

use crate::cli::{
    FindingsFormat, InfoFormat, LicensePolicyArgs, ScanLicenseTextsArgs, ScanLicensesArgs,
};
use crate::exit::Outcome;
use crate::io::write_output;
use anyhow::{Result, anyhow, bail};
use custody_core::atomic::FileMode;
use custody_license::{LicenseFinding, LicenseReport, Unknown, Verdict};
use serde_json::json;
use std::fmt::Write as _;
use std::path::Path;

/// The license policy of custody.toml with the command line's additions, checked.
fn policy_with(
    settings: &custody_check::config::MaterialsConfig,
    args: &LicensePolicyArgs,
) -> Result<custody_license::LicensePolicy> {
    let mut policy = settings.licenses.clone();
    policy.allow.extend(args.allow.iter().cloned());
    policy.deny.extend(args.deny.iter().cloned());
    policy
        .deny_categories
        .extend(args.deny_category.iter().cloned());
    if args.deny_unknown {
        policy.unknown = Unknown::Deny;
    }
    policy.validate().map_err(|e| anyhow!(e))?;
    Ok(policy)
}

pub fn license_texts(args: &ScanLicenseTextsArgs) -> Result<Outcome> {
    if !(0.0..=1.0).contains(&args.min_confidence) {
        bail!(
            "--min-confidence {}: a score from 0 to 1",
            args.min_confidence
        );
    }
    if !args.path.is_dir() {
        bail!("{}: not a directory", args.path.display());
    }
    let settings = super::sbom::materials_settings(&args.path)?;
    let policy = policy_with(&settings, &args.policy)?;
    let texts = custody_license::texts::LicenseTexts::load()?;
    let files = custody_license::texts::scan_tree(&args.path, &texts, args.min_confidence);
    let mut denied = 0;
    let mut unidentified = 0;
    let mut rows = Vec::new();
    for f in &files {
        // A text shared by several licenses could be any of them: each must be allowed.
        let ids: Vec<String> = f
            .licenses
            .iter()
            .flat_map(|l| std::iter::once(l.license.clone()).chain(l.same_text.iter().cloned()))
            .collect();
        let verdict = if ids.is_empty() {
            unidentified += 1;
            None
        } else {
            // Every license a file holds applies: all of them must be allowed.
            let verdict = policy.judge(&[ids.join(" AND ")]);
            if matches!(verdict, Verdict::Denied { .. }) {
                denied += 1;
            }
            Some(verdict)
        };
        rows.push((f, verdict));
    }
    let mut bytes = match args.format {
        InfoFormat::Table => {
            let mut s = String::new();
            for (f, verdict) in &rows {
                let found: Vec<String> = f
                    .licenses
                    .iter()
                    .map(|l| {
                        let same = if l.same_text.is_empty() {
                            String::new()
                        } else {
                            format!(", same text as {}", l.same_text.join(", "))
                        };
                        format!(
                            "{} ({:.0}%, lines {}-{}{same})",
                            l.license,
                            l.confidence * 100.0,
                            l.lines.0,
                            l.lines.1
                        )
                    })
                    .collect();
                let judged = match verdict {
                    Some(Verdict::Denied { failing, .. }) => {
                        format!("DENIED: {}", failing.join("; "))
                    }
                    Some(Verdict::Invalid { error, .. }) => format!("invalid: {error}"),
                    Some(_) => "allowed".into(),
                    None => match (&f.error, &f.closest) {
                        (Some(e), _) => format!("unreadable: {e}"),
                        (None, Some(c)) => format!(
                            "not identified (closest: {} at {:.0}%)",
                            c.license,
                            c.confidence * 100.0
                        ),
                        (None, None) => "not identified".into(),
                    },
                };
                let _ = writeln!(
                    s,
                    "{}  {}  {judged}",
                    f.path.display(),
                    if found.is_empty() {
                        "-".into()
                    } else {
                        found.join(", ")
                    }
                );
            }
            let _ = writeln!(
                s,
                "{} license file(s): {} identified, {} not identified, {} denied",
                files.len(),
                files.len() - unidentified,
                unidentified,
                denied
            );
            s.into_bytes()
        }
        InfoFormat::Json => {
            let entries: Vec<serde_json::Value> = rows
                .iter()
                .map(|(f, verdict)| {
                    let mut v = serde_json::to_value(f).unwrap_or_default();
                    v["verdict"] = match verdict {
                        Some(Verdict::Allowed { .. }) => json!("allowed"),
                        Some(Verdict::Denied { failing, .. }) => json!({"denied": failing}),
                        Some(Verdict::Invalid { error, .. }) => json!({"invalid": error}),
                        Some(Verdict::Undeclared) | None => json!("not-identified"),
                    };
                    v
                })
                .collect();
            let mut b = serde_json::to_vec_pretty(&json!({
                "min_confidence": args.min_confidence,
                "licenses_known": texts.len(),
                "files": entries,
                "denied": denied,
                "not_identified": unidentified,
            }))?;
            b.push(b'\n');
            b
        }
    };
    if args.format == InfoFormat::Table && files.is_empty() {
        bytes = format!("no license file under {}\n", args.path.display()).into_bytes();
    }
    write_output(args.output.as_deref(), &bytes, FileMode::Public)?;
    Ok(
        if denied > 0 || (policy.unknown == Unknown::Deny && unidentified > 0) {
            Outcome::Findings
        } else {
            Outcome::Success
        },
    )
}

pub fn licenses(args: &ScanLicensesArgs) -> Result<Outcome> {
    let settings = super::sbom::materials_settings(&args.path)?;
    let policy = policy_with(&settings, &args.policy)?;
    let mut exclude = settings.exclude.clone();
    exclude.extend(args.exclude.iter().cloned());
    let mut inventory = custody_sbom::inventory_excluding(&args.path, &exclude)?;
    if inventory.projects.is_empty() && inventory.problems.is_empty() {
        bail!(
            "no lockfile under {} (custody reads: {})",
            args.path.display(),
            custody_sbom::discover::LockfileKind::NAMES.join(", ")
        );
    }
    for p in &inventory.problems {
        eprintln!(
            "custody: not checked: {}: {}",
            super::shown_problem_path(&args.path, &p.path).display(),
            p.message
        );
    }
    if let Some(home) = custody_license::cargo_metadata::cargo_home() {
        custody_license::cargo_metadata::fill_licenses(&mut inventory, &home);
    }
    let report = custody_license::scan(&inventory, &policy);
    if !policy.is_configured() {
        eprintln!(
            "custody: no license policy: set [materials.licenses] in custody.toml or give --allow/--deny/--deny-category; every declared license is reported as allowed"
        );
    }
    let mut bytes = match args.format {
        FindingsFormat::Table => table(&report, policy.unknown).into_bytes(),
        FindingsFormat::Json => serde_json::to_vec_pretty(&json!({
            "components": report.components,
            "expressions": report.expressions,
            "denied": report.denied,
            "invalid": report.invalid,
            "undeclared": report.undeclared,
            "unknown": policy.unknown,
            "not_checked": inventory.problems,
        }))?,
        FindingsFormat::Sarif => {
            serde_json::to_vec_pretty(&sarif(&report, policy.unknown, &args.path))?
        }
    };
    if args.format != FindingsFormat::Table {
        bytes.push(b'\n');
    }
    write_output(args.output.as_deref(), &bytes, FileMode::Public)?;
    let failing = !report.denied.is_empty()
        || !report.invalid.is_empty()
        || (policy.unknown == Unknown::Deny && !report.undeclared.is_empty())
        || !inventory.problems.is_empty();
    Ok(if failing {
        Outcome::Findings
    } else {
        Outcome::Success
    })
}

fn table(report: &LicenseReport, unknown: Unknown) -> String {
    let mut s = String::new();
    for f in &report.denied {
        if let Verdict::Denied {
            expression,
            failing,
        } = &f.verdict
        {
            let _ = writeln!(s, "denied     {} {}  {expression}", f.name, f.version);
            for why in failing {
                let _ = writeln!(s, "    {why}");
            }
        }
    }
    for f in &report.invalid {
        if let Verdict::Invalid { text, error } = &f.verdict {
            let _ = writeln!(s, "invalid    {} {}  {text:?}: {error}", f.name, f.version);
        }
    }
    let shown = 20;
    for f in report.undeclared.iter().take(shown) {
        let _ = writeln!(s, "undeclared {} {}  ({})", f.name, f.version, f.purl);
    }
    if report.undeclared.len() > shown {
        let _ = writeln!(
            s,
            "undeclared … and {} more (--format json lists them all)",
            report.undeclared.len() - shown
        );
    }
    let _ = writeln!(s, "licenses:");
    for (expression, n) in &report.expressions {
        let _ = writeln!(s, "  {n:>6}  {expression}");
    }
    let _ = writeln!(
        s,
        "{} components: {} denied, {} not SPDX expressions, {} without a declared license{}",
        report.components,
        report.denied.len(),
        report.invalid.len(),
        report.undeclared.len(),
        if unknown == Unknown::Deny && !report.undeclared.is_empty() {
            " (denied by policy)"
        } else {
            ""
        }
    );
    s
}

fn sarif(report: &LicenseReport, unknown: Unknown, root: &Path) -> serde_json::Value {
    let base = if root.is_file() {
        root.parent().unwrap_or(Path::new("."))
    } else {
        root
    };
    let mut results = Vec::new();
    let mut push = |f: &LicenseFinding, rule: &str, level: &str, text: String| {
        for lockfile in &f.lockfiles {
            let line = std::fs::read_to_string(base.join(lockfile))
                .ok()
                .and_then(|t| super::scan::line_of(&t, &f.name, &f.version));
            let mut location = json!({"physicalLocation": {"artifactLocation": {"uri": lockfile}}});
            if let Some(l) = line {
                location["physicalLocation"]["region"] = json!({"startLine": l + 1});
            }
            results.push(json!({
                "ruleId": rule,
                "level": level,
                "message": {"text": text.clone()},
                "locations": [location],
                "partialFingerprints": {"custodyLicense/v1": format!("{rule}|{}", f.purl)},
                "properties": {"purl": f.purl},
            }));
        }
    };
    for f in &report.denied {
        if let Verdict::Denied {
            expression,
            failing,
        } = &f.verdict
        {
            push(
                f,
                "custody/license-denied",
                "error",
                format!(
                    "{} {} is licensed {expression}: {}",
                    f.name,
                    f.version,
                    failing.join("; ")
                ),
            );
        }
    }
    for f in &report.invalid {
        if let Verdict::Invalid { text, error } = &f.verdict {
            push(
                f,
                "custody/license-invalid",
                "error",
                format!("{} {} declares {text:?}: {error}", f.name, f.version),
            );
        }
    }
    let level = if unknown == Unknown::Deny {
        "error"
    } else {
        "warning"
    };
    for f in &report.undeclared {
        push(
            f,
            "custody/license-undeclared",
            level,
            format!("{} {} declares no license", f.name, f.version),
        );
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "custody",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/custody",
                "rules": [
                    {"id": "custody/license-denied", "shortDescription": {"text": "A dependency's license is not allowed by the policy (MAT-8)"}},
                    {"id": "custody/license-invalid", "shortDescription": {"text": "A dependency's declared license is not an SPDX expression"}},
                    {"id": "custody/license-undeclared", "shortDescription": {"text": "A dependency declares no license"}},
                ],
            }},
            "results": results,
        }],
    })
}
