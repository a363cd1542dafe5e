//! Metadata documents as the repository side edits them, and writing them signed.
//!
//! Small documents (root, timestamp, snapshot, delegations) are edited as JSON values, so
//! unknown fields survive. A targets document keeps its target entries typed, because a
//! repository of a million targets would need gigabytes as JSON values; it is written
//! straight from the struct with sorted keys, like canonical JSON and python-tuf's files
//! require (see `custody_core::canonical_json::to_vec_sorted`).

use crate::TufError;
use custody_core::canonical_json::{self, SortedValue};
use custody_core::python_json::{self, PythonJsonStyle};
use custody_crypto::keys::PrivateKey;
use serde::ser::{SerializeMap as _, SerializeSeq as _};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A target file entry.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetEntry {
    /// Length in bytes.
    pub length: u64,
    /// Hex digests by algorithm, sorted by name.
    pub hashes: Vec<(String, String)>,
    /// Every other field (`custom`, unknown ones), kept as read.
    pub rest: Map<String, Value>,
}

/// A targets document (`signed`), target entries typed, everything else as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetsDoc {
    /// Target entries by path.
    pub targets: BTreeMap<String, TargetEntry>,
    /// `_type`, `version`, `expires`, `spec_version`, `delegations`, unknown fields.
    pub rest: Map<String, Value>,
}

impl TargetsDoc {
    /// A new, empty targets document.
    #[must_use]
    pub fn new(version: u64, expires: &str) -> Self {
        let mut rest = Map::new();
        rest.insert("_type".into(), Value::from("targets"));
        rest.insert("spec_version".into(), Value::from(crate::SPEC_VERSION));
        rest.insert("version".into(), Value::from(version));
        rest.insert("expires".into(), Value::from(expires));
        Self {
            targets: BTreeMap::new(),
            rest,
        }
    }

    /// Read the `signed` part of a targets document.
    ///
    /// # Errors
    /// [`TufError::Malformed`] for target entries without a length or hashes.
    pub fn from_value(signed: Value) -> Result<Self, TufError> {
        let bad = |m: String| TufError::Malformed {
            role: "targets".into(),
            detail: m,
        };
        let Value::Object(mut rest) = signed else {
            return Err(bad("\"signed\" is not an object".into()));
        };
        let Some(Value::Object(entries)) = rest.remove("targets") else {
            return Err(bad("no \"targets\" object".into()));
        };
        let mut targets = BTreeMap::new();
        for (path, entry) in entries {
            let Value::Object(mut fields) = entry else {
                return Err(bad(format!("targets[{path:?}] is not an object")));
            };
            let length = fields
                .remove("length")
                .and_then(|v| v.as_u64())
                .ok_or_else(|| bad(format!("targets[{path:?}] has no length")))?;
            let Some(Value::Object(h)) = fields.remove("hashes") else {
                return Err(bad(format!("targets[{path:?}] has no hashes")));
            };
            let hashes = h
                .into_iter()
                .map(|(a, v)| match v {
                    Value::String(s) => Ok((a, s)),
                    _ => Err(bad(format!("targets[{path:?}].hashes.{a} is not a string"))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            targets.insert(
                path,
                TargetEntry {
                    length,
                    hashes,
                    rest: fields,
                },
            );
        }
        Ok(Self { targets, rest })
    }

    /// The version.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.rest
            .get("version")
            .and_then(Value::as_u64)
            .unwrap_or(0)
    }
}

/// Serialise the union of `typed` fields (already sorted) and `rest`, in byte order.
fn merged<S: serde::Serializer>(
    serializer: S,
    rest: &Map<String, Value>,
    typed: &[&str],
    mut write_typed: impl FnMut(&str, &mut S::SerializeMap) -> Result<(), S::Error>,
) -> Result<S::Ok, S::Error> {
    let mut keys: Vec<&str> = rest
        .keys()
        .map(String::as_str)
        .filter(|k| !typed.contains(k))
        .chain(typed.iter().copied())
        .collect();
    keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    let mut map = serializer.serialize_map(Some(keys.len()))?;
    for key in keys {
        if typed.contains(&key) {
            write_typed(key, &mut map)?;
        } else if let Some(v) = rest.get(key) {
            map.serialize_entry(key, &SortedValue(v))?;
        }
    }
    map.end()
}

impl serde::Serialize for TargetEntry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        merged(serializer, &self.rest, &["hashes", "length"], |key, map| {
            if key == "hashes" {
                map.serialize_entry(key, &SortedPairs(&self.hashes))
            } else {
                map.serialize_entry(key, &self.length)
            }
        })
    }
}

