//! `cloudcap collect alibaba|tencent|huawei` end to end against the signature-verifying fixture
//! server (`cn_fixture`): exact per-resource records, throttled and denied calls recorded as
//! collection errors, and a wrongly signed run rejected in every scope.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::process::Command;

use cloudcap_collect::cn::SignableRequest;
use cloudcap_evidence::Bundle;
use serde_json::{Value, json};

use crate::cn_fixture::{self, ALIBABA_ACCOUNT, HUAWEI_DOMAIN, TENCENT_ACCOUNT, Vendor};

pub(crate) const KEY_ID: &str = "AKIDfixture0000000001";
pub(crate) const SECRET: &str = "fixture-secret-7f3a9c2e";

pub(crate) fn env_names(vendor: Vendor) -> (&'static str, &'static str, &'static str) {
    match vendor {
        Vendor::Alibaba => (
            "alibaba",
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        ),
        Vendor::Tencent => (
            "tencent",
            "TENCENTCLOUD_SECRET_ID",
            "TENCENTCLOUD_SECRET_KEY",
        ),
        Vendor::Huawei => ("huawei", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"),
        Vendor::Ecloud => ("ecloud", "ECLOUD_ACCESS_KEY", "ECLOUD_SECRET_KEY"),
        Vendor::Ctyun => ("ctyun", "CTYUN_ACCESS_KEY", "CTYUN_SECRET_KEY"),
    }
}

/// Runs `cloudcap collect <vendor>` against a fresh fixture; returns the exit code, stderr and
/// the fixture's request log.
fn collect(vendor: Vendor, secret: &str, out: &Path) -> (u8, String, Vec<(String, bool)>) {
    collect_with(vendor, secret, out, &[])
}

/// [`collect`] with extra arguments (`--region ...`).
fn collect_with(
    vendor: Vendor,
    secret: &str,
    out: &Path,
    extra: &[&str],
) -> (u8, String, Vec<(String, bool)>) {
    run_collect(vendor, KEY_ID, secret, out, extra)
}

/// `cloudcap collect <vendor>` against a fresh fixture that accepts `KEY_ID`/`SECRET`, sending
/// `key_id`/`secret` (the Tencent fixture serves a larger account to a key id ending in
/// `large`); returns the exit code, stderr and the fixture's request log.
pub(crate) fn run_collect(
    vendor: Vendor,
    key_id: &str,
    secret: &str,
    out: &Path,
    extra: &[&str],
) -> (u8, String, Vec<(String, bool)>) {
    run_collect_env(vendor, key_id, secret, out, extra, &[])
}

/// [`run_collect`] with extra environment variables (CTyun's ZOS configuration); the
/// `CTYUN_ZOS_*` variables of the calling environment are never passed on.
pub(crate) fn run_collect_env(
    vendor: Vendor,
    key_id: &str,
    secret: &str,
    out: &Path,
    extra: &[&str],
    envs: &[(&str, &str)],
) -> (u8, String, Vec<(String, bool)>) {
    let fixture = cn_fixture::start(vendor, key_id, SECRET);
    let (name, id_var, secret_var) = env_names(vendor);
    let mut command = Command::new(env!("CARGO_BIN_EXE_cloudcap"));
    for var in cloudcap_collect::cn::zos::ENV_VARS {
        command.env_remove(var);
    }
    command.envs(envs.iter().copied());
    let output = command
        .args([
            "collect",
            name,
            "--out",
            out.to_str().unwrap(),
            "--endpoint-url",
            &fixture.url,
        ])
        .args(["--max-attempts", "2", "--timeout-secs", "10", "--quiet"])
        .args(extra)
        .env(id_var, key_id)
        .env(secret_var, secret)
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .output()
        .unwrap();
    let log = fixture.log.lock().unwrap().clone();
    (
        output.status.code().unwrap() as u8,
        String::from_utf8_lossy(&output.stderr).into_owned(),
        log,
    )
}

/// `(kind, region) -> error class` of every error status.
pub(crate) fn error_classes(bundle: &Bundle) -> BTreeMap<(String, String), String> {
    bundle
        .records("collection.status")
        .map(|r| r.unwrap().1)
        .filter(|v| v["status"] == "error")
        .map(|v| {
            let f = |k: &str| v[k].as_str().unwrap_or("").to_owned();
            ((f("kind"), f("region")), f("error_class"))
        })
        .collect()
}

/// Normalized records without `sources` (checked non-empty), sorted by (kind, region, id).
pub(crate) fn records(bundle: &Bundle) -> Vec<Value> {
    let mut out: Vec<Value> = bundle
        .all_records()
        .map(|r| {
            let (_, mut v) = r.unwrap();
            let sources = v.as_object_mut().unwrap().remove("sources").unwrap();
            assert!(
                !sources.as_array().unwrap().is_empty(),
                "record without sources: {v}"
            );
            v
        })
        .collect();
    out.sort_by_key(key);
    out
}

/// The `holds_data` a collected region's inventory must have: true with data found; absent
/// when none was found but a data-bearing kind ended in an error there or account-wide (the
/// error statuses themselves are asserted exactly by each test); else false.
pub(crate) fn holds_data(bundle: &Bundle, region: &str, data: u64) -> Option<bool> {
    if data > 0 {
        return Some(true);
    }
    let incomplete = error_classes(bundle).keys().any(|(kind, r)| {
        [
            "storage.bucket",
            "compute.volume",
            "database.instance",
            "backup.plan",
        ]
        .contains(&kind.as_str())
            && (r == region || r == "global")
    });
    (!incomplete).then_some(false)
}

fn key(v: &Value) -> (String, String, String) {
    let f = |k: &str| v[k].as_str().unwrap_or("").to_owned();
    (f("kind"), f("region"), f("resource_id"))
}

/// `(kind, region) -> (status, error_class)` for every `collection.status`.
pub(crate) fn statuses(bundle: &Bundle) -> Vec<(String, String, String, Option<String>)> {
    let mut out: Vec<_> = bundle
        .records("collection.status")
        .map(|r| {
            let (_, v) = r.unwrap();
            let f = |k: &str| v[k].as_str().unwrap_or("").to_owned();
            (
                f("kind"),
                f("region"),
                f("status"),
                v["error_class"].as_str().map(str::to_owned),
            )
        })
        .collect();
    out.sort();
    out
}

pub(crate) fn rec(
    provider: &str,
    account: &str,
    kind: &str,
    region: &str,
    id: &str,
    fields: Value,
) -> Value {
    let mut v = json!({"schema_version": 1, "kind": kind, "provider": provider, "account": account, "region": region, "resource_id": id});
    for (k, f) in fields.as_object().unwrap() {
        v[k] = f.clone();
    }
    v
}

pub(crate) fn assert_records(actual: &[Value], mut expected: Vec<Value>) {
    expected.sort_by_key(key);
    let a: Vec<String> = actual
        .iter()
        .map(|v| serde_json::to_string(v).unwrap())
        .collect();
    let e: Vec<String> = expected
        .iter()
        .map(|v| serde_json::to_string(v).unwrap())
        .collect();
    for (x, y) in a.iter().zip(&e) {
        assert_eq!(x, y, "first differing record");
    }
    assert_eq!(
        a.len(),
        e.len(),
        "record count\nactual:\n{}\nexpected:\n{}",
        a.join("\n"),
        e.join("\n")
    );
}

pub(crate) fn errors(
    st: &[(String, String, String, Option<String>)],
) -> Vec<(String, String, String)> {
    st.iter()
        .filter(|s| s.2 == "error")
        .map(|s| (s.0.clone(), s.1.clone(), s.3.clone().unwrap_or_default()))
        .collect()
}

/// Runs `cloudcap assess` on `bundle`; rule id → (result, failing resource ids).
pub(crate) fn assess(bundle: &Path) -> BTreeMap<String, (String, BTreeSet<String>)> {
    rules_of(&assess_report(bundle))
}

/// Runs `cloudcap assess` on `bundle`; the report JSON.
pub(crate) fn assess_report(bundle: &Path) -> Value {
    let report_path = bundle.with_extension("report.json");
    let output = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
        .arg("assess")
        .arg(bundle)
        .arg("--out")
        .arg(&report_path)
        .args(["--at", "2026-11-25T00:00:00Z"])
        .output()
        .unwrap();
    assert!(
        report_path.exists(),
        "assess wrote no report: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap()
}

/// Rule id → (result, failing resource ids) of a report.
fn rules_of(report: &Value) -> BTreeMap<String, (String, BTreeSet<String>)> {
    let mut out = BTreeMap::new();
    for control in report["controls"].as_array().unwrap() {
        for item in control["items"].as_array().unwrap() {
            for rule in item["rules"].as_array().unwrap() {
                let failed = rule["failed"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["resource_id"].as_str().unwrap().to_owned())
                    .collect();
                out.insert(
                    rule["id"].as_str().unwrap().to_owned(),
                    (rule["result"].as_str().unwrap().to_owned(), failed),
                );
            }
        }
    }
    out
}

/// Every report entry of rule `id` (a rule may serve several controls), non-empty.
fn rule_entries<'a>(report: &'a Value, id: &str) -> Vec<&'a Value> {
    let found: Vec<&Value> = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["items"].as_array().unwrap())
        .flat_map(|i| i["rules"].as_array().unwrap())
        .filter(|r| r["id"] == id)
        .collect();
    assert!(!found.is_empty(), "the report has no rule `{id}`");
    found
}

