//! `cloudcap collect aws`: the only place that reads the `AWS_*` environment; the collector
//! library is handed an [`AwsConfig`].
//!
//! With `--organization` the caller's AWS Organization is listed and every active account is
//! collected into its own bundle, `--out DIR/<account-id>/`: the caller's own account (the
//! management or a delegated administrator account) with the caller's credentials, every other
//! one through `sts:AssumeRole` into `--role-name`. Accounts run in parallel; together they use
//! at most `--concurrency` worker threads.

use std::{collections::BTreeSet, path::PathBuf, sync::Mutex};

use anyhow::{anyhow, bail};
use cloudcap_collect::{
    ProgressMode, Secret,
    aws::{
        self, AwsConfig, AwsEnv, CollectSummary, Discovery, Partition,
        org::{self, OrgAccount},
    },
};

use super::CommonArgs;
use crate::cmd::common::env;
use crate::exit::{self, Outcome};

/// `collect aws`: the common flags and the organization flags.
#[derive(clap::Args)]
pub(crate) struct AwsArgs {
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    /// Collect every active account of the caller's AWS Organization (listed with
    /// organizations:ListAccounts from the management or a delegated administrator account),
    /// each into its own bundle --out DIR/<account-id>/. Needs --role-name.
    #[arg(long, requires = "role_name")]
    organization: bool,
    /// With --organization: the read-only role assumed in each member account,
    /// arn:<partition>:iam::<account-id>:role/<NAME> (session name cloudcap-audit). The
    /// caller's own account is collected with the caller's credentials.
    #[arg(long, value_name = "NAME", requires = "organization")]
    role_name: Option<String>,
    /// With --organization: the external id the member roles' trust policy asks for.
    #[arg(long, value_name = "ID", requires = "organization")]
    external_id: Option<String>,
    /// With --organization: collect only these accounts (comma-separated ids; each must be in
    /// the organization's listing).
    #[arg(
        long,
        value_name = "ID,...",
        value_delimiter = ',',
        requires = "organization"
    )]
    accounts: Vec<String>,
    /// With --organization: leave these accounts out (comma-separated ids).
    #[arg(
        long,
        value_name = "ID,...",
        value_delimiter = ',',
        requires = "organization"
    )]
    exclude_accounts: Vec<String>,
}

fn caller_config(args: &CommonArgs) -> exit::Result<AwsConfig> {
    let aws_env = AwsEnv {
        access_key_id: env("AWS_ACCESS_KEY_ID"),
        secret_access_key: env("AWS_SECRET_ACCESS_KEY").map(Secret::new),
        session_token: env("AWS_SESSION_TOKEN").map(Secret::new),
        profile_explicit: args.profile.is_some(),
        profile: args.profile.clone().or_else(|| env("AWS_PROFILE")),
        shared_credentials_file: env("AWS_SHARED_CREDENTIALS_FILE").map(PathBuf::from),
        home: env("HOME").map(PathBuf::from),
    };
    config_with(args, &aws_env, args.progress())
}

/// The collector's configuration from the flags and the credentials `aws_env` resolves to.
pub(crate) fn config_with(
    args: &CommonArgs,
    aws_env: &AwsEnv,
    progress: ProgressMode,
) -> exit::Result<AwsConfig> {
    let credentials = aws::resolve_credentials(aws_env)?;
    Ok(AwsConfig {
        credentials,
        regions: args.regions.clone(),
        discovery_region: env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")),
        endpoint_url: args
            .endpoint_url
            .clone()
            .or_else(|| env("AWS_ENDPOINT_URL")),
        http: args.http(),
        concurrency: args.concurrency.max(1),
        progress,
    })
}

fn summary_line(summary: &CollectSummary) -> String {
    format!(
        "collected aws account {}: {} region(s) ({} listed region(s) left out), {} unit(s) ({} already in the bundle), {} API call(s), {} record(s), {} scope(s) with errors",
        summary.account,
        summary.regions_collected,
        summary.regions_not_collected,
        summary.units_collected,
        summary.units_skipped,
        summary.api_calls,
        summary.resources,
        summary.error_scopes
    )
}

