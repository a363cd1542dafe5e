//! The archives `custody deps verify` opens from caches anyone could have written: Go
//! module zips (Go's `h1:` hash over their entries) and npm tarballs (the tar inside is
//! gzipped here so the fuzzer reaches the tar reader and the path checks). Never a panic;
//! a tarball that is read names only paths inside the package.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write as _;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if selector % 2 == 0 {
        if let Ok(h) = custody_artefacts::dirhash::hash_zip(std::io::Cursor::new(rest)) {
            assert_eq!(h.hex.len(), 64);
            assert!(custody_artefacts::dirhash::to_h1(&h).starts_with("h1:"));
        }
    } else {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
        if gz.write_all(rest).is_err() {
            return;
        }
        let Ok(tgz) = gz.finish() else { return };
        if let Ok(files) = custody_artefacts::npm::tarball_files_of(tgz.as_slice()) {
            for name in files.keys() {
                assert!(!name.is_empty(), "an empty path");
                assert!(
                    name.split('/')
                        .all(|p| !p.is_empty() && p != ".." && p != "."),
                    "{name:?} leaves the package or is not normal"
                );
            }
        }
    }
});
