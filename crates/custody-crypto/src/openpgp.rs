//! OpenPGP (RFC 4880 / RFC 9580) certificates and detached signatures, for verification
//! only: what `git commit -S` with gpg makes and what `git verify-commit` checks.
//!
//! Version 4 keys and signatures with RSA (PKCS#1 v1.5), EdDSA (legacy and RFC 9580
//! Ed25519) and ECDSA P-256, hashed with SHA-2. Everything else is an error that names
//! it, never a silent acceptance. SHA-1 is refused everywhere, as a collision-prone hash.
//!
//! A certificate's keys count only as far as the certificate proves them: the primary key
//! needs a valid self-signature, a subkey a valid binding signature from the primary key
//! (and, to sign, a valid back-signature from itself); expiry, key flags and revocations
//! come from those signatures. Written here rather than taken from `pgp` (rPGP), which
//! would add a second, older generation of the RustCrypto crates and some twenty ciphers
//! custody never uses, for the small verifying subset needed.

use sha2::Digest as _;

/// Why a certificate or signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PgpError {
    /// Not well-formed OpenPGP data.
    #[error("malformed OpenPGP data: {0}")]
    Malformed(String),
    /// Well-formed, but a version, algorithm or hash custody does not verify.
    #[error("unsupported OpenPGP {0}")]
    Unsupported(String),
    /// No key of the certificate matches the signature's issuer.
    #[error("signature was made by key {issuer}, which is not in certificate {cert}")]
    UnknownSigner {
        /// Issuer as the signature names it (fingerprint or key ID, hex).
        issuer: String,
        /// The certificate's primary fingerprint.
        cert: String,
    },
    /// The signing key may not sign at that time: expired, revoked, not yet created, or
    /// without the signing flag.
    #[error("key {key} cannot sign at {at}: {reason}")]
    KeyNotValid {
        /// Fingerprint of the key.
        key: String,
        /// The time checked (Unix seconds).
        at: i64,
        /// Why.
        reason: String,
    },
    /// The signature does not match the data.
    #[error("OpenPGP signature does not match the signed data")]
    Invalid,
}

type Result<T> = std::result::Result<T, PgpError>;

fn malformed(what: impl Into<String>) -> PgpError {
    PgpError::Malformed(what.into())
}

/// Remove ASCII armor (`-----BEGIN PGP …-----`) if present and check its CRC-24; binary
/// input is returned as is.
///
/// # Errors
/// [`PgpError::Malformed`] for broken armor or base64.
pub fn dearmor(input: &[u8]) -> Result<Vec<u8>> {
    use base64::Engine as _;
    let text = match std::str::from_utf8(input) {
        Ok(t) if t.trim_start().starts_with("-----BEGIN PGP ") => t,
        _ => return Ok(input.to_vec()),
    };
    let mut lines = text
        .lines()
        .map(str::trim_end)
        .skip_while(|l| l.trim().is_empty());
    lines.next(); // the BEGIN line
    // Armor headers end at the first empty line; without headers the body starts at once.
    let mut body = String::new();
    let mut checksum = None;
    let mut in_headers = true;
    let mut ended = false;
    for line in lines {
        if line.starts_with("-----END PGP ") {
            ended = true;
            break;
        }
        if in_headers {
            if line.is_empty() {
                in_headers = false;
                continue;
            }
            if line.contains(": ") {
                continue;
            }
            in_headers = false;
        }
        if let Some(crc) = line.strip_prefix('=') {
            checksum = Some(crc.to_owned());
            continue;
        }
        body.push_str(line.trim());
    }
    if !ended {
        return Err(malformed("armor has no END line"));
    }
    let data = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|e| malformed(format!("armor body is not base64: {e}")))?;
    if let Some(crc) = checksum {
        let given = base64::engine::general_purpose::STANDARD
            .decode(crc.as_bytes())
            .map_err(|e| malformed(format!("armor checksum is not base64: {e}")))?;
        let computed = crc24(&data);
        if given.as_slice() != &computed.to_be_bytes()[1..] {
            return Err(malformed("armor checksum does not match"));
        }
    }
    Ok(data)
}

fn crc24(data: &[u8]) -> u32 {
    let mut crc: u32 = 0x00B7_04CE;
    for &byte in data {
        crc ^= u32::from(byte) << 16;
        for _ in 0..8 {
            crc <<= 1;
            if crc & 0x0100_0000 != 0 {
                crc ^= 0x0186_4CFB;
            }
        }
    }
    crc & 0x00FF_FFFF
}

/// One packet: its tag and body.
struct Packet<'a> {
    tag: u8,
    body: &'a [u8],
}

