//! MAT-3 (SBOMs required from suppliers: present, valid, signed, one per required
//! dependency) and MAT-9 (the same vulnerability scan on what suppliers' SBOMs say their
//! software is made of), from `[materials.suppliers]`.
//!
//! A supplier SBOM is a CycloneDX or SPDX JSON file, or an in-toto attestation (a DSSE
//! envelope or a JSON Lines bundle of them) whose statement carries the SBOM as its
//! predicate, as `custody attest -t cyclonedx` and `cosign attest --type cyclonedx` make.
//! When `keys` are configured, only SBOMs in attestations signed by one of them count.

use super::result;
use crate::catalogue::Control;
use crate::config::{Project, SuppliersConfig};
use crate::report::{ControlResult, Evidence, Status};
use custody_crypto::keys::PublicKey;
use custody_crypto::threshold::{Keyring, Threshold};
use custody_sbom::Inventory;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Largest supplier SBOM or attestation read.
const MAX_FILE: u64 = 256 * 1024 * 1024;

/// One supplier SBOM as found.
#[derive(Debug)]
pub struct SupplierSbom {
    /// The file, relative to the project root.
    pub file: PathBuf,
    /// What is wrong with it, if anything: unreadable, invalid, unsigned.
    pub problems: Vec<String>,
    /// The signing key ID when a configured key verified it.
    pub signed_by: Option<String>,
    /// The document's packages, when it could be read.
    pub inventory: Option<Inventory>,
    /// The purls of what the SBOM describes (its subject): CycloneDX
    /// `metadata.component`, SPDX `documentDescribes`.
    pub describes: Vec<String>,
}

/// Every supplier SBOM of the project, checked.
#[derive(Debug)]
pub struct SuppliersOutcome {
    /// Configuration problems (no such directory, unreadable key).
    pub errors: Vec<String>,
    /// The SBOMs.
    pub sboms: Vec<SupplierSbom>,
    /// Whether signatures were required (keys configured).
    pub signatures_required: bool,
}

pub fn read_project(project: &Project) -> SuppliersOutcome {
    let cfg: &SuppliersConfig = &project.config().materials.suppliers;
    let root = project.root();
    let mut errors = Vec::new();
    let mut keys = Vec::new();
    for k in &cfg.keys {
        match std::fs::read(root.join(k))
            .map_err(|e| e.to_string())
            .and_then(|b| PublicKey::from_bytes(&b, None).map_err(|e| e.to_string()))
        {
            Ok(key) => keys.push(key),
            Err(e) => errors.push(format!("supplier key {}: {e}", k.display())),
        }
    }
    let keyring = if keys.is_empty() {
        None
    } else {
        match Keyring::new(keys) {
            Ok(k) => Some(k),
            Err(e) => {
                errors.push(format!("supplier keys: {e}"));
                None
            }
        }
    };
    let mut files = Vec::new();
    for entry in &cfg.sboms {
        let path = root.join(entry);
        if path.is_dir() {
            match std::fs::read_dir(&path) {
                Ok(list) => {
                    let mut found: Vec<PathBuf> = list
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| {
                            p.is_file()
                                && p.extension().is_some_and(|x| x == "json" || x == "jsonl")
                        })
                        .collect();
                    found.sort();
                    files.extend(found);
                }
                Err(e) => errors.push(format!("{}: {e}", entry.display())),
            }
        } else if path.is_file() {
            files.push(path);
        } else {
            errors.push(format!("{}: no such file or directory", entry.display()));
        }
    }
    let signatures_required = !cfg.keys.is_empty();
    let sboms = files
        .iter()
        .map(|f| {
            let shown = f.strip_prefix(root).unwrap_or(f).to_owned();
            read_supplier_sbom(f, shown, keyring.as_ref(), signatures_required)
        })
        .collect();
    SuppliersOutcome {
        errors,
        sboms,
        signatures_required,
    }
}

