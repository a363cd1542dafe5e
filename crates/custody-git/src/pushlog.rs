//! The push log: a signed record of every ref update the server accepted, kept in the
//! repository itself (`refs/custody/push-log`), so that history rewrites and rollbacks
//! can be detected after the fact and commit times can be taken from something the
//! signer does not control.
//!
//! Each accepted ref update is one commit on the log ref whose tree holds `entry.json`: a
//! DSSE envelope, signed with the server's log key, of `{ref, old, new, pusher, time,
//! sequence}`. The commits chain, so an entry cannot be removed from the middle without
//! rewriting every later one, and the log ref itself only ever fast-forwards.

use crate::history::{Objects, object_error};
use crate::push::RefUpdate;
use crate::{GitError, Repo};
use custody_crypto::dsse::Envelope;
use custody_crypto::threshold::{Keyring, Threshold};
use custody_crypto::{PrivateKey, PublicKey};
use gix::ObjectId;
use serde::{Deserialize, Serialize};

/// The ref the log lives on.
pub const PUSH_LOG_REF: &str = "refs/custody/push-log";
/// The DSSE payload type of an entry.
pub const PAYLOAD_TYPE: &str = "application/vnd.custody.push-log+json";
const ENTRY_FILE: &str = "entry.json";
const ENTRY_TYPE: &str = "https://custody.dev/push-log/v1";

/// One accepted ref update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushEntry {
    /// Always [`ENTRY_TYPE`].
    #[serde(rename = "_type")]
    pub kind: String,
    /// The ref.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Its value before (all zeros: created).
    pub old: String,
    /// Its value after (all zeros: deleted).
    pub new: String,
    /// Who pushed, as the server knows them.
    pub pusher: String,
    /// When the server accepted it (`YYYY-MM-DDTHH:MM:SSZ`).
    pub time: String,
    /// Position in the log, from 1.
    pub sequence: u64,
}

/// An entry as read back: the commit holding it, the envelope, and the entry when the
/// envelope verified.
#[derive(Debug, Clone)]
pub struct LoggedPush {
    /// The log commit.
    pub commit: String,
    /// The entry, if the envelope is signed by a log key and parses.
    pub entry: Result<PushEntry, String>,
}

impl Repo {
    /// Append one signed entry per update to the push log (post-receive). The log ref is
    /// moved with a compare-and-swap, retried when another push appended first.
    ///
    /// # Errors
    /// [`GitError`] when objects or the ref cannot be written.
    pub fn append_push_log(
        &self,
        updates: &[RefUpdate],
        pusher: &str,
        time: i64,
        key: &PrivateKey,
    ) -> Result<usize, GitError> {
        let repo = self.local();
        let write_error = |detail: String| GitError::Read {
            what: "the push log",
            detail,
        };
        let mut appended = 0;
        for update in updates {
            for _attempt in 0..20 {
                let (previous, sequence) = match repo.try_find_reference(PUSH_LOG_REF) {
                    Ok(Some(mut r)) => {
                        let id = r
                            .peel_to_id()
                            .map_err(|e| write_error(e.to_string()))?
                            .detach();
                        let objects = self.objects(&repo)?;
                        let last = read_entry_commit(&objects, id)?;
                        let sequence = last
                            .1
                            .as_ref()
                            .ok()
                            .and_then(|env| {
                                serde_json::from_slice::<PushEntry>(env.payload_unverified()).ok()
                            })
                            .map_or(0, |e| e.sequence);
                        (Some(id), sequence + 1)
                    }
                    Ok(None) => (None, 1),
                    Err(e) => return Err(write_error(e.to_string())),
                };
                let entry = PushEntry {
                    kind: ENTRY_TYPE.into(),
                    reference: update.name.clone(),
                    old: update.old.clone(),
                    new: update.new.clone(),
                    pusher: pusher.to_owned(),
                    time: custody_core::time::format_utc(time),
                    sequence,
                };
                let payload = serde_json::to_vec(&entry).map_err(|e| write_error(e.to_string()))?;
                let mut envelope = Envelope::new(PAYLOAD_TYPE, payload);
                envelope
                    .sign(key)
                    .map_err(|e| write_error(format!("signing: {e}")))?;
                let mut bytes = envelope.to_json();
                bytes.push(b'\n');
                let blob = repo
                    .write_blob(&bytes)
                    .map_err(|e| write_error(e.to_string()))?
                    .detach();
                let tree = gix::objs::Tree {
                    entries: vec![gix::objs::tree::Entry {
                        mode: gix::objs::tree::EntryKind::Blob.into(),
                        filename: ENTRY_FILE.into(),
                        oid: blob,
                    }],
                };
                let tree = repo
                    .write_object(&tree)
                    .map_err(|e| write_error(e.to_string()))?
                    .detach();
                let signature = gix::actor::Signature {
                    name: "custody".into(),
                    email: "push-log@custody".into(),
                    time: gix::date::Time::new(time, 0),
                };
                let message = format!(
                    "push {} {}..{}\n",
                    update.name,
                    short(&update.old),
                    short(&update.new)
                );
                let mut time_buffer = gix::date::parse::TimeBuf::default();
                let signature = signature.to_ref(&mut time_buffer);
                match repo.commit_as(signature, signature, PUSH_LOG_REF, message, tree, previous) {
                    Ok(_) => {
                        appended += 1;
                        break;
                    }
                    // Someone else appended in between: read the new tip and try again.
                    Err(gix::commit::Error::ReferenceEdit(_)) => continue,
                    Err(e) => return Err(write_error(e.to_string())),
                }
            }
        }
        Ok(appended)
    }

