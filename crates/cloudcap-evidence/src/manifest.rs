//! `manifest.json`: the bundle header, one entry per evidence object, and the Merkle root.

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::hash::{Sha256Hex, merkle_leaf_hash, merkle_tree_hash};
use crate::kinds;
use crate::kinds::UtcTimestamp;

/// The on-disk format version this crate writes and reads.
pub const FORMAT_VERSION: u64 = 1;

/// Entry kind of a raw provider API response (stored as the exact bytes received).
pub const KIND_RAW: &str = "raw";
/// Entry kind of an assessor's attestation.
pub const KIND_ATTESTATION: &str = "attestation";
/// Entry kind of a file attached to an attestation.
pub const KIND_ATTACHMENT: &str = "attachment";
/// Entry kind of a collector's per-scope status.
pub const KIND_COLLECTION_STATUS: &str = "collection.status";
/// Entry kind of a collector's record of what one run covered.
pub const KIND_COLLECTION_RUN: &str = "collection.run";
/// Entry kind of the assessment's scope statement.
pub const KIND_SCOPE: &str = "assessment.scope";
/// Media type of every object this crate serializes itself (JCS JSON).
pub const MEDIA_JSON: &str = "application/json";

/// Bundle-level facts recorded in the manifest header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleInfo {
    /// Version of the tool that wrote the bundle.
    pub tool_version: String,
    /// Digest of the control catalog the tool ran with.
    pub catalog_digest: String,
    /// When the bundle was created (UTC).
    pub created_at: Timestamp,
}

/// What the caller says about an object when adding it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryMeta {
    /// Evidence kind, or `raw`, `attestation`, `attachment`, `collection.status`.
    pub kind: String,
    /// Provider (`aws`, `alibaba`, ...); `None` for attestations and attachments.
    pub provider: Option<String>,
    /// Account, tenant or domain id; `None` for attestations and attachments.
    pub account: Option<String>,
    /// Region code or `global`; `None` for attestations and attachments.
    pub region: Option<String>,
    /// API action (`iam:ListUsers`), or `attestation` / `attachment`.
    pub source: String,
    /// When the object was collected or recorded (UTC).
    pub collected_at: Timestamp,
    /// Media type of the stored bytes.
    pub media_type: String,
    /// File name, for attachments.
    pub name: Option<String>,
}

impl EntryMeta {
    /// Metadata of a provider-scoped object (raw response, record, collection status), media type JSON.
    pub fn new(
        kind: &str,
        provider: &str,
        account: &str,
        region: &str,
        source: &str,
        collected_at: Timestamp,
    ) -> EntryMeta {
        EntryMeta {
            kind: kind.to_owned(),
            provider: Some(provider.to_owned()),
            account: Some(account.to_owned()),
            region: Some(region.to_owned()),
            source: source.to_owned(),
            collected_at,
            media_type: MEDIA_JSON.to_owned(),
            name: None,
        }
    }

    /// Metadata of a normalized record, read from its envelope (`kind`, `provider`, `account`, `region`).
    pub fn for_record(
        record: &serde_json::Value,
        source: &str,
        collected_at: Timestamp,
    ) -> Result<EntryMeta> {
        let field = |k: &str| {
            record
                .get(k)
                .and_then(|v| v.as_str())
                .ok_or_else(|| Error::InvalidMeta(format!("record has no string field `{k}`")))
        };
        Ok(EntryMeta::new(
            field("kind")?,
            field("provider")?,
            field("account")?,
            field("region")?,
            source,
            collected_at,
        ))
    }

    /// Returns the metadata with another media type.
    pub fn with_media_type(mut self, media_type: &str) -> EntryMeta {
        self.media_type = media_type.to_owned();
        self
    }

