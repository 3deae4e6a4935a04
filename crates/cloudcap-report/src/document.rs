//! The report turned once into a [`Document`] for the Markdown and HTML writers, laid out like a
//! GB/T 34942 assessment report: the boundary, the summary, the families, one section per clause
//! (methods, results per tier, items, rules with their evidence-set hashes, failing resources
//! with evidence hashes, assessor records, waivers), then the customer's part.
//!
//! One function per section; every label the two formats show is in [`labels`], once, in both
//! languages.

use cloudcap_engine::{Blocker, ControlReport, ItemReport, Report, ResultState};

use crate::Lang;
use crate::doc::{Bar, BarStyle, Block, Cell, Chart, Document, Inline};
use crate::text::{
    attestation_status, automation, blocker, control_reason, customer_only, customer_part_intro,
    customer_part_table, customer_part_title, decided_by, item_reason, method, methods, next_tier,
    pct, plan_status, reason, responsibility, result, scope_cause, scope_message, text, tier,
    tier_achieved, waiver_mode, waiver_status, yes_no,
};

/// Every label of the Markdown and HTML reports, as (English, Chinese).
mod labels {
    pub(super) type Label = (&'static str, &'static str);

    pub(super) const TITLE: Label = (
        "Cloud service security capability assessment report",
        "云计算服务安全能力评估报告",
    );
    // Section titles.
    pub(super) const SUMMARY: Label = ("Summary", "概述");
    pub(super) const BY_FAMILY: Label = ("Results by family", "各安全要求族评估结果");
    pub(super) const BY_CLAUSE: Label = ("Results by clause", "各条款评估结果");
    pub(super) const OTHER: Label = ("Other", "其他");
    // The summary.
    pub(super) const FIELD: Label = ("Field", "项目");
    pub(super) const VALUE: Label = ("Value", "内容");
    pub(super) const STANDARD: Label = ("Standard", "标准");
    pub(super) const ASSESSMENT_METHOD: Label = ("Assessment method", "评估方法");
    pub(super) const CATALOG_VERSION: Label = ("Catalog version", "目录版本");
    pub(super) const CATALOG_DIGEST: Label = ("Catalog digest", "目录摘要");
    pub(super) const MERKLE_ROOT: Label = ("Evidence bundle Merkle root", "证据包 Merkle 根");
    pub(super) const COLLECTED_AT: Label = ("Evidence collected at", "证据采集时间");
    pub(super) const ASSESSED_AT: Label = ("Assessed at", "评估时间");
    pub(super) const TOOL_VERSION: Label = ("Tool version", "工具版本");
    pub(super) const SCORING_METHOD: Label = ("Scoring method", "评分方法");
    pub(super) const TARGET_TIER: Label = ("Target tier", "目标级别");
    pub(super) const SCORE: Label = ("Score", "得分");
    pub(super) const COVERAGE: Label = ("Coverage", "覆盖率");
    pub(super) const TIER_ACHIEVED: Label = ("Tier achieved", "达到级别");
    pub(super) const MIN_SCORE: Label = ("Min score", "最低得分");
    pub(super) const MIN_COVERAGE: Label = ("Min coverage", "最低覆盖率");
    pub(super) const REACHED: Label = ("Reached", "是否达到");
    /// Before the next tier's name, and after it.
    pub(super) const WHAT_BLOCKS: Label = ("What blocks", "阻碍达到");
    pub(super) const WHAT_BLOCKS_END: Label = (":", "的原因：");
    // The families.
    pub(super) const FAMILY: Label = ("Family", "族");
    pub(super) const NAME: Label = ("Name", "名称");
    // A control.
    pub(super) const CLAUSE: Label = ("Clause", "条款");
    pub(super) const METHODS: Label = ("Methods", "评估方法");
    pub(super) const AUTOMATION: Label = ("Automation", "自动化程度");
    pub(super) const WEIGHT: Label = ("Weight", "权重");
    pub(super) const KEY_CONTROL: Label = ("Key control", "关键控制项");
    pub(super) const LOWEST_TIER: Label = ("Lowest tier", "最低适用级别");
    pub(super) const TIER: Label = ("Tier", "级别");
    pub(super) const RESULT: Label = ("Result", "结果");
    pub(super) const REASON: Label = ("Reason", "理由");
    pub(super) const ITEM: Label = ("Item", "测评项");
    pub(super) const IMPLEMENTED_BY: Label = ("Implemented by", "实施方");
    pub(super) const DECIDED_BY: Label = ("Decided by", "判定依据");
    pub(super) const OVERRIDES: Label = ("overrides rules' result", "覆盖规则结果");
    pub(super) const RULES_AND_EVIDENCE: Label = ("Rules and evidence", "规则与证据");
    pub(super) const RULE: Label = ("Rule", "规则");
    pub(super) const PASSED_IN_SCOPE: Label = ("Passed / in scope", "通过 / 范围内");
    pub(super) const EVIDENCE_SET_SHA256: Label = ("Evidence set SHA-256", "证据集 SHA-256");
    pub(super) const FAILING_RESOURCES: Label = ("Failing resources", "不符合的资源");
    pub(super) const RESOURCE: Label = ("Resource", "资源");
    /// A record's field (the summary's `FIELD` is a row's name).
    pub(super) const RECORD_FIELD: Label = ("Field", "字段");
    pub(super) const PLACE: Label = ("Provider / account / region", "云服务商 / 账号 / 地域");
    pub(super) const EVIDENCE_SHA256: Label = ("Evidence SHA-256", "证据 SHA-256");
    pub(super) const RISK_ACCEPTED: Label = ("risk accepted by waiver", "已由豁免接受风险");
    pub(super) const NOT_REPORTED: Label = (
        "Not reported by the provider (needs an interview, examine or test record)",
        "云服务商未报告的字段（需以访谈、检查或测试记录补充证据）",
    );
    pub(super) const ERRORS: Label = ("Records the rule could not evaluate", "规则无法评估的记录");
    pub(super) const ERROR: Label = ("Error", "错误");
    pub(super) const INCOMPLETE: Label = ("Incomplete evidence", "证据不完整的采集范围");
    pub(super) const KIND: Label = ("Kind", "证据类型");
    pub(super) const CAUSE: Label = ("Cause", "原因");
    pub(super) const COLLECTOR_MESSAGE: Label = ("Collector message", "采集器消息");
    pub(super) const ASSESSOR_RECORDS: Label = ("Assessor records", "测评人员记录");
    pub(super) const ASSESSOR: Label = ("Assessor", "测评人员");
    pub(super) const METHOD: Label = ("Method", "方法");
    pub(super) const DATE: Label = ("Date", "日期");
    pub(super) const STATUS: Label = ("Status", "状态");
    pub(super) const SHA256: Label = ("SHA-256", "SHA-256");
    // Waivers.
    pub(super) const WAIVERS: Label = ("Waivers", "豁免");
    pub(super) const WAIVER: Label = ("Waiver", "豁免");
    pub(super) const MODE: Label = ("Mode", "方式");
    pub(super) const SCOPE: Label = ("Scope", "范围");
    pub(super) const MATCHED: Label = ("Matched", "匹配数");
    pub(super) const APPROVER: Label = ("Approver", "批准人");
    pub(super) const TICKET: Label = ("Ticket", "工单");
    pub(super) const RISK: Label = ("Risk", "风险");
    pub(super) const EFFECTIVE: Label = ("Effective", "生效");
    pub(super) const EXPIRES: Label = ("Expires", "到期");
    pub(super) const JUSTIFICATION: Label = ("Justification", "理由");
    /// What ends a caption before a table.
    pub(super) const COLON: Label = (":", "：");
    pub(super) const OVERVIEW: Label = ("Overview", "概览");
    pub(super) const CONTENTS: Label = ("Contents", "目录");
    pub(super) const TIERS_CHART: Label = (
        "Score and coverage per tier, against the tier's thresholds",
        "各级别得分与覆盖率（竖线为该级别的门槛）",
    );
    pub(super) const FAMILIES_CHART: Label = (
        "Score per family at the target tier (line: the tier's minimum score)",
        "目标级别下各安全要求族得分（竖线为该级别的最低得分）",
    );
    pub(super) const STATES_CHART: Label = (
        "Controls per result at the target tier",
        "目标级别下各结果的控制项数",
    );
    pub(super) const THRESHOLD: Label = ("Threshold", "门槛");
    pub(super) const CONTROLS: Label = ("controls", "项");
    pub(super) const SERVICE: Label = ("Service assessed", "被测评的云服务");
    pub(super) const ACCOUNTS: Label = ("Accounts with evidence", "有证据的账号");
    pub(super) const REGIONS: Label = ("Regions collected / listed", "已采集 / 已列出的地域");
    pub(super) const NOT_STATED: Label = ("not stated", "未声明");
    // The rectification plan.
    pub(super) const PLAN: Label = ("Rectification plan", "整改计划");
    pub(super) const PLAN_INTRO: Label = (
        "Every provider or shared item that is not satisfied or not evaluated, what blocks the next tier first (its key controls), then by tier and by weight. For a not-evaluated item the first step is the missing evidence its reason names.",
        "列出所有未符合或未评估的云服务商及共同责任测评项：先列阻碍达到下一级别的（其关键控制项），再按级别、按权重排列。未评估的测评项应先补充其理由中指出的缺失证据。",
    );
    pub(super) const PLAN_NONE: Label = (
        "Nothing to rectify: every provider and shared item is satisfied or not applicable.",
        "无需整改：所有云服务商及共同责任测评项均为符合或不适用。",
    );
    pub(super) const NO: Label = ("No.", "序号");
    pub(super) const CONTROL: Label = ("Control", "控制项");
    pub(super) const BLOCKS: Label = ("Blocks", "阻碍");
    pub(super) const REMEDIATION: Label = ("Remediation", "整改建议");
    pub(super) const NO_GUIDANCE: Label = ("no guidance in the catalog", "目录中无整改建议");
    pub(super) const MORE: Label = ("more", "其余");
    pub(super) const OWNER: Label = ("Owner", "责任人");
    pub(super) const DUE: Label = ("Due", "完成时限");
    pub(super) const NOTE: Label = ("Note", "备注");
}

