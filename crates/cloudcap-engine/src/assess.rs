//! The assessment: evaluate rules per resource, apply attestations, combine into items and
//! controls, then score.

use std::collections::BTreeMap;

use cel::{Context, Program, Value};
use cloudcap_catalog::{Automation, Catalog, Control, EmptyResult, Require, Tier};
use sha2::{Digest, Sha256};

use cloudcap_evidence::CollectionOutcome;

use crate::input::{Attestation, CollectionStatus, Evidence, Record};
use crate::report::*;
use crate::rules::{self, Compiled, Outcome};
use crate::score;
use crate::waiver::{Waiver, WaiverMode, WaiverStatus, WaiverUse};

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

/// Per-rule raw outcomes: for each in-scope record, its index and outcome.
type RuleOutcomes = Vec<(usize, Outcome)>;

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

#[derive(Copy, Clone, PartialEq, Eq)]
enum Strategy {
    Optimized,
    Reference,
}

fn parse_at(at: &str) -> Result<(jiff::Timestamp, String), Error> {
    let ts: jiff::Timestamp = at.parse().map_err(|_| Error::BadTime(at.to_owned()))?;
    if !at.ends_with('Z') {
        return Err(Error::BadTime(at.to_owned()));
    }
    Ok((ts, ts.to_string()))
}

fn now_value(at: &str) -> Value {
    let program =
        Program::compile(&format!("timestamp(\"{at}\")")).expect("timestamp literal compiles");
    program
        .execute(&Context::default())
        .expect("valid RFC 3339 timestamp")
}

