//! Reading git repositories for custody, with gitoxide: which file contents a stretch of
//! history, the index or a push adds, and the commit and path that introduced each.
//!
//! Scanners (secrets today, policy checks later) want every file version exactly once, not
//! every file of every commit: a history of 100,000 commits holds far fewer distinct blobs
//! than commits times files. [`Repo::added_blobs`] walks commits parents-first and compares
//! each commit's tree with its first parent's, descending only into subtrees whose id
//! changed, so unchanged directories cost nothing and a blob is reported once, at the
//! first commit (in that order) that adds it.

pub mod approvals;
pub mod codeowners;
mod history;
mod pattern;
pub mod policy;
pub mod push;
pub mod pushlog;
mod records;
mod review;
pub mod verify;

pub use history::{AddedBlob, CommitInfo, HistorySpec};

use std::path::{Path, PathBuf};

/// The first 12 hex digits of an object id, as reports show it.
#[must_use]
pub fn short_id(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// What can go wrong reading a repository.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// No repository at or above the path.
    #[error("{path}: not a git repository (or any parent up to the root): {detail}")]
    NotARepository {
        /// Where we looked.
        path: PathBuf,
        /// gitoxide's reason.
        detail: String,
    },
    /// A revision that does not name a commit.
    #[error("revision {spec:?}: {detail}")]
    Revision {
        /// As given.
        spec: String,
        /// Why it does not resolve.
        detail: String,
    },
    /// An object could not be read or decoded.
    #[error("object {id}: {detail}")]
    Object {
        /// Hex object id.
        id: String,
        /// What failed.
        detail: String,
    },
    /// A pre-receive input line is not `OLD NEW REF`.
    #[error("pre-receive input line {line}: {detail}")]
    PushInput {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        detail: String,
    },
    /// References, the index or the walk failed.
    #[error("{what}: {detail}")]
    Read {
        /// What was being read.
        what: &'static str,
        /// Why it failed.
        detail: String,
    },
}

/// An open repository, shareable between threads (each thread reads through its own handle,
/// see [`Repo::reader`]).
pub struct Repo {
    inner: gix::ThreadSafeRepository,
    /// Where a push being checked keeps its objects (`GIT_QUARANTINE_PATH`).
    quarantine: Option<PathBuf>,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo")
            .field("git_dir", &self.inner.git_dir())
            .finish()
    }
}

impl Repo {
    /// The repository containing `path` (a work tree, a directory inside one, or a bare
    /// repository).
    ///
    /// # Errors
    /// [`GitError::NotARepository`].
    pub fn discover(path: &Path) -> Result<Self, GitError> {
        let inner =
            gix::ThreadSafeRepository::discover(path).map_err(|e| GitError::NotARepository {
                path: path.to_owned(),
                detail: e.to_string(),
            })?;
        Ok(Self {
            inner,
            quarantine: None,
        })
    }

    /// The repository a git hook runs in, with the objects of the push being received
    /// (git keeps them in a quarantine directory until pre-receive accepts the push and
    /// says where in `GIT_QUARANTINE_PATH`).
    ///
    /// # Errors
    /// [`GitError::NotARepository`].
    pub fn for_hook(path: &Path) -> Result<Self, GitError> {
        let mut repo = Self::discover(path)?;
        repo.quarantine = std::env::var_os("GIT_QUARANTINE_PATH").map(PathBuf::from);
        Ok(repo)
    }

    /// The work tree, if the repository has one.
    #[must_use]
    pub fn work_dir(&self) -> Option<&Path> {
        self.inner.work_dir()
    }

    /// The `.git` directory (or the bare repository itself).
    #[must_use]
    pub fn git_dir(&self) -> &Path {
        self.inner.git_dir()
    }

    fn local(&self) -> gix::Repository {
        let mut repo = self.inner.to_thread_local();
        repo.object_cache_size_if_unset(16 * 1024 * 1024);
        repo
    }

    fn objects(&self, repo: &gix::Repository) -> Result<history::Objects, GitError> {
        history::Objects::new(repo, self.quarantine.as_deref())
    }

    /// A handle for reading blobs on the calling thread.
    ///
    /// # Errors
    /// [`GitError::Read`] when a push quarantine cannot be opened.
    pub fn reader(&self) -> Result<BlobReader, GitError> {
        let repo = self.local();
        Ok(BlobReader {
            objects: self.objects(&repo)?,
        })
    }

