//! in-toto attestations (ITE-6, attestation framework v1): a Statement binds subjects
//! (artifacts by digest) to a typed predicate (SLSA provenance, a link, an SBOM, scan
//! results, any JSON), signed in a DSSE envelope. Bundles are JSON Lines files
//! (`.intoto.jsonl`) with one envelope per line.

use crate::IntotoError;
use crate::hash::{HashAlgorithm, hash_file};
use crate::link::Link;
use crate::metadata::PAYLOAD_TYPE;
use custody_crypto::dsse::Envelope;
use custody_crypto::keys::PrivateKey;
use custody_crypto::threshold::{Keyring, Threshold};
use custody_crypto::{CryptoError, Verified};
use serde_json::{Map, Value, json};
use std::path::Path;

/// `_type` of a v1 Statement.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";

/// Predicate types custody knows by a short name, and what their predicates must hold.
pub const PREDICATE_ALIASES: [(&str, &str); 6] = [
    ("slsa-provenance", "https://slsa.dev/provenance/v1"),
    ("link", "https://in-toto.io/attestation/link/v0.3"),
    ("cyclonedx", "https://cyclonedx.org/bom"),
    ("spdx", "https://spdx.dev/Document"),
    ("sarif", "https://docs.oasis-open.org/sarif/sarif/v2.1.0"),
    (
        "test-result",
        "https://in-toto.io/attestation/test-result/v0.1",
    ),
];

/// The predicate type URI for a short name, or the argument itself when it is a URI.
///
/// # Errors
/// [`IntotoError::Malformed`] for a name that is neither an alias nor a URI.
pub fn predicate_type(name_or_uri: &str) -> Result<String, IntotoError> {
    if let Some((_, uri)) = PREDICATE_ALIASES
        .iter()
        .find(|(alias, _)| *alias == name_or_uri)
    {
        return Ok((*uri).to_owned());
    }
    if name_or_uri.contains("://") {
        return Ok(name_or_uri.to_owned());
    }
    let names: Vec<&str> = PREDICATE_ALIASES.iter().map(|(a, _)| *a).collect();
    Err(IntotoError::Malformed(format!(
        "predicate type {name_or_uri:?} is neither a URI nor one of {}",
        names.join(", ")
    )))
}

/// Check that a predicate has the fields its type requires, so that a mislabelled
/// document is caught when it is signed rather than when it is used.
///
/// # Errors
/// [`IntotoError::Malformed`] naming the missing field.
pub fn check_predicate(predicate_type: &str, predicate: &Value) -> Result<(), IntotoError> {
    let bad = |m: &str| IntotoError::Malformed(format!("{predicate_type} predicate: {m}"));
    if !predicate.is_object() {
        return Err(bad("must be a JSON object"));
    }
    if predicate.as_object().is_some_and(Map::is_empty) {
        return Err(bad("is empty (a v1 statement needs a predicate object)"));
    }
    let has = |pointer: &str| predicate.pointer(pointer).is_some_and(|v| !v.is_null());
    let problem = match predicate_type {
        "https://slsa.dev/provenance/v1" => {
            ["/buildDefinition/buildType", "/runDetails/builder/id"]
                .into_iter()
                .find(|f| !has(f))
                .map(|f| format!("no {f}"))
        }
        "https://in-toto.io/attestation/link/v0.3" => (!has("/name")).then(|| "no name".to_owned()),
        "https://cyclonedx.org/bom" => (predicate.get("bomFormat").and_then(Value::as_str)
            != Some("CycloneDX"))
        .then(|| "bomFormat is not \"CycloneDX\"".to_owned()),
        "https://spdx.dev/Document" => (!has("/spdxVersion")).then(|| "no spdxVersion".to_owned()),
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0" => {
            (predicate.get("version").and_then(Value::as_str) != Some("2.1.0") || !has("/runs"))
                .then(|| "not a SARIF 2.1.0 log (version and runs)".to_owned())
        }
        _ => None,
    };
    if let Some(p) = problem {
        return Err(bad(&p));
    }
    Ok(())
}

/// A subject: a name and its digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Name (usually the file name).
    pub name: String,
    /// Digests by algorithm (`sha256`, …), lowercase hex.
    pub digests: Map<String, Value>,
}

