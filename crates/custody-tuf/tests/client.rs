//! The client workflow against a simulated repository: what it fetches, what it trusts,
//! what it refuses. One test per rule of the specification's client workflow and per
//! attack it names.

mod support;

use custody_tuf::TufError;
use serde_json::json;
use support::{NOW, Repo, client_dir, key, refresh, trusted_version, updater};

fn keyid(k: &custody_crypto::keys::PrivateKey) -> String {
    k.public_key().key_id().as_str().to_owned()
}

#[test]
fn first_refresh_fetches_each_role_once_and_stores_exact_bytes() {
    let repo = Repo::new();
    let dir = client_dir(&repo, 1);
    refresh(&repo, dir.path()).expect("refresh");
    assert_eq!(
        repo.requested(),
        [
            "2.root.json",
            "timestamp.json",
            "1.snapshot.json",
            "1.targets.json"
        ]
    );
    let served = &repo.server.borrow().files;
    for (local, remote) in [
        ("timestamp.json", "timestamp.json"),
        ("snapshot.json", "1.snapshot.json"),
        ("targets.json", "1.targets.json"),
    ] {
        assert_eq!(
            std::fs::read(dir.path().join(local)).expect("stored"),
            served[&format!("{}{remote}", support::METADATA_URL)],
            "{local} holds the bytes received"
        );
    }
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            // Signature checks remembered for the next update (not a `*.json` file).
            ".custody-verified",
            "root.json",
            "snapshot.json",
            "targets.json",
            "timestamp.json"
        ]
    );
}

#[test]
fn an_unchanged_repository_costs_two_requests() {
    let repo = Repo::new();
    let dir = client_dir(&repo, 1);
    refresh(&repo, dir.path()).expect("first");
    repo.clear_requests();
    refresh(&repo, dir.path()).expect("second");
    assert_eq!(repo.requested(), ["2.root.json", "timestamp.json"]);
}

#[test]
fn without_consistent_snapshots_files_are_fetched_by_name() {
    let mut repo = Repo::new();
    repo.root["consistent_snapshot"] = json!(false);
    Repo::bump(&mut repo.root);
    repo.publish_root();
    repo.publish();
    let dir = client_dir(&repo, 2);
    refresh(&repo, dir.path()).expect("refresh");
    assert_eq!(
        repo.requested(),
        [
            "3.root.json",
            "timestamp.json",
            "snapshot.json",
            "targets.json"
        ]
    );
}

#[test]
fn targets_are_downloaded_verified_and_cached() {
    let mut repo = Repo::new();
    repo.add_target("targets", "dir/app.tar.gz", b"the app");
    repo.publish();
    let dir = client_dir(&repo, 1);
    let out = tempfile::tempdir().expect("target dir");
    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    let info = u
        .target_info("dir/app.tar.gz")
        .expect("search")
        .expect("found");
    let path = u
        .download_target(&info, out.path(), support::TARGETS_URL)
        .expect("download");
    assert_eq!(path, out.path().join("dir%2Fapp.tar.gz"));
    assert_eq!(std::fs::read(&path).expect("saved"), b"the app");
    let hash = info.file.hashes.0[0].1.clone();
    assert!(
        repo.requests()
            .contains(&format!("{}dir/{hash}.app.tar.gz", support::TARGETS_URL)),
        "consistent snapshots fetch targets by hash prefix: {:?}",
        repo.requests()
    );
    assert_eq!(
        custody_tuf::updater::Updater::<support::SimFetcher>::find_cached_target(&info, out.path())
            .expect("name"),
        Some(path.clone())
    );
    assert!(u.target_info("missing").expect("search").is_none());
}

#[test]
fn a_tampered_target_is_refused_and_not_saved() {
    let mut repo = Repo::new();
    repo.add_target("targets", "app", b"the app");
    repo.publish();
    // Arbitrary software installation: the mirror serves other bytes of the same length.
    let url = repo
        .server
        .borrow()
        .files
        .keys()
        .find(|u| u.starts_with(support::TARGETS_URL))
        .cloned()
        .expect("target served");
    repo.server
        .borrow_mut()
        .files
        .insert(url, b"evil ap".to_vec());
    let dir = client_dir(&repo, 1);
    let out = tempfile::tempdir().expect("target dir");
    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    let info = u.target_info("app").expect("search").expect("found");
    let err = u
        .download_target(&info, out.path(), support::TARGETS_URL)
        .expect_err("tampered");
    assert!(matches!(err, TufError::LengthOrHashMismatch(_)), "{err}");
    assert!(!out.path().join("app").exists());
}

