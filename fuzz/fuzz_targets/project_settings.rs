//! What a push is judged by on a server: the `custody.toml` committed on HEAD and the
//! secrets baseline it names, both written by whoever could push. Never a panic; a
//! baseline read back writes the same baseline again.
#![no_main]

use custody_secrets::baseline::Baseline;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = custody_check::config::parse(std::path::Path::new("custody.toml"), text);
    }
    if let Ok(baseline) = Baseline::parse(data, "fuzz") {
        let bytes = serde_json::to_vec(&baseline).expect("a baseline serialises");
        let again = Baseline::parse(&bytes, "again").expect("reads back");
        assert_eq!(again, baseline);
    }
});