fn read_supplier_sbom(
    path: &Path,
    shown: PathBuf,
    keyring: Option<&Keyring>,
    signatures_required: bool,
) -> SupplierSbom {
    let mut sbom = SupplierSbom {
        file: shown.clone(),
        problems: Vec::new(),
        signed_by: None,
        inventory: None,
        describes: Vec::new(),
    };
    let bytes = match std::fs::metadata(path)
        .map_err(|e| e.to_string())
        .and_then(|m| {
            if m.len() > MAX_FILE {
                Err(format!("{} bytes, more than the {MAX_FILE} read", m.len()))
            } else {
                std::fs::read(path).map_err(|e| e.to_string())
            }
        }) {
        Ok(b) => b,
        Err(e) => {
            sbom.problems.push(format!("unreadable: {e}"));
            return sbom;
        }
    };
    let document: Value = match serde_json::from_slice::<Value>(&bytes) {
        Ok(v) if v.get("bomFormat").is_some() || v.get("spdxVersion").is_some() => {
            if signatures_required {
                sbom.problems.push(
                    "not signed: keys are configured, so the SBOM must come in an in-toto attestation signed by one of them".into(),
                );
            }
            v
        }
        _ => match predicate_of_attestation(&bytes, keyring) {
            Ok((predicate, signer)) => {
                sbom.signed_by = signer;
                predicate
            }
            Err(e) => {
                sbom.problems.push(e);
                return sbom;
            }
        },
    };
    match custody_sbom::validate::validate(&document) {
        Ok(v) if v.is_valid() => {}
        Ok(v) => {
            let first = v.problems.first().map_or(String::new(), |p| {
                format!(
                    ": {} {}",
                    if p.pointer.is_empty() {
                        "(document)"
                    } else {
                        &p.pointer
                    },
                    p.message
                )
            });
            sbom.problems.push(format!(
                "not a valid {} {} document ({} problem(s){first})",
                v.format.name(),
                v.version,
                v.problems.len()
            ));
        }
        Err(e) => sbom.problems.push(e),
    }
    sbom.describes = described_purls(&document);
    match custody_sbom::import::from_value(&document, &shown) {
        Ok(imported) => {
            sbom.inventory = Some(custody_sbom::discover::from_sbom(Ok(imported), &shown));
        }
        Err(e) => sbom.problems.push(format!("cannot be read: {e}")),
    }
    sbom
}

