//! Debian: the packages installed in a root file system, from dpkg's database
//! (`var/lib/dpkg/status`).
//!
//! The status file is a list of RFC 822-style stanzas, one per package dpkg knows; only
//! those whose `Status` is `install ok installed` are installed (removed packages whose
//! configuration files remain, half-installed and unpacked ones are not). Each gives
//! `Package`, `Version` (with its epoch, `1:8.1p1-5`), `Architecture` (the purl's `arch`
//! qualifier) and, when the source package has another name or version, `Source`
//! (`glibc`, or `bash (5.2.15-2)`), kept as the purl's `upstream` qualifier (Debian's
//! advisories name source packages). `Depends` and `Pre-Depends` give the edges, to the
//! installed package of each name (or the installed packages that `Provides` it), the
//! first alternative of `a | b` that is installed. The status file records no hashes,
//! licenses or where packages came from; a package nothing installed depends on is taken
//! as direct (asked for rather than pulled in).

use crate::component::{Component, Ecosystem, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::graph;
use crate::purl::Purl;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Whether a path is dpkg's status file of a root file system (`…/var/lib/dpkg/status`).
#[must_use]
pub fn is_status_file(path: &Path) -> bool {
    let names: Vec<&str> = path
        .components()
        .rev()
        .take(4)
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    names == ["status", "dpkg", "lib", "var"]
}

/// Read the installed packages from a `var/lib/dpkg/status` file.
///
/// # Errors
/// The file cannot be read or is not a dpkg status file.
pub fn read_project(path: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let text = read_limited(path, "dpkg status file")?;
    project_from_text(&text, shown_as)
}

/// One installed package.
struct Installed {
    name: String,
    version: String,
    arch: String,
    source: Option<(String, Option<String>)>,
    depends: Vec<Vec<String>>,
    provides: Vec<String>,
}

/// Read the installed packages from the text of a dpkg status file.
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the text is not a status file, or an
/// installed package has no name or version.
pub fn project_from_text(text: &str, shown_as: &Path) -> Result<Project, SbomError> {
    let mut installed: Vec<Installed> = Vec::new();
    let mut stanzas = 0usize;
    for (line_no, stanza) in stanzas_of(text) {
        let bad =
            |m: String| SbomError::malformed(shown_as, format!("package at line {line_no}: {m}"));
        let fields = fields_of(&stanza).map_err(&bad)?;
        if fields.is_empty() {
            continue;
        }
        stanzas += 1;
        let get = |k: &str| fields.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let name = get("package").ok_or_else(|| bad("no Package field".into()))?;
        if !is_word(name) {
            return Err(bad(format!("{name:?} is not a package name")));
        }
        let status: Vec<&str> = get("status")
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        if status != ["install", "ok", "installed"] {
            continue;
        }
        let version = get("version").ok_or_else(|| bad(format!("{name} has no Version")))?;
        if !is_word(version) {
            return Err(bad(format!("{name}: {version:?} is not a version")));
        }
        let source = match get("source") {
            None => None,
            Some(s) => {
                Some(parse_source(s).ok_or_else(|| bad(format!("{name}: {s:?} is not a Source")))?)
            }
        };
        let mut depends = Vec::new();
        for key in ["pre-depends", "depends"] {
            if let Some(d) = get(key) {
                depends.extend(relations(d));
            }
        }
        installed.push(Installed {
            name: name.to_owned(),
            version: version.to_owned(),
            arch: get("architecture").unwrap_or_default().to_owned(),
            source,
            depends,
            provides: get("provides")
                .map(relations)
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .collect(),
        });
    }
    if stanzas == 0 && !text.trim().is_empty() {
        return Err(SbomError::malformed(shown_as, "no package stanzas"));
    }
    let purls: Vec<Purl> = installed.iter().map(purl_of).collect();
    // Name (and provided name) → installed packages.
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut providers: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in installed.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
        for v in &p.provides {
            providers.entry(v.as_str()).or_default().push(i);
        }
    }
    let mut depended = vec![false; installed.len()];
    let edges: Vec<BTreeSet<usize>> = installed
        .iter()
        .map(|p| {
            let mut out = BTreeSet::new();
            for alternatives in &p.depends {
                let found = alternatives.iter().find_map(|a| {
                    let hits = by_name
                        .get(a.as_str())
                        .or_else(|| providers.get(a.as_str()))?;
                    // Multi-Arch: the package of the same architecture (or `all`) when
                    // several are installed.
                    let same: Vec<usize> = hits
                        .iter()
                        .copied()
                        .filter(|&j| installed[j].arch == p.arch || installed[j].arch == "all")
                        .collect();
                    Some(if same.is_empty() { hits.clone() } else { same })
                });
                out.extend(found.unwrap_or_default());
            }
            out
        })
        .collect();
    for (i, e) in edges.iter().enumerate() {
        for &j in e {
            if j != i {
                depended[j] = true;
            }
        }
    }
    let components = installed
        .iter()
        .enumerate()
        .map(|(i, p)| Component {
            ecosystem: Ecosystem::Debian,
            name: p.name.clone(),
            version: p.version.clone(),
            purl: purls[i].clone(),
            scope: Scope::Runtime,
            direct: !depended[i],
            first_party: false,
            source: Source::Unknown,
            hashes: Vec::new(),
            licenses: Vec::new(),
            dependencies: edges[i].iter().map(|&j| purls[j].clone()).collect(),
        })
        .collect();
    Ok(Project {
        lockfile: shown_as.to_owned(),
        ecosystem: Ecosystem::Debian,
        components: graph::settle(components),
    })
}

