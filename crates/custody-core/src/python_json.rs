//! JSON written the way Python's `json.dumps` writes it, so that files custody produces
//! are byte-identical to those of the reference implementations (python in-toto,
//! python-tuf, securesystemslib) for the same content: keys sorted, `ensure_ascii`
//! escapes (`\uXXXX`, lowercase hex, surrogate pairs beyond the BMP), the separators and
//! indentation Python uses.
//!
//! This is about matching files byte for byte, not about signatures: signatures cover
//! canonical JSON ([`crate::canonical_json`]) or DSSE payload bytes, never this form.

use serde_json::Value;
use std::fmt::Write as _;

/// Layout options, named after `json.dumps`'s parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PythonJsonStyle {
    /// `indent=N`: newline and N spaces per level; `None` writes one line.
    pub indent: Option<usize>,
    /// `separators[0]`: between items (`", "` by default, `","` when indenting).
    pub item_separator: &'static str,
    /// `separators[1]`: between a key and its value.
    pub key_separator: &'static str,
}

impl PythonJsonStyle {
    /// `json.dumps(v, sort_keys=True)`: one line, `", "` and `": "`.
    pub const DEFAULT: Self = Self {
        indent: None,
        item_separator: ", ",
        key_separator: ": ",
    };
    /// `json.dumps(v, indent=1, separators=(",", ": "), sort_keys=True)`: python in-toto's
    /// Metablock files and python-tuf's metadata files.
    pub const INDENT_1: Self = Self {
        indent: Some(1),
        item_separator: ",",
        key_separator: ": ",
    };
    /// `json.dumps(v, separators=(",", ":"), sort_keys=True)`: compact.
    pub const COMPACT: Self = Self {
        indent: None,
        item_separator: ",",
        key_separator: ":",
    };
}

/// Serialise `value` as `json.dumps(value, sort_keys=True, ensure_ascii=True, …)` would.
///
/// Floats are written with Rust's shortest round-trip form, which matches Python's `repr`
/// for the finite values JSON can hold except for exponent formatting; metadata custody
/// writes contains no floats.
#[must_use]
pub fn to_string(value: &Value, style: PythonJsonStyle) -> String {
    let mut out = String::with_capacity(1024);
    write_value(value, style, 0, &mut out);
    out
}

fn newline(style: PythonJsonStyle, depth: usize, out: &mut String) {
    if let Some(n) = style.indent {
        out.push('\n');
        for _ in 0..n * depth {
            out.push(' ');
        }
    }
}

fn write_value(value: &Value, style: PythonJsonStyle, depth: usize, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(style.item_separator);
                }
                newline(style, depth + 1, out);
                write_value(item, style, depth + 1, out);
            }
            newline(style, depth, out);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            // Python sorts str keys by code point, which is UTF-8 byte order.
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(style.item_separator);
                }
                newline(style, depth + 1, out);
                write_string(key, out);
                out.push_str(style.key_separator);
                write_value(item, style, depth + 1, out);
            }
            newline(style, depth, out);
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if !(' '..='~').contains(&c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_python_default_and_indent_styles() {
        // Expected strings produced by CPython 3.11 json.dumps.
        let v = json!({"b": [1, {"z": null}], "a": "é\u{1F600}\u{7f}\u{1}\"\\/", "c": {}, "d": []});
        assert_eq!(
            to_string(&v, PythonJsonStyle::DEFAULT),
            r#"{"a": "\u00e9\ud83d\ude00\u007f\u0001\"\\/", "b": [1, {"z": null}], "c": {}, "d": []}"#
        );
        assert_eq!(
            to_string(
                &json!({"b": [1, 2], "a": {"x": true}, "e": [], "f": {}}),
                PythonJsonStyle::INDENT_1
            ),
            "{\n \"a\": {\n  \"x\": true\n },\n \"b\": [\n  1,\n  2\n ],\n \"e\": [],\n \"f\": {}\n}"
        );
        assert_eq!(
            to_string(&json!({"b": 1, "a": [2]}), PythonJsonStyle::COMPACT),
            r#"{"a":[2],"b":1}"#
        );
    }
}
