//! Baselines: findings a team has looked at and accepted, by fingerprint, with the reason.
//! A baseline entry whose secret is no longer found is reported as stale, so the file does
//! not keep accepting secrets that were removed (and might come back).

use crate::SecretsError;
use crate::engine::Finding;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The baseline file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version (1).
    pub version: u32,
    /// Accepted findings.
    pub entries: Vec<BaselineEntry>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// The rule, for people reading the file.
    pub rule: String,
    /// Where it was found when accepted, for people reading the file.
    pub path: String,
    /// Why it is accepted.
    pub reason: String,
}

impl Baseline {
    /// Read a baseline file.
    ///
    /// # Errors
    /// [`SecretsError::Io`] or [`SecretsError::Rules`] naming the file.
    pub fn read(path: &Path) -> Result<Self, SecretsError> {
        let bytes = std::fs::read(path).map_err(|source| SecretsError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&bytes, &path.display().to_string())
    }

    /// Parse a baseline read from elsewhere (a file in a git tree); `origin` names it in
    /// errors.
    ///
    /// # Errors
    /// [`SecretsError::Rules`] naming `origin`.
    pub fn parse(bytes: &[u8], origin: &str) -> Result<Self, SecretsError> {
        serde_json::from_slice(bytes).map_err(|e| SecretsError::Rules {
            origin: origin.to_owned(),
            detail: format!("not a custody secrets baseline: {e}"),
        })
    }

    /// A baseline accepting every finding given, with one reason.
    #[must_use]
    pub fn accepting(findings: &[Finding], reason: &str) -> Self {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.clone(),
                path: f.path.clone(),
                reason: reason.to_owned(),
            })
            .collect();
        entries.sort_by(|a, b| (&a.path, &a.fingerprint).cmp(&(&b.path, &b.fingerprint)));
        entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Self {
            version: 1,
            entries,
        }
    }

    /// Drop accepted findings; return the stale entries (accepted, no longer found).
    pub fn apply(&self, findings: &mut Vec<Finding>) -> Vec<BaselineEntry> {
        let seen: std::collections::HashSet<&str> =
            findings.iter().map(|f| f.fingerprint.as_str()).collect();
        let stale = self
            .entries
            .iter()
            .filter(|e| !seen.contains(e.fingerprint.as_str()))
            .cloned()
            .collect();
        let accepted: std::collections::HashSet<&str> = self
            .entries
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        findings.retain(|f| !accepted.contains(f.fingerprint.as_str()));
        stale
    }
}
