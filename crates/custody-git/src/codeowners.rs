//! CODEOWNERS with GitHub's semantics (SRC-4): who owns which paths, so that a change to
//! a path needs an approval from one of its owners.
//!
//! The file is read from `.github/CODEOWNERS`, else `CODEOWNERS`, else `docs/CODEOWNERS`.
//! Each line is a gitignore-style pattern followed by owners; the *last* matching line
//! wins, and a line without owners makes its paths unowned. As on GitHub, `!` negation
//! and `[ ]` ranges are not supported (they are errors here rather than silently never
//! matching). Owners are `@name` (a person of the policy by name) or an email address.

/// Where CODEOWNERS may live, in the order GitHub looks.
pub const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// The CODEOWNERS file of a work tree, where GitHub would look: its location and text.
#[must_use]
pub fn find_in_work_tree(root: &std::path::Path) -> Option<(&'static str, String)> {
    LOCATIONS
        .iter()
        .find_map(|l| std::fs::read_to_string(root.join(l)).ok().map(|t| (*l, t)))
}

/// One rule of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerRule {
    /// 1-based line number.
    pub line: usize,
    /// The pattern as written.
    pub pattern: String,
    /// Owners as written (`@name` or an email).
    pub owners: Vec<String>,
    matcher: Matcher,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Matcher {
    /// Path components of the pattern (`**` kept as a component).
    parts: Vec<String>,
    /// Matches at any depth (no `/` except a trailing one).
    floating: bool,
    /// Matches only directories (trailing `/`): everything under them.
    directory: bool,
}

/// A line that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// A parsed CODEOWNERS file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeOwners {
    /// The rules, in file order.
    pub rules: Vec<OwnerRule>,
}

/// The longest file custody reads (GitHub's limit is 3 MB).
pub const MAX_LEN: usize = 3 * 1024 * 1024;

impl CodeOwners {
    /// Parse the file; lines that cannot be used are returned as errors (and left out).
    #[must_use]
    pub fn parse(text: &str) -> (Self, Vec<LineError>) {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        if text.len() > MAX_LEN {
            errors.push(LineError {
                line: 0,
                message: format!("the file is larger than {MAX_LEN} bytes"),
            });
            return (Self { rules }, errors);
        }
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let content = strip_comment(raw);
            let mut words = split_words(&content);
            if words.is_empty() {
                continue;
            }
            let pattern = words.remove(0);
            let error = |message: String| LineError { line, message };
            if pattern.starts_with('!') {
                errors.push(error(format!(
                    "{pattern}: negation (!) is not supported in CODEOWNERS"
                )));
                continue;
            }
            if pattern.contains('[') || pattern.contains(']') {
                errors.push(error(format!(
                    "{pattern}: character ranges ([ ]) are not supported in CODEOWNERS"
                )));
                continue;
            }
            let mut bad_owner = false;
            for owner in &words {
                let valid = match owner.strip_prefix('@') {
                    Some(name) => !name.is_empty(),
                    None => owner.contains('@') && !owner.starts_with('@'),
                };
                if !valid {
                    errors.push(error(format!(
                        "owner {owner:?} is neither @name nor an email address"
                    )));
                    bad_owner = true;
                }
            }
            if bad_owner {
                continue;
            }
            rules.push(OwnerRule {
                line,
                matcher: Matcher::new(&pattern),
                pattern,
                owners: words,
            });
        }
        (Self { rules }, errors)
    }

    /// The rule deciding `path` (`/`-separated, relative to the root): the last one that
    /// matches. `None`: no rule matches. A rule with no owners un-owns the path.
    #[must_use]
    pub fn rule_for(&self, path: &str) -> Option<&OwnerRule> {
        self.rules.iter().rev().find(|r| r.matcher.matches(path))
    }

    /// The owners of `path` (empty: unowned).
    #[must_use]
    pub fn owners_of(&self, path: &str) -> &[String] {
        self.rule_for(path).map_or(&[], |r| r.owners.as_slice())
    }
}

/// What is wrong with a CODEOWNERS file against a policy and a tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validation {
    /// Lines that cannot be used.
    pub errors: Vec<LineError>,
    /// Owners no person of the policy matches (`@name` by name, emails by address), with
    /// the line they are on.
    pub unknown_owners: Vec<(usize, String)>,
    /// Files no rule gives an owner.
    pub unowned: Vec<String>,
    /// Files checked.
    pub files: usize,
}

impl Validation {
    /// Errors and unknown owners: the file does not say what it means to.
    #[must_use]
    pub fn is_broken(&self) -> bool {
        !self.errors.is_empty() || !self.unknown_owners.is_empty()
    }
}

/// Check a CODEOWNERS file: its syntax, its owners against the policy's people, and which
/// of `files` it leaves unowned.
#[must_use]
pub fn validate(
    text: &str,
    policy: Option<&crate::policy::Policy>,
    files: &[String],
) -> Validation {
    let (owners, errors) = CodeOwners::parse(text);
    let mut unknown_owners = Vec::new();
    if let Some(policy) = policy {
        for rule in &owners.rules {
            for owner in &rule.owners {
                let known = policy.people.iter().any(|p| is_owner(owner, p));
                if !known {
                    unknown_owners.push((rule.line, owner.clone()));
                }
            }
        }
    }
    let unowned = files
        .iter()
        .filter(|f| owners.owners_of(f).is_empty())
        .cloned()
        .collect();
    Validation {
        errors,
        unknown_owners,
        unowned,
        files: files.len(),
    }
}

