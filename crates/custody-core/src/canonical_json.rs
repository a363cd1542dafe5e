//! OLPC canonical JSON, exactly as securesystemslib's `encode_canonical` writes it.
//!
//! The rules: objects with keys sorted by Unicode code point, no insignificant whitespace,
//! strings with only `"` and `\` escaped (every other character, control characters
//! included, is written as raw UTF-8), integers only (floats are refused), `true`, `false`,
//! `null`.
//!
//! We do not use the `olpc-cjson` crate: it NFC-normalises strings and sorts keys by their
//! *escaped* form, so a key with a quote or backslash, or a string in decomposed Unicode,
//! canonicalises differently from securesystemslib, and signatures made by the reference
//! implementations would not verify.
//!
//! Known divergence, on the safe side: serde_json reads the integer literal `-0` and
//! integers beyond the `i64`/`u64` range as floats, so they are refused here, while Python
//! reads them as integers. Refusing means "not verified", never a wrong verification.

use serde_json::Value;

mod text;
pub use text::canonicalize;

/// Why a value has no canonical form.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CanonicalJsonError {
    /// Canonical JSON has no floating point numbers; the spec and securesystemslib refuse them.
    #[error("canonical JSON does not allow floating point numbers (found {0})")]
    Float(String),
    /// The text is not JSON.
    #[error("invalid JSON: {0}")]
    Syntax(String),
    /// One object names a key twice; which value counts would be ambiguous.
    #[error("invalid JSON: key {0:?} appears twice in one object")]
    DuplicateKey(String),
}

/// Canonical bytes of a parsed JSON value.
///
/// # Errors
/// [`CanonicalJsonError::Float`] if the value contains a non-integer number anywhere.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, CanonicalJsonError> {
    to_vec_sorted(&SortedValue(value))
}

/// Canonical bytes of any serialisable value (serialised to a JSON value first, which
/// sorts its keys).
///
/// # Errors
/// As [`to_vec`]; a value that serde cannot turn into JSON is reported as a float error
/// naming the serde message, since that is the only case our types can produce.
pub fn to_vec_from<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, CanonicalJsonError> {
    let value =
        serde_json::to_value(value).map_err(|e| CanonicalJsonError::Float(e.to_string()))?;
    to_vec(&value)
}

/// Canonical bytes of a value whose `Serialize` writes every map's keys in sorted
/// (UTF-8 byte) order, written straight from the value with no JSON tree in between:
/// what makes signing a link of 100,000 artifacts cheap. Struct fields count as map keys,
/// so such a type declares or writes them in sorted order; `BTreeMap<String, _>` iterates
/// in that order already.
///
/// # Errors
/// [`CanonicalJsonError::Float`] if a float is serialised, or serde's message if
/// serialisation fails.
pub fn to_vec_sorted<T: serde::Serialize + ?Sized>(
    value: &T,
) -> Result<Vec<u8>, CanonicalJsonError> {
    let mut out = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, CanonicalFormatter);
    value
        .serialize(&mut ser)
        .map_err(|e| CanonicalJsonError::Float(e.to_string()))?;
    Ok(out)
}

/// Compact JSON with canonical string escaping (only `"` and `\`) and no floats.
struct CanonicalFormatter;

impl serde_json::ser::Formatter for CanonicalFormatter {
    fn write_f32<W: ?Sized + std::io::Write>(&mut self, _: &mut W, v: f32) -> std::io::Result<()> {
        Err(std::io::Error::other(v.to_string()))
    }

    fn write_f64<W: ?Sized + std::io::Write>(&mut self, _: &mut W, v: f64) -> std::io::Result<()> {
        Err(std::io::Error::other(v.to_string()))
    }

    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> std::io::Result<()> {
        use serde_json::ser::CharEscape;
        let raw = match escape {
            CharEscape::Quote => return writer.write_all(b"\\\""),
            CharEscape::ReverseSolidus => return writer.write_all(b"\\\\"),
            CharEscape::Solidus => b'/',
            CharEscape::Backspace => 0x08,
            CharEscape::FormFeed => 0x0c,
            CharEscape::LineFeed => b'\n',
            CharEscape::CarriageReturn => b'\r',
            CharEscape::Tab => b'\t',
            CharEscape::AsciiControl(b) => b,
        };
        writer.write_all(&[raw])
    }
}

/// A JSON value serialised with every object's keys sorted by their UTF-8 bytes (Python's
/// code point order), whatever map type serde_json was built with: enabling
/// `preserve_order` anywhere in the dependency graph must not change signed bytes. Use it
/// to embed a parsed value in a document written with [`to_vec_sorted`].
#[derive(Debug, Clone, Copy)]
pub struct SortedValue<'a>(pub &'a Value);

