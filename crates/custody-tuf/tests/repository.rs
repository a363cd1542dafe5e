//! The repository side, checked by the client: every edit a maintainer makes must leave a
//! repository that `Updater` (over `file://` URLs) accepts, with the targets where they
//! should be.

use custody_crypto::keys::{KeyType, PrivateKey, PublicKey};
use custody_tuf::repository::{
    Delegation, DelegationKind, InitOptions, PathSpec, Repository, Settings, sign_metadata_file,
};
use custody_tuf::updater::{Updater, UpdaterConfig};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;

struct Keys {
    root: PrivateKey,
    targets: PrivateKey,
    snapshot: PrivateKey,
    timestamp: PrivateKey,
}

fn key() -> PrivateKey {
    PrivateKey::generate(KeyType::Ed25519).expect("key")
}

fn new_repo(dir: &Path, consistent: bool) -> (Repository, Keys) {
    let keys = Keys {
        root: key(),
        targets: key(),
        snapshot: key(),
        timestamp: key(),
    };
    let mut by_role: BTreeMap<String, Vec<PublicKey>> = BTreeMap::new();
    for (role, k) in [
        ("root", &keys.root),
        ("targets", &keys.targets),
        ("snapshot", &keys.snapshot),
        ("timestamp", &keys.timestamp),
    ] {
        by_role.insert(role.into(), vec![k.public_key()]);
    }
    let options = InitOptions {
        keys: by_role,
        thresholds: BTreeMap::new(),
        consistent_snapshot: consistent,
        settings: Settings::default(),
    };
    let all = [
        clone(&keys.root),
        clone(&keys.targets),
        clone(&keys.snapshot),
        clone(&keys.timestamp),
    ];
    let (repo, report) = Repository::init(dir, &options, &all).expect("init");
    assert!(report.pending.is_empty(), "{report:?}");
    (repo, keys)
}

fn clone(k: &PrivateKey) -> PrivateKey {
    let pem = k.to_pkcs8_pem(None).expect("pem");
    PrivateKey::from_pkcs8_pem(pem.as_bytes(), None, None).expect("key")
}

fn online(keys: &Keys) -> Vec<PrivateKey> {
    vec![
        clone(&keys.targets),
        clone(&keys.snapshot),
        clone(&keys.timestamp),
    ]
}

/// A client trusting root v1, refreshed against the repository; `Err` if refused.
fn client(repo: &Path, md: &Path) -> Result<Updater, custody_tuf::TufError> {
    if !md.join("root.json").exists() {
        std::fs::create_dir_all(md).expect("mkdir");
        std::fs::copy(repo.join("metadata/1.root.json"), md.join("root.json")).expect("root");
    }
    let url = format!("file://{}/metadata/", repo.display());
    let mut u = Updater::new(UpdaterConfig::new(md.to_path_buf(), url))?;
    u.refresh()?;
    Ok(u)
}

fn download(u: &mut Updater, repo: &Path, target: &str, out: &Path) -> Option<Vec<u8>> {
    let info = u.target_info(target).expect("search")?;
    std::fs::create_dir_all(out).expect("mkdir");
    let url = format!("file://{}/targets/", repo.display());
    let path = u.download_target(&info, out, &url).expect("download");
    Some(std::fs::read(path).expect("read"))
}

#[test]
fn a_new_repository_is_trusted_by_the_client() {
    for consistent in [true, false] {
        let tmp = tempfile::tempdir().expect("temp dir");
        let repo = tmp.path().join("repo");
        new_repo(&repo, consistent);
        let u = client(&repo, &tmp.path().join("md")).expect("client accepts it");
        assert_eq!(u.trusted().root().common.version, 1);
        assert!(
            Repository::init(
                &repo,
                &InitOptions {
                    keys: BTreeMap::new(),
                    thresholds: BTreeMap::new(),
                    consistent_snapshot: true,
                    settings: Settings::default(),
                },
                &[]
            )
            .is_err(),
            "init refuses an existing repository"
        );
    }
}

