//! Supply chain verification, in-toto v0.9: layout signatures and expiry, link
//! signatures by authorised functionaries, per-step thresholds with agreeing links,
//! sublayouts, inspections, artifact rules; in that order, as python in-toto does.
//!
//! Link files are only ever opened under names built from validated step names and key
//! IDs (see [`crate::layout`]), inside the link directory; nothing in a link's content
//! names a file that verification opens.

use crate::IntotoError;
use crate::artifacts::RecordOptions;
use crate::layout::{Layout, Step};
use crate::link::{Link, RunRequest};
use crate::metadata::{EnvelopeFormat, Metadata};
use crate::rules::{ArtifactRule, verify_item};
use custody_crypto::keys::KeyId;
use custody_crypto::threshold::{Keyring, Threshold};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Deepest sublayout nesting we follow; a layout that nests deeper is refused.
pub const MAX_SUBLAYOUT_DEPTH: usize = 8;

/// How to verify.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Where the links are (`<step>.<keyid[:8]>.link`, sublayouts' links in
    /// `<step>.<keyid[:8]>/`).
    pub link_dir: PathBuf,
    /// The time to check expiry against, in Unix seconds.
    pub now_unix: i64,
    /// Values for `{NAME}` placeholders in the layout.
    pub parameters: BTreeMap<String, String>,
    /// Directory inspections run in and record; their links are written there.
    pub inspection_dir: PathBuf,
    /// Kill an inspection after this long.
    pub inspection_timeout: Option<Duration>,
    /// Run inspections. When off, inspections and their rules are skipped with a warning
    /// (an inspection runs a command the layout names: only for layouts you trust to).
    pub run_inspections: bool,
    /// Check artifact rules. Off: signatures, expiry, thresholds and agreement only.
    pub check_rules: bool,
}

/// What verification established.
#[derive(Debug, Clone)]
pub struct VerifiedSupplyChain {
    /// Per step: the functionaries whose links verified.
    pub steps: Vec<(String, Vec<KeyId>)>,
    /// Inspections that ran.
    pub inspections: Vec<String>,
    /// Things worth knowing that are not failures (e.g. a command other than expected).
    pub warnings: Vec<String>,
    /// The chain as one link: the first step's materials, the last step's products.
    pub summary: Link,
}

fn fail(m: impl Into<String>) -> IntotoError {
    IntotoError::Verification(m.into())
}

/// Verify a supply chain: `layout` must be signed by every key of `layout_keys`.
///
/// # Errors
/// [`IntotoError::Verification`] naming the step, rule or signature that failed;
/// [`IntotoError::Malformed`] for unreadable metadata.
pub fn verify_supply_chain(
    layout: &Metadata,
    layout_keys: &Keyring,
    opts: &VerifyOptions,
) -> Result<VerifiedSupplyChain, IntotoError> {
    if layout_keys.is_empty() {
        return Err(fail("no layout verification keys given"));
    }
    verify_layout(layout, layout_keys, opts, &opts.link_dir, "the layout", 0)
}