/// Whether a CODEOWNERS owner (`@name`, or an email address) is this person of the policy.
#[must_use]
pub fn is_owner(owner: &str, person: &crate::policy::Person) -> bool {
    match owner.strip_prefix('@') {
        Some(handle) => person.name.eq_ignore_ascii_case(handle),
        None => person.emails.iter().any(|e| e.eq_ignore_ascii_case(owner)),
    }
}

/// A `#` starts a comment unless escaped as `\#`.
fn strip_comment(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'#') => {
                out.push('#');
                chars.next();
            }
            '#' => break,
            _ => out.push(c),
        }
    }
    out
}

/// Words separated by whitespace; `\ ` keeps a space inside the pattern.
fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&' ') {
            current.push(' ');
            chars.next();
        } else if c.is_whitespace() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

impl Matcher {
    fn new(pattern: &str) -> Self {
        let directory = pattern.ends_with('/');
        let trimmed = pattern.trim_end_matches('/');
        let anchored = trimmed.starts_with('/');
        let body = trimmed.trim_start_matches('/');
        let floating = !anchored && !body.contains('/');
        let mut parts: Vec<String> = Vec::new();
        for part in body.split('/') {
            if part == "**" && parts.last().is_some_and(|l| l == "**") {
                continue; // `**/**` means the same as `**`
            }
            parts.push(part.to_owned());
        }
        Self {
            parts,
            floating,
            directory,
        }
    }

    fn matches(&self, path: &str) -> bool {
        let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        if self.parts.len() == 1 && self.parts[0] == "*" && !self.directory {
            return true; // `*` alone owns everything
        }
        let starts: Vec<usize> = if self.floating {
            (0..comps.len()).collect()
        } else {
            vec![0]
        };
        starts.into_iter().any(|start| {
            let rest = &comps[start..];
            // A pattern naming a directory (or anything) owns what is under it; `dir/*`
            // owns only the files directly in `dir`.
            (0..=rest.len()).any(|end| {
                let prefix = &rest[..end];
                let matched = crate::pattern::match_parts(&self.parts, prefix);
                matched
                    && (end < rest.len() || !self.directory)
                    && (end == rest.len() || self.parts.last().is_none_or(|l| l != "*"))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners(file: &str, path: &str) -> Vec<String> {
        let (co, errors) = CodeOwners::parse(file);
        assert!(errors.is_empty(), "{errors:?}");
        co.owners_of(path).to_vec()
    }

    #[test]
    fn github_documentation_examples() {
        // The examples of GitHub's CODEOWNERS documentation, one behaviour each.
        let file = "\
# default owners
*       @global
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
";
        assert_eq!(owners(file, "README.md"), ["@global"]);
        assert_eq!(owners(file, "src/app.js"), ["@js-owner"]);
        assert_eq!(owners(file, "main.go"), ["docs@example.com"]);
        assert_eq!(owners(file, "build/logs/out.txt"), ["@octocat"]); // **/logs comes later
        assert_eq!(owners(file, "docs/getting-started.md"), ["@doctocat"]);
        assert_eq!(owners(file, "scripts/x.sh"), ["@doctocat", "@octocat"]);
        assert_eq!(owners(file, "deep/logs/x"), ["@octocat"]);
        assert_eq!(owners(file, "apps/web/index.html"), ["@octocat"]);
        // The last line has no owners: apps/github is unowned.
        assert!(owners(file, "apps/github/x.rb").is_empty());
    }

    #[test]
    fn dir_star_owns_only_direct_children() {
        let file = "docs/* @a\n";
        assert_eq!(owners(file, "docs/x.md"), ["@a"]);
        assert!(owners(file, "docs/sub/x.md").is_empty());
        assert_eq!(owners("src/ @b\n", "src/a/b/c.rs"), ["@b"]);
        assert_eq!(owners("/src/*.rs @c\n", "src/lib.rs"), ["@c"]);
        assert!(owners("/src/*.rs @c\n", "x/src/lib.rs").is_empty());
        assert_eq!(owners("lib.rs @d\n", "a/b/lib.rs"), ["@d"]);
        assert_eq!(owners("a/**/z @e\n", "a/z"), ["@e"]);
        assert_eq!(owners("a/**/z @e\n", "a/b/c/z"), ["@e"]);
        assert_eq!(owners("file?.txt @f\n", "file1.txt"), ["@f"]);
        assert_eq!(owners("with\\ space @g\n", "with space"), ["@g"]);
        assert_eq!(owners("\\#hash @h\n", "#hash"), ["@h"]);
    }

    #[test]
    fn unsupported_syntax_and_bad_owners_are_errors_with_lines() {
        let (co, errors) = CodeOwners::parse("!x @a\n[ab].txt @a\nsrc/ team\nok @a\n");
        assert_eq!(co.rules.len(), 1);
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 2, 3]);
        assert!(errors[2].message.contains("neither @name nor an email"));
    }
}
