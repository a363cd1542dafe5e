//! Yarn: `yarn.lock` of Yarn 1 ("classic", its own indented format) and of Yarn 2 and
//! later ("berry", YAML with `__metadata`), with the `package.json` next to it when
//! there is one.
//!
//! Both key each package by the descriptors (`name@range`, comma-separated) that resolve
//! to it, and its dependencies are descriptors too, which is how edges are found. Classic
//! entries have `version`, `resolved` (whose `#` fragment is the tarball's SHA-1 for
//! registry packages) and `integrity` (SRI), with `dependencies` and
//! `optionalDependencies` blocks. Berry entries have `version`, `resolution`
//! (`name@npm:1.2.3`; `workspace:` resolutions are the project's own packages),
//! `checksum` (SHA-512 of Yarn's cache archive, after the cache key), `dependencies`
//! (optional ones flagged in `dependenciesMeta`). Neither records what is only for
//! development: package.json's `devDependencies` and `optionalDependencies` give the
//! scopes of the direct dependencies, which then spread through the graph.

use crate::component::{Component, Ecosystem, Hash, HashAlg, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::graph;
use crate::npm::{git_of, hashes_of, npm_purl, resolved_source};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Where Yarn fetches packages unless configured otherwise.
const YARN_REGISTRY: &str = "https://registry.yarnpkg.com";

/// Read a project from its `yarn.lock` and the `package.json` next to it, if any.
///
/// # Errors
/// A file cannot be read or is not what its name says.
pub fn read_project(path: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let text = read_limited(path, "yarn.lock")?;
    let manifest = read_package_json(path, shown_as)?;
    project_from(&text, manifest.as_ref(), shown_as)
}

/// The `package.json` next to a lockfile, if there is one.
pub(crate) fn read_package_json(
    lockfile: &Path,
    shown_as: &Path,
) -> Result<Option<Map<String, Value>>, SbomError> {
    let path = lockfile
        .parent()
        .unwrap_or(Path::new("."))
        .join("package.json");
    if !path.is_file() {
        return Ok(None);
    }
    let shown = shown_as.with_file_name("package.json");
    let text = read_limited(&path, "package.json")?;
    match serde_json::from_str(&text) {
        Ok(Value::Object(m)) => Ok(Some(m)),
        Ok(_) => Err(SbomError::malformed(&shown, "not a JSON object")),
        Err(e) => Err(SbomError::malformed(&shown, format!("not JSON: {e}"))),
    }
}

/// Read a project from the text of a `yarn.lock` alone.
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the text is not a yarn.lock.
pub fn project_from_text(text: &str, shown_as: &Path) -> Result<Project, SbomError> {
    project_from(text, None, shown_as)
}

/// One resolved package, in either format.
#[derive(Debug, Default)]
struct Entry {
    name: String,
    version: String,
    source: Option<Source>,
    hashes: Vec<Hash>,
    first_party: bool,
    /// The root workspace (`workspace:.`).
    root: bool,
    /// Descriptors it depends on, with how (runtime or optional).
    wants: Vec<(String, Scope)>,
}

/// `name@range` → (name, range); a scoped name keeps its leading `@`.
fn split_descriptor(d: &str) -> Option<(&str, &str)> {
    let at = d.get(1..)?.find('@')? + 1;
    let (name, range) = (&d[..at], &d[at + 1..]);
    (!name.is_empty()).then_some((name, range))
}

fn project_from(
    text: &str,
    manifest: Option<&Map<String, Value>>,
    shown_as: &Path,
) -> Result<Project, SbomError> {
    let berry = text.lines().any(|l| l.starts_with("__metadata:"));
    let (entries, descriptors) = if berry {
        parse_berry(text, shown_as)?
    } else {
        parse_classic(text, shown_as)?
    };
    let dev: BTreeSet<&str> = names(manifest, "devDependencies");
    let optional: BTreeSet<&str> = names(manifest, "optionalDependencies");
    let lookup = |d: &str| -> Option<usize> {
        descriptors.get(d).copied().or_else(|| {
            // Berry writes `npm:` before plain ranges; package.json does not.
            let (name, range) = split_descriptor(d)?;
            descriptors.get(&format!("{name}@npm:{range}")).copied()
        })
    };
    let mut edges: Vec<Vec<(usize, Scope)>> = entries
        .iter()
        .map(|e| {
            e.wants
                .iter()
                .filter_map(|(d, s)| {
                    let j = lookup(d)?;
                    // What package.json says about the root's own dependencies.
                    let name = split_descriptor(d).map_or("", |(n, _)| n);
                    let s = if e.root && dev.contains(name) {
                        Scope::Dev
                    } else if e.root && optional.contains(name) {
                        Scope::Optional
                    } else {
                        *s
                    };
                    Some((j, s))
                })
                .collect()
        })
        .collect();
    let mut seeds: Vec<(usize, Scope)> = Vec::new();
    let mut direct = vec![false; entries.len()];
    let mut own: Option<Component> = None;
    if entries.iter().any(|e| e.first_party) {
        for (i, e) in entries.iter().enumerate() {
            if e.first_party {
                seeds.push((i, Scope::Runtime));
                for &(j, _) in &edges[i] {
                    direct[j] |= !entries[j].first_party;
                }
            }
        }
    } else if let Some(m) = manifest {
        // Classic: the root is not in the lockfile; package.json names its dependencies.
        let mut targets = BTreeSet::new();
        for (key, scope) in [
            ("dependencies", Scope::Runtime),
            ("optionalDependencies", Scope::Optional),
            ("devDependencies", Scope::Dev),
        ] {
            for (name, range) in m.get(key).and_then(Value::as_object).into_iter().flatten() {
                let Some(range) = range.as_str() else {
                    continue;
                };
                if let Some(j) = lookup(&format!("{name}@{range}")) {
                    direct[j] = true;
                    seeds.push((j, scope));
                    targets.insert(j);
                }
            }
        }
        if let Some(name) = m
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            let version = m.get("version").and_then(Value::as_str).unwrap_or_default();
            let source = Source::Path { path: ".".into() };
            own = Some(Component {
                ecosystem: Ecosystem::Npm,
                name: name.to_owned(),
                version: version.to_owned(),
                purl: npm_purl(name, version, &source),
                scope: Scope::Runtime,
                direct: false,
                first_party: true,
                source,
                hashes: Vec::new(),
                licenses: license_of(m),
                dependencies: BTreeSet::new(),
            });
            edges.push(targets.into_iter().map(|j| (j, Scope::Runtime)).collect());
        }
    } else {
        let depended: BTreeSet<usize> = edges.iter().flatten().map(|&(j, _)| j).collect();
        for (i, d) in direct.iter_mut().enumerate() {
            *d = !depended.contains(&i);
            if *d {
                seeds.push((i, Scope::Runtime));
            }
        }
    }
    let scopes = graph::spread_scopes_along(&edges, seeds);
    let mut components: Vec<Component> = Vec::with_capacity(entries.len() + 1);
    let mut purls = Vec::with_capacity(entries.len());
    for e in &entries {
        let source = e.source.clone().unwrap_or(Source::Unknown);
        let version = match manifest
            .and_then(|m| m.get("version"))
            .and_then(Value::as_str)
        {
            Some(v) if e.root => v,
            _ => e.version.as_str(),
        };
        purls.push(npm_purl(&e.name, version, &source));
    }
    // A package listed twice (berry keeps a patched package and its original) is
    // reached through one of its entries: that entry's scope is the package's.
    let mut reached: HashMap<&crate::purl::Purl, Scope> = HashMap::new();
    for (i, s) in scopes.iter().enumerate() {
        if let Some(s) = s {
            let e = reached.entry(&purls[i]).or_insert(*s);
            *e = (*e).min(*s);
        }
    }
    for (i, e) in entries.iter().enumerate() {
        let version = match manifest
            .and_then(|m| m.get("version"))
            .and_then(Value::as_str)
        {
            Some(v) if e.root => v.to_owned(),
            _ => e.version.clone(),
        };
        components.push(Component {
            ecosystem: Ecosystem::Npm,
            name: e.name.clone(),
            version,
            purl: purls[i].clone(),
            // Unreached packages count as runtime: a scanner must not take them as harmless.
            scope: reached.get(&purls[i]).copied().unwrap_or(Scope::Runtime),
            direct: direct[i],
            first_party: e.first_party,
            source: e.source.clone().unwrap_or(Source::Unknown),
            hashes: e.hashes.clone(),
            licenses: match manifest {
                Some(m) if e.root => license_of(m),
                _ => Vec::new(),
            },
            dependencies: edges[i].iter().map(|&(j, _)| purls[j].clone()).collect(),
        });
    }
    if let Some(mut c) = own {
        if let Some(targets) = edges.last() {
            c.dependencies = targets.iter().map(|&(j, _)| purls[j].clone()).collect();
        }
        components.push(c);
    }
    Ok(Project {
        lockfile: shown_as.to_owned(),
        ecosystem: Ecosystem::Npm,
        components: graph::settle(components),
    })
}