use labels::Label;

/// The report as a document in `lang`.
pub(crate) fn build(report: &Report, lang: Lang, plan: &crate::Plan) -> Document {
    let b = Builder { report, lang, plan };
    let mut sections = Vec::new();
    b.boundary(&mut sections);
    b.summary(&mut sections);
    b.families(&mut sections);
    b.clauses(&mut sections);
    b.customer_part(&mut sections);
    b.plan(&mut sections);
    let mut blocks = vec![b.cover()];
    b.overview(&mut blocks);
    let contents = sections
        .iter()
        .filter_map(|s| match s {
            Block::Heading {
                level,
                text,
                anchor: Some(a),
            } => Some((*level, text.clone(), a.clone())),
            _ => None,
        })
        .collect();
    blocks.push(Block::Heading {
        level: 2,
        text: b.w(labels::CONTENTS).to_owned(),
        anchor: Some("contents".into()),
    });
    blocks.push(Block::Contents(contents));
    blocks.extend(sections);
    Document {
        lang,
        title: b.w(labels::TITLE).to_owned(),
        blocks,
    }
}

struct Builder<'a> {
    report: &'a Report,
    lang: Lang,
    plan: &'a crate::Plan,
}

fn t(s: impl Into<String>) -> Cell {
    vec![Inline::Text(s.into())]
}

