//! Writing a bundle: [`BundleWriter`], crash-safe and resumable.
//!
//! Order of durable steps for each object: object file (temp, fsync, rename, directory fsync),
//! then its journal line (append, fsync). [`BundleWriter::finish`] writes `manifest.json` last
//! (atomically) and then removes the journal. A crash at any point leaves either a journal that
//! [`crate::Bundle::open`] reports as [`crate::Error::Incomplete`], or a finished bundle.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use serde_json::Value;

use crate::attest::Attestation;
use crate::bundle::{MANIFEST_FILE, SIGNATURE_FILE, parse_manifest};
use crate::error::{Error, Result};
use crate::fsio::Durable;
use crate::hash::Sha256Hex;
use crate::journal::{self, JOURNAL_FILE};
use crate::kinds::{self, CollectionRun, CollectionStatus, Record};
use crate::manifest::{
    BundleInfo, Entry, EntryMeta, KIND_ATTACHMENT, KIND_ATTESTATION, KIND_COLLECTION_RUN,
    KIND_COLLECTION_STATUS, KIND_RAW, KIND_SCOPE, MEDIA_JSON, Manifest,
};
use crate::schema::validate_record;
use crate::scope::ScopeStatement;

/// Writes objects into a bundle directory; see the module docs for the crash semantics.
///
/// One writer per bundle at a time. Adding an object whose entry (metadata + digest) is already
/// in the bundle is a no-op returning the same digest, so a collector re-run after a crash can
/// simply add everything again.
#[derive(Debug)]
pub struct BundleWriter {
    dir: PathBuf,
    info: BundleInfo,
    entries: BTreeMap<String, Entry>,
    /// Objects that are durable on disk and referenced by an entry.
    objects: HashSet<Sha256Hex>,
    raw: HashSet<Sha256Hex>,
    attachments: HashSet<Sha256Hex>,
    subdirs: Vec<bool>,
    journal: File,
    io: Durable,
    resumed: bool,
    poisoned: bool,
}

impl BundleWriter {
    /// Starts a new bundle in `dir`, which must not exist or be empty.
    pub fn create(dir: &Path, info: BundleInfo) -> Result<BundleWriter> {
        BundleWriter::create_inner(dir, info, None)
    }

    /// Reopens a bundle: a half-written one (journal, no manifest) or a finished one to add objects to.
    ///
    /// A torn last journal line (crash mid-add) is cut off. Objects that a crashed writer stored
    /// but never journaled are unreferenced; [`BundleWriter::finish`] removes them. An existing
    /// manifest must match its Merkle root ([`Error::ManifestNotIntact`] otherwise), so that
    /// resuming never re-seals a manifest edited by hand; objects are not re-hashed.
    pub fn resume(dir: &Path) -> Result<BundleWriter> {
        BundleWriter::resume_inner(dir, None)
    }

    /// Crash-test hook: like [`BundleWriter::create`], but the writer stops (as if killed) after `steps` durable steps.
    #[doc(hidden)]
    pub fn create_with_crash_after(
        dir: &Path,
        info: BundleInfo,
        steps: u64,
    ) -> Result<BundleWriter> {
        BundleWriter::create_inner(dir, info, Some(steps))
    }

    /// Crash-test hook: like [`BundleWriter::resume`], but the writer stops after `steps` durable steps.
    #[doc(hidden)]
    pub fn resume_with_crash_after(dir: &Path, steps: u64) -> Result<BundleWriter> {
        BundleWriter::resume_inner(dir, Some(steps))
    }

    /// Benchmark hook: like [`BundleWriter::create`] and writing the same bytes, but without any
    /// fsync, so a crash can lose anything. For generating large test bundles, never for evidence.
    #[doc(hidden)]
    pub fn create_unsynced(dir: &Path, info: BundleInfo) -> Result<BundleWriter> {
        BundleWriter::create_with(dir, info, Durable::unsynced())
    }

    fn create_inner(dir: &Path, info: BundleInfo, budget: Option<u64>) -> Result<BundleWriter> {
        BundleWriter::create_with(dir, info, Durable::new(budget))
    }

