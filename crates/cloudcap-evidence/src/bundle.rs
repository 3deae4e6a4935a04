//! Reading a finished bundle: [`Bundle::open`] (directory) and [`Bundle::open_archive`] (tar).
//!
//! Opening parses `manifest.json` and checks that no writer left unsealed entries; it does not
//! hash objects (that is [`crate::verify`]'s job), so opening a bundle of a million records costs
//! one manifest parse.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;

use crate::attest::Attestation;
use crate::error::{Error, Incomplete, Result};
use crate::hash::Sha256Hex;
use crate::journal::{self, JOURNAL_FILE};
use crate::kinds::CollectionStatus;
use crate::manifest::{
    Entry, FORMAT_VERSION, KIND_ATTESTATION, KIND_COLLECTION_RUN, KIND_COLLECTION_STATUS,
    KIND_SCOPE, Manifest,
};
use crate::store::Store;

/// File name of the manifest inside a bundle.
pub const MANIFEST_FILE: &str = "manifest.json";
/// File name of the detached signature inside a bundle.
pub const SIGNATURE_FILE: &str = "manifest.sig";

/// An opened, complete evidence bundle.
#[derive(Debug)]
pub struct Bundle {
    store: Store,
    manifest: Manifest,
    manifest_bytes: Vec<u8>,
    signature: Option<Vec<u8>>,
    /// Normalized records [`crate::verify`] parsed from verified bytes, by digest; taken (not
    /// copied) by the first read of each, so loading after verifying parses nothing twice.
    parsed: Mutex<HashMap<Sha256Hex, Value>>,
}

impl Bundle {
    /// Opens a bundle directory.
    ///
    /// Fails with [`Error::Incomplete`] if a writer left a journal with entries that are not in
    /// the manifest (or no manifest at all).
    pub fn open(dir: &Path) -> Result<Bundle> {
        if !dir.is_dir() {
            return Err(Error::NotABundle {
                path: dir.to_owned(),
                reason: "not a directory".into(),
            });
        }
        Bundle::from_store(Store::Dir(dir.to_owned()))
    }

    /// Opens a tar archive written by [`crate::export_archive`], reading objects in place.
    pub fn open_archive(file: &Path) -> Result<Bundle> {
        Bundle::from_store(Store::archive(file)?)
    }

    /// Opens a directory or an archive, whichever `path` is.
    pub fn open_path(path: &Path) -> Result<Bundle> {
        Bundle::from_store(Store::open(path)?)
    }

    pub(crate) fn from_store(store: Store) -> Result<Bundle> {
        let manifest_bytes = store.read(MANIFEST_FILE)?;
        let journal_bytes = store.read(JOURNAL_FILE)?;
        let path = store.path().to_owned();
        let Some(manifest_bytes) = manifest_bytes else {
            return match journal_bytes {
                Some(j) => Err(incomplete(&path, None, &j)),
                None => Err(Error::NotABundle {
                    path,
                    reason: format!("there is no {MANIFEST_FILE}"),
                }),
            };
        };
        let manifest = parse_manifest(&path, &manifest_bytes)?;
        if let Some(j) = journal_bytes {
            let ids: BTreeSet<&str> = manifest.entries.iter().map(|e| e.id.as_str()).collect();
            let parsed = journal::parse(&j);
            let sealed = matches!(&parsed, Ok(jn) if !jn.torn && jn.entries.iter().all(|e| ids.contains(e.id.as_str())));
            if !sealed {
                return Err(incomplete(&path, Some(&ids), &j));
            }
        }
        let signature = store.read(SIGNATURE_FILE)?;
        Ok(Bundle {
            store,
            manifest,
            manifest_bytes,
            signature,
            parsed: Mutex::new(HashMap::new()),
        })
    }

    /// The directory or archive this bundle was opened from.
    pub fn path(&self) -> &Path {
        self.store.path()
    }

    /// The parsed manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The exact bytes of `manifest.json` (what the signature covers).
    pub fn manifest_bytes(&self) -> &[u8] {
        &self.manifest_bytes
    }

    /// The bytes of `manifest.sig`, if the bundle is signed.
    pub fn signature_bytes(&self) -> Option<&[u8]> {
        self.signature.as_deref()
    }

    /// The entry (first, in manifest order) whose object has digest `sha`.
    pub fn entry(&self, sha: &Sha256Hex) -> Option<&Entry> {
        let i = self.manifest.entries.partition_point(|e| e.sha256 < *sha);
        self.manifest.entries.get(i).filter(|e| e.sha256 == *sha)
    }

    /// Whether the manifest lists an object with digest `sha`.
    pub fn contains(&self, sha: &Sha256Hex) -> bool {
        self.entry(sha).is_some()
    }

    /// The bytes of the object `sha` (not re-hashed; use [`crate::verify`] for that).
    pub fn object_bytes(&self, sha: &Sha256Hex) -> Result<Vec<u8>> {
        if !self.contains(sha) {
            return Err(Error::UnknownObject {
                sha: *sha,
                role: "object",
            });
        }
        self.store
            .read(&sha.object_path())?
            .ok_or_else(|| Error::Io {
                op: "read",
                path: self.path().join(sha.object_path()),
                source: std::io::ErrorKind::NotFound.into(),
            })
    }

