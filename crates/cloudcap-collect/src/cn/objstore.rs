//! `storage.bucket` for Alibaba OSS and Huawei OBS: their own endpoints and V1 header signature
//! ([`crate::cn::sign_objstore`]), XML answers, so they run with their own client after the
//! gateway units. One unit lists the account's buckets and reads each bucket in a collected region.

use cloudcap_evidence::StorageBucket;
use serde_json::json;

use crate::allow::AllowList;
use crate::cn::paging::{self, Page};
use crate::cn::sign_objstore::{ObjectStore, ObjectStoreSigner};
use crate::cn::{CnConfig, percent_encode};
use crate::http::{ApiRequest, CallError, ErrorClass, HttpClient};
use crate::runner::{Collector, Fetched, Unit, UnitCtx};

/// Read-only OSS / OBS actions.
pub fn allow_list(store: ObjectStore) -> AllowList {
    match store {
        ObjectStore::Oss => AllowList::new(
            "alibaba",
            &[
                ("oss", "ListBuckets"),
                ("oss", "GetBucketInfo"),
                ("oss", "GetBucketPublicAccessBlock"),
                ("oss", "GetBucketPolicyStatus"),
            ],
        ),
        ObjectStore::Obs => AllowList::new(
            "huawei",
            &[
                ("obs", "ListBuckets"),
                ("obs", "GetBucketEncryption"),
                ("obs", "GetBucketVersioning"),
                ("obs", "GetBucketAcl"),
                ("obs", "GetBucketPolicyPublicStatus"),
                ("obs", "GetBucketPublicAccessBlock"),
                ("obs", "GetBucketLogging"),
            ],
        ),
        ObjectStore::Cos => AllowList::new(
            "tencent",
            &[
                ("cos", "ListBuckets"),
                ("cos", "GetBucketEncryption"),
                ("cos", "GetBucketVersioning"),
                ("cos", "GetBucketAcl"),
                ("cos", "GetBucketPolicy"),
                ("cos", "GetBucketLogging"),
            ],
        ),
    }
}

pub(crate) fn client(store: ObjectStore, config: &CnConfig) -> Result<HttpClient, String> {
    HttpClient::new(
        config.http.clone(),
        allow_list(store),
        Box::new(ObjectStoreSigner::new(store, config.credentials.clone())),
    )
}

/// Lists buckets and reads the settings of those in `regions`.
pub(crate) struct BucketCollector {
    pub(crate) store: ObjectStore,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) regions: Vec<String>,
    /// Pages per bucket listing before it is `truncated`.
    pub(crate) max_pages: usize,
}

