//! Signed in-toto metadata on disk: a v0.9 Metablock (`{"signed", "signatures"}`, signed
//! over the canonical JSON of `signed`) or a DSSE envelope with payload type
//! `application/vnd.in-toto+json` (signed over the PAE of the payload bytes).
//!
//! The parsed raw JSON value of `signed` is kept as received, unknown fields included;
//! verification canonicalises that value, never a re-serialised struct, and key IDs are
//! compared as declared.

use crate::IntotoError;
use custody_core::canonical_json::{self, SortedValue};
use custody_core::python_json::{self, PythonJsonStyle};
use custody_crypto::dsse::Envelope;
use custody_crypto::keys::{KeyId, PrivateKey};
use custody_crypto::threshold::{Keyring, SignatureEntry, Threshold, verify_threshold};
use custody_crypto::{CryptoError, Verified};
use serde_json::{Value, json};

/// DSSE payload type of in-toto links and layouts.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Largest metadata file we parse (links of very large trees are big, but not this big).
pub const MAX_METADATA_BYTES: usize = 512 * 1024 * 1024;

/// A v0.9 Metablock: the signed document and its signatures, both as received.
#[derive(Debug, Clone, PartialEq)]
pub struct Metablock {
    signed: Value,
    /// Signature objects as received (unknown fields, e.g. ITE-7 certificates, kept).
    signatures: Vec<Value>,
}

/// Signed in-toto metadata in either envelope format.
#[derive(Debug, Clone, PartialEq)]
pub enum Metadata {
    /// v0.9 `{"signed", "signatures"}`.
    Metablock(Metablock),
    /// DSSE.
    Envelope(Envelope),
}

/// Which envelope to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeFormat {
    /// v0.9 Metablock, python in-toto's default.
    Metablock,
    /// DSSE (`--use-dsse`).
    Dsse,
}

/// Sign a document and return the file in python in-toto's format: the bytes
/// [`Metadata::new`], [`Metadata::sign`] and [`Metadata::to_bytes`] give for the
/// document's JSON value, written straight from `doc` with no JSON tree in between (a link
/// of 100,000 artifacts would need hundreds of megabytes for one). `doc`'s `Serialize`
/// must write keys in sorted order (see [`canonical_json::to_vec_sorted`]).
///
/// # Errors
/// [`IntotoError::Crypto`] if signing fails; [`IntotoError::Malformed`] if the document
/// has floats.
pub fn sign_to_bytes<T: serde::Serialize + Sync>(
    doc: &T,
    format: EnvelopeFormat,
    key: &PrivateKey,
) -> Result<Vec<u8>, IntotoError> {
    match format {
        EnvelopeFormat::Metablock => {
            // The signature and the file's text of the document are independent: make
            // them at the same time.
            let (signature, signed_text) = rayon::join(
                || -> Result<SignatureJson, IntotoError> {
                    let bytes = canonical_json::to_vec_sorted(doc)
                        .map_err(|e| IntotoError::Malformed(e.to_string()))?;
                    Ok(SignatureJson {
                        keyid: key.public_key().key_id().as_str().to_owned(),
                        sig: hex::encode(key.sign(&bytes)?),
                    })
                },
                || metablock_signed_text(doc),
            );
            Ok(metablock_file_bytes(&[signature?], &signed_text))
        }
        EnvelopeFormat::Dsse => {
            let payload = python_json::to_vec_sorted(doc, PythonJsonStyle::DEFAULT);
            let mut envelope = Envelope::new(PAYLOAD_TYPE, payload);
            envelope.sign(key)?;
            Ok(envelope_file_bytes(&envelope))
        }
    }
}

/// An unsigned Metablock in python in-toto's format, written straight from `doc` (keys
/// in sorted order): the links of inspections a verifier runs.
#[must_use]
pub fn unsigned_metablock_bytes<T: serde::Serialize>(doc: &T) -> Vec<u8> {
    metablock_file_bytes::<SignatureJson>(&[], &metablock_signed_text(doc))
}

/// A Metablock signature as written (fields sorted).
#[derive(serde::Serialize)]
struct SignatureJson {
    keyid: String,
    sig: String,
}

/// `{"signatures": […], "signed": {…}}` as python in-toto writes it,
/// `json.dumps(indent=1, separators=(",", ": "), sort_keys=True)`, around the document's
/// text from [`metablock_signed_text`].
fn metablock_file_bytes<S: serde::Serialize>(signatures: &[S], signed_text: &[u8]) -> Vec<u8> {
    let signatures = python_json::to_vec_sorted_at_depth(signatures, PythonJsonStyle::INDENT_1, 1);
    let mut out = Vec::with_capacity(signatures.len() + signed_text.len() + 32);
    out.extend_from_slice(b"{\n \"signatures\": ");
    out.extend_from_slice(&signatures);
    out.extend_from_slice(b",\n \"signed\": ");
    out.extend_from_slice(signed_text);
    out.extend_from_slice(b"\n}");
    out
}

