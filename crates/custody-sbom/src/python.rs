//! Python: `requirements*.txt` as pip reads them, with `--hash` pins.
//!
//! Continuation lines, comments, `-r`/`--requirement` includes (relative to the including
//! file, each file once), `-i`/`--index-url` (the registry of every requirement),
//! `-e`/editable and `name @ URL` requirements (path, VCS or URL sources), extras and
//! environment markers (kept out of the name). A requirement pinned with `==` or `===`
//! has a version; any other specifier leaves it unpinned (an empty version, which no
//! advisory can match: the scan counts it). pip-compile's `# via` comments give the graph:
//! `# via -r …` marks a direct requirement, `# via pkg` an edge from `pkg`. Without them,
//! every requirement is direct. A file whose name says `dev` or `test` holds development
//! requirements.

use crate::component::{Component, Ecosystem, Hash, HashAlg, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::purl::Purl;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// PyPI's index, the registry of packages whose lockfile names no other.
pub(crate) const PYPI: &str = "https://pypi.org/simple";

/// The name PyPI and package URLs use: lower case, runs of `-`, `_`, `.` as one `-`.
#[must_use]
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// The purl of a PyPI package: the normalised name, `repository_url` for an index other
/// than PyPI's, `vcs_url` for git sources, `download_url` for plain URLs; an empty
/// version is left out.
/// The purl of a PyPI package from where it comes: a registry's URL is the index.
pub(crate) fn pypi_purl_from(name: &str, version: &str, source: &Source) -> Purl {
    let index = match source {
        Source::Registry { url } => Some(url.as_str()),
        _ => None,
    };
    pypi_purl(name, version, index, source)
}

pub(crate) fn pypi_purl(name: &str, version: &str, index: Option<&str>, source: &Source) -> Purl {
    let mut q = BTreeMap::new();
    if let Some(i) = index.filter(|i| !i.trim_end_matches('/').ends_with("pypi.org/simple")) {
        q.insert("repository_url", i.to_owned());
    }
    if let Source::Git { url, rev } = source {
        q.insert(
            "vcs_url",
            match rev {
                Some(rev) => format!("git+{url}@{rev}"),
                None => format!("git+{url}"),
            },
        );
    }
    if let Source::Url { url } = source {
        q.insert("download_url", url.clone());
    }
    let version = (!version.is_empty()).then_some(version);
    Purl::new("pypi", None, &normalise(name), version, &q)
}

/// The name at the start of a PEP 508 requirement (`requests[socks]>=2; …`), if it is a
/// package name.
pub(crate) fn pep508_name(requirement: &str) -> Option<&str> {
    let r = requirement.trim_start();
    let end = r
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(r.len());
    check_name(&r[..end]).ok().map(|()| &r[..end])
}

/// The hex digest of a `sha256:…` string as lockfiles of Python tools write it, when
/// the algorithm is one of the SHA-2 family and the digest is well formed.
pub(crate) fn prefixed_hash(text: &str) -> Option<Hash> {
    let (alg, hex) = text.split_once(':')?;
    let alg = match alg {
        "sha256" => HashAlg::Sha256,
        "sha384" => HashAlg::Sha384,
        "sha512" => HashAlg::Sha512,
        _ => return None,
    };
    Hash::from_hex(alg, hex)
}

/// One requirement as read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Requirement {
    name: String,
    version: String,
    source: Source,
    hashes: Vec<Hash>,
    via: Vec<String>,
}

/// Whether a file name is one custody reads as pip requirements.
#[must_use]
pub fn is_requirements_file(name: &str) -> bool {
    name.starts_with("requirements") && name.ends_with(".txt")
}

/// Read a project from a requirements file (and the files it includes).
///
/// # Errors
/// The file or an included one cannot be read, or a line is not a requirement.
pub fn read_project(path: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let mut seen = BTreeSet::new();
    let mut index: Option<String> = None;
    let mut reqs = Vec::new();
    read_file(path, shown_as, &mut seen, &mut index, &mut reqs, 0)?;
    let name = shown_as
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let scope = if name.contains("dev") || name.contains("test") {
        Scope::Dev
    } else {
        Scope::Runtime
    };
    Ok(project_from(reqs, index.as_deref(), scope, shown_as))
}

/// Read the text of a requirements file alone (includes are not followed): for fuzzing
/// and for files that are not on disk.
///
/// # Errors
/// A line is not a requirement.
pub fn project_from_text(text: &str, shown_as: &Path) -> Result<Project, SbomError> {
    let mut index = None;
    let mut reqs = Vec::new();
    parse_text(text, shown_as, &mut index, &mut reqs, &mut |_| Ok(()))?;
    Ok(project_from(
        reqs,
        index.as_deref(),
        Scope::Runtime,
        shown_as,
    ))
}

