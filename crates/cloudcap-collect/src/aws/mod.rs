//! The AWS collector (partitions `aws` and `aws-cn`).
//!
//! Entry points: [`discover`] (account id and the partition's region listing, kept in memory so
//! that a bad `--region` is refused before anything is written), then [`collect`]. One unit per
//! service and region (IAM and S3's bucket listing are global), run on the shared
//! [`crate::runner`]; the region inventory and the run's boundary (`collection.run`, and the
//! listed regions left out) are written last. Calls per family are listed in docs/collectors.md.

mod credentials;
mod endpoint;
mod iam;
pub mod org;
mod proto;
mod regional;
mod s3;
pub(crate) mod sigv4;

use std::{collections::BTreeMap, sync::Mutex};

pub use credentials::{AwsEnv, CredentialError, resolve_credentials};
pub use endpoint::{Endpoint, Partition, resolve as resolve_endpoint};
pub use sigv4::{AwsCredentials, SigV4Signer};

use crate::{
    allow::AllowList,
    boundary::{self, RunBoundary},
    http::CallError,
    http::{HttpClient, HttpConfig},
    progress::{Progress, ProgressMode},
    runner::{self, Collector, RunOptions, Unit, UnitCtx},
    sink::{EvidenceSink, MemorySink, ResumeState, SinkError},
};

/// Everything the AWS collector needs; the CLI fills it from flags and the environment.
#[derive(Debug, Clone)]
pub struct AwsConfig {
    /// Credentials (see [`resolve_credentials`]).
    pub credentials: AwsCredentials,
    /// Regions asked for (`--region`), all in one partition; empty = every region the
    /// account's listing returns in the partition.
    pub regions: Vec<String>,
    /// Region the account id and the region listing are read from (`AWS_REGION`), when set.
    /// Ignored when it is not in the partition of `regions`; default: the first of `regions`,
    /// else `us-east-1`. A `cn-*` discovery region means partition `aws-cn`.
    pub discovery_region: Option<String>,
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
    /// Bad configuration (mixed partitions).
    #[error("invalid AWS collection settings: {0}")]
    Config(String),
    /// `--region` names regions the account's region listing does not return.
    #[error(
        "region(s) {} not in the region listing of this account in partition {partition} (listed: {}); nothing was collected",
        unknown.join(", "),
        listed.join(", ")
    )]
    UnknownRegions {
        /// The requested regions not listed.
        unknown: Vec<String>,
        /// Partition name.
        partition: &'static str,
        /// What the listing returned.
        listed: Vec<String>,
    },
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
    /// `collection.status` records with status `error` written now (`not-collected` regions
    /// are not errors of the run: they are what was asked for).
    pub error_scopes: usize,
    /// Regions collected.
    pub regions_collected: usize,
    /// Listed regions left out by `--region`.
    pub regions_not_collected: usize,
}

