//! Canonical JSON of untrusted JSON: never panics, has the input's value (read back after
//! escaping the control characters canonical JSON writes raw), and is a fixed point.
#![no_main]

use custody_core::canonical_json::to_vec;
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
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(bytes) = to_vec(&value) {
        let back: serde_json::Value =
            serde_json::from_slice(&strict_json(&bytes)).expect("canonical JSON parses");
        assert_eq!(back, value);
        assert_eq!(to_vec(&back).expect("still canonical"), bytes);
    }
});
