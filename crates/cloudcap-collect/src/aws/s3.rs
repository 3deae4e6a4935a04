//! S3 buckets: the account-level public access block (S3 Control GetPublicAccessBlock, IAM
//! action `s3:GetAccountPublicAccessBlock`), one ListBuckets, then per bucket (path-style addressing, which moto and every
//! S3-compatible store accept) GetPublicAccessBlock, GetBucketEncryption, GetBucketVersioning,
//! GetBucketLogging, and — only when the public access block does not already neutralize
//! public ACLs and policies — GetBucketAcl and GetBucketPolicyStatus. A block at either level
//! counts; when the account level could not be read and the bucket level does not block
//! everything, `public_access_block` is left out (unknown).
//!
//! The bucket's region comes from ListBuckets' `BucketRegion`; when absent (older APIs, moto)
//! and the partition's region listing holds a single region, the buckets are attributed to it,
//! otherwise GetBucketLocation is asked.

use cloudcap_evidence::StorageBucket;

use crate::{
    aws::{AwsCollector, MAX_PAGES, iam::as_response, iam::too_many_pages, proto},
    http::{CallError, classify_status, error_code},
    runner::UnitCtx,
};

const KIND: &str = "storage.bucket";
const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

/// Which public access the account-level block neutralizes: (ACLs, policies).
type Blocks = (bool, bool);

/// Reads the block flags of a `PublicAccessBlockConfiguration` answer.
fn blocks(fetched: &crate::runner::Fetched) -> Blocks {
    let doc = parse(fetched);
    let flag =
        |n: &str| proto::boolean(proto::descendant(doc.root_element(), n).and_then(|n| n.text()));
    (
        flag("BlockPublicAcls") && flag("IgnorePublicAcls"),
        flag("BlockPublicPolicy") && flag("RestrictPublicBuckets"),
    )
}

/// The account-level public access block: `Some` flags (no configuration = nothing blocked),
/// with the answer's sha256; `None` when it could not be read.
fn account_blocks(aws: &AwsCollector, ctx: &mut UnitCtx<'_>) -> Option<(Blocks, String)> {
    let account = ctx.account().to_owned();
    if account == "unknown" {
        return None;
    }
    let region = &aws.regions[0];
    let base = match &aws.endpoint_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!(
            "https://{account}.s3-control.{region}.{}",
            aws.partition.dns_suffix()
        ),
    };
    let endpoint = crate::aws::Endpoint {
        base,
        signing_region: region.clone(),
    };
    let mut request = proto::rest_get(
        "s3",
        "GetAccountPublicAccessBlock",
        &endpoint,
        "/v20180820/configuration/publicAccessBlock",
    );
    request
        .headers
        .push(("x-amz-account-id".into(), account.clone()));
    let fetched = ctx.send(&request).ok()?;
    if (200..300).contains(&fetched.status) {
        proto::xml(&request, &fetched).ok()?;
        return Some((blocks(&fetched), fetched.sha256));
    }
    if fetched.status == 404
        && error_code(&fetched.body).as_deref() == Some("NoSuchPublicAccessBlockConfiguration")
    {
        return Some(((false, false), fetched.sha256));
    }
    None
}

