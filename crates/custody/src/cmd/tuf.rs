//! `custody tuf …`: the TUF client. Its command line and exit codes (0 success, exactly 1
//! on any failure) are fixed so that conformance suites can drive it.

use crate::cli::{
    TextOrJson, TufAddArgs, TufClientAction, TufClientArgs, TufCommand, TufDelegateArgs,
    TufInitArgs, TufKeyArgs, TufRotateArgs, TufStatusArgs,
};
use crate::exit::Outcome;
use crate::io::PassphraseSource;
use anyhow::{Context as _, Result, anyhow, bail};
use custody_core::atomic::{FileMode, write_atomic};
use custody_crypto::keys::{PrivateKey, PublicKey};
use custody_tuf::repository::{
    Delegation, DelegationKind, InitOptions, KeyRef, PathSpec, Placement, Report, Repository,
    Settings, edit_key_list, parse_duration, sign_metadata_file,
};
use custody_tuf::updater::{Updater, UpdaterConfig, VerifiedTarget};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn run(cmd: TufCommand) -> Result<Outcome> {
    match cmd {
        TufCommand::Init(args) => init(args),
        TufCommand::Add(args) => add(args),
        TufCommand::Remove(args) => {
            let repo = Repository::open(&args.repo)?;
            let report = repo.remove_targets(&args.names, &keys(&args.signing)?)?;
            print_report(&repo, &report);
            Ok(Outcome::Success)
        }
        TufCommand::Delegate(args) => delegate(args),
        TufCommand::Rotate(args) => rotate(args),
        TufCommand::Sign(args) => {
            let repo = Repository::open(&args.repo)?;
            let incoming = args.import.as_ref().map(fs_err::read).transpose()?;
            let report = repo.sign(&args.role, &keys(&args.signing)?, incoming.as_deref())?;
            print_report(&repo, &report);
            Ok(Outcome::Success)
        }
        TufCommand::SignFile(args) => {
            let bytes = fs_err::read(&args.file)?;
            let signed = sign_metadata_file(&bytes, &keys(&args.signing)?)
                .with_context(|| format!("{}", args.file.display()))?;
            let out = args.output.as_ref().unwrap_or(&args.file);
            write_atomic(out, &signed, FileMode::Public)?;
            eprintln!("Signed {}", out.display());
            Ok(Outcome::Success)
        }
        TufCommand::Resign(args) => {
            let repo = Repository::open(&args.repo)?;
            let report = repo.resign(&args.roles, &keys(&args.signing)?)?;
            print_report(&repo, &report);
            Ok(Outcome::Success)
        }
        TufCommand::Revoke(args) => {
            let repo = Repository::open(&args.repo)?;
            let report = repo.revoke_delegation(&args.role, &keys(&args.signing)?)?;
            print_report(&repo, &report);
            Ok(Outcome::Success)
        }
        TufCommand::Snapshot(args) => {
            let repo = Repository::open(&args.repo)?;
            let mut report = Report::default();
            repo.refresh_snapshot(&keys(&args.signing)?, &mut report)?;
            finish_refresh(&repo, &report)
        }
        TufCommand::Timestamp(args) => {
            let repo = Repository::open(&args.repo)?;
            let mut report = Report::default();
            repo.refresh_timestamp(&keys(&args.signing)?, &mut report)?;
            finish_refresh(&repo, &report)
        }
        TufCommand::Status(args) => status(&args),
        TufCommand::Publish(args) => {
            let repo = Repository::open(&args.repo)?;
            let r = repo.publish(&args.out)?;
            eprintln!(
                "Published into {}: {} file(s) written, {} unchanged",
                args.out.display(),
                r.copied,
                r.unchanged
            );
            Ok(Outcome::Success)
        }
        // A panic would exit 101; the contract is 1 on any failure.
        TufCommand::Client(args) => Ok(
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| client(args))) {
                Ok(Ok(())) => Outcome::Success,
                Err(_) => Outcome::Failure,
                Ok(Err(e)) => {
                    let mut msg = format!("custody: tuf client: {e}");
                    for cause in e.chain().skip(1) {
                        msg.push_str(&format!("\n  caused by: {cause}"));
                    }
                    eprintln!("{msg}");
                    Outcome::Failure
                }
            },
        ),
    }
}

