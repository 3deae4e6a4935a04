//! Offline verification: every hash, size, the Merkle root, every record's schema, references
//! between objects, and the signature. Lists every problem; never stops at the first.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use ed25519_dalek::VerifyingKey;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::attest::Attestation;
use crate::bundle::{Bundle, MANIFEST_FILE, SIGNATURE_FILE};
use crate::error::{Error, SchemaError};
use crate::hash::Sha256Hex;
use crate::journal::JOURNAL_FILE;
use crate::kinds;
use crate::manifest::{
    Entry, KIND_ATTACHMENT, KIND_ATTESTATION, KIND_COLLECTION_RUN, KIND_COLLECTION_STATUS,
    KIND_RAW, KIND_SCOPE,
};
use crate::schema::validate_record;
use crate::sign::{self, SignatureFile};
use crate::store::Store;

/// What to check beyond the bundle itself.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// The trusted public key; when set, the bundle must carry a valid signature by this key.
    pub trusted_key: Option<VerifyingKey>,
    /// Threads to read and hash on (0 and 1: the calling thread only; at most
    /// [`crate::MAX_THREADS`]). The report does not depend on it; the caller chooses, as
    /// this crate reads no machine state.
    pub threads: usize,
}

/// One thing wrong with a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The bundle cannot be opened at all (not a bundle, unreadable).
    Unreadable(String),
    /// A writer did not finish the bundle.
    Incomplete(String),
    /// `manifest.json` cannot be parsed.
    ManifestUnparsable(String),
    /// `manifest.json` is not in canonical (JCS) form.
    ManifestNotCanonical,
    /// Entries are not sorted by (sha256, id) or repeat.
    EntriesNotSorted {
        /// Index of the first out-of-order entry.
        index: usize,
    },
    /// An entry's id does not match its content.
    EntryIdMismatch {
        /// Recorded id.
        id: String,
        /// Id derived from the entry.
        expected: String,
    },
    /// An entry's metadata is invalid (unknown kind, missing provider, ...).
    EntryInvalid {
        /// Entry id.
        id: String,
        /// What is wrong.
        message: String,
    },
    /// The recorded Merkle root differs from the one computed over the manifest.
    MerkleRootMismatch {
        /// Root recorded in the manifest.
        recorded: Sha256Hex,
        /// Root computed from header and entries.
        computed: Sha256Hex,
    },
    /// An object listed in the manifest is not in the bundle.
    ObjectMissing {
        /// Object digest.
        sha: Sha256Hex,
        /// Entries that reference it.
        ids: Vec<String>,
    },
    /// An object's bytes do not hash to its name.
    HashMismatch {
        /// Path of the object inside the bundle.
        path: String,
        /// Digest the object should have (its name).
        expected: Sha256Hex,
        /// Digest of the bytes found.
        actual: Sha256Hex,
    },
    /// An object's size differs from its entry.
    SizeMismatch {
        /// Entry id.
        id: String,
        /// Size recorded in the entry.
        expected: u64,
        /// Size found.
        actual: u64,
    },
    /// A file that no entry accounts for.
    ExtraFile {
        /// Path inside the bundle.
        path: String,
    },
    /// A record, status or attestation is not valid JSON, or not canonical.
    ObjectInvalid {
        /// Entry id.
        id: String,
        /// Object digest.
        sha: Sha256Hex,
        /// What is wrong.
        message: String,
    },
    /// A record violates its kind's schema.
    SchemaViolation {
        /// Entry id.
        id: String,
        /// Object digest.
        sha: Sha256Hex,
        /// Evidence kind.
        kind: String,
        /// JSON pointer of the offending field and the message.
        error: SchemaError,
    },
    /// A record or attestation references an object that is not in the bundle (or of the wrong kind).
    DanglingReference {
        /// Entry id of the referencing object.
        id: String,
        /// The referenced digest.
        target: Sha256Hex,
        /// `source` or `attachment`.
        role: &'static str,
    },
    /// The signature is missing, unparsable, by another key, or does not verify.
    SignatureInvalid(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unreadable(m) => write!(f, "bundle unreadable: {m}"),
            Problem::Incomplete(m) => write!(f, "{m}"),
            Problem::ManifestUnparsable(m) => write!(f, "manifest unparsable: {m}"),
            Problem::ManifestNotCanonical => write!(
                f,
                "manifest.json is not in canonical JCS form (it was edited)"
            ),
            Problem::EntriesNotSorted { index } => write!(
                f,
                "manifest entries are not sorted by (sha256, id) or repeat, at index {index}"
            ),
            Problem::EntryIdMismatch { id, expected } => write!(
                f,
                "entry {id}: id does not match its content (expected {expected})"
            ),
            Problem::EntryInvalid { id, message } => write!(f, "entry {id}: {message}"),
            Problem::MerkleRootMismatch { recorded, computed } => {
                write!(
                    f,
                    "merkle root mismatch: manifest records {recorded}, computed {computed}"
                )
            }
            Problem::ObjectMissing { sha, ids } => write!(
                f,
                "object missing: {} (entries {})",
                sha.object_path(),
                ids.join(", ")
            ),
            Problem::HashMismatch {
                path,
                expected,
                actual,
            } => write!(
                f,
                "hash mismatch: {path}: expected {expected}, actual {actual}"
            ),
            Problem::SizeMismatch {
                id,
                expected,
                actual,
            } => write!(
                f,
                "size mismatch: entry {id}: expected {expected} bytes, actual {actual}"
            ),
            Problem::ExtraFile { path } => write!(f, "extra file not in the manifest: {path}"),
            Problem::ObjectInvalid { id, sha, message } => {
                write!(f, "object {sha} (entry {id}): {message}")
            }
            Problem::SchemaViolation {
                id,
                sha,
                kind,
                error,
            } => write!(
                f,
                "schema violation: `{kind}` record {sha} (entry {id}) {error}"
            ),
            Problem::DanglingReference { id, target, role } => {
                write!(f, "entry {id}: {role} {target} is not in the bundle")
            }
            Problem::SignatureInvalid(m) => write!(f, "signature invalid: {m}"),
        }
    }
}

