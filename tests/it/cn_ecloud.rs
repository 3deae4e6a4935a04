//! `cloudcap collect ecloud` (China Mobile Cloud) end to end against the fixture server, which
//! checks the `V2.0` query signature independently (`cn_fixture_ecloud.rs`): exact security
//! group records read over two pages, a throttled call retried, a refused call recorded as an
//! error, every kind without a sourced API `not-implemented`, the per-rule assessment, a wrong secret
//! refused on every request, and no secret anywhere in the output.
//!
//! There is no contract test for ecloud: its SDK cannot be installed here; `docs/collectors.md`
//! names the source of every call and field instead.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use cloudcap_collect::cn::SignableRequest;
use cloudcap_evidence::Bundle;
use serde_json::{Value, json};

use crate::cn_e2e::{
    self, KEY_ID, SECRET, assert_records, assert_secret_absent, errors, rec, records, rule, set,
    statuses,
};
use crate::cn_fixture::{self, Vendor, ecloud::FILLERS};

/// The regions the fixture lists (`gz2-old` is marked deleted and left out).
const REGIONS: [&str; 2] = ["gz2-az1", "gz2-az2"];

/// Kinds recorded once, `global`, as not implemented.
const GLOBAL_UNREAD: [&str; 4] = [
    "identity.access-key",
    "identity.password-policy",
    "identity.user",
    "monitoring.config-recorder",
];

/// Regional kinds recorded per region as not implemented.
const REGIONAL_UNREAD: [&str; 8] = [
    "audit.trail",
    "backup.plan",
    "compute.volume",
    "crypto.key",
    "database.instance",
    "monitoring.threat-detection",
    "network.vpc",
    "storage.bucket",
];

fn collect(secret: &str, out: &Path, extra: &[&str]) -> (u8, String, Vec<(String, bool)>) {
    cn_e2e::run_collect(Vendor::Ecloud, KEY_ID, secret, out, extra)
}

fn group(id: &str, name: &str, ports: &[u16], all: bool) -> Value {
    rec(
        "ecloud",
        "unknown",
        "network.security-group",
        "global",
        id,
        json!({"name": name, "world_open_ports": ports, "world_open_all": all}),
    )
}

fn expected_records() -> Vec<Value> {
    let mut expected = vec![
        group("sg-web", "web", &[22, 443], false),
        group("sg-db", "db", &[], false),
        group("sg-open", "debug-open", &[], true),
        group("sg-slow", "batch", &[5432], false),
    ];
    for i in 0..FILLERS {
        expected.push(group(
            &format!("sg-fill-{i:02}"),
            &format!("fill-{i:02}"),
            &[],
            false,
        ));
    }
    for region in REGIONS {
        expected.push(rec(
            "ecloud",
            "unknown",
            "region.inventory",
            region,
            region,
            // No data-bearing kind is collected (none is read): whether the region holds
            // data is not known, so `holds_data` is absent; nor is where the region is (the
            // listing names no place), so `mainland_china` is absent too.
            json!({"collected": true, "resource_count": 0}),
        ));
    }
    expected
}

fn expected_errors() -> Vec<(String, String, String)> {
    let mut expected: Vec<(String, String, String)> = vec![(
        "network.security-group".into(),
        "global".into(),
        "access-denied".into(),
    )];
    for kind in GLOBAL_UNREAD {
        expected.push((kind.into(), "global".into(), "not-implemented".into()));
    }
    for kind in REGIONAL_UNREAD {
        for region in REGIONS {
            expected.push((kind.into(), region.into(), "not-implemented".into()));
        }
    }
    expected.sort();
    expected
}

