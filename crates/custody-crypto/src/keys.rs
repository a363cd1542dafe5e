//! Keys: generation, PEM and securesystemslib JSON encodings, key IDs, raw signatures.
//!
//! Signature encodings follow securesystemslib so that signatures cross between custody
//! and the reference implementations unchanged: ed25519 signs the message itself (64 raw
//! bytes), ECDSA P-256 signs SHA-256 of the message (ASN.1 DER; raw `r||s` is also
//! accepted when verifying), RSA signs SHA-256 of the message with PSS (salt length = 32
//! when signing, any salt length when verifying, as securesystemslib does) or PKCS#1 v1.5.

use crate::{CryptoError, Result};
use custody_core::secret::Secret;
use pkcs8::der::{Decode as _, pem::LineEnding};
use pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use serde_json::{Value, json};
use sha2::Sha256;
use signature::{SignatureEncoding as _, Signer as _, Verifier as _};
use spki::{DecodePublicKey as _, EncodePublicKey as _, ObjectIdentifier};
use std::fmt;
use zeroize::Zeroizing;

const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// RSA modulus size for generated keys: 3072 bits, the NIST recommendation beyond 2030.
pub const RSA_BITS: usize = 3072;
/// Smallest RSA modulus we accept for verification.
pub const RSA_MIN_BITS: usize = 2048;

/// The family of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyType {
    /// Ed25519 (RFC 8032).
    Ed25519,
    /// ECDSA over NIST P-256.
    EcdsaP256,
    /// RSA (3072 bits when generated).
    Rsa,
}

impl KeyType {
    /// Every key type, in the order they are listed in help texts.
    pub const ALL: [KeyType; 3] = [KeyType::Ed25519, KeyType::EcdsaP256, KeyType::Rsa];

    /// The securesystemslib `keytype` string.
    #[must_use]
    pub fn sslib_keytype(self) -> &'static str {
        match self {
            KeyType::Ed25519 => "ed25519",
            KeyType::EcdsaP256 => "ecdsa",
            KeyType::Rsa => "rsa",
        }
    }

    /// The scheme securesystemslib uses by default for this key type.
    #[must_use]
    pub fn default_scheme(self) -> Scheme {
        match self {
            KeyType::Ed25519 => Scheme::Ed25519,
            KeyType::EcdsaP256 => Scheme::EcdsaSha2Nistp256,
            KeyType::Rsa => Scheme::RsassaPssSha256,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyType::Ed25519 => "ed25519",
            KeyType::EcdsaP256 => "ecdsa-p256",
            KeyType::Rsa => "rsa",
        })
    }
}

/// A signature scheme: a key type plus how it signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// `ed25519`.
    Ed25519,
    /// `ecdsa-sha2-nistp256`.
    EcdsaSha2Nistp256,
    /// `rsassa-pss-sha256`.
    RsassaPssSha256,
    /// `rsa-pkcs1v15-sha256`.
    RsaPkcs1v15Sha256,
}

