//! `cloudcap collect ctyun` (China Telecom Cloud) end to end against the fixture server, which
//! checks the EOP header signature independently (`cn_fixture_ctyun.rs`): exact security group
//! records read over two pages (the second throttled once, retried), volumes, backup policies
//! and database instances read over several pages, a refused region recorded
//! as an error, every kind without a sourced API `not-implemented`, the per-rule assessment, a
//! wrong secret refused on every request, a page bound, a region restriction, stale and
//! replayed signatures, and no secret anywhere in the output.
//!
//! Object storage (ZOS, an S3 API) is tested against moto with signature checking on
//! (`tests/moto/seed_zos.py`, one server per test, stopped on drop; skipped loudly without
//! `CLOUDCAP_VENV`): exact bucket records and per-rule results, a wrong ZOS secret refused on
//! every request, a paged listing and its page bound, a partial configuration refused.
//!
//! The fixture files are checked against the ctyunsdk response models by the contract test
//! (`cn_contract`).

use std::collections::BTreeSet;
use std::path::Path;

use cloudcap_collect::cn::SignableRequest;
use cloudcap_evidence::Bundle;
use serde_json::{Value, json};

use crate::cn_e2e::{
    self, KEY_ID, SECRET, assert_records, assert_secret_absent, errors, rec, records, rule, set,
    statuses,
};
use crate::cn_fixture::ctyun::{DENIED_REGION, FILLERS, REGION, filler};
use crate::cn_fixture::{self, Vendor};

/// The regions the fixture lists, sorted.
const REGIONS: [&str; 2] = [DENIED_REGION, REGION];

/// Kinds recorded once, `global`, as not implemented.
const GLOBAL_UNREAD: [&str; 4] = [
    "identity.access-key",
    "identity.password-policy",
    "identity.user",
    "monitoring.config-recorder",
];

/// Regional kinds recorded per region as not implemented.
const REGIONAL_UNREAD: [&str; 4] = [
    "audit.trail",
    "crypto.key",
    "monitoring.threat-detection",
    "network.vpc",
];

/// Without the ZOS variables: `storage.bucket` is not collected (never unsupported).
fn collect(secret: &str, out: &Path, extra: &[&str]) -> (u8, String, Vec<(String, bool)>) {
    cn_e2e::run_collect(Vendor::Ctyun, KEY_ID, secret, out, extra)
}

/// A group of the main VPC.
fn group(id: &str, name: &str, ports: &[u16], all: bool) -> Value {
    rec(
        "ctyun",
        "unknown",
        "network.security-group",
        REGION,
        id,
        json!({"name": name, "vpc_id": "vpc-main00001", "classic_network": false,
               "world_open_ports": ports, "world_open_all": all}),
    )
}

/// A volume of the main region (`customer_managed_key` is absent for an encrypted volume:
/// whose key it is the answer does not say).
fn volume(id: &str, fields: Value) -> Value {
    rec("ctyun", "unknown", "compute.volume", REGION, id, fields)
}

/// The `region.inventory` record of a collected region: the listing has no sourced mainland
/// indicator (`ctyun::mainland_china` is `None`), so `mainland_china` is absent.
fn inventory(region: &str, resources: u64, holds_data: Option<bool>) -> Value {
    let mut fields = json!({"collected": true, "resource_count": resources});
    if let Some(holds) = holds_data {
        fields["holds_data"] = json!(holds);
    }
    rec(
        "ctyun",
        "unknown",
        "region.inventory",
        region,
        region,
        fields,
    )
}

/// The buckets of `tests/moto/seed_zos.py`, attributed to the region the ZOS endpoint serves.
fn expected_buckets() -> Vec<Value> {
    let bucket = |name: &str, fields: Value| {
        let mut fields = fields;
        fields["name"] = json!(name);
        rec("ctyun", "unknown", "storage.bucket", REGION, name, fields)
    };
    vec![
        bucket(
            "zos-good",
            json!({"encrypted": true, "customer_managed_key": true, "versioning": true,
                   "public": false, "public_access_block": true, "access_logging": true}),
        ),
        // AES256 is the store's own key; versioning suspended; log delivery is not public.
        bucket(
            "zos-logs",
            json!({"encrypted": true, "customer_managed_key": false, "versioning": false,
                   "public": false, "public_access_block": false, "access_logging": false}),
        ),
        bucket(
            "zos-public",
            json!({"encrypted": false, "customer_managed_key": false, "versioning": false,
                   "public": true, "public_access_block": false, "access_logging": false}),
        ),
        // Public ACLs are blocked, a public policy is not: the policy makes it public.
        bucket(
            "zos-policy",
            json!({"encrypted": false, "customer_managed_key": false, "versioning": false,
                   "public": true, "public_access_block": false, "access_logging": false}),
        ),
        bucket(
            "zos-private",
            json!({"encrypted": false, "customer_managed_key": false, "versioning": false,
                   "public": false, "public_access_block": false, "access_logging": false}),
        ),
    ]
}

