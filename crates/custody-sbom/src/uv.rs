//! uv: `uv.lock` (lock version 1, every revision so far).
//!
//! Each `[[package]]` has its `source` (a registry, git with the commit after `#`, a URL,
//! a path or directory, or `editable`/`virtual` for the project and its workspace
//! members, which are first-party), the `sdist` and `wheels` hashes, and its
//! `dependencies`, `optional-dependencies` (per extra) and, for first-party packages,
//! `dev-dependencies` (per group). A dependency names a package, and its version and
//! source when the name is locked more than once; `extra = [...]` turns on the extras'
//! dependencies of the package it names. Scopes spread from the first-party packages:
//! their dependencies are runtime, their extras optional, their groups dev.

use crate::component::{Component, Ecosystem, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::graph;
use crate::python::{normalise, pep508_name, prefixed_hash, pypi_purl_from};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use toml::{Table, Value};

/// Read a project from its `uv.lock`.
///
/// # Errors
/// The file cannot be read or is not a uv.lock.
pub fn read_project(path: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let text = read_limited(path, "uv.lock")?;
    project_from_text(&text, shown_as)
}

/// One locked package.
struct Locked<'a> {
    name: String,
    version: &'a str,
    source: Option<&'a Table>,
    table: &'a Table,
}

/// Read a project from the text of a `uv.lock`.
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the text is not a uv.lock.
pub fn project_from_text(text: &str, shown_as: &Path) -> Result<Project, SbomError> {
    let bad = |m: String| SbomError::malformed(shown_as, m);
    let doc: Table =
        toml::from_str(text).map_err(|e| bad(format!("not a uv.lock: {}", e.message())))?;
    match doc.get("version").and_then(Value::as_integer) {
        Some(1) => {}
        Some(v) => {
            return Err(bad(format!(
                "lock version {v} is not one custody reads (1)"
            )));
        }
        None => return Err(bad("no lock `version`: not a uv.lock".into())),
    }
    let packages: &[Value] = match doc.get("package") {
        None => &[],
        Some(Value::Array(a)) => a,
        Some(_) => return Err(bad("`package` is not an array of tables".into())),
    };
    let members: BTreeSet<String> = doc
        .get("manifest")
        .and_then(|m| m.get("members"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(normalise)
        .collect();
    let mut locked = Vec::with_capacity(packages.len());
    for (i, p) in packages.iter().enumerate() {
        let at = |m: &str| bad(format!("package {}: {m}", i + 1));
        let table = p.as_table().ok_or_else(|| at("not a table"))?;
        let name = table
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| pep508_name(n) == Some(*n))
            .ok_or_else(|| at("no package name"))?;
        let source = match table.get("source") {
            None => None,
            Some(Value::Table(t)) => Some(t),
            Some(_) => return Err(at(&format!("{name}: `source` is not a table"))),
        };
        let first_party = is_first_party(source) || members.contains(&normalise(name));
        let version = match table.get("version").and_then(Value::as_str) {
            Some(v) if !v.trim().is_empty() => v,
            // Projects with a dynamic version have none in the lockfile.
            _ if first_party => "",
            _ => return Err(at(&format!("{name} has no version"))),
        };
        locked.push(Locked {
            name: normalise(name),
            version,
            source,
            table,
        });
    }

    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in locked.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    // A dependency entry → the packages it names, and the extras it turns on.
    let resolve = |dep: &Value| -> (Vec<usize>, Vec<String>) {
        let Some(name) = dep.get("name").and_then(Value::as_str) else {
            return (Vec::new(), Vec::new());
        };
        let version = dep.get("version").and_then(Value::as_str);
        let source = dep.get("source").and_then(Value::as_table);
        let found = by_name
            .get(normalise(name).as_str())
            .into_iter()
            .flatten()
            .copied()
            .filter(|&j| {
                version.is_none_or(|v| locked[j].version == v)
                    && source.is_none_or(|s| locked[j].source == Some(s))
            })
            .collect();
        let extras = dep
            .get("extra")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        (found, extras)
    };
    // What a list of dependency entries turns on: the packages it names (`true`), and the
    // dependencies of the extras it asks of them (`false`: the edge is the package's own,
    // but the scope comes from whoever asks).
    let reach = |deps: &[&Value]| -> Vec<(usize, bool)> {
        let mut out = Vec::new();
        for d in deps {
            let (found, extras) = resolve(d);
            for &j in &found {
                let optional = locked[j]
                    .table
                    .get("optional-dependencies")
                    .and_then(Value::as_table);
                for e in &extras {
                    for od in entries(optional.and_then(|o| o.get(e))) {
                        out.extend(resolve(od).0.into_iter().map(|k| (k, false)));
                    }
                }
            }
            out.extend(found.into_iter().map(|j| (j, true)));
        }
        out
    };
    let named = |r: &[(usize, bool)]| -> Vec<usize> {
        r.iter().filter(|(_, n)| *n).map(|&(j, _)| j).collect()
    };
    let first_party: Vec<bool> = locked
        .iter()
        .map(|p| is_first_party(p.source) || members.contains(&p.name))
        .collect();
    let runtime_reach: Vec<Vec<(usize, bool)>> = locked
        .iter()
        .map(|p| reach(&entries(p.table.get("dependencies"))))
        .collect();
    let runtime_edges: Vec<Vec<usize>> = runtime_reach
        .iter()
        .map(|r| r.iter().map(|&(j, _)| j).collect())
        .collect();
    let mut seeds: BTreeMap<Scope, Vec<usize>> = BTreeMap::new();
    let mut direct = vec![false; locked.len()];
    let mut all_edges: Vec<Vec<usize>> = runtime_reach.iter().map(|r| named(r)).collect();
    for (i, p) in locked.iter().enumerate() {
        let optional = reach(&groups(p.table, "optional-dependencies"));
        let dev = if first_party[i] {
            reach(&groups(p.table, "dev-dependencies"))
        } else {
            Vec::new()
        };
        if first_party[i] {
            for (scope, targets) in [
                (Scope::Runtime, &runtime_reach[i]),
                (Scope::Optional, &optional),
                (Scope::Dev, &dev),
            ] {
                for &(j, is_named) in targets {
                    direct[j] |= is_named && !first_party[j];
                    seeds.entry(scope).or_default().push(j);
                }
            }
        }
        all_edges[i].extend(named(&optional));
        all_edges[i].extend(named(&dev));
    }
    for (i, fp) in first_party.iter().enumerate() {
        if *fp {
            seeds.entry(Scope::Runtime).or_default().push(i);
        }
    }
    let scopes = graph::spread_scopes(&runtime_edges, seeds);

    let sources: Vec<Source> = locked.iter().map(|p| source_of(p.source)).collect();
    let purls: Vec<_> = locked
        .iter()
        .zip(&sources)
        .map(|(p, s)| pypi_purl_from(&p.name, p.version, s))
        .collect();
    let components = locked
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let sdist = p.table.get("sdist").into_iter();
            let wheels = p
                .table
                .get("wheels")
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            Component {
                ecosystem: Ecosystem::PyPI,
                name: p.name.clone(),
                version: p.version.to_owned(),
                purl: purls[i].clone(),
                scope: scopes[i].unwrap_or(Scope::Runtime),
                direct: direct[i],
                first_party: first_party[i],
                source: sources[i].clone(),
                hashes: sdist
                    .chain(wheels)
                    .filter_map(|f| f.get("hash").and_then(Value::as_str))
                    .filter_map(prefixed_hash)
                    .collect(),
                licenses: Vec::new(),
                dependencies: all_edges[i].iter().map(|&j| purls[j].clone()).collect(),
            }
        })
        .collect();
    Ok(Project {
        lockfile: shown_as.to_owned(),
        ecosystem: Ecosystem::PyPI,
        components: graph::settle(components),
    })
}

