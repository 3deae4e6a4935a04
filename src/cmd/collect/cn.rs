//! `cloudcap collect alibaba|tencent|huawei|ecloud|ctyun`: the Chinese clouds, with the same
//! bundle, resume, progress and exit-code semantics as `collect aws`.
//!
//! The only place that reads the vendors' credential variables (`ALIBABA_CLOUD_ACCESS_KEY_ID` /
//! `_SECRET`, `TENCENTCLOUD_SECRET_ID` / `_KEY`, `HUAWEICLOUD_SDK_AK` / `_SK`, `ECLOUD_ACCESS_KEY` /
//! `ECLOUD_SECRET_KEY` as the ecloud SDK core's environment provider reads them,
//! `CTYUN_ACCESS_KEY` / `CTYUN_SECRET_KEY`: names of our own, the CTyun SDK core reads none; for
//! CTyun object storage `CTYUN_ZOS_ENDPOINT` / `CTYUN_ZOS_REGION` / `CTYUN_ZOS_ACCESS_KEY` /
//! `CTYUN_ZOS_SECRET_KEY`, ours too) and,
//! failing those, the aliyun and tccli profile files; the collector library is handed a
//! [`CnConfig`].
//!
//! The account and its region listing are discovered before the bundle is opened, so a
//! `--region` that the listing does not contain is an error naming it and leaves nothing behind.

use std::path::PathBuf;

use anyhow::{Context, Result, format_err};
use cloudcap_collect::ProgressMode;
use cloudcap_collect::cn::zos::{self, ZosConfig};
use cloudcap_collect::cn::{self, CnConfig, CnProvider, Credentials};

use super::CommonArgs;
use crate::cmd::common::env;
use crate::exit;

/// The vendor's conventional credential variables, else its CLI's profile file.
fn credentials(provider: CnProvider, profile: Option<&str>) -> Result<Credentials> {
    let (id, secret) = match provider {
        CnProvider::Alibaba => (
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        ),
        CnProvider::Tencent => ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"),
        CnProvider::Huawei => ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"),
        CnProvider::Ecloud => ("ECLOUD_ACCESS_KEY", "ECLOUD_SECRET_KEY"),
        // The CTyun SDK core reads no environment variable: these names are ours.
        CnProvider::Ctyun => ("CTYUN_ACCESS_KEY", "CTYUN_SECRET_KEY"),
    };
    if let (Some(id), Some(secret)) = (env(id), env(secret)) {
        return Ok(Credentials::new(id, secret));
    }
    let home = env("HOME").map(PathBuf::from);
    let from_profile = match (provider, &home) {
        (CnProvider::Alibaba, Some(home)) => {
            aliyun_profile(&home.join(".aliyun/config.json"), profile)?
        }
        (CnProvider::Tencent, Some(home)) => {
            let name = profile.unwrap_or("default");
            tccli_profile(&home.join(format!(".tccli/{name}.credential")))?
        }
        _ => None,
    };
    from_profile.ok_or_else(|| {
        format_err!(
            "no {} credentials: set {id} and {secret} (or configure the vendor CLI profile)",
            provider.as_str()
        )
    })
}

