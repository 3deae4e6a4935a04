//! `cloudcap collect aws|alibaba|tencent|huawei|ecloud|ctyun`: collect evidence from a provider into
//! a bundle; `cloudcap collect estate`: every account of an accounts file, one bundle each.
//!
//! The flags every provider takes, and the bundle they write: created or continued, sealed at
//! the end. Exit codes: 0 everything collected, 3 some evidence scopes have collection errors
//! (recorded in the bundle as `collection.status`), 4 collection could not run. Each provider's
//! credentials and run are in its own module (`aws`, `cn`).

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{Context, Result};
use cloudcap_collect::{HttpConfig, ProgressMode, bundle::BundleSink};
use cloudcap_evidence::{BundleInfo, BundleWriter};

use crate::cmd::common::{CatalogArg, load};
use crate::exit::{self, Outcome};

mod accounts;
mod aws;
mod cn;
mod estate;

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
    ///
    /// With --organization (and --role-name) every active account of the caller's AWS
    /// Organization is collected, each into its own bundle --out DIR/<account-id>/.
    Aws(aws::AwsArgs),
    /// Alibaba Cloud (ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET).
    Alibaba(CommonArgs),
    /// Tencent Cloud (TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY).
    Tencent(CommonArgs),
    /// Huawei Cloud (HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK).
    Huawei(CommonArgs),
    /// China Mobile Cloud, 移动云 (ECLOUD_ACCESS_KEY / ECLOUD_SECRET_KEY).
    ///
    /// One resource pool's OpenAPI gateway (default api-guangzhou-2.cmecloud.cn:8443; another
    /// pool with --endpoint-url): its region listing and security groups; the other kinds are
    /// recorded as not implemented (not read, not evaluated).
    Ecloud(CommonArgs),
    /// China Telecom Cloud, 天翼云 (CTYUN_ACCESS_KEY / CTYUN_SECRET_KEY).
    ///
    /// The ECS, VPC, EBS, volume-backup and RDS2 OpenAPI gateways (ctecs-, ctvpc-, ebs-,
    /// ebsbackup-, rds2-global.ctapi.ctyun.cn, or one --endpoint-url for all): the region
    /// listing and each region's security groups, volumes, volume and cloud-server backup
    /// policies and TeleDB for MySQL instances; the other kinds are
    /// recorded as not implemented (not read, not evaluated).
    Ctyun(CommonArgs),
    /// Every account of an accounts file, any provider, each into its own bundle --out
    /// DIR/<label>/.
    ///
    /// The file (--accounts-file, TOML) has one [[account]] table per account: provider, label,
    /// the credentials by the names of environment variables (or an aws profile), optional
    /// regions and endpoint_url, for ecloud and ctyun an account_id (as --account-id), for
    /// ctyun the four zos_* keys (as the CTYUN_ZOS_* variables).
    /// Every problem of the file is printed as path:line:col: code:
    /// message, and nothing is written. Each account is collected as `collect <provider>`
    /// collects it. Exit status: 0 all collected, 3 some account has scopes with collection
    /// errors, 4 the file is refused or some account could not run (the others still finish).
    Estate(estate::EstateArgs),
}

/// Flags every provider's `collect` subcommand takes.
#[derive(clap::Args)]
pub(crate) struct CommonArgs {
    /// Bundle directory to create, or to continue if a previous run was interrupted (with
    /// `aws --organization`: the directory that holds one bundle per account, DIR/<account-id>).
    #[arg(long, value_name = "BUNDLE")]
    pub(crate) out: PathBuf,
    /// Region to collect (repeatable); default: every region the account lists (AWS: every
    /// region of the partition the account has enabled, listed from AWS_REGION /
    /// AWS_DEFAULT_REGION, else us-east-1; a `cn-*` region means partition aws-cn). A region
    /// the listing does not return is an error, and nothing is written.
    #[arg(long = "region", value_name = "REGION")]
    pub(crate) regions: Vec<String>,
    /// Send every request to this endpoint (e.g. a loopback emulator or fixture server); AWS
    /// default: AWS_ENDPOINT_URL.
    #[arg(long, value_name = "URL")]
    pub(crate) endpoint_url: Option<String>,
    /// Credentials profile (AWS shared-credentials file, aliyun or tccli profile); AWS default:
    /// AWS_PROFILE.
    #[arg(long, value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// No progress output.
    #[arg(long)]
    pub(crate) quiet: bool,
    /// Attempts per API call, including the first.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub(crate) max_attempts: u32,
    /// Timeout of one API call attempt, in seconds.
    #[arg(long, default_value_t = 60, value_name = "S")]
    pub(crate) timeout_secs: u64,
    /// Services/regions collected in parallel.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub(crate) concurrency: usize,
    /// Pages read per listing (Alibaba, Tencent, Huawei, ecloud, CTyun); a listing longer than
    /// this is recorded as a `truncated` error, never cut short silently.
    #[arg(long, default_value_t = cloudcap_collect::cn::paging::DEFAULT_MAX_PAGES, value_name = "N")]
    pub(crate) max_pages: usize,
    /// Scope statement (TOML: the service assessed and what the collected accounts are),
    /// hashed into the bundle; see `cloudcap evidence scope`.
    #[arg(long, value_name = "FILE")]
    pub(crate) scope: Option<PathBuf>,
    /// ecloud and ctyun only, whose APIs name no account: the account id to record instead of
    /// `unknown` (letters, digits, `.`, `_`, `-`; at most 64). The bundle's run record says
    /// it was declared, and so do the reports; for other providers it is refused.
    #[arg(long, value_name = "ID", value_parser = account_id)]
    pub(crate) account_id: Option<String>,
}

