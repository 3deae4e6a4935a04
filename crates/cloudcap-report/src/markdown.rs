//! A Markdown report laid out like a GB/T 34942 assessment report: summary, families, then one
//! section per clause with methods, results per tier, items, failing resources with evidence
//! hashes, assessor records and the rules' evidence-set hashes.

use std::fmt::Write as _;

use cloudcap_engine::{ControlReport, Report, ResultState};

use crate::Lang;
use crate::text::{blocker, l, methods, next_tier, pct, result, text, tier, tier_achieved, yes_no};

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

/// A caption before a table: `Failing resources:` / `不符合的资源：`.
fn caption(out: &mut String, s: &str, lang: Lang) {
    let _ = writeln!(out, "{s}{}\n", l(lang, ":", "："));
}

fn row(out: &mut String, cells: &[String]) {
    out.push('|');
    for c in cells {
        out.push(' ');
        out.push_str(&cell(c));
        out.push_str(" |");
    }
    out.push('\n');
}

fn header(out: &mut String, cells: &[&str]) {
    row(
        out,
        &cells.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    );
    out.push('|');
    for _ in cells {
        out.push_str(" --- |");
    }
    out.push('\n');
}

pub(crate) fn render(report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let _ = writeln!(
        out,
        "# {}\n",
        l(
            lang,
            "Cloud service security capability assessment report",
            "云计算服务安全能力评估报告"
        )
    );

    boundary(&mut out, report, lang);

    let _ = writeln!(out, "## 2. {}\n", l(lang, "Summary", "概述"));
    header(
        &mut out,
        &[l(lang, "Field", "项目"), l(lang, "Value", "内容")],
    );
    let fields: Vec<(&str, String)> = vec![
        (l(lang, "Standard", "标准"), report.catalog.standard.clone()),
        (
            l(lang, "Assessment method", "评估方法"),
            report.catalog.assessment_method.clone(),
        ),
        (
            l(lang, "Catalog version", "目录版本"),
            report.catalog.version.clone(),
        ),
        (
            l(lang, "Catalog digest", "目录摘要"),
            report.catalog.digest.clone(),
        ),
        (
            l(lang, "Evidence bundle Merkle root", "证据包 Merkle 根"),
            report.bundle.merkle_root.clone(),
        ),
        (
            l(lang, "Evidence collected at", "证据采集时间"),
            report.bundle.created_at.clone(),
        ),
        (
            l(lang, "Assessed at", "评估时间"),
            report.assessed_at.clone(),
        ),
        (
            l(lang, "Tool version", "工具版本"),
            report.tool_version.clone(),
        ),
        (
            l(lang, "Scoring method", "评分方法"),
            report.scoring_method.clone(),
        ),
        (
            l(lang, "Target tier", "目标级别"),
            tier(report, report.target_tier, lang),
        ),
        (l(lang, "Score", "得分"), pct(s.overall.score_bp)),
        (l(lang, "Coverage", "覆盖率"), pct(s.overall.coverage_bp)),
        (
            l(lang, "Tier achieved", "达到级别"),
            tier_achieved(report, lang),
        ),
    ];
    for (k, v) in fields {
        row(&mut out, &[k.to_string(), v]);
    }
    out.push('\n');

    header(
        &mut out,
        &[
            l(lang, "Tier", "级别"),
            l(lang, "Score", "得分"),
            l(lang, "Min score", "最低得分"),
            l(lang, "Coverage", "覆盖率"),
            l(lang, "Min coverage", "最低覆盖率"),
            l(lang, "Reached", "是否达到"),
        ],
    );
    for t in &s.tiers {
        row(
            &mut out,
            &[
                text(&t.name, lang).to_string(),
                pct(t.score.score_bp),
                pct(t.min_score_bp),
                pct(t.score.coverage_bp),
                pct(t.min_coverage_bp),
                yes_no(t.reached, lang).to_string(),
            ],
        );
    }
    out.push('\n');
    if let Some(next) = next_tier(report) {
        let _ = writeln!(
            out,
            "{} {}{}\n",
            l(lang, "What blocks", "阻碍达到"),
            inline(text(&next.name, lang)),
            l(lang, ":", "的原因：")
        );
        for b in &next.blockers {
            let _ = writeln!(out, "- {}", inline(&blocker(report, b, lang)));
        }
        out.push('\n');
    }

    let _ = writeln!(
        out,
        "## 3. {}\n",
        l(lang, "Results by family", "各安全要求族评估结果")
    );
    let mut cols = vec![
        l(lang, "Family", "族"),
        l(lang, "Name", "名称"),
        l(lang, "Score", "得分"),
        l(lang, "Coverage", "覆盖率"),
    ];
    cols.extend(ResultState::ALL.iter().map(|r| result(*r, lang)));
    header(&mut out, &cols);
    for f in &report.families {
        let mut cells = vec![f.family.clone(), text(&f.name, lang).to_string()];
        match f.scores.get(&report.target_tier) {
            Some(sc) => {
                cells.push(pct(sc.score_bp));
                cells.push(pct(sc.coverage_bp));
                cells.extend(
                    ResultState::ALL
                        .iter()
                        .map(|r| sc.counts.get(r).copied().unwrap_or(0).to_string()),
                );
            }
            None => cells.extend(std::iter::repeat_n(
                "-".to_string(),
                2 + ResultState::ALL.len(),
            )),
        }
        row(&mut out, &cells);
    }
    out.push('\n');

    let _ = writeln!(
        out,
        "## 4. {}\n",
        l(lang, "Results by clause", "各条款评估结果")
    );
    for f in &report.families {
        let _ = writeln!(
            out,
            "### {} {}\n",
            inline(&f.family),
            inline(text(&f.name, lang))
        );
        for c in report.controls.iter().filter(|c| c.family == f.family) {
            control(&mut out, report, c, lang);
        }
    }
    // Controls whose family is not listed (should not happen, but never drop a control).
    let orphans: Vec<_> = report
        .controls
        .iter()
        .filter(|c| !report.families.iter().any(|f| f.family == c.family))
        .collect();
    if !orphans.is_empty() {
        let _ = writeln!(out, "### {}\n", l(lang, "Other", "其他"));
        for c in orphans {
            control(&mut out, report, c, lang);
        }
    }

    customer_part(&mut out, report, lang);
    out
}

