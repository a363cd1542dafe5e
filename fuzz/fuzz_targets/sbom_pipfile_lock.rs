//! Pipfile.lock text → project → CycloneDX: never a panic; purls are unique and every
//! edge points at a component.
#![no_main]

use custody_sbom::pipenv::project_from_text;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(project) = project_from_text(text, Path::new("Pipfile.lock")) else {
        return;
    };
    custody_fuzz::check_project(project);
});