#[test]
fn targets_are_added_delegated_and_removed() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo_dir = tmp.path().join("repo");
    let (repo, keys) = new_repo(&repo_dir, true);
    let files = tmp.path().join("files");
    std::fs::create_dir_all(files.join("sub")).expect("mkdir");
    std::fs::write(files.join("app.tar.gz"), b"app v1").expect("write");
    std::fs::write(files.join("sub/lib.so"), b"lib").expect("write");
    let report = repo
        .add_targets(
            &[
                ("app.tar.gz".into(), files.join("app.tar.gz")),
                ("sub/lib.so".into(), files.join("sub/lib.so")),
            ],
            Some(&json!({"release": "1.0"})),
            None,
            &online(&keys),
        )
        .expect("add");
    let mut published = report.published.clone();
    published.sort();
    assert_eq!(
        published,
        [
            ("snapshot".to_owned(), 2),
            ("targets".to_owned(), 2),
            ("timestamp".to_owned(), 2)
        ]
    );
    let md = tmp.path().join("md");
    let out = tmp.path().join("out");
    let mut u = client(&repo_dir, &md).expect("refresh");
    assert_eq!(
        download(&mut u, &repo_dir, "sub/lib.so", &out),
        Some(b"lib".to_vec())
    );
    let info = u.target_info("app.tar.gz").expect("search").expect("found");
    assert_eq!(info.file.custom, Some(json!({"release": "1.0"})));

    // A delegated role for docs/*.
    let docs_key = key();
    repo.delegate(
        "targets",
        &Delegation {
            keys: vec![docs_key.public_key()],
            threshold: 1,
            kind: DelegationKind::Role {
                name: "docs".into(),
                paths: PathSpec::Patterns(vec!["docs/*".into()]),
                terminating: true,
            },
        },
        &online(&keys),
    )
    .expect("delegate");
    std::fs::write(files.join("guide.md"), b"read me").expect("write");
    let mut with_docs = online(&keys);
    with_docs.push(clone(&docs_key));
    repo.add_targets(
        &[("docs/guide.md".into(), files.join("guide.md"))],
        None,
        Some("docs"),
        &with_docs,
    )
    .expect("add to docs");
    let mut u = client(&repo_dir, &md).expect("refresh");
    assert_eq!(
        download(&mut u, &repo_dir, "docs/guide.md", &out),
        Some(b"read me".to_vec())
    );

    repo.remove_targets(&["app.tar.gz".into()], &online(&keys))
        .expect("remove");
    let mut u = client(&repo_dir, &md).expect("refresh");
    assert!(u.target_info("app.tar.gz").expect("search").is_none());
    assert!(
        repo.remove_targets(&["nope".into()], &online(&keys))
            .is_err()
    );
}

#[test]
fn without_the_online_keys_targets_wait_for_snapshot_and_timestamp() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo_dir = tmp.path().join("repo");
    let (repo, keys) = new_repo(&repo_dir, true);
    std::fs::write(tmp.path().join("f"), b"f").expect("write");
    let report = repo
        .add_targets(
            &[("f".into(), tmp.path().join("f"))],
            None,
            None,
            &[clone(&keys.targets)],
        )
        .expect("add");
    assert_eq!(report.missing_keys, ["snapshot"]);
    let mut u = client(&repo_dir, &tmp.path().join("md")).expect("refresh");
    assert!(
        u.target_info("f").expect("search").is_none(),
        "not in a snapshot yet"
    );
    let mut report = custody_tuf::repository::Report::default();
    repo.refresh_snapshot(
        &[clone(&keys.snapshot), clone(&keys.timestamp)],
        &mut report,
    )
    .expect("snapshot");
    let mut u = client(&repo_dir, &tmp.path().join("md")).expect("refresh");
    assert!(u.target_info("f").expect("search").is_some());
}

#[test]
fn root_rotation_needs_old_and_new_keys_and_works_offline() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo_dir = tmp.path().join("repo");
    let (repo, keys) = new_repo(&repo_dir, true);
    let md = tmp.path().join("md");
    client(&repo_dir, &md).expect("v1");
    // Replace the root key. Only the online keys at hand: the new root is staged.
    let new_root = key();
    let old_id = keys.root.public_key().key_id().as_str().to_owned();
    let new_public = new_root.public_key();
    let edit = |root: &mut serde_json::Value| {
        let id = new_public.key_id().as_str().to_owned();
        root["keys"][&id] = new_public.to_sslib_json_value(false).expect("json");
        root["keys"].as_object_mut().expect("keys").remove(&old_id);
        root["roles"]["root"]["keyids"] = json!([id]);
        Ok(())
    };
    let report = repo.edit_root(&online(&keys), edit).expect("edit");
    assert_eq!(report.pending.len(), 1, "{report:?}");
    // Offline: both root keys sign the staged file elsewhere, and it comes back.
    let staged = std::fs::read(repo_dir.join("staged/root.json")).expect("staged");
    let signed = sign_metadata_file(&staged, &[clone(&keys.root), clone(&new_root)])
        .expect("offline signing");
    let report = repo
        .sign("root", &online(&keys), Some(&signed))
        .expect("import");
    assert!(
        report.published.contains(&("root".to_owned(), 2)),
        "{report:?}"
    );
    assert!(!repo_dir.join("staged/root.json").exists());
    let u = client(&repo_dir, &md).expect("rotated root accepted");
    assert_eq!(u.trusted().root().common.version, 2);
    // A file signed for other content is refused.
    let err = repo
        .sign("root", &[], Some(&signed))
        .expect_err("nothing staged");
    assert!(err.to_string().contains("nothing is waiting"), "{err}");
}

