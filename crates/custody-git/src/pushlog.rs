//! The push log: a signed record of every ref update the server accepted, kept in the
//! repository itself (`refs/custody/push-log`), so that history rewrites and rollbacks
//! can be detected after the fact and commit times can be taken from something the
//! signer does not control.
//!
//! Each accepted ref update is one commit on the log ref whose tree holds `entry.json`: a
//! DSSE envelope, signed with the server's log key, of `{ref, old, new, pusher, time,
//! sequence}`. The commits chain, so an entry cannot be removed from the middle without
//! rewriting every later one, and the log ref itself only ever fast-forwards.

use crate::history::Objects;
use crate::policy::Policy;
use crate::push::RefUpdate;
use crate::records::read_record;
use crate::verify::ancestry;
use crate::{GitError, Repo};
use custody_crypto::dsse::Envelope;
use custody_crypto::threshold::{Keyring, Threshold};
use custody_crypto::{PrivateKey, PublicKey};
use gix::ObjectId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
        let write_error = |detail: String| GitError::Read {
            what: "the push log",
            detail,
        };
        for update in updates {
            self.append_record(
                PUSH_LOG_REF,
                "the push log",
                ENTRY_FILE,
                time,
                &mut |previous| {
                    // The sequence continues from the entry the log ends with now.
                    let sequence = match previous {
                        Some(id) => {
                            let repo = self.local();
                            read_record(&self.objects(&repo)?, id, ENTRY_FILE)?
                                .file
                                .ok()
                                .and_then(|b| Envelope::from_json(&b).ok())
                                .and_then(|env| {
                                    serde_json::from_slice::<PushEntry>(env.payload_unverified())
                                        .ok()
                                })
                                .map_or(0, |e| e.sequence)
                                + 1
                        }
                        None => 1,
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
                    let payload =
                        serde_json::to_vec(&entry).map_err(|e| write_error(e.to_string()))?;
                    let mut envelope = Envelope::new(PAYLOAD_TYPE, payload);
                    envelope
                        .sign(key)
                        .map_err(|e| write_error(format!("signing: {e}")))?;
                    let mut bytes = envelope.to_json();
                    bytes.push(b'\n');
                    let message = format!(
                        "push {} {}..{}\n",
                        update.name,
                        crate::short_id(&update.old),
                        crate::short_id(&update.new)
                    );
                    Ok((bytes, message))
                },
            )?;
        }
        Ok(updates.len())
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
        let Some(tip) = self.record_tip(PUSH_LOG_REF, "the push log")? else {
            return Ok(None);
        };
        let repo = self.local();
        let objects = self.objects(&repo)?;
        let keyring = Keyring::new(log_keys.iter().cloned()).ok();
        let mut out = Vec::new();
        let mut at = Some(tip);
        while let Some(id) = at {
            let record = read_record(&objects, id, ENTRY_FILE)?;
            let parents = record.parents;
            let bytes = record.file;
            let entry = if parents.len() > 1 {
                Err("a push log commit with several parents".to_owned())
            } else {
                bytes.and_then(|b| {
                    let env =
                        Envelope::from_json(&b).map_err(|e| format!("not a DSSE envelope: {e}"))?;
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
                })
            };
            out.push(LoggedPush {
                commit: id.to_string(),
                entry,
            });
            at = parents.first().copied();
        }
        out.reverse();
        Ok(Some(out))
    }
}

/// What replaying the push log found.
#[derive(Debug, Clone, Default)]
pub struct PushLogSummary {
    /// Entries in the log.
    pub entries: usize,
    /// Entries that verified.
    pub verified: usize,
    /// Rewrites, rollbacks, gaps and entries that do not verify.
    pub problems: Vec<String>,
}

impl Repo {
    /// Check the push log against the trust root's log keys and the refs, and date every
    /// commit by the first accepted push that brought it.
    pub(crate) fn replay_push_log(
        &self,
        repo: &gix::Repository,
        objects: &Objects,
        policy: &Policy,
        reference: &str,
        current_tip: Option<ObjectId>,
    ) -> Result<(Option<PushLogSummary>, HashMap<ObjectId, i64>), GitError> {
        let mut times: HashMap<ObjectId, i64> = HashMap::new();
        let Some(log) = self.read_push_log(&policy.log_keys)? else {
            return Ok((None, times));
        };
        let _ = repo;
        let mut summary = PushLogSummary {
            entries: log.len(),
            ..PushLogSummary::default()
        };
        let mut last_new: HashMap<String, String> = HashMap::new();
        let mut expected_sequence = 1;
        for logged in &log {
            let entry = match &logged.entry {
                Ok(e) => e,
                Err(why) => {
                    summary.problems.push(format!(
                        "push log commit {}: {why}",
                        crate::short_id(&logged.commit)
                    ));
                    continue;
                }
            };
            summary.verified += 1;
            if entry.sequence != expected_sequence {
                summary.problems.push(format!(
                    "push log entry {} follows entry {}: entries are missing or reordered",
                    entry.sequence,
                    expected_sequence - 1
                ));
            }
            expected_sequence = entry.sequence + 1;
            if let Some(previous) = last_new.get(&entry.reference)
                && *previous != entry.old
            {
                summary.problems.push(format!(
                    "push log entry {}: {} moved from {} but the log last left it at {}: an update is missing from the log",
                    entry.sequence,
                    entry.reference,
                    crate::short_id(&entry.old),
                    crate::short_id(previous)
                ));
            }
            last_new.insert(entry.reference.clone(), entry.new.clone());
            if !crate::push::is_zero(&entry.old) && !crate::push::is_zero(&entry.new) {
                let old = ObjectId::from_hex(entry.old.as_bytes());
                let new = ObjectId::from_hex(entry.new.as_bytes());
                if let (Ok(old), Ok(new)) = (old, new)
                    && policy.requirements(&entry.reference).fast_forward_only
                    && !ancestry(objects, &[new])
                        .map(|a| a.iter().any(|(id, _)| *id == old))
                        .unwrap_or(false)
                {
                    summary.problems.push(format!(
                        "push log entry {}: a force push of {} ({} to {}) although the policy allows fast-forwards only",
                        entry.sequence,
                        entry.reference,
                        crate::short_id(&entry.old),
                        crate::short_id(&entry.new)
                    ));
                }
            }
            if !crate::push::is_zero(&entry.new)
                && let Ok(new) = ObjectId::from_hex(entry.new.as_bytes())
                && let Ok(when) = custody_core::time::parse_utc(&entry.time)
            {
                // Commits this push brought: reachable from its new tip, not dated yet.
                let mut stack = vec![new];
                let mut buffer = Vec::new();
                while let Some(id) = stack.pop() {
                    if times.contains_key(&id) {
                        continue;
                    }
                    let Ok(data) = objects.read_kind(&id, gix::object::Kind::Commit, &mut buffer)
                    else {
                        continue;
                    };
                    let parents: Vec<ObjectId> =
                        gix::objs::CommitRefIter::from_bytes(data, objects.hash)
                            .parent_ids()
                            .collect();
                    times.insert(id, when);
                    stack.extend(parents);
                }
            }
        }
        if let (Some(tip), Some(logged)) = (current_tip, last_new.get(reference))
            && tip.to_string() != *logged
        {
            summary.problems.push(format!(
                "{reference} is at {} but the push log last set it to {}: it was moved outside the hook (history rewritten or rolled back)",
                crate::short_id(&tip.to_string()),
                crate::short_id(logged)
            ));
        }
        Ok((Some(summary), times))
    }
}
