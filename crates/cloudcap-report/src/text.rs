//! Labels shared by the human-readable formats, in English and Chinese.

use cloudcap_catalog::{Automation, Method, Text, Tier};
use cloudcap_engine::{
    AccountRole, AttestationStatus, Blocker, DecidedBy, Report, ResultState, WaiverStatus,
};

use crate::Lang;

/// Pick the English or Chinese label.
pub(crate) fn l(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

pub(crate) fn text(t: &Text, lang: Lang) -> &str {
    t.get(lang)
}

/// Basis points as a percentage with two decimals: 7235 → `72.35%`.
pub(crate) fn pct(bp: u32) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

pub(crate) fn result(r: ResultState, lang: Lang) -> &'static str {
    match lang {
        Lang::En => r.as_str(),
        Lang::Zh => match r {
            ResultState::Satisfied => "符合",
            ResultState::PartiallySatisfied => "部分符合",
            ResultState::NotSatisfied => "不符合",
            ResultState::NotApplicable => "不适用",
            ResultState::NotEvaluated => "未评估",
        },
    }
}

/// The tier's display name: from the report's tier summary, else its id.
pub(crate) fn tier(report: &Report, t: Tier, lang: Lang) -> String {
    match report.summary.tiers.iter().find(|s| s.tier == t) {
        Some(s) => text(&s.name, lang).to_string(),
        None => t.as_str().to_string(),
    }
}

pub(crate) fn tier_achieved(report: &Report, lang: Lang) -> String {
    match report.summary.tier_achieved {
        Some(t) => tier(report, t, lang),
        None => l(lang, "none", "未达到任何级别").to_string(),
    }
}

/// What decided an item: `rules`, `attestation`, `waiver` or `none`.
pub(crate) fn decided_by(d: DecidedBy, lang: Lang) -> &'static str {
    match lang {
        Lang::En => d.as_str(),
        Lang::Zh => match d {
            DecidedBy::Rules => "规则",
            DecidedBy::Attestation => "测评记录",
            DecidedBy::Waiver => "豁免",
            DecidedBy::None => "无",
        },
    }
}

/// How an attestation was used (`AttestationUse::status`).
pub(crate) fn attestation_status(s: AttestationStatus, lang: Lang) -> &'static str {
    use AttestationStatus as S;
    match lang {
        Lang::En => s.as_str(),
        Lang::Zh => match s {
            S::Applied => "已采用",
            S::OverrodeRules => "已采用（覆盖规则结果）",
            S::Superseded => "已被更新的记录取代",
            S::Expired => "已过期",
            S::NotYetValid => "尚未生效",
            S::UnknownControl => "控制项不存在",
            S::UnknownItem => "测评项不存在",
            S::Invalid => "无效",
            S::Unused => "未使用",
        },
    }
}

/// A waiver's state (`WaiverUse::status`).
pub(crate) fn waiver_status(s: WaiverStatus, lang: Lang) -> &'static str {
    match lang {
        Lang::En => s.as_str(),
        Lang::Zh => match s {
            WaiverStatus::Applied => "已应用",
            WaiverStatus::Unused => "有效但未匹配",
            WaiverStatus::Expired => "已过期",
            WaiverStatus::NotYetEffective => "尚未生效",
        },
    }
}

pub(crate) fn waiver_mode(m: cloudcap_engine::WaiverMode, lang: Lang) -> &'static str {
    match m {
        cloudcap_engine::WaiverMode::AcceptRisk => l(lang, "accept-risk", "接受风险"),
        cloudcap_engine::WaiverMode::NotApplicable => l(lang, "not-applicable", "不适用"),
    }
}

/// A waiver's risk rating (`low`, `medium`, `high`, `critical`).
pub(crate) fn risk(r: &cloudcap_engine::Risk, lang: Lang) -> String {
    risk_word(&serde_name(r), lang).to_owned()
}

fn risk_word(r: &str, lang: Lang) -> &str {
    match (lang, r) {
        (Lang::Zh, "low") => "低",
        (Lang::Zh, "medium") => "中",
        (Lang::Zh, "high") => "高",
        (Lang::Zh, "critical") => "严重",
        _ => r,
    }
}

