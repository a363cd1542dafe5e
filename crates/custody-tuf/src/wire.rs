//! Reading metadata text without building a JSON tree of all of it.
//!
//! A targets file lists every target; building a `serde_json::Value` for 10,000 of them
//! (a map and a string per key) and then copying them into [`TargetFile`]s was most of a
//! client's warm refresh. Here the envelope hands back the `signed` text untouched (it is
//! canonicalised from the text, see [`custody_core::canonical_json::canonicalize`]), and the
//! long maps (a targets document's `targets`, a snapshot's `meta`) are read straight into
//! typed entries. The small rest of `signed` still becomes a `Value` for
//! [`crate::metadata::Fields`], which carries python-tuf's rules and messages.
//!
//! The canonicaliser refuses keys given twice before any of this reads the text, so no
//! reader here has to decide which of two values counts.

use crate::metadata::{Hashes, MetaFile, TargetFile};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// The top-level object: `signatures` as a value, `signed` as its exact text, anything
/// else ignored (python-tuf keeps unknown top-level fields, and they are not signed).
pub(crate) struct Envelope<'a> {
    pub(crate) signatures: Option<Value>,
    pub(crate) signed: Option<&'a RawValue>,
}

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum EnvelopeField {
    Signatures,
    Signed,
    #[serde(other)]
    Other,
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Envelope<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EnvelopeVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for EnvelopeVisitor<'a> {
            type Value = Envelope<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a metadata object with \"signed\" and \"signatures\"")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<'a>, A::Error> {
                let mut out = Envelope {
                    signatures: None,
                    signed: None,
                };
                while let Some(field) = map.next_key::<EnvelopeField>()? {
                    match field {
                        EnvelopeField::Signatures if out.signatures.is_none() => {
                            out.signatures = Some(map.next_value()?);
                        }
                        EnvelopeField::Signed if out.signed.is_none() => {
                            out.signed = Some(map.next_value()?);
                        }
                        EnvelopeField::Signatures | EnvelopeField::Signed => {
                            return Err(de::Error::custom(TWICE));
                        }
                        EnvelopeField::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(EnvelopeVisitor(std::marker::PhantomData))
    }
}

/// The whole document read for its content: `signed` into [`SignedFields`], anything else
/// skipped (the signatures are read with the canonical text, see [`Envelope`]).
pub(crate) struct Document {
    pub(crate) signed: Option<SignedFields>,
}

/// Which long map of `signed` is read into typed entries instead of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypedMap {
    /// None: root and timestamp are small.
    None,
    /// `targets` of a targets document (top-level or delegated).
    Targets,
    /// `targets` of a targets document, skipped (read later, see
    /// [`crate::metadata::TargetMap`]).
    TargetsSkipped,
    /// `meta` of a snapshot.
    SnapshotMeta,
}

