//! The repository policy (`.custody/policy.toml`): who the people are, which keys they
//! sign with and when those keys are valid, and what each ref requires.
//!
//! The policy lives in the repository it governs, so its history is verifiable like any
//! other file's: a commit that changes it must be signed by enough Owners of the policy
//! it replaces (see `verify`). Parsing is strict: unknown keys, unknown roles, duplicate
//! people or keys are errors, because a typo in a security policy must not quietly
//! weaken it.

use custody_crypto::openpgp::Certificate;
use custody_crypto::sshsig::SshPublicKey;
use serde::Deserialize;
use std::collections::BTreeSet;

/// Where the policy lives in the repository.
pub const POLICY_PATH: &str = ".custody/policy.toml";

/// A person's role (SRC-6). Write access: Owner, Maintainer, Developer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Changes the policy itself.
    Owner,
    /// Merges and releases.
    Maintainer,
    /// Writes code.
    Developer,
    /// Reviews changes.
    Reviewer,
    /// Approves changes.
    Approver,
    /// Reads.
    Guest,
}

impl Role {
    /// Every role, in order of authority.
    pub const ALL: [Role; 6] = [
        Role::Owner,
        Role::Maintainer,
        Role::Developer,
        Role::Reviewer,
        Role::Approver,
        Role::Guest,
    ];

    /// The name as written in the policy (lower case).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Maintainer => "maintainer",
            Role::Developer => "developer",
            Role::Reviewer => "reviewer",
            Role::Approver => "approver",
            Role::Guest => "guest",
        }
    }

    /// Whether the role may write to the repository (push commits).
    #[must_use]
    pub fn has_write_access(self) -> bool {
        matches!(self, Role::Owner | Role::Maintainer | Role::Developer)
    }

    fn parse(text: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| {
                format!(
                    "unknown role {text:?} (roles: {})",
                    Role::ALL.map(Role::as_str).join(", ")
                )
            })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A signing key of a person.
#[derive(Debug, Clone)]
pub enum KeyMaterial {
    /// An OpenSSH public key (commits signed with `gpg.format = ssh`).
    Ssh(SshPublicKey),
    /// An OpenPGP certificate.
    OpenPgp(Box<Certificate>),
}

impl KeyMaterial {
    /// `SHA256:…` for SSH keys, the primary fingerprint for OpenPGP certificates.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        match self {
            KeyMaterial::Ssh(k) => k.fingerprint(),
            KeyMaterial::OpenPgp(c) => c.fingerprint(),
        }
    }
}

/// A key and the period in which the policy lets it sign.
#[derive(Debug, Clone)]
pub struct PersonKey {
    /// The key.
    pub material: KeyMaterial,
    /// Not valid before (Unix seconds).
    pub valid_from: Option<i64>,
    /// Not valid from this time on (Unix seconds).
    pub valid_until: Option<i64>,
}

/// Someone the policy knows.
#[derive(Debug, Clone)]
pub struct Person {
    /// Unique name in the policy.
    pub name: String,
    /// Email addresses their commits carry (committer identity).
    pub emails: Vec<String>,
    /// Their role.
    pub role: Role,
    /// Their signing keys.
    pub keys: Vec<PersonKey>,
}

/// What the rules matching one ref require together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefRequirements {
    /// Patterns of the rules that matched (empty: no rule applies).
    pub matched: Vec<String>,
    /// Every commit must be signed.
    pub signed: bool,
    /// Roles whose members may sign commits on the ref.
    pub writers: BTreeSet<Role>,
    /// No force pushes or deletions.
    pub fast_forward_only: bool,
    /// Independent approvals needed.
    pub approvals: u32,
    /// Roles whose approvals count.
    pub approver_roles: BTreeSet<Role>,
    /// At least one approval from a role with write access.
    pub write_approval: bool,
    /// A CODEOWNER of each changed path must approve.
    pub codeowners: bool,
    /// Attestation types required (e.g. a passing scan).
    pub attestations: BTreeSet<String>,
    /// Keys older than this (since their `valid_from`) may not sign (seconds).
    pub max_key_age: Option<i64>,
}