    fn create_with(dir: &Path, info: BundleInfo, mut io: Durable) -> Result<BundleWriter> {
        if info.tool_version.is_empty() || info.catalog_digest.is_empty() {
            return Err(Error::InvalidMeta(
                "tool_version and catalog_digest must not be empty".into(),
            ));
        }
        match fs::read_dir(dir) {
            Ok(mut it) => {
                if it.next().is_some() {
                    return Err(Error::AlreadyExists {
                        path: dir.to_owned(),
                    });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                    fs::create_dir_all(parent).map_err(Error::io("create directory", parent))?;
                }
                io.create_dir(dir)?;
            }
            Err(e) => {
                return Err(Error::Io {
                    op: "open",
                    path: dir.to_owned(),
                    source: e,
                });
            }
        }
        io.create_dir(&dir.join("objects"))?;
        let journal_path = dir.join(JOURNAL_FILE);
        io.write_atomic(&journal_path, &journal::header_line(&info))?;
        let journal = open_append(&journal_path)?;
        Ok(BundleWriter {
            dir: dir.to_owned(),
            info,
            entries: BTreeMap::new(),
            objects: HashSet::new(),
            raw: HashSet::new(),
            attachments: HashSet::new(),
            subdirs: vec![false; 256],
            journal,
            io,
            resumed: false,
            poisoned: false,
        })
    }

    fn resume_inner(dir: &Path, budget: Option<u64>) -> Result<BundleWriter> {
        let mut io = Durable::new(budget);
        let manifest_path = dir.join(MANIFEST_FILE);
        let journal_path = dir.join(JOURNAL_FILE);
        let manifest = match fs::read(&manifest_path) {
            Ok(bytes) => {
                // Refuse to build on a manifest that was edited: finishing would re-seal the edit.
                let m = parse_manifest(dir, &bytes)?;
                let message = if m.to_jcs() != bytes {
                    Some("it is not in canonical JCS form")
                } else if m.compute_merkle_root() != m.merkle_root {
                    Some("its Merkle root does not match its entries")
                } else if m.entries.iter().any(|e| e.id != e.expected_id()) {
                    Some("an entry id does not match its content")
                } else {
                    None
                };
                if let Some(message) = message {
                    return Err(Error::ManifestNotIntact {
                        path: dir.to_owned(),
                        message: message.into(),
                    });
                }
                Some(m)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(Error::Io {
                    op: "read",
                    path: manifest_path,
                    source: e,
                });
            }
        };
        let journal =
            match fs::read(&journal_path) {
                Ok(bytes) => Some(journal::parse(&bytes).map_err(|(line, message)| {
                    Error::CorruptJournal {
                        path: journal_path.clone(),
                        line,
                        message,
                    }
                })?),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => {
                    return Err(Error::Io {
                        op: "read",
                        path: journal_path,
                        source: e,
                    });
                }
            };
        let info = match (&manifest, &journal) {
            (None, None) => {
                return Err(Error::NotABundle {
                    path: dir.to_owned(),
                    reason: "neither manifest.json nor journal.jsonl exists".into(),
                });
            }
            (Some(m), Some(j)) if m.info() != j.info => {
                return Err(Error::CorruptJournal {
                    path: journal_path,
                    line: 1,
                    message: "the journal header does not match manifest.json".into(),
                });
            }
            (_, Some(j)) => j.info.clone(),
            (Some(m), None) => m.info(),
        };
        let mut entries = BTreeMap::new();
        for e in manifest
            .iter()
            .flat_map(|m| m.entries.iter())
            .chain(journal.iter().flat_map(|j| j.entries.iter()))
        {
            entries.insert(e.id.clone(), e.clone());
        }
        match &journal {
            Some(j) if j.torn => {
                let f = OpenOptions::new()
                    .write(true)
                    .open(&journal_path)
                    .map_err(Error::io("open", &journal_path))?;
                io.truncate(&f, &journal_path, j.valid_len)?;
            }
            Some(_) => {}
            None => io.write_atomic(&journal_path, &journal::header_line(&info))?,
        }
        let objects_dir = dir.join("objects");
        if !objects_dir.is_dir() {
            io.create_dir(&objects_dir)?;
        }
        let journal_file = open_append(&journal_path)?;
        let mut w = BundleWriter {
            dir: dir.to_owned(),
            info,
            entries: BTreeMap::new(),
            objects: HashSet::new(),
            raw: HashSet::new(),
            attachments: HashSet::new(),
            subdirs: vec![false; 256],
            journal: journal_file,
            io,
            resumed: true,
            poisoned: false,
        };
        for (_, e) in entries {
            w.track(e);
        }
        Ok(w)
    }

