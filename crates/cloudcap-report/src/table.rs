//! Terminal tables (tabled): summary, tiers, families, and what blocks the next tier.

use std::fmt::Write as _;

use cloudcap_engine::{Report, ResultState, Score};
use tabled::builder::Builder;
use tabled::settings::object::Segment;
use tabled::settings::{Modify, Style, Width};

use crate::Lang;
use crate::text::{blocker, l, next_tier, pct, result, text, tier, tier_achieved};

fn table(rows: Vec<Vec<String>>) -> String {
    let mut b = Builder::default();
    for r in rows {
        b.push_record(r);
    }
    b.build().with(Style::sharp()).to_string()
}

/// Widest cell of a boundary table before its text wraps (a SHA-256 still fits on one line).
const CELL_WIDTH: usize = 72;

/// A table whose long cells (descriptions, notes people wrote) wrap at word boundaries.
fn wrapped(rows: Vec<Vec<String>>) -> String {
    let mut b = Builder::default();
    for r in rows {
        b.push_record(r);
    }
    b.build()
        .with(Style::sharp())
        .with(Modify::new(Segment::all()).with(Width::wrap(CELL_WIDTH).keep_words(true)))
        .to_string()
}

/// A table whose column `col` wraps at word boundaries; the others stay on one line.
fn wrapped_column(rows: Vec<Vec<String>>, col: usize) -> String {
    let mut b = Builder::default();
    for r in rows {
        b.push_record(r);
    }
    b.build()
        .with(Style::sharp())
        .with(
            Modify::new(tabled::settings::object::Columns::one(col))
                .with(Width::wrap(CELL_WIDTH).keep_words(true)),
        )
        .to_string()
}

fn count(score: &Score, r: ResultState) -> String {
    score.counts.get(&r).copied().unwrap_or(0).to_string()
}

fn count_headers(lang: Lang) -> Vec<String> {
    ResultState::ALL
        .iter()
        .map(|r| result(*r, lang).to_string())
        .collect()
}

fn counts(score: &Score) -> Vec<String> {
    ResultState::ALL.iter().map(|r| count(score, *r)).collect()
}

/// The assessment boundary, first: what the figures below are about.
fn boundary(out: &mut String, report: &Report, lang: Lang) {
    use crate::boundary::Block;
    let _ = writeln!(out, "{}\n", crate::boundary::title(lang));
    for b in crate::boundary::blocks(&report.boundary, lang, true)
        .into_iter()
        .chain(crate::accounts::blocks(report, lang))
    {
        match b {
            Block::Heading(h) => {
                let _ = writeln!(out, "{h}{}", l(lang, ":", "："));
            }
            Block::Para(p) => {
                let _ = writeln!(out, "{p}\n");
            }
            Block::Table { head, mut rows } => {
                rows.insert(0, head);
                out.push_str(&wrapped(rows));
                out.push_str("\n\n");
            }
        }
    }
}

