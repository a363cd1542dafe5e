//! Matching components against advisories: one finding per problem per package version,
//! advisories that name each other (aliases) merged into one finding with every ID.

use crate::advisory::{Advisory, Affected, Event, Kind, Range, RangeKind};
use crate::cvss::{Level, v3_base_score};
use crate::db::Database;
use crate::error::VulnError;
use crate::version::{Parsed, Scheme, parse_semver};
use custody_sbom::Component;
use custody_sbom::Scope;
use custody_sbom::discover::Inventory;
use custody_sbom::purl::Purl;
use rayon::prelude::*;
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One known problem in one package version.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finding {
    /// The advisories' own IDs, sorted (several when advisories name each other).
    pub ids: Vec<String>,
    /// Other names of the problem (CVE, GHSA, …) not among `ids`, sorted.
    pub aliases: Vec<String>,
    /// Vulnerability or an informational kind.
    pub kind: Kind,
    /// OSV ecosystem.
    pub ecosystem: String,
    /// Package name.
    pub package: String,
    /// The affected version found.
    pub version: String,
    /// The component's package URL.
    pub purl: String,
    /// How the project uses it.
    pub scope: Scope,
    /// Named by the project itself.
    pub direct: bool,
    /// The lockfiles it is in.
    pub lockfiles: Vec<String>,
    /// One line.
    pub summary: String,
    /// The highest severity of the merged advisories.
    pub severity: Level,
    /// The highest CVSS v3 base score, when there is one.
    pub score: Option<f64>,
    /// The CVSS vectors given.
    pub vectors: Vec<String>,
    /// Versions (or requirements) with the fix.
    pub fixed: Vec<String>,
    /// Where to read more.
    pub url: Option<String>,
}

/// The result of a scan.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    /// Findings, sorted by ecosystem, package, version and ID.
    pub findings: Vec<Finding>,
    /// Components scanned.
    pub components: usize,
    /// Advisories in the database.
    pub advisories: usize,
    /// Components whose ecosystem's version ordering custody does not implement yet, by
    /// ecosystem: only explicit version lists could match them.
    pub unordered: BTreeMap<String, usize>,
    /// Components without an exact version (an unpinned requirement): no advisory can be
    /// matched against them.
    pub unpinned: Vec<String>,
    /// Components some advisories could not be decided for: the version, or a version in
    /// the advisory's range, does not parse in the ecosystem's ordering.
    pub undecided: Vec<Undecided>,
    /// Findings an ignore file accepts (see [`crate::ignore`]), not in `findings`.
    pub ignored: Vec<crate::ignore::Ignored>,
}

/// A component and the advisories about it that could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Undecided {
    /// The component.
    pub purl: String,
    /// The advisories' IDs.
    pub advisories: Vec<String>,
}

/// Whether `version` is affected by one `affected` entry; `None` when a range could not
/// be evaluated (the version does not parse in the range's ordering) and nothing else
/// matched.
#[cfg(test)]
fn affected_by(aff: &Affected, version: &str) -> Option<bool> {
    Prepared::new(aff).affects(&Candidate::new(version))
}

/// A component version, parsed in each ordering at most once however many advisories it
/// is tested against.
struct Candidate<'v> {
    text: &'v str,
    /// Per [`Scheme::index`].
    parsed: [OnceCell<Option<Parsed>>; Scheme::COUNT],
    /// Strict SemVer, as cargo audit parses versions for RustSec requirements.
    strict: OnceCell<Option<semver::Version>>,
}

impl<'v> Candidate<'v> {
    fn new(text: &'v str) -> Self {
        Self {
            text,
            parsed: Default::default(),
            strict: OnceCell::new(),
        }
    }

    fn parsed(&self, scheme: Scheme) -> Option<&Parsed> {
        self.parsed[scheme.index()]
            .get_or_init(|| scheme.parse(self.text))
            .as_ref()
    }

    fn strict(&self) -> Option<&semver::Version> {
        self.strict
            .get_or_init(|| semver::Version::parse(self.text).ok())
            .as_ref()
    }
}

/// One `affected` entry made ready to test many versions: its listed versions parsed and
/// its event ranges sorted once.
struct Prepared<'a> {
    aff: &'a Affected,
    /// The listed versions in the ecosystem's ordering (those that parse).
    listed: Vec<Parsed>,
    scheme: Option<Scheme>,
    ranges: Vec<PreparedRange<'a>>,
}

