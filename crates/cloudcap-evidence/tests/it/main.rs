//! Integration tests of cloudcap-evidence (one test binary, one module per feature).

mod crash;
mod flip;
mod order;
mod roundtrip;
mod sample;
mod schemas;
mod support;