impl Scheme {
    /// The securesystemslib scheme string.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Ed25519 => "ed25519",
            Scheme::EcdsaSha2Nistp256 => "ecdsa-sha2-nistp256",
            Scheme::RsassaPssSha256 => "rsassa-pss-sha256",
            Scheme::RsaPkcs1v15Sha256 => "rsa-pkcs1v15-sha256",
        }
    }

    /// Parse a securesystemslib scheme string.
    ///
    /// # Errors
    /// [`CryptoError::UnsupportedKey`] naming the scheme.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "ed25519" => Scheme::Ed25519,
            "ecdsa-sha2-nistp256" => Scheme::EcdsaSha2Nistp256,
            "rsassa-pss-sha256" => Scheme::RsassaPssSha256,
            "rsa-pkcs1v15-sha256" => Scheme::RsaPkcs1v15Sha256,
            other => {
                return Err(CryptoError::UnsupportedKey(format!(
                    "signature scheme {other:?} (supported: ed25519, ecdsa-sha2-nistp256, rsassa-pss-sha256, rsa-pkcs1v15-sha256)"
                )));
            }
        })
    }

    /// The key type this scheme signs with.
    #[must_use]
    pub fn key_type(self) -> KeyType {
        match self {
            Scheme::Ed25519 => KeyType::Ed25519,
            Scheme::EcdsaSha2Nistp256 => KeyType::EcdsaP256,
            Scheme::RsassaPssSha256 | Scheme::RsaPkcs1v15Sha256 => KeyType::Rsa,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A key ID. Computed IDs are the securesystemslib ones (SHA-256 of the canonical JSON of
/// the public key); IDs read from metadata are kept as declared and never re-derived.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct KeyId(String);

impl KeyId {
    /// A key ID as declared in metadata: opaque, compared byte for byte.
    #[must_use]
    pub fn declared(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The ID as a string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first eight characters, as used in in-toto link file names.
    #[must_use]
    pub fn short(&self) -> &str {
        self.0.get(..8).unwrap_or(&self.0)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.0)
    }
}

#[derive(Clone, PartialEq, Eq)]
enum PublicMaterial {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
    Rsa(Box<rsa::PublicKey>),
}

/// A public key with the scheme it verifies.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    material: PublicMaterial,
    scheme: Scheme,
    /// The `keytype` string as declared (securesystemslib also accepts the legacy
    /// `ecdsa-sha2-nistp256` for ECDSA keys); part of the key ID, so it is kept.
    keytype: String,
    key_id: KeyId,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("scheme", &self.scheme)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl PublicKey {
    fn from_material(material: PublicMaterial, scheme: Scheme) -> Result<Self> {
        let keytype = scheme.key_type().sslib_keytype().to_owned();
        let mut key = Self {
            material,
            scheme,
            keytype,
            key_id: KeyId(String::new()),
        };
        key.key_id = key.computed_key_id()?;
        Ok(key)
    }

    /// Read a public key: SPKI PEM (`-----BEGIN PUBLIC KEY-----`), or a securesystemslib
    /// JSON key (`{"keytype", "scheme", "keyval": {"public"}}`). `scheme` chooses the
    /// scheme for RSA PEM keys (default `rsassa-pss-sha256`); JSON keys carry their own.
    ///
    /// # Errors
    /// [`CryptoError::MalformedKey`] or [`CryptoError::UnsupportedKey`] saying what is wrong.
    pub fn from_bytes(bytes: &[u8], scheme: Option<Scheme>) -> Result<Self> {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            CryptoError::MalformedKey("a public key file must be text (PEM or JSON)".into())
        })?;
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') {
            let value: Value = serde_json::from_str(text)
                .map_err(|e| CryptoError::MalformedKey(format!("invalid JSON: {e}")))?;
            return Self::from_sslib_json(&value);
        }
        if trimmed.contains("-----BEGIN PUBLIC KEY-----") {
            return Self::from_spki_pem(text, scheme);
        }
        if trimmed.contains("PRIVATE KEY-----") {
            return Err(CryptoError::MalformedKey(
                "this is a private key; give the public key (custody key public FILE)".into(),
            ));
        }
        Err(CryptoError::MalformedKey(
            "expected a PEM public key (-----BEGIN PUBLIC KEY-----) or a securesystemslib JSON key"
                .into(),
        ))
    }

    /// Read an SPKI PEM public key.
    ///
    /// # Errors
    /// As [`PublicKey::from_bytes`].
    pub fn from_spki_pem(pem: &str, scheme: Option<Scheme>) -> Result<Self> {
        let (label, der) = pkcs8::der::pem::decode_vec(pem.trim().as_bytes())
            .map_err(|e| CryptoError::MalformedKey(format!("invalid PEM: {e}")))?;
        if label != "PUBLIC KEY" {
            return Err(CryptoError::MalformedKey(format!(
                "PEM label is {label:?}, expected \"PUBLIC KEY\" (SubjectPublicKeyInfo)"
            )));
        }
        Self::from_spki_der(&der, scheme)
    }

    /// Read a DER SubjectPublicKeyInfo.
    ///
    /// # Errors
    /// As [`PublicKey::from_bytes`].
    pub fn from_spki_der(der: &[u8], scheme: Option<Scheme>) -> Result<Self> {
        let spki = spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| CryptoError::MalformedKey(format!("invalid SubjectPublicKeyInfo: {e}")))?;
        let key_type = key_type_of(&spki.algorithm)?;
        let scheme = resolve_scheme(key_type, scheme)?;
        let bad = |e: &dyn fmt::Display| {
            CryptoError::MalformedKey(format!("invalid {key_type} public key: {e}"))
        };
        let material = match key_type {
            KeyType::Ed25519 => PublicMaterial::Ed25519(
                ed25519_dalek::VerifyingKey::from_public_key_der(der).map_err(|e| bad(&e))?,
            ),
            KeyType::EcdsaP256 => PublicMaterial::P256(
                p256::ecdsa::VerifyingKey::from_public_key_der(der).map_err(|e| bad(&e))?,
            ),
            KeyType::Rsa => {
                let key = rsa::PublicKey::from_public_key_der(der).map_err(|e| bad(&e))?;
                check_rsa_size(&key)?;
                PublicMaterial::Rsa(Box::new(key))
            }
        };
        Self::from_material(material, scheme)
    }

    /// Read a securesystemslib JSON public key. A `keyid` field, when present, is taken as
    /// declared; otherwise the ID is computed from `keytype`, `scheme` and `keyval`.
    ///
    /// # Errors
    /// As [`PublicKey::from_bytes`].
    pub fn from_sslib_json(value: &Value) -> Result<Self> {
        let field = |name: &str| {
            value.get(name).and_then(Value::as_str).ok_or_else(|| {
                CryptoError::MalformedKey(format!("JSON key has no string field {name:?}"))
            })
        };
        let keytype = field("keytype")?;
        let scheme = Scheme::parse(field("scheme")?)?;
        let public = value
            .get("keyval")
            .and_then(|kv| kv.get("public"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                CryptoError::MalformedKey("JSON key has no string keyval.public".into())
            })?;
        let expected = scheme.key_type();
        let keytype_ok = match expected {
            KeyType::Ed25519 => keytype == "ed25519",
            KeyType::EcdsaP256 => keytype == "ecdsa" || keytype == "ecdsa-sha2-nistp256",
            KeyType::Rsa => keytype == "rsa",
        };
        if !keytype_ok {
            return Err(CryptoError::UnsupportedKey(format!(
                "keytype {keytype:?} with scheme {scheme:?}"
            )));
        }
        let material = match expected {
            KeyType::Ed25519 => {
                let mut raw = [0u8; 32];
                hex::decode_to_slice(public, &mut raw).map_err(|_| {
                    CryptoError::MalformedKey(
                        "ed25519 keyval.public must be 64 hex characters".into(),
                    )
                })?;
                PublicMaterial::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(&raw).map_err(
                    |e| CryptoError::MalformedKey(format!("invalid ed25519 public key: {e}")),
                )?)
            }
            KeyType::EcdsaP256 | KeyType::Rsa => {
                Self::from_spki_pem(public, Some(scheme))?.material
            }
        };
        let mut key = Self {
            material,
            scheme,
            keytype: keytype.to_owned(),
            key_id: KeyId(String::new()),
        };
        key.key_id = match value.get("keyid").and_then(Value::as_str) {
            Some(declared) => KeyId::declared(declared),
            None => key.computed_key_id()?,
        };
        Ok(key)
    }

    /// This key with another scheme of the same key type (RSA: PSS or PKCS#1 v1.5).
    ///
    /// # Errors
    /// [`CryptoError::UnsupportedKey`] when the scheme belongs to another key type.
    pub fn with_scheme(mut self, scheme: Scheme) -> Result<Self> {
        resolve_scheme(self.key_type(), Some(scheme))?;
        self.scheme = scheme;
        self.key_id = self.computed_key_id()?;
        Ok(self)
    }

    /// The same key under a key ID declared by metadata.
    #[must_use]
    pub fn with_declared_key_id(mut self, id: KeyId) -> Self {
        self.key_id = id;
        self
    }

    /// The key type.
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        match self.material {
            PublicMaterial::Ed25519(_) => KeyType::Ed25519,
            PublicMaterial::P256(_) => KeyType::EcdsaP256,
            PublicMaterial::Rsa(_) => KeyType::Rsa,
        }
    }

    /// The signature scheme.
    #[must_use]
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The key ID (declared, or computed the securesystemslib way).
    #[must_use]
    pub fn key_id(&self) -> KeyId {
        self.key_id.clone()
    }

    /// The key ID securesystemslib computes for this key: SHA-256 over the canonical JSON
    /// of `{"keytype", "scheme", "keyval": {"public"}}`.
    ///
    /// # Errors
    /// Only if the key cannot be encoded, which does not happen for valid keys.
    pub fn computed_key_id(&self) -> Result<KeyId> {
        let bytes = custody_core::canonical_json::to_vec(&self.to_sslib_json_value(false)?)
            .map_err(|e| CryptoError::MalformedKey(e.to_string()))?;
        Ok(KeyId(
            custody_core::digest::Sha256Digest::of(&bytes).to_hex(),
        ))
    }

    /// The securesystemslib JSON form; with `with_keyid` the `keyid` field is included.
    ///
    /// # Errors
    /// Only if the key cannot be encoded as PEM.
    pub fn to_sslib_json_value(&self, with_keyid: bool) -> Result<Value> {
        let public = match &self.material {
            PublicMaterial::Ed25519(k) => hex::encode(k.as_bytes()),
            PublicMaterial::P256(_) | PublicMaterial::Rsa(_) => self.to_spki_pem()?,
        };
        let mut v = json!({
            "keytype": self.keytype,
            "scheme": self.scheme.as_str(),
            "keyval": {"public": public},
        });
        if with_keyid && let Some(map) = v.as_object_mut() {
            map.insert("keyid".into(), Value::String(self.key_id.0.clone()));
        }
        Ok(v)
    }

    /// SPKI PEM with LF line endings and a trailing newline, as pyca/cryptography writes it.
    ///
    /// # Errors
    /// Only if encoding fails, which does not happen for valid keys.
    pub fn to_spki_pem(&self) -> Result<String> {
        let r = match &self.material {
            PublicMaterial::Ed25519(k) => k.to_public_key_pem(LineEnding::LF),
            PublicMaterial::P256(k) => k.to_public_key_pem(LineEnding::LF),
            PublicMaterial::Rsa(k) => k.to_public_key_pem(LineEnding::LF),
        };
        r.map_err(|e| CryptoError::MalformedKey(format!("cannot encode public key: {e}")))
    }

    /// RSA modulus size in bits, for display.
    #[must_use]
    pub fn bits(&self) -> usize {
        match &self.material {
            PublicMaterial::Ed25519(_) | PublicMaterial::P256(_) => 256,
            PublicMaterial::Rsa(k) => {
                rsa::traits::PublicKeyParts::n_bits_precision(k.as_ref()) as usize
            }
        }
    }

    /// Check a raw signature over `message` with this key's scheme.
    ///
    /// Crate-private: callers outside go through [`crate::threshold::verify_threshold`], the
    /// one place that decides whether something is verified.
    pub(crate) fn verify_raw(&self, message: &[u8], sig: &[u8]) -> Result<()> {
        let bad = |what: &str| CryptoError::BadSignature(format!("{what} (key {})", self.key_id));
        match (&self.material, self.scheme) {
            (PublicMaterial::Ed25519(k), Scheme::Ed25519) => {
                let sig = ed25519_dalek::Signature::from_slice(sig)
                    .map_err(|_| bad("not a 64-byte ed25519 signature"))?;
                k.verify_strict(message, &sig)
                    .map_err(|_| bad("ed25519 signature does not match"))
            }
            (PublicMaterial::P256(k), Scheme::EcdsaSha2Nistp256) => {
                let sig = p256::ecdsa::Signature::from_der(sig)
                    .or_else(|_| p256::ecdsa::Signature::from_slice(sig))
                    .map_err(|_| bad("not an ECDSA P-256 signature (DER or r||s)"))?;
                k.verify(message, &sig)
                    .map_err(|_| bad("ECDSA signature does not match"))
            }
            (PublicMaterial::Rsa(k), Scheme::RsassaPssSha256) => {
                let vk =
                    rsa::pss::VerifyingKey::<Sha256>::new_with_auto_salt_len(k.as_ref().clone());
                let sig =
                    rsa::pss::Signature::try_from(sig).map_err(|_| bad("not an RSA signature"))?;
                vk.verify(message, &sig)
                    .map_err(|_| bad("RSA-PSS signature does not match"))
            }
            (PublicMaterial::Rsa(k), Scheme::RsaPkcs1v15Sha256) => {
                let vk = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(k.as_ref().clone());
                let sig = rsa::pkcs1v15::Signature::try_from(sig)
                    .map_err(|_| bad("not an RSA signature"))?;
                vk.verify(message, &sig)
                    .map_err(|_| bad("RSA PKCS#1 v1.5 signature does not match"))
            }
            _ => Err(bad("scheme does not match key type")),
        }
    }

    /// Whether two keys hold the same key material (whatever their IDs and schemes).
    #[must_use]
    pub fn same_material(&self, other: &PublicKey) -> bool {
        self.material == other.material
    }
}