/// What an account in the scope statement is.
pub(crate) fn role(r: AccountRole, lang: Lang) -> &'static str {
    match lang {
        Lang::En => r.as_str(),
        Lang::Zh => match r {
            AccountRole::ProviderPlatform => "云服务商自身平台（运营）账号",
            AccountRole::CustomerTenantSample => "抽样的客户租户",
            AccountRole::AssessmentTenant => "测评专用租户",
        },
    }
}

/// yes / no / unknown.
pub(crate) fn yes_no_unknown(b: Option<bool>, lang: Lang) -> &'static str {
    match b {
        Some(b) => yes_no(b, lang),
        None => l(lang, "unknown", "未知"),
    }
}

pub(crate) fn method(m: Method, lang: Lang) -> &'static str {
    match lang {
        Lang::En => m.as_str(),
        Lang::Zh => match m {
            Method::Interview => "访谈",
            Method::Examine => "检查",
            Method::Test => "测试",
        },
    }
}

/// How a control is decided: automated, partial or manual.
pub(crate) fn automation(a: Automation, lang: Lang) -> &'static str {
    match lang {
        Lang::En => a.as_str(),
        Lang::Zh => match a {
            Automation::Automated => "自动",
            Automation::Partial => "部分自动",
            Automation::Manual => "人工",
        },
    }
}

pub(crate) fn methods(ms: &[Method], lang: Lang) -> String {
    let sep = l(lang, ", ", "、");
    ms.iter()
        .map(|&m| method(m, lang))
        .collect::<Vec<_>>()
        .join(sep)
}

pub(crate) fn yes_no(b: bool, lang: Lang) -> &'static str {
    match b {
        true => l(lang, "yes", "是"),
        false => l(lang, "no", "否"),
    }
}

/// The control's title in `lang`, or just its id when the report does not hold it.
pub(crate) fn control_title(report: &Report, id: &str, lang: Lang) -> String {
    match report.controls.iter().find(|c| c.id == id) {
        Some(c) => text(&c.title, lang).to_string(),
        None => String::new(),
    }
}

/// One line explaining a blocker.
pub(crate) fn blocker(report: &Report, b: &Blocker, lang: Lang) -> String {
    match b {
        Blocker::LowerTier { tier: t } => match lang {
            Lang::En => format!("lower tier not reached: {}", tier(report, *t, lang)),
            Lang::Zh => format!("未达到较低级别：{}", tier(report, *t, lang)),
        },
        Blocker::ScoreBelowThreshold {
            score_bp,
            min_score_bp,
        } => {
            let short = min_score_bp.saturating_sub(*score_bp);
            match lang {
                Lang::En => format!(
                    "score {} below the required {} (short by {})",
                    pct(*score_bp),
                    pct(*min_score_bp),
                    pct(short)
                ),
                Lang::Zh => format!(
                    "得分 {} 低于要求的 {}（差 {}）",
                    pct(*score_bp),
                    pct(*min_score_bp),
                    pct(short)
                ),
            }
        }
        Blocker::CoverageBelowFloor {
            coverage_bp,
            min_coverage_bp,
        } => {
            let short = min_coverage_bp.saturating_sub(*coverage_bp);
            match lang {
                Lang::En => format!(
                    "coverage {} below the floor {} (short by {})",
                    pct(*coverage_bp),
                    pct(*min_coverage_bp),
                    pct(short)
                ),
                Lang::Zh => format!(
                    "覆盖率 {} 低于下限 {}（差 {}）",
                    pct(*coverage_bp),
                    pct(*min_coverage_bp),
                    pct(short)
                ),
            }
        }
        Blocker::KeyControl { control, result: r } => {
            let title = control_title(report, control, lang);
            match lang {
                Lang::En => format!("key control {control} {title}: {}", result(*r, lang)),
                Lang::Zh => format!("关键控制项 {control} {title}：{}", result(*r, lang)),
            }
        }
    }
}

/// A plan item's status, as the plan shows it.
pub(crate) fn plan_status(s: crate::PlanStatus, lang: Lang) -> &'static str {
    use crate::PlanStatus as P;
    match s {
        P::Open => l(lang, "open", "未开始"),
        P::InProgress => l(lang, "in progress", "整改中"),
        P::Done => l(lang, "done, to be confirmed", "已整改，待复核"),
    }
}

/// The lowest tier not reached: the one whose blockers say what to fix next.
pub(crate) fn next_tier(report: &Report) -> Option<&cloudcap_engine::TierSummary> {
    report.summary.tiers.iter().find(|t| !t.reached)
}

