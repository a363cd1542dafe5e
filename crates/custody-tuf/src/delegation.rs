//! Delegations: which roles a targets role trusts for which target paths, either listed
//! one by one (with path patterns or path-hash prefixes) or as succinct hash bins (TAP 15).
//!
//! Path patterns follow the specification and python-tuf: the pattern and the target path
//! are split on `/` and must have the same number of parts; each part is matched like
//! Python's `fnmatch` (`*` any run of characters, `?` one character, `[...]` a class), so
//! `*` never crosses a `/`.

use crate::TufError;
use crate::keys::{KeySet, RoleKeys};
use crate::metadata::{Fields, TOP_LEVEL_ROLES};
use serde_json::Value;
use sha2::Digest as _;

/// A targets role's delegations.
#[derive(Debug, Clone)]
pub struct Delegations {
    /// Keys of the delegated roles, by declared ID.
    pub keys: KeySet,
    /// The delegated roles.
    pub roles: DelegatedRoles,
}

/// Delegated roles, listed or succinct.
#[derive(Debug, Clone)]
pub enum DelegatedRoles {
    /// Roles listed one by one, in priority order.
    Listed(Vec<DelegatedRole>),
    /// Hash bins (TAP 15).
    Succinct(SuccinctRoles),
}

/// One delegated role.
#[derive(Debug, Clone)]
pub struct DelegatedRole {
    /// Role name (any string; file names are percent-encoded).
    pub name: String,
    /// Key IDs and threshold.
    pub keys: RoleKeys,
    /// Whether the search stops here when this role is trusted for a target.
    pub terminating: bool,
    /// Which targets the role is trusted for.
    pub paths: PathSet,
}

/// Which target paths a delegated role is trusted for.
#[derive(Debug, Clone)]
pub enum PathSet {
    /// Path patterns.
    Patterns(Vec<String>),
    /// Prefixes of the hex SHA-256 of the target path.
    HashPrefixes(Vec<String>),
}

/// Succinct hash-bin delegation: `2^bit_length` roles named `<prefix>-<bin in hex>`.
#[derive(Debug, Clone)]
pub struct SuccinctRoles {
    /// Key IDs and threshold shared by every bin.
    pub keys: RoleKeys,
    /// Bits of the target path's SHA-256 that choose the bin (1 to 32).
    pub bit_length: u32,
    /// Prefix of every bin's name.
    pub name_prefix: String,
}

impl Delegations {
    pub(crate) fn from_fields(f: &mut Fields) -> Result<Self, TufError> {
        let keys = KeySet::from_json(f.object("keys")?, f)?;
        let listed = f.take_optional("roles");
        let succinct = f.take_optional("succinct_roles");
        let roles = match (listed, succinct) {
            (Some(Value::Array(items)), None) => {
                let mut roles: Vec<DelegatedRole> = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    let Value::Object(m) = item else {
                        return Err(f.error(format!("roles[{i}] is not an object")));
                    };
                    let mut rf = f.nested(m, format!("delegations.roles[{i}]"));
                    let role = DelegatedRole::from_fields(&mut rf)?;
                    if roles.iter().any(|r| r.name == role.name) {
                        return Err(f.error(format!("role {:?} is delegated twice", role.name)));
                    }
                    roles.push(role);
                }
                DelegatedRoles::Listed(roles)
            }
            (None, Some(Value::Object(m))) => {
                let mut sf = f.nested(m, "delegations.succinct_roles".to_owned());
                DelegatedRoles::Succinct(SuccinctRoles::from_fields(&mut sf)?)
            }
            (Some(_), Some(_)) => {
                return Err(f.error("\"roles\" and \"succinct_roles\" are mutually exclusive"));
            }
            (None, None) => return Err(f.error("needs \"roles\" or \"succinct_roles\"")),
            _ => return Err(f.error("\"roles\" must be an array, \"succinct_roles\" an object")),
        };
        Ok(Self { keys, roles })
    }

    /// The roles trusted for `target`, in search order, with their terminating flag.
    #[must_use]
    pub fn roles_for_target(&self, target: &str) -> Vec<(String, bool)> {
        match &self.roles {
            DelegatedRoles::Listed(roles) => roles
                .iter()
                .filter(|r| r.paths.matches(target))
                .map(|r| (r.name.clone(), r.terminating))
                .collect(),
            DelegatedRoles::Succinct(s) => vec![(s.role_for_target(target), false)],
        }
    }

    /// The key IDs and threshold of a delegated role, if this delegates to it.
    #[must_use]
    pub fn role_keys(&self, name: &str) -> Option<&RoleKeys> {
        match &self.roles {
            DelegatedRoles::Listed(roles) => roles.iter().find(|r| r.name == name).map(|r| &r.keys),
            DelegatedRoles::Succinct(s) => s.is_bin(name).then_some(&s.keys),
        }
    }
}

