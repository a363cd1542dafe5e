//! Canonical JSON of untrusted JSON: never panics, has the input's value (read back after
//! escaping the control characters canonical JSON writes raw), and is a fixed point. The
//! text canonicaliser (no tree) agrees with the tree one byte for byte, and refuses only
//! what serde_json refuses, plus keys given twice.
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

fuzz_target!(|data: &[u8]| {
    let from_text = canonicalize(data);
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        assert!(from_text.is_err(), "serde_json refuses what canonicalize accepts");
        return;
    };
    let from_tree = to_vec(&value);
    match (&from_text, &from_tree) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "text and tree canonical forms differ"),
        (Err(CanonicalJsonError::DuplicateKey(_)), _) => {}
        (Err(CanonicalJsonError::Float(_)), Err(CanonicalJsonError::Float(_))) => {}
        (a, b) => panic!("text gave {a:?}, tree gave {b:?}"),
    }
    if let Ok(bytes) = from_tree {
        let back: serde_json::Value =
            serde_json::from_slice(&strict_json(&bytes)).expect("canonical JSON parses");
        assert_eq!(back, value);
        assert_eq!(to_vec(&back).expect("still canonical"), bytes);
    }
});
