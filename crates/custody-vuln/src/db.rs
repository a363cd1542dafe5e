//! Advisory databases: directories of RustSec advisories and OSV records, read in
//! parallel and indexed by (ecosystem, package).

use crate::advisory::Advisory;
use crate::error::VulnError;
use crate::osv::Syntax;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A file that could not be read as an advisory; the rest of the database is used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

/// Advisories and their index.
#[derive(Debug, Default)]
pub struct Database {
    advisories: Vec<Advisory>,
    /// (ecosystem, normalised package name) → (advisory, affected entry).
    index: HashMap<(String, String), Vec<(usize, usize)>>,
    /// Files that could not be read.
    pub problems: Vec<Problem>,
}

/// The name under which an ecosystem's registry considers two spellings the same
/// package: PyPI normalises case and runs of `-`, `_`, `.` (PEP 503); the others compare
/// exactly.
#[must_use]
pub fn normalise_name(ecosystem: &str, name: &str) -> String {
    if ecosystem == "PyPI" {
        custody_sbom::python::normalise(name)
    } else {
        name.to_owned()
    }
}

/// What kind of advisory file a path is, by its name and place.
fn kind_of(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if let Some(stem) = name.strip_suffix(".md") {
        // RustSec: crates/<crate>/RUSTSEC-….md (rust/<tool>/… are toolchain advisories).
        if !stem.starts_with("RUSTSEC-") {
            return None;
        }
        let collection = path.parent()?.parent()?.file_name()?.to_str()?;
        return Some(FileKind::RustSec {
            toolchain: collection == "rust",
        });
    }
    if name.ends_with(".json") {
        return Some(FileKind::Osv(Syntax::Json));
    }
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        return Some(FileKind::Osv(Syntax::Yaml));
    }
    None
}

#[derive(Debug, Clone, Copy)]
enum FileKind {
    RustSec { toolchain: bool },
    Osv(Syntax),
}

/// Files larger than this are not advisories (the largest OSV records are a few MiB).
const MAX_ADVISORY_BYTES: u64 = 16 * 1024 * 1024;