impl RefRequirements {
    /// What applies when no policy could be established: everything that can be
    /// required, nobody allowed to write (fail closed).
    #[must_use]
    pub fn strictest(reference: &str) -> Self {
        Self {
            matched: vec![format!("(no verified policy for {reference})")],
            signed: true,
            writers: BTreeSet::new(),
            fast_forward_only: true,
            approvals: u32::MAX,
            approver_roles: BTreeSet::new(),
            write_approval: true,
            codeowners: true,
            attestations: BTreeSet::new(),
            max_key_age: None,
        }
    }
}

/// One `[[rules]]` entry.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Ref patterns: `*` within one path component, `**` across components.
    pub refs: Vec<String>,
    signed: bool,
    writers: BTreeSet<Role>,
    fast_forward_only: bool,
    approvals: u32,
    approver_roles: BTreeSet<Role>,
    write_approval: bool,
    codeowners: bool,
    attestations: BTreeSet<String>,
    max_key_age: Option<i64>,
}

/// A parsed, checked policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The people, in file order.
    pub people: Vec<Person>,
    /// Owners of this policy needed to sign a change to it.
    pub owners_threshold: u32,
    /// Maximum key age for every ref (a rule may lower it).
    pub max_key_age: Option<i64>,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// Keys the server signs push log entries with (custody public keys).
    pub log_keys: Vec<custody_crypto::PublicKey>,
}

/// Why a policy file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {detail}")]
pub struct PolicyError {
    /// Which file (or blob) was read.
    pub path: String,
    /// What is wrong, with the TOML location when there is one.
    pub detail: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    version: u32,
    #[serde(default)]
    owners_threshold: Option<u32>,
    #[serde(default)]
    max_key_age: Option<String>,
    #[serde(default)]
    log_keys: Vec<String>,
    #[serde(default)]
    people: Vec<RawPerson>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    emails: Vec<String>,
    role: String,
    #[serde(default)]
    keys: Vec<RawKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    #[serde(default)]
    ssh: Option<String>,
    #[serde(default)]
    openpgp: Option<String>,
    #[serde(default)]
    valid_from: Option<String>,
    #[serde(default)]
    valid_until: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    refs: Vec<String>,
    #[serde(default = "yes")]
    signed: bool,
    #[serde(default)]
    writers: Option<Vec<String>>,
    #[serde(default)]
    fast_forward_only: bool,
    #[serde(default)]
    approvals: u32,
    #[serde(default)]
    approver_roles: Option<Vec<String>>,
    #[serde(default)]
    write_approval: bool,
    #[serde(default)]
    codeowners: bool,
    #[serde(default)]
    attestations: Vec<String>,
    #[serde(default)]
    max_key_age: Option<String>,
}

fn yes() -> bool {
    true
}

/// `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SSZ`.
fn parse_time(text: &str) -> Result<i64, String> {
    let full = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_owned()
    };
    custody_core::time::parse_utc(&full)
        .map_err(|_| format!("{text:?} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"))
}

fn roles(list: &[String]) -> Result<BTreeSet<Role>, String> {
    list.iter().map(|r| Role::parse(r)).collect()
}

/// Key files are named relative to `.custody/` and never leave it, wherever the policy
/// is read from.
fn read_contained(
    read_key_file: &dyn Fn(&str) -> Result<Vec<u8>, String>,
    relative: &str,
) -> Result<Vec<u8>, String> {
    if relative.split('/').any(|p| p == ".." || p.is_empty()) {
        return Err("key paths stay inside .custody/".into());
    }
    read_key_file(relative)
}

