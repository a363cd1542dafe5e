//! Advisory databases: directories of RustSec advisories and OSV records, read in
//! parallel and indexed by (ecosystem, package).

use crate::advisory::{Advisory, Affected};
use crate::compiled::{self, Compiled, Header, SourceSummary};
use crate::error::VulnError;
use crate::osv::Syntax;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// A file that could not be read as an advisory; the rest of the database is used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

/// Advisory data to match against: directories and files of advisories read into memory,
/// and compiled databases (see [`crate::compiled`]) opened as they are.
#[derive(Debug, Default)]
pub struct Database {
    stores: Vec<Store>,
    /// Files that could not be read (for a compiled database: when it was built).
    pub problems: Vec<Problem>,
}

#[derive(Debug)]
enum Store {
    Read(ReadAdvisories),
    Compiled(Box<Compiled>),
}

/// Advisories parsed from their files, with their index.
#[derive(Debug, Default)]
struct ReadAdvisories {
    advisories: Vec<Advisory>,
    /// (ecosystem, normalised package name) → (advisory, affected entry).
    index: HashMap<(String, String), Vec<(usize, usize)>>,
}

impl ReadAdvisories {
    fn new(advisories: Vec<Advisory>) -> Self {
        let mut index: HashMap<(String, String), Vec<(usize, usize)>> = HashMap::new();
        for (i, a) in advisories.iter().enumerate() {
            for (j, aff) in a.affected.iter().enumerate() {
                index
                    .entry((
                        aff.ecosystem.clone(),
                        normalise_name(&aff.ecosystem, &aff.package),
                    ))
                    .or_default()
                    .push((i, j));
            }
        }
        Self { advisories, index }
    }
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

/// Read every advisory file under `paths` (directories or single files), in parallel.
fn read_files(paths: &[PathBuf]) -> Result<(Vec<Advisory>, Vec<Problem>), VulnError> {
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
    let mut advisories = Vec::with_capacity(read.len());
    let mut problems = Vec::new();
    for r in read {
        match r {
            Ok(a) => advisories.push(a),
            Err(e) => problems.push(Problem {
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
    Ok((advisories, problems))
}

impl Database {
    /// Open advisory data: compiled databases (recognised by their first bytes) as they
    /// are, every other path as a directory of advisory files (RustSec, OSV JSON/YAML) or
    /// a single advisory file.
    ///
    /// # Errors
    /// A path that does not exist, a directory without a single advisory, or a compiled
    /// database that fails its checks. Malformed advisory files are
    /// [`Database::problems`], not errors.
    pub fn load(paths: &[PathBuf]) -> Result<Self, VulnError> {
        let mut db = Self::default();
        let mut sources = Vec::new();
        for path in paths {
            if path.is_file() && compiled::is_compiled(path) {
                let c = Compiled::open(path)?;
                db.problems.extend(c.header().problems.iter().cloned());
                db.stores.push(Store::Compiled(Box::new(c)));
            } else {
                sources.push(path.clone());
            }
        }
        if !sources.is_empty() {
            let (advisories, problems) = read_files(&sources)?;
            db.problems.extend(problems);
            db.stores.push(Store::Read(ReadAdvisories::new(advisories)));
        }
        Ok(db)
    }

    /// A database of advisories already in memory.
    #[must_use]
    pub fn from_advisories(advisories: Vec<Advisory>) -> Self {
        Self {
            stores: vec![Store::Read(ReadAdvisories::new(advisories))],
            problems: Vec::new(),
        }
    }

    /// The number of advisories.
    #[must_use]
    pub fn len(&self) -> usize {
        self.stores
            .iter()
            .map(|s| match s {
                Store::Read(r) => r.advisories.len(),
                Store::Compiled(c) => c.len(),
            })
            .sum()
    }

    /// Whether there is no advisory at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The (advisory, affected entry) pairs about a package.
    ///
    /// # Errors
    /// A compiled database whose records do not decode: the answer is not known.
    pub fn about(
        &self,
        ecosystem: &str,
        package: &str,
    ) -> Result<Vec<(&Advisory, &Affected)>, VulnError> {
        let name = normalise_name(ecosystem, package);
        let mut out = Vec::new();
        for store in &self.stores {
            match store {
                Store::Read(r) => out.extend(
                    r.index
                        .get(&(ecosystem.to_owned(), name.clone()))
                        .into_iter()
                        .flatten()
                        .map(|&(i, j)| (&r.advisories[i], &r.advisories[i].affected[j])),
                ),
                Store::Compiled(c) => out.extend(c.about(ecosystem, &name)?),
            }
        }
        Ok(out)
    }
}

/// Compile advisory sources into the bytes of one database file (see [`crate::compiled`]).
/// Sources are read one by one (each counted in the header); advisories are sorted by ID
/// and their file names made relative to their source, so the same sources give the same
/// bytes wherever they are. A source may itself be a compiled database.
///
/// # Errors
/// As [`Database::load`] for each source, and data that does not fit the layout.
pub fn build(
    sources: &[PathBuf],
    generator: &str,
    built: Option<String>,
) -> Result<(Vec<u8>, Header), VulnError> {
    let mut all: Vec<Advisory> = Vec::new();
    let mut header = Header {
        generator: generator.to_owned(),
        built,
        sources: Vec::new(),
        ecosystems: BTreeMap::new(),
        newest_advisory: None,
        problems: Vec::new(),
    };
    for source in sources {
        let before = all.len();
        if source.is_file() && compiled::is_compiled(source) {
            let c = Compiled::open(source)?;
            for i in 0..c.len() {
                all.push(c.advisory(i)?.clone());
            }
            header.problems.extend(c.header().problems.iter().cloned());
        } else {
            let (mut advisories, problems) = read_files(std::slice::from_ref(source))?;
            for a in &mut advisories {
                if let Ok(rel) = a.file.strip_prefix(source) {
                    a.file = rel.to_path_buf();
                }
            }
            all.extend(advisories);
            header.problems.extend(problems.into_iter().map(|mut p| {
                if let Ok(rel) = p.path.strip_prefix(source) {
                    p.path = source.join(rel);
                }
                p
            }));
        }
        header.sources.push(SourceSummary {
            path: source.display().to_string(),
            advisories: all.len() - before,
        });
    }
    all.sort_by(|a, b| (&a.id, &a.file).cmp(&(&b.id, &b.file)));
    for a in &all {
        let ecosystems: BTreeSet<&str> = a.affected.iter().map(|f| f.ecosystem.as_str()).collect();
        for e in ecosystems {
            *header.ecosystems.entry(e.to_owned()).or_default() += 1;
        }
        if let Some(m) = &a.modified
            && header.newest_advisory.as_ref().is_none_or(|n| m > n)
        {
            header.newest_advisory = Some(m.clone());
        }
    }
    let path = sources.first().cloned().unwrap_or_default();
    let bytes = compiled::write(&header, &all).map_err(|m| VulnError::malformed(&path, m))?;
    Ok((bytes, header))
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
        assert_eq!(db.len(), 3);
        assert_eq!(db.problems.len(), 1);
        assert!(db.problems[0].path.ends_with("broken.json"));
        assert_eq!(db.about("crates.io", "foo").expect("read").len(), 1);
        assert_eq!(
            db.about("crates.io", "cargo").expect("read").len(),
            0,
            "toolchain advisories"
        );
        assert_eq!(db.about("PyPI", "foo.bar").expect("read").len(), 1);
        let empty = tempfile::tempdir().expect("temp dir");
        let err = Database::load(&[empty.path().to_path_buf()]).expect_err("empty");
        assert!(err.to_string().contains("no advisories found"), "{err}");
    }

    #[test]
    fn compiled_databases_are_deterministic_and_answer_as_the_files_do() {
        let make = |root: &Path| {
            std::fs::create_dir_all(root.join("crates/foo")).expect("mkdir");
            std::fs::create_dir_all(root.join("osv")).expect("mkdir");
            let adv = "```toml\n[advisory]\nid = \"RUSTSEC-2020-0001\"\npackage = \"foo\"\ndate = \"2020-01-02\"\n[versions]\npatched = [\">= 1.0.0\"]\n```\n# Foo\n";
            std::fs::write(root.join("crates/foo/RUSTSEC-2020-0001.md"), adv).expect("write");
            std::fs::write(
                root.join("osv/GHSA-1.json"),
                r#"{"id":"GHSA-1","modified":"2023-05-06T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"Foo_Bar"}}]}"#,
            )
            .expect("write");
            std::fs::write(root.join("osv/broken.json"), "{").expect("write");
        };
        let (a, b) = (
            tempfile::tempdir().expect("temp dir"),
            tempfile::tempdir().expect("temp dir"),
        );
        make(a.path());
        make(&b.path().join("elsewhere"));
        let (bytes_a, header) = build(&[a.path().to_path_buf()], "t", None).expect("builds");
        let (bytes_b, _) = build(&[b.path().join("elsewhere")], "t", None).expect("builds");
        assert_ne!(bytes_a.len(), 0);
        assert_eq!(header.sources[0].advisories, 2);
        assert_eq!(header.problems.len(), 1, "broken.json is named");
        assert_eq!(
            header.newest_advisory.as_deref(),
            Some("2023-05-06T00:00:00Z")
        );
        assert_eq!(
            header.ecosystems,
            BTreeMap::from([("PyPI".to_owned(), 1), ("crates.io".to_owned(), 1)])
        );
        // Only the source path in the header differs between the two places.
        let after_header = |b: &[u8]| {
            let at = compiled::MAGIC.len() + 2;
            let len = u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize;
            b[at + 4 + len..b.len() - 32].to_vec()
        };
        assert_eq!(after_header(&bytes_a), after_header(&bytes_b));
        let (again_a, _) = build(&[a.path().to_path_buf()], "t", None).expect("builds");
        assert_eq!(again_a, bytes_a, "same sources, same bytes");
        let file = a.path().join("all.db");
        std::fs::write(&file, &bytes_a).expect("write");
        let compiled = Database::load(std::slice::from_ref(&file)).expect("opens");
        let read = Database::load(&[a.path().to_path_buf()]).expect("reads");
        assert_eq!(compiled.len(), read.len());
        assert_eq!(
            compiled.problems.len(),
            1,
            "problems at build time are kept"
        );
        for (eco, name) in [("crates.io", "foo"), ("PyPI", "foo.bar"), ("PyPI", "nope")] {
            let x = compiled.about(eco, name).expect("decodes");
            let y = read.about(eco, name).expect("decodes");
            assert_eq!(x.len(), y.len(), "{eco} {name}");
            for ((ax, fx), (ay, fy)) in x.iter().zip(&y) {
                assert_eq!((&ax.id, fx), (&ay.id, fy));
            }
        }
        assert_eq!(
            compiled.about("PyPI", "foo-bar").expect("decodes")[0]
                .0
                .file,
            Path::new("osv/GHSA-1.json"),
            "file names relative to their source"
        );
        // A compiled database and a directory together; a compiled one as a source.
        let both = Database::load(&[file.clone(), a.path().join("osv")]).expect("opens");
        assert_eq!(both.about("PyPI", "foo-bar").expect("decodes").len(), 2);
        let (again, _) = build(&[file], "t", None).expect("merges");
        let reopened = Compiled::from_bytes(again, Path::new("again.db")).expect("opens");
        assert_eq!(reopened.len(), 2);
    }
}
