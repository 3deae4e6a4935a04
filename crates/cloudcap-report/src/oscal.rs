//! OSCAL 1.1.2 assessment results and plan of action and milestones (POA&M).
//!
//! Identifiers are UUIDv5 under a fixed namespace, named from the report's identity (bundle
//! Merkle root, assessment time, catalog digest) and stable names, so the same report always
//! gives the same document. Arrays that would be empty are left out, as OSCAL requires.

use cloudcap_catalog::Method;
use cloudcap_engine::{ControlReport, Report, ResultState};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::Error;

pub(crate) const OSCAL_VERSION: &str = "1.1.2";
const NS: &str = "urn:cloudcap:oscal";
/// Days from the assessment to the POA&M deadline.
pub(crate) const DEADLINE_DAYS: i64 = 90;

/// The fixed UUIDv5 namespace of every cloudcap OSCAL identifier.
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:cloudcap:oscal")
}

struct Ids<'a> {
    report: &'a Report,
}

impl Ids<'_> {
    fn id(&self, name: &str) -> String {
        let r = self.report;
        let full = format!(
            "{}|{}|{}|{name}",
            r.merkle_roots(),
            r.assessed_at,
            r.catalog.digest
        );
        Uuid::new_v5(&namespace(), full.as_bytes()).to_string()
    }
}

/// Drop empty arrays and objects (recursively); OSCAL forbids empty arrays.
fn prune(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let v = prune(v);
                let empty = matches!(&v, Value::Array(a) if a.is_empty())
                    || matches!(&v, Value::Object(o) if o.is_empty());
                if !empty {
                    out.insert(k, v);
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(prune).collect()),
        other => other,
    }
}

fn method(m: Method) -> &'static str {
    match m {
        Method::Interview => "INTERVIEW",
        Method::Test => "TEST",
        Method::Examine => "EXAMINE",
    }
}

/// A value fit for OSCAL's `StringDatatype` (`^\S(.*\S)?$`): whitespace runs, line breaks
/// included, collapse to one space; `None` when nothing is left.
fn oscal_string(s: &str) -> Option<String> {
    let v = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!v.is_empty()).then_some(v)
}

/// Properties from name/value pairs; a pair whose value is blank is left out (a property's
/// value must be a non-empty `StringDatatype`).
fn props(pairs: &[(&str, &str)]) -> Vec<Value> {
    pairs
        .iter()
        .filter_map(|(name, value)| {
            oscal_string(value).map(|v| json!({ "name": name, "ns": NS, "value": v }))
        })
        .collect()
}

/// `assessed_at` as an OSCAL `DateTimeWithTimezoneDatatype` (RFC 3339, UTC).
fn assessed_at(report: &Report) -> Result<String, Error> {
    report
        .assessed_at
        .parse::<jiff::Timestamp>()
        .map(|t| t.to_string())
        .map_err(|_| Error::BadTime(report.assessed_at.clone()))
}

fn metadata(report: &Report, at: &str, title: &str, extra: Value) -> Value {
    let b = crate::boundary::counts(&report.boundary);
    let n = |x: usize| x.to_string();
    let scope_sha = report
        .boundary
        .scope
        .as_ref()
        .map_or(String::new(), |s| s.sha256.clone());
    let mut m = json!({
        "title": title,
        "last-modified": at,
        "version": oscal_string(&report.tool_version).unwrap_or_else(|| "unknown".into()),
        "oscal-version": OSCAL_VERSION,
        "props": props(&[
            ("standard", &report.catalog.standard),
            ("assessment-method", &report.catalog.assessment_method),
            ("catalog-digest", &report.catalog.digest),
            ("bundle-merkle-root", &report.merkle_roots()),
            ("scoring-method", &report.scoring_method),
            ("target-tier", report.target_tier.as_str()),
            ("score-bp", &report.summary.overall.score_bp.to_string()),
            ("coverage-bp", &report.summary.overall.coverage_bp.to_string()),
            ("boundary-accounts", &n(b.accounts)),
            ("boundary-regions-listed", &n(b.regions_listed)),
            ("boundary-regions-collected", &n(b.regions_collected)),
            ("boundary-failed-scopes", &n(b.failed_scopes)),
            ("boundary-kinds-not-collected", &n(b.kinds_not_collected)),
            ("scope-statement", if b.scope_statement { "recorded" } else { "not-recorded" }),
            ("scope-statement-sha256", &scope_sha),
        ]),
    });
    if let (Value::Object(m), Value::Object(e)) = (&mut m, extra) {
        m.extend(e);
    }
    m
}

