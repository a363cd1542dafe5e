use crate::cli::{AttestArgs, AttestCommand, AttestCreateArgs, AttestVerifyArgs};
use crate::exit::{Outcome, VerificationFailed};
use crate::io::{PassphraseSource, read_input, write_output};
use anyhow::{Context as _, Result, bail};
use custody_core::atomic::FileMode;
use custody_intoto::attestation::{
    StatementQuery, Subject, bundle_line, check_predicate, link_predicate, link_subjects,
    predicate_type, read_envelopes, sign_statement, statement, verify_statement,
};
use custody_intoto::link::Link;
use custody_intoto::metadata::Metadata;
use std::io::Write as _;

pub fn run(args: AttestArgs) -> Result<Outcome> {
    match args.verify {
        Some(AttestCommand::Verify(v)) => verify(v),
        None => create(args.create),
    }
}

fn create(args: AttestCreateArgs) -> Result<Outcome> {
    // clap cannot require these and still allow `attest verify`, so they are checked here.
    let Some(ty) = args.predicate_type.as_deref() else {
        bail!(
            "--type is required: the predicate type (slsa-provenance, link, cyclonedx, spdx, sarif, test-result, or a URI)"
        );
    };
    if args.key.is_empty() {
        bail!("--key is required: the private key to sign the attestation with");
    }
    let ty = predicate_type(ty)?;
    let mut subjects = Vec::new();
    for f in &args.subject {
        subjects.push(Subject::from_file(f)?);
    }
    for spec in &args.subject_digest {
        subjects.push(Subject::from_digest_spec(spec)?);
    }
    let mut link_products = None;
    let predicate = match &args.predicate {
        None => bail!("--predicate FILE is required: the JSON document the attestation states"),
        Some(path) => {
            let bytes = read_input(path)?;
            let value: serde_json::Value = serde_json::from_slice(&bytes)
                .with_context(|| format!("{}: not JSON", path.display()))?;
            // A link file given for a link predicate is converted (its signature is not
            // carried over: this attestation is signed by --key).
            let is_link_file = ty == "https://in-toto.io/attestation/link/v0.3"
                && (value.get("signed").is_some() || value.get("payloadType").is_some());
            if is_link_file {
                let metadata =
                    Metadata::from_bytes(&bytes).with_context(|| format!("{}", path.display()))?;
                let link = Link::from_value(&metadata.signed_unverified()?)?;
                link_products = Some(link_subjects(&link));
                link_predicate(&link)
            } else {
                value
            }
        }
    };
    if subjects.is_empty() {
        // A link attestation is about the link's products unless told otherwise.
        subjects = link_products.unwrap_or_default();
    }
    if subjects.is_empty() {
        bail!(
            "an attestation needs at least one subject: --subject FILE or --subject-digest NAME=sha256:HEX"
        );
    }
    check_predicate(&ty, &predicate)?;
    let password = PassphraseSource {
        env: args.password.password_env,
    };
    let keys = args
        .key
        .iter()
        .map(|k| super::load_private_key(k, None, &password))
        .collect::<Result<Vec<_>>>()?;
    let envelope = sign_statement(&statement(&subjects, &ty, predicate), &keys)?;
    if let Some(bundle) = &args.bundle {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(bundle)
            .with_context(|| format!("cannot open {}", bundle.display()))?;
        f.write_all(bundle_line(&envelope).as_bytes())
            .and_then(|()| f.sync_all())
            .with_context(|| format!("cannot append to {}", bundle.display()))?;
        eprintln!(
            "Appended a {ty} attestation about {} subject(s) to {}",
            subjects.len(),
            bundle.display()
        );
    }
    if args.output.is_some() || args.bundle.is_none() {
        write_output(
            args.output.as_deref(),
            &envelope.to_json(),
            FileMode::Public,
        )?;
    }
    Ok(Outcome::Success)
}

fn verify(args: AttestVerifyArgs) -> Result<Outcome> {
    let (keyring, threshold) = super::trust(&args.key, None, args.threshold)?;
    let subject_digest = match (&args.subject, &args.digest) {
        (Some(f), _) => {
            let s = Subject::from_file(f)?;
            let hex = s
                .digests
                .get("sha256")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            Some(("sha256".to_owned(), hex))
        }
        (None, Some(d)) => {
            let (alg, hex) = d
                .split_once(':')
                .with_context(|| format!("--digest {d:?}: expected ALG:HEX"))?;
            Some((alg.to_owned(), hex.to_owned()))
        }
        (None, None) => None,
    };
    let query = StatementQuery {
        subject_digest,
        predicate_type: args
            .predicate_type
            .as_deref()
            .map(predicate_type)
            .transpose()?,
    };
    let envelopes = read_envelopes(&read_input(&args.input)?)
        .with_context(|| format!("{}", args.input.display()))?;
    let mut reasons = Vec::new();
    for (i, env) in envelopes.iter().enumerate() {
        match verify_statement(env, &keyring, threshold, &query) {
            Ok(verified) => {
                let st = verified.get();
                let mut out = serde_json::to_string_pretty(&st["predicate"])?;
                out.push('\n');
                write_output(
                    args.predicate_out.as_deref(),
                    out.as_bytes(),
                    FileMode::Public,
                )?;
                eprintln!(
                    "Verified OK: {} attestation (entry {} of {}) signed by {}",
                    st["predicateType"].as_str().unwrap_or_default(),
                    i + 1,
                    envelopes.len(),
                    verified
                        .signers()
                        .iter()
                        .map(|k| k.short().to_owned())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                return Ok(Outcome::Success);
            }
            Err(custody_intoto::IntotoError::Verification(m)) => {
                reasons.push(format!("entry {}: {m}", i + 1))
            }
            Err(e) => reasons.push(format!("entry {}: {e}", i + 1)),
        }
    }
    Err(VerificationFailed(format!(
        "no attestation in {} satisfies the requirements:\n  {}",
        args.input.display(),
        reasons.join("\n  ")
    ))
    .into())
}
