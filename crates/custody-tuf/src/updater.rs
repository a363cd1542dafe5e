//! The client workflow: refresh the top-level metadata, find a target's description by
//! walking the delegation graph, download the target and verify it.
//!
//! Local files: the metadata directory holds the trusted metadata as `<role>.json` (role
//! names percent-encoded like Python's `quote(name, safe="")`), each the exact bytes
//! received; nothing else is written there. Targets are saved in the target directory
//! under their percent-encoded path, so no target name can reach outside it.

use crate::TufError;
use crate::fetch::Fetcher;
#[cfg(feature = "http")]
use crate::http::HttpFetcher;
use crate::memo::SignatureMemo;
use crate::metadata::TargetFile;
use crate::trusted::{DelegatedCheck, TrustedSet, VerifiedTargets};
use custody_core::atomic::{FileMode, write_atomic_unsynced};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Receiver;

/// What Python's `urllib.parse.quote(s, safe="")` leaves alone: letters, digits, `_.-~`.
const QUOTE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~');

/// Percent-encode a role name or target path for a file name or URL component.
#[must_use]
pub fn quote(s: &str) -> String {
    utf8_percent_encode(s, QUOTE).to_string()
}

/// What cannot appear raw in a URL path: controls, space, `"#<>?` `` ` `` `{}`, and
/// non-ASCII. `/` and `%` stay as they are (target paths are paths, and may already be
/// encoded).
const URL_PATH: &AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// Limits and locations of an updater.
#[derive(Debug, Clone)]
pub struct UpdaterConfig {
    /// Directory of trusted metadata (must hold `root.json`).
    pub metadata_dir: PathBuf,
    /// Base URL of the metadata (a `/` is added if missing).
    pub metadata_base_url: String,
    /// Most root versions fetched in one update.
    pub max_root_rotations: u64,
    /// Most delegated roles visited looking for one target.
    pub max_delegations: usize,
    /// Largest root file accepted.
    pub root_max_length: u64,
    /// Largest timestamp file accepted.
    pub timestamp_max_length: u64,
    /// Largest snapshot file accepted when timestamp gives no length.
    pub snapshot_max_length: u64,
    /// Largest targets file accepted when snapshot gives no length.
    pub targets_max_length: u64,
    /// With consistent snapshots, fetch targets as `<hash>.<name>`.
    pub prefix_targets_with_hash: bool,
}

impl UpdaterConfig {
    /// python-tuf's defaults for these locations.
    #[must_use]
    pub fn new(metadata_dir: PathBuf, metadata_base_url: String) -> Self {
        Self {
            metadata_dir,
            metadata_base_url,
            max_root_rotations: 256,
            max_delegations: 32,
            root_max_length: 512_000,
            timestamp_max_length: 16_384,
            snapshot_max_length: 2_000_000,
            targets_max_length: 5_000_000,
            prefix_targets_with_hash: true,
        }
    }
}

/// Local roles being verified on other threads (see [`Updater::preload_local_roles`]).
#[derive(Debug)]
struct Preload {
    /// Roles whose check has not come back yet.
    waiting: HashSet<String>,
    /// Checks that came back and are not used yet (`None`: the local copy is missing or
    /// does not verify).
    ready: HashMap<String, Option<VerifiedTargets>>,
    received: Receiver<(String, Option<VerifiedTargets>)>,
}

/// A target's path and description, as found through the delegation graph.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetInfo {
    /// The target path.
    pub path: String,
    /// Length, hashes, custom metadata.
    pub file: TargetFile,
}

/// The TUF client.
#[cfg(feature = "http")]
#[derive(Debug)]
pub struct Updater<F: Fetcher = HttpFetcher> {
    config: UpdaterConfig,
    fetcher: F,
    trusted: TrustedSet,
    refreshed: bool,
    preload: Option<Preload>,
}

