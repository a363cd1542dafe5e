//! The component model every reader produces and every document writer consumes.

use crate::purl::Purl;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// A package ecosystem, named as OSV names it (advisories are matched by this name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Ecosystem {
    /// Rust crates from crates.io (and other cargo registries).
    #[serde(rename = "crates.io")]
    Cargo,
    /// JavaScript packages (npm, Yarn, pnpm).
    #[serde(rename = "npm")]
    Npm,
    /// Python packages.
    #[serde(rename = "PyPI")]
    PyPI,
    /// Go modules.
    #[serde(rename = "Go")]
    Go,
    /// Java packages (Maven, Gradle).
    #[serde(rename = "Maven")]
    Maven,
    /// Ruby gems.
    #[serde(rename = "RubyGems")]
    RubyGems,
    /// PHP packages (Composer).
    #[serde(rename = "Packagist")]
    Packagist,
    /// Debian packages of a root file system.
    #[serde(rename = "Debian")]
    Debian,
}

impl Ecosystem {
    /// The OSV ecosystem name.
    #[must_use]
    pub fn osv_name(self) -> &'static str {
        match self {
            Self::Cargo => "crates.io",
            Self::Npm => "npm",
            Self::PyPI => "PyPI",
            Self::Go => "Go",
            Self::Maven => "Maven",
            Self::RubyGems => "RubyGems",
            Self::Packagist => "Packagist",
            Self::Debian => "Debian",
        }
    }

    /// The ecosystem of a package URL type.
    #[must_use]
    pub fn from_purl_type(kind: &str) -> Option<Self> {
        [
            Self::Cargo,
            Self::Npm,
            Self::PyPI,
            Self::Go,
            Self::Maven,
            Self::RubyGems,
            Self::Packagist,
            Self::Debian,
        ]
        .into_iter()
        .find(|e| e.purl_type() == kind)
    }

    /// The public registry packages of this ecosystem come from when nothing else is
    /// said (a purl without `repository_url`).
    #[must_use]
    pub fn default_registry(self) -> &'static str {
        match self {
            Self::Cargo => "https://github.com/rust-lang/crates.io-index",
            Self::Npm => "https://registry.npmjs.org",
            Self::PyPI => "https://pypi.org/simple",
            Self::Go => "https://proxy.golang.org",
            Self::Maven => "https://repo.maven.apache.org/maven2",
            Self::RubyGems => "https://rubygems.org",
            Self::Packagist => "https://repo.packagist.org",
            Self::Debian => "https://deb.debian.org/debian",
        }
    }

    /// The package URL type.
    #[must_use]
    pub fn purl_type(self) -> &'static str {
        match self {
            Self::Cargo => "cargo",
            Self::Npm => "npm",
            Self::PyPI => "pypi",
            Self::Go => "golang",
            Self::Maven => "maven",
            Self::RubyGems => "gem",
            Self::Packagist => "composer",
            Self::Debian => "deb",
        }
    }
}

/// Why a component is there, strongest first: a component reached along several paths
/// takes the strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Part of what runs.
    Runtime,
    /// Reached only through dependencies that are off unless a feature or extra asks.
    Optional,
    /// Needed to build (build scripts, compilers, code generators), not shipped.
    Build,
    /// Needed only for development and tests.
    Dev,
}

impl Scope {
    /// Lower-case name, as reports and the `custody:scope` property write it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Runtime => "runtime",
            Self::Optional => "optional",
            Self::Build => "build",
            Self::Dev => "dev",
        }
    }
}

/// Where a component comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    /// A package registry, by its URL.
    Registry {
        /// The registry (index) URL as the lockfile gives it.
        url: String,
    },
    /// A git repository.
    Git {
        /// Repository URL without the revision.
        url: String,
        /// The commit the lockfile pins, when it does.
        rev: Option<String>,
    },
    /// A directory in the project.
    Path {
        /// As the lockfile or manifest writes it.
        path: String,
    },
    /// A plain URL (tarball, wheel).
    Url {
        /// The URL.
        url: String,
    },
    /// The lockfile does not say.
    Unknown,
}

/// A hash algorithm a lockfile records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum HashAlg {
    /// SHA-1 (npm lockfile v1, some registries).
    #[serde(rename = "SHA-1")]
    Sha1,
    /// SHA-256.
    #[serde(rename = "SHA-256")]
    Sha256,
    /// SHA-384.
    #[serde(rename = "SHA-384")]
    Sha384,
    /// SHA-512.
    #[serde(rename = "SHA-512")]
    Sha512,
}

impl HashAlg {
    /// CycloneDX's name of the algorithm.
    #[must_use]
    pub fn cyclonedx_name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }

    /// SPDX's name of the algorithm.
    #[must_use]
    pub fn spdx_name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha384 => "SHA384",
            Self::Sha512 => "SHA512",
        }
    }

    /// The length of a digest in hex digits.
    #[must_use]
    pub fn hex_len(self) -> usize {
        match self {
            Self::Sha1 => 40,
            Self::Sha256 => 64,
            Self::Sha384 => 96,
            Self::Sha512 => 128,
        }
    }
}

/// A digest a lockfile records for a component's artefact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Hash {
    /// The algorithm.
    pub alg: HashAlg,
    /// Lower-case hex.
    pub hex: String,
}

impl Hash {
    /// A digest from hex, checked for length and digits.
    #[must_use]
    pub fn from_hex(alg: HashAlg, hex: &str) -> Option<Self> {
        let hex = hex.trim().to_ascii_lowercase();
        (hex.len() == alg.hex_len() && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then_some(Self { alg, hex })
    }
}

/// One package in a project's dependency graph.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Component {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The package name as its registry spells it (npm scopes included).
    pub name: String,
    /// The exact version.
    pub version: String,
    /// Package URL; also the component's identity within a document.
    pub purl: Purl,
    /// Why it is there.
    pub scope: Scope,
    /// A dependency the project names itself (not only through another package).
    pub direct: bool,
    /// The project's own package (a workspace member), not a dependency.
    pub first_party: bool,
    /// Where it comes from.
    pub source: Source,
    /// Digests the lockfile records.
    pub hashes: Vec<Hash>,
    /// Declared licenses (SPDX expressions as declared).
    pub licenses: Vec<String>,
    /// The purls of the components this one depends on.
    pub dependencies: BTreeSet<Purl>,
}

/// One lockfile (or manifest) and what it resolves to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Project {
    /// The file the components were read from, relative to the scanned path.
    pub lockfile: PathBuf,
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// Every package of the graph, first-party ones included, sorted by purl.
    pub components: Vec<Component>,
}

impl Project {
    /// The first-party packages (workspace members, the project itself).
    pub fn first_party(&self) -> impl Iterator<Item = &Component> {
        self.components.iter().filter(|c| c.first_party)
    }

    /// The third-party packages.
    pub fn dependencies(&self) -> impl Iterator<Item = &Component> {
        self.components.iter().filter(|c| !c.first_party)
    }

    /// The component with this purl; a test failure naming the purls there are when
    /// there is none.
    #[cfg(test)]
    pub(crate) fn expect_component(&self, purl: &str) -> &Component {
        self.components
            .iter()
            .find(|c| c.purl.as_str() == purl)
            .unwrap_or_else(|| {
                panic!(
                    "{purl} missing from {:?}",
                    self.components
                        .iter()
                        .map(|c| c.purl.as_str())
                        .collect::<Vec<_>>()
                )
            })
    }
}
