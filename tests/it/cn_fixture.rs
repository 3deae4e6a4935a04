//! A loopback fixture server for the Alibaba Cloud, Tencent Cloud and Huawei Cloud APIs.
//!
//! Every request's signature is verified with an implementation of each vendor algorithm written
//! here independently of `cloudcap_collect::cn` (only `hmac`/`sha2` are shared); wrong, unknown
//! or stale signatures are refused with the vendor's real error shape. Answers are written from
//! the vendors' API references (field names as documented) and describe one account per vendor
//! with known good and bad settings, plus throttled and permission-denied calls.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vendor {
    Alibaba,
    Tencent,
    Huawei,
}

pub const ALIBABA_ACCOUNT: &str = "1234567890123456";
pub const TENCENT_ACCOUNT: &str = "100012345678";
pub const HUAWEI_DOMAIN: &str = "0a1b2c3d4e5f4a5b8c9d0e1f2a3b4c5d";

/// A running server; it stops with the test process.
pub struct Fixture {
    pub url: String,
    /// `(action, accepted)` of every request, in arrival order.
    pub log: Arc<Mutex<Vec<(String, bool)>>>,
    /// Every answer served to an accepted request, with what names its response model.
    pub served: Arc<Mutex<Vec<Served>>>,
}

/// One answer of the fixture, with what identifies its model in the vendor's SDK.
#[derive(Clone, Debug)]
pub struct Served {
    pub vendor: Vendor,
    /// Product / service as the SDK names it (`ram`, `cdb`, `vpc`); for object storage `oss`,
    /// `cos` or `obs`.
    pub service: String,
    /// API version as the API names it: `2015-05-01`, `2017-03-20`, `v3`.
    pub version: String,
    /// The action (`ListUsers`, `KeystoneListUsers`); object storage: `bucket?sub-resource`.
    pub action: String,
    pub method: String,
    pub path: String,
    pub query: String,
    /// The request body (Tencent's and Huawei's JSON parameters).
    pub request: String,
    pub status: u16,
    /// The body: JSON as sent, or the XML text of object storage as a JSON string.
    pub body: Value,
}

struct Request {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect()
    }

    fn param(&self, name: &str) -> String {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .unwrap_or_default()
    }
}

/// Starts a server for `vendor` that accepts only `access_key_id` signed with `secret`.
pub fn start(vendor: Vendor, access_key_id: &str, secret: &str) -> Fixture {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let served = Arc::new(Mutex::new(Vec::new()));
    let nonces = Arc::new(Mutex::new(HashSet::new()));
    let (ak, sk, server_log, server_served) = (
        access_key_id.to_owned(),
        secret.to_owned(),
        Arc::clone(&log),
        Arc::clone(&served),
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (ak, sk, log, served, nonces) = (
                ak.clone(),
                sk.clone(),
                Arc::clone(&server_log),
                Arc::clone(&server_served),
                Arc::clone(&nonces),
            );
            std::thread::spawn(move || serve(stream, vendor, &ak, &sk, &log, &served, &nonces));
        }
    });
    Fixture { url, log, served }
}

