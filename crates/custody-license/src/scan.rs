//! The licenses of every third-party component of an inventory, judged by a policy.

use crate::policy::{LicensePolicy, Verdict};
use custody_sbom::discover::Inventory;
use std::collections::BTreeMap;

/// One component and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LicenseFinding {
    /// The component's package URL.
    pub purl: String,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The lockfiles it is in.
    pub lockfiles: Vec<String>,
    /// The verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// The result of a license scan.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LicenseReport {
    /// Third-party components judged.
    pub components: usize,
    /// Components per declared expression (as evaluated), for an overview.
    pub expressions: BTreeMap<String, usize>,
    /// Components the policy does not allow.
    pub denied: Vec<LicenseFinding>,
    /// Components whose declared license is not an SPDX expression.
    pub invalid: Vec<LicenseFinding>,
    /// Components without a declared license.
    pub undeclared: Vec<LicenseFinding>,
}

/// Judge every third-party component (one per purl) of `inventory`.
#[must_use]
pub fn scan(inventory: &Inventory, policy: &LicensePolicy) -> LicenseReport {
    let mut report = LicenseReport::default();
    for (c, lockfiles) in inventory.merged().into_values() {
        if c.first_party {
            continue;
        }
        report.components += 1;
        let verdict = policy.judge(&c.licenses);
        let expression = match &verdict {
            Verdict::Allowed { expression } | Verdict::Denied { expression, .. } => {
                expression.clone()
            }
            Verdict::Invalid { text, .. } => text.clone(),
            Verdict::Undeclared => "(none declared)".into(),
        };
        *report.expressions.entry(expression).or_default() += 1;
        let finding = LicenseFinding {
            purl: c.purl.to_string(),
            name: c.name.clone(),
            version: c.version.clone(),
            lockfiles: lockfiles.into_iter().collect(),
            verdict,
        };
        match finding.verdict {
            Verdict::Allowed { .. } => {}
            Verdict::Denied { .. } => report.denied.push(finding),
            Verdict::Invalid { .. } => report.invalid.push(finding),
            Verdict::Undeclared => report.undeclared.push(finding),
        }
    }
    report
}
