//! `custody sbom validate` on hostile documents: any JSON, and the input spliced into a
//! CycloneDX and an SPDX skeleton so the fuzzer reaches the schema and reference checks.
//! Never a panic; a document is valid or has located problems.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn check(doc: &serde_json::Value) {
    if let Ok(v) = custody_sbom::validate::validate(doc) {
        for p in &v.problems {
            assert!(p.pointer.is_empty() || p.pointer.starts_with('/'), "{p:?}");
            assert!(!p.message.is_empty());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    check(&value);
    let cdx = serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": value.get("components").cloned().unwrap_or_else(|| serde_json::json!([value.clone()])),
        "dependencies": value.get("dependencies").cloned().unwrap_or_default(),
    });
    check(&cdx);
    let spdx = serde_json::json!({
        "spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT",
        "packages": value.get("packages").cloned().unwrap_or_else(|| serde_json::json!([value.clone()])),
        "relationships": value.get("relationships").cloned().unwrap_or_default(),
    });
    check(&spdx);
});
