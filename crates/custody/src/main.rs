//! The `custody` binary: parses the command line, calls the library crates, renders, and
//! decides the exit code in one place (0 success, 1 verification failed or findings,
//! 2 usage error or unreadable input).

mod cli;
mod cmd;
mod exit;
mod io;

use clap::Parser as _;

/// mimalloc rather than the system allocator: verifying and recording large supply chains
/// allocates millions of small strings and maps, where glibc's malloc costs about half of
/// the run time (see docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return exit::usage_error(&e),
    };
    let outcome = cmd::run(cli);
    exit::finish(outcome)
}
