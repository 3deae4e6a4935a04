//! One API call to a Chinese cloud through the shared [`HttpClient`]: endpoint override, the
//! vendor's error shape mapped to an [`ErrorClass`] (Alibaba and Tencent throttle with HTTP 400
//! and 200, so their throttling is retried here), the raw answer kept for the sink.

use serde_json::Value;

use crate::cn::{CnProvider, Endpoint, Send, percent_encode};
use crate::http::{ApiRequest, CallError, ErrorClass};

/// One API call before signing.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) service: &'static str,
    pub(crate) action: &'static str,
    /// Region the call is scoped to (`global` for global services).
    pub(crate) region: String,
    /// Public host (`ram.aliyuncs.com`); replaced by the endpoint override when configured.
    pub(crate) host: String,
    pub(crate) method: reqwest::Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Call {
    pub(crate) fn new(
        service: &'static str,
        action: &'static str,
        region: &str,
        host: String,
    ) -> Call {
        Call {
            service,
            action,
            region: region.to_owned(),
            host,
            method: reqwest::Method::GET,
            path: "/".to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
}

/// Sends `call` through `send`; the vendor's error shape decides the outcome. Throttling that
/// Alibaba (HTTP 400) and Tencent (HTTP 200) signal in the body is retried here with the shared
/// backoff settings; HTTP 429 and 5xx are already retried by the shared client.
pub(crate) fn execute(
    endpoint: &Endpoint,
    send: &mut Send<'_>,
    call: Call,
) -> Result<(Value, String), CallError> {
    let provider = endpoint.provider;
    let base = endpoint
        .endpoint_url
        .as_ref()
        .map(|u| u.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| format!("https://{}", call.host));
    let mut query: Vec<String> = call
        .query
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k, false), percent_encode(v, false)))
        .collect();
    query.sort();
    let mut url = format!("{base}{}", percent_encode(&call.path, true));
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    let request = ApiRequest {
        service: call.service,
        action: call.action,
        signing_region: call.region.clone(),
        method: call.method.clone(),
        url,
        headers: call.headers.clone(),
        body: call.body.clone(),
    };
    let mut attempt = 1;
    loop {
        let response = send(&request)?;
        let parsed: Option<Value> = serde_json::from_slice(&response.body).ok();
        let result = match classify(provider, call.service, response.status, parsed.as_ref()) {
            Some((class, code, message)) => Err(CallError {
                class,
                service: call.service,
                action: call.action,
                message: format!("HTTP {} {code}: {message}", response.status),
                code: Some(code),
                status: Some(response.status),
            }),
            None => match parsed {
                Some(v) => Ok((v, response.sha256.clone())),
                None => Err(CallError {
                    class: ErrorClass::Malformed,
                    service: call.service,
                    action: call.action,
                    code: None,
                    status: Some(response.status),
                    message: "response body is not JSON".to_owned(),
                }),
            },
        };
        let throttled = matches!(&result, Err(e) if e.class == ErrorClass::Throttled);
        if !throttled || attempt >= endpoint.http.max_attempts.max(1) {
            return result.map_err(|mut e| {
                if attempt > 1 {
                    e.message = format!("{} after {attempt} attempt(s)", e.message);
                }
                e
            });
        }
        let delay = endpoint
            .http
            .base_delay
            .saturating_mul(1 << (attempt - 1).min(16))
            .min(endpoint.http.max_delay);
        std::thread::sleep(delay.mul_f64(fastrand::f64()));
        attempt += 1;
    }
}

