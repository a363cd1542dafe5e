//! Exclude patterns for artifact recording, with the semantics python in-toto gets from
//! pathspec's `GitIgnoreSpec`: gitignore syntax, matched against the normalised path
//! relative to the base directory (argument prefix included), and git's priority rule
//! between file and directory matches.
//!
//! Each pattern becomes an anchored regular expression over `/`-separated paths. A match
//! "through the directory marker" (the path lies below what the pattern names) has
//! priority 1, a match of the path itself priority 2; walking the patterns in order, a
//! later match replaces the current verdict when its priority is at least as high, and an
//! excluding match through the directory marker always does.

use regex::Regex;

/// Patterns python in-toto excludes when none are given.
pub const DEFAULT_EXCLUDES: [&str; 4] = ["*.link*", ".git", "*.pyc", "*~"];

/// An invalid pattern.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid exclude pattern {pattern:?}: {reason}")]
pub struct PatternError {
    /// The pattern as given.
    pub pattern: String,
    /// What is wrong with it.
    pub reason: String,
}

#[derive(Debug, Clone)]
struct Pattern {
    regex: Regex,
    /// `true`: matching paths are excluded; `false`: a `!` pattern re-includes them.
    excludes: bool,
}

/// A compiled list of exclude patterns.
#[derive(Debug, Clone, Default)]
pub struct ExcludeSet {
    patterns: Vec<Pattern>,
}

impl ExcludeSet {
    /// Compile patterns in order. Blank lines, comments (`#…`), a lone `/` and patterns
    /// with an unclosed `[` are no-ops, as in git.
    ///
    /// # Errors
    /// [`PatternError`] for a pattern that is nothing but `!`, ends in a lone `\`, or does
    /// not compile.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Self, PatternError> {
        let mut out = Vec::new();
        for p in patterns {
            let p = p.as_ref();
            if let Some((regex, excludes)) = translate(p)? {
                let regex = Regex::new(&regex).map_err(|e| PatternError {
                    pattern: p.to_owned(),
                    reason: e.to_string(),
                })?;
                out.push(Pattern { regex, excludes });
            }
        }
        Ok(Self { patterns: out })
    }

    /// The defaults of python in-toto.
    #[must_use]
    pub fn defaults() -> Self {
        Self::new(&DEFAULT_EXCLUDES).unwrap_or_default()
    }

    /// Whether `path` (normalised, `/`-separated, relative to the base) is excluded.
    #[must_use]
    pub fn is_excluded(&self, path: &str) -> bool {
        let path = path
            .strip_prefix("./")
            .or_else(|| path.strip_prefix('/'))
            .unwrap_or(path);
        let mut verdict: Option<bool> = None;
        let mut priority = 0u8;
        for p in &self.patterns {
            let Some(caps) = p.regex.captures(path) else {
                continue;
            };
            let through_dir = caps.name("d").is_some();
            let this = if through_dir { 1 } else { 2 };
            if (p.excludes && through_dir) || this >= priority {
                verdict = Some(p.excludes);
                priority = this;
            }
        }
        verdict.unwrap_or(false)
    }
}

const DIR_MARK: &str = "(?P<d>/)";
const DIR_MARK_OPT: &str = "(?:(?P<d>/)|$)";

