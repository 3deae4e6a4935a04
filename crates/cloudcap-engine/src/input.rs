//! What the engine reads: normalized records, collection statuses and assessor attestations,
//! already extracted from a verified bundle by the caller.

use serde_json::Value;

/// One normalized evidence record (see `docs/evidence-kinds.md`).
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// SHA-256 (hex) of the record object in the bundle.
    pub sha256: String,
    pub kind: String,
    pub provider: String,
    pub account: String,
    pub region: String,
    pub resource_id: String,
    /// The whole record as JSON (envelope and kind fields).
    pub value: Value,
}

/// The outcome of collecting one evidence kind in one scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionStatus {
    pub sha256: String,
    pub kind: String,
    pub provider: String,
    pub account: String,
    pub region: String,
    /// `true` when collection succeeded.
    pub ok: bool,
    /// `access-denied`, `throttled`, `server-error`, `timeout`, `malformed`, `unsupported`.
    pub error_class: Option<String>,
    pub message: Option<String>,
    /// How many records the collector wrote for this scope.
    pub record_count: u64,
}

/// An assessor's record (interview, examine or test) for a control or one of its items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attestation {
    pub sha256: String,
    pub control: String,
    pub item: Option<String>,
    pub method: String,
    /// `satisfied`, `partially-satisfied`, `not-satisfied`, `not-applicable`.
    pub result: String,
    pub assessor: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub expires: Option<String>,
    pub note: Option<String>,
    pub attachments: Vec<String>,
}

/// What one collector run for one account was asked to cover and covered (`collection.run`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionRun {
    pub provider: String,
    pub partition: String,
    pub account: String,
    pub regions_listed: Vec<String>,
    pub regions_requested: Option<Vec<String>>,
    pub regions_collected: Vec<String>,
    pub kinds: Vec<String>,
}

/// Everything the engine assesses, with the identity of the bundle it came from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evidence {
    pub bundle_merkle_root: String,
    pub bundle_created_at: String,
    pub records: Vec<Record>,
    pub statuses: Vec<CollectionStatus>,
    pub attestations: Vec<Attestation>,
    pub runs: Vec<CollectionRun>,
    /// The bundle's scope statement (the latest recorded, when several).
    pub scope: Option<crate::report::ScopeStatement>,
}
