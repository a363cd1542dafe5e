//! Finding credentials before they land and after they landed: rules ([`rules`]), the
//! matching engine ([`engine`]) and the sources it scans ([`scan`]: a working tree, in
//! parallel, `.gitignore` respected).
//!
//! A finding never carries the secret itself: only its first four characters, its length,
//! and a fingerprint (a hash) to recognise it again in a baseline.
//!
//! ```
//! let rules = custody_secrets::engine::RuleSet::builtin().unwrap();
//! let found = rules.scan("config.py", b"token = 'ghp_4Fq9ZkT2mLw8RbX1cVn7HyJ3sDp0GaEu5Qio'");
//! assert_eq!(found[0].rule, "github-pat");
//! assert!(!found[0].excerpt.contains("mLw8RbX1"));
//! ```

pub mod baseline;
pub mod engine;
pub mod rules;
pub mod scan;

/// Why a scan could not run.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// Rules that do not parse or compile.
    #[error("{origin}: {detail}")]
    Rules {
        /// The file or rule at fault.
        origin: String,
        /// What is wrong.
        detail: String,
    },
    /// The path to scan cannot be read at all.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}
