//! The collector's clock: the one place this crate reads wall time (request signatures, the
//! `fetched_at` of raw answers, manifest entry times). The pure core crates never read it.

use std::time::SystemTime;

use jiff::Timestamp;

/// Now.
pub fn now() -> Timestamp {
    Timestamp::now()
}

/// Now, as the signers take it.
pub fn now_system() -> SystemTime {
    SystemTime::now()
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
