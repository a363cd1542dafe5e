//! The matching engine: one aho-corasick pass over the content finds every rule keyword,
//! and only the rules whose keywords occur run their regex. Most content contains no
//! keyword at all and is touched once.

use crate::SecretsError;
use crate::rules::{Rule, entropy, is_placeholder};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use sha2::Digest as _;

/// A compiled set of rules.
#[derive(Debug)]
pub struct RuleSet {
    rules: Vec<CompiledRule>,
    prefilter: AhoCorasick,
    /// For each keyword pattern, the rules it triggers.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules without keywords: they run on all content.
    always: Vec<usize>,
}

#[derive(Debug)]
struct CompiledRule {
    rule: Rule,
    regex: regex::bytes::Regex,
    path: Option<regex::Regex>,
    group: usize,
    allow_regexes: Vec<regex::bytes::Regex>,
    allow_paths: Vec<regex::Regex>,
    stopwords: Vec<Vec<u8>>,
}

/// A secret found in some content.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The rule that matched.
    pub rule: String,
    /// What kind of secret.
    pub description: String,
    /// Where (a path, or `path` at a commit).
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in bytes.
    pub column: usize,
    /// The secret with all but its first four characters hidden.
    pub redacted: String,
    /// The line, secret redacted, cut to 160 characters around it.
    pub excerpt: String,
    /// Stable identity of this secret for baselines: SHA-256 of the rule and the secret,
    /// first 16 hex digits. The same secret in two places has one fingerprint.
    pub fingerprint: String,
    /// The commit that added the content, for findings in history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitRef>,
}

/// A commit as findings in history name it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommitRef {
    /// Hex commit id.
    pub id: String,
    /// `Name <email>` of the author.
    pub author: String,
    /// Author time, Unix seconds.
    pub time: i64,
}

/// Largest compiled regex (bytes) a rule may have: user rules cannot exhaust memory.
const REGEX_SIZE_LIMIT: usize = 8 << 20;

