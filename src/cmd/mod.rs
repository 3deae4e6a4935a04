//! One module per subcommand.

pub(crate) mod assess;
pub(crate) mod catalog;
pub(crate) mod collect;
pub(crate) mod evidence;
pub(crate) mod gate;
pub(crate) mod report;

use cloudcap_catalog::{Catalog, Diagnostic};

/// Rule checks that need the engine (CEL parse) and the evidence kinds (names and fields).
pub(crate) fn rules_lint(catalog: &Catalog) -> Vec<Diagnostic> {
    let kinds: Vec<cloudcap_engine::KindFields> = cloudcap_evidence::kinds()
        .iter()
        .map(|k| cloudcap_engine::KindFields {
            kind: k.name.to_owned(),
            fields: k.fields.iter().map(|f| f.name.to_owned()).collect(),
        })
        .collect();
    cloudcap_engine::lint_rules(catalog, &kinds)
}

/// A compact summary: per-family score and coverage at the target tier, tiers and blockers.
pub(crate) fn summary_table(
    report: &cloudcap_engine::Report,
    _catalog: &Catalog,
    lang: catalog::Lang,
) -> String {
    use std::fmt::Write as _;
    use tabled::{Table, Tabled, settings::Style};
    let l = lang.as_str();
    let zh = l == "zh";
    let pct = |bp: u32| format!("{}.{:02}%", bp / 100, bp % 100);
    #[derive(Tabled)]
    struct Row {
        family: String,
        score: String,
        coverage: String,
        results: String,
    }
    let tier = report.target_tier;
    let counts = |s: &cloudcap_engine::Score| {
        cloudcap_engine::ResultState::ALL
            .iter()
            .filter_map(|r| {
                s.counts
                    .get(r)
                    .map(|n| format!("{} {n}", if zh { r.zh() } else { r.as_str() }))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut rows: Vec<Row> = report
        .families
        .iter()
        .map(|f| {
            let s = &f.scores[&tier];
            Row {
                family: format!("{} {}", f.chapter, f.name.get(l)),
                score: pct(s.score_bp),
                coverage: pct(s.coverage_bp),
                results: counts(s),
            }
        })
        .collect();
    let o = &report.summary.overall;
    rows.push(Row {
        family: if zh {
            "总体".into()
        } else {
            "overall".into()
        },
        score: pct(o.score_bp),
        coverage: pct(o.coverage_bp),
        results: counts(o),
    });
    let mut out = String::new();
    let _ = writeln!(out, "{}", Table::new(rows).with(Style::sharp()));
    for t in &report.summary.tiers {
        let mark = if t.reached { "reached" } else { "not reached" };
        let _ = writeln!(
            out,
            "{} ({}): score {} (min {}), coverage {} (min {}) — {mark}",
            t.name.get(l),
            t.tier.as_str(),
            pct(t.score.score_bp),
            pct(t.min_score_bp),
            pct(t.score.coverage_bp),
            pct(t.min_coverage_bp)
        );
        for b in t.blockers.iter().take(12) {
            let _ = writeln!(out, "    blocker: {}", describe_blocker(b, report, l));
        }
        if t.blockers.len() > 12 {
            let _ = writeln!(out, "    … and {} more", t.blockers.len() - 12);
        }
    }
    let achieved = report.summary.tier_achieved.map_or("none", |t| t.as_str());
    let _ = writeln!(out, "tier achieved: {achieved}");
    out
}

pub(crate) fn describe_blocker(
    b: &cloudcap_engine::Blocker,
    report: &cloudcap_engine::Report,
    lang: &str,
) -> String {
    use cloudcap_engine::Blocker;
    let pct = |bp: u32| format!("{}.{:02}%", bp / 100, bp % 100);
    match b {
        Blocker::LowerTier { tier } => format!("tier {} not reached", tier.as_str()),
        Blocker::ScoreBelowThreshold {
            score_bp,
            min_score_bp,
        } => format!("score {} below {}", pct(*score_bp), pct(*min_score_bp)),
        Blocker::CoverageBelowFloor {
            coverage_bp,
            min_coverage_bp,
        } => format!(
            "coverage {} below {}",
            pct(*coverage_bp),
            pct(*min_coverage_bp)
        ),
        Blocker::KeyControl { control, result } => {
            let title = report
                .controls
                .iter()
                .find(|c| &c.id == control)
                .map(|c| c.title.get(lang).to_owned())
                .unwrap_or_default();
            format!(
                "key control {control} ({title}) is {}",
                if lang == "zh" {
                    result.zh()
                } else {
                    result.as_str()
                }
            )
        }
    }
}