fn verify_layout(
    metadata: &Metadata,
    keys: &Keyring,
    opts: &VerifyOptions,
    link_dir: &Path,
    what: &str,
    depth: usize,
) -> Result<VerifiedSupplyChain, IntotoError> {
    // 1. Every verification key must have signed the layout.
    let all = Threshold::new(keys.len())?;
    let verified = metadata.verify(keys, all).map_err(|e| {
        fail(format!(
            "{what}: signatures do not verify with the given keys: {e}"
        ))
    })?;
    let layout = Layout::from_value(verified.get(), &opts.parameters)?;
    // 2. Expiry.
    if layout.expires_unix <= opts.now_unix {
        return Err(fail(format!("{what} expired at {}", layout.expires)));
    }
    let mut warnings = Vec::new();
    // 3. Links per step, signature thresholds, agreement.
    let mut reduced: BTreeMap<String, Link> = BTreeMap::new();
    let mut signers_by_step = Vec::new();
    // Steps are independent until the rules: load and check their links in parallel,
    // then report in layout order, so the first failing step is the one named.
    let checked: Vec<_> = layout
        .steps
        .par_iter()
        .map(|step| {
            let mut step_warnings = Vec::new();
            verify_step(step, &layout, opts, link_dir, depth, &mut step_warnings)
                .map(|(link, signers)| (link, signers, step_warnings))
        })
        .collect();
    for (step, result) in layout.steps.iter().zip(checked) {
        let (link, signers, step_warnings) = result.map_err(|e| match e {
            IntotoError::Verification(m) if !m.starts_with("sublayout") => {
                fail(format!("{what}: {m}"))
            }
            other => other,
        })?;
        warnings.extend(step_warnings);
        if step.expected_command != link.command && !step.expected_command.is_empty() {
            warnings.push(format!(
                "step {:?}: ran {:?}, the layout expects {:?}",
                step.name, link.command, step.expected_command
            ));
        }
        signers_by_step.push((step.name.clone(), signers));
        reduced.insert(step.name.clone(), link);
    }
    // 4. Inspections (only now: the layout that names their commands is verified).
    let mut inspections = Vec::new();
    if !opts.check_rules {
        let summary = summary_link(&layout, &reduced, what);
        return Ok(VerifiedSupplyChain {
            steps: signers_by_step,
            inspections,
            warnings,
            summary,
        });
    }
    if !opts.run_inspections && !layout.inspections.is_empty() {
        warnings.push(format!(
            "{what}: {} inspection(s) not run, their rules not checked",
            layout.inspections.len()
        ));
    }
    for inspection in layout.inspections.iter().filter(|_| opts.run_inspections) {
        let link = run_inspection(&inspection.name, &inspection.run, opts)?;
        inspections.push(inspection.name.clone());
        reduced.insert(inspection.name.clone(), link);
    }
    // 5. Artifact rules, steps then inspections.
    let parse =
        |rules: &[serde_json::Value], item: &str| -> Result<Vec<ArtifactRule>, IntotoError> {
            rules
                .iter()
                .map(|r| {
                    ArtifactRule::from_json(r)
                        .map_err(|e| IntotoError::Malformed(format!("{what}, {item}: {e}")))
                })
                .collect()
        };
    let items = layout
        .steps
        .iter()
        .map(|s| (&s.name, &s.expected_materials, &s.expected_products))
        .chain(
            layout
                .inspections
                .iter()
                .filter(|_| opts.run_inspections)
                .map(|i| (&i.name, &i.expected_materials, &i.expected_products)),
        );
    for (name, material_rules, product_rules) in items {
        let link = reduced
            .get(name)
            .ok_or_else(|| fail(format!("no link for {name:?}")))?;
        let material_rules = parse(material_rules, name)?;
        let product_rules = parse(product_rules, name)?;
        verify_item(name, &material_rules, &product_rules, link, &reduced)
            .map_err(|e| fail(format!("{what}: {e}")))?;
    }
    let summary = summary_link(&layout, &reduced, what);
    Ok(VerifiedSupplyChain {
        steps: signers_by_step,
        inspections,
        warnings,
        summary,
    })
}

