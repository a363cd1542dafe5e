//! TUF metadata as received: the envelope (`{"signed", "signatures"}`), the fields every
//! role shares, and the four role payloads (root, timestamp, snapshot, targets).
//!
//! Parsing is strict where python-tuf is strict (a metadata file python-tuf refuses is
//! refused here, so both clients agree), and lenient where the specification asks for it:
//! unknown fields are kept and ignored, key IDs are opaque strings as declared. A parsed
//! document is [`Unverified`] until [`Unverified::verify`] checks its signatures against
//! a role's keys; only then can the trusted set hold it.

use crate::TufError;
use crate::delegation::Delegations;
use crate::keys::{KeySet, RoleKeys};
use crate::memo::SignatureDigest;
use custody_core::canonical_json;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, OnceLock};

/// The four top-level roles.
pub const TOP_LEVEL_ROLES: [&str; 4] = ["root", "timestamp", "snapshot", "targets"];

/// The `_type` of a metadata document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleType {
    /// `root`.
    Root,
    /// `timestamp`.
    Timestamp,
    /// `snapshot`.
    Snapshot,
    /// `targets` (top-level or delegated).
    Targets,
}

impl RoleType {
    /// The `_type` string.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RoleType::Root => "root",
            RoleType::Timestamp => "timestamp",
            RoleType::Snapshot => "snapshot",
            RoleType::Targets => "targets",
        }
    }
}

/// A signature as found in the envelope: the declared key ID and the hex signature (kept as
/// text: a signature that is not hex simply does not verify).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Key ID, opaque.
    pub keyid: String,
    /// Hex-encoded signature bytes.
    pub sig: String,
}

/// Fields every role's `signed` has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Common {
    /// `spec_version`, e.g. `1.0.31`.
    pub spec_version: String,
    /// Version number, at least 1.
    pub version: u64,
    /// Expiry, Unix seconds.
    pub expires: i64,
}

impl Common {
    /// Whether the metadata has expired at `now` (Unix seconds): expired means `now` is at
    /// or past `expires`, as in python-tuf.
    #[must_use]
    pub fn is_expired(&self, now: i64) -> bool {
        now >= self.expires
    }
}

/// A parsed metadata document whose signatures have not been checked.
#[derive(Debug, Clone)]
pub struct Unverified<T> {
    /// What the document says.
    pub payload: T,
    /// Shared fields.
    pub common: Common,
    canonical_signed: Vec<u8>,
    signatures: Vec<Signature>,
}

/// A metadata document whose signatures met a role's threshold. Only
/// [`Unverified::verify`] makes one.
#[derive(Debug, Clone)]
pub struct Verified<T> {
    /// What the document says.
    pub payload: T,
    /// Shared fields.
    pub common: Common,
    signed: SignedBytes,
}

/// What the signatures of a verified document cover, and the signatures.
#[derive(Debug, Clone)]
enum SignedBytes {
    /// Canonicalised, as checked.
    Canonical(Vec<u8>, Vec<Signature>),
    /// The whole file as received: its check was remembered (see [`crate::memo`]), and
    /// only a second check against other keys needs the canonical text and signatures.
    Remembered(Arc<[u8]>),
}

impl<T> Unverified<T> {
    /// Check the signatures against `role` (key IDs and threshold) with keys from `keys`.
    ///
    /// # Errors
    /// [`TufError::Unsigned`] naming `role_name` when fewer than the threshold of distinct
    /// authorised keys made valid signatures.
    pub fn verify(
        self,
        role_name: &str,
        role: &RoleKeys,
        keys: &KeySet,
    ) -> Result<Verified<T>, TufError> {
        check_signatures(
            role_name,
            role,
            keys,
            &self.canonical_signed,
            &self.signatures,
        )?;
        Ok(Verified {
            payload: self.payload,
            common: self.common,
            signed: SignedBytes::Canonical(self.canonical_signed, self.signatures),
        })
    }
}

