//! The one configured HTTP client every provider collector goes through.
//!
//! It enforces the provider's [`AllowList`], signs each attempt afresh through a
//! [`RequestSigner`], applies timeouts, verifies TLS (reqwest's rustls default, never
//! disabled), honours `HTTP(S)_PROXY`/`NO_PROXY` (reqwest's default), and retries throttling,
//! 5xx, timeouts, resets and truncated bodies with capped exponential backoff and full jitter.

use std::{
    fmt,
    time::{Duration, Instant, SystemTime},
};

use crate::allow::AllowList;

/// The class of a failed call, as `collection.status` records it (the shared vocabulary's
/// `ErrorClass`; a call never yields `NotCollected`, which the boundary writes for regions left
/// out).
pub use cloudcap_model::ErrorClass;

/// A failed call. The message names the action and the provider's error code, never a
/// credential: request headers are not part of it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{service}:{action}: {class}: {message}")]
pub struct CallError {
    /// The class recorded in `collection.status`.
    pub class: ErrorClass,
    /// Service of the failed call.
    pub service: &'static str,
    /// Action of the failed call.
    pub action: &'static str,
    /// Provider error code when the provider sent one (`AccessDenied`, `Throttling`, …).
    pub code: Option<String>,
    /// HTTP status of the last attempt, if any answer came back.
    pub status: Option<u16>,
    /// Human-readable cause.
    pub message: String,
}

impl CallError {
    /// An answer that lacks a field the kind needs, or that cannot be read (no value is
    /// guessed).
    pub fn malformed(service: &'static str, message: &str) -> CallError {
        CallError {
            class: ErrorClass::Malformed,
            service,
            action: "-",
            code: None,
            status: None,
            message: message.to_owned(),
        }
    }
}

/// One API request, before signing.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// Service name as the allow-list knows it (`iam`, `s3`, …).
    pub service: &'static str,
    /// Action name as the allow-list knows it (`ListUsers`, …).
    pub action: &'static str,
    /// Region the request is signed for.
    pub signing_region: String,
    /// HTTP method.
    pub method: reqwest::Method,
    /// Full URL, query included.
    pub url: String,
    /// Headers other than the signature (`content-type`, `x-amz-target`, …).
    pub headers: Vec<(String, String)>,
    /// Exact body bytes; signed as they are.
    pub body: Vec<u8>,
}

/// Adds authentication to a request; one implementation per provider signature scheme.
pub trait RequestSigner: Send + Sync {
    /// Returns the headers to add so that `request` is authenticated at time `now`.
    fn sign(&self, request: &ApiRequest, now: SystemTime) -> Result<Vec<(String, String)>, String>;

    /// Query parameters to append so that `request` is authenticated at time `now`, for
    /// signatures carried in the URL (China Mobile Cloud `V2.0`); none by default.
    fn sign_query(
        &self,
        _request: &ApiRequest,
        _now: SystemTime,
    ) -> Result<Vec<(String, String)>, String> {
        Ok(Vec::new())
    }
}

/// A complete HTTP answer (any status), body read to the end.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    /// HTTP status.
    pub status: u16,
    /// Provider request id, when sent.
    pub request_id: Option<String>,
    /// Exact body bytes.
    pub body: Vec<u8>,
    /// Attempts used (1 when the first one succeeded).
    pub attempts: u32,
}

/// Timeouts and retry bounds.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout (connect, send, read the full body).
    pub timeout: Duration,
    /// Attempts per call including the first (at least 1).
    pub max_attempts: u32,
    /// First backoff; doubles per attempt.
    pub base_delay: Duration,
    /// Backoff cap (also caps a server's `Retry-After`).
    pub max_delay: Duration,
}

impl HttpConfig {
    /// Defaults for real providers: 10 s connect, 60 s request, 5 attempts, 200 ms → 10 s.
    pub fn production() -> HttpConfig {
        HttpConfig {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }
}

/// Error codes that mean "slow down" although some providers send them with HTTP 400.
const THROTTLE_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "ProvisionedThroughputExceededException",
    "LimitExceededException",
];

