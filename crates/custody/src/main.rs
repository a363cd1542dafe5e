//! The `custody` binary: parses the command line, calls the library crates, renders, and
//! decides the exit code in one place (0 success, 1 verification failed or findings,
//! 2 usage error or unreadable input).

mod cli;
mod cmd;
mod exit;
mod io;

use clap::Parser as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let outcome = cmd::run(cli);
    exit::finish(outcome)
}
