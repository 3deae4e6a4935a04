//! Phase 4 of an assessment, **decide**: each rule's result over its in-scope records (with
//! the completeness of its kind's scopes), then each item by one precedence — a whole-control
//! not-applicable waiver, else an attestation that may decide the item, else the item's rules,
//! else nothing — then each control from its items. Also records how every attestation and
//! waiver was used.

use std::collections::BTreeMap;

use cloudcap_catalog::{Automation, Catalog, Control, EmptyResult, Item, Require, Tier};
use cloudcap_evidence::CollectionOutcome;
use sha2::{Digest, Sha256};

use crate::combine::{combine_rules, control_results};
use crate::evaluate::Outcomes;
use crate::input::{Attestation, CollectionStatus, Evidence, Record};
use crate::report::*;
use crate::rules::Outcome;
use crate::waiver::{Waiver, WaiverMode, WaiverStatus, WaiverUse};

/// What phase 4 decided, before scoring.
pub(crate) struct Decisions {
    pub(crate) controls: Vec<ControlReport>,
    pub(crate) attestations: Vec<AttestationUse>,
    pub(crate) waivers: Vec<WaiverUse>,
}

/// Decides every control of `catalog` from the rule outcomes, the attestations and the waivers
/// in force at `at`.
pub(crate) fn decide(
    catalog: &Catalog,
    evidence: &Evidence,
    by_kind: &BTreeMap<&str, Vec<&Record>>,
    outcomes: &Outcomes<'_>,
    waivers: &[Waiver],
    at: jiff::Timestamp,
) -> Decisions {
    // Collection statuses per kind, with the integrity check of record counts.
    let scope_problems = scope_problems(evidence);
    // Attestations: validity and selection.
    let (attest_pick, mut attest_uses) = select_attestations(catalog, &evidence.attestations, at);
    // Waivers: state at the assessment time, then matched counts as they apply.
    let mut waiver_uses: Vec<WaiverUse> = waivers
        .iter()
        .map(|w| WaiverUse {
            waiver: w.clone(),
            status: w.state(at),
            matched: 0,
        })
        .collect();

    let mut controls = Vec::with_capacity(catalog.controls.len());
    for control in &catalog.controls {
        let active: Vec<usize> = waiver_uses
            .iter()
            .enumerate()
            .filter(|(_, u)| in_force(u.status) && u.waiver.control == control.id)
            .map(|(i, _)| i)
            .collect();
        // Whole-control waivers (no resource pattern): each not-applicable one decides every
        // item (the last in file order gives the reason); an accept-risk one only records that
        // it applied when an item falls short.
        let whole: Vec<usize> = active
            .iter()
            .copied()
            .filter(|&i| waiver_uses[i].waiver.resource.is_none())
            .collect();
        let na_waiver = whole
            .iter()
            .rev()
            .map(|&i| &waiver_uses[i].waiver)
            .find(|w| w.mode == WaiverMode::NotApplicable)
            .map(waived);
        let records_of = |kind: &str| by_kind.get(kind).map_or(&[][..], |v| v.as_slice());
        let mut items = Vec::with_capacity(control.items.len());
        for item in &control.items {
            let mut rule_reports = Vec::new();
            for rule in control.rules.iter().filter(|r| r.item == item.id) {
                let outs = outcomes
                    .get(&(control.id.as_str(), rule.id.as_str()))
                    .map_or(&[][..], |v| v.as_slice());
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
            // An attestation naming this item decides it, overriding rules (both kept in the
            // report); a control-wide attestation decides only items that have no rules.
            let exact = attest_pick.get(&(control.id.clone(), Some(item.id.clone())));
            let whole_control = attest_pick.get(&(control.id.clone(), None));
            let has_rules = !rule_reports.is_empty();
            let chosen = if has_rules {
                exact
            } else {
                exact.or(whole_control)
            };
            let attestation = chosen.map(|&i| &evidence.attestations[i]);
            if let Some(a) = attestation {
                let status = if has_rules {
                    AttestationStatus::OverrodeRules
                } else {
                    AttestationStatus::Applied
                };
                mark(&mut attest_uses, &a.sha256, status);
            }
            items.push(decide_item(
                control,
                item,
                rule_reports,
                attestation,
                na_waiver.clone(),
            ));
        }
        let mut applied: Vec<String> = Vec::new();
        for &i in &whole {
            let w = &waiver_uses[i].waiver;
            let counts = match w.mode {
                WaiverMode::NotApplicable => true,
                WaiverMode::AcceptRisk => items
                    .iter()
                    .any(|it| it.result.points() < 2 && it.result != ResultState::NotApplicable),
            };
            if counts {
                applied.push(w.id.clone());
                waiver_uses[i].matched += 1;
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
    Decisions {
        controls,
        attestations: attest_uses,
        waivers: waiver_uses,
    }
}

/// The reason a whole-control waiver gives the items it decides.
fn waived(w: &Waiver) -> Reason {
    Reason::Waived {
        waiver: w.id.clone(),
        mode: w.mode,
        approver: w.approver.clone(),
        ticket: w.ticket.clone(),
        justification: w.justification.clone(),
    }
}

/// The one precedence of an item's decision, lowest first: nothing (not evaluated, no assessor
/// record), then its rules (the worst rule), then an attestation (kept beside the rules'
/// result it overrides), then a whole-control not-applicable waiver.
fn decide_item(
    control: &Control,
    item: &Item,
    rules: Vec<RuleReport>,
    attestation: Option<&Attestation>,
    waiver: Option<Reason>,
) -> ItemReport {
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
    if !rules.is_empty() {
        let (state, reason, rule) = combine_rules(&rules);
        report.result = state;
        report.reason = reason;
        report.rule = rule;
        report.decided_by = DecidedBy::Rules;
    }
    if let Some(a) = attestation {
        let (state, reason) = attestation_state(a);
        if !rules.is_empty() {
            report.overridden_rule_result = Some(report.result);
        }
        report.result = state;
        report.reason = reason;
        report.rule = None;
        report.decided_by = DecidedBy::Attestation;
        report.attestation = Some(a.sha256.clone());
    }
    if let Some(why) = waiver {
        report.result = ResultState::NotApplicable;
        report.decided_by = DecidedBy::Waiver;
        report.reason = why;
        report.rule = None;
    }
    report.rules = rules;
    report
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
        remediation: control.remediation.clone(),
        min_tier: control.min_tier(),
        results,
        items,
        waivers: Vec::new(),
    }
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
