//! The crate's error type. Every file-system error names the path it concerns.

use std::fmt;
use std::path::PathBuf;

use crate::hash::Sha256Hex;

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong while reading, writing or signing a bundle.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file-system operation failed.
    #[error("cannot {op} {}", path.display())]
    Io {
        /// What was being done (`read`, `write`, `rename`, ...).
        op: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The path is not an evidence bundle at all.
    #[error("{} is not an evidence bundle: {reason}", path.display())]
    NotABundle {
        /// The directory or archive.
        path: PathBuf,
        /// Why it is not one.
        reason: String,
    },
    /// A writer started this bundle and did not finish it.
    #[error(transparent)]
    Incomplete(Box<Incomplete>),
    /// `manifest.json` is not a valid manifest.
    #[error("manifest.json of {} cannot be parsed: {message}", path.display())]
    ManifestUnparsable {
        /// The bundle.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// `manifest.json` parses but does not match its own Merkle root or canonical form.
    #[error("manifest.json of {} is not intact ({message}); run `cloudcap evidence verify` on it", path.display())]
    ManifestNotIntact {
        /// The bundle.
        path: PathBuf,
        /// What does not match.
        message: String,
    },
    /// The bundle was written by a format this crate does not read.
    #[error("bundle format version {found} is not supported (this tool reads version {supported})")]
    UnsupportedFormat {
        /// The version found in the manifest.
        found: u64,
        /// The version this crate reads and writes.
        supported: u64,
    },
    /// `create` was given a directory that already holds files.
    #[error("{} already exists and is not empty; use resume to add to an existing bundle", path.display())]
    AlreadyExists {
        /// The directory.
        path: PathBuf,
    },
    /// The entry metadata passed to the writer is not acceptable.
    #[error("invalid entry metadata: {0}")]
    InvalidMeta(String),
    /// A normalized record or collection status failed schema validation.
    #[error("invalid `{kind}` record: {}", join(errors))]
    InvalidRecord {
        /// The evidence kind (or `collection.status`).
        kind: String,
        /// Every violation, each with its JSON-pointer path.
        errors: Vec<SchemaError>,
    },
    /// An attestation is not acceptable.
    #[error("invalid attestation: {0}")]
    InvalidAttestation(String),
    /// An object referenced by a record or attestation is not in the bundle.
    #[error("object {sha} referenced as {role} is not in the bundle")]
    UnknownObject {
        /// The missing digest.
        sha: Sha256Hex,
        /// How it was referenced (`source`, `attachment`).
        role: &'static str,
    },
    /// A stored object cannot be read as what its entry says it is.
    #[error("object {sha}: {message}")]
    BadObject {
        /// The object's digest.
        sha: Sha256Hex,
        /// What is wrong.
        message: String,
    },
    /// The write-ahead journal is damaged in a way a crash cannot explain.
    #[error("journal {} line {line}: {message}", path.display())]
    CorruptJournal {
        /// The journal file.
        path: PathBuf,
        /// One-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A key or signature file cannot be used.
    #[error("{}: {message}", path.display())]
    Key {
        /// The key or signature file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A tar archive cannot be used as a bundle.
    #[error("archive {}: {message}", path.display())]
    Archive {
        /// The archive.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A test hook stopped the writer, simulating a crash; the writer must be dropped.
    #[error("writer stopped by the crash-test hook")]
    Interrupted,
    /// The writer failed earlier and refuses further work; drop it and resume.
    #[error("the writer failed earlier; drop it and resume the bundle")]
    Poisoned,
}

/// One schema violation: the JSON pointer of the offending value and the validator's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// JSON pointer (RFC 6901) of the value, `""` for the whole record.
    pub pointer: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "(record)"
        } else {
            self.pointer.as_str()
        };
        write!(f, "at {at}: {}", self.message)
    }
}

fn join(errors: &[SchemaError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A bundle that a writer started and did not finish (see [`Error::Incomplete`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomplete {
    /// The bundle directory or archive.
    pub path: PathBuf,
    /// Whether a `manifest.json` exists (from an earlier `finish`).
    pub has_manifest: bool,
    /// Entries listed in `journal.jsonl` but not in `manifest.json`, as `kind source sha256`.
    pub unsealed: Vec<String>,
    /// Whether the journal ends in a torn line (the writer died while adding an object).
    pub torn_tail: bool,
}

impl fmt::Display for Incomplete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bundle {} is incomplete: a writer did not finish it",
            self.path.display()
        )?;
        if !self.has_manifest {
            write!(f, "; there is no manifest.json")?;
        }
        if !self.unsealed.is_empty() {
            write!(
                f,
                "; journal.jsonl lists {} entr{} missing from manifest.json",
                self.unsealed.len(),
                if self.unsealed.len() == 1 { "y" } else { "ies" }
            )?;
            let shown: Vec<&str> = self.unsealed.iter().take(3).map(String::as_str).collect();
            write!(
                f,
                " (e.g. {}{})",
                shown.join(", "),
                if self.unsealed.len() > 3 { ", ..." } else { "" }
            )?;
        }
        if self.torn_tail {
            write!(
                f,
                "; the journal ends in a torn line (an object was being added)"
            )?;
        }
        write!(
            f,
            ". Resume the writer and finish it (`cloudcap evidence finish BUNDLE` seals what was journaled), or collect again"
        )
    }
}

impl std::error::Error for Incomplete {}

impl Error {
    pub(crate) fn io(
        op: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { op, path, source }
    }
}