impl Subject {
    /// A subject for a file: its name as given and its SHA-256.
    ///
    /// # Errors
    /// [`IntotoError::Io`] if the file cannot be read.
    pub fn from_file(path: &Path) -> Result<Self, IntotoError> {
        let digests =
            hash_file(path, &[HashAlgorithm::Sha256], false).map_err(|source| IntotoError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Self {
            name: path.to_string_lossy().into_owned(),
            digests: digests.to_json_object(),
        })
    }

    /// A subject from `NAME=ALG:HEX` (e.g. `app.tar.gz=sha256:ab12…`).
    ///
    /// # Errors
    /// [`IntotoError::Malformed`] when the text has another shape.
    pub fn from_digest_spec(spec: &str) -> Result<Self, IntotoError> {
        let bad = || IntotoError::Malformed(format!("subject {spec:?}: expected NAME=sha256:HEX"));
        let (name, digest) = spec.split_once('=').ok_or_else(bad)?;
        let (alg, hex) = digest.split_once(':').ok_or_else(bad)?;
        let len_ok = match alg {
            "sha256" => hex.len() == 64,
            "sha512" => hex.len() == 128,
            _ => hex.len() >= 32,
        };
        if name.is_empty() || !len_ok || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let mut digests = Map::new();
        digests.insert(alg.to_owned(), Value::String(hex.to_ascii_lowercase()));
        Ok(Self {
            name: name.to_owned(),
            digests,
        })
    }
}

/// Build a v1 Statement.
#[must_use]
pub fn statement(subjects: &[Subject], predicate_type: &str, predicate: Value) -> Value {
    let subjects: Vec<Value> = subjects
        .iter()
        .map(|s| json!({"name": s.name, "digest": s.digests}))
        .collect();
    json!({
        "_type": STATEMENT_V1,
        "subject": subjects,
        "predicateType": predicate_type,
        "predicate": predicate,
    })
}

/// The link v0.3 predicate for a link: materials become resource descriptors.
#[must_use]
pub fn link_predicate(link: &Link) -> Value {
    let materials: Vec<Value> = link
        .materials
        .iter()
        .map(|(name, digests)| json!({"name": name, "digest": digests}))
        .collect();
    let byproducts = crate::link::byproducts_to_value(link.byproducts.as_ref());
    json!({
        "name": link.name,
        "command": link.command,
        "materials": materials,
        "byproducts": byproducts,
        "environment": {},
    })
}

/// Subjects for a link attestation: the link's products.
#[must_use]
pub fn link_subjects(link: &Link) -> Vec<Subject> {
    link.products
        .iter()
        .map(|(name, digests)| Subject {
            name: name.clone(),
            digests: digests.to_json_object(),
        })
        .collect()
}

/// The link a verified link v0.3 statement carries: materials from the predicate,
/// products from the subjects. `None` when the statement is not a link attestation.
///
/// # Errors
/// [`IntotoError::Malformed`] for a link statement with malformed fields.
pub fn link_from_statement(statement: &Value) -> Result<Option<Link>, IntotoError> {
    if statement.get("_type").and_then(Value::as_str) != Some(STATEMENT_V1)
        || statement.get("predicateType").and_then(Value::as_str)
            != Some("https://in-toto.io/attestation/link/v0.3")
    {
        return Ok(None);
    }
    let bad = |m: &str| IntotoError::Malformed(format!("link statement: {m}"));
    let descriptors = |v: Option<&Value>,
                       what: &str|
     -> Result<crate::artifacts::Artifacts, IntotoError> {
        let Some(list) = v else {
            return Ok(crate::artifacts::Artifacts::new());
        };
        let list = list
            .as_array()
            .ok_or_else(|| bad(&format!("{what} is not a list")))?;
        list.iter()
            .map(|rd| {
                let name = rd
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad(&format!("a {what} entry has no name")))?;
                let digest = rd
                    .get("digest")
                    .ok_or_else(|| bad(&format!("{what} {name:?} has no digest")))?;
                let digests = crate::link::digests_from(digest, &format!("{what} {name:?} digest"))
                    .map_err(|m| bad(&m))?;
                Ok((name.to_owned(), digests))
            })
            .collect()
    };
    let p = statement
        .get("predicate")
        .ok_or_else(|| bad("no predicate"))?;
    let name = p
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("predicate has no name"))?
        .to_owned();
    let command = match p.get("command") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            crate::link::strings_from(items, "command").map_err(|m| bad(&m))?
        }
        Some(_) => return Err(bad("command is not a list")),
    };
    let byproducts = p
        .get("byproducts")
        .and_then(Value::as_object)
        .and_then(crate::link::byproducts_from);
    Ok(Some(Link {
        name,
        materials: descriptors(p.get("materials"), "material")?,
        products: descriptors(statement.get("subject"), "subject")?,
        byproducts,
        command,
    }))
}