/// Rule `id` is not evaluated (never failed) because `provider` does not report `field`:
/// `field-not-reported` (`code`, or the collection error that outranks it when `code` is
/// `collection-error`), no failing resource, and `not_reported` naming exactly `resources`.
pub(crate) fn assert_not_reported(
    report: &Value,
    id: &str,
    code: &str,
    field: &str,
    provider: &str,
    resources: &[&str],
) {
    for r in rule_entries(report, id) {
        assert_eq!(r["result"], "not-evaluated", "{id}: {r}");
        assert_eq!(r["reason"]["code"], code, "{id}: {r}");
        assert_eq!(
            r["failed"],
            json!([]),
            "{id}: a failure on a fact not reported: {r}"
        );
        let named: BTreeSet<(String, String, String)> = r["not_reported"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                let f = |k: &str| n[k].as_str().unwrap().to_owned();
                (f("resource_id"), f("field"), f("provider"))
            })
            .collect();
        let want: BTreeSet<(String, String, String)> = resources
            .iter()
            .map(|r| ((*r).to_owned(), field.to_owned(), provider.to_owned()))
            .collect();
        assert_eq!(named, want, "{id}: {r}");
        if code == "field-not-reported" {
            assert_eq!(
                r["reason"]["gaps"],
                json!([{"field": field, "provider": provider, "resources": resources.len()}]),
                "{id}: {r}"
            );
        }
    }
}

pub(crate) fn rule(
    rules: &BTreeMap<String, (String, BTreeSet<String>)>,
    id: &str,
) -> (String, BTreeSet<String>) {
    rules
        .get(id)
        .cloned()
        .unwrap_or_else(|| panic!("the catalog has no rule `{id}`; rules: {:?}", rules.keys()))
}

pub(crate) fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// No file under `dir` and no output contains the secret.
pub(crate) fn assert_secret_absent(dir: &Path, output: &str) {
    assert!(!output.contains(SECRET));
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else {
            let bytes = std::fs::read(&p).unwrap();
            assert!(
                !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
                "secret found in {}",
                p.display()
            );
        }
    }
}

fn triple(kind: &str, region: &str, class: &str) -> (String, String, String) {
    (kind.to_owned(), region.to_owned(), class.to_owned())
}