const MAX_INCLUDE_DEPTH: usize = 16;

fn read_file(
    path: &Path,
    shown_as: &Path,
    seen: &mut BTreeSet<PathBuf>,
    index: &mut Option<String>,
    reqs: &mut Vec<Requirement>,
    depth: usize,
) -> Result<(), SbomError> {
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    if !seen.insert(key) {
        return Ok(());
    }
    if depth > MAX_INCLUDE_DEPTH {
        return Err(SbomError::malformed(
            shown_as,
            "requirements files include each other too deeply",
        ));
    }
    let text = read_limited(path, "requirements file")?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_owned();
    let shown_dir = shown_as.parent().unwrap_or(Path::new("")).to_owned();
    let mut includes = Vec::new();
    parse_text(&text, shown_as, index, reqs, &mut |inc: &str| {
        includes.push(inc.to_owned());
        Ok(())
    })?;
    for inc in includes {
        read_file(
            &dir.join(&inc),
            &shown_dir.join(&inc),
            seen,
            index,
            reqs,
            depth + 1,
        )?;
    }
    Ok(())
}

/// Logical lines: continuations joined, comments removed, each with the comment text
/// (for `# via`).
fn logical_lines(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut pending = String::new();
    for raw in text.lines() {
        let (code, comment) = match raw.find(" #").or_else(|| raw.starts_with('#').then_some(0)) {
            Some(i) => (
                &raw[..i],
                raw[i..].trim_start().trim_start_matches('#').trim(),
            ),
            None => (raw, ""),
        };
        let code = code.trim_end();
        if let Some(cont) = code.strip_suffix('\\') {
            pending.push_str(cont);
            pending.push(' ');
            continue;
        }
        pending.push_str(code);
        out.push((std::mem::take(&mut pending), comment.to_owned()));
    }
    if !pending.trim().is_empty() {
        out.push((pending, String::new()));
    }
    out
}

fn parse_text(
    text: &str,
    shown_as: &Path,
    index: &mut Option<String>,
    reqs: &mut Vec<Requirement>,
    include: &mut dyn FnMut(&str) -> Result<(), SbomError>,
) -> Result<(), SbomError> {
    let mut in_via = false;
    for (n, (line, comment)) in logical_lines(text).into_iter().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            // pip-compile: `# via` and the indented names below it.
            if let Some(last) = reqs.last_mut() {
                if let Some(rest) = comment.strip_prefix("via") {
                    in_via = true;
                    let rest = rest.trim();
                    if !rest.is_empty() {
                        last.via.push(rest.to_owned());
                    }
                } else if in_via && !comment.is_empty() {
                    last.via.push(comment.clone());
                } else {
                    in_via = false;
                }
            }
            continue;
        }
        in_via = false;
        let bad = |m: String| SbomError::malformed(shown_as, format!("line {}: {m}", n + 1));
        if line.starts_with('-') {
            let (opt, value) = match line.split_once(['=', ' ', '\t']) {
                Some((o, v)) => (o, v.trim()),
                None => (line, ""),
            };
            match opt {
                "-r" | "--requirement" => include(value)?,
                "-i" | "--index-url" => *index = Some(value.to_owned()),
                "-e" | "--editable" => reqs.push(editable(value).map_err(bad)?),
                // Constraints, extra indexes, find-links, pip options: nothing to record.
                _ => {}
            }
            continue;
        }
        reqs.push(requirement(line).map_err(bad)?);
    }
    Ok(())
}

/// A pip VCS URL after `git+`: `URL@REV` (a revision has no `/`; an `@` before the path
/// is a user name).
fn git_source(git: &str) -> Source {
    let (url, rev) = match git.rsplit_once('@') {
        Some((u, r)) if !r.contains('/') => (u, Some(r.to_owned())),
        _ => (git, None),
    };
    Source::Git {
        url: url.to_owned(),
        rev,
    }
}

fn editable(value: &str) -> Result<Requirement, String> {
    let (url, name) = match value.split_once("#egg=") {
        Some((u, e)) => (u, e.split('&').next().unwrap_or(e)),
        None => (value, value.rsplit('/').next().unwrap_or(value)),
    };
    let source = if let Some(git) = url.strip_prefix("git+") {
        git_source(git)
    } else if url.contains("://") {
        Source::Url {
            url: url.to_owned(),
        }
    } else {
        Source::Path {
            path: url.to_owned(),
        }
    };
    let name = name.trim_end_matches(".git");
    check_name(name).map_err(|e| format!("editable requirement {value:?}: {e}"))?;
    Ok(Requirement {
        name: name.to_owned(),
        version: String::new(),
        source,
        hashes: Vec::new(),
        via: vec!["-e".into()],
    })
}