impl serde::Serialize for SortedValue<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap as _, SerializeSeq as _};
        match self.0 {
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&SortedValue(item))?;
                }
                seq.end()
            }
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                let mut out = serializer.serialize_map(Some(entries.len()))?;
                for (key, item) in entries {
                    out.serialize_entry(key, &SortedValue(item))?;
                }
                out.end()
            }
            other => other.serialize(serializer),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// The plain tree walk canonical JSON was first written as, kept as an oracle for
    /// the serde formatter.
    fn oracle_write(value: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalJsonError> {
        match value {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(true) => out.extend_from_slice(b"true"),
            Value::Bool(false) => out.extend_from_slice(b"false"),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    out.extend_from_slice(i.to_string().as_bytes());
                } else if let Some(u) = n.as_u64() {
                    out.extend_from_slice(u.to_string().as_bytes());
                } else {
                    return Err(CanonicalJsonError::Float(n.to_string()));
                }
            }
            Value::String(s) => oracle_string(s, out),
            Value::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    oracle_write(item, out)?;
                }
                out.push(b']');
            }
            Value::Object(map) => {
                // serde_json's default map is ordered by `String`'s `Ord`, which compares UTF-8
                // bytes; UTF-8 byte order equals code point order, which is Python's `sorted`.
                // Sort explicitly anyway so that enabling `preserve_order` elsewhere in the
                // dependency graph cannot change our output.
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                out.push(b'{');
                for (i, (key, item)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    oracle_string(key, out);
                    out.push(b':');
                    oracle_write(item, out)?;
                }
                out.push(b'}');
            }
        }
        Ok(())
    }

    fn oracle_string(s: &str, out: &mut Vec<u8>) {
        out.push(b'"');
        for &b in s.as_bytes() {
            if b == b'"' || b == b'\\' {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b'"');
    }

    fn canon(v: &Value) -> String {
        String::from_utf8(to_vec(v).expect("no floats")).expect("utf-8 in, utf-8 out")
    }

    #[test]
    fn sorts_keys_by_code_point_and_drops_whitespace() {
        let v = json!({"b": [1, 2, {"z": null, "a": true}], "a": false, "é": "x", "Z": -3});
        assert_eq!(
            canon(&v),
            r#"{"Z":-3,"a":false,"b":[1,2,{"a":true,"z":null}],"é":"x"}"#
        );
    }

    #[test]
    fn escapes_only_quote_and_backslash() {
        let v = json!({"k": "a\"b\\c\n\t\u{1}/é"});
        assert_eq!(canon(&v), "{\"k\":\"a\\\"b\\\\c\n\t\u{1}/é\"}");
    }

    #[test]
    fn keys_with_escapes_sort_by_their_unescaped_form() {
        // '"' (0x22) < '[' (0x5b) < '\\' (0x5c): the escaped form would put `a"` last.
        let v = json!({"a[": 1, "a\"": 2});
        assert_eq!(canon(&v), r#"{"a\"":2,"a[":1}"#);
    }

    #[test]
    fn does_not_normalise_unicode() {
        let v = json!("e\u{301}");
        assert_eq!(canon(&v).as_bytes(), "\"e\u{301}\"".as_bytes());
    }

    #[test]
    fn refuses_floats() {
        assert!(matches!(
            to_vec(&json!({"a": [1.5]})),
            Err(CanonicalJsonError::Float(_))
        ));
        assert!(to_vec(&json!(u64::MAX)).is_ok());
        assert!(to_vec(&json!(i64::MIN)).is_ok());
    }

    /// Canonical JSON writes control characters raw, which strict JSON parsers refuse.
    /// Outside strings the canonical form has no control characters at all, so escaping
    /// every one of them yields strict JSON with the same value.
    fn strict_json(canonical: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(canonical.len());
        for &b in canonical {
            if b < 0x20 {
                out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
            } else {
                out.push(b);
            }
        }
        out
    }

    #[test]
    fn control_characters_stay_raw_and_round_trip() {
        let v = json!({"k": "a\u{0}b\u{1f}"});
        let bytes = to_vec(&v).expect("no floats");
        assert_eq!(bytes, b"{\"k\":\"a\x00b\x1f\"}");
        let back: Value = serde_json::from_slice(&strict_json(&bytes)).expect("strict JSON");
        assert_eq!(back, v);
    }

    proptest::proptest! {
        /// Canonical output (control characters escaped for a strict parser) has the same
        /// value as the input, and canonicalising is idempotent.
        #[test]
        fn round_trips(v in arb_json()) {
            let bytes = to_vec(&v).expect("generator makes no floats");
            let back: Value = serde_json::from_slice(&strict_json(&bytes)).expect("canonical JSON parses");
            proptest::prop_assert_eq!(&back, &v);
            proptest::prop_assert_eq!(to_vec(&back).expect("still no floats"), bytes);
        }

        /// The formatter writes what the plain tree walk writes.
        #[test]
        fn formatter_matches_the_tree_walk(v in arb_json()) {
            let mut expected = Vec::new();
            oracle_write(&v, &mut expected).expect("generator makes no floats");
            proptest::prop_assert_eq!(to_vec(&v).expect("no floats"), expected);
        }
    }

    pub(crate) fn arb_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            "\\PC*".prop_map(Value::String),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                proptest::collection::btree_map(any::<String>(), inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
