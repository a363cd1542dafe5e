//! The compiled advisory database: every advisory of a set of RustSec and OSV sources in
//! one file, indexed by (ecosystem, package), so that a scan reads one file and decodes
//! only the advisories about the packages it meets instead of parsing thousands of files.
//!
//! Layout (integers little-endian):
//!
//! ```text
//! magic "CUSTODY-ADVDB\0" · u16 format
//! u32 length · header (JSON: what was compiled from what)
//! u32 packages · per package: u8 length, ecosystem · u16 length, normalised name ·
//!                             u32 references · per reference: u32 record, u32 affected entry
//! u32 records · (records + 1) × u32 offset into the record area · the record area
//!              (each record one advisory as JSON)
//! SHA-256 of everything before it
//! ```
//!
//! The digest is checked before anything is used, so a truncated or damaged file is
//! refused as a whole; every length and offset is still bounds-checked.

use crate::advisory::{Advisory, Affected};
use crate::db::Problem;
use crate::error::VulnError;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The first bytes of a compiled database.
pub const MAGIC: &[u8; 14] = b"CUSTODY-ADVDB\0";
/// The layout version this build writes and reads.
pub const FORMAT: u16 = 1;
const DIGEST_LEN: usize = 32;
/// More than any real advisory set (all of OSV is a few GiB uncompressed); a bound so a
/// hostile header cannot make us allocate without limit.
const MAX_FILE_BYTES: u64 = 4 << 30;

/// What a compiled database was made from, stored in its header.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Header {
    /// The program that wrote it (`custody 0.1.0`).
    pub generator: String,
    /// When, if `SOURCE_DATE_EPOCH` said (RFC 3339); otherwise the file has no time in it
    /// and the same sources give the same bytes.
    #[serde(default)]
    pub built: Option<String>,
    /// The sources, as given to `custody db build`.
    pub sources: Vec<SourceSummary>,
    /// Advisories per ecosystem (an advisory about several ecosystems counts in each).
    pub ecosystems: BTreeMap<String, usize>,
    /// The newest `modified` date of any advisory: how current the data is.
    #[serde(default)]
    pub newest_advisory: Option<String>,
    /// Files of the sources that could not be read (left out of the database).
    #[serde(default)]
    pub problems: Vec<Problem>,
}

/// One source directory or file of a compiled database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceSummary {
    /// As given.
    pub path: String,
    /// Advisories read from it.
    pub advisories: usize,
}

/// Whether the file at `path` starts like a compiled database.
#[must_use]
pub fn is_compiled(path: &Path) -> bool {
    use std::io::Read as _;
    let mut start = [0u8; MAGIC.len()];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut start))
        .is_ok()
        && &start == MAGIC
}

/// The bytes of a compiled database holding `advisories`.
///
/// Records are written in the order given (the caller sorts); `file` paths are written as
/// given, so pass them relative to their source for output that does not depend on where
/// the sources were.
///
/// # Errors
/// An ecosystem or package name too long for the layout (255 and 65,535 bytes), or more
/// than 4 GiB of records.
pub fn write(header: &Header, advisories: &[Advisory]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    let header_json = serde_json::to_vec(header).map_err(|e| e.to_string())?;
    put_len32(&mut out, header_json.len())?;
    out.extend_from_slice(&header_json);

    let mut index: BTreeMap<(String, String), Vec<(u32, u32)>> = BTreeMap::new();
    for (i, a) in advisories.iter().enumerate() {
        for (j, aff) in a.affected.iter().enumerate() {
            index
                .entry((
                    aff.ecosystem.clone(),
                    crate::db::normalise_name(&aff.ecosystem, &aff.package),
                ))
                .or_default()
                .push((to_u32(i)?, to_u32(j)?));
        }
    }
    put_len32(&mut out, index.len())?;
    for ((eco, name), refs) in &index {
        let eco_len =
            u8::try_from(eco.len()).map_err(|_| format!("ecosystem {eco:?} is too long"))?;
        out.push(eco_len);
        out.extend_from_slice(eco.as_bytes());
        let name_len =
            u16::try_from(name.len()).map_err(|_| format!("package name {name:?} is too long"))?;
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        put_len32(&mut out, refs.len())?;
        for (i, j) in refs {
            out.extend_from_slice(&i.to_le_bytes());
            out.extend_from_slice(&j.to_le_bytes());
        }
    }

    let mut area = Vec::new();
    let mut offsets = Vec::with_capacity(advisories.len() + 1);
    for a in advisories {
        offsets.push(to_u32(area.len())?);
        serde_json::to_writer(&mut area, a).map_err(|e| e.to_string())?;
    }
    offsets.push(to_u32(area.len())?);
    put_len32(&mut out, advisories.len())?;
    for o in offsets {
        out.extend_from_slice(&o.to_le_bytes());
    }
    out.extend_from_slice(&area);
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    Ok(out)
}

