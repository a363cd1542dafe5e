//! Poetry: `poetry.lock`, with the `pyproject.toml` next to it when there is one.
//!
//! Every `[[package]]` is a resolved package with its `files` hashes (or, in lockfiles
//! of Poetry before 1.5, the `[metadata.files]` table), its `[package.dependencies]`
//! (names only: an edge goes to every locked version of the name, since a name is
//! locked twice only for disjoint environment markers) and its `[package.source]` (git,
//! URL, directory or file, or a `legacy` registry). Scopes come from the lockfile when it
//! records them (`groups` since Poetry 2, `category` before 1.5; `optional` for packages
//! only extras pull in); otherwise from the manifest's groups spread through the graph.
//! The manifest (`[tool.poetry]` or PEP 621 `[project]`) gives the project itself, as the
//! first-party component, and its direct dependencies; without it, packages nothing
//! depends on are the direct ones.

use crate::component::{Component, Ecosystem, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::graph;
use crate::python::{PYPI, normalise, pep508_name, prefixed_hash, pypi_purl, pypi_purl_from};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use toml::{Table, Value};

/// Read a project from its `poetry.lock` and the `pyproject.toml` next to it, if any.
///
/// # Errors
/// A file cannot be read or is not what its name says.
pub fn read_project(path: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let text = read_limited(path, "poetry.lock")?;
    let manifest_path = path
        .parent()
        .unwrap_or(Path::new("."))
        .join("pyproject.toml");
    let manifest = if manifest_path.is_file() {
        let shown = shown_as.with_file_name("pyproject.toml");
        let m = read_limited(&manifest_path, "pyproject.toml")?;
        Some(manifest_from_text(&m, &shown)?)
    } else {
        None
    };
    project_from(&text, manifest.as_ref(), shown_as)
}

/// Read a project from the text of a `poetry.lock` alone.
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the text is not a poetry.lock.
pub fn project_from_text(text: &str, shown_as: &Path) -> Result<Project, SbomError> {
    project_from(text, None, shown_as)
}

/// What `pyproject.toml` says about the project.
#[derive(Debug, Default)]
pub(crate) struct Manifest {
    pub(crate) name: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) license: Option<String>,
    /// Normalised names of direct dependencies, with how the project uses each.
    pub(crate) wants: Vec<(String, Scope)>,
}

/// Read `pyproject.toml`: PEP 621 `[project]` (dependencies, optional dependencies),
/// PEP 735 `[dependency-groups]` and Poetry's `[tool.poetry]` (dependencies, the old
/// `dev-dependencies`, groups: every group but `main` is for development).
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the text is not TOML.
pub(crate) fn manifest_from_text(text: &str, shown_as: &Path) -> Result<Manifest, SbomError> {
    let doc: Table = toml::from_str(text).map_err(|e| {
        SbomError::malformed(shown_as, format!("not a pyproject.toml: {}", e.message()))
    })?;
    let mut m = Manifest::default();
    let text_of = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let license_of = |v: Option<&Value>| match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Table(t)) => text_of(t.get("text")),
        _ => None,
    };
    let pep508 = |v: Option<&Value>, scope: Scope, wants: &mut Vec<(String, Scope)>| {
        for r in v.and_then(Value::as_array).into_iter().flatten() {
            if let Some(n) = r.as_str().and_then(pep508_name) {
                wants.push((normalise(n), scope));
            }
        }
    };
    if let Some(p) = doc.get("project").and_then(Value::as_table) {
        m.name = text_of(p.get("name"));
        m.version = text_of(p.get("version"));
        m.license = license_of(p.get("license"));
        pep508(p.get("dependencies"), Scope::Runtime, &mut m.wants);
        for extra in p
            .get("optional-dependencies")
            .and_then(Value::as_table)
            .into_iter()
            .flat_map(Table::values)
        {
            pep508(Some(extra), Scope::Optional, &mut m.wants);
        }
    }
    for group in doc
        .get("dependency-groups")
        .and_then(Value::as_table)
        .into_iter()
        .flat_map(Table::values)
    {
        pep508(Some(group), Scope::Dev, &mut m.wants);
    }
    let poetry = doc
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(Value::as_table);
    if let Some(p) = poetry {
        m.name = m.name.or_else(|| text_of(p.get("name")));
        m.version = m.version.or_else(|| text_of(p.get("version")));
        m.license = m.license.or_else(|| license_of(p.get("license")));
        let table = |t: Option<&Value>, scope: Scope, wants: &mut Vec<(String, Scope)>| {
            for (name, spec) in t.and_then(Value::as_table).into_iter().flatten() {
                if name.eq_ignore_ascii_case("python") {
                    continue;
                }
                let optional = spec.get("optional").and_then(Value::as_bool) == Some(true);
                let s = if optional && scope == Scope::Runtime {
                    Scope::Optional
                } else {
                    scope
                };
                wants.push((normalise(name), s));
            }
        };
        table(p.get("dependencies"), Scope::Runtime, &mut m.wants);
        table(p.get("dev-dependencies"), Scope::Dev, &mut m.wants);
        for (g, group) in p
            .get("group")
            .and_then(Value::as_table)
            .into_iter()
            .flatten()
        {
            let scope = if g == "main" {
                Scope::Runtime
            } else {
                Scope::Dev
            };
            table(group.get("dependencies"), scope, &mut m.wants);
        }
    }
    Ok(m)
}