pub(crate) fn run(args: AwsArgs) -> exit::Result {
    if args.common.account_id.is_some() {
        return Err(exit::Failure::Invalid(anyhow::anyhow!(
            "aws: the account is read from sts:GetCallerIdentity; --account-id is for ecloud and ctyun only"
        )));
    }
    let config = caller_config(&args.common)?;
    // The account and its region listing first: a --region it does not list is refused
    // before the bundle exists.
    let discovery = aws::discover(&config)?;
    if args.organization {
        return run_organization(&args, config, discovery);
    }
    collect_discovered(&args.common, &config, discovery)
}

/// Collects one account with `config` into the bundle `--out` (`collect aws`, and each aws
/// account of `collect estate`).
pub(crate) fn collect_into(args: &CommonArgs, config: &AwsConfig) -> exit::Result {
    let discovery = aws::discover(config)?;
    collect_discovered(args, config, discovery)
}

fn collect_discovered(
    common: &CommonArgs,
    config: &AwsConfig,
    discovery: Discovery,
) -> exit::Result {
    let sink = common.open_bundle()?;
    let resume = sink.resume_state()?;
    let summary = aws::collect(config, discovery, &sink, &resume)?;
    common.finish(sink, summary.error_scopes, summary_line(&summary))
}

/// One account to collect.
struct Job {
    account: OrgAccount,
    /// The caller's own account: no AssumeRole.
    own: bool,
}

/// How one account came out.
enum Done {
    /// Collected; the scopes that ended in errors.
    Collected(usize),
    /// The role could not be assumed; its bundle records that for every scope.
    NotAssumed,
    /// Collection could not run for this account (printed).
    Failed(String),
}

/// Picks the accounts to collect from the listing: `--accounts` (each must be listed), minus
/// `--exclude-accounts`; accounts that are not `ACTIVE` cannot be collected and are named.
fn select(args: &AwsArgs, listed: Vec<OrgAccount>, own: &str) -> exit::Result<Vec<Job>> {
    let ids: BTreeSet<&str> = listed.iter().map(|a| a.id.as_str()).collect();
    let unknown: Vec<&str> = args
        .accounts
        .iter()
        .chain(&args.exclude_accounts)
        .map(String::as_str)
        .filter(|id| !ids.contains(id))
        .collect();
    if !unknown.is_empty() {
        return Err(anyhow!(
            "account(s) {} not in the organization's account listing; nothing was collected",
            unknown.join(", ")
        )
        .into());
    }
    let mut jobs = Vec::new();
    for account in listed {
        if (!args.accounts.is_empty() && !args.accounts.contains(&account.id))
            || args.exclude_accounts.contains(&account.id)
        {
            continue;
        }
        if account.status != "ACTIVE" {
            if !args.common.quiet {
                eprintln!(
                    "account {} ({}): status {} in the organization, not collected",
                    account.id, account.name, account.status
                );
            }
            continue;
        }
        jobs.push(Job {
            own: account.id == own,
            account,
        });
    }
    Ok(jobs)
}

