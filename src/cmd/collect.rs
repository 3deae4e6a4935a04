//! `cloudcap collect aws`: collect evidence from a provider into a bundle.
//!
//! The only place that reads the `AWS_*` environment; the collector library is handed an
//! [`AwsConfig`]. Exit codes: 0 everything collected, 3 some evidence scopes have collection
//! errors (recorded in the bundle as `collection.status`), 4 collection could not run.

use std::{path::PathBuf, time::Duration};

use anyhow::{Context, Result, format_err};
use cloudcap_collect::{
    HttpConfig, ProgressMode, Secret,
    aws::{self, AwsConfig, AwsEnv},
    bundle::BundleSink,
};
use cloudcap_evidence::{BundleInfo, BundleWriter};

use crate::exit;

#[path = "collect_cn.rs"]
mod cn;

/// Collect evidence from a cloud provider into an evidence bundle.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    provider: Provider,
}

#[derive(clap::Subcommand)]
enum Provider {
    /// Amazon Web Services, partitions `aws` and `aws-cn` (China regions).
    ///
    /// Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, or a profile
    /// (--profile, AWS_PROFILE) from AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials.
    /// Re-running into an unfinished bundle continues it: units already complete are skipped.
    /// Exit status: 0 all collected, 3 some scopes have collection errors, 4 could not run.
    Aws(AwsArgs),
    /// Alibaba Cloud (ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET).
    Alibaba(cn::CnArgs),
    /// Tencent Cloud (TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY).
    Tencent(cn::CnArgs),
    /// Huawei Cloud (HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK).
    Huawei(cn::CnArgs),
}

#[derive(clap::Args)]
struct AwsArgs {
    /// Bundle directory to create, or to continue if a previous run was interrupted.
    #[arg(long, value_name = "BUNDLE")]
    out: PathBuf,
    /// Region to collect (repeatable); default: AWS_REGION.
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
    /// Send every request to this endpoint (e.g. a loopback moto server); default: AWS_ENDPOINT_URL.
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// Shared-credentials profile (beats environment keys); default: AWS_PROFILE.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// No progress output.
    #[arg(long)]
    quiet: bool,
    /// Attempts per API call, including the first.
    #[arg(long, default_value_t = 5, value_name = "N")]
    max_attempts: u32,
    /// Timeout of one API call attempt, in seconds.
    #[arg(long, default_value_t = 60, value_name = "S")]
    timeout_secs: u64,
    /// Services/regions collected in parallel.
    #[arg(long, default_value_t = 4, value_name = "N")]
    concurrency: usize,
}

pub(crate) fn run(args: Args) -> Result<u8> {
    match args.provider {
        Provider::Aws(args) => run_aws(args),
        Provider::Alibaba(args) => cn::run_cn(cloudcap_collect::cn::CnProvider::Alibaba, args),
        Provider::Tencent(args) => cn::run_cn(cloudcap_collect::cn::CnProvider::Tencent, args),
        Provider::Huawei(args) => cn::run_cn(cloudcap_collect::cn::CnProvider::Huawei, args),
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn run_aws(args: AwsArgs) -> Result<u8> {
    let aws_env = AwsEnv {
        access_key_id: env("AWS_ACCESS_KEY_ID"),
        secret_access_key: env("AWS_SECRET_ACCESS_KEY").map(Secret::new),
        session_token: env("AWS_SESSION_TOKEN").map(Secret::new),
        profile_explicit: args.profile.is_some(),
        profile: args.profile.clone().or_else(|| env("AWS_PROFILE")),
        shared_credentials_file: env("AWS_SHARED_CREDENTIALS_FILE").map(PathBuf::from),
        home: env("HOME").map(PathBuf::from),
    };
    let credentials = aws::resolve_credentials(&aws_env)?;
    let regions = if args.regions.is_empty() {
        let region = env("AWS_REGION")
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .ok_or_else(|| format_err!("no region: pass --region or set AWS_REGION"))?;
        vec![region]
    } else {
        args.regions.clone()
    };
    let progress = if args.quiet {
        ProgressMode::Quiet
    } else {
        ProgressMode::Auto
    };
    let config = AwsConfig {
        credentials,
        regions,
        endpoint_url: args
            .endpoint_url
            .clone()
            .or_else(|| env("AWS_ENDPOINT_URL")),
        http: HttpConfig {
            max_attempts: args.max_attempts.max(1),
            timeout: Duration::from_secs(args.timeout_secs.max(1)),
            connect_timeout: Duration::from_secs(args.timeout_secs.clamp(1, 10)),
            ..HttpConfig::production()
        },
        concurrency: args.concurrency.max(1),
        progress,
    };

    let writer = if BundleSink::exists(&args.out) {
        BundleWriter::resume(&args.out)
            .with_context(|| format!("cannot continue bundle {}", args.out.display()))?
    } else {
        let (catalog, _) = cloudcap_catalog::load(&cloudcap_catalog::embedded_source());
        let catalog = catalog.context("the embedded catalog does not load")?;
        let now = jiff::Timestamp::now();
        let info = BundleInfo {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            catalog_digest: catalog.digest(),
            created_at: jiff::Timestamp::from_second(now.as_second()).unwrap_or(now),
        };
        BundleWriter::create(&args.out, info)
            .with_context(|| format!("cannot create bundle {}", args.out.display()))?
    };
    let sink = BundleSink::new(writer);
    let resume = sink.resume_state()?;
    let summary = aws::collect(&config, &sink, &resume)?;
    sink.into_inner()
        .finish()
        .with_context(|| format!("cannot finish bundle {}", args.out.display()))?;
    if !args.quiet {
        eprintln!(
            "collected aws account {}: {} unit(s) ({} already in the bundle), {} API call(s), {} record(s), {} scope(s) with errors -> {}",
            summary.account,
            summary.units_collected,
            summary.units_skipped,
            summary.api_calls,
            summary.resources,
            summary.error_scopes,
            args.out.display()
        );
    }
    Ok(if summary.error_scopes > 0 {
        exit::INCOMPLETE
    } else {
        exit::OK
    })
}