impl BucketCollector {
    fn service(&self) -> &'static str {
        match self.store {
            ObjectStore::Oss => "oss",
            ObjectStore::Obs => "obs",
            ObjectStore::Cos => "cos",
        }
    }

    /// Service endpoint (bucket listing) of `region`.
    fn service_url(&self, region: &str) -> String {
        match (&self.endpoint_url, self.store) {
            (Some(url), _) => format!("{}/", url.trim_end_matches('/')),
            (None, ObjectStore::Oss) => format!("https://oss-{region}.aliyuncs.com/"),
            (None, ObjectStore::Obs) => format!("https://obs.{region}.myhuaweicloud.com/"),
            (None, ObjectStore::Cos) => "https://service.cos.myqcloud.com/".to_owned(),
        }
    }

    /// Bucket URL with a sub-resource: virtual-hosted on the real endpoints, path-style behind an
    /// endpoint override.
    fn bucket_url(&self, bucket: &str, region: &str, subresource: &str) -> String {
        match (&self.endpoint_url, self.store) {
            (Some(url), _) => format!(
                "{}/{}/?{subresource}",
                url.trim_end_matches('/'),
                percent_encode(bucket, false)
            ),
            (None, ObjectStore::Oss) => {
                format!("https://{bucket}.oss-{region}.aliyuncs.com/?{subresource}")
            }
            (None, ObjectStore::Obs) => {
                format!("https://{bucket}.obs.{region}.myhuaweicloud.com/?{subresource}")
            }
            (None, ObjectStore::Cos) => {
                format!("https://{bucket}.cos.{region}.myqcloud.com/?{subresource}")
            }
        }
    }

    fn get(&self, action: &'static str, region: &str, url: String) -> ApiRequest {
        ApiRequest {
            service: self.service(),
            action,
            signing_region: region.to_owned(),
            method: reqwest::Method::GET,
            url,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
}

impl Collector for BucketCollector {
    fn provider(&self) -> cloudcap_evidence::Provider {
        match self.store {
            ObjectStore::Oss => cloudcap_evidence::Provider::Alibaba,
            ObjectStore::Obs => cloudcap_evidence::Provider::Huawei,
            ObjectStore::Cos => cloudcap_evidence::Provider::Tencent,
        }
    }

    fn units(&self) -> Vec<Unit> {
        let Some(first) = self.regions.first() else {
            return Vec::new();
        };
        vec![Unit {
            service: self.service(),
            region: first.clone(),
            scopes: self
                .regions
                .iter()
                .map(|r| ("storage.bucket", r.clone()))
                .collect(),
        }]
    }

    fn collect(&self, unit: &Unit, ctx: &mut UnitCtx<'_>) {
        const KIND: &str = "storage.bucket";
        let buckets = match self.list_buckets(ctx, &unit.region) {
            Ok(b) => b,
            Err(err) => return self.fail_all(ctx, &err),
        };
        for (name, region, list_sha) in buckets
            .into_iter()
            .filter(|(_, r, _)| self.regions.contains(r))
        {
            let result = match self.store {
                ObjectStore::Oss => self.oss_bucket(ctx, &name, &region, &list_sha),
                ObjectStore::Obs | ObjectStore::Cos => {
                    self.s3_style_bucket(ctx, &name, &region, &list_sha)
                }
            };
            if let Err(err) = result {
                ctx.fail(KIND, &region, &name, &err);
            }
        }
    }
}

impl BucketCollector {
    /// `(name, region, digest of its page)` of every bucket, every page through
    /// [`paging::list`]: `marker` is the previous answer's `NextMarker` while `IsTruncated` is
    /// true, `max-keys` at its maximum of 1000. The same for the three stores: OSS
    /// `ListBuckets` (aliyun-oss-go-sdk-v2 `ListBucketsRequest.Marker`/`MaxKeys`,
    /// `ListBucketsResult.IsTruncated`/`NextMarker`), OBS `ListBuckets`
    /// (huaweicloud-sdk-go-obs `obs/model_bucket.go` `ListBucketsInput.MaxKeys`/`Marker`,
    /// `ListBucketsOutput.IsTruncated`/`NextMarker`), COS GET Service (cos-go-sdk-v5
    /// `service.go` `ServiceGetOptions.MaxKeys`/`Marker`, `ServiceGetResult.IsTruncated`/
    /// `NextMarker`). A true `IsTruncated` without a `NextMarker` is malformed.
    fn list_buckets(
        &self,
        ctx: &mut UnitCtx<'_>,
        region: &str,
    ) -> Result<Vec<(String, String, String)>, CallError> {
        let service = self.service();
        paging::list(service, "ListBuckets", self.max_pages, |c| {
            let mut url = self.service_url(region);
            url.push_str("?max-keys=1000");
            if !c.token.is_empty() {
                url.push_str(&format!("&marker={}", percent_encode(&c.token, false)));
            }
            let list = ctx.send_ok(&self.get("ListBuckets", region, url))?;
            let doc = parse(&list, service, "ListBuckets")?;
            let items = doc
                .descendants()
                .filter(|n| n.has_tag_name("Bucket"))
                .map(|b| {
                    let location = child_text(b, "Location");
                    // OSS writes `oss-cn-hangzhou`, OBS `cn-north-4`, COS `ap-guangzhou`.
                    let region = location
                        .strip_prefix("oss-")
                        .unwrap_or(&location)
                        .to_owned();
                    (child_text(b, "Name"), region, list.sha256.clone())
                })
                .collect();
            let root = doc.root_element();
            let flags = json!({
                "IsTruncated": child_text(root, "IsTruncated"),
                "NextMarker": child_text(root, "NextMarker"),
            });
            let more = paging::token(
                &flags,
                &["NextMarker"],
                Some(&["IsTruncated"]),
                service,
                "ListBuckets",
            )?;
            Ok(Page { items, more })
        })
    }

    fn fail_all(&self, ctx: &mut UnitCtx<'_>, err: &CallError) {
        for region in &self.regions {
            ctx.fail("storage.bucket", region, "*", err);
        }
    }

    fn oss_bucket(
        &self,
        ctx: &mut UnitCtx<'_>,
        name: &str,
        region: &str,
        list_sha: &str,
    ) -> Result<(), CallError> {
        let info = ctx.send_ok(&self.get(
            "GetBucketInfo",
            region,
            self.bucket_url(name, region, "bucketInfo"),
        ))?;
        let pab = ctx.send_ok(&self.get(
            "GetBucketPublicAccessBlock",
            region,
            self.bucket_url(name, region, "publicAccessBlock"),
        ))?;
        let policy = ctx.send_ok(&self.get(
            "GetBucketPolicyStatus",
            region,
            self.bucket_url(name, region, "policyStatus"),
        ))?;
        let (sse, kms_key, versioning, grant, log_bucket) = {
            let doc = parse(&info, "oss", "GetBucketInfo")?;
            let text = |tag: &str| first_text(&doc, tag);
            (
                text("SSEAlgorithm"),
                text("KMSMasterKeyID"),
                text("Versioning"),
                text("Grant"),
                text("LogBucket"),
            )
        };
        let blocked = first_text(
            &parse(&pab, "oss", "GetBucketPublicAccessBlock")?,
            "BlockPublicAccess",
        ) == "true";
        let policy_public =
            first_text(&parse(&policy, "oss", "GetBucketPolicyStatus")?, "IsPublic")
                .eq_ignore_ascii_case("true");
        let account = ctx.account().to_owned();
        ctx.put(
            region,
            &format!("acs:oss:*:{account}:{name}"),
            &[list_sha, &info.sha256, &pab.sha256, &policy.sha256],
            |envelope| StorageBucket {
                envelope,
                name: name.to_owned(),
                encrypted: !sse.is_empty() && sse != "None",
                customer_managed_key: sse == "KMS" && !kms_key.is_empty(),
                versioning: versioning == "Enabled",
                public: grant.starts_with("public-read") || policy_public,
                public_access_block: Some(blocked),
                access_logging: !log_bucket.is_empty(),
            },
        );
        Ok(())
    }

    /// OBS and COS: one S3-style sub-resource per setting. COS has no public-access-block or
    /// policy-status API: `public_access_block` is omitted (not reported), and `public` comes
    /// from the ACL and from the bucket policy itself (`GET /?policy`, see [`cos_policy_public`]).
    fn s3_style_bucket(
        &self,
        ctx: &mut UnitCtx<'_>,
        name: &str,
        region: &str,
        list_sha: &str,
    ) -> Result<(), CallError> {
        // A bucket without the configuration answers 404 (e.g. `NoSuchEncryptionConfiguration`).
        let mut optional =
            |action: &'static str, sub: &str| -> Result<Option<Fetched>, CallError> {
                let request = self.get(action, region, self.bucket_url(name, region, sub));
                let fetched = ctx.send(&request)?;
                match fetched.status {
                    200..=299 => Ok(Some(fetched)),
                    404 => Ok(None),
                    status => Err(crate::http::classify_status(
                        &request,
                        &crate::http::ApiResponse {
                            status,
                            request_id: None,
                            body: fetched.body,
                            attempts: 1,
                        },
                    )),
                }
            };
        let encryption = optional("GetBucketEncryption", "encryption")?;
        let versioning = optional("GetBucketVersioning", "versioning")?;
        let acl = optional("GetBucketAcl", "acl")?;
        let cos = self.store == ObjectStore::Cos;
        let policy = if cos {
            None
        } else {
            optional("GetBucketPolicyPublicStatus", "policyStatus")?
        };
        // COS: a bucket without a policy answers 404 `NoSuchBucketPolicy`.
        let cos_policy = if cos {
            optional("GetBucketPolicy", "policy")?
        } else {
            None
        };
        let pab = if cos {
            None
        } else {
            optional("GetBucketPublicAccessBlock", "publicAccessBlock")?
        };
        let logging = optional("GetBucketLogging", "logging")?;
        let service = self.service();
        let read =
            |f: &Option<Fetched>, action: &'static str, tag: &str| -> Result<String, CallError> {
                match f {
                    Some(f) => Ok(first_text(&parse(f, service, action)?, tag)),
                    None => Ok(String::new()),
                }
            };
        let sse = read(&encryption, "GetBucketEncryption", "SSEAlgorithm")?;
        let kms_key = read(&encryption, "GetBucketEncryption", "KMSMasterKeyID")?;
        let public_acl = match &acl {
            // OBS grants to `<Canned>Everyone</Canned>`; COS to the `AllUsers` group URI or to
            // the ID `qcs::cam::anyone:anyone` (cos-go-sdk-v5 `cos.go` `decodeACL`).
            Some(f) => parse(f, service, "GetBucketAcl")?
                .descendants()
                .filter(|n| n.has_tag_name("Grant"))
                .any(|g| {
                    g.descendants().any(|n| {
                        (n.has_tag_name("Canned") && n.text() == Some("Everyone"))
                            || (n.has_tag_name("URI")
                                && n.text().is_some_and(|t| t.ends_with("/AllUsers")))
                            || (cos
                                && n.has_tag_name("ID")
                                && n.text().map(str::trim) == Some("qcs::cam::anyone:anyone"))
                    })
                }),
            None => false,
        };
        let flag = |tag: &str| {
            read(&pab, "GetBucketPublicAccessBlock", tag).map(|t| t.eq_ignore_ascii_case("true"))
        };
        // OBS: all four flags; no configuration (404) → not blocked. COS: not reported.
        let blocked = if cos {
            None
        } else {
            Some(
                flag("BlockPublicAcls")?
                    && flag("IgnorePublicAcls")?
                    && flag("BlockPublicPolicy")?
                    && flag("RestrictPublicBuckets")?,
            )
        };
        let logging_on = match &logging {
            Some(f) => parse(f, service, "GetBucketLogging")?
                .descendants()
                .any(|n| n.has_tag_name("LoggingEnabled")),
            None => false,
        };
        let versioning_on = read(&versioning, "GetBucketVersioning", "Status")? == "Enabled";
        let public = public_acl
            || read(&policy, "GetBucketPolicyPublicStatus", "IsPublic")?
                .eq_ignore_ascii_case("true")
            || match &cos_policy {
                Some(f) => cos_policy_public(&f.body)?,
                None => false,
            };
        let mut sources = vec![list_sha.to_owned()];
        for f in [
            &encryption,
            &versioning,
            &acl,
            &policy,
            &cos_policy,
            &pab,
            &logging,
        ]
        .into_iter()
        .flatten()
        {
            sources.push(f.sha256.clone());
        }
        let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
        ctx.put(region, name, &sources, |envelope| StorageBucket {
            envelope,
            name: name.to_owned(),
            encrypted: !sse.is_empty(),
            customer_managed_key: sse.eq_ignore_ascii_case("kms") && !kms_key.is_empty(),
            versioning: versioning_on,
            public,
            public_access_block: blocked,
            access_logging: logging_on,
        });
        Ok(())
    }
}

