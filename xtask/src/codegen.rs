//! `cargo xtask codegen [--check]`: every generated file of the repository, and the one check
//! that the committed files are what the generators produce.
//!
//! The files come from the libraries' own pure functions: the evidence JSON Schemas
//! (`cloudcap_evidence::schema_files`), the embedded sample bundle
//! (`cloudcap_evidence::sample::files`), `controls/DIAGNOSTICS.md`
//! (`cloudcap_catalog::diagnostics_md`) and the capability matrix inside `docs/collectors.md`
//! (`cloudcap_collect::capability::matrix_md`, between two marker lines); from the binary,
//! the CLI reference `docs/cli.md` and the man pages `docs/man/`. A directory in [`OWNED_DIRS`] holds generated files
//! only, so a file there that no generator produces any more is stale too. `cargo test` runs the
//! check (the test `generated_files_are_up_to_date`).

use std::fmt;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// Directories (relative to the workspace root) whose every file is generated.
pub(crate) const OWNED_DIRS: [&str; 1] = [cloudcap_evidence::SCHEMA_DIR];

/// Where the man pages are committed: generated only, like [`OWNED_DIRS`], but by the binary
/// (so only with [`Cli::Include`]).
pub(crate) const MAN_DIR: &str = "docs/man";

/// The command that brings the generated files up to date.
pub(crate) const COMMAND: &str = "cargo xtask codegen";

/// Whether `codegen` writes the files or only compares them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Write what differs, delete what is not generated.
    Write,
    /// Compare only; write nothing.
    Check,
}

/// Why a committed file is not what the generators produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Problem {
    /// A generated file that is not in the repository.
    Missing,
    /// A generated file whose committed contents differ.
    OutOfDate,
    /// A file in an owned directory that no generator produces.
    NotGenerated,
}

/// One stale file, its path relative to the workspace root.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Stale {
    pub(crate) path: PathBuf,
    pub(crate) problem: Problem,
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.problem {
            Problem::Missing => "missing",
            Problem::OutOfDate => "out of date",
            Problem::NotGenerated => "no generator produces it (codegen deletes it)",
        };
        write!(f, "{}: {what}", self.path.display())
    }
}

/// Where the CLI reference is committed, relative to the workspace root.
pub(crate) const CLI_REFERENCE: &str = "docs/cli.md";

/// Whether the CLI reference is generated too. It comes from the `cloudcap` binary, built and
/// run for it (`cargo run --release -- __cli-reference`); `cargo test` checks it with the
/// binary's own test (`cli_reference_is_up_to_date`) instead of building the binary again from
/// inside a test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cli {
    Include,
    // Only the test skips it.
    #[cfg_attr(not(test), allow(dead_code))]
    Skip,
}

