//! Cargo: `.crate` files in `$CARGO_HOME/registry/cache/<index>/` against the
//! `checksum` of `Cargo.lock` (the SHA-256 of the `.crate` file, as the registry index
//! records it), and crates copied by `cargo vendor` against `.cargo-checksum.json`.
//!
//! A vendored crate is checked twice: its `.cargo-checksum.json` must name the locked
//! package's checksum, and each of its files must have the digest listed there. cargo
//! does the second check at build time for the files it lists; custody also reports files
//! that are not listed, which cargo ignores but a build script or `include!` could read.

use crate::hashing::digest_file;
use crate::{ArtefactKind, Check, Locations, Status};
use custody_sbom::component::{Component, Hash, HashAlg, Project};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Largest `.cargo-checksum.json` or vendored `Cargo.toml` read.
const MAX_METADATA: u64 = 16 * 1024 * 1024;

pub(crate) fn verify(
    project: &Project,
    components: &[&Component],
    dir: &Path,
    locations: &Locations,
) -> Vec<Check> {
    let caches = registry_caches(locations.cargo_home.as_deref());
    let vendored = vendored_crates(dir);
    let mut checks = Vec::new();
    for c in components {
        let file_name = format!("{}-{}.crate", c.name, c.version);
        let mut found = false;
        for cache in &caches {
            let path = cache.join(&file_name);
            if path.is_file() {
                found = true;
                checks.push(Check::of_file(project, c, &path, ArtefactKind::CrateFile));
            }
        }
        if let Some(vendor_dir) = vendored.get(&(c.name.clone(), c.version.clone())) {
            found = true;
            checks.push(check_vendored(project, c, vendor_dir));
        }
        if !found {
            checks.push(Check::new(project, c, Status::Absent));
        }
    }
    checks
}

/// `registry/cache/*` of a cargo home: one directory per registry index.
fn registry_caches(cargo_home: Option<&Path>) -> Vec<PathBuf> {
    let Some(home) = cargo_home else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(home.join("registry/cache")) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The directories `cargo vendor` may have written for a project in `dir`: those named
/// by `directory = "…"` in `.cargo/config.toml` (or `.cargo/config`), and `vendor/`.
fn vendor_roots(dir: &Path) -> Vec<PathBuf> {
    let mut roots = BTreeSet::new();
    for config in [".cargo/config.toml", ".cargo/config"] {
        let Ok(text) = std::fs::read_to_string(dir.join(config)) else {
            continue;
        };
        let Ok(value) = toml::from_str::<toml::Table>(&text) else {
            continue;
        };
        if let Some(sources) = value.get("source").and_then(toml::Value::as_table) {
            for source in sources.values() {
                if let Some(d) = source.get("directory").and_then(toml::Value::as_str) {
                    roots.insert(dir.join(d));
                }
            }
        }
    }
    roots.insert(dir.join("vendor"));
    roots.into_iter().filter(|r| r.is_dir()).collect()
}

#[derive(Debug, serde::Deserialize)]
struct VendoredManifest {
    package: Option<VendoredPackage>,
}

#[derive(Debug, serde::Deserialize)]
struct VendoredPackage {
    name: String,
    version: String,
}

/// (name, version) → directory of every vendored crate (a directory with a
/// `.cargo-checksum.json` and a `Cargo.toml`).
fn vendored_crates(dir: &Path) -> BTreeMap<(String, String), PathBuf> {
    let mut out = BTreeMap::new();
    for root in vendor_roots(dir) {
        let Ok(entries) = std::fs::read_dir(&root) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let crate_dir = entry.path();
            if !crate_dir.join(".cargo-checksum.json").is_file() {
                continue;
            }
            let Ok(text) = read_small(&crate_dir.join("Cargo.toml")) else {
                continue;
            };
            let Ok(VendoredManifest {
                package: Some(package),
            }) = toml::from_str(&text)
            else {
                continue;
            };
            out.insert((package.name, package.version), crate_dir);
        }
    }
    out
}

fn read_small(path: &Path) -> std::io::Result<String> {
    let len = std::fs::metadata(path)?.len();
    if len > MAX_METADATA {
        return Err(std::io::Error::other(format!(
            "{len} bytes, more than the {MAX_METADATA} read"
        )));
    }
    std::fs::read_to_string(path)
}

