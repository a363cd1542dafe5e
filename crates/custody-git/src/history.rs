//! Which blobs a stretch of history adds, each once, with the commit and path that added it.

use crate::{GitError, History};
use gix::ObjectId;
use gix::bstr::{BString, ByteSlice as _};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

/// Which commits to walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistorySpec {
    /// Everything reachable from any reference or `HEAD`.
    All,
    /// `A..B` (commits reachable from `B` but not from `A`; `A..` means `A..HEAD`), or a
    /// single revision `REV`: everything reachable from any reference but not from `REV`.
    Since(String),
    /// Commits reachable from `tips` but not from `hidden` (both revisions or hex ids): what
    /// a push adds.
    Between {
        /// New tips.
        tips: Vec<String>,
        /// What is already there.
        hidden: Vec<String>,
    },
}

/// A commit, as reported with the blobs it added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Hex id.
    pub id: String,
    /// `Name <email>` of the author.
    pub author: String,
    /// Author time, Unix seconds.
    pub time: i64,
}

/// A blob and where it first appeared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedBlob {
    /// Hex blob id.
    pub id: String,
    /// Path in the tree (`/`-separated; non-UTF-8 bytes replaced).
    pub path: String,
    /// The commit that added it; `None` for staged content.
    pub commit: Option<Arc<CommitInfo>>,
}

pub(crate) fn read_error(what: &'static str) -> impl Fn(String) -> GitError {
    move |detail| GitError::Read { what, detail }
}

pub(crate) fn object_error(id: ObjectId, detail: impl std::fmt::Display) -> GitError {
    GitError::Object {
        id: id.to_string(),
        detail: detail.to_string(),
    }
}

/// Object reading, including the quarantine of a push in progress: git receives pushed
/// objects into a temporary directory (`GIT_QUARANTINE_PATH`) and moves them into the
/// repository only after the pre-receive hook accepts them. gitoxide does not read that
/// environment, so the quarantine is opened as a second object store here.
#[derive(Clone)]
pub(crate) struct Objects {
    main: gix::OdbHandle,
    quarantine: Option<gix::odb::Handle>,
    pub(crate) hash: gix::hash::Kind,
}

impl Objects {
    pub(crate) fn new(
        repo: &gix::Repository,
        quarantine: Option<&std::path::Path>,
    ) -> Result<Self, GitError> {
        let quarantine = match quarantine {
            Some(dir) => Some(gix::odb::at(dir).map_err(|e| GitError::Read {
                what: "the push quarantine",
                detail: format!("{}: {e}", dir.display()),
            })?),
            None => None,
        };
        Ok(Self {
            main: repo.objects.clone(),
            quarantine,
            hash: repo.object_hash(),
        })
    }

    /// Whether the object arrived with the push being checked.
    fn is_new(&self, id: &gix::oid) -> bool {
        use gix::objs::Exists as _;
        self.quarantine.as_ref().is_some_and(|q| q.exists(id))
    }

    /// The object's kind and bytes.
    pub(crate) fn read<'b>(
        &self,
        id: &gix::oid,
        buffer: &'b mut Vec<u8>,
    ) -> Result<gix::objs::Data<'b>, GitError> {
        use gix::objs::Find as _;
        let found = if self.is_new(id) {
            self.quarantine
                .as_ref()
                .map(|q| q.try_find(id, buffer))
                .transpose()
                .map(Option::flatten)
        } else {
            self.main.try_find(id, buffer)
        };
        match found {
            Ok(Some(data)) => Ok(data),
            Ok(None) => Err(object_error(id.to_owned(), "not in the repository")),
            Err(e) => Err(object_error(id.to_owned(), e)),
        }
    }

    /// The object's size without decompressing it, when the store can tell.
    pub(crate) fn size(&self, id: &gix::oid) -> Result<u64, GitError> {
        use gix::objs::FindHeader as _;
        let header = if self.is_new(id) {
            self.quarantine
                .as_ref()
                .map(|q| q.try_header(id))
                .transpose()
                .map(Option::flatten)
        } else {
            self.main.try_header(id)
        };
        match header {
            Ok(Some(h)) => Ok(h.size),
            Ok(None) => Err(object_error(id.to_owned(), "not in the repository")),
            Err(e) => Err(object_error(id.to_owned(), e)),
        }
    }

    pub(crate) fn read_kind<'b>(
        &self,
        id: &gix::oid,
        kind: gix::object::Kind,
        buffer: &'b mut Vec<u8>,
    ) -> Result<&'b [u8], GitError> {
        let data = self.read(id, buffer)?;
        if data.kind != kind {
            return Err(object_error(
                id.to_owned(),
                format!("is a {}, not a {kind}", data.kind),
            ));
        }
        Ok(data.data)
    }
}

