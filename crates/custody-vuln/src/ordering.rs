//! Version orderings of ecosystems whose versions are not SemVer: Debian's (dpkg's
//! comparison, for OSV `Debian`/`Ubuntu` ranges and dpkg status files), RubyGems'
//! (`Gem::Version`) and Maven's (`ComparableVersion`, as the POM reference specifies it).

use std::cmp::Ordering;

/// A Debian package version, `[epoch:]upstream[-revision]`, ordered as dpkg orders it.
#[derive(Debug, Clone)]
pub struct DebianVersion {
    epoch: u64,
    upstream: String,
    revision: String,
}

impl DebianVersion {
    /// Parse a version as dpkg reads it; `None` for an empty upstream part, a bad epoch, or
    /// characters dpkg does not allow.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let (epoch, rest) = match t.split_once(':') {
            Some((e, r)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => {
                (e.parse().ok()?, r)
            }
            Some(_) => return None,
            None => (0, t),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((u, r)) => (u, r),
            None => (rest, ""),
        };
        let allowed = |s: &str, extra: &[u8]| {
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"~+.".contains(&b) || extra.contains(&b))
        };
        if upstream.is_empty()
            || !upstream.starts_with(|c: char| c.is_ascii_digit())
            || !allowed(upstream, b"-:")
            || !allowed(revision, b"")
            || (rest.contains('-') && revision.is_empty())
        {
            return None;
        }
        Some(Self {
            epoch,
            upstream: upstream.to_owned(),
            revision: revision.to_owned(),
        })
    }
}

/// dpkg's weight of a character in the non-digit parts: `~` before everything (even the
/// end), then the end, then letters, then everything else.
fn deb_order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`: alternating non-digit and digit parts.
fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let (ac, bc) = (deb_order(a.get(i).copied()), deb_order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while i < a.len() && j < b.len() && a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if i < a.len() && a[i].is_ascii_digit() {
            return Ordering::Greater;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

impl Ord for DebianVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(&self.upstream, &other.upstream))
            .then_with(|| verrevcmp(&self.revision, &other.revision))
    }
}

impl PartialOrd for DebianVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DebianVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DebianVersion {}

/// One segment of a gem version.
#[derive(Debug, Clone, PartialEq, Eq)]
enum GemSegment {
    Number(u128),
    Text(String),
}

/// A RubyGems version, ordered as `Gem::Version#<=>`: segments of digits and of letters,
/// a `-` meaning `.pre.`, trailing zeros of the release and of the pre-release part not
/// counting, a letter segment (pre-release) before any number.
#[derive(Debug, Clone)]
pub struct GemVersion {
    segments: Vec<GemSegment>,
}