#[test]
fn cn_alibaba_collects_exact_records_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = collect(Vendor::Alibaba, SECRET, &out);
    assert_eq!(
        code, 3,
        "incomplete because of throttled/denied/unsupported scopes\n{stderr}"
    );
    assert!(
        log.iter().all(|(_, ok)| *ok),
        "every request must carry a valid signature: {log:?}"
    );
    let bundle = Bundle::open(&out).unwrap();
    let r = |kind: &str, region: &str, id: &str, f: Value| {
        rec("alibaba", ALIBABA_ACCOUNT, kind, region, id, f)
    };
    let bucket = |name: &str,
                  region: &str,
                  enc: bool,
                  cmk: bool,
                  ver: bool,
                  public: bool,
                  pab: bool,
                  log: bool| {
        let id = format!("acs:oss:*:{ALIBABA_ACCOUNT}:{name}");
        r(
            "storage.bucket",
            region,
            &id,
            json!({"name": name, "encrypted": enc, "customer_managed_key": cmk, "versioning": ver, "public": public, "public_access_block": pab, "access_logging": log}),
        )
    };
    // `GetUser` gives the last sign-in (ci-bot: none reported, so absent).
    let user = |name: &str, console: bool, mfa: bool, admin: bool, created: &str, login: &str| {
        let mut f = json!({"name": name, "root": false, "console_access": console, "mfa_enabled": mfa, "privileged": admin, "created_at": created});
        if !login.is_empty() {
            f["last_login_at"] = json!(login);
        }
        r(
            "identity.user",
            "global",
            &format!("acs:ram::{ALIBABA_ACCOUNT}:user/{name}"),
            f,
        )
    };
    // `GetAccessKeyLastUsed` gives the last use (an empty date is not reported: absent).
    let key = |id: &str, user: &str, active: bool, created: &str, used: &str| {
        let mut f = json!({"user": user, "root": false, "active": active, "created_at": created});
        if !used.is_empty() {
            f["last_used_at"] = json!(used);
        }
        r("identity.access-key", "global", id, f)
    };
    let arn = |id: &str| format!("acs:kms:cn-hangzhou:{ALIBABA_ACCOUNT}:key/{id}");
    // `holds_data` counts buckets, volumes, databases and backup plans only.
    let inv = |region: &str, mainland: bool, n: u64, data: u64| {
        let mut f = json!({"mainland_china": mainland, "collected": true, "resource_count": n});
        if let Some(holds) = holds_data(&bundle, region, data) {
            f["holds_data"] = json!(holds);
        }
        r("region.inventory", region, region, f)
    };
    assert_records(
        &records(&bundle),
        vec![
            // Three of four classes required → `min_char_classes` 3; `MaxPasswordAge` 0 (never
            // expires) is a reported fact, kept.
            r(
                "identity.password-policy",
                "global",
                &format!("acs:ram::{ALIBABA_ACCOUNT}:password-policy"),
                json!({
            "configured": true, "min_length": 8, "require_uppercase": true, "require_lowercase": true,
            "require_numbers": true, "require_symbols": false, "min_char_classes": 3, "max_age_days": 0,
            "reuse_prevention": 0, "max_login_attempts": 5}),
            ),
            user(
                "alice",
                true,
                true,
                true,
                "2023-01-05T08:00:00Z",
                "2026-11-20T08:00:00Z",
            ),
            // bob's custom policy `ops-full` allows `*` on `*`: privileged; ci-bot's `oss-read`
            // does not.
            user(
                "bob",
                true,
                false,
                true,
                "2023-02-10T09:30:00Z",
                "2025-01-02T08:00:00Z",
            ),
            user("ci-bot", false, false, false, "2022-11-01T00:00:00Z", ""),
            key(
                "LTAI4Fbob000000000000001",
                "bob",
                true,
                "2023-02-10T09:40:00Z",
                "2026-11-24T00:00:00Z",
            ),
            key(
                "LTAI4Fci0000000000000001",
                "ci-bot",
                true,
                "2022-11-01T00:10:00Z",
                "2026-11-25T00:00:00Z",
            ),
            key(
                "LTAI4Fci0000000000000002",
                "ci-bot",
                false,
                "2022-11-01T00:11:00Z",
                "",
            ),
            r(
                "audit.trail",
                "cn-hangzhou",
                &format!("acs:actiontrail:cn-hangzhou:{ALIBABA_ACCOUNT}:trail/audit-all"),
                // ActionTrail reports neither log-file integrity nor delivery encryption.
                json!({
            "name": "audit-all", "enabled": true, "multi_region": true, "management_events": true}),
            ),
            r(
                "crypto.key",
                "cn-hangzhou",
                &arn("key-hzz1a2b3c4d5e6f7g8h9"),
                json!({"customer_managed": true, "enabled": true, "rotation_enabled": true, "origin": "provider", "symmetric": true}),
            ),
            // Imported material and an RSA key cannot rotate automatically: no rotation field.
            r(
                "crypto.key",
                "cn-hangzhou",
                &arn("key-hzz9z8y7x6w5v4u3t2s1"),
                json!({"customer_managed": true, "enabled": true, "origin": "external", "symmetric": true}),
            ),
            r(
                "crypto.key",
                "cn-hangzhou",
                &arn("key-hzz5rsa0000000000001"),
                json!({"customer_managed": true, "enabled": true, "origin": "provider", "symmetric": false}),
            ),
            r(
                "crypto.key",
                "cn-hangzhou",
                &arn("key-hzz7norot00000000001"),
                json!({"customer_managed": true, "enabled": true, "rotation_enabled": false, "origin": "provider", "symmetric": true}),
            ),
            r(
                "network.security-group",
                "cn-hangzhou",
                "sg-bp1web000000000001",
                json!({"name": "web", "vpc_id": "vpc-bp1main0000000001", "classic_network": false, "world_open_ports": [80, 443, 3306], "world_open_all": false}),
            ),
            r(
                "network.security-group",
                "cn-hangzhou",
                "sg-bp1bad000000000002",
                json!({"name": "legacy", "vpc_id": "vpc-bp1main0000000001", "classic_network": false, "world_open_ports": [22], "world_open_all": true}),
            ),
            r(
                "network.security-group",
                "cn-hongkong",
                "sg-j6chk000000000001",
                json!({"name": "hk-app", "vpc_id": "vpc-j6chk0000000001", "classic_network": false, "world_open_ports": [], "world_open_all": false}),
            ),
            r(
                "compute.volume",
                "cn-hangzhou",
                "d-bp1enc000000000001",
                json!({"encrypted": true, "customer_managed_key": true, "attached": true}),
            ),
            r(
                "compute.volume",
                "cn-hangzhou",
                "d-bp1raw000000000002",
                json!({"encrypted": false, "customer_managed_key": false, "attached": false}),
            ),
            r(
                "compute.volume",
                "cn-hongkong",
                "d-j6chk000000000001",
                json!({"encrypted": false, "customer_managed_key": false, "attached": true}),
            ),
            r(
                "backup.plan",
                "cn-shanghai",
                "po-000a1b2c3d4e5f6g7h",
                // No `Rules`: whether backups are copied elsewhere is not reported.
                json!({"name": "ecs-daily", "enabled": true, "retention_days": 7, "keeps_forever": false}),
            ),
            r(
                "backup.plan",
                "cn-shanghai",
                "po-000geo0000000000001",
                json!({"name": "ecs-geo", "enabled": true, "retention_days": 30, "keeps_forever": false, "cross_region_copy": true, "copy_regions": ["ap-southeast-1"], "copy_outside_mainland": true}),
            ),
            r(
                "monitoring.threat-detection",
                "global",
                "security-center",
                json!({"service": "Security Center", "enabled": false}),
            ),
            bucket(
                "acme-private",
                "cn-hangzhou",
                true,
                true,
                true,
                false,
                true,
                true,
            ),
            bucket(
                "acme-public",
                "cn-hangzhou",
                false,
                false,
                false,
                true,
                false,
                false,
            ),
            bucket(
                "acme-hk",
                "cn-hongkong",
                true,
                false,
                false,
                false,
                false,
                false,
            ),
            r(
                "network.vpc",
                "cn-hangzhou",
                "vpc-bp1main0000000001",
                json!({"default": true, "flow_log_enabled": true}),
            ),
            // Only a stopped flow log on the VPC (and an active one on a single vSwitch).
            r(
                "network.vpc",
                "cn-hangzhou",
                "vpc-bp1dev00000000002",
                json!({"name": "dev", "default": false, "flow_log_enabled": false}),
            ),
            r(
                "database.instance",
                "cn-hangzhou",
                "rm-bp1good00000000001",
                json!({"engine": "mysql", "encrypted": true, "public": false, "backup_retention_days": 7, "multi_az": true}),
            ),
            r(
                "database.instance",
                "cn-hangzhou",
                "rm-bp1open00000000002",
                // TDE off: disk encryption is not reported, so `encrypted` is omitted.
                json!({"engine": "postgresql", "public": true, "backup_retention_days": 3, "multi_az": false}),
            ),
            // No record for the Shanghai instance whose TDE status was refused.
            r(
                "monitoring.config-recorder",
                "global",
                &format!("acs:config::{ALIBABA_ACCOUNT}:configuration-recorder"),
                json!({"recording": true}),
            ),
            inv("cn-hangzhou", true, 15, 6),
            inv("cn-hongkong", false, 3, 2),
            inv("cn-shanghai", true, 2, 2),
        ],
    );
    let st = statuses(&bundle);
    assert_eq!(
        errors(&st),
        vec![
            triple("backup.plan", "cn-hangzhou", "access-denied"),
            triple("compute.volume", "cn-shanghai", "throttled"),
            triple("database.instance", "cn-shanghai", "access-denied"),
        ]
    );
    // 3 global identity scopes + threat detection + config recorder + 9 regional kinds in each
    // of 3 regions.
    assert_eq!(st.len(), 5 + 9 * 3, "{st:?}");
    // The throttled call was retried (2 attempts) and then given up; Hangzhou's two disks
    // came on two pages (the fixture serves one item per page), Hong Kong's one on one.
    assert_eq!(
        log.iter().filter(|(a, _)| a == "DescribeDisks").count(),
        5,
        "{log:?}"
    );
    // Every listing was followed to its end: users by `Marker`, rules by `NextToken`, the
    // rest by their totals (RDS: `TotalRecordCount`).
    let calls = |action: &str| log.iter().filter(|(a, _)| a == action).count();
    assert_eq!(calls("ListUsers"), 3, "{log:?}");
    // web's two prefix lists, each read once.
    assert_eq!(calls("DescribePrefixListAttributes"), 2, "{log:?}");
    assert_eq!(
        calls("DescribeSecurityGroupAttribute"),
        7 + 3 + 1,
        "{log:?}"
    );
    assert_eq!(calls("DescribeDBInstances"), 2 + 1 + 1, "{log:?}");
    // OSS ListBuckets: three buckets, one a page, `marker` = the previous `NextMarker`.
    assert_eq!(calls("oss:?max-keys"), 3, "{log:?}");

    // The same catalog rules as for AWS, per resource.
    let report = assess_report(&out);
    let rules = rules_of(&report);
    let user_id = |name: &str| format!("acs:ram::{ALIBABA_ACCOUNT}:user/{name}");
    let failing = |id: &str| rule(&rules, id).1;
    assert_eq!(failing("console-user-mfa"), set(&[&user_id("bob")]));
    // bob's custom policy allows `*` on `*`: a privileged user without MFA.
    assert_eq!(failing("privileged-user-mfa"), set(&[&user_id("bob")]));
    assert_eq!(
        failing("no-world-open-all"),
        set(&["sg-bp1bad000000000002"])
    );
    assert_eq!(
        failing("no-world-admin-ports"),
        set(&["sg-bp1bad000000000002"])
    );
    // web opens 3306 to prefix list `pl-bp1world…`, which holds 0.0.0.0/0; its 5432 rule's
    // list holds only narrow ranges. legacy opens every port.
    assert_eq!(
        failing("no-world-db-ports"),
        set(&["sg-bp1bad000000000002", "sg-bp1web000000000001"])
    );
    // Only the enabled symmetric KMS-generated key without rotation fails; the imported and the
    // RSA key are out of the rotation rule's scope.
    assert_eq!(
        failing("cmk-rotation"),
        set(&[&arn("key-hzz7norot00000000001")])
    );
    assert_eq!(failing("data-in-mainland"), set(&["cn-hongkong"]));
    // A copy to Singapore leaves the mainland and is no cross-region resilience either.
    assert_eq!(
        failing("backup-copies-in-mainland"),
        set(&["po-000geo0000000000001"])
    );
    assert_eq!(
        failing("backup-cross-region"),
        set(&["po-000geo0000000000001"])
    );
    assert_eq!(
        failing("threat-detection-enabled"),
        set(&["security-center"])
    );
    assert_eq!(rule(&rules, "password-min-length").0, "satisfied");
    assert_eq!(rule(&rules, "lockout-threshold").0, "satisfied");
    assert_eq!(
        failing("bucket-not-public"),
        set(&[&format!("acs:oss:*:{ALIBABA_ACCOUNT}:acme-public")])
    );
    assert_eq!(failing("vpc-flow-logs"), set(&["vpc-bp1dev00000000002"]));
    for id in [
        "database-not-public",
        "database-backup-retention",
        "database-multi-az",
    ] {
        let (result, failing) = rule(&rules, id);
        assert_ne!(result, "satisfied", "{id}");
        assert_eq!(failing, set(&["rm-bp1open00000000002"]), "{id}");
    }
    // TDE off is not "unencrypted": not evaluated for that instance, never failed (the
    // refused Shanghai instance makes the collection error the rule's reason).
    assert_not_reported(
        &report,
        "database-encrypted",
        "collection-error",
        "encrypted",
        "alibaba",
        &["rm-bp1open00000000002"],
    );
    // cm-10.8 b: Cloud Config does not report whether every resource type is recorded: not
    // evaluated with `field-not-reported`, never a failure.
    assert_not_reported(
        &report,
        "inventory-recorder",
        "field-not-reported",
        "all_resources",
        "alibaba",
        &[&format!(
            "acs:config::{ALIBABA_ACCOUNT}:configuration-recorder"
        )],
    );
    assert_secret_absent(dir.path(), &stderr);
}

/// A listing longer than `--max-pages` is an error status of class `truncated` for its kind and
/// scope, never a short listing read as complete.
#[test]
fn cn_alibaba_page_bound_is_a_truncated_status() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, _) = collect_with(Vendor::Alibaba, SECRET, &out, &["--max-pages", "1"]);
    assert_eq!(code, 3, "{stderr}");
    let bundle = Bundle::open(&out).unwrap();
    let truncated: Vec<(String, String, String)> = errors(&statuses(&bundle))
        .into_iter()
        .filter(|(_, _, class)| class == "truncated")
        .collect();
    assert_eq!(
        truncated,
        vec![
            triple("backup.plan", "cn-shanghai", "truncated"),
            triple("compute.volume", "cn-hangzhou", "truncated"),
            triple("crypto.key", "cn-hangzhou", "truncated"),
            triple("database.instance", "cn-hangzhou", "truncated"),
            // ListUsers (three users, one per page) ends both identity kinds.
            triple("identity.access-key", "global", "truncated"),
            triple("identity.user", "global", "truncated"),
            triple("network.security-group", "cn-hangzhou", "truncated"),
            triple("network.vpc", "cn-hangzhou", "truncated"),
            // One bucket listing serves every region: all of them are cut.
            triple("storage.bucket", "cn-hangzhou", "truncated"),
            triple("storage.bucket", "cn-hongkong", "truncated"),
            triple("storage.bucket", "cn-shanghai", "truncated"),
        ]
    );
    // Nothing from a truncated listing is recorded as if it were the whole.
    let recs = records(&bundle);
    assert!(
        !recs.iter().any(|r| r["kind"] == "identity.user"),
        "users recorded from a cut listing"
    );
}

