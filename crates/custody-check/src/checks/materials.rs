//! MAT-1 (the dependency artefacts on disk are the locked ones), MAT-6 (an immutable
//! SBOM of the code), MAT-5 (dependencies only from trusted sources,
//! `[materials.sources]`), MAT-2 and MAT-7 (dependencies scanned for known
//! vulnerabilities), from the lockfiles of the project (less `[materials] exclude`) and
//! the advisory data of `[materials] advisories`.

use super::result;
use crate::catalogue::Control;
use crate::config::Project;
use crate::report::{ControlResult, Evidence, Status};
use custody_license::{LicensePolicy, Unknown, Verdict};
use custody_sbom::Inventory;
use custody_sbom::sources::SourcePolicy;
use custody_vuln::advisory::Kind;

/// The project's inventory and, when advisory data is configured, the scan; computed
/// once for the three controls.
#[derive(Debug)]
pub struct MaterialsOutcome {
    inventory: Result<Inventory, String>,
    scan: Option<Result<custody_vuln::Report, String>>,
    sources: SourcePolicy,
    licenses: Result<(LicensePolicy, custody_license::LicenseReport), String>,
    artefacts: custody_artefacts::Report,
}

pub fn read_project(project: &Project) -> MaterialsOutcome {
    let cfg = &project.config().materials;
    let inventory =
        custody_sbom::inventory_excluding(project.root(), &cfg.exclude).map_err(|e| e.to_string());
    let scan = match (&inventory, cfg.advisories.is_empty()) {
        (_, true) => None,
        (Err(e), false) => Some(Err(e.clone())),
        (Ok(inv), false) => {
            let dirs: Vec<std::path::PathBuf> = cfg
                .advisories
                .iter()
                .map(|d| project.root().join(d))
                .collect();
            let ignore = cfg
                .ignore
                .as_ref()
                .map(|f| custody_vuln::ignore::IgnoreList::load(&project.root().join(f)))
                .transpose();
            Some(
                ignore
                    .and_then(|ignore| {
                        let db = custody_vuln::Database::load(&dirs)?;
                        let mut report = custody_vuln::scan(inv, &db)?;
                        if let Some(list) = ignore {
                            let today =
                                custody_core::time::format_utc(custody_core::time::now_unix());
                            list.apply(&mut report, today.get(..10).unwrap_or_default());
                        }
                        Ok(report)
                    })
                    .map_err(|e| e.to_string()),
            )
        }
    };
    let licenses = match (&inventory, cfg.licenses.validate()) {
        (_, Err(e)) => Err(e),
        (Err(e), _) => Err(e.clone()),
        (Ok(inv), Ok(())) => {
            let mut inv = inv.clone();
            if let Some(home) = custody_license::cargo_metadata::cargo_home() {
                custody_license::cargo_metadata::fill_licenses(&mut inv, &home);
            }
            Ok((
                cfg.licenses.clone(),
                custody_license::scan(&inv, &cfg.licenses),
            ))
        }
    };
    let artefacts = inventory.as_ref().map_or_else(
        |_| custody_artefacts::Report::default(),
        |inv| {
            let mut locations = custody_artefacts::Locations::from_env();
            locations.python_dirs = cfg
                .artefacts
                .iter()
                .map(|d| project.root().join(d))
                .collect();
            custody_artefacts::verify(project.root(), inv, &locations)
        },
    );
    MaterialsOutcome {
        inventory,
        scan,
        sources: cfg.sources.clone(),
        licenses,
        artefacts,
    }
}

impl MaterialsOutcome {
    /// The project's inventory, when its lockfiles could be read.
    pub fn inventory(&self) -> Option<&Inventory> {
        self.inventory.as_ref().ok()
    }
}

fn unreadable(inv: &Inventory) -> Vec<Evidence> {
    inv.problems
        .iter()
        .map(|p| Evidence::at(p.path.display().to_string(), p.message.clone()))
        .collect()
}

