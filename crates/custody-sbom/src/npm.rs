//! npm: `package-lock.json` (lockfile versions 1 to 3) and `npm-shrinkwrap.json`.
//!
//! Versions 2 and 3 list every installed package under `packages`, keyed by its path
//! (`node_modules/a/node_modules/b`), with npm's own `dev`, `optional` and `devOptional`
//! flags, the `resolved` URL and the `integrity` hash; a dependency is found as Node
//! finds it, in the nearest `node_modules` up the path. Version 1 nests the same data
//! under `dependencies`. Workspace packages (entries outside `node_modules`, and the
//! root) are first-party.

use crate::component::{Component, Ecosystem, Hash, HashAlg, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::purl::Purl;
use base64::Engine as _;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Read a project from its `package-lock.json` or `npm-shrinkwrap.json`.
///
/// # Errors
/// The file cannot be read or is not an npm lockfile.
pub fn read_project(path: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let text = read_limited(path, "package-lock.json")?;
    project_from_text(&text, shown_as)
}

/// One installed package.
#[derive(Debug)]
struct Entry {
    name: String,
    version: String,
    resolved: Option<String>,
    integrity: Option<String>,
    license: Option<String>,
    scope: Scope,
    first_party: bool,
    /// Names it depends on (all kinds npm installs).
    wants: Vec<String>,
}

/// Read a project from the text of an npm lockfile.
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the text is not an npm lockfile.
pub fn project_from_text(text: &str, shown_as: &Path) -> Result<Project, SbomError> {
    let bad = |m: String| SbomError::malformed(shown_as, m);
    let doc: Value = serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?;
    let version = doc
        .get("lockfileVersion")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad("no lockfileVersion: not an npm lockfile".into()))?;
    // path → entry
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    match (version, doc.get("packages").and_then(Value::as_object)) {
        (2 | 3, Some(packages)) => {
            for (key, p) in packages {
                let p = p
                    .as_object()
                    .ok_or_else(|| bad(format!("packages[{key:?}] is not an object")))?;
                if p.get("link").and_then(Value::as_bool) == Some(true) {
                    // A link to a workspace package: the package itself is listed too.
                    continue;
                }
                let in_modules = key.rfind("node_modules/");
                let name = p
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or_else(|| in_modules.map(|i| key[i + "node_modules/".len()..].to_owned()))
                    .unwrap_or_default();
                entries.insert(key.clone(), entry(&name, p, in_modules.is_none()));
            }
        }
        (1, _) => {
            if let Some(root) = doc.as_object() {
                let mut e = entry(
                    root.get("name").and_then(Value::as_str).unwrap_or_default(),
                    root,
                    true,
                );
                e.wants = root
                    .get("dependencies")
                    .and_then(Value::as_object)
                    .map(|d| d.keys().cloned().collect())
                    .unwrap_or_default();
                entries.insert(String::new(), e);
                if let Some(deps) = root.get("dependencies").and_then(Value::as_object) {
                    flatten_v1(deps, "", &mut entries);
                }
            }
        }
        (v, _) => {
            return Err(bad(format!(
                "lockfileVersion {v} is not one custody reads (1 to 3)"
            )));
        }
    }
    let resolve = |from: &str, name: &str| -> Option<String> {
        // The nearest node_modules/<name> at or above `from`.
        let mut base = from.to_owned();
        loop {
            let candidate = if base.is_empty() {
                format!("node_modules/{name}")
            } else {
                format!("{base}/node_modules/{name}")
            };
            if entries.contains_key(&candidate) {
                return Some(candidate);
            }
            if base.is_empty() {
                return None;
            }
            base = match base.rfind("/node_modules/") {
                Some(i) => base[..i].to_owned(),
                None => String::new(),
            };
        }
    };
    let purls: BTreeMap<&str, Purl> = entries
        .iter()
        .map(|(k, e)| (k.as_str(), purl_of(e)))
        .collect();
    let mut components: Vec<Component> = Vec::new();
    let direct: BTreeSet<String> = entries
        .iter()
        .filter(|(_, e)| e.first_party)
        .flat_map(|(k, e)| {
            e.wants
                .iter()
                .filter_map(|w| resolve(k, w))
                .collect::<Vec<_>>()
        })
        .collect();
    for (key, e) in &entries {
        if e.name.is_empty() || (e.version.is_empty() && !e.first_party) {
            continue;
        }
        components.push(Component {
            ecosystem: Ecosystem::Npm,
            name: e.name.clone(),
            version: e.version.clone(),
            purl: purls[key.as_str()].clone(),
            scope: e.scope,
            direct: direct.contains(key) && !e.first_party,
            first_party: e.first_party,
            source: source_of(e, key),
            hashes: e.integrity.as_deref().map(hashes_of).unwrap_or_default(),
            licenses: e.license.iter().cloned().collect(),
            dependencies: e
                .wants
                .iter()
                .filter_map(|w| resolve(key, w))
                .filter(|k| entries.get(k).is_some_and(|d| !d.name.is_empty()))
                .map(|k| purls[k.as_str()].clone())
                .collect(),
        });
    }
    components.sort_by(|a, b| a.purl.cmp(&b.purl));
    components.dedup_by(|a, b| a.purl == b.purl);
    let present: BTreeSet<Purl> = components.iter().map(|c| c.purl.clone()).collect();
    for c in &mut components {
        c.dependencies.retain(|d| present.contains(d));
    }
    Ok(Project {
        lockfile: shown_as.to_owned(),
        ecosystem: Ecosystem::Npm,
        components,
    })
}

