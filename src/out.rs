//! Standard output for every command: `outln!` and `out!` instead of `println!` and `print!`.
//!
//! `println!` panics ("failed printing to stdout: Broken pipe") when the reader has gone, as in
//! `cloudcap catalog list | head -1`. Here a closed pipe is quiet: the rest of the output is
//! dropped and the command runs on to its own exit code, so `gate … | head` under
//! `set -o pipefail` still fails a breached gate (for `catalog list | head -1` the code is 0).
//! Any other write error (e.g. a full disk behind `> file`) is kept and reported by main as
//! `error: cannot write to stdout: …`, exit 4.

use std::fmt;
use std::io::{self, Write as _};
use std::sync::{Mutex, PoisonError};

enum State {
    Open,
    /// The reader closed the pipe: drop everything from now on.
    Closed,
    /// Another write error; main reports it.
    Failed(io::Error),
}

static STATE: Mutex<State> = Mutex::new(State::Open);

/// Writes `args`, then a newline if `newline`; the implementation of `out!` and `outln!`.
pub(crate) fn write(args: fmt::Arguments<'_>, newline: bool) {
    let mut state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
    if !matches!(*state, State::Open) {
        return;
    }
    let mut stdout = io::stdout().lock();
    let written = stdout.write_fmt(args).and_then(|()| {
        if newline {
            stdout.write_all(b"\n")
        } else {
            Ok(())
        }
    });
    if let Err(err) = written {
        *state = closed_or_failed(err);
    }
}

/// Writes `bytes` as they are (an evidence object may not be text).
pub(crate) fn write_bytes(bytes: &[u8]) {
    let mut state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
    if !matches!(*state, State::Open) {
        return;
    }
    if let Err(err) = io::stdout().lock().write_all(bytes) {
        *state = closed_or_failed(err);
    }
}

/// Flushes stdout; returns the write error to report, if there was one (a closed pipe is none).
pub(crate) fn finish() -> Option<io::Error> {
    let mut state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
    if matches!(*state, State::Open) {
        if let Err(err) = io::stdout().lock().flush() {
            *state = closed_or_failed(err);
        }
    }
    match std::mem::replace(&mut *state, State::Closed) {
        State::Failed(err) => Some(err),
        State::Open | State::Closed => None,
    }
}

fn closed_or_failed(err: io::Error) -> State {
    if err.kind() == io::ErrorKind::BrokenPipe {
        State::Closed
    } else {
        State::Failed(err)
    }
}

/// `print!` to stdout, quiet when the reader has gone.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::out::write(format_args!($($arg)*), false)
    };
}

/// `println!` to stdout, quiet when the reader has gone.
macro_rules! outln {
    () => {
        $crate::out::write(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::out::write(format_args!($($arg)*), true)
    };
}