/// Split binary OpenPGP data into packets. Partial (streamed) lengths are refused: keys
/// and signatures never use them.
fn packets(mut data: &[u8]) -> Result<Vec<Packet<'_>>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let first = data[0];
        if first & 0x80 == 0 {
            return Err(malformed("packet header without its high bit"));
        }
        let (tag, len, header): (u8, usize, usize) = if first & 0x40 != 0 {
            let tag = first & 0x3F;
            match data.get(1).copied() {
                Some(l @ 0..=191) => (tag, usize::from(l), 2),
                Some(l @ 192..=223) => {
                    let second = *data.get(2).ok_or_else(|| malformed("truncated length"))?;
                    (
                        tag,
                        ((usize::from(l) - 192) << 8) + usize::from(second) + 192,
                        3,
                    )
                }
                Some(255) => {
                    let b = data
                        .get(2..6)
                        .ok_or_else(|| malformed("truncated length"))?;
                    (tag, be_u32(b) as usize, 6)
                }
                Some(_) => return Err(PgpError::Unsupported("partial-length packet".into())),
                None => return Err(malformed("truncated packet header")),
            }
        } else {
            let tag = (first >> 2) & 0x0F;
            match first & 0x03 {
                0 => (
                    tag,
                    usize::from(*data.get(1).ok_or_else(|| malformed("truncated length"))?),
                    2,
                ),
                1 => {
                    let b = data
                        .get(1..3)
                        .ok_or_else(|| malformed("truncated length"))?;
                    (tag, usize::from(u16::from_be_bytes([b[0], b[1]])), 3)
                }
                2 => {
                    let b = data
                        .get(1..5)
                        .ok_or_else(|| malformed("truncated length"))?;
                    (tag, be_u32(b) as usize, 5)
                }
                _ => return Err(PgpError::Unsupported("indeterminate-length packet".into())),
            }
        };
        let end = header
            .checked_add(len)
            .filter(|&e| e <= data.len())
            .ok_or_else(|| malformed(format!("packet (tag {tag}) longer than the data")))?;
        out.push(Packet {
            tag,
            body: &data[header..end],
        });
        data = &data[end..];
    }
    Ok(out)
}

fn be_u32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// A reader over a packet body.
struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        if self.data.len() < n {
            return Err(malformed(format!("truncated {what}")));
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Ok(head)
    }

    fn byte(&mut self, what: &str) -> Result<u8> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<usize> {
        let b = self.take(2, what)?;
        Ok(usize::from(u16::from_be_bytes([b[0], b[1]])))
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(be_u32(self.take(4, what)?))
    }

    /// A multiprecision integer: bit count, then the big-endian bytes.
    fn mpi(&mut self, what: &str) -> Result<&'a [u8]> {
        let bits = self.u16(what)?;
        self.take(bits.div_ceil(8), what)
    }
}

/// Public key material custody can verify with.
#[derive(Clone)]
enum Material {
    Rsa(Box<rsa::PublicKey>),
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
    /// A key custody does not verify with (encryption keys, other curves); kept for its
    /// fingerprint.
    Other(String),
}

const OID_ED25519: &[u8] = &[0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01];
const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];

/// One key of a certificate, with what its self-signatures say.
#[derive(Clone)]
struct Key {
    /// The packet body, as hashed into fingerprints and key signatures.
    body: Vec<u8>,
    fingerprint: [u8; 20],
    created: i64,
    material: Material,
    /// Seconds after creation, from the newest valid self-signature (`None`: no expiry).
    expires_after: Option<i64>,
    /// Key flags from that signature (`None`: not stated).
    flags: Option<u8>,
    /// Whether a valid binding (subkey) or self-signature (primary) was found.
    bound: bool,
    /// A valid revocation: when, and whether it is "soft" (key retired or superseded,
    /// so signatures made before it still count).
    revoked: Option<(i64, bool)>,
    /// Created by a subkey's valid back-signature (only signing subkeys need one).
    back_signed: bool,
}

