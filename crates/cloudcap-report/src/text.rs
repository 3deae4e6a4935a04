//! Labels shared by the human-readable formats, in English and Chinese.

use cloudcap_catalog::{Text, Tier};
use cloudcap_engine::{Blocker, Report, ResultState};

use crate::Lang;

/// Pick the English or Chinese label.
pub(crate) fn l(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

pub(crate) fn text(t: &Text, lang: Lang) -> &str {
    t.get(lang.as_str())
}

/// Basis points as a percentage with two decimals: 7235 → `72.35%`.
pub(crate) fn pct(bp: u32) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

pub(crate) fn result(r: ResultState, lang: Lang) -> &'static str {
    match lang {
        Lang::En => r.as_str(),
        Lang::Zh => r.zh(),
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

pub(crate) fn method(m: &str, lang: Lang) -> &str {
    match (lang, m) {
        (Lang::Zh, "interview") => "访谈",
        (Lang::Zh, "examine") => "检查",
        (Lang::Zh, "test") => "测试",
        _ => m,
    }
}

/// How a control is decided: automated, partial or manual.
pub(crate) fn automation(a: &str, lang: Lang) -> &str {
    match (lang, a) {
        (Lang::Zh, "automated") => "自动",
        (Lang::Zh, "partial") => "部分自动",
        (Lang::Zh, "manual") => "人工",
        _ => a,
    }
}

pub(crate) fn methods(ms: &[String], lang: Lang) -> String {
    let sep = l(lang, ", ", "、");
    ms.iter()
        .map(|m| method(m, lang))
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

pub(crate) fn waiver_header(lang: Lang) -> Vec<&'static str> {
    vec![
        l(lang, "Waiver", "豁免"),
        l(lang, "Mode", "方式"),
        l(lang, "Scope", "范围"),
        l(lang, "Status", "状态"),
        l(lang, "Matched", "匹配数"),
        l(lang, "Approver", "批准人"),
        l(lang, "Ticket", "工单"),
        l(lang, "Risk", "风险"),
        l(lang, "Effective", "生效"),
        l(lang, "Expires", "到期"),
        l(lang, "Justification", "理由"),
    ]
}

/// The waivers naming `control`, one row each (plain text, unescaped).
pub(crate) fn waiver_rows(report: &Report, control: &str) -> Vec<Vec<String>> {
    report
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
                v.id.clone(),
                serde_name(&v.mode),
                scope,
                w.status.clone(),
                w.matched.to_string(),
                v.approver.clone(),
                v.ticket.clone(),
                serde_name(&v.risk),
                v.effective.clone(),
                v.expires.clone(),
                v.justification.clone(),
            ]
        })
        .collect()
}
