//! `cloudcap collect estate --accounts-file FILE --out DIR`: every account of an accounts file
//! (any provider, see [`super::accounts`]), each collected into its own bundle DIR/<label>/ by
//! the code path of `collect <provider>`, with the credentials read from the variables the file
//! names. Accounts run in parallel; together they use at most `--concurrency` worker threads.
//!
//! A file with a problem is refused (every problem printed, exit 4) before anything is written.
//! An account that cannot run is named and the others still finish; the exit code is then 4,
//! else 3 when some account has scopes with collection errors, else 0.

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use cloudcap_collect::{ProgressMode, Secret, aws::AwsEnv, cn::CnProvider, cn::Credentials};
use cloudcap_evidence::Provider;

use super::accounts::{self, Account, CredentialSource};
use super::{CommonArgs, aws, cn};
use crate::cmd::common::env;
use crate::exit::{self, Failure, Outcome};

/// `collect estate`: the accounts file, the directory of bundles, and the flags every account
/// is collected with.
#[derive(clap::Args)]
pub(crate) struct EstateArgs {
    /// The accounts file (TOML): one [[account]] table per account with `provider` (aws,
    /// alibaba, tencent, huawei, ecloud, ctyun), `label` (the bundle's directory name:
    /// lowercase letters, digits, - and _), the credentials by the NAMES of environment
    /// variables (`access_key_env`, `secret_key_env`, aws also `session_token_env`) or, for
    /// aws, a `profile`; optional `regions` and `endpoint_url`.
    #[arg(long, value_name = "FILE")]
    accounts_file: PathBuf,
    /// Directory that holds one bundle per account, DIR/<label>/ (each created, or continued
    /// if a previous run was interrupted).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// No progress output and no summary lines.
    #[arg(long)]
    quiet: bool,
    /// Attempts per API call, including the first.
    #[arg(long, default_value_t = 5, value_name = "N")]
    max_attempts: u32,
    /// Timeout of one API call attempt, in seconds.
    #[arg(long, default_value_t = 60, value_name = "S")]
    timeout_secs: u64,
    /// Accounts, services and regions collected in parallel, all accounts together.
    #[arg(long, default_value_t = 4, value_name = "N")]
    concurrency: usize,
    /// Pages read per listing (Chinese clouds); a listing longer than this is recorded as a
    /// `truncated` error, never cut short silently.
    #[arg(long, default_value_t = cloudcap_collect::cn::paging::DEFAULT_MAX_PAGES, value_name = "N")]
    max_pages: usize,
    /// Scope statement (TOML), hashed into every account's bundle; see `cloudcap evidence
    /// scope`.
    #[arg(long, value_name = "FILE")]
    scope: Option<PathBuf>,
}

/// How one account came out.
enum Done {
    /// Collected; whether some scopes ended in collection errors.
    Collected { errors: bool },
    /// Collection could not run for this account (printed).
    Failed(String),
}