/// A new root (published) that gives `role` a new key in place of its keys.
fn rotate_role_key(repo: &mut Repo, role: &str) {
    let new_key = key();
    repo.root["keys"][keyid(&new_key)] = new_key
        .public_key()
        .to_sslib_json_value(false)
        .expect("json");
    repo.root["roles"][role]["keyids"] = json!([keyid(&new_key)]);
    Repo::bump(&mut repo.root);
    repo.publish_root();
    repo.keys.insert(role.to_owned(), vec![new_key]);
}

#[test]
fn root_rotation_follows_the_chain_and_recovers_from_rotated_timestamp_keys() {
    let mut repo = Repo::new();
    let dir = client_dir(&repo, 1);
    refresh(&repo, dir.path()).expect("first");
    // Rotate the timestamp key: root v2 lists a new one, signed by the root key.
    rotate_role_key(&mut repo, "timestamp");
    // The new timestamp starts again at version 1 (fast-forward recovery).
    repo.timestamp["version"] = json!(1);
    repo.publish();
    repo.clear_requests();
    refresh(&repo, dir.path()).expect("second");
    assert_eq!(trusted_version(dir.path(), "root"), Some(2));
    assert_eq!(repo.requested()[..2], ["2.root.json", "3.root.json"]);
}

#[test]
fn a_new_root_must_be_signed_by_the_old_root_keys() {
    let mut repo = Repo::new();
    let dir = client_dir(&repo, 1);
    let new_root = key();
    repo.root["keys"][keyid(&new_root)] = new_root
        .public_key()
        .to_sslib_json_value(false)
        .expect("json");
    repo.root["roles"]["root"]["keyids"] = json!([keyid(&new_root)]);
    Repo::bump(&mut repo.root);
    // Signed by the new key only.
    let bytes = repo.sign_root_with(&[&new_root]);
    repo.serve_root(bytes);
    let err = refresh(&repo, dir.path()).expect_err("not signed by v1's key");
    assert!(matches!(err, TufError::Unsigned { .. }), "{err}");
    assert_eq!(trusted_version(dir.path(), "root"), Some(1));
    // Signed by both: accepted, and later roots need the new key.
    let old = repo.keys["root"][0].clone();
    let bytes = repo.sign_root_with(&[&old, &new_root]);
    repo.serve_root(bytes);
    repo.keys.insert("root".into(), vec![new_root]);
    refresh(&repo, dir.path()).expect("signed by old and new");
    assert_eq!(trusted_version(dir.path(), "root"), Some(2));
}

#[test]
fn a_new_root_must_be_signed_by_its_own_keys() {
    let mut repo = Repo::new();
    let dir = client_dir(&repo, 1);
    let new_root = key();
    repo.root["keys"][keyid(&new_root)] = new_root
        .public_key()
        .to_sslib_json_value(false)
        .expect("json");
    repo.root["roles"]["root"]["keyids"] = json!([keyid(&new_root)]);
    Repo::bump(&mut repo.root);
    repo.publish_root(); // only the old key signs
    let err = refresh(&repo, dir.path()).expect_err("not signed by its own key");
    assert!(matches!(err, TufError::Unsigned { .. }), "{err}");
}

#[test]
fn root_versions_must_follow_each_other() {
    let mut repo = Repo::new();
    let dir = client_dir(&repo, 1);
    repo.root["version"] = json!(3);
    let bytes = repo.sign_root_with(&repo.signers("root"));
    repo.server
        .borrow_mut()
        .files
        .insert(format!("{}2.root.json", support::METADATA_URL), bytes);
    let err = refresh(&repo, dir.path()).expect_err("version 3 served as 2");
    assert!(matches!(err, TufError::BadVersion { .. }), "{err}");
}

#[test]
fn only_the_final_root_must_be_unexpired() {
    let mut repo = Repo::new();
    let dir = client_dir(&repo, 1);
    repo.root["expires"] = json!("2020-01-01T00:00:00Z");
    Repo::bump(&mut repo.root);
    repo.publish_root();
    let err = refresh(&repo, dir.path()).expect_err("final root expired");
    assert!(
        matches!(err, TufError::Expired { ref role, .. } if role == "root"),
        "{err}"
    );
    repo.root["expires"] = json!(support::FAR);
    Repo::bump(&mut repo.root);
    repo.publish_root();
    refresh(&repo, dir.path()).expect("an expired intermediate root is fine");
    assert_eq!(trusted_version(dir.path(), "root"), Some(3));
}