/// Runs `cloudcap ARGS…`, the binary of the workspace at `root`; returns its stdout.
fn cloudcap(root: &Path, args: &[&std::ffi::OsStr]) -> Result<Vec<u8>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .current_dir(root)
        .args(["run", "--release", "--quiet", "--bin", "cloudcap", "--"])
        .args(args)
        .output()
        .map_err(|e| format!("cannot run cargo for `cloudcap {:?}`: {e}", args))?;
    if !out.status.success() {
        return Err(format!(
            "`cloudcap {args:?}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}

/// The CLI reference, from the binary of the workspace at `root`.
fn cli_reference(root: &Path) -> Result<Vec<u8>, String> {
    cloudcap(root, &["__cli-reference".as_ref()])
}

/// The man pages, written by the binary of the workspace at `root` into a scratch directory.
fn man_pages(root: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    let scratch = tempfile::tempdir().map_err(|e| format!("cannot create a scratch dir: {e}"))?;
    let dir = scratch.path();
    cloudcap(root, &["__man-pages".as_ref(), dir.as_os_str()])?;
    let mut pages = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))? {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        let bytes = fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = path.file_name().expect("a listed file has a name");
        pages.push((Path::new(MAN_DIR).join(name), bytes));
    }
    Ok(pages)
}

/// The hand-written document that holds the generated capability matrix.
pub(crate) const COLLECTORS_DOC: &str = "docs/collectors.md";

/// The lines that open and close the generated capability matrix in [`COLLECTORS_DOC`].
const MATRIX_START: &str = "<!-- capability matrix: generated by `cargo xtask codegen` from cloudcap_collect::capability; do not edit -->";
const MATRIX_END: &str = "<!-- end of capability matrix -->";

/// `doc` with the text between [`MATRIX_START`] and [`MATRIX_END`] replaced by `matrix`.
fn splice_matrix(doc: &str, matrix: &str) -> Result<String, String> {
    let start = doc
        .find(MATRIX_START)
        .ok_or_else(|| format!("{COLLECTORS_DOC}: no line `{MATRIX_START}`"))?;
    let body = start + MATRIX_START.len();
    let end = doc[body..]
        .find(MATRIX_END)
        .map(|i| body + i)
        .ok_or_else(|| format!("{COLLECTORS_DOC}: no line `{MATRIX_END}` after the start"))?;
    Ok(format!("{}\n\n{matrix}\n{}", &doc[..body], &doc[end..]))
}

/// [`COLLECTORS_DOC`] as it is, with the capability matrix brought up to date.
fn collectors_doc(root: &Path) -> Result<Vec<u8>, String> {
    let path = root.join(COLLECTORS_DOC);
    let doc =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(splice_matrix(&doc, &cloudcap_collect::capability::matrix_md())?.into_bytes())
}

/// Every generated file: path relative to the workspace root and its contents, sorted by path.
///
/// `scratch` is an empty directory the sample bundle is built in.
pub(crate) fn generated(
    root: &Path,
    scratch: &Path,
    cli: Cli,
) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    let mut files = cloudcap_evidence::schema_files();
    if cli == Cli::Include {
        files.push((PathBuf::from(CLI_REFERENCE), cli_reference(root)?));
        files.extend(man_pages(root)?);
    }
    files.push((PathBuf::from(COLLECTORS_DOC), collectors_doc(root)?));
    files.push((
        Path::new("controls").join("DIAGNOSTICS.md"),
        cloudcap_catalog::diagnostics_md().into_bytes(),
    ));
    files.extend(
        cloudcap_evidence::sample::files(scratch)
            .map_err(|e| format!("cannot build the sample bundle: {e}"))?,
    );
    files.sort();
    Ok(files)
}

/// Generates every file and compares it with `root`; in [`Mode::Write`] also brings `root` up to
/// date. Returns the stale files found (in write mode: the ones it wrote or deleted).
pub(crate) fn run(root: &Path, mode: Mode, cli: Cli) -> Result<Vec<Stale>, String> {
    let scratch = tempfile::tempdir().map_err(|e| format!("cannot create a scratch dir: {e}"))?;
    let files = generated(root, scratch.path(), cli)?;
    let mut owned = OWNED_DIRS.to_vec();
    if cli == Cli::Include {
        owned.push(MAN_DIR);
    }
    let found = stale(root, &files, &owned)?;
    if mode == Mode::Write {
        write(root, &files, &found)?;
    }
    Ok(found)
}