/// Error codes that mean "the caller may not do this".
const ACCESS_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidAccessKeyId",
    "AuthFailure",
    "ExpiredToken",
    "ExpiredTokenException",
    "MissingAuthenticationToken",
    "AuthorizationError",
    "Forbidden",
];

/// The HTTP client shared by one provider's collector.
pub struct HttpClient {
    inner: reqwest::blocking::Client,
    config: HttpConfig,
    allow: AllowList,
    signer: Box<dyn RequestSigner>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("config", &self.config)
            .field("provider", &self.allow.provider())
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// Builds the client. TLS certificates are always verified; proxies come from the
    /// environment as reqwest reads them.
    pub fn new(
        config: HttpConfig,
        allow: AllowList,
        signer: Box<dyn RequestSigner>,
    ) -> Result<HttpClient, String> {
        // The one place the workspace builds an HTTP client (clippy.toml forbids it elsewhere).
        #[allow(clippy::disallowed_methods)]
        let inner = reqwest::blocking::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!("cloudcap/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(16)
            .build()
            .map_err(|err| format!("cannot build the HTTP client: {err}"))?;
        Ok(HttpClient {
            inner,
            config,
            allow,
            signer,
        })
    }

    /// The provider's allow-list.
    pub fn allow_list(&self) -> &AllowList {
        &self.allow
    }

    /// Sends `request`, retrying transient failures. A complete answer with a non-retryable
    /// status (a 4xx such as `NoSuchEntity`) is returned as `Ok`: callers decide what it means;
    /// use [`classify_status`] for the errors they do not handle.
    pub fn send(&self, request: &ApiRequest) -> Result<ApiResponse, CallError> {
        let fail = |class, code: Option<String>, status, message: String| CallError {
            class,
            service: request.service,
            action: request.action,
            code,
            status,
            message,
        };
        if !self.allow.permits(request.service, request.action) {
            return Err(fail(
                ErrorClass::Unsupported,
                None,
                None,
                format!(
                    "refused: {}:{} is not on the {} read-only allow-list",
                    request.service,
                    request.action,
                    self.allow.provider()
                ),
            ));
        }
        let max_attempts = self.config.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.attempt(request);
            let (error, retry_after) = match outcome {
                Ok(mut response) => {
                    let code = error_code(&response.body);
                    let retryable = response.status == 429
                        || response.status >= 500
                        || code.as_deref().is_some_and(|c| THROTTLE_CODES.contains(&c));
                    if !retryable {
                        response.attempts = attempt;
                        return Ok(response);
                    }
                    let class = if response.status == 429
                        || code.as_deref().is_some_and(|c| THROTTLE_CODES.contains(&c))
                    {
                        ErrorClass::Throttled
                    } else {
                        ErrorClass::ServerError
                    };
                    let message = format!(
                        "HTTP {}{} after {attempt} attempt(s)",
                        response.status,
                        code.as_deref().map(|c| format!(" {c}")).unwrap_or_default()
                    );
                    (
                        fail(class, code, Some(response.status), message),
                        None::<Duration>,
                    )
                }
                Err((error, retry_after)) => (error, retry_after),
            };
            if attempt >= max_attempts {
                let mut error = error;
                if !error.message.contains("attempt(s)") {
                    error.message = format!("{} after {attempt} attempt(s)", error.message);
                }
                return Err(error);
            }
            std::thread::sleep(self.backoff(attempt, retry_after));
        }
    }

