//! The trusted metadata set: the client's view of the repository, updated one document at
//! a time in the order of the specification's client workflow (section 5), each update
//! checked against what is already trusted.
//!
//! The checks and their order follow python-tuf's `TrustedMetadataSet`, so that both
//! clients accept and refuse the same repositories:
//!
//! - root: signed by a threshold of the trusted root's root keys *and* of its own, version
//!   exactly one more; expiry is only checked on the final root (before timestamp);
//! - timestamp: signed by root's timestamp keys; no version or snapshot-version rollback
//!   against the trusted timestamp; the same version means "unchanged"; then not expired;
//! - snapshot: length and hashes as timestamp says (unless loaded from local storage);
//!   signed; no role removed and no version rollback against the trusted snapshot; then
//!   not expired and the version timestamp names;
//! - targets (top-level and delegated): listed in snapshot with matching length and
//!   hashes; signed by the delegating role's keys; the version snapshot names; not expired.
//!
//! A document is stored before its final checks (expiry, version against its parent), as
//! python-tuf does: an expired local timestamp still guards the new one against rollback.
//! Time is fixed when the set is made (the start of the update), so a slow update cannot
//! be frozen past an expiry.

use crate::TufError;
use crate::keys::{KeySet, RoleKeys};
use crate::memo::{SignatureDigest, SignatureMemo};
use crate::metadata::{
    self, MetaFile, RoleType, Root, Signers, Snapshot, Targets, Timestamp, Unverified, Verified,
    malformed,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Trusted metadata, from a trusted root to delegated targets.
#[derive(Debug)]
pub struct TrustedSet {
    now: i64,
    root: Verified<Root>,
    timestamp: Option<Verified<Timestamp>>,
    snapshot: Option<Verified<Snapshot>>,
    targets: HashMap<String, Verified<Targets>>,
    /// Which delegators each targets role has been verified against.
    verified_by: HashMap<String, Vec<String>>,
    /// Changes whenever trusted metadata is replaced (not when a role is added), so that
    /// a verification made earlier can tell whether it still holds.
    epoch: u64,
    /// Signature checks made before, and the ones made now.
    memo: SignatureMemo,
}

impl TrustedSet {
    /// Start from a trusted root (e.g. shipped with the client). It must be signed by its
    /// own root keys; its expiry is not checked yet (a newer root may follow).
    ///
    /// # Errors
    /// [`TufError::Malformed`] or [`TufError::Unsigned`].
    pub fn new(root_bytes: &[u8], now: i64) -> Result<Self, TufError> {
        let root: Unverified<Root> = metadata::parse(root_bytes, RoleType::Root)?;
        let role = root.payload.role("root")?.clone();
        let keys = root.payload.keys.clone();
        let root = root.verify("root", &role, &keys)?;
        Ok(Self {
            now,
            root,
            timestamp: None,
            snapshot: None,
            targets: HashMap::new(),
            verified_by: HashMap::new(),
            epoch: 0,
            memo: SignatureMemo::default(),
        })
    }

    /// Skip the signature checks of documents that met the same signers before with the
    /// same bytes (see [`crate::memo`]); the checks made in full are added to `memo`.
    #[must_use]
    pub fn with_memo(mut self, memo: SignatureMemo) -> Self {
        self.memo = memo;
        self
    }

    /// The signature checks known and made so far, to be saved for the next update.
    #[must_use]
    pub fn memo(&self) -> &SignatureMemo {
        &self.memo
    }

    /// Parse and verify a timestamp or snapshot document, remembering the check.
    fn parse_top_level<T: metadata::Payload>(
        &mut self,
        bytes: &[u8],
        role: RoleType,
    ) -> Result<Verified<T>, TufError> {
        let known = self.memo.known();
        let (verified, digest) = metadata::parse_and_verify_remembered(
            bytes,
            role,
            self.top_level(role.as_str()),
            &known,
        )?;
        if let Some(digest) = digest {
            self.memo.record(digest);
        }
        Ok(verified)
    }

    /// The reference time of this update (Unix seconds).
    #[must_use]
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The trusted root.
    #[must_use]
    pub fn root(&self) -> &Verified<Root> {
        &self.root
    }

    /// The trusted timestamp, if loaded.
    #[must_use]
    pub fn timestamp(&self) -> Option<&Verified<Timestamp>> {
        self.timestamp.as_ref()
    }

    /// The trusted snapshot, if loaded.
    #[must_use]
    pub fn snapshot(&self) -> Option<&Verified<Snapshot>> {
        self.snapshot.as_ref()
    }

    /// Trusted targets metadata of a role, if loaded.
    #[must_use]
    pub fn targets(&self, role: &str) -> Option<&Verified<Targets>> {
        self.targets.get(role)
    }

    /// Replace the root with its successor.
    ///
    /// # Errors
    /// [`TufError::Order`] after timestamp; [`TufError::Unsigned`] if not signed by the
    /// trusted root's threshold or its own; [`TufError::BadVersion`] unless the version is
    /// the trusted one plus one.
    pub fn update_root(&mut self, bytes: &[u8]) -> Result<(), TufError> {
        if self.timestamp.is_some() {
            return Err(TufError::Order("cannot update root after timestamp".into()));
        }
        // Signed by the trusted root's root keys; its own keys are checked below.
        let new: Verified<Root> =
            metadata::parse_and_verify(bytes, RoleType::Root, self.top_level("root"))?;
        let expected = self.root.common.version + 1;
        if new.common.version != expected {
            return Err(TufError::BadVersion {
                role: "root".into(),
                detail: format!(
                    "version {} follows trusted version {}, expected {expected}",
                    new.common.version, self.root.common.version
                ),
            });
        }
        new.verify_also("root", new.payload.role("root")?, &new.payload.keys)?;
        self.root = new;
        self.epoch += 1;
        Ok(())
    }

    /// Check that the final root has not expired (done before the first timestamp).
    fn check_final_root(&self) -> Result<(), TufError> {
        expiry_check("root", &self.root.common, self.now)
    }

    /// Load a timestamp.
    ///
    /// # Errors
    /// [`TufError::Expired`] if the final root expired; [`TufError::EqualVersion`] when it
    /// is the trusted version (nothing changed); [`TufError::BadVersion`] on rollback of
    /// timestamp or snapshot version; [`TufError::Expired`] if it expired (it is kept as
    /// trusted all the same, as a floor against rollback).
    pub fn update_timestamp(&mut self, bytes: &[u8]) -> Result<(), TufError> {
        if self.snapshot.is_some() {
            return Err(TufError::Order(
                "cannot update timestamp after snapshot".into(),
            ));
        }
        self.check_final_root()?;
        let new: Verified<Timestamp> = self.parse_top_level(bytes, RoleType::Timestamp)?;
        if let Some(old) = &self.timestamp {
            if new.common.version < old.common.version {
                return Err(TufError::BadVersion {
                    role: "timestamp".into(),
                    detail: format!(
                        "version {} is older than trusted version {}",
                        new.common.version, old.common.version
                    ),
                });
            }
            if new.common.version == old.common.version {
                return Err(TufError::EqualVersion {
                    role: "timestamp".into(),
                    version: new.common.version,
                });
            }
            let (old_snap, new_snap) = (
                old.payload.snapshot_meta.version,
                new.payload.snapshot_meta.version,
            );
            if new_snap < old_snap {
                return Err(TufError::BadVersion {
                    role: "timestamp".into(),
                    detail: format!(
                        "names snapshot version {new_snap}, older than trusted {old_snap}"
                    ),
                });
            }
        }
        self.timestamp = Some(new);
        self.epoch += 1;
        self.check_final_timestamp().map(|_| ())
    }

    fn check_final_timestamp(&self) -> Result<&Verified<Timestamp>, TufError> {
        let ts = self
            .timestamp
            .as_ref()
            .ok_or_else(|| TufError::Order("no trusted timestamp".into()))?;
        expiry_check("timestamp", &ts.common, self.now)?;
        Ok(ts)
    }

    /// Load a snapshot. `from_local_storage` skips the length and hash check against
    /// timestamp (local copies were checked when first downloaded, and timestamp may have
    /// moved on since).
    ///
    /// # Errors
    /// [`TufError::LengthOrHashMismatch`], [`TufError::Unsigned`],
    /// [`TufError::BadVersion`] on rollback or a version other than timestamp's,
    /// [`TufError::Repository`] when a role disappeared, [`TufError::Expired`].
    pub fn update_snapshot(
        &mut self,
        bytes: &[u8],
        from_local_storage: bool,
    ) -> Result<(), TufError> {
        if !self.targets.is_empty() {
            return Err(TufError::Order(
                "cannot update snapshot after targets".into(),
            ));
        }
        let meta = self.check_final_timestamp()?.payload.snapshot_meta.clone();
        if !from_local_storage {
            meta.check("snapshot", bytes)?;
        }
        let new: Verified<Snapshot> = self.parse_top_level(bytes, RoleType::Snapshot)?;
        if let Some(old) = &self.snapshot {
            for (name, old_meta) in &old.payload.meta {
                let Some(new_meta) = new.payload.meta.get(name) else {
                    return Err(TufError::Repository(format!(
                        "snapshot: {name} is no longer listed (it was in the trusted snapshot)"
                    )));
                };
                if new_meta.version < old_meta.version {
                    return Err(TufError::BadVersion {
                        role: "snapshot".into(),
                        detail: format!(
                            "{name} version {} is older than trusted version {}",
                            new_meta.version, old_meta.version
                        ),
                    });
                }
            }
        }
        self.snapshot = Some(new);
        self.epoch += 1;
        self.check_final_snapshot().map(|_| ())
    }

    fn check_final_snapshot(&self) -> Result<&Verified<Snapshot>, TufError> {
        let snapshot = self
            .snapshot
            .as_ref()
            .ok_or_else(|| TufError::Order("no trusted snapshot".into()))?;
        expiry_check("snapshot", &snapshot.common, self.now)?;
        let expected = self.check_final_timestamp()?.payload.snapshot_meta.version;
        if snapshot.common.version != expected {
            return Err(TufError::BadVersion {
                role: "snapshot".into(),
                detail: format!(
                    "version {} is not the version {expected} timestamp names",
                    snapshot.common.version
                ),
            });
        }
        Ok(snapshot)
    }

    /// Load the top-level targets.
    ///
    /// # Errors
    /// As [`TrustedSet::update_delegated_targets`].
    pub fn update_targets(&mut self, bytes: &[u8]) -> Result<(), TufError> {
        self.update_delegated_targets(bytes, "targets", "root")
    }

    /// Load the targets metadata of `role`, delegated by `delegator` (`root` for the
    /// top-level targets).
    ///
    /// # Errors
    /// [`TufError::Order`] if the delegator is not trusted yet; [`TufError::Repository`]
    /// if snapshot does not list the role or the delegator does not delegate to it;
    /// [`TufError::LengthOrHashMismatch`]; [`TufError::Unsigned`];
    /// [`TufError::BadVersion`] unless the version is the one snapshot names;
    /// [`TufError::Expired`].
    pub fn update_delegated_targets(
        &mut self,
        bytes: &[u8],
        role: &str,
        delegator: &str,
    ) -> Result<(), TufError> {
        let new = self.verify_delegated_targets(bytes, role, delegator)?;
        self.store_targets(new);
        Ok(())
    }

    /// The checks of [`TrustedSet::update_delegated_targets`] without storing the result.
    ///
    /// # Errors
    /// As [`TrustedSet::update_delegated_targets`].
    pub fn verify_delegated_targets(
        &self,
        bytes: &[u8],
        role: &str,
        delegator: &str,
    ) -> Result<VerifiedTargets, TufError> {
        let snapshot = self.check_final_snapshot()?;
        let file = format!("{role}.json");
        let meta = snapshot.payload.meta.get(&file).ok_or_else(|| {
            TufError::Repository(format!("snapshot does not list {file} (role {role:?})"))
        })?;
        let signers = self
            .delegation(role, delegator)
            .map(|(role_keys, keys)| Signers {
                role,
                role_keys,
                keys,
            });
        let (targets, digest) =
            check_targets(bytes, role, meta, signers, self.now, &self.memo.known())?;
        Ok(VerifiedTargets {
            targets,
            digest,
            role: role.to_owned(),
            delegator: delegator.to_owned(),
            epoch: self.epoch,
        })
    }

    /// Everything verifying `roles` as delegated by `delegator` needs, owned, so that other
    /// threads can verify them while this set is in use. Roles that snapshot does not list
    /// or that `delegator` does not delegate to are left out: loading them reports why.
    #[must_use]
    pub fn delegated_checks(&self, roles: &[String], delegator: &str) -> Vec<DelegatedCheck> {
        let Ok(snapshot) = self.check_final_snapshot() else {
            return Vec::new();
        };
        let mut shared_keys: Option<Arc<KeySet>> = None;
        let known = self.memo.known();
        roles
            .iter()
            .filter_map(|role| {
                let meta = snapshot.payload.meta.get(&format!("{role}.json"))?;
                let (role_keys, keys) = self.delegation(role, delegator).ok()?;
                let keys = shared_keys
                    .get_or_insert_with(|| Arc::new(keys.clone()))
                    .clone();
                Some(DelegatedCheck {
                    role: role.clone(),
                    delegator: delegator.to_owned(),
                    meta: meta.clone(),
                    role_keys: role_keys.clone(),
                    keys,
                    now: self.now,
                    epoch: self.epoch,
                    known: Arc::clone(&known),
                })
            })
            .collect()
    }

    /// Store a role verified by [`TrustedSet::verify_delegated_targets`] or a
    /// [`DelegatedCheck`], unless the set changed since (the role is then verified again
    /// when it is needed) or already trusts the role. Returns whether it was stored.
    pub fn accept_delegated_targets(&mut self, verified: VerifiedTargets) -> bool {
        if verified.epoch != self.epoch || self.targets.contains_key(&verified.role) {
            return false;
        }
        self.store_targets(verified);
        true
    }

    fn store_targets(&mut self, verified: VerifiedTargets) {
        if let Some(digest) = verified.digest {
            self.memo.record(digest);
        }
        if self
            .targets
            .insert(verified.role.clone(), verified.targets)
            .is_some()
        {
            self.epoch += 1;
        }
        self.verified_by
            .insert(verified.role, vec![verified.delegator]);
    }
}

/// A targets role that passed every check against the trusted set it was checked with;
/// [`TrustedSet::accept_delegated_targets`] stores it.
#[derive(Debug)]
pub struct VerifiedTargets {
    role: String,
    delegator: String,
    epoch: u64,
    targets: Verified<Targets>,
    /// The signature check, when it was made in full (to be remembered).
    digest: Option<SignatureDigest>,
}

impl VerifiedTargets {
    /// The role's name.
    #[must_use]
    pub fn role(&self) -> &str {
        &self.role
    }
}

/// The checks of one delegated targets role, detached from the [`TrustedSet`] that made
/// them (see [`TrustedSet::delegated_checks`]).
#[derive(Debug, Clone)]
pub struct DelegatedCheck {
    role: String,
    delegator: String,
    meta: MetaFile,
    role_keys: RoleKeys,
    keys: Arc<KeySet>,
    now: i64,
    epoch: u64,
    known: Arc<HashSet<SignatureDigest>>,
}

impl DelegatedCheck {
    /// The role checked.
    #[must_use]
    pub fn role(&self) -> &str {
        &self.role
    }

    /// Verify the role's metadata as [`TrustedSet::verify_delegated_targets`] would.
    ///
    /// # Errors
    /// As [`TrustedSet::update_delegated_targets`].
    pub fn verify(&self, bytes: &[u8]) -> Result<VerifiedTargets, TufError> {
        let signers = Signers {
            role: &self.role,
            role_keys: &self.role_keys,
            keys: &self.keys,
        };
        let (targets, digest) = check_targets(
            bytes,
            &self.role,
            &self.meta,
            Ok(signers),
            self.now,
            &self.known,
        )?;
        Ok(VerifiedTargets {
            targets,
            digest,
            role: self.role.clone(),
            delegator: self.delegator.clone(),
            epoch: self.epoch,
        })
    }
}

/// A targets document against its snapshot entry and its signers, then its version and
/// expiry: the one implementation of these checks.
fn check_targets(
    bytes: &[u8],
    role: &str,
    meta: &MetaFile,
    signers: Result<Signers<'_>, TufError>,
    now: i64,
    known: &HashSet<SignatureDigest>,
) -> Result<(Verified<Targets>, Option<SignatureDigest>), TufError> {
    meta.check(role, bytes)?;
    let (new, digest): (Verified<Targets>, _) =
        metadata::parse_and_verify_remembered(bytes, RoleType::Targets, signers, known)?;
    if new.common.version != meta.version {
        return Err(TufError::BadVersion {
            role: role.to_owned(),
            detail: format!(
                "version {} is not the version {} snapshot names",
                new.common.version, meta.version
            ),
        });
    }
    expiry_check(role, &new.common, now)?;
    Ok((new, digest))
}

impl TrustedSet {
    /// Who signs a top-level role: its keys as the trusted root lists them.
    fn top_level<'a>(&'a self, role: &'a str) -> Result<Signers<'a>, TufError> {
        let root = &self.root.payload;
        Ok(Signers {
            role,
            role_keys: root.role(role)?,
            keys: &root.keys,
        })
    }

    /// The key IDs and threshold `delegator` gives `role`, and the keys they refer to.
    fn delegation(&self, role: &str, delegator: &str) -> Result<(&RoleKeys, &KeySet), TufError> {
        if delegator == "root" {
            let root = &self.root.payload;
            return Ok((root.role(role)?, &root.keys));
        }
        let parent = self.targets.get(delegator).ok_or_else(|| {
            TufError::Order(format!("delegating role {delegator:?} is not trusted yet"))
        })?;
        let delegations = parent.payload.delegations.as_ref().ok_or_else(|| {
            malformed(
                RoleType::Targets,
                format!("{delegator:?} delegates to no role (looking for {role:?})"),
            )
        })?;
        let role_keys = delegations.role_keys(role).ok_or_else(|| {
            TufError::Repository(format!("{delegator:?} does not delegate to {role:?}"))
        })?;
        Ok((role_keys, &delegations.keys))
    }

    /// Check that an already trusted targets role, reached again through `delegator`, is
    /// signed by the keys this delegator gives it too. Two delegators may delegate the
    /// same role name to different keys; trust earned through one path says nothing
    /// about the other.
    ///
    /// # Errors
    /// [`TufError::Unsigned`], or as [`TrustedSet::update_delegated_targets`] for a
    /// delegator that does not delegate to `role`.
    pub fn verify_delegation(&mut self, role: &str, delegator: &str) -> Result<(), TufError> {
        if self
            .verified_by
            .get(role)
            .is_some_and(|d| d.iter().any(|d| d == delegator))
        {
            return Ok(());
        }
        let trusted = self
            .targets
            .get(role)
            .ok_or_else(|| TufError::Order(format!("{role:?} is not trusted yet")))?;
        let (role_keys, keys) = self.delegation(role, delegator)?;
        trusted.verify_also(role, role_keys, keys)?;
        self.verified_by
            .entry(role.to_owned())
            .or_default()
            .push(delegator.to_owned());
        Ok(())
    }
}

/// The one expiry check: expired when the update's reference time is at or past `expires`.
fn expiry_check(role: &str, common: &metadata::Common, now: i64) -> Result<(), TufError> {
    if common.is_expired(now) {
        return Err(TufError::Expired {
            role: role.to_owned(),
            expires: custody_core::time::format_utc(common.expires),
        });
    }
    Ok(())
}
