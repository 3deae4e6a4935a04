//! `journal.jsonl`: the append-only write-ahead list of entries of a bundle being written.
//!
//! Line 1 is the header (format version and [`BundleInfo`]); every further line is the JCS of
//! one [`Entry`], appended and fsynced after its object is durable. A crash can only leave a
//! torn *last* line (no newline); anything else unparsable is corruption.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::manifest::{BundleInfo, Entry, FORMAT_VERSION};

/// File name of the journal inside a bundle directory.
pub const JOURNAL_FILE: &str = "journal.jsonl";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format_version: u64,
    tool_version: String,
    catalog_digest: String,
    created_at: Timestamp,
}

/// A parsed journal.
#[derive(Debug)]
pub(crate) struct Journal {
    pub(crate) info: BundleInfo,
    pub(crate) entries: Vec<Entry>,
    /// The journal ends in a line without a newline.
    pub(crate) torn: bool,
    /// Length of the complete lines (where a resumed writer truncates to).
    pub(crate) valid_len: u64,
}

/// The header line (with its newline).
pub(crate) fn header_line(info: &BundleInfo) -> Vec<u8> {
    let h = Header {
        format_version: FORMAT_VERSION,
        tool_version: info.tool_version.clone(),
        catalog_digest: info.catalog_digest.clone(),
        created_at: info.created_at,
    };
    let mut line = serde_jcs::to_vec(&h).expect("header serializes");
    line.push(b'\n');
    line
}

/// An entry line (with its newline).
pub(crate) fn entry_line(entry: &Entry) -> Vec<u8> {
    let mut line = entry.to_jcs();
    line.push(b'\n');
    line
}

/// Parses a journal; the error is `(one-based line, message)`.
pub(crate) fn parse(bytes: &[u8]) -> Result<Journal, (usize, String)> {
    let complete_len = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let torn = complete_len < bytes.len();
    let mut lines = bytes[..complete_len].split(|&b| b == b'\n');
    let header_bytes = match lines.next() {
        Some(h) if !h.is_empty() => h,
        _ => {
            // Not even the header made it: a crash during create.
            return Err((1, "the journal has no header line".into()));
        }
    };
    let header: Header =
        serde_json::from_slice(header_bytes).map_err(|e| (1, format!("bad header: {e}")))?;
    if header.format_version != FORMAT_VERSION {
        return Err((
            1,
            format!(
                "journal format version {} is not supported",
                header.format_version
            ),
        ));
    }
    let mut entries = Vec::new();
    for (i, line) in lines.enumerate() {
        if line.is_empty() {
            continue;
        }
        let entry: Entry =
            serde_json::from_slice(line).map_err(|e| (i + 2, format!("bad entry: {e}")))?;
        if entry.id != entry.expected_id() {
            return Err((
                i + 2,
                format!("entry id {} does not match its content", entry.id),
            ));
        }
        entries.push(entry);
    }
    Ok(Journal {
        info: BundleInfo {
            tool_version: header.tool_version,
            catalog_digest: header.catalog_digest,
            created_at: header.created_at,
        },
        entries,
        torn,
        valid_len: complete_len as u64,
    })
}
