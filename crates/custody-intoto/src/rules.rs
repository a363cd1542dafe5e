//! Artifact rules of in-toto v0.9 layouts: parsing, and evaluation with the queue
//! semantics of python in-toto 3.1.0 (`rulelib.unpack_rule`, `verifylib.verify_item_rules`).
//!
//! A step or inspection lists `expected_materials` and `expected_products` rules. To verify
//! one list, the paths of the item's materials (or products) form a queue; the rules run in
//! order and each either consumes queued paths (`MATCH`, `CREATE`, `DELETE`, `MODIFY`,
//! `ALLOW`) or fails verification (`DISALLOW` when it matches a queued path, `REQUIRE` when
//! its path is not queued). Consuming never fails by itself.
//!
//! Patterns are Python `fnmatch` patterns on POSIX (case-sensitive, `*` crosses `/`, no
//! escaping), compiled once into an anchored regular expression. The translation mirrors
//! `fnmatch.translate` of CPython 3.11 character by character, including its handling of
//! bracket expressions (empty ranges dropped, `[!]` literal, unterminated `[` literal), so
//! that a pattern selects exactly the paths python in-toto's selects.

use crate::IntotoError;
use crate::artifacts::Artifacts;
use crate::hash::Digests;
use crate::link::Link;
use regex::{Regex, RegexBuilder};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

/// Materials or products: the queue a rule list works on, or the artifacts of the
/// destination of a `MATCH` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ArtifactType {
    /// The artifacts before the step (`materials`).
    Materials,
    /// The artifacts after the step (`products`).
    Products,
}

impl ArtifactType {
    /// The field name in links, `materials` or `products`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ArtifactType::Materials => "materials",
            ArtifactType::Products => "products",
        }
    }

    /// The keyword in a `MATCH` rule, `MATERIALS` or `PRODUCTS`.
    #[must_use]
    pub fn keyword(self) -> &'static str {
        match self {
            ArtifactType::Materials => "MATERIALS",
            ArtifactType::Products => "PRODUCTS",
        }
    }

    /// These artifacts of `link`.
    #[must_use]
    pub fn of(self, link: &Link) -> &Artifacts {
        match self {
            ArtifactType::Materials => &link.materials,
            ArtifactType::Products => &link.products,
        }
    }
}

impl fmt::Display for ArtifactType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

// ---------------------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------------------

/// A compiled `fnmatch` pattern. Compares, hashes and prints as its source text.
#[derive(Clone)]
pub struct Pattern {
    source: String,
    matcher: Matcher,
}

#[derive(Clone)]
enum Matcher {
    /// No wildcards: the path must equal this string.
    Exact(String),
    /// Only `*`s: every path matches.
    Everything,
    /// Literals, one `*`, literals (`src/*`, `*.tar.gz`, `a*b`): a cheap test.
    Affix { prefix: String, suffix: String },
    /// Holds an empty bracket expression (such as `[b-a]`): no path matches.
    Nothing,
    /// The general case.
    Regex(Regex),
    /// The general case when the regex engine refuses the translation (size limits):
    /// a backtracking matcher over the same pieces.
    Pieces(Vec<Piece>),
    /// Python's `re` would refuse the translated pattern; python in-toto raises when it
    /// evaluates the rule.
    Invalid(String),
}

/// One element of a translated pattern; all but `Star` match exactly one character.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Star,
    AnyChar,
    Literal(char),
    /// A bracket expression: inclusive code point ranges, possibly negated.
    Set {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    /// `(?!)`: never matches.
    Never,
}

impl Piece {
    fn matches_char(&self, c: char) -> bool {
        match self {
            Piece::Star | Piece::AnyChar => true,
            Piece::Literal(l) => *l == c,
            Piece::Set { negated, ranges } => {
                ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
            }
            Piece::Never => false,
        }
    }
}

impl Pattern {
    /// Compile `pattern`. Never fails: a pattern Python's `re` would reject (none is known;
    /// `fnmatch.translate` escapes everything it does not mean) makes the rule fail when
    /// evaluated, as it does in python in-toto, see [`Pattern::python_error`].
    #[must_use]
    pub fn new(pattern: &str) -> Self {
        let matcher = match translate(pattern) {
            Err(reason) => Matcher::Invalid(reason),
            Ok(pieces) => compile(pieces),
        };
        Self {
            source: pattern.to_owned(),
            matcher,
        }
    }

    /// The pattern as written in the rule.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether `path` matches, as `fnmatch.fnmatch(path, pattern)` on POSIX.
    #[must_use]
    pub fn matches(&self, path: &str) -> bool {
        match &self.matcher {
            Matcher::Exact(s) => s == path,
            Matcher::Everything => true,
            Matcher::Affix { prefix, suffix } => {
                path.len() >= prefix.len() + suffix.len()
                    && path.starts_with(prefix.as_str())
                    && path.ends_with(suffix.as_str())
            }
            Matcher::Nothing | Matcher::Invalid(_) => false,
            Matcher::Regex(re) => re.is_match(path),
            Matcher::Pieces(pieces) => pieces_match(pieces, path),
        }
    }

    /// Why Python's `re` cannot compile this pattern's translation, if it cannot.
    #[must_use]
    pub fn python_error(&self) -> Option<&str> {
        match &self.matcher {
            Matcher::Invalid(reason) => Some(reason),
            _ => None,
        }
    }
}