fn assess_with(
    catalog: &Catalog,
    evidence: &Evidence,
    opts: &Options,
    strategy: Strategy,
) -> Result<Report, Error> {
    let (at_ts, at) = parse_at(&opts.at)?;
    let env = rules::env();

    // Compile every rule once.
    let mut compiled: Vec<Vec<Compiled>> = Vec::with_capacity(catalog.controls.len());
    for c in &catalog.controls {
        let mut v = Vec::with_capacity(c.rules.len());
        for r in &c.rules {
            v.push(rules::compile(&env, r).map_err(|message| Error::Rule {
                control: c.id.clone(),
                rule: r.id.clone(),
                message,
            })?);
        }
        compiled.push(v);
    }

    // Records grouped by kind, each group sorted so evaluation order is canonical.
    let mut by_kind: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for r in &evidence.records {
        by_kind.entry(r.kind.as_str()).or_default().push(r);
    }
    // Sorted by record hash: outcomes then come out in hash order, which is what the evidence-set
    // digest needs, and no later step depends on input order.
    for v in by_kind.values_mut() {
        v.sort_unstable_by(|a, b| {
            a.sha256
                .cmp(&b.sha256)
                .then_with(|| a.resource_id.cmp(&b.resource_id))
        });
    }

    // Rules reading each kind: (control index, rule index).
    let mut rules_of_kind: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for (ci, c) in catalog.controls.iter().enumerate() {
        for (ri, r) in c.rules.iter().enumerate() {
            rules_of_kind
                .entry(r.kind.as_str())
                .or_default()
                .push((ci, ri));
        }
    }

    let now = now_value(&at);
    let mut outcomes: BTreeMap<(usize, usize), RuleOutcomes> = BTreeMap::new();
    for (kind, rule_ids) in &rules_of_kind {
        let records: &[&Record] = by_kind.get(kind).map_or(&[], |v| v.as_slice());
        // Only the fields these rules read are converted to CEL (all of them if a rule uses `r` whole).
        let mut projection: Option<std::collections::BTreeSet<String>> = Some(Default::default());
        for (ci, ri) in rule_ids {
            match (rules::fields_read(&compiled[*ci][*ri]), projection.as_mut()) {
                (Some(f), Some(p)) => p.extend(f),
                _ => projection = None,
            }
        }
        let keys: Option<Vec<(String, cel::objects::Key)>> = projection.map(|p| {
            p.into_iter()
                .map(|f| (f.clone(), cel::objects::Key::String(std::sync::Arc::new(f))))
                .collect()
        });
        let per_rule = match strategy {
            Strategy::Optimized => evaluate_kind(
                records,
                rule_ids,
                &compiled,
                &now,
                opts.threads.max(1),
                keys.as_deref(),
            ),
            Strategy::Reference => evaluate_kind_naive(records, rule_ids, &compiled, &now),
        };
        for (id, o) in rule_ids.iter().zip(per_rule) {
            outcomes.insert(*id, o);
        }
    }

    // Collection statuses per kind, with the integrity check of record counts.
    let scope_problems = scope_problems(evidence);

    // Attestations: validity and selection.
    let (attest_pick, mut attest_uses) =
        select_attestations(catalog, &evidence.attestations, at_ts);

    // Waivers: state at the assessment time, then matched counts as they apply.
    let mut waiver_uses: Vec<WaiverUse> = opts
        .waivers
        .iter()
        .map(|w| WaiverUse {
            waiver: w.clone(),
            status: w.state(at_ts),
            matched: 0,
        })
        .collect();

    let mut controls = Vec::with_capacity(catalog.controls.len());
    for (ci, control) in catalog.controls.iter().enumerate() {
        let active: Vec<usize> = waiver_uses
            .iter()
            .enumerate()
            .filter(|(_, u)| in_force(u.status) && u.waiver.control == control.id)
            .map(|(i, _)| i)
            .collect();
        let records_of = |kind: &str| by_kind.get(kind).map_or(&[][..], |v| v.as_slice());
        let mut items = Vec::new();
        for item in &control.items {
            let mut rule_reports = Vec::new();
            for (ri, rule) in control
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.item == item.id)
            {
                let outs = outcomes.get(&(ci, ri)).map_or(&[][..], |v| v.as_slice());
                let (report, matched) = rule_report(
                    rule,
                    outs,
                    records_of(&rule.kind),
                    &scope_problems,
                    &evidence.statuses,
                    &active,
                    &waiver_uses,
                );
                for (i, n) in matched {
                    waiver_uses[i].matched += n;
                }
                rule_reports.push(report);
            }
            let exact = attest_pick.get(&(control.id.clone(), Some(item.id.clone())));
            let whole = attest_pick.get(&(control.id.clone(), None));
            let mut report = ItemReport {
                id: item.id.clone(),
                tier: item.tier,
                tier_basis: item.tier_basis,
                responsibility: item.responsibility,
                result: ResultState::NotEvaluated,
                decided_by: DecidedBy::None,
                reason: Reason::NoAssessorRecord {
                    manual: control.automation == Automation::Manual,
                },
                rule: None,
                rules: Vec::new(),
                attestation: None,
                overridden_rule_result: None,
            };
            let has_rules = !rule_reports.is_empty();
            if has_rules {
                let (state, reason, rule) = combine_rules(&rule_reports);
                report.result = state;
                report.reason = reason;
                report.rule = rule;
                report.decided_by = DecidedBy::Rules;
            }
            // An attestation naming this item decides it, overriding rules (both kept in the report);
            // a control-wide attestation decides only items that have no rules.
            let chosen = if has_rules { exact } else { exact.or(whole) };
            if let Some(idx) = chosen {
                let a = &evidence.attestations[*idx];
                let (state, reason) = attestation_state(a);
                if has_rules {
                    report.overridden_rule_result = Some(report.result);
                    mark(
                        &mut attest_uses,
                        &a.sha256,
                        AttestationStatus::OverrodeRules,
                    );
                } else {
                    mark(&mut attest_uses, &a.sha256, AttestationStatus::Applied);
                }
                report.result = state;
                report.reason = reason;
                report.rule = None;
                report.decided_by = DecidedBy::Attestation;
                report.attestation = Some(a.sha256.clone());
            }
            report.rules = rule_reports;
            items.push(report);
        }
        // Whole-control waivers (no resource pattern).
        let mut applied: Vec<String> = Vec::new();
        for &i in &active {
            let w = waiver_uses[i].waiver.clone();
            if w.resource.is_some() {
                continue;
            }
            let why = Reason::Waived {
                waiver: w.id.clone(),
                mode: w.mode,
                approver: w.approver.clone(),
                ticket: w.ticket.clone(),
                justification: w.justification.clone(),
            };
            match w.mode {
                WaiverMode::NotApplicable => {
                    for item in &mut items {
                        item.result = ResultState::NotApplicable;
                        item.decided_by = DecidedBy::Waiver;
                        item.reason = why.clone();
                        item.rule = None;
                    }
                    waiver_uses[i].matched += 1;
                    applied.push(w.id.clone());
                }
                WaiverMode::AcceptRisk => {
                    if items
                        .iter()
                        .any(|it| it.result.points() < 2 && it.result != ResultState::NotApplicable)
                    {
                        waiver_uses[i].matched += 1;
                        applied.push(w.id.clone());
                    }
                }
            }
        }
        for u in &waiver_uses {
            if in_force(u.status)
                && u.waiver.control == control.id
                && u.waiver.resource.is_some()
                && u.matched > 0
            {
                applied.push(u.waiver.id.clone());
            }
        }
        applied.sort();
        applied.dedup();
        let results = control_results(&items);
        let mut report = control_report(control, results, items);
        report.waivers = applied;
        controls.push(report);
    }
    for u in &mut waiver_uses {
        if in_force(u.status) && u.matched > 0 {
            u.status = WaiverStatus::Applied;
        }
    }
    waiver_uses.sort();
    attest_uses.sort();

    let boundary = crate::boundary::build(catalog, evidence);
    Ok(score::build_report(
        catalog,
        evidence,
        opts,
        at,
        score::Decided {
            controls,
            attestations: attest_uses,
            waivers: waiver_uses,
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
        c.results = control_results(&c.items);
    }
    let evidence = Evidence {
        bundle_merkle_root: report.bundle.merkle_root.clone(),
        bundle_created_at: report.bundle.created_at.clone(),
        ..Evidence::default()
    };
    let opts = Options {
        at: report.assessed_at.clone(),
        target_tier: report.target_tier,
        tool_version: report.tool_version.clone(),
        threads: 1,
        waivers: Vec::new(),
    };
    let controls = std::mem::take(&mut report.controls);
    let attestations = std::mem::take(&mut report.attestations);
    let waivers = std::mem::take(&mut report.waivers);
    let boundary = std::mem::take(&mut report.boundary);
    *report = score::build_report(
        catalog,
        &evidence,
        &opts,
        report.assessed_at.clone(),
        score::Decided {
            controls,
            attestations,
            waivers,
            boundary,
        },
    );
}

/// A control's result at each tier at which the provider is scored on it: over its `provider`
/// and `shared` items of that tier and below. Customer items take no part (they are the
/// customer's part of the report), so a control whose items at a tier are all the customer's
/// has no result there, and one whose items are all the customer's has none at all.
pub(crate) fn control_results(items: &[ItemReport]) -> BTreeMap<Tier, ControlResult> {
    let mut results = BTreeMap::new();
    for &tier in Tier::ALL {
        let at_tier: Vec<&ItemReport> = items
            .iter()
            .filter(|i| i.tier <= tier && i.responsibility.scores_provider())
            .collect();
        if !at_tier.is_empty() {
            results.insert(tier, combine_items(&at_tier));
        }
    }
    results
}

/// A waiver that is in force at the assessment time: `Unused` until it matches, then `Applied`.
fn in_force(status: WaiverStatus) -> bool {
    matches!(status, WaiverStatus::Unused | WaiverStatus::Applied)
}

/// Records how a chosen attestation was used. A valid attestation starts as `Unused` and keeps
/// that status when nothing it could decide is assessed.
fn mark(uses: &mut [AttestationUse], sha: &str, status: AttestationStatus) {
    for u in uses.iter_mut().filter(|u| u.sha256 == sha) {
        if matches!(
            u.status,
            AttestationStatus::Unused | AttestationStatus::Applied
        ) {
            u.status = status;
        }
    }
}

fn control_report(
    control: &Control,
    results: BTreeMap<Tier, ControlResult>,
    items: Vec<ItemReport>,
) -> ControlReport {
    ControlReport {
        id: control.id.clone(),
        family: control.family.clone(),
        clause: control.clause.clone(),
        title: control.title.clone(),
        automation: control.automation,
        methods: control.methods.clone(),
        weight: control.weight,
        key: control.key,
        min_tier: control.min_tier(),
        results,
        items,
        waivers: Vec::new(),
    }
}

/// Evaluates every rule of one kind over its records, converting each record to CEL once.
fn evaluate_kind(
    records: &[&Record],
    rule_ids: &[(usize, usize)],
    compiled: &[Vec<Compiled>],
    now: &Value,
    threads: usize,
    keys: Option<&[(String, cel::objects::Key)]>,
) -> Vec<RuleOutcomes> {
    let chunk = records.len().div_ceil(threads).max(1);
    let parts: Vec<Vec<RuleOutcomes>> = if threads == 1 || records.len() < 256 {
        vec![evaluate_chunk(records, 0, rule_ids, compiled, now, keys)]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = records
                .chunks(chunk)
                .enumerate()
                .map(|(n, part)| {
                    s.spawn(move || evaluate_chunk(part, n * chunk, rule_ids, compiled, now, keys))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("rule evaluation thread"))
                .collect()
        })
    };
    let mut out: Vec<RuleOutcomes> = vec![Vec::new(); rule_ids.len()];
    for part in parts {
        for (i, v) in part.into_iter().enumerate() {
            out[i].extend(v);
        }
    }
    out
}

