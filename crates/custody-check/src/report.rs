//! The result model: one [`ControlResult`] per control, each with a status, a summary,
//! evidence and a remediation hint. Checks build these; renderers only read them.

use crate::catalogue::Control;
use serde::Serialize;
use std::path::PathBuf;

/// Outcome of evaluating one control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The control is met, with evidence.
    Pass,
    /// The control is violated.
    Fail,
    /// Met for now, but something needs attention soon or could not be fully checked.
    Warn,
    /// The project has not opted in (e.g. no key directory, no policy file).
    NotConfigured,
    /// The control does not apply to this project.
    NotApplicable,
    /// custody cannot evaluate this control yet. Never counted as a pass.
    NotImplemented,
}

impl Status {
    /// The word used in every output format.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::NotConfigured => "not-configured",
            Status::NotApplicable => "not-applicable",
            Status::NotImplemented => "not-implemented",
        }
    }

    /// All statuses, in report order.
    pub const ALL: [Status; 6] = [
        Status::Pass,
        Status::Fail,
        Status::Warn,
        Status::NotConfigured,
        Status::NotApplicable,
        Status::NotImplemented,
    ];
}

/// One piece of evidence: what was looked at and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// What was found, in one sentence.
    pub message: String,
    /// The file it concerns, relative to the project root, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Evidence {
    /// Evidence about a file.
    #[must_use]
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            path: Some(path.into()),
        }
    }

    /// Evidence not tied to a file.
    #[must_use]
    pub fn note(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            path: None,
        }
    }
}

/// The evaluation of one control.
#[derive(Debug, Clone, Serialize)]
pub struct ControlResult {
    /// The control.
    pub control: &'static Control,
    /// The outcome.
    pub status: Status,
    /// One line for the table.
    pub summary: String,
    /// What the outcome rests on.
    pub evidence: Vec<Evidence>,
    /// What to do when the status is not a pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// custody's version.
    pub tool_version: &'static str,
    /// The project that was checked.
    pub project: PathBuf,
    /// One result per control, in catalogue order.
    pub results: Vec<ControlResult>,
}

impl Report {
    /// A report over results.
    #[must_use]
    pub fn new(project: PathBuf, results: Vec<ControlResult>) -> Self {
        Self {
            tool_version: env!("CARGO_PKG_VERSION"),
            project,
            results,
        }
    }

    /// How many results have `status`.
    #[must_use]
    pub fn count(&self, status: Status) -> usize {
        self.results.iter().filter(|r| r.status == status).count()
    }

    /// Whether any control failed: the check's exit code is 1 then.
    #[must_use]
    pub fn has_failures(&self) -> bool {
        self.count(Status::Fail) > 0
    }
}