/// `Some((class, code, message))` when the answer is an error in the vendor's shape.
fn classify(
    provider: CnProvider,
    service: &str,
    status: u16,
    body: Option<&Value>,
) -> Option<(ErrorClass, String, String)> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_owned();
    let (code, message) = match provider {
        CnProvider::Alibaba => {
            if (200..300).contains(&status) {
                return None;
            }
            (
                text(body.and_then(|b| b.get("Code"))),
                text(body.and_then(|b| b.get("Message"))),
            )
        }
        CnProvider::Tencent => {
            // API 3.0 answers errors with HTTP 200 and `Response.Error`.
            match body
                .and_then(|b| b.get("Response"))
                .and_then(|r| r.get("Error"))
            {
                Some(e) => (text(e.get("Code")), text(e.get("Message"))),
                None if (200..300).contains(&status) => return None,
                None => (String::new(), String::new()),
            }
        }
        CnProvider::Huawei => {
            if (200..300).contains(&status) {
                return None;
            }
            let code = body
                .and_then(|b| {
                    b.get("error_code")
                        .or_else(|| b.get("error").and_then(|e| e.get("code")))
                })
                .map(|c| {
                    c.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| c.to_string())
                })
                .unwrap_or_default();
            let message = text(body.and_then(|b| {
                b.get("error_msg")
                    .or_else(|| b.get("error").and_then(|e| e.get("message")))
            }));
            (code, message)
        }
        CnProvider::Ecloud => {
            // `{"requestId", "state", "body", "errorCode", "errorMessage"}`: an answer is good
            // when its HTTP status is 2xx and `state` is `OK`.
            let state = text(body.and_then(|b| b.get("state")));
            if (200..300).contains(&status) && state.eq_ignore_ascii_case("ok") {
                return None;
            }
            (
                text(body.and_then(|b| b.get("errorCode"))),
                text(body.and_then(|b| b.get("errorMessage"))),
            )
        }
        CnProvider::Ctyun => {
            // `{"statusCode", "errorCode", "error", "message", "description", "returnObj"}`
            // (ctyunsdk response models): `statusCode` 800 is success, 900 failure. The RDS2
            // (TeleDB for MySQL) models of `ctyunsdk-rds220220714` document 0 as success and
            // carry only `statusCode`, `message`, `error` and `returnObj`. The EOP gateway's
            // own refusals (non-2xx) carry `statusCode` and `message` (the SDK core's
            // `handle_response`).
            let code_of = |v: Option<&Value>| match v {
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            };
            let state = code_of(body.and_then(|b| b.get("statusCode")));
            let success = if service == "rds2" { "0" } else { "800" };
            if (200..300).contains(&status) && state == success {
                return None;
            }
            let code = [
                text(body.and_then(|b| b.get("errorCode"))),
                text(body.and_then(|b| b.get("error"))),
                state,
            ]
            .into_iter()
            .find(|c| !c.is_empty())
            .unwrap_or_default();
            let message = [
                text(body.and_then(|b| b.get("message"))),
                text(body.and_then(|b| b.get("description"))),
            ]
            .into_iter()
            .find(|m| !m.is_empty())
            .unwrap_or_default();
            // A three-part code ending in an HTTP status (`Openapi.Common.403`, the API
            // reference's example) is classed by that status when the answer is HTTP 200.
            let coded = code
                .rsplit('.')
                .next()
                .and_then(|last| last.parse::<u16>().ok())
                .filter(|s| (400..600).contains(s) && code.contains('.'));
            let class_status = match coded {
                Some(s) if (200..300).contains(&status) => s,
                _ => status,
            };
            let class = class_of(class_status, &code);
            let code = if code.is_empty() {
                format!("HTTP{status}")
            } else {
                code
            };
            return Some((class, code, message));
        }
    };
    let class = class_of(status, &code);
    let code = if code.is_empty() {
        format!("HTTP{status}")
    } else {
        code
    };
    Some((class, code, message))
}