/// The files under `root` that differ from `files`, are missing, or sit in an owned directory
/// without being generated, sorted by path. Reads only.
pub(crate) fn stale(
    root: &Path,
    files: &[(PathBuf, Vec<u8>)],
    owned: &[&str],
) -> Result<Vec<Stale>, String> {
    let mut out = Vec::new();
    for (rel, bytes) in files {
        let path = root.join(rel);
        let problem = match fs::read(&path) {
            Ok(current) if current == *bytes => continue,
            Ok(_) => Problem::OutOfDate,
            Err(e) if e.kind() == ErrorKind::NotFound => Problem::Missing,
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        out.push(Stale {
            path: rel.clone(),
            problem,
        });
    }
    for dir in owned {
        let entries = match fs::read_dir(root.join(dir)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot list {}: {e}", root.join(dir).display())),
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot list {dir}: {e}"))?;
            let rel = Path::new(dir).join(entry.file_name());
            if !files.iter().any(|(p, _)| *p == rel) {
                out.push(Stale {
                    path: rel,
                    problem: Problem::NotGenerated,
                });
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes the missing and out-of-date files of `found`, deletes the ones not generated.
fn write(root: &Path, files: &[(PathBuf, Vec<u8>)], found: &[Stale]) -> Result<(), String> {
    for s in found {
        let path = root.join(&s.path);
        if s.problem == Problem::NotGenerated {
            let removed = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            removed.map_err(|e| format!("cannot delete {}: {e}", path.display()))?;
            continue;
        }
        let (_, bytes) = files
            .iter()
            .find(|(p, _)| *p == s.path)
            .expect("a stale generated file is one of the generated files");
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// The message `--check` and the test fail with: every stale file, then the command.
pub(crate) fn stale_message(found: &[Stale]) -> String {
    let mut msg = format!(
        "{} generated file(s) out of date; run `{COMMAND}` and commit the result:",
        found.len()
    );
    for s in found {
        msg.push_str(&format!("\n  {s}"));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask sits in the workspace root")
            .to_path_buf()
    }

    /// The committed generated files are what the generators produce: `cargo xtask codegen --check`.
    #[test]
    fn generated_files_are_up_to_date() {
        let found = run(&workspace_root(), Mode::Check, Cli::Skip).unwrap();
        assert!(found.is_empty(), "{}", stale_message(&found));
    }

    #[test]
    fn the_matrix_replaces_only_its_own_lines() {
        let doc = format!("# A\n\n{MATRIX_START}\n\nold\n{MATRIX_END}\n\ntail\n");
        let once = splice_matrix(&doc, "| new |\n").unwrap();
        assert_eq!(
            once,
            format!("# A\n\n{MATRIX_START}\n\n| new |\n\n{MATRIX_END}\n\ntail\n")
        );
        assert_eq!(splice_matrix(&once, "| new |\n").unwrap(), once);
        assert!(
            splice_matrix("# A\n", "x")
                .unwrap_err()
                .contains(COLLECTORS_DOC)
        );
    }

    fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut todo = vec![root.to_path_buf()];
        while let Some(dir) = todo.pop() {
            for entry in fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    todo.push(path);
                } else {
                    let bytes = fs::read(&path).unwrap();
                    out.push((path.strip_prefix(root).unwrap().to_path_buf(), bytes));
                }
            }
        }
        out.sort();
        out
    }

    /// The check names every stale file (changed, missing, no longer generated) and writes
    /// nothing; writing fixes exactly those, deleting the file nothing generates.
    #[test]
    fn check_lists_every_stale_file_and_write_fixes_them() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let schemas = Path::new(OWNED_DIRS[0]);
        let files = vec![
            (schemas.join("a.schema.json"), b"a\n".to_vec()),
            (schemas.join("b.schema.json"), b"b\n".to_vec()),
            (schemas.join("c.schema.json"), b"c\n".to_vec()),
            (Path::new("docs").join("gen.md"), b"gen\n".to_vec()),
        ];
        fs::create_dir_all(root.join(schemas)).unwrap();
        fs::create_dir_all(root.join("docs")).unwrap();
        fs::write(root.join(schemas).join("a.schema.json"), "a\n").unwrap();
        fs::write(root.join(schemas).join("b.schema.json"), "old b\n").unwrap();
        fs::write(root.join(schemas).join("gone.schema.json"), "gone\n").unwrap();
        fs::write(root.join("docs").join("gen.md"), "gen\n").unwrap();
        fs::write(root.join("docs").join("by-hand.md"), "mine\n").unwrap();
        let before = snapshot(root);

        let found = stale(root, &files, &OWNED_DIRS).unwrap();
        assert_eq!(
            found,
            [
                Stale {
                    path: schemas.join("b.schema.json"),
                    problem: Problem::OutOfDate
                },
                Stale {
                    path: schemas.join("c.schema.json"),
                    problem: Problem::Missing
                },
                Stale {
                    path: schemas.join("gone.schema.json"),
                    problem: Problem::NotGenerated
                },
            ]
        );
        assert_eq!(snapshot(root), before, "the check wrote something");
        let msg = stale_message(&found);
        for s in &found {
            assert!(msg.contains(&s.path.display().to_string()), "{msg}");
        }
        assert!(msg.contains("`cargo xtask codegen`"), "{msg}");

        write(root, &files, &found).unwrap();
        assert_eq!(stale(root, &files, &OWNED_DIRS).unwrap(), []);
        let mut expected = files.clone();
        expected.push((Path::new("docs").join("by-hand.md"), b"mine\n".to_vec()));
        expected.sort();
        assert_eq!(snapshot(root), expected);
    }
}
