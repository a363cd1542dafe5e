//! Compiled advisory databases (`custody db build`): the bytes after the magic and layout
//! version, with a correct digest appended so the fuzzer reaches the structure checks →
//! open, decode every record, look packages up: never a panic, and whatever opens answers
//! consistently.
#![no_main]

use custody_vuln::compiled::{Compiled, FORMAT, MAGIC};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let mut bytes = Vec::with_capacity(data.len() + 48);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT.to_le_bytes());
    bytes.extend_from_slice(data);
    let digest = Sha256::digest(&bytes);
    bytes.extend_from_slice(&digest);
    let Ok(db) = Compiled::from_bytes(bytes, Path::new("fuzz.db")) else {
        return;
    };
    for i in 0..db.len() {
        let _ = db.advisory(i);
    }
    assert!(db.advisory(db.len()).is_err(), "no record past the end");
    for (eco, name) in [
        ("crates.io", "foo"),
        ("PyPI", "django"),
        ("Go", "m"),
        ("npm", "x"),
    ] {
        if let Ok(hits) = db.about(eco, name) {
            for (a, aff) in hits {
                assert!(a.affected.iter().any(|x| x == aff), "entry of its advisory");
            }
        }
    }
});