impl<T> Verified<T> {
    /// Check that this document's signatures also meet another role definition (a new
    /// root must be signed by the old root's keys and by its own).
    ///
    /// # Errors
    /// As [`Unverified::verify`].
    pub fn verify_also(
        &self,
        role_name: &str,
        role: &RoleKeys,
        keys: &KeySet,
    ) -> Result<(), TufError> {
        match &self.signed {
            SignedBytes::Canonical(canonical, signatures) => {
                check_signatures(role_name, role, keys, canonical, signatures)
            }
            // Read and canonicalised once before; failing now would mean the bytes changed.
            SignedBytes::Remembered(document) => {
                let unreadable = |detail: String| TufError::Unsigned {
                    role: role_name.to_owned(),
                    detail: format!("the remembered document cannot be read again: {detail}"),
                };
                let envelope: crate::wire::Envelope<'_> =
                    serde_json::from_slice(document).map_err(|e| unreadable(e.to_string()))?;
                let signed = envelope
                    .signed
                    .ok_or_else(|| unreadable("no \"signed\" object".into()))?;
                let canonical = canonical_json::canonicalize(signed.get().as_bytes())
                    .map_err(|e| unreadable(e.to_string()))?;
                let signatures = parse_signatures(envelope.signatures, RoleType::Targets)
                    .map_err(|e| unreadable(e.to_string()))?;
                check_signatures(role_name, role, keys, &canonical, &signatures)
            }
        }
    }
}

fn check_signatures(
    role_name: &str,
    role: &RoleKeys,
    keys: &KeySet,
    canonical_signed: &[u8],
    signatures: &[Signature],
) -> Result<(), TufError> {
    role.check_threshold(keys, canonical_signed, signatures)
        .map_err(|detail| TufError::Unsigned {
            role: role_name.to_owned(),
            detail,
        })
}

/// From this size of a document on, canonicalising and checking signatures run on a
/// second thread while the content is read: the two halves take about as long, and below
/// this size starting a thread costs more than it saves.
const PARALLEL_PARSE_BYTES: usize = 16 * 1024;

/// Who must have signed a document: the role (named in messages), its authorised key IDs
/// and threshold, and the keys those IDs refer to.
#[derive(Debug, Clone, Copy)]
pub struct Signers<'a> {
    /// The role's name.
    pub role: &'a str,
    /// Its key IDs and threshold.
    pub role_keys: &'a RoleKeys,
    /// The keys, by ID.
    pub keys: &'a KeySet,
}

/// Parse a metadata file of the expected type.
///
/// # Errors
/// [`TufError::Malformed`] when the bytes are not a metadata document python-tuf would
/// accept, or its `_type` is not `expected`.
pub fn parse<T: Payload>(bytes: &[u8], expected: RoleType) -> Result<Unverified<T>, TufError> {
    read(bytes, expected, None).map(|(document, _)| document)
}

/// Parse a metadata file and check its signatures in one step, so that for a large file
/// the signatures are checked on a second core while the content is read. `signers` may
/// be an error (e.g. the delegator does not delegate to the role): it is reported after
/// any error of the document itself, in the order python-tuf checks them.
///
/// # Errors
/// As [`parse`], then the error in `signers`, then as [`Unverified::verify`].
pub fn parse_and_verify<T: Payload>(
    bytes: &[u8],
    expected: RoleType,
    signers: Result<Signers<'_>, TufError>,
) -> Result<Verified<T>, TufError> {
    let (document, checked) = read(bytes, expected, signers.as_ref().ok().copied())?;
    let signers = signers?;
    match checked {
        Some(Ok(())) => Ok(Verified {
            payload: document.payload,
            common: document.common,
            signed: SignedBytes::Canonical(document.canonical_signed, document.signatures),
        }),
        Some(Err(e)) => Err(e),
        // `read` checks whenever it is given signers.
        None => document.verify(signers.role, signers.role_keys, signers.keys),
    }
}

