//! A TUF repository on disk, and the edits a maintainer makes to it.
//!
//! ```text
//! REPO/custody-tuf.toml   expiry policy and hash algorithms
//! REPO/metadata/          what clients fetch: N.root.json, timestamp.json, and with
//!                         consistent snapshots N.snapshot.json, N.<role>.json
//! REPO/targets/           target files; with consistent snapshots <dir>/<hash>.<name>
//! REPO/staged/            edited metadata still waiting for signatures (<role>.json)
//! ```
//!
//! Every edit works on the current version of the roles it touches, bumps each once, sets
//! its expiry from the policy, and signs it with whichever of the given keys the role
//! authorises. A role whose threshold is met is published at once (a new versioned file;
//! old versions stay, for clients in the middle of an update); one that needs more
//! signatures waits in `staged/` for `sign` (or an offline signature brought back with
//! `import`). Publishing targets roles then refreshes snapshot and timestamp, when their
//! keys are given. Files are written atomically; the same state and the same time give the
//! same bytes (ed25519 signatures are deterministic; the time comes from
//! `SOURCE_DATE_EPOCH` when set).

use crate::TufError;
use crate::document::{Signer, TargetEntry, TargetsDoc, sign_document};
use crate::updater::quote;
use custody_core::atomic::{FileMode, write_atomic};
use custody_core::canonical_json::{self, SortedValue};
use custody_core::time::format_utc;
use custody_crypto::keys::{PrivateKey, PublicKey};
use rayon::prelude::*;
use serde_json::{Map, Value, json};
use sha2::Digest as _;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const SETTINGS: &str = "custody-tuf.toml";

/// Repository settings, kept in `custody-tuf.toml`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// How long each role's metadata is valid after it is signed.
    #[serde(default)]
    pub expiry: Expiry,
    /// Hash algorithms recorded for target files (`sha256`, `sha512`).
    #[serde(default = "default_hashes")]
    pub hash_algorithms: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            expiry: Expiry::default(),
            hash_algorithms: default_hashes(),
        }
    }
}

fn default_hashes() -> Vec<String> {
    vec!["sha256".into()]
}

/// Validity periods as durations: `365d`, `12h`, `30m`, `90s`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Expiry {
    /// Root (signed offline, rarely).
    pub root: String,
    /// Top-level and delegated targets.
    pub targets: String,
    /// Snapshot.
    pub snapshot: String,
    /// Timestamp (signed by an online key, often).
    pub timestamp: String,
}

impl Default for Expiry {
    fn default() -> Self {
        Self {
            root: "365d".into(),
            targets: "90d".into(),
            snapshot: "7d".into(),
            timestamp: "1d".into(),
        }
    }
}

impl Expiry {
    fn for_role(&self, role: &str) -> &str {
        match role {
            "root" => &self.root,
            "snapshot" => &self.snapshot,
            "timestamp" => &self.timestamp,
            _ => &self.targets,
        }
    }
}

/// Parse a duration such as `365d`, `12h`, `30m` or `90s` into seconds.
///
/// # Errors
/// [`TufError::Usage`] naming the text.
pub fn parse_duration(text: &str) -> Result<i64, TufError> {
    custody_core::time::parse_duration(text).map_err(|e| TufError::Usage(e.to_string()))
}

/// What a role needs to be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The role.
    pub role: String,
    /// Signatures it has.
    pub signatures: usize,
    /// Signatures it needs.
    pub threshold: u64,
}

/// What an edit did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Roles published, with their new versions.
    pub published: Vec<(String, u64)>,
    /// Roles waiting in `staged/` for more signatures.
    pub pending: Vec<Pending>,
    /// Roles that could not be refreshed for lack of a key (snapshot, timestamp).
    pub missing_keys: Vec<String>,
}

/// What is published, from one scan of `metadata/`.
#[derive(Debug)]
struct Index {
    consistent: bool,
    root_version: u64,
    /// The published root's `signed`.
    root: Value,
    /// Latest published version by percent-encoded role name.
    latest: std::collections::HashMap<String, u64>,
}

/// The delegation tree: roles in discovery order and who authorises each.
#[derive(Debug)]
struct Tree {
    roles: Vec<String>,
    authority: std::collections::HashMap<String, Authority>,
    /// The role that delegates to each delegated role.
    parent: std::collections::HashMap<String, String>,
}

/// A role signed and published, or staged for more signatures.
enum Committed {
    Published(String, u64),
    Pending(Pending),
}

/// A role's keys and threshold, and the keys by ID they refer to.
#[derive(Debug, Clone)]
struct Authority {
    keyids: Vec<String>,
    threshold: u64,
    keys: Map<String, Value>,
}

/// Options for a new repository.
#[derive(Debug)]
pub struct InitOptions {
    /// Public keys per top-level role.
    pub keys: BTreeMap<String, Vec<PublicKey>>,
    /// Threshold per role (1 when absent).
    pub thresholds: BTreeMap<String, u64>,
    /// Fetch snapshot and targets by version, targets by hash (recommended).
    pub consistent_snapshot: bool,
    /// Expiry policy and hash algorithms.
    pub settings: Settings,
}

/// A TUF repository directory.
#[derive(Debug)]
pub struct Repository {
    dir: PathBuf,
    settings: Settings,
    now: i64,
}

/// The current time for signing: `SOURCE_DATE_EPOCH` when set (reproducible output),
/// else the clock.
#[must_use]
pub fn signing_time() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(custody_core::time::now_unix)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), TufError> {
    write_with(path, bytes, true)
}

/// Target files and targets roles are written without a flush each (thousands of them);
/// the snapshot and timestamp that publish them are flushed, after them.
fn write_bulk(path: &Path, bytes: &[u8]) -> Result<(), TufError> {
    write_with(path, bytes, false)
}

/// As [`write_bulk`], into a directory that exists.
fn write_in_existing_dir(path: &Path, bytes: &[u8]) -> Result<(), TufError> {
    Ok(custody_core::atomic::write_atomic_unsynced(
        path,
        bytes,
        FileMode::Public,
    )?)
}

fn write_with(path: &Path, bytes: &[u8], sync: bool) -> Result<(), TufError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(TufError::io(parent))?;
    }
    if sync {
        Ok(write_atomic(path, bytes, FileMode::Public)?)
    } else {
        write_in_existing_dir(path, bytes)
    }
}

/// Read a file to publish. `std::fs::read` asks for the size first, a `statx` per file
/// (4% of the system time of adding a million small targets); reading into room for a
/// typical target needs the same two reads without it, and a larger file grows the buffer.
fn read_source(path: &Path) -> Result<Vec<u8>, TufError> {
    use std::io::Read as _;
    let mut data = Vec::with_capacity(64 * 1024);
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut data))
        .map_err(TufError::io(path))?;
    Ok(data)
}

fn read_json(path: &Path) -> Result<Value, TufError> {
    let bytes = std::fs::read(path).map_err(TufError::io(path))?;
    serde_json::from_slice(&bytes).map_err(|e| TufError::Malformed {
        role: path.display().to_string(),
        detail: format!("invalid JSON: {e}"),
    })
}

