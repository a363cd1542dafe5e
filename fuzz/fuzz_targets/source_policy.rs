//! `.custody/policy.toml` as anyone who can push a commit could write it, and the ref
//! patterns of its rules. Never a panic; a parsed policy has an Owner threshold it can
//! meet, and its requirements for any ref can be computed.
#![no_main]

use custody_git::policy::{Policy, Role, ref_matches};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The first line (a TOML comment) doubles as a ref name for the pattern matcher.
    let reference = text.lines().next().map_or("", |l| l.trim_start_matches("# "));
    let read = |rel: &str| -> Result<Vec<u8>, String> { Err(format!("{rel}: no files")) };
    if let Ok(policy) = Policy::parse("policy.toml", text, &read) {
        let owners = policy.people.iter().filter(|p| p.role == Role::Owner).count();
        assert!(policy.owners_threshold >= 1 && policy.owners_threshold as usize <= owners);
        for r in [reference, "refs/heads/main", "refs/tags/v1.0"] {
            let req = policy.requirements(r);
            assert!(req.writers.iter().all(|w| w.has_write_access()));
        }
        for rule in &policy.rules {
            for pattern in &rule.refs {
                let _ = ref_matches(pattern, reference);
            }
        }
    }
    if let Some((pattern, name)) = reference.split_once(' ') {
        // A pattern without wildcards (* and ?) matches exactly itself.
        if !pattern.contains(['*', '?']) {
            assert_eq!(ref_matches(pattern, name), pattern == name);
        }
    }
});
