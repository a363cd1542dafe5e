//! custody's own records in a repository (approvals, the push log): append-only chains of
//! commits on a ref under `refs/custody/`, each holding one file. Written with a
//! compare-and-swap on the ref, so that concurrent writers never lose an entry.

use crate::history::{Objects, object_error};
use crate::{GitError, Repo};
use gix::ObjectId;

fn error(what: &'static str) -> impl Fn(String) -> GitError {
    move |detail| GitError::Read { what, detail }
}

impl Repo {
    /// The commit a records ref points at, if it exists.
    pub(crate) fn record_tip(
        &self,
        reference: &str,
        what: &'static str,
    ) -> Result<Option<ObjectId>, GitError> {
        let repo = self.local();
        match repo.try_find_reference(reference) {
            Ok(Some(mut r)) => Ok(Some(
                r.peel_to_id()
                    .map_err(|e| error(what)(e.to_string()))?
                    .detach(),
            )),
            Ok(None) => Ok(None),
            Err(e) => Err(error(what)(e.to_string())),
        }
    }

    /// Append a commit holding `file` with the bytes `make` returns for the current tip
    /// (called again when another writer appended first). Returns the new commit.
    pub(crate) fn append_record(
        &self,
        reference: &str,
        what: &'static str,
        file: &str,
        time: i64,
        make: &mut dyn FnMut(Option<ObjectId>) -> Result<(Vec<u8>, String), GitError>,
    ) -> Result<ObjectId, GitError> {
        let repo = self.local();
        let error = error(what);
        for _attempt in 0..20 {
            let previous = self.record_tip(reference, what)?;
            let (bytes, message) = make(previous)?;
            let blob = repo
                .write_blob(&bytes)
                .map_err(|e| error(e.to_string()))?
                .detach();
            let tree = gix::objs::Tree {
                entries: vec![gix::objs::tree::Entry {
                    mode: gix::objs::tree::EntryKind::Blob.into(),
                    filename: file.into(),
                    oid: blob,
                }],
            };
            let tree = repo
                .write_object(&tree)
                .map_err(|e| error(e.to_string()))?
                .detach();
            let signature = gix::actor::Signature {
                name: "custody".into(),
                email: "records@custody".into(),
                time: gix::date::Time::new(time, 0),
            };
            let mut time_buffer = gix::date::parse::TimeBuf::default();
            let signature = signature.to_ref(&mut time_buffer);
            match repo.commit_as(signature, signature, reference, message, tree, previous) {
                Ok(id) => return Ok(id.detach()),
                // Someone else appended in between: read the new tip and try again.
                Err(gix::commit::Error::ReferenceEdit(_)) => {}
                Err(e) => return Err(error(e.to_string())),
            }
        }
        Err(error(format!("{reference} kept changing; try again")))
    }
}

/// One record commit as read back.
pub(crate) struct Record {
    /// Its parents (one, except at the start of the chain).
    pub(crate) parents: Vec<ObjectId>,
    /// The bytes of its file, or why they cannot be read.
    pub(crate) file: Result<Vec<u8>, String>,
}

/// A record commit's parents and the bytes of its `file`.
pub(crate) fn read_record(objects: &Objects, id: ObjectId, file: &str) -> Result<Record, GitError> {
    let mut buffer = Vec::new();
    let data = objects.read_kind(&id, gix::object::Kind::Commit, &mut buffer)?;
    let commit =
        gix::objs::CommitRef::from_bytes(data, objects.hash).map_err(|e| object_error(id, e))?;
    let parents: Vec<ObjectId> = commit.parents().collect();
    let Some(blob) = crate::verify::blob_at(objects, commit.tree(), file)? else {
        return Ok(Record {
            parents,
            file: Err(format!("no {file} in record commit {id}")),
        });
    };
    Ok(Record {
        parents,
        file: Ok(crate::verify::read_blob(objects, blob)?),
    })
}
