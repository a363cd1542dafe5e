//! Scanning a working tree: files walked in parallel with the `ignore` walker (which reads
//! `.gitignore`, `.ignore` and git's excludes unless told not to), hidden files included
//! (`.env` is where secrets live) but never `.git/`, binary files and files over the size
//! limit skipped and counted, unreadable files reported without stopping the scan.

use crate::SecretsError;
use crate::engine::{CommitRef, Finding, RuleSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How to walk.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Honour `.gitignore` and friends.
    pub respect_ignore_files: bool,
    /// Skip files larger than this many bytes.
    pub max_file_size: u64,
    /// Paths whose findings are accepted (gitignore-style patterns, relative to the root):
    /// test fixtures, documentation of formats.
    pub allow_paths: Vec<String>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            respect_ignore_files: true,
            max_file_size: 20 << 20,
            allow_paths: Vec::new(),
        }
    }
}

/// What a scan found and what it could not look at.
#[derive(Debug, Default, serde::Serialize)]
pub struct ScanReport {
    /// Findings, sorted by path and position.
    pub findings: Vec<Finding>,
    /// Files scanned.
    pub files: usize,
    /// Bytes scanned.
    pub bytes: u64,
    /// Files skipped as binary (a NUL byte in the first 8 KiB).
    pub binary_skipped: usize,
    /// Files skipped for size.
    pub large_skipped: usize,
    /// Files that could not be read, with the reason.
    pub errors: Vec<String>,
    /// Findings dropped because their path is allowed.
    pub allowed_by_path: usize,
}

/// How much of a file decides whether it is binary.
const BINARY_PROBE_BYTES: u64 = 8192;

/// Whether content looks binary: a NUL byte in its first 8 KiB (git's test).
#[must_use]
pub fn looks_binary(data: &[u8]) -> bool {
    data[..data.len().min(BINARY_PROBE_BYTES as usize)].contains(&0)
}

/// Scan every file under `root`.
///
/// # Errors
/// [`SecretsError::Io`] when `root` itself cannot be read; problems with single files
/// are reported in [`ScanReport::errors`].
pub fn scan_tree(
    rules: &RuleSet,
    root: &Path,
    options: &ScanOptions,
) -> Result<ScanReport, SecretsError> {
    std::fs::metadata(root).map_err(|source| SecretsError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let allow = allow_matcher(root, &options.allow_paths)?;
    let report = Mutex::new(ScanReport::default());
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(options.respect_ignore_files)
        .git_global(options.respect_ignore_files)
        .git_exclude(options.respect_ignore_files)
        .ignore(options.respect_ignore_files)
        .parents(options.respect_ignore_files)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build_parallel();
    walker.run(|| {
        let report = &report;
        // One read buffer per thread, reused for every file: no allocation and no fresh
        // pages to fault in per file.
        let mut buffer = Vec::new();
        Box::new(move |entry| {
            let mut local = ScanReport::default();
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    scan_file(rules, root, e.path(), options, &mut local, &mut buffer);
                }
                Ok(_) => {}
                Err(err) => local.errors.push(err.to_string()),
            }
            if local.files > 0
                || local.binary_skipped > 0
                || local.large_skipped > 0
                || !local.errors.is_empty()
            {
                let mut r = report
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                r.findings.append(&mut local.findings);
                r.files += local.files;
                r.bytes += local.bytes;
                r.binary_skipped += local.binary_skipped;
                r.large_skipped += local.large_skipped;
                r.errors.append(&mut local.errors);
            }
            ignore::WalkState::Continue
        })
    });
    let mut report = report
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let before = report.findings.len();
    report.findings.retain(|f| {
        !allow
            .matched_path_or_any_parents(root.join(&f.path), false)
            .is_ignore()
    });
    report.allowed_by_path = before - report.findings.len();
    report
        .findings
        .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    report.errors.sort();
    Ok(report)
}

/// Content that is not a file on disk: a blob of history, of the index or of a push.
#[derive(Debug, Clone)]
pub struct BlobRef {
    /// Object id, handed to the reader.
    pub id: String,
    /// Path in the tree.
    pub path: String,
    /// The commit that added it, if any.
    pub commit: Option<std::sync::Arc<CommitRef>>,
}

