//! `custody scan …`: software composition analysis.

use crate::cli::{FailOn, ScanCommand, ScanVulnsArgs, VulnFormat};
use crate::exit::Outcome;
use crate::io::write_output;
use anyhow::{Result, bail};
use custody_core::atomic::FileMode;
use custody_vuln::advisory::Kind;
use custody_vuln::cvss::Level;
use custody_vuln::{Database, Report};
use serde_json::json;

pub fn run(cmd: ScanCommand) -> Result<Outcome> {
    match cmd {
        ScanCommand::Vulns(args) => vulns(&args),
    }
}

/// Whether a finding fails the scan at this threshold. A vulnerability without a score
/// fails at every level: not knowing how bad it is is not a reason to let it through.
fn fails(f: &custody_vuln::Finding, fail_on: FailOn) -> bool {
    if f.kind != Kind::Vulnerability {
        return false;
    }
    let floor = match fail_on {
        FailOn::Never => return false,
        FailOn::Low => return true,
        FailOn::Medium => Level::Medium,
        FailOn::High => Level::High,
        FailOn::Critical => Level::Critical,
    };
    f.severity == Level::Unknown || f.severity >= floor
}

fn vulns(args: &ScanVulnsArgs) -> Result<Outcome> {
    let settings = super::sbom::materials_settings(&args.path)?;
    let mut exclude = settings.exclude;
    exclude.extend(args.exclude.iter().cloned());
    let db_paths = if args.db.is_empty() {
        settings.advisories
    } else {
        args.db.clone()
    };
    if db_paths.is_empty() {
        bail!(
            "no advisory data: give --db DIR (a RustSec advisory-db or OSV records), set CUSTODY_VULN_DB, or set [materials] advisories in custody.toml"
        );
    }
    let inventory = custody_sbom::inventory_excluding(&args.path, &exclude)?;
    if inventory.projects.is_empty() && inventory.problems.is_empty() {
        bail!(
            "no lockfile under {} (custody reads: {})",
            args.path.display(),
            custody_sbom::discover::LockfileKind::NAMES.join(", ")
        );
    }
    let db = Database::load(&db_paths)?;
    if !db.problems.is_empty() {
        eprintln!(
            "custody: {} advisory file(s) could not be read and were left out, e.g. {}: {}",
            db.problems.len(),
            db.problems[0].path.display(),
            db.problems[0].message
        );
    }
    for p in &inventory.problems {
        eprintln!(
            "custody: not scanned: {}: {}",
            args.path.join(&p.path).display(),
            p.message
        );
    }
    let report = custody_vuln::scan(&inventory, &db);
    for (eco, n) in &report.unordered {
        eprintln!(
            "custody: {n} {eco} component(s) were matched by exact versions only (custody does not order {eco} versions yet)"
        );
    }
    if !report.unpinned.is_empty() {
        eprintln!(
            "custody: {} requirement(s) without an exact version could not be checked (pin them, e.g. with pip-compile): {}",
            report.unpinned.len(),
            report
                .unpinned
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let bytes = match args.format {
        VulnFormat::Table => table(&report).into_bytes(),
        VulnFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&json!({
                "components": report.components,
                "advisories": report.advisories,
                "findings": report.findings,
                "unordered": report.unordered,
                "unpinned": report.unpinned,
                "not_scanned": inventory.problems,
                "unreadable_advisories": db.problems,
            }))?;
            v.push(b'\n');
            v
        }
    };
    write_output(args.output.as_deref(), &bytes, FileMode::Public)?;
    let failing = report
        .findings
        .iter()
        .filter(|f| fails(f, args.fail_on))
        .count();
    Ok(if failing > 0 || !inventory.problems.is_empty() {
        Outcome::Findings
    } else {
        Outcome::Success
    })
}

fn table(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let mut names = f.ids.join(", ");
        if !f.aliases.is_empty() {
            names.push_str(&format!(" ({})", f.aliases.join(", ")));
        }
        let severity = match (f.kind, f.score) {
            (Kind::Vulnerability, Some(s)) => format!("{} {s:.1}", f.severity.name()),
            (Kind::Vulnerability, None) => "severity unknown".to_owned(),
            (Kind::Unmaintained, _) => "unmaintained".to_owned(),
            (Kind::Unsound, _) => "unsound".to_owned(),
            (Kind::Notice, _) => "notice".to_owned(),
        };
        out.push_str(&format!(
            "{}  {} {}  {}  ({}, {})\n",
            names,
            f.package,
            f.version,
            severity,
            if f.direct { "direct" } else { "transitive" },
            match f.scope {
                custody_sbom::Scope::Runtime => "runtime",
                custody_sbom::Scope::Optional => "optional",
                custody_sbom::Scope::Build => "build",
                custody_sbom::Scope::Dev => "dev",
            }
        ));
        if !f.summary.is_empty() {
            out.push_str(&format!("    {}\n", f.summary));
        }
        let fixed = if f.fixed.is_empty() {
            "no fixed version".to_owned()
        } else {
            format!("fixed: {}", f.fixed.join(" or "))
        };
        out.push_str(&format!("    {fixed}; in {}\n", f.lockfiles.join(", ")));
    }
    let vulns = report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Vulnerability)
        .count();
    out.push_str(&format!(
        "{} vulnerabilit{} and {} informational warning(s) in {} components ({} advisories)\n",
        vulns,
        if vulns == 1 { "y" } else { "ies" },
        report.findings.len() - vulns,
        report.components,
        report.advisories
    ));
    out
}
