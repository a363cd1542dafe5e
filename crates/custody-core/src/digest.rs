//! SHA-256 digests as a type, so a digest cannot be confused with any other hex string.

use sha2::{Digest as _, Sha256};
use std::fmt;

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Digest([u8; 32]);

/// A string that is not a SHA-256 digest in lowercase or uppercase hex.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a SHA-256 hex digest (expected 64 hex characters): {0:?}")]
pub struct DigestParseError(String);

impl Sha256Digest {
    /// Digest of a byte string.
    #[must_use]
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// Digest of everything a reader yields, streamed in blocks.
    ///
    /// # Errors
    /// Any I/O error of the reader.
    pub fn of_reader(mut reader: impl std::io::Read) -> std::io::Result<Self> {
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(Self(hasher.finalize().into()))
    }

    /// Parse 64 hex characters.
    ///
    /// # Errors
    /// [`DigestParseError`] naming the input when it is not 32 bytes of hex.
    pub fn from_hex(s: &str) -> Result<Self, DigestParseError> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| DigestParseError(s.to_owned()))?;
        Ok(Self(out))
    }

    /// The 32 raw bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lowercase hex, the form every metadata format we speak uses.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector_and_hex_round_trip() {
        let d = Sha256Digest::of(b"abc");
        assert_eq!(
            d.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Sha256Digest::from_hex(&d.to_hex()), Ok(d));
        assert_eq!(
            Sha256Digest::of_reader(&b"abc"[..]).expect("in-memory read"),
            d
        );
        assert!(Sha256Digest::from_hex("abc").is_err());
    }
}
