//! Reusing a material's digest for the same unchanged file as a product, so that a step
//! that reads a large tree and changes a little of it is not hashed twice.
//!
//! A file counts as unchanged when its device, inode, size, modification time and change
//! time are all the same at both stats, and its change time is more than
//! [`RACY_MARGIN`] older than the moment recording started. The second condition is git's
//! answer to "racy" timestamps: any write after hashing sets the change time to the
//! current time, which the kernel may round down by a few milliseconds but never to
//! before recording began, and no system call lets a process set the change time back. So
//! a file with an old change time and identical stats has the content that was hashed.
//! Files touched shortly before recording are always hashed again.

use crate::hash::Digests;
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How much older than the start of recording a change time must be.
pub const RACY_MARGIN: Duration = Duration::from_secs(2);

/// Identity of a file: device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

/// What must not change for a digest to be reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

/// A file's identity and the stats that must not change, taken from one stat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileState {
    id: FileId,
    stamp: Stamp,
}

impl FileState {
    /// The state in these stats; `None` where the platform gives nothing safe to key on.
    #[must_use]
    pub fn of(meta: &std::fs::Metadata) -> Option<Self> {
        identify(meta).map(|(id, stamp)| Self { id, stamp })
    }
}

/// Digests by file identity, valid for one recording session.
#[derive(Debug, Clone)]
pub struct DigestCache {
    started_ns: i128,
    entries: HashMap<FileId, (Stamp, Digests)>,
}

impl DigestCache {
    /// A cache for a recording that starts now.
    #[must_use]
    pub fn starting_now() -> Self {
        Self::starting_at(SystemTime::now())
    }

    /// A cache for a recording that started at `started` (tests use this to make files
    /// look old enough).
    #[must_use]
    pub fn starting_at(started: SystemTime) -> Self {
        let started_ns = started
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i128::try_from(d.as_nanos()).unwrap_or(i128::MAX));
        Self {
            started_ns,
            entries: HashMap::new(),
        }
    }

    /// The digests of the file with these stats, if it was hashed unchanged.
    #[must_use]
    pub fn lookup(&self, meta: &std::fs::Metadata) -> Option<&Digests> {
        let (id, stamp) = identify(meta)?;
        self.entries
            .get(&id)
            .filter(|(s, _)| *s == stamp)
            .map(|(_, d)| d)
    }

    /// Remember digests of a file in the state it had when it was opened; files changed
    /// too recently are not remembered.
    pub fn remember(&mut self, state: &FileState, digests: &Digests) {
        let margin = i128::try_from(RACY_MARGIN.as_nanos()).unwrap_or(i128::MAX);
        if state.stamp.ctime_ns < self.started_ns - margin {
            self.entries
                .insert(state.id, (state.stamp, digests.clone()));
        }
    }

    /// Whether nothing is remembered (lookups can be skipped).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(unix)]
fn identify(meta: &std::fs::Metadata) -> Option<(FileId, Stamp)> {
    use std::os::unix::fs::MetadataExt as _;
    let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
    Some((
        FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        },
        Stamp {
            size: meta.size(),
            mtime_ns: ns(meta.mtime(), meta.mtime_nsec()),
            ctime_ns: ns(meta.ctime(), meta.ctime_nsec()),
        },
    ))
}

/// Without inode numbers and change times there is nothing safe to key on: never reuse.
#[cfg(not(unix))]
fn identify(_meta: &std::fs::Metadata) -> Option<(FileId, Stamp)> {
    None
}

/// Stats of a path, following symlinks.
///
/// # Errors
/// The stat error.
pub fn stat(path: &Path) -> std::io::Result<std::fs::Metadata> {
    std::fs::metadata(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::artifacts::{RecordOptions, record_cached};

    #[test]
    fn unchanged_files_are_reused_and_changed_ones_rehashed() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("same.txt"), "same").expect("write");
        std::fs::write(dir.path().join("edit.txt"), "before").expect("write");
        let opts = RecordOptions {
            base_path: Some(dir.path().to_path_buf()),
            ..RecordOptions::default()
        };
        // Pretend recording started well after the files were written.
        let mut cache = DigestCache::starting_at(SystemTime::now() + Duration::from_secs(60));
        let materials = record_cached(&[".".into()], &opts, Some(&mut cache)).expect("materials");
        assert_eq!(
            cache.entries.len(),
            2,
            "both files are old enough to remember"
        );
        // Same size, written within the same second: only the change time tells.
        std::fs::write(dir.path().join("edit.txt"), "after!").expect("write");
        let meta = std::fs::metadata(dir.path().join("edit.txt")).expect("stat");
        assert!(
            cache.lookup(&meta).is_none(),
            "a rewritten file is not taken from the cache"
        );
        let products = record_cached(&[".".into()], &opts, Some(&mut cache)).expect("products");
        assert_eq!(products["same.txt"], materials["same.txt"]);
        assert_ne!(products["edit.txt"], materials["edit.txt"]);
        let fresh = crate::artifacts::record(&[".".into()], &opts).expect("no cache");
        assert_eq!(products, fresh, "the cache never changes the result");
    }

    #[test]
    fn recently_changed_files_are_not_remembered() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("new.txt"), "new").expect("write");
        let opts = RecordOptions {
            base_path: Some(dir.path().to_path_buf()),
            ..RecordOptions::default()
        };
        let mut cache = DigestCache::starting_now();
        record_cached(&[".".into()], &opts, Some(&mut cache)).expect("record");
        assert!(cache.entries.is_empty(), "changed within the racy margin");
    }
}