impl Key {
    fn parse(body: &[u8]) -> Result<Self> {
        let mut r = Reader { data: body };
        let version = r.byte("key version")?;
        if version != 4 {
            return Err(PgpError::Unsupported(format!("key version {version}")));
        }
        let created = i64::from(r.u32("key creation time")?);
        let algorithm = r.byte("key algorithm")?;
        let material = match algorithm {
            1..=3 => {
                let n = r.mpi("RSA modulus")?;
                let e = r.mpi("RSA exponent")?;
                let bits = u32::try_from(n.len() * 8).map_err(|_| malformed("RSA modulus"))?;
                let n = rsa::BoxedUint::from_be_slice(n, bits)
                    .map_err(|e| malformed(format!("RSA modulus: {e:?}")))?;
                let e = rsa::BoxedUint::from_be_slice(e, 64)
                    .map_err(|e| malformed(format!("RSA exponent: {e:?}")))?;
                match rsa::PublicKey::new(n, e) {
                    Ok(key) if n_bits(&key) >= 2048 => Material::Rsa(Box::new(key)),
                    Ok(key) => Material::Other(format!("RSA key of {} bits", n_bits(&key))),
                    Err(e) => return Err(malformed(format!("RSA key: {e}"))),
                }
            }
            22 | 19 => {
                let len = usize::from(r.byte("curve OID length")?);
                let oid = r.take(len, "curve OID")?;
                let point = r.mpi("public point")?;
                match (algorithm, oid) {
                    (22, OID_ED25519) => {
                        let raw = point
                            .strip_prefix(&[0x40])
                            .and_then(|p| <[u8; 32]>::try_from(p).ok())
                            .ok_or_else(|| malformed("Ed25519 point"))?;
                        Material::Ed25519(
                            ed25519_dalek::VerifyingKey::from_bytes(&raw)
                                .map_err(|_| malformed("Ed25519 point"))?,
                        )
                    }
                    (19, OID_P256) => Material::P256(
                        p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                            .map_err(|_| malformed("P-256 point"))?,
                    ),
                    _ => Material::Other(format!("algorithm {algorithm} on another curve")),
                }
            }
            27 => {
                let raw = r.take(32, "Ed25519 key")?;
                let raw = <[u8; 32]>::try_from(raw).map_err(|_| malformed("Ed25519 key"))?;
                Material::Ed25519(
                    ed25519_dalek::VerifyingKey::from_bytes(&raw)
                        .map_err(|_| malformed("Ed25519 key"))?,
                )
            }
            other => Material::Other(format!("public-key algorithm {other}")),
        };
        let mut hasher = sha1::Sha1::new();
        hasher.update(key_hash_prefix(body)?);
        hasher.update(body);
        let fingerprint: [u8; 20] = hasher.finalize().into();
        Ok(Self {
            body: body.to_vec(),
            fingerprint,
            created,
            material,
            expires_after: None,
            flags: None,
            bound: false,
            revoked: None,
            back_signed: false,
        })
    }

    fn fingerprint_hex(&self) -> String {
        hex::encode_upper(self.fingerprint)
    }

    fn key_id(&self) -> [u8; 8] {
        let mut id = [0u8; 8];
        id.copy_from_slice(&self.fingerprint[12..]);
        id
    }

    fn matches(&self, issuer: &Issuer) -> bool {
        issuer.fingerprint.is_some_and(|f| f == self.fingerprint)
            || (issuer.fingerprint.is_none() && issuer.key_id == Some(self.key_id()))
    }
}

fn n_bits(key: &rsa::PublicKey) -> usize {
    rsa::traits::PublicKeyParts::n_bits_precision(key) as usize
}

/// `0x99` and the two-byte length, as a key is hashed in v4 fingerprints and signatures.
fn key_hash_prefix(body: &[u8]) -> Result<[u8; 3]> {
    let len = u16::try_from(body.len()).map_err(|_| malformed("key packet over 64 KiB"))?;
    let [hi, lo] = len.to_be_bytes();
    Ok([0x99, hi, lo])
}

/// Who a signature says made it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Issuer {
    fingerprint: Option<[u8; 20]>,
    key_id: Option<[u8; 8]>,
}

impl Issuer {
    fn describe(&self) -> String {
        match (self.fingerprint, self.key_id) {
            (Some(f), _) => hex::encode_upper(f),
            (None, Some(id)) => hex::encode_upper(id),
            (None, None) => "(not named)".into(),
        }
    }
}

/// A version 4 signature packet.
#[derive(Debug, Clone)]
pub struct Signature {
    sig_type: u8,
    algorithm: u8,
    hash: u8,
    /// Version through the end of the hashed subpackets: what the trailer covers.
    hashed_part: Vec<u8>,
    left16: [u8; 2],
    /// Algorithm-specific values (RSA: one; EdDSA and ECDSA: r and s).
    values: Vec<Vec<u8>>,
    created: Option<i64>,
    expires_after: Option<i64>,
    key_expires_after: Option<i64>,
    flags: Option<u8>,
    issuer: Issuer,
    revocation_reason: Option<u8>,
    embedded: Option<Box<Signature>>,
    /// A critical subpacket custody does not understand: the signature must not count.
    unknown_critical: Option<u8>,
}