/// State of the detached signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureStatus {
    /// The bundle has no `manifest.sig` (and no key was required).
    Unsigned,
    /// Signed, and the signature verifies against the key it names, but no trusted key was given.
    SelfConsistent {
        /// Hex public key named in `manifest.sig`.
        public_key: String,
    },
    /// Signed by the trusted key, and the signature verifies.
    Trusted {
        /// Hex public key.
        public_key: String,
    },
    /// Missing, unparsable, or not verifying (a [`Problem::SignatureInvalid`] says why).
    Invalid,
}

/// Everything verification found.
#[derive(Clone, Debug)]
pub struct VerifyReport {
    /// Every problem, in the order found.
    pub problems: Vec<Problem>,
    /// Manifest entries.
    pub entries: usize,
    /// Distinct objects read and hashed.
    pub objects_checked: u64,
    /// Bytes hashed.
    pub bytes_hashed: u64,
    /// Records, statuses and attestations validated against their schema.
    pub records_validated: u64,
    /// Merkle root recorded in the manifest, if it could be read.
    pub merkle_root: Option<Sha256Hex>,
    /// Signature state.
    pub signature: SignatureStatus,
}

impl VerifyReport {
    /// `true` when nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn new() -> VerifyReport {
        VerifyReport {
            problems: Vec::new(),
            entries: 0,
            objects_checked: 0,
            bytes_hashed: 0,
            records_validated: 0,
            merkle_root: None,
            signature: SignatureStatus::Unsigned,
        }
    }
}