fn evaluate_chunk(
    records: &[&Record],
    offset: usize,
    rule_ids: &[(usize, usize)],
    compiled: &[Vec<Compiled>],
    now: &Value,
    keys: Option<&[(String, cel::objects::Key)]>,
) -> Vec<RuleOutcomes> {
    let mut root = Context::default();
    root.add_variable_from_value("now", now.clone());
    let mut out: Vec<RuleOutcomes> = vec![Vec::new(); rule_ids.len()];
    for (i, record) in records.iter().enumerate() {
        let value = match keys {
            Some(keys) => rules::to_cel_projected(&record.value, keys),
            None => rules::to_cel(&record.value),
        };
        let mut ctx = root.new_inner_scope();
        match value {
            Ok(v) => {
                ctx.add_variable_from_value("r", v);
                for (k, (ci, ri)) in rule_ids.iter().enumerate() {
                    let o = rules::eval(&compiled[*ci][*ri], &ctx);
                    if o != Outcome::OutOfScope {
                        out[k].push((offset + i, o));
                    }
                }
            }
            Err(e) => {
                for o in out.iter_mut() {
                    o.push((
                        offset + i,
                        Outcome::Error(format!("record is not convertible: {e}")),
                    ));
                }
            }
        }
    }
    out
}

fn evaluate_kind_naive(
    records: &[&Record],
    rule_ids: &[(usize, usize)],
    compiled: &[Vec<Compiled>],
    now: &Value,
) -> Vec<RuleOutcomes> {
    rule_ids
        .iter()
        .map(|(ci, ri)| {
            let mut v = Vec::new();
            for (i, record) in records.iter().enumerate() {
                let mut ctx = Context::default();
                ctx.add_variable_from_value("now", now.clone());
                let o = match rules::to_cel(&record.value) {
                    Ok(val) => {
                        ctx.add_variable_from_value("r", val);
                        rules::eval(&compiled[*ci][*ri], &ctx)
                    }
                    Err(e) => Outcome::Error(format!("record is not convertible: {e}")),
                };
                if o != Outcome::OutOfScope {
                    v.push((i, o));
                }
            }
            v
        })
        .collect()
}