/// The `signed` document as a Metablock file holds it (one level deep).
fn metablock_signed_text<T: serde::Serialize + ?Sized>(doc: &T) -> Vec<u8> {
    python_json::to_vec_sorted_at_depth(doc, PythonJsonStyle::INDENT_1, 1)
}

/// A DSSE envelope as python in-toto writes it: `json.dumps(sort_keys=True)`.
fn envelope_file_bytes(envelope: &Envelope) -> Vec<u8> {
    python_json::to_string(&envelope.to_json_value(), PythonJsonStyle::DEFAULT).into_bytes()
}

impl Metadata {
    /// Wrap a document (link or layout JSON value) for signing.
    #[must_use]
    pub fn new(signed: Value, format: EnvelopeFormat) -> Self {
        match format {
            EnvelopeFormat::Metablock => Metadata::Metablock(Metablock {
                signed,
                signatures: Vec::new(),
            }),
            EnvelopeFormat::Dsse => {
                // python in-toto: json.dumps(link, sort_keys=True), not canonical JSON.
                let payload =
                    python_json::to_string(&signed, PythonJsonStyle::DEFAULT).into_bytes();
                Metadata::Envelope(Envelope::new(PAYLOAD_TYPE, payload))
            }
        }
    }

    /// Parse metadata bytes, recognising the envelope by its fields.
    ///
    /// # Errors
    /// [`IntotoError::Malformed`] naming what is missing or wrong.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, IntotoError> {
        Self::parse(bytes, true)
    }

    /// Parse metadata to sign: as [`Metadata::from_bytes`], but a DSSE envelope without
    /// signatures (a template) is accepted.
    ///
    /// # Errors
    /// As [`Metadata::from_bytes`].
    pub fn from_bytes_to_sign(bytes: &[u8]) -> Result<Self, IntotoError> {
        Self::parse(bytes, false)
    }

    fn parse(bytes: &[u8], require_signatures: bool) -> Result<Self, IntotoError> {
        if bytes.len() > MAX_METADATA_BYTES {
            return Err(IntotoError::Malformed(format!(
                "larger than {MAX_METADATA_BYTES} bytes"
            )));
        }
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| IntotoError::Malformed(format!("invalid JSON: {e}")))?;
        let obj = value
            .as_object()
            .ok_or_else(|| IntotoError::Malformed("metadata is not a JSON object".into()))?;
        if obj.contains_key("payload") && obj.contains_key("payloadType") {
            let env = if require_signatures {
                Envelope::from_json(bytes)
            } else {
                Envelope::from_json_to_sign(bytes)
            }
            .map_err(|e| IntotoError::Malformed(e.to_string()))?;
            if env.payload_type() != PAYLOAD_TYPE {
                return Err(IntotoError::Malformed(format!(
                    "DSSE payload type is {:?}, expected {PAYLOAD_TYPE:?}",
                    env.payload_type()
                )));
            }
            return Ok(Metadata::Envelope(env));
        }
        let signed = obj
            .get("signed")
            .filter(|v| v.is_object())
            .ok_or_else(|| {
                IntotoError::Malformed("no \"signed\" object (and not a DSSE envelope)".into())
            })?
            .clone();
        let signatures = match obj.get("signatures") {
            Some(Value::Array(items)) => items.clone(),
            _ => return Err(IntotoError::Malformed("no \"signatures\" array".into())),
        };
        for (i, s) in signatures.iter().enumerate() {
            if !s.get("keyid").is_some_and(Value::is_string)
                || !s.get("sig").is_some_and(Value::is_string)
            {
                return Err(IntotoError::Malformed(format!(
                    "signatures[{i}] needs string fields \"keyid\" and \"sig\""
                )));
            }
        }
        Ok(Metadata::Metablock(Metablock { signed, signatures }))
    }

    /// Set a field of the signed document. Only for metadata nobody has signed yet:
    /// changing signed content would invalidate signatures.
    ///
    /// # Errors
    /// [`IntotoError::Malformed`] when the metadata already has signatures.
    pub fn set_unsigned_field(&mut self, name: &str, value: Value) -> Result<(), IntotoError> {
        if !self.signature_key_ids().is_empty()
            || matches!(self, Metadata::Envelope(e) if !e.signatures().is_empty())
        {
            return Err(IntotoError::Malformed(format!(
                "cannot set {name:?}: the document is already signed"
            )));
        }
        let mut doc = self.signed_unverified()?;
        if let Some(obj) = doc.as_object_mut() {
            obj.insert(name.to_owned(), value);
        }
        let format = match self {
            Metadata::Metablock(_) => EnvelopeFormat::Metablock,
            Metadata::Envelope(_) => EnvelopeFormat::Dsse,
        };
        *self = Metadata::new(doc, format);
        Ok(())
    }

    /// Add a signature by `key`.
    ///
    /// # Errors
    /// [`IntotoError::Crypto`] if signing fails; [`IntotoError::Malformed`] if the
    /// document has floats (no canonical form).
    pub fn sign(&mut self, key: &PrivateKey) -> Result<(), IntotoError> {
        match self {
            Metadata::Metablock(m) => {
                let bytes = canonical_json::to_vec(&m.signed)
                    .map_err(|e| IntotoError::Malformed(e.to_string()))?;
                let sig = key.sign(&bytes)?;
                let keyid = key.public_key().key_id();
                // Re-signing with the same key replaces the old signature, as python does.
                m.signatures
                    .retain(|s| s.get("keyid").and_then(Value::as_str) != Some(keyid.as_str()));
                m.signatures
                    .push(json!({"keyid": keyid.as_str(), "sig": hex::encode(sig)}));
                Ok(())
            }
            Metadata::Envelope(e) => Ok(e.sign(key)?),
        }
    }

    /// The file content, formatted exactly as python in-toto writes it: Metablocks with
    /// `json.dumps(indent=1, separators=(",", ": "), sort_keys=True)`, DSSE envelopes with
    /// `json.dumps(sort_keys=True)`; no trailing newline.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Metadata::Metablock(m) => {
                let signatures: Vec<SortedValue<'_>> =
                    m.signatures.iter().map(SortedValue).collect();
                metablock_file_bytes(&signatures, &metablock_signed_text(&SortedValue(&m.signed)))
            }
            Metadata::Envelope(e) => envelope_file_bytes(e),
        }
    }

    /// Key IDs the signatures name (unverified).
    #[must_use]
    pub fn signature_key_ids(&self) -> Vec<KeyId> {
        self.signature_entries()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| s.key_id)
            .collect()
    }

    fn signature_entries(&self) -> Result<Vec<SignatureEntry>, IntotoError> {
        match self {
            Metadata::Metablock(m) => Self::signature_entries_of(&m.signatures),
            Metadata::Envelope(e) => Ok(e.signatures().to_vec()),
        }
    }

    fn signature_entries_of(signatures: &[Value]) -> Result<Vec<SignatureEntry>, IntotoError> {
        signatures
            .iter()
            .map(|s| {
                let keyid = s.get("keyid").and_then(Value::as_str).unwrap_or_default();
                let sig = s.get("sig").and_then(Value::as_str).unwrap_or_default();
                let sig = hex::decode(sig).map_err(|_| {
                    IntotoError::Malformed(format!("signature by key {keyid} is not hex"))
                })?;
                Ok(SignatureEntry {
                    key_id: Some(KeyId::declared(keyid)),
                    sig,
                })
            })
            .collect()
    }

    /// The document, NOT verified: for routing only (which type, which step).
    ///
    /// # Errors
    /// [`IntotoError::Malformed`] when a DSSE payload is not a JSON object.
    pub fn signed_unverified(&self) -> Result<Value, IntotoError> {
        match self {
            Metadata::Metablock(m) => Ok(m.signed.clone()),
            Metadata::Envelope(e) => parse_payload(e.payload_unverified()),
        }
    }

    /// Verify that `threshold` distinct keys of `keyring` signed, and return the document.
    ///
    /// # Errors
    /// [`IntotoError::Verification`] when the threshold is not met;
    /// [`IntotoError::Malformed`] for undecodable signatures or payloads.
    pub fn verify(
        &self,
        keyring: &Keyring,
        threshold: Threshold,
    ) -> Result<Verified<Value>, IntotoError> {
        self.clone().into_verified(keyring, threshold)
    }

    /// As [`Metadata::verify`], consuming the metadata so that the (possibly large)
    /// document is not copied.
    ///
    /// # Errors
    /// As [`Metadata::verify`].
    pub fn into_verified(
        self,
        keyring: &Keyring,
        threshold: Threshold,
    ) -> Result<Verified<Value>, IntotoError> {
        let verified = match self {
            Metadata::Metablock(m) => {
                let bytes = canonical_json::to_vec(&m.signed)
                    .map_err(|e| IntotoError::Malformed(e.to_string()))?;
                let entries = Metadata::signature_entries_of(&m.signatures)?;
                verify_threshold(m.signed, &bytes, &entries, keyring, threshold)
            }
            Metadata::Envelope(e) => e
                .verify(keyring, threshold)
                .map(|v| v.map(|p| p.bytes))
                .and_then(|v| {
                    v.try_map(|bytes| {
                        parse_payload(&bytes)
                            .map_err(|e| CryptoError::MalformedEnvelope(e.to_string()))
                    })
                }),
        };
        verified.map_err(|e| match e {
            CryptoError::ThresholdNotMet { .. } => IntotoError::Verification(e.to_string()),
            other => IntotoError::Crypto(other),
        })
    }

    /// The `_type` of the document, NOT verified, without copying it: for routing only.
    #[must_use]
    pub fn type_unverified(&self) -> Option<String> {
        match self {
            Metadata::Metablock(m) => m
                .signed
                .get("_type")
                .and_then(Value::as_str)
                .map(str::to_owned),
            Metadata::Envelope(e) => {
                #[derive(serde::Deserialize)]
                struct Typed {
                    #[serde(rename = "_type")]
                    kind: Option<String>,
                }
                serde_json::from_slice::<Typed>(e.payload_unverified())
                    .ok()
                    .and_then(|t| t.kind)
            }
        }
    }
}

