//! The AWS collector (partitions `aws` and `aws-cn`).
//!
//! Entry point: [`collect`]. One unit per service and region (IAM and S3's bucket listing are
//! global), run on the shared [`crate::runner`]; the region inventory is written last from the
//! resource counts. Calls per family are listed in docs/collectors.md.

mod credentials;
mod endpoint;
mod iam;
mod proto;
mod regional;
mod s3;
mod sigv4;

use std::{collections::BTreeMap, sync::Mutex};

pub use credentials::{AwsEnv, CredentialError, resolve_credentials};
pub use endpoint::{Endpoint, Partition, resolve as resolve_endpoint};
pub use sigv4::{AwsCredentials, SigV4Signer};

use crate::{
    allow::AllowList,
    http::{HttpClient, HttpConfig},
    progress::{Progress, ProgressMode},
    runner::{self, Collector, RunOptions, Unit, UnitCtx},
    sink::{EvidenceSink, ResumeState, SinkError},
};

/// Everything the AWS collector needs; the CLI fills it from flags and the environment.
#[derive(Debug, Clone)]
pub struct AwsConfig {
    /// Credentials (see [`resolve_credentials`]).
    pub credentials: AwsCredentials,
    /// Regions to collect; all in one partition.
    pub regions: Vec<String>,
    /// Send every request here instead of the real endpoints (moto on loopback).
    pub endpoint_url: Option<String>,
    /// Timeouts and retries.
    pub http: HttpConfig,
    /// Units collected in parallel.
    pub concurrency: usize,
    /// Progress display.
    pub progress: ProgressMode,
}

