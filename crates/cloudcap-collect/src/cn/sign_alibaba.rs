//! Alibaba Cloud OpenAPI signature V3 (`ACS3-HMAC-SHA256`), plus the older RPC (V2, HMAC-SHA1)
//! and ROA (V1) signatures kept for APIs that still need them.
//!
//! V3: `CanonicalRequest = Method \n URI \n Query \n Headers \n SignedHeaders \n hex(sha256(body))`,
//! `StringToSign = "ACS3-HMAC-SHA256\n" + hex(sha256(CanonicalRequest))`,
//! `Signature = hex(HMAC-SHA256(AccessKeySecret, StringToSign))`. No date or scope in the string
//! to sign: replay protection is `x-acs-date` plus `x-acs-signature-nonce`.

use sha1::Sha1;

use std::time::SystemTime;

use crate::cn::{
    Credentials, SignError, SignableRequest, SigningContext, added_headers, hmac_sha256,
    percent_encode, rfc3339, sha256_hex,
};
use crate::http::{ApiRequest, RequestSigner};

/// `ACS3-HMAC-SHA256`.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Signs OpenAPI (RPC- and ROA-style) requests with `ACS3-HMAC-SHA256`.
#[derive(Debug, Clone)]
pub struct AcsV3Signer {
    credentials: Credentials,
}

impl AcsV3Signer {
    /// A signer for one key pair.
    pub fn new(credentials: Credentials) -> AcsV3Signer {
        AcsV3Signer { credentials }
    }
}

impl AcsV3Signer {
    /// Signs `request` in place with a fixed clock and nonce.
    pub fn sign_request(
        &self,
        request: &mut SignableRequest,
        context: &SigningContext,
    ) -> Result<(), SignError> {
        if request.header("x-acs-action").is_none() {
            return Err(SignError::MissingHeader("x-acs-action"));
        }
        let hashed_payload = sha256_hex(&request.body);
        request
            .headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("host"));
        request.headers.push(("host".into(), request.host.clone()));
        request
            .headers
            .push(("x-acs-date".into(), rfc3339(context.unix_time)));
        request
            .headers
            .push(("x-acs-signature-nonce".into(), context.nonce.clone()));
        request
            .headers
            .push(("x-acs-content-sha256".into(), hashed_payload.clone()));
        // Every common header except Authorization is signed: host, content-type, x-acs-*.
        let signed: Vec<(String, String)> = request
            .headers
            .iter()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                k == "host" || k == "content-type" || k.starts_with("x-acs-")
            })
            .cloned()
            .collect();
        let auth = authorization(
            &request.method,
            &request.path,
            &request.query,
            &signed,
            &hashed_payload,
            &self.credentials.access_key_id,
            self.credentials.secret.expose(),
        );
        request.headers.push(("Authorization".into(), auth));
        Ok(())
    }
}

impl RequestSigner for AcsV3Signer {
    fn sign(&self, request: &ApiRequest, now: SystemTime) -> Result<Vec<(String, String)>, String> {
        added_headers(request, now, |r, c| self.sign_request(r, c))
    }
}

/// Sorted `key=value` pairs, RFC 3986-encoded; an empty value is written `key=`, as both
/// current SDKs do (darabonba-openapi-util `golang/service/service.go` and
/// `python/alibabacloud_openapi_util/client.py` `get_canonical_query_string`; older Python
/// releases wrote the bare key, superseded by their "Fix signature" change).
pub fn canonical_query_string(query: &[(String, String)]) -> String {
    super::encoding::sorted_query(query)
}

/// `(CanonicalHeaders, SignedHeaders)`: lower-case names, sorted; repeated headers' trimmed
/// values sorted and joined with `,`.
pub fn canonical_headers(headers: &[(String, String)]) -> (String, String) {
    let mut by_name: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (k, v) in headers {
        by_name
            .entry(k.to_ascii_lowercase())
            .or_default()
            .push(v.trim().to_owned());
    }
    let mut canonical = String::new();
    for (k, values) in &mut by_name {
        values.sort();
        canonical.push_str(&format!("{k}:{}\n", values.join(",")));
    }
    let signed = by_name.keys().cloned().collect::<Vec<_>>().join(";");
    (canonical, signed)
}

