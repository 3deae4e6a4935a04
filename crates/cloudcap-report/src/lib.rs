//! Renderers for a [`cloudcap_engine::Report`]: terminal tables, JSON, Markdown, single-file
//! HTML, JUnit, SARIF 2.1.0, OSCAL 1.1 assessment results and POA&M, and the pure [`diff`] of
//! two reports.
//!
//! Markdown and HTML write one document model (`doc.rs`), built from the report once
//! (`document.rs`).
//!
//! Formatting only: nothing here decides a result, reads a file, the environment or a clock.
//! Every renderer is a pure function of the report, so output is byte-stable.

mod boundary;
mod diff;
mod doc;
mod document;
mod html;
mod junit;
mod markdown;
mod oscal;
mod sarif;
mod table;
mod text;

use std::fmt;

use cloudcap_engine::Report;

pub use crate::diff::{
    Change, ControlDiff, Diff, DiffCounts, ResourceDiff, diff, is_worse, render_diff,
};

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
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unsupported(format) => {
                write!(f, "output format `{format}` is not implemented yet")
            }
            Error::Json(_) => f.write_str("cannot serialize the report as JSON"),
            Error::BadTime(t) => write!(f, "assessed_at `{t}` is not an RFC 3339 timestamp"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Json(e) => Some(e),
            Error::Unsupported(_) | Error::BadTime(_) => None,
        }
    }
}

/// Render `report` in `format`; `lang` chooses labels and titles where the format is for people.
pub fn render(report: &Report, format: Format, lang: Lang) -> Result<String, Error> {
    match format {
        Format::Table => Ok(table::render(report, lang)),
        Format::Json => json(report),
        Format::Markdown => Ok(markdown::render(report, lang)),
        Format::Junit => Ok(junit::render(report, lang)),
        Format::Sarif => sarif::render(report, lang),
        Format::Html => Ok(html::render(report, lang)),
        Format::OscalAr => oscal::assessment_results(report),
        Format::OscalPoam => oscal::poam(report),
    }
}

/// The report model itself, pretty-printed, with a trailing newline.
fn json(report: &Report) -> Result<String, Error> {
    let mut s = serde_json::to_string_pretty(report).map_err(Error::Json)?;
    s.push('\n');
    Ok(s)
}
