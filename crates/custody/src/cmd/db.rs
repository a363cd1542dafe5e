//! `custody db …`: compiled advisory databases.

use crate::cli::{DbBuildArgs, DbCommand, DbInfoArgs, InfoFormat};
use crate::exit::Outcome;
use crate::io::write_output;
use anyhow::{Context as _, Result, bail};
use custody_core::atomic::{FileMode, write_atomic};
use custody_vuln::compiled::Compiled;
use serde_json::json;
use std::fmt::Write as _;
use std::time::Instant;

pub fn run(cmd: DbCommand) -> Result<Outcome> {
    match cmd {
        DbCommand::Build(args) => build(&args),
        DbCommand::Info(args) => info(&args),
    }
}

fn build(args: &DbBuildArgs) -> Result<Outcome> {
    let started = Instant::now();
    let built = super::sbom::source_date_epoch()?.map(custody_core::time::format_utc);
    let generator = concat!("custody ", env!("CARGO_PKG_VERSION"));
    let (bytes, header) = custody_vuln::db::build(&args.sources, generator, built)?;
    for p in &header.problems {
        eprintln!("custody: left out {}: {}", p.path.display(), p.message);
    }
    let advisories: usize = header.sources.iter().map(|s| s.advisories).sum();
    if advisories == 0 {
        bail!(
            "no advisory could be read from {}: nothing written",
            args.sources
                .iter()
                .map(|s| s.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    // Read back what is about to be written: a database this custody cannot open must
    // never replace a good one.
    let check = Compiled::from_bytes(bytes.clone(), &args.output)
        .context("the compiled database does not read back")?;
    write_atomic(&args.output, &bytes, FileMode::Public)?;
    eprintln!(
        "custody: compiled {advisories} advisories about {} packages from {} source(s) into {} ({}) in {} ms",
        check.packages(),
        header.sources.len(),
        args.output.display(),
        human_size(bytes.len()),
        started.elapsed().as_millis()
    );
    Ok(if header.problems.is_empty() {
        Outcome::Success
    } else {
        eprintln!(
            "custody: {} advisory file(s) could not be read and are not in the database",
            header.problems.len()
        );
        Outcome::Findings
    })
}

fn human_size(n: usize) -> String {
    #[allow(clippy::cast_precision_loss)] // a size for people
    let f = n as f64;
    if f >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", f / (1024.0 * 1024.0))
    } else if f >= 1024.0 {
        format!("{:.1} KiB", f / 1024.0)
    } else {
        format!("{n} bytes")
    }
}

fn info(args: &DbInfoArgs) -> Result<Outcome> {
    let db = Compiled::open(&args.file)?;
    let size = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    let h = db.header();
    let bytes = match args.format {
        InfoFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&json!({
                "file": args.file,
                "bytes": size,
                "format": custody_vuln::compiled::FORMAT,
                "advisories": db.len(),
                "packages": db.packages(),
                "header": h,
            }))?;
            v.push(b'\n');
            v
        }
        InfoFormat::Table => {
            let mut s = String::new();
            let _ = writeln!(s, "file:            {}", args.file.display());
            let _ = writeln!(
                s,
                "size:            {}",
                human_size(usize::try_from(size).unwrap_or(usize::MAX))
            );
            let _ = writeln!(s, "written by:      {}", h.generator);
            let _ = writeln!(
                s,
                "built:           {}",
                h.built.as_deref().unwrap_or("(no time recorded)")
            );
            let _ = writeln!(
                s,
                "newest advisory: {}",
                h.newest_advisory.as_deref().unwrap_or("(no dates)")
            );
            let _ = writeln!(s, "advisories:      {}", db.len());
            let _ = writeln!(s, "packages:        {}", db.packages());
            let _ = writeln!(s, "ecosystems:");
            for (eco, n) in &h.ecosystems {
                let _ = writeln!(s, "  {eco:<16} {n:>7}");
            }
            let _ = writeln!(s, "sources:");
            for src in &h.sources {
                let _ = writeln!(s, "  {:<40} {:>7} advisories", src.path, src.advisories);
            }
            if !h.problems.is_empty() {
                let _ = writeln!(s, "left out when built: {} file(s)", h.problems.len());
                for p in &h.problems {
                    let _ = writeln!(s, "  {}: {}", p.path.display(), p.message);
                }
            }
            s.into_bytes()
        }
    };
    write_output(None, &bytes, FileMode::Public)?;
    Ok(Outcome::Success)
}