pub(crate) fn revision(repo: &gix::Repository, spec: &str) -> Result<ObjectId, GitError> {
    let error = |detail: String| GitError::Revision {
        spec: spec.to_owned(),
        detail,
    };
    let id = repo
        .rev_parse_single(spec)
        .map_err(|e| error(e.to_string()))?;
    let commit = id
        .object()
        .map_err(|e| error(e.to_string()))?
        .peel_to_commit()
        .map_err(|e| error(e.to_string()))?;
    Ok(commit.id)
}

/// Every reference (and `HEAD`) that leads to a commit.
pub(crate) fn all_tips(repo: &gix::Repository) -> Result<Vec<ObjectId>, GitError> {
    let mut tips = Vec::new();
    let platform = repo
        .references()
        .map_err(|e| read_error("references")(e.to_string()))?;
    let refs = platform
        .all()
        .map_err(|e| read_error("references")(e.to_string()))?;
    for reference in refs {
        let mut reference = reference.map_err(|e| read_error("references")(e.to_string()))?;
        // References to trees or blobs (rare tags) have no history to walk.
        if let Ok(commit) = reference.peel_to_commit() {
            tips.push(commit.id);
        }
    }
    if let Ok(head) = repo.head_commit() {
        tips.push(head.id);
    }
    tips.sort_unstable();
    tips.dedup();
    Ok(tips)
}

fn resolve(
    repo: &gix::Repository,
    spec: &HistorySpec,
) -> Result<(Vec<ObjectId>, Vec<ObjectId>), GitError> {
    let revisions = |specs: &[String]| -> Result<Vec<ObjectId>, GitError> {
        specs.iter().map(|s| revision(repo, s)).collect()
    };
    Ok(match spec {
        HistorySpec::All => (all_tips(repo)?, Vec::new()),
        HistorySpec::Since(text) => match text.split_once("..") {
            Some((from, to)) => {
                let to = if to.is_empty() { "HEAD" } else { to };
                (vec![revision(repo, to)?], vec![revision(repo, from)?])
            }
            None => (all_tips(repo)?, vec![revision(repo, text)?]),
        },
        HistorySpec::Between { tips, hidden } => (revisions(tips)?, revisions(hidden)?),
    })
}

/// Indices of `commits` ordered so that every commit comes after its parents (those in
/// the list), roots first.
pub(crate) fn parents_first(commits: &[(ObjectId, Vec<ObjectId>)]) -> Vec<usize> {
    let index: HashMap<ObjectId, usize> = commits
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    let mut waiting = vec![0usize; commits.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); commits.len()];
    for (i, (_, parents)) in commits.iter().enumerate() {
        for parent in parents {
            if let Some(&p) = index.get(parent) {
                waiting[i] += 1;
                children[p].push(i);
            }
        }
    }
    // The walk lists newest first; starting from its end keeps older roots first.
    let mut ready: VecDeque<usize> = (0..commits.len())
        .rev()
        .filter(|&i| waiting[i] == 0)
        .collect();
    let mut order = Vec::with_capacity(commits.len());
    while let Some(i) = ready.pop_front() {
        order.push(i);
        for &child in children[i].iter().rev() {
            waiting[child] -= 1;
            if waiting[child] == 0 {
                ready.push_back(child);
            }
        }
    }
    order
}

