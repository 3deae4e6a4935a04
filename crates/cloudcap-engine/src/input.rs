//! What the engine reads: normalized records, collection statuses, collection runs, assessor
//! attestations and the scope statement, as the evidence crate typed them, read from a verified
//! bundle by [`Evidence::from_bundle`]. Nothing is flattened to strings on the way: a method, a
//! result, a date or a provider arrives as its type, so the engine never re-parses what the
//! evidence crate already checked.

use std::ops::Deref;

use cloudcap_evidence::{Bundle, Provider};
use serde_json::Value;

/// One normalized evidence record (see `docs/evidence-kinds.md`): its envelope fields, and the
/// whole record as JSON for the rules.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// SHA-256 (hex) of the record object in the bundle.
    pub sha256: String,
    pub kind: String,
    pub provider: Provider,
    pub account: String,
    pub region: String,
    pub resource_id: String,
    /// The whole record as JSON (envelope and kind fields).
    pub value: Value,
}

/// An evidence object with the hash it is stored under (hex), which reports cite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hashed<T> {
    pub sha256: String,
    pub object: T,
}

impl<T> Deref for Hashed<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.object
    }
}

/// The outcome of collecting one evidence kind in one scope.
pub type CollectionStatus = Hashed<cloudcap_evidence::CollectionStatus>;
/// An assessor's record (interview, examine or test) for a control or one of its items.
pub type Attestation = Hashed<cloudcap_evidence::Attestation>;
/// What one collector run for one account was asked to cover and covered (`collection.run`).
pub use cloudcap_evidence::CollectionRun;

/// Everything the engine assesses, with the identity of the bundle it came from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evidence {
    pub bundle_merkle_root: String,
    pub bundle_created_at: String,
    /// An estate's bundles ([`crate::combine_estate`]), sorted by merkle root; empty when this
    /// is one bundle's evidence (named by the two fields above).
    pub bundles: Vec<crate::report::BundleRef>,
    pub records: Vec<Record>,
    pub statuses: Vec<CollectionStatus>,
    pub attestations: Vec<Attestation>,
    pub runs: Vec<CollectionRun>,
    /// The bundle's scope statement (the latest recorded, when several).
    pub scope: Option<Hashed<cloudcap_evidence::ScopeStatement>>,
    /// When the scope statement was recorded (an estate keeps the latest of its bundles').
    pub scope_recorded_at: Option<jiff::Timestamp>,
}

/// Why a bundle's contents could not be read as evidence.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error(transparent)]
    Bundle(#[from] cloudcap_evidence::Error),
    /// A record whose envelope lacks a field the engine keys on (a bundle that verifies has none).
    #[error("record {sha256}: envelope field `{field}` is missing or not a known value")]
    Envelope { sha256: String, field: &'static str },
}

impl Evidence {
    /// Reads what the engine assesses from an opened bundle (the caller verifies it first).
    pub fn from_bundle(bundle: &Bundle) -> Result<Evidence, EvidenceError> {
        let manifest = bundle.manifest();
        let mut records = Vec::new();
        for r in bundle.all_records() {
            let (entry, value) = r?;
            let sha256 = entry.sha256.to_string();
            let text = |field: &'static str| match value.get(field).and_then(Value::as_str) {
                Some(s) => Ok(s.to_owned()),
                None => Err(EvidenceError::Envelope {
                    sha256: sha256.clone(),
                    field,
                }),
            };
            let provider = Provider::parse(&text("provider")?).ok_or(EvidenceError::Envelope {
                sha256: sha256.clone(),
                field: "provider",
            })?;
            records.push(Record {
                kind: entry.kind.clone(),
                provider,
                account: text("account")?,
                region: text("region")?,
                resource_id: text("resource_id")?,
                sha256,
                value,
            });
        }
        let hashed = |entry: &cloudcap_evidence::Entry| entry.sha256.to_string();
        let statuses = bundle
            .collection_statuses()?
            .into_iter()
            .map(|(entry, object)| Hashed {
                sha256: hashed(entry),
                object,
            })
            .collect();
        let attestations = bundle
            .attestations()?
            .into_iter()
            .map(|(entry, object)| Hashed {
                sha256: hashed(entry),
                object,
            })
            .collect();
        let runs = bundle
            .collection_runs()?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        // The latest recorded scope statement decides (by recording time, then hash).
        let scope = bundle
            .scope_statements()?
            .into_iter()
            .max_by(|(a, _), (b, _)| (a.collected_at, a.sha256).cmp(&(b.collected_at, b.sha256)));
        let scope_recorded_at = scope.as_ref().map(|(entry, _)| entry.collected_at);
        let scope = scope.map(|(entry, object)| Hashed {
            sha256: hashed(entry),
            object,
        });
        Ok(Evidence {
            bundle_merkle_root: manifest.merkle_root.to_string(),
            bundle_created_at: manifest.created_at.to_string(),
            records,
            statuses,
            attestations,
            bundles: Vec::new(),
            runs,
            scope,
            scope_recorded_at,
        })
    }
}