#[test]
fn hash_bins_spread_many_targets() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo_dir = tmp.path().join("repo");
    let (repo, keys) = new_repo(&repo_dir, true);
    let bin_key = key();
    let mut signers = online(&keys);
    signers.push(clone(&bin_key));
    repo.delegate(
        "targets",
        &Delegation {
            keys: vec![bin_key.public_key()],
            threshold: 1,
            kind: DelegationKind::HashBins {
                bit_length: 4,
                prefix: "bins".into(),
            },
        },
        &signers,
    )
    .expect("bins");
    let files = tmp.path().join("files");
    std::fs::create_dir_all(&files).expect("mkdir");
    let mut list = Vec::new();
    for i in 0..60 {
        let p = files.join(format!("f{i}"));
        std::fs::write(&p, format!("file {i}")).expect("write");
        list.push((format!("pkg/f{i}"), p));
    }
    let report = repo.add_targets(&list, None, None, &signers).expect("add");
    assert!(report.published.len() > 10, "{report:?}");
    let mut u = client(&repo_dir, &tmp.path().join("md")).expect("refresh");
    let out = tmp.path().join("out");
    for i in [0, 17, 59] {
        assert_eq!(
            download(&mut u, &repo_dir, &format!("pkg/f{i}"), &out),
            Some(format!("file {i}").into_bytes())
        );
    }
    assert_eq!(repo.targets_roles().expect("roles").len(), 17);
}

#[test]
fn delegated_keys_rotate_and_delegations_are_revoked() {
    use custody_tuf::repository::KeyRef;
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo_dir = tmp.path().join("repo");
    let (repo, keys) = new_repo(&repo_dir, true);
    let old = key();
    let mut signers = online(&keys);
    signers.push(clone(&old));
    repo.delegate(
        "targets",
        &Delegation {
            keys: vec![old.public_key()],
            threshold: 1,
            kind: DelegationKind::Role {
                name: "team".into(),
                paths: PathSpec::Patterns(vec!["team/*".into()]),
                terminating: false,
            },
        },
        &signers,
    )
    .expect("delegate");
    std::fs::write(tmp.path().join("a"), b"a").expect("write");
    repo.add_targets(
        &[("team/a".into(), tmp.path().join("a"))],
        None,
        Some("team"),
        &signers,
    )
    .expect("add");
    let md = tmp.path().join("md");
    let mut u = client(&repo_dir, &md).expect("refresh");
    assert!(u.target_info("team/a").expect("search").is_some());
    // Rotate the team's key: the old one is revoked, the new one signs.
    let new = key();
    let mut with_new = online(&keys);
    with_new.push(clone(&new));
    let report = repo
        .rotate_delegated(
            "team",
            &[new.public_key()],
            &[KeyRef::Key(Box::new(old.public_key()))],
            None,
            &with_new,
        )
        .expect("rotate");
    assert!(
        report.published.iter().any(|(r, _)| r == "team"),
        "{report:?}"
    );
    let mut u = client(&repo_dir, &md).expect("refresh after rotation");
    assert!(u.target_info("team/a").expect("search").is_some());
    // The old key alone can no longer publish for the team.
    std::fs::write(tmp.path().join("b"), b"b").expect("write");
    let mut old_only = online(&keys);
    old_only.push(clone(&old));
    let report = repo
        .add_targets(
            &[("team/b".into(), tmp.path().join("b"))],
            None,
            Some("team"),
            &old_only,
        )
        .expect("add is staged");
    assert_eq!(report.pending.len(), 1, "{report:?}");
    // Re-signing keeps a role from expiring; revoking drops it.
    let report = repo.resign(&["team".into()], &with_new).expect("resign");
    assert!(
        report.published.iter().any(|(r, _)| r == "team"),
        "{report:?}"
    );
    repo.revoke_delegation("team", &online(&keys))
        .expect("revoke");
    let mut u = client(&repo_dir, &md).expect("refresh after revocation");
    assert!(u.target_info("team/a").expect("search").is_none());
    assert!(repo.revoke_delegation("team", &online(&keys)).is_err());
}

