//! The enums: tiers, methods, results, statuses, providers, error classes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::word;

/// GB/T 34942-2025 capability levels; a higher tier includes every lower one.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Tier {
    Basic,
    Enhanced,
    Advanced,
}

impl Tier {
    /// The next higher tier, if any.
    pub fn next(self) -> Option<Tier> {
        match self {
            Tier::Basic => Some(Tier::Enhanced),
            Tier::Enhanced => Some(Tier::Advanced),
            Tier::Advanced => None,
        }
    }
}

/// Where an item's tier came from: the research could not verify every tier.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum TierBasis {
    StandardText,
    InferredNistBaseline,
    /// A Chinese law or regulation makes the item a duty at every level, so it is basic; the
    /// control's notes name the article.
    LegalDuty,
    Unverified,
}

/// Who implements a requirement item (GB/T 31168-2023 §5.1 separates the cloud service
/// provider's part from the customer's). The provider is scored on `provider` and `shared`
/// items; `customer` items are reported apart as the customer's part.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Responsibility {
    /// The cloud service provider implements it.
    Provider,
    /// The customer implements it, in its own tenant or organisation.
    Customer,
    /// Both must act for the item to hold.
    Shared,
}

impl Responsibility {
    /// Whether the provider is scored on the item (`provider` and `shared`).
    pub fn scores_provider(self) -> bool {
        self != Responsibility::Customer
    }
}

/// GB/T 34942 assessment method (OSCAL `INTERVIEW` / `EXAMINE` / `TEST`).
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
#[schemars(rename = "AssessmentMethod")]
pub enum Method {
    /// 访谈: talking to the people responsible.
    Interview,
    /// 检查: reviewing documents, records and configuration.
    Examine,
    /// 测试: exercising the mechanism.
    Test,
}

/// How a control is decided: by rules, by rules and an assessor, or by an assessor alone.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Automation {
    Automated,
    Partial,
    Manual,
}

/// The five result states of a control, item or rule.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum ResultState {
    Satisfied,
    PartiallySatisfied,
    NotSatisfied,
    NotApplicable,
    NotEvaluated,
}

impl ResultState {
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

/// What a rule yields when no record is in scope.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum EmptyResult {
    NotApplicable,
    NotSatisfied,
    NotEvaluated,
}

/// How many in-scope records must pass for a rule to be satisfied.
#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Require {
    /// Every in-scope record must pass (the default).
    #[default]
    All,
    /// At least one in-scope record must pass ("a logging, multi-region trail exists").
    Any,
}

/// The assessor's finding for a control (or one of its items).
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum AttestationResult {
    /// Fully satisfied.
    Satisfied,
    /// Partly satisfied.
    PartiallySatisfied,
    /// Not satisfied.
    NotSatisfied,
    /// Does not apply to this service.
    NotApplicable,
}

impl From<AttestationResult> for ResultState {
    fn from(r: AttestationResult) -> ResultState {
        match r {
            AttestationResult::Satisfied => ResultState::Satisfied,
            AttestationResult::PartiallySatisfied => ResultState::PartiallySatisfied,
            AttestationResult::NotSatisfied => ResultState::NotSatisfied,
            AttestationResult::NotApplicable => ResultState::NotApplicable,
        }
    }
}

/// What decided an item's result: its rules, an assessor's attestation, a waiver, or nothing.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum DecidedBy {
    /// Nothing: a manual item without a valid attestation, or an item with no rule.
    None,
    Rules,
    Attestation,
    Waiver,
}

/// How one attestation in the bundle was used by an assessment.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum AttestationStatus {
    /// It decided its item (or control).
    Applied,
    /// It decided its item over a different result of the item's rules.
    OverrodeRules,
    /// Valid, but a later attestation for the same scope decides.
    Superseded,
    /// Its `expires` date is before the assessment date.
    Expired,
    /// Its date is after the assessment date.
    NotYetValid,
    /// It names a control the catalog does not have.
    UnknownControl,
    /// It names an item the control does not have.
    UnknownItem,
    /// Not usable: `not-applicable` without a justifying note.
    Invalid,
    /// Valid, but nothing it could decide was assessed.
    Unused,
}

/// What became of a waiver in one assessment.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum WaiverStatus {
    /// In force, and it matched at least one resource (or its whole control).
    Applied,
    /// In force, but it matched nothing.
    Unused,
    /// Its `expires` instant is at or before the assessment time.
    Expired,
    /// Its `effective` instant is after the assessment time.
    NotYetEffective,
}

/// What a waiver does to the results it matches.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum WaiverMode {
    AcceptRisk,
    NotApplicable,
}