    /// Capped exponential backoff with full jitter: uniform in `[0, min(cap, base·2^n)]`,
    /// never below a server-sent `Retry-After` (itself capped).
    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .config
            .base_delay
            .saturating_mul(1u32 << (attempt - 1).min(16));
        let ceiling = exp.min(self.config.max_delay);
        let jittered = ceiling.mul_f64(fastrand::f64());
        match retry_after {
            Some(after) => jittered.max(after.min(self.config.max_delay)),
            None => jittered,
        }
    }

    #[allow(clippy::type_complexity)]
    fn attempt(&self, request: &ApiRequest) -> Result<ApiResponse, (CallError, Option<Duration>)> {
        let fail = |class, message: String| {
            (
                CallError {
                    class,
                    service: request.service,
                    action: request.action,
                    code: None,
                    status: None,
                    message,
                },
                None,
            )
        };
        let auth = self
            .signer
            .sign(request, crate::clock::now_system())
            .map_err(|err| fail(ErrorClass::AccessDenied, format!("cannot sign: {err}")))?;
        let signed_query = self
            .signer
            .sign_query(request, crate::clock::now_system())
            .map_err(|err| fail(ErrorClass::AccessDenied, format!("cannot sign: {err}")))?;
        let url = if signed_query.is_empty() {
            request.url.clone()
        } else {
            let pairs: Vec<String> = signed_query
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        crate::cn::percent_encode(k, false),
                        crate::cn::percent_encode(v, false)
                    )
                })
                .collect();
            let sep = if request.url.contains('?') { '&' } else { '?' };
            format!("{}{sep}{}", request.url, pairs.join("&"))
        };
        let mut builder = self.inner.request(request.method.clone(), &url);
        for (name, value) in request.headers.iter().chain(auth.iter()) {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !request.body.is_empty() || request.method == reqwest::Method::POST {
            builder = builder.body(request.body.clone());
        }
        let started = crate::clock::instant();
        let response = builder
            .send()
            .map_err(|err| transport_error(&fail, &err, started))?;
        let status = response.status().as_u16();
        let request_id = ["x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id"]
            .iter()
            .find_map(|name| response.headers().get(*name))
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = match response.bytes() {
            Ok(body) => body.to_vec(),
            Err(err) => {
                let (error, _) = transport_error(&fail, &err, started);
                return Err((error, retry_after));
            }
        };
        if (status == 429 || status >= 500) && retry_after.is_some() {
            let code = error_code(&body);
            let class =
                if status == 429 || code.as_deref().is_some_and(|c| THROTTLE_CODES.contains(&c)) {
                    ErrorClass::Throttled
                } else {
                    ErrorClass::ServerError
                };
            return Err((
                CallError {
                    class,
                    service: request.service,
                    action: request.action,
                    status: Some(status),
                    message: format!(
                        "HTTP {status}{}",
                        code.as_deref().map(|c| format!(" {c}")).unwrap_or_default()
                    ),
                    code,
                },
                retry_after,
            ));
        }
        Ok(ApiResponse {
            status,
            request_id,
            body,
            attempts: 1,
        })
    }
}

fn transport_error<F>(
    fail: &F,
    err: &reqwest::Error,
    started: Instant,
) -> (CallError, Option<Duration>)
where
    F: Fn(ErrorClass, String) -> (CallError, Option<Duration>),
{
    use std::error::Error as _;
    // Innermost cause, e.g. "connection reset by peer". The URL is left out: a URL signed in
    // its query (China Mobile Cloud) carries the access key id and the signature.
    let mut cause = err.to_string();
    if let Some(url) = err.url() {
        cause = cause.replace(url.as_str(), "<url>");
    }
    let mut source = err.source();
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    if err.is_timeout() {
        fail(
            ErrorClass::Timeout,
            format!(
                "timed out after {:.1?}: {cause}",
                crate::clock::since(started)
            ),
        )
    } else if err.is_body() || err.is_decode() {
        fail(
            ErrorClass::Malformed,
            format!("truncated or unreadable response body: {cause}"),
        )
    } else {
        fail(
            ErrorClass::ServerError,
            format!("connection failed: {cause}"),
        )
    }
}

/// The provider error code in an XML (`<Code>`) or JSON (`__type`, `code`) error body.
pub fn error_code(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        let doc = roxmltree::Document::parse(text).ok()?;
        let code = doc.descendants().find(|n| n.has_tag_name("Code"))?.text()?;
        return Some(code.trim().to_owned());
    }
    if trimmed.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let raw = value
            .get("__type")
            .or_else(|| value.get("code"))
            .or_else(|| value.get("Code"))
            .and_then(|v| v.as_str())?;
        // `com.amazonaws.kms#AccessDeniedException` → `AccessDeniedException`.
        let code = raw.rsplit('#').next().unwrap_or(raw);
        let code = code.split(':').next().unwrap_or(code);
        return Some(code.to_owned());
    }
    None
}

