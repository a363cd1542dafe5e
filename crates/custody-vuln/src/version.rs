//! Version ordering per ecosystem, for OSV ranges.
//!
//! SemVer 2.0 precedence for crates.io, npm and Go (Go's `v` prefix and pseudo-versions
//! are SemVer with a pre-release), OSV `SEMVER` ranges of any ecosystem; PEP 440 for
//! PyPI; dpkg's ordering for Debian and Ubuntu; `Gem::Version`'s for RubyGems; Maven's
//! `ComparableVersion` for Maven; Composer's for Packagist. Ecosystems whose
//! ordering custody does not implement yet have no ordering: their ranges are not
//! evaluated (explicit `versions` lists still match) and the scan says so.

use std::cmp::Ordering;

/// A version parsed for comparison in one ecosystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// SemVer (build metadata dropped: it has no precedence).
    Semver(semver::Version),
    /// PEP 440.
    Pep440(crate::pep440::Version),
    /// Debian (dpkg).
    Debian(crate::ordering::DebianVersion),
    /// RubyGems.
    Gem(crate::ordering::GemVersion),
    /// Maven.
    Maven(crate::ordering::MavenVersion),
    /// Packagist.
    Packagist(crate::ordering::PackagistVersion),
}

impl PartialOrd for Parsed {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Self::Semver(a), Self::Semver(b)) => Some(a.cmp(b)),
            (Self::Pep440(a), Self::Pep440(b)) => Some(a.cmp(b)),
            (Self::Debian(a), Self::Debian(b)) => Some(a.cmp(b)),
            (Self::Gem(a), Self::Gem(b)) => Some(a.cmp(b)),
            (Self::Maven(a), Self::Maven(b)) => Some(a.cmp(b)),
            (Self::Packagist(a), Self::Packagist(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// Parse a SemVer version leniently: a leading `v`, and missing minor or patch parts
/// (`1.2`), are accepted as Go and some advisories write them.
#[must_use]
pub fn parse_semver(text: &str) -> Option<semver::Version> {
    let t = text.trim();
    let t = t.strip_prefix('v').unwrap_or(t);
    let mut v = semver::Version::parse(t).ok().or_else(|| {
        // 1 or 1.2, possibly followed by a pre-release or build part.
        let split = t.find(['-', '+']).unwrap_or(t.len());
        let (core, rest) = t.split_at(split);
        let dots = core.matches('.').count();
        if dots >= 2 || core.is_empty() {
            return None;
        }
        let padded = format!("{core}{}{rest}", ".0".repeat(2 - dots));
        semver::Version::parse(&padded).ok()
    })?;
    v.build = semver::BuildMetadata::EMPTY;
    Some(v)
}

/// How versions of an ecosystem are ordered, if custody knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// SemVer precedence.
    Semver,
    /// PEP 440 (PyPI).
    Pep440,
    /// dpkg's ordering (Debian, Ubuntu).
    Debian,
    /// `Gem::Version` (RubyGems).
    RubyGems,
    /// `ComparableVersion` (Maven).
    Maven,
    /// Composer's normal form and PHP's `version_compare` (Packagist).
    Packagist,
}

impl Scheme {
    /// The ordering of an OSV ecosystem's `ECOSYSTEM` ranges.
    #[must_use]
    pub fn for_ecosystem(ecosystem: &str) -> Option<Self> {
        match ecosystem {
            "crates.io" | "npm" | "Go" => Some(Self::Semver),
            "PyPI" => Some(Self::Pep440),
            "Debian" | "Ubuntu" => Some(Self::Debian),
            "RubyGems" => Some(Self::RubyGems),
            "Maven" => Some(Self::Maven),
            "Packagist" => Some(Self::Packagist),
            _ => None,
        }
    }

    /// Parse a version in this scheme.
    #[must_use]
    pub fn parse(self, text: &str) -> Option<Parsed> {
        match self {
            Self::Semver => parse_semver(text).map(Parsed::Semver),
            Self::Pep440 => crate::pep440::Version::parse(text).map(Parsed::Pep440),
            Self::Debian => crate::ordering::DebianVersion::parse(text).map(Parsed::Debian),
            Self::RubyGems => crate::ordering::GemVersion::parse(text).map(Parsed::Gem),
            Self::Maven => crate::ordering::MavenVersion::parse(text).map(Parsed::Maven),
            Self::Packagist => {
                crate::ordering::PackagistVersion::parse(text).map(Parsed::Packagist)
            }
        }
    }

    /// How many schemes there are: the size of per-scheme caches.
    pub const COUNT: usize = 6;

    /// A small index for per-scheme caches, below [`Scheme::COUNT`].
    #[must_use]
    pub fn index(self) -> usize {
        match self {
            Self::Semver => 0,
            Self::Pep440 => 1,
            Self::Debian => 2,
            Self::RubyGems => 3,
            Self::Maven => 4,
            Self::Packagist => 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_semver() {
        let v = |s: &str| parse_semver(s).map(|v| v.to_string());
        assert_eq!(v("1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(v("v1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(v("1.2").as_deref(), Some("1.2.0"));
        assert_eq!(v("1").as_deref(), Some("1.0.0"));
        assert_eq!(v("1.2-rc.1").as_deref(), Some("1.2.0-rc.1"));
        assert_eq!(v("1.2.3+build.5").as_deref(), Some("1.2.3"));
        assert_eq!(
            v("v0.0.0-20210101000000-abcdef123456").as_deref(),
            Some("0.0.0-20210101000000-abcdef123456")
        );
        assert_eq!(v("not a version"), None);
        assert_eq!(v(""), None);
    }

    #[test]
    fn precedence() {
        let p = |s: &str| Scheme::Semver.parse(s).expect(s);
        assert!(p("1.0.0-alpha") < p("1.0.0-alpha.1"));
        assert!(p("1.0.0-alpha.beta") < p("1.0.0-beta"));
        assert!(p("1.0.0-rc.1") < p("1.0.0"));
        assert!(p("1.9.0") < p("1.10.0"));
        assert_eq!(
            p("1.0.0+a").partial_cmp(&p("1.0.0+b")),
            Some(Ordering::Equal)
        );
    }
}