#[test]
fn cn_tencent_collects_exact_records_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = collect(Vendor::Tencent, SECRET, &out);
    assert_eq!(code, 3, "{stderr}");
    assert!(log.iter().all(|(_, ok)| *ok), "{log:?}");
    // The address templates (3, one a page) and their groups (1) of Guangzhou, read once for
    // the one group whose rules name them; no other region reads them.
    let calls = |action: &str| log.iter().filter(|(a, _)| a == action).count();
    assert_eq!(calls("DescribeAddressTemplates"), 3, "{log:?}");
    assert_eq!(calls("DescribeAddressTemplateGroups"), 1, "{log:?}");
    let bundle = Bundle::open(&out).unwrap();
    let r = |kind: &str, region: &str, id: &str, f: Value| {
        rec("tencent", TENCENT_ACCOUNT, kind, region, id, f)
    };
    // COS has no public-access-block API: `public_access_block` is not reported (omitted).
    let bucket = |name: &str,
                  region: &str,
                  enc: bool,
                  cmk: bool,
                  ver: bool,
                  public: bool,
                  log: bool| {
        r(
            "storage.bucket",
            region,
            name,
            json!({"name": name, "encrypted": enc, "customer_managed_key": cmk, "versioning": ver, "public": public, "access_logging": log}),
        )
    };
    // `holds_data` counts buckets, volumes, databases and backup plans only.
    let inv = |region: &str, mainland: bool, n: u64, data: u64| {
        let mut f = json!({"mainland_china": mainland, "collected": true, "resource_count": n});
        if let Some(holds) = holds_data(&bundle, region, data) {
            f["holds_data"] = json!(holds);
        }
        r("region.inventory", region, region, f)
    };
    assert_records(
        &records(&bundle),
        vec![
            r(
                "identity.user",
                "global",
                &format!("qcs::cam::uin/{TENCENT_ACCOUNT}:uin/100000000011"),
                json!({
            "name": "dev-alice", "root": false, "console_access": true, "mfa_enabled": true, "privileged": true, "created_at": "2024-03-01T10:00:00Z", "last_login_at": "2026-11-20T01:30:00Z"}),
            ),
            r(
                "identity.user",
                "global",
                &format!("qcs::cam::uin/{TENCENT_ACCOUNT}:uin/100000000012"),
                json!({
            // A passkey (`LoginFlag.Passkey`) is an MFA device; an empty `RecentlyLoginTime`
            // is not reported.
            "name": "ops-bot", "root": false, "console_access": false, "mfa_enabled": true, "privileged": false, "created_at": "2024-05-01T00:00:00Z"}),
            ),
            r(
                "identity.access-key",
                "global",
                "AKIDopsbot0000000000000000000001",
                // `GetSecurityLastUsed` `LastUsedDate` 2026-11-28, Beijing time.
                json!({"user": "ops-bot", "root": false, "active": true, "created_at": "2024-05-01T00:10:00Z", "last_used_at": "2026-11-27T16:00:00Z"}),
            ),
            // `GetPasswordRules`: only the fields whose meaning the SDK states.
            r(
                "identity.password-policy",
                "global",
                &format!("qcs::cam::uin/{TENCENT_ACCOUNT}:password-rules"),
                json!({"configured": true, "min_length": 12, "reuse_prevention": 5, "max_login_attempts": 5}),
            ),
            r(
                "monitoring.config-recorder",
                "global",
                &format!("qcs::config::uin/{TENCENT_ACCOUNT}:recorder"),
                json!({"recording": true}),
            ),
            r(
                "audit.trail",
                "global",
                "30001",
                // CloudAudit reports neither log-file integrity nor encryption.
                json!({"name": "all-events", "enabled": true, "multi_region": true, "management_events": true}),
            ),
            // Restricted to one product, or to one event: not every management event.
            r(
                "audit.trail",
                "global",
                "30002",
                json!({"name": "cos-only", "enabled": true, "multi_region": true, "management_events": false}),
            ),
            r(
                "audit.trail",
                "global",
                "30003",
                json!({"name": "create-user-only", "enabled": true, "multi_region": true, "management_events": false}),
            ),
            r(
                "crypto.key",
                "ap-guangzhou",
                "b9a1c2d3-0000-11ee-8000-525400000001",
                json!({"customer_managed": true, "enabled": true, "rotation_enabled": false, "origin": "provider", "symmetric": true}),
            ),
            // A cloud product's key (`Owner = cloud_product`): not the customer's to rotate.
            r(
                "crypto.key",
                "ap-guangzhou",
                "b9a1c2d3-0000-11ee-8000-525400000002",
                json!({"customer_managed": false, "enabled": true, "origin": "provider", "symmetric": true}),
            ),
            r(
                "network.security-group",
                "ap-guangzhou",
                "sg-gz000001",
                json!({"name": "bastion", "world_open_ports": [22, 3389, 6379], "world_open_all": false}),
            ),
            // Page 2 of DescribeSecurityGroups (one item a page in the fixture).
            r(
                "network.security-group",
                "ap-guangzhou",
                "sg-gz000002",
                json!({"name": "web", "world_open_ports": [443], "world_open_all": false}),
            ),
            r(
                "compute.volume",
                "ap-guangzhou",
                "disk-gz000001",
                json!({"encrypted": true, "customer_managed_key": true, "attached": true}),
            ),
            r(
                "compute.volume",
                "ap-guangzhou",
                "disk-gz000002",
                json!({"encrypted": false, "customer_managed_key": false, "attached": false}),
            ),
            r(
                "backup.plan",
                "ap-guangzhou",
                "asp-gz000001",
                // Auto-snapshot policies do not report cross-region copies.
                json!({"name": "daily", "enabled": true, "retention_days": 7, "keeps_forever": false}),
            ),
            // `RetentionMonths = 3` (RetentionDays 0): the shortest three months, 89 days.
            r(
                "backup.plan",
                "ap-guangzhou",
                "asp-gz000002",
                json!({"name": "monthly", "enabled": true, "retention_days": 89, "keeps_forever": false}),
            ),
            r(
                "monitoring.threat-detection",
                "ap-hongkong",
                "cwp/ap-hongkong",
                json!({"service": "Cloud Workload Protection", "enabled": true}),
            ),
            r(
                "monitoring.threat-detection",
                "ap-shanghai",
                "cwp/ap-shanghai",
                // The host on page 2 is offline.
                json!({"service": "Cloud Workload Protection", "enabled": false}),
            ),
            // Public by its bucket policy (anonymous read); its ACL is private.
            bucket(
                "acme-logs-1250000000",
                "ap-guangzhou",
                true,
                false,
                true,
                true,
                true,
            ),
            bucket(
                "acme-web-1250000000",
                "ap-guangzhou",
                false,
                false,
                false,
                true,
                false,
            ),
            // Public by a grant to `qcs::cam::anyone:anyone`; the third page of GET Service.
            bucket(
                "acme-hk-1250000000",
                "ap-hongkong",
                true,
                true,
                false,
                true,
                false,
            ),
            r(
                "network.vpc",
                "ap-guangzhou",
                "vpc-gz000001",
                json!({"name": "Default-VPC", "default": true, "flow_log_enabled": true}),
            ),
            // Its flow log is switched off (`Enable = false`).
            r(
                "network.vpc",
                "ap-guangzhou",
                "vpc-gz000002",
                json!({"name": "batch", "default": false, "flow_log_enabled": false}),
            ),
            r(
                "database.instance",
                "ap-guangzhou",
                "cdb-gzgood01",
                json!({"engine": "mysql", "encrypted": true, "public": false, "backup_retention_days": 7, "multi_az": true}),
            ),
            r(
                "database.instance",
                "ap-guangzhou",
                "cdb-gzopen02",
                json!({"engine": "mysql", "encrypted": false, "public": true, "backup_retention_days": 2, "multi_az": false}),
            ),
            inv("ap-guangzhou", true, 14, 8),
            inv("ap-hongkong", false, 2, 1),
            // Only a threat-detection status: no data.
            inv("ap-shanghai", true, 1, 0),
        ],
    );
    assert_eq!(
        errors(&statuses(&bundle)),
        vec![
            triple("compute.volume", "ap-shanghai", "throttled"),
            triple(
                "monitoring.threat-detection",
                "ap-guangzhou",
                "access-denied"
            ),
        ]
    );
    let report = assess_report(&out);
    let rules = rules_of(&report);
    assert_eq!(rule(&rules, "console-user-mfa").0, "satisfied");
    // dp-9.9 b: COS has no public-access-block API: not evaluated with
    // `field-not-reported` for every bucket, never a failure.
    assert_not_reported(
        &report,
        "bucket-public-block",
        "field-not-reported",
        "public_access_block",
        "tencent",
        &[
            "acme-hk-1250000000",
            "acme-logs-1250000000",
            "acme-web-1250000000",
        ],
    );
    assert_eq!(
        rule(&rules, "no-world-admin-ports").1,
        set(&["sg-gz000001"])
    );
    // bastion opens 6379 to an address template holding 0.0.0.0/0; its 5432 rule's template
    // group holds only narrow ranges.
    assert_eq!(rule(&rules, "no-world-db-ports").1, set(&["sg-gz000001"]));
    assert_eq!(
        rule(&rules, "cmk-rotation").1,
        set(&["b9a1c2d3-0000-11ee-8000-525400000001"])
    );
    assert_eq!(rule(&rules, "data-in-mainland").1, set(&["ap-hongkong"]));
    assert_eq!(
        rule(&rules, "bucket-not-public").1,
        set(&[
            "acme-hk-1250000000",
            "acme-logs-1250000000",
            "acme-web-1250000000"
        ])
    );
    // `GetPasswordRules` `MinimumLength` 12.
    assert_eq!(rule(&rules, "password-min-length").0, "satisfied");
    assert_eq!(rule(&rules, "vpc-flow-logs").1, set(&["vpc-gz000002"]));
    for id in [
        "database-not-public",
        "database-encrypted",
        "database-backup-retention",
        "database-multi-az",
    ] {
        let (result, failing) = rule(&rules, id);
        assert_ne!(result, "satisfied", "{id}");
        assert_eq!(failing, set(&["cdb-gzopen02"]), "{id}");
    }
    // `DescribeConfigRecorder` does not say whether every resource type is recorded
    // (`all_resources` omitted): never satisfied.
    assert_ne!(rule(&rules, "inventory-recorder").0, "satisfied");
}

