//! The document model of the human-readable reports: what the Markdown and HTML writers lay out.
//!
//! A [`Document`] holds the report's words already chosen in one language (built once by
//! [`crate::document::build`]), unescaped; each writer escapes and marks it up its own way.

use cloudcap_engine::ResultState;

use crate::Lang;

/// A whole report: its title and its blocks, in one language.
pub(crate) struct Document {
    pub lang: Lang,
    pub title: String,
    pub blocks: Vec<Block>,
}

/// One block of the document.
pub(crate) enum Block {
    /// A section heading (level 2 and below; the title is the document's); `anchor` is the id
    /// a link can point to, where a format has ids.
    Heading {
        level: u8,
        text: String,
        anchor: Option<String>,
    },
    /// A sentence or short paragraph.
    Paragraph(Vec<Inline>),
    /// A bulleted list, one entry per item.
    List(Vec<Vec<Inline>>),
    /// Labelled values shown as a list (`label: value`).
    Fields(Vec<(String, Inline)>),
    /// A table: a header row of labels and rows of cells.
    Table {
        head: Vec<String>,
        rows: Vec<Vec<Cell>>,
    },
    /// One control's part of the report, with the control's id as its anchor.
    Control { anchor: String, body: Vec<Block> },
}

/// A table cell: inline pieces written one after the other.
pub(crate) type Cell = Vec<Inline>;

/// A piece of running text.
#[derive(Clone)]
pub(crate) enum Inline {
    /// Plain text.
    Text(String),
    /// A sentence whose backticked tokens (kinds, fields, flags) name code; HTML shows them as
    /// code, Markdown keeps the sentence as it is.
    Rich(String),
    /// A code span in every format (hashes, field names).
    Code(String),
    /// An identifier set in a monospace face where the format styles it (HTML); plain text in
    /// Markdown.
    Mono(String),
    /// A result with its label in the document's language.
    Result { state: ResultState, label: String },
}

impl Inline {
    pub(crate) fn text(s: impl Into<String>) -> Inline {
        Inline::Text(s.into())
    }
}