impl From<&str> for Pattern {
    fn from(pattern: &str) -> Self {
        Self::new(pattern)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for Pattern {}

impl std::hash::Hash for Pattern {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.source.hash(state);
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.source)
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// `fnmatch.translate` (CPython 3.11), producing pieces instead of regex text. Bracket
/// expressions are first rewritten into the regex set body Python builds, then that body
/// is read the way `re` (`_parser.py`) reads a set, so odd inputs such as `[b-a!x]` (which
/// Python turns into `[^x]`) come out the same.
fn translate(pattern: &str) -> Result<Vec<Piece>, String> {
    let pat: Vec<char> = pattern.chars().collect();
    let n = pat.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let c = pat[i];
        i += 1;
        match c {
            '*' => {
                if out.last() != Some(&Piece::Star) {
                    out.push(Piece::Star);
                }
            }
            '?' => out.push(Piece::AnyChar),
            '[' => {
                let mut j = i;
                if j < n && pat[j] == '!' {
                    j += 1;
                }
                if j < n && pat[j] == ']' {
                    j += 1;
                }
                while j < n && pat[j] != ']' {
                    j += 1;
                }
                if j >= n {
                    // No closing bracket: a literal `[`, the rest goes on as usual.
                    out.push(Piece::Literal('['));
                } else {
                    let body = set_body(&pat, i, j);
                    i = j + 1;
                    out.push(set_piece(body)?);
                }
            }
            other => out.push(Piece::Literal(other)),
        }
    }
    Ok(out)
}

/// The regex set body Python builds for the bracket expression `pat[start..end]` (between
/// `[` and `]`), before the `!`/`^` handling: ranges split into chunks at `-`, empty
/// ranges removed, backslashes and literal hyphens escaped, then `&`, `~` and `|`.
fn set_body(pat: &[char], start: usize, end: usize) -> Vec<char> {
    let raw = &pat[start..end];
    let mut body: Vec<char> = Vec::new();
    if !raw.contains(&'-') {
        for &c in raw {
            if c == '\\' {
                body.push('\\');
            }
            body.push(c);
        }
    } else {
        let mut chunks: Vec<Vec<char>> = Vec::new();
        let mut i = start;
        let mut k = if pat[start] == '!' {
            start + 2
        } else {
            start + 1
        };
        // A hyphen right after a range (`a-b-c`) stays literal: the search resumes two
        // characters past the hyphen that made the range.
        while let Some(hyphen) = (k..end).find(|&x| pat[x] == '-') {
            chunks.push(pat[i..hyphen].to_vec());
            i = hyphen + 1;
            k = hyphen + 3;
        }
        let last = &pat[i..end];
        if !last.is_empty() {
            chunks.push(last.to_vec());
        } else if let Some(prev) = chunks.last_mut() {
            // A trailing hyphen is literal.
            prev.push('-');
        }
        // Remove empty ranges (`b-a`), from the right, joining what surrounds them.
        for k in (1..chunks.len()).rev() {
            let empty_range = matches!(
                (chunks[k - 1].last(), chunks[k].first()),
                (Some(lo), Some(hi)) if lo > hi
            );
            if empty_range {
                let next = chunks.remove(k);
                let prev = &mut chunks[k - 1];
                prev.pop();
                prev.extend_from_slice(next.get(1..).unwrap_or_default());
            }
        }
        for (index, chunk) in chunks.iter().enumerate() {
            if index > 0 {
                body.push('-');
            }
            for &c in chunk {
                if c == '\\' || c == '-' {
                    body.push('\\');
                }
                body.push(c);
            }
        }
    }
    // Escape what `re` might one day read as set operations.
    let mut escaped = Vec::with_capacity(body.len());
    for c in body {
        if matches!(c, '&' | '~' | '|') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The piece for a set body: Python's special cases, then `re`'s reading of `[body]`.
fn set_piece(mut body: Vec<char>) -> Result<Piece, String> {
    if body.is_empty() {
        return Ok(Piece::Never);
    }
    if body == ['!'] {
        return Ok(Piece::AnyChar);
    }
    if body[0] == '!' {
        body[0] = '^';
    } else if body[0] == '^' || body[0] == '[' {
        body.insert(0, '\\');
    }
    body.push(']');
    parse_re_set(&body)
}

/// Read `text` (what follows `[` in a Python regex, closing `]` included) as
/// `re._parser` does. Only the forms `fnmatch.translate` emits occur: literals, `\`
/// escapes of punctuation, ranges, a leading `^`, and `]` first in the set.
fn parse_re_set(text: &[char]) -> Result<Piece, String> {
    let mut pos = 0;
    let mut next = || {
        let c = text.get(pos).copied();
        pos += 1;
        c
    };
    let mut ranges: Vec<(char, char)> = Vec::new();
    let mut negated = false;
    let mut this = next();
    if this == Some('^') {
        negated = true;
        this = next();
    }
    let unterminated = || "unterminated character set".to_owned();
    loop {
        let c = this.ok_or_else(unterminated)?;
        if c == ']' && !ranges.is_empty() {
            break;
        }
        let lo = if c == '\\' {
            next().ok_or_else(unterminated)?
        } else {
            c
        };
        let after = next().ok_or_else(unterminated)?;
        if after != '-' {
            ranges.push((lo, lo));
            this = Some(after);
            continue;
        }
        let that = next().ok_or_else(unterminated)?;
        if that == ']' {
            ranges.push((lo, lo));
            ranges.push(('-', '-'));
            break;
        }
        let hi = if that == '\\' {
            next().ok_or_else(unterminated)?
        } else {
            that
        };
        if hi < lo {
            return Err(format!("bad character range {lo}-{hi}"));
        }
        ranges.push((lo, hi));
        this = next();
    }
    if pos != text.len() {
        return Err("unsupported character set".to_owned());
    }
    Ok(Piece::Set { negated, ranges })
}

fn compile(pieces: Vec<Piece>) -> Matcher {
    if pieces.contains(&Piece::Never) {
        return Matcher::Nothing;
    }
    if !pieces.is_empty() && pieces.iter().all(|p| *p == Piece::Star) {
        return Matcher::Everything;
    }
    let literal = |pieces: &[Piece]| -> Option<String> {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Literal(c) => Some(*c),
                _ => None,
            })
            .collect()
    };
    if let Some(exact) = literal(&pieces) {
        return Matcher::Exact(exact);
    }
    if let Some(star) = pieces.iter().position(|p| *p == Piece::Star)
        && let (Some(prefix), Some(suffix)) =
            (literal(&pieces[..star]), literal(&pieces[star + 1..]))
    {
        return Matcher::Affix { prefix, suffix };
    }
    let mut re = String::from(r"\A(?s:");
    for piece in &pieces {
        match piece {
            Piece::Star => re.push_str(".*"),
            Piece::AnyChar => re.push('.'),
            Piece::Literal(c) => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
            Piece::Set { negated, ranges } => {
                re.push('[');
                if *negated {
                    re.push('^');
                }
                for &(lo, hi) in ranges {
                    // Code point escapes: nothing in a class needs thinking about.
                    let _ = write!(re, "\\x{{{:X}}}", u32::from(lo));
                    if hi != lo {
                        let _ = write!(re, "-\\x{{{:X}}}", u32::from(hi));
                    }
                }
                re.push(']');
            }
            Piece::Never => re.push_str("[^\\x{0}-\\x{10FFFF}]"),
        }
    }
    re.push_str(r")\z");
    match RegexBuilder::new(&re).size_limit(1 << 24).build() {
        Ok(regex) => Matcher::Regex(regex),
        Err(_) => Matcher::Pieces(pieces),
    }
}

/// Match single-character pieces and `*`s, backtracking only to the last `*`: enough,
/// since every other piece has length one, taking the earliest place where the rest fits
/// after a `*` never loses a match.
fn pieces_match(pieces: &[Piece], path: &str) -> bool {
    let name: Vec<char> = path.chars().collect();
    let (mut p, mut s) = (0, 0);
    let mut resume: Option<(usize, usize)> = None;
    while s < name.len() {
        match pieces.get(p) {
            Some(Piece::Star) => {
                resume = Some((p + 1, s));
                p += 1;
                continue;
            }
            Some(piece) if piece.matches_char(name[s]) => {
                p += 1;
                s += 1;
                continue;
            }
            _ => {}
        }
        match resume {
            Some((rp, rs)) => {
                p = rp;
                s = rs + 1;
                resume = Some((rp, rs + 1));
            }
            None => return false,
        }
    }
    pieces[p..].iter().all(|piece| *piece == Piece::Star)
}

// ---------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------

/// One artifact rule of a layout's `expected_materials` or `expected_products`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ArtifactRule {
    /// `MATCH <pattern> [IN <source-prefix>] WITH (MATERIALS|PRODUCTS)
    /// [IN <destination-prefix>] FROM <step>`: consume queued artifacts that the
    /// destination step's materials or products hold with the same digests.
    Match {
        /// Matched against queued paths with `source_prefix` removed.
        pattern: Pattern,
        /// Only queued paths below this directory take part (`None`: all of them).
        source_prefix: Option<String>,
        /// Which artifacts of the destination step to compare with.
        dest_type: ArtifactType,
        /// Where the matched paths lie in the destination step (`None`: same path).
        dest_prefix: Option<String>,
        /// The step or inspection whose link holds the destination artifacts.
        dest_step: String,
    },
    /// `ALLOW <pattern>`: consume matching artifacts.
    Allow(Pattern),
    /// `DISALLOW <pattern>`: fail if any queued artifact matches.
    Disallow(Pattern),
    /// `REQUIRE <path>`: fail unless this exact path is queued (not a pattern).
    Require(String),
    /// `CREATE <pattern>`: consume matching products that are not materials.
    Create(Pattern),
    /// `DELETE <pattern>`: consume matching materials that are not products.
    Delete(Pattern),
    /// `MODIFY <pattern>`: consume matching artifacts that are materials and products with
    /// different digests.
    Modify(Pattern),
}

/// A rule that is not one of the forms [`ArtifactRule`] lists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed artifact rule {rule}: {reason}")]
pub struct RuleFormatError {
    /// The rule as given (JSON).
    pub rule: String,
    /// What is wrong with it.
    pub reason: String,
}

impl From<RuleFormatError> for IntotoError {
    fn from(e: RuleFormatError) -> Self {
        IntotoError::Malformed(e.to_string())
    }
}

const MATCH_FORM: &str = "MATCH rules have the form MATCH <pattern> [IN <source-path-prefix>] \
                          WITH (MATERIALS|PRODUCTS) [IN <destination-path-prefix>] FROM <step>";

impl ArtifactRule {
    /// Parse a rule from its list form, as `rulelib.unpack_rule` does: the first token and
    /// the `IN`/`WITH`/`FROM`/`MATERIALS`/`PRODUCTS` keywords in any case; patterns,
    /// prefixes and step names as written. An empty prefix (`IN ""`) means none.
    ///
    /// # Errors
    /// [`RuleFormatError`] naming the rule and the expected form.
    pub fn parse<S: AsRef<str>>(tokens: &[S]) -> Result<Self, RuleFormatError> {
        let tokens: Vec<&str> = tokens.iter().map(AsRef::as_ref).collect();
        let bad = |reason: &str| RuleFormatError {
            rule: serde_json::to_string(&tokens).unwrap_or_default(),
            reason: reason.to_owned(),
        };
        // Python lower-cases every token (`str.lower`, full Unicode mapping).
        let lower: Vec<String> = tokens.iter().map(|t| t.to_lowercase()).collect();
        let kind = lower.first().map(String::as_str);
        let known = matches!(
            kind,
            Some("match" | "create" | "delete" | "modify" | "allow" | "disallow" | "require")
        );
        if tokens.len() < 2 || !known {
            return Err(bad(
                "a rule starts with MATCH, CREATE, DELETE, MODIFY, ALLOW, DISALLOW or REQUIRE \
                 (in any case) followed by a pattern",
            ));
        }
        let pattern = tokens[1];
        let simple = |make: fn(Pattern) -> Self, keyword: &str| {
            if tokens.len() == 2 {
                Ok(make(Pattern::new(pattern)))
            } else {
                Err(bad(&format!(
                    "{keyword} rules have the form {keyword} <pattern> (two elements)"
                )))
            }
        };
        match kind {
            Some("create") => simple(Self::Create, "CREATE"),
            Some("delete") => simple(Self::Delete, "DELETE"),
            Some("modify") => simple(Self::Modify, "MODIFY"),
            Some("allow") => simple(Self::Allow, "ALLOW"),
            Some("disallow") => simple(Self::Disallow, "DISALLOW"),
            Some("require") => {
                if tokens.len() == 2 {
                    Ok(Self::Require(pattern.to_owned()))
                } else {
                    Err(bad(
                        "REQUIRE rules have the form REQUIRE <path> (two elements)",
                    ))
                }
            }
            _ => {
                let kw = |i: usize, word: &str| lower.get(i).is_some_and(|t| t == word);
                let (source_prefix, dest_type, dest_prefix, dest_step) = match tokens.len() {
                    10 if kw(2, "in") && kw(4, "with") && kw(6, "in") && kw(8, "from") => {
                        (tokens[3], &lower[5], tokens[7], tokens[9])
                    }
                    8 if kw(2, "in") && kw(4, "with") && kw(6, "from") => {
                        (tokens[3], &lower[5], "", tokens[7])
                    }
                    8 if kw(2, "with") && kw(4, "in") && kw(6, "from") => {
                        ("", &lower[3], tokens[5], tokens[7])
                    }
                    6 if kw(2, "with") && kw(4, "from") => ("", &lower[3], "", tokens[5]),
                    _ => return Err(bad(MATCH_FORM)),
                };
                let dest_type = match dest_type.as_str() {
                    "materials" => ArtifactType::Materials,
                    "products" => ArtifactType::Products,
                    _ => {
                        return Err(bad(
                            "MATCH rules name MATERIALS or PRODUCTS (in any case) after WITH",
                        ));
                    }
                };
                let prefix = |p: &str| (!p.is_empty()).then(|| p.to_owned());
                Ok(Self::Match {
                    pattern: Pattern::new(pattern),
                    source_prefix: prefix(source_prefix),
                    dest_type,
                    dest_prefix: prefix(dest_prefix),
                    dest_step: dest_step.to_owned(),
                })
            }
        }
    }

