//! China Mobile Cloud (移动云, ecloud) OpenAPI signature `V2.0` (`HmacSHA1`), carried in the query.
//!
//! As the vendor's Go SDK core signs an AK/SK request (`ecloudsdkcore`, `auth/credential_impl.go`,
//! `AKSKCredential.Sign`; see `docs/collectors.md` for where the source was read):
//!
//! * the request's query parameters plus `AccessKey`, `Timestamp`, `SignatureMethod=HmacSHA1`,
//!   `SignatureVersion=V2.0` and `SignatureNonce` (a UUID without dashes) are sorted by name and
//!   joined as `enc(name)=enc(value)` with `&` (the canonical query);
//! * `StringToSign = METHOD + "\n" + enc(path) + "\n" + hex(sha256(canonical query))`, the path
//!   encoded whole (its `/` too);
//! * `Signature = hex(HMAC-SHA1("BC_SIGNATURE&" + SecretKey, StringToSign))`, lower-case hex,
//!   appended to the query as `Signature`;
//! * `Timestamp` is the **Beijing** wall-clock time written `yyyy-MM-ddTHH:mm:ssZ`: the SDK
//!   formats the time in `Asia/Shanghai` with a literal `Z` (kept as the SDK sends it).
//!
//! `enc` is RFC 3986 percent-encoding (`A-Za-z0-9-_.~` kept, upper-case hex).

use std::time::SystemTime;

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::cn::{
    Credentials, SignError, SignableRequest, SigningContext, format_utc, percent_encode,
};
use crate::http::{ApiRequest, RequestSigner};

/// `SignatureMethod`.
pub const SIGNATURE_METHOD: &str = "HmacSHA1";
/// `SignatureVersion`.
pub const SIGNATURE_VERSION: &str = "V2.0";
/// The prefix of the HMAC key.
pub const KEY_PREFIX: &str = "BC_SIGNATURE&";

/// Signs ecloud OpenAPI requests in their query.
#[derive(Debug, Clone)]
pub struct EcloudSigner {
    credentials: Credentials,
}

impl EcloudSigner {
    /// A signer for one key pair.
    pub fn new(credentials: Credentials) -> EcloudSigner {
        EcloudSigner { credentials }
    }

    /// The query parameters to add to `request` (signature parameters and `Signature`), with a
    /// fixed clock and nonce. The request itself is not changed.
    pub fn signature_query(
        &self,
        request: &SignableRequest,
        context: &SigningContext,
    ) -> Result<Vec<(String, String)>, SignError> {
        if let Some((name, _)) = request.query.iter().find(|(_, v)| v.is_empty()) {
            return Err(SignError::EmptyQueryValue(name.clone()));
        }
        let added = vec![
            (
                "AccessKey".to_owned(),
                self.credentials.access_key_id.clone(),
            ),
            ("Timestamp".to_owned(), beijing_timestamp(context.unix_time)),
            ("SignatureMethod".to_owned(), SIGNATURE_METHOD.to_owned()),
            ("SignatureVersion".to_owned(), SIGNATURE_VERSION.to_owned()),
            ("SignatureNonce".to_owned(), context.nonce.clone()),
        ];
        let mut all: Vec<(String, String)> = request
            .query
            .iter()
            .filter(|(k, _)| !added.iter().any(|(a, _)| a == k) && k != "Signature")
            .cloned()
            .chain(added.iter().cloned())
            .collect();
        all.sort();
        let canonical = canonical_query(&all);
        let to_sign = string_to_sign(&request.method, &request.path, &canonical);
        let signature = signature(self.credentials.secret.expose(), &to_sign);
        let mut out = added;
        out.push(("Signature".to_owned(), signature));
        Ok(out)
    }
}

impl RequestSigner for EcloudSigner {
    fn sign(&self, request: &ApiRequest, now: SystemTime) -> Result<Vec<(String, String)>, String> {
        // Nothing goes into the headers: see `sign_query`.
        let _ = (request, now);
        Ok(Vec::new())
    }