/// Load and verify the links of one step; returns the agreed link and its signers.
fn verify_step(
    step: &Step,
    layout: &Layout,
    opts: &VerifyOptions,
    link_dir: &Path,
    depth: usize,
    warnings: &mut Vec<String>,
) -> Result<(Link, Vec<KeyId>), IntotoError> {
    let mut verified: Vec<(KeyId, Link)> = Vec::new();
    let mut problems = Vec::new();
    for keyid in &step.pubkeys {
        let file = link_dir.join(format!("{}.{}.link", step.name, keyid.short()));
        let bytes = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(IntotoError::Io { path: file, source }),
        };
        let Some(key) = layout.keys.get(keyid) else {
            let why = layout
                .unusable_keys
                .get(keyid)
                .map_or("not in the layout's keys", String::as_str);
            problems.push(format!(
                "{}: key {keyid} cannot be used: {why}",
                file.display()
            ));
            continue;
        };
        let metadata = match Metadata::from_bytes(&bytes) {
            Ok(m) => m,
            Err(e) => {
                problems.push(format!("{}: {e}", file.display()));
                continue;
            }
        };
        let keyring = Keyring::new([key.clone()])?;
        let is_sublayout = metadata.type_unverified().as_deref() == Some("layout");
        let link = if is_sublayout {
            if depth + 1 > MAX_SUBLAYOUT_DEPTH {
                return Err(fail(format!(
                    "step {:?}: sublayouts nest deeper than {MAX_SUBLAYOUT_DEPTH}",
                    step.name
                )));
            }
            let sub_dir = link_dir.join(format!("{}.{}", step.name, keyid.short()));
            let what = format!("sublayout of step {:?} by {}", step.name, keyid.short());
            let chain = verify_layout(&metadata, &keyring, opts, &sub_dir, &what, depth + 1)?;
            warnings.extend(chain.warnings);
            let mut link = chain.summary;
            link.name.clone_from(&step.name);
            link
        } else {
            match metadata.into_verified(&keyring, Threshold::new(1)?) {
                // A link can also arrive as an in-toto v1 link attestation.
                Ok(v) => match crate::attestation::link_from_statement(v.get())? {
                    Some(link) => link,
                    None => Link::from_value(v.get())?,
                },
                Err(e) => {
                    problems.push(format!("{}: {e}", file.display()));
                    continue;
                }
            }
        };
        verified.push((keyid.clone(), link));
    }
    if verified.len() < step.threshold {
        let mut msg = format!(
            "step {:?} needs links from {} authorised functionar{} in {}, {} verified",
            step.name,
            step.threshold,
            if step.threshold == 1 { "y" } else { "ies" },
            link_dir.display(),
            verified.len()
        );
        if !problems.is_empty() {
            msg.push_str(": ");
            msg.push_str(&problems.join("; "));
        }
        return Err(fail(msg));
    }
    // Every verified link must report the same artifacts.
    let (first_id, first) = &verified[0];
    for (id, link) in &verified[1..] {
        if link.materials != first.materials || link.products != first.products {
            return Err(fail(format!(
                "step {:?}: the links of {} and {} disagree on materials or products",
                step.name,
                first_id.short(),
                id.short()
            )));
        }
    }
    let signers = verified.iter().map(|(k, _)| k.clone()).collect();
    let link = verified.swap_remove(0).1;
    Ok((link, signers))
}

fn run_inspection(
    name: &str,
    command: &[String],
    opts: &VerifyOptions,
) -> Result<Link, IntotoError> {
    if command.is_empty() {
        return Err(fail(format!("inspection {name:?} has no command to run")));
    }
    let req = RunRequest {
        step: name.to_owned(),
        materials: vec![".".to_owned()],
        products: vec![".".to_owned()],
        command: command.to_vec(),
        record_streams: true,
        timeout: opts.inspection_timeout,
        record: RecordOptions {
            base_path: Some(opts.inspection_dir.clone()),
            ..RecordOptions::default()
        },
        format: EnvelopeFormat::Metablock,
        working_dir: Some(opts.inspection_dir.clone()),
    };
    let link = crate::link::run_unsigned(&req, &opts.inspection_dir)
        .map_err(|e| fail(format!("inspection {name:?}: {e}")))?;
    let status = link.byproducts.as_ref().map_or(0, |b| b.return_value);
    if status != 0 {
        return Err(fail(format!(
            "inspection {name:?}: {command:?} exited with status {status}"
        )));
    }
    Ok(link)
}

fn summary_link(layout: &Layout, reduced: &BTreeMap<String, Link>, name: &str) -> Link {
    let first = layout.steps.first().and_then(|s| reduced.get(&s.name));
    let last = layout.steps.last().and_then(|s| reduced.get(&s.name));
    Link {
        name: name.to_owned(),
        materials: first.map(|l| l.materials.clone()).unwrap_or_default(),
        products: last.map(|l| l.products.clone()).unwrap_or_default(),
        byproducts: last.and_then(|l| l.byproducts.clone()),
        command: last.map(|l| l.command.clone()).unwrap_or_default(),
    }
}
