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
    /// One control's part of the report, with the control's id as its anchor: its heading,
    /// its result at the target tier (`None`: customer-only control) and the rest. HTML folds
    /// the rest away (`<details>`) unless the control needs attention.
    Control {
        anchor: String,
        heading: String,
        result: Option<Inline>,
        attention: bool,
        body: Vec<Block>,
    },
    /// A horizontal bar chart (HTML: inline SVG; Markdown: a table of the same figures).
    Chart(Chart),
    /// The table of contents: (level, text, anchor) of the headings that have anchors.
    Contents(Vec<(u8, String, String)>),
    /// Facts shown only on a printed cover page (HTML print style sheet; not in Markdown).
    Cover {
        title: String,
        facts: Vec<(String, String)>,
    },
}

/// A bar chart: one bar per row, all on one scale.
pub(crate) struct Chart {
    pub caption: String,
    /// The value of a full-width bar.
    pub scale: u64,
    pub bars: Vec<Bar>,
    /// Column headings of the Markdown table: label, value, threshold.
    pub head: [String; 3],
}

/// One bar: its label, value (on the chart's scale) and how the value is written, and a
/// threshold marker with its own label.
pub(crate) struct Bar {
    pub label: String,
    pub value: u64,
    pub shown: String,
    pub marker: Option<(u64, String)>,
    pub style: BarStyle,
}

/// How a bar is drawn: light or dark and outlined, so that it reads in greyscale too; the
/// label always says the figure.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum BarStyle {
    /// At or above its threshold.
    Met,
    /// Below its threshold.
    Unmet,
    /// A count of results in this state.
    State(ResultState),
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
