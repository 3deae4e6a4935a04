//! The rectification plan: its order, the plan file (checked with path:line:col and a code),
//! its place in Markdown, HTML and the POA&M, and its closure in `diff`.

use cloudcap_engine::{Report, ResultState};
use cloudcap_report::{
    Format, Lang, Plan, PlanChange, PlanCode, PlanStatus, diff, parse_plan, render_with_plan,
};
use serde_json::Value;

use super::report;

const GOOD: &str = r#"# who fixes what
[[item]]
control = "AC-8.10"
item = "a"
owner = "IAM team"
due = "2027-01-31"
status = "in-progress"
note = "ticket SEC-142"

[[item]]
control = "AU-9.2"
item = "a"
status = "open"

[[item]]
control = "AC-8.11"
item = "b"
owner = "Ops"
status = "done"
"#;

fn plan(text: &str) -> Plan {
    parse_plan("plan.toml", text, &report()).unwrap_or_else(|p| panic!("{p:#?}"))
}

fn problems(text: &str) -> Vec<String> {
    parse_plan("plan.toml", text, &report())
        .expect_err("the plan file must be refused")
        .iter()
        .map(|p| p.to_string())
        .collect()
}

#[test]
fn a_good_plan_file_is_read_entry_by_entry() {
    let p = plan(GOOD);
    let e = p.entry("AC-8.10", "a").unwrap();
    assert_eq!(e.owner.as_deref(), Some("IAM team"));
    assert_eq!(e.due.as_deref(), Some("2027-01-31"));
    assert_eq!(e.status, Some(PlanStatus::InProgress));
    assert_eq!(e.note.as_deref(), Some("ticket SEC-142"));
    assert_eq!(
        p.entry("AU-9.2", "a").unwrap().status,
        Some(PlanStatus::Open)
    );
    // An item that is satisfied (not in the plan) may stay in the file.
    assert_eq!(
        p.entry("AC-8.11", "b").unwrap().status,
        Some(PlanStatus::Done)
    );
    assert!(p.entry("AU-9.3", "a").is_none());
}

#[test]
fn every_problem_of_a_plan_file_is_reported_with_its_place_and_code() {
    let bad = r#"[[item]]
control = "AC-9.99"
item = "a"

[[item]]
control = "AC-8.10"
item = "z"

[[item]]
control = "AC-8.11"
item = "a"
due = "2027-02-30"
status = "finished"
owner = "  "

[[item]]
control = "AC-8.11"
item = "a"
due = "31/01/2027"
"#;
    assert_eq!(
        problems(bad),
        [
            "plan.toml:2:11: plan-unknown-control: no control `AC-9.99` in the report",
            "plan.toml:7:8: plan-unknown-item: control `AC-8.10` has no item `z` (its items: a)",
            "plan.toml:14:9: plan-empty: `owner` is empty; leave the key out instead",
            "plan.toml:12:7: plan-bad-date: due `2027-02-30` is not a calendar date written YYYY-MM-DD",
            "plan.toml:13:10: plan-unknown-status: unknown status `finished`; expected open, in-progress or done",
            "plan.toml:19:7: plan-bad-date: due `31/01/2027` is not a calendar date written YYYY-MM-DD",
            "plan.toml:16:1: plan-duplicate: a second entry for item `a` of `AC-8.11`",
        ]
    );
}

#[test]
fn an_unknown_key_or_a_missing_one_is_refused_at_its_place() {
    let unknown = problems("[[item]]\ncontrol = \"AC-8.10\"\nitem = \"a\"\nowners = \"x\"\n");
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(
        unknown[0].starts_with("plan.toml:4:1: plan-unknown-key: "),
        "{unknown:?}"
    );
    let missing = problems("[[item]]\ncontrol = \"AC-8.10\"\n");
    assert!(missing[0].contains(": plan-missing-key: "), "{missing:?}");
    let syntax = problems("[[item]\n");
    assert!(syntax[0].starts_with("plan.toml:1:"), "{syntax:?}");
    assert!(syntax[0].contains(": plan-syntax: "), "{syntax:?}");
    // Every code has a stable kebab-case name.
    for code in [PlanCode::PlanBadDate, PlanCode::PlanUnknownStatus] {
        assert!(code.as_str().starts_with("plan-"));
    }
}