fn expected_records(zos: bool) -> Vec<Value> {
    let mut expected = vec![
        group("sg-web0000001", "web", &[22, 443], false),
        group("sg-db00000001", "db", &[], false),
        group("sg-open000001", "debug-open", &[], true),
        // No `vpcID`: neither the VPC nor whether it serves a classic network is known.
        rec(
            "ctyun",
            "unknown",
            "network.security-group",
            REGION,
            "sg-default0001",
            json!({"name": "Default-Security-Group", "world_open_ports": [], "world_open_all": false}),
        ),
    ];
    for i in 0..FILLERS {
        expected.push(group(&filler(i), &format!("fill-{i:02}"), &[], false));
    }
    expected.push(volume(
        "vol-enc000001",
        json!({"encrypted": true, "attached": true}),
    ));
    expected.push(volume(
        "vol-plain00001",
        json!({"encrypted": false, "customer_managed_key": false, "attached": false}),
    ));
    expected.push(volume(
        "vol-sys000001",
        json!({"encrypted": false, "customer_managed_key": false, "attached": true}),
    ));
    let plan = |id: &str, fields: Value| rec("ctyun", "unknown", "backup.plan", REGION, id, fields);
    expected.push(plan(
        "bp-daily0000001",
        json!({"name": "daily-30d", "enabled": true, "retention_days": 30, "keeps_forever": false}),
    ));
    // A number of backups and "keep all" are not day counts: no `retention_days`.
    expected.push(plan(
        "bp-weekly000001",
        json!({"name": "weekly-keep-4", "enabled": false}),
    ));
    expected.push(plan(
        "bp-forever00001",
        json!({"name": "keep-all", "enabled": true, "keeps_forever": true}),
    ));
    let db =
        |id: &str, fields: Value| rec("ctyun", "unknown", "database.instance", REGION, id, fields);
    // TDE on, no elastic IP, nodes in two zones, 691200 s of backups (8 days).
    expected.push(db(
        "rds-good000001",
        json!({"engine": "mysql", "encrypted": true, "public": false,
               "backup_retention_days": 8, "multi_az": true}),
    ));
    // TDE off says nothing about the storage: `encrypted` absent. An elastic IP is bound, one
    // zone, automatic backup off (0 days).
    expected.push(db(
        "rds-open000001",
        json!({"engine": "mysql", "public": true, "backup_retention_days": 0, "multi_az": false}),
    ));
    // Cloud-server backup policies: 3 days (too short), a count with advanced retention (no
    // period: neither field), every backup kept.
    expected.push(plan(
        "ecsbp-short0001",
        json!({"name": "hosts-3d", "enabled": true, "retention_days": 3, "keeps_forever": false}),
    ));
    expected.push(plan(
        "ecsbp-count0001",
        json!({"name": "hosts-keep-10", "enabled": true}),
    ));
    expected.push(plan(
        "ecsbp-forever01",
        json!({"name": "hosts-all", "enabled": true, "keeps_forever": true}),
    ));
    let buckets = if zos { expected_buckets() } else { Vec::new() };
    // Volumes were found in the main region; in the refused one nothing is known.
    expected.push(inventory(
        REGION,
        4 + FILLERS as u64 + 3 + 3 + 3 + 2 + buckets.len() as u64,
        Some(true),
    ));
    expected.extend(buckets);
    expected.push(inventory(DENIED_REGION, 0, None));
    expected
}

fn expected_errors(zos: bool) -> Vec<(String, String, String)> {
    let mut expected: Vec<(String, String, String)> = vec![
        (
            "network.security-group".into(),
            DENIED_REGION.into(),
            "access-denied".into(),
        ),
        (
            "compute.volume".into(),
            DENIED_REGION.into(),
            "access-denied".into(),
        ),
        (
            "backup.plan".into(),
            DENIED_REGION.into(),
            "access-denied".into(),
        ),
        (
            "database.instance".into(),
            DENIED_REGION.into(),
            "access-denied".into(),
        ),
        // `vol-legacy0001` has no `isEncrypt`: never read as unencrypted.
        ("compute.volume".into(), REGION.into(), "malformed".into()),
        // `rds-bind000001`'s elastic IP is being bound (`eipStatus` 2): whether it is public
        // is not known, so it has no record.
        (
            "database.instance".into(),
            REGION.into(),
            "malformed".into(),
        ),
    ];
    for kind in GLOBAL_UNREAD {
        expected.push((kind.into(), "global".into(), "not-implemented".into()));
    }
    for kind in REGIONAL_UNREAD {
        for region in REGIONS {
            expected.push((kind.into(), region.into(), "not-implemented".into()));
        }
    }
    if !zos {
        for region in REGIONS {
            expected.push((
                "storage.bucket".into(),
                region.into(),
                "not-collected".into(),
            ));
        }
    } else {
        // The ZOS endpoint given serves the main region only.
        expected.push((
            "storage.bucket".into(),
            DENIED_REGION.into(),
            "not-collected".into(),
        ));
    }
    expected.sort();
    expected
}

