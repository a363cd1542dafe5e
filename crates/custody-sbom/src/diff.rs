//! What changed between two inventories (two SBOMs, two checkouts, an SBOM and a tree):
//! packages added and removed, versions changed, and the alarm of a supply chain: the same
//! version of a package with a different digest.

use crate::component::{Component, Hash};
use crate::discover::Inventory;
use std::collections::{BTreeMap, BTreeSet};

/// A package, all its versions on one side.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Package {
    /// OSV ecosystem name.
    pub ecosystem: String,
    /// The package name.
    pub name: String,
    /// Its versions, sorted.
    pub versions: Vec<String>,
}

/// A package on both sides with other versions.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Changed {
    /// OSV ecosystem name.
    pub ecosystem: String,
    /// The package name.
    pub name: String,
    /// Versions on the old side.
    pub from: Vec<String>,
    /// Versions on the new side.
    pub to: Vec<String>,
}

/// The same package version with digests that disagree for the same algorithm.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Redigested {
    /// The package URL.
    pub purl: String,
    /// Digests on the old side.
    pub from: Vec<Hash>,
    /// Digests on the new side.
    pub to: Vec<Hash>,
}

/// The differences, each list sorted by ecosystem and name (purl).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SbomDiff {
    /// Only on the new side.
    pub added: Vec<Package>,
    /// Only on the old side.
    pub removed: Vec<Package>,
    /// On both, with other versions.
    pub changed: Vec<Changed>,
    /// The same version, different content.
    pub redigested: Vec<Redigested>,
}

impl SbomDiff {
    /// Whether the two sides describe the same packages with the same digests.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.redigested.is_empty()
    }
}

type Packages = BTreeMap<(String, String), BTreeSet<String>>;

fn packages(components: &BTreeMap<crate::purl::Purl, (Component, BTreeSet<String>)>) -> Packages {
    let mut out: Packages = BTreeMap::new();
    for (c, _) in components.values() {
        out.entry((c.ecosystem.osv_name().to_owned(), c.name.clone()))
            .or_default()
            .insert(c.version.clone());
    }
    out
}

/// The differences from `old` to `new`. First-party packages count like any other: a
/// project renamed or re-versioned is a change too.
#[must_use]
pub fn diff(old: &Inventory, new: &Inventory) -> SbomDiff {
    let (a, b) = (old.merged(), new.merged());
    let (pa, pb) = (packages(&a), packages(&b));
    let mut out = SbomDiff::default();
    let package = |((eco, name), versions): (&(String, String), &BTreeSet<String>)| Package {
        ecosystem: eco.clone(),
        name: name.clone(),
        versions: versions.iter().cloned().collect(),
    };
    out.added = pb
        .iter()
        .filter(|(k, _)| !pa.contains_key(*k))
        .map(package)
        .collect();
    out.removed = pa
        .iter()
        .filter(|(k, _)| !pb.contains_key(*k))
        .map(package)
        .collect();
    for (k, va) in &pa {
        if let Some(vb) = pb.get(k)
            && va != vb
        {
            out.changed.push(Changed {
                ecosystem: k.0.clone(),
                name: k.1.clone(),
                from: va.iter().cloned().collect(),
                to: vb.iter().cloned().collect(),
            });
        }
    }
    for (purl, (ca, _)) in &a {
        let Some((cb, _)) = b.get(purl) else { continue };
        let clash = ca.hashes.iter().any(|ha| {
            cb.hashes
                .iter()
                .any(|hb| hb.alg == ha.alg && hb.hex != ha.hex)
        });
        if clash {
            out.redigested.push(Redigested {
                purl: purl.to_string(),
                from: ca.hashes.clone(),
                to: cb.hashes.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::{Ecosystem, HashAlg, Project, Scope, Source};
    use crate::purl::Purl;
    use std::path::PathBuf;

    fn c(name: &str, version: &str, digest: &str) -> Component {
        Component {
            ecosystem: Ecosystem::Cargo,
            name: name.into(),
            version: version.into(),
            purl: Purl::new("cargo", None, name, Some(version), &BTreeMap::new()),
            scope: Scope::Runtime,
            direct: true,
            first_party: false,
            source: Source::Unknown,
            hashes: Hash::from_hex(HashAlg::Sha256, &digest.repeat(64))
                .into_iter()
                .collect(),
            licenses: vec![],
            dependencies: BTreeSet::new(),
        }
    }

    fn inv(components: Vec<Component>) -> Inventory {
        Inventory {
            projects: vec![Project {
                lockfile: PathBuf::from("Cargo.lock"),
                ecosystem: Ecosystem::Cargo,
                components,
            }],
            problems: vec![],
        }
    }

    #[test]
    fn added_removed_changed_and_redigested() {
        let old = inv(vec![
            c("a", "1.0.0", "a"),
            c("b", "1.0.0", "b"),
            c("same", "2.0.0", "c"),
        ]);
        let new = inv(vec![
            c("a", "1.1.0", "a"),
            c("n", "0.1.0", "d"),
            c("same", "2.0.0", "e"),
        ]);
        let d = diff(&old, &new);
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.added[0].name, "n");
        assert_eq!(d.removed[0].name, "b");
        assert_eq!(
            (d.changed[0].from.clone(), d.changed[0].to.clone()),
            (vec!["1.0.0".to_owned()], vec!["1.1.0".to_owned()])
        );
        assert_eq!(d.redigested.len(), 1);
        assert_eq!(d.redigested[0].purl, "pkg:cargo/same@2.0.0");
        assert!(!d.is_empty());
        assert!(diff(&old, &old).is_empty());
    }
}
