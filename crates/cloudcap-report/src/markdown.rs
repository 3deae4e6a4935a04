//! The Markdown writer of the report's [`Document`](crate::doc::Document): headings, lists and
//! pipe tables, with Markdown's escaping.

use std::fmt::Write as _;

use cloudcap_engine::Report;

use crate::Lang;
use crate::doc::{Block, Document, Inline};

/// Escape a table cell: pipes, backslashes, and line breaks.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escape running text (headings, list items): Markdown punctuation that could change the layout.
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Inline pieces, each escaped by `esc` (the escaping of where they stand: a cell or text).
fn pieces(p: &[Inline], esc: fn(&str) -> String) -> String {
    p.iter()
        .map(|i| match i {
            Inline::Text(s) | Inline::Rich(s) | Inline::Mono(s) => esc(s),
            Inline::Code(s) => format!("`{}`", esc(s)),
            Inline::Result { label, .. } => esc(label),
        })
        .collect()
}

fn row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    out.push('|');
    for c in cells {
        out.push(' ');
        out.push_str(&c);
        out.push_str(" |");
    }
    out.push('\n');
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Heading { level, text, .. } => {
            let _ = writeln!(
                out,
                "{} {}\n",
                "#".repeat(usize::from(*level)),
                inline(text)
            );
        }
        Block::Paragraph(p) => {
            let _ = writeln!(out, "{}\n", pieces(p, inline));
        }
        Block::List(items) => {
            for i in items {
                let _ = writeln!(out, "- {}", pieces(i, inline));
            }
            out.push('\n');
        }
        Block::Fields(fields) => {
            for (k, v) in fields {
                let _ = writeln!(
                    out,
                    "- {}: {}",
                    inline(k),
                    pieces(std::slice::from_ref(v), inline)
                );
            }
            out.push('\n');
        }
        Block::Table { head, rows } => {
            row(out, head.iter().map(|h| cell(h)));
            out.push('|');
            for _ in head {
                out.push_str(" --- |");
            }
            out.push('\n');
            for r in rows {
                row(out, r.iter().map(|c| pieces(c, cell)));
            }
            out.push('\n');
        }
        Block::Control { heading, body, .. } => {
            let _ = writeln!(out, "#### {}\n", inline(heading));
            for b in body {
                block(out, b);
            }
        }
        // A chart's figures, as a table.
        Block::Chart(chart) => {
            let _ = writeln!(out, "{}\n", inline(&chart.caption));
            row(out, chart.head.iter().map(|h| cell(h)));
            out.push_str("| --- | --- | --- |\n");
            for bar in &chart.bars {
                row(
                    out,
                    [
                        cell(&bar.label),
                        cell(&bar.shown),
                        bar.marker.as_ref().map_or("-".to_owned(), |(_, m)| cell(m)),
                    ],
                );
            }
            out.push('\n');
        }
        Block::Contents(entries) => {
            for (level, text, _) in entries {
                let indent = "  ".repeat(usize::from(level.saturating_sub(2)));
                let _ = writeln!(out, "{indent}- {}", inline(text));
            }
            out.push('\n');
        }
        // Only for print (HTML).
        Block::Cover { .. } => {}
    }
}

fn write(doc: &Document) -> String {
    let mut out = format!("# {}\n\n", inline(&doc.title));
    for b in &doc.blocks {
        block(&mut out, b);
    }
    out
}

pub(crate) fn render(report: &Report, lang: Lang, plan: &crate::Plan) -> String {
    write(&crate::document::build(report, lang, plan))
}
