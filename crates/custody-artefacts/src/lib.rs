//! The dependency artefacts actually on disk, checked against the hashes their lockfiles
//! pin (control MAT-1): a lockfile says which bytes a build should use, but the build uses
//! whatever is in cargo's registry cache, the npm cache and `node_modules`, a wheelhouse or
//! Go's module cache. A cache is written by tools, mirrors and people; this crate finds
//! each locked package's artefacts there and hashes them again.
//!
//! ```no_run
//! let inventory = custody_sbom::inventory(std::path::Path::new(".")).expect("lockfiles");
//! let report = custody_artefacts::verify(
//!     std::path::Path::new("."),
//!     &inventory,
//!     &custody_artefacts::Locations::from_env(),
//! );
//! assert!(report.failures().next().is_none());
//! ```
//!
//! Only a digest computed here counts: a cache's own record of what it holds (npm's index,
//! Go's `.ziphash`, cargo's `.cargo-checksum.json` package line) is never taken on trust.

pub mod cargo;
pub mod dirhash;
pub mod golang;
mod hashing;
pub mod npm;
pub mod python;
mod tree;

use custody_sbom::component::{Component, Ecosystem, Hash, Project, Source};
use custody_sbom::discover::Inventory;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where package managers keep the artefacts they downloaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Locations {
    /// cargo's home: `.crate` files under `registry/cache/<index>/`.
    pub cargo_home: Option<PathBuf>,
    /// npm's cache: tarballs under `_cacache/content-v2/<alg>/`, named by their digest.
    pub npm_cache: Option<PathBuf>,
    /// Go's module cache (`GOMODCACHE`): zips under `cache/download/`, unpacked modules
    /// beside them.
    pub go_mod_cache: Option<PathBuf>,
    /// Directories of Python wheels and sdists (`pip download -d`, `--find-links`).
    pub python_dirs: Vec<PathBuf>,
}

impl Locations {
    /// The locations the package managers themselves use, from the environment:
    /// `CARGO_HOME` (else `~/.cargo`), `npm_config_cache` (else `~/.npm`), `GOMODCACHE`
    /// (else `$GOPATH/pkg/mod`, else `~/go/pkg/mod`). No Python directory: pip's own
    /// cache keys files by URL, not by name.
    #[must_use]
    pub fn from_env() -> Self {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let home = var("HOME");
        let gopath = var("GOPATH").and_then(|p| {
            // GOPATH is a list; go uses the first entry.
            std::env::split_paths(&p).next()
        });
        Self {
            cargo_home: var("CARGO_HOME").or_else(|| home.as_ref().map(|h| h.join(".cargo"))),
            npm_cache: var("npm_config_cache")
                .or_else(|| var("NPM_CONFIG_CACHE"))
                .or_else(|| home.as_ref().map(|h| h.join(".npm"))),
            go_mod_cache: var("GOMODCACHE")
                .or_else(|| gopath.map(|g| g.join("pkg/mod")))
                .or_else(|| home.as_ref().map(|h| h.join("go/pkg/mod"))),
            python_dirs: Vec::new(),
        }
    }
}

/// What kind of file or directory was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtefactKind {
    /// A `.crate` file in cargo's registry cache.
    CrateFile,
    /// A crate copied by `cargo vendor` (its files against `.cargo-checksum.json`).
    VendoredCrate,
    /// A package tarball in npm's cache.
    NpmTarball,
    /// A package unpacked in `node_modules` (its files against the tarball).
    InstalledNpmPackage,
    /// A Python wheel.
    Wheel,
    /// A Python source distribution.
    Sdist,
    /// A module zip in Go's module cache.
    GoModuleZip,
    /// A module unpacked in Go's module cache.
    GoModuleDir,
}

impl ArtefactKind {
    /// Words for people.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::CrateFile => ".crate file",
            Self::VendoredCrate => "vendored crate",
            Self::NpmTarball => "npm cache tarball",
            Self::InstalledNpmPackage => "node_modules package",
            Self::Wheel => "wheel",
            Self::Sdist => "sdist",
            Self::GoModuleZip => "module zip",
            Self::GoModuleDir => "unpacked module",
        }
    }
}

/// The answer for one artefact of a locked package (or for a package with none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Hashed here; the digest is one the lockfile pins.
    Verified,
    /// Hashed here; the digest is not the one the lockfile pins.
    Mismatch,
    /// An unpacked package whose files differ from its verified archive or checksum list.
    Modified,
    /// The artefact is there but could not be read or unpacked: not verified.
    Unreadable,
    /// The lockfile pins no hash for a package that should have one.
    NoHash,
    /// Installed but not in the lockfile (npm's `node_modules`).
    NotInLockfile,
    /// Nothing on disk to check (not downloaded, or elsewhere).
    Absent,
    /// On disk, but with nothing verified to compare it with (an installed npm package
    /// whose tarball is not in the cache).
    Unverifiable,
    /// Pinned by a git commit, which is itself a content hash; no archive to check.
    GitPinned,
    /// custody does not verify this ecosystem's artefacts yet.
    Unsupported,
}

impl Status {
    /// A finding: the artefacts are not (or cannot be shown to be) what was locked.
    #[must_use]
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Self::Mismatch | Self::Modified | Self::Unreadable | Self::NoHash | Self::NotInLockfile
        )
    }

    /// Words for people.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Mismatch => "HASH MISMATCH",
            Self::Modified => "MODIFIED",
            Self::Unreadable => "unreadable",
            Self::NoHash => "no hash in lockfile",
            Self::NotInLockfile => "not in lockfile",
            Self::Absent => "not on disk",
            Self::Unverifiable => "nothing to compare with",
            Self::GitPinned => "git commit",
            Self::Unsupported => "not supported",
        }
    }
}