/// The stanzas of a deb822 text, each with the line it starts on.
fn stanzas_of(text: &str) -> Vec<(usize, Vec<&str>)> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut start = 1;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push((start, std::mem::take(&mut current)));
            }
            start = n + 2;
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push((start, current));
    }
    out
}

/// The fields of a stanza, names lower-cased, continuation lines joined.
fn fields_of(lines: &[&str]) -> Result<BTreeMap<String, String>, String> {
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    let mut last: Option<String> = None;
    for line in lines {
        if line.starts_with(['#']) {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            let key = last
                .as_ref()
                .ok_or_else(|| format!("{line:?} continues no field"))?;
            if let Some(v) = fields.get_mut(key) {
                v.push('\n');
                v.push_str(line.trim());
            }
            continue;
        }
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| format!("{line:?} is not `Field: value`"))?;
        if k.is_empty() || k.contains(char::is_whitespace) {
            return Err(format!("{line:?} is not `Field: value`"));
        }
        let k = k.to_ascii_lowercase();
        fields.insert(k.clone(), v.trim().to_owned());
        last = Some(k);
    }
    Ok(fields)
}

/// A package name or version as dpkg writes them: no spaces, no separators of fields.
fn is_word(s: &str) -> bool {
    !s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ',' | '|' | '(' | ')'))
}

/// `name` or `name (version)`.
fn parse_source(text: &str) -> Option<(String, Option<String>)> {
    let (name, version) = match text.split_once('(') {
        Some((n, rest)) => {
            let v = rest.strip_suffix(')')?.trim();
            (n.trim(), Some(v))
        }
        None => (text.trim(), None),
    };
    if !is_word(name) || version.is_some_and(|v| !is_word(v)) {
        return None;
    }
    Some((name.to_owned(), version.map(str::to_owned)))
}

/// A relationship field (`a (>= 1) | b:any, c [amd64]`) as groups of alternative names,
/// version constraints, architecture qualifiers and restrictions left out.
fn relations(text: &str) -> Vec<Vec<String>> {
    text.split(',')
        .map(|group| {
            group
                .split('|')
                .filter_map(|alt| {
                    let alt = alt.trim();
                    let end = alt
                        .find(|c: char| c.is_whitespace() || matches!(c, '(' | '[' | '<' | ':'))
                        .unwrap_or(alt.len());
                    let name = &alt[..end];
                    is_word(name).then(|| name.to_owned())
                })
                .collect::<Vec<String>>()
        })
        .filter(|g| !g.is_empty())
        .collect()
}

