//! Errors of reading advisory data.

use std::path::PathBuf;

/// Why advisory data could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VulnError {
    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file is not a valid advisory.
    #[error("{path}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A directory holds no advisory custody can read.
    #[error(
        "{path}: no advisories found (expected a RustSec advisory-db checkout or OSV .json/.yaml files)"
    )]
    Empty {
        /// The directory.
        path: PathBuf,
    },
}

impl VulnError {
    pub(crate) fn malformed(path: &std::path::Path, message: impl Into<String>) -> Self {
        Self::Malformed {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}
