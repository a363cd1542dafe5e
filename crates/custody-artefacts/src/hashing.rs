//! Digests of files, computed in the algorithm a lockfile pins.

use custody_sbom::component::{Hash, HashAlg};
use sha2::Digest as _;
use std::io::Read;
use std::path::Path;

/// A running digest in one of the algorithms lockfiles use.
pub(crate) enum Hasher {
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    pub(crate) fn new(alg: HashAlg) -> Self {
        match alg {
            HashAlg::Sha1 => Self::Sha1(sha1::Sha1::new()),
            HashAlg::Sha256 => Self::Sha256(sha2::Sha256::new()),
            HashAlg::Sha384 => Self::Sha384(sha2::Sha384::new()),
            HashAlg::Sha512 => Self::Sha512(sha2::Sha512::new()),
        }
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Self::Sha1(h) => h.update(bytes),
            Self::Sha256(h) => h.update(bytes),
            Self::Sha384(h) => h.update(bytes),
            Self::Sha512(h) => h.update(bytes),
        }
    }

    pub(crate) fn finish(self) -> Hash {
        let (alg, hex) = match self {
            Self::Sha1(h) => (HashAlg::Sha1, hex::encode(h.finalize())),
            Self::Sha256(h) => (HashAlg::Sha256, hex::encode(h.finalize())),
            Self::Sha384(h) => (HashAlg::Sha384, hex::encode(h.finalize())),
            Self::Sha512(h) => (HashAlg::Sha512, hex::encode(h.finalize())),
        };
        Hash { alg, hex }
    }
}

/// The digest of everything `reader` yields.
pub(crate) fn digest_reader(alg: HashAlg, mut reader: impl Read) -> std::io::Result<Hash> {
    let mut hasher = Hasher::new(alg);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(hasher.finish()),
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The digest of a file.
pub(crate) fn digest_file(alg: HashAlg, path: &Path) -> std::io::Result<Hash> {
    digest_reader(alg, std::fs::File::open(path)?)
}

/// The strongest algorithm among `pinned` (SHA-512 over SHA-1: a lockfile that records
/// both is verified by the one that cannot be forged).
pub(crate) fn strongest(pinned: &[Hash]) -> Option<HashAlg> {
    pinned.iter().map(|h| h.alg).max()
}

/// Whether a file's digest, in the strongest pinned algorithm, is one of those pinned
/// (pip accepts any of several `--hash` values); the digest either way.
pub(crate) fn matches_any(path: &Path, pinned: &[Hash]) -> std::io::Result<(bool, Hash)> {
    let Some(alg) = strongest(pinned) else {
        return Err(std::io::Error::other("no hash to compare with"));
    };
    let digest = digest_file(alg, path)?;
    Ok((pinned.contains(&digest), digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests_and_the_strongest_algorithm() {
        let abc = |alg| {
            digest_reader(alg, &b"abc"[..])
                .map(|h| h.hex)
                .unwrap_or_default()
        };
        assert_eq!(
            abc(HashAlg::Sha1),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            abc(HashAlg::Sha256),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(abc(HashAlg::Sha384).starts_with("cb00753f45a35e8b"));
        assert!(abc(HashAlg::Sha512).starts_with("ddaf35a193617aba"));
        let h = |alg, c: char| Hash {
            alg,
            hex: c.to_string().repeat(alg.hex_len()),
        };
        assert_eq!(
            strongest(&[
                h(HashAlg::Sha1, 'a'),
                h(HashAlg::Sha512, 'b'),
                h(HashAlg::Sha256, 'c')
            ]),
            Some(HashAlg::Sha512)
        );
        assert_eq!(strongest(&[]), None);
    }
}