/// The plan rows of a Markdown report: the table after the plan heading.
fn plan_rows(md: &str) -> Vec<Vec<String>> {
    let start = md.find("## 6. ").expect("a plan section");
    md[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn the_plan_lists_what_blocks_the_next_tier_first_and_skips_what_is_satisfied() {
    let md = render_with_plan(&report(), Format::Markdown, Lang::En, &Plan::default()).unwrap();
    let rows = plan_rows(&md);
    let ids: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[1].split(' ').next().unwrap(), r[2].as_str()))
        .collect();
    // The key control that blocks the basic tier first; then by tier and weight (AC-8.11
    // weighs 2, AU-9.2 weighs 1). Satisfied, not-applicable and customer items are not in it.
    assert_eq!(
        ids,
        [("AC-8.10", "a"), ("AC-8.11", "a"), ("AU-9.2", "a")],
        "{md}"
    );
    assert_eq!(rows[0][5], "basic", "{:?}", rows[0]);
    assert_eq!(rows[1][5], "-", "{:?}", rows[1]);
    // No plan file: no owner columns.
    assert_eq!(rows[0].len(), 9, "{:?}", rows[0]);
}

#[test]
fn the_plan_file_fills_owner_due_and_status_in_markdown_and_html() {
    let p = plan(GOOD);
    let md = render_with_plan(&report(), Format::Markdown, Lang::En, &p).unwrap();
    let rows = plan_rows(&md);
    assert_eq!(rows[0].len(), 13, "{:?}", rows[0]);
    assert_eq!(
        rows[0][9..],
        ["IAM team", "2027-01-31", "in progress", "ticket SEC-142"]
    );
    // No entry: unassigned, open.
    assert_eq!(rows[1][9..], ["-", "-", "open", "-"]);
    let zh = render_with_plan(&report(), Format::Markdown, Lang::Zh, &p).unwrap();
    let rows = plan_rows(&zh);
    assert_eq!(rows[0][11], "整改中", "{:?}", rows[0]);
    assert!(zh.contains("| 责任人 | 完成时限 | 状态 | 备注 |"), "{zh}");
    let html = render_with_plan(&report(), Format::Html, Lang::Zh, &p).unwrap();
    assert!(html.contains("id=\"plan\""), "the plan has an anchor");
    assert!(html.contains("IAM team") && html.contains("2027-01-31") && html.contains("整改中"));
    assert!(
        html.contains("href=\"#plan\""),
        "the contents link to the plan"
    );
}