impl Signature {
    fn parse(body: &[u8]) -> Result<Self> {
        let mut r = Reader { data: body };
        let version = r.byte("signature version")?;
        if version != 4 {
            return Err(PgpError::Unsupported(format!(
                "signature version {version}"
            )));
        }
        let sig_type = r.byte("signature type")?;
        let algorithm = r.byte("signature algorithm")?;
        let hash = r.byte("hash algorithm")?;
        let hashed_len = r.u16("hashed subpackets length")?;
        let hashed = r.take(hashed_len, "hashed subpackets")?;
        let hashed_part = body[..6 + hashed_len].to_vec();
        let unhashed_len = r.u16("unhashed subpackets length")?;
        let unhashed = r.take(unhashed_len, "unhashed subpackets")?;
        let left = r.take(2, "hash prefix")?;
        let left16 = [left[0], left[1]];
        let count = match algorithm {
            1..=3 => 1,
            _ => 2,
        };
        let values = match algorithm {
            27 => vec![r.take(64, "Ed25519 signature")?.to_vec()],
            _ => (0..count)
                .map(|_| r.mpi("signature value").map(<[u8]>::to_vec))
                .collect::<Result<_>>()?,
        };
        let mut sig = Self {
            sig_type,
            algorithm,
            hash,
            hashed_part,
            left16,
            values,
            created: None,
            expires_after: None,
            key_expires_after: None,
            flags: None,
            issuer: Issuer::default(),
            revocation_reason: None,
            embedded: None,
            unknown_critical: None,
        };
        sig.read_subpackets(hashed, true)?;
        sig.read_subpackets(unhashed, false)?;
        Ok(sig)
    }

    /// Read subpackets. Only the hashed area is trusted for times, flags and expiry; the
    /// unhashed area may name the issuer (a hint, checked by the signature itself) and
    /// carry the embedded back-signature (itself a signature).
    fn read_subpackets(&mut self, mut data: &[u8], hashed: bool) -> Result<()> {
        while !data.is_empty() {
            let first = usize::from(data[0]);
            let (len, header): (usize, usize) = match first {
                0..=191 => (first, 1),
                192..=254 => {
                    let second = usize::from(
                        *data
                            .get(1)
                            .ok_or_else(|| malformed("truncated subpacket"))?,
                    );
                    (((first - 192) << 8) + second + 192, 2)
                }
                _ => {
                    let b = data
                        .get(1..5)
                        .ok_or_else(|| malformed("truncated subpacket"))?;
                    (be_u32(b) as usize, 5)
                }
            };
            let end = header
                .checked_add(len)
                .filter(|&e| e <= data.len() && len >= 1)
                .ok_or_else(|| malformed("subpacket longer than its area"))?;
            let kind = data[header];
            let critical = kind & 0x80 != 0;
            let kind = kind & 0x7F;
            let value = &data[header + 1..end];
            data = &data[end..];
            let u32_value = || -> Result<i64> {
                value
                    .get(..4)
                    .filter(|_| value.len() == 4)
                    .map(|b| i64::from(be_u32(b)))
                    .ok_or_else(|| malformed(format!("subpacket {kind} is not four bytes")))
            };
            match (kind, hashed) {
                (2, true) => self.created = Some(u32_value()?),
                (3, true) => self.expires_after = Some(u32_value()?).filter(|&s| s != 0),
                (9, true) => self.key_expires_after = Some(u32_value()?).filter(|&s| s != 0),
                (27, true) => self.flags = Some(value.first().copied().unwrap_or(0)),
                (29, true) => self.revocation_reason = value.first().copied(),
                (16, _) => {
                    let id = <[u8; 8]>::try_from(value)
                        .map_err(|_| malformed("issuer key ID is not eight bytes"))?;
                    self.issuer.key_id.get_or_insert(id);
                }
                (33, _) => {
                    if value.len() == 21 && value[0] == 4 {
                        let mut f = [0u8; 20];
                        f.copy_from_slice(&value[1..]);
                        self.issuer.fingerprint.get_or_insert(f);
                    }
                }
                (32, _) => {
                    self.embedded = Some(Box::new(Self::parse(value)?));
                }
                // Understood well enough to ignore: exportable, trust, revocable,
                // preferences, key server options, primary user ID, policy URI, signer's
                // user ID, features, signature target, intended recipient, notations.
                (4 | 5 | 7 | 11 | 20..=23 | 25 | 26 | 28 | 30 | 31 | 34 | 35 | 39, _) => {}
                _ => {
                    if critical && hashed {
                        self.unknown_critical.get_or_insert(kind);
                    }
                }
            }
        }
        Ok(())
    }

