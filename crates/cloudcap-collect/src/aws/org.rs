//! AWS Organizations: the member accounts of an organization (`organizations:ListAccounts`,
//! from the management or a delegated administrator account) and temporary credentials for
//! each through `sts:AssumeRole` into a named role.
//!
//! Neither answer is kept as raw evidence: the account listing describes the estate, not one
//! account, and an AssumeRole answer holds the temporary secret key and session token, which
//! must never reach a bundle. An account whose role cannot be assumed still gets a bundle:
//! [`write_unassumable`] records the failure for every scope it would have collected, so the
//! assessment boundary names the account and none of its kinds is evaluated.

use std::{collections::BTreeMap, sync::Mutex};

use crate::{
    aws::{AwsCollector, AwsConfig, CollectError, KINDS, MAX_PAGES, client, endpoint, proto},
    boundary::{self, RunBoundary},
    http::{ApiResponse, CallError, ErrorClass, classify_status},
    runner::{Collector, Fetched},
    secret::Secret,
    sink::{EvidenceSink, ResumeState, STATUS_KIND, SinkError},
};

use super::{Partition, sigv4::AwsCredentials};

/// Session name of every AssumeRole call (it shows in the member account's CloudTrail).
pub const SESSION_NAME: &str = "cloudcap-audit";

/// One account of the organization's listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    /// 12-digit account id.
    pub id: String,
    /// Account name.
    pub name: String,
    /// `ACTIVE`, `SUSPENDED` or `PENDING_CLOSURE`.
    pub status: String,
}

/// Why the account listing could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OrgError {
    /// The caller may not list the accounts.
    #[error(
        "the caller may not list the organization's accounts: permission organizations:ListAccounts is missing ({0}); run from the management account or a delegated administrator account with that permission"
    )]
    Denied(CallError),
    /// Any other failure of the listing (never a partial list).
    #[error("cannot list the organization's accounts: {0}")]
    Listing(CallError),
    /// The client could not be built.
    #[error(transparent)]
    Collect(#[from] CollectError),
}

/// Region Organizations is served from and signed for in `partition` (a global service).
fn organizations_region(partition: Partition) -> &'static str {
    match partition {
        Partition::Aws => "us-east-1",
        Partition::AwsCn => "cn-northwest-1",
    }
}

fn check(request: &crate::http::ApiRequest, response: ApiResponse) -> Result<Vec<u8>, CallError> {
    if (200..300).contains(&response.status) {
        Ok(response.body)
    } else {
        Err(classify_status(request, &response))
    }
}

/// Lists every account of the organization, paged to the end through `NextToken`; a listing
/// longer than the page bound is an error, never a silent cut.
pub fn list_accounts(
    config: &AwsConfig,
    partition: Partition,
) -> Result<Vec<OrgAccount>, OrgError> {
    let client = client(config)?;
    let endpoint = endpoint::resolve(
        "organizations",
        organizations_region(partition),
        partition,
        config.endpoint_url.as_deref(),
    );
    let mut accounts = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut body = serde_json::Map::new();
        if let Some(token) = &token {
            body.insert("NextToken".into(), serde_json::json!(token));
        }
        let request = proto::json(
            "organizations",
            "ListAccounts",
            "AWSOrganizationsV20161128",
            &endpoint,
            &serde_json::Value::Object(body),
        );
        let answer = client
            .send(&request)
            .and_then(|response| check(&request, response))
            .map_err(|err| match err.code.as_deref() {
                // A refusal of the action itself; an unknown key or a bad signature is not.
                Some("AccessDenied" | "AccessDeniedException") => OrgError::Denied(err),
                _ => OrgError::Listing(err),
            })?;
        let fetched = Fetched {
            status: 200,
            sha256: String::new(),
            body: answer,
        };
        let doc = proto::json_body(&request, &fetched).map_err(OrgError::Listing)?;
        let Some(page) = doc.get("Accounts").and_then(|a| a.as_array()) else {
            return Err(OrgError::Listing(proto::missing(&request, "Accounts")));
        };
        for item in page {
            let field = |name: &str| item.get(name).and_then(|v| v.as_str()).map(str::to_owned);
            let (Some(id), Some(status)) = (field("Id"), field("Status")) else {
                return Err(OrgError::Listing(proto::missing(
                    &request,
                    "Id and Status of an account",
                )));
            };
            accounts.push(OrgAccount {
                id,
                name: field("Name").unwrap_or_default(),
                status,
            });
        }
        token = doc
            .get("NextToken")
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() {
            accounts.sort_by(|a, b| a.id.cmp(&b.id));
            accounts.dedup_by(|a, b| a.id == b.id);
            return Ok(accounts);
        }
    }
    Err(OrgError::Listing(CallError {
        class: ErrorClass::Truncated,
        service: "organizations",
        action: "ListAccounts",
        code: None,
        status: None,
        message: format!("the listing did not end within {MAX_PAGES} pages"),
    }))
}

/// The role ARN assumed in `account`.
pub fn role_arn(partition: Partition, account: &str, role_name: &str) -> String {
    format!("arn:{}:iam::{account}:role/{role_name}", partition.name())
}

