//! DSSE envelopes (Dead Simple Signing Envelope, v1.0): the signature wrapper in-toto
//! attestations use. Signatures cover the pre-authentication encoding
//! `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, never the JSON.

use crate::keys::{KeyId, PrivateKey};
use crate::threshold::{Keyring, SignatureEntry, Threshold, verify_threshold};
use crate::verified::Verified;
use crate::{CryptoError, Result};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

/// Largest envelope we parse: metadata, not artefacts, travels in envelopes.
pub const MAX_ENVELOPE_BYTES: usize = 64 * 1024 * 1024;

/// The DSSE pre-authentication encoding, the exact bytes that are signed.
#[must_use]
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// A signed (or not yet signed) envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    payload_type: String,
    payload: Vec<u8>,
    signatures: Vec<SignatureEntry>,
}

/// What a verified envelope carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// The `payloadType`, e.g. `application/vnd.in-toto+json`.
    pub payload_type: String,
    /// The payload bytes exactly as signed.
    pub bytes: Vec<u8>,
}

impl Envelope {
    /// An envelope with no signatures yet.
    #[must_use]
    pub fn new(payload_type: impl Into<String>, payload: Vec<u8>) -> Self {
        Self {
            payload_type: payload_type.into(),
            payload,
            signatures: Vec::new(),
        }
    }

    /// Add a signature by `key` over the PAE.
    ///
    /// # Errors
    /// [`CryptoError::Signing`] if signing fails.
    pub fn sign(&mut self, key: &PrivateKey) -> Result<()> {
        let sig = key.sign(&pae(&self.payload_type, &self.payload))?;
        self.signatures.push(SignatureEntry {
            key_id: Some(key.public_key().key_id()),
            sig,
        });
        Ok(())
    }

    /// Parse the JSON form. Unknown fields are ignored; base64 may be standard or
    /// URL-safe, padded or not, as the DSSE spec allows.
    ///
    /// # Errors
    /// [`CryptoError::MalformedEnvelope`] naming the field at fault.
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        Self::parse(bytes, true)
    }

    /// Parse an envelope that may not be signed yet, to add signatures to it.
    ///
    /// # Errors
    /// As [`Envelope::from_json`], except that an empty signature list is accepted.
    pub fn from_json_to_sign(bytes: &[u8]) -> Result<Self> {
        Self::parse(bytes, false)
    }

    fn parse(bytes: &[u8], require_signatures: bool) -> Result<Self> {
        let bad = |m: String| CryptoError::MalformedEnvelope(m);
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(bad(format!("larger than {MAX_ENVELOPE_BYTES} bytes")));
        }
        let v: Value =
            serde_json::from_slice(bytes).map_err(|e| bad(format!("invalid JSON: {e}")))?;
        let obj = v
            .as_object()
            .ok_or_else(|| bad("not a JSON object".into()))?;
        let payload_type = obj
            .get("payloadType")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("missing string field \"payloadType\"".into()))?
            .to_owned();
        let payload = obj
            .get("payload")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("missing string field \"payload\"".into()))?;
        let payload = decode_b64(payload).ok_or_else(|| bad("\"payload\" is not base64".into()))?;
        let sigs = obj
            .get("signatures")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("missing array field \"signatures\"".into()))?;
        if sigs.is_empty() && require_signatures {
            return Err(bad(
                "\"signatures\" is empty: the envelope is not signed".into()
            ));
        }
        let mut signatures = Vec::with_capacity(sigs.len());
        for (i, s) in sigs.iter().enumerate() {
            let sig = s
                .get("sig")
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("signatures[{i}] has no string field \"sig\"")))?;
            let sig =
                decode_b64(sig).ok_or_else(|| bad(format!("signatures[{i}].sig is not base64")))?;
            let key_id = match s.get("keyid") {
                None | Some(Value::Null) => None,
                Some(Value::String(k)) if k.is_empty() => None,
                Some(Value::String(k)) => Some(KeyId::declared(k.clone())),
                Some(_) => return Err(bad(format!("signatures[{i}].keyid is not a string"))),
            };
            signatures.push(SignatureEntry { key_id, sig });
        }
        Ok(Self {
            payload_type,
            payload,
            signatures,
        })
    }

    /// The JSON form as a value (standard base64, the fields securesystemslib writes).
    #[must_use]
    pub fn to_json_value(&self) -> Value {
        let sigs: Vec<Value> = self
            .signatures
            .iter()
            .map(|s| {
                json!({
                    "keyid": s.key_id.as_ref().map(KeyId::as_str).unwrap_or_default(),
                    "sig": STANDARD.encode(&s.sig),
                })
            })
            .collect();
        json!({
            "payload": STANDARD.encode(&self.payload),
            "payloadType": self.payload_type,
            "signatures": sigs,
        })
    }

    /// The JSON form, pretty-printed with a trailing newline.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(&self.to_json_value()).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// The payload type, unverified.
    #[must_use]
    pub fn payload_type(&self) -> &str {
        &self.payload_type
    }

    /// The payload bytes, NOT verified: only for routing (e.g. choosing a parser) before
    /// verification, never for decisions.
    #[must_use]
    pub fn payload_unverified(&self) -> &[u8] {
        &self.payload
    }

    /// The signatures.
    #[must_use]
    pub fn signatures(&self) -> &[SignatureEntry] {
        &self.signatures
    }

    /// Verify that `threshold` distinct keys of `keyring` signed the envelope.
    ///
    /// # Errors
    /// [`CryptoError::ThresholdNotMet`] with the reasons.
    pub fn verify(self, keyring: &Keyring, threshold: Threshold) -> Result<Verified<Payload>> {
        let message = pae(&self.payload_type, &self.payload);
        let payload = Payload {
            payload_type: self.payload_type,
            bytes: self.payload,
        };
        verify_threshold(payload, &message, &self.signatures, keyring, threshold)
    }
}