fn rich(s: impl Into<String>) -> Cell {
    vec![Inline::Rich(s.into())]
}

fn code(s: impl Into<String>) -> Cell {
    vec![Inline::Code(s.into())]
}

fn mono(s: impl Into<String>) -> Cell {
    vec![Inline::Mono(s.into())]
}

fn heading(level: u8, text: String) -> Block {
    Block::Heading {
        level,
        text,
        anchor: None,
    }
}

fn anchored(level: u8, text: String, anchor: &str) -> Block {
    Block::Heading {
        level,
        text,
        anchor: Some(anchor.to_owned()),
    }
}

fn place(provider: &str, account: &str, region: &str) -> Cell {
    t(format!("{provider} / {account} / {region}"))
}

impl Builder<'_> {
    /// The label in the document's language.
    fn w(&self, (en, zh): Label) -> &'static str {
        match self.lang {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    fn head(&self, labels: &[Label]) -> Vec<String> {
        labels.iter().map(|&l| self.w(l).to_owned()).collect()
    }

    fn result(&self, state: ResultState) -> Inline {
        Inline::Result {
            state,
            label: result(state, self.lang).to_owned(),
        }
    }

    /// A caption before a table: `Failing resources:` / `不符合的资源：`.
    fn caption(&self, label: Label) -> Block {
        Block::Paragraph(t(format!("{}{}", self.w(label), self.w(labels::COLON))))
    }

    fn tier(&self, t: cloudcap_catalog::Tier) -> String {
        tier(self.report, t, self.lang)
    }

    /// The printed cover: what was assessed, where, when, and the outcome (shown on screen by
    /// the sections themselves).
    fn cover(&self) -> Block {
        use labels as L;
        let r = self.report;
        let accounts = &r.boundary.accounts;
        let listed: usize = accounts.iter().map(|a| a.regions.len()).sum();
        let collected: usize = accounts
            .iter()
            .map(|a| a.regions.iter().filter(|g| g.collected).count())
            .sum();
        let service = r
            .boundary
            .scope
            .as_ref()
            .map(|s| s.service.clone())
            .unwrap_or_else(|| self.w(L::NOT_STATED).to_owned());
        let facts = [
            (L::SERVICE, service),
            (L::STANDARD, r.catalog.standard.clone()),
            (L::ASSESSMENT_METHOD, r.catalog.assessment_method.clone()),
            (L::ACCOUNTS, accounts.len().to_string()),
            (L::REGIONS, format!("{collected} / {listed}")),
            (L::ASSESSED_AT, r.assessed_at.clone()),
            (L::TARGET_TIER, self.tier(r.target_tier)),
            (L::TIER_ACHIEVED, tier_achieved(r, self.lang)),
            (L::MERKLE_ROOT, r.merkle_roots()),
        ];
        Block::Cover {
            title: self.w(L::TITLE).to_owned(),
            facts: facts
                .into_iter()
                .map(|(k, v)| (self.w(k).to_owned(), v))
                .collect(),
        }
    }

    /// The first screen: each tier's score and coverage against its thresholds, the family
    /// scores and the results at the target tier, and what blocks the next tier.
    fn overview(&self, out: &mut Vec<Block>) {
        use labels as L;
        let (report, lang) = (self.report, self.lang);
        out.push(anchored(2, self.w(L::OVERVIEW).to_owned(), "overview"));
        let head = |first: Label| {
            [
                self.w(first).to_owned(),
                self.w(L::VALUE).to_owned(),
                self.w(L::THRESHOLD).to_owned(),
            ]
        };
        let bar = |label: String, value: u32, min: u32| Bar {
            label,
            value: u64::from(value),
            shown: pct(value),
            marker: Some((u64::from(min), pct(min))),
            style: if value >= min {
                BarStyle::Met
            } else {
                BarStyle::Unmet
            },
        };
        let mut tiers = Vec::new();
        for row in &report.summary.tiers {
            let name = text(&row.name, lang);
            tiers.push(bar(
                format!("{name} {}", self.w(L::SCORE)),
                row.score.score_bp,
                row.min_score_bp,
            ));
            tiers.push(bar(
                format!("{name} {}", self.w(L::COVERAGE)),
                row.score.coverage_bp,
                row.min_coverage_bp,
            ));
        }
        out.push(Block::Chart(Chart {
            caption: self.w(L::TIERS_CHART).to_owned(),
            scale: 10_000,
            bars: tiers,
            head: head(L::TIER),
        }));
        let target = report.target_tier;
        let min = report
            .summary
            .tiers
            .iter()
            .find(|t| t.tier == target)
            .map_or(0, |t| t.min_score_bp);
        let families = report
            .families
            .iter()
            .filter_map(|f| {
                let sc = f.scores.get(&target)?;
                Some(bar(
                    format!("{} {}", f.family, text(&f.name, lang)),
                    sc.score_bp,
                    min,
                ))
            })
            .collect();
        out.push(Block::Chart(Chart {
            caption: self.w(L::FAMILIES_CHART).to_owned(),
            scale: 10_000,
            bars: families,
            head: head(L::FAMILY),
        }));
        let counts: Vec<(ResultState, u64)> = ResultState::ALL
            .iter()
            .map(|state| {
                let n = report
                    .controls
                    .iter()
                    .filter(|c| c.result_at(target) == Some(*state))
                    .count();
                (*state, n as u64)
            })
            .collect();
        out.push(Block::Chart(Chart {
            caption: self.w(L::STATES_CHART).to_owned(),
            scale: counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1),
            bars: counts
                .into_iter()
                .map(|(state, n)| Bar {
                    label: result(state, lang).to_owned(),
                    value: n,
                    shown: format!("{n} {}", self.w(L::CONTROLS)),
                    marker: None,
                    style: BarStyle::State(state),
                })
                .collect(),
            head: head(L::RESULT),
        }));
        self.blockers(out);
    }

    /// Section 6: the rectification plan (整改计划), in [`plan_items`] order.
    fn plan(&self, out: &mut Vec<Block>) {
        use labels as L;
        out.push(anchored(2, format!("6. {}", self.w(L::PLAN)), "plan"));
        let (head, rows) = plan_table(self.report, self.plan, self.lang);
        if rows.is_empty() {
            out.push(Block::Paragraph(t(self.w(L::PLAN_NONE))));
            return;
        }
        out.push(Block::Paragraph(t(self.w(L::PLAN_INTRO))));
        let rows = rows
            .into_iter()
            .map(|r| {
                let mut cells = vec![
                    t(r.number),
                    vec![
                        Inline::Mono(r.control),
                        Inline::text(format!(" {}", r.title)),
                    ],
                    t(r.item),
                    t(r.tier),
                    vec![self.result(r.result)],
                    t(r.blocks),
                    rich(r.reason),
                    mono(r.resources),
                    t(r.remediation),
                ];
                cells.extend(r.plan.into_iter().map(t));
                cells
            })
            .collect();
        out.push(Block::Table { head, rows });
    }

    /// What blocks the next tier, if one is not reached.
    fn blockers(&self, out: &mut Vec<Block>) {
        use labels as L;
        let (report, lang) = (self.report, self.lang);
        if let Some(next) = next_tier(report) {
            out.push(Block::Paragraph(t(format!(
                "{} {}{}",
                self.w(L::WHAT_BLOCKS),
                text(&next.name, lang),
                self.w(L::WHAT_BLOCKS_END)
            ))));
            out.push(Block::List(
                next.blockers
                    .iter()
                    .map(|b| t(blocker(report, b, lang)))
                    .collect(),
            ));
        }
    }

    /// Section 1: the assessment boundary (`docs/scoring.md` §10).
    fn boundary(&self, out: &mut Vec<Block>) {
        use crate::boundary::Block as B;
        out.push(anchored(
            2,
            format!("1. {}", crate::boundary::title(self.lang)),
            "boundary",
        ));
        for b in crate::boundary::blocks(&self.report.boundary, self.lang, false)
            .into_iter()
            .chain(crate::accounts::blocks(self.report, self.lang))
        {
            out.push(match b {
                B::Heading(h) => heading(3, h),
                B::Para(p) => Block::Paragraph(rich(p)),
                B::Table { head, rows } => Block::Table {
                    head,
                    rows: rows
                        .into_iter()
                        .map(|r| r.into_iter().map(rich).collect())
                        .collect(),
                },
            });
        }
    }

    /// Section 2: the summary, the tiers and what blocks the next one.
    fn summary(&self, out: &mut Vec<Block>) {
        use labels as L;
        let (report, lang) = (self.report, self.lang);
        let s = &report.summary;
        out.push(anchored(2, format!("2. {}", self.w(L::SUMMARY)), "summary"));
        let fields: Vec<(Label, Cell)> = vec![
            (L::STANDARD, t(&report.catalog.standard)),
            (L::ASSESSMENT_METHOD, t(&report.catalog.assessment_method)),
            (L::CATALOG_VERSION, t(&report.catalog.version)),
            (L::CATALOG_DIGEST, mono(&report.catalog.digest)),
            (L::MERKLE_ROOT, mono(report.merkle_roots())),
            (
                L::COLLECTED_AT,
                t(report
                    .bundle_refs()
                    .iter()
                    .map(|b| b.created_at.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")),
            ),
            (L::ASSESSED_AT, t(&report.assessed_at)),
            (L::TOOL_VERSION, t(&report.tool_version)),
            (L::SCORING_METHOD, t(&report.scoring_method)),
            (L::TARGET_TIER, t(self.tier(report.target_tier))),
            (L::SCORE, t(pct(s.overall.score_bp))),
            (L::COVERAGE, t(pct(s.overall.coverage_bp))),
            (L::TIER_ACHIEVED, t(tier_achieved(report, lang))),
        ];
        out.push(Block::Table {
            head: self.head(&[L::FIELD, L::VALUE]),
            rows: fields
                .into_iter()
                .map(|(k, v)| vec![t(self.w(k)), v])
                .collect(),
        });

        out.push(Block::Table {
            head: self.head(&[
                L::TIER,
                L::SCORE,
                L::MIN_SCORE,
                L::COVERAGE,
                L::MIN_COVERAGE,
                L::REACHED,
            ]),
            rows: s
                .tiers
                .iter()
                .map(|row| {
                    vec![
                        t(text(&row.name, lang)),
                        t(pct(row.score.score_bp)),
                        t(pct(row.min_score_bp)),
                        t(pct(row.score.coverage_bp)),
                        t(pct(row.min_coverage_bp)),
                        t(yes_no(row.reached, lang)),
                    ]
                })
                .collect(),
        });
    }

    /// Section 3: scores and counts per family at the target tier.
    fn families(&self, out: &mut Vec<Block>) {
        use labels as L;
        let (report, lang) = (self.report, self.lang);
        out.push(anchored(
            2,
            format!("3. {}", self.w(L::BY_FAMILY)),
            "families",
        ));
        let mut head = self.head(&[L::FAMILY, L::NAME, L::SCORE, L::COVERAGE]);
        head.extend(ResultState::ALL.iter().map(|r| result(*r, lang).to_owned()));
        let rows = report
            .families
            .iter()
            .map(|f| {
                let mut cells = vec![t(&f.family), t(text(&f.name, lang))];
                match f.scores.get(&report.target_tier) {
                    Some(sc) => {
                        cells.push(t(pct(sc.score_bp)));
                        cells.push(t(pct(sc.coverage_bp)));
                        cells.extend(
                            ResultState::ALL
                                .iter()
                                .map(|r| t(sc.counts.get(r).copied().unwrap_or(0).to_string())),
                        );
                    }
                    None => cells.extend(std::iter::repeat_n(t("-"), 2 + ResultState::ALL.len())),
                }
                cells
            })
            .collect();
        out.push(Block::Table { head, rows });
    }

    /// Section 4: one part per family, one section per control.
    fn clauses(&self, out: &mut Vec<Block>) {
        let report = self.report;
        out.push(anchored(
            2,
            format!("4. {}", self.w(labels::BY_CLAUSE)),
            "clauses",
        ));
        for f in &report.families {
            out.push(anchored(
                3,
                format!("{} {}", f.family, text(&f.name, self.lang)),
                &format!("family-{}", f.family),
            ));
            for c in report.controls.iter().filter(|c| c.family == f.family) {
                out.push(self.control(c));
            }
        }
        // Controls whose family is not listed (should not happen, but never drop a control).
        let orphans: Vec<_> = report
            .controls
            .iter()
            .filter(|c| !report.families.iter().any(|f| f.family == c.family))
            .collect();
        if !orphans.is_empty() {
            out.push(heading(3, self.w(labels::OTHER).to_owned()));
            for c in orphans {
                out.push(self.control(c));
            }
        }
    }

    /// Section 5: the customer's part, apart from the provider's score.
    fn customer_part(&self, out: &mut Vec<Block>) {
        let (report, lang) = (self.report, self.lang);
        out.push(Block::Heading {
            level: 2,
            text: format!("5. {}", customer_part_title(lang)),
            anchor: Some("customer-part".into()),
        });
        for p in customer_part_intro(report, lang) {
            out.push(Block::Paragraph(rich(p)));
        }
        let (head, rows) = customer_part_table(report, lang);
        if !rows.is_empty() {
            let rows = report
                .customer_part
                .items
                .iter()
                .zip(rows)
                .map(|(i, r)| {
                    let [control, title, item, tier, _, reason] =
                        <[String; 6]>::try_from(r).expect("six columns");
                    vec![
                        t(control),
                        t(title),
                        t(item),
                        t(tier),
                        vec![self.result(i.result)],
                        rich(reason),
                    ]
                })
                .collect();
            out.push(Block::Table {
                head: head.into_iter().map(str::to_owned).collect(),
                rows,
            });
        }
    }

    /// One control: its facts, results per tier, items, rules and what they found, waivers and
    /// assessor records.
    fn control(&self, c: &ControlReport) -> Block {
        use labels as L;
        let (report, lang) = (self.report, self.lang);
        let mut body = vec![Block::Fields(
            [
                (L::CLAUSE, c.clause.clone()),
                (L::METHODS, methods(&c.methods, lang)),
                (L::AUTOMATION, automation(c.automation, lang).to_owned()),
                (L::WEIGHT, c.weight.to_string()),
                (L::KEY_CONTROL, yes_no(c.key, lang).to_owned()),
                (L::LOWEST_TIER, self.tier(c.min_tier)),
            ]
            .into_iter()
            .map(|(k, v)| (self.w(k).to_owned(), Inline::Text(v)))
            .collect(),
        )];
        if c.results.is_empty() {
            body.push(Block::Paragraph(t(customer_only(lang))));
        }

        body.push(Block::Table {
            head: self.head(&[L::TIER, L::RESULT, L::REASON]),
            rows: c
                .results
                .iter()
                .map(|(tr, r)| {
                    vec![
                        t(self.tier(*tr)),
                        vec![self.result(r.result)],
                        rich(control_reason(r, lang)),
                    ]
                })
                .collect(),
        });

        body.push(Block::Table {
            head: self.head(&[
                L::ITEM,
                L::TIER,
                L::IMPLEMENTED_BY,
                L::RESULT,
                L::DECIDED_BY,
                L::REASON,
            ]),
            rows: c
                .items
                .iter()
                .map(|i| {
                    let mut why = rich(item_reason(i, lang));
                    if let Some(o) = i.overridden_rule_result {
                        why.push(Inline::text(format!(" ({} ", self.w(L::OVERRIDES))));
                        why.push(self.result(o));
                        why.push(Inline::text(")"));
                    }
                    vec![
                        t(&i.id),
                        t(self.tier(i.tier)),
                        t(responsibility(i.responsibility, lang)),
                        vec![self.result(i.result)],
                        t(decided_by(i.decided_by, lang)),
                        why,
                    ]
                })
                .collect(),
        });

        let rules: Vec<_> = c
            .items
            .iter()
            .flat_map(|i| i.rules.iter().map(move |r| (i, r)))
            .collect();
        let mut table = |caption: Label, head: &[Label], rows: Vec<Vec<Cell>>| {
            if !rows.is_empty() {
                body.push(self.caption(caption));
                body.push(Block::Table {
                    head: self.head(head),
                    rows,
                });
            }
        };

        table(
            L::RULES_AND_EVIDENCE,
            &[
                L::ITEM,
                L::RULE,
                L::RESULT,
                L::PASSED_IN_SCOPE,
                L::REASON,
                L::EVIDENCE_SET_SHA256,
            ],
            rules
                .iter()
                .map(|(i, r)| {
                    vec![
                        t(&i.id),
                        t(&r.id),
                        vec![self.result(r.result)],
                        t(format!("{} / {}", r.passed, r.in_scope)),
                        rich(reason(&r.reason, lang)),
                        vec![
                            Inline::Code(r.evidence_set_sha256.clone()),
                            Inline::text(format!(" ({})", r.evidence_count)),
                        ],
                    ]
                })
                .collect(),
        );

        table(
            L::FAILING_RESOURCES,
            &[L::RULE, L::RESOURCE, L::PLACE, L::EVIDENCE_SHA256],
            rules
                .iter()
                .flat_map(|(_, r)| {
                    r.failed.iter().map(move |f| {
                        vec![
                            t(&r.id),
                            t(match &f.accepted_by {
                                Some(w) => {
                                    format!("{} ({} {w})", f.resource_id, self.w(L::RISK_ACCEPTED))
                                }
                                None => f.resource_id.clone(),
                            }),
                            place(&f.provider, &f.account, &f.region),
                            code(&f.evidence),
                        ]
                    })
                })
                .collect(),
        );

        table(
            L::NOT_REPORTED,
            &[
                L::RULE,
                L::RESOURCE,
                L::RECORD_FIELD,
                L::PLACE,
                L::EVIDENCE_SHA256,
            ],
            rules
                .iter()
                .flat_map(|(_, r)| {
                    r.not_reported.iter().map(move |n| {
                        vec![
                            t(&r.id),
                            t(&n.resource_id),
                            code(&n.field),
                            place(&n.provider, &n.account, &n.region),
                            code(&n.evidence),
                        ]
                    })
                })
                .collect(),
        );

        table(
            L::ERRORS,
            &[L::RULE, L::RESOURCE, L::ERROR, L::EVIDENCE_SHA256],
            rules
                .iter()
                .flat_map(|(_, r)| {
                    r.errors.iter().map(move |e| {
                        vec![
                            t(&r.id),
                            t(&e.resource_id),
                            t(&e.message),
                            code(&e.evidence),
                        ]
                    })
                })
                .collect(),
        );

        table(
            L::INCOMPLETE,
            &[L::RULE, L::KIND, L::PLACE, L::CAUSE, L::COLLECTOR_MESSAGE],
            rules
                .iter()
                .flat_map(|(_, r)| {
                    r.incomplete.iter().map(move |p| {
                        vec![
                            t(&r.id),
                            mono(&r.kind),
                            place(&p.provider, &p.account, &p.region),
                            t(scope_cause(&p.cause, lang)),
                            t(scope_message(&p.cause)),
                        ]
                    })
                })
                .collect(),
        );

        table(
            L::WAIVERS,
            &[
                L::WAIVER,
                L::MODE,
                L::SCOPE,
                L::STATUS,
                L::MATCHED,
                L::APPROVER,
                L::TICKET,
                L::RISK,
                L::EFFECTIVE,
                L::EXPIRES,
                L::JUSTIFICATION,
            ],
            self.waiver_rows(&c.id),
        );

        table(
            L::ASSESSOR_RECORDS,
            &[
                L::ITEM,
                L::ASSESSOR,
                L::METHOD,
                L::DATE,
                L::RESULT,
                L::STATUS,
                L::SHA256,
            ],
            report
                .attestations
                .iter()
                .filter(|a| a.control == c.id)
                .map(|a| {
                    vec![
                        t(a.item.as_deref().unwrap_or("-")),
                        t(&a.assessor),
                        t(method(a.method, lang)),
                        t(a.date.to_string()),
                        vec![self.result(ResultState::from(a.result))],
                        t(attestation_status(a.status, lang)),
                        code(&a.sha256),
                    ]
                })
                .collect(),
        );

        let result = c.result_at(report.target_tier);
        Block::Control {
            anchor: c.id.clone(),
            heading: format!("{} {}", c.id, text(&c.title, lang)),
            result: result.map(|r| self.result(r)),
            attention: matches!(
                result,
                Some(
                    ResultState::NotSatisfied
                        | ResultState::PartiallySatisfied
                        | ResultState::NotEvaluated
                )
            ),
            body,
        }
    }

    /// The waivers naming `control`, one row each.
    fn waiver_rows(&self, control: &str) -> Vec<Vec<Cell>> {
        let lang = self.lang;
        self.report
            .waivers
            .iter()
            .filter(|w| w.waiver.control == control)
            .map(|w| {
                let v = &w.waiver;
                let scope = [
                    v.resource.as_deref(),
                    v.provider.as_deref(),
                    v.account.as_deref(),
                ]
                .iter()
                .map(|s| s.unwrap_or("*"))
                .collect::<Vec<_>>()
                .join(" / ");
                vec![
                    t(&v.id),
                    t(waiver_mode(v.mode, lang)),
                    t(scope),
                    t(waiver_status(w.status, lang)),
                    t(w.matched.to_string()),
                    t(&v.approver),
                    t(&v.ticket),
                    t(crate::text::risk(&v.risk, lang)),
                    t(&v.effective),
                    t(&v.expires),
                    t(&v.justification),
                ]
            })
            .collect()
    }
}

/// One entry of the rectification plan: an item of a control, and whether its control is a key
/// control that blocks the next tier.
pub(crate) struct PlanItem<'a> {
    pub control: &'a ControlReport,
    pub item: &'a ItemReport,
    pub blocking: bool,
}

