//! Project automation that is not expressible with plain `cargo`: `cargo xtask <task>`.
//!
//! * `lint-controls [DIR]` — the catalog check every `cloudcap` command runs
//!   (`cloudcap_engine::lint_catalog`: load, then the rule lint); prints the same diagnostics as
//!   `cloudcap catalog lint DIR`.
//! * `codegen [--check]` — regenerate every committed generated file (evidence JSON Schemas in
//!   `evidence-schemas/`, deleting the ones no kind produces any more; the embedded sample
//!   bundle `crates/cloudcap-evidence/sample/sample.tar`; `controls/DIAGNOSTICS.md`). `--check`
//!   writes nothing, lists every stale file and exits 1; `cargo test` runs the same check.

// A developer tool, not a library: it reads its arguments and prints (clippy.toml's rules are
// for the library crates).
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod codegen;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace root")
        .to_path_buf();
    match args.first().map(String::as_str) {
        Some("lint-controls") => lint_controls(
            args.get(1)
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("controls")),
        ),
        Some("codegen") => codegen(&root, args.iter().any(|a| a == "--check")),
        _ => {
            eprintln!("usage: cargo xtask lint-controls [DIR] | codegen [--check]");
            ExitCode::from(2)
        }
    }
}

fn lint_controls(dir: PathBuf) -> ExitCode {
    let source = match cloudcap_catalog::Source::from_dir(&dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot read {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    let (catalog, diags) = cloudcap_engine::lint_catalog(&source);
    for d in &diags {
        println!("{d}");
    }
    match catalog {
        Some(c) if !diags.iter().any(|d| d.is_error()) => {
            println!("{} controls, digest {}", c.controls.len(), c.digest());
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{} problem(s)", diags.len());
            ExitCode::FAILURE
        }
    }
}

fn codegen(root: &Path, check: bool) -> ExitCode {
    let mode = if check {
        codegen::Mode::Check
    } else {
        codegen::Mode::Write
    };
    let found = match codegen::run(root, mode, codegen::Cli::Include) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("codegen: {e}");
            return ExitCode::from(2);
        }
    };
    match mode {
        codegen::Mode::Check if !found.is_empty() => {
            eprintln!("{}", codegen::stale_message(&found));
            ExitCode::FAILURE
        }
        codegen::Mode::Check => ExitCode::SUCCESS,
        codegen::Mode::Write => {
            for s in &found {
                let done = if s.problem == codegen::Problem::NotGenerated {
                    "deleted"
                } else {
                    "wrote"
                };
                println!("{done} {}", s.path.display());
            }
            ExitCode::SUCCESS
        }
    }
}
