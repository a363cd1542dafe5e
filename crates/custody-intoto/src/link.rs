//! Links: the signed record of one step (what went in, what came out, what ran), and
//! the two ways to make them, `run` (wrap a command) and `record start`/`stop` (bracket
//! work done by hand or by another tool), with python in-toto's file names and formats.

use crate::IntotoError;
use crate::artifacts::{Artifacts, RecordOptions, record, record_cached};
use crate::digest_cache::DigestCache;
use crate::metadata::{EnvelopeFormat, Metadata, sign_to_bytes, unsigned_metablock_bytes};
use crate::runner::{self, Byproducts};
use custody_crypto::keys::PrivateKey;
use custody_crypto::threshold::{Keyring, Threshold};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A link's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The step (or inspection) name.
    pub name: String,
    /// Artifacts before the step.
    pub materials: Artifacts,
    /// Artifacts after the step.
    pub products: Artifacts,
    /// Byproducts; `None` when no command ran (written as `{}`).
    pub byproducts: Option<Byproducts>,
    /// The command, empty when none ran.
    pub command: Vec<String>,
}

/// Fields in sorted order, as canonical JSON and python's `sort_keys` write them, so the
/// link can be written straight from this struct (see
/// [`custody_core::canonical_json::to_vec_sorted`]).
impl serde::Serialize for Link {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("Link", 7)?;
        s.serialize_field("_type", "link")?;
        s.serialize_field("byproducts", &ByproductsJson(self.byproducts.as_ref()))?;
        s.serialize_field("command", &self.command)?;
        s.serialize_field("environment", &ByproductsJson(None))?;
        s.serialize_field("materials", &self.materials)?;
        s.serialize_field("name", &self.name)?;
        s.serialize_field("products", &self.products)?;
        s.end()
    }
}

/// Byproducts as links and link predicates write them: `{}` when no command ran, else
/// `{"return-value", "stderr", "stdout"}` (sorted).
struct ByproductsJson<'a>(Option<&'a Byproducts>);

impl serde::Serialize for ByproductsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let Some(b) = self.0 else {
            return serializer.serialize_map(Some(0))?.end();
        };
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("return-value", &b.return_value)?;
        map.serialize_entry("stderr", &b.stderr)?;
        map.serialize_entry("stdout", &b.stdout)?;
        map.end()
    }
}

impl Link {
    /// The JSON document (`signed` of a Metablock, or the DSSE payload).
    #[must_use]
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("a link has string keys only")
    }

    /// Read a link from a verified (or, for routing, unverified) document.
    ///
    /// # Errors
    /// [`IntotoError::Malformed`] naming the field at fault.
    pub fn from_value(v: &Value) -> Result<Self, IntotoError> {
        let bad = |m: &str| IntotoError::Malformed(format!("link: {m}"));
        if v.get("_type").and_then(Value::as_str) != Some("link") {
            return Err(bad("\"_type\" is not \"link\""));
        }
        let name = v
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no string \"name\""))?
            .to_owned();
        let artifacts = |field: &str| -> Result<Artifacts, IntotoError> {
            let obj = v
                .get(field)
                .and_then(Value::as_object)
                .ok_or_else(|| bad(&format!("no object \"{field}\"")))?;
            obj.iter()
                .map(|(path, digests)| {
                    let d = digests_from(digests, &format!("{field}[{path:?}]"))
                        .map_err(|m| bad(&m))?;
                    Ok((path.clone(), d))
                })
                .collect()
        };
        let command = match v.get("command") {
            Some(Value::Array(items)) => strings_from(items, "\"command\"").map_err(|m| bad(&m))?,
            _ => return Err(bad("no array \"command\"")),
        };
        let byproducts = match v.get("byproducts").and_then(Value::as_object) {
            Some(b) => byproducts_from(b),
            None => return Err(bad("no object \"byproducts\"")),
        };
        Ok(Self {
            name,
            materials: artifacts("materials")?,
            products: artifacts("products")?,
            byproducts,
            command,
        })
    }
}

/// Byproducts as a JSON value (see [`ByproductsJson`]).
pub(crate) fn byproducts_to_value(b: Option<&Byproducts>) -> Value {
    serde_json::to_value(ByproductsJson(b)).expect("byproducts have string keys only")
}

/// Byproducts read back; an empty object means no command ran.
pub(crate) fn byproducts_from(b: &Map<String, Value>) -> Option<Byproducts> {
    if b.is_empty() {
        return None;
    }
    let text = |k: &str| {
        b.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Some(Byproducts {
        stdout: text("stdout"),
        stderr: text("stderr"),
        return_value: b
            .get("return-value")
            .and_then(Value::as_i64)
            .and_then(|r| i32::try_from(r).ok())
            .unwrap_or_default(),
    })
}

/// A digest map (`{"sha256": "…"}`); `what` names it in the error.
pub(crate) fn digests_from(v: &Value, what: &str) -> Result<crate::hash::Digests, String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("{what} is not an object of digests"))?;
    let mut digests = crate::hash::Digests::new();
    for (alg, hex) in obj {
        let hex = hex
            .as_str()
            .ok_or_else(|| format!("{what}.{alg} is not a string"))?;
        digests.insert(alg, hex.to_owned());
    }
    Ok(digests)
}