fn to_u32(n: usize) -> Result<u32, String> {
    u32::try_from(n).map_err(|_| format!("{n} does not fit the database layout"))
}

fn put_len32(out: &mut Vec<u8>, n: usize) -> Result<(), String> {
    out.extend_from_slice(&to_u32(n)?.to_le_bytes());
    Ok(())
}

/// An opened compiled database: the index in memory, advisories decoded on first use.
#[derive(Debug)]
pub struct Compiled {
    path: PathBuf,
    header: Header,
    bytes: Vec<u8>,
    /// Byte range of each record in `bytes`.
    records: Vec<(usize, usize)>,
    decoded: Vec<OnceLock<Advisory>>,
    index: HashMap<(String, String), Vec<(u32, u32)>>,
}

/// Reads the layout, every step bounds-checked.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| format!("truncated at byte {}", self.at))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn len32(&mut self) -> Result<usize, String> {
        usize::try_from(self.u32()?).map_err(|_| "length does not fit this machine".to_owned())
    }

    fn text(&mut self, n: usize) -> Result<&'a str, String> {
        std::str::from_utf8(self.take(n)?)
            .map_err(|_| format!("text at byte {} is not UTF-8", self.at))
    }
}

impl Compiled {
    /// Open the compiled database at `path`.
    ///
    /// # Errors
    /// The file cannot be read, is not a compiled database, was written by another layout
    /// version, or fails its digest or bounds checks.
    pub fn open(path: &Path) -> Result<Self, VulnError> {
        let len = std::fs::metadata(path)
            .map_err(|source| VulnError::Io {
                path: path.to_owned(),
                source,
            })?
            .len();
        if len > MAX_FILE_BYTES {
            return Err(VulnError::malformed(
                path,
                format!("{len} bytes is more than an advisory database may have"),
            ));
        }
        let bytes = std::fs::read(path).map_err(|source| VulnError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_bytes(bytes, path)
    }

    /// A compiled database from its bytes; `path` names it in errors.
    ///
    /// # Errors
    /// As [`Compiled::open`].
    pub fn from_bytes(bytes: Vec<u8>, path: &Path) -> Result<Self, VulnError> {
        let bad =
            |m: String| VulnError::malformed(path, format!("not a usable advisory database: {m}"));
        if bytes.len() < MAGIC.len() + 2 + DIGEST_LEN || &bytes[..MAGIC.len()] != MAGIC {
            return Err(bad(
                "it does not start as one (build it with `custody db build`)".into(),
            ));
        }
        let body_len = bytes.len() - DIGEST_LEN;
        if Sha256::digest(&bytes[..body_len]).as_slice() != &bytes[body_len..] {
            return Err(bad(
                "its SHA-256 digest does not match: the file is truncated or damaged".into(),
            ));
        }
        let mut c = Cursor {
            bytes: &bytes[..body_len],
            at: MAGIC.len(),
        };
        let format = c.u16().map_err(&bad)?;
        if format != FORMAT {
            return Err(bad(format!(
                "layout version {format}; this custody reads version {FORMAT} (rebuild it with this custody's `custody db build`)"
            )));
        }
        let header_len = c.len32().map_err(&bad)?;
        let header: Header = serde_json::from_slice(c.take(header_len).map_err(&bad)?)
            .map_err(|e| bad(format!("header: {e}")))?;
        let packages = c.len32().map_err(&bad)?;
        let mut index = HashMap::with_capacity(packages.min(1 << 20));
        let mut refs_total = Vec::new();
        for _ in 0..packages {
            let eco_len = usize::from(c.u8().map_err(&bad)?);
            let eco = c.text(eco_len).map_err(&bad)?.to_owned();
            let name_len = usize::from(c.u16().map_err(&bad)?);
            let name = c.text(name_len).map_err(&bad)?.to_owned();
            let n = c.len32().map_err(&bad)?;
            let mut refs = Vec::with_capacity(n.min(1 << 16));
            for _ in 0..n {
                let i = c.u32().map_err(&bad)?;
                let j = c.u32().map_err(&bad)?;
                refs.push((i, j));
            }
            refs_total.extend(refs.iter().map(|r| r.0));
            if index.insert((eco, name), refs).is_some() {
                return Err(bad("a package is indexed twice".into()));
            }
        }
        let count = c.len32().map_err(&bad)?;
        let mut offsets = Vec::with_capacity(count.min(1 << 24) + 1);
        for _ in 0..=count {
            offsets.push(c.len32().map_err(&bad)?);
        }
        let area_start = c.at;
        let area_len = body_len - area_start;
        let mut records = Vec::with_capacity(count);
        for w in offsets.windows(2) {
            let (from, to) = (w[0], w[1]);
            if from > to || to > area_len {
                return Err(bad("a record lies outside the record area".into()));
            }
            records.push((area_start + from, area_start + to));
        }
        if offsets.last() != Some(&area_len) {
            return Err(bad("the record area has bytes no record owns".into()));
        }
        if let Some(r) = refs_total.iter().find(|&&r| r as usize >= count) {
            return Err(bad(format!("the index names record {r} of {count}")));
        }
        let decoded = (0..count).map(|_| OnceLock::new()).collect();
        Ok(Self {
            path: path.to_owned(),
            header,
            bytes,
            records,
            decoded,
            index,
        })
    }

    /// What the database was compiled from.
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The file it was opened from.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The number of advisories.
    #[must_use]
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether it holds no advisory.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The number of (ecosystem, package) keys in the index.
    #[must_use]
    pub fn packages(&self) -> usize {
        self.index.len()
    }

    /// Advisory number `i`, decoded once.
    ///
    /// # Errors
    /// The record is not an advisory (a file that passed its digest but was not written by
    /// `custody db build`), or `i` is out of range.
    pub fn advisory(&self, i: usize) -> Result<&Advisory, VulnError> {
        let cell = self
            .decoded
            .get(i)
            .ok_or_else(|| VulnError::malformed(&self.path, format!("no record {i}")))?;
        if let Some(a) = cell.get() {
            return Ok(a);
        }
        let (from, to) = self.records[i];
        let a: Advisory = serde_json::from_slice(&self.bytes[from..to]).map_err(|e| {
            VulnError::malformed(&self.path, format!("record {i} is not an advisory: {e}"))
        })?;
        let _ = cell.set(a);
        Ok(cell.get().expect("the cell was set just above"))
    }

    /// The (advisory, affected entry) pairs about a package, by its normalised name.
    ///
    /// # Errors
    /// As [`Compiled::advisory`], and an affected entry the record does not have.
    pub fn about(
        &self,
        ecosystem: &str,
        normalised: &str,
    ) -> Result<Vec<(&Advisory, &Affected)>, VulnError> {
        let Some(refs) = self
            .index
            .get(&(ecosystem.to_owned(), normalised.to_owned()))
        else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(refs.len());
        for &(i, j) in refs {
            let a = self.advisory(i as usize)?;
            let aff = a.affected.get(j as usize).ok_or_else(|| {
                VulnError::malformed(
                    &self.path,
                    format!(
                        "the index names affected entry {j} of {}, which has {}",
                        a.id,
                        a.affected.len()
                    ),
                )
            })?;
            out.push((a, aff));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advisory::{Event, Kind, Range, RangeKind};

    fn advisory(id: &str, eco: &str, package: &str) -> Advisory {
        Advisory {
            id: id.into(),
            aliases: vec![format!("CVE-{id}")],
            summary: format!("{id} summary"),
            kind: Kind::Vulnerability,
            withdrawn: None,
            severity: vec![],
            affected: vec![Affected {
                ecosystem: eco.into(),
                package: package.into(),
                ranges: vec![Range::Events {
                    kind: RangeKind::Ecosystem,
                    events: vec![Event::Introduced("0".into()), Event::Fixed("1.2".into())],
                }],
                versions: vec!["1.0".into()],
            }],
            url: None,
            modified: Some("2024-01-01T00:00:00Z".into()),
            file: PathBuf::from(format!("{id}.json")),
        }
    }

    fn header() -> Header {
        Header {
            generator: "test".into(),
            built: None,
            sources: vec![],
            ecosystems: BTreeMap::new(),
            newest_advisory: None,
            problems: vec![],
        }
    }

    /// Replace the trailing digest so a hand-edited file passes the digest check and
    /// reaches the structural checks.
    fn redigest(bytes: &mut Vec<u8>) {
        bytes.truncate(bytes.len() - DIGEST_LEN);
        let d = Sha256::digest(&bytes[..]);
        bytes.extend_from_slice(&d);
    }

    #[test]
    fn advisories_read_back_by_package_and_only_when_asked() {
        let mut two = advisory("PYSEC-2", "PyPI", "Django_Rest");
        two.affected.push(Affected {
            ecosystem: "npm".into(),
            package: "left-pad".into(),
            ranges: vec![],
            versions: vec![],
        });
        let all = vec![advisory("PYSEC-1", "PyPI", "django"), two];
        let bytes = write(&header(), &all).expect("writes");
        let db = Compiled::from_bytes(bytes, Path::new("x.db")).expect("opens");
        assert_eq!((db.len(), db.packages()), (2, 3));
        assert!(
            db.decoded.iter().all(|c| c.get().is_none()),
            "nothing decoded yet"
        );
        let hits = db.about("PyPI", "django-rest").expect("decodes");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].0, &all[1]);
        assert_eq!(hits[0].1.package, "Django_Rest");
        assert!(db.decoded[0].get().is_none(), "only the advisory asked for");
        let npm = db.about("npm", "left-pad").expect("decodes");
        assert_eq!(npm[0].1, &all[1].affected[1]);
        assert!(db.about("npm", "django").expect("no error").is_empty());
    }

    #[test]
    fn a_damaged_or_foreign_file_is_refused() {
        let bytes = write(&header(), &[advisory("A-1", "Go", "m")]).expect("writes");
        let err = |b: Vec<u8>| {
            Compiled::from_bytes(b, Path::new("x.db"))
                .expect_err("refused")
                .to_string()
        };
        let mut flipped = bytes.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 1;
        assert!(err(flipped).contains("digest does not match"));
        assert!(err(bytes[..bytes.len() - 1].to_vec()).contains("digest does not match"));
        assert!(err(b"{\"id\": \"GHSA-1\"}".to_vec()).contains("does not start as one"));
        let mut newer = bytes.clone();
        newer[MAGIC.len()] = 9;
        redigest(&mut newer);
        assert!(err(newer).contains("layout version 9"));
    }

    #[test]
    fn structure_is_checked_even_when_the_digest_matches() {
        let bytes = write(&header(), &[advisory("A-1", "Go", "m")]).expect("writes");
        // The last record offset (just before the record area) made too large.
        let area_len = serde_json::to_vec(&advisory("A-1", "Go", "m"))
            .expect("json")
            .len();
        let at = bytes.len() - DIGEST_LEN - area_len - 4;
        let mut long = bytes.clone();
        long[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        redigest(&mut long);
        let e = Compiled::from_bytes(long, Path::new("x.db")).expect_err("refused");
        assert!(e.to_string().contains("outside the record area"), "{e}");
        // A record that is not an advisory is an error when used, not a wrong answer.
        let mut garbage = bytes.clone();
        let start = bytes.len() - DIGEST_LEN - area_len;
        garbage[start] = b'[';
        redigest(&mut garbage);
        let db = Compiled::from_bytes(garbage, Path::new("x.db")).expect("structure is fine");
        let e = db.about("Go", "m").expect_err("record does not decode");
        assert!(e.to_string().contains("record 0 is not an advisory"), "{e}");
    }

    #[test]
    fn recognised_by_its_first_bytes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("a.db");
        std::fs::write(&db, write(&header(), &[]).expect("writes")).expect("write");
        let other = dir.path().join("b.json");
        std::fs::write(&other, "{}").expect("write");
        assert!(is_compiled(&db));
        assert!(!is_compiled(&other));
        assert!(!is_compiled(&dir.path().join("missing")));
    }
}
