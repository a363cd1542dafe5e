//! PEP 440 versions (PyPI): parsing with the specification's normalisations and its total
//! ordering, so that ranges over PyPI versions order as `packaging.version` orders them.
//!
//! `[v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, case-insensitive, with the accepted
//! spellings (`alpha`, `beta`, `c`, `pre`, `preview`, `rev`, `r`, `-N` for a post-release,
//! `.`, `-`, `_` separators, implicit numbers).

use std::cmp::Ordering;

/// A local version label segment: numbers sort above strings, numbers numerically.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Local {
    Num(u64),
    Str(String),
}

impl Ord for Local {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Num(a), Self::Num(b)) => a.cmp(b),
            (Self::Str(a), Self::Str(b)) => a.cmp(b),
            (Self::Num(_), Self::Str(_)) => Ordering::Greater,
            (Self::Str(_), Self::Num(_)) => Ordering::Less,
        }
    }
}

impl PartialOrd for Local {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A parsed PEP 440 version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    epoch: u64,
    release: Vec<u64>,
    /// (0 = a, 1 = b, 2 = rc, number).
    pre: Option<(u8, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    local: Vec<Local>,
}

/// Digits at the start of `s`, and the rest.
fn number(s: &str) -> Option<(u64, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 {
        return None;
    }
    Some((s[..end].parse().ok()?, &s[end..]))
}

fn strip_sep(s: &str) -> &str {
    s.strip_prefix(['.', '-', '_']).unwrap_or(s)
}

/// A word at the start of `s` (letters), lower-cased, and the rest.
fn word(s: &str) -> (String, &str) {
    let end = s
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(s.len());
    (s[..end].to_ascii_lowercase(), &s[end..])
}

/// An optional number after an optional separator (`rc1`, `rc.1`, `rc-1`, `rc`).
fn implicit_number(s: &str) -> (u64, &str) {
    let after = strip_sep(s);
    match number(after) {
        Some((n, rest)) => (n, rest),
        None => (0, s),
    }
}

impl Version {
    /// Parse a version; `None` when it is not PEP 440.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let s = text.trim();
        let lower_v = s.strip_prefix(['v', 'V']).unwrap_or(s);
        let (public, local_text) = match lower_v.split_once('+') {
            Some((p, l)) => (p, Some(l)),
            None => (lower_v, None),
        };
        let (first, mut rest) = number(public)?;
        let mut epoch = 0;
        let mut release = vec![first];
        if let Some(r) = rest.strip_prefix('!') {
            epoch = first;
            let (n, r) = number(r)?;
            release = vec![n];
            rest = r;
        }
        while let Some(r) = rest.strip_prefix('.') {
            match number(r) {
                Some((n, r2)) => {
                    release.push(n);
                    rest = r2;
                }
                None => break,
            }
        }
        let mut v = Self {
            epoch,
            release,
            pre: None,
            post: None,
            dev: None,
            local: Vec::new(),
        };
        // Pre-release.
        let (w, after) = word(strip_sep(rest));
        let pre_kind = match w.as_str() {
            "a" | "alpha" => Some(0),
            "b" | "beta" => Some(1),
            "rc" | "c" | "pre" | "preview" => Some(2),
            _ => None,
        };
        if let Some(k) = pre_kind {
            let (n, r) = implicit_number(after);
            v.pre = Some((k, n));
            rest = r;
        }
        // Post-release: `.post1`, `-1`, `.r1`, `rev1`.
        if let Some(r) = rest.strip_prefix('-')
            && let Some((n, r2)) = number(r)
        {
            v.post = Some(n);
            rest = r2;
        } else {
            let (w, after) = word(strip_sep(rest));
            if matches!(w.as_str(), "post" | "rev" | "r") {
                let (n, r) = implicit_number(after);
                v.post = Some(n);
                rest = r;
            }
        }
        // Development release.
        let (w, after) = word(strip_sep(rest));
        if w == "dev" {
            let (n, r) = implicit_number(after);
            v.dev = Some(n);
            rest = r;
        }
        if !rest.is_empty() {
            return None;
        }
        if let Some(l) = local_text {
            if l.is_empty() {
                return None;
            }
            for part in l.split(['.', '-', '_']) {
                if part.is_empty() || !part.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return None;
                }
                v.local.push(match part.parse::<u64>() {
                    Ok(n) if part.chars().all(|c| c.is_ascii_digit()) => Local::Num(n),
                    _ => Local::Str(part.to_ascii_lowercase()),
                });
            }
        }
        Some(v)
    }

    /// The release without trailing zeros (1.0 == 1.0.0).
    fn release_key(&self) -> &[u64] {
        let mut end = self.release.len();
        while end > 1 && self.release[end - 1] == 0 {
            end -= 1;
        }
        &self.release[..end]
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        // As `packaging`: a dev release without pre or post sorts before any
        // pre-release of the same release; no pre-release sorts after every pre-release;
        // no post-release before any; no dev release after any.
        fn pre_key(v: &Version) -> (i8, u64) {
            match (v.pre, v.post, v.dev) {
                (None, None, Some(_)) => (-1, 0),
                (None, _, _) => (3, 0),
                (Some((k, n)), _, _) => (k as i8, n),
            }
        }
        fn post_key(v: &Version) -> (i8, u64) {
            v.post.map_or((-1, 0), |n| (0, n))
        }
        fn dev_key(v: &Version) -> (i8, u64) {
            v.dev.map_or((1, 0), |n| (0, n))
        }
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| {
                let (a, b) = (self.release_key(), other.release_key());
                let len = a.len().max(b.len());
                (0..len)
                    .map(|i| a.get(i).unwrap_or(&0).cmp(b.get(i).unwrap_or(&0)))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            })
            .then_with(|| pre_key(self).cmp(&pre_key(other)))
            .then_with(|| post_key(self).cmp(&post_key(other)))
            .then_with(|| dev_key(self).cmp(&dev_key(other)))
            .then_with(|| self.local.cmp(&other.local))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|| panic!("{s} parses"))
    }

    #[test]
    fn the_specifications_ordering_example() {
        // The order PEP 440 gives in its summary of permitted suffixes.
        let ordered = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        for w in ordered.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn normalisations() {
        for (a, b) in [
            ("1.0", "1.0.0"),
            ("v1.0", "1.0"),
            ("1.0ALPHA1", "1.0a1"),
            ("1.0-beta.2", "1.0b2"),
            ("1.0c1", "1.0rc1"),
            ("1.0preview", "1.0rc0"),
            ("1.0-1", "1.0.post1"),
            ("1.0.rev2", "1.0.post2"),
            ("1.0post", "1.0.post0"),
            ("1.0-dev", "1.0.dev0"),
            ("0!1.0", "1.0"),
        ] {
            assert_eq!(v(a).cmp(&v(b)), Ordering::Equal, "{a} == {b}");
        }
        assert!(v("1!0.1") > v("2.0"));
    }

    #[test]
    fn not_pep_440() {
        for s in ["", "abc", "1.0-", "1.0+", "1.0.x", "1..0", "1.0 beta"] {
            assert_eq!(Version::parse(s), None, "{s}");
        }
    }
}