    /// When the signature says it was made (signer-controlled).
    #[must_use]
    pub fn created(&self) -> Option<i64> {
        self.created
    }

    /// The issuer as the signature names it: a fingerprint, else a key ID (hex).
    #[must_use]
    pub fn issuer(&self) -> String {
        self.issuer.describe()
    }

    /// Check the cryptographic signature over `data` (the part before the trailer) with
    /// `key`.
    fn check(&self, key: &Key, data: &[&[u8]]) -> Result<()> {
        self.check_remembering(key, data, None)
    }

    fn check_remembering(
        &self,
        key: &Key,
        data: &[&[u8]],
        memo: Option<&crate::checked::CheckedSignatures>,
    ) -> Result<()> {
        if let Some(kind) = self.unknown_critical {
            return Err(PgpError::Unsupported(format!(
                "critical signature subpacket {kind}"
            )));
        }
        let trailer_len =
            u32::try_from(self.hashed_part.len()).map_err(|_| malformed("hashed area too long"))?;
        let mut trailer = vec![0x04, 0xFF];
        trailer.extend_from_slice(&trailer_len.to_be_bytes());
        let parts: Vec<&[u8]> = data
            .iter()
            .copied()
            .chain([self.hashed_part.as_slice(), trailer.as_slice()])
            .collect();
        let digest = match self.hash {
            8 => digest_of::<sha2::Sha256>(&parts),
            9 => digest_of::<sha2::Sha384>(&parts),
            10 => digest_of::<sha2::Sha512>(&parts),
            11 => digest_of::<sha2::Sha224>(&parts),
            2 => {
                return Err(PgpError::Unsupported(
                    "hash SHA-1 (refused as unsafe)".into(),
                ));
            }
            other => return Err(PgpError::Unsupported(format!("hash algorithm {other}"))),
        };
        if digest.get(..2) != Some(&self.left16[..]) {
            return Err(PgpError::Invalid);
        }
        let id = || {
            let algorithms = [self.algorithm, self.hash];
            let mut parts: Vec<&[u8]> = vec![&key.body, &algorithms, &digest];
            parts.extend(self.values.iter().map(Vec::as_slice));
            crate::checked::check_id("openpgp", &parts)
        };
        crate::checked::remembered(memo, id, || self.arithmetic(key, &digest))
    }

    /// Whether `key` made the signature values over `digest`.
    fn arithmetic(&self, key: &Key, digest: &[u8]) -> Result<()> {
        match (&key.material, self.algorithm) {
            (Material::Rsa(k), 1 | 3) => {
                let scheme = match self.hash {
                    8 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    9 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                    10 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                    _ => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
                };
                let size = rsa::traits::PublicKeyParts::size(k.as_ref());
                let value = &self.values[0];
                if value.len() > size {
                    return Err(PgpError::Invalid);
                }
                let mut padded = vec![0u8; size - value.len()];
                padded.extend_from_slice(value);
                k.verify(scheme, digest, &padded)
                    .map_err(|_| PgpError::Invalid)
            }
            (Material::Ed25519(k), 22 | 27) => {
                let mut raw = [0u8; 64];
                if self.algorithm == 27 {
                    raw.copy_from_slice(&self.values[0]);
                } else {
                    let (r, s) = (&self.values[0], &self.values[1]);
                    if r.len() > 32 || s.len() > 32 {
                        return Err(PgpError::Invalid);
                    }
                    raw[32 - r.len()..32].copy_from_slice(r);
                    raw[64 - s.len()..].copy_from_slice(s);
                }
                let sig = ed25519_dalek::Signature::from_bytes(&raw);
                k.verify_strict(digest, &sig).map_err(|_| PgpError::Invalid)
            }
            (Material::P256(k), 19) => {
                use signature::hazmat::PrehashVerifier as _;
                let (r, s) = (&self.values[0], &self.values[1]);
                if r.len() > 32 || s.len() > 32 {
                    return Err(PgpError::Invalid);
                }
                let mut rb = [0u8; 32];
                let mut sb = [0u8; 32];
                rb[32 - r.len()..].copy_from_slice(r);
                sb[32 - s.len()..].copy_from_slice(s);
                let sig =
                    p256::ecdsa::Signature::from_scalars(rb, sb).map_err(|_| PgpError::Invalid)?;
                k.verify_prehash(digest, &sig)
                    .map_err(|_| PgpError::Invalid)
            }
            (Material::Other(what), _) => Err(PgpError::Unsupported(what.clone())),
            (_, algorithm) => Err(PgpError::Unsupported(format!(
                "signature algorithm {algorithm} for this key"
            ))),
        }
    }
}

