//! Recording artifacts (materials and products) the way python in-toto's file resolver
//! does, so that the same tree gives the same link in both tools:
//!
//! - each argument is normalised like Python's `os.path.normpath` (`./a` → `a`, `d/` → `d`,
//!   `..` and absolute paths kept) and resolved against the base path;
//! - files (and symlinks to files, under the link's name) are recorded; directories are
//!   walked, symlinked directories followed when asked (in-toto-run always asks);
//! - exclude patterns are checked on the normalised path including the argument prefix,
//!   and an excluded directory is not descended into;
//! - keys get `\` replaced by `/`, then the first matching `--lstrip-paths` prefix removed;
//!   with any prefix configured, two artifacts under one key are an error;
//! - `dir:PATH` records one digest for a whole directory (a `sha256sum`-style listing).
//!
//! Unlike python, symlink loops are detected and not followed (python descends until the
//! kernel refuses, recording the same files dozens of times), and file names that are not
//! UTF-8 are an error up front rather than at signing time.
//!
//! Files are hashed in parallel (rayon); memory grows with the number of artifacts, not
//! their size.

use crate::digest_cache::DigestCache;
use crate::exclude::ExcludeSet;
use crate::hash::{Digests, HashAlgorithm, hash_reader};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// Artifacts by recorded path.
pub type Artifacts = BTreeMap<String, Digests>;

/// How to record.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    /// Exclude patterns (python's defaults unless replaced).
    pub excludes: ExcludeSet,
    /// Directory relative paths are resolved against and recorded relative to; the
    /// current directory when `None`.
    pub base_path: Option<PathBuf>,
    /// Follow symlinks to directories while walking.
    pub follow_symlink_dirs: bool,
    /// Hash with `\r\n` and `\r` turned into `\n`.
    pub normalize_line_endings: bool,
    /// Prefixes to strip from recorded paths; none may be a prefix of another.
    pub lstrip_paths: Vec<String>,
    /// Hash algorithms (in-toto records `sha256`).
    pub algorithms: Vec<HashAlgorithm>,
}

impl Default for RecordOptions {
    fn default() -> Self {
        Self {
            excludes: ExcludeSet::defaults(),
            base_path: None,
            follow_symlink_dirs: true,
            normalize_line_endings: false,
            lstrip_paths: Vec::new(),
            algorithms: vec![HashAlgorithm::Sha256],
        }
    }
}

/// Why artifacts could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Two `--lstrip-paths` prefixes where one starts with the other.
    #[error("--lstrip-paths {0:?} and {1:?} overlap: one is a prefix of the other")]
    OverlappingPrefixes(String, String),
    /// Stripping made two artifacts share a path.
    #[error("--lstrip-paths makes two artifacts record as {0:?}")]
    DuplicatePath(String),
    /// A file name that cannot be written in JSON metadata.
    #[error("{0}: file name is not valid UTF-8")]
    NonUtf8(PathBuf),
    /// An `ostree:` artifact (not supported).
    #[error("{0:?}: ostree: artifacts are not supported")]
    Unsupported(String),
    /// A `dir:` artifact that is not a directory.
    #[error("{0:?}: not a directory")]
    NotADirectory(String),
    /// Reading a directory or file.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Python's `posixpath.normpath`, exactly (including the POSIX rule that keeps exactly
/// two leading slashes).
#[must_use]
pub fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let slashes = if path.starts_with("//") && !path.starts_with("///") {
        2
    } else {
        usize::from(path.starts_with('/'))
    };
    let mut comps: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        if comp.is_empty() || comp == "." {
            continue;
        }
        if comp != ".." || (slashes == 0 && comps.is_empty()) || comps.last() == Some(&"..") {
            comps.push(comp);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let joined = format!("{}{}", "/".repeat(slashes), comps.join("/"));
    if joined.is_empty() {
        ".".to_owned()
    } else {
        joined
    }
}

/// `normpath(join(base, name))` for a walk: `.` joined with `x` is `x`.
fn join_key(dir_key: &str, name: &str) -> String {
    if dir_key == "." {
        normpath(name)
    } else {
        normpath(&format!("{dir_key}/{name}"))
    }
}

