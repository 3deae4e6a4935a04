//! A reader that goes away early (`cloudcap catalog list --format json | head -1`) ends the
//! output quietly: no "failed printing to stdout" panic, no error message, and the command's own
//! exit code (0 here; see `src/out.rs`).

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

/// Four times a pipe's capacity (64 KiB by default on Linux), so the writer is still writing
/// when the reader closes its end and must meet the broken pipe.
const MIN_OUTPUT: usize = 256 << 10;

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let args = ["catalog", "list", "--format", "json"];
    let full = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
        .args(args)
        .output()
        .unwrap();
    assert!(full.status.success());
    assert!(
        full.stdout.len() > MIN_OUTPUT,
        "the output ({} bytes) must be larger than a pipe buffer for this test to mean anything",
        full.stdout.len()
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert_eq!(first, "[\n");
    // Close the read end: every later write of the child meets a broken pipe.
    drop(reader);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.is_empty(),
        "a closed pipe is quiet, but stderr has: {stderr}"
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
}

/// Colour only where asked for and never with `NO_COLOR` (https://no-color.org): piped output
/// has no escape codes; `CLICOLOR_FORCE` turns them on (so this test can see them), and
/// `NO_COLOR` wins over it. Checked on clap's usage error, the one coloured output, and on
/// `catalog list`, which never colours.
#[test]
fn colour_only_when_forced_and_never_with_no_color() {
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cloudcap"));
        cmd.args(args)
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let mut all = out.stdout;
        all.extend(out.stderr);
        all.contains(&0x1b)
    };
    let bad = ["catalog", "list", "--no-such-flag"];
    assert!(!run(&[], &bad), "piped: no colour");
    assert!(run(&[("CLICOLOR_FORCE", "1")], &bad), "forced: colour");
    assert!(
        !run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &bad),
        "NO_COLOR wins"
    );
    assert!(!run(&[("CLICOLOR_FORCE", "1")], &["catalog", "list"]));
}
