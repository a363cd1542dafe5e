//! A directory of key files, as `custody key generate` writes them and as a project keeps
//! its public keys (`.custody/keys`): `NAME.key` (PKCS#8 PEM private key), `NAME.pub` (SPKI
//! PEM) or `NAME.json` (securesystemslib public key), and `NAME.meta.json`, which records
//! when the key was created. The creation time lives in a file of its own because neither
//! PEM nor file modification times (reset by every `git clone`) can carry it reliably.

use crate::keys::{KeyId, PrivateKeyEncoding, PublicKey, Scheme};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Suffix of the metadata file next to a key.
pub const META_SUFFIX: &str = ".meta.json";

/// Facts about a key recorded when it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyMeta {
    /// Seconds since the Unix epoch at creation.
    pub created_unix: u64,
    /// The key ID at creation (informational; the key itself is authoritative).
    pub keyid: String,
    /// The scheme at creation.
    pub scheme: String,
}

impl KeyMeta {
    /// Metadata for a key created now.
    #[must_use]
    pub fn now(public: &PublicKey) -> Self {
        let created_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self {
            created_unix,
            keyid: public.key_id().to_string(),
            scheme: public.scheme().to_string(),
        }
    }

    /// Creation time.
    #[must_use]
    pub fn created(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.created_unix)
    }
}

/// What a file in a key directory holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyFileKind {
    /// A public key.
    Public {
        /// Its ID (computed, or declared in a JSON key).
        key_id: KeyId,
        /// Its scheme.
        scheme: Scheme,
    },
    /// A private key; its ID is known only after decryption when it is encrypted.
    Private {
        /// Encrypted or not.
        encoding: PrivateKeyEncoding,
        /// ID of the public half, when the key is not encrypted.
        key_id: Option<KeyId>,
        /// Scheme, when the key is not encrypted.
        scheme: Option<Scheme>,
    },
    /// A file that looks like a key but cannot be read; the reason is kept.
    Unreadable(String),
}

/// One key file found in a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFile {
    /// Path of the key file.
    pub path: PathBuf,
    /// What it holds.
    pub kind: KeyFileKind,
    /// Its metadata, when a `.meta.json` sits next to it and parses.
    pub meta: Option<KeyMeta>,
}

/// Path of the metadata file for a key file: `NAME.pub` and `NAME.key` share `NAME.meta.json`.
#[must_use]
pub fn meta_path(key_path: &Path) -> PathBuf {
    let stem = key_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    key_path.with_file_name(format!("{stem}{META_SUFFIX}"))
}

/// Read the metadata next to a key file, if any.
#[must_use]
pub fn read_meta(key_path: &Path) -> Option<KeyMeta> {
    let bytes = std::fs::read(meta_path(key_path)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Classify one file by content.
#[must_use]
pub fn inspect(path: &Path, bytes: &[u8]) -> KeyFileKind {
    let text = String::from_utf8_lossy(bytes);
    if text.contains("PRIVATE KEY-----") {
        return match PrivateKeyEncoding::detect(bytes) {
            Err(e) => KeyFileKind::Unreadable(e.to_string()),
            Ok(PrivateKeyEncoding::Encrypted) => KeyFileKind::Private {
                encoding: PrivateKeyEncoding::Encrypted,
                key_id: None,
                scheme: None,
            },
            Ok(PrivateKeyEncoding::Plain) => {
                match crate::keys::PrivateKey::from_pkcs8_pem(bytes, None, None) {
                    Ok(k) => KeyFileKind::Private {
                        encoding: PrivateKeyEncoding::Plain,
                        key_id: Some(k.public_key().key_id()),
                        scheme: Some(k.public_key().scheme()),
                    },
                    Err(e) => KeyFileKind::Unreadable(e.to_string()),
                }
            }
        };
    }
    let _ = path;
    match PublicKey::from_bytes(bytes, None) {
        Ok(k) => KeyFileKind::Public {
            key_id: k.key_id(),
            scheme: k.scheme(),
        },
        Err(e) => KeyFileKind::Unreadable(e.to_string()),
    }
}

/// List the key files of a directory (not recursive), sorted by path. Files that are
/// plainly not keys (metadata, READMEs) are skipped; files named like keys that do not
/// parse are listed as [`KeyFileKind::Unreadable`].
///
/// # Errors
/// The I/O error of reading the directory, with its path.
pub fn list(dir: &Path) -> std::io::Result<Vec<KeyFile>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type()?.is_file() || name.ends_with(META_SUFFIX) || name.starts_with('.') {
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        let keyish = matches!(ext, "pub" | "key" | "pem" | "json");
        if !keyish {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let kind = inspect(&path, &bytes);
        if ext == "json" && matches!(kind, KeyFileKind::Unreadable(_)) {
            // JSON files that are not keys (other tools' config) are not our business.
            continue;
        }
        out.push(KeyFile {
            meta: read_meta(&path),
            path,
            kind,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyType, PrivateKey};

    #[test]
    fn lists_public_private_and_broken_keys_with_metadata() {
        let dir = std::env::temp_dir().join(format!("custody-keydir-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let key = PrivateKey::generate(KeyType::Ed25519).expect("key");
        let public = key.public_key();
        std::fs::write(dir.join("a.pub"), public.to_spki_pem().expect("pem")).expect("write");
        std::fs::write(
            dir.join("a.meta.json"),
            serde_json::to_vec(&KeyMeta::now(&public)).expect("json"),
        )
        .expect("write");
        std::fs::write(
            dir.join("a.key"),
            key.to_pkcs8_pem(None).expect("pem").as_bytes(),
        )
        .expect("write");
        std::fs::write(dir.join("b.pub"), "garbage").expect("write");
        std::fs::write(dir.join("README.md"), "not a key").expect("write");
        let files = list(&dir).expect("list");
        std::fs::remove_dir_all(&dir).expect("cleanup");
        assert_eq!(files.len(), 3, "{files:?}");
        assert!(
            matches!(&files[0].kind, KeyFileKind::Private { key_id: Some(id), .. } if *id == public.key_id())
        );
        assert!(files[0].meta.is_some());
        assert!(
            matches!(&files[1].kind, KeyFileKind::Public { key_id, .. } if *key_id == public.key_id())
        );
        assert!(matches!(files[2].kind, KeyFileKind::Unreadable(_)));
    }
}