/// Sign a statement into a DSSE envelope.
///
/// # Errors
/// [`IntotoError::Crypto`] if signing fails.
pub fn sign_statement(statement: &Value, keys: &[PrivateKey]) -> Result<Envelope, IntotoError> {
    let payload =
        serde_json::to_vec(statement).map_err(|e| IntotoError::Malformed(e.to_string()))?;
    let mut envelope = Envelope::new(PAYLOAD_TYPE, payload);
    for key in keys {
        envelope.sign(key)?;
    }
    Ok(envelope)
}

/// One line of a bundle: the envelope as compact JSON.
#[must_use]
pub fn bundle_line(envelope: &Envelope) -> String {
    let mut line = serde_json::to_string(&envelope.to_json_value()).unwrap_or_default();
    line.push('\n');
    line
}

/// Envelopes of a file holding either one envelope (JSON) or a bundle (JSON Lines).
///
/// # Errors
/// [`IntotoError::Malformed`] naming the line that is not an envelope.
pub fn read_envelopes(bytes: &[u8]) -> Result<Vec<Envelope>, IntotoError> {
    if let Ok(env) = Envelope::from_json(bytes) {
        return Ok(vec![env]);
    }
    let text =
        std::str::from_utf8(bytes).map_err(|_| IntotoError::Malformed("not UTF-8 text".into()))?;
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        out.push(
            Envelope::from_json(line.as_bytes())
                .map_err(|e| IntotoError::Malformed(format!("line {}: {e}", i + 1)))?,
        );
    }
    if out.is_empty() {
        return Err(IntotoError::Malformed("no envelope in the file".into()));
    }
    Ok(out)
}

/// What to require of a statement besides valid signatures.
#[derive(Debug, Clone, Default)]
pub struct StatementQuery {
    /// A digest (`alg` and hex) one of the subjects must carry.
    pub subject_digest: Option<(String, String)>,
    /// The predicate type.
    pub predicate_type: Option<String>,
}