pub(super) fn evaluate(control: &'static Control, outcome: &MaterialsOutcome) -> ControlResult {
    let inv = match &outcome.inventory {
        Ok(inv) => inv,
        Err(e) => {
            return result(
                control,
                Status::Fail,
                "the project's lockfiles could not be read".into(),
                vec![Evidence::note(e.clone())],
                Some("fix [materials] exclude in custody.toml"),
            );
        }
    };
    if inv.projects.is_empty() && inv.problems.is_empty() {
        return result(
            control,
            Status::NotApplicable,
            format!(
                "no lockfile custody reads ({})",
                custody_sbom::discover::LockfileKind::NAMES.join(", ")
            ),
            vec![],
            None,
        );
    }
    if !inv.problems.is_empty() {
        return result(
            control,
            Status::Fail,
            format!("{} lockfile(s) could not be read", inv.problems.len()),
            unreadable(inv),
            Some("fix or exclude ([materials] exclude) the lockfiles named"),
        );
    }
    match control.id {
        "MAT-1" => artefacts(control, &outcome.artefacts),
        "MAT-6" => sbom(control, inv),
        "MAT-5" => sources(control, inv, &outcome.sources),
        "MAT-8" => licenses(control, &outcome.licenses),
        _ => vulns(control, inv, outcome.scan.as_ref()),
    }
}

