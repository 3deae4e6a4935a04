//! Request builders for the three AWS wire protocols used here (query, JSON 1.1, REST) and
//! small helpers to read their answers.

use cloudcap_evidence::UtcTimestamp;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::{
    aws::endpoint::Endpoint,
    http::{ApiRequest, CallError, ErrorClass},
    runner::Fetched,
};

/// RFC 3986 unreserved characters stay; everything else is percent-encoded.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a query/form component.
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED).to_string()
}

/// An AWS query-protocol request (IAM, EC2, RDS, STS): form-encoded POST.
pub fn query(
    service: &'static str,
    action: &'static str,
    version: &str,
    endpoint: &Endpoint,
    params: &[(&str, String)],
) -> ApiRequest {
    let mut body = format!("Action={action}&Version={version}");
    for (name, value) in params {
        body.push('&');
        body.push_str(&encode(name));
        body.push('=');
        body.push_str(&encode(value));
    }
    ApiRequest {
        service,
        action,
        signing_region: endpoint.signing_region.clone(),
        method: reqwest::Method::POST,
        url: format!("{}/", endpoint.base),
        headers: vec![(
            "content-type".into(),
            "application/x-www-form-urlencoded; charset=utf-8".into(),
        )],
        body: body.into_bytes(),
    }
}

/// An AWS JSON 1.1 request (KMS, CloudTrail, Config).
pub fn json(
    service: &'static str,
    action: &'static str,
    target_prefix: &str,
    endpoint: &Endpoint,
    body: &serde_json::Value,
) -> ApiRequest {
    ApiRequest {
        service,
        action,
        signing_region: endpoint.signing_region.clone(),
        method: reqwest::Method::POST,
        url: format!("{}/", endpoint.base),
        headers: vec![
            ("content-type".into(), "application/x-amz-json-1.1".into()),
            ("x-amz-target".into(), format!("{target_prefix}.{action}")),
        ],
        body: serde_json::to_vec(body).unwrap_or_default(),
    }
}

/// A REST GET (S3 path-style, GuardDuty, Backup). `path_and_query` starts with `/`.
pub fn rest_get(
    service: &'static str,
    action: &'static str,
    endpoint: &Endpoint,
    path_and_query: &str,
) -> ApiRequest {
    ApiRequest {
        service,
        action,
        signing_region: endpoint.signing_region.clone(),
        method: reqwest::Method::GET,
        url: format!("{}{path_and_query}", endpoint.base),
        headers: Vec::new(),
        body: Vec::new(),
    }
}

fn malformed(request: &ApiRequest, message: String) -> CallError {
    CallError {
        class: ErrorClass::Malformed,
        service: request.service,
        action: request.action,
        code: None,
        status: None,
        message,
    }
}

/// Parses an XML answer; a parse failure is a `malformed` call error.
pub fn xml<'a>(
    request: &ApiRequest,
    fetched: &'a Fetched,
) -> Result<roxmltree::Document<'a>, CallError> {
    let text = std::str::from_utf8(&fetched.body)
        .map_err(|_| malformed(request, "response is not UTF-8".into()))?;
    roxmltree::Document::parse(text)
        .map_err(|err| malformed(request, format!("invalid XML: {err}")))
}

/// Parses a JSON answer; a parse failure is a `malformed` call error.
pub fn json_body(request: &ApiRequest, fetched: &Fetched) -> Result<serde_json::Value, CallError> {
    serde_json::from_slice(&fetched.body)
        .map_err(|err| malformed(request, format!("invalid JSON: {err}")))
}

/// An answer that parsed but lacks what every valid answer has.
pub fn missing(request: &ApiRequest, what: &str) -> CallError {
    malformed(request, format!("response has no {what}"))
}

/// First child element named `name` (local name, any namespace).
pub fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children()
        .find(|n| n.is_element() && n.has_tag_name(name))
}

/// Text of the element at `path` below `node` (each step a child element name).
pub fn text<'a>(node: roxmltree::Node<'a, '_>, path: &[&str]) -> Option<&'a str> {
    let mut current = node;
    for step in path {
        current = child(current, step)?;
    }
    current.text().map(str::trim)
}

/// Child elements named `item`/`member` of the element at `path`.
pub fn items<'a, 'i>(node: roxmltree::Node<'a, 'i>, path: &[&str]) -> Vec<roxmltree::Node<'a, 'i>> {
    let mut current = node;
    for step in path {
        match child(current, step) {
            Some(next) => current = next,
            None => return Vec::new(),
        }
    }
    current
        .children()
        .filter(|n| n.is_element() && (n.has_tag_name("item") || n.has_tag_name("member")))
        .collect()
}

/// First descendant element named `name`.
pub fn descendant<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'i>> {
    node.descendants()
        .find(|n| n.is_element() && n.has_tag_name(name))
}

/// `true`/`false` text.
pub fn boolean(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Reads a provider timestamp (RFC 3339 or Unix seconds) as a record timestamp with whole
/// seconds; `None` when unreadable.
pub fn timestamp(value: &str) -> Option<UtcTimestamp> {
    let value = value.trim();
    let ts = value.parse::<jiff::Timestamp>().ok().or_else(|| {
        value
            .parse::<f64>()
            .ok()
            .and_then(|secs| jiff::Timestamp::from_second(secs as i64).ok())
    })?;
    jiff::Timestamp::from_second(ts.as_second())
        .ok()
        .map(UtcTimestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_normalize() {
        let text = |value: &str| timestamp(value).unwrap().to_string();
        assert_eq!(text("2026-11-25T17:42:27.602011Z"), "2026-11-25T17:42:27Z");
        assert_eq!(text("2026-11-25T17:42:27+00:00"), "2026-11-25T17:42:27Z");
        assert_eq!(text("1764092547.0"), "2025-11-25T17:42:27Z");
        // Serialized in records exactly as written before (RFC 3339, `Z`, whole seconds).
        assert_eq!(
            serde_json::to_string(&timestamp("2026-11-25T17:42:27.602011Z")).unwrap(),
            "\"2026-11-25T17:42:27Z\""
        );
        assert_eq!(timestamp("N/A"), None);
    }

    #[test]
    fn query_body_is_encoded() {
        let endpoint = Endpoint {
            base: "http://h".into(),
            signing_region: "cn-north-1".into(),
        };
        let request = query(
            "iam",
            "ListAccessKeys",
            "2010-05-08",
            &endpoint,
            &[("UserName", "a b+c".into())],
        );
        assert_eq!(
            request.body,
            b"Action=ListAccessKeys&Version=2010-05-08&UserName=a%20b%2Bc"
        );
    }
}