fn digest_of<D: sha2::Digest>(parts: &[&[u8]]) -> Vec<u8> {
    let mut d = D::new();
    for p in parts {
        d.update(p);
    }
    d.finalize().to_vec()
}

/// A detached signature (what git stores in a commit's `gpgsig` header).
#[derive(Debug, Clone)]
pub struct DetachedSignature {
    sig: Signature,
}

/// What a successful verification established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgpVerified {
    /// Fingerprint of the certificate's primary key (upper-case hex).
    pub primary: String,
    /// Fingerprint of the key that signed (the primary key or a subkey).
    pub signing_key: String,
    /// The signature's creation time (as the signer states it).
    pub created: i64,
}

impl DetachedSignature {
    /// Parse an armored or binary detached signature: exactly one signature packet.
    ///
    /// # Errors
    /// Malformed data, or a signature version custody does not verify.
    pub fn parse(input: &[u8]) -> Result<Self> {
        let data = dearmor(input)?;
        let packets = packets(&data)?;
        match packets.as_slice() {
            [p] if p.tag == 2 => Ok(Self {
                sig: Signature::parse(p.body)?,
            }),
            _ => Err(malformed("expected exactly one signature packet")),
        }
    }

    /// The issuer named by the signature (fingerprint, else key ID; upper-case hex).
    #[must_use]
    pub fn issuer(&self) -> String {
        self.sig.issuer()
    }

    /// The signature's creation time, as the signer states it.
    #[must_use]
    pub fn created(&self) -> Option<i64> {
        self.sig.created
    }

    /// Whether the signature names a key of `cert` as its issuer.
    #[must_use]
    pub fn names_key_of(&self, cert: &Certificate) -> bool {
        cert.keys().any(|k| k.matches(&self.sig.issuer))
    }

    /// Verify over `data` with `cert`. The signing key must be able to sign at `at`
    /// (a time the signer does not control, when the caller has one; else the signature's
    /// own creation time) and at the signature's creation time.
    ///
    /// # Errors
    /// Every way it can fail, as [`PgpError`].
    pub fn verify(&self, cert: &Certificate, data: &[u8], at: Option<i64>) -> Result<PgpVerified> {
        self.verify_remembering(cert, data, at, None)
    }

    /// As [`DetachedSignature::verify`]; the arithmetic is skipped when `memo` remembers
    /// that it passed for this key, signature and data, and remembered when it passes. The
    /// key's validity is checked every time.
    ///
    /// # Errors
    /// Every way it can fail, as [`PgpError`].
    pub fn verify_remembering(
        &self,
        cert: &Certificate,
        data: &[u8],
        at: Option<i64>,
        memo: Option<&crate::checked::CheckedSignatures>,
    ) -> Result<PgpVerified> {
        let sig = &self.sig;
        if sig.sig_type != 0x00 && sig.sig_type != 0x01 {
            return Err(PgpError::Unsupported(format!(
                "signature type 0x{:02x} for a document",
                sig.sig_type
            )));
        }
        let created = sig
            .created
            .ok_or_else(|| malformed("signature without a creation time"))?;
        let key = cert
            .keys()
            .find(|k| k.matches(&sig.issuer))
            .ok_or_else(|| PgpError::UnknownSigner {
                issuer: sig.issuer.describe(),
                cert: cert.fingerprint(),
            })?;
        if sig.sig_type == 0x01 {
            // Text mode: line endings normalised to CRLF before hashing.
            sig.check_remembering(key, &[&to_crlf(data)], memo)?;
        } else {
            sig.check_remembering(key, &[data], memo)?;
        }
        if let Some(after) = sig.expires_after
            && at.unwrap_or(created) >= created.saturating_add(after)
        {
            return Err(PgpError::KeyNotValid {
                key: key.fingerprint_hex(),
                at: at.unwrap_or(created),
                reason: "the signature itself has expired".into(),
            });
        }
        for t in [Some(created), at].into_iter().flatten() {
            cert.can_sign(key, t)?;
        }
        Ok(PgpVerified {
            primary: cert.fingerprint(),
            signing_key: key.fingerprint_hex(),
            created,
        })
    }
}

fn to_crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 32);
    let mut previous = 0u8;
    for &b in data {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    out
}

