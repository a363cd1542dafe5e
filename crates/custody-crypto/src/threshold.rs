//! The one threshold check. Every signed thing custody accepts (blobs, DSSE envelopes,
//! and later in-toto and TUF metadata) is verified here, so the rules exist once:
//!
//! - only keys in the [`Keyring`] count (the authorised keys for this role or step);
//! - each key counts at most once, however many signatures name it;
//! - a keyring cannot hold the same key twice (under two IDs), so a single key cannot
//!   pass itself off as two;
//! - a threshold is at least one.

use crate::keys::{KeyId, PublicKey};
use crate::verified::Verified;
use crate::{CryptoError, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroUsize;

/// How many distinct authorised keys must sign. Never zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Threshold(NonZeroUsize);

impl Threshold {
    /// A threshold of `n` signatures.
    ///
    /// # Errors
    /// [`CryptoError::InvalidTrust`] for zero.
    pub fn new(n: usize) -> Result<Self> {
        NonZeroUsize::new(n)
            .map(Self)
            .ok_or_else(|| CryptoError::InvalidTrust("a threshold must be at least 1".into()))
    }

    /// The number.
    #[must_use]
    pub fn get(self) -> usize {
        self.0.get()
    }
}

/// The keys authorised to sign something, by key ID.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    keys: BTreeMap<KeyId, PublicKey>,
}

impl Keyring {
    /// A keyring of keys under their own (declared or computed) IDs.
    ///
    /// # Errors
    /// [`CryptoError::InvalidTrust`] if a key ID appears twice, or the same key material
    /// appears under two IDs.
    pub fn new(keys: impl IntoIterator<Item = PublicKey>) -> Result<Self> {
        let mut ring = Self::default();
        for key in keys {
            ring.insert(key)?;
        }
        Ok(ring)
    }

    /// Add a key.
    ///
    /// # Errors
    /// As [`Keyring::new`].
    pub fn insert(&mut self, key: PublicKey) -> Result<()> {
        let id = key.key_id();
        if self.keys.contains_key(&id) {
            return Err(CryptoError::InvalidTrust(format!(
                "key ID {id} is listed twice"
            )));
        }
        if let Some(other) = self.keys.values().find(|k| k.same_material(&key)) {
            return Err(CryptoError::InvalidTrust(format!(
                "the same key is listed under two key IDs ({} and {id})",
                other.key_id()
            )));
        }
        self.keys.insert(id, key);
        Ok(())
    }

    /// Look a key up by ID.
    #[must_use]
    pub fn get(&self, id: &KeyId) -> Option<&PublicKey> {
        self.keys.get(id)
    }

    /// Number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are no keys.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys.
    pub fn iter(&self) -> impl Iterator<Item = &PublicKey> {
        self.keys.values()
    }
}

/// A signature as found in metadata: the key ID it claims (if any) and the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureEntry {
    /// The key ID the signature names; `None` when the format leaves it out (DSSE allows
    /// that), in which case every authorised key not yet counted is tried.
    pub key_id: Option<KeyId>,
    /// Raw signature bytes.
    pub sig: Vec<u8>,
}