fn decode_b64(s: &str) -> Option<Vec<u8>> {
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(s).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyType;

    #[test]
    fn pae_matches_the_spec_example() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn sign_serialise_parse_verify() {
        let a = PrivateKey::generate(KeyType::Ed25519).expect("key");
        let b = PrivateKey::generate(KeyType::EcdsaP256).expect("key");
        let mut env = Envelope::new("application/vnd.in-toto+json", b"{}".to_vec());
        env.sign(&a).expect("sign");
        env.sign(&b).expect("sign");
        let parsed = Envelope::from_json(&env.to_json()).expect("parse");
        assert_eq!(parsed, env);
        let ring = Keyring::new([a.public_key(), b.public_key()]).expect("ring");
        let v = parsed
            .clone()
            .verify(&ring, Threshold::new(2).expect("nonzero"))
            .expect("verify");
        assert_eq!(v.bytes, b"{}");
        assert!(
            parsed
                .verify(&ring, Threshold::new(3).expect("nonzero"))
                .is_err()
        );
    }

    #[test]
    fn tampering_is_detected() {
        let a = PrivateKey::generate(KeyType::Ed25519).expect("key");
        let mut env = Envelope::new("t", b"payload".to_vec());
        env.sign(&a).expect("sign");
        let ring = Keyring::new([a.public_key()]).expect("ring");
        let one = Threshold::new(1).expect("nonzero");
        let mut other_type = env.clone();
        other_type.payload_type = "u".into();
        assert!(other_type.verify(&ring, one).is_err());
        let mut other_payload = env;
        other_payload.payload = b"payloaD".to_vec();
        assert!(other_payload.verify(&ring, one).is_err());
    }

    #[test]
    fn malformed_envelopes_name_the_field() {
        let e = |s: &str| {
            Envelope::from_json(s.as_bytes())
                .expect_err("malformed")
                .to_string()
        };
        assert!(e("[]").contains("not a JSON object"));
        assert!(e(r#"{"payload":"", "signatures":[]}"#).contains("payloadType"));
        assert!(e(r#"{"payload":"!!","payloadType":"t","signatures":[]}"#).contains("base64"));
        assert!(e(r#"{"payload":"","payloadType":"t","signatures":[]}"#).contains("not signed"));
        assert!(
            e(r#"{"payload":"","payloadType":"t","signatures":[{"keyid":1,"sig":""}]}"#)
                .contains("keyid")
        );
    }
}
