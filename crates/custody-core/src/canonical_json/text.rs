//! Canonical JSON straight from JSON text, with no tree in between.
//!
//! Verifying a signed document means canonicalising what was signed. Doing that through a
//! `serde_json::Value` costs a map and a string per key; for a 1.5 MB TUF targets file that
//! is most of a client's run. This reads the text once and writes the canonical form as it
//! goes. Objects whose keys already come sorted (everything python-tuf, securesystemslib
//! and custody write) are only checked; others are reordered in place.
//!
//! It accepts exactly the texts `serde_json::from_slice::<Value>` accepts and
//! [`super::to_vec`] can canonicalise, with the same output, except that a key given twice
//! in one object is refused here (serde_json keeps the last): signed bytes and parsed
//! values must never disagree on which one counts. A differential fuzz target and a
//! property test hold the two to that.

use super::CanonicalJsonError;

/// serde_json's default recursion limit: a document nested this deep is refused by both.
const MAX_DEPTH: usize = 128;

/// Canonical bytes of a JSON text.
///
/// # Errors
/// [`CanonicalJsonError::Syntax`] for text that is not JSON (or nests deeper than 127
/// levels), [`CanonicalJsonError::Float`] for a number that is not an integer of the
/// `i64`/`u64` range, [`CanonicalJsonError::DuplicateKey`] for a key given twice in one
/// object.
pub fn canonicalize(input: &[u8]) -> Result<Vec<u8>, CanonicalJsonError> {
    // Checked once for the whole text: outside strings anything but ASCII is a syntax
    // error anyway, and decoded escapes are always valid UTF-8.
    if let Err(e) = std::str::from_utf8(input) {
        return Err(CanonicalJsonError::Syntax(format!(
            "invalid UTF-8 at byte {}",
            e.valid_up_to()
        )));
    }
    let mut c = Canonicalizer {
        input,
        pos: 0,
        out: Vec::with_capacity(input.len()),
        members: Vec::new(),
        depth: 0,
    };
    c.skip_whitespace();
    c.value()?;
    c.skip_whitespace();
    if c.pos != input.len() {
        return Err(c.syntax("trailing characters"));
    }
    Ok(c.out)
}

/// One member of the object being written: its decoded key (for sorting) and where its
/// `"key":value` sits in the output.
struct Member<'a> {
    key: std::borrow::Cow<'a, [u8]>,
    start: usize,
    end: usize,
}

struct Canonicalizer<'a> {
    input: &'a [u8],
    pos: usize,
    out: Vec<u8>,
    /// Members of every object being written, innermost last (a stack shared by all
    /// levels, so that an object costs no allocation of its own).
    members: Vec<Member<'a>>,
    depth: usize,
}

