//! ART-3, ART-5, ART-6, BLD-15, DEP-1, DEP-2, DEP-3: the project's TUF repository, checked
//! the way its users' clients will check it.
//!
//! The repository is read through custody's own TUF client (`file://` URLs) starting from
//! the root users are given (`[tuf] trusted_root`), so a pass means a client would accept
//! it today: the root chain verifies (ART-3, ART-6), nothing has expired (DEP-2), and every
//! target found in the metadata downloads and matches its length and hashes (DEP-1).

use super::result;
use crate::catalogue::Control;
use crate::config::Project;
use crate::report::{ControlResult, Evidence, Status};
use custody_tuf::delegation::DelegatedRoles;
use custody_tuf::updater::{Updater, UpdaterConfig};
use std::collections::BTreeSet;
use std::path::Path;

/// Whether a role expiring at `expires` needs re-signing soon: within an hour for the
/// timestamp, a day for the snapshot, a week for root and targets roles. The margins stay
/// below the default expiry periods (1, 7, 90 and 365 days), or freshly signed
/// metadata would warn.
fn expires_soon(role: &str, expires: i64, now: i64) -> bool {
    let margin = match role {
        "timestamp" => 3_600,
        "snapshot" => 86_400,
        _ => 7 * 86_400,
    };
    expires - now < margin
}

/// What reading the repository found, shared by the seven controls.
#[derive(Debug)]
pub(super) enum RepositoryOutcome {
    /// No repository at the configured place.
    NotConfigured(String),
    /// A client would refuse the repository.
    Refused(String),
    /// A client accepts it.
    Accepted(Box<Facts>),
}

#[derive(Debug, Default)]
pub(super) struct Facts {
    trusted_root: u64,
    root: u64,
    root_threshold: u64,
    root_keys: usize,
    consistent: bool,
    versions: Vec<(String, u64, String, i64)>,
    delegations: Vec<String>,
    targets_verified: usize,
    targets_total: usize,
    target_failures: Vec<String>,
    online_root_keys: Vec<String>,
    pinned_root: bool,
}

pub(super) fn verify_project(project: &Project) -> RepositoryOutcome {
    let cfg = &project.config().tuf;
    let repo = project.root().join(&cfg.repository);
    let metadata = repo.join("metadata");
    if !metadata.is_dir() {
        return RepositoryOutcome::NotConfigured(format!(
            "no TUF repository at {}",
            cfg.repository.display()
        ));
    }
    let (root_path, pinned_root) = match &cfg.trusted_root {
        Some(p) => (project.root().join(p), true),
        None => (metadata.join("1.root.json"), false),
    };
    match read(&repo, &root_path, cfg.max_targets) {
        Ok(mut facts) => {
            facts.pinned_root = pinned_root;
            RepositoryOutcome::Accepted(Box::new(facts))
        }
        Err(why) => RepositoryOutcome::Refused(why),
    }
}

