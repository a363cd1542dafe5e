//! Cargo: `Cargo.lock` for the resolved graph and checksums, the workspace's
//! `Cargo.toml` files for which packages are the project's own and how each direct
//! dependency is used (normal, optional, build, dev).
//!
//! Cargo.lock formats 1 to 4 are read: format 1 keeps checksums in a `[metadata]` table,
//! later ones on each package; a dependency is written as `name`, `name version` or
//! `name version (source)`, as much as it takes to be unambiguous.

use crate::component::{Component, Ecosystem, Hash, HashAlg, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::purl::Purl;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

const CRATES_IO: [&str; 2] = [
    "https://github.com/rust-lang/crates.io-index",
    "https://index.crates.io/",
];

/// `Cargo.lock` as written by cargo.
#[derive(Debug, PartialEq, Eq, serde::Deserialize)]
pub struct LockFile {
    /// Format version (absent for formats 1 and 2).
    pub version: Option<u32>,
    /// The resolved packages.
    #[serde(default)]
    pub package: Vec<LockPackage>,
    /// Format 1: `"checksum NAME VERSION (SOURCE)" = "HEX"`.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// One `[[package]]` of a lockfile.
#[derive(Debug, PartialEq, Eq, serde::Deserialize)]
pub struct LockPackage {
    /// Package name.
    pub name: String,
    /// Exact version.
    pub version: String,
    /// `registry+URL`, `sparse+URL`, `git+URL?…#REV`; absent for path packages.
    pub source: Option<String>,
    /// SHA-256 of the `.crate` file (registry packages).
    pub checksum: Option<String>,
    /// `name`, `name version` or `name version (source)`.
    #[serde(default)]
    pub dependencies: Vec<String>,
}

/// Parse the text of a `Cargo.lock`.
///
/// # Errors
/// [`SbomError::Malformed`] naming `path` when the text is not a lockfile.
pub fn parse_lockfile(text: &str, path: &Path) -> Result<LockFile, SbomError> {
    let lock: LockFile = match parse_as_cargo_writes(text) {
        Some(lock) => lock,
        None => toml::from_str(text).map_err(|e| {
            SbomError::malformed(path, format!("not a Cargo.lock: {}", e.message()))
        })?,
    };
    if let Some(v) = lock.version
        && !(1..=4).contains(&v)
    {
        return Err(SbomError::malformed(
            path,
            format!("Cargo.lock format version {v} is not one custody reads (1 to 4)"),
        ));
    }
    Ok(lock)
}

/// Read a lockfile in the one shape cargo writes it (a `version` line, `[[package]]`
/// tables of plain strings with one dependency per line, format 1's `[metadata]`): a
/// line-by-line reading several times faster than a general TOML parser, which matters
/// for monorepos of large lockfiles. Anything else (comments aside), including every
/// error, gives `None`, and the TOML parser reads the file instead, so the answer is
/// always the TOML parser's.
#[doc(hidden)] // public for the fuzz target that holds it to the TOML parser's answers
pub fn parse_as_cargo_writes(text: &str) -> Option<LockFile> {
    #[derive(PartialEq)]
    enum Section {
        Top,
        Package,
        Metadata,
    }
    #[derive(Default)]
    struct Building {
        name: Option<String>,
        version: Option<String>,
        source: Option<String>,
        checksum: Option<String>,
        dependencies: Option<Vec<String>>,
    }
    fn set(slot: &mut Option<String>, value: &str) -> Option<()> {
        if slot.is_some() {
            return None; // a duplicate key: TOML says it is an error
        }
        *slot = Some(plain_string(value)?);
        Some(())
    }
    fn finish(b: Building, out: &mut Vec<LockPackage>) -> Option<()> {
        out.push(LockPackage {
            name: b.name?,
            version: b.version?,
            source: b.source,
            checksum: b.checksum,
            dependencies: b.dependencies.unwrap_or_default(),
        });
        Some(())
    }
    let mut lock = LockFile {
        version: None,
        package: Vec::new(),
        metadata: BTreeMap::new(),
    };
    let mut section = Section::Top;
    let mut current: Option<Building> = None;
    let mut in_dependencies = false;
    let mut seen_metadata = false;
    // `lines` ends lines at `\n` and `\r\n` as TOML does; a lone `\r` stays in the line
    // and fails it.
    for line in text.lines() {
        if in_dependencies {
            if line == "]" {
                in_dependencies = false;
                continue;
            }
            let item = line.strip_prefix(' ')?.strip_suffix(',')?;
            let deps = current.as_mut()?.dependencies.as_mut()?;
            deps.push(plain_string(item)?);
            continue;
        }
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if comment.chars().any(|c| c.is_control() && c != '\t') {
                return None;
            }
            continue;
        }
        if line.starts_with('[') {
            if let Some(b) = current.take() {
                finish(b, &mut lock.package)?;
            }
            section = match line {
                "[[package]]" => {
                    current = Some(Building::default());
                    Section::Package
                }
                "[metadata]" if !seen_metadata => {
                    seen_metadata = true;
                    Section::Metadata
                }
                _ => return None,
            };
            continue;
        }
        let (key, value) = line.split_once(" = ")?;
        match section {
            Section::Top => {
                if key != "version" || lock.version.is_some() {
                    return None;
                }
                // Digits only, no leading zero: TOML's decimal integers (`+4`, `04`, `0x4`
                // and `4_0` are left to the TOML parser).
                if value.is_empty()
                    || !value.bytes().all(|b| b.is_ascii_digit())
                    || (value.len() > 1 && value.starts_with('0'))
                {
                    return None;
                }
                lock.version = Some(value.parse().ok()?);
            }
            Section::Package => {
                let b = current.as_mut()?;
                match key {
                    "name" => set(&mut b.name, value)?,
                    "version" => set(&mut b.version, value)?,
                    "source" => set(&mut b.source, value)?,
                    "checksum" => set(&mut b.checksum, value)?,
                    "dependencies" if b.dependencies.is_none() => {
                        b.dependencies = Some(Vec::new());
                        match value {
                            "[" => in_dependencies = true,
                            "[]" => {}
                            _ => return None,
                        }
                    }
                    _ => return None,
                }
            }
            Section::Metadata => {
                let key = plain_string(key)?;
                if lock.metadata.insert(key, plain_string(value)?).is_some() {
                    return None;
                }
            }
        }
    }
    if in_dependencies {
        return None;
    }
    if let Some(b) = current.take() {
        finish(b, &mut lock.package)?;
    }
    Some(lock)
}

/// The content of a TOML basic string without escapes or control characters.
fn plain_string(quoted: &str) -> Option<String> {
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    // Printable ASCII without quotes or escapes: one pass over the bytes (nearly every
    // string cargo writes); anything else is checked by character.
    let plain_ascii = inner
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
    (plain_ascii || (!inner.contains(['"', '\\']) && !inner.chars().any(char::is_control)))
        .then(|| inner.to_owned())
}

/// How a member's manifest uses a dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Normal { optional: bool },
    Build,
    Dev,
}