/// Every evidence hash the report cites, as back-matter resources (sorted, unique).
fn evidence_hashes(report: &Report) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    for c in &report.controls {
        for i in &c.items {
            for r in &i.rules {
                v.push((
                    r.evidence_set_sha256.clone(),
                    format!("evidence set of rule {}/{}", c.id, r.id),
                ));
                for f in &r.failed {
                    v.push((f.evidence.clone(), format!("record of {}", f.resource_id)));
                }
                for n in &r.not_reported {
                    v.push((n.evidence.clone(), format!("record of {}", n.resource_id)));
                }
                for e in &r.errors {
                    v.push((e.evidence.clone(), format!("record of {}", e.resource_id)));
                }
            }
        }
    }
    for a in &report.attestations {
        v.push((
            a.sha256.clone(),
            format!("attestation by {} ({})", a.assessor, a.method),
        ));
    }
    v.retain(|(h, _)| !h.is_empty());
    v.sort();
    v.dedup_by(|a, b| a.0 == b.0);
    v
}

fn back_matter(ids: &Ids<'_>, report: &Report) -> Value {
    let resources: Vec<Value> = evidence_hashes(report)
        .into_iter()
        .map(|(h, title)| {
            json!({
                "uuid": ids.id(&format!("evidence/{h}")),
                "title": title,
                "rlinks": [{ "href": format!("urn:sha256:{h}"), "hashes": [{ "algorithm": "SHA-256", "value": h }] }],
            })
        })
        .collect();
    json!({ "resources": resources })
}

fn evidence_ref(ids: &Ids<'_>, hash: &str, description: &str) -> Value {
    json!({ "href": format!("#{}", ids.id(&format!("evidence/{hash}"))), "description": description })
}

/// One observation per control, with its evidence hashes as `relevant-evidence`.
fn observation(ids: &Ids<'_>, report: &Report, at: &str, c: &ControlReport) -> Option<Value> {
    let r = c.results.get(&report.target_tier)?;
    let mut methods: Vec<&str> = c.methods.iter().map(|&m| method(m)).collect();
    methods.sort();
    methods.dedup();
    let mut evidence = Vec::new();
    // The provider's items only: the customer's are observations of their own (`customer_part`).
    for i in c
        .items
        .iter()
        .filter(|i| i.tier <= report.target_tier && i.responsibility.scores_provider())
    {
        item_evidence(ids, i, &mut evidence);
    }
    Some(json!({
        "uuid": ids.id(&format!("observation/{}", c.id)),
        "title": format!("{} {}", c.id, c.title.en),
        "description": format!("{}: {}", r.result, crate::text::control_reason(r, crate::Lang::En)),
        "props": props(&[("result", r.result.as_str()), ("clause", &c.clause)]),
        "methods": methods,
        "types": ["control-objective"],
        "collected": at,
        "relevant-evidence": evidence,
    }))
}

/// The customer's part: one observation per customer item at the target tier, marked
/// `responsibility = customer`, with no finding (it is not the provider's result).
fn customer_part(ids: &Ids<'_>, report: &Report, at: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for c in &report.controls {
        for i in c
            .items
            .iter()
            .filter(|i| i.tier <= report.target_tier && !i.responsibility.scores_provider())
        {
            let mut methods: Vec<&str> = c.methods.iter().map(|&m| method(m)).collect();
            methods.sort();
            methods.dedup();
            let mut evidence = Vec::new();
            item_evidence(ids, i, &mut evidence);
            out.push(json!({
                "uuid": ids.id(&format!("observation/customer/{}/{}", c.id, i.id)),
                "title": format!("The customer's part: {} {} item {}", c.id, c.title.en, i.id),
                "description": format!("{}: {}", i.result, crate::text::item_reason(i, crate::Lang::En)),
                "props": props(&[
                    ("result", i.result.as_str()),
                    ("clause", &c.clause),
                    ("item", &i.id),
                    ("responsibility", i.responsibility.as_str()),
                ]),
                "methods": methods,
                "types": ["control-objective"],
                "collected": at,
                "relevant-evidence": evidence,
            }));
        }
    }
    out
}