fn read(repo: &Path, trusted_root: &Path, max_targets: usize) -> Result<Facts, String> {
    let client_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root = std::fs::read(trusted_root)
        .map_err(|e| format!("trusted root {}: {e}", trusted_root.display()))?;
    std::fs::write(client_dir.path().join("root.json"), &root).map_err(|e| e.to_string())?;
    let meta_url = format!("file://{}/", repo.join("metadata").display());
    let targets_url = format!("file://{}/", repo.join("targets").display());
    let mut updater = Updater::new(UpdaterConfig::new(
        client_dir.path().to_path_buf(),
        meta_url,
    ))
    .map_err(|e| format!("trusted root: {e}"))?;
    let trusted_root = updater.trusted().root().common.version;
    updater.refresh().map_err(|e| e.to_string())?;
    let mut facts = Facts {
        trusted_root,
        ..Facts::default()
    };
    {
        let t = updater.trusted();
        let root = t.root();
        facts.root = root.common.version;
        facts.consistent = root.payload.consistent_snapshot;
        if let Ok(r) = root.payload.role("root") {
            facts.root_threshold = r.threshold;
            facts.root_keys = r.keyids.len();
            let online: BTreeSet<&String> = ["timestamp", "snapshot"]
                .iter()
                .filter_map(|n| root.payload.role(n).ok())
                .flat_map(|r| r.keyids.iter())
                .collect();
            facts.online_root_keys = r
                .keyids
                .iter()
                .filter(|id| online.contains(id))
                .cloned()
                .collect();
        }
        let mut push = |role: &str, v: u64, e: i64| {
            facts
                .versions
                .push((role.to_owned(), v, custody_core::time::format_utc(e), e));
        };
        push("root", root.common.version, root.common.expires);
        if let Some(m) = t.timestamp() {
            push("timestamp", m.common.version, m.common.expires);
        }
        if let Some(m) = t.snapshot() {
            push("snapshot", m.common.version, m.common.expires);
        }
        if let Some(m) = t.targets("targets") {
            push("targets", m.common.version, m.common.expires);
            if let Some(d) = &m.payload.delegations {
                match &d.roles {
                    DelegatedRoles::Listed(roles) => {
                        for r in roles {
                            facts.delegations.push(format!(
                                "{:?} ({} of {} keys){}",
                                r.name,
                                r.keys.threshold,
                                r.keys.keyids.len(),
                                if r.terminating { ", terminating" } else { "" }
                            ));
                        }
                    }
                    DelegatedRoles::Succinct(s) => facts.delegations.push(format!(
                        "{} hash bins {}-* ({} of {} keys)",
                        s.bin_count(),
                        s.name_prefix,
                        s.keys.threshold,
                        s.keys.keyids.len()
                    )),
                }
            }
        }
    }
    // Target names from every targets document on disk (unverified, only a list of names
    // to ask for), each then found and downloaded through the verified delegation graph.
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(repo.join("metadata")).map_err(|e| e.to_string())? {
        let Ok(entry) = entry else { continue };
        let Ok(bytes) = std::fs::read(entry.path()) else {
            continue;
        };
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            continue;
        };
        if v["signed"]["_type"] == "targets"
            && let Some(t) = v["signed"]["targets"].as_object()
        {
            names.extend(t.keys().cloned());
        }
    }
    facts.targets_total = names.len();
    let out = tempfile::tempdir().map_err(|e| e.to_string())?;
    for name in names.iter().take(max_targets) {
        match updater.target_info(name) {
            Ok(Some(info)) => match updater.download_target(&info, out.path(), &targets_url) {
                Ok(_) => facts.targets_verified += 1,
                Err(e) => facts.target_failures.push(format!("{name}: {e}")),
            },
            // Listed in an old or undelegated document: not a current target.
            Ok(None) => facts.targets_total -= 1,
            Err(e) => facts.target_failures.push(format!("{name}: {e}")),
        }
    }
    Ok(facts)
}

