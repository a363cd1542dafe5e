//! npm (and Yarn and pnpm lockfiles, whose `integrity` is npm's): tarballs in npm's
//! cache against the lockfile's `integrity`, then the packages unpacked in `node_modules`
//! against those verified tarballs, file by file.
//!
//! npm's cache (`_cacache`) stores each tarball under its own digest,
//! `content-v2/<alg>/<hex[0..2]>/<hex[2..4]>/<rest>`, so the file to check is found from
//! the lockfile alone and hashed again here. An installed package is compared with the
//! regular files of its tarball (npm unpacks nothing else): a file changed or missing,
//! or one the tarball does not have, makes it modified. Install scripts that write into
//! their own package do exactly that and are reported; nested `node_modules` are
//! packages of their own, checked on their own. Directories and links whose names start
//! with `.` (`.bin`, `.pnpm`, `.package-lock.json`) are not packages.

use crate::hashing::{digest_reader, strongest};
use crate::{ArtefactKind, Check, Locations, Status};
use custody_sbom::component::{Component, Hash, HashAlg, Project};
use custody_sbom::purl::Purl;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component as PathPart, Path, PathBuf};

/// Largest installed `package.json` read.
const MAX_PACKAGE_JSON: u64 = 4 * 1024 * 1024;
/// Deepest `node_modules` nesting followed.
const MAX_DEPTH: usize = 64;

pub(crate) fn verify(
    project: &Project,
    components: &[&Component],
    dir: &Path,
    locations: &Locations,
) -> Vec<Check> {
    let mut installed: BTreeMap<(String, String), Vec<PathBuf>> = BTreeMap::new();
    let mut checks = Vec::new();
    for (pkg_dir, name, version) in installed_packages(&dir.join("node_modules")) {
        installed.entry((name, version)).or_default().push(pkg_dir);
    }
    let by_name: BTreeSet<(String, String)> = project
        .components
        .iter()
        .map(|c| (c.name.clone(), c.version.clone()))
        .collect();
    for ((name, version), dirs) in &installed {
        if !by_name.contains(&(name.clone(), version.clone())) {
            for d in dirs {
                checks.push(not_in_lockfile(project, name, version, d));
            }
        }
    }
    for c in components {
        let tarball = locations
            .npm_cache
            .as_deref()
            .and_then(|cache| cached_tarball(cache, &c.hashes));
        let mut reference = None;
        if let Some(path) = &tarball {
            let check = Check::of_file(project, c, path, ArtefactKind::NpmTarball);
            if check.status == Status::Verified {
                reference = Some(path.clone());
            }
            checks.push(check);
        }
        let dirs = installed
            .get(&(c.name.clone(), c.version.clone()))
            .map(Vec::as_slice)
            .unwrap_or_default();
        for d in dirs {
            let check = Check::new(project, c, Status::Verified)
                .artefact(d, ArtefactKind::InstalledNpmPackage);
            checks.push(match &reference {
                None => Check {
                    status: Status::Unverifiable,
                    ..check
                }
                .detail("no verified tarball in npm's cache to compare its files with"),
                Some(t) => match compare_with_tarball(d, t) {
                    Ok(differences) if differences.is_empty() => check,
                    Ok(differences) => Check {
                        status: Status::Modified,
                        ..check
                    }
                    .detail(summarise(&differences)),
                    Err(e) => Check {
                        status: Status::Unreadable,
                        ..check
                    }
                    .detail(e),
                },
            });
        }
        if tarball.is_none() && dirs.is_empty() {
            checks.push(Check::new(project, c, Status::Absent));
        }
    }
    checks
}