/// Every request is accepted; the 56 groups come from two pages, the second throttled once and
/// retried; the refused region's security-group scope is an `access-denied` error; every other
/// kind is `not-implemented`.
#[test]
fn cn_ctyun_collects_exact_records_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = collect(SECRET, &out, &[]);
    assert_eq!(code, 3, "{stderr}");
    assert!(log.iter().all(|(_, ok)| *ok), "{log:?}");
    let count = |action: &str| log.iter().filter(|(a, _)| a == action).count();
    assert_eq!(count("V4RegionListRegions"), 1, "{log:?}");
    // Two pages in the main region (the second twice: throttled, then served), one refused
    // page in the other.
    assert_eq!(count("V4VpcNewQuerySecurityGroups"), 4, "{log:?}");
    // The four volumes on two pages in the main region, one refused page in the other.
    assert_eq!(count("V4EbsListEbs"), 3, "{log:?}");
    // Three policies, one a page, in the main region; one refused page in the other.
    assert_eq!(count("V4EbsBackupPolicyListPolicies"), 4, "{log:?}");
    // The cloud-server policies the same way.
    assert_eq!(count("V4EcsBackupPolicyList"), 4, "{log:?}");
    // Three instances, one a page, in the main region (their backup settings the same), each
    // with its detail and TDE state; one refused listing page in the other region.
    assert_eq!(count("Rds2GetInstanceListV4"), 4, "{log:?}");
    assert_eq!(count("Rds2GetBackupConfigList"), 3, "{log:?}");
    assert_eq!(count("Rds2GetInstanceDetailV4"), 3, "{log:?}");
    assert_eq!(count("Rds2GetInstanceTdeStatus"), 3, "{log:?}");
    let bundle = Bundle::open(&out).unwrap();
    assert_records(&records(&bundle), expected_records(false));
    let st = statuses(&bundle);
    let mut errs = errors(&st);
    errs.sort();
    assert_eq!(errs, expected_errors(false));
    let bucket = bundle
        .records("collection.status")
        .map(|r| r.unwrap().1)
        .find(|v| v["kind"] == "storage.bucket" && v["region"] == REGION)
        .unwrap();
    let message = bucket["message"].as_str().unwrap();
    for var in cloudcap_collect::cn::zos::ENV_VARS {
        assert!(message.contains(var), "{bucket}");
    }
    let ok: BTreeSet<(String, String)> = st
        .iter()
        .filter(|s| s.2 == "ok")
        .map(|s| (s.0.clone(), s.1.clone()))
        .collect();
    let mut expected_ok: BTreeSet<(String, String)> = REGIONS
        .iter()
        .map(|r| ("region.inventory".to_owned(), (*r).to_owned()))
        .collect();
    expected_ok.insert(("network.security-group".to_owned(), REGION.to_owned()));
    expected_ok.insert(("backup.plan".to_owned(), REGION.to_owned()));
    assert_eq!(ok, expected_ok);
    let sg = bundle
        .records("collection.status")
        .map(|r| r.unwrap().1)
        .find(|v| v["kind"] == "network.security-group" && v["region"] == REGION)
        .unwrap();
    assert_eq!(sg["record_count"], 4 + FILLERS as u64, "{sg}");
    let denied = bundle
        .records("collection.status")
        .map(|r| r.unwrap().1)
        .find(|v| v["kind"] == "network.security-group" && v["region"] == DENIED_REGION)
        .unwrap();
    assert!(
        denied["message"]
            .as_str()
            .unwrap()
            .contains("Openapi.Common.403"),
        "{denied}"
    );
    assert_secret_absent(dir.path(), &stderr);

    // The assessment: the world-open rules fail on exactly the groups that open those ports.
    let rules = cn_e2e::assess(&out);
    let report = cn_e2e::assess_report(&out);
    assert_eq!(rule(&rules, "no-world-open-all").1, set(&["sg-open000001"]));
    assert_eq!(
        rule(&rules, "no-world-admin-ports").1,
        set(&["sg-open000001", "sg-web0000001"])
    );
    assert_eq!(rule(&rules, "no-world-db-ports").1, set(&["sg-open000001"]));
    for id in [
        "no-world-open-all",
        "no-world-admin-ports",
        "no-world-db-ports",
    ] {
        assert_eq!(rule(&rules, id).0, "partially-satisfied", "{id}");
    }
    // Every group with a `vpcID` is in a VPC; the one without says nothing: never a failure.
    let (_, failed) = rule(&rules, "sg-in-vpc");
    assert!(failed.is_empty(), "{failed:?}");
    // Volumes: encryption fails on the two unencrypted ones; the customer-key rule fails on
    // them too and leaves the encrypted one unevaluated (whose key it is is not known).
    let unencrypted = set(&["vol-plain00001", "vol-sys000001"]);
    let (result, failed) = rule(&rules, "volume-encrypted");
    assert_eq!(
        (result.as_str(), &failed),
        ("partially-satisfied", &unencrypted)
    );
    let (result, failed) = rule(&rules, "volume-customer-key");
    assert_eq!((result.as_str(), &failed), ("not-satisfied", &unencrypted));
    // Databases: `rds-open000001` fails the exposure, retention and zone rules; the
    // encryption rule passes on `rds-good000001` and leaves `rds-open000001` (TDE off)
    // unevaluated; `rds-bind000001` (no record) is evaluated by none.
    for id in [
        "database-not-public",
        "database-backup-retention",
        "database-multi-az",
    ] {
        let (result, failed) = rule(&rules, id);
        assert_eq!(
            (result.as_str(), &failed),
            ("partially-satisfied", &set(&["rds-open000001"])),
            "{id}"
        );
    }
    let (result, failed) = rule(&rules, "database-encrypted");
    assert_eq!((result.as_str(), failed.len()), ("not-evaluated", 0));
    // `encrypted` not reported for `rds-open000001`; the region's collection error (the
    // malformed `rds-bind000001`) outranks it as the reason.
    cn_e2e::assert_not_reported(
        &report,
        "database-encrypted",
        "collection-error",
        "encrypted",
        "ctyun",
        &["rds-open000001"],
    );
    // irdr-12.6 a: the 3-day cloud-server policy fails; the count-based one (no period) is not
    // evaluated and named as not reported, never passed or failed; the disabled volume policy
    // is out of scope.
    let (result, failed) = rule(&rules, "backup-plan-retention");
    assert_eq!(
        (result.as_str(), &failed),
        ("partially-satisfied", &set(&["ecsbp-short0001"]))
    );
    let retention = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["items"].as_array().unwrap())
        .flat_map(|i| i["rules"].as_array().unwrap())
        .find(|r| r["id"] == "backup-plan-retention")
        .unwrap();
    let unreported: BTreeSet<&str> = retention["not_reported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["resource_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        unreported,
        BTreeSet::from(["ecsbp-count0001"]),
        "{retention}"
    );
    // Where the regions are is not known: residency is not evaluated, never passed on a guess.
    assert_eq!(rule(&rules, "data-in-mainland").0, "not-evaluated");
    for (id, (result, failed)) in &rules {
        if !id.starts_with("no-world-")
            && !id.starts_with("volume-")
            && !id.starts_with("database-")
            && id != "backup-plan-retention"
        {
            assert!(
                failed.is_empty(),
                "rule {id} ({result}) failed without evidence"
            );
        }
    }
    assert!(!serde_json::to_string(&report).unwrap().contains(SECRET));
}

