//! Renderer tests over a fixed synthetic report (`tests/fixtures/report.json`).

// Tests may read the environment and the clock and print (clippy.toml's rules are for the
// library code).
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

use cloudcap_catalog::Tier;
use cloudcap_engine::{Report, ResultState};
use cloudcap_report::{Change, Format, Lang, diff, render, render_diff};

mod oscal_schema;
mod plan;
mod zh;

const FIXTURE: &str = include_str!("../fixtures/report.json");

fn report() -> Report {
    serde_json::from_str(FIXTURE).expect("fixture is a valid report")
}

fn r(format: Format, lang: Lang) -> String {
    render(&report(), format, lang).unwrap()
}

#[test]
fn json_is_the_report_model_byte_for_byte() {
    let out = r(Format::Json, Lang::En);
    assert_eq!(out, FIXTURE);
    assert!(out.ends_with("}\n"));
    let back: Report = serde_json::from_str(&out).unwrap();
    assert_eq!(back, report());
}

#[test]
fn table_en_snapshot() {
    let out = r(Format::Table, Lang::En);
    assert!(out.contains("37.50%"), "{out}");
    assert!(
        out.contains("key control AC-8.10 User identification and authentication: not-satisfied")
    );
    insta::assert_snapshot!("table_en", out);
}

#[test]
fn table_zh_snapshot() {
    let out = r(Format::Table, Lang::Zh);
    for zh in [
        "得分",
        "覆盖率",
        "达到级别",
        "访问控制",
        "不符合",
        "未评估",
        "关键控制项 AC-8.10 用户身份鉴别",
        "基本级",
    ] {
        assert!(out.contains(zh), "missing {zh}:\n{out}");
    }
    assert!(
        !out.contains("User identification"),
        "English title leaked:\n{out}"
    );
    insta::assert_snapshot!("table_zh", out);
}

#[test]
fn table_says_when_every_tier_is_reached() {
    let mut rep = report();
    for t in &mut rep.summary.tiers {
        t.reached = true;
        t.blockers.clear();
    }
    rep.summary.tier_achieved = Some(Tier::Advanced);
    let out = render(&rep, Format::Table, Lang::En).unwrap();
    assert!(out.contains("Every tier is reached."));
}

#[test]
fn markdown_en_snapshot() {
    let out = r(Format::Markdown, Lang::En);
    for s in [
        "## 1. Assessment boundary",
        "## 2. Summary",
        "#### AC-8.10 User identification and authentication",
        // failing resource with its evidence hash
        &format!(
            "| user/alice | aws / 123456789012 / cn-north-1 | `{}` |",
            "a".repeat(64)
        ),
        // rules' evidence-set hash
        &format!("`{}` (2)", "b".repeat(64)),
        // assessor record
        "| b | Li Wei (评估师) | interview | 2026-11-20 | satisfied | applied |",
        // waivers, and a failure whose risk a waiver accepts
        "| W-002 | accept-risk | * / * / * | expired | 0 | Wang Fang | SEC-17 | high |",
        "sg-0abc (risk accepted by waiver W-001)",
        // escaping of a pipe and angle brackets in a title
        "Session lock & &lt;timeout&gt; \\| idle",
    ] {
        assert!(out.contains(s), "missing {s}:\n{out}");
    }
    insta::assert_snapshot!("markdown_en", out);
}

#[test]
fn markdown_zh_snapshot() {
    let out = r(Format::Markdown, Lang::Zh);
    for s in [
        "# 云计算服务安全能力评估报告",
        "## 1. 评估边界",
        "## 4. 各条款评估结果",
        "测评人员记录",
        "访谈",
        "不符合的资源",
    ] {
        assert!(out.contains(s), "missing {s}:\n{out}");
    }
    insta::assert_snapshot!("markdown_zh", out);
}

/// The HTML report of the fixture, pinned byte for byte (with the Markdown snapshots, these hold
/// the document model's writers to their output).
#[test]
fn html_en_snapshot() {
    insta::assert_snapshot!("html_en", r(Format::Html, Lang::En));
}

#[test]
fn html_zh_snapshot() {
    insta::assert_snapshot!("html_zh", r(Format::Html, Lang::Zh));
}

#[test]
fn output_is_byte_stable() {
    let plan = cloudcap_report::Plan::default();
    for &f in Format::ALL {
        for l in [Lang::En, Lang::Zh] {
            let once = |_| cloudcap_report::render_bytes(&report(), f, l, &plan).unwrap();
            assert_eq!(once(1), once(2), "{f} {l:?}");
        }
    }
}