/// The `signatures` of a metadata file as (keyid, sig) pairs.
fn signatures_of(file: &Value) -> Vec<(String, String)> {
    file.get("signatures")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    Some((
                        s.get("keyid")?.as_str()?.to_owned(),
                        s.get("sig")?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Repository {
    /// Create a repository: root, targets, snapshot and timestamp at version 1, signed by
    /// `signers` where they are authorised (root usually needs its offline keys now).
    ///
    /// # Errors
    /// [`TufError::Usage`] if `dir` already holds a repository or a role has no keys or
    /// fewer keys than its threshold; I/O errors.
    pub fn init(
        dir: &Path,
        options: &InitOptions,
        signers: &[PrivateKey],
    ) -> Result<(Self, Report), TufError> {
        if dir.join(SETTINGS).exists() || dir.join("metadata").exists() {
            return Err(TufError::Usage(format!(
                "{} already holds a TUF repository",
                dir.display()
            )));
        }
        let now = signing_time();
        let mut keys = Map::new();
        let mut roles = Map::new();
        for role in crate::metadata::TOP_LEVEL_ROLES {
            let role_keys = options
                .keys
                .get(role)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let threshold = options.thresholds.get(role).copied().unwrap_or(1);
            if role_keys.is_empty() {
                return Err(TufError::Usage(format!(
                    "role {role} needs at least one key"
                )));
            }
            if threshold == 0 || threshold > role_keys.len() as u64 {
                return Err(TufError::Usage(format!(
                    "role {role}: threshold {threshold} with {} key(s)",
                    role_keys.len()
                )));
            }
            let mut ids = Vec::new();
            for key in role_keys {
                let (id, json) = key_entry(key)?;
                keys.insert(id.clone(), json);
                ids.push(Value::String(id));
            }
            roles.insert(role.into(), json!({"keyids": ids, "threshold": threshold}));
        }
        let settings_text = toml::to_string(&options.settings)
            .map_err(|e| TufError::Usage(format!("settings: {e}")))?;
        write(&dir.join(SETTINGS), settings_text.as_bytes())?;
        let repo = Self {
            dir: dir.to_path_buf(),
            settings: options.settings.clone(),
            now,
        };
        let root = json!({
            "_type": "root", "spec_version": crate::SPEC_VERSION, "version": 1,
            "expires": repo.expires("root")?, "consistent_snapshot": options.consistent_snapshot,
            "keys": keys, "roles": roles,
        });
        let mut report = Report::default();
        repo.commit_root(root, None, signers, &mut report)?;
        let targets = TargetsDoc::new(1, &repo.expires("targets")?);
        let mut changed = BTreeMap::new();
        changed.insert("targets".to_owned(), targets);
        repo.commit_targets(changed, signers, &mut report, true)?;
        Ok((repo, report))
    }

    /// Open an existing repository.
    ///
    /// # Errors
    /// [`TufError::Usage`] if `dir` is not a repository; errors reading its settings.
    pub fn open(dir: &Path) -> Result<Self, TufError> {
        let path = dir.join(SETTINGS);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            TufError::Usage(format!(
                "{} is not a custody TUF repository ({}: {e}); create one with `custody tuf init`",
                dir.display(),
                path.display()
            ))
        })?;
        let settings: Settings = toml::from_str(&text)
            .map_err(|e| TufError::Usage(format!("{}: {e}", path.display())))?;
        for alg in &settings.hash_algorithms {
            if !matches!(alg.as_str(), "sha256" | "sha512") {
                return Err(TufError::Usage(format!(
                    "{}: hash algorithm {alg:?} (supported: sha256, sha512)",
                    path.display()
                )));
            }
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            settings,
            now: signing_time(),
        })
    }

    /// The repository directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The repository's settings.
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn expires(&self, role: &str) -> Result<String, TufError> {
        let secs = parse_duration(self.settings.expiry.for_role(role))?;
        Ok(format_utc(self.now.saturating_add(secs)))
    }

    fn metadata_dir(&self) -> PathBuf {
        self.dir.join("metadata")
    }

    fn staged_path(&self, role: &str) -> PathBuf {
        self.dir
            .join("staged")
            .join(format!("{}.json", quote(role)))
    }

    /// The published root, as a whole file.
    fn published_root(&self) -> Result<(u64, Value), TufError> {
        let mut best = None;
        let dir = self.metadata_dir();
        for entry in std::fs::read_dir(&dir).map_err(TufError::io(&dir))? {
            let name = entry.map_err(TufError::io(&dir))?.file_name();
            let name = name.to_string_lossy();
            if let Some(v) = name
                .strip_suffix(".root.json")
                .and_then(|v| v.parse::<u64>().ok())
            {
                best = best.max(Some(v));
            }
        }
        let version =
            best.ok_or_else(|| TufError::Usage(format!("no N.root.json in {}", dir.display())))?;
        let file = read_json(&dir.join(format!("{version}.root.json")))?;
        Ok((version, file))
    }

    /// One scan of `metadata/`: what is published, at which versions.
    fn index(&self) -> Result<Index, TufError> {
        let (root_version, root) = self.published_root()?;
        let consistent = root["signed"]["consistent_snapshot"]
            .as_bool()
            .unwrap_or(false);
        let dir = self.metadata_dir();
        let mut latest: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
        for entry in std::fs::read_dir(&dir).map_err(TufError::io(&dir))? {
            let name = entry.map_err(TufError::io(&dir))?.file_name();
            let name = name.to_string_lossy();
            let Some(stem) = name.strip_suffix(".json") else {
                continue;
            };
            let versioned = stem
                .split_once('.')
                .and_then(|(v, role)| Some((v.parse::<u64>().ok()?, role)));
            if consistent && let Some((v, role)) = versioned {
                let e = latest.entry(role.to_owned()).or_insert(v);
                *e = (*e).max(v);
            } else if versioned.is_none() && stem != "root" && (!consistent || stem == "timestamp")
            {
                let v = read_json(&dir.join(&*name))?["signed"]["version"]
                    .as_u64()
                    .unwrap_or(0);
                latest.insert(stem.to_owned(), v);
            }
        }
        Ok(Index {
            consistent,
            root_version,
            root: root["signed"].clone(),
            latest,
        })
    }

    fn published_name(index: &Index, role: &str, version: u64) -> String {
        if role == "timestamp" || !index.consistent {
            format!("{}.json", quote(role))
        } else {
            format!("{version}.{}.json", quote(role))
        }
    }

    /// The published snapshot's `signed` (the one timestamp names), if any.
    fn published_snapshot(&self, index: &Index) -> Result<Option<Value>, TufError> {
        let ts_path = self.metadata_dir().join("timestamp.json");
        if !ts_path.exists() {
            return Ok(None);
        }
        let ts = read_json(&ts_path)?;
        let version = ts["signed"]["meta"]["snapshot.json"]["version"]
            .as_u64()
            .unwrap_or(0);
        let path = self
            .metadata_dir()
            .join(Self::published_name(index, "snapshot", version));
        Ok(Some(read_json(&path)?["signed"].take()))
    }

    /// The current `signed` of a targets role: staged if being edited, else the latest
    /// published.
    fn load_targets(&self, index: &Index, role: &str) -> Result<TargetsDoc, TufError> {
        let staged = self.staged_path(role);
        if staged.exists() {
            return TargetsDoc::from_value(read_json(&staged)?["signed"].take());
        }
        let version = index.latest.get(&quote(role)).copied().ok_or_else(|| {
            TufError::Usage(format!("the repository has no targets role {role:?}"))
        })?;
        let path = self
            .metadata_dir()
            .join(Self::published_name(index, role, version));
        TargetsDoc::from_value(read_json(&path)?["signed"].take())
    }

    /// Every targets role (top-level first, then delegated ones in discovery order) and
    /// who authorises each. Hash bins are leaves: custody does not delegate from a bin.
    fn tree(&self, index: &Index) -> Result<Tree, TufError> {
        let mut authority = std::collections::HashMap::new();
        for role in crate::metadata::TOP_LEVEL_ROLES {
            authority.insert(
                role.to_owned(),
                authority_in(&index.root["roles"][role], &index.root["keys"]),
            );
        }
        let mut roles = vec!["targets".to_owned()];
        let mut parent = std::collections::HashMap::new();
        let mut bins: BTreeSet<String> = BTreeSet::new();
        let mut i = 0;
        while i < roles.len() {
            let role = roles[i].clone();
            i += 1;
            // Bins are leaves; a role not published yet has no delegations.
            if bins.contains(&role)
                || (!index.latest.contains_key(&quote(&role)) && !self.staged_path(&role).exists())
            {
                continue;
            }
            let doc = self.load_targets(index, &role)?;
            let Some(d) = doc.rest.get("delegations") else {
                continue;
            };
            for r in d
                .get("roles")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(name) = r["name"].as_str()
                    && !authority.contains_key(name)
                {
                    authority.insert(name.to_owned(), authority_in(r, &d["keys"]));
                    parent.insert(name.to_owned(), role.clone());
                    roles.push(name.to_owned());
                }
            }
            if let Some(s) = d.get("succinct_roles") {
                let a = authority_in(s, &d["keys"]);
                for bin in succinct_bins(s) {
                    if !authority.contains_key(&bin) {
                        authority.insert(bin.clone(), a.clone());
                        parent.insert(bin.clone(), role.clone());
                        bins.insert(bin.clone());
                        roles.push(bin);
                    }
                }
            }
        }
        Ok(Tree {
            roles,
            authority,
            parent,
        })
    }

    /// Every targets role, top-level first, then delegated ones in discovery order.
    ///
    /// # Errors
    /// Errors reading the metadata.
    pub fn targets_roles(&self) -> Result<Vec<String>, TufError> {
        let index = self.index()?;
        Ok(self.tree(&index)?.roles)
    }

    /// Choose the signers among `keys` that `authority` authorises, under the key IDs it
    /// declares.
    fn signers<'k>(authority: &'k Authority, keys: &'k [PrivateKey]) -> Vec<Signer<'k>> {
        authority
            .keyids
            .iter()
            .filter_map(|id| {
                let public = PublicKey::from_sslib_json(authority.keys.get(id)?).ok()?;
                let key = keys
                    .iter()
                    .find(|k| k.public_key().same_material(&public))?;
                Some((id.as_str(), key))
            })
            .collect()
    }

    /// Sign and publish (or stage) new versions of targets roles, then (with `snapshot`)
    /// refresh snapshot and timestamp if anything was published.
    fn commit_targets(
        &self,
        docs: BTreeMap<String, TargetsDoc>,
        keys: &[PrivateKey],
        report: &mut Report,
        snapshot: bool,
    ) -> Result<(), TufError> {
        let index = self.index()?;
        let tree = self.tree(&index)?;
        let results: Vec<Result<Committed, TufError>> = docs
            .into_par_iter()
            .map(|(role, mut doc)| {
                let authority = tree
                    .authority
                    .get(&role)
                    .ok_or_else(|| TufError::Usage(format!("no role delegates to {role:?}")))?;
                let published = index.latest.get(&quote(&role)).copied();
                let staged = self.staged_path(&role).exists();
                // One new version per round of edits: bump unless already bumped.
                let version = match published {
                    Some(p) if !staged || doc.version() <= p => p + 1,
                    Some(_) => doc.version(),
                    None => doc.version().max(1),
                };
                doc.rest.insert("version".into(), Value::from(version));
                doc.rest
                    .insert("expires".into(), Value::from(self.expires(&role)?));
                let signers = Self::signers(authority, keys);
                let bytes = sign_document(&doc, &signers, &[])?;
                if signers.len() as u64 >= authority.threshold {
                    let name = Self::published_name(&index, &role, version);
                    write_bulk(&self.metadata_dir().join(name), &bytes)?;
                    let _ = std::fs::remove_file(self.staged_path(&role));
                    Ok(Committed::Published(role, version))
                } else {
                    write(&self.staged_path(&role), &bytes)?;
                    Ok(Committed::Pending(Pending {
                        signatures: signers.len(),
                        threshold: authority.threshold,
                        role,
                    }))
                }
            })
            .collect();
        let mut any = false;
        for r in results {
            match r? {
                Committed::Published(role, version) => {
                    any = true;
                    report.published.push((role, version));
                }
                Committed::Pending(p) => report.pending.push(p),
            }
        }
        report.published.sort();
        if any && snapshot {
            self.refresh_snapshot(keys, report)?;
        }
        Ok(())
    }

    /// Write a new snapshot listing the latest published version of every targets role,
    /// and a new timestamp for it.
    ///
    /// # Errors
    /// I/O and signing errors. Missing keys are reported, not errors.
    pub fn refresh_snapshot(
        &self,
        keys: &[PrivateKey],
        report: &mut Report,
    ) -> Result<(), TufError> {
        let index = self.index()?;
        let tree = self.tree(&index)?;
        let authority = &tree.authority["snapshot"];
        let signers = Self::signers(authority, keys);
        if (signers.len() as u64) < authority.threshold {
            report.missing_keys.push("snapshot".into());
            return Ok(());
        }
        // Roles once listed stay listed (at their last version): clients refuse a snapshot
        // that drops a role, as a rollback. A revoked role is simply no longer delegated.
        let mut meta = self
            .published_snapshot(&index)?
            .and_then(|s| s["meta"].as_object().cloned())
            .unwrap_or_default();
        for role in &tree.roles {
            if let Some(v) = index.latest.get(&quote(role)) {
                meta.insert(format!("{role}.json"), json!({"version": v}));
            }
        }
        let version = index.latest.get("snapshot").map_or(1, |v| v + 1);
        let signed = json!({"_type": "snapshot", "spec_version": crate::SPEC_VERSION,
            "version": version, "expires": self.expires("snapshot")?, "meta": meta});
        let bytes = sign_document(&SortedValue(&signed), &signers, &[])?;
        let name = Self::published_name(&index, "snapshot", version);
        write(&self.metadata_dir().join(name), &bytes)?;
        report.published.push(("snapshot".into(), version));
        self.refresh_timestamp(keys, report)
    }

    /// Write a new timestamp for the newest snapshot (a new expiry, for an online key run
    /// from a scheduler).
    ///
    /// # Errors
    /// I/O and signing errors. A missing key is reported, not an error.
    pub fn refresh_timestamp(
        &self,
        keys: &[PrivateKey],
        report: &mut Report,
    ) -> Result<(), TufError> {
        let index = self.index()?;
        let authority = authority_in(&index.root["roles"]["timestamp"], &index.root["keys"]);
        let signers = Self::signers(&authority, keys);
        if (signers.len() as u64) < authority.threshold {
            report.missing_keys.push("timestamp".into());
            return Ok(());
        }
        let snapshot = index
            .latest
            .get("snapshot")
            .copied()
            .ok_or_else(|| TufError::Usage("no snapshot has been published yet".into()))?;
        let path = self.metadata_dir().join("timestamp.json");
        let version = index.latest.get("timestamp").map_or(1, |v| v + 1);
        let signed = json!({"_type": "timestamp", "spec_version": crate::SPEC_VERSION,
            "version": version, "expires": self.expires("timestamp")?,
            "meta": {"snapshot.json": {"version": snapshot}}});
        let bytes = sign_document(&SortedValue(&signed), &signers, &[])?;
        write(&path, &bytes)?;
        report.published.push(("timestamp".into(), version));
        Ok(())
    }

    /// Sign and publish (or stage) a new root. `previous` is the trusted root's `signed`
    /// (`None` for the first root).
    fn commit_root(
        &self,
        mut root: Value,
        previous: Option<&Value>,
        keys: &[PrivateKey],
        report: &mut Report,
    ) -> Result<(), TufError> {
        let version = root["version"].as_u64().unwrap_or(1);
        let new_authority = authority_in(&root["roles"]["root"], &root["keys"]);
        let old_authority = previous.map(|p| authority_in(&p["roles"]["root"], &p["keys"]));
        root["expires"] = Value::from(self.expires("root")?);
        // Sign with every key either root authorises, under the ID each declares.
        let mut signers: Vec<Signer<'_>> = Self::signers(&new_authority, keys);
        let old_signers = old_authority
            .as_ref()
            .map(|a| Self::signers(a, keys))
            .unwrap_or_default();
        for s in &old_signers {
            if !signers.iter().any(|(id, _)| id == &s.0) {
                signers.push(*s);
            }
        }
        let staged = self.staged_path("root");
        let existing = if staged.exists() {
            let file = read_json(&staged)?;
            if canonical_json::to_vec(&file["signed"]).ok() == canonical_json::to_vec(&root).ok() {
                signatures_of(&file)
            } else {
                Vec::new()
            }
        } else {
            Vec::new()
        };
        let bytes = sign_document(&SortedValue(&root), &signers, &existing)?;
        let file: Value = serde_json::from_slice(&bytes).map_err(|e| TufError::Malformed {
            role: "root".into(),
            detail: e.to_string(),
        })?;
        let have = signatures_of(&file);
        let count = |a: &Authority| {
            a.keyids
                .iter()
                .filter(|id| have.iter().any(|(k, _)| k == *id))
                .count() as u64
        };
        let new_ok = count(&new_authority) >= new_authority.threshold;
        let old_ok = old_authority
            .as_ref()
            .is_none_or(|a| count(a) >= a.threshold);
        if new_ok && old_ok {
            // Check the signatures for real before publishing: a signature brought back
            // from elsewhere may be for other content.
            let trusted_bytes = match previous {
                Some(_) => {
                    let (v, _) = self.published_root()?;
                    let path = self.metadata_dir().join(format!("{v}.root.json"));
                    Some(std::fs::read(&path).map_err(TufError::io(&path))?)
                }
                None => None,
            };
            match trusted_bytes {
                Some(trusted) => {
                    let mut set = crate::trusted::TrustedSet::new(&trusted, self.now)?;
                    set.update_root(&bytes)?;
                }
                None => {
                    crate::trusted::TrustedSet::new(&bytes, self.now)?;
                }
            }
            write(
                &self.metadata_dir().join(format!("{version}.root.json")),
                &bytes,
            )?;
            let _ = std::fs::remove_file(&staged);
            report.published.push(("root".into(), version));
        } else {
            write(&staged, &bytes)?;
            let needed = |a: &Authority| a.threshold.saturating_sub(count(a));
            report.pending.push(Pending {
                role: "root".into(),
                signatures: have.len(),
                threshold: new_authority.threshold
                    + old_authority
                        .as_ref()
                        .map_or(0, |a| needed(a).min(a.threshold)),
            });
        }
        Ok(())
    }

    /// Add target files to the role responsible for each: `role` when given, else the
    /// hash bin of the top-level targets' succinct delegation, else the top-level targets.
    /// `files` maps target names to local files; they are hashed in parallel and copied
    /// into `targets/`.
    ///
    /// # Errors
    /// I/O errors, unknown roles, and signing errors.
    pub fn add_targets(
        &self,
        files: &[(String, PathBuf)],
        custom: Option<&Value>,
        role: Option<&str>,
        keys: &[PrivateKey],
    ) -> Result<Report, TufError> {
        self.add_targets_placed(files, custom, role, keys, Placement::Copy)
    }

    /// [`Self::add_targets`], choosing how the files get into `targets/`.
    ///
    /// # Errors
    /// As [`Self::add_targets`].
    pub fn add_targets_placed(
        &self,
        files: &[(String, PathBuf)],
        custom: Option<&Value>,
        role: Option<&str>,
        keys: &[PrivateKey],
        placement: Placement,
    ) -> Result<Report, TufError> {
        let index = self.index()?;
        let consistent = index.consistent;
        let bins = match role {
            Some(_) => None,
            None => self
                .load_targets(&index, "targets")?
                .rest
                .get("delegations")
                .and_then(|d| {
                    d.get("succinct_roles").map(|s| {
                        (
                            s["name_prefix"].as_str().unwrap_or_default().to_owned(),
                            s["bit_length"].as_u64().unwrap_or(0),
                        )
                    })
                }),
        };
        // Each target's directory is made once here, not checked once per file in the
        // loop (a million files in a thousand directories).
        let targets_dir = self.dir.join("targets");
        for (name, _) in files {
            check_target_name(name)?;
        }
        let dirs: BTreeSet<&str> = files
            .iter()
            .map(|(name, _)| name.rsplit_once('/').map_or("", |(d, _)| d))
            .collect();
        for d in dirs {
            let dir = targets_dir.join(d);
            std::fs::create_dir_all(&dir).map_err(TufError::io(&dir))?;
        }
        let hashed: Vec<(String, String, TargetEntry)> = files
            .par_iter()
            .map(|(name, path)| {
                check_target_name(name)?;
                let data = read_source(path)?;
                let hashes: Vec<(String, String)> = self
                    .settings
                    .hash_algorithms
                    .iter()
                    .map(|alg| {
                        let hex = match alg.as_str() {
                            "sha512" => hex::encode(sha2::Sha512::digest(&data)),
                            _ => hex::encode(sha2::Sha256::digest(&data)),
                        };
                        (alg.clone(), hex)
                    })
                    .collect();
                let mut rest = Map::new();
                if let Some(c) = custom {
                    rest.insert("custom".into(), c.clone());
                }
                // Publish the file under every name a client may ask for.
                for (_, hex) in &hashes {
                    let published = if consistent {
                        match name.rsplit_once('/') {
                            Some((d, b)) => format!("{d}/{hex}.{b}"),
                            None => format!("{hex}.{name}"),
                        }
                    } else {
                        name.clone()
                    };
                    let to = targets_dir.join(published);
                    match placement {
                        Placement::Copy => write_in_existing_dir(&to, &data)?,
                        Placement::HardLink => link_target(path, &to, &data)?,
                    }
                    if !consistent {
                        break;
                    }
                }
                let owner = match (role, &bins) {
                    (Some(r), _) => r.to_owned(),
                    (None, Some((prefix, bits))) => {
                        let s = crate::delegation::SuccinctRoles {
                            keys: crate::keys::RoleKeys {
                                keyids: vec![],
                                threshold: 1,
                            },
                            bit_length: u32::try_from(*bits).unwrap_or(1),
                            name_prefix: prefix.clone(),
                        };
                        s.role_for_target(name)
                    }
                    (None, None) => "targets".to_owned(),
                };
                Ok((
                    owner,
                    name.clone(),
                    TargetEntry {
                        length: data.len() as u64,
                        hashes,
                        rest,
                    },
                ))
            })
            .collect::<Result<_, TufError>>()?;
        let mut docs: BTreeMap<String, TargetsDoc> = BTreeMap::new();
        for (owner, name, entry) in hashed {
            if !docs.contains_key(&owner) {
                let doc = self.load_targets(&index, &owner)?;
                docs.insert(owner.clone(), doc);
            }
            if let Some(doc) = docs.get_mut(&owner) {
                doc.targets.insert(name, entry);
            }
        }
        let mut report = Report::default();
        self.commit_targets(docs, keys, &mut report, true)?;
        Ok(report)
    }

    /// Remove targets by name from whichever role lists them.
    ///
    /// # Errors
    /// [`TufError::Usage`] for a name no role lists; signing and I/O errors.
    pub fn remove_targets(
        &self,
        names: &[String],
        keys: &[PrivateKey],
    ) -> Result<Report, TufError> {
        let index = self.index()?;
        let roles = self.tree(&index)?.roles;
        let mut docs: BTreeMap<String, TargetsDoc> = BTreeMap::new();
        for name in names {
            let mut found = false;
            for role in &roles {
                if !docs.contains_key(role) {
                    let doc = self.load_targets(&index, role)?;
                    docs.insert(role.clone(), doc);
                }
                if let Some(doc) = docs.get_mut(role)
                    && doc.targets.remove(name).is_some()
                {
                    found = true;
                }
            }
            if !found {
                return Err(TufError::Usage(format!(
                    "no role lists a target named {name:?}"
                )));
            }
        }
        let before: BTreeMap<String, usize> = roles
            .iter()
            .map(|r| {
                (
                    r.clone(),
                    self.load_targets(&index, r).map_or(0, |d| d.targets.len()),
                )
            })
            .collect();
        docs.retain(|role, doc| before.get(role) != Some(&doc.targets.len()));
        let mut report = Report::default();
        self.commit_targets(docs, keys, &mut report, true)?;
        Ok(report)
    }

    /// Delegate from `delegator` to a new role trusted for some paths.
    ///
    /// # Errors
    /// [`TufError::Usage`] for a role that exists, a delegator with hash bins, or a
    /// threshold above the number of keys.
    pub fn delegate(
        &self,
        delegator: &str,
        delegation: &Delegation,
        keys: &[PrivateKey],
    ) -> Result<Report, TufError> {
        let index = self.index()?;
        let existing = self.tree(&index)?.roles;
        if !existing.iter().any(|r| r == delegator) {
            return Err(TufError::Usage(format!(
                "no targets role named {delegator:?}"
            )));
        }
        let mut parent = self.load_targets(&index, delegator)?;
        let mut key_map = parent
            .rest
            .get("delegations")
            .and_then(|d| d.get("keys"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut ids = Vec::new();
        for key in &delegation.keys {
            let (id, json) = key_entry(key)?;
            key_map.insert(id.clone(), json);
            ids.push(Value::String(id));
        }
        if delegation.threshold == 0 || delegation.threshold > ids.len() as u64 {
            return Err(TufError::Usage(format!(
                "threshold {} with {} key(s)",
                delegation.threshold,
                ids.len()
            )));
        }
        let mut new_roles: Vec<String> = Vec::new();
        let delegations = match &delegation.kind {
            DelegationKind::Role {
                name,
                paths,
                terminating,
            } => {
                if crate::metadata::TOP_LEVEL_ROLES.contains(&name.as_str())
                    || existing.contains(name)
                {
                    return Err(TufError::Usage(format!("role {name:?} already exists")));
                }
                let mut roles = match parent.rest.get("delegations") {
                    Some(d) if d.get("succinct_roles").is_some() => {
                        return Err(TufError::Usage(format!(
                            "{delegator} delegates to hash bins; it cannot also list roles"
                        )));
                    }
                    Some(d) => d["roles"].as_array().cloned().unwrap_or_default(),
                    None => Vec::new(),
                };
                let (field, list) = match paths {
                    PathSpec::Patterns(p) => ("paths", p),
                    PathSpec::HashPrefixes(p) => ("path_hash_prefixes", p),
                };
                let mut role = json!({"name": name, "keyids": ids,
                    "threshold": delegation.threshold, "terminating": terminating});
                role[field] = json!(list);
                roles.push(role);
                new_roles.push(name.clone());
                json!({"keys": key_map, "roles": roles})
            }
            DelegationKind::HashBins { bit_length, prefix } => {
                if parent.rest.contains_key("delegations") {
                    return Err(TufError::Usage(format!(
                        "{delegator} already delegates; hash bins must be its only delegation"
                    )));
                }
                if !(1..=32).contains(bit_length) {
                    return Err(TufError::Usage("--hash-bins takes 1 to 32 bits".into()));
                }
                let succinct = json!({"keyids": ids, "threshold": delegation.threshold,
                    "bit_length": bit_length, "name_prefix": prefix});
                new_roles.extend(succinct_bins(&succinct));
                // Targets the delegator lists move to their bins.
                json!({"keys": key_map, "succinct_roles": succinct})
            }
        };
        parent.rest.insert("delegations".into(), delegations);
        let moved: Vec<(String, TargetEntry)> =
            if matches!(delegation.kind, DelegationKind::HashBins { .. }) {
                std::mem::take(&mut parent.targets).into_iter().collect()
            } else {
                Vec::new()
            };
        // Publish the delegator first so the new roles' authority can be found.
        let mut report = Report::default();
        let mut first = BTreeMap::new();
        first.insert(delegator.to_owned(), parent);
        self.commit_targets(first, keys, &mut report, false)?;
        let expires = self.expires("targets")?;
        let mut docs: BTreeMap<String, TargetsDoc> = new_roles
            .iter()
            .map(|r| (r.clone(), TargetsDoc::new(1, &expires)))
            .collect();
        if let DelegationKind::HashBins { bit_length, prefix } = &delegation.kind {
            let s = crate::delegation::SuccinctRoles {
                keys: crate::keys::RoleKeys {
                    keyids: vec![],
                    threshold: 1,
                },
                bit_length: *bit_length,
                name_prefix: prefix.clone(),
            };
            for (name, entry) in moved {
                if let Some(doc) = docs.get_mut(&s.role_for_target(&name)) {
                    doc.targets.insert(name, entry);
                }
            }
        }
        self.commit_targets(docs, keys, &mut report, true)?;
        Ok(report)
    }

    /// Edit the root: the closure changes the next root's `signed` (keys, roles,
    /// thresholds). The new root needs a threshold of the current root keys and of its own.
    ///
    /// # Errors
    /// Errors of the closure, signing and I/O.
    pub fn edit_root(
        &self,
        keys: &[PrivateKey],
        edit: impl FnOnce(&mut Value) -> Result<(), TufError>,
    ) -> Result<Report, TufError> {
        let (version, trusted) = self.published_root()?;
        let staged = self.staged_path("root");
        let mut root = if staged.exists() {
            read_json(&staged)?["signed"].take()
        } else {
            let mut r = trusted["signed"].clone();
            r["version"] = Value::from(version + 1);
            r
        };
        edit(&mut root)?;
        let mut report = Report::default();
        self.commit_root(root, Some(&trusted["signed"]), keys, &mut report)?;
        if report.published.iter().any(|(r, _)| r == "root") {
            // Keys of snapshot or timestamp may have changed: sign both again.
            self.refresh_snapshot(keys, &mut report)?;
        }
        Ok(report)
    }

    /// Add signatures to a staged role (`root` or a targets role), and publish it when
    /// its threshold is met. `incoming` (an offline-signed copy of the staged file) adds
    /// the signatures it carries for the same content.
    ///
    /// # Errors
    /// [`TufError::Usage`] when nothing is staged for `role` or `incoming` is for other
    /// content; signing and I/O errors.
    pub fn sign(
        &self,
        role: &str,
        keys: &[PrivateKey],
        incoming: Option<&[u8]>,
    ) -> Result<Report, TufError> {
        let staged = self.staged_path(role);
        if !staged.exists() {
            return Err(TufError::Usage(format!(
                "nothing is waiting for signatures for {role:?} (staged/{} does not exist)",
                quote(role)
            )));
        }
        let mut file = read_json(&staged)?;
        if let Some(bytes) = incoming {
            let other: Value = serde_json::from_slice(bytes).map_err(|e| TufError::Malformed {
                role: role.into(),
                detail: format!("invalid JSON: {e}"),
            })?;
            if canonical_json::to_vec(&other["signed"]).ok()
                != canonical_json::to_vec(&file["signed"]).ok()
            {
                return Err(TufError::Usage(format!(
                    "the file brought in is not the staged {role} (its signed content differs)"
                )));
            }
            let mut sigs = signatures_of(&file);
            for s in signatures_of(&other) {
                if !sigs.iter().any(|(k, _)| *k == s.0) {
                    sigs.push(s);
                }
            }
            file["signatures"] = json!(
                sigs.iter()
                    .map(|(k, s)| json!({"keyid": k, "sig": s}))
                    .collect::<Vec<_>>()
            );
            write(&staged, &serde_json::to_vec(&file).unwrap_or_default())?;
        }
        let mut report = Report::default();
        if role == "root" {
            let (_, trusted) = self.published_root()?;
            let signed = file["signed"].take();
            self.commit_root(signed, Some(&trusted["signed"]), keys, &mut report)?;
            if report.published.iter().any(|(r, _)| r == "root") {
                self.refresh_snapshot(keys, &mut report)?;
            }
        } else {
            // Same content, more signatures.
            let doc = TargetsDoc::from_value(file["signed"].take())?;
            let index = self.index()?;
            let tree = self.tree(&index)?;
            let authority = tree
                .authority
                .get(role)
                .ok_or_else(|| TufError::Usage(format!("no role delegates to {role:?}")))?;
            let signers = Self::signers(authority, keys);
            let existing = signatures_of(&file);
            let bytes = sign_document(&doc, &signers, &existing)?;
            let parsed: Value = serde_json::from_slice(&bytes).unwrap_or_default();
            let have = signatures_of(&parsed);
            let count = authority
                .keyids
                .iter()
                .filter(|id| have.iter().any(|(k, _)| k == *id))
                .count() as u64;
            if count >= authority.threshold {
                let name = Self::published_name(&index, role, doc.version());
                write(&self.metadata_dir().join(name), &bytes)?;
                let _ = std::fs::remove_file(&staged);
                report.published.push((role.to_owned(), doc.version()));
                self.refresh_snapshot(keys, &mut report)?;
            } else {
                write(&staged, &bytes)?;
                report.pending.push(Pending {
                    role: role.to_owned(),
                    signatures: count as usize,
                    threshold: authority.threshold,
                });
            }
        }
        Ok(report)
    }

    /// Sign targets roles again with a new version and expiry, content unchanged (to keep
    /// them from expiring, or after their keys changed).
    ///
    /// # Errors
    /// [`TufError::Usage`] for a role the repository does not have; signing and I/O
    /// errors.
    pub fn resign(&self, roles: &[String], keys: &[PrivateKey]) -> Result<Report, TufError> {
        let index = self.index()?;
        let tree = self.tree(&index)?;
        let mut docs = BTreeMap::new();
        for role in roles {
            if !tree.authority.contains_key(role)
                || crate::metadata::TOP_LEVEL_ROLES.contains(&role.as_str()) && role != "targets"
            {
                return Err(TufError::Usage(format!(
                    "{role:?} is not a targets role of this repository (root: custody tuf rotate; snapshot, timestamp: custody tuf snapshot / timestamp)"
                )));
            }
            docs.insert(role.clone(), self.load_targets(&index, role)?);
        }
        let mut report = Report::default();
        self.commit_targets(docs, keys, &mut report, true)?;
        Ok(report)
    }

    /// Change the keys or threshold of a delegated role (or of all hash bins, named by any
    /// bin): the delegating role is signed again, then the role itself with the keys it
    /// now has.
    ///
    /// # Errors
    /// [`TufError::Usage`] for an unknown role, a key that is not there, or a threshold
    /// above the number of keys; signing and I/O errors.
    pub fn rotate_delegated(
        &self,
        role: &str,
        add: &[PublicKey],
        remove: &[KeyRef],
        threshold: Option<u64>,
        keys: &[PrivateKey],
    ) -> Result<Report, TufError> {
        let index = self.index()?;
        let tree = self.tree(&index)?;
        let delegator = tree
            .parent
            .get(role)
            .ok_or_else(|| TufError::Usage(format!("no role delegates to {role:?}")))?
            .clone();
        let mut parent = self.load_targets(&index, &delegator)?;
        let delegations = parent
            .rest
            .get_mut("delegations")
            .ok_or_else(|| TufError::Usage(format!("{delegator:?} delegates to no role")))?;
        let mut key_map = delegations["keys"].as_object().cloned().unwrap_or_default();
        let succinct = delegations.get("succinct_roles").is_some();
        let entry = if succinct {
            &mut delegations["succinct_roles"]
        } else {
            let roles = delegations["roles"].as_array_mut().ok_or_else(|| {
                TufError::Usage(format!("{delegator:?} has no list of delegated roles"))
            })?;
            roles
                .iter_mut()
                .find(|r| r["name"].as_str() == Some(role))
                .ok_or_else(|| {
                    TufError::Usage(format!("{delegator:?} does not delegate to {role:?}"))
                })?
        };
        edit_key_list(entry, &mut key_map, role, add, remove, threshold)?;
        // Keys no delegated role uses any more leave the delegations.
        let used: BTreeSet<String> = delegations
            .get("roles")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(delegations.get("succinct_roles"))
            .flat_map(|r| {
                r["keyids"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect::<Vec<_>>()
            })
            .collect();
        key_map.retain(|id, _| used.contains(id));
        delegations["keys"] = Value::Object(key_map);
        let mut report = Report::default();
        let mut first = BTreeMap::new();
        first.insert(delegator.clone(), parent);
        self.commit_targets(first, keys, &mut report, false)?;
        // The role signed again by its new keys; for hash bins, every bin.
        let affected: Vec<String> = if succinct {
            tree.parent
                .iter()
                .filter(|(_, p)| **p == delegator)
                .map(|(r, _)| r.clone())
                .collect()
        } else {
            vec![role.to_owned()]
        };
        let index = self.index()?;
        let mut docs = BTreeMap::new();
        for r in affected {
            docs.insert(r.clone(), self.load_targets(&index, &r)?);
        }
        self.commit_targets(docs, keys, &mut report, true)?;
        Ok(report)
    }

    /// Stop delegating to a role: it leaves its delegator and the next snapshot.
    ///
    /// # Errors
    /// [`TufError::Usage`] for an unknown role or a hash bin (hash bins go together);
    /// signing and I/O errors.
    pub fn revoke_delegation(&self, role: &str, keys: &[PrivateKey]) -> Result<Report, TufError> {
        let index = self.index()?;
        let tree = self.tree(&index)?;
        let delegator = tree
            .parent
            .get(role)
            .ok_or_else(|| TufError::Usage(format!("no role delegates to {role:?}")))?
            .clone();
        let mut parent = self.load_targets(&index, &delegator)?;
        let Some(delegations) = parent.rest.get_mut("delegations") else {
            return Err(TufError::Usage(format!(
                "{delegator:?} delegates to no role"
            )));
        };
        if delegations.get("succinct_roles").is_some() {
            return Err(TufError::Usage(format!(
                "{role:?} is a hash bin; bins cannot be revoked one by one"
            )));
        }
        if let Some(roles) = delegations["roles"].as_array_mut() {
            roles.retain(|r| r["name"].as_str() != Some(role));
        }
        let mut report = Report::default();
        let mut docs = BTreeMap::new();
        docs.insert(delegator, parent);
        self.commit_targets(docs, keys, &mut report, true)?;
        Ok(report)
    }

    /// Copy what clients fetch (`metadata/` and `targets/`) into `out`, a directory any
    /// static web server can serve: files that are already there with the same content
    /// are left alone, new ones are hard-linked when the file system allows (else copied),
    /// each atomically, and the timestamp last, so a server never offers metadata that
    /// points at files it does not have yet.
    ///
    /// # Errors
    /// I/O errors naming the file.
    pub fn publish(&self, out: &Path) -> Result<PublishReport, TufError> {
        let mut report = PublishReport::default();
        let mut timestamp = None;
        for sub in ["targets", "metadata"] {
            let from_root = self.dir.join(sub);
            let mut stack = vec![from_root.clone()];
            while let Some(dir) = stack.pop() {
                if !dir.exists() {
                    continue;
                }
                for entry in std::fs::read_dir(&dir).map_err(TufError::io(&dir))? {
                    let path = entry.map_err(TufError::io(&dir))?.path();
                    if path.is_dir() {
                        stack.push(path);
                        continue;
                    }
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                    if name
                        .as_deref()
                        .is_some_and(|n| n.starts_with(".custody-tmp-"))
                    {
                        continue;
                    }
                    let rel = path.strip_prefix(&self.dir).map_err(|_| {
                        TufError::Usage(format!("{} is outside the repository", path.display()))
                    })?;
                    let dest = out.join(rel);
                    if sub == "metadata" && name.as_deref() == Some("timestamp.json") {
                        timestamp = Some((path.clone(), dest));
                        continue;
                    }
                    if publish_file(&path, &dest)? {
                        report.copied += 1;
                    } else {
                        report.unchanged += 1;
                    }
                }
            }
        }
        if let Some((from, to)) = timestamp {
            if publish_file(&from, &to)? {
                report.copied += 1;
            } else {
                report.unchanged += 1;
            }
        }
        Ok(report)
    }

    /// Expiry and versions of every role, and what is waiting for signatures.
    ///
    /// # Errors
    /// I/O errors reading the metadata.
    pub fn status(&self) -> Result<Vec<RoleStatus>, TufError> {
        let index = self.index()?;
        let mut out = vec![self.role_status("root", index.root_version, &index.root)];
        let ts_path = self.metadata_dir().join("timestamp.json");
        if ts_path.exists() {
            let ts = read_json(&ts_path)?;
            let v = ts["signed"]["version"].as_u64().unwrap_or(0);
            out.push(self.role_status("timestamp", v, &ts["signed"]));
        }
        if let Some(s) = self.published_snapshot(&index)? {
            let v = s["version"].as_u64().unwrap_or(0);
            out.push(self.role_status("snapshot", v, &s));
        }
        for role in self.tree(&index)?.roles {
            if let Some(v) = index.latest.get(&quote(&role)).copied() {
                let path = self
                    .metadata_dir()
                    .join(Self::published_name(&index, &role, v));
                let file = read_json(&path)?;
                out.push(self.role_status(&role, v, &file["signed"]));
            }
        }
        Ok(out)
    }

    fn role_status(&self, role: &str, version: u64, signed: &Value) -> RoleStatus {
        let expires = signed["expires"].as_str().unwrap_or_default().to_owned();
        let expires_unix = custody_core::time::parse_utc(&expires).unwrap_or(0);
        RoleStatus {
            role: role.to_owned(),
            version,
            expires,
            seconds_left: expires_unix - custody_core::time::now_unix(),
            staged: self.staged_path(role).exists(),
        }
    }
}

/// Add signatures to a metadata file on its own (the offline half of signing: the file
/// was copied from `staged/` to a machine that holds the key). A key signs under the ID
/// the document declares for it when the document is a root listing it, else under its
/// own key ID; a signature by the same key ID is replaced.
///
/// # Errors
/// [`TufError::Malformed`] if the bytes are not a metadata file; signing errors.
pub fn sign_metadata_file(bytes: &[u8], keys: &[PrivateKey]) -> Result<Vec<u8>, TufError> {
    let file: Value = serde_json::from_slice(bytes).map_err(|e| TufError::Malformed {
        role: "metadata".into(),
        detail: format!("invalid JSON: {e}"),
    })?;
    let signed = file
        .get("signed")
        .filter(|v| v.is_object())
        .ok_or_else(|| TufError::Malformed {
            role: "metadata".into(),
            detail: "no \"signed\" object".into(),
        })?;
    let declared = signed.get("keys").and_then(Value::as_object);
    let ids: Vec<String> = keys
        .iter()
        .map(|k| {
            let public = k.public_key();
            declared
                .and_then(|m| {
                    m.iter().find(|(_, v)| {
                        PublicKey::from_sslib_json(v).is_ok_and(|p| p.same_material(&public))
                    })
                })
                .map_or_else(|| public.key_id().as_str().to_owned(), |(id, _)| id.clone())
        })
        .collect();
    let signers: Vec<Signer<'_>> = ids.iter().map(String::as_str).zip(keys.iter()).collect();
    sign_document(&SortedValue(signed), &signers, &signatures_of(&file))
}

/// What `publish` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublishReport {
    /// Files written.
    pub copied: usize,
    /// Files already there with the same content.
    pub unchanged: usize,
}

/// How `add` puts a target file into `targets/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Placement {
    /// Write a copy (the safe default: later changes to the source do not matter).
    #[default]
    Copy,
    /// Hard-link the source: one system call per file instead of create, write and
    /// rename, for build outputs that are never modified in place. A source that is
    /// modified later changes the published target too, which clients then refuse.
    /// Falls back to a copy where a link cannot be made (another file system).
    HardLink,
}

