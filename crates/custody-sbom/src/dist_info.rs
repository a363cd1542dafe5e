//! Python: the packages installed in an environment, from the `*.dist-info` directories
//! of its `site-packages` (or `dist-packages`) directory, one project per directory.
//!
//! Each `NAME-VERSION.dist-info/METADATA` (the core metadata, RFC 822 headers) gives
//! `Name`, `Version`, the license (`License-Expression`, else a one-line `License`, else
//! the `License ::` classifiers) and `Requires-Dist`, whose requirements of installed
//! packages are the edges (requirements only an extra asks for, `; extra == "…"`, are
//! left out: nothing says the extra was installed). `REQUESTED` (written by pip and uv
//! for what was asked for by name) marks the direct packages; when no package has one,
//! the packages nothing installed requires are taken as direct. `direct_url.json`
//! (PEP 610) says where a package installed from a URL, a VCS or a directory came from,
//! with the archive's hash when recorded; an editable install of a directory is the
//! project's own (first-party). Others come from an index the files do not name, taken
//! as PyPI's, as for a requirements file. `RECORD` lists installed files, not the
//! distribution's digest, and is not read; neither are `.egg-info` directories.

use crate::component::{Component, Ecosystem, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::graph;
use crate::purl::Purl;
use crate::python::{PYPI, normalise, pep508_name, prefixed_hash, pypi_purl_from};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// At most this many `.dist-info` directories are read from one directory.
const MAX_DISTS: usize = 100_000;

/// One installed distribution's files, as text.
#[derive(Debug, Clone, Copy)]
pub struct DistInfo<'a> {
    /// The directory's name (`requests-2.31.0.dist-info`), for messages.
    pub dir: &'a str,
    /// `METADATA`.
    pub metadata: &'a str,
    /// `direct_url.json`, when there is one.
    pub direct_url: Option<&'a str>,
    /// Whether there is a `REQUESTED` file.
    pub requested: bool,
}

/// Whether a path is the `METADATA` of a `.dist-info` directory.
#[must_use]
pub fn is_metadata(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "METADATA")
        && path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|d| d.to_string_lossy().ends_with(".dist-info"))
}

/// Read the installed packages of a `site-packages` directory.
///
/// # Errors
/// The directory or a `METADATA` cannot be read, or one is not core metadata.
pub fn read_site_packages(dir: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| SbomError::Io { path, source }
    };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".dist-info") && entry.path().join("METADATA").is_file() {
            names.push(name);
            if names.len() > MAX_DISTS {
                return Err(SbomError::malformed(
                    shown_as,
                    format!("more than {MAX_DISTS} .dist-info directories"),
                ));
            }
        }
    }
    names.sort();
    let mut texts = Vec::new();
    for name in &names {
        let d = dir.join(name);
        let metadata = read_limited(&d.join("METADATA"), "METADATA")?;
        let direct_url_path = d.join("direct_url.json");
        let direct_url = if direct_url_path.is_file() {
            Some(read_limited(&direct_url_path, "direct_url.json")?)
        } else {
            None
        };
        texts.push((
            name.as_str(),
            metadata,
            direct_url,
            d.join("REQUESTED").is_file(),
        ));
    }
    let dists: Vec<DistInfo<'_>> = texts
        .iter()
        .map(|(dir, metadata, direct_url, requested)| DistInfo {
            dir,
            metadata,
            direct_url: direct_url.as_deref(),
            requested: *requested,
        })
        .collect();
    project_from_dists(&dists, shown_as)
}

/// One distribution as read.
struct Installed {
    name: String,
    version: String,
    licenses: Vec<String>,
    requires: Vec<String>,
    source: Source,
    hashes: Vec<crate::component::Hash>,
    editable: bool,
    requested: bool,
}

