//! SRC-1 (signed commits), SRC-2 (signed merges, merged commits verified), SRC-6 (roles)
//! and the policy part of SRC-11 (key validity periods and age), from the repository's
//! `.custody/policy.toml` and its history verified against it.

use super::result;
use crate::catalogue::Control;
use crate::config::Project;
use crate::report::{ControlResult, Evidence, Status};
use custody_git::policy::{KeyMaterial, POLICY_PATH, Policy, Role};
use custody_git::verify::{SourceReport, VerifyOptions};

/// What the source controls share: the current policy and the verified history.
#[derive(Debug)]
pub(super) enum SourceOutcome {
    /// The project is not inside a git repository.
    NotARepository,
    /// No `.custody/policy.toml` in the work tree.
    NoPolicy,
    /// The policy in the work tree, and the verification (or why it could not run).
    Checked {
        root: std::path::PathBuf,
        policy: Result<Box<Policy>, String>,
        report: Result<Box<SourceReport>, String>,
    },
}

pub(super) fn read_project(project: &Project) -> SourceOutcome {
    let Ok(repo) = custody_git::Repo::discover(project.root()) else {
        return SourceOutcome::NotARepository;
    };
    let Some(policy) = Policy::load_work_tree(project.root()) else {
        return SourceOutcome::NoPolicy;
    };
    let policy = policy.map(Box::new).map_err(|e| e.to_string());
    let config = &project.config().source;
    let report = repo
        .verify_source(&VerifyOptions {
            reference: config.reference.clone(),
            range: None,
            trust_root: config.trust_root.clone(),
            trust_key: config.trust_key.clone(),
            ..VerifyOptions::default()
        })
        .map(Box::new)
        .map_err(|e| e.to_string());
    SourceOutcome::Checked {
        root: project.root().to_path_buf(),
        policy,
        report,
    }
}

const INIT: &str = "write a policy with `custody source init --owner NAME --email EMAIL --key PUBKEY`, commit it signed, and set [source] trust_root in custody.toml to that commit";

pub(super) fn evaluate(control: &'static Control, outcome: &SourceOutcome) -> ControlResult {
    let (root, policy, report) = match outcome {
        SourceOutcome::NotARepository => {
            return result(
                control,
                Status::NotApplicable,
                "the project is not in a git repository".into(),
                Vec::new(),
                None,
            );
        }
        SourceOutcome::NoPolicy => {
            return result(
                control,
                Status::NotConfigured,
                format!("no repository policy ({POLICY_PATH})"),
                Vec::new(),
                Some(INIT),
            );
        }
        SourceOutcome::Checked {
            root,
            policy,
            report,
        } => (root, policy, report),
    };
    if control.id == "SRC-6" {
        return roles(control, policy);
    }
    if control.id == "SRC-4" {
        return codeowners(control, root, policy, report);
    }
    let report = match report {
        Ok(r) => r,
        Err(why) => {
            return result(
                control,
                Status::Fail,
                "the history could not be verified against the policy".into(),
                vec![Evidence::note(why.clone())],
                Some(
                    "fix the policy or the trust root named in the evidence; unverifiable history counts as failing",
                ),
            );
        }
    };
    match control.id {
        "SRC-2" => merges(control, report),
        "SRC-8" => protection(control, policy, report),
        "SRC-7" => approvals(control, policy, report),
        _ => signed_commits(control, report),
    }
}

