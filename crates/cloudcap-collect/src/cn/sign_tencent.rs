//! Tencent Cloud API 3.0 signature (`TC3-HMAC-SHA256`).
//!
//! `CanonicalRequest = Method \n / \n Query \n content-type:..\nhost:..\n \n content-type;host \n
//! hex(sha256(payload))`; `StringToSign = "TC3-HMAC-SHA256\n" + timestamp + "\n" +
//! "<UTC date>/<service>/tc3_request\n" + hex(sha256(CanonicalRequest))`; the key is derived as
//! `HMAC(HMAC(HMAC("TC3" + SecretKey, date), service), "tc3_request")`.
//! The date is the **UTC** date of the timestamp (a UTC+8 date fails around midnight).

use std::time::SystemTime;

use crate::cn::{
    Credentials, SignError, SignableRequest, SigningContext, added_headers, format_utc,
    hmac_sha256, percent_encode, sha256_hex,
};
use crate::http::{ApiRequest, RequestSigner};

/// `TC3-HMAC-SHA256`.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// Signs API 3.0 requests; the request's `service` names the credential scope.
#[derive(Debug, Clone)]
pub struct Tc3Signer {
    credentials: Credentials,
}

impl Tc3Signer {
    /// A signer for one key pair.
    pub fn new(credentials: Credentials) -> Tc3Signer {
        Tc3Signer { credentials }
    }
}

impl Tc3Signer {
    /// Signs `request` in place with a fixed clock and nonce.
    pub fn sign_request(
        &self,
        request: &mut SignableRequest,
        context: &SigningContext,
    ) -> Result<(), SignError> {
        if let Some((name, _)) = request.query.iter().find(|(_, v)| v.is_empty()) {
            return Err(SignError::EmptyQueryValue(name.clone()));
        }
        let content_type = request
            .header("content-type")
            .ok_or(SignError::MissingHeader("content-type"))?
            .to_owned();
        let timestamp = context.unix_time.to_string();
        let date = utc_date(context.unix_time);
        let query = if request.method.eq_ignore_ascii_case("GET") {
            let mut pairs: Vec<String> = request
                .query
                .iter()
                .map(|(k, v)| format!("{}={}", percent_encode(k, false), percent_encode(v, false)))
                .collect();
            pairs.sort();
            pairs.join("&")
        } else {
            String::new()
        };
        let canonical = canonical_request(
            &request.method,
            &query,
            &content_type,
            &request.host,
            &sha256_hex(&request.body),
        );
        let sts = string_to_sign(&timestamp, &date, &request.service, &canonical);
        let signature = signature(
            self.credentials.secret.expose(),
            &date,
            &request.service,
            &sts,
        );
        request.headers.push(("X-TC-Timestamp".into(), timestamp));
        request.headers.push((
            "Authorization".into(),
            authorization(
                &self.credentials.access_key_id,
                &date,
                &request.service,
                &signature,
            ),
        ));
        Ok(())
    }
}

impl RequestSigner for Tc3Signer {
    fn sign(&self, request: &ApiRequest, now: SystemTime) -> Result<Vec<(String, String)>, String> {
        added_headers(request, now, |r, c| self.sign_request(r, c))
    }
}

/// `yyyy-mm-dd` of a Unix time, in UTC.
pub fn utc_date(unix_time: i64) -> String {
    format_utc(unix_time, "%Y-%m-%d")
}

/// The canonical request, signing `content-type` and `host` (lower-cased, trimmed).
pub fn canonical_request(
    method: &str,
    canonical_query: &str,
    content_type: &str,
    host: &str,
    hashed_payload: &str,
) -> String {
    format!(
        "{method}\n/\n{canonical_query}\ncontent-type:{}\nhost:{}\n\ncontent-type;host\n{hashed_payload}",
        content_type.trim().to_ascii_lowercase(),
        host.trim().to_ascii_lowercase(),
    )
}

/// The string to sign.
pub fn string_to_sign(
    timestamp: &str,
    date: &str,
    service: &str,
    canonical_request: &str,
) -> String {
    format!(
        "{ALGORITHM}\n{timestamp}\n{date}/{service}/tc3_request\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// Hex signature with the derived key.
pub fn signature(secret_key: &str, date: &str, service: &str, string_to_sign: &str) -> String {
    let k_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    hex::encode(hmac_sha256(&k_signing, string_to_sign.as_bytes()))
}

/// The `Authorization` header value.
pub fn authorization(secret_id: &str, date: &str, service: &str, signature: &str) -> String {
    format!(
        "{ALGORITHM} Credential={secret_id}/{date}/{service}/tc3_request, \
         SignedHeaders=content-type;host, Signature={signature}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAYLOAD: &str =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;

    /// Vector: TC3 signature doc example (cvm DescribeInstances, timestamp 1551113065),
    /// https://tencentcloud.com/document/product/213/33224 (CAM copy
    /// https://tencentcloud.com/document/product/598/32226; demo code
    /// TencentCloud/signature-process-demo signature-v3/python/demo.py).
    /// Checks the three published intermediate values: payload hash, canonical-request hash and
    /// signature.
    #[test]
    fn vector_doc_cvm_describe_instances() {
        let hashed = sha256_hex(PAYLOAD.as_bytes());
        assert_eq!(
            hashed,
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        let canonical = canonical_request(
            "POST",
            "",
            "application/json; charset=utf-8",
            "cvm.tencentcloudapi.com",
            &hashed,
        );
        assert_eq!(
            sha256_hex(canonical.as_bytes()),
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(utc_date(1_551_113_065), "2019-02-25");
        let sts = string_to_sign("1551113065", "2019-02-25", "cvm", &canonical);
        assert_eq!(
            signature(
                "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                "2019-02-25",
                "cvm",
                &sts
            ),
            "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    /// The same vector through the signer (fixed clock), checking the whole header.
    #[test]
    fn vector_doc_cvm_describe_instances_via_signer() {
        let mut req = SignableRequest::new("POST", "cvm.tencentcloudapi.com", "/", "cvm");
        req.headers = vec![(
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        )];
        req.body = PAYLOAD.as_bytes().to_vec();
        let ctx = SigningContext {
            unix_time: 1_551_113_065,
            nonce: String::new(),
        };
        Tc3Signer::new(Credentials::new(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        ))
        .sign_request(&mut req, &ctx)
        .unwrap();
        assert_eq!(req.header("X-TC-Timestamp"), Some("1551113065"));
        assert_eq!(
            req.header("Authorization"),
            Some(
                "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, \
                 SignedHeaders=content-type;host, \
                 Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
            )
        );
    }

    #[test]
    fn date_is_utc_not_beijing_time() {
        // 2019-02-25T23:30:00Z is already 2019-02-26 in UTC+8.
        assert_eq!(utc_date(1_551_137_400), "2019-02-25");
    }
}