#[test]
fn root_rotations_are_bounded() {
    let mut repo = Repo::new();
    let dir = client_dir(&repo, 1);
    for _ in 0..5 {
        Repo::bump(&mut repo.root);
        repo.publish_root();
    }
    let mut config = custody_tuf::updater::UpdaterConfig::new(
        dir.path().to_path_buf(),
        support::METADATA_URL.to_owned(),
    );
    config.max_root_rotations = 3;
    let mut u =
        custody_tuf::updater::Updater::with_fetcher(config, repo.fetcher(), NOW).expect("u");
    u.refresh().expect("refresh");
    assert_eq!(trusted_version(dir.path(), "root"), Some(4));
}

#[test]
fn timestamp_rollback_and_freeze_are_refused() {
    let mut repo = Repo::new();
    repo.timestamp["version"] = json!(5);
    repo.publish();
    let dir = client_dir(&repo, 1);
    refresh(&repo, dir.path()).expect("first");
    repo.timestamp["version"] = json!(4);
    repo.publish();
    let err = refresh(&repo, dir.path()).expect_err("rollback");
    assert!(
        matches!(err, TufError::BadVersion { ref role, .. } if role == "timestamp"),
        "{err}"
    );
    assert_eq!(trusted_version(dir.path(), "timestamp"), Some(5));
    // Indefinite freeze: the repository serves the same timestamp after it expired.
    repo.timestamp["version"] = json!(6);
    repo.timestamp["expires"] = json!("2029-12-31T00:00:00Z");
    repo.publish();
    let err = refresh(&repo, dir.path()).expect_err("expired");
    assert!(
        matches!(err, TufError::Expired { ref role, .. } if role == "timestamp"),
        "{err}"
    );
}

#[test]
fn timestamp_may_not_roll_the_snapshot_version_back() {
    let mut repo = Repo::new();
    repo.snapshot["version"] = json!(3);
    repo.publish();
    let dir = client_dir(&repo, 1);
    refresh(&repo, dir.path()).expect("first");
    repo.snapshot["version"] = json!(2);
    Repo::bump(&mut repo.timestamp);
    repo.publish();
    let err = refresh(&repo, dir.path()).expect_err("snapshot rollback via timestamp");
    assert!(matches!(err, TufError::BadVersion { .. }), "{err}");
}

#[test]
fn snapshot_must_match_what_timestamp_says() {
    let mut repo = Repo::new();
    repo.meta_hashes = true;
    repo.publish();
    let dir = client_dir(&repo, 1);
    // Mix and match: a snapshot other than the one timestamp describes.
    let name = format!("{}1.snapshot.json", support::METADATA_URL);
    let mut snapshot = repo.server.borrow().files[&name].clone();
    snapshot.push(b' ');
    repo.server.borrow_mut().files.insert(name, snapshot);
    let err = refresh(&repo, dir.path()).expect_err("hash mismatch");
    assert!(
        matches!(
            err,
            TufError::LengthOrHashMismatch(_) | TufError::TooLong { .. }
        ),
        "{err}"
    );
    assert_eq!(trusted_version(dir.path(), "snapshot"), None);
}

#[test]
fn snapshot_may_not_drop_or_roll_back_roles() {
    let mut repo = Repo::new();
    repo.delegate("targets", "role1", &["*"], false);
    repo.targets.get_mut("role1").expect("role1")["version"] = json!(4);
    repo.publish();
    let dir = client_dir(&repo, 1);
    refresh(&repo, dir.path()).expect("first");
    // Roll role1 back.
    repo.targets.get_mut("role1").expect("role1")["version"] = json!(3);
    Repo::bump(&mut repo.snapshot);
    Repo::bump(&mut repo.timestamp);
    repo.publish();
    let err = refresh(&repo, dir.path()).expect_err("role rollback");
    assert!(
        matches!(err, TufError::BadVersion { ref role, .. } if role == "snapshot"),
        "{err}"
    );
    // Drop role1.
    repo.targets.remove("role1");
    Repo::bump(&mut repo.snapshot);
    Repo::bump(&mut repo.timestamp);
    repo.publish();
    let err = refresh(&repo, dir.path()).expect_err("role dropped");
    assert!(matches!(err, TufError::Repository(_)), "{err}");
}

#[test]
fn targets_must_have_the_version_snapshot_names() {
    let mut repo = Repo::new();
    repo.publish();
    let dir = client_dir(&repo, 1);
    // Serve targets v2 under the name of v1.
    let mut t = repo.targets["targets"].clone();
    t["version"] = json!(2);
    let bytes = custody_tuf::signing::sign_metadata(&t, &repo.signers("targets")).expect("sign");
    repo.server
        .borrow_mut()
        .files
        .insert(format!("{}1.targets.json", support::METADATA_URL), bytes);
    let err = refresh(&repo, dir.path()).expect_err("version mismatch");
    assert!(
        matches!(err, TufError::BadVersion { ref role, .. } if role == "targets"),
        "{err}"
    );
}

