//! Integration tests of cloudcap-evidence (one test binary, one module per feature).

// Tests may read the environment and the clock and print (clippy.toml's rules are for the
// library code).
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

mod crash;
mod flip;
mod order;
mod roundtrip;
mod sample;
mod schemas;
mod support;
mod threads;