#[test]
fn format_and_lang_names_round_trip() {
    for &f in Format::ALL {
        assert_eq!(Format::parse(f.as_str()), Some(f));
    }
    assert_eq!(Lang::parse("zh"), Some(Lang::Zh));
    assert_eq!(Lang::parse("fr"), None);
}

mod junit {
    use super::*;

    /// Required attributes per element in the Apache Ant JUnit XSD (JUnit.xsd as used by Jenkins).
    const REQUIRED: &[(&str, &[&str])] = &[
        (
            "testsuite",
            &[
                "name",
                "timestamp",
                "hostname",
                "tests",
                "failures",
                "errors",
                "time",
                "package",
                "id",
            ],
        ),
        ("property", &["name", "value"]),
        ("testcase", &["name", "classname", "time"]),
        ("failure", &["type"]),
        ("error", &["type"]),
    ];

    #[test]
    fn junit_is_well_formed_and_has_the_xsd_required_structure() {
        let xml = r(Format::Junit, Lang::En);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        for node in root.descendants().filter(|n| n.is_element()) {
            if let Some((_, attrs)) = REQUIRED.iter().find(|(e, _)| *e == node.tag_name().name()) {
                for a in *attrs {
                    assert!(
                        node.attribute(*a).is_some(),
                        "<{}> lacks required `{a}`",
                        node.tag_name().name()
                    );
                }
            }
        }
        for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
            let kids: Vec<_> = suite
                .children()
                .filter(|n| n.is_element())
                .map(|n| n.tag_name().name())
                .collect();
            assert_eq!(kids.first(), Some(&"properties"), "properties comes first");
            assert_eq!(&kids[kids.len() - 2..], ["system-out", "system-err"]);
            let ts = suite.attribute("timestamp").unwrap();
            assert_eq!(ts.len(), 19, "XSD timestamp has no zone: {ts}");
            let cases: Vec<_> = suite
                .children()
                .filter(|n| n.has_tag_name("testcase"))
                .collect();
            assert_eq!(suite.attribute("tests").unwrap(), cases.len().to_string());
            let with = |tag: &str| {
                cases
                    .iter()
                    .filter(|c| c.children().any(|k| k.has_tag_name(tag)))
                    .count()
                    .to_string()
            };
            assert_eq!(suite.attribute("failures").unwrap(), with("failure"));
            assert_eq!(suite.attribute("errors").unwrap(), with("error"));
            assert_eq!(suite.attribute("skipped").unwrap(), with("skipped"));
        }
    }

    #[test]
    fn junit_one_case_per_control_with_results_visible() {
        let xml = r(Format::Junit, Lang::En);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let cases: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        // One per control of the provider's, and one per customer item (skipped, in their suite).
        assert_eq!(cases.len(), 6);
        let customer = cases
            .iter()
            .find(|c| c.attribute("classname") == Some("cloudcap.customer-part"))
            .unwrap();
        assert!(
            customer
                .attribute("name")
                .unwrap()
                .starts_with("AC-8.11 c ")
        );
        let skipped = customer.children().find(|n| n.is_element()).unwrap();
        assert_eq!(skipped.tag_name().name(), "skipped");
        assert!(
            skipped
                .attribute("message")
                .unwrap()
                .starts_with("The customer's part: not-satisfied: "),
            "{skipped:?}"
        );
        let case = |id: &str| {
            *cases
                .iter()
                .find(|c| c.attribute("name").unwrap().starts_with(id))
                .unwrap()
        };
        let child = |id: &str| {
            case(id).children().find(|n| n.is_element()).map(|n| {
                (
                    n.tag_name().name().to_string(),
                    n.attribute("type").map(str::to_string),
                )
            })
        };
        assert_eq!(
            child("AC-8.10"),
            Some(("failure".into(), Some("not-satisfied".into())))
        );
        assert_eq!(
            child("AC-8.11"),
            Some(("failure".into(), Some("partially-satisfied".into())))
        );
        assert_eq!(
            child("AU-9.2"),
            Some(("error".into(), Some("not-evaluated".into())))
        );
        assert_eq!(child("AU-9.3"), None);
        assert_eq!(child("AU-9.4"), Some(("skipped".into(), None)));
        // Escaping survives a real parser.
        assert_eq!(
            case("AC-8.11").attribute("name"),
            Some("AC-8.11 Session lock & <timeout> | idle")
        );
        let failure = case("AC-8.10")
            .children()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert!(
            failure.text().unwrap().contains(&"a".repeat(64)),
            "evidence hash in failure body"
        );
    }

    #[test]
    fn junit_states_the_boundary_and_the_records_behind_a_result() {
        let xml = r(Format::Junit, Lang::Zh);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let suite = doc
            .descendants()
            .find(|n| n.has_tag_name("testsuite"))
            .unwrap();
        let prop = |name: &str| {
            suite
                .descendants()
                .find(|n| n.has_tag_name("property") && n.attribute("name") == Some(name))
                .and_then(|n| n.attribute("value"))
                .map(str::to_string)
        };
        assert_eq!(prop("boundary.accounts").as_deref(), Some("3"));
        assert_eq!(prop("boundary.regions_listed").as_deref(), Some("6"));
        assert_eq!(prop("boundary.regions_collected").as_deref(), Some("4"));
        assert_eq!(prop("boundary.kinds_not_collected").as_deref(), Some("2"));
        assert_eq!(prop("boundary.scope_statement").as_deref(), Some("true"));
        let failure = doc
            .descendants()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert_eq!(
            failure.attribute("message"),
            Some("不符合：测评项 a：2 个资源中有 1 个不符合：控制台用户未启用多因素认证")
        );
        let body = failure.text().unwrap();
        for s in [
            "a [基本级] 不符合：mfa-on-console-users：",
            "user/alice aws/123456789012/cn-north-1 不符合 sha256:",
            &format!(
                "user/bob aws/123456789012/global 未报告字段：`mfa_enabled` sha256:{}",
                "4".repeat(64)
            ),
            "aws/123456789012/global 证据不完整：请求被限流",
        ] {
            assert!(body.contains(s), "missing {s} in {body}");
        }
        let mut rep = report();
        rep.boundary.scope = None;
        let xml = render(&rep, Format::Junit, Lang::En).unwrap();
        assert!(xml.contains("<property name=\"boundary.scope_statement\" value=\"false\"/>"));
        assert!(!xml.contains("boundary.scope_statement_sha256"));
    }

    #[test]
    fn junit_escapes_control_characters_and_markup() {
        let mut rep = report();
        rep.controls[0].title.en = "a\u{1}b ]]> \"q\" 'x' &amp;".into();
        let xml = render(&rep, Format::Junit, Lang::En).unwrap();
        let doc = roxmltree::Document::parse(&xml).expect("still well-formed");
        let name = doc
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .unwrap()
            .attribute("name")
            .unwrap();
        assert_eq!(name, "AC-8.10 a\u{FFFD}b ]]> \"q\" 'x' &amp;");
    }
}

