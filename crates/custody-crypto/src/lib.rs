//! Layer 1 of custody: everything that touches a key.
//!
//! Keys (ed25519, ECDSA P-256, RSA 3072 PSS or PKCS#1 v1.5) load from PKCS#8/SPKI PEM as
//! made by `openssl genpkey` and pyca/cryptography, and from securesystemslib JSON public
//! keys; key IDs are computed the securesystemslib way. Signatures are checked in exactly
//! one place, [`threshold::verify_threshold`], which is the only way to obtain a
//! [`Verified`] value.
//!
//! ```
//! use custody_crypto::keys::{KeyType, PrivateKey};
//! use custody_crypto::threshold::{Keyring, SignatureEntry, Threshold, verify_threshold};
//! let key = PrivateKey::generate(KeyType::Ed25519).unwrap();
//! let message = b"release 1.0";
//! let signatures = [SignatureEntry { key_id: Some(key.public_key().key_id()), sig: key.sign(message).unwrap() }];
//! let keyring = Keyring::new([key.public_key()]).unwrap();
//! let verified = verify_threshold("release 1.0", message, &signatures, &keyring, Threshold::new(1).unwrap()).unwrap();
//! assert_eq!(verified.signers().len(), 1);
//! ```

pub mod checked;
pub mod dsse;
pub mod keydir;
pub mod keys;
pub mod openpgp;
pub mod sshsig;
pub mod threshold;
pub mod verified;

pub use keys::{KeyId, KeyType, PrivateKey, PublicKey, Scheme};
pub use verified::Verified;

/// Everything that can go wrong with keys and signatures. Each variant names what was
/// wrong so that the CLI can print it as is.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The input is not a key we can read.
    #[error("not a usable key: {0}")]
    MalformedKey(String),
    /// A key algorithm or curve that custody does not support.
    #[error("unsupported key: {0}")]
    UnsupportedKey(String),
    /// An encrypted private key and no passphrase to open it.
    #[error(
        "the private key is encrypted and no passphrase was given (use --password-env VAR or run in a terminal)"
    )]
    PassphraseRequired,
    /// The passphrase did not decrypt the key.
    #[error("cannot decrypt the private key: wrong passphrase or damaged key")]
    WrongPassphrase,
    /// A signature that does not verify, or that is not even well-formed.
    #[error("signature verification failed: {0}")]
    BadSignature(String),
    /// Fewer distinct authorised keys signed than the threshold requires.
    #[error(
        "threshold not met: {valid} of {threshold} required valid signatures from distinct authorised keys{detail}"
    )]
    ThresholdNotMet {
        /// Distinct authorised keys with a valid signature.
        valid: usize,
        /// Signatures required.
        threshold: usize,
        /// Why the other signatures did not count.
        detail: String,
    },
    /// A threshold of zero, or a key set that lists one key twice.
    #[error("invalid trust configuration: {0}")]
    InvalidTrust(String),
    /// A DSSE envelope that is not well-formed.
    #[error("malformed DSSE envelope: {0}")]
    MalformedEnvelope(String),
    /// Signing failed inside the cryptographic library.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The operating system's random number generator failed.
    #[error("no randomness available from the operating system: {0}")]
    Randomness(String),
}

/// Result alias for this crate.
pub type Result<T, E = CryptoError> = std::result::Result<T, E>;
