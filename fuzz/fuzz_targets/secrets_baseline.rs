//! A secrets baseline: on a server, the one committed on HEAD decides which findings of a
//! push are accepted, and whoever could push wrote it. Never a panic; a baseline read back
//! writes the same baseline again.
#![no_main]

use custody_secrets::baseline::Baseline;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(baseline) = Baseline::parse(data, "fuzz") {
        let bytes = serde_json::to_vec(&baseline).expect("a baseline serialises");
        let again = Baseline::parse(&bytes, "again").expect("reads back");
        assert_eq!(again, baseline);
    }
});