pub(super) fn evaluate(control: &'static Control, outcome: &RepositoryOutcome) -> ControlResult {
    let facts = match outcome {
        RepositoryOutcome::NotConfigured(why) => {
            return result(
                control,
                Status::NotConfigured,
                why.clone(),
                Vec::new(),
                Some(
                    "publish releases through a TUF repository (custody tuf init) at [tuf] repository, and give users its root ([tuf] trusted_root)",
                ),
            );
        }
        RepositoryOutcome::Refused(why) => {
            return result(
                control,
                Status::Fail,
                "a TUF client would refuse the repository".to_owned(),
                vec![Evidence::note(why.clone())],
                Some("fix the repository (custody tuf status shows expiry; re-sign what expired)"),
            );
        }
        RepositoryOutcome::Accepted(f) => f,
    };
    let versions: Vec<Evidence> = facts
        .versions
        .iter()
        .map(|(r, v, e, _)| Evidence::note(format!("{r} v{v}, expires {e}")))
        .collect();
    let now = custody_core::time::now_unix();
    match control.id {
        "ART-3" => result(
            control,
            Status::Pass,
            format!(
                "the TUF repository verifies: root v{} ({} of {} keys), targets, snapshot and timestamp signed by their roles{}",
                facts.root,
                facts.root_threshold,
                facts.root_keys,
                if facts.consistent { ", consistent snapshots" } else { "" }
            ),
            versions,
            None,
        ),
        "ART-5" if facts.delegations.is_empty() => result(
            control,
            Status::Warn,
            "the top-level targets role certifies every artefact: no delegations".to_owned(),
            versions,
            Some("delegate paths to the teams that produce them: custody tuf delegate --name ROLE --path 'PATTERN'"),
        ),
        "ART-5" => result(
            control,
            Status::Pass,
            format!("{} delegation(s) limit which artefacts each key may certify", facts.delegations.len()),
            facts.delegations.iter().map(|d| Evidence::note(format!("delegated: {d}"))).collect(),
            None,
        ),
        "ART-6" => result(
            control,
            Status::Pass,
            format!(
                "the root chain verifies from the trusted v{} to v{} ({} rotation(s)); keys are rotated and revoked with new roots signed by old and new keys",
                facts.trusted_root,
                facts.root,
                facts.root - facts.trusted_root
            ),
            versions,
            None,
        ),
        "BLD-15" if !facts.online_root_keys.is_empty() => result(
            control,
            Status::Fail,
            "a root key is also an online (snapshot or timestamp) key".to_owned(),
            facts.online_root_keys.iter().map(|k| Evidence::note(format!("root key {k} signs online roles too"))).collect(),
            Some("give root keys that stay offline: custody tuf rotate --role timestamp/snapshot with separate keys"),
        ),
        "BLD-15" if !facts.pinned_root => result(
            control,
            Status::Warn,
            "root keys are separate from online keys, but no trusted root is pinned: users would trust the repository's first root on first use".to_owned(),
            Vec::new(),
            Some("ship the root to users out of band and set [tuf] trusted_root to that file"),
        ),
        "BLD-15" => result(
            control,
            Status::Pass,
            format!("the root users are given verifies the chain, and its {} root key(s) sign no online role", facts.root_keys),
            Vec::new(),
            None,
        ),
        "DEP-1" if !facts.target_failures.is_empty() => result(
            control,
            Status::Fail,
            format!("{} target(s) fail verification", facts.target_failures.len()),
            facts.target_failures.iter().map(|f| Evidence::note(f.clone())).collect(),
            Some("publish the targets again (custody tuf add) so files and metadata agree"),
        ),
        "DEP-1" => result(
            control,
            Status::Pass,
            format!(
                "{} of {} target(s) downloaded through the delegation graph and verified (length and hashes)",
                facts.targets_verified, facts.targets_total
            ),
            Vec::new(),
            None,
        ),
        "DEP-2" => {
            let soon: Vec<&(String, u64, String, i64)> = facts
                .versions
                .iter()
                .filter(|(r, _, _, e)| expires_soon(r, *e, now))
                .collect();
            if soon.is_empty() {
                result(control, Status::Pass, "every role is fresh; clients refuse expired, rolled-back or frozen metadata".to_owned(), versions, None)
            } else {
                result(
                    control,
                    Status::Warn,
                    format!("{} role(s) expire soon", soon.len()),
                    soon.iter().map(|(r, _, e, _)| Evidence::note(format!("{r} expires {e}"))).collect(),
                    Some("re-sign before expiry: custody tuf timestamp / snapshot on a schedule"),
                )
            }
        }
        _ => result(
            control,
            Status::Pass,
            "releases are published through TUF; clients verify them with custody tuf client (or any TUF client)".to_owned(),
            versions,
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::expires_soon;

    #[test]
    fn freshly_signed_default_expiries_are_not_soon() {
        let signed = 1_900_000_000;
        let later = signed + 30; // a slow machine between signing and checking
        for (role, days) in [
            ("timestamp", 1),
            ("snapshot", 7),
            ("targets", 90),
            ("root", 365),
        ] {
            assert!(!expires_soon(role, signed + days * 86_400, later), "{role}");
        }
        assert!(expires_soon("timestamp", later + 600, later));
        assert!(expires_soon("snapshot", later + 3_600, later));
        assert!(expires_soon("bins-0", later + 86_400, later));
    }
}
