//! What the vendors' signers share: the request as a signer sees it, the injected time and
//! nonce, the key pair (its secret never printed), and the glue from an [`ApiRequest`] to the
//! headers a signer adds.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::cn::percent_decode;
use crate::http::ApiRequest;
use crate::secret::Secret;

/// An HTTP request as a signer sees it.
///
/// The body is the exact byte string that is sent: signers hash these bytes, never a
/// re-serialization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignableRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// `host[:port]` exactly as sent in the `Host` header.
    pub host: String,
    /// Absolute path, not percent-encoded.
    pub path: String,
    /// Query parameters, not percent-encoded; order is irrelevant (signers sort).
    pub query: Vec<(String, String)>,
    /// Headers set by the caller; signers append theirs.
    pub headers: Vec<(String, String)>,
    /// Exact body bytes.
    pub body: Vec<u8>,
    /// Service code used in credential scopes (Tencent `cvm`, `cam`, ...).
    pub service: String,
}

impl SignableRequest {
    /// A request without query, headers or body.
    pub fn new(method: &str, host: &str, path: &str, service: &str) -> SignableRequest {
        SignableRequest {
            method: method.to_owned(),
            host: host.to_owned(),
            path: path.to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Vec::new(),
            service: service.to_owned(),
        }
    }

    /// Splits an [`ApiRequest`]'s URL into host, path and decoded query.
    pub fn from_api_request(request: &ApiRequest) -> Result<SignableRequest, SignError> {
        let rest = request
            .url
            .split_once("://")
            .map(|(_, r)| r)
            .ok_or(SignError::BadUrl)?;
        let (authority, path_query) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
        let query = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (percent_decode(k), percent_decode(v))
            })
            .collect();
        Ok(SignableRequest {
            method: request.method.as_str().to_owned(),
            host: authority.to_owned(),
            path: percent_decode(path),
            query,
            headers: request.headers.clone(),
            body: request.body.clone(),
            service: request.service.to_owned(),
        })
    }

    /// The first value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Inputs a signature depends on besides the request and the key: injected so that tests are
/// deterministic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningContext {
    /// Seconds since the Unix epoch (UTC).
    pub unix_time: i64,
    /// A fresh random value per request (Alibaba `x-acs-signature-nonce`).
    pub nonce: String,
}

impl SigningContext {
    /// The context for a live request at `now`, with a fresh nonce.
    pub fn at(now: SystemTime) -> SigningContext {
        let unix_time = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        SigningContext {
            unix_time,
            nonce: nonce(),
        }
    }
}

/// Why a request could not be signed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// Vendor SDKs disagree on how empty values are canonicalized, so they are never sent.
    #[error("query parameter `{0}` has an empty value")]
    EmptyQueryValue(String),
    /// A header the algorithm needs was not set by the caller.
    #[error("header `{0}` is required for this signature")]
    MissingHeader(&'static str),
    /// The request URL has no scheme or host.
    #[error("the request URL cannot be split into host, path and query")]
    BadUrl,
}

/// Signs `request` with a vendor signer through the shared [`crate::http::RequestSigner`]
/// shape: returns only the headers the signer added.
pub(crate) fn added_headers(
    request: &ApiRequest,
    now: SystemTime,
    sign: impl FnOnce(&mut SignableRequest, &SigningContext) -> Result<(), SignError>,
) -> Result<Vec<(String, String)>, String> {
    let mut signable = SignableRequest::from_api_request(request).map_err(|e| e.to_string())?;
    let before = signable.headers.len();
    sign(&mut signable, &SigningContext::at(now)).map_err(|e| e.to_string())?;
    // reqwest writes Host from the URL: the same authority that was signed.
    Ok(signable
        .headers
        .split_off(before)
        .into_iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("host"))
        .collect())
}

/// An access key pair. `Debug` never shows the secret.
#[derive(Clone)]
pub struct Credentials {
    /// Access key id (Alibaba AccessKeyId, Tencent SecretId, Huawei AK).
    pub access_key_id: String,
    /// Secret (Alibaba AccessKeySecret, Tencent SecretKey, Huawei SK).
    pub secret: Secret,
}

impl Credentials {
    /// A key pair.
    pub fn new(access_key_id: impl Into<String>, secret: impl Into<String>) -> Credentials {
        Credentials {
            access_key_id: access_key_id.into(),
            secret: Secret::new(secret),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &self.secret)
            .finish()
    }
}

/// Raw HMAC-SHA256.
pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// A fresh nonce (not a secret: it only has to be unique).
pub(crate) fn nonce() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}