/// As [`parse_and_verify`], skipping the signature check when `known` says these exact
/// bytes met these signers before (see [`crate::memo`]). Returns the digest of a check
/// made in full, for the caller to remember.
///
/// # Errors
/// As [`parse_and_verify`].
pub fn parse_and_verify_remembered<T: Payload>(
    bytes: &[u8],
    expected: RoleType,
    signers: Result<Signers<'_>, TufError>,
    known: &HashSet<SignatureDigest>,
) -> Result<(Verified<T>, Option<SignatureDigest>), TufError> {
    let Ok(who) = &signers else {
        return parse_and_verify(bytes, expected, signers).map(|v| (v, None));
    };
    let digest = SignatureDigest::of(who, bytes);
    if known.contains(&digest) {
        let document: Arc<[u8]> = Arc::from(bytes);
        let (payload, common) = read_content(bytes, expected, Some(&document))?;
        return Ok((
            Verified {
                payload,
                common,
                signed: SignedBytes::Remembered(document),
            },
            None,
        ));
    }
    parse_and_verify(bytes, expected, signers).map(|v| (v, Some(digest)))
}

/// Whether the signatures meet the threshold, when signers were given.
type SignatureCheck = Option<Result<(), TufError>>;

/// What the signatures cover (the `signed` text, canonicalised), the signatures, and
/// their check.
type CanonicalSide = (Vec<u8>, Vec<Signature>, SignatureCheck);

fn read<T: Payload>(
    bytes: &[u8],
    expected: RoleType,
    signers: Option<Signers<'_>>,
) -> Result<(Unverified<T>, SignatureCheck), TufError> {
    let invalid = |e: serde_json::Error| malformed(expected, format!("invalid JSON: {e}"));
    let canonical_side = || -> Result<CanonicalSide, TufError> {
        let envelope: crate::wire::Envelope<'_> = serde_json::from_slice(bytes).map_err(invalid)?;
        let signed_text = match envelope.signed {
            Some(raw) if raw.get().starts_with('{') => raw.get(),
            _ => return Err(malformed(expected, "no \"signed\" object")),
        };
        let canonical = canonical_json::canonicalize(signed_text.as_bytes())
            .map_err(|e| malformed(expected, e.to_string()))?;
        let signatures = parse_signatures(envelope.signatures, expected)?;
        let checked =
            signers.map(|s| check_signatures(s.role, s.role_keys, s.keys, &canonical, &signatures));
        Ok((canonical, signatures, checked))
    };
    // What the document says, read into fields (and typed long maps).
    let reading_side = || read_content::<T>(bytes, expected, None);
    // rayon's pool: its threads start once per process, where a thread per document
    // cost more than it saved for the many small files of a hash-binned repository.
    let (canonical_side, content) = if bytes.len() >= PARALLEL_PARSE_BYTES {
        rayon::join(canonical_side, reading_side)
    } else {
        (canonical_side(), reading_side())
    };
    // The canonicaliser's error first: it names keys given twice, which the reader does
    // not check.
    let (canonical_signed, signatures, checked) = canonical_side?;
    let (payload, common) = content?;
    let document = Unverified {
        payload,
        common,
        canonical_signed,
        signatures,
    };
    Ok((document, checked))
}

