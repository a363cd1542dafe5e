//! A TUF repository in memory, served through a [`Fetcher`] that logs every request: the
//! harness for client tests. Tests change the metadata (versions, keys, expiry, content)
//! the way an attacker or a careless repository would, publish, and run the client.

#![allow(dead_code)]

use custody_crypto::keys::{KeyType, PrivateKey};
use custody_tuf::TufError;
use custody_tuf::fetch::Fetcher;
use custody_tuf::signing::sign_metadata;
use custody_tuf::updater::{Updater, UpdaterConfig, quote};
use serde_json::{Value, json};
use sha2::Digest as _;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;

pub const METADATA_URL: &str = "https://repo.test/metadata/";
pub const TARGETS_URL: &str = "https://repo.test/targets/";
/// 2030-01-01: a reference time well before every default expiry.
pub const NOW: i64 = 1_893_456_000;
pub const FAR: &str = "2040-01-01T00:00:00Z";

/// What the server holds and what it was asked for.
#[derive(Debug, Default)]
pub struct Server {
    pub files: BTreeMap<String, Vec<u8>>,
    pub requests: Vec<String>,
}

/// The client side of the simulator.
#[derive(Debug, Clone)]
pub struct SimFetcher(pub Rc<RefCell<Server>>);

impl Fetcher for SimFetcher {
    fn fetch(&self, url: &str, max_length: u64) -> Result<Vec<u8>, TufError> {
        let mut server = self.0.borrow_mut();
        server.requests.push(url.to_owned());
        let Some(data) = server.files.get(url) else {
            return Err(TufError::Download {
                url: url.to_owned(),
                reason: "HTTP status 404".into(),
                status: Some(404),
            });
        };
        if data.len() as u64 > max_length {
            return Err(TufError::TooLong {
                url: url.to_owned(),
                limit: max_length,
            });
        }
        Ok(data.clone())
    }
}

/// A repository: signed-part documents per role, keys per role, and what was published.
pub struct Repo {
    pub server: Rc<RefCell<Server>>,
    pub keys: BTreeMap<String, Vec<Rc<PrivateKey>>>,
    /// Extra signers per role (not listed in the role, or listed by a future root).
    pub root: Value,
    pub timestamp: Value,
    pub snapshot: Value,
    pub targets: BTreeMap<String, Value>,
    /// Every root version published so far.
    pub roots: BTreeMap<u64, Vec<u8>>,
    pub target_files: BTreeMap<String, Vec<u8>>,
    /// Include length and hashes in meta entries.
    pub meta_hashes: bool,
}

pub fn key() -> Rc<PrivateKey> {
    Rc::new(PrivateKey::generate(KeyType::Ed25519).expect("key"))
}

fn key_json(k: &PrivateKey) -> Value {
    k.public_key().to_sslib_json_value(false).expect("key json")
}

fn keyid(k: &PrivateKey) -> String {
    k.public_key().key_id().as_str().to_owned()
}

impl Repo {
    /// A repository with one ed25519 key per top-level role, every role at version 1,
    /// consistent snapshots on, published.
    pub fn new() -> Self {
        let mut keys = BTreeMap::new();
        let mut root_keys = serde_json::Map::new();
        let mut roles = serde_json::Map::new();
        for role in ["root", "timestamp", "snapshot", "targets"] {
            let k = PrivateKey::generate(KeyType::Ed25519).expect("key");
            root_keys.insert(keyid(&k), key_json(&k));
            roles.insert(role.into(), json!({"keyids": [keyid(&k)], "threshold": 1}));
            keys.insert(role.to_owned(), vec![Rc::new(k)]);
        }
        let root = json!({
            "_type": "root", "spec_version": "1.0.31", "version": 1, "expires": FAR,
            "consistent_snapshot": true, "keys": root_keys, "roles": roles,
        });
        let mut repo = Self {
            server: Rc::new(RefCell::new(Server::default())),
            keys,
            root,
            timestamp: json!({"_type": "timestamp", "spec_version": "1.0.31", "version": 1,
                "expires": FAR, "meta": {"snapshot.json": {"version": 1}}}),
            snapshot: json!({"_type": "snapshot", "spec_version": "1.0.31", "version": 1,
                "expires": FAR, "meta": {"targets.json": {"version": 1}}}),
            targets: BTreeMap::from([(
                "targets".to_owned(),
                json!({"_type": "targets", "spec_version": "1.0.31", "version": 1,
                    "expires": FAR, "targets": {}}),
            )]),
            roots: BTreeMap::new(),
            target_files: BTreeMap::new(),
            meta_hashes: false,
        };
        repo.publish_root();
        repo.publish();
        repo
    }

    pub fn consistent(&self) -> bool {
        self.root["consistent_snapshot"].as_bool().unwrap_or(false)
    }

    pub fn signers(&self, role: &str) -> Vec<&PrivateKey> {
        self.keys
            .get(role)
            .map(|v| v.iter().map(|k| &**k).collect())
            .unwrap_or_default()
    }

    /// Sign and serve the current root as `<version>.root.json`.
    pub fn publish_root(&mut self) {
        let bytes = self.sign_root_with(&self.signers("root"));
        self.serve_root(bytes);
    }

    pub fn sign_root_with(&self, keys: &[&PrivateKey]) -> Vec<u8> {
        sign_metadata(&self.root, keys).expect("sign root")
    }