/// Section 5: the customer's part, apart from the provider's score.
fn customer_part(out: &mut String, report: &Report, lang: Lang) {
    let _ = writeln!(
        out,
        "## 5. {}\n",
        inline(crate::text::customer_part_title(lang))
    );
    for p in crate::text::customer_part_intro(report, lang) {
        let _ = writeln!(out, "{}\n", inline(&p));
    }
    let (head, rows) = crate::text::customer_part_table(report, lang);
    if !rows.is_empty() {
        header(out, &head);
        for r in &rows {
            row(out, r);
        }
        out.push('\n');
    }
}

/// Section 1: the assessment boundary (`docs/scoring.md` §10).
fn boundary(out: &mut String, report: &Report, lang: Lang) {
    use crate::boundary::Block;
    let _ = writeln!(out, "## 1. {}\n", inline(crate::boundary::title(lang)));
    for b in crate::boundary::blocks(&report.boundary, lang, false) {
        match b {
            Block::Heading(h) => {
                let _ = writeln!(out, "### {}\n", inline(&h));
            }
            Block::Para(p) => {
                let _ = writeln!(out, "{}\n", inline(&p));
            }
            Block::Table { head, rows } => {
                header(out, &head.iter().map(String::as_str).collect::<Vec<_>>());
                for r in &rows {
                    row(out, r);
                }
                out.push('\n');
            }
        }
    }
}

