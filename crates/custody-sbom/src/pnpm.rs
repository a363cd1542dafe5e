//! pnpm: `pnpm-lock.yaml`, lockfile versions 5.x (pnpm 6 and 7), 6.0 (pnpm 8) and 9.0
//! (pnpm 9 and later).
//!
//! Importers (the project, or each workspace package under `importers`) list their
//! `dependencies`, `devDependencies` and `optionalDependencies` with the resolved
//! version; packages are keyed `/name/1.2.3` (5.x), `/name@1.2.3` (6.0) or `name@1.2.3`
//! (9.0), with `resolution` (the `integrity`, or a tarball, git commit or directory)
//! and their own dependencies, which 9.0 keeps apart under `snapshots`. A package used
//! with different peers is listed once per set of peers (`react-dom@18.2.0(react@18.2.0)`,
//! `_react@18.2.0` in 5.x); they are one component. Importers are first-party when their
//! `package.json` names them; scopes spread from what each importer declares.

use crate::component::{Component, Ecosystem, Hash, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::graph;
use crate::npm::{hashes_of, npm_purl, resolved_source};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

const NPM_REGISTRY: &str = "https://registry.npmjs.org";

/// Most importers read from their package.json: a lockfile naming more is still read,
/// the rest without names.
const MAX_IMPORTER_MANIFESTS: usize = 10_000;

/// Read a project from its `pnpm-lock.yaml` and the importers' `package.json` files.
///
/// # Errors
/// A file cannot be read or is not what its name says.
pub fn read_project(path: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let text = read_limited(path, "pnpm-lock.yaml")?;
    let doc = parse(&text, shown_as)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut manifests = BTreeMap::new();
    for importer in importer_paths(&doc)
        .into_iter()
        .take(MAX_IMPORTER_MANIFESTS)
    {
        // Only paths inside the project: a hostile lockfile must not send us elsewhere.
        if importer.starts_with('/') || importer.split('/').any(|s| s == "..") {
            continue;
        }
        let file = dir.join(&importer).join("package.json");
        if !file.is_file() {
            continue;
        }
        let shown = match normalise_path(&importer).as_str() {
            "." => shown_as.with_file_name("package.json"),
            sub => shown_as
                .parent()
                .unwrap_or(Path::new(""))
                .join(sub)
                .join("package.json"),
        };
        let m = read_limited(&file, "package.json")?;
        match serde_json::from_str(&m) {
            Ok(Value::Object(m)) => {
                manifests.insert(importer, m);
            }
            Ok(_) => return Err(SbomError::malformed(&shown, "not a JSON object")),
            Err(e) => return Err(SbomError::malformed(&shown, format!("not JSON: {e}"))),
        }
    }
    project_from(&doc, &manifests, shown_as)
}

/// Read a project from the text of a `pnpm-lock.yaml` alone: importers have no names,
/// so what they declare is direct but there is no first-party component.
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the text is not a pnpm lockfile.
pub fn project_from_text(text: &str, shown_as: &Path) -> Result<Project, SbomError> {
    let doc = parse(text, shown_as)?;
    project_from(&doc, &BTreeMap::new(), shown_as)
}

/// The lockfile format, by its major version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    V5,
    V6,
    V9,
}

struct Doc {
    format: Format,
    root: Map<String, Value>,
}

fn parse(text: &str, shown_as: &Path) -> Result<Doc, SbomError> {
    let bad = |m: String| SbomError::malformed(shown_as, m);
    let root = match crate::yaml::parse(text).map_err(|e| bad(format!("not YAML: {e}")))? {
        Value::Object(m) => m,
        _ => return Err(bad("not a YAML mapping".into())),
    };
    let version = root
        .get("lockfileVersion")
        .and_then(crate::yaml::text)
        .ok_or_else(|| bad("no lockfileVersion: not a pnpm-lock.yaml".into()))?;
    let format = match version.split('.').next().unwrap_or_default() {
        "5" => Format::V5,
        "6" => Format::V6,
        "9" => Format::V9,
        _ => {
            return Err(bad(format!(
                "lockfileVersion {version} is not one custody reads (5.x, 6.0, 9.0)"
            )));
        }
    };
    Ok(Doc { format, root })
}

/// The importers: `importers` in workspaces, else the lockfile's own top level.
fn importers(doc: &Doc) -> Vec<(String, &Map<String, Value>)> {
    match doc.root.get("importers").and_then(Value::as_object) {
        Some(imp) => imp
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_object()?)))
            .collect(),
        None => vec![(".".to_owned(), &doc.root)],
    }
}