/// The evidence behind one item: rule evidence sets, failing, unreported and unevaluable
/// records, and the attestation that decided it.
fn item_evidence(ids: &Ids<'_>, i: &cloudcap_engine::ItemReport, evidence: &mut Vec<Value>) {
    {
        for rule in &i.rules {
            if !rule.evidence_set_sha256.is_empty() {
                evidence.push(evidence_ref(
                    ids,
                    &rule.evidence_set_sha256,
                    &format!(
                        "rule {}: {} ({} of {} in scope passed)",
                        rule.id, rule.result, rule.passed, rule.in_scope
                    ),
                ));
            }
            for f in &rule.failed {
                evidence.push(evidence_ref(
                    ids,
                    &f.evidence,
                    &format!(
                        "{} fails rule {} ({}/{}/{})",
                        f.resource_id, rule.id, f.provider, f.account, f.region
                    ),
                ));
            }
            for n in &rule.not_reported {
                evidence.push(evidence_ref(
                    ids,
                    &n.evidence,
                    &format!(
                        "{} does not report field {} read by rule {} ({}/{}/{}): needs an interview, examine or test record",
                        n.resource_id, n.field, rule.id, n.provider, n.account, n.region
                    ),
                ));
            }
            for e in &rule.errors {
                evidence.push(evidence_ref(
                    ids,
                    &e.evidence,
                    &format!(
                        "{} could not be evaluated by rule {}",
                        e.resource_id, rule.id
                    ),
                ));
            }
        }
        if let Some(a) = &i.attestation {
            evidence.push(evidence_ref(
                ids,
                a,
                &format!("attestation deciding item {}", i.id),
            ));
        }
    }
}

fn finding(ids: &Ids<'_>, report: &Report, c: &ControlReport) -> Option<Value> {
    let r = c.results.get(&report.target_tier)?;
    let state = if r.result == ResultState::Satisfied {
        "satisfied"
    } else {
        "not-satisfied"
    };
    Some(json!({
        "uuid": ids.id(&format!("finding/{}", c.id)),
        "title": format!("{} {}", c.id, c.title.en),
        "description": format!("{}: {}", r.result, crate::text::control_reason(r, crate::Lang::En)),
        "props": props(&[("result", r.result.as_str())]),
        "target": {
            "type": "objective-id",
            "target-id": c.id.to_lowercase(),
            "status": { "state": state, "reason": r.result.as_str() },
        },
        "related-observations": [{ "observation-uuid": ids.id(&format!("observation/{}", c.id)) }],
    }))
}

fn finish(doc: Value) -> Result<String, Error> {
    let mut s = serde_json::to_string_pretty(&prune(doc)).map_err(Error::Json)?;
    s.push('\n');
    Ok(s)
}

pub(crate) fn assessment_results(report: &Report) -> Result<String, Error> {
    let ids = Ids { report };
    let at = assessed_at(report)?;
    let include: Vec<Value> = report
        .controls
        .iter()
        .filter(|c| c.results.contains_key(&report.target_tier))
        .map(|c| json!({ "control-id": c.id.to_lowercase() }))
        .collect();
    let mut observations: Vec<Value> = report
        .controls
        .iter()
        .filter_map(|c| observation(&ids, report, &at, c))
        .collect();
    observations.extend(customer_part(&ids, report, &at));
    let findings: Vec<Value> = report
        .controls
        .iter()
        .filter_map(|c| finding(&ids, report, c))
        .collect();
    let doc = json!({
        "assessment-results": {
            "uuid": ids.id("assessment-results"),
            "metadata": metadata(report, &at, &format!("cloudcap assessment results: {}", report.catalog.standard), json!({})),
            "import-ap": { "href": format!("#{}", ids.id("assessment-plan")) },
            "results": [{
                "uuid": ids.id("result"),
                "title": format!("Assessment at tier {}", report.target_tier.as_str()),
                "description": format!(
                    "Score {} bp, coverage {} bp, tier achieved {}. The customer's part ({} item(s) the customer implements) is reported apart, as observations with responsibility = customer, and is not in the score.",
                    report.summary.overall.score_bp,
                    report.summary.overall.coverage_bp,
                    report.summary.tier_achieved.map_or("none", |t| t.as_str()),
                    report.customer_part.items.len()
                ),
                "start": at,
                "end": at,
                "reviewed-controls": { "control-selections": [{ "include-controls": include }] },
                "observations": observations,
                "findings": findings,
            }],
            "back-matter": back_matter_with_plan(&ids, report),
        }
    });
    finish(doc)
}

