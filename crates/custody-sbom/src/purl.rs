//! Package URLs (`pkg:type/namespace/name@version?qualifiers#subpath`), the identifier
//! SBOMs and advisory databases share.
//!
//! Built from parts and never parsed back here: each part is percent-encoded as the purl
//! specification asks (everything but `A-Z a-z 0-9 . - _ ~`, and `:` which never needs
//! it), so a name with `@`, `/` or spaces cannot change where the version starts.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
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
        let mut s = format!("pkg:{kind}/");
        if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
            for segment in ns.split('/').filter(|p| !p.is_empty()) {
                s.push_str(&encode(segment));
                s.push('/');
            }
        }
        s.push_str(&encode(name));
        if let Some(v) = version.filter(|v| !v.is_empty()) {
            s.push('@');
            s.push_str(&encode(v));
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
            s.push_str(&encode(v));
        }
        Self(s)
    }

    /// The text, `pkg:…`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn encode(part: &str) -> String {
    utf8_percent_encode(part, PART).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let decoded = percent_encoding::percent_decode_str(n).decode_utf8_lossy();
            proptest::prop_assert_eq!(decoded.as_ref(), name.as_str());
        }
    }
}