/// One check: a locked package and one of its artefacts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    /// The lockfile, as the inventory shows it.
    pub lockfile: PathBuf,
    /// The package.
    pub purl: String,
    /// Its name, as the lockfile spells it.
    pub name: String,
    /// Its locked version.
    pub version: String,
    /// The artefact checked, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artefact: Option<PathBuf>,
    /// Its kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<ArtefactKind>,
    /// The answer.
    pub status: Status,
    /// What the lockfile pins.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expected: Vec<Hash>,
    /// What was computed here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<Hash>,
    /// Why, for anything but a plain verification: the files that differ, the error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Check {
    fn new(project: &Project, c: &Component, status: Status) -> Self {
        Self {
            lockfile: project.lockfile.clone(),
            purl: c.purl.as_str().to_owned(),
            name: c.name.clone(),
            version: c.version.clone(),
            artefact: None,
            kind: None,
            status,
            expected: c.hashes.clone(),
            actual: None,
            detail: None,
        }
    }

    fn artefact(mut self, path: &Path, kind: ArtefactKind) -> Self {
        self.artefact = Some(path.to_owned());
        self.kind = Some(kind);
        self
    }

    fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The check of one file against the hashes a component pins: verified when the
    /// file's digest (in the strongest pinned algorithm) is among them.
    fn of_file(project: &Project, c: &Component, path: &Path, kind: ArtefactKind) -> Self {
        let check = Self::new(project, c, Status::Verified).artefact(path, kind);
        match hashing::matches_any(path, &c.hashes) {
            Ok((true, digest)) => Self {
                actual: Some(digest),
                ..check
            },
            Ok((false, digest)) => Self {
                status: Status::Mismatch,
                actual: Some(digest),
                ..check
            },
            Err(e) => Self {
                status: Status::Unreadable,
                ..check
            }
            .detail(e.to_string()),
        }
    }
}

/// Every check of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// Sorted by lockfile, package and artefact.
    pub checks: Vec<Check>,
}

impl Report {
    /// The checks that are findings.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.status.is_failure())
    }

    /// How many checks ended in each status.
    #[must_use]
    pub fn counts(&self) -> BTreeMap<Status, usize> {
        let mut out = BTreeMap::new();
        for c in &self.checks {
            *out.entry(c.status).or_insert(0) += 1;
        }
        out
    }
}

/// Check the artefacts of every project of `inventory`, read from `scanned` (the path
/// given to [`custody_sbom::inventory`]: a directory, or one lockfile).
#[must_use]
pub fn verify(scanned: &Path, inventory: &Inventory, locations: &Locations) -> Report {
    let mut checks: Vec<Check> = inventory
        .projects
        .par_iter()
        .flat_map(|project| {
            let dir = project_dir(scanned, project);
            verify_project(project, &lockfile_path(scanned, project), &dir, locations)
        })
        .collect();
    checks.sort_by(|a, b| {
        (&a.lockfile, &a.purl, &a.artefact, a.kind).cmp(&(
            &b.lockfile,
            &b.purl,
            &b.artefact,
            b.kind,
        ))
    });
    Report { checks }
}

/// The lockfile of a project, as a path to read.
fn lockfile_path(scanned: &Path, project: &Project) -> PathBuf {
    if scanned.is_file() {
        scanned.to_owned()
    } else {
        scanned.join(&project.lockfile)
    }
}

/// The directory a project's lockfile is in.
fn project_dir(scanned: &Path, project: &Project) -> PathBuf {
    match lockfile_path(scanned, project).parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn verify_project(
    project: &Project,
    lockfile: &Path,
    dir: &Path,
    locations: &Locations,
) -> Vec<Check> {
    let unsupported = |why: &str| -> Vec<Check> {
        project
            .dependencies()
            .map(|c| Check::new(project, c, Status::Unsupported).detail(why))
            .collect()
    };
    if matches!(
        project.ecosystem,
        Ecosystem::Maven | Ecosystem::RubyGems | Ecosystem::Packagist | Ecosystem::Debian
    ) {
        return unsupported("custody does not verify this ecosystem's artefacts yet");
    }
    // An installed environment (site-packages), read as a directory: nothing was locked.
    if lockfile.is_dir() {
        return unsupported("an installed environment, not a lockfile: no hashes are pinned");
    }
    let mut checks = Vec::new();
    let mut to_check = Vec::new();
    for c in project.dependencies() {
        match &c.source {
            // The project's own directories: source code, not a downloaded artefact (a
            // local tarball, `file:x.tgz`, has a digest and is checked).
            Source::Path { .. } if c.hashes.is_empty() => {}
            Source::Git { rev, .. } => {
                let check = Check::new(project, c, Status::GitPinned);
                checks.push(match rev {
                    Some(r) => check.detail(format!("commit {r}")),
                    None => check.detail("no commit recorded"),
                });
            }
            _ if c.hashes.is_empty() => checks.push(Check::new(project, c, Status::NoHash)),
            _ => to_check.push(c),
        }
    }
    let found = match project.ecosystem {
        Ecosystem::Cargo => cargo::verify(project, &to_check, dir, locations),
        Ecosystem::Npm => npm::verify(project, &to_check, dir, locations),
        Ecosystem::PyPI => python::verify(project, &to_check, locations),
        Ecosystem::Go => golang::verify(project, &to_check, locations),
        Ecosystem::Maven | Ecosystem::RubyGems | Ecosystem::Packagist | Ecosystem::Debian => {
            Vec::new()
        }
    };
    checks.extend(found);
    checks
}
