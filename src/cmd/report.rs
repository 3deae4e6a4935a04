//! `cloudcap report` (render a report in another format) and `cloudcap diff` (compare two reports).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use cloudcap_engine::{REPORT_FORMAT, Report, SCORING_METHOD};
use cloudcap_report::Format;

use crate::cmd::catalog::Lang;
use crate::exit;

#[derive(clap::Args)]
pub(crate) struct ReportArgs {
    /// The report written by `cloudcap assess` (JSON).
    report: PathBuf,
    /// table, json, markdown, html, junit, sarif, oscal-ar or oscal-poam.
    #[arg(long, value_parser = parse_format, default_value = "table")]
    format: Format,
    /// Language of labels and control titles.
    #[arg(long, value_enum, default_value = "en")]
    lang: Lang,
    /// Write to this file (atomically: a temporary file, then a rename) instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct DiffArgs {
    /// The older report (the baseline).
    old: PathBuf,
    /// The newer report.
    new: PathBuf,
    /// table or json.
    #[arg(long, value_parser = parse_diff_format, default_value = "table")]
    format: Format,
    /// Language of labels.
    #[arg(long, value_enum, default_value = "en")]
    lang: Lang,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| {
        let all: Vec<_> = Format::ALL.iter().map(|f| f.as_str()).collect();
        format!("unknown format `{s}`; expected one of {}", all.join(", "))
    })
}

fn parse_diff_format(s: &str) -> Result<Format, String> {
    match s {
        "table" => Ok(Format::Table),
        "json" => Ok(Format::Json),
        _ => Err(format!("unknown format `{s}`; expected table or json")),
    }
}

fn lang(l: Lang) -> cloudcap_report::Lang {
    l.into()
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

/// Write `contents` to `path` through a temporary file in the same directory and a rename, so
/// readers never see a half-written file.
pub(crate) fn write_atomic(path: &Path, contents: &str) -> Result<()> {
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
        f.write_all(contents.as_bytes())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        f.sync_all()
            .with_context(|| format!("cannot sync {}", tmp.display()))?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot rename {} to {}", tmp.display(), path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn emit(out: Option<&Path>, text: &str) -> Result<()> {
    match out {
        Some(p) => write_atomic(p, text),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .context("cannot write to stdout")?;
            stdout.flush().context("cannot write to stdout")
        }
    }
}

pub(crate) fn run_report(args: ReportArgs) -> Result<u8> {
    let report = load_report(&args.report)?;
    let text = cloudcap_report::render(&report, args.format, lang(args.lang))?;
    emit(args.out.as_deref(), &text)?;
    Ok(exit::OK)
}

pub(crate) fn run_diff(args: DiffArgs) -> Result<u8> {
    let old = load_report(&args.old)?;
    let new = load_report(&args.new)?;
    if old.target_tier != new.target_tier {
        eprintln!(
            "warning: target tiers differ ({} vs {}); comparing at {}",
            old.target_tier.as_str(),
            new.target_tier.as_str(),
            new.target_tier.as_str()
        );
    }
    let d = cloudcap_report::diff(&old, &new);
    let text = cloudcap_report::render_diff(&d, args.format, lang(args.lang))?;
    emit(None, &text)?;
    Ok(exit::OK)
}
