//! `custody deps …`: where dependencies come from.

use crate::cli::{DepsCommand, DepsSourcesArgs, FindingsFormat};
use crate::exit::Outcome;
use crate::io::write_output;
use anyhow::{Result, bail};
use custody_core::atomic::FileMode;
use custody_sbom::Source;
use custody_sbom::sources::SourceReport;
use serde_json::json;
use std::fmt::Write as _;
use std::path::Path;

pub fn run(cmd: DepsCommand) -> Result<Outcome> {
    match cmd {
        DepsCommand::Sources(args) => sources(&args),
    }
}

fn sources(args: &DepsSourcesArgs) -> Result<Outcome> {
    let settings = super::sbom::materials_settings(&args.path)?;
    let mut exclude = settings.exclude.clone();
    exclude.extend(args.exclude.iter().cloned());
    let inventory = custody_sbom::inventory_excluding(&args.path, &exclude)?;
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
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "custody",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/custody",
                "rules": [{
                    "id": "custody/untrusted-source",
                    "shortDescription": {"text": "A dependency comes from a source custody.toml does not trust (MAT-5)"},
                    "properties": {"tags": ["security", "supply-chain"]},
                }],
            }},
            "results": results,
        }],
    })
}
