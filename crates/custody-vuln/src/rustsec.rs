//! RustSec advisories: Markdown files whose TOML front matter (a ```` ```toml ```` block)
//! holds the data, in `crates/<crate>/RUSTSEC-*.md` of the advisory database.
//!
//! Matching follows the `rustsec` crate, so that custody and `cargo audit` agree: a
//! version is affected unless a `patched` or an `unaffected` requirement matches it
//! (Cargo's requirement syntax with the `semver` crate's rules, so build metadata is
//! ignored and a pre-release only matches a requirement naming a pre-release of the same
//! version). Informational advisories (`unmaintained`, `unsound`, `notice`) keep their
//! kind; `withdrawn` ones are kept and never match.

use crate::advisory::{Advisory, Affected, Kind, Range, Severity};
use crate::error::VulnError;
use std::path::Path;

#[derive(Debug, serde::Deserialize)]
struct FrontMatter {
    advisory: Meta,
    #[serde(default)]
    versions: Versions,
}

#[derive(Debug, serde::Deserialize)]
struct Meta {
    id: String,
    package: String,
    #[serde(default)]
    aliases: Vec<String>,
    cvss: Option<String>,
    url: Option<String>,
    informational: Option<String>,
    withdrawn: Option<toml::Value>,
    date: Option<toml::Value>,
    /// `crates.io` unless the advisory is about the toolchain (`rust/` advisories).
    #[serde(default)]
    collection: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct Versions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

/// Parse one RustSec advisory file's text.
///
/// # Errors
/// [`VulnError::Malformed`] naming `path` when there is no TOML front matter, it does
/// not parse, or a version requirement is invalid.
pub fn parse(text: &str, path: &Path) -> Result<Advisory, VulnError> {
    let bad = |m: String| VulnError::malformed(path, m);
    let body = text.trim_start_matches('\u{feff}').trim_start();
    let rest = body
        .strip_prefix("```toml")
        .ok_or_else(|| bad("no ```toml front matter at the top".into()))?;
    let end = rest
        .find("\n```")
        .ok_or_else(|| bad("the ```toml front matter is not closed".into()))?;
    let front: FrontMatter =
        toml::from_str(&rest[..end]).map_err(|e| bad(format!("front matter: {}", e.message())))?;
    let after = &rest[end + 4..];
    let summary = after
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or_default()
        .trim()
        .to_owned();
    let reqs = |list: &[String], field: &str| -> Result<Vec<semver::VersionReq>, VulnError> {
        list.iter()
            .map(|r| {
                semver::VersionReq::parse(r)
                    .map_err(|e| bad(format!("[versions] {field} {r:?}: {e}")))
            })
            .collect()
    };
    let meta = front.advisory;
    let kind = match meta.informational.as_deref().map(str::trim) {
        None => Kind::Vulnerability,
        Some("unmaintained") => Kind::Unmaintained,
        Some("unsound") => Kind::Unsound,
        // `notice` and any future informational kind: reported, never a vulnerability.
        Some(_) => Kind::Notice,
    };
    let ecosystem = match meta.collection.as_deref() {
        None | Some("crates") => "crates.io",
        Some(other) => other,
    };
    Ok(Advisory {
        id: meta.id,
        aliases: meta.aliases,
        summary,
        kind,
        withdrawn: meta.withdrawn.map(toml_text),
        modified: meta.date.map(toml_text),
        severity: meta
            .cvss
            .map(|v| Severity {
                kind: if v.starts_with("CVSS:4") {
                    "CVSS_V4"
                } else {
                    "CVSS_V3"
                }
                .to_owned(),
                score: v,
            })
            .into_iter()
            .collect(),
        affected: vec![Affected {
            ecosystem: ecosystem.to_owned(),
            package: meta.package,
            ranges: vec![Range::Requirements {
                patched: reqs(&front.versions.patched, "patched")?,
                unaffected: reqs(&front.versions.unaffected, "unaffected")?,
            }],
            versions: Vec::new(),
        }],
        url: meta.url,
        file: path.to_owned(),
    })
}

/// Whether `version` is affected under RustSec's rule.
#[must_use]
pub fn is_affected(
    version: &semver::Version,
    patched: &[semver::VersionReq],
    unaffected: &[semver::VersionReq],
) -> bool {
    !patched.iter().any(|r| r.matches(version)) && !unaffected.iter().any(|r| r.matches(version))
}

/// A TOML value as text: strings as they are, dates and others as TOML writes them.
fn toml_text(v: toml::Value) -> String {
    match v {
        toml::Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALLVEC: &str = r#"```toml
[advisory]
id = "RUSTSEC-2018-0003"
package = "smallvec"
aliases = ["CVE-2018-20991"]
cvss = "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
date = "2018-07-19"

[versions]
patched = [">= 0.6.3", "^0.3.4", "^0.4.5", "^0.5.1"]
unaffected = ["< 0.3.2"]
```

# Possible double free during unwinding in SmallVec::insert_many

Text.
"#;

    fn affected(a: &Advisory, v: &str) -> bool {
        let Range::Requirements {
            patched,
            unaffected,
        } = &a.affected[0].ranges[0]
        else {
            panic!("requirements");
        };
        is_affected(
            &semver::Version::parse(v).expect("version"),
            patched,
            unaffected,
        )
    }

    #[test]
    fn parses_and_matches_like_cargo_audit() {
        let a = parse(SMALLVEC, Path::new("x.md")).expect("parses");
        assert_eq!(a.id, "RUSTSEC-2018-0003");
        assert_eq!(a.kind, Kind::Vulnerability);
        assert_eq!(
            a.summary,
            "Possible double free during unwinding in SmallVec::insert_many"
        );
        assert_eq!(a.affected[0].package, "smallvec");
        for (v, hit) in [
            ("0.3.1", false),
            ("0.3.2", true),
            ("0.3.4", false),
            ("0.4.0", true),
            ("0.4.5", false),
            ("0.6.2", true),
            ("0.6.3", false),
            ("1.0.0", false),
            // Build metadata is ignored.
            ("0.6.2+meta", true),
        ] {
            assert_eq!(affected(&a, v), hit, "{v}");
        }
    }

    #[test]
    fn informational_and_withdrawn() {
        let text = SMALLVEC.replace(
            "date =",
            "informational = \"unmaintained\"\nwithdrawn = \"2020-01-01\"\ndate =",
        );
        let a = parse(&text, Path::new("x.md")).expect("parses");
        assert_eq!(a.kind, Kind::Unmaintained);
        assert_eq!(a.withdrawn.as_deref(), Some("2020-01-01"));
    }

    #[test]
    fn malformed_files_name_the_file_and_the_problem() {
        for (text, expect) in [
            ("# no front matter", "no ```toml front matter"),
            ("```toml\n[advisory]\nid = \"x\"\n", "not closed"),
            ("```toml\n[advisory]\nid = 1\n```\n", "front matter"),
            (
                "```toml\n[advisory]\nid = \"x\"\npackage = \"p\"\n[versions]\npatched = [\"~>1\"]\n```\n",
                "patched",
            ),
        ] {
            let err = parse(text, Path::new("crates/p/X.md")).expect_err(text);
            let s = err.to_string();
            assert!(
                s.starts_with("crates/p/X.md: ") && s.contains(expect),
                "{s}"
            );
        }
    }
}
