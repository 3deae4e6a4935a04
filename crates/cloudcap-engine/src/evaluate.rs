//! Phases 2 and 3 of an assessment, **select** and **evaluate**: the records grouped by kind in
//! canonical order, then every rule over the records of its kind. Rules are addressed by
//! reference ([`CompiledRule`]), and outcomes are keyed by (control id, rule id).

use std::collections::{BTreeMap, BTreeSet};

use cel::{Context, Program, Value};
use cloudcap_catalog::{Catalog, Control, Rule};

use crate::assess::Error;
use crate::input::{Evidence, Record};
use crate::rules::{self, Compiled, Outcome};

/// Per-rule raw outcomes: for each in-scope record, its index (in its kind's sorted records)
/// and outcome.
pub(crate) type RuleOutcomes = Vec<(usize, Outcome)>;

/// A rule of the catalog with its compiled programs.
pub(crate) struct CompiledRule<'c> {
    pub(crate) control: &'c Control,
    pub(crate) rule: &'c Rule,
    pub(crate) program: Compiled,
}

impl<'c> CompiledRule<'c> {
    /// The key outcomes are stored under: (control id, rule id).
    pub(crate) fn key(&self) -> (&'c str, &'c str) {
        (self.control.id.as_str(), self.rule.id.as_str())
    }
}

/// How rules are evaluated: the optimized path, or the naive reference the property tests
/// compare it with.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) enum Strategy {
    Optimized,
    Reference,
}

/// Phase 1, **compile**: every rule of the catalog, once.
pub(crate) fn compile(catalog: &Catalog) -> Result<Vec<CompiledRule<'_>>, Error> {
    let env = rules::env();
    let mut out = Vec::new();
    for control in &catalog.controls {
        for rule in &control.rules {
            let program = rules::compile(&env, rule).map_err(|message| Error::Rule {
                control: control.id.clone(),
                rule: rule.id.clone(),
                message,
            })?;
            out.push(CompiledRule {
                control,
                rule,
                program,
            });
        }
    }
    Ok(out)
}

/// Phase 2, **select**: records grouped by kind, each group sorted by record hash (then
/// resource id), so evaluation order is canonical: outcomes come out in hash order, which is
/// what the evidence-set digest needs, and no later step depends on input order.
pub(crate) fn records_by_kind(evidence: &Evidence) -> BTreeMap<&str, Vec<&Record>> {
    let mut by_kind: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for r in &evidence.records {
        by_kind.entry(r.kind.as_str()).or_default().push(r);
    }
    for v in by_kind.values_mut() {
        v.sort_unstable_by(|a, b| {
            a.sha256
                .cmp(&b.sha256)
                .then_with(|| a.resource_id.cmp(&b.resource_id))
        });
    }
    by_kind
}

/// Outcomes of every rule, by (control id, rule id).
pub(crate) type Outcomes<'c> = BTreeMap<(&'c str, &'c str), RuleOutcomes>;

/// Phase 3, **evaluate**: every rule over the records of its kind. `at` is the assessment time
/// (RFC 3339 UTC), the rules' `now`.
pub(crate) fn evaluate<'c>(
    compiled: &[CompiledRule<'c>],
    by_kind: &BTreeMap<&str, Vec<&Record>>,
    at: &str,
    threads: usize,
    strategy: Strategy,
) -> Outcomes<'c> {
    let now = now_value(at);
    // Rules reading each kind, in catalog order.
    let mut rules_of_kind: BTreeMap<&str, Vec<&CompiledRule<'c>>> = BTreeMap::new();
    for r in compiled {
        rules_of_kind
            .entry(r.rule.kind.as_str())
            .or_default()
            .push(r);
    }
    let mut outcomes = Outcomes::new();
    for (kind, rules) in &rules_of_kind {
        let records: &[&Record] = by_kind.get(kind).map_or(&[], |v| v.as_slice());
        // Only the fields these rules read are converted to CEL (all of them if a rule uses `r` whole).
        let mut projection: Option<BTreeSet<String>> = Some(Default::default());
        for r in rules {
            match (rules::fields_read(&r.program), projection.as_mut()) {
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
            Strategy::Optimized => {
                evaluate_kind(records, rules, &now, threads.max(1), keys.as_deref())
            }
            Strategy::Reference => evaluate_kind_naive(records, rules, &now),
        };
        for (r, o) in rules.iter().zip(per_rule) {
            outcomes.insert(r.key(), o);
        }
    }
    outcomes
}

fn now_value(at: &str) -> Value {
    let program =
        Program::compile(&format!("timestamp(\"{at}\")")).expect("timestamp literal compiles");
    program
        .execute(&Context::default())
        .expect("valid RFC 3339 timestamp")
}

/// Evaluates every rule of one kind over its records, converting each record to CEL once.
fn evaluate_kind(
    records: &[&Record],
    rules: &[&CompiledRule<'_>],
    now: &Value,
    threads: usize,
    keys: Option<&[(String, cel::objects::Key)]>,
) -> Vec<RuleOutcomes> {
    let chunk = records.len().div_ceil(threads).max(1);
    let parts: Vec<Vec<RuleOutcomes>> = if threads == 1 || records.len() < 256 {
        vec![evaluate_chunk(records, 0, rules, now, keys)]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = records
                .chunks(chunk)
                .enumerate()
                .map(|(n, part)| s.spawn(move || evaluate_chunk(part, n * chunk, rules, now, keys)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("rule evaluation thread"))
                .collect()
        })
    };
    let mut out: Vec<RuleOutcomes> = vec![Vec::new(); rules.len()];
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
    rules: &[&CompiledRule<'_>],
    now: &Value,
    keys: Option<&[(String, cel::objects::Key)]>,
) -> Vec<RuleOutcomes> {
    let mut root = Context::default();
    root.add_variable_from_value("now", now.clone());
    let mut out: Vec<RuleOutcomes> = vec![Vec::new(); rules.len()];
    for (i, record) in records.iter().enumerate() {
        let value = match keys {
            Some(keys) => rules::to_cel_projected(&record.value, keys),
            None => rules::to_cel(&record.value),
        };
        let mut ctx = root.new_inner_scope();
        match value {
            Ok(v) => {
                ctx.add_variable_from_value("r", v);
                for (k, rule) in rules.iter().enumerate() {
                    let o = rules::eval(&rule.program, &ctx);
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
    rules: &[&CompiledRule<'_>],
    now: &Value,
) -> Vec<RuleOutcomes> {
    rules
        .iter()
        .map(|rule| {
            let mut v = Vec::new();
            for (i, record) in records.iter().enumerate() {
                let mut ctx = Context::default();
                ctx.add_variable_from_value("now", now.clone());
                let o = match rules::to_cel(&record.value) {
                    Ok(val) => {
                        ctx.add_variable_from_value("r", val);
                        rules::eval(&rule.program, &ctx)
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
