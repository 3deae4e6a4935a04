//! China Telecom Cloud (CTyun) in the fixture server: the EOP header signature checked with an
//! implementation written here (independent of `cloudcap_collect::cn::sign_ctyun`; only `hmac`
//! and `sha2` are shared), refusals in the envelope of the ctyunsdk response models
//! (`statusCode` 900, `errorCode`, `error`, `message`, `description`), and the answers of
//! `tests/fixtures/cn/ctyun/<service>-<version>/<Action>[.<case>].json` with paging, a throttled
//! call and a permission error added here.
//!
//! The account: two regions. `bb9fdb42…` holds the file's four groups (`sg-web0000001` opens
//! SSH and HTTPS to the internet, `sg-db00000001` MySQL to 10.0.0.0/8 and another group only,
//! `sg-open000001` every port, `sg-default0001` has no rules and no VPC) and 52 generated groups
//! without rules: 56 groups, two pages of 50, the second throttled once. In `200000001852` the
//! listing is refused (no permission). Volumes: the file's four in `bb9fdb42…` (one encrypted
//! and attached, two unencrypted, one without `isEncrypt`), two a page; refused in the other.
//! Backup policies: the file's three (`date` 30 days on, `num` off, `all` on), one a page, and
//! the cloud-server backup policies' three (`date` 3 days on, `num` on with advanced retention,
//! `all` on), one a page (`pageSize` at most 50).
//! Database instances (RDS2, TeleDB for MySQL): the file's three, one a page, each with its
//! detail and TDE answer (`<Action>.<outerProdInstId>.json`) and the region's backup settings
//! (one a page): `rds-good000001` (no elastic IP, two zones, TDE on, 8 days of backups),
//! `rds-open000001` (an elastic IP bound, one zone, TDE off, automatic backup off) and
//! `rds-bind000001` (an elastic IP being bound: not known whether it is public); the listing
//! is refused in the other region. RDS2 answers succeed with `statusCode` 0 and the SDK sends
//! `regionId` as a header: a request without it is refused.

use std::collections::HashSet;
use std::sync::Mutex;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Request, answer, base64, encode, has_answer, like, now, parse_time, take_items};

/// The region with the groups.
pub const REGION: &str = "bb9fdb42056f11eda1610242ac110002";
/// The region whose security-group listing is refused.
pub const DENIED_REGION: &str = "200000001852";
/// Generated groups after the file's four.
pub const FILLERS: usize = 52;
/// The id of generated group `i`.
pub fn filler(i: usize) -> String {
    format!("sg-fill{i:05}")
}

fn envelope_error(status: u16, code: &str, message: &str) -> (u16, Value) {
    (
        status,
        json!({
            "statusCode": 900,
            "errorCode": code,
            "error": code,
            "message": message,
            "description": message,
        }),
    )
}

fn hmac256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The EOP check: `Eop-Authorization` is `<ak> Headers=ctyun-eop-request-id;eop-date
/// Signature=<base64>`, a fresh `ctyun-eop-request-id`, an `Eop-date` of Beijing time
/// (`yyyymmddTHHMMSSZ`) within 15 minutes, and the signature
/// `HMAC(HMAC(HMAC(HMAC(sk, date), ak), yyyymmdd), headers \n \n sorted query \n sha256(body))`.
fn check(req: &Request, ak: &str, sk: &str, nonces: &Mutex<HashSet<String>>) -> Result<(), String> {
    let auth = req.header("eop-authorization");
    let Some((key, rest)) = auth.split_once(' ') else {
        return Err(format!(
            "Eop-Authorization {auth:?} is not `ak Headers=… Signature=…`"
        ));
    };
    if key != ak {
        return Err(format!("unknown access key {key:?}"));
    }
    let Some(signature) = rest
        .strip_prefix("Headers=ctyun-eop-request-id;eop-date Signature=")
        .filter(|s| !s.is_empty())
    else {
        return Err("the signed headers must be ctyun-eop-request-id;eop-date".into());
    };
    let id = req.header("ctyun-eop-request-id");
    if id.is_empty() {
        return Err("ctyun-eop-request-id is missing".into());
    }
    let date = req.header("eop-date");
    let well_formed = date.len() == 16
        && date.as_bytes()[8] == b'T'
        && date.ends_with('Z')
        && date.chars().filter(char::is_ascii_digit).count() == 14;
    let Some(beijing) = parse_time(date).filter(|_| well_formed) else {
        return Err(format!("Eop-date {date:?} is not yyyymmddTHHMMSSZ"));
    };
    if (beijing - 8 * 3600 - now()).abs() > 900 {
        return Err(format!("Eop-date {date} (Beijing time) is stale"));
    }
    let mut pairs = req.query_pairs();
    pairs.sort();
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let text = format!(
        "ctyun-eop-request-id:{id}\neop-date:{date}\n\n{query}\n{}",
        hex::encode(Sha256::digest(&req.body))
    );
    let kdate = hmac256(
        &hmac256(&hmac256(sk.as_bytes(), date.as_bytes()), ak.as_bytes()),
        &date.as_bytes()[..8],
    );
    if signature != base64(&hmac256(&kdate, text.as_bytes())) {
        return Err("the signature does not match".into());
    }
    if !nonces.lock().unwrap().insert(format!("ctyun:{id}")) {
        return Err(format!("ctyun-eop-request-id {id} was used before"));
    }
    Ok(())
}