fn serve(
    stream: TcpStream,
    vendor: Vendor,
    ak: &str,
    sk: &str,
    log: &Mutex<Vec<(String, bool)>>,
    served: &Mutex<Vec<Served>>,
    nonces: &Mutex<HashSet<String>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, target) = (
            parts.next().unwrap_or("").to_owned(),
            parts.next().unwrap_or("/").to_owned(),
        );
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let req = Request {
            method,
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body,
        };
        let (status, answer, action, accepted) = match vendor {
            Vendor::Alibaba => alibaba(&req, ak, sk, nonces),
            Vendor::Tencent => tencent(&req, ak, sk),
            Vendor::Huawei => huawei(&req, ak, sk),
        };
        if accepted {
            served
                .lock()
                .unwrap()
                .push(identify(vendor, &req, &action, status, &answer));
        }
        log.lock().unwrap().push((action, accepted));
        // Object-storage answers are XML, carried as a JSON string.
        let (body, media) = match answer {
            Value::String(xml) => (xml.into_bytes(), "application/xml"),
            v => (
                serde_json::to_vec(&v).unwrap(),
                "application/json;charset=utf-8",
            ),
        };
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {media}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        if writer
            .write_all(head.as_bytes())
            .and_then(|_| writer.write_all(&body))
            .is_err()
        {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What names an answer's model (for the contract test, `cn_contract`). Behind the endpoint
// override every host is 127.0.0.1, so the service comes from what the request itself says:
// Tencent signs it in the credential scope, Alibaba's version names one product, Huawei's path
// names one API. `check.py` then verifies the name against the vendor's SDK (for Huawei: that the
// SDK's operation has this method and path), so a wrong row here fails, never passes.

fn identify(vendor: Vendor, req: &Request, action: &str, status: u16, body: &Value) -> Served {
    let auth = req.header("authorization");
    let store = ["OSS ", "OBS ", "q-sign-algorithm="]
        .iter()
        .zip(["oss", "obs", "cos"])
        .find(|(p, _)| auth.starts_with(**p))
        .map(|(_, s)| s);
    let (service, version, action) = match (store, vendor) {
        (Some(s), _) => (s.to_owned(), String::new(), action.to_owned()),
        (None, Vendor::Tencent) => {
            let scope = field(
                &auth_fields(auth.trim_start_matches("TC3-HMAC-SHA256 ")),
                "Credential",
            )
            .split('/')
            .nth(2)
            .unwrap_or("")
            .to_owned();
            (
                scope,
                req.header("x-tc-version").to_owned(),
                req.header("x-tc-action").to_owned(),
            )
        }
        (None, Vendor::Alibaba) => {
            let version = req.header("x-acs-version").to_owned();
            let product = match version.as_str() {
                "2015-05-01" => "ram",
                "2014-05-26" => "ecs",
                "2015-04-01" => "sts",
                "2020-07-06" => "actiontrail",
                "2016-01-20" => "kms",
                "2017-09-08" => "hbr",
                "2018-12-03" => "sas",
                "2016-04-28" => "vpc",
                "2014-08-15" => "rds",
                "2020-09-07" => "config",
                _ => "unknown",
            };
            (
                product.to_owned(),
                version,
                req.header("x-acs-action").to_owned(),
            )
        }
        (None, Vendor::Huawei) => {
            let (service, action) = huawei_api(&req.method, &req.path);
            let version = req.path.trim_matches('/').split('/').next().unwrap_or("");
            (service.to_owned(), version.to_owned(), action)
        }
    };
    Served {
        vendor,
        service,
        version,
        action,
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.query.clone(),
        request: String::from_utf8_lossy(&req.body).into_owned(),
        status,
        body: body.clone(),
    }
}

/// `(service, operation)` of a Huawei API by method and path, the operation named as in
/// huaweicloud-sdk-python-v3 (`<svc>_client.py`, `http_info["response_type"]` less `Response`).
/// An unknown path is `("unknown", path)`: the contract check then fails on it.
fn huawei_api(method: &str, path: &str) -> (&'static str, String) {
    let seg: Vec<&str> = path.trim_matches('/').split('/').collect();
    let found = match (method, seg.as_slice()) {
        ("GET", ["v3", "auth", "domains"]) => ("iam", "KeystoneListAuthDomains"),
        ("GET", ["v3", "auth", "projects"]) => ("iam", "KeystoneListAuthProjects"),
        ("GET", ["v3", "regions"]) => ("iam", "KeystoneListRegions"),
        ("GET", ["v3.0", "OS-SECURITYPOLICY", "domains", _, "password-policy"]) => {
            ("iam", "ShowDomainPasswordPolicy")
        }
        ("GET", ["v3.0", "OS-SECURITYPOLICY", "domains", _, "login-policy"]) => {
            ("iam", "ShowDomainLoginPolicy")
        }
        ("GET", ["v3", "users"]) => ("iam", "KeystoneListUsers"),
        ("GET", ["v3.0", "OS-USER", "users", _]) => ("iam", "ShowUser"),
        ("GET", ["v3", "users", _, "groups"]) => ("iam", "KeystoneListGroupsForUser"),
        ("GET", ["v3.0", "OS-MFA", "virtual-mfa-devices"]) => ("iam", "ListUserMfaDevices"),
        ("GET", ["v3.0", "OS-CREDENTIAL", "credentials"]) => ("iam", "ListPermanentAccessKeys"),
        ("GET", ["v3.0", "OS-CREDENTIAL", "credentials", _]) => ("iam", "ShowPermanentAccessKey"),
        ("GET", ["v3", _, "trackers"]) => ("cts", "ListTrackers"),
        ("POST", ["v1.0", _, "kms", "list-keys"]) => ("kms", "ListKeys"),
        ("POST", ["v1.0", _, "kms", "get-key-rotation-status"]) => ("kms", "ShowKeyRotationStatus"),
        ("GET", ["v3", _, "vpc", "security-groups"]) => ("vpc", "ListSecurityGroups"),
        ("GET", ["v3", _, "vpc", "security-group-rules"]) => ("vpc", "ListSecurityGroupRules"),
        ("GET", ["v2", _, "cloudvolumes", "detail"]) => ("evs", "ListVolumes"),
        ("GET", ["v3", _, "policies"]) => ("cbr", "ListPolicies"),
        ("GET", ["v5", _, "host-management", "hosts"]) => ("hss", "ListHostStatus"),
        ("GET", ["v1", _, "vpcs"]) => ("vpc", "ListVpcs"),
        ("GET", ["v1", _, "fl", "flow_logs"]) => ("vpc", "ListFlowLogs"),
        ("GET", ["v3", _, "instances"]) => ("rds", "ListInstances"),
        ("GET", ["v1", "resource-manager", "domains", _, "tracker-config"]) => {
            ("rms", "ShowTrackerConfig")
        }
        _ => return ("unknown", format!("{method} {path}")),
    };
    (found.0, found.1.to_owned())
}

// ---------------------------------------------------------------------------------------------
// Independent signature checks.

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac256(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 3 <= b.len() {
            if let Ok(x) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
fn days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// Unix time of `yyyy?mm?dd?hh?mm?ss` where `?` is any separator, or of `yyyymmddThhmmssZ`.
fn parse_time(t: &str) -> Option<i64> {
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() != 14 {
        return None;
    }
    let n = |a: usize, b: usize| digits[a..b].parse::<i64>().ok();
    Some(
        days(n(0, 4)?, n(4, 6)?, n(6, 8)?) * 86_400
            + n(8, 10)? * 3600
            + n(10, 12)? * 60
            + n(12, 14)?,
    )
}

fn auth_fields(value: &str) -> Vec<(String, String)> {
    value
        .split(',')
        .filter_map(|p| p.trim().split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn signed_header_lines(req: &Request, signed: &str) -> String {
    signed
        .split(';')
        .map(|h| format!("{h}:{}\n", req.header(h).trim()))
        .collect()
}

fn check_alibaba(
    req: &Request,
    ak: &str,
    sk: &str,
    nonces: &Mutex<HashSet<String>>,
) -> Result<(), (&'static str, String)> {
    let auth = req.header("authorization");
    let rest = auth.strip_prefix("ACS3-HMAC-SHA256 ").ok_or((
        "IncompleteSignature",
        "The request signature does not conform to Aliyun standards.".into(),
    ))?;
    let f = auth_fields(rest);
    if field(&f, "Credential") != ak {
        return Err((
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.".into(),
        ));
    }
    let signed = field(&f, "SignedHeaders");
    for required in [
        "host",
        "x-acs-action",
        "x-acs-content-sha256",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-version",
    ] {
        if !signed.split(';').any(|h| h == required) {
            return Err((
                "IncompleteSignature",
                format!("The header {required} is not signed."),
            ));
        }
    }
    let date = parse_time(req.header("x-acs-date")).ok_or((
        "MissingTimestamp",
        "x-acs-date is missing or malformed.".into(),
    ))?;
    if (now() - date).abs() > 900 {
        return Err((
            "InvalidTimeStamp.Expired",
            format!(
                "Specified time stamp or date value is expired: {}",
                req.header("x-acs-date")
            ),
        ));
    }
    if req.header("x-acs-content-sha256") != sha256_hex(&req.body) {
        return Err((
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.".into(),
        ));
    }
    let mut query: Vec<(String, String)> = req
        .query_pairs()
        .into_iter()
        .map(|(k, v)| (encode(&k), encode(&v)))
        .collect();
    query.sort();
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let canonical = format!(
        "{}\n{}\n{}\n{}\n{signed}\n{}",
        req.method,
        req.path,
        query.join("&"),
        signed_header_lines(req, signed),
        sha256_hex(&req.body)
    );
    let expected = hex::encode(hmac256(
        sk.as_bytes(),
        &format!("ACS3-HMAC-SHA256\n{}", sha256_hex(canonical.as_bytes())),
    ));
    if field(&f, "Signature") != expected {
        return Err((
            "SignatureDoesNotMatch",
            format!(
                "Specified signature is not matched with our calculation. server string to sign is:ACS3-HMAC-SHA256\n{}",
                sha256_hex(canonical.as_bytes())
            ),
        ));
    }
    if !nonces
        .lock()
        .unwrap()
        .insert(req.header("x-acs-signature-nonce").to_owned())
    {
        return Err((
            "SignatureNonceUsed",
            "Specified signature nonce was used already.".into(),
        ));
    }
    Ok(())
}

fn check_tencent(
    req: &Request,
    ak: &str,
    sk: &str,
    service: &str,
) -> Result<(), (&'static str, String)> {
    let auth = req.header("authorization");
    let rest = auth.strip_prefix("TC3-HMAC-SHA256 ").ok_or((
        "AuthFailure.InvalidAuthorization",
        "Authorization header format error.".into(),
    ))?;
    let f = auth_fields(rest);
    let scope: Vec<&str> = field(&f, "Credential").split('/').collect();
    if scope.len() != 4 || scope[3] != "tc3_request" {
        return Err((
            "AuthFailure.InvalidAuthorization",
            "Credential scope format error.".into(),
        ));
    }
    if scope[0] != ak {
        return Err((
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.".into(),
        ));
    }
    let ts: i64 = req.header("x-tc-timestamp").parse().map_err(|_| {
        (
            "AuthFailure.InvalidAuthorization",
            "X-TC-Timestamp is missing.".to_owned(),
        )
    })?;
    if (now() - ts).abs() > 300 {
        return Err((
            "AuthFailure.SignatureExpire",
            format!("Signature expired. Timestamp is {ts}."),
        ));
    }
    let day = ts.div_euclid(86_400);
    let date = (1970..3000)
        .flat_map(|y| (1..=12).map(move |m| (y, m)))
        .find(|&(y, m)| {
            days(y, m, 1) <= day
                && day
                    < if m == 12 {
                        days(y + 1, 1, 1)
                    } else {
                        days(y, m + 1, 1)
                    }
        })
        .map(|(y, m)| format!("{y:04}-{m:02}-{:02}", day - days(y, m, 1) + 1))
        .unwrap();
    let signed = field(&f, "SignedHeaders");
    if scope[1] != date
        || scope[2] != service
        || !signed.split(';').any(|h| h == "host")
        || !signed.split(';').any(|h| h == "content-type")
    {
        return Err((
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated because of the credential scope."
                .into(),
        ));
    }
    let headers: String = signed
        .split(';')
        .map(|h| format!("{h}:{}\n", req.header(h).trim().to_ascii_lowercase()))
        .collect();
    let canonical = format!(
        "{}\n/\n\n{headers}\n{signed}\n{}",
        req.method,
        sha256_hex(&req.body)
    );
    let sts = format!(
        "TC3-HMAC-SHA256\n{ts}\n{date}/{service}/tc3_request\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let key = hmac256(
        &hmac256(&hmac256(format!("TC3{sk}").as_bytes(), &date), service),
        "tc3_request",
    );
    if field(&f, "Signature") != hex::encode(hmac256(&key, &sts)) {
        return Err(("AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.".into()));
    }
    Ok(())
}

fn check_huawei(req: &Request, ak: &str, sk: &str) -> Result<(), String> {
    let auth = req.header("authorization");
    let rest = auth
        .strip_prefix("SDK-HMAC-SHA256 ")
        .ok_or("Authorization format incorrect")?;
    let f = auth_fields(rest);
    if field(&f, "Access") != ak {
        return Err("Incorrect IAM authentication information: AK not found".into());
    }
    let date_text = req.header("x-sdk-date");
    let date = parse_time(date_text)
        .ok_or("Incorrect IAM authentication information: x-sdk-date missing")?;
    if (now() - date).abs() > 900 {
        return Err("Incorrect IAM authentication information: the x-sdk-date is expired".into());
    }
    let signed = field(&f, "SignedHeaders");
    if !signed.split(';').any(|h| h == "x-sdk-date") || !signed.split(';').any(|h| h == "host") {
        return Err(
            "Incorrect IAM authentication information: host and x-sdk-date must be signed".into(),
        );
    }
    let mut uri: String = req
        .path
        .split('/')
        .map(|seg| encode(&decode(seg)))
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    let mut query: Vec<(String, String)> = req
        .query_pairs()
        .into_iter()
        .map(|(k, v)| (encode(&k), encode(&v)))
        .collect();
    query.sort();
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let canonical = format!(
        "{}\n{uri}\n{}\n{}\n{signed}\n{}",
        req.method,
        query.join("&"),
        signed_header_lines(req, signed),
        sha256_hex(&req.body)
    );
    let sts = format!(
        "SDK-HMAC-SHA256\n{date_text}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    if field(&f, "Signature") != hex::encode(hmac256(sk.as_bytes(), &sts)) {
        return Err("Incorrect IAM authentication information: verify aksk signature fail".into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Alibaba Cloud: RAM, ActionTrail, KMS, ECS, HBR, SAS, STS (OpenAPI RPC style).

fn ali_error(status: u16, code: &str, message: &str) -> (u16, Value) {
    (
        status,
        json!({"RequestId": "0A1B2C3D-0000-4000-8000-ERROR0000001", "HostId": "127.0.0.1", "Code": code, "Message": message, "Recommend": format!("https://next.api.aliyun.com/troubleshoot?q={code}")}),
    )
}

/// One page of an Alibaba `PageNumber`/`PageSize` listing. The fixture serves one item per page
/// (a server may serve fewer than `PageSize`; a client must follow the total), so every listing
/// of two or more items is read over several pages. A `PageSize` above the action's documented
/// maximum is refused as the API does. `total_key` is the action's own total field.
fn ali_page(
    req: &Request,
    max_size: u64,
    path: [&str; 2],
    total_key: &str,
    items: Vec<Value>,
) -> (u16, Value) {
    let size: u64 = req.param("PageSize").parse().unwrap_or(10);
    if size > max_size {
        return ali_error(
            400,
            "InvalidParameter.PageSize",
            "The specified parameter PageSize is not valid.",
        );
    }
    let number: usize = req.param("PageNumber").parse().unwrap_or(1);
    let total = items.len();
    let page: Vec<Value> = items
        .into_iter()
        .skip(number.saturating_sub(1))
        .take(1)
        .collect();
    let mut body = json!({"PageNumber": number, "PageSize": size});
    body[path[0]] = json!({ path[1]: page });
    body[total_key] = json!(total);
    (200, body)
}

/// `page` with the top-level fields of `extra` added (`Success`, `Code`, …).
fn with_fields((status, mut body): (u16, Value), extra: Value) -> (u16, Value) {
    if status == 200 {
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
    }
    (status, body)
}

/// RDS `DescribeDBInstances` has `PageRecordCount` (items on the page) and no `PageSize`.
fn rds_page((status, mut body): (u16, Value)) -> (u16, Value) {
    if status == 200 {
        let n = body["Items"]["DBInstance"].as_array().map_or(0, Vec::len);
        body["PageRecordCount"] = json!(n);
        if let Some(o) = body.as_object_mut() {
            o.remove("PageSize");
        }
    }
    (status, body)
}

/// VPC `DescribeFlowLogs` types its paging fields as strings.
fn stringly((status, mut body): (u16, Value)) -> (u16, Value) {
    for k in ["TotalCount", "PageNumber", "PageSize"] {
        if let Some(n) = body.get(k).and_then(Value::as_u64) {
            body[k] = json!(n.to_string());
        }
    }
    (status, body)
}

/// One page of a token listing: the token is the index of the next item; one item per page.
fn token_page(req: &Request, param: &str, items: Vec<Value>) -> (Vec<Value>, Option<String>) {
    let start: usize = req.param(param).parse().unwrap_or(0);
    let next = (start + 1 < items.len()).then(|| (start + 1).to_string());
    (items.into_iter().skip(start).take(1).collect(), next)
}

fn alibaba(
    req: &Request,
    ak: &str,
    sk: &str,
    nonces: &Mutex<HashSet<String>>,
) -> (u16, Value, String, bool) {
    if req.header("authorization").starts_with("OSS ") {
        return oss(req, ak, sk);
    }
    let action = req.header("x-acs-action").to_owned();
    if let Err((code, message)) = check_alibaba(req, ak, sk, nonces) {
        let status = if code == "InvalidAccessKeyId.NotFound" {
            404
        } else {
            400
        };
        let (s, v) = ali_error(status, code, &message);
        return (s, v, action, false);
    }
    let region = req.param("RegionId");
    let id = json!("5C7D8E9F-1A2B-4C3D-8E9F-0A1B2C3D4E5F");
    let ok = |mut v: Value| {
        v["RequestId"] = id.clone();
        (200, v)
    };
    let (status, body) = match (action.as_str(), region.as_str()) {
        ("GetCallerIdentity", _) => ok(
            json!({"IdentityType": "RAMUser", "AccountId": ALIBABA_ACCOUNT, "PrincipalId": "276543210987654321", "UserId": "276543210987654321", "Arn": format!("acs:ram::{ALIBABA_ACCOUNT}:user/auditor")}),
        ),
        ("DescribeRegions", _) => ok(json!({"Regions": {"Region": [
            {"RegionId": "cn-hangzhou", "LocalName": "华东1（杭州）", "RegionEndpoint": "ecs.cn-hangzhou.aliyuncs.com", "Status": "available"},
            {"RegionId": "cn-shanghai", "LocalName": "华东2（上海）", "RegionEndpoint": "ecs.cn-shanghai.aliyuncs.com", "Status": "available"},
            {"RegionId": "cn-hongkong", "LocalName": "中国香港", "RegionEndpoint": "ecs.cn-hongkong.aliyuncs.com", "Status": "available"}]}})),
        ("GetPasswordPolicy", _) => ok(
            json!({"PasswordPolicy": {"MinimumPasswordLength": 8, "RequireLowercaseCharacters": true, "RequireUppercaseCharacters": true, "RequireNumbers": true, "RequireSymbols": false, "HardExpiry": false, "MaxPasswordAge": 0, "PasswordReusePrevention": 0, "MaxLoginAttemps": 5}}),
        ),
        ("ListUsers", _) => {
            let (page, next) = token_page(
                req,
                "Marker",
                vec![
                    json!({"UserId": "222748924538****", "UserName": "alice", "DisplayName": "Alice", "CreateDate": "2023-01-05T08:00:00Z", "UpdateDate": "2024-01-05T08:00:00Z", "Comments": ""}),
                    json!({"UserId": "222748924539****", "UserName": "bob", "DisplayName": "Bob", "CreateDate": "2023-02-10T09:30:00Z", "UpdateDate": "2023-02-10T09:30:00Z", "Comments": ""}),
                    json!({"UserId": "222748924540****", "UserName": "ci-bot", "DisplayName": "CI", "CreateDate": "2022-11-01T00:00:00Z", "UpdateDate": "2022-11-01T00:00:00Z", "Comments": "pipeline"}),
                ],
            );
            let mut v = json!({"IsTruncated": next.is_some(), "Users": {"User": page}});
            if let Some(m) = next {
                v["Marker"] = json!(m);
            }
            ok(v)
        }
        // `ListUsers` has no last sign-in; `GetUser` has it (empty: never reported).
        ("GetUser", _) => {
            let name = req.param("UserName");
            let login = match name.as_str() {
                "alice" => "2026-11-20T08:00:00Z",
                "bob" => "2025-01-02T08:00:00Z",
                _ => "",
            };
            ok(
                json!({"User": {"UserName": name, "UserId": "222748924538****", "DisplayName": name, "CreateDate": "2023-01-05T08:00:00Z", "UpdateDate": "2024-01-05T08:00:00Z", "LastLoginDate": login, "Comments": ""}}),
            )
        }
        ("GetAccessKeyLastUsed", _) => {
            let used = match req.param("UserAccessKeyId").as_str() {
                "LTAI4Fbob000000000000001" => "2026-11-24T00:00:00Z",
                "LTAI4Fci0000000000000001" => "2026-11-25T00:00:00Z",
                _ => "",
            };
            ok(json!({"AccessKeyLastUsed": {"LastUsedDate": used}}))
        }
        // Custom policies: `ops-full` allows every action on every resource; `oss-read` does not.
        ("GetPolicy", _) => {
            let name = req.param("PolicyName");
            let doc = match (req.param("PolicyType").as_str(), name.as_str()) {
                ("Custom", "ops-full") => Some(
                    r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":["*"]}]}"#,
                ),
                ("Custom", "oss-read") => Some(
                    r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:Get*","oss:List*"],"Resource":"*"}]}"#,
                ),
                _ => None,
            };
            match doc {
                Some(doc) => ok(
                    json!({"Policy": {"PolicyName": name, "PolicyType": "Custom", "Description": "", "DefaultVersion": "v1", "CreateDate": "2024-01-01T00:00:00Z", "UpdateDate": "2024-01-01T00:00:00Z", "AttachmentCount": 1}, "DefaultPolicyVersion": {"VersionId": "v1", "IsDefaultVersion": true, "CreateDate": "2024-01-01T00:00:00Z", "PolicyDocument": doc}}),
                ),
                None => ali_error(404, "EntityNotExist.Policy", "The policy does not exist."),
            }
        }
        ("GetLoginProfile", _) => match req.param("UserName").as_str() {
            "ci-bot" => ali_error(
                404,
                "EntityNotExist.User.LoginProfile",
                "The login policy does not exist.",
            ),
            user => ok(
                json!({"LoginProfile": {"UserName": user, "PasswordResetRequired": false, "MFABindRequired": user == "alice", "CreateDate": "2023-01-05T08:00:00Z"}}),
            ),
        },
        ("ListVirtualMFADevices", _) => ok(json!({"VirtualMFADevices": {"VirtualMFADevice": [
            {"SerialNumber": format!("acs:ram::{ALIBABA_ACCOUNT}:mfa/alice"), "ActivateDate": "2023-01-06T08:00:00Z", "User": {"UserId": "222748924538****", "UserName": "alice", "DisplayName": "Alice"}}]}})),
        ("ListPoliciesForUser", _) => match req.param("UserName").as_str() {
            "bob" => ok(
                json!({"Policies": {"Policy": [{"PolicyName": "ReadOnlyAccess", "PolicyType": "System", "Description": "", "DefaultVersion": "v1", "AttachDate": "2023-02-10T09:31:00Z"}, {"PolicyName": "ops-full", "PolicyType": "Custom", "Description": "", "DefaultVersion": "v1", "AttachDate": "2024-01-01T00:00:00Z"}]}}),
            ),
            "ci-bot" => ok(
                json!({"Policies": {"Policy": [{"PolicyName": "oss-read", "PolicyType": "Custom", "Description": "", "DefaultVersion": "v1", "AttachDate": "2024-01-01T00:00:00Z"}]}}),
            ),
            _ => ok(json!({"Policies": {"Policy": []}})),
        },
        ("ListGroupsForUser", _) => match req.param("UserName").as_str() {
            "alice" => ok(
                json!({"Groups": {"Group": [{"GroupName": "admins", "Comments": "", "JoinDate": "2023-01-05T08:00:00Z"}]}}),
            ),
            _ => ok(json!({"Groups": {"Group": []}})),
        },
        ("ListPoliciesForGroup", _) => ok(
            json!({"Policies": {"Policy": [{"PolicyName": "AdministratorAccess", "PolicyType": "System", "Description": "管理所有阿里云资源的权限", "DefaultVersion": "v1", "AttachDate": "2023-01-05T08:00:00Z"}]}}),
        ),
        ("ListAccessKeys", _) => match req.param("UserName").as_str() {
            "bob" => ok(
                json!({"AccessKeys": {"AccessKey": [{"AccessKeyId": "LTAI4Fbob000000000000001", "Status": "Active", "CreateDate": "2023-02-10T09:40:00Z"}]}}),
            ),
            "ci-bot" => ok(json!({"AccessKeys": {"AccessKey": [
                {"AccessKeyId": "LTAI4Fci0000000000000001", "Status": "Active", "CreateDate": "2022-11-01T00:10:00Z"},
                {"AccessKeyId": "LTAI4Fci0000000000000002", "Status": "Inactive", "CreateDate": "2022-11-01T00:11:00Z"}]}})),
            _ => ok(json!({"AccessKeys": {"AccessKey": []}})),
        },
        ("DescribeTrails", "cn-hangzhou") => ok(
            json!({"TrailList": [{"Name": "audit-all", "HomeRegion": "cn-hangzhou", "TrailRegion": "All", "EventRW": "All", "Status": "Enable", "OssBucketName": "acme-actiontrail", "SlsProjectArn": "", "IsOrganizationTrail": false, "CreateTime": "2023-01-01T00:00:00Z", "UpdateTime": "2023-01-01T00:00:00Z"}]}),
        ),
        ("DescribeTrails", _) => ok(json!({"TrailList": []})),
        ("GetTrailStatus", _) => ok(
            json!({"IsLogging": true, "LatestDeliveryTime": "2026-11-25T00:00:00Z", "LatestDeliveryError": "", "StartLoggingTime": "2023-01-01T00:00:00Z"}),
        ),
        // Without the filter `CreatorType = User`, a key that OSS created for itself is listed too.
        ("ListKeys", "cn-hangzhou") => {
            let key = |id: &str| json!({"KeyId": id, "KeyArn": format!("acs:kms:cn-hangzhou:{ALIBABA_ACCOUNT}:key/{id}")});
            let mut keys = vec![
                key("key-hzz1a2b3c4d5e6f7g8h9"),
                key("key-hzz9z8y7x6w5v4u3t2s1"),
                key("key-hzz5rsa0000000000001"),
                key("key-hzz7norot00000000001"),
            ];
            let filter: Value = serde_json::from_str(&req.param("Filters")).unwrap_or(Value::Null);
            let users_only = filter.as_array().is_some_and(|f| {
                f.iter()
                    .any(|x| x["Key"] == "CreatorType" && x["Values"] == json!(["User"]))
            });
            if !users_only {
                keys.push(key("key-hzzoss00000000000001"));
            }
            ali_page(req, 100, ["Keys", "Key"], "TotalCount", keys)
        }
        ("ListKeys", _) => ali_page(req, 100, ["Keys", "Key"], "TotalCount", vec![]),
        ("DescribeKey", _) => {
            // A rotating AES key, an imported (EXTERNAL) one, an RSA signing key (cannot rotate
            // automatically) and a KMS-generated AES key without rotation.
            let id = req.param("KeyId");
            let good = id == "key-hzz1a2b3c4d5e6f7g8h9";
            let (spec, usage) = if id == "key-hzz5rsa0000000000001" {
                ("RSA_2048", "SIGN/VERIFY")
            } else {
                ("Aliyun_AES_256", "ENCRYPT/DECRYPT")
            };
            let origin = if id == "key-hzz9z8y7x6w5v4u3t2s1" {
                "EXTERNAL"
            } else {
                "Aliyun_KMS"
            };
            ok(
                json!({"KeyMetadata": {"KeyId": id, "KeyState": "Enabled", "KeyUsage": usage, "KeySpec": spec, "Origin": origin, "ProtectionLevel": "SOFTWARE", "AutomaticRotation": if good { "Enabled" } else { "Disabled" }, "RotationInterval": if good { "31536000s" } else { "" }, "Creator": if id == "key-hzzoss00000000000001" { "Oss" } else { ALIBABA_ACCOUNT }, "CreationDate": "2023-01-01T00:00:00Z"}}),
            )
        }
        ("DescribeSecurityGroups", "cn-hangzhou") => ali_page(
            req,
            50,
            ["SecurityGroups", "SecurityGroup"],
            "TotalCount",
            vec![
                json!({"SecurityGroupId": "sg-bp1web000000000001", "SecurityGroupName": "web", "VpcId": "vpc-bp1main0000000001", "SecurityGroupType": "normal", "CreationTime": "2023-01-01T00:00:00Z"}),
                json!({"SecurityGroupId": "sg-bp1bad000000000002", "SecurityGroupName": "legacy", "VpcId": "vpc-bp1main0000000001", "SecurityGroupType": "normal", "CreationTime": "2023-01-01T00:00:00Z"}),
            ],
        ),
        ("DescribeSecurityGroups", "cn-hongkong") => ali_page(
            req,
            50,
            ["SecurityGroups", "SecurityGroup"],
            "TotalCount",
            vec![
                json!({"SecurityGroupId": "sg-j6chk000000000001", "SecurityGroupName": "hk-app", "VpcId": "vpc-j6chk0000000001", "SecurityGroupType": "normal", "CreationTime": "2024-01-01T00:00:00Z"}),
            ],
        ),
        ("DescribeSecurityGroups", _) => ali_page(
            req,
            50,
            ["SecurityGroups", "SecurityGroup"],
            "TotalCount",
            vec![],
        ),
        ("DescribeSecurityGroupAttribute", _) => {
            let rule = |proto: &str, range: &str, cidr: &str, v6: &str| json!({"Direction": "ingress", "IpProtocol": proto, "PortRange": range, "SourceCidrIp": cidr, "Ipv6SourceCidrIp": v6, "Policy": "Accept", "Priority": "1", "NicType": "intranet"});
            let perms = match req.param("SecurityGroupId").as_str() {
                "sg-bp1web000000000001" => vec![
                    rule("TCP", "80/80", "0.0.0.0/0", ""),
                    rule("TCP", "443/443", "0.0.0.0/0", ""),
                    rule("TCP", "22/22", "10.0.0.0/8", ""),
                ],
                "sg-bp1bad000000000002" => vec![
                    rule("TCP", "22/22", "0.0.0.0/0", ""),
                    rule("ALL", "-1/-1", "", "::/0"),
                ],
                _ => vec![rule("TCP", "8080/8080", "192.168.0.0/16", "")],
            };
            // With `MaxResults`, the rules page by `NextToken` (one rule per page here).
            let max: u64 = req.param("MaxResults").parse().unwrap_or(0);
            if !(10..=1000).contains(&max) {
                ali_error(
                    400,
                    "InvalidParameter.MaxResults",
                    "The specified parameter MaxResults is not valid.",
                )
            } else {
                let (page, next) = token_page(req, "NextToken", perms);
                ok(
                    json!({"SecurityGroupId": req.param("SecurityGroupId"), "RegionId": region, "NextToken": next.unwrap_or_default(), "Permissions": {"Permission": page}}),
                )
            }
        }
        ("DescribeDisks", "cn-shanghai") => ali_error(
            400,
            "Throttling.User",
            "Request was denied due to user flow control.",
        ),
        ("DescribeDisks", "cn-hangzhou") => ali_page(
            req,
            100,
            ["Disks", "Disk"],
            "TotalCount",
            vec![
                json!({"DiskId": "d-bp1enc000000000001", "DiskName": "data", "Encrypted": true, "KMSKeyId": "key-hzz1a2b3c4d5e6f7g8h9", "Status": "In_use", "InstanceId": "i-bp1app000000000001", "Category": "cloud_essd", "Size": 100}),
                json!({"DiskId": "d-bp1raw000000000002", "DiskName": "scratch", "Encrypted": false, "KMSKeyId": "", "Status": "Available", "InstanceId": "", "Category": "cloud_efficiency", "Size": 40}),
            ],
        ),
        ("DescribeDisks", "cn-hongkong") => ali_page(
            req,
            100,
            ["Disks", "Disk"],
            "TotalCount",
            vec![
                json!({"DiskId": "d-j6chk000000000001", "DiskName": "hk-data", "Encrypted": false, "KMSKeyId": "", "Status": "In_use", "InstanceId": "i-j6chk000000000001", "Category": "cloud_essd", "Size": 40}),
            ],
        ),
        ("DescribeDisks", _) => ali_page(req, 100, ["Disks", "Disk"], "TotalCount", vec![]),
        ("DescribeBackupPlans", "cn-hangzhou") => ali_error(
            403,
            "Forbidden.RAM",
            "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
        ),
        ("DescribeBackupPlans", "cn-shanghai") => with_fields(
            // An older-shape plan (no `Rules`: copies not reported) and a plan whose rule copies
            // backups to Singapore (`DoCopy`, `DestinationRegionId`).
            ali_page(
                req,
                99,
                ["BackupPlans", "BackupPlan"],
                "TotalCount",
                vec![
                    json!({"PlanId": "po-000a1b2c3d4e5f6g7h", "PlanName": "ecs-daily", "Disabled": false, "Retention": 7, "SourceType": "ECS_FILE", "Schedule": "I|1602673264|P1D", "VaultId": "v-0001a2b3c4d5e6f7g8", "CreatedTime": 1607436917}),
                    json!({"PlanId": "po-000geo0000000000001", "PlanName": "ecs-geo", "Disabled": false, "Retention": 30, "SourceType": "UDM_ECS", "VaultId": "v-0001a2b3c4d5e6f7g8", "CreatedTime": 1607436917, "Rules": {"Rule": [
                {"RuleId": "rule-000geo00000000001", "RuleName": "daily-geo", "BackupType": "COMPLETE", "Schedule": "I|1602673264|P1D", "Retention": 30, "Disabled": false, "DoCopy": true, "DestinationRegionId": "ap-southeast-1", "DestinationRetention": 30}]}}),
                ],
            ),
            json!({"Success": true, "Code": "200", "Message": "successful"}),
        ),
        ("DescribeBackupPlans", _) => with_fields(
            ali_page(req, 99, ["BackupPlans", "BackupPlan"], "TotalCount", vec![]),
            json!({"Success": true, "Code": "200", "Message": "successful"}),
        ),
        ("DescribeVersionConfig", _) => ok(
            json!({"Version": 1, "AssetLevel": 0, "IsTrialVersion": 0, "InstanceId": "", "IsOverBalance": false}),
        ),
        ("DescribeVpcs", "cn-hangzhou") => ali_page(
            req,
            50,
            ["Vpcs", "Vpc"],
            "TotalCount",
            vec![
                json!({"VpcId": "vpc-bp1main0000000001", "VpcName": "", "IsDefault": true, "Status": "Available", "CidrBlock": "172.16.0.0/12", "RegionId": "cn-hangzhou", "CreationTime": "2023-01-01T00:00:00Z"}),
                json!({"VpcId": "vpc-bp1dev00000000002", "VpcName": "dev", "IsDefault": false, "Status": "Available", "CidrBlock": "192.168.0.0/16", "RegionId": "cn-hangzhou", "CreationTime": "2024-01-01T00:00:00Z"}),
            ],
        ),
        ("DescribeVpcs", _) => ali_page(req, 50, ["Vpcs", "Vpc"], "TotalCount", vec![]),
        // The dev VPC has only a stopped flow log on itself and an active one on a vSwitch.
        ("DescribeFlowLogs", "cn-hangzhou") => with_fields(
            stringly(ali_page(
                req,
                50,
                ["FlowLogs", "FlowLog"],
                "TotalCount",
                vec![
                    json!({"FlowLogId": "fl-bp1main000000000001", "FlowLogName": "main-all", "ResourceType": "VPC", "ResourceId": "vpc-bp1main0000000001", "Status": "Active", "TrafficType": "All", "ProjectName": "flowlogs", "LogStoreName": "vpc", "RegionId": "cn-hangzhou", "CreationTime": "2023-01-02T00:00:00Z"}),
                    json!({"FlowLogId": "fl-bp1dev0000000000002", "FlowLogName": "dev-all", "ResourceType": "VPC", "ResourceId": "vpc-bp1dev00000000002", "Status": "Inactive", "TrafficType": "All", "ProjectName": "flowlogs", "LogStoreName": "vpc", "RegionId": "cn-hangzhou", "CreationTime": "2024-01-02T00:00:00Z"}),
                    json!({"FlowLogId": "fl-bp1vsw0000000000003", "FlowLogName": "dev-web", "ResourceType": "VSwitch", "ResourceId": "vsw-bp1dev0000000000001", "Status": "Active", "TrafficType": "All", "ProjectName": "flowlogs", "LogStoreName": "vpc", "RegionId": "cn-hangzhou", "CreationTime": "2024-01-02T00:00:00Z"}),
                ],
            )),
            json!({"Success": "true"}),
        ),
        ("DescribeFlowLogs", _) => with_fields(
            stringly(ali_page(
                req,
                50,
                ["FlowLogs", "FlowLog"],
                "TotalCount",
                vec![],
            )),
            json!({"Success": "true"}),
        ),
        // RDS's total is `TotalRecordCount` (it has no `TotalCount`); `PageRecordCount` is the
        // number of items on this page.
        ("DescribeDBInstances", "cn-hangzhou") => rds_page(ali_page(
            req,
            100,
            ["Items", "DBInstance"],
            "TotalRecordCount",
            vec![
                json!({"DBInstanceId": "rm-bp1good00000000001", "DBInstanceDescription": "orders", "Engine": "MySQL", "EngineVersion": "8.0", "DBInstanceNetType": "Intranet", "InstanceNetworkType": "VPC", "ZoneId": "cn-hangzhou-MAZ6(b,c)", "MutriORsignle": true, "Category": "HighAvailability", "DBInstanceStatus": "Running", "RegionId": "cn-hangzhou", "VpcId": "vpc-bp1main0000000001"}),
                json!({"DBInstanceId": "rm-bp1open00000000002", "DBInstanceDescription": "legacy", "Engine": "PostgreSQL", "EngineVersion": "13.0", "DBInstanceNetType": "Intranet", "InstanceNetworkType": "VPC", "ZoneId": "cn-hangzhou-h", "MutriORsignle": false, "Category": "Basic", "DBInstanceStatus": "Running", "RegionId": "cn-hangzhou", "VpcId": "vpc-bp1dev00000000002"}),
            ],
        )),
        ("DescribeDBInstances", "cn-shanghai") => rds_page(ali_page(
            req,
            100,
            ["Items", "DBInstance"],
            "TotalRecordCount",
            vec![
                json!({"DBInstanceId": "rm-uf6hidden0000000001", "Engine": "SQLServer", "EngineVersion": "2019_std_ha", "DBInstanceNetType": "Intranet", "InstanceNetworkType": "VPC", "ZoneId": "cn-shanghai-l", "MutriORsignle": false, "Category": "HighAvailability", "DBInstanceStatus": "Running", "RegionId": "cn-shanghai"}),
            ],
        )),
        ("DescribeDBInstances", _) => rds_page(ali_page(
            req,
            100,
            ["Items", "DBInstance"],
            "TotalRecordCount",
            vec![],
        )),
        // The Shanghai instance cannot be inspected: it gets an error, not a guessed record.
        ("DescribeDBInstanceTDE", "cn-shanghai") => ali_error(
            403,
            "Forbidden.RAM",
            "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
        ),
        ("DescribeDBInstanceTDE", _) => ok(
            json!({"TDEStatus": if req.param("DBInstanceId") == "rm-bp1good00000000001" { "Enabled" } else { "Disabled" }}),
        ),
        ("DescribeBackupPolicy", _) => {
            let good = req.param("DBInstanceId") == "rm-bp1good00000000001";
            ok(
                json!({"BackupRetentionPeriod": if good { 7 } else { 3 }, "PreferredBackupPeriod": "Monday,Thursday", "PreferredBackupTime": "00:00Z-01:00Z", "BackupLog": "Enable", "LogBackupRetentionPeriod": 7, "EnableBackupLog": "1"}),
            )
        }
        ("DescribeDBInstanceNetInfo", _) => {
            let conn = |ip_type: &str, host: &str| json!({"IPType": ip_type, "ConnectionString": host, "IPAddress": "10.1.1.1", "Port": "3306", "VPCId": "", "VSwitchId": "", "Upgradeable": "Disabled"});
            let mut infos = vec![conn("Private", "rm-x.mysql.rds.aliyuncs.com")];
            if req.param("DBInstanceId") == "rm-bp1open00000000002" {
                infos.push(conn("Public", "rm-x.pg.rds.aliyuncs.com"));
            }
            ok(
                json!({"InstanceNetworkType": "VPC", "DBInstanceNetInfos": {"DBInstanceNetInfo": infos}}),
            )
        }
        ("GetConfigurationRecorder", _) => ok(
            json!({"ConfigurationRecorder": {"ConfigurationRecorderStatus": "REGISTERED", "ResourceTypes": ["ACS::ECS::Instance", "ACS::ECS::SecurityGroup", "ACS::RDS::DBInstance"]}}),
        ),
        _ => ali_error(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ),
    };
    (status, body, action, true)
}

// ---------------------------------------------------------------------------------------------
// Tencent Cloud API 3.0: STS, CVM, CAM, CloudAudit, Config, KMS, VPC, CBS, CDB, CWP.
//
// Listings page as tencentcloud-sdk-go's models say (Offset/Limit Integer or String, page
// number and size, the documented maximum page size refused when exceeded). Offset listings
// answer at most one item a page (`Limit` is an upper bound): a caller must follow the total.
// An access key id ending in `large` gets a larger account: full pages, 150 KMS keys, 201
// policies on one user, 51 audit tracks.

fn tc_error(code: &str, message: &str) -> Value {
    json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "eac6b301-a322-493a-8e36-83b295459397"}})
}

fn tencent_service(action: &str) -> &'static str {
    match action {
        "GetCallerIdentity" => "sts",
        "DescribeRegions" => "cvm",
        "ListUsers"
        | "GetUser"
        | "DescribeSafeAuthFlagColl"
        | "ListAttachedUserAllPolicies"
        | "ListAccessKeys"
        | "GetSecurityLastUsed"
        | "GetPasswordRules" => "cam",
        "DescribeAuditTracks" => "cloudaudit",
        "DescribeConfigRecorder" => "config",
        "ListKeys" | "DescribeKeys" => "kms",
        "DescribeSecurityGroups"
        | "DescribeSecurityGroupPolicies"
        | "DescribeVpcs"
        | "DescribeFlowLogs" => "vpc",
        "DescribeDBInstances" | "DescribeDBInstanceInfo" | "DescribeBackupConfig" => "cdb",
        "DescribeDisks" | "DescribeAutoSnapshotPolicies" => "cbs",
        "DescribeMachines" => "cwp",
        _ => "unknown",
    }
}

/// How a Tencent listing pages (tencentcloud-sdk-go `models.go`).
#[derive(Clone, Copy)]
enum TcPaging {
    /// `Offset`/`Limit` typed Integer, `Limit` at most this.
    Offset(u64),
    /// `Offset`/`Limit` typed String (vpc DescribeSecurityGroups, DescribeVpcs), at most this.
    OffsetString(u64),
    /// Page number and size under these names, size at most this.
    Page(&'static str, &'static str, u64),
}

/// One page of `all` for the request `input`, `{items_key: [...], total_key: n}`, or the API's
/// `InvalidParameterValue` error for a wrongly typed or too large parameter.
fn tc_page(
    input: &Value,
    all: Vec<Value>,
    items_key: &str,
    total_key: &str,
    paging: TcPaging,
    large: bool,
) -> Result<Value, Value> {
    let bad = |m: String| tc_error("InvalidParameterValue", &m);
    let number = |name: &str, string: bool, default: u64| -> Result<u64, Value> {
        match (&input[name], string) {
            (Value::Null, _) => Ok(default),
            (Value::String(t), true) => t.parse().map_err(|_| bad(format!("{name} {t:?}"))),
            (Value::Number(n), false) => n.as_u64().ok_or_else(|| bad(format!("{name} {n}"))),
            (other, _) => Err(bad(format!("{name} has the wrong type: {other}"))),
        }
    };
    let (start, size) = match paging {
        TcPaging::Offset(max) | TcPaging::OffsetString(max) => {
            let string = matches!(paging, TcPaging::OffsetString(_));
            let limit = number("Limit", string, 20)?;
            if limit == 0 || limit > max {
                return Err(bad(format!("Limit {limit} is not in 1..={max}")));
            }
            let offset = number("Offset", string, 0)?;
            (offset, if large { limit } else { 1 })
        }
        TcPaging::Page(page, rp, max) => {
            let size = number(rp, false, 20)?;
            if size == 0 || size > max {
                return Err(bad(format!("{rp} {size} is not in 1..={max}")));
            }
            let n = number(page, false, 1)?;
            if n == 0 {
                return Err(bad(format!("{page} must be at least 1")));
            }
            ((n - 1) * size, size)
        }
    };
    let total = all.len();
    let page: Vec<Value> = all
        .into_iter()
        .skip(start as usize)
        .take(size as usize)
        .collect();
    let mut out = json!({});
    out[items_key] = Value::Array(page);
    out[total_key] = json!(total);
    Ok(out)
}

fn tc_machine(n: u32, region: &str, status: &str) -> Value {
    json!({"MachineName": format!("cvm-{region}-{n}"), "MachineOs": "TencentOS Server 3.1", "MachineStatus": status, "Uuid": format!("0c4b8c1e-{n:04}-4d1f-9a55-2f1b2c3d4e5f"), "Quuid": format!("5f2b1c3d-{n:04}-4c1e-8b0a-1e2d3c4b5a69"), "MachineIp": format!("10.0.0.{n}"), "MachineType": "CVM", "RegionInfo": {"Region": region}})
}

fn tc_key(id: &str, owner: &str, rotation: bool) -> Value {
    json!({"KeyId": id, "Alias": "app-data", "CreateTime": 1704067200, "Description": "", "KeyState": "Enabled", "KeyUsage": "ENCRYPT_DECRYPT", "Type": 1, "CreatorUin": 100000000099_u64, "KeyRotationEnabled": rotation, "Owner": owner, "NextRotateTime": 0, "Origin": "TENCENT_KMS", "ValidTo": 0, "ResourceId": format!("creatorUin/100000000099/{id}"), "HsmClusterId": ""})
}

fn tc_track(id: u64, name: &str, action: &str, resource: &str, events: &[&str]) -> Value {
    json!({"Name": name, "ActionType": action, "ResourceType": resource, "Status": 1, "EventNames": events, "Storage": {"StorageType": "cos", "StorageRegion": "ap-guangzhou", "StorageName": "acme-audit-1250000000", "StoragePrefix": "cloudaudit"}, "CreateTime": "2024-01-01 00:00:00", "TrackId": id})
}

fn tencent(req: &Request, ak: &str, sk: &str) -> (u16, Value, String, bool) {
    if req.header("authorization").starts_with("q-sign-algorithm=") {
        return cos(req, ak, sk);
    }
    let action = req.header("x-tc-action").to_owned();
    if let Err((code, message)) = check_tencent(req, ak, sk, tencent_service(&action)) {
        return (200, tc_error(code, &message), action, false);
    }
    let large = ak.ends_with("large");
    let region = req.header("x-tc-region").to_owned();
    // The API references of these actions mark the common parameter `Region` required.
    if region.is_empty() && matches!(action.as_str(), "GetCallerIdentity" | "DescribeAuditTracks") {
        return (
            200,
            tc_error(
                "MissingParameter",
                "The request is missing a required parameter `Region`.",
            ),
            action,
            false,
        );
    }
    let input: Value = serde_json::from_slice(&req.body).unwrap_or(json!({}));
    let ok = |mut v: Value| {
        v["RequestId"] = json!("6ef60bec-0242-43af-bb20-270359fb54a7");
        json!({"Response": v})
    };
    let page = |all: Vec<Value>, items: &str, total: &str, paging: TcPaging| match tc_page(
        &input, all, items, total, paging, large,
    ) {
        Ok(v) => ok(v),
        Err(e) => e,
    };
    let gz = region == "ap-guangzhou";
    let body = match (action.as_str(), region.as_str()) {
        ("GetCallerIdentity", _) => ok(
            json!({"Arn": format!("qcs::cam::uin/{TENCENT_ACCOUNT}:uin/100000000099"), "AccountId": TENCENT_ACCOUNT, "UserId": "100000000099", "PrincipalId": "100000000099", "Type": "CAMUser"}),
        ),
        ("DescribeRegions", _) => ok(json!({"TotalCount": 3, "RegionSet": [
            {"Region": "ap-guangzhou", "RegionName": "华南地区(广州)", "RegionState": "AVAILABLE"},
            {"Region": "ap-shanghai", "RegionName": "华东地区(上海)", "RegionState": "AVAILABLE"},
            {"Region": "ap-hongkong", "RegionName": "港澳台地区(中国香港)", "RegionState": "AVAILABLE"}]})),
        ("GetPasswordRules", _) => ok(
            json!({"Rules": {"MinimumLength": 12, "MustContain": "A", "ForcePasswordChange": 90, "ReusePasswordLimit": 5, "RetryPasswordLimit": 5, "PasswordExpirationInvalidation": 2}, "UpdateTime": "2024-01-01 00:00:00", "Modifier": "100012345678"}),
        ),
        ("ListUsers", _) => ok(json!({"Data": [
            {"Uin": 100000000011_u64, "Name": "dev-alice", "Uid": 11, "Remark": "", "ConsoleLogin": 1, "PhoneNum": "", "CountryCode": "86", "Email": "", "CreateTime": "2024-03-01 18:00:00"},
            {"Uin": 100000000012_u64, "Name": "ops-bot", "Uid": 12, "Remark": "automation", "ConsoleLogin": 0, "PhoneNum": "", "CountryCode": "86", "Email": "", "CreateTime": "2024-05-01 08:00:00"}]})),
        ("GetUser", _) => {
            let alice = input["Name"] == "dev-alice";
            ok(
                json!({"Uin": if alice { 100000000011_u64 } else { 100000000012_u64 }, "Name": input["Name"], "Uid": if alice { 11 } else { 12 }, "Remark": "", "ConsoleLogin": i64::from(alice), "PhoneNum": "", "CountryCode": "86", "Email": "", "RecentlyLoginIP": if alice { "203.0.113.7" } else { "" }, "RecentlyLoginTime": if alice { "2026-11-20 09:30:00" } else { "" }}),
            )
        }
        ("DescribeSafeAuthFlagColl", _) => {
            // dev-alice has a software token; ops-bot a passkey (an MFA device too).
            let token = i64::from(input["SubUin"] == json!(100000000011_u64));
            let passkey = i64::from(input["SubUin"] == json!(100000000012_u64));
            ok(
                json!({"LoginFlag": {"Phone": 0, "Token": token, "Stoken": 0, "Wechat": 0, "Custom": 0, "Mail": 0, "U2FToken": 0, "Passkey": passkey},
                "ActionFlag": {"Phone": 0, "Token": token, "Stoken": 0, "Wechat": 0, "Custom": 0, "Mail": 0, "U2FToken": 0},
                "OffsiteFlag": {"VerifyFlag": 0, "NotifyPhone": 0, "NotifyEmail": 0, "NotifyWechat": 0, "Tips": 0}}),
            )
        }
        ("ListAttachedUserAllPolicies", _) => {
            let admin = input["TargetUin"] == json!(100000000011_u64);
            let policy = |id: String, name: &str| json!({"PolicyId": id, "PolicyName": name, "AddTime": "2024-03-01 18:05:00", "StrategyType": "2", "CreateMode": "2", "Groups": [], "Description": "", "Deactived": 0, "DeactivedDetail": []});
            let mut all = Vec::new();
            if admin && large {
                // 200 policies before the administrator one: it is on page 2.
                all.extend(
                    (0..200)
                        .map(|n| policy(format!("{}", 300000 + n), &format!("custom-read-{n}"))),
                );
            }
            all.push(if admin {
                policy("1".into(), "AdministratorAccess")
            } else {
                policy("219188".into(), "QcloudCVMReadOnlyAccess")
            });
            page(
                all,
                "PolicyList",
                "TotalNum",
                TcPaging::Page("Page", "Rp", 200),
            )
        }
        ("ListAccessKeys", _) => {
            let keys = if input["TargetUin"] == json!(100000000012_u64) {
                json!([{"AccessKeyId": "AKIDopsbot0000000000000000000001", "Status": "Active", "CreateTime": "2024-05-01 08:10:00"}])
            } else {
                json!([])
            };
            ok(json!({"AccessKeys": keys}))
        }
        ("GetSecurityLastUsed", _) => {
            let ids = input["SecretIdList"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if ids.is_empty() || ids.len() > 10 {
                tc_error("InvalidParameterValue", "SecretIdList takes 1 to 10 ids.")
            } else {
                let rows: Vec<Value> = ids
                    .iter()
                    .map(|id| json!({"SecretId": id, "LastUsedDate": "2026-11-28", "LastSecretUsedDate": 1764259200}))
                    .collect();
                ok(json!({"SecretIdLastUsedRows": rows}))
            }
        }
        ("DescribeAuditTracks", _) => {
            let mut all = vec![
                // Restricted to COS, and to one event: neither records all management events.
                tc_track(30002, "cos-only", "*", "cos", &["*"]),
                tc_track(30003, "create-user-only", "Write", "*", &["CreateUser"]),
            ];
            if large {
                all.extend(
                    (0..48)
                        .map(|n| tc_track(31000 + n, &format!("cos-only-{n}"), "*", "cos", &["*"])),
                );
            }
            // Last: on page 2 of the larger account.
            all.push(tc_track(30001, "all-events", "*", "*", &["*"]));
            page(
                all,
                "Tracks",
                "TotalCount",
                TcPaging::Page("PageNumber", "PageSize", 100),
            )
        }
        ("DescribeConfigRecorder", _) => ok(
            json!({"Items": [{"Product": "cvm", "ProductName": "云服务器", "ResourceType": "QCS::CVM::Instance", "ResourceTypeName": "实例", "UpdateTime": "2024-01-01 00:00:00"}], "Status": 1, "TriggerCount": 0, "OpenCount": 1, "UpdateCount": 0, "CreateTime": "2024-01-01 00:00:00"}),
        ),
        ("ListKeys", _) => {
            let all: Vec<Value> = if !gz {
                Vec::new()
            } else if large {
                (1..=150)
                    .map(|n| json!({"KeyId": format!("b9a1c2d3-0000-11ee-8000-5254000{n:05}")}))
                    .collect()
            } else {
                vec![
                    json!({"KeyId": "b9a1c2d3-0000-11ee-8000-525400000001"}),
                    json!({"KeyId": "b9a1c2d3-0000-11ee-8000-525400000002"}),
                ]
            };
            page(all, "Keys", "TotalCount", TcPaging::Offset(200))
        }
        ("DescribeKeys", _) => {
            let ids = input["KeyIds"].as_array().cloned().unwrap_or_default();
            if ids.is_empty() || ids.len() > 100 {
                tc_error(
                    "InvalidParameterValue",
                    "KeyIds: at most 100 KeyIds a call.",
                )
            } else {
                let metas: Vec<Value> = ids
                    .iter()
                    .map(|id| {
                        let id = id.as_str().unwrap_or("");
                        if id.ends_with("000002") {
                            tc_key(id, "cloud_product", true)
                        } else {
                            tc_key(id, "user", false)
                        }
                    })
                    .collect();
                ok(json!({"KeyMetadatas": metas}))
            }
        }
        ("DescribeSecurityGroups", _) => {
            let group = |id: &str, name: &str| json!({"SecurityGroupId": id, "SecurityGroupName": name, "SecurityGroupDesc": "", "ProjectId": "0", "IsDefault": false, "CreatedTime": "2024-01-01 00:00:00", "TagSet": []});
            let all = if gz {
                vec![group("sg-gz000001", "bastion"), group("sg-gz000002", "web")]
            } else {
                Vec::new()
            };
            page(
                all,
                "SecurityGroupSet",
                "TotalCount",
                TcPaging::OffsetString(100),
            )
        }
        ("DescribeSecurityGroupPolicies", _) => {
            let ingress = if input["SecurityGroupId"] == "sg-gz000002" {
                json!([{"PolicyIndex": 0, "Protocol": "TCP", "Port": "443", "CidrBlock": "0.0.0.0/0", "Ipv6CidrBlock": "", "Action": "ACCEPT", "PolicyDescription": "https", "ModifyTime": "2024-01-01 00:00:00"}])
            } else {
                json!([
                {"PolicyIndex": 0, "Protocol": "TCP", "Port": "22,3389", "CidrBlock": "0.0.0.0/0", "Ipv6CidrBlock": "", "Action": "ACCEPT", "PolicyDescription": "remote admin", "ModifyTime": "2024-01-01 00:00:00"},
                {"PolicyIndex": 1, "Protocol": "ALL", "Port": "all", "CidrBlock": "10.0.0.0/8", "Ipv6CidrBlock": "", "Action": "ACCEPT", "PolicyDescription": "vpc", "ModifyTime": "2024-01-01 00:00:00"}])
            };
            ok(
                json!({"SecurityGroupPolicySet": {"Version": "3", "Egress": [], "Ingress": ingress}}),
            )
        }
        ("DescribeDisks", "ap-shanghai") => {
            tc_error("RequestLimitExceeded", "请求的次数超过了频率限制。")
        }
        ("DescribeDisks", _) => {
            let all = if gz {
                vec![
                    json!({"DiskId": "disk-gz000001", "DiskName": "sys", "Encrypt": true, "KmsKeyId": "b9a1c2d3-0000-11ee-8000-525400000001", "Attached": true, "DiskState": "ATTACHED", "DiskUsage": "SYSTEM_DISK", "DiskSize": 50}),
                    json!({"DiskId": "disk-gz000002", "DiskName": "logs", "Encrypt": false, "Attached": false, "DiskState": "UNATTACHED", "DiskUsage": "DATA_DISK", "DiskSize": 100}),
                ]
            } else {
                Vec::new()
            };
            page(all, "DiskSet", "TotalCount", TcPaging::Offset(100))
        }
        ("DescribeAutoSnapshotPolicies", _) => {
            let all = if gz {
                vec![
                    json!({"AutoSnapshotPolicyId": "asp-gz000001", "AutoSnapshotPolicyName": "daily", "AutoSnapshotPolicyState": "NORMAL", "IsActivated": true, "IsPermanent": false, "RetentionDays": 7, "CreateTime": "2024-01-01 00:00:00", "NextTriggerTime": "2026-11-26 02:00:00", "DiskIdSet": ["disk-gz000001"], "Policy": [{"DayOfWeek": [0, 1, 2, 3, 4, 5, 6], "Hour": [2]}]}),
                    // Kept for 3 months (RetentionDays 0): the shortest 3 months are 89 days.
                    json!({"AutoSnapshotPolicyId": "asp-gz000002", "AutoSnapshotPolicyName": "monthly", "AutoSnapshotPolicyState": "NORMAL", "IsActivated": true, "IsPermanent": false, "RetentionDays": 0, "RetentionMonths": 3, "RetentionAmount": 0, "CreateTime": "2024-01-01 00:00:00", "NextTriggerTime": "2026-12-01 03:00:00", "DiskIdSet": ["disk-gz000002"], "Policy": [{"DayOfMonth": [1], "Hour": [3]}]}),
                ]
            } else {
                Vec::new()
            };
            page(
                all,
                "AutoSnapshotPolicySet",
                "TotalCount",
                TcPaging::Offset(100),
            )
        }
        ("DescribeMachines", "ap-guangzhou") => tc_error(
            "UnauthorizedOperation",
            "CAM签名/鉴权错误：无 cwp:DescribeMachines 权限。",
        ),
        ("DescribeMachines", r) => {
            // ap-shanghai: the host on page 2 is offline; ap-hongkong: both online.
            let second = if r == "ap-shanghai" {
                "OFFLINE"
            } else {
                "ONLINE"
            };
            let all = vec![tc_machine(1, r, "ONLINE"), tc_machine(2, r, second)];
            page(all, "Machines", "TotalCount", TcPaging::Offset(100))
        }
        ("DescribeVpcs", _) => {
            let all = if gz {
                vec![
                    json!({"VpcId": "vpc-gz000001", "VpcName": "Default-VPC", "IsDefault": true, "CidrBlock": "172.16.0.0/16", "EnableMulticast": false, "CreatedTime": "2023-01-01 10:00:00"}),
                    json!({"VpcId": "vpc-gz000002", "VpcName": "batch", "IsDefault": false, "CidrBlock": "10.0.0.0/16", "EnableMulticast": false, "CreatedTime": "2024-01-01 10:00:00"}),
                ]
            } else {
                Vec::new()
            };
            page(all, "VpcSet", "TotalCount", TcPaging::OffsetString(100))
        }
        // The batch VPC's flow log is switched off.
        ("DescribeFlowLogs", _) => {
            let all = if gz {
                vec![
                    json!({"VpcId": "vpc-gz000002", "FlowLogId": "fl-gz000002", "FlowLogName": "batch-all", "ResourceType": "VPC", "ResourceId": "vpc-gz000002", "TrafficType": "ALL", "CloudLogId": "a1b2c3d5", "CloudLogState": "ACTIVE", "FlowLogDescription": "", "CreatedTime": "2024-01-02 10:00:00", "Enable": false, "StorageType": "cls"}),
                    // On page 2.
                    json!({"VpcId": "vpc-gz000001", "FlowLogId": "fl-gz000001", "FlowLogName": "default-all", "ResourceType": "VPC", "ResourceId": "vpc-gz000001", "TrafficType": "ALL", "CloudLogId": "a1b2c3d4", "CloudLogState": "ACTIVE", "FlowLogDescription": "", "CreatedTime": "2023-01-02 10:00:00", "Enable": true, "StorageType": "cls"}),
                ]
            } else {
                Vec::new()
            };
            page(all, "FlowLog", "TotalNum", TcPaging::Offset(100))
        }
        ("DescribeDBInstances", _) => {
            let all = if gz {
                vec![
                    json!({"InstanceId": "cdb-gzgood01", "InstanceName": "orders", "EngineVersion": "8.0", "WanStatus": 0, "DeployMode": 1, "Zone": "ap-guangzhou-3", "SlaveInfo": {"First": {"Zone": "ap-guangzhou-4"}}, "Status": 1, "Region": "ap-guangzhou"}),
                    json!({"InstanceId": "cdb-gzopen02", "InstanceName": "legacy", "EngineVersion": "5.7", "WanStatus": 1, "DeployMode": 0, "Zone": "ap-guangzhou-3", "Status": 1, "Region": "ap-guangzhou"}),
                ]
            } else {
                Vec::new()
            };
            page(all, "Items", "TotalCount", TcPaging::Offset(2000))
        }
        ("DescribeDBInstanceInfo", _) => {
            let good = input["InstanceId"] == "cdb-gzgood01";
            ok(
                json!({"InstanceId": input["InstanceId"], "InstanceName": if good { "orders" } else { "legacy" }, "Encryption": if good { "YES" } else { "NO" }, "KeyId": if good { "b9a1c2d3-0000-11ee-8000-525400000001" } else { "" }, "KeyRegion": if good { "ap-guangzhou" } else { "" }, "DefaultKmsRegion": "ap-guangzhou"}),
            )
        }
        ("DescribeBackupConfig", _) => ok(
            json!({"StartTimeMin": 2, "StartTimeMax": 6, "BackupExpireDays": if input["InstanceId"] == "cdb-gzgood01" { 7 } else { 2 }, "BackupMethod": "physical", "BinlogExpireDays": 7, "BackupTimeWindow": {"Monday": "02:00-06:00"}}),
        ),
        _ => tc_error("InvalidAction", "接口不存在。"),
    };
    (200, body, action, true)
}

// ---------------------------------------------------------------------------------------------
// Huawei Cloud: IAM, CTS, KMS, VPC, EVS, CBR, HSS.

fn hw_error(status: u16, code: &str, message: &str) -> (u16, Value) {
    (
        status,
        json!({"error_code": code, "error_msg": message, "request_id": "d8ba1b2f3c4d5e6f7a8b9c0d1e2f3a4b"}),
    )
}

/// The SDK sends `X-Project-Id` on project-scoped calls (`BasicCredentials`) and `X-Domain-Id`
/// on global-service calls (`GlobalCredentials`: IAM, RMS) once it knows the domain, i.e. on all
/// but the domain listing; both are signed like every header the SDK sends.
fn hw_scope_headers(
    req: &Request,
    seg: &[&str],
    project: impl Fn(&str) -> &'static str,
) -> Result<(), String> {
    let signed = field(
        &auth_fields(
            req.header("authorization")
                .strip_prefix("SDK-HMAC-SHA256 ")
                .unwrap_or(""),
        ),
        "SignedHeaders",
    )
    .split(';')
    .map(str::to_owned)
    .collect::<Vec<_>>();
    let need = |name: &str, value: &str| -> Result<(), String> {
        if req.header(name) != value {
            return Err(format!(
                "Incorrect IAM authentication information: header {name} must be {value}, got {:?}",
                req.header(name)
            ));
        }
        if !signed.iter().any(|h| h == name) {
            return Err(format!(
                "Incorrect IAM authentication information: header {name} is not signed"
            ));
        }
        Ok(())
    };
    if seg.len() >= 2 && !project(seg[1]).is_empty() {
        need("x-project-id", seg[1])
    } else if seg == ["v3", "auth", "domains"] {
        Ok(())
    } else {
        need("x-domain-id", HUAWEI_DOMAIN)
    }
}

/// A page of `items` after the item whose `id` is `marker` (all from the start when empty), at
/// most `size`; the next marker is the page's last id when items remain.
fn hw_after_marker(items: &[Value], marker: &str, size: usize) -> (Vec<Value>, Option<String>) {
    let start = if marker.is_empty() {
        0
    } else {
        match items.iter().position(|i| i["id"] == marker) {
            Some(i) => i + 1,
            None => items.len(),
        }
    };
    let page: Vec<Value> = items.iter().skip(start).take(size).cloned().collect();
    let next = (start + page.len() < items.len())
        .then(|| page.last().map(|i| i["id"].as_str().unwrap().to_owned()))
        .flatten();
    (page, next)
}

/// `items[offset..offset + size]`.
fn hw_at_offset(items: &[Value], offset: usize, size: usize) -> Vec<Value> {
    items.iter().skip(offset).take(size).cloned().collect()
}

/// The server-side page cap of the fixture's token and total listings (so that two or three
/// resources take several pages; the APIs return at most `limit`).
const HW_CAP: usize = 1;

/// Filler VPCs (and port flow logs) that, with the collector's page of 100, push one VPC and
/// one flow log onto page 2 of the limit/last-id listings.
pub const HW_FILL: usize = 99;

/// The id of filler VPC `i`.
pub fn hw_fill_vpc(i: usize) -> String {
    format!("vpc-cn4-fill-{i:018}")
}

fn huawei(req: &Request, ak: &str, sk: &str) -> (u16, Value, String, bool) {
    if req.header("authorization").starts_with("OBS ") {
        return obs(req, ak, sk);
    }
    let path = req.path.clone();
    if let Err(message) = check_huawei(req, ak, sk) {
        let (s, v) = hw_error(401, "APIGW.0301", &message);
        return (s, v, path, false);
    }
    let ok = |v: Value| (200, v);
    let d = HUAWEI_DOMAIN;
    let seg: Vec<&str> = path.trim_matches('/').split('/').collect();
    let project = |p: &str| match p {
        "p-cn4" => "cn-north-4",
        "p-cn3" => "cn-east-3",
        "p-hk1" => "ap-southeast-1",
        _ => "",
    };
    if let Err(message) = hw_scope_headers(req, &seg, project) {
        let (s, v) = hw_error(401, "APIGW.0301", &message);
        return (s, v, path, false);
    }
    let limit = |default: usize| req.param("limit").parse::<usize>().unwrap_or(default);
    let offset = || req.param("offset").parse::<usize>().unwrap_or(0);
    let all_eps = req.param("enterprise_project_id") == "all_granted_eps";
    let (status, body) = match seg.as_slice() {
        ["v3", "auth", "domains"] => ok(
            json!({"domains": [{"id": d, "name": "acme", "enabled": true, "description": "", "links": {"self": format!("https://iam.myhuaweicloud.com/v3/domains/{d}")}}]}),
        ),
        ["v3", "auth", "projects"] => ok(json!({"projects": [
            {"id": "p-cn4", "name": "cn-north-4", "domain_id": d, "enabled": true, "is_domain": false, "parent_id": d, "description": ""},
            {"id": "p-cn3", "name": "cn-east-3", "domain_id": d, "enabled": true, "is_domain": false, "parent_id": d, "description": ""},
            {"id": "p-hk1", "name": "ap-southeast-1", "domain_id": d, "enabled": true, "is_domain": false, "parent_id": d, "description": ""},
            {"id": "p-mos", "name": "MOS", "domain_id": d, "enabled": true, "is_domain": false, "parent_id": d, "description": ""}]})),
        ["v3", "regions"] => ok(json!({"regions": [
            {"id": "cn-north-4", "type": "public", "locales": {"zh-cn": "华北-北京四", "en-us": "CN North-Beijing4"}, "description": "", "parent_region_id": null},
            {"id": "cn-east-3", "type": "public", "locales": {"zh-cn": "华东-上海一", "en-us": "CN East-Shanghai1"}, "description": "", "parent_region_id": null},
            {"id": "ap-southeast-1", "type": "public", "locales": {"zh-cn": "中国-香港", "en-us": "CN-Hong Kong"}, "description": "", "parent_region_id": null},
            {"id": "af-south-1", "type": "public", "locales": {"zh-cn": "非洲-约翰内斯堡", "en-us": "AF-Johannesburg"}, "description": "", "parent_region_id": null}]})),
        ["v3.0", "OS-SECURITYPOLICY", "domains", _, "password-policy"] => ok(
            json!({"password_policy": {"maximum_consecutive_identical_chars": 0, "maximum_password_length": 32, "minimum_password_age": 0, "minimum_password_length": 8, "number_of_recent_passwords_disallowed": 1, "password_not_username_or_invert": true, "password_requirements": "A password must contain at least two of the following: uppercase letters, lowercase letters, digits, and special characters.", "password_validity_period": 0, "password_char_combination": 2}}),
        ),
        ["v3.0", "OS-SECURITYPOLICY", "domains", _, "login-policy"] => ok(
            json!({"login_policy": {"account_validity_period": 0, "custom_info_for_login": "", "lockout_duration": 15, "login_failed_times": 5, "period": 15, "session_timeout": 60, "show_recent_login_info": false}}),
        ),
        ["v3", "users"] => ok(json!({"users": [
            {"id": "u-root00000000000000000000000001", "name": "acme", "domain_id": d, "enabled": true, "description": "", "pwd_status": true, "links": {}},
            {"id": "u-dev000000000000000000000000002", "name": "dev1", "domain_id": d, "enabled": true, "description": "", "pwd_status": true, "links": {}},
            {"id": "u-api000000000000000000000000003", "name": "api-only", "domain_id": d, "enabled": true, "description": "", "pwd_status": false, "links": {}}], "links": {}})),
        ["v3.0", "OS-USER", "users", id] => {
            let (owner, mode, created) = match *id {
                "u-root00000000000000000000000001" => (true, "default", "2020-07-08 02:19:03.0"),
                "u-dev000000000000000000000000002" => (false, "console", "2023-03-01 10:00:00.0"),
                _ => (false, "programmatic", "2024-06-01 12:00:00.0"),
            };
            ok(
                json!({"user": {"id": id, "domain_id": d, "enabled": true, "is_domain_owner": owner, "access_mode": mode, "create_time": created, "update_time": created, "last_login_time": if mode == "programmatic" { Value::Null } else { json!("2026-11-20 08:00:00.0") }, "pwd_status": mode != "programmatic", "xuser_id": "", "xuser_type": "", "description": ""}}),
            )
        }
        ["v3", "users", id, "groups"] => {
            let groups = if *id == "u-dev000000000000000000000000002" {
                json!([{"id": "g-admin0000000000000000000000001", "name": "admin", "domain_id": d, "description": "", "create_time": 1578107542861_u64, "links": {}}])
            } else {
                json!([])
            };
            ok(json!({"groups": groups, "links": {}}))
        }
        ["v3.0", "OS-MFA", "virtual-mfa-devices"] => ok(
            json!({"virtual_mfa_devices": [{"serial_number": "iam/mfa/acme", "user_id": "u-root00000000000000000000000001"}]}),
        ),
        ["v3.0", "OS-CREDENTIAL", "credentials"] => {
            let creds = if req.param("user_id") == "u-api000000000000000000000000003" {
                json!([
                    {"user_id": "u-api000000000000000000000000003", "access": "HSTAAPIONLY0000000001", "status": "active", "create_time": "2024-06-01T12:05:00.000000Z", "description": "ci"},
                    {"user_id": "u-api000000000000000000000000003", "access": "HSTAAPIONLY0000000002", "status": "active", "create_time": "2024-07-01T09:00:00.000000Z", "description": "spare"}])
            } else {
                json!([])
            };
            ok(json!({"credentials": creds}))
        }
        // ShowPermanentAccessKey: the first key was last used long ago; the second's last use is
        // not reported (empty).
        ["v3.0", "OS-CREDENTIAL", "credentials", access] => {
            let (created, last) = match *access {
                "HSTAAPIONLY0000000001" => {
                    ("2024-06-01T12:05:00.000000Z", "2024-06-02T08:00:00.000000Z")
                }
                "HSTAAPIONLY0000000002" => ("2024-07-01T09:00:00.000000Z", ""),
                _ => {
                    return (
                        404,
                        json!({"error": {"code": "1100", "message": "The credential does not exist."}}),
                        path,
                        true,
                    );
                }
            };
            ok(
                json!({"credential": {"user_id": "u-api000000000000000000000000003", "access": access, "status": "active", "create_time": created, "last_use_time": last, "description": ""}}),
            )
        }
        ["v3", p, "trackers"] if project(p) == "cn-north-4" => ok(
            json!({"trackers": [{"id": "t-system-cn4", "create_time": 1589886034121_u64, "kms_id": "kms-cn4-key-0001", "is_support_validate": true, "is_support_trace_files_encryption": true, "lts": {"is_lts_enabled": true, "log_group_name": "CTS", "log_topic_name": "system-trace"}, "tracker_type": "system", "domain_id": d, "project_id": p, "tracker_name": "system", "status": "enabled", "detail": "", "obs_info": {"is_obs_created": false, "bucket_name": "acme-cts", "file_prefix_name": "cts", "is_authorized_bucket": true, "bucket_lifecycle": 180}, "group_id": "", "stream_id": ""}]}),
        ),
        ["v3", _, "trackers"] => ok(json!({"trackers": []})),
        // `key_spec` defaults to AES_256: the RSA key only with `ALL`. `marker` is the index of
        // the next key; `truncated` and `next_marker` are strings.
        ["v1.0", p, "kms", "list-keys"] => {
            let q: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            let spec = q["key_spec"].as_str().unwrap_or("AES_256");
            let detail = |id: &str, alias: &str, spec: &str, default: &str, created: &str| json!({"key_id": id, "domain_id": d, "key_alias": alias, "realm": "cn-north-4", "key_spec": spec, "key_usage": if spec == "AES_256" { "ENCRYPT_DECRYPT" } else { "SIGN_VERIFY" }, "key_description": "", "creation_date": created, "scheduled_deletion_date": "", "key_state": "2", "default_key_flag": default, "key_type": "1", "expiration_time": "", "origin": "kms", "key_rotation_enabled": "false"});
            let keys: Vec<Value> = if project(p) == "cn-north-4" {
                vec![
                    detail(
                        "kms-cn4-default",
                        "evs/default",
                        "AES_256",
                        "1",
                        "1502799822000",
                    ),
                    detail("kms-cn4-key-0001", "app", "AES_256", "0", "1672531200000"),
                    detail(
                        "kms-cn4-rsa-0001",
                        "signing",
                        "RSA_2048",
                        "0",
                        "1688169600000",
                    ),
                ]
                .into_iter()
                .filter(|k| spec == "ALL" || k["key_spec"] == spec)
                .collect()
            } else {
                Vec::new()
            };
            let size = q["limit"]
                .as_str()
                .and_then(|l| l.parse().ok())
                .unwrap_or(keys.len().max(1))
                .min(HW_CAP);
            let start: usize = q["marker"]
                .as_str()
                .and_then(|m| m.parse().ok())
                .unwrap_or(0);
            let page = hw_at_offset(&keys, start, size);
            let more = start + page.len() < keys.len();
            let ids: Vec<Value> = page.iter().map(|k| k["key_id"].clone()).collect();
            ok(
                json!({"keys": ids, "key_details": page, "next_marker": if more { (start + page.len()).to_string() } else { String::new() }, "truncated": more.to_string(), "total": keys.len()}),
            )
        }
        ["v1.0", _, "kms", "get-key-rotation-status"] => ok(
            json!({"key_rotation_enabled": false, "rotation_interval": 365, "last_rotation_time": "", "number_of_rotations": 0}),
        ),
        // sg-db is in a non-default enterprise project: listed only with `all_granted_eps`.
        ["v3", p, "vpc", "security-groups"] => {
            let sg = |id: &str, name: &str, ep: &str| json!({"id": id, "name": name, "description": "", "project_id": p, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "enterprise_project_id": ep, "tags": []});
            let groups: Vec<Value> = if project(p) == "cn-north-4" {
                vec![
                    sg("16b6ad0e-0000-4000-8000-000000000001", "sg-web", "0"),
                    sg(
                        "16b6ad0e-0000-4000-8000-000000000002",
                        "sg-db",
                        "5f1e2d3c-0000-4000-8000-0000000000ep",
                    ),
                ]
                .into_iter()
                .filter(|g| all_eps || g["enterprise_project_id"] == "0")
                .collect()
            } else {
                Vec::new()
            };
            let (page, next) =
                hw_after_marker(&groups, &req.param("marker"), limit(2000).min(HW_CAP));
            let mut info = json!({"previous_marker": page.first().map(|g| g["id"].clone()).unwrap_or(json!("")), "current_count": page.len()});
            if let Some(next) = next {
                info["next_marker"] = json!(next);
            }
            ok(json!({"request_id": "a1", "security_groups": page, "page_info": info}))
        }
        // sg-web: 22 open (page 1), 443 open (page 3); 3389 world-open but `enabled = false`.
        ["v3", p, "vpc", "security-group-rules"] => {
            let group = req.param("security_group_id");
            let rule = |id: &str,
                        dir: &str,
                        proto: Value,
                        prefix: &str,
                        ports: Value,
                        action: &str,
                        enabled: bool| {
                json!({"id": id, "security_group_id": group, "direction": dir, "protocol": proto, "ethertype": "IPv4", "description": "", "remote_ip_prefix": prefix, "remote_group_id": null, "remote_address_group_id": null, "multiport": ports, "action": action, "priority": 1, "project_id": p, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "enabled": enabled})
            };
            let rules: Vec<Value> = match group.as_str() {
                "16b6ad0e-0000-4000-8000-000000000001" => vec![
                    rule(
                        "r1",
                        "ingress",
                        json!("tcp"),
                        "0.0.0.0/0",
                        json!("22"),
                        "allow",
                        true,
                    ),
                    rule(
                        "r2",
                        "ingress",
                        json!("tcp"),
                        "0.0.0.0/0",
                        json!("8000-8002"),
                        "deny",
                        true,
                    ),
                    rule(
                        "r3",
                        "egress",
                        Value::Null,
                        "0.0.0.0/0",
                        Value::Null,
                        "allow",
                        true,
                    ),
                    rule(
                        "r4",
                        "ingress",
                        json!("tcp"),
                        "0.0.0.0/0",
                        json!("3389"),
                        "allow",
                        false,
                    ),
                    rule(
                        "r5",
                        "ingress",
                        json!("tcp"),
                        "0.0.0.0/0",
                        json!("443"),
                        "allow",
                        true,
                    ),
                ],
                "16b6ad0e-0000-4000-8000-000000000002" => vec![rule(
                    "r6",
                    "ingress",
                    json!("tcp"),
                    "10.0.0.0/8",
                    json!("5432"),
                    "allow",
                    true,
                )],
                _ => Vec::new(),
            };
            let (page, next) = hw_after_marker(&rules, &req.param("marker"), limit(2000).min(2));
            let mut info = json!({"previous_marker": page.first().map(|g| g["id"].clone()).unwrap_or(json!("")), "current_count": page.len()});
            if let Some(next) = next {
                info["next_marker"] = json!(next);
            }
            ok(json!({"request_id": "a3", "security_group_rules": page, "page_info": info}))
        }
        ["v2", p, "cloudvolumes", "detail"] if project(p) == "cn-east-3" => hw_error(
            429,
            "APIGW.0308",
            "The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 second",
        ),
        // vol-cn4-0002 is in a non-default enterprise project: listed only with `all_granted_eps`.
        ["v2", p, "cloudvolumes", "detail"] => {
            let vols: Vec<Value> = if project(p) == "cn-north-4" {
                vec![
                    json!({"id": "vol-cn4-0001", "name": "data", "status": "in-use", "size": 100, "volume_type": "SSD", "bootable": "false", "attachments": [{"server_id": "ecs-1", "attachment_id": "a-1", "device": "/dev/vdb"}], "metadata": {"__system__encrypted": "1", "__system__cmkid": "kms-cn4-key-0001"}, "encrypted": true, "multiattach": false, "enterprise_project_id": "0"}),
                    json!({"id": "vol-cn4-0002", "name": "scratch", "status": "available", "size": 40, "volume_type": "SAS", "bootable": "false", "attachments": [], "metadata": {}, "multiattach": false, "enterprise_project_id": "5f1e2d3c-0000-4000-8000-0000000000ep"}),
                ]
                .into_iter()
                .filter(|v| all_eps || v["enterprise_project_id"] == "0")
                .collect()
            } else {
                Vec::new()
            };
            if !req.param("offset").is_empty() && offset() == 0 {
                return (
                    400,
                    json!({"error": {"code": "EVS.2061", "message": "offset must be greater than 0"}}),
                    path,
                    true,
                );
            }
            let page = hw_at_offset(&vols, offset(), limit(1000).min(HW_CAP));
            ok(json!({"count": vols.len(), "volumes": page}))
        }
        ["v3", p, "policies"] if project(p) == "cn-north-4" => ok(json!({"count": 2, "policies": [
            {"id": "pol-backup-0001", "name": "daily-backup", "enabled": true, "operation_type": "backup", "operation_definition": {"retention_duration_days": 30, "max_backups": -1, "timezone": "UTC+08:00"}, "trigger": {"properties": {"pattern": ["FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0"]}}, "associated_vaults": [{"vault_id": "vault-0001", "destination_vault_id": null}]},
            {"id": "pol-repl-0001", "name": "to-shanghai", "enabled": true, "operation_type": "replication", "operation_definition": {"retention_duration_days": 30, "destination_region": "cn-east-3", "destination_project_id": "p-cn3"}, "trigger": {"properties": {"pattern": ["FREQ=DAILY;INTERVAL=1;BYHOUR=4;BYMINUTE=0"]}}, "associated_vaults": [{"vault_id": "vault-0001", "destination_vault_id": "vault-0009"}]}]})),
        ["v3", _, "policies"] => ok(json!({"count": 0, "policies": []})),
        ["v5", p, "host-management", "hosts"] if project(p) == "cn-north-4" => hw_error(
            403,
            "APIGW.0302",
            "The IAM user is not authorized to access the API.",
        ),
        // limit 10–200; `enterprise_project_id` defaults to the default project ("0"). Hong Kong:
        // one protected host, and one unprotected host in another enterprise project.
        ["v5", p, "host-management", "hosts"] => {
            let size = limit(10);
            if !(10..=200).contains(&size) {
                return (
                    400,
                    json!({"error_code": "HSS.0001", "error_description": "limit must be 10-200"}),
                    path,
                    true,
                );
            }
            let hosts: Vec<Value> = if project(p) == "ap-southeast-1" {
                vec![
                    json!({"host_id": "ecs-hk-0001", "host_name": "web", "agent_status": "online", "protect_status": "opened", "enterprise_project_id": "0"}),
                    json!({"host_id": "ecs-hk-0002", "host_name": "batch", "agent_status": "not_installed", "protect_status": "closed", "enterprise_project_id": "5f1e2d3c-0000-4000-8000-0000000000ep"}),
                ]
                .into_iter()
                .filter(|h| all_eps || h["enterprise_project_id"] == "0")
                .collect()
            } else {
                Vec::new()
            };
            ok(
                json!({"total_num": hosts.len(), "data_list": hw_at_offset(&hosts, offset(), size.min(HW_CAP))}),
            )
        }
        // No total, no next marker: a full page (`limit`) continues after its last id. 99 unnamed
        // VPCs fill page 1 so that `prod-2` is on page 2; the VPC flow log of `prod` is on page 2.
        ["v1", p, "vpcs"] => {
            let vpc = |id: &str, name: &str, cidr: &str| json!({"id": id, "name": name, "cidr": cidr, "status": "OK", "routes": [], "enterprise_project_id": "0", "description": ""});
            let mut vpcs: Vec<Value> = Vec::new();
            if project(p) == "cn-north-4" {
                vpcs.push(vpc(
                    "vpc-cn4-000000000000000000000001",
                    "prod",
                    "192.168.0.0/16",
                ));
                for i in 0..HW_FILL {
                    vpcs.push(vpc(&hw_fill_vpc(i), "", "172.16.0.0/16"));
                }
                vpcs.push(vpc("vpc-cn4-000000000000000000000002", "", "10.0.0.0/8"));
            }
            let (page, _) = hw_after_marker(&vpcs, &req.param("marker"), limit(vpcs.len().max(1)));
            ok(json!({"vpcs": page}))
        }
        // The second VPC has a flow log only on one port.
        ["v1", p, "fl", "flow_logs"] => {
            let log = |id: &str, kind: &str, resource: &str| json!({"id": id, "name": id, "tenant_id": p, "resource_type": kind, "resource_id": resource, "traffic_type": "all", "log_group_id": "lg-01", "log_topic_id": "lt-01", "admin_state": true, "status": "ACTIVE", "description": "", "created_at": "2023-01-02T00:00:00", "updated_at": "2023-01-02T00:00:00"});
            let mut logs: Vec<Value> = Vec::new();
            if project(p) == "cn-north-4" {
                logs.push(log("fl-cn4-02", "port", "port-cn4-01"));
                for i in 0..HW_FILL {
                    logs.push(log(
                        &format!("fl-cn4-fill-{i:03}"),
                        "port",
                        &format!("port-cn4-fill-{i:03}"),
                    ));
                }
                logs.push(log("fl-cn4-01", "vpc", "vpc-cn4-000000000000000000000001"));
            }
            let (page, _) = hw_after_marker(&logs, &req.param("marker"), limit(logs.len().max(1)));
            ok(json!({"flow_logs": page}))
        }
        // offset/limit (1–100), `total_count`.
        ["v3", p, "instances"] => {
            let size = limit(100);
            if !(1..=100).contains(&size) {
                return (
                    400,
                    json!({"error_code": "DBS.200001", "error_msg": "limit must be 1-100"}),
                    path,
                    true,
                );
            }
            let instances: Vec<Value> = if project(p) == "cn-north-4" {
                vec![
                    json!({"id": "rds-cn4-good-in01", "name": "orders", "status": "ACTIVE", "type": "Ha", "ha": {"replication_mode": "semisync"}, "datastore": {"type": "MySQL", "version": "8.0"}, "private_ips": ["192.168.0.10"], "public_ips": [], "disk_encryption_id": "kms-cn4-0001", "backup_strategy": {"start_time": "02:00-03:00", "keep_days": 7}, "region": "cn-north-4", "nodes": [
                        {"id": "n1", "name": "orders_node0", "role": "master", "status": "ACTIVE", "availability_zone": "cn-north-4a"},
                        {"id": "n2", "name": "orders_node1", "role": "slave", "status": "ACTIVE", "availability_zone": "cn-north-4b"}]}),
                    json!({"id": "rds-cn4-open-in02", "name": "legacy", "status": "ACTIVE", "type": "Single", "datastore": {"type": "PostgreSQL", "version": "12"}, "private_ips": ["192.168.0.11"], "public_ips": ["124.70.0.1"], "backup_strategy": {"start_time": "02:00-03:00", "keep_days": 1}, "region": "cn-north-4", "nodes": [
                        {"id": "n3", "name": "legacy_node0", "role": "master", "status": "ACTIVE", "availability_zone": "cn-north-4a"}]}),
                ]
            } else {
                Vec::new()
            };
            ok(
                json!({"total_count": instances.len(), "instances": hw_at_offset(&instances, offset(), size.min(HW_CAP))}),
            )
        }
        ["v1", "resource-manager", "domains", _, "tracker-config"] => ok(
            json!({"channel": {"obs": {"bucket_name": "acme-rms", "region_id": "cn-north-4"}}, "selector": {"all_supported": true, "resource_types": []}, "retention_period_in_days": 2557, "agency_name": "rms_tracker_agency"}),
        ),
        _ => hw_error(
            404,
            "APIGW.0101",
            "The API does not exist or has not been published in the environment",
        ),
    };
    (status, body, path, true)
}

// ---------------------------------------------------------------------------------------------
// Object storage (Alibaba OSS, Huawei OBS): V1 header signature, XML answers.

fn base64(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= c.len() {
                A[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// Unix time of an RFC 1123 date (`Wed, 25 Nov 2026 18:20:00 GMT`).
fn parse_http_date(text: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let p: Vec<&str> = text.split_whitespace().collect();
    let name = *p.get(2)?;
    let month = MONTHS.iter().position(|m| *m == name)? as i64 + 1;
    let hms: Vec<i64> = p
        .get(4)?
        .split(':')
        .filter_map(|x| x.parse().ok())
        .collect();
    let day = days(p.get(3)?.parse().ok()?, month, p.get(1)?.parse().ok()?);
    Some(day * 86_400 + hms.first()? * 3600 + hms.get(1)? * 60 + hms.get(2)?)
}

fn check_v1(
    req: &Request,
    scheme: &str,
    prefix: &str,
    ak: &str,
    sk: &str,
) -> Result<(), (&'static str, String)> {
    let auth = req.header("authorization");
    let (id, signature) = auth
        .strip_prefix(scheme)
        .and_then(|r| r.trim().split_once(':'))
        .ok_or((
            "InvalidArgument",
            "Authorization header is invalid.".to_owned(),
        ))?;
    if id != ak {
        return Err((
            "InvalidAccessKeyId",
            "The Access Key Id you provided does not exist in our records.".into(),
        ));
    }
    let date = parse_http_date(req.header("date")).ok_or((
        "AccessDenied",
        "Date header is missing or malformed.".to_owned(),
    ))?;
    if (now() - date).abs() > 900 {
        return Err((
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.".into(),
        ));
    }
    let mut own: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .cloned()
        .collect();
    own.sort();
    let headers: String = own.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let known = [
        "acl",
        "bucketInfo",
        "encryption",
        "location",
        "logging",
        "policy",
        "policyStatus",
        "publicAccessBlock",
        "versioning",
    ];
    let mut sub: Vec<String> = req
        .query_pairs()
        .into_iter()
        .filter(|(k, _)| known.contains(&k.as_str()))
        .map(|(k, v)| if v.is_empty() { k } else { format!("{k}={v}") })
        .collect();
    sub.sort();
    let path = decode(&req.path);
    let resource = if sub.is_empty() {
        path
    } else {
        format!("{path}?{}", sub.join("&"))
    };
    let sts = format!(
        "{}\n{}\n{}\n{}\n{headers}{resource}",
        req.method,
        req.header("content-md5"),
        req.header("content-type"),
        req.header("date")
    );
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(sk.as_bytes()).unwrap();
    mac.update(sts.as_bytes());
    if signature != base64(&mac.finalize().into_bytes()) {
        return Err((
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.".into(),
        ));
    }
    Ok(())
}

fn xml_error(status: u16, code: &str, message: &str) -> (u16, Value) {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>65F2A1B2C3D4E5F6A7B8C9D0</RequestId><HostId>127.0.0.1</HostId></Error>"
    );
    (status, Value::String(body))
}

fn xml(body: &str) -> (u16, Value) {
    (
        200,
        Value::String(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}"
        )),
    )
}

/// `(bucket, sub-resource)` of a path-style request (`/bucket/?acl`).
fn bucket_and_sub(req: &Request) -> (String, String) {
    let bucket = req.path.trim_matches('/').to_owned();
    let sub = req
        .query_pairs()
        .into_iter()
        .map(|(k, _)| k)
        .next()
        .unwrap_or_default();
    (bucket, sub)
}

fn oss(req: &Request, ak: &str, sk: &str) -> (u16, Value, String, bool) {
    let (bucket, sub) = bucket_and_sub(req);
    let action = format!("oss:{bucket}?{sub}");
    if let Err((code, message)) = check_v1(req, "OSS ", "x-oss-", ak, sk) {
        let (s, v) = xml_error(403, code, &message);
        return (s, v, action, false);
    }
    let entry = |name: &str, loc: &str| {
        format!(
            "<Bucket><CreationDate>2023-01-01T00:00:00.000Z</CreationDate><ExtranetEndpoint>{loc}.aliyuncs.com</ExtranetEndpoint><IntranetEndpoint>{loc}-internal.aliyuncs.com</IntranetEndpoint><Location>{loc}</Location><Name>{name}</Name><Region>{}</Region><StorageClass>Standard</StorageClass></Bucket>",
            loc.trim_start_matches("oss-")
        )
    };
    let info = |name: &str, loc: &str, acl: &str, sse: &str, versioning: &str, log: &str| {
        let versioning = if versioning.is_empty() {
            String::new()
        } else {
            format!("<Versioning>{versioning}</Versioning>")
        };
        xml(&format!(
            "<BucketInfo><Bucket><AccessMonitor>Disabled</AccessMonitor><CreationDate>2023-01-01T00:00:00.000Z</CreationDate><ExtranetEndpoint>{loc}.aliyuncs.com</ExtranetEndpoint><IntranetEndpoint>{loc}-internal.aliyuncs.com</IntranetEndpoint><Location>{loc}</Location><StorageClass>Standard</StorageClass><TransferAcceleration>Disabled</TransferAcceleration><CrossRegionReplication>Disabled</CrossRegionReplication><Name>{name}</Name>{versioning}<Owner><DisplayName>{ALIBABA_ACCOUNT}</DisplayName><ID>{ALIBABA_ACCOUNT}</ID></Owner><AccessControlList><Grant>{acl}</Grant></AccessControlList>{sse}<BucketPolicy><LogBucket>{log}</LogBucket><LogPrefix></LogPrefix></BucketPolicy></Bucket></BucketInfo>"
        ))
    };
    let sse = |alg: &str, key: &str| {
        let key = if key.is_empty() {
            String::new()
        } else {
            format!("<KMSMasterKeyID>{key}</KMSMasterKeyID>")
        };
        format!(
            "<ServerSideEncryptionRule><SSEAlgorithm>{alg}</SSEAlgorithm>{key}</ServerSideEncryptionRule>"
        )
    };
    let (status, body) = match (bucket.as_str(), sub.as_str()) {
        // One bucket per page: after `marker` in name order, `NextMarker` while `IsTruncated`.
        ("", _) => {
            let mut all = [
                ("acme-hk", "oss-cn-hongkong"),
                ("acme-private", "oss-cn-hangzhou"),
                ("acme-public", "oss-cn-hangzhou"),
            ];
            all.sort();
            let marker = req.param("marker");
            let rest: Vec<_> = all.iter().filter(|(n, _)| *n > marker.as_str()).collect();
            let page = rest.first().map(|(n, l)| entry(n, l)).unwrap_or_default();
            let more = rest.len() > 1;
            let next = if more {
                format!("<NextMarker>{}</NextMarker>", rest[0].0)
            } else {
                String::new()
            };
            xml(&format!(
                "<ListAllMyBucketsResult><Prefix></Prefix><Marker>{marker}</Marker><MaxKeys>{}</MaxKeys><IsTruncated>{more}</IsTruncated>{next}<Owner><ID>{ALIBABA_ACCOUNT}</ID><DisplayName>{ALIBABA_ACCOUNT}</DisplayName></Owner><Buckets>{page}</Buckets></ListAllMyBucketsResult>",
                req.param("max-keys")
            ))
        }
        ("acme-private", "bucketInfo") => info(
            "acme-private",
            "oss-cn-hangzhou",
            "private",
            &sse("KMS", "key-hzz1a2b3c4d5e6f7g8h9"),
            "Enabled",
            "acme-logs",
        ),
        ("acme-public", "bucketInfo") => info(
            "acme-public",
            "oss-cn-hangzhou",
            "public-read",
            &sse("None", ""),
            "",
            "",
        ),
        ("acme-hk", "bucketInfo") => info(
            "acme-hk",
            "oss-cn-hongkong",
            "private",
            &sse("AES256", ""),
            "Suspended",
            "",
        ),
        (b, "publicAccessBlock") => xml(&format!(
            "<PublicAccessBlockConfiguration><BlockPublicAccess>{}</BlockPublicAccess></PublicAccessBlockConfiguration>",
            b == "acme-private"
        )),
        (_, "policyStatus") => xml("<PolicyStatus><IsPublic>false</IsPublic></PolicyStatus>"),
        _ => xml_error(404, "NoSuchBucket", "The specified bucket does not exist."),
    };
    (status, body, action, true)
}

fn obs(req: &Request, ak: &str, sk: &str) -> (u16, Value, String, bool) {
    let (bucket, sub) = bucket_and_sub(req);
    let action = format!("obs:{bucket}?{sub}");
    if let Err((code, message)) = check_v1(req, "OBS ", "x-obs-", ak, sk) {
        let (s, v) = xml_error(403, code, &message);
        return (s, v, action, false);
    }
    let ns = "xmlns=\"http://obs.myhwclouds.com/doc/2015-06-30/\"";
    let secure = bucket == "hw-secure";
    let owner = format!("<Owner><ID>{HUAWEI_DOMAIN}</ID></Owner>");
    let entry = |name: &str, loc: &str| {
        format!(
            "<Bucket><Name>{name}</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate><Location>{loc}</Location><BucketType>OBJECT</BucketType></Bucket>"
        )
    };
    let (status, body) = match (bucket.as_str(), sub.as_str()) {
        // `max-keys` / `marker` (the name the page starts after); the fixture returns at most 2
        // per page, so `hw-open` is on page 2 (`IsTruncated`, `NextMarker`).
        ("", _) => {
            let all = [
                ("hw-af", "af-south-1"),
                ("hw-secure", "cn-north-4"),
                ("hw-open", "cn-north-4"),
            ];
            let marker = req.param("marker");
            let start = if marker.is_empty() {
                0
            } else {
                all.iter()
                    .position(|(n, _)| *n == marker)
                    .map_or(all.len(), |i| i + 1)
            };
            let size = req
                .param("max-keys")
                .parse::<usize>()
                .unwrap_or(1000)
                .min(2);
            let page: Vec<_> = all.iter().skip(start).take(size).collect();
            let truncated = start + page.len() < all.len();
            let next = if truncated {
                format!("<NextMarker>{}</NextMarker>", page.last().unwrap().0)
            } else {
                String::new()
            };
            xml(&format!(
                "<ListAllMyBucketsResult {ns}>{owner}<Marker>{marker}</Marker><MaxKeys>{size}</MaxKeys><IsTruncated>{truncated}</IsTruncated>{next}<Buckets>{}</Buckets></ListAllMyBucketsResult>",
                page.iter().map(|(n, l)| entry(n, l)).collect::<String>()
            ))
        }
        ("hw-secure", "encryption") => xml(&format!(
            "<ServerSideEncryptionConfiguration {ns}><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>kms</SSEAlgorithm><KMSMasterKeyID>cn-north-4:{HUAWEI_DOMAIN}:kms-cn4-key-0001</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"
        )),
        (_, "encryption") => xml_error(
            404,
            "NoSuchEncryptionConfiguration",
            "The encryption configuration does not exist.",
        ),
        (_, "versioning") if secure => xml(&format!(
            "<VersioningConfiguration {ns}><Status>Enabled</Status></VersioningConfiguration>"
        )),
        (_, "versioning") => xml(&format!("<VersioningConfiguration {ns}/>")),
        (_, "acl") => {
            let public = if secure {
                ""
            } else {
                "<Grant><Grantee><Canned>Everyone</Canned></Grantee><Permission>READ</Permission></Grant>"
            };
            xml(&format!(
                "<AccessControlPolicy {ns}>{owner}<AccessControlList><Grant><Grantee><ID>{HUAWEI_DOMAIN}</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>{public}</AccessControlList></AccessControlPolicy>"
            ))
        }
        (_, "policyStatus") => xml(&format!(
            "<PolicyStatus {ns}><IsPublic>FALSE</IsPublic></PolicyStatus>"
        )),
        ("hw-secure", "publicAccessBlock") => xml(&format!(
            "<PublicAccessBlockConfiguration {ns}><BlockPublicAcls>TRUE</BlockPublicAcls><IgnorePublicAcls>TRUE</IgnorePublicAcls><BlockPublicPolicy>TRUE</BlockPublicPolicy><RestrictPublicBuckets>TRUE</RestrictPublicBuckets></PublicAccessBlockConfiguration>"
        )),
        (_, "publicAccessBlock") => xml_error(
            404,
            "NoSuchPublicAccessBlockConfiguration",
            "The public access block configuration was not found.",
        ),
        (_, "logging") if secure => xml(&format!(
            "<BucketLoggingStatus {ns}><Agency>cts-agency</Agency><LoggingEnabled><TargetBucket>hw-logs</TargetBucket><TargetPrefix>access/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>"
        )),
        (_, "logging") => xml(&format!("<BucketLoggingStatus {ns}/>")),
        _ => xml_error(404, "NoSuchBucket", "The specified bucket does not exist."),
    };
    (status, body, action, true)
}

fn check_cos(req: &Request, ak: &str, sk: &str) -> Result<(), (&'static str, String)> {
    let auth: Vec<(String, String)> = req
        .header("authorization")
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let f = |k: &str| {
        auth.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    if f("q-sign-algorithm") != "sha1" {
        return Err(("InvalidArgument", "q-sign-algorithm must be sha1.".into()));
    }
    if f("q-ak") != ak {
        return Err((
            "InvalidAccessKeyId",
            "The access key Id format you provided is invalid.".into(),
        ));
    }
    let key_time = f("q-key-time");
    let (start, end) = key_time
        .split_once(';')
        .ok_or(("AccessDenied", "q-key-time is invalid.".to_owned()))?;
    let (start, end): (i64, i64) = (start.parse().unwrap_or(0), end.parse().unwrap_or(0));
    if now() < start - 900 || now() > end || f("q-sign-time") != key_time {
        return Err(("AccessDenied", "Request has expired".into()));
    }
    let pairs = |names: &str, value: &dyn Fn(&str) -> String| -> String {
        let mut p: Vec<(String, String)> = names
            .split(';')
            .filter(|n| !n.is_empty())
            .map(|n| (n.to_owned(), encode(&value(n))))
            .collect();
        p.sort();
        p.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    };
    let query = req.query_pairs();
    let mut listed: Vec<String> = query
        .iter()
        .map(|(k, _)| encode(&k.to_ascii_lowercase()))
        .collect();
    listed.sort();
    if listed.join(";") != f("q-url-param-list")
        || !f("q-header-list").split(';').any(|h| h == "host")
    {
        return Err((
            "SignatureDoesNotMatch",
            "The parameter or header list does not cover the request.".into(),
        ));
    }
    let params = pairs(f("q-url-param-list"), &|n| {
        query
            .iter()
            .find(|(k, _)| k.to_ascii_lowercase() == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    });
    let headers = pairs(f("q-header-list"), &|n| req.header(n).to_owned());
    let http_string = format!(
        "{}\n{}\n{params}\n{headers}\n",
        req.method.to_ascii_lowercase(),
        decode(&req.path)
    );
    let hmac1 = |key: &[u8], data: &str| {
        let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).unwrap();
        mac.update(data.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    };
    let sign_key = hmac1(sk.as_bytes(), key_time);
    let sts = format!(
        "sha1\n{key_time}\n{}\n",
        hex::encode(<sha1::Sha1 as Digest>::digest(http_string.as_bytes()))
    );
    if f("q-signature") != hmac1(sign_key.as_bytes(), &sts) {
        return Err((
            "SignatureDoesNotMatch",
            "The Signature you specified is invalid.".into(),
        ));
    }
    Ok(())
}

fn cos(req: &Request, ak: &str, sk: &str) -> (u16, Value, String, bool) {
    let (bucket, sub) = bucket_and_sub(req);
    let action = format!("cos:{bucket}?{sub}");
    if let Err((code, message)) = check_cos(req, ak, sk) {
        let (s, v) = xml_error(403, code, &message);
        return (s, v, action, false);
    }
    let owner = format!(
        "<Owner><ID>qcs::cam::uin/{TENCENT_ACCOUNT}:uin/{TENCENT_ACCOUNT}</ID><DisplayName>{TENCENT_ACCOUNT}</DisplayName></Owner>"
    );
    let entry = |name: &str, loc: &str| {
        format!(
            "<Bucket><Name>{name}</Name><Location>{loc}</Location><CreationDate>2024-01-01T00:00:00Z</CreationDate><BucketType>cos</BucketType></Bucket>"
        )
    };
    let sse = |alg: &str, key: &str| {
        let key = if key.is_empty() {
            String::new()
        } else {
            format!("<KMSMasterKeyID>{key}</KMSMasterKeyID>")
        };
        xml(&format!(
            "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>{alg}</SSEAlgorithm>{key}</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"
        ))
    };
    let (status, body) = match (bucket.as_str(), sub.as_str()) {
        // GET Service, one bucket a page: `marker` is the previous page's `NextMarker`.
        ("", _) => {
            let all = [
                ("acme-logs-1250000000", "ap-guangzhou"),
                ("acme-web-1250000000", "ap-guangzhou"),
                ("acme-hk-1250000000", "ap-hongkong"),
            ];
            let marker = req.param("marker");
            let start = all
                .iter()
                .position(|(n, _)| *n == marker)
                .map_or(0, |i| i + 1);
            let (name, loc) = all[start.min(all.len() - 1)];
            let truncated = start + 1 < all.len();
            let next = if truncated {
                format!("<NextMarker>{name}</NextMarker>")
            } else {
                String::new()
            };
            xml(&format!(
                "<ListAllMyBucketsResult>{owner}<Marker>{marker}</Marker>{next}<IsTruncated>{truncated}</IsTruncated><Buckets>{}</Buckets></ListAllMyBucketsResult>",
                entry(name, loc)
            ))
        }
        ("acme-logs-1250000000", "encryption") => sse("AES256", ""),
        ("acme-hk-1250000000", "encryption") => sse("KMS", "b9a1c2d3-0000-11ee-8000-525400000001"),
        (_, "encryption") => xml_error(
            404,
            "NoSuchEncryptionConfiguration",
            "The server side encryption configuration was not found.",
        ),
        ("acme-logs-1250000000", "versioning") => {
            xml("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")
        }
        ("acme-hk-1250000000", "versioning") => {
            xml("<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>")
        }
        (_, "versioning") => xml("<VersioningConfiguration/>"),
        (b, "acl") => {
            // acme-web: the AllUsers group; acme-hk: the anonymous ID (cos-go-sdk-v5 `decodeACL`).
            let public = match b {
                "acme-web-1250000000" => {
                    r#"<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>"#
                }
                "acme-hk-1250000000" => {
                    r#"<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>qcs::cam::anyone:anyone</ID><DisplayName>qcs::cam::anyone:anyone</DisplayName></Grantee><Permission>READ</Permission></Grant>"#
                }
                _ => "",
            };
            xml(&format!(
                r#"<AccessControlPolicy>{owner}<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>qcs::cam::uin/{TENCENT_ACCOUNT}:uin/{TENCENT_ACCOUNT}</ID><DisplayName>{TENCENT_ACCOUNT}</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>{public}</AccessControlList></AccessControlPolicy>"#
            ))
        }
        ("acme-logs-1250000000", "logging") => xml(
            "<BucketLoggingStatus><LoggingEnabled><TargetBucket>acme-audit-1250000000</TargetBucket><TargetPrefix>cos-access/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>",
        ),
        (_, "logging") => xml("<BucketLoggingStatus/>"),
        _ => xml_error(404, "NoSuchBucket", "The specified bucket does not exist."),
    };
    (status, body, action, true)
}