    fn sign_query(
        &self,
        request: &ApiRequest,
        now: SystemTime,
    ) -> Result<Vec<(String, String)>, String> {
        let signable = SignableRequest::from_api_request(request).map_err(|e| e.to_string())?;
        let mut context = SigningContext::at(now);
        // The SDK's nonce: a UUID's 32 hex digits.
        context.nonce = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        self.signature_query(&signable, &context)
            .map_err(|e| e.to_string())
    }
}

/// `yyyy-MM-ddTHH:mm:ssZ` of Beijing wall-clock time (UTC+8), as the SDK writes it.
pub fn beijing_timestamp(unix_time: i64) -> String {
    format_utc(unix_time + 8 * 3600, "%Y-%m-%dT%H:%M:%SZ")
}

/// Sorted pairs joined as `enc(k)=enc(v)&...`.
pub fn canonical_query(sorted: &[(String, String)]) -> String {
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k, false), percent_encode(v, false)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `METHOD \n enc(path) \n hex(sha256(canonical))`.
pub fn string_to_sign(method: &str, path: &str, canonical: &str) -> String {
    format!(
        "{}\n{}\n{}",
        method.to_ascii_uppercase(),
        percent_encode(path, false),
        hex::encode(Sha256::digest(canonical.as_bytes()))
    )
}

/// `hex(HMAC-SHA1("BC_SIGNATURE&" + secret, to_sign))`.
pub fn signature(secret: &str, to_sign: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{KEY_PREFIX}{secret}").as_bytes())
        .expect("HMAC accepts any key length");
    mac.update(to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No vector is published with the vendor's SDK or docs. This one was computed by running a
    /// line-by-line Python transcription of the SDK core's `AKSKCredential.Sign` (the Go module
    /// itself cannot be built here: its import path is the vendor's private GitLab):
    /// GET `/api/securitygroup`, `page=1`, `size=50`, `types=VM`, AccessKey `AKIDEXAMPLE`,
    /// secret `SECRETEXAMPLE`, nonce `0123456789abcdef0123456789abcdef`, 2026-12-02T12:00:00Z
    /// (Beijing 20:00:00).
    #[test]
    fn vector_from_the_sdk_algorithm() {
        let signer = EcloudSigner::new(Credentials::new("AKIDEXAMPLE", "SECRETEXAMPLE"));
        let mut request = SignableRequest::new("GET", "127.0.0.1", "/api/securitygroup", "vpc");
        request.query = vec![
            ("types".into(), "VM".into()),
            ("size".into(), "50".into()),
            ("page".into(), "1".into()),
        ];
        let context = SigningContext {
            unix_time: 1_796_212_800,
            nonce: "0123456789abcdef0123456789abcdef".into(),
        };
        let added = signer.signature_query(&request, &context).unwrap();
        let get = |k: &str| {
            added
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .unwrap()
        };
        assert_eq!(get("Timestamp"), "2026-12-02T20:00:00Z");
        assert_eq!(get("AccessKey"), "AKIDEXAMPLE");
        assert_eq!(get("SignatureMethod"), "HmacSHA1");
        assert_eq!(get("SignatureVersion"), "V2.0");
        let mut all = request.query.clone();
        all.extend(added.iter().filter(|(k, _)| k != "Signature").cloned());
        all.sort();
        let canonical = canonical_query(&all);
        assert_eq!(
            canonical,
            "AccessKey=AKIDEXAMPLE&SignatureMethod=HmacSHA1&SignatureNonce=0123456789abcdef0123456789abcdef&SignatureVersion=V2.0&Timestamp=2026-12-02T20%3A00%3A00Z&page=1&size=50&types=VM"
        );
        assert!(
            string_to_sign("GET", "/api/securitygroup", &canonical)
                .starts_with("GET\n%2Fapi%2Fsecuritygroup\n")
        );
        assert_eq!(get("Signature"), VECTOR_SIGNATURE);
    }

    const VECTOR_SIGNATURE: &str = "53dfd34deba1cc6ddb896e0d1ade7311b1ffe639";

    #[test]
    fn empty_values_are_refused() {
        let signer = EcloudSigner::new(Credentials::new("a", "b"));
        let mut request = SignableRequest::new("GET", "h", "/", "s");
        request.query = vec![("name".into(), String::new())];
        let context = SigningContext {
            unix_time: 0,
            nonce: "n".into(),
        };
        assert!(signer.signature_query(&request, &context).is_err());
    }
}