enum PreparedRange<'a> {
    Requirements {
        patched: &'a [semver::VersionReq],
        unaffected: &'a [semver::VersionReq],
    },
    /// Events in version order; `None` when one does not parse (the range is undecided).
    Events {
        scheme: Scheme,
        sorted: Option<Vec<(Option<Parsed>, EventKind)>>,
    },
    /// An `ECOSYSTEM` range in an ordering custody does not know: undecided.
    Unordered,
}

#[derive(Debug, Clone, Copy)]
enum EventKind {
    Introduced,
    Fixed,
    LastAffected,
}

impl<'a> Prepared<'a> {
    fn new(aff: &'a Affected) -> Self {
        let scheme = Scheme::for_ecosystem(&aff.ecosystem);
        let listed = scheme.map_or_else(Vec::new, |s| {
            aff.versions.iter().filter_map(|v| s.parse(v)).collect()
        });
        let ranges = aff
            .ranges
            .iter()
            .filter_map(|r| match r {
                Range::Requirements {
                    patched,
                    unaffected,
                } => Some(PreparedRange::Requirements {
                    patched,
                    unaffected,
                }),
                Range::Events { kind, events } => {
                    let scheme = match kind {
                        RangeKind::Git => return None,
                        RangeKind::Semver => Some(Scheme::Semver),
                        RangeKind::Ecosystem => scheme,
                    };
                    Some(
                        scheme.map_or(PreparedRange::Unordered, |scheme| PreparedRange::Events {
                            scheme,
                            sorted: sort_events(scheme, events),
                        }),
                    )
                }
            })
            .collect();
        Self {
            aff,
            listed,
            scheme,
            ranges,
        }
    }

    fn affects(&self, version: &Candidate<'_>) -> Option<bool> {
        if self.aff.versions.iter().any(|v| v == version.text) {
            return Some(true);
        }
        // The same version spelled differently (`1.0` and `1.0.0` in PEP 440).
        if let Some(scheme) = self.scheme
            && let Some(v) = version.parsed(scheme)
            && self
                .listed
                .iter()
                .any(|l| l.partial_cmp(v) == Some(std::cmp::Ordering::Equal))
        {
            return Some(true);
        }
        let mut undecided = false;
        for range in &self.ranges {
            match range {
                PreparedRange::Requirements {
                    patched,
                    unaffected,
                } => match version.strict() {
                    Some(v) => {
                        if crate::rustsec::is_affected(v, patched, unaffected) {
                            return Some(true);
                        }
                    }
                    None => undecided = true,
                },
                PreparedRange::Events { scheme, sorted } => {
                    match (sorted, version.parsed(*scheme)) {
                        (Some(sorted), Some(v)) => {
                            if in_events(sorted, v) {
                                return Some(true);
                            }
                        }
                        _ => undecided = true,
                    }
                }
                PreparedRange::Unordered => undecided = true,
            }
        }
        if undecided { None } else { Some(false) }
    }
}

/// A range's events in version order (`introduced: 0` below everything; `limit` is about
/// commits and left out); `None` when an event's version does not parse, so that the
/// range cannot be placed.
fn sort_events(scheme: Scheme, events: &[Event]) -> Option<Vec<(Option<Parsed>, EventKind)>> {
    let mut sorted = Vec::with_capacity(events.len());
    for e in events {
        let (text, kind) = match e {
            Event::Introduced(t) => (t, EventKind::Introduced),
            Event::Fixed(t) => (t, EventKind::Fixed),
            Event::LastAffected(t) => (t, EventKind::LastAffected),
            Event::Limit(_) => continue,
        };
        if matches!(e, Event::Introduced(t) if t == "0") {
            sorted.push((None, kind));
            continue;
        }
        sorted.push((Some(scheme.parse(text)?), kind));
    }
    sorted.sort_by(|a, b| match (&a.0, &b.0) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal),
    });
    Some(sorted)
}

/// OSV's evaluation of one range over its sorted events: `introduced` turns on, `fixed`
/// (at or above) and `last_affected` (above) turn off.
fn in_events(sorted: &[(Option<Parsed>, EventKind)], v: &Parsed) -> bool {
    let mut affected = false;
    for (at, kind) in sorted {
        match (kind, at) {
            (EventKind::Introduced, None) => affected = true,
            (EventKind::Introduced, Some(at)) if v >= at => affected = true,
            (EventKind::Fixed, Some(at)) if v >= at => affected = false,
            (EventKind::LastAffected, Some(at)) if v > at => affected = false,
            _ => {}
        }
    }
    affected
}

