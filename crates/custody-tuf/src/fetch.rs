//! Getting metadata and target bytes, with the two limits TUF depends on: never more than
//! the expected length (endless data) and never longer than a deadline (slow retrieval).
//!
//! `crate::http::HttpFetcher` (feature `http`, on by default) speaks HTTP and HTTPS and
//! reads `file://` URLs; tests and other transports implement [`Fetcher`].

use crate::TufError;

/// Something that can get the bytes at a URL.
pub trait Fetcher {
    /// Get at most `max_length` bytes from `url`; more is an error, raised before
    /// reading past the limit.
    ///
    /// # Errors
    /// [`TufError::Download`] (with the HTTP status for 4xx/5xx answers).
    fn fetch(&self, url: &str, max_length: u64) -> Result<Vec<u8>, TufError>;
}