impl Policy {
    /// Parse a policy whose key files are in `custody_dir` (a work tree's `.custody/`).
    ///
    /// # Errors
    /// As [`Policy::parse`].
    pub fn parse_in_dir(text: &str, custody_dir: &std::path::Path) -> Result<Self, PolicyError> {
        Self::parse(POLICY_PATH, text, &|rel| {
            std::fs::read(custody_dir.join(rel)).map_err(|e| e.to_string())
        })
    }

    /// The policy of a work tree (`ROOT/.custody/policy.toml`); `None` when there is none.
    ///
    /// # Errors
    /// As [`Policy::parse`].
    pub fn load_work_tree(root: &std::path::Path) -> Option<Result<Self, PolicyError>> {
        let text = std::fs::read_to_string(root.join(POLICY_PATH)).ok()?;
        Some(Self::parse_in_dir(&text, &root.join(".custody")))
    }

    /// Parse and check a policy. `read_key_file` reads an OpenPGP certificate named by a
    /// path relative to the policy's directory (`.custody/`), from wherever the policy
    /// came from (a work tree or a commit's tree).
    ///
    /// # Errors
    /// [`PolicyError`] naming `path` and what is wrong.
    pub fn parse(
        path: &str,
        text: &str,
        read_key_file: &dyn Fn(&str) -> Result<Vec<u8>, String>,
    ) -> Result<Self, PolicyError> {
        let error = |detail: String| PolicyError {
            path: path.to_owned(),
            detail,
        };
        let raw: RawPolicy = toml::from_str(text).map_err(|e| error(e.to_string()))?;
        if raw.version != 1 {
            return Err(error(format!(
                "policy version {} is not supported (this custody reads version 1)",
                raw.version
            )));
        }
        let mut people = Vec::new();
        let mut names = BTreeSet::new();
        let mut fingerprints = BTreeSet::new();
        for p in raw.people {
            let at = |detail: String| error(format!("person {:?}: {detail}", p.name));
            if p.name.trim().is_empty() {
                return Err(error("a person without a name".into()));
            }
            if !names.insert(p.name.clone()) {
                return Err(at("listed twice".into()));
            }
            let role = Role::parse(&p.role).map_err(at)?;
            let mut emails: Vec<String> = p.email.into_iter().chain(p.emails).collect();
            emails.iter_mut().for_each(|e| *e = e.trim().to_owned());
            if emails.iter().any(|e| !e.contains('@')) {
                return Err(at("an email address without @".into()));
            }
            let mut keys = Vec::new();
            for (i, k) in p.keys.into_iter().enumerate() {
                let at = |detail: String| at(format!("key {}: {detail}", i + 1));
                let material = match (k.ssh, k.openpgp) {
                    (Some(line), None) => KeyMaterial::Ssh(
                        SshPublicKey::from_openssh(&line).map_err(|e| at(e.to_string()))?,
                    ),
                    (None, Some(cert)) => {
                        let bytes = if cert.trim_start().starts_with("-----BEGIN PGP") {
                            cert.into_bytes()
                        } else {
                            read_contained(read_key_file, &cert)
                                .map_err(|e| at(format!("{cert}: {e}")))?
                        };
                        KeyMaterial::OpenPgp(Box::new(
                            Certificate::parse(&bytes).map_err(|e| at(e.to_string()))?,
                        ))
                    }
                    _ => return Err(at("give exactly one of ssh or openpgp".into())),
                };
                if !fingerprints.insert(material.fingerprint()) {
                    return Err(at(format!(
                        "key {} is listed twice in the policy",
                        material.fingerprint()
                    )));
                }
                let valid_from = k
                    .valid_from
                    .as_deref()
                    .map(parse_time)
                    .transpose()
                    .map_err(at)?;
                let valid_until = k
                    .valid_until
                    .as_deref()
                    .map(parse_time)
                    .transpose()
                    .map_err(at)?;
                if let (Some(f), Some(u)) = (valid_from, valid_until)
                    && u <= f
                {
                    return Err(at("valid_until is not after valid_from".into()));
                }
                keys.push(PersonKey {
                    material,
                    valid_from,
                    valid_until,
                });
            }
            people.push(Person {
                name: p.name,
                emails,
                role,
                keys,
            });
        }
        let owners = people.iter().filter(|p| p.role == Role::Owner).count();
        let owners_threshold = raw.owners_threshold.unwrap_or(1);
        if owners_threshold == 0 || owners_threshold as usize > owners {
            return Err(error(format!(
                "owners_threshold is {owners_threshold}, but there are {owners} owners \
                 (it must be between 1 and the number of owners, or nobody can change the policy)"
            )));
        }
        let duration =
            |text: &str| custody_core::time::parse_duration(text).map_err(|e| error(e.to_string()));
        let max_key_age = raw.max_key_age.as_deref().map(duration).transpose()?;
        let mut log_keys = Vec::new();
        for (i, entry) in raw.log_keys.iter().enumerate() {
            let at = |detail: String| error(format!("log key {}: {detail}", i + 1));
            let bytes = if entry.trim_start().starts_with("-----BEGIN") {
                entry.as_bytes().to_vec()
            } else {
                read_contained(read_key_file, entry).map_err(|e| at(format!("{entry}: {e}")))?
            };
            log_keys.push(
                custody_crypto::PublicKey::from_bytes(&bytes, None)
                    .map_err(|e| at(e.to_string()))?,
            );
        }
        let mut rules = Vec::new();
        for (i, r) in raw.rules.into_iter().enumerate() {
            let at = |detail: String| error(format!("rule {}: {detail}", i + 1));
            if r.refs.is_empty() {
                return Err(at("no refs".into()));
            }
            for pattern in &r.refs {
                if !(pattern.starts_with("refs/") || pattern == "**") {
                    return Err(at(format!(
                        "ref pattern {pattern:?} must start with refs/ (or be **)"
                    )));
                }
            }
            let writers = match r.writers {
                Some(list) => roles(&list).map_err(at)?,
                None => Role::ALL
                    .into_iter()
                    .filter(|r| r.has_write_access())
                    .collect(),
            };
            let approver_roles = match r.approver_roles {
                Some(list) => roles(&list).map_err(at)?,
                None => [
                    Role::Owner,
                    Role::Maintainer,
                    Role::Approver,
                    Role::Reviewer,
                ]
                .into_iter()
                .collect(),
            };
            rules.push(Rule {
                refs: r.refs,
                signed: r.signed,
                writers,
                fast_forward_only: r.fast_forward_only,
                approvals: r.approvals,
                approver_roles,
                write_approval: r.write_approval,
                codeowners: r.codeowners,
                attestations: r.attestations.into_iter().collect(),
                max_key_age: r.max_key_age.as_deref().map(duration).transpose()?,
            });
        }
        Ok(Self {
            people,
            owners_threshold,
            max_key_age,
            rules,
            log_keys,
        })
    }

