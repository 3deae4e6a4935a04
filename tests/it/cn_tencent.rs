//! Tencent Cloud against tencentcloud-sdk-go's definitions: every listing read to its end (and
//! the page bound an error status), DescribeKeys batched at 100 KeyIds, the `Region` that STS
//! and CloudAudit require. The `cn_fixture` server refuses what the SDK's models do not allow.

use std::collections::BTreeMap;
use std::path::Path;

use cloudcap_evidence::Bundle;
use serde_json::Value;

use crate::cn_e2e::{self, KEY_ID, SECRET};
use crate::cn_fixture::{self, TENCENT_ACCOUNT, Vendor};

/// An access key id ending in `large`: the fixture's larger account (full pages, 150 keys, 201
/// policies on dev-alice, 51 audit tracks).
const LARGE_KEY_ID: &str = "AKIDfixture000000large";
/// An access key id ending in `nohosts`: the account has no host for CWP to protect.
const NOHOSTS_KEY_ID: &str = "AKIDfixture0000nohosts";

/// Runs `cloudcap collect tencent`; returns the exit code, stderr and the fixture's log.
fn collect(key_id: &str, out: &Path, extra: &[&str]) -> (u8, String, Vec<(String, bool)>) {
    cn_e2e::run_collect(Vendor::Tencent, key_id, SECRET, out, extra)
}

/// `(kind, region, id) -> record` of every record.
fn records(bundle: &Bundle) -> BTreeMap<(String, String, String), Value> {
    bundle
        .all_records()
        .map(|r| {
            let (_, v) = r.unwrap();
            let f = |k: &str| v[k].as_str().unwrap_or("").to_owned();
            ((f("kind"), f("region"), f("resource_id")), v)
        })
        .collect()
}

/// `(kind, region) -> error class` of every error status.
fn errors(bundle: &Bundle) -> BTreeMap<(String, String), String> {
    cn_e2e::error_classes(bundle)
}

fn of_kind<'a>(
    recs: &'a BTreeMap<(String, String, String), Value>,
    kind: &'a str,
) -> impl Iterator<Item = &'a Value> + 'a {
    recs.iter()
        .filter(move |((k, _, _), _)| k == kind)
        .map(|(_, v)| v)
}

/// The page-number listings (CAM ListAttachedUserAllPolicies `Page`/`Rp` ≤ 200, CloudAudit
/// DescribeAuditTracks `PageNumber`/`PageSize`) are read past page 1; KMS ListKeys returns 150
/// keys and DescribeKeys, which takes at most 100 KeyIds (the fixture refuses more), is called
/// twice.
#[test]
fn cn_tencent_large_account_pages_policies_tracks_and_batches_describe_keys() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = collect(LARGE_KEY_ID, &out, &["--region", "ap-guangzhou"]);
    // ap-guangzhou's CWP is denied: incomplete.
    assert_eq!(code, 3, "{stderr}");
    assert!(log.iter().all(|(_, ok)| *ok), "{log:?}");
    let bundle = Bundle::open(&out).unwrap();
    let errs = errors(&bundle);
    let collected: Vec<(String, String, String)> = errs
        .iter()
        .filter(|(_, class)| *class != "not-collected")
        .map(|((k, r), c)| (k.clone(), r.clone(), c.clone()))
        .collect();
    assert_eq!(
        collected,
        vec![(
            "monitoring.threat-detection".to_owned(),
            "ap-guangzhou".to_owned(),
            "access-denied".to_owned()
        )],
        "{errs:?}"
    );
    let recs = records(&bundle);
    // KMS: all 150 keys, from two DescribeKeys calls.
    assert_eq!(of_kind(&recs, "crypto.key").count(), 150);
    assert!(recs.contains_key(&(
        "crypto.key".into(),
        "ap-guangzhou".into(),
        "b9a1c2d3-0000-11ee-8000-525400000150".into()
    )));
    let describe_keys = log.iter().filter(|(a, _)| a == "DescribeKeys").count();
    assert_eq!(describe_keys, 2, "{log:?}");
    // CAM: dev-alice's AdministratorAccess is the 201st policy (page 2 of Rp 200).
    let alice = &recs[&(
        "identity.user".to_owned(),
        "global".to_owned(),
        format!("qcs::cam::uin/{TENCENT_ACCOUNT}:uin/100000000011"),
    )];
    assert_eq!(alice["privileged"], true, "{alice}");
    let pages = log
        .iter()
        .filter(|(a, _)| a == "ListAttachedUserAllPolicies")
        .count();
    // dev-alice: two pages; ops-bot: one.
    assert_eq!(pages, 3, "{log:?}");
    // CloudAudit: 51 tracks; the one recording every management event is on page 2.
    let trails: Vec<&Value> = of_kind(&recs, "audit.trail").collect();
    assert_eq!(trails.len(), 51);
    let all_events: Vec<&str> = trails
        .iter()
        .filter(|t| t["management_events"] == true)
        .map(|t| t["resource_id"].as_str().unwrap())
        .collect();
    assert_eq!(all_events, vec!["30001"]);
}