fn licenses(
    control: &'static Control,
    outcome: &Result<(LicensePolicy, custody_license::LicenseReport), String>,
) -> ControlResult {
    let (policy, report) = match outcome {
        Ok(x) => x,
        Err(e) => {
            return result(
                control,
                Status::Fail,
                "the license policy cannot be applied".into(),
                vec![Evidence::note(e.clone())],
                Some("fix [materials.licenses] in custody.toml"),
            );
        }
    };
    let mut overview: Vec<(&String, &usize)> = report.expressions.iter().collect();
    overview.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let overview = Evidence::note(format!(
        "{} third-party components; licenses: {}",
        report.components,
        overview
            .iter()
            .take(12)
            .map(|(e, n)| format!("{e} ({n})"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if !policy.is_configured() {
        return result(
            control,
            Status::NotConfigured,
            format!(
                "{} components' licenses read; no policy to judge them by",
                report.components
            ),
            vec![overview],
            Some(
                "set [materials.licenses] in custody.toml: allow = [...], deny = [...], deny_categories = [\"Copyleft\"]",
            ),
        );
    }
    let mut evidence: Vec<Evidence> = Vec::new();
    for f in report
        .denied
        .iter()
        .chain(&report.invalid)
        .take(MAX_SOURCE_EVIDENCE)
    {
        let what = match &f.verdict {
            Verdict::Denied {
                expression,
                failing,
            } => format!("{expression}: {}", failing.join("; ")),
            Verdict::Invalid { text, error } => {
                format!("{text:?} is not an SPDX expression: {error}")
            }
            _ => String::new(),
        };
        evidence.push(Evidence::at(
            f.lockfiles.join(", "),
            format!("{} {}: {what}", f.name, f.version),
        ));
    }
    let undeclared_fails = policy.unknown == Unknown::Deny && !report.undeclared.is_empty();
    if !report.undeclared.is_empty() {
        evidence.push(Evidence::note(format!(
            "{} component(s) declare no license: {}{}",
            report.undeclared.len(),
            report
                .undeclared
                .iter()
                .take(10)
                .map(|f| format!("{} {}", f.name, f.version))
                .collect::<Vec<_>>()
                .join(", "),
            if report.undeclared.len() > 10 {
                ", …"
            } else {
                ""
            }
        )));
    }
    evidence.push(overview);
    let bad = report.denied.len() + report.invalid.len();
    if bad > 0 || undeclared_fails {
        return result(
            control,
            Status::Fail,
            format!(
                "{bad} dependenc{} with a license the policy does not allow{}",
                if bad == 1 { "y" } else { "ies" },
                if undeclared_fails {
                    format!(", {} without a declared license", report.undeclared.len())
                } else {
                    String::new()
                }
            ),
            evidence,
            Some("replace them, or change [materials.licenses] if the license is acceptable"),
        );
    }
    if !report.undeclared.is_empty() {
        return result(
            control,
            Status::Warn,
            format!(
                "every declared license is allowed; {} component(s) declare none",
                report.undeclared.len()
            ),
            evidence,
            Some(
                "find their licenses (custody scan licenses lists them); unknown = \"deny\" makes this a failure",
            ),
        );
    }
    result(
        control,
        Status::Pass,
        format!("all {} components' licenses are allowed", report.components),
        evidence,
        None,
    )
}

/// Evidence rows at most: a lockfile from a private mirror can make thousands.
const MAX_SOURCE_EVIDENCE: usize = 100;

fn artefacts(control: &'static Control, report: &custody_artefacts::Report) -> ControlResult {
    use custody_artefacts::Status as S;
    let counts = report.counts();
    let count = |s: S| counts.get(&s).copied().unwrap_or(0);
    let summary_note = Evidence::note(format!(
        "{} artefact(s) verified, {} mismatched, {} modified, {} unreadable, {} package(s) without a pinned hash, {} installed but not locked, {} with nothing on disk, {} unpacked with nothing to compare with, {} pinned by git commit, {} of unsupported ecosystems",
        count(S::Verified),
        count(S::Mismatch),
        count(S::Modified),
        count(S::Unreadable),
        count(S::NoHash),
        count(S::NotInLockfile),
        count(S::Absent),
        count(S::Unverifiable),
        count(S::GitPinned),
        count(S::Unsupported),
    ));
    let failures: Vec<&custody_artefacts::Check> = report.failures().collect();
    if !failures.is_empty() {
        let mut evidence: Vec<Evidence> = failures
            .iter()
            .take(MAX_SOURCE_EVIDENCE)
            .map(|c| {
                let mut text = format!("{}: {}", c.purl, c.status.describe());
                if let Some(a) = &c.artefact {
                    text.push_str(&format!(" ({})", a.display()));
                }
                if let Some(d) = &c.detail {
                    text.push_str(&format!(": {d}"));
                }
                Evidence::at(c.lockfile.display().to_string(), text)
            })
            .collect();
        if failures.len() > MAX_SOURCE_EVIDENCE {
            evidence.push(Evidence::note(format!(
                "and {} more (custody deps verify lists them all)",
                failures.len() - MAX_SOURCE_EVIDENCE
            )));
        }
        evidence.push(summary_note);
        return result(
            control,
            Status::Fail,
            format!(
                "{} dependency artefact(s) or lockfile pin(s) fail verification",
                failures.len()
            ),
            evidence,
            Some(
                "run `custody deps verify`; re-fetch mismatched artefacts from the registry (clear the cache entry) and pin a hash for every dependency",
            ),
        );
    }
    let verified = count(S::Verified);
    let unchecked = count(S::Absent) + count(S::Unverifiable) + count(S::Unsupported);
    if verified == 0 {
        return result(
            control,
            Status::Warn,
            "no dependency artefact is on disk to verify".into(),
            vec![summary_note],
            Some(
                "run custody check where the dependencies are fetched (after `cargo fetch`, `npm ci`, `go mod download`), or list wheel directories in [materials] artefacts",
            ),
        );
    }
    if unchecked > 0 {
        return result(
            control,
            Status::Warn,
            format!(
                "{verified} artefact(s) match their lockfile hashes; {unchecked} package(s) could not be checked"
            ),
            vec![summary_note],
            Some("`custody deps verify --format json` lists the packages not checked"),
        );
    }
    result(
        control,
        Status::Pass,
        format!("all {verified} dependency artefacts on disk match their lockfile hashes"),
        vec![summary_note],
        None,
    )
}

fn sources(control: &'static Control, inv: &Inventory, policy: &SourcePolicy) -> ControlResult {
    let report = policy.check(inv);
    let c = &report.counts;
    let summary_note = Evidence::note(format!(
        "{} third-party components: {} from registries, {} git, {} directories, {} plain URLs, {} of unknown origin; trusted registries: {}",
        report.checked,
        c.registry,
        c.git,
        c.path,
        c.url,
        c.unknown,
        policy.registries.join(", ")
    ));
    if report.untrusted.is_empty() {
        return result(
            control,
            Status::Pass,
            format!(
                "all {} third-party components come from trusted sources",
                report.checked
            ),
            vec![summary_note],
            None,
        );
    }
    let mut evidence: Vec<Evidence> = report
        .untrusted
        .iter()
        .take(MAX_SOURCE_EVIDENCE)
        .map(|u| {
            Evidence::at(
                u.lockfile.display().to_string(),
                format!("{}: {}", u.purl, u.reason),
            )
        })
        .collect();
    if report.untrusted.len() > MAX_SOURCE_EVIDENCE {
        evidence.push(Evidence::note(format!(
            "and {} more (custody deps sources lists them all)",
            report.untrusted.len() - MAX_SOURCE_EVIDENCE
        )));
    }
    evidence.push(summary_note);
    result(
        control,
        Status::Fail,
        format!(
            "{} of {} third-party components come from sources custody.toml does not trust",
            report.untrusted.len(),
            report.checked
        ),
        evidence,
        Some(
            "take them from a trusted registry, or list their registry, git or URL prefix in [materials.sources] of custody.toml",
        ),
    )
}

fn sbom(control: &'static Control, inv: &Inventory) -> ControlResult {
    let options = custody_sbom::cyclonedx::Options {
        name: "project".into(),
        ..Default::default()
    };
    let first = custody_sbom::cyclonedx::document(inv, &options);
    let again = custody_sbom::cyclonedx::document(inv, &options);
    let components: usize = inv.merged().len();
    let serial = serde_json::from_slice::<serde_json::Value>(&first)
        .ok()
        .and_then(|v| v["serialNumber"].as_str().map(str::to_owned))
        .unwrap_or_default();
    if first != again {
        return result(
            control,
            Status::Fail,
            "the SBOM is not deterministic".into(),
            vec![Evidence::note(
                "two generations from the same lockfiles differ",
            )],
            Some("report this as a custody bug"),
        );
    }
    let mut evidence: Vec<Evidence> = inv
        .projects
        .iter()
        .map(|p| {
            Evidence::at(
                p.lockfile.display().to_string(),
                format!("{} components", p.components.len()),
            )
        })
        .collect();
    evidence.push(Evidence::note(format!(
        "CycloneDX 1.6 serial {serial}, derived from the content: the same lockfiles give the same SBOM (custody sbom generate)"
    )));
    result(
        control,
        Status::Pass,
        format!(
            "deterministic SBOM of {components} components from {} lockfile(s)",
            inv.projects.len()
        ),
        evidence,
        None,
    )
}

fn vulns(
    control: &'static Control,
    inv: &Inventory,
    scan: Option<&Result<custody_vuln::Report, String>>,
) -> ControlResult {
    let Some(scan) = scan else {
        return result(
            control,
            Status::NotConfigured,
            format!(
                "{} lockfile(s) not scanned: no advisory data configured",
                inv.projects.len()
            ),
            vec![],
            Some(
                "set [materials] advisories = [\"path/to/advisory-db\"] in custody.toml (RustSec or OSV data, kept up to date locally)",
            ),
        );
    };
    let report = match scan {
        Ok(r) => r,
        Err(e) => {
            return result(
                control,
                Status::Fail,
                "the vulnerability scan could not run".into(),
                vec![Evidence::note(e.clone())],
                Some("fix [materials] advisories in custody.toml"),
            );
        }
    };
    let evidence_of = |f: &custody_vuln::Finding| {
        Evidence::at(
            f.lockfiles.join(", "),
            format!(
                "{} {} {}: {} ({})",
                f.ids.join(", "),
                f.package,
                f.version,
                f.summary,
                match f.kind {
                    Kind::Vulnerability => f.severity.name(),
                    informational => informational.name(),
                }
            ),
        )
    };
    let vulnerable: Vec<&custody_vuln::Finding> = report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Vulnerability)
        .collect();
    let scope = format!(
        "{} components against {} advisories{}",
        report.components,
        report.advisories,
        if report.ignored.is_empty() {
            String::new()
        } else {
            format!(
                "; accepted by [materials] ignore: {}",
                report
                    .ignored
                    .iter()
                    .map(|i| format!(
                        "{} {} {} until {} ({})",
                        i.finding.ids.join(", "),
                        i.finding.package,
                        i.finding.version,
                        i.entry.expires,
                        i.entry.reason
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        }
    );
    if !vulnerable.is_empty() {
        let mut evidence: Vec<Evidence> = vulnerable.iter().map(|f| evidence_of(f)).collect();
        evidence.push(Evidence::note(scope));
        return result(
            control,
            Status::Fail,
            format!(
                "{} known vulnerabilit{} in dependencies",
                vulnerable.len(),
                if vulnerable.len() == 1 { "y" } else { "ies" }
            ),
            evidence,
            Some(
                "upgrade to a fixed version (custody scan vulns shows them), or remove the dependency",
            ),
        );
    }
    if !report.findings.is_empty() {
        let mut evidence: Vec<Evidence> = report.findings.iter().map(evidence_of).collect();
        evidence.push(Evidence::note(scope));
        return result(
            control,
            Status::Warn,
            format!(
                "no known vulnerability; {} informational advisories",
                report.findings.len()
            ),
            evidence,
            Some("replace unmaintained or unsound dependencies"),
        );
    }
    result(
        control,
        Status::Pass,
        format!("no known vulnerability in {} components", report.components),
        vec![Evidence::note(scope)],
        None,
    )
}
