//! Renderers for a [`cloudcap_engine::Report`]: terminal tables, JSON, Markdown, single-file
//! HTML, JUnit, SARIF 2.1.0, OSCAL 1.1 assessment results and POA&M, and the pure [`diff`] of
//! two reports.
//!
//! Formatting only: nothing here decides a result, reads a file, the environment or a clock.
//! Every renderer is a pure function of the report, so output is byte-stable.

mod boundary;
mod diff;
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
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
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
    pub const ALL: [Format; 8] = [
        Format::Table,
        Format::Json,
        Format::Markdown,
        Format::Html,
        Format::Junit,
        Format::Sarif,
        Format::OscalAr,
        Format::OscalPoam,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::OscalAr => "oscal-ar",
            Format::OscalPoam => "oscal-poam",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The language of labels and control titles.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }
}

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
