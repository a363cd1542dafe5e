//! Layer 0 of custody: the small, dependency-light building blocks every other crate uses.
//!
//! - [`canonical_json`]: OLPC canonical JSON, byte-identical to securesystemslib, which is
//!   what TUF and in-toto sign.
//! - [`digest`]: SHA-256 digests as a type rather than a hex string.
//! - [`atomic`]: write a file so that readers see either the old or the new content.
//! - [`secret`]: a wrapper that never prints its content.
//! - [`time`]: the one parser of `expires` timestamps, and the clock.
//!
//! ```
//! let value: serde_json::Value = serde_json::from_str(r#"{"b": 1, "a": "x"}"#).unwrap();
//! let bytes = custody_core::canonical_json::to_vec(&value).unwrap();
//! assert_eq!(bytes, br#"{"a":"x","b":1}"#);
//! ```

pub mod atomic;
pub mod canonical_json;
pub mod digest;
pub mod python_json;
pub mod secret;
pub mod time;