impl Use {
    fn scope(self) -> Scope {
        match self {
            Self::Normal { optional: false } => Scope::Runtime,
            Self::Normal { optional: true } => Scope::Optional,
            Self::Build => Scope::Build,
            Self::Dev => Scope::Dev,
        }
    }
}

/// A workspace member as its manifest declares it.
#[derive(Debug, Default)]
struct Member {
    name: String,
    version: Option<String>,
    license: Option<String>,
    /// Real package name → every way the manifest uses it.
    uses: HashMap<String, Vec<Use>>,
    /// Real package name → `path =` of path dependencies, relative to the lockfile's
    /// directory.
    paths: HashMap<String, String>,
    /// The member's own directory, relative to the lockfile's (`.` for the root).
    dir: String,
}

/// Read a project from its `Cargo.lock`, with the manifests of its workspace when they
/// are next to it. `shown_as` is the lockfile's path as reports name it.
///
/// # Errors
/// The lockfile cannot be read or parsed, or a manifest it needs is malformed.
pub fn read_project(lock_path: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let text = read_limited(lock_path, "Cargo.lock")?;
    let lock = parse_lockfile(&text, shown_as)?;
    let dir = lock_path.parent().unwrap_or(Path::new("."));
    let members = read_workspace(dir)?;
    Ok(project_from(&lock, &members, shown_as))
}

/// Read a project from the text of a `Cargo.lock` alone (no manifests): every package
/// without a source that nothing else depends on is first-party, every dependency is used
/// at runtime. For lockfiles that are not on disk (a git blob, an archive).
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the text is not a lockfile.
pub fn project_from_lockfile_text(text: &str, shown_as: &Path) -> Result<Project, SbomError> {
    let lock = parse_lockfile(text, shown_as)?;
    Ok(project_from(&lock, &[], shown_as))
}