/// Whether a COS bucket policy (JSON, CAM policy syntax) lets anyone in: a statement with
/// effect `allow` whose principal is anonymous (`qcs::cam::anyone:anyone`, or `*`), whatever its
/// actions or conditions (a condition narrows who may come, but still without credentials).
/// A body that is not such a policy is `malformed`, never "not public".
fn cos_policy_public(body: &[u8]) -> Result<bool, CallError> {
    let bad = |m: &str| malformed("cos", "GetBucketPolicy", m);
    let doc: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| bad(&format!("not JSON: {e}")))?;
    let statements = match doc.get("Statement").or_else(|| doc.get("statement")) {
        Some(serde_json::Value::Array(list)) => list.clone(),
        Some(one @ serde_json::Value::Object(_)) => vec![one.clone()],
        _ => return Err(bad("the policy has no `Statement` list")),
    };
    fn anonymous(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::String(s) => s == "*" || s == "qcs::cam::anyone:anyone",
            serde_json::Value::Array(list) => list.iter().any(anonymous),
            serde_json::Value::Object(map) => map.values().any(anonymous),
            _ => false,
        }
    }
    let mut public = false;
    for st in &statements {
        let effect = st
            .get("Effect")
            .or_else(|| st.get("effect"))
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| bad("a statement has no `Effect`"))?;
        let principal = st.get("Principal").or_else(|| st.get("principal"));
        if effect.eq_ignore_ascii_case("allow") && principal.is_some_and(anonymous) {
            public = true;
        }
    }
    Ok(public)
}

