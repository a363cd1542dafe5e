//! `custody deps …`: where dependencies come from.

use crate::cli::{DepsCommand, DepsSourcesArgs, DepsVerifyArgs, FindingsFormat};
use crate::exit::Outcome;
use crate::io::write_output;
use anyhow::{Result, bail};
use custody_artefacts::{ArtefactKind, Check, Status};
use custody_core::atomic::FileMode;
use custody_sbom::Source;
use custody_sbom::sources::SourceReport;
use serde_json::json;
use std::fmt::Write as _;
use std::path::Path;

pub fn run(cmd: DepsCommand) -> Result<Outcome> {
    match cmd {
        DepsCommand::Sources(args) => sources(&args),
        DepsCommand::Verify(args) => verify(&args),
    }
}

/// The inventory of PATH with `[materials] exclude` and `--exclude` applied; refuses a
/// path without any lockfile and names each one that could not be read.
fn read_inventory(path: &Path, extra_exclude: &[String]) -> Result<custody_sbom::Inventory> {
    let settings = super::sbom::materials_settings(path)?;
    let mut exclude = settings.exclude.clone();
    exclude.extend(extra_exclude.iter().cloned());
    let inventory = custody_sbom::inventory_excluding(path, &exclude)?;
    if inventory.projects.is_empty() && inventory.problems.is_empty() {
        bail!(
            "no lockfile under {} (custody reads: {})",
            path.display(),
            custody_sbom::discover::LockfileKind::NAMES.join(", ")
        );
    }
    for p in &inventory.problems {
        eprintln!(
            "custody: not checked: {}: {}",
            super::shown_problem_path(path, &p.path).display(),
            p.message
        );
    }
    Ok(inventory)
}

