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
    let mut report = grade(catalog, evidence, opts, strategy)?;
    // More than one account: each is graded alone too, on its own records (`docs/scoring.md`
    // §12); the estate's summary above is the grading of all of them together.
    let accounts = crate::estate::accounts(evidence);
    if accounts.len() > 1 {
        for (provider, account) in accounts {
            let part = crate::estate::restrict(evidence, &provider, &account);
            let alone = grade(catalog, &part, opts, strategy)?;
            report
                .accounts
                .push(account_score(provider, account, &alone));
        }
    }
    Ok(report)
}

/// The per-account figures of `alone`, the report of one account's evidence.
fn account_score(provider: String, account: String, alone: &Report) -> AccountScore {
    let blockers = alone
        .summary
        .tiers
        .iter()
        .find(|t| t.tier == alone.target_tier)
        .map(|t| t.blockers.clone())
        .unwrap_or_default();
    let failed_resources = alone
        .controls
        .iter()
        .flat_map(|c| &c.items)
        .flat_map(|i| &i.rules)
        .map(|r| r.failed.len() as u64)
        .sum();
    AccountScore {
        provider,
        account,
        tier_achieved: alone.summary.tier_achieved,
        overall: alone.summary.overall.clone(),
        blockers,
        failed_resources,
    }
}

/// One grading of `evidence`: every phase, without per-account scores.
fn grade(
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
    let (bundle, bundles) = if evidence.bundles.is_empty() {
        (
            Some(BundleRef {
                merkle_root: evidence.bundle_merkle_root.clone(),
                created_at: evidence.bundle_created_at.clone(),
                accounts: Vec::new(),
            }),
            Vec::new(),
        )
    } else {
        (None, evidence.bundles.clone())
    };
    Ok(score::build_report(
        catalog,
        score::Header {
            tool_version: opts.tool_version.clone(),
            bundle,
            bundles,
            assessed_at: at,
            target_tier: opts.target_tier,
        },
        decided.controls,
        score::Uses {
            attestations: decided.attestations,
            waivers: decided.waivers,
            boundary,
            accounts: Vec::new(),
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
        bundles: report.bundles.clone(),
        assessed_at: report.assessed_at.clone(),
        target_tier: report.target_tier,
    };
    let controls = std::mem::take(&mut report.controls);
    let uses = score::Uses {
        attestations: std::mem::take(&mut report.attestations),
        waivers: std::mem::take(&mut report.waivers),
        boundary: std::mem::take(&mut report.boundary),
        accounts: std::mem::take(&mut report.accounts),
    };
    *report = score::build_report(catalog, header, controls, uses);
}