    /// The bundle directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The bundle header.
    pub fn info(&self) -> &BundleInfo {
        &self.info
    }

    /// Every entry added so far (including those of a resumed bundle), in id order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// Whether the bundle holds an object with digest `sha`.
    pub fn contains(&self, sha: &Sha256Hex) -> bool {
        self.objects.contains(sha)
    }

    /// Adds a raw provider response, stored and hashed as the exact bytes. `meta.kind` must be `raw`.
    pub fn add_raw(&mut self, meta: EntryMeta, bytes: &[u8]) -> Result<Sha256Hex> {
        meta.check()?;
        if meta.kind != KIND_RAW {
            return Err(Error::InvalidMeta(format!(
                "add_raw needs kind `raw`, not `{}`",
                meta.kind
            )));
        }
        self.add_object(meta, bytes)
    }

    /// Adds a normalized record or a `collection.status` object, validated against its schema
    /// and stored as RFC 8785 (JCS) bytes. Its `sources` must already be raw objects of the bundle.
    pub fn add_record(&mut self, meta: EntryMeta, record: &Value) -> Result<Sha256Hex> {
        meta.check()?;
        let is_status = meta.kind == KIND_COLLECTION_STATUS || meta.kind == KIND_COLLECTION_RUN;
        if !is_status && kinds::kind(&meta.kind).is_none() {
            return Err(Error::InvalidMeta(format!(
                "`{}` is not a normalized evidence kind, collection.status or collection.run",
                meta.kind
            )));
        }
        if meta.media_type != MEDIA_JSON {
            return Err(Error::InvalidMeta(format!(
                "records are {MEDIA_JSON}, not `{}`",
                meta.media_type
            )));
        }
        validate_record(&meta.kind, record).map_err(|errors| Error::InvalidRecord {
            kind: meta.kind.clone(),
            errors,
        })?;
        check_envelope(&meta, record, is_status)?;
        if !is_status {
            for s in record["sources"].as_array().into_iter().flatten() {
                let sha = s
                    .as_str()
                    .and_then(Sha256Hex::parse)
                    .ok_or_else(|| Error::InvalidMeta("bad source digest".into()))?;
                if !self.raw.contains(&sha) {
                    return Err(Error::UnknownObject {
                        sha,
                        role: "source (raw object)",
                    });
                }
            }
        }
        let bytes = serde_jcs::to_vec(record)
            .map_err(|e| Error::InvalidMeta(format!("record cannot be canonicalized: {e}")))?;
        self.add_object(meta, &bytes)
    }

    /// Adds a typed normalized record; the entry metadata comes from its envelope.
    pub fn add_typed<R: Record>(
        &mut self,
        record: &R,
        source: &str,
        collected_at: Timestamp,
    ) -> Result<Sha256Hex> {
        let value = serde_json::to_value(record).map_err(|e| Error::InvalidMeta(e.to_string()))?;
        let meta = EntryMeta::for_record(&value, source, collected_at)?;
        if meta.kind != R::KIND {
            return Err(Error::InvalidMeta(format!(
                "record of type `{}` has kind `{}`",
                R::KIND,
                meta.kind
            )));
        }
        self.add_record(meta, &value)
    }

    /// Adds a `collection.status` object.
    pub fn add_status(
        &mut self,
        status: &CollectionStatus,
        source: &str,
        collected_at: Timestamp,
    ) -> Result<Sha256Hex> {
        let value = serde_json::to_value(status).map_err(|e| Error::InvalidMeta(e.to_string()))?;
        let meta = EntryMeta::new(
            KIND_COLLECTION_STATUS,
            status.provider.as_str(),
            &status.account,
            &status.region,
            source,
            collected_at,
        );
        self.add_record(meta, &value)
    }