fn codeowners(
    control: &'static Control,
    root: &std::path::Path,
    policy: &Result<Box<Policy>, String>,
    report: &Result<Box<SourceReport>, String>,
) -> ControlResult {
    let Some((location, text)) = custody_git::codeowners::find_in_work_tree(root) else {
        return result(
            control,
            Status::NotConfigured,
            "no CODEOWNERS file".into(),
            Vec::new(),
            Some(
                "add .github/CODEOWNERS naming people of the policy, and codeowners = true on the protected ref's rule",
            ),
        );
    };
    let files = custody_git::Repo::discover(root)
        .and_then(|r| r.tree_paths(None))
        .unwrap_or_default();
    let v = custody_git::codeowners::validate(&text, policy.as_ref().ok().map(|p| &**p), &files);
    let mut evidence: Vec<Evidence> = v
        .errors
        .iter()
        .map(|e| Evidence::at(location, e.to_string()))
        .chain(v.unknown_owners.iter().map(|(line, owner)| {
            Evidence::at(
                location,
                format!("line {line}: owner {owner} is not a person of {POLICY_PATH}"),
            )
        }))
        .collect();
    if v.is_broken() {
        return result(
            control,
            Status::Fail,
            format!("{location} has lines that cannot be used or owners the policy does not know"),
            evidence,
            Some("fix the lines named (custody source codeowners shows the same)"),
        );
    }
    let violations: Vec<&custody_git::verify::CommitVerdict> = report
        .as_ref()
        .map(|r| {
            r.commits
                .iter()
                .filter(|c| {
                    c.violations
                        .iter()
                        .any(|v| matches!(v, custody_git::verify::Violation::CodeOwners(_)))
                })
                .collect()
        })
        .unwrap_or_default();
    if !violations.is_empty() {
        evidence.extend(violation_evidence(violations.iter().copied()));
        return result(
            control,
            Status::Fail,
            format!(
                "{} commit(s) change owned paths without their owners' approval",
                violations.len()
            ),
            evidence,
            Some("have an owner of each changed path run `custody source approve COMMIT`"),
        );
    }
    let enforced = match (policy, report) {
        (Ok(p), Ok(r)) => p.requirements(&r.reference).codeowners,
        _ => false,
    };
    evidence.push(Evidence::at(
        location,
        format!("{} of {} file(s) in HEAD unowned", v.unowned.len(), v.files),
    ));
    if !enforced {
        return result(
            control,
            Status::Warn,
            format!("{location} is valid, but the policy does not require code owners' approval"),
            evidence,
            Some("set codeowners = true on the rule for the protected ref"),
        );
    }
    result(
        control,
        Status::Pass,
        format!("{location} is valid and code owners' approval is required"),
        evidence,
        None,
    )
}

fn approvals(
    control: &'static Control,
    policy: &Result<Box<Policy>, String>,
    report: &SourceReport,
) -> ControlResult {
    let required = policy
        .as_ref()
        .map_or(0, |p| p.requirements(&report.reference).approvals);
    let unapproved: Vec<&custody_git::verify::CommitVerdict> = report
        .commits
        .iter()
        .filter(|c| {
            c.violations
                .iter()
                .any(|v| matches!(v, custody_git::verify::Violation::Approvals(_)))
        })
        .collect();
    let evidence = violation_evidence(unapproved.iter().copied());
    if !unapproved.is_empty() {
        return result(
            control,
            Status::Fail,
            format!(
                "{} commit(s) of {} lack the {required} independent approvals the policy requires",
                unapproved.len(),
                report.reference
            ),
            evidence,
            Some(
                "have reviewers other than the author and committer run `custody source approve COMMIT` and push refs/custody/attestations",
            ),
        );
    }
    if required < 2 {
        return result(
            control,
            Status::Warn,
            format!(
                "the policy requires {required} approval(s) for {}; four eyes means at least 2 independent ones",
                report.reference
            ),
            evidence,
            Some("set approvals = 2 and write_approval = true on the rule for the ref"),
        );
    }
    result(
        control,
        Status::Pass,
        format!(
            "every commit of {} has {required} independent approvals",
            report.reference
        ),
        evidence,
        None,
    )
}

