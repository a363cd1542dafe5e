//! Exclude patterns and paths from untrusted input: compiling any pattern list and
//! matching any path never panics, and a pattern list never excludes differently when a
//! no-op pattern (blank or comment) is added.
#![no_main]

use custody_intoto::exclude::ExcludeSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (patterns, path) = text.split_once('\0').unwrap_or((text, "a/b.txt"));
    let lines: Vec<&str> = patterns.lines().take(16).collect();
    let Ok(set) = ExcludeSet::new(&lines) else {
        return;
    };
    let verdict = set.is_excluded(path);
    let mut with_noop = lines.clone();
    with_noop.push("# a comment");
    with_noop.push("");
    let noop = ExcludeSet::new(&with_noop).expect("comments and blanks always compile");
    assert_eq!(noop.is_excluded(path), verdict);
});