#[test]
fn publishing_copies_what_changed_and_clients_read_the_copy() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo_dir = tmp.path().join("repo");
    let (repo, keys) = new_repo(&repo_dir, true);
    std::fs::write(tmp.path().join("f"), b"f").expect("write");
    repo.add_targets(
        &[("f".into(), tmp.path().join("f"))],
        None,
        None,
        &online(&keys),
    )
    .expect("add");
    let www = tmp.path().join("www");
    let first = repo.publish(&www).expect("publish");
    assert!(first.copied >= 6 && first.unchanged == 0, "{first:?}");
    let again = repo.publish(&www).expect("publish again");
    assert_eq!((again.copied, again.unchanged), (0, first.copied));
    let mut u = client(&www, &tmp.path().join("md")).expect("client reads the published copy");
    assert_eq!(
        download(&mut u, &www, "f", &tmp.path().join("out")),
        Some(b"f".to_vec())
    );
}

#[test]
fn a_bad_target_name_stops_the_add_before_anything_is_written() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo_dir = tmp.path().join("repo");
    let (repo, keys) = new_repo(&repo_dir, true);
    std::fs::write(tmp.path().join("f"), b"f").expect("write");
    let before: Vec<_> = std::fs::read_dir(repo_dir.join("targets"))
        .map(|d| d.map(|e| e.expect("entry").file_name()).collect())
        .unwrap_or_default();
    let err = repo
        .add_targets(
            &[
                ("ok/f".into(), tmp.path().join("f")),
                ("../escape/f".into(), tmp.path().join("f")),
            ],
            None,
            None,
            &online(&keys),
        )
        .expect_err("bad name");
    assert!(matches!(err, custody_tuf::TufError::Usage(_)), "{err}");
    let after: Vec<_> = std::fs::read_dir(repo_dir.join("targets"))
        .map(|d| d.map(|e| e.expect("entry").file_name()).collect())
        .unwrap_or_default();
    assert_eq!(after, before, "no directory or file made for any target");
    assert!(!repo_dir.join("escape").exists() && !tmp.path().join("escape").exists());
}

#[test]
fn linked_targets_share_the_source_file_and_verify() {
    use custody_tuf::repository::Placement;
    use std::os::unix::fs::MetadataExt as _;
    for consistent in [true, false] {
        let tmp = tempfile::tempdir().expect("temp dir");
        let repo_dir = tmp.path().join("repo");
        let (repo, keys) = new_repo(&repo_dir, consistent);
        let files = tmp.path().join("files");
        std::fs::create_dir_all(&files).expect("mkdir");
        std::fs::write(files.join("a.bin"), b"first build").expect("write");
        let list = [("dist/a.bin".to_owned(), files.join("a.bin"))];
        repo.add_targets_placed(&list, None, None, &online(&keys), Placement::HardLink)
            .expect("add");
        let source = std::fs::metadata(files.join("a.bin")).expect("stat");
        assert_eq!(source.nlink(), 2, "linked, not copied");

        let out = tmp.path().join("out");
        let md = tmp.path().join("md");
        let mut u = client(&repo_dir, &md).expect("refresh");
        assert_eq!(
            download(&mut u, &repo_dir, "dist/a.bin", &out),
            Some(b"first build".to_vec())
        );

        // Adding the same file again is a no-op for the file; a new file at the same
        // source path replaces the published one (fixed names) or adds another
        // (hash-prefixed names).
        repo.add_targets_placed(&list, None, None, &online(&keys), Placement::HardLink)
            .expect("add again");
        std::fs::remove_file(files.join("a.bin")).expect("rm");
        std::fs::write(files.join("a.bin"), b"second build").expect("write");
        repo.add_targets_placed(&list, None, None, &online(&keys), Placement::HardLink)
            .expect("add new");
        std::fs::remove_dir_all(&out).expect("rm out");
        let mut u = client(&repo_dir, &md).expect("refresh");
        assert_eq!(
            download(&mut u, &repo_dir, "dist/a.bin", &out),
            Some(b"second build".to_vec())
        );

        // Modified in place after publishing: the client refuses what it downloads.
        std::fs::write(files.join("a.bin"), b"tampered build").expect("write");
        std::fs::remove_dir_all(&out).expect("rm out");
        let info = u
            .target_info("dist/a.bin")
            .expect("search")
            .expect("listed");
        std::fs::create_dir_all(&out).expect("mkdir");
        let url = format!("file://{}/targets/", repo_dir.display());
        assert!(u.download_target(&info, &out, &url).is_err());
    }
}
