//! `cloudcap collect aws`: the only place that reads the `AWS_*` environment; the collector
//! library is handed an [`AwsConfig`].

use std::path::PathBuf;

use cloudcap_collect::{
    Secret,
    aws::{self, AwsConfig, AwsEnv},
};

use super::CommonArgs;
use crate::cmd::common::env;
use crate::exit;

pub(crate) fn run(args: CommonArgs) -> exit::Result {
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
    let config = AwsConfig {
        credentials,
        regions: args.regions.clone(),
        discovery_region: env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")),
        endpoint_url: args
            .endpoint_url
            .clone()
            .or_else(|| env("AWS_ENDPOINT_URL")),
        http: args.http(),
        concurrency: args.concurrency.max(1),
        progress: args.progress(),
    };
    // The account and its region listing first: a --region it does not list is refused
    // before the bundle exists.
    let discovery = aws::discover(&config)?;
    let sink = args.open_bundle()?;
    let resume = sink.resume_state()?;
    let summary = aws::collect(&config, discovery, &sink, &resume)?;
    let line = format!(
        "collected aws account {}: {} region(s) ({} listed region(s) left out), {} unit(s) ({} already in the bundle), {} API call(s), {} record(s), {} scope(s) with errors",
        summary.account,
        summary.regions_collected,
        summary.regions_not_collected,
        summary.units_collected,
        summary.units_skipped,
        summary.api_calls,
        summary.resources,
        summary.error_scopes
    );
    args.finish(sink, summary.error_scopes, line)
}
