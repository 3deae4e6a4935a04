//! The report model: what `cloudcap assess` writes and every output format reads.
//!
//! Everything is sorted and integer-valued, so serializing a report is byte-reproducible.

use std::collections::BTreeMap;

use cloudcap_catalog::{Responsibility, Text, Tier};
use serde::{Deserialize, Serialize};

pub use cloudcap_model::{
    AccountRole, AttestationResult, AttestationStatus, Automation, DecidedBy, Method, ResultState,
    TierBasis,
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub report_format: u32,
    pub tool_version: String,
    pub scoring_method: String,
    pub catalog: CatalogRef,
    /// The bundle assessed; absent for an estate of several bundles (see `bundles`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<BundleRef>,
    /// An estate's bundles, sorted by merkle root; absent when one bundle is assessed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bundles: Vec<BundleRef>,
    pub assessed_at: String,
    pub target_tier: Tier,
    /// The summary of the whole evidence: for an estate, the estate's score, tier and blockers.
    pub summary: Summary,
    /// Per-account scores when the evidence holds more than one account: the same grading
    /// restricted to each account's records (`docs/scoring.md` §12); absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountScore>,
    pub families: Vec<FamilyScore>,
    pub controls: Vec<ControlReport>,
    pub attestations: Vec<AttestationUse>,
    pub waivers: Vec<crate::waiver::WaiverUse>,
    /// What was assessed and what was not (`docs/scoring.md` §10).
    pub boundary: Boundary,
    /// The customer's part (客户责任部分): items the customer implements, with their results.
    /// They are not in the provider's score, coverage or tier blockers (`docs/scoring.md` §4a).
    pub customer_part: CustomerPart,
}

/// The customer's items (`responsibility = "customer"`), reported apart from the provider's
/// score. Every customer item of the catalog is listed, in control order, with its result as
/// assessed (not-evaluated when nothing decided it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPart {
    /// Results of the listed items, by state.
    pub counts: BTreeMap<ResultState, u32>,
    pub items: Vec<CustomerItem>,
}

/// One customer item: the same result and reason as in `controls[].items`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerItem {
    pub control: String,
    pub item: String,
    pub tier: Tier,
    pub result: ResultState,
    /// `rules`, `attestation`, `waiver` or `none`.
    pub decided_by: DecidedBy,
    pub reason: Reason,
    /// The rule whose reason this is (absent when the reason is not a rule's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl CustomerItem {
    /// The customer's-part entry of `item` of `control`: its result and reason as assessed.
    pub fn of(control: &str, item: &ItemReport) -> CustomerItem {
        CustomerItem {
            control: control.to_owned(),
            item: item.id.clone(),
            tier: item.tier,
            result: item.result,
            decided_by: item.decided_by,
            reason: item.reason.clone(),
            rule: item.rule.clone(),
        }
    }
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
    /// In an estate: the accounts (`provider/account`) the bundle holds, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
}

impl Report {
    /// Every bundle the report assesses: the one bundle, or an estate's, by merkle root.
    pub fn bundle_refs(&self) -> Vec<&BundleRef> {
        self.bundle.iter().chain(self.bundles.iter()).collect()
    }