fn protection(
    control: &'static Control,
    policy: &Result<Box<Policy>, String>,
    report: &SourceReport,
) -> ControlResult {
    let protected = policy
        .as_ref()
        .is_ok_and(|p| p.requirements(&report.reference).fast_forward_only);
    let Some(log) = &report.push_log else {
        return result(
            control,
            Status::Warn,
            format!(
                "no push log: nothing shows how {} was updated{}",
                report.reference,
                if protected {
                    ""
                } else {
                    ", and the policy does not protect it"
                }
            ),
            Vec::new(),
            Some(
                "install the server hooks (custody source hook install --trust-root C --log-key K), list the log key in the policy (log_keys), and fetch refs/custody/* here",
            ),
        );
    };
    let mut evidence: Vec<Evidence> = log.problems.iter().map(Evidence::note).collect();
    evidence.push(Evidence::note(format!(
        "push log: {} entr(y/ies), {} verified",
        log.entries, log.verified
    )));
    if !log.problems.is_empty() {
        return result(
            control,
            Status::Fail,
            format!(
                "the push log shows {} problem(s): rewritten, rolled back or unlogged updates",
                log.problems.len()
            ),
            evidence,
            Some(
                "find out who moved the ref and how (the server's reflog); restore it to what the log records, or review and pin a new trust root",
            ),
        );
    }
    if !protected {
        return result(
            control,
            Status::Warn,
            format!(
                "the push log is intact, but the policy does not make {} fast-forward only",
                report.reference
            ),
            evidence,
            Some("set fast_forward_only = true on the rule for the ref"),
        );
    }
    result(
        control,
        Status::Pass,
        format!(
            "{} is fast-forward only and its push log ({} entries) shows no rewrite",
            report.reference, log.entries
        ),
        evidence,
        None,
    )
}

fn violation_evidence<'r>(
    commits: impl Iterator<Item = &'r custody_git::verify::CommitVerdict>,
) -> Vec<Evidence> {
    commits
        .filter(|c| !c.violations.is_empty())
        .take(20)
        .map(|c| {
            let reasons: Vec<String> = c.violations.iter().map(ToString::to_string).collect();
            Evidence::note(format!(
                "commit {} ({}): {}",
                custody_git::short_id(&c.id),
                c.summary,
                reasons.join("; ")
            ))
        })
        .collect()
}

fn signed_commits(control: &'static Control, report: &SourceReport) -> ControlResult {
    let bad = report.violations();
    let mut evidence = violation_evidence(report.commits.iter());
    evidence.push(Evidence::note(format!(
        "trust root {} ({})",
        custody_git::short_id(&report.trust_root),
        if report.trust_root_pinned {
            "pinned in custody.toml"
        } else {
            "not pinned: the first commit with the policy"
        }
    )));
    if bad > 0 {
        return result(
            control,
            Status::Fail,
            format!(
                "{bad} of {} commit(s) of {} break the policy",
                report.commits.len(),
                report.reference
            ),
            evidence,
            Some(
                "see `custody source verify`; history that is already published cannot be re-signed, so pin a later trust root ([source] trust_root) only after reviewing it",
            ),
        );
    }
    if report.matched_rules.is_empty() {
        return result(
            control,
            Status::Warn,
            format!("no rule of the policy applies to {}", report.reference),
            evidence,
            Some("add a [[rules]] entry for the ref with signed = true"),
        );
    }
    if !report.trust_root_pinned {
        return result(
            control,
            Status::Warn,
            format!(
                "{} commit(s) of {} verify, from a trust root that is not pinned",
                report.commits.len(),
                report.reference
            ),
            evidence,
            Some(
                "set [source] trust_root in custody.toml to the commit you trust, so a rewritten first policy is noticed",
            ),
        );
    }
    result(
        control,
        Status::Pass,
        format!(
            "{} commit(s) of {} verify against the policy",
            report.commits.len(),
            report.reference
        ),
        evidence,
        None,
    )
}

fn merges(control: &'static Control, report: &SourceReport) -> ControlResult {
    let merges = report.commits.iter().filter(|c| c.parents > 1).count();
    let merged = report.commits.iter().filter(|c| !c.on_ref).count();
    let relevant = report.commits.iter().filter(|c| c.parents > 1 || !c.on_ref);
    let evidence = violation_evidence(relevant.clone());
    let bad = relevant.filter(|c| !c.violations.is_empty()).count();
    if bad > 0 {
        return result(
            control,
            Status::Fail,
            format!(
                "{bad} merge(s) or merged commit(s) of {} do not verify",
                report.reference
            ),
            evidence,
            Some(
                "merge with `git merge -S --verify-signatures`, and only branches whose commits are signed by people of the policy",
            ),
        );
    }
    result(
        control,
        if merges == 0 {
            Status::Warn
        } else {
            Status::Pass
        },
        if merges == 0 {
            format!("no merges in {} to check", report.reference)
        } else {
            format!(
                "{merges} merge(s) and {merged} merged commit(s) of {} verify",
                report.reference
            )
        },
        evidence,
        None,
    )
}