/// A list of strings (a command); `what` names it in the error.
pub(crate) fn strings_from(items: &[Value], what: &str) -> Result<Vec<String>, String> {
    items
        .iter()
        .map(|i| {
            i.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("{what} holds a non-string"))
        })
        .collect()
}

/// The file name of a signed link: `<step>.<keyid[:8]>.link`.
#[must_use]
pub fn link_file_name(step: &str, key: &PrivateKey) -> String {
    format!("{step}.{}.link", key.public_key().key_id().short())
}

/// The file name of an unfinished link: `.<step>.<keyid[:8]>.link-unfinished`.
#[must_use]
pub fn unfinished_file_name(step: &str, key: &PrivateKey) -> String {
    format!(
        ".{step}.{}.link-unfinished",
        key.public_key().key_id().short()
    )
}

/// Everything `in-toto-run` takes.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// Step name.
    pub step: String,
    /// Material paths.
    pub materials: Vec<String>,
    /// Product paths.
    pub products: Vec<String>,
    /// The command; empty with `--no-command`.
    pub command: Vec<String>,
    /// Capture stdout/stderr into the link.
    pub record_streams: bool,
    /// Kill the command after this long.
    pub timeout: Option<Duration>,
    /// How to record artifacts.
    pub record: RecordOptions,
    /// Envelope format.
    pub format: EnvelopeFormat,
    /// Directory to run the command in; the current one when `None`.
    pub working_dir: Option<PathBuf>,
}

/// A signed link and where it should be written.
#[derive(Debug, Clone)]
pub struct SignedLink {
    /// The link.
    pub link: Link,
    /// The signed file's content, in python in-toto's format.
    pub bytes: Vec<u8>,
    /// File name (no directory).
    pub file_name: String,
}

/// Record materials, run the command, record products, sign.
///
/// # Errors
/// [`IntotoError`] for recording, running or signing failures.
pub fn run(req: &RunRequest, key: &PrivateKey) -> Result<SignedLink, IntotoError> {
    let link = perform(req)?;
    Ok(SignedLink {
        bytes: sign_to_bytes(&link, req.format, key)?,
        file_name: link_file_name(&req.step, key),
        link,
    })
}

/// Record materials, run the command (if any), record products.
fn perform(req: &RunRequest) -> Result<Link, IntotoError> {
    // Files recorded as materials and found unchanged as products are hashed once.
    let mut cache = DigestCache::starting_now();
    let materials = record_cached(&req.materials, &req.record, Some(&mut cache))?;
    let byproducts = if req.command.is_empty() {
        None
    } else {
        Some(runner::run(
            &req.command,
            req.record_streams,
            req.timeout,
            req.working_dir.as_deref(),
        )?)
    };
    let products = record_cached(&req.products, &req.record, Some(&mut cache))?;
    Ok(Link {
        name: req.step.clone(),
        materials,
        products,
        byproducts,
        command: req.command.clone(),
    })
}

/// Record and run like [`run`] but leave the link unsigned and write it as
/// `<name>.link` into `dir`: what in-toto does for the inspections a verifier runs.
///
/// # Errors
/// As [`run`], and writing the link.
pub fn run_unsigned(req: &RunRequest, dir: &Path) -> Result<Link, IntotoError> {
    let link = perform(req)?;
    let path = dir.join(format!("{}.link", req.step));
    let bytes = unsigned_metablock_bytes(&link);
    custody_core::atomic::write_atomic(&path, &bytes, custody_core::atomic::FileMode::Public)
        .map_err(|e| IntotoError::Io {
            path: e.path,
            source: e.source,
        })?;
    Ok(link)
}

/// `record start`: record materials and sign a preliminary link (no products, no command).
///
/// # Errors
/// As [`run`].
pub fn record_start(
    step: &str,
    materials: &[String],
    opts: &RecordOptions,
    format: EnvelopeFormat,
    key: &PrivateKey,
) -> Result<SignedLink, IntotoError> {
    let link = Link {
        name: step.to_owned(),
        materials: record(materials, opts)?,
        products: Artifacts::new(),
        byproducts: None,
        command: Vec::new(),
    };
    Ok(SignedLink {
        bytes: sign_to_bytes(&link, format, key)?,
        file_name: unfinished_file_name(step, key),
        link,
    })
}

