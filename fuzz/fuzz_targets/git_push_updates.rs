//! Pre-receive input (`OLD NEW REF` lines): never panics, and what it accepts has object
//! ids of a valid length in hex and a non-empty ref name.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(updates) = custody_git::push::parse_updates(text) {
        for u in &updates {
            for id in [&u.old, &u.new] {
                assert!(id.len() == 40 || id.len() == 64);
                assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
            }
            assert!(!u.name.is_empty() && !u.name.contains(char::is_whitespace));
        }
    }
});
