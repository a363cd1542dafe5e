use crate::cli::{CheckArgs, CheckFormat, ColorChoice};
use crate::exit::Outcome;
use crate::io::write_output;
use anyhow::Result;
use custody_check::config::Project;
use custody_check::render::{Format, render};
use custody_core::atomic::FileMode;
use std::io::IsTerminal as _;

pub fn run(args: CheckArgs) -> Result<Outcome> {
    let project = Project::open(&args.path)?;
    let report = custody_check::run(&project);
    let format = match args.format {
        CheckFormat::Table => Format::Table,
        CheckFormat::Json => Format::Json,
        CheckFormat::Sarif => Format::Sarif,
        CheckFormat::Html => Format::Html,
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && !no_color,
    };
    let text = render(&report, format, color);
    write_output(args.output.as_deref(), text.as_bytes(), FileMode::Public)?;
    if let Some(path) = &args.output {
        eprintln!(
            "custody check: {} controls, {} fail, {} warn, {} pass, {} not implemented -> {}",
            report.results.len(),
            report.count(custody_check::report::Status::Fail),
            report.count(custody_check::report::Status::Warn),
            report.count(custody_check::report::Status::Pass),
            report.count(custody_check::report::Status::NotImplemented),
            path.display()
        );
    }
    Ok(if report.has_failures() {
        Outcome::Findings
    } else {
        Outcome::Success
    })
}