    /// Every blob the commits selected by `spec` add, each once, with the first commit and
    /// path that added it, oldest first.
    ///
    /// # Errors
    /// [`GitError`] for revisions that do not resolve and objects that cannot be read.
    pub fn added_blobs(&self, spec: &HistorySpec) -> Result<History, GitError> {
        let repo = self.local();
        history::added_blobs(&repo, &self.objects(&repo)?, spec)
    }

    /// The commits every reference (and `HEAD`) points at, as hex ids.
    ///
    /// # Errors
    /// [`GitError::Read`] when the references cannot be read.
    pub fn ref_tips(&self) -> Result<Vec<String>, GitError> {
        Ok(history::all_tips(&self.local())?
            .iter()
            .map(ToString::to_string)
            .collect())
    }

    /// The commit `HEAD` points at, as a hex id; `None` while `HEAD` is unborn (a new
    /// repository before its first push).
    ///
    /// # Errors
    /// [`GitError::Read`] when `HEAD` exists but cannot be followed to a commit.
    pub fn head_commit(&self) -> Result<Option<String>, GitError> {
        let repo = self.local();
        let head = repo
            .head()
            .map_err(|e| history::read_error("HEAD")(e.to_string()))?;
        if head.is_unborn() {
            return Ok(None);
        }
        let commit = repo
            .head_commit()
            .map_err(|e| history::read_error("HEAD")(e.to_string()))?;
        Ok(Some(commit.id.to_string()))
    }

    /// The contents of the file at `path` (`/`-separated, from the root) in `commit`'s
    /// tree; `None` when there is no such file.
    ///
    /// # Errors
    /// [`GitError`] when the commit or a tree on the way cannot be read.
    pub fn file_at(&self, commit: &str, path: &str) -> Result<Option<Vec<u8>>, GitError> {
        let repo = self.local();
        let objects = self.objects(&repo)?;
        let id = history::revision(&repo, commit)?;
        let parsed = verify::parse_commit(&objects, id)?;
        match verify::blob_at(&objects, parsed.tree, path)? {
            Some(blob) => verify::read_blob(&objects, blob).map(Some),
            None => Ok(None),
        }
    }

    /// The blobs staged in the index that differ from `HEAD` (what the next commit would
    /// add), with their paths. Symbolic links and submodules are left out.
    ///
    /// # Errors
    /// [`GitError::Read`] when the index or `HEAD` cannot be read.
    pub fn staged_blobs(&self) -> Result<Vec<AddedBlob>, GitError> {
        let repo = self.local();
        history::staged_blobs(&repo, &self.objects(&repo)?)
    }
}

/// The result of a history walk.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Commits walked.
    pub commits: usize,
    /// Distinct blobs added, in the order their commits were walked.
    pub blobs: Vec<AddedBlob>,
    /// Commits and trees that could not be read (what they hold was not reported); the
    /// rest of the history was.
    pub errors: Vec<String>,
}

/// Reads blob contents on one thread.
pub struct BlobReader {
    objects: history::Objects,
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobReader").finish_non_exhaustive()
    }
}

impl BlobReader {
    /// The contents of blob `id` (hex), unless it is larger than `max` bytes (`None`),
    /// which is found out without decompressing it.
    ///
    /// # Errors
    /// [`GitError::Object`] when the id is not a blob in the repository.
    pub fn read_limited(&self, id: &str, max: u64) -> Result<Option<Vec<u8>>, GitError> {
        let oid = gix::ObjectId::from_hex(id.as_bytes()).map_err(|e| GitError::Object {
            id: id.to_owned(),
            detail: e.to_string(),
        })?;
        if self.objects.size(&oid)? > max {
            return Ok(None);
        }
        self.read(id).map(Some)
    }

    /// The contents of blob `id` (hex).
    ///
    /// # Errors
    /// [`GitError::Object`] when the id is not a blob in the repository.
    pub fn read(&self, id: &str) -> Result<Vec<u8>, GitError> {
        let oid = gix::ObjectId::from_hex(id.as_bytes()).map_err(|e| GitError::Object {
            id: id.to_owned(),
            detail: e.to_string(),
        })?;
        let mut buffer = Vec::new();
        let data = self.objects.read(&oid, &mut buffer)?;
        if data.kind != gix::object::Kind::Blob {
            return Err(GitError::Object {
                id: id.to_owned(),
                detail: format!("is a {}, not a blob", data.kind),
            });
        }
        Ok(data.data.to_vec())
    }
}