/// Record `artifacts` (paths, `dir:PATH` or `file:PATH`).
///
/// # Errors
/// [`RecordError`] for overlapping or colliding prefixes, unreadable directories or
/// files, non-UTF-8 names and unsupported artifact schemes. Missing paths, broken
/// symlinks and special files are skipped, as in python in-toto.
pub fn record(artifacts: &[String], opts: &RecordOptions) -> Result<Artifacts, RecordError> {
    record_cached(artifacts, opts, None)
}

/// As [`record`], reusing and filling a [`DigestCache`] so that files recorded as
/// materials and again, unchanged, as products are hashed once.
///
/// # Errors
/// As [`record`].
pub fn record_cached(
    artifacts: &[String],
    opts: &RecordOptions,
    mut cache: Option<&mut DigestCache>,
) -> Result<Artifacts, RecordError> {
    for (i, a) in opts.lstrip_paths.iter().enumerate() {
        for b in &opts.lstrip_paths[i + 1..] {
            if a.starts_with(b.as_str()) || b.starts_with(a.as_str()) {
                return Err(RecordError::OverlappingPrefixes(a.clone(), b.clone()));
            }
        }
    }
    let base = opts.base_path.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut dirs: Vec<(String, PathBuf)> = Vec::new();
    let mut keys: HashSet<String> = HashSet::new();
    for artifact in artifacts {
        if artifact.starts_with("ostree:") {
            return Err(RecordError::Unsupported(artifact.clone()));
        }
        if let Some(dir) = artifact.strip_prefix("dir:") {
            // python resolves dir: artifacts against the working directory, not the base.
            let key = format!("dir:{}", mangle(dir, &opts.lstrip_paths, &mut keys)?);
            dirs.push((key, PathBuf::from(dir)));
            continue;
        }
        let (scheme, path) = match artifact.strip_prefix("file:") {
            Some(rest) => ("file:", rest),
            None => ("", artifact.as_str()),
        };
        let key = normpath(path);
        if opts.excludes.is_excluded(&key) {
            continue;
        }
        let fs_path = base.join(&key);
        let Ok(meta) = std::fs::metadata(&fs_path) else {
            continue; // missing or broken symlink: python skips it
        };
        let mut found = Vec::new();
        if meta.is_file() {
            found.push((key, fs_path));
        } else if meta.is_dir() {
            walk(&key, &fs_path, opts, &mut found, &mut Vec::new())?;
        }
        for (k, p) in found {
            let name = format!("{scheme}{}", mangle(&k, &opts.lstrip_paths, &mut keys)?);
            files.push((name, p));
        }
    }
    let lookup = cache.as_deref();
    let hashed: Vec<(String, Digests, Option<Remember>)> = files
        .par_iter()
        .map(|(key, path)| {
            hash_one(path, opts, lookup)
                .map(|(d, r)| (key.clone(), d, r))
                .map_err(|source| RecordError::Io {
                    path: path.clone(),
                    source,
                })
        })
        .collect::<Result<_, _>>()?;
    let mut out = Artifacts::new();
    for (key, digests, remember) in hashed {
        if let (Some(c), Some(meta)) = (cache.as_deref_mut(), remember) {
            c.remember(&meta, &digests);
        }
        out.insert(key, digests);
    }
    for (key, dir) in dirs {
        out.insert(key, hash_dir_listing(&dir, opts)?);
    }
    Ok(out)
}

/// Stats of a hashed file, for the digest cache.
type Remember = std::fs::Metadata;

/// Hash one file, or reuse its digest from the cache when it is unchanged.
///
/// The stats are taken when the file is opened. A file changed while it is read gets a
/// new change time, so the product-time stat no longer matches and it is hashed again.
fn hash_one(
    path: &Path,
    opts: &RecordOptions,
    cache: Option<&DigestCache>,
) -> std::io::Result<(Digests, Option<Remember>)> {
    if let Some(cache) = cache.filter(|c| !c.is_empty()) {
        let meta = std::fs::metadata(path)?;
        if let Some(d) = cache.lookup(&meta) {
            return Ok((d.clone(), None));
        }
    }
    let mut file = std::fs::File::open(path)?;
    let meta = if cache.is_some() {
        Some(file.metadata()?)
    } else {
        None
    };
    let digests = hash_reader(&mut file, &opts.algorithms, opts.normalize_line_endings)?;
    Ok((digests, meta))
}

