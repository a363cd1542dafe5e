//! dpkg status file text → project → CycloneDX: never a panic; purls are unique and
//! every edge points at a component.
#![no_main]

use custody_sbom::debian::project_from_text;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(project) = project_from_text(text, Path::new("var/lib/dpkg/status")) else {
        return;
    };
    custody_fuzz::check_project(project);
});