/// `(status, body, action, accepted)`.
pub(super) fn ctyun(
    req: &Request,
    ak: &str,
    sk: &str,
    nonces: &Mutex<HashSet<String>>,
) -> (u16, Value, String, bool) {
    let action = match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/v4/region/list-regions") => "V4RegionListRegions",
        ("GET", "/v4/vpc/new-query-security-groups") => "V4VpcNewQuerySecurityGroups",
        ("GET", "/v4/ebs/list-ebs") => "V4EbsListEbs",
        ("GET", "/v4/ebs-backup/policy/list-policies") => "V4EbsBackupPolicyListPolicies",
        ("GET", "/v4/ecs/backup-policy/list") => "V4EcsBackupPolicyList",
        ("POST", "/RDS2/v1/open-api/instance/instance-list") => "Rds2GetInstanceListV4",
        ("GET", "/RDS2/v1/open-api/instance") => "Rds2GetInstanceDetailV4",
        ("GET", "/RDS2/v1/open-api/kmsproxy/status") => "Rds2GetInstanceTdeStatus",
        ("GET", "/RDS2/v2/open-api/backupConfig/list") => "Rds2GetBackupConfigList",
        _ => {
            let (s, b) = envelope_error(404, "Openapi.Common.404", "no such API");
            return (s, b, format!("{} {}", req.method, req.path), false);
        }
    };
    if let Err(message) = check(req, ak, sk, nonces) {
        let (s, b) = envelope_error(401, "Openapi.Signature.Invalid", &message);
        return (s, b, action.to_owned(), false);
    }
    let (status, body) = match action {
        "V4RegionListRegions" => (
            200,
            answer("ctyun", "ecs-20220909", "V4RegionListRegions", ""),
        ),
        "V4EbsListEbs" => volumes(req),
        "V4EbsBackupPolicyListPolicies" => backup_policies(req, "ebsbackup-20220909", action, None),
        "V4EcsBackupPolicyList" => backup_policies(req, "csbs-20220909", action, Some(50)),
        a if a.starts_with("Rds2") => rds2(req, a),
        _ => groups(req, nonces),
    };
    (status, body, action.to_owned(), true)
}

/// The path's service and API version as the SDK packages name them (`ctyunsdk_<svc><ver>`).
pub(super) fn service_of(path: &str) -> (&'static str, &'static str) {
    if path.starts_with("/v4/vpc/") {
        ("vpc", "20220909")
    } else if path.starts_with("/v4/ebs-backup/") {
        ("ebsbackup", "20220909")
    } else if path.starts_with("/v4/ebs/") {
        ("ebs", "20220909")
    } else if path.starts_with("/v4/ecs/backup-policy/") {
        ("csbs", "20220909")
    } else if path.starts_with("/v4/region/") {
        ("ecs", "20220909")
    } else if path.starts_with("/RDS2/") {
        // `ctyunsdk-rds220220714`: the RDS2 API of 2022-07-14.
        ("rds2", "20220714")
    } else {
        ("unknown", "")
    }
}

