use crate::cli::{DsseCommand, DsseSignArgs, DsseVerifyArgs, TextOrJson};
use crate::exit::{Outcome, VerificationFailed};
use crate::io::{PassphraseSource, read_input, write_output};
use anyhow::{Context as _, Result};
use custody_core::atomic::FileMode;
use custody_crypto::CryptoError;
use custody_crypto::dsse::Envelope;
use serde_json::json;

pub fn run(cmd: DsseCommand) -> Result<Outcome> {
    match cmd {
        DsseCommand::Sign(a) => sign(a),
        DsseCommand::Verify(a) => verify(a),
    }
}

fn sign(args: DsseSignArgs) -> Result<Outcome> {
    let password = PassphraseSource {
        env: args.password.password_env,
    };
    let keys = args
        .key
        .iter()
        .map(|k| super::load_private_key(k, super::scheme(args.scheme), &password))
        .collect::<Result<Vec<_>>>()?;
    let payload = read_input(&args.file)?;
    let mut envelope = Envelope::new(args.payload_type, payload);
    for k in &keys {
        envelope.sign(k)?;
    }
    write_output(
        args.output.as_deref(),
        &envelope.to_json(),
        FileMode::Public,
    )?;
    Ok(Outcome::Success)
}

fn verify(args: DsseVerifyArgs) -> Result<Outcome> {
    let (keyring, threshold) = super::trust(&args.key, super::scheme(args.scheme), args.threshold)?;
    let bytes = read_input(&args.envelope)?;
    let envelope =
        Envelope::from_json(&bytes).with_context(|| format!("{}", args.envelope.display()))?;
    if let Some(expected) = &args.payload_type
        && envelope.payload_type() != expected
    {
        return Err(VerificationFailed(format!(
            "payload type is {:?}, expected {expected:?}",
            envelope.payload_type()
        ))
        .into());
    }
    let verified = match envelope.verify(&keyring, threshold) {
        Ok(v) => v,
        Err(e @ CryptoError::ThresholdNotMet { .. }) => {
            return Err(VerificationFailed(format!("{}: {e}", args.envelope.display())).into());
        }
        Err(e) => return Err(e.into()),
    };
    let signers: Vec<String> = verified.signers().iter().map(ToString::to_string).collect();
    match args.format {
        TextOrJson::Json => {
            let v = json!({"verified": true, "payloadType": verified.payload_type, "signers": signers, "payload_bytes": verified.bytes.len()});
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        TextOrJson::Text => eprintln!(
            "Verified OK: payload type {}, {} of {} required signature(s) from {}",
            verified.payload_type,
            signers.len(),
            threshold.get(),
            signers.join(", ")
        ),
    }
    if let Some(out) = &args.payload_out {
        write_output(Some(out), &verified.bytes, FileMode::Public)?;
    }
    Ok(Outcome::Success)
}
