//! `storage.bucket` for China Telecom Cloud object storage (ZOS) through its S3 API.
//!
//! Source: ctyun-it/terraform-provider-ctyun, `internal/business/zos_service.go`
//! (`BuildS3Client`): an aws-sdk-go S3 client (the vendored `internal/core/zos-sdk`, aws-sdk-go
//! 1.38.63) with `Endpoint` = the region's ZOS internet endpoint, `Region` `us-east-1`,
//! virtual-hosted addressing (`S3ForcePathStyle` false) and a ZOS-specific key pair. The
//! provider reads that key pair and the endpoint through the EOP calls `ZosGetKeys` /
//! `ZosGetEndpoint`; the first answers with secret keys, so this collector calls neither: the
//! user gives the endpoint, the CTyun region it serves and the ZOS key pair ([`ZosConfig`]).
//!
//! Requests are signed SigV4 (`aws::sigv4`, service `s3`, region `us-east-1`). Calls, query
//! strings, fields and "not configured" error codes: the S3 API reference and botocore's S3
//! model (`botocore/data/s3/2006-03-01/service-2.json`). Buckets are attributed to the region
//! the endpoint serves; GetBucketLocation is read and kept, but its value is not mapped to a
//! CTyun region (no source gives that mapping).

use std::time::SystemTime;

use cloudcap_evidence::StorageBucket;

use crate::allow::AllowList;
use crate::aws::sigv4::{AwsCredentials, SigV4Signer};
use crate::cn::{Credentials, percent_encode};
use crate::http::{
    ApiRequest, ApiResponse, CallError, ErrorClass, HttpClient, HttpConfig, RequestSigner,
    classify_status, error_code,
};
use crate::runner::{Collector, Fetched, Unit, UnitCtx};

const KIND: &str = "storage.bucket";
/// The service name of the allow-list and the raw objects.
const SERVICE: &str = "zos";
/// The signing region of every ZOS request (`BuildS3Client`: `Region: "us-east-1"`).
pub const SIGNING_REGION: &str = "us-east-1";
const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

/// The variables that configure ZOS collection (read by the CLI only).
pub const ENV_VARS: [&str; 4] = [
    "CTYUN_ZOS_ENDPOINT",
    "CTYUN_ZOS_REGION",
    "CTYUN_ZOS_ACCESS_KEY",
    "CTYUN_ZOS_SECRET_KEY",
];

/// Where and with which key pair ZOS is read. `Debug` never shows the secret.
#[derive(Clone, Debug)]
pub struct ZosConfig {
    /// The S3 endpoint of one region's ZOS (`https://…`), as `ZosGetEndpoint` names it.
    pub endpoint: String,
    /// The CTyun region id (`regionID` of the region listing) that endpoint serves.
    pub region: String,
    /// The ZOS key pair (not the EOP one).
    pub credentials: Credentials,
}

/// Read-only S3 actions (names of botocore's S3 model).
pub fn allow_list() -> AllowList {
    AllowList::new(
        "ctyun",
        &[
            (SERVICE, "ListBuckets"),
            (SERVICE, "GetBucketLocation"),
            (SERVICE, "GetBucketEncryption"),
            (SERVICE, "GetBucketVersioning"),
            (SERVICE, "GetBucketAcl"),
            (SERVICE, "GetBucketPolicyStatus"),
            (SERVICE, "GetPublicAccessBlock"),
            (SERVICE, "GetBucketLogging"),
        ],
    )
}

/// SigV4 as S3 wants it (service `s3`), for requests the allow-list knows as `zos`.
#[derive(Debug)]
struct ZosSigner(SigV4Signer);

impl RequestSigner for ZosSigner {
    fn sign(&self, request: &ApiRequest, now: SystemTime) -> Result<Vec<(String, String)>, String> {
        let mut s3 = request.clone();
        s3.service = "s3";
        s3.signing_region = SIGNING_REGION.to_owned();
        self.0.sign(&s3, now)
    }
}

/// The ZOS client: [`allow_list`] and SigV4 with the ZOS key pair.
pub(crate) fn client(http: &HttpConfig, zos: &ZosConfig) -> Result<HttpClient, String> {
    HttpClient::new(
        http.clone(),
        allow_list(),
        Box::new(ZosSigner(SigV4Signer::new(AwsCredentials {
            access_key_id: zos.credentials.access_key_id.clone(),
            secret_access_key: zos.credentials.secret.clone(),
            session_token: None,
        }))),
    )
}