    pub fn serve_root(&mut self, bytes: Vec<u8>) {
        let v = self.root["version"].as_u64().expect("version");
        self.roots.insert(v, bytes.clone());
        self.server
            .borrow_mut()
            .files
            .insert(format!("{METADATA_URL}{v}.root.json"), bytes);
    }

    /// Bump a document's version.
    pub fn bump(doc: &mut Value) {
        let v = doc["version"].as_u64().expect("version");
        doc["version"] = json!(v + 1);
    }

    fn meta_entry(&self, version: u64, bytes: &[u8]) -> Value {
        if self.meta_hashes {
            json!({"version": version, "length": bytes.len(),
                "hashes": {"sha256": hex::encode(sha2::Sha256::digest(bytes))}})
        } else {
            json!({"version": version})
        }
    }

    /// Sign targets roles, snapshot and timestamp as they are now, and serve them.
    pub fn publish(&mut self) {
        let mut served = Vec::new();
        let mut meta = serde_json::Map::new();
        for (role, doc) in &self.targets {
            let bytes = sign_metadata(doc, &self.signers(role)).expect("sign targets");
            let v = doc["version"].as_u64().expect("version");
            meta.insert(format!("{role}.json"), self.meta_entry(v, &bytes));
            served.push((self.metadata_name(role, v), bytes));
        }
        self.snapshot["meta"] = Value::Object(meta);
        let snapshot = sign_metadata(&self.snapshot, &self.signers("snapshot")).expect("sign");
        let sv = self.snapshot["version"].as_u64().expect("version");
        self.timestamp["meta"] = json!({"snapshot.json": self.meta_entry(sv, &snapshot)});
        served.push((self.metadata_name("snapshot", sv), snapshot));
        let timestamp =
            sign_metadata(&self.timestamp, &self.signers("timestamp")).expect("sign timestamp");
        served.push(("timestamp.json".into(), timestamp));
        let mut server = self.server.borrow_mut();
        for (name, bytes) in served {
            server.files.insert(format!("{METADATA_URL}{name}"), bytes);
        }
    }

    pub fn metadata_name(&self, role: &str, version: u64) -> String {
        if self.consistent() {
            format!("{version}.{}.json", quote(role))
        } else {
            format!("{}.json", quote(role))
        }
    }

    /// Add a target file to a targets role (not published yet).
    pub fn add_target(&mut self, role: &str, path: &str, content: &[u8]) {
        let hash = hex::encode(sha2::Sha256::digest(content));
        self.targets.get_mut(role).expect("role")["targets"][path] =
            json!({"length": content.len(), "hashes": {"sha256": hash}});
        let remote = if self.consistent() {
            match path.rsplit_once('/') {
                Some((d, b)) => format!("{d}/{hash}.{b}"),
                None => format!("{hash}.{path}"),
            }
        } else {
            path.to_owned()
        };
        self.server
            .borrow_mut()
            .files
            .insert(format!("{TARGETS_URL}{remote}"), content.to_vec());
        self.target_files.insert(path.to_owned(), content.to_vec());
    }

    /// Delegate from `delegator` to a new role `name` with its own key.
    pub fn delegate(&mut self, delegator: &str, name: &str, paths: &[&str], terminating: bool) {
        let k = PrivateKey::generate(KeyType::Ed25519).expect("key");
        let parent = self.targets.get_mut(delegator).expect("delegator");
        if parent.get("delegations").is_none() {
            parent["delegations"] = json!({"keys": {}, "roles": []});
        }
        parent["delegations"]["keys"][keyid(&k)] = key_json(&k);
        parent["delegations"]["roles"]
            .as_array_mut()
            .expect("roles")
            .push(json!({"name": name, "keyids": [keyid(&k)], "threshold": 1,
                "terminating": terminating, "paths": paths}));
        self.targets.insert(
            name.to_owned(),
            json!({"_type": "targets", "spec_version": "1.0.31", "version": 1,
                "expires": FAR, "targets": {}}),
        );
        self.keys.insert(name.to_owned(), vec![Rc::new(k)]);
    }

    pub fn fetcher(&self) -> SimFetcher {
        SimFetcher(Rc::clone(&self.server))
    }

    pub fn requests(&self) -> Vec<String> {
        self.server.borrow().requests.clone()
    }

    pub fn clear_requests(&self) {
        self.server.borrow_mut().requests.clear();
    }

    /// Requests since the last clear, with the base URLs cut off.
    pub fn requested(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .map(|u| {
                u.strip_prefix(METADATA_URL)
                    .or_else(|| u.strip_prefix(TARGETS_URL).map(|_| "<target>"))
                    .map_or(u.clone(), str::to_owned)
            })
            .collect()
    }
}

/// A client's metadata directory initialised with root version `version`.
pub fn client_dir(repo: &Repo, version: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("root.json"), &repo.roots[&version]).expect("write root");
    dir
}

pub fn updater(repo: &Repo, dir: &Path, now: i64) -> Result<Updater<SimFetcher>, TufError> {
    Updater::with_fetcher(
        UpdaterConfig::new(dir.to_path_buf(), METADATA_URL.to_owned()),
        repo.fetcher(),
        now,
    )
}

/// Refresh with a fresh updater (as one CLI run would).
pub fn refresh(repo: &Repo, dir: &Path) -> Result<(), TufError> {
    updater(repo, dir, NOW)?.refresh()
}

/// Version of a role's trusted file in the client's directory (`None` if absent).
pub fn trusted_version(dir: &Path, role: &str) -> Option<u64> {
    let bytes = std::fs::read(dir.join(format!("{}.json", quote(role)))).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v["signed"]["version"].as_u64()
}
