//! What every lockfile reader's fuzz target holds its reader to: one component per purl,
//! every edge pointing at a component of the project, and a CycloneDX document that is
//! JSON.

use custody_sbom::Project;
use std::collections::BTreeSet;

/// Panic (a fuzz finding) when `project` breaks an invariant of the component model.
pub fn check_project(project: Project) {
    check_graph(&project);
    let inventory = custody_sbom::Inventory {
        projects: vec![project],
        problems: vec![],
    };
    let cdx = custody_sbom::cyclonedx::document(&inventory, &Default::default());
    serde_json::from_slice::<serde_json::Value>(&cdx).expect("CycloneDX is JSON");
}

/// Panic when a project's graph is not one component per purl with every edge pointing
/// at one of them.
pub fn check_graph(project: &Project) {
    let purls: BTreeSet<&str> = project.components.iter().map(|c| c.purl.as_str()).collect();
    assert_eq!(
        purls.len(),
        project.components.len(),
        "one component per purl"
    );
    for c in &project.components {
        for d in &c.dependencies {
            assert!(purls.contains(d.as_str()), "dangling edge to {d}");
        }
    }
}
