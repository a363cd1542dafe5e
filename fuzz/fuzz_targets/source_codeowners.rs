//! CODEOWNERS files as anyone who can push could write them, matched against paths. Never
//! a panic; a rule found for a path is one of the parsed rules, and an owner list comes
//! from the rule that decides.
#![no_main]

use custody_git::codeowners::CodeOwners;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (owners, errors) = CodeOwners::parse(text);
    assert!(errors.iter().all(|e| e.line <= text.lines().count()));
    // Paths: the last line's words, and a few fixed ones.
    let last = text.lines().last().unwrap_or("");
    for path in last
        .split_whitespace()
        .chain(["src/lib.rs", "docs/a/b.md", ".github/CODEOWNERS"])
    {
        if let Some(rule) = owners.rule_for(path) {
            assert!(owners.rules.contains(rule));
            assert_eq!(owners.owners_of(path), rule.owners.as_slice());
        } else {
            assert!(owners.owners_of(path).is_empty());
        }
    }
});
