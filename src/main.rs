//! The `cloudcap` command line: argument parsing, environment, exit codes.
//!
//! Only this crate reads arguments, the environment and the clock; the libraries under
//! `crates/` are handed everything they need.

// The binary is the one place that reads arguments, environment and clock and prints
// (clippy.toml forbids these in the libraries).
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

// First: `out!` and `outln!` are used by every command.
#[macro_use]
mod out;
mod cmd;
mod exit;
mod reference;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::exit::Failure;

#[derive(Parser)]
#[command(
    name = "cloudcap",
    version,
    about = "Assess a cloud provider's security capability against GB/T 31168-2023 (GB/T 34942-2025 method)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Inspect and lint the control catalog.
    Catalog(cmd::catalog::Args),
    /// Collect evidence from a cloud provider into an evidence bundle.
    Collect(cmd::collect::Args),
    /// Assess a verified evidence bundle and write a report (JSON).
    Assess(cmd::assess::AssessArgs),
    /// Recompute a report from its bundle and fail on any difference.
    VerifyReport(cmd::assess::VerifyReportArgs),
    /// Assess the embedded sample bundle and print scores, coverage and the tier achieved.
    Demo(cmd::assess::DemoArgs),
    /// Render a report: table, json, markdown, html, junit, sarif, oscal-ar, oscal-poam, csv, xlsx.
    Report(cmd::report::ReportArgs),
    /// Compare two reports: new failures, resolved, regressed, and the score delta per control.
    Diff(cmd::report::DiffArgs),
    /// CI gate: exit 0 pass, 1 threshold breached or regression, 3 evaluation incomplete, 4 invalid input.
    Gate(cmd::gate::GateArgs),
    /// Evidence bundles: verify, attest, sign, keygen, export, list, sample, finish.
    Evidence(cmd::evidence::Args),
    /// Print a shell completion script (e.g. `cloudcap completions bash > ~/.local/share/bash-completion/completions/cloudcap`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write the man pages into DIR (`docs/man/`, which `cargo xtask codegen` writes with it).
    #[command(name = "__man-pages", hide = true)]
    ManPages {
        /// An existing directory.
        dir: std::path::PathBuf,
    },
    /// Print the CLI reference (`docs/cli.md`, which `cargo xtask codegen` writes with it).
    #[command(name = "__cli-reference", hide = true)]
    CliReference,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version are not errors (exit 0); a closed pipe is ignored, as below.
        Err(err) if !err.use_stderr() => {
            let _ = err.print();
            return ExitCode::from(exit::OK);
        }
        // Bad flags are invalid input (exit 4).
        Err(err) => return Failure::Usage(err).report(),
    };
    let result = match cli.command {
        Command::Catalog(args) => cmd::catalog::run(args),
        Command::Collect(args) => cmd::collect::run(args),
        Command::Assess(args) => cmd::assess::run_assess(args),
        Command::VerifyReport(args) => cmd::assess::run_verify_report(args),
        Command::Demo(args) => cmd::assess::run_demo(args),
        Command::Report(args) => cmd::report::run_report(args),
        Command::Diff(args) => cmd::report::run_diff(args),
        Command::Gate(args) => cmd::gate::run(args),
        Command::Evidence(args) => cmd::evidence::run(args),
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            out::write_bytes(&reference::completions(Cli::command(), shell));
            Ok(exit::Outcome::Success)
        }
        Command::ManPages { dir } => {
            use clap::CommandFactory as _;
            reference::man_pages(Cli::command())
                .into_iter()
                .try_for_each(|(name, page)| std::fs::write(dir.join(&name), page))
                .map(|()| exit::Outcome::Success)
                .map_err(|e| {
                    Failure::Invalid(
                        anyhow::Error::new(e)
                            .context(format!("cannot write the man pages into {}", dir.display())),
                    )
                })
        }
        Command::CliReference => {
            use clap::CommandFactory as _;
            out!("{}", reference::cli_reference(Cli::command()));
            Ok(exit::Outcome::Success)
        }
    };
    let code = match result {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(failure) => failure.report(),
    };
    // A closed pipe was quiet (out.rs); any other failure to write stdout is an error.
    match out::finish() {
        None => code,
        Some(err) => {
            Failure::Invalid(anyhow::Error::new(err).context("cannot write to stdout")).report()
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::Cli;

    /// Where the CLI reference is committed, relative to the workspace root.
    const PATH: &str = "docs/cli.md";

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// `docs/man/` holds exactly the pages the command definitions render.
    #[test]
    fn man_pages_are_up_to_date() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/man");
        let pages = crate::reference::man_pages(Cli::command());
        assert!(pages.iter().any(|(n, _)| n == "cloudcap-collect-aws.1"));
        let mut committed: Vec<String> = std::fs::read_dir(&dir)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        committed.sort();
        let names: Vec<String> = pages.iter().map(|(n, _)| n.clone()).collect();
        assert_eq!(
            committed, names,
            "Run `cargo xtask codegen` and commit docs/man/."
        );
        for (name, page) in pages {
            assert!(
                std::fs::read(dir.join(&name)).unwrap() == page,
                "docs/man/{name} is out of date: run `cargo xtask codegen` and commit it"
            );
        }
    }

    /// Every shell's completion script names the commands.
    #[test]
    fn completions_name_the_commands() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::PowerShell,
        ] {
            let script =
                String::from_utf8(crate::reference::completions(Cli::command(), shell)).unwrap();
            for word in [
                "collect",
                "assess",
                "verify-report",
                "evidence",
                "completions",
            ] {
                assert!(script.contains(word), "{shell}: no `{word}`");
            }
            assert!(
                !script.contains("__cli-reference"),
                "{shell}: hidden command"
            );
        }
    }

    /// `docs/cli.md` is what the command definitions render (`cargo xtask codegen` writes it).
    #[test]
    fn cli_reference_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(PATH);
        let actual = crate::reference::cli_reference(Cli::command());
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if actual != expected {
            let line = actual
                .lines()
                .zip(expected.lines())
                .position(|(a, e)| a != e)
                .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
            panic!(
                "{} differs from the command definitions at line {}:\n  committed: {}\n  actual:    {}\n\
                 Run `cargo xtask codegen` and commit {}.",
                PATH,
                line + 1,
                expected.lines().nth(line).unwrap_or("<end>"),
                actual.lines().nth(line).unwrap_or("<end>"),
                PATH,
            );
        }
    }
}