/// Verifies a bundle directory or archive at `path`, reporting even a bundle that does not open.
///
/// When the manifest cannot be used, every object is still checked against its own name.
pub fn verify_path(path: &Path, options: &VerifyOptions) -> VerifyReport {
    let store = match Store::open(path) {
        Ok(s) => s,
        Err(e) => {
            let mut r = VerifyReport::new();
            r.problems.push(Problem::Unreadable(e.to_string()));
            return r;
        }
    };
    match Bundle::from_store(store) {
        Ok(bundle) => verify_inner(&bundle, options, false),
        Err(err) => {
            let mut r = VerifyReport::new();
            r.problems.push(match &err {
                Error::Incomplete(i) => Problem::Incomplete(i.to_string()),
                Error::ManifestUnparsable { message, .. } => {
                    Problem::ManifestUnparsable(message.clone())
                }
                other => Problem::Unreadable(other.to_string()),
            });
            if options.trusted_key.is_some() {
                r.signature = SignatureStatus::Invalid;
            }
            // Still check every object against its own name.
            if let Ok(store) = Store::open(path) {
                check_orphan_objects(&store, &BTreeSet::new(), &mut r);
            }
            r
        }
    }
}

/// Verifies an opened bundle: recomputes every hash and the Merkle root, validates every record,
/// checks references and the signature.
///
/// The normalized records it parsed stay with `bundle` when nothing is wrong, so that reading
/// them next ([`Bundle::all_records`], [`Bundle::load_records`]) does not parse them again.
pub fn verify(bundle: &Bundle, options: &VerifyOptions) -> VerifyReport {
    verify_inner(bundle, options, true)
}

fn verify_inner(bundle: &Bundle, options: &VerifyOptions, keep: bool) -> VerifyReport {
    let mut r = VerifyReport::new();
    let m = bundle.manifest();
    r.entries = m.entries.len();
    r.merkle_root = Some(m.merkle_root);

    // 1. The manifest itself.
    if bundle.manifest_bytes() != m.to_jcs().as_slice() {
        r.problems.push(Problem::ManifestNotCanonical);
    }
    for (i, w) in m.entries.windows(2).enumerate() {
        if (&w[0].sha256, &w[0].id) >= (&w[1].sha256, &w[1].id) {
            r.problems.push(Problem::EntriesNotSorted { index: i + 1 });
            break;
        }
    }
    for part in crate::par::chunks(&m.entries, options.threads, |part| {
        let mut problems = Vec::new();
        for e in part {
            let expected = e.expected_id();
            if e.id != expected {
                problems.push(Problem::EntryIdMismatch {
                    id: e.id.clone(),
                    expected,
                });
            }
            if let Err(Error::InvalidMeta(message)) = e.meta().check() {
                problems.push(Problem::EntryInvalid {
                    id: e.id.clone(),
                    message,
                });
            }
        }
        problems
    }) {
        r.problems.extend(part);
    }
    let computed = m.compute_merkle_root_on(options.threads);
    if computed != m.merkle_root {
        r.problems.push(Problem::MerkleRootMismatch {
            recorded: m.merkle_root,
            computed,
        });
    }

    // 2. Objects: hash each distinct object once, then check what each entry says about it.
    let mut by_sha: BTreeMap<Sha256Hex, Vec<&Entry>> = BTreeMap::new();
    for e in &m.entries {
        by_sha.entry(e.sha256).or_default().push(e);
    }
    let raw: BTreeSet<Sha256Hex> = m
        .entries
        .iter()
        .filter(|e| e.kind == KIND_RAW)
        .map(|e| e.sha256)
        .collect();
    let attachments: BTreeSet<Sha256Hex> = m
        .entries
        .iter()
        .filter(|e| e.kind == KIND_ATTACHMENT)
        .map(|e| e.sha256)
        .collect();
    // Distinct objects in digest order, cut into one contiguous run per thread; each run's
    // findings are appended in order, so the report does not depend on the thread count.
    let objects: Vec<(&Sha256Hex, &Vec<&Entry>)> = by_sha.iter().collect();
    let mut parsed = Vec::new();
    for part in crate::par::chunks(&objects, options.threads, |part| {
        check_objects(bundle, part, &raw, &attachments)
    }) {
        let (partial, values) = part;
        r.problems.extend(partial.problems);
        r.objects_checked += partial.objects_checked;
        r.bytes_hashed += partial.bytes_hashed;
        r.records_validated += partial.records_validated;
        parsed.extend(values);
    }
    // Keep the parsed records, so that loading them for the engine does not read and parse
    // every object a second time (only when nothing is wrong: a broken bundle is not assessed).
    if keep && r.problems.is_empty() {
        bundle.keep_parsed(parsed);
    } else {
        drop(parsed);
    }

    // 3. Files nobody accounts for.
    let expected: BTreeSet<String> = by_sha.keys().map(Sha256Hex::object_path).collect();
    check_orphan_objects(bundle.store(), &expected, &mut r);

    // 4. Signature.
    check_signature(bundle, options, &mut r);
    r
}

