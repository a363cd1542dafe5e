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
pub mod render;
pub mod report;

/// Evaluate every control of the catalogue against a project.
#[must_use]
pub fn run(project: &config::Project) -> report::Report {
    let results = catalogue::CATALOGUE
        .iter()
        .map(|control| checks::evaluate(control, project))
        .collect();
    report::Report::new(project.root().to_path_buf(), results)
}