#[test]
fn endless_data_is_cut_off() {
    let mut repo = Repo::new();
    repo.timestamp["padding"] = json!("x".repeat(20_000));
    repo.publish();
    let dir = client_dir(&repo, 1);
    let err = refresh(&repo, dir.path()).expect_err("timestamp too long");
    assert!(
        matches!(err, TufError::TooLong { limit: 16_384, .. }),
        "{err}"
    );
}

#[test]
fn signatures_below_threshold_or_duplicated_do_not_count() {
    let mut repo = Repo::new();
    // Targets needs two signatures; the same key listed twice under two IDs.
    let k = repo.keys["targets"][0].clone();
    let alias = "alias-of-the-targets-key".to_owned();
    repo.root["keys"][&alias] = k.public_key().to_sslib_json_value(false).expect("json");
    repo.root["roles"]["targets"]["keyids"] = json!([keyid(&k), alias]);
    repo.root["roles"]["targets"]["threshold"] = json!(2);
    Repo::bump(&mut repo.root);
    repo.publish_root();
    repo.publish();
    let dir = client_dir(&repo, 2);
    // Sign targets twice: once under each ID.
    let t = &repo.targets["targets"];
    let bytes = custody_tuf::signing::sign_metadata(t, &[&k]).expect("sign");
    let mut doc: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    let sig = doc["signatures"][0]["sig"].clone();
    doc["signatures"]
        .as_array_mut()
        .expect("array")
        .push(json!({"keyid": "alias-of-the-targets-key", "sig": sig}));
    repo.server.borrow_mut().files.insert(
        format!("{}1.targets.json", support::METADATA_URL),
        serde_json::to_vec(&doc).expect("bytes"),
    );
    let err = refresh(&repo, dir.path()).expect_err("one key counted twice");
    assert!(
        matches!(err, TufError::Unsigned { ref role, .. } if role == "targets"),
        "{err}"
    );
}

#[test]
fn delegations_are_searched_depth_first_in_order() {
    let mut repo = Repo::new();
    repo.delegate("targets", "a", &["*.txt"], false);
    repo.delegate("targets", "b", &["*"], false);
    repo.delegate("a", "a-child", &["*"], false);
    repo.add_target("a-child", "file.txt", b"from a-child");
    repo.add_target("b", "file.txt", b"from b");
    repo.add_target("b", "other.bin", b"only b");
    repo.publish();
    let dir = client_dir(&repo, 1);
    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    let info = u.target_info("file.txt").expect("search").expect("found");
    assert_eq!(
        info.file.length,
        b"from a-child".len() as u64,
        "a's subtree comes first"
    );
    let info = u.target_info("other.bin").expect("search").expect("found");
    assert_eq!(info.file.length, 6);
    assert!(u.target_info("nested/file.txt").expect("search").is_none());
    assert_eq!(trusted_version(dir.path(), "a-child"), Some(1));
}

#[test]
fn terminating_delegations_end_the_search() {
    let mut repo = Repo::new();
    repo.delegate("targets", "a", &["*"], true);
    repo.delegate("targets", "b", &["*"], false);
    repo.add_target("b", "file", b"b");
    repo.publish();
    let dir = client_dir(&repo, 1);
    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    assert!(u.target_info("file").expect("search").is_none());
    assert_eq!(trusted_version(dir.path(), "b"), None, "b is never loaded");
}

#[test]
fn delegation_cycles_and_long_chains_are_bounded() {
    let mut repo = Repo::new();
    repo.delegate("targets", "a", &["*"], false);
    repo.delegate("a", "b", &["*"], false);
    // b delegates back to a (a cycle).
    let a_key = repo.keys["a"][0].clone();
    let b = repo.targets.get_mut("b").expect("b");
    b["delegations"] = json!({"keys": {keyid(&a_key): a_key.public_key().to_sslib_json_value(false).expect("json")},
        "roles": [{"name": "a", "keyids": [keyid(&a_key)], "threshold": 1, "terminating": false, "paths": ["*"]}]});
    repo.publish();
    let dir = client_dir(&repo, 1);
    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    assert!(u.target_info("x").expect("search ends").is_none());
}