    /// The push log, oldest entry first, each checked against `log_keys`; `None` when the
    /// repository has no log.
    ///
    /// # Errors
    /// [`GitError`] when the log's commits cannot be read.
    pub fn read_push_log(
        &self,
        log_keys: &[PublicKey],
    ) -> Result<Option<Vec<LoggedPush>>, GitError> {
        let repo = self.local();
        let tip = match repo.try_find_reference(PUSH_LOG_REF) {
            Ok(Some(mut r)) => r
                .peel_to_id()
                .map_err(|e| GitError::Read {
                    what: "the push log",
                    detail: e.to_string(),
                })?
                .detach(),
            Ok(None) => return Ok(None),
            Err(e) => {
                return Err(GitError::Read {
                    what: "the push log",
                    detail: e.to_string(),
                });
            }
        };
        let objects = self.objects(&repo)?;
        let keyring = Keyring::new(log_keys.iter().cloned()).ok();
        let mut out = Vec::new();
        let mut at = Some(tip);
        while let Some(id) = at {
            let (parent, envelope) = read_entry_commit(&objects, id)?;
            let entry = envelope.and_then(|env| {
                let keyring = keyring
                    .as_ref()
                    .ok_or_else(|| "the policy names no log key".to_owned())?;
                if env.payload_type() != PAYLOAD_TYPE {
                    return Err(format!("payload type {:?}", env.payload_type()));
                }
                let threshold = Threshold::new(1).map_err(|e| e.to_string())?;
                let verified = env
                    .verify(keyring, threshold)
                    .map_err(|e| format!("not signed by a log key: {e}"))?;
                let entry: PushEntry = serde_json::from_slice(&verified.get().bytes)
                    .map_err(|e| format!("not a push log entry: {e}"))?;
                if entry.kind != ENTRY_TYPE {
                    return Err(format!("entry type {:?}", entry.kind));
                }
                Ok(entry)
            });
            out.push(LoggedPush {
                commit: id.to_string(),
                entry,
            });
            at = parent;
        }
        out.reverse();
        Ok(Some(out))
    }
}

/// A log commit's parent and envelope (or why the envelope cannot be read).
fn read_entry_commit(
    objects: &Objects,
    id: ObjectId,
) -> Result<(Option<ObjectId>, Result<Envelope, String>), GitError> {
    let mut buffer = Vec::new();
    let data = objects.read_kind(&id, gix::object::Kind::Commit, &mut buffer)?;
    let commit =
        gix::objs::CommitRef::from_bytes(data, objects.hash).map_err(|e| object_error(id, e))?;
    let mut parents = commit.parents();
    let parent = parents.next();
    if parents.next().is_some() {
        return Ok((parent, Err("a push log commit with several parents".into())));
    }
    let tree = commit.tree();
    let mut tree_buffer = Vec::new();
    let tree_data = objects.read_kind(&tree, gix::object::Kind::Tree, &mut tree_buffer)?;
    let decoded = gix::objs::TreeRef::from_bytes(tree_data, objects.hash)
        .map_err(|e| object_error(tree, e))?;
    let Some(entry) = decoded
        .entries
        .iter()
        .find(|e| e.filename == ENTRY_FILE.as_bytes() && e.mode.is_blob())
    else {
        return Ok((parent, Err(format!("no {ENTRY_FILE} in the log commit"))));
    };
    let blob = entry.oid.to_owned();
    let mut blob_buffer = Vec::new();
    let bytes = objects.read_kind(&blob, gix::object::Kind::Blob, &mut blob_buffer)?;
    Ok((
        parent,
        Envelope::from_json(bytes).map_err(|e| format!("not a DSSE envelope: {e}")),
    ))
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}