fn purl_of(p: &Installed) -> Purl {
    let mut q = BTreeMap::new();
    q.insert("arch", p.arch.clone());
    if let Some((name, version)) = &p.source {
        let upstream = match version {
            Some(v) if *v != p.version => format!("{name}@{v}"),
            _ => name.clone(),
        };
        if upstream != p.name {
            q.insert("upstream", upstream);
        }
    }
    Purl::new("deb", Some("debian"), &p.name, Some(&p.version), &q)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "\
Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 13001
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Depends: libgcc-s1
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.

Package: libgcc-s1
Status: install ok installed
Architecture: amd64
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14
Depends: gcc-12-base (= 12.2.0-14), libc6 (>= 2.35)

Package: gcc-12-base
Status: install ok installed
Architecture: amd64
Source: gcc-12
Version: 12.2.0-14

Package: bash
Essential: yes
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2
Source: bash (5.2.15-2)
Pre-Depends: libc6 (>= 2.36), libtinfo6 (>= 6)
Depends: base-files (>= 2.1.12), debianutils (>= 5.6-0.1)

Package: mawk
Status: install ok installed
Architecture: amd64
Version: 1.3.4.20200120-3.1
Provides: awk
Pre-Depends: libc6 (>= 2.34)

Package: openssh-client
Status: install ok installed
Architecture: amd64
Source: openssh
Version: 1:9.2p1-2+deb12u2
Depends: adduser, awk | original-awk, libc6:amd64 (>= 2.36)

Package: vim
Status: deinstall ok config-files
Architecture: amd64
Version: 2:9.0.1378-2

Package: tzdata
Status: install ok half-configured
Architecture: all
Version: 2024a-0+deb12u1
";

    #[test]
    fn installed_packages_sources_and_edges() {
        let p = project_from_text(STATUS, Path::new("var/lib/dpkg/status")).expect("parses");
        assert_eq!(p.components.len(), 6, "not removed or half-configured ones");
        let libc =
            p.expect_component("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc");
        assert_eq!(libc.version, "2.36-9+deb12u4");
        assert_eq!(libc.ecosystem, Ecosystem::Debian);
        assert!(!libc.direct);
        let deps: Vec<&str> = libc.dependencies.iter().map(Purl::as_str).collect();
        assert_eq!(
            deps,
            vec!["pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&upstream=gcc-12"]
        );
        // A source version other than the package's is kept with it.
        let bash = p.expect_component(
            "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&upstream=bash%405.2.15-2",
        );
        assert!(bash.direct);
        // libtinfo6, base-files and debianutils are not installed here: no edges.
        assert_eq!(bash.dependencies.len(), 1);
        // The epoch is kept; `awk` is mawk, which provides it; `libc6:amd64` is libc6.
        let ssh = p.expect_component(
            "pkg:deb/debian/openssh-client@1:9.2p1-2%2Bdeb12u2?arch=amd64&upstream=openssh",
        );
        let deps: Vec<&str> = ssh.dependencies.iter().map(Purl::as_str).collect();
        assert_eq!(
            deps,
            vec![
                "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc",
                "pkg:deb/debian/mawk@1.3.4.20200120-3.1?arch=amd64",
            ]
        );
        assert!(
            p.components
                .iter()
                .all(|c| c.name != "vim" && c.name != "tzdata")
        );
    }

    #[test]
    fn the_status_file_is_found_by_its_whole_path() {
        assert!(is_status_file(Path::new("rootfs/var/lib/dpkg/status")));
        assert!(is_status_file(Path::new("/var/lib/dpkg/status")));
        assert!(!is_status_file(Path::new("status")));
        assert!(!is_status_file(Path::new("lib/dpkg/status")));
        assert!(!is_status_file(Path::new("var/lib/dpkg/status-old")));
        assert!(!is_status_file(Path::new("docs/var/lib/dpkg/x/status")));
    }

    #[test]
    fn malformed_status_files_are_named() {
        for (text, expect) in [
            (
                "hello\n",
                "package at line 1: \"hello\" is not `Field: value`",
            ),
            (" continued\n", "continues no field"),
            ("Status: install ok installed\n", "no Package field"),
            (
                "Package: a\n\nPackage: b\nStatus: install ok installed\n",
                "package at line 3: b has no Version",
            ),
            (
                "Package: a b\nStatus: install ok installed\nVersion: 1\n",
                "is not a package name",
            ),
            (
                "Package: a\nStatus: install ok installed\nVersion: 1\nSource: x (1\n",
                "is not a Source",
            ),
            ("# only a comment\n", "no package stanzas"),
        ] {
            let err = project_from_text(text, Path::new("var/lib/dpkg/status")).expect_err(text);
            let s = err.to_string();
            assert!(
                s.starts_with("var/lib/dpkg/status: ") && s.contains(expect),
                "{s}"
            );
        }
        let empty = project_from_text("", Path::new("status")).expect("an empty database");
        assert!(empty.components.is_empty());
    }
}