pub(crate) fn run(args: EstateArgs) -> exit::Result {
    let path = args.accounts_file.display().to_string();
    let text = std::fs::read_to_string(&args.accounts_file)
        .with_context(|| format!("cannot read accounts file {path}"))?;
    let accounts = match accounts::parse_accounts(&path, &text, &|name| env(name).is_some()) {
        Ok(accounts) => accounts,
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            return Err(Failure::Reported);
        }
    };
    // A bad scope file is refused before anything is written.
    if let Some(scope) = &args.scope {
        crate::cmd::evidence::read_scope_file(scope)?;
    }
    std::fs::create_dir_all(&args.out)
        .map_err(|err| anyhow!("cannot create {}: {err}", args.out.display()))?;
    let total = accounts.len();
    let workers = args.concurrency.max(1).min(total);
    let per_account = (args.concurrency.max(1) / workers).max(1);
    // Parallel progress bars would draw over each other: one line per account instead.
    let progress = if workers == 1 && !args.quiet {
        ProgressMode::Auto
    } else {
        ProgressMode::Quiet
    };
    let results = super::per_account(
        workers,
        accounts,
        |a: &Account| a.label.clone(),
        |a| collect_account(&args, per_account, progress, a),
    );
    let (mut with_errors, mut failed) = (Vec::new(), Vec::new());
    for (label, done) in &results {
        match done {
            Done::Collected { errors: false } => {}
            Done::Collected { errors: true } => with_errors.push(label.as_str()),
            Done::Failed(why) => failed.push(format!("{label}: {why}")),
        }
    }
    if !args.quiet {
        eprintln!(
            "estate: {} of {total} account(s) collected, {} with collection errors{} -> {}",
            total - failed.len(),
            with_errors.len(),
            if with_errors.is_empty() {
                String::new()
            } else {
                format!(" ({})", with_errors.join(", "))
            },
            args.out.display()
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
    Ok(if with_errors.is_empty() {
        Outcome::Success
    } else {
        Outcome::Incomplete
    })
}

/// The value of the variable `key` of the accounts file names; the message names the key and
/// the variable, never a value.
fn read_env(key: &str, name: &str) -> anyhow::Result<String> {
    env(name).ok_or_else(|| anyhow!("the variable {name} ({key}) is not set"))
}

fn collect_account(
    args: &EstateArgs,
    concurrency: usize,
    progress: ProgressMode,
    account: &Account,
) -> Done {
    let label = &account.label;
    let say = |line: String| {
        if !args.quiet {
            eprintln!("{line}");
        }
    };
    let common = CommonArgs {
        out: args.out.join(label),
        regions: account.regions.clone(),
        endpoint_url: account.endpoint_url.clone(),
        profile: None,
        quiet: args.quiet,
        max_attempts: args.max_attempts,
        timeout_secs: args.timeout_secs,
        concurrency,
        max_pages: args.max_pages,
        scope: args.scope.clone(),
        account_id: account.account_id.clone(),
    };
    say(format!(
        "account {label} ({}): collecting",
        account.provider.as_str()
    ));
    let result = (|| -> exit::Result {
        match account.provider {
            Provider::Aws => {
                let mut aws_env = AwsEnv {
                    access_key_id: None,
                    secret_access_key: None,
                    session_token: None,
                    profile: None,
                    profile_explicit: false,
                    shared_credentials_file: env("AWS_SHARED_CREDENTIALS_FILE").map(PathBuf::from),
                    home: env("HOME").map(PathBuf::from),
                };
                match &account.credentials {
                    CredentialSource::Env {
                        access_key_env,
                        secret_key_env,
                        session_token_env,
                    } => {
                        aws_env.access_key_id = Some(read_env("access_key_env", access_key_env)?);
                        aws_env.secret_access_key =
                            Some(Secret::new(read_env("secret_key_env", secret_key_env)?));
                        aws_env.session_token = session_token_env
                            .as_deref()
                            .map(|name| read_env("session_token_env", name).map(Secret::new))
                            .transpose()?;
                    }
                    CredentialSource::Profile(profile) => {
                        aws_env.profile = Some(profile.clone());
                        aws_env.profile_explicit = true;
                    }
                }
                let config = aws::config_with(&common, &aws_env, progress)?;
                aws::collect_into(&common, &config)
            }
            provider => {
                let cn_provider = CnProvider::ALL
                    .iter()
                    .copied()
                    .find(|p| p.provider() == provider)
                    .ok_or_else(|| anyhow!("no collector for provider {}", provider.as_str()))?;
                let CredentialSource::Env {
                    access_key_env,
                    secret_key_env,
                    ..
                } = &account.credentials
                else {
                    return Err(anyhow!("a profile is for aws accounts only").into());
                };
                let credentials = Credentials::new(
                    read_env("access_key_env", access_key_env)?,
                    read_env("secret_key_env", secret_key_env)?,
                );
                let zos = match &account.zos {
                    Some(z) => Some(cn::zos_checked(
                        "zos_endpoint",
                        &z.endpoint,
                        &z.region,
                        &read_env("zos_access_key_env", &z.access_key_env)?,
                        &read_env("zos_secret_key_env", &z.secret_key_env)?,
                    )?),
                    None => None,
                };
                cn::collect_into(cn_provider, credentials, zos, &common, progress)
            }
        }
    })();
    let done = match result {
        Ok(Outcome::Success) => Done::Collected { errors: false },
        Ok(Outcome::Incomplete | Outcome::Findings) => Done::Collected { errors: true },
        Err(Failure::Invalid(err)) => Done::Failed(format!("{err:#}")),
        Err(Failure::Usage(err)) => Done::Failed(err.to_string()),
        Err(Failure::Reported) => Done::Failed("could not run (problems printed above)".into()),
    };
    if let Done::Failed(why) = &done {
        say(format!("account {label}: not collected: {why}"));
    }
    done
}
