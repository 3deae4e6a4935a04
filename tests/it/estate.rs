//! `assess BUNDLE...`: several bundles (one per account) graded as one estate. The same bytes
//! in any order, per-account scores, the account of every failing resource, overlapping or
//! repeated bundles refused (exit 4) before anything is graded, and `verify-report` and
//! `gate --bundle` taking the same list.

use std::path::Path;
use std::process::Command;

use cloudcap_evidence::{
    BundleInfo, BundleWriter, CollectionOutcome, CollectionStatus, EntryMeta, KIND_RAW, Provider,
};
use serde_json::{Value, json};

const AT: &str = "2026-11-25T00:00:00Z";

fn cloudcap(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A small bundle of one account of the fictional provider: buckets `(name, encrypted)` in one
/// region, with the raw answer they were read from and an `ok` status for the scope.
fn bucket_bundle(dir: &Path, account: &str, region: &str, buckets: &[(&str, bool)]) {
    let at: jiff::Timestamp = "2026-11-21T08:00:00Z".parse().unwrap();
    let info = BundleInfo {
        tool_version: "estate-test 1".into(),
        catalog_digest: "0".repeat(64),
        created_at: at,
    };
    let mut w = BundleWriter::create(dir, info).unwrap();
    let raw = serde_json::to_vec_pretty(&json!({
        "RequestId": format!("{account}-{region}"),
        "Buckets": buckets.iter().map(|b| b.0).collect::<Vec<_>>(),
    }))
    .unwrap();
    let source = w
        .add_raw(
            EntryMeta::new(KIND_RAW, "sample", account, region, "oss:ListBuckets", at),
            &raw,
        )
        .unwrap();
    for (name, encrypted) in buckets {
        let rec = json!({
            "schema_version": 1,
            "kind": "storage.bucket",
            "provider": "sample",
            "account": account,
            "region": region,
            "resource_id": format!("acs:oss:{region}:{account}:{name}"),
            "sources": [source.to_string()],
            "name": name, "encrypted": encrypted, "customer_managed_key": true, "versioning": true,
            "public": false, "public_access_block": true, "access_logging": true,
        });
        let meta = EntryMeta::for_record(&rec, "oss:ListBuckets", at).unwrap();
        w.add_record(meta, &rec).unwrap();
    }
    let status = CollectionStatus {
        kind: "storage.bucket".into(),
        provider: Provider::Sample,
        account: account.into(),
        region: region.into(),
        status: CollectionOutcome::Ok,
        error_class: None,
        message: None,
        record_count: buckets.len() as u64,
    };
    w.add_status(&status, "oss:ListBuckets", at).unwrap();
    w.finish().unwrap();
}

/// `b1` the sample (account `demo-0001`), `b2` an account with one unencrypted bucket, `b3` an
/// account whose buckets are all encrypted.
fn estate(d: &Path) {
    let (code, _, err) = cloudcap(d, &["evidence", "sample", "--out", "b1"]);
    assert_eq!(code, 0, "{err}");
    bucket_bundle(
        &d.join("b2"),
        "estate-0002",
        "cn-north-1",
        &[("logs-2", false), ("data-2", true)],
    );
    bucket_bundle(
        &d.join("b3"),
        "estate-0003",
        "cn-shanghai",
        &[("data-3", true)],
    );
}

fn assess(d: &Path, bundles: &[&str], out: &str) -> (i32, String) {
    let mut args = vec!["assess"];
    args.extend_from_slice(bundles);
    args.extend_from_slice(&["--at", AT, "--out", out]);
    let (code, _, err) = cloudcap(d, &args);
    (code, err)
}

/// Every failing resource of the report, as (rule id, provider, account, resource id).
fn failing(report: &Value) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for c in report["controls"].as_array().unwrap() {
        for i in c["items"].as_array().unwrap() {
            for r in i["rules"].as_array().unwrap() {
                for f in r["failed"].as_array().unwrap() {
                    let s = |k: &str| f[k].as_str().unwrap().to_owned();
                    out.push((
                        r["id"].as_str().unwrap().to_owned(),
                        s("provider"),
                        s("account"),
                        s("resource_id"),
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn estate_reports_are_byte_identical_in_any_bundle_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    estate(d);
    let orders: [[&str; 3]; 3] = [["b1", "b2", "b3"], ["b3", "b1", "b2"], ["b2", "b3", "b1"]];
    let mut outputs = Vec::new();
    for (n, order) in orders.iter().enumerate() {
        let out = format!("estate{n}.json");
        let (code, err) = assess(d, order, &out);
        assert_eq!(code, 0, "{err}");
        outputs.push(std::fs::read(d.join(&out)).unwrap());
    }
    assert!(
        outputs.windows(2).all(|w| w[0] == w[1]),
        "estate reports differ between bundle orders"
    );

    let report: Value = serde_json::from_slice(&outputs[0]).unwrap();
    assert!(
        report.get("bundle").is_none(),
        "an estate names its bundles as a list"
    );
    let roots: Vec<&str> = report["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["merkle_root"].as_str().unwrap())
        .collect();
    assert_eq!(roots.len(), 3);
    assert!(roots.windows(2).all(|w| w[0] < w[1]), "sorted: {roots:?}");
}

#[test]
fn estate_reports_score_each_account_and_name_the_account_of_every_failure() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    estate(d);
    let (code, err) = assess(d, &["b1", "b2", "b3"], "estate.json");
    assert_eq!(code, 0, "{err}");
    let report: Value =
        serde_json::from_slice(&std::fs::read(d.join("estate.json")).unwrap()).unwrap();

    // Per-account scores: every account, sorted, each graded on its own records.
    let accounts = report["accounts"].as_array().unwrap();
    let names: Vec<&str> = accounts
        .iter()
        .map(|a| a["account"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["demo-0001", "estate-0002", "estate-0003"]);
    let by = |name: &str| accounts.iter().find(|a| a["account"] == name).unwrap();
    // The account whose buckets all pass has no failing resource; the one with an unencrypted
    // bucket has the failures the estate names for it.
    let fails = failing(&report);
    let of = |name: &str| fails.iter().filter(|f| f.2 == name).count() as u64;
    assert_eq!(by("estate-0003")["failed_resources"], 0);
    assert!(of("estate-0002") > 0);
    assert_eq!(by("estate-0002")["failed_resources"], of("estate-0002"));
    assert!(by("demo-0001")["failed_resources"].as_u64().unwrap() > 1);
    // The estate's boundary keeps every account.
    let boundary: Vec<&str> = report["boundary"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account"].as_str().unwrap())
        .collect();
    assert_eq!(boundary, ["demo-0001", "estate-0002", "estate-0003"]);
    // Each bundle says which account it holds.
    let held: Vec<Vec<&str>> = report["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            b["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect()
        })
        .collect();
    let mut flat: Vec<&str> = held.into_iter().flatten().collect();
    flat.sort();
    assert_eq!(
        flat,
        [
            "sample/demo-0001",
            "sample/estate-0002",
            "sample/estate-0003"
        ]
    );

    // Every failing resource carries its provider and account; the unencrypted bucket of
    // estate-0002 is named with its account, beside the sample's own failures.
    assert!(fails.iter().all(|f| f.1 == "sample" && !f.2.is_empty()));
    assert!(
        fails
            .iter()
            .any(|f| f.2 == "estate-0002" && f.3 == "acs:oss:cn-north-1:estate-0002:logs-2"),
        "{fails:?}"
    );
    assert!(!fails.iter().any(|f| f.2 == "estate-0003"), "{fails:?}");
    assert!(fails.iter().any(|f| f.2 == "demo-0001"));

    // The human formats show the per-account table, in both languages.
    let (code, md, err) = cloudcap(d, &["report", "estate.json", "--format", "markdown"]);
    assert_eq!(code, 0, "{err}");
    assert!(md.contains("Scores per account"), "{md}");
    assert!(md.contains("| estate-0002 |"), "{md}");
    let (code, zh, err) = cloudcap(
        d,
        &["report", "estate.json", "--format", "table", "--lang", "zh"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(zh.contains("各账号得分"), "{zh}");
}

#[test]
fn one_bundle_reports_keep_their_single_bundle_form() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    estate(d);
    let (code, err) = assess(d, &["b1"], "one.json");
    assert_eq!(code, 0, "{err}");
    let report: Value =
        serde_json::from_slice(&std::fs::read(d.join("one.json")).unwrap()).unwrap();
    assert!(report["bundle"]["merkle_root"].is_string());
    assert!(report.get("bundles").is_none());
    assert!(report.get("accounts").is_none());
}

#[test]
fn bundles_covering_one_scope_are_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    estate(d);
    // A second bundle of the sample's account, kind and region.
    bucket_bundle(
        &d.join("again"),
        "demo-0001",
        "cn-north-1",
        &[("other", true)],
    );
    for order in [["b1", "again"], ["again", "b1"]] {
        let (code, err) = assess(d, &["b2", order[0], order[1]], "overlap.json");
        assert_eq!(code, 4, "{err}");
        assert!(err.contains("b1") && err.contains("again"), "{err}");
        assert!(
            err.contains("account demo-0001, kind storage.bucket, region cn-north-1"),
            "{err}"
        );
        assert!(!d.join("overlap.json").exists(), "nothing is graded");
    }
}

#[test]
fn the_same_bundle_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    estate(d);
    // By path.
    let (code, err) = assess(d, &["b1", "b2", "b1"], "twice.json");
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("given twice"), "{err}");
    // By content: the archive of a bundle is the same bundle.
    let (code, _, err) = cloudcap(d, &["evidence", "export", "b2", "--out", "b2.tar"]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = assess(d, &["b2", "b3", "b2.tar"], "twice.json");
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("same bundle") && err.contains("b2.tar") && err.contains("b2 "),
        "{err}"
    );
    assert!(!d.join("twice.json").exists());
}

#[test]
fn verify_report_and_gate_take_the_estate_list_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    estate(d);
    let (code, err) = assess(d, &["b1", "b2", "b3"], "estate.json");
    assert_eq!(code, 0, "{err}");

    let (code, out, err) = cloudcap(d, &["verify-report", "estate.json", "b3", "b1", "b2"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("3 bundles") && out.contains("byte-identical"),
        "{out}"
    );
    // A bundle missing from the list, or one too many: invalid input.
    let (code, _, err) = cloudcap(d, &["verify-report", "estate.json", "b1", "b2"]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("the report assesses bundles"), "{err}");

    // gate: repeated `--bundle`, or one `--bundle` with the list.
    let (code, out, _) = cloudcap(
        d,
        &[
            "gate",
            "estate.json",
            "--bundle",
            "b2",
            "--bundle",
            "b1",
            "--bundle",
            "b3",
        ],
    );
    assert_ne!(code, 4, "{out}");
    assert!(out.contains("identical"), "{out}");
    let (code, out, _) = cloudcap(d, &["gate", "estate.json", "--bundle", "b3", "b2", "b1"]);
    assert_ne!(code, 4, "{out}");
    assert!(out.contains("identical"), "{out}");
    let (code, out, _) = cloudcap(d, &["gate", "estate.json", "--bundle", "b3", "b2"]);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("invalid:"), "{out}");
}