pub(crate) fn collect(aws: &AwsCollector, ctx: &mut UnitCtx<'_>) {
    let home = aws.regions[0].clone();
    let account_level = account_blocks(aws, ctx);
    let endpoint = aws.endpoint("s3", &home);
    let mut buckets: Vec<(String, Option<String>)> = Vec::new();
    let mut token: Option<String> = None;
    let mut list_sources = Vec::new();
    let mut complete = false;
    for _ in 0..MAX_PAGES {
        let mut path = "/?max-buckets=1000".to_owned();
        if let Some(t) = &token {
            path.push_str(&format!("&continuation-token={}", proto::encode(t)));
        }
        let request = proto::rest_get("s3", "ListBuckets", &endpoint, &path);
        let fetched = match ctx.send_ok(&request) {
            Ok(f) => f,
            Err(err) => return fail_all(aws, ctx, &err),
        };
        let doc = match proto::xml(&request, &fetched) {
            Ok(doc) => doc,
            Err(err) => return fail_all(aws, ctx, &err),
        };
        list_sources.push(fetched.sha256.clone());
        for bucket in proto::child(doc.root_element(), "Buckets")
            .into_iter()
            .flat_map(|b| b.children())
        {
            if let Some(name) = proto::text(bucket, &["Name"]) {
                buckets.push((
                    name.to_owned(),
                    proto::text(bucket, &["BucketRegion"]).map(str::to_owned),
                ));
            }
        }
        token = proto::text(doc.root_element(), &["ContinuationToken"])
            .map(str::to_owned)
            .filter(|t| !t.is_empty());
        if token.is_none() {
            complete = true;
            break;
        }
    }
    if !complete {
        return fail_all(aws, ctx, &too_many_pages("s3", "ListBuckets"));
    }
    for (name, region) in buckets {
        let region = match region {
            Some(region) => region,
            None if aws.only_region.is_some() => aws.only_region.clone().unwrap_or_default(),
            None => match bucket_location(aws, ctx, &name) {
                Ok(region) => region,
                Err(err) => {
                    ctx.fail(KIND, &home, &name, &err);
                    continue;
                }
            },
        };
        if !aws.regions.contains(&region) {
            continue;
        }
        if let Err(err) = bucket(aws, ctx, &name, &region, &list_sources, &account_level) {
            ctx.fail(KIND, &region, &name, &err);
        }
    }
}

fn fail_all(aws: &AwsCollector, ctx: &mut UnitCtx<'_>, err: &CallError) {
    for region in &aws.regions {
        ctx.fail(KIND, region, "*", err);
    }
}

fn bucket_location(
    aws: &AwsCollector,
    ctx: &mut UnitCtx<'_>,
    name: &str,
) -> Result<String, CallError> {
    let endpoint = aws.endpoint("s3", &aws.regions[0]);
    let request = proto::rest_get(
        "s3",
        "GetBucketLocation",
        &endpoint,
        &format!("/{}?location", proto::encode(name)),
    );
    let fetched = ctx.send_ok(&request)?;
    let doc = proto::xml(&request, &fetched)?;
    let constraint = doc.root_element().text().map(str::trim).unwrap_or("");
    Ok(match constraint {
        "" => "us-east-1".to_owned(),
        "EU" => "eu-west-1".to_owned(),
        other => other.to_owned(),
    })
}

/// Fetches `/{bucket}?{sub}`; `absent` is the error code meaning "not configured" (→ `None`).
fn get_sub(
    aws: &AwsCollector,
    ctx: &mut UnitCtx<'_>,
    (region, bucket): (&str, &str),
    action: &'static str,
    sub: &str,
    absent: &[&str],
    sources: &mut Vec<String>,
) -> Result<Option<crate::runner::Fetched>, CallError> {
    let endpoint = aws.endpoint("s3", region);
    let request = proto::rest_get(
        "s3",
        action,
        &endpoint,
        &format!("/{}?{sub}", proto::encode(bucket)),
    );
    let fetched = ctx.send(&request)?;
    sources.push(fetched.sha256.clone());
    if (200..300).contains(&fetched.status) {
        proto::xml(&request, &fetched)?;
        return Ok(Some(fetched));
    }
    if fetched.status == 404
        && error_code(&fetched.body).is_some_and(|c| absent.contains(&c.as_str()))
    {
        return Ok(None);
    }
    Err(classify_status(&request, &as_response(&fetched)))
}

fn parse(fetched: &crate::runner::Fetched) -> roxmltree::Document<'_> {
    // Already validated in `get_sub`.
    roxmltree::Document::parse(std::str::from_utf8(&fetched.body).unwrap_or("<x/>"))
        .unwrap_or_else(|_| roxmltree::Document::parse("<x/>").unwrap())
}

