//! The typed catalog. Field order and sorting here define the canonical form behind the digest.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

pub use cloudcap_model::{
    Automation, EmptyResult, Method, Require, Responsibility, Text, Tier, TierBasis,
};

/// A source position (1-based), kept for diagnostics; not part of the canonical form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    pub line: usize,
    pub col: usize,
}

/// A control family (one chapter of GB/T 31168-2023).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Family {
    pub id: String,
    pub chapter: u32,
    pub chapter_basis: String,
    pub name: Text,
}

/// A GB/T 22239-2019 (MLPS 2.0) control point that overlaps a control, with the protection
/// levels at which the cited requirement applies. `point` is `general.<area>.<point>` (general
/// requirements) or `cloud.<area>.<point>` (cloud-extension requirements), named in
/// controls/README.md.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct MlpsRef {
    pub point: String,
    /// Sorted, each of 2, 3, 4.
    pub levels: Vec<u8>,
}

impl std::fmt::Display for MlpsRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let levels: Vec<String> = self.levels.iter().map(u8::to_string).collect();
        write!(f, "{} (L{})", self.point, levels.join("/"))
    }
}

/// Crosswalk references to other frameworks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Crosswalk {
    pub nist_800_53r4: Vec<String>,
    pub mlps_22239: Vec<MlpsRef>,
    pub measures_2019: Vec<String>,
    pub related: Vec<String>,
    pub notes: Option<String>,
}

/// A requirement item of a control.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: String,
    pub tier: Tier,
    pub tier_basis: TierBasis,
    pub responsibility: Responsibility,
    pub text: Text,
}

/// A declarative rule: every in-scope record of `kind` must satisfy `check`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub id: String,
    pub item: String,
    pub kind: String,
    #[serde(rename = "where")]
    pub filter: Option<String>,
    pub check: String,
    pub empty: EmptyResult,
    pub require: Require,
    pub message: Text,
    /// Where `check` (and `where`) sit in the source, for diagnostics from rule compilation.
    #[serde(skip)]
    pub check_location: Location,
    #[serde(skip)]
    pub filter_location: Option<Location>,
    #[serde(skip)]
    pub kind_location: Location,
}

/// One control, i.e. one clause of GB/T 31168-2023.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Control {
    pub id: String,
    pub family: String,
    pub clause: String,
    pub clause_basis: String,
    pub title: Text,
    pub objective: Text,
    pub methods: Vec<Method>,
    pub automation: Automation,
    pub evidence: Vec<String>,
    pub weight: u32,
    pub key: bool,
    /// How to fix what the control's rules find, in our words (the rectification plan quotes
    /// it); expected of every automated and partial control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Text>,
    pub crosswalk: Crosswalk,
    pub items: Vec<Item>,
    pub rules: Vec<Rule>,
    #[serde(skip)]
    pub location: Location,
}

impl Control {
    /// The lowest tier at which any item applies.
    pub fn min_tier(&self) -> Tier {
        self.items
            .iter()
            .map(|i| i.tier)
            .min()
            .unwrap_or(Tier::Advanced)
    }

    /// Whether the control has at least one item at `tier` or below.
    pub fn applies_at(&self, tier: Tier) -> bool {
        self.items.iter().any(|i| i.tier <= tier)
    }

    /// Whether the provider is scored on the control at `tier`: it has a `provider` or `shared`
    /// item at `tier` or below. A control whose items there are all the customer's is not.
    pub fn scores_provider_at(&self, tier: Tier) -> bool {
        self.items
            .iter()
            .any(|i| i.tier <= tier && i.responsibility.scores_provider())
    }

    /// The lowest tier at which a `provider` or `shared` item applies; `None` when every item
    /// is the customer's.
    pub fn provider_min_tier(&self) -> Option<Tier> {
        self.items
            .iter()
            .filter(|i| i.responsibility.scores_provider())
            .map(|i| i.tier)
            .min()
    }

    /// Sort key by clause number (chapter, then clause), so `8.2` sorts before `8.10`.
    pub fn clause_key(&self) -> (u32, u32) {
        clause_key(&self.clause)
    }
}

pub(crate) fn clause_key(clause: &str) -> (u32, u32) {
    let mut parts = clause
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(u32::MAX));
    (
        parts.next().unwrap_or(u32::MAX),
        parts.next().unwrap_or(u32::MAX),
    )
}

/// Thresholds a tier must reach, in basis points (1/100 of a percent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TierPolicy {
    pub name: Text,
    pub min_score_bp: u32,
    pub min_coverage_bp: u32,
}

/// `controls/catalog.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CatalogMeta {
    pub standard: String,
    pub assessment_method: String,
    pub catalog_version: String,
    pub tiers: BTreeMap<Tier, TierPolicy>,
}

/// The loaded catalog: families in chapter order, controls in clause order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Catalog {
    pub meta: CatalogMeta,
    pub families: Vec<Family>,
    pub controls: Vec<Control>,
}

impl Catalog {
    /// SHA-256 (hex) over the canonical JSON form: independent of file order and source layout.
    pub fn digest(&self) -> String {
        let canonical = serde_json::to_vec(self).expect("catalog serializes");
        hex::encode(Sha256::digest(&canonical))
    }

    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }

    pub fn family(&self, id: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.id == id)
    }

    /// Puts families and controls in their canonical order.
    pub(crate) fn normalize(&mut self) {
        self.families
            .sort_by(|a, b| (a.chapter, &a.id).cmp(&(b.chapter, &b.id)));
        let chapter_of: BTreeMap<String, u32> = self
            .families
            .iter()
            .map(|f| (f.id.clone(), f.chapter))
            .collect();
        self.controls.sort_by(|a, b| {
            let ka = (
                chapter_of.get(&a.family).copied().unwrap_or(u32::MAX),
                a.clause_key(),
                &a.id,
            );
            let kb = (
                chapter_of.get(&b.family).copied().unwrap_or(u32::MAX),
                b.clause_key(),
                &b.id,
            );
            ka.cmp(&kb)
        });
        for c in &mut self.controls {
            c.items.sort_by(|a, b| a.id.cmp(&b.id));
            c.rules.sort_by(|a, b| a.id.cmp(&b.id));
            c.methods.sort();
            c.evidence.sort();
        }
    }
}