/// The key type an X.509/PKCS#8 algorithm identifier names, for public and private keys
/// alike.
fn key_type_of(alg: &spki::AlgorithmIdentifierRef<'_>) -> Result<KeyType> {
    let oid = alg.oid;
    if oid == OID_ED25519 {
        Ok(KeyType::Ed25519)
    } else if oid == OID_EC_PUBLIC_KEY {
        let curve = alg
            .parameters_oid()
            .map_err(|_| CryptoError::MalformedKey("EC key without a named curve".into()))?;
        if curve != OID_P256 {
            return Err(CryptoError::UnsupportedKey(format!(
                "EC curve {curve} (only P-256, 1.2.840.10045.3.1.7, is supported)"
            )));
        }
        Ok(KeyType::EcdsaP256)
    } else if oid == OID_RSA {
        Ok(KeyType::Rsa)
    } else if oid == OID_RSA_PSS {
        Err(CryptoError::UnsupportedKey(
            "RSA-PSS-restricted key (OID 1.2.840.113549.1.1.10); use a plain rsaEncryption key (openssl genpkey -algorithm RSA)".into(),
        ))
    } else {
        Err(CryptoError::UnsupportedKey(format!(
            "key algorithm OID {oid}"
        )))
    }
}

fn resolve_scheme(key_type: KeyType, scheme: Option<Scheme>) -> Result<Scheme> {
    match scheme {
        None => Ok(key_type.default_scheme()),
        Some(s) if s.key_type() == key_type => Ok(s),
        Some(s) => Err(CryptoError::UnsupportedKey(format!(
            "scheme {s} cannot be used with a {key_type} key"
        ))),
    }
}