/// Cloud providers the tool knows.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Provider {
    /// Amazon Web Services (including the China partition).
    Aws,
    /// Alibaba Cloud.
    Alibaba,
    /// Tencent Cloud.
    Tencent,
    /// Huawei Cloud.
    Huawei,
    /// China Mobile Cloud (移动云).
    Ecloud,
    /// China Telecom Cloud (天翼云).
    Ctyun,
    /// The fictional provider of the embedded sample bundle.
    Sample,
}

/// Providers are ordered by name (`alibaba` < `aws` < …), so whatever is sorted by provider
/// sorts as it did when providers were strings.
impl Ord for Provider {
    fn cmp(&self, other: &Provider) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Provider {
    fn partial_cmp(&self, other: &Provider) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// What an account collected into the bundle is, for the assessment.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum AccountRole {
    /// An account of the provider's own platform or operations estate.
    ProviderPlatform,
    /// A customer tenant drawn as a sample (see `sampling`).
    CustomerTenantSample,
    /// A test or demonstration tenant set up for the assessment.
    AssessmentTenant,
}

/// Why a collection attempt failed.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum ErrorClass {
    /// The credentials lack permission.
    AccessDenied,
    /// Rate limited and retries exhausted.
    Throttled,
    /// The provider answered with a server error.
    ServerError,
    /// The request timed out.
    Timeout,
    /// The response could not be understood.
    Malformed,
    /// The provider or region does not offer the service.
    Unsupported,
    /// The scope was not collected: a region of the account's listing left out by `--region`.
    NotCollected,
    /// This collector does not read the kind from this provider (yet): no sourced API call
    /// evidences it. Unlike `Unsupported`, nothing is claimed of the provider's service.
    NotImplemented,
    /// A listing did not reach its end within the collector's page bound: the rest is unknown.
    Truncated,
}

word!(
    Tier,
    TierBasis,
    Responsibility,
    Method,
    Automation,
    ResultState,
    EmptyResult,
    Require,
    AttestationResult,
    DecidedBy,
    AttestationStatus,
    WaiverStatus,
    WaiverMode,
    Provider,
    AccountRole,
    ErrorClass,
);

#[cfg(test)]
mod tests {
    use super::*;

    /// serde's and strum's string forms are the same for every variant of every word.
    fn agree<T>(all: &[T])
    where
        T: Copy + Serialize + for<'de> Deserialize<'de> + Into<&'static str> + PartialEq,
        T: std::fmt::Debug + std::fmt::Display + std::str::FromStr,
    {
        let mut seen = std::collections::BTreeSet::new();
        for &v in all {
            let s: &'static str = v.into();
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(s));
            assert_eq!(
                serde_json::from_value::<T>(serde_json::json!(s)).unwrap(),
                v
            );
            assert_eq!(v.to_string(), s);
            assert!(s.parse::<T>().is_ok_and(|p| p == v), "{s}");
            assert!(seen.insert(s), "two variants spell `{s}`");
        }
        assert!(!all.is_empty());
    }

    #[test]
    fn string_forms_agree() {
        agree(Tier::ALL);
        agree(TierBasis::ALL);
        agree(Responsibility::ALL);
        agree(Method::ALL);
        agree(Automation::ALL);
        agree(ResultState::ALL);
        agree(EmptyResult::ALL);
        agree(Require::ALL);
        agree(AttestationResult::ALL);
        agree(DecidedBy::ALL);
        agree(AttestationStatus::ALL);
        agree(WaiverStatus::ALL);
        agree(WaiverMode::ALL);
        agree(Provider::ALL);
        agree(AccountRole::ALL);
        agree(ErrorClass::ALL);
    }

    #[test]
    fn spellings_are_the_documented_ones() {
        assert_eq!(
            ResultState::PartiallySatisfied.as_str(),
            "partially-satisfied"
        );
        assert_eq!(
            TierBasis::InferredNistBaseline.as_str(),
            "inferred-nist-baseline"
        );
        assert_eq!(ErrorClass::AccessDenied.as_str(), "access-denied");
        assert_eq!(Provider::Aws.as_str(), "aws");
        let mut by_order = Provider::ALL.to_vec();
        by_order.sort();
        let mut by_name: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
        by_name.sort();
        assert_eq!(
            by_order.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            by_name
        );
        assert_eq!(Tier::parse("Basic"), None);
        assert_eq!(Method::parse("test"), Some(Method::Test));
        assert_eq!(
            ResultState::from(AttestationResult::NotApplicable),
            ResultState::NotApplicable
        );
    }
}
