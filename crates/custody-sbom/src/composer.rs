//! PHP: Composer's `composer.lock`, with the `composer.json` next to it when there is
//! one.
//!
//! `packages` are what the project runs with, `packages-dev` what only development
//! needs. Each package has its `version`, `license` list, `require` (platform packages,
//! `php`, `ext-*`, `lib-*` and Composer's own APIs, are not packages and are left out),
//! `replace`/`provide` (a requirement a package replaces resolves to it), and where it
//! comes from: `dist` (an archive, with a SHA-1 `shasum` when the repository gives one, or
//! a `path` directory) and `source` (a VCS checkout). Packages from Packagist say so in
//! their `notification-url`. composer.json gives the project itself (first-party) and
//! its direct dependencies; without it, packages nothing requires are the direct ones.

use crate::component::{Component, Ecosystem, Hash, HashAlg, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::graph;
use crate::purl::Purl;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const PACKAGIST: &str = "https://repo.packagist.org";

/// Read a project from its `composer.lock` and the `composer.json` next to it, if any.
///
/// # Errors
/// A file cannot be read or is not what its name says.
pub fn read_project(path: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let text = read_limited(path, "composer.lock")?;
    let manifest_path = path
        .parent()
        .unwrap_or(Path::new("."))
        .join("composer.json");
    let manifest = if manifest_path.is_file() {
        let shown = shown_as.with_file_name("composer.json");
        let m = read_limited(&manifest_path, "composer.json")?;
        let v: Value = serde_json::from_str(&m)
            .map_err(|e| SbomError::malformed(&shown, format!("not JSON: {e}")))?;
        if !v.is_object() {
            return Err(SbomError::malformed(&shown, "not a JSON object"));
        }
        Some(v)
    } else {
        None
    };
    project_from(&text, manifest.as_ref(), shown_as)
}

/// Read a project from the text of a `composer.lock` alone.
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the text is not a composer.lock.
pub fn project_from_text(text: &str, shown_as: &Path) -> Result<Project, SbomError> {
    project_from(text, None, shown_as)
}

/// Whether a requirement names a platform package rather than a package.
fn is_platform(name: &str) -> bool {
    name == "php"
        || name.starts_with("php-")
        || name.starts_with("ext-")
        || name.starts_with("lib-")
        || name == "hhvm"
        || name.starts_with("composer-")
        || name == "composer"
}

fn is_package_name(name: &str) -> bool {
    name.split_once('/').is_some_and(|(v, n)| {
        let part = |p: &str| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        part(v) && part(n)
    })
}

fn requirement_names(p: &Map<String, Value>, key: &str) -> Vec<String> {
    p.get(key)
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(Map::keys)
        .map(|k| k.to_ascii_lowercase())
        .filter(|k| !is_platform(k))
        .collect()
}

fn project_from(
    text: &str,
    manifest: Option<&Value>,
    shown_as: &Path,
) -> Result<Project, SbomError> {
    let bad = |m: String| SbomError::malformed(shown_as, m);
    let doc: Value = serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?;
    let doc = doc
        .as_object()
        .ok_or_else(|| bad("not a JSON object".into()))?;
    if !doc.contains_key("packages") {
        return Err(bad("no `packages`: not a composer.lock".into()));
    }
    let mut locked: Vec<(&Map<String, Value>, String, Scope)> = Vec::new();
    for (key, scope) in [("packages", Scope::Runtime), ("packages-dev", Scope::Dev)] {
        let list = match doc.get(key) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(a)) => a,
            Some(_) => return Err(bad(format!("`{key}` is not an array"))),
        };
        for (i, p) in list.iter().enumerate() {
            let at = |m: &str| bad(format!("{key}[{i}]: {m}"));
            let p = p.as_object().ok_or_else(|| at("not an object"))?;
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| is_package_name(n))
                .ok_or_else(|| at("no vendor/name package name"))?
                .to_ascii_lowercase();
            if p.get("version")
                .and_then(Value::as_str)
                .is_none_or(|v| v.trim().is_empty())
            {
                return Err(at(&format!("{name} has no version")));
            }
            locked.push((p, name, scope));
        }
    }
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (_, name, _)) in locked.iter().enumerate() {
        by_name.entry(name.clone()).or_default().push(i);
    }
    // What other packages stand in for: a requirement of a replaced name resolves to the
    // package that replaces it when no package has the name itself.
    let mut standing_in: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (p, _, _)) in locked.iter().enumerate() {
        for key in ["replace", "provide"] {
            for n in requirement_names(p, key) {
                standing_in.entry(n).or_default().push(i);
            }
        }
    }
    let lookup = |name: &str| -> Vec<usize> {
        by_name
            .get(name)
            .or_else(|| standing_in.get(name))
            .cloned()
            .unwrap_or_default()
    };
    let edges: Vec<Vec<usize>> = locked
        .iter()
        .map(|(p, _, _)| {
            requirement_names(p, "require")
                .iter()
                .flat_map(|n| lookup(n))
                .collect()
        })
        .collect();
    let mut direct = vec![false; locked.len()];
    let mut own_deps = BTreeSet::new();
    match manifest.and_then(Value::as_object) {
        Some(m) => {
            for key in ["require", "require-dev"] {
                for n in requirement_names(m, key) {
                    for i in lookup(&n) {
                        direct[i] = true;
                        own_deps.insert(i);
                    }
                }
            }
        }
        None => {
            let depended: BTreeSet<usize> = edges.iter().flatten().copied().collect();
            for (i, d) in direct.iter_mut().enumerate() {
                *d = !depended.contains(&i);
            }
        }
    }
    let purls: Vec<Purl> = locked
        .iter()
        .map(|(p, name, _)| purl_of(name, version_of(p)))
        .collect();
    let mut components: Vec<Component> = locked
        .iter()
        .enumerate()
        .map(|(i, (p, name, scope))| Component {
            ecosystem: Ecosystem::Packagist,
            name: name.clone(),
            version: version_of(p).to_owned(),
            purl: purls[i].clone(),
            scope: *scope,
            direct: direct[i],
            first_party: false,
            source: source_of(p),
            hashes: p
                .get("dist")
                .and_then(|d| d.get("shasum"))
                .and_then(Value::as_str)
                .and_then(|s| Hash::from_hex(HashAlg::Sha1, s))
                .into_iter()
                .collect(),
            licenses: licenses_of(p),
            dependencies: edges[i].iter().map(|&j| purls[j].clone()).collect(),
        })
        .collect();
    if let Some(m) = manifest.and_then(Value::as_object)
        && let Some(name) = m
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| is_package_name(n))
    {
        let name = name.to_ascii_lowercase();
        let version = m
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        components.push(Component {
            ecosystem: Ecosystem::Packagist,
            purl: purl_of(&name, &version),
            name,
            version,
            scope: Scope::Runtime,
            direct: false,
            first_party: true,
            source: Source::Path { path: ".".into() },
            hashes: Vec::new(),
            licenses: licenses_of(m),
            dependencies: own_deps.iter().map(|&j| purls[j].clone()).collect(),
        });
    }
    Ok(Project {
        lockfile: shown_as.to_owned(),
        ecosystem: Ecosystem::Packagist,
        components: graph::settle(components),
    })
}