    /// Parse a rule from JSON: an array of strings.
    ///
    /// # Errors
    /// [`RuleFormatError`] for anything else, or a malformed rule.
    pub fn from_json(value: &Value) -> Result<Self, RuleFormatError> {
        let not_strings = || RuleFormatError {
            rule: truncate(&value.to_string(), 200),
            reason: "a rule is a list of strings".to_owned(),
        };
        let items = value.as_array().ok_or_else(not_strings)?;
        let tokens = items
            .iter()
            .map(|t| t.as_str().ok_or_else(not_strings))
            .collect::<Result<Vec<&str>, _>>()?;
        Self::parse(&tokens)
    }

    /// Parse a list of rules (a step's `expected_materials` or `expected_products`).
    ///
    /// # Errors
    /// [`RuleFormatError`] when `value` is not an array or holds a malformed rule.
    pub fn from_json_list(value: &Value) -> Result<Vec<Self>, RuleFormatError> {
        value
            .as_array()
            .ok_or_else(|| RuleFormatError {
                rule: truncate(&value.to_string(), 200),
                reason: "artifact rules are a list of rules".to_owned(),
            })?
            .iter()
            .map(Self::from_json)
            .collect()
    }

    /// The list form python in-toto writes (`rulelib.pack_rule`): upper-case keywords, `IN`
    /// clauses only for non-empty prefixes. Not necessarily the tokens the rule was parsed
    /// from, so never re-serialise a signed layout through this.
    #[must_use]
    pub fn to_tokens(&self) -> Vec<String> {
        let mut out = vec![self.keyword().to_owned()];
        match self {
            Self::Match {
                pattern,
                source_prefix,
                dest_type,
                dest_prefix,
                dest_step,
            } => {
                out.push(pattern.as_str().to_owned());
                if let Some(p) = non_empty(source_prefix.as_deref()) {
                    out.extend(["IN".to_owned(), p.to_owned()]);
                }
                out.extend(["WITH".to_owned(), dest_type.keyword().to_owned()]);
                if let Some(p) = non_empty(dest_prefix.as_deref()) {
                    out.extend(["IN".to_owned(), p.to_owned()]);
                }
                out.extend(["FROM".to_owned(), dest_step.clone()]);
            }
            Self::Require(path) => out.push(path.clone()),
            Self::Allow(p)
            | Self::Disallow(p)
            | Self::Create(p)
            | Self::Delete(p)
            | Self::Modify(p) => {
                out.push(p.as_str().to_owned());
            }
        }
        out
    }

    /// [`ArtifactRule::to_tokens`] as a JSON array.
    #[must_use]
    pub fn to_json(&self) -> Value {
        Value::Array(self.to_tokens().into_iter().map(Value::String).collect())
    }

    /// The rule's keyword: `MATCH`, `ALLOW`, ….
    #[must_use]
    pub fn keyword(&self) -> &'static str {
        match self {
            Self::Match { .. } => "MATCH",
            Self::Allow(_) => "ALLOW",
            Self::Disallow(_) => "DISALLOW",
            Self::Require(_) => "REQUIRE",
            Self::Create(_) => "CREATE",
            Self::Delete(_) => "DELETE",
            Self::Modify(_) => "MODIFY",
        }
    }

    /// The pattern, or for `REQUIRE` the path.
    #[must_use]
    pub fn pattern(&self) -> &str {
        match self {
            Self::Match { pattern, .. } => pattern.as_str(),
            Self::Require(path) => path,
            Self::Allow(p)
            | Self::Disallow(p)
            | Self::Create(p)
            | Self::Delete(p)
            | Self::Modify(p) => p.as_str(),
        }
    }

    /// The compiled pattern (`None` for `REQUIRE`, which takes a literal path).
    fn glob(&self) -> Option<&Pattern> {
        match self {
            Self::Match { pattern, .. } => Some(pattern),
            Self::Require(_) => None,
            Self::Allow(p)
            | Self::Disallow(p)
            | Self::Create(p)
            | Self::Delete(p)
            | Self::Modify(p) => Some(p),
        }
    }
}

/// The python string form: the tokens joined by spaces, e.g. `MATCH * WITH PRODUCTS FROM
/// build`.
impl fmt::Display for ArtifactRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_tokens().join(" "))
    }
}

impl serde::Serialize for ArtifactRule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_tokens().serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for ArtifactRule {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let tokens = Vec::<String>::deserialize(deserializer)?;
        Self::parse(&tokens).map_err(serde::de::Error::custom)
    }
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------

/// A rule list that did not verify: which item, which list, which rule, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError(Box<RuleErrorDetail>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct RuleErrorDetail {
    item: String,
    source_type: ArtifactType,
    rule_index: usize,
    rule: ArtifactRule,
    failure: RuleFailure,
}

impl RuleError {
    /// The step or inspection.
    #[must_use]
    pub fn item(&self) -> &str {
        &self.0.item
    }

    /// `Materials`: its `expected_materials` failed; `Products`: its `expected_products`.
    #[must_use]
    pub fn source_type(&self) -> ArtifactType {
        self.0.source_type
    }

    /// The position of the failing rule in its list, from 0.
    #[must_use]
    pub fn rule_index(&self) -> usize {
        self.0.rule_index
    }

    /// The failing rule.
    #[must_use]
    pub fn rule(&self) -> &ArtifactRule {
        &self.0.rule
    }

    /// What went wrong.
    #[must_use]
    pub fn failure(&self) -> &RuleFailure {
        &self.0.failure
    }
}

/// How a rule failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleFailure {
    /// `DISALLOW` matched these queued artifacts (sorted).
    Disallowed {
        /// The artifacts no earlier rule consumed.
        artifacts: Vec<String>,
    },
    /// `REQUIRE`'s path is not in the queue.
    RequiredMissing {
        /// The required path.
        path: String,
        /// The item has the artifact but an earlier rule consumed it.
        consumed_earlier: bool,
    },
    /// A `MATCH` rule with a source prefix selected `artifact`, and Python's path joining
    /// (`os.path.join(prefix, rest)` with `\` turned into `/`) resolves it to `resolved`,
    /// which the item does not have (an absolute rest, or a backslash in it). python in-toto
    /// fails verification here with a `KeyError`.
    MatchSourceMissing {
        /// The queued path.
        artifact: String,
        /// What it resolved to.
        resolved: String,
    },
    /// Python's `re` cannot compile the pattern's translation.
    InvalidPattern {
        /// Python's complaint.
        reason: String,
    },
}

/// At most this many artifacts are listed in the message (all are in the error value).
const LISTED: usize = 20;

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.0;
        write!(
            f,
            "artifact rules of {:?} (expected_{}) failed at rule {} '{}': ",
            e.item,
            e.source_type,
            e.rule_index + 1,
            e.rule
        )?;
        match &e.failure {
            RuleFailure::Disallowed { artifacts } => {
                write!(
                    f,
                    "it matches {} {} that no earlier rule consumed: ",
                    artifacts.len(),
                    e.source_type
                )?;
                for (i, a) in artifacts.iter().take(LISTED).enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a:?}")?;
                }
                if artifacts.len() > LISTED {
                    write!(f, " and {} more", artifacts.len() - LISTED)?;
                }
                Ok(())
            }
            RuleFailure::RequiredMissing {
                path,
                consumed_earlier,
            } => {
                if *consumed_earlier {
                    write!(f, "{path:?} was consumed by an earlier rule")
                } else {
                    write!(f, "{path:?} is not among the {}", e.source_type)
                }
            }
            RuleFailure::MatchSourceMissing { artifact, resolved } => write!(
                f,
                "{artifact:?} resolves to {resolved:?} under the source prefix, which is not \
                 among the {} (python in-toto fails with a KeyError here)",
                e.source_type
            ),
            RuleFailure::InvalidPattern { reason } => {
                write!(f, "python cannot compile the pattern: {reason}")
            }
        }
    }
}

impl std::error::Error for RuleError {}

impl From<RuleError> for IntotoError {
    fn from(e: RuleError) -> Self {
        IntotoError::Verification(e.to_string())
    }
}

/// Verify one rule list of an item (python's `verify_item_rules`).
///
/// `source_type` says which list: the queue starts as the paths of `materials` or of
/// `products` (the item's own link). `links` holds the (reduced) link of every step and
/// inspection by name, for `MATCH`; a `MATCH` whose destination has no link consumes
/// nothing.
///
/// # Errors
/// [`RuleError`] for the first rule that fails.
pub fn verify_item_rules(
    item_name: &str,
    source_type: ArtifactType,
    rules: &[ArtifactRule],
    materials: &Artifacts,
    products: &Artifacts,
    links: &BTreeMap<String, Link>,
) -> Result<(), RuleError> {
    evaluate_item_rules(item_name, source_type, rules, materials, products, links).map(drop)
}

