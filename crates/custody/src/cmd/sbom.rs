//! `custody sbom …`: software bills of materials.

use crate::cli::{
    CycloneDxVersion, InfoFormat, SbomCommand, SbomDiffArgs, SbomFormat, SbomGenerateArgs,
    SbomMergeArgs, SbomValidateArgs,
};
use crate::exit::Outcome;
use crate::io::write_output;
use anyhow::{Context as _, Result, bail};
use custody_core::atomic::FileMode;
use custody_sbom::discover::LockfileKind;
use custody_sbom::{cyclonedx, spdx};

pub fn run(cmd: SbomCommand) -> Result<Outcome> {
    match cmd {
        SbomCommand::Generate(args) => generate(&args),
        SbomCommand::Diff(args) => diff(&args),
        SbomCommand::Merge(args) => merge(&args),
        SbomCommand::Validate(args) => validate(&args),
    }
}

fn validate(args: &SbomValidateArgs) -> Result<Outcome> {
    let mut results = Vec::new();
    let mut unreadable = 0;
    for file in &args.files {
        match custody_sbom::validate::validate_file(file) {
            Ok(v) => results.push((file, v)),
            Err(e) => {
                eprintln!("custody: {e}");
                unreadable += 1;
            }
        }
    }
    match args.format {
        InfoFormat::Table => {
            for (file, v) in &results {
                let format = v.format.name();
                if v.is_valid() {
                    println!(
                        "{}: valid {format} {} ({})",
                        file.display(),
                        v.version,
                        v.schema
                    );
                } else {
                    println!(
                        "{}: INVALID {format} {} ({}): {} problem(s)",
                        file.display(),
                        v.version,
                        v.schema,
                        v.problems.len()
                    );
                    for p in &v.problems {
                        let at = if p.pointer.is_empty() {
                            "(document)"
                        } else {
                            &p.pointer
                        };
                        println!("  {at}: {}", p.message);
                    }
                }
            }
        }
        InfoFormat::Json => {
            let docs: Vec<serde_json::Value> = results
                .iter()
                .map(|(file, v)| {
                    serde_json::json!({
                        "file": file,
                        "valid": v.is_valid(),
                        "format": v.format,
                        "version": v.version,
                        "schema": v.schema,
                        "problems": v.problems,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&docs)?);
        }
    }
    if unreadable > 0 {
        anyhow::bail!(
            "{unreadable} of {} file(s) could not be validated",
            args.files.len()
        );
    }
    Ok(if results.iter().all(|(_, v)| v.is_valid()) {
        Outcome::Success
    } else {
        Outcome::Findings
    })
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
    m.ignore = m.ignore.map(|i| path.join(i));
    m.artefacts = m.artefacts.iter().map(|d| path.join(d)).collect();
    Ok(m)
}

fn generate(args: &SbomGenerateArgs) -> Result<Outcome> {
    source_date_epoch()?; // a bad value is an error before any work
    let settings = materials_settings(&args.path)?;
    let mut exclude = settings.exclude;
    exclude.extend(args.exclude.iter().cloned());
    let inventory = custody_sbom::inventory_excluding(&args.path, &exclude)?;
    for p in &inventory.problems {
        eprintln!(
            "custody: skipped {}: {}",
            super::shown_problem_path(&args.path, &p.path).display(),
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
    match &args.attest {
        None => write_document(
            &inventory,
            args.format,
            args.spec_version,
            scanned_name(&args.path),
            args.output.as_deref(),
        )?,
        Some(key) => write_attestation(args, key, &inventory)?,
    }
    Ok(if inventory.problems.is_empty() {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}

/// The SBOM as the predicate of a signed in-toto statement about the files it describes.
fn write_attestation(
    args: &SbomGenerateArgs,
    key: &std::path::Path,
    inventory: &custody_sbom::Inventory,
) -> Result<()> {
    use custody_intoto::attestation::{Subject, predicate_type, sign_statement, statement};
    let password = crate::io::PassphraseSource {
        env: args.password.password_env.clone(),
    };
    let key = super::load_private_key(key, None, &password)?;
    let mut subjects = Vec::new();
    for f in &args.subject {
        subjects.push(Subject::from_file(f)?);
    }
    if subjects.is_empty() {
        for project in &inventory.projects {
            let full = if args.path.is_file() {
                args.path.clone()
            } else {
                args.path.join(&project.lockfile)
            };
            if !full.is_file() {
                continue; // an installed environment, read as a directory
            }
            let mut s = Subject::from_file(&full)?;
            s.name = project.lockfile.to_string_lossy().replace('\\', "/");
            subjects.push(s);
        }
    }
    if subjects.is_empty() {
        bail!("an attestation needs a subject: give --subject FILE (what the SBOM describes)");
    }
    let (bytes, ty) = document_bytes(
        inventory,
        args.format,
        args.spec_version,
        scanned_name(&args.path),
    )?;
    let predicate: serde_json::Value = serde_json::from_slice(&bytes)?;
    let ty = predicate_type(ty)?;
    let envelope = sign_statement(&statement(&subjects, &ty, predicate), &[key])?;
    let mut out = envelope.to_json();
    out.push(b'\n');
    write_output(args.output.as_deref(), &out, FileMode::Public)?;
    if let Some(o) = &args.output {
        eprintln!(
            "custody: wrote {} (a {ty} attestation about {} subject(s))",
            o.display(),
            subjects.len()
        );
    }
    Ok(())
}

/// The document's bytes, and the predicate type alias of its format.
fn document_bytes(
    inventory: &custody_sbom::Inventory,
    format: SbomFormat,
    spec_version: CycloneDxVersion,
    name: String,
) -> Result<(Vec<u8>, &'static str)> {
    let timestamp = source_date_epoch()?;
    Ok(match format {
        SbomFormat::CyclonedxJson => (
            cyclonedx::document(
                inventory,
                &cyclonedx::Options {
                    spec: match spec_version {
                        CycloneDxVersion::V1_6 => cyclonedx::SpecVersion::V1_6,
                        CycloneDxVersion::V1_5 => cyclonedx::SpecVersion::V1_5,
                    },
                    timestamp,
                    name,
                },
            ),
            "cyclonedx",
        ),
        SbomFormat::SpdxJson => (
            spdx::document(inventory, &spdx::Options { timestamp, name }),
            "spdx",
        ),
    })
}

fn write_document(
    inventory: &custody_sbom::Inventory,
    format: SbomFormat,
    spec_version: CycloneDxVersion,
    name: String,
    output: Option<&std::path::Path>,
) -> Result<()> {
    let (bytes, _) = document_bytes(inventory, format, spec_version, name)?;
    write_output(output, &bytes, FileMode::Public)?;
    if let Some(out) = output {
        let components: usize = inventory.projects.iter().map(|p| p.components.len()).sum();
        eprintln!(
            "custody: wrote {} ({} project(s), {} component entries)",
            out.display(),
            inventory.projects.len(),
            components
        );
    }
    Ok(())
}

/// An input of diff or merge, its problems named on stderr; lockfile paths made to name
/// the input they come from, so that inputs with the same file names stay apart.
fn read_input(path: &std::path::Path) -> Result<custody_sbom::Inventory> {
    let settings = materials_settings(path)?;
    let mut inventory = custody_sbom::inventory_excluding(path, &settings.exclude)?;
    for p in &inventory.problems {
        eprintln!(
            "custody: skipped {}: {}",
            super::shown_problem_path(path, &p.path).display(),
            p.message
        );
    }
    if path.is_dir() {
        for p in &mut inventory.projects {
            p.lockfile = path.join(&p.lockfile);
        }
    } else {
        for p in &mut inventory.projects {
            p.lockfile = path.to_path_buf();
        }
    }
    Ok(inventory)
}

fn diff(args: &SbomDiffArgs) -> Result<Outcome> {
    let old = read_input(&args.old)?;
    let new = read_input(&args.new)?;
    let d = custody_sbom::diff::diff(&old, &new);
    let bytes = match args.format {
        InfoFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&d)?;
            v.push(b'\n');
            v
        }
        InfoFormat::Table => {
            use std::fmt::Write as _;
            let mut s = String::new();
            for p in &d.added {
                let _ = writeln!(s, "+ {} {} {}", p.ecosystem, p.name, p.versions.join(", "));
            }
            for p in &d.removed {
                let _ = writeln!(s, "- {} {} {}", p.ecosystem, p.name, p.versions.join(", "));
            }
            for c in &d.changed {
                let _ = writeln!(
                    s,
                    "~ {} {} {} -> {}",
                    c.ecosystem,
                    c.name,
                    c.from.join(", "),
                    c.to.join(", ")
                );
            }
            for r in &d.redigested {
                let show = |h: &[custody_sbom::component::Hash]| {
                    h.iter()
                        .map(|h| format!("{}:{}", h.alg.spdx_name().to_ascii_lowercase(), h.hex))
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                let _ = writeln!(
                    s,
                    "! {}: the same version with another digest: {} -> {}",
                    r.purl,
                    show(&r.from),
                    show(&r.to)
                );
            }
            let _ = writeln!(
                s,
                "{} added, {} removed, {} changed, {} with another digest",
                d.added.len(),
                d.removed.len(),
                d.changed.len(),
                d.redigested.len()
            );
            s.into_bytes()
        }
    };
    write_output(args.output.as_deref(), &bytes, FileMode::Public)?;
    Ok(
        if d.is_empty() && old.problems.is_empty() && new.problems.is_empty() {
            Outcome::Success
        } else {
            Outcome::Findings
        },
    )
}

fn merge(args: &SbomMergeArgs) -> Result<Outcome> {
    let mut all = custody_sbom::Inventory {
        projects: Vec::new(),
        problems: Vec::new(),
    };
    for input in &args.inputs {
        let inv = read_input(input)?;
        all.projects.extend(inv.projects);
        all.problems.extend(inv.problems);
    }
    if all.projects.is_empty() {
        bail!("nothing to merge: no input could be read");
    }
    all.projects.sort_by(|a, b| a.lockfile.cmp(&b.lockfile));
    write_document(
        &all,
        args.format,
        args.spec_version,
        "merged".to_owned(),
        args.output.as_deref(),
    )?;
    Ok(if all.problems.is_empty() {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}