/// Why collection could not run at all (per-call failures are evidence, not errors).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectError {
    /// Bad configuration (no region, mixed partitions).
    #[error("invalid AWS collection settings: {0}")]
    Config(String),
    /// The HTTP client could not be built.
    #[error("{0}")]
    Client(String),
    /// The evidence sink failed.
    #[error(transparent)]
    Sink(#[from] SinkError),
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct CollectSummary {
    /// Account id (or `unknown` when the caller identity could not be read).
    pub account: String,
    /// Units collected now.
    pub units_collected: usize,
    /// Units skipped (complete in the bundle already).
    pub units_skipped: usize,
    /// API calls made (attempts that got an answer or were given up on).
    pub api_calls: u64,
    /// Resource records written now.
    pub resources: u64,
    /// `collection.status` records with status `error` written now.
    pub error_scopes: usize,
}

/// Read-only actions the AWS collector may call; anything else is refused before signing.
pub const READ_ONLY_ACTIONS: &[(&str, &str)] = &[
    ("sts", "GetCallerIdentity"),
    ("iam", "GetAccountPasswordPolicy"),
    ("iam", "GenerateCredentialReport"),
    ("iam", "GetCredentialReport"),
    ("iam", "GetAccountAuthorizationDetails"),
    ("iam", "ListAccessKeys"),
    ("iam", "GetAccessKeyLastUsed"),
    ("s3", "ListBuckets"),
    ("s3", "GetBucketLocation"),
    ("s3", "GetBucketEncryption"),
    ("s3", "GetBucketVersioning"),
    ("s3", "GetPublicAccessBlock"),
    ("s3", "GetBucketAcl"),
    ("s3", "GetBucketPolicyStatus"),
    ("s3", "GetBucketLogging"),
    ("kms", "ListKeys"),
    ("kms", "DescribeKey"),
    ("kms", "GetKeyRotationStatus"),
    ("cloudtrail", "DescribeTrails"),
    ("cloudtrail", "GetTrailStatus"),
    ("cloudtrail", "GetEventSelectors"),
    ("ec2", "DescribeRegions"),
    ("ec2", "DescribeSecurityGroups"),
    ("ec2", "DescribeVolumes"),
    ("ec2", "DescribeVpcs"),
    ("ec2", "DescribeFlowLogs"),
    ("config", "DescribeConfigurationRecorders"),
    ("config", "DescribeConfigurationRecorderStatus"),
    ("guardduty", "ListDetectors"),
    ("guardduty", "GetDetector"),
    ("backup", "ListBackupPlans"),
    ("backup", "GetBackupPlan"),
    ("rds", "DescribeDBInstances"),
];

/// The AWS allow-list.
pub fn allow_list() -> AllowList {
    AllowList::new("aws", READ_ONLY_ACTIONS)
}

/// Upper bound on pages fetched for one listing (a runaway paginator becomes an error).
pub(crate) const MAX_PAGES: usize = 200;

/// Collects `config.regions` into `sink`, skipping what `resume` shows as complete.
pub fn collect(
    config: &AwsConfig,
    sink: &dyn EvidenceSink,
    resume: &ResumeState,
) -> Result<CollectSummary, CollectError> {
    let Some(first) = config.regions.first() else {
        return Err(CollectError::Config(
            "no region given (use --region or AWS_REGION)".into(),
        ));
    };
    let partition = Partition::of(first);
    if let Some(other) = config
        .regions
        .iter()
        .find(|r| Partition::of(r) != partition)
    {
        return Err(CollectError::Config(format!(
            "regions {first} and {other} are in different partitions (separate accounts); collect them separately"
        )));
    }
    let client = HttpClient::new(
        config.http.clone(),
        allow_list(),
        Box::new(SigV4Signer::new(config.credentials.clone())),
    )
    .map_err(CollectError::Client)?;
    let aws = AwsCollector {
        partition,
        regions: config.regions.clone(),
        endpoint_url: config.endpoint_url.clone(),
        key_managers: Mutex::new(BTreeMap::new()),
    };
    let units = aws.units();
    let progress = Progress::new(config.progress, units.len() as u64 + 2);

    // The caller identity gives the account id for every envelope.
    let identity = IdentityCollector {
        aws: &aws,
        account: Mutex::new(None),
    };
    runner::run(
        &identity,
        &client,
        sink,
        &progress,
        &RunOptions {
            concurrency: 1,
            resume,
            account: "unknown",
        },
    )?;
    let account = identity
        .account
        .into_inner()
        .unwrap()
        .unwrap_or_else(|| "unknown".to_owned());

    let options = RunOptions {
        concurrency: config.concurrency,
        resume,
        account: &account,
    };
    let main = runner::run(&aws, &client, sink, &progress, &options)?;

    let mut counts: BTreeMap<String, u64> = resume.resources_per_region().clone();
    for (region, n) in &main.resources_per_region {
        *counts.entry(region.clone()).or_default() += n;
    }
    let inventory = InventoryCollector { aws: &aws, counts };
    let last = runner::run(&inventory, &client, sink, &progress, &options)?;
    progress.finish();
    let (api_calls, resources, _) = progress.totals();
    Ok(CollectSummary {
        account,
        units_collected: main.units_collected + last.units_collected,
        units_skipped: main.units_skipped + last.units_skipped,
        api_calls,
        resources,
        error_scopes: main.error_scopes + last.error_scopes,
    })
}

/// Shared state of one AWS run.
pub(crate) struct AwsCollector {
    pub(crate) partition: Partition,
    pub(crate) regions: Vec<String>,
    pub(crate) endpoint_url: Option<String>,
    /// KMS key ARN/id → customer managed, filled by the KMS units and looked up by EBS/S3.
    pub(crate) key_managers: Mutex<BTreeMap<String, bool>>,
}

impl AwsCollector {
    pub(crate) fn endpoint(&self, service: &str, region: &str) -> Endpoint {
        endpoint::resolve(
            service,
            region,
            self.partition,
            self.endpoint_url.as_deref(),
        )
    }
}

impl Collector for AwsCollector {
    fn provider(&self) -> &'static str {
        "aws"
    }

    fn units(&self) -> Vec<Unit> {
        let scoped = |service, region: &str, kinds: &[&'static str]| Unit {
            service,
            region: region.to_owned(),
            scopes: kinds.iter().map(|k| (*k, region.to_owned())).collect(),
        };
        let mut units = vec![
            scoped(
                "iam",
                "global",
                &[
                    "identity.password-policy",
                    "identity.user",
                    "identity.access-key",
                ],
            ),
            Unit {
                service: "s3",
                region: self.regions[0].clone(),
                scopes: self
                    .regions
                    .iter()
                    .map(|r| ("storage.bucket", r.clone()))
                    .collect(),
            },
        ];
        for region in &self.regions {
            units.push(scoped("kms", region, &["crypto.key"]));
            units.push(scoped(
                "ec2",
                region,
                &["network.security-group", "compute.volume", "network.vpc"],
            ));
            units.push(scoped("cloudtrail", region, &["audit.trail"]));
            units.push(scoped("config", region, &["monitoring.config-recorder"]));
            units.push(scoped(
                "guardduty",
                region,
                &["monitoring.threat-detection"],
            ));
            units.push(scoped("backup", region, &["backup.plan"]));
            units.push(scoped("rds", region, &["database.instance"]));
        }
        units
    }

    fn collect(&self, unit: &Unit, ctx: &mut UnitCtx<'_>) {
        match unit.service {
            "iam" => iam::collect(self, ctx),
            "s3" => s3::collect(self, ctx),
            "kms" => regional::kms(self, &unit.region, ctx),
            "ec2" => regional::ec2(self, &unit.region, ctx),
            "cloudtrail" => regional::cloudtrail(self, &unit.region, ctx),
            "config" => regional::config(self, &unit.region, ctx),
            "guardduty" => regional::guardduty(self, &unit.region, ctx),
            "backup" => regional::backup(self, &unit.region, ctx),
            "rds" => regional::rds(self, &unit.region, ctx),
            _ => {}
        }
    }
}

/// Reads the account id (STS GetCallerIdentity); writes no status of its own.
struct IdentityCollector<'a> {
    aws: &'a AwsCollector,
    account: Mutex<Option<String>>,
}

