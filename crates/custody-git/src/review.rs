//! Reviews of a commit on a protected ref: independent approvals (SRC-7) and code
//! owners' approvals of the paths it changes (SRC-4).

use crate::GitError;
use crate::approvals::{Approval, StoredApproval};
use crate::history::{Objects, object_error};
use crate::policy::Policy;
use crate::verify::{
    ParsedCommit, Violation, blob_at, key_period_violation, parse_commit, read_blob, signer_of,
};
use gix::ObjectId;

/// Whether a commit on a protected ref has the independent approvals its rules require:
/// approvals of the commit itself, of the branch head a merge brings in, or of the same
/// tree on the same base. The author and committer (and, for a merge, those of the merged
/// head) never count; each person counts once; with `write_approval`, one of them must have
/// write access.
pub(crate) fn approvals_violation(
    objects: &Objects,
    policy: &Policy,
    requirements: &crate::policy::RefRequirements,
    id: ObjectId,
    commit: &ParsedCommit,
    approvals: &[(Approval, StoredApproval)],
) -> Vec<Violation> {
    let (counted, notes) = counted_approvers(objects, policy, requirements, id, commit, approvals);
    let mut violations = Vec::new();
    if requirements.codeowners
        && let Some(v) = codeowners_violation(objects, policy, commit, &counted)
    {
        violations.push(v);
    }
    let need = requirements.approvals as usize;
    let write_ok = !requirements.write_approval || counted.values().any(|r| r.has_write_access());
    if counted.len() >= need && write_ok {
        return violations;
    }
    let mut why = format!("{} independent approval(s), {need} required", counted.len());
    if !counted.is_empty() {
        why.push_str(&format!(
            " (by {})",
            counted.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if !write_ok {
        why.push_str("; none from someone with write access");
    }
    for n in notes {
        why.push_str("; ");
        why.push_str(&n);
    }
    violations.push(Violation::Approvals(why));
    violations
}

/// The people whose valid, independent approvals of the commit count under
/// `requirements` (their roles), and why other approvals did not count.
pub(crate) fn counted_approvers(
    objects: &Objects,
    policy: &Policy,
    requirements: &crate::policy::RefRequirements,
    id: ObjectId,
    commit: &ParsedCommit,
    approvals: &[(Approval, StoredApproval)],
) -> (
    std::collections::BTreeMap<String, crate::policy::Role>,
    Vec<String>,
) {
    let id_hex = id.to_string();
    let merged_head = commit.parents.get(1).map(ToString::to_string);
    let base = commit
        .parents
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    let tree = commit.tree.to_string();
    let mut excluded = vec![
        commit.author_email.to_lowercase(),
        commit.committer_email.to_lowercase(),
    ];
    if let Some(head) = commit.parents.get(1)
        && let Ok(head) = parse_commit(objects, *head)
    {
        excluded.push(head.author_email.to_lowercase());
        excluded.push(head.committer_email.to_lowercase());
    }
    let mut counted: std::collections::BTreeMap<String, crate::policy::Role> =
        std::collections::BTreeMap::new();
    let mut notes = Vec::new();
    for (approval, stored) in approvals {
        let applies = approval.commit == id_hex
            || merged_head.as_deref() == Some(approval.commit.as_str())
            || (approval.tree == tree && approval.base == base);
        if !applies {
            continue;
        }
        let Ok(time) = custody_core::time::parse_utc(&approval.time) else {
            notes.push(format!(
                "an approval has no usable time ({:?})",
                approval.time
            ));
            continue;
        };
        let signer = match signer_of(
            policy,
            &stored.signature,
            &stored.statement,
            crate::approvals::SSH_NAMESPACE,
            time,
        ) {
            Ok(s) => s,
            Err(v) => {
                notes.push(format!("an approval does not count: {v}"));
                continue;
            }
        };
        let name = signer.person.name.clone();
        if let Some(v) = key_period_violation(signer.key, time, requirements.max_key_age) {
            notes.push(format!("{name}'s approval does not count: {v}"));
        } else if signer
            .person
            .emails
            .iter()
            .any(|e| excluded.contains(&e.to_lowercase()))
        {
            notes.push(format!(
                "{name} approved their own change, which never counts"
            ));
        } else if !requirements.approver_roles.contains(&signer.person.role) {
            notes.push(format!(
                "{name} ({}) is not in a role whose approvals count here",
                signer.person.role
            ));
        } else {
            counted.insert(name, signer.person.role);
        }
    }
    (counted, notes)
}

/// Every path the commit changes (added, modified, removed) must have an approval from
/// one of its owners, by the CODEOWNERS of the commit's base: a change cannot name its
/// own owners.
fn codeowners_violation(
    objects: &Objects,
    policy: &Policy,
    commit: &ParsedCommit,
    counted: &std::collections::BTreeMap<String, crate::policy::Role>,
) -> Option<Violation> {
    let base_tree = commit
        .parents
        .first()
        .and_then(|p| parse_commit(objects, *p).ok())
        .map(|c| c.tree);
    let Some(base_tree) = base_tree else {
        return None; // a root commit has no owners yet
    };
    let mut text = None;
    for location in crate::codeowners::LOCATIONS {
        if let Ok(Some(blob)) = blob_at(objects, base_tree, location) {
            text = read_blob(objects, blob).ok();
            break;
        }
    }
    let Some(text) = text else {
        return Some(Violation::CodeOwners(
            "the rules require CODEOWNERS approval, but the base has no CODEOWNERS file".into(),
        ));
    };
    let (owners, _errors) = crate::codeowners::CodeOwners::parse(&String::from_utf8_lossy(&text));
    let changed = match changed_paths(objects, Some(base_tree), commit.tree) {
        Ok(c) => c,
        Err(e) => {
            return Some(Violation::CodeOwners(format!(
                "the change cannot be read: {e}"
            )));
        }
    };
    let is_owner = |owner: &str, name: &str| {
        policy
            .people
            .iter()
            .find(|p| p.name == name)
            .is_some_and(|person| crate::codeowners::is_owner(owner, person))
    };
    let mut missing: Vec<String> = Vec::new();
    for path in &changed {
        let path_owners = owners.owners_of(path);
        if path_owners.is_empty() {
            continue;
        }
        if !counted
            .keys()
            .any(|name| path_owners.iter().any(|o| is_owner(o, name)))
        {
            missing.push(format!("{path} (owners {})", path_owners.join(" ")));
        }
    }
    if missing.is_empty() {
        return None;
    }
    let shown = missing.len().min(10);
    let mut why = format!(
        "{} changed path(s) without an approval from one of their code owners: {}",
        missing.len(),
        missing[..shown].join(", ")
    );
    if missing.len() > shown {
        why.push_str(", …");
    }
    Some(Violation::CodeOwners(why))
}

/// Paths that differ between two trees (added, modified or removed), descending only
/// into subtrees whose ids differ.
pub(crate) fn changed_paths(
    objects: &Objects,
    old: Option<ObjectId>,
    new: ObjectId,
) -> Result<Vec<String>, GitError> {
    fn entries(
        objects: &Objects,
        tree: Option<ObjectId>,
    ) -> Result<std::collections::BTreeMap<Vec<u8>, (bool, ObjectId)>, GitError> {
        let mut out = std::collections::BTreeMap::new();
        let Some(tree) = tree else {
            return Ok(out);
        };
        let mut buffer = Vec::new();
        let data = objects.read_kind(&tree, gix::object::Kind::Tree, &mut buffer)?;
        let decoded = gix::objs::TreeRef::from_bytes(data, objects.hash)
            .map_err(|e| object_error(tree, e))?;
        for e in &decoded.entries {
            out.insert(e.filename.to_vec(), (e.mode.is_tree(), e.oid.to_owned()));
        }
        Ok(out)
    }
    fn walk(
        objects: &Objects,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        prefix: &str,
        out: &mut Vec<String>,
    ) -> Result<(), GitError> {
        let a = entries(objects, old)?;
        let b = entries(objects, new)?;
        let names: std::collections::BTreeSet<&Vec<u8>> = a.keys().chain(b.keys()).collect();
        for name in names {
            let path = format!("{prefix}{}", String::from_utf8_lossy(name));
            let (x, y) = (a.get(name), b.get(name));
            if x == y {
                continue;
            }
            let sub = |e: Option<&(bool, ObjectId)>| e.filter(|(t, _)| *t).map(|(_, id)| *id);
            let file = |e: Option<&(bool, ObjectId)>| e.is_some_and(|(t, _)| !*t);
            if sub(x).is_some() || sub(y).is_some() {
                walk(objects, sub(x), sub(y), &format!("{path}/"), out)?;
            }
            if file(x) || file(y) {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(objects, old, Some(new), "", &mut out)?;
    Ok(out)
}
