//! in-toto for custody: signed step metadata (links), layouts, supply chain verification
//! and attestations, interoperable with the reference implementation (python in-toto).
//!
//! Built so far: [`metadata`] (Metablock and DSSE envelopes, signing and verification over
//! the exact received value), [`hash`] (artifact hashing) and [`runner`] (running a step's
//! command and capturing its byproducts).

pub mod artifacts;
pub mod exclude;
pub mod hash;
pub mod metadata;
pub mod runner;

/// Errors of in-toto operations.
#[derive(Debug, thiserror::Error)]
pub enum IntotoError {
    /// Metadata that cannot be parsed or lacks required fields.
    #[error("malformed in-toto metadata: {0}")]
    Malformed(String),
    /// Signatures, thresholds, rules or expiry did not verify.
    #[error("{0}")]
    Verification(String),
    /// A key or signature problem.
    #[error(transparent)]
    Crypto(#[from] custody_crypto::CryptoError),
    /// Reading artifacts or writing metadata.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}