pub(crate) fn render(report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    boundary(&mut out, report, lang);
    let _ = writeln!(out, "{}", l(lang, "Summary:", "概述："));
    let s = &report.summary;
    let target = tier(report, report.target_tier, lang);

    let summary = vec![
        vec![
            l(lang, "Field", "项目").to_string(),
            l(lang, "Value", "内容").to_string(),
        ],
        vec![
            l(lang, "Standard", "标准").to_string(),
            report.catalog.standard.clone(),
        ],
        vec![
            l(lang, "Catalog version", "目录版本").to_string(),
            report.catalog.version.clone(),
        ],
        vec![
            l(lang, "Assessed at", "评估时间").to_string(),
            report.assessed_at.clone(),
        ],
        vec![
            l(lang, "Target tier", "目标级别").to_string(),
            target.clone(),
        ],
        vec![
            l(lang, "Score", "得分").to_string(),
            pct(s.overall.score_bp),
        ],
        vec![
            l(lang, "Coverage", "覆盖率").to_string(),
            pct(s.overall.coverage_bp),
        ],
        vec![
            l(lang, "Tier achieved", "达到级别").to_string(),
            tier_achieved(report, lang),
        ],
    ];
    out.push_str(&table(summary));
    out.push_str("\n\n");

    let mut tiers = vec![vec![
        l(lang, "Tier", "级别").to_string(),
        l(lang, "Score", "得分").to_string(),
        l(lang, "Min score", "最低得分").to_string(),
        l(lang, "Coverage", "覆盖率").to_string(),
        l(lang, "Min coverage", "最低覆盖率").to_string(),
        l(lang, "Reached", "是否达到").to_string(),
    ]];
    for t in &s.tiers {
        tiers.push(vec![
            text(&t.name, lang).to_string(),
            pct(t.score.score_bp),
            pct(t.min_score_bp),
            pct(t.score.coverage_bp),
            pct(t.min_coverage_bp),
            crate::text::yes_no(t.reached, lang).to_string(),
        ]);
    }
    out.push_str(&table(tiers));
    out.push_str("\n\n");

    let _ = match lang {
        Lang::En => writeln!(out, "Families at the target tier ({target})"),
        Lang::Zh => writeln!(out, "各安全要求族（目标级别：{target}）"),
    };
    let mut header = vec![
        l(lang, "Family", "族").to_string(),
        l(lang, "Name", "名称").to_string(),
        l(lang, "Score", "得分").to_string(),
        l(lang, "Coverage", "覆盖率").to_string(),
    ];
    header.extend(count_headers(lang));
    let mut fams = vec![header];
    for f in &report.families {
        let mut row = vec![f.family.clone(), text(&f.name, lang).to_string()];
        match f.scores.get(&report.target_tier) {
            Some(sc) => {
                row.push(pct(sc.score_bp));
                row.push(pct(sc.coverage_bp));
                row.extend(counts(sc));
            }
            None => row.extend(std::iter::repeat_n(
                "-".to_string(),
                2 + ResultState::ALL.len(),
            )),
        }
        fams.push(row);
    }
    out.push_str(&table(fams));
    out.push_str("\n\n");

    match next_tier(report) {
        None => {
            let _ = writeln!(
                out,
                "{}",
                l(lang, "Every tier is reached.", "已达到全部级别。")
            );
        }
        Some(next) => {
            let _ = match lang {
                Lang::En => writeln!(
                    out,
                    "What blocks the next tier ({}):",
                    text(&next.name, lang)
                ),
                Lang::Zh => writeln!(
                    out,
                    "阻碍达到下一级别（{}）的原因：",
                    text(&next.name, lang)
                ),
            };
            let mut rows = vec![vec![
                l(lang, "#", "序号").to_string(),
                l(lang, "Blocker", "原因").to_string(),
                l(lang, "Why", "说明").to_string(),
            ]];
            for (i, b) in next.blockers.iter().enumerate() {
                // For a key control, the reason of its result at this tier (which item, which
                // rule, what is missing or failing).
                let why = match b {
                    cloudcap_engine::Blocker::KeyControl { control, .. } => report
                        .controls
                        .iter()
                        .find(|c| &c.id == control)
                        .and_then(|c| c.results.get(&next.tier))
                        .map(|r| crate::text::control_reason(r, lang))
                        .unwrap_or_else(|| "-".to_owned()),
                    _ => "-".to_owned(),
                };
                rows.push(vec![(i + 1).to_string(), blocker(report, b, lang), why]);
            }
            out.push_str(&wrapped_column(rows, 2));
            out.push('\n');
        }
    }
    customer_part(&mut out, report, lang);
    out
}

/// The customer's part, after the provider's figures: not in them.
fn customer_part(out: &mut String, report: &Report, lang: Lang) {
    let _ = writeln!(
        out,
        "\n{}{}",
        crate::text::customer_part_title(lang),
        l(lang, ":", "：")
    );
    for p in crate::text::customer_part_intro(report, lang) {
        let _ = writeln!(out, "{p}");
    }
    if report.customer_part.items.is_empty() {
        return;
    }
    // Control, item, tier, result and the rule or record that decided it; the reasons in full
    // are in the Markdown and HTML reports.
    let mut rows = vec![vec![
        l(lang, "Control", "控制项").to_string(),
        l(lang, "Item", "测评项").to_string(),
        l(lang, "Tier", "级别").to_string(),
        l(lang, "Result", "结果").to_string(),
        l(lang, "Decided by", "判定依据").to_string(),
    ]];
    for i in &report.customer_part.items {
        let by = crate::text::decided_by(i.decided_by, lang);
        rows.push(vec![
            i.control.clone(),
            i.item.clone(),
            tier(report, i.tier, lang),
            result(i.result, lang).to_string(),
            match &i.rule {
                Some(rule) => format!("{by} {rule}"),
                None => by.to_string(),
            },
        ]);
    }
    out.push_str(&table(rows));
    out.push('\n');
}
