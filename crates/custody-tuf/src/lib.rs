//! The Update Framework (TUF, specification 1.0): the client that decides whether
//! metadata and target files can be trusted, and (later) the repository tooling that
//! produces them.
//!
//! - [`metadata`]: parsing metadata as received, into [`metadata::Unverified`] documents
//!   that only signature verification turns into [`metadata::Verified`] ones;
//! - [`keys`], [`delegation`]: keys, thresholds, delegations and hash bins;
//! - [`trusted`]: the trusted metadata set, where every rule of the client workflow
//!   (section 5 of the specification) is checked in the order python-tuf checks it;
//! - [`fetch`]: the transport interface, with length limits; `http` (default feature) the
//!   HTTP(S) transport with timeouts;
//! - [`updater`]: the client workflow on top: refresh, find a target through the
//!   delegation graph, download and verify it.
//!
//! ```no_run
//! use custody_tuf::updater::{Updater, UpdaterConfig};
//! let mut updater = Updater::new(UpdaterConfig::new(
//!     "metadata-dir".into(),
//!     "https://example.org/metadata/".into(),
//! ))?;
//! updater.refresh()?;
//! if let Some(info) = updater.target_info("app-1.0.tar.gz")? {
//!     updater.download_target(&info, "downloads".as_ref(), "https://example.org/targets/")?;
//! }
//! # Ok::<(), custody_tuf::TufError>(())
//! ```

pub mod delegation;
pub mod document;
pub mod fetch;
#[cfg(feature = "http")]
pub mod http;
pub mod keys;
pub mod memo;
pub mod metadata;
pub mod repository;
pub mod signing;
pub mod trusted;
pub mod updater;
mod wire;

use std::path::PathBuf;

/// The specification version custody writes.
pub const SPEC_VERSION: &str = "1.0.31";

/// Why TUF metadata or a target could not be trusted, or fetched.
#[derive(Debug, thiserror::Error)]
pub enum TufError {
    /// Metadata that is not valid TUF metadata of the expected role.
    #[error("{role} metadata is malformed: {detail}")]
    Malformed {
        /// The role (or `_type`) expected.
        role: String,
        /// What is wrong, naming the field.
        detail: String,
    },
    /// Too few valid signatures by the role's keys.
    #[error("{role} metadata is not signed by enough of its keys: {detail}")]
    Unsigned {
        /// The role.
        role: String,
        /// Why each signature did not count.
        detail: String,
    },
    /// A version that breaks the rules (rollback, wrong successor, mismatch with what
    /// timestamp or snapshot says).
    #[error("{role}: {detail}")]
    BadVersion {
        /// The role.
        role: String,
        /// Which versions, and which rule.
        detail: String,
    },
    /// The new metadata has the same version as the trusted one (not an error for the
    /// updater: nothing changed).
    #[error("{role}: version {version} is the one already trusted")]
    EqualVersion {
        /// The role.
        role: String,
        /// The version.
        version: u64,
    },
    /// Metadata expired (checked against the time the update started).
    #[error("{role} metadata expired at {expires}")]
    Expired {
        /// The role.
        role: String,
        /// When, as written.
        expires: String,
    },
    /// Content does not have the length or hashes its metadata gives.
    #[error("length or hash mismatch: {0}")]
    LengthOrHashMismatch(String),
    /// An update step taken out of order (a programming error in the caller).
    #[error("out of order: {0}")]
    Order(String),
    /// Other rules of the repository that were broken (missing snapshot entries, …).
    #[error("{0}")]
    Repository(String),
    /// A download failed.
    #[error("download of {url} failed: {reason}")]
    Download {
        /// What was requested.
        url: String,
        /// Why it failed.
        reason: String,
        /// The HTTP status, when the server answered with an error.
        status: Option<u16>,
    },
    /// The server sent more than the expected length (endless data).
    #[error("download of {url} failed: more than the {limit} bytes expected")]
    TooLong {
        /// What was requested.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// Reading or writing local files.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A usage error (bad URL, bad directory, no trusted root).
    #[error("{0}")]
    Usage(String),
}

impl TufError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> TufError {
        let path = path.into();
        move |source| TufError::Io { path, source }
    }
}

impl From<custody_core::atomic::AtomicWriteError> for TufError {
    fn from(e: custody_core::atomic::AtomicWriteError) -> Self {
        TufError::Io {
            path: e.path,
            source: e.source,
        }
    }
}