#[test]
fn cn_huawei_collects_exact_records_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = collect(Vendor::Huawei, SECRET, &out);
    assert_eq!(code, 3, "{stderr}");
    assert!(log.iter().all(|(_, ok)| *ok), "{log:?}");
    let bundle = Bundle::open(&out).unwrap();
    let r = |kind: &str, region: &str, id: &str, f: Value| {
        rec("huawei", HUAWEI_DOMAIN, kind, region, id, f)
    };
    let bucket = |name: &str,
                  region: &str,
                  enc: bool,
                  cmk: bool,
                  ver: bool,
                  public: bool,
                  pab: bool,
                  log: bool| {
        r(
            "storage.bucket",
            region,
            name,
            json!({"name": name, "encrypted": enc, "customer_managed_key": cmk, "versioning": ver, "public": public, "public_access_block": pab, "access_logging": log}),
        )
    };
    // `holds_data` counts buckets, volumes, databases and backup plans only.
    let inv = |region: &str, mainland: bool, n: u64, data: u64| {
        let mut f = json!({"mainland_china": mainland, "collected": true, "resource_count": n});
        if let Some(holds) = holds_data(&bundle, region, data) {
            f["holds_data"] = json!(holds);
        }
        r("region.inventory", region, region, f)
    };
    assert_records(
        &records(&bundle),
        vec![
            // Huawei sets how many character types (`password_char_combination` 2), not which
            // ones: `min_char_classes` and no `require_*`; validity period 0 = never expires.
            r(
                "identity.password-policy",
                "global",
                &format!("{HUAWEI_DOMAIN}/password-policy"),
                json!({
            "configured": true, "min_length": 8, "min_char_classes": 2, "max_age_days": 0,
            "reuse_prevention": 1, "max_login_attempts": 5}),
            ),
            r(
                "identity.user",
                "global",
                "u-root00000000000000000000000001",
                json!({"name": "acme", "root": true, "console_access": true, "mfa_enabled": true, "privileged": true, "created_at": "2020-07-08T02:19:03Z", "last_login_at": "2026-11-20T08:00:00Z"}),
            ),
            r(
                "identity.user",
                "global",
                "u-dev000000000000000000000000002",
                json!({"name": "dev1", "root": false, "console_access": true, "mfa_enabled": false, "privileged": true, "created_at": "2023-03-01T10:00:00Z", "last_login_at": "2026-11-20T08:00:00Z"}),
            ),
            r(
                "identity.user",
                "global",
                "u-api000000000000000000000000003",
                json!({"name": "api-only", "root": false, "console_access": false, "mfa_enabled": false, "privileged": false, "created_at": "2024-06-01T12:00:00Z"}),
            ),
            // ShowPermanentAccessKey `last_use_time`: reported for the first key only.
            r(
                "identity.access-key",
                "global",
                "HSTAAPIONLY0000000001",
                json!({"user": "api-only", "root": false, "active": true, "created_at": "2024-06-01T12:05:00Z", "last_used_at": "2024-06-02T08:00:00Z", "never_used": false}),
            ),
            r(
                "identity.access-key",
                "global",
                "HSTAAPIONLY0000000002",
                json!({"user": "api-only", "root": false, "active": true, "created_at": "2024-07-01T09:00:00Z"}),
            ),
            r(
                "audit.trail",
                "cn-north-4",
                "t-system-cn4",
                json!({"name": "system", "enabled": true, "multi_region": false, "log_file_validation": true, "encrypted": true, "management_events": true, "retention_days": 180}),
            ),
            r(
                "crypto.key",
                "cn-north-4",
                "kms-cn4-default",
                // A default key (`default_key_flag` 1) is the service's: no rotation field.
                json!({"customer_managed": false, "enabled": true, "origin": "provider", "symmetric": true}),
            ),
            r(
                "crypto.key",
                "cn-north-4",
                "kms-cn4-key-0001",
                json!({"customer_managed": true, "enabled": true, "rotation_enabled": false, "origin": "provider", "symmetric": true}),
            ),
            // Page 3 of ListKeys, listed only with `key_spec = ALL`; asymmetric: no rotation.
            r(
                "crypto.key",
                "cn-north-4",
                "kms-cn4-rsa-0001",
                json!({"customer_managed": true, "enabled": true, "origin": "provider", "symmetric": false}),
            ),
            r(
                "network.security-group",
                "cn-north-4",
                "16b6ad0e-0000-4000-8000-000000000001",
                // 443 from page 3 of its rules; 3389 is world-open but `enabled = false`.
                json!({"name": "sg-web", "world_open_ports": [22, 443, 6379], "world_open_all": false}),
            ),
            // Page 2 of ListSecurityGroups, in another enterprise project.
            r(
                "network.security-group",
                "cn-north-4",
                "16b6ad0e-0000-4000-8000-000000000002",
                json!({"name": "sg-db", "world_open_ports": [], "world_open_all": false}),
            ),
            r(
                "compute.volume",
                "cn-north-4",
                "vol-cn4-0001",
                json!({"encrypted": true, "customer_managed_key": true, "attached": true}),
            ),
            // Page 2 of ListVolumes, in another enterprise project.
            r(
                "compute.volume",
                "cn-north-4",
                "vol-cn4-0002",
                json!({"encrypted": false, "customer_managed_key": false, "attached": false}),
            ),
            r(
                "backup.plan",
                "cn-north-4",
                "pol-backup-0001",
                // Replicated by `to-shanghai` to `destination_region` cn-east-3.
                json!({"name": "daily-backup", "enabled": true, "retention_days": 30, "keeps_forever": false, "cross_region_copy": true, "copy_regions": ["cn-east-3"], "copy_outside_mainland": false}),
            ),
            // The unprotected host is on page 2, in another enterprise project. cn-east-3 has no
            // hosts: nothing in scope, no record (never a false "disabled").
            r(
                "monitoring.threat-detection",
                "ap-southeast-1",
                "hss/ap-southeast-1",
                json!({"service": "Host Security Service", "enabled": false}),
            ),
            // Only threat-detection statuses there: no data.
            inv("ap-southeast-1", false, 1, 0),
            inv("cn-east-3", true, 0, 0),
            bucket(
                "hw-secure",
                "cn-north-4",
                true,
                true,
                true,
                false,
                true,
                true,
            ),
            bucket(
                "hw-open",
                "cn-north-4",
                false,
                false,
                false,
                true,
                false,
                false,
            ),
            r(
                "network.vpc",
                "cn-north-4",
                "vpc-cn4-000000000000000000000001",
                json!({"name": "prod", "default": false, "flow_log_enabled": true}),
            ),
            // Page 2 of ListVpcs; only one of its ports has a flow log.
            r(
                "network.vpc",
                "cn-north-4",
                "vpc-cn4-000000000000000000000002",
                json!({"default": false, "flow_log_enabled": false}),
            ),
            r(
                "database.instance",
                "cn-north-4",
                "rds-cn4-good-in01",
                json!({"engine": "mysql", "encrypted": true, "public": false, "backup_retention_days": 7, "multi_az": true}),
            ),
            r(
                "database.instance",
                "cn-north-4",
                "rds-cn4-open-in02",
                json!({"engine": "postgresql", "encrypted": false, "public": true, "backup_retention_days": 1, "multi_az": false}),
            ),
            r(
                "monitoring.config-recorder",
                "global",
                &format!("{HUAWEI_DOMAIN}/tracker-config"),
                json!({"recording": true, "all_resources": true}),
            ),
            // 15 resources, 99 filler VPCs.
            inv("cn-north-4", true, 15 + cn_fixture::HW_FILL as u64, 7),
        ]
        .into_iter()
        .chain((0..cn_fixture::HW_FILL).map(|i| {
            r(
                "network.vpc",
                "cn-north-4",
                &cn_fixture::hw_fill_vpc(i),
                json!({"default": false, "flow_log_enabled": false}),
            )
        }))
        .collect(),
    );
    assert_eq!(
        errors(&statuses(&bundle)),
        vec![
            triple("compute.volume", "cn-east-3", "throttled"),
            triple("monitoring.threat-detection", "cn-north-4", "access-denied"),
        ]
    );
    let report = assess_report(&out);
    let rules = rules_of(&report);
    // ac-8.6 c: ShowPermanentAccessKey reports the first key's last use (long
    // ago: a failure); the second key's is empty: named as not reported, never a failure on
    // `created_at`.
    for id in ["unused-access-key"] {
        for r in rule_entries(&report, id) {
            assert_eq!(r["result"], "not-satisfied", "{id}: {r}");
            let failed: BTreeSet<String> = r["failed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["resource_id"].as_str().unwrap_or("").to_owned())
                .collect();
            assert_eq!(failed, set(&["HSTAAPIONLY0000000001"]), "{id}: {r}");
            let named: BTreeSet<String> = r["not_reported"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["resource_id"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(named, set(&["HSTAAPIONLY0000000002"]), "{id}: {r}");
        }
    }
    assert_eq!(
        rule(&rules, "privileged-user-mfa").1,
        set(&["u-dev000000000000000000000000002"])
    );
    assert_eq!(rule(&rules, "root-mfa").0, "satisfied");
    assert_eq!(rule(&rules, "bucket-not-public").1, set(&["hw-open"]));
    // sg-web opens 6379 to an address group holding 0.0.0.0/0; its 5432 rule's group holds
    // only narrow ranges.
    assert_eq!(
        rule(&rules, "no-world-db-ports").1,
        set(&["16b6ad0e-0000-4000-8000-000000000001"])
    );
    assert_eq!(rule(&rules, "password-complexity").0, "not-satisfied");
    assert_eq!(rule(&rules, "trail-log-validation").0, "satisfied");
    // Residency (dp-9.1 a): cn-east-3 found no data but a data-bearing kind failed there, so
    // whether it holds data is not known (`holds_data` absent): not evaluated, not a pass.
    assert_eq!(rule(&rules, "data-in-mainland").0, "not-evaluated");
    assert_eq!(rule(&rules, "backup-cross-region").0, "satisfied");
    assert_eq!(rule(&rules, "backup-copies-in-mainland").0, "satisfied");
    let mut no_flow_logs: BTreeSet<String> = (0..cn_fixture::HW_FILL)
        .map(cn_fixture::hw_fill_vpc)
        .collect();
    no_flow_logs.insert("vpc-cn4-000000000000000000000002".into());
    assert_eq!(rule(&rules, "vpc-flow-logs").1, no_flow_logs);
    for id in [
        "database-not-public",
        "database-encrypted",
        "database-backup-retention",
        "database-multi-az",
    ] {
        let (result, failing) = rule(&rules, id);
        assert_ne!(result, "satisfied", "{id}");
        assert_eq!(failing, set(&["rds-cn4-open-in02"]), "{id}");
    }
    assert_eq!(rule(&rules, "inventory-recorder").0, "satisfied");
}

/// A wrong secret: the server refuses every request with the vendor's error, every kind is an
/// `access-denied` collection error, and no record is written (so nothing can pass).
#[test]
fn cn_wrong_secret_is_rejected_for_every_vendor() {
    for vendor in [Vendor::Alibaba, Vendor::Tencent, Vendor::Huawei] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        let (code, stderr, log) = collect(vendor, "not-the-secret", &out);
        assert_eq!(code, 3, "{vendor:?}: {stderr}");
        assert!(
            !log.is_empty() && log.iter().all(|(_, ok)| !ok),
            "{vendor:?}: {log:?}"
        );
        let bundle = Bundle::open(&out).unwrap();
        assert!(records(&bundle).is_empty(), "{vendor:?}");
        let st = statuses(&bundle);
        let kinds: BTreeSet<&str> = st.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(
            kinds.len(),
            14,
            "{vendor:?}: every kind has a status: {st:?}"
        );
        assert!(
            st.iter()
                .all(|s| s.2 == "error" && s.3.as_deref() == Some("access-denied")),
            "{vendor:?}: {st:?}"
        );
        for (id, (result, _)) in assess(&out) {
            assert_eq!(
                result, "not-evaluated",
                "{vendor:?}: rule {id} is {result} without evidence"
            );
        }
    }
}

/// Sends `req` (signed by the collector's own signer at `unix_time`) to the fixture over a raw
/// socket; returns the status line and body.
pub(crate) fn send_signed(
    url: &str,
    vendor: Vendor,
    mut req: SignableRequest,
    unix_time: i64,
    nonce: &str,
) -> (u16, Value) {
    use cloudcap_collect::cn::{
        Credentials, SigningContext, sign_alibaba, sign_ctyun, sign_ecloud, sign_huawei,
        sign_tencent,
    };
    let host = url.trim_start_matches("http://").to_owned();
    req.host = host.clone();
    let creds = Credentials::new(KEY_ID, SECRET);
    let ctx = SigningContext {
        unix_time,
        nonce: nonce.to_owned(),
    };
    match vendor {
        Vendor::Alibaba => sign_alibaba::AcsV3Signer::new(creds).sign_request(&mut req, &ctx),
        Vendor::Tencent => sign_tencent::Tc3Signer::new(creds).sign_request(&mut req, &ctx),
        Vendor::Huawei => sign_huawei::ApigSigner::new(creds).sign_request(&mut req, &ctx),
        // Signed in the query.
        Vendor::Ecloud => sign_ecloud::EcloudSigner::new(creds)
            .signature_query(&req, &ctx)
            .map(|added| req.query.extend(added)),
        Vendor::Ctyun => sign_ctyun::CtyunSigner::new(creds).sign_request(&mut req, &ctx),
    }
    .unwrap();
    let target = if req.query.is_empty() {
        req.path.clone()
    } else {
        let enc = |s: &str| -> String {
            s.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect()
        };
        let pairs: Vec<String> = req
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        format!("{}?{}", req.path, pairs.join("&"))
    };
    let mut head = format!("{} {} HTTP/1.1\r\n", req.method, target);
    if !req
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("host"))
    {
        head.push_str(&format!("Host: {host}\r\n"));
    }
    for (k, v) in &req.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        req.body.len()
    ));
    let mut stream = std::net::TcpStream::connect(&host).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&req.body).unwrap();
    let mut reader = std::io::BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    let mut len = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    (
        status.split_whitespace().nth(1).unwrap().parse().unwrap(),
        serde_json::from_slice(&body).unwrap(),
    )
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A correctly signed request is accepted; the same request signed an hour ago is refused as
/// stale with each vendor's error; Alibaba also refuses a replayed nonce.
#[test]
fn cn_fixture_refuses_stale_and_replayed_signatures() {
    let now = unix_now();
    // Alibaba.
    let fixture = cn_fixture::start(Vendor::Alibaba, KEY_ID, SECRET);
    let ali = || {
        let mut r = SignableRequest::new("GET", "", "/", "sts");
        r.headers = vec![
            ("x-acs-action".into(), "GetCallerIdentity".into()),
            ("x-acs-version".into(), "2015-04-01".into()),
        ];
        r
    };
    assert_eq!(
        send_signed(&fixture.url, Vendor::Alibaba, ali(), now, "n-1").0,
        200
    );
    let (status, body) = send_signed(&fixture.url, Vendor::Alibaba, ali(), now, "n-1");
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("SignatureNonceUsed")),
        "{body}"
    );
    let (status, body) = send_signed(&fixture.url, Vendor::Alibaba, ali(), now - 3600, "n-2");
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("InvalidTimeStamp.Expired")),
        "{body}"
    );
    // Tencent.
    let fixture = cn_fixture::start(Vendor::Tencent, KEY_ID, SECRET);
    let tc = || {
        let mut r = SignableRequest::new("POST", "", "/", "sts");
        r.headers = vec![
            (
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            ),
            ("X-TC-Action".into(), "GetCallerIdentity".into()),
            ("X-TC-Version".into(), "2018-08-13".into()),
            // Required by the API reference (the fixture refuses the call without it).
            ("X-TC-Region".into(), "ap-guangzhou".into()),
        ];
        r.body = b"{}".to_vec();
        r
    };
    let (status, body) = send_signed(&fixture.url, Vendor::Tencent, tc(), now, "");
    assert_eq!(
        (status, body["Response"]["AccountId"].as_str()),
        (200, Some(TENCENT_ACCOUNT)),
        "{body}"
    );
    let (status, body) = send_signed(&fixture.url, Vendor::Tencent, tc(), now - 3600, "");
    assert_eq!(
        (status, body["Response"]["Error"]["Code"].as_str()),
        (200, Some("AuthFailure.SignatureExpire")),
        "{body}"
    );
    // Huawei.
    let fixture = cn_fixture::start(Vendor::Huawei, KEY_ID, SECRET);
    let hw = || SignableRequest::new("GET", "", "/v3/auth/domains", "iam");
    assert_eq!(
        send_signed(&fixture.url, Vendor::Huawei, hw(), now, "").0,
        200
    );
    let (status, body) = send_signed(&fixture.url, Vendor::Huawei, hw(), now - 3600, "");
    assert_eq!(
        (status, body["error_code"].as_str()),
        (401, Some("APIGW.0301")),
        "{body}"
    );
}