/// The error every `storage.bucket` scope gets when ZOS is not configured.
pub(crate) fn not_configured() -> CallError {
    not_collected(&format!(
        "ZOS (object storage) not collected: its S3 endpoint and key pair are not given; set {}",
        ENV_VARS.join(", ")
    ))
}

fn not_collected(message: &str) -> CallError {
    CallError {
        class: ErrorClass::NotCollected,
        service: SERVICE,
        action: "-",
        code: None,
        status: None,
        message: message.to_owned(),
    }
}

fn malformed(action: &'static str, message: &str) -> CallError {
    CallError {
        class: ErrorClass::Malformed,
        service: SERVICE,
        action,
        code: None,
        status: None,
        message: message.to_owned(),
    }
}

/// Lists the buckets through one region's endpoint and reads each one's settings.
pub(crate) struct ZosCollector {
    pub(crate) zos: ZosConfig,
    /// The regions collected (`storage.bucket` scopes); `global` when none is known.
    pub(crate) regions: Vec<String>,
    /// Pages of the bucket listing before it is `truncated`.
    pub(crate) max_pages: usize,
}

/// Whether a bucket name may go into the host (aws-sdk-go 1.38.63 `service/s3/
/// host_style_bucket.go` `hostCompatibleBucketName` / `dnsCompatibleBucketName`): lower-case
/// letters, digits, `.` and `-`, 3 to 63 characters, starting and ending with a letter or
/// digit, not an IPv4 address, no `..`, and no `.` at all over HTTPS.
fn host_compatible(https: bool, bucket: &str) -> bool {
    let b = bucket.as_bytes();
    let edge = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let ipv4 = bucket.split('.').count() == 4
        && bucket
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()));
    (3..=63).contains(&b.len())
        && edge(b[0])
        && edge(b[b.len() - 1])
        && b.iter().all(|&c| edge(c) || c == b'.' || c == b'-')
        && !ipv4
        && !bucket.contains("..")
        && !(https && bucket.contains('.'))
}

impl ZosCollector {
    fn base(&self) -> &str {
        self.zos.endpoint.trim_end_matches('/')
    }

    /// `/?sub` of `bucket`: virtual-hosted where the SDK puts the bucket into the host (never
    /// for GetBucketLocation, as in the SDK's `updateEndpointForS3Config`), path-style
    /// otherwise and whenever the endpoint's host is an IP address or `localhost` (a bucket
    /// cannot be a label of it: test servers).
    fn bucket_url(&self, bucket: &str, sub: &str, virtual_ok: bool) -> String {
        let base = self.base();
        if let Ok(url) = reqwest::Url::parse(base) {
            let by_name = url.host_str().is_some_and(|h| {
                h != "localhost"
                    && h.trim_matches(|c| c == '[' || c == ']')
                        .parse::<std::net::IpAddr>()
                        .is_err()
            });
            if virtual_ok && by_name && host_compatible(url.scheme() == "https", bucket) {
                let mut hosted = url.clone();
                let host = format!("{bucket}.{}", url.host_str().unwrap_or_default());
                if hosted.set_host(Some(&host)).is_ok() {
                    return format!("{}/?{sub}", hosted.as_str().trim_end_matches('/'));
                }
            }
        }
        format!("{base}/{}?{sub}", percent_encode(bucket, false))
    }

