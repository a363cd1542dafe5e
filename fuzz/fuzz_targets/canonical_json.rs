//! Canonical JSON of untrusted JSON: never panics, has the input's value (read back after
//! escaping the control characters canonical JSON writes raw), and is a fixed point. The
//! text canonicaliser (no tree) agrees with the tree one byte for byte, and refuses only
//! what serde_json refuses, plus keys given twice (and a float such a key hides from the
//! tree).
#![no_main]

use custody_core::canonical_json::{CanonicalJsonError, canonicalize, to_vec};
use libfuzzer_sys::fuzz_target;

/// Outside strings canonical JSON has no control characters, so escaping all of them
/// gives strict JSON with the same value.
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

/// Reads any JSON, failing on an object that gives a key twice.
struct UniqueKeys;

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys {
    type Value = UniqueKeys;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut keys = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !keys.insert(key) {
                return Err(serde::de::Error::custom("key given twice"));
            }
            map.next_value::<UniqueKeys>()?;
        }
        Ok(UniqueKeys)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<UniqueKeys>()?.is_some() {}
        Ok(UniqueKeys)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
}

/// Whether `data` (valid JSON) gives some key twice in one object.
fn has_duplicate_key(data: &[u8]) -> bool {
    serde_json::from_slice::<UniqueKeys>(data).is_err()
}

fuzz_target!(|data: &[u8]| {
    let from_text = canonicalize(data);
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        assert!(
            from_text.is_err(),
            "serde_json refuses what canonicalize accepts"
        );
        return;
    };
    let from_tree = to_vec(&value);
    match (&from_text, &from_tree) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "text and tree canonical forms differ"),
        (Err(CanonicalJsonError::DuplicateKey(_)), _) => {}
        (Err(CanonicalJsonError::Float(_)), Err(CanonicalJsonError::Float(_))) => {}
        // A float under a key given twice: the tree kept the later value and lost the
        // float, the text refused the float before it reached the second key.
        (Err(CanonicalJsonError::Float(_)), Ok(_)) if has_duplicate_key(data) => {}
        (a, b) => panic!("text gave {a:?}, tree gave {b:?}"),
    }
    if let Ok(bytes) = from_tree {
        let back: serde_json::Value =
            serde_json::from_slice(&strict_json(&bytes)).expect("canonical JSON parses");
        assert_eq!(back, value);
        assert_eq!(to_vec(&back).expect("still canonical"), bytes);
    }
});