mod sarif {
    use super::*;
    use serde_json::Value;

    fn sarif() -> Value {
        serde_json::from_str(&r(Format::Sarif, Lang::En)).unwrap()
    }

    const SCHEMA: &str = include_str!("../schemas/sarif-schema-2.1.0.json");

    fn schema_errors(doc: &Value) -> Vec<String> {
        let schema: Value = serde_json::from_str(SCHEMA).unwrap();
        let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
        validator
            .iter_errors(doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }

    #[test]
    fn sarif_validates_against_the_official_schema() {
        for lang in [Lang::En, Lang::Zh] {
            let doc: Value = serde_json::from_str(&r(Format::Sarif, lang)).unwrap();
            let errors = schema_errors(&doc);
            assert!(errors.is_empty(), "{errors:#?}");
        }
        // A report with no failing resource still gives a valid log.
        let mut rep = report();
        for c in &mut rep.controls {
            for i in &mut c.items {
                for r in &mut i.rules {
                    r.failed.clear();
                }
            }
        }
        let doc: Value =
            serde_json::from_str(&render(&rep, Format::Sarif, Lang::En).unwrap()).unwrap();
        assert!(schema_errors(&doc).is_empty());
    }

    #[test]
    fn sarif_run_properties_state_the_boundary() {
        let b = &sarif()["runs"][0]["properties"]["boundary"];
        assert_eq!(b["accounts"], 3);
        assert_eq!(b["accounts_not_in_scope_statement"], 1);
        assert_eq!(b["regions_listed"], 6);
        assert_eq!(b["regions_collected"], 4);
        assert_eq!(b["failed_scopes"], 4);
        assert_eq!(b["kinds_not_collected"], 2);
        assert_eq!(
            b["kinds_not_collected_list"],
            serde_json::json!(["crypto.key", "database.instance"])
        );
        assert_eq!(b["scope_statement"], true);
        assert_eq!(b["scope_statement_sha256"], "3".repeat(64));
        // Without a scope statement: said so, and the log is still valid.
        let mut rep = report();
        rep.boundary.scope = None;
        let doc: Value =
            serde_json::from_str(&render(&rep, Format::Sarif, Lang::Zh).unwrap()).unwrap();
        let b = &doc["runs"][0]["properties"]["boundary"];
        assert_eq!(b["scope_statement"], false);
        assert!(b.get("scope_statement_sha256").is_none());
        assert!(schema_errors(&doc).is_empty(), "{:#?}", schema_errors(&doc));
        // A failing resource carries its rule's reason code and the waiver accepting its risk.
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results[0]["properties"]["reason_code"], "resources-fail");
        assert_eq!(results[1]["properties"]["accepted_by_waiver"], "W-001");
        assert_eq!(
            results[0]["message"]["text"],
            "AC-8.10 用户身份鉴别：user/alice 不符合规则 mfa-on-console-users：控制台用户未启用多因素认证（控制项结果：不符合）"
        );
    }