#[test]
fn role_names_never_escape_the_metadata_directory() {
    let mut repo = Repo::new();
    for name in ["../escape", "a/b", "?", "#", "é"] {
        repo.delegate("targets", name, &["*"], false);
    }
    repo.add_target("é", "t", b"t");
    repo.publish();
    let parent = tempfile::tempdir().expect("temp dir");
    let dir = parent.path().join("metadata");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("root.json"), &repo.roots[&1]).expect("root");
    let mut u = updater(&repo, &dir, NOW).expect("updater");
    assert!(u.target_info("t").expect("search").is_some());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "%23.json",
            "%3F.json",
            "%C3%A9.json",
            "..%2Fescape.json",
            ".custody-verified",
            "a%2Fb.json",
            "root.json",
            "snapshot.json",
            "targets.json",
            "timestamp.json"
        ]
    );
    assert_eq!(
        std::fs::read_dir(parent.path()).expect("list").count(),
        1,
        "nothing written next to the metadata directory"
    );
    assert!(
        repo.requests()
            .iter()
            .any(|u| u.ends_with("/1...%2Fescape.json")),
        "{:?}",
        repo.requests()
    );
}

#[test]
fn target_names_never_escape_the_target_directory() {
    let mut repo = Repo::new();
    repo.add_target("targets", "../../evil", b"x");
    repo.publish();
    let dir = client_dir(&repo, 1);
    let parent = tempfile::tempdir().expect("temp dir");
    let out = parent.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    let info = u.target_info("../../evil").expect("search").expect("found");
    let path = u
        .download_target(&info, &out, support::TARGETS_URL)
        .expect("download");
    assert_eq!(path, out.join("..%2F..%2Fevil"));
    assert_eq!(std::fs::read_dir(parent.path()).expect("list").count(), 1);
}

/// parent-b (already delegated to) delegates a role named `release` to a key of its own;
/// `release`, as the repository signs it, lists one target under each team's path.
fn parent_b_delegates_release_to_its_own_key(repo: &mut Repo) {
    let other = key();
    let b = repo.targets.get_mut("parent-b").expect("parent-b");
    b["delegations"] = json!({
        "keys": {keyid(&other): other.public_key().to_sslib_json_value(false).expect("json")},
        "roles": [{"name": "release", "keyids": [keyid(&other)], "threshold": 1,
                   "terminating": false, "paths": ["team-b/*"]}]});
    repo.add_target("release", "team-a/app", b"trusted A");
    repo.add_target("release", "team-b/app", b"evil B");
    repo.publish();
}

#[test]
fn a_role_reached_through_another_delegator_is_verified_again() {
    let mut repo = Repo::new();
    repo.delegate("targets", "parent-a", &["team-a/*"], false);
    repo.delegate("targets", "parent-b", &["team-b/*"], false);
    repo.delegate("parent-a", "release", &["team-a/*"], false);
    parent_b_delegates_release_to_its_own_key(&mut repo);
    let dir = client_dir(&repo, 1);
    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    assert!(u.target_info("team-a/app").expect("via parent-a").is_some());
    let err = u
        .target_info("team-b/app")
        .expect_err("release is not signed by parent-b's key");
    assert!(
        matches!(err, TufError::Unsigned { ref role, .. } if role == "release"),
        "{err}"
    );
}

#[test]
fn a_compromised_key_below_the_threshold_cannot_sign_alone() {
    let mut repo = Repo::new();
    let second = key();
    repo.root["keys"][keyid(&second)] = second
        .public_key()
        .to_sslib_json_value(false)
        .expect("json");
    let first = keyid(&repo.keys["targets"][0]);
    repo.root["roles"]["targets"] = json!({"keyids": [first, keyid(&second)], "threshold": 2});
    Repo::bump(&mut repo.root);
    repo.publish_root();
    // Only the compromised first key signs.
    repo.publish();
    let dir = client_dir(&repo, 1);
    let err = refresh(&repo, dir.path()).expect_err("one of two signatures");
    assert!(
        matches!(err, TufError::Unsigned { ref role, .. } if role == "targets"),
        "{err}"
    );
    // Both sign: accepted.
    repo.keys.get_mut("targets").expect("targets").push(second);
    repo.publish();
    refresh(&repo, dir.path()).expect("threshold met");
}

#[test]
fn a_role_cannot_add_targets_outside_its_delegated_paths() {
    // Extraneous dependencies: a role trusted for "b/*" lists "a/evil"; no client finds it.
    let mut repo = Repo::new();
    repo.delegate("targets", "b", &["b/*"], false);
    repo.add_target("b", "a/evil", b"evil");
    repo.add_target("b", "b/good", b"good");
    repo.publish();
    let dir = client_dir(&repo, 1);
    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    assert!(u.target_info("a/evil").expect("search").is_none());
    assert!(u.target_info("b/good").expect("search").is_some());
}