impl serde::Serialize for TargetsDoc {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        merged(serializer, &self.rest, &["targets"], |key, map| {
            map.serialize_entry(key, &self.targets)
        })
    }
}

/// String pairs written as an object in byte order of the keys.
struct SortedPairs<'a>(&'a [(String, String)]);

impl serde::Serialize for SortedPairs<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut pairs: Vec<&(String, String)> = self.0.iter().collect();
        pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut map = serializer.serialize_map(Some(pairs.len()))?;
        for (k, v) in pairs {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// A signature to add: the key ID as the metadata declares it, and the key.
pub type Signer<'a> = (&'a str, &'a PrivateKey);

/// Sign a document (whose `Serialize` writes sorted keys) with each signer, keeping
/// `existing` signatures by other key IDs, and return the file's bytes in python-tuf's
/// layout.
///
/// # Errors
/// [`TufError::Malformed`] for floats; [`TufError::Usage`] if a key cannot sign.
pub fn sign_document<T: serde::Serialize>(
    signed: &T,
    signers: &[Signer<'_>],
    existing: &[(String, String)],
) -> Result<Vec<u8>, TufError> {
    let canonical = canonical_json::to_vec_sorted(signed).map_err(|e| TufError::Malformed {
        role: "metadata".into(),
        detail: e.to_string(),
    })?;
    let mut signatures: Vec<(String, String)> = existing
        .iter()
        .filter(|(id, _)| !signers.iter().any(|(s, _)| s == id))
        .cloned()
        .collect();
    for (keyid, key) in signers {
        let sig = key
            .sign(&canonical)
            .map_err(|e| TufError::Usage(format!("signing with key {keyid} failed: {e}")))?;
        signatures.push(((*keyid).to_owned(), hex::encode(sig)));
    }
    signatures.sort();
    signatures.dedup_by(|a, b| a.0 == b.0);
    Ok(metadata_file_bytes(&signatures, signed))
}

/// `{"signatures": [...], "signed": {...}}` as python-tuf writes it (indent 1).
fn metadata_file_bytes<T: serde::Serialize>(
    signatures: &[(String, String)],
    signed: &T,
) -> Vec<u8> {
    struct Sigs<'a>(&'a [(String, String)]);
    impl serde::Serialize for Sigs<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
            for (keyid, sig) in self.0 {
                let mut m = BTreeMap::new();
                m.insert("keyid", keyid);
                m.insert("sig", sig);
                seq.serialize_element(&m)?;
            }
            seq.end()
        }
    }
    #[derive(serde::Serialize)]
    struct File<'a, T> {
        signatures: Sigs<'a>,
        signed: &'a T,
    }
    python_json::to_vec_sorted(
        &File {
            signatures: Sigs(signatures),
            signed,
        },
        PythonJsonStyle::INDENT_1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn targets_documents_write_like_json_values() {
        let signed = json!({"_type": "targets", "version": 3, "expires": "2030-01-01T00:00:00Z",
            "spec_version": "1.0.31", "x-extra": {"b": 1, "a": [true]},
            "targets": {"b/é.txt": {"length": 5, "hashes": {"sha512": "bb", "sha256": "aa"},
                                    "custom": {"z": 1, "a": null}},
                        "a": {"length": 0, "hashes": {"sha256": "00"}}}});
        let doc = TargetsDoc::from_value(signed.clone()).expect("parses");
        assert_eq!(doc.version(), 3);
        assert_eq!(
            canonical_json::to_vec_sorted(&doc).expect("canonical"),
            canonical_json::to_vec(&signed).expect("canonical")
        );
        assert_eq!(
            python_json::to_vec_sorted(&doc, PythonJsonStyle::INDENT_1),
            python_json::to_string(&signed, PythonJsonStyle::INDENT_1).into_bytes()
        );
    }
}