fn check_rsa_size(key: &rsa::PublicKey) -> Result<()> {
    let bits = rsa::traits::PublicKeyParts::n_bits_precision(key) as usize;
    if bits < RSA_MIN_BITS {
        return Err(CryptoError::UnsupportedKey(format!(
            "RSA key of {bits} bits (at least {RSA_MIN_BITS} required)"
        )));
    }
    Ok(())
}

enum PrivateMaterial {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
    Rsa(Box<rsa::PrivateKey>),
}

/// A private key. Key material is zeroized on drop by the underlying types; `Debug` shows
/// only the public key ID.
pub struct PrivateKey {
    material: PrivateMaterial,
    public: PublicKey,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("scheme", &self.public.scheme)
            .field("key_id", &self.public.key_id)
            .finish_non_exhaustive()
    }
}

/// Whether a PEM private key is passphrase-protected, without decrypting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateKeyEncoding {
    /// `-----BEGIN PRIVATE KEY-----`.
    Plain,
    /// `-----BEGIN ENCRYPTED PRIVATE KEY-----`.
    Encrypted,
}

impl PrivateKeyEncoding {
    /// Look at the PEM label.
    ///
    /// # Errors
    /// [`CryptoError::MalformedKey`] for anything that is not a PKCS#8 PEM private key, with
    /// a hint for the usual other formats.
    pub fn detect(pem: &[u8]) -> Result<Self> {
        let text = std::str::from_utf8(pem)
            .map_err(|_| CryptoError::MalformedKey("a private key file must be PEM text".into()))?;
        if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            Ok(Self::Encrypted)
        } else if text.contains("-----BEGIN PRIVATE KEY-----") {
            Ok(Self::Plain)
        } else if text.contains("-----BEGIN RSA PRIVATE KEY-----")
            || text.contains("-----BEGIN EC PRIVATE KEY-----")
        {
            Err(CryptoError::MalformedKey(
                "legacy PKCS#1/SEC1 PEM; convert it to PKCS#8 with `openssl pkcs8 -topk8 -in KEY -out KEY.p8`".into(),
            ))
        } else if text.contains("-----BEGIN OPENSSH PRIVATE KEY-----") {
            Err(CryptoError::UnsupportedKey(
                "OpenSSH private key; convert it with `ssh-keygen -p -m PKCS8 -f KEY`".into(),
            ))
        } else if text.contains("-----BEGIN PUBLIC KEY-----") {
            Err(CryptoError::MalformedKey(
                "this is a public key, a private key is needed".into(),
            ))
        } else {
            Err(CryptoError::MalformedKey(
                "expected a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----)".into(),
            ))
        }
    }
}