fn run_organization(args: &AwsArgs, caller: AwsConfig, discovery: Discovery) -> exit::Result {
    let role_name = args
        .role_name
        .as_deref()
        .ok_or_else(|| anyhow!("--organization needs --role-name"))?;
    let partition = discovery.partition;
    // A denied listing names the missing permission (exit 4, nothing written).
    let listed = org::list_accounts(&caller, partition).map_err(anyhow::Error::from)?;
    let jobs = select(args, listed, &discovery.account)?;
    if jobs.is_empty() {
        return Err(anyhow!("no active account of the organization is left to collect").into());
    }
    let common = &args.common;
    std::fs::create_dir_all(&common.out)
        .map_err(|err| anyhow!("cannot create {}: {err}", common.out.display()))?;
    // Together the accounts use at most --concurrency worker threads.
    let workers = common.concurrency.max(1).min(jobs.len());
    let per_account = (common.concurrency.max(1) / workers).max(1);
    let base = AwsConfig {
        concurrency: per_account,
        // Per-account progress bars would draw over each other: one line per account instead.
        progress: ProgressMode::Quiet,
        ..caller
    };
    let regions = discovery.regions.clone();
    let requested = discovery.requested.clone();
    let sts_region = discovery.discovery_region.clone();
    let own_discovery = Mutex::new(Some(discovery));
    let total = jobs.len();
    let member = Member {
        partition,
        sts_region: &sts_region,
        regions: &regions,
        requested: requested.as_deref(),
        role_name,
        external_id: args.external_id.as_deref(),
    };
    let results = super::per_account(
        workers,
        jobs,
        |job| job.account.id.clone(),
        |job| {
            let own = if job.own {
                own_discovery.lock().unwrap().take()
            } else {
                None
            };
            collect_account(common, &base, &member, job, own)
        },
    );
    let (mut errors, mut not_assumed, mut failed) = (0, Vec::new(), Vec::new());
    for (id, done) in &results {
        match done {
            Done::Collected(n) => errors += n,
            Done::NotAssumed => not_assumed.push(id.as_str()),
            Done::Failed(why) => failed.push(format!("{id}: {why}")),
        }
    }
    if !common.quiet {
        eprintln!(
            "organization: {} of {total} account(s) collected, {} role(s) not assumed{} -> {}",
            total - not_assumed.len() - failed.len(),
            not_assumed.len(),
            if not_assumed.is_empty() {
                String::new()
            } else {
                format!(" ({})", not_assumed.join(", "))
            },
            common.out.display()
        );
    }
    if !failed.is_empty() {
        return Err(anyhow!(
            "{} account(s) could not be collected: {}",
            failed.len(),
            failed.join("; ")
        )
        .into());
    }
    Ok(if errors > 0 || !not_assumed.is_empty() {
        Outcome::Incomplete
    } else {
        Outcome::Success
    })
}

/// What every member account's collection shares.
struct Member<'a> {
    partition: Partition,
    sts_region: &'a str,
    /// The regions the caller's account collects: what a member whose role is not assumed
    /// would have covered (its own listing cannot be read).
    regions: &'a [String],
    /// The `--region` restriction, if any.
    requested: Option<&'a [String]>,
    role_name: &'a str,
    external_id: Option<&'a str>,
}

fn collect_account(
    common: &CommonArgs,
    base: &AwsConfig,
    member: &Member<'_>,
    job: &Job,
    own: Option<Discovery>,
) -> Done {
    let id = &job.account.id;
    let out = common.out.join(id);
    let say = |line: String| {
        if !common.quiet {
            eprintln!("{line}");
        }
    };
    let result = (|| -> anyhow::Result<Done> {
        let (config, discovery) = if job.own {
            say(format!(
                "account {id} ({}): collecting with the caller's own credentials",
                job.account.name
            ));
            let discovery = match own {
                Some(discovery) => discovery,
                None => aws::discover(base)?,
            };
            (base.clone(), discovery)
        } else {
            let arn = org::role_arn(member.partition, id, member.role_name);
            say(format!(
                "account {id} ({}): assuming {arn}",
                job.account.name
            ));
            match org::assume_role(
                base,
                member.partition,
                member.sts_region,
                &arn,
                member.external_id,
            ) {
                Ok(credentials) => {
                    let config = AwsConfig {
                        credentials,
                        ..base.clone()
                    };
                    let discovery = aws::discover(&config)?;
                    (config, discovery)
                }
                Err(err) => {
                    let sink = common.open_bundle_at(&out)?;
                    let resume = sink.resume_state()?;
                    let scopes = org::write_unassumable(
                        &sink,
                        member.partition,
                        id,
                        member.regions,
                        member.requested,
                        &arn,
                        &err,
                        &resume,
                    )?;
                    let line = format!(
                        "account {id}: role not assumed ({err}); {scopes} scope(s) recorded as {} errors",
                        err.class.as_str()
                    );
                    common.seal_at(&out, sink, &line)?;
                    return Ok(Done::NotAssumed);
                }
            }
        };
        if discovery.account != *id {
            bail!(
                "the credentials for account {id} identify account {}; nothing was collected",
                discovery.account
            );
        }
        let sink = common.open_bundle_at(&out)?;
        let resume = sink.resume_state()?;
        let summary = aws::collect(&config, discovery, &sink, &resume)?;
        let errors = summary.error_scopes;
        common.seal_at(&out, sink, &summary_line(&summary))?;
        Ok(Done::Collected(errors))
    })();
    match result {
        Ok(done) => done,
        Err(err) => {
            let why = format!("{err:#}");
            say(format!("account {id}: not collected: {why}"));
            Done::Failed(why)
        }
    }
}