fn client(args: TufClientArgs) -> Result<()> {
    match args.action {
        TufClientAction::Init { trusted_root } => {
            let bytes = fs_err::read(&trusted_root)?;
            // Fail now rather than at the first refresh: the root must be a root, signed
            // by its own keys (its expiry does not matter yet).
            custody_tuf::trusted::TrustedSet::new(&bytes, 0)
                .with_context(|| format!("{}", trusted_root.display()))?;
            fs_err::create_dir_all(&args.metadata_dir)?;
            // A new trust anchor: signature checks remembered under another are forgotten.
            custody_tuf::memo::SignatureMemo::forget(&args.metadata_dir).with_context(|| {
                format!(
                    "cannot remove {}",
                    args.metadata_dir
                        .join(custody_tuf::memo::FILE_NAME)
                        .display()
                )
            })?;
            write_atomic(
                &args.metadata_dir.join("root.json"),
                &bytes,
                FileMode::Public,
            )?;
            Ok(())
        }
        TufClientAction::Refresh => {
            let mut updater = updater(&args)?;
            updater.refresh()?;
            report(&updater);
            Ok(())
        }
        TufClientAction::Download => {
            let (Some(target_dir), Some(base)) = (&args.target_dir, &args.target_base_url) else {
                bail!("download needs --target-dir and --target-base-url");
            };
            if args.target_name.is_empty() {
                bail!("download needs at least one --target-name");
            }
            let mut updater = updater(&args)?;
            updater.refresh()?;
            updater.preload_local_roles(&args.target_name)?;
            fs_err::create_dir_all(target_dir)?;
            // Targets are fetched one after the other (the order of requests is part of
            // what conformance suites check) and saved on a second thread meanwhile; the
            // local copies of the roles they need are verified on other threads ahead.
            std::thread::scope(|scope| {
                let (to_save, saving) = std::sync::mpsc::channel::<(PathBuf, VerifiedTarget)>();
                let saver = scope.spawn(move || -> Result<()> {
                    for (path, target) in saving {
                        custody_tuf::updater::save_target(&path, &target)?;
                    }
                    Ok(())
                });
                let fetched =
                    download_all(&args.target_name, &mut updater, target_dir, base, &to_save);
                updater.save_signature_memo();
                drop(to_save);
                // Targets fetched before an error are still saved.
                let saved = saver
                    .join()
                    .unwrap_or_else(|_| Err(anyhow!("saving targets panicked")));
                match (fetched, saved) {
                    // A failed save also stops the fetching; its error says why.
                    (_, Err(e)) => Err(e),
                    (fetched, Ok(())) => fetched,
                }
            })
        }
    }
}

/// Find, fetch and verify each target in order, handing it to `to_save`; a target already
/// in `target_dir` with the right length and hashes is not fetched again.
fn download_all(
    names: &[String],
    updater: &mut Updater,
    target_dir: &Path,
    base: &str,
    to_save: &std::sync::mpsc::Sender<(PathBuf, VerifiedTarget)>,
) -> Result<()> {
    let mut fetched = std::collections::HashSet::new();
    for name in names {
        let info = updater
            .target_info(name)?
            .ok_or_else(|| anyhow!("target {name:?} is not in the repository"))?;
        let path = Updater::<custody_tuf::http::HttpFetcher>::target_path(&info, target_dir)?;
        // Named twice: the first copy may still be on its way to the disk.
        let cached = fetched.contains(&path)
            || Updater::<custody_tuf::http::HttpFetcher>::find_cached_target(&info, target_dir)?
                .is_some();
        if !cached {
            let target = updater.fetch_target(&info, base)?;
            fetched.insert(path.clone());
            to_save
                .send((path.clone(), target))
                .map_err(|_| anyhow!("saving targets stopped"))?;
        }
        eprintln!(
            "{name}: {} ({} bytes, verified)",
            path.display(),
            info.file.length
        );
    }
    Ok(())
}

