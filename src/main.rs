//! The `cloudcap` command line: argument parsing, environment, exit codes.
//!
//! Only this crate reads arguments, the environment and the clock; the libraries under
//! `crates/` are handed everything they need.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes shared by every subcommand (documented in README.md and docs/exit-codes.md).
pub(crate) mod exit {
    /// Success / gate passed.
    pub const OK: u8 = 0;
    /// Findings: lint problems, a breached threshold or a regression.
    pub const FAILED: u8 = 1;
    /// Evaluation incomplete (coverage below the floor, key control not evaluated, expired waivers).
    pub const INCOMPLETE: u8 = 3;
    /// Invalid input (unreadable or tampered bundle, catalog digest mismatch, malformed report, bad flags).
    pub const INVALID: u8 = 4;
}

#[derive(Parser)]
#[command(name = "cloudcap", version, about = "Assess a cloud provider's security capability against GB/T 31168-2023 (GB/T 34942-2025 method)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Inspect and lint the control catalog.
    Catalog(cmd::catalog::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Catalog(args) => cmd::catalog::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(exit::INVALID)
        }
    }
}
