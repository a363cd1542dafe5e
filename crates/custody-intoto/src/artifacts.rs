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

use crate::digest_cache::{DigestCache, FileState};
use crate::exclude::ExcludeSet;
use crate::hash::{Digests, HashAlgorithm, hash_reader};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
    let mut batches: Vec<(&str, Vec<Hashed>)> = Vec::new();
    let mut dirs: Vec<(String, PathBuf)> = Vec::new();
    let mut keys: HashSet<String> = HashSet::new();
    let lookup = cache.as_deref().filter(|c| !c.is_empty());
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
        let walker = Walker {
            opts,
            cache: lookup,
            remember: cache.is_some(),
            found: Mutex::new(Vec::new()),
        };
        if meta.is_file() {
            walker.file(key, &fs_path)?;
        } else if meta.is_dir() {
            walker.dir(&key, &fs_path, &[])?;
        }
        let mut hashed = walker
            .found
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // The walk finds files in no particular order; sort so that which of two
        // colliding paths is reported does not depend on thread timing.
        if !opts.lstrip_paths.is_empty() {
            hashed.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        }
        batches.push((scheme, hashed));
    }
    let mut out = Artifacts::new();
    for (scheme, hashed) in batches {
        for file in hashed {
            let name = mangle(&file.key, &opts.lstrip_paths, &mut keys)?;
            let name = if scheme.is_empty() {
                name
            } else {
                format!("{scheme}{name}")
            };
            if let (Some(c), Some(state)) = (cache.as_deref_mut(), &file.state) {
                c.remember(state, &file.digests);
            }
            out.insert(name, file.digests);
        }
    }
    for (key, dir) in dirs {
        out.insert(key, hash_dir_listing(&dir, opts)?);
    }
    Ok(out)
}

/// A file found and hashed by the walk.
struct Hashed {
    /// Normalised path, before `--lstrip-paths`.
    key: String,
    digests: Digests,
    /// State at opening, for the digest cache (`None` when reused from it, or when no
    /// cache is kept).
    state: Option<FileState>,
}

/// Walks directories and hashes files in parallel (rayon), so that hashing starts with
/// the first file found and both cores stay busy on trees of small files.
struct Walker<'a> {
    opts: &'a RecordOptions,
    /// Digests to reuse, when the cache holds any.
    cache: Option<&'a DigestCache>,
    /// Whether to keep stats for the cache.
    remember: bool,
    found: Mutex<Vec<Hashed>>,
}

impl Walker<'_> {
    /// Hash one file (or reuse its digest from the cache when it is unchanged) and keep it.
    ///
    /// The stats are taken when the file is opened. A file changed while it is read gets
    /// a new change time, so the product-time stat no longer matches and it is hashed
    /// again.
    fn file(&self, key: String, path: &Path) -> Result<(), RecordError> {
        let io = |source| RecordError::Io {
            path: path.to_path_buf(),
            source,
        };
        let reused = match self.cache {
            Some(cache) => {
                let meta = std::fs::metadata(path).map_err(io)?;
                cache.lookup(&meta).cloned()
            }
            None => None,
        };
        let hashed = match reused {
            Some(digests) => Hashed {
                key,
                digests,
                state: None,
            },
            None => {
                let mut file = std::fs::File::open(path).map_err(io)?;
                let state = if self.remember {
                    FileState::of(&file.metadata().map_err(io)?)
                } else {
                    None
                };
                let digests = hash_reader(
                    &mut file,
                    &self.opts.algorithms,
                    self.opts.normalize_line_endings,
                )
                .map_err(io)?;
                Hashed {
                    key,
                    digests,
                    state,
                }
            }
        };
        self.found
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(hashed);
        Ok(())
    }

    /// Walk a directory. `ancestors` holds the (device, inode) of the directories above,
    /// to stop at symlink loops.
    fn dir(&self, dir_key: &str, dir: &Path, ancestors: &[(u64, u64)]) -> Result<(), RecordError> {
        let io = |source| RecordError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let id = dir_identity(dir).map_err(io)?;
        if ancestors.contains(&id) {
            return Ok(()); // a symlink loop
        }
        let ancestors: Vec<(u64, u64)> = ancestors.iter().copied().chain([id]).collect();
        let entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .collect::<Result<_, _>>()
            .map_err(io)?;
        entries
            .par_iter()
            .try_for_each(|entry| self.entry(dir_key, entry, &ancestors))
    }

    fn entry(
        &self,
        dir_key: &str,
        entry: &std::fs::DirEntry,
        ancestors: &[(u64, u64)],
    ) -> Result<(), RecordError> {
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
            if !self.opts.excludes.is_excluded(&key) {
                self.file(key, &path)?;
            }
            return Ok(());
        }
        // Directories, symlinks and the rest: follow symlinks to see what they point at;
        // broken links have no metadata and are skipped.
        let Ok(meta) = std::fs::metadata(&path) else {
            return Ok(());
        };
        if meta.is_dir() {
            if (file_type.is_symlink() && !self.opts.follow_symlink_dirs)
                || self.opts.excludes.is_excluded(&key)
            {
                return Ok(());
            }
            self.dir(&key, &path, ancestors)
        } else if meta.is_file() && !self.opts.excludes.is_excluded(&key) {
            self.file(key, &path)
        } else {
            Ok(())
        }
    }
}

/// `\` → `/`, strip the first matching prefix, refuse duplicates when prefixes are set.
fn mangle(
    path: &str,
    lstrip: &[String],
    seen: &mut HashSet<String>,
) -> Result<String, RecordError> {
    let mut key = if path.contains('\\') {
        path.replace('\\', "/")
    } else {
        path.to_owned()
    };
    if lstrip.is_empty() {
        return Ok(key);
    }
    if let Some(prefix) = lstrip.iter().find(|p| key.starts_with(p.as_str())) {
        key = key[prefix.len()..].to_owned();
    }
    if !seen.insert(key.clone()) {
        return Err(RecordError::DuplicatePath(key));
    }
    Ok(key)
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