impl PrivateKey {
    /// Generate a fresh key from the operating system's random number generator.
    ///
    /// # Errors
    /// [`CryptoError::Randomness`] if the OS RNG fails; [`CryptoError::Signing`] if RSA
    /// generation fails.
    pub fn generate(key_type: KeyType) -> Result<Self> {
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        let material = match key_type {
            KeyType::Ed25519 => {
                PrivateMaterial::Ed25519(ed25519_dalek::SigningKey::generate(&mut rng))
            }
            KeyType::EcdsaP256 => PrivateMaterial::P256(
                <p256::ecdsa::SigningKey as p256::elliptic_curve::Generate>::generate_from_rng(
                    &mut rng,
                ),
            ),
            KeyType::Rsa => PrivateMaterial::Rsa(Box::new(
                rsa::PrivateKey::new(&mut rng, RSA_BITS)
                    .map_err(|e| CryptoError::Signing(format!("RSA key generation: {e}")))?,
            )),
        };
        Self::from_material(material, None)
    }

    fn from_material(material: PrivateMaterial, scheme: Option<Scheme>) -> Result<Self> {
        let (public_material, key_type) = match &material {
            PrivateMaterial::Ed25519(k) => {
                (PublicMaterial::Ed25519(k.verifying_key()), KeyType::Ed25519)
            }
            PrivateMaterial::P256(k) => {
                (PublicMaterial::P256(*k.verifying_key()), KeyType::EcdsaP256)
            }
            PrivateMaterial::Rsa(k) => (
                PublicMaterial::Rsa(Box::new(k.to_public_key())),
                KeyType::Rsa,
            ),
        };
        let public = PublicKey::from_material(public_material, resolve_scheme(key_type, scheme)?)?;
        Ok(Self { material, public })
    }

