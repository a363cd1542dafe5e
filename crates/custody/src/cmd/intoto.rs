use crate::cli::{
    IntotoCommand, IntotoCommonArgs, IntotoLayoutCommand, IntotoLayoutCreateArgs,
    IntotoRecordCommand, IntotoRecordStartArgs, IntotoRecordStopArgs, IntotoRunArgs,
    IntotoSignArgs, IntotoVerifyArgs, TextOrJson,
};
use crate::exit::Outcome;
use crate::io::PassphraseSource;
use anyhow::{Context as _, Result, bail};
use custody_core::atomic::{FileMode, write_atomic};
use custody_core::time::now_unix;
use custody_crypto::keys::PrivateKey;
use custody_crypto::threshold::Keyring;
use custody_intoto::artifacts::RecordOptions;
use custody_intoto::description::DescriptionFormat;
use custody_intoto::exclude::ExcludeSet;
use custody_intoto::hash::HashAlgorithm;
use custody_intoto::link::{self, RunRequest, SignedLink};
use custody_intoto::metadata::{EnvelopeFormat, Metadata};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub fn run(cmd: IntotoCommand) -> Result<Outcome> {
    match cmd {
        IntotoCommand::Run(a) => run_step(a),
        IntotoCommand::Record(IntotoRecordCommand::Start(a)) => record_start(a),
        IntotoCommand::Record(IntotoRecordCommand::Stop(a)) => record_stop(a),
        IntotoCommand::Verify(a) => verify(a),
        IntotoCommand::Layout(IntotoLayoutCommand::Create(a)) => layout_create(a),
        IntotoCommand::Sign(a) => sign(a),
    }
}

fn load_keyring(paths: &[PathBuf]) -> Result<Keyring> {
    let keys = paths
        .iter()
        .map(|k| super::load_public_key(k, None, &PassphraseSource::default()))
        .collect::<Result<Vec<_>>>()?;
    Ok(Keyring::new(keys)?)
}

fn layout_create(args: IntotoLayoutCreateArgs) -> Result<Outcome> {
    let text = fs_err::read_to_string(&args.description)?;
    let base = args.description.parent().unwrap_or(Path::new("."));
    let format = DescriptionFormat::from_path(&args.description);
    let doc = custody_intoto::description::layout_from_description(&text, format, base, now_unix())
        .with_context(|| format!("{}", args.description.display()))?;
    let format = if args.use_dsse {
        EnvelopeFormat::Dsse
    } else {
        EnvelopeFormat::Metablock
    };
    let mut metadata = Metadata::new(doc, format);
    let password = PassphraseSource {
        env: args.password.password_env,
    };
    for k in &args.signing_key {
        metadata.sign(&super::load_private_key(k, None, &password)?)?;
    }
    write_atomic(&args.output, &metadata.to_bytes(), FileMode::Public)?;
    eprintln!(
        "Wrote {} ({} signature(s)){}",
        args.output.display(),
        args.signing_key.len(),
        if args.signing_key.is_empty() {
            "; sign it with `custody intoto sign`"
        } else {
            ""
        }
    );
    Ok(Outcome::Success)
}

fn sign(args: IntotoSignArgs) -> Result<Outcome> {
    let bytes = fs_err::read(&args.file)?;
    let mut metadata =
        Metadata::from_bytes_to_sign(&bytes).with_context(|| format!("{}", args.file.display()))?;
    if args.verify {
        let keyring = load_keyring(&args.verification_keys)?;
        let all = custody_crypto::threshold::Threshold::new(keyring.len())?;
        return match metadata.verify(&keyring, all) {
            Ok(_) => {
                eprintln!(
                    "Verified OK: {} is signed by all {} key(s)",
                    args.file.display(),
                    keyring.len()
                );
                Ok(Outcome::Success)
            }
            Err(custody_intoto::IntotoError::Verification(m)) => {
                Err(crate::exit::VerificationFailed(format!("{}: {m}", args.file.display())).into())
            }
            Err(e) => Err(e.into()),
        };
    }
    if args.signing_key.is_empty() {
        bail!(
            "nothing to do: give --signing-key to sign, or --verify with --verification-keys to check"
        );
    }
    let doc = metadata.signed_unverified()?;
    if doc.get("_type").and_then(serde_json::Value::as_str) == Some("layout")
        && doc.get("expires").is_none()
    {
        // python in-toto gives a layout without an expiry one month when it signs it.
        let expires = custody_intoto::description::format_expiry(now_unix() + 30 * 86_400);
        metadata
            .set_unsigned_field("expires", serde_json::Value::String(expires.clone()))
            .context("the layout has no \"expires\" and already carries signatures")?;
        eprintln!(
            "The layout had no expiry: it expires at {expires} (in 30 days), as in-toto does"
        );
    }
    let password = PassphraseSource {
        env: args.password.password_env,
    };
    for k in &args.signing_key {
        metadata.sign(&super::load_private_key(k, None, &password)?)?;
    }
    let out = args.output.as_deref().unwrap_or(&args.file);
    write_atomic(out, &metadata.to_bytes(), FileMode::Public)?;
    eprintln!(
        "Signed {} with {} key(s)",
        out.display(),
        args.signing_key.len()
    );
    Ok(Outcome::Success)
}