fn importer_paths(doc: &Doc) -> Vec<String> {
    importers(doc).into_iter().map(|(k, _)| k).collect()
}

/// The identity of a package key: name and version, peers left out.
fn identity(key: &str, format: Format) -> Option<(String, String)> {
    let key = match format {
        Format::V9 => key,
        Format::V5 | Format::V6 => key.strip_prefix('/').unwrap_or(key),
    };
    let key = key.split('(').next().unwrap_or(key);
    let (name, version) = match format {
        Format::V5 => {
            let (name, version) = key.rsplit_once('/')?;
            (name, version.split('_').next().unwrap_or(version))
        }
        Format::V6 | Format::V9 => {
            let at = key.get(1..)?.find('@')? + 1;
            (&key[..at], &key[at + 1..])
        }
    };
    (!name.is_empty() && !version.is_empty()).then(|| (name.to_owned(), version.to_owned()))
}

/// The package key a dependency `name: ref` points at.
fn key_of(name: &str, reference: &str, format: Format) -> String {
    // Peers (`(react@18.2.0)`, `_react@18.2.0` in 5.x) are not part of what the
    // reference says about itself.
    let base = match format {
        Format::V5 => reference.split('_').next().unwrap_or(reference),
        Format::V6 | Format::V9 => reference.split('(').next().unwrap_or(reference),
    };
    match format {
        Format::V9 => {
            // An alias resolves to `other@1.0.0`.
            if base.get(1..).is_some_and(|r| r.contains('@')) && !base.contains(':') {
                reference.to_owned()
            } else {
                format!("{name}@{reference}")
            }
        }
        Format::V6 => {
            if base.starts_with('/') || base.contains('/') {
                reference.to_owned()
            } else {
                format!("/{name}@{reference}")
            }
        }
        Format::V5 => {
            if base.starts_with('/') || base.contains('/') {
                reference.to_owned()
            } else {
                format!("/{name}/{reference}")
            }
        }
    }
}

/// `a/b/../c` → `a/c`, relative to the lockfile's directory (`.` for itself).
fn normalise_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

struct Node {
    name: String,
    version: String,
    source: Source,
    hashes: Vec<Hash>,
    first_party: bool,
    license: Vec<String>,
}

/// The dependency tables of an entry with the scope they give.
const TABLES: [(&str, Scope); 3] = [
    ("dependencies", Scope::Runtime),
    ("optionalDependencies", Scope::Optional),
    ("devDependencies", Scope::Dev),
];

/// A dependency's resolved reference: a string (5.x, and package entries), or
/// `{specifier, version}` (importers of 6.0 and 9.0).
fn reference(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => o.get("version").and_then(crate::yaml::text),
        other => crate::yaml::text(other),
    }
}

