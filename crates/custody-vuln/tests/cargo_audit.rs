//! custody against cargo-audit: on the real lockfiles of testdata/materials/cargo/,
//! custody reports exactly the RustSec IDs (vulnerabilities and informational warnings,
//! per crate version) that cargo-audit 0.22.2 reported offline against the same advisory
//! data, recorded in each case's expected.txt (see that directory's README.md).
//!
//! The advisory data is testdata/advisories/rustsec-subset/ (every advisory about a crate
//! in these lockfiles, so the answers are those of the whole database), or the whole
//! database when `CUSTODY_RUSTSEC_DB` names it.

use custody_vuln::Database;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn advisory_data() -> PathBuf {
    std::env::var_os("CUSTODY_RUSTSEC_DB").map_or_else(
        || repo().join("testdata/advisories/rustsec-subset"),
        PathBuf::from,
    )
}

#[test]
fn the_same_rustsec_ids_as_cargo_audit_on_every_fixture() {
    let db = Database::load(&[advisory_data()]).expect("advisory data loads");
    same_as_cargo_audit(&db);
}

#[test]
fn the_same_rustsec_ids_as_cargo_audit_from_a_compiled_database() {
    let (bytes, header) =
        custody_vuln::db::build(&[advisory_data()], "test", None).expect("compiles");
    assert!(header.problems.is_empty(), "{:?}", header.problems);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("rustsec.db");
    std::fs::write(&file, bytes).expect("write");
    let db = Database::load(&[file]).expect("opens");
    same_as_cargo_audit(&db);
}

fn same_as_cargo_audit(db: &Database) {
    assert!(db.problems.is_empty(), "{:?}", db.problems);
    let cases = repo().join("testdata/materials/cargo");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&cases)
        .expect("fixtures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("expected.txt").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 9, "fixtures missing: {dirs:?}");
    let mut total = 0;
    for dir in dirs {
        let expected: Vec<String> = std::fs::read_to_string(dir.join("expected.txt"))
            .expect("expected.txt")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        let inventory = custody_sbom::inventory(&dir.join("Cargo.lock")).expect("lockfile");
        let report = custody_vuln::scan(&inventory, db).expect("scan");
        let mut got: Vec<String> = report
            .findings
            .iter()
            .flat_map(|f| {
                f.ids
                    .iter()
                    .map(|id| format!("{} {id} {} {}", f.kind.name(), f.package, f.version))
            })
            .collect();
        got.sort();
        let mut want = expected;
        want.sort();
        assert_eq!(got, want, "case {}", dir.display());
        total += want.len();
    }
    assert!(total > 60, "only {total} findings compared");
}
