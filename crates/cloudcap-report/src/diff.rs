//! The difference between two reports, per control at the new report's target tier and per
//! failing resource, with the score delta attributed to controls (weight × points change).

use std::collections::{BTreeMap, BTreeSet};

use cloudcap_engine::{ControlReport, Report, ResultState};
use serde::Serialize;
use tabled::builder::Builder;
use tabled::settings::Style;

use crate::{Error, Format, Lang};

/// How a control's result or a resource's failure changed between two reports.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Was not failing (or absent), now not-satisfied or partially-satisfied.
    NewFailure,
    /// Was failing, now satisfied or not-applicable.
    Resolved,
    /// Got worse in another way (e.g. partially → not-satisfied, or became not-evaluated).
    Regressed,
    /// Got better in another way (e.g. not-satisfied → partially, not-evaluated → evaluated).
    Improved,
    Unchanged,
}

/// Ordering of results from worst to best, for deciding "worse" and "better".
fn rank(r: Option<ResultState>) -> u8 {
    match r {
        None | Some(ResultState::NotEvaluated) => 0,
        Some(ResultState::NotSatisfied) => 1,
        Some(ResultState::PartiallySatisfied) => 2,
        Some(ResultState::Satisfied | ResultState::NotApplicable) => 3,
    }
}

fn failing(r: Option<ResultState>) -> bool {
    matches!(
        r,
        Some(ResultState::NotSatisfied | ResultState::PartiallySatisfied)
    )
}

/// Whether `new` is worse than `old`; a control that disappears counts as worse.
pub fn is_worse(old: Option<ResultState>, new: Option<ResultState>) -> bool {
    rank(new) < rank(old)
}

