//! `custody tuf …`: the TUF client. Its command line and exit codes (0 success, exactly 1
//! on any failure) are fixed so that conformance suites can drive it.

use crate::cli::{TufClientAction, TufClientArgs, TufCommand};
use crate::exit::Outcome;
use anyhow::{Context as _, Result, anyhow, bail};
use custody_core::atomic::{FileMode, write_atomic};
use custody_tuf::updater::{Updater, UpdaterConfig};

pub fn run(cmd: TufCommand) -> Result<Outcome> {
    match cmd {
        // A panic would exit 101; the contract is 1 on any failure.
        TufCommand::Client(args) => Ok(
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| client(args))) {
                Ok(Ok(())) => Outcome::Success,
                Err(_) => Outcome::Failure,
                Ok(Err(e)) => {
                    let mut msg = format!("custody: tuf client: {e}");
                    for cause in e.chain().skip(1) {
                        msg.push_str(&format!("\n  caused by: {cause}"));
                    }
                    eprintln!("{msg}");
                    Outcome::Failure
                }
            },
        ),
    }
}

fn client(args: TufClientArgs) -> Result<()> {
    match args.action {
        TufClientAction::Init { trusted_root } => {
            let bytes = fs_err::read(&trusted_root)?;
            // Fail now rather than at the first refresh: the root must be a root, signed
            // by its own keys (its expiry does not matter yet).
            custody_tuf::trusted::TrustedSet::new(&bytes, 0)
                .with_context(|| format!("{}", trusted_root.display()))?;
            fs_err::create_dir_all(&args.metadata_dir)?;
            write_atomic(
                &args.metadata_dir.join("root.json"),
                &bytes,
                FileMode::Public,
            )?;
            Ok(())
        }
        TufClientAction::Refresh => {
            let mut updater = updater(&args)?;
            updater.refresh()?;
            report(&updater);
            Ok(())
        }
        TufClientAction::Download => {
            let (Some(target_dir), Some(base)) = (&args.target_dir, &args.target_base_url) else {
                bail!("download needs --target-dir and --target-base-url");
            };
            if args.target_name.is_empty() {
                bail!("download needs at least one --target-name");
            }
            let mut updater = updater(&args)?;
            updater.refresh()?;
            fs_err::create_dir_all(target_dir)?;
            for name in &args.target_name {
                let info = updater
                    .target_info(name)?
                    .ok_or_else(|| anyhow!("target {name:?} is not in the repository"))?;
                let cached = Updater::<custody_tuf::http::HttpFetcher>::find_cached_target(
                    &info, target_dir,
                )?;
                let path = match cached {
                    Some(path) => path,
                    None => updater.download_target(&info, target_dir, base)?,
                };
                eprintln!(
                    "{name}: {} ({} bytes, verified)",
                    path.display(),
                    info.file.length
                );
            }
            Ok(())
        }
    }
}

fn updater(args: &TufClientArgs) -> Result<Updater> {
    let url = args
        .metadata_url
        .clone()
        .ok_or_else(|| anyhow!("--metadata-url is required for refresh and download"))?;
    Ok(Updater::new(UpdaterConfig::new(
        args.metadata_dir.clone(),
        url,
    ))?)
}

fn report(updater: &Updater) {
    let t = updater.trusted();
    let version = |v: Option<u64>| v.map_or_else(|| "-".to_owned(), |v| format!("v{v}"));
    eprintln!(
        "Trusted: root v{}, timestamp {}, snapshot {}, targets {}",
        t.root().common.version,
        version(t.timestamp().map(|m| m.common.version)),
        version(t.snapshot().map(|m| m.common.version)),
        version(t.targets("targets").map(|m| m.common.version)),
    );
}