/// Read what a document says (not its signatures). With `remembered` (the whole file, whose
/// signature check is remembered), a large targets document's `targets` are read when a
/// look-up first needs them: a refresh only needs its version and expiry.
fn read_content<T: Payload>(
    bytes: &[u8],
    expected: RoleType,
    remembered: Option<&Arc<[u8]>>,
) -> Result<(T, Common), TufError> {
    let invalid = |e: serde_json::Error| malformed(expected, format!("invalid JSON: {e}"));
    let defer = remembered
        .filter(|_| expected == RoleType::Targets && bytes.len() >= DEFERRED_TARGETS_BYTES);
    let seed = crate::wire::DocumentSeed {
        typed: match expected {
            RoleType::Targets if defer.is_some() => crate::wire::TypedMap::TargetsSkipped,
            RoleType::Targets => crate::wire::TypedMap::Targets,
            RoleType::Snapshot => crate::wire::TypedMap::SnapshotMeta,
            RoleType::Root | RoleType::Timestamp => crate::wire::TypedMap::None,
        },
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let document = serde::de::DeserializeSeed::deserialize(seed, &mut de).map_err(invalid)?;
    de.end().map_err(invalid)?;
    let Some(signed) = document.signed else {
        return Err(malformed(expected, "no \"signed\" object"));
    };
    let mut fields = Fields::new(signed.map, expected);
    fields.targets = match (signed.targets, defer) {
        (Some(read), _) => Some(TargetMap(TargetEntries::Read(read))),
        (None, Some(document)) if signed.targets_skipped => {
            Some(TargetMap(TargetEntries::Deferred {
                document: Arc::clone(document),
                read: OnceLock::new(),
            }))
        }
        (None, _) => None,
    };
    fields.meta = signed.meta;
    let type_name = fields.string("_type")?;
    if type_name != expected.as_str() {
        return Err(malformed(
            expected,
            format!(
                "\"_type\" is {type_name:?}, expected {:?}",
                expected.as_str()
            ),
        ));
    }
    let common = Common {
        spec_version: spec_version(fields.string("spec_version")?, expected)?,
        version: fields.positive("version")?,
        expires: {
            let text = fields.string("expires")?;
            custody_core::time::parse_utc(&text).map_err(|e| malformed(expected, e.to_string()))?
        },
    };
    let payload = T::from_fields(&mut fields)?;
    Ok((payload, common))
}

/// From this size on, a remembered targets document's `targets` are read on first use.
const DEFERRED_TARGETS_BYTES: usize = 64 * 1024;

fn parse_signatures(v: Option<Value>, role: RoleType) -> Result<Vec<Signature>, TufError> {
    let Some(Value::Array(items)) = v else {
        return Err(malformed(role, "no \"signatures\" array"));
    };
    let mut out: Vec<Signature> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let (Some(keyid), Some(sig)) = (
            item.get("keyid").and_then(Value::as_str),
            item.get("sig").and_then(Value::as_str),
        ) else {
            return Err(malformed(
                role,
                format!("signatures[{i}] needs string fields \"keyid\" and \"sig\""),
            ));
        };
        // python-tuf refuses two signatures by one key ID outright.
        if out.iter().any(|s| s.keyid == keyid) {
            return Err(malformed(
                role,
                format!("two signatures name key ID {keyid:?}"),
            ));
        }
        out.push(Signature {
            keyid: keyid.to_owned(),
            sig: sig.to_owned(),
        });
    }
    Ok(out)
}

/// `spec_version` must be `MAJOR.MINOR[.PATCH]` with major version 1.
fn spec_version(v: String, role: RoleType) -> Result<String, TufError> {
    let parts: Vec<&str> = v.split('.').collect();
    let numeric = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !(2..=3).contains(&parts.len()) || !numeric {
        return Err(malformed(
            role,
            format!("\"spec_version\" {v:?} is not MAJOR.MINOR[.PATCH]"),
        ));
    }
    if parts[0] != "1" {
        return Err(malformed(
            role,
            format!("\"spec_version\" {v:?}: only major version 1 is supported"),
        ));
    }
    Ok(v)
}

pub(crate) fn malformed(role: RoleType, detail: impl Into<String>) -> TufError {
    TufError::Malformed {
        role: role.as_str().to_owned(),
        detail: detail.into(),
    }
}

/// The fields of a JSON object being read, with typed accessors whose errors name the
/// field. Unknown fields are simply left unread. Only this crate reads them.
#[derive(Debug)]
pub struct Fields {
    map: Map<String, Value>,
    role: RoleType,
    context: String,
    /// A targets document's `targets`, already read into typed entries (or to be read).
    targets: Option<TargetMap>,
    /// A snapshot's `meta`, already read into typed entries.
    meta: Option<BTreeMap<String, MetaFile>>,
}

impl Fields {
    pub(crate) fn new(map: Map<String, Value>, role: RoleType) -> Self {
        Self {
            map,
            role,
            context: String::new(),
            targets: None,
            meta: None,
        }
    }