/// Temporary credentials for `role_arn` (STS AssumeRole, signed by the caller's credentials,
/// in `region`). The answer is parsed in memory and dropped: it is never evidence.
pub fn assume_role(
    config: &AwsConfig,
    partition: Partition,
    region: &str,
    role_arn: &str,
    external_id: Option<&str>,
) -> Result<AwsCredentials, CallError> {
    let client = client(config).map_err(|err| CallError {
        class: ErrorClass::Malformed,
        service: "sts",
        action: "AssumeRole",
        code: None,
        status: None,
        message: err.to_string(),
    })?;
    let endpoint = endpoint::resolve("sts", region, partition, config.endpoint_url.as_deref());
    let mut params = vec![
        ("RoleArn", role_arn.to_owned()),
        ("RoleSessionName", SESSION_NAME.to_owned()),
    ];
    if let Some(external_id) = external_id {
        params.push(("ExternalId", external_id.to_owned()));
    }
    let request = proto::query("sts", "AssumeRole", "2011-06-15", &endpoint, &params);
    let body = client
        .send(&request)
        .and_then(|response| check(&request, response))?;
    let fetched = Fetched {
        status: 200,
        sha256: String::new(),
        body,
    };
    let doc = proto::xml(&request, &fetched)?;
    let Some(credentials) = proto::descendant(doc.root_element(), "Credentials") else {
        return Err(proto::missing(&request, "Credentials"));
    };
    let field = |name: &str| proto::text(credentials, &[name]).filter(|v| !v.is_empty());
    match (
        field("AccessKeyId"),
        field("SecretAccessKey"),
        field("SessionToken"),
    ) {
        (Some(id), Some(secret), Some(token)) => Ok(AwsCredentials {
            access_key_id: id.to_owned(),
            secret_access_key: Secret::new(secret),
            session_token: Some(Secret::new(token)),
        }),
        _ => Err(proto::missing(
            &request,
            "AccessKeyId, SecretAccessKey and SessionToken",
        )),
    }
}

/// Writes the bundle of an account whose role could not be assumed: for every `(kind,
/// region)` the collector would have covered in `regions` a `collection.status` with the
/// AssumeRole failure (its class, e.g. `access-denied`, and error code), and the run's
/// `collection.run` (nothing listed, nothing collected; `requested` is the run's `--region`
/// restriction, `None` without one). Returns the scopes written.
#[allow(clippy::too_many_arguments)]
pub fn write_unassumable(
    sink: &dyn EvidenceSink,
    partition: Partition,
    account: &str,
    regions: &[String],
    requested: Option<&[String]>,
    role_arn: &str,
    error: &CallError,
    resume: &ResumeState,
) -> Result<usize, SinkError> {
    let aws = AwsCollector {
        partition,
        regions: regions.to_vec(),
        only_region: None,
        endpoint_url: None,
        key_managers: Mutex::new(BTreeMap::new()),
    };
    let mut scopes: Vec<(&str, String)> = aws
        .units()
        .iter()
        .flat_map(|u| u.scopes.iter().map(|(k, r)| (*k, r.clone())))
        .chain(regions.iter().map(|r| ("region.inventory", r.clone())))
        .collect();
    scopes.sort();
    scopes.dedup();
    let message = format!("role {role_arn} not assumed: {error}");
    for (kind, region) in &scopes {
        if resume.has_status(kind, region) {
            continue;
        }
        let status = serde_json::json!({
            "kind": kind,
            "provider": "aws",
            "account": account,
            "region": region,
            "status": "error",
            "error_class": error.class.as_str(),
            "message": message,
            "record_count": 0,
        });
        sink.add_record(STATUS_KIND, &status)?;
    }
    boundary::write_run(
        sink,
        &RunBoundary {
            provider: "aws",
            partition: partition.name(),
            account,
            regions_listed: Vec::new(),
            regions_requested: requested.map(<[String]>::to_vec),
            account_declared: false,
            regions_collected: Vec::new(),
            kinds: KINDS.iter().map(|k| (*k).to_owned()).collect(),
        },
    )?;
    Ok(scopes.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::MemorySink;

    #[test]
    fn unassumable_account_fails_every_scope() {
        let sink = MemorySink::default();
        let error = CallError {
            class: ErrorClass::AccessDenied,
            service: "sts",
            action: "AssumeRole",
            code: Some("AccessDenied".into()),
            status: Some(403),
            message: "HTTP 403 AccessDenied".into(),
        };
        let regions = vec!["eu-west-1".to_owned(), "us-east-1".to_owned()];
        let arn = role_arn(Partition::Aws, "210987654321", "audit");
        assert_eq!(arn, "arn:aws:iam::210987654321:role/audit");
        let n = write_unassumable(
            &sink,
            Partition::Aws,
            "210987654321",
            &regions,
            None,
            &arn,
            &error,
            &ResumeState::default(),
        )
        .unwrap();
        let records = sink.records();
        let statuses: Vec<_> = records.iter().filter(|(k, _)| k == STATUS_KIND).collect();
        assert_eq!(statuses.len(), n);
        // Three global IAM kinds, ten regional kinds and the inventory in each region.
        assert_eq!(n, 3 + 2 * 11);
        for (_, status) in &statuses {
            assert_eq!(status["status"], "error");
            assert_eq!(status["error_class"], "access-denied");
            assert!(status["message"].as_str().unwrap().contains("AccessDenied"));
        }
        let run = records.iter().find(|(k, _)| k == "collection.run").unwrap();
        assert_eq!(run.1["regions_collected"], serde_json::json!([]));
        assert_eq!(run.1["account"], "210987654321");
        // No `--region`: no restriction recorded.
        assert!(run.1.get("regions_requested").is_none(), "{:#}", run.1);
    }
}
