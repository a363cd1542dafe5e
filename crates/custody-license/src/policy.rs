//! What licenses a project accepts, and the verdict on one component's declared licenses.

use spdx::{Expression, LicenseReq, Licensee, ParseMode};

/// What to do with a component that declares no license.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unknown {
    /// Report it; the check warns.
    #[default]
    Warn,
    /// Report it as a failure: nobody has said the project may use it.
    Deny,
}

/// `[materials.licenses]` of custody.toml.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicensePolicy {
    /// When not empty, only these licenses are allowed (SPDX IDs; `GPL-2.0-or-later`
    /// allows what it says).
    #[serde(default)]
    pub allow: Vec<String>,
    /// Licenses never allowed, whatever `allow` says.
    #[serde(default)]
    pub deny: Vec<String>,
    /// ScanCode LicenseDB categories never allowed (`Copyleft`, `Copyleft Limited`,
    /// `Proprietary Free`, `Commercial`, `Source-available`, …).
    #[serde(default)]
    pub deny_categories: Vec<String>,
    /// Components without a declared license: `warn` (default) or `deny`.
    #[serde(default)]
    pub unknown: Unknown,
}

/// The verdict on one component.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "verdict", rename_all = "lowercase")]
pub enum Verdict {
    /// Some choice the expression offers satisfies the policy.
    Allowed {
        /// The expression as evaluated.
        expression: String,
    },
    /// No choice does.
    Denied {
        /// The expression as evaluated.
        expression: String,
        /// The licenses that failed, each with why.
        failing: Vec<String>,
    },
    /// No license declared.
    Undeclared,
    /// The declared text is not an SPDX expression custody can read.
    Invalid {
        /// The declared text.
        text: String,
        /// What is wrong.
        error: String,
    },
}