fn requirement(line: &str) -> Result<Requirement, String> {
    // Options after the requirement (`--hash=…`).
    let mut parts = line.split_whitespace().peekable();
    let mut spec = String::new();
    let mut hashes = Vec::new();
    while let Some(p) = parts.next() {
        if let Some(h) = p
            .strip_prefix("--hash=")
            .or_else(|| (p == "--hash").then(|| parts.next()).flatten())
        {
            let (alg, hex) = h
                .split_once(':')
                .ok_or_else(|| format!("--hash {h:?} has no algorithm"))?;
            let alg = match alg {
                "sha256" => HashAlg::Sha256,
                "sha384" => HashAlg::Sha384,
                "sha512" => HashAlg::Sha512,
                other => return Err(format!("--hash algorithm {other:?} is not one pip accepts")),
            };
            hashes.push(
                Hash::from_hex(alg, hex).ok_or_else(|| format!("--hash {h:?} is not a digest"))?,
            );
        } else if p.starts_with("--") {
            // Per-requirement options pip accepts (--global-option, …).
            parts.next_if(|n| !n.starts_with('-'));
        } else {
            if !spec.is_empty() {
                spec.push(' ');
            }
            spec.push_str(p);
        }
    }
    let spec = spec.split(';').next().unwrap_or_default().trim();
    if let Some((name, url)) = spec
        .split_once(" @ ")
        .or_else(|| spec.split_once('@').filter(|(_, u)| u.contains("://")))
    {
        let name = name.split('[').next().unwrap_or(name).trim();
        check_name(name)?;
        let url = url.trim();
        let source = match url.strip_prefix("git+") {
            Some(git) => git_source(git),
            None => Source::Url {
                url: url.to_owned(),
            },
        };
        return Ok(Requirement {
            name: name.to_owned(),
            version: String::new(),
            source,
            hashes,
            via: Vec::new(),
        });
    }
    let end = spec
        .find(['=', '<', '>', '!', '~', '[', '(', ' '])
        .unwrap_or(spec.len());
    let name = spec[..end].trim();
    check_name(name)?;
    let rest = spec[end..].trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(r) => r
            .split_once(']')
            .map_or("", |(_, after)| after)
            .trim_start(),
        None => rest,
    };
    let rest = rest.trim_start_matches('(').trim_end_matches(')').trim();
    let version = match rest.strip_prefix("===").or_else(|| rest.strip_prefix("==")) {
        // `==1.*` and `==1.0, !=1.0.1` pin nothing exact.
        Some(v) if v.contains([',', '*']) => String::new(),
        Some(v) => {
            let v = v.trim();
            if v.is_empty()
                || !v
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_' | '!'))
            {
                return Err(format!("{v:?} is not a version"));
            }
            v.to_owned()
        }
        None => {
            // Other specifiers must at least look like specifiers.
            if !rest.is_empty() && !rest.starts_with(['<', '>', '!', '~', '=']) {
                return Err(format!("{spec:?} is not a requirement"));
            }
            String::new()
        }
    };
    Ok(Requirement {
        name: name.to_owned(),
        version,
        source: Source::Unknown,
        hashes,
        via: Vec::new(),
    })
}

fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(format!("{name:?} is not a package name"))
    }
}

