//! CycloneDX and SPDX JSON (supplier SBOMs) → the component model → CycloneDX again: never
//! a panic; purls are unique per project and every edge points at a component of it.
#![no_main]

use custody_sbom::import::from_text;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(imported) = from_text(text, Path::new("sbom.json")) else {
        return;
    };
    for project in &imported.projects {
        custody_fuzz::check_graph(project);
        for c in &project.components {
            assert_eq!(c.ecosystem, project.ecosystem);
        }
    }
    let inventory = custody_sbom::Inventory {
        projects: imported.projects,
        problems: vec![],
    };
    let cdx = custody_sbom::cyclonedx::document(&inventory, &Default::default());
    let again = from_text(
        std::str::from_utf8(&cdx).expect("UTF-8"),
        Path::new("again.json"),
    )
    .expect("custody's own CycloneDX reads back");
    assert!(again.unidentified.is_empty(), "{:?}", again.unidentified);
});
