//! Go's `h1:` module hash ("dirhash" Hash1), as `go.sum` records it: the SHA-256 of a
//! summary with one line per file, `<hex SHA-256 of the file>  <name>\n`, names sorted
//! bytewise; file names are `<module>@<version>/<path>`, as in the module zip. Go
//! refuses a name with a newline in it, since it would forge a summary line; so does this.

use crate::hashing::{Hasher, digest_reader};
use custody_sbom::component::{Hash, HashAlg};
use std::io::Read;
use std::path::Path;

/// Why a module could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum DirhashError {
    /// A file name Go's hash cannot take.
    #[error("file name {0:?} has a newline")]
    Newline(String),
    /// The zip could not be read.
    #[error("{0}")]
    Zip(String),
    /// A file could not be read.
    #[error("{0}")]
    Io(String),
}

/// The summary's SHA-256 from (name, file digest) pairs.
fn summarise(mut files: Vec<(String, Hash)>) -> Result<Hash, DirhashError> {
    files.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut summary = Hasher::new(HashAlg::Sha256);
    for (name, digest) in &files {
        if name.contains('\n') {
            return Err(DirhashError::Newline(name.clone()));
        }
        summary.update(format!("{}  {name}\n", digest.hex).as_bytes());
    }
    Ok(summary.finish())
}

/// The hash of a module zip: every entry, by the name it has in the zip.
///
/// # Errors
/// An unreadable or damaged zip, or a name with a newline.
pub fn hash_zip(reader: impl Read + std::io::Seek) -> Result<Hash, DirhashError> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| DirhashError::Zip(e.to_string()))?;
    let mut files = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let entry = zip
            .by_index(i)
            .map_err(|e| DirhashError::Zip(format!("entry {i}: {e}")))?;
        let name = entry.name().to_owned();
        let digest = digest_reader(HashAlg::Sha256, entry)
            .map_err(|e| DirhashError::Zip(format!("{name}: {e}")))?;
        files.push((name, digest));
    }
    summarise(files)
}

/// The hash of an unpacked module: every file under `dir`, named `<prefix>/<path>`
/// (the prefix is `<module>@<version>`).
///
/// # Errors
/// An unreadable file or directory, or a name with a newline.
pub fn hash_dir(dir: &Path, prefix: &str) -> Result<Hash, DirhashError> {
    let mut names = std::collections::BTreeSet::new();
    crate::tree::walk_files(dir, None, &mut names).map_err(DirhashError::Io)?;
    let mut files = Vec::with_capacity(names.len());
    for name in names {
        let path = dir.join(&name);
        let digest = crate::hashing::digest_file(HashAlg::Sha256, &path)
            .map_err(|e| DirhashError::Io(format!("{}: {e}", path.display())))?;
        files.push((format!("{prefix}/{name}"), digest));
    }
    summarise(files)
}

/// The hash of a lone `go.mod` file, as go.sum's `/go.mod` lines record it.
///
/// # Errors
/// The file cannot be read.
pub fn hash_go_mod(bytes: &[u8]) -> Result<Hash, DirhashError> {
    let digest =
        digest_reader(HashAlg::Sha256, bytes).map_err(|e| DirhashError::Io(e.to_string()))?;
    summarise(vec![("go.mod".to_owned(), digest)])
}

/// A digest as go.sum writes it: `h1:` and standard base64.
#[must_use]
pub fn to_h1(hash: &Hash) -> String {
    use base64::Engine as _;
    let bytes = hex::decode(&hash.hex).unwrap_or_default();
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut out);
            for (name, bytes) in files {
                w.start_file(*name, zip::write::SimpleFileOptions::default())
                    .unwrap_or_else(|e| panic!("{e}"));
                w.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
            }
            w.finish().unwrap_or_else(|e| panic!("{e}"));
        }
        out.into_inner()
    }

    #[test]
    fn go_mod_hash_matches_go_sum() {
        // golang.org/x/text v0.3.0 has no go.mod; Go makes it the one line below, and
        // every go.sum that needs it records this hash.
        let h = hash_go_mod(b"module golang.org/x/text\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(to_h1(&h), "h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ=");
    }

    #[test]
    fn zip_and_directory_agree_and_order_is_bytewise() {
        let files: &[(&str, &[u8])] = &[
            ("example.com/m@v1.0.0/go.mod", b"module example.com/m\n"),
            ("example.com/m@v1.0.0/a.go", b"package m\n"),
            (
                "example.com/m@v1.0.0/Z.go",
                b"package m // Z sorts before a\n",
            ),
            ("example.com/m@v1.0.0/sub/b.go", b"package sub\n"),
        ];
        let from_zip =
            hash_zip(std::io::Cursor::new(zip_of(files))).unwrap_or_else(|e| panic!("{e}"));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for (name, bytes) in files {
            let rel = name.trim_start_matches("example.com/m@v1.0.0/");
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap_or(dir.path()))
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(p, bytes).unwrap_or_else(|e| panic!("{e}"));
        }
        let from_dir =
            hash_dir(dir.path(), "example.com/m@v1.0.0").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_zip, from_dir);
        // The summary, computed by hand.
        let line = |n: &str, b: &[u8]| {
            format!(
                "{}  {n}\n",
                digest_reader(HashAlg::Sha256, b)
                    .map(|h| h.hex)
                    .unwrap_or_default()
            )
        };
        let summary = [files[2], files[1], files[0], files[3]]
            .iter()
            .map(|(n, b)| line(n, b))
            .collect::<String>();
        let expected =
            digest_reader(HashAlg::Sha256, summary.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_zip, expected);
    }

    #[test]
    fn newline_names_and_garbage_are_refused() {
        let z = zip_of(&[("m@v1/a\nb", b"x")]);
        assert!(matches!(
            hash_zip(std::io::Cursor::new(z)),
            Err(DirhashError::Newline(_))
        ));
        assert!(matches!(
            hash_zip(std::io::Cursor::new(b"PK not a zip".to_vec())),
            Err(DirhashError::Zip(_))
        ));
    }
}
