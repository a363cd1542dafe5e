//! Where dependencies may come from (MAT-5): a policy of trusted registries, git and URL
//! prefixes, and the lockfile entries that come from anywhere else.
//!
//! The default policy trusts each ecosystem's public registry and nothing else: a
//! dependency from another registry, a git repository, a plain URL, a directory outside
//! the project, or of unknown origin is reported. First-party packages (workspace
//! members) are the project itself and are not checked.

use crate::component::{Component, Source};
use crate::discover::Inventory;
use std::path::{Component as PathPart, Path, PathBuf};

/// The public registries, as the lockfiles write them.
pub const PUBLIC_REGISTRIES: &[&str] = &[
    // crates.io: the git index and the sparse index.
    "https://github.com/rust-lang/crates.io-index",
    "https://index.crates.io",
    // npm (Yarn classic writes its mirror of the same registry).
    "https://registry.npmjs.org",
    "https://registry.yarnpkg.com",
    // PyPI.
    "https://pypi.org/simple",
    "https://files.pythonhosted.org",
    // Go's module proxy.
    "https://proxy.golang.org",
    // RubyGems.
    "https://rubygems.org",
    // Packagist.
    "https://repo.packagist.org",
    // Maven Central.
    "https://repo.maven.apache.org/maven2",
    // Debian.
    "https://deb.debian.org/debian",
];

/// `[materials.sources]` of custody.toml.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcePolicy {
    /// Trusted registries (URLs as the lockfiles write them; a trailing `/` does not
    /// matter). Setting it replaces the public registries, so list them too if they
    /// are trusted.
    #[serde(default = "public_registries")]
    pub registries: Vec<String>,
    /// Trusted git repositories, by URL prefix (`https://github.com/our-org/`).
    #[serde(default)]
    pub git: Vec<String>,
    /// Trusted plain URLs (tarballs, wheels), by prefix.
    #[serde(default)]
    pub urls: Vec<String>,
    /// Directories outside the project are trusted too (default: only directories inside
    /// the scanned path).
    #[serde(default)]
    pub paths_outside: bool,
}

fn public_registries() -> Vec<String> {
    PUBLIC_REGISTRIES.iter().map(|s| (*s).to_owned()).collect()
}

impl Default for SourcePolicy {
    fn default() -> Self {
        Self {
            registries: public_registries(),
            git: Vec::new(),
            urls: Vec::new(),
            paths_outside: false,
        }
    }
}

/// A dependency from a source the policy does not trust.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Untrusted {
    /// The component's package URL.
    pub purl: String,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The lockfile that pins it, relative to the scanned path.
    pub lockfile: PathBuf,
    /// Where it comes from.
    pub source: Source,
    /// Why that is not trusted.
    pub reason: String,
}

/// Counts of third-party components per kind of source, for evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SourceCounts {
    /// From a registry.
    pub registry: usize,
    /// From git.
    pub git: usize,
    /// From a directory.
    pub path: usize,
    /// From a plain URL.
    pub url: usize,
    /// Of unknown origin.
    pub unknown: usize,
}

/// The result of checking an inventory against a policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SourceReport {
    /// Third-party components checked (once per lockfile).
    pub checked: usize,
    /// Per kind of source.
    pub counts: SourceCounts,
    /// The ones the policy does not trust, sorted by lockfile and purl.
    pub untrusted: Vec<Untrusted>,
}

/// `https://Registry.example/x/` and `https://registry.example/x` are the same place.
fn normalise_url(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
            let path = if path.is_empty() {
                String::new()
            } else {
                format!("/{path}")
            };
            format!(
                "{}://{}{path}",
                scheme.to_ascii_lowercase(),
                host.to_ascii_lowercase()
            )
        }
        None => url.to_owned(),
    }
}

/// Whether `url` is `prefix` or below it, on a path boundary (`…/org` does not trust
/// `…/organisation`).
fn under(url: &str, prefix: &str) -> bool {
    let (u, p) = (normalise_url(url), normalise_url(prefix));
    u == p || (u.starts_with(&p) && (p.ends_with('/') || u[p.len()..].starts_with(['/', '?', '#'])))
}

/// Whether a directory, given relative to the lockfile's directory, stays inside the
/// scanned path (lexically: `..` may not climb above it).
fn path_inside(lockfile: &Path, dep: &str) -> bool {
    let dep = Path::new(dep);
    if dep.is_absolute() {
        return false;
    }
    let mut depth: i64 = 0;
    let base = lockfile.parent().unwrap_or(Path::new(""));
    for part in base.components().chain(dep.components()) {
        match part {
            PathPart::Normal(_) => depth += 1,
            PathPart::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            PathPart::CurDir => {}
            PathPart::RootDir | PathPart::Prefix(_) => return false,
        }
    }
    true
}

impl SourcePolicy {
    /// Why `c` (pinned by `lockfile`) is not trusted, or `None` when it is.
    #[must_use]
    pub fn distrust(&self, c: &Component, lockfile: &Path) -> Option<String> {
        match &c.source {
            Source::Registry { url } => (!self.registries.iter().any(|r| under(url, r)))
                .then(|| format!("registry {url} is not a trusted registry")),
            Source::Git { url, .. } => (!self.git.iter().any(|g| under(url, g)))
                .then(|| format!("git repository {url} is not trusted")),
            Source::Url { url } => (!self.urls.iter().any(|u| under(url, u)))
                .then(|| format!("plain URL {url} is not trusted")),
            Source::Path { path } => (!self.paths_outside && !path_inside(lockfile, path))
                .then(|| format!("directory {path} is outside the project")),
            Source::Unknown => Some("the lockfile does not say where it comes from".into()),
        }
    }