    pub(crate) fn nested(&self, map: Map<String, Value>, context: String) -> Self {
        Self {
            map,
            role: self.role,
            context,
            targets: None,
            meta: None,
        }
    }

    pub(crate) fn error(&self, detail: impl std::fmt::Display) -> TufError {
        if self.context.is_empty() {
            malformed(self.role, detail.to_string())
        } else {
            malformed(self.role, format!("{}: {detail}", self.context))
        }
    }

    pub(crate) fn take(&mut self, name: &str) -> Result<Value, TufError> {
        self.map
            .remove(name)
            .ok_or_else(|| self.error(format!("missing field {name:?}")))
    }

    pub(crate) fn take_optional(&mut self, name: &str) -> Option<Value> {
        self.map.remove(name)
    }

    pub(crate) fn string(&mut self, name: &str) -> Result<String, TufError> {
        match self.take(name)? {
            Value::String(s) => Ok(s),
            _ => Err(self.error(format!("{name:?} is not a string"))),
        }
    }

    pub(crate) fn object(&mut self, name: &str) -> Result<Map<String, Value>, TufError> {
        match self.take(name)? {
            Value::Object(m) => Ok(m),
            _ => Err(self.error(format!("{name:?} is not an object"))),
        }
    }

    pub(crate) fn positive(&mut self, name: &str) -> Result<u64, TufError> {
        let v = self.take(name)?;
        match v.as_u64() {
            Some(n) if n > 0 => Ok(n),
            _ => Err(self.error(format!("{name:?} must be an integer of at least 1"))),
        }
    }

    pub(crate) fn bool_or(&mut self, name: &str, default: bool) -> Result<bool, TufError> {
        match self.take_optional(name) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(b),
            Some(_) => Err(self.error(format!("{name:?} is not true or false"))),
        }
    }
}

/// What a role's `signed` holds beyond the common fields.
pub trait Payload: Sized + Send {
    /// Read the role-specific fields.
    ///
    /// # Errors
    /// [`TufError::Malformed`] naming the field.
    fn from_fields(fields: &mut Fields) -> Result<Self, TufError>;
}

/// Root: the keys and the top-level roles' key IDs and thresholds.
#[derive(Debug, Clone)]
pub struct Root {
    /// Keys by declared ID.
    pub keys: KeySet,
    /// `root`, `timestamp`, `snapshot`, `targets`.
    pub roles: BTreeMap<String, RoleKeys>,
    /// Whether snapshot and targets files are fetched by version.
    pub consistent_snapshot: bool,
}

impl Root {
    /// The key IDs and threshold of a top-level role.
    ///
    /// # Errors
    /// [`TufError::Malformed`] if the root does not define it (parsing guarantees it does).
    pub fn role(&self, name: &str) -> Result<&RoleKeys, TufError> {
        self.roles
            .get(name)
            .ok_or_else(|| malformed(RoleType::Root, format!("no role {name:?}")))
    }
}

impl Payload for Root {
    fn from_fields(fields: &mut Fields) -> Result<Self, TufError> {
        let consistent_snapshot = fields.bool_or("consistent_snapshot", false)?;
        let keys = KeySet::from_json(fields.object("keys")?, fields)?;
        let mut roles = BTreeMap::new();
        for (name, v) in fields.object("roles")? {
            let Value::Object(m) = v else {
                return Err(fields.error(format!("roles[{name:?}] is not an object")));
            };
            let mut f = fields.nested(m, format!("roles[{name:?}]"));
            roles.insert(name, RoleKeys::from_fields(&mut f)?);
        }
        let names: Vec<&str> = roles.keys().map(String::as_str).collect();
        let mut expected = TOP_LEVEL_ROLES.to_vec();
        expected.sort_unstable();
        if names != expected {
            return Err(fields.error(format!(
                "\"roles\" must define exactly root, snapshot, targets and timestamp (found {names:?})"
            )));
        }
        Ok(Self {
            keys,
            roles,
            consistent_snapshot,
        })
    }
}