/// `\` → `/`, strip the first matching prefix, refuse duplicates when prefixes are set.
fn mangle(
    path: &str,
    lstrip: &[String],
    seen: &mut HashSet<String>,
) -> Result<String, RecordError> {
    let mut key = path.replace('\\', "/");
    if let Some(prefix) = lstrip.iter().find(|p| key.starts_with(p.as_str())) {
        key = key[prefix.len()..].to_owned();
    }
    if !seen.insert(key.clone()) && !lstrip.is_empty() {
        return Err(RecordError::DuplicatePath(key));
    }
    Ok(key)
}

/// Walk a directory, collecting `(key, path)` of files. `ancestors` holds the (device,
/// inode) of the directories above, to stop at symlink loops.
fn walk(
    dir_key: &str,
    dir: &Path,
    opts: &RecordOptions,
    out: &mut Vec<(String, PathBuf)>,
    ancestors: &mut Vec<(u64, u64)>,
) -> Result<(), RecordError> {
    let io = |source| RecordError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let id = dir_identity(dir).map_err(io)?;
    if ancestors.contains(&id) {
        return Ok(()); // a symlink loop
    }
    ancestors.push(id);
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name
            .to_str()
            .ok_or_else(|| RecordError::NonUtf8(path.clone()))?;
        let key = join_key(dir_key, name);
        let file_type = entry.file_type().map_err(|source| RecordError::Io {
            path: path.clone(),
            source,
        })?;
        if file_type.is_file() {
            // The directory entry says what it is: no stat needed.
            if !opts.excludes.is_excluded(&key) {
                out.push((key, path));
            }
            continue;
        }
        // Directories, symlinks and the rest: follow symlinks to see what they point at;
        // broken links have no metadata and are skipped.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if (file_type.is_symlink() && !opts.follow_symlink_dirs)
                || opts.excludes.is_excluded(&key)
            {
                continue;
            }
            walk(&key, &path, opts, out, ancestors)?;
        } else if meta.is_file() && !opts.excludes.is_excluded(&key) {
            out.push((key, path));
        }
    }
    ancestors.pop();
    Ok(())
}

