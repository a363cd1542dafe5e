//! Secret rules: what a credential of one kind looks like, and the words that must be
//! near it.
//!
//! Rules are TOML (`[[rules]]` tables). Regexes are compiled for bytes with Unicode classes
//! off (`\w`, `\d` and `\s` are ASCII): credentials are ASCII, and Unicode-aware classes
//! make scanning real text about a hundred times slower. The engine is linear-time (no
//! backtracking) with size limits, so no rule, user rules included, can hang a scan.

use crate::SecretsError;
use serde::Deserialize;

/// The rules custody ships, written by the team.
pub const BUILTIN: &str = include_str!("../rules/builtin.toml");

/// A rule as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable identifier (`aws-access-key-id`).
    pub id: String,
    /// What the secret is.
    pub description: String,
    /// The pattern.
    pub regex: String,
    /// Words (lowercase) one of which must occur in the content for the rule to run.
    /// An empty list runs the rule on everything.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Capture group holding the secret (0: the whole match).
    #[serde(default = "one")]
    pub secret_group: usize,
    /// Minimum Shannon entropy (bits per character) of the secret.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Regex a file path must match for the rule to apply.
    #[serde(default)]
    pub path: Option<String>,
    /// Text the rule must find a secret in (checked by the test suite).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Text the rule must not report (checked by the test suite).
    #[serde(default)]
    pub negatives: Vec<String>,
}

fn one() -> usize {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rules: Vec<Rule>,
}

/// Read rules from TOML.
///
/// # Errors
/// [`SecretsError::Rules`] naming the problem (syntax, unknown fields, duplicate IDs).
pub fn parse_rules(text: &str, origin: &str) -> Result<Vec<Rule>, SecretsError> {
    let file: RuleFile = toml::from_str(text).map_err(|e| SecretsError::Rules {
        origin: origin.to_owned(),
        detail: e.to_string(),
    })?;
    let mut ids = std::collections::BTreeSet::new();
    for rule in &file.rules {
        if !ids.insert(rule.id.as_str()) {
            return Err(SecretsError::Rules {
                origin: origin.to_owned(),
                detail: format!("rule {:?} is defined twice", rule.id),
            });
        }
    }
    Ok(file.rules)
}

/// The built-in rules.
///
/// # Errors
/// Only if the shipped file is broken, which the test suite rules out.
pub fn builtin() -> Result<Vec<Rule>, SecretsError> {
    parse_rules(BUILTIN, "built-in rules")
}

/// Shannon entropy in bits per character.
#[must_use]
pub fn entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Whether a candidate is an obvious placeholder rather than a credential: the word
/// `example`, a run of eight identical characters (`XXXXXXXX`, `00000000`), or template
/// syntax (`${…}`, `{{…}}`, `<…>`).
#[must_use]
pub fn is_placeholder(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    let contains = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    if contains(b"example") || contains(b"${") || contains(b"{{") || secret.first() == Some(&b'<') {
        return true;
    }
    let mut run = 1;
    for w in secret.windows(2) {
        if w[0] == w[1] {
            run += 1;
            if run >= 8 {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_known_strings() {
        assert!((entropy(b"aaaa") - 0.0).abs() < 1e-9);
        assert!((entropy(b"ab") - 1.0).abs() < 1e-9);
        assert!(entropy(b"0123456789abcdef") > 3.99);
    }

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            &b"AKIAXXXXXXXXXXXXXXXX"[..],
            b"AKIAIOSFODNN7EXAMPLE",
            b"${DB_PASSWORD}",
            b"<secret>",
            b"00000000abc",
        ] {
            assert!(is_placeholder(p), "{}", String::from_utf8_lossy(p));
        }
        assert!(!is_placeholder(b"AKIAQWB5PDKHX6PYGPAN"));
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let text = "[[rules]]\nid='a'\ndescription='d'\nregex='x'\n[[rules]]\nid='a'\ndescription='d'\nregex='y'\n";
        assert!(parse_rules(text, "t").is_err());
        assert!(parse_rules("[[rules]]\nid='a'\nunknown=1\n", "t").is_err());
    }
}