/// Verify one envelope: signatures by `threshold` keys of `keyring`, a v1 Statement,
/// and the query. Returns the verified statement.
///
/// # Errors
/// [`IntotoError::Verification`] saying which requirement failed.
pub fn verify_statement(
    envelope: &Envelope,
    keyring: &Keyring,
    threshold: Threshold,
    query: &StatementQuery,
) -> Result<Verified<Value>, IntotoError> {
    let fail = |m: String| IntotoError::Verification(m);
    if envelope.payload_type() != PAYLOAD_TYPE {
        return Err(fail(format!(
            "payload type {:?} is not {PAYLOAD_TYPE:?}",
            envelope.payload_type()
        )));
    }
    let verified = envelope
        .clone()
        .verify(keyring, threshold)
        .map_err(|e| match e {
            CryptoError::ThresholdNotMet { .. } => fail(e.to_string()),
            other => IntotoError::Crypto(other),
        })?
        .try_map(|p| serde_json::from_slice::<Value>(&p.bytes))
        .map_err(|e| IntotoError::Malformed(format!("statement is not JSON: {e}")))?;
    let st = verified.get();
    if st.get("_type").and_then(Value::as_str) != Some(STATEMENT_V1) {
        return Err(fail(format!(
            "not an in-toto v1 statement (_type {})",
            st.get("_type").unwrap_or(&Value::Null)
        )));
    }
    if let Some(want) = &query.predicate_type {
        let got = st
            .get("predicateType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if got != want {
            return Err(fail(format!("predicate type is {got:?}, not {want:?}")));
        }
    }
    if let Some((alg, hex)) = &query.subject_digest {
        let hit = st
            .get("subject")
            .and_then(Value::as_array)
            .is_some_and(|subjects| {
                subjects.iter().any(|s| {
                    s.pointer(&format!("/digest/{alg}"))
                        .and_then(Value::as_str)
                        .is_some_and(|d| d.eq_ignore_ascii_case(hex))
                })
            });
        if !hit {
            return Err(fail(format!("no subject has {alg} digest {hex}")));
        }
    }
    Ok(verified)
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_crypto::keys::KeyType;

    #[test]
    fn sign_bundle_and_verify_with_queries() {
        let key = PrivateKey::generate(KeyType::Ed25519).expect("key");
        let ring = Keyring::new([key.public_key()]).expect("ring");
        let one = Threshold::new(1).expect("nonzero");
        let subject =
            Subject::from_digest_spec(&format!("app={}", "sha256:".to_owned() + &"ab".repeat(32)))
                .expect("spec");
        let predicate = json!({"buildDefinition": {"buildType": "https://example.com/make"}, "runDetails": {"builder": {"id": "https://ci.example.com"}}});
        let ty = predicate_type("slsa-provenance").expect("alias");
        check_predicate(&ty, &predicate).expect("valid provenance");
        let env = sign_statement(&statement(&[subject], &ty, predicate), &[key]).expect("sign");
        let bundle = format!("{}{}", bundle_line(&env), bundle_line(&env));
        let envs = read_envelopes(bundle.as_bytes()).expect("bundle");
        assert_eq!(envs.len(), 2);
        let q = StatementQuery {
            subject_digest: Some(("sha256".into(), "AB".repeat(32))),
            predicate_type: Some(ty.clone()),
        };
        let v = verify_statement(&envs[0], &ring, one, &q).expect("verifies");
        assert_eq!(
            v.get()["predicate"]["runDetails"]["builder"]["id"],
            "https://ci.example.com"
        );
        let wrong = StatementQuery {
            subject_digest: Some(("sha256".into(), "cd".repeat(32))),
            ..q.clone()
        };
        assert!(matches!(
            verify_statement(&envs[0], &ring, one, &wrong),
            Err(IntotoError::Verification(_))
        ));
        let other_type = StatementQuery {
            predicate_type: Some("https://spdx.dev/Document".into()),
            ..q
        };
        assert!(verify_statement(&envs[0], &ring, one, &other_type).is_err());
    }

    #[test]
    fn links_round_trip_through_link_statements() {
        let link = Link {
            name: "build".into(),
            materials: [(
                "src.c".to_owned(),
                [("sha256".to_owned(), "aa".to_owned())].into(),
            )]
            .into(),
            products: [(
                "app".to_owned(),
                [("sha256".to_owned(), "bb".to_owned())].into(),
            )]
            .into(),
            byproducts: Some(crate::runner::Byproducts {
                stdout: "ok".into(),
                stderr: String::new(),
                return_value: 0,
            }),
            command: vec!["make".into()],
        };
        let st = statement(
            &link_subjects(&link),
            "https://in-toto.io/attestation/link/v0.3",
            link_predicate(&link),
        );
        assert_eq!(link_from_statement(&st).expect("valid"), Some(link));
        let other = statement(&[], "https://slsa.dev/provenance/v1", json!({"x": 1}));
        assert_eq!(link_from_statement(&other).expect("not a link"), None);
    }

    #[test]
    fn predicates_are_checked_against_their_type() {
        assert!(
            check_predicate("https://slsa.dev/provenance/v1", &json!({"runDetails": {}})).is_err()
        );
        assert!(
            check_predicate("https://cyclonedx.org/bom", &json!({"bomFormat": "SPDX"})).is_err()
        );
        assert!(check_predicate("https://example.com/anything", &json!({"x": 1})).is_ok());
        assert!(predicate_type("nonsense").is_err());
        assert!(Subject::from_digest_spec("x=sha256:12").is_err());
    }
}