fn read_one(path: &Path, kind: FileKind) -> Result<Advisory, VulnError> {
    let io = |source| VulnError::Io {
        path: path.to_owned(),
        source,
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_ADVISORY_BYTES {
        return Err(VulnError::malformed(
            path,
            format!("{len} bytes is more than an advisory may have"),
        ));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|_| VulnError::malformed(path, "not UTF-8"))?;
    match kind {
        FileKind::RustSec { toolchain } => {
            let mut a = crate::rustsec::parse(&text, path)?;
            if toolchain {
                // Advisories about rustc, cargo and std as tools, not crates.
                for aff in &mut a.affected {
                    aff.ecosystem = "rust-toolchain".into();
                }
            }
            Ok(a)
        }
        FileKind::Osv(syntax) => crate::osv::parse(&text, syntax, path),
    }
}

impl Database {
    /// Read every advisory under the given directories (or single files).
    ///
    /// # Errors
    /// A path that does not exist, or a directory without a single advisory. Malformed
    /// advisory files are [`Database::problems`], not errors.
    pub fn load(paths: &[PathBuf]) -> Result<Self, VulnError> {
        let mut files: Vec<(PathBuf, FileKind)> = Vec::new();
        for root in paths {
            let meta = std::fs::metadata(root).map_err(|source| VulnError::Io {
                path: root.clone(),
                source,
            })?;
            let before = files.len();
            if meta.is_file() {
                let kind = kind_of(root).unwrap_or(FileKind::Osv(Syntax::Json));
                files.push((root.clone(), kind));
            } else {
                walk(root, &mut files).map_err(|source| VulnError::Io {
                    path: root.clone(),
                    source,
                })?;
            }
            if files.len() == before {
                return Err(VulnError::Empty { path: root.clone() });
            }
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let read: Vec<Result<Advisory, VulnError>> = files
            .par_iter()
            .map(|(path, kind)| read_one(path, *kind))
            .collect();
        let mut db = Self::default();
        for r in read {
            match r {
                Ok(a) => db.advisories.push(a),
                Err(e) => db.problems.push(Problem {
                    path: match &e {
                        VulnError::Io { path, .. }
                        | VulnError::Malformed { path, .. }
                        | VulnError::Empty { path } => path.clone(),
                    },
                    message: match e {
                        VulnError::Malformed { message, .. } => message,
                        other => other.to_string(),
                    },
                }),
            }
        }
        db.build_index();
        Ok(db)
    }

    /// A database of advisories already in memory.
    #[must_use]
    pub fn from_advisories(advisories: Vec<Advisory>) -> Self {
        let mut db = Self {
            advisories,
            ..Self::default()
        };
        db.build_index();
        db
    }

    fn build_index(&mut self) {
        self.index.clear();
        for (i, a) in self.advisories.iter().enumerate() {
            for (j, aff) in a.affected.iter().enumerate() {
                self.index
                    .entry((
                        aff.ecosystem.clone(),
                        normalise_name(&aff.ecosystem, &aff.package),
                    ))
                    .or_default()
                    .push((i, j));
            }
        }
    }

    /// Every advisory.
    #[must_use]
    pub fn advisories(&self) -> &[Advisory] {
        &self.advisories
    }

    /// The (advisory, affected entry) pairs about a package.
    pub fn about(
        &self,
        ecosystem: &str,
        package: &str,
    ) -> impl Iterator<Item = (&Advisory, &crate::advisory::Affected)> {
        self.index
            .get(&(ecosystem.to_owned(), normalise_name(ecosystem, package)))
            .into_iter()
            .flatten()
            .map(|&(i, j)| (&self.advisories[i], &self.advisories[i].affected[j]))
    }
}

/// Advisory files under `dir`, skipping VCS directories.
fn walk(dir: &Path, out: &mut Vec<(PathBuf, FileKind)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let t = entry.file_type()?;
        if t.is_dir() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            walk(&path, out)?;
        } else if t.is_file()
            && let Some(kind) = kind_of(&path)
        {
            out.push((path, kind));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pypi_names_are_normalised() {
        assert_eq!(
            normalise_name("PyPI", "Django_Rest.Framework"),
            "django-rest-framework"
        );
        assert_eq!(normalise_name("PyPI", "a--b"), "a-b");
        assert_eq!(normalise_name("crates.io", "Serde_Json"), "Serde_Json");
    }

    #[test]
    fn a_directory_of_mixed_advisories_loads_with_problems_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("crates/foo")).expect("mkdir");
        std::fs::create_dir_all(root.join("rust/cargo")).expect("mkdir");
        std::fs::create_dir_all(root.join("osv")).expect("mkdir");
        let adv = "```toml\n[advisory]\nid = \"RUSTSEC-2020-0001\"\npackage = \"foo\"\n[versions]\npatched = [\">= 1.0.0\"]\n```\n# Foo\n";
        std::fs::write(root.join("crates/foo/RUSTSEC-2020-0001.md"), adv).expect("write");
        std::fs::write(
            root.join("rust/cargo/RUSTSEC-2020-0002.md"),
            adv.replace("0001", "0002").replace("\"foo\"", "\"cargo\""),
        )
        .expect("write");
        std::fs::write(root.join("crates/foo/README.md"), "# not an advisory").expect("write");
        std::fs::write(
            root.join("osv/GHSA-1.json"),
            r#"{"id":"GHSA-1","affected":[{"package":{"ecosystem":"PyPI","name":"Foo_Bar"}}]}"#,
        )
        .expect("write");
        std::fs::write(root.join("osv/broken.json"), "{").expect("write");
        let db = Database::load(&[root.to_path_buf()]).expect("loads");
        assert_eq!(db.advisories().len(), 3);
        assert_eq!(db.problems.len(), 1);
        assert!(db.problems[0].path.ends_with("broken.json"));
        assert_eq!(db.about("crates.io", "foo").count(), 1);
        assert_eq!(
            db.about("crates.io", "cargo").count(),
            0,
            "toolchain advisories"
        );
        assert_eq!(db.about("PyPI", "foo.bar").count(), 1);
        let empty = tempfile::tempdir().expect("temp dir");
        let err = Database::load(&[empty.path().to_path_buf()]).expect_err("empty");
        assert!(err.to_string().contains("no advisories found"), "{err}");
    }
}