/// One page (`pageNo` from 1, `pageSize` up to 50) of a region's groups.
fn groups(req: &Request, nonces: &Mutex<HashSet<String>>) -> (u16, Value) {
    let region = req.param("regionID");
    let (Ok(page), Ok(size)) = (
        req.param("pageNo").parse::<usize>(),
        req.param("pageSize").parse::<usize>(),
    ) else {
        return envelope_error(200, "Vpc.Param.Invalid", "pageNo and pageSize are required");
    };
    if page == 0 || size == 0 || size > 50 {
        return envelope_error(200, "Vpc.Param.Invalid", "pageNo from 1, pageSize 1..=50");
    }
    if region == DENIED_REGION {
        return envelope_error(200, "Openapi.Common.403", "no permission in this region");
    }
    if region != REGION {
        return envelope_error(200, "Vpc.Region.NotFound", "unknown regionID");
    }
    if page == 2 && nonces.lock().unwrap().insert("ctyun:throttled".into()) {
        return (
            429,
            json!({"statusCode": "429", "message": "request rate exceeded"}),
        );
    }
    let mut body = answer("ctyun", "vpc-20220909", "V4VpcNewQuerySecurityGroups", "");
    let mut items = take_items(&mut body, &["returnObj", "securityGroups"]);
    let template = items[0].clone();
    for i in 0..FILLERS {
        items.push(like(
            &template,
            json!({
                "id": filler(i),
                "securityGroupName": format!("fill-{i:02}"),
                "description": null,
                "securityGroupRuleList": [],
            }),
        ));
    }
    let total = items.len();
    let page_items: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * size)
        .take(size)
        .collect();
    body["returnObj"]["currentCount"] = json!(page_items.len());
    body["returnObj"]["securityGroups"] = Value::Array(page_items);
    body["returnObj"]["totalCount"] = json!(total);
    body["returnObj"]["totalPage"] = json!(total.div_ceil(size));
    (200, body)
}

/// Volumes served per page at most, whatever `pageSize` asks (a server may serve fewer), so the
/// file's four take two pages.
pub const VOLUMES_PER_PAGE: usize = 2;

/// One page (`pageNo` from 1, `pageSize` up to 300, the SDK model's maximum) of a region's
/// volumes; the denied region is refused as for security groups.
fn volumes(req: &Request) -> (u16, Value) {
    let region = req.param("regionID");
    let (Ok(page), Ok(size)) = (
        req.param("pageNo").parse::<usize>(),
        req.param("pageSize").parse::<usize>(),
    ) else {
        return envelope_error(200, "Ebs.Param.Invalid", "pageNo and pageSize are required");
    };
    if page == 0 || size == 0 || size > 300 {
        return envelope_error(200, "Ebs.Param.Invalid", "pageNo from 1, pageSize 1..=300");
    }
    if region == DENIED_REGION {
        return envelope_error(200, "Openapi.Common.403", "no permission in this region");
    }
    if region != REGION {
        return envelope_error(200, "Ebs.Region.NotFound", "unknown regionID");
    }
    let mut body = answer("ctyun", "ebs-20220909", "V4EbsListEbs", "");
    let items = take_items(&mut body, &["returnObj", "diskList"]);
    let total = items.len();
    let per = size.min(VOLUMES_PER_PAGE);
    let page_items: Vec<Value> = items.into_iter().skip((page - 1) * per).take(per).collect();
    body["returnObj"]["currentCount"] = json!(page_items.len());
    body["returnObj"]["diskList"] = Value::Array(page_items);
    body["returnObj"]["totalCount"] = json!(total);
    body["returnObj"]["diskTotal"] = json!(total);
    body["returnObj"]["totalPage"] = json!(total.div_ceil(per));
    (200, body)
}