/// Scope key: (kind, provider, account, region).
type ScopeKey = (String, String, String, String);

/// Scopes whose collection failed, or whose record count does not match the status.
fn scope_problems(evidence: &Evidence) -> BTreeMap<String, Vec<ScopeProblem>> {
    let mut counts: BTreeMap<ScopeKey, u64> = BTreeMap::new();
    for r in &evidence.records {
        *counts
            .entry((
                r.kind.clone(),
                r.provider.as_str().to_owned(),
                r.account.clone(),
                r.region.clone(),
            ))
            .or_default() += 1;
    }
    let mut statuses: BTreeMap<ScopeKey, Vec<&CollectionStatus>> = BTreeMap::new();
    for s in &evidence.statuses {
        statuses
            .entry((
                s.kind.clone(),
                s.provider.as_str().to_owned(),
                s.account.clone(),
                s.region.clone(),
            ))
            .or_default()
            .push(s);
    }
    let mut out: BTreeMap<String, Vec<ScopeProblem>> = BTreeMap::new();
    for (key, list) in &statuses {
        let (kind, provider, account, region) = key;
        let problem = |cause: ScopeCause| ScopeProblem {
            provider: provider.clone(),
            account: account.clone(),
            region: region.clone(),
            cause,
        };
        let found = counts.get(key).copied().unwrap_or(0);
        if let Some(err) = list.iter().find(|s| s.status != CollectionOutcome::Ok) {
            out.entry(kind.clone())
                .or_default()
                .push(problem(ScopeCause::CollectionFailed {
                    error_class: error_class_name(err.error_class),
                    message: err.message.clone().unwrap_or_default(),
                }));
        } else if list.len() > 1 {
            out.entry(kind.clone())
                .or_default()
                .push(problem(ScopeCause::DuplicateStatuses {
                    count: list.len() as u64,
                }));
        } else if list[0].record_count != found {
            out.entry(kind.clone())
                .or_default()
                .push(problem(ScopeCause::RecordCountMismatch {
                    written: list[0].record_count,
                    found,
                }));
        }
    }
    // Records without any status for their scope: evidence of unknown completeness.
    for (key, n) in &counts {
        if !statuses.contains_key(key) {
            let (kind, provider, account, region) = key;
            out.entry(kind.clone()).or_default().push(ScopeProblem {
                provider: provider.clone(),
                account: account.clone(),
                region: region.clone(),
                cause: ScopeCause::RecordsWithoutStatus { count: *n },
            });
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// The name a failed scope's error class has in the report; `error` when the status has none.
pub(crate) fn error_class_name(class: Option<cloudcap_evidence::ErrorClass>) -> String {
    class.map_or("error", |c| c.as_str()).to_owned()
}

/// Builds one rule's result; returns how many resources each waiver (by index) matched.
fn rule_report(
    rule: &cloudcap_catalog::Rule,
    outs: &[(usize, Outcome)],
    records: &[&Record],
    problems: &BTreeMap<String, Vec<ScopeProblem>>,
    statuses: &[CollectionStatus],
    active: &[usize],
    waivers: &[WaiverUse],
) -> (RuleReport, Vec<(usize, u64)>) {
    let mut failed = Vec::new();
    let mut errors = Vec::new();
    let mut not_reported = Vec::new();
    let mut passed = 0u64;
    let mut hashes: Vec<&str> = Vec::with_capacity(outs.len());
    let mut matched: BTreeMap<usize, u64> = BTreeMap::new();
    let resource_waiver = |r: &Record, mode: WaiverMode| {
        active.iter().copied().find(|&i| {
            let w = &waivers[i].waiver;
            w.mode == mode
                && w.resource.is_some()
                && w.matches(r.provider.as_str(), &r.account, &r.resource_id)
        })
    };
    let mut in_scope = 0u64;
    for (i, o) in outs {
        let r = records[*i];
        // A resource-scoped not-applicable waiver takes the resource out of scope.
        if let Some(w) = resource_waiver(r, WaiverMode::NotApplicable) {
            *matched.entry(w).or_default() += 1;
            continue;
        }
        in_scope += 1;
        hashes.push(&r.sha256);
        match o {
            Outcome::Pass => passed += 1,
            Outcome::Fail => {
                let accepted_by = resource_waiver(r, WaiverMode::AcceptRisk);
                if let Some(w) = accepted_by {
                    *matched.entry(w).or_default() += 1;
                }
                failed.push(ResourceRef {
                    resource_id: r.resource_id.clone(),
                    provider: r.provider.as_str().to_owned(),
                    account: r.account.clone(),
                    region: r.region.clone(),
                    evidence: r.sha256.clone(),
                    accepted_by: accepted_by.map(|w| waivers[w].waiver.id.clone()),
                });
            }
            Outcome::NotReported(field) => not_reported.push(NotReportedRef {
                resource_id: r.resource_id.clone(),
                provider: r.provider.as_str().to_owned(),
                account: r.account.clone(),
                region: r.region.clone(),
                field: field.clone(),
                evidence: r.sha256.clone(),
            }),
            Outcome::Error(m) => errors.push(ResourceError {
                resource_id: r.resource_id.clone(),
                evidence: r.sha256.clone(),
                message: m.clone(),
            }),
            Outcome::OutOfScope => {}
        }
    }
    failed.sort();
    errors.sort();
    not_reported.sort();
    // Records are sorted by hash per kind and outcomes keep that order.
    debug_assert!(hashes.is_sorted());
    let mut h = Sha256::new();
    for (n, x) in hashes.iter().enumerate() {
        if n > 0 {
            h.update(b"\n");
        }
        h.update(x.as_bytes());
    }
    let mut status_evidence: Vec<String> = statuses
        .iter()
        .filter(|s| s.kind == rule.kind)
        .map(|s| s.sha256.clone())
        .collect();
    status_evidence.sort();
    status_evidence.dedup();
    let incomplete = problems.get(&rule.kind).cloned().unwrap_or_default();
    let kind = rule.kind.clone();
    let nfail = failed.len() as u64;
    let gaps = field_gaps(&not_reported);
    let nr = not_reported.len() as u64;
    let unknown = || -> Option<Reason> {
        if let Some(first) = incomplete.first() {
            Some(Reason::CollectionError {
                kind: kind.clone(),
                scopes: incomplete.len() as u64,
                first: first.clone(),
            })
        } else if nr > 0 {
            Some(Reason::FieldNotReported {
                kind: kind.clone(),
                resources: nr,
                gaps: gaps.clone(),
            })
        } else {
            errors.first().map(|e| Reason::RuleError {
                kind: kind.clone(),
                resources: errors.len() as u64,
                message: e.message.clone(),
            })
        }
    };
    let empty = || {
        let state = match rule.empty {
            EmptyResult::NotApplicable => ResultState::NotApplicable,
            EmptyResult::NotSatisfied => ResultState::NotSatisfied,
            EmptyResult::NotEvaluated => ResultState::NotEvaluated,
        };
        (
            state,
            Reason::NothingInScope {
                kind: kind.clone(),
                empty: rule.empty,
            },
        )
    };
    let fail_reason = || Reason::ResourcesFail {
        kind: kind.clone(),
        failed: nfail,
        in_scope,
        require: rule.require,
        message: rule.message.clone(),
    };
    let (result, reason) = if status_evidence.is_empty() {
        (
            ResultState::NotEvaluated,
            Reason::NoEvidence { kind: kind.clone() },
        )
    } else {
        match rule.require {
            // Every in-scope record must pass: a failing record is a fact whatever else is
            // unknown; anything unknown keeps the rest from being a pass.
            Require::All => {
                if nfail > 0 {
                    let state = if passed > 0 {
                        ResultState::PartiallySatisfied
                    } else {
                        ResultState::NotSatisfied
                    };
                    (state, fail_reason())
                } else if let Some(why) = unknown() {
                    (ResultState::NotEvaluated, why)
                } else if passed > 0 {
                    (
                        ResultState::Satisfied,
                        Reason::AllPass {
                            kind: kind.clone(),
                            passed,
                        },
                    )
                } else {
                    empty()
                }
            }
            // At least one record must pass: a passing record is a fact whatever else is
            // unknown; failures only count when nothing is unknown (the missing record could be
            // the one that passes).
            Require::Any => {
                if passed > 0 {
                    (
                        ResultState::Satisfied,
                        Reason::OnePasses {
                            kind: kind.clone(),
                            passed,
                            in_scope,
                        },
                    )
                } else if let Some(why) = unknown() {
                    (ResultState::NotEvaluated, why)
                } else if nfail > 0 {
                    (ResultState::NotSatisfied, fail_reason())
                } else {
                    empty()
                }
            }
        }
    };
    // With `require = any`, records that do not pass are not failures once one passes.
    if rule.require == Require::Any && result == ResultState::Satisfied {
        failed.clear();
    }
    let report = RuleReport {
        id: rule.id.clone(),
        kind: rule.kind.clone(),
        require: rule.require,
        result,
        reason,
        in_scope,
        passed,
        failed,
        errors,
        not_reported,
        incomplete,
        status_evidence,
        evidence_count: in_scope,
        evidence_set_sha256: hex::encode(h.finalize()),
    };
    (report, matched.into_iter().collect())
}

/// Unreported fields grouped by (field, provider), with the number of records.
fn field_gaps(not_reported: &[NotReportedRef]) -> Vec<FieldGap> {
    let mut by: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for n in not_reported {
        *by.entry((n.field.as_str(), n.provider.as_str()))
            .or_default() += 1;
    }
    by.into_iter()
        .map(|((field, provider), resources)| FieldGap {
            field: field.to_owned(),
            provider: provider.to_owned(),
            resources,
        })
        .collect()
}

/// An item with several rules takes its worst rule (by points); not-applicable rules drop out.
/// Returns the state, the deciding rule's reason and that rule's id.
pub(crate) fn combine_rules(rules: &[RuleReport]) -> (ResultState, Reason, Option<String>) {
    let live: Vec<&RuleReport> = rules
        .iter()
        .filter(|r| r.result != ResultState::NotApplicable)
        .collect();
    if live.is_empty() {
        let first = rules.first().expect("an item with rules has a rule");
        return (
            ResultState::NotApplicable,
            first.reason.clone(),
            Some(first.id.clone()),
        );
    }
    let min_points = live.iter().map(|r| r.result.points()).min().unwrap_or(0);
    let pick = |s: ResultState| live.iter().find(|r| r.result == s).copied();
    let chosen = match min_points {
        2 => pick(ResultState::Satisfied),
        1 => pick(ResultState::PartiallySatisfied),
        _ => pick(ResultState::NotSatisfied).or_else(|| pick(ResultState::NotEvaluated)),
    }
    .expect("the minimum is some live rule's result");
    (
        chosen.result,
        chosen.reason.clone(),
        Some(chosen.id.clone()),
    )
}

/// Whether an item is not wholly evaluated: it is not-evaluated, or its rules decided it and one
/// of them is not-evaluated (its label may say not-satisfied, because a failure is a fact, but
/// the rest of it is unknown).
fn unsettled(i: &ItemReport) -> bool {
    i.result == ResultState::NotEvaluated
        || (i.decided_by == DecidedBy::Rules
            && i.rules
                .iter()
                .any(|r| r.result == ResultState::NotEvaluated))
}

/// A control at a tier: any item not wholly evaluated makes it worth nothing (not-satisfied if an
/// item failed outright, else not-evaluated); otherwise all satisfied → satisfied, all
/// not-satisfied → not-satisfied, a mix → partially satisfied. Counting a failing item with an
/// unevaluated rule as unsettled keeps the score monotone: losing evidence can turn such an
/// item's label from not-evaluated to not-satisfied, and must not thereby raise the control.
pub(crate) fn combine_items(items: &[&ItemReport]) -> ControlResult {
    let live: Vec<&&ItemReport> = items
        .iter()
        .filter(|i| i.result != ResultState::NotApplicable)
        .collect();
    let from = |i: &ItemReport, result: ResultState| ControlResult {
        result,
        reason: i.reason.clone(),
        item: Some(i.id.clone()),
    };
    let first = |s: ResultState| live.iter().find(|i| i.result == s).copied();
    if live.is_empty() {
        let i = items
            .first()
            .expect("a control applying at a tier has an item there");
        return from(i, ResultState::NotApplicable);
    }
    let all = |s: ResultState| live.iter().all(|i| i.result == s);
    if live.iter().any(|i| unsettled(i)) {
        if let Some(i) = first(ResultState::NotSatisfied) {
            from(i, ResultState::NotSatisfied)
        } else {
            let i = first(ResultState::NotEvaluated).expect("checked");
            from(i, ResultState::NotEvaluated)
        }
    } else if all(ResultState::Satisfied) {
        ControlResult {
            result: ResultState::Satisfied,
            reason: Reason::AllItemsSatisfied {
                items: live.len() as u64,
            },
            item: None,
        }
    } else if all(ResultState::NotSatisfied) {
        from(
            first(ResultState::NotSatisfied).expect("checked"),
            ResultState::NotSatisfied,
        )
    } else {
        let i = first(ResultState::NotSatisfied)
            .or_else(|| first(ResultState::PartiallySatisfied))
            .expect("a mix has a failing or partial item");
        from(i, ResultState::PartiallySatisfied)
    }
}

fn attestation_state(a: &Attestation) -> (ResultState, Reason) {
    let state = ResultState::from(a.result);
    let note = a.note.clone().filter(|n| !n.trim().is_empty());
    let reason = if state == ResultState::NotApplicable {
        Reason::NotApplicableJustified {
            method: a.method,
            assessor: a.assessor.clone(),
            date: a.date,
            justification: note.unwrap_or_default(),
        }
    } else {
        Reason::Attested {
            method: a.method,
            assessor: a.assessor.clone(),
            date: a.date,
            note,
        }
    };
    (state, reason)
}

/// For each (control, item or whole control), the index of the attestation that decides it.
type AttestationPick = BTreeMap<(String, Option<String>), usize>;

/// Picks, per (control, item), the latest valid attestation; reports every attestation's status.
fn select_attestations(
    catalog: &Catalog,
    list: &[Attestation],
    at: jiff::Timestamp,
) -> (AttestationPick, Vec<AttestationUse>) {
    let at_date = at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let mut uses = Vec::new();
    let mut pick: BTreeMap<(String, Option<String>), usize> = BTreeMap::new();
    for (i, a) in list.iter().enumerate() {
        let control = catalog.control(&a.control);
        let status = if control.is_none() {
            AttestationStatus::UnknownControl
        } else if a
            .item
            .as_ref()
            .is_some_and(|it| !control.unwrap().items.iter().any(|x| &x.id == it))
        {
            AttestationStatus::UnknownItem
        } else if a.result == AttestationResult::NotApplicable
            && a.note.as_deref().is_none_or(|n| n.trim().is_empty())
        {
            // Not applicable needs a justification.
            AttestationStatus::Invalid
        } else if a.date > at_date {
            AttestationStatus::NotYetValid
        } else if a.expires.is_some_and(|e| e < at_date) {
            AttestationStatus::Expired
        } else {
            // Valid: `Unused` until it decides something.
            AttestationStatus::Unused
        };
        if status == AttestationStatus::Unused {
            let key = (a.control.clone(), a.item.clone());
            match pick.get(&key) {
                Some(&j) if (&list[j].date, &list[j].sha256) >= (&a.date, &a.sha256) => {}
                _ => {
                    pick.insert(key, i);
                }
            }
        }
        uses.push(AttestationUse {
            sha256: a.sha256.clone(),
            control: a.control.clone(),
            item: a.item.clone(),
            method: a.method,
            result: a.result,
            assessor: a.assessor.clone(),
            date: a.date,
            expires: a.expires,
            note: a.note.clone(),
            attachments: a.attachments.iter().map(|h| h.to_string()).collect(),
            status,
        });
    }
    // Valid attestations that lost to a later one for the same scope.
    let chosen: std::collections::BTreeSet<&str> =
        pick.values().map(|&i| list[i].sha256.as_str()).collect();
    for u in &mut uses {
        if u.status == AttestationStatus::Unused && !chosen.contains(u.sha256.as_str()) {
            u.status = AttestationStatus::Superseded;
        }
    }
    (pick, uses)
}