fn not_in_lockfile(project: &Project, name: &str, version: &str, dir: &Path) -> Check {
    let (scope, bare) = match name.split_once('/') {
        Some((s, n)) if s.starts_with('@') => (Some(s), n),
        _ => (None, name),
    };
    let purl = Purl::new("npm", scope, bare, Some(version), &BTreeMap::new());
    Check {
        lockfile: project.lockfile.clone(),
        purl: purl.as_str().to_owned(),
        name: name.to_owned(),
        version: version.to_owned(),
        artefact: Some(dir.to_owned()),
        kind: Some(ArtefactKind::InstalledNpmPackage),
        status: Status::NotInLockfile,
        expected: Vec::new(),
        actual: None,
        detail: None,
    }
}

/// At most ten differences named, then how many more.
fn summarise(differences: &[String]) -> String {
    let mut text = differences
        .iter()
        .take(10)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if differences.len() > 10 {
        text.push_str(&format!("; and {} more", differences.len() - 10));
    }
    text
}

/// The cached tarball of the strongest pinned digest, if npm's cache has it.
#[must_use]
pub fn cached_tarball(cache: &Path, pinned: &[Hash]) -> Option<PathBuf> {
    let alg = strongest(pinned)?;
    let dir_name = match alg {
        HashAlg::Sha1 => "sha1",
        HashAlg::Sha256 => "sha256",
        HashAlg::Sha384 => "sha384",
        HashAlg::Sha512 => "sha512",
    };
    pinned
        .iter()
        .filter(|h| h.alg == alg && h.hex.len() > 4)
        .map(|h| {
            cache
                .join("_cacache/content-v2")
                .join(dir_name)
                .join(&h.hex[..2])
                .join(&h.hex[2..4])
                .join(&h.hex[4..])
        })
        .find(|p| p.is_file())
}

#[derive(Debug, serde::Deserialize)]
struct PackageJson {
    name: Option<String>,
    version: Option<String>,
}

/// Every package directory under a `node_modules`, nested ones included, with the
/// name and version its `package.json` declares.
fn installed_packages(node_modules: &Path) -> Vec<(PathBuf, String, String)> {
    let mut out = Vec::new();
    collect_packages(node_modules, 0, &mut out);
    out
}

fn collect_packages(node_modules: &Path, depth: usize, out: &mut Vec<(PathBuf, String, String)>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(node_modules) else {
        return;
    };
    let mut dirs = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        // Links are workspace members or pnpm's layout: not unpacked tarballs.
        if name.starts_with('.') || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        if name.starts_with('@') {
            if let Ok(scoped) = std::fs::read_dir(entry.path()) {
                dirs.extend(
                    scoped
                        .filter_map(Result::ok)
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                        .map(|e| e.path()),
                );
            }
        } else {
            dirs.push(entry.path());
        }
    }
    dirs.sort();
    for dir in dirs {
        let manifest = dir.join("package.json");
        let parsed = std::fs::metadata(&manifest)
            .ok()
            .filter(|m| m.len() <= MAX_PACKAGE_JSON)
            .and_then(|_| std::fs::read(&manifest).ok())
            .and_then(|b| serde_json::from_slice::<PackageJson>(&b).ok());
        if let Some(PackageJson {
            name: Some(name),
            version: Some(version),
        }) = parsed
        {
            out.push((dir.clone(), name, version));
        }
        collect_packages(&dir.join("node_modules"), depth + 1, out);
    }
}

/// The regular files of a package tarball, by their path inside the package (the first
/// path component, `package/` by convention, stripped) with their SHA-256.
///
/// # Errors
/// The tarball cannot be read or unpacked, or names a path outside the package.
pub fn tarball_files(tarball: &Path) -> Result<BTreeMap<String, Hash>, String> {
    let file = std::fs::File::open(tarball).map_err(|e| format!("{}: {e}", tarball.display()))?;
    tarball_files_of(std::io::BufReader::new(file))
        .map_err(|e| format!("{}: {e}", tarball.display()))
}

