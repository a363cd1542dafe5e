//! Writing signed metadata: the repository side's one way to produce a metadata file, in
//! python-tuf's layout (`json.dumps(indent=1, separators=(",", ": "), sort_keys=True)`),
//! each signature over the canonical JSON of `signed`.

use crate::TufError;
use custody_core::canonical_json;
use custody_core::python_json::{self, PythonJsonStyle};
use custody_crypto::keys::PrivateKey;
use serde_json::{Value, json};

/// Sign `signed` with every key in `keys` and return the metadata file's bytes.
///
/// # Errors
/// [`TufError::Malformed`] if `signed` has floats (no canonical form);
/// [`TufError::Usage`] if a key cannot sign.
pub fn sign_metadata(signed: &Value, keys: &[&PrivateKey]) -> Result<Vec<u8>, TufError> {
    let canonical = canonical_json::to_vec(signed).map_err(|e| TufError::Malformed {
        role: signed
            .get("_type")
            .and_then(Value::as_str)
            .unwrap_or("metadata")
            .to_owned(),
        detail: e.to_string(),
    })?;
    let mut signatures = Vec::with_capacity(keys.len());
    for key in keys {
        let sig = key
            .sign(&canonical)
            .map_err(|e| TufError::Usage(format!("signing failed: {e}")))?;
        signatures.push(json!({
            "keyid": key.public_key().key_id().as_str(),
            "sig": hex::encode(sig),
        }));
    }
    let doc = json!({"signatures": signatures, "signed": signed});
    Ok(python_json::to_string(&doc, PythonJsonStyle::INDENT_1).into_bytes())
}
