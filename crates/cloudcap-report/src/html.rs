//! The single-file offline HTML writer of the report's [`Document`](crate::doc::Document):
//! inline CSS, no script, no external links; the same content as the Markdown report.

use std::fmt::Write as _;

use cloudcap_engine::Report;

use crate::Lang;
use crate::doc::{BarStyle, Block, Chart, Document, Inline};
use crate::junit::esc;

const CSS: &str = "body{font-family:system-ui,-apple-system,\"Segoe UI\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1f24;line-height:1.45}\
h1{font-size:1.6rem;border-bottom:2px solid #1b1f24;padding-bottom:.3rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}h4{margin-bottom:.3rem}\
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}\
th{background:#f6f8fa}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;word-break:break-all}\
.satisfied{color:#1a7f37}.partially-satisfied{color:#9a6700}.not-satisfied{color:#cf222e;font-weight:600}.not-applicable{color:#57606a}.not-evaluated{color:#8250df;font-weight:600}\
section.control{border-left:3px solid #d0d7de;padding-left:1rem;margin:1rem 0}section.control.attention{border-left-color:#cf222e}\
summary{cursor:pointer}summary h4{display:inline;margin:0 .5rem 0 0}\
figure.chart{margin:1rem 0}figure.chart figcaption{font-weight:600;margin-bottom:.3rem}svg text{font-size:12px;fill:#1b1f24}\
nav.toc ul{list-style:none;padding-left:0;columns:2}nav.toc li.l3{padding-left:1.2rem}nav.toc a{color:#0550ae;text-decoration:none}\
.cover{display:none}\
@page{size:A4;margin:16mm 14mm 18mm;@bottom-center{content:counter(page) \" / \" counter(pages);font-size:9pt;color:#57606a}}\
@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}body>h1{display:none}\
.cover{display:block;break-after:page;padding-top:30vh}.cover th{white-space:nowrap}.cover .cover-title{font-size:22pt;font-weight:700;border-bottom:2px solid #1b1f24;margin-bottom:1rem}\
nav.toc{break-after:page}nav.toc ul{columns:1}h2{break-before:page}#overview{break-before:avoid}h3.family{break-before:page}h2+h3.family{break-before:avoid}\
details::details-content{content-visibility:visible;display:block}summary{list-style:none}summary::-webkit-details-marker{display:none}\
table{break-inside:auto}tr,figure.chart,section.control>details>summary{break-inside:avoid}thead{display:table-header-group}h2,h3,h4{break-after:avoid}\
a{color:inherit}}";

/// Width of a chart, and of its label, bar and value columns, in SVG units (pixels).
const CHART_W: u64 = 760;
const LABEL_W: u64 = 250;
const BAR_W: u64 = 330;
const ROW_H: u64 = 24;

/// Fill, outline and dash of a bar: each style differs in lightness or outline as well as
/// colour, so that the chart reads in greyscale.
fn bar_paint(style: BarStyle) -> (&'static str, &'static str, &'static str) {
    use cloudcap_engine::ResultState as R;
    match style {
        BarStyle::Met | BarStyle::State(R::Satisfied) => ("#1a7f37", "#0f5323", ""),
        BarStyle::Unmet => ("#ffd8d3", "#cf222e", ""),
        BarStyle::State(R::PartiallySatisfied) => ("#e3b341", "#7d4e00", ""),
        BarStyle::State(R::NotSatisfied) => ("#cf222e", "#82071e", ""),
        BarStyle::State(R::NotApplicable) => ("#eaeef2", "#57606a", ""),
        BarStyle::State(R::NotEvaluated) => ("#ffffff", "#8250df", " stroke-dasharray=\"4 2\""),
    }
}

/// A bar chart as inline SVG: no script, no external resource; every bar says its figure.
fn chart(out: &mut String, c: &Chart, lang: Lang) {
    let height = ROW_H * c.bars.len() as u64 + 8;
    let _ = write!(
        out,
        "<figure class=\"chart\"><figcaption>{}</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{}\" width=\"{CHART_W}\" height=\"{height}\" viewBox=\"0 0 {CHART_W} {height}\">\n",
        esc(&c.caption),
        esc(&c.caption)
    );
    let scale = c.scale.max(1);
    for (i, bar) in c.bars.iter().enumerate() {
        let y = 4 + ROW_H * i as u64;
        let w = bar.value.min(scale) * BAR_W / scale;
        let (fill, stroke, dash) = bar_paint(bar.style);
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"{LABEL_W}\" y=\"{}\" width=\"{BAR_W}\" height=\"14\" fill=\"#f6f8fa\" stroke=\"#d0d7de\"/><rect x=\"{LABEL_W}\" y=\"{}\" width=\"{w}\" height=\"14\" fill=\"{fill}\" stroke=\"{stroke}\"{dash}/>",
            y + 12,
            esc(&bar.label),
            y + 1,
            y + 1
        );
        let mut shown = esc(&bar.shown);
        if let Some((at, label)) = &bar.marker {
            let x = LABEL_W + at.min(&scale) * BAR_W / scale;
            let _ = write!(
                out,
                "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#1b1f24\" stroke-width=\"2\"/>",
                y - 2,
                y + 18
            );
            shown = match lang {
                Lang::Zh => format!("{shown}（门槛 {}）", esc(label)),
                Lang::En => format!("{shown} (threshold {})", esc(label)),
            };
        }
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\">{shown}</text>",
            LABEL_W + BAR_W + 10,
            y + 12
        );
    }
    out.push_str("</svg></figure>\n");
}

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

fn block(out: &mut String, b: &Block, lang: Lang) {
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
            // Family headings start a printed page.
            let class =
                if *level == 3 && anchor.as_deref().is_some_and(|a| a.starts_with("family-")) {
                    " class=\"family\""
                } else {
                    ""
                };
            let _ = writeln!(out, "<h{level}{id}{class}>{}</h{level}>", esc(text));
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
        // Folded unless the control needs attention; printed unfolded.
        Block::Control {
            anchor,
            heading,
            result,
            attention,
            body,
        } => {
            let _ = writeln!(
                out,
                "<section class=\"control{}\" id=\"{}\">\n<details{}><summary><h4>{}</h4>{}</summary>",
                if *attention { " attention" } else { "" },
                esc(anchor),
                if *attention { " open=\"\"" } else { "" },
                esc(heading),
                result
                    .as_ref()
                    .map(|r| pieces(std::slice::from_ref(r)))
                    .unwrap_or_default()
            );
            for b in body {
                block(out, b, lang);
            }
            out.push_str("</details>\n</section>\n");
        }
        Block::Chart(c) => chart(out, c, lang),
        Block::Contents(entries) => {
            out.push_str("<nav class=\"toc\"><ul>\n");
            for (level, text, anchor) in entries {
                let _ = writeln!(
                    out,
                    "<li class=\"l{level}\"><a href=\"#{}\">{}</a></li>",
                    esc(anchor),
                    esc(text)
                );
            }
            out.push_str("</ul></nav>\n");
        }
        Block::Cover { title, facts } => {
            let _ = writeln!(
                out,
                "<section class=\"cover\"><p class=\"cover-title\">{}</p><table><tbody>",
                esc(title)
            );
            for (k, v) in facts {
                let _ = writeln!(out, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
            }
            out.push_str("</tbody></table></section>\n");
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
        block(&mut out, b, doc.lang);
    }
    out.push_str("</body>\n</html>\n");
    out
}

pub(crate) fn render(report: &Report, lang: Lang, plan: &crate::Plan) -> String {
    write(&crate::document::build(report, lang, plan))
}