fn updater(args: &TufClientArgs) -> Result<Updater> {
    let url = args
        .metadata_url
        .clone()
        .ok_or_else(|| anyhow!("--metadata-url is required for refresh and download"))?;
    Ok(Updater::new(UpdaterConfig::new(
        args.metadata_dir.clone(),
        url,
    ))?)
}

fn report(updater: &Updater) {
    let t = updater.trusted();
    let version = |v: Option<u64>| v.map_or_else(|| "-".to_owned(), |v| format!("v{v}"));
    eprintln!(
        "Trusted: root v{}, timestamp {}, snapshot {}, targets {}",
        t.root().common.version,
        version(t.timestamp().map(|m| m.common.version)),
        version(t.snapshot().map(|m| m.common.version)),
        version(t.targets("targets").map(|m| m.common.version)),
    );
}

fn keys(args: &TufKeyArgs) -> Result<Vec<PrivateKey>> {
    let password = PassphraseSource {
        env: args.password.password_env.clone(),
    };
    args.keys
        .iter()
        .map(|k| super::load_private_key(k, None, &password))
        .collect()
}

fn public_keys(paths: &[PathBuf]) -> Result<Vec<PublicKey>> {
    paths
        .iter()
        .map(|p| super::load_public_key(p, None, &PassphraseSource::default()))
        .collect()
}

fn role_value<'a>(text: &'a str, what: &str) -> Result<(&'a str, &'a str)> {
    let (role, value) = text
        .split_once('=')
        .ok_or_else(|| anyhow!("{what} {text:?}: expected ROLE=VALUE"))?;
    if !custody_tuf::metadata::TOP_LEVEL_ROLES.contains(&role) {
        bail!("{what} {text:?}: role must be root, targets, snapshot or timestamp");
    }
    Ok((role, value))
}

fn init(args: TufInitArgs) -> Result<Outcome> {
    let mut settings = Settings::default();
    for e in &args.expires {
        let (role, duration) = role_value(e, "--expires")?;
        parse_duration(duration)?;
        let slot = match role {
            "root" => &mut settings.expiry.root,
            "targets" => &mut settings.expiry.targets,
            "snapshot" => &mut settings.expiry.snapshot,
            _ => &mut settings.expiry.timestamp,
        };
        *slot = duration.to_owned();
    }
    if !args.hashes.is_empty() {
        for h in &args.hashes {
            if !matches!(h.as_str(), "sha256" | "sha512") {
                bail!("--hash {h:?}: supported are sha256 and sha512");
            }
        }
        settings.hash_algorithms = args.hashes.clone();
    }
    let mut thresholds = BTreeMap::new();
    for t in &args.thresholds {
        let (role, n) = role_value(t, "--threshold")?;
        let n: u64 = n
            .parse()
            .with_context(|| format!("--threshold {t:?}: not a number"))?;
        thresholds.insert(role.to_owned(), n);
    }
    let mut by_role = BTreeMap::new();
    by_role.insert("root".to_owned(), public_keys(&args.root_keys)?);
    by_role.insert("targets".to_owned(), public_keys(&args.targets_keys)?);
    by_role.insert("snapshot".to_owned(), public_keys(&args.snapshot_keys)?);
    by_role.insert("timestamp".to_owned(), public_keys(&args.timestamp_keys)?);
    let options = InitOptions {
        keys: by_role,
        thresholds,
        consistent_snapshot: !args.no_consistent_snapshot,
        settings,
    };
    let (repo, report) = Repository::init(&args.repo, &options, &keys(&args.signing)?)?;
    print_report(&repo, &report);
    Ok(Outcome::Success)
}