#[derive(Debug, serde::Deserialize)]
struct ChecksumFile {
    files: BTreeMap<String, String>,
    package: Option<String>,
}

fn check_vendored(project: &Project, c: &Component, crate_dir: &Path) -> Check {
    let check =
        Check::new(project, c, Status::Verified).artefact(crate_dir, ArtefactKind::VendoredCrate);
    let unreadable = |e: String| {
        Check {
            status: Status::Unreadable,
            ..check.clone()
        }
        .detail(e)
    };
    let list: ChecksumFile = match read_small(&crate_dir.join(".cargo-checksum.json"))
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(l) => l,
        Err(e) => return unreadable(format!(".cargo-checksum.json: {e}")),
    };
    let package = list
        .package
        .as_deref()
        .and_then(|p| Hash::from_hex(HashAlg::Sha256, p));
    match package {
        Some(p) if c.hashes.contains(&p) => {}
        Some(p) => {
            return Check {
                status: Status::Mismatch,
                actual: Some(p),
                ..check
            }
            .detail(".cargo-checksum.json names another package checksum");
        }
        None => {
            return unreadable(".cargo-checksum.json has no package checksum".into());
        }
    }
    match compare_files(crate_dir, &list.files) {
        Ok(differences) if differences.is_empty() => check,
        Ok(differences) => Check {
            status: Status::Modified,
            ..check
        }
        .detail(differences.join("; ")),
        Err(e) => unreadable(e),
    }
}