fn fixed_versions(aff: &Affected) -> Vec<String> {
    let mut out = Vec::new();
    for r in &aff.ranges {
        match r {
            Range::Requirements { patched, .. } => {
                out.extend(patched.iter().map(ToString::to_string))
            }
            Range::Events { events, .. } => out.extend(events.iter().filter_map(|e| match e {
                Event::Fixed(v) => Some(v.clone()),
                _ => None,
            })),
        }
    }
    out
}

/// One package version across the whole inventory, as the scan needs it: the component
/// (from the first lockfile naming it), the strongest scope and whether any project
/// names it directly, and the lockfiles it is in. Borrowed, not cloned: an inventory of
/// tens of thousands of components is merged without copying their graphs.
struct InInventory<'a> {
    c: &'a Component,
    scope: Scope,
    direct: bool,
    first_party: bool,
    lockfiles: BTreeSet<&'a str>,
}

/// What one package (every version of it in the inventory) contributes to a report.
#[derive(Default)]
struct PackageResult {
    findings: Vec<Finding>,
    unordered: usize,
    unpinned: Vec<String>,
    undecided: Vec<Undecided>,
}

/// Scan every component of an inventory. Components are grouped by package, so that
/// each package's advisories are looked up and prepared once, and packages are scanned
/// in parallel.
///
/// # Errors
/// A compiled database whose records do not decode: no answer rather than a partial one.
pub fn scan(inventory: &Inventory, db: &Database) -> Result<Report, VulnError> {
    let shown: Vec<String> = inventory
        .projects
        .iter()
        .map(|p| p.lockfile.to_string_lossy().into_owned())
        .collect();
    let mut merged: HashMap<&Purl, InInventory<'_>> = HashMap::new();
    for (project, lockfile) in inventory.projects.iter().zip(&shown) {
        for c in &project.components {
            let m = merged.entry(&c.purl).or_insert_with(|| InInventory {
                c,
                scope: c.scope,
                direct: false,
                first_party: false,
                lockfiles: BTreeSet::new(),
            });
            m.scope = m.scope.min(c.scope);
            m.direct |= c.direct;
            m.first_party |= c.first_party;
            m.lockfiles.insert(lockfile.as_str());
        }
    }
    let component_count = merged.len();
    let mut packages: BTreeMap<(&str, String), Vec<InInventory<'_>>> = BTreeMap::new();
    for m in merged.into_values() {
        let c = m.c;
        if m.first_party {
            continue;
        }
        let eco = c.ecosystem.osv_name();
        let (name, _) = advisory_identity(c);
        packages
            .entry((eco, crate::db::normalise_name(eco, &name)))
            .or_default()
            .push(m);
    }
    // Reports list versions in purl order, whatever order the merge met them in.
    for versions in packages.values_mut() {
        versions.sort_unstable_by(|a, b| a.c.purl.cmp(&b.c.purl));
    }
    let results: Vec<(&str, Result<PackageResult, VulnError>)> = packages
        .into_par_iter()
        .map(|((eco, _), versions)| (eco, scan_package(db, eco, &versions)))
        .collect();
    let mut report = Report {
        components: component_count,
        advisories: db.len(),
        ..Report::default()
    };
    for (eco, r) in results {
        let r = r?;
        report.findings.extend(r.findings);
        report.unpinned.extend(r.unpinned);
        report.undecided.extend(r.undecided);
        if r.unordered > 0 {
            *report.unordered.entry(eco.to_owned()).or_default() += r.unordered;
        }
    }
    report.findings.sort_by(|a, b| {
        (&a.ecosystem, &a.package, version_key(&a.version), &a.ids).cmp(&(
            &b.ecosystem,
            &b.package,
            version_key(&b.version),
            &b.ids,
        ))
    });
    Ok(report)
}