/// The entries of a dependency list.
fn entries(v: Option<&Value>) -> Vec<&Value> {
    v.and_then(Value::as_array).into_iter().flatten().collect()
}

/// The entries of every list of a table of lists (extras, groups).
fn groups<'a>(t: &'a Table, key: &str) -> Vec<&'a Value> {
    t.get(key)
        .and_then(Value::as_table)
        .into_iter()
        .flat_map(Table::values)
        .flat_map(|g| entries(Some(g)))
        .collect()
}

/// The project and workspace members: `editable` or `virtual` sources.
fn is_first_party(source: Option<&Table>) -> bool {
    source.is_some_and(|s| s.contains_key("editable") || s.contains_key("virtual"))
}

fn source_of(source: Option<&Table>) -> Source {
    let Some(s) = source else {
        return Source::Unknown;
    };
    let field = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_owned);
    if let Some(url) = field("registry") {
        return Source::Registry { url };
    }
    if let Some(git) = field("git") {
        // `https://host/repo?rev=main#<commit>`
        let (rest, commit) = match git.split_once('#') {
            Some((r, c)) => (r, Some(c.to_owned())),
            None => (git.as_str(), None),
        };
        let (url, query) = rest.split_once('?').unwrap_or((rest, ""));
        let named = query.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            matches!(k, "rev" | "tag" | "branch").then(|| v.to_owned())
        });
        return Source::Git {
            url: url.to_owned(),
            rev: commit.or(named),
        };
    }
    if let Some(url) = field("url") {
        return Source::Url { url };
    }
    match ["editable", "virtual", "path", "directory"]
        .iter()
        .find_map(|k| field(k))
    {
        Some(path) => Source::Path { path },
        None => Source::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::HashAlg;
    use crate::purl::Purl;

    const LOCK: &str = r#"
version = 1
revision = 2
requires-python = ">=3.10"

[manifest]
members = ["app", "lib"]

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "lib" },
    { name = "httpx", extra = ["http2"] },
]