/// Build the project from a parsed lockfile and the members' manifests (none when the
/// lockfile stands alone: then every package without a source is first-party and every
/// dependency is used at runtime).
fn project_from(lock: &LockFile, members: &[Member], shown_as: &Path) -> Project {
    let packages = &lock.package;
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    let resolve = |dep: &str| -> Option<usize> {
        let mut parts = dep.splitn(3, ' ');
        let name = parts.next()?;
        let version = parts.next();
        let source = parts
            .next()
            .map(|s| s.trim_start_matches('(').trim_end_matches(')'));
        let candidates = by_name.get(name)?;
        candidates.iter().copied().find(|&i| {
            let p = &packages[i];
            version.is_none_or(|v| p.version == v)
                && source.is_none_or(|s| p.source.as_deref() == Some(s))
        })
    };
    let edges: Vec<Vec<usize>> = packages
        .iter()
        .map(|p| p.dependencies.iter().filter_map(|d| resolve(d)).collect())
        .collect();

    // Which lock packages are the members.
    let mut member_of: HashMap<usize, Option<&Member>> = HashMap::new();
    if members.is_empty() {
        for (i, p) in packages.iter().enumerate() {
            if p.source.is_none() {
                member_of.insert(i, None);
            }
        }
        // A path dependency of a member is not a member: keep only packages no other
        // sourceless package depends on, unless that leaves none.
        let depended: BTreeSet<usize> = member_of
            .keys()
            .flat_map(|&i| edges[i].iter().copied())
            .collect();
        if member_of.keys().any(|i| !depended.contains(i)) {
            member_of.retain(|i, _| !depended.contains(i));
        }
    } else {
        for m in members {
            let found = by_name.get(m.name.as_str()).and_then(|c| {
                c.iter().copied().find(|&i| {
                    packages[i].source.is_none()
                        && m.version.as_ref().is_none_or(|v| &packages[i].version == v)
                })
            });
            if let Some(i) = found {
                member_of.insert(i, Some(m));
            }
        }
    }

    // Scopes: seed the direct dependencies of every member by how it uses them, then
    // spread each scope through the graph, strongest first, so a package reached
    // several ways keeps the strongest.
    let mut seeds: BTreeMap<Scope, Vec<usize>> = BTreeMap::new();
    let mut direct = vec![false; packages.len()];
    let mut path_of: HashMap<usize, String> = HashMap::new();
    for (&mi, member) in &member_of {
        for &d in &edges[mi] {
            if member_of.contains_key(&d) {
                continue;
            }
            direct[d] = true;
            let name = packages[d].name.as_str();
            let scope = member
                .and_then(|m| m.uses.get(name))
                .and_then(|uses| uses.iter().map(|u| u.scope()).min())
                .unwrap_or(Scope::Runtime);
            seeds.entry(scope).or_default().push(d);
            if let Some(p) = member.and_then(|m| m.paths.get(name)) {
                path_of.insert(d, p.clone());
            }
        }
    }
    let mut scope: Vec<Option<Scope>> = vec![None; packages.len()];
    for &mi in member_of.keys() {
        scope[mi] = Some(Scope::Runtime);
    }
    for (s, start) in seeds {
        let mut stack = start;
        while let Some(i) = stack.pop() {
            if scope[i].is_some() {
                continue;
            }
            scope[i] = Some(s);
            stack.extend(edges[i].iter().copied().filter(|&j| scope[j].is_none()));
        }
    }

    let purls: Vec<Purl> = packages.iter().map(purl_of).collect();
    let mut checksums_v1: HashMap<(&str, &str), &str> = HashMap::new();
    for (k, v) in &lock.metadata {
        let mut parts = k.splitn(4, ' ');
        if let (Some("checksum"), Some(name), Some(version)) =
            (parts.next(), parts.next(), parts.next())
        {
            checksums_v1.insert((name, version), v.as_str());
        }
    }
    let mut components: Vec<Component> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let member = member_of.get(&i);
            let checksum = p.checksum.as_deref().or_else(|| {
                checksums_v1
                    .get(&(p.name.as_str(), p.version.as_str()))
                    .copied()
            });
            let source = match &p.source {
                Some(s) => parse_source(s),
                None => Source::Path {
                    path: path_of
                        .get(&i)
                        .cloned()
                        .or_else(|| member.and_then(|m| m.as_ref()).map(|m| m.dir.clone()))
                        .unwrap_or_default(),
                },
            };
            Component {
                ecosystem: Ecosystem::Cargo,
                name: p.name.clone(),
                version: p.version.clone(),
                purl: purls[i].clone(),
                // Unreached packages (a lockfile without manifests, patches) count as
                // runtime: a scanner must not treat them as harmless.
                scope: scope[i].unwrap_or(Scope::Runtime),
                direct: direct[i],
                first_party: member.is_some(),
                source,
                hashes: checksum
                    .and_then(|c| Hash::from_hex(HashAlg::Sha256, c))
                    .into_iter()
                    .collect(),
                licenses: member
                    .and_then(|m| m.and_then(|m| m.license.clone()))
                    .into_iter()
                    .collect(),
                dependencies: edges[i].iter().map(|&j| purls[j].clone()).collect(),
            }
        })
        .collect();
    components.sort_by(|a, b| a.purl.cmp(&b.purl));
    components.dedup_by(|a, b| a.purl == b.purl);
    Project {
        lockfile: shown_as.to_owned(),
        ecosystem: Ecosystem::Cargo,
        components,
    }
}