    /// Read a PKCS#8 PEM private key, encrypted (`ENCRYPTED PRIVATE KEY`, PBES2 with PBKDF2
    /// or scrypt and AES, or 3DES) or not. `passphrase` is only used for encrypted keys.
    ///
    /// # Errors
    /// [`CryptoError::PassphraseRequired`], [`CryptoError::WrongPassphrase`],
    /// [`CryptoError::MalformedKey`] or [`CryptoError::UnsupportedKey`].
    pub fn from_pkcs8_pem(
        pem: &[u8],
        passphrase: Option<&Secret>,
        scheme: Option<Scheme>,
    ) -> Result<Self> {
        let encoding = PrivateKeyEncoding::detect(pem)?;
        let (label, der) = pkcs8::der::pem::decode_vec(trim_to_pem(pem))
            .map_err(|e| CryptoError::MalformedKey(format!("invalid PEM: {e}")))?;
        let der = Zeroizing::new(der);
        let plain: Zeroizing<Vec<u8>> = match (encoding, label) {
            (PrivateKeyEncoding::Plain, "PRIVATE KEY") => der,
            (PrivateKeyEncoding::Encrypted, "ENCRYPTED PRIVATE KEY") => {
                let pass = passphrase.ok_or(CryptoError::PassphraseRequired)?;
                let info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(&der).map_err(|e| {
                    CryptoError::MalformedKey(format!("invalid EncryptedPrivateKeyInfo: {e}"))
                })?;
                let doc = info.decrypt(pass.expose()).map_err(|e| match e {
                    pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::DecryptFailed) => {
                        CryptoError::WrongPassphrase
                    }
                    pkcs8::Error::EncryptedPrivateKey(other) => CryptoError::UnsupportedKey(format!(
                        "key encryption: {other} (supported: PBES2 with PBKDF2-HMAC-SHA256/SHA1 or scrypt, AES-128/192/256-CBC or 3DES)"
                    )),
                    other => CryptoError::MalformedKey(format!("encrypted key: {other}")),
                })?;
                Zeroizing::new(doc.as_bytes().to_vec())
            }
            (_, other) => {
                return Err(CryptoError::MalformedKey(format!(
                    "unexpected PEM label {other:?}"
                )));
            }
        };
        Self::from_pkcs8_der(&plain, scheme).map_err(|e| match (encoding, e) {
            // A wrong passphrase with some ciphers decrypts to garbage with valid padding.
            (PrivateKeyEncoding::Encrypted, CryptoError::MalformedKey(_)) => {
                CryptoError::WrongPassphrase
            }
            (_, e) => e,
        })
    }

    /// Read an unencrypted DER PrivateKeyInfo.
    ///
    /// # Errors
    /// As [`PrivateKey::from_pkcs8_pem`].
    pub fn from_pkcs8_der(der: &[u8], scheme: Option<Scheme>) -> Result<Self> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|e| {
            CryptoError::MalformedKey(format!("invalid PKCS#8 PrivateKeyInfo: {e}"))
        })?;
        let bad =
            |e: &dyn fmt::Display| CryptoError::MalformedKey(format!("invalid private key: {e}"));
        let material = match key_type_of(&info.algorithm)? {
            KeyType::Ed25519 => PrivateMaterial::Ed25519(
                ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(|e| bad(&e))?,
            ),
            KeyType::EcdsaP256 => PrivateMaterial::P256(
                p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|e| bad(&e))?,
            ),
            KeyType::Rsa => {
                let key = rsa::PrivateKey::from_pkcs8_der(der).map_err(|e| bad(&e))?;
                check_rsa_size(&key.to_public_key())?;
                PrivateMaterial::Rsa(Box::new(key))
            }
        };
        Self::from_material(material, scheme)
    }

    /// PKCS#8 PEM. With a passphrase: `ENCRYPTED PRIVATE KEY` (PBES2, scrypt, AES-256-CBC),
    /// which OpenSSL 3 and pyca/cryptography read.
    ///
    /// # Errors
    /// [`CryptoError::Signing`] if encoding or encryption fails.
    pub fn to_pkcs8_pem(&self, passphrase: Option<&Secret>) -> Result<Zeroizing<String>> {
        let enc =
            |e: &dyn fmt::Display| CryptoError::Signing(format!("cannot encode private key: {e}"));
        let der = match &self.material {
            PrivateMaterial::Ed25519(k) => ed25519_pkcs8_v1(k),
            PrivateMaterial::P256(k) => k.to_pkcs8_der().map_err(|e| enc(&e))?,
            PrivateMaterial::Rsa(k) => k.to_pkcs8_der().map_err(|e| enc(&e))?,
        };
        match passphrase {
            None => der
                .to_pem("PRIVATE KEY", LineEnding::LF)
                .map_err(|e| enc(&e)),
            Some(pass) => {
                let info =
                    pkcs8::PrivateKeyInfoRef::from_der(der.as_bytes()).map_err(|e| enc(&e))?;
                let mut rng = getrandom::SysRng;
                let encrypted = info
                    .encrypt_with_rng(&mut rng, pass.expose())
                    .map_err(|e| enc(&e))?;
                encrypted
                    .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
                    .map_err(|e| enc(&e))
            }
        }
    }

    /// The matching public key.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// The key type.
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        self.public.key_type()
    }

    /// Sign `message` with this key's scheme (see the module docs for the encodings).
    ///
    /// # Errors
    /// [`CryptoError::Signing`] if the library fails (e.g. RSA blinding without randomness).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let fail = |e: &dyn fmt::Display| CryptoError::Signing(e.to_string());
        Ok(match (&self.material, self.public.scheme) {
            (PrivateMaterial::Ed25519(k), _) => k.sign(message).to_vec(),
            (PrivateMaterial::P256(k), _) => {
                let sig: p256::ecdsa::Signature = k.try_sign(message).map_err(|e| fail(&e))?;
                sig.to_der().as_bytes().to_vec()
            }
            (PrivateMaterial::Rsa(k), Scheme::RsaPkcs1v15Sha256) => {
                let sk = rsa::pkcs1v15::SigningKey::<Sha256>::new(k.as_ref().clone());
                sk.try_sign(message).map_err(|e| fail(&e))?.to_vec()
            }
            (PrivateMaterial::Rsa(k), _) => {
                let sk = rsa::pss::SigningKey::<Sha256>::new(k.as_ref().clone());
                let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
                signature::RandomizedSigner::try_sign_with_rng(&sk, &mut rng, message)
                    .map_err(|e| fail(&e))?
                    .to_vec()
            }
        })
    }
}