    #[test]
    fn sarif_schema_rejects_a_broken_log() {
        // The validator is really checking: a wrong level and a missing message are caught.
        let mut doc = sarif();
        doc["runs"][0]["results"][0]["level"] = "fatal".into();
        doc["runs"][0]["results"][1]
            .as_object_mut()
            .unwrap()
            .remove("message");
        assert_eq!(schema_errors(&doc).len(), 2, "{:#?}", schema_errors(&doc));
    }

    #[test]
    fn sarif_one_result_per_failing_resource() {
        let v = sarif();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 5);
        assert_eq!(
            rules[0]["shortDescription"]["text"],
            "User identification and authentication"
        );
        let results = run["results"].as_array().unwrap();
        // Two of the provider's, and the customer item's failing resource as a note.
        assert_eq!(results.len(), 3);
        let customer: Vec<_> = results
            .iter()
            .filter(|r| r["properties"]["responsibility"] == "customer")
            .collect();
        assert_eq!(customer.len(), 1);
        assert_eq!(customer[0]["level"], "note");
        assert_eq!(customer[0]["properties"]["item"], "c");
        for res in results {
            let idx = res["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(
                rules[idx]["id"], res["ruleId"],
                "ruleIndex points at its rule"
            );
            let loc = &res["locations"][0]["logicalLocations"][0];
            assert!(loc["name"].is_string());
            assert_eq!(
                res["properties"]["evidence_sha256"].as_str().unwrap().len(),
                64
            );
        }
        assert_eq!(results[0]["ruleId"], "AC-8.10");
        assert_eq!(results[0]["level"], "error");
        assert_eq!(
            results[0]["locations"][0]["logicalLocations"][0]["name"],
            "user/alice"
        );
        assert_eq!(results[1]["ruleId"], "AC-8.11");
        assert_eq!(results[1]["level"], "warning");
    }

    /// Property names allowed by the SARIF 2.1.0 schema (`additionalProperties: false`) for the
    /// objects we emit, transcribed from sarif-schema-2.1.0.json (definitions named in the keys).
    const ALLOWED: &[(&str, &[&str])] = &[
        (
            "sarifLog",
            &[
                "$schema",
                "version",
                "runs",
                "inlineExternalProperties",
                "properties",
            ],
        ),
        (
            "run",
            &[
                "tool",
                "invocations",
                "conversion",
                "language",
                "versionControlProvenance",
                "originalUriBaseIds",
                "artifacts",
                "logicalLocations",
                "graphs",
                "results",
                "automationDetails",
                "runAggregates",
                "baselineGuid",
                "redactionTokens",
                "defaultEncoding",
                "defaultSourceLanguage",
                "newlineSequences",
                "columnKind",
                "externalPropertyFileReferences",
                "threadFlowLocations",
                "taxonomies",
                "addresses",
                "translations",
                "policies",
                "webRequests",
                "webResponses",
                "specialLocations",
                "properties",
            ],
        ),
        (
            "toolComponent",
            &[
                "guid",
                "name",
                "organization",
                "product",
                "productSuite",
                "shortDescription",
                "fullDescription",
                "fullName",
                "version",
                "semanticVersion",
                "dottedQuadFileVersion",
                "releaseDateUtc",
                "downloadUri",
                "informationUri",
                "globalMessageStrings",
                "notifications",
                "rules",
                "taxa",
                "locations",
                "language",
                "contents",
                "isComprehensive",
                "localizedDataSemanticVersion",
                "minimumRequiredLocalizedDataSemanticVersion",
                "associatedComponent",
                "translationMetadata",
                "supportedTaxonomies",
                "properties",
            ],
        ),
        (
            "reportingDescriptor",
            &[
                "id",
                "deprecatedIds",
                "guid",
                "deprecatedGuids",
                "name",
                "deprecatedNames",
                "shortDescription",
                "fullDescription",
                "messageStrings",
                "defaultConfiguration",
                "helpUri",
                "help",
                "relationships",
                "properties",
            ],
        ),
        (
            "result",
            &[
                "ruleId",
                "ruleIndex",
                "rule",
                "kind",
                "level",
                "message",
                "analysisTarget",
                "locations",
                "guid",
                "correlationGuid",
                "occurrenceCount",
                "partialFingerprints",
                "fingerprints",
                "stacks",
                "codeFlows",
                "graphs",
                "graphTraversals",
                "relatedLocations",
                "suppressions",
                "baselineState",
                "rank",
                "attachments",
                "hostedViewerUri",
                "workItemUris",
                "provenance",
                "fixes",
                "taxa",
                "webRequest",
                "webResponse",
                "properties",
            ],
        ),
        (
            "location",
            &[
                "id",
                "physicalLocation",
                "logicalLocations",
                "message",
                "annotations",
                "relationships",
                "properties",
            ],
        ),
        (
            "logicalLocation",
            &[
                "name",
                "index",
                "fullyQualifiedName",
                "decoratedName",
                "parentIndex",
                "kind",
                "properties",
            ],
        ),
    ];

    fn keys_allowed(def: &str, v: &Value) {
        let allowed = ALLOWED.iter().find(|(d, _)| *d == def).unwrap().1;
        for k in v.as_object().unwrap().keys() {
            assert!(
                allowed.contains(&k.as_str()),
                "`{k}` is not a property of SARIF {def}"
            );
        }
    }

    #[test]
    fn sarif_uses_only_properties_the_schema_allows() {
        let v = sarif();
        keys_allowed("sarifLog", &v);
        let run = &v["runs"][0];
        keys_allowed("run", run);
        keys_allowed("toolComponent", &run["tool"]["driver"]);
        for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
            keys_allowed("reportingDescriptor", rule);
            assert!(rule["id"].is_string(), "reportingDescriptor requires id");
            assert!(
                rule["shortDescription"]["text"].is_string(),
                "multiformatMessageString requires text"
            );
        }
        for res in run["results"].as_array().unwrap() {
            keys_allowed("result", res);
            for loc in res["locations"].as_array().unwrap() {
                keys_allowed("location", loc);
                for ll in loc["logicalLocations"].as_array().unwrap() {
                    keys_allowed("logicalLocation", ll);
                }
            }
        }
    }

    #[test]
    fn sarif_has_no_empty_required_arrays_and_valid_levels() {
        let v = sarif();
        for res in v["runs"][0]["results"].as_array().unwrap() {
            assert!(["error", "warning", "note", "none"].contains(&res["level"].as_str().unwrap()));
            assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        }
    }
}