fn bucket(
    aws: &AwsCollector,
    ctx: &mut UnitCtx<'_>,
    name: &str,
    region: &str,
    list_sources: &[String],
    account_level: &Option<(Blocks, String)>,
) -> Result<(), CallError> {
    let mut sources: Vec<String> = list_sources.to_vec();
    if let Some((_, sha)) = account_level {
        sources.push(sha.clone());
    }
    let pab = get_sub(
        aws,
        ctx,
        (region, name),
        "GetPublicAccessBlock",
        "publicAccessBlock",
        &["NoSuchPublicAccessBlockConfiguration"],
        &mut sources,
    )?;
    let bucket_level = pab.as_ref().map(blocks).unwrap_or((false, false));
    let account = account_level.as_ref().map(|(b, _)| *b);
    // What is blocked for sure (either level); the account level may add to it when unknown.
    let block_acls = bucket_level.0 || account.is_some_and(|a| a.0);
    let block_policy = bucket_level.1 || account.is_some_and(|a| a.1);
    let blocked_all = if block_acls && block_policy {
        Some(true)
    } else {
        account.map(|_| false)
    };
    let encryption = get_sub(
        aws,
        ctx,
        (region, name),
        "GetBucketEncryption",
        "encryption",
        &["ServerSideEncryptionConfigurationNotFoundError"],
        &mut sources,
    )?;
    let (encrypted, customer_key) = match &encryption {
        Some(f) => {
            let doc = parse(f);
            let algorithm = proto::descendant(doc.root_element(), "SSEAlgorithm")
                .and_then(|n| n.text())
                .map(str::trim);
            let key = proto::descendant(doc.root_element(), "KMSMasterKeyID")
                .and_then(|n| n.text())
                .map(str::trim);
            let customer = matches!(algorithm, Some("aws:kms" | "aws:kms:dsse"))
                && key.is_some_and(|k| !k.is_empty() && !k.contains("alias/aws/"));
            (algorithm.is_some(), customer)
        }
        None => (false, false),
    };
    let versioning = get_sub(
        aws,
        ctx,
        (region, name),
        "GetBucketVersioning",
        "versioning",
        &[],
        &mut sources,
    )?
    .map(|f| {
        proto::descendant(parse(&f).root_element(), "Status")
            .and_then(|n| n.text())
            .map(str::trim)
            == Some("Enabled")
    })
    .unwrap_or(false);
    let logging = get_sub(
        aws,
        ctx,
        (region, name),
        "GetBucketLogging",
        "logging",
        &[],
        &mut sources,
    )?
    .map(|f| proto::descendant(parse(&f).root_element(), "LoggingEnabled").is_some())
    .unwrap_or(false);
    let public_acl = if block_acls {
        false
    } else {
        get_sub(
            aws,
            ctx,
            (region, name),
            "GetBucketAcl",
            "acl",
            &[],
            &mut sources,
        )?
        .map(|f| {
            parse(&f).descendants().any(|n| {
                n.has_tag_name("URI")
                    && matches!(
                        n.text().map(str::trim),
                        Some(ALL_USERS | AUTHENTICATED_USERS)
                    )
            })
        })
        .unwrap_or(false)
    };
    let public_policy = if block_policy {
        false
    } else {
        get_sub(
            aws,
            ctx,
            (region, name),
            "GetBucketPolicyStatus",
            "policyStatus",
            &["NoSuchBucketPolicy"],
            &mut sources,
        )?
        .map(|f| {
            proto::boolean(
                proto::descendant(parse(&f).root_element(), "IsPublic").and_then(|n| n.text()),
            )
        })
        .unwrap_or(false)
    };
    let resource = format!("arn:{}:s3:::{name}", aws.partition.name());
    let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
    ctx.put(region, &resource, &sources, |envelope| StorageBucket {
        envelope,
        name: name.to_owned(),
        encrypted,
        customer_managed_key: customer_key,
        versioning,
        public: public_acl || public_policy,
        public_access_block: blocked_all,
        access_logging: logging,
    });
    Ok(())
}