impl Collector for IdentityCollector<'_> {
    fn provider(&self) -> &'static str {
        "aws"
    }

    fn units(&self) -> Vec<Unit> {
        vec![Unit {
            service: "sts",
            region: self.aws.regions[0].clone(),
            scopes: Vec::new(),
        }]
    }

    fn collect(&self, unit: &Unit, ctx: &mut UnitCtx<'_>) {
        let endpoint = self.aws.endpoint("sts", &unit.region);
        let request = proto::query("sts", "GetCallerIdentity", "2011-06-15", &endpoint, &[]);
        let Ok(fetched) = ctx.send_ok(&request) else {
            return;
        };
        let Ok(doc) = proto::xml(&request, &fetched) else {
            return;
        };
        if let Some(account) =
            proto::descendant(doc.root_element(), "Account").and_then(|n| n.text())
        {
            ctx.set_account(account.trim());
            *self.account.lock().unwrap() = Some(account.trim().to_owned());
        }
    }
}

/// Writes `region.inventory` for every collected region from DescribeRegions and the counts.
struct InventoryCollector<'a> {
    aws: &'a AwsCollector,
    counts: BTreeMap<String, u64>,
}

impl Collector for InventoryCollector<'_> {
    fn provider(&self) -> &'static str {
        "aws"
    }

    fn units(&self) -> Vec<Unit> {
        vec![Unit {
            service: "ec2",
            region: self.aws.regions[0].clone(),
            scopes: self
                .aws
                .regions
                .iter()
                .map(|r| ("region.inventory", r.clone()))
                .collect(),
        }]
    }

    fn collect(&self, unit: &Unit, ctx: &mut UnitCtx<'_>) {
        let endpoint = self.aws.endpoint("ec2", &unit.region);
        let request = proto::query("ec2", "DescribeRegions", "2016-11-15", &endpoint, &[]);
        let fetched = match ctx.send_ok(&request) {
            Ok(fetched) => fetched,
            Err(err) => {
                for region in &self.aws.regions {
                    ctx.fail("region.inventory", region, "*", &err);
                }
                return;
            }
        };
        if let Err(err) = proto::xml(&request, &fetched) {
            for region in &self.aws.regions {
                ctx.fail("region.inventory", region, "*", &err);
            }
            return;
        }
        for region in &self.aws.regions {
            let count = self.counts.get(region).copied().unwrap_or(0);
            let mut fields = serde_json::Map::new();
            fields.insert("mainland_china".into(), region.starts_with("cn-").into());
            fields.insert("holds_data".into(), (count > 0).into());
            fields.insert("resource_count".into(), count.into());
            ctx.record(
                "region.inventory",
                region,
                region,
                fields,
                &[&fetched.sha256],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{secret::Secret, sink::MemorySink};

    #[test]
    fn allow_list_holds_only_read_actions() {
        for (service, action) in READ_ONLY_ACTIONS {
            let read = ["Get", "List", "Describe"].iter().any(|p| action.starts_with(p))
                // Asks IAM to (re)build the read-only credential report; changes no configuration.
                || *action == "GenerateCredentialReport";
            assert!(read, "{service}:{action} is not a read");
        }
        let list = allow_list();
        for (service, action) in [
            ("iam", "CreateUser"),
            ("s3", "PutBucketAcl"),
            ("ec2", "RunInstances"),
            ("kms", "ScheduleKeyDeletion"),
        ] {
            assert!(!list.permits(service, action), "{service}:{action}");
        }
    }

    /// Library-level run against moto (skipped without `CLOUDCAP_MOTO_URL`); the end-to-end
    /// assertions live in the root package's `tests/it/moto.rs`.
    #[test]
    fn moto_smoke() {
        let (Ok(url), Ok(id), Ok(secret)) = (
            std::env::var("CLOUDCAP_MOTO_URL"),
            std::env::var("CLOUDCAP_MOTO_ACCESS_KEY_ID"),
            std::env::var("CLOUDCAP_MOTO_SECRET_ACCESS_KEY"),
        ) else {
            eprintln!("SKIPPED moto_smoke: CLOUDCAP_MOTO_URL is not set");
            return;
        };
        let config = AwsConfig {
            credentials: AwsCredentials {
                access_key_id: id,
                secret_access_key: Secret::new(secret),
                session_token: None,
            },
            regions: vec!["cn-north-1".into()],
            endpoint_url: Some(url),
            http: HttpConfig {
                max_attempts: 2,
                ..HttpConfig::production()
            },
            concurrency: 4,
            progress: ProgressMode::Quiet,
        };
        let sink = MemorySink::default();
        let summary = collect(&config, &sink, &ResumeState::default()).unwrap();
        assert_eq!(summary.account, "123456789012");
        // GuardDuty and Backup: moto 5.2.5 rejects signed REST-JSON GETs (docs/collectors.md).
        assert!(summary.error_scopes <= 2, "{summary:?}");
        assert!(summary.resources > 30, "{summary:?}");
    }
}
