//! Every project under a path: lockfiles found by name (a monorepo has many), each read
//! on its own thread; a file that cannot be read is a problem with its path, and the
//! others are still read.

use crate::component::{Component, Project};
use crate::error::SbomError;
use crate::purl::Purl;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A lockfile format custody reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockfileKind {
    /// `Cargo.lock` (with the workspace's `Cargo.toml` files).
    Cargo,
    /// pip's `requirements*.txt`.
    PipRequirements,
    /// npm's `package-lock.json` / `npm-shrinkwrap.json`.
    Npm,
    /// Poetry's `poetry.lock` (with `pyproject.toml`).
    Poetry,
    /// uv's `uv.lock`.
    Uv,
    /// Pipenv's `Pipfile.lock`.
    Pipenv,
    /// Go's `go.mod` (with `go.sum`).
    Go,
    /// Bundler's `Gemfile.lock` (`gems.locked`).
    Ruby,
    /// Composer's `composer.lock` (with `composer.json`).
    Composer,
    /// Yarn's `yarn.lock`, classic (v1) and berry (2+) (with `package.json`).
    Yarn,
    /// pnpm's `pnpm-lock.yaml` (with the importers' `package.json`).
    Pnpm,
    /// Maven's `pom.xml` (with the parent POMs found on disk).
    Maven,
    /// Gradle's `gradle.lockfile` (and the build script's and settings' lockfiles).
    Gradle,
    /// A `gradle/dependency-locks` directory of per-configuration lockfiles (Gradle
    /// before 6.8), read as one project.
    GradleLegacy,
    /// dpkg's database of a root file system, `var/lib/dpkg/status`.
    Dpkg,
    /// The `*.dist-info` directories of an installed Python environment's
    /// `site-packages`, read as one project.
    PythonInstalled,
}

impl LockfileKind {
    /// The kind of a file, by its name.
    #[must_use]
    pub fn of(file_name: &str) -> Option<Self> {
        match file_name {
            "Cargo.lock" => Some(Self::Cargo),
            "package-lock.json" | "npm-shrinkwrap.json" => Some(Self::Npm),
            "poetry.lock" => Some(Self::Poetry),
            "uv.lock" => Some(Self::Uv),
            "Pipfile.lock" => Some(Self::Pipenv),
            "go.mod" => Some(Self::Go),
            "Gemfile.lock" | "gems.locked" => Some(Self::Ruby),
            "composer.lock" => Some(Self::Composer),
            "yarn.lock" => Some(Self::Yarn),
            "pnpm-lock.yaml" => Some(Self::Pnpm),
            "pom.xml" => Some(Self::Maven),
            n if crate::gradle::is_lockfile(n) => Some(Self::Gradle),
            n if crate::python::is_requirements_file(n) => Some(Self::PipRequirements),
            _ => None,
        }
    }

    /// File names recognised, for messages.
    pub const NAMES: &'static [&'static str] = &[
        "Cargo.lock",
        "requirements*.txt",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "poetry.lock",
        "uv.lock",
        "Pipfile.lock",
        "go.mod",
        "Gemfile.lock",
        "gems.locked",
        "composer.lock",
        "yarn.lock",
        "pnpm-lock.yaml",
        "pom.xml",
        "gradle.lockfile",
        "buildscript-gradle.lockfile",
        "settings-gradle.lockfile",
        "gradle/dependency-locks/*.lockfile",
        "var/lib/dpkg/status",
        "*.dist-info/METADATA",
    ];

    /// What a file is part of, by its path: a lockfile itself (its own path), or the
    /// directory of a project made of several files (that directory's path).
    #[must_use]
    pub fn of_path(path: &Path) -> Option<(PathBuf, Self)> {
        let name = path.file_name()?.to_str()?;
        if let Some(kind) = Self::of(name) {
            return Some((path.to_owned(), kind));
        }
        if name == "status" && crate::debian::is_status_file(path) {
            return Some((path.to_owned(), Self::Dpkg));
        }
        let parent = path.parent()?;
        if crate::dist_info::is_metadata(path) {
            return Some((parent.parent()?.to_owned(), Self::PythonInstalled));
        }
        let parent_name = parent.file_name().and_then(|n| n.to_str());
        let grandparent_name = parent
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str());
        if name.ends_with(".lockfile")
            && parent_name == Some("dependency-locks")
            && grandparent_name == Some("gradle")
        {
            return Some((parent.to_owned(), Self::GradleLegacy));
        }
        None
    }
}