/// The back matter plus a resource standing for the (implicit) assessment plan, which
/// `import-ap` must reference: the catalog and target tier the engine assessed against.
fn back_matter_with_plan(ids: &Ids<'_>, report: &Report) -> Value {
    let mut bm = back_matter(ids, report);
    let plan = json!({
        "uuid": ids.id("assessment-plan"),
        "title": format!("Implicit assessment plan: {} catalog {} at tier {}", report.catalog.standard, report.catalog.version, report.target_tier.as_str()),
        "rlinks": [{ "href": format!("urn:sha256:{}", report.catalog.digest), "hashes": [{ "algorithm": "SHA-256", "value": report.catalog.digest }] }],
    });
    if let Some(Value::Array(r)) = bm.get_mut("resources") {
        r.insert(0, plan);
    }
    bm
}

/// `assessed_at` plus `days`, as RFC 3339 UTC.
pub(crate) fn add_days(at: &str, days: i64) -> Option<String> {
    let ts: jiff::Timestamp = at.parse().ok()?;
    let later = ts
        .checked_add(jiff::SignedDuration::from_hours(days * 24))
        .ok()?;
    Some(later.to_string())
}

/// What a plan file says of a control's items at the target tier: its owners (sorted, once
/// each), the earliest due date as the end of that day in UTC, and the OSCAL risk status
/// (`remediating` once an item is in progress or done, else `open`).
fn plan_of(
    report: &Report,
    c: &ControlReport,
    plan: &crate::Plan,
) -> (Vec<String>, Option<String>, &'static str) {
    // The control's items in the rectification plan (a satisfied item's entry is history).
    let entries: Vec<&crate::PlanEntry> = crate::document::plan_items(report)
        .iter()
        .filter(|p| p.control.id == c.id && p.item.tier <= report.target_tier)
        .filter_map(|p| plan.entry(&c.id, &p.item.id))
        .collect();
    let owners: std::collections::BTreeSet<String> =
        entries.iter().filter_map(|e| e.owner.clone()).collect();
    let due = entries.iter().filter_map(|e| e.due.as_deref()).min();
    let started = entries.iter().any(|e| {
        matches!(
            e.status,
            Some(crate::PlanStatus::InProgress | crate::PlanStatus::Done)
        )
    });
    (
        owners.into_iter().collect(),
        due.map(|d| format!("{d}T23:59:59Z")),
        if started { "remediating" } else { "open" },
    )
}

