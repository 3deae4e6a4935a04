//! The single-file form of a bundle: a deterministic ustar archive.
//!
//! Members, in order: `manifest.json`, `manifest.sig` (if signed), then every object the
//! manifest lists as `objects/<xx>/<sha256>`, sorted by path. Every header has mode 0644,
//! uid/gid 0, empty owner names and mtime 0, so the same bundle always gives the same bytes.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::Path;

use crate::bundle::{Bundle, MANIFEST_FILE, SIGNATURE_FILE};
use crate::error::{Error, Result};
use crate::fsio::{Durable, sync_dir};
use crate::hash::Sha256Hex;

/// Writes the finished bundle `dir` (or archive) to `out` as a deterministic tar, atomically.
///
/// Fails if the bundle is incomplete or an object listed in the manifest is missing; it does
/// not re-hash objects (run [`crate::verify_path`] on the result for that).
pub fn export_archive(dir: &Path, out: &Path) -> Result<()> {
    let bundle = Bundle::open_path(dir)?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("bundle.tar");
    let tmp = parent.join(format!(".{name}.tmp"));
    let result = (|| {
        let file = File::create(&tmp).map_err(Error::io("create", &tmp))?;
        let mut builder = tar::Builder::new(BufWriter::new(file));
        append(&mut builder, &tmp, MANIFEST_FILE, bundle.manifest_bytes())?;
        if let Some(sig) = bundle.signature_bytes() {
            append(&mut builder, &tmp, SIGNATURE_FILE, sig)?;
        }
        let mut shas: Vec<Sha256Hex> = bundle.manifest().entries.iter().map(|e| e.sha256).collect();
        shas.sort();
        shas.dedup();
        for sha in shas {
            let bytes = bundle.object_bytes(&sha)?;
            append(&mut builder, &tmp, &sha.object_path(), &bytes)?;
        }
        let writer = builder.into_inner().map_err(Error::io("write", &tmp))?;
        let file = writer.into_inner().map_err(|e| Error::Io {
            op: "write",
            path: tmp.clone(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(Error::io("fsync", &tmp))
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fs::rename(&tmp, out).map_err(Error::io("rename into place", out))?;
    sync_dir(parent)
}

fn append<W: Write>(
    builder: &mut tar::Builder<W>,
    archive: &Path,
    path: &str,
    bytes: &[u8],
) -> Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_path(path).map_err(Error::io("write", archive))?;
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    header
        .set_username("")
        .map_err(Error::io("write", archive))?;
    header
        .set_groupname("")
        .map_err(Error::io("write", archive))?;
    header.set_cksum();
    builder
        .append(&header, bytes)
        .map_err(Error::io("write", archive))
}

/// Unpacks a bundle archive into `dir` (which must not exist or be empty), accepting only
/// bundle members (`manifest.json`, `manifest.sig`, `objects/<xx>/<sha256>`).
pub fn extract_archive(reader: impl Read, dir: &Path) -> Result<()> {
    let bad = |message: String| Error::Archive {
        path: dir.to_owned(),
        message,
    };
    if dir.exists()
        && fs::read_dir(dir)
            .map_err(Error::io("list", dir))?
            .next()
            .is_some()
    {
        return Err(Error::AlreadyExists {
            path: dir.to_owned(),
        });
    }
    fs::create_dir_all(dir.join("objects")).map_err(Error::io("create directory", dir))?;
    let mut io = Durable::default();
    let mut archive = tar::Archive::new(reader);
    for entry in archive
        .entries()
        .map_err(|e| bad(format!("not a tar archive: {e}")))?
    {
        let mut entry = entry.map_err(|e| bad(format!("unreadable tar entry: {e}")))?;
        if entry.header().entry_type().is_dir() {
            continue;
        }
        let name = entry
            .path()
            .map_err(|e| bad(e.to_string()))?
            .to_string_lossy()
            .into_owned();
        let allowed = name == MANIFEST_FILE
            || name == SIGNATURE_FILE
            || name
                .strip_prefix("objects/")
                .and_then(|r| r.split_once('/'))
                .and_then(|(d, n)| Sha256Hex::parse(n).filter(|s| s.to_string()[..2] == *d))
                .is_some();
        if !allowed || !entry.header().entry_type().is_file() {
            return Err(bad(format!("unexpected member `{name}`")));
        }
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(Error::io("read archive member of", dir))?;
        let path = dir.join(&name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(Error::io("create directory", parent))?;
        }
        io.write_atomic(&path, &bytes)?;
    }
    Ok(())
}