#[cfg(unix)]
fn dir_identity(dir: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    let m = std::fs::metadata(dir)?;
    Ok((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn dir_identity(dir: &Path) -> std::io::Result<(u64, u64)> {
    // Without inode numbers, fall back to the canonical path's hash.
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::fs::canonicalize(dir)?.hash(&mut h);
    Ok((0, h.finish()))
}

/// The digest of a `dir:` artifact: SHA-256 of `"<sha256>  <path>\n"` lines for every
/// file below the directory, sorted by path in byte order (what
/// `find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum` gives).
fn hash_dir_listing(dir: &Path, opts: &RecordOptions) -> Result<Digests, RecordError> {
    if !dir.is_dir() {
        return Err(RecordError::NotADirectory(dir.display().to_string()));
    }
    let inner = RecordOptions {
        base_path: Some(dir.to_path_buf()),
        lstrip_paths: Vec::new(),
        algorithms: vec![HashAlgorithm::Sha256],
        ..opts.clone()
    };
    let listing = record(&[".".to_owned()], &inner)?;
    let mut text = String::new();
    for (path, digests) in &listing {
        let sha = digests.get("sha256").unwrap_or_default();
        text.push_str(&format!("{sha}  {path}\n"));
    }
    hash_reader(text.as_bytes(), &[HashAlgorithm::Sha256], false).map_err(|source| {
        RecordError::Io {
            path: dir.to_path_buf(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exclude::ExcludeSet;

    #[test]
    fn normpath_is_pythons() {
        for (input, expected) in [
            ("", "."),
            (".", "."),
            ("./a", "a"),
            ("a/", "a"),
            ("a//b/./c/..", "a/b"),
            ("../x", "../x"),
            ("a/../../x", "../x"),
            ("/../x", "/x"),
            ("//x", "//x"),
            ("///x/", "/x"),
            ("a/b/../..", "."),
        ] {
            assert_eq!(normpath(input), expected, "{input:?}");
        }
    }

    fn sha256(content: &[u8]) -> String {
        let d = hash_reader(content, &[HashAlgorithm::Sha256], false).expect("hash");
        d.get("sha256").expect("sha256").to_owned()
    }

    fn tree() -> tempfile::TempDir {
        let t = tempfile::tempdir().expect("temp dir");
        let p = t.path();
        std::fs::create_dir_all(p.join("dir/sub")).expect("mkdir");
        std::fs::write(p.join("top.txt"), "top").expect("write");
        std::fs::write(p.join("dir/a.txt"), "a").expect("write");
        std::fs::write(p.join("dir/sub/b.txt"), "b").expect("write");
        std::fs::write(p.join("old.link"), "x").expect("write");
        std::fs::create_dir_all(p.join(".git")).expect("mkdir");
        std::fs::write(p.join(".git/HEAD"), "ref").expect("write");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("top.txt", p.join("lf")).expect("symlink");
            std::os::unix::fs::symlink("dir", p.join("ld")).expect("symlink");
            std::os::unix::fs::symlink("missing", p.join("broken")).expect("symlink");
            std::os::unix::fs::symlink("..", p.join("dir/sub/up")).expect("symlink loop");
        }
        t
    }

    fn opts(base: &Path) -> RecordOptions {
        RecordOptions {
            base_path: Some(base.to_path_buf()),
            ..RecordOptions::default()
        }
    }

    #[test]
    fn records_a_tree_like_python() {
        let t = tree();
        let got = record(&[".".into()], &opts(t.path())).expect("record");
        let keys: Vec<&str> = got.keys().map(String::as_str).collect();
        #[cfg(unix)]
        assert_eq!(
            keys,
            [
                "dir/a.txt",
                "dir/sub/b.txt",
                "ld/a.txt",
                "ld/sub/b.txt",
                "lf",
                "top.txt"
            ],
            "defaults exclude .git and *.link; symlinks recorded under their names; loops stopped"
        );
        assert_eq!(got["top.txt"].get("sha256"), Some(sha256(b"top").as_str()));
        #[cfg(unix)]
        assert_eq!(got["lf"], got["top.txt"]);
    }

    #[test]
    fn arguments_are_normalised_and_prefixes_stripped() {
        let t = tree();
        let mut o = opts(t.path());
        let got =
            record(&["./dir/".into(), "top.txt".into(), "missing".into()], &o).expect("record");
        assert!(got.contains_key("dir/a.txt") && got.contains_key("top.txt"));
        o.lstrip_paths = vec!["dir/".into()];
        let got = record(&["dir".into()], &o).expect("record");
        assert!(
            got.contains_key("a.txt") && got.contains_key("sub/b.txt"),
            "{got:?}"
        );
        o.lstrip_paths = vec!["dir/".into(), "di".into()];
        assert!(matches!(
            record(&["dir".into()], &o),
            Err(RecordError::OverlappingPrefixes(..))
        ));
        o.lstrip_paths = vec!["zzz".into()];
        assert!(matches!(
            record(&["top.txt".into(), "./top.txt".into()], &o),
            Err(RecordError::DuplicatePath(_))
        ));
    }

    #[test]
    fn excludes_replace_defaults_and_prune() {
        let t = tree();
        let mut o = opts(t.path());
        o.excludes = ExcludeSet::new(&["dir"]).expect("valid");
        let got = record(&[".".into()], &o).expect("record");
        assert!(
            got.contains_key(".git/HEAD") && got.contains_key("old.link"),
            "defaults replaced"
        );
        assert!(!got.keys().any(|k| k.starts_with("dir/")), "dir pruned");
        o.excludes = ExcludeSet::new(&[""]).expect("valid");
        assert!(
            record(&[".".into()], &o)
                .expect("record")
                .contains_key("old.link")
        );
    }

    #[test]
    fn dir_artifacts_hash_a_sorted_listing() {
        let t = tree();
        let dir = t.path().join("dir");
        let got = record(
            &[format!("dir:{}", dir.display())],
            &RecordOptions::default(),
        )
        .expect("record");
        let listing = format!("{}  a.txt\n{}  sub/b.txt\n", sha256(b"a"), sha256(b"b"),);
        let expected =
            hash_reader(listing.as_bytes(), &[HashAlgorithm::Sha256], false).expect("hash");
        assert_eq!(got[&format!("dir:{}", dir.display())], expected);
    }
}