/// Read the installed packages from their `.dist-info` files.
///
/// # Errors
/// [`SbomError::Malformed`] naming the file under `shown_as` that is not what its name
/// says.
pub fn project_from_dists(dists: &[DistInfo<'_>], shown_as: &Path) -> Result<Project, SbomError> {
    let mut installed = Vec::new();
    for d in dists {
        let metadata_path = shown_as.join(d.dir).join("METADATA");
        let bad = |m: String| SbomError::malformed(&metadata_path, m);
        let headers = headers_of(d.metadata).map_err(&bad)?;
        let one = |k: &str| {
            headers
                .iter()
                .find(|(h, _)| h.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        let all = |k: &str| {
            headers
                .iter()
                .filter(|(h, _)| h.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.trim())
                .collect::<Vec<&str>>()
        };
        let name = one("Name").ok_or_else(|| bad("no Name: not core metadata".into()))?;
        if pep508_name(name) != Some(name) {
            return Err(bad(format!("{name:?} is not a package name")));
        }
        let version = one("Version").ok_or_else(|| bad(format!("{name} has no Version")))?;
        if version.contains(char::is_whitespace) {
            return Err(bad(format!("{name}: {version:?} is not a version")));
        }
        let (source, hashes, editable) = match d.direct_url {
            None => (Source::Registry { url: PYPI.into() }, Vec::new(), false),
            Some(text) => direct_url(text).map_err(|m| {
                SbomError::malformed(&shown_as.join(d.dir).join("direct_url.json"), m)
            })?,
        };
        installed.push(Installed {
            name: name.to_owned(),
            version: version.to_owned(),
            licenses: licenses_of(
                one("License-Expression"),
                one("License"),
                &all("Classifier"),
            ),
            requires: all("Requires-Dist")
                .into_iter()
                .filter(|r| !extra_only(r))
                .filter_map(pep508_name)
                .map(normalise)
                .collect(),
            source,
            hashes,
            editable,
            requested: d.requested,
        });
    }
    let purls: Vec<Purl> = installed
        .iter()
        .map(|p| pypi_purl_from(&p.name, &p.version, &p.source))
        .collect();
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in installed.iter().enumerate() {
        by_name.entry(normalise(&p.name)).or_default().push(i);
    }
    let edges: Vec<BTreeSet<usize>> = installed
        .iter()
        .map(|p| {
            p.requires
                .iter()
                .filter_map(|r| by_name.get(r))
                .flatten()
                .copied()
                .collect()
        })
        .collect();
    let any_requested = installed.iter().any(|p| p.requested);
    let mut required = vec![false; installed.len()];
    for (i, e) in edges.iter().enumerate() {
        for &j in e {
            if j != i && !installed[i].editable {
                required[j] = true;
            }
        }
    }
    let components = installed
        .iter()
        .enumerate()
        .map(|(i, p)| Component {
            ecosystem: Ecosystem::PyPI,
            name: normalise(&p.name),
            version: p.version.clone(),
            purl: purls[i].clone(),
            scope: Scope::Runtime,
            direct: !p.editable
                && if any_requested {
                    p.requested
                } else {
                    !required[i]
                },
            first_party: p.editable,
            source: p.source.clone(),
            hashes: p.hashes.clone(),
            licenses: p.licenses.clone(),
            dependencies: edges[i].iter().map(|&j| purls[j].clone()).collect(),
        })
        .collect();
    Ok(Project {
        lockfile: shown_as.to_owned(),
        ecosystem: Ecosystem::PyPI,
        components: graph::settle(components),
    })
}

/// The headers of core metadata (up to the first empty line: the description follows),
/// continuation lines joined.
fn headers_of(text: &str) -> Result<Vec<(&str, String)>, String> {
    let mut out: Vec<(&str, String)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            let (_, v) = out
                .last_mut()
                .ok_or_else(|| format!("line {}: continues no header", n + 1))?;
            v.push('\n');
            v.push_str(line.trim());
            continue;
        }
        let (k, v) = line
            .split_once(':')
            .filter(|(k, _)| !k.is_empty() && !k.contains(char::is_whitespace))
            .ok_or_else(|| format!("line {}: {line:?} is not `Header: value`", n + 1))?;
        out.push((k, v.trim().to_owned()));
    }
    Ok(out)
}

/// Whether a requirement applies only when an extra is asked for.
fn extra_only(requirement: &str) -> bool {
    requirement.split_once(';').is_some_and(|(_, marker)| {
        let m: String = marker.chars().filter(|c| !c.is_whitespace()).collect();
        m.contains("extra==") || m.contains("==extra")
    })
}

/// The declared licenses: the SPDX expression of metadata 2.4, else a one-line
/// `License` (older metadata often holds the whole license text there, or `UNKNOWN`),
/// else the license classifiers.
fn licenses_of(
    expression: Option<&str>,
    license: Option<&str>,
    classifiers: &[&str],
) -> Vec<String> {
    if let Some(e) = expression {
        return vec![e.to_owned()];
    }
    if let Some(l) = license.filter(|l| !l.contains('\n') && l.len() <= 100 && *l != "UNKNOWN") {
        return vec![l.to_owned()];
    }
    classifiers
        .iter()
        .filter_map(|c| c.strip_prefix("License ::"))
        .filter_map(|c| c.rsplit("::").next())
        .map(str::trim)
        .filter(|c| !c.is_empty() && *c != "OSI Approved")
        .map(|c| classifier_spdx(c).unwrap_or(c).to_owned())
        .collect()
}

/// The SPDX ID of a license classifier that names exactly one license.
fn classifier_spdx(classifier: &str) -> Option<&'static str> {
    Some(match classifier {
        "MIT License" => "MIT",
        "MIT No Attribution License (MIT-0)" => "MIT-0",
        "ISC License (ISCL)" => "ISC",
        "Apache Software License" => "Apache-2.0",
        "Mozilla Public License 2.0 (MPL 2.0)" => "MPL-2.0",
        "Python Software Foundation License" => "PSF-2.0",
        "The Unlicense (Unlicense)" => "Unlicense",
        "Zero-Clause BSD (0BSD)" => "0BSD",
        "GNU General Public License v2 (GPLv2)" => "GPL-2.0-only",
        "GNU General Public License v2 or later (GPLv2+)" => "GPL-2.0-or-later",
        "GNU General Public License v3 (GPLv3)" => "GPL-3.0-only",
        "GNU General Public License v3 or later (GPLv3+)" => "GPL-3.0-or-later",
        "GNU Lesser General Public License v3 (LGPLv3)" => "LGPL-3.0-only",
        "GNU Lesser General Public License v3 or later (LGPLv3+)" => "LGPL-3.0-or-later",
        "GNU Affero General Public License v3" => "AGPL-3.0-only",
        "GNU Affero General Public License v3 or later (AGPLv3+)" => "AGPL-3.0-or-later",
        _ => return None,
    })
}