/// [`verify_item_rules`], returning the paths no rule consumed (sorted): what a final
/// `DISALLOW *` would reject, for diagnostics.
///
/// # Errors
/// [`RuleError`] for the first rule that fails.
pub fn evaluate_item_rules<'a>(
    item_name: &str,
    source_type: ArtifactType,
    rules: &[ArtifactRule],
    materials: &'a Artifacts,
    products: &'a Artifacts,
    links: &BTreeMap<String, Link>,
) -> Result<Vec<&'a str>, RuleError> {
    let (source, other) = match source_type {
        ArtifactType::Materials => (materials, products),
        ArtifactType::Products => (products, materials),
    };
    let mut queue = Queue::new(source, other);
    for (rule_index, rule) in rules.iter().enumerate() {
        let fail = |failure| {
            RuleError(Box::new(RuleErrorDetail {
                item: item_name.to_owned(),
                source_type,
                rule_index,
                rule: rule.clone(),
                failure,
            }))
        };
        // Python compiles the pattern when it filters with it: every rule but REQUIRE,
        // and MATCH only once it found the destination link.
        if let Some(reason) = rule.glob().and_then(Pattern::python_error) {
            let filters = match rule {
                ArtifactRule::Match { dest_step, .. } => links.contains_key(dest_step),
                _ => true,
            };
            if filters {
                return Err(fail(RuleFailure::InvalidPattern {
                    reason: reason.to_owned(),
                }));
            }
        }
        match rule {
            ArtifactRule::Allow(p) => queue.consume(|q| p.matches(q.path)),
            // Created: a product that is not a material. Queued materials never are.
            ArtifactRule::Create(p) => {
                if source_type == ArtifactType::Products {
                    queue.consume(|q| q.counterpart.is_none() && p.matches(q.path));
                }
            }
            // Deleted: a material that is not a product. Queued products never are.
            ArtifactRule::Delete(p) => {
                if source_type == ArtifactType::Materials {
                    queue.consume(|q| q.counterpart.is_none() && p.matches(q.path));
                }
            }
            // Modified: a material and a product whose digest maps differ.
            ArtifactRule::Modify(p) => queue
                .consume(|q| q.counterpart.is_some_and(|c| c != q.digests) && p.matches(q.path)),
            ArtifactRule::Disallow(p) => {
                let hits: Vec<String> = queue
                    .entries
                    .iter()
                    .filter(|q| p.matches(q.path))
                    .map(|q| q.path.to_owned())
                    .collect();
                if !hits.is_empty() {
                    return Err(fail(RuleFailure::Disallowed { artifacts: hits }));
                }
            }
            ArtifactRule::Require(path) => {
                if queue.position(path).is_none() {
                    return Err(fail(RuleFailure::RequiredMissing {
                        path: path.clone(),
                        consumed_earlier: source.contains_key(path),
                    }));
                }
            }
            ArtifactRule::Match {
                pattern,
                source_prefix,
                dest_type,
                dest_prefix,
                dest_step,
            } => {
                let Some(dest_link) = links.get(dest_step) else {
                    continue;
                };
                let target = MatchTarget {
                    pattern,
                    source_prefix: non_empty(source_prefix.as_deref()),
                    dest_prefix: non_empty(dest_prefix.as_deref()),
                    dest: dest_type.of(dest_link),
                };
                let consumed = target.consumed(&queue, source).map_err(fail)?;
                queue.remove(&consumed);
            }
        }
    }
    Ok(queue.entries.into_iter().map(|q| q.path).collect())
}

/// Verify both rule lists of an item against its link, materials first, as python's
/// `verify_all_item_rules` does for each step and inspection.
///
/// # Errors
/// [`RuleError`] for the first rule that fails.
pub fn verify_item(
    item_name: &str,
    expected_materials: &[ArtifactRule],
    expected_products: &[ArtifactRule],
    item_link: &Link,
    links: &BTreeMap<String, Link>,
) -> Result<(), RuleError> {
    for (source_type, rules) in [
        (ArtifactType::Materials, expected_materials),
        (ArtifactType::Products, expected_products),
    ] {
        verify_item_rules(
            item_name,
            source_type,
            rules,
            &item_link.materials,
            &item_link.products,
            links,
        )?;
    }
    Ok(())
}

/// The artifacts no rule has consumed yet, sorted by path. Each carries its digests and
/// those of the same path on the other side (materials for products and vice versa), so
/// that the rules need no map lookups.
struct Queue<'a> {
    entries: Vec<Queued<'a>>,
}

struct Queued<'a> {
    path: &'a str,
    digests: &'a Digests,
    counterpart: Option<&'a Digests>,
}

impl<'a> Queue<'a> {
    fn new(source: &'a Artifacts, other: &'a Artifacts) -> Self {
        // Both maps iterate in path order: one merge pass pairs them up.
        let mut entries = Vec::with_capacity(source.len());
        let mut others = other.iter();
        let mut next_other = others.next();
        for (path, digests) in source {
            let mut counterpart = None;
            while let Some((other_path, other_digests)) = next_other {
                match other_path.as_str().cmp(path.as_str()) {
                    Ordering::Less => next_other = others.next(),
                    Ordering::Equal => {
                        counterpart = Some(other_digests);
                        break;
                    }
                    Ordering::Greater => break,
                }
            }
            entries.push(Queued {
                path,
                digests,
                counterpart,
            });
        }
        Self { entries }
    }

    /// Remove the entries `consumes` selects.
    fn consume(&mut self, consumes: impl Fn(&Queued<'a>) -> bool) {
        self.entries.retain(|q| !consumes(q));
    }

    /// Remove the entries at these positions (flags by position).
    fn remove(&mut self, consumed: &[bool]) {
        let mut index = 0;
        self.entries.retain(|_| {
            let keep = !consumed.get(index).copied().unwrap_or(false);
            index += 1;
            keep
        });
    }

    fn position(&self, path: &str) -> Option<usize> {
        self.entries.binary_search_by(|q| q.path.cmp(path)).ok()
    }
}

/// A `MATCH` rule whose destination link exists (python's `verify_match_rule`).
struct MatchTarget<'a> {
    pattern: &'a Pattern,
    source_prefix: Option<&'a str>,
    dest_prefix: Option<&'a str>,
    dest: &'a Artifacts,
}

impl MatchTarget<'_> {
    /// Flags, by queue position, of the entries to consume: queued paths under the source
    /// prefix whose rest matches the pattern and whose digests (the whole map, every
    /// algorithm) equal those of the rest under the destination prefix in the destination
    /// artifacts.
    fn consumed(&self, queue: &Queue<'_>, source: &Artifacts) -> Result<Vec<bool>, RuleFailure> {
        // The prefix gets a trailing slash, and Windows separators become `/` (python
        // does this on every platform).
        let normalized = self
            .source_prefix
            .map(|p| posix_join(p, "").replace('\\', "/"));
        let mut consumed = vec![false; queue.entries.len()];
        let mut dest_path = String::new();
        for (index, queued) in queue.entries.iter().enumerate() {
            let rest = match &normalized {
                Some(prefix) => match queued.path.strip_prefix(prefix.as_str()) {
                    Some(rest) => rest,
                    None => continue,
                },
                None => queued.path,
            };
            if !self.pattern.matches(rest) {
                continue;
            }
            // Python joins the prefix back on with `os.path.join` and turns `\` into `/`.
            // That gives back the queued path unless the rest is absolute (it replaces the
            // prefix) or holds a backslash; then the source artifact is looked up under
            // the joined path, and that is what gets consumed.
            let plain = !rest.starts_with('/') && !rest.contains('\\');
            let (source_index, source_digests) = match self.source_prefix {
                Some(prefix) if !plain => {
                    let joined = posix_join(prefix, rest).replace('\\', "/");
                    let Some(digests) = source.get(&joined) else {
                        return Err(RuleFailure::MatchSourceMissing {
                            artifact: queued.path.to_owned(),
                            resolved: joined,
                        });
                    };
                    (queue.position(&joined), digests)
                }
                _ => (Some(index), queued.digests),
            };
            let dest_key = match self.dest_prefix {
                Some(prefix) => {
                    dest_path.clear();
                    if !rest.starts_with('/') {
                        dest_path.push_str(prefix);
                        if !prefix.ends_with('/') {
                            dest_path.push('/');
                        }
                    }
                    dest_path.push_str(rest);
                    if dest_path.contains('\\') {
                        dest_path = dest_path.replace('\\', "/");
                    }
                    dest_path.as_str()
                }
                None => rest,
            };
            if self.dest.get(dest_key) == Some(source_digests)
                && let Some(i) = source_index
            {
                consumed[i] = true;
            }
        }
        Ok(consumed)
    }
}

