//! Signed approvals (SRC-7), kept in the repository on `refs/custody/attestations` so
//! that they travel with it to every clone.
//!
//! An approval is an in-toto Statement whose subject is the reviewed commit and whose
//! predicate names the reviewer, the commit's tree and its base (first parent), signed the
//! way the reviewer signs commits: an SSH signature with namespace `custody-approval`, or
//! an OpenPGP detached signature. Each approval is one commit on the attestations ref
//! holding `approval.json`: the statement bytes exactly as signed, and the signature.

use crate::history::Objects;
use crate::{GitError, Repo};
use base64::Engine as _;
use gix::ObjectId;
use serde::{Deserialize, Serialize};

/// The ref approvals live on.
pub const APPROVALS_REF: &str = "refs/custody/attestations";
/// The SSH signature namespace of approvals (never `git`: an approval is not a commit).
pub const SSH_NAMESPACE: &str = "custody-approval";
/// The predicate type of an approval statement.
pub const PREDICATE_TYPE: &str = "https://custody.dev/approval/v1";
const FILE: &str = "approval.json";

/// The SSH signature namespace of other statements about commits (attestations).
pub const ATTESTATION_NAMESPACE: &str = "custody-attestation";

/// A statement about a commit other than an approval (a scan passed, tests ran), as the
/// rules' `attestations` ask for by predicate type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitAttestation {
    /// The commit it is about.
    pub commit: String,
    /// What it says (the in-toto predicate type).
    pub predicate_type: String,
}

impl CommitAttestation {
    /// The statement bytes to sign, with `predicate` as given.
    #[must_use]
    pub fn statement(&self, predicate: &serde_json::Value) -> Vec<u8> {
        commit_statement(&self.commit, &self.predicate_type, predicate)
    }

    /// Read a statement back; `None` for approvals and anything that is not a statement
    /// about one commit.
    #[must_use]
    pub fn from_statement(bytes: &[u8]) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        let predicate_type = v["predicateType"].as_str()?;
        if predicate_type == PREDICATE_TYPE || v["_type"] != "https://in-toto.io/Statement/v1" {
            return None;
        }
        Some(Self {
            commit: single_commit_subject(&v)?.to_owned(),
            predicate_type: predicate_type.to_owned(),
        })
    }
}

/// An in-toto Statement about one git commit, as the bytes to sign.
fn commit_statement(commit: &str, predicate_type: &str, predicate: &serde_json::Value) -> Vec<u8> {
    let value = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "git-commit", "digest": {"gitCommit": commit}}],
        "predicateType": predicate_type,
        "predicate": predicate,
    });
    let mut bytes = serde_json::to_vec_pretty(&value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The commit a statement is about, when it has exactly one subject naming one.
fn single_commit_subject(statement: &serde_json::Value) -> Option<&str> {
    let [subject] = statement["subject"].as_array()?.as_slice() else {
        return None;
    };
    subject["digest"]["gitCommit"].as_str()
}

/// What the reviewer says they approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The reviewed commit.
    pub commit: String,
    /// Its tree.
    pub tree: String,
    /// Its first parent (empty for a root commit).
    pub base: String,
    /// The reviewer's name as they state it (who they are is decided by the signature).
    pub reviewer: String,
    /// When they approved (as they state it).
    pub time: String,
}

impl Approval {
    /// The statement bytes to sign.
    #[must_use]
    pub fn statement(&self) -> Vec<u8> {
        let predicate = serde_json::json!({
            "reviewer": self.reviewer,
            "tree": self.tree,
            "base": self.base,
            "time": self.time,
        });
        commit_statement(&self.commit, PREDICATE_TYPE, &predicate)
    }