    /// What every rule matching `reference` requires, combined so that the strictest
    /// wins: signing if any rule asks, writers that every rule allows, the most
    /// approvals.
    #[must_use]
    pub fn requirements(&self, reference: &str) -> RefRequirements {
        let mut out = RefRequirements {
            matched: Vec::new(),
            signed: false,
            writers: Role::ALL
                .into_iter()
                .filter(|r| r.has_write_access())
                .collect(),
            fast_forward_only: false,
            approvals: 0,
            approver_roles: Role::ALL.into_iter().collect(),
            write_approval: false,
            codeowners: false,
            attestations: BTreeSet::new(),
            max_key_age: self.max_key_age,
        };
        for rule in &self.rules {
            let Some(pattern) = rule.refs.iter().find(|p| ref_matches(p, reference)) else {
                continue;
            };
            out.matched.push(pattern.clone());
            out.signed |= rule.signed;
            out.writers = out.writers.intersection(&rule.writers).copied().collect();
            out.fast_forward_only |= rule.fast_forward_only;
            out.approvals = out.approvals.max(rule.approvals);
            out.approver_roles = out
                .approver_roles
                .intersection(&rule.approver_roles)
                .copied()
                .collect();
            out.write_approval |= rule.write_approval;
            out.codeowners |= rule.codeowners;
            out.attestations.extend(rule.attestations.iter().cloned());
            out.max_key_age = match (out.max_key_age, rule.max_key_age) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        out
    }

    /// The person holding the key with this fingerprint, and the key.
    #[must_use]
    pub fn key_holder(&self, fingerprint: &str) -> Option<(&Person, &PersonKey)> {
        self.people.iter().find_map(|p| {
            p.keys
                .iter()
                .find(|k| k.material.fingerprint() == fingerprint)
                .map(|k| (p, k))
        })
    }

    /// Every OpenPGP certificate of the policy, with its holder.
    pub fn openpgp_keys(&self) -> impl Iterator<Item = (&Person, &PersonKey, &Certificate)> {
        self.people.iter().flat_map(|p| {
            p.keys.iter().filter_map(move |k| match &k.material {
                KeyMaterial::OpenPgp(c) => Some((p, k, c.as_ref())),
                KeyMaterial::Ssh(_) => None,
            })
        })
    }
}

/// Whether a ref pattern matches: `*` stays within one `/`-separated component, `**`
/// matches any number of components (also none).
#[must_use]
pub fn ref_matches(pattern: &str, reference: &str) -> bool {
    let p: Vec<String> = pattern.split('/').map(str::to_owned).collect();
    let r: Vec<&str> = reference.split('/').collect();
    crate::pattern::match_parts(&p, &r)
}

/// How the first policy names the owner's key.
#[derive(Debug, Clone, Copy)]
pub enum InitialKey<'a> {
    /// An OpenSSH public key line, written into the policy.
    Ssh(&'a str),
    /// An OpenPGP certificate file, relative to `.custody/`.
    OpenPgpFile(&'a str),
}

/// The first policy `custody source init` writes: one Owner, signed commits on every ref.
#[must_use]
pub fn initial_policy(name: &str, email: &str, key: InitialKey<'_>) -> String {
    let key_entry = match key {
        InitialKey::Ssh(line) => format!("ssh = {:?}", line.trim()),
        InitialKey::OpenPgpFile(path) => format!("openpgp = {path:?}"),
    };
    format!(
        r#"# custody repository policy: who may change what, signed by which keys.
# Every change to this file must be signed by `owners_threshold` Owners of the
# version it replaces. Reference: docs/source.md.
version = 1
owners_threshold = 1

[[people]]
name = {name:?}
email = {email:?}
role = "owner"
keys = [
  {{ {key_entry} }},
]

# Signed commits on every ref, by people with write access (owner, maintainer, developer).
[[rules]]
refs = ["**"]
signed = true
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SSH: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIZ0iGYqPQUyQS4Kh/TqaW6lfz1Dt2MEwFeb8c7vUyST a";

    fn no_files(_: &str) -> Result<Vec<u8>, String> {
        Err("no files here".into())
    }

    #[test]
    fn ref_patterns_follow_components() {
        assert!(ref_matches("refs/heads/main", "refs/heads/main"));
        assert!(ref_matches("refs/heads/*", "refs/heads/main"));
        assert!(!ref_matches("refs/heads/*", "refs/heads/feature/x"));
        assert!(ref_matches("refs/heads/**", "refs/heads/feature/x"));
        assert!(ref_matches("**", "refs/tags/v1"));
        assert!(ref_matches("refs/tags/v*", "refs/tags/v1.2"));
        assert!(!ref_matches("refs/tags/v*", "refs/heads/v1"));
        assert!(ref_matches("refs/**/main", "refs/heads/main"));
    }

    #[test]
    fn the_initial_policy_parses_and_requires_signatures_everywhere() {
        let text = initial_policy("Alice", "alice@example.org", InitialKey::Ssh(SSH));
        let policy = Policy::parse(POLICY_PATH, &text, &no_files).expect("parse");
        assert_eq!(policy.people.len(), 1);
        assert_eq!(policy.people[0].role, Role::Owner);
        let req = policy.requirements("refs/heads/main");
        assert!(req.signed);
        assert_eq!(req.matched, ["**"]);
        let fpr = policy.people[0].keys[0].material.fingerprint();
        assert_eq!(
            policy.key_holder(&fpr).map(|(p, _)| p.name.as_str()),
            Some("Alice")
        );
    }

    #[test]
    fn the_strictest_of_matching_rules_wins() {
        let text = format!(
            r#"version = 1
max_key_age = "365d"
[[people]]
name = "a"
email = "a@x"
role = "Owner"
keys = [{{ ssh = "{SSH}", valid_from = "2026-01-01", valid_until = "2027-01-01T12:00:00Z" }}]
[[rules]]
refs = ["refs/heads/**"]
signed = false
approvals = 1
[[rules]]
refs = ["refs/heads/main"]
writers = ["maintainer", "owner"]
approvals = 2
max_key_age = "90d"
"#
        );
        let policy = Policy::parse("p", &text, &no_files).expect("parse");
        let main = policy.requirements("refs/heads/main");
        assert!(main.signed);
        assert_eq!(main.approvals, 2);
        assert_eq!(
            main.writers,
            [Role::Owner, Role::Maintainer].into_iter().collect()
        );
        assert_eq!(main.max_key_age, Some(90 * 86_400));
        let other = policy.requirements("refs/heads/x");
        assert!(!other.signed);
        assert_eq!(other.approvals, 1);
        assert_eq!(other.max_key_age, Some(365 * 86_400));
        assert!(policy.requirements("refs/tags/v1").matched.is_empty());
        let key = &policy.people[0].keys[0];
        assert_eq!(key.valid_from, Some(1_767_225_600));
        assert_eq!(key.valid_until, Some(1_798_804_800));
    }

    #[test]
    fn mistakes_are_errors_that_say_where() {
        let person = format!(
            "[[people]]\nname = \"a\"\nemail = \"a@x\"\nrole = \"owner\"\nkeys = [{{ ssh = \"{SSH}\" }}]\n"
        );
        for (text, expected) in [
            ("version = 2".to_owned(), "version 2"),
            (
                "version = 1\nowner_threshold = 1".to_owned(),
                "unknown field",
            ),
            (
                format!("version = 1\n{person}\n[[rules]]\nrefs = [\"main\"]"),
                "must start with refs/",
            ),
            (
                format!("version = 1\n{}", person.replace("owner", "boss")),
                "unknown role",
            ),
            (format!("version = 1\n{person}{person}"), "listed twice"),
            (
                format!("version = 1\nowners_threshold = 2\n{person}"),
                "owners_threshold is 2",
            ),
            ("version = 1\n".to_owned(), "0 owners"),
            (
                format!(
                    "version = 1\n{}",
                    person.replace("ssh = ", "openpgp = \"k.asc\", ssh = ")
                ),
                "exactly one of",
            ),
            (
                format!(
                    "version = 1\n{}",
                    person.replace("ssh = \"", "valid_from = \"2026-13-01\", ssh = \"")
                ),
                "is not a date",
            ),
            (
                format!("version = 1\n{}", person.replace(SSH, "ssh-ed25519 AAAA")),
                "key 1",
            ),
            (
                format!(
                    "version = 1\n{}",
                    person.replace("ssh = \"", "openpgp = \"keys/a.asc\" }, { ssh = \"")
                ),
                "keys/a.asc: no files here",
            ),
        ] {
            let err = Policy::parse("p.toml", &text, &no_files).expect_err(expected);
            assert!(
                err.to_string().contains(expected),
                "{err} (wanted {expected})"
            );
            assert!(err.to_string().starts_with("p.toml: "), "{err}");
        }
    }
}
