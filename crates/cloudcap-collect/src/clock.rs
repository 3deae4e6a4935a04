//! The collector's clock: the one place this crate reads wall time (request signatures, the
//! `fetched_at` of raw answers, manifest entry times) and the monotonic clock (how long a call
//! took). The pure core crates never read it.

// The one module of the library crates allowed to read the clock (clippy.toml forbids it
// everywhere else).
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant, SystemTime};

use jiff::Timestamp;

/// Now.
pub fn now() -> Timestamp {
    Timestamp::now()
}

/// Now, as the signers take it.
pub fn now_system() -> SystemTime {
    SystemTime::now()
}

/// Now on the monotonic clock, to measure how long something takes.
pub fn instant() -> Instant {
    Instant::now()
}

/// How long ago `start` (from [`instant`]) was.
pub fn since(start: Instant) -> Duration {
    start.elapsed()
}

/// Now, in whole seconds (sub-second digits are dropped).
pub fn now_seconds() -> Timestamp {
    let now = now();
    Timestamp::from_second(now.as_second()).unwrap_or(now)
}

/// `fetched_at` of a raw answer received now: RFC 3339 UTC in whole seconds.
pub fn fetched_at() -> String {
    now_seconds().to_string()
}
