//! China Telecom Cloud (天翼云, CTyun) EOP signature, carried in three headers.
//!
//! As the vendor's Python SDK core signs a request (`ctyun-python-sdk-core` 0.0.1 on PyPI,
//! `ctyun_python_sdk_core/sign_util.py` `sign`, called from `ctyun_client.py`
//! `CtyunClient.request`; see `docs/collectors.md`):
//!
//! * `ctyun-eop-request-id` is a fresh UUID per request and `Eop-date` the request time written
//!   `yyyymmddTHHMMSSZ` (`strftime('%Y%m%dT%H%M%SZ')`);
//! * `StringToSign = "ctyun-eop-request-id:" + id + "\n" + "eop-date:" + date + "\n" +
//!   "\n" + sorted query + "\n" + hex(sha256(body))`; the sorted query is the parameters sorted by
//!   name, joined as `name=enc(value)` with `&` (`enc`: Python `quote(value, safe='')`, i.e.
//!   RFC 3986 with upper-case hex; names are sent as they are), empty when there is none; an
//!   absent body hashes the empty string;
//! * the key is a chain of HMAC-SHA256: `ktime = HMAC(sk, eop-date)`, `kak = HMAC(ktime, ak)`,
//!   `kdate = HMAC(kak, yyyymmdd)` (the part of `eop-date` before `T`);
//! * `Eop-Authorization = ak + " Headers=ctyun-eop-request-id;eop-date Signature=" +
//!   base64(HMAC-SHA256(kdate, StringToSign))`.
//!
//! The SDK writes `Eop-date` from the caller's local wall clock (`datetime.now()`) with a
//! literal `Z`. We write **Beijing** wall-clock time (UTC+8), the clock of the machines the
//! vendor's documentation addresses; that the gateway wants Beijing time and not UTC is not
//! stated by any source read (an open point in `docs/collectors.md`).

use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::cn::{Credentials, SignError, SignableRequest, SigningContext, format_utc, hmac_sha256};
use crate::http::{ApiRequest, RequestSigner};

/// The headers that are signed, as `Eop-Authorization` names them.
pub const SIGNED_HEADERS: &str = "ctyun-eop-request-id;eop-date";

/// Signs CTyun OpenAPI (EOP gateway) requests in their headers.
#[derive(Debug, Clone)]
pub struct CtyunSigner {
    credentials: Credentials,
}

impl CtyunSigner {
    /// A signer for one key pair.
    pub fn new(credentials: Credentials) -> CtyunSigner {
        CtyunSigner { credentials }
    }

    /// Appends `ctyun-eop-request-id` (the context's nonce), `Eop-date` and `Eop-Authorization`
    /// to `request`'s headers.
    pub fn sign_request(
        &self,
        request: &mut SignableRequest,
        context: &SigningContext,
    ) -> Result<(), SignError> {
        if let Some((name, _)) = request.query.iter().find(|(_, v)| v.is_empty()) {
            return Err(SignError::EmptyQueryValue(name.clone()));
        }
        let date = eop_date(context.unix_time);
        let authorization = authorization(
            &self.credentials.access_key_id,
            self.credentials.secret.expose(),
            &context.nonce,
            &date,
            &request.query,
            &request.body,
        );
        request
            .headers
            .push(("ctyun-eop-request-id".to_owned(), context.nonce.clone()));
        request.headers.push(("Eop-date".to_owned(), date));
        request
            .headers
            .push(("Eop-Authorization".to_owned(), authorization));
        Ok(())
    }
}

impl RequestSigner for CtyunSigner {
    fn sign(&self, request: &ApiRequest, now: SystemTime) -> Result<Vec<(String, String)>, String> {
        let mut signable = SignableRequest::from_api_request(request).map_err(|e| e.to_string())?;
        let mut context = SigningContext::at(now);
        context.nonce = request_id();
        let before = signable.headers.len();
        self.sign_request(&mut signable, &context)
            .map_err(|e| e.to_string())?;
        Ok(signable.headers.split_off(before))
    }
}