/// Link `from` at `to` (replacing what is there atomically); copy `data` when the file
/// system will not link.
fn link_target(from: &Path, to: &Path, data: &[u8]) -> Result<(), TufError> {
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            if std::fs::read(to).is_ok_and(|existing| existing == data) {
                return Ok(());
            }
            let tmp = to.with_file_name(format!(
                ".custody-tmp-{}",
                to.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            ));
            let _ = std::fs::remove_file(&tmp);
            if std::fs::hard_link(from, &tmp).is_ok() {
                std::fs::rename(&tmp, to).map_err(TufError::io(to))
            } else {
                write_in_existing_dir(to, data)
            }
        }
        Err(_) => write_in_existing_dir(to, data),
    }
}

/// Put `from` at `to` unless the same bytes are there; `true` when written.
fn publish_file(from: &Path, to: &Path) -> Result<bool, TufError> {
    let data = std::fs::read(from).map_err(TufError::io(from))?;
    if std::fs::read(to).is_ok_and(|existing| existing == data) {
        return Ok(false);
    }
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(TufError::io(parent))?;
    }
    // A hard link is atomic and free; across file systems, write a copy atomically.
    let tmp = to.with_file_name(format!(
        ".custody-tmp-{}",
        to.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    let _ = std::fs::remove_file(&tmp);
    if std::fs::hard_link(from, &tmp).is_ok() {
        std::fs::rename(&tmp, to).map_err(TufError::io(to))?;
    } else {
        write_bulk(to, &data)?;
    }
    Ok(true)
}

/// One role's state for `status`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RoleStatus {
    /// The role.
    pub role: String,
    /// Published version.
    pub version: u64,
    /// Expiry as written.
    pub expires: String,
    /// Seconds until expiry (negative when expired).
    pub seconds_left: i64,
    /// Whether an edit waits for signatures.
    pub staged: bool,
}

