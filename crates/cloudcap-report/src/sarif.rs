//! SARIF 2.1.0: one result per failing resource at the report's target tier; the rule is the
//! control, the location a logical location naming the resource, and the evidence hash a property.

use cloudcap_engine::{Reason, Report, ResultState};
use serde_json::{Value, json};

use crate::text::{l, result, text};
use crate::{Error, Lang};

fn level(r: ResultState) -> &'static str {
    match r {
        ResultState::NotSatisfied => "error",
        ResultState::PartiallySatisfied => "warning",
        _ => "note",
    }
}

/// The assessment boundary in numbers (`docs/scoring.md` §10); the report holds the detail.
fn boundary(report: &Report) -> Value {
    let b = crate::boundary::counts(&report.boundary);
    let mut v = json!({
        "accounts": b.accounts,
        "accounts_not_in_scope_statement": b.accounts_not_in_scope_statement,
        "regions_listed": b.regions_listed,
        "regions_collected": b.regions_collected,
        "failed_scopes": b.failed_scopes,
        "kinds_not_collected": b.kinds_not_collected,
        "kinds_not_collected_list": report.boundary.kinds_not_collected,
        "scope_statement": b.scope_statement,
    });
    if let Some(s) = &report.boundary.scope {
        v["scope_statement_sha256"] = s.sha256.clone().into();
    }
    v
}

pub(crate) fn render(report: &Report, lang: Lang) -> Result<String, Error> {
    let t = report.target_tier;
    let rules: Vec<Value> = report
        .controls
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.id,
                "shortDescription": { "text": text(&c.title, lang) },
                "fullDescription": { "text": format!("{} {} ({})", c.clause, text(&c.title, lang), report.catalog.standard) },
                "properties": {
                    "family": c.family,
                    "clause": c.clause,
                    "weight": c.weight,
                    "key": c.key,
                    "min_tier": c.min_tier.as_str(),
                    "methods": c.methods,
                },
            })
        })
        .collect();

    let mut results = Vec::new();
    for (index, c) in report.controls.iter().enumerate() {
        let cr = c.results.get(&t);
        for i in c.items.iter().filter(|i| i.tier <= t) {
            // A provider or shared item's failures carry the control's level; a customer item's
            // are notes of the customer's part (not in the provider's score).
            let customer = !i.responsibility.scores_provider();
            let (lvl, outcome) = match (customer, cr) {
                (true, _) => (
                    "note",
                    match lang {
                        Lang::En => format!(
                            "the customer's part, item result: {}",
                            result(i.result, lang)
                        ),
                        Lang::Zh => format!("客户责任部分，测评项结果：{}", result(i.result, lang)),
                    },
                ),
                (false, Some(cr)) => (
                    level(cr.result),
                    match lang {
                        Lang::En => format!("control result: {}", result(cr.result, lang)),
                        Lang::Zh => format!("控制项结果：{}", result(cr.result, lang)),
                    },
                ),
                (false, None) => continue,
            };
            for r in &i.rules {
                for f in &r.failed {
                    let fqn = format!(
                        "{}/{}/{}/{}",
                        f.provider, f.account, f.region, f.resource_id
                    );
                    // What a failing resource means, in the rule's own words.
                    let why = match &r.reason {
                        Reason::ResourcesFail { message, .. } => text(message, lang).to_owned(),
                        other => crate::text::reason(other, lang),
                    };
                    let colon = l(lang, ": ", "：");
                    let text = match lang {
                        Lang::En => format!(
                            "{} {}: {} fails rule {}{colon}{why} ({outcome})",
                            c.id,
                            text(&c.title, lang),
                            f.resource_id,
                            r.id,
                        ),
                        Lang::Zh => format!(
                            "{} {}：{} 不符合规则 {}{colon}{why}（{outcome}）",
                            c.id,
                            text(&c.title, lang),
                            f.resource_id,
                            r.id,
                        ),
                    };
                    let mut result = json!({
                        "ruleId": c.id,
                        "ruleIndex": index,
                        "level": lvl,
                        "message": { "text": text },
                        "locations": [{
                            "logicalLocations": [{
                                "name": f.resource_id,
                                "fullyQualifiedName": fqn,
                                "kind": "resource",
                            }],
                        }],
                        "partialFingerprints": { "cloudcapResource/v1": format!("{}/{}/{}", c.id, r.id, fqn) },
                        "properties": {
                            "item": i.id,
                            "responsibility": i.responsibility.as_str(),
                            "rule": r.id,
                            "provider": f.provider,
                            "account": f.account,
                            "region": f.region,
                            "evidence_sha256": f.evidence,
                            "evidence_set_sha256": r.evidence_set_sha256,
                            "reason_code": r.reason.code(),
                        },
                    });
                    if let Some(w) = &f.accepted_by {
                        result["properties"]["accepted_by_waiver"] = w.clone().into();
                    }
                    results.push(result);
                }
            }
        }
    }

    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "cloudcap",
                    "version": report.tool_version,
                    "rules": rules,
                },
            },
            "automationDetails": { "id": format!("cloudcap/{}/{}", t.as_str(), report.assessed_at) },
            "results": results,
            "properties": {
                "catalog_digest": report.catalog.digest,
                "bundle_merkle_root": report.merkle_roots(),
                "target_tier": t.as_str(),
                "score_bp": report.summary.overall.score_bp,
                "coverage_bp": report.summary.overall.coverage_bp,
                "boundary": boundary(report),
                "customer_part": {
                    "items": report.customer_part.items.len(),
                    "counts": report.customer_part.counts,
                },
            },
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).map_err(Error::Json)?;
    s.push('\n');
    Ok(s)
}