/// A serde enum's kebab-case name (modes, risks).
fn serde_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A collector's error class, in words (`error` is what the report says of a failed status
/// that names no class).
pub(crate) fn error_class(c: &str, lang: Lang) -> String {
    use cloudcap_model::ErrorClass as E;
    let (en, zh) = match E::parse(c) {
        Some(E::AccessDenied) => ("access denied", "无权访问"),
        Some(E::Throttled) => ("throttled", "请求被限流"),
        Some(E::ServerError) => ("server error", "服务端错误"),
        Some(E::Timeout) => ("timed out", "请求超时"),
        Some(E::Malformed) => ("malformed answer", "响应无法解析"),
        Some(E::Unsupported) => ("not offered by the provider", "该云服务商不提供此项"),
        Some(E::NotCollected) => ("region not collected", "该地域未采集"),
        Some(E::NotImplemented) => (
            "not read from this provider by cloudcap",
            "本工具尚未从该云服务商采集此项",
        ),
        Some(E::Truncated) => (
            "listing cut off at the page bound",
            "列表超出分页上限，未读完",
        ),
        None if c == "error" => ("collection error", "采集出错"),
        None => return c.to_owned(),
    };
    l(lang, en, zh).to_owned()
}

/// Why a scope's evidence is incomplete, in words.
pub(crate) fn scope_cause(c: &cloudcap_engine::ScopeCause, lang: Lang) -> String {
    use cloudcap_engine::ScopeCause as C;
    match (c, lang) {
        (C::CollectionFailed { error_class: e, .. }, _) => error_class(e, lang),
        (C::DuplicateStatuses { count }, Lang::En) => format!("{count} statuses for one scope"),
        (C::DuplicateStatuses { count }, Lang::Zh) => format!("同一采集范围有 {count} 条采集状态"),
        (C::RecordCountMismatch { written, found }, Lang::En) => {
            format!("the collector wrote {written} record(s), the bundle holds {found}")
        }
        (C::RecordCountMismatch { written, found }, Lang::Zh) => {
            format!("采集器写入 {written} 条记录，证据包中有 {found} 条")
        }
        (C::RecordsWithoutStatus { count }, Lang::En) => {
            format!("{count} record(s) without a collection status")
        }
        (C::RecordsWithoutStatus { count }, Lang::Zh) => {
            format!("{count} 条记录没有采集状态")
        }
    }
}

/// The collector's own message for a failed scope (as recorded, untranslated), or `-`.
pub(crate) fn scope_message(c: &cloudcap_engine::ScopeCause) -> String {
    match c {
        cloudcap_engine::ScopeCause::CollectionFailed { message, .. } if !message.is_empty() => {
            message.clone()
        }
        _ => "-".into(),
    }
}

