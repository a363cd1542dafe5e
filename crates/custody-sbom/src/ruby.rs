//! Ruby: Bundler's `Gemfile.lock`.
//!
//! Sources come as sections: `GEM` (a gem server, `remote:`), `GIT` (`remote:` and the
//! pinned `revision:`) and `PATH` (a directory; `remote: .` is the project's own gemspec,
//! first-party). Each lists its gems under `specs:` as `name (version)` with their
//! dependencies indented below. A platform-specific gem is written
//! `name (version-platform)`: the version is the part before the first `-`, and the
//! platform goes into the purl's `platform` qualifier. `DEPENDENCIES` are the Gemfile's
//! gems, the direct ones (a `!` marks those from GIT or PATH). `CHECKSUMS` (Bundler 2.5
//! and later) gives `sha256=` digests. The lockfile does not record the Gemfile's groups:
//! every gem counts as runtime.

use crate::component::{Component, Ecosystem, Hash, HashAlg, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::graph;
use crate::purl::Purl;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const RUBYGEMS: &str = "https://rubygems.org/";

/// Read a project from its `Gemfile.lock`.
///
/// # Errors
/// The file cannot be read or is not a Gemfile.lock.
pub fn read_project(path: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let text = read_limited(path, "Gemfile.lock")?;
    project_from_text(&text, shown_as)
}

/// One gem of a `specs:` list.
struct Spec {
    name: String,
    version: String,
    platform: Option<String>,
    source: Source,
    first_party: bool,
    wants: Vec<String>,
}

/// Where the lines of the current section go.
enum Section {
    Source {
        kind: SourceKind,
        remote: Option<String>,
        revision: Option<String>,
        /// Indices into the specs of this section.
        specs: Vec<usize>,
    },
    Dependencies,
    Checksums,
    Other,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SourceKind {
    Gem,
    Git,
    Path,
}

/// Read a project from the text of a `Gemfile.lock`.
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the text is not a Gemfile.lock.
pub fn project_from_text(text: &str, shown_as: &Path) -> Result<Project, SbomError> {
    let mut specs: Vec<Spec> = Vec::new();
    let mut direct_names: BTreeSet<String> = BTreeSet::new();
    let mut checksums: BTreeMap<(String, String), Vec<Hash>> = BTreeMap::new();
    let mut section = Section::Other;
    let mut known = false;
    for (n, line) in text.lines().enumerate() {
        let bad = |m: String| SbomError::malformed(shown_as, format!("line {}: {m}", n + 1));
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = line.trim();
        if indent == 0 {
            section = match content {
                "GEM" | "GIT" | "PATH" => Section::Source {
                    kind: match content {
                        "GEM" => SourceKind::Gem,
                        "GIT" => SourceKind::Git,
                        _ => SourceKind::Path,
                    },
                    remote: None,
                    revision: None,
                    specs: Vec::new(),
                },
                "DEPENDENCIES" => Section::Dependencies,
                "CHECKSUMS" => Section::Checksums,
                _ => Section::Other,
            };
            known |= !matches!(section, Section::Other);
            continue;
        }
        match &mut section {
            Section::Source {
                kind,
                remote,
                revision,
                specs: mine,
            } => match indent {
                2 => {
                    if let Some(r) = content.strip_prefix("remote:") {
                        // Old lockfiles list several remotes for one GEM section: the
                        // first is where gems come from unless told otherwise.
                        remote.get_or_insert_with(|| r.trim().to_owned());
                    } else if let Some(r) = content.strip_prefix("revision:") {
                        *revision = Some(r.trim().to_owned());
                    }
                }
                4 => {
                    let (name, full) = name_version(content)
                        .filter(|(_, v)| !v.is_empty())
                        .ok_or_else(|| bad(format!("{content:?} is not `name (version)`")))?;
                    let (version, platform) = match full.split_once('-') {
                        Some((v, p)) if !v.is_empty() && !p.is_empty() => {
                            (v.to_owned(), Some(p.to_owned()))
                        }
                        _ => (full.to_owned(), None),
                    };
                    let remote = remote.clone().unwrap_or_default();
                    let first_party = *kind == SourceKind::Path && remote == ".";
                    let source = match kind {
                        SourceKind::Gem if remote.is_empty() => Source::Unknown,
                        SourceKind::Gem => Source::Registry { url: remote },
                        SourceKind::Git => Source::Git {
                            url: remote,
                            rev: revision.clone(),
                        },
                        SourceKind::Path => Source::Path { path: remote },
                    };
                    mine.push(specs.len());
                    specs.push(Spec {
                        name: name.to_owned(),
                        version,
                        platform,
                        source,
                        first_party,
                        wants: Vec::new(),
                    });
                }
                6 => {
                    let (name, _) = name_version(content)
                        .ok_or_else(|| bad(format!("{content:?} is not a dependency")))?;
                    let last = mine
                        .last()
                        .and_then(|&i| specs.get_mut(i))
                        .ok_or_else(|| bad("a dependency before any gem".into()))?;
                    last.wants.push(name.to_owned());
                }
                _ => return Err(bad(format!("unexpected indentation of {content:?}"))),
            },
            Section::Dependencies => {
                let (name, _) = name_version(content.trim_end_matches('!'))
                    .ok_or_else(|| bad(format!("{content:?} is not a dependency")))?;
                direct_names.insert(name.to_owned());
            }
            Section::Checksums => {
                let (gem, digests) = match content.find(") ") {
                    Some(i) => (&content[..=i], content[i + 1..].trim()),
                    None => (content, ""),
                };
                let (name, full) = name_version(gem)
                    .ok_or_else(|| bad(format!("{content:?} is not a checksum")))?;
                let hashes = digests
                    .split(',')
                    .filter_map(|d| d.trim().strip_prefix("sha256="))
                    .filter_map(|h| Hash::from_hex(HashAlg::Sha256, h))
                    .collect();
                checksums.insert((name.to_owned(), full.to_owned()), hashes);
            }
            Section::Other => {}
        }
    }
    if !known {
        return Err(SbomError::malformed(
            shown_as,
            "no GEM, GIT, PATH or DEPENDENCIES section: not a Gemfile.lock",
        ));
    }

    let purls: Vec<Purl> = specs.iter().map(purl_of).collect();
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in specs.iter().enumerate() {
        by_name.entry(s.name.as_str()).or_default().push(i);
    }
    let mut components: Vec<Component> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let full = match &s.platform {
                Some(p) => format!("{}-{p}", s.version),
                None => s.version.clone(),
            };
            Component {
                ecosystem: Ecosystem::RubyGems,
                name: s.name.clone(),
                version: s.version.clone(),
                purl: purls[i].clone(),
                scope: Scope::Runtime,
                direct: direct_names.contains(&s.name) && !s.first_party,
                first_party: s.first_party,
                source: s.source.clone(),
                hashes: checksums
                    .get(&(s.name.clone(), full))
                    .cloned()
                    .unwrap_or_default(),
                licenses: Vec::new(),
                dependencies: s
                    .wants
                    .iter()
                    .filter_map(|w| by_name.get(w.as_str()))
                    .flatten()
                    .map(|&j| purls[j].clone())
                    .collect(),
            }
        })
        .collect();
    // The project's own gem depends on what the Gemfile names.
    let direct: BTreeSet<Purl> = components
        .iter()
        .filter(|c| c.direct)
        .map(|c| c.purl.clone())
        .collect();
    for c in components.iter_mut().filter(|c| c.first_party) {
        c.dependencies.extend(direct.iter().cloned());
    }
    Ok(Project {
        lockfile: shown_as.to_owned(),
        ecosystem: Ecosystem::RubyGems,
        components: graph::settle(components),
    })
}

