//! Hashing artifacts: SHA-256 (and SHA-512 on request) of files, streamed, optionally
//! with line endings normalised the way in-toto does it (`\r\n` and lone `\r` become `\n`)
//! so that the same source checked out on Windows and Unix hashes alike.
//!
//! `sha2` picks the SHA-NI instructions at run time where the CPU has them, which is what
//! makes hashing run at memory speed rather than at `sha256sum` speed.

use sha2::{Digest as _, Sha256, Sha512};
use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

/// Hash algorithms a link can record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlgorithm {
    /// `sha256`, in-toto's default.
    Sha256,
    /// `sha512`.
    Sha512,
}

impl HashAlgorithm {
    /// The name in link metadata.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha512 => "sha512",
        }
    }
}

/// Hex digests of one artifact by algorithm name, as links store them
/// (`{"sha256": "…"}`), iterated in name order.
///
/// A short sorted vector rather than a map: a link of 100,000 artifacts holds 100,000 of
/// these, nearly all with a single entry, and a `BTreeMap` allocates room for eleven
/// entries for each. Well-known algorithm names are not allocated at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Digests(Vec<(Cow<'static, str>, String)>);

impl Digests {
    /// No digests.
    #[must_use]
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Set the digest of `algorithm`, returning the one it replaces.
    pub fn insert(&mut self, algorithm: &str, hex: String) -> Option<String> {
        match self.find(algorithm) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, hex)),
            Err(i) => {
                self.0.insert(i, (algorithm_name(algorithm), hex));
                None
            }
        }
    }

    /// The digest of `algorithm`.
    #[must_use]
    pub fn get(&self, algorithm: &str) -> Option<&str> {
        self.find(algorithm).ok().map(|i| self.0[i].1.as_str())
    }

    /// Remove the digest of `algorithm`.
    pub fn remove(&mut self, algorithm: &str) -> Option<String> {
        self.find(algorithm).ok().map(|i| self.0.remove(i).1)
    }

    /// `(algorithm, hex)` pairs in algorithm-name order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.0.iter().map(|(a, h)| (a.as_ref(), h.as_str()))
    }

    /// How many digests.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No digests at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The JSON object links write: `{"sha256": "…"}`.
    #[must_use]
    pub fn to_json_object(&self) -> serde_json::Map<String, serde_json::Value> {
        self.iter()
            .map(|(a, h)| (a.to_owned(), serde_json::Value::String(h.to_owned())))
            .collect()
    }

    fn find(&self, algorithm: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(a, _)| a.as_ref().cmp(algorithm))
    }
}

/// Algorithm names links use, shared rather than allocated per artifact.
fn algorithm_name(name: &str) -> Cow<'static, str> {
    match name {
        "sha256" => Cow::Borrowed("sha256"),
        "sha512" => Cow::Borrowed("sha512"),
        _ => Cow::Owned(name.to_owned()),
    }
}

impl FromIterator<(String, String)> for Digests {
    /// Later entries for the same algorithm replace earlier ones, as in a map.
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut digests = Self::new();
        for (algorithm, hex) in iter {
            digests.insert(&algorithm, hex);
        }
        digests
    }
}

impl serde::Serialize for Digests {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (algorithm, hex) in self.iter() {
            map.serialize_entry(algorithm, hex)?;
        }
        map.end()
    }
}

impl<const N: usize> From<[(String, String); N]> for Digests {
    fn from(entries: [(String, String); N]) -> Self {
        entries.into_iter().collect()
    }
}

const BUFFER: usize = 256 * 1024;

/// Hash a file with every requested algorithm in one pass.
///
/// # Errors
/// The I/O error of opening or reading the file.
pub fn hash_file(
    path: &Path,
    algorithms: &[HashAlgorithm],
    normalize_line_endings: bool,
) -> std::io::Result<Digests> {
    let file = std::fs::File::open(path)?;
    hash_reader(file, algorithms, normalize_line_endings)
}

