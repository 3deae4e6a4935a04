//! Renderers for a [`cloudcap_engine::Report`]: terminal tables, JSON, Markdown, single-file
//! HTML, JUnit, SARIF 2.1.0, OSCAL 1.1 assessment results and POA&M, CSV findings; the
//! rectification plan file ([`parse_plan`]); and the pure [`diff`] of two reports.
//!
//! Markdown and HTML write one document model (`doc.rs`), built from the report once
//! (`document.rs`).
//!
//! Formatting only: nothing here decides a result, reads a file, the environment or a clock.
//! Every renderer is a pure function of the report, so output is byte-stable.

mod accounts;
mod boundary;
mod csv;
mod diff;
mod doc;
mod document;
mod html;
mod junit;
mod markdown;
mod oscal;
mod plan;
mod sarif;
mod table;
mod text;
mod xlsx;

use std::fmt;

use cloudcap_engine::Report;

pub use crate::diff::{
    Change, ControlDiff, Diff, DiffCounts, PlanChange, PlanDiff, PlanDiffCounts, ResourceDiff,
    diff, is_worse, render_diff,
};
pub use crate::plan::{Plan, PlanCode, PlanEntry, PlanProblem, PlanStatus, parse_plan};

/// An output format of `cloudcap report`.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    Hash,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Format {
    Table,
    Json,
    Markdown,
    Html,
    Junit,
    Sarif,
    OscalAr,
    OscalPoam,
    /// The findings, one row per item (RFC 4180, UTF-8 with a byte-order mark).
    Csv,
    /// A workbook: findings, the rectification plan and the boundary (binary: [`render_bytes`]).
    Xlsx,
}

impl Format {
    /// Every format, in declaration order.
    pub const ALL: &'static [Format] = <Format as strum::VariantArray>::VARIANTS;

    /// The format's name on the command line (`oscal-ar`, …).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Reads a format name back; `None` for anything else.
    pub fn parse(s: &str) -> Option<Format> {
        s.parse().ok()
    }
}

pub use cloudcap_model::Lang;

/// Why a report could not be rendered.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The format is not implemented yet.
    Unsupported(Format),
    /// Serializing to JSON failed.
    Json(serde_json::Error),
    /// The report's `assessed_at` is not an RFC 3339 timestamp (needed for POA&M deadlines).
    BadTime(String),
    /// The format is binary: render it with [`render_bytes`].
    Binary(Format),
    /// The spreadsheet library refused the workbook.
    Xlsx(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unsupported(format) => {
                write!(f, "output format `{format}` is not implemented yet")
            }
            Error::Json(_) => f.write_str("cannot serialize the report as JSON"),
            Error::BadTime(t) => write!(f, "assessed_at `{t}` is not an RFC 3339 timestamp"),
            Error::Binary(format) => write!(f, "output format `{format}` is binary, not text"),
            Error::Xlsx(e) => write!(f, "cannot write the spreadsheet: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Json(e) => Some(e),
            Error::Unsupported(_) | Error::BadTime(_) | Error::Binary(_) | Error::Xlsx(_) => None,
        }
    }
}

/// Render `report` in `format`; `lang` chooses labels and titles where the format is for people.
pub fn render(report: &Report, format: Format, lang: Lang) -> Result<String, Error> {
    render_with_plan(report, format, lang, &Plan::default())
}

/// [`render`], with the owners, due dates and statuses of a plan file ([`parse_plan`]) in the
/// rectification plan (Markdown, HTML) and the POA&M.
pub fn render_with_plan(
    report: &Report,
    format: Format,
    lang: Lang,
    plan: &Plan,
) -> Result<String, Error> {
    match format {
        Format::Table => Ok(table::render(report, lang)),
        Format::Json => json(report),
        Format::Markdown => Ok(markdown::render(report, lang, plan)),
        Format::Junit => Ok(junit::render(report, lang)),
        Format::Sarif => sarif::render(report, lang),
        Format::Html => Ok(html::render(report, lang, plan)),
        Format::OscalAr => oscal::assessment_results(report),
        Format::OscalPoam => oscal::poam(report, plan),
        Format::Csv => Ok(csv::render(report, lang)),
        Format::Xlsx => Err(Error::Binary(format)),
    }
}

/// Render `report` in `format` as bytes: every text format as UTF-8, and the binary ones
/// (`xlsx`).
pub fn render_bytes(
    report: &Report,
    format: Format,
    lang: Lang,
    plan: &Plan,
) -> Result<Vec<u8>, Error> {
    match format {
        Format::Xlsx => xlsx::render(report, lang, plan),
        text => render_with_plan(report, text, lang, plan).map(String::into_bytes),
    }
}

/// The report model itself, pretty-printed, with a trailing newline.
fn json(report: &Report) -> Result<String, Error> {
    let mut s = serde_json::to_string_pretty(report).map_err(Error::Json)?;
    s.push('\n');
    Ok(s)
}