/// One page of a region's backup policies (volume or cloud-server, from `dir`): one policy a
/// page whatever `pageSize` asks, so the file's three take three pages; a `pageSize` above
/// `max` is refused; the denied region is refused.
fn backup_policies(req: &Request, dir: &str, action: &str, max: Option<usize>) -> (u16, Value) {
    let region = req.param("regionID");
    let (Ok(page), Ok(size)) = (
        req.param("pageNo").parse::<usize>(),
        req.param("pageSize").parse::<usize>(),
    ) else {
        return envelope_error(
            200,
            "Ebsbackup.Param.Invalid",
            "pageNo and pageSize are required",
        );
    };
    if page == 0 || size == 0 || max.is_some_and(|m| size > m) {
        return envelope_error(200, "Ebsbackup.Param.Invalid", "pageNo and pageSize from 1");
    }
    if region == DENIED_REGION {
        return envelope_error(200, "Openapi.Common.403", "no permission in this region");
    }
    if region != REGION {
        return envelope_error(200, "Ebsbackup.Region.NotFound", "unknown regionID");
    }
    let mut body = answer("ctyun", dir, action, "");
    let items = take_items(&mut body, &["returnObj", "policyList"]);
    let total = items.len();
    let page_items: Vec<Value> = items.into_iter().skip(page - 1).take(1).collect();
    body["returnObj"]["currentCount"] = json!(page_items.len());
    body["returnObj"]["policyList"] = Value::Array(page_items);
    body["returnObj"]["totalCount"] = json!(total);
    (200, body)
}

/// An RDS2 refusal: the models' envelope (`statusCode`, `message`, `error`, no `errorCode`).
fn rds2_error(code: &str, message: &str) -> (u16, Value) {
    (
        200,
        json!({"statusCode": 900, "message": message, "error": code, "returnObj": null}),
    )
}

/// The RDS2 calls: the listing (`pageNow`/`pageSize` in the JSON body) and the backup settings
/// (in the query) one item a page with `total`; detail and TDE state per `outerProdInstId`.
fn rds2(req: &Request, action: &str) -> (u16, Value) {
    let region = req.header("regionid");
    if region.is_empty() {
        return rds2_error("Rds2.Param.Invalid", "the regionId header is required");
    }
    if region == DENIED_REGION {
        return rds2_error("Openapi.Common.403", "no permission in this region");
    }
    if region != REGION {
        return rds2_error("Rds2.Region.NotFound", "unknown regionId");
    }
    let dir = "rds2-20220714";
    let (page, size) = match action {
        "Rds2GetInstanceListV4" => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            (body["pageNow"].as_u64(), body["pageSize"].as_u64())
        }
        "Rds2GetBackupConfigList" => (
            req.param("pageNow").parse().ok(),
            req.param("pageSize").parse().ok(),
        ),
        _ => {
            let id = req.param("outerProdInstId");
            if id.is_empty() {
                return rds2_error("Rds2.Param.Invalid", "outerProdInstId is required");
            }
            if !has_answer("ctyun", dir, action, &id) {
                return rds2_error("Rds2.Instance.NotFound", "no such instance");
            }
            return (200, answer("ctyun", dir, action, &id));
        }
    };
    let (Some(page), Some(size)) = (page, size) else {
        return rds2_error("Rds2.Param.Invalid", "pageNow and pageSize are required");
    };
    if page == 0 || size == 0 {
        return rds2_error("Rds2.Param.Invalid", "pageNow and pageSize from 1");
    }
    let mut body = answer("ctyun", dir, action, "");
    let items = take_items(&mut body, &["returnObj", "list"]);
    let total = items.len();
    let page = page as usize;
    let page_items: Vec<Value> = items.into_iter().skip(page - 1).take(1).collect();
    let o = &mut body["returnObj"];
    o["pageNum"] = json!(page);
    o["pageSize"] = json!(size);
    o["size"] = json!(page_items.len());
    o["total"] = json!(total);
    o["pages"] = json!(total);
    o["isFirstPage"] = json!(page == 1);
    o["isLastPage"] = json!(page >= total);
    o["hasPreviousPage"] = json!(page > 1);
    o["hasNextPage"] = json!(page < total);
    o["list"] = Value::Array(page_items);
    (200, body)
}