impl DelegatedRole {
    fn from_fields(f: &mut Fields) -> Result<Self, TufError> {
        let name = f.string("name")?;
        if TOP_LEVEL_ROLES.contains(&name.as_str()) {
            return Err(f.error(format!(
                "a delegated role cannot be named like a top-level role ({name:?})"
            )));
        }
        let keys = RoleKeys::from_fields(f)?;
        let terminating = match f.take("terminating")? {
            Value::Bool(b) => b,
            _ => return Err(f.error("\"terminating\" is not true or false")),
        };
        let strings = |v: Value, field: &str, f: &Fields| -> Result<Vec<String>, TufError> {
            match v {
                Value::Array(items) => items
                    .into_iter()
                    .map(|i| match i {
                        Value::String(s) => Ok(s),
                        _ => Err(f.error(format!("{field:?} holds a non-string"))),
                    })
                    .collect(),
                _ => Err(f.error(format!("{field:?} is not an array"))),
            }
        };
        let paths = match (
            f.take_optional("paths"),
            f.take_optional("path_hash_prefixes"),
        ) {
            (Some(p), None) => PathSet::Patterns(strings(p, "paths", f)?),
            (None, Some(p)) => PathSet::HashPrefixes(strings(p, "path_hash_prefixes", f)?),
            (Some(_), Some(_)) => {
                return Err(f.error("\"paths\" and \"path_hash_prefixes\" are mutually exclusive"));
            }
            (None, None) => return Err(f.error("needs \"paths\" or \"path_hash_prefixes\"")),
        };
        Ok(Self {
            name,
            keys,
            terminating,
            paths,
        })
    }
}

impl PathSet {
    /// Whether `target` is covered.
    #[must_use]
    pub fn matches(&self, target: &str) -> bool {
        match self {
            PathSet::Patterns(patterns) => patterns.iter().any(|p| path_matches(p, target)),
            PathSet::HashPrefixes(prefixes) => {
                let digest = hex::encode(sha2::Sha256::digest(target.as_bytes()));
                prefixes.iter().any(|p| digest.starts_with(p.as_str()))
            }
        }
    }
}

impl SuccinctRoles {
    fn from_fields(f: &mut Fields) -> Result<Self, TufError> {
        let keys = RoleKeys::from_fields(f)?;
        let bit_length = f.positive("bit_length")?;
        let bit_length = u32::try_from(bit_length)
            .ok()
            .filter(|b| (1..=32).contains(b))
            .ok_or_else(|| f.error("\"bit_length\" must be between 1 and 32"))?;
        let name_prefix = f.string("name_prefix")?;
        Ok(Self {
            keys,
            bit_length,
            name_prefix,
        })
    }

    /// Hex digits in a bin's name: enough for the largest bin number.
    fn suffix_len(&self) -> usize {
        let max = (1u64 << self.bit_length) - 1;
        format!("{max:x}").len()
    }

    /// The bin responsible for `target`: the first `bit_length` bits of its SHA-256.
    #[must_use]
    pub fn role_for_target(&self, target: &str) -> String {
        let digest = sha2::Sha256::digest(target.as_bytes());
        let first = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
        let bin = u64::from(first) >> (32 - self.bit_length);
        self.bin_name(bin)
    }

    /// The name of bin number `bin`.
    #[must_use]
    pub fn bin_name(&self, bin: u64) -> String {
        format!(
            "{}-{bin:0width$x}",
            self.name_prefix,
            width = self.suffix_len()
        )
    }

    /// Number of bins.
    #[must_use]
    pub fn bin_count(&self) -> u64 {
        1u64 << self.bit_length
    }

