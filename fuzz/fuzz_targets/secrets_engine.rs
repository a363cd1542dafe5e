//! The secret scanner on untrusted content: the built-in rules over any bytes never panic,
//! and every finding points inside the content.
#![no_main]

use custody_secrets::engine::RuleSet;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().expect("built-in rules compile"))
}

fuzz_target!(|data: &[u8]| {
    let lines = data.iter().filter(|b| **b == b'\n').count() + 1;
    for f in rules().scan("fuzz.txt", data) {
        assert!(f.line >= 1 && f.line <= lines, "line {} of {lines}", f.line);
        assert!(f.column >= 1);
        assert_eq!(f.fingerprint.len(), 16);
    }
});
