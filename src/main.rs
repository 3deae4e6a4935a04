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
    /// Render a report: table, json, markdown, html, junit, sarif, oscal-ar, oscal-poam.
    Report(cmd::report::ReportArgs),
    /// Compare two reports: new failures, resolved, regressed, and the score delta per control.
    Diff(cmd::report::DiffArgs),
    /// CI gate: exit 0 pass, 1 threshold breached or regression, 3 evaluation incomplete, 4 invalid input.
    Gate(cmd::gate::GateArgs),
    /// Evidence bundles: verify, attest, sign, keygen, export, list, sample, finish.
    Evidence(cmd::evidence::Args),
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

    /// Where the rendered `--help` tree is committed.
    const HELP_SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/help.txt");

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every command path, parents before children, in clap's order; without clap's generated
    /// `help` subcommands (`cloudcap help X` prints `cloudcap X --help`, already in the tree).
    fn paths(cmd: &clap::Command, prefix: &[String], all: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_owned());
            all.push(path.clone());
            paths(sub, &path, all);
        }
    }

    /// What `cloudcap PATH… --help` prints, at a fixed width of 100 columns whatever the
    /// terminal, so the snapshot does not depend on where the test runs.
    fn render_help(path: &[String]) -> String {
        let args = std::iter::once("cloudcap")
            .chain(path.iter().map(String::as_str))
            .chain(["--help"]);
        let err = match Cli::command().term_width(100).try_get_matches_from(args) {
            Ok(_) => panic!("`{} --help` did not print help", path.join(" ")),
            Err(err) => err,
        };
        assert_eq!(
            err.kind(),
            clap::error::ErrorKind::DisplayHelp,
            "{}",
            path.join(" ")
        );
        err.render().to_string()
    }

    /// `cloudcap --help` and every subcommand's `--help`, recursively, in one text.
    fn help_tree() -> String {
        let mut cmd = Cli::command();
        cmd.build();
        let mut all = vec![Vec::new()];
        paths(&cmd, &[], &mut all);
        let mut text = String::new();
        for path in &all {
            let name = std::iter::once("cloudcap")
                .chain(path.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" ");
            text.push_str(&format!("=== {name} --help\n\n{}\n", render_help(path)));
        }
        text
    }

    #[test]
    fn help_tree_matches_the_snapshot() {
        let actual = help_tree();
        if std::env::var_os("CLOUDCAP_UPDATE_SNAPSHOTS").is_some() {
            std::fs::create_dir_all(std::path::Path::new(HELP_SNAPSHOT).parent().unwrap()).unwrap();
            std::fs::write(HELP_SNAPSHOT, &actual).unwrap();
            return;
        }
        let expected = std::fs::read_to_string(HELP_SNAPSHOT).unwrap_or_default();
        if actual != expected {
            let line = actual
                .lines()
                .zip(expected.lines())
                .position(|(a, e)| a != e)
                .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
            panic!(
                "the --help tree differs from {HELP_SNAPSHOT} at line {}:\n  snapshot: {}\n  actual:   {}\n\
                 If the change is intended, update the snapshot with\n  \
                 CLOUDCAP_UPDATE_SNAPSHOTS=1 cargo test --release --bin cloudcap help_tree\n\
                 and commit tests/snapshots/help.txt.",
                line + 1,
                expected.lines().nth(line).unwrap_or("<end>"),
                actual.lines().nth(line).unwrap_or("<end>"),
            );
        }
    }
}
