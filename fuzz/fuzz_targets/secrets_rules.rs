//! User rule files from untrusted text: parsing and compiling never panic, and a rule set
//! that compiles scans its own text without panicking (size limits keep regexes bounded).
#![no_main]

use custody_secrets::engine::RuleSet;
use custody_secrets::rules::parse_rules;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rules) = parse_rules(text, "fuzz") else {
        return;
    };
    if let Ok(set) = RuleSet::compile(rules) {
        let _ = set.scan("rules.toml", data);
    }
});