    /// Adds a `collection.run` object (what one run for one account covered).
    pub fn add_run(&mut self, run: &CollectionRun, collected_at: Timestamp) -> Result<Sha256Hex> {
        let value = serde_json::to_value(run).map_err(|e| Error::InvalidMeta(e.to_string()))?;
        let meta = EntryMeta::new(
            KIND_COLLECTION_RUN,
            run.provider.as_str(),
            &run.account,
            &run.region,
            KIND_COLLECTION_RUN,
            collected_at,
        );
        self.add_record(meta, &value)
    }

    /// Adds the assessment's scope statement (hashed like any other object).
    pub fn add_scope(
        &mut self,
        scope: &ScopeStatement,
        recorded_at: Timestamp,
    ) -> Result<Sha256Hex> {
        let value = serde_json::to_value(scope).map_err(|e| Error::InvalidMeta(e.to_string()))?;
        validate_record(KIND_SCOPE, &value).map_err(|errors| Error::InvalidRecord {
            kind: KIND_SCOPE.into(),
            errors,
        })?;
        let meta = EntryMeta {
            kind: KIND_SCOPE.into(),
            provider: None,
            account: None,
            region: None,
            source: KIND_SCOPE.into(),
            collected_at: recorded_at,
            media_type: MEDIA_JSON.into(),
            name: None,
        };
        meta.check()?;
        let bytes = serde_jcs::to_vec(&value).map_err(|e| Error::InvalidMeta(e.to_string()))?;
        self.add_object(meta, &bytes)
    }

    /// Adds an assessor's attestation; its attachments must already be in the bundle.
    /// The entry's `collected_at` is the attestation date at 00:00 UTC.
    pub fn add_attestation(&mut self, attestation: Attestation) -> Result<Sha256Hex> {
        attestation.check().map_err(Error::InvalidAttestation)?;
        let value = serde_json::to_value(&attestation)
            .map_err(|e| Error::InvalidAttestation(e.to_string()))?;
        validate_record(KIND_ATTESTATION, &value).map_err(|errors| Error::InvalidRecord {
            kind: KIND_ATTESTATION.into(),
            errors,
        })?;
        for a in &attestation.attachments {
            if !self.attachments.contains(a) {
                return Err(Error::UnknownObject {
                    sha: *a,
                    role: "attachment",
                });
            }
        }
        let at = TimeZone::UTC
            .to_timestamp(attestation.date.to_datetime(Time::midnight()))
            .map_err(|e| Error::InvalidAttestation(e.to_string()))?;
        let meta = EntryMeta {
            kind: KIND_ATTESTATION.into(),
            provider: None,
            account: None,
            region: None,
            source: KIND_ATTESTATION.into(),
            collected_at: at,
            media_type: MEDIA_JSON.into(),
            name: None,
        };
        let bytes =
            serde_jcs::to_vec(&value).map_err(|e| Error::InvalidAttestation(e.to_string()))?;
        self.add_object(meta, &bytes)
    }

    /// Adds a file (document, screenshot) for attestations to reference, stored as its exact bytes.
    pub fn add_attachment(
        &mut self,
        name: &str,
        media_type: &str,
        bytes: &[u8],
        collected_at: Timestamp,
    ) -> Result<Sha256Hex> {
        let meta = EntryMeta {
            kind: KIND_ATTACHMENT.into(),
            provider: None,
            account: None,
            region: None,
            source: KIND_ATTACHMENT.into(),
            collected_at,
            media_type: media_type.into(),
            name: Some(name.into()),
        };
        meta.check()?;
        self.add_object(meta, bytes)
    }

    /// Seals the bundle: writes `manifest.json` (atomically, last), then removes the journal.
    ///
    /// If the manifest changes, an existing `manifest.sig` is removed first (it would no longer
    /// match); sign again afterwards. A resumed writer also removes unreferenced objects and
    /// temporary files left by a crashed writer.
    pub fn finish(mut self) -> Result<Manifest> {
        if self.poisoned {
            return Err(Error::Poisoned);
        }
        let manifest = Manifest::build(&self.info, self.entries.values().cloned());
        let bytes = manifest.to_jcs();
        let manifest_path = self.dir.join(MANIFEST_FILE);
        if fs::read(&manifest_path).ok().as_deref() != Some(bytes.as_slice()) {
            let sig = self.dir.join(SIGNATURE_FILE);
            if sig.exists() {
                self.io.remove(&sig)?;
            }
            self.io.write_atomic(&manifest_path, &bytes)?;
        }
        if self.resumed {
            self.sweep()?;
        }
        let journal_path = self.dir.join(JOURNAL_FILE);
        self.io.remove(&journal_path)?;
        Ok(manifest)
    }

