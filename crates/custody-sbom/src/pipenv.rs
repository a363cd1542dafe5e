//! Pipenv: `Pipfile.lock`.
//!
//! `default` holds the runtime packages, `develop` the development ones, each with its
//! `==` pinned `version`, `hashes`, and `index` (a name from `_meta.sources`, whose first
//! entry is the index of packages that name none), or a `git` URL with its `ref`, a
//! `path` or a `file` URL. The lockfile records no edges: every package counts as
//! direct, since nothing says what pulled it in.

use crate::component::{Component, Ecosystem, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::graph;
use crate::python::{PYPI, normalise, pep508_name, prefixed_hash, pypi_purl};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Read a project from its `Pipfile.lock`.
///
/// # Errors
/// The file cannot be read or is not a Pipfile.lock.
pub fn read_project(path: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let text = read_limited(path, "Pipfile.lock")?;
    project_from_text(&text, shown_as)
}

/// Read a project from the text of a `Pipfile.lock`.
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the text is not a Pipfile.lock.
pub fn project_from_text(text: &str, shown_as: &Path) -> Result<Project, SbomError> {
    let bad = |m: String| SbomError::malformed(shown_as, m);
    let doc: Value = serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?;
    let meta = doc
        .get("_meta")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("no _meta object: not a Pipfile.lock".into()))?;
    let mut indexes: BTreeMap<&str, &str> = BTreeMap::new();
    let mut first_index: Option<&str> = None;
    for s in meta
        .get("sources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(name), Some(url)) = (
            s.get("name").and_then(Value::as_str),
            s.get("url").and_then(Value::as_str),
        ) else {
            continue;
        };
        indexes.insert(name, url);
        first_index.get_or_insert(url);
    }
    let default_index = first_index.unwrap_or(PYPI);
    let mut components = Vec::new();
    for (section, scope) in [("default", Scope::Runtime), ("develop", Scope::Dev)] {
        let packages = match doc.get(section) {
            None => continue,
            Some(Value::Object(m)) => m,
            Some(_) => return Err(bad(format!("`{section}` is not an object"))),
        };
        for (name, entry) in packages {
            let at = |m: &str| bad(format!("{section}.{name}: {m}"));
            if pep508_name(name) != Some(name.as_str()) {
                return Err(at("not a package name"));
            }
            let entry = entry.as_object().ok_or_else(|| at("not an object"))?;
            let version = match entry.get("version") {
                None => "",
                Some(v) => {
                    let v = v.as_str().unwrap_or_default();
                    v.strip_prefix("===")
                        .or_else(|| v.strip_prefix("=="))
                        .map(str::trim)
                        .filter(|v| !v.is_empty() && !v.contains([',', '*', ' ']))
                        .ok_or_else(|| at(&format!("version {v:?} is not an == pin")))?
                }
            };
            let source = source_of(entry, &indexes, default_index);
            let index = match &source {
                Source::Registry { url } => Some(url.as_str()),
                _ => None,
            };
            let hashes = entry
                .get("hashes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter_map(prefixed_hash)
                .collect();
            components.push(Component {
                ecosystem: Ecosystem::PyPI,
                name: normalise(name),
                version: version.to_owned(),
                purl: pypi_purl(name, version, index, &source),
                scope,
                direct: true,
                first_party: false,
                source,
                hashes,
                licenses: Vec::new(),
                dependencies: BTreeSet::new(),
            });
        }
    }
    Ok(Project {
        lockfile: shown_as.to_owned(),
        ecosystem: Ecosystem::PyPI,
        components: graph::settle(components),
    })
}

