//! Per-account scores of an estate (`report.accounts`, `docs/scoring.md` §12), shared by the
//! human formats: one row per account graded alone, beside the estate's own figures. Nothing is
//! shown when the report holds one account.

use cloudcap_engine::Report;

use crate::Lang;
use crate::boundary::Block;
use crate::text::{blocker, l, pct, tier};

/// The per-account section's blocks; empty for one account.
pub(crate) fn blocks(report: &Report, lang: Lang) -> Vec<Block> {
    if report.accounts.len() < 2 {
        return Vec::new();
    }
    let head = [
        ("Provider", "云服务商"),
        ("Account", "账号"),
        ("Score", "得分"),
        ("Coverage", "覆盖率"),
        ("Tier achieved", "达到级别"),
        ("Failing resources", "不符合的资源"),
        ("What blocks the target tier", "阻碍达到目标级别的原因"),
    ]
    .iter()
    .map(|(en, zh)| l(lang, en, zh).to_owned())
    .collect();
    let rows = report
        .accounts
        .iter()
        .map(|a| {
            let blockers = if a.blockers.is_empty() {
                "-".to_owned()
            } else {
                a.blockers
                    .iter()
                    .map(|b| blocker(report, b, lang))
                    .collect::<Vec<_>>()
                    .join(l(lang, "; ", "；"))
            };
            vec![
                a.provider.clone(),
                a.account.clone(),
                pct(a.overall.score_bp),
                pct(a.overall.coverage_bp),
                a.tier_achieved.map_or_else(
                    || l(lang, "none", "未达到任何级别").to_owned(),
                    |t| tier(report, t, lang),
                ),
                a.failed_resources.to_string(),
                blockers,
            ]
        })
        .collect();
    let bundles = report.bundle_refs().len();
    let intro = match lang {
        Lang::En => format!(
            "{} accounts from {bundles} bundle(s). The summary grades the estate: every account's evidence together, as one evidence set. Each row grades one account's evidence alone, at the target tier.",
            report.accounts.len()
        ),
        Lang::Zh => format!(
            "共 {} 个账号，来自 {bundles} 个证据包。概述中的得分将所有账号的证据作为一个整体评估；每一行只以该账号自身的证据在目标级别下评估。",
            report.accounts.len()
        ),
    };
    vec![
        Block::Heading(l(lang, "Scores per account", "各账号得分").to_owned()),
        Block::Para(intro),
        Block::Table { head, rows },
    ]
}