/// A wrong secret: the fixture refuses every request (the region listing; without a region no
/// security-group listing can be sent, so that scope carries the listing's refusal), nothing is
/// recorded, every kind has an error status, and nothing is assessed as passing or failing.
#[test]
fn cn_ctyun_wrong_secret_is_refused_on_every_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = collect("not-the-secret", &out, &[]);
    assert_eq!(code, 3, "{stderr}");
    assert!(!log.is_empty(), "{log:?}");
    assert!(log.iter().all(|(_, ok)| !ok), "{log:?}");
    let bundle = Bundle::open(&out).unwrap();
    assert!(records(&bundle).is_empty());
    let st = statuses(&bundle);
    let kinds: BTreeSet<&str> = st.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(kinds.len(), 14, "every kind has a status: {st:?}");
    for s in &st {
        assert_eq!(s.2, "error", "{s:?}");
        assert_eq!(s.1, "global", "{s:?}");
        let expected = if matches!(
            s.0.as_str(),
            "backup.plan"
                | "compute.volume"
                | "database.instance"
                | "network.security-group"
                | "region.inventory"
        ) {
            "access-denied"
        } else if s.0 == "storage.bucket" {
            "not-collected"
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

/// A wrong secret with `--region`: the security-group listing is sent too and refused as well.
#[test]
fn cn_ctyun_wrong_secret_is_refused_for_the_regional_listing_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = collect("not-the-secret", &out, &["--region", REGION]);
    // The region listing is refused, so `--region` cannot be checked against it: the run
    // goes on with the region asked for.
    assert_eq!(code, 3, "{stderr}");
    let actions: BTreeSet<&str> = log.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        BTreeSet::from([
            "V4EbsBackupPolicyListPolicies",
            "V4EbsListEbs",
            "Rds2GetInstanceListV4",
            "V4EcsBackupPolicyList",
            "V4RegionListRegions",
            "V4VpcNewQuerySecurityGroups"
        ]),
        "{log:?}"
    );
    assert!(log.iter().all(|(_, ok)| !ok), "{log:?}");
    let bundle = Bundle::open(&out).unwrap();
    assert!(records(&bundle).is_empty());
    assert_eq!(
        cn_e2e::error_classes(&bundle)
            .get(&("network.security-group".to_owned(), REGION.to_owned()))
            .map(String::as_str),
        Some("access-denied")
    );
    assert_secret_absent(dir.path(), &stderr);
}