/// Read-only actions the AWS collector may call; anything else is refused before signing.
pub const READ_ONLY_ACTIONS: &[(&str, &str)] = &[
    ("sts", "GetCallerIdentity"),
    // `--organization`: the organization's account listing, and temporary credentials for the
    // read-only role in each member account (issues credentials, changes no configuration).
    ("organizations", "ListAccounts"),
    ("sts", "AssumeRole"),
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
    // S3 Control GetPublicAccessBlock (the account level), by its IAM action name.
    ("s3", "GetAccountPublicAccessBlock"),
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

/// Every kind the AWS collector reports on (the scopes of its units; test
/// `units_cover_every_kind`).
pub const KINDS: &[&str] = &[
    "identity.password-policy",
    "identity.user",
    "identity.access-key",
    "storage.bucket",
    "crypto.key",
    "network.security-group",
    "compute.volume",
    "network.vpc",
    "audit.trail",
    "monitoring.config-recorder",
    "monitoring.threat-detection",
    "backup.plan",
    "database.instance",
    "region.inventory",
];

/// Regional kinds: a listed region left out gets a `not-collected` status for each.
const REGIONAL_KINDS: &[&str] = &[
    "storage.bucket",
    "crypto.key",
    "network.security-group",
    "compute.volume",
    "network.vpc",
    "audit.trail",
    "monitoring.config-recorder",
    "monitoring.threat-detection",
    "backup.plan",
    "database.instance",
];

/// What discovery learned before anything is written: the account, the partition's region
/// listing and the regions to collect. Its raw answers are held in memory and written by
/// [`collect`].
#[derive(Debug)]
pub struct Discovery {
    /// Account id (`unknown` when the caller identity could not be read).
    pub account: String,
    /// Partition of the run.
    pub partition: Partition,
    /// Region the discovery calls were made in.
    pub discovery_region: String,
    /// Enabled regions of the partition, sorted; `None` when the listing failed.
    pub listed: Option<Vec<String>>,
    /// The `--region` restriction, sorted; `None` for "every listed region".
    pub requested: Option<Vec<String>>,
    /// Regions to collect, sorted.
    pub regions: Vec<String>,
    listing: Result<String, CallError>,
    held: MemorySink,
    api_calls: u64,
}

/// Reads the account id (STS GetCallerIdentity) and the region listing (EC2 DescribeRegions
/// without `AllRegions`: the regions the account has enabled) from the discovery region, and
/// decides what to collect. A requested region the listing does not return is
/// [`CollectError::UnknownRegions`]; nothing has been written then. When the listing itself
/// fails, the requested regions (or the discovery region) are collected and the failure is
/// recorded as the `region.inventory` status of each.
pub fn discover(config: &AwsConfig) -> Result<Discovery, CollectError> {
    let mut requested = config.regions.clone();
    requested.sort();
    requested.dedup();
    if let Some(first) = requested.first()
        && let Some(other) = requested
            .iter()
            .find(|r| Partition::of(r) != Partition::of(first))
    {
        return Err(CollectError::Config(format!(
            "regions {first} and {other} are in different partitions (separate accounts); collect them separately"
        )));
    }
    let discovery_region = match (requested.first(), &config.discovery_region) {
        (Some(first), Some(env)) if Partition::of(env) != Partition::of(first) => first.clone(),
        (_, Some(env)) => env.clone(),
        (Some(first), None) => first.clone(),
        (None, None) => "us-east-1".to_owned(),
    };
    let partition = Partition::of(&discovery_region);
    let client = client(config)?;
    let aws = AwsCollector {
        partition,
        regions: vec![discovery_region.clone()],
        only_region: None,
        endpoint_url: config.endpoint_url.clone(),
        key_managers: Mutex::new(BTreeMap::new()),
    };
    let held = MemorySink::default();
    let progress = Progress::new(ProgressMode::Quiet, 2);
    let resume = ResumeState::default();
    let identity = IdentityCollector {
        aws: &aws,
        account: Mutex::new(None),
    };
    let options = RunOptions {
        concurrency: 1,
        resume: &resume,
        account: "unknown",
    };
    runner::run(&identity, &client, &held, &progress, &options)?;
    let account = identity
        .account
        .into_inner()
        .unwrap()
        .unwrap_or_else(|| "unknown".to_owned());
    let regions = RegionsCollector {
        aws: &aws,
        listing: Mutex::new(None),
    };
    runner::run(
        &regions,
        &client,
        &held,
        &progress,
        &RunOptions {
            account: &account,
            ..options
        },
    )?;
    let listing = regions
        .listing
        .into_inner()
        .unwrap()
        .expect("the listing unit ran");
    let (api_calls, _, _) = progress.totals();
    let listed = listing.as_ref().ok().map(|(_, regions)| regions.clone());
    let to_collect = match (&listed, requested.is_empty()) {
        (Some(listed), true) => listed.clone(),
        (Some(listed), false) => {
            let unknown: Vec<String> = requested
                .iter()
                .filter(|r| !listed.contains(r))
                .cloned()
                .collect();
            if !unknown.is_empty() {
                return Err(CollectError::UnknownRegions {
                    unknown,
                    partition: partition.name(),
                    listed: listed.clone(),
                });
            }
            requested.clone()
        }
        (None, true) => vec![discovery_region.clone()],
        (None, false) => requested.clone(),
    };
    Ok(Discovery {
        account,
        partition,
        discovery_region,
        listed,
        requested: (!requested.is_empty()).then_some(requested),
        regions: to_collect,
        listing: listing.map(|(sha, _)| sha),
        held,
        api_calls,
    })
}

fn client(config: &AwsConfig) -> Result<HttpClient, CollectError> {
    HttpClient::new(
        config.http.clone(),
        allow_list(),
        Box::new(SigV4Signer::new(config.credentials.clone())),
    )
    .map_err(CollectError::Client)
}

/// Collects the regions `discovery` chose into `sink`, skipping what `resume` shows as
/// complete, then writes the region inventory (every listed region, with `collected`) and the
/// run's `collection.run`.
pub fn collect(
    config: &AwsConfig,
    discovery: Discovery,
    sink: &dyn EvidenceSink,
    resume: &ResumeState,
) -> Result<CollectSummary, CollectError> {
    // Notes where data-bearing kinds are incomplete, for `holds_data`.
    let watch = crate::sink::DataWatch::new(sink);
    let sink: &dyn EvidenceSink = &watch;
    // Discovery's raw answers (the listing is the inventory's source).
    for (meta, bytes) in discovery.held.raws() {
        sink.add_raw(&meta, &bytes)?;
    }
    for (kind, record) in discovery.held.records() {
        sink.add_record(&kind, &record)?;
    }
    let account = discovery.account.clone();
    if discovery.regions.is_empty() {
        return Err(CollectError::Config(
            "the account's region listing returned no region in this partition".into(),
        ));
    }
    let client = client(config)?;
    let aws = AwsCollector {
        partition: discovery.partition,
        regions: discovery.regions.clone(),
        only_region: match discovery.listed.as_deref() {
            Some([only]) => Some(only.clone()),
            _ => None,
        },
        endpoint_url: config.endpoint_url.clone(),
        key_managers: Mutex::new(BTreeMap::new()),
    };
    let units = aws.units();
    let progress = Progress::new(config.progress, units.len() as u64 + 1);
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
    let mut data: BTreeMap<String, u64> = resume.data_per_region().clone();
    for (region, n) in &main.data_per_region {
        *data.entry(region.clone()).or_default() += n;
    }
    let incomplete = aws
        .regions
        .iter()
        .filter(|r| watch.incomplete(resume, r))
        .cloned()
        .collect();
    let inventory = InventoryCollector {
        aws: &aws,
        counts,
        data,
        incomplete,
        listing: discovery.listing.clone(),
    };
    let last = runner::run(&inventory, &client, sink, &progress, &options)?;

    // The listed regions left out by `--region`.
    let mut not_collected = 0;
    if let (Some(listed), Ok(listing)) = (&discovery.listed, &discovery.listing) {
        for region in listed.iter().filter(|r| !aws.regions.contains(r)) {
            not_collected += 1;
            if resume.has_status("region.inventory", region) {
                continue;
            }
            boundary::write_not_collected(
                sink,
                "aws",
                &account,
                region,
                Some(region.starts_with("cn-")),
                REGIONAL_KINDS,
                listing,
                "not collected: left out by --region",
            )?;
        }
    }
    let mut kinds: Vec<String> = units
        .iter()
        .chain(inventory.units().iter())
        .flat_map(|u| u.scopes.iter().map(|(kind, _)| (*kind).to_owned()))
        .collect();
    kinds.sort();
    kinds.dedup();
    boundary::write_run(
        sink,
        &RunBoundary {
            provider: "aws",
            partition: discovery.partition.name(),
            account: &account,
            regions_listed: discovery.listed.clone().unwrap_or_default(),
            regions_requested: discovery.requested.clone(),
            account_declared: false,
            regions_collected: aws.regions.clone(),
            kinds,
        },
    )?;
    progress.finish();
    let (api_calls, resources, _) = progress.totals();
    Ok(CollectSummary {
        account,
        units_collected: main.units_collected + last.units_collected,
        units_skipped: main.units_skipped + last.units_skipped,
        api_calls: api_calls + discovery.api_calls,
        resources,
        error_scopes: main.error_scopes + last.error_scopes,
        regions_collected: aws.regions.len(),
        regions_not_collected: not_collected,
    })
}

/// Shared state of one AWS run.
pub(crate) struct AwsCollector {
    pub(crate) partition: Partition,
    pub(crate) regions: Vec<String>,
    /// The partition's only listed region, when the listing holds exactly one: a bucket that
    /// ListBuckets gives no region is there without asking GetBucketLocation.
    pub(crate) only_region: Option<String>,
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
    fn provider(&self) -> cloudcap_evidence::Provider {
        cloudcap_evidence::Provider::Aws
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
    fn provider(&self) -> cloudcap_evidence::Provider {
        cloudcap_evidence::Provider::Aws
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

/// Reads the partition's enabled regions (EC2 DescribeRegions); writes no status of its own
/// (the inventory unit reports a failed listing).
struct RegionsCollector<'a> {
    aws: &'a AwsCollector,
    listing: Mutex<Option<Listing>>,
}

/// (sha256 of the DescribeRegions answer, sorted regions of the partition), or why not.
type Listing = Result<(String, Vec<String>), CallError>;

impl Collector for RegionsCollector<'_> {
    fn provider(&self) -> cloudcap_evidence::Provider {
        cloudcap_evidence::Provider::Aws
    }

    fn units(&self) -> Vec<Unit> {
        vec![Unit {
            service: "ec2",
            region: self.aws.regions[0].clone(),
            scopes: Vec::new(),
        }]
    }

    fn collect(&self, unit: &Unit, ctx: &mut UnitCtx<'_>) {
        let result = (|| {
            let endpoint = self.aws.endpoint("ec2", &unit.region);
            let request = proto::query("ec2", "DescribeRegions", "2016-11-15", &endpoint, &[]);
            let fetched = ctx.send_ok(&request)?;
            let doc = proto::xml(&request, &fetched)?;
            let root = doc.root_element();
            if proto::child(root, "regionInfo").is_none() {
                return Err(proto::missing(&request, "regionInfo"));
            }
            let mut regions: Vec<String> = proto::items(root, &["regionInfo"])
                .into_iter()
                .filter(|item| {
                    // Without AllRegions only enabled regions are returned; an emulator may
                    // still list opt-in regions the account has not opted into.
                    proto::text(*item, &["optInStatus"]) != Some("not-opted-in")
                })
                .filter_map(|item| proto::text(item, &["regionName"]))
                .map(|name| name.trim().to_owned())
                .filter(|name| self.aws.partition.contains(name))
                .collect();
            regions.sort();
            regions.dedup();
            Ok((fetched.sha256, regions))
        })();
        *self.listing.lock().unwrap() = Some(result);
    }
}

/// Writes `region.inventory` for every collected region from the listing and the counts.
struct InventoryCollector<'a> {
    aws: &'a AwsCollector,
    /// Records per region (all kinds but the inventory).
    counts: BTreeMap<String, u64>,
    /// Records of data-bearing kinds per region.
    data: BTreeMap<String, u64>,
    /// Regions where a data-bearing kind ended in an error.
    incomplete: std::collections::BTreeSet<String>,
    /// sha256 of the region listing, or why it failed.
    listing: Result<String, CallError>,
}

impl Collector for InventoryCollector<'_> {
    fn provider(&self) -> cloudcap_evidence::Provider {
        cloudcap_evidence::Provider::Aws
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

    fn collect(&self, _unit: &Unit, ctx: &mut UnitCtx<'_>) {
        let listing = match &self.listing {
            Ok(sha) => sha,
            Err(err) => {
                for region in &self.aws.regions {
                    ctx.fail("region.inventory", region, "*", err);
                }
                return;
            }
        };
        for region in &self.aws.regions {
            let count = self.counts.get(region).copied().unwrap_or(0);
            let data = self.data.get(region).copied().unwrap_or(0);
            ctx.put(region, region, &[listing], |envelope| {
                cloudcap_evidence::RegionInventory {
                    envelope,
                    mainland_china: Some(region.starts_with("cn-")),
                    collected: Some(true),
                    // No data found where a data-bearing kind is incomplete: not known.
                    holds_data: (data > 0 || !self.incomplete.contains(region)).then_some(data > 0),
                    resource_count: Some(count),
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{secret::Secret, sink::MemorySink};

    #[test]
    fn units_cover_every_kind() {
        let aws = AwsCollector {
            partition: Partition::AwsCn,
            regions: vec!["cn-north-1".to_owned(), "cn-northwest-1".to_owned()],
            only_region: None,
            endpoint_url: None,
            key_managers: Mutex::new(BTreeMap::new()),
        };
        let mut covered: Vec<&str> = aws
            .units()
            .iter()
            .flat_map(|u| u.scopes.iter().map(|(kind, _)| *kind))
            .chain(["region.inventory"])
            .collect();
        covered.sort();
        covered.dedup();
        let mut kinds = KINDS.to_vec();
        kinds.sort();
        assert_eq!(covered, kinds);
    }

    #[test]
    fn allow_list_holds_only_read_actions() {
        for (service, action) in READ_ONLY_ACTIONS {
            let read = ["Get", "List", "Describe"].iter().any(|p| action.starts_with(p))
                // Asks IAM to (re)build the read-only credential report; changes no configuration.
                || *action == "GenerateCredentialReport"
                // Hands out temporary credentials of the named read-only role; changes nothing.
                || (*service, *action) == ("sts", "AssumeRole");
            assert!(read, "{service}:{action} is not a read");
        }
        let list = allow_list();
        for (service, action) in [
            ("iam", "CreateUser"),
            ("s3", "PutBucketAcl"),
            ("ec2", "RunInstances"),
            ("kms", "ScheduleKeyDeletion"),
            ("organizations", "CreateAccount"),
            ("sts", "AssumeRoleWithWebIdentity"),
        ] {
            assert!(!list.permits(service, action), "{service}:{action}");
        }
    }

    /// Library-level run against moto (skipped without `CLOUDCAP_MOTO_URL`); the end-to-end
    /// assertions live in the root package's `tests/it/moto.rs`.
    #[test]
    // A test may read the environment (where moto listens) and say why it skipped.
    #[allow(clippy::disallowed_methods, clippy::disallowed_macros)]
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
            discovery_region: None,
            endpoint_url: Some(url),
            http: HttpConfig {
                max_attempts: 2,
                ..HttpConfig::production()
            },
            concurrency: 4,
            progress: ProgressMode::Quiet,
        };
        let discovery = discover(&config).unwrap();
        assert_eq!(
            discovery.listed.as_deref(),
            Some(&["cn-north-1".to_owned(), "cn-northwest-1".to_owned()][..])
        );
        assert_eq!(discovery.regions, ["cn-north-1"]);
        let sink = MemorySink::default();
        let summary = collect(&config, discovery, &sink, &ResumeState::default()).unwrap();
        assert_eq!(summary.account, "123456789012");
        assert_eq!(
            (summary.regions_collected, summary.regions_not_collected),
            (1, 1)
        );
        let unknown = AwsConfig {
            regions: vec!["cn-north-1".into(), "cn-south-9".into()],
            ..config.clone()
        };
        match discover(&unknown) {
            Err(CollectError::UnknownRegions { unknown, .. }) => {
                assert_eq!(unknown, ["cn-south-9"]);
            }
            other => panic!("{other:?}"),
        }
        // GuardDuty and Backup: moto 5.2.5 rejects signed REST-JSON GETs (docs/collectors.md).
        assert!(summary.error_scopes <= 2, "{summary:?}");
        assert!(summary.resources > 30, "{summary:?}");
    }
}