/// A key to remove: its public key, or its ID as the metadata declares it.
#[derive(Debug, Clone)]
pub enum KeyRef {
    /// The key itself (matched by key material).
    Key(Box<PublicKey>),
    /// A declared key ID.
    Id(String),
}

/// Add and remove keys of a role entry (`keyids`, `threshold`) whose keys live in
/// `key_map`; the threshold must stay between 1 and the number of keys.
pub fn edit_key_list(
    entry: &mut Value,
    key_map: &mut Map<String, Value>,
    role: &str,
    add: &[PublicKey],
    remove: &[KeyRef],
    threshold: Option<u64>,
) -> Result<(), TufError> {
    let usage = TufError::Usage;
    let mut ids: Vec<String> = entry["keyids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for key in add {
        let (id, json) = key_entry(key)?;
        key_map.insert(id.clone(), json);
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    for r in remove {
        let id = match r {
            KeyRef::Id(id) => id.clone(),
            KeyRef::Key(key) => key_map
                .iter()
                .find(|(_, v)| PublicKey::from_sslib_json(v).is_ok_and(|p| p.same_material(key)))
                .map(|(id, _)| id.clone())
                .ok_or_else(|| usage(format!("{role}: the key to remove is not listed")))?,
        };
        if !ids.contains(&id) {
            return Err(usage(format!("{role} has no key {id}")));
        }
        ids.retain(|i| *i != id);
    }
    let threshold = threshold
        .or_else(|| entry["threshold"].as_u64())
        .unwrap_or(1);
    if ids.is_empty() || threshold == 0 || threshold > ids.len() as u64 {
        return Err(usage(format!(
            "{role} would have threshold {threshold} with {} key(s)",
            ids.len()
        )));
    }
    entry["keyids"] = json!(ids);
    entry["threshold"] = json!(threshold);
    Ok(())
}

/// A new delegation.
#[derive(Debug, Clone)]
pub struct Delegation {
    /// The delegated role's (or bins') keys.
    pub keys: Vec<PublicKey>,
    /// Signatures needed.
    pub threshold: u64,
    /// A named role or hash bins.
    pub kind: DelegationKind,
}

/// What is delegated.
#[derive(Debug, Clone)]
pub enum DelegationKind {
    /// One role for some paths.
    Role {
        /// Its name.
        name: String,
        /// Its paths.
        paths: PathSpec,
        /// Whether a match ends the search.
        terminating: bool,
    },
    /// `2^bit_length` hash bins named `<prefix>-<hex>` (TAP 15).
    HashBins {
        /// Bits of the target path's SHA-256 that pick the bin.
        bit_length: u32,
        /// Name prefix.
        prefix: String,
    },
}

/// Which paths a role is trusted for.
#[derive(Debug, Clone)]
pub enum PathSpec {
    /// Glob patterns (`*` does not cross `/`).
    Patterns(Vec<String>),
    /// Prefixes of the hex SHA-256 of the path.
    HashPrefixes(Vec<String>),
}

fn authority_in(role: &Value, keys: &Value) -> Authority {
    Authority {
        keyids: role["keyids"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        threshold: role["threshold"].as_u64().unwrap_or(1),
        keys: keys.as_object().cloned().unwrap_or_default(),
    }
}

fn succinct_bins(s: &Value) -> Vec<String> {
    let bits = u32::try_from(s["bit_length"].as_u64().unwrap_or(0)).unwrap_or(0);
    if !(1..=32).contains(&bits) {
        return Vec::new();
    }
    let roles = crate::delegation::SuccinctRoles {
        keys: crate::keys::RoleKeys {
            keyids: vec![],
            threshold: 1,
        },
        bit_length: bits,
        name_prefix: s["name_prefix"].as_str().unwrap_or_default().to_owned(),
    };
    (0..roles.bin_count()).map(|b| roles.bin_name(b)).collect()
}

/// A key's securesystemslib JSON (without `keyid`) and its ID.
fn key_entry(key: &PublicKey) -> Result<(String, Value), TufError> {
    let json = key
        .to_sslib_json_value(false)
        .map_err(|e| TufError::Usage(format!("key: {e}")))?;
    Ok((key.key_id().as_str().to_owned(), json))
}

/// Target names are paths relative to the repository: no empty parts, `.` or `..`, no
/// leading `/`, no backslashes.
fn check_target_name(name: &str) -> Result<(), TufError> {
    let bad = name.is_empty()
        || name.starts_with('/')
        || name.contains('\\')
        || name
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == "..");
    if bad {
        return Err(TufError::Usage(format!(
            "target name {name:?} must be a relative path without empty, . or .. parts"
        )));
    }
    Ok(())
}