/// An OpenPGP certificate (transferable public key): a primary key, user IDs and
/// subkeys, with the self-signatures checked.
#[derive(Clone)]
pub struct Certificate {
    primary: Key,
    subkeys: Vec<Key>,
    user_ids: Vec<String>,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field("fingerprint", &self.fingerprint())
            .field("user_ids", &self.user_ids)
            .field("subkeys", &self.subkeys.len())
            .finish()
    }
}

impl Certificate {
    /// Parse one armored or binary certificate (`gpg --export [--armor]`).
    ///
    /// # Errors
    /// Malformed data, more than one certificate, or a primary key without a valid
    /// self-signature.
    pub fn parse(input: &[u8]) -> Result<Self> {
        let data = dearmor(input)?;
        let packets = packets(&data)?;
        let mut iter = packets.iter();
        let first = iter.next().ok_or_else(|| malformed("empty certificate"))?;
        if first.tag != 6 {
            return Err(malformed(format!(
                "a certificate starts with a public-key packet, not tag {}",
                first.tag
            )));
        }
        let mut primary = Key::parse(first.body)?;
        let mut subkeys: Vec<Key> = Vec::new();
        let mut user_ids = Vec::new();
        // What the signatures that follow a packet are about.
        enum Context {
            Primary,
            UserId(Vec<u8>),
            Subkey(usize),
            Ignored,
        }
        let mut context = Context::Primary;
        // Newest valid self-signature seen for the primary key.
        let mut primary_sig_time = i64::MIN;
        for packet in iter {
            match packet.tag {
                6 => return Err(malformed("more than one certificate")),
                13 => {
                    user_ids.push(String::from_utf8_lossy(packet.body).into_owned());
                    context = Context::UserId(packet.body.to_vec());
                }
                14 => {
                    match Key::parse(packet.body) {
                        Ok(k) => {
                            subkeys.push(k);
                            context = Context::Subkey(subkeys.len() - 1);
                        }
                        // A subkey of a version custody does not read cannot sign for it.
                        Err(PgpError::Unsupported(_)) => context = Context::Ignored,
                        Err(e) => return Err(e),
                    }
                }
                2 => {
                    let Ok(sig) = Signature::parse(packet.body) else {
                        continue; // an unreadable signature proves nothing
                    };
                    if !primary.matches(&sig.issuer) && sig.issuer != Issuer::default() {
                        continue; // third-party certifications do not matter here
                    }
                    let prefix = key_hash_prefix(&primary.body)?;
                    let primary_part: [&[u8]; 2] = [&prefix, &primary.body];
                    match (&context, sig.sig_type) {
                        (Context::UserId(uid), 0x10..=0x13) => {
                            let mut head = vec![0xB4];
                            let len = u32::try_from(uid.len())
                                .map_err(|_| malformed("user ID too long"))?;
                            head.extend_from_slice(&len.to_be_bytes());
                            if sig
                                .check(&primary, &[primary_part[0], primary_part[1], &head, uid])
                                .is_ok()
                            {
                                apply_self_signature(&mut primary, &sig, &mut primary_sig_time);
                            }
                        }
                        (Context::Primary, 0x1F) if sig.check(&primary, &primary_part).is_ok() => {
                            apply_self_signature(&mut primary, &sig, &mut primary_sig_time);
                        }
                        (_, 0x20) if sig.check(&primary, &primary_part).is_ok() => {
                            primary.revoked = revocation(&sig, primary.revoked);
                        }
                        (Context::Subkey(i), 0x18 | 0x28) => {
                            let Some(sub) = subkeys.get_mut(*i) else {
                                continue;
                            };
                            let sub_prefix = key_hash_prefix(&sub.body)?;
                            let parts = [primary_part[0], primary_part[1], &sub_prefix, &sub.body];
                            if sig.check(&primary, &parts).is_err() {
                                continue;
                            }
                            if sig.sig_type == 0x28 {
                                sub.revoked = revocation(&sig, sub.revoked);
                                continue;
                            }
                            let newer = sig.created.unwrap_or(i64::MIN);
                            if sub.bound && newer < sub.created {
                                continue;
                            }
                            let back_signed = sig.embedded.as_ref().is_some_and(|back| {
                                back.sig_type == 0x19
                                    && sub.matches(&back.issuer)
                                    && back.check(sub, &parts).is_ok()
                            });
                            sub.bound = true;
                            sub.flags = sig.flags;
                            sub.expires_after = sig.key_expires_after;
                            sub.back_signed = back_signed;
                        }
                        _ => {}
                    }
                }
                // Trust packets, user attributes, markers: not part of what is checked.
                _ => {
                    if packet.tag == 17 {
                        context = Context::Ignored;
                    }
                }
            }
        }
        if !primary.bound {
            return Err(malformed(format!(
                "certificate {} has no valid self-signature",
                hex::encode_upper(primary.fingerprint)
            )));
        }
        Ok(Self {
            primary,
            subkeys,
            user_ids,
        })
    }

