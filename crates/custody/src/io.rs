//! Reading inputs and writing outputs for commands: files or `-`, atomic writes,
//! passphrases from the environment or the terminal.

use anyhow::{Context as _, Result, bail};
use custody_core::atomic::{FileMode, write_atomic};
use custody_core::secret::Secret;
use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};

/// Read a whole input file, or stdin for `-`.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        return Ok(buf);
    }
    Ok(fs_err::read(path)?)
}

/// The ref updates a git hook gets on standard input (`OLD NEW REF` lines); `what` says
/// which in the error (pushed, accepted).
pub fn read_ref_updates(what: &str) -> Result<Vec<custody_git::push::RefUpdate>> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .with_context(|| format!("reading the {what} ref updates from standard input"))?;
    Ok(custody_git::push::parse_updates(&input)?)
}

/// Write output to a file atomically, or to stdout for `None` / `-`.
pub fn write_output(path: Option<&Path>, bytes: &[u8], mode: FileMode) -> Result<()> {
    match path {
        None => stdout_write(bytes),
        Some(p) if p == Path::new("-") => stdout_write(bytes),
        Some(p) => Ok(write_atomic(p, bytes, mode)?),
    }
}

fn stdout_write(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`custody … | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e).context("cannot write to standard output"),
    }
}

/// Where a passphrase comes from.
#[derive(Debug, Clone, Default)]
pub struct PassphraseSource {
    /// Name of an environment variable holding the passphrase.
    pub env: Option<String>,
}

impl PassphraseSource {
    /// The passphrase to open an existing key: from the variable, else a prompt when a
    /// terminal is attached, else none (the caller reports that the key is encrypted).
    pub fn for_existing_key(&self, key_path: &Path) -> Result<Option<Secret>> {
        if let Some(var) = &self.env {
            return Ok(Some(from_env(var)?));
        }
        if !std::io::stdin().is_terminal() {
            return Ok(None);
        }
        let p = rpassword::prompt_password(format!("Passphrase for {}: ", key_path.display()))
            .context("cannot read the passphrase from the terminal")?;
        Ok(Some(Secret::from(p)))
    }

    /// The passphrase for a new key: from the variable, else prompted twice.
    pub fn for_new_key(&self) -> Result<Secret> {
        let secret = if let Some(var) = &self.env {
            from_env(var)?
        } else {
            if !std::io::stdin().is_terminal() {
                bail!(
                    "a passphrase is needed to encrypt the new key: pass --password-env VAR, run in a terminal, or use --unencrypted"
                );
            }
            let first = Secret::from(
                rpassword::prompt_password("Passphrase for the new key: ")
                    .context("cannot read the passphrase from the terminal")?,
            );
            let again = Secret::from(
                rpassword::prompt_password("Repeat the passphrase: ")
                    .context("cannot read the passphrase from the terminal")?,
            );
            if first.expose() != again.expose() {
                bail!("the passphrases do not match");
            }
            first
        };
        if secret.expose().is_empty() {
            bail!(
                "an empty passphrase does not protect the key; use --unencrypted to store it unencrypted on purpose"
            );
        }
        Ok(secret)
    }
}

fn from_env(var: &str) -> Result<Secret> {
    match std::env::var(var) {
        Ok(v) => Ok(Secret::from(v)),
        Err(std::env::VarError::NotPresent) => {
            bail!("environment variable {var} (from --password-env) is not set")
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("environment variable {var} is not valid UTF-8")
        }
    }
}

/// The default directory for a user's keys: `$CUSTODY_KEY_DIR`, else
/// `$XDG_DATA_HOME/custody/keys`, else `~/.local/share/custody/keys`.
pub fn default_key_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("CUSTODY_KEY_DIR") {
        return Ok(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d).join("custody/keys"));
    }
    match std::env::var_os("HOME") {
        Some(home) => Ok(PathBuf::from(home).join(".local/share/custody/keys")),
        None => bail!("cannot find a key directory: set CUSTODY_KEY_DIR or HOME, or pass --dir"),
    }
}