/// Reads, hashes and checks a run of distinct objects; returns the findings and the parsed
/// normalized records (by digest).
fn check_objects(
    bundle: &Bundle,
    objects: &[(&Sha256Hex, &Vec<&Entry>)],
    raw: &BTreeSet<Sha256Hex>,
    attachments: &BTreeSet<Sha256Hex>,
) -> (VerifyReport, Vec<(Sha256Hex, Value)>) {
    let mut r = VerifyReport::new();
    let mut parsed = Vec::new();
    let mut buf = Vec::new();
    for &(sha, entries) in objects {
        match bundle.read_object_into(sha, &mut buf) {
            Ok(true) => {}
            Ok(false) => {
                r.problems.push(Problem::ObjectMissing {
                    sha: *sha,
                    ids: entries.iter().map(|e| e.id.clone()).collect(),
                });
                continue;
            }
            Err(e) => {
                r.problems.push(Problem::Unreadable(e.to_string()));
                continue;
            }
        }
        r.objects_checked += 1;
        r.bytes_hashed += buf.len() as u64;
        let actual = Sha256Hex::from_bytes(Sha256::digest(&buf).into());
        if actual != *sha {
            r.problems.push(Problem::HashMismatch {
                path: sha.object_path(),
                expected: *sha,
                actual,
            });
            continue;
        }
        let mut value = None;
        for e in entries {
            if e.size != buf.len() as u64 {
                r.problems.push(Problem::SizeMismatch {
                    id: e.id.clone(),
                    expected: e.size,
                    actual: buf.len() as u64,
                });
            }
            let v = check_content(e, &buf, raw, attachments, &mut r);
            if value.is_none() && e.is_record() {
                value = v;
            }
        }
        if let Some(v) = value {
            parsed.push((*sha, v));
        }
    }
    (r, parsed)
}

/// Validates a record, status or attestation object against its schema and references;
/// returns the parsed value of a normalized record.
fn check_content(
    e: &Entry,
    bytes: &[u8],
    raw: &BTreeSet<Sha256Hex>,
    attachments: &BTreeSet<Sha256Hex>,
    r: &mut VerifyReport,
) -> Option<Value> {
    let is_record = kinds::kind(&e.kind).is_some();
    let is_collector = e.kind == KIND_COLLECTION_STATUS || e.kind == KIND_COLLECTION_RUN;
    if !(is_record || is_collector || e.kind == KIND_ATTESTATION || e.kind == KIND_SCOPE) {
        return None;
    }
    let invalid = |message: String| Problem::ObjectInvalid {
        id: e.id.clone(),
        sha: e.sha256,
        message,
    };
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(err) => {
            r.problems.push(invalid(format!("not JSON: {err}")));
            return None;
        }
    };
    r.records_validated += 1;
    if serde_jcs::to_vec(&value).ok().as_deref() != Some(bytes) {
        r.problems.push(invalid("not in canonical JCS form".into()));
    }
    if let Err(errors) = validate_record(&e.kind, &value) {
        for error in errors {
            r.problems.push(Problem::SchemaViolation {
                id: e.id.clone(),
                sha: e.sha256,
                kind: e.kind.clone(),
                error,
            });
        }
    }
    if is_record || is_collector {
        let mut fields = vec![
            ("provider", e.provider.as_deref()),
            ("account", e.account.as_deref()),
            ("region", e.region.as_deref()),
        ];
        if is_record {
            fields.push(("kind", Some(e.kind.as_str())));
        }
        for (field, want) in fields {
            let got = value.get(field).and_then(Value::as_str);
            if got != want {
                r.problems.push(invalid(format!(
                    "record `{field}` is {got:?} but its entry says {want:?}"
                )));
            }
        }
    }
    if is_record {
        for s in value
            .get("sources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(target) = s.as_str().and_then(Sha256Hex::parse) {
                if !raw.contains(&target) {
                    r.problems.push(Problem::DanglingReference {
                        id: e.id.clone(),
                        target,
                        role: "source",
                    });
                }
            }
        }
    }
    if e.kind == KIND_ATTESTATION {
        match serde_json::from_value::<Attestation>(value) {
            Ok(a) => {
                if let Err(m) = a.check() {
                    r.problems.push(invalid(m));
                }
                for target in a.attachments {
                    if !attachments.contains(&target) {
                        r.problems.push(Problem::DanglingReference {
                            id: e.id.clone(),
                            target,
                            role: "attachment",
                        });
                    }
                }
            }
            Err(err) => r
                .problems
                .push(invalid(format!("not an attestation: {err}"))),
        }
        return None;
    }
    is_record.then_some(value)
}