fn scan_package(
    db: &Database,
    eco: &str,
    versions: &[InInventory<'_>],
) -> Result<PackageResult, VulnError> {
    let mut out = PackageResult::default();
    let Some(first) = versions.first() else {
        return Ok(out);
    };
    let (lookup_name, _) = advisory_identity(first.c);
    let prepared: Vec<(&Advisory, Prepared<'_>)> = db
        .about(eco, &lookup_name)?
        .into_iter()
        .filter(|(adv, _)| adv.withdrawn.is_none())
        .map(|(adv, aff)| (adv, Prepared::new(aff)))
        .collect();
    for m in versions {
        let c = m.c;
        if c.version.is_empty() {
            out.unpinned.push(c.purl.to_string());
            continue;
        }
        let (_, lookup_version) = advisory_identity(c);
        let candidate = Candidate::new(&lookup_version);
        let mut hits: Vec<(&Advisory, &Affected)> = Vec::new();
        let mut undecided: Vec<&str> = Vec::new();
        for (adv, p) in &prepared {
            match p.affects(&candidate) {
                Some(true) => hits.push((adv, p.aff)),
                Some(false) => {}
                None => undecided.push(&adv.id),
            }
        }
        if !undecided.is_empty() {
            if Scheme::for_ecosystem(eco).is_none() {
                out.unordered += 1;
            } else {
                // The ordering is known, but this version or an advisory's range does not
                // parse in it: neither affected nor clean.
                undecided.sort_unstable();
                undecided.dedup();
                out.undecided.push(Undecided {
                    purl: c.purl.to_string(),
                    advisories: undecided.iter().map(|s| (*s).to_owned()).collect(),
                });
            }
        }
        for group in merge_aliases(&hits) {
            let advisories: Vec<&(&Advisory, &Affected)> =
                group.iter().map(|&i| &hits[i]).collect();
            out.findings.push(finding(eco, m, &advisories));
        }
    }
    Ok(out)
}

/// The name and version advisories know a component by. Debian's advisories are about
/// source packages (`glibc`), not the binary packages a system has installed (`libc6`),
/// and their ranges are source versions: the dpkg reader keeps the source as the purl's
/// `upstream` qualifier (`glibc`, or `bash@5.2.15-2` when the binary was rebuilt with
/// another version). Every other ecosystem: the component's own name and version.
fn advisory_identity(c: &Component) -> (std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>) {
    use std::borrow::Cow;
    if c.ecosystem == custody_sbom::Ecosystem::Debian
        && let Ok(parts) = Purl::parse(c.purl.as_str())
        && let Some(upstream) = parts.qualifiers.get("upstream")
    {
        return match upstream.split_once('@') {
            Some((name, version)) => (Cow::Owned(name.to_owned()), Cow::Owned(version.to_owned())),
            None => (
                Cow::Owned(upstream.clone()),
                Cow::Borrowed(c.version.as_str()),
            ),
        };
    }
    (
        Cow::Borrowed(c.name.as_str()),
        Cow::Borrowed(c.version.as_str()),
    )
}

/// One finding from the advisories (merged by alias) that affect one component.
fn finding(eco: &str, m: &InInventory<'_>, advisories: &[&(&Advisory, &Affected)]) -> Finding {
    let c = m.c;
    let ids: BTreeSet<String> = advisories.iter().map(|(a, _)| a.id.clone()).collect();
    let aliases: BTreeSet<String> = advisories
        .iter()
        .flat_map(|(a, _)| a.aliases.iter().cloned())
        .filter(|a| !ids.contains(a))
        .collect();
    let vectors: Vec<String> = advisories
        .iter()
        .flat_map(|(a, _)| a.severity.iter().map(|s| s.score.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let score = vectors
        .iter()
        .filter_map(|v| v3_base_score(v).or_else(|| crate::cvss4::v4_score(v)))
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
    let first = advisories.first().map(|(a, _)| *a);
    Finding {
        ids: ids.into_iter().collect(),
        aliases: aliases.into_iter().collect(),
        kind: advisories
            .iter()
            .map(|(a, _)| a.kind)
            .min()
            .unwrap_or(Kind::Vulnerability),
        ecosystem: eco.to_owned(),
        package: c.name.clone(),
        version: c.version.clone(),
        purl: c.purl.to_string(),
        scope: m.scope,
        direct: m.direct,
        lockfiles: m.lockfiles.iter().map(|l| (*l).to_owned()).collect(),
        summary: first.map(|a| a.summary.clone()).unwrap_or_default(),
        severity: score.map_or(Level::Unknown, Level::of_score),
        score,
        vectors,
        fixed: advisories
            .iter()
            .flat_map(|(_, aff)| fixed_versions(aff))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        url: first.and_then(|a| a.url.clone()),
    }
}

fn version_key(v: &str) -> (Option<semver::Version>, String) {
    (parse_semver(v), v.to_owned())
}

/// Groups of hits (indices) whose advisories share an ID or alias.
fn merge_aliases(hits: &[(&Advisory, &Affected)]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..hits.len()).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, (a, _)) in hits.iter().enumerate() {
        for name in std::iter::once(&a.id).chain(a.aliases.iter()) {
            match owner.get(name.as_str()) {
                Some(&j) => {
                    let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                    parent[ri] = rj;
                }
                None => {
                    owner.insert(name, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..hits.len() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    groups.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn ev(kind: RangeKind, events: Vec<Event>) -> Range {
        Range::Events { kind, events }
    }

    fn aff(eco: &str, ranges: Vec<Range>, versions: &[&str]) -> Affected {
        Affected {
            ecosystem: eco.into(),
            package: "p".into(),
            ranges,
            versions: versions.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn osv_events_introduced_fixed_last_affected() {
        use Event::*;
        let a = aff(
            "crates.io",
            vec![ev(
                RangeKind::Semver,
                vec![
                    Introduced("2.0.0".into()),
                    Fixed("2.5.0".into()),
                    Introduced("0".into()),
                    LastAffected("1.4.0".into()),
                ],
            )],
            &[],
        );
        for (v, hit) in [
            ("0.1.0", true),
            ("1.4.0", true),
            ("1.4.1", false),
            ("1.9.9", false),
            ("2.0.0", true),
            ("2.4.9", true),
            ("2.5.0-rc.1", true),
            ("2.5.0", false),
        ] {
            assert_eq!(affected_by(&a, v), Some(hit), "{v}");
        }
    }

    #[test]
    fn maven_ranges_use_maven_ordering() {
        use Event::*;
        // jackson-databind's CVE-2020-36518 range, as OSV writes it.
        let a = aff(
            "Maven",
            vec![ev(
                RangeKind::Ecosystem,
                vec![
                    Introduced("0".into()),
                    Fixed("2.12.6.1".into()),
                    Introduced("2.13.0".into()),
                    Fixed("2.13.2.1".into()),
                ],
            )],
            &[],
        );
        for (v, hit) in [
            ("2.9.10.8", true),
            ("2.12.6", true),
            ("2.12.6.1", false),
            ("2.13.0-rc1", false),
            ("2.13.0", true),
            ("2.13.2", true),
            ("2.13.2.1", false),
            ("2.13.2.2", false),
            ("2.15.2", false),
        ] {
            assert_eq!(affected_by(&a, v), Some(hit), "{v}");
        }
    }

    #[test]
    fn explicit_versions_match_where_no_ordering_is_known() {
        let a = aff(
            "Hackage",
            vec![ev(
                RangeKind::Ecosystem,
                vec![Event::Introduced("0".into())],
            )],
            &["1.0"],
        );
        assert_eq!(affected_by(&a, "1.0"), Some(true));
        assert_eq!(affected_by(&a, "1.1"), None, "no ordering: undecided");
        let git = aff(
            "crates.io",
            vec![ev(RangeKind::Git, vec![Event::Introduced("0".into())])],
            &[],
        );
        assert_eq!(
            affected_by(&git, "1.0.0"),
            Some(false),
            "git ranges are not version ranges"
        );
    }

    #[test]
    fn a_version_that_does_not_parse_is_undecided_not_clean() {
        use custody_sbom::component::{Component, Ecosystem, Project, Source};
        let advisory = Advisory {
            id: "PYSEC-X".into(),
            aliases: vec![],
            summary: String::new(),
            kind: Kind::Vulnerability,
            withdrawn: None,
            severity: vec![],
            affected: vec![Affected {
                ecosystem: "PyPI".into(),
                package: "p".into(),
                ranges: vec![ev(
                    RangeKind::Ecosystem,
                    vec![Event::Introduced("0".into()), Event::Fixed("2.0".into())],
                )],
                versions: vec![],
            }],
            url: None,
            modified: None,
            file: PathBuf::new(),
        };
        let component = |version: &str| Component {
            ecosystem: Ecosystem::PyPI,
            name: "p".into(),
            version: version.into(),
            purl: Purl::new("pypi", None, "p", Some(version), &Default::default()),
            scope: Scope::Runtime,
            direct: true,
            first_party: false,
            source: Source::Unknown,
            hashes: vec![],
            licenses: vec![],
            dependencies: Default::default(),
        };
        let inventory = Inventory {
            projects: vec![Project {
                lockfile: "requirements.txt".into(),
                ecosystem: Ecosystem::PyPI,
                components: vec![component("1.0"), component("not-a-version")],
            }],
            problems: vec![],
        };
        let report =
            scan(&inventory, &Database::from_advisories(vec![advisory])).expect("in memory");
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.undecided.len(), 1);
        assert_eq!(report.undecided[0].advisories, vec!["PYSEC-X".to_owned()]);
        assert!(report.undecided[0].purl.contains("not-a-version"));
    }

    #[test]
    fn debian_binaries_are_matched_by_their_source_package_and_version() {
        use custody_sbom::component::{Component, Ecosystem, Project, Source};
        let advisory = Advisory {
            id: "DSA-0000-1".into(),
            aliases: vec![],
            summary: String::new(),
            kind: Kind::Vulnerability,
            withdrawn: None,
            severity: vec![],
            affected: ["glibc", "bash"]
                .iter()
                .map(|source| Affected {
                    ecosystem: "Debian".into(),
                    package: (*source).into(),
                    ranges: vec![ev(
                        RangeKind::Ecosystem,
                        vec![
                            Event::Introduced("0".into()),
                            Event::Fixed(if *source == "glibc" {
                                "2.36-9+deb12u5".into()
                            } else {
                                "5.2.15-2+deb12u1".into()
                            }),
                        ],
                    )],
                    versions: vec![],
                })
                .collect(),
            url: None,
            modified: None,
            file: PathBuf::new(),
        };
        let deb = |name: &str, version: &str, upstream: Option<&str>| {
            let mut q = BTreeMap::new();
            q.insert("arch", "amd64".to_owned());
            if let Some(u) = upstream {
                q.insert("upstream", u.to_owned());
            }
            Component {
                ecosystem: Ecosystem::Debian,
                name: name.into(),
                version: version.into(),
                purl: Purl::new("deb", Some("debian"), name, Some(version), &q),
                scope: Scope::Runtime,
                direct: true,
                first_party: false,
                source: Source::Unknown,
                hashes: vec![],
                licenses: vec![],
                dependencies: Default::default(),
            }
        };
        let inventory = Inventory {
            projects: vec![Project {
                lockfile: "var/lib/dpkg/status".into(),
                ecosystem: Ecosystem::Debian,
                components: vec![
                    deb("libc6", "2.36-9+deb12u4", Some("glibc")),
                    deb("libc-bin", "2.36-9+deb12u5", Some("glibc")),
                    // Rebuilt binary (+b2) of source 5.2.15-2: the source version decides.
                    deb("bash", "5.2.15-2+b2", Some("bash@5.2.15-2")),
                    deb("glibc-doc-unrelated", "1.0", None),
                ],
            }],
            problems: vec![],
        };
        let report =
            scan(&inventory, &Database::from_advisories(vec![advisory])).expect("in memory");
        let hit: Vec<(&str, &str)> = report
            .findings
            .iter()
            .map(|f| (f.package.as_str(), f.version.as_str()))
            .collect();
        assert_eq!(hit, [("bash", "5.2.15-2+b2"), ("libc6", "2.36-9+deb12u4")]);
    }

    #[test]
    fn advisories_naming_each_other_merge() {
        let adv = |id: &str, aliases: &[&str]| Advisory {
            id: id.into(),
            aliases: aliases.iter().map(|s| (*s).to_owned()).collect(),
            summary: String::new(),
            kind: Kind::Vulnerability,
            withdrawn: None,
            severity: vec![],
            affected: vec![],
            url: None,
            modified: None,
            file: PathBuf::new(),
        };
        let a = adv("RUSTSEC-1", &["CVE-1"]);
        let b = adv("GHSA-1", &["CVE-1"]);
        let c = adv("RUSTSEC-2", &[]);
        let x = aff("crates.io", vec![], &[]);
        let groups = merge_aliases(&[(&a, &x), (&b, &x), (&c, &x)]);
        assert_eq!(groups, vec![vec![0, 1], vec![2]]);
    }
}
