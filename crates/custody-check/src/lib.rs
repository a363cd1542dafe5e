//! Layer 3 of custody: `custody check`, the whole control catalogue evaluated against a
//! project, with evidence.
//!
//! [`catalogue`] holds every control of the CNCF supply chain best practices with its ID.
//! [`checks`] maps IDs to evaluations over the domain crates; a control with no evaluation
//! yet is reported as [`report::Status::NotImplemented`], never as a pass. [`render`]
//! turns a [`report::Report`] into a terminal table, JSON, SARIF 2.1.0 or HTML.
//!
//! ```no_run
//! let project = custody_check::config::Project::open(std::path::Path::new(".")).unwrap();
//! let report = custody_check::run(&project);
//! println!("{}", custody_check::render::json(&report));
//! ```

pub mod catalogue;
pub mod checks;
pub mod config;
pub mod git_secrets;
pub mod render;
pub mod report;

/// Evaluate every control of the catalogue against a project.
#[must_use]
pub fn run(project: &config::Project) -> report::Report {
    let eval = checks::Evaluation::new(project);
    let results = catalogue::CATALOGUE
        .iter()
        .map(|control| checks::evaluate(control, &eval))
        .collect();
    report::Report::new(project.root().to_path_buf(), results)
}

/// Markers around the generated coverage table in README.md.
pub const COVERAGE_BEGIN: &str =
    "<!-- coverage:begin (generated from the catalogue; a test keeps it true) -->";
/// End marker of the coverage table.
pub const COVERAGE_END: &str = "<!-- coverage:end -->";

/// The README's control coverage table, rendered from the catalogue and the evaluations
/// that exist, so it cannot claim more than `custody check` does.
#[must_use]
pub fn coverage_table_markdown() -> String {
    let implemented = catalogue::CATALOGUE
        .iter()
        .filter(|c| checks::is_implemented(c.id))
        .count();
    let mut out = format!(
        "{COVERAGE_BEGIN}\n{implemented} of {} controls are evaluated by `custody check` today; the others are reported as `not-implemented`.\n\n| ID | Stage | Control | Capability in custody | `custody check` |\n|---|---|---|---|---|\n",
        catalogue::CATALOGUE.len()
    );
    for c in catalogue::CATALOGUE {
        let state = if checks::is_implemented(c.id) {
            "evaluated"
        } else {
            "not-implemented"
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {state} |\n",
            c.id,
            c.stage.name(),
            c.title.replace('|', "\\|"),
            c.capability.replace('|', "\\|")
        ));
    }
    out.push_str(COVERAGE_END);
    out
}