    /// Checks the metadata for an object of `role` (`raw`, a record kind, ...).
    pub(crate) fn check(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidMeta(m));
        let known = matches!(
            self.kind.as_str(),
            KIND_RAW
                | KIND_ATTESTATION
                | KIND_ATTACHMENT
                | KIND_COLLECTION_STATUS
                | KIND_COLLECTION_RUN
                | KIND_SCOPE
        ) || kinds::kind(&self.kind).is_some();
        if !known {
            return bad(format!("unknown kind `{}`", self.kind));
        }
        let scoped = !matches!(
            self.kind.as_str(),
            KIND_ATTESTATION | KIND_ATTACHMENT | KIND_SCOPE
        );
        for (name, v) in [
            ("provider", &self.provider),
            ("account", &self.account),
            ("region", &self.region),
        ] {
            match (scoped, v) {
                (true, None) => {
                    return bad(format!("`{name}` is required for `{}` objects", self.kind));
                }
                (true, Some(s)) if s.is_empty() => return bad(format!("`{name}` is empty")),
                (false, Some(_)) => {
                    return bad(format!(
                        "`{name}` must be absent for `{}` objects",
                        self.kind
                    ));
                }
                _ => {}
            }
        }
        if self.source.is_empty() {
            return bad("`source` is empty".into());
        }
        if self.media_type.is_empty() || !self.media_type.contains('/') {
            return bad(format!(
                "`media_type` `{}` is not a media type",
                self.media_type
            ));
        }
        match (&self.name, self.kind.as_str()) {
            (None, KIND_ATTACHMENT) => return bad("attachments need a `name`".into()),
            (Some(n), KIND_ATTACHMENT) if n.is_empty() || n.contains(['/', '\\']) => {
                return bad(format!("attachment name `{n}` must be a plain file name"));
            }
            (Some(_), k) if k != KIND_ATTACHMENT => {
                return bad("`name` is only for attachments".into());
            }
            _ => {}
        }
        Ok(())
    }
}

/// One manifest entry: the metadata plus the object's digest, size and a derived id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// First 32 hex digits of SHA-256 over the JCS of this entry without `id`.
    #[schemars(regex(pattern = r"^[0-9a-f]{32}$"))]
    pub id: String,
    /// Evidence kind, or `raw`, `attestation`, `attachment`, `collection.status`.
    pub kind: String,
    /// Provider; absent for attestations and attachments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Account; absent for attestations and attachments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Region; absent for attestations and attachments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// API action, `attestation` or `attachment`.
    pub source: String,
    /// When collected or recorded (UTC, RFC 3339).
    #[schemars(with = "UtcTimestamp")]
    pub collected_at: Timestamp,
    /// Media type of the object bytes.
    pub media_type: String,
    /// File name of an attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Object size in bytes.
    pub size: u64,
    /// SHA-256 of the object bytes (the object's name under `objects/`).
    pub sha256: Sha256Hex,
}

/// The fields of an entry that its id is derived from (everything but the id).
#[derive(Serialize)]
struct EntryIdInput<'a> {
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    source: &'a str,
    collected_at: &'a Timestamp,
    media_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    size: u64,
    sha256: &'a Sha256Hex,
}

impl Entry {
    /// Builds the entry for an object with metadata `meta`, deriving its id.
    pub fn new(meta: EntryMeta, size: u64, sha256: Sha256Hex) -> Entry {
        let mut e = Entry {
            id: String::new(),
            kind: meta.kind,
            provider: meta.provider,
            account: meta.account,
            region: meta.region,
            source: meta.source,
            collected_at: meta.collected_at,
            media_type: meta.media_type,
            name: meta.name,
            size,
            sha256,
        };
        e.id = e.expected_id();
        e
    }

    /// The id this entry must have: 32 hex digits of SHA-256 over the JCS of the other fields.
    pub fn expected_id(&self) -> String {
        let input = EntryIdInput {
            kind: &self.kind,
            provider: self.provider.as_deref(),
            account: self.account.as_deref(),
            region: self.region.as_deref(),
            source: &self.source,
            collected_at: &self.collected_at,
            media_type: &self.media_type,
            name: self.name.as_deref(),
            size: self.size,
            sha256: &self.sha256,
        };
        let bytes = serde_jcs::to_vec(&input).expect("entry serializes");
        Sha256Hex::of(&bytes).to_string()[..32].to_owned()
    }

    /// The entry's metadata.
    pub fn meta(&self) -> EntryMeta {
        EntryMeta {
            kind: self.kind.clone(),
            provider: self.provider.clone(),
            account: self.account.clone(),
            region: self.region.clone(),
            source: self.source.clone(),
            collected_at: self.collected_at,
            media_type: self.media_type.clone(),
            name: self.name.clone(),
        }
    }