/// The V3 canonical request and the signed-header list.
pub fn canonical_request(
    method: &str,
    path: &str,
    query: &[(String, String)],
    signed_headers: &[(String, String)],
    hashed_payload: &str,
) -> (String, String) {
    let (headers, signed) = canonical_headers(signed_headers);
    // An empty path is `/` (darabonba-openapi-util: "Use '/' as default of canonicalURI").
    let path = if path.is_empty() { "/" } else { path };
    let request = format!(
        "{method}\n{}\n{}\n{headers}\n{signed}\n{hashed_payload}",
        percent_encode(path, true),
        canonical_query_string(query),
    );
    (request, signed)
}

/// `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request.
pub fn string_to_sign(canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// The full `Authorization` header value.
pub fn authorization(
    method: &str,
    path: &str,
    query: &[(String, String)],
    signed_headers: &[(String, String)],
    hashed_payload: &str,
    access_key_id: &str,
    secret: &str,
) -> String {
    let (request, signed) = canonical_request(method, path, query, signed_headers, hashed_payload);
    let signature = hex::encode(hmac_sha256(
        secret.as_bytes(),
        string_to_sign(&request).as_bytes(),
    ));
    format!("{ALGORITHM} Credential={access_key_id},SignedHeaders={signed},Signature={signature}")
}

/// RPC (V2) signature: `base64(HMAC-SHA1(secret + "&", Method&%2F&enc(sorted enc(k)=enc(v))))`.
pub fn rpc_signature(params: &[(String, String)], method: &str, secret: &str) -> String {
    let mut pairs: Vec<&(String, String)> = params.iter().collect();
    pairs.sort();
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k, false), percent_encode(v, false)))
        .collect::<Vec<_>>()
        .join("&");
    let string_to_sign = format!("{method}&%2F&{}", percent_encode(&query, false));
    base64(&hmac_sha1(
        format!("{secret}&").as_bytes(),
        string_to_sign.as_bytes(),
    ))
}

/// ROA (V1) signature of an already built string to sign: `base64(HMAC-SHA1(secret, sts))`.
pub fn roa_signature(string_to_sign: &str, secret: &str) -> String {
    base64(&hmac_sha1(secret.as_bytes(), string_to_sign.as_bytes()))
}