    fn track(&mut self, e: Entry) {
        self.objects.insert(e.sha256);
        match e.kind.as_str() {
            KIND_RAW => {
                self.raw.insert(e.sha256);
            }
            KIND_ATTACHMENT => {
                self.attachments.insert(e.sha256);
            }
            _ => {}
        }
        self.entries.insert(e.id.clone(), e);
    }

    fn add_object(&mut self, meta: EntryMeta, bytes: &[u8]) -> Result<Sha256Hex> {
        if self.poisoned {
            return Err(Error::Poisoned);
        }
        let sha = Sha256Hex::of(bytes);
        let entry = Entry::new(meta, bytes.len() as u64, sha);
        if self.entries.contains_key(&entry.id) {
            return Ok(sha);
        }
        if let Err(e) = self.write_entry(&entry, bytes) {
            self.poisoned = true;
            return Err(e);
        }
        self.track(entry);
        Ok(sha)
    }

    fn write_entry(&mut self, entry: &Entry, bytes: &[u8]) -> Result<()> {
        if !self.objects.contains(&entry.sha256) {
            let first = usize::from(entry.sha256.as_bytes()[0]);
            if !self.subdirs[first] {
                let sub = self.dir.join("objects").join(format!("{first:02x}"));
                if !sub.is_dir() {
                    self.io.create_dir(&sub)?;
                }
                self.subdirs[first] = true;
            }
            self.io
                .write_atomic(&self.dir.join(entry.sha256.object_path()), bytes)?;
        }
        let journal_path = self.dir.join(JOURNAL_FILE);
        self.io.append(
            &mut self.journal,
            &journal_path,
            &journal::entry_line(entry),
        )
    }

    /// Removes what a crashed writer left: unreferenced objects and temporary files.
    fn sweep(&mut self) -> Result<()> {
        let objects_dir = self.dir.join("objects");
        let mut doomed = Vec::new();
        for sub in fs::read_dir(&objects_dir).map_err(Error::io("list", &objects_dir))? {
            let sub = sub.map_err(Error::io("list", &objects_dir))?.path();
            if !sub.is_dir() {
                continue;
            }
            for f in fs::read_dir(&sub).map_err(Error::io("list", &sub))? {
                let path = f.map_err(Error::io("list", &sub))?.path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let referenced =
                    Sha256Hex::parse(name).is_some_and(|sha| self.objects.contains(&sha));
                let is_tmp = name.starts_with('.') && name.ends_with(".tmp");
                if is_tmp || (!referenced && Sha256Hex::parse(name).is_some()) {
                    doomed.push(path);
                }
            }
        }
        for name in [MANIFEST_FILE, JOURNAL_FILE, SIGNATURE_FILE] {
            let tmp = self.dir.join(format!(".{name}.tmp"));
            if tmp.exists() {
                doomed.push(tmp);
            }
        }
        for path in doomed {
            self.io.remove(&path)?;
        }
        Ok(())
    }
}

fn open_append(path: &Path) -> Result<File> {
    OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(Error::io("open for append", path))
}

/// The record's envelope must agree with the entry metadata.
fn check_envelope(meta: &EntryMeta, record: &Value, is_status: bool) -> Result<()> {
    let mut pairs = vec![
        ("provider", meta.provider.as_deref()),
        ("account", meta.account.as_deref()),
        ("region", meta.region.as_deref()),
    ];
    if !is_status {
        pairs.push(("kind", Some(meta.kind.as_str())));
    }
    for (field, want) in pairs {
        let got = record.get(field).and_then(Value::as_str);
        if got != want {
            return Err(Error::InvalidMeta(format!(
                "record `{field}` is {got:?} but the entry says {want:?}"
            )));
        }
    }
    Ok(())
}