/// Without credential variables, the aliyun and tccli profile files are used.
#[test]
fn cn_credentials_from_cli_profile_files() {
    for (vendor, file, text) in [
        (
            Vendor::Alibaba,
            ".aliyun/config.json",
            format!(
                r#"{{"current": "audit", "profiles": [{{"name": "default", "mode": "AK", "access_key_id": "other", "access_key_secret": "other"}},
                {{"name": "audit", "mode": "AK", "access_key_id": "{KEY_ID}", "access_key_secret": "{SECRET}", "region_id": "cn-hangzhou"}}]}}"#
            ),
        ),
        (
            Vendor::Tencent,
            ".tccli/default.credential",
            format!(r#"{{"secretId": "{KEY_ID}", "secretKey": "{SECRET}"}}"#),
        ),
    ] {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        let fixture = cn_fixture::start(vendor, KEY_ID, SECRET);
        let (name, id_var, secret_var) = env_names(vendor);
        let out = home.path().join("bundle");
        let output = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
            .args([
                "collect",
                name,
                "--out",
                out.to_str().unwrap(),
                "--endpoint-url",
                &fixture.url,
            ])
            .args(["--max-attempts", "1", "--quiet"])
            .env("HOME", home.path())
            .env_remove(id_var)
            .env_remove(secret_var)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(3),
            "{vendor:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            fixture.log.lock().unwrap().iter().all(|(_, ok)| *ok),
            "{vendor:?}"
        );
        assert!(
            !records(&Bundle::open(&out).unwrap()).is_empty(),
            "{vendor:?}"
        );
    }
}