/// `record stop`: verify the unfinished link with the same key, record products, sign
/// the final link in the unfinished link's format. The unfinished link's name and
/// materials are kept, as python in-toto does.
///
/// # Errors
/// [`IntotoError::Verification`] if the unfinished link was not signed by `key`.
pub fn record_stop(
    unfinished: &[u8],
    products: &[String],
    opts: &RecordOptions,
    key: &PrivateKey,
) -> Result<SignedLink, IntotoError> {
    let metadata = Metadata::from_bytes(unfinished)?;
    let keyring = Keyring::new([key.public_key()])?;
    let verified = metadata.verify(&keyring, Threshold::new(1)?).map_err(|e| {
        IntotoError::Verification(format!(
            "the unfinished link is not signed by this key: {e}"
        ))
    })?;
    let mut link = Link::from_value(verified.get())?;
    link.products = record(products, opts)?;
    let format = match metadata {
        Metadata::Metablock(_) => EnvelopeFormat::Metablock,
        Metadata::Envelope(_) => EnvelopeFormat::Dsse,
    };
    Ok(SignedLink {
        bytes: sign_to_bytes(&link, format, key)?,
        file_name: link_file_name(&link.name, key),
        link,
    })
}

/// Where `record stop` finds the unfinished link of `step` for `key`, in `dir`.
#[must_use]
pub fn unfinished_path(dir: &Path, step: &str, key: &PrivateKey) -> PathBuf {
    dir.join(unfinished_file_name(step, key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_crypto::keys::KeyType;

    #[test]
    fn link_json_has_python_in_totos_shape() {
        let link = Link {
            name: "build".into(),
            materials: Artifacts::new(),
            products: [(
                "a".to_owned(),
                [("sha256".to_owned(), "00".to_owned())].into(),
            )]
            .into(),
            byproducts: None,
            command: vec![],
        };
        let v = link.to_value();
        assert_eq!(
            custody_core::python_json::to_string(
                &v,
                custody_core::python_json::PythonJsonStyle::COMPACT
            ),
            r#"{"_type":"link","byproducts":{},"command":[],"environment":{},"materials":{},"name":"build","products":{"a":{"sha256":"00"}}}"#
        );
        assert_eq!(Link::from_value(&v).expect("parses"), link);
    }

    /// Writing a link straight from the struct gives the bytes the JSON-tree path gives.
    #[test]
    fn direct_signing_matches_the_json_tree_path() {
        let key = PrivateKey::generate(KeyType::Ed25519).expect("key");
        let digests = |h: &str| crate::hash::Digests::from([("sha256".to_owned(), h.to_owned())]);
        let mut both = digests("aa");
        both.insert("sha512", "bb".into());
        let link = Link {
            name: "build é".into(),
            materials: [
                ("src/a \"q\".rs".to_owned(), digests("01")),
                ("z".to_owned(), both),
            ]
            .into(),
            products: [("\u{1F600}/out\n".to_owned(), digests("02"))].into(),
            byproducts: Some(Byproducts {
                stdout: "line\r\n\t\u{1}".into(),
                stderr: String::new(),
                return_value: -9,
            }),
            command: vec!["make".into(), "all".into()],
        };
        for format in [EnvelopeFormat::Metablock, EnvelopeFormat::Dsse] {
            let mut metadata = Metadata::new(link.to_value(), format);
            metadata.sign(&key).expect("sign");
            let direct = sign_to_bytes(&link, format, &key).expect("sign");
            assert_eq!(
                String::from_utf8_lossy(&direct),
                String::from_utf8_lossy(&metadata.to_bytes()),
                "{format:?}"
            );
        }
        let unsigned = Metadata::new(link.to_value(), EnvelopeFormat::Metablock).to_bytes();
        assert_eq!(unsigned_metablock_bytes(&link), unsigned);
    }

    #[test]
    fn run_and_record_round_trip() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("in.txt"), "in").expect("write");
        let key = PrivateKey::generate(KeyType::Ed25519).expect("key");
        let opts = RecordOptions {
            base_path: Some(dir.path().to_path_buf()),
            ..RecordOptions::default()
        };
        let start = record_start(
            "edit",
            &["in.txt".into()],
            &opts,
            EnvelopeFormat::Dsse,
            &key,
        )
        .expect("start");
        assert!(
            start.file_name.starts_with(".edit.") && start.file_name.ends_with(".link-unfinished")
        );
        std::fs::write(dir.path().join("out.txt"), "out").expect("write");
        let stop = record_stop(&start.bytes, &["out.txt".into()], &opts, &key).expect("stop");
        assert!(
            matches!(Metadata::from_bytes(&stop.bytes), Ok(Metadata::Envelope(_))),
            "format of the unfinished link is kept"
        );
        assert_eq!(stop.link.materials.keys().collect::<Vec<_>>(), ["in.txt"]);
        assert_eq!(stop.link.products.keys().collect::<Vec<_>>(), ["out.txt"]);
        let other = PrivateKey::generate(KeyType::Ed25519).expect("key");
        let err = record_stop(&start.bytes, &[], &opts, &other).expect_err("other key");
        assert!(err.to_string().contains("not signed by this key"), "{err}");
    }
}
