use crate::cli::{SignArgs, VerifyBlobArgs};
use crate::exit::{Outcome, VerificationFailed};
use crate::io::{PassphraseSource, read_input, write_output};
use anyhow::{Context as _, Result, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use custody_core::atomic::FileMode;
use custody_crypto::CryptoError;
use custody_crypto::threshold::{Keyring, SignatureEntry, Threshold, verify_threshold};
use std::path::{Path, PathBuf};

pub fn sign(args: SignArgs) -> Result<Outcome> {
    let output = match (&args.output, args.file == Path::new("-")) {
        (Some(o), _) => o.clone(),
        (None, true) => {
            bail!("signing standard input needs -o/--output (a file, or - for standard output)")
        }
        (None, false) => {
            let mut p = args.file.clone().into_os_string();
            p.push(".sig");
            PathBuf::from(p)
        }
    };
    let password = PassphraseSource {
        env: args.password.password_env,
    };
    let key = super::load_private_key(&args.key, super::scheme(args.scheme), &password)?;
    let data = read_input(&args.file)?;
    let sig = key.sign(&data)?;
    let mut text = STANDARD.encode(sig);
    text.push('\n');
    write_output(Some(&output), text.as_bytes(), FileMode::Public)?;
    if output != Path::new("-") {
        eprintln!(
            "Signed {} with key {} -> {}",
            args.file.display(),
            key.public_key().key_id(),
            output.display()
        );
    }
    Ok(Outcome::Success)
}

/// A signature file holds base64 text (what `custody sign` writes, like cosign), or the
/// raw signature bytes (what `openssl pkeyutl -sign` writes).
pub(crate) fn decode_signature(bytes: &[u8]) -> Vec<u8> {
    std::str::from_utf8(bytes)
        .ok()
        .map(|s| s.split_whitespace().collect::<String>())
        .and_then(|s| STANDARD.decode(s).ok())
        .unwrap_or_else(|| bytes.to_vec())
}

pub fn verify_blob(args: VerifyBlobArgs) -> Result<Outcome> {
    let key = super::load_public_key(
        &args.key,
        super::scheme(args.scheme),
        &PassphraseSource::default(),
    )?;
    let sig_bytes = read_input(&args.signature)?;
    if sig_bytes.is_empty() {
        bail!("{}: the signature file is empty", args.signature.display());
    }
    let sig = decode_signature(&sig_bytes);
    let data = read_input(&args.file)?;
    let key_id = key.key_id();
    let keyring = Keyring::new([key])?;
    let entry = SignatureEntry {
        key_id: Some(key_id.clone()),
        sig,
    };
    match verify_threshold((), &data, &[entry], &keyring, Threshold::new(1)?) {
        Ok(_) => {
            eprintln!(
                "Verified OK: {} signed by key {key_id}",
                args.file.display()
            );
            Ok(Outcome::Success)
        }
        Err(e @ CryptoError::ThresholdNotMet { .. }) => {
            Err(VerificationFailed(format!("{}: {e}", args.file.display())).into())
        }
        Err(e) => Err(e).context("cannot verify"),
    }
}