fn entry(name: &str, p: &Map<String, Value>, first_party: bool) -> Entry {
    let flag = |k: &str| p.get(k).and_then(Value::as_bool) == Some(true);
    let scope = if flag("dev") || flag("devOptional") {
        Scope::Dev
    } else if flag("optional") {
        Scope::Optional
    } else {
        Scope::Runtime
    };
    let mut wants = Vec::new();
    for table in [
        "dependencies",
        "optionalDependencies",
        "peerDependencies",
        "devDependencies",
        "requires",
    ] {
        // Version 1's nested `dependencies` are packages, not requirements.
        if table == "dependencies" && p.get("requires").is_some() {
            continue;
        }
        if table == "devDependencies" && !first_party {
            continue;
        }
        if let Some(d) = p.get(table).and_then(Value::as_object) {
            wants.extend(d.keys().cloned());
        }
    }
    Entry {
        name: name.to_owned(),
        version: p
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        resolved: p.get("resolved").and_then(Value::as_str).map(str::to_owned),
        integrity: p
            .get("integrity")
            .and_then(Value::as_str)
            .map(str::to_owned),
        license: p.get("license").and_then(Value::as_str).map(str::to_owned),
        scope: if first_party { Scope::Runtime } else { scope },
        first_party,
        wants,
    }
}

/// Version 1: nested `dependencies` as `node_modules/a/node_modules/b` paths.
fn flatten_v1(deps: &Map<String, Value>, base: &str, out: &mut BTreeMap<String, Entry>) {
    for (name, d) in deps {
        let Some(d) = d.as_object() else { continue };
        let key = if base.is_empty() {
            format!("node_modules/{name}")
        } else {
            format!("{base}/node_modules/{name}")
        };
        out.insert(key.clone(), entry(name, d, false));
        if let Some(nested) = d.get("dependencies").and_then(Value::as_object) {
            flatten_v1(nested, &key, out);
        }
    }
}

fn purl_of(e: &Entry) -> Purl {
    let source = e
        .resolved
        .as_deref()
        .and_then(git_of)
        .unwrap_or(Source::Unknown);
    npm_purl(&e.name, &e.version, &source)
}

/// The purl of an npm package (`@scope/name` as namespace and name), with `vcs_url` for
/// a git source; an empty version is left out.
pub(crate) fn npm_purl(name: &str, version: &str, source: &Source) -> Purl {
    let (namespace, name) = match name.split_once('/') {
        Some((scope, n)) if name.starts_with('@') => (Some(scope), n),
        _ => (None, name),
    };
    let mut q = BTreeMap::new();
    if let Source::Git { url, rev } = source {
        q.insert(
            "vcs_url",
            match rev {
                Some(r) => format!("git+{url}@{r}"),
                None => format!("git+{url}"),
            },
        );
    }
    let version = (!version.is_empty()).then_some(version);
    Purl::new("npm", namespace, name, version, &q)
}

