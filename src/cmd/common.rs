//! What several subcommands share: the catalog argument, the language, tier parsing, report
//! loading, bundle and `--at` checks, the one atomic file write and the one environment read.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use cloudcap_catalog::{Catalog, Source, Tier};
use cloudcap_engine::{EstateError, Evidence, REPORT_FORMAT, Report, SCORING_METHOD};
use cloudcap_evidence::Bundle;

/// `--controls DIR`: use a catalog folder instead of the embedded one.
#[derive(clap::Args, Clone, Default)]
pub(crate) struct CatalogArg {
    /// Catalog folder to use instead of the catalog embedded in the binary.
    #[arg(long = "controls", value_name = "DIR")]
    pub(crate) controls: Option<PathBuf>,
}

/// Loads the embedded catalog or `--controls DIR`, failing with every diagnostic printed.
pub(crate) fn load(arg: &CatalogArg) -> Result<Catalog> {
    let source = catalog_source(arg.controls.as_deref())?;
    let (catalog, diags) = cloudcap_engine::lint_catalog(&source);
    // Warnings (e.g. a glossary variant) are shown but do not refuse the catalog.
    for d in &diags {
        eprintln!("{d}");
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        bail!("the catalog has {errors} problem(s)");
    }
    catalog.context("catalog failed to load")
}

/// The embedded catalog, or the folder `dir`.
pub(crate) fn catalog_source(dir: Option<&Path>) -> Result<Source> {
    match dir {
        None => Ok(cloudcap_catalog::embedded_source()),
        Some(dir) => Source::from_dir(dir)
            .with_context(|| format!("cannot read catalog folder {}", dir.display())),
    }
}

/// `--lang`: the language of labels and control titles.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    Zh,
}

impl Lang {
    /// The shared vocabulary's language (the renderers', the catalog texts').
    pub(crate) fn report(self) -> cloudcap_report::Lang {
        match self {
            Lang::En => cloudcap_report::Lang::En,
            Lang::Zh => cloudcap_report::Lang::Zh,
        }
    }
}

/// `--tier` (and a policy's `tier`): basic, enhanced or advanced.
pub(crate) fn parse_tier(s: &str) -> Result<Tier, String> {
    Tier::parse(s)
        .ok_or_else(|| format!("unknown tier `{s}`; expected basic, enhanced or advanced"))
}

/// Read and parse a report, refusing report formats and scoring methods this build does not know.
pub(crate) fn load_report(path: &Path) -> Result<Report> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read report {}", path.display()))?;
    // The format number first: a report of another format is refused by name, not by the
    // first field whose shape changed.
    #[derive(serde::Deserialize)]
    struct Head {
        report_format: Option<u32>,
    }
    if let Ok(Head {
        report_format: Some(format),
    }) = serde_json::from_str::<Head>(&text)
    {
        if format != REPORT_FORMAT {
            bail!(
                "{}: report_format {format}, this build reads {REPORT_FORMAT}: re-run `cloudcap assess` on the bundle to get a report of this format",
                path.display(),
            );
        }
    }
    let report: Report = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a valid cloudcap report", path.display()))?;
    if report.scoring_method != SCORING_METHOD {
        bail!(
            "{}: unknown scoring_method `{}` (this build knows `{SCORING_METHOD}`)",
            path.display(),
            report.scoring_method
        );
    }
    Ok(report)
}

/// Normalizes `--at`: RFC 3339 with `Z`, or a date meaning midnight UTC.
pub(crate) fn normalize_at(at: &str) -> Result<String> {
    let candidate = if at.len() == 10 {
        format!("{at}T00:00:00Z")
    } else {
        at.to_owned()
    };
    let ts: jiff::Timestamp = candidate.parse().with_context(|| {
        format!("--at `{at}` is not RFC 3339 (e.g. 2026-11-25T00:00:00Z) or YYYY-MM-DD")
    })?;
    Ok(ts.to_string())
}

/// Verification options for this machine: no trusted key, and as many threads as cores (at
/// most [`cloudcap_evidence::MAX_THREADS`]); the report does not depend on the count.
pub(crate) fn verify_options() -> cloudcap_evidence::VerifyOptions {
    cloudcap_evidence::VerifyOptions {
        trusted_key: None,
        threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
    }
}

/// Opens and verifies a bundle; any verification problem is fatal (invalid input).
pub(crate) fn open_verified(path: &Path) -> Result<Bundle> {
    let bundle = Bundle::open_path(path)
        .with_context(|| format!("cannot open bundle {}", path.display()))?;
    let report = cloudcap_evidence::verify(&bundle, &verify_options());
    if !report.is_ok() {
        for p in &report.problems {
            eprintln!("{}: {p}", path.display());
        }
        bail!(
            "bundle {} fails verification; run `cloudcap evidence verify` for details",
            path.display()
        );
    }
    Ok(bundle)
}

/// Opens and verifies every bundle of `paths` and combines their evidence into one estate (one
/// bundle: its evidence as it is). The same bundle given twice (by path or by merkle root) and
/// two bundles covering one scope are refused, naming both, before anything is graded.
pub(crate) fn open_estate(paths: &[PathBuf]) -> Result<Evidence> {
    let mut seen: Vec<PathBuf> = Vec::with_capacity(paths.len());
    for p in paths {
        let canonical = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        if let Some(i) = seen.iter().position(|c| *c == canonical) {
            bail!(
                "bundle {} is given twice (as {} and {})",
                canonical.display(),
                paths[i].display(),
                p.display()
            );
        }
        seen.push(canonical);
    }
    let mut parts = Vec::with_capacity(paths.len());
    for p in paths {
        let bundle = open_verified(p)?;
        parts.push(
            Evidence::from_bundle(&bundle)
                .with_context(|| format!("cannot read bundle {}", p.display()))?,
        );
    }
    cloudcap_engine::combine_estate(parts).map_err(|e| match e {
        EstateError::Empty => anyhow::format_err!("no bundle given"),
        EstateError::SameBundle {
            first,
            second,
            merkle_root,
        } => anyhow::format_err!(
            "bundles {} and {} are the same bundle (merkle root {merkle_root}): give each bundle once",
            paths[first].display(),
            paths[second].display()
        ),
        EstateError::Overlap {
            first,
            second,
            scope,
        } => anyhow::format_err!(
            "bundles {} and {} both cover {scope}: an estate takes each scope from one bundle",
            paths[first].display(),
            paths[second].display()
        ),
    })
}

/// The merkle roots an estate (or one bundle's evidence) is made of, sorted.
pub(crate) fn merkle_roots(evidence: &Evidence) -> Vec<String> {
    if evidence.bundles.is_empty() {
        vec![evidence.bundle_merkle_root.clone()]
    } else {
        evidence
            .bundles
            .iter()
            .map(|b| b.merkle_root.clone())
            .collect()
    }
}

/// Writes `contents` to `path` through a temporary file in the same directory, synced, then a
/// rename and a sync of the directory, so readers never see a half-written file and the new
/// file survives a crash once this returns.
pub(crate) fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> Result<()> {
        let mut f = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        f.write_all(contents)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        f.sync_all()
            .with_context(|| format!("cannot sync {}", tmp.display()))?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot rename {} to {}", tmp.display(), path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    sync_dir(dir)
}

/// Makes a rename in `dir` durable (Unix: fsync the directory; elsewhere directories cannot be
/// opened for syncing, and the rename is as durable as the platform makes it).
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", dir.display()))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// An environment variable, `None` when unset, empty or not Unicode.
pub(crate) fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}