    /// Whether `name` is one of the bins.
    #[must_use]
    pub fn is_bin(&self, name: &str) -> bool {
        let Some(suffix) = name
            .strip_prefix(self.name_prefix.as_str())
            .and_then(|s| s.strip_prefix('-'))
        else {
            return false;
        };
        suffix.len() == self.suffix_len()
            && suffix
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && u64::from_str_radix(suffix, 16).is_ok_and(|n| n < self.bin_count())
    }
}

/// Whether `target` matches the delegation pattern `pattern`, part by part.
#[must_use]
pub fn path_matches(pattern: &str, target: &str) -> bool {
    let pattern_parts: Vec<&str> = pattern.split('/').collect();
    let target_parts: Vec<&str> = target.split('/').collect();
    pattern_parts.len() == target_parts.len()
        && pattern_parts
            .iter()
            .zip(&target_parts)
            .all(|(p, t)| fnmatch(p, t))
}

/// Python's `fnmatch.fnmatchcase` for one path part: `*`, `?`, `[seq]`, `[!seq]`; a `[`
/// without a closing `]` is a literal.
fn fnmatch(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with backtracking to the last `*`.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => match class(&p[pi..], t[ti]) {
                Some((len, true)) => Some(len),
                Some((_, false)) => None,
                None => (t[ti] == '[').then_some(1),
            },
            Some(&c) => (c == t[ti]).then_some(1),
            None => None,
        };
        match step {
            Some(len) => {
                pi += len;
                ti += 1;
            }
            None => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A `[...]` class at the start of `p`: its length in pattern characters and whether `c`
/// is in it; `None` when the class is not closed (then `[` is literal).
fn class(p: &[char], c: char) -> Option<(usize, bool)> {
    let mut i = 1;
    let negate = matches!(p.get(i), Some('!'));
    if negate {
        i += 1;
    }
    let start = i;
    let mut hit = false;
    loop {
        let &ch = p.get(i)?;
        if ch == ']' && i > start {
            return Some((i + 1, hit != negate));
        }
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&e| e != ']') {
            let end = p[i + 2];
            if ch <= c && c <= end {
                hit = true;
            }
            i += 3;
        } else {
            if ch == c {
                hit = true;
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_part_by_part() {
        assert!(path_matches("*", "file.txt"));
        assert!(!path_matches("*", "dir/file.txt"), "* does not cross /");
        assert!(path_matches("dir/*", "dir/file.txt"));
        assert!(path_matches("*/*.txt", "dir/file.txt"));
        assert!(!path_matches("dir/*", "dir/sub/file.txt"));
        assert!(path_matches("file?.tgz", "file1.tgz"));
        assert!(path_matches("v[0-9].[!a]", "v3.b"));
        assert!(!path_matches("v[0-9].[!a]", "v3.a"));
        assert!(path_matches("a[b", "a[b"), "unclosed [ is literal");
        assert!(path_matches("[]]x", "]x"), "] first in a class is literal");
        assert!(path_matches("**", "abc"));
        assert!(!path_matches("a*c", "abd"));
        assert!(path_matches("a*b*c", "axxbyyc"));
        assert!(path_matches("", ""));
    }

    #[test]
    fn hash_bins_are_named_and_found() {
        let s = SuccinctRoles {
            keys: RoleKeys {
                keyids: vec![],
                threshold: 1,
            },
            bit_length: 8,
            name_prefix: "bins".into(),
        };
        assert_eq!(s.bin_name(0), "bins-00");
        assert_eq!(s.bin_name(255), "bins-ff");
        assert!(s.is_bin("bins-0a"));
        assert!(!s.is_bin("bins-100") && !s.is_bin("bins-0A") && !s.is_bin("bins-a"));
        // sha256("a") = ca978112…: the first byte picks the bin.
        assert_eq!(s.role_for_target("a"), "bins-ca");
        let one = SuccinctRoles {
            bit_length: 1,
            ..s.clone()
        };
        assert_eq!(one.role_for_target("a"), "bins-1");
        let odd = SuccinctRoles { bit_length: 5, ..s };
        assert_eq!(odd.bin_name(31), "bins-1f");
        assert_eq!(odd.role_for_target("a"), "bins-19"); // 0xca >> 3
    }
}