fn roles(control: &'static Control, policy: &Result<Box<Policy>, String>) -> ControlResult {
    let policy = match policy {
        Ok(p) => p,
        Err(why) => {
            return result(
                control,
                Status::Fail,
                format!("{POLICY_PATH} is not a valid policy"),
                vec![Evidence::at(POLICY_PATH, why.clone())],
                Some("fix the policy; `custody source verify` shows the same error"),
            );
        }
    };
    let mut evidence: Vec<Evidence> = Role::ALL
        .into_iter()
        .filter_map(|role| {
            let names: Vec<&str> = policy
                .people
                .iter()
                .filter(|p| p.role == role)
                .map(|p| p.name.as_str())
                .collect();
            (!names.is_empty())
                .then(|| Evidence::at(POLICY_PATH, format!("{role}: {}", names.join(", "))))
        })
        .collect();
    for rule in &policy.rules {
        evidence.push(Evidence::at(
            POLICY_PATH,
            format!("rule for {}", rule.refs.join(", ")),
        ));
    }
    result(
        control,
        Status::Pass,
        format!(
            "{} people with roles, {} rule(s); policy changes need {} Owner signature(s)",
            policy.people.len(),
            policy.rules.len(),
            policy.owners_threshold
        ),
        evidence,
        None,
    )
}

/// SRC-11 for the policy's keys: expired keys still listed, keys past `max_key_age` or
/// close to it, keys without a validity period. `None` when there is no policy.
pub(super) fn policy_keys(
    outcome: &SourceOutcome,
    now: i64,
) -> Option<(Status, String, Vec<Evidence>)> {
    let SourceOutcome::Checked { policy, .. } = outcome else {
        return None;
    };
    let policy = match policy {
        Ok(p) => p,
        Err(why) => {
            return Some((
                Status::Fail,
                format!("{POLICY_PATH} is not a valid policy"),
                vec![Evidence::at(POLICY_PATH, why.clone())],
            ));
        }
    };
    let mut status = Status::Pass;
    let mut evidence = Vec::new();
    let mut keys = 0usize;
    for person in &policy.people {
        for key in &person.keys {
            keys += 1;
            let fpr = key.material.fingerprint();
            let born = key.valid_from.or(match &key.material {
                KeyMaterial::OpenPgp(c) => Some(c.created()),
                KeyMaterial::Ssh(_) => None,
            });
            let mut note = |s: Status, text: String| {
                if s == Status::Fail || (s == Status::Warn && status == Status::Pass) {
                    status = s;
                }
                evidence.push(Evidence::at(
                    POLICY_PATH,
                    format!("{} key {fpr}: {text}", person.name),
                ));
            };
            if let Some(until) = key.valid_until
                && until <= now
            {
                note(
                    Status::Warn,
                    format!(
                        "expired {}; remove it from the policy",
                        custody_core::time::format_utc(until)
                    ),
                );
                continue;
            }
            match (policy.max_key_age, born) {
                (Some(max), Some(born)) if now - born > max => note(
                    Status::Fail,
                    format!("older than max_key_age ({} days); rotate it", max / 86_400),
                ),
                (Some(max), Some(born)) if now - born > max - max / 10 => note(
                    Status::Warn,
                    format!("reaches max_key_age ({} days) soon", max / 86_400),
                ),
                (Some(_), None) => note(
                    Status::Warn,
                    "no valid_from, so its age cannot be checked".into(),
                ),
                (None, _) if key.valid_until.is_none() => note(
                    Status::Warn,
                    "no valid_until and no max_key_age: it never has to be rotated".into(),
                ),
                _ => {}
            }
        }
    }
    let summary = format!(
        "{keys} key(s) in {POLICY_PATH}{}",
        match policy.max_key_age {
            Some(max) => format!(", max_key_age {} days", max / 86_400),
            None => String::new(),
        }
    );
    Some((status, summary, evidence))
}