mod html {
    use super::*;

    #[test]
    fn html_is_single_file_offline_and_well_formed() {
        for lang in [Lang::En, Lang::Zh] {
            let html = r(Format::Html, lang);
            assert!(html.starts_with("<!DOCTYPE html>"));
            for banned in ["<script", "https://", "src=", "<link", "@import", "url("] {
                assert!(!html.contains(banned), "{banned} in offline HTML");
            }
            // The only URL is the SVG namespace; every link is to an anchor of the page.
            assert_eq!(
                html.matches("http://").count(),
                html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
            );
            for link in html.split("href=\"").skip(1) {
                let target = link.split('"').next().unwrap();
                let id = target.strip_prefix('#').expect("a link within the page");
                assert!(html.contains(&format!(" id=\"{id}\"")), "no anchor {id}");
            }
            assert!(html.contains("<nav class=\"toc\">"), "table of contents");
            assert!(html.contains("<svg "), "charts");
            // Balanced tags and correct escaping: the document parses as XML.
            let opts = roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            };
            let doc = roxmltree::Document::parse_with_options(&html, opts)
                .expect("well-formed (XHTML-compatible) HTML");
            let sections = doc
                .descendants()
                .filter(|n| {
                    n.has_tag_name("section")
                        && n.attribute("class")
                            .is_some_and(|c| c.starts_with("control"))
                })
                .count();
            assert_eq!(sections, 5, "one section per control");
            let h2: Vec<_> = doc
                .descendants()
                .filter(|n| n.has_tag_name("h2"))
                .map(|n| n.text().unwrap_or(""))
                .collect();
            let (part, plan) = if lang == Lang::En {
                ("5. The customer's part", "6. Rectification plan")
            } else {
                ("5. 客户责任部分", "6. 整改计划")
            };
            assert!(h2.contains(&part), "{h2:?}");
            assert_eq!(h2.last(), Some(&plan), "{h2:?}");
            let h4 = doc
                .descendants()
                .filter(|n| n.has_tag_name("h4"))
                .map(|n| n.text().unwrap_or(""))
                .collect::<Vec<_>>();
            if lang == Lang::En {
                assert!(
                    h4.contains(&"AC-8.11 Session lock & <timeout> | idle"),
                    "{h4:?}"
                );
            } else {
                assert!(h4.contains(&"AC-8.11 会话锁定 & <超时> | 空闲"), "{h4:?}");
            }
        }
    }

    #[test]
    fn html_has_the_markdown_content_with_headings_in_the_language() {
        let html = r(Format::Html, Lang::Zh);
        for s in [
            "<html lang=\"zh-CN\">",
            "<h1>云计算服务安全能力评估报告</h1>",
            "<h2 id=\"boundary\">1. 评估边界</h2>",
            "<h2 id=\"clauses\">4. 各条款评估结果</h2>",
            "<h2 id=\"overview\">概览</h2>",
            "<h2 id=\"contents\">目录</h2>",
            "测评人员记录",
            "不符合的资源",
            "Li Wei (评估师)",
        ] {
            assert!(html.contains(s), "missing {s}");
        }
        assert!(
            html.contains(&"a".repeat(64)),
            "failing resource evidence hash"
        );
        assert!(html.contains(&"b".repeat(64)), "evidence-set hash");
        let html = r(Format::Html, Lang::En);
        assert!(html.contains("<h2 id=\"boundary\">1. Assessment boundary</h2>"));
        assert!(html.contains("<h2 id=\"summary\">2. Summary</h2>"));
        assert!(html.contains("Session lock &amp; &lt;timeout&gt; | idle"));
    }
}