/// Validate the options every in-toto command shares and load the key.
fn prepare(common: &IntotoCommonArgs) -> Result<(PrivateKey, RecordOptions, EnvelopeFormat)> {
    if common.gpg.is_some() {
        bail!(
            "--gpg: GnuPG signing is not supported; sign with a key file (--signing-key), e.g. one made by `custody key generate`"
        );
    }
    if let Some(Some(_)) = &common.password {
        bail!(
            "-P/--password does not take a value: a passphrase on the command line is visible to other users; use --password-env VAR or the prompt"
        );
    }
    if common.step_name.is_empty() || common.step_name.contains('/') {
        bail!(
            "--step-name {:?}: a step name must be non-empty and contain no '/'",
            common.step_name
        );
    }
    if let Some(base) = &common.base_path
        && !base.is_dir()
    {
        bail!("--base-path {}: not a directory", base.display());
    }
    let excludes = if common.exclude.is_empty() {
        ExcludeSet::defaults()
    } else {
        ExcludeSet::new(&common.exclude).context("--exclude")?
    };
    let mut algorithms = vec![HashAlgorithm::Sha256];
    if common.sha512 {
        algorithms.push(HashAlgorithm::Sha512);
    }
    let opts = RecordOptions {
        excludes,
        base_path: common.base_path.clone(),
        follow_symlink_dirs: true,
        normalize_line_endings: common.normalize_line_endings,
        lstrip_paths: common.lstrip_paths.clone(),
        algorithms,
    };
    let password = PassphraseSource {
        env: common.password_env.password_env.clone(),
    };
    let key = super::load_private_key(&common.signing_key, None, &password)?;
    let format = if common.use_dsse {
        EnvelopeFormat::Dsse
    } else {
        EnvelopeFormat::Metablock
    };
    Ok((key, opts, format))
}

fn metadata_dir(dir: Option<&Path>) -> Result<PathBuf> {
    let dir = dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    if !dir.is_dir() {
        bail!("--metadata-directory {}: not a directory", dir.display());
    }
    Ok(dir)
}

fn write_link(dir: &Path, signed: &SignedLink, quiet: bool, what: &str) -> Result<PathBuf> {
    let path = dir.join(&signed.file_name);
    write_atomic(&path, &signed.bytes, FileMode::Public)?;
    if !quiet {
        eprintln!(
            "{what} {}: {} material(s), {} product(s)",
            path.display(),
            signed.link.materials.len(),
            signed.link.products.len()
        );
    }
    Ok(path)
}

fn run_step(args: IntotoRunArgs) -> Result<Outcome> {
    let (key, record, format) = prepare(&args.common)?;
    let dir = metadata_dir(args.metadata_directory.as_deref())?;
    let command = if args.no_command {
        Vec::new()
    } else {
        let mut c = args.command.clone();
        if c.first().is_some_and(|a| a == "--") {
            c.remove(0);
        }
        if c.is_empty() {
            bail!(
                "no command given: put it after `--`, or pass -x/--no-command to record artifacts only"
            );
        }
        c
    };
    if args.common.verbose {
        eprintln!("Running step {:?}…", args.common.step_name);
    }
    let req = RunRequest {
        step: args.common.step_name.clone(),
        materials: args.materials,
        products: args.products,
        command,
        record_streams: args.record_streams,
        timeout: args.run_timeout.map(Duration::from_secs),
        record,
        format,
        working_dir: None,
    };
    let signed = link::run(&req, &key)?;
    write_link(&dir, &signed, args.common.quiet, "Wrote")?;
    let status = signed
        .link
        .byproducts
        .as_ref()
        .map_or(0, |b| b.return_value);
    if status == 0 {
        Ok(Outcome::Success)
    } else {
        if !args.common.quiet {
            eprintln!(
                "custody: the step's command exited with status {status}; the link records it"
            );
        }
        // As in-toto-run: the exit status is the command's (mod 256, signals as 256-N).
        Ok(Outcome::Wrapped(
            u8::try_from(status.rem_euclid(256)).unwrap_or(1),
        ))
    }
}