/// An operator-given account id: 1–64 letters, digits, `.`, `_` or `-`.
pub(crate) fn account_id(text: &str) -> std::result::Result<String, String> {
    let ok = !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(text.to_owned())
    } else {
        Err("an account id is 1 to 64 letters, digits, `.`, `_` or `-`".to_owned())
    }
}

impl CommonArgs {
    pub(crate) fn http(&self) -> HttpConfig {
        HttpConfig {
            max_attempts: self.max_attempts.max(1),
            timeout: Duration::from_secs(self.timeout_secs.max(1)),
            connect_timeout: Duration::from_secs(self.timeout_secs.clamp(1, 10)),
            ..HttpConfig::production()
        }
    }

    pub(crate) fn progress(&self) -> ProgressMode {
        if self.quiet {
            ProgressMode::Quiet
        } else {
            ProgressMode::Auto
        }
    }

    /// Continues the bundle at `--out` if a previous run left one, else creates it.
    pub(crate) fn open_bundle(&self) -> Result<BundleSink> {
        self.open_bundle_at(&self.out)
    }

    /// Continues the bundle at `out` if a previous run left one, else creates it.
    pub(crate) fn open_bundle_at(&self, out: &Path) -> Result<BundleSink> {
        // A bad scope file is refused before anything is written.
        let scope = self
            .scope
            .as_deref()
            .map(crate::cmd::evidence::read_scope_file)
            .transpose()?;
        let mut writer = if BundleSink::exists(out) {
            BundleWriter::resume(out)
                .with_context(|| format!("cannot continue bundle {}", out.display()))?
        } else {
            let catalog = load(&CatalogArg::default())?;
            let now = jiff::Timestamp::now();
            let info = BundleInfo {
                tool_version: env!("CARGO_PKG_VERSION").to_owned(),
                catalog_digest: catalog.digest(),
                created_at: jiff::Timestamp::from_second(now.as_second()).unwrap_or(now),
            };
            BundleWriter::create(out, info)
                .with_context(|| format!("cannot create bundle {}", out.display()))?
        };
        if let Some(scope) = scope {
            let now = jiff::Timestamp::now();
            writer
                .add_scope(
                    &scope,
                    jiff::Timestamp::from_second(now.as_second()).unwrap_or(now),
                )
                .with_context(|| {
                    format!("cannot record the scope statement in {}", out.display())
                })?;
        }
        Ok(BundleSink::new(writer))
    }

    /// Seals the bundle; the exit code says whether some scopes ended in collection errors.
    pub(crate) fn finish(
        &self,
        sink: BundleSink,
        error_scopes: usize,
        summary: String,
    ) -> exit::Result {
        self.seal_at(&self.out, sink, &summary)?;
        Ok(if error_scopes > 0 {
            Outcome::Incomplete
        } else {
            Outcome::Success
        })
    }

    /// Seals the bundle at `out` and prints `summary` (unless `--quiet`).
    pub(crate) fn seal_at(&self, out: &Path, sink: BundleSink, summary: &str) -> Result<()> {
        sink.into_inner()
            .finish()
            .with_context(|| format!("cannot finish bundle {}", out.display()))?;
        if !self.quiet {
            eprintln!("{summary} -> {}", out.display());
        }
        Ok(())
    }
}

pub(crate) fn run(args: Args) -> exit::Result {
    // A bad scope file is refused before any request is sent or anything is written.
    let common = match &args.provider {
        Provider::Aws(a) => Some(&a.common),
        Provider::Alibaba(a)
        | Provider::Tencent(a)
        | Provider::Huawei(a)
        | Provider::Ecloud(a)
        | Provider::Ctyun(a) => Some(a),
        // Checked after the accounts file.
        Provider::Estate(_) => None,
    };
    if let Some(path) = common.and_then(|c| c.scope.as_ref()) {
        crate::cmd::evidence::read_scope_file(path)?;
    }
    match args.provider {
        Provider::Aws(args) => aws::run(args),
        Provider::Alibaba(args) => cn::run(cloudcap_collect::cn::CnProvider::Alibaba, args),
        Provider::Tencent(args) => cn::run(cloudcap_collect::cn::CnProvider::Tencent, args),
        Provider::Huawei(args) => cn::run(cloudcap_collect::cn::CnProvider::Huawei, args),
        Provider::Ecloud(args) => cn::run(cloudcap_collect::cn::CnProvider::Ecloud, args),
        Provider::Ctyun(args) => cn::run(cloudcap_collect::cn::CnProvider::Ctyun, args),
        Provider::Estate(args) => estate::run(args),
    }
}

/// Runs `collect` over `jobs` on at most `workers` threads, one job at a time per thread; the
/// results come back sorted by each job's `key` (so the summary does not depend on which
/// thread finished first). Used by `collect aws --organization` and `collect estate`.
pub(crate) fn per_account<J: Send, R: Send>(
    workers: usize,
    jobs: Vec<J>,
    key: impl Fn(&J) -> String + Sync,
    collect: impl Fn(&J) -> R + Sync,
) -> Vec<(String, R)> {
    let queue = std::sync::Mutex::new(jobs.into_iter().collect::<std::collections::VecDeque<_>>());
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| {
                loop {
                    let Some(job) = queue.lock().unwrap().pop_front() else {
                        return;
                    };
                    let done = collect(&job);
                    results.lock().unwrap().push((key(&job), done));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    results
}
