//! Evaluations, one per control that custody can already check. The mapping from control
//! ID to evaluation lives here and nowhere else.

mod key_rotation;

use crate::catalogue::Control;
use crate::config::Project;
use crate::report::{ControlResult, Status};

/// Evaluate one control against a project.
#[must_use]
pub fn evaluate(control: &'static Control, project: &Project) -> ControlResult {
    match control.id {
        "SRC-11" => key_rotation::evaluate(control, project, std::time::SystemTime::now()),
        _ => not_implemented(control),
    }
}

/// Whether custody has an evaluation for this control (used by the README coverage table).
#[must_use]
pub fn is_implemented(id: &str) -> bool {
    matches!(id, "SRC-11")
}

fn not_implemented(control: &'static Control) -> ControlResult {
    ControlResult {
        control,
        status: Status::NotImplemented,
        summary: "custody cannot evaluate this control yet".to_owned(),
        evidence: Vec::new(),
        remediation: Some(format!("planned capability: {}", control.capability)),
    }
}
