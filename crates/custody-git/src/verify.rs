//! `custody source verify`: every commit of a ref's history, judged by the policy in
//! force at its parent (SRC-1, SRC-2, SRC-6, SRC-11).
//!
//! The chain starts at a trust root: a commit whose policy the verifier accepts as
//! given. From there each commit inherits its parent's policy; a commit that changes the
//! policy file only passes it on when enough Owners of the *old* policy signed it, so a
//! policy cannot be rewritten by someone it does not trust. Commits on the ref's
//! first-parent line must be signed by people the ref's rules let write; commits merged in
//! from other lines must carry a valid signature of someone with write access (SRC-2).

use crate::approvals::{Approval, StoredApproval};
use crate::history::{Objects, object_error, parents_first, read_error, revision};
use crate::policy::{KeyMaterial, POLICY_PATH, Person, PersonKey, Policy, PolicyError};
use crate::pushlog::PushLogSummary;
use crate::review::{approvals_violation, changed_paths, counted_approvers};
use crate::{GitError, Repo};
use custody_crypto::checked::CheckedSignatures;
use custody_crypto::openpgp::DetachedSignature;
use custody_crypto::sshsig::SshSignature;
use gix::ObjectId;
use gix::bstr::ByteSlice as _;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What to verify.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// The ref whose rules apply (`refs/heads/main`); `None`: the branch `HEAD` is on.
    pub reference: Option<String>,
    /// Report only commits reachable from the end of `A..B` and not from `A`; the chain
    /// of policies is still followed from the trust root.
    pub range: Option<String>,
    /// The commit whose policy is trusted as given; `None`: the commit that added the
    /// policy (reported as not pinned).
    pub trust_root: Option<String>,
    /// Verify this commit as the ref's tip instead of the ref's current value (what a
    /// push proposes).
    pub tip: Option<String>,
    /// Do not report commits reachable from these (what the repository already has).
    pub exclude: Vec<String>,
    /// The time to judge keys at for reported commits the push log does not date (a
    /// pre-receive hook passes the time of the push).
    pub push_time: Option<i64>,
    /// Anchor the chain with a key instead of a commit: the first commit with a policy is
    /// trusted only when it is signed by this key (an `SHA256:…` SSH fingerprint or an
    /// OpenPGP fingerprint) of an Owner of that policy.
    pub trust_key: Option<String>,
    /// Read approvals from this commit of the approvals chain instead of the ref (a push
    /// that carries new approvals along with the commits they approve).
    pub approvals_tip: Option<String>,
}

/// One way a commit breaks the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// No signature where the rules require one.
    Unsigned,
    /// A signature custody cannot check (X.509, unknown formats): never accepted.
    UnsupportedSignature(String),
    /// Signed by a key the policy does not list.
    UnknownKey(String),
    /// The signature does not verify (wrong data, wrong namespace, broken).
    BadSignature(String),
    /// The key's validity (from the policy or the certificate) excludes the time.
    KeyNotValid(String),
    /// The signer may not write to this ref.
    NotAuthorised {
        /// Who signed.
        person: String,
        /// Their role.
        role: String,
        /// The ref.
        reference: String,
    },
    /// The committer identity is not the key holder's.
    CommitterMismatch {
        /// The commit's committer email.
        committer: String,
        /// Who holds the key.
        person: String,
    },
    /// The commit changes the policy without enough Owner signatures of the old one.
    PolicyChangeNotAuthorised(String),
    /// The new policy cannot be read; the old one stays in force.
    PolicyInvalid(String),
    /// No verified policy is in force at any parent (history merged from before the
    /// trust root).
    NoPolicy,
    /// The commit object itself cannot be read.
    Unreadable(String),
    /// Fewer independent approvals than the ref's rules require (SRC-7).
    Approvals(String),
    /// Changed paths without an approval from their code owners (SRC-4).
    CodeOwners(String),
    /// A statement the ref's rules require (a passing scan, say) is missing.
    MissingAttestation(String),
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Violation::Unsigned => f.write_str("not signed, and the rules require signed commits"),
            Violation::UnsupportedSignature(what) => {
                write!(f, "signature of an unsupported kind ({what}); not accepted")
            }
            Violation::UnknownKey(key) => {
                write!(f, "signed by {key}, which the policy does not list")
            }
            Violation::BadSignature(why) => write!(f, "signature does not verify: {why}"),
            Violation::KeyNotValid(why) => write!(f, "key not valid: {why}"),
            Violation::NotAuthorised {
                person,
                role,
                reference,
            } => write!(f, "{person} ({role}) may not write to {reference}"),
            Violation::CommitterMismatch { committer, person } => write!(
                f,
                "committer {committer} is not an address of {person}, who holds the signing key"
            ),
            Violation::PolicyChangeNotAuthorised(why) => {
                write!(f, "changes {POLICY_PATH} without authority: {why}")
            }
            Violation::PolicyInvalid(why) => {
                write!(f, "changes {POLICY_PATH} to an invalid policy: {why}")
            }
            Violation::NoPolicy => f.write_str(
                "no verified policy at its parents (history from before the trust root)",
            ),
            Violation::Unreadable(why) => write!(f, "commit cannot be read: {why}"),
            Violation::Approvals(why) => write!(f, "not approved: {why}"),
            Violation::CodeOwners(why) => write!(f, "code owners: {why}"),
            Violation::MissingAttestation(why) => write!(f, "attestations: {why}"),
        }
    }
}

