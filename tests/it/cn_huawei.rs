//! Huawei Cloud against the SDK's own definitions (issue #11): every listing read to its end,
//! the page bound an error, and the scope headers the SDK sends (`X-Project-Id` on
//! project-scoped calls, `X-Domain-Id` on IAM and RMS) required by the fixture.

use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::path::Path;

use cloudcap_collect::cn::{Credentials, SignableRequest, SigningContext, sign_huawei};
use cloudcap_evidence::Bundle;
use serde_json::Value;

use crate::cn_e2e::{self, KEY_ID, SECRET};
use crate::cn_fixture::{self, HUAWEI_DOMAIN, Vendor};

/// `cloudcap collect huawei` against a fresh fixture: exit code, stderr, request log.
fn run(out: &Path, extra: &[&str]) -> (u8, String, Vec<(String, bool)>) {
    cn_e2e::run_collect(Vendor::Huawei, KEY_ID, SECRET, out, extra)
}

fn errors(bundle: &Bundle) -> BTreeMap<(String, String), String> {
    cn_e2e::error_classes(bundle)
}

fn ids(bundle: &Bundle, kind: &str) -> Vec<String> {
    let mut out: Vec<String> = bundle
        .records(kind)
        .map(|r| r.unwrap().1["resource_id"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

fn error_map(items: &[(&str, &str, &str)]) -> BTreeMap<(String, String), String> {
    items
        .iter()
        .map(|(k, r, c)| (((*k).to_owned(), (*r).to_owned()), (*c).to_owned()))
        .collect()
}

/// Every Huawei listing of the fixture takes several pages (the fixture honours `limit`,
/// `marker` and `offset`): each is requested page by page, and the resources of the last page
/// reach the bundle.
#[test]
fn cn_huawei_every_listing_is_read_to_its_last_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = run(&out, &[]);
    assert_eq!(code, 3, "{stderr}");
    assert!(log.iter().all(|(_, ok)| *ok), "{log:?}");
    let count = |path: &str| log.iter().filter(|(p, _)| p == path).count();
    // Token listings (cap 1 or 2 per page), totals (cap 1), last-id markers (pages of 100).
    for (path, pages) in [
        ("/v1.0/p-cn4/kms/list-keys", 3),
        ("/v3/p-cn4/vpc/security-groups", 2),
        ("/v2/p-cn4/cloudvolumes/detail", 2),
        ("/v5/p-hk1/host-management/hosts", 2),
        ("/v3/p-cn4/instances", 2),
        ("/v1/p-cn4/vpcs", 2),
        ("/v1/p-cn4/fl/flow_logs", 2),
        // OBS ListBuckets (fixture log key `obs:<bucket>?<first query key>`).
        ("obs:?max-keys", 2),
    ] {
        assert_eq!(count(path), pages, "{path}");
    }
    // sg-web's rules take 5 pages, sg-db's 1; each of sg-web's two address groups is read
    // once.
    assert_eq!(count("/v3/p-cn4/vpc/security-group-rules"), 6);
    let groups = log
        .iter()
        .filter(|(p, _)| p.starts_with("/v3/p-cn4/vpc/address-groups/"))
        .count();
    assert_eq!(groups, 2, "{log:?}");
    let bundle = Bundle::open(&out).unwrap();
    assert!(ids(&bundle, "crypto.key").contains(&"kms-cn4-rsa-0001".to_owned()));
    assert!(
        ids(&bundle, "network.security-group")
            .contains(&"16b6ad0e-0000-4000-8000-000000000002".to_owned())
    );
    assert!(ids(&bundle, "compute.volume").contains(&"vol-cn4-0002".to_owned()));
    assert!(ids(&bundle, "database.instance").contains(&"rds-cn4-open-in02".to_owned()));
    assert_eq!(ids(&bundle, "storage.bucket"), vec!["hw-open", "hw-secure"]);
    assert_eq!(ids(&bundle, "network.vpc").len(), 2 + cn_fixture::HW_FILL);
    assert!(ids(&bundle, "network.vpc").contains(&"vpc-cn4-000000000000000000000002".to_owned()));
    // The VPC flow log of `prod` is on page 2 of ListFlowLogs.
    let prod = bundle
        .records("network.vpc")
        .map(|r| r.unwrap().1)
        .find(|v| v["resource_id"] == "vpc-cn4-000000000000000000000001")
        .unwrap();
    assert_eq!(prod["flow_log_enabled"], true, "{prod}");
    // The unprotected host is on page 2 of ListHostStatus.
    let hk = bundle
        .records("monitoring.threat-detection")
        .map(|r| r.unwrap().1)
        .collect::<Vec<Value>>();
    assert_eq!(hk.len(), 1, "{hk:?}");
    assert_eq!(hk[0]["region"], "ap-southeast-1");
    assert_eq!(hk[0]["enabled"], false);
}

/// `--max-pages 1`: every listing longer than one page is a `truncated` error for its kind and
/// region, and none of its resources is recorded (no silent first page).
#[test]
fn cn_huawei_page_bound_is_a_truncated_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = run(&out, &["--max-pages", "1"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(log.iter().all(|(_, ok)| *ok), "{log:?}");
    let bundle = Bundle::open(&out).unwrap();
    assert_eq!(
        errors(&bundle),
        error_map(&[
            ("compute.volume", "cn-east-3", "throttled"),
            ("compute.volume", "cn-north-4", "truncated"),
            ("crypto.key", "cn-north-4", "truncated"),
            ("database.instance", "cn-north-4", "truncated"),
            ("monitoring.threat-detection", "ap-southeast-1", "truncated"),
            ("monitoring.threat-detection", "cn-north-4", "access-denied"),
            ("network.security-group", "cn-north-4", "truncated"),
            ("network.vpc", "cn-north-4", "truncated"),
            // One bucket listing serves every region.
            ("storage.bucket", "ap-southeast-1", "truncated"),
            ("storage.bucket", "cn-east-3", "truncated"),
            ("storage.bucket", "cn-north-4", "truncated"),
        ])
    );
    for kind in [
        "compute.volume",
        "crypto.key",
        "database.instance",
        "monitoring.threat-detection",
        "network.security-group",
        "network.vpc",
        "storage.bucket",
    ] {
        assert_eq!(ids(&bundle, kind), Vec::<String>::new(), "{kind}");
    }
}

/// Sends `req` signed by the collector's signer; `(status, body)`.
fn send(url: &str, mut req: SignableRequest) -> (u16, Value) {
    let host = url.trim_start_matches("http://").to_owned();
    req.host = host.clone();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let ctx = SigningContext {
        unix_time: now,
        nonce: String::new(),
    };
    sign_huawei::ApigSigner::new(Credentials::new(KEY_ID, SECRET))
        .sign_request(&mut req, &ctx)
        .unwrap();
    let mut head = format!("{} {} HTTP/1.1\r\n", req.method, req.path);
    for (k, v) in &req.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("Content-Length: 0\r\nConnection: close\r\n\r\n");
    let mut stream = std::net::TcpStream::connect(&host).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
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

/// The fixture refuses a project-scoped call without a signed `X-Project-Id` of the path's
/// project, and an IAM / RMS call without a signed `X-Domain-Id` (the domain listing, which
/// finds the domain, needs none), as the SDK always sends them.
#[test]
fn cn_huawei_fixture_requires_the_sdk_scope_headers() {
    let fixture = cn_fixture::start(Vendor::Huawei, KEY_ID, SECRET);
    let with = |method: &str, path: &str, service: &str, headers: &[(&str, &str)]| {
        let mut req = SignableRequest::new(method, "", path, service);
        req.headers = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        send(&fixture.url, req)
    };
    let vpcs = "/v1/p-cn4/vpcs";
    let (status, body) = with("GET", vpcs, "vpc", &[]);
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error_code"], "APIGW.0301");
    assert_eq!(
        with("GET", vpcs, "vpc", &[("X-Project-Id", "p-cn3")]).0,
        401
    );
    assert_eq!(
        with("GET", vpcs, "vpc", &[("X-Project-Id", "p-cn4")]).0,
        200
    );
    let tracker = format!("/v1/resource-manager/domains/{HUAWEI_DOMAIN}/tracker-config");
    assert_eq!(with("GET", &tracker, "rms", &[]).0, 401);
    assert_eq!(
        with("GET", &tracker, "rms", &[("X-Domain-Id", HUAWEI_DOMAIN)]).0,
        200
    );
    assert_eq!(with("GET", "/v3/auth/projects", "iam", &[]).0, 401);
    assert_eq!(
        with(
            "GET",
            "/v3/auth/projects",
            "iam",
            &[("X-Domain-Id", HUAWEI_DOMAIN)]
        )
        .0,
        200
    );
    assert_eq!(with("GET", "/v3/auth/domains", "iam", &[]).0, 200);
}

/// CBR `ListPolicies` has no paging parameters in the SDK: its `count` must match the list.
/// A count larger than the list is a cut answer: `malformed` for `backup.plan` in that region
/// and no plan record from it, never a short list taken as whole. Users are listed with
/// `enabled=true`: the fixture's disabled `old-ops` (which has no detail answers) is left out.
#[test]
fn cn_huawei_short_policy_list_is_malformed_and_disabled_users_are_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stderr, log) = cn_e2e::run_collect(
        Vendor::Huawei,
        "HSTAfixture00000short",
        SECRET,
        &out,
        &["--region", "cn-north-4"],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(
        log.iter().any(|(p, _)| p == "/v3/p-cn4/policies"),
        "{log:?}"
    );
    let bundle = Bundle::open(&out).unwrap();
    let errs = errors(&bundle);
    assert_eq!(
        errs.get(&("backup.plan".to_owned(), "cn-north-4".to_owned()))
            .map(String::as_str),
        Some("malformed"),
        "{errs:?}"
    );
    assert!(ids(&bundle, "backup.plan").is_empty());
    assert!(
        !errs.contains_key(&("identity.user".to_owned(), "global".to_owned())),
        "{errs:?}"
    );
    let users = ids(&bundle, "identity.user");
    assert_eq!(users.len(), 3, "{users:?}");
    assert!(users.iter().all(|u| !u.contains("u-old")), "{users:?}");
}
