//! Exit codes, decided here and nowhere else.

use std::process::ExitCode;

/// What a command concluded, when it ran to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Success, verified, clean.
    Success,
    /// Verification failed or findings are present (exit 1).
    Findings,
    /// A wrapped command failed with this status, passed on (`intoto run`).
    Wrapped(u8),
    /// The command failed and already said why (exit 1): commands whose contract is
    /// "0 on success, 1 on any failure" (`tuf client`).
    Failure,
}

/// A verification that did not succeed: exit code 1, not 2. Library errors that mean
/// "checked and found wanting" are wrapped in this by the commands.
#[derive(Debug)]
pub struct VerificationFailed(pub String);

impl std::fmt::Display for VerificationFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for VerificationFailed {}

/// A command line that does not parse: help and version exit 0, other errors 2, except
/// under `tuf client`, whose contract is exit 1 on any failure.
pub fn usage_error(err: &clap::Error) -> ExitCode {
    let _ = err.print();
    if !err.use_stderr() {
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = std::env::args().skip(1).take(2).collect();
    if args == ["tuf", "client"] {
        ExitCode::from(1)
    } else {
        ExitCode::from(2)
    }
}

/// Print the error chain (if any) and map to an exit code.
pub fn finish(outcome: anyhow::Result<Outcome>) -> ExitCode {
    match outcome {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Findings | Outcome::Failure) => ExitCode::from(1),
        Ok(Outcome::Wrapped(code)) => ExitCode::from(code),
        Err(err) => {
            let failed = err.downcast_ref::<VerificationFailed>().is_some();
            let label = if failed {
                "verification failed"
            } else {
                "error"
            };
            let mut msg = format!("{label}: {err}");
            for cause in err.chain().skip(1) {
                msg.push_str(&format!("\n  caused by: {cause}"));
            }
            eprintln!("custody: {msg}");
            ExitCode::from(if failed { 1 } else { 2 })
        }
    }
}