fn verify(args: &DepsVerifyArgs) -> Result<Outcome> {
    for dir in &args.artefacts {
        if !dir.is_dir() {
            bail!("--artefacts {}: not a directory", dir.display());
        }
    }
    let settings = super::sbom::materials_settings(&args.path)?;
    let inventory = read_inventory(&args.path, &args.exclude)?;
    let mut locations = custody_artefacts::Locations::from_env();
    if let Some(d) = &args.cargo_home {
        locations.cargo_home = Some(d.clone());
    }
    if let Some(d) = &args.npm_cache {
        locations.npm_cache = Some(d.clone());
    }
    if let Some(d) = &args.go_mod_cache {
        locations.go_mod_cache = Some(d.clone());
    }
    locations.python_dirs = settings.artefacts;
    locations.python_dirs.extend(args.artefacts.iter().cloned());
    let report = custody_artefacts::verify(&args.path, &inventory, &locations);
    let is_finding = |s: Status| {
        s.is_failure()
            || (args.require_present && matches!(s, Status::Absent | Status::Unverifiable))
    };
    let findings = report
        .checks
        .iter()
        .filter(|c| is_finding(c.status))
        .count();
    let mut bytes = match args.format {
        FindingsFormat::Table => verify_table(&report, &inventory, &is_finding).into_bytes(),
        FindingsFormat::Json => serde_json::to_vec_pretty(&json!({
            "counts": report.counts(),
            "findings": findings,
            "checks": report.checks,
            "locations": {
                "cargo_home": locations.cargo_home,
                "npm_cache": locations.npm_cache,
                "go_mod_cache": locations.go_mod_cache,
                "python_dirs": locations.python_dirs,
            },
            "not_checked": inventory.problems,
        }))?,
        FindingsFormat::Sarif => {
            serde_json::to_vec_pretty(&verify_sarif(&report, &args.path, &is_finding))?
        }
    };
    if args.format != FindingsFormat::Table {
        bytes.push(b'\n');
    }
    write_output(args.output.as_deref(), &bytes, FileMode::Public)?;
    let counts = report.counts();
    if !counts.contains_key(&Status::Verified) && counts.contains_key(&Status::Absent) {
        eprintln!(
            "custody: nothing was verified: no artefact of any package is on disk where custody looked (see --help: --cargo-home, --npm-cache, --go-mod-cache, --artefacts)"
        );
    }
    Ok(if findings == 0 && inventory.problems.is_empty() {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}

/// A digest as the lockfile writes it: Go's `h1:` for modules, else the algorithm and hex.
fn hash_text(kind: Option<ArtefactKind>, h: &custody_sbom::component::Hash) -> String {
    match kind {
        Some(ArtefactKind::GoModuleZip | ArtefactKind::GoModuleDir) => {
            custody_artefacts::dirhash::to_h1(h)
        }
        _ => format!("{} {}", h.alg.cyclonedx_name(), h.hex),
    }
}

/// What went wrong with one check, in a sentence.
fn verify_message(c: &Check) -> String {
    let what = c.kind.map_or("package", ArtefactKind::describe);
    match c.status {
        Status::Mismatch => format!(
            "{what} has {}, the lockfile pins {}",
            c.actual
                .as_ref()
                .map_or_else(String::new, |h| hash_text(c.kind, h)),
            c.expected
                .iter()
                .map(|h| hash_text(c.kind, h))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        Status::NoHash => "the lockfile pins no hash for it".into(),
        Status::Absent => "nothing on disk to check".into(),
        Status::Modified => format!("{what} differs from what was verified"),
        Status::Unreadable => format!("{what} could not be read, so it is not verified"),
        Status::NotInLockfile => format!("{what} installed, but the lockfile has no {}", c.version),
        _ => c.status.describe().to_owned(),
    }
}

fn verify_table(
    report: &custody_artefacts::Report,
    inventory: &custody_sbom::Inventory,
    is_finding: &dyn Fn(Status) -> bool,
) -> String {
    let mut s = String::new();
    let mut quiet: std::collections::BTreeMap<Status, Vec<&Check>> =
        std::collections::BTreeMap::new();
    for c in &report.checks {
        if is_finding(c.status) {
            let _ = writeln!(s, "{}  {}", c.status.describe(), c.purl);
            if let Some(a) = &c.artefact {
                let _ = writeln!(s, "    {}", a.display());
            }
            let _ = writeln!(s, "    {}; in {}", verify_message(c), c.lockfile.display());
            if let Some(d) = &c.detail {
                let _ = writeln!(s, "    {d}");
            }
        } else if c.status != Status::Verified {
            quiet.entry(c.status).or_default().push(c);
        }
    }
    for (status, checks) in &quiet {
        let mut shown: Vec<String> = checks.iter().take(5).map(|c| c.purl.clone()).collect();
        if checks.len() > 5 {
            shown.push(format!(
                "and {} more (--format json lists them)",
                checks.len() - 5
            ));
        }
        let _ = writeln!(
            s,
            "{} ({}): {}",
            status.describe(),
            checks.len(),
            shown.join(", ")
        );
    }
    let mut verified: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for c in report
        .checks
        .iter()
        .filter(|c| c.status == Status::Verified)
    {
        *verified
            .entry(c.kind.map_or("package", ArtefactKind::describe))
            .or_insert(0) += 1;
    }
    let kinds: Vec<String> = verified.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let findings = report
        .checks
        .iter()
        .filter(|c| is_finding(c.status))
        .count();
    let _ = writeln!(
        s,
        "{} lockfile(s): {} artefact(s) verified{}; {} finding(s)",
        inventory.projects.len(),
        verified.values().sum::<usize>(),
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({})", kinds.join(", "))
        },
        findings
    );
    s
}

/// SARIF 2.1.0: a result per finding at the line of the lockfile that pins the package.
fn verify_sarif(
    report: &custody_artefacts::Report,
    root: &Path,
    is_finding: &dyn Fn(Status) -> bool,
) -> serde_json::Value {
    let base = if root.is_file() {
        root.parent().unwrap_or(Path::new("."))
    } else {
        root
    };
    let mut texts = std::collections::BTreeMap::new();
    let results: Vec<serde_json::Value> = report
        .checks
        .iter()
        .filter(|c| is_finding(c.status))
        .map(|c| {
            let text = texts
                .entry(c.lockfile.clone())
                .or_insert_with(|| std::fs::read_to_string(base.join(&c.lockfile)).ok());
            let line = text
                .as_deref()
                .and_then(|t| super::scan::line_of(t, &c.name, &c.version));
            let mut location =
                json!({"physicalLocation": {"artifactLocation": {"uri": c.lockfile}}});
            if let Some(l) = line {
                location["physicalLocation"]["region"] = json!({"startLine": l + 1});
            }
            let mut message = format!("{}: {}", c.purl, verify_message(c));
            if let Some(a) = &c.artefact {
                message.push_str(&format!(" ({})", a.display()));
            }
            if let Some(d) = &c.detail {
                message.push_str(&format!(": {d}"));
            }
            json!({
                "ruleId": "custody/unverified-artefact",
                "level": "error",
                "message": {"text": message},
                "locations": [location],
                "partialFingerprints": {"custodyArtefact/v1": format!("{}|{:?}|{:?}", c.purl, c.kind, c.status)},
                "properties": {"purl": c.purl, "status": c.status, "artefact": c.artefact},
            })
        })
        .collect();
    one_rule_sarif(
        "custody/unverified-artefact",
        "A dependency artefact on disk is not the one its lockfile pins, or cannot be shown to be (MAT-1)",
        results,
    )
}

fn sources(args: &DepsSourcesArgs) -> Result<Outcome> {
    let settings = super::sbom::materials_settings(&args.path)?;
    let inventory = read_inventory(&args.path, &args.exclude)?;
    let policy = &settings.sources;
    let report = policy.check(&inventory);
    let mut bytes = match args.format {
        FindingsFormat::Table => table(&report, policy).into_bytes(),
        FindingsFormat::Json => serde_json::to_vec_pretty(&json!({
            "checked": report.checked,
            "counts": report.counts,
            "untrusted": report.untrusted,
            "trusted": {
                "registries": policy.registries,
                "git": policy.git,
                "urls": policy.urls,
                "paths_outside": policy.paths_outside,
            },
            "not_checked": inventory.problems,
        }))?,
        FindingsFormat::Sarif => serde_json::to_vec_pretty(&sarif(&report, &args.path))?,
    };
    if args.format != FindingsFormat::Table {
        bytes.push(b'\n');
    }
    write_output(args.output.as_deref(), &bytes, FileMode::Public)?;
    Ok(
        if report.untrusted.is_empty() && inventory.problems.is_empty() {
            Outcome::Success
        } else {
            Outcome::Findings
        },
    )
}

fn source_text(s: &Source) -> String {
    match s {
        Source::Registry { url } => format!("registry {url}"),
        Source::Git { url, rev } => match rev {
            Some(r) => format!("git {url}#{r}"),
            None => format!("git {url}"),
        },
        Source::Path { path } => format!("directory {path}"),
        Source::Url { url } => format!("URL {url}"),
        Source::Unknown => "unknown".into(),
    }
}

fn table(report: &SourceReport, policy: &custody_sbom::sources::SourcePolicy) -> String {
    let mut s = String::new();
    for u in &report.untrusted {
        let _ = writeln!(
            s,
            "{}  {}\n    {}; in {}",
            u.purl,
            source_text(&u.source),
            u.reason,
            u.lockfile.display()
        );
    }
    let c = &report.counts;
    let _ = writeln!(
        s,
        "{} third-party component(s): {} from registries, {} git, {} directories, {} plain URLs, {} unknown",
        report.checked, c.registry, c.git, c.path, c.url, c.unknown
    );
    let _ = writeln!(s, "trusted registries: {}", policy.registries.join(", "));
    if report.untrusted.is_empty() {
        let _ = writeln!(s, "every dependency comes from a trusted source");
    } else {
        let _ = writeln!(
            s,
            "{} dependenc{} from untrusted sources",
            report.untrusted.len(),
            if report.untrusted.len() == 1 {
                "y"
            } else {
                "ies"
            }
        );
    }
    s
}

/// SARIF 2.1.0: one rule (untrusted source), a result per dependency at the line of its
/// lockfile that pins it.
fn sarif(report: &SourceReport, root: &Path) -> serde_json::Value {
    let base = if root.is_file() {
        root.parent().unwrap_or(Path::new("."))
    } else {
        root
    };
    let results: Vec<serde_json::Value> = report
        .untrusted
        .iter()
        .map(|u| {
            let line = std::fs::read_to_string(base.join(&u.lockfile))
                .ok()
                .and_then(|t| super::scan::line_of(&t, &u.name, &u.version));
            let mut location =
                json!({"physicalLocation": {"artifactLocation": {"uri": u.lockfile}}});
            if let Some(l) = line {
                location["physicalLocation"]["region"] = json!({"startLine": l + 1});
            }
            json!({
                "ruleId": "custody/untrusted-source",
                "level": "error",
                "message": {"text": format!("{}: {}", u.purl, u.reason)},
                "locations": [location],
                "partialFingerprints": {"custodySource/v1": format!("{}|{}", u.purl, source_text(&u.source))},
                "properties": {"purl": u.purl, "source": u.source},
            })
        })
        .collect();
    one_rule_sarif(
        "custody/untrusted-source",
        "A dependency comes from a source custody.toml does not trust (MAT-5)",
        results,
    )
}

/// A SARIF 2.1.0 document of one rule and its results.
fn one_rule_sarif(
    rule: &str,
    description: &str,
    results: Vec<serde_json::Value>,
) -> serde_json::Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "custody",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/custody",
                "rules": [{
                    "id": rule,
                    "shortDescription": {"text": description},
                    "properties": {"tags": ["security", "supply-chain"]},
                }],
            }},
            "results": results,
        }],
    })
}