fn control(out: &mut String, report: &Report, c: &ControlReport, lang: Lang) {
    let _ = writeln!(
        out,
        "#### {} {}\n",
        inline(&c.id),
        inline(text(&c.title, lang))
    );
    let _ = writeln!(
        out,
        "- {}: {}",
        l(lang, "Clause", "条款"),
        inline(&c.clause)
    );
    let _ = writeln!(
        out,
        "- {}: {}",
        l(lang, "Methods", "评估方法"),
        inline(&methods(&c.methods, lang))
    );
    let _ = writeln!(
        out,
        "- {}: {}",
        l(lang, "Automation", "自动化程度"),
        inline(crate::text::automation(c.automation, lang))
    );
    let _ = writeln!(out, "- {}: {}", l(lang, "Weight", "权重"), c.weight);
    let _ = writeln!(
        out,
        "- {}: {}",
        l(lang, "Key control", "关键控制项"),
        yes_no(c.key, lang)
    );
    let _ = writeln!(
        out,
        "- {}: {}\n",
        l(lang, "Lowest tier", "最低适用级别"),
        inline(&tier(report, c.min_tier, lang))
    );
    if c.results.is_empty() {
        let _ = writeln!(out, "{}\n", inline(crate::text::customer_only(lang)));
    }

    header(
        out,
        &[
            l(lang, "Tier", "级别"),
            l(lang, "Result", "结果"),
            l(lang, "Reason", "理由"),
        ],
    );
    for (t, r) in &c.results {
        row(
            out,
            &[
                tier(report, *t, lang),
                result(r.result, lang).to_string(),
                crate::text::control_reason(r, lang),
            ],
        );
    }
    out.push('\n');

    header(
        out,
        &[
            l(lang, "Item", "测评项"),
            l(lang, "Tier", "级别"),
            l(lang, "Implemented by", "实施方"),
            l(lang, "Result", "结果"),
            l(lang, "Decided by", "判定依据"),
            l(lang, "Reason", "理由"),
        ],
    );
    for i in &c.items {
        let mut reason = crate::text::item_reason(i, lang);
        if let Some(o) = i.overridden_rule_result {
            let _ = write!(
                reason,
                " ({} {})",
                l(lang, "overrides rules' result", "覆盖规则结果"),
                result(o, lang)
            );
        }
        row(
            out,
            &[
                i.id.clone(),
                tier(report, i.tier, lang),
                crate::text::responsibility(i.responsibility, lang).to_string(),
                result(i.result, lang).to_string(),
                crate::text::decided_by(i.decided_by, lang).to_string(),
                reason,
            ],
        );
    }
    out.push('\n');

    let rules: Vec<_> = c
        .items
        .iter()
        .flat_map(|i| i.rules.iter().map(move |r| (i, r)))
        .collect();
    if !rules.is_empty() {
        caption(out, l(lang, "Rules and evidence", "规则与证据"), lang);
        header(
            out,
            &[
                l(lang, "Item", "测评项"),
                l(lang, "Rule", "规则"),
                l(lang, "Result", "结果"),
                l(lang, "Passed / in scope", "通过 / 范围内"),
                l(lang, "Reason", "理由"),
                l(lang, "Evidence set SHA-256", "证据集 SHA-256"),
            ],
        );
        for (i, r) in &rules {
            row(
                out,
                &[
                    i.id.clone(),
                    r.id.clone(),
                    result(r.result, lang).to_string(),
                    format!("{} / {}", r.passed, r.in_scope),
                    crate::text::reason(&r.reason, lang),
                    format!("`{}` ({})", r.evidence_set_sha256, r.evidence_count),
                ],
            );
        }
        out.push('\n');
    }

    let failing: Vec<_> = rules
        .iter()
        .flat_map(|(i, r)| r.failed.iter().map(move |f| (i, r, f)))
        .collect();
    if !failing.is_empty() {
        caption(out, l(lang, "Failing resources", "不符合的资源"), lang);
        header(
            out,
            &[
                l(lang, "Rule", "规则"),
                l(lang, "Resource", "资源"),
                l(
                    lang,
                    "Provider / account / region",
                    "云服务商 / 账号 / 地域",
                ),
                l(lang, "Evidence SHA-256", "证据 SHA-256"),
            ],
        );
        for (_, r, f) in failing {
            row(
                out,
                &[
                    r.id.clone(),
                    match &f.accepted_by {
                        Some(w) => format!(
                            "{} ({} {w})",
                            f.resource_id,
                            l(lang, "risk accepted by waiver", "已由豁免接受风险")
                        ),
                        None => f.resource_id.clone(),
                    },
                    format!("{} / {} / {}", f.provider, f.account, f.region),
                    format!("`{}`", f.evidence),
                ],
            );
        }
        out.push('\n');
    }

    let not_reported: Vec<_> = rules
        .iter()
        .flat_map(|(_, r)| r.not_reported.iter().map(move |n| (r, n)))
        .collect();
    if !not_reported.is_empty() {
        caption(
            out,
            l(
                lang,
                "Not reported by the provider (needs an interview, examine or test record)",
                "云服务商未报告的字段（需以访谈、检查或测试记录补充证据）",
            ),
            lang,
        );
        header(
            out,
            &[
                l(lang, "Rule", "规则"),
                l(lang, "Resource", "资源"),
                l(lang, "Field", "字段"),
                l(
                    lang,
                    "Provider / account / region",
                    "云服务商 / 账号 / 地域",
                ),
                l(lang, "Evidence SHA-256", "证据 SHA-256"),
            ],
        );
        for (r, n) in not_reported {
            row(
                out,
                &[
                    r.id.clone(),
                    n.resource_id.clone(),
                    format!("`{}`", n.field),
                    format!("{} / {} / {}", n.provider, n.account, n.region),
                    format!("`{}`", n.evidence),
                ],
            );
        }
        out.push('\n');
    }

    let errors: Vec<_> = rules
        .iter()
        .flat_map(|(_, r)| r.errors.iter().map(move |e| (r, e)))
        .collect();
    if !errors.is_empty() {
        caption(
            out,
            l(
                lang,
                "Records the rule could not evaluate",
                "规则无法评估的记录",
            ),
            lang,
        );
        header(
            out,
            &[
                l(lang, "Rule", "规则"),
                l(lang, "Resource", "资源"),
                l(lang, "Error", "错误"),
                l(lang, "Evidence SHA-256", "证据 SHA-256"),
            ],
        );
        for (r, e) in errors {
            row(
                out,
                &[
                    r.id.clone(),
                    e.resource_id.clone(),
                    e.message.clone(),
                    format!("`{}`", e.evidence),
                ],
            );
        }
        out.push('\n');
    }

    let incomplete: Vec<_> = rules
        .iter()
        .flat_map(|(_, r)| r.incomplete.iter().map(move |p| (r, p)))
        .collect();
    if !incomplete.is_empty() {
        caption(
            out,
            l(lang, "Incomplete evidence", "证据不完整的采集范围"),
            lang,
        );
        header(
            out,
            &[
                l(lang, "Rule", "规则"),
                l(lang, "Kind", "证据类型"),
                l(
                    lang,
                    "Provider / account / region",
                    "云服务商 / 账号 / 地域",
                ),
                l(lang, "Cause", "原因"),
                l(lang, "Collector message", "采集器消息"),
            ],
        );
        for (r, p) in incomplete {
            row(
                out,
                &[
                    r.id.clone(),
                    r.kind.clone(),
                    format!("{} / {} / {}", p.provider, p.account, p.region),
                    crate::text::scope_cause(&p.cause, lang),
                    crate::text::scope_message(&p.cause),
                ],
            );
        }
        out.push('\n');
    }

    let waivers = crate::text::waiver_rows(report, &c.id, lang);
    if !waivers.is_empty() {
        caption(out, l(lang, "Waivers", "豁免"), lang);
        header(out, &crate::text::waiver_header(lang));
        for w in &waivers {
            row(out, w);
        }
        out.push('\n');
    }

    let atts: Vec<_> = report
        .attestations
        .iter()
        .filter(|a| a.control == c.id)
        .collect();
    if !atts.is_empty() {
        caption(out, l(lang, "Assessor records", "测评人员记录"), lang);
        header(
            out,
            &[
                l(lang, "Item", "测评项"),
                l(lang, "Assessor", "测评人员"),
                l(lang, "Method", "方法"),
                l(lang, "Date", "日期"),
                l(lang, "Result", "结果"),
                l(lang, "Status", "状态"),
                l(lang, "SHA-256", "SHA-256"),
            ],
        );
        for a in atts {
            let res = result(ResultState::from(a.result), lang).to_string();
            row(
                out,
                &[
                    a.item.clone().unwrap_or_else(|| "-".into()),
                    a.assessor.clone(),
                    crate::text::method(a.method, lang).to_string(),
                    a.date.to_string(),
                    res,
                    crate::text::attestation_status(a.status, lang).to_string(),
                    format!("`{}`", a.sha256),
                ],
            );
        }
        out.push('\n');
    }
}