pub(crate) fn poam(report: &Report, plan: &crate::Plan) -> Result<String, Error> {
    let ids = Ids { report };
    let at = assessed_at(report)?;
    let default_deadline = add_days(&report.assessed_at, DEADLINE_DAYS)
        .ok_or_else(|| Error::BadTime(report.assessed_at.clone()))?;
    let failing: Vec<&ControlReport> = report
        .controls
        .iter()
        .filter(|c| {
            matches!(
                c.result_at(report.target_tier),
                Some(ResultState::NotSatisfied | ResultState::PartiallySatisfied)
            )
        })
        .collect();
    let unassigned = ids.id("party/unassigned");
    let mut parties = std::collections::BTreeMap::new();
    if plan.is_empty() {
        parties.insert("unassigned".to_owned(), unassigned.clone());
    }
    let milestones = [
        (30, "Rectification plan agreed"),
        (75, "Fix deployed"),
        (DEADLINE_DAYS, "Re-assessment passed"),
    ];
    let mut observations = Vec::new();
    let mut findings = Vec::new();
    let mut risks = Vec::new();
    let mut items = Vec::new();
    for c in &failing {
        let r = &c.results[&report.target_tier];
        let (owners, due, status) = plan_of(report, c, plan);
        let planned = due.is_some();
        let deadline = due.unwrap_or_else(|| default_deadline.clone());
        let owner_ids: Vec<String> = if owners.is_empty() {
            parties.insert("unassigned".to_owned(), unassigned.clone());
            vec![unassigned.clone()]
        } else {
            owners
                .iter()
                .map(|o| {
                    let id = ids.id(&format!("party/{o}"));
                    parties.insert(o.clone(), id.clone());
                    id
                })
                .collect()
        };
        let owner_names = if owners.is_empty() {
            "unassigned".to_owned()
        } else {
            owners.join(", ")
        };
        observations.extend(observation(&ids, report, &at, c));
        findings.extend(finding(&ids, report, c));
        let risk = ids.id(&format!("risk/{}", c.id));
        // The plan file's due date, where it gives one; else milestones counted from the
        // assessment.
        let tasks: Vec<Value> = if planned {
            vec![json!({
                "uuid": ids.id(&format!("milestone/{}/due", c.id)),
                "type": "milestone",
                "title": "Fix deployed (the plan's due date)",
                "timing": { "on-date": { "date": deadline } },
                "responsible-roles": [{ "role-id": "remediation-owner", "party-uuids": owner_ids }],
            })]
        } else {
            milestones
                .iter()
                .filter_map(|(d, t)| {
                    Some(json!({
                        "uuid": ids.id(&format!("milestone/{}/{d}", c.id)),
                        "type": "milestone",
                        "title": t,
                        "timing": { "on-date": { "date": add_days(&report.assessed_at, *d)? } },
                        "responsible-roles": [{ "role-id": "remediation-owner", "party-uuids": owner_ids }],
                    }))
                })
                .collect()
        };
        let failing_resources: Vec<String> = c
            .items
            .iter()
            .filter(|i| i.tier <= report.target_tier)
            .flat_map(|i| {
                i.rules
                    .iter()
                    .flat_map(|r| r.failed.iter().map(|f| f.resource_id.clone()))
            })
            .collect();
        let why = crate::text::control_reason(r, crate::Lang::En);
        let statement = if failing_resources.is_empty() {
            why.clone()
        } else {
            format!("{why}; failing resources: {}", failing_resources.join(", "))
        };
        risks.push(json!({
            "uuid": risk,
            "title": format!("{} {}", c.id, c.title.en),
            "description": format!("Control {} ({}) is {} at tier {}.", c.id, c.clause, r.result, report.target_tier.as_str()),
            "statement": statement,
            "props": props(&[("weight", &c.weight.to_string()), ("key-control", if c.key { "true" } else { "false" })]),
            "status": status,
            "deadline": deadline,
            "remediations": [{
                "uuid": ids.id(&format!("remediation/{}", c.id)),
                "lifecycle": "planned",
                "title": format!("Rectify {}", c.id),
                "description": match &c.remediation {
                    Some(r) => format!("{} Then bring {} {} to satisfied and re-assess.", r.en, c.id, c.title.en),
                    None => format!("Bring {} {} to satisfied and re-assess.", c.id, c.title.en),
                },
                "tasks": tasks,
            }],
            "related-observations": [{ "observation-uuid": ids.id(&format!("observation/{}", c.id)) }],
        }));
        items.push(json!({
            "uuid": ids.id(&format!("poam-item/{}", c.id)),
            "title": format!("Rectify {} {}", c.id, c.title.en),
            "description": format!("{}: {why}. Owner: {owner_names}. Deadline: {deadline}.", r.result),
            "props": props(&[("owner", &owner_names), ("deadline", &deadline), ("result", r.result.as_str())]),
            "related-findings": [{ "finding-uuid": ids.id(&format!("finding/{}", c.id)) }],
            "related-observations": [{ "observation-uuid": ids.id(&format!("observation/{}", c.id)) }],
            "related-risks": [{ "risk-uuid": risk }],
        }));
    }
    let extra = json!({
        "roles": [{ "id": "remediation-owner", "title": "Remediation owner" }],
        "parties": parties
            .iter()
            .map(|(name, id)| json!({ "uuid": id, "type": "organization", "name": name }))
            .collect::<Vec<_>>(),
    });
    let mut body = json!({
        "uuid": ids.id("poam"),
        "metadata": metadata(report, &at, &format!("cloudcap plan of action and milestones: {}", report.catalog.standard), extra),
        "system-id": { "identifier-type": "https://ietf.org/rfc/rfc4122", "id": ids.id("system") },
        "observations": observations,
        "risks": risks,
        "findings": findings,
        "back-matter": back_matter(&ids, report),
    });
    // `poam-items` is required and must not be empty: with nothing to rectify, say so.
    if items.is_empty() {
        items.push(json!({
            "uuid": ids.id("poam-item/none"),
            "title": "No rectification needed",
            "description": format!("No control is not-satisfied or partially-satisfied at tier {}.", report.target_tier.as_str()),
        }));
    }
    body["poam-items"] = Value::Array(items);
    finish(json!({ "plan-of-action-and-milestones": body }))
}