/// The verdict on one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitVerdict {
    /// Hex id.
    pub id: String,
    /// First line of the message.
    pub summary: String,
    /// `Name <email>` of the committer.
    pub committer: String,
    /// Committer time (Unix seconds; set by the committer).
    pub time: i64,
    /// When the server first accepted it, from the push log (or the push being checked);
    /// keys are judged at this time when there is one.
    pub pushed: Option<i64>,
    /// Who signed it, when the signature verified: person name and key fingerprint.
    pub signer: Option<(String, String)>,
    /// On the ref's first-parent line (pushed to the ref) rather than merged in.
    pub on_ref: bool,
    /// Number of parents (two or more: a merge).
    pub parents: usize,
    /// Whether it changed the policy (and the change took effect when no violation).
    pub changes_policy: bool,
    /// Everything wrong with it.
    pub violations: Vec<Violation>,
}

/// The result of a verification.
#[derive(Debug, Clone)]
pub struct SourceReport {
    /// The ref whose rules applied.
    pub reference: String,
    /// The tip verified.
    pub tip: String,
    /// The trust root.
    pub trust_root: String,
    /// Whether the verifier named the trust root (otherwise: the commit that added the
    /// policy, trusted on first use).
    pub trust_root_pinned: bool,
    /// Rule patterns that matched the ref under the trust root's policy.
    pub matched_rules: Vec<String>,
    /// Every commit reported, oldest first.
    pub commits: Vec<CommitVerdict>,
    /// The push log, when the repository has one.
    pub push_log: Option<PushLogSummary>,
    /// What the policy the tip passes on requires of the ref (for push-time checks:
    /// fast-forward only, who may write).
    pub tip_requirements: crate::policy::RefRequirements,
}

impl SourceReport {
    /// Commits with at least one violation, plus problems of the push log.
    #[must_use]
    pub fn violations(&self) -> usize {
        self.commits
            .iter()
            .filter(|c| !c.violations.is_empty())
            .count()
            + self.push_log.as_ref().map_or(0, |l| l.problems.len())
    }
}

/// A policy in force, and the blob it came from (a commit that leaves the blob alone
/// keeps it without parsing it again).
#[derive(Debug)]
struct InForce {
    policy: Policy,
    blob: ObjectId,
}

/// What the commit object says.
pub(crate) struct ParsedCommit {
    pub(crate) tree: ObjectId,
    pub(crate) parents: Vec<ObjectId>,
    pub(crate) author_email: String,
    pub(crate) committer_name: String,
    pub(crate) committer_email: String,
    pub(crate) time: i64,
    pub(crate) summary: String,
    pub(crate) signature: Option<(Vec<u8>, Vec<u8>)>,
}

pub(crate) fn parse_commit(objects: &Objects, id: ObjectId) -> Result<ParsedCommit, GitError> {
    let mut buffer = Vec::new();
    let data = objects.read_kind(&id, gix::object::Kind::Commit, &mut buffer)?;
    let decoded =
        gix::objs::CommitRef::from_bytes(data, objects.hash).map_err(|e| object_error(id, e))?;
    let committer = decoded.committer().map_err(|e| object_error(id, e))?;
    let time = committer.time().map(|t| t.seconds).unwrap_or(0);
    let signature = gix::objs::CommitRefIter::signature(data, objects.hash)
        .map_err(|e| object_error(id, e))?
        .map(|(sig, signed)| (sig.to_vec(), signed.to_bstring().to_vec()));
    let author_email = decoded
        .author()
        .map(|a| a.email.to_str_lossy().into_owned())
        .unwrap_or_default();
    Ok(ParsedCommit {
        tree: decoded.tree(),
        parents: decoded.parents().collect(),
        author_email,
        committer_name: committer.name.to_str_lossy().into_owned(),
        committer_email: committer.email.to_str_lossy().into_owned(),
        time,
        summary: decoded.message().summary().to_str_lossy().into_owned(),
        signature,
    })
}

/// The blob at `path` (`/`-separated) in `tree`, if there is one.
pub(crate) fn blob_at(
    objects: &Objects,
    tree: ObjectId,
    path: &str,
) -> Result<Option<ObjectId>, GitError> {
    let mut current = tree;
    let parts: Vec<&str> = path.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let mut buffer = Vec::new();
        let data = objects.read_kind(&current, gix::object::Kind::Tree, &mut buffer)?;
        let decoded = gix::objs::TreeRef::from_bytes(data, objects.hash)
            .map_err(|e| object_error(current, e))?;
        let Some(entry) = decoded
            .entries
            .iter()
            .find(|e| e.filename == part.as_bytes())
        else {
            return Ok(None);
        };
        let last = i + 1 == parts.len();
        match (last, entry.mode.is_tree(), entry.mode.is_blob()) {
            (false, true, _) | (true, _, true) => current = entry.oid.to_owned(),
            _ => return Ok(None),
        }
    }
    Ok(Some(current))
}

