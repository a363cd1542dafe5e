//! pom.xml text (and parent POMs after NUL bytes, nearest first) → project → CycloneDX:
//! never a panic; purls are unique and every edge points at a component.
#![no_main]

use custody_sbom::maven::project_from_texts;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.split('\0');
    let pom = parts.next().unwrap_or_default();
    let parents: Vec<(&str, &Path)> = parts.map(|p| (p, Path::new("../pom.xml"))).collect();
    let Ok(project) = project_from_texts(pom, &parents, Path::new("pom.xml")) else {
        return;
    };
    custody_fuzz::check_project(project);
});