fn project_from(
    reqs: Vec<Requirement>,
    index: Option<&str>,
    scope: Scope,
    shown_as: &Path,
) -> Project {
    let any_via = reqs.iter().any(|r| !r.via.is_empty() && r.via != ["-e"]);
    let registry = index.unwrap_or(PYPI);
    let purl_of = |r: &Requirement| pypi_purl(&r.name, &r.version, index, &r.source);
    let by_name: BTreeMap<String, Purl> = reqs
        .iter()
        .map(|r| (normalise(&r.name), purl_of(r)))
        .collect();
    let mut deps: BTreeMap<String, BTreeSet<Purl>> = BTreeMap::new();
    for r in &reqs {
        for v in &r.via {
            if by_name.contains_key(&normalise(v)) {
                deps.entry(normalise(v)).or_default().insert(purl_of(r));
            }
        }
    }
    let mut components: Vec<Component> = reqs
        .iter()
        .map(|r| {
            let direct = !any_via || r.via.is_empty() || r.via.iter().any(|v| v.starts_with('-'));
            Component {
                ecosystem: Ecosystem::PyPI,
                name: normalise(&r.name),
                version: r.version.clone(),
                purl: purl_of(r),
                scope,
                direct,
                first_party: false,
                source: match &r.source {
                    Source::Unknown => Source::Registry {
                        url: registry.to_owned(),
                    },
                    other => other.clone(),
                },
                hashes: r.hashes.clone(),
                licenses: Vec::new(),
                dependencies: deps.get(&normalise(&r.name)).cloned().unwrap_or_default(),
            }
        })
        .collect();
    components.sort_by(|a, b| a.purl.cmp(&b.purl));
    components.dedup_by(|a, b| {
        if a.purl == b.purl {
            b.hashes.append(&mut a.hashes);
            b.direct |= a.direct;
            true
        } else {
            false
        }
    });
    Project {
        lockfile: shown_as.to_owned(),
        ecosystem: Ecosystem::PyPI,
        components,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPILED: &str = "\
#
# This file is autogenerated by pip-compile
#
--index-url https://pypi.org/simple

asgiref==3.7.2 \\
    --hash=sha256:89b2ef2247e3b562a16eef663bc0e2e703ec6468e2fa8a5cd61cd449786d4f6e \\
    --hash=sha256:9e0ce3aa93a819ba5b45120216b23878cf6e8525eb3848653452b4192b92afed
    # via django
Django[argon2]==4.2.7 ; python_version >= \"3.8\"
    # via -r requirements.in
sqlparse==0.4.4
    # via
    #   django
    #   foo
requests>=2.0
-e git+https://github.com/org/tool.git@v1.2#egg=tool
wheel @ https://files.example/wheel-0.42.0-py3-none-any.whl
";

    #[test]
    fn a_pip_compile_file_gives_pins_hashes_and_the_graph() {
        let p = project_from_text(COMPILED, Path::new("requirements.txt")).expect("parses");
        let names: Vec<(&str, &str, bool)> = p
            .components
            .iter()
            .map(|c| (c.name.as_str(), c.version.as_str(), c.direct))
            .collect();
        assert_eq!(
            names,
            vec![
                ("asgiref", "3.7.2", false),
                ("django", "4.2.7", true),
                ("requests", "", true),
                ("sqlparse", "0.4.4", false),
                ("tool", "", true),
                ("wheel", "", true),
            ]
        );
        let django = &p.components[1];
        assert_eq!(django.purl.as_str(), "pkg:pypi/django@4.2.7");
        assert_eq!(
            django
                .dependencies
                .iter()
                .map(Purl::as_str)
                .collect::<Vec<_>>(),
            vec!["pkg:pypi/asgiref@3.7.2", "pkg:pypi/sqlparse@0.4.4"]
        );
        assert_eq!(p.components[0].hashes.len(), 2);
        assert!(matches!(&p.components[4].source, Source::Git { rev: Some(r), .. } if r == "v1.2"));
        assert!(matches!(&p.components[5].source, Source::Url { .. }));
    }

    #[test]
    fn includes_are_followed_once_and_dev_files_are_dev() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("reqs")).expect("mkdir");
        std::fs::write(
            dir.path().join("requirements-dev.txt"),
            "-r reqs/base.txt\npytest==8.0.0\n",
        )
        .expect("write");
        std::fs::write(
            dir.path().join("reqs/base.txt"),
            "-r base.txt\nflask==3.0.0\n",
        )
        .expect("write");
        let p = read_project(
            &dir.path().join("requirements-dev.txt"),
            Path::new("requirements-dev.txt"),
        )
        .expect("reads");
        let names: Vec<&str> = p.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["flask", "pytest"]);
        assert!(p.components.iter().all(|c| c.scope == Scope::Dev));
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        for (text, expect) in [
            ("ok==1\n!!!\n", "line 2"),
            ("a==1 --hash=md5:00\n", "md5"),
            ("a==1 --hash=sha256:zz\n", "not a digest"),
            ("requests==2.19s==2.1 \\\n tests.\n", "not a version"),
            ("requests 2.0\n", "not a requirement"),
            ("-e git+https:/\n", "editable requirement"),
        ] {
            let err = project_from_text(text, Path::new("requirements.txt")).expect_err(text);
            let s = err.to_string();
            assert!(
                s.starts_with("requirements.txt: ") && s.contains(expect),
                "{s}"
            );
        }
    }

    #[test]
    fn names_normalise_as_pypi_does() {
        assert_eq!(normalise("Django_REST.framework"), "django-rest-framework");
    }
}
