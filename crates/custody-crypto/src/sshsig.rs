//! SSH signatures (`ssh-keygen -Y sign`, the format git uses with `gpg.format = ssh`):
//! OpenSSH public keys and armored `SSHSIG` blobs, checked in-process.
//!
//! A signature names the key that made it; that key decides nothing until the caller has
//! matched it against keys it trusts (by [`SshPublicKey::fingerprint`]), and only then is
//! the signature checked with the trusted key. The namespace (`git` for commits) is part of
//! what is signed, so a signature made for one purpose never verifies for another.

use crate::CryptoError;

/// An OpenSSH public key (`ssh-ed25519 AAAA… comment`). Keys are equal when their key
/// material is; the comment does not count.
#[derive(Clone)]
pub struct SshPublicKey {
    key: ssh_key::PublicKey,
}

impl PartialEq for SshPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key.key_data() == other.key.key_data()
    }
}

impl Eq for SshPublicKey {}

impl std::fmt::Debug for SshPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SshPublicKey({})", self.fingerprint())
    }
}

impl SshPublicKey {
    /// Parse one line of `authorized_keys` form: algorithm, base64 key, optional comment.
    /// Options before the algorithm (`cert-authority`, `from=…`) are refused.
    ///
    /// # Errors
    /// [`CryptoError::MalformedKey`] when the line is not such a key.
    pub fn from_openssh(line: &str) -> Result<Self, CryptoError> {
        let line = line.trim();
        let key = ssh_key::PublicKey::from_openssh(line).map_err(|e| {
            CryptoError::MalformedKey(format!("not an OpenSSH public key line ({e})"))
        })?;
        Ok(Self { key })
    }

    /// `SHA256:` and the unpadded base64 SHA-256 of the key blob, as `ssh-keygen -l` prints.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(ssh_key::HashAlg::Sha256).to_string()
    }

    /// The algorithm name, e.g. `ssh-ed25519`.
    #[must_use]
    pub fn algorithm(&self) -> String {
        self.key.algorithm().as_str().to_owned()
    }

    /// The key without its comment, in `authorized_keys` form.
    #[must_use]
    pub fn to_openssh(&self) -> String {
        let mut key = self.key.clone();
        key.set_comment("");
        key.to_openssh()
            .map(|s| s.trim_end().to_owned())
            .unwrap_or_default()
    }
}

/// Why an SSH signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SshSigError {
    /// Not an armored `SSHSIG` blob.
    #[error("malformed SSH signature: {0}")]
    Malformed(String),
    /// Made for another purpose (`file`, `email`, …).
    #[error("SSH signature namespace is {found:?}, expected {expected:?}")]
    Namespace {
        /// In the signature.
        found: String,
        /// Asked for.
        expected: String,
    },
    /// The signature names another key than the one it is checked with.
    #[error("SSH signature was made by {found}, not {expected}")]
    OtherKey {
        /// The key the signature names.
        found: String,
        /// The key it was checked with.
        expected: String,
    },
    /// A key type custody does not verify (e.g. ECDSA P-384/P-521, DSA).
    #[error("SSH signature algorithm {0} is not supported")]
    Unsupported(String),
    /// The signature does not match the data.
    #[error("SSH signature does not match the signed data")]
    Invalid,
}

/// A parsed `SSHSIG` signature: who says they signed, and the signature itself.
#[derive(Debug, Clone)]
pub struct SshSignature {
    sig: ssh_key::SshSig,
    /// The armored text it was read from: what a remembered check is keyed by.
    armored: Vec<u8>,
}

impl SshSignature {
    /// Parse the armored form (`-----BEGIN SSH SIGNATURE-----`).
    ///
    /// # Errors
    /// [`SshSigError::Malformed`].
    pub fn from_armored(armored: &[u8]) -> Result<Self, SshSigError> {
        let sig = ssh_key::SshSig::from_pem(armored)
            .map_err(|e| SshSigError::Malformed(e.to_string()))?;
        Ok(Self {
            sig,
            armored: armored.to_vec(),
        })
    }

    /// The key the signature claims to be made by (untrusted until matched).
    #[must_use]
    pub fn claimed_signer(&self) -> SshPublicKey {
        SshPublicKey {
            key: ssh_key::PublicKey::from(self.sig.public_key().clone()),
        }
    }

    /// The namespace the signature was made for.
    #[must_use]
    pub fn namespace(&self) -> &str {
        self.sig.namespace()
    }

    /// Check the signature over `message` with a trusted `key`, for `namespace`.
    ///
    /// # Errors
    /// Each way it can fail, as [`SshSigError`].
    pub fn verify(
        &self,
        key: &SshPublicKey,
        namespace: &str,
        message: &[u8],
    ) -> Result<(), SshSigError> {
        self.verify_remembering(key, namespace, message, None)
    }

    /// As [`SshSignature::verify`]; the arithmetic is skipped when `memo` remembers that
    /// this check passed, and remembered when it passes.
    ///
    /// # Errors
    /// Each way it can fail, as [`SshSigError`].
    pub fn verify_remembering(
        &self,
        key: &SshPublicKey,
        namespace: &str,
        message: &[u8],
        memo: Option<&crate::checked::CheckedSignatures>,
    ) -> Result<(), SshSigError> {
        if self.sig.namespace() != namespace {
            return Err(SshSigError::Namespace {
                found: self.sig.namespace().to_owned(),
                expected: namespace.to_owned(),
            });
        }
        if self.sig.public_key() != key.key.key_data() {
            return Err(SshSigError::OtherKey {
                found: self.claimed_signer().fingerprint(),
                expected: key.fingerprint(),
            });
        }
        let algorithm = self.sig.algorithm();
        let supported = matches!(
            algorithm,
            ssh_key::Algorithm::Ed25519
                | ssh_key::Algorithm::SkEd25519
                | ssh_key::Algorithm::Rsa { .. }
        ) || matches!(
            algorithm,
            ssh_key::Algorithm::Ecdsa {
                curve: ssh_key::EcdsaCurve::NistP256
            }
        );
        if !supported {
            return Err(SshSigError::Unsupported(algorithm.as_str().to_owned()));
        }
        let id = || {
            crate::checked::check_id(
                "sshsig",
                &[
                    key.fingerprint().as_bytes(),
                    namespace.as_bytes(),
                    &self.armored,
                    message,
                ],
            )
        };
        crate::checked::remembered(memo, id, || key.key.verify(namespace, message, &self.sig))
            .map_err(|e| match e {
                ssh_key::Error::Namespace => SshSigError::Namespace {
                    found: self.sig.namespace().to_owned(),
                    expected: namespace.to_owned(),
                },
                ssh_key::Error::AlgorithmUnknown | ssh_key::Error::AlgorithmUnsupported { .. } => {
                    SshSigError::Unsupported(algorithm.as_str().to_owned())
                }
                _ => SshSigError::Invalid,
            })
    }
}