/// Files to add, with their target names.
fn collect_targets(args: &TufAddArgs) -> Result<Vec<(String, PathBuf)>> {
    let prefix = args
        .prefix
        .as_deref()
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty());
    let with_prefix = |name: String| match prefix {
        Some(p) => format!("{p}/{name}"),
        None => name,
    };
    if args.name.is_some() && (args.paths.len() != 1 || args.paths[0].is_dir()) {
        bail!("--name names a single file; use --prefix for directories");
    }
    let mut out = Vec::new();
    for path in &args.paths {
        let meta = fs_err::metadata(path)?;
        if meta.is_dir() {
            let mut stack = vec![path.clone()];
            while let Some(dir) = stack.pop() {
                for entry in fs_err::read_dir(&dir)? {
                    let entry = entry?;
                    let p = entry.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if p.is_file() {
                        let rel = p
                            .strip_prefix(path)
                            .map_err(|_| anyhow!("{}: outside {}", p.display(), path.display()))?;
                        let rel = rel
                            .to_str()
                            .ok_or_else(|| anyhow!("{}: file name is not UTF-8", p.display()))?
                            .replace('\\', "/");
                        out.push((with_prefix(rel), p));
                    }
                }
            }
        } else {
            let name = match &args.name {
                Some(n) => n.clone(),
                None => path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .ok_or_else(|| anyhow!("{}: no UTF-8 file name", path.display()))?
                    .to_owned(),
            };
            out.push((with_prefix(name), path.clone()));
        }
    }
    out.sort();
    Ok(out)
}

fn add(args: TufAddArgs) -> Result<Outcome> {
    let repo = Repository::open(&args.repo)?;
    let custom: Option<Value> = args
        .custom
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .context("--custom is not JSON")?;
    let files = collect_targets(&args)?;
    let placement = if args.link {
        Placement::HardLink
    } else {
        Placement::Copy
    };
    let report = repo.add_targets_placed(
        &files,
        custom.as_ref(),
        args.role.as_deref(),
        &keys(&args.signing)?,
        placement,
    )?;
    eprintln!("Added {} target(s)", files.len());
    print_report(&repo, &report);
    Ok(Outcome::Success)
}

fn delegate(args: TufDelegateArgs) -> Result<Outcome> {
    let repo = Repository::open(&args.repo)?;
    let kind = match (args.hash_bins, &args.name) {
        (Some(bits), _) => DelegationKind::HashBins {
            bit_length: bits,
            prefix: args.bin_prefix.clone(),
        },
        (None, Some(name)) => {
            let paths = if !args.path_hash_prefixes.is_empty() {
                PathSpec::HashPrefixes(args.path_hash_prefixes.clone())
            } else if !args.paths.is_empty() {
                PathSpec::Patterns(args.paths.clone())
            } else {
                bail!("give the paths the role is trusted for: --path or --path-hash-prefix");
            };
            DelegationKind::Role {
                name: name.clone(),
                paths,
                terminating: args.terminating,
            }
        }
        (None, None) => bail!("give --name ROLE or --hash-bins BITS"),
    };
    let delegation = Delegation {
        keys: public_keys(&args.delegate_keys)?,
        threshold: args.threshold,
        kind,
    };
    let report = repo.delegate(&args.from, &delegation, &keys(&args.signing)?)?;
    print_report(&repo, &report);
    Ok(Outcome::Success)
}

fn rotate(args: TufRotateArgs) -> Result<Outcome> {
    let repo = Repository::open(&args.repo)?;
    let added = public_keys(&args.add_keys)?;
    let mut removed: Vec<KeyRef> = Vec::new();
    for r in &args.remove_keys {
        if Path::new(r).is_file() {
            removed.push(KeyRef::Key(Box::new(super::load_public_key(
                Path::new(r),
                None,
                &PassphraseSource::default(),
            )?)));
        } else {
            removed.push(KeyRef::Id(r.clone()));
        }
    }
    let role = args.role.clone();
    let threshold = args.threshold;
    let signing = keys(&args.signing)?;
    let report = if custody_tuf::metadata::TOP_LEVEL_ROLES.contains(&role.as_str()) {
        repo.edit_root(&signing, |root| {
            edit_role_keys(root, &role, &added, &removed, threshold)
        })?
    } else {
        repo.rotate_delegated(&role, &added, &removed, threshold, &signing)?
    };
    print_report(&repo, &report);
    Ok(Outcome::Success)
}