fn source_of(entry: &Map<String, Value>, indexes: &BTreeMap<&str, &str>, default: &str) -> Source {
    let field = |k: &str| entry.get(k).and_then(Value::as_str).map(str::to_owned);
    if let Some(git) = field("git") {
        let url = git.strip_prefix("git+").unwrap_or(&git).to_owned();
        return Source::Git {
            url,
            rev: field("ref"),
        };
    }
    if let Some(path) = field("path") {
        return Source::Path { path };
    }
    if let Some(url) = field("file") {
        return Source::Url { url };
    }
    let url = field("index")
        .and_then(|i| indexes.get(i.as_str()).map(|u| (*u).to_owned()))
        .unwrap_or_else(|| default.to_owned());
    Source::Registry { url }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::HashAlg;

    const LOCK: &str = r#"{
  "_meta": {
    "hash": {"sha256": "00"},
    "pipfile-spec": 6,
    "requires": {"python_version": "3.11"},
    "sources": [
      {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true},
      {"name": "corp", "url": "https://pypi.corp.example/simple", "verify_ssl": true}
    ]
  },
  "default": {
    "Django": {"hashes": ["sha256:8e0f1c2c2786b5c0e39fe1afce24c926040fad47c8ea8ad30aaf1188df29fc41",
                          "sha256:e1d37c51ad26186de355cbcec16613ebdabfa9689bbade9c538835205a8abbe9"],
               "index": "pypi", "version": "==4.2.7"},
    "internal": {"index": "corp", "version": "==1.0.0"},
    "tool": {"git": "https://github.com/org/tool.git", "ref": "0123456789abcdef0123456789abcdef01234567"},
    "local": {"editable": true, "path": "./local"},
    "packaging": {"version": "==23.2"}
  },
  "develop": {
    "pytest": {"version": "==8.0.0", "hashes": ["md5:00"]},
    "packaging": {"version": "==23.2"}
  }
}"#;

    #[test]
    fn sections_give_scopes_and_entries_give_sources() {
        let p = project_from_text(LOCK, Path::new("Pipfile.lock")).expect("parses");
        let got: Vec<(&str, Scope)> = p
            .components
            .iter()
            .map(|c| (c.purl.as_str(), c.scope))
            .collect();
        assert_eq!(
            got,
            vec![
                ("pkg:pypi/django@4.2.7", Scope::Runtime),
                (
                    "pkg:pypi/internal@1.0.0?repository_url=https:%2F%2Fpypi.corp.example%2Fsimple",
                    Scope::Runtime
                ),
                ("pkg:pypi/local", Scope::Runtime),
                // In both sections: one component, runtime.
                ("pkg:pypi/packaging@23.2", Scope::Runtime),
                ("pkg:pypi/pytest@8.0.0", Scope::Dev),
                (
                    "pkg:pypi/tool?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Forg%2Ftool.git%400123456789abcdef0123456789abcdef01234567",
                    Scope::Runtime
                ),
            ]
        );
        assert!(
            p.components
                .iter()
                .all(|c| c.direct && c.dependencies.is_empty())
        );
        let django = &p.components[0];
        assert_eq!(django.hashes.len(), 2);
        assert_eq!(django.hashes[0].alg, HashAlg::Sha256);
        assert_eq!(
            django.source,
            Source::Registry {
                url: "https://pypi.org/simple".into()
            }
        );
        assert!(p.components[4].hashes.is_empty(), "md5 is not kept");
        assert_eq!(
            p.components[2].source,
            Source::Path {
                path: "./local".into()
            }
        );
    }

    #[test]
    fn malformed_lockfiles_are_named() {
        for (text, expect) in [
            ("{", "not JSON"),
            ("{\"default\": {}}", "no _meta"),
            (
                "{\"_meta\": {}, \"default\": []}",
                "`default` is not an object",
            ),
            (
                "{\"_meta\": {}, \"develop\": {\"a\": 1}}",
                "develop.a: not an object",
            ),
            (
                "{\"_meta\": {}, \"default\": {\"a\": {\"version\": \">=1\"}}}",
                "default.a: version \">=1\" is not an == pin",
            ),
            (
                "{\"_meta\": {}, \"default\": {\"a b\": {}}}",
                "not a package name",
            ),
        ] {
            let err = project_from_text(text, Path::new("Pipfile.lock")).expect_err(text);
            let s = err.to_string();
            assert!(s.starts_with("Pipfile.lock: ") && s.contains(expect), "{s}");
        }
    }
}