fn names<'a>(manifest: Option<&'a Map<String, Value>>, key: &str) -> BTreeSet<&'a str> {
    manifest
        .and_then(|m| m.get(key))
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(Map::keys)
        .map(String::as_str)
        .collect()
}

fn license_of(m: &Map<String, Value>) -> Vec<String> {
    m.get("license")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .into_iter()
        .collect()
}

type Parsed = (Vec<Entry>, HashMap<String, usize>);

/// A possibly double-quoted token at the start of `s` → (token, rest).
fn token(s: &str) -> Option<(String, &str)> {
    let s = s.trim_start();
    if let Some(body) = s.strip_prefix('"') {
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    let quoted = &s[..i + 2];
                    let t: String = serde_json::from_str(quoted).ok()?;
                    return Some((t, &body[i + 1..]));
                }
                _ => escaped = false,
            }
        }
        None
    } else {
        let end = s.find([' ', ',']).unwrap_or(s.len());
        (end > 0).then(|| (s[..end].to_owned(), &s[end..]))
    }
}

fn parse_classic(text: &str, shown_as: &Path) -> Result<Parsed, SbomError> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut descriptors: HashMap<String, usize> = HashMap::new();
    let mut resolved: Vec<Option<String>> = Vec::new();
    let mut block: Option<Scope> = None;
    let mut in_other_block = false;
    for (n, line) in text.lines().enumerate() {
        let bad = |m: String| SbomError::malformed(shown_as, format!("line {}: {m}", n + 1));
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = line.trim();
        match indent {
            0 => {
                let keys = content
                    .strip_suffix(':')
                    .ok_or_else(|| bad(format!("{content:?} is not `descriptors:`")))?;
                let mut rest = keys;
                let mut mine = Vec::new();
                while !rest.trim().is_empty() {
                    let (d, after) =
                        token(rest).ok_or_else(|| bad(format!("bad descriptor in {keys:?}")))?;
                    mine.push(d);
                    rest = after.trim_start().strip_prefix(',').unwrap_or(after);
                }
                let first = mine.first().ok_or_else(|| bad("no descriptor".into()))?;
                let (name, range) = split_descriptor(first)
                    .ok_or_else(|| bad(format!("{first:?} is not `name@range`")))?;
                // `alias@npm:real@^1` installs `real`.
                let name = range
                    .strip_prefix("npm:")
                    .and_then(split_descriptor)
                    .map_or(name, |(real, _)| real)
                    .to_owned();
                for d in mine {
                    descriptors.insert(d, entries.len());
                }
                entries.push(Entry {
                    name,
                    ..Entry::default()
                });
                resolved.push(None);
                block = None;
                in_other_block = false;
            }
            2 => {
                let e = entries
                    .last_mut()
                    .ok_or_else(|| bad("a field before any package".into()))?;
                block = None;
                in_other_block = false;
                if let Some(key) = content.strip_suffix(':') {
                    match key {
                        "dependencies" => block = Some(Scope::Runtime),
                        "optionalDependencies" => block = Some(Scope::Optional),
                        _ => in_other_block = true,
                    }
                    continue;
                }
                let (key, rest) = token(content).ok_or_else(|| bad(format!("{content:?}")))?;
                let value = token(rest).map(|(v, _)| v).unwrap_or_default();
                match key.as_str() {
                    "version" => e.version = value,
                    "resolved" => {
                        if let Some(r) = resolved.last_mut() {
                            *r = Some(value);
                        }
                    }
                    "integrity" => e.hashes.extend(hashes_of(&value)),
                    _ => {}
                }
            }
            4 if block.is_some() || in_other_block => {
                if let Some(scope) = block {
                    let (name, rest) = token(content)
                        .ok_or_else(|| bad(format!("{content:?} is not `name range`")))?;
                    let range = token(rest).map(|(v, _)| v).unwrap_or_default();
                    if let Some(e) = entries.last_mut() {
                        e.wants.push((format!("{name}@{range}"), scope));
                    }
                }
            }
            _ => return Err(bad(format!("unexpected indentation of {content:?}"))),
        }
    }
    if entries.is_empty() && !text.contains("yarn lockfile v1") {
        return Err(SbomError::malformed(
            shown_as,
            "no packages and no `# yarn lockfile v1` line: not a yarn.lock",
        ));
    }
    for (e, r) in entries.iter_mut().zip(resolved) {
        if e.version.is_empty() {
            return Err(SbomError::malformed(
                shown_as,
                format!("{} has no version", e.name),
            ));
        }
        e.source = Some(match r.as_deref() {
            None => Source::Registry {
                url: YARN_REGISTRY.into(),
            },
            Some(r) if git_of(r).is_some() => resolved_source(&e.name, r),
            Some(r) => {
                let (url, fragment) = r.split_once('#').unwrap_or((r, ""));
                e.hashes.extend(Hash::from_hex(HashAlg::Sha1, fragment));
                resolved_source(&e.name, url)
            }
        });
    }
    Ok((entries, descriptors))
}

