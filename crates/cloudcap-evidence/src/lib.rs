//! Evidence bundles: content-addressed, hashed, verifiable offline, with assessor records.
//!
//! The crate is pure: no network, no clock, no environment. Times are passed in.
//!
//! # On-disk format (format version 1)
//!
//! A bundle is a directory (or a tar archive of it, see [`export_archive`]):
//!
//! ```text
//! manifest.json          JCS (RFC 8785) manifest, written last
//! manifest.sig           optional detached Ed25519 signature over manifest.json's bytes
//! journal.jsonl          only while a writer is working (write-ahead list of entries)
//! objects/<xx>/<sha256>  every object, named by the SHA-256 of its bytes (xx = first 2 hex digits)
//! ```
//!
//! * **Raw provider responses** (`kind = "raw"`) are stored as the exact bytes received and
//!   hashed as such. **Records we create** (normalized records, `collection.status`,
//!   attestations) are stored as their JCS bytes, so equal records hash equally.
//!   **Attachments** are stored as the file's bytes.
//! * **Manifest** fields: `format_version` (1), `tool_version`, `catalog_digest`, `created_at`
//!   (UTC), `merkle_root`, `entries`. Each entry: `id`, `kind`, `provider`, `account`, `region`
//!   (absent for attestations and attachments), `source` (API action, `attestation` or
//!   `attachment`), `collected_at` (UTC), `media_type`, `name` (attachments), `size`, `sha256`.
//!   An entry's `id` is the first 32 hex digits of SHA-256 over the JCS of the entry without
//!   `id`, so ids do not depend on insertion order. Entries are **sorted by `sha256`, then `id`**.
//!   One object can have several entries (same bytes, different metadata); identical entries are
//!   stored once.
//! * **Merkle root**: the RFC 6962 Merkle Tree Hash (leaf = `SHA-256(0x00 || data)`, node =
//!   `SHA-256(0x01 || left || right)`, split at the largest power of two below `n`) over
//!   `n + 1` leaves: leaf 0 is the JCS of the header `{catalog_digest, created_at,
//!   format_version, tool_version}`, then one leaf per entry (the JCS of the entry) in manifest
//!   order. Binding the header means a changed tool version, catalog digest or creation time
//!   is caught even in an unsigned bundle.
//! * **Signature**: `manifest.sig` is JCS `{"algorithm":"ed25519","public_key":hex,"signature":hex}`
//!   over the exact bytes of `manifest.json` ([`sign_manifest`]). Key files are text: a
//!   `-----BEGIN CLOUDCAP ED25519 PRIVATE KEY-----` line, 64 hex digits (the 32-byte seed), and
//!   the matching `END` line; public keys likewise with `PUBLIC KEY` and the 32-byte key. A file
//!   holding only the 64 hex digits is accepted too ([`write_key_pair`], [`read_signing_key`],
//!   [`read_verifying_key`]).
//!
//! # Writing and crash safety
//!
//! [`BundleWriter`] writes every file to a temp file in the same directory, fsyncs it, renames it
//! into place and fsyncs the directory. After each object it appends the entry to
//! `journal.jsonl` and fsyncs. [`BundleWriter::finish`] writes `manifest.json` last, then removes
//! the journal. [`Bundle::open`] on a directory with a journal whose entries are not all in the
//! manifest (or with no manifest) fails with [`Error::Incomplete`]; [`BundleWriter::resume`]
//! continues such a bundle (and re-adding an object is idempotent), or reopens a finished one to
//! add attestations.
//!
//! # Reading and verifying
//!
//! [`Bundle::open`] / [`Bundle::open_archive`] parse the manifest without hashing objects;
//! [`Bundle::records`] yields `(entry, serde_json::Value)` per record and
//! [`Bundle::load_records`] loads every normalized record on several threads. [`verify`] /
//! [`verify_path`] recompute every hash, size and the Merkle root, validate every record against
//! its JSON Schema, check references and the signature, and list every problem.
//!
//! # Evidence kinds
//!
//! [`kinds()`] lists the normalized kinds and their fields for rule linting; the Rust types
//! (e.g. [`IdentityUser`]) generate the JSON Schemas in `evidence-schemas/`
//! ([`generate_schemas`]).

mod archive;
mod attest;
mod bundle;
mod error;
mod fsio;
mod hash;
mod journal;
mod kinds;
mod manifest;
mod par;
pub use par::MAX_THREADS;
pub mod sample;
mod schema;
mod scope;
mod sign;
mod store;
mod verify;
mod writer;

pub use crate::archive::{export_archive, extract_archive};
pub use crate::attest::{
    Attestation, AttestationDraft, AttestationResult, Method, ParseAttestationsError,
    parse_attestations_toml, parse_date,
};
pub use crate::bundle::{Bundle, MANIFEST_FILE, SIGNATURE_FILE};
pub use crate::error::{Error, Incomplete, Result, SchemaError};
pub use crate::hash::{ParseSha256Error, Sha256Hex, merkle_leaf_hash, merkle_tree_hash};
pub use crate::journal::JOURNAL_FILE;
pub use crate::kinds::{
    AccessKey, AuditTrail, BackupPlan, CollectionOutcome, CollectionRun, CollectionStatus,
    ComputeVolume, ConfigRecorder, CryptoKey, DatabaseInstance, Envelope, ErrorClass, FieldInfo,
    FieldType, IdentityUser, KeyOrigin, KindInfo, PasswordPolicy, Provider, Record,
    RegionInventory, SCHEMA_VERSION, SecurityGroup, StorageBucket, ThreatDetection, UtcTimestamp,
    Vpc, kind, kinds,
};
pub use crate::manifest::{
    BundleInfo, Entry, EntryMeta, FORMAT_VERSION, KIND_ATTACHMENT, KIND_ATTESTATION,
    KIND_COLLECTION_RUN, KIND_COLLECTION_STATUS, KIND_RAW, KIND_SCOPE, MEDIA_JSON, Manifest,
};
pub use crate::schema::{SCHEMA_DIR, generate_schemas, schema_files, validate_record};
pub use crate::scope::{
    AccountRole, ParseScopeError, ScopeAccount, ScopeStatement, parse_scope_toml,
};
pub use crate::sign::{
    SignatureFile, parse_verifying_key_hex, public_key_path, read_signing_key, read_verifying_key,
    sign_manifest, signing_key_from_seed, write_key_pair,
};
pub use crate::verify::{
    Problem, SignatureStatus, VerifyOptions, VerifyReport, verify, verify_path,
};
pub use crate::writer::BundleWriter;
pub use ed25519_dalek::{SigningKey, VerifyingKey};

/// The embedded sample bundle as a deterministic tar (see [`sample`]).
pub fn sample_bundle_tar() -> &'static [u8] {
    include_bytes!("../sample/sample.tar")
}
