//! `custody source`: the repository policy and history verified against it.

use crate::cli::{
    FindingsFormat, InfoFormat, SourceApproveArgs, SourceAttestArgs, SourceCodeownersArgs,
    SourceCommand, SourceHookCommand, SourceHookInstallArgs, SourceHookPostReceiveArgs,
    SourceHookPreReceiveArgs, SourceInitArgs, SourceVerifyArgs,
};
use crate::exit::Outcome;
use crate::io::write_output;
use anyhow::{Context as _, Result, bail};
use custody_core::atomic::{FileMode, write_atomic};
use custody_git::policy::{InitialKey, POLICY_PATH, Policy, initial_policy};
use custody_git::verify::{SourceReport, VerifyOptions};
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;

pub fn run(cmd: SourceCommand) -> Result<Outcome> {
    match cmd {
        SourceCommand::Init(args) => init(&args),
        SourceCommand::Verify(args) => verify(&args),
        SourceCommand::Approve(args) => approve(&args),
        SourceCommand::Attest(args) => attest(&args),
        SourceCommand::Codeowners(args) => codeowners(&args),
        SourceCommand::Hook(SourceHookCommand::PreReceive(args)) => pre_receive(&args),
        SourceCommand::Hook(SourceHookCommand::PostReceive(args)) => post_receive(&args),
        SourceCommand::Hook(SourceHookCommand::Install(args)) => install_hook(&args),
    }
}

