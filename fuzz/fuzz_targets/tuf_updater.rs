//! The TUF client workflow against a repository whose content the fuzzer writes: the
//! input is the `signed` part of timestamp, snapshot and targets (separated by NUL bytes),
//! which the harness signs with the right keys, so the fuzzer reaches every rule of the
//! trusted set, not just signature checks. Nothing may panic, and whatever is accepted
//! must be consistent: snapshot is the version timestamp names, targets the version
//! snapshot names.
#![no_main]

use custody_crypto::keys::PrivateKey;
use custody_tuf::TufError;
use custody_tuf::fetch::Fetcher;
use custody_tuf::signing::sign_metadata;
use custody_tuf::updater::{Updater, UpdaterConfig};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::OnceLock;

const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJotXztSXESBModF9xeYMd49mrL619gSDRi0hCLKSxTv\n-----END PRIVATE KEY-----\n";
const BASE: &str = "https://fuzz.test/metadata/";

struct Fixture {
    key: PrivateKey,
    dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let key = PrivateKey::from_pkcs8_pem(KEY.as_bytes(), None, None).expect("fixed key");
        let id = key.public_key().key_id().as_str().to_owned();
        let public = key.public_key().to_sslib_json_value(false).expect("json");
        let role = json!({"keyids": [id], "threshold": 1});
        let root = json!({"_type": "root", "spec_version": "1.0.31", "version": 1,
            "expires": "2040-01-01T00:00:00Z", "consistent_snapshot": true,
            "keys": {id: public},
            "roles": {"root": role, "timestamp": role, "snapshot": role, "targets": role}});
        let dir = tempfile::tempdir().expect("temp dir");
        let bytes = sign_metadata(&root, &[&key]).expect("sign");
        std::fs::write(dir.path().join("root.json"), bytes).expect("write");
        Fixture { key, dir }
    })
}

struct Served(HashMap<String, Vec<u8>>);

impl Fetcher for Served {
    fn fetch(&self, url: &str, max_length: u64) -> Result<Vec<u8>, TufError> {
        match self.0.get(url) {
            Some(b) if b.len() as u64 <= max_length => Ok(b.clone()),
            _ => Err(TufError::Download {
                url: url.to_owned(),
                reason: "not served".into(),
                status: Some(404),
            }),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let mut parts = data.split(|b| *b == 0);
    let mut signed = |default: &str| -> Option<(Value, Vec<u8>)> {
        let text = parts.next().unwrap_or(default.as_bytes());
        let v: Value = serde_json::from_slice(text).ok()?;
        let bytes = sign_metadata(&v, &[&f.key]).ok()?;
        Some((v, bytes))
    };
    let Some((_, ts_bytes)) = signed("{}") else {
        return;
    };
    let Some((snap, snap_bytes)) = signed("{}") else {
        return;
    };
    let Some((targets, targets_bytes)) = signed("{}") else {
        return;
    };
    let version = |v: &Value| v.get("version").and_then(Value::as_u64).unwrap_or(0);
    let mut served = HashMap::new();
    served.insert(format!("{BASE}timestamp.json"), ts_bytes);
    served.insert(
        format!("{BASE}{}.snapshot.json", version(&snap)),
        snap_bytes,
    );
    served.insert(
        format!("{BASE}{}.targets.json", version(&targets)),
        targets_bytes.clone(),
    );
    // The same targets document also serves as any delegated role the search may reach.
    served.insert(format!("{BASE}1.a.json"), targets_bytes);
    // A fresh metadata directory per run, with the trusted root only.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(f.dir.path().join("root.json"), dir.path().join("root.json")).expect("copy");
    let config = UpdaterConfig::new(dir.path().to_path_buf(), BASE.to_owned());
    let Ok(mut updater) = Updater::with_fetcher(config, Served(served), 1_893_456_000) else {
        return;
    };
    if updater.refresh().is_err() {
        return;
    }
    let t = updater.trusted();
    let ts = t.timestamp().expect("refresh loaded timestamp");
    let snapshot = t.snapshot().expect("refresh loaded snapshot");
    assert_eq!(snapshot.common.version, ts.payload.snapshot_meta.version);
    let targets = t.targets("targets").expect("refresh loaded targets");
    assert_eq!(
        Some(targets.common.version),
        snapshot.payload.meta.get("targets.json").map(|m| m.version)
    );
    let _ = updater.target_info("a");
    let _ = updater.target_info("dir/file.txt");
});
