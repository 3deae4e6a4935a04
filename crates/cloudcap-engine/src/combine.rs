//! How results combine: an item's rules into the item, a control's items into the control at
//! each tier. Pure functions of results already decided (phase 4 uses them, and so does
//! [`crate::recombine`]).

use std::collections::BTreeMap;

use cloudcap_catalog::Tier;

use crate::report::*;

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

#[cfg(test)]
mod tests {
    use super::*;
    use ResultState::{
        NotApplicable as Na, NotEvaluated as Ne, NotSatisfied as Ns, PartiallySatisfied as Ps,
        Satisfied as S,
    };
    use cloudcap_catalog::{Require, Responsibility, TierBasis};

    fn rule(id: &str, result: ResultState) -> RuleReport {
        RuleReport {
            id: id.into(),
            kind: "k".into(),
            require: Require::All,
            result,
            reason: Reason::AllPass {
                kind: id.into(),
                passed: 1,
            },
            in_scope: 1,
            passed: 1,
            failed: vec![],
            errors: vec![],
            not_reported: vec![],
            incomplete: vec![],
            status_evidence: vec![],
            evidence_count: 1,
            evidence_set_sha256: String::new(),
        }
    }

    /// An item decided as `by`, with its result and (for rules) one rule of `rule_result`.
    fn item(
        id: &str,
        tier: Tier,
        result: ResultState,
        by: DecidedBy,
        rule_result: ResultState,
    ) -> ItemReport {
        ItemReport {
            id: id.into(),
            tier,
            tier_basis: TierBasis::StandardText,
            responsibility: Responsibility::Provider,
            result,
            decided_by: by,
            reason: Reason::NoAssessorRecord { manual: false },
            rule: None,
            rules: vec![rule(&format!("{id}-rule"), rule_result)],
            attestation: None,
            overridden_rule_result: None,
        }
    }

    #[test]
    fn an_item_takes_its_worst_live_rule() {
        // (rule results, item result, deciding rule)
        let table: &[(&[ResultState], ResultState, &str)] = &[
            (&[S], S, "r0"),
            (&[S, Ps], Ps, "r1"),
            (&[S, Ns, Ps], Ns, "r1"),
            (&[S, Ne], Ne, "r1"),
            // A failure is a fact even when another rule is unknown.
            (&[Ne, Ns], Ns, "r1"),
            (&[Na, S], S, "r1"),
            // Not-applicable rules drop out; all of them: the item is not applicable.
            (&[Na, Na], Na, "r0"),
            (&[Ps, Ps], Ps, "r0"),
        ];
        for (rules, want, by) in table {
            let rs: Vec<RuleReport> = rules
                .iter()
                .enumerate()
                .map(|(n, &r)| rule(&format!("r{n}"), r))
                .collect();
            let (got, _, id) = combine_rules(&rs);
            assert_eq!((got, id.as_deref()), (*want, Some(*by)), "{rules:?}");
        }
    }

    #[test]
    fn a_control_combines_its_items() {
        use DecidedBy::{Attestation as A, Rules as R};
        // (items as (result, decided by, its rule's result), control result, naming item)
        type Row<'a> = (
            &'a [(ResultState, DecidedBy, ResultState)],
            ResultState,
            Option<&'a str>,
        );
        let table: &[Row<'_>] = &[
            (&[(S, R, S), (S, A, Ns)], S, None),
            (&[(S, R, S), (Ns, R, Ns)], Ps, Some("i1")),
            (&[(Ns, R, Ns), (Ns, A, S)], Ns, Some("i0")),
            (&[(S, R, S), (Ps, R, Ps)], Ps, Some("i1")),
            // Any item not wholly evaluated makes the control worth nothing.
            (&[(S, R, S), (Ne, R, Ne)], Ne, Some("i1")),
            // ... and not-satisfied when an item failed outright, even if its other rule is
            // unknown (the item counts as unsettled).
            (&[(S, R, S), (Ns, R, Ne)], Ns, Some("i1")),
            // An attestation settles its item whatever its rules said.
            (&[(S, A, Ne), (S, R, S)], S, None),
            (&[(Na, R, Na), (S, R, S)], S, None),
            (&[(Na, R, Na), (Na, A, Na)], Na, Some("i0")),
        ];
        for (items, want, named) in table {
            let its: Vec<ItemReport> = items
                .iter()
                .enumerate()
                .map(|(n, &(r, by, rr))| item(&format!("i{n}"), Tier::Basic, r, by, rr))
                .collect();
            let refs: Vec<&ItemReport> = its.iter().collect();
            let got = combine_items(&refs);
            assert_eq!(
                (got.result, got.item.as_deref()),
                (*want, *named),
                "{items:?}"
            );
        }
    }

    #[test]
    fn a_control_has_a_result_at_each_tier_its_provider_items_reach() {
        let mut customer = item("c", Tier::Basic, Ns, DecidedBy::Rules, Ns);
        customer.responsibility = Responsibility::Customer;
        let items = vec![
            customer,
            item("e", Tier::Enhanced, S, DecidedBy::Rules, S),
            item("a", Tier::Advanced, Ns, DecidedBy::Rules, Ns),
        ];
        let r = control_results(&items);
        // Basic has only the customer's item: no result for the provider there.
        assert_eq!(r.get(&Tier::Basic), None);
        assert_eq!(r[&Tier::Enhanced].result, S);
        assert_eq!(r[&Tier::Advanced].result, Ps);
    }
}