pub(crate) fn read_blob(objects: &Objects, id: ObjectId) -> Result<Vec<u8>, GitError> {
    let mut buffer = Vec::new();
    Ok(objects
        .read_kind(&id, gix::object::Kind::Blob, &mut buffer)?
        .to_vec())
}

/// Parse the policy in `tree` (its key files from the same tree).
fn policy_in(
    objects: &Objects,
    tree: ObjectId,
    commit: ObjectId,
) -> Result<Option<InForce>, String> {
    let Some(blob) = blob_at(objects, tree, POLICY_PATH).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let text = read_blob(objects, blob).map_err(|e| e.to_string())?;
    let text = String::from_utf8(text).map_err(|_| format!("{POLICY_PATH} is not UTF-8"))?;
    let read_key = |relative: &str| -> Result<Vec<u8>, String> {
        let path = format!(".custody/{relative}");
        match blob_at(objects, tree, &path).map_err(|e| e.to_string())? {
            Some(id) => read_blob(objects, id).map_err(|e| e.to_string()),
            None => Err("not in the commit".into()),
        }
    };
    let policy = Policy::parse(&format!("{POLICY_PATH} at {commit}"), &text, &read_key)
        .map_err(|PolicyError { path: _, detail }| detail)?;
    Ok(Some(InForce { policy, blob }))
}

/// Who signed, as far as the signature proves it.
pub(crate) struct Signer<'p> {
    pub(crate) person: &'p Person,
    pub(crate) key: &'p PersonKey,
}

/// Check a commit's signature against a policy: the signer, or why there is none.
pub(crate) fn check_signature<'p>(
    policy: &'p Policy,
    signature: &[u8],
    signed: &[u8],
    time: i64,
    memo: Option<&CheckedSignatures>,
) -> Result<Signer<'p>, Violation> {
    signer_remembering(policy, signature, signed, "git", time, memo)
}

/// Who made `signature` over `signed`, among the policy's people: SSH signatures for
/// `namespace`, OpenPGP signatures with the key valid at `time`.
pub(crate) fn signer_of<'p>(
    policy: &'p Policy,
    signature: &[u8],
    signed: &[u8],
    namespace: &str,
    time: i64,
) -> Result<Signer<'p>, Violation> {
    signer_remembering(policy, signature, signed, namespace, time, None)
}

/// As [`signer_of`], with the signature arithmetic looked up in, and added to, `memo`.
fn signer_remembering<'p>(
    policy: &'p Policy,
    signature: &[u8],
    signed: &[u8],
    namespace: &str,
    time: i64,
    memo: Option<&CheckedSignatures>,
) -> Result<Signer<'p>, Violation> {
    let text = String::from_utf8_lossy(signature);
    let start = text.trim_start();
    if start.starts_with("-----BEGIN SSH SIGNATURE-----") {
        let sig = SshSignature::from_armored(signature)
            .map_err(|e| Violation::BadSignature(e.to_string()))?;
        let fingerprint = sig.claimed_signer().fingerprint();
        let (person, key) = policy
            .key_holder(&fingerprint)
            .ok_or(Violation::UnknownKey(fingerprint))?;
        let KeyMaterial::Ssh(public) = &key.material else {
            return Err(Violation::BadSignature("key type mismatch".into()));
        };
        sig.verify_remembering(public, namespace, signed, memo)
            .map_err(|e| Violation::BadSignature(e.to_string()))?;
        Ok(Signer { person, key })
    } else if start.starts_with("-----BEGIN PGP SIGNATURE-----") {
        let sig = DetachedSignature::parse(signature)
            .map_err(|e| Violation::BadSignature(e.to_string()))?;
        let (person, key, cert) = policy
            .openpgp_keys()
            .find(|(_, _, cert)| sig.names_key_of(cert))
            .ok_or_else(|| Violation::UnknownKey(format!("OpenPGP key {}", sig.issuer())))?;
        sig.verify_remembering(cert, signed, Some(time), memo)
            .map_err(|e| match e {
                custody_crypto::openpgp::PgpError::KeyNotValid { .. } => {
                    Violation::KeyNotValid(e.to_string())
                }
                other => Violation::BadSignature(other.to_string()),
            })?;
        Ok(Signer { person, key })
    } else if start.starts_with("-----BEGIN SIGNED MESSAGE-----") {
        Err(Violation::UnsupportedSignature("X.509 (gpgsm)".into()))
    } else {
        Err(Violation::UnsupportedSignature(
            "unrecognised format".into(),
        ))
    }
}

