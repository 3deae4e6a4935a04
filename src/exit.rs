//! Exit codes shared by every subcommand (documented in README.md and docs/exit-codes.md), and
//! the one error type main maps to them.
//!
//! A command that runs to its end returns an [`Outcome`] (0, 1 or 3); a command that stops
//! returns a [`Failure`], which is always invalid input (4). There is no other way to exit 4.

use std::process::ExitCode;

/// Success / gate passed.
pub(crate) const OK: u8 = 0;
/// Findings: lint problems, a breached threshold or a regression.
pub(crate) const FAILED: u8 = 1;
/// Evaluation incomplete (coverage below the floor, key control not evaluated, expired waivers).
pub(crate) const INCOMPLETE: u8 = 3;
/// Invalid input (unreadable or tampered bundle, catalog digest mismatch, malformed report, bad flags).
pub(crate) const INVALID: u8 = 4;

/// What a command returns: how it came out, or why it stopped.
pub(crate) type Result<T = Outcome> = std::result::Result<T, Failure>;

/// How a command that ran to its end came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Exit 0: success, nothing found, the gate passed.
    Success,
    /// Exit 1: findings (lint problems, a recomputation that differs, a breached gate).
    Findings,
    /// Exit 3: evaluation incomplete (a gate's coverage floor or key control; collection errors).
    Incomplete,
}

impl Outcome {
    pub(crate) fn code(self) -> u8 {
        match self {
            Outcome::Success => OK,
            Outcome::Findings => FAILED,
            Outcome::Incomplete => INCOMPLETE,
        }
    }
}

/// Why a command stopped: invalid input, exit 4.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Not reported yet: main prints `error: ` and the cause chain on one line.
    Invalid(anyhow::Error),
    /// The command has already printed every problem (e.g. each waiver error as
    /// `file:line:col: message`); main prints nothing more.
    Reported,
    /// Bad command-line flags: clap's message, with its usage line and its `--help` hint.
    Usage(clap::Error),
}

impl Failure {
    /// Prints what is not printed yet (to stderr) and returns the exit code.
    pub(crate) fn report(self) -> ExitCode {
        match self {
            Failure::Invalid(err) => eprintln!("error: {err:#}"),
            Failure::Reported => {}
            Failure::Usage(err) => {
                let _ = err.print();
            }
        }
        ExitCode::from(INVALID)
    }
}

/// Any error a command does not handle itself is invalid input.
impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(err: E) -> Self {
        Failure::Invalid(err.into())
    }
}