#[test]
fn metadata_downloads_are_retried_after_network_errors_only() {
    use custody_tuf::fetch::Fetcher;
    use std::cell::Cell;
    /// Fails the first `failures` requests of timestamp.json with a network error.
    struct Flaky {
        inner: support::SimFetcher,
        failures: Cell<u32>,
    }
    impl Fetcher for Flaky {
        fn fetch(&self, url: &str, max: u64) -> Result<Vec<u8>, TufError> {
            if url.ends_with("timestamp.json") && self.failures.get() > 0 {
                self.failures.set(self.failures.get() - 1);
                return Err(TufError::Download {
                    url: url.into(),
                    reason: "connection reset".into(),
                    status: None,
                });
            }
            self.inner.fetch(url, max)
        }
    }
    let repo = Repo::new();
    for (failures, ok) in [(2, true), (3, false)] {
        let dir = client_dir(&repo, 1);
        let fetcher = Flaky {
            inner: repo.fetcher(),
            failures: Cell::new(failures),
        };
        let config = custody_tuf::updater::UpdaterConfig::new(
            dir.path().to_path_buf(),
            support::METADATA_URL.to_owned(),
        );
        let mut u =
            custody_tuf::updater::Updater::with_fetcher(config, fetcher, NOW).expect("updater");
        assert_eq!(u.refresh().is_ok(), ok, "{failures} failures");
    }
}

/// Large documents are canonicalised and their signatures checked on a second thread
/// while their content is read: the verdicts must be those of the one-thread path.
#[test]
fn large_documents_are_verified_like_small_ones() {
    let mut repo = Repo::new();
    for i in 0..400 {
        repo.add_target(
            "targets",
            &format!("dir/file-{i}.txt"),
            format!("{i}").as_bytes(),
        );
    }
    for i in 0..300 {
        repo.delegate(
            "targets",
            &format!("role-{i}"),
            &[&format!("r{i}/*")],
            false,
        );
    }
    repo.publish();
    let name = format!("{}1.targets.json", support::METADATA_URL);
    let good = repo.server.borrow().files[&name].clone();
    assert!(
        good.len() > 64 * 1024,
        "targets is large: {} bytes",
        good.len()
    );
    let dir = client_dir(&repo, 1);
    refresh(&repo, dir.path()).expect("large, well signed");

    // Signed by a key targets does not have.
    let stranger = key();
    let forged =
        custody_tuf::signing::sign_metadata(&repo.targets["targets"], &[&stranger]).expect("sign");
    assert_eq!(forged.len(), good.len(), "same size, other key");
    repo.server.borrow_mut().files.insert(name.clone(), forged);
    let dir = client_dir(&repo, 1);
    let err = refresh(&repo, dir.path()).expect_err("wrong key");
    assert!(
        matches!(err, TufError::Unsigned { ref role, .. } if role == "targets"),
        "{err}"
    );
    assert_eq!(trusted_version(dir.path(), "targets"), None);

    // Malformed and badly signed: the malformed document is what is reported.
    let mut doc = repo.targets["targets"].clone();
    doc["version"] = json!(0);
    let bad = custody_tuf::signing::sign_metadata(&doc, &[&stranger]).expect("sign");
    repo.server.borrow_mut().files.insert(name, bad);
    let dir = client_dir(&repo, 1);
    let err = refresh(&repo, dir.path()).expect_err("malformed");
    assert!(matches!(err, TufError::Malformed { .. }), "{err}");
}

/// A repository with two delegated roles, one target in each and one in top-level targets,
/// and a client directory that has fetched everything once.
fn repo_with_local_roles() -> (Repo, tempfile::TempDir, Vec<String>) {
    let mut repo = Repo::new();
    repo.delegate("targets", "a", &["a/*"], false);
    repo.delegate("targets", "b", &["b/*"], false);
    repo.add_target("a", "a/1", b"one in a");
    repo.add_target("b", "b/1", b"one in b");
    repo.add_target("targets", "top", b"at the top");
    repo.publish();
    let dir = client_dir(&repo, 1);
    let names: Vec<String> = ["b/1", "top", "a/1", "a/missing", "elsewhere"]
        .map(str::to_owned)
        .into();
    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    for name in &names {
        u.target_info(name).expect("first search");
    }
    repo.clear_requests();
    (repo, dir, names)
}

#[test]
fn preloaded_roles_give_the_same_answers_and_requests() {
    let (repo, dir, names) = repo_with_local_roles();
    let mut plain = updater(&repo, dir.path(), NOW).expect("updater");
    let expected: Vec<_> = names
        .iter()
        .map(|n| plain.target_info(n).expect("search"))
        .collect();
    let plain_requests = repo.requested();
    assert_eq!(plain_requests, ["2.root.json", "timestamp.json"]);
    repo.clear_requests();

    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    u.preload_local_roles(&names).expect("preload");
    let found: Vec<_> = names
        .iter()
        .map(|n| u.target_info(n).expect("search"))
        .collect();
    assert_eq!(found, expected);
    assert_eq!(
        repo.requested(),
        plain_requests,
        "no request added or moved"
    );
    assert!(found[0].is_some() && found[1].is_some() && found[2].is_some());
}