/// One locked package.
struct Locked<'a> {
    name: String,
    version: &'a str,
    table: &'a Table,
}

fn project_from(
    text: &str,
    manifest: Option<&Manifest>,
    shown_as: &Path,
) -> Result<Project, SbomError> {
    let bad = |m: String| SbomError::malformed(shown_as, m);
    let doc: Table =
        toml::from_str(text).map_err(|e| bad(format!("not a poetry.lock: {}", e.message())))?;
    let metadata = doc
        .get("metadata")
        .and_then(Value::as_table)
        .ok_or_else(|| bad("no [metadata] table: not a poetry.lock".into()))?;
    if let Some(v) = metadata.get("lock-version") {
        let v = v.as_str().unwrap_or_default();
        if !(v.starts_with("1.") || v.starts_with("2.")) {
            return Err(bad(format!(
                "lock-version {v:?} is not one custody reads (1.x, 2.x)"
            )));
        }
    }
    let packages: &[Value] = match doc.get("package") {
        None => &[],
        Some(Value::Array(a)) => a,
        Some(_) => return Err(bad("`package` is not an array of tables".into())),
    };
    let mut locked = Vec::with_capacity(packages.len());
    for (i, p) in packages.iter().enumerate() {
        let at = |m: &str| bad(format!("package {}: {m}", i + 1));
        let table = p.as_table().ok_or_else(|| at("not a table"))?;
        let name = table
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| pep508_name(n) == Some(*n))
            .ok_or_else(|| at("no package name"))?;
        let version = table
            .get("version")
            .and_then(Value::as_str)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| at(&format!("{name} has no version")))?;
        locked.push(Locked {
            name: normalise(name),
            version,
            table,
        });
    }
    // Poetry before 1.5: `[metadata.files]`, name → [{file, hash}].
    let old_files: BTreeMap<String, &Value> = metadata
        .get("files")
        .and_then(Value::as_table)
        .map(|t| t.iter().map(|(k, v)| (normalise(k), v)).collect())
        .unwrap_or_default();

    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in locked.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    let lookup = |name: &str| by_name.get(normalise(name).as_str()).cloned();
    let edges: Vec<Vec<usize>> = locked
        .iter()
        .map(|p| {
            p.table
                .get("dependencies")
                .and_then(Value::as_table)
                .into_iter()
                .flat_map(Table::keys)
                .filter_map(|d| lookup(d))
                .flatten()
                .collect()
        })
        .collect();

    let mut direct = vec![false; locked.len()];
    let mut seeds: BTreeMap<Scope, Vec<usize>> = BTreeMap::new();
    match manifest {
        Some(m) => {
            for (name, scope) in &m.wants {
                for i in lookup(name).unwrap_or_default() {
                    direct[i] = true;
                    seeds.entry(*scope).or_default().push(i);
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
    let spread = graph::spread_scopes(&edges, seeds);

    let sources: Vec<Source> = locked.iter().map(|p| source_of(p.table)).collect();
    let purls: Vec<_> = locked
        .iter()
        .zip(&sources)
        .map(|(p, s)| pypi_purl_from(&p.name, p.version, s))
        .collect();
    let mut components: Vec<Component> = Vec::with_capacity(locked.len() + 1);
    for (i, p) in locked.iter().enumerate() {
        let files = p
            .table
            .get("files")
            .or_else(|| old_files.get(&p.name).copied());
        let hashes = files
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|f| f.get("hash").and_then(Value::as_str))
            .filter_map(prefixed_hash)
            .collect();
        let mut scope = lock_scope(p.table).or(spread[i]).unwrap_or(Scope::Runtime);
        if scope == Scope::Runtime && p.table.get("optional").and_then(Value::as_bool) == Some(true)
        {
            scope = Scope::Optional;
        }
        components.push(Component {
            ecosystem: Ecosystem::PyPI,
            name: p.name.clone(),
            version: p.version.to_owned(),
            purl: purls[i].clone(),
            scope,
            direct: direct[i],
            first_party: false,
            source: sources[i].clone(),
            hashes,
            licenses: Vec::new(),
            dependencies: edges[i].iter().map(|&j| purls[j].clone()).collect(),
        });
    }
    if let Some(m) = manifest
        && let Some(name) = m.name.as_deref().and_then(pep508_name)
    {
        let version = m.version.clone().unwrap_or_default();
        let source = Source::Path { path: ".".into() };
        let dependencies = m
            .wants
            .iter()
            .filter_map(|(n, _)| lookup(n))
            .flatten()
            .map(|j| purls[j].clone())
            .collect();
        components.push(Component {
            ecosystem: Ecosystem::PyPI,
            name: normalise(name),
            purl: pypi_purl(name, &version, None, &source),
            version,
            scope: Scope::Runtime,
            direct: false,
            first_party: true,
            source,
            hashes: Vec::new(),
            licenses: m.license.iter().cloned().collect(),
            dependencies,
        });
    }
    Ok(Project {
        lockfile: shown_as.to_owned(),
        ecosystem: Ecosystem::PyPI,
        components: graph::settle(components),
    })
}

/// The scope the lockfile records: `groups` (Poetry 2) or `category` (before 1.5).
fn lock_scope(p: &Table) -> Option<Scope> {
    if let Some(groups) = p.get("groups").and_then(Value::as_array) {
        if groups.iter().any(|g| g.as_str() == Some("main")) {
            return Some(Scope::Runtime);
        }
        return (!groups.is_empty()).then_some(Scope::Dev);
    }
    match p.get("category").and_then(Value::as_str) {
        Some("main") => Some(Scope::Runtime),
        Some(_) => Some(Scope::Dev),
        None => None,
    }
}

fn source_of(p: &Table) -> Source {
    let Some(s) = p.get("source").and_then(Value::as_table) else {
        return Source::Registry { url: PYPI.into() };
    };
    let Some(url) = s.get("url").and_then(Value::as_str).map(str::to_owned) else {
        return Source::Unknown;
    };
    let field = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_owned);
    match s.get("type").and_then(Value::as_str).unwrap_or_default() {
        "git" => Source::Git {
            url,
            rev: field("resolved_reference").or_else(|| field("reference")),
        },
        "directory" | "file" => Source::Path { path: url },
        "legacy" => Source::Registry { url },
        _ => Source::Url { url },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::HashAlg;
    use crate::purl::Purl;

    const H1: &str = "sha256:0a4e2a2b1d4e2dbd2e1d0b8b3b3a5cb3e2a6e0dfe4b63f8f5e0c7c6e6d3b2a10";
    const H2: &str = "sha256:1b4e2a2b1d4e2dbd2e1d0b8b3b3a5cb3e2a6e0dfe4b63f8f5e0c7c6e6d3b2a11";

    fn lock() -> String {
        format!(
            r#"
[[package]]
name = "Requests"
version = "2.31.0"
optional = false
python-versions = ">=3.7"
files = [
    {{file = "requests-2.31.0-py3-none-any.whl", hash = "{H1}"}},
    {{file = "requests-2.31.0.tar.gz", hash = "{H2}"}},
    {{file = "requests-2.31.0.zip", hash = "md5:00"}},
]

[package.dependencies]
certifi = ">=2017.4.17"
urllib3 = {{version = ">=1.21.1,<3", markers = "python_version >= '3.7'"}}

[[package]]
name = "certifi"
version = "2024.2.2"
optional = false
python-versions = ">=3.6"
files = []

[[package]]
name = "urllib3"
version = "2.2.1"
optional = false
python-versions = ">=3.8"
files = []

[[package]]
name = "pytest"
version = "8.0.0"
optional = false
python-versions = ">=3.8"
files = []

[package.dependencies]
urllib3 = "*"

[[package]]
name = "tool"
version = "0.1.0"
optional = true
python-versions = "*"
files = []

[package.source]
type = "git"
url = "https://github.com/org/tool.git"
reference = "main"
resolved_reference = "0123456789abcdef0123456789abcdef01234567"

[[package]]
name = "internal"
version = "1.0.0"
optional = false
python-versions = "*"
files = []

[package.source]
type = "legacy"
url = "https://pypi.example.com/simple"
reference = "corp"

[[package]]
name = "local"
version = "0.0.1"
optional = false
python-versions = "*"
files = []

[package.source]
type = "directory"
url = "../local"

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
content-hash = "abc"
"#
        )
    }

    const PYPROJECT: &str = r#"
[tool.poetry]
name = "My_App"
version = "0.3.0"
license = "MIT"

[tool.poetry.dependencies]
python = "^3.11"
requests = "^2.31"
tool = {git = "https://github.com/org/tool.git", optional = true}
internal = {version = "^1", source = "corp"}
local = {path = "../local"}

[tool.poetry.group.test.dependencies]
pytest = "^8"
"#;

    fn find<'a>(p: &'a Project, purl: &str) -> &'a Component {
        p.expect_component(purl)
    }

    #[test]
    fn a_lockfile_with_its_manifest_gives_the_project_scopes_and_sources() {
        let m = manifest_from_text(PYPROJECT, Path::new("pyproject.toml")).expect("manifest");
        let p = project_from(&lock(), Some(&m), Path::new("poetry.lock")).expect("parses");
        assert_eq!(p.components.len(), 8);
        let app = find(&p, "pkg:pypi/my-app@0.3.0");
        assert!(app.first_party);
        assert_eq!(app.licenses, vec!["MIT".to_owned()]);
        assert_eq!(app.dependencies.len(), 5, "every group, dev included");
        let requests = find(&p, "pkg:pypi/requests@2.31.0");
        assert!(requests.direct);
        assert_eq!(requests.scope, Scope::Runtime);
        assert_eq!(requests.hashes.len(), 2, "md5 is not kept");
        assert_eq!(requests.hashes[0].alg, HashAlg::Sha256);
        let deps: Vec<&str> = requests.dependencies.iter().map(Purl::as_str).collect();
        assert_eq!(
            deps,
            vec!["pkg:pypi/certifi@2024.2.2", "pkg:pypi/urllib3@2.2.1"]
        );
        // urllib3 is reached from requests (runtime) and from pytest (dev).
        let urllib3 = find(&p, "pkg:pypi/urllib3@2.2.1");
        assert_eq!(urllib3.scope, Scope::Runtime);
        assert!(!urllib3.direct);
        let pytest = find(&p, "pkg:pypi/pytest@8.0.0");
        assert_eq!(pytest.scope, Scope::Dev);
        assert!(pytest.direct);
        let tool = p
            .components
            .iter()
            .find(|c| c.name == "tool")
            .expect("git package");
        assert_eq!(tool.scope, Scope::Optional);
        assert!(matches!(&tool.source, Source::Git { rev: Some(r), .. } if r.starts_with("0123")));
        assert!(tool.purl.as_str().contains("vcs_url=git%2Bhttps"));
        let internal = p
            .components
            .iter()
            .find(|c| c.name == "internal")
            .expect("private index");
        assert!(internal.purl.as_str().contains("repository_url="));
        assert_eq!(
            internal.source,
            Source::Registry {
                url: "https://pypi.example.com/simple".into()
            }
        );
        assert_eq!(
            find(&p, "pkg:pypi/local@0.0.1").source,
            Source::Path {
                path: "../local".into()
            }
        );
    }

    #[test]
    fn without_a_manifest_roots_are_direct_and_lock_groups_give_scopes() {
        let text = r#"
[[package]]
name = "a"
version = "1.0"
groups = ["main"]
files = [{file = "a-1.0.tar.gz", hash = "sha256:0a4e2a2b1d4e2dbd2e1d0b8b3b3a5cb3e2a6e0dfe4b63f8f5e0c7c6e6d3b2a10"}]
[package.dependencies]
b = "*"
[[package]]
name = "b"
version = "2.0"
groups = ["main", "dev"]
[[package]]
name = "c"
version = "3.0"
category = "dev"
[metadata]
lock-version = "2.1"
"#;
        let p = project_from_text(text, Path::new("poetry.lock")).expect("parses");
        let got: Vec<(&str, Scope, bool)> = p
            .components
            .iter()
            .map(|c| (c.purl.as_str(), c.scope, c.direct))
            .collect();
        assert_eq!(
            got,
            vec![
                ("pkg:pypi/a@1.0", Scope::Runtime, true),
                ("pkg:pypi/b@2.0", Scope::Runtime, false),
                ("pkg:pypi/c@3.0", Scope::Dev, true),
            ]
        );
        assert!(p.first_party().next().is_none());
    }

    #[test]
    fn old_lockfiles_keep_hashes_in_metadata_files() {
        let text = r#"
[[package]]
name = "six"
version = "1.16.0"
category = "main"
optional = false
[metadata]
lock-version = "1.1"
[metadata.files]
six = [{file = "six-1.16.0.tar.gz", hash = "sha256:1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"}]
"#;
        let p = project_from_text(text, Path::new("poetry.lock")).expect("parses");
        assert_eq!(p.components[0].hashes.len(), 1);
    }

    #[test]
    fn malformed_lockfiles_are_named() {
        for (text, expect) in [
            ("[[package]\n", "not a poetry.lock"),
            (
                "[[package]]\nname = \"a\"\nversion = \"1\"\n",
                "no [metadata]",
            ),
            ("package = 3\n[metadata]\n", "not an array"),
            (
                "[[package]]\nversion = \"1\"\n[metadata]\n",
                "package 1: no package name",
            ),
            (
                "[[package]]\nname = \"a\"\n[metadata]\n",
                "a has no version",
            ),
            (
                "[metadata]\nlock-version = \"9.0\"\n",
                "lock-version \"9.0\"",
            ),
        ] {
            let err = project_from_text(text, Path::new("sub/poetry.lock")).expect_err(text);
            let s = err.to_string();
            assert!(
                s.starts_with("sub/poetry.lock: ") && s.contains(expect),
                "{s}"
            );
        }
    }
}