/// Directories never searched: dependencies' own copies and build output, whose
/// lockfiles describe other projects. `vendor` is where Composer installs packages (many
/// ship their own composer.lock), Bundler's `--path vendor/bundle` installs gems, and
/// `cargo vendor` and `go mod vendor` copy dependencies.
const SKIPPED_DIRS: &[&str] = &["node_modules", "vendor", "target", ".git", ".hg", ".svn"];

/// A file that could not be read into a project.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The file, relative to the scanned path.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

/// The projects under a path.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Inventory {
    /// Projects, sorted by lockfile path.
    pub projects: Vec<Project>,
    /// Files that were found but could not be read.
    pub problems: Vec<Problem>,
}

impl Inventory {
    /// Components of all projects merged by purl: one component however many lockfiles
    /// name it, with the strongest scope, every hash and every project that has it.
    #[must_use]
    pub fn merged(&self) -> BTreeMap<Purl, (Component, BTreeSet<String>)> {
        let mut all: BTreeMap<Purl, (Component, BTreeSet<String>)> = BTreeMap::new();
        for project in &self.projects {
            let shown = project.lockfile.to_string_lossy().into_owned();
            for c in &project.components {
                match all.get_mut(&c.purl) {
                    Some((m, projects)) => {
                        m.scope = m.scope.min(c.scope);
                        m.direct |= c.direct;
                        m.first_party |= c.first_party;
                        for h in &c.hashes {
                            if !m.hashes.contains(h) {
                                m.hashes.push(h.clone());
                            }
                        }
                        for l in &c.licenses {
                            if !m.licenses.contains(l) {
                                m.licenses.push(l.clone());
                            }
                        }
                        m.dependencies.extend(c.dependencies.iter().cloned());
                        projects.insert(shown.clone());
                    }
                    None => {
                        all.insert(c.purl.clone(), (c.clone(), BTreeSet::from([shown.clone()])));
                    }
                }
            }
        }
        all
    }

    /// What the scanned whole depends on: each project's own packages, or, for a project
    /// without any (a requirements file), its direct dependencies.
    #[must_use]
    pub fn roots(&self) -> BTreeSet<Purl> {
        let mut out = BTreeSet::new();
        for p in &self.projects {
            let own: Vec<&Purl> = p.first_party().map(|c| &c.purl).collect();
            if own.is_empty() {
                out.extend(
                    p.components
                        .iter()
                        .filter(|c| c.direct)
                        .map(|c| c.purl.clone()),
                );
            } else {
                out.extend(own.into_iter().cloned());
            }
        }
        out
    }
}

/// Find and read every project under `path` (a directory, or one lockfile).
///
/// # Errors
/// `path` does not exist, or is a file custody does not know how to read. Problems with
/// individual lockfiles are in [`Inventory::problems`].
pub fn inventory(path: &Path) -> Result<Inventory, SbomError> {
    inventory_excluding(path, &[])
}

