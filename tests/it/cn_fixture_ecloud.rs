//! China Mobile Cloud (ecloud) in the fixture server: the `V2.0` query signature checked with an
//! implementation written here (independent of `cloudcap_collect::cn::sign_ecloud`; only `hmac`,
//! `sha1` and `sha2` are shared), refusals in ecloud's answer envelope (`requestId`, `state`,
//! `body`, `errorCode`, `errorMessage`), and the answers of
//! `tests/fixtures/cn/ecloud/<service>/<Action>[.<case>].json` with paging, a throttled call and
//! a permission error added here.
//!
//! The account: three groups of interest (`sg-web` opens SSH and HTTPS to the internet,
//! `sg-db` opens MySQL to 10.0.0.0/8 only, `sg-open` opens every port), `sg-slow` whose rule
//! listing is throttled once, `sg-denied` whose rule listing is refused, and 52 generated
//! groups without rules: 57 groups, two pages of 50.

use std::collections::HashSet;
use std::sync::Mutex;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::{Request, answer, decode, encode, like, now, parse_time, take_items};

/// Generated groups after the file's five.
pub const FILLERS: usize = 52;

fn envelope_error(status: u16, code: &str, message: &str) -> (u16, Value) {
    (
        status,
        json!({
            "requestId": "req-fixture-error",
            "state": "ERROR",
            "body": null,
            "errorCode": code,
            "errorMessage": message,
        }),
    )
}

/// The `V2.0` check: every signature parameter present, the access key, HmacSHA1, a fresh
/// nonce, a Beijing-time `Timestamp` (written with a literal `Z`) within 15 minutes, and
/// `hex(HMAC-SHA1("BC_SIGNATURE&" + sk, METHOD \n enc(path) \n hex(sha256(sorted query))))`.
fn check(req: &Request, ak: &str, sk: &str, nonces: &Mutex<HashSet<String>>) -> Result<(), String> {
    let pairs = req.query_pairs();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if get("AccessKey") != ak {
        return Err(format!("unknown AccessKey {:?}", get("AccessKey")));
    }
    if get("SignatureMethod") != "HmacSHA1" || get("SignatureVersion") != "V2.0" {
        return Err("SignatureMethod must be HmacSHA1 and SignatureVersion V2.0".into());
    }
    let nonce = get("SignatureNonce");
    if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("SignatureNonce {nonce:?} is not 32 hex digits"));
    }
    let stamp = get("Timestamp");
    let Some(beijing) = parse_time(&stamp) else {
        return Err(format!("Timestamp {stamp:?} is not yyyy-MM-ddTHH:mm:ssZ"));
    };
    if (beijing - 8 * 3600 - now()).abs() > 900 {
        return Err(format!("Timestamp {stamp} (Beijing time) is stale"));
    }
    let mut rest: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "Signature")
        .cloned()
        .collect();
    rest.sort();
    let canonical = rest
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let digest = hex::encode(Sha256::digest(canonical.as_bytes()));
    let text = format!(
        "{}\n{}\n{digest}",
        req.method.to_uppercase(),
        encode(&decode(&req.path))
    );
    let mut mac =
        <Hmac<Sha1> as KeyInit>::new_from_slice(format!("BC_SIGNATURE&{sk}").as_bytes()).unwrap();
    mac.update(text.as_bytes());
    let expected = hex::encode(mac.finalize().into_bytes());
    if get("Signature") != expected {
        return Err("the signature does not match".into());
    }
    if !nonces.lock().unwrap().insert(format!("ecloud:{nonce}")) {
        return Err(format!("SignatureNonce {nonce} was used before"));
    }
    Ok(())
}

/// `(status, body, action, accepted)`.
pub(super) fn ecloud(
    req: &Request,
    ak: &str,
    sk: &str,
    nonces: &Mutex<HashSet<String>>,
) -> (u16, Value, String, bool) {
    let action = match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/api/v2/region") => "GetRegionList",
        ("GET", "/api/securitygroup") => "GetSecurityGroupList",
        ("GET", "/api/securitygrouprule") => "GetSecurityGroupRules",
        _ => {
            let (s, b) = envelope_error(404, "API_NOT_FOUND", "no such API");
            return (s, b, format!("{} {}", req.method, req.path), false);
        }
    };
    if let Err(message) = check(req, ak, sk, nonces) {
        let (s, b) = envelope_error(401, "SIGNATURE_INVALID", &message);
        return (s, b, action.to_owned(), false);
    }
    let (status, body) = match action {
        "GetRegionList" => {
            if req.param("component") != "NOVA" {
                envelope_error(400, "PARAM_INVALID", "component is required")
            } else {
                (200, answer("ecloud", "region", action, ""))
            }
        }
        "GetSecurityGroupList" => groups(req),
        _ => rules(req, nonces),
    };
    (status, body, action.to_owned(), true)
}

/// One page (`page` from 1, `size`) of the groups, fillers generated after the file's.
fn groups(req: &Request) -> (u16, Value) {
    if req.param("types") != "VM" {
        return envelope_error(400, "PARAM_INVALID", "types must be VM");
    }
    let (Ok(page), Ok(size)) = (
        req.param("page").parse::<usize>(),
        req.param("size").parse::<usize>(),
    ) else {
        return envelope_error(400, "PARAM_INVALID", "page and size are required");
    };
    if page == 0 || size == 0 || size > 50 {
        return envelope_error(400, "PARAM_INVALID", "page from 1, size 1..=50");
    }
    let mut body = answer("ecloud", "securitygroup", "GetSecurityGroupList", "");
    let mut items = take_items(&mut body, &["body", "content"]);
    let template = items[0].clone();
    for i in 0..FILLERS {
        items.push(like(
            &template,
            json!({"id": format!("sg-fill-{i:02}"), "name": format!("fill-{i:02}")}),
        ));
    }
    let page_items: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * size)
        .take(size)
        .collect();
    body["body"]["content"] = Value::Array(page_items);
    (200, body)
}

/// The rules of one group: `sg-slow` is throttled on its first call, `sg-denied` is refused.
fn rules(req: &Request, nonces: &Mutex<HashSet<String>>) -> (u16, Value) {
    let id = req.param("securityGroupId");
    if id.is_empty() {
        return envelope_error(400, "PARAM_INVALID", "securityGroupId is required");
    }
    match id.as_str() {
        "sg-slow" if nonces.lock().unwrap().insert("ecloud:throttled".into()) => {
            envelope_error(429, "REQUEST_LIMIT_EXCEEDED", "too many requests")
        }
        "sg-denied" => envelope_error(403, "FORBIDDEN", "no permission on this security group"),
        _ => (
            200,
            answer("ecloud", "securitygroup", "GetSecurityGroupRules", &id),
        ),
    }
}