impl<'a> Canonicalizer<'a> {
    fn syntax(&self, what: &str) -> CanonicalJsonError {
        CanonicalJsonError::Syntax(format!("{what} at byte {}", self.pos))
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), CanonicalJsonError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax(&format!("expected '{}'", byte as char)))
        }
    }

    fn value(&mut self) -> Result<(), CanonicalJsonError> {
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(|_| ()),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.syntax("expected a value")),
            None => Err(self.syntax("unexpected end of input")),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), CanonicalJsonError> {
        if self.input[self.pos..].starts_with(word) {
            self.pos += word.len();
            self.out.extend_from_slice(word);
            Ok(())
        } else {
            Err(self.syntax("expected a value"))
        }
    }

    fn enter(&mut self) -> Result<(), CanonicalJsonError> {
        self.depth += 1;
        if self.depth >= MAX_DEPTH {
            return Err(self.syntax("nested too deeply"));
        }
        self.pos += 1;
        Ok(())
    }

    fn array(&mut self) -> Result<(), CanonicalJsonError> {
        self.enter()?;
        self.out.push(b'[');
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                self.skip_whitespace();
                self.value()?;
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.out.push(b',');
                    }
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.syntax("expected ',' or ']'")),
                }
            }
        }
        self.out.push(b']');
        self.depth -= 1;
        Ok(())
    }

    fn object(&mut self) -> Result<(), CanonicalJsonError> {
        self.enter()?;
        self.out.push(b'{');
        let base = self.members.len();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                self.skip_whitespace();
                if self.peek() != Some(b'"') {
                    return Err(self.syntax("expected a key"));
                }
                let start = self.out.len();
                let key = self.string()?;
                self.skip_whitespace();
                self.expect(b':')?;
                self.out.push(b':');
                self.skip_whitespace();
                self.value()?;
                self.members.push(Member {
                    key,
                    start,
                    end: self.out.len(),
                });
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.out.push(b',');
                    }
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.syntax("expected ',' or '}'")),
                }
            }
        }
        self.sort_members(base)?;
        self.members.truncate(base);
        self.out.push(b'}');
        self.depth -= 1;
        Ok(())
    }

    /// Put the members from `base` on in key order (code point order, which is UTF-8 byte
    /// order), refusing a key given twice.
    fn sort_members(&mut self, base: usize) -> Result<(), CanonicalJsonError> {
        let members = &mut self.members[base..];
        if members.windows(2).all(|w| w[0].key < w[1].key) {
            return Ok(());
        }
        members.sort_by(|a, b| a.key.cmp(&b.key));
        if let Some(w) = members.windows(2).find(|w| w[0].key == w[1].key) {
            return Err(CanonicalJsonError::DuplicateKey(
                String::from_utf8_lossy(&w[0].key).into_owned(),
            ));
        }
        let first = members.iter().map(|m| m.start).min().unwrap_or(0);
        let written = self.out.split_off(first);
        for (i, m) in members.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.out
                .extend_from_slice(&written[m.start - first..m.end - first]);
        }
        Ok(())
    }

    /// Write a string canonically and return its decoded bytes (borrowed when the text
    /// has no escapes).
    fn string(&mut self) -> Result<std::borrow::Cow<'a, [u8]>, CanonicalJsonError> {
        self.pos += 1; // the opening quote
        let start = self.pos;
        let input = self.input;
        // The common case: no escapes, so the decoded string is the text itself.
        self.pos += plain_prefix(&input[self.pos..]);
        match input.get(self.pos) {
            Some(b'"') => {
                let raw = &input[start..self.pos];
                self.pos += 1;
                self.out.push(b'"');
                self.out.extend_from_slice(raw);
                self.out.push(b'"');
                return Ok(std::borrow::Cow::Borrowed(raw));
            }
            Some(b'\\') | None => {}
            Some(_) => return Err(self.syntax("control character in a string")),
        }
        // Escapes: decode into a buffer, then write it with canonical escaping.
        let mut decoded = input[start..self.pos].to_vec();
        loop {
            let Some(&b) = input.get(self.pos) else {
                return Err(self.syntax("unterminated string"));
            };
            self.pos += 1;
            match b {
                b'"' => break,
                b'\\' => self.escape(&mut decoded)?,
                0..0x20 => return Err(self.syntax("control character in a string")),
                _ => decoded.push(b),
            }
        }
        self.out.push(b'"');
        for &b in &decoded {
            if b == b'"' || b == b'\\' {
                self.out.push(b'\\');
            }
            self.out.push(b);
        }
        self.out.push(b'"');
        Ok(std::borrow::Cow::Owned(decoded))
    }

    /// Decode the escape after a backslash into `decoded`.
    fn escape(&mut self, decoded: &mut Vec<u8>) -> Result<(), CanonicalJsonError> {
        let Some(&b) = self.input.get(self.pos) else {
            return Err(self.syntax("unterminated string"));
        };
        self.pos += 1;
        let byte = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let c = self.unicode_escape()?;
                let mut buf = [0u8; 4];
                decoded.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                return Ok(());
            }
            _ => return Err(self.syntax("invalid escape")),
        };
        decoded.push(byte);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, CanonicalJsonError> {
        let digits = self
            .input
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.syntax("unterminated \\u escape"))?;
        let mut n: u16 = 0;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.syntax("invalid \\u escape")),
            };
            n = n * 16 + u16::from(v);
        }
        self.pos += 4;
        Ok(n)
    }

    /// `\uXXXX`, a surrogate pair as two of them; a lone surrogate is refused, as serde_json
    /// does.
    fn unicode_escape(&mut self) -> Result<char, CanonicalJsonError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.input.get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return Err(self.syntax("lone surrogate in \\u escape"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.syntax("lone surrogate in \\u escape"));
                }
                0x10000 + ((u32::from(first) - 0xD800) << 10) + (u32::from(second) - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.syntax("lone surrogate in \\u escape")),
            other => u32::from(other),
        };
        char::from_u32(code).ok_or_else(|| self.syntax("invalid \\u escape"))
    }

    /// An integer is written as given (JSON allows no leading zeros, so the text is already
    /// its shortest form); fractions, exponents, `-0` and integers beyond `i64`/`u64` are
    /// what serde_json reads as floats, so they are refused as floats.
    fn number(&mut self) -> Result<(), CanonicalJsonError> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let digits_start = self.pos;
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                while let Some(b'0'..=b'9') = self.peek() {
                    self.pos += 1;
                }
            }
            _ => return Err(self.syntax("invalid number")),
        }
        let digits_end = self.pos;
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.syntax("invalid number"));
            }
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
            float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.syntax("invalid number"));
            }
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
            float = true;
        }
        let text = &self.input[start..self.pos];
        // Only ASCII digits, signs, dots and exponents were consumed.
        let text_str = std::str::from_utf8(text).map_err(|_| self.syntax("invalid number"))?;
        let in_range = if negative {
            &self.input[digits_start..digits_end] != b"0" && text_str.parse::<i64>().is_ok()
        } else {
            text_str.parse::<u64>().is_ok()
        };
        if float || !in_range {
            return Err(CanonicalJsonError::Float(text_str.to_owned()));
        }
        self.out.extend_from_slice(text);
        Ok(())
    }
}