    /// Read a statement back; `None` when it is not an approval.
    #[must_use]
    pub fn from_statement(bytes: &[u8]) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        if v["predicateType"] != PREDICATE_TYPE {
            return None;
        }
        let text = |x: &serde_json::Value| x.as_str().map(str::to_owned);
        Some(Self {
            commit: single_commit_subject(&v)?.to_owned(),
            tree: text(&v["predicate"]["tree"])?,
            base: text(&v["predicate"]["base"])?,
            reviewer: text(&v["predicate"]["reviewer"])?,
            time: text(&v["predicate"]["time"])?,
        })
    }
}

/// How an approval is stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    /// Base64 of the statement bytes exactly as signed.
    statement: String,
    /// The armored signature (SSH or OpenPGP).
    signature: String,
}

/// An approval as read from the repository: not verified yet.
#[derive(Debug, Clone)]
pub struct StoredApproval {
    /// The statement bytes.
    pub statement: Vec<u8>,
    /// The armored signature over them.
    pub signature: Vec<u8>,
}

impl Repo {
    /// Record a signed approval on [`APPROVALS_REF`].
    ///
    /// # Errors
    /// [`GitError`] when objects or the ref cannot be written.
    pub fn record_approval(
        &self,
        statement: &[u8],
        signature: &[u8],
        time: i64,
    ) -> Result<String, GitError> {
        let stored = Stored {
            statement: base64::engine::general_purpose::STANDARD.encode(statement),
            signature: String::from_utf8_lossy(signature).into_owned(),
        };
        let mut bytes = serde_json::to_vec_pretty(&stored).map_err(|e| GitError::Read {
            what: "the approvals ref",
            detail: e.to_string(),
        })?;
        bytes.push(b'\n');
        let id = self.append_record(APPROVALS_REF, "the approvals ref", FILE, time, &mut |_| {
            Ok((bytes.clone(), "approval\n".to_owned()))
        })?;
        Ok(id.to_string())
    }

    /// Every approval on [`APPROVALS_REF`] (none when the ref does not exist), with
    /// the ones that cannot be read as errors.
    ///
    /// # Errors
    /// [`GitError`] when the ref cannot be read.
    pub fn read_approvals(&self) -> Result<(Vec<StoredApproval>, Vec<String>), GitError> {
        match self.record_tip(APPROVALS_REF, "the approvals ref")? {
            Some(tip) => {
                let repo = self.local();
                read_chain(&self.objects(&repo)?, tip)
            }
            None => Ok((Vec::new(), Vec::new())),
        }
    }
}

impl Repo {
    /// As [`Repo::read_approvals`], from a given commit of the chain (hex id; one a push
    /// is bringing may still be in quarantine).
    ///
    /// # Errors
    /// [`GitError`] when the commit cannot be read.
    pub fn read_approvals_at(
        &self,
        tip: &str,
    ) -> Result<(Vec<StoredApproval>, Vec<String>), GitError> {
        let repo = self.local();
        let objects = self.objects(&repo)?;
        let id = ObjectId::from_hex(tip.as_bytes()).map_err(|e| GitError::Revision {
            spec: tip.to_owned(),
            detail: e.to_string(),
        })?;
        read_chain(&objects, id)
    }
}

fn read_chain(
    objects: &Objects,
    tip: ObjectId,
) -> Result<(Vec<StoredApproval>, Vec<String>), GitError> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![tip];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let record = crate::records::read_record(objects, id, FILE)?;
        stack.extend(record.parents);
        let bytes = match record.file {
            Ok(b) => b,
            Err(why) => {
                problems.push(why);
                continue;
            }
        };
        match serde_json::from_slice::<Stored>(&bytes).ok().and_then(|s| {
            base64::engine::general_purpose::STANDARD
                .decode(s.statement.as_bytes())
                .ok()
                .map(|statement| StoredApproval {
                    statement,
                    signature: s.signature.into_bytes(),
                })
        }) {
            Some(a) => out.push(a),
            None => problems.push(format!("approval commit {id}: {FILE} cannot be read")),
        }
    }
    Ok((out, problems))
}