/// Reads a [`Document`], with `typed` read into typed entries.
pub(crate) struct DocumentSeed {
    pub(crate) typed: TypedMap,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed {
    type Value = Document;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Document, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed {
    type Value = Document;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a metadata object with \"signed\" and \"signatures\"")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut out = Document { signed: None };
        let mut signatures_seen = false;
        while let Some(field) = map.next_key::<EnvelopeField>()? {
            match field {
                EnvelopeField::Signatures if !signatures_seen => {
                    signatures_seen = true;
                    map.next_value::<IgnoredAny>()?;
                }
                EnvelopeField::Signed if out.signed.is_none() => {
                    out.signed = Some(map.next_value_seed(SignedSeed { typed: self.typed })?);
                }
                EnvelopeField::Signatures | EnvelopeField::Signed => {
                    return Err(de::Error::custom(TWICE));
                }
                EnvelopeField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

const TWICE: &str = "\"signed\" or \"signatures\" appears twice";

/// The `signed` object's fields as values, except the typed map.
pub(crate) struct SignedFields {
    pub(crate) map: Map<String, Value>,
    pub(crate) targets: Option<BTreeMap<String, TargetFile>>,
    /// `targets` was there and skipped ([`TypedMap::TargetsSkipped`]).
    pub(crate) targets_skipped: bool,
    pub(crate) meta: Option<BTreeMap<String, MetaFile>>,
}

/// Reads `signed`.
struct SignedSeed {
    typed: TypedMap,
}

impl<'de> DeserializeSeed<'de> for SignedSeed {
    type Value = SignedFields;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<SignedFields, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SignedSeed {
    type Value = SignedFields;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a \"signed\" object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SignedFields, A::Error> {
        let mut out = SignedFields {
            map: Map::new(),
            targets: None,
            targets_skipped: false,
            meta: None,
        };
        while let Some(key) = map.next_key::<String>()? {
            if self.typed == TypedMap::Targets && key == "targets" {
                out.targets = Some(map.next_value_seed(TargetsSeed)?);
            } else if self.typed == TypedMap::TargetsSkipped && key == "targets" {
                map.next_value::<IgnoredAny>()?;
                out.targets_skipped = true;
            } else if self.typed == TypedMap::SnapshotMeta && key == "meta" {
                out.meta = Some(map.next_value_seed(MetaSeed)?);
            } else {
                let value = map.next_value()?;
                out.map.insert(key, value);
            }
        }
        Ok(out)
    }
}

/// A long object of typed entries, read by `entry` for each key. Collected, then built in
/// one go: `from_iter` sorts (a linear check for the sorted lists repositories write) and
/// builds the tree bottom-up, far cheaper than inserting one by one.
fn collect_entries<'de, A: MapAccess<'de>, V>(
    mut map: A,
    mut entry: impl FnMut(&mut A, &str) -> Result<V, A::Error>,
) -> Result<BTreeMap<String, V>, A::Error> {
    let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
    while let Some(key) = map.next_key::<String>()? {
        let value = entry(&mut map, &key)?;
        out.push((key, value));
    }
    Ok(out.into_iter().collect())
}

/// `targets`: path to target file.
struct TargetsSeed;

impl<'de> DeserializeSeed<'de> for TargetsSeed {
    type Value = BTreeMap<String, TargetFile>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TargetsSeed {
    type Value = BTreeMap<String, TargetFile>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("\"targets\" to be an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        collect_entries(map, |map, path| map.next_value_seed(TargetFileSeed(path)))
    }
}

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum TargetField {
    Length,
    Hashes,
    Custom,
    #[serde(other)]
    Other,
}

/// One target file; the path is only for messages.
struct TargetFileSeed<'p>(&'p str);

impl<'de> DeserializeSeed<'de> for TargetFileSeed<'_> {
    type Value = TargetFile;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<TargetFile, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TargetFileSeed<'_> {
    type Value = TargetFile;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "targets[{:?}] to be an object", self.0)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TargetFile, A::Error> {
        let path = self.0;
        let fail = |detail: &str| de::Error::custom(format!("targets[{path:?}]: {detail}"));
        let (mut length, mut hashes, mut custom) = (None, None, None);
        while let Some(field) = map.next_key::<TargetField>()? {
            match field {
                TargetField::Length => length = Some(next_length(&mut map, &fail)?),
                TargetField::Hashes => {
                    hashes = Some(map.next_value_seed(HashesSeed(Entry::Target(path)))?);
                }
                TargetField::Custom => custom = Some(map.next_value()?),
                TargetField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(TargetFile {
            length: length.ok_or_else(|| fail("missing field \"length\""))?,
            hashes: hashes.ok_or_else(|| fail("missing field \"hashes\""))?,
            custom,
        })
    }
}

/// Which entry a value belongs to, for messages (formatted only on error).
#[derive(Clone, Copy)]
enum Entry<'p> {
    /// `targets[path]`.
    Target(&'p str),
    /// `meta[name]`.
    Meta(&'p str),
}

impl fmt::Display for Entry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Target(path) => write!(f, "targets[{path:?}]"),
            Self::Meta(name) => write!(f, "meta[{name:?}]"),
        }
    }
}

/// A `length`: a non-negative integer.
fn next_length<'de, A: MapAccess<'de>>(
    map: &mut A,
    fail: &impl Fn(&str) -> A::Error,
) -> Result<u64, A::Error> {
    let v: Value = map.next_value()?;
    v.as_u64()
        .ok_or_else(|| fail("\"length\" is not a non-negative integer"))
}

/// An entry's `hashes`, read straight into pairs.
struct HashesSeed<'p>(Entry<'p>);

impl<'de> DeserializeSeed<'de> for HashesSeed<'_> {
    type Value = Hashes;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Hashes, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for HashesSeed<'_> {
    type Value = Hashes;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: \"hashes\" to be an object", self.0)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Hashes, A::Error> {
        let entry = self.0;
        let mut out = Vec::with_capacity(1);
        while let Some(alg) = map.next_key::<String>()? {
            match map.next_value::<Value>()? {
                Value::String(hex) => out.push((alg, hex)),
                _ => {
                    return Err(de::Error::custom(format!(
                        "{entry}: hashes[{alg:?}] is not a string"
                    )));
                }
            }
        }
        if out.is_empty() {
            return Err(de::Error::custom(format!("{entry}: \"hashes\" is empty")));
        }
        out.sort();
        Ok(Hashes(out))
    }
}