/// The files of a vendored crate that are not as listed: changed, missing, or present
/// without being listed.
fn compare_files(
    crate_dir: &Path,
    listed: &BTreeMap<String, String>,
) -> Result<Vec<String>, String> {
    let mut differences = Vec::new();
    let mut present = BTreeSet::new();
    crate::tree::walk_files(crate_dir, None, &mut present)?;
    present.remove(".cargo-checksum.json");
    for (name, hex) in listed {
        if name.split('/').any(|part| part == ".." || part.is_empty()) || name.starts_with('/') {
            return Err(format!(
                ".cargo-checksum.json lists {name:?}, outside the crate"
            ));
        }
        if !present.remove(name.as_str()) {
            differences.push(format!("missing {name}"));
            continue;
        }
        let digest = digest_file(HashAlg::Sha256, &crate_dir.join(name))
            .map_err(|e| format!("{name}: {e}"))?;
        if !digest.hex.eq_ignore_ascii_case(hex) {
            differences.push(format!("changed {name}"));
        }
    }
    differences.extend(present.into_iter().map(|n| format!("not listed {n}")));
    Ok(differences)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::digest_reader;
    use custody_sbom::component::{Ecosystem, Scope, Source};
    use custody_sbom::purl::Purl;

    fn sha256(bytes: &[u8]) -> Hash {
        digest_reader(HashAlg::Sha256, bytes).unwrap_or_else(|e| panic!("{e}"))
    }

    fn component(name: &str, version: &str, checksum: Hash) -> Component {
        Component {
            ecosystem: Ecosystem::Cargo,
            name: name.into(),
            version: version.into(),
            purl: Purl::new("cargo", None, name, Some(version), &BTreeMap::new()),
            scope: Scope::Runtime,
            direct: true,
            first_party: false,
            source: Source::Registry {
                url: "https://github.com/rust-lang/crates.io-index".into(),
            },
            hashes: vec![checksum],
            licenses: Vec::new(),
            dependencies: BTreeSet::new(),
        }
    }

    fn project(components: Vec<Component>) -> Project {
        Project {
            lockfile: "Cargo.lock".into(),
            ecosystem: Ecosystem::Cargo,
            components,
        }
    }

    fn write(path: &Path, bytes: &[u8]) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn crate_files_in_every_index_cache() {
        let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let good = b"a crate".as_slice();
        write(
            &home
                .path()
                .join("registry/cache/index.crates.io-1/a-1.0.0.crate"),
            good,
        );
        write(
            &home
                .path()
                .join("registry/cache/github.com-2/a-1.0.0.crate"),
            b"tampered",
        );
        let a = component("a", "1.0.0", sha256(good));
        let b = component("b", "2.0.0", sha256(b"b"));
        let p = project(vec![a.clone(), b.clone()]);
        let locations = Locations {
            cargo_home: Some(home.path().to_owned()),
            ..Locations::default()
        };
        let checks = verify(&p, &[&a, &b], Path::new("/nonexistent"), &locations);
        let statuses: Vec<(Status, Option<String>)> = checks
            .iter()
            .map(|c| {
                (
                    c.status,
                    c.artefact.as_ref().map(|a| a.display().to_string()),
                )
            })
            .collect();
        assert_eq!(checks.len(), 3, "{statuses:?}");
        assert_eq!(checks[0].status, Status::Mismatch, "{statuses:?}");
        assert_eq!(checks[0].actual, Some(sha256(b"tampered")));
        assert_eq!(checks[1].status, Status::Verified, "{statuses:?}");
        assert_eq!(checks[2].status, Status::Absent);
        assert_eq!(checks[2].purl, "pkg:cargo/b@2.0.0");
    }

    fn vendor(dir: &Path, name: &str, version: &str, files: &[(&str, &[u8])], package: &Hash) {
        let crate_dir = dir.join(name);
        let manifest = format!("[package]\nname = \"{name}\"\nversion = \"{version}\"\n");
        write(&crate_dir.join("Cargo.toml"), manifest.as_bytes());
        let mut listed = BTreeMap::new();
        listed.insert("Cargo.toml".to_owned(), sha256(manifest.as_bytes()).hex);
        for (f, bytes) in files {
            write(&crate_dir.join(f), bytes);
            listed.insert((*f).to_owned(), sha256(bytes).hex);
        }
        let json = serde_json::json!({"files": listed, "package": package.hex});
        write(
            &crate_dir.join(".cargo-checksum.json"),
            json.to_string().as_bytes(),
        );
    }

    #[test]
    fn vendored_crates_from_the_configured_directory() {
        let project_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = project_dir.path();
        write(
            &root.join(".cargo/config.toml"),
            b"[source.crates-io]\nreplace-with = \"v\"\n[source.v]\ndirectory = \"third_party\"\n",
        );
        let checksum = sha256(b"the .crate");
        let vendored = root.join("third_party");
        vendor(
            &vendored,
            "ok",
            "1.0.0",
            &[("src/lib.rs", b"fn a() {}")],
            &checksum,
        );
        vendor(
            &vendored,
            "changed",
            "1.0.0",
            &[("src/lib.rs", b"fn a() {}")],
            &checksum,
        );
        write(&vendored.join("changed/src/lib.rs"), b"fn evil() {}");
        write(&vendored.join("changed/build.rs"), b"fn main() {}");
        vendor(&vendored, "other", "1.0.0", &[], &sha256(b"another"));
        let comps = [
            component("ok", "1.0.0", checksum.clone()),
            component("changed", "1.0.0", checksum.clone()),
            component("other", "1.0.0", checksum.clone()),
        ];
        let p = project(comps.to_vec());
        let refs: Vec<&Component> = comps.iter().collect();
        let checks = verify(&p, &refs, root, &Locations::default());
        let by_name = |n: &str| {
            checks
                .iter()
                .find(|c| c.purl == format!("pkg:cargo/{n}@1.0.0"))
                .unwrap_or_else(|| panic!("{n}: {checks:?}"))
        };
        assert_eq!(by_name("ok").status, Status::Verified);
        assert_eq!(by_name("ok").kind, Some(ArtefactKind::VendoredCrate));
        let changed = by_name("changed");
        assert_eq!(changed.status, Status::Modified);
        assert_eq!(
            changed.detail.as_deref(),
            Some("changed src/lib.rs; not listed build.rs")
        );
        assert_eq!(by_name("other").status, Status::Mismatch);
    }

    #[test]
    fn a_checksum_list_naming_paths_outside_is_unreadable() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let checksum = sha256(b"c");
        vendor(&dir.path().join("vendor"), "x", "1.0.0", &[], &checksum);
        let list =
            serde_json::json!({"files": {"../../etc/passwd": "00"}, "package": checksum.hex});
        write(
            &dir.path().join("vendor/x/.cargo-checksum.json"),
            list.to_string().as_bytes(),
        );
        let c = component("x", "1.0.0", checksum);
        let checks = verify(
            &project(vec![c.clone()]),
            &[&c],
            dir.path(),
            &Locations::default(),
        );
        assert_eq!(checks[0].status, Status::Unreadable, "{checks:?}");
        assert!(
            checks[0]
                .detail
                .as_deref()
                .unwrap_or("")
                .contains("outside the crate"),
            "{checks:?}"
        );
    }
}