/// A request id shaped like the SDK's (a UUID, 8-4-4-4-12 hex digits).
fn request_id() -> String {
    let hex = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `yyyymmddTHHMMSSZ` of Beijing wall-clock time (UTC+8).
pub fn eop_date(unix_time: i64) -> String {
    format_utc(unix_time + 8 * 3600, "%Y%m%dT%H%M%SZ")
}

/// The parameters sorted by name (then value), joined as `name=enc(value)` with `&`.
pub fn sorted_query(query: &[(String, String)]) -> String {
    super::encoding::sorted_query(query)
}

/// The string to sign.
pub fn string_to_sign(request_id: &str, eop_date: &str, sorted_query: &str, body: &[u8]) -> String {
    format!(
        "ctyun-eop-request-id:{request_id}\neop-date:{eop_date}\n\n{sorted_query}\n{}",
        hex::encode(Sha256::digest(body))
    )
}

/// `kdate`: HMAC-SHA256 of the date part, keyed by HMAC(HMAC(sk, eop-date), ak).
pub fn signing_key(secret: &str, access_key_id: &str, eop_date: &str) -> Vec<u8> {
    let day = eop_date.split('T').next().unwrap_or(eop_date);
    let ktime = hmac_sha256(secret.as_bytes(), eop_date.as_bytes());
    let kak = hmac_sha256(&ktime, access_key_id.as_bytes());
    hmac_sha256(&kak, day.as_bytes())
}

/// The `Eop-Authorization` header value.
pub fn authorization(
    access_key_id: &str,
    secret: &str,
    request_id: &str,
    eop_date: &str,
    query: &[(String, String)],
    body: &[u8],
) -> String {
    let to_sign = string_to_sign(request_id, eop_date, &sorted_query(query), body);
    let key = signing_key(secret, access_key_id, eop_date);
    let signature = super::sign_alibaba::base64(&hmac_sha256(&key, to_sign.as_bytes()));
    format!("{access_key_id} Headers={SIGNED_HEADERS} Signature={signature}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> SignableRequest {
        let mut request = SignableRequest::new(
            "GET",
            "127.0.0.1",
            "/v4/vpc/new-query-security-groups",
            "vpc",
        );
        request.query = vec![
            ("regionID".into(), "bb9fdb42056f11eda1610242ac110002".into()),
            ("pageSize".into(), "50".into()),
            ("pageNo".into(), "1".into()),
            ("queryContent".into(), "web tier/01".into()),
        ];
        request
    }

    /// No vector is published. This one was computed by running the SDK core's own signing
    /// function (ctyun-python-sdk-core 0.0.1, `sign_util.sign`) with fixed inputs:
    ///
    /// ```text
    /// python3 -c 'from ctyun_python_sdk_core import sign_util, Credential; print(sign_util.sign(
    ///   Credential("AKIDEXAMPLE", "SECRETEXAMPLE"),
    ///   {"regionID": "bb9fdb42056f11eda1610242ac110002", "pageSize": 50, "pageNo": 1,
    ///    "queryContent": "web tier/01"},
    ///   None, "0f1e2d3c-4b5a-1968-8776-554433221100", "20261202T200000Z"))'
    /// ```
    ///
    /// 2026-12-02T12:00:00Z is 20:00:00 in Beijing.
    #[test]
    fn vector_from_the_sdk() {
        let signer = CtyunSigner::new(Credentials::new("AKIDEXAMPLE", "SECRETEXAMPLE"));
        let mut request = request();
        let context = SigningContext {
            unix_time: 1_796_212_800,
            nonce: "0f1e2d3c-4b5a-1968-8776-554433221100".into(),
        };
        signer.sign_request(&mut request, &context).unwrap();
        let get = |k: &str| request.header(k).unwrap().to_owned();
        assert_eq!(
            get("ctyun-eop-request-id"),
            "0f1e2d3c-4b5a-1968-8776-554433221100"
        );
        assert_eq!(get("Eop-date"), "20261202T200000Z");
        assert_eq!(
            sorted_query(&request.query),
            "pageNo=1&pageSize=50&queryContent=web%20tier%2F01&regionID=bb9fdb42056f11eda1610242ac110002"
        );
        assert_eq!(get("Eop-Authorization"), VECTOR_AUTHORIZATION);
    }

    const VECTOR_AUTHORIZATION: &str = "AKIDEXAMPLE Headers=ctyun-eop-request-id;eop-date Signature=727t5APOWv1sR05LfB2nvkahK295nmJ1TbSowyjSw3M=";

    #[test]
    fn string_to_sign_has_an_empty_line_and_hashes_the_body() {
        let text = string_to_sign("id", "20261202T200000Z", "", b"");
        assert_eq!(
            text,
            "ctyun-eop-request-id:id\neop-date:20261202T200000Z\n\n\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn live_request_ids_are_uuid_shaped() {
        let id = request_id();
        let lengths: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(lengths, vec![8, 4, 4, 4, 12]);
    }

    #[test]
    fn empty_values_are_refused() {
        let signer = CtyunSigner::new(Credentials::new("a", "b"));
        let mut request = SignableRequest::new("GET", "h", "/", "s");
        request.query = vec![("name".into(), String::new())];
        let context = SigningContext {
            unix_time: 0,
            nonce: "n".into(),
        };
        assert!(signer.sign_request(&mut request, &context).is_err());
    }
}