/// Translate one gitignore pattern into a regex and whether it excludes; `None` for
/// no-op patterns.
fn translate(original: &str) -> Result<Option<(String, bool)>, PatternError> {
    let err = |reason: &str| PatternError {
        pattern: original.to_owned(),
        reason: reason.to_owned(),
    };
    // Trailing whitespace is dropped unless escaped with a backslash.
    let pattern = if original.ends_with("\\ ") {
        original
    } else {
        original.trim_end()
    };
    if pattern.is_empty() || pattern.starts_with('#') || pattern == "/" {
        return Ok(None);
    }
    let (excludes, body) = match pattern.strip_prefix('!') {
        Some(rest) => (false, rest),
        None => (true, pattern),
    };
    let mut segs: Vec<&str> = body.split('/').collect();
    let is_dir_pattern = segs.last().is_some_and(|s| s.is_empty());
    if segs.first().is_some_and(|s| s.is_empty()) {
        segs.remove(0);
    } else if (segs.len() == 1 || (segs.len() == 2 && segs[1].is_empty())) && segs[0] != "**" {
        segs.insert(0, "**");
    }
    if segs.is_empty() {
        return Err(err("it matches nothing"));
    }
    if let Some(last) = segs.last_mut()
        && last.is_empty()
    {
        *last = "**";
    }
    segs.dedup_by(|b, a| *a == "**" && *b == "**");
    let whole = |r: &str| Ok(Some((r.to_owned(), excludes)));
    match segs.as_slice() {
        ["**"] => return whole(if is_dir_pattern { DIR_MARK } else { "." }),
        ["**", "*"] => return whole("."),
        ["**", "*", "**"] => return whole(if is_dir_pattern { DIR_MARK } else { "/" }),
        _ => {}
    }
    let mut out = String::new();
    let mut need_slash = false;
    let end = segs.len() - 1;
    for (i, seg) in segs.iter().enumerate() {
        if *seg == "**" {
            if i == 0 {
                out.push_str("^(?:.+/)?");
            } else if i < end {
                out.push_str("(?:/.+)?");
                need_slash = true;
            } else {
                out.push_str(if is_dir_pattern { DIR_MARK } else { "/" });
            }
            continue;
        }
        if i == 0 {
            out.push('^');
        }
        if need_slash {
            out.push('/');
        }
        if *seg == "*" {
            out.push_str("[^/]+");
        } else {
            match translate_glob(seg) {
                Glob::Regex(r) => out.push_str(&r),
                // git drops patterns with an unclosed bracket expression.
                Glob::UnclosedBracket => return Ok(None),
                Glob::TrailingEscape => return Err(err("it ends with a lone backslash")),
            }
        }
        if i == end {
            out.push_str(DIR_MARK_OPT);
        }
        need_slash = true;
    }
    Ok(Some((out, excludes)))
}

enum Glob {
    Regex(String),
    UnclosedBracket,
    TrailingEscape,
}