fn classify(old: Option<ResultState>, new: Option<ResultState>) -> Change {
    if old == new {
        Change::Unchanged
    } else if failing(new) && !failing(old) {
        Change::NewFailure
    } else if failing(old) && rank(new) == 3 {
        Change::Resolved
    } else if rank(new) < rank(old) {
        Change::Regressed
    } else if rank(new) > rank(old) {
        Change::Improved
    } else {
        Change::Unchanged
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ControlDiff {
    pub control: String,
    pub old: Option<ResultState>,
    pub new: Option<ResultState>,
    pub change: Change,
    pub weight: u32,
    /// weight × (new points − old points); the control's share of the points change.
    pub points_delta: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResourceDiff {
    pub control: String,
    pub rule: String,
    pub provider: String,
    pub account: String,
    pub region: String,
    pub resource_id: String,
    /// new-failure, resolved or unchanged (still failing).
    pub change: Change,
    pub old_evidence: Option<String>,
    pub new_evidence: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DiffCounts {
    pub new_failures: u32,
    pub resolved: u32,
    pub regressed: u32,
    pub improved: u32,
    pub unchanged: u32,
}

impl DiffCounts {
    fn add(&mut self, c: Change) {
        match c {
            Change::NewFailure => self.new_failures += 1,
            Change::Resolved => self.resolved += 1,
            Change::Regressed => self.regressed += 1,
            Change::Improved => self.improved += 1,
            Change::Unchanged => self.unchanged += 1,
        }
    }
}

/// What became of an item of the rectification plan (`document::plan_items`) between two
/// reports: the confirmation of rectification.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanChange {
    /// In the old plan, not in the new one: satisfied or not applicable now (or gone).
    Closed,
    /// In both plans.
    StillOpen,
    /// In the new plan only.
    Opened,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanDiff {
    pub control: String,
    pub item: String,
    pub change: PlanChange,
    /// The item's result in each report (absent: no such item there).
    pub old: Option<ResultState>,
    pub new: Option<ResultState>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PlanDiffCounts {
    pub closed: u32,
    pub still_open: u32,
    pub opened: u32,
}

/// Plan items of both reports, by (control, item), with their results in each.
fn plan_diff(old: &Report, new: &Report) -> (Vec<PlanDiff>, PlanDiffCounts) {
    let keys = |r: &Report| -> BTreeSet<(String, String)> {
        crate::document::plan_items(r)
            .iter()
            .map(|p| (p.control.id.clone(), p.item.id.clone()))
            .collect()
    };
    let result = |r: &Report, (c, i): &(String, String)| {
        r.controls
            .iter()
            .find(|x| &x.id == c)
            .and_then(|x| x.items.iter().find(|y| &y.id == i))
            .map(|y| y.result)
    };
    let (ko, kn) = (keys(old), keys(new));
    let mut counts = PlanDiffCounts::default();
    let rows = ko
        .union(&kn)
        .map(|k| {
            let change = match (ko.contains(k), kn.contains(k)) {
                (true, false) => {
                    counts.closed += 1;
                    PlanChange::Closed
                }
                (true, true) => {
                    counts.still_open += 1;
                    PlanChange::StillOpen
                }
                _ => {
                    counts.opened += 1;
                    PlanChange::Opened
                }
            };
            PlanDiff {
                control: k.0.clone(),
                item: k.1.clone(),
                change,
                old: result(old, k),
                new: result(new, k),
            }
        })
        .collect();
    (rows, counts)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub tier: cloudcap_catalog::Tier,
    pub old_score_bp: u32,
    pub new_score_bp: u32,
    pub score_delta_bp: i64,
    pub old_coverage_bp: u32,
    pub new_coverage_bp: u32,
    pub old_points: u64,
    pub new_points: u64,
    pub controls: Vec<ControlDiff>,
    pub control_counts: DiffCounts,
    pub resources: Vec<ResourceDiff>,
    pub resource_counts: DiffCounts,
    /// The rectification plan's items: closed, still open, newly opened.
    pub plan: Vec<PlanDiff>,
    pub plan_counts: PlanDiffCounts,
}

type ResourceKey = (String, String, String, String, String, String);

fn failing_resources(r: &Report, tier: cloudcap_catalog::Tier) -> BTreeMap<ResourceKey, String> {
    let mut m = BTreeMap::new();
    for c in &r.controls {
        // The provider's failures: a customer item's are the customer's part, not in the diff.
        for i in c
            .items
            .iter()
            .filter(|i| i.tier <= tier && i.responsibility.scores_provider())
        {
            for rule in &i.rules {
                for f in &rule.failed {
                    let key = (
                        c.id.clone(),
                        rule.id.clone(),
                        f.provider.clone(),
                        f.account.clone(),
                        f.region.clone(),
                        f.resource_id.clone(),
                    );
                    m.insert(key, f.evidence.clone());
                }
            }
        }
    }
    m
}

fn points(c: Option<&ControlReport>, tier: cloudcap_catalog::Tier) -> i64 {
    c.and_then(|c| {
        c.result_at(tier)
            .map(|r| i64::from(c.weight) * r.points() as i64)
    })
    .unwrap_or(0)
}

/// Compare two reports at `new`'s target tier.
pub fn diff(old: &Report, new: &Report) -> Diff {
    let tier = new.target_tier;
    let ids: BTreeSet<&str> = old
        .controls
        .iter()
        .chain(&new.controls)
        .map(|c| c.id.as_str())
        .collect();
    let mut controls = Vec::new();
    let mut control_counts = DiffCounts::default();
    for id in ids {
        let o = old.controls.iter().find(|c| c.id == id);
        let n = new.controls.iter().find(|c| c.id == id);
        let (or, nr) = (
            o.and_then(|c| c.result_at(tier)),
            n.and_then(|c| c.result_at(tier)),
        );
        if or.is_none() && nr.is_none() {
            continue;
        }
        let change = classify(or, nr);
        control_counts.add(change);
        controls.push(ControlDiff {
            control: id.to_string(),
            old: or,
            new: nr,
            change,
            weight: n.or(o).map_or(0, |c| c.weight),
            points_delta: points(n, tier) - points(o, tier),
        });
    }

    let (fo, fnew) = (failing_resources(old, tier), failing_resources(new, tier));
    let keys: BTreeSet<&ResourceKey> = fo.keys().chain(fnew.keys()).collect();
    let mut resources = Vec::new();
    let mut resource_counts = DiffCounts::default();
    for k in keys {
        let (oe, ne) = (fo.get(k).cloned(), fnew.get(k).cloned());
        let change = match (&oe, &ne) {
            (None, Some(_)) => Change::NewFailure,
            (Some(_), None) => Change::Resolved,
            _ => Change::Unchanged,
        };
        resource_counts.add(change);
        resources.push(ResourceDiff {
            control: k.0.clone(),
            rule: k.1.clone(),
            provider: k.2.clone(),
            account: k.3.clone(),
            region: k.4.clone(),
            resource_id: k.5.clone(),
            change,
            old_evidence: oe,
            new_evidence: ne,
        });
    }

    let (os, ns) = (&old.summary.overall, &new.summary.overall);
    let (plan, plan_counts) = plan_diff(old, new);
    Diff {
        tier,
        old_score_bp: os.score_bp,
        new_score_bp: ns.score_bp,
        score_delta_bp: i64::from(ns.score_bp) - i64::from(os.score_bp),
        old_coverage_bp: os.coverage_bp,
        new_coverage_bp: ns.coverage_bp,
        old_points: os.points,
        new_points: ns.points,
        controls,
        control_counts,
        resources,
        resource_counts,
        plan,
        plan_counts,
    }
}

fn plan_change(c: PlanChange, lang: Lang) -> &'static str {
    use crate::text::l;
    match c {
        PlanChange::Closed => l(lang, "closed", "已关闭"),
        PlanChange::StillOpen => l(lang, "still open", "仍未关闭"),
        PlanChange::Opened => l(lang, "newly opened", "新增"),
    }
}

fn opt(r: Option<ResultState>, lang: Lang) -> String {
    r.map_or_else(
        || "-".to_string(),
        |r| crate::text::result(r, lang).to_string(),
    )
}

fn change(c: Change, lang: Lang) -> &'static str {
    use crate::text::l;
    match c {
        Change::NewFailure => l(lang, "new failure", "新增不符合"),
        Change::Resolved => l(lang, "resolved", "已整改"),
        Change::Regressed => l(lang, "regressed", "退化"),
        Change::Improved => l(lang, "improved", "改善"),
        Change::Unchanged => l(lang, "unchanged", "未变化"),
    }
}

fn signed_bp(d: i64) -> String {
    let sign = if d < 0 { "-" } else { "+" };
    let a = d.unsigned_abs();
    format!("{sign}{}.{:02}%", a / 100, a % 100)
}

/// Render a diff as tables (`Format::Table`) or JSON (`Format::Json`).
pub fn render_diff(d: &Diff, format: Format, lang: Lang) -> Result<String, Error> {
    use crate::text::{l, pct};
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(d).map_err(Error::Json)?;
            s.push('\n');
            Ok(s)
        }
        Format::Table => {
            let mut out = format!(
                "{}: {} → {} ({})\n{}: {} → {}\n\n",
                l(lang, "Score", "得分"),
                pct(d.old_score_bp),
                pct(d.new_score_bp),
                signed_bp(d.score_delta_bp),
                l(lang, "Coverage", "覆盖率"),
                pct(d.old_coverage_bp),
                pct(d.new_coverage_bp),
            );
            let counts = |c: &DiffCounts| {
                vec![
                    c.new_failures.to_string(),
                    c.resolved.to_string(),
                    c.regressed.to_string(),
                    c.improved.to_string(),
                    c.unchanged.to_string(),
                ]
            };
            let mut b = Builder::default();
            b.push_record([
                "",
                change(Change::NewFailure, lang),
                change(Change::Resolved, lang),
                change(Change::Regressed, lang),
                change(Change::Improved, lang),
                change(Change::Unchanged, lang),
            ]);
            let mut r = vec![l(lang, "controls", "控制项").to_string()];
            r.extend(counts(&d.control_counts));
            b.push_record(r);
            let mut r = vec![l(lang, "failing resources", "不符合资源").to_string()];
            r.extend(counts(&d.resource_counts));
            b.push_record(r);
            out.push_str(&b.build().with(Style::sharp()).to_string());
            out.push_str("\n\n");

            let mut b = Builder::default();
            b.push_record([
                l(lang, "Control", "控制项"),
                l(lang, "Old", "原结果"),
                l(lang, "New", "新结果"),
                l(lang, "Change", "变化"),
                l(
                    lang,
                    "Points Δ (weight × points)",
                    "分值变化（权重 × 分值）",
                ),
            ]);
            for c in d.controls.iter().filter(|c| c.change != Change::Unchanged) {
                b.push_record([
                    c.control.clone(),
                    opt(c.old, lang),
                    opt(c.new, lang),
                    change(c.change, lang).to_string(),
                    format!("{:+}", c.points_delta),
                ]);
            }
            out.push_str(&b.build().with(Style::sharp()).to_string());
            out.push('\n');

            let changed: Vec<_> = d
                .resources
                .iter()
                .filter(|r| r.change != Change::Unchanged)
                .collect();
            if !changed.is_empty() {
                out.push('\n');
                let mut b = Builder::default();
                b.push_record([
                    l(lang, "Control", "控制项"),
                    l(lang, "Rule", "规则"),
                    l(lang, "Resource", "资源"),
                    l(lang, "Change", "变化"),
                ]);
                for r in changed {
                    b.push_record([
                        r.control.clone(),
                        r.rule.clone(),
                        format!(
                            "{}/{}/{}/{}",
                            r.provider, r.account, r.region, r.resource_id
                        ),
                        change(r.change, lang).to_string(),
                    ]);
                }
                out.push_str(&b.build().with(Style::sharp()).to_string());
                out.push('\n');
            }

            let pc = &d.plan_counts;
            let sep = l(lang, ", ", "，");
            out.push_str(&format!(
                "\n{}{}{} {}{sep}{} {}{sep}{} {}\n",
                l(lang, "Rectification plan", "整改计划"),
                l(lang, ": ", "："),
                plan_change(PlanChange::Closed, lang),
                pc.closed,
                plan_change(PlanChange::StillOpen, lang),
                pc.still_open,
                plan_change(PlanChange::Opened, lang),
                pc.opened,
            ));
            let moved: Vec<_> = d
                .plan
                .iter()
                .filter(|p| p.change != PlanChange::StillOpen)
                .collect();
            if !moved.is_empty() {
                let mut b = Builder::default();
                b.push_record([
                    l(lang, "Control", "控制项"),
                    l(lang, "Item", "测评项"),
                    l(lang, "Old", "原结果"),
                    l(lang, "New", "新结果"),
                    l(lang, "Plan", "整改计划"),
                ]);
                for p in moved {
                    b.push_record([
                        p.control.clone(),
                        p.item.clone(),
                        opt(p.old, lang),
                        opt(p.new, lang),
                        plan_change(p.change, lang).to_string(),
                    ]);
                }
                out.push_str(&b.build().with(Style::sharp()).to_string());
                out.push('\n');
            }
            Ok(out)
        }
        other => Err(Error::Unsupported(other)),
    }
}