/// The TUF client.
#[cfg(not(feature = "http"))]
#[derive(Debug)]
pub struct Updater<F: Fetcher> {
    config: UpdaterConfig,
    fetcher: F,
    trusted: TrustedSet,
    refreshed: bool,
    preload: Option<Preload>,
}

#[cfg(feature = "http")]
impl Updater<HttpFetcher> {
    /// An updater over HTTP(S) starting from the trusted `root.json` in the metadata
    /// directory; the reference time is now.
    ///
    /// # Errors
    /// [`TufError::Io`] or a metadata error if the trusted root cannot be loaded.
    pub fn new(config: UpdaterConfig) -> Result<Self, TufError> {
        Self::with_fetcher(
            config,
            HttpFetcher::default(),
            custody_core::time::now_unix(),
        )
    }
}

impl<F: Fetcher> Updater<F> {
    /// An updater with another transport and reference time.
    ///
    /// # Errors
    /// As [`Updater::new`].
    pub fn with_fetcher(mut config: UpdaterConfig, fetcher: F, now: i64) -> Result<Self, TufError> {
        if !config.metadata_base_url.ends_with('/') {
            config.metadata_base_url.push('/');
        }
        let root_path = config.metadata_dir.join("root.json");
        let root = std::fs::read(&root_path).map_err(TufError::io(&root_path))?;
        let trusted =
            TrustedSet::new(&root, now)?.with_memo(SignatureMemo::load(&config.metadata_dir));
        Ok(Self {
            config,
            fetcher,
            trusted,
            refreshed: false,
            preload: None,
        })
    }

    /// The trusted metadata so far.
    #[must_use]
    pub fn trusted(&self) -> &TrustedSet {
        &self.trusted
    }

    /// Update root, timestamp, snapshot and top-level targets, in that order.
    ///
    /// # Errors
    /// The first rule a fetched document breaks, or a download that fails.
    pub fn refresh(&mut self) -> Result<(), TufError> {
        self.load_root()?;
        self.load_timestamp()?;
        self.load_snapshot()?;
        self.load_targets("targets", "root")?;
        self.refreshed = true;
        self.save_signature_memo();
        Ok(())
    }

    /// Keep the signature checks made so far for the next update (see [`crate::memo`]).
    /// Called by [`Updater::refresh`]; call it again after looking up targets. A memo
    /// that cannot be written only means the next update checks everything in full, so
    /// a read-only metadata directory is not an error.
    pub fn save_signature_memo(&self) {
        let _ = self.trusted.memo().save(&self.config.metadata_dir);
    }

    fn load_root(&mut self) -> Result<(), TufError> {
        let lower = self.trusted.root().common.version + 1;
        let upper = lower.saturating_add(self.config.max_root_rotations);
        for version in lower..upper {
            let url = format!("{}{version}.root.json", self.config.metadata_base_url);
            let bytes = match self.fetch_metadata(&url, self.config.root_max_length) {
                Ok(b) => b,
                // No newer root: the chain ends here.
                Err(TufError::Download {
                    status: Some(403 | 404),
                    ..
                }) => break,
                Err(e) => return Err(e),
            };
            self.trusted.update_root(&bytes)?;
            self.persist("root", &bytes)?;
        }
        Ok(())
    }

    fn load_timestamp(&mut self) -> Result<(), TufError> {
        if let Some(local) = self.read_local("timestamp") {
            // A local copy that no longer verifies (keys rotated, expired) is ignored;
            // one that does is the floor for rollback checks.
            let _ = self.trusted.update_timestamp(&local);
        }
        let url = format!("{}timestamp.json", self.config.metadata_base_url);
        let bytes = self.fetch_metadata(&url, self.config.timestamp_max_length)?;
        match self.trusted.update_timestamp(&bytes) {
            Ok(()) => {}
            Err(TufError::EqualVersion { .. }) => return Ok(()),
            Err(e) => return Err(e),
        }
        self.persist("timestamp", &bytes)
    }