/// The sentence for a reason code, wholly in `lang`; ids, field names, kinds, providers and
/// people's own words (notes, justifications) stay as recorded.
pub(crate) fn reason(r: &cloudcap_engine::Reason, lang: Lang) -> String {
    use cloudcap_catalog::{EmptyResult, Require};
    use cloudcap_engine::Reason as R;
    let zh = lang == Lang::Zh;
    match r {
        R::NoEvidence { kind } => match zh {
            false => format!("no `{kind}` evidence was collected"),
            true => format!("未采集 `{kind}` 证据"),
        },
        R::CollectionError {
            kind,
            scopes,
            first,
        } => {
            let at = format!("{}/{}/{}", first.provider, first.account, first.region);
            let cause = scope_cause(&first.cause, lang);
            match zh {
                false => {
                    format!("`{kind}` evidence incomplete in {scopes} scope(s), e.g. {at}: {cause}")
                }
                true => format!("`{kind}` 证据在 {scopes} 个采集范围内不完整，例如 {at}：{cause}"),
            }
        }
        R::FieldNotReported {
            kind,
            resources,
            gaps,
        } => {
            let list = gaps
                .iter()
                .map(|g| match zh {
                    false => format!("`{}` ({}, {} record(s))", g.field, g.provider, g.resources),
                    true => format!("`{}`（{}，{} 条）", g.field, g.provider, g.resources),
                })
                .collect::<Vec<_>>()
                .join(l(lang, "; ", "；"));
            match zh {
                false => format!(
                    "{resources} `{kind}` record(s) lack a field the provider does not report — {list}; evidence it with an interview, examine or test record"
                ),
                true => format!(
                    "{resources} 条 `{kind}` 记录缺少规则所需、云服务商未报告的字段——{list}；请以访谈、检查或测试记录补充证据"
                ),
            }
        }
        R::RuleError {
            kind,
            resources,
            message,
        } => match zh {
            false => format!("{resources} `{kind}` record(s) could not be evaluated: {message}"),
            true => format!("{resources} 条 `{kind}` 记录无法按规则评估：{message}"),
        },
        R::ResourcesFail {
            failed,
            in_scope,
            require,
            message,
            ..
        } => match (require, zh) {
            (Require::All, false) => {
                format!("{failed} of {in_scope} resource(s) fail: {}", message.en)
            }
            (Require::All, true) => {
                format!("{in_scope} 个资源中有 {failed} 个不符合：{}", message.zh)
            }
            (Require::Any, false) => format!(
                "none of {in_scope} resource(s) passes, and one is required: {}",
                message.en
            ),
            (Require::Any, true) => format!(
                "{in_scope} 个资源均不符合，而至少需要一个符合：{}",
                message.zh
            ),
        },
        R::AllPass { passed, .. } => match zh {
            false => format!("all {passed} resource(s) pass"),
            true => format!("全部 {passed} 个资源符合"),
        },
        R::OnePasses {
            passed, in_scope, ..
        } => match zh {
            false => format!("{passed} of {in_scope} resource(s) pass; at least one is required"),
            true => format!("{in_scope} 个资源中有 {passed} 个符合（至少需要一个）"),
        },
        R::NothingInScope { kind, empty } => match (empty, zh) {
            (EmptyResult::NotSatisfied, false) => {
                format!("no `{kind}` resource in scope, and one is required")
            }
            (EmptyResult::NotSatisfied, true) => {
                format!("范围内没有 `{kind}` 资源，而规则要求至少有一个")
            }
            (EmptyResult::NotEvaluated, false) => {
                format!("no `{kind}` resource in scope: nothing to evaluate")
            }
            (EmptyResult::NotEvaluated, true) => {
                format!("范围内没有 `{kind}` 资源，无从评估")
            }
            (EmptyResult::NotApplicable, false) => format!("no `{kind}` resource in scope"),
            (EmptyResult::NotApplicable, true) => format!("范围内没有 `{kind}` 资源"),
        },
        R::Attested {
            method: m,
            assessor,
            date,
            note,
        } => {
            let base = match zh {
                false => format!("{} by {assessor} on {date}", method(*m, lang)),
                true => format!("经{}判定（测评人员 {assessor}，{date}）", method(*m, lang)),
            };
            match note {
                Some(n) => format!("{base}{}{n}", l(lang, ": ", "：")),
                None => base,
            }
        }
        R::NotApplicableJustified {
            method: m,
            assessor,
            date,
            justification,
        } => match zh {
            false => format!(
                "not applicable ({} by {assessor} on {date}): {justification}",
                method(*m, lang)
            ),
            true => format!(
                "经{}判定不适用（测评人员 {assessor}，{date}）：{justification}",
                method(*m, lang)
            ),
        },
        R::NoAssessorRecord { manual } => match (manual, zh) {
            (true, false) => "no assessor record (interview, examine or test) for this item".into(),
            (true, true) => "该测评项没有测评人员的访谈、检查或测试记录".into(),
            (false, false) => "this item has no rule and no assessor record".into(),
            (false, true) => "该测评项没有规则，也没有测评人员记录".into(),
        },
        R::Waived {
            waiver,
            mode,
            approver,
            ticket,
            justification,
        } => {
            let mode = match (mode, zh) {
                (cloudcap_engine::WaiverMode::AcceptRisk, false) => "accept risk",
                (cloudcap_engine::WaiverMode::NotApplicable, false) => "not applicable",
                (m, true) => waiver_mode(*m, lang),
            };
            match zh {
                false => format!(
                    "waiver {waiver} ({mode}, approved by {approver}, ticket {ticket}): {justification}"
                ),
                true => format!(
                    "豁免 {waiver}（{mode}，批准人 {approver}，工单 {ticket}）：{justification}"
                ),
            }
        }
        R::AllItemsSatisfied { items } => match zh {
            false => format!("all {items} item(s) satisfied"),
            true => format!("全部 {items} 个测评项符合"),
        },
    }
}