#[test]
fn the_poam_takes_owner_due_date_and_status_from_the_plan_and_still_validates() {
    let p = plan(GOOD);
    let text = render_with_plan(&report(), Format::OscalPoam, Lang::En, &p).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let errs = super::oscal_schema::errors(Format::OscalPoam, &doc);
    assert!(errs.is_empty(), "{errs:#?}");
    let body = &doc["plan-of-action-and-milestones"];
    let risk = body["risks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["title"].as_str().unwrap().starts_with("AC-8.10 "))
        .expect("a risk for AC-8.10");
    assert_eq!(risk["deadline"], "2027-01-31T23:59:59Z");
    assert_eq!(risk["status"], "remediating");
    let tasks = risk["remediations"][0]["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(
        tasks[0]["timing"]["on-date"]["date"],
        "2027-01-31T23:59:59Z"
    );
    let parties: Vec<&str> = body["metadata"]["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    // AC-8.11 has no owner in the plan (its entry is for a satisfied item): unassigned.
    assert_eq!(parties, ["IAM team", "unassigned"]);
    let item = body["poam-items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"].as_str().unwrap().contains("AC-8.10"))
        .unwrap();
    assert!(
        item["description"]
            .as_str()
            .unwrap()
            .contains("Owner: IAM team. Deadline: 2027-01-31T23:59:59Z."),
        "{item:#}"
    );
}

fn set_item(r: &mut Report, control: &str, item: &str, result: ResultState) {
    let c = r.controls.iter_mut().find(|c| c.id == control).unwrap();
    c.items.iter_mut().find(|i| i.id == item).unwrap().result = result;
}

#[test]
fn diff_marks_plan_items_closed_still_open_and_newly_opened() {
    let old = report();
    let mut new = report();
    // AC-8.10 a is fixed, AU-9.3 a (satisfied) breaks, the rest stays.
    set_item(&mut new, "AC-8.10", "a", ResultState::Satisfied);
    set_item(&mut new, "AU-9.3", "a", ResultState::NotSatisfied);
    let d = diff(&old, &new);
    let got: Vec<(&str, &str, PlanChange)> = d
        .plan
        .iter()
        .map(|p| (p.control.as_str(), p.item.as_str(), p.change))
        .collect();
    assert_eq!(
        got,
        [
            ("AC-8.10", "a", PlanChange::Closed),
            ("AC-8.11", "a", PlanChange::StillOpen),
            ("AU-9.2", "a", PlanChange::StillOpen),
            ("AU-9.3", "a", PlanChange::Opened),
        ]
    );
    assert_eq!(
        (
            d.plan_counts.closed,
            d.plan_counts.still_open,
            d.plan_counts.opened
        ),
        (1, 2, 1)
    );
    assert_eq!(d.plan[0].new, Some(ResultState::Satisfied));
    let table = cloudcap_report::render_diff(&d, Format::Table, Lang::Zh).unwrap();
    assert!(
        table.contains("整改计划：已关闭 1，仍未关闭 2，新增 1"),
        "{table}"
    );
    // Against itself, nothing closes or opens.
    let same = diff(&old, &old);
    assert_eq!((same.plan_counts.closed, same.plan_counts.opened), (0, 0));
}

#[test]
fn csv_has_one_row_per_item_with_its_evidence_in_either_language() {
    let rep = report();
    let items: usize = rep.controls.iter().map(|c| c.items.len()).sum();
    for lang in [Lang::En, Lang::Zh] {
        let out = cloudcap_report::render(&rep, Format::Csv, lang).unwrap();
        assert!(
            out.starts_with('\u{feff}'),
            "a byte-order mark for spreadsheets"
        );
        let lines: Vec<&str> = out[3..].split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), items + 1, "{out}");
        let head = if lang == Lang::En {
            "control,"
        } else {
            "控制项,"
        };
        assert!(lines[0].starts_with(head), "{}", lines[0]);
        // Every failing resource of the report is in a row, with its record's hash.
        for c in &rep.controls {
            for i in &c.items {
                for r in &i.rules {
                    for f in &r.failed {
                        assert!(out.contains(&f.resource_id), "{}", f.resource_id);
                        assert!(out.contains(&f.evidence), "{}", f.evidence);
                    }
                    assert!(out.contains(&r.evidence_set_sha256));
                }
            }
        }
    }
    let zh = cloudcap_report::render(&rep, Format::Csv, Lang::Zh).unwrap();
    assert!(
        zh.contains("不符合") && !zh.contains("not-satisfied"),
        "{zh}"
    );
}

/// The parts of a workbook, by name.
pub(crate) fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    (0..zip.len())
        .map(|n| {
            let mut f = zip.by_index(n).unwrap();
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            (f.name().to_owned(), s)
        })
        .collect()
}

#[test]
fn xlsx_has_findings_plan_and_boundary_sheets_and_is_byte_stable() {
    let rep = report();
    let p = plan(GOOD);
    let a = cloudcap_report::render_bytes(&rep, Format::Xlsx, Lang::Zh, &p).unwrap();
    let b = cloudcap_report::render_bytes(&rep, Format::Xlsx, Lang::Zh, &p).unwrap();
    assert_eq!(a, b, "the same report gives the same bytes");
    let parts = unzip(&a);
    let workbook = &parts["xl/workbook.xml"];
    for sheet in ["测评结果", "整改计划", "评估边界"] {
        assert!(
            workbook.contains(&format!("name=\"{sheet}\"")),
            "{workbook}"
        );
    }
    // The creation time is the assessment's, not the clock's.
    assert!(
        parts["docProps/core.xml"].contains(&rep.assessed_at),
        "{}",
        parts["docProps/core.xml"]
    );
    let strings = &parts["xl/sharedStrings.xml"];
    assert!(strings.contains("IAM team") && strings.contains("整改中"));
    for c in &rep.controls {
        for i in &c.items {
            for r in &i.rules {
                for f in &r.failed {
                    assert!(strings.contains(&f.evidence), "{}", f.evidence);
                }
            }
        }
    }
    // Text formats refuse to be binary, and the binary one is not text.
    assert!(cloudcap_report::render(&rep, Format::Xlsx, Lang::En).is_err());
    let en = cloudcap_report::render_bytes(&rep, Format::Xlsx, Lang::En, &Plan::default()).unwrap();
    assert!(unzip(&en)["xl/workbook.xml"].contains("name=\"Findings\""));
}
