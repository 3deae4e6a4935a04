//! The assessment boundary end to end: scope statements (recorded, refused with
//! `path:line:col`), and what `demo` shows of the boundary, of unreported fields, of the key
//! control that blocks basic and of the customer's part.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn cloudcap(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
        .args(args)
        .current_dir(dir)
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn demo_report(dir: &Path) -> Value {
    let (code, _, err) = cloudcap(dir, &["demo", "--out", "demo.json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_slice(&std::fs::read(dir.join("demo.json")).unwrap()).unwrap()
}

fn control<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

#[test]
fn demo_states_the_boundary_an_unreported_field_and_the_customers_part() {
    let dir = tempfile::tempdir().unwrap();
    let r = demo_report(dir.path());
    let b = &r["boundary"];
    assert!(
        b["scope"]["service"]
            .as_str()
            .unwrap()
            .starts_with("Sample Cloud")
    );
    let account = &b["accounts"][0];
    assert_eq!(account["run_recorded"], true);
    assert_eq!(account["in_scope_statement"], true);
    let hk = account["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["region"] == "cn-hongkong")
        .unwrap();
    assert_eq!(hk["collected"], false);
    // The trail API of the sample provider does not report retention: not evaluated, naming
    // the field and the provider, never a failure.
    let item = &control(&r, "au-13.3")["items"][0];
    assert_eq!(item["result"], "not-evaluated");
    assert_eq!(item["reason"]["code"], "field-not-reported");
    assert_eq!(item["reason"]["gaps"][0]["field"], "retention_days");
    assert_eq!(item["reason"]["gaps"][0]["provider"], "sample");
    assert!(item["rules"][0]["failed"].as_array().unwrap().is_empty());
    // Residency cannot be claimed for a region nobody looked at, but the data found outside
    // the mainland is still a failure.
    let residency = &control(&r, "dp-9.1")["items"][0]["rules"][0];
    assert_eq!(residency["result"], "partially-satisfied");
    assert_eq!(residency["failed"][0]["resource_id"], "ap-southeast-1");
    assert_eq!(residency["incomplete"][0]["region"], "cn-hongkong");
    assert_eq!(
        residency["incomplete"][0]["cause"]["error_class"],
        "not-collected"
    );
    // The tenant's own configuration is the customer's part: the world-open SSH group leaves
    // scp-7.1 b partially satisfied there and the unreported retention leaves au-13.3 a not
    // evaluated, and neither blocks the provider's basic tier; the key control dp-9.1 still does.
    let part = r["customer_part"]["items"].as_array().unwrap();
    let customer = |control: &str, item: &str| {
        part.iter()
            .find(|x| x["control"] == control && x["item"] == item)
            .unwrap_or_else(|| panic!("{control} {item} not in the customer's part"))
    };
    assert_eq!(customer("scp-7.1", "b")["result"], "partially-satisfied");
    assert_eq!(customer("au-13.3", "a")["result"], "not-evaluated");
    assert_eq!(item["responsibility"], "customer");
    let basic = &r["summary"]["tiers"][0];
    assert_eq!(basic["reached"], false);
    let blockers = basic["blockers"].as_array().unwrap();
    assert!(
        blockers
            .iter()
            .any(|x| x["type"] == "key-control" && x["control"] == "dp-9.1"),
        "{blockers:?}"
    );
    for x in blockers {
        assert!(
            x["control"] != "scp-7.1" && x["control"] != "au-13.3",
            "a customer-only key control blocks the provider: {x}"
        );
    }
}

#[test]
fn demo_prints_the_boundary_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let (code, en, err) = cloudcap(dir.path(), &["demo"]);
    assert_eq!(code, 0, "{err}");
    assert!(en.contains("Assessment boundary"), "{en}");
    assert!(en.contains("cn-hongkong"));
    let (code, zh, err) = cloudcap(dir.path(), &["demo", "--lang", "zh"]);
    assert_eq!(code, 0, "{err}");
    assert!(zh.contains("评估边界"), "{zh}");
    assert!(zh.starts_with("cloudcap 演示：内置样例证据包"), "{zh}");
    assert!(en.contains("The customer's part:"), "{en}");
    assert!(zh.contains("客户责任部分："), "{zh}");
    for english in [
        "resource(s)",
        "not evaluated",
        "evidence incomplete",
        "item(s) satisfied",
        "Assessment boundary",
        "key control",
        "embedded sample bundle",
        "assessed at",
    ] {
        assert!(!zh.contains(english), "zh demo output contains `{english}`");
    }
}

#[test]
fn a_scope_statement_is_recorded_and_becomes_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, _, err) = cloudcap(d, &["evidence", "sample", "--out", "bundle"]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(
        d.join("scope.toml"),
        "service = \"Tenant platform v2\"\nsampling = \"all platform accounts\"\n[[account]]\nprovider = \"sample\"\naccount = \"demo-0001\"\nrole = \"provider-platform\"\n",
    )
    .unwrap();
    let (code, out, err) = cloudcap(d, &["evidence", "scope", "bundle", "scope.toml"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("recorded scope statement"), "{out}");
    let (code, _, err) = cloudcap(d, &["evidence", "verify", "bundle"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = cloudcap(
        d,
        &["assess", "bundle", "--at", "2026-11-25", "--out", "r.json"],
    );
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
    // Recorded after the sample's own statement: the latest one is the report's.
    assert_eq!(r["boundary"]["scope"]["service"], "Tenant platform v2");
    assert_eq!(
        r["boundary"]["scope"]["accounts"][0]["role"],
        "provider-platform"
    );
}

#[test]
fn bad_scope_files_are_refused_with_line_and_column_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, _, err) = cloudcap(d, &["evidence", "sample", "--out", "bundle"]);
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read(d.join("bundle/manifest.json")).unwrap();
    for (text, want) in [
        (
            "service = \"X\"\n[[account]]\nprovider = \"sample\"\naccount = \"a\"\nrole = \"provider-platform\"\nowner = \"me\"\n",
            "scope.toml:6:1:",
        ),
        (
            "description = \"no service\"\n",
            "scope.toml:1:1: missing key `service`",
        ),
        (
            "service = \"X\"\n[[account]]\nprovider = \"nimbus\"\naccount = \"a\"\nrole = \"provider-platform\"\n",
            "scope.toml:3:12:",
        ),
    ] {
        std::fs::write(d.join("scope.toml"), text).unwrap();
        let (code, _, err) = cloudcap(d, &["evidence", "scope", "bundle", "scope.toml"]);
        assert_eq!(code, 4, "{err}");
        assert!(err.contains(want), "want `{want}` in: {err}");
        assert_eq!(
            std::fs::read(d.join("bundle/manifest.json")).unwrap(),
            before,
            "the bundle changed"
        );
        // `collect --scope` refuses it before any request or bundle.
        let (code, _, err) = cloudcap(
            d,
            &[
                "collect",
                "aws",
                "--out",
                "new-bundle",
                "--scope",
                "scope.toml",
                "--endpoint-url",
                "http://127.0.0.1:9",
                "--max-attempts",
                "1",
            ],
        );
        assert_eq!(code, 4, "{err}");
        assert!(err.contains(want), "want `{want}` in: {err}");
        assert!(!d.join("new-bundle").exists());
    }
}
