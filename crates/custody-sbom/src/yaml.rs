//! YAML lockfiles (Yarn 2+, pnpm) read into JSON values, within limits that fit
//! lockfiles: a monorepo's pnpm-lock.yaml has far more nodes than serde-saphyr's default
//! budget allows a configuration file, while nesting stays shallow.

use serde_json::Value;

/// Parse YAML text into a JSON value.
///
/// # Errors
/// The text is not YAML, goes over the budget, or has keys that are not strings.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    let mut budget = serde_saphyr::Budget::default();
    // The input is at most MAX_INPUT_BYTES; these scale with it instead of with a
    // configuration file. Depth stays at the default (lockfiles nest a few levels).
    budget.max_nodes = 20_000_000;
    budget.max_events = 50_000_000;
    budget.max_total_scalar_bytes = 512 * 1024 * 1024;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    serde_saphyr::from_str_with_options(text, options).map_err(|e| e.to_string())
}

/// A scalar as text: YAML writes `version: 1.0` as a number and `true` as a boolean.
pub(crate) fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
