use crate::catalogue::Stage;
use crate::report::{Report, Status};
use comfy_table::{
    Cell, Color, ColumnConstraint, ContentArrangement, Table, Width, presets::UTF8_FULL_CONDENSED,
};

fn color_of(s: Status) -> Color {
    match s {
        Status::Pass => Color::Green,
        Status::Fail => Color::Red,
        Status::Warn => Color::Yellow,
        Status::NotConfigured => Color::Cyan,
        Status::NotApplicable | Status::NotImplemented => Color::DarkGrey,
    }
}

/// A table for the terminal: one row per control with its status and finding, evidence
/// for anything that is not a pass, and the counts at the end.
#[must_use]
pub fn table(report: &Report, color: bool) -> String {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(terminal_width())
        .set_header(["ID", "Status", "Control", "Finding"])
        .set_constraints([
            ColumnConstraint::Absolute(Width::Fixed(8)),
            ColumnConstraint::Absolute(Width::Fixed(17)),
            ColumnConstraint::UpperBoundary(Width::Fixed(42)),
        ]);
    if !color {
        t.force_no_tty();
    } else {
        t.enforce_styling();
    }
    let mut stage: Option<Stage> = None;
    for r in &report.results {
        if stage != Some(r.control.stage) {
            stage = Some(r.control.stage);
        }
        let mut status = Cell::new(r.status.as_str());
        if color {
            status = status.fg(color_of(r.status));
        }
        let mut finding = r.summary.clone();
        if matches!(r.status, Status::Fail | Status::Warn) {
            for e in &r.evidence {
                finding.push_str("\n• ");
                if let Some(p) = &e.path {
                    finding.push_str(p);
                    finding.push_str(": ");
                }
                finding.push_str(&e.message);
            }
            if let Some(fix) = &r.remediation {
                finding.push_str("\n→ ");
                finding.push_str(fix);
            }
        }
        t.add_row(vec![
            Cell::new(r.control.id),
            status,
            Cell::new(r.control.title),
            Cell::new(finding),
        ]);
    }
    let counts: Vec<String> = Status::ALL
        .iter()
        .filter(|s| report.count(**s) > 0)
        .map(|s| format!("{} {}", report.count(*s), s.as_str()))
        .collect();
    format!(
        "custody check {}: {} controls\n{t}\n{}\n",
        report.project.display(),
        report.results.len(),
        counts.join(", ")
    )
}

fn terminal_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(120)
}