/// A snapshot's `meta`: file name to version (and optionally length and hashes).
struct MetaSeed;

impl<'de> DeserializeSeed<'de> for MetaSeed {
    type Value = BTreeMap<String, MetaFile>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MetaSeed {
    type Value = BTreeMap<String, MetaFile>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("\"meta\" to be an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        collect_entries(map, |map, name| map.next_value_seed(MetaFileSeed(name)))
    }
}

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum MetaField {
    Version,
    Length,
    Hashes,
    #[serde(other)]
    Other,
}

/// One `meta` entry; the file name is only for messages.
struct MetaFileSeed<'p>(&'p str);

impl<'de> DeserializeSeed<'de> for MetaFileSeed<'_> {
    type Value = MetaFile;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<MetaFile, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MetaFileSeed<'_> {
    type Value = MetaFile;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "meta[{:?}] to be an object", self.0)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MetaFile, A::Error> {
        let entry = Entry::Meta(self.0);
        let fail = |detail: &str| de::Error::custom(format!("{entry}: {detail}"));
        let (mut version, mut length, mut hashes) = (None, None, None);
        while let Some(field) = map.next_key::<MetaField>()? {
            match field {
                MetaField::Version => {
                    let v: Value = map.next_value()?;
                    version = Some(
                        v.as_u64()
                            .filter(|n| *n > 0)
                            .ok_or_else(|| fail("\"version\" must be an integer of at least 1"))?,
                    );
                }
                MetaField::Length => length = Some(next_length(&mut map, &fail)?),
                MetaField::Hashes => hashes = Some(map.next_value_seed(HashesSeed(entry))?),
                MetaField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(MetaFile {
            version: version.ok_or_else(|| fail("missing field \"version\""))?,
            length,
            hashes,
        })
    }
}

/// Hex digests by algorithm, sorted by algorithm name; never empty.
pub(crate) fn hashes_from_map(m: Map<String, Value>) -> Result<Hashes, String> {
    if m.is_empty() {
        return Err("\"hashes\" is empty".to_owned());
    }
    let mut out = Vec::with_capacity(m.len());
    for (alg, hex) in m {
        let Value::String(hex) = hex else {
            return Err(format!("hashes[{alg:?}] is not a string"));
        };
        out.push((alg, hex));
    }
    out.sort();
    Ok(Hashes(out))
}

#[cfg(test)]
mod tests {
    use crate::metadata::{RoleType, Snapshot, Targets, parse};

    fn doc(targets: &str) -> String {
        format!(
            r#"{{"signatures": [], "signed": {{"_type": "targets", "spec_version": "1.0.31",
            "version": 1, "expires": "2030-01-01T00:00:00Z", "targets": {targets}}}}}"#
        )
    }

    fn error(targets: &str) -> String {
        match parse::<Targets>(doc(targets).as_bytes(), RoleType::Targets) {
            Ok(_) => panic!("{targets} parsed"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn reads_target_entries_in_any_key_order() {
        let parsed = parse::<Targets>(
            doc(r#"{"b": {"custom": {"x": 1}, "length": 3, "hashes": {"sha512": "bb", "sha256": "aa"}},
                    "a": {"hashes": {"sha256": "cc"}, "length": 0, "unknown": [1]}}"#)
            .as_bytes(),
            RoleType::Targets,
        )
        .expect("valid");
        let entries = parsed.payload.targets.entries().expect("read");
        let names: Vec<&String> = entries.keys().collect();
        assert_eq!(names, ["a", "b"]);
        let b = &entries["b"];
        assert_eq!(b.length, 3);
        assert_eq!(
            b.hashes.0,
            [
                ("sha256".to_owned(), "aa".to_owned()),
                ("sha512".to_owned(), "bb".to_owned())
            ]
        );
        assert_eq!(b.custom, Some(serde_json::json!({"x": 1})));
    }

    #[test]
    fn bad_target_entries_are_named() {
        for (targets, expected) in [
            (
                r#"{"f": {"length": -1, "hashes": {"sha256": "aa"}}}"#,
                r#"targets["f"]: "length" is not"#,
            ),
            (
                r#"{"f": {"length": 1.0, "hashes": {"sha256": "aa"}}}"#,
                "floating point",
            ),
            (
                r#"{"f": {"length": 1, "hashes": {}}}"#,
                r#"targets["f"]: "hashes" is empty"#,
            ),
            (
                r#"{"f": {"length": 1, "hashes": {"sha256": 5}}}"#,
                r#"hashes["sha256"] is not a string"#,
            ),
            (
                r#"{"f": {"length": 1, "hashes": "aa"}}"#,
                r#"targets["f"]: "hashes" to be an object"#,
            ),
            (
                r#"{"f": {"hashes": {"sha256": "aa"}}}"#,
                r#"targets["f"]: missing field "length""#,
            ),
            (
                r#"{"f": {"length": 1}}"#,
                r#"targets["f"]: missing field "hashes""#,
            ),
            (r#"{"f": []}"#, r#"targets["f"] to be an object"#),
            (r#"[]"#, r#""targets" to be an object"#),
            (
                r#"{"f": {"length": 1, "length": 2, "hashes": {"sha256": "aa"}}}"#,
                "appears twice",
            ),
            (
                r#"{"f": {"length": 1, "hashes": {"sha256": "aa"}}, "f": {"length": 1, "hashes": {"sha256": "aa"}}}"#,
                "appears twice",
            ),
        ] {
            let message = error(targets);
            assert!(message.contains(expected), "{targets}: {message}");
        }
    }

    fn snapshot(meta: &str) -> String {
        format!(
            r#"{{"signatures": [], "signed": {{"_type": "snapshot", "spec_version": "1.0.31",
            "version": 1, "expires": "2030-01-01T00:00:00Z", "meta": {meta}}}}}"#
        )
    }

    #[test]
    fn reads_snapshot_meta_typed() {
        let parsed = parse::<Snapshot>(
            snapshot(
                r#"{"targets.json": {"version": 3, "length": 10, "hashes": {"sha256": "aa"}, "x": [1]},
                    "a.json": {"version": 1}}"#,
            )
            .as_bytes(),
            RoleType::Snapshot,
        )
        .expect("valid");
        let names: Vec<&String> = parsed.payload.meta.keys().collect();
        assert_eq!(names, ["a.json", "targets.json"]);
        let t = &parsed.payload.meta["targets.json"];
        assert_eq!((t.version, t.length), (3, Some(10)));
        assert_eq!(
            t.hashes.as_ref().map(|h| h.0.clone()),
            Some(vec![("sha256".to_owned(), "aa".to_owned())])
        );
        let a = &parsed.payload.meta["a.json"];
        assert_eq!((a.version, a.length, a.hashes.is_none()), (1, None, true));
    }

    #[test]
    fn bad_snapshot_meta_entries_are_named() {
        for (meta, expected) in [
            (
                r#"{"a.json": {"version": 0}}"#,
                r#"meta["a.json"]: "version" must be"#,
            ),
            (
                r#"{"a.json": {"version": "1"}}"#,
                r#"meta["a.json"]: "version" must be"#,
            ),
            (
                r#"{"a.json": {}}"#,
                r#"meta["a.json"]: missing field "version""#,
            ),
            (
                r#"{"a.json": {"version": 1, "length": -3}}"#,
                r#"meta["a.json"]: "length" is not"#,
            ),
            (
                r#"{"a.json": {"version": 1, "hashes": {}}}"#,
                r#"meta["a.json"]: "hashes" is empty"#,
            ),
            (
                r#"{"a.json": {"version": 1, "hashes": {"sha256": 1}}}"#,
                r#"meta["a.json"]: hashes["sha256"] is not a string"#,
            ),
            (r#"{"a.json": 1}"#, r#"meta["a.json"] to be an object"#),
            (r#"[]"#, r#""meta" to be an object"#),
            (
                r#"{"a.json": {"version": 1}, "a.json": {"version": 2}}"#,
                "appears twice",
            ),
        ] {
            let Err(e) = parse::<Snapshot>(snapshot(meta).as_bytes(), RoleType::Snapshot) else {
                panic!("{meta} parsed");
            };
            let message = e.to_string();
            assert!(message.contains(expected), "{meta}: {message}");
        }
        let no_meta = snapshot("{}").replace(r#", "meta": {}"#, "");
        let Err(e) = parse::<Snapshot>(no_meta.as_bytes(), RoleType::Snapshot) else {
            panic!("parsed without meta");
        };
        assert!(e.to_string().contains(r#"missing field "meta""#), "{e}");
    }

    #[test]
    fn envelope_fields_given_twice_are_refused() {
        let text = doc("{}").replacen(
            r#""signatures": [], "#,
            r#""signatures": [], "signatures": [], "#,
            1,
        );
        let Err(e) = parse::<Targets>(text.as_bytes(), RoleType::Targets) else {
            panic!("parsed");
        };
        assert!(e.to_string().contains("appears twice"), "{e}");
    }
}
