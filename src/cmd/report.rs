//! `cloudcap report` (render a report in another format) and `cloudcap diff` (compare two reports).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use cloudcap_report::Format;

use crate::cmd::common::{Lang, load_report, write_atomic};
use crate::exit::{self, Failure, Outcome};

#[derive(clap::Args)]
pub(crate) struct ReportArgs {
    /// The report written by `cloudcap assess` (JSON).
    report: PathBuf,
    /// table, json, markdown, html, junit, sarif, oscal-ar, oscal-poam, csv or xlsx (needs --out).
    #[arg(long, value_parser = parse_format, default_value = "table")]
    format: Format,
    /// Language of labels and control titles.
    #[arg(long, value_enum, default_value = "en")]
    lang: Lang,
    /// Write to this file (atomically: a temporary file, then a rename) instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// A rectification plan file (TOML `[[item]]` entries: control, item, owner, due
    /// YYYY-MM-DD, status open|in-progress|done, note): its owners, due dates and statuses go
    /// into the plan of the Markdown and HTML reports and into the POA&M. Checked against the
    /// report first; any problem is printed as path:line:col and nothing is written (exit 4).
    #[arg(long)]
    plan: Option<PathBuf>,
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

fn emit(out: Option<&Path>, text: &str) -> Result<()> {
    match out {
        Some(p) => write_atomic(p, text.as_bytes()),
        None => {
            out!("{text}");
            Ok(())
        }
    }
}

pub(crate) fn run_report(args: ReportArgs) -> exit::Result {
    let report = load_report(&args.report)?;
    let plan = match &args.plan {
        None => cloudcap_report::Plan::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read plan file {}", path.display()))?;
            match cloudcap_report::parse_plan(&path.display().to_string(), &text, &report) {
                Ok(plan) => plan,
                Err(problems) => {
                    for p in &problems {
                        eprintln!("{p}");
                    }
                    return Err(Failure::Reported);
                }
            }
        }
    };
    if args.format == Format::Xlsx && args.out.is_none() {
        return Err(anyhow::anyhow!(
            "--format xlsx writes a binary workbook: name the file with --out"
        )
        .into());
    }
    let bytes = cloudcap_report::render_bytes(&report, args.format, args.lang.report(), &plan)?;
    match &args.out {
        Some(p) => write_atomic(p, &bytes)?,
        None => out!("{}", String::from_utf8_lossy(&bytes)),
    }
    Ok(Outcome::Success)
}

pub(crate) fn run_diff(args: DiffArgs) -> exit::Result {
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
    let text = cloudcap_report::render_diff(&d, args.format, args.lang.report())?;
    emit(None, &text)?;
    Ok(Outcome::Success)
}