fn parse_berry(text: &str, shown_as: &Path) -> Result<Parsed, SbomError> {
    let bad = |m: String| SbomError::malformed(shown_as, m);
    let doc = crate::yaml::parse(text).map_err(|e| bad(format!("not YAML: {e}")))?;
    let doc = doc
        .as_object()
        .ok_or_else(|| bad("not a YAML mapping".into()))?;
    let mut entries = Vec::new();
    let mut descriptors = HashMap::new();
    for (key, value) in doc {
        if key == "__metadata" {
            continue;
        }
        let at = |m: &str| bad(format!("{key:?}: {m}"));
        let v = value.as_object().ok_or_else(|| at("not a mapping"))?;
        let resolution = v
            .get("resolution")
            .and_then(Value::as_str)
            .ok_or_else(|| at("no resolution"))?;
        let (name, reference) =
            split_descriptor(resolution).ok_or_else(|| at("resolution is not `name@reference`"))?;
        let version = v
            .get("version")
            .and_then(crate::yaml::text)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| at("no version"))?;
        let first_party = reference.starts_with("workspace:");
        let meta = v.get("dependenciesMeta").and_then(Value::as_object);
        let mut wants = Vec::new();
        for (dep, range) in v
            .get("dependencies")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let Some(range) = crate::yaml::text(range) else {
                continue;
            };
            let optional = meta
                .and_then(|m| m.get(dep))
                .and_then(|d| d.get("optional"))
                .and_then(Value::as_bool)
                == Some(true);
            let scope = if optional {
                Scope::Optional
            } else {
                Scope::Runtime
            };
            wants.push((format!("{dep}@{range}"), scope));
        }
        let hashes = v
            .get("checksum")
            .and_then(Value::as_str)
            .and_then(|c| Hash::from_hex(HashAlg::Sha512, c.rsplit('/').next().unwrap_or(c)))
            .into_iter()
            .collect();
        for d in key.split(',') {
            descriptors.insert(d.trim().to_owned(), entries.len());
        }
        entries.push(Entry {
            name: name.to_owned(),
            version,
            source: Some(berry_source(reference)),
            hashes,
            first_party,
            root: reference == "workspace:.",
            wants,
        });
    }
    Ok((entries, descriptors))
}

