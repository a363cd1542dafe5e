//! Renderers: the same [`Report`] as a terminal table, JSON, SARIF 2.1.0 or HTML.
//! Renderers never evaluate anything; they only present the model.

mod html;
mod sarif;
mod table;

use crate::report::{Report, Status};
pub use html::html;
pub use sarif::sarif;
pub use table::table;

/// Output formats of `custody check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Terminal table for people.
    Table,
    /// JSON for machines: every control ID with status and evidence.
    Json,
    /// SARIF 2.1.0 for code scanning dashboards.
    Sarif,
    /// A self-contained HTML page for publishing.
    Html,
}

/// The JSON report: every control with its status, evidence and remediation, plus counts.
#[must_use]
pub fn json(report: &Report) -> String {
    let summary: serde_json::Map<String, serde_json::Value> = Status::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), report.count(*s).into()))
        .collect();
    let controls: Vec<serde_json::Value> = report
        .results
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.control.id,
                "stage": r.control.stage.name(),
                "title": r.control.title,
                "capability": r.control.capability,
                "status": r.status.as_str(),
                "summary": r.summary,
                "evidence": r.evidence,
                "remediation": r.remediation,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "tool": "custody",
        "version": report.tool_version,
        "project": report.project.display().to_string(),
        "summary": summary,
        "controls": controls,
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// Render in the chosen format; `color` only affects the table.
#[must_use]
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Table => table(report, color),
        Format::Json => json(report),
        Format::Sarif => sarif(report),
        Format::Html => html(report),
    }
}