/// `--max-pages 1`: the main region's listing has a second page, so its scope is `truncated`
/// and no group is recorded (never a short listing).
#[test]
fn cn_ctyun_page_bound_is_a_truncated_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = collect(SECRET, &out, &["--max-pages", "1"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(log.iter().all(|(_, ok)| *ok), "{log:?}");
    let bundle = Bundle::open(&out).unwrap();
    let errs = cn_e2e::error_classes(&bundle);
    assert_eq!(
        errs.get(&("network.security-group".to_owned(), REGION.to_owned()))
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

/// `--region <main>`: the other listed region gets `not-collected` statuses and a
/// `region.inventory` record saying it was not collected.
#[test]
fn cn_ctyun_region_restriction_records_the_other_region_as_not_collected() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, _) = collect(SECRET, &out, &["--region", REGION]);
    assert_eq!(code, 3, "{stderr}");
    let bundle = Bundle::open(&out).unwrap();
    let errs = cn_e2e::error_classes(&bundle);
    for kind in REGIONAL_UNREAD {
        assert_eq!(
            errs.get(&(kind.to_owned(), REGION.to_owned()))
                .map(String::as_str),
            Some("not-implemented"),
            "{kind}: {errs:?}"
        );
        assert_eq!(
            errs.get(&(kind.to_owned(), DENIED_REGION.to_owned()))
                .map(String::as_str),
            Some("not-collected"),
            "{kind}: {errs:?}"
        );
    }
    assert_eq!(
        errs.get(&(
            "network.security-group".to_owned(),
            DENIED_REGION.to_owned()
        ))
        .map(String::as_str),
        Some("not-collected"),
        "{errs:?}"
    );
    let inventory: Vec<Value> = records(&bundle)
        .into_iter()
        .filter(|r| r["kind"] == "region.inventory")
        .collect();
    assert_eq!(inventory.len(), 2, "{inventory:?}");
    let other = inventory
        .iter()
        .find(|r| r["region"] == DENIED_REGION)
        .unwrap();
    assert_eq!(other["collected"], false, "{other}");
}

/// The fixture accepts a request signed now by the collector's signer and refuses the same
/// request signed an hour ago, and a replayed request id, in CTyun's answer envelope.
#[test]
fn cn_ctyun_fixture_refuses_stale_and_replayed_signatures() {
    let fixture = cn_fixture::start(Vendor::Ctyun, KEY_ID, SECRET);
    let request = || SignableRequest::new("GET", "", "/v4/region/list-regions", "ecs");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let id = "0f1e2d3c-4b5a-1968-8776-554433221100";
    let (status, body) = cn_e2e::send_signed(&fixture.url, Vendor::Ctyun, request(), now, id);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["statusCode"], 800);
    let (status, body) = cn_e2e::send_signed(
        &fixture.url,
        Vendor::Ctyun,
        request(),
        now - 3600,
        "11111111-2222-1333-8444-555555555555",
    );
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["statusCode"], 900);
    assert!(
        body["message"].as_str().unwrap().contains("stale"),
        "{body}"
    );
    let (status, body) = cn_e2e::send_signed(&fixture.url, Vendor::Ctyun, request(), now, id);
    assert_eq!(status, 401, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("used before"),
        "{body}"
    );
}

/// A moto server seeded by `tests/moto/seed_zos.py` standing in for ZOS (an S3 API) with
/// signature checking on; stopped when dropped.
struct ZosMoto {
    _dir: tempfile::TempDir,
    log: std::path::PathBuf,
    pid: u32,
    url: String,
    key_id: String,
    secret: String,
}

impl Drop for ZosMoto {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .arg(self.pid.to_string())
            .status();
    }
}

impl ZosMoto {
    /// `None` (skipped loudly) without `CLOUDCAP_VENV` holding moto.
    fn start(test: &str) -> Option<ZosMoto> {
        let venv = std::env::var("CLOUDCAP_VENV")
            .ok()
            .filter(|v| Path::new(v).join("bin/moto_server").exists());
        let Some(venv) = venv else {
            eprintln!(
                "\n!!!! SKIPPED {test}: CLOUDCAP_VENV with moto_server is not set (./scripts/test sets it). !!!!\n"
            );
            return None;
        };
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("moto");
        let status = std::process::Command::new("timeout")
            .arg("60")
            .arg("bash")
            .arg(root.join("tests/moto/start.sh"))
            .arg(&state)
            .env("CLOUDCAP_VENV", &venv)
            .env("MOTO_SEED", root.join("tests/moto/seed_zos.py"))
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        let pid: u32 = std::fs::read_to_string(state.join("moto.pid"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let mut moto = ZosMoto {
            log: state.join("moto.log"),
            pid,
            url: String::new(),
            key_id: String::new(),
            secret: String::new(),
            _dir: dir,
        };
        assert!(status.success(), "tests/moto/start.sh failed");
        for line in std::fs::read_to_string(state.join("moto.env"))
            .unwrap()
            .lines()
        {
            match line.split_once('=') {
                Some(("CLOUDCAP_MOTO_URL", v)) => moto.url = v.to_owned(),
                Some(("CLOUDCAP_MOTO_ACCESS_KEY_ID", v)) => moto.key_id = v.to_owned(),
                Some(("CLOUDCAP_MOTO_SECRET_ACCESS_KEY", v)) => moto.secret = v.to_owned(),
                _ => {}
            }
        }
        assert!(!moto.url.is_empty() && !moto.secret.is_empty());
        Some(moto)
    }

    /// HTTP statuses moto answered after signature checking was switched on, per request line.
    fn answers(&self) -> Vec<(String, u16)> {
        let log = std::fs::read_to_string(&self.log).unwrap();
        let mut after = false;
        let mut out = Vec::new();
        for line in log.lines() {
            if line.contains("/moto-api/reset-auth") {
                after = true;
                continue;
            }
            if !after {
                continue;
            }
            // `127.0.0.1 - - [date] "GET /path HTTP/1.1" 200 -`, possibly with colour codes.
            let Some((_, rest)) = line.split_once('"') else {
                continue;
            };
            let Some((request, tail)) = rest.split_once('"') else {
                continue;
            };
            let request = request.trim_start_matches(|c: char| !c.is_ascii_uppercase());
            let status = tail
                .split_whitespace()
                .next()
                .and_then(|s| s.trim_matches(|c: char| !c.is_ascii_digit()).parse().ok());
            if let Some(status) = status {
                out.push((request.to_owned(), status));
            }
        }
        out
    }

    fn envs<'a>(&'a self, secret: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("CTYUN_ZOS_ENDPOINT", self.url.as_str()),
            ("CTYUN_ZOS_REGION", REGION),
            ("CTYUN_ZOS_ACCESS_KEY", self.key_id.as_str()),
            ("CTYUN_ZOS_SECRET_KEY", secret),
        ]
    }
}