/// PKCS#8 v1 (`PrivateKeyInfo`, RFC 5208) for an ed25519 key, as RFC 8410 section 7 shows
/// it: version 0, the algorithm, and the 32-byte seed in a nested OCTET STRING, with no
/// public key. ed25519-dalek writes v2 (`OneAsymmetricKey` with the public key), which
/// OpenSSL 3.0 and pyca/cryptography refuse.
fn ed25519_pkcs8_v1(key: &ed25519_dalek::SigningKey) -> pkcs8::SecretDocument {
    const PREFIX: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    let mut der = Zeroizing::new(Vec::with_capacity(48));
    der.extend_from_slice(&PREFIX);
    der.extend_from_slice(&key.to_bytes());
    pkcs8::SecretDocument::try_from(der.as_slice())
        .expect("invariant: a fixed 48-byte PrivateKeyInfo is valid DER")
}

/// Drop anything before the first `-----BEGIN` and after the last `-----END …-----` line
/// (OpenSSL tolerates such text; the strict RFC 7468 decoder does not).
fn trim_to_pem(pem: &[u8]) -> &[u8] {
    let Ok(text) = std::str::from_utf8(pem) else {
        return pem;
    };
    let start = text.find("-----BEGIN").unwrap_or(0);
    let end = text
        .rfind("-----END")
        .and_then(|i| text[i + 8..].find("-----").map(|j| i + 8 + j + 5))
        .unwrap_or(text.len());
    if start >= end {
        return pem;
    }
    &pem[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> Secret {
        Secret::from(s.to_owned())
    }

    #[test]
    fn every_key_type_round_trips_through_pem_and_signs() {
        for kt in KeyType::ALL {
            let key = PrivateKey::generate(kt).expect("generate");
            let pem = key.to_pkcs8_pem(None).expect("encode");
            let back = PrivateKey::from_pkcs8_pem(pem.as_bytes(), None, None).expect("decode");
            assert_eq!(back.public_key(), key.public_key());
            let sig = back.sign(b"msg").expect("sign");
            let public = PublicKey::from_bytes(
                key.public_key().to_spki_pem().expect("pem").as_bytes(),
                None,
            )
            .expect("public pem");
            public.verify_raw(b"msg", &sig).expect("verifies");
            assert!(public.verify_raw(b"msh", &sig).is_err());
            let json = public.to_sslib_json_value(false).expect("json");
            let from_json = PublicKey::from_sslib_json(&json).expect("from json");
            assert_eq!(from_json.key_id(), public.key_id());
            from_json
                .verify_raw(b"msg", &sig)
                .expect("json key verifies");
        }
    }

    #[test]
    fn ed25519_keys_are_written_as_pkcs8_v1_like_rfc_8410() {
        let key = PrivateKey::generate(KeyType::Ed25519).expect("generate");
        let pem = key.to_pkcs8_pem(None).expect("encode");
        let (_, der) = pkcs8::der::pem::decode_vec(pem.as_bytes()).expect("pem");
        assert_eq!(der.len(), 48, "version 0, no public key");
        assert_eq!(&der[..5], &[0x30, 0x2e, 0x02, 0x01, 0x00]);
        let info = pkcs8::PrivateKeyInfoRef::from_der(&der).expect("parses as PKCS#8");
        assert_eq!(info.algorithm.oid, OID_ED25519);
    }

    #[test]
    fn encrypted_keys_need_the_right_passphrase() {
        let key = PrivateKey::generate(KeyType::EcdsaP256).expect("generate");
        let pem = key
            .to_pkcs8_pem(Some(&secret("correct horse")))
            .expect("encrypt");
        assert!(pem.contains("ENCRYPTED PRIVATE KEY"));
        assert!(matches!(
            PrivateKey::from_pkcs8_pem(pem.as_bytes(), None, None),
            Err(CryptoError::PassphraseRequired)
        ));
        assert!(matches!(
            PrivateKey::from_pkcs8_pem(pem.as_bytes(), Some(&secret("wrong")), None),
            Err(CryptoError::WrongPassphrase)
        ));
        let back = PrivateKey::from_pkcs8_pem(pem.as_bytes(), Some(&secret("correct horse")), None)
            .expect("decrypt");
        assert_eq!(back.public_key(), key.public_key());
    }

    #[test]
    fn rsa_pkcs1v15_scheme_signs_and_verifies() {
        let key = PrivateKey::generate(KeyType::Rsa).expect("generate");
        let pem = key.to_pkcs8_pem(None).expect("encode");
        let k = PrivateKey::from_pkcs8_pem(pem.as_bytes(), None, Some(Scheme::RsaPkcs1v15Sha256))
            .expect("decode");
        let sig = k.sign(b"m").expect("sign");
        k.public_key().verify_raw(b"m", &sig).expect("verify");
        let pss = k
            .public_key()
            .with_scheme(Scheme::RsassaPssSha256)
            .expect("same type");
        assert!(
            pss.verify_raw(b"m", &sig).is_err(),
            "PKCS#1 signature is not a PSS signature"
        );
        assert_ne!(
            pss.key_id(),
            k.public_key().key_id(),
            "scheme is part of the key ID"
        );
    }

    #[test]
    fn bad_inputs_are_named() {
        let err = |b: &[u8]| {
            PrivateKey::from_pkcs8_pem(b, None, None)
                .expect_err("must fail")
                .to_string()
        };
        assert!(err(b"hello").contains("PKCS#8"));
        assert!(
            err(b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n")
                .contains("openssl pkcs8")
        );
        let key = PrivateKey::generate(KeyType::Ed25519).expect("generate");
        let pem = key.to_pkcs8_pem(None).expect("encode");
        let truncated = &pem.as_bytes()[..pem.len() / 2];
        assert!(PrivateKey::from_pkcs8_pem(truncated, None, None).is_err());
        assert!(Scheme::parse("rsa-sha1").is_err());
        let e = PublicKey::from_sslib_json(
            &json!({"keytype":"dsa","scheme":"ed25519","keyval":{"public":"00"}}),
        )
        .expect_err("dsa is not ed25519");
        assert!(e.to_string().contains("dsa"));
    }

    #[test]
    fn declared_key_ids_are_kept() {
        let key = PrivateKey::generate(KeyType::Ed25519).expect("generate");
        let mut json = key.public_key().to_sslib_json_value(false).expect("json");
        json["keyid"] = json!("opaque-id-from-metadata");
        let k = PublicKey::from_sslib_json(&json).expect("parse");
        assert_eq!(k.key_id().as_str(), "opaque-id-from-metadata");
        assert_eq!(k.computed_key_id().expect("id"), key.public_key().key_id());
    }
}