impl RuleSet {
    /// Compile rules.
    ///
    /// # Errors
    /// [`SecretsError::Rules`] naming the rule whose regex or path does not compile, or is
    /// too large.
    pub fn compile(rules: Vec<Rule>) -> Result<Self, SecretsError> {
        let mut compiled = Vec::with_capacity(rules.len());
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, rule) in rules.into_iter().enumerate() {
            let bad = |detail: String| SecretsError::Rules {
                origin: format!("rule {:?}", rule.id),
                detail,
            };
            let regex = regex::bytes::RegexBuilder::new(&rule.regex)
                .unicode(false)
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| bad(e.to_string()))?;
            let group = if rule.secret_group == crate::rules::SECRET_GROUP_AUTO {
                usize::from(regex.captures_len() > 1)
            } else {
                rule.secret_group
            };
            if group >= regex.captures_len() {
                return Err(bad(format!(
                    "secret_group {} but the regex has {} group(s)",
                    rule.secret_group,
                    regex.captures_len() - 1
                )));
            }
            let small_regex = |p: &str| {
                regex::RegexBuilder::new(p)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| bad(format!("{p:?}: {e}")))
            };
            let path = rule.path.as_deref().map(small_regex).transpose()?;
            let allow_paths = rule
                .allow_paths
                .iter()
                .map(|p| small_regex(p))
                .collect::<Result<Vec<_>, _>>()?;
            let allow_regexes = rule
                .allow_regexes
                .iter()
                .map(|p| {
                    regex::bytes::RegexBuilder::new(p)
                        .unicode(false)
                        .size_limit(REGEX_SIZE_LIMIT)
                        .build()
                        .map_err(|e| bad(format!("{p:?}: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let stopwords = rule
                .stopwords
                .iter()
                .map(|w| w.to_ascii_lowercase().into_bytes())
                .collect();
            if rule.keywords.is_empty() {
                always.push(i);
            }
            for k in &rule.keywords {
                let k = k.to_ascii_lowercase();
                match keywords.iter().position(|x| *x == k) {
                    Some(p) => keyword_rules[p].push(i),
                    None => {
                        keywords.push(k);
                        keyword_rules.push(vec![i]);
                    }
                }
            }
            compiled.push(CompiledRule {
                rule,
                regex,
                path,
                group,
                allow_regexes,
                allow_paths,
                stopwords,
            });
        }
        // The search below reports, at each position, only the longest keyword starting
        // there; a keyword inside a longer one triggers the longer one's rules too.
        let closure: Vec<Vec<usize>> = keywords
            .iter()
            .map(|outer| {
                let mut rules: Vec<usize> = keywords
                    .iter()
                    .enumerate()
                    .filter(|(_, inner)| outer.contains(inner.as_str()))
                    .flat_map(|(j, _)| keyword_rules[j].iter().copied())
                    .collect();
                rules.sort_unstable();
                rules.dedup();
                rules
            })
            .collect();
        let keyword_rules = closure;
        // A DFA: with this many keywords, case-insensitive, the SIMD prefilter rarely
        // applies, and the DFA is the fastest automaton per byte.
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&keywords)
            .map_err(|e| SecretsError::Rules {
                origin: "keywords".into(),
                detail: e.to_string(),
            })?;
        Ok(Self {
            rules: compiled,
            prefilter,
            keyword_rules,
            always,
        })
    }

    /// The built-in rules, compiled.
    ///
    /// # Errors
    /// Only if the shipped rules are broken, which the test suite rules out.
    pub fn builtin() -> Result<Self, SecretsError> {
        Self::compile(crate::rules::builtin()?)
    }

    /// Number of rules.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Find secrets in `data`, which came from `path`.
    #[must_use]
    pub fn scan(&self, path: &str, data: &[u8]) -> Vec<Finding> {
        let mut triggered = vec![false; self.rules.len()];
        for &i in &self.always {
            triggered[i] = true;
        }
        // Every keyword occurrence, without the cost of an overlapping search: after each
        // match, search again from the next byte (the searcher's SIMD prefilter stays on).
        let mut remaining = self.rules.len() - self.always.len();
        let mut at = 0;
        while remaining > 0 && at < data.len() {
            let Some(m) = self
                .prefilter
                .find(aho_corasick::Input::new(data).span(at..data.len()))
            else {
                break;
            };
            for &i in &self.keyword_rules[m.pattern().as_usize()] {
                if !triggered[i] {
                    triggered[i] = true;
                    remaining -= 1;
                }
            }
            at = m.start() + 1;
        }
        let mut findings = Vec::new();
        let mut lines: Option<Vec<usize>> = None;
        for (i, rule) in self.rules.iter().enumerate() {
            if !triggered[i]
                || rule.path.as_ref().is_some_and(|p| !p.is_match(path))
                || rule.allow_paths.iter().any(|p| p.is_match(path))
            {
                continue;
            }
            for caps in rule.regex.captures_iter(data) {
                let Some(m) = caps.get(rule.group) else {
                    continue;
                };
                let secret = m.as_bytes();
                if secret.is_empty()
                    || is_placeholder(secret)
                    || rule.rule.entropy.is_some_and(|min| entropy(secret) < min)
                    || rule.allow_regexes.iter().any(|r| r.is_match(secret))
                    || contains_stopword(secret, &rule.stopwords)
                {
                    continue;
                }
                let starts = lines.get_or_insert_with(|| line_starts(data));
                if allowed_inline(data, starts, m.start()) {
                    continue;
                }
                findings.push(finding(&rule.rule, path, data, starts, m.start(), m.end()));
            }
        }
        findings.sort_by(|a, b| (a.line, a.column, &a.rule).cmp(&(b.line, b.column, &b.rule)));
        findings.dedup_by(|a, b| a.line == b.line && a.column == b.column && a.rule == b.rule);
        findings
    }

    /// Check every rule's examples and negatives; the failures, described.
    #[must_use]
    pub fn self_test(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for (i, r) in self.rules.iter().enumerate() {
            let only = |text: &str| {
                self.scan("example.txt", text.as_bytes())
                    .into_iter()
                    .any(|f| f.rule == self.rules[i].rule.id)
            };
            for e in &r.rule.examples {
                if !only(e) {
                    failures.push(format!("{}: example not found: {e:?}", r.rule.id));
                }
            }
            for n in &r.rule.negatives {
                if only(n) {
                    failures.push(format!("{}: negative reported: {n:?}", r.rule.id));
                }
            }
        }
        failures
    }
}

/// Whether the secret contains one of the (lowercase) stopwords, case-insensitively.
fn contains_stopword(secret: &[u8], stopwords: &[Vec<u8>]) -> bool {
    if stopwords.is_empty() {
        return false;
    }
    let lower = secret.to_ascii_lowercase();
    stopwords
        .iter()
        .any(|w| !w.is_empty() && lower.windows(w.len()).any(|x| x == w.as_slice()))
}

/// Whether the line holding `at` carries an inline allow marker (`custody:allow`, or
/// gitleaks' `gitleaks:allow`), for secrets that are deliberate (test fixtures, docs).
fn allowed_inline(data: &[u8], line_starts: &[usize], at: usize) -> bool {
    let i = line_starts.partition_point(|&s| s <= at).saturating_sub(1);
    let start = line_starts[i];
    let end = line_starts.get(i + 1).copied().unwrap_or(data.len());
    let line = &data[start..end];
    [&b"custody:allow"[..], b"gitleaks:allow"]
        .iter()
        .any(|marker| line.windows(marker.len()).any(|w| w == *marker))
}

fn line_starts(data: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            data.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect()
}

/// Hide all but the first four characters of a secret.
#[must_use]
pub fn redact(secret: &[u8]) -> String {
    let shown: String = String::from_utf8_lossy(&secret[..secret.len().min(4)]).into_owned();
    format!("{shown}…({} chars)", secret.len())
}

fn finding(
    rule: &Rule,
    path: &str,
    data: &[u8],
    line_starts: &[usize],
    start: usize,
    end: usize,
) -> Finding {
    let line_index = line_starts
        .partition_point(|&s| s <= start)
        .saturating_sub(1);
    let line_start = line_starts[line_index];
    let line_end = data[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(data.len(), |p| start + p);
    let secret = &data[start..end];
    let redacted = redact(secret);
    // The excerpt: up to 60 bytes before the secret, the redacted secret, 60 after.
    let before_from = start.saturating_sub(60).max(line_start);
    let after_to = end.saturating_add(60).min(line_end.max(end));
    let after = if end < after_to {
        &data[end..after_to]
    } else {
        &[][..]
    };
    let excerpt = format!(
        "{}{}{}",
        String::from_utf8_lossy(&data[before_from..start]),
        redacted,
        String::from_utf8_lossy(after)
    )
    .trim()
    .to_owned();
    let mut hasher = sha2::Sha256::new();
    hasher.update(rule.id.as_bytes());
    hasher.update(b":");
    hasher.update(secret);
    let fingerprint = hex::encode(&hasher.finalize()[..8]);
    Finding {
        rule: rule.id.clone(),
        description: rule.description.clone(),
        path: path.to_owned(),
        line: line_index + 1,
        column: start - line_start + 1,
        redacted,
        excerpt,
        fingerprint,
        commit: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_rule_finds_its_examples_and_not_its_negatives() {
        let set = RuleSet::builtin().expect("built-in rules compile");
        assert!(set.len() >= 40, "{} rules", set.len());
        let failures = set.self_test();
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn findings_carry_position_redaction_and_fingerprint() {
        let set = RuleSet::builtin().expect("rules");
        let secret = "ghp_4Fq9ZkT2mLw8RbX1cVn7HyJ3sDp0GaEu5Qio";
        let text = format!("first line\n  let token = \"{secret}\";\n");
        let found = set.scan("src/main.rs", text.as_bytes());
        assert_eq!(found.len(), 1, "{found:?}");
        let f = &found[0];
        assert_eq!((f.rule.as_str(), f.line, f.column), ("github-pat", 2, 16));
        assert!(!f.excerpt.contains(secret) && !f.redacted.contains(secret));
        assert!(f.redacted.starts_with("ghp_"));
        assert_eq!(f.fingerprint.len(), 16);
        let again = set.scan("other/file", secret.as_bytes());
        assert_eq!(
            again[0].fingerprint, f.fingerprint,
            "same secret, same fingerprint"
        );
    }

    #[test]
    fn inline_markers_allow_a_line() {
        let set = RuleSet::builtin().expect("rules");
        let token = "ghp_4Fq9ZkT2mLw8RbX1cVn7HyJ3sDp0GaEu5Qio";
        let text = format!("a = \"{token}\"  # custody:allow (test fixture)\nb = \"{token}\"\n");
        let found = set.scan("t.py", text.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 2);
    }

    #[test]
    fn content_without_keywords_runs_no_rule() {
        let set = RuleSet::builtin().expect("rules");
        assert!(set.scan("a", b"nothing to see here, just prose").is_empty());
    }

    #[test]
    fn bad_rules_are_reported_by_name() {
        let rule = |regex: &str, group: usize| Rule {
            id: "mine".into(),
            description: "d".into(),
            regex: regex.into(),
            keywords: vec![],
            secret_group: group,
            entropy: None,
            path: None,
            examples: vec![],
            negatives: vec![],
            allow_regexes: vec![],
            allow_paths: vec![],
            stopwords: vec![],
        };
        let err = RuleSet::compile(vec![rule("(", 0)]).expect_err("bad regex");
        assert!(err.to_string().contains("mine"), "{err}");
        assert!(RuleSet::compile(vec![rule("x", 1)]).is_err(), "no group 1");
        // A pathological pattern still compiles to a linear-time matcher, or is refused
        // for size; either way a scan cannot hang.
        let huge = "(a{1000}){1000}";
        assert!(RuleSet::compile(vec![rule(huge, 0)]).is_err());
    }
}