/// Reports files that no entry accounts for, and checks every unlisted object against its name.
fn check_orphan_objects(store: &Store, expected: &BTreeSet<String>, r: &mut VerifyReport) {
    let files = match store.list_files() {
        Ok(f) => f,
        Err(e) => {
            r.problems.push(Problem::Unreadable(e.to_string()));
            return;
        }
    };
    let mut buf = Vec::new();
    for path in files {
        if expected.contains(&path)
            || path == MANIFEST_FILE
            || path == SIGNATURE_FILE
            || path == JOURNAL_FILE
        {
            continue;
        }
        let named = path
            .strip_prefix("objects/")
            .and_then(|rest| rest.split_once('/'))
            .and_then(|(dir, name)| {
                Sha256Hex::parse(name).filter(|sha| sha.to_string()[..2] == *dir)
            });
        if let Some(sha) = named {
            if let Ok(true) = store.read_into(&path, &mut buf) {
                let actual = Sha256Hex::of(&buf);
                if actual != sha {
                    r.problems.push(Problem::HashMismatch {
                        path: path.clone(),
                        expected: sha,
                        actual,
                    });
                }
            }
        }
        r.problems.push(Problem::ExtraFile { path });
    }
}

fn check_signature(bundle: &Bundle, options: &VerifyOptions, r: &mut VerifyReport) {
    let Some(sig_bytes) = bundle.signature_bytes() else {
        if options.trusted_key.is_some() {
            r.signature = SignatureStatus::Invalid;
            r.problems.push(Problem::SignatureInvalid(format!(
                "a public key was given but the bundle has no {SIGNATURE_FILE}"
            )));
        }
        return;
    };
    let sig = match SignatureFile::parse(sig_bytes) {
        Ok(s) => s,
        Err(m) => {
            r.signature = SignatureStatus::Invalid;
            r.problems.push(Problem::SignatureInvalid(format!(
                "{SIGNATURE_FILE} is unparsable: {m}"
            )));
            return;
        }
    };
    let key = match &options.trusted_key {
        Some(trusted) if trusted.as_bytes() != sig.public_key.as_bytes() => {
            r.signature = SignatureStatus::Invalid;
            r.problems.push(Problem::SignatureInvalid(format!(
                "signed by key {}, not by the trusted key {}",
                hex::encode(sig.public_key.as_bytes()),
                hex::encode(trusted.as_bytes())
            )));
            return;
        }
        Some(trusted) => *trusted,
        None => sig.public_key,
    };
    match sign::verify_bytes(&key, bundle.manifest_bytes(), &sig.signature) {
        Ok(()) => {
            let public_key = hex::encode(key.as_bytes());
            r.signature = if options.trusted_key.is_some() {
                SignatureStatus::Trusted { public_key }
            } else {
                SignatureStatus::SelfConsistent { public_key }
            };
        }
        Err(m) => {
            r.signature = SignatureStatus::Invalid;
            r.problems.push(Problem::SignatureInvalid(format!(
                "the signature does not verify over manifest.json: {m}"
            )));
        }
    }
}