/// Every request is accepted; the 57 groups come from two pages; `sg-slow`'s throttled rule
/// listing is retried and recorded; `sg-denied`'s refused one makes the security-group scope an
/// `access-denied` error without a record for it; every other kind is `not-implemented`.
#[test]
fn cn_ecloud_collects_exact_records_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = collect(SECRET, &out, &[]);
    assert_eq!(code, 3, "{stderr}");
    assert!(log.iter().all(|(_, ok)| *ok), "{log:?}");
    let count = |action: &str| log.iter().filter(|(a, _)| a == action).count();
    assert_eq!(count("GetRegionList"), 1, "{log:?}");
    assert_eq!(count("GetSecurityGroupList"), 2, "two pages of 50: {log:?}");
    // 57 groups, and sg-slow twice (throttled, then served).
    assert_eq!(count("GetSecurityGroupRules"), 5 + FILLERS + 1, "{log:?}");
    let bundle = Bundle::open(&out).unwrap();
    assert_records(&records(&bundle), expected_records());
    let st = statuses(&bundle);
    let mut errs = errors(&st);
    errs.sort();
    assert_eq!(errs, expected_errors());
    // The security-group scope counts the 56 groups it did record.
    let sg = bundle
        .records("collection.status")
        .map(|r| r.unwrap().1)
        .find(|v| v["kind"] == "network.security-group")
        .unwrap();
    assert_eq!(sg["record_count"], 4 + FILLERS as u64, "{sg}");
    assert!(
        sg["message"].as_str().unwrap().contains("sg-denied"),
        "{sg}"
    );
    let ok: BTreeSet<(String, String)> = st
        .iter()
        .filter(|s| s.2 == "ok")
        .map(|s| (s.0.clone(), s.1.clone()))
        .collect();
    assert_eq!(
        ok,
        REGIONS
            .iter()
            .map(|r| ("region.inventory".to_owned(), (*r).to_owned()))
            .collect()
    );
    assert_secret_absent(dir.path(), &stderr);

    // The assessment: the three world-open rules fail on exactly the groups that open those
    // ports; rules of kinds not read are not evaluated.
    let rules = cn_e2e::assess(&out);
    assert_eq!(rule(&rules, "no-world-open-all").1, set(&["sg-open"]));
    assert_eq!(
        rule(&rules, "no-world-admin-ports").1,
        set(&["sg-open", "sg-web"])
    );
    assert_eq!(
        rule(&rules, "no-world-db-ports").1,
        set(&["sg-open", "sg-slow"])
    );
    // Some groups fail, the others pass (docs/scoring.md: a mix is partially-satisfied).
    for id in [
        "no-world-open-all",
        "no-world-admin-ports",
        "no-world-db-ports",
    ] {
        assert_eq!(rule(&rules, id).0, "partially-satisfied", "{id}");
    }
    // The group listing does not say whether a group serves a classic network, so
    // `classic_network` is absent and sg-in-vpc is not evaluated: never a failure.
    let (result, failed) = rule(&rules, "sg-in-vpc");
    assert_eq!(result, "not-evaluated");
    assert!(failed.is_empty(), "{failed:?}");
    // Where the regions are is not known: residency is not evaluated, neither passed on a
    // guess that they are in the mainland nor failed.
    assert_eq!(rule(&rules, "data-in-mainland").0, "not-evaluated");
    for (id, (result, failed)) in &rules {
        if !id.starts_with("no-world-") {
            assert!(
                failed.is_empty(),
                "rule {id} ({result}) failed without evidence"
            );
        }
    }
    let report = cn_e2e::assess_report(&out);
    assert!(!serde_json::to_string(&report).unwrap().contains(SECRET));
}

/// A wrong secret: the fixture refuses every request (the region listing and the security
/// group listing), nothing is recorded, every kind has an error status, and nothing is
/// assessed as passing or failing.
#[test]
fn cn_ecloud_wrong_secret_is_refused_on_every_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = collect("not-the-secret", &out, &[]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log.iter().all(|(_, ok)| !ok), "{log:?}");
    let bundle = Bundle::open(&out).unwrap();
    assert!(records(&bundle).is_empty());
    let st = statuses(&bundle);
    let kinds: BTreeSet<&str> = st.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(kinds.len(), 14, "every kind has a status: {st:?}");
    for s in &st {
        assert_eq!(s.2, "error", "{s:?}");
        let expected = if matches!(s.0.as_str(), "network.security-group" | "region.inventory") {
            "access-denied"
        } else {
            "not-implemented"
        };
        assert_eq!(s.3.as_deref(), Some(expected), "{s:?}");
    }
    for (id, (result, _)) in cn_e2e::assess(&out) {
        assert_eq!(
            result, "not-evaluated",
            "rule {id} is {result} without evidence"
        );
    }
    assert_secret_absent(dir.path(), &stderr);
    assert!(!stderr.contains("not-the-secret"));
}

