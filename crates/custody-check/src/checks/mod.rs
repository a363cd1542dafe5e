//! Evaluations, one per control that custody can already check. The mapping from control
//! ID to evaluation lives here and nowhere else.

mod intoto;
mod key_rotation;
mod materials;
mod secrets;
mod source;
mod suppliers;
mod tuf;

use crate::catalogue::Control;
use crate::config::Project;
use crate::report::{ControlResult, Evidence, Status};

/// One evaluation run: the project, and results several controls share (computed once).
#[derive(Debug)]
pub struct Evaluation<'a> {
    project: &'a Project,
    intoto: std::cell::OnceCell<intoto::ChainOutcome>,
    tuf: std::cell::OnceCell<tuf::RepositoryOutcome>,
    materials: std::cell::OnceCell<materials::MaterialsOutcome>,
    suppliers: std::cell::OnceCell<suppliers::SuppliersOutcome>,
    source: std::cell::OnceCell<source::SourceOutcome>,
}

impl<'a> Evaluation<'a> {
    /// Start evaluating a project.
    #[must_use]
    pub fn new(project: &'a Project) -> Self {
        Self {
            project,
            intoto: std::cell::OnceCell::new(),
            tuf: std::cell::OnceCell::new(),
            materials: std::cell::OnceCell::new(),
            suppliers: std::cell::OnceCell::new(),
            source: std::cell::OnceCell::new(),
        }
    }
}

/// Evaluate one control.
#[must_use]
pub fn evaluate(control: &'static Control, eval: &Evaluation<'_>) -> ControlResult {
    let project = eval.project;
    match control.id {
        "SRC-11" => with_policy_keys(
            key_rotation::evaluate(control, project, std::time::SystemTime::now()),
            source::policy_keys(
                eval.source.get_or_init(|| source::read_project(project)),
                custody_core::time::now_unix(),
            ),
        ),
        "SRC-1" | "SRC-2" | "SRC-4" | "SRC-6" | "SRC-7" | "SRC-8" => source::evaluate(
            control,
            eval.source.get_or_init(|| source::read_project(project)),
        ),
        "SRC-3" => secrets::evaluate(control, project),
        "BLD-1" | "ART-1" | "ART-2" => intoto::evaluate(
            control,
            eval.intoto.get_or_init(|| intoto::verify_project(project)),
        ),
        "ART-3" | "ART-5" | "ART-6" | "BLD-15" | "DEP-1" | "DEP-2" | "DEP-3" => tuf::evaluate(
            control,
            eval.tuf.get_or_init(|| tuf::verify_project(project)),
        ),
        "MAT-3" => suppliers::evaluate_mat3(
            control,
            &project.config().materials.suppliers,
            eval.suppliers
                .get_or_init(|| suppliers::read_project(project)),
            eval.materials
                .get_or_init(|| materials::read_project(project))
                .inventory(),
        ),
        "MAT-9" => suppliers::evaluate_mat9(
            control,
            eval.suppliers
                .get_or_init(|| suppliers::read_project(project)),
            &project
                .config()
                .materials
                .advisories
                .iter()
                .map(|d| project.root().join(d))
                .collect::<Vec<_>>(),
        ),
        "MAT-1" | "MAT-2" | "MAT-5" | "MAT-6" | "MAT-7" | "MAT-8" => materials::evaluate(
            control,
            eval.materials
                .get_or_init(|| materials::read_project(project)),
        ),
        _ => not_implemented(control),
    }
}

/// Whether custody has an evaluation for this control (used by the README coverage table).
#[must_use]
pub fn is_implemented(id: &str) -> bool {
    matches!(
        id,
        "SRC-11"
            | "SRC-1"
            | "SRC-2"
            | "SRC-4"
            | "SRC-6"
            | "SRC-7"
            | "SRC-8"
            | "SRC-3"
            | "BLD-1"
            | "ART-1"
            | "ART-2"
            | "ART-3"
            | "ART-5"
            | "ART-6"
            | "BLD-15"
            | "DEP-1"
            | "DEP-2"
            | "DEP-3"
            | "MAT-1"
            | "MAT-2"
            | "MAT-3"
            | "MAT-9"
            | "MAT-5"
            | "MAT-6"
            | "MAT-7"
            | "MAT-8"
    )
}

/// A result, the remediation given as text when there is one.
pub(super) fn result(
    control: &'static Control,
    status: Status,
    summary: String,
    evidence: Vec<Evidence>,
    fix: Option<&str>,
) -> ControlResult {
    ControlResult {
        control,
        status,
        summary,
        evidence,
        remediation: fix.map(str::to_owned),
    }
}

/// SRC-11 covers two sets of keys: the key directory's files and the repository policy's
/// signing keys. Either alone decides; together, the worse status wins.
fn with_policy_keys(
    files: ControlResult,
    policy: Option<(Status, String, Vec<Evidence>)>,
) -> ControlResult {
    let Some((status, summary, evidence)) = policy else {
        return files;
    };
    if files.status == Status::NotConfigured {
        return ControlResult {
            status,
            summary,
            evidence,
            remediation: (status != Status::Pass).then(|| {
                "rotate keys in .custody/policy.toml in a commit signed by an Owner: add the new key with valid_from, set valid_until on the old one".to_owned()
            }),
            ..files
        };
    }
    let rank = |s: Status| match s {
        Status::Fail => 3,
        Status::Warn => 2,
        _ => 1,
    };
    let mut merged = files;
    if rank(status) > rank(merged.status) {
        merged.status = status;
    }
    merged.summary = format!("{}; {summary}", merged.summary);
    merged.evidence.extend(evidence);
    merged
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
