//! OSV records (JSON, or YAML as the PyPA database keeps them), converted into the
//! advisory model. Unknown fields are ignored, as the OSV schema allows.

use crate::advisory::{Advisory, Affected, Event, Kind, Range, RangeKind, Severity};
use crate::error::VulnError;
use std::path::Path;

#[derive(Debug, serde::Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    severity: Vec<RecordSeverity>,
    #[serde(default)]
    affected: Vec<RecordAffected>,
    #[serde(default)]
    references: Vec<Reference>,
}

#[derive(Debug, serde::Deserialize)]
struct RecordSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Debug, serde::Deserialize)]
struct Reference {
    #[serde(rename = "type", default)]
    kind: String,
    url: String,
}

#[derive(Debug, serde::Deserialize)]
struct RecordAffected {
    package: Option<Package>,
    #[serde(default)]
    severity: Vec<RecordSeverity>,
    #[serde(default)]
    ranges: Vec<RecordRange>,
    #[serde(default)]
    versions: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
struct Package {
    ecosystem: String,
    name: String,
}

#[derive(Debug, serde::Deserialize)]
struct RecordRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<RecordEvent>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum RecordEvent {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

/// The format of an OSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `.json`.
    Json,
    /// `.yaml` / `.yml`.
    Yaml,
}

/// Parse one OSV record.
///
/// # Errors
/// [`VulnError::Malformed`] naming `path` when the text is not an OSV record.
pub fn parse(text: &str, syntax: Syntax, path: &Path) -> Result<Advisory, VulnError> {
    let record: Record = match syntax {
        Syntax::Json => serde_json::from_str(text)
            .map_err(|e| VulnError::malformed(path, format!("not an OSV record: {e}")))?,
        Syntax::Yaml => serde_saphyr::from_str(text)
            .map_err(|e| VulnError::malformed(path, format!("not an OSV record: {e}")))?,
    };
    let mut severity: Vec<Severity> = record
        .severity
        .iter()
        .chain(record.affected.iter().flat_map(|a| a.severity.iter()))
        .map(|s| Severity {
            kind: s.kind.clone(),
            score: s.score.clone(),
        })
        .collect();
    severity.dedup();
    let mut affected = Vec::new();
    for a in record.affected {
        let Some(package) = a.package else { continue };
        // `Debian:12`, `Alpine:v3.18`: the release is not part of the ordering.
        let ecosystem = package
            .ecosystem
            .split(':')
            .next()
            .unwrap_or_default()
            .to_owned();
        let ranges = a
            .ranges
            .into_iter()
            .map(|r| {
                let kind = match r.kind.as_str() {
                    "SEMVER" => RangeKind::Semver,
                    "ECOSYSTEM" => RangeKind::Ecosystem,
                    _ => RangeKind::Git,
                };
                Range::Events {
                    kind,
                    events: r
                        .events
                        .into_iter()
                        .map(|e| match e {
                            RecordEvent::Introduced(v) => Event::Introduced(v),
                            RecordEvent::Fixed(v) => Event::Fixed(v),
                            RecordEvent::LastAffected(v) => Event::LastAffected(v),
                            RecordEvent::Limit(v) => Event::Limit(v),
                        })
                        .collect(),
                }
            })
            .collect();
        affected.push(Affected {
            ecosystem,
            package: package.name,
            ranges,
            versions: a.versions,
        });
    }
    let summary = record
        .summary
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            record
                .details
                .as_deref()
                .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
                .map(|l| l.trim().chars().take(120).collect())
        })
        .unwrap_or_default();
    let url = record
        .references
        .iter()
        .find(|r| r.kind == "ADVISORY")
        .or_else(|| record.references.first())
        .map(|r| r.url.clone());
    Ok(Advisory {
        id: record.id,
        aliases: record.aliases,
        summary,
        kind: Kind::Vulnerability,
        withdrawn: record.withdrawn,
        modified: record.modified,
        severity,
        affected,
        url,
        file: path.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml_give_the_same_advisory() {
        let json = r#"{"id":"PYSEC-1","aliases":["CVE-1"],"details":"\nFirst line.\nMore.",
          "affected":[{"package":{"ecosystem":"PyPI","name":"django"},
            "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2"}]}],
            "versions":["1.0","1.1"]}],
          "references":[{"type":"WEB","url":"https://a"},{"type":"ADVISORY","url":"https://b"}]}"#;
        let yaml = "id: PYSEC-1\naliases:\n- CVE-1\ndetails: |\n\n  First line.\n  More.\naffected:\n- package:\n    ecosystem: PyPI\n    name: django\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: '0'\n    - fixed: '1.2'\n  versions:\n  - '1.0'\n  - '1.1'\nreferences:\n- type: WEB\n  url: https://a\n- type: ADVISORY\n  url: https://b\n";
        let a = parse(json, Syntax::Json, Path::new("a.json")).expect("json");
        let mut b = parse(yaml, Syntax::Yaml, Path::new("a.json")).expect("yaml");
        b.file = a.file.clone();
        assert_eq!(a, b);
        assert_eq!(a.summary, "First line.");
        assert_eq!(a.url.as_deref(), Some("https://b"));
        assert_eq!(a.affected[0].versions, vec!["1.0", "1.1"]);
    }

    #[test]
    fn ecosystem_releases_are_dropped_and_bad_records_named() {
        let json =
            r#"{"id":"DSA-1","affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"}}]}"#;
        let a = parse(json, Syntax::Json, Path::new("d.json")).expect("json");
        assert_eq!(a.affected[0].ecosystem, "Debian");
        let err = parse("{\"id\": 3}", Syntax::Json, Path::new("bad.json")).expect_err("bad");
        assert!(
            err.to_string().starts_with("bad.json: not an OSV record"),
            "{err}"
        );
    }
}