/// Hash everything a reader yields.
///
/// # Errors
/// The reader's I/O error.
pub fn hash_reader(
    mut reader: impl Read,
    algorithms: &[HashAlgorithm],
    normalize_line_endings: bool,
) -> std::io::Result<Digests> {
    let mut sha256 = algorithms
        .contains(&HashAlgorithm::Sha256)
        .then(Sha256::new);
    let mut sha512 = algorithms
        .contains(&HashAlgorithm::Sha512)
        .then(Sha512::new);
    let mut update = |chunk: &[u8]| {
        if let Some(h) = sha256.as_mut() {
            h.update(chunk);
        }
        if let Some(h) = sha512.as_mut() {
            h.update(chunk);
        }
    };
    // One buffer per thread, reused: allocating (and zeroing) a fresh buffer per file
    // costs more than hashing a small file.
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; BUFFER]);
    }
    BUF.with_borrow_mut(|buf| {
        hash_with_buffer(&mut reader, buf, &mut update, normalize_line_endings)
    })?;
    let mut digests = Digests::new();
    if let Some(h) = sha256 {
        digests.insert(HashAlgorithm::Sha256.name(), hex::encode(h.finalize()));
    }
    if let Some(h) = sha512 {
        digests.insert(HashAlgorithm::Sha512.name(), hex::encode(h.finalize()));
    }
    Ok(digests)
}

fn hash_with_buffer(
    reader: &mut impl Read,
    buf: &mut [u8],
    update: &mut impl FnMut(&[u8]),
    normalize_line_endings: bool,
) -> std::io::Result<()> {
    let mut normalizer = LineEndingNormalizer::default();
    let mut out = Vec::new();
    loop {
        let n = match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if normalize_line_endings {
            out.clear();
            normalizer.push(&buf[..n], &mut out);
            update(&out);
        } else {
            update(&buf[..n]);
        }
    }
    if normalize_line_endings {
        out.clear();
        normalizer.finish(&mut out);
        update(&out);
    }
    Ok(())
}

/// Streaming `\r\n` → `\n` and `\r` → `\n`, correct across buffer boundaries (a `\r` at
/// the end of one buffer may be followed by `\n` at the start of the next).
#[derive(Debug, Default)]
struct LineEndingNormalizer {
    pending_cr: bool,
}

impl LineEndingNormalizer {
    fn push(&mut self, input: &[u8], out: &mut Vec<u8>) {
        out.reserve(input.len());
        for &b in input {
            if self.pending_cr {
                self.pending_cr = false;
                out.push(b'\n');
                if b == b'\n' {
                    continue;
                }
            }
            if b == b'\r' {
                self.pending_cr = true;
            } else {
                out.push(b);
            }
        }
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        if std::mem::take(&mut self.pending_cr) {
            out.push(b'\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(input: &[u8], chunk: usize) -> Vec<u8> {
        let mut n = LineEndingNormalizer::default();
        let mut out = Vec::new();
        for c in input.chunks(chunk.max(1)) {
            n.push(c, &mut out);
        }
        n.finish(&mut out);
        out
    }

    #[test]
    fn line_endings_normalise_across_chunk_boundaries() {
        let input = b"a\r\nb\rc\n\r\r\nd\r";
        for chunk in 1..=input.len() {
            assert_eq!(
                normalized(input, chunk),
                b"a\nb\nc\n\n\nd\n",
                "chunk size {chunk}"
            );
        }
    }

    #[test]
    fn known_digests() {
        let d = hash_reader(
            &b"abc"[..],
            &[HashAlgorithm::Sha256, HashAlgorithm::Sha512],
            false,
        )
        .expect("read");
        assert_eq!(
            d.get("sha256"),
            Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert!(
            d.get("sha512")
                .is_some_and(|h| h.starts_with("ddaf35a193617aba"))
        );
        assert_eq!(
            d.iter().map(|(a, _)| a).collect::<Vec<_>>(),
            ["sha256", "sha512"]
        );
        let crlf = hash_reader(&b"a\r\nb"[..], &[HashAlgorithm::Sha256], true).expect("read");
        let lf = hash_reader(&b"a\nb"[..], &[HashAlgorithm::Sha256], false).expect("read");
        assert_eq!(crlf, lf);
    }

    proptest::proptest! {
        #[test]
        fn normaliser_matches_a_simple_replace(input in proptest::collection::vec(proptest::sample::select(vec![b'a', b'\r', b'\n']), 0..64), chunk in 1usize..9) {
            let expected = String::from_utf8(input.clone()).expect("ascii").replace("\r\n", "\n").replace('\r', "\n");
            proptest::prop_assert_eq!(normalized(&input, chunk), expected.into_bytes());
        }
    }
}
