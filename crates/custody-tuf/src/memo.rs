//! Which metadata documents this client has already checked the signatures of, so that
//! loading an unchanged local copy again does not repeat the most expensive step (for a
//! large targets file: canonicalising megabytes and hashing them with SHA-512; for a
//! hash-binned repository: an ed25519 check per bin).
//!
//! An entry is the SHA-256 of the role name, the signers (threshold, key IDs and the
//! keys' public material) and the exact bytes of the file. A changed byte, a rotated key or
//! another threshold gives another digest, so the document is checked in full again.
//! Everything else (parsing, versions, expiry, snapshot hashes) is checked on every load.
//!
//! The entries live next to the trusted metadata (`.custody-verified`, not a `*.json`
//! file). Whoever can write that directory can already replace the trusted root there, so
//! the memo gives an attacker nothing they did not have; a missing or garbled memo only
//! means documents are checked in full.

use crate::metadata::Signers;
use sha2::{Digest as _, Sha256};
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

/// The memo's file name in the metadata directory.
pub const FILE_NAME: &str = ".custody-verified";
const HEADER: &str = "custody-tuf verified signatures v1";
/// Enough for every bin of a large hash-binned repository; older entries go first.
const MAX_ENTRIES: usize = 20_000;

/// What identifies one successful signature check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignatureDigest([u8; 32]);

impl SignatureDigest {
    /// The digest of checking `bytes` against `signers`.
    #[must_use]
    pub fn of(signers: &Signers<'_>, bytes: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(HEADER.as_bytes());
        h.update([0]);
        h.update(signers.role.as_bytes());
        h.update([0]);
        h.update(signers.role_keys.threshold.to_be_bytes());
        for id in &signers.role_keys.keyids {
            h.update(id.as_bytes());
            h.update([0]);
            match signers.keys.get(id) {
                Some(key) => h.update(
                    key.to_sslib_json_value(false)
                        .map_or_else(|_| b"unusable".to_vec(), |v| v.to_string().into_bytes()),
                ),
                None => h.update(b"missing"),
            }
            h.update([0]);
        }
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
        Self(h.finalize().into())
    }
}

/// Known signature checks, as loaded, plus the ones made since.
#[derive(Debug, Clone, Default)]
pub struct SignatureMemo {
    known: Arc<HashSet<SignatureDigest>>,
    /// Loaded entries in file order (newest first).
    loaded: Arc<Vec<SignatureDigest>>,
    added: Vec<SignatureDigest>,
    added_set: HashSet<SignatureDigest>,
}

impl SignatureMemo {
    /// The memo of metadata directory `dir`; empty when there is none or it is not one.
    #[must_use]
    pub fn load(dir: &Path) -> Self {
        let Ok(text) = std::fs::read_to_string(dir.join(FILE_NAME)) else {
            return Self::default();
        };
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Self::default();
        }
        let mut loaded = Vec::new();
        for line in lines {
            let mut digest = [0u8; 32];
            if hex::decode_to_slice(line, &mut digest).is_err() {
                return Self::default();
            }
            loaded.push(SignatureDigest(digest));
        }
        loaded.truncate(MAX_ENTRIES);
        Self {
            known: Arc::new(loaded.iter().copied().collect()),
            loaded: Arc::new(loaded),
            ..Self::default()
        }
    }

    /// The checks known when the memo was loaded (cheap to share with other threads).
    #[must_use]
    pub fn known(&self) -> Arc<HashSet<SignatureDigest>> {
        Arc::clone(&self.known)
    }

    /// Record a check made in full.
    pub fn record(&mut self, digest: SignatureDigest) {
        if !self.known.contains(&digest) && self.added_set.insert(digest) {
            self.added.push(digest);
        }
    }

    /// Remove the memo of metadata directory `dir`, if there is one.
    ///
    /// # Errors
    /// When it is there and cannot be removed.
    pub fn forget(dir: &Path) -> std::io::Result<()> {
        match std::fs::remove_file(dir.join(FILE_NAME)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    /// Write the memo back when checks were added (atomically; the newest first).
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn save(&self, dir: &Path) -> Result<(), custody_core::atomic::AtomicWriteError> {
        if self.added.is_empty() {
            return Ok(());
        }
        let mut text = String::with_capacity(65 * (self.added.len() + self.loaded.len()) + 40);
        text.push_str(HEADER);
        text.push('\n');
        for digest in self
            .added
            .iter()
            .rev()
            .chain(self.loaded.iter())
            .take(MAX_ENTRIES)
        {
            text.push_str(&hex::encode(digest.0));
            text.push('\n');
        }
        custody_core::atomic::write_atomic_unsynced(
            &dir.join(FILE_NAME),
            text.as_bytes(),
            custody_core::atomic::FileMode::Public,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(n: u8) -> SignatureDigest {
        SignatureDigest([n; 32])
    }

    #[test]
    fn checks_are_saved_newest_first_and_loaded_back() {
        let dir = tempfile::tempdir().expect("dir");
        let mut memo = SignatureMemo::load(dir.path());
        assert!(memo.known().is_empty());
        memo.save(dir.path()).expect("nothing to save");
        assert!(
            !dir.path().join(FILE_NAME).exists(),
            "no file without checks"
        );
        memo.record(digest(1));
        memo.record(digest(2));
        memo.record(digest(1));
        memo.save(dir.path()).expect("save");
        let mut again = SignatureMemo::load(dir.path());
        assert_eq!(*again.loaded, [digest(2), digest(1)]);
        again.record(digest(3));
        again.record(digest(2));
        again.save(dir.path()).expect("save");
        let text = std::fs::read_to_string(dir.path().join(FILE_NAME)).expect("read");
        assert_eq!(text.lines().count(), 4, "{text}");
        assert_eq!(
            *SignatureMemo::load(dir.path()).loaded,
            [digest(3), digest(2), digest(1)]
        );
        SignatureMemo::forget(dir.path()).expect("forget");
        SignatureMemo::forget(dir.path()).expect("forgetting twice is fine");
        assert!(SignatureMemo::load(dir.path()).known().is_empty());
    }

    #[test]
    fn a_garbled_memo_is_no_memo() {
        let dir = tempfile::tempdir().expect("dir");
        for text in [
            "",
            "not the header\n",
            &format!("{HEADER}\nnot hex\n"),
            &format!("{HEADER}\n{}\n", "ab".repeat(31)),
        ] {
            std::fs::write(dir.path().join(FILE_NAME), text).expect("write");
            assert!(
                SignatureMemo::load(dir.path()).known().is_empty(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_memo_keeps_the_newest_entries() {
        let dir = tempfile::tempdir().expect("dir");
        let mut memo = SignatureMemo::default();
        for i in 0..=MAX_ENTRIES as u32 {
            let mut d = [0u8; 32];
            d[..4].copy_from_slice(&i.to_be_bytes());
            memo.record(SignatureDigest(d));
        }
        memo.save(dir.path()).expect("save");
        let loaded = SignatureMemo::load(dir.path());
        assert_eq!(loaded.loaded.len(), MAX_ENTRIES);
        let mut newest = [0u8; 32];
        newest[..4].copy_from_slice(&(MAX_ENTRIES as u32).to_be_bytes());
        assert_eq!(loaded.loaded[0], SignatureDigest(newest));
        assert!(
            !loaded.known.contains(&SignatureDigest([0; 32])),
            "oldest dropped"
        );
    }
}
