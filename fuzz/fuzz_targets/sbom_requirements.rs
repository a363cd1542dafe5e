//! pip requirements text → project → CycloneDX: never a panic; purls are unique and every
//! edge points at a component; versions are exact or empty.
#![no_main]

use custody_sbom::python::project_from_text;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(project) = project_from_text(text, Path::new("requirements.txt")) else {
        return;
    };
    for c in &project.components {
        assert!(!c.name.is_empty());
        assert!(!c.version.contains(char::is_whitespace), "{:?}", c.version);
    }
    custody_fuzz::check_project(project);
});
