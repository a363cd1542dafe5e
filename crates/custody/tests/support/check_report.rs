//! `custody check --format json` for the tests of the rows a capability feeds.

use serde_json::Value;
use std::path::Path;

/// The JSON report of `cmd` (a `custody` command, with whatever environment the test
/// needs) running `check --format json PROJECT`.
pub fn check_report(mut cmd: assert_cmd::Command, project: &Path) -> Value {
    let out = cmd
        .args(["check", "--format", "json"])
        .arg(project)
        .output()
        .expect("custody check runs");
    serde_json::from_slice(&out.stdout).expect("custody check prints JSON")
}

/// The row of control `id` in a report.
pub fn row(report: &Value, id: &str) -> Value {
    report["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no {id} row"))
}