#[test]
fn a_preloaded_role_that_does_not_verify_is_fetched_again() {
    let (repo, dir, names) = repo_with_local_roles();
    let local = dir.path().join("a.json");
    let good = std::fs::read(&local).expect("a.json");
    let mut bad = good.clone();
    let at = bad.len() / 2;
    bad[at] ^= 1;
    std::fs::write(&local, &bad).expect("tamper");
    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    u.preload_local_roles(&names).expect("preload");
    let info = u.target_info("a/1").expect("search").expect("found");
    assert_eq!(info.file.length, b"one in a".len() as u64);
    assert_eq!(
        repo.requested(),
        ["2.root.json", "timestamp.json", "1.a.json"],
        "the tampered copy is replaced from the repository"
    );
    assert_eq!(std::fs::read(&local).expect("a.json"), good);
}

#[test]
fn a_preloaded_role_is_not_trusted_through_another_delegator() {
    let mut repo = Repo::new();
    repo.delegate("targets", "parent-b", &["team-b/*"], false);
    repo.delegate("targets", "release", &["team-a/*"], false);
    parent_b_delegates_release_to_its_own_key(&mut repo);
    let dir = client_dir(&repo, 1);
    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    assert!(u.target_info("team-a/app").expect("search").is_some());
    // A new run preloads release (signed by the key targets gives it), then looks up a
    // name that reaches release through parent-b first.
    let names = ["team-b/app".to_owned(), "team-a/app".to_owned()];
    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    u.preload_local_roles(&names).expect("preload");
    let err = u
        .target_info("team-b/app")
        .expect_err("release is not signed by parent-b's key");
    assert!(
        matches!(err, TufError::Unsigned { ref role, .. } if role == "release"),
        "{err}"
    );
}

/// Local targets.json re-signed by a key the root does not list (still well-formed, same
/// version), as a tampered or corrupted copy would be.
fn resign_local_targets_with_a_foreign_key(repo: &Repo, dir: &std::path::Path) -> Vec<u8> {
    let foreign = key();
    let bytes =
        custody_tuf::signing::sign_metadata(&repo.targets["targets"], &[&*foreign]).expect("sign");
    std::fs::write(dir.join("targets.json"), &bytes).expect("tamper");
    bytes
}

/// Record in the client's memo that `bytes` met the trusted root's targets keys, as a full
/// check would have.
fn remember_targets_check(repo: &Repo, dir: &std::path::Path, bytes: &[u8]) {
    let u = updater(repo, dir, NOW).expect("updater");
    let root = &u.trusted().root().payload;
    let signers = custody_tuf::metadata::Signers {
        role: "targets",
        role_keys: root.role("targets").expect("targets role"),
        keys: &root.keys,
    };
    let mut memo = custody_tuf::memo::SignatureMemo::load(dir);
    memo.record(custody_tuf::memo::SignatureDigest::of(&signers, bytes));
    memo.save(dir).expect("save memo");
}

#[test]
fn remembered_signature_checks_cover_only_the_same_bytes() {
    let repo = Repo::new();
    let dir = client_dir(&repo, 1);
    refresh(&repo, dir.path()).expect("first");
    assert!(
        dir.path().join(custody_tuf::memo::FILE_NAME).exists(),
        "checks made in full are remembered"
    );
    refresh(&repo, dir.path()).expect("second, from remembered checks");
    resign_local_targets_with_a_foreign_key(&repo, dir.path());
    repo.clear_requests();
    refresh(&repo, dir.path()).expect("third");
    assert_eq!(
        repo.requested(),
        ["2.root.json", "timestamp.json", "1.targets.json"],
        "changed bytes are checked in full, refused, and fetched again"
    );
}

