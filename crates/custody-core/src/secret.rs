//! Secrets as a type: the content is zeroized on drop and never shown by `Debug`/`Display`.

use std::fmt;
use zeroize::Zeroizing;

/// A secret byte string (passphrase, private key material).
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Take ownership of secret bytes.
    #[must_use]
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The secret bytes. Call sites are easy to audit with grep.
    #[must_use]
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self::new(s.into_bytes())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Show a recognisable but useless part of a sensitive string: the first four characters
/// and the length, e.g. `AKIA…(20 chars)`. Short strings are hidden entirely.
#[must_use]
pub fn redact(s: &str) -> String {
    let n = s.chars().count();
    if n < 12 {
        return format!("…({n} chars)");
    }
    let head: String = s.chars().take(4).collect();
    format!("{head}…({n} chars)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_content() {
        let s = Secret::from("hunter2-very-secret".to_owned());
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(redact("AKIAIOSFODNN7EXAMPLE"), "AKIA…(20 chars)");
        assert_eq!(redact("short"), "…(5 chars)");
    }
}
