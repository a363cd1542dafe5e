//! CVSS vectors from advisories: v3.x and v4.0 scoring never panics and stays in 0..=10.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for score in [
        custody_vuln::cvss::v3_base_score(&text),
        custody_vuln::cvss4::v4_score(&text),
    ]
    .into_iter()
    .flatten()
    {
        assert!((0.0..=10.0).contains(&score), "{score} for {text:?}");
    }
});