/// `posixpath.join(a, b)` for two components.
fn posix_join(a: &str, b: &str) -> String {
    if b.starts_with('/') {
        b.to_owned()
    } else if a.is_empty() || a.ends_with('/') {
        format!("{a}{b}")
    } else {
        format!("{a}/{b}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule(tokens: &[&str]) -> ArtifactRule {
        ArtifactRule::parse(tokens).expect("valid rule")
    }

    fn rules(list: &[&[&str]]) -> Vec<ArtifactRule> {
        list.iter().map(|t| rule(t)).collect()
    }

    fn digests(hex: &str) -> Digests {
        Digests::from([("sha256".to_owned(), hex.to_owned())])
    }

    fn artifacts(list: &[(&str, &str)]) -> Artifacts {
        list.iter()
            .map(|(path, hex)| ((*path).to_owned(), digests(hex)))
            .collect()
    }

    fn link(name: &str, materials: Artifacts, products: Artifacts) -> Link {
        Link {
            name: name.to_owned(),
            materials,
            products,
            byproducts: None,
            command: Vec::new(),
        }
    }

    /// Verify `rules` on the products (or materials) of `item`, with `links` as the others.
    fn check(
        source_type: ArtifactType,
        rules: &[ArtifactRule],
        item: &Link,
        others: &[&Link],
    ) -> Result<(), RuleError> {
        let mut links: BTreeMap<String, Link> = others
            .iter()
            .map(|l| (l.name.clone(), (*l).clone()))
            .collect();
        links.insert(item.name.clone(), item.clone());
        verify_item_rules(
            &item.name,
            source_type,
            rules,
            &item.materials,
            &item.products,
            &links,
        )
    }

    fn failed_at(result: Result<(), RuleError>) -> usize {
        result.expect_err("rules should fail").rule_index()
    }

    // --- parsing ------------------------------------------------------------------------

    #[test]
    fn parses_every_rule_type_case_insensitively() {
        assert_eq!(rule(&["CREATE", "*"]), ArtifactRule::Create("*".into()));
        assert_eq!(rule(&["create", "A*"]), ArtifactRule::Create("A*".into()));
        assert_eq!(rule(&["Delete", "x"]), ArtifactRule::Delete("x".into()));
        assert_eq!(rule(&["mOdIfY", "x"]), ArtifactRule::Modify("x".into()));
        assert_eq!(rule(&["allow", "x"]), ArtifactRule::Allow("x".into()));
        assert_eq!(rule(&["DISALLOW", "x"]), ArtifactRule::Disallow("x".into()));
        assert_eq!(
            rule(&["require", "F*"]),
            ArtifactRule::Require("F*".to_owned())
        );
        assert_eq!(
            rule(&[
                "match", "Foo/*", "in", "Src", "with", "Products", "In", "Dst", "from", "Build"
            ]),
            ArtifactRule::Match {
                pattern: "Foo/*".into(),
                source_prefix: Some("Src".to_owned()),
                dest_type: ArtifactType::Products,
                dest_prefix: Some("Dst".to_owned()),
                dest_step: "Build".to_owned(),
            }
        );
    }

    #[test]
    fn parses_the_four_match_forms() {
        let m = |sp: Option<&str>, dt, dp: Option<&str>| ArtifactRule::Match {
            pattern: "*".into(),
            source_prefix: sp.map(str::to_owned),
            dest_type: dt,
            dest_prefix: dp.map(str::to_owned),
            dest_step: "s".to_owned(),
        };
        use ArtifactType::{Materials, Products};
        assert_eq!(
            rule(&["MATCH", "*", "WITH", "MATERIALS", "FROM", "s"]),
            m(None, Materials, None)
        );
        assert_eq!(
            rule(&["MATCH", "*", "IN", "a", "WITH", "PRODUCTS", "FROM", "s"]),
            m(Some("a"), Products, None)
        );
        assert_eq!(
            rule(&["MATCH", "*", "WITH", "PRODUCTS", "IN", "b", "FROM", "s"]),
            m(None, Products, Some("b"))
        );
        assert_eq!(
            rule(&[
                "MATCH", "*", "IN", "a", "WITH", "PRODUCTS", "IN", "b", "FROM", "s"
            ]),
            m(Some("a"), Products, Some("b"))
        );
        // An empty prefix is no prefix (python tests the prefix for truth).
        assert_eq!(
            rule(&[
                "MATCH", "*", "IN", "", "WITH", "PRODUCTS", "IN", "", "FROM", "s"
            ]),
            m(None, Products, None)
        );
    }

    #[test]
    fn rejects_malformed_rules_naming_them() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "starts with MATCH"),
            (&["CREATE"], "starts with MATCH"),
            (&["CREATED", "*"], "starts with MATCH"),
            (&["*", "CREATE"], "starts with MATCH"),
            (
                &["CREATE", "*", "*"],
                "CREATE rules have the form CREATE <pattern>",
            ),
            (
                &["REQUIRE", "a", "b"],
                "REQUIRE rules have the form REQUIRE <path>",
            ),
            (&["DISALLOW", "a", "b"], "DISALLOW rules"),
            (&["MATCH", "*"], "MATCH rules have the form"),
            (
                &["MATCH", "*", "WITH", "PRODUCTS", "FROM"],
                "MATCH rules have the form",
            ),
            (
                &["MATCH", "*", "WITH", "PRODUCTS", "IN", "s"],
                "MATCH rules have the form",
            ),
            (
                &["MATCH", "*", "FROM", "s", "WITH", "PRODUCTS"],
                "MATCH rules have the form",
            ),
            (
                &[
                    "MATCH", "*", "IN", "a", "WITH", "PRODUCTS", "IN", "b", "FROM",
                ],
                "the form",
            ),
            (
                &["MATCH", "*", "WITH", "ARTIFACTS", "FROM", "s"],
                "MATERIALS or PRODUCTS",
            ),
            (
                &["MATCH", "*", "WITH", "PRODUCT", "FROM", "s"],
                "MATERIALS or PRODUCTS",
            ),
            (
                &["MATCH", "*", "IN", "a", "WITH", "x", "IN", "b", "FROM", "s"],
                "MATERIALS or",
            ),
        ];
        for (tokens, reason) in cases {
            let err = ArtifactRule::parse(tokens).expect_err("malformed");
            let text = err.to_string();
            assert!(text.contains(reason), "{tokens:?}: {text}");
            assert!(
                text.contains(&serde_json::to_string(tokens).expect("json")),
                "the message names the rule: {text}"
            );
            assert!(matches!(IntotoError::from(err), IntotoError::Malformed(_)));
        }
    }

    #[test]
    fn json_forms() {
        let parsed = ArtifactRule::from_json(&serde_json::json!([
            "match", "foo/*", "in", "src", "with", "products", "in", "dst", "from", "build"
        ]))
        .expect("valid");
        // The form python's pack_rule writes: upper-case keywords.
        assert_eq!(
            parsed.to_json(),
            serde_json::json!([
                "MATCH", "foo/*", "IN", "src", "WITH", "PRODUCTS", "IN", "dst", "FROM", "build"
            ])
        );
        assert_eq!(
            parsed.to_string(),
            "MATCH foo/* IN src WITH PRODUCTS IN dst FROM build"
        );
        assert_eq!(
            rule(&["create", "*"]).to_json(),
            serde_json::json!(["CREATE", "*"])
        );
        assert_eq!(
            rule(&["MATCH", "*", "IN", "", "WITH", "materials", "FROM", "s"]).to_json(),
            serde_json::json!(["MATCH", "*", "WITH", "MATERIALS", "FROM", "s"])
        );
        assert_eq!(rule(&["require", "a b"]).to_string(), "REQUIRE a b");
        for bad in [
            serde_json::json!("CREATE *"),
            serde_json::json!(["CREATE", 1]),
            serde_json::json!(["CREATE", null]),
            serde_json::json!({"CREATE": "*"}),
        ] {
            let err = ArtifactRule::from_json(&bad).expect_err("not a list of strings");
            assert!(err.to_string().contains("list of strings"), "{err}");
        }
        let list =
            ArtifactRule::from_json_list(&serde_json::json!([["CREATE", "*"], ["DISALLOW", "*"]]))
                .expect("valid list");
        assert_eq!(list, rules(&[&["CREATE", "*"], &["DISALLOW", "*"]]));
        assert!(ArtifactRule::from_json_list(&serde_json::json!(["CREATE", "*"])).is_err());
        assert!(ArtifactRule::from_json_list(&serde_json::json!({})).is_err());
        // serde: the same list form.
        let text = serde_json::to_string(&list).expect("serialise");
        assert_eq!(text, r#"[["CREATE","*"],["DISALLOW","*"]]"#);
        let back: Vec<ArtifactRule> = serde_json::from_str(&text).expect("deserialise");
        assert_eq!(back, list);
        assert!(serde_json::from_str::<ArtifactRule>(r#"["CREATE"]"#).is_err());
    }

    #[test]
    fn tokens_round_trip() {
        for tokens in [
            &["MATCH", "*", "WITH", "MATERIALS", "FROM", "s"][..],
            &[
                "MATCH", "a b", "IN", "x/", "WITH", "PRODUCTS", "IN", "y", "FROM", "s t",
            ],
            &["REQUIRE", "*"],
            &["MODIFY", ""],
        ] {
            let parsed = rule(tokens);
            assert_eq!(parsed.to_tokens(), tokens);
            assert_eq!(ArtifactRule::parse(&parsed.to_tokens()), Ok(parsed));
        }
    }

    // --- patterns -----------------------------------------------------------------------

    /// Verdicts of python 3.11's `fnmatch.fnmatch(name, pattern)`.
    const FNMATCH_CASES: &[(&str, &str, bool)] = &[
        ("*", "", true),
        ("*", "a/b/c", true),
        ("*.c", "src/x.c", true),
        ("src/*", "src/a/b", true),
        ("src/*", "src", false),
        ("?", "a", true),
        ("?", "/", true),
        ("?", "", false),
        ("?", "ab", false),
        ("a?c", "a/c", true),
        ("[ab]", "a", true),
        ("[ab]", "c", false),
        ("[!a]", "a", false),
        ("[!a]", "b", true),
        ("[!a]", "/", true),
        ("[a-c]x", "bx", true),
        ("[c-a]", "b", false),
        ("[!]", "[!]", true),
        ("[!]", "a", false),
        ("[]]", "]", true),
        ("[]a]", "a", true),
        ("[!]a]", "]", false),
        ("[!]a]", "b", true),
        ("[", "[", true),
        ("a[b", "a[b", true),
        ("[a", "a", false),
        ("x+y", "x+y", true),
        ("x+y", "xxy", false),
        ("(p)", "(p)", true),
        ("a.b", "a.b", true),
        ("a.b", "axb", false),
        ("^a$", "^a$", true),
        ("a|b", "a", false),
        ("a|b", "a|b", true),
        ("{a,b}", "a", false),
        ("{a,b}", "{a,b}", true),
        ("\\*", "\\x", true),
        ("\\*", "*", false),
        ("[\\]", "\\", true),
        ("[a-]", "-", true),
        ("[-a]", "-", true),
        ("[a-b-c]", "-", true),
        ("[a-b-c]", "c", true),
        ("[b-a]", "a", false),
        ("[!b-a]", "z", true),
        ("[b-a!x]", "y", true),
        ("[b-a!x]", "x", false),
        ("[b-a!-z]", "-", false),
        ("[b-a!-z]", "m", true),
        ("[^a]", "^", true),
        ("[^a]", "b", false),
        ("[[a]", "[", true),
        ("[a&&b]", "&", true),
        ("[a~b]", "~", true),
        ("*a*b?", "xaybz", true),
        ("*a*b?", "xab", false),
        ("A", "a", false),
        ("a*", "a\nb", true),
        ("??", "é!", true),
        ("[é-ü]", "ö", true),
        ("**", "x/y", true),
        ("", "", true),
        ("", "a", false),
        ("a/**/b", "a/b", false),
        ("a/**/b", "a//b", true),
        ("*/", "a/", true),
        ("a*a", "a", false),
        ("a*a", "aa", true),
        ("ab*ba", "aba", false),
        ("ab*ba", "abba", true),
    ];

    #[test]
    fn patterns_match_like_python_fnmatch() {
        for &(pattern, name, expected) in FNMATCH_CASES {
            let p = Pattern::new(pattern);
            assert_eq!(p.matches(name), expected, "fnmatch({name:?}, {pattern:?})");
            assert!(p.python_error().is_none());
            // The fallback matcher agrees with the compiled one.
            let pieces = translate(pattern).expect("translates");
            assert_eq!(
                pieces_match(&pieces, name),
                expected,
                "pieces: {pattern:?} {name:?}"
            );
        }
    }

    #[test]
    fn simple_patterns_skip_the_regex_engine() {
        assert!(matches!(Pattern::new("a.b").matcher, Matcher::Exact(_)));
        assert!(matches!(Pattern::new("a[b").matcher, Matcher::Exact(_)));
        assert!(matches!(Pattern::new("***").matcher, Matcher::Everything));
        assert!(matches!(Pattern::new("x[b-a]*").matcher, Matcher::Nothing));
        assert!(matches!(Pattern::new("*.c").matcher, Matcher::Affix { .. }));
        assert!(matches!(
            Pattern::new("src/*").matcher,
            Matcher::Affix { .. }
        ));
        assert!(matches!(Pattern::new("*.c*").matcher, Matcher::Regex(_)));
        assert!(matches!(Pattern::new("?.c").matcher, Matcher::Regex(_)));
        assert_eq!(Pattern::new("a*"), Pattern::new("a*"));
        assert_ne!(Pattern::new("a*"), Pattern::new("a**"));
        assert_eq!(format!("{:?}", Pattern::new("a*")), "Pattern(\"a*\")");
    }

    #[test]
    fn translation_of_bracket_expressions_follows_python() {
        let set = |negated, ranges: &[(char, char)]| Piece::Set {
            negated,
            ranges: ranges.to_vec(),
        };
        assert_eq!(
            translate("[a-c-e]"),
            Ok(vec![set(false, &[('a', 'c'), ('-', '-'), ('e', 'e')])])
        );
        assert_eq!(
            translate("[z-a-c]"),
            Ok(vec![set(false, &[('-', '-'), ('c', 'c')])])
        );
        assert_eq!(translate("[a-cb-a]"), Ok(vec![set(false, &[('a', 'c')])]));
        assert_eq!(translate("[!b-a]"), Ok(vec![Piece::AnyChar]));
        assert_eq!(translate("[b-a]"), Ok(vec![Piece::Never]));
        assert_eq!(translate("[b-a!x]"), Ok(vec![set(true, &[('x', 'x')])]));
        assert_eq!(
            translate("[!]"),
            Ok(vec![
                Piece::Literal('['),
                Piece::Literal('!'),
                Piece::Literal(']')
            ])
        );
        assert_eq!(
            translate("a**b"),
            Ok(vec![Piece::Literal('a'), Piece::Star, Piece::Literal('b')])
        );
        assert_eq!(
            parse_re_set(&['a', '-']),
            Err("unterminated character set".to_owned())
        );
        assert_eq!(
            parse_re_set(&['b', '-', 'a', ']']),
            Err("bad character range b-a".to_owned())
        );
    }

    proptest! {
        /// The backtracking fallback and the regex agree on patterns and names built from
        /// the characters that matter.
        #[test]
        fn fallback_matcher_agrees_with_regex(
            pattern in "[ab*?\\[\\]!\\-^/\\\\]{0,10}",
            name in "[ab\\[\\]!\\-^/\\\\]{0,8}",
        ) {
            let pieces = translate(&pattern).expect("translates");
            let compiled = Pattern::new(&pattern);
            prop_assert_eq!(compiled.matches(&name), pieces_match(&pieces, &name));
        }
    }

    // --- rules --------------------------------------------------------------------------

    #[test]
    fn allow_and_disallow_consume_in_order() {
        let item = link(
            "s",
            Artifacts::new(),
            artifacts(&[("a.c", "1"), ("b.h", "2")]),
        );
        let p = ArtifactType::Products;
        assert!(
            check(
                p,
                &rules(&[&["ALLOW", "*.c"], &["ALLOW", "*.h"], &["DISALLOW", "*"]]),
                &item,
                &[]
            )
            .is_ok()
        );
        // ALLOW after DISALLOW is too late.
        let err = check(
            p,
            &rules(&[&["DISALLOW", "*.h"], &["ALLOW", "*"]]),
            &item,
            &[],
        )
        .expect_err("b.h is disallowed");
        assert_eq!(err.rule_index(), 0);
        assert_eq!(
            *err.failure(),
            RuleFailure::Disallowed {
                artifacts: vec!["b.h".to_owned()]
            }
        );
        assert_eq!(err.source_type(), ArtifactType::Products);
        let err = check(
            p,
            &rules(&[&["ALLOW", "*.c"], &["DISALLOW", "*"]]),
            &item,
            &[],
        )
        .expect_err("b.h is left");
        assert_eq!(err.rule_index(), 1);
        let text = err.to_string();
        for part in [
            "\"s\"",
            "expected_products",
            "rule 2",
            "'DISALLOW *'",
            "\"b.h\"",
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
        assert!(!text.contains("a.c"), "{text}");
        // The rules of materials work on the materials.
        assert!(
            check(
                ArtifactType::Materials,
                &rules(&[&["DISALLOW", "*"]]),
                &item,
                &[]
            )
            .is_ok()
        );
        // No rules: everything passes.
        assert!(check(p, &[], &item, &[]).is_ok());
    }

    #[test]
    fn disallow_lists_all_offenders_sorted() {
        let item = link(
            "s",
            Artifacts::new(),
            artifacts(&[("c", "1"), ("a", "1"), ("b", "1")]),
        );
        let err = check(
            ArtifactType::Products,
            &rules(&[&["DISALLOW", "*"]]),
            &item,
            &[],
        )
        .expect_err("disallowed");
        assert_eq!(
            *err.failure(),
            RuleFailure::Disallowed {
                artifacts: vec!["a".into(), "b".into(), "c".into()]
            }
        );
        assert!(
            matches!(IntotoError::from(err), IntotoError::Verification(m) if m.contains("\"c\""))
        );
    }

    #[test]
    fn create_delete_modify_compare_materials_and_products() {
        let item = link(
            "s",
            artifacts(&[("same", "1"), ("changed", "1"), ("gone", "1")]),
            artifacts(&[("same", "1"), ("changed", "2"), ("new", "1")]),
        );
        let (m, p) = (ArtifactType::Materials, ArtifactType::Products);
        let r = |list: &[&[&str]]| rules(list);
        // Products: new is created, changed is modified, same is neither.
        assert!(
            check(
                p,
                &r(&[
                    &["CREATE", "new"],
                    &["MODIFY", "changed"],
                    &["ALLOW", "same"],
                    &["DISALLOW", "*"]
                ]),
                &item,
                &[]
            )
            .is_ok()
        );
        assert!(check(p, &r(&[&["CREATE", "*"], &["DISALLOW", "new"]]), &item, &[]).is_ok());
        assert_eq!(
            failed_at(check(
                p,
                &r(&[&["CREATE", "*"], &["DISALLOW", "same"]]),
                &item,
                &[]
            )),
            1
        );
        assert_eq!(
            failed_at(check(
                p,
                &r(&[&["CREATE", "*"], &["DISALLOW", "changed"]]),
                &item,
                &[]
            )),
            1
        );
        assert!(
            check(
                p,
                &r(&[&["MODIFY", "*"], &["DISALLOW", "changed"]]),
                &item,
                &[]
            )
            .is_ok()
        );
        assert_eq!(
            failed_at(check(
                p,
                &r(&[&["MODIFY", "*"], &["DISALLOW", "same"]]),
                &item,
                &[]
            )),
            1
        );
        // DELETE consumes nothing from products (deleted files are not products).
        assert_eq!(
            failed_at(check(
                p,
                &r(&[&["DELETE", "*"], &["DISALLOW", "*"]]),
                &item,
                &[]
            )),
            1
        );
        // Materials: gone is deleted, changed is modified.
        assert!(
            check(
                m,
                &r(&[
                    &["DELETE", "gone"],
                    &["MODIFY", "changed"],
                    &["DISALLOW", "g*"],
                    &["DISALLOW", "c*"]
                ]),
                &item,
                &[]
            )
            .is_ok()
        );
        assert_eq!(
            failed_at(check(
                m,
                &r(&[&["DELETE", "*"], &["DISALLOW", "same"]]),
                &item,
                &[]
            )),
            1
        );
        assert_eq!(
            failed_at(check(
                m,
                &r(&[&["CREATE", "*"], &["DISALLOW", "*"]]),
                &item,
                &[]
            )),
            1
        );
        // The pattern limits what is consumed.
        assert_eq!(
            failed_at(check(
                p,
                &r(&[&["CREATE", "x*"], &["DISALLOW", "new"]]),
                &item,
                &[]
            )),
            1
        );
    }

    #[test]
    fn modify_compares_all_digests() {
        let mut before = artifacts(&[("f", "1")]);
        let mut after = artifacts(&[("f", "1")]);
        let item = link("s", before.clone(), after.clone());
        let r = rules(&[&["MODIFY", "f"], &["DISALLOW", "f"]]);
        assert_eq!(failed_at(check(ArtifactType::Products, &r, &item, &[])), 1);
        // Another algorithm on one side only: the digest maps differ.
        after
            .get_mut("f")
            .expect("f")
            .insert("sha512", "2".to_owned());
        let item = link("s", before.clone(), after.clone());
        assert!(check(ArtifactType::Products, &r, &item, &[]).is_ok());
        before
            .get_mut("f")
            .expect("f")
            .insert("sha512", "2".to_owned());
        let item = link("s", before, after);
        assert_eq!(failed_at(check(ArtifactType::Products, &r, &item, &[])), 1);
    }

    #[test]
    fn require_checks_the_queue() {
        let item = link("s", Artifacts::new(), artifacts(&[("a", "1"), ("*", "1")]));
        let p = ArtifactType::Products;
        assert!(check(p, &rules(&[&["REQUIRE", "a"]]), &item, &[]).is_ok());
        // A literal path, not a pattern.
        assert!(check(p, &rules(&[&["REQUIRE", "*"]]), &item, &[]).is_ok());
        let err = check(p, &rules(&[&["REQUIRE", "?"]]), &item, &[]).expect_err("no ?");
        assert_eq!(
            *err.failure(),
            RuleFailure::RequiredMissing {
                path: "?".into(),
                consumed_earlier: false
            }
        );
        assert!(
            err.to_string().contains("\"?\" is not among the products"),
            "{err}"
        );
        // Consumed by an earlier rule: gone from the queue.
        let err = check(p, &rules(&[&["ALLOW", "a"], &["REQUIRE", "a"]]), &item, &[])
            .expect_err("consumed");
        assert_eq!(err.rule_index(), 1);
        assert_eq!(
            *err.failure(),
            RuleFailure::RequiredMissing {
                path: "a".into(),
                consumed_earlier: true
            }
        );
        assert!(
            err.to_string().contains("consumed by an earlier rule"),
            "{err}"
        );
        // REQUIRE consumes nothing.
        assert_eq!(
            failed_at(check(
                p,
                &rules(&[&["REQUIRE", "a"], &["DISALLOW", "a"]]),
                &item,
                &[]
            )),
            1
        );
    }

    #[test]
    fn match_consumes_artifacts_with_equal_digests() {
        let build = link(
            "build",
            artifacts(&[("m", "9")]),
            artifacts(&[("a", "1"), ("b", "2"), ("c", "3")]),
        );
        let item = link(
            "pkg",
            artifacts(&[("a", "1"), ("b", "X"), ("d", "4"), ("m", "9")]),
            Artifacts::new(),
        );
        let m = ArtifactType::Materials;
        let ok = |list: &[&[&str]]| check(m, &rules(list), &item, &[&build]);
        // a matches; b differs in digest; d is not in build's products.
        assert!(
            ok(&[
                &["MATCH", "*", "WITH", "PRODUCTS", "FROM", "build"],
                &["DISALLOW", "a"]
            ])
            .is_ok()
        );
        assert_eq!(
            failed_at(ok(&[
                &["MATCH", "*", "WITH", "PRODUCTS", "FROM", "build"],
                &["DISALLOW", "b"]
            ])),
            1
        );
        assert_eq!(
            failed_at(ok(&[
                &["MATCH", "*", "WITH", "PRODUCTS", "FROM", "build"],
                &["DISALLOW", "d"]
            ])),
            1
        );
        // The destination type chooses build's materials or products.
        assert!(
            ok(&[
                &["MATCH", "*", "WITH", "MATERIALS", "FROM", "build"],
                &["DISALLOW", "m"]
            ])
            .is_ok()
        );
        assert_eq!(
            failed_at(ok(&[
                &["MATCH", "*", "WITH", "PRODUCTS", "FROM", "build"],
                &["DISALLOW", "m"]
            ])),
            1
        );
        // The pattern limits what is matched.
        assert_eq!(
            failed_at(ok(&[
                &["MATCH", "b*", "WITH", "PRODUCTS", "FROM", "build"],
                &["DISALLOW", "a"]
            ])),
            1
        );
        // No link for the destination: nothing consumed, no failure.
        assert!(ok(&[&["MATCH", "*", "WITH", "PRODUCTS", "FROM", "nowhere"]]).is_ok());
        assert_eq!(
            failed_at(ok(&[
                &["MATCH", "*", "WITH", "PRODUCTS", "FROM", "nowhere"],
                &["DISALLOW", "a"]
            ])),
            1
        );
        // Step names are case-sensitive.
        assert_eq!(
            failed_at(ok(&[
                &["MATCH", "*", "WITH", "PRODUCTS", "FROM", "Build"],
                &["DISALLOW", "a"]
            ])),
            1
        );
        // A step can match against its own link.
        let own = link("own", artifacts(&[("x", "1")]), artifacts(&[("x", "1")]));
        assert!(
            check(
                ArtifactType::Products,
                &rules(&[
                    &["MATCH", "x", "WITH", "MATERIALS", "FROM", "own"],
                    &["DISALLOW", "*"]
                ]),
                &own,
                &[]
            )
            .is_ok()
        );
    }

    #[test]
    fn match_digest_maps_must_be_equal() {
        let mut dest = artifacts(&[("a", "1")]);
        dest.get_mut("a").expect("a").insert("sha512", "5".into());
        let build = link("build", Artifacts::new(), dest);
        let item = link("pkg", artifacts(&[("a", "1")]), Artifacts::new());
        let r = rules(&[
            &["MATCH", "a", "WITH", "PRODUCTS", "FROM", "build"],
            &["DISALLOW", "a"],
        ]);
        assert_eq!(
            failed_at(check(ArtifactType::Materials, &r, &item, &[&build])),
            1
        );
    }

    #[test]
    fn match_prefixes_with_and_without_trailing_slash() {
        let build = link(
            "build",
            Artifacts::new(),
            artifacts(&[("out/x.c", "1"), ("out/y.c", "2"), ("x.c", "1")]),
        );
        let item = link(
            "pkg",
            artifacts(&[("src/x.c", "1"), ("src/y.c", "2"), ("srcx.c", "1")]),
            Artifacts::new(),
        );
        let m = ArtifactType::Materials;
        let run = |r: &[&str], disallow: &str| {
            check(m, &rules(&[r, &["DISALLOW", disallow]]), &item, &[&build])
        };
        for sp in ["src", "src/"] {
            for dp in ["out", "out/"] {
                let r = [
                    "MATCH", "*.c", "IN", sp, "WITH", "PRODUCTS", "IN", dp, "FROM", "build",
                ];
                assert!(run(&r, "src/*").is_ok(), "{sp} {dp}");
                // The source prefix is a directory: srcx.c is not under src.
                assert_eq!(failed_at(run(&r, "srcx.c")), 1, "{sp} {dp}");
            }
            // Without a destination prefix the rest is looked up as is: x.c only.
            let r = ["MATCH", "*", "IN", sp, "WITH", "PRODUCTS", "FROM", "build"];
            assert!(run(&r, "src/x.c").is_ok());
            assert_eq!(failed_at(run(&r, "src/y.c")), 1);
        }
        // The pattern applies to the rest after the prefix; globs in the prefix are literal.
        let r = [
            "MATCH", "x.c", "IN", "src", "WITH", "PRODUCTS", "IN", "out", "FROM", "build",
        ];
        assert!(run(&r, "src/x.c").is_ok());
        let r = [
            "MATCH", "src/x.c", "IN", "src", "WITH", "PRODUCTS", "IN", "out", "FROM", "build",
        ];
        assert_eq!(failed_at(run(&r, "src/x.c")), 1);
        let r = [
            "MATCH", "*", "IN", "s*", "WITH", "PRODUCTS", "IN", "out", "FROM", "build",
        ];
        assert_eq!(failed_at(run(&r, "src/x.c")), 1);
        // A destination prefix only: source paths are looked up below it.
        let flat = link(
            "pkg",
            artifacts(&[("x.c", "1"), ("y.c", "2")]),
            Artifacts::new(),
        );
        let r = rules(&[
            &[
                "MATCH", "*", "WITH", "PRODUCTS", "IN", "out/", "FROM", "build",
            ],
            &["DISALLOW", "*"],
        ]);
        assert!(check(m, &r, &flat, &[&build]).is_ok());
    }

    #[test]
    fn match_prefix_quirks_of_python_path_joining() {
        let m = ArtifactType::Materials;
        // A backslash in the prefix is a slash.
        let build = link("build", Artifacts::new(), artifacts(&[("x", "1")]));
        let item = link("pkg", artifacts(&[("a/b/x", "1")]), Artifacts::new());
        let r = rules(&[
            &[
                "MATCH", "*", "IN", "a\\b", "WITH", "PRODUCTS", "FROM", "build",
            ],
            &["DISALLOW", "*"],
        ]);
        assert!(check(m, &r, &item, &[&build]).is_ok());
        // A rest with a backslash resolves to a path with a slash, which the item lacks:
        // python fails with a KeyError.
        let item = link("pkg", artifacts(&[("src/a\\b", "1")]), Artifacts::new());
        let r = rules(&[&[
            "MATCH", "*", "IN", "src", "WITH", "PRODUCTS", "FROM", "build",
        ]]);
        let err = check(m, &r, &item, &[&build]).expect_err("KeyError in python");
        assert_eq!(
            *err.failure(),
            RuleFailure::MatchSourceMissing {
                artifact: "src/a\\b".into(),
                resolved: "src/a/b".into()
            }
        );
        assert!(err.to_string().contains("KeyError"), "{err}");
        // ... but only when the pattern selects it, and only with a destination link.
        let r = rules(&[&[
            "MATCH", "x*", "IN", "src", "WITH", "PRODUCTS", "FROM", "build",
        ]]);
        assert!(check(m, &r, &item, &[&build]).is_ok());
        let r = rules(&[&[
            "MATCH", "*", "IN", "src", "WITH", "PRODUCTS", "FROM", "nowhere",
        ]]);
        assert!(check(m, &r, &item, &[&build]).is_ok());
        // Without a source prefix the path is used as it is.
        let build = link("build", Artifacts::new(), artifacts(&[("src/a\\b", "1")]));
        let r = rules(&[
            &["MATCH", "*", "WITH", "PRODUCTS", "FROM", "build"],
            &["DISALLOW", "*"],
        ]);
        assert!(check(m, &r, &item, &[&build]).is_ok());
        // A doubled slash after the prefix leaves an absolute rest, which replaces the prefix.
        let build = link("build", Artifacts::new(), artifacts(&[("/x", "1")]));
        let item = link(
            "pkg",
            artifacts(&[("src//x", "1"), ("/x", "1")]),
            Artifacts::new(),
        );
        let r = rules(&[
            &[
                "MATCH", "*", "IN", "src", "WITH", "PRODUCTS", "FROM", "build",
            ],
            &["DISALLOW", "src//x"],
        ]);
        // "/x" (not "src//x") is what gets compared and consumed.
        assert_eq!(failed_at(check(m, &r, &item, &[&build])), 1);
        let r = rules(&[
            &[
                "MATCH", "*", "IN", "src", "WITH", "PRODUCTS", "FROM", "build",
            ],
            &["DISALLOW", "/x"],
        ]);
        assert!(check(m, &r, &item, &[&build]).is_ok());
        // A destination prefix with an absolute rest: the rest alone.
        let item = link("pkg", artifacts(&[("/x", "1")]), Artifacts::new());
        let r = rules(&[
            &[
                "MATCH", "*", "WITH", "PRODUCTS", "IN", "out", "FROM", "build",
            ],
            &["DISALLOW", "*"],
        ]);
        assert!(check(m, &r, &item, &[&build]).is_ok());
    }

    #[test]
    fn evaluate_returns_what_no_rule_consumed() {
        let item = link(
            "s",
            artifacts(&[("kept", "1"), ("changed", "1")]),
            artifacts(&[("kept", "1"), ("changed", "2"), ("new", "1"), ("z", "1")]),
        );
        let links = BTreeMap::from([("s".to_owned(), item.clone())]);
        let r = rules(&[&["CREATE", "n*"], &["MODIFY", "*"]]);
        let left = evaluate_item_rules(
            "s",
            ArtifactType::Products,
            &r,
            &item.materials,
            &item.products,
            &links,
        )
        .expect("no failing rule");
        assert_eq!(left, ["kept", "z"]);
    }

    #[test]
    fn first_failing_rule_wins() {
        let item = link("s", Artifacts::new(), artifacts(&[("a", "1")]));
        let r = rules(&[&["REQUIRE", "b"], &["DISALLOW", "a"]]);
        let err = check(ArtifactType::Products, &r, &item, &[]).expect_err("fails");
        assert_eq!(err.rule_index(), 0);
        assert_eq!(*err.rule(), rule(&["REQUIRE", "b"]));
    }

    #[test]
    fn verify_item_checks_materials_then_products() {
        let l = link("s", artifacts(&[("m", "1")]), artifacts(&[("p", "1")]));
        let links = BTreeMap::from([("s".to_owned(), l.clone())]);
        let d = rules(&[&["DISALLOW", "*"]]);
        let err = verify_item("s", &d, &d, &l, &links).expect_err("both fail");
        assert_eq!(err.source_type(), ArtifactType::Materials);
        let err = verify_item("s", &[], &d, &l, &links).expect_err("products fail");
        assert_eq!(err.source_type(), ArtifactType::Products);
        assert!(err.to_string().contains("expected_products"), "{err}");
        assert!(
            verify_item(
                "s",
                &rules(&[&["ALLOW", "m"], &["DISALLOW", "*"]]),
                &[],
                &l,
                &links
            )
            .is_ok()
        );
    }

    #[test]
    fn hundred_thousand_artifacts_are_fast() {
        // 100,000 products: 50,000 sources (a quarter of them changed by the step) and
        // 50,000 objects that a build step made.
        let n = 100_000;
        let mut materials = Artifacts::new();
        let mut products = Artifacts::new();
        let mut built = Artifacts::new();
        for i in 0..n {
            let d = digests(&format!("{i:x}"));
            if i % 2 == 0 {
                let path = format!("src/dir{}/file{i}.c", i % 100);
                let changed = if i % 8 == 0 { digests("ff") } else { d.clone() };
                materials.insert(path.clone(), changed);
                products.insert(path, d);
            } else {
                built.insert(format!("out/dir{}/file{i}.o", i % 100), d.clone());
                products.insert(format!("out/dir{}/file{i}.o", i % 100), d);
            }
        }
        assert_eq!(products.len(), n);
        let build = link("build", Artifacts::new(), built);
        let links = BTreeMap::from([("build".to_owned(), build)]);
        let r = rules(&[
            &[
                "MATCH", "*.o", "IN", "out", "WITH", "PRODUCTS", "IN", "out/", "FROM", "build",
            ],
            &["MODIFY", "*.c"],
            &["CREATE", "nothing*"],
            &["REQUIRE", "src/dir6/file6.c"],
            &["ALLOW", "src/dir[0-4]*/*.c"],
            &["DELETE", "*"],
            &["ALLOW", "src/*"],
            &["DISALLOW", "*"],
        ]);
        let start = std::time::Instant::now();
        verify_item_rules(
            "s",
            ArtifactType::Products,
            &r,
            &materials,
            &products,
            &links,
        )
        .expect("all consumed");
        let elapsed = start.elapsed();
        assert!(elapsed.as_millis() < 1000, "{n} artifacts took {elapsed:?}");
        // And a failure names the offenders without printing all of them.
        let err = verify_item_rules(
            "s",
            ArtifactType::Products,
            &rules(&[&["DISALLOW", "*.?"]]),
            &materials,
            &products,
            &links,
        )
        .expect_err("disallowed");
        let RuleFailure::Disallowed { artifacts } = err.failure() else {
            panic!("wrong failure {err:?}");
        };
        assert_eq!(artifacts.len(), n);
        let text = err.to_string();
        assert!(
            text.contains(&format!("and {} more", n - LISTED)),
            "{}",
            &text[..200]
        );
        assert!(text.len() < 2000);
    }

    #[test]
    fn matcher_fallback_handles_what_the_regex_engine_refuses() {
        // Force the fallback: the same pieces matched without the regex engine.
        let pattern = "*[a-c]x?*";
        let pieces = translate(pattern).expect("translates");
        let fallback = Pattern {
            source: pattern.to_owned(),
            matcher: Matcher::Pieces(pieces),
        };
        for name in ["bxz", "zzbxy", "bx", "dxz", "bxzz/q"] {
            assert_eq!(
                fallback.matches(name),
                Pattern::new(pattern).matches(name),
                "{name}"
            );
        }
        // A rule with a pattern python could not compile fails when python compiles it.
        let invalid = Pattern {
            source: "x".into(),
            matcher: Matcher::Invalid("bad".into()),
        };
        let item = link("s", Artifacts::new(), artifacts(&[("a", "1")]));
        let r = vec![ArtifactRule::Allow(invalid.clone())];
        let err = check(ArtifactType::Products, &r, &item, &[]).expect_err("invalid");
        assert_eq!(
            *err.failure(),
            RuleFailure::InvalidPattern {
                reason: "bad".into()
            }
        );
        let r = vec![ArtifactRule::Match {
            pattern: invalid,
            source_prefix: None,
            dest_type: ArtifactType::Products,
            dest_prefix: None,
            dest_step: "nowhere".into(),
        }];
        assert!(check(ArtifactType::Products, &r, &item, &[]).is_ok());
    }
}
