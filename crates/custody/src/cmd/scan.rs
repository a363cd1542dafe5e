//! `custody scan …`: software composition analysis.

use crate::cli::{FailOn, ScanCommand, ScanVulnsArgs, VulnsFormat};
use crate::exit::Outcome;
use crate::io::write_output;
use anyhow::{Result, bail};
use custody_core::atomic::FileMode;
use custody_vuln::advisory::Kind;
use custody_vuln::cvss::Level;
use custody_vuln::{Database, Report};
use serde_json::json;
use sha2::Digest as _;

pub fn run(cmd: ScanCommand) -> Result<Outcome> {
    match cmd {
        ScanCommand::Vulns(args) => vulns(&args),
        ScanCommand::Licenses(args) => super::licenses::licenses(&args),
        ScanCommand::LicenseTexts(args) => super::licenses::license_texts(&args),
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
    // The database opens on another thread while the lockfiles are read: a tenth of a
    // 20,000-component scan.
    let (inventory, db) = std::thread::scope(|scope| {
        let db = scope.spawn(|| Database::load(&db_paths));
        let inventory = custody_sbom::inventory_excluding(&args.path, &exclude);
        let db = db
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (inventory, db)
    });
    let inventory = inventory?;
    if inventory.projects.is_empty() && inventory.problems.is_empty() {
        bail!(
            "no lockfile under {} (custody reads: {})",
            args.path.display(),
            custody_sbom::discover::LockfileKind::NAMES.join(", ")
        );
    }
    let db = db?;
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
            super::shown_problem_path(&args.path, &p.path).display(),
            p.message
        );
    }
    let mut report = custody_vuln::scan(&inventory, &db)?;
    let ignore_file = args.ignore.clone().or(settings.ignore);
    if let Some(path) = &ignore_file {
        let list = custody_vuln::ignore::IgnoreList::load(path)?;
        let today = custody_core::time::format_utc(custody_core::time::now_unix());
        let applied = list.apply(&mut report, today.get(..10).unwrap_or_default());
        for e in &applied.expired {
            eprintln!(
                "custody: {}: the entry for {} expired on {} ({}): the finding counts again",
                path.display(),
                e.id,
                e.expires,
                e.reason
            );
        }
        for e in &applied.unused {
            eprintln!(
                "custody: {}: the entry for {} matches no finding (fixed? then remove it)",
                path.display(),
                e.id
            );
        }
    }
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
    for u in &report.undecided {
        eprintln!(
            "custody: {} could not be checked against {}: its version or the advisory's range does not parse",
            u.purl,
            u.advisories.join(", ")
        );
    }
    let bytes = match args.format {
        VulnsFormat::Table | VulnsFormat::Sarif | VulnsFormat::CyclonedxVex => {
            table(&report).into_bytes()
        }
        VulnsFormat::Json => {
            // Serialised straight from the report (no JSON tree in between): tens of
            // thousands of findings are written in milliseconds.
            #[derive(serde::Serialize)]
            struct Json<'a> {
                components: usize,
                advisories: usize,
                findings: &'a [custody_vuln::Finding],
                unordered: &'a std::collections::BTreeMap<String, usize>,
                unpinned: &'a [String],
                undecided: &'a [custody_vuln::Undecided],
                ignored: &'a [custody_vuln::ignore::Ignored],
                not_scanned: &'a [custody_sbom::Problem],
                unreadable_advisories: &'a [custody_vuln::db::Problem],
            }
            // Sized up front: growing a multi-megabyte buffer by doubling copies it
            // several times over.
            let mut v = Vec::with_capacity(4096 + report.findings.len() * 768);
            serde_json::to_writer_pretty(
                &mut v,
                &Json {
                    components: report.components,
                    advisories: report.advisories,
                    findings: &report.findings,
                    unordered: &report.unordered,
                    unpinned: &report.unpinned,
                    undecided: &report.undecided,
                    ignored: &report.ignored,
                    not_scanned: &inventory.problems,
                    unreadable_advisories: &db.problems,
                },
            )?;
            v.push(b'\n');
            v
        }
    };
    let bytes = match args.format {
        VulnsFormat::Sarif => {
            let mut v = serde_json::to_vec_pretty(&sarif(&report, &args.path))?;
            v.push(b'\n');
            v
        }
        VulnsFormat::CyclonedxVex => {
            let mut v = serde_json::to_vec_pretty(&vex(&report)?)?;
            v.push(b'\n');
            v
        }
        _ => bytes,
    };
    write_output(args.output.as_deref(), &bytes, FileMode::Public)?;
    let failing = report
        .findings
        .iter()
        .filter(|f| fails(f, args.fail_on))
        .count();
    // A component that could not be checked is not a clean one.
    let outcome = if failing > 0 || !inventory.problems.is_empty() || !report.undecided.is_empty() {
        Outcome::Findings
    } else {
        Outcome::Success
    };
    // The process ends after this command: handing hundreds of thousands of small
    // allocations back one by one would cost a tenth of a large scan.
    std::mem::forget((inventory, db, report, bytes));
    Ok(outcome)
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
            (informational, _) => informational.name().to_owned(),
        };
        out.push_str(&format!(
            "{}  {} {}  {}  ({}, {})\n",
            names,
            f.package,
            f.version,
            severity,
            if f.direct { "direct" } else { "transitive" },
            f.scope.name()
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
    for i in &report.ignored {
        out.push_str(&format!(
            "ignored until {}: {} {} {}: {}\n",
            i.entry.expires,
            i.finding.ids.join(", "),
            i.finding.package,
            i.finding.version,
            i.entry.reason
        ));
    }
    out.push_str(&format!(
        "{} vulnerabilit{} and {} informational warning(s) in {} components ({} advisories){}\n",
        vulns,
        if vulns == 1 { "y" } else { "ies" },
        report.findings.len() - vulns,
        report.components,
        report.advisories,
        if report.ignored.is_empty() {
            String::new()
        } else {
            format!("; {} accepted by the ignore file", report.ignored.len())
        }
    ));
    out
}

/// The line of a lockfile that names a package at a version: the first line naming the
/// package whose own or next line has the version (`name = "x"` / `version = "1"` in
/// Cargo.lock, `x==1` in requirements files).
pub(crate) fn line_of(text: &str, package: &str, version: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let lower = package.to_ascii_lowercase();
    (0..lines.len()).find(|&i| {
        let l = lines[i].to_ascii_lowercase().replace('_', "-");
        l.contains(&lower.replace('_', "-"))
            && (lines[i].contains(version) || lines.get(i + 1).is_some_and(|n| n.contains(version)))
    })
}

/// Where an advisory ID is published, for VEX `source`s.
fn advisory_source(id: &str) -> serde_json::Value {
    let (name, url) = if id.starts_with("RUSTSEC-") {
        (
            "RustSec",
            format!("https://rustsec.org/advisories/{id}.html"),
        )
    } else if id.starts_with("GHSA-") {
        ("GitHub", format!("https://github.com/advisories/{id}"))
    } else if id.starts_with("GO-") {
        ("Go", format!("https://pkg.go.dev/vuln/{id}"))
    } else if id.starts_with("CVE-") {
        ("NVD", format!("https://nvd.nist.gov/vuln/detail/{id}"))
    } else {
        ("OSV", format!("https://osv.dev/vulnerability/{id}"))
    };
    json!({"name": name, "url": url})
}

/// A CycloneDX 1.6 VEX document: each finding a vulnerability that affects its component,
/// with the advisory's IDs, ratings (every vector custody scores), the fixed versions as
/// the recommendation, and an analysis: `in_triage` for a finding (its version is in an
/// affected range; whether the vulnerable code is reached is for the team to decide) and
/// `not_affected` for one the ignore file accepts, with its reason and expiry as the
/// detail, so that VEX consumers suppress what custody suppresses. Deterministic: no time
/// unless `SOURCE_DATE_EPOCH` is set; the serial number derives from the content.
fn vex(report: &Report) -> Result<serde_json::Value> {
    use std::collections::BTreeMap;
    let mut components: BTreeMap<&str, serde_json::Value> = BTreeMap::new();
    let mut vulnerabilities = Vec::new();
    let all = report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Vulnerability)
        .map(|f| (f, None))
        .chain(
            report
                .ignored
                .iter()
                .filter(|i| i.finding.kind == Kind::Vulnerability)
                .map(|i| (&i.finding, Some(&i.entry))),
        );
    for (f, accepted) in all {
        components.entry(f.purl.as_str()).or_insert_with(|| {
            json!({"type": "library", "bom-ref": f.purl, "name": f.package, "version": f.version, "purl": f.purl})
        });
        let Some(id) = f.ids.first() else { continue };
        let references: Vec<serde_json::Value> = f
            .ids
            .iter()
            .skip(1)
            .chain(&f.aliases)
            .map(|a| json!({"id": a, "source": advisory_source(a)}))
            .collect();
        let ratings: Vec<serde_json::Value> = f
            .vectors
            .iter()
            .filter_map(|v| {
                let (score, method) = if let Some(s) = custody_vuln::cvss::v3_base_score(v) {
                    (
                        s,
                        if v.starts_with("CVSS:3.1/") {
                            "CVSSv31"
                        } else {
                            "CVSSv3"
                        },
                    )
                } else {
                    (custody_vuln::cvss4::v4_score(v)?, "CVSSv4")
                };
                Some(json!({
                    "score": score,
                    "severity": Level::of_score(score).name(),
                    "method": method,
                    "vector": v,
                }))
            })
            .collect();
        let analysis = match accepted {
            None => json!({"state": "in_triage"}),
            Some(e) => json!({
                "state": "not_affected",
                "detail": format!("accepted until {}: {}", e.expires, e.reason),
            }),
        };
        let mut v = json!({
            "bom-ref": format!("{id}/{}", f.purl),
            "id": id,
            "source": advisory_source(id),
            "description": f.summary,
            "affects": [{"ref": f.purl, "versions": [{"version": f.version, "status": "affected"}]}],
            "analysis": analysis,
        });
        if !references.is_empty() {
            v["references"] = json!(references);
        }
        if !ratings.is_empty() {
            v["ratings"] = json!(ratings);
        }
        if !f.fixed.is_empty() {
            v["recommendation"] =
                json!(format!("Upgrade {} to {}", f.package, f.fixed.join(" or ")));
        }
        vulnerabilities.push(v);
    }
    vulnerabilities.sort_by(|a, b| a["bom-ref"].as_str().cmp(&b["bom-ref"].as_str()));
    let mut doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "tools": {"components": [{"type": "application", "name": "custody", "version": env!("CARGO_PKG_VERSION")}]},
        },
        "components": components.into_values().collect::<Vec<_>>(),
        "vulnerabilities": vulnerabilities,
    });
    if let Some(t) = super::sbom::source_date_epoch()? {
        doc["metadata"]["timestamp"] = json!(custody_core::time::format_utc(t));
    }
    let digest = sha2::Sha256::digest(serde_json::to_vec(&doc)?);
    let h = hex::encode(&digest[..16]);
    doc["serialNumber"] = json!(format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ));
    Ok(doc)
}

