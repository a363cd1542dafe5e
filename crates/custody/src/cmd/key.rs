use crate::cli::{
    KeyCommand, KeyGenerateArgs, KeyListArgs, KeyPublicArgs, KeyShowArgs, KeyTypeArg, PublicFormat,
    TextOrJson,
};
use crate::exit::Outcome;
use crate::io::{PassphraseSource, default_key_dir, write_output};
use anyhow::{Context as _, Result, bail};
use custody_core::atomic::{FileMode, write_atomic};
use custody_crypto::keydir::{self, KeyFileKind, KeyMeta};
use custody_crypto::keys::{KeyType, PrivateKey, PrivateKeyEncoding};
use serde_json::json;
use std::time::SystemTime;

pub fn run(cmd: KeyCommand) -> Result<Outcome> {
    match cmd {
        KeyCommand::Generate(a) => generate(a),
        KeyCommand::List(a) => list(a),
        KeyCommand::Show(a) => show(a),
        KeyCommand::Public(a) => public(a),
    }
}

fn generate(args: KeyGenerateArgs) -> Result<Outcome> {
    let key_type = match args.key_type {
        KeyTypeArg::Ed25519 => KeyType::Ed25519,
        KeyTypeArg::Ecdsa => KeyType::EcdsaP256,
        KeyTypeArg::Rsa => KeyType::Rsa,
    };
    let scheme = super::scheme(args.scheme);
    if let Some(s) = scheme
        && s.key_type() != key_type
    {
        bail!("--scheme {s} cannot be used with --type {key_type}");
    }
    let dir = match args.dir {
        Some(d) => d,
        None => default_key_dir()?,
    };
    if let Some(name) = &args.name
        && (name.is_empty() || name.contains('/') || name.starts_with('.'))
    {
        bail!(
            "--name {name:?}: a key name must be a plain file name (no '/', not starting with '.')"
        );
    }
    let passphrase = if args.unencrypted {
        None
    } else {
        Some(
            PassphraseSource {
                env: args.password.password_env.clone(),
            }
            .for_new_key()?,
        )
    };
    if key_type == KeyType::Rsa {
        eprintln!("Generating a 3072-bit RSA key…");
    }
    let mut key = PrivateKey::generate(key_type)?;
    if let Some(s) = scheme {
        // Re-read with the requested scheme: the scheme is part of the public key ID.
        let pem = key.to_pkcs8_pem(None)?;
        key = PrivateKey::from_pkcs8_pem(pem.as_bytes(), None, Some(s))?;
    }
    let public = key.public_key();
    let name = args
        .name
        .unwrap_or_else(|| format!("{key_type}-{}", public.key_id().short()));
    let private_path = dir.join(format!("{name}.key"));
    let public_path = dir.join(format!("{name}.pub"));
    let meta_path = keydir::meta_path(&public_path);
    if !args.force {
        for p in [&private_path, &public_path, &meta_path] {
            if p.exists() {
                bail!("{} already exists (use --force to replace it)", p.display());
            }
        }
    }
    fs_err::create_dir_all(&dir)?;
    let pem = key.to_pkcs8_pem(passphrase.as_ref())?;
    let meta = serde_json::to_vec_pretty(&KeyMeta::now(&public))?;
    write_atomic(&private_path, pem.as_bytes(), FileMode::OwnerOnly)?;
    write_atomic(
        &public_path,
        public.to_spki_pem()?.as_bytes(),
        FileMode::Public,
    )?;
    write_atomic(&meta_path, &meta, FileMode::Public)?;
    match args.format {
        TextOrJson::Json => {
            let v = json!({
                "keyid": public.key_id(),
                "keytype": public.key_type().sslib_keytype(),
                "scheme": public.scheme().as_str(),
                "private_key": private_path,
                "public_key": public_path,
                "metadata": meta_path,
                "encrypted": passphrase.is_some(),
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        TextOrJson::Text => {
            println!("key ID:      {}", public.key_id());
            println!("scheme:      {}", public.scheme());
            println!(
                "private key: {}{}",
                private_path.display(),
                if passphrase.is_some() {
                    " (encrypted)"
                } else {
                    " (NOT encrypted)"
                }
            );
            println!("public key:  {}", public_path.display());
        }
    }
    Ok(Outcome::Success)
}

fn list(args: KeyListArgs) -> Result<Outcome> {
    let dir = match args.dir {
        Some(d) => d,
        None => default_key_dir()?,
    };
    if !dir.is_dir() {
        bail!(
            "{}: no such key directory (create keys with custody key generate --dir {0})",
            dir.display()
        );
    }
    let files = keydir::list(&dir).with_context(|| format!("cannot list {}", dir.display()))?;
    let now = SystemTime::now();
    let rows: Vec<serde_json::Value> = files
        .iter()
        .map(|f| {
            let (kind, id, scheme, encrypted, error) = match &f.kind {
                KeyFileKind::Public { key_id, scheme } => (
                    "public",
                    Some(key_id.to_string()),
                    Some(scheme.to_string()),
                    None,
                    None,
                ),
                KeyFileKind::Private {
                    encoding,
                    key_id,
                    scheme,
                } => (
                    "private",
                    key_id
                        .as_ref()
                        .map(ToString::to_string)
                        .or_else(|| f.meta.as_ref().map(|m| m.keyid.clone())),
                    scheme
                        .map(|s| s.to_string())
                        .or_else(|| f.meta.as_ref().map(|m| m.scheme.clone())),
                    Some(*encoding == PrivateKeyEncoding::Encrypted),
                    None,
                ),
                KeyFileKind::Unreadable(e) => ("unreadable", None, None, None, Some(e.clone())),
            };
            let age_days = f.meta.as_ref().map(|m| {
                now.duration_since(m.created())
                    .map_or(0, |d| d.as_secs() / 86_400)
            });
            json!({
                "path": f.path, "kind": kind, "keyid": id, "scheme": scheme,
                "encrypted": encrypted, "created_unix": f.meta.as_ref().map(|m| m.created_unix),
                "age_days": age_days, "error": error,
            })
        })
        .collect();
    match args.format {
        TextOrJson::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        TextOrJson::Text => {
            if rows.is_empty() {
                eprintln!("no keys in {}", dir.display());
            }
            for (f, r) in files.iter().zip(&rows) {
                let name = f
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let id = r["keyid"]
                    .as_str()
                    .map_or("?", |s| s.get(..16).unwrap_or(s));
                let age = r["age_days"]
                    .as_u64()
                    .map_or_else(|| "age unknown".to_owned(), |d| format!("{d} days old"));
                let extra = match (&f.kind, r["encrypted"].as_bool()) {
                    (KeyFileKind::Unreadable(e), _) => format!("unreadable: {e}"),
                    (_, Some(true)) => "encrypted".to_owned(),
                    (_, Some(false)) => "NOT encrypted".to_owned(),
                    _ => String::new(),
                };
                println!(
                    "{name:<28} {:<10} {:<20} {id:<16} {age:<14} {extra}",
                    r["kind"].as_str().unwrap_or_default(),
                    r["scheme"].as_str().unwrap_or("-"),
                );
            }
        }
    }
    Ok(Outcome::Success)
}

fn show(args: KeyShowArgs) -> Result<Outcome> {
    let bytes = crate::io::read_input(&args.file)?;
    let scheme = super::scheme(args.scheme);
    let is_private = String::from_utf8_lossy(&bytes).contains("PRIVATE KEY-----");
    let encrypted =
        is_private && PrivateKeyEncoding::detect(&bytes)? == PrivateKeyEncoding::Encrypted;
    let password = PassphraseSource {
        env: args.password.password_env,
    };
    // An encrypted key shows its ID only when it can be opened; the metadata may know it.
    let public = if encrypted
        && password.env.is_none()
        && !std::io::IsTerminal::is_terminal(&std::io::stdin())
    {
        None
    } else {
        Some(super::load_public_key(&args.file, scheme, &password)?)
    };
    let meta = keydir::read_meta(&args.file);
    let v = json!({
        "path": args.file,
        "kind": if is_private { "private" } else { "public" },
        "encrypted": if is_private { Some(encrypted) } else { None },
        "keyid": public.as_ref().map(|k| k.key_id().to_string()).or_else(|| meta.as_ref().map(|m| m.keyid.clone())),
        "keytype": public.as_ref().map(|k| k.key_type().sslib_keytype()),
        "scheme": public.as_ref().map(|k| k.scheme().to_string()).or_else(|| meta.as_ref().map(|m| m.scheme.clone())),
        "bits": public.as_ref().map(custody_crypto::PublicKey::bits),
        "created_unix": meta.as_ref().map(|m| m.created_unix),
    });
    match args.format {
        TextOrJson::Json => println!("{}", serde_json::to_string_pretty(&v)?),
        TextOrJson::Text => {
            for (k, val) in v.as_object().into_iter().flatten() {
                if !val.is_null() {
                    let text = val.as_str().map_or_else(|| val.to_string(), str::to_owned);
                    println!("{k:<13} {text}");
                }
            }
        }
    }
    Ok(Outcome::Success)
}

fn public(args: KeyPublicArgs) -> Result<Outcome> {
    let password = PassphraseSource {
        env: args.password.password_env,
    };
    let key = super::load_public_key(&args.file, super::scheme(args.scheme), &password)?;
    let out = match args.format {
        PublicFormat::Pem => key.to_spki_pem()?,
        PublicFormat::Json => {
            let mut s = serde_json::to_string_pretty(&key.to_sslib_json_value(true)?)?;
            s.push('\n');
            s
        }
    };
    write_output(args.output.as_deref(), out.as_bytes(), FileMode::Public)?;
    Ok(Outcome::Success)
}