/// `--max-pages 1`: the security-group listing has a second page, so its scope is `truncated`
/// and no group is recorded (never a short listing).
#[test]
fn cn_ecloud_page_bound_is_a_truncated_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = collect(SECRET, &out, &["--max-pages", "1"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(log.iter().all(|(_, ok)| *ok), "{log:?}");
    let bundle = Bundle::open(&out).unwrap();
    let errs = cn_e2e::error_classes(&bundle);
    assert_eq!(
        errs.get(&("network.security-group".to_owned(), "global".to_owned()))
            .map(String::as_str),
        Some("truncated"),
        "{errs:?}"
    );
    assert!(
        !records(&bundle)
            .iter()
            .any(|r| r["kind"] == "network.security-group")
    );
}

/// `--region gz2-az1`: the other listed region gets `not-collected` statuses and a
/// `region.inventory` record saying it was not collected.
#[test]
fn cn_ecloud_region_restriction_records_the_other_region_as_not_collected() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, _) = collect(SECRET, &out, &["--region", "gz2-az1"]);
    assert_eq!(code, 3, "{stderr}");
    let bundle = Bundle::open(&out).unwrap();
    let errs = cn_e2e::error_classes(&bundle);
    for kind in REGIONAL_UNREAD {
        assert_eq!(
            errs.get(&(kind.to_owned(), "gz2-az1".to_owned()))
                .map(String::as_str),
            Some("not-implemented"),
            "{kind}: {errs:?}"
        );
        assert_eq!(
            errs.get(&(kind.to_owned(), "gz2-az2".to_owned()))
                .map(String::as_str),
            Some("not-collected"),
            "{kind}: {errs:?}"
        );
    }
    let inventory: Vec<Value> = records(&bundle)
        .into_iter()
        .filter(|r| r["kind"] == "region.inventory")
        .collect();
    assert_eq!(inventory.len(), 2, "{inventory:?}");
    let other = inventory.iter().find(|r| r["region"] == "gz2-az2").unwrap();
    assert_eq!(other["collected"], false, "{other}");
}

/// The fixture accepts a request signed now by the collector's signer and refuses the same
/// request signed an hour ago, in ecloud's answer envelope.
#[test]
fn cn_ecloud_fixture_refuses_stale_signatures() {
    let fixture = cn_fixture::start(Vendor::Ecloud, KEY_ID, SECRET);
    let request = || {
        let mut r = SignableRequest::new("GET", "", "/api/v2/region", "region");
        r.query = vec![("component".into(), "NOVA".into())];
        r
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (status, body) = cn_e2e::send_signed(
        &fixture.url,
        Vendor::Ecloud,
        request(),
        now,
        "0123456789abcdef0123456789abcdef",
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "OK");
    let (status, body) = cn_e2e::send_signed(
        &fixture.url,
        Vendor::Ecloud,
        request(),
        now - 3600,
        "fedcba9876543210fedcba9876543210",
    );
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["state"], "ERROR");
    assert!(
        body["errorMessage"].as_str().unwrap().contains("stale"),
        "{body}"
    );
    // A replayed nonce is refused too.
    let (status, _) = cn_e2e::send_signed(
        &fixture.url,
        Vendor::Ecloud,
        request(),
        now,
        "0123456789abcdef0123456789abcdef",
    );
    assert_eq!(status, 401);
}

/// ecloud names no account: `--account-id` records the operator's id on every record and
/// status, the run record says it was declared, and the report's boundary says so in both
/// languages; a malformed id and an id for a provider that names its accounts are refused
/// before anything is written.
#[test]
fn cn_ecloud_declared_account_id_is_recorded_as_declared() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, _) = collect(SECRET, &out, &["--account-id", "ecloud-acct.01"]);
    assert_eq!(code, 3, "{stderr}");
    let bundle = Bundle::open(&out).unwrap();
    let all = records(&bundle);
    assert!(!all.is_empty());
    for r in &all {
        assert_eq!(r["account"], "ecloud-acct.01", "{r}");
    }
    let runs: Vec<Value> = bundle
        .records("collection.run")
        .map(|r| r.unwrap().1)
        .collect();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["account"], "ecloud-acct.01");
    assert_eq!(runs[0]["account_declared"], true);
    for v in bundle.records("collection.status").map(|r| r.unwrap().1) {
        assert_eq!(v["account"], "ecloud-acct.01", "{v}");
    }
    let report = cn_e2e::assess_report(&out);
    let accounts = report["boundary"]["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(accounts[0]["account_declared"], true);
    for (lang, said) in [
        ("en", "Account ids given by the operator"),
        ("zh", "账号标识由操作者声明"),
    ] {
        let md = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
            .arg("report")
            .arg(out.with_extension("report.json"))
            .args(["--format", "markdown", "--lang", lang])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&md.stdout);
        assert!(
            text.contains(said) && text.contains("ecloud / ecloud-acct.01"),
            "{lang}: {}",
            String::from_utf8_lossy(&md.stderr)
        );
    }

    // Refused before anything is written: a malformed id, and an id for Alibaba (whose API
    // names the account).
    for (vendor, id) in [(Vendor::Ecloud, "has space"), (Vendor::Alibaba, "123")] {
        let out = dir.path().join(format!("refused-{id}"));
        let (code, stderr, log) =
            cn_e2e::run_collect(vendor, KEY_ID, SECRET, &out, &["--account-id", id]);
        assert!(code == 2 || code == 4, "{vendor:?} {id}: {code} {stderr}");
        assert!(stderr.contains("account"), "{stderr}");
        assert!(log.is_empty(), "{vendor:?}: requests sent: {log:?}");
        assert!(!out.exists(), "{vendor:?}: {}", out.display());
    }
}