/// SARIF 2.1.0: a rule per advisory, a result per finding and lockfile, at the line that
/// pins the package; `security-severity` carries the CVSS score as code scanning tools
/// expect.
fn sarif(report: &Report, root: &std::path::Path) -> serde_json::Value {
    let base = if root.is_file() {
        root.parent().unwrap_or(std::path::Path::new("."))
    } else {
        root
    };
    let mut rules = std::collections::BTreeMap::new();
    let mut results = Vec::new();
    let all = report
        .findings
        .iter()
        .map(|f| (f, None))
        .chain(report.ignored.iter().map(|i| (&i.finding, Some(&i.entry))));
    for (f, accepted) in all {
        let id = f.ids.first().cloned().unwrap_or_default();
        rules.entry(id.clone()).or_insert_with(|| {
            let mut r = json!({
                "id": id,
                "shortDescription": {"text": if f.summary.is_empty() { id.clone() } else { f.summary.clone() }},
                "properties": {"tags": ["security", "vulnerability", f.ecosystem]},
            });
            if let Some(s) = f.score {
                r["properties"]["security-severity"] = json!(format!("{s:.1}"));
            }
            if let Some(u) = &f.url {
                r["helpUri"] = json!(u);
            }
            r
        });
        let level = match (f.kind, f.severity) {
            (Kind::Vulnerability, Level::Low | Level::None) => "note",
            (Kind::Vulnerability, Level::Medium) => "warning",
            (Kind::Vulnerability, _) => "error",
            _ => "warning",
        };
        for lockfile in &f.lockfiles {
            let line = std::fs::read_to_string(base.join(lockfile))
                .ok()
                .and_then(|t| line_of(&t, &f.package, &f.version));
            let mut location = json!({"physicalLocation": {"artifactLocation": {"uri": lockfile}}});
            if let Some(l) = line {
                location["physicalLocation"]["region"] = json!({"startLine": l + 1});
            }
            let fixed = if f.fixed.is_empty() {
                "no fixed version".to_owned()
            } else {
                format!("fixed: {}", f.fixed.join(" or "))
            };
            let mut result = json!({
                "ruleId": id,
                "level": level,
                "message": {"text": format!("{} {} {}: {} ({fixed})", f.ids.join(", "), f.package, f.version, f.summary)},
                "locations": [location],
                "partialFingerprints": {"custodyVuln/v1": format!("{id}|{}", f.purl)},
                "properties": {"purl": f.purl, "ids": f.ids, "aliases": f.aliases, "kind": f.kind, "severity": f.severity.name()},
            });
            if let Some(e) = accepted {
                // Code scanning tools show suppressed results as dismissed, with why.
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!("{} (until {})", e.reason, e.expires),
                }]);
            }
            results.push(result);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "custody",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/custody",
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    })
}