fn class_of(status: u16, code: &str) -> ErrorClass {
    let lower = code.to_ascii_lowercase();
    if status == 429
        || lower.starts_with("throttling")
        || lower.starts_with("requestlimitexceeded")
        || code == "APIGW.0308"
    {
        ErrorClass::Throttled
    } else if status == 401
        || status == 403
        || lower.contains("forbidden")
        || lower.contains("nopermission")
        || lower.starts_with("authfailure")
        || lower.starts_with("unauthorizedoperation")
        || lower.contains("signature")
        || lower.starts_with("invalidaccesskeyid")
        || lower.starts_with("invalidtimestamp")
    {
        ErrorClass::AccessDenied
    } else if status >= 500
        || lower.starts_with("internalerror")
        || lower.starts_with("serviceunavailable")
    {
        ErrorClass::ServerError
    } else {
        ErrorClass::Malformed
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn vendor_errors_are_classified() {
        let ali = json!({"Code": "Throttling.User", "Message": "Request was denied due to user flow control.", "RequestId": "r"});
        assert_eq!(
            classify(CnProvider::Alibaba, "", 400, Some(&ali))
                .unwrap()
                .0,
            ErrorClass::Throttled
        );
        let ali = json!({"Code": "SignatureDoesNotMatch", "Message": "x", "RequestId": "r"});
        assert_eq!(
            classify(CnProvider::Alibaba, "", 400, Some(&ali))
                .unwrap()
                .0,
            ErrorClass::AccessDenied
        );
        let ali = json!({"Code": "Forbidden.RAM", "Message": "x", "RequestId": "r"});
        assert_eq!(
            classify(CnProvider::Alibaba, "", 403, Some(&ali))
                .unwrap()
                .0,
            ErrorClass::AccessDenied
        );
        let tc = json!({"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "m"}, "RequestId": "r"}});
        assert_eq!(
            classify(CnProvider::Tencent, "", 200, Some(&tc)).unwrap().0,
            ErrorClass::Throttled
        );
        let tc = json!({"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "m"}, "RequestId": "r"}});
        assert_eq!(
            classify(CnProvider::Tencent, "", 200, Some(&tc)).unwrap().0,
            ErrorClass::AccessDenied
        );
        assert!(
            classify(
                CnProvider::Tencent,
                "",
                200,
                Some(&json!({"Response": {"RequestId": "r"}}))
            )
            .is_none()
        );
        let hw = json!({"error_code": "APIGW.0308", "error_msg": "The request is throttled."});
        assert_eq!(
            classify(CnProvider::Huawei, "", 429, Some(&hw)).unwrap().0,
            ErrorClass::Throttled
        );
        let hw = json!({"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"});
        assert_eq!(
            classify(CnProvider::Huawei, "", 401, Some(&hw)).unwrap().0,
            ErrorClass::AccessDenied
        );
        assert_eq!(
            classify(CnProvider::Huawei, "", 502, None).unwrap().0,
            ErrorClass::ServerError
        );
    }

    #[test]
    fn ctyun_envelope_errors_are_classified() {
        let ok = json!({"statusCode": 800, "errorCode": "SUCCESS", "message": "success", "returnObj": {}});
        assert!(classify(CnProvider::Ctyun, "", 200, Some(&ok)).is_none());
        // `statusCode` 900 is an error even with HTTP 200.
        let err = json!({"statusCode": 900, "errorCode": "Vpc.Param.Invalid", "message": "m", "description": "d"});
        let (class, code, message) = classify(CnProvider::Ctyun, "", 200, Some(&err)).unwrap();
        assert_eq!(
            (class, code.as_str(), message.as_str()),
            (ErrorClass::Malformed, "Vpc.Param.Invalid", "m")
        );
        let denied =
            json!({"statusCode": 900, "errorCode": "Openapi.Common.403", "description": "d"});
        let (class, _, message) = classify(CnProvider::Ctyun, "", 200, Some(&denied)).unwrap();
        assert_eq!((class, message.as_str()), (ErrorClass::AccessDenied, "d"));
        for (status, class) in [
            (401, ErrorClass::AccessDenied),
            (429, ErrorClass::Throttled),
            (503, ErrorClass::ServerError),
        ] {
            assert_eq!(
                classify(CnProvider::Ctyun, "", status, Some(&err))
                    .unwrap()
                    .0,
                class
            );
        }
        let gateway = json!({"statusCode": "900", "message": "x"});
        assert_eq!(
            classify(CnProvider::Ctyun, "", 200, Some(&gateway))
                .unwrap()
                .1,
            "900"
        );
        assert_eq!(
            classify(CnProvider::Ctyun, "", 200, Some(&json!({})))
                .unwrap()
                .1,
            "HTTP200"
        );
    }

    #[test]
    fn ctyun_rds2_answers_succeed_with_status_code_zero() {
        let ok = json!({"statusCode": 0, "message": "SUCCESS", "returnObj": {}});
        assert!(classify(CnProvider::Ctyun, "rds2", 200, Some(&ok)).is_none());
        // 800 is the v4 APIs' success, not RDS2's; 0 is not the v4 APIs' success.
        let v4 = json!({"statusCode": 800, "returnObj": {}});
        assert!(classify(CnProvider::Ctyun, "rds2", 200, Some(&v4)).is_some());
        assert!(classify(CnProvider::Ctyun, "vpc", 200, Some(&ok)).is_some());
        let denied = json!({"statusCode": 900, "error": "Openapi.Common.403", "message": "no"});
        let (class, code, _) = classify(CnProvider::Ctyun, "rds2", 200, Some(&denied)).unwrap();
        assert_eq!(
            (class, code.as_str()),
            (ErrorClass::AccessDenied, "Openapi.Common.403")
        );
    }

    #[test]
    fn ecloud_envelope_errors_are_classified() {
        let ok = json!({"requestId": "r", "state": "OK", "body": []});
        assert!(classify(CnProvider::Ecloud, "", 200, Some(&ok)).is_none());
        // An `ERROR` state is an error even with HTTP 200 (the source SDK checks both).
        let err =
            json!({"requestId": "r", "state": "ERROR", "errorCode": "X", "errorMessage": "m"});
        let (_, code, message) = classify(CnProvider::Ecloud, "", 200, Some(&err)).unwrap();
        assert_eq!((code.as_str(), message.as_str()), ("X", "m"));
        for (status, class) in [
            (401, ErrorClass::AccessDenied),
            (403, ErrorClass::AccessDenied),
            (429, ErrorClass::Throttled),
            (503, ErrorClass::ServerError),
        ] {
            assert_eq!(
                classify(CnProvider::Ecloud, "", status, Some(&err))
                    .unwrap()
                    .0,
                class
            );
        }
        assert_eq!(
            classify(CnProvider::Ecloud, "", 200, Some(&json!({"body": []})))
                .unwrap()
                .1,
            "HTTP200"
        );
    }
}
