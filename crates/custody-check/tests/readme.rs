//! README.md's control coverage table is generated from the catalogue; this test keeps it
//! true. Run with `CUSTODY_UPDATE_README=1` to rewrite the table in place.

use custody_check::{COVERAGE_BEGIN, COVERAGE_END, coverage_table_markdown};
use std::path::Path;

#[test]
fn readme_coverage_table_matches_the_catalogue() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md at the workspace root");
    let start = readme
        .find(COVERAGE_BEGIN)
        .expect("README.md has the coverage begin marker");
    let end = readme
        .find(COVERAGE_END)
        .expect("README.md has the coverage end marker")
        + COVERAGE_END.len();
    let expected = coverage_table_markdown();
    if std::env::var_os("CUSTODY_UPDATE_README").is_some() {
        let updated = format!("{}{expected}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).expect("rewrite README.md");
        return;
    }
    assert_eq!(
        &readme[start..end],
        expected,
        "README.md's coverage table is stale: run CUSTODY_UPDATE_README=1 cargo test -p custody-check --test readme"
    );
}

#[test]
fn catalogue_matches_the_project_controls_document() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/controls.md");
    let doc = std::fs::read_to_string(&path).expect("docs/controls.md");
    let ids: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .filter(|id| {
            id.len() <= 6
                && id.contains('-')
                && id.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        })
        .collect();
    let ours: Vec<&str> = custody_check::catalogue::CATALOGUE
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, ours);
    for c in custody_check::catalogue::CATALOGUE {
        let row = format!("| {} | {} | {} |", c.id, c.title, c.capability);
        assert!(doc.contains(&row), "docs/controls.md has no row {row}");
    }
}