/// The SBOM inside an attestation, with the key that signed it when a keyring is given
/// (and then only when one of its keys did).
fn predicate_of_attestation(
    bytes: &[u8],
    keyring: Option<&Keyring>,
) -> Result<(Value, Option<String>), String> {
    let envelopes = custody_intoto::attestation::read_envelopes(bytes)
        .map_err(|e| format!("neither an SBOM nor an in-toto attestation: {e}"))?;
    let mut reasons = Vec::new();
    for envelope in &envelopes {
        let (statement, signer) = match keyring {
            Some(ring) => {
                let one = Threshold::new(1).map_err(|e| e.to_string())?;
                match custody_intoto::attestation::verify_statement(
                    envelope,
                    ring,
                    one,
                    &custody_intoto::attestation::StatementQuery::default(),
                ) {
                    Ok(v) => {
                        let signer = envelope
                            .signatures()
                            .iter()
                            .filter_map(|s| s.key_id.as_ref())
                            .find(|id| ring.get(id).is_some())
                            .map_or_else(|| "a configured key".to_owned(), ToString::to_string);
                        (v.into_inner(), Some(signer))
                    }
                    Err(e) => {
                        reasons.push(e.to_string());
                        continue;
                    }
                }
            }
            None => match serde_json::from_slice::<Value>(envelope.payload_unverified()) {
                Ok(v) => (v, None),
                Err(e) => {
                    reasons.push(format!("statement is not JSON: {e}"));
                    continue;
                }
            },
        };
        let predicate_type = statement
            .get("predicateType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let is_sbom = predicate_type.starts_with("https://cyclonedx.org/bom")
            || predicate_type.starts_with("https://spdx.dev/Document");
        if !is_sbom {
            reasons.push(format!("predicate type {predicate_type:?} is not an SBOM"));
            continue;
        }
        if let Some(p) = statement.get("predicate") {
            return Ok((p.clone(), signer));
        }
        reasons.push("the statement has no predicate".into());
    }
    Err(format!(
        "no verified SBOM attestation: {}",
        if reasons.is_empty() {
            "no envelope".to_owned()
        } else {
            reasons.join("; ")
        }
    ))
}

/// What an SBOM says it describes: the purl of CycloneDX's `metadata.component`, or of the
/// packages SPDX's `documentDescribes` (and DESCRIBES relationships) name.
fn described_purls(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = doc
        .pointer("/metadata/component/purl")
        .and_then(Value::as_str)
    {
        out.push(p.to_owned());
    }
    let mut described: Vec<&str> = doc
        .get("documentDescribes")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(rels) = doc.get("relationships").and_then(Value::as_array) {
        for r in rels {
            if r.get("relationshipType").and_then(Value::as_str) == Some("DESCRIBES")
                && r.get("spdxElementId").and_then(Value::as_str) == Some("SPDXRef-DOCUMENT")
                && let Some(id) = r.get("relatedSpdxElement").and_then(Value::as_str)
            {
                described.push(id);
            }
        }
    }
    if let Some(packages) = doc.get("packages").and_then(Value::as_array) {
        for p in packages {
            let id = p.get("SPDXID").and_then(Value::as_str).unwrap_or_default();
            if !described.contains(&id) {
                continue;
            }
            for r in p
                .get("externalRefs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if r.get("referenceType").and_then(Value::as_str) == Some("purl")
                    && let Some(l) = r.get("referenceLocator").and_then(Value::as_str)
                {
                    out.push(l.to_owned());
                }
            }
        }
    }
    out.iter()
        .filter_map(|p| custody_sbom::purl::Purl::parse(p).ok())
        .map(|parts| parts.to_purl().as_str().to_owned())
        .collect()
}

/// A purl without qualifiers and subpath: what identifies the package and version.
fn package_and_version(purl: &str) -> &str {
    purl.split(['?', '#']).next().unwrap_or(purl)
}

/// `*` matches any run of characters, everything else itself.
fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = match parts.split_first() {
        Some(x) => x,
        None => return text.is_empty(),
    };
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    for (i, part) in rest.iter().enumerate() {
        if i == rest.len() - 1 {
            return remaining.ends_with(part);
        }
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.is_empty()
}

/// MAT-3.
pub(super) fn evaluate_mat3(
    control: &'static Control,
    cfg: &SuppliersConfig,
    outcome: &SuppliersOutcome,
    inventory: Option<&Inventory>,
) -> ControlResult {
    if cfg.sboms.is_empty() && cfg.required.is_empty() {
        return result(
            control,
            Status::NotConfigured,
            "no supplier SBOMs configured".into(),
            vec![],
            Some(
                "list supplier SBOMs (files or directories) in [materials.suppliers] sboms of custody.toml, with the suppliers' keys in keys",
            ),
        );
    }
    let mut evidence = Vec::new();
    let mut failures = 0;
    for e in &outcome.errors {
        failures += 1;
        evidence.push(Evidence::note(e.clone()));
    }
    for s in &outcome.sboms {
        let file = s.file.display().to_string();
        if s.problems.is_empty() {
            let components = s
                .inventory
                .as_ref()
                .map_or(0, |i| i.projects.iter().map(|p| p.components.len()).sum());
            let signed = match &s.signed_by {
                Some(k) => format!(", signed by key {k}"),
                None => ", not signature-checked".into(),
            };
            evidence.push(Evidence::at(
                file,
                format!(
                    "valid; describes {}; {components} component(s){signed}",
                    if s.describes.is_empty() {
                        "nothing named".into()
                    } else {
                        s.describes.join(", ")
                    }
                ),
            ));
        } else {
            failures += 1;
            for p in &s.problems {
                evidence.push(Evidence::at(file.clone(), p.clone()));
            }
        }
    }
    let described: Vec<&str> = outcome
        .sboms
        .iter()
        .filter(|s| s.problems.is_empty())
        .flat_map(|s| s.describes.iter().map(|p| package_and_version(p)))
        .collect();
    let mut required_checked = 0;
    if let Some(inv) = inventory {
        for project in &inv.projects {
            for c in project.dependencies() {
                let purl = package_and_version(c.purl.as_str());
                if !cfg.required.iter().any(|pattern| glob_match(pattern, purl)) {
                    continue;
                }
                required_checked += 1;
                if !described.contains(&purl) {
                    failures += 1;
                    evidence.push(Evidence::at(
                        project.lockfile.display().to_string(),
                        format!("{purl}: no valid supplier SBOM describes this version"),
                    ));
                }
            }
        }
    }
    if failures > 0 {
        return result(
            control,
            Status::Fail,
            format!("{failures} supplier SBOM problem(s)"),
            evidence,
            Some(
                "get a valid SBOM (custody sbom validate) signed by the supplier for each required dependency",
            ),
        );
    }
    if outcome.sboms.is_empty() {
        return result(
            control,
            Status::Warn,
            "no supplier SBOM found where [materials.suppliers] sboms points".into(),
            evidence,
            None,
        );
    }
    let summary = format!(
        "{} supplier SBOM(s) valid{}; {required_checked} required dependenc{} covered",
        outcome.sboms.len(),
        if outcome.signatures_required {
            " and signed by a trusted key"
        } else {
            ""
        },
        if required_checked == 1 { "y" } else { "ies" }
    );
    if outcome.signatures_required {
        result(control, Status::Pass, summary, evidence, None)
    } else {
        result(
            control,
            Status::Warn,
            format!("{summary}; signatures not checked"),
            evidence,
            Some(
                "list the suppliers' public keys in [materials.suppliers] keys and take SBOMs as signed attestations",
            ),
        )
    }
}

/// MAT-9: the vulnerability scan of every component of the supplier SBOMs.
pub(super) fn evaluate_mat9(
    control: &'static Control,
    outcome: &SuppliersOutcome,
    advisories: &[PathBuf],
) -> ControlResult {
    let readable: Vec<(&SupplierSbom, &Inventory)> = outcome
        .sboms
        .iter()
        .filter_map(|s| s.inventory.as_ref().map(|i| (s, i)))
        .collect();
    if readable.is_empty() {
        return result(
            control,
            Status::NotConfigured,
            "no readable supplier SBOM to scan".into(),
            vec![],
            Some("list supplier SBOMs in [materials.suppliers] sboms of custody.toml"),
        );
    }
    if advisories.is_empty() {
        return result(
            control,
            Status::NotConfigured,
            "no advisory data to scan supplier SBOMs against".into(),
            vec![],
            Some("set [materials] advisories in custody.toml"),
        );
    }
    let db = match custody_vuln::Database::load(advisories) {
        Ok(db) => db,
        Err(e) => {
            return result(
                control,
                Status::Fail,
                "the advisory data cannot be read".into(),
                vec![Evidence::note(e.to_string())],
                None,
            );
        }
    };
    let mut evidence = Vec::new();
    let mut vulnerable = 0;
    let mut components = 0;
    for (sbom, inv) in &readable {
        components += inv
            .projects
            .iter()
            .map(|p| p.components.len())
            .sum::<usize>();
        // The supplier's own product is first-party in its SBOM, and a dependency here.
        let mut inv = (*inv).clone();
        for c in inv
            .projects
            .iter_mut()
            .flat_map(|p| p.components.iter_mut())
        {
            c.first_party = false;
        }
        match custody_vuln::scan(&inv, &db) {
            Ok(report) => {
                for f in &report.findings {
                    if !matches!(f.kind, custody_vuln::advisory::Kind::Vulnerability) {
                        continue;
                    }
                    vulnerable += 1;
                    evidence.push(Evidence::at(
                        sbom.file.display().to_string(),
                        format!("{} {}: {}", f.purl, f.version, f.ids.join(", ")),
                    ));
                }
            }
            Err(e) => {
                return result(
                    control,
                    Status::Fail,
                    "a supplier SBOM could not be scanned".into(),
                    vec![Evidence::at(sbom.file.display().to_string(), e.to_string())],
                    None,
                );
            }
        }
    }
    if vulnerable > 0 {
        return result(
            control,
            Status::Fail,
            format!(
                "{vulnerable} known vulnerabilit{} in supplier SBOMs",
                if vulnerable == 1 { "y" } else { "ies" }
            ),
            evidence,
            Some(
                "ask the supplier for a fixed release, or record an accepted risk in the ignore file",
            ),
        );
    }
    result(
        control,
        Status::Pass,
        format!(
            "no known vulnerability in the {components} component(s) of {} supplier SBOM(s)",
            readable.len()
        ),
        vec![],
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_purl_identity() {
        assert!(glob_match("pkg:npm/%40acme/*", "pkg:npm/%40acme/lib@1.0.0"));
        assert!(!glob_match("pkg:npm/%40acme/*", "pkg:npm/acme@1.0.0"));
        assert!(glob_match("*", "anything"));
        assert!(glob_match("pkg:*/x@*", "pkg:cargo/x@1"));
        assert!(!glob_match("pkg:cargo/x", "pkg:cargo/x@1"));
        assert_eq!(package_and_version("pkg:cargo/x@1?a=b#c"), "pkg:cargo/x@1");
    }
}
