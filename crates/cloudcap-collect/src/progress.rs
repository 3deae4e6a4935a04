//! Progress display: indicatif bars on a terminal, plain lines otherwise, or nothing.

// The one module of the library crates that writes to stderr (clippy.toml forbids printing
// everywhere else).
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

use std::{
    io::IsTerminal,
    sync::atomic::{AtomicU64, Ordering},
};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown (on stderr).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// Bars when stderr is a terminal, plain lines otherwise.
    Auto,
    /// One line per finished collection unit.
    Plain,
    /// Nothing.
    Quiet,
}

/// Counters for services, API calls, resources and errors, drawn as the mode says.
#[derive(Debug)]
pub struct Progress {
    mode: ProgressMode,
    calls: AtomicU64,
    resources: AtomicU64,
    errors: AtomicU64,
    bars: Option<Bars>,
}

#[derive(Debug)]
struct Bars {
    _multi: MultiProgress,
    services: ProgressBar,
    calls: ProgressBar,
    resources: ProgressBar,
    errors: ProgressBar,
}

impl Progress {
    /// A display for `units` collection units.
    pub fn new(mode: ProgressMode, units: u64) -> Progress {
        let mode = match mode {
            ProgressMode::Auto if std::io::stderr().is_terminal() => ProgressMode::Auto,
            ProgressMode::Auto => ProgressMode::Plain,
            other => other,
        };
        let bars = (mode == ProgressMode::Auto).then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let counter = ProgressStyle::with_template("{prefix:>10} {spinner} {pos}").unwrap();
            let services = multi.add(ProgressBar::new(units));
            services.set_style(
                ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {msg}")
                    .unwrap()
                    .progress_chars("=> "),
            );
            services.set_prefix("services");
            let make = |name: &'static str| {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(counter.clone());
                bar.set_prefix(name);
                bar
            };
            Bars {
                services,
                calls: make("API calls"),
                resources: make("resources"),
                errors: make("errors"),
                _multi: multi,
            }
        });
        Progress {
            mode,
            calls: AtomicU64::new(0),
            resources: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            bars,
        }
    }

    /// One API call answered (or given up on).
    pub fn call(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if let Some(bars) = &self.bars {
            bars.calls.inc(1);
        }
    }

    /// `n` resource records produced.
    pub fn resources(&self, n: u64) {
        self.resources.fetch_add(n, Ordering::Relaxed);
        if let Some(bars) = &self.bars {
            bars.resources.inc(n);
        }
    }

    /// One collection error recorded.
    pub fn error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if let Some(bars) = &self.bars {
            bars.errors.inc(1);
        }
    }

    /// A unit finished (or was skipped on resume).
    pub fn unit_done(&self, name: &str, records: u64, errors: u64, skipped: bool) {
        match (&self.bars, self.mode) {
            (Some(bars), _) => {
                bars.services.set_message(name.to_owned());
                bars.services.inc(1);
            }
            (None, ProgressMode::Plain) => {
                let what = if skipped {
                    "skipped (already in bundle)".to_owned()
                } else {
                    format!("{records} record(s), {errors} error(s)")
                };
                eprintln!("collect: {name}: {what}");
            }
            _ => {}
        }
    }

    /// Totals: (API calls, resource records, errors).
    pub fn totals(&self) -> (u64, u64, u64) {
        (
            self.calls.load(Ordering::Relaxed),
            self.resources.load(Ordering::Relaxed),
            self.errors.load(Ordering::Relaxed),
        )
    }

    /// Removes the bars.
    pub fn finish(&self) {
        if let Some(bars) = &self.bars {
            for bar in [&bars.services, &bars.calls, &bars.resources, &bars.errors] {
                bar.finish();
            }
        }
    }
}