/// Check that at least `threshold` distinct keys of `keyring` signed `message`, and if so
/// mark `value` as verified.
///
/// # Errors
/// [`CryptoError::ThresholdNotMet`] with the reason each signature did not count.
pub fn verify_threshold<T>(
    value: T,
    message: &[u8],
    signatures: &[SignatureEntry],
    keyring: &Keyring,
    threshold: Threshold,
) -> Result<Verified<T>> {
    let mut signers = BTreeSet::new();
    let mut problems = Vec::new();
    if signatures.is_empty() {
        problems.push("there are no signatures".to_owned());
    }
    for entry in signatures {
        match &entry.key_id {
            Some(id) => {
                if signers.contains(id) {
                    problems.push(format!("key {id} signed more than once; counted once"));
                    continue;
                }
                let Some(key) = keyring.get(id) else {
                    problems.push(format!("key {id} is not authorised"));
                    continue;
                };
                match key.verify_raw(message, &entry.sig) {
                    Ok(()) => {
                        signers.insert(id.clone());
                    }
                    Err(e) => problems.push(e.to_string()),
                }
            }
            None => {
                let hit = keyring
                    .iter()
                    .filter(|k| !signers.contains(&k.key_id()))
                    .find(|k| k.verify_raw(message, &entry.sig).is_ok());
                match hit {
                    Some(k) => {
                        signers.insert(k.key_id());
                    }
                    None => problems.push(
                        "a signature without key ID matches no authorised key not already counted"
                            .to_owned(),
                    ),
                }
            }
        }
    }
    if signers.len() >= threshold.get() {
        Ok(Verified::new(value, signers))
    } else {
        let detail = if problems.is_empty() {
            String::new()
        } else {
            format!(": {}", problems.join("; "))
        };
        Err(CryptoError::ThresholdNotMet {
            valid: signers.len(),
            threshold: threshold.get(),
            detail,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyType, PrivateKey};

    fn entry(key: &PrivateKey, msg: &[u8]) -> SignatureEntry {
        SignatureEntry {
            key_id: Some(key.public_key().key_id()),
            sig: key.sign(msg).expect("sign"),
        }
    }

    #[test]
    fn counts_distinct_authorised_keys_only() {
        let a = PrivateKey::generate(KeyType::Ed25519).expect("key");
        let b = PrivateKey::generate(KeyType::EcdsaP256).expect("key");
        let outsider = PrivateKey::generate(KeyType::Ed25519).expect("key");
        let ring = Keyring::new([a.public_key(), b.public_key()]).expect("ring");
        let two = Threshold::new(2).expect("nonzero");
        let msg = b"m";

        // The same key twice does not make two.
        let err = verify_threshold((), msg, &[entry(&a, msg), entry(&a, msg)], &ring, two)
            .expect_err("one key");
        assert!(err.to_string().contains("counted once"), "{err}");
        // An outsider does not count.
        let err = verify_threshold(
            (),
            msg,
            &[entry(&a, msg), entry(&outsider, msg)],
            &ring,
            two,
        )
        .expect_err("outsider");
        assert!(err.to_string().contains("not authorised"), "{err}");
        // A signature over something else does not count.
        assert!(verify_threshold((), msg, &[entry(&a, msg), entry(&b, b"x")], &ring, two).is_err());
        // No signatures at all.
        assert!(
            verify_threshold((), msg, &[], &ring, Threshold::new(1).expect("nonzero")).is_err()
        );
        // Two distinct keys do.
        let ok =
            verify_threshold(7, msg, &[entry(&a, msg), entry(&b, msg)], &ring, two).expect("ok");
        assert_eq!(*ok.get(), 7);
        assert_eq!(ok.signers().len(), 2);
    }

    #[test]
    fn anonymous_signatures_count_each_key_once() {
        let a = PrivateKey::generate(KeyType::Ed25519).expect("key");
        let ring = Keyring::new([a.public_key()]).expect("ring");
        let sig = a.sign(b"m").expect("sign");
        let anon = SignatureEntry { key_id: None, sig };
        let two = Threshold::new(2).expect("nonzero");
        assert!(verify_threshold((), b"m", &[anon.clone(), anon.clone()], &ring, two).is_err());
        assert!(
            verify_threshold(
                (),
                b"m",
                &[anon],
                &ring,
                Threshold::new(1).expect("nonzero")
            )
            .is_ok()
        );
    }

    #[test]
    fn keyrings_refuse_duplicates_and_zero_thresholds() {
        let a = PrivateKey::generate(KeyType::Ed25519).expect("key");
        assert!(Keyring::new([a.public_key(), a.public_key()]).is_err());
        let alias = a
            .public_key()
            .with_declared_key_id(KeyId::declared("alias"));
        let err = Keyring::new([a.public_key(), alias]).expect_err("same material");
        assert!(err.to_string().contains("two key IDs"));
        assert!(Threshold::new(0).is_err());
    }
}
