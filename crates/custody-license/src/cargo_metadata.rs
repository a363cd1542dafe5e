//! Declared licenses of crates, from their manifests in cargo's local registry cache:
//! `Cargo.lock` says nothing about licenses, but every crate a project has built is
//! unpacked under `$CARGO_HOME/registry/src/<index>/<name>-<version>/`.

use custody_sbom::component::{Ecosystem, Source};
use custody_sbom::discover::Inventory;
use std::path::{Path, PathBuf};

/// Where cargo keeps its files: `CARGO_HOME`, else `~/.cargo`.
#[must_use]
pub fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

#[derive(Debug, serde::Deserialize)]
struct Manifest {
    package: Option<Package>,
}

#[derive(Debug, serde::Deserialize)]
struct Package {
    license: Option<String>,
    #[serde(rename = "license-file")]
    license_file: Option<String>,
}

/// Fill in the declared license of registry crates that have none, from the unpacked
/// crates under `cargo_home`; returns how many were filled. A crate whose manifest names
/// only a `license-file` gets `LicenseRef-<file name>`: a license that is not on the SPDX
/// list, to be read.
pub fn fill_licenses(inventory: &mut Inventory, cargo_home: &Path) -> usize {
    let Ok(indexes) = std::fs::read_dir(cargo_home.join("registry/src")) else {
        return 0;
    };
    let indexes: Vec<PathBuf> = indexes.filter_map(Result::ok).map(|e| e.path()).collect();
    let mut filled = 0;
    for project in &mut inventory.projects {
        if project.ecosystem != Ecosystem::Cargo {
            continue;
        }
        for c in &mut project.components {
            if !c.licenses.is_empty() || !matches!(c.source, Source::Registry { .. }) {
                continue;
            }
            let dir_name = format!("{}-{}", c.name, c.version);
            let manifest = indexes
                .iter()
                .map(|i| i.join(&dir_name).join("Cargo.toml"))
                .find(|p| p.is_file());
            let Some(text) = manifest.and_then(|m| std::fs::read_to_string(m).ok()) else {
                continue;
            };
            let Ok(m) = toml::from_str::<Manifest>(&text) else {
                continue;
            };
            let Some(p) = m.package else { continue };
            let license = p.license.filter(|l| !l.trim().is_empty()).or_else(|| {
                p.license_file.map(|f| {
                    let name: String = Path::new(&f)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or(f)
                        .chars()
                        .map(|ch| {
                            if ch.is_ascii_alphanumeric() || ch == '.' || ch == '-' {
                                ch
                            } else {
                                '-'
                            }
                        })
                        .collect();
                    format!("LicenseRef-{name}")
                })
            });
            if let Some(l) = license {
                c.licenses.push(l);
                filled += 1;
            }
        }
    }
    filled
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licenses_come_from_the_unpacked_crates() {
        let home = tempfile::tempdir().expect("temp dir");
        let src = home
            .path()
            .join("registry/src/index.crates.io-1949cf8c6b5b557f");
        for (dir, manifest) in [
            (
                "serde-1.0.200",
                "[package]\nname = \"serde\"\nlicense = \"MIT OR Apache-2.0\"\n",
            ),
            (
                "ring-0.16.20",
                "[package]\nname = \"ring\"\nlicense-file = \"LICENSE\"\n",
            ),
        ] {
            std::fs::create_dir_all(src.join(dir)).expect("mkdir");
            std::fs::write(src.join(dir).join("Cargo.toml"), manifest).expect("write");
        }
        let lock = "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"serde\", \"ring\", \"gone\"]\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n[[package]]\nname = \"ring\"\nversion = \"0.16.20\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n[[package]]\nname = \"gone\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        let project =
            custody_sbom::cargo::project_from_lockfile_text(lock, Path::new("Cargo.lock"))
                .expect("lockfile");
        let mut inv = Inventory {
            projects: vec![project],
            problems: vec![],
        };
        assert_eq!(fill_licenses(&mut inv, home.path()), 2);
        let license = |n: &str| {
            inv.projects[0]
                .components
                .iter()
                .find(|c| c.name == n)
                .map(|c| c.licenses.clone())
                .expect("component")
        };
        assert_eq!(license("serde"), vec!["MIT OR Apache-2.0".to_owned()]);
        assert_eq!(license("ring"), vec!["LicenseRef-LICENSE".to_owned()]);
        assert!(license("gone").is_empty());
    }
}