/// As [`tarball_files`], from the gzipped tarball's bytes.
///
/// # Errors
/// As [`tarball_files`].
pub fn tarball_files_of(reader: impl std::io::Read) -> Result<BTreeMap<String, Hash>, String> {
    let gz = flate2::read::GzDecoder::new(reader);
    let mut archive = tar::Archive::new(gz);
    let mut files = BTreeMap::new();
    let entries = archive.entries().map_err(|e| e.to_string())?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().map_err(|e| e.to_string())?.into_owned();
        let mut parts = Vec::new();
        for part in path.components().skip(1) {
            match part {
                PathPart::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
                PathPart::CurDir => {}
                _ => return Err(format!("entry {} leaves the package", path.display())),
            }
        }
        if parts.is_empty() {
            continue;
        }
        let digest = digest_reader(HashAlg::Sha256, entry).map_err(|e| e.to_string())?;
        files.insert(parts.join("/"), digest);
    }
    Ok(files)
}

/// The differences between an installed package and its tarball: files changed,
/// missing, or added (outside the package's own `node_modules`).
fn compare_with_tarball(installed: &Path, tarball: &Path) -> Result<Vec<String>, String> {
    let expected = tarball_files(tarball)?;
    let mut present = BTreeSet::new();
    crate::tree::walk_files(installed, Some("node_modules"), &mut present)?;
    let mut differences = Vec::new();
    for (name, digest) in &expected {
        if !present.remove(name) {
            differences.push(format!("missing {name}"));
            continue;
        }
        let path = installed.join(name);
        let actual = crate::hashing::digest_file(HashAlg::Sha256, &path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if &actual != digest {
            differences.push(format!("changed {name}"));
        }
    }
    differences.extend(present.into_iter().map(|n| format!("added {n}")));
    Ok(differences)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::digest_reader;
    use custody_sbom::component::{Ecosystem, Scope, Source};
    use std::io::Write as _;

    fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        {
            let mut builder = tar::Builder::new(&mut gz);
            for (name, bytes) in entries {
                let mut header = tar::Header::new_gnu();
                header.set_size(bytes.len() as u64);
                header.set_mode(0o644);
                header.set_entry_type(tar::EntryType::Regular);
                let raw = name.as_bytes();
                if let Some(gnu) = header.as_gnu_mut() {
                    gnu.name[..raw.len()].copy_from_slice(raw);
                }
                header.set_cksum();
                builder
                    .append(&header, *bytes)
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            builder.finish().unwrap_or_else(|e| panic!("{e}"));
        }
        gz.finish().unwrap_or_else(|e| panic!("{e}"))
    }

    fn component(name: &str, version: &str, tarball: &[u8]) -> Component {
        let (scope, bare) = match name.split_once('/') {
            Some((s, n)) => (Some(s), n),
            None => (None, name),
        };
        Component {
            ecosystem: Ecosystem::Npm,
            name: name.into(),
            version: version.into(),
            purl: Purl::new("npm", scope, bare, Some(version), &BTreeMap::new()),
            scope: Scope::Runtime,
            direct: true,
            first_party: false,
            source: Source::Registry {
                url: "https://registry.npmjs.org".into(),
            },
            hashes: vec![digest_reader(HashAlg::Sha512, tarball).unwrap_or_else(|e| panic!("{e}"))],
            licenses: Vec::new(),
            dependencies: BTreeSet::new(),
        }
    }

    fn put(path: &Path, bytes: &[u8]) {
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).unwrap_or_else(|e| panic!("{e}"));
        }
        let mut f = std::fs::File::create(path).unwrap_or_else(|e| panic!("{e}"));
        f.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
    }

    fn cache_put(cache: &Path, c: &Component, tarball: &[u8]) {
        let hex = &c.hashes[0].hex;
        put(
            &cache
                .join("_cacache/content-v2/sha512")
                .join(&hex[..2])
                .join(&hex[2..4])
                .join(&hex[4..]),
            tarball,
        );
    }

    #[test]
    fn cache_node_modules_and_strays() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (dir, cache) = (tmp.path().join("app"), tmp.path().join("cache"));
        let manifest = |n: &str, v: &str| format!(r#"{{"name":"{n}","version":"{v}"}}"#);
        let a_pkg = manifest("@s/a", "1.0.0");
        let a = tgz(&[
            ("package/package.json", a_pkg.as_bytes()),
            ("package/i.js", b"a"),
        ]);
        let b_pkg = manifest("b", "2.0.0");
        let b = tgz(&[("b/package.json", b_pkg.as_bytes()), ("b/i.js", b"b")]);
        let ca = component("@s/a", "1.0.0", &a);
        let cb = component("b", "2.0.0", &b);
        let cc = component("c", "3.0.0", b"never fetched");
        cache_put(&cache, &ca, &a);
        cache_put(&cache, &cb, b"a tampered cache entry");
        let nm = dir.join("node_modules");
        put(&nm.join("@s/a/package.json"), a_pkg.as_bytes());
        put(&nm.join("@s/a/i.js"), b"a");
        // A nested copy, changed; the package's own node_modules are not its files.
        put(
            &nm.join("b/node_modules/@s/a/package.json"),
            a_pkg.as_bytes(),
        );
        put(&nm.join("b/node_modules/@s/a/i.js"), b"A");
        put(&nm.join("b/package.json"), b_pkg.as_bytes());
        put(&nm.join("b/i.js"), b"b");
        put(
            &nm.join("stray/package.json"),
            manifest("stray", "0.1.0").as_bytes(),
        );
        put(&nm.join(".bin/tool"), b"#!/bin/sh");
        let project = Project {
            lockfile: "package-lock.json".into(),
            ecosystem: Ecosystem::Npm,
            components: vec![ca.clone(), cb.clone(), cc.clone()],
        };
        let locations = Locations {
            npm_cache: Some(cache),
            ..Locations::default()
        };
        let checks = verify(&project, &[&ca, &cb, &cc], &dir, &locations);
        let got: Vec<(&str, Option<ArtefactKind>, Status, Option<&str>)> = checks
            .iter()
            .map(|c| (c.purl.as_str(), c.kind, c.status, c.detail.as_deref()))
            .collect();
        use ArtefactKind::{InstalledNpmPackage as Installed, NpmTarball as Tarball};
        assert_eq!(
            got,
            [
                (
                    "pkg:npm/stray@0.1.0",
                    Some(Installed),
                    Status::NotInLockfile,
                    None
                ),
                (
                    "pkg:npm/%40s/a@1.0.0",
                    Some(Tarball),
                    Status::Verified,
                    None
                ),
                (
                    "pkg:npm/%40s/a@1.0.0",
                    Some(Installed),
                    Status::Verified,
                    None
                ),
                (
                    "pkg:npm/%40s/a@1.0.0",
                    Some(Installed),
                    Status::Modified,
                    Some("changed i.js")
                ),
                ("pkg:npm/b@2.0.0", Some(Tarball), Status::Mismatch, None),
                (
                    "pkg:npm/b@2.0.0",
                    Some(Installed),
                    Status::Unverifiable,
                    Some("no verified tarball in npm's cache to compare its files with")
                ),
                ("pkg:npm/c@3.0.0", None, Status::Absent, None),
            ],
            "{checks:#?}"
        );
    }

    #[test]
    fn tarball_entries_outside_the_package_and_garbage_are_refused() {
        let evil = tgz(&[("package/../../etc/x", b"x")]);
        let err = tarball_files_of(evil.as_slice()).err().unwrap_or_default();
        assert!(err.contains("leaves the package"), "{err}");
        assert!(tarball_files_of(&b"not gzip"[..]).is_err());
        let ok = tarball_files_of(tgz(&[("package/a/b.js", b"1"), ("package", b"")]).as_slice())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.keys().collect::<Vec<_>>(), ["a/b.js"]);
    }
}
