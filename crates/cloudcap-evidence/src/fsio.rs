//! Durable file operations (temp file, fsync, rename, directory fsync) with a crash-test hook.
//!
//! Every step that changes the bundle on disk goes through [`Durable`]. In tests a step budget
//! can be set: when it runs out, the step is cut short as a crash would cut it (a temp file or a
//! journal line half written, a rename not done) and [`Error::Interrupted`] is returned.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Performs durable writes, counting steps for the crash-test hook.
#[derive(Debug, Default)]
pub(crate) struct Durable {
    /// Steps left before a simulated crash; `None` = never crash.
    budget: Option<u64>,
    /// Skip fsync (benchmark bundles only: same bytes, no durability).
    unsynced: bool,
}

impl Durable {
    pub(crate) fn new(budget: Option<u64>) -> Durable {
        Durable {
            budget,
            unsynced: false,
        }
    }

    /// No fsync at all: for generating benchmark bundles, never for evidence.
    pub(crate) fn unsynced() -> Durable {
        Durable {
            budget: None,
            unsynced: true,
        }
    }

    /// Counts one step; `true` if the simulated crash happens now.
    fn crash_now(&mut self) -> bool {
        match &mut self.budget {
            Some(0) => true,
            Some(n) => {
                *n -= 1;
                false
            }
            None => false,
        }
    }

    /// Writes `bytes` to `path` atomically: temp file in the same directory, fsync, rename, directory fsync.
    pub(crate) fn write_atomic(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let dir = parent(path);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        let tmp = dir.join(format!(".{name}.tmp"));
        if self.crash_now() {
            // A crash while writing leaves a partial temp file behind.
            let _ = fs::write(&tmp, &bytes[..bytes.len() / 2]);
            return Err(Error::Interrupted);
        }
        {
            let mut f = File::create(&tmp).map_err(Error::io("create", &tmp))?;
            f.write_all(bytes).map_err(Error::io("write", &tmp))?;
            if !self.unsynced {
                f.sync_all().map_err(Error::io("fsync", &tmp))?;
            }
        }
        if self.crash_now() {
            return Err(Error::Interrupted);
        }
        fs::rename(&tmp, path).map_err(Error::io("rename into place", path))?;
        if self.crash_now() {
            return Err(Error::Interrupted);
        }
        self.sync_dir(dir)
    }

    /// Appends one line to an open append-only file and syncs it.
    pub(crate) fn append(&mut self, file: &mut File, path: &Path, line: &[u8]) -> Result<()> {
        if self.crash_now() {
            // A crash mid-append leaves a torn line.
            let _ = file.write_all(&line[..line.len() / 2]);
            return Err(Error::Interrupted);
        }
        file.write_all(line).map_err(Error::io("append to", path))?;
        if self.unsynced {
            return Ok(());
        }
        file.sync_data().map_err(Error::io("fsync", path))
    }

    /// Removes a file and syncs its directory.
    pub(crate) fn remove(&mut self, path: &Path) -> Result<()> {
        if self.crash_now() {
            return Err(Error::Interrupted);
        }
        fs::remove_file(path).map_err(Error::io("remove", path))?;
        self.sync_dir(parent(path))
    }

    /// Creates one directory and syncs its parent.
    pub(crate) fn create_dir(&mut self, path: &Path) -> Result<()> {
        if self.crash_now() {
            return Err(Error::Interrupted);
        }
        fs::create_dir(path).map_err(Error::io("create directory", path))?;
        self.sync_dir(parent(path))
    }

    fn sync_dir(&self, dir: &Path) -> Result<()> {
        if self.unsynced {
            return Ok(());
        }
        sync_dir(dir)
    }

    /// Truncates a file to `len` bytes and syncs it.
    pub(crate) fn truncate(&mut self, file: &File, path: &Path, len: u64) -> Result<()> {
        if self.crash_now() {
            return Err(Error::Interrupted);
        }
        file.set_len(len).map_err(Error::io("truncate", path))?;
        file.sync_all().map_err(Error::io("fsync", path))
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes a directory's entries (creations, renames, removals) durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(Error::io("fsync directory", dir))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