/// Where `direct_url.json` says a package came from, its archive hash, and whether it is
/// an editable install.
fn direct_url(text: &str) -> Result<(Source, Vec<crate::component::Hash>, bool), String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let url = v
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .ok_or("no `url`")?
        .to_owned();
    if let Some(vcs) = v.get("vcs_info") {
        return Ok((
            Source::Git {
                url,
                rev: vcs
                    .get("commit_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            },
            Vec::new(),
            false,
        ));
    }
    if let Some(dir) = v.get("dir_info") {
        let editable = dir.get("editable").and_then(Value::as_bool) == Some(true);
        let path = url.strip_prefix("file://").unwrap_or(&url).to_owned();
        return Ok((Source::Path { path }, Vec::new(), editable));
    }
    let mut hashes = Vec::new();
    if let Some(archive) = v.get("archive_info") {
        if let Some(map) = archive.get("hashes").and_then(Value::as_object) {
            for (alg, hex) in map {
                if let Some(h) = hex
                    .as_str()
                    .and_then(|hex| prefixed_hash(&format!("{alg}:{hex}")))
                {
                    hashes.push(h);
                }
            }
        } else if let Some(h) = archive
            .get("hash")
            .and_then(Value::as_str)
            .and_then(|h| prefixed_hash(&h.replacen('=', ":", 1)))
        {
            hashes.push(h);
        }
    }
    let source = match url.strip_prefix("file://") {
        Some(path) => Source::Path {
            path: path.to_owned(),
        },
        None => Source::Url { url },
    };
    Ok((source, hashes, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::HashAlg;

    const REQUESTS: &str = "Metadata-Version: 2.1
Name: requests
Version: 2.31.0
Summary: Python HTTP for Humans.
Home-page: https://requests.readthedocs.io
License: Apache 2.0
Classifier: License :: OSI Approved :: Apache Software License
Requires-Python: >=3.7
Requires-Dist: charset-normalizer (<4,>=2)
Requires-Dist: idna (<4,>=2.5)
Requires-Dist: urllib3 (<3,>=1.21.1)
Requires-Dist: certifi (>=2017.4.17)
Provides-Extra: socks
Requires-Dist: PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'

# Requests
License: not a header
";

    const URLLIB3: &str = "Metadata-Version: 2.3
Name: urllib3
Version: 2.0.7
License-Expression: MIT
Requires-Dist: brotli>=1.0.9; (platform_python_implementation == 'CPython') and extra == 'brotli'
";

    const IDNA: &str = "Metadata-Version: 2.1
Name: idna
Version: 3.4
License: BSD License
        |
        | Copyright (c) 2013-2023, Kim Davies and contributors.
Classifier: License :: OSI Approved :: BSD License
";

    const CHARSET: &str = "Metadata-Version: 2.1
Name: charset_normalizer
Version: 3.3.2
License: MIT
";

    const APP: &str = "Metadata-Version: 2.1
Name: my-app
Version: 0.1.0
Requires-Dist: requests
Requires-Dist: PySocks; python_version >= \"3.8\"
";

    const SOCKS: &str = "Metadata-Version: 2.1
Name: PySocks
Version: 1.7.1
Classifier: License :: OSI Approved :: BSD License
";

    fn dist<'a>(dir: &'a str, metadata: &'a str) -> DistInfo<'a> {
        DistInfo {
            dir,
            metadata,
            direct_url: None,
            requested: false,
        }
    }

    #[test]
    fn installed_packages_edges_and_licenses() {
        let dists = [
            dist("charset_normalizer-3.3.2.dist-info", CHARSET),
            dist("idna-3.4.dist-info", IDNA),
            DistInfo {
                requested: true,
                ..dist("requests-2.31.0.dist-info", REQUESTS)
            },
            dist("urllib3-2.0.7.dist-info", URLLIB3),
            dist("PySocks-1.7.1.dist-info", SOCKS),
        ];
        let p =
            project_from_dists(&dists, Path::new("lib/python3.11/site-packages")).expect("parses");
        assert_eq!(p.components.len(), 5);
        let requests = p.expect_component("pkg:pypi/requests@2.31.0");
        assert!(requests.direct);
        assert_eq!(requests.licenses, vec!["Apache 2.0".to_owned()]);
        assert_eq!(requests.source, Source::Registry { url: PYPI.into() });
        let deps: Vec<&str> = requests.dependencies.iter().map(Purl::as_str).collect();
        assert_eq!(
            deps,
            vec![
                "pkg:pypi/charset-normalizer@3.3.2",
                "pkg:pypi/idna@3.4",
                "pkg:pypi/urllib3@2.0.7"
            ],
            "not certifi (not installed) nor PySocks (only for the socks extra)"
        );
        let idna = p.expect_component("pkg:pypi/idna@3.4");
        assert!(!idna.direct, "REQUESTED marks the direct ones");
        assert_eq!(idna.licenses, vec!["BSD License".to_owned()]);
        assert_eq!(
            p.expect_component("pkg:pypi/urllib3@2.0.7").licenses,
            vec!["MIT".to_owned()]
        );
        assert_eq!(p.expect_component("pkg:pypi/pysocks@1.7.1").name, "pysocks");
    }

    #[test]
    fn without_requested_unrequired_packages_are_direct_and_sources_come_from_direct_url() {
        let dists = [
            DistInfo {
                direct_url: Some(
                    r#"{"url": "file:///home/me/app", "dir_info": {"editable": true}}"#,
                ),
                ..dist("my_app-0.1.0.dist-info", APP)
            },
            DistInfo {
                direct_url: Some(
                    r#"{"url": "https://github.com/psf/requests.git", "vcs_info": {"vcs": "git", "commit_id": "147c8511ddbfa5e8f71bbf5c18ede0c4ceb3bba4", "requested_revision": "v2.31.0"}}"#,
                ),
                ..dist("requests-2.31.0.dist-info", REQUESTS)
            },
            DistInfo {
                direct_url: Some(
                    r#"{"url": "https://files.example.com/PySocks-1.7.1-py3-none-any.whl", "archive_info": {"hash": "sha256=2725bd0a9925919b9b51739eea5f9e2bae91e83288108a9ad338b2e3a4435ee5", "hashes": {"sha256": "2725bd0a9925919b9b51739eea5f9e2bae91e83288108a9ad338b2e3a4435ee5"}}}"#,
                ),
                ..dist("PySocks-1.7.1.dist-info", SOCKS)
            },
            dist("idna-3.4.dist-info", IDNA),
        ];
        let p = project_from_dists(&dists, Path::new("site-packages")).expect("parses");
        let app = p.expect_component("pkg:pypi/my-app@0.1.0");
        assert!(app.first_party && !app.direct);
        assert_eq!(
            app.source,
            Source::Path {
                path: "/home/me/app".into()
            }
        );
        let requests = p
            .components
            .iter()
            .find(|c| c.name == "requests")
            .expect("requests");
        assert!(requests.direct, "only the project requires it");
        assert!(
            matches!(&requests.source, Source::Git { rev: Some(r), .. } if r.starts_with("147c85"))
        );
        let socks = p
            .components
            .iter()
            .find(|c| c.name == "pysocks")
            .expect("pysocks");
        assert_eq!(socks.hashes.len(), 1);
        assert_eq!(socks.hashes[0].alg, HashAlg::Sha256);
        assert!(socks.purl.as_str().contains("download_url="));
        assert!(!p.expect_component("pkg:pypi/idna@3.4").direct);
    }

    #[test]
    fn malformed_metadata_is_named() {
        for (metadata, direct, expect) in [
            ("Summary: x\n", None, "METADATA: no Name"),
            ("Name: x\n", None, "METADATA: x has no Version"),
            ("Name: a b\nVersion: 1\n", None, "is not a package name"),
            ("Name: x\nVersion: 1 2\n", None, "is not a version"),
            (
                "Name x\n",
                None,
                "METADATA: line 1: \"Name x\" is not `Header: value`",
            ),
            (" Name: x\n", None, "continues no header"),
            (
                "Name: x\nVersion: 1\n",
                Some("[]"),
                "direct_url.json: no `url`",
            ),
            (
                "Name: x\nVersion: 1\n",
                Some("{"),
                "direct_url.json: not JSON",
            ),
        ] {
            let d = DistInfo {
                direct_url: direct,
                ..dist("x-1.dist-info", metadata)
            };
            let err = project_from_dists(&[d], Path::new("site-packages")).expect_err(metadata);
            let s = err.to_string();
            assert!(
                s.starts_with("site-packages/x-1.dist-info/") && s.contains(expect),
                "{s}"
            );
        }
    }

    #[test]
    fn the_site_packages_directory_is_read_as_one_project() {
        let dir = tempfile::tempdir().expect("temp dir");
        for (d, m) in [
            ("requests-2.31.0.dist-info", REQUESTS),
            ("idna-3.4.dist-info", IDNA),
        ] {
            std::fs::create_dir_all(dir.path().join(d)).expect("mkdir");
            std::fs::write(dir.path().join(d).join("METADATA"), m).expect("write");
        }
        std::fs::write(dir.path().join("requests-2.31.0.dist-info/REQUESTED"), "").expect("write");
        std::fs::create_dir_all(dir.path().join("empty-1.0.dist-info")).expect("mkdir");
        let p = read_site_packages(dir.path(), Path::new("site-packages")).expect("reads");
        assert_eq!(p.components.len(), 2);
        assert!(p.expect_component("pkg:pypi/requests@2.31.0").direct);
        assert!(is_metadata(Path::new("a/b-1.dist-info/METADATA")));
        assert!(!is_metadata(Path::new("a/b-1.egg-info/METADATA")));
        assert!(!is_metadata(Path::new("METADATA")));
    }
}