impl GemVersion {
    /// Parse a version as `Gem::Version.new` accepts it (empty means `0`).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let t = if t.is_empty() { "0" } else { t };
        // Gem::Version's pattern: digits, then `.`-separated alphanumerics, then an
        // optional `-` part of alphanumerics, `-` and `.`.
        let (release, pre) = match t.split_once('-') {
            Some((r, p)) => (r, Some(p)),
            None => (t, None),
        };
        let mut parts = release.split('.');
        let first = parts.next()?;
        if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric())) {
            return None;
        }
        if let Some(p) = pre
            && (p.is_empty()
                || p.split('.').any(|s| {
                    s.is_empty() || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                }))
        {
            return None;
        }
        let text = t.replace('-', ".pre.");
        let mut segments = Vec::new();
        let bytes = text.as_bytes();
        let mut k = 0;
        while k < bytes.len() {
            let start = k;
            if bytes[k].is_ascii_digit() {
                while k < bytes.len() && bytes[k].is_ascii_digit() {
                    k += 1;
                }
                segments.push(GemSegment::Number(text[start..k].parse().ok()?));
            } else if bytes[k].is_ascii_alphabetic() {
                while k < bytes.len() && bytes[k].is_ascii_alphabetic() {
                    k += 1;
                }
                segments.push(GemSegment::Text(text[start..k].to_owned()));
            } else {
                k += 1;
            }
        }
        // canonical_segments: trailing zeros dropped from the release and from the
        // pre-release part.
        let split = segments
            .iter()
            .position(|s| matches!(s, GemSegment::Text(_)))
            .unwrap_or(segments.len());
        let (mut numeric, mut rest) = (segments[..split].to_vec(), segments[split..].to_vec());
        while numeric.last() == Some(&GemSegment::Number(0)) {
            numeric.pop();
        }
        while rest.last() == Some(&GemSegment::Number(0)) {
            rest.pop();
        }
        numeric.extend(rest);
        Some(Self { segments: numeric })
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = GemSegment::Number(0);
        let n = self.segments.len().max(other.segments.len());
        for k in 0..n {
            let l = self.segments.get(k).unwrap_or(&zero);
            let r = other.segments.get(k).unwrap_or(&zero);
            let o = match (l, r) {
                (GemSegment::Number(a), GemSegment::Number(b)) => a.cmp(b),
                (GemSegment::Text(a), GemSegment::Text(b)) => a.cmp(b),
                (GemSegment::Text(_), GemSegment::Number(_)) => Ordering::Less,
                (GemSegment::Number(_), GemSegment::Text(_)) => Ordering::Greater,
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GemVersion {}

/// A Maven qualifier's place: the known ones in order, then any other, alphabetically.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Qualifier {
    Alpha,
    Beta,
    Milestone,
    /// `rc` and `cr`.
    Rc,
    Snapshot,
    /// The release itself: `""`, `ga`, `final`, `release`.
    Release,
    Sp,
    Other(String),
}

impl Qualifier {
    /// `followed_by_digit`: `a`, `b` and `m` directly followed by a number are `alpha`,
    /// `beta` and `milestone`.
    fn of(text: &str, followed_by_digit: bool) -> Self {
        match text {
            "alpha" => Self::Alpha,
            "a" if followed_by_digit => Self::Alpha,
            "beta" => Self::Beta,
            "b" if followed_by_digit => Self::Beta,
            "milestone" => Self::Milestone,
            "m" if followed_by_digit => Self::Milestone,
            "rc" | "cr" => Self::Rc,
            "snapshot" => Self::Snapshot,
            "" | "ga" | "final" | "release" => Self::Release,
            "sp" => Self::Sp,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// One token of a Maven version with the separator before it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MavenToken {
    /// A number (digits without leading zeros; empty is zero), after a `.` (`dot`) or a
    /// `-` (or a transition between digits and letters).
    Number { dot: bool, digits: String },
    /// A qualifier (the separator does not count for qualifiers).
    Qualifier(Qualifier),
}

impl MavenToken {
    fn is_null(&self) -> bool {
        match self {
            Self::Number { digits, .. } => digits.is_empty(),
            Self::Qualifier(q) => *q == Qualifier::Release,
        }
    }

    /// `.qualifier` = `-qualifier` < `-number` < `.number`.
    fn rank(&self) -> u8 {
        match self {
            Self::Qualifier(_) => 0,
            Self::Number { dot: false, .. } => 1,
            Self::Number { dot: true, .. } => 2,
        }
    }

    /// The null value a missing token of the shorter version counts as, against `other`:
    /// `0` after a `.`, the release qualifier after a `-`.
    fn null_like(other: &Self) -> Self {
        match other {
            Self::Number { dot: true, .. } => Self::Number {
                dot: true,
                digits: String::new(),
            },
            _ => Self::Qualifier(Qualifier::Release),
        }
    }
}

impl Ord for MavenToken {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Number { digits: a, .. }, Self::Number { digits: b, .. })
                if self.rank() == other.rank() =>
            {
                a.len().cmp(&b.len()).then_with(|| a.cmp(b))
            }
            (Self::Qualifier(a), Self::Qualifier(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for MavenToken {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A Maven version, ordered as Maven's `ComparableVersion` (the POM reference's version
/// order specification): tokens split at `.`, `-` and transitions between digits and
/// letters (a transition counts as `-`), empty tokens `0`, case ignored; trailing null
/// tokens (`0`, `ga`, `final`, `release`, empty) dropped from each `-` part; then
/// compared token by token, the shorter padded with nulls, numbers by value, qualifiers
/// `alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < release < `sp` < others
/// (alphabetically), and `.qualifier` < `-number` < `.number`.
#[derive(Debug, Clone)]
pub struct MavenVersion {
    tokens: Vec<MavenToken>,
}

impl MavenVersion {
    /// Parse a version as Maven does (any text is a version); `None` only for empty
    /// text or text with spaces or control characters, which no Maven version has.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_lowercase();
        if t.is_empty() || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        // (separator is a dot, text, followed directly by a digit)
        let mut raw: Vec<(bool, String, bool)> = Vec::new();
        let mut current = String::new();
        let mut dot = true;
        let chars: Vec<char> = t.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            match c {
                '.' | '-' => {
                    raw.push((dot, std::mem::take(&mut current), false));
                    dot = c == '.';
                }
                _ => {
                    let transition = i > 0
                        && !current.is_empty()
                        && chars[i - 1].is_ascii_digit() != c.is_ascii_digit();
                    if transition {
                        let followed_by_digit = c.is_ascii_digit();
                        raw.push((dot, std::mem::take(&mut current), followed_by_digit));
                        dot = false;
                    }
                    current.push(c);
                }
            }
        }
        raw.push((dot, current, false));
        // Tokens grouped into `-` parts (the first part starts the version).
        let mut parts: Vec<Vec<MavenToken>> = vec![Vec::new()];
        for (k, (dot, text, followed_by_digit)) in raw.into_iter().enumerate() {
            let token = if text.is_empty() || text.bytes().all(|b| b.is_ascii_digit()) {
                MavenToken::Number {
                    dot,
                    digits: text.trim_start_matches('0').to_owned(),
                }
            } else {
                MavenToken::Qualifier(Qualifier::of(&text, followed_by_digit))
            };
            if !dot && k > 0 {
                parts.push(Vec::new());
            }
            if let Some(part) = parts.last_mut() {
                part.push(token);
            }
        }
        let mut tokens = Vec::new();
        for mut part in parts {
            while part.last().is_some_and(MavenToken::is_null) {
                part.pop();
            }
            tokens.extend(part);
        }
        Some(Self { tokens })
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.tokens.len().max(other.tokens.len());
        for k in 0..n {
            let o = match (self.tokens.get(k), other.tokens.get(k)) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(a), None) => a.cmp(&MavenToken::null_like(a)),
                (None, Some(b)) => MavenToken::null_like(b).cmp(b),
                (None, None) => Ordering::Equal,
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}

/// A Packagist (Composer) version, ordered as Composer orders it: normalised as
/// Composer's `VersionParser` does (a leading `v` dropped, the numeric release padded to
/// four parts, `1.2` = `1.2.0.0`), then compared with PHP's `version_compare`: `-`, `_`
/// and `+` separate parts like `.`, a change between digits and letters starts a new
/// part, and a letter part ranks `dev` < `alpha` = `a` < `beta` = `b` < `RC` = `rc` < a
/// number < `pl` = `p` (anything else below `dev`), each matched by prefix.
#[derive(Debug, Clone)]
pub struct PackagistVersion {
    parts: Vec<PhpPart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PhpPart {
    Number(u64),
    Word(String),
}

impl PackagistVersion {
    /// Parse a version; `None` for text that is no version (empty, or a part that is
    /// neither a number nor letters).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        if t.is_empty() || !t.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        // Composer's normal form: four release numbers, then the rest.
        let release_end = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (release, rest) = t.split_at(release_end);
        let release = release.trim_end_matches('.');
        let mut numbers: Vec<&str> = release.split('.').collect();
        if numbers.iter().any(|n| n.is_empty()) || numbers.len() > 4 {
            return None;
        }
        while numbers.len() < 4 {
            numbers.push("0");
        }
        let normal = format!("{}{rest}", numbers.join("."));
        Some(Self {
            parts: php_parts(&normal)?,
        })
    }
}

/// PHP's canonical version parts: `-`, `_`, `+` and other non-alphanumerics separate,
/// as does a change between digits and non-digits.
fn php_parts(text: &str) -> Option<Vec<PhpPart>> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, parts: &mut Vec<PhpPart>| -> Option<()> {
        if current.is_empty() {
            return Some(());
        }
        let part = if current.bytes().all(|b| b.is_ascii_digit()) {
            // PHP's strtol saturates; a number this long is no real version.
            PhpPart::Number(current.parse().ok()?)
        } else {
            PhpPart::Word(std::mem::take(current))
        };
        current.clear();
        parts.push(part);
        Some(())
    };
    for ch in text.chars() {
        if !ch.is_ascii_alphanumeric() {
            flush(&mut current, &mut parts)?;
            continue;
        }
        if let Some(last) = current.chars().last()
            && last.is_ascii_digit() != ch.is_ascii_digit()
        {
            flush(&mut current, &mut parts)?;
        }
        current.push(ch);
    }
    flush(&mut current, &mut parts)?;
    (!parts.is_empty()).then_some(parts)
}

/// PHP's rank of a word part, by prefix; a number ranks 4.
fn php_special_rank(word: &str) -> i8 {
    const FORMS: [(&str, i8); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(form, _)| word.starts_with(form))
        .map_or(-1, |(_, rank)| *rank)
}

fn php_part_rank(part: &PhpPart) -> i8 {
    match part {
        PhpPart::Number(_) => 4,
        PhpPart::Word(w) => php_special_rank(w),
    }
}

impl Ord for PackagistVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.parts.iter().zip(&other.parts) {
            let o = match (a, b) {
                (PhpPart::Number(x), PhpPart::Number(y)) => x.cmp(y),
                _ => php_part_rank(a).cmp(&php_part_rank(b)),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        // One has more parts: a further number makes it greater, a further word is
        // compared with a number.
        let n = self.parts.len().min(other.parts.len());
        match (self.parts.get(n), other.parts.get(n)) {
            (Some(PhpPart::Number(_)), None) => Ordering::Greater,
            (None, Some(PhpPart::Number(_))) => Ordering::Less,
            (Some(w), None) => php_part_rank(w).cmp(&4),
            (None, Some(w)) => 4.cmp(&php_part_rank(w)),
            _ => Ordering::Equal,
        }
    }
}

impl PartialOrd for PackagistVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for PackagistVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for PackagistVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn deb(a: &str, b: &str) -> Ordering {
        DebianVersion::parse(a)
            .expect(a)
            .cmp(&DebianVersion::parse(b).expect(b))
    }

    #[test]
    fn dpkg_ordering() {
        use Ordering::*;
        for (a, b, o) in [
            ("1.0~rc1", "1.0", Less),
            ("1.0", "1.0+b1", Less),
            ("1.0~~", "1.0~", Less),
            ("1.0~", "1.0", Less),
            ("1.0", "1.0a", Less),
            ("1:0.1", "2.0", Greater),
            ("1.0-1", "1.0-1ubuntu1", Less),
            ("1.0", "1.0-0", Equal),
            ("001.02", "1.2", Equal),
            ("2.30-1", "2.3-1", Greater),
            ("1.2.3-1+deb12u1", "1.2.3-1", Greater),
            ("3.0.11-1~deb12u2", "3.0.11-1", Less),
        ] {
            assert_eq!(deb(a, b), o, "{a} vs {b}");
        }
        for bad in ["", "a1.0", "1.0-", "x:1.0", ":1", "1.0 2"] {
            assert!(DebianVersion::parse(bad).is_none(), "{bad:?}");
        }
    }

    fn gem(a: &str, b: &str) -> Ordering {
        GemVersion::parse(a)
            .expect(a)
            .cmp(&GemVersion::parse(b).expect(b))
    }

    #[test]
    fn rubygems_ordering() {
        use Ordering::*;
        for (a, b, o) in [
            ("1.0", "1.0.0", Equal),
            ("1.0.a", "1.0", Less),
            ("1.0.a", "1.0.b", Less),
            ("1.0.0.rc1", "1.0.0", Less),
            ("1.0.0-rc1", "1.0.0.pre.rc1", Equal),
            ("1.9.3", "1.10", Less),
            ("2.0.0.pre", "2.0.0.beta", Greater),
            ("1.16.0", "1.16.0.rc2", Greater),
            ("0", "", Equal),
        ] {
            assert_eq!(gem(a, b), o, "{a} vs {b}");
        }
        for bad in ["a", "1..2", "1.0-", "1.0 beta", "v1.0"] {
            assert!(GemVersion::parse(bad).is_none(), "{bad:?}");
        }
    }

    fn mvn(a: &str, b: &str) -> Ordering {
        MavenVersion::parse(a)
            .expect(a)
            .cmp(&MavenVersion::parse(b).expect(b))
    }

    #[test]
    fn maven_ordering() {
        use Ordering::*;
        for (a, b, o) in [
            ("1.0", "1.0.1", Less),
            ("1.0-alpha1", "1.0-beta", Less),
            ("1.0-beta", "1.0-rc1", Less),
            ("1.0-rc1", "1.0", Less),
            ("1.0", "1.0-sp1", Less),
            ("1.0.0", "1.0", Equal),
            ("1-SNAPSHOT", "1", Less),
            ("1.0-rc1", "1.0-SNAPSHOT", Less),
            ("1.0-SNAPSHOT", "1.0", Less),
            ("1.0-cr1", "1.0-RC1", Equal),
            ("1.0.Final", "1.0", Equal),
            ("1.0-ga", "1", Equal),
            ("2.0.0.RELEASE", "2", Equal),
            ("1.0a1", "1.0-alpha-1", Equal),
            ("1.0b2", "1.0-beta-2", Equal),
            ("1.0m3", "1.0-milestone-3", Equal),
            ("1.0-alpha-1", "1.0-alpha-2", Less),
            ("1.0-alpha-2", "1.0-alpha-10", Less),
            ("1.9", "1.10", Less),
            ("1-1", "1", Greater),
            ("1-1", "1.1", Less),
            ("1.0-sp1", "1.0-foo", Less),
            ("1.0-bar", "1.0-foo", Less),
            ("1.0-foo", "1.0.1", Less),
            ("1.0.0-foo.0.0", "1-foo", Equal),
            ("1.0.0-0.0.0", "1", Equal),
            ("1.", "1", Equal),
            ("1-", "1", Equal),
            ("1..1", "1.0.1", Equal),
            ("007", "7", Equal),
            ("2.15.2", "2.15.10", Less),
            ("32.1.2-jre", "32.1.2", Greater),
            ("31.1-android", "31.1-jre", Less),
            ("4.1.97.Final", "4.1.100.Final", Less),
            (
                "99999999999999999999999",
                "99999999999999999999998",
                Greater,
            ),
        ] {
            assert_eq!(mvn(a, b), o, "{a} vs {b}");
            assert_eq!(mvn(b, a), o.reverse(), "{b} vs {a}");
        }
        for bad in ["", "  ", "1.0 beta"] {
            assert!(MavenVersion::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn packagist_versions_order_as_composer_does() {
        let v = |s: &str| PackagistVersion::parse(s).unwrap_or_else(|| panic!("{s}"));
        let ascending = [
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-alpha2",
            "1.0.0-beta",
            "1.0.0-beta2",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-p1",
            "1.0.0.1",
            "1.0.1",
            "1.1",
            "v2.0.0",
            "10.0.0",
        ];
        for pair in ascending.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.2"), v("1.2.0"));
        assert_eq!(v("v1.2.0"), v("1.2.0.0"));
        assert_eq!(v("1.0.0-rc1"), v("1.0.0-RC1"));
        assert_eq!(v("1.0.0-beta.2"), v("1.0.0-beta2"));
        for bad in ["", "dev-master", "x1", "1..2", "1.2.3.4.5"] {
            assert!(PackagistVersion::parse(bad).is_none(), "{bad:?}");
        }
    }
}