fn is_crates_io(url: &str) -> bool {
    CRATES_IO
        .iter()
        .any(|c| url.trim_end_matches('/') == c.trim_end_matches('/'))
}

/// A lockfile `source` as a [`Source`].
#[must_use]
pub fn parse_source(source: &str) -> Source {
    if let Some(url) = source
        .strip_prefix("registry+")
        .or_else(|| source.strip_prefix("sparse+"))
    {
        return Source::Registry {
            url: url.to_owned(),
        };
    }
    if let Some(rest) = source.strip_prefix("git+") {
        let (url, rev) = match rest.split_once('#') {
            Some((u, r)) => (u, Some(r.to_owned())),
            None => (rest, None),
        };
        return Source::Git {
            url: url.to_owned(),
            rev,
        };
    }
    if let Some(path) = source.strip_prefix("path+") {
        return Source::Path {
            path: path.to_owned(),
        };
    }
    Source::Url {
        url: source.to_owned(),
    }
}

fn purl_of(p: &LockPackage) -> Purl {
    let mut q = BTreeMap::new();
    match p.source.as_deref().map(parse_source) {
        Some(Source::Registry { url }) if !is_crates_io(&url) => {
            q.insert("repository_url", url);
        }
        Some(Source::Git { url, rev }) => {
            let url = url.split('?').next().unwrap_or_default();
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
    Purl::new("cargo", None, &p.name, Some(&p.version), &q)
}

/// Read the workspace whose root manifest is in `dir` (or the single package there).
/// No manifest gives no members.
fn read_workspace(dir: &Path) -> Result<Vec<Member>, SbomError> {
    let root_path = dir.join("Cargo.toml");
    if !root_path.is_file() {
        return Ok(Vec::new());
    }
    let root = read_manifest(&root_path)?;
    let workspace = root.get("workspace").and_then(toml::Value::as_table);
    let mut members = Vec::new();
    if root.get("package").is_some() {
        members.push(member_from(&root, workspace, dir, dir));
    }
    if let Some(ws) = workspace {
        let globs = string_list(ws.get("members"));
        let excluded: BTreeSet<PathBuf> = string_list(ws.get("exclude"))
            .iter()
            .map(|e| dir.join(e))
            .collect();
        let mut dirs = BTreeSet::new();
        for g in &globs {
            for d in expand_glob(dir, g) {
                if !excluded.contains(&d) && d != dir {
                    dirs.insert(d);
                }
            }
        }
        for d in dirs {
            let path = d.join("Cargo.toml");
            if !path.is_file() {
                continue;
            }
            let manifest = read_manifest(&path)?;
            if manifest.get("package").is_some() {
                members.push(member_from(&manifest, workspace, &d, dir));
            }
        }
    }
    Ok(members)
}

fn read_manifest(path: &Path) -> Result<toml::Table, SbomError> {
    let text = read_limited(path, "Cargo.toml")?;
    toml::from_str(&text)
        .map_err(|e| SbomError::malformed(path, format!("not a Cargo.toml: {}", e.message())))
}

fn string_list(v: Option<&toml::Value>) -> Vec<String> {
    v.and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A package field that may be inherited with `field.workspace = true`.
fn inherited(
    package: &toml::Table,
    field: &str,
    workspace: Option<&toml::Table>,
) -> Option<String> {
    match package.get(field)? {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Table(t)
            if t.get("workspace").and_then(toml::Value::as_bool) == Some(true) =>
        {
            workspace?
                .get("package")?
                .get(field)?
                .as_str()
                .map(str::to_owned)
        }
        _ => None,
    }
}

fn member_from(
    manifest: &toml::Table,
    workspace: Option<&toml::Table>,
    member_dir: &Path,
    lock_dir: &Path,
) -> Member {
    let empty = toml::Table::new();
    let package = manifest
        .get("package")
        .and_then(toml::Value::as_table)
        .unwrap_or(&empty);
    let mut m = Member {
        name: package
            .get("name")
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        version: inherited(package, "version", workspace),
        license: inherited(package, "license", workspace),
        dir: {
            let full = lexical(member_dir);
            let base = lexical(lock_dir);
            match full.strip_prefix(&base) {
                Ok(rel) if rel.as_os_str().is_empty() => ".".to_owned(),
                Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
                Err(_) => full.to_string_lossy().replace('\\', "/"),
            }
        },
        ..Member::default()
    };
    let ws_deps = workspace
        .and_then(|w| w.get("dependencies"))
        .and_then(toml::Value::as_table);
    let mut tables: Vec<(&toml::Table, Use)> = Vec::new();
    dependency_tables(manifest, &mut tables);
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        for t in targets.values().filter_map(toml::Value::as_table) {
            dependency_tables(t, &mut tables);
        }
    }
    for (deps, u) in tables {
        for (key, spec) in deps {
            let table = spec.as_table();
            let inherited_spec = table
                .filter(|t| t.get("workspace").and_then(toml::Value::as_bool) == Some(true))
                .and_then(|_| ws_deps.and_then(|w| w.get(key)))
                .and_then(toml::Value::as_table);
            let real = table
                .and_then(|t| t.get("package"))
                .or_else(|| inherited_spec.and_then(|t| t.get("package")))
                .and_then(toml::Value::as_str)
                .unwrap_or(key)
                .to_owned();
            let optional = table
                .and_then(|t| t.get("optional"))
                .and_then(toml::Value::as_bool)
                .unwrap_or(false);
            let u = match u {
                Use::Normal { .. } => Use::Normal { optional },
                other => other,
            };
            // A path dependency's directory, relative to the lockfile's directory.
            let (path, base) = match table
                .and_then(|t| t.get("path"))
                .and_then(toml::Value::as_str)
            {
                Some(p) => (Some(p), member_dir),
                None => (
                    inherited_spec
                        .and_then(|t| t.get("path"))
                        .and_then(toml::Value::as_str),
                    lock_dir,
                ),
            };
            if let Some(p) = path {
                let full = lexical(&base.join(p));
                let lock_dir = lexical(lock_dir);
                let shown = full
                    .strip_prefix(&lock_dir)
                    .map_or_else(|_| full.clone(), Path::to_path_buf);
                m.paths
                    .insert(real.clone(), shown.to_string_lossy().replace('\\', "/"));
            }
            m.uses.entry(real).or_default().push(u);
        }
    }
    m
}

/// `a/b/../c` as `a/c`, without asking the file system (the directory may not exist).
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component as C;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            C::CurDir => {}
            C::ParentDir => {
                if matches!(out.components().next_back(), Some(C::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn dependency_tables<'a>(t: &'a toml::Table, tables: &mut Vec<(&'a toml::Table, Use)>) {
    for (key, u) in [
        ("dependencies", Use::Normal { optional: false }),
        ("build-dependencies", Use::Build),
        ("build_dependencies", Use::Build),
        ("dev-dependencies", Use::Dev),
        ("dev_dependencies", Use::Dev),
    ] {
        if let Some(deps) = t.get(key).and_then(toml::Value::as_table) {
            tables.push((deps, u));
        }
    }
}

/// Directories matching a workspace `members` pattern: `*` and `?` within one path
/// segment, as cargo's glob does for the patterns people write (`crates/*`).
fn expand_glob(root: &Path, pattern: &str) -> Vec<PathBuf> {
    let mut current = vec![root.to_path_buf()];
    for segment in pattern.split('/').filter(|s| !s.is_empty() && *s != ".") {
        let mut next = Vec::new();
        for dir in &current {
            if segment.contains(['*', '?', '[']) {
                let Ok(entries) = std::fs::read_dir(dir) else {
                    continue;
                };
                let mut found: Vec<PathBuf> = entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .filter(|e| wildcard_match(segment, &e.file_name().to_string_lossy()))
                    .map(|e| e.path())
                    .collect();
                found.sort();
                next.extend(found);
            } else {
                next.push(dir.join(segment));
            }
        }
        current = next;
    }
    current
}

/// `*` (any run) and `?` (one character) matching of a single path segment.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_reading_agrees_with_toml_and_leaves_the_rest_to_it() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/materials/cargo");
        let mut compared = 0;
        for entry in std::fs::read_dir(&fixtures).expect("fixtures") {
            let lock = entry.expect("entry").path().join("Cargo.lock");
            let Ok(text) = std::fs::read_to_string(&lock) else {
                continue;
            };
            let fast = parse_as_cargo_writes(&text).expect("cargo's own output is read fast");
            let general: LockFile = toml::from_str(&text).expect("toml");
            assert_eq!(fast, general, "{}", lock.display());
            compared += 1;
        }
        assert!(compared >= 9);
        let v1 = "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\ndependencies = [\n \"b 0.1.0 (registry+https://github.com/rust-lang/crates.io-index)\",\n]\n\n[metadata]\n\"checksum a 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\" = \"ab\"\n";
        assert_eq!(
            parse_as_cargo_writes(v1).expect("format 1"),
            toml::from_str::<LockFile>(v1).expect("toml")
        );
        for other in [
            "version = 4\n[[package]]\nname = \"a\\u0041\"\nversion = \"1\"\n", // escape
            "version = 4\n[[package]]\nname = \"a\"\nname = \"b\"\nversion = \"1\"\n", // duplicate
            "version = 4\n[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = [\"b\"]\n", // inline
            "version = 4\n[[package]]\nname = \"a\"\n", // no version
            "version = 4\n[[patch.unused]]\nname = \"a\"\nversion = \"1\"\n",
            "version = 4\n[metadata]\n[metadata]\n",
            "version = 4\n[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = [\n \"b\",\n", // unclosed
            "version = \"4\"\n",
        ] {
            assert_eq!(parse_as_cargo_writes(other), None, "{other}");
        }
    }

    const LOCK: &str = r#"
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["serde", "cc", "proptest", "helper", "rand 0.8.5"]

[[package]]
name = "helper"
version = "0.2.0"
dependencies = ["rand 0.7.3"]

[[package]]
name = "serde"
version = "1.0.200"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "ddc6f9cc94d67c0e21aaf7eda3a010fd3af78ebf6e096aa6e2e13c79749cce4f"
dependencies = ["serde_derive"]

[[package]]
name = "serde_derive"
version = "1.0.200"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "cc"
version = "1.0.90"
source = "sparse+https://index.crates.io/"

[[package]]
name = "proptest"
version = "1.4.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["rand 0.8.5"]

[[package]]
name = "rand"
version = "0.8.5"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "rand"
version = "0.7.3"
source = "git+https://github.com/rust-random/rand?branch=old#0123456789abcdef0123456789abcdef01234567"
"#;

    fn member() -> Member {
        let mut m = Member {
            name: "app".into(),
            version: Some("0.1.0".into()),
            license: Some("MIT".into()),
            ..Member::default()
        };
        m.uses
            .insert("serde".into(), vec![Use::Normal { optional: false }]);
        m.uses.insert("cc".into(), vec![Use::Build]);
        m.uses.insert("proptest".into(), vec![Use::Dev]);
        m.uses.insert(
            "rand".into(),
            vec![Use::Dev, Use::Normal { optional: true }],
        );
        m.uses
            .insert("helper".into(), vec![Use::Normal { optional: false }]);
        m.paths.insert("helper".into(), "helper".into());
        m
    }

    fn find<'a>(p: &'a Project, purl: &str) -> &'a Component {
        p.expect_component(purl)
    }

    #[test]
    fn scopes_spread_from_how_members_use_their_dependencies() {
        let lock = parse_lockfile(LOCK, Path::new("Cargo.lock")).expect("parses");
        let p = project_from(&lock, &[member()], Path::new("Cargo.lock"));
        assert_eq!(p.components.len(), 8);
        let app = find(&p, "pkg:cargo/app@0.1.0");
        assert!(app.first_party && !app.direct);
        assert_eq!(app.licenses, vec!["MIT".to_owned()]);
        let serde = find(&p, "pkg:cargo/serde@1.0.200");
        assert_eq!((serde.scope, serde.direct), (Scope::Runtime, true));
        assert_eq!(serde.hashes.len(), 1);
        let derive = find(&p, "pkg:cargo/serde_derive@1.0.200");
        assert_eq!((derive.scope, derive.direct), (Scope::Runtime, false));
        assert_eq!(find(&p, "pkg:cargo/cc@1.0.90").scope, Scope::Build);
        assert_eq!(find(&p, "pkg:cargo/proptest@1.4.0").scope, Scope::Dev);
        // Optional beats dev for the same package used both ways.
        assert_eq!(find(&p, "pkg:cargo/rand@0.8.5").scope, Scope::Optional);
        // A path dependency that is not a member is a third-party component with a path
        // source, and what it pulls in is runtime.
        let helper = find(&p, "pkg:cargo/helper@0.2.0");
        assert!(!helper.first_party && helper.direct);
        assert_eq!(
            helper.source,
            Source::Path {
                path: "helper".into()
            }
        );
        let git = find(
            &p,
            "pkg:cargo/rand@0.7.3?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Frust-random%2Frand%400123456789abcdef0123456789abcdef01234567",
        );
        assert_eq!(git.scope, Scope::Runtime);
        assert!(matches!(&git.source, Source::Git { rev: Some(r), .. } if r.starts_with("0123")));
    }

    #[test]
    fn a_lockfile_alone_takes_sourceless_roots_as_members() {
        let lock = parse_lockfile(LOCK, Path::new("Cargo.lock")).expect("parses");
        let p = project_from(&lock, &[], Path::new("Cargo.lock"));
        let first: Vec<&str> = p.first_party().map(|c| c.name.as_str()).collect();
        assert_eq!(first, vec!["app"]);
        assert!(p.dependencies().all(|c| c.scope == Scope::Runtime));
    }

    #[test]
    fn format_one_checksums_come_from_metadata() {
        let text = r#"
[[package]]
name = "a"
version = "0.1.0"
dependencies = ["libc 0.2.1 (registry+https://github.com/rust-lang/crates.io-index)"]

[[package]]
name = "libc"
version = "0.2.1"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum libc 0.2.1 (registry+https://github.com/rust-lang/crates.io-index)" = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
"#;
        let lock = parse_lockfile(text, Path::new("Cargo.lock")).expect("parses");
        let p = project_from(&lock, &[], Path::new("Cargo.lock"));
        let libc = find(&p, "pkg:cargo/libc@0.2.1");
        assert!(libc.direct);
        assert_eq!(libc.hashes[0].hex, "a".repeat(64));
    }

    #[test]
    fn other_registries_are_qualified() {
        let text = "version = 3\n[[package]]\nname = \"x\"\nversion = \"1.0.0\"\nsource = \"registry+https://my.registry/index\"\n";
        let lock = parse_lockfile(text, Path::new("Cargo.lock")).expect("parses");
        let p = project_from(&lock, &[], Path::new("Cargo.lock"));
        assert_eq!(
            p.components[0].purl.as_str(),
            "pkg:cargo/x@1.0.0?repository_url=https:%2F%2Fmy.registry%2Findex"
        );
    }

    #[test]
    fn bad_lockfiles_name_the_file() {
        for text in ["[[package]]\nname = 1", "version = 9", "not toml ["] {
            let err = parse_lockfile(text, Path::new("sub/Cargo.lock")).expect_err(text);
            assert!(err.to_string().starts_with("sub/Cargo.lock: "), "{err}");
        }
    }

    #[test]
    fn paths_are_resolved_lexically() {
        assert_eq!(lexical(Path::new("a/b/../c/./d")), Path::new("a/c/d"));
        assert_eq!(lexical(Path::new("../../x")), Path::new("../../x"));
        assert_eq!(lexical(Path::new("a/../../x")), Path::new("../x"));
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*", "abc"));
        assert!(wildcard_match("crate-?", "crate-a"));
        assert!(wildcard_match("a*c", "abbbc"));
        assert!(!wildcard_match("a*c", "abbb"));
        assert!(!wildcard_match("?", ""));
    }
}