    /// Check every third-party component of every project.
    #[must_use]
    pub fn check(&self, inventory: &Inventory) -> SourceReport {
        let mut report = SourceReport::default();
        for project in &inventory.projects {
            for c in project.dependencies() {
                report.checked += 1;
                let n = match c.source {
                    Source::Registry { .. } => &mut report.counts.registry,
                    Source::Git { .. } => &mut report.counts.git,
                    Source::Path { .. } => &mut report.counts.path,
                    Source::Url { .. } => &mut report.counts.url,
                    Source::Unknown => &mut report.counts.unknown,
                };
                *n += 1;
                if let Some(reason) = self.distrust(c, &project.lockfile) {
                    report.untrusted.push(Untrusted {
                        purl: c.purl.to_string(),
                        name: c.name.clone(),
                        version: c.version.clone(),
                        lockfile: project.lockfile.clone(),
                        source: c.source.clone(),
                        reason,
                    });
                }
            }
        }
        report
            .untrusted
            .sort_by(|a, b| (&a.lockfile, &a.purl).cmp(&(&b.lockfile, &b.purl)));
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::{Ecosystem, Project, Scope};
    use crate::purl::Purl;

    fn dep(name: &str, source: Source) -> Component {
        Component {
            ecosystem: Ecosystem::Npm,
            name: name.into(),
            version: "1.0.0".into(),
            purl: Purl::new("npm", None, name, Some("1.0.0"), &Default::default()),
            scope: Scope::Runtime,
            direct: true,
            first_party: false,
            source,
            hashes: vec![],
            licenses: vec![],
            dependencies: Default::default(),
        }
    }

    #[test]
    fn urls_match_on_boundaries_whatever_the_case_and_slashes() {
        assert!(under(
            "https://Registry.npmjs.org/",
            "https://registry.npmjs.org"
        ));
        assert!(under(
            "https://github.com/our-org/tool.git",
            "https://github.com/our-org"
        ));
        assert!(!under(
            "https://github.com/our-organisation/x",
            "https://github.com/our-org"
        ));
        assert!(under(
            "https://github.com/our-org/x",
            "https://github.com/our-org/"
        ));
        assert!(!under(
            "https://registry.npmjs.org.evil.example",
            "https://registry.npmjs.org"
        ));
        assert!(!under(
            "http://registry.npmjs.org",
            "https://registry.npmjs.org"
        ));
    }

    #[test]
    fn paths_may_not_climb_out_of_the_project() {
        assert!(path_inside(Path::new("Cargo.lock"), "crates/a"));
        assert!(path_inside(Path::new("web/package-lock.json"), "../shared"));
        assert!(!path_inside(
            Path::new("web/package-lock.json"),
            "../../elsewhere"
        ));
        assert!(!path_inside(Path::new("Cargo.lock"), "../x"));
        assert!(!path_inside(Path::new("Cargo.lock"), "/opt/x"));
        assert!(path_inside(Path::new("a/b/Cargo.lock"), "./../../c"));
    }

    #[test]
    fn the_default_trusts_public_registries_only() {
        let mut own = dep("app", Source::Unknown);
        own.first_party = true;
        let project = Project {
            lockfile: PathBuf::from("web/package-lock.json"),
            ecosystem: Ecosystem::Npm,
            components: vec![
                own,
                dep(
                    "a",
                    Source::Registry {
                        url: "https://registry.npmjs.org/".into(),
                    },
                ),
                dep(
                    "b",
                    Source::Registry {
                        url: "https://npm.internal.example".into(),
                    },
                ),
                dep(
                    "c",
                    Source::Git {
                        url: "https://github.com/x/c".into(),
                        rev: Some("abc".into()),
                    },
                ),
                dep(
                    "d",
                    Source::Url {
                        url: "https://example.com/d.tgz".into(),
                    },
                ),
                dep(
                    "e",
                    Source::Path {
                        path: "../libs/e".into(),
                    },
                ),
                dep(
                    "f",
                    Source::Path {
                        path: "../../f".into(),
                    },
                ),
                dep("g", Source::Unknown),
            ],
        };
        let inventory = Inventory {
            projects: vec![project],
            problems: vec![],
        };
        let report = SourcePolicy::default().check(&inventory);
        assert_eq!(report.checked, 7, "first-party packages are not checked");
        let names: Vec<&str> = report.untrusted.iter().map(|u| u.purl.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "pkg:npm/b@1.0.0",
                "pkg:npm/c@1.0.0",
                "pkg:npm/d@1.0.0",
                "pkg:npm/f@1.0.0",
                "pkg:npm/g@1.0.0"
            ]
        );
        assert!(report.untrusted[0].reason.contains("npm.internal.example"));
        assert_eq!(
            report.counts,
            SourceCounts {
                registry: 2,
                git: 1,
                path: 2,
                url: 1,
                unknown: 1
            }
        );
        let policy = SourcePolicy {
            registries: vec!["https://npm.internal.example/".into()],
            git: vec!["https://github.com/x/".into()],
            urls: vec!["https://example.com".into()],
            paths_outside: true,
        };
        let strict = policy.check(&inventory);
        let names: Vec<&str> = strict.untrusted.iter().map(|u| u.purl.as_str()).collect();
        assert_eq!(
            names,
            vec!["pkg:npm/a@1.0.0", "pkg:npm/g@1.0.0"],
            "a listed registry replaces the public ones"
        );
    }
}