pub(crate) fn git_of(resolved: &str) -> Option<Source> {
    let rest = resolved
        .strip_prefix("git+")
        .or_else(|| resolved.strip_prefix("git:"))?;
    let (url, rev) = match rest.split_once('#') {
        Some((u, r)) => (u, Some(r.to_owned())),
        None => (rest, None),
    };
    Some(Source::Git {
        url: url.to_owned(),
        rev,
    })
}

fn source_of(e: &Entry, key: &str) -> Source {
    if e.first_party {
        return Source::Path {
            path: if key.is_empty() {
                ".".into()
            } else {
                key.to_owned()
            },
        };
    }
    match e.resolved.as_deref() {
        // npm leaves `resolved` out for packages of the configured registry (its
        // `omit-lockfile-registry-resolved`), which is npmjs.org unless `.npmrc` says
        // otherwise.
        None => Source::Registry {
            url: "https://registry.npmjs.org".into(),
        },
        Some(r) => resolved_source(&e.name, r),
    }
}

/// Where a `resolved` URL (npm, Yarn) points: git, a directory (`file:`), a registry
/// (`<registry>/<name>/-/<name>-<version>.tgz`) or another URL.
pub(crate) fn resolved_source(name: &str, resolved: &str) -> Source {
    if let Some(g) = git_of(resolved) {
        g
    } else if let Some(p) = resolved.strip_prefix("file:") {
        Source::Path { path: p.to_owned() }
    } else if let Some(i) = resolved.find("/-/") {
        let base = &resolved[..i];
        let base = base.strip_suffix(&format!("/{name}")).unwrap_or(base);
        Source::Registry {
            url: base.to_owned(),
        }
    } else {
        Source::Url {
            url: resolved.to_owned(),
        }
    }
}