/// A `meta` entry: which version of a metadata file, optionally with its length and hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaFile {
    /// Version, at least 1.
    pub version: u64,
    /// Length in bytes, when given.
    pub length: Option<u64>,
    /// Hashes by algorithm, when given (never empty when given).
    pub hashes: Option<Hashes>,
}

impl MetaFile {
    fn from_value(v: Value, parent: &Fields, what: &str) -> Result<Self, TufError> {
        let Value::Object(m) = v else {
            return Err(parent.error(format!("{what} is not an object")));
        };
        let mut f = parent.nested(m, what.to_owned());
        let version = f.positive("version")?;
        let length = match f.take_optional("length") {
            None => None,
            Some(v) => Some(
                v.as_u64()
                    .ok_or_else(|| f.error("\"length\" is not a non-negative integer"))?,
            ),
        };
        let hashes = match f.take_optional("hashes") {
            None => None,
            Some(v) => Some(Hashes::from_value(v, &f)?),
        };
        Ok(Self {
            version,
            length,
            hashes,
        })
    }

    /// Check `data` against the length and hashes this entry gives (if any).
    ///
    /// # Errors
    /// [`TufError::LengthOrHashMismatch`] naming `what`.
    pub fn check(&self, what: &str, data: &[u8]) -> Result<(), TufError> {
        if let Some(length) = self.length {
            check_length(what, length, data)?;
        }
        if let Some(hashes) = &self.hashes {
            hashes.check(what, data)?;
        }
        Ok(())
    }
}

pub(crate) fn check_length(what: &str, length: u64, data: &[u8]) -> Result<(), TufError> {
    if u64::try_from(data.len()).ok() != Some(length) {
        return Err(TufError::LengthOrHashMismatch(format!(
            "{what}: {} bytes, expected {length}",
            data.len()
        )));
    }
    Ok(())
}

/// Hex digests by algorithm name, sorted by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashes(pub Vec<(String, String)>);

impl Hashes {
    pub(crate) fn from_value(v: Value, f: &Fields) -> Result<Self, TufError> {
        let Value::Object(m) = v else {
            return Err(f.error("\"hashes\" is not an object"));
        };
        crate::wire::hashes_from_map(m).map_err(|d| f.error(d))
    }

    /// Check `data` against every hash listed, as lowercase hex compared exactly (as
    /// python-tuf does). An algorithm we cannot compute fails the check: a security tool
    /// does not skip what it cannot verify.
    ///
    /// # Errors
    /// [`TufError::LengthOrHashMismatch`] naming `what` and the algorithm.
    pub fn check(&self, what: &str, data: &[u8]) -> Result<(), TufError> {
        use sha2::Digest as _;
        for (alg, expected) in &self.0 {
            let actual = match alg.as_str() {
                "sha224" => hex::encode(sha2::Sha224::digest(data)),
                "sha256" => hex::encode(sha2::Sha256::digest(data)),
                "sha384" => hex::encode(sha2::Sha384::digest(data)),
                "sha512" => hex::encode(sha2::Sha512::digest(data)),
                other => {
                    return Err(TufError::LengthOrHashMismatch(format!(
                        "{what}: unsupported hash algorithm {other:?}"
                    )));
                }
            };
            if actual != *expected {
                return Err(TufError::LengthOrHashMismatch(format!(
                    "{what}: {alg} is {actual}, expected {expected}"
                )));
            }
        }
        Ok(())
    }
}

/// Timestamp: the snapshot's version (and optionally length and hashes).
#[derive(Debug, Clone)]
pub struct Timestamp {
    /// `meta["snapshot.json"]`.
    pub snapshot_meta: MetaFile,
}

impl Payload for Timestamp {
    fn from_fields(fields: &mut Fields) -> Result<Self, TufError> {
        let mut meta = fields.object("meta")?;
        let Some(snapshot) = meta.remove("snapshot.json") else {
            return Err(fields.error("\"meta\" has no \"snapshot.json\""));
        };
        Ok(Self {
            snapshot_meta: MetaFile::from_value(snapshot, fields, "meta[\"snapshot.json\"]")?,
        })
    }
}

