//! BLD-1, ART-1, ART-2: the project's in-toto supply chain, verified.
//!
//! ART-1 (every step signed) and ART-2 (each step's signatures valid) rest on the
//! signature part of verification: the layout's signatures and expiry, and for every step
//! the threshold of links signed by authorised functionaries, agreeing. BLD-1 (policy
//! adherence) is the whole verification, artifact rules included; inspections only run
//! when `[intoto] run_inspections = true`.

use super::result;
use crate::catalogue::Control;
use crate::config::{DEFAULT_OWNER_KEY_DIR, Project};
use crate::report::{ControlResult, Evidence, Status};
use custody_crypto::keys::PublicKey;
use custody_crypto::threshold::Keyring;
use custody_intoto::metadata::Metadata;
use custody_intoto::verify::{VerifiedSupplyChain, VerifyOptions, verify_supply_chain};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The outcome of one verification, shared by the three controls.
#[derive(Debug)]
pub(super) enum ChainOutcome {
    /// No layout at the configured place.
    NotConfigured(String),
    /// The inputs could not be read.
    Broken(String),
    /// Verification ran.
    Ran {
        /// Signatures only.
        signatures: Box<Result<VerifiedSupplyChain, String>>,
        /// Everything.
        full: Box<Result<VerifiedSupplyChain, String>>,
    },
}

pub(super) fn verify_project(project: &Project) -> ChainOutcome {
    let cfg = &project.config().intoto;
    let root = project.root();
    let layout_path = root.join(&cfg.layout);
    if !layout_path.is_file() {
        return ChainOutcome::NotConfigured(format!(
            "no in-toto layout at {}",
            cfg.layout.display()
        ));
    }
    let key_paths: Vec<PathBuf> = if cfg.layout_keys.is_empty() {
        let dir = root.join(DEFAULT_OWNER_KEY_DIR);
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.extension()
                            .is_some_and(|e| e == "pub" || e == "json" || e == "pem")
                    })
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    } else {
        cfg.layout_keys.iter().map(|k| root.join(k)).collect()
    };
    if key_paths.is_empty() {
        return ChainOutcome::Broken(format!(
            "no layout owner keys: set [intoto] layout_keys or put the owners' public keys in {DEFAULT_OWNER_KEY_DIR}/"
        ));
    }
    let mut keys = Vec::new();
    for p in &key_paths {
        let loaded = std::fs::read(p)
            .map_err(|e| e.to_string())
            .and_then(|b| PublicKey::from_bytes(&b, None).map_err(|e| e.to_string()));
        match loaded {
            Ok(k) => keys.push(k),
            Err(e) => return ChainOutcome::Broken(format!("layout key {}: {e}", p.display())),
        }
    }
    let keyring = match Keyring::new(keys) {
        Ok(k) => k,
        Err(e) => return ChainOutcome::Broken(e.to_string()),
    };
    let layout = match std::fs::read(&layout_path)
        .map_err(|e| e.to_string())
        .and_then(|b| Metadata::from_bytes(&b).map_err(|e| e.to_string()))
    {
        Ok(l) => l,
        Err(e) => return ChainOutcome::Broken(format!("{}: {e}", cfg.layout.display())),
    };
    let now_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let opts = |check_rules| VerifyOptions {
        link_dir: root.join(&cfg.link_dir),
        now_unix,
        parameters: cfg.parameters.clone(),
        inspection_dir: root.to_path_buf(),
        inspection_timeout: Some(Duration::from_secs(600)),
        run_inspections: cfg.run_inspections,
        check_rules,
    };
    let run = |check_rules| {
        verify_supply_chain(&layout, &keyring, &opts(check_rules)).map_err(|e| e.to_string())
    };
    let signatures = run(false);
    let full = if signatures.is_ok() {
        run(true)
    } else {
        signatures.clone()
    };
    ChainOutcome::Ran {
        signatures: Box::new(signatures),
        full: Box::new(full),
    }
}

pub(super) fn evaluate(control: &'static Control, outcome: &ChainOutcome) -> ControlResult {
    let setup = "add a signed in-toto layout (custody intoto layout create) at [intoto] layout, its owners' public keys, and the links of each step (custody intoto run / record) in [intoto] link_dir";
    match outcome {
        ChainOutcome::NotConfigured(why) => result(
            control,
            Status::NotConfigured,
            why.clone(),
            Vec::new(),
            Some(setup),
        ),
        ChainOutcome::Broken(why) => result(
            control,
            Status::Fail,
            "the in-toto supply chain cannot be verified".to_owned(),
            vec![Evidence::note(why.clone())],
            Some("fix the [intoto] configuration so that the layout and its keys can be read"),
        ),
        ChainOutcome::Ran { signatures, full } => {
            let chain: &Result<VerifiedSupplyChain, String> = if control.id == "BLD-1" {
                full
            } else {
                signatures
            };
            match chain {
                Err(e) => result(
                    control,
                    Status::Fail,
                    "in-toto verification failed".to_owned(),
                    vec![Evidence::note(e.clone())],
                    Some(if control.id == "BLD-1" {
                        "make the supply chain follow the layout, or update the layout (signed by its owners)"
                    } else {
                        "record the missing steps with the authorised functionaries' keys (custody intoto run), or re-sign the layout"
                    }),
                ),
                Ok(c) => {
                    let mut evidence: Vec<Evidence> = c
                        .steps
                        .iter()
                        .map(|(step, signers)| {
                            let ids: Vec<&str> = signers.iter().map(|k| k.short()).collect();
                            Evidence::note(format!("step {step:?} signed by {}", ids.join(", ")))
                        })
                        .collect();
                    evidence.extend(
                        c.warnings
                            .iter()
                            .map(|w| Evidence::note(format!("warning: {w}"))),
                    );
                    let (status, summary) = match control.id {
                        "BLD-1" if !c.warnings.is_empty() => (
                            Status::Warn,
                            format!("{} step(s) verified, with warnings", c.steps.len()),
                        ),
                        "BLD-1" => (
                            Status::Pass,
                            format!(
                                "the supply chain follows the layout: {} step(s) and their artifact rules verified",
                                c.steps.len()
                            ),
                        ),
                        "ART-1" => (
                            Status::Pass,
                            format!(
                                "every one of {} step(s) has signed links from authorised functionaries",
                                c.steps.len()
                            ),
                        ),
                        _ => (
                            Status::Pass,
                            format!(
                                "the signatures of all {} step(s) verify against the layout's keys and thresholds",
                                c.steps.len()
                            ),
                        ),
                    };
                    let fix = (status == Status::Warn).then_some("set [intoto] run_inspections = true to run the layout's inspections, or resolve the warnings");
                    result(control, status, summary, evidence, fix)
                }
            }
        }
    }
}
