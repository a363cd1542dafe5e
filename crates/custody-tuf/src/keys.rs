//! Keys as TUF metadata lists them, and the threshold check for one role.
//!
//! Key IDs are opaque: a key is known by the ID the metadata declares, never by one we
//! compute. A key of a type or scheme we cannot verify is kept as unusable: it can never
//! count towards a threshold, but it does not make the whole document unreadable.
//!
//! The threshold itself is counted by `custody_crypto::threshold`, the one place custody
//! counts signatures: distinct authorised keys only, each at most once. The same key
//! material listed under two key IDs counts once.

use crate::TufError;
use crate::metadata::{Fields, Signature};
use custody_crypto::keys::{KeyId, PublicKey};
use custody_crypto::threshold::{Keyring, SignatureEntry, Threshold, verify_threshold};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The (keytype, scheme) pairs securesystemslib knows. A key of another pair makes the
/// document unreadable, as in python-tuf; a known pair custody cannot verify (P-384, RSA
/// with SHA-512, ML-DSA, GPG) is listed but unusable, so it never counts.
const KNOWN_KEY_TYPES: &[(&str, &str)] = &[
    ("ed25519", "ed25519"),
    ("ecdsa", "ecdsa-sha2-nistp256"),
    ("ecdsa", "ecdsa-sha2-nistp384"),
    ("ecdsa", "ecdsa-sha2-nistp521"),
    ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"),
    ("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384"),
    ("ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521"),
    ("rsa", "rsassa-pss-sha256"),
    ("rsa", "rsassa-pss-sha384"),
    ("rsa", "rsassa-pss-sha512"),
    ("rsa", "rsa-pkcs1v15-sha256"),
    ("rsa", "rsa-pkcs1v15-sha384"),
    ("rsa", "rsa-pkcs1v15-sha512"),
    ("ml-dsa", "ml-dsa-44/1"),
    ("ml-dsa", "ml-dsa-65/1"),
    ("ml-dsa", "ml-dsa-87/1"),
    ("rsa", "pgp+rsa-pkcsv1.5"),
    ("dsa", "pgp+dsa-fips-180-2"),
    ("eddsa", "pgp+eddsa-ed25519"),
];

/// Keys by declared key ID.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: BTreeMap<String, Result<PublicKey, String>>,
}

impl KeySet {
    pub(crate) fn from_json(map: Map<String, Value>, parent: &Fields) -> Result<Self, TufError> {
        let mut keys = BTreeMap::new();
        for (id, v) in map {
            let Value::Object(obj) = &v else {
                return Err(parent.error(format!("keys[{id:?}] is not an object")));
            };
            let text = |field: &str| obj.get(field).and_then(Value::as_str);
            let (Some(keytype), Some(scheme)) = (text("keytype"), text("scheme")) else {
                return Err(parent.error(format!(
                    "keys[{id:?}] needs string \"keytype\" and \"scheme\""
                )));
            };
            if !KNOWN_KEY_TYPES.contains(&(keytype, scheme)) {
                return Err(parent.error(format!(
                    "keys[{id:?}]: unknown key type {keytype:?} with scheme {scheme:?}"
                )));
            }
            if !obj
                .get("keyval")
                .and_then(|kv| kv.get("public"))
                .is_some_and(Value::is_string)
            {
                return Err(
                    parent.error(format!("keys[{id:?}] has no string \"keyval\".\"public\""))
                );
            }
            // The declared ID wins over any "keyid" inside the key object.
            let key = PublicKey::from_sslib_json(&without_keyid(obj))
                .map(|k| k.with_declared_key_id(KeyId::declared(id.clone())))
                .map_err(|e| e.to_string());
            keys.insert(id, key);
        }
        Ok(Self { keys })
    }

    /// The usable key with this ID.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&PublicKey> {
        self.keys.get(id).and_then(|k| k.as_ref().ok())
    }

    /// Why the key with this ID cannot be used, if it is listed but unusable.
    #[must_use]
    pub fn unusable_reason(&self, id: &str) -> Option<&str> {
        self.keys
            .get(id)
            .and_then(|k| k.as_ref().err().map(String::as_str))
    }

    /// Number of keys listed (usable or not).
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no keys are listed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

fn without_keyid(obj: &Map<String, Value>) -> Value {
    let mut obj = obj.clone();
    obj.remove("keyid");
    Value::Object(obj)
}

/// The key IDs authorised for a role and how many of them must sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleKeys {
    /// Authorised key IDs (no duplicates).
    pub keyids: Vec<String>,
    /// Signatures needed, at least 1.
    pub threshold: u64,
}

impl RoleKeys {
    pub(crate) fn from_fields(f: &mut Fields) -> Result<Self, TufError> {
        let keyids = match f.take("keyids")? {
            Value::Array(items) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(f.error("\"keyids\" holds a non-string")),
                })
                .collect::<Result<Vec<_>, _>>()?,
            _ => return Err(f.error("\"keyids\" is not an array")),
        };
        let mut sorted = keyids.clone();
        sorted.sort_unstable();
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            return Err(f.error("\"keyids\" lists a key ID twice"));
        }
        let threshold = f.positive("threshold")?;
        Ok(Self { keyids, threshold })
    }

    /// Whether at least `threshold` distinct keys of this role, found in `keys`, signed
    /// `message`. On failure, the reason.
    pub(crate) fn check_threshold(
        &self,
        keys: &KeySet,
        message: &[u8],
        signatures: &[Signature],
    ) -> Result<(), String> {
        let threshold = usize::try_from(self.threshold)
            .ok()
            .and_then(|t| Threshold::new(t).ok())
            .ok_or_else(|| format!("threshold {} is not usable", self.threshold))?;
        let mut ring = Keyring::default();
        let mut notes = Vec::new();
        for id in &self.keyids {
            match keys.get(id) {
                // A key already in the ring under another ID is the same signer: skip it.
                Some(key) => {
                    if ring.insert(key.clone()).is_err() {
                        notes.push(format!("key {id} repeats another key of the role"));
                    }
                }
                None => match keys.unusable_reason(id) {
                    Some(why) => notes.push(format!("key {id} is unusable: {why}")),
                    None => notes.push(format!("key {id} is not listed in the keys")),
                },
            }
        }
        let entries: Vec<SignatureEntry> = signatures
            .iter()
            .filter_map(|s| {
                Some(SignatureEntry {
                    key_id: Some(KeyId::declared(s.keyid.clone())),
                    sig: hex::decode(&s.sig).ok()?,
                })
            })
            .collect();
        verify_threshold((), message, &entries, &ring, threshold)
            .map(|_| ())
            .map_err(|e| {
                if notes.is_empty() {
                    e.to_string()
                } else {
                    format!("{e} ({})", notes.join("; "))
                }
            })
    }
}
