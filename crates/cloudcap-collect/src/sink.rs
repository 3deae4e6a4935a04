//! Where collected evidence goes: a small trait over the evidence bundle writer.
//!
//! Collectors only ever call [`EvidenceSink`]; the adapter to `cloudcap-evidence`'s
//! `BundleWriter` lives in the CLI's wiring (`bundle` module here) so this crate's core stays
//! testable with an in-memory sink.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Mutex,
};

use sha2::{Digest, Sha256};

/// Metadata stored next to a raw response.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RawMeta {
    /// Provider (`aws`).
    pub provider: &'static str,
    /// Account id.
    pub account: String,
    /// Service (`iam`).
    pub service: &'static str,
    /// Action (`ListUsers`).
    pub action: &'static str,
    /// Region the call was made for (`global` for global services).
    pub region: String,
    /// Request URL (no credentials: requests are signed in headers).
    pub url: String,
    /// Request body for POST query/JSON APIs (parameters only, never credentials).
    pub request_body: String,
    /// HTTP status of the answer.
    pub http_status: u16,
    /// Provider request id.
    pub request_id: Option<String>,
    /// When the answer was received (RFC 3339, UTC).
    pub fetched_at: String,
    /// SHA-256 (hex) of the exact response bytes.
    pub sha256: String,
    /// Media type of the body.
    pub media_type: &'static str,
}

/// A sink failure (disk full, bundle closed): aborts collection.
#[derive(Debug, thiserror::Error)]
#[error("cannot write evidence: {0}")]
pub struct SinkError(pub String);

/// Receives raw responses and normalized records.
pub trait EvidenceSink: Sync {
    /// Stores `bytes` exactly as received. `meta.sha256` is their SHA-256.
    fn add_raw(&self, meta: &RawMeta, bytes: &[u8]) -> Result<(), SinkError>;
    /// Stores one record. `entry_kind` is the manifest kind: the record's own `kind` for
    /// normalized records, `collection.status` for status records (whose `kind` field names
    /// the collected kind, per docs/evidence-kinds.md).
    fn add_record(&self, entry_kind: &str, record: &serde_json::Value) -> Result<(), SinkError>;
}

/// Kinds whose records hold customer data: a region with one of them `holds_data`.
pub const DATA_KINDS: &[&str] = &[
    "storage.bucket",
    "compute.volume",
    "database.instance",
    "backup.plan",
];

/// Manifest kind of status records.
pub const STATUS_KIND: &str = "collection.status";

/// The region of an error `collection.status` of a data-bearing kind ([`DATA_KINDS`]), if
/// `entry_kind`/`record` is one: in that region, finding no data does not mean there is none.
fn data_gap(entry_kind: &str, record: &serde_json::Value) -> Option<String> {
    let field = |name: &str| record.get(name).and_then(|v| v.as_str());
    (entry_kind == STATUS_KIND
        && field("status") == Some("error")
        && field("kind").is_some_and(|k| DATA_KINDS.contains(&k)))
    .then(|| field("region").unwrap_or("").to_owned())
}

/// A sink that passes everything on and notes the regions where a data-bearing kind ended in
/// an error (or is unsupported), so that `region.inventory.holds_data` is left out there
/// instead of being written `false` on incomplete evidence.
pub struct DataWatch<'a> {
    inner: &'a dyn EvidenceSink,
    gaps: Mutex<BTreeSet<String>>,
}

impl<'a> DataWatch<'a> {
    /// Watches what is written to `inner`.
    pub fn new(inner: &'a dyn EvidenceSink) -> DataWatch<'a> {
        DataWatch {
            inner,
            gaps: Mutex::new(BTreeSet::new()),
        }
    }

    /// Whether some data-bearing kind is incomplete in `region` (an error status there or in
    /// the account-wide scope `global`), in what was written now or is in `resume`.
    pub fn incomplete(&self, resume: &ResumeState, region: &str) -> bool {
        let gaps = self
            .gaps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        [region, "global"]
            .iter()
            .any(|r| gaps.contains(*r) || resume.data_gaps.contains(*r))
    }

    /// `holds_data` of a collected region: true with data found, absent (`None`) when none was
    /// found but a data-bearing kind is incomplete there, else false.
    pub fn holds_data(&self, resume: &ResumeState, region: &str, data: u64) -> Option<bool> {
        if data > 0 {
            Some(true)
        } else if self.incomplete(resume, region) {
            None
        } else {
            Some(false)
        }
    }
}

impl EvidenceSink for DataWatch<'_> {
    fn add_raw(&self, meta: &RawMeta, bytes: &[u8]) -> Result<(), SinkError> {
        self.inner.add_raw(meta, bytes)
    }

