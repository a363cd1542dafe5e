//! Canonical JSON of untrusted JSON: never panics, is valid JSON equal to the input value,
//! and is a fixed point.
#![no_main]

use custody_core::canonical_json::to_vec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(bytes) = to_vec(&value) {
        let back: serde_json::Value =
            serde_json::from_slice(&bytes).expect("canonical JSON parses");
        assert_eq!(back, value);
        assert_eq!(to_vec(&back).expect("still canonical"), bytes);
    }
});
