//! OSCAL output validated against the official NIST OSCAL 1.1.2 JSON schemas, shipped unmodified
//! under `tests/schemas/oscal/` (source and SHA-256 in `tests/schemas/README.md`).

use std::sync::OnceLock;

use cloudcap_engine::{Report, ResultState};
use cloudcap_report::{Format, Lang, render};
use serde_json::Value;

use super::report;

const AR_SCHEMA: &str = include_str!("../schemas/oscal/oscal_assessment-results_schema.json");
const POAM_SCHEMA: &str = include_str!("../schemas/oscal/oscal_poam_schema.json");

/// Compile an official schema as published. OSCAL's draft-07 schemas use `\p{L}`-style Unicode
/// classes in their patterns, which the linear-time `regex` engine supports; formats (`date-time`,
/// `uri`, `uri-reference`, `email`, ...) are asserted, not merely annotated.
fn compile(text: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(text).expect("schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .with_pattern_options(jsonschema::PatternOptions::regex())
        .should_validate_formats(true)
        .build(&schema)
        .expect("the official OSCAL schema compiles unmodified")
}

fn validator(f: Format) -> &'static jsonschema::Validator {
    static AR: OnceLock<jsonschema::Validator> = OnceLock::new();
    static POAM: OnceLock<jsonschema::Validator> = OnceLock::new();
    match f {
        Format::OscalAr => AR.get_or_init(|| compile(AR_SCHEMA)),
        Format::OscalPoam => POAM.get_or_init(|| compile(POAM_SCHEMA)),
        other => panic!("no OSCAL schema for {other}"),
    }
}

pub(crate) fn errors(f: Format, doc: &Value) -> Vec<String> {
    validator(f)
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn rendered(rep: &Report, f: Format, lang: Lang) -> Value {
    serde_json::from_str(&render(rep, f, lang).unwrap()).unwrap()
}

fn assert_valid(rep: &Report, what: &str) {
    for f in [Format::OscalAr, Format::OscalPoam] {
        for lang in [Lang::En, Lang::Zh] {
            let doc = rendered(rep, f, lang);
            let errs = errors(f, &doc);
            assert!(
                errs.is_empty(),
                "{what}: {f} ({lang:?}) is invalid: {errs:#?}"
            );
        }
    }
}

#[test]
fn the_shipped_schemas_are_the_nist_oscal_1_1_2_release() {
    for (text, id) in [
        (
            AR_SCHEMA,
            "http://csrc.nist.gov/ns/oscal/1.1.2/oscal-ar-schema.json",
        ),
        (
            POAM_SCHEMA,
            "http://csrc.nist.gov/ns/oscal/1.1.2/oscal-poam-schema.json",
        ),
    ] {
        let v: Value = serde_json::from_str(text).unwrap();
        assert_eq!(v["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(v["$id"], id);
    }
}

#[test]
fn oscal_outputs_of_the_fixture_validate_against_the_official_schemas() {
    assert_valid(&report(), "fixture");
}

#[test]
fn oscal_outputs_without_a_scope_statement_or_boundary_validate() {
    let mut rep = report();
    rep.boundary.scope = None;
    assert_valid(&rep, "no scope statement");
    rep.boundary = Default::default();
    assert_valid(&rep, "empty boundary");
}

#[test]
fn oscal_outputs_with_no_failing_control_validate_against_the_official_schemas() {
    let mut rep = report();
    for c in &mut rep.controls {
        for r in c.results.values_mut() {
            r.result = ResultState::Satisfied;
        }
        for i in &mut c.items {
            for r in &mut i.rules {
                r.failed.clear();
            }
        }
    }
    let poam = rendered(&rep, Format::OscalPoam, Lang::En);
    assert_eq!(
        poam["plan-of-action-and-milestones"]["poam-items"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "the single 'nothing to rectify' item"
    );
    assert_valid(&rep, "nothing failing");
}

#[test]
fn the_oscal_schemas_reject_broken_documents() {
    // A missing required `uuid` is caught in both models.
    let mut ar = rendered(&report(), Format::OscalAr, Lang::En);
    ar["assessment-results"]
        .as_object_mut()
        .unwrap()
        .remove("uuid");
    let errs = errors(Format::OscalAr, &ar);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].contains("uuid"), "{errs:#?}");

    let mut poam = rendered(&report(), Format::OscalPoam, Lang::En);
    poam["plan-of-action-and-milestones"]
        .as_object_mut()
        .unwrap()
        .remove("uuid");
    let errs = errors(Format::OscalPoam, &poam);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].contains("uuid"), "{errs:#?}");

    // An empty `poam-items` (the model requires at least one) and a risk without its required
    // `status` are caught too.
    let mut poam = rendered(&report(), Format::OscalPoam, Lang::En);
    let body = &mut poam["plan-of-action-and-milestones"];
    body["poam-items"] = Value::Array(vec![]);
    body["risks"][0].as_object_mut().unwrap().remove("status");
    let errs = errors(Format::OscalPoam, &poam);
    for path in [
        "/plan-of-action-and-milestones/poam-items",
        "/plan-of-action-and-milestones/risks/0",
    ] {
        assert!(
            errs.iter().any(|e| e.ends_with(path)),
            "{path} not flagged: {errs:#?}"
        );
    }

    // So are a non-v4/v5 uuid (pattern), an empty array (minItems), an unknown property
    // (additionalProperties), a bad enumerated value, and a date-time without a zone (format
    // and pattern).
    let mut ar = rendered(&report(), Format::OscalAr, Lang::En);
    let res = &mut ar["assessment-results"]["results"][0];
    res["uuid"] = "not-a-uuid".into();
    res["findings"][0]["target"]["status"]["state"] = "maybe".into();
    res["observations"][0]["methods"] = Value::Array(vec![]);
    res["start"] = "2026-11-25T10:00:00".into();
    ar["assessment-results"]["surprise"] = true.into();
    let errs = errors(Format::OscalAr, &ar);
    for path in [
        "/assessment-results/results/0/uuid",
        "/assessment-results/results/0/findings/0/target/status/state",
        "/assessment-results/results/0/observations/0/methods",
        "/assessment-results/results/0/start",
        "surprise",
    ] {
        assert!(
            errs.iter().any(|e| e.contains(path)),
            "{path} not flagged: {errs:#?}"
        );
    }
}

#[test]
fn oscal_outputs_stay_valid_with_awkward_report_values() {
    // Padded or multi-line strings where OSCAL wants a `StringDatatype`, a blank one, and an
    // assessment time with an offset instead of `Z`.
    let mut rep = report();
    rep.assessed_at = "2026-11-25T08:00:00+08:00".into();
    rep.tool_version = "  ".into();
    rep.scoring_method = " weighted\nmean ".into();
    rep.controls[0].clause = String::new();
    rep.controls[1].clause = "8.11\t".into();
    assert_valid(&rep, "awkward values");
    let ar = rendered(&rep, Format::OscalAr, Lang::En);
    let md = &ar["assessment-results"]["metadata"];
    assert_eq!(
        md["last-modified"], "2026-11-25T00:00:00Z",
        "normalised to UTC"
    );
    assert_eq!(md["version"], "unknown");
    let scoring = md["props"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "scoring-method")
        .unwrap();
    assert_eq!(scoring["value"], "weighted mean");
}

#[test]
fn oscal_ar_rejects_an_unparsable_assessment_time() {
    let mut rep = report();
    rep.assessed_at = "yesterday".into();
    assert!(render(&rep, Format::OscalAr, Lang::En).is_err());
}