pub(crate) fn added_blobs(
    repo: &gix::Repository,
    objects: &Objects,
    spec: &HistorySpec,
) -> Result<History, GitError> {
    let mut errors = Vec::new();
    let commits = match spec {
        // During a push, what is new is exactly what sits in the quarantine.
        HistorySpec::Between { tips, .. } if objects.quarantine.is_some() => {
            let tips = tips
                .iter()
                .map(|t| {
                    ObjectId::from_hex(t.as_bytes()).map_err(|e| GitError::Revision {
                        spec: t.clone(),
                        detail: e.to_string(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            quarantined_commits(objects, tips, &mut errors)
        }
        _ => walked_commits(repo, spec, &mut errors)?,
    };
    let mut differ = TreeDiffer::new(objects);
    let mut blobs = Vec::new();
    for i in parents_first(&commits) {
        let (id, parents) = &commits[i];
        // A commit that cannot be read is reported and skipped; the rest is scanned.
        let (tree, info) = match commit_tree_and_info(objects, *id) {
            Ok(found) => found,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        // A parent we cannot read (a shallow clone's boundary) counts as no parent: its
        // files are scanned rather than skipped.
        let parent_tree = parents
            .first()
            .and_then(|p| commit_tree_and_info(objects, *p).ok())
            .map(|(t, _)| t);
        let info = Arc::new(info);
        differ.diff(parent_tree, tree, &mut |path, blob| {
            blobs.push(AddedBlob {
                id: blob.to_string(),
                path,
                commit: Some(Arc::clone(&info)),
            });
        });
    }
    errors.append(&mut differ.errors);
    Ok(History {
        commits: commits.len(),
        blobs,
        errors,
    })
}

type CommitList = Vec<(ObjectId, Vec<ObjectId>)>;

/// The commits of `spec`. A walk that breaks (a missing or corrupt commit) ends there
/// with an error in `errors`; what was walked is still scanned.
fn walked_commits(
    repo: &gix::Repository,
    spec: &HistorySpec,
    errors: &mut Vec<String>,
) -> Result<CommitList, GitError> {
    let (tips, hidden) = resolve(repo, spec)?;
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let walk = repo
        .rev_walk(tips)
        .with_hidden(hidden)
        .all()
        .map_err(|e| read_error("history")(e.to_string()))?;
    let mut commits = Vec::new();
    for info in walk {
        match info {
            Ok(info) => {
                commits.push((info.id, info.parent_ids.iter().copied().collect::<Vec<_>>()));
            }
            Err(e) => {
                errors.push(format!("walking the history: {e}"));
                break;
            }
        }
    }
    Ok(commits)
}

/// Commits reachable from `tips` through commits that are in the quarantine; unreadable
/// ones are reported in `errors`.
fn quarantined_commits(
    objects: &Objects,
    tips: Vec<ObjectId>,
    errors: &mut Vec<String>,
) -> CommitList {
    let mut seen = HashSet::new();
    let mut queue: VecDeque<ObjectId> = tips.into_iter().collect();
    let mut commits = Vec::new();
    let mut buffer = Vec::new();
    while let Some(id) = queue.pop_front() {
        if !seen.insert(id) || !objects.is_new(&id) {
            continue;
        }
        let parents: Vec<ObjectId> = match objects
            .read_kind(&id, gix::object::Kind::Commit, &mut buffer)
            .and_then(|data| {
                gix::objs::CommitRef::from_bytes(data, objects.hash)
                    .map(|c| c.parents().collect())
                    .map_err(|e| object_error(id, e))
            }) {
            Ok(parents) => parents,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        queue.extend(parents.iter().copied());
        commits.push((id, parents));
    }
    commits
}

fn commit_tree_and_info(
    objects: &Objects,
    id: ObjectId,
) -> Result<(ObjectId, CommitInfo), GitError> {
    let mut buffer = Vec::new();
    let data = objects.read_kind(&id, gix::object::Kind::Commit, &mut buffer)?;
    let decoded =
        gix::objs::CommitRef::from_bytes(data, objects.hash).map_err(|e| object_error(id, e))?;
    let author = decoded.author().map_err(|e| object_error(id, e))?;
    let info = CommitInfo {
        id: id.to_string(),
        author: format!("{} <{}>", author.name, author.email),
        time: author.time().map(|t| t.seconds).unwrap_or(0),
    };
    Ok((decoded.tree(), info))
}

/// Compares trees, descending only where ids differ, and reports blobs not seen before.
struct TreeDiffer<'r> {
    objects: &'r Objects,
    seen_blobs: HashSet<ObjectId>,
    /// Trees already compared: everything in them was reported then, or belongs to
    /// history that is not being walked.
    seen_trees: HashSet<ObjectId>,
    /// Report a blob once (history) or at every path (listing a tree).
    once_per_blob: bool,
    path: Vec<u8>,
    /// Trees that could not be read, with where they were; the walk goes on without them.
    errors: Vec<String>,
}

/// A tree entry, owned (decoding borrows the object's buffer).
struct Entry {
    name: BString,
    kind: EntryKind,
    id: ObjectId,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    Tree,
    Blob,
    /// Symbolic links and submodules: no file content of their own.
    Other,
}

impl<'r> TreeDiffer<'r> {
    fn new(objects: &'r Objects) -> Self {
        Self {
            objects,
            seen_blobs: HashSet::new(),
            seen_trees: HashSet::new(),
            once_per_blob: true,
            path: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Every blob at every path, for listing one tree.
    fn listing(objects: &'r Objects) -> Self {
        Self {
            once_per_blob: false,
            ..Self::new(objects)
        }
    }

    fn entries(&self, id: ObjectId) -> Result<Vec<Entry>, GitError> {
        let mut buffer = Vec::new();
        let data = self
            .objects
            .read_kind(&id, gix::object::Kind::Tree, &mut buffer)?;
        let decoded = gix::objs::TreeRef::from_bytes(data, self.objects.hash)
            .map_err(|e| object_error(id, e))?;
        Ok(decoded
            .entries
            .iter()
            .map(|e| Entry {
                name: e.filename.to_owned(),
                kind: if e.mode.is_tree() {
                    EntryKind::Tree
                } else if e.mode.is_blob() {
                    EntryKind::Blob
                } else {
                    EntryKind::Other
                },
                id: e.oid.to_owned(),
            })
            .collect())
    }

    /// Report blobs of `new` that `old` does not have at the same path and that were not
    /// reported before.
    fn diff(
        &mut self,
        old: Option<ObjectId>,
        new: ObjectId,
        report: &mut dyn FnMut(String, ObjectId),
    ) {
        if old == Some(new) || (self.once_per_blob && !self.seen_trees.insert(new)) {
            return;
        }
        let place = |path: &[u8]| {
            if path.is_empty() {
                "the root tree".to_owned()
            } else {
                format!("tree {}", path.to_str_lossy())
            }
        };
        // An unreadable old side counts as empty: everything in the new side is scanned.
        let before: HashMap<BString, (EntryKind, ObjectId)> = match old.map(|o| self.entries(o)) {
            Some(Ok(entries)) => entries
                .into_iter()
                .map(|e| (e.name, (e.kind, e.id)))
                .collect(),
            Some(Err(e)) => {
                self.errors.push(format!("{}: {e}", place(&self.path)));
                HashMap::new()
            }
            None => HashMap::new(),
        };
        let entries = match self.entries(new) {
            Ok(entries) => entries,
            Err(e) => {
                self.errors.push(format!("{}: {e}", place(&self.path)));
                return;
            }
        };
        for entry in entries {
            let previous = before.get(&entry.name);
            if previous.map(|p| p.1) == Some(entry.id) {
                continue;
            }
            let depth = self.path.len();
            if depth > 0 {
                self.path.push(b'/');
            }
            self.path.extend_from_slice(&entry.name);
            match entry.kind {
                EntryKind::Tree => {
                    let old_subtree = previous.filter(|p| p.0 == EntryKind::Tree).map(|p| p.1);
                    self.diff(old_subtree, entry.id, report);
                }
                EntryKind::Blob => {
                    if !self.once_per_blob || self.seen_blobs.insert(entry.id) {
                        report(self.path.to_str_lossy().into_owned(), entry.id);
                    }
                }
                EntryKind::Other => {}
            }
            self.path.truncate(depth);
        }
    }
}

pub(crate) fn staged_blobs(
    repo: &gix::Repository,
    objects: &Objects,
) -> Result<Vec<AddedBlob>, GitError> {
    let index = repo
        .index_or_empty()
        .map_err(|e| read_error("the index")(e.to_string()))?;
    // What HEAD has, path by path (nothing on an unborn branch).
    let mut in_head: HashMap<String, ObjectId> = HashMap::new();
    if let Ok(head) = repo.head_commit() {
        let tree = head
            .tree_id()
            .map_err(|e| object_error(head.id, e))?
            .detach();
        let mut listing = TreeDiffer::listing(objects);
        listing.diff(None, tree, &mut |path, id| {
            in_head.insert(path, id);
        });
        if let Some(e) = listing.errors.first() {
            return Err(GitError::Read {
                what: "HEAD's tree",
                detail: e.clone(),
            });
        }
    }
    let mut out = Vec::new();
    for entry in index.entries() {
        let regular = entry.mode == gix::index::entry::Mode::FILE
            || entry.mode == gix::index::entry::Mode::FILE_EXECUTABLE;
        if !regular || entry.stage_raw() != 0 {
            continue;
        }
        let path = entry.path(&index).to_str_lossy().into_owned();
        if in_head.get(&path) == Some(&entry.id) {
            continue;
        }
        out.push(AddedBlob {
            id: entry.id.to_string(),
            path,
            commit: None,
        });
    }
    Ok(out)
}