/// One catalog, four providers: every automated control has at least one provider whose
/// collector evidences every kind its rules read. The per-provider gaps are in
/// docs/collectors.md.
#[test]
fn cn_every_automated_control_has_a_provider_able_to_evidence_it() {
    use cloudcap_catalog::Automation;
    use cloudcap_collect::capability;
    use cloudcap_collect::cn::{CnProvider, evidenced_kinds};
    let (catalog, _) = cloudcap_catalog::load(&cloudcap_catalog::embedded_source());
    let catalog = catalog.expect("the embedded catalog loads");
    let providers: Vec<_> = capability::providers()
        .into_iter()
        .map(|p| (p, capability::evidenced_kinds(p)))
        .collect();
    assert!(providers.len() >= 4, "{providers:?}");
    let mut automated = 0;
    for control in catalog
        .controls
        .iter()
        .filter(|c| c.automation == Automation::Automated)
    {
        automated += 1;
        let kinds: BTreeSet<&str> = control.rules.iter().map(|r| r.kind.as_str()).collect();
        let able: Vec<&str> = providers
            .iter()
            .filter(|(_, ks)| kinds.iter().all(|k| ks.contains(k)))
            .map(|(p, _)| p.as_str())
            .collect();
        assert!(
            !able.is_empty(),
            "{}: no provider evidences {kinds:?}",
            control.id
        );
    }
    assert!(automated > 0, "the catalog has no automated control");
    // Each Chinese provider evidences the identity, audit, key, network, volume, backup,
    // monitoring, bucket, residency, VPC and database kinds (Tencent: the password policy from
    // CAM `GetPasswordRules`, the recorder from Config `DescribeConfigRecorder`).
    assert_eq!(evidenced_kinds(CnProvider::Alibaba).len(), 14);
    assert_eq!(evidenced_kinds(CnProvider::Huawei).len(), 14);
    assert_eq!(evidenced_kinds(CnProvider::Tencent).len(), 14);
}

/// The capability matrix holds to what the collectors write: a field listed as never reported
/// is in no record of its kind, and a kind listed as not read gets only `not-implemented`
/// statuses (a collected one never does).
#[test]
fn cn_capability_matrix_matches_the_records() {
    use cloudcap_collect::capability::{self, Capability, When};
    for vendor in [
        Vendor::Alibaba,
        Vendor::Tencent,
        Vendor::Huawei,
        Vendor::Ecloud,
        Vendor::Ctyun,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        let (_, stderr, _) = collect(vendor, SECRET, &out);
        let bundle = Bundle::open(&out).unwrap_or_else(|e| panic!("{stderr}: {e}"));
        let name = env_names(vendor).0;
        let provider = capability::providers()
            .into_iter()
            .find(|p| p.as_str() == name)
            .unwrap();
        let records = records(&bundle);
        let classes = error_classes(&bundle);
        for kind in capability::kinds() {
            let of_kind: Vec<&Value> = records.iter().filter(|r| r["kind"] == *kind).collect();
            let unread = classes
                .iter()
                .filter(|((k, _), class)| k == kind && class.as_str() == "not-implemented")
                .count();
            match capability::capability(provider, kind) {
                Capability::NotRead => {
                    assert!(
                        of_kind.is_empty(),
                        "{name} {kind}: records of a kind not read"
                    );
                    assert!(unread > 0, "{name} {kind}: no not-implemented status");
                }
                Capability::Collected { gaps } => {
                    assert_eq!(unread, 0, "{name} {kind}: not-implemented status");
                    for gap in gaps.iter().filter(|g| g.when == When::Always) {
                        for r in &of_kind {
                            assert!(
                                r.get(gap.field).is_none(),
                                "{name}: {kind}.{} is listed as never reported: {r}",
                                gap.field
                            );
                        }
                    }
                }
            }
        }
    }
}

/// Collecting again into the same bundle skips the complete units and duplicates nothing.
#[test]
fn cn_second_run_into_the_same_bundle_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, first_log) = collect(Vendor::Huawei, SECRET, &out);
    assert_eq!(code, 3, "{stderr}");
    let before = (
        records(&Bundle::open(&out).unwrap()),
        statuses(&Bundle::open(&out).unwrap()),
    );
    let (code, stderr, second_log) = collect(Vendor::Huawei, SECRET, &out);
    // As for AWS, the exit status reflects the scopes collected by this run (none failed now);
    // the bundle still holds the first run's error statuses.
    assert_eq!(code, 0, "{stderr}");
    let after = (
        records(&Bundle::open(&out).unwrap()),
        statuses(&Bundle::open(&out).unwrap()),
    );
    assert_eq!(before, after);
    // Only discovery is repeated: every unit was complete.
    assert!(second_log.len() < first_log.len() / 2, "{second_log:?}");
}

/// The `collection.run` records of a bundle, as JSON.
fn runs(bundle: &Bundle) -> Vec<Value> {
    bundle
        .collection_runs()
        .unwrap()
        .into_iter()
        .map(|(_, run)| serde_json::to_value(run).unwrap())
        .collect()
}

fn sorted_kinds() -> Vec<String> {
    let mut kinds: Vec<String> = cloudcap_collect::cn::KINDS
        .iter()
        .map(|k| (*k).to_owned())
        .collect();
    kinds.sort();
    kinds
}