/// The policy's own limits on a key at `time`: its validity period and the maximum age.
pub(crate) fn key_period_violation(
    key: &PersonKey,
    time: i64,
    max_age: Option<i64>,
) -> Option<Violation> {
    let fpr = key.material.fingerprint();
    if let Some(from) = key.valid_from
        && time < from
    {
        return Some(Violation::KeyNotValid(format!(
            "{fpr} is valid from {} on, the commit is from {}",
            custody_core::time::format_utc(from),
            custody_core::time::format_utc(time)
        )));
    }
    if let Some(until) = key.valid_until
        && time >= until
    {
        return Some(Violation::KeyNotValid(format!(
            "{fpr} expired at {}, the commit is from {}",
            custody_core::time::format_utc(until),
            custody_core::time::format_utc(time)
        )));
    }
    if let Some(max) = max_age {
        let born = key.valid_from.or(match &key.material {
            KeyMaterial::OpenPgp(cert) => Some(cert.created()),
            KeyMaterial::Ssh(_) => None,
        });
        match born {
            None => {
                return Some(Violation::KeyNotValid(format!(
                    "{fpr} has no valid_from, so its age (max_key_age) cannot be checked"
                )));
            }
            Some(born) if time - born > max => {
                return Some(Violation::KeyNotValid(format!(
                    "{fpr} is older than max_key_age ({} days) at the commit",
                    max / 86_400
                )));
            }
            Some(_) => {}
        }
    }
    None
}

/// A commit named by a full hex id (read through `objects`, so a pushed commit still in
/// quarantine resolves) or by any revision git understands.
pub(crate) fn resolve(
    repo: &gix::Repository,
    objects: &Objects,
    spec: &str,
) -> Result<ObjectId, GitError> {
    if spec.len() == objects.hash.len_in_hex()
        && let Ok(id) = ObjectId::from_hex(spec.as_bytes())
    {
        let mut buffer = Vec::new();
        objects
            .read_kind(&id, gix::object::Kind::Commit, &mut buffer)
            .map_err(|e| GitError::Revision {
                spec: spec.to_owned(),
                detail: e.to_string(),
            })?;
        return Ok(id);
    }
    revision(repo, spec)
}

/// Every commit reachable from `tips`, with its parents. A commit that cannot be read is
/// an error: history with holes cannot be verified.
pub(crate) fn ancestry(
    objects: &Objects,
    tips: &[ObjectId],
) -> Result<Vec<(ObjectId, Vec<ObjectId>)>, GitError> {
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<ObjectId> = tips.to_vec();
    let mut out = Vec::new();
    let mut buffer = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let data = objects.read_kind(&id, gix::object::Kind::Commit, &mut buffer)?;
        let parents: Vec<ObjectId> = gix::objs::CommitRefIter::from_bytes(data, objects.hash)
            .parent_ids()
            .collect();
        stack.extend(parents.iter().copied());
        out.push((id, parents));
    }
    Ok(out)
}

/// The first commit (parents first) of the walk whose tree holds the policy while its
/// parents' do not.
fn first_policy_commit(
    objects: &Objects,
    commits: &[(ObjectId, Vec<ObjectId>)],
    order: &[usize],
) -> Result<Option<ObjectId>, GitError> {
    let mut has_policy: HashMap<ObjectId, bool> = HashMap::new();
    for &i in order {
        let (id, parents) = &commits[i];
        let commit = parse_commit(objects, *id)?;
        let here = blob_at(objects, commit.tree, POLICY_PATH)?.is_some();
        has_policy.insert(*id, here);
        if here
            && !parents
                .iter()
                .any(|p| has_policy.get(p).copied().unwrap_or(false))
        {
            return Ok(Some(*id));
        }
    }
    Ok(None)
}