/// Scan blobs on all cores. `reader` makes one reading function per thread (git object
/// handles are per thread); given a blob id and the size limit, it returns the bytes,
/// `None` for a blob over the limit (so that memory stays bounded, it should tell without
/// reading it), or why it could not read it.
/// Findings come in the order of `blobs`, then by position.
///
/// # Errors
/// [`SecretsError::Rules`] for an invalid allowed-path pattern.
pub fn scan_blobs<R>(
    rules: &RuleSet,
    blobs: &[BlobRef],
    options: &ScanOptions,
    reader: impl Fn() -> R + Sync,
) -> Result<ScanReport, SecretsError>
where
    R: FnMut(&str, u64) -> Result<Option<Vec<u8>>, String>,
{
    let root = Path::new("/");
    let allow = allow_matcher(root, &options.allow_paths)?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let parts: Vec<(ScanReport, Vec<usize>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.min(blobs.len().max(1)))
            .map(|_| {
                scope.spawn(|| {
                    let mut read = reader();
                    let mut local = ScanReport::default();
                    // Index of the blob each finding came from, for ordering.
                    let mut origin = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(blob) = blobs.get(i) else { break };
                        let data = match read(&blob.id, options.max_file_size) {
                            Ok(Some(d)) => d,
                            Ok(None) => {
                                local.large_skipped += 1;
                                continue;
                            }
                            Err(e) => {
                                local
                                    .errors
                                    .push(format!("{} ({}): {e}", blob.path, blob.id));
                                continue;
                            }
                        };
                        if data.len() as u64 > options.max_file_size {
                            local.large_skipped += 1;
                            continue;
                        }
                        if looks_binary(&data) {
                            local.binary_skipped += 1;
                            continue;
                        }
                        local.files += 1;
                        local.bytes += data.len() as u64;
                        for mut finding in rules.scan(&blob.path, &data) {
                            finding.commit = blob.commit.as_deref().cloned();
                            local.findings.push(finding);
                            origin.push(i);
                        }
                    }
                    (local, origin)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| {
                    (
                        ScanReport {
                            errors: vec!["a scanning thread panicked".to_owned()],
                            ..ScanReport::default()
                        },
                        Vec::new(),
                    )
                })
            })
            .collect()
    });
    let mut report = ScanReport::default();
    let mut tagged = Vec::new();
    for (part, origin) in parts {
        report.files += part.files;
        report.bytes += part.bytes;
        report.binary_skipped += part.binary_skipped;
        report.large_skipped += part.large_skipped;
        report.errors.extend(part.errors);
        tagged.extend(origin.into_iter().zip(part.findings));
    }
    let before = tagged.len();
    tagged.retain(|(_, f)| {
        !allow
            .matched_path_or_any_parents(root.join(&f.path), false)
            .is_ignore()
    });
    report.allowed_by_path = before - tagged.len();
    tagged.sort_by(|(i, a), (j, b)| (i, a.line, a.column).cmp(&(j, b.line, b.column)));
    report.findings = tagged.into_iter().map(|(_, f)| f).collect();
    report.errors.sort();
    Ok(report)
}

/// Allowed paths as a gitignore-style matcher.
fn allow_matcher(
    root: &Path,
    patterns: &[String],
) -> Result<ignore::gitignore::Gitignore, SecretsError> {
    let mut builder = ignore::gitignore::GitignoreBuilder::new(root);
    for p in patterns {
        builder.add_line(None, p).map_err(|e| SecretsError::Rules {
            origin: format!("allowed path {p:?}"),
            detail: e.to_string(),
        })?;
    }
    builder.build().map_err(|e| SecretsError::Rules {
        origin: "allowed paths".into(),
        detail: e.to_string(),
    })
}

fn scan_file(
    rules: &RuleSet,
    root: &Path,
    path: &Path,
    options: &ScanOptions,
    report: &mut ScanReport,
    buffer: &mut Vec<u8>,
) {
    use std::io::Read as _;
    let display = display_path(root, path);
    let mut fail = |e: std::io::Error| report.errors.push(format!("{display}: {e}"));
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let len = match file.metadata() {
        Ok(m) => m.len(),
        Err(e) => return fail(e),
    };
    if len > options.max_file_size {
        report.large_skipped += 1;
        return;
    }
    // The head first: a binary file is skipped without reading the rest of it.
    buffer.clear();
    let head = BINARY_PROBE_BYTES.min(len);
    if let Err(e) = file.by_ref().take(head).read_to_end(buffer) {
        return fail(e);
    }
    if looks_binary(buffer) {
        report.binary_skipped += 1;
        return;
    }
    // The rest, up to the limit (the file may have grown since it was measured).
    let rest = options
        .max_file_size
        .saturating_add(1)
        .saturating_sub(buffer.len() as u64);
    if let Err(e) = file.take(rest).read_to_end(buffer) {
        return fail(e);
    }
    if buffer.len() as u64 > options.max_file_size {
        report.large_skipped += 1;
        return;
    }
    report.files += 1;
    report.bytes += buffer.len() as u64;
    report.findings.extend(rules.scan(&display, buffer));
}

/// A path relative to the scan root, with `/` separators.
fn display_path(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path
        .strip_prefix(root)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf);
    let text = rel.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AKIAQWB5PDKHX6PYGPAN";

    #[test]
    fn binary_and_large_files_are_skipped_by_their_head_and_size() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let d = tmp.path();
        let mut binary = b"\0binary".to_vec();
        binary.extend_from_slice(format!("\nkey={KEY}\n").as_bytes());
        std::fs::write(d.join("a.bin"), &binary).expect("write");
        // A NUL after the first 8 KiB does not make a file binary (git's rule).
        let mut late_nul = format!("key={KEY}\n").into_bytes();
        late_nul.resize(9000, b' ');
        late_nul.push(0);
        std::fs::write(d.join("late.txt"), &late_nul).expect("write");
        let exact = format!("k={KEY}\n");
        std::fs::write(d.join("exact.txt"), &exact).expect("write");
        std::fs::write(d.join("big.txt"), format!("{exact}{}", " ".repeat(9990))).expect("write");
        let rules = RuleSet::builtin().expect("rules");
        let options = ScanOptions {
            max_file_size: 9010,
            ..ScanOptions::default()
        };
        let report = scan_tree(&rules, d, &options).expect("scan");
        let paths: Vec<&str> = report.findings.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["exact.txt", "late.txt"]);
        assert_eq!(report.binary_skipped, 1);
        assert_eq!(report.large_skipped, 1);
        assert_eq!(report.files, 2);
        assert_eq!(report.bytes, (exact.len() + late_nul.len()) as u64);
    }
}