#[test]
fn a_remembered_check_is_trusted_like_the_rest_of_the_metadata_directory() {
    // The memo is part of the client's trusted state: an entry for exactly these bytes
    // and signers makes the signature check unnecessary (whoever can write it can
    // replace root.json as well).
    let repo = Repo::new();
    let dir = client_dir(&repo, 1);
    refresh(&repo, dir.path()).expect("first");
    let bytes = resign_local_targets_with_a_foreign_key(&repo, dir.path());
    remember_targets_check(&repo, dir.path(), &bytes);
    repo.clear_requests();
    refresh(&repo, dir.path()).expect("refresh");
    assert_eq!(repo.requested(), ["2.root.json", "timestamp.json"]);
    // Another key set for the same role does not match the entry.
    let u = updater(&repo, dir.path(), NOW).expect("updater");
    let root = &u.trusted().root().payload;
    let signers = custody_tuf::metadata::Signers {
        role: "targets",
        role_keys: root.role("targets").expect("targets role"),
        keys: &root.keys,
    };
    let other = key();
    let role_keys = custody_tuf::keys::RoleKeys {
        keyids: vec![keyid(&other)],
        threshold: 1,
    };
    let rotated = custody_tuf::metadata::Signers {
        role: "targets",
        role_keys: &role_keys,
        keys: &root.keys,
    };
    assert_ne!(
        custody_tuf::memo::SignatureDigest::of(&rotated, &bytes),
        custody_tuf::memo::SignatureDigest::of(&signers, &bytes)
    );
}

#[test]
fn a_new_trusted_root_key_set_is_not_covered_by_old_checks() {
    // A new root rotates the targets key; targets keeps its version and is only signed
    // again. The local copy (signed by the old key, remembered as checked) must be
    // checked against the new key, refused and fetched again.
    let mut repo = Repo::new();
    let dir = client_dir(&repo, 1);
    refresh(&repo, dir.path()).expect("first");
    rotate_role_key(&mut repo, "targets");
    Repo::bump(&mut repo.timestamp);
    repo.publish();
    repo.clear_requests();
    refresh(&repo, dir.path()).expect("after rotation");
    assert_eq!(
        repo.requested(),
        [
            "2.root.json",
            "3.root.json",
            "timestamp.json",
            "1.targets.json"
        ]
    );
}

/// A repository whose top-level targets file is over 64 KiB (1,000 targets).
fn repo_with_large_targets() -> Repo {
    let mut repo = Repo::new();
    for i in 0..1000 {
        repo.add_target(
            "targets",
            &format!("dir/file-{i}.txt"),
            format!("content {i}").as_bytes(),
        );
    }
    repo.publish();
    let name = format!("{}1.targets.json", support::METADATA_URL);
    assert!(repo.server.borrow().files[&name].len() > 64 * 1024);
    repo
}

#[test]
fn a_large_remembered_targets_file_is_read_when_a_look_up_needs_it() {
    let repo = repo_with_large_targets();
    let dir = client_dir(&repo, 1);
    let mut first = updater(&repo, dir.path(), NOW).expect("updater");
    let expected = first.target_info("dir/file-123.txt").expect("search");
    assert!(expected.is_some());
    repo.clear_requests();
    // The next run trusts the local copy from its remembered check; its entries are read
    // at the first look-up, and say the same.
    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    u.refresh().expect("refresh");
    assert_eq!(
        u.trusted().targets("targets").map(|t| t.common.version),
        Some(1)
    );
    assert_eq!(u.target_info("dir/file-123.txt").expect("search"), expected);
    assert_eq!(u.target_info("dir/missing").expect("search"), None);
    assert_eq!(repo.requested(), ["2.root.json", "timestamp.json"]);
    // A second key set still checks the remembered document in full.
    let targets = u.trusted().targets("targets").expect("trusted");
    let root = &u.trusted().root().payload;
    targets
        .verify_also("targets", root.role("targets").expect("role"), &root.keys)
        .expect("signed by the targets key");
    let err = targets
        .verify_also("targets", root.role("snapshot").expect("role"), &root.keys)
        .expect_err("not signed by the snapshot key");
    assert!(matches!(err, TufError::Unsigned { .. }), "{err}");
}

#[test]
fn entries_that_cannot_be_read_fail_the_look_up() {
    // Only a forged memo entry can make a remembered document's entries unreadable (they
    // were read when it was accepted); the look-up then fails, it does not skip them.
    let mut repo = repo_with_large_targets();
    let dir = client_dir(&repo, 1);
    refresh(&repo, dir.path()).expect("first");
    repo.targets.get_mut("targets").expect("targets")["targets"]["dir/bad"] =
        json!({"length": "not a number", "hashes": {}});
    let bytes =
        custody_tuf::signing::sign_metadata(&repo.targets["targets"], &repo.signers("targets"))
            .expect("sign");
    std::fs::write(dir.path().join("targets.json"), &bytes).expect("write");
    remember_targets_check(&repo, dir.path(), &bytes);
    let mut u = updater(&repo, dir.path(), NOW).expect("updater");
    u.refresh().expect("version and expiry are readable");
    let err = u
        .target_info("dir/file-1.txt")
        .expect_err("entries unreadable");
    assert!(matches!(err, TufError::Malformed { .. }), "{err}");
}
