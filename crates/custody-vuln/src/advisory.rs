//! The advisory model: OSV's, which RustSec advisories are converted into.

use std::path::PathBuf;

/// What an advisory warns about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A vulnerability.
    Vulnerability,
    /// RustSec informational: the package is no longer maintained.
    Unmaintained,
    /// RustSec informational: unsound API (undefined behaviour reachable from safe code).
    Unsound,
    /// RustSec informational: anything else worth knowing.
    Notice,
}

impl Kind {
    /// Lower-case name, as reports write it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Vulnerability => "vulnerability",
            Self::Unmaintained => "unmaintained",
            Self::Unsound => "unsound",
            Self::Notice => "notice",
        }
    }
}

/// A severity score as the advisory gives it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Severity {
    /// `CVSS_V3`, `CVSS_V4`, `CVSS_V2`, `Ubuntu`, ….
    pub kind: String,
    /// The vector (or the score text for other kinds).
    pub score: String,
}

/// An event of an OSV range, in the advisory's version syntax.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Affected from this version on (`0`: from the first).
    Introduced(String),
    /// Not affected from this version on.
    Fixed(String),
    /// Affected up to and including this version.
    LastAffected(String),
    /// Git ranges: commits at or after this one are outside the range.
    Limit(String),
}

/// How a range's versions are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RangeKind {
    /// SemVer 2.0 precedence.
    #[serde(rename = "SEMVER")]
    Semver,
    /// The ecosystem's own ordering.
    #[serde(rename = "ECOSYSTEM")]
    Ecosystem,
    /// Commits of a git repository (not matched against package versions).
    #[serde(rename = "GIT")]
    Git,
}

/// Which versions of a package an advisory covers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Range {
    /// An OSV range: events in the advisory's order.
    Events {
        /// Ordering.
        kind: RangeKind,
        /// The events.
        events: Vec<Event>,
    },
    /// A RustSec advisory: every version is affected unless a `patched` or `unaffected`
    /// requirement (Cargo's syntax, `semver` crate semantics) matches it.
    Requirements {
        /// Versions with the fix.
        patched: Vec<semver::VersionReq>,
        /// Versions that never had the problem.
        unaffected: Vec<semver::VersionReq>,
    },
}

/// One package an advisory affects.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Affected {
    /// OSV ecosystem name (`crates.io`, `PyPI`, `npm`, `Go`, …), without a suffix such
    /// as `Debian:12`'s release.
    pub ecosystem: String,
    /// The package name, as the ecosystem spells it.
    pub package: String,
    /// Ranges; a version in any of them is affected.
    pub ranges: Vec<Range>,
    /// Versions listed one by one; a version equal to one of them is affected.
    pub versions: Vec<String>,
}

/// One advisory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Advisory {
    /// Its ID (`RUSTSEC-2021-0001`, `GHSA-…`, `PYSEC-…`, `GO-…`).
    pub id: String,
    /// Other IDs of the same problem (CVE, GHSA, …).
    pub aliases: Vec<String>,
    /// One line.
    pub summary: String,
    /// What it warns about.
    pub kind: Kind,
    /// When it was withdrawn, if it was: a withdrawn advisory matches nothing.
    pub withdrawn: Option<String>,
    /// Scores.
    pub severity: Vec<Severity>,
    /// Affected packages.
    pub affected: Vec<Affected>,
    /// Where to read more.
    pub url: Option<String>,
    /// When it was last changed (OSV `modified`, RustSec `date`), as written: how current
    /// a database is.
    #[serde(default)]
    pub modified: Option<String>,
    /// The file it was read from.
    pub file: PathBuf,
}