    /// The merkle roots of [`Report::bundle_refs`], joined by `, `.
    pub fn merkle_roots(&self) -> String {
        self.bundle_refs()
            .iter()
            .map(|b| b.merkle_root.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One account of the evidence, graded alone: the assessment restricted to its records,
/// statuses and runs (with every attestation and waiver).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountScore {
    pub provider: String,
    pub account: String,
    /// The highest tier the account reaches alone, `None` when even basic is not reached.
    pub tier_achieved: Option<Tier>,
    /// The account's score at the target tier.
    pub overall: Score,
    /// Why the account alone does not reach the target tier (empty when it does).
    pub blockers: Vec<Blocker>,
    /// Failing resources of the account, one per rule and resource, of every item (the
    /// customer's part included).
    pub failed_resources: u64,
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
    pub automation: Automation,
    pub methods: Vec<Method>,
    pub weight: u32,
    pub key: bool,
    /// How to fix what the control's rules find (the catalog's `remediation`), for the
    /// rectification plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Text>,
    pub min_tier: Tier,
    /// The control's result at each tier at which the provider is scored on it (its `provider`
    /// and `shared` items of that tier and below); empty when every item is the customer's.
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
    pub reason: Reason,
    /// The item whose reason this is (absent when the reason speaks of the whole control).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}

/// Why a rule, item or control has its result: a code from a closed set with typed parameters.
/// Reports render the sentence in the reader's language; nothing here needs English.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, strum::IntoStaticStr,
)]
#[serde(rename_all = "kebab-case", tag = "code")]
#[strum(serialize_all = "kebab-case")]
pub enum Reason {
    /// No `collection.status` for the rule's kind: nobody collected it.
    NoEvidence { kind: String },
    /// Some scopes of the kind failed or are incomplete (the first is named).
    CollectionError {
        kind: String,
        scopes: u64,
        first: ScopeProblem,
    },
    /// A field the rule reads is absent from some records: the provider does not report it, or
    /// it could not be read. Needs an interview / examine / test record.
    FieldNotReported {
        kind: String,
        /// Records with an unreported field.
        resources: u64,
        gaps: Vec<FieldGap>,
    },
    /// The rule could not be evaluated on some records (a type error in the data).
    RuleError {
        kind: String,
        resources: u64,
        message: String,
    },
    /// Some in-scope resources fail; with `require = any`, none passes.
    ResourcesFail {
        kind: String,
        failed: u64,
        in_scope: u64,
        require: cloudcap_catalog::Require,
        /// The rule's own words for what a failing resource means.
        message: Text,
    },
    /// Every in-scope resource passes.
    AllPass { kind: String, passed: u64 },
    /// `require = any`: at least one in-scope resource passes.
    OnePasses {
        kind: String,
        passed: u64,
        in_scope: u64,
    },
    /// No resource in scope; the result is the rule's `empty`.
    NothingInScope {
        kind: String,
        empty: cloudcap_catalog::EmptyResult,
    },
    /// Decided by an assessor's record.
    Attested {
        method: Method,
        assessor: String,
        date: jiff::civil::Date,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Not applicable, with the assessor's justification.
    NotApplicableJustified {
        method: Method,
        assessor: String,
        date: jiff::civil::Date,
        justification: String,
    },
    /// A manual item (or an item without rules) has no assessor record.
    NoAssessorRecord { manual: bool },
    /// Decided by an approved waiver.
    Waived {
        waiver: String,
        mode: crate::waiver::WaiverMode,
        approver: String,
        ticket: String,
        justification: String,
    },
    /// Every item of the control at this tier is satisfied.
    AllItemsSatisfied { items: u64 },
}

impl Reason {
    /// The reason's code, as written in `report.json` (serde's tag and strum's name use one
    /// case rule; the test `reason_codes_are_the_serde_tags` holds them together).
    pub fn code(&self) -> &'static str {
        self.into()
    }
}

/// One field a rule needed that some records do not carry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FieldGap {
    pub field: String,
    pub provider: String,
    /// Records of this provider without the field.
    pub resources: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemReport {
    pub id: String,
    pub tier: Tier,
    pub tier_basis: TierBasis,
    /// Who implements the item; `customer` items are not in the provider's score.
    pub responsibility: Responsibility,
    pub result: ResultState,
    /// `rules`, `attestation`, `waiver` or `none`.
    pub decided_by: DecidedBy,
    pub reason: Reason,
    /// The rule whose reason this is (absent when the reason is not a rule's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
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
    pub require: cloudcap_catalog::Require,
    pub result: ResultState,
    pub reason: Reason,
    pub in_scope: u64,
    pub passed: u64,
    pub failed: Vec<ResourceRef>,
    /// Records whose rule evaluation raised an error (treated as not evaluated).
    pub errors: Vec<ResourceError>,
    /// Records lacking a field the rule reads (not reported by the provider): not evaluated.
    pub not_reported: Vec<NotReportedRef>,
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

/// A record on which a rule could not be decided because a field it reads is absent.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NotReportedRef {
    pub resource_id: String,
    pub provider: String,
    pub account: String,
    pub region: String,
    pub field: String,
    pub evidence: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScopeProblem {
    pub provider: String,
    pub account: String,
    pub region: String,
    pub cause: ScopeCause,
}

/// Why a scope's evidence is incomplete.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum ScopeCause {
    /// The collector recorded an error (`error_class`: access-denied, throttled, server-error,
    /// timeout, malformed, unsupported, not-collected, not-implemented, truncated) with the
    /// provider's or collector's message.
    CollectionFailed {
        error_class: String,
        message: String,
    },
    /// Several statuses for one scope.
    DuplicateStatuses { count: u64 },
    /// The status's `record_count` differs from the records the bundle holds.
    RecordCountMismatch { written: u64, found: u64 },
    /// Records without any status for their scope.
    RecordsWithoutStatus { count: u64 },
}

/// The assessment boundary: what the bundle says was asked for, covered and left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boundary {
    /// The scope statement recorded in the bundle, if any.
    pub scope: Option<ScopeStatement>,
    /// Every (provider, account) with evidence, sorted.
    pub accounts: Vec<AccountBoundary>,
    /// Evidence kinds that rules read and no collector attempted (their rules are not evaluated).
    pub kinds_not_collected: Vec<String>,
}

/// The scope statement: the service assessed and what the collected accounts are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeStatement {
    pub sha256: String,
    pub service: String,
    pub description: Option<String>,
    pub sampling: Option<String>,
    pub prepared_by: Option<String>,
    pub accounts: Vec<ScopeAccount>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScopeAccount {
    pub provider: String,
    pub account: String,
    pub role: AccountRole,
    pub note: Option<String>,
}

/// What was covered for one account.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountBoundary {
    pub provider: String,
    pub account: String,
    /// From the collector's `collection.run`; absent when the bundle has none.
    pub partition: Option<String>,
    /// `true` when a `collection.run` records what was asked for.
    pub run_recorded: bool,
    /// `true` when the account id was given by the operator (`collection.run`
    /// `account_declared`), the provider's API naming none.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub account_declared: bool,
    /// The regions asked for with `--region`; absent when every listed region was asked for.
    pub regions_requested: Option<Vec<String>>,
    /// Every region known for the account (region listing and inventory), sorted.
    pub regions: Vec<RegionCoverage>,
    /// Every kind attempted, sorted.
    pub kinds: Vec<KindCoverage>,
    /// Named in the scope statement (`None` when there is no statement).
    pub in_scope_statement: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RegionCoverage {
    pub region: String,
    pub mainland_china: Option<bool>,
    pub collected: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KindCoverage {
    pub kind: String,
    /// Scopes (regions, or `global`) collected completely.
    pub scopes_ok: u64,
    /// Scopes that failed, by region and error class.
    pub failed: Vec<FailedScope>,
    pub records: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FailedScope {
    pub region: String,
    pub error_class: String,
}

/// How each attestation in the bundle was used.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AttestationUse {
    pub sha256: String,
    pub control: String,
    pub item: Option<String>,
    pub method: Method,
    pub result: AttestationResult,
    pub assessor: String,
    pub date: jiff::civil::Date,
    pub expires: Option<jiff::civil::Date>,
    pub note: Option<String>,
    pub attachments: Vec<String>,
    pub status: AttestationStatus,
}
