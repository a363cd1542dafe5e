//! One module per command group; each returns an [`Outcome`] or an error and never exits.

mod attest;
mod check;
mod db;
mod deps;
mod dsse;
mod intoto;
mod key;
mod licenses;
mod sbom;
mod scan;
mod secrets;
mod sign;
mod source;
mod tuf;

use crate::cli::{Cli, Command, SchemeArg};
use crate::exit::Outcome;
use crate::io::PassphraseSource;
use anyhow::{Context as _, Result};
use custody_crypto::keys::{PrivateKey, PrivateKeyEncoding, PublicKey, Scheme};
use std::path::Path;

pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Key(cmd) => key::run(cmd),
        Command::Sign(args) => sign::sign(args),
        Command::VerifyBlob(args) => sign::verify_blob(args),
        Command::Dsse(cmd) => dsse::run(cmd),
        Command::Intoto(cmd) => intoto::run(cmd),
        Command::Attest(args) => attest::run(args),
        Command::Tuf(cmd) => tuf::run(cmd),
        Command::Secrets(cmd) => secrets::run(cmd),
        Command::Sbom(cmd) => sbom::run(cmd),
        Command::Scan(cmd) => scan::run(cmd),
        Command::Db(cmd) => db::run(cmd),
        Command::Deps(cmd) => deps::run(cmd),
        Command::Source(cmd) => source::run(cmd),
    }
}

pub(crate) fn scheme(arg: Option<SchemeArg>) -> Option<Scheme> {
    arg.map(|s| match s {
        SchemeArg::Ed25519 => Scheme::Ed25519,
        SchemeArg::EcdsaSha2Nistp256 => Scheme::EcdsaSha2Nistp256,
        SchemeArg::RsassaPssSha256 => Scheme::RsassaPssSha256,
        SchemeArg::RsaPkcs1v15Sha256 => Scheme::RsaPkcs1v15Sha256,
    })
}

/// Load a private key, asking for the passphrase only when the key is encrypted.
pub(crate) fn load_private_key(
    path: &Path,
    scheme: Option<Scheme>,
    password: &PassphraseSource,
) -> Result<PrivateKey> {
    let bytes = crate::io::read_input(path)?;
    let passphrase = match PrivateKeyEncoding::detect(&bytes) {
        Ok(PrivateKeyEncoding::Encrypted) => password.for_existing_key(path)?,
        _ => None,
    };
    PrivateKey::from_pkcs8_pem(&bytes, passphrase.as_ref(), scheme)
        .with_context(|| format!("private key {}", path.display()))
}

/// Load a public key; a private key file is accepted too (its public half is used).
pub(crate) fn load_public_key(
    path: &Path,
    scheme: Option<Scheme>,
    password: &PassphraseSource,
) -> Result<PublicKey> {
    let bytes = crate::io::read_input(path)?;
    if String::from_utf8_lossy(&bytes).contains("PRIVATE KEY-----") {
        return Ok(load_private_key(path, scheme, password)?.public_key());
    }
    PublicKey::from_bytes(&bytes, scheme).with_context(|| format!("public key {}", path.display()))
}

/// The trusted keys of a verification (`--key` files) and a threshold over them that can
/// be met.
pub(crate) fn trust(
    paths: &[std::path::PathBuf],
    scheme: Option<Scheme>,
    threshold: usize,
) -> Result<(
    custody_crypto::threshold::Keyring,
    custody_crypto::threshold::Threshold,
)> {
    let keys = paths
        .iter()
        .map(|k| load_public_key(k, scheme, &PassphraseSource::default()))
        .collect::<Result<Vec<_>>>()?;
    let keyring = custody_crypto::threshold::Keyring::new(keys).context("--key")?;
    let threshold = custody_crypto::threshold::Threshold::new(threshold).context("--threshold")?;
    if threshold.get() > keyring.len() {
        anyhow::bail!(
            "--threshold {} is more than the {} key(s) given: it can never be met",
            threshold.get(),
            keyring.len()
        );
    }
    Ok((keyring, threshold))
}

/// Where a problem of an inventory of `scanned` is, for messages: problems are relative to
/// the scanned directory, or name the scanned file itself.
pub(crate) fn shown_problem_path(scanned: &Path, problem: &Path) -> std::path::PathBuf {
    if scanned.is_file() {
        scanned.to_path_buf()
    } else {
        scanned.join(problem)
    }
}