fn record_start(args: IntotoRecordStartArgs) -> Result<Outcome> {
    let (key, record, format) = prepare(&args.common)?;
    let signed = link::record_start(
        &args.common.step_name,
        &args.materials,
        &record,
        format,
        &key,
    )?;
    write_link(
        Path::new("."),
        &signed,
        args.common.quiet,
        "Started recording:",
    )?;
    Ok(Outcome::Success)
}

fn record_stop(args: IntotoRecordStopArgs) -> Result<Outcome> {
    let (key, record, _format) = prepare(&args.common)?;
    let dir = metadata_dir(args.metadata_directory.as_deref())?;
    let unfinished = link::unfinished_path(Path::new("."), &args.common.step_name, &key);
    let bytes = fs_err::read(&unfinished).with_context(|| {
        format!("no recording of step {:?} was started with this key (run `custody intoto record start` first)", args.common.step_name)
    })?;
    let signed = link::record_stop(&bytes, &args.products, &record, &key).map_err(|e| match e {
        custody_intoto::IntotoError::Verification(m) => {
            anyhow::Error::new(crate::exit::VerificationFailed(m))
        }
        other => other.into(),
    })?;
    write_link(&dir, &signed, args.common.quiet, "Wrote")?;
    fs_err::remove_file(&unfinished)?;
    Ok(Outcome::Success)
}

fn verify(args: IntotoVerifyArgs) -> Result<Outcome> {
    let keyring = load_keyring(&args.verification_keys)?;
    let bytes = fs_err::read(&args.layout)?;
    let layout =
        Metadata::from_bytes(&bytes).with_context(|| format!("{}", args.layout.display()))?;
    let mut parameters = std::collections::BTreeMap::new();
    for p in &args.layout_parameters {
        let (k, v) = p
            .split_once('=')
            .with_context(|| format!("--layout-parameters {p:?}: expected NAME=VALUE"))?;
        parameters.insert(k.to_owned(), v.to_owned());
    }
    let opts = custody_intoto::verify::VerifyOptions {
        link_dir: args.link_dir.clone().unwrap_or_else(|| PathBuf::from(".")),
        now_unix: now_unix(),
        parameters,
        inspection_dir: PathBuf::from("."),
        inspection_timeout: Some(Duration::from_secs(args.inspection_timeout)),
        run_inspections: true,
        check_rules: true,
    };
    match custody_intoto::verify::verify_supply_chain(&layout, &keyring, &opts) {
        Ok(chain) => {
            for w in &chain.warnings {
                eprintln!("warning: {w}");
            }
            match args.format {
                TextOrJson::Json => {
                    let steps: Vec<serde_json::Value> = chain
                        .steps
                        .iter()
                        .map(
                            |(name, signers)| serde_json::json!({"step": name, "signers": signers}),
                        )
                        .collect();
                    let v = serde_json::json!({
                        "verified": true, "steps": steps, "inspections": chain.inspections,
                        "warnings": chain.warnings,
                        "final_products": chain.summary.products,
                    });
                    println!("{}", serde_json::to_string_pretty(&v)?);
                }
                TextOrJson::Text => eprintln!(
                    "Verified OK: {} step(s) and {} inspection(s) of {} pass; {} final product(s)",
                    chain.steps.len(),
                    chain.inspections.len(),
                    args.layout.display(),
                    chain.summary.products.len()
                ),
            }
            Ok(Outcome::Success)
        }
        Err(custody_intoto::IntotoError::Verification(m)) => {
            Err(crate::exit::VerificationFailed(m).into())
        }
        Err(e) => Err(e.into()),
    }
}