    fn get(&self, action: &'static str, url: String) -> ApiRequest {
        ApiRequest {
            service: SERVICE,
            action,
            signing_region: SIGNING_REGION.to_owned(),
            method: reqwest::Method::GET,
            url,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn fail_all(&self, ctx: &mut UnitCtx<'_>, err: &CallError) {
        for region in &self.regions {
            ctx.fail(KIND, region, "*", err);
        }
    }
}

impl Collector for ZosCollector {
    fn provider(&self) -> cloudcap_evidence::Provider {
        cloudcap_evidence::Provider::Ctyun
    }

    fn units(&self) -> Vec<Unit> {
        let first = self
            .regions
            .first()
            .cloned()
            .unwrap_or_else(|| "global".to_owned());
        vec![Unit {
            service: SERVICE,
            region: first,
            scopes: self.regions.iter().map(|r| (KIND, r.clone())).collect(),
        }]
    }

    fn collect(&self, _unit: &Unit, ctx: &mut UnitCtx<'_>) {
        let home = self.zos.region.clone();
        if !self.regions.contains(&home) {
            return self.fail_all(
                ctx,
                &not_collected(&format!(
                    "ZOS not collected: CTYUN_ZOS_REGION `{home}` is not a collected region"
                )),
            );
        }
        let other = not_collected(&format!(
            "ZOS not collected here: the given ZOS endpoint serves region `{home}` \
             (CTYUN_ZOS_REGION); collect another region with its own endpoint in another run"
        ));
        for region in self.regions.iter().filter(|r| **r != home) {
            ctx.fail(KIND, region, "*", &other);
        }
        let (names, list_sources) = match self.list_buckets(ctx) {
            Ok(b) => b,
            Err(err) => return ctx.fail(KIND, &home, "*", &err),
        };
        for name in names {
            if let Err(err) = self.bucket(ctx, &name, &home, &list_sources) {
                ctx.fail(KIND, &home, &name, &err);
            }
        }
    }
}

impl ZosCollector {
    /// ListBuckets (`GET /`). The SDK ZOS is built on (aws-sdk-go 1.38.63) sends no paging
    /// parameter, so none is sent; an answer that carries a `ContinuationToken` (botocore's
    /// current model: `ListBucketsOutput.ContinuationToken`, request `continuation-token`) is
    /// followed, at most `--max-pages` pages (then `truncated`); a repeated token is malformed.
    fn list_buckets(&self, ctx: &mut UnitCtx<'_>) -> Result<(Vec<String>, Vec<String>), CallError> {
        let mut names = Vec::new();
        let mut sources = Vec::new();
        let mut token: Option<String> = None;
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..self.max_pages.max(1) {
            let mut url = format!("{}/", self.base());
            if let Some(t) = &token {
                url.push_str(&format!("?continuation-token={}", percent_encode(t, false)));
            }
            let fetched = ctx.send_ok(&self.get("ListBuckets", url))?;
            sources.push(fetched.sha256.clone());
            let doc = parse(&fetched, "ListBuckets")?;
            let root = doc.root_element();
            if !root.has_tag_name("ListAllMyBucketsResult") {
                return Err(malformed(
                    "ListBuckets",
                    "the answer is not a ListAllMyBucketsResult",
                ));
            }
            for bucket in child(root, "Buckets")
                .into_iter()
                .flat_map(|b| b.children())
                .filter(|n| n.has_tag_name("Bucket"))
            {
                match child(bucket, "Name").and_then(|n| n.text()).map(str::trim) {
                    Some(name) if !name.is_empty() => names.push(name.to_owned()),
                    _ => return Err(malformed("ListBuckets", "a bucket without a `Name`")),
                }
            }
            token = child(root, "ContinuationToken")
                .and_then(|n| n.text())
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned);
            match &token {
                None => return Ok((names, sources)),
                Some(t) if !seen.insert(t.clone()) => {
                    return Err(malformed("ListBuckets", "a continuation token repeats"));
                }
                Some(_) => {}
            }
        }
        Err(CallError {
            class: ErrorClass::Truncated,
            service: SERVICE,
            action: "ListBuckets",
            code: None,
            status: None,
            message: format!(
                "the bucket listing did not end within {} page(s) (--max-pages)",
                self.max_pages
            ),
        })
    }

    /// `GET /?sub` of `bucket`: `Some` answer (checked to be XML), `None` when it is a 404 (or
    /// 400) with one of the codes in `absent` (the reference's "not configured"), any other
    /// answer an error.
    fn sub(
        &self,
        ctx: &mut UnitCtx<'_>,
        bucket: &str,
        (action, sub): (&'static str, &str),
        absent: &[&str],
        sources: &mut Vec<String>,
    ) -> Result<Option<Fetched>, CallError> {
        let request = self.get(
            action,
            self.bucket_url(bucket, sub, action != "GetBucketLocation"),
        );
        let fetched = ctx.send(&request)?;
        sources.push(fetched.sha256.clone());
        if (200..300).contains(&fetched.status) {
            parse(&fetched, action)?;
            return Ok(Some(fetched));
        }
        if matches!(fetched.status, 400 | 404)
            && error_code(&fetched.body).is_some_and(|c| absent.contains(&c.as_str()))
        {
            return Ok(None);
        }
        Err(classify_status(
            &request,
            &ApiResponse {
                status: fetched.status,
                request_id: None,
                body: fetched.body,
                attempts: 1,
            },
        ))
    }

    fn bucket(
        &self,
        ctx: &mut UnitCtx<'_>,
        name: &str,
        region: &str,
        list_sources: &[String],
    ) -> Result<(), CallError> {
        let mut sources = list_sources.to_vec();
        // Kept as evidence; its value is not mapped to a CTyun region (see the module docs).
        self.sub(
            ctx,
            name,
            ("GetBucketLocation", "location"),
            &[],
            &mut sources,
        )?;
        // S3 reference, GetPublicAccessBlock: `NoSuchPublicAccessBlockConfiguration` when the
        // bucket has none (nothing blocked). A store that does not implement it (HTTP 501)
        // leaves the field out: not reported.
        let pab = {
            let request = self.get(
                "GetPublicAccessBlock",
                self.bucket_url(name, "publicAccessBlock", true),
            );
            let fetched = ctx.send(&request)?;
            sources.push(fetched.sha256.clone());
            match fetched.status {
                200..=299 => {
                    let doc = parse(&fetched, "GetPublicAccessBlock")?;
                    let flag = |n: &str| {
                        descendant_text(&doc, n).is_some_and(|t| t.eq_ignore_ascii_case("true"))
                    };
                    Some((
                        flag("BlockPublicAcls") && flag("IgnorePublicAcls"),
                        flag("BlockPublicPolicy") && flag("RestrictPublicBuckets"),
                    ))
                }
                404 if error_code(&fetched.body).as_deref()
                    == Some("NoSuchPublicAccessBlockConfiguration") =>
                {
                    Some((false, false))
                }
                501 => None,
                status => {
                    return Err(classify_status(
                        &request,
                        &ApiResponse {
                            status,
                            request_id: None,
                            body: fetched.body,
                            attempts: 1,
                        },
                    ));
                }
            }
        };
        let (block_acls, block_policy) = pab.unwrap_or((false, false));
        // S3 reference, GetBucketEncryption: `ServerSideEncryptionConfigurationNotFoundError`
        // when the bucket has no default encryption.
        let encryption = self.sub(
            ctx,
            name,
            ("GetBucketEncryption", "encryption"),
            &["ServerSideEncryptionConfigurationNotFoundError"],
            &mut sources,
        )?;
        let (encrypted, customer_key) = match &encryption {
            Some(f) => {
                let doc = parse(f, "GetBucketEncryption")?;
                let algorithm = descendant_text(&doc, "SSEAlgorithm").unwrap_or_default();
                if algorithm.is_empty() {
                    return Err(malformed(
                        "GetBucketEncryption",
                        "an encryption configuration without `SSEAlgorithm`",
                    ));
                }
                // `KMSMasterKeyID` names the key chosen for the bucket; without it `aws:kms`
                // uses the service's own key.
                let key = descendant_text(&doc, "KMSMasterKeyID").unwrap_or_default();
                (true, algorithm.starts_with("aws:kms") && !key.is_empty())
            }
            None => (false, false),
        };
        // GetBucketVersioning: no `Status` when versioning was never set on the bucket.
        let versioning = match self.sub(
            ctx,
            name,
            ("GetBucketVersioning", "versioning"),
            &[],
            &mut sources,
        )? {
            Some(f) => {
                descendant_text(&parse(&f, "GetBucketVersioning")?, "Status").as_deref()
                    == Some("Enabled")
            }
            None => false,
        };
        // GetBucketLogging: `LoggingEnabled` only when server access logging is on.
        let logging = match self.sub(
            ctx,
            name,
            ("GetBucketLogging", "logging"),
            &[],
            &mut sources,
        )? {
            Some(f) => parse(&f, "GetBucketLogging")?
                .descendants()
                .any(|n| n.has_tag_name("LoggingEnabled")),
            None => false,
        };
        // Public ACL grants are ignored, and public policies restricted, when the bucket's
        // block says so: then the ACL / policy status is not needed.
        let public_acl = if block_acls {
            false
        } else {
            match self.sub(ctx, name, ("GetBucketAcl", "acl"), &[], &mut sources)? {
                Some(f) => parse(&f, "GetBucketAcl")?.descendants().any(|n| {
                    n.has_tag_name("URI")
                        && matches!(
                            n.text().map(str::trim),
                            Some(ALL_USERS | AUTHENTICATED_USERS)
                        )
                }),
                None => false,
            }
        };
        // GetBucketPolicyStatus: `NoSuchBucketPolicy` when the bucket has no policy.
        let public_policy = if block_policy {
            false
        } else {
            match self.sub(
                ctx,
                name,
                ("GetBucketPolicyStatus", "policyStatus"),
                &["NoSuchBucketPolicy"],
                &mut sources,
            )? {
                Some(f) => {
                    match descendant_text(&parse(&f, "GetBucketPolicyStatus")?, "IsPublic")
                        .as_deref()
                    {
                        Some("true" | "TRUE" | "True") => true,
                        Some("false" | "FALSE" | "False") => false,
                        _ => {
                            return Err(malformed(
                                "GetBucketPolicyStatus",
                                "a policy status without a boolean `IsPublic`",
                            ));
                        }
                    }
                }
                None => false,
            }
        };
        let blocked = pab.map(|(acls, policy)| acls && policy);
        let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
        ctx.put(region, name, &sources, |envelope| StorageBucket {
            envelope,
            name: name.to_owned(),
            encrypted,
            customer_managed_key: customer_key,
            versioning,
            public: public_acl || public_policy,
            public_access_block: blocked,
            access_logging: logging,
        });
        Ok(())
    }
}

fn parse<'a>(
    fetched: &'a Fetched,
    action: &'static str,
) -> Result<roxmltree::Document<'a>, CallError> {
    let text =
        std::str::from_utf8(&fetched.body).map_err(|_| malformed(action, "body is not UTF-8"))?;
    roxmltree::Document::parse(text)
        .map_err(|e| malformed(action, &format!("body is not XML: {e}")))
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children()
        .find(|n| n.is_element() && n.has_tag_name(name))
}

