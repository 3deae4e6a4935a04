//! The assessment engine: rules over normalized evidence, five result states, a reproducible
//! integer score and the tier achieved.
//!
//! Pure and deterministic: the engine reads no clock, environment or network, and
//! [`assess`] reads nothing but its arguments ([`Evidence::from_bundle`] reads the objects of a
//! bundle the caller opened, through the evidence crate, typed as that crate parsed them). The
//! assessment time is an input ([`Options::at`]); results do not depend on the order of the
//! evidence or on the thread count. Scoring is documented in `docs/scoring.md`.

mod assess;
mod boundary;
mod combine;
mod decide;
mod estate;
mod evaluate;
mod input;
mod report;
mod rules;
mod score;
mod waiver;

pub use crate::assess::{Error, Options, assess, assess_reference, recombine};
pub use crate::estate::{
    EstateError, ScopeKey, accounts as estate_accounts, combine as combine_estate,
    restrict as restrict_to_account, scopes as estate_scopes,
};
pub use crate::input::{
    Attestation, CollectionRun, CollectionStatus, Evidence, EvidenceError, Hashed, Record,
};
pub use crate::report::*;
pub use crate::rules::{KindFields, lint_catalog, lint_rules};
pub use crate::waiver::{
    Risk, Waiver, WaiverError, WaiverMode, WaiverStatus, WaiverUse, parse_waivers,
};

/// Version of the scoring method written into every report.
pub const SCORING_METHOD: &str = "cloudcap-score/2";
/// Version of the report format.
pub const REPORT_FORMAT: u32 = 3;