/// Turns an unexpected non-2xx answer into a [`CallError`].
pub fn classify_status(request: &ApiRequest, response: &ApiResponse) -> CallError {
    let code = error_code(&response.body);
    let status = response.status;
    let class = match (status, code.as_deref()) {
        (_, Some(c)) if ACCESS_CODES.contains(&c) => ErrorClass::AccessDenied,
        (_, Some(c)) if THROTTLE_CODES.contains(&c) => ErrorClass::Throttled,
        (401 | 403, _) => ErrorClass::AccessDenied,
        (429, _) => ErrorClass::Throttled,
        (501, _) | (_, Some("NotImplemented" | "InvalidAction" | "UnknownOperationException")) => {
            ErrorClass::Unsupported
        }
        (500.., _) => ErrorClass::ServerError,
        _ => ErrorClass::Unsupported,
    };
    CallError {
        class,
        service: request.service,
        action: request.action,
        message: format!(
            "HTTP {status}{}",
            code.as_deref().map(|c| format!(" {c}")).unwrap_or_default()
        ),
        code,
        status: Some(status),
    }
}

#[cfg(test)]
mod tests {
    use std::{
        io::{Read, Write},
        net::TcpListener,
        sync::{
            Arc,
            atomic::{AtomicUsize, Ordering},
        },
    };

    use super::*;

    struct NoSigner;
    impl RequestSigner for NoSigner {
        fn sign(&self, _: &ApiRequest, _: SystemTime) -> Result<Vec<(String, String)>, String> {
            Ok(vec![("authorization".into(), "test".into())])
        }
    }

    fn client(max_attempts: u32) -> HttpClient {
        let config = HttpConfig {
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(2),
            max_attempts,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        };
        let allow = AllowList::new("test", &[("svc", "Read")]);
        HttpClient::new(config, allow, Box::new(NoSigner)).unwrap()
    }

    /// Serves the given raw HTTP answers in turn, one per connection.
    fn serve(answers: Vec<&'static str>) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        std::thread::spawn(move || {
            for (stream, answer) in listener.incoming().zip(answers) {
                let mut stream = stream.unwrap();
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        (url, hits)
    }

    fn request(url: &str, action: &'static str) -> ApiRequest {
        ApiRequest {
            service: "svc",
            action,
            signing_region: "cn-north-1".into(),
            method: reqwest::Method::GET,
            url: url.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    const E500: &str =
        "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    const E429: &str =
        "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    const OK: &str = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";

    #[test]
    fn retries_server_errors_then_succeeds() {
        let (url, hits) = serve(vec![E500, E429, OK]);
        let response = client(3).send(&request(&url, "Read")).unwrap();
        assert_eq!(response.body, b"ok");
        assert_eq!(response.attempts, 3);
        assert_eq!(hits.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn gives_up_after_max_attempts() {
        let (url, hits) = serve(vec![E429, E429, E429, OK]);
        let err = client(2).send(&request(&url, "Read")).unwrap_err();
        assert_eq!(err.class, ErrorClass::Throttled);
        assert_eq!(hits.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn refuses_actions_off_the_allow_list_without_sending() {
        let (url, hits) = serve(vec![OK]);
        let err = client(3).send(&request(&url, "Delete")).unwrap_err();
        assert_eq!(err.class, ErrorClass::Unsupported);
        assert!(err.message.contains("allow-list"), "{err}");
        assert_eq!(hits.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn truncated_body_is_malformed() {
        let (url, _) = serve(vec![
            "HTTP/1.1 200 OK\r\ncontent-length: 100\r\nconnection: close\r\n\r\nshort",
        ]);
        let err = client(1).send(&request(&url, "Read")).unwrap_err();
        assert_eq!(err.class, ErrorClass::Malformed, "{err}");
    }

    #[test]
    fn error_codes_from_xml_and_json() {
        let xml = b"<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>";
        assert_eq!(error_code(xml).as_deref(), Some("AccessDenied"));
        let json = br#"{"__type":"com.amazonaws.kms#AccessDeniedException","message":"no"}"#;
        assert_eq!(error_code(json).as_deref(), Some("AccessDeniedException"));
    }
}