/// `name (requirement or version)` or `name` → (name, text in the parentheses).
fn name_version(text: &str) -> Option<(&str, &str)> {
    let (name, rest) = match text.split_once(' ') {
        Some((n, r)) => (n, r.trim()),
        None => (text, ""),
    };
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        return None;
    }
    if rest.is_empty() {
        return Some((name, ""));
    }
    let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
    Some((name, inner.trim()))
}

fn purl_of(s: &Spec) -> Purl {
    let mut q = BTreeMap::new();
    if let Some(p) = &s.platform {
        q.insert("platform", p.clone());
    }
    match &s.source {
        Source::Registry { url } if url.trim_end_matches('/') != RUBYGEMS.trim_end_matches('/') => {
            q.insert("repository_url", url.clone());
        }
        Source::Git { url, rev } => {
            q.insert(
                "vcs_url",
                match rev {
                    Some(r) => format!("git+{url}@{r}"),
                    None => format!("git+{url}"),
                },
            );
        }
        _ => {}
    }
    Purl::new("gem", None, &s.name, Some(&s.version), &q)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = "\
GIT
  remote: https://github.com/rails/rails.git
  revision: 0123456789abcdef0123456789abcdef01234567
  branch: main
  specs:
    activesupport (7.2.0.alpha)
      concurrent-ruby (~> 1.0, >= 1.0.2)

PATH
  remote: .
  specs:
    shop (0.1.0)
      nokogiri (>= 1.16)

PATH
  remote: vendor/gems/tiny
  specs:
    tiny (1.0.0)

GEM
  remote: https://rubygems.org/
  specs:
    concurrent-ruby (1.2.3)
    mini_portile2 (2.8.5)
    nokogiri (1.16.0)
      mini_portile2 (~> 2.8.2)
      racc (~> 1.4)
    nokogiri (1.16.0-x86_64-linux)
      racc (~> 1.4)
    racc (1.7.3)
    rspec (3.12.0)

GEM
  remote: https://gems.example.com/
  specs:
    private-gem (2.0.0)
      racc

PLATFORMS
  ruby
  x86_64-linux

DEPENDENCIES
  activesupport!
  nokogiri (~> 1.16)
  private-gem
  rspec (~> 3.12)
  shop!
  tiny!

CHECKSUMS
  concurrent-ruby (1.2.3) sha256=82fdd3f8a0816e28d513e637bb2b90a45d7b982bdf4f3a0511722d2e495801e2
  nokogiri (1.16.0-x86_64-linux) sha256=0cc7a2a8d33ad1f2ae6e1a5b6bf6c1d0b6ff5b70cf8b1ed7e8d1f5e9db42d7e1
  shop (0.1.0)

BUNDLED WITH
   2.5.4
";

    fn find<'a>(p: &'a Project, purl: &str) -> &'a Component {
        p.expect_component(purl)
    }

    #[test]
    fn sources_platforms_checksums_and_edges() {
        let p = project_from_text(LOCK, Path::new("Gemfile.lock")).expect("parses");
        assert_eq!(p.components.len(), 10);
        let shop = find(&p, "pkg:gem/shop@0.1.0");
        assert!(shop.first_party && !shop.direct);
        assert_eq!(shop.source, Source::Path { path: ".".into() });
        assert!(
            shop.dependencies
                .iter()
                .any(|d| d.as_str() == "pkg:gem/rspec@3.12.0")
        );
        let linux = find(&p, "pkg:gem/nokogiri@1.16.0?platform=x86_64-linux");
        assert_eq!(linux.version, "1.16.0");
        assert!(linux.direct);
        assert_eq!(linux.hashes.len(), 1);
        assert_eq!(linux.hashes[0].alg, HashAlg::Sha256);
        let plain = find(&p, "pkg:gem/nokogiri@1.16.0");
        assert!(plain.hashes.is_empty());
        let deps: Vec<&str> = plain.dependencies.iter().map(Purl::as_str).collect();
        assert_eq!(
            deps,
            vec!["pkg:gem/mini_portile2@2.8.5", "pkg:gem/racc@1.7.3"]
        );
        // racc is reached from both nokogiri copies and from the private gem.
        let racc = find(&p, "pkg:gem/racc@1.7.3");
        assert!(!racc.direct);
        assert_eq!(racc.scope, Scope::Runtime);
        let rails = p
            .components
            .iter()
            .find(|c| c.name == "activesupport")
            .expect("git gem");
        assert!(matches!(&rails.source, Source::Git { rev: Some(r), .. } if r.starts_with("0123")));
        assert!(rails.purl.as_str().contains("vcs_url="));
        let private = find(
            &p,
            "pkg:gem/private-gem@2.0.0?repository_url=https:%2F%2Fgems.example.com%2F",
        );
        assert!(private.direct);
        assert_eq!(
            find(&p, "pkg:gem/tiny@1.0.0").source,
            Source::Path {
                path: "vendor/gems/tiny".into()
            }
        );
        assert!(!find(&p, "pkg:gem/tiny@1.0.0").first_party);
        assert_eq!(
            find(&p, "pkg:gem/concurrent-ruby@1.2.3").source,
            Source::Registry {
                url: RUBYGEMS.into()
            }
        );
    }

    #[test]
    fn malformed_lockfiles_are_named() {
        for (text, expect) in [
            ("hello\n", "not a Gemfile.lock"),
            (
                "GEM\n  remote: x\n  specs:\n    rack\n",
                "line 4: \"rack\" is not `name (version)`",
            ),
            ("GEM\n  specs:\n    rack (1.0\n", "line 3"),
            (
                "GEM\n  specs:\n      rack (>= 1)\n",
                "a dependency before any gem",
            ),
            ("GEM\n  specs:\n   rack (1.0)\n", "unexpected indentation"),
            ("DEPENDENCIES\n  ra ck\n", "is not a dependency"),
        ] {
            let err = project_from_text(text, Path::new("Gemfile.lock")).expect_err(text);
            let s = err.to_string();
            assert!(s.starts_with("Gemfile.lock: ") && s.contains(expect), "{s}");
        }
    }
}