[package.optional-dependencies]
cli = [{ name = "click" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "lib"
source = { editable = "packages/lib" }
dependencies = [{ name = "idna", version = "3.7", source = { registry = "https://pypi.org/simple" } }]

[[package]]
name = "httpx"
version = "0.27.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "idna", version = "3.7", source = { registry = "https://pypi.org/simple" } }]
sdist = { url = "https://files.example/httpx-0.27.0.tar.gz", hash = "sha256:a0cb88a46f32dc874e04ee956e4c2764aba2aa228f650b06788ba6bda2962ab5", size = 1 }
wheels = [{ url = "https://files.example/httpx-0.27.0-py3-none-any.whl", hash = "sha256:71d5465162c13681bff01ad59b2cc68dd838ea1f10e51574bac27103f00c91a5", size = 1 }]

[package.optional-dependencies]
http2 = [{ name = "h2" }]
brotli = [{ name = "brotli" }]

[[package]]
name = "h2"
version = "4.1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "brotli"
version = "1.1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "idna"
version = "3.7"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "idna"
version = "2.10"
source = { registry = "https://private.example/simple" }

[[package]]
name = "click"
version = "8.1.7"
source = { git = "https://github.com/pallets/click?tag=8.1.7#0123456789abcdef0123456789abcdef01234567" }

[[package]]
name = "pytest"
version = "8.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "click" }]
"#;

    fn find<'a>(p: &'a Project, purl: &str) -> &'a Component {
        p.expect_component(purl)
    }

    #[test]
    fn members_extras_groups_and_sources() {
        let p = project_from_text(LOCK, Path::new("uv.lock")).expect("parses");
        assert_eq!(p.components.len(), 9);
        let app = find(&p, "pkg:pypi/app@0.1.0");
        assert!(app.first_party && !app.direct);
        let lib = find(&p, "pkg:pypi/lib");
        assert!(lib.first_party, "a workspace member without a version");
        assert_eq!(
            lib.source,
            Source::Path {
                path: "packages/lib".into()
            }
        );
        let httpx = find(&p, "pkg:pypi/httpx@0.27.0");
        assert!(httpx.direct);
        assert_eq!(httpx.hashes.len(), 2);
        assert_eq!(httpx.hashes[0].alg, HashAlg::Sha256);
        let deps: Vec<&str> = httpx.dependencies.iter().map(Purl::as_str).collect();
        assert_eq!(
            deps,
            vec![
                "pkg:pypi/brotli@1.1.0",
                "pkg:pypi/h2@4.1.0",
                "pkg:pypi/idna@3.7"
            ]
        );
        // The extra app asks for is runtime; the one nobody asks for is not reached.
        assert_eq!(find(&p, "pkg:pypi/h2@4.1.0").scope, Scope::Runtime);
        assert!(!find(&p, "pkg:pypi/h2@4.1.0").direct);
        assert!(
            !find(&p, "pkg:pypi/app@0.1.0")
                .dependencies
                .iter()
                .any(|d| d.as_str() == "pkg:pypi/h2@4.1.0"),
            "h2 is httpx's dependency, turned on by app"
        );
        // idna 3.7 is reached from lib and from httpx; the other idna by nothing.
        assert_eq!(find(&p, "pkg:pypi/idna@3.7").scope, Scope::Runtime);
        assert!(find(&p, "pkg:pypi/idna@3.7").direct, "lib names it");
        let other = find(
            &p,
            "pkg:pypi/idna@2.10?repository_url=https:%2F%2Fprivate.example%2Fsimple",
        );
        assert_eq!(other.scope, Scope::Runtime, "unreached counts as runtime");
        let click = p
            .components
            .iter()
            .find(|c| c.name == "click")
            .expect("click");
        assert_eq!(
            click.scope,
            Scope::Optional,
            "the cli extra beats pytest's dev"
        );
        assert!(
            matches!(&click.source, Source::Git { url, rev: Some(r) } if url == "https://github.com/pallets/click" && r.starts_with("0123"))
        );
        let pytest = find(&p, "pkg:pypi/pytest@8.0.0");
        assert_eq!(pytest.scope, Scope::Dev);
        assert!(pytest.direct);
    }

    #[test]
    fn malformed_lockfiles_are_named() {
        for (text, expect) in [
            ("version = ", "not a uv.lock"),
            ("[[package]]\nname = \"a\"\n", "no lock `version`"),
            ("version = 2\n", "lock version 2"),
            ("version = 1\npackage = 1\n", "not an array"),
            (
                "version = 1\n[[package]]\nversion = \"1\"\n",
                "package 1: no package name",
            ),
            (
                "version = 1\n[[package]]\nname = \"a\"\nsource = { registry = \"x\" }\n",
                "a has no version",
            ),
            (
                "version = 1\n[[package]]\nname = \"a\"\nversion = \"1\"\nsource = 3\n",
                "not a table",
            ),
        ] {
            let err = project_from_text(text, Path::new("uv.lock")).expect_err(text);
            let s = err.to_string();
            assert!(s.starts_with("uv.lock: ") && s.contains(expect), "{s}");
        }
    }
}
