//! The single-file offline HTML writer of the report's [`Document`](crate::doc::Document):
//! inline CSS, no script, no external links; the same content as the Markdown report.

use std::fmt::Write as _;

use cloudcap_engine::Report;

use crate::Lang;
use crate::doc::{Block, Document, Inline};
use crate::junit::esc;

const CSS: &str = "body{font-family:system-ui,-apple-system,\"Segoe UI\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1f24;line-height:1.45}\
h1{font-size:1.6rem;border-bottom:2px solid #1b1f24;padding-bottom:.3rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}h4{margin-bottom:.3rem}\
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}\
th{background:#f6f8fa}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;word-break:break-all}\
.satisfied{color:#1a7f37}.partially-satisfied{color:#9a6700}.not-satisfied{color:#cf222e;font-weight:600}.not-applicable{color:#57606a}.not-evaluated{color:#8250df;font-weight:600}\
section.control{border-left:3px solid #d0d7de;padding-left:1rem;margin:1rem 0}";

fn code(s: &str) -> String {
    format!("<code>{}</code>", esc(s))
}

/// Escape a sentence, showing its backticked tokens (kinds, fields, flags) as code; a sentence
/// with unbalanced backticks is only escaped.
fn rich(s: &str) -> String {
    if s.matches('`').count() % 2 == 1 {
        return esc(s);
    }
    s.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { esc(part) })
        .collect()
}

fn pieces(p: &[Inline]) -> String {
    p.iter()
        .map(|i| match i {
            Inline::Text(s) => esc(s),
            Inline::Rich(s) => rich(s),
            Inline::Code(s) | Inline::Mono(s) => code(s),
            Inline::Result { state, label } => {
                format!("<span class=\"{}\">{}</span>", state.as_str(), esc(label))
            }
        })
        .collect()
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Heading {
            level,
            text,
            anchor,
        } => {
            let id = match anchor {
                Some(a) => format!(" id=\"{}\"", esc(a)),
                None => String::new(),
            };
            let _ = writeln!(out, "<h{level}{id}>{}</h{level}>", esc(text));
        }
        Block::Paragraph(p) => {
            let _ = writeln!(out, "<p>{}</p>", pieces(p));
        }
        Block::List(items) => {
            out.push_str("<ul>\n");
            for i in items {
                let _ = writeln!(out, "<li>{}</li>", pieces(i));
            }
            out.push_str("</ul>\n");
        }
        Block::Fields(fields) => {
            out.push_str("<ul>\n");
            for (k, v) in fields {
                let _ = writeln!(
                    out,
                    "<li>{}: {}</li>",
                    esc(k),
                    pieces(std::slice::from_ref(v))
                );
            }
            out.push_str("</ul>\n");
        }
        Block::Table { head, rows } => {
            out.push_str("<table><thead><tr>");
            for h in head {
                let _ = write!(out, "<th>{}</th>", esc(h));
            }
            out.push_str("</tr></thead><tbody>\n");
            for r in rows {
                out.push_str("<tr>");
                for c in r {
                    let _ = write!(out, "<td>{}</td>", pieces(c));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody></table>\n");
        }
        Block::Control { anchor, body } => {
            let _ = writeln!(out, "<section class=\"control\" id=\"{}\">", esc(anchor));
            for b in body {
                block(out, b);
            }
            out.push_str("</section>\n");
        }
    }
}

/// The page around the blocks: head with title and style, then the title as `h1`.
fn write(doc: &Document) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        if doc.lang == Lang::Zh { "zh-CN" } else { "en" },
        esc(&doc.title),
        esc(&doc.title)
    );
    for b in &doc.blocks {
        block(&mut out, b);
    }
    out.push_str("</body>\n</html>\n");
    out
}

pub(crate) fn render(report: &Report, lang: Lang) -> String {
    write(&crate::document::build(report, lang))
}