    fn add_record(&self, entry_kind: &str, record: &serde_json::Value) -> Result<(), SinkError> {
        self.inner.add_record(entry_kind, record)?;
        if let Some(region) = data_gap(entry_kind, record) {
            self.gaps
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(region);
        }
        Ok(())
    }
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// What an interrupted earlier run already wrote, read back from the bundle's journal.
///
/// Resume policy: a collection unit (one service in one region) whose every
/// `collection.status` scope is already present is skipped; any other unit is collected again,
/// and a record whose `(kind, region, resource_id)` is already present is not written twice.
/// Raw objects are content-addressed by the bundle, so a re-fetched identical answer is stored
/// once; a re-fetched answer that differs (new request id) is stored as a new raw object.
#[derive(Debug, Default, Clone)]
pub struct ResumeState {
    statuses: BTreeSet<(String, String)>,
    records: BTreeSet<(String, String, String)>,
    resources_per_region: BTreeMap<String, u64>,
    data_per_region: BTreeMap<String, u64>,
    /// Regions with an error status of a data-bearing kind ([`DataWatch`]).
    data_gaps: BTreeSet<String>,
}

impl ResumeState {
    /// Builds the state from every record already in the bundle.
    pub fn from_records<'a>(
        records: impl IntoIterator<Item = (&'a str, &'a serde_json::Value)>,
    ) -> ResumeState {
        let mut state = ResumeState::default();
        for (entry_kind, record) in records {
            let field = |name: &str| {
                record
                    .get(name)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_owned()
            };
            let kind = field("kind");
            let region = field("region");
            if let Some(gap) = data_gap(entry_kind, record) {
                state.data_gaps.insert(gap);
            }
            if entry_kind == STATUS_KIND {
                state.statuses.insert((kind, region));
            } else {
                if kind != "region.inventory" {
                    *state
                        .resources_per_region
                        .entry(region.clone())
                        .or_default() += 1;
                }
                if DATA_KINDS.contains(&kind.as_str()) {
                    *state.data_per_region.entry(region.clone()).or_default() += 1;
                }
                state.records.insert((kind, region, field("resource_id")));
            }
        }
        state
    }

    /// Whether `(kind, region)` already has a `collection.status`.
    pub fn has_status(&self, kind: &str, region: &str) -> bool {
        self.statuses
            .contains(&(kind.to_owned(), region.to_owned()))
    }

    /// Whether a record for this resource is already present.
    pub fn has_record(&self, kind: &str, region: &str, resource_id: &str) -> bool {
        self.records
            .contains(&(kind.to_owned(), region.to_owned(), resource_id.to_owned()))
    }

    /// Resource records already present per region.
    pub fn resources_per_region(&self) -> &BTreeMap<String, u64> {
        &self.resources_per_region
    }

    /// Records of data-bearing kinds ([`DATA_KINDS`]) already in the bundle, per region.
    pub fn data_per_region(&self) -> &BTreeMap<String, u64> {
        &self.data_per_region
    }
}

/// An in-memory sink, for tests and for callers that post-process.
#[derive(Debug, Default)]
pub struct MemorySink {
    raws: Mutex<Vec<(RawMeta, Vec<u8>)>>,
    records: Mutex<Vec<(String, serde_json::Value)>>,
}

impl MemorySink {
    /// Records written so far, with their manifest kind.
    pub fn records(&self) -> Vec<(String, serde_json::Value)> {
        self.records.lock().unwrap().clone()
    }

    /// Raw objects written so far.
    pub fn raws(&self) -> Vec<(RawMeta, Vec<u8>)> {
        self.raws.lock().unwrap().clone()
    }
}

impl EvidenceSink for MemorySink {
    fn add_raw(&self, meta: &RawMeta, bytes: &[u8]) -> Result<(), SinkError> {
        self.raws
            .lock()
            .unwrap()
            .push((meta.clone(), bytes.to_vec()));
        Ok(())
    }

    fn add_record(&self, entry_kind: &str, record: &serde_json::Value) -> Result<(), SinkError> {
        self.records
            .lock()
            .unwrap()
            .push((entry_kind.to_owned(), record.clone()));
        Ok(())
    }
}