/// Apply key additions, removals and a threshold to one top-level role of a root; keys no
/// role uses any more leave the root.
fn edit_role_keys(
    root: &mut Value,
    role: &str,
    added: &[PublicKey],
    removed: &[KeyRef],
    threshold: Option<u64>,
) -> Result<(), custody_tuf::TufError> {
    let mut key_map = root["keys"].as_object().cloned().unwrap_or_default();
    edit_key_list(
        &mut root["roles"][role],
        &mut key_map,
        role,
        added,
        removed,
        threshold,
    )?;
    let used: Vec<String> = custody_tuf::metadata::TOP_LEVEL_ROLES
        .iter()
        .flat_map(|r| {
            root["roles"][*r]["keyids"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect();
    key_map.retain(|id, _| used.contains(id));
    root["keys"] = Value::Object(key_map);
    Ok(())
}

fn print_report(repo: &Repository, report: &Report) {
    let mut published = report.published.clone();
    published.sort();
    if !published.is_empty() {
        let list: Vec<String> = if published.len() > 12 {
            vec![format!("{} roles", published.len())]
        } else {
            published.iter().map(|(r, v)| format!("{r} v{v}")).collect()
        };
        eprintln!("Published {}", list.join(", "));
    }
    for p in &report.pending {
        eprintln!(
            "Waiting for signatures: {} has {} of the {} it needs; add them with `custody tuf sign {} {} --key KEY` (or sign a copy of staged/{}.json offline with `custody tuf sign-file` and bring it back with --import)",
            p.role,
            p.signatures,
            p.threshold,
            repo.dir().display(),
            p.role,
            custody_tuf::updater::quote(&p.role)
        );
    }
    let snapshot_published = report.published.iter().any(|(r, _)| r == "snapshot");
    let targets_published = report
        .published
        .iter()
        .any(|(r, _)| !matches!(r.as_str(), "root" | "snapshot" | "timestamp"));
    if targets_published && !snapshot_published && report.missing_keys.is_empty() {
        eprintln!(
            "Not in a snapshot yet: clients see the new targets metadata once the roles waiting for signatures are signed (the next snapshot lists them all)"
        );
    }
    for role in &report.missing_keys {
        eprintln!(
            "Not refreshed: no {role} key given; publish with `custody tuf {role} {} --key {role}.key`",
            repo.dir().display()
        );
    }
}

fn finish_refresh(repo: &Repository, report: &Report) -> Result<Outcome> {
    if let Some(role) = report.missing_keys.first() {
        bail!("no key given is authorised for {role}");
    }
    print_report(repo, report);
    Ok(Outcome::Success)
}

fn status(args: &TufStatusArgs) -> Result<Outcome> {
    let repo = Repository::open(&args.repo)?;
    let roles = repo.status()?;
    let policy = |role: &str| -> i64 {
        let s = repo.settings();
        let text = match role {
            "root" => &s.expiry.root,
            "snapshot" => &s.expiry.snapshot,
            "timestamp" => &s.expiry.timestamp,
            _ => &s.expiry.targets,
        };
        parse_duration(text).unwrap_or(86_400)
    };
    let expired = roles.iter().any(|r| r.seconds_left <= 0);
    match args.format {
        TextOrJson::Json => {
            println!("{}", serde_json::to_string_pretty(&roles)?);
        }
        TextOrJson::Text => {
            for r in &roles {
                // Warn when less than a quarter of the role's validity period is left.
                let note = if r.seconds_left <= 0 {
                    "EXPIRED".to_owned()
                } else if r.seconds_left < policy(&r.role) / 4 {
                    format!("expires in {}: re-sign soon", human(r.seconds_left))
                } else {
                    format!("expires in {}", human(r.seconds_left))
                };
                let staged = if r.staged {
                    ", edit waiting in staged/"
                } else {
                    ""
                };
                println!(
                    "{:<16} v{:<5} {}  {note}{staged}",
                    r.role, r.version, r.expires
                );
            }
        }
    }
    Ok(if expired {
        Outcome::Findings
    } else {
        Outcome::Success
    })
}

fn human(seconds: i64) -> String {
    match seconds {
        s if s >= 2 * 86_400 => format!("{} days", s / 86_400),
        s if s >= 2 * 3600 => format!("{} hours", s / 3600),
        s => format!("{} minutes", s / 60),
    }
}
