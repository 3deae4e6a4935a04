//! Project automation that is not expressible with plain `cargo`: `cargo xtask <task>`.
//!
//! * `lint-controls [DIR]` — the catalog check every `cloudcap` command runs
//!   (`cloudcap_engine::lint_catalog`: load, then the rule lint); prints the same diagnostics as
//!   `cloudcap catalog lint DIR`.
//! * `codegen [--check]` — regenerate committed files (evidence JSON Schemas,
//!   `controls/DIAGNOSTICS.md`); `--check` fails when a committed file is out of date instead of
//!   writing it.

// A developer tool, not a library: it reads its arguments and prints (clippy.toml's rules are
// for the library crates).
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

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

/// Every generated file: workspace-relative path and the text it must have.
fn generated() -> Vec<(PathBuf, String)> {
    let mut files: Vec<(PathBuf, String)> = cloudcap_evidence::generate_schemas()
        .into_iter()
        .map(|(name, text)| (Path::new("evidence-schemas").join(name), text))
        .collect();
    files.push((
        Path::new("controls").join("DIAGNOSTICS.md"),
        cloudcap_catalog::diagnostics_md(),
    ));
    files
}

fn codegen(root: &Path, check: bool) -> ExitCode {
    let mut stale = Vec::new();
    for (rel, text) in generated() {
        let path = root.join(rel);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != text {
            if check {
                stale.push(path.display().to_string());
            } else {
                std::fs::write(&path, text).expect("write generated file");
                println!("wrote {}", path.display());
            }
        }
    }
    if stale.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "out of date (run `cargo xtask codegen`):\n  {}",
            stale.join("\n  ")
        );
        ExitCode::FAILURE
    }
}