fn parse<'a>(
    fetched: &'a Fetched,
    service: &'static str,
    action: &'static str,
) -> Result<roxmltree::Document<'a>, CallError> {
    let text = std::str::from_utf8(&fetched.body)
        .map_err(|_| malformed(service, action, "body is not UTF-8"))?;
    roxmltree::Document::parse(text)
        .map_err(|e| malformed(service, action, &format!("body is not XML: {e}")))
}

fn malformed(service: &'static str, action: &'static str, message: &str) -> CallError {
    CallError {
        class: ErrorClass::Malformed,
        service,
        action,
        code: None,
        status: None,
        message: message.to_owned(),
    }
}

fn first_text(doc: &roxmltree::Document<'_>, tag: &str) -> String {
    doc.descendants()
        .find(|n| n.has_tag_name(tag))
        .and_then(|n| n.text())
        .unwrap_or("")
        .trim()
        .to_owned()
}

fn child_text(node: roxmltree::Node<'_, '_>, tag: &str) -> String {
    node.children()
        .find(|n| n.has_tag_name(tag))
        .and_then(|n| n.text())
        .unwrap_or("")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::cos_policy_public;

    #[test]
    fn a_cos_policy_is_public_only_with_an_anonymous_allow() {
        let anyone = br#"{"Statement":[{"Principal":{"qcs":["qcs::cam::anyone:anyone"]},"Effect":"Allow","Action":["name/cos:GetObject"]}],"version":"2.0"}"#;
        assert!(cos_policy_public(anyone).unwrap());
        let star = br#"{"Statement":[{"Principal":"*","Effect":"allow"}]}"#;
        assert!(cos_policy_public(star).unwrap());
        let denied =
            br#"{"Statement":[{"Principal":{"qcs":["qcs::cam::anyone:anyone"]},"Effect":"deny"}]}"#;
        assert!(!cos_policy_public(denied).unwrap());
        let named =
            br#"{"Statement":[{"Principal":{"qcs":["qcs::cam::uin/1:uin/2"]},"Effect":"allow"}]}"#;
        assert!(!cos_policy_public(named).unwrap());
        // Not a policy: an error, never "not public".
        assert!(cos_policy_public(b"<Error/>").is_err());
        assert!(cos_policy_public(br#"{"version":"2.0"}"#).is_err());
        assert!(cos_policy_public(br#"{"Statement":[{"Principal":"*"}]}"#).is_err());
    }
}
