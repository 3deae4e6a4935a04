//! An assessment, in named phases: **compile** every rule, **select** the records by kind,
//! **evaluate** the rules over them (`evaluate.rs`), **decide** rules, items and controls
//! (`decide.rs`, combining by `combine.rs`), **score** and **assemble** the report
//! (`score.rs`). Each phase is a function of the ones before it; only this file knows their
//! order.

use cloudcap_catalog::{Catalog, Tier};

use crate::evaluate::{self, Strategy};
use crate::input::Evidence;
use crate::report::*;
use crate::score;
use crate::waiver::Waiver;

/// Inputs besides the catalog and the evidence.
#[derive(Clone, Debug)]
pub struct Options {
    /// Assessment time, RFC 3339 UTC (e.g. `2026-11-25T00:00:00Z`). Never read from a clock here.
    pub at: String,
    /// The tier the assessment targets; `overall` is scored at this tier.
    pub target_tier: Tier,
    pub tool_version: String,
    /// Worker threads for rule evaluation; the report does not depend on it.
    pub threads: usize,
    /// Approved exceptions (see `docs/scoring.md` §9).
    pub waivers: Vec<Waiver>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid assessment time `{0}`: expected RFC 3339 UTC such as 2026-11-25T00:00:00Z")]
    BadTime(String),
    #[error("rule `{control}/{rule}` does not compile: {message}")]
    Rule {
        control: String,
        rule: String,
        message: String,
    },
}

/// Assesses `evidence` against `catalog`.
pub fn assess(catalog: &Catalog, evidence: &Evidence, opts: &Options) -> Result<Report, Error> {
    assess_with(catalog, evidence, opts, Strategy::Optimized)
}

/// A naive reference evaluator: every rule over every record, one at a time, single thread.
/// Used by property tests to check the optimized path.
pub fn assess_reference(
    catalog: &Catalog,
    evidence: &Evidence,
    opts: &Options,
) -> Result<Report, Error> {
    assess_with(catalog, evidence, opts, Strategy::Reference)
}

fn parse_at(at: &str) -> Result<(jiff::Timestamp, String), Error> {
    let ts: jiff::Timestamp = at.parse().map_err(|_| Error::BadTime(at.to_owned()))?;
    if !at.ends_with('Z') {
        return Err(Error::BadTime(at.to_owned()));
    }
    Ok((ts, ts.to_string()))
}

fn assess_with(
    catalog: &Catalog,
    evidence: &Evidence,
    opts: &Options,
    strategy: Strategy,
) -> Result<Report, Error> {
    let (at_ts, at) = parse_at(&opts.at)?;
    let compiled = evaluate::compile(catalog)?;
    let by_kind = evaluate::records_by_kind(evidence);
    let outcomes = evaluate::evaluate(&compiled, &by_kind, &at, opts.threads, strategy);
    let decided =
        crate::decide::decide(catalog, evidence, &by_kind, &outcomes, &opts.waivers, at_ts);
    let boundary = crate::boundary::build(catalog, evidence);
    Ok(score::build_report(
        catalog,
        score::Header {
            tool_version: opts.tool_version.clone(),
            bundle: BundleRef {
                merkle_root: evidence.bundle_merkle_root.clone(),
                created_at: evidence.bundle_created_at.clone(),
            },
            assessed_at: at,
            target_tier: opts.target_tier,
        },
        decided.controls,
        score::Uses {
            attestations: decided.attestations,
            waivers: decided.waivers,
            boundary,
        },
    ))
}

/// Recomputes control results and every score from the item results already in `report`.
/// Used to reason about monotonicity: change an item, recombine, compare.
pub fn recombine(catalog: &Catalog, report: &mut Report) {
    for c in &mut report.controls {
        assert!(
            catalog.control(&c.id).is_some(),
            "report control {} is in the catalog",
            c.id
        );
        c.results = crate::combine::control_results(&c.items);
    }
    let header = score::Header {
        tool_version: report.tool_version.clone(),
        bundle: report.bundle.clone(),
        assessed_at: report.assessed_at.clone(),
        target_tier: report.target_tier,
    };
    let controls = std::mem::take(&mut report.controls);
    let uses = score::Uses {
        attestations: std::mem::take(&mut report.attestations),
        waivers: std::mem::take(&mut report.waivers),
        boundary: std::mem::take(&mut report.boundary),
    };
    *report = score::build_report(catalog, header, controls, uses);
}
