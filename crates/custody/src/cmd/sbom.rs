//! `custody sbom …`: software bills of materials.

use crate::cli::{CycloneDxVersion, SbomCommand, SbomFormat, SbomGenerateArgs};
use crate::exit::Outcome;
use crate::io::write_output;
use anyhow::{Context as _, Result, bail};
use custody_core::atomic::FileMode;
use custody_sbom::discover::LockfileKind;
use custody_sbom::{cyclonedx, spdx};

pub fn run(cmd: SbomCommand) -> Result<Outcome> {
    match cmd {
        SbomCommand::Generate(args) => generate(&args),
    }
}

/// `SOURCE_DATE_EPOCH`, the reproducible-builds convention for "the time of this
/// build"; unset means no time at all.
pub(crate) fn source_date_epoch() -> Result<Option<i64>> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<i64>()
            .map(Some)
            .with_context(|| format!("SOURCE_DATE_EPOCH={v:?} is not a number of seconds")),
        _ => Ok(None),
    }
}

/// The name of what was scanned: the directory's (or lockfile's directory's) name.
fn scanned_name(path: &std::path::Path) -> String {
    let full = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = if full.is_file() {
        full.parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or(full)
    } else {
        full
    };
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ".".to_owned())
}

/// `[materials]` of the custody.toml at PATH (a directory), with advisory paths made
/// relative to it; defaults when there is none.
pub(crate) fn materials_settings(
    path: &std::path::Path,
) -> Result<custody_check::config::MaterialsConfig> {
    if !path.join(custody_check::config::CONFIG_FILE).is_file() {
        return Ok(custody_check::config::MaterialsConfig::default());
    }
    let project = custody_check::config::Project::open(path)?;
    let mut m = project.config().materials.clone();
    m.advisories = m.advisories.iter().map(|d| path.join(d)).collect();
    Ok(m)
}

fn generate(args: &SbomGenerateArgs) -> Result<Outcome> {
    let timestamp = source_date_epoch()?;
    let settings = materials_settings(&args.path)?;
    let mut exclude = settings.exclude;
    exclude.extend(args.exclude.iter().cloned());
    let inventory = custody_sbom::inventory_excluding(&args.path, &exclude)?;
    for p in &inventory.problems {
        eprintln!(
            "custody: skipped {}: {}",
            args.path.join(&p.path).display(),
            p.message
        );
    }
    if inventory.projects.is_empty() {
        if inventory.problems.is_empty() {
            bail!(
                "no lockfile under {} (custody reads: {})",
                args.path.display(),
                LockfileKind::NAMES.join(", ")
            );
        }
        bail!("no lockfile under {} could be read", args.path.display());
    }
    let name = scanned_name(&args.path);
    let bytes = match args.format {
        SbomFormat::CyclonedxJson => cyclonedx::document(
            &inventory,
            &cyclonedx::Options {
                spec: match args.spec_version {
                    CycloneDxVersion::V1_6 => cyclonedx::SpecVersion::V1_6,
                    CycloneDxVersion::V1_5 => cyclonedx::SpecVersion::V1_5,
                },
                timestamp,
                name,
            },
        ),
        SbomFormat::SpdxJson => spdx::document(&inventory, &spdx::Options { timestamp, name }),
    };
    write_output(args.output.as_deref(), &bytes, FileMode::Public)?;
    if let Some(out) = &args.output {
        let components: usize = inventory.projects.iter().map(|p| p.components.len()).sum();
        eprintln!(
            "custody: wrote {} ({} project(s), {} component entries)",
            out.display(),
            inventory.projects.len(),
            components
        );
    }
    Ok(if inventory.problems.is_empty() {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}
