//! pip requirements text → project → CycloneDX: never a panic; purls are unique and every
//! edge points at a component; versions are exact or empty.
#![no_main]

use custody_sbom::python::project_from_text;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(project) = project_from_text(text, Path::new("requirements.txt")) else {
        return;
    };
    let purls: BTreeSet<&str> = project.components.iter().map(|c| c.purl.as_str()).collect();
    assert_eq!(
        purls.len(),
        project.components.len(),
        "one component per purl"
    );
    for c in &project.components {
        assert!(!c.name.is_empty());
        assert!(!c.version.contains(char::is_whitespace), "{:?}", c.version);
        for d in &c.dependencies {
            assert!(purls.contains(d.as_str()), "dangling edge to {d}");
        }
    }
    let inventory = custody_sbom::Inventory {
        projects: vec![project],
        problems: vec![],
    };
    let cdx = custody_sbom::cyclonedx::document(&inventory, &Default::default());
    serde_json::from_slice::<serde_json::Value>(&cdx).expect("CycloneDX is JSON");
});