pub(crate) fn hmac_sha1(key: &[u8], data: &[u8]) -> Vec<u8> {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<Sha1>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Standard base64 with padding.
pub(crate) fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// Vector: aliyun/darabonba-openapi-util python/tests/test_client.py `test_get_authorization`
    /// at its current revision (the empty value signed as `empty=`; the superseded vector
    /// `da772425…` signed the bare key).
    #[test]
    fn vector_sdk_test_get_authorization() {
        let auth = authorization(
            "GET",
            "",
            &pairs(&[("test", "ok"), ("empty", "")]),
            &pairs(&[("x-acs-test", "http"), ("x-acs-TEST", "https")]),
            "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23",
            "acesskey",
            "secret",
        );
        assert_eq!(
            auth,
            "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,\
             Signature=d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1"
        );
    }

    /// Vector: V3 signature doc example (RunInstances, cn-shanghai),
    /// https://help.aliyun.com/zh/model-studio/user-guide/roa-style-request-body-signature-mechanism
    /// and https://alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature.
    /// Reproduced through the signer itself (fixed clock and nonce).
    #[test]
    fn vector_doc_v3_run_instances() {
        let mut req = SignableRequest::new("POST", "ecs.cn-shanghai.aliyuncs.com", "/", "ecs");
        req.query = pairs(&[
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            ),
            ("RegionId", "cn-shanghai"),
        ]);
        req.headers = pairs(&[
            ("x-acs-action", "RunInstances"),
            ("x-acs-version", "2014-05-26"),
        ]);
        let ctx = SigningContext {
            unix_time: 1_698_310_861, // 2023-10-26T09:01:01Z
            nonce: "d410180a5abf7fe235dd9b74aca91fc0".into(),
        };
        AcsV3Signer::new(Credentials::new("YourAccessKeyId", "YourAccessKeySecret"))
            .sign_request(&mut req, &ctx)
            .unwrap();
        assert_eq!(req.header("x-acs-date"), Some("2023-10-26T09:01:01Z"));
        assert_eq!(
            req.header("Authorization"),
            Some(
                "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,\
                 SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,\
                 Signature=e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"
            )
        );
    }

    /// Vector: aliyun/darabonba-openapi-util python/tests/test_client.py
    /// `test_get_canonical_query_string` and `test_get_encode_path`.
    #[test]
    fn vector_sdk_canonical_query_and_path() {
        assert_eq!(
            canonical_query_string(&pairs(&[("test", " ~/*-+")])),
            "test=%20~%2F%2A-%2B"
        );
        assert_eq!(percent_encode("/path/ test", true), "/path/%20test");
    }

    /// Vector: `test_hex_encode` ACS3-HMAC-SHA256 case (same test file): sha256("test").
    #[test]
    fn vector_sdk_hex_encode_sha256() {
        assert_eq!(
            sha256_hex(b"test"),
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        );
    }

    /// Vector: `test_hex_encode` ACS3-HMAC-SM3 case (same test file): SM3("test"). The signer
    /// uses ACS3-HMAC-SHA256; this pins the SM3 digest the SM3 variant would need.
    #[test]
    fn vector_sdk_hex_encode_sm3() {
        use sm3::Digest as _;
        assert_eq!(
            hex::encode(sm3::Sm3::digest(b"test")),
            "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23"
        );
    }

    fn describe_regions(timestamp_key: &str) -> Vec<(String, String)> {
        pairs(&[
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            (timestamp_key, "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
        ])
    }

    /// Vector: ECS RPC "Request signature" doc example (DescribeRegions, testid/testsecret),
    /// https://developer.aliyun.com/ask/210168.
    #[test]
    fn vector_doc_rpc_describe_regions_get() {
        assert_eq!(
            rpc_signature(&describe_regions("Timestamp"), "GET", "testsecret"),
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
        );
    }

    /// Vector: the same doc example with the legacy `TimeStamp` spelling of older doc pages.
    #[test]
    fn vector_doc_rpc_describe_regions_legacy_timestamp() {
        assert_eq!(
            rpc_signature(&describe_regions("TimeStamp"), "GET", "testsecret"),
            "CT9X0VtwR86fNWSnsc6v8YGOjuE="
        );
    }

    /// Vector: the same doc example sent with POST (providers.md §1.2).
    #[test]
    fn vector_doc_rpc_describe_regions_post() {
        assert_eq!(
            rpc_signature(&describe_regions("Timestamp"), "POST", "testsecret"),
            "MxbnVAM4w6sft9xjVpe/GCKueuk="
        );
    }

    /// Vector: aliyun/darabonba-openapi-util python/tests/test_client.py `test_get_rpc_signature`.
    #[test]
    fn vector_sdk_test_get_rpc_signature() {
        assert_eq!(
            rpc_signature(
                &pairs(&[("query", "test"), ("body", "test")]),
                "GET",
                "secret"
            ),
            "XlUyV4sXjOuX5FnjUz9IF9tm5rU="
        );
    }

    /// Vector: aliyun/darabonba-openapi-util python/tests/test_client.py `test_get_roa_signature`.
    #[test]
    fn vector_sdk_test_get_roa_signature() {
        assert_eq!(
            roa_signature("GET\n\n\n\n\n", "secret"),
            "XGXDWA78AEvx/wmfxKoVCq/afWw="
        );
    }

    /// Vector: the current SDKs' canonical query (darabonba-openapi-util Go
    /// `getCanonicalQueryString`, Python `get_canonical_query_string`): an empty value is
    /// `key=`, keys sorted, `*` → `%2A`, `~` kept, space → `%20`.
    #[test]
    fn vector_sdk_canonical_query_with_an_empty_value() {
        assert_eq!(
            canonical_query_string(&pairs(&[("test", " ~/*-+"), ("Marker", "")])),
            "Marker=&test=%20~%2F%2A-%2B"
        );
        let mut req = SignableRequest::new("GET", "ram.aliyuncs.com", "/", "ram");
        req.query = pairs(&[("Marker", "")]);
        req.headers = pairs(&[("x-acs-action", "ListUsers")]);
        let ctx = SigningContext {
            unix_time: 0,
            nonce: "n".into(),
        };
        AcsV3Signer::new(Credentials::new("a", "b"))
            .sign_request(&mut req, &ctx)
            .unwrap();
        assert!(req.header("authorization").is_some());
    }

    #[test]
    fn base64_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
    }
}
