//! Package URLs (`pkg:type/namespace/name@version?qualifiers#subpath`), the identifier
//! SBOMs and advisory databases share.
//!
//! Built from parts: each part is percent-encoded as the purl specification asks
//! (everything but `A-Z a-z 0-9 . - _ ~`, and `:` which never needs it), so a name with
//! `@`, `/` or spaces cannot change where the version starts. Purls of other tools'
//! SBOMs are parsed into parts ([`Purl::parse`]) and built again, so that the same package
//! has the same text whoever wrote it.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use std::collections::BTreeMap;
use std::fmt;

const PART: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_')
    .remove(b'~')
    .remove(b':');

/// A package URL, kept as its text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Purl(String);

impl Purl {
    /// The purl of a package.
    ///
    /// `namespace` may have several `/`-separated segments (Maven group IDs do not, npm
    /// scopes do not, Go module paths do); each is encoded on its own. Qualifiers are
    /// written sorted by key, empty values left out.
    #[must_use]
    pub fn new(
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        version: Option<&str>,
        qualifiers: &BTreeMap<&str, String>,
    ) -> Self {
        let mut s =
            String::with_capacity(8 + kind.len() + name.len() + version.map_or(0, str::len));
        s.push_str("pkg:");
        s.push_str(kind);
        s.push('/');
        if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
            for segment in ns.split('/').filter(|p| !p.is_empty()) {
                s.extend(utf8_percent_encode(segment, PART));
                s.push('/');
            }
        }
        s.extend(utf8_percent_encode(name, PART));
        if let Some(v) = version.filter(|v| !v.is_empty()) {
            s.push('@');
            s.extend(utf8_percent_encode(v, PART));
        }
        let mut first = true;
        for (k, v) in qualifiers {
            if v.is_empty() {
                continue;
            }
            s.push(if first { '?' } else { '&' });
            first = false;
            s.push_str(&k.to_ascii_lowercase());
            s.push('=');
            s.extend(utf8_percent_encode(v, PART));
        }
        Self(s)
    }

    /// The text, `pkg:…`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parse a purl's text into its parts, as the specification's parsing steps say
    /// (subpath, qualifiers and version split from the right, each part percent-decoded,
    /// the type lower-cased).
    ///
    /// # Errors
    /// Not `pkg:`, no type or no name, or a part that is not valid percent-encoded UTF-8.
    pub fn parse(text: &str) -> Result<PurlParts, String> {
        let decode = |p: &str| {
            percent_decode_str(p)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| format!("{text:?}: {p:?} is not percent-encoded UTF-8"))
        };
        let (rest, subpath) = match text.rsplit_once('#') {
            Some((r, s)) => (
                r,
                Some(decode(s.trim_matches('/'))?).filter(|s| !s.is_empty()),
            ),
            None => (text, None),
        };
        let (rest, query) = match rest.rsplit_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let mut qualifiers = BTreeMap::new();
        for pair in query.into_iter().flat_map(|q| q.split('&')) {
            if let Some((k, v)) = pair.split_once('=') {
                let v = decode(v)?;
                if !v.is_empty() {
                    qualifiers.insert(k.to_ascii_lowercase(), v);
                }
            }
        }
        // `get` rather than indexing: the fourth byte need not end a character.
        let rest = match (rest.get(..4), rest.get(4..)) {
            (Some(scheme), Some(rest)) if scheme.eq_ignore_ascii_case("pkg:") => rest,
            _ => {
                return Err(format!(
                    "{text:?} is not a package URL (pkg:type/name@version)"
                ));
            }
        };
        let rest = rest.trim_start_matches('/');
        let (kind, rest) = rest
            .split_once('/')
            .ok_or_else(|| format!("{text:?} has no name"))?;
        if kind.is_empty()
            || !kind
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
        {
            return Err(format!("{text:?}: {kind:?} is not a package type"));
        }
        let rest = rest.trim_end_matches('/');
        let (path, version) = match rest.rsplit_once('@') {
            Some((p, v)) => (p, Some(decode(v)?).filter(|v| !v.is_empty())),
            None => (rest, None),
        };
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, n)) => {
                let segments: Result<Vec<String>, String> = ns
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(decode)
                    .collect();
                (
                    Some(segments?.join("/")).filter(|n| !n.is_empty()),
                    decode(n)?,
                )
            }
            None => (None, decode(path)?),
        };
        if name.is_empty() {
            return Err(format!("{text:?} has no name"));
        }
        Ok(PurlParts {
            kind: kind.to_ascii_lowercase(),
            namespace,
            name,
            version,
            qualifiers,
            subpath,
        })
    }
}

