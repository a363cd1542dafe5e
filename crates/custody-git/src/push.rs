//! Pushes: what a pre-receive hook is told (one `OLD NEW REF` line per updated ref), and
//! the policy's verdict on it.

use crate::verify::{VerifyOptions, ancestry, resolve};
use crate::{GitError, Repo};

/// One ref update of a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// Old value (all zeros when the ref is created).
    pub old: String,
    /// New value (all zeros when the ref is deleted).
    pub new: String,
    /// The ref.
    pub name: String,
}

impl RefUpdate {
    /// Whether the push deletes the ref.
    #[must_use]
    pub fn deletes(&self) -> bool {
        is_zero(&self.new)
    }

    /// Whether the push creates the ref.
    #[must_use]
    pub fn creates(&self) -> bool {
        is_zero(&self.old)
    }
}

/// Whether an object id is git's all-zeros "no object" (a ref created or deleted).
pub(crate) fn is_zero(id: &str) -> bool {
    id.bytes().all(|b| b == b'0')
}

/// Read pre-receive input. Blank lines are skipped; object ids are 40 (SHA-1) or 64
/// (SHA-256) hex digits.
///
/// # Errors
/// [`GitError::PushInput`] naming the line.
pub fn parse_updates(input: &str) -> Result<Vec<RefUpdate>, GitError> {
    let mut out = Vec::new();
    for (i, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let error = |detail: String| GitError::PushInput {
            line: i + 1,
            detail,
        };
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [old, new, name] = fields[..] else {
            return Err(error(format!("expected OLD NEW REF, got {line:?}")));
        };
        for id in [old, new] {
            if !(id.len() == 40 || id.len() == 64) || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(error(format!("{id:?} is not an object id")));
            }
        }
        out.push(RefUpdate {
            old: old.to_owned(),
            new: new.to_owned(),
            name: name.to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_input_is_parsed_strictly() {
        let zero = "0".repeat(40);
        let a = "a".repeat(40);
        let parsed = parse_updates(&format!("{zero} {a} refs/heads/main\n\n")).expect("valid");
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].name, "refs/heads/main");
        assert!(parsed[0].creates() && !parsed[0].deletes());
        for bad in [
            "x y",
            &format!("{a} {a}"),
            &format!("{a} nothex refs/heads/x"),
        ] {
            let err = parse_updates(bad).expect_err(bad);
            assert!(err.to_string().contains("line 1"), "{err}");
        }
    }
}

/// What the policy says about one ref update of a push.
#[derive(Debug, Clone)]
pub struct PushDecision {
    /// The ref.
    pub reference: String,
    /// Why the update must be refused (empty: accepted as far as the policy goes).
    pub rejections: Vec<String>,
    /// Commits the push adds, as verified.
    pub commits: usize,
}

impl Repo {
    /// Judge a push before git accepts it (pre-receive): deletions and force pushes of
    /// refs whose rules say `fast_forward_only`, and every commit the push adds against
    /// the policy chain. Anything that cannot be established is a rejection: the hook
    /// fails closed.
    ///
    /// # Errors
    /// [`GitError`] when the repository's references cannot be read.
    pub fn check_push(
        &self,
        updates: &[RefUpdate],
        trust_root: Option<&str>,
    ) -> Result<Vec<PushDecision>, GitError> {
        let existing = self.ref_tips()?;
        // Approvals pushed together with the commits they approve count already.
        let approvals_tip = updates
            .iter()
            .find(|u| u.name == crate::approvals::APPROVALS_REF && !u.deletes())
            .map(|u| u.new.clone());
        let verify = |reference: &str, tip: &str, exclude: Vec<String>| {
            self.verify_source(&VerifyOptions {
                reference: Some(reference.to_owned()),
                range: None,
                trust_root: trust_root.map(str::to_owned),
                tip: Some(tip.to_owned()),
                exclude,
                push_time: Some(custody_core::time::now_unix()),
                approvals_tip: approvals_tip.clone(),
                trust_key: None,
            })
        };
        let mut out = Vec::new();
        for update in updates {
            let mut decision = PushDecision {
                reference: update.name.clone(),
                rejections: Vec::new(),
                commits: 0,
            };
            // custody's own refs (approvals, the push log) are append-only records whose
            // entries carry their own signatures: never deleted, never rewritten.
            if update.name.starts_with("refs/custody/") {
                if update.name == crate::pushlog::PUSH_LOG_REF {
                    decision.rejections.push(format!(
                        "{} is written by the server's post-receive hook only",
                        update.name
                    ));
                } else if update.deletes() {
                    decision.rejections.push(format!(
                        "{} is an append-only record and cannot be deleted",
                        update.name
                    ));
                } else if !update.creates() && !self.is_ancestor(&update.old, &update.new)? {
                    decision.rejections.push(format!(
                        "{} is an append-only record: {} does not extend {}",
                        update.name,
                        crate::short_id(&update.new),
                        crate::short_id(&update.old)
                    ));
                }
                out.push(decision);
                continue;
            }
            // The rules in force before the push, for deletions and force pushes.
            let before = if update.creates() {
                None
            } else {
                match verify(&update.name, &update.old, vec![update.old.clone()]) {
                    Ok(r) => Some(r.tip_requirements),
                    Err(e) => {
                        decision.rejections.push(format!(
                            "the policy in force at {} cannot be established: {e}",
                            crate::short_id(&update.old)
                        ));
                        out.push(decision);
                        continue;
                    }
                }
            };
            let protected = before.as_ref().is_some_and(|r| r.fast_forward_only);
            if update.deletes() {
                if protected {
                    decision.rejections.push(format!(
                        "deleting {} is not allowed: the policy protects it (fast_forward_only)",
                        update.name
                    ));
                }
                out.push(decision);
                continue;
            }
            let mut exclude = existing.clone();
            if !update.creates() {
                exclude.push(update.old.clone());
            }
            let report = match verify(&update.name, &update.new, exclude) {
                Ok(r) => r,
                Err(e) => {
                    decision
                        .rejections
                        .push(format!("the pushed history cannot be verified: {e}"));
                    out.push(decision);
                    continue;
                }
            };
            if protected && !self.is_ancestor(&update.old, &update.new)? {
                decision.rejections.push(format!(
                    "force push to {}: {} is not an ancestor of {} and the policy allows fast-forwards only",
                    update.name,
                    crate::short_id(&update.old),
                    crate::short_id(&update.new)
                ));
            }
            decision.commits = report.commits.len();
            for c in &report.commits {
                for v in &c.violations {
                    decision.rejections.push(format!(
                        "commit {} ({}): {v}",
                        crate::short_id(&c.id),
                        c.summary
                    ));
                }
            }
            out.push(decision);
        }
        Ok(out)
    }

    /// Whether commit `ancestor` is reachable from `descendant` (both hex ids).
    ///
    /// # Errors
    /// [`GitError`] when a commit cannot be read.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool, GitError> {
        let repo = self.local();
        let objects = self.objects(&repo)?;
        let a = resolve(&repo, &objects, ancestor)?;
        let d = resolve(&repo, &objects, descendant)?;
        Ok(ancestry(&objects, &[d])?.iter().any(|(id, _)| *id == a))
    }
}