fn project_from(
    doc: &Doc,
    manifests: &BTreeMap<String, Map<String, Value>>,
    shown_as: &Path,
) -> Result<Project, SbomError> {
    let bad = |m: String| SbomError::malformed(shown_as, m);
    let format = doc.format;
    let mut nodes: Vec<Node> = Vec::new();
    let mut by_identity: HashMap<(String, String), usize> = HashMap::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    // (node, the entry whose dependencies it has)
    let mut dep_tables: Vec<(usize, &Map<String, Value>)> = Vec::new();
    let packages = match doc.root.get("packages") {
        None | Some(Value::Null) => None,
        Some(Value::Object(p)) => Some(p),
        Some(_) => return Err(bad("`packages` is not a mapping".into())),
    };
    for (key, entry) in packages.into_iter().flatten() {
        let entry = entry
            .as_object()
            .ok_or_else(|| bad(format!("packages[{key:?}] is not a mapping")))?;
        // Packages that are not from a registry say their name and version; the key
        // of a registry package is enough.
        let field = |k: &str| {
            entry
                .get(k)
                .and_then(crate::yaml::text)
                .filter(|t| !t.is_empty())
        };
        let from_key = identity(key, format);
        let (name, version) = match (field("name"), field("version"), from_key) {
            (Some(n), Some(v), _) => (n, v),
            (None, Some(v), Some((n, _))) => (n, v),
            (None, None, Some(id)) => id,
            (Some(n), None, Some((_, v))) => (n, v),
            _ => return Err(bad(format!("packages[{key:?}]: not `name@version`"))),
        };
        let resolution = entry.get("resolution").and_then(Value::as_object);
        let field = |k: &str| {
            resolution
                .and_then(|r| r.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let source = if let Some(repo) = field("repo") {
            Source::Git {
                url: repo,
                rev: field("commit"),
            }
        } else if let Some(dir) = field("directory") {
            Source::Path { path: dir }
        } else if let Some(tarball) = field("tarball") {
            match resolved_source(&name, &tarball) {
                // A relative tarball is a local file.
                Source::Url { url } if !url.contains("://") => Source::Path { path: url },
                s => s,
            }
        } else {
            Source::Registry {
                url: NPM_REGISTRY.into(),
            }
        };
        let hashes = field("integrity")
            .map(|i| hashes_of(&i))
            .unwrap_or_default();
        let id = (name.clone(), version.clone());
        let i = match by_identity.get(&id) {
            Some(&i) => i,
            None => {
                nodes.push(Node {
                    name,
                    version,
                    source,
                    hashes,
                    first_party: false,
                    license: Vec::new(),
                });
                by_identity.insert(id, nodes.len() - 1);
                nodes.len() - 1
            }
        };
        by_key.insert(key.clone(), i);
        if format != Format::V9 {
            dep_tables.push((i, entry));
        }
    }
    if format == Format::V9 {
        let snapshots = match doc.root.get("snapshots") {
            None | Some(Value::Null) => None,
            Some(Value::Object(s)) => Some(s),
            Some(_) => return Err(bad("`snapshots` is not a mapping".into())),
        };
        for (key, entry) in snapshots.into_iter().flatten() {
            let entry = entry
                .as_object()
                .ok_or_else(|| bad(format!("snapshots[{key:?}] is not a mapping")))?;
            // The package of a snapshot: its key without the peers.
            if let Some(&i) = by_key.get(key.split('(').next().unwrap_or(key)) {
                by_key.insert(key.clone(), i);
                dep_tables.push((i, entry));
                continue;
            }
            let (name, version) = identity(key, format)
                .ok_or_else(|| bad(format!("snapshots[{key:?}]: not `name@version`")))?;
            // A snapshot of a package `packages` does not list: registry, no hash.
            let i = match by_identity.get(&(name.clone(), version.clone())) {
                Some(&i) => i,
                None => {
                    nodes.push(Node {
                        name: name.clone(),
                        version: version.clone(),
                        source: Source::Registry {
                            url: NPM_REGISTRY.into(),
                        },
                        hashes: Vec::new(),
                        first_party: false,
                        license: Vec::new(),
                    });
                    by_identity.insert((name, version), nodes.len() - 1);
                    nodes.len() - 1
                }
            };
            by_key.insert(key.clone(), i);
            dep_tables.push((i, entry));
        }
    }
    let package_count = nodes.len();
    // Importers: first-party nodes when their package.json names them.
    let importers = importers(doc);
    let mut importer_node: BTreeMap<String, usize> = BTreeMap::new();
    for (path, _) in &importers {
        let path = normalise_path(path);
        let Some(m) = manifests.get(&path).or_else(|| {
            manifests
                .iter()
                .find(|(k, _)| normalise_path(k) == path)
                .map(|(_, m)| m)
        }) else {
            continue;
        };
        let Some(name) = m
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        else {
            continue;
        };
        nodes.push(Node {
            name: name.to_owned(),
            version: m
                .get("version")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            source: Source::Path { path: path.clone() },
            hashes: Vec::new(),
            first_party: true,
            license: m
                .get("license")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .into_iter()
                .collect(),
        });
        importer_node.insert(path, nodes.len() - 1);
    }
    let resolve = |name: &str, r: &str, from_dir: Option<&str>| -> Option<usize> {
        if let Some(link) = r.strip_prefix("link:") {
            let base = from_dir.unwrap_or(".");
            return importer_node
                .get(&normalise_path(&format!("{base}/{link}")))
                .copied();
        }
        by_key.get(&key_of(name, r, format)).copied()
    };
    let mut edges: Vec<Vec<(usize, Scope)>> = vec![Vec::new(); nodes.len()];
    for (i, entry) in &dep_tables {
        for (table, scope) in TABLES {
            for (dep, v) in entry
                .get(table)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Some(j) = reference(v).and_then(|r| resolve(dep, &r, None)) {
                    edges[*i].push((j, scope));
                }
            }
        }
    }
    let mut seeds: Vec<(usize, Scope)> = Vec::new();
    let mut direct = vec![false; nodes.len()];
    for (path, imp) in &importers {
        let dir = normalise_path(path);
        let own = importer_node.get(&dir).copied();
        if let Some(o) = own {
            seeds.push((o, Scope::Runtime));
        }
        for (table, scope) in TABLES {
            for (dep, v) in imp
                .get(table)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let Some(j) = reference(v).and_then(|r| resolve(dep, &r, Some(&dir))) else {
                    continue;
                };
                direct[j] |= j < package_count;
                match own {
                    Some(o) => edges[o].push((j, scope)),
                    None => seeds.push((j, scope)),
                }
            }
        }
    }
    let scopes = graph::spread_scopes_along(&edges, seeds);
    let purls: Vec<_> = nodes
        .iter()
        .map(|n| npm_purl(&n.name, &n.version, &n.source))
        .collect();
    let components = nodes
        .into_iter()
        .enumerate()
        .map(|(i, n)| Component {
            ecosystem: Ecosystem::Npm,
            purl: purls[i].clone(),
            name: n.name,
            version: n.version,
            scope: scopes[i].unwrap_or(Scope::Runtime),
            direct: direct[i],
            first_party: n.first_party,
            source: n.source,
            hashes: n.hashes,
            licenses: n.license,
            dependencies: edges[i]
                .iter()
                .map(|&(j, _)| purls[j].clone())
                .collect::<BTreeSet<_>>(),
        })
        .collect();
    Ok(Project {
        lockfile: shown_as.to_owned(),
        ecosystem: Ecosystem::Npm,
        components: graph::settle(components),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::HashAlg;
    use crate::purl::Purl;

    const SHA512: &str = "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";

    fn v9() -> String {
        format!(
            r#"lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)
      ui:
        specifier: workspace:*
        version: link:packages/ui
      '@types/node':
        specifier: ^20
        version: 20.1.0
    optionalDependencies:
      fsevents:
        specifier: ^2
        version: 2.3.3
    devDependencies:
      tool:
        specifier: github:org/tool
        version: https://codeload.github.com/org/tool/tar.gz/0123456789abcdef
      alias:
        specifier: npm:loose-envify@^1
        version: loose-envify@1.4.0

  packages/ui:
    dependencies:
      react:
        specifier: 18.2.0
        version: 18.2.0

packages:

  '@types/node@20.1.0':
    resolution: {{integrity: {SHA512}}}

  fsevents@2.3.3:
    resolution: {{integrity: {SHA512}}}
    engines: {{node: ^8.16.0 || ^10.6.0 || >=11.0.0}}
    os: [darwin]

  js-tokens@4.0.0:
    resolution: {{integrity: {SHA512}}}

  loose-envify@1.4.0:
    resolution: {{integrity: {SHA512}}}
    hasBin: true

  react-dom@18.2.0:
    resolution: {{integrity: {SHA512}}}
    peerDependencies:
      react: ^18.2.0

  react@18.2.0:
    resolution: {{integrity: {SHA512}}}

  tool@https://codeload.github.com/org/tool/tar.gz/0123456789abcdef:
    resolution: {{tarball: https://codeload.github.com/org/tool/tar.gz/0123456789abcdef}}
    version: 1.0.0

snapshots:

  '@types/node@20.1.0': {{}}

  fsevents@2.3.3:
    optional: true

  js-tokens@4.0.0: {{}}

  loose-envify@1.4.0:
    dependencies:
      js-tokens: 4.0.0

  react-dom@18.2.0(react@18.2.0):
    dependencies:
      loose-envify: 1.4.0
      react: 18.2.0

  react-dom@18.2.0(react@18.3.0): {{}}

  react@18.2.0:
    dependencies:
      loose-envify: 1.4.0

  tool@https://codeload.github.com/org/tool/tar.gz/0123456789abcdef: {{}}
"#
        )
    }

    fn manifests() -> BTreeMap<String, Map<String, Value>> {
        let m = |t: &str| match serde_json::from_str(t) {
            Ok(Value::Object(m)) => m,
            other => panic!("{other:?}"),
        };
        BTreeMap::from([
            (
                ".".to_owned(),
                m(r#"{"name": "web", "version": "1.0.0", "license": "MIT"}"#),
            ),
            (
                "packages/ui".to_owned(),
                m(r#"{"name": "@acme/ui", "version": "0.1.0"}"#),
            ),
        ])
    }

    fn find<'a>(p: &'a Project, purl: &str) -> &'a Component {
        p.expect_component(purl)
    }

    #[test]
    fn v9_importers_snapshots_peers_and_workspace_links() {
        let doc = parse(&v9(), Path::new("pnpm-lock.yaml")).expect("yaml");
        let p = project_from(&doc, &manifests(), Path::new("pnpm-lock.yaml")).expect("parses");
        assert_eq!(p.components.len(), 9);
        let web = find(&p, "pkg:npm/web@1.0.0");
        assert!(web.first_party);
        assert_eq!(web.licenses, vec!["MIT".to_owned()]);
        assert!(
            web.dependencies
                .iter()
                .any(|d| d.as_str() == "pkg:npm/%40acme/ui@0.1.0")
        );
        let ui = find(&p, "pkg:npm/%40acme/ui@0.1.0");
        assert!(ui.first_party && !ui.direct);
        assert_eq!(
            ui.source,
            Source::Path {
                path: "packages/ui".into()
            }
        );
        // One react-dom for both peer sets.
        let dom = find(&p, "pkg:npm/react-dom@18.2.0");
        assert!(dom.direct);
        assert_eq!(dom.hashes[0].alg, HashAlg::Sha512);
        let deps: Vec<&str> = dom.dependencies.iter().map(Purl::as_str).collect();
        assert_eq!(
            deps,
            vec!["pkg:npm/loose-envify@1.4.0", "pkg:npm/react@18.2.0"]
        );
        // loose-envify: through react-dom (runtime) and as the dev alias.
        let envify = find(&p, "pkg:npm/loose-envify@1.4.0");
        assert_eq!(envify.scope, Scope::Runtime);
        assert!(envify.direct, "the alias names it");
        assert_eq!(find(&p, "pkg:npm/js-tokens@4.0.0").scope, Scope::Runtime);
        assert_eq!(find(&p, "pkg:npm/fsevents@2.3.3").scope, Scope::Optional);
        let tool = find(&p, "pkg:npm/tool@1.0.0");
        assert_eq!(tool.scope, Scope::Dev);
        assert!(matches!(&tool.source, Source::Url { url } if url.starts_with("https://codeload")));
        assert_eq!(
            find(&p, "pkg:npm/%40types/node@20.1.0").source,
            Source::Registry {
                url: NPM_REGISTRY.into()
            }
        );
    }

    #[test]
    fn without_manifests_importers_have_no_component() {
        let p = project_from_text(&v9(), Path::new("pnpm-lock.yaml")).expect("parses");
        assert!(p.first_party().next().is_none());
        assert_eq!(p.components.len(), 7);
        assert!(
            find(&p, "pkg:npm/react@18.2.0").direct,
            "packages/ui names it"
        );
        assert_eq!(find(&p, "pkg:npm/tool@1.0.0").scope, Scope::Dev);
    }

    #[test]
    fn v6_and_v5_keys() {
        let v6 = format!(
            r#"lockfileVersion: '6.0'

dependencies:
  react-dom:
    specifier: ^18.2.0
    version: 18.2.0(react@18.2.0)

devDependencies:
  '@babel/core':
    specifier: ^7
    version: 7.24.0

packages:

  /@babel/core@7.24.0:
    resolution: {{integrity: {SHA512}}}
    dev: true

  /react-dom@18.2.0(react@18.2.0):
    resolution: {{integrity: {SHA512}}}
    dependencies:
      react: 18.2.0
    dev: false

  /react@18.2.0:
    resolution: {{integrity: {SHA512}}}
    dev: false
"#
        );
        let p = project_from_text(&v6, Path::new("pnpm-lock.yaml")).expect("v6");
        let got: Vec<(&str, Scope, bool)> = p
            .components
            .iter()
            .map(|c| (c.purl.as_str(), c.scope, c.direct))
            .collect();
        assert_eq!(
            got,
            vec![
                ("pkg:npm/%40babel/core@7.24.0", Scope::Dev, true),
                ("pkg:npm/react-dom@18.2.0", Scope::Runtime, true),
                ("pkg:npm/react@18.2.0", Scope::Runtime, false),
            ]
        );
        let v5 = format!(
            r#"lockfileVersion: 5.4

specifiers:
  react-dom: ^18.2.0

dependencies:
  react-dom: 18.2.0_react@18.2.0

packages:

  /react-dom/18.2.0_react@18.2.0:
    resolution: {{integrity: {SHA512}}}
    dependencies:
      react: 18.2.0
    dev: false

  /react/18.2.0:
    resolution: {{integrity: {SHA512}}}

  github.com/org/tool/0123456789abcdef:
    resolution: {{tarball: https://codeload.github.com/org/tool/tar.gz/0123456789abcdef}}
    name: tool
    version: 1.0.0
"#
        );
        let p = project_from_text(&v5, Path::new("pnpm-lock.yaml")).expect("v5");
        let dom = find(&p, "pkg:npm/react-dom@18.2.0");
        assert!(dom.direct);
        let deps: Vec<&str> = dom.dependencies.iter().map(Purl::as_str).collect();
        assert_eq!(deps, vec!["pkg:npm/react@18.2.0"]);
        find(&p, "pkg:npm/tool@1.0.0");
    }

    #[test]
    fn malformed_lockfiles_are_named() {
        for (text, expect) in [
            ("a: [\n", "not YAML"),
            ("- 1\n", "not a YAML mapping"),
            ("packages: {}\n", "no lockfileVersion"),
            ("lockfileVersion: '3.0'\n", "lockfileVersion 3.0"),
            (
                "lockfileVersion: '9.0'\npackages: 3\n",
                "`packages` is not a mapping",
            ),
            (
                "lockfileVersion: '9.0'\npackages:\n  a@1: 3\n",
                "is not a mapping",
            ),
            (
                "lockfileVersion: '9.0'\npackages:\n  nothing: {}\n",
                "not `name@version`",
            ),
            (
                "lockfileVersion: 5.4\npackages:\n  /x: {}\n",
                "not `name@version`",
            ),
            (
                "lockfileVersion: '9.0'\nsnapshots:\n  b: {}\n",
                "snapshots[\"b\"]",
            ),
        ] {
            let err = project_from_text(text, Path::new("pnpm-lock.yaml")).expect_err(text);
            let s = err.to_string();
            assert!(
                s.starts_with("pnpm-lock.yaml: ") && s.contains(expect),
                "{s}"
            );
        }
    }

    #[test]
    fn a_workspace_on_disk_reads_each_importers_package_json() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("packages/ui")).expect("mkdir");
        std::fs::create_dir_all(root.join("outside")).expect("mkdir");
        std::fs::write(root.join("pnpm-lock.yaml"), v9()).expect("write");
        std::fs::write(
            root.join("package.json"),
            r#"{"name": "web", "version": "1.0.0"}"#,
        )
        .expect("write");
        std::fs::write(
            root.join("packages/ui/package.json"),
            r#"{"name": "@acme/ui", "version": "0.1.0", "license": "Apache-2.0"}"#,
        )
        .expect("write");
        let p = read_project(
            &root.join("pnpm-lock.yaml"),
            Path::new("web/pnpm-lock.yaml"),
        )
        .expect("reads");
        let ui = find(&p, "pkg:npm/%40acme/ui@0.1.0");
        assert!(ui.first_party);
        assert_eq!(ui.licenses, vec!["Apache-2.0".to_owned()]);
        assert!(find(&p, "pkg:npm/web@1.0.0").first_party);
        // An importer outside the lockfile's directory is not read.
        std::fs::create_dir_all(root.join("ws")).expect("mkdir");
        std::fs::write(root.join("outside/package.json"), r#"{"name": "evil"}"#).expect("write");
        let outside = v9().replace("  packages/ui:", "  ../outside:");
        std::fs::write(root.join("ws/pnpm-lock.yaml"), outside).expect("write");
        let p = read_project(&root.join("ws/pnpm-lock.yaml"), Path::new("pnpm-lock.yaml"))
            .expect("reads");
        assert!(p.components.iter().all(|c| c.name != "evil"));
        assert!(p.first_party().next().is_none());
        // A broken package.json is named.
        std::fs::write(root.join("package.json"), "{").expect("write");
        let err = read_project(
            &root.join("pnpm-lock.yaml"),
            Path::new("web/pnpm-lock.yaml"),
        )
        .expect_err("bad package.json");
        assert!(
            err.to_string().starts_with("web/package.json: not JSON"),
            "{err}"
        );
    }

    #[test]
    fn paths_normalise() {
        assert_eq!(normalise_path("./packages/ui/../api"), "packages/api");
        assert_eq!(normalise_path("packages/ui/.."), "packages");
        assert_eq!(normalise_path("./packages/.."), ".");
        assert_eq!(normalise_path("../x"), "../x");
    }
}
