//! in-toto for custody: signed step metadata (links), layouts, supply chain verification
//! and attestations, interoperable with the reference implementation (python in-toto).
//!
//! Built so far: [`link`] (links made by running a command or by recording start/stop),
//! [`artifacts`] (recording materials and products with python in-toto's path semantics),
//! [`exclude`] (gitignore-style exclude patterns), [`hash`] (artifact hashing), [`runner`]
//! (running a step's command and capturing its byproducts), [`metadata`] (Metablock and
//! DSSE envelopes, signed and verified over the exact received value) and [`rules`]
//! (layout artifact rules: parsing, python `fnmatch` patterns, queue evaluation).

pub mod artifacts;
pub mod attestation;
pub mod description;
pub mod digest_cache;
pub mod exclude;
pub mod hash;
pub mod layout;
pub mod link;
pub mod metadata;
pub mod rules;
pub mod runner;
pub mod verify;

/// Errors of in-toto operations.
#[derive(Debug, thiserror::Error)]
pub enum IntotoError {
    /// Metadata that cannot be parsed or lacks required fields.
    #[error("malformed in-toto metadata: {0}")]
    Malformed(String),
    /// Signatures, thresholds, rules or expiry did not verify.
    #[error("{0}")]
    Verification(String),
    /// Recording artifacts failed.
    #[error(transparent)]
    Record(#[from] artifacts::RecordError),
    /// The step's command could not be run.
    #[error(transparent)]
    Run(#[from] runner::RunError),
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