/// As [`inventory`], leaving out lockfiles under paths matching any of the gitignore-style
/// `exclude` patterns (relative to `path`): test fixtures, vendored examples.
///
/// # Errors
/// As [`inventory`], and [`SbomError::Malformed`] for an invalid pattern.
pub fn inventory_excluding(path: &Path, exclude: &[String]) -> Result<Inventory, SbomError> {
    let meta = std::fs::metadata(path).map_err(|source| SbomError::Io {
        path: path.to_owned(),
        source,
    })?;
    let found: Vec<(PathBuf, PathBuf, LockfileKind)> = if meta.is_file() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some((full, kind)) = LockfileKind::of_path(path) else {
            if let Some(imported) = crate::import::read_if_sbom(path, Path::new(&name))? {
                return Ok(from_sbom(imported, Path::new(&name)));
            }
            return Err(SbomError::malformed(
                path,
                format!(
                    "neither a lockfile custody reads (file names: {}) nor a CycloneDX or SPDX JSON SBOM",
                    LockfileKind::NAMES.join(", ")
                ),
            ));
        };
        let shown = match full.file_name() {
            Some(n) if full != path => PathBuf::from(n),
            _ => PathBuf::from(name),
        };
        vec![(full, shown, kind)]
    } else {
        find_lockfiles(path, exclude)?
    };
    let results: Vec<Result<Project, (PathBuf, SbomError)>> = found
        .par_iter()
        .map(|(full, shown, kind)| {
            match kind {
                LockfileKind::Cargo => crate::cargo::read_project(full, shown),
                LockfileKind::PipRequirements => crate::python::read_project(full, shown),
                LockfileKind::Npm => crate::npm::read_project(full, shown),
                LockfileKind::Poetry => crate::poetry::read_project(full, shown),
                LockfileKind::Uv => crate::uv::read_project(full, shown),
                LockfileKind::Pipenv => crate::pipenv::read_project(full, shown),
                LockfileKind::Go => crate::golang::read_project(full, shown),
                LockfileKind::Ruby => crate::ruby::read_project(full, shown),
                LockfileKind::Composer => crate::composer::read_project(full, shown),
                LockfileKind::Yarn => crate::yarn::read_project(full, shown),
                LockfileKind::Pnpm => crate::pnpm::read_project(full, shown),
                LockfileKind::Maven => crate::maven::read_project(full, shown),
                LockfileKind::Gradle => crate::gradle::read_project(full, shown),
                LockfileKind::GradleLegacy => crate::gradle::read_legacy_dir(full, shown),
                LockfileKind::Dpkg => crate::debian::read_project(full, shown),
                LockfileKind::PythonInstalled => crate::dist_info::read_site_packages(full, shown),
            }
            .map_err(|e| (shown.clone(), e))
        })
        .collect();
    let mut inventory = Inventory {
        projects: Vec::new(),
        problems: Vec::new(),
    };
    for r in results {
        match r {
            Ok(p) => inventory.projects.push(p),
            Err((path, e)) => inventory.problems.push(Problem {
                message: match e {
                    SbomError::Malformed { message, .. } => message,
                    other => other.to_string(),
                },
                path,
            }),
        }
    }
    inventory
        .projects
        .sort_by(|a, b| a.lockfile.cmp(&b.lockfile));
    inventory.problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(inventory)
}

/// The projects of an SBOM file; components it does not identify (no purl custody
/// understands) are one problem naming the first few, so that a scan of it is not
/// mistaken for a complete one.
#[must_use]
pub fn from_sbom(imported: Result<crate::import::Imported, SbomError>, shown: &Path) -> Inventory {
    match imported {
        Err(e) => Inventory {
            projects: Vec::new(),
            problems: vec![Problem {
                path: shown.to_owned(),
                message: match e {
                    SbomError::Malformed { message, .. } => message,
                    other => other.to_string(),
                },
            }],
        },
        Ok(imported) => {
            let mut problems = Vec::new();
            if !imported.unidentified.is_empty() {
                let n = imported.unidentified.len();
                let first: Vec<&str> = imported
                    .unidentified
                    .iter()
                    .take(3)
                    .map(String::as_str)
                    .collect();
                problems.push(Problem {
                    path: shown.to_owned(),
                    message: format!(
                        "{n} component(s) without a package URL of an ecosystem custody knows, not checked: {}{}",
                        first.join("; "),
                        if n > 3 { "; …" } else { "" }
                    ),
                });
            }
            Inventory {
                projects: imported.projects,
                problems,
            }
        }
    }
}