/// The rectification plan: every `provider` or `shared` item that is not satisfied, partially
/// satisfied or not evaluated; first the items of key controls that block the next tier, then
/// by tier (lowest first) and weight (highest first), ties in the report's order. Customer items are the
/// customer's part, not the provider's plan.
pub(crate) fn plan_items(report: &Report) -> Vec<PlanItem<'_>> {
    let blocking: Vec<&str> = next_tier(report)
        .map(|next| {
            next.blockers
                .iter()
                .filter_map(|b| match b {
                    Blocker::KeyControl { control, .. } => Some(control.as_str()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut items: Vec<PlanItem<'_>> = report
        .controls
        .iter()
        .flat_map(|c| c.items.iter().map(move |i| (c, i)))
        .filter(|(_, i)| {
            i.responsibility.scores_provider()
                && matches!(
                    i.result,
                    ResultState::NotSatisfied
                        | ResultState::PartiallySatisfied
                        | ResultState::NotEvaluated
                )
        })
        .map(|(c, i)| PlanItem {
            control: c,
            item: i,
            blocking: blocking.contains(&c.id.as_str()),
        })
        .collect();
    // Stable: ties keep the report's order (controls by clause, items in catalog order).
    items.sort_by_key(|p| {
        (
            !p.blocking,
            p.item.tier,
            std::cmp::Reverse(p.control.weight),
        )
    });
    items
}

/// One row of the rectification plan, in words of one language.
pub(crate) struct PlanRow {
    pub number: String,
    pub control: String,
    pub title: String,
    pub item: String,
    pub tier: String,
    pub result: ResultState,
    pub blocks: String,
    pub reason: String,
    pub resources: String,
    pub remediation: String,
    /// Owner, due date, status and note, when a plan file was given (else empty).
    pub plan: Vec<String>,
}

/// The rectification plan as a table: its column labels and its rows ([`plan_items`] order),
/// shared by the document (Markdown, HTML) and the spreadsheet.
pub(crate) fn plan_table(
    report: &Report,
    plan: &crate::Plan,
    lang: Lang,
) -> (Vec<String>, Vec<PlanRow>) {
    use labels as L;
    let w = |(en, zh): Label| match lang {
        Lang::En => en,
        Lang::Zh => zh,
    };
    let with_plan = !plan.is_empty();
    let next = next_tier(report);
    let rows = plan_items(report)
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let (c, i) = (p.control, p.item);
            let failed: Vec<&str> = i
                .rules
                .iter()
                .flat_map(|r| r.failed.iter().map(|f| f.resource_id.as_str()))
                .collect();
            let mut resources = failed
                .iter()
                .take(5)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            if failed.len() > 5 {
                resources.push_str(&format!(" (+{} {})", failed.len() - 5, w(L::MORE)));
            }
            if resources.is_empty() {
                resources.push('-');
            }
            let mut extra = Vec::new();
            if with_plan {
                let e = plan.entry(&c.id, &i.id);
                let or_dash = |v: Option<&String>| v.cloned().unwrap_or_else(|| "-".to_owned());
                extra.push(or_dash(e.and_then(|e| e.owner.as_ref())));
                extra.push(or_dash(e.and_then(|e| e.due.as_ref())));
                let status = e.and_then(|e| e.status).unwrap_or(crate::PlanStatus::Open);
                extra.push(plan_status(status, lang).to_owned());
                extra.push(or_dash(e.and_then(|e| e.note.as_ref())));
            }
            PlanRow {
                number: (n + 1).to_string(),
                control: c.id.clone(),
                title: text(&c.title, lang).to_string(),
                item: i.id.clone(),
                tier: tier(report, i.tier, lang),
                result: i.result,
                blocks: match (p.blocking, next) {
                    (true, Some(next)) => text(&next.name, lang).to_string(),
                    _ => "-".to_owned(),
                },
                reason: item_reason(i, lang),
                resources,
                // The guidance fixes what the rules find; an item without rules is decided by
                // an assessor's record, which its reason asks for.
                remediation: match (&c.remediation, i.rules.is_empty()) {
                    (_, true) => "-".to_owned(),
                    (Some(r), false) => text(r, lang).to_string(),
                    (None, false) => w(L::NO_GUIDANCE).to_owned(),
                },
                plan: extra,
            }
        })
        .collect();
    let mut head = vec![
        L::NO,
        L::CONTROL,
        L::ITEM,
        L::TIER,
        L::RESULT,
        L::BLOCKS,
        L::REASON,
        L::FAILING_RESOURCES,
        L::REMEDIATION,
    ];
    if with_plan {
        head.extend([L::OWNER, L::DUE, L::STATUS, L::NOTE]);
    }
    (head.into_iter().map(|l| w(l).to_owned()).collect(), rows)
}