/// Where a berry resolution's reference points.
fn berry_source(reference: &str) -> Source {
    if reference.starts_with("npm:") {
        return Source::Registry {
            url: YARN_REGISTRY.into(),
        };
    }
    if let Some(path) = ["workspace:", "file:", "portal:", "link:"]
        .iter()
        .find_map(|p| reference.strip_prefix(p))
    {
        return Source::Path {
            path: path.to_owned(),
        };
    }
    if let Some(inner) = reference.strip_prefix("patch:") {
        // `patch:name@npm%3A1.2.3#<patch>`: a patched registry package.
        let original = inner.split('#').next().unwrap_or_default();
        return if original.contains("@npm%3A") || original.contains("@npm:") {
            Source::Registry {
                url: YARN_REGISTRY.into(),
            }
        } else {
            Source::Unknown
        };
    }
    if let Some((url, fragment)) = reference.split_once('#') {
        let rev = fragment
            .split('&')
            .find_map(|kv| kv.strip_prefix("commit="))
            .map(str::to_owned);
        if rev.is_some() || url.starts_with("git") || url.ends_with(".git") {
            return Source::Git {
                url: url.to_owned(),
                rev,
            };
        }
    }
    if reference.starts_with("http://") || reference.starts_with("https://") {
        return Source::Url {
            url: reference.to_owned(),
        };
    }
    Source::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::purl::Purl;

    const SHA512: &str = "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";

    fn classic() -> String {
        format!(
            r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@7.22.13":
  version "7.22.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.22.13.tgz#e3c1c099402598483b7a8c46a721d1038803755e"
  integrity {SHA512}
  dependencies:
    chalk "^2.4.2"

chalk@^2.4.2:
  version "2.4.2"
  resolved "https://registry.yarnpkg.com/chalk/-/chalk-2.4.2.tgz#cd42541677a54333cf541a49108c1432b44c9424"
  dependencies:
    ms "2.1.2"
  optionalDependencies:
    fsevents "^2"

fsevents@^2:
  version "2.3.3"
  resolved "https://registry.yarnpkg.com/fsevents/-/fsevents-2.3.3.tgz"

ms@2.1.2, ms@^2.1.1:
  version "2.1.2"

minimist@1.2.8:
  version "1.2.8"
  resolved "https://npm.example.com/minimist/-/minimist-1.2.8.tgz#c1d464e7c0fae0c3f1ec0ab2d0eb0000a0d08e5d"
  dependencies:
    ms "^2.1.1"

tool@git+https://github.com/org/tool.git#v1:
  version "0.1.0"
  resolved "git+https://github.com/org/tool.git#0123456789abcdef0123456789abcdef01234567"
"#
        )
    }

    const PACKAGE_JSON: &str = r#"{"name": "web", "version": "1.0.0", "license": "MIT",
      "dependencies": {"@babel/code-frame": "7.22.13", "tool": "git+https://github.com/org/tool.git#v1"},
      "devDependencies": {"minimist": "1.2.8"}}"#;

    fn find<'a>(p: &'a Project, purl: &str) -> &'a Component {
        p.expect_component(purl)
    }

    fn manifest(text: &str) -> Map<String, Value> {
        match serde_json::from_str(text) {
            Ok(Value::Object(m)) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn classic_with_package_json() {
        let m = manifest(PACKAGE_JSON);
        let p = project_from(&classic(), Some(&m), Path::new("yarn.lock")).expect("parses");
        assert_eq!(p.components.len(), 7);
        let web = find(&p, "pkg:npm/web@1.0.0");
        assert!(web.first_party);
        assert_eq!(web.licenses, vec!["MIT".to_owned()]);
        assert_eq!(web.dependencies.len(), 3);
        let frame = find(&p, "pkg:npm/%40babel/code-frame@7.22.13");
        assert!(frame.direct);
        assert_eq!(frame.name, "@babel/code-frame");
        assert_eq!(frame.scope, Scope::Runtime);
        let algs: Vec<HashAlg> = frame.hashes.iter().map(|h| h.alg).collect();
        assert_eq!(algs, vec![HashAlg::Sha512, HashAlg::Sha1]);
        assert_eq!(
            frame.source,
            Source::Registry {
                url: "https://registry.yarnpkg.com".into()
            }
        );
        let deps: Vec<&str> = find(&p, "pkg:npm/chalk@2.4.2")
            .dependencies
            .iter()
            .map(Purl::as_str)
            .collect();
        assert_eq!(deps, vec!["pkg:npm/fsevents@2.3.3", "pkg:npm/ms@2.1.2"]);
        assert_eq!(find(&p, "pkg:npm/fsevents@2.3.3").scope, Scope::Optional);
        // ms: from chalk (runtime) and from minimist (dev): runtime.
        let ms = find(&p, "pkg:npm/ms@2.1.2");
        assert_eq!(ms.scope, Scope::Runtime);
        assert!(!ms.direct);
        assert_eq!(
            ms.source,
            Source::Registry {
                url: YARN_REGISTRY.into()
            }
        );
        let minimist = find(&p, "pkg:npm/minimist@1.2.8");
        assert_eq!(minimist.scope, Scope::Dev);
        assert!(minimist.direct);
        assert_eq!(
            minimist.source,
            Source::Registry {
                url: "https://npm.example.com".into()
            }
        );
        let tool = p.components.iter().find(|c| c.name == "tool").expect("git");
        assert!(tool.direct);
        assert!(matches!(&tool.source, Source::Git { rev: Some(r), .. } if r.starts_with("0123")));
        assert!(tool.hashes.is_empty(), "a commit is not a tarball hash");
    }

    #[test]
    fn classic_alone_takes_unreached_packages_as_direct() {
        let p = project_from_text(&classic(), Path::new("yarn.lock")).expect("parses");
        let direct: Vec<&str> = p
            .components
            .iter()
            .filter(|c| c.direct)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(direct, vec!["@babel/code-frame", "minimist", "tool"]);
        assert_eq!(find(&p, "pkg:npm/fsevents@2.3.3").scope, Scope::Optional);
    }

    const BERRY: &str = r#"# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10c0

"debug@npm:^4.3.4, debug@npm:^4.1.0":
  version: 4.3.4
  resolution: "debug@npm:4.3.4"
  dependencies:
    ms: "npm:2.1.2"
  peerDependenciesMeta:
    supports-color:
      optional: true
  checksum: 10c0/cedbec45298dd5c501d01b92b119cd3faebe5438c3917ff11ae1bff86a6c722930ac9c8659792824013168ba6db7c4668225d845c633fbdafbbf902a6389f736
  languageName: node
  linkType: hard

"ms@npm:2.1.2":
  version: 2.1.2
  resolution: "ms@npm:2.1.2"
  checksum: a437714e2f90dbf881b5191d35a6db792efbca5badf112f87b9e1c712aace4b4b9b742dd6537f3edf90fd6f684de897cec230abde57e87883766712ddda297cc
  languageName: node
  linkType: hard

"fsevents@npm:^2.3.2":
  version: 2.3.3
  resolution: "fsevents@npm:2.3.3"
  languageName: node
  linkType: hard

"fsevents@patch:fsevents@npm%3A^2.3.2#optional!builtin<compat/fsevents>":
  version: 2.3.3
  resolution: "fsevents@patch:fsevents@npm%3A2.3.3#optional!builtin<compat/fsevents>::version=2.3.3&hash=df0bf1"
  languageName: node
  linkType: hard

"tool@https://github.com/org/tool.git#commit=0123456789abcdef0123456789abcdef01234567":
  version: 0.1.0
  resolution: "tool@https://github.com/org/tool.git#commit=0123456789abcdef0123456789abcdef01234567"
  languageName: node
  linkType: hard

"ui@workspace:packages/ui":
  version: 0.0.0-use.local
  resolution: "ui@workspace:packages/ui"
  dependencies:
    debug: "npm:^4.1.0"
  languageName: unknown
  linkType: soft

"web@workspace:.":
  version: 0.0.0-use.local
  resolution: "web@workspace:."
  dependencies:
    debug: "npm:^4.3.4"
    fsevents: "patch:fsevents@npm%3A^2.3.2#optional!builtin<compat/fsevents>"
    tool: "https://github.com/org/tool.git#commit=0123456789abcdef0123456789abcdef01234567"
    ui: "workspace:packages/ui"
  dependenciesMeta:
    fsevents:
      optional: true
  languageName: unknown
  linkType: soft
"#;

    #[test]
    fn berry_with_workspaces_patches_and_package_json() {
        let m = manifest(
            r#"{"name": "web", "version": "2.0.0", "license": "ISC",
                "dependencies": {"debug": "^4.3.4", "ui": "workspace:packages/ui"},
                "devDependencies": {"tool": "https://github.com/org/tool.git"},
                "optionalDependencies": {"fsevents": "^2.3.2"}}"#,
        );
        let p = project_from(BERRY, Some(&m), Path::new("yarn.lock")).expect("parses");
        let web = find(&p, "pkg:npm/web@2.0.0");
        assert!(web.first_party);
        assert_eq!(web.licenses, vec!["ISC".to_owned()]);
        assert_eq!(web.source, Source::Path { path: ".".into() });
        let ui = find(&p, "pkg:npm/ui@0.0.0-use.local");
        assert!(ui.first_party && !ui.direct);
        let debug = find(&p, "pkg:npm/debug@4.3.4");
        assert!(debug.direct);
        assert_eq!(debug.hashes.len(), 1);
        assert_eq!(debug.hashes[0].alg, HashAlg::Sha512);
        assert_eq!(
            debug.source,
            Source::Registry {
                url: YARN_REGISTRY.into()
            }
        );
        let ms = find(&p, "pkg:npm/ms@2.1.2");
        assert_eq!(ms.hashes.len(), 1, "checksum without a cache key");
        assert!(!ms.direct);
        // The patched fsevents and the original are one package.
        let fsevents = find(&p, "pkg:npm/fsevents@2.3.3");
        assert_eq!(fsevents.scope, Scope::Optional);
        assert!(fsevents.direct);
        let tool = p.components.iter().find(|c| c.name == "tool").expect("git");
        assert_eq!(tool.scope, Scope::Dev);
        assert!(
            matches!(&tool.source, Source::Git { rev: Some(r), url } if r.starts_with("0123") && url == "https://github.com/org/tool.git")
        );
        assert_eq!(p.components.len(), 6);
    }

    #[test]
    fn malformed_lockfiles_are_named() {
        for (text, expect) in [
            ("hello\n", "line 1: \"hello\" is not `descriptors:`"),
            ("  version \"1\"\n", "a field before any package"),
            ("a@1:\n      x y\n", "unexpected indentation"),
            ("a@1:\n  resolved \"x\"\n", "a has no version"),
            ("nothing:\n", "is not `name@range`"),
            ("__metadata:\n  version: 8\nx: [\n", "not YAML"),
            (
                "__metadata:\n  version: 8\n\"a@npm:1\": 3\n",
                "not a mapping",
            ),
            (
                "__metadata:\n  version: 8\n\"a@npm:1\":\n  version: 1.0.0\n",
                "no resolution",
            ),
            (
                "__metadata:\n  version: 8\n\"a@npm:1\":\n  resolution: \"a@npm:1.0.0\"\n",
                "no version",
            ),
        ] {
            let err = project_from_text(text, Path::new("yarn.lock")).expect_err(text);
            let s = err.to_string();
            assert!(s.starts_with("yarn.lock: ") && s.contains(expect), "{s}");
        }
        assert!(
            project_from_text("# yarn lockfile v1\n", Path::new("yarn.lock"))
                .expect("an empty lockfile")
                .components
                .is_empty()
        );
    }
}