impl Repo {
    /// Verify a ref's history against the policy chain (see the module documentation).
    ///
    /// # Errors
    /// [`GitError`] when the repository, the revisions or the trust root's policy cannot
    /// be read: nothing could be verified. Violations are in the report.
    pub fn verify_source(&self, options: &VerifyOptions) -> Result<SourceReport, GitError> {
        let repo = self.local();
        let objects = self.objects(&repo)?;
        let reference = match &options.reference {
            Some(r) if r.starts_with("refs/") => r.clone(),
            Some(r) => match repo.find_reference(r.as_str()) {
                Ok(found) => found.name().as_bstr().to_str_lossy().into_owned(),
                Err(_) => format!("refs/heads/{r}"),
            },
            None => repo
                .head_name()
                .map_err(|e| read_error("HEAD")(e.to_string()))?
                .map(|n| n.as_bstr().to_str_lossy().into_owned())
                .ok_or_else(|| GitError::Revision {
                    spec: "HEAD".into(),
                    detail: "HEAD is detached; name the ref with --ref".into(),
                })?,
        };
        let (tip_spec, hidden_spec) = match (&options.tip, &options.range) {
            (Some(tip), _) => (tip.clone(), None),
            (None, Some(range)) => match range.split_once("..") {
                Some((from, to)) => (
                    if to.is_empty() {
                        reference.clone()
                    } else {
                        to.to_owned()
                    },
                    Some(from.to_owned()),
                ),
                None => (range.clone(), None),
            },
            (None, None) => (reference.clone(), None),
        };
        let tip = resolve(&repo, &objects, &tip_spec)?;

        // Every commit from the tip back to the roots. Read through `objects`, which also
        // sees a push's quarantined commits.
        let commits = ancestry(&objects, &[tip])?;
        let order = parents_first(&commits);

        let (trust_root, mut pinned) = match &options.trust_root {
            Some(spec) => (resolve(&repo, &objects, spec)?, true),
            None => match first_policy_commit(&objects, &commits, &order)? {
                Some(id) => (id, false),
                None => {
                    return Err(GitError::Revision {
                        spec: tip_spec,
                        detail: format!(
                            "no commit in its history has {POLICY_PATH} (create one with `custody source init`)"
                        ),
                    });
                }
            },
        };
        if !commits.iter().any(|(id, _)| *id == trust_root) {
            return Err(GitError::Revision {
                spec: trust_root.to_string(),
                detail: format!("the trust root is not in the history of {tip_spec}"),
            });
        }
        let root_commit = parse_commit(&objects, trust_root)?;
        let root_policy = policy_in(&objects, root_commit.tree, trust_root)
            .map_err(|detail| GitError::Object {
                id: trust_root.to_string(),
                detail,
            })?
            .ok_or_else(|| GitError::Object {
                id: trust_root.to_string(),
                detail: format!("the trust root has no {POLICY_PATH}"),
            })?;
        if let Some(key) = &options.trust_key {
            let refuse = |detail: String| GitError::Object {
                id: trust_root.to_string(),
                detail,
            };
            let Some((sig, signed)) = &root_commit.signature else {
                return Err(refuse(format!(
                    "the trust root is not signed, so it cannot be anchored to key {key}"
                )));
            };
            let signer = check_signature(&root_policy.policy, sig, signed, root_commit.time, None)
                .map_err(|v| refuse(format!("the trust root's signature: {v}")))?;
            let fingerprint = signer.key.material.fingerprint();
            let same = if key.starts_with("SHA256:") {
                fingerprint == *key
            } else {
                fingerprint.eq_ignore_ascii_case(&key.replace(' ', ""))
            };
            if !same {
                return Err(refuse(format!(
                    "the trust root is signed by {fingerprint}, not by the trust key {key}"
                )));
            }
            if signer.person.role != crate::policy::Role::Owner {
                return Err(refuse(format!(
                    "the trust key belongs to {} ({}), not to an Owner of the policy it signs",
                    signer.person.name, signer.person.role
                )));
            }
            pinned = true;
        }
        let matched_rules = root_policy.policy.requirements(&reference).matched;
        let current_tip = if options.tip.is_none() {
            Some(tip)
        } else {
            None
        };
        let (push_log, push_times) = self.replay_push_log(
            &repo,
            &objects,
            &root_policy.policy,
            &reference,
            current_tip,
        )?;

        // The trust root and its descendants carry policies; its ancestors are history
        // the policy does not speak about.
        let mut ancestors_of_root: HashSet<ObjectId> = HashSet::new();
        {
            let mut stack = vec![trust_root];
            let parents: HashMap<ObjectId, &Vec<ObjectId>> =
                commits.iter().map(|(id, p)| (*id, p)).collect();
            while let Some(id) = stack.pop() {
                if ancestors_of_root.insert(id)
                    && let Some(ps) = parents.get(&id)
                {
                    stack.extend(ps.iter().copied());
                }
            }
        }
        let first_parent_line: HashSet<ObjectId> = {
            let firsts: HashMap<ObjectId, Option<ObjectId>> = commits
                .iter()
                .map(|(id, p)| (*id, p.first().copied()))
                .collect();
            let mut line = HashSet::new();
            let mut at = Some(tip);
            while let Some(id) = at {
                if !line.insert(id) {
                    break;
                }
                at = firsts.get(&id).copied().flatten();
            }
            line
        };
        let mut hidden: Vec<ObjectId> = Vec::new();
        if let Some(from) = &hidden_spec {
            hidden.push(resolve(&repo, &objects, from)?);
        }
        for spec in &options.exclude {
            hidden.push(resolve(&repo, &objects, spec)?);
        }
        let reported: Option<HashSet<ObjectId>> = if hidden.is_empty() {
            None
        } else {
            let known: HashSet<ObjectId> = ancestry(&objects, &hidden)?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            Some(
                commits
                    .iter()
                    .map(|(id, _)| *id)
                    .filter(|id| !known.contains(id))
                    .collect(),
            )
        };
        let (stored_approvals, _unreadable) = match &options.approvals_tip {
            Some(tip) => self.read_approvals_at(tip)?,
            None => self.read_approvals()?,
        };
        let attestations: Vec<(crate::approvals::CommitAttestation, StoredApproval)> =
            stored_approvals
                .iter()
                .filter_map(|s| {
                    crate::approvals::CommitAttestation::from_statement(&s.statement)
                        .map(|a| (a, s.clone()))
                })
                .collect();
        let approvals: Vec<(Approval, StoredApproval)> = stored_approvals
            .into_iter()
            .filter_map(|s| Approval::from_statement(&s.statement).map(|a| (a, s)))
            .collect();
        // The signature arithmetic, ahead and on every core. Which key made which signature
        // does not depend on the policy, so the walk below, which decides in order what
        // the policy in force makes of it, finds it done.
        let checked = CheckedSignatures::new();
        let mut blobs_ahead: HashMap<ObjectId, Option<ObjectId>> = HashMap::new();
        {
            let ahead: Vec<ObjectId> = order
                .iter()
                .map(|&i| commits[i].0)
                .filter(|id| {
                    !ancestors_of_root.contains(id)
                        && reported.as_ref().is_none_or(|r| r.contains(id))
                })
                .collect();
            if ahead.len() >= CHECK_AHEAD_FROM {
                // The keys a commit may be signed with are, nearly always, in the policy of
                // the trust root or of the tip.
                let tip_policy = parse_commit(&objects, tip)
                    .ok()
                    .and_then(|c| policy_in(&objects, c.tree, tip).ok().flatten())
                    .filter(|p| p.blob != root_policy.blob);
                let mut candidates = vec![&root_policy.policy];
                candidates.extend(tip_policy.as_ref().map(|p| &p.policy));
                blobs_ahead = self.check_signatures_ahead(&ahead, &candidates, &checked);
            }
        }
        let mut policy_blobs: HashMap<ObjectId, Option<ObjectId>> = HashMap::new();
        policy_blobs.insert(trust_root, Some(root_policy.blob));
        let mut in_force: HashMap<ObjectId, Arc<InForce>> = HashMap::new();
        in_force.insert(trust_root, Arc::new(root_policy));
        let mut verdicts = Vec::new();
        for &i in &order {
            let (id, parents) = &commits[i];
            let id = *id;
            if ancestors_of_root.contains(&id) {
                continue;
            }
            let on_ref = first_parent_line.contains(&id);
            let is_reported = reported.as_ref().is_none_or(|r| r.contains(&id));
            if !is_reported
                && let Some(parent) = parents.first().and_then(|p| in_force.get(p)).cloned()
            {
                // History the caller does not ask about matters only where it changes
                // the policy; elsewhere the policy passes through unchecked.
                let tree = parse_commit(&objects, id).map(|c| c.tree);
                if let Ok(tree) = tree
                    && let Ok(blob) = blob_at(&objects, tree, POLICY_PATH)
                    && blob == Some(parent.blob)
                {
                    policy_blobs.insert(id, blob);
                    in_force.insert(id, parent);
                    continue;
                }
            }
            let parent_policy = parents
                .first()
                .and_then(|p| in_force.get(p))
                .or_else(|| parents.iter().find_map(|p| in_force.get(p)))
                .cloned();
            let mut verdict = CommitVerdict {
                id: id.to_string(),
                summary: String::new(),
                committer: String::new(),
                time: 0,
                pushed: None,
                signer: None,
                on_ref,
                parents: parents.len(),
                changes_policy: false,
                violations: Vec::new(),
            };
            let commit = match parse_commit(&objects, id) {
                Ok(c) => c,
                Err(e) => {
                    verdict
                        .violations
                        .push(Violation::Unreadable(e.to_string()));
                    verdicts.push(verdict);
                    continue;
                }
            };
            verdict.summary.clone_from(&commit.summary);
            verdict.committer = format!("{} <{}>", commit.committer_name, commit.committer_email);
            verdict.time = commit.time;
            verdict.pushed =
                push_times
                    .get(&id)
                    .copied()
                    .or(if is_reported { options.push_time } else { None });
            let judged_at = verdict.pushed.unwrap_or(commit.time);
            let Some(parent_policy) = parent_policy else {
                verdict.violations.push(Violation::NoPolicy);
                verdicts.push(verdict);
                continue;
            };
            let policy = &parent_policy.policy;
            let requirements = policy.requirements(&reference);
            let signer = match &commit.signature {
                None => {
                    if requirements.signed {
                        verdict.violations.push(Violation::Unsigned);
                    }
                    None
                }
                Some((sig, signed)) => {
                    match check_signature(policy, sig, signed, judged_at, Some(&checked)) {
                        Ok(s) => Some(s),
                        Err(v) => {
                            verdict.violations.push(v);
                            None
                        }
                    }
                }
            };
            if let Some(signer) = &signer {
                verdict.signer = Some((
                    signer.person.name.clone(),
                    signer.key.material.fingerprint(),
                ));
                if let Some(v) =
                    key_period_violation(signer.key, judged_at, requirements.max_key_age)
                {
                    verdict.violations.push(v);
                }
                let allowed = if on_ref {
                    requirements.writers.contains(&signer.person.role)
                } else {
                    signer.person.role.has_write_access()
                };
                if !allowed {
                    verdict.violations.push(Violation::NotAuthorised {
                        person: signer.person.name.clone(),
                        role: signer.person.role.to_string(),
                        reference: reference.clone(),
                    });
                }
                if !signer
                    .person
                    .emails
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(&commit.committer_email))
                {
                    verdict.violations.push(Violation::CommitterMismatch {
                        committer: commit.committer_email.clone(),
                        person: signer.person.name.clone(),
                    });
                }
            }
            if on_ref {
                for wanted in &requirements.attestations {
                    let mut why = Vec::new();
                    let found = attestations
                        .iter()
                        .filter(|(a, _)| a.commit == verdict.id && a.predicate_type == *wanted)
                        .any(|(_, stored)| {
                            match signer_of(
                                policy,
                                &stored.signature,
                                &stored.statement,
                                crate::approvals::ATTESTATION_NAMESPACE,
                                judged_at,
                            ) {
                                Ok(s) if s.person.role != crate::policy::Role::Guest => true,
                                Ok(s) => {
                                    why.push(format!("signed by {}, a guest", s.person.name));
                                    false
                                }
                                Err(v) => {
                                    why.push(v.to_string());
                                    false
                                }
                            }
                        });
                    if !found {
                        let mut text = format!("no valid attestation of type {wanted}");
                        for w in why {
                            text.push_str("; ");
                            text.push_str(&w);
                        }
                        verdict.violations.push(Violation::MissingAttestation(text));
                    }
                }
            }
            if on_ref && (requirements.approvals > 0 || requirements.codeowners) {
                verdict.violations.extend(approvals_violation(
                    &objects,
                    policy,
                    &requirements,
                    id,
                    &commit,
                    &approvals,
                ));
            }
            // The policy this commit passes on.
            let blob = match blobs_ahead.get(&id) {
                Some(blob) => *blob,
                None => blob_at(&objects, commit.tree, POLICY_PATH).ok().flatten(),
            };
            policy_blobs.insert(id, blob);
            // A commit that keeps a policy its parent already had but that never took
            // effect (not signed by an Owner) is not a new attempt to change it: the old
            // policy simply stays in force.
            let inherited_unadopted = parents
                .first()
                .and_then(|p| policy_blobs.get(p))
                .is_some_and(|parent_blob| *parent_blob == blob);
            let owner_signed = signer
                .as_ref()
                .is_some_and(|s| s.person.role == crate::policy::Role::Owner);
            let next = if blob == Some(parent_policy.blob)
                || (inherited_unadopted && !(owner_signed && verdict.violations.is_empty()))
            {
                Arc::clone(&parent_policy)
            } else {
                verdict.changes_policy = true;
                // Owners who stand behind the change: the signer, and Owners of the old
                // policy who approved the commit (custody source approve).
                let authorised = match &signer {
                    Some(s) if verdict.violations.is_empty() => {
                        let mut owners_only = requirements.clone();
                        owners_only.approver_roles =
                            [crate::policy::Role::Owner].into_iter().collect();
                        let (approving, _) = counted_approvers(
                            &objects,
                            policy,
                            &owners_only,
                            id,
                            &commit,
                            &approvals,
                        );
                        let mut owners: std::collections::BTreeSet<String> =
                            approving.into_keys().collect();
                        if s.person.role == crate::policy::Role::Owner {
                            owners.insert(s.person.name.clone());
                        }
                        if owners.len() >= policy.owners_threshold as usize {
                            Ok(())
                        } else if owners.is_empty() {
                            Err(format!(
                                "signed by {} ({}), and no Owner of the policy in force signed or approved it",
                                s.person.name, s.person.role
                            ))
                        } else {
                            Err(format!(
                                "{} Owner(s) signed or approved it ({}), the policy in force needs {}",
                                owners.len(),
                                owners.into_iter().collect::<Vec<_>>().join(", "),
                                policy.owners_threshold
                            ))
                        }
                    }
                    _ => Err("the commit itself does not verify".into()),
                };
                match (authorised, blob) {
                    (Err(why), _) => {
                        verdict
                            .violations
                            .push(Violation::PolicyChangeNotAuthorised(why));
                        Arc::clone(&parent_policy)
                    }
                    (Ok(()), None) => {
                        verdict.violations.push(Violation::PolicyInvalid(
                            "the policy file is removed".into(),
                        ));
                        Arc::clone(&parent_policy)
                    }
                    (Ok(()), Some(_)) => match policy_in(&objects, commit.tree, id) {
                        Ok(Some(new)) => Arc::new(new),
                        Ok(None) => Arc::clone(&parent_policy),
                        Err(why) => {
                            verdict.violations.push(Violation::PolicyInvalid(why));
                            Arc::clone(&parent_policy)
                        }
                    },
                }
            };
            in_force.insert(id, next);
            verdicts.push(verdict);
        }
        if let Some(reported) = &reported {
            verdicts.retain(|v| {
                ObjectId::from_hex(v.id.as_bytes()).is_ok_and(|id| reported.contains(&id))
            });
        }
        let tip_requirements = in_force.get(&tip).map_or_else(
            || crate::policy::RefRequirements::strictest(&reference),
            |p| p.policy.requirements(&reference),
        );
        Ok(SourceReport {
            push_log,
            tip_requirements,
            reference,
            tip: tip.to_string(),
            trust_root: trust_root.to_string(),
            trust_root_pinned: pinned,
            matched_rules,
            commits: verdicts,
        })
    }
}

