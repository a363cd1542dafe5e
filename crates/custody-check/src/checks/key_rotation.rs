//! SRC-11, key rotation policy: the keys a project keeps must be younger than the
//! configured maximum age, and private keys do not belong in the repository at all.

use crate::catalogue::Control;
use crate::config::Project;
use crate::report::{ControlResult, Evidence, Status};
use custody_crypto::keydir::{self, KeyFileKind};
use custody_crypto::keys::PrivateKeyEncoding;
use std::time::SystemTime;

const SECS_PER_DAY: u64 = 86_400;

pub(super) fn evaluate(
    control: &'static Control,
    project: &Project,
    now: SystemTime,
) -> ControlResult {
    let cfg = &project.config().keys;
    let rel = cfg.dir.display().to_string();
    let dir = project.root().join(&cfg.dir);
    let not_configured = |summary: String| ControlResult {
        control,
        status: Status::NotConfigured,
        summary,
        evidence: Vec::new(),
        remediation: Some(format!(
            "keep the project's public signing keys in {rel} (custody key generate --dir {rel}) and set [keys] max_age_days in custody.toml"
        )),
    };
    if !dir.is_dir() {
        return not_configured(format!("no key directory {rel}"));
    }
    let files = match keydir::list(&dir) {
        Ok(f) => f,
        Err(e) => {
            return ControlResult {
                control,
                status: Status::Fail,
                summary: format!("cannot read key directory {rel}"),
                evidence: vec![Evidence::at(rel, e.to_string())],
                remediation: Some("make the key directory readable".to_owned()),
            };
        }
    };
    if files.is_empty() {
        return not_configured(format!("key directory {rel} holds no keys"));
    }

    let mut status = Status::Pass;
    let mut evidence = Vec::new();
    let mut worst = |s: Status| {
        if rank(s) > rank(status) {
            status = s;
        }
    };
    let (mut old, mut aging, mut private) = (0usize, 0usize, 0usize);
    for file in &files {
        let path = file
            .path
            .strip_prefix(project.root())
            .unwrap_or(&file.path)
            .display()
            .to_string();
        match &file.kind {
            KeyFileKind::Unreadable(why) => {
                worst(Status::Fail);
                evidence.push(Evidence::at(path, format!("unreadable key file: {why}")));
                continue;
            }
            KeyFileKind::Private {
                encoding: PrivateKeyEncoding::Plain,
                ..
            } => {
                worst(Status::Fail);
                private += 1;
                evidence.push(Evidence::at(
                    &path,
                    "unencrypted private key in the repository",
                ));
            }
            KeyFileKind::Private {
                encoding: PrivateKeyEncoding::Encrypted,
                ..
            } => {
                worst(Status::Warn);
                private += 1;
                evidence.push(Evidence::at(
                    &path,
                    "encrypted private key in the repository",
                ));
            }
            KeyFileKind::Public { .. } => {}
        }
        let id = match &file.kind {
            KeyFileKind::Public { key_id, .. } => key_id.short().to_owned(),
            KeyFileKind::Private {
                key_id: Some(k), ..
            } => k.short().to_owned(),
            _ => "?".to_owned(),
        };
        let Some(meta) = &file.meta else {
            worst(Status::Warn);
            evidence.push(Evidence::at(
                path,
                format!(
                    "key {id}: creation date unknown (no {} next to it)",
                    keydir::META_SUFFIX
                ),
            ));
            continue;
        };
        let age_days = now
            .duration_since(meta.created())
            .map_or(0, |d| d.as_secs() / SECS_PER_DAY);
        let created = format_date(meta.created_unix);
        if age_days > cfg.max_age_days {
            worst(Status::Fail);
            old += 1;
            evidence.push(Evidence::at(
                path,
                format!(
                    "key {id} created {created} is {age_days} days old (maximum {})",
                    cfg.max_age_days
                ),
            ));
        } else if age_days + cfg.warn_days > cfg.max_age_days {
            worst(Status::Warn);
            aging += 1;
            let left = cfg.max_age_days - age_days;
            evidence.push(Evidence::at(
                path,
                format!("key {id} created {created} reaches the maximum age in {left} days"),
            ));
        } else {
            evidence.push(Evidence::at(
                path,
                format!(
                    "key {id} created {created}, {age_days} days old (maximum {})",
                    cfg.max_age_days
                ),
            ));
        }
    }
    let summary = if status == Status::Pass {
        format!(
            "{} key file(s) within the maximum age of {} days",
            files.len(),
            cfg.max_age_days
        )
    } else {
        let parts: Vec<String> = [
            (old, "older than the maximum age"),
            (aging, "close to the maximum age"),
            (private, "private key(s) in the repository"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        let detail = if parts.is_empty() {
            "see evidence".to_owned()
        } else {
            parts.join(", ")
        };
        format!("{} key file(s): {detail}", files.len())
    };
    let remediation = (status != Status::Pass).then(|| {
        "rotate old keys (custody key generate, then replace the public key and remove the old one), keep private keys out of the repository, and record creation dates with custody key generate".to_owned()
    });
    ControlResult {
        control,
        status,
        summary,
        evidence,
        remediation,
    }
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Fail => 3,
        Status::Warn => 2,
        _ => 1,
    }
}

fn format_date(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|u| time::OffsetDateTime::from_unix_timestamp(u).ok())
        .map_or_else(|| format!("@{unix}"), |t| t.date().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::control;
    use custody_crypto::keydir::KeyMeta;
    use custody_crypto::keys::{KeyType, PrivateKey};
    use std::time::{Duration, UNIX_EPOCH};

    fn project_with_key(age_days: u64, max_age: u64) -> (tempfile::TempDir, Project, SystemTime) {
        let tmp = tempfile::tempdir().expect("temp dir");
        let keys = tmp.path().join(".custody/keys");
        std::fs::create_dir_all(&keys).expect("mkdir");
        std::fs::write(
            tmp.path().join("custody.toml"),
            format!("[keys]\nmax_age_days = {max_age}\n"),
        )
        .expect("config");
        let key = PrivateKey::generate(KeyType::Ed25519)
            .expect("key")
            .public_key();
        std::fs::write(keys.join("alice.pub"), key.to_spki_pem().expect("pem")).expect("pub");
        let mut meta = KeyMeta::now(&key);
        meta.created_unix = 1_700_000_000;
        std::fs::write(
            keys.join("alice.meta.json"),
            serde_json::to_vec(&meta).expect("json"),
        )
        .expect("meta");
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000 + age_days * SECS_PER_DAY);
        let project = Project::open(tmp.path()).expect("open");
        (tmp, project, now)
    }

    fn src11() -> &'static Control {
        control("SRC-11").expect("in catalogue")
    }

    #[test]
    fn young_keys_pass_old_keys_fail_ageing_keys_warn() {
        let (_t, p, now) = project_with_key(10, 365);
        let r = evaluate(src11(), &p, now);
        assert_eq!(r.status, Status::Pass, "{r:?}");
        assert!(r.evidence[0].message.contains("2023-11-14"), "{r:?}");
        let (_t, p, now) = project_with_key(400, 365);
        assert_eq!(evaluate(src11(), &p, now).status, Status::Fail);
        let (_t, p, now) = project_with_key(350, 365);
        assert_eq!(evaluate(src11(), &p, now).status, Status::Warn);
    }

    #[test]
    fn private_keys_in_the_repository_fail() {
        let (t, p, now) = project_with_key(1, 365);
        let key = PrivateKey::generate(KeyType::Ed25519).expect("key");
        std::fs::write(
            t.path().join(".custody/keys/leak.key"),
            key.to_pkcs8_pem(None).expect("pem").as_bytes(),
        )
        .expect("write");
        let r = evaluate(src11(), &p, now);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.evidence
                .iter()
                .any(|e| e.message.contains("unencrypted private key"))
        );
    }

    #[test]
    fn no_key_directory_is_not_configured() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let p = Project::open(tmp.path()).expect("open");
        assert_eq!(
            evaluate(src11(), &p, SystemTime::now()).status,
            Status::NotConfigured
        );
    }
}
