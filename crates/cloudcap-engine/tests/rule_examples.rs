//! Every `[[rule]]` of the shipped catalog has examples, kept as data in `controls/examples/`:
//! at least one record set it satisfies and one it fails, and, where the rule sets `empty`, a
//! record set with nothing in scope. Each example is assessed by the engine with the whole
//! catalog and must give the stated result; each record must be valid for its kind's schema.
//!
//! Layout: `controls/examples/_base.json` holds one complete, passing record per kind (kind
//! fields only); `controls/examples/<control>.json` maps rule id → expected result → examples.
//! An example is a patch of the base record (a field set to `null` is left out, so the record
//! does not report it) or a list of such patches (several records, `[]` for none). The key
//! `empty` means: nothing in scope, and the result is the rule's `empty` value.

// Tests may read the environment and the clock and print (clippy.toml's rules are for the
// library code).
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cloudcap_catalog::{Catalog, EmptyResult, Rule, Tier};
use cloudcap_engine::{CollectionStatus, Evidence, Options, Record, ResultState, assess};
use cloudcap_evidence::{CollectionOutcome, Provider};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

const AT: &str = "2026-11-25T00:00:00Z";
const REGION: &str = "cn-north-1";

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../controls/examples")
}

fn catalog() -> Catalog {
    let (c, d) = cloudcap_catalog::load(&cloudcap_catalog::embedded_source());
    assert!(d.is_empty(), "{d:?}");
    c.unwrap()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sha(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The base record of `kind` with `patch` applied, wrapped in a full envelope.
fn record(base: &Value, kind: &str, patch: &Value, n: usize, origin: &str) -> Record {
    let mut fields: Map<String, Value> = base[kind]
        .as_object()
        .unwrap_or_else(|| panic!("_base.json has no record of {kind}"))
        .clone();
    for (k, v) in patch
        .as_object()
        .unwrap_or_else(|| panic!("{origin}: an example record is an object"))
    {
        assert!(
            fields.contains_key(k),
            "{origin}: `{k}` is not a field of the base {kind} record"
        );
        if v.is_null() {
            fields.remove(k);
        } else {
            fields.insert(k.clone(), v.clone());
        }
    }
    let resource_id = if kind == "region.inventory" {
        REGION.to_owned()
    } else {
        format!("example-{n}")
    };
    let mut value = json!({
        "schema_version": 1, "kind": kind, "provider": "aws", "account": "111122223333",
        "region": REGION, "resource_id": resource_id, "sources": ["0".repeat(64)],
    });
    value.as_object_mut().unwrap().extend(fields);
    if let Err(errors) = cloudcap_evidence::validate_record(kind, &value) {
        panic!("{origin}: the example record is not a valid {kind}: {errors:?}");
    }
    Record {
        sha256: sha(&value.to_string()),
        kind: kind.into(),
        provider: Provider::Aws,
        account: "111122223333".into(),
        region: REGION.into(),
        resource_id,
        value,
    }
}

/// Assesses `records` (all of `rule.kind`, collected without error) and returns what `rule`
/// of `control` gave: its result and how many records were in scope.
fn run(catalog: &Catalog, control: &str, rule: &Rule, records: Vec<Record>) -> (ResultState, u64) {
    let status = CollectionStatus {
        sha256: sha(&format!("status {} {}", rule.kind, records.len())),
        object: cloudcap_evidence::CollectionStatus {
            kind: rule.kind.clone(),
            provider: Provider::Aws,
            account: "111122223333".into(),
            region: REGION.into(),
            status: CollectionOutcome::Ok,
            error_class: None,
            message: None,
            record_count: records.len() as u64,
        },
    };
    let evidence = Evidence {
        bundle_merkle_root: "0".repeat(64),
        bundle_created_at: AT.into(),
        records,
        statuses: vec![status],
        ..Evidence::default()
    };
    let opts = Options {
        at: AT.into(),
        target_tier: Tier::Advanced,
        tool_version: "test".into(),
        threads: 1,
        waivers: vec![],
    };
    let report = assess(catalog, &evidence, &opts).expect("assess");
    let rule_report = report
        .controls
        .iter()
        .find(|c| c.id == control)
        .and_then(|c| c.items.iter().find(|i| i.id == rule.item))
        .and_then(|i| i.rules.iter().find(|r| r.id == rule.id))
        .unwrap_or_else(|| panic!("{control}/{}: not in the report", rule.id));
    (rule_report.result, rule_report.in_scope)
}

fn empty_state(e: EmptyResult) -> ResultState {
    match e {
        EmptyResult::NotApplicable => ResultState::NotApplicable,
        EmptyResult::NotSatisfied => ResultState::NotSatisfied,
        EmptyResult::NotEvaluated => ResultState::NotEvaluated,
    }
}

#[test]
fn every_rule_gives_the_result_its_examples_state() {
    let catalog = catalog();
    let dir = examples_dir();
    let base = read_json(&dir.join("_base.json"));
    let mut files: BTreeMap<String, Value> = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "_base.json" {
            continue;
        }
        let control = name
            .strip_suffix(".json")
            .unwrap_or_else(|| panic!("{name}: examples are `<control>.json` files"));
        files.insert(control.to_owned(), read_json(&path));
    }
    let mut problems = Vec::new();
    let mut checked = 0;
    for control in &catalog.controls {
        let examples = files.remove(&control.id).unwrap_or(Value::Null);
        let by_rule = examples.as_object().cloned().unwrap_or_default();
        for id in by_rule.keys() {
            if !control.rules.iter().any(|r| &r.id == id) {
                problems.push(format!(
                    "{}.json: `{id}` is not a rule of {}",
                    control.id, control.id
                ));
            }
        }
        for rule in &control.rules {
            let origin = format!("{}.json: {}", control.id, rule.id);
            let Some(cases) = by_rule.get(&rule.id).and_then(Value::as_object) else {
                problems.push(format!("{origin}: the rule has no examples"));
                continue;
            };
            for needed in ["satisfied", "not-satisfied"] {
                if !cases.contains_key(needed) {
                    problems.push(format!("{origin}: no `{needed}` example"));
                }
            }
            if rule.empty != EmptyResult::NotApplicable && !cases.contains_key("empty") {
                problems.push(format!(
                    "{origin}: `empty` is set, but there is no `empty` example"
                ));
            }
            for (key, list) in cases {
                let (expected, want_empty) = if key == "empty" {
                    (empty_state(rule.empty), true)
                } else {
                    let state = ResultState::parse(key)
                        .unwrap_or_else(|| panic!("{origin}: `{key}` is not a result state"));
                    (state, false)
                };
                let list = list
                    .as_array()
                    .unwrap_or_else(|| panic!("{origin}/{key}: a list of examples"));
                assert!(!list.is_empty(), "{origin}/{key}: no example in the list");
                for (i, example) in list.iter().enumerate() {
                    let patches: Vec<&Value> = match example {
                        Value::Array(many) => many.iter().collect(),
                        one => vec![one],
                    };
                    let at = format!("{origin}/{key}[{i}]");
                    let records = patches
                        .iter()
                        .enumerate()
                        .map(|(n, p)| record(&base, &rule.kind, p, n, &at))
                        .collect();
                    let (got, in_scope) = run(&catalog, &control.id, rule, records);
                    checked += 1;
                    if got != expected {
                        problems.push(format!(
                            "{at}: expected {}, the engine gave {}",
                            expected.as_str(),
                            got.as_str()
                        ));
                    }
                    if want_empty && in_scope != 0 {
                        problems.push(format!(
                            "{at}: an `empty` example has {in_scope} record(s) in scope"
                        ));
                    }
                }
            }
        }
    }
    for control in files.keys() {
        problems.push(format!(
            "{control}.json: no control `{control}` in the catalog"
        ));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(checked > 100, "only {checked} examples checked");
}