impl LicensePolicy {
    /// Check that every entry names a license and every category exists.
    ///
    /// # Errors
    /// The first entry that does not, with what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        for (key, list) in [("allow", &self.allow), ("deny", &self.deny)] {
            for l in list {
                Licensee::parse_mode(l, ParseMode::LAX).map_err(|e| {
                    format!("[materials.licenses] {key}: {l:?} is not a license: {e}")
                })?;
            }
        }
        let known = crate::categories::names();
        for c in &self.deny_categories {
            if !known.iter().any(|k| k.eq_ignore_ascii_case(c)) {
                return Err(format!(
                    "[materials.licenses] deny_categories: {c:?} is not a category (categories: {})",
                    known.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Whether the policy says anything at all.
    #[must_use]
    pub fn is_configured(&self) -> bool {
        !self.allow.is_empty()
            || !self.deny.is_empty()
            || !self.deny_categories.is_empty()
            || self.unknown == Unknown::Deny
    }

    /// Why one license requirement is not allowed, or `None` when it is.
    fn refuse(&self, req: &LicenseReq) -> Option<String> {
        let matches = |list: &[String]| {
            list.iter().any(|l| {
                Licensee::parse_mode(l, ParseMode::LAX)
                    .is_ok_and(|licensee| licensee.satisfies(req))
            })
        };
        if matches(&self.deny) {
            return Some(format!("{req}: denied"));
        }
        if let Some(id) = req.license.id()
            && let Some(category) = crate::categories::category(id.name)
            && self
                .deny_categories
                .iter()
                .any(|c| c.eq_ignore_ascii_case(category))
        {
            return Some(format!("{req}: {category}, a denied category"));
        }
        if !self.allow.is_empty() && !matches(&self.allow) {
            return Some(format!("{req}: not in the allow list"));
        }
        None
    }

    /// The verdict on a component that declares `licenses` (all of which apply).
    #[must_use]
    pub fn judge(&self, licenses: &[String]) -> Verdict {
        let declared: Vec<&str> = licenses
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty() && !matches!(*l, "NOASSERTION" | "NONE" | "UNKNOWN"))
            .collect();
        if declared.is_empty() {
            return Verdict::Undeclared;
        }
        let text = if declared.len() == 1 {
            declared[0].to_owned()
        } else {
            declared
                .iter()
                .map(|l| format!("({l})"))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        let expression = match Expression::parse_mode(&text, ParseMode::LAX) {
            Ok(e) => e,
            Err(e) => {
                return Verdict::Invalid {
                    text,
                    error: e.reason.to_string(),
                };
            }
        };
        let mut reasons = Vec::new();
        let outcome = expression.evaluate_with_failures(|req| match self.refuse(req) {
            None => true,
            Some(why) => {
                reasons.push(why);
                false
            }
        });
        match outcome {
            Ok(()) => Verdict::Allowed {
                expression: expression.to_string(),
            },
            Err(_) => {
                reasons.sort();
                reasons.dedup();
                Verdict::Denied {
                    expression: expression.to_string(),
                    failing: reasons,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(p: &LicensePolicy, l: &str) -> Verdict {
        p.judge(&[l.to_owned()])
    }

    #[test]
    fn or_needs_one_choice_and_needs_all() {
        let p = LicensePolicy {
            allow: vec!["MIT".into(), "Apache-2.0".into()],
            ..LicensePolicy::default()
        };
        assert!(matches!(
            judge(&p, "MIT OR GPL-3.0-only"),
            Verdict::Allowed { .. }
        ));
        assert!(
            matches!(judge(&p, "MIT/Apache-2.0"), Verdict::Allowed { .. }),
            "lax `/`"
        );
        match judge(&p, "MIT AND GPL-3.0-only") {
            Verdict::Denied { failing, .. } => {
                assert_eq!(
                    failing,
                    vec!["GPL-3.0-only: not in the allow list".to_owned()]
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            p.judge(&["MIT".into(), "BSD-3-Clause".into()]),
            Verdict::Denied { .. }
        ));
    }

    #[test]
    fn deny_lists_and_categories_win_over_allow() {
        let p = LicensePolicy {
            allow: vec!["GPL-2.0-or-later".into(), "MIT".into()],
            deny: vec!["MIT".into()],
            deny_categories: vec!["copyleft".into()],
            ..LicensePolicy::default()
        };
        match judge(&p, "MIT") {
            Verdict::Denied { failing, .. } => assert_eq!(failing, vec!["MIT: denied".to_owned()]),
            other => panic!("{other:?}"),
        }
        match judge(&p, "GPL-3.0-or-later") {
            Verdict::Denied { failing, .. } => {
                assert!(
                    failing[0].contains("Copyleft, a denied category"),
                    "{failing:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        let weak = LicensePolicy {
            deny_categories: vec!["Copyleft".into()],
            ..LicensePolicy::default()
        };
        assert!(
            matches!(judge(&weak, "MPL-2.0"), Verdict::Allowed { .. }),
            "limited copyleft"
        );
        assert!(matches!(
            judge(&weak, "GPL-2.0-only WITH Classpath-exception-2.0"),
            Verdict::Denied { .. }
        ));
    }

    #[test]
    fn undeclared_invalid_and_policy_errors() {
        let p = LicensePolicy::default();
        assert_eq!(p.judge(&[]), Verdict::Undeclared);
        assert_eq!(p.judge(&["NOASSERTION".into()]), Verdict::Undeclared);
        assert!(matches!(judge(&p, "MIT AND"), Verdict::Invalid { .. }));
        assert!(matches!(
            judge(&p, "LicenseRef-ours"),
            Verdict::Allowed { .. }
        ));
        assert!(!p.is_configured());
        let bad = LicensePolicy {
            deny_categories: vec!["Viral".into()],
            ..LicensePolicy::default()
        };
        assert!(
            bad.validate()
                .expect_err("no such category")
                .contains("Viral")
        );
        let bad = LicensePolicy {
            allow: vec!["MIT AND".into()],
            ..LicensePolicy::default()
        };
        assert!(bad.validate().is_err());
    }
}
