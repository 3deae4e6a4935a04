//! A single-file offline HTML report: inline CSS, no script, no external links. The same content
//! as the Markdown report, with headings in the chosen language.

use std::fmt::Write as _;

use cloudcap_engine::{ControlReport, Report, ResultState};

use crate::Lang;
use crate::junit::esc;
use crate::text::{
    blocker, l, method, methods, next_tier, pct, result, text, tier, tier_achieved, yes_no,
};

const CSS: &str = "body{font-family:system-ui,-apple-system,\"Segoe UI\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1f24;line-height:1.45}\
h1{font-size:1.6rem;border-bottom:2px solid #1b1f24;padding-bottom:.3rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}h4{margin-bottom:.3rem}\
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}\
th{background:#f6f8fa}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;word-break:break-all}\
.satisfied{color:#1a7f37}.partially-satisfied{color:#9a6700}.not-satisfied{color:#cf222e;font-weight:600}.not-applicable{color:#57606a}.not-evaluated{color:#8250df;font-weight:600}\
section.control{border-left:3px solid #d0d7de;padding-left:1rem;margin:1rem 0}";

fn table(out: &mut String, head: &[&str], rows: &[Vec<String>]) {
    out.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            // Cells are already escaped HTML.
            let _ = write!(out, "<td>{c}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// A caption before a table (`html` is already escaped).
fn caption(out: &mut String, html: String, lang: Lang) {
    let _ = writeln!(out, "<p>{html}{}</p>", l(lang, ":", "："));
}

fn res(r: ResultState, lang: Lang) -> String {
    format!(
        "<span class=\"{}\">{}</span>",
        r.as_str(),
        esc(result(r, lang))
    )
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

/// Section 1: the assessment boundary (`docs/scoring.md` §10).
fn boundary(out: &mut String, report: &Report, lang: Lang) {
    use crate::boundary::Block;
    let _ = writeln!(out, "<h2>1. {}</h2>", esc(crate::boundary::title(lang)));
    for b in crate::boundary::blocks(&report.boundary, lang, false) {
        match b {
            Block::Heading(h) => {
                let _ = writeln!(out, "<h3>{}</h3>", esc(&h));
            }
            Block::Para(p) => {
                let _ = writeln!(out, "<p>{}</p>", rich(&p));
            }
            Block::Table { head, rows } => {
                let rows: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| r.iter().map(|c| rich(c)).collect())
                    .collect();
                table(
                    out,
                    &head.iter().map(String::as_str).collect::<Vec<_>>(),
                    &rows,
                );
            }
        }
    }
}

pub(crate) fn render(report: &Report, lang: Lang) -> String {
    let s = &report.summary;
    let title = l(
        lang,
        "Cloud service security capability assessment report",
        "云计算服务安全能力评估报告",
    );
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        if lang == Lang::Zh { "zh-CN" } else { "en" },
        esc(title),
        esc(title)
    );

    boundary(&mut out, report, lang);

    let _ = writeln!(out, "<h2>2. {}</h2>", esc(l(lang, "Summary", "概述")));
    let fields: Vec<(&str, String)> = vec![
        (l(lang, "Standard", "标准"), esc(&report.catalog.standard)),
        (
            l(lang, "Assessment method", "评估方法"),
            esc(&report.catalog.assessment_method),
        ),
        (
            l(lang, "Catalog version", "目录版本"),
            esc(&report.catalog.version),
        ),
        (
            l(lang, "Catalog digest", "目录摘要"),
            code(&report.catalog.digest),
        ),
        (
            l(lang, "Evidence bundle Merkle root", "证据包 Merkle 根"),
            code(&report.bundle.merkle_root),
        ),
        (
            l(lang, "Evidence collected at", "证据采集时间"),
            esc(&report.bundle.created_at),
        ),
        (l(lang, "Assessed at", "评估时间"), esc(&report.assessed_at)),
        (
            l(lang, "Tool version", "工具版本"),
            esc(&report.tool_version),
        ),
        (
            l(lang, "Scoring method", "评分方法"),
            esc(&report.scoring_method),
        ),
        (
            l(lang, "Target tier", "目标级别"),
            esc(&tier(report, report.target_tier, lang)),
        ),
        (l(lang, "Score", "得分"), pct(s.overall.score_bp)),
        (l(lang, "Coverage", "覆盖率"), pct(s.overall.coverage_bp)),
        (
            l(lang, "Tier achieved", "达到级别"),
            esc(&tier_achieved(report, lang)),
        ),
    ];
    let rows: Vec<Vec<String>> = fields.into_iter().map(|(k, v)| vec![esc(k), v]).collect();
    table(
        &mut out,
        &[l(lang, "Field", "项目"), l(lang, "Value", "内容")],
        &rows,
    );

    let rows: Vec<Vec<String>> = s
        .tiers
        .iter()
        .map(|t| {
            vec![
                esc(text(&t.name, lang)),
                pct(t.score.score_bp),
                pct(t.min_score_bp),
                pct(t.score.coverage_bp),
                pct(t.min_coverage_bp),
                esc(yes_no(t.reached, lang)),
            ]
        })
        .collect();
    table(
        &mut out,
        &[
            l(lang, "Tier", "级别"),
            l(lang, "Score", "得分"),
            l(lang, "Min score", "最低得分"),
            l(lang, "Coverage", "覆盖率"),
            l(lang, "Min coverage", "最低覆盖率"),
            l(lang, "Reached", "是否达到"),
        ],
        &rows,
    );
    if let Some(next) = next_tier(report) {
        let _ = writeln!(
            out,
            "<p>{} {}{}</p>\n<ul>",
            esc(l(lang, "What blocks", "阻碍达到")),
            esc(text(&next.name, lang)),
            l(lang, ":", "的原因：")
        );
        for b in &next.blockers {
            let _ = writeln!(out, "<li>{}</li>", esc(&blocker(report, b, lang)));
        }
        out.push_str("</ul>\n");
    }

    let _ = writeln!(
        out,
        "<h2>3. {}</h2>",
        esc(l(lang, "Results by family", "各安全要求族评估结果"))
    );
    let mut head = vec![
        l(lang, "Family", "族"),
        l(lang, "Name", "名称"),
        l(lang, "Score", "得分"),
        l(lang, "Coverage", "覆盖率"),
    ];
    head.extend(ResultState::ALL.iter().map(|r| result(*r, lang)));
    let rows: Vec<Vec<String>> = report
        .families
        .iter()
        .map(|f| {
            let mut cells = vec![esc(&f.family), esc(text(&f.name, lang))];
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
            cells
        })
        .collect();
    table(&mut out, &head, &rows);

    let _ = writeln!(
        out,
        "<h2>4. {}</h2>",
        esc(l(lang, "Results by clause", "各条款评估结果"))
    );
    for f in &report.families {
        let _ = writeln!(
            out,
            "<h3>{} {}</h3>",
            esc(&f.family),
            esc(text(&f.name, lang))
        );
        for c in report.controls.iter().filter(|c| c.family == f.family) {
            control(&mut out, report, c, lang);
        }
    }
    let orphans: Vec<_> = report
        .controls
        .iter()
        .filter(|c| !report.families.iter().any(|f| f.family == c.family))
        .collect();
    if !orphans.is_empty() {
        let _ = writeln!(out, "<h3>{}</h3>", esc(l(lang, "Other", "其他")));
        for c in orphans {
            control(&mut out, report, c, lang);
        }
    }

    // Section 5: the customer's part, apart from the provider's score.
    let _ = writeln!(
        out,
        "<h2 id=\"customer-part\">5. {}</h2>",
        esc(crate::text::customer_part_title(lang))
    );
    for p in crate::text::customer_part_intro(report, lang) {
        let _ = writeln!(out, "<p>{}</p>", rich(&p));
    }
    let (head, rows) = crate::text::customer_part_table(report, lang);
    if !rows.is_empty() {
        let rows: Vec<Vec<String>> = report
            .customer_part
            .items
            .iter()
            .zip(rows)
            .map(|(i, r)| {
                vec![
                    esc(&r[0]),
                    esc(&r[1]),
                    esc(&r[2]),
                    esc(&r[3]),
                    res(i.result, lang),
                    rich(&r[5]),
                ]
            })
            .collect();
        table(&mut out, &head, &rows);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn control(out: &mut String, report: &Report, c: &ControlReport, lang: Lang) {
    let _ = writeln!(out, "<section class=\"control\" id=\"{}\">", esc(&c.id));
    let _ = writeln!(
        out,
        "<h4>{} {}</h4>\n<ul>",
        esc(&c.id),
        esc(text(&c.title, lang))
    );
    for (k, v) in [
        (l(lang, "Clause", "条款"), c.clause.clone()),
        (l(lang, "Methods", "评估方法"), methods(&c.methods, lang)),
        (
            l(lang, "Automation", "自动化程度"),
            crate::text::automation(c.automation, lang).to_owned(),
        ),
        (l(lang, "Weight", "权重"), c.weight.to_string()),
        (
            l(lang, "Key control", "关键控制项"),
            yes_no(c.key, lang).to_string(),
        ),
        (
            l(lang, "Lowest tier", "最低适用级别"),
            tier(report, c.min_tier, lang),
        ),
    ] {
        let _ = writeln!(out, "<li>{}: {}</li>", esc(k), esc(&v));
    }
    out.push_str("</ul>\n");
    if c.results.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", esc(crate::text::customer_only(lang)));
    }

    let rows: Vec<Vec<String>> = c
        .results
        .iter()
        .map(|(t, r)| {
            vec![
                esc(&tier(report, *t, lang)),
                res(r.result, lang),
                rich(&crate::text::control_reason(r, lang)),
            ]
        })
        .collect();
    table(
        out,
        &[
            l(lang, "Tier", "级别"),
            l(lang, "Result", "结果"),
            l(lang, "Reason", "理由"),
        ],
        &rows,
    );

    let rows: Vec<Vec<String>> = c
        .items
        .iter()
        .map(|i| {
            let mut reason = rich(&crate::text::item_reason(i, lang));
            if let Some(o) = i.overridden_rule_result {
                let _ = write!(
                    reason,
                    " ({} {})",
                    esc(l(lang, "overrides rules' result", "覆盖规则结果")),
                    res(o, lang)
                );
            }
            vec![
                esc(&i.id),
                esc(&tier(report, i.tier, lang)),
                esc(crate::text::responsibility(i.responsibility, lang)),
                res(i.result, lang),
                esc(crate::text::decided_by(i.decided_by, lang)),
                reason,
            ]
        })
        .collect();
    table(
        out,
        &[
            l(lang, "Item", "测评项"),
            l(lang, "Tier", "级别"),
            l(lang, "Implemented by", "实施方"),
            l(lang, "Result", "结果"),
            l(lang, "Decided by", "判定依据"),
            l(lang, "Reason", "理由"),
        ],
        &rows,
    );

    let rules: Vec<_> = c
        .items
        .iter()
        .flat_map(|i| i.rules.iter().map(move |r| (i, r)))
        .collect();
    if !rules.is_empty() {
        caption(out, esc(l(lang, "Rules and evidence", "规则与证据")), lang);
        let rows: Vec<Vec<String>> = rules
            .iter()
            .map(|(i, r)| {
                vec![
                    esc(&i.id),
                    esc(&r.id),
                    res(r.result, lang),
                    format!("{} / {}", r.passed, r.in_scope),
                    rich(&crate::text::reason(&r.reason, lang)),
                    format!("{} ({})", code(&r.evidence_set_sha256), r.evidence_count),
                ]
            })
            .collect();
        table(
            out,
            &[
                l(lang, "Item", "测评项"),
                l(lang, "Rule", "规则"),
                l(lang, "Result", "结果"),
                l(lang, "Passed / in scope", "通过 / 范围内"),
                l(lang, "Reason", "理由"),
                l(lang, "Evidence set SHA-256", "证据集 SHA-256"),
            ],
            &rows,
        );
    }

    let rows: Vec<Vec<String>> = rules
        .iter()
        .flat_map(|(_, r)| {
            r.failed.iter().map(move |f| {
                vec![
                    esc(&r.id),
                    match &f.accepted_by {
                        Some(w) => esc(&format!(
                            "{} ({} {w})",
                            f.resource_id,
                            l(lang, "risk accepted by waiver", "已由豁免接受风险")
                        )),
                        None => esc(&f.resource_id),
                    },
                    esc(&format!("{} / {} / {}", f.provider, f.account, f.region)),
                    code(&f.evidence),
                ]
            })
        })
        .collect();
    if !rows.is_empty() {
        caption(out, esc(l(lang, "Failing resources", "不符合的资源")), lang);
        table(
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
            &rows,
        );
    }

    let place = |p: &str, a: &str, r: &str| esc(&format!("{p} / {a} / {r}"));
    let where_head = l(
        lang,
        "Provider / account / region",
        "云服务商 / 账号 / 地域",
    );
    let rows: Vec<Vec<String>> = rules
        .iter()
        .flat_map(|(_, r)| {
            r.not_reported.iter().map(move |n| {
                vec![
                    esc(&r.id),
                    esc(&n.resource_id),
                    code(&n.field),
                    place(&n.provider, &n.account, &n.region),
                    code(&n.evidence),
                ]
            })
        })
        .collect();
    if !rows.is_empty() {
        caption(
            out,
            esc(l(
                lang,
                "Not reported by the provider (needs an interview, examine or test record)",
                "云服务商未报告的字段（需以访谈、检查或测试记录补充证据）",
            )),
            lang,
        );
        table(
            out,
            &[
                l(lang, "Rule", "规则"),
                l(lang, "Resource", "资源"),
                l(lang, "Field", "字段"),
                where_head,
                l(lang, "Evidence SHA-256", "证据 SHA-256"),
            ],
            &rows,
        );
    }

    let rows: Vec<Vec<String>> = rules
        .iter()
        .flat_map(|(_, r)| {
            r.errors.iter().map(move |e| {
                vec![
                    esc(&r.id),
                    esc(&e.resource_id),
                    esc(&e.message),
                    code(&e.evidence),
                ]
            })
        })
        .collect();
    if !rows.is_empty() {
        caption(
            out,
            esc(l(
                lang,
                "Records the rule could not evaluate",
                "规则无法评估的记录",
            )),
            lang,
        );
        table(
            out,
            &[
                l(lang, "Rule", "规则"),
                l(lang, "Resource", "资源"),
                l(lang, "Error", "错误"),
                l(lang, "Evidence SHA-256", "证据 SHA-256"),
            ],
            &rows,
        );
    }

    let rows: Vec<Vec<String>> = rules
        .iter()
        .flat_map(|(_, r)| {
            r.incomplete.iter().map(move |p| {
                vec![
                    esc(&r.id),
                    code(&r.kind),
                    place(&p.provider, &p.account, &p.region),
                    esc(&crate::text::scope_cause(&p.cause, lang)),
                    esc(&crate::text::scope_message(&p.cause)),
                ]
            })
        })
        .collect();
    if !rows.is_empty() {
        caption(
            out,
            esc(l(lang, "Incomplete evidence", "证据不完整的采集范围")),
            lang,
        );
        table(
            out,
            &[
                l(lang, "Rule", "规则"),
                l(lang, "Kind", "证据类型"),
                where_head,
                l(lang, "Cause", "原因"),
                l(lang, "Collector message", "采集器消息"),
            ],
            &rows,
        );
    }

    let rows: Vec<Vec<String>> = crate::text::waiver_rows(report, &c.id, lang)
        .iter()
        .map(|r| r.iter().map(|c| esc(c)).collect())
        .collect();
    if !rows.is_empty() {
        caption(out, esc(l(lang, "Waivers", "豁免")), lang);
        table(out, &crate::text::waiver_header(lang), &rows);
    }

    let rows: Vec<Vec<String>> = report
        .attestations
        .iter()
        .filter(|a| a.control == c.id)
        .map(|a| {
            let r = res(ResultState::from(a.result), lang);
            vec![
                esc(a.item.as_deref().unwrap_or("-")),
                esc(&a.assessor),
                esc(method(a.method, lang)),
                esc(&a.date.to_string()),
                r,
                esc(crate::text::attestation_status(a.status, lang)),
                code(&a.sha256),
            ]
        })
        .collect();
    if !rows.is_empty() {
        caption(out, esc(l(lang, "Assessor records", "测评人员记录")), lang);
        table(
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
            &rows,
        );
    }
    out.push_str("</section>\n");
}