fn version_of(p: &Map<String, Value>) -> &str {
    p.get("version").and_then(Value::as_str).unwrap_or_default()
}

fn licenses_of(p: &Map<String, Value>) -> Vec<String> {
    match p.get("license") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn purl_of(name: &str, version: &str) -> Purl {
    let (vendor, package) = name.split_once('/').unwrap_or(("", name));
    let version = (!version.is_empty()).then_some(version);
    Purl::new("composer", Some(vendor), package, version, &BTreeMap::new())
}

fn source_of(p: &Map<String, Value>) -> Source {
    let field = |obj: &str, k: &str| {
        p.get(obj)
            .and_then(|o| o.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if field("dist", "type").as_deref() == Some("path") {
        return Source::Path {
            path: field("dist", "url").unwrap_or_default(),
        };
    }
    if p.get("notification-url")
        .and_then(Value::as_str)
        .is_some_and(|u| u.starts_with("https://packagist.org/"))
    {
        return Source::Registry {
            url: PACKAGIST.into(),
        };
    }
    if matches!(
        field("source", "type").as_deref(),
        Some("git" | "hg" | "svn" | "fossil")
    ) && let Some(url) = field("source", "url")
    {
        return Source::Git {
            url,
            rev: field("source", "reference"),
        };
    }
    match field("dist", "url") {
        Some(url) => Source::Url { url },
        None => Source::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"{
  "_readme": ["This file locks the dependencies of your project to a known state"],
  "content-hash": "0123",
  "packages": [
    {"name": "monolog/monolog", "version": "3.5.0",
     "source": {"type": "git", "url": "https://github.com/Seldaek/monolog.git", "reference": "c915e2634718dbc8a4a15c61b0e62e7a44e14448"},
     "dist": {"type": "zip", "url": "https://api.github.com/repos/Seldaek/monolog/zipball/c915e2634718dbc8a4a15c61b0e62e7a44e14448", "reference": "c915e2634718dbc8a4a15c61b0e62e7a44e14448", "shasum": ""},
     "require": {"php": ">=8.1", "ext-json": "*", "psr/log": "^2.0 || ^3.0"},
     "provide": {"psr/log-implementation": "3.0.0"},
     "type": "library", "notification-url": "https://packagist.org/downloads/", "license": ["MIT"]},
    {"name": "psr/log", "version": "3.0.0",
     "dist": {"type": "zip", "url": "https://api.github.com/repos/php-fig/log/zipball/fe5ea303b0887d5caefd3d431c3e61ad47037001", "reference": "fe5e", "shasum": "0123456789abcdef0123456789abcdef01234567"},
     "notification-url": "https://packagist.org/downloads/", "license": ["MIT"]},
    {"name": "Acme/Internal", "version": "dev-main",
     "source": {"type": "git", "url": "https://git.example.com/acme/internal.git", "reference": "abcdef0123456789abcdef0123456789abcdef01"},
     "require": {"psr/log-implementation": "^3"}},
    {"name": "acme/local", "version": "1.0.0",
     "dist": {"type": "path", "url": "./packages/local", "reference": "x"},
     "require": {"composer-plugin-api": "^2", "lib-pcre": "*"}, "license": "proprietary"}
  ],
  "packages-dev": [
    {"name": "phpunit/phpunit", "version": "10.5.0",
     "require": {"psr/log": "^3"}, "notification-url": "https://packagist.org/downloads/", "license": ["BSD-3-Clause"]}
  ],
  "aliases": [], "minimum-stability": "stable", "platform": {"php": ">=8.1"}, "platform-dev": []
}"#;

    const MANIFEST: &str = r#"{"name": "acme/shop", "license": "MIT",
      "require": {"php": ">=8.1", "monolog/monolog": "^3.5", "acme/internal": "dev-main", "acme/local": "*"},
      "require-dev": {"phpunit/phpunit": "^10"}}"#;

    fn find<'a>(p: &'a Project, purl: &str) -> &'a Component {
        p.expect_component(purl)
    }

    #[test]
    fn runtime_and_dev_packages_sources_hashes_and_edges() {
        let m: Value = serde_json::from_str(MANIFEST).expect("json");
        let p = project_from(LOCK, Some(&m), Path::new("composer.lock")).expect("parses");
        assert_eq!(p.components.len(), 6);
        let shop = find(&p, "pkg:composer/acme/shop");
        assert!(shop.first_party);
        assert_eq!(shop.dependencies.len(), 4);
        let monolog = find(&p, "pkg:composer/monolog/monolog@3.5.0");
        assert!(monolog.direct);
        assert_eq!(monolog.scope, Scope::Runtime);
        assert_eq!(monolog.licenses, vec!["MIT".to_owned()]);
        assert!(monolog.hashes.is_empty(), "an empty shasum is no hash");
        assert_eq!(
            monolog.source,
            Source::Registry {
                url: PACKAGIST.into()
            }
        );
        let deps: Vec<&str> = monolog.dependencies.iter().map(Purl::as_str).collect();
        assert_eq!(
            deps,
            vec!["pkg:composer/psr/log@3.0.0"],
            "php and ext-* are not packages"
        );
        let log = find(&p, "pkg:composer/psr/log@3.0.0");
        assert!(!log.direct);
        assert_eq!(log.hashes[0].alg, HashAlg::Sha1);
        // A provided name resolves to its provider.
        let internal = find(&p, "pkg:composer/acme/internal@dev-main");
        let deps: Vec<&str> = internal.dependencies.iter().map(Purl::as_str).collect();
        assert_eq!(deps, vec!["pkg:composer/monolog/monolog@3.5.0"]);
        assert!(
            matches!(&internal.source, Source::Git { rev: Some(r), .. } if r.starts_with("abcdef"))
        );
        let local = find(&p, "pkg:composer/acme/local@1.0.0");
        assert_eq!(
            local.source,
            Source::Path {
                path: "./packages/local".into()
            }
        );
        assert!(local.dependencies.is_empty());
        assert_eq!(local.licenses, vec!["proprietary".to_owned()]);
        let phpunit = find(&p, "pkg:composer/phpunit/phpunit@10.5.0");
        assert_eq!(phpunit.scope, Scope::Dev);
        assert!(phpunit.direct);
    }

    #[test]
    fn without_composer_json_unrequired_packages_are_direct() {
        let p = project_from_text(LOCK, Path::new("composer.lock")).expect("parses");
        let direct: Vec<&str> = p
            .components
            .iter()
            .filter(|c| c.direct)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            direct,
            vec!["acme/internal", "acme/local", "phpunit/phpunit"]
        );
        assert!(p.first_party().next().is_none());
    }

    #[test]
    fn malformed_lockfiles_are_named() {
        for (text, expect) in [
            ("[", "not JSON"),
            ("[]", "not a JSON object"),
            ("{}", "no `packages`"),
            ("{\"packages\": {}}", "`packages` is not an array"),
            ("{\"packages\": [1]}", "packages[0]: not an object"),
            (
                "{\"packages\": [], \"packages-dev\": [{\"name\": \"x\"}]}",
                "packages-dev[0]: no vendor/name",
            ),
            (
                "{\"packages\": [{\"name\": \"a/b\"}]}",
                "a/b has no version",
            ),
        ] {
            let err = project_from_text(text, Path::new("composer.lock")).expect_err(text);
            let s = err.to_string();
            assert!(
                s.starts_with("composer.lock: ") && s.contains(expect),
                "{s}"
            );
        }
    }
}
