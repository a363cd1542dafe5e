//! Accepted findings: an ignore file whose every entry says why and until when. An entry
//! that has expired stops suppressing (the finding fails the scan again and the expiry is
//! named), so that an accepted risk is reviewed instead of forgotten.
//!
//! ```toml
//! [[ignore]]
//! id = "RUSTSEC-2022-0013"        # an ID or alias of the finding
//! package = "regex"               # optional: only this package
//! version = "1.5.4"               # optional: only this version
//! reason = "patterns are never from users"
//! expires = "2027-03-31"
//! ```

use crate::error::VulnError;
use crate::scan::{Finding, Report};
use std::path::Path;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    /// An ID or alias of the finding (`RUSTSEC-…`, `GHSA-…`, `CVE-…`, `PYSEC-…`).
    pub id: String,
    /// Only findings about this package.
    #[serde(default)]
    pub package: Option<String>,
    /// Only findings about this version.
    #[serde(default)]
    pub version: Option<String>,
    /// Why the finding is accepted.
    pub reason: String,
    /// The last day (`YYYY-MM-DD`, UTC) the entry suppresses the finding.
    pub expires: String,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreFile {
    #[serde(default)]
    ignore: Vec<IgnoreEntry>,
}

/// A finding suppressed by an entry.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Ignored {
    /// The finding.
    pub finding: Finding,
    /// The entry that suppresses it.
    pub entry: IgnoreEntry,
}

/// What applying an ignore list did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Applied {
    /// Entries past their expiry that matched a finding (which now counts again).
    pub expired: Vec<IgnoreEntry>,
    /// Entries that matched no finding: stale, or the problem is gone.
    pub unused: Vec<IgnoreEntry>,
}

/// The entries of an ignore file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnoreList {
    entries: Vec<IgnoreEntry>,
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && matches!(s[5..7].parse::<u8>(), Ok(1..=12))
        && matches!(s[8..10].parse::<u8>(), Ok(1..=31))
}

impl IgnoreList {
    /// Parse an ignore file; `path` names it in errors.
    ///
    /// # Errors
    /// Not TOML of this shape, an entry without a reason, or an expiry that is not a
    /// `YYYY-MM-DD` date.
    pub fn parse(text: &str, path: &Path) -> Result<Self, VulnError> {
        let file: IgnoreFile = toml::from_str(text).map_err(|e| {
            VulnError::malformed(path, format!("not an ignore file: {}", e.message()))
        })?;
        for (i, e) in file.ignore.iter().enumerate() {
            let n = i + 1;
            if e.id.trim().is_empty() {
                return Err(VulnError::malformed(path, format!("entry {n}: empty id")));
            }
            if e.reason.trim().is_empty() {
                return Err(VulnError::malformed(
                    path,
                    format!("entry {n} ({}): a reason is required", e.id),
                ));
            }
            if !is_date(&e.expires) {
                return Err(VulnError::malformed(
                    path,
                    format!(
                        "entry {n} ({}): expires = {:?} is not a date (YYYY-MM-DD)",
                        e.id, e.expires
                    ),
                ));
            }
        }
        Ok(Self {
            entries: file.ignore,
        })
    }