/// `--max-pages 1`: every listing that has a second page ends in a `truncated` error status
/// for its kind and region, and none of its items is recorded (never a short listing).
#[test]
fn cn_tencent_page_bound_is_a_truncated_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = collect(KEY_ID, &out, &["--max-pages", "1"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(log.iter().all(|(_, ok)| *ok), "{log:?}");
    let bundle = Bundle::open(&out).unwrap();
    let errs = errors(&bundle);
    let recs = records(&bundle);
    for (kind, region) in [
        ("crypto.key", "ap-guangzhou"),
        ("network.security-group", "ap-guangzhou"),
        ("network.vpc", "ap-guangzhou"),
        ("compute.volume", "ap-guangzhou"),
        ("backup.plan", "ap-guangzhou"),
        ("database.instance", "ap-guangzhou"),
        ("monitoring.threat-detection", "ap-shanghai"),
        ("monitoring.threat-detection", "ap-hongkong"),
        ("storage.bucket", "ap-guangzhou"),
        ("storage.bucket", "ap-hongkong"),
    ] {
        assert_eq!(
            errs.get(&(kind.to_owned(), region.to_owned()))
                .map(String::as_str),
            Some("truncated"),
            "{kind} {region}: {errs:?}"
        );
        assert!(
            !recs.keys().any(|(k, r, _)| k == kind && r == region),
            "{kind} {region}: a record from a truncated listing"
        );
    }
    // One-page listings are complete.
    assert!(!errs.contains_key(&("audit.trail".to_owned(), "global".to_owned())));
    assert_eq!(of_kind(&recs, "audit.trail").count(), 3);
}

/// POSTs a TC3-signed API 3.0 call (the collector's own signer) to the fixture; returns the
/// answer's `Response`.
fn tc_call(url: &str, service: &str, action: &str, version: &str, region: Option<&str>) -> Value {
    use cloudcap_collect::cn::{Credentials, SignableRequest, SigningContext, sign_tencent};
    use std::io::{BufRead, Read, Write};
    let host = url.trim_start_matches("http://").to_owned();
    let mut req = SignableRequest::new("POST", &host, "/", service);
    req.headers = vec![
        (
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        ),
        ("X-TC-Action".into(), action.into()),
        ("X-TC-Version".into(), version.into()),
    ];
    if let Some(r) = region {
        req.headers.push(("X-TC-Region".into(), r.into()));
    }
    req.body = b"{}".to_vec();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let ctx = SigningContext {
        unix_time: now,
        nonce: String::new(),
    };
    sign_tencent::Tc3Signer::new(Credentials::new(KEY_ID, SECRET))
        .sign_request(&mut req, &ctx)
        .unwrap();
    let mut head = format!("{} {} HTTP/1.1\r\n", req.method, req.path);
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
    serde_json::from_slice::<Value>(&body).unwrap()["Response"].clone()
}

/// STS `GetCallerIdentity` and CloudAudit `DescribeAuditTracks` mark the common parameter
/// `Region` required: the fixture refuses them without `X-TC-Region` (so the collector's runs,
/// whose every request the e2e tests require accepted, prove that it sends one).
#[test]
fn cn_tencent_fixture_refuses_region_less_sts_and_cloudaudit() {
    let fixture = cn_fixture::start(Vendor::Tencent, KEY_ID, SECRET);
    for (service, action, version) in [
        ("sts", "GetCallerIdentity", "2018-08-13"),
        ("cloudaudit", "DescribeAuditTracks", "2019-03-19"),
    ] {
        let refused = tc_call(&fixture.url, service, action, version, None);
        assert_eq!(refused["Error"]["Code"], "MissingParameter", "{refused}");
        let answered = tc_call(&fixture.url, service, action, version, Some("ap-guangzhou"));
        assert!(answered.get("Error").is_none(), "{answered}");
    }
}

/// A region without hosts has nothing for CWP to protect: no `monitoring.threat-detection`
/// record at all (neither a false "disabled" fact nor a pass), and its collection succeeded.
#[test]
fn cn_tencent_region_without_hosts_gives_no_threat_detection_record() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = collect(NOHOSTS_KEY_ID, &out, &["--region", "ap-hongkong"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        log.iter().any(|(a, ok)| a == "DescribeMachines" && *ok),
        "{log:?}"
    );
    let bundle = Bundle::open(&out).unwrap();
    let recs = records(&bundle);
    assert_eq!(
        of_kind(&recs, "monitoring.threat-detection").count(),
        0,
        "{recs:?}"
    );
    let errs = errors(&bundle);
    assert!(
        !errs.contains_key(&(
            "monitoring.threat-detection".to_owned(),
            "ap-hongkong".to_owned()
        )),
        "{errs:?}"
    );
}