/// A reason with the item or rule it came from: `item a: …` / `测评项 a：…`.
pub(crate) fn reason_from(
    r: &cloudcap_engine::Reason,
    from: Option<(&str, &str)>,
    lang: Lang,
) -> String {
    match from {
        None => reason(r, lang),
        Some((what, id)) => format!("{what} {id}{}{}", l(lang, ": ", "："), reason(r, lang)),
    }
}

/// A control result's reason, naming the item it came from.
pub(crate) fn control_reason(r: &cloudcap_engine::ControlResult, lang: Lang) -> String {
    reason_from(
        &r.reason,
        r.item.as_deref().map(|i| (l(lang, "item", "测评项"), i)),
        lang,
    )
}

/// An item's reason, naming the rule it came from.
pub(crate) fn item_reason(i: &cloudcap_engine::ItemReport, lang: Lang) -> String {
    match &i.rule {
        Some(rule) => format!("{rule}{}{}", l(lang, ": ", "："), reason(&i.reason, lang)),
        None => reason(&i.reason, lang),
    }
}

/// Who implements an item (`provider`, `customer`, `shared`).
pub(crate) fn responsibility(r: cloudcap_catalog::Responsibility, lang: Lang) -> &'static str {
    use cloudcap_catalog::Responsibility as R;
    match r {
        R::Provider => l(lang, "provider", "云服务商"),
        R::Customer => l(lang, "customer", "客户"),
        R::Shared => l(lang, "shared", "共同"),
    }
}

/// The heading of the customer's part.
pub(crate) fn customer_part_title(lang: Lang) -> &'static str {
    l(lang, "The customer's part", "客户责任部分")
}

/// What the customer's part is, and its counts by result.
pub(crate) fn customer_part_intro(report: &Report, lang: Lang) -> Vec<String> {
    let part = &report.customer_part;
    let items = part.items.len();
    let mut controls: Vec<&str> = part.items.iter().map(|i| i.control.as_str()).collect();
    controls.dedup();
    let n = controls.len();
    let mut out = vec![match lang {
        Lang::En => format!(
            "Items the customer implements in its own tenant or organisation (GB/T 31168-2023 §5.1): {items} item(s) of {n} control(s). They are not in the provider's score, coverage or tiers; each is shown with its result as assessed."
        ),
        Lang::Zh => format!(
            "由客户在其自身租户或组织内实施的测评项（GB/T 31168-2023 §5.1）：共 {items} 项，涉及 {n} 个控制项。这些测评项不计入云服务商的得分、覆盖率和级别，下表列出各项的评估结果。"
        ),
    }];
    if items > 0 {
        let counts: Vec<String> = ResultState::ALL
            .iter()
            .filter_map(|r| part.counts.get(r).map(|c| (r, c)))
            .map(|(r, c)| format!("{} {c}", result(*r, lang)))
            .collect();
        out.push(format!(
            "{}{}",
            l(lang, "Results: ", "结果："),
            counts.join(l(lang, ", ", "，"))
        ));
    }
    out
}

/// The customer's part as a table: control, title, item, tier, result, reason.
pub(crate) fn customer_part_table(
    report: &Report,
    lang: Lang,
) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let head = vec![
        l(lang, "Control", "控制项"),
        l(lang, "Title", "名称"),
        l(lang, "Item", "测评项"),
        l(lang, "Tier", "级别"),
        l(lang, "Result", "结果"),
        l(lang, "Reason", "理由"),
    ];
    let rows = report
        .customer_part
        .items
        .iter()
        .map(|i| {
            vec![
                i.control.clone(),
                control_title(report, &i.control, lang),
                i.item.clone(),
                tier(report, i.tier, lang),
                result(i.result, lang).to_string(),
                match &i.rule {
                    Some(rule) => {
                        format!("{rule}{}{}", l(lang, ": ", "："), reason(&i.reason, lang))
                    }
                    None => reason(&i.reason, lang),
                },
            ]
        })
        .collect();
    (head, rows)
}

/// Said of a control the provider is not scored on (every item is the customer's).
pub(crate) fn customer_only(lang: Lang) -> &'static str {
    l(
        lang,
        "Every item of this control is the customer's: the provider is not scored on it (see the customer's part).",
        "本控制项的测评项均由客户实施，不计入云服务商的评分（见客户责任部分）。",
    )
}