    fn load_snapshot(&mut self) -> Result<(), TufError> {
        if let Some(local) = self.read_local("snapshot")
            && self.trusted.update_snapshot(&local, true).is_ok()
        {
            return Ok(());
        }
        let meta = self
            .trusted
            .timestamp()
            .ok_or_else(|| TufError::Order("no trusted timestamp".into()))?
            .payload
            .snapshot_meta
            .clone();
        // A length of 0 means "not given", as in python-tuf.
        let length = meta
            .length
            .filter(|l| *l > 0)
            .unwrap_or(self.config.snapshot_max_length);
        let url = self.metadata_url("snapshot", meta.version);
        let bytes = self.fetch_metadata(&url, length)?;
        self.trusted.update_snapshot(&bytes, false)?;
        self.persist("snapshot", &bytes)
    }

    fn load_targets(&mut self, role: &str, delegator: &str) -> Result<(), TufError> {
        if self.trusted.targets(role).is_some() {
            return self.trusted.verify_delegation(role, delegator);
        }
        if delegator == "targets"
            && let Some(verified) = self.take_preloaded(role)
            && self.trusted.accept_delegated_targets(verified)
        {
            return Ok(());
        }
        if let Some(local) = self.read_local(role)
            && self
                .trusted
                .update_delegated_targets(&local, role, delegator)
                .is_ok()
        {
            return Ok(());
        }
        let snapshot = self
            .trusted
            .snapshot()
            .ok_or_else(|| TufError::Order("no trusted snapshot".into()))?;
        let meta = snapshot
            .payload
            .meta
            .get(&format!("{role}.json"))
            .cloned()
            .ok_or_else(|| {
                TufError::Repository(format!(
                    "role {role:?} is delegated to but snapshot does not list it"
                ))
            })?;
        let length = meta
            .length
            .filter(|l| *l > 0)
            .unwrap_or(self.config.targets_max_length);
        let url = self.metadata_url(role, meta.version);
        let bytes = self.fetch_metadata(&url, length)?;
        self.trusted
            .update_delegated_targets(&bytes, role, delegator)?;
        self.persist(role, &bytes)
    }

