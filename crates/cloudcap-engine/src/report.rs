//! The report model: what `cloudcap assess` writes and every output format reads.
//!
//! Everything is sorted and integer-valued, so serializing a report is byte-reproducible.

use std::collections::BTreeMap;
use std::fmt;

use cloudcap_catalog::{Text, Tier};
use serde::{Deserialize, Serialize};

/// The five result states of a control, item or rule.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResultState {
    Satisfied,
    PartiallySatisfied,
    NotSatisfied,
    NotApplicable,
    NotEvaluated,
}

impl ResultState {
    pub const ALL: [ResultState; 5] = [
        ResultState::Satisfied,
        ResultState::PartiallySatisfied,
        ResultState::NotSatisfied,
        ResultState::NotApplicable,
        ResultState::NotEvaluated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResultState::Satisfied => "satisfied",
            ResultState::PartiallySatisfied => "partially-satisfied",
            ResultState::NotSatisfied => "not-satisfied",
            ResultState::NotApplicable => "not-applicable",
            ResultState::NotEvaluated => "not-evaluated",
        }
    }

    pub fn parse(s: &str) -> Option<ResultState> {
        ResultState::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Chinese label used in reports (符合 / 部分符合 / 不符合 / 不适用 / 未评估).
    pub fn zh(self) -> &'static str {
        match self {
            ResultState::Satisfied => "符合",
            ResultState::PartiallySatisfied => "部分符合",
            ResultState::NotSatisfied => "不符合",
            ResultState::NotApplicable => "不适用",
            ResultState::NotEvaluated => "未评估",
        }
    }

    /// Score points out of 2: satisfied 2, partially 1, everything else 0.
    pub fn points(self) -> u64 {
        match self {
            ResultState::Satisfied => 2,
            ResultState::PartiallySatisfied => 1,
            _ => 0,
        }
    }

    pub fn is_evaluated(self) -> bool {
        self != ResultState::NotEvaluated
    }
}

impl fmt::Display for ResultState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub report_format: u32,
    pub tool_version: String,
    pub scoring_method: String,
    pub catalog: CatalogRef,
    pub bundle: BundleRef,
    pub assessed_at: String,
    pub target_tier: Tier,
    pub summary: Summary,
    pub families: Vec<FamilyScore>,
    pub controls: Vec<ControlReport>,
    pub attestations: Vec<AttestationUse>,
    pub waivers: Vec<crate::waiver::WaiverUse>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogRef {
    pub digest: String,
    pub version: String,
    pub standard: String,
    pub assessment_method: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleRef {
    pub merkle_root: String,
    pub created_at: String,
}

/// A score in basis points (0..=10000) with its coverage beside it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub score_bp: u32,
    pub coverage_bp: u32,
    /// Σ weight × points (points: satisfied 2, partially 1, otherwise 0).
    pub points: u64,
    /// Σ weight × 2 over applicable controls.
    pub max_points: u64,
    /// Controls that apply and are not not-applicable.
    pub applicable: u32,
    /// Applicable controls that are not not-evaluated.
    pub evaluated: u32,
    pub counts: BTreeMap<ResultState, u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The highest tier reached, `None` when even basic is not reached.
    pub tier_achieved: Option<Tier>,
    /// The score at the target tier.
    pub overall: Score,
    pub tiers: Vec<TierSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierSummary {
    pub tier: Tier,
    pub name: Text,
    pub score: Score,
    pub min_score_bp: u32,
    pub min_coverage_bp: u32,
    pub reached: bool,
    /// Why this tier is not reached (empty when reached).
    pub blockers: Vec<Blocker>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum Blocker {
    /// A lower tier is not reached.
    LowerTier {
        tier: Tier,
    },
    ScoreBelowThreshold {
        score_bp: u32,
        min_score_bp: u32,
    },
    CoverageBelowFloor {
        coverage_bp: u32,
        min_coverage_bp: u32,
    },
    KeyControl {
        control: String,
        result: ResultState,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyScore {
    pub family: String,
    pub chapter: u32,
    pub name: Text,
    pub scores: BTreeMap<Tier, Score>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlReport {
    pub id: String,
    pub family: String,
    pub clause: String,
    pub title: Text,
    pub automation: String,
    pub methods: Vec<String>,
    pub weight: u32,
    pub key: bool,
    pub min_tier: Tier,
    /// The control's result at each tier at which it applies (items of that tier and below).
    pub results: BTreeMap<Tier, ControlResult>,
    pub items: Vec<ItemReport>,
    /// Waivers applied to this control (ids), whatever their mode.
    pub waivers: Vec<String>,
}

impl ControlReport {
    /// The result at `tier`, if the control applies there.
    pub fn result_at(&self, tier: Tier) -> Option<ResultState> {
        self.results.get(&tier).map(|r| r.result)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlResult {
    pub result: ResultState,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemReport {
    pub id: String,
    pub tier: Tier,
    pub tier_basis: String,
    pub result: ResultState,
    /// `rules`, `attestation` or `none`.
    pub decided_by: String,
    pub reason: String,
    pub rules: Vec<RuleReport>,
    /// The attestation that decided this item, if any.
    pub attestation: Option<String>,
    /// When an attestation overrode the rules' result: what the rules said.
    pub overridden_rule_result: Option<ResultState>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleReport {
    pub id: String,
    pub kind: String,
    pub result: ResultState,
    pub reason: String,
    pub in_scope: u64,
    pub passed: u64,
    pub failed: Vec<ResourceRef>,
    /// Records whose rule evaluation raised an error (treated as not evaluated).
    pub errors: Vec<ResourceError>,
    /// Scopes whose collection failed or is incomplete.
    pub incomplete: Vec<ScopeProblem>,
    /// SHA-256 of the collection.status objects consulted.
    pub status_evidence: Vec<String>,
    /// Number of records in scope and SHA-256 over their sorted hashes (newline-joined hex),
    /// so the exact evidence set can be recomputed from the bundle.
    pub evidence_count: u64,
    pub evidence_set_sha256: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResourceRef {
    pub resource_id: String,
    pub provider: String,
    pub account: String,
    pub region: String,
    pub evidence: String,
    /// An `accept-risk` waiver covering this failure (it still counts as failing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResourceError {
    pub resource_id: String,
    pub evidence: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScopeProblem {
    pub provider: String,
    pub account: String,
    pub region: String,
    pub cause: String,
}

/// How each attestation in the bundle was used.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AttestationUse {
    pub sha256: String,
    pub control: String,
    pub item: Option<String>,
    pub method: String,
    pub result: String,
    pub assessor: String,
    pub date: String,
    pub expires: Option<String>,
    pub note: Option<String>,
    pub attachments: Vec<String>,
    /// `applied`, `overrode-rules`, `superseded`, `expired`, `not-yet-valid`, `unknown-control`,
    /// `unknown-item`, `invalid`, `unused`.
    pub status: String,
}
