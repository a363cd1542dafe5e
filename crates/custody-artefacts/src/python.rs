//! Python: wheels and sdists in the directories given (a wheelhouse from `pip download
//! -d`, a `--find-links` directory) against the lockfile's pins (`--hash`, or the file
//! hashes of poetry.lock, uv.lock, Pipfile.lock). As pip does with `--require-hashes`,
//! a file is accepted when its digest is any of the package's pins: a lockfile lists one
//! per platform's wheel. A file for the package's locked version with another digest is
//! what pip would refuse, and a mismatch.
//!
//! Files are matched by name: `<name>-<version>-….whl` and `<name>-<version>.tar.gz`
//! (or `.zip`, `.tar.bz2`), the name compared as PEP 503 normalises it.

use crate::{ArtefactKind, Check, Locations, Status};
use custody_sbom::component::{Component, Project};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A distribution name as PEP 503 compares it: lower case, runs of `-`, `_` and `.` as
/// one `-`.
#[must_use]
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for ch in name.chars() {
        if matches!(ch, '-' | '_' | '.') {
            separator = true;
        } else {
            if separator && !out.is_empty() {
                out.push('-');
            }
            separator = false;
            out.push(ch.to_ascii_lowercase());
        }
    }
    out
}

/// (normalised name, version, kind) of a distribution file name, if it is one.
#[must_use]
pub fn distribution_of(file_name: &str) -> Option<(String, String, ArtefactKind)> {
    if let Some(stem) = file_name.strip_suffix(".whl") {
        // name-version(-build)?-python-abi-platform; names and versions hold no `-`.
        let parts: Vec<&str> = stem.split('-').collect();
        if !(5..=6).contains(&parts.len()) {
            return None;
        }
        return Some((
            normalise(parts[0]),
            parts[1].to_owned(),
            ArtefactKind::Wheel,
        ));
    }
    let stem = [".tar.gz", ".zip", ".tar.bz2", ".tgz"]
        .iter()
        .find_map(|ext| file_name.strip_suffix(ext))?;
    let (name, version) = stem.rsplit_once('-')?;
    (!name.is_empty() && version.starts_with(|c: char| c.is_ascii_digit()))
        .then(|| (normalise(name), version.to_owned(), ArtefactKind::Sdist))
}

/// Versions as equal as pip would take them in a file name: case and a leading `v`
/// aside.
fn same_version(a: &str, b: &str) -> bool {
    let strip = |v: &str| v.trim_start_matches(['v', 'V']).to_ascii_lowercase();
    strip(a) == strip(b)
}

pub(crate) fn verify(
    project: &Project,
    components: &[&Component],
    locations: &Locations,
) -> Vec<Check> {
    let mut files: BTreeMap<String, Vec<(String, PathBuf, ArtefactKind)>> = BTreeMap::new();
    for dir in &locations.python_dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some((dist, version, kind)) = distribution_of(&name) {
                files
                    .entry(dist)
                    .or_default()
                    .push((version, entry.path(), kind));
            }
        }
    }
    for list in files.values_mut() {
        list.sort();
    }
    let mut checks = Vec::new();
    for c in components {
        let matching: Vec<&(String, PathBuf, ArtefactKind)> = files
            .get(&normalise(&c.name))
            .map(|list| {
                list.iter()
                    .filter(|(v, _, _)| same_version(v, &c.version))
                    .collect()
            })
            .unwrap_or_default();
        if matching.is_empty() {
            let check = Check::new(project, c, Status::Absent);
            checks.push(if locations.python_dirs.is_empty() {
                check.detail("no wheel directory given")
            } else {
                check
            });
        }
        for (_, path, kind) in matching {
            checks.push(Check::of_file(project, c, path, *kind));
        }
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_as_pep_503_says() {
        assert_eq!(normalise("Django"), "django");
        assert_eq!(normalise("zope.interface"), "zope-interface");
        assert_eq!(normalise("typing__extensions"), "typing-extensions");
        assert_eq!(normalise("A-_.b"), "a-b");
    }

    #[test]
    fn distribution_file_names() {
        assert_eq!(
            distribution_of("typing_extensions-4.12.2-py3-none-any.whl"),
            Some((
                "typing-extensions".into(),
                "4.12.2".into(),
                ArtefactKind::Wheel
            ))
        );
        assert_eq!(
            distribution_of("numpy-2.1.0-1-cp312-cp312-manylinux_2_17_x86_64.whl"),
            Some(("numpy".into(), "2.1.0".into(), ArtefactKind::Wheel))
        );
        assert_eq!(
            distribution_of("python-dateutil-2.9.0.tar.gz"),
            Some((
                "python-dateutil".into(),
                "2.9.0".into(),
                ArtefactKind::Sdist
            ))
        );
        assert_eq!(distribution_of("notes.txt"), None);
        assert_eq!(distribution_of("a-b.whl"), None);
        assert_eq!(distribution_of("-1.0.tar.gz"), None);
        assert_eq!(distribution_of("archive-latest.zip"), None);
    }
}
