use crate::catalogue::Stage;
use crate::report::{Report, Status};
use std::fmt::Write as _;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn colour(s: Status) -> &'static str {
    match s {
        Status::Pass => "#2e7d32",
        Status::Fail => "#c62828",
        Status::Warn => "#ef8f00",
        Status::NotConfigured => "#0277bd",
        Status::NotApplicable => "#9e9e9e",
        Status::NotImplemented => "#bdbdbd",
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#222;padding:0 1rem}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse;width:100%}\
th,td{text-align:left;vertical-align:top;padding:.4rem .6rem;border-bottom:1px solid #ddd}\
th{background:#f5f5f5}.st{color:#fff;border-radius:.3rem;padding:.1rem .45rem;font-size:.85rem;white-space:nowrap}\
ul{margin:.3rem 0 0 1rem;padding:0}code{font-size:.9em}.fix{color:#555;font-style:italic}\
.legend span{margin-right:1rem;white-space:nowrap}.sw{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}";

/// A self-contained HTML page (inline CSS and SVG, no scripts, no external resources):
/// a stacked bar of statuses per stage, then every control with evidence.
#[must_use]
pub fn html(report: &Report) -> String {
    let mut h = String::with_capacity(32 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>custody check: {}</title><style>{STYLE}</style></head><body>\n",
        esc(&report.project.display().to_string())
    );
    let _ = write!(
        h,
        "<h1>Supply chain controls: {}</h1>\n<p>custody {} evaluated {} controls of the CNCF TAG Security Software Supply Chain Best Practices.</p>\n",
        esc(&report.project.display().to_string()),
        esc(report.tool_version),
        report.results.len()
    );
    h.push_str("<p class=\"legend\">");
    for s in Status::ALL {
        let _ = write!(
            h,
            "<span><i class=\"sw\" style=\"background:{}\"></i>{} {}</span>",
            colour(s),
            report.count(s),
            s.as_str()
        );
    }
    h.push_str("</p>\n");
    h.push_str(&chart(report));
    let mut stage: Option<Stage> = None;
    for r in &report.results {
        if stage != Some(r.control.stage) {
            if stage.is_some() {
                h.push_str("</tbody></table>\n");
            }
            stage = Some(r.control.stage);
            let _ = write!(
                h,
                "<h2>{}</h2>\n<table><thead><tr><th>ID</th><th>Control</th><th>Status</th><th>Finding</th></tr></thead><tbody>\n",
                esc(r.control.stage.name())
            );
        }
        let _ = write!(
            h,
            "<tr id=\"{id}\"><td><code>{id}</code></td><td>{title}<br><small>{cap}</small></td><td><span class=\"st\" style=\"background:{c}\">{st}</span></td><td>{sum}",
            id = esc(r.control.id),
            title = esc(r.control.title),
            cap = esc(r.control.capability),
            c = colour(r.status),
            st = r.status.as_str(),
            sum = esc(&r.summary)
        );
        if !r.evidence.is_empty() {
            h.push_str("<ul>");
            for e in &r.evidence {
                h.push_str("<li>");
                if let Some(p) = &e.path {
                    let _ = write!(h, "<code>{}</code>: ", esc(p));
                }
                h.push_str(&esc(&e.message));
                h.push_str("</li>");
            }
            h.push_str("</ul>");
        }
        if let Some(fix) = &r.remediation {
            let _ = write!(h, "<div class=\"fix\">{}</div>", esc(fix));
        }
        h.push_str("</td></tr>\n");
    }
    if stage.is_some() {
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</body></html>\n");
    h
}

/// One horizontal stacked bar per stage, as inline SVG.
fn chart(report: &Report) -> String {
    let mut stages: Vec<Stage> = report.results.iter().map(|r| r.control.stage).collect();
    stages.dedup();
    let (bar_w, row_h, label_w) = (600usize, 26usize, 130usize);
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"status per stage\" width=\"{}\" height=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"13\">\n",
        label_w + bar_w + 10,
        stages.len() * row_h + 4
    );
    for (i, stage) in stages.iter().enumerate() {
        let rows: Vec<_> = report
            .results
            .iter()
            .filter(|r| r.control.stage == *stage)
            .collect();
        let y = i * row_h;
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\">{}</text>",
            y + 17,
            esc(stage.name())
        );
        let mut x = label_w;
        for s in Status::ALL {
            let n = rows.iter().filter(|r| r.status == s).count();
            if n == 0 {
                continue;
            }
            let w = bar_w * n / rows.len().max(1);
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{}\" width=\"{w}\" height=\"{}\" fill=\"{}\"><title>{n} {}</title></rect>",
                y + 3,
                row_h - 6,
                colour(s),
                s.as_str()
            );
            x += w;
        }
        svg.push('\n');
    }
    svg.push_str("</svg>\n");
    svg
}