/// The parts of a parsed package URL, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurlParts {
    /// The type (`cargo`, `npm`, `pypi`, …), lower-case.
    pub kind: String,
    /// The namespace (npm scope with its `@`, Maven group, Go module path up to the
    /// name), segments joined by `/`.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
    /// The version.
    pub version: Option<String>,
    /// Qualifiers, keys lower-case, empty values left out.
    pub qualifiers: BTreeMap<String, String>,
    /// The subpath.
    pub subpath: Option<String>,
}

impl PurlParts {
    /// The purl built again from the parts (subpath left out: components are packages).
    #[must_use]
    pub fn to_purl(&self) -> Purl {
        let q: BTreeMap<&str, String> = self
            .qualifiers
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        Purl::new(
            &self.kind,
            self.namespace.as_deref(),
            &self.name,
            self.version.as_deref(),
            &q,
        )
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_parts_build_the_same_purl() {
        let p = Purl::parse("pkg:npm/%40babel/core@7.0.0?foo=&Repository_URL=https://r.example")
            .expect("parses");
        assert_eq!(p.kind, "npm");
        assert_eq!(p.namespace.as_deref(), Some("@babel"));
        assert_eq!(
            (p.name.as_str(), p.version.as_deref()),
            ("core", Some("7.0.0"))
        );
        assert_eq!(
            p.qualifiers.get("repository_url").map(String::as_str),
            Some("https://r.example")
        );
        assert_eq!(
            p.to_purl().as_str(),
            "pkg:npm/%40babel/core@7.0.0?repository_url=https:%2F%2Fr.example"
        );
        let go = Purl::parse("PKG:golang/github.com/gin-gonic/gin@v1.9.1#sub/dir").expect("parses");
        assert_eq!(go.namespace.as_deref(), Some("github.com/gin-gonic"));
        assert_eq!(go.subpath.as_deref(), Some("sub/dir"));
        let built = Purl::new("cargo", None, "a b@c", Some("1.0.0+x"), &BTreeMap::new());
        let back = Purl::parse(built.as_str()).expect("parses");
        assert_eq!(
            (back.name.as_str(), back.version.as_deref()),
            ("a b@c", Some("1.0.0+x"))
        );
        assert_eq!(back.to_purl(), built);
        for bad in [
            "npm/x@1",
            "pkg:",
            "pkg:npm",
            "pkg:npm/",
            "pkg:n%20pm/x",
            "pkg:npm/%ff@1",
            "pk\u{e9}:npm/x",
            "p\u{e9}",
        ] {
            assert!(Purl::parse(bad).is_err(), "{bad}");
        }
    }

    fn none() -> BTreeMap<&'static str, String> {
        BTreeMap::new()
    }

    #[test]
    fn plain_packages() {
        assert_eq!(
            Purl::new("cargo", None, "serde", Some("1.0.200"), &none()).as_str(),
            "pkg:cargo/serde@1.0.200"
        );
        assert_eq!(
            Purl::new("npm", Some("@babel"), "core", Some("7.24.0"), &none()).as_str(),
            "pkg:npm/%40babel/core@7.24.0"
        );
        assert_eq!(
            Purl::new(
                "golang",
                Some("github.com/gorilla"),
                "mux",
                Some("v1.8.0"),
                &none()
            )
            .as_str(),
            "pkg:golang/github.com/gorilla/mux@v1.8.0"
        );
    }

    #[test]
    fn separators_inside_parts_are_encoded() {
        let mut q = BTreeMap::new();
        q.insert("vcs_url", "git+https://example.com/a b.git".to_owned());
        q.insert("arch", String::new());
        let p = Purl::new("cargo", None, "we@ird/name", Some("1.0.0+build"), &q);
        assert_eq!(
            p.as_str(),
            "pkg:cargo/we%40ird%2Fname@1.0.0%2Bbuild?vcs_url=git%2Bhttps:%2F%2Fexample.com%2Fa%20b.git"
        );
    }

    proptest::proptest! {
        /// Whatever the name, the purl has exactly one `@` before the version and the
        /// name's text comes back by decoding.
        #[test]
        fn names_never_leak_separators(name in "\\PC{1,20}", version in "[0-9a-z.+-]{1,10}") {
            let p = Purl::new("cargo", None, &name, Some(&version), &BTreeMap::new());
            let rest = p.as_str().strip_prefix("pkg:cargo/").unwrap_or_default();
            let (n, v) = rest.split_once('@').unwrap_or_default();
            proptest::prop_assert!(!n.contains('/') && !n.contains('?') && !n.contains('#'));
            proptest::prop_assert!(!v.contains('@'));
            let decoded = percent_decode_str(n).decode_utf8_lossy();
            proptest::prop_assert_eq!(decoded.as_ref(), name.as_str());
        }
    }
}