/// `~/.aliyun/config.json`: `{"current": NAME, "profiles": [{"name", "mode": "AK",
/// "access_key_id", "access_key_secret"}]}`; `None` when the file does not exist.
fn aliyun_profile(path: &std::path::Path, profile: Option<&str>) -> Result<Option<Credentials>> {
    let Some(config) = read_json(path)? else {
        return Ok(None);
    };
    let name = profile
        .or_else(|| config["current"].as_str())
        .unwrap_or("default");
    let Some(p) = config["profiles"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
    else {
        return Err(format_err!("{}: no profile `{name}`", path.display()));
    };
    match (
        p["mode"].as_str(),
        p["access_key_id"].as_str(),
        p["access_key_secret"].as_str(),
    ) {
        (Some("AK"), Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
            Ok(Some(Credentials::new(id, secret)))
        }
        (mode, ..) => Err(format_err!(
            "{}: profile `{name}` has mode {}; only AccessKey (`AK`) profiles are supported",
            path.display(),
            mode.unwrap_or("?")
        )),
    }
}

/// `~/.tccli/<profile>.credential`: `{"secretId", "secretKey"}`; `None` when absent.
fn tccli_profile(path: &std::path::Path) -> Result<Option<Credentials>> {
    let Some(config) = read_json(path)? else {
        return Ok(None);
    };
    match (config["secretId"].as_str(), config["secretKey"].as_str()) {
        (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
            Ok(Some(Credentials::new(id, secret)))
        }
        _ => Err(format_err!("{}: no secretId/secretKey", path.display())),
    }
}

fn read_json(path: &std::path::Path) -> Result<Option<serde_json::Value>> {
    match std::fs::read(path) {
        Ok(bytes) => {
            Ok(Some(serde_json::from_slice(&bytes).with_context(|| {
                format!("{} is not JSON", path.display())
            })?))
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
}

pub(crate) fn run(provider: CnProvider, args: CommonArgs) -> exit::Result {
    let credentials = credentials(provider, args.profile.as_deref())?;
    let zos = match provider {
        CnProvider::Ctyun => zos_config()?,
        _ => None,
    };
    collect_into(provider, credentials, zos, &args, args.progress())
}

/// China Telecom Cloud object storage (ZOS): all of `CTYUN_ZOS_ENDPOINT`, `CTYUN_ZOS_REGION`,
/// `CTYUN_ZOS_ACCESS_KEY` and `CTYUN_ZOS_SECRET_KEY` (names of our own), or none (ZOS is then
/// recorded as not collected). Some but not all is an error naming the missing ones.
fn zos_config() -> Result<Option<ZosConfig>> {
    let values: Vec<Option<String>> = zos::ENV_VARS.iter().map(|v| env(v)).collect();
    match values.as_slice() {
        [Some(endpoint), Some(region), Some(id), Some(secret)] => {
            zos_checked("CTYUN_ZOS_ENDPOINT", endpoint, region, id, secret).map(Some)
        }
        all if all.iter().all(Option::is_none) => Ok(None),
        all => {
            let missing: Vec<&str> = zos::ENV_VARS
                .iter()
                .zip(all)
                .filter(|(_, v)| v.is_none())
                .map(|(n, _)| *n)
                .collect();
            Err(format_err!(
                "ZOS configuration incomplete: also set {} (or unset all of {})",
                missing.join(", "),
                zos::ENV_VARS.join(", ")
            ))
        }
    }
}

/// The ZOS configuration, its endpoint (named `what` in the error) an `https://` URL, or plain
/// `http://` to this machine only (test servers): elsewhere answers would travel in clear.
pub(crate) fn zos_checked(
    what: &str,
    endpoint: &str,
    region: &str,
    id: &str,
    secret: &str,
) -> Result<ZosConfig> {
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| {
            endpoint
                .strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        });
    if !endpoint.starts_with("https://") && !loopback {
        return Err(format_err!(
            "{what} must be an https:// URL (http:// only to 127.0.0.1, localhost or [::1]), got `{endpoint}`"
        ));
    }
    Ok(ZosConfig {
        endpoint: endpoint.to_owned(),
        region: region.to_owned(),
        credentials: Credentials::new(id.to_owned(), secret.to_owned()),
    })
}

/// Collects one account with `credentials` into the bundle `--out` (`collect <provider>`, and
/// each Chinese-cloud account of `collect estate`).
pub(crate) fn collect_into(
    provider: CnProvider,
    credentials: Credentials,
    zos: Option<ZosConfig>,
    args: &CommonArgs,
    progress: ProgressMode,
) -> exit::Result {
    let config = CnConfig {
        credentials,
        regions: args.regions.clone(),
        endpoint_url: args.endpoint_url.clone(),
        http: args.http(),
        concurrency: args.concurrency.max(1),
        progress,
        max_pages: args.max_pages.max(1),
        account_id: args.account_id.clone(),
        zos,
    };
    // A bad scope file is refused before any request is sent.
    if let Some(scope) = &args.scope {
        crate::cmd::evidence::read_scope_file(scope)?;
    }
    // Discovery writes nothing: a `--region` the account does not list is refused (exit 4)
    // before the bundle is created or continued.
    let discovered = cn::discover(provider, &config)?;
    let sink = args.open_bundle()?;
    let resume = sink.resume_state()?;
    let summary = cn::collect(discovered, &config, &sink, &resume)?;
    let line = format!(
        "collected {} account {}: {} unit(s) ({} already in the bundle), {} region(s), {} scope(s) with errors",
        provider.as_str(),
        summary.account,
        summary.units_collected,
        summary.units_skipped,
        summary.regions.len(),
        summary.error_scopes
    );
    args.finish(sink, summary.error_scopes as usize, line)
}