/// Length of the longest prefix of `bytes` without `"`, `\\` or a control character,
/// looked at eight bytes at a time: strings are most of a metadata file.
fn plain_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let special = |b: u8| b == b'"' || b == b'\\' || b < 0x20;
    let mut done = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        // The classic "has a zero byte" / "has a byte below n" tests: the lowest flagged
        // byte is always a real match (only bytes above a match can be flagged wrongly).
        let found = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (w.wrapping_sub(ONES * 0x20) & !w))
            & HIGH;
        if found != 0 {
            return done + (found.trailing_zeros() / 8) as usize;
        }
        done += 8;
    }
    let rest = &bytes[done..];
    done + rest.iter().position(|&b| special(b)).unwrap_or(rest.len())
}

#[cfg(test)]
mod tests {
    use super::super::{tests::arb_json, to_vec};
    use super::*;
    use serde_json::Value;

    fn canon(text: &str) -> Result<String, CanonicalJsonError> {
        canonicalize(text.as_bytes()).map(|b| String::from_utf8(b).expect("UTF-8 out"))
    }

    #[test]
    fn sorts_and_strips() {
        assert_eq!(
            canon(" {\"b\" : [1, {\"z\":null,\"a\":true}], \"a\":false, \"\\u00e9\":\"x\"} \n")
                .as_deref(),
            Ok(r#"{"a":false,"b":[1,{"a":true,"z":null}],"é":"x"}"#)
        );
    }

    #[test]
    fn keys_sort_by_their_decoded_form() {
        assert_eq!(
            canon(r#"{"a[":1,"a\"":2}"#).as_deref(),
            Ok(r#"{"a\"":2,"a[":1}"#)
        );
    }

    #[test]
    fn refuses_duplicate_keys_sorted_or_not() {
        for text in [
            r#"{"a":1,"a":2}"#,
            r#"{"b":1,"a":2,"b":3}"#,
            r#"{"a":1,"\u0061":2}"#,
        ] {
            assert!(
                matches!(canon(text), Err(CanonicalJsonError::DuplicateKey(k)) if k == "a" || k == "b"),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_a_float_that_a_duplicate_key_would_hide() {
        // serde_json's tree keeps the last value of a key given twice, so it has no float
        // here; the text is refused all the same (found by fuzzing).
        let huge = format!("3{}1", "0".repeat(110));
        for text in [
            format!(r#"{{"":{huge},"":3}}"#),
            r#"{"a":1.5,"a":2}"#.to_owned(),
        ] {
            assert!(
                matches!(
                    canon(&text),
                    Err(CanonicalJsonError::Float(_) | CanonicalJsonError::DuplicateKey(_))
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_what_serde_json_reads_as_floats() {
        for text in [
            "1.0",
            "1e3",
            "-0",
            "18446744073709551616",
            "-9223372036854775809",
        ] {
            assert!(
                matches!(canon(text), Err(CanonicalJsonError::Float(_))),
                "{text}"
            );
        }
        assert_eq!(
            canon("18446744073709551615").as_deref(),
            Ok("18446744073709551615")
        );
        assert_eq!(
            canon("-9223372036854775808").as_deref(),
            Ok("-9223372036854775808")
        );
    }

    #[test]
    fn refuses_bad_text() {
        for text in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "\"\\x\"",
            "\"\u{1}\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "tru",
            "1 2",
            "{\"a\" 1}",
            "[1 2]",
            "-",
            "1.",
            "1e",
        ] {
            assert!(
                matches!(canon(text), Err(CanonicalJsonError::Syntax(_))),
                "{text:?} gave {:?}",
                canon(text)
            );
        }
        assert!(canonicalize(b"\"\xff\"").is_err());
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(canon(&deep).is_err());
    }

    /// Writes `v` as JSON text with each object's keys in reverse order and every string
    /// character escaped as `\uXXXX`, so that the canonicaliser has to sort and decode.
    fn scrambled(v: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                out.push_str("{ ");
                for (i, (k, item)) in map.iter().rev().enumerate() {
                    if i > 0 {
                        out.push_str(" ,\n");
                    }
                    scrambled(&Value::String(k.clone()), out);
                    out.push_str(" : ");
                    scrambled(item, out);
                }
                out.push_str(" }");
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(",\t");
                    }
                    scrambled(item, out);
                }
                out.push(']');
            }
            Value::String(s) => {
                out.push('"');
                for unit in s.encode_utf16() {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
                out.push('"');
            }
            other => out.push_str(&other.to_string()),
        }
    }

    proptest::proptest! {
        /// The word-at-a-time scan finds what a byte loop finds.
        #[test]
        fn plain_prefix_matches_a_byte_loop(bytes in proptest::collection::vec(
            proptest::prop_oneof![proptest::num::u8::ANY, proptest::strategy::Just(b'a'), proptest::strategy::Just(b'"')],
            0..40,
        )) {
            let expected = bytes
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(bytes.len());
            proptest::prop_assert_eq!(plain_prefix(&bytes), expected);
        }

        /// Same bytes as canonicalising the parsed tree, from compact, pretty and
        /// scrambled text.
        #[test]
        fn matches_the_tree_canonicaliser(v in arb_json()) {
            let expected = to_vec(&v).expect("generator makes no floats");
            let compact = serde_json::to_vec(&v).expect("serialises");
            proptest::prop_assert_eq!(&canonicalize(&compact).expect("valid"), &expected);
            let pretty = serde_json::to_vec_pretty(&v).expect("serialises");
            proptest::prop_assert_eq!(&canonicalize(&pretty).expect("valid"), &expected);
            let mut text = String::new();
            scrambled(&v, &mut text);
            proptest::prop_assert_eq!(&canonicalize(text.as_bytes()).expect("valid"), &expected);
        }
    }
}
