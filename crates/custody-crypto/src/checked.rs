//! Signature checks that passed, remembered by the exact inputs of the arithmetic (key,
//! signed digest or message, signature). A verifier of many signatures can do the
//! arithmetic ahead on several threads and then make its decisions in order (which key a
//! policy trusts, at which time) without doing it twice. An entry only ever stands for
//! "this key made this signature over these bytes", which no policy changes.

use sha2::Digest as _;
use std::collections::HashSet;
use std::sync::Mutex;

/// The checks that passed; shareable between threads.
#[derive(Debug, Default)]
pub struct CheckedSignatures {
    passed: Mutex<HashSet<[u8; 32]>>,
}

impl CheckedSignatures {
    /// None yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many passed checks are remembered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.passed.lock().map_or(0, |p| p.len())
    }

    /// Whether none are.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn contains(&self, id: &[u8; 32]) -> bool {
        self.passed.lock().is_ok_and(|p| p.contains(id))
    }

    pub(crate) fn insert(&self, id: [u8; 32]) {
        if let Ok(mut p) = self.passed.lock() {
            p.insert(id);
        }
    }
}

/// The identity of one check: every input, each length-prefixed so that no two different
/// input lists hash alike.
pub(crate) fn check_id(kind: &str, parts: &[&[u8]]) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    h.update((kind.len() as u64).to_be_bytes());
    h.update(kind.as_bytes());
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// Run `check` unless `memo` remembers that it passed; remember it when it passes.
pub(crate) fn remembered<E>(
    memo: Option<&CheckedSignatures>,
    id: impl FnOnce() -> [u8; 32],
    check: impl FnOnce() -> Result<(), E>,
) -> Result<(), E> {
    let Some(memo) = memo else {
        return check();
    };
    let id = id();
    if memo.contains(&id) {
        return Ok(());
    }
    check()?;
    memo.insert(id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_passed_checks_are_remembered_and_inputs_are_told_apart() {
        let memo = CheckedSignatures::new();
        let id = || check_id("t", &[b"ab", b"c"]);
        assert_eq!(
            remembered(Some(&memo), id, || Err::<(), _>("bad")),
            Err("bad")
        );
        assert!(memo.is_empty());
        assert_eq!(remembered(Some(&memo), id, || Ok::<(), &str>(())), Ok(()));
        // Remembered: the check does not run again.
        assert_eq!(remembered(Some(&memo), id, || Err::<(), _>("ran")), Ok(()));
        assert_ne!(check_id("t", &[b"ab", b"c"]), check_id("t", &[b"a", b"bc"]));
        assert_ne!(check_id("t", &[b"ab"]), check_id("u", &[b"ab"]));
        // Without a memo every check runs.
        assert_eq!(remembered(None, id, || Err::<(), _>("ran")), Err("ran"));
    }
}