    /// The primary key's fingerprint (upper-case hex, as gpg prints it).
    #[must_use]
    pub fn fingerprint(&self) -> String {
        self.primary.fingerprint_hex()
    }

    /// The user IDs (`Name <email>`), as stored.
    #[must_use]
    pub fn user_ids(&self) -> &[String] {
        &self.user_ids
    }

    /// When the primary key was created (Unix seconds).
    #[must_use]
    pub fn created(&self) -> i64 {
        self.primary.created
    }

    /// Fingerprints of the primary key and every subkey.
    #[must_use]
    pub fn key_fingerprints(&self) -> Vec<String> {
        self.keys().map(Key::fingerprint_hex).collect()
    }

    fn keys(&self) -> impl Iterator<Item = &Key> {
        std::iter::once(&self.primary).chain(self.subkeys.iter())
    }

    /// Whether `key` (the primary or a subkey of this certificate) may sign at `at`.
    fn can_sign(&self, key: &Key, at: i64) -> Result<()> {
        let refuse = |reason: &str| PgpError::KeyNotValid {
            key: key.fingerprint_hex(),
            at,
            reason: reason.to_owned(),
        };
        for (k, what) in [(&self.primary, "primary key"), (key, "key")] {
            if at < k.created {
                return Err(refuse(&format!("the {what} was created later")));
            }
            if let Some(after) = k.expires_after
                && at >= k.created.saturating_add(after)
            {
                return Err(refuse(&format!("the {what} has expired")));
            }
            match k.revoked {
                Some((_, false)) => return Err(refuse(&format!("the {what} is revoked"))),
                Some((when, true)) if at >= when => {
                    return Err(refuse(&format!("the {what} was retired")));
                }
                _ => {}
            }
        }
        let is_primary = std::ptr::eq(key, &self.primary);
        if !is_primary {
            if !key.bound {
                return Err(refuse("the subkey has no valid binding signature"));
            }
            if !key.back_signed {
                return Err(refuse("the subkey has no valid back-signature"));
            }
        }
        if key.flags.is_some_and(|f| f & 0x02 == 0) {
            return Err(refuse("the key is not flagged for signing"));
        }
        Ok(())
    }
}

/// Take a valid self-signature on the primary key when it is the newest so far.
fn apply_self_signature(primary: &mut Key, sig: &Signature, newest: &mut i64) {
    let created = sig.created.unwrap_or(i64::MIN);
    if created >= *newest {
        *newest = created;
        primary.bound = true;
        primary.flags = sig.flags;
        primary.expires_after = sig.key_expires_after;
    }
}

/// Combine a valid revocation with an earlier one: a hard revocation wins; otherwise the
/// earliest time counts.
fn revocation(sig: &Signature, earlier: Option<(i64, bool)>) -> Option<(i64, bool)> {
    // Reason codes 1 (superseded) and 3 (retired) are soft: the key was fine until then.
    let soft = matches!(sig.revocation_reason, Some(1 | 3));
    let when = sig.created.unwrap_or(i64::MIN);
    Some(match earlier {
        Some((_, false)) => return earlier,
        Some((t, true)) if soft => (t.min(when), true),
        _ => (when, soft),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc24_matches_the_rfc_definition() {
        assert_eq!(crc24(b""), 0x00B7_04CE);
        // RFC 4880's example armor: "Yy8=" is the CRC of these bytes.
        assert_eq!(crc24(b"123456789"), 0x0021_CF02);
    }

    #[test]
    fn text_mode_normalises_line_endings_once() {
        assert_eq!(to_crlf(b"a\nb\r\nc"), b"a\r\nb\r\nc");
    }

    #[test]
    fn packet_lengths_of_every_form_are_read() {
        // New format, one-octet length; old format, one-octet length.
        let data = [0xC2, 0x01, 0xAA, 0x88, 0x02, 0xBB, 0xCC];
        let p = packets(&data).expect("packets");
        assert_eq!((p[0].tag, p[0].body), (2, &[0xAA][..]));
        assert_eq!((p[1].tag, p[1].body), (2, &[0xBB, 0xCC][..]));
        // A length past the end, and a partial length, are refused.
        assert!(packets(&[0xC2, 0x05, 0x00]).is_err());
        assert!(matches!(
            packets(&[0xC2, 0xE1, 0x00]),
            Err(PgpError::Unsupported(_))
        ));
    }
}