fn assert_absent(dir: &Path, output: &str, secret: &str) {
    assert!(!output.contains(secret));
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else {
            let bytes = std::fs::read(&p).unwrap();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "secret found in {}",
                p.display()
            );
        }
    }
}

/// ZOS configured (moto as the S3 endpoint of the main region): exact bucket records in the
/// main region, the other region's buckets `not-collected`, every S3 request SigV4-accepted by
/// moto, the bucket rules failing on exactly the buckets that break them, no secret anywhere.
#[test]
fn cn_ctyun_zos_buckets_exact_records_against_moto() {
    let Some(moto) = ZosMoto::start("cn_ctyun_zos_buckets_exact_records_against_moto") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = cn_e2e::run_collect_env(
        Vendor::Ctyun,
        KEY_ID,
        SECRET,
        &out,
        &[],
        &moto.envs(&moto.secret),
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(log.iter().all(|(_, ok)| *ok), "{log:?}");
    let answers = moto.answers();
    // One listing, then per bucket: location, public access block, encryption, versioning,
    // logging, and the ACL / policy status unless the block makes them moot.
    assert!(
        answers.iter().all(|(_, s)| *s == 200 || *s == 404),
        "{answers:?}"
    );
    assert!(
        answers.iter().all(|(r, _)| r.starts_with("GET ")),
        "read-only: {answers:?}"
    );
    let count = |sub: &str| answers.iter().filter(|(r, _)| r.contains(sub)).count();
    assert_eq!(count("GET / HTTP"), 1, "{answers:?}");
    assert_eq!(count("?location"), 5, "{answers:?}");
    assert_eq!(count("?acl"), 3, "{answers:?}");
    assert_eq!(count("?policyStatus"), 4, "{answers:?}");
    assert_eq!(answers.len(), 1 + 5 * 5 + 3 + 4, "{answers:?}");
    let bundle = Bundle::open(&out).unwrap();
    assert_records(&records(&bundle), expected_records(true));
    let mut errs = errors(&statuses(&bundle));
    errs.sort();
    assert_eq!(errs, expected_errors(true));
    let ok = bundle
        .records("collection.status")
        .map(|r| r.unwrap().1)
        .find(|v| v["kind"] == "storage.bucket" && v["region"] == REGION)
        .unwrap();
    assert_eq!(
        (ok["status"].as_str(), ok["record_count"].as_u64()),
        (Some("ok"), Some(5))
    );
    assert_secret_absent(dir.path(), &stderr);
    assert_absent(dir.path(), &stderr, &moto.secret);

    let rules = cn_e2e::assess(&out);
    let others = set(&["zos-logs", "zos-policy", "zos-private", "zos-public"]);
    for (id, failed) in [
        (
            "bucket-encrypted",
            set(&["zos-policy", "zos-private", "zos-public"]),
        ),
        ("bucket-not-public", set(&["zos-policy", "zos-public"])),
        ("bucket-public-block", others.clone()),
        ("bucket-customer-key", others.clone()),
        ("bucket-versioning", others.clone()),
        ("bucket-access-logging", others.clone()),
    ] {
        let (result, got) = rule(&rules, id);
        assert_eq!(got, failed, "{id}");
        assert_eq!(result, "partially-satisfied", "{id}");
    }
    let report = cn_e2e::assess_report(&out);
    assert!(
        !serde_json::to_string(&report)
            .unwrap()
            .contains(&moto.secret)
    );
}

/// A wrong ZOS secret: moto refuses the request (SignatureDoesNotMatch), nothing else is sent,
/// the main region's bucket scope is `access-denied`, no bucket is recorded and no bucket rule
/// is evaluated.
#[test]
fn cn_ctyun_zos_wrong_secret_is_refused_on_every_request() {
    let Some(moto) = ZosMoto::start("cn_ctyun_zos_wrong_secret_is_refused_on_every_request") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let wrong = "zos-wrong-secret-0000000000000000000000";
    let (code, stderr, _) =
        cn_e2e::run_collect_env(Vendor::Ctyun, KEY_ID, SECRET, &out, &[], &moto.envs(wrong));
    assert_eq!(code, 3, "{stderr}");
    let answers = moto.answers();
    assert!(!answers.is_empty());
    assert!(answers.iter().all(|(_, s)| *s == 403), "{answers:?}");
    let bundle = Bundle::open(&out).unwrap();
    assert!(
        !records(&bundle)
            .iter()
            .any(|r| r["kind"] == "storage.bucket")
    );
    let errs = cn_e2e::error_classes(&bundle);
    assert_eq!(
        errs.get(&("storage.bucket".to_owned(), REGION.to_owned()))
            .map(String::as_str),
        Some("access-denied"),
        "{errs:?}"
    );
    let rules = cn_e2e::assess(&out);
    for id in [
        "bucket-encrypted",
        "bucket-not-public",
        "bucket-public-block",
        "bucket-customer-key",
        "bucket-versioning",
        "bucket-access-logging",
    ] {
        assert_eq!(rule(&rules, id).0, "not-evaluated", "{id}");
    }
    assert_absent(dir.path(), &stderr, wrong);
    assert_absent(dir.path(), &stderr, &moto.secret);
}

/// Some but not all ZOS variables: refused before anything is sent or written.
#[test]
fn cn_ctyun_zos_partial_configuration_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = cn_e2e::run_collect_env(
        Vendor::Ctyun,
        KEY_ID,
        SECRET,
        &out,
        &[],
        &[("CTYUN_ZOS_ENDPOINT", "https://zos.example.invalid")],
    );
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("CTYUN_ZOS_SECRET_KEY"), "{stderr}");
    assert!(log.is_empty(), "{log:?}");
    assert!(!out.exists());
}