fn codeowners(args: &SourceCodeownersArgs) -> Result<Outcome> {
    let repo = custody_git::Repo::discover(&args.path)?;
    let root = repo
        .work_dir()
        .context("a bare repository: run this in a work tree")?
        .to_path_buf();
    let Some((location, text)) = custody_git::codeowners::find_in_work_tree(&root) else {
        bail!(
            "no CODEOWNERS in {} (looked for {})",
            root.display(),
            custody_git::codeowners::LOCATIONS.join(", ")
        );
    };
    let policy = Policy::load_work_tree(&root).transpose()?;
    let files = repo.tree_paths(None).unwrap_or_default();
    let v = custody_git::codeowners::validate(&text, policy.as_ref(), &files);
    match args.format {
        InfoFormat::Json => {
            let doc = json!({
                "file": location,
                "errors": v.errors.iter().map(|e| json!({"line": e.line, "message": e.message})).collect::<Vec<_>>(),
                "unknown_owners": v.unknown_owners.iter().map(|(l, o)| json!({"line": l, "owner": o})).collect::<Vec<_>>(),
                "files": v.files,
                "unowned": v.unowned,
                "policy": policy.is_some(),
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        InfoFormat::Table => {
            for e in &v.errors {
                println!("{location}:{}: {}", e.line, e.message);
            }
            for (line, owner) in &v.unknown_owners {
                println!("{location}:{line}: owner {owner} is not a person of {POLICY_PATH}");
            }
            for f in v.unowned.iter().take(20) {
                println!("unowned: {f}");
            }
            if v.unowned.len() > 20 {
                println!("unowned: … and {} more", v.unowned.len() - 20);
            }
            println!(
                "{location}: {} line error(s), {} unknown owner(s), {} of {} file(s) in HEAD unowned{}",
                v.errors.len(),
                v.unknown_owners.len(),
                v.unowned.len(),
                v.files,
                if policy.is_some() {
                    ""
                } else {
                    " (no policy: owners not checked)"
                }
            );
        }
    }
    Ok(
        if v.is_broken() || (args.require_owned && !v.unowned.is_empty()) {
            Outcome::Findings
        } else {
            Outcome::Success
        },
    )
}

/// Sign an approval statement the way git signs commits, and record it.
fn approve(args: &SourceApproveArgs) -> Result<Outcome> {
    let repo = custody_git::Repo::discover(&args.signing.repo)?;
    let commits = repo.describe_commits(&args.commit)?;
    let reviewer = args
        .reviewer
        .clone()
        .or_else(|| repo.config_value("user.name"))
        .unwrap_or_else(|| "unknown".to_owned());
    for (commit, tree, base) in commits {
        let now = custody_core::time::now_unix();
        let approval = custody_git::approvals::Approval {
            commit: commit.clone(),
            tree,
            base,
            reviewer: reviewer.clone(),
            time: custody_core::time::format_utc(now),
        };
        let statement = approval.statement();
        let signature = sign_as_git_does(
            &repo,
            args.signing.ssh_key.as_deref(),
            args.signing.gpg_key.as_deref(),
            custody_git::approvals::SSH_NAMESPACE,
            &statement,
        )
        .with_context(|| format!("signing the approval of {}", custody_git::short_id(&commit)))?;
        let recorded = repo.record_approval(&statement, &signature, now)?;
        eprintln!(
            "Recorded the approval of {} on {} ({})",
            custody_git::short_id(&commit),
            custody_git::approvals::APPROVALS_REF,
            custody_git::short_id(&recorded),
        );
    }
    eprintln!(
        "Share it: git push origin {}",
        custody_git::approvals::APPROVALS_REF
    );
    Ok(Outcome::Success)
}

/// Sign `statement` the way git signs commits: `--ssh-key` or git's `user.signingkey`
/// with `gpg.format = ssh` through `ssh-keygen -Y sign` (agents, passphrases and
/// security keys work as for commits), else OpenPGP through `gpg`.
fn sign_as_git_does(
    repo: &custody_git::Repo,
    ssh_key: Option<&std::path::Path>,
    gpg_key: Option<&str>,
    namespace: &str,
    statement: &[u8],
) -> Result<Vec<u8>> {
    let dir = tempfile::tempdir().context("a temporary directory for signing")?;
    let file = dir.path().join("statement.json");
    std::fs::write(&file, statement).with_context(|| format!("{}", file.display()))?;
    let ssh_key = ssh_key.map(PathBuf::from).or_else(|| {
        (gpg_key.is_none() && repo.config_value("gpg.format").as_deref() == Some("ssh"))
            .then(|| repo.config_value("user.signingkey").map(PathBuf::from))
            .flatten()
    });
    if let Some(key) = ssh_key {
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", namespace, "-f"])
            .arg(&key)
            .arg(&file)
            .status()
            .context("running ssh-keygen (openssh-client) to sign")?;
        if !status.success() {
            bail!("ssh-keygen could not sign with {}", key.display());
        }
        return std::fs::read(dir.path().join("statement.json.sig")).context("the SSH signature");
    }
    let key = gpg_key
        .map(str::to_owned)
        .or_else(|| repo.config_value("user.signingkey"))
        .context("no signing key: give --ssh-key or --gpg-key, or set git's user.signingkey")?;
    let out = std::process::Command::new("gpg")
        .args([
            "--detach-sign",
            "--armor",
            "--local-user",
            &key,
            "--output",
            "-",
        ])
        .arg(&file)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running gpg to sign")?;
    if !out.status.success() {
        bail!("gpg could not sign with {key}");
    }
    Ok(out.stdout)
}

/// Sign a statement about a commit (a passing scan, a test run) and record it.
fn attest(args: &SourceAttestArgs) -> Result<Outcome> {
    let repo = custody_git::Repo::discover(&args.signing.repo)?;
    let (commit, _, _) = repo.describe_commit(&args.commit)?;
    let predicate: serde_json::Value = match &args.predicate {
        Some(path) => {
            let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
            serde_json::from_slice(&bytes)
                .with_context(|| format!("{}: the predicate is not JSON", path.display()))?
        }
        None => json!({}),
    };
    if !args.predicate_type.contains(':') {
        bail!(
            "--type {}: give the predicate type as a URI (e.g. https://custody.dev/secrets-scan/v1)",
            args.predicate_type
        );
    }
    let attestation = custody_git::approvals::CommitAttestation {
        commit: commit.clone(),
        predicate_type: args.predicate_type.clone(),
    };
    let statement = attestation.statement(&predicate);
    let signature = sign_as_git_does(
        &repo,
        args.signing.ssh_key.as_deref(),
        args.signing.gpg_key.as_deref(),
        custody_git::approvals::ATTESTATION_NAMESPACE,
        &statement,
    )?;
    let now = custody_core::time::now_unix();
    repo.record_approval(&statement, &signature, now)?;
    eprintln!(
        "Recorded a {} attestation of {} on {}. Share it: git push origin {}",
        args.predicate_type,
        custody_git::short_id(&commit),
        custody_git::approvals::APPROVALS_REF,
        custody_git::approvals::APPROVALS_REF
    );
    Ok(Outcome::Success)
}

/// The pre-receive hook: the policy's verdict on every ref update, and the secret scan of
/// what the push adds. Messages go to standard error, which git relays to the pusher.
fn pre_receive(args: &SourceHookPreReceiveArgs) -> Result<Outcome> {
    let updates = crate::io::read_ref_updates("pushed")?;
    let repo = custody_git::Repo::for_hook(&args.path)?;
    let decisions = repo.check_push(&updates, args.trust_root.as_deref())?;
    let mut refused = 0usize;
    for d in &decisions {
        if d.rejections.is_empty() {
            eprintln!(
                "custody: {}: accepted ({} new commit(s) verified)",
                d.reference, d.commits
            );
            continue;
        }
        refused += 1;
        eprintln!("custody: {}: REFUSED", d.reference);
        for why in &d.rejections {
            eprintln!("custody:   {why}");
        }
    }
    if !args.no_secrets {
        // Judged by the [secrets] settings committed on HEAD before this push.
        let scan = custody_check::git_secrets::scan_push_as_configured(&args.path, &updates)
            .context("scanning the pushed files for secrets")?;
        for f in &scan.report.findings {
            refused += 1;
            let commit = f
                .commit
                .as_ref()
                .map_or("", |c| custody_git::short_id(&c.id));
            eprintln!(
                "custody: secret in commit {commit}: {}:{}: {} ({})",
                f.path, f.line, f.description, f.redacted
            );
        }
        if !scan.report.errors.is_empty() {
            refused += 1;
            for e in &scan.report.errors {
                eprintln!("custody: the pushed files could not all be scanned: {e}");
            }
        }
    }
    if refused > 0 {
        eprintln!("custody: push refused by the repository policy (docs/source.md)");
        Ok(Outcome::Findings)
    } else {
        Ok(Outcome::Success)
    }
}

/// The post-receive hook: one signed push log entry per accepted ref update.
fn post_receive(args: &SourceHookPostReceiveArgs) -> Result<Outcome> {
    let updates = crate::io::read_ref_updates("accepted")?;
    let password = crate::io::PassphraseSource {
        env: args.password.password_env.clone(),
    };
    let key = super::load_private_key(&args.key, None, &password)
        .with_context(|| format!("the push log key {}", args.key.display()))?;
    let pusher = ["CUSTODY_PUSHER", "GL_USERNAME", "REMOTE_USER", "USER"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned());
    let repo = custody_git::Repo::discover(&args.path)?;
    let appended = repo
        .append_push_log(&updates, &pusher, custody_core::time::now_unix(), &key)
        .with_context(|| {
            format!(
                "{} accepted update(s) are NOT in the push log",
                updates.len()
            )
        })?;
    eprintln!("custody: push log: {appended} entr(y/ies) recorded for {pusher}");
    Ok(Outcome::Success)
}

fn install_hook(args: &SourceHookInstallArgs) -> Result<Outcome> {
    let repo = custody_git::Repo::discover(&args.repo)?;
    let hooks = repo.git_dir().join("hooks");
    let path = hooks.join("pre-receive");
    if path.exists() && !args.force {
        bail!(
            "{} exists; look at it, then run again with --force to replace it",
            path.display()
        );
    }
    let custody = args.custody.as_ref().map_or_else(
        || "custody".to_owned(),
        |p| super::secrets::shell_quote(&p.display().to_string()),
    );
    let trust_root = match &args.trust_root {
        Some(id) => {
            if id.len() != 40 && id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!("--trust-root {id}: give the full commit id (40 hex digits)");
            }
            format!(" --trust-root {id}")
        }
        None => {
            eprintln!(
                "custody: no --trust-root: the hook will trust the first commit with a policy; pin it with --trust-root"
            );
            String::new()
        }
    };
    let script = format!(
        "#!/bin/sh\n# Installed by `custody source hook install`: refuses pushes that break .custody/policy.toml.\nexec {custody} source hook pre-receive{trust_root} .\n"
    );
    std::fs::create_dir_all(&hooks).with_context(|| format!("creating {}", hooks.display()))?;
    let post = hooks.join("post-receive");
    let post_script = match &args.log_key {
        Some(key) => {
            let key = std::fs::canonicalize(key)
                .with_context(|| format!("--log-key {}", key.display()))?;
            if post.exists() && !args.force {
                bail!(
                    "{} exists; look at it, then run again with --force to replace it",
                    post.display()
                );
            }
            Some(format!(
                "#!/bin/sh\n# Installed by `custody source hook install`: signs every accepted update into refs/custody/push-log.\nexec {custody} source hook post-receive --key {} .\n",
                super::secrets::shell_quote(&key.display().to_string())
            ))
        }
        None => None,
    };
    write_atomic(&path, script.as_bytes(), FileMode::Executable)?;
    eprintln!("Installed {}", path.display());
    if let Some(text) = post_script {
        write_atomic(&post, text.as_bytes(), FileMode::Executable)?;
        eprintln!("Installed {}", post.display());
    }
    Ok(Outcome::Success)
}

fn init(args: &SourceInitArgs) -> Result<Outcome> {
    let repo = custody_git::Repo::discover(&args.path)?;
    let root = repo.work_dir().with_context(|| {
        format!(
            "{}: a bare repository; run this in a work tree and push the commit",
            args.path.display()
        )
    })?;
    let policy_file = root.join(POLICY_PATH);
    if policy_file.exists() && !args.force {
        bail!(
            "{}: a policy exists already; change it in a signed commit, or use --force to replace it",
            policy_file.display()
        );
    }
    if args.owner.trim().is_empty() || !args.email.contains('@') {
        bail!("--owner needs a name and --email an address with @");
    }
    let custody_dir = root.join(".custody");
    std::fs::create_dir_all(custody_dir.join("keys"))
        .with_context(|| format!("{}", custody_dir.display()))?;
    let key = std::fs::read(&args.key).with_context(|| format!("{}", args.key.display()))?;
    let key_text = String::from_utf8_lossy(&key);
    let text = if key_text.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----")
        || key.first().is_some_and(|b| b & 0x80 != 0)
    {
        let cert = custody_crypto::openpgp::Certificate::parse(&key)
            .with_context(|| format!("{}: not a usable OpenPGP certificate", args.key.display()))?;
        let file_name: String = args
            .email
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "@.-_".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let relative = format!("keys/{file_name}.asc");
        let dest = root.join(".custody").join(&relative);
        write_atomic(&dest, &key, FileMode::Public)
            .with_context(|| format!("{}", dest.display()))?;
        eprintln!(
            "Wrote {} (OpenPGP certificate {})",
            dest.display(),
            cert.fingerprint()
        );
        initial_policy(&args.owner, &args.email, InitialKey::OpenPgpFile(&relative))
    } else {
        let line = key_text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        custody_crypto::sshsig::SshPublicKey::from_openssh(line).with_context(|| {
            format!(
                "{}: neither an OpenSSH public key nor an OpenPGP certificate",
                args.key.display()
            )
        })?;
        initial_policy(&args.owner, &args.email, InitialKey::Ssh(line))
    };
    // What is written must be what verify reads.
    Policy::parse_in_dir(&text, &root.join(".custody"))
        .context("the policy written does not parse (a bug)")?;
    write_atomic(&policy_file, text.as_bytes(), FileMode::Public)
        .with_context(|| format!("{}", policy_file.display()))?;
    eprintln!(
        "Wrote {}. Commit it signed; that commit is the trust root:\n  git add .custody && git commit -S -m \"custody: repository policy\"\n  custody source verify --trust-root $(git rev-parse HEAD)",
        policy_file.display()
    );
    Ok(Outcome::Success)
}

fn verify(args: &SourceVerifyArgs) -> Result<Outcome> {
    let repo = custody_git::Repo::discover(&args.path)?;
    let report = repo.verify_source(&VerifyOptions {
        reference: args.reference.clone(),
        range: args.range.clone(),
        trust_root: args.trust_root.clone(),
        trust_key: args.trust_key.clone(),
        ..VerifyOptions::default()
    })?;
    let mut bytes = match args.format {
        FindingsFormat::Table => table(&report).into_bytes(),
        FindingsFormat::Json => serde_json::to_vec_pretty(&to_json(&report))?,
        FindingsFormat::Sarif => serde_json::to_vec_pretty(&sarif(&report))?,
    };
    if args.format != FindingsFormat::Table {
        bytes.push(b'\n');
    }
    write_output(args.output.as_deref(), &bytes, FileMode::Public)?;
    Ok(if report.violations() == 0 {
        Outcome::Success
    } else {
        Outcome::Findings
    })
}

fn table(report: &SourceReport) -> String {
    let mut out = String::new();
    for c in &report.commits {
        let status = if c.violations.is_empty() {
            "ok  "
        } else {
            "FAIL"
        };
        let signer = c.signer.as_ref().map_or("-", |(name, _)| name.as_str());
        let _ = writeln!(
            out,
            "{status}  {}  {signer:<12}  {}",
            custody_git::short_id(&c.id),
            c.summary
        );
        for v in &c.violations {
            let _ = writeln!(out, "      {v}");
        }
    }
    if let Some(log) = &report.push_log {
        let _ = writeln!(
            out,
            "\npush log: {} entr(y/ies), {} verified",
            log.entries, log.verified
        );
        for p in &log.problems {
            let _ = writeln!(out, "FAIL  {p}");
        }
    }
    let _ = writeln!(
        out,
        "\n{} commit(s) of {} checked, {} with violations; trust root {} ({}){}",
        report.commits.len(),
        report.reference,
        report.violations(),
        custody_git::short_id(&report.trust_root),
        if report.trust_root_pinned {
            "pinned"
        } else {
            "not pinned: the first commit with the policy; pin it with --trust-root"
        },
        if report.matched_rules.is_empty() {
            "; no rule of the policy matches this ref".to_owned()
        } else {
            String::new()
        }
    );
    out
}

fn to_json(report: &SourceReport) -> serde_json::Value {
    json!({
        "reference": report.reference,
        "tip": report.tip,
        "trust_root": report.trust_root,
        "trust_root_pinned": report.trust_root_pinned,
        "matched_rules": report.matched_rules,
        "violations": report.violations(),
        "push_log": report.push_log.as_ref().map(|l| json!({
            "entries": l.entries,
            "verified": l.verified,
            "problems": l.problems,
        })),
        "commits": report.commits.iter().map(|c| json!({
            "id": c.id,
            "summary": c.summary,
            "committer": c.committer,
            "time": custody_core::time::format_utc(c.time),
            "pushed": c.pushed.map(custody_core::time::format_utc),
            "signer": c.signer.as_ref().map(|(name, key)| json!({"person": name, "key": key})),
            "on_ref": c.on_ref,
            "changes_policy": c.changes_policy,
            "verified": c.violations.is_empty(),
            "violations": c.violations.iter().map(ToString::to_string).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn sarif(report: &SourceReport) -> serde_json::Value {
    let results: Vec<serde_json::Value> = report
        .commits
        .iter()
        .flat_map(|c| {
            c.violations.iter().map(move |v| {
                json!({
                    "ruleId": "SRC-1",
                    "level": "error",
                    "message": {"text": format!("commit {} ({}): {v}", c.id, c.summary)},
                    "partialFingerprints": {"commit": c.id},
                })
            })
        })
        .chain(report.push_log.iter().flat_map(|l| {
            l.problems.iter().map(|p| {
                json!({
                    "ruleId": "SRC-8",
                    "level": "error",
                    "message": {"text": p},
                })
            })
        }))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "custody",
                "informationUri": "https://example.invalid/custody",
                "rules": [{
                    "id": "SRC-1",
                    "shortDescription": {"text": "Commits verify against the repository policy"},
                }, {
                    "id": "SRC-8",
                    "shortDescription": {"text": "The signed push log shows no rewrite, rollback or gap"},
                }],
            }},
            "results": results,
        }],
    })
}