/// A commit's id, tree and first parent (empty for a root commit).
fn describe(objects: &Objects, id: ObjectId) -> Result<(String, String, String), GitError> {
    let commit = parse_commit(objects, id)?;
    Ok((
        id.to_string(),
        commit.tree.to_string(),
        commit
            .parents
            .first()
            .map(ToString::to_string)
            .unwrap_or_default(),
    ))
}

/// Below this many commits, checking signatures ahead on other threads costs more than
/// it saves.
const CHECK_AHEAD_FROM: usize = 256;

impl Repo {
    /// Check the signatures of `commits` against the keys of `candidates`, on every core,
    /// into `checked`. Only the arithmetic is kept; what cannot be read or checked here is
    /// simply done again (and reported) by the walk.
    ///
    /// Returns where each commit's tree has the policy file (the walk needs that too).
    fn check_signatures_ahead(
        &self,
        commits: &[ObjectId],
        candidates: &[&Policy],
        checked: &CheckedSignatures,
    ) -> HashMap<ObjectId, Option<ObjectId>> {
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .clamp(1, 16);
        let chunk = commits.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let workers: Vec<_> = commits
                .chunks(chunk.max(1))
                .map(|part| {
                    scope.spawn(move || {
                        let mut policy_blobs = Vec::with_capacity(part.len());
                        let repo = self.local();
                        let Ok(objects) = self.objects(&repo) else {
                            return policy_blobs;
                        };
                        for &id in part {
                            let Ok(commit) = parse_commit(&objects, id) else {
                                continue;
                            };
                            if let Ok(blob) = blob_at(&objects, commit.tree, POLICY_PATH) {
                                policy_blobs.push((id, blob));
                            }
                            let Some((sig, signed)) = &commit.signature else {
                                continue;
                            };
                            for policy in candidates {
                                let outcome = check_signature(
                                    policy,
                                    sig,
                                    signed,
                                    commit.time,
                                    Some(checked),
                                );
                                if !matches!(outcome, Err(Violation::UnknownKey(_))) {
                                    break;
                                }
                            }
                        }
                        policy_blobs
                    })
                })
                .collect();
            workers
                .into_iter()
                .filter_map(|w| w.join().ok())
                .flatten()
                .collect()
        })
    }

    /// A commit's id, tree and first parent (empty for a root commit), for approving it.
    ///
    /// # Errors
    /// [`GitError`] when the revision does not name a readable commit.
    pub fn describe_commit(&self, spec: &str) -> Result<(String, String, String), GitError> {
        let repo = self.local();
        let objects = self.objects(&repo)?;
        describe(&objects, resolve(&repo, &objects, spec)?)
    }

    /// As [`Repo::describe_commit`] for every commit a revision or a range names: `A..B`
    /// is the commits reachable from `B` (default `HEAD`) and not from `A`, parents first.
    ///
    /// # Errors
    /// [`GitError`] when a revision does not name a readable commit, or the range is empty.
    pub fn describe_commits(&self, spec: &str) -> Result<Vec<(String, String, String)>, GitError> {
        let Some((from, to)) = spec.split_once("..") else {
            return Ok(vec![self.describe_commit(spec)?]);
        };
        let repo = self.local();
        let objects = self.objects(&repo)?;
        let to = resolve(&repo, &objects, if to.is_empty() { "HEAD" } else { to })?;
        let from = resolve(&repo, &objects, from)?;
        let hidden: HashSet<ObjectId> = ancestry(&objects, &[from])?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let commits: Vec<(ObjectId, Vec<ObjectId>)> = ancestry(&objects, &[to])?
            .into_iter()
            .filter(|(id, _)| !hidden.contains(id))
            .collect();
        if commits.is_empty() {
            return Err(GitError::Revision {
                spec: spec.to_owned(),
                detail: "the range names no commits".to_owned(),
            });
        }
        parents_first(&commits)
            .into_iter()
            .map(|i| describe(&objects, commits[i].0))
            .collect()
    }

    /// Every file path of a revision's tree (`HEAD` when `None`).
    ///
    /// # Errors
    /// [`GitError`] when the revision or its trees cannot be read.
    pub fn tree_paths(&self, spec: Option<&str>) -> Result<Vec<String>, GitError> {
        let repo = self.local();
        let objects = self.objects(&repo)?;
        let id = resolve(&repo, &objects, spec.unwrap_or("HEAD"))?;
        let commit = parse_commit(&objects, id)?;
        changed_paths(&objects, None, commit.tree)
    }

    /// A value of the repository's git configuration (`user.signingkey`, `gpg.format`).
    #[must_use]
    pub fn config_value(&self, key: &str) -> Option<String> {
        let repo = self.local();
        let config = repo.config_snapshot();
        config.string(key).map(|v| v.to_string())
    }
}
