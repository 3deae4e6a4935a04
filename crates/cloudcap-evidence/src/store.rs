//! Read access to a bundle's files, whether it is a directory or a tar archive.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where a bundle's files live.
#[derive(Debug)]
pub(crate) enum Store {
    /// A bundle directory.
    Dir(PathBuf),
    /// A tar archive, indexed by path: (data offset, size).
    Archive {
        path: PathBuf,
        file: File,
        index: BTreeMap<String, (u64, u64)>,
    },
}

impl Store {
    /// Opens a directory or an archive, whichever `path` is.
    pub(crate) fn open(path: &Path) -> Result<Store> {
        let meta = fs::metadata(path).map_err(Error::io("open", path))?;
        if meta.is_dir() {
            Ok(Store::Dir(path.to_owned()))
        } else {
            Store::archive(path)
        }
    }

    /// Indexes a tar archive without reading object data.
    pub(crate) fn archive(path: &Path) -> Result<Store> {
        let bad = |message: String| Error::Archive {
            path: path.to_owned(),
            message,
        };
        let file = File::open(path).map_err(Error::io("open", path))?;
        let mut archive = tar::Archive::new(file);
        let mut index = BTreeMap::new();
        let entries = archive
            .entries_with_seek()
            .map_err(|e| bad(format!("not a tar archive: {e}")))?;
        for entry in entries {
            let entry = entry.map_err(|e| bad(format!("unreadable tar entry: {e}")))?;
            let kind = entry.header().entry_type();
            let name = entry
                .path()
                .map_err(|e| bad(format!("bad path in tar entry: {e}")))?
                .to_string_lossy()
                .into_owned();
            if kind.is_dir() {
                continue;
            }
            if !kind.is_file() {
                return Err(bad(format!("entry `{name}` is not a regular file")));
            }
            let name = name.trim_start_matches("./").to_owned();
            if index
                .insert(name.clone(), (entry.raw_file_position(), entry.size()))
                .is_some()
            {
                return Err(bad(format!("entry `{name}` appears twice")));
            }
        }
        let file = archive.into_inner();
        Ok(Store::Archive {
            path: path.to_owned(),
            file,
            index,
        })
    }

    /// The directory or archive path.
    pub(crate) fn path(&self) -> &Path {
        match self {
            Store::Dir(p) => p,
            Store::Archive { path, .. } => path,
        }
    }

    /// Reads a file (path relative to the bundle root, `/`-separated); `None` if it does not exist.
    pub(crate) fn read(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        let mut buf = Vec::new();
        Ok(self.read_into(rel, &mut buf)?.then_some(buf))
    }

    /// Reads a file into `buf` (cleared first); `false` if it does not exist.
    pub(crate) fn read_into(&self, rel: &str, buf: &mut Vec<u8>) -> Result<bool> {
        buf.clear();
        match self {
            Store::Dir(dir) => {
                let path = dir.join(rel);
                match File::open(&path) {
                    Ok(mut f) => {
                        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                        buf.reserve(usize::try_from(len).unwrap_or(0));
                        f.read_to_end(buf).map_err(Error::io("read", &path))?;
                        Ok(true)
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                    Err(e) => Err(Error::Io {
                        op: "open",
                        path,
                        source: e,
                    }),
                }
            }
            Store::Archive { path, file, index } => {
                let Some(&(offset, size)) = index.get(rel) else {
                    return Ok(false);
                };
                buf.resize(
                    usize::try_from(size).map_err(|_| Error::Archive {
                        path: path.clone(),
                        message: format!("`{rel}` is too large"),
                    })?,
                    0,
                );
                read_at(file, offset, buf).map_err(Error::io("read", path))?;
                Ok(true)
            }
        }
    }

    /// Every file in the bundle, as sorted `/`-separated relative paths.
    pub(crate) fn list_files(&self) -> Result<Vec<String>> {
        match self {
            Store::Archive { index, .. } => Ok(index.keys().cloned().collect()),
            Store::Dir(dir) => {
                let mut out = Vec::new();
                walk(dir, "", &mut out)?;
                out.sort();
                Ok(out)
            }
        }
    }
}

/// Reads `buf.len()` bytes at `offset` with a positioned read, so threads share the file
/// without a lock or a shared cursor.
fn read_at(file: &File, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt as _;
        file.read_exact_at(buf, offset)
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt as _;
        let mut done = 0;
        while done < buf.len() {
            match file.seek_read(&mut buf[done..], offset + done as u64)? {
                0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                n => done += n,
            }
        }
        Ok(())
    }
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(Error::io("list", dir))? {
        let entry = entry.map_err(Error::io("list", dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let ty = entry.file_type().map_err(Error::io("stat", entry.path()))?;
        if ty.is_dir() {
            walk(&entry.path(), &rel, out)?;
        } else {
            out.push(rel);
        }
    }
    Ok(())
}
