//! End-to-end tests of the `cloudcap` binary.

// Tests may read the environment and the clock and print (clippy.toml's rules are for the
// library crates).
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

mod assess;
mod boundary;
mod cn_contract;
mod cn_ctyun;
mod cn_e2e;
mod cn_ecloud;
mod cn_fixture;
mod cn_huawei;
mod cn_tencent;
mod collect_estate;
mod completions;
mod estate;
mod estate_ci;
mod gate;
mod html;
mod lint;
mod moto;
mod moto_org;
mod pipe;
mod readme;
mod show;
