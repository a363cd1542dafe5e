//! Writing files so that nothing is ever half-written: a temporary file in the same
//! directory, flushed to disk, then renamed over the target.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// A failed atomic write, naming the file.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct AtomicWriteError {
    /// The file we tried to write.
    pub path: PathBuf,
    /// What went wrong.
    #[source]
    pub source: std::io::Error,
}

/// File permissions for [`write_atomic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    /// Readable by others (public keys, reports, metadata).
    Public,
    /// Readable and writable by the owner only (private keys).
    OwnerOnly,
    /// Readable and executable by all (scripts such as git hooks).
    Executable,
}

/// Write `bytes` to `path` atomically: readers see the old content or the new, never a part.
///
/// # Errors
/// [`AtomicWriteError`] naming `path` when the directory is missing or not writable, or
/// the disk is full.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: FileMode) -> Result<(), AtomicWriteError> {
    write(path, bytes, mode, true)
}

/// As [`write_atomic`] (readers still never see part of a file), without waiting for the
/// data to reach the disk. For bulk writes (thousands of target files, a client's cached
/// metadata) whose loss in a crash is harmless or is guarded by a later synced write: an
/// `fsync` per file costs milliseconds, more than everything else a TUF refresh does.
///
/// # Errors
/// As [`write_atomic`].
pub fn write_atomic_unsynced(
    path: &Path,
    bytes: &[u8],
    mode: FileMode,
) -> Result<(), AtomicWriteError> {
    write(path, bytes, mode, false)
}

fn write(path: &Path, bytes: &[u8], mode: FileMode, sync: bool) -> Result<(), AtomicWriteError> {
    let err = |source| AtomicWriteError {
        path: path.to_owned(),
        source,
    };
    // `-o /dev/null`, `/dev/stdout` or a named pipe: not a file to replace (renaming over
    // /dev/null, as root, would swap the device for a plain file). Write into it.
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::FileTypeExt as _;
        let kind = meta.file_type();
        if kind.is_char_device() || kind.is_block_device() || kind.is_fifo() || kind.is_socket() {
            let mut target = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(err)?;
            return target
                .write_all(bytes)
                .and_then(|()| target.flush())
                .map_err(err);
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".custody-tmp-")
        .tempfile_in(dir)
        .map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let bits = match mode {
            FileMode::Public => 0o644,
            FileMode::OwnerOnly => 0o600,
            FileMode::Executable => 0o755,
        };
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(bits))
            .map_err(err)?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    tmp.write_all(bytes).map_err(err)?;
    if sync {
        tmp.as_file().sync_all().map_err(err)?;
    }
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn special_files_are_written_into_not_replaced() {
        use std::os::unix::fs::FileTypeExt as _;
        let dir = tempfile::tempdir().expect("tmp");
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo (coreutils) runs");
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).expect("read the pipe"))
        };
        write_atomic(&fifo, b"through the pipe", FileMode::Public).expect("write");
        assert_eq!(reader.join().expect("reader"), b"through the pipe");
        let kind = std::fs::metadata(&fifo).expect("stat").file_type();
        assert!(
            kind.is_fifo(),
            "still a named pipe, not a file renamed over it"
        );
    }

    #[test]
    fn writes_replaces_and_sets_mode() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f");
        write_atomic(&path, b"one", FileMode::Public).expect("first write");
        write_atomic(&path, b"two", FileMode::OwnerOnly).expect("second write");
        assert_eq!(std::fs::read(&path).expect("read back"), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let leftovers = std::fs::read_dir(dir.path()).expect("list").count();
        assert_eq!(leftovers, 1, "no temporary files left behind");
    }

    #[test]
    fn missing_directory_names_the_path() {
        let err = write_atomic(Path::new("/nonexistent/dir/f"), b"x", FileMode::Public)
            .expect_err("cannot write into a missing directory");
        assert!(err.to_string().contains("/nonexistent/dir/f"));
    }
}