fn parse_payload(bytes: &[u8]) -> Result<Value, IntotoError> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| IntotoError::Malformed(format!("DSSE payload is not JSON: {e}")))?;
    if !v.is_object() {
        return Err(IntotoError::Malformed(
            "DSSE payload is not a JSON object".into(),
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_number_reads_back_as_it_was_written() {
        // Found by the fuzz target: a 130-digit integer became a float that did not
        // read back the same (serde_json now parses floats correctly rounded).
        let text = format!(
            r#"{{"signatures":[],"signed":{{"_type":"link","name":"b","byproducts":{{"return-value":{}0}}}}}}"#,
            "6".repeat(129)
        );
        let m = Metadata::from_bytes(text.as_bytes()).expect("parses");
        let again = Metadata::from_bytes(&m.to_bytes()).expect("own output parses");
        assert_eq!(again, m);
    }
    use custody_crypto::keys::KeyType;

    fn doc() -> Value {
        json!({"_type": "link", "name": "build", "materials": {}, "products": {"a": {"sha256": "00"}},
               "byproducts": {}, "command": [], "environment": {}, "x-unknown": {"kept": true}})
    }

    #[test]
    fn both_formats_sign_round_trip_and_verify() {
        let key = PrivateKey::generate(KeyType::Ed25519).expect("key");
        let ring = Keyring::new([key.public_key()]).expect("ring");
        let one = Threshold::new(1).expect("nonzero");
        for format in [EnvelopeFormat::Metablock, EnvelopeFormat::Dsse] {
            let mut m = Metadata::new(doc(), format);
            m.sign(&key).expect("sign");
            let back = Metadata::from_bytes(&m.to_bytes()).expect("parse");
            assert_eq!(back, m);
            let v = back.verify(&ring, one).expect("verify");
            assert_eq!(v.get(), &doc(), "unknown fields survive");
            assert_eq!(back.signature_key_ids(), vec![key.public_key().key_id()]);
        }
    }

    #[test]
    fn tampered_metablocks_fail_verification() {
        let key = PrivateKey::generate(KeyType::EcdsaP256).expect("key");
        let ring = Keyring::new([key.public_key()]).expect("ring");
        let mut m = Metadata::new(doc(), EnvelopeFormat::Metablock);
        m.sign(&key).expect("sign");
        let text = String::from_utf8(m.to_bytes())
            .expect("utf-8")
            .replace("\"build\"", "\"evil\"");
        let tampered = Metadata::from_bytes(text.as_bytes()).expect("still well-formed");
        let err = tampered
            .verify(&ring, Threshold::new(1).expect("nonzero"))
            .expect_err("tampered");
        assert!(matches!(err, IntotoError::Verification(_)), "{err}");
    }

    #[test]
    fn malformed_metadata_is_named() {
        for (text, needle) in [
            ("[]", "not a JSON object"),
            ("{}", "\"signed\""),
            (r#"{"signed": {}}"#, "\"signatures\""),
            (r#"{"signed": {}, "signatures": [{"keyid": 1}]}"#, "keyid"),
            (
                r#"{"payload": "e30=", "payloadType": "text/plain", "signatures": [{"sig": ""}]}"#,
                "payload type",
            ),
        ] {
            let e = Metadata::from_bytes(text.as_bytes())
                .expect_err(text)
                .to_string();
            assert!(e.contains(needle), "{text}: {e}");
        }
    }
}
