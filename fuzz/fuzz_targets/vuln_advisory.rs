//! Advisory files (RustSec Markdown, OSV JSON, OSV YAML; the first byte picks) → the
//! advisory model → matching against versions the advisory itself names and a few
//! others: never a panic, findings always carry an ID.
#![no_main]

use custody_sbom::component::{Component, Ecosystem, Project, Scope, Source};
use custody_sbom::discover::Inventory;
use custody_sbom::purl::Purl;
use custody_vuln::advisory::{Event, Range};
use custody_vuln::osv::Syntax;
use libfuzzer_sys::fuzz_target;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let path = Path::new("advisory");
    let parsed = match selector % 3 {
        0 => custody_vuln::rustsec::parse(text, path),
        1 => custody_vuln::osv::parse(text, Syntax::Json, path),
        _ => custody_vuln::osv::parse(text, Syntax::Yaml, path),
    };
    let Ok(advisory) = parsed else {
        return;
    };
    let mut components = Vec::new();
    for aff in &advisory.affected {
        let ecosystem = match aff.ecosystem.as_str() {
            "npm" => Ecosystem::Npm,
            "Go" => Ecosystem::Go,
            "PyPI" => Ecosystem::PyPI,
            _ => Ecosystem::Cargo,
        };
        let mut versions: BTreeSet<String> = ["0.0.0", "1.0.0", "1.2.3-rc.1", "v2", "junk"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        versions.extend(aff.versions.iter().cloned());
        for r in &aff.ranges {
            if let Range::Events { events, .. } = r {
                for e in events {
                    let (Event::Introduced(v)
                    | Event::Fixed(v)
                    | Event::LastAffected(v)
                    | Event::Limit(v)) = e;
                    versions.insert(v.clone());
                }
            }
        }
        for v in versions.into_iter().take(64) {
            components.push(Component {
                ecosystem,
                name: aff.package.clone(),
                version: v.clone(),
                purl: Purl::new(
                    ecosystem.purl_type(),
                    None,
                    &aff.package,
                    Some(&v),
                    &BTreeMap::new(),
                ),
                scope: Scope::Runtime,
                direct: true,
                first_party: false,
                source: Source::Unknown,
                hashes: vec![],
                licenses: vec![],
                dependencies: BTreeSet::new(),
            });
        }
    }
    components.sort_by(|a, b| a.purl.cmp(&b.purl));
    components.dedup_by(|a, b| a.purl == b.purl);
    let inventory = Inventory {
        projects: vec![Project {
            lockfile: "fuzz.lock".into(),
            ecosystem: Ecosystem::Cargo,
            components,
        }],
        problems: vec![],
    };
    let db = custody_vuln::Database::from_advisories(vec![advisory]);
    let report = custody_vuln::scan(&inventory, &db).expect("an in-memory database always answers");
    for f in &report.findings {
        assert!(!f.ids.is_empty());
    }
});