mod oscal {
    use super::*;
    use serde_json::Value;

    fn doc(f: Format) -> Value {
        serde_json::from_str(&r(f, Lang::En)).unwrap()
    }

    fn no_empty_arrays(v: &Value, path: &str) {
        match v {
            Value::Array(a) => {
                assert!(!a.is_empty(), "empty array at {path}");
                for (i, x) in a.iter().enumerate() {
                    no_empty_arrays(x, &format!("{path}[{i}]"));
                }
            }
            Value::Object(o) => {
                assert!(!o.is_empty(), "empty object at {path}");
                for (k, x) in o {
                    no_empty_arrays(x, &format!("{path}.{k}"));
                }
            }
            Value::String(s) => assert!(
                !s.is_empty() && s.trim() == s,
                "blank or padded string at {path}"
            ),
            _ => {}
        }
    }

    /// Every `uuid` is a version-5 UUID and unique; every `#fragment` href resolves to one.
    fn uuids(v: &Value) -> (Vec<String>, Vec<String>) {
        let (mut ids, mut refs) = (Vec::new(), Vec::new());
        fn walk(v: &Value, ids: &mut Vec<String>, refs: &mut Vec<String>) {
            match v {
                Value::Object(o) => {
                    for (k, x) in o {
                        match (k.as_str(), x) {
                            ("uuid", Value::String(s)) => ids.push(s.clone()),
                            ("href", Value::String(s)) if s.starts_with('#') => {
                                refs.push(s[1..].to_string())
                            }
                            _ => walk(x, ids, refs),
                        }
                    }
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, ids, refs)),
                _ => {}
            }
        }
        walk(v, &mut ids, &mut refs);
        (ids, refs)
    }

    fn check_ids(v: &Value) {
        let (ids, refs) = uuids(v);
        for id in &ids {
            let u = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(u.get_version_num(), 5, "{id}");
        }
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len(), "duplicate uuid");
        for r in refs {
            assert!(ids.contains(&r), "dangling href #{r}");
        }
    }

    #[test]
    fn oscal_ar_has_findings_observations_and_evidence() {
        let v = doc(Format::OscalAr);
        no_empty_arrays(&v, "$");
        check_ids(&v);
        let ar = &v["assessment-results"];
        assert_eq!(ar["metadata"]["oscal-version"], "1.1.2");
        for req in ["uuid", "metadata", "import-ap", "results"] {
            assert!(!ar[req].is_null(), "assessment-results.{req} is required");
        }
        let res = &ar["results"][0];
        for req in ["uuid", "title", "description", "start", "reviewed-controls"] {
            assert!(!res[req].is_null(), "result.{req} is required");
        }
        let findings = res["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 5);
        let f = findings
            .iter()
            .find(|f| f["target"]["target-id"] == "ac-8.10")
            .unwrap();
        assert_eq!(f["target"]["status"]["state"], "not-satisfied");
        let obs = res["observations"].as_array().unwrap();
        let o = obs
            .iter()
            .find(|o| o["title"].as_str().unwrap().starts_with("AC-8.10"))
            .unwrap();
        assert_eq!(o["methods"], serde_json::json!(["EXAMINE", "TEST"]));
        let ev = serde_json::to_string(&o["relevant-evidence"]).unwrap();
        assert!(ev.contains("user/alice"), "{ev}");
        // The customer's item is an observation of its own, marked, with no finding; the
        // provider's AC-8.11 observation does not cite its evidence.
        let customer: Vec<_> = obs
            .iter()
            .filter(|o| {
                o["title"]
                    .as_str()
                    .unwrap()
                    .starts_with("The customer's part: ")
            })
            .collect();
        assert_eq!(customer.len(), 1);
        let props = serde_json::to_string(&customer[0]["props"]).unwrap();
        assert!(
            props.contains("\"responsibility\"") && props.contains("\"customer\""),
            "{props}"
        );
        let ac811 = obs
            .iter()
            .find(|o| o["title"].as_str().unwrap().starts_with("AC-8.11"))
            .unwrap();
        assert!(
            !serde_json::to_string(&ac811["relevant-evidence"])
                .unwrap()
                .contains("user/alice")
        );
        let bm = serde_json::to_string(&ar["back-matter"]).unwrap();
        assert!(
            bm.contains(&"a".repeat(64)) && bm.contains(&"b".repeat(64)),
            "evidence hashes in back-matter"
        );
    }

    #[test]
    fn oscal_states_the_boundary_and_cites_not_reported_records() {
        for f in [Format::OscalAr, Format::OscalPoam] {
            let v = doc(f);
            let root = v.as_object().unwrap().values().next().unwrap();
            let props = root["metadata"]["props"].as_array().unwrap();
            let prop = |name: &str| {
                props
                    .iter()
                    .find(|p| p["name"] == name)
                    .map(|p| p["value"].as_str().unwrap().to_string())
            };
            assert_eq!(prop("boundary-accounts").as_deref(), Some("3"));
            assert_eq!(prop("boundary-regions-listed").as_deref(), Some("6"));
            assert_eq!(prop("boundary-regions-collected").as_deref(), Some("4"));
            assert_eq!(prop("boundary-kinds-not-collected").as_deref(), Some("2"));
            assert_eq!(prop("scope-statement").as_deref(), Some("recorded"));
        }
        let v = doc(Format::OscalAr);
        let bm = serde_json::to_string(&v["assessment-results"]["back-matter"]).unwrap();
        assert!(
            bm.contains(&"4".repeat(64)),
            "not-reported record in back-matter"
        );
        let obs =
            serde_json::to_string(&v["assessment-results"]["results"][0]["observations"]).unwrap();
        assert!(
            obs.contains("user/bob does not report field mfa_enabled"),
            "{obs}"
        );
        let mut rep = report();
        rep.boundary.scope = None;
        let v: Value =
            serde_json::from_str(&render(&rep, Format::OscalAr, Lang::En).unwrap()).unwrap();
        no_empty_arrays(&v, "$");
        let props = serde_json::to_string(&v["assessment-results"]["metadata"]["props"]).unwrap();
        assert!(props.contains("\"not-recorded\""));
        assert!(!props.contains("scope-statement-sha256"));
    }

    #[test]
    fn oscal_poam_rectifies_every_failing_control() {
        let v = doc(Format::OscalPoam);
        no_empty_arrays(&v, "$");
        check_ids(&v);
        let p = &v["plan-of-action-and-milestones"];
        let items = p["poam-items"].as_array().unwrap();
        let titles: Vec<&str> = items.iter().map(|i| i["title"].as_str().unwrap()).collect();
        assert_eq!(titles.len(), 2, "{titles:?}");
        assert!(titles[0].starts_with("Rectify AC-8.10"));
        assert!(titles[1].starts_with("Rectify AC-8.11"));
        let risk = &p["risks"][0];
        assert_eq!(
            risk["deadline"], "2027-02-23T00:00:00Z",
            "assessed_at + 90 days"
        );
        let tasks = risk["remediations"][0]["tasks"].as_array().unwrap();
        assert_eq!(tasks.len(), 3);
        assert_eq!(
            tasks[2]["timing"]["on-date"]["date"],
            "2027-02-23T00:00:00Z"
        );
        assert_eq!(p["metadata"]["parties"][0]["name"], "unassigned");
        let owner = items[0]["props"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "owner")
            .unwrap();
        assert_eq!(owner["value"], "unassigned");
    }

    #[test]
    fn oscal_poam_with_nothing_to_rectify_has_no_empty_arrays() {
        let mut rep = report();
        for c in &mut rep.controls {
            for r in c.results.values_mut() {
                r.result = ResultState::Satisfied;
            }
        }
        let v: Value =
            serde_json::from_str(&render(&rep, Format::OscalPoam, Lang::En).unwrap()).unwrap();
        no_empty_arrays(&v, "$");
        assert_eq!(
            v["plan-of-action-and-milestones"]["poam-items"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn oscal_uuids_are_deterministic_and_depend_on_the_report() {
        assert_eq!(r(Format::OscalAr, Lang::En), r(Format::OscalAr, Lang::Zh));
        let mut other = report();
        other.bundle.as_mut().unwrap().merkle_root = "1".repeat(64);
        let a = doc(Format::OscalAr);
        let b: Value =
            serde_json::from_str(&render(&other, Format::OscalAr, Lang::En).unwrap()).unwrap();
        assert_ne!(
            a["assessment-results"]["uuid"],
            b["assessment-results"]["uuid"]
        );
    }

    #[test]
    fn oscal_poam_rejects_an_unparsable_assessment_time() {
        let mut rep = report();
        rep.assessed_at = "yesterday".into();
        assert!(render(&rep, Format::OscalPoam, Lang::En).is_err());
    }
}

mod diffs {
    use super::*;

    fn fixed_and_broken() -> (Report, Report) {
        let old = report();
        let mut new = report();
        // AC-8.10 fixed everywhere.
        let c = &mut new.controls[0];
        for res in c.results.values_mut() {
            res.result = ResultState::Satisfied;
        }
        c.items[0].rules[0].failed.clear();
        // AU-9.3 broken with a new failing resource.
        let c = &mut new.controls[3];
        for res in c.results.values_mut() {
            res.result = ResultState::NotSatisfied;
        }
        c.items[0].rules[0]
            .failed
            .push(cloudcap_engine::ResourceRef {
                resource_id: "trail/main".into(),
                provider: "aws".into(),
                account: "123456789012".into(),
                region: "cn-north-1".into(),
                evidence: "c".repeat(64),
                accepted_by: None,
            });
        new.summary.overall.score_bp = 5000;
        (old, new)
    }

    #[test]
    fn diff_classifies_controls_and_resources() {
        let (old, new) = fixed_and_broken();
        let d = diff(&old, &new);
        let get = |id: &str| d.controls.iter().find(|c| c.control == id).unwrap();
        assert_eq!(get("AC-8.10").change, Change::Resolved);
        assert_eq!(get("AC-8.10").points_delta, 6, "weight 3 × (2 − 0)");
        assert_eq!(get("AU-9.3").change, Change::NewFailure);
        assert_eq!(get("AU-9.3").points_delta, -4, "weight 2 × (0 − 2)");
        assert_eq!(get("AC-8.11").change, Change::Unchanged);
        assert_eq!(d.control_counts.resolved, 1);
        assert_eq!(d.control_counts.new_failures, 1);
        assert_eq!(d.control_counts.unchanged, 3);
        assert_eq!(d.resource_counts.new_failures, 1);
        assert_eq!(d.resource_counts.resolved, 1);
        assert_eq!(d.resource_counts.unchanged, 1);
        assert_eq!(d.score_delta_bp, 1250);
    }

    #[test]
    fn diff_regression_and_improvement() {
        let old = report();
        let mut new = report();
        new.controls[1]
            .results
            .get_mut(&Tier::Advanced)
            .unwrap()
            .result = ResultState::NotSatisfied;
        new.controls[2]
            .results
            .get_mut(&Tier::Advanced)
            .unwrap()
            .result = ResultState::Satisfied;
        let d = diff(&old, &new);
        assert_eq!(d.controls[1].change, Change::Regressed);
        assert_eq!(d.controls[2].change, Change::Improved);
        assert!(cloudcap_report::is_worse(
            Some(ResultState::Satisfied),
            Some(ResultState::NotEvaluated)
        ));
        assert!(!cloudcap_report::is_worse(
            Some(ResultState::NotSatisfied),
            Some(ResultState::PartiallySatisfied)
        ));
    }

    #[test]
    fn diff_renders_table_and_json() {
        let (old, new) = fixed_and_broken();
        let d = diff(&old, &new);
        let t = render_diff(&d, Format::Table, Lang::En).unwrap();
        assert!(t.contains("37.50% → 50.00% (+12.50%)"), "{t}");
        assert!(t.contains("trail/main"));
        let j: serde_json::Value =
            serde_json::from_str(&render_diff(&d, Format::Json, Lang::En).unwrap()).unwrap();
        assert_eq!(j["control_counts"]["resolved"], 1);
        assert!(render_diff(&d, Format::Sarif, Lang::En).is_err());
    }
}
