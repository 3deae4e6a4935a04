//! End-to-end tests of the `cloudcap` binary.

mod assess;
mod boundary;
mod cn_contract;
mod cn_e2e;
mod cn_fixture;
mod cn_huawei;
mod cn_tencent;
mod gate;
mod html;
mod lint;
mod moto;
mod readme;
