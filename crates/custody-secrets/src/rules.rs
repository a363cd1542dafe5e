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
    /// Regexes that, when they match the secret, mark it as not a secret.
    #[serde(default)]
    pub allow_regexes: Vec<String>,
    /// Regexes of file paths where the rule reports nothing.
    #[serde(default)]
    pub allow_paths: Vec<String>,
    /// Words that, when the secret contains one, mark it as not a secret.
    #[serde(default)]
    pub stopwords: Vec<String>,
}

fn one() -> usize {
    1
}

/// `secret_group` of rules that name none (gitleaks' default): the first group when the
/// regex has one, else the whole match.
pub const SECRET_GROUP_AUTO: usize = usize::MAX;

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

/// Read a rule file in either format: custody's, or gitleaks' (`[[rules]]` with
/// `secretGroup`, `[rules.allowlist]`/`[[rules.allowlists]]`, a global `[allowlist]`),
/// recognised by gitleaks' field names. gitleaks' global allowlist applies to every rule
/// of the file.
///
/// # Errors
/// [`SecretsError::Rules`] naming the file and the problem.
pub fn load_rule_file(text: &str, origin: &str) -> Result<Vec<Rule>, SecretsError> {
    let value: toml::Value = toml::from_str(text).map_err(|e| SecretsError::Rules {
        origin: origin.to_owned(),
        detail: e.to_string(),
    })?;
    let gitleaks_rule_keys = ["secretGroup", "allowlist", "allowlists", "tags"];
    let is_gitleaks = ["title", "allowlist", "allowlists", "extend"]
        .iter()
        .any(|k| value.get(k).is_some())
        || value
            .get("rules")
            .and_then(toml::Value::as_array)
            .is_some_and(|rules| {
                rules
                    .iter()
                    .any(|r| gitleaks_rule_keys.iter().any(|k| r.get(k).is_some()))
            });
    if is_gitleaks {
        gitleaks::parse(&value, origin)
    } else {
        parse_rules(text, origin)
    }
}

/// gitleaks' configuration format, mapped onto custody's rules.
mod gitleaks {
    use super::{Rule, SECRET_GROUP_AUTO};
    use crate::SecretsError;
    use toml::Value;

    #[derive(Default)]
    struct Allow {
        regexes: Vec<String>,
        paths: Vec<String>,
        stopwords: Vec<String>,
    }

    fn strings(v: Option<&Value>) -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn allow_of(v: &Value, into: &mut Allow) {
        into.regexes.extend(strings(v.get("regexes")));
        into.paths.extend(strings(v.get("paths")));
        into.stopwords.extend(strings(v.get("stopwords")));
    }

    /// The allowlists of a table: `allowlist` (one table) and `allowlists` (an array).
    fn allows(v: &Value) -> Allow {
        let mut allow = Allow::default();
        if let Some(a) = v.get("allowlist") {
            allow_of(a, &mut allow);
        }
        for a in v
            .get("allowlists")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            allow_of(a, &mut allow);
        }
        allow
    }

    pub(super) fn parse(value: &Value, origin: &str) -> Result<Vec<Rule>, SecretsError> {
        let bad = |detail: String| SecretsError::Rules {
            origin: origin.to_owned(),
            detail,
        };
        let global = allows(value);
        let mut out = Vec::new();
        let rules = value.get("rules").and_then(Value::as_array);
        for (i, r) in rules.into_iter().flatten().enumerate() {
            let text = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_owned);
            let id = text("id").ok_or_else(|| bad(format!("rules[{i}] has no id")))?;
            // A rule without a regex flags files by path alone; custody scans content.
            let Some(regex) = text("regex") else {
                continue;
            };
            let secret_group = match r.get("secretGroup").and_then(Value::as_integer) {
                Some(g) => {
                    usize::try_from(g).map_err(|_| bad(format!("rule {id:?}: secretGroup {g}")))?
                }
                None => SECRET_GROUP_AUTO,
            };
            let entropy = r
                .get("entropy")
                .and_then(|e| e.as_float().or_else(|| e.as_integer().map(|n| n as f64)));
            let own = allows(r);
            out.push(Rule {
                description: text("description").unwrap_or_else(|| id.clone()),
                id,
                regex,
                keywords: strings(r.get("keywords"))
                    .into_iter()
                    .map(|k| k.to_ascii_lowercase())
                    .collect(),
                secret_group,
                entropy,
                path: text("path"),
                examples: Vec::new(),
                negatives: Vec::new(),
                allow_regexes: own
                    .regexes
                    .into_iter()
                    .chain(global.regexes.clone())
                    .collect(),
                allow_paths: own.paths.into_iter().chain(global.paths.clone()).collect(),
                stopwords: own
                    .stopwords
                    .into_iter()
                    .chain(global.stopwords.clone())
                    .collect(),
            });
        }
        Ok(out)
    }
}

