//! JSON written the way Python's `json.dumps` writes it, so that files custody produces
//! are byte-identical to those of the reference implementations (python in-toto,
//! python-tuf, securesystemslib) for the same content: keys sorted, `ensure_ascii`
//! escapes (`\uXXXX`, lowercase hex, surrogate pairs beyond the BMP), the separators and
//! indentation Python uses.
//!
//! This is about matching files byte for byte, not about signatures: signatures cover
//! canonical JSON ([`crate::canonical_json`]) or DSSE payload bytes, never this form.

use serde_json::Value;

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
    let bytes = to_vec_sorted(&crate::canonical_json::SortedValue(value), style);
    // The formatter escapes everything outside printable ASCII.
    String::from_utf8_lossy(&bytes).into_owned()
}

/// As [`to_string`], for a value whose `Serialize` writes every map's keys (and struct
/// fields) in sorted UTF-8 byte order, written straight from the value with no JSON tree
/// in between. A value that fails to serialise (a map with non-string keys) yields what
/// was written up to that point; custody's own types never fail.
#[must_use]
pub fn to_vec_sorted<T: serde::Serialize + ?Sized>(value: &T, style: PythonJsonStyle) -> Vec<u8> {
    to_vec_sorted_at_depth(value, style, 0)
}

/// As [`to_vec_sorted`], indented as if nested `depth` levels deep, for splicing into an
/// enclosing document written piece by piece (e.g. in parallel).
#[must_use]
pub fn to_vec_sorted_at_depth<T: serde::Serialize + ?Sized>(
    value: &T,
    style: PythonJsonStyle,
    depth: usize,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    let formatter = PythonFormatter {
        style,
        depth,
        has_value: false,
    };
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Writing into a Vec cannot fail, and the formatter never fails.
    let _ = value.serialize(&mut ser);
    out
}

/// `json.dumps` punctuation, indentation and `ensure_ascii` escaping.
struct PythonFormatter {
    style: PythonJsonStyle,
    depth: usize,
    has_value: bool,
}

impl PythonFormatter {
    fn newline<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        if let Some(n) = self.style.indent {
            w.write_all(b"\n")?;
            for _ in 0..n * self.depth {
                w.write_all(b" ")?;
            }
        }
        Ok(())
    }

    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, b: &[u8]) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b)
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, b: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(b)
    }

    fn item<W: ?Sized + std::io::Write>(&self, w: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            w.write_all(self.style.item_separator.as_bytes())?;
        }
        self.newline(w)
    }
}

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(self.style.key_separator.as_bytes())
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // serde_json hands over runs without quotes, backslashes and control characters;
        // `ensure_ascii` escapes everything else outside printable ASCII as UTF-16 units.
        let mut rest = fragment;
        while let Some(i) = rest.find(|c: char| !(' '..='~').contains(&c)) {
            w.write_all(&rest.as_bytes()[..i])?;
            let c = rest[i..].chars().next().unwrap_or_default();
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            rest = &rest[i + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }

    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> std::io::Result<()> {
        use serde_json::ser::CharEscape;
        let short: &[u8] = match escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            CharEscape::Solidus => b"/",
            CharEscape::Backspace => b"\\b",
            CharEscape::FormFeed => b"\\f",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::AsciiControl(b) => return write!(w, "\\u{b:04x}"),
        };
        w.write_all(short)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::fmt::Write as _;

    // The plain tree walk this module was first written as, kept as an oracle for the
    // serde formatter.
    fn oracle_newline(style: PythonJsonStyle, depth: usize, out: &mut String) {
        if let Some(n) = style.indent {
            out.push('\n');
            for _ in 0..n * depth {
                out.push(' ');
            }
        }
    }

    fn oracle_write(value: &Value, style: PythonJsonStyle, depth: usize, out: &mut String) {
        match value {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Value::String(s) => oracle_string(s, out),
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
                    oracle_newline(style, depth + 1, out);
                    oracle_write(item, style, depth + 1, out);
                }
                oracle_newline(style, depth, out);
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
                    oracle_newline(style, depth + 1, out);
                    oracle_string(key, out);
                    out.push_str(style.key_separator);
                    oracle_write(item, style, depth + 1, out);
                }
                oracle_newline(style, depth, out);
                out.push('}');
            }
        }
    }

    fn oracle_string(s: &str, out: &mut String) {
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

    fn oracle(v: &Value, style: PythonJsonStyle) -> String {
        let mut out = String::new();
        oracle_write(v, style, 0, &mut out);
        out
    }

    proptest::proptest! {
        /// The formatter writes what the plain tree walk writes, in every style.
        #[test]
        fn formatter_matches_the_tree_walk(v in crate::canonical_json::tests::arb_json()) {
            for style in [PythonJsonStyle::DEFAULT, PythonJsonStyle::INDENT_1, PythonJsonStyle::COMPACT] {
                proptest::prop_assert_eq!(to_string(&v, style), oracle(&v, style));
            }
        }
    }

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