/// A proxy in front of moto that serves its bucket listing as two pages (moto itself never
/// pages ListBuckets): the first two buckets with a `ContinuationToken`, then, for a request
/// carrying that token, the rest. Every other request is forwarded untouched; moto checks
/// each signature (the signed host is the proxy's, as the client sent it).
fn paging_proxy(upstream: &str) -> String {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream.trim_start_matches("http://").to_owned();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let upstream = upstream.clone();
            std::thread::spawn(move || {
                let Some(request) = crate::moto::read_request(&mut stream) else {
                    return;
                };
                let line = String::from_utf8_lossy(&request)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_owned();
                let answer = crate::moto::forward(&request, &upstream);
                let page = if line.starts_with("GET / ") {
                    Some(1)
                } else if line.starts_with("GET /?continuation-token=zos-page-2 ") {
                    Some(2)
                } else {
                    None
                };
                let answer = match page {
                    None => answer,
                    Some(page) => {
                        let end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
                        let head = String::from_utf8_lossy(&answer[..end]).into_owned();
                        let body = String::from_utf8_lossy(&answer[end + 4..]).into_owned();
                        let start = body.find("<Bucket>").unwrap();
                        let stop = body.rfind("</Bucket>").unwrap() + "</Bucket>".len();
                        let buckets: Vec<String> = body[start..stop]
                            .split_inclusive("</Bucket>")
                            .map(str::to_owned)
                            .collect();
                        let (kept, token) = if page == 1 {
                            (
                                buckets[..2].concat(),
                                "<ContinuationToken>zos-page-2</ContinuationToken>",
                            )
                        } else {
                            (buckets[2..].concat(), "")
                        };
                        let closing = "</ListAllMyBucketsResult>";
                        let tail = &body[stop..];
                        let tail = tail.replace(closing, &format!("{token}{closing}"));
                        let new_body = format!("{}{kept}{tail}", &body[..start]);
                        let head: Vec<String> = head
                            .lines()
                            .filter(|l| !l.to_ascii_lowercase().starts_with("content-length:"))
                            .map(str::to_owned)
                            .collect();
                        format!(
                            "{}\r\nContent-Length: {}\r\n\r\n{new_body}",
                            head.join("\r\n"),
                            new_body.len()
                        )
                        .into_bytes()
                    }
                };
                let _ = stream.write_all(&answer);
                let _ = stream.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    url
}

/// A paged bucket listing: read to its end (both pages, the same five records), and with
/// `--max-pages 1` the main region's bucket scope is `truncated` and no bucket is recorded.
#[test]
fn cn_ctyun_zos_bucket_listing_is_paged_and_bounded() {
    let Some(moto) = ZosMoto::start("cn_ctyun_zos_bucket_listing_is_paged_and_bounded") else {
        return;
    };
    let proxy = paging_proxy(&moto.url);
    let envs = |url: &str| -> Vec<(String, String)> {
        moto.envs(&moto.secret)
            .into_iter()
            .map(|(k, v)| {
                let v = if k == "CTYUN_ZOS_ENDPOINT" { url } else { v };
                (k.to_owned(), v.to_owned())
            })
            .collect()
    };
    let envs = envs(&proxy);
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (_, stderr, _) = cn_e2e::run_collect_env(Vendor::Ctyun, KEY_ID, SECRET, &out, &[], &envs);
    let listings: Vec<String> = moto
        .answers()
        .into_iter()
        .filter(|(r, s)| r.starts_with("GET /?") || r.starts_with("GET / ") && *s == 200)
        .map(|(r, _)| r)
        .collect();
    assert_eq!(listings.len(), 2, "{listings:?}");
    let bundle = Bundle::open(&out).unwrap();
    let buckets: Vec<Value> = records(&bundle)
        .into_iter()
        .filter(|r| r["kind"] == "storage.bucket")
        .collect();
    assert_records(&buckets, expected_buckets());
    assert_absent(dir.path(), &stderr, &moto.secret);

    let out = dir.path().join("bounded");
    let (code, stderr, _) = cn_e2e::run_collect_env(
        Vendor::Ctyun,
        KEY_ID,
        SECRET,
        &out,
        &["--max-pages", "1"],
        &envs,
    );
    assert_eq!(code, 3, "{stderr}");
    let bundle = Bundle::open(&out).unwrap();
    assert!(
        !records(&bundle)
            .iter()
            .any(|r| r["kind"] == "storage.bucket")
    );
    let errs = cn_e2e::error_classes(&bundle);
    assert_eq!(
        errs.get(&("storage.bucket".to_owned(), REGION.to_owned()))
            .map(String::as_str),
        Some("truncated"),
        "{errs:?}"
    );
}

/// `collect estate` takes a ctyun account's ZOS configuration and declared account id from the
/// accounts file (the secrets by variable name only) and writes the records `collect ctyun`
/// writes with the same settings: the buckets from moto, every record under the declared id.
#[test]
fn cn_ctyun_estate_account_with_zos_and_declared_id_matches_collect_ctyun() {
    let Some(moto) =
        ZosMoto::start("cn_ctyun_estate_account_with_zos_and_declared_id_matches_collect_ctyun")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let direct = dir.path().join("direct");
    let (code, stderr, _) = cn_e2e::run_collect_env(
        Vendor::Ctyun,
        KEY_ID,
        SECRET,
        &direct,
        &["--account-id", "ct-gov-0001"],
        &moto.envs(&moto.secret),
    );
    assert_eq!(code, 3, "{stderr}");

    let fixture = cn_fixture::start(Vendor::Ctyun, KEY_ID, SECRET);
    let file = dir.path().join("accounts.toml");
    std::fs::write(
        &file,
        format!(
            "[[account]]\nprovider = \"ctyun\"\nlabel = \"gov\"\naccess_key_env = \"EST_CT_ID\"\n\
             secret_key_env = \"EST_CT_SECRET\"\nendpoint_url = \"{}\"\naccount_id = \"ct-gov-0001\"\n\
             zos_endpoint = \"{}\"\nzos_region = \"{REGION}\"\nzos_access_key_env = \"EST_ZOS_ID\"\n\
             zos_secret_key_env = \"EST_ZOS_SECRET\"\n",
            fixture.url, moto.url
        ),
    )
    .unwrap();
    let estate = dir.path().join("estate");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cloudcap"));
    for var in cloudcap_collect::cn::zos::ENV_VARS {
        command.env_remove(var);
    }
    let output = command
        .args([
            "collect",
            "estate",
            "--quiet",
            "--max-attempts",
            "2",
            "--timeout-secs",
            "10",
        ])
        .arg("--accounts-file")
        .arg(&file)
        .arg("--out")
        .arg(&estate)
        .env("EST_CT_ID", KEY_ID)
        .env("EST_CT_SECRET", SECRET)
        .env("EST_ZOS_ID", &moto.key_id)
        .env("EST_ZOS_SECRET", &moto.secret)
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(3), "{said}");
    let a = records(&Bundle::open(&direct).unwrap());
    let b = records(&Bundle::open(&estate.join("gov")).unwrap());
    let buckets = b.iter().filter(|r| r["kind"] == "storage.bucket").count();
    assert_eq!(buckets, 5, "{b:?}");
    assert!(b.iter().all(|r| r["account"] == "ct-gov-0001"), "{b:?}");
    assert_eq!(a, b, "collect estate and collect ctyun differ");
    let runs: Vec<Value> = Bundle::open(&estate.join("gov"))
        .unwrap()
        .records("collection.run")
        .map(|r| r.unwrap().1)
        .collect();
    assert_eq!(runs[0]["account_declared"], true);
    assert_absent(dir.path(), &said, &moto.secret);
    assert_absent(dir.path(), &said, SECRET);
}