    /// Reads object `sha` into `buf`; `false` if the file is missing.
    pub(crate) fn read_object_into(&self, sha: &Sha256Hex, buf: &mut Vec<u8>) -> Result<bool> {
        self.store.read_into(&sha.object_path(), buf)
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Keeps records parsed by [`crate::verify`] for the next read of each.
    pub(crate) fn keep_parsed(&self, values: Vec<(Sha256Hex, Value)>) {
        let mut parsed = self
            .parsed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        parsed.reserve(values.len());
        parsed.extend(values);
    }

    fn json(&self, entry: &Entry) -> Result<Value> {
        let kept = self
            .parsed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&entry.sha256);
        if let Some(v) = kept {
            return Ok(v);
        }
        let bytes = self.object_bytes(&entry.sha256)?;
        serde_json::from_slice(&bytes).map_err(|e| Error::BadObject {
            sha: entry.sha256,
            message: format!("object of entry {} is not JSON: {e}", entry.id),
        })
    }

    /// Every record of evidence kind `kind`, as JSON values, in manifest order.
    pub fn records<'a>(
        &'a self,
        kind: &'a str,
    ) -> impl Iterator<Item = Result<(&'a Entry, Value)>> + 'a {
        self.manifest
            .entries_of_kind(kind)
            .map(move |e| self.json(e).map(|v| (e, v)))
    }

    /// Every normalized record of every kind (not raw objects, statuses, attestations or attachments).
    pub fn all_records(&self) -> impl Iterator<Item = Result<(&Entry, Value)>> + '_ {
        self.manifest
            .entries
            .iter()
            .filter(|e| e.is_record())
            .map(move |e| self.json(e).map(|v| (e, v)))
    }

    /// Loads every normalized record on `threads` threads, in manifest order (by sha256, then id).
    ///
    /// The fast path for the engine: reading many small objects is bound by file-open system
    /// calls, so it parallelizes well. Objects are not re-hashed.
    pub fn load_records(&self, threads: usize) -> Result<Vec<(&Entry, Value)>> {
        let entries: Vec<&Entry> = self
            .manifest
            .entries
            .iter()
            .filter(|e| e.is_record())
            .collect();
        let chunk = entries.len().div_ceil(threads.clamp(1, 64)).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = entries
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|e| self.json(e).map(|v| (*e, v)))
                            .collect::<Result<Vec<_>>>()
                    })
                })
                .collect();
            let mut out = Vec::with_capacity(entries.len());
            for h in handles {
                out.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))?);
            }
            Ok(out)
        })
    }

    /// Every `collection.status` object.
    pub fn collection_statuses(&self) -> Result<Vec<(&Entry, CollectionStatus)>> {
        self.typed(KIND_COLLECTION_STATUS)
    }

    /// Every `collection.run` object (one per collected account and run).
    pub fn collection_runs(&self) -> Result<Vec<(&Entry, crate::kinds::CollectionRun)>> {
        self.typed(KIND_COLLECTION_RUN)
    }

    /// Every scope statement (a bundle normally holds at most one; the latest recorded wins).
    pub fn scope_statements(&self) -> Result<Vec<(&Entry, crate::scope::ScopeStatement)>> {
        self.typed(KIND_SCOPE)
    }

    /// Every attestation.
    pub fn attestations(&self) -> Result<Vec<(&Entry, Attestation)>> {
        self.typed(KIND_ATTESTATION)
    }

    fn typed<'a, T: serde::de::DeserializeOwned>(
        &'a self,
        kind: &'a str,
    ) -> Result<Vec<(&'a Entry, T)>> {
        self.records(kind)
            .map(|r| {
                let (e, v) = r?;
                let t = serde_json::from_value(v).map_err(|err| Error::BadObject {
                    sha: e.sha256,
                    message: format!("`{kind}` object of entry {} is invalid: {err}", e.id),
                })?;
                Ok((e, t))
            })
            .collect()
    }
}

/// Parses manifest bytes, distinguishing an unsupported version from damage.
pub(crate) fn parse_manifest(path: &Path, bytes: &[u8]) -> Result<Manifest> {
    match serde_json::from_slice::<Manifest>(bytes) {
        Ok(m) if m.format_version == FORMAT_VERSION => Ok(m),
        Ok(m) => Err(Error::UnsupportedFormat {
            found: m.format_version,
            supported: FORMAT_VERSION,
        }),
        Err(e) => {
            #[derive(serde::Deserialize)]
            struct Version {
                format_version: u64,
            }
            match serde_json::from_slice::<Version>(bytes) {
                Ok(v) if v.format_version != FORMAT_VERSION => Err(Error::UnsupportedFormat {
                    found: v.format_version,
                    supported: FORMAT_VERSION,
                }),
                _ => Err(Error::ManifestUnparsable {
                    path: path.to_owned(),
                    message: e.to_string(),
                }),
            }
        }
    }
}

fn incomplete(path: &Path, sealed: Option<&BTreeSet<&str>>, journal_bytes: &[u8]) -> Error {
    let (unsealed, torn) = match journal::parse(journal_bytes) {
        Ok(j) => (
            j.entries
                .iter()
                .filter(|e| sealed.is_none_or(|s| !s.contains(e.id.as_str())))
                .map(|e| format!("{} {} {}", e.kind, e.source, e.sha256))
                .collect(),
            j.torn,
        ),
        Err((line, msg)) => (vec![format!("journal line {line}: {msg}")], false),
    };
    Error::Incomplete(Box::new(Incomplete {
        path: PathBuf::from(path),
        has_manifest: sealed.is_some(),
        unsealed,
        torn_tail: torn,
    }))
}