/// Without `--region` every listed region is collected, and the run says so.
#[test]
fn cn_run_without_region_collects_every_listed_region() {
    for (vendor, provider, account, listed) in [
        (
            Vendor::Alibaba,
            "alibaba",
            ALIBABA_ACCOUNT,
            ["cn-hangzhou", "cn-hongkong", "cn-shanghai"],
        ),
        (
            Vendor::Tencent,
            "tencent",
            TENCENT_ACCOUNT,
            ["ap-guangzhou", "ap-hongkong", "ap-shanghai"],
        ),
        // af-south-1 is in Huawei's region catalogue but the account has no project there.
        (
            Vendor::Huawei,
            "huawei",
            HUAWEI_DOMAIN,
            ["ap-southeast-1", "cn-east-3", "cn-north-4"],
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        let (code, stderr, _) = collect(vendor, SECRET, &out);
        assert_eq!(code, 3, "{vendor:?}: {stderr}");
        let bundle = Bundle::open(&out).unwrap();
        assert_eq!(
            runs(&bundle),
            vec![json!({
                "provider": provider, "partition": provider, "account": account, "region": "global",
                "regions_listed": listed, "regions_collected": listed, "kinds": sorted_kinds(),
            })],
            "{vendor:?}"
        );
        let inventory: Vec<(String, bool)> = records(&bundle)
            .iter()
            .filter(|r| r["kind"] == "region.inventory")
            .map(|r| {
                (
                    r["region"].as_str().unwrap().to_owned(),
                    r["collected"].as_bool().unwrap(),
                )
            })
            .collect();
        let want: Vec<(String, bool)> = listed.iter().map(|r| ((*r).to_owned(), true)).collect();
        assert_eq!(inventory, want, "{vendor:?}");
        assert!(
            statuses(&bundle)
                .iter()
                .all(|s| s.3.as_deref() != Some("not-collected")),
            "{vendor:?}"
        );
    }
}

/// `--region` restricts: every listed region still has a `region.inventory` record, the ones
/// left out with `collected = false` (no `holds_data`, no `resource_count`) and a
/// `not-collected` status for each regional kind; the run records the restriction; and data
/// residency is not evaluated for the regions nobody looked at.
#[test]
fn cn_region_restriction_records_not_collected_regions() {
    let common = [
        "storage.bucket",
        "crypto.key",
        "network.security-group",
        "compute.volume",
        "backup.plan",
        "network.vpc",
        "database.instance",
        "region.inventory",
    ];
    for (vendor, provider, account, region, (n, data), left_out, extra) in [
        (
            Vendor::Alibaba,
            "alibaba",
            ALIBABA_ACCOUNT,
            "cn-hangzhou",
            (15, 6),
            vec![("cn-hongkong", false), ("cn-shanghai", true)],
            // Security Center is account-wide for Alibaba; ActionTrail is regional.
            vec!["audit.trail"],
        ),
        (
            Vendor::Tencent,
            "tencent",
            TENCENT_ACCOUNT,
            "ap-hongkong",
            (2, 1),
            vec![("ap-guangzhou", true), ("ap-shanghai", true)],
            // CloudAudit is account-wide for Tencent; CWP is regional.
            vec!["monitoring.threat-detection"],
        ),
        (
            Vendor::Huawei,
            "huawei",
            HUAWEI_DOMAIN,
            "cn-north-4",
            // 15 resources and the filler VPCs that page ListVpcs.
            (15 + cn_fixture::HW_FILL as u64, 7),
            vec![("ap-southeast-1", false), ("cn-east-3", true)],
            vec!["audit.trail", "monitoring.threat-detection"],
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        let (code, stderr, _) = collect_with(vendor, SECRET, &out, &["--region", region]);
        // Incomplete: the collected scopes keep their own errors (denied, throttled). Tencent's
        // ap-hongkong and account-wide scopes have none: complete.
        let want_code = if vendor == Vendor::Tencent { 0 } else { 3 };
        assert_eq!(code, want_code, "{vendor:?}: {stderr}");
        let bundle = Bundle::open(&out).unwrap();
        let all = records(&bundle);
        let r =
            |region: &str, f: Value| rec(provider, account, "region.inventory", region, region, f);
        let mut f = json!({"mainland_china": cn_fixture_mainland(region), "collected": true, "resource_count": n});
        if let Some(holds) = holds_data(&bundle, region, data) {
            f["holds_data"] = json!(holds);
        }
        let mut want = vec![r(region, f)];
        for (other, mainland) in &left_out {
            want.push(r(
                other,
                json!({"mainland_china": mainland, "collected": false}),
            ));
        }
        let inventory: Vec<Value> = all
            .iter()
            .filter(|r| r["kind"] == "region.inventory")
            .cloned()
            .collect();
        assert_records(&inventory, want);
        // Nothing else is recorded in a region that was not collected.
        for (other, _) in &left_out {
            assert!(
                all.iter()
                    .all(|r| r["region"] != *other || r["kind"] == "region.inventory"),
                "{vendor:?}: a record in {other}"
            );
        }
        // Every regional kind has a not-collected status in each left-out region.
        let st = statuses(&bundle);
        let mut kinds: Vec<&str> = common.iter().chain(&extra).copied().collect();
        kinds.sort();
        for (other, _) in &left_out {
            let got: Vec<(&str, &str, Option<&str>)> = st
                .iter()
                .filter(|s| s.1 == *other)
                .map(|s| (s.0.as_str(), s.2.as_str(), s.3.as_deref()))
                .collect();
            let expected: Vec<(&str, &str, Option<&str>)> = kinds
                .iter()
                .map(|k| (*k, "error", Some("not-collected")))
                .collect();
            assert_eq!(got, expected, "{vendor:?} {other}");
        }
        // The run records what was listed, asked for and covered.
        let mut listed: Vec<&str> = left_out.iter().map(|(r, _)| *r).collect();
        listed.push(region);
        listed.sort();
        assert_eq!(
            runs(&bundle),
            vec![json!({
                "provider": provider, "partition": provider, "account": account, "region": "global",
                "regions_listed": listed, "regions_requested": [region], "regions_collected": [region],
                "kinds": sorted_kinds(),
            })],
            "{vendor:?}"
        );
        // dp-9.1 a: a listed region nobody looked at may hold data: not evaluated (never
        // satisfied), naming each left-out region, unless the collected region itself fails
        // on present facts (Tencent's ap-hongkong holds a bucket outside the mainland).
        let report = assess_report(&out);
        for entry in rule_entries(&report, "data-in-mainland") {
            let outside = !cn_fixture_mainland(region);
            let failed: Vec<&str> = entry["failed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["resource_id"].as_str().unwrap())
                .collect();
            if outside {
                assert_eq!(entry["result"], "not-satisfied", "{vendor:?}: {entry}");
                assert_eq!(entry["reason"]["code"], "resources-fail", "{vendor:?}");
                assert_eq!(failed, vec![region], "{vendor:?}");
            } else {
                assert_eq!(entry["result"], "not-evaluated", "{vendor:?}: {entry}");
                assert_eq!(entry["reason"]["code"], "collection-error", "{vendor:?}");
                assert_eq!(
                    entry["reason"]["first"]["cause"]["error_class"], "not-collected",
                    "{vendor:?}: {entry}"
                );
                assert!(failed.is_empty(), "{vendor:?}");
            }
            let named: BTreeSet<(&str, &str)> = entry["not_reported"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| (n["region"].as_str().unwrap(), n["field"].as_str().unwrap()))
                .collect();
            let want: BTreeSet<(&str, &str)> =
                left_out.iter().map(|(r, _)| (*r, "holds_data")).collect();
            assert_eq!(named, want, "{vendor:?}: {entry}");
        }
    }
}

/// Whether a fixture region is in mainland China (the collector's own table is what is tested).
fn cn_fixture_mainland(region: &str) -> bool {
    !matches!(region, "cn-hongkong" | "ap-hongkong" | "ap-southeast-1")
}

/// A `--region` the account's listing does not contain is an error naming it (exit 4), and
/// nothing is written: no bundle is created, and an existing bundle is left as it was.
#[test]
fn cn_unknown_region_is_refused_and_nothing_is_written() {
    for (vendor, good) in [
        (Vendor::Alibaba, "cn-hangzhou"),
        (Vendor::Tencent, "ap-guangzhou"),
        // Listed in Huawei's region catalogue, but the account has no project there.
        (Vendor::Huawei, "cn-north-4"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        let bad = if vendor == Vendor::Huawei {
            "af-south-1"
        } else {
            "xx-nowhere-1"
        };
        let (code, stderr, _) =
            collect_with(vendor, SECRET, &out, &["--region", good, "--region", bad]);
        assert_eq!(code, 4, "{vendor:?}: {stderr}");
        // Only the unlisted region is named as unknown.
        assert!(
            stderr.contains(&format!(
                "region(s) {bad} not in the account's region listing"
            )),
            "{vendor:?}: {stderr}"
        );
        assert!(!out.exists(), "{vendor:?}: a bundle was left behind");
        assert!(
            std::fs::read_dir(dir.path()).unwrap().next().is_none(),
            "{vendor:?}: something was written"
        );
    }
    // An existing bundle is not touched.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, _) = collect(Vendor::Alibaba, SECRET, &out);
    assert_eq!(code, 3, "{stderr}");
    let snapshot = |dir: &Path| {
        let mut files = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            } else {
                files.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
        files
    };
    let before = snapshot(&out);
    let (code, stderr, _) =
        collect_with(Vendor::Alibaba, SECRET, &out, &["--region", "cn-beijing"]);
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("region(s) cn-beijing not in"), "{stderr}");
    assert!(before == snapshot(&out), "the bundle changed");
}
