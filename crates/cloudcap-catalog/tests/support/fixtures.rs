//! The invalid catalog fixtures, read from `crates/cloudcap-catalog/tests/fixtures/invalid/`.
//!
//! Shared by the catalog, engine, xtask and CLI tests (`#[path]`-included), so that all of them
//! read the same fixtures the same way. Each fixture is laid over a small base catalog
//! (`controls/catalog.toml`, `controls/ac/family.toml`, `controls/sds/family.toml`):
//!
//! * `<name>.toml`: one file. Its first line is `# expect: <code> <line>:<col>`; an optional
//!   second line `# at: <path>` says where it sits in the catalog (default `ac/ac-8.11.toml`;
//!   a base file's path replaces that file).
//! * `<name>/`: several files at their catalog paths; the one whose first line is
//!   `# expect: ...` is where the diagnostic must be.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cloudcap_catalog::{Source, SourceFile};

/// One invalid fixture: the catalog it makes and the diagnostic it must give.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// File or folder name in `fixtures/invalid/`.
    pub name: String,
    /// Catalog-relative path → text, the base catalog with the fixture laid over it.
    pub files: BTreeMap<String, String>,
    /// The expected code (kebab-case) and where: catalog-relative path, line, column.
    pub code: String,
    pub path: String,
    pub line: usize,
    pub col: usize,
}

/// The workspace root, from any crate of the workspace.
pub fn workspace_root(manifest_dir: &str) -> PathBuf {
    let mut dir = PathBuf::from(manifest_dir);
    while !dir.join("controls").join("catalog.toml").is_file() {
        assert!(dir.pop(), "no workspace root above {manifest_dir}");
    }
    dir
}

pub fn invalid_dir(root: &Path) -> PathBuf {
    root.join("crates/cloudcap-catalog/tests/fixtures/invalid")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `# expect: <code> <line>:<col>` → (code, line, col), or `None` without the header.
pub fn expectation(text: &str) -> Option<(String, usize, usize)> {
    let expect = text.lines().next()?.strip_prefix("# expect: ")?;
    let (code, at) = expect.split_once(' ')?;
    let (line, col) = at.trim().split_once(':')?;
    Some((code.to_owned(), line.parse().ok()?, col.parse().ok()?))
}

fn files_below(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_below(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, read(&path));
        }
    }
}

/// Every invalid fixture, sorted by name.
pub fn invalid_fixtures(root: &Path) -> Vec<Fixture> {
    let base: BTreeMap<String, String> = ["catalog.toml", "ac/family.toml", "sds/family.toml"]
        .iter()
        .map(|p| ((*p).to_owned(), read(&root.join("controls").join(p))))
        .collect();
    let dir = invalid_dir(root);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let path = dir.join(&name);
            let mut overlay = BTreeMap::new();
            if path.is_dir() {
                files_below(&path, &path, &mut overlay);
            } else {
                let text = read(&path);
                let at = text
                    .lines()
                    .nth(1)
                    .and_then(|l| l.strip_prefix("# at: "))
                    .unwrap_or("ac/ac-8.11.toml")
                    .trim()
                    .to_owned();
                overlay.insert(at, text);
            }
            let expecting: Vec<_> = overlay
                .iter()
                .filter_map(|(p, t)| expectation(t).map(|e| (p.clone(), e)))
                .collect();
            assert_eq!(
                expecting.len(),
                1,
                "{name}: exactly one file starts with `# expect: <code> <line>:<col>`"
            );
            let (path, (code, line, col)) = expecting.into_iter().next().unwrap();
            let mut files = base.clone();
            files.extend(overlay);
            Fixture {
                name,
                files,
                code,
                path,
                line,
                col,
            }
        })
        .collect()
}

impl Fixture {
    /// The fixture as an in-memory catalog (diagnostics under `controls/`).
    pub fn source(&self) -> Source {
        Source::from_files(
            self.files
                .iter()
                .map(|(path, text)| SourceFile {
                    path: path.clone(),
                    text: text.clone(),
                })
                .collect(),
        )
    }

    /// Writes the fixture's catalog into `dir`, for the command-line tools.
    pub fn write(&self, dir: &Path) {
        for (path, text) in &self.files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }
}
