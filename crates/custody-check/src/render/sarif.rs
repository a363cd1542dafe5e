use crate::report::{Report, Status};
use serde_json::{Value, json};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// SARIF 2.1.0: one rule per control, one result per control. SARIF's `kind` carries the
/// status (`pass`, `fail`, `review`, `notApplicable`, `open`), `level` the severity, so
/// dashboards show failures as errors and warnings as warnings, and nothing unevaluated
/// passes for evaluated.
#[must_use]
pub fn sarif(report: &Report) -> String {
    let rules: Vec<Value> = report
        .results
        .iter()
        .map(|r| {
            json!({
                "id": r.control.id,
                "name": r.control.id.replace('-', ""),
                "shortDescription": {"text": r.control.title},
                "fullDescription": {"text": r.control.capability},
                "properties": {"stage": r.control.stage.name()},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .results
        .iter()
        .enumerate()
        .map(|(index, r)| {
            let (kind, level) = match r.status {
                Status::Pass => ("pass", "none"),
                Status::Fail => ("fail", "error"),
                Status::Warn => ("fail", "warning"),
                Status::NotConfigured => ("review", "note"),
                Status::NotApplicable => ("notApplicable", "none"),
                Status::NotImplemented => ("open", "none"),
            };
            let mut text = format!("{}: {}", r.status.as_str(), r.summary);
            for e in &r.evidence {
                text.push_str("\n- ");
                if let Some(p) = &e.path {
                    text.push_str(p);
                    text.push_str(": ");
                }
                text.push_str(&e.message);
            }
            if let Some(fix) = &r.remediation {
                text.push_str("\nRemediation: ");
                text.push_str(fix);
            }
            let locations: Vec<Value> = r
                .evidence
                .iter()
                .filter_map(|e| e.path.as_ref())
                .map(|p| {
                    json!({"physicalLocation": {"artifactLocation": {"uri": uri_path(p), "uriBaseId": "%SRCROOT%"}}})
                })
                .collect();
            let mut result = json!({
                "ruleId": r.control.id,
                "ruleIndex": index,
                "kind": kind,
                "level": level,
                "message": {"text": text},
                "properties": {"status": r.status.as_str()},
            });
            if !locations.is_empty()
                && let Some(obj) = result.as_object_mut()
            {
                obj.insert("locations".into(), Value::Array(locations));
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "custody",
                "version": report.tool_version,
                "informationUri": "https://github.com/cncf/tag-security/tree/main/community/working-groups/supply-chain-security/supply-chain-security-paper",
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": src_root(&report.project)}},
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// Relative paths as URI references: percent-encode what a URI cannot hold as is.
fn uri_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn src_root(project: &std::path::Path) -> String {
    let abs = std::fs::canonicalize(project).unwrap_or_else(|_| project.to_path_buf());
    let mut s = format!("file://{}", uri_path(&abs.display().to_string()));
    if !s.ends_with('/') {
        s.push('/');
    }
    s
}