    /// Fetch metadata, trying up to three times when the connection fails or times out
    /// (as python-tuf does); an HTTP error or too much data is final.
    fn fetch_metadata(&self, url: &str, max_length: u64) -> Result<Vec<u8>, TufError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.fetcher.fetch(url, max_length) {
                Err(TufError::Download { status: None, .. }) if attempt < 3 => {}
                other => return other,
            }
        }
    }

    /// `<version>.<role>.json` with consistent snapshots, `<role>.json` without.
    fn metadata_url(&self, role: &str, version: u64) -> String {
        if self.trusted.root().payload.consistent_snapshot {
            format!(
                "{}{version}.{}.json",
                self.config.metadata_base_url,
                quote(role)
            )
        } else {
            format!("{}{}.json", self.config.metadata_base_url, quote(role))
        }
    }

    fn local_path(&self, role: &str) -> PathBuf {
        self.config
            .metadata_dir
            .join(format!("{}.json", quote(role)))
    }

    fn read_local(&self, role: &str) -> Option<Vec<u8>> {
        std::fs::read(self.local_path(role)).ok()
    }

    /// Store trusted metadata. Not flushed to disk: losing it in a crash only makes the
    /// next update start from older trusted metadata, which is still verified.
    fn persist(&self, role: &str, bytes: &[u8]) -> Result<(), TufError> {
        let path = self.local_path(role);
        Ok(write_atomic_unsynced(&path, bytes, FileMode::Public)?)
    }

    /// Find `target`'s description: a pre-order depth-first search of the delegation
    /// graph from the top-level targets, visiting each role once, the top-level targets
    /// and at most `max_delegations` delegated roles, stopping at terminating
    /// delegations. Refreshes first if that has not happened yet.
    ///
    /// # Errors
    /// Errors of loading the roles on the way.
    pub fn target_info(&mut self, target: &str) -> Result<Option<TargetInfo>, TufError> {
        if !self.refreshed {
            self.refresh()?;
        }
        let mut to_visit: Vec<(String, String)> = vec![("targets".into(), "root".into())];
        let mut visited: HashSet<String> = HashSet::new();
        let mut budget = self.config.max_delegations.saturating_add(1);
        while budget > 0 {
            let Some((role, delegator)) = to_visit.pop() else {
                break;
            };
            if visited.contains(&role) {
                continue;
            }
            self.load_targets(&role, &delegator)?;
            let targets = self
                .trusted
                .targets(&role)
                .ok_or_else(|| TufError::Order(format!("{role} not loaded")))?;
            if let Some(file) = targets.payload.targets.get(target)? {
                return Ok(Some(TargetInfo {
                    path: target.to_owned(),
                    file: file.clone(),
                }));
            }
            budget -= 1;
            if let Some(delegations) = &targets.payload.delegations {
                let mut children = Vec::new();
                for (child, terminating) in delegations.roles_for_target(target) {
                    children.push((child, role.clone()));
                    if terminating {
                        to_visit.clear();
                        break;
                    }
                }
                children.reverse();
                to_visit.extend(children);
            }
            visited.insert(role);
        }
        Ok(None)
    }

    /// Start verifying, on other threads, the local copies of the roles that looking up
    /// `targets` visits first below the top-level targets (with hash bins: each target's
    /// bin), in the order the look-ups need them. Look-ups run one at a time, in order,
    /// because their requests must; this takes the signature checks of the roles already
    /// on disk out of that sequence. Only local files are read, so no request is made or
    /// reordered. A look-up that reaches such a role waits for its check and stores the
    /// result as if it had loaded the file itself; a copy that does not verify is left to
    /// the look-up, which fetches the role as it always does. Refreshes first if that has
    /// not happened yet.
    ///
    /// # Errors
    /// Errors of the refresh.
    pub fn preload_local_roles(&mut self, targets: &[String]) -> Result<(), TufError> {
        if !self.refreshed {
            self.refresh()?;
        }
        if self.config.max_delegations == 0 {
            return Ok(());
        }
        let Some(top) = self.trusted.targets("targets") else {
            return Ok(());
        };
        let Some(delegations) = &top.payload.delegations else {
            return Ok(());
        };
        let mut seen = HashSet::new();
        let roles: Vec<String> = targets
            .iter()
            // A look-up that would find the target at the top needs no other role (and
            // one that cannot read the top-level entries reports why itself).
            .filter(|t| matches!(top.payload.targets.get(t), Ok(None)))
            .filter_map(|t| delegations.roles_for_target(t).into_iter().next())
            .map(|(role, _)| role)
            .filter(|role| self.trusted.targets(role).is_none() && seen.insert(role.clone()))
            .collect();
        let jobs: Vec<(DelegatedCheck, PathBuf)> = self
            .trusted
            .delegated_checks(&roles, "targets")
            .into_iter()
            .map(|check| {
                let path = self.local_path(check.role());
                (check, path)
            })
            .collect();
        if jobs.is_empty() {
            return Ok(());
        }
        let waiting = jobs.iter().map(|(c, _)| c.role().to_owned()).collect();
        let (results, received) = std::sync::mpsc::channel();
        let jobs = Arc::new(jobs);
        let next = Arc::new(AtomicUsize::new(0));
        let workers = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(jobs.len());
        for _ in 0..workers {
            let (jobs, next, results) = (jobs.clone(), next.clone(), results.clone());
            // Detached: a look-up that fails ends the process without waiting for them.
            std::thread::spawn(move || {
                while let Some((check, path)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let verified = std::fs::read(path).ok().and_then(|b| check.verify(&b).ok());
                    if results.send((check.role().to_owned(), verified)).is_err() {
                        break;
                    }
                }
            });
        }
        self.preload = Some(Preload {
            waiting,
            ready: HashMap::new(),
            received,
        });
        Ok(())
    }

    /// The preloaded check of `role` (as delegated by the top-level targets), waiting for
    /// it if it is on its way.
    fn take_preloaded(&mut self, role: &str) -> Option<VerifiedTargets> {
        let preload = self.preload.as_mut()?;
        while !preload.ready.contains_key(role) && preload.waiting.contains(role) {
            let Ok((done, verified)) = preload.received.recv() else {
                // The workers are gone; look-ups load what is left themselves.
                self.preload = None;
                return None;
            };
            preload.waiting.remove(&done);
            preload.ready.insert(done, verified);
        }
        preload.ready.remove(role).flatten()
    }

    /// Where a target is saved in `target_dir`: its percent-encoded path.
    ///
    /// # Errors
    /// [`TufError::Usage`] for names that encode to `.`, `..` or nothing.
    pub fn target_path(info: &TargetInfo, target_dir: &Path) -> Result<PathBuf, TufError> {
        let name = quote(&info.path);
        if name.is_empty() || name == "." || name == ".." {
            return Err(TufError::Usage(format!(
                "target name {:?} cannot be saved as a file",
                info.path
            )));
        }
        Ok(target_dir.join(name))
    }

    /// The local copy of a target, if one with the right length and hashes is there.
    ///
    /// # Errors
    /// As [`Updater::target_path`].
    pub fn find_cached_target(
        info: &TargetInfo,
        target_dir: &Path,
    ) -> Result<Option<PathBuf>, TufError> {
        let path = Self::target_path(info, target_dir)?;
        let Ok(data) = std::fs::read(&path) else {
            return Ok(None);
        };
        Ok(info.file.check(&info.path, &data).is_ok().then_some(path))
    }

    /// Download a target into `target_dir`, check its length and hashes, and save it
    /// (atomically) under its percent-encoded path.
    ///
    /// # Errors
    /// [`TufError::Download`], [`TufError::LengthOrHashMismatch`], [`TufError::Io`].
    pub fn download_target(
        &self,
        info: &TargetInfo,
        target_dir: &Path,
        target_base_url: &str,
    ) -> Result<PathBuf, TufError> {
        let path = Self::target_path(info, target_dir)?;
        let verified = self.fetch_target(info, target_base_url)?;
        save_target(&path, &verified)?;
        Ok(path)
    }

    /// Download a target and check its length and hashes, without saving it: a caller
    /// fetching many targets can save one while it fetches the next.
    ///
    /// # Errors
    /// [`TufError::Download`], [`TufError::LengthOrHashMismatch`].
    pub fn fetch_target(
        &self,
        info: &TargetInfo,
        target_base_url: &str,
    ) -> Result<VerifiedTarget, TufError> {
        let mut url = target_base_url.to_owned();
        if !url.ends_with('/') {
            url.push('/');
        }
        let remote = if self.trusted.root().payload.consistent_snapshot
            && self.config.prefix_targets_with_hash
        {
            let hash = info
                .file
                .hashes
                .0
                .first()
                .map(|(_, h)| h.as_str())
                .unwrap_or_default();
            match info.path.rsplit_once('/') {
                Some((dir, base)) => format!("{dir}/{hash}.{base}"),
                None => format!("{hash}.{}", info.path),
            }
        } else {
            info.path.clone()
        };
        url.extend(utf8_percent_encode(&remote, URL_PATH));
        let data = self.fetcher.fetch(&url, info.file.length)?;
        info.file.check(&info.path, &data)?;
        Ok(VerifiedTarget(data))
    }
}

/// A target's bytes whose length and hashes matched its trusted description. Only
/// [`Updater::fetch_target`] makes one.
#[derive(Debug)]
pub struct VerifiedTarget(Vec<u8>);

impl VerifiedTarget {
    /// The bytes.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Save a verified target atomically at `path` (from [`Updater::target_path`]).
///
/// # Errors
/// [`TufError::Io`].
pub fn save_target(path: &Path, target: &VerifiedTarget) -> Result<(), TufError> {
    Ok(write_atomic_unsynced(path, &target.0, FileMode::Public)?)
}