/// Lockfiles under `root` as (full path, path relative to `root`, kind), sorted. Hidden
/// directories are searched (`.github/…` projects exist); `.gitignore` is honoured.
fn find_lockfiles(
    root: &Path,
    exclude: &[String],
) -> Result<Vec<(PathBuf, PathBuf, LockfileKind)>, SbomError> {
    let mut overrides = ignore::overrides::OverrideBuilder::new(root);
    for pattern in exclude {
        overrides.add(&format!("!{pattern}")).map_err(|e| {
            SbomError::malformed(Path::new(pattern), format!("not a path pattern: {e}"))
        })?;
    }
    let overrides = overrides
        .build()
        .map_err(|e| SbomError::malformed(root, format!("exclude patterns: {e}")))?;
    let mut found: Vec<(PathBuf, PathBuf, LockfileKind)> = ignore::WalkBuilder::new(root)
        .overrides(overrides)
        .hidden(false)
        .parents(false)
        .require_git(false)
        .filter_entry(|e| {
            !(e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && SKIPPED_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
        })
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| {
            let (full, kind) = LockfileKind::of_path(e.path())?;
            let shown = match full.strip_prefix(root) {
                Ok(p) if p.as_os_str().is_empty() => PathBuf::from("."),
                Ok(p) => p.to_path_buf(),
                Err(_) => full.clone(),
            };
            Some((full, shown, kind))
        })
        .collect();
    found.sort_by(|a, b| a.1.cmp(&b.1));
    // A project of several files is found once per file.
    found.dedup_by(|a, b| a.0 == b.0);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_projects_skips_dependency_copies_and_reports_bad_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        let lock = "version = 4\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n";
        for d in [
            "",
            "tools/x",
            "target/debug",
            "web/node_modules/y",
            "php/vendor/monolog/monolog",
        ] {
            std::fs::create_dir_all(root.join(d)).expect("mkdir");
            std::fs::write(root.join(d).join("Cargo.lock"), lock).expect("write");
        }
        std::fs::create_dir_all(root.join("broken")).expect("mkdir");
        std::fs::write(root.join("broken/Cargo.lock"), "[[package]]\nname = 3\n").expect("write");
        let inv = inventory(root).expect("inventory");
        let paths: Vec<String> = inv
            .projects
            .iter()
            .map(|p| p.lockfile.display().to_string())
            .collect();
        assert_eq!(paths, vec!["Cargo.lock", "tools/x/Cargo.lock"]);
        assert_eq!(inv.problems.len(), 1);
        assert_eq!(inv.problems[0].path, Path::new("broken/Cargo.lock"));
        assert!(inv.problems[0].message.contains("not a Cargo.lock"));
    }

    #[test]
    fn excluded_paths_are_left_out() {
        let dir = tempfile::tempdir().expect("temp dir");
        let lock = "version = 4\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n";
        for d in ["", "testdata/x", "testdata/y/z", "tools"] {
            std::fs::create_dir_all(dir.path().join(d)).expect("mkdir");
            std::fs::write(dir.path().join(d).join("Cargo.lock"), lock).expect("write");
        }
        let inv = inventory_excluding(dir.path(), &["testdata/".to_owned()]).expect("inventory");
        let paths: Vec<String> = inv
            .projects
            .iter()
            .map(|p| p.lockfile.display().to_string())
            .collect();
        assert_eq!(paths, vec!["Cargo.lock", "tools/Cargo.lock"]);
    }

    #[test]
    fn a_single_file_must_be_a_known_lockfile() {
        let dir = tempfile::tempdir().expect("temp dir");
        let f = dir.path().join("deps.txt");
        std::fs::write(&f, "x").expect("write");
        let err = inventory(&f).expect_err("unknown file");
        assert!(
            err.to_string().contains("neither a lockfile custody reads"),
            "{err}"
        );
        let missing = inventory(&dir.path().join("nope")).expect_err("missing");
        assert!(missing.to_string().contains("nope"), "{missing}");
    }

    #[test]
    fn projects_found_by_path_and_grouped_by_directory() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        };
        let status = "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n";
        write("images/base/var/lib/dpkg/status", status);
        // Named `status`, but not dpkg's database.
        write("docs/status", status);
        write("var/lib/status", status);
        for d in ["idna-3.4.dist-info", "requests-2.31.0.dist-info"] {
            let name = d.split('-').next().unwrap_or_default();
            write(
                &format!("venv/lib/python3.11/site-packages/{d}/METADATA"),
                &format!("Name: {name}\nVersion: 1\n"),
            );
        }
        write(
            "venv/lib/python3.11/site-packages/requests/METADATA",
            "not one",
        );
        write(
            "old/gradle/dependency-locks/compileClasspath.lockfile",
            "a:b:1\n",
        );
        write(
            "old/gradle/dependency-locks/testCompileClasspath.lockfile",
            "c:d:1\n",
        );
        write("old/dependency-locks/x.lockfile", "not gradle's");
        let inv = inventory(root).expect("inventory");
        assert!(inv.problems.is_empty(), "{:?}", inv.problems);
        let found: Vec<(String, usize)> = inv
            .projects
            .iter()
            .map(|p| (p.lockfile.display().to_string(), p.components.len()))
            .collect();
        assert_eq!(
            found,
            vec![
                ("images/base/var/lib/dpkg/status".to_owned(), 1),
                ("old/gradle/dependency-locks".to_owned(), 2),
                ("venv/lib/python3.11/site-packages".to_owned(), 2),
            ]
        );
        // One file given on its own: the status file by its path; a site-packages
        // directory given as PATH is one project.
        let one = inventory(&root.join("images/base/var/lib/dpkg/status")).expect("status");
        assert_eq!(one.projects.len(), 1);
        assert!(inventory(&root.join("docs/status")).is_err());
        let sp = inventory(&root.join("venv/lib/python3.11/site-packages")).expect("dir");
        assert_eq!(sp.projects.len(), 1);
        assert_eq!(sp.projects[0].lockfile, Path::new("."));
    }
}
