//! Errors of reading projects and documents.

use std::path::PathBuf;

/// Why a lockfile, manifest or document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not what its name says it is.
    #[error("{path}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong, in words.
        message: String,
    },
    /// The input is larger than a reader accepts.
    #[error("{path}: {size} bytes is more than the {limit} bytes a {kind} may have")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
        /// What kind of file.
        kind: &'static str,
    },
}

impl SbomError {
    pub(crate) fn malformed(path: &std::path::Path, message: impl Into<String>) -> Self {
        Self::Malformed {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}

/// Lockfiles and manifests larger than this are refused: the largest real lockfiles are a
/// few tens of MiB, and reading is all in memory.
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// Read a whole input file, refusing one over [`MAX_INPUT_BYTES`].
pub(crate) fn read_limited(
    path: &std::path::Path,
    kind: &'static str,
) -> Result<String, SbomError> {
    let io = |source| SbomError::Io {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_INPUT_BYTES {
        return Err(SbomError::TooLarge {
            path: path.to_owned(),
            size,
            limit: MAX_INPUT_BYTES,
            kind,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    String::from_utf8(bytes).map_err(|_| SbomError::malformed(path, "not UTF-8 text"))
}