/// The built-in rules followed by the rules of `files` (custody or gitleaks format); a rule
/// whose ID is already present replaces the earlier one.
///
/// # Errors
/// [`SecretsError::Io`] for an unreadable file, [`SecretsError::Rules`] for a bad one.
pub fn builtin_and_files(files: &[std::path::PathBuf]) -> Result<Vec<Rule>, SecretsError> {
    let mut rules = builtin()?;
    add_rule_files(&mut rules, files)?;
    Ok(rules)
}

/// Add the rules of `files` to `rules`, as [`builtin_and_files`] does.
///
/// # Errors
/// [`SecretsError::Io`] for an unreadable file, [`SecretsError::Rules`] for a bad one.
pub fn add_rule_files(
    rules: &mut Vec<Rule>,
    files: &[std::path::PathBuf],
) -> Result<(), SecretsError> {
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|source| SecretsError::Io {
            path: path.clone(),
            source,
        })?;
        add_rules(rules, load_rule_file(&text, &path.display().to_string())?);
    }
    Ok(())
}

/// Add `more` to `rules`; a rule whose ID is already present replaces the earlier one.
pub fn add_rules(rules: &mut Vec<Rule>, more: Vec<Rule>) {
    for rule in more {
        rules.retain(|r| r.id != rule.id);
        rules.push(rule);
    }
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
    fn gitleaks_files_load() {
        let text = r#"
title = "team rules"
[extend]
useDefault = true

[[rules]]
id = "acme-key"
description = "ACME key"
regex = '''acme_(?P<s>[a-z0-9]{16})'''
secretGroup = 1
entropy = 3
keywords = ["ACME_"]
[rules.allowlist]
stopwords = ["dummy"]

[[rules]]
id = "path-only"
path = '''\.pem$'''

[allowlist]
paths = ['''^vendor/''']
"#;
        let rules = load_rule_file(text, "gitleaks.toml").expect("loads");
        assert_eq!(rules.len(), 1, "path-only rules are skipped");
        let r = &rules[0];
        assert_eq!((r.id.as_str(), r.secret_group), ("acme-key", 1));
        assert_eq!(r.keywords, ["acme_"]);
        assert_eq!(r.entropy, Some(3.0));
        assert_eq!(r.stopwords, ["dummy"]);
        assert_eq!(r.allow_paths, ["^vendor/"]);
        // custody's own format is still read as such.
        let ours =
            load_rule_file("[[rules]]\nid='a'\ndescription='d'\nregex='(x)'\n", "o").expect("ours");
        assert_eq!(ours[0].secret_group, 1);
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let text = "[[rules]]\nid='a'\ndescription='d'\nregex='x'\n[[rules]]\nid='a'\ndescription='d'\nregex='y'\n";
        assert!(parse_rules(text, "t").is_err());
        assert!(parse_rules("[[rules]]\nid='a'\nunknown=1\n", "t").is_err());
    }
}