/// `sha512-<base64> sha1-<base64>` (Subresource Integrity) as hex digests.
pub(crate) fn hashes_of(integrity: &str) -> Vec<Hash> {
    integrity
        .split_whitespace()
        .filter_map(|part| {
            let (alg, b64) = part.split_once('-')?;
            let alg = match alg {
                "sha1" => HashAlg::Sha1,
                "sha256" => HashAlg::Sha256,
                "sha384" => HashAlg::Sha384,
                "sha512" => HashAlg::Sha512,
                _ => return None,
            };
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
            Hash::from_hex(alg, &hex::encode(bytes))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA512: &str = "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";

    fn v3() -> String {
        format!(
            r#"{{
  "name": "web", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
  "packages": {{
    "": {{"name": "web", "version": "1.0.0", "license": "MIT",
          "workspaces": ["packages/*"],
          "dependencies": {{"express": "^4.17.0", "@types/node": "^20"}},
          "devDependencies": {{"jest": "^29"}},
          "optionalDependencies": {{"fsevents": "^2"}}}},
    "node_modules/express": {{"version": "4.17.1",
      "resolved": "https://registry.npmjs.org/express/-/express-4.17.1.tgz",
      "integrity": "{SHA512}",
      "dependencies": {{"debug": "2.6.9", "qs": "6.7.0"}}}},
    "node_modules/express/node_modules/debug": {{"version": "2.6.9",
      "resolved": "https://registry.npmjs.org/debug/-/debug-2.6.9.tgz"}},
    "node_modules/debug": {{"version": "4.3.4", "dev": true,
      "resolved": "https://registry.npmjs.org/debug/-/debug-4.3.4.tgz"}},
    "node_modules/qs": {{"version": "6.7.0"}},
    "node_modules/@types/node": {{"version": "20.1.0",
      "resolved": "https://registry.npmjs.org/@types/node/-/node-20.1.0.tgz"}},
    "node_modules/jest": {{"version": "29.0.0", "dev": true, "dependencies": {{"debug": "^4"}}}},
    "node_modules/fsevents": {{"version": "2.3.3", "optional": true}},
    "node_modules/tool": {{"version": "0.1.0",
      "resolved": "git+ssh://git@github.com/org/tool.git#0123456789abcdef0123456789abcdef01234567"}},
    "node_modules/ui": {{"resolved": "packages/ui", "link": true}},
    "packages/ui": {{"name": "ui", "version": "0.2.0", "dependencies": {{"qs": "^6"}}}}
  }}
}}"#
        )
    }

    fn find<'a>(p: &'a Project, purl: &str) -> &'a Component {
        p.expect_component(purl)
    }

    #[test]
    fn a_v3_lockfile_with_workspaces_nesting_scopes_and_sources() {
        let p = project_from_text(&v3(), Path::new("package-lock.json")).expect("parses");
        let web = find(&p, "pkg:npm/web@1.0.0");
        assert!(web.first_party);
        assert_eq!(web.licenses, vec!["MIT".to_owned()]);
        assert_eq!(
            find(&p, "pkg:npm/qs@6.7.0").source,
            Source::Registry {
                url: "https://registry.npmjs.org".into()
            },
            "no `resolved`: the default registry"
        );
        let ui = find(&p, "pkg:npm/ui@0.2.0");
        assert!(ui.first_party);
        let express = find(&p, "pkg:npm/express@4.17.1");
        assert!(express.direct);
        assert_eq!(express.scope, Scope::Runtime);
        assert_eq!(express.hashes[0].alg, HashAlg::Sha512);
        assert_eq!(
            express.source,
            Source::Registry {
                url: "https://registry.npmjs.org".into()
            }
        );
        // express uses its own nested debug 2.6.9, not the top-level 4.3.4.
        let deps: Vec<&str> = express.dependencies.iter().map(Purl::as_str).collect();
        assert_eq!(deps, vec!["pkg:npm/debug@2.6.9", "pkg:npm/qs@6.7.0"]);
        assert_eq!(find(&p, "pkg:npm/debug@4.3.4").scope, Scope::Dev);
        assert_eq!(find(&p, "pkg:npm/jest@29.0.0").scope, Scope::Dev);
        assert!(find(&p, "pkg:npm/jest@29.0.0").direct);
        assert_eq!(find(&p, "pkg:npm/fsevents@2.3.3").scope, Scope::Optional);
        let types = find(&p, "pkg:npm/%40types/node@20.1.0");
        assert_eq!(types.name, "@types/node");
        assert!(types.direct);
        let tool = p
            .components
            .iter()
            .find(|c| c.name == "tool")
            .expect("git dependency");
        assert!(matches!(&tool.source, Source::Git { rev: Some(r), .. } if r.starts_with("0123")));
        assert!(tool.purl.as_str().contains("vcs_url="));
        assert!(
            find(&p, "pkg:npm/qs@6.7.0").direct,
            "the workspace package ui names qs"
        );
        assert_eq!(p.components.len(), 10);
    }

    #[test]
    fn a_v1_lockfile_nests_dependencies() {
        let text = r#"{"name": "old", "version": "0.0.1", "lockfileVersion": 1,
          "dependencies": {
            "a": {"version": "1.0.0", "integrity": "sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "requires": {"b": "^2"},
                  "dependencies": {"b": {"version": "2.0.0"}}},
            "b": {"version": "1.0.0", "dev": true}
          }}"#;
        let p = project_from_text(text, Path::new("package-lock.json")).expect("parses");
        let a = find(&p, "pkg:npm/a@1.0.0");
        assert!(a.direct);
        assert_eq!(a.hashes[0].alg, HashAlg::Sha1);
        let deps: Vec<&str> = a.dependencies.iter().map(Purl::as_str).collect();
        assert_eq!(deps, vec!["pkg:npm/b@2.0.0"]);
        assert_eq!(find(&p, "pkg:npm/b@1.0.0").scope, Scope::Dev);
    }

    #[test]
    fn not_npm_lockfiles_are_named() {
        for (text, expect) in [
            ("[", "not JSON"),
            ("{}", "no lockfileVersion"),
            (
                "{\"lockfileVersion\": 9, \"packages\": {}}",
                "lockfileVersion 9",
            ),
            (
                "{\"lockfileVersion\": 3, \"packages\": {\"x\": 1}}",
                "not an object",
            ),
        ] {
            let err = project_from_text(text, Path::new("package-lock.json")).expect_err(text);
            assert!(err.to_string().contains(expect), "{err}");
        }
    }
}