    /// Read an ignore file.
    ///
    /// # Errors
    /// As [`IgnoreList::parse`], and an unreadable file.
    pub fn load(path: &Path) -> Result<Self, VulnError> {
        let text = std::fs::read_to_string(path).map_err(|source| VulnError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// The entries.
    #[must_use]
    pub fn entries(&self) -> &[IgnoreEntry] {
        &self.entries
    }

    fn matches(e: &IgnoreEntry, f: &Finding) -> bool {
        (f.ids.contains(&e.id) || f.aliases.contains(&e.id))
            && e.package.as_ref().is_none_or(|p| *p == f.package)
            && e.version.as_ref().is_none_or(|v| *v == f.version)
    }

    /// Move the findings an unexpired entry matches from `report.findings` to
    /// `report.ignored`. `today` is `YYYY-MM-DD` (UTC); an entry suppresses up to and
    /// including its `expires` day.
    pub fn apply(&self, report: &mut Report, today: &str) -> Applied {
        let mut used = vec![false; self.entries.len()];
        let mut expired_used = vec![false; self.entries.len()];
        let mut kept = Vec::with_capacity(report.findings.len());
        for f in std::mem::take(&mut report.findings) {
            let mut suppressed_by = None;
            for (i, e) in self.entries.iter().enumerate() {
                if !Self::matches(e, &f) {
                    continue;
                }
                used[i] = true;
                if e.expires.as_str() >= today {
                    suppressed_by = Some(i);
                    break;
                }
                expired_used[i] = true;
            }
            match suppressed_by {
                Some(i) => report.ignored.push(Ignored {
                    finding: f,
                    entry: self.entries[i].clone(),
                }),
                None => kept.push(f),
            }
        }
        report.findings = kept;
        Applied {
            expired: self
                .entries
                .iter()
                .zip(&expired_used)
                .filter(|(_, x)| **x)
                .map(|(e, _)| e.clone())
                .collect(),
            unused: self
                .entries
                .iter()
                .zip(&used)
                .filter(|(_, u)| !**u)
                .map(|(e, _)| e.clone())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advisory::Kind;
    use crate::cvss::Level;
    use custody_sbom::Scope;

    fn finding(id: &str, alias: &str, package: &str, version: &str) -> Finding {
        Finding {
            ids: vec![id.into()],
            aliases: vec![alias.into()],
            kind: Kind::Vulnerability,
            ecosystem: "crates.io".into(),
            package: package.into(),
            version: version.into(),
            purl: format!("pkg:cargo/{package}@{version}"),
            scope: Scope::Runtime,
            direct: true,
            lockfiles: vec!["Cargo.lock".into()],
            summary: String::new(),
            severity: Level::High,
            score: Some(7.5),
            vectors: vec![],
            fixed: vec![],
            url: None,
        }
    }

    #[test]
    fn entries_suppress_until_they_expire_and_stale_ones_are_named() {
        let list = IgnoreList::parse(
            r#"
[[ignore]]
id = "CVE-1"
reason = "not reachable"
expires = "2026-12-31"

[[ignore]]
id = "RUSTSEC-2"
package = "b"
version = "1.0.0"
reason = "accepted until the upgrade"
expires = "2026-01-31"

[[ignore]]
id = "RUSTSEC-9"
reason = "gone"
expires = "2030-01-01"
"#,
            Path::new("ignore.toml"),
        )
        .expect("parses");
        let mut report = Report {
            findings: vec![
                finding("RUSTSEC-1", "CVE-1", "a", "1.0.0"),
                finding("RUSTSEC-2", "CVE-2", "b", "1.0.0"),
                finding("RUSTSEC-2", "CVE-2", "b", "2.0.0"),
            ],
            ..Report::default()
        };
        let applied = list.apply(&mut report, "2026-12-31");
        assert_eq!(report.ignored.len(), 1, "matched by alias, on its last day");
        assert_eq!(report.ignored[0].finding.package, "a");
        assert_eq!(
            report.findings.len(),
            2,
            "expired and version-bound entries"
        );
        assert_eq!(applied.expired.len(), 1);
        assert_eq!(applied.expired[0].id, "RUSTSEC-2");
        assert_eq!(applied.unused.len(), 1);
        assert_eq!(applied.unused[0].id, "RUSTSEC-9");
        let mut later = Report {
            findings: vec![finding("RUSTSEC-1", "CVE-1", "a", "1.0.0")],
            ..Report::default()
        };
        list.apply(&mut later, "2027-01-01");
        assert_eq!(later.findings.len(), 1, "the day after: counts again");
    }

    #[test]
    fn every_entry_needs_a_reason_and_a_real_date() {
        let bad = |t: &str| {
            IgnoreList::parse(t, Path::new("i.toml"))
                .expect_err("refused")
                .to_string()
        };
        assert!(bad("[[ignore]]\nid = \"X\"\nexpires = \"2027-01-01\"\n").contains("reason"));
        assert!(
            bad("[[ignore]]\nid = \"X\"\nreason = \" \"\nexpires = \"2027-01-01\"\n")
                .contains("a reason is required")
        );
        assert!(
            bad("[[ignore]]\nid = \"X\"\nreason = \"r\"\nexpires = \"next year\"\n")
                .contains("not a date")
        );
        assert!(
            bad("[[ignore]]\nid = \"X\"\nreason = \"r\"\nexpires = \"2027-13-01\"\n")
                .contains("not a date")
        );
        assert!(
            bad("[[ignore]]\nid = \"X\"\nreason = \"r\"\nexpires = \"2027-01-01\"\nuntil = 1\n")
                .contains("i.toml")
        );
    }
}
