//! Integer scoring (basis points), coverage and the tier achieved. See `docs/scoring.md`.

use std::collections::BTreeMap;

use cloudcap_catalog::{Catalog, Tier};

use crate::report::*;

/// Scores the controls that apply at `tier`, restricted by `filter`.
pub fn score_at<'a>(controls: impl Iterator<Item = &'a ControlReport>, tier: Tier) -> Score {
    let mut s = Score::default();
    for c in controls {
        let Some(res) = c.result_at(tier) else {
            continue;
        };
        *s.counts.entry(res).or_default() += 1;
        if res == ResultState::NotApplicable {
            continue;
        }
        let w = u64::from(c.weight);
        s.applicable += 1;
        s.max_points += 2 * w;
        s.points += w * res.points();
        if res.is_evaluated() {
            s.evaluated += 1;
        }
    }
    s.score_bp = ratio_bp(s.points, s.max_points);
    s.coverage_bp = ratio_bp(u64::from(s.evaluated), u64::from(s.applicable));
    s
}

/// `num / den` in basis points, rounded down; 0 when nothing applies.
pub fn ratio_bp(num: u64, den: u64) -> u32 {
    (num * 10_000).checked_div(den).map_or(0, |bp| bp as u32)
}

/// What a report says of itself: the tool, the bundle, the time and the target tier.
pub(crate) struct Header {
    pub(crate) tool_version: String,
    /// The one bundle assessed, or none for an estate (then `bundles`).
    pub(crate) bundle: Option<BundleRef>,
    pub(crate) bundles: Vec<BundleRef>,
    /// RFC 3339 UTC.
    pub(crate) assessed_at: String,
    pub(crate) target_tier: Tier,
}

/// What the report carries beside the controls: how attestations and waivers were used, and
/// the boundary.
pub(crate) struct Uses {
    pub(crate) attestations: Vec<AttestationUse>,
    pub(crate) waivers: Vec<crate::waiver::WaiverUse>,
    pub(crate) boundary: Boundary,
    /// Per-account scores (empty for one account).
    pub(crate) accounts: Vec<AccountScore>,
}

/// Phases 5 and 6, **score** and **assemble**: family, tier and overall scores of the decided
/// controls, the tier achieved and its blockers, the customer's part, and the report.
pub(crate) fn build_report(
    catalog: &Catalog,
    header: Header,
    controls: Vec<ControlReport>,
    uses: Uses,
) -> Report {
    let Uses {
        attestations,
        waivers,
        boundary,
        accounts,
    } = uses;
    let mut tiers = Vec::new();
    let mut lower_reached = true;
    let mut tier_achieved = None;
    for &tier in Tier::ALL {
        let policy = &catalog.meta.tiers[&tier];
        let score = score_at(controls.iter(), tier);
        let mut blockers = Vec::new();
        if !lower_reached {
            let lower = Tier::ALL
                .iter()
                .copied()
                .rev()
                .find(|t| *t < tier)
                .expect("a lower tier");
            blockers.push(Blocker::LowerTier { tier: lower });
        }
        if score.score_bp < policy.min_score_bp {
            blockers.push(Blocker::ScoreBelowThreshold {
                score_bp: score.score_bp,
                min_score_bp: policy.min_score_bp,
            });
        }
        if score.coverage_bp < policy.min_coverage_bp {
            blockers.push(Blocker::CoverageBelowFloor {
                coverage_bp: score.coverage_bp,
                min_coverage_bp: policy.min_coverage_bp,
            });
        }
        // A key control blocks every tier at which it is not fully satisfied (partially
        // satisfied, not satisfied or not evaluated); a justified not-applicable does not block.
        for c in controls.iter().filter(|c| c.key) {
            if let Some(
                res @ (ResultState::PartiallySatisfied
                | ResultState::NotSatisfied
                | ResultState::NotEvaluated),
            ) = c.result_at(tier)
            {
                blockers.push(Blocker::KeyControl {
                    control: c.id.clone(),
                    result: res,
                });
            }
        }
        let reached = blockers.is_empty();
        if reached {
            tier_achieved = Some(tier);
        }
        lower_reached = reached;
        tiers.push(TierSummary {
            tier,
            name: policy.name.clone(),
            score,
            min_score_bp: policy.min_score_bp,
            min_coverage_bp: policy.min_coverage_bp,
            reached,
            blockers,
        });
    }
    let families = catalog
        .families
        .iter()
        .map(|f| FamilyScore {
            family: f.id.clone(),
            chapter: f.chapter,
            name: f.name.clone(),
            scores: Tier::ALL
                .iter()
                .copied()
                .map(|t| (t, score_at(controls.iter().filter(|c| c.family == f.id), t)))
                .collect::<BTreeMap<_, _>>(),
        })
        .collect();
    let overall = score_at(controls.iter(), header.target_tier);
    let customer_part = customer_part(&controls);
    Report {
        report_format: crate::REPORT_FORMAT,
        tool_version: header.tool_version,
        scoring_method: crate::SCORING_METHOD.to_owned(),
        catalog: CatalogRef {
            digest: catalog.digest(),
            version: catalog.meta.catalog_version.clone(),
            standard: catalog.meta.standard.clone(),
            assessment_method: catalog.meta.assessment_method.clone(),
        },
        bundle: header.bundle,
        bundles: header.bundles,
        assessed_at: header.assessed_at,
        target_tier: header.target_tier,
        summary: Summary {
            tier_achieved,
            overall,
            tiers,
        },
        accounts,
        families,
        controls,
        attestations,
        waivers,
        boundary,
        customer_part,
    }
}

/// Every customer item of every control, in control order, with its result.
fn customer_part(controls: &[ControlReport]) -> CustomerPart {
    let mut part = CustomerPart::default();
    for c in controls {
        for i in c
            .items
            .iter()
            .filter(|i| !i.responsibility.scores_provider())
        {
            *part.counts.entry(i.result).or_default() += 1;
            part.items.push(CustomerItem::of(&c.id, i));
        }
    }
    part
}