fn descendant_text(doc: &roxmltree::Document<'_>, name: &str) -> Option<String> {
    doc.descendants()
        .find(|n| n.is_element() && n.has_tag_name(name))
        .map(|n| n.text().unwrap_or("").trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collector(endpoint: &str) -> ZosCollector {
        ZosCollector {
            zos: ZosConfig {
                endpoint: endpoint.to_owned(),
                region: "r1".to_owned(),
                credentials: Credentials::new("AK", "topsecret"),
            },
            regions: vec!["r1".to_owned()],
            max_pages: 10,
        }
    }

    #[test]
    fn buckets_are_virtual_hosted_where_the_sdk_would_put_them_in_the_host() {
        let c = collector("https://zos.example.cn/");
        assert_eq!(
            c.bucket_url("logs-1", "acl", true),
            "https://logs-1.zos.example.cn/?acl"
        );
        // Dots over HTTPS, upper case, too short: path-style, as the SDK does.
        assert_eq!(
            c.bucket_url("a.b.c", "acl", true),
            "https://zos.example.cn/a.b.c?acl"
        );
        assert_eq!(
            c.bucket_url("Logs", "acl", true),
            "https://zos.example.cn/Logs?acl"
        );
        assert_eq!(
            c.bucket_url("ab", "acl", true),
            "https://zos.example.cn/ab?acl"
        );
        // GetBucketLocation is always path-style in the SDK.
        assert_eq!(
            c.bucket_url("logs-1", "location", false),
            "https://zos.example.cn/logs-1?location"
        );
        // A loopback test server: path-style.
        let local = collector("http://127.0.0.1:9000");
        assert_eq!(
            local.bucket_url("logs-1", "acl", true),
            "http://127.0.0.1:9000/logs-1?acl"
        );
        assert_eq!(
            collector("http://localhost:9000").bucket_url("logs-1", "acl", true),
            "http://localhost:9000/logs-1?acl"
        );
        assert!(!host_compatible(false, "192.168.1.1"));
        assert!(host_compatible(false, "a.b.c"));
    }

    #[test]
    fn the_config_hides_the_secret() {
        let c = collector("https://zos.example.cn");
        assert!(!format!("{:?}", c.zos).contains("topsecret"));
        assert!(not_configured().message.contains("CTYUN_ZOS_SECRET_KEY"));
        assert_eq!(not_configured().class, ErrorClass::NotCollected);
    }
}
