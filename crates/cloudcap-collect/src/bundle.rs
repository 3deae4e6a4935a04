//! [`EvidenceSink`] over `cloudcap-evidence`'s [`BundleWriter`], and the resume state read
//! back from a bundle being continued.

use std::{path::Path, sync::Mutex};

use cloudcap_evidence::{BundleWriter, EntryMeta, KIND_RAW};

use crate::sink::{EvidenceSink, RawMeta, ResumeState, STATUS_KIND, SinkError};

/// A bundle being written, shared by the collector's worker threads.
#[derive(Debug)]
pub struct BundleSink {
    writer: Mutex<BundleWriter>,
}

impl BundleSink {
    /// Wraps a writer.
    pub fn new(writer: BundleWriter) -> BundleSink {
        BundleSink {
            writer: Mutex::new(writer),
        }
    }

    /// The writer back, to `finish()` it.
    pub fn into_inner(self) -> BundleWriter {
        self.writer
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What the bundle already holds (records and statuses), for [`crate::aws::collect`].
    pub fn resume_state(&self) -> Result<ResumeState, SinkError> {
        let writer = self.writer.lock().unwrap();
        let dir = writer.dir().to_owned();
        let mut loaded = Vec::new();
        for entry in writer.entries().filter(|e| e.kind != KIND_RAW) {
            if !(entry.kind == STATUS_KIND || cloudcap_evidence::kind(&entry.kind).is_some()) {
                continue;
            }
            let path = dir.join(entry.sha256.object_path());
            let bytes = std::fs::read(&path)
                .map_err(|err| SinkError(format!("cannot read {}: {err}", path.display())))?;
            let value: serde_json::Value = serde_json::from_slice(&bytes)
                .map_err(|err| SinkError(format!("{} is not JSON: {err}", path.display())))?;
            loaded.push((entry.kind.clone(), value));
        }
        Ok(ResumeState::from_records(
            loaded.iter().map(|(k, v)| (k.as_str(), v)),
        ))
    }

    /// Whether `dir` holds a bundle to continue.
    pub fn exists(dir: &Path) -> bool {
        dir.join(cloudcap_evidence::JOURNAL_FILE).exists()
            || dir.join(cloudcap_evidence::MANIFEST_FILE).exists()
    }
}

fn timestamp(text: &str) -> Result<jiff::Timestamp, SinkError> {
    text.parse()
        .map_err(|err| SinkError(format!("bad timestamp {text}: {err}")))
}

impl EvidenceSink for BundleSink {
    fn add_raw(&self, meta: &RawMeta, bytes: &[u8]) -> Result<(), SinkError> {
        let entry = EntryMeta::new(
            KIND_RAW,
            meta.provider,
            &meta.account,
            &meta.region,
            &format!("{}:{}", meta.service, meta.action),
            timestamp(&meta.fetched_at)?,
        )
        .with_media_type(meta.media_type);
        let sha = self
            .writer
            .lock()
            .unwrap()
            .add_raw(entry, bytes)
            .map_err(|err| SinkError(format!("{err:#}")))?;
        if sha.to_string() != meta.sha256 {
            return Err(SinkError(format!(
                "digest mismatch for {}:{}",
                meta.service, meta.action
            )));
        }
        Ok(())
    }

    fn add_record(&self, entry_kind: &str, record: &serde_json::Value) -> Result<(), SinkError> {
        let field = |name: &str| {
            record
                .get(name)
                .and_then(|v| v.as_str())
                .unwrap_or("unknown")
        };
        let now = crate::clock::now_seconds();
        let meta = EntryMeta::new(
            entry_kind,
            field("provider"),
            field("account"),
            field("region"),
            "cloudcap-collect",
            now,
        );
        self.writer
            .lock()
            .unwrap()
            .add_record(meta, record)
            .map_err(|err| SinkError(format!("{entry_kind} {}: {err:#}", field("resource_id"))))?;
        Ok(())
    }
}