    /// Whether this entry is a normalized evidence record (not raw, attestation, attachment or status).
    pub fn is_record(&self) -> bool {
        kinds::kind(&self.kind).is_some()
    }

    /// JCS bytes of the entry (the data of its Merkle leaf).
    pub fn to_jcs(&self) -> Vec<u8> {
        serde_jcs::to_vec(self).expect("entry serializes")
    }
}

/// The bundle manifest, stored as RFC 8785 (JCS) bytes in `manifest.json`.
///
/// Entries are sorted by `sha256`, then `id`; the order is therefore independent of the order in
/// which objects were added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// On-disk format version, currently 1.
    pub format_version: u64,
    /// Version of the tool that wrote the bundle.
    pub tool_version: String,
    /// Digest of the control catalog the tool ran with.
    pub catalog_digest: String,
    /// When the bundle was created (UTC).
    #[schemars(with = "UtcTimestamp")]
    pub created_at: Timestamp,
    /// RFC 6962 Merkle Tree Hash over the header leaf and one leaf per entry (see the crate docs).
    pub merkle_root: Sha256Hex,
    /// One entry per (object, metadata) pair, sorted by `sha256` then `id`.
    pub entries: Vec<Entry>,
}

/// The header fields hashed into Merkle leaf 0.
#[derive(Serialize)]
struct HeaderLeaf<'a> {
    format_version: u64,
    tool_version: &'a str,
    catalog_digest: &'a str,
    created_at: &'a Timestamp,
}

impl Manifest {
    /// Builds a manifest: sorts and de-duplicates `entries` and computes the Merkle root.
    pub fn build(info: &BundleInfo, entries: impl IntoIterator<Item = Entry>) -> Manifest {
        let mut entries: Vec<Entry> = entries.into_iter().collect();
        entries.sort_by(|a, b| a.sha256.cmp(&b.sha256).then_with(|| a.id.cmp(&b.id)));
        entries.dedup_by(|a, b| a.id == b.id && a.sha256 == b.sha256);
        let mut m = Manifest {
            format_version: FORMAT_VERSION,
            tool_version: info.tool_version.clone(),
            catalog_digest: info.catalog_digest.clone(),
            created_at: info.created_at,
            merkle_root: Sha256Hex::from_bytes([0; 32]),
            entries,
        };
        m.merkle_root = m.compute_merkle_root();
        m
    }

    /// The header fields.
    pub fn info(&self) -> BundleInfo {
        BundleInfo {
            tool_version: self.tool_version.clone(),
            catalog_digest: self.catalog_digest.clone(),
            created_at: self.created_at,
        }
    }

    /// Recomputes the Merkle root from the header and the entries in their stored order.
    pub fn compute_merkle_root(&self) -> Sha256Hex {
        self.compute_merkle_root_on(1)
    }

    /// [`Manifest::compute_merkle_root`] with the leaves hashed on up to `threads` threads; the
    /// root does not depend on `threads`.
    pub fn compute_merkle_root_on(&self, threads: usize) -> Sha256Hex {
        let header = HeaderLeaf {
            format_version: self.format_version,
            tool_version: &self.tool_version,
            catalog_digest: &self.catalog_digest,
            created_at: &self.created_at,
        };
        let mut leaves = Vec::with_capacity(self.entries.len() + 1);
        leaves.push(merkle_leaf_hash(
            &serde_jcs::to_vec(&header).expect("header serializes"),
        ));
        for part in crate::par::chunks(&self.entries, threads, |part| {
            part.iter()
                .map(|e| merkle_leaf_hash(&e.to_jcs()))
                .collect::<Vec<_>>()
        }) {
            leaves.extend(part);
        }
        merkle_tree_hash(&leaves)
    }

    /// The manifest's canonical bytes, exactly as written to `manifest.json`.
    pub fn to_jcs(&self) -> Vec<u8> {
        serde_jcs::to_vec(self).expect("manifest serializes")
    }

    /// Entries of one kind, in manifest order.
    pub fn entries_of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.kind == kind)
    }
}