/// One path segment's glob (`*`, `?`, `[...]`, `\x`) as a regex.
fn translate_glob(seg: &str) -> Glob {
    let chars: Vec<char> = seg.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\\' => match chars.get(i) {
                Some(next) => {
                    out.push_str(&regex::escape(&next.to_string()));
                    i += 1;
                }
                None => return Glob::TrailingEscape,
            },
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '[' => {
                let mut j = i;
                if j < chars.len() && (chars[j] == '!' || chars[j] == '^') {
                    j += 1;
                }
                if j < chars.len() && chars[j] == ']' {
                    j += 1;
                }
                while j < chars.len() && chars[j] != ']' {
                    j += 1;
                }
                if j >= chars.len() {
                    return Glob::UnclosedBracket;
                }
                out.push('[');
                let mut k = i;
                if chars[k] == '!' || chars[k] == '^' {
                    out.push('^');
                    k += 1;
                }
                // Inside the class: backslashes and the characters the `regex` crate
                // treats specially in classes (`[`, `&`, `~`, `-` runs) are escaped,
                // except a `-` between two characters, which stays a range.
                for (n, &ch) in chars[k..j].iter().enumerate() {
                    let is_range = ch == '-' && n > 0 && k + n + 1 < j;
                    match ch {
                        '-' if is_range => out.push('-'),
                        '\\' | '[' | '&' | '~' | '-' | ']' => {
                            out.push('\\');
                            out.push(ch);
                        }
                        _ => out.push(ch),
                    }
                }
                out.push(']');
                i = j + 1;
            }
            c => out.push_str(&regex::escape(&c.to_string())),
        }
    }
    Glob::Regex(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(p: &[&str]) -> ExcludeSet {
        ExcludeSet::new(p).expect("valid patterns")
    }

    #[test]
    fn regexes_match_pathspec() {
        let cases = [
            ("*.link*", "^(?:.+/)?[^/]*\\.link[^/]*(?:(?P<d>/)|$)"),
            (".git", "^(?:.+/)?\\.git(?:(?P<d>/)|$)"),
            ("dir/", "^(?:.+/)?dir(?P<d>/)"),
            ("/foo", "^foo(?:(?P<d>/)|$)"),
            ("a/b", "^a/b(?:(?P<d>/)|$)"),
            ("a/*", "^a/[^/]+(?:(?P<d>/)|$)"),
            ("**/a", "^(?:.+/)?a(?:(?P<d>/)|$)"),
            ("a/**", "^a/"),
            ("a/**/b", "^a(?:/.+)?/b(?:(?P<d>/)|$)"),
            ("*", "."),
            ("**", "."),
            ("a?c", "^(?:.+/)?a[^/]c(?:(?P<d>/)|$)"),
        ];
        for (pattern, regex) in cases {
            assert_eq!(
                translate(pattern).expect("valid").map(|r| r.0).as_deref(),
                Some(regex),
                "{pattern}"
            );
        }
        for noop in ["", "   ", "#comment", "/", "a[bc"] {
            assert_eq!(translate(noop).expect("valid"), None, "{noop:?}");
        }
        assert!(translate("!").is_err());
        assert!(translate("a\\").is_err());
    }

    #[test]
    fn defaults_exclude_links_git_and_editor_files() {
        let d = ExcludeSet::defaults();
        for p in [
            "x.link",
            "dir/.step.abcd1234.link-unfinished",
            ".git",
            "a/.git/config",
            "m.pyc",
            "f~",
            "a.link.bak/x",
        ] {
            assert!(d.is_excluded(p), "{p}");
        }
        for p in ["src/main.rs", "gitignore", "linker.c", "./keep"] {
            assert!(!d.is_excluded(p), "{p}");
        }
    }

    #[test]
    fn anchoring_and_priority_follow_gitignore_spec() {
        assert!(
            !set(&["sub/*.txt"]).is_excluded("dir/sub/b.txt"),
            "a middle slash anchors"
        );
        assert!(set(&["sub/*.txt"]).is_excluded("sub/b.txt"));
        let s = set(&["*.txt", "!a.txt"]);
        assert!(!s.is_excluded("dir/a.txt"));
        assert!(s.is_excluded("top.txt"));
        assert!(
            set(&["!a.txt", "*.txt"]).is_excluded("a.txt"),
            "last match wins"
        );
        // `dir` matches the directory itself (pruned); `dir/` only what is below it.
        assert!(set(&["dir", "!dir/a.txt"]).is_excluded("dir"));
        assert!(!set(&["dir/", "!dir/a.txt"]).is_excluded("dir"));
        assert!(!set(&["dir/", "!dir/a.txt"]).is_excluded("dir/a.txt"));
        assert!(set(&["dir/", "!dir/a.txt"]).is_excluded("dir/b.txt"));
        assert!(set(&["A.TXT"]).is_excluded("A.TXT") && !set(&["A.TXT"]).is_excluded("a.txt"));
        assert!(set(&["[!a]b"]).is_excluded("cb") && !set(&["[!a]b"]).is_excluded("ab"));
        assert!(set(&["[a-c]x"]).is_excluded("bx") && !set(&["[a-c]x"]).is_excluded("dx"));
        assert!(set(&["\\#x"]).is_excluded("#x"));
        assert!(set(&["trail\\ "]).is_excluded("trail "));
        assert!(
            set(&["/abs"]).is_excluded("/abs"),
            "one leading slash is stripped from paths"
        );
    }
}