/// Snapshot: the version of every targets metadata file.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// `meta`, by file name (`targets.json`, `<role>.json`).
    pub meta: BTreeMap<String, MetaFile>,
}

impl Payload for Snapshot {
    fn from_fields(fields: &mut Fields) -> Result<Self, TufError> {
        // Read into typed entries while the text was parsed (see `wire`).
        let meta = fields
            .meta
            .take()
            .ok_or_else(|| fields.error("missing field \"meta\""))?;
        Ok(Self { meta })
    }
}

/// A target file's description.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetFile {
    /// Length in bytes.
    pub length: u64,
    /// Hashes (at least one).
    pub hashes: Hashes,
    /// `custom` metadata, if any.
    pub custom: Option<Value>,
}

impl TargetFile {
    /// Check downloaded or cached content against the length and hashes.
    ///
    /// # Errors
    /// [`TufError::LengthOrHashMismatch`] naming `what`.
    pub fn check(&self, what: &str, data: &[u8]) -> Result<(), TufError> {
        check_length(what, self.length, data)?;
        self.hashes.check(what, data)
    }
}

/// A targets document's target files by path.
#[derive(Debug, Clone)]
pub struct TargetMap(TargetEntries);

#[derive(Debug, Clone)]
enum TargetEntries {
    Read(BTreeMap<String, TargetFile>),
    /// Not read yet: the whole file of a document whose check was remembered, so it was
    /// read in full (and accepted) before.
    Deferred {
        document: Arc<[u8]>,
        read: OnceLock<Result<BTreeMap<String, TargetFile>, String>>,
    },
}

impl TargetMap {
    /// Every target file, by path.
    ///
    /// # Errors
    /// [`TufError::Malformed`] if entries read on first use turn out not to be readable
    /// (they were when the document was first accepted).
    pub fn entries(&self) -> Result<&BTreeMap<String, TargetFile>, TufError> {
        match &self.0 {
            TargetEntries::Read(entries) => Ok(entries),
            TargetEntries::Deferred { document, read } => read
                .get_or_init(|| {
                    let seed = crate::wire::DocumentSeed {
                        typed: crate::wire::TypedMap::Targets,
                    };
                    let mut de = serde_json::Deserializer::from_slice(document);
                    serde::de::DeserializeSeed::deserialize(seed, &mut de)
                        .map_err(|e| e.to_string())?
                        .signed
                        .and_then(|s| s.targets)
                        .ok_or_else(|| "no \"targets\" object".to_owned())
                })
                .as_ref()
                .map_err(|e| malformed(RoleType::Targets, format!("targets: {e}"))),
        }
    }

    /// The target file at `path`, if listed.
    ///
    /// # Errors
    /// As [`TargetMap::entries`].
    pub fn get(&self, path: &str) -> Result<Option<&TargetFile>, TufError> {
        Ok(self.entries()?.get(path))
    }
}

/// Targets (top-level or delegated): target files and further delegations.
#[derive(Debug, Clone)]
pub struct Targets {
    /// Target files by path.
    pub targets: TargetMap,
    /// Delegations, if any.
    pub delegations: Option<Delegations>,
}

impl Payload for Targets {
    fn from_fields(fields: &mut Fields) -> Result<Self, TufError> {
        // Read into typed entries while the text was parsed (see `wire`).
        let targets = fields
            .targets
            .take()
            .ok_or_else(|| fields.error("missing field \"targets\""))?;
        let delegations = match fields.take_optional("delegations") {
            None => None,
            Some(Value::Object(m)) => {
                let mut f = fields.nested(m, "delegations".to_owned());
                Some(Delegations::from_fields(&mut f)?)
            }
            Some(_) => return Err(fields.error("\"delegations\" is not an object")),
        };
        Ok(Self {
            targets,
            delegations,
        })
    }
}
