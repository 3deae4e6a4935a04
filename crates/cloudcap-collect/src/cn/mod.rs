//! Alibaba Cloud, Tencent Cloud and Huawei Cloud: request signers and evidence collectors.
//!
//! Each vendor's API gateway has its own HMAC signature (`ACS3-HMAC-SHA256`, `TC3-HMAC-SHA256`,
//! `SDK-HMAC-SHA256`); the three signers implement [`Signer`] and are pinned to the vendors'
//! published test vectors in their unit tests.
//! Object storage (Alibaba OSS, Huawei OBS, Tencent COS) has its own signatures
//! ([`sign_objstore`]) and is read by [`objstore`] with a second client.
//! The collectors ([`alibaba`], [`tencent`], [`huawei`]) call the read-only evidence APIs listed in
//! `docs/collectors.md`, keep every raw response body with its SHA-256, and map the responses into
//! the provider-neutral kinds of `docs/evidence-kinds.md`.
//!
//! China Mobile Cloud ([`ecloud`]) signs `V2.0` in the query ([`sign_ecloud`]) and evidences its
//! region listing and security groups; its other kinds are `unsupported`.
//!
//! China Telecom Cloud ([`ctyun`]) signs its EOP gateway requests in headers ([`sign_ctyun`]) and
//! evidences its region listing, security groups, volumes and backup policies; its object
//! storage ZOS is read over S3 ([`zos`], SigV4) when its endpoint and key pair are given; its
//! other kinds are `unsupported`.
//!
//! **Invariant:** nothing here reads the environment; credentials, endpoints and the clock source
//! come in through [`CnConfig`].

pub mod alibaba;
pub mod ctyun;
pub mod ecloud;
pub mod huawei;
pub mod objstore;
pub mod sign_alibaba;
pub mod sign_ctyun;
pub mod sign_ecloud;
pub mod sign_huawei;
pub mod sign_objstore;
pub mod sign_tencent;
pub mod tencent;
pub mod zos;

mod call;
mod cloud;
mod encoding;
mod ingress;
pub mod paging;
mod signing;
mod time;

pub use signing::{Credentials, SignError, SignableRequest, SigningContext};
pub(crate) use signing::{added_headers, hmac_sha256};

pub(crate) use encoding::{percent_decode, percent_encode};
pub(crate) use time::{format_utc, normalize_time, normalize_time_cst, rfc3339};

use std::collections::BTreeMap;

use cloudcap_evidence::UtcTimestamp;
use serde_json::{Value, json};

use crate::boundary::{RunBoundary, write_run};
use crate::http::{ApiRequest, CallError, ErrorClass, HttpClient, HttpConfig};
use crate::progress::{Progress, ProgressMode};
use crate::runner::{Fetched, RunOptions, Unit, UnitCtx};
// Shared with the AWS collector; re-exported so the vendor modules import them from here.
pub(crate) use crate::read::{count, int, required_stamp};
use crate::sink::{
    DataWatch, EvidenceSink, RawMeta, ResumeState, STATUS_KIND, SinkError, sha256_hex,
};

/// Which Chinese cloud.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CnProvider {
    /// Alibaba Cloud (Aliyun).
    Alibaba,
    /// Tencent Cloud.
    Tencent,
    /// Huawei Cloud.
    Huawei,
    /// China Mobile Cloud (移动云, ecloud).
    Ecloud,
    /// China Telecom Cloud (天翼云, CTyun).
    Ctyun,
}

impl CnProvider {
    /// Every Chinese cloud with a collector, in the capability matrix's column order.
    pub const ALL: &'static [CnProvider] = &[
        CnProvider::Alibaba,
        CnProvider::Tencent,
        CnProvider::Huawei,
        CnProvider::Ecloud,
        CnProvider::Ctyun,
    ];

    /// The provider, in the shared vocabulary.
    pub fn provider(self) -> cloudcap_model::Provider {
        use cloudcap_model::Provider;
        match self {
            CnProvider::Alibaba => Provider::Alibaba,
            CnProvider::Tencent => Provider::Tencent,
            CnProvider::Huawei => Provider::Huawei,
            CnProvider::Ecloud => Provider::Ecloud,
            CnProvider::Ctyun => Provider::Ctyun,
        }
    }

    /// The `provider` value written into evidence records.
    pub fn as_str(self) -> &'static str {
        self.provider().as_str()
    }
}

/// Everything a collector needs; built by the CLI from flags and the environment.
#[derive(Clone, Debug)]
pub struct CnConfig {
    /// Access key pair.
    pub credentials: Credentials,
    /// Regions to collect; empty means every region the account's region listing returns.
    pub regions: Vec<String>,
    /// One base URL (`http://127.0.0.1:8080`) that replaces every vendor endpoint (fixture
    /// servers, proxies); `None` uses the public endpoints over HTTPS.
    pub endpoint_url: Option<String>,
    /// Timeouts and retries.
    pub http: HttpConfig,
    /// Units collected in parallel.
    pub concurrency: usize,
    /// Progress display.
    pub progress: ProgressMode,
    /// Pages read per listing before the listing is recorded as `truncated`.
    pub max_pages: usize,
    /// The account id to record, given by the operator, for a provider whose API names none
    /// (China Mobile Cloud, China Telecom Cloud); the run record says it was declared. For
    /// another provider it is refused ([`CnError::AccountIdNotDeclarable`]).
    pub account_id: Option<String>,
    /// China Telecom Cloud object storage (ZOS): its S3 endpoint, region and key pair; `None`
    /// records every `storage.bucket` scope of a CTyun run as not collected.
    pub zos: Option<zos::ZosConfig>,
}

impl CnConfig {
    /// Defaults: all regions, public endpoints, production HTTP settings, 4 workers, no progress.
    pub fn new(credentials: Credentials) -> CnConfig {
        CnConfig {
            credentials,
            regions: Vec::new(),
            endpoint_url: None,
            http: HttpConfig::production(),
            concurrency: 4,
            progress: ProgressMode::Quiet,
            max_pages: paging::DEFAULT_MAX_PAGES,
            account_id: None,
            zos: None,
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CnSummary {
    /// Account / domain id (`unknown` when the credentials were refused).
    pub account: String,
    /// Regions collected.
    pub regions: Vec<String>,
    /// Collection units run now and skipped on resume.
    pub units_collected: usize,
    /// Units skipped because an earlier run completed them.
    pub units_skipped: usize,
    /// `collection.status` scopes that ended in an error.
    pub error_scopes: usize,
}

/// The kinds every Chinese collector reports on, in order.
pub const KINDS: &[&str] = &[
    "identity.password-policy",
    "identity.user",
    "identity.access-key",
    "audit.trail",
    "crypto.key",
    "storage.bucket",
    "network.security-group",
    "compute.volume",
    "backup.plan",
    "monitoring.threat-detection",
    "region.inventory",
    "network.vpc",
    "database.instance",
    "monitoring.config-recorder",
];

/// The kinds `provider`'s collector can evidence (the others in [`KINDS`] are recorded as
/// `unsupported`; kinds outside [`KINDS`] are not collected). See `docs/collectors.md`.
pub fn evidenced_kinds(provider: CnProvider) -> Vec<&'static str> {
    let unsupported: &[&str] = match provider {
        CnProvider::Alibaba | CnProvider::Huawei | CnProvider::Tencent => &[],
        CnProvider::Ecloud => return ecloud::EVIDENCED.to_vec(),
        CnProvider::Ctyun => return ctyun::EVIDENCED.to_vec(),
    };
    KINDS
        .iter()
        .copied()
        .filter(|k| !unsupported.contains(k))
        .collect()
}

/// Why a run cannot start; nothing has been written when this is returned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CnError {
    /// `--region` names regions the account's region listing does not contain.
    #[error(
        "{provider}: region(s) {} not in the account's region listing ({})",
        .unknown.join(", "),
        if .listed.is_empty() { "empty".to_owned() } else { .listed.join(", ") }
    )]
    UnknownRegion {
        /// Provider.
        provider: &'static str,
        /// The requested regions that are not listed.
        unknown: Vec<String>,
        /// The account's region listing.
        listed: Vec<String>,
    },
    /// An account id was given for a provider whose API names the account.
    #[error(
        "{provider}: the account is read from the provider's API; an account id can be given only for ecloud and ctyun"
    )]
    AccountIdNotDeclarable {
        /// Provider.
        provider: &'static str,
    },
}

/// What discovery found: the account, the region listing and the regions to collect. Its raw
/// answers are held in memory and written by [`collect`]; [`discover`] writes nothing.
pub struct Discovered {
    provider: CnProvider,
    endpoint: Endpoint,
    state: DiscoveredState,
    raws: Vec<(RawMeta, Vec<u8>)>,
    requested: Vec<String>,
}

enum DiscoveredState {
    /// No client could be built, or the account could not be identified.
    Failed(CallError),
    Ready(Box<HttpClient>, Discovery),
}

impl Discovered {
    /// The account id (`unknown` when discovery failed).
    pub fn account(&self) -> &str {
        match &self.state {
            DiscoveredState::Ready(_, d) => &d.account,
            DiscoveredState::Failed(_) => "unknown",
        }
    }

    /// Every region of the account's region listing (empty when it could not be read).
    pub fn regions_listed(&self) -> &[String] {
        match &self.state {
            DiscoveredState::Ready(_, d) => &d.listed,
            DiscoveredState::Failed(_) => &[],
        }
    }
}

/// Kinds every Chinese cloud records account-wide (one `global` scope).
pub(crate) const ACCOUNT_WIDE: &[&str] = &[
    "identity.password-policy",
    "identity.user",
    "identity.access-key",
    "monitoring.config-recorder",
];

/// Regional kinds (one `collection.status` per region) of `provider`, in [`KINDS`] order.
pub fn regional_kinds(provider: CnProvider) -> Vec<&'static str> {
    KINDS
        .iter()
        .copied()
        .filter(|k| !ACCOUNT_WIDE.contains(k) && *k != "region.inventory")
        .filter(|k| !cloud::cloud(provider).account_wide().contains(k))
        .collect()
}

/// The regional kinds a cloud that evidences only `evidenced` records as `not-implemented` in
/// each region (ecloud, CTyun), in [`KINDS`] order.
pub(crate) fn unread_regional(evidenced: &[&str]) -> Vec<&'static str> {
    KINDS
        .iter()
        .copied()
        .filter(|k| !evidenced.contains(k) && !ACCOUNT_WIDE.contains(k))
        .collect()
}

/// Identifies the account and reads its region listing, writing nothing. A `--region` that the
/// listing does not contain is an error ([`CnError::UnknownRegion`]); API failures are kept and
/// become `collection.status` errors in [`collect`].
pub fn discover(provider: CnProvider, config: &CnConfig) -> Result<Discovered, CnError> {
    let endpoint = Endpoint {
        provider,
        endpoint_url: config.endpoint_url.clone(),
        http: config.http.clone(),
        max_pages: config.max_pages,
    };
    let mut requested: Vec<String> = Vec::new();
    for r in &config.regions {
        if !requested.contains(r) {
            requested.push(r.clone());
        }
    }
    let cloud = cloud::cloud(provider);
    if config.account_id.is_some() && cloud.names_account() {
        return Err(CnError::AccountIdNotDeclarable {
            provider: provider.as_str(),
        });
    }
    let client = match cloud.client(config) {
        Ok(c) => c,
        Err(message) => {
            let err = CallError {
                class: ErrorClass::ServerError,
                service: "-",
                action: "-",
                code: None,
                status: None,
                message,
            };
            return Ok(Discovered {
                provider,
                endpoint,
                state: DiscoveredState::Failed(err),
                raws: Vec::new(),
                requested,
            });
        }
    };
    // Discovery (account, regions) runs outside the units; its raw answers are kept too.
    let mut raws = Vec::new();
    let discovered = {
        let mut send = |request: &ApiRequest| -> Result<Fetched, CallError> {
            let response = client.send(request)?;
            let sha256 = sha256_hex(&response.body);
            let meta = RawMeta {
                provider: provider.as_str(),
                // Not known yet: discovery is what finds the account.
                account: "unknown".to_owned(),
                service: request.service,
                action: request.action,
                region: request.signing_region.clone(),
                url: request.url.clone(),
                request_body: String::from_utf8_lossy(&request.body).into_owned(),
                http_status: response.status,
                request_id: response.request_id.clone(),
                fetched_at: crate::clock::fetched_at(),
                sha256: sha256.clone(),
                media_type: "application/json",
            };
            raws.push((meta, response.body.clone()));
            Ok(Fetched {
                status: response.status,
                body: response.body,
                sha256,
            })
        };
        cloud::discover(cloud, &endpoint, &mut send)
    };
    let state = match discovered {
        Ok(mut d) => {
            if let Some(id) = &config.account_id {
                d.account = id.clone();
                d.account_declared = true;
            }
            if d.account.is_empty() {
                d.account = "unknown".to_owned();
            }
            if d.regions_error.is_none() {
                let unknown: Vec<String> = requested
                    .iter()
                    .filter(|r| !d.listed.contains(r))
                    .cloned()
                    .collect();
                if !unknown.is_empty() {
                    return Err(CnError::UnknownRegion {
                        provider: provider.as_str(),
                        unknown,
                        listed: d.listed.clone(),
                    });
                }
            }
            // Without a listing, only the requested regions can be collected.
            d.regions = if requested.is_empty() {
                d.listed.clone()
            } else {
                requested.clone()
            };
            DiscoveredState::Ready(Box::new(client), d)
        }
        Err(err) => DiscoveredState::Failed(err),
    };
    Ok(Discovered {
        provider,
        endpoint,
        state,
        raws,
        requested,
    })
}

/// Collects evidence from a [`discover`]ed account into `sink` with the shared runner (same
/// progress, resume and error semantics as AWS). Only a sink failure aborts the run: API
/// failures, including refused credentials, become `collection.status` errors.
///
/// Boundary: every listed region gets a `region.inventory` record (`collected`, `mainland_china`,
/// and for collected regions `holds_data` from the data-bearing kinds and `resource_count`);
/// listed regions left out by `--region` get a `not-collected` status for each regional kind;
/// one `collection.run` record states what was asked for and covered.
pub fn collect(
    discovered: Discovered,
    config: &CnConfig,
    sink: &dyn EvidenceSink,
    resume: &ResumeState,
) -> Result<CnSummary, SinkError> {
    let Discovered {
        provider,
        endpoint,
        state,
        raws,
        requested,
    } = discovered;
    // Notes where data-bearing kinds are incomplete, for `holds_data`.
    let watch = DataWatch::new(sink);
    let sink: &dyn EvidenceSink = &watch;
    for (meta, body) in &raws {
        sink.add_raw(meta, body)?;
    }
    let declared = config.account_id.is_some();
    let run = |account: &str, listed: &[String], collected: &[String]| Run {
        provider: provider.as_str(),
        partition: provider.as_str(),
        account_declared: declared,
        account: account.to_owned(),
        regions_listed: listed.to_vec(),
        regions_requested: (!requested.is_empty()).then(|| requested.clone()),
        regions_collected: collected.to_vec(),
        kinds: KINDS.iter().map(|k| (*k).to_owned()).collect(),
    };
    let (client, discovery) = match state {
        DiscoveredState::Ready(client, discovery) => (client, discovery),
        DiscoveredState::Failed(err) => {
            let scopes = all_scopes(&scope_regions(&requested));
            let account = config.account_id.as_deref().unwrap_or("unknown");
            let errors = write_errors(provider, account, sink, resume, &scopes, &err)?;
            write_run(sink, &run(account, &[], &[]).as_boundary())?;
            return Ok(CnSummary {
                account: account.into(),
                error_scopes: errors,
                ..CnSummary::default()
            });
        }
    };
    let cloud = cloud::cloud(provider);
    let collector = cloud.collector(endpoint, &discovery);
    let progress = Progress::new(config.progress, collector.units().len() as u64);
    let options = RunOptions {
        concurrency: config.concurrency,
        resume,
        account: &discovery.account,
    };
    let mut summary = crate::runner::run(collector.as_ref(), &client, sink, &progress, &options)?;
    // Object storage has its own endpoints and signature: a second client and run (not for a
    // cloud whose object store is not collected: its collector records `storage.bucket`).
    if cloud.collects_object_store() {
        let store = cloud.object_store();
        let buckets = objstore::BucketCollector {
            store,
            endpoint_url: config.endpoint_url.clone(),
            regions: discovery.regions.clone(),
            max_pages: config.max_pages,
        };
        match objstore::client(store, config) {
            Ok(storage_client) => {
                let more =
                    crate::runner::run(&buckets, &storage_client, sink, &progress, &options)?;
                summary.units_collected += more.units_collected;
                summary.units_skipped += more.units_skipped;
                summary.error_scopes += more.error_scopes;
                for (region, n) in more.resources_per_region {
                    *summary.resources_per_region.entry(region).or_default() += n;
                }
                for (region, n) in more.data_per_region {
                    *summary.data_per_region.entry(region).or_default() += n;
                }
            }
            Err(message) => {
                let err = CallError {
                    class: ErrorClass::ServerError,
                    service: "-",
                    action: "-",
                    code: None,
                    status: None,
                    message,
                };
                let scopes: Vec<(&str, String)> = discovery
                    .regions
                    .iter()
                    .map(|r| ("storage.bucket", r.clone()))
                    .collect();
                summary.error_scopes +=
                    write_errors(provider, &discovery.account, sink, resume, &scopes, &err)?;
            }
        }
    }
    // A cloud whose object store has a collector of its own (CTyun ZOS over S3).
    if let Some(own) = cloud.own_object_store(config, &discovery) {
        match own {
            Ok((buckets, storage_client)) => {
                let more = crate::runner::run(
                    buckets.as_ref(),
                    &storage_client,
                    sink,
                    &progress,
                    &options,
                )?;
                summary.units_collected += more.units_collected;
                summary.units_skipped += more.units_skipped;
                summary.error_scopes += more.error_scopes;
                for (region, n) in more.resources_per_region {
                    *summary.resources_per_region.entry(region).or_default() += n;
                }
                for (region, n) in more.data_per_region {
                    *summary.data_per_region.entry(region).or_default() += n;
                }
            }
            Err(err) => {
                let scopes: Vec<(&str, String)> = scope_regions(&discovery.regions)
                    .into_iter()
                    .map(|r| ("storage.bucket", r))
                    .collect();
                summary.error_scopes +=
                    write_errors(provider, &discovery.account, sink, resume, &scopes, &err)?;
            }
        }
    }
    // Region inventory last: it counts what the units found (now and in a resumed run).
    let mut errors = summary.error_scopes;
    if let Some(err) = &discovery.regions_error {
        let scopes: Vec<(&str, String)> = scope_regions(&discovery.regions)
            .into_iter()
            .map(|r| ("region.inventory", r))
            .collect();
        errors += write_errors(provider, &discovery.account, sink, resume, &scopes, err)?;
    } else {
        let count = |map: &BTreeMap<String, u64>, resumed: &BTreeMap<String, u64>, r: &str| {
            map.get(r).copied().unwrap_or(0) + resumed.get(r).copied().unwrap_or(0)
        };
        let regional = regional_kinds(provider);
        for region in &discovery.listed {
            if resume.has_status("region.inventory", region) {
                continue;
            }
            if !discovery.regions.contains(region) {
                crate::boundary::write_not_collected(
                    sink,
                    provider.as_str(),
                    &discovery.account,
                    region,
                    is_mainland(provider, region),
                    &regional,
                    &discovery.regions_source,
                    "listed by the account but left out by --region",
                )?;
                continue;
            }
            let resources = count(
                &summary.resources_per_region,
                resume.resources_per_region(),
                region,
            );
            let data = count(&summary.data_per_region, resume.data_per_region(), region);
            let record = json!({
                "schema_version": 1,
                "kind": "region.inventory",
                "provider": provider.as_str(),
                "account": discovery.account,
                "region": region,
                "resource_id": region,
                "sources": [discovery.regions_source],
                "collected": true,
                "resource_count": resources,
            });
            let mut record = record;
            if let Some(mainland) = is_mainland(provider, region) {
                record["mainland_china"] = json!(mainland);
            }
            if let Some(holds) = watch.holds_data(resume, region, data) {
                record["holds_data"] = json!(holds);
            }
            sink.add_record("region.inventory", &record)?;
            sink.add_record(
                STATUS_KIND,
                &status_json(
                    provider,
                    &discovery.account,
                    "region.inventory",
                    region,
                    None,
                    1,
                ),
            )?;
        }
    }
    write_run(
        sink,
        &run(&discovery.account, &discovery.listed, &discovery.regions).as_boundary(),
    )?;
    progress.finish();
    Ok(CnSummary {
        account: discovery.account.clone(),
        regions: discovery.regions.clone(),
        units_collected: summary.units_collected,
        units_skipped: summary.units_skipped,
        error_scopes: errors,
    })
}

/// The owned parts of a [`RunBoundary`].
struct Run {
    provider: &'static str,
    partition: &'static str,
    account_declared: bool,
    account: String,
    regions_listed: Vec<String>,
    regions_requested: Option<Vec<String>>,
    regions_collected: Vec<String>,
    kinds: Vec<String>,
}

impl Run {
    fn as_boundary(&self) -> RunBoundary<'_> {
        RunBoundary {
            provider: self.provider,
            partition: self.partition,
            account: &self.account,
            regions_listed: self.regions_listed.clone(),
            regions_requested: self.regions_requested.clone(),
            regions_collected: self.regions_collected.clone(),
            kinds: self.kinds.clone(),
            account_declared: self.account_declared,
        }
    }
}

/// What discovery found before the units run.
#[derive(Clone, Debug, Default)]
pub(crate) struct Discovery {
    pub(crate) account: String,
    /// `account` was given by the operator (`CnConfig::account_id`).
    pub(crate) account_declared: bool,
    /// Every region of the account's region listing (Huawei: those with an IAM project).
    pub(crate) listed: Vec<String>,
    /// The regions to collect: the `--region` restriction, else every listed region.
    pub(crate) regions: Vec<String>,
    /// Digest of the region listing (cited by `region.inventory`).
    pub(crate) regions_source: String,
    /// The region listing failed (regions then come from the configuration only).
    pub(crate) regions_error: Option<CallError>,
    /// Huawei: project id per region.
    pub(crate) projects: BTreeMap<String, String>,
}

/// Which provider, and where its requests go.
#[derive(Clone, Debug)]
pub(crate) struct Endpoint {
    pub(crate) provider: CnProvider,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) http: HttpConfig,
    /// Pages per listing before it is `truncated`.
    pub(crate) max_pages: usize,
}

/// The request-sending function of the runner's unit context or of discovery.
pub(crate) type Send<'s> = dyn FnMut(&ApiRequest) -> Result<Fetched, CallError> + 's;

impl Endpoint {
    /// Sends `call` (vendor throttling retried), returns the parsed JSON and its digest.
    pub(crate) fn call(
        &self,
        send: &mut Send<'_>,
        call: call::Call,
    ) -> Result<(Value, String), CallError> {
        call::execute(self, send, call)
    }

    /// [`Endpoint::call`] through a runner unit context.
    pub(crate) fn unit_call(
        &self,
        ctx: &mut UnitCtx<'_>,
        call: call::Call,
    ) -> Result<(Value, String), CallError> {
        call::execute(self, &mut |r: &ApiRequest| ctx.send(r), call)
    }
}

/// Whether a region code is in mainland China (Hong Kong, Macao and Taiwan are not); `None`
/// where the provider's listing does not say.
pub fn is_mainland(provider: CnProvider, region: &str) -> Option<bool> {
    cloud::cloud(provider).is_mainland(region)
}

fn scope_regions(regions: &[String]) -> Vec<String> {
    if regions.is_empty() {
        vec!["global".to_owned()]
    } else {
        regions.to_vec()
    }
}

fn all_scopes(regions: &[String]) -> Vec<(&'static str, String)> {
    KINDS
        .iter()
        .flat_map(|kind| {
            scopes_for(kind, regions)
                .into_iter()
                .map(move |r| (*kind, r))
        })
        .collect()
}

fn status_json(
    provider: CnProvider,
    account: &str,
    kind: &str,
    region: &str,
    err: Option<&CallError>,
    record_count: usize,
) -> Value {
    let mut status = json!({
        "kind": kind,
        "provider": provider.as_str(),
        "account": account,
        "region": region,
        "status": if err.is_some() { "error" } else { "ok" },
        "record_count": record_count,
    });
    if let Some(err) = err {
        status["error_class"] = json!(err.class.as_str());
        status["message"] = json!(format!("1 failure(s): *: {err}"));
    }
    status
}

fn write_errors(
    provider: CnProvider,
    account: &str,
    sink: &dyn EvidenceSink,
    resume: &ResumeState,
    scopes: &[(&str, String)],
    err: &CallError,
) -> Result<usize, SinkError> {
    let mut n = 0;
    for (kind, region) in scopes {
        if resume.has_status(kind, region) {
            continue;
        }
        sink.add_record(
            STATUS_KIND,
            &status_json(provider, account, kind, region, Some(err), 0),
        )?;
        n += 1;
    }
    Ok(n)
}

/// A unit: `service` in `region` reporting on `kinds` there.
pub(crate) fn unit(service: &'static str, region: &str, kinds: &[&'static str]) -> Unit {
    Unit {
        service,
        region: region.to_owned(),
        scopes: kinds.iter().map(|k| (*k, region.to_owned())).collect(),
    }
}

/// An error for a kind the provider does not offer (where a source says so).
pub(crate) fn unsupported(service: &'static str, message: &str) -> CallError {
    CallError {
        class: ErrorClass::Unsupported,
        service,
        action: "-",
        code: None,
        status: None,
        message: message.to_owned(),
    }
}

/// An error for a kind this collector does not read from the provider: no sourced call
/// evidences it yet. It claims nothing of the provider's service (the gap table says why).
pub(crate) fn not_implemented(service: &'static str, message: &str) -> CallError {
    CallError {
        class: ErrorClass::NotImplemented,
        service,
        action: "-",
        code: None,
        status: None,
        message: message.to_owned(),
    }
}

/// An error for an answer that lacks a field the kind needs (no value is guessed).
pub(crate) fn malformed(service: &'static str, message: &str) -> CallError {
    CallError::malformed(service, message)
}

/// `global` for account-wide kinds, else each region.
pub(crate) fn scopes_for(kind: &str, regions: &[String]) -> Vec<String> {
    match kind {
        "identity.password-policy" | "identity.user" | "identity.access-key" => {
            vec!["global".to_owned()]
        }
        _ if regions.is_empty() => vec!["global".to_owned()],
        _ => regions.to_vec(),
    }
}

/// Whether a CIDR is the whole IPv4 or IPv6 internet.
pub(crate) fn is_world(cidr: &str) -> bool {
    matches!(cidr.trim(), "0.0.0.0/0" | "::/0" | "0::0/0")
}

/// String field of a JSON object, `""` when absent.
pub(crate) fn s<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Array field (a missing or null field is empty).
pub(crate) fn arr<'v>(v: &'v Value, path: &[&str]) -> &'v [Value] {
    let mut cur = v;
    for key in path {
        match cur.get(*key) {
            Some(next) => cur = next,
            None => return &[],
        }
    }
    cur.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// Boolean that vendors spell as `true`, `"true"`, `1` or `"1"`.
pub(crate) fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        Some(Value::String(s)) => matches!(s.as_str(), "true" | "True" | "1"),
        _ => false,
    }
}

/// Like [`truthy`], but `None` when the field is absent or null (not reported), so that an
/// unreported flag is left out of the record instead of being written as `false`.
pub(crate) fn flag(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Null => None,
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n == 1),
        Value::String(s) => match s.as_str() {
            "true" | "True" | "1" => Some(true),
            "false" | "False" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Sorted, deduplicated destination regions of backup copies, and whether one is outside
/// mainland China (`copy_regions`, `copy_outside_mainland`): yes when one is known to be,
/// unknown (`None`) when none is but the location of one is not known.
pub(crate) fn copy_fields(provider: CnProvider, regions: &[&str]) -> (Vec<String>, Option<bool>) {
    let set: std::collections::BTreeSet<&str> = regions.iter().copied().collect();
    let places: Vec<Option<bool>> = set.iter().map(|r| is_mainland(provider, r)).collect();
    let outside = if places.contains(&Some(false)) {
        Some(true)
    } else if places.contains(&None) {
        None
    } else {
        Some(false)
    };
    (set.into_iter().map(str::to_owned).collect(), outside)
}

/// A vendor timestamp ([`normalize_time`]) as a record timestamp; absent when unreadable.
pub(crate) fn stamp(v: Option<&Value>) -> Option<UtcTimestamp> {
    v.and_then(normalize_time)
        .as_deref()
        .and_then(UtcTimestamp::parse)
}

/// A vendor timestamp in Beijing time when it has no offset ([`normalize_time_cst`]).
pub(crate) fn stamp_cst(v: Option<&Value>) -> Option<UtcTimestamp> {
    v.and_then(normalize_time_cst)
        .as_deref()
        .and_then(UtcTimestamp::parse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_absent_when_unreadable() {
        assert_eq!(
            stamp(Some(&json!("2020-01-08 06:26:08"))).map(|t| t.to_string()),
            Some("2020-01-08T06:26:08Z".to_owned())
        );
        assert_eq!(
            stamp_cst(Some(&json!("2020-01-08 14:26:08"))).map(|t| t.to_string()),
            Some("2020-01-08T06:26:08Z".to_owned())
        );
        assert_eq!(stamp(Some(&json!("yesterday"))), None);
        // A required creation time that cannot be read is `malformed` for that resource.
        let err = required_stamp(stamp(Some(&json!(""))), "ram", "alice").unwrap_err();
        assert_eq!(err.class, ErrorClass::Malformed);
        assert!(err.message.contains("alice"), "{}", err.message);
    }

    #[test]
    fn credentials_debug_hides_secret() {
        let c = Credentials::new("AKID", "topsecret");
        let shown = format!("{c:?} {:?}", CnConfig::new(c.clone()));
        assert_eq!(c.secret.expose(), "topsecret");
        assert!(!shown.contains("topsecret"), "{shown}");
        assert!(shown.contains("AKID"));
    }

    #[test]
    fn mainland_regions_per_vendor() {
        use CnProvider::*;
        for (provider, region, mainland) in [
            (Alibaba, "cn-hangzhou", true),
            (Alibaba, "cn-shanghai-finance-1", true),
            (Alibaba, "cn-hongkong", false),
            (Alibaba, "ap-southeast-1", false),
            (Alibaba, "us-west-1", false),
            (Alibaba, "eu-central-1", false),
            (Tencent, "ap-guangzhou", true),
            (Tencent, "ap-shanghai-fsi", true),
            (Tencent, "ap-hongkong", false),
            (Tencent, "ap-taipei", false),
            (Tencent, "ap-singapore", false),
            (Tencent, "na-siliconvalley", false),
            (Huawei, "cn-north-4", true),
            (Huawei, "cn-southwest-2", true),
            (Huawei, "ap-southeast-1", false),
            (Huawei, "af-south-1", false),
        ] {
            assert_eq!(
                is_mainland(provider, region),
                Some(mainland),
                "{provider:?} {region}"
            );
        }
    }

    #[test]
    fn a_region_of_unknown_place_is_not_guessed() {
        assert_eq!(is_mainland(CnProvider::Tencent, "ap-newtown"), None);
    }

    #[test]
    fn ecloud_regions_are_of_unknown_place() {
        for pool in ["CIDC-RP-25", "CIDC-RP-11", "cn-hongkong"] {
            assert_eq!(is_mainland(CnProvider::Ecloud, pool), None, "{pool}");
        }
    }

    #[test]
    fn flag_is_absent_when_not_reported() {
        assert_eq!(flag(None), None);
        assert_eq!(flag(Some(&Value::Null)), None);
        assert_eq!(flag(Some(&json!("maybe"))), None);
        assert_eq!(flag(Some(&json!(false))), Some(false));
        assert_eq!(flag(Some(&json!("false"))), Some(false));
        assert_eq!(flag(Some(&json!(1))), Some(true));
        assert_eq!(flag(Some(&json!("true"))), Some(true));
    }

    #[test]
    fn copy_fields_sort_and_flag_outside_mainland() {
        assert_eq!(
            copy_fields(
                CnProvider::Alibaba,
                &["cn-shanghai", "ap-southeast-1", "cn-shanghai"]
            ),
            (
                vec!["ap-southeast-1".to_owned(), "cn-shanghai".to_owned()],
                Some(true)
            )
        );
        assert_eq!(
            copy_fields(CnProvider::Huawei, &["cn-east-3"]),
            (vec!["cn-east-3".to_owned()], Some(false))
        );
        // A destination whose place is not known: not known, never "inside".
        assert_eq!(
            copy_fields(CnProvider::Ecloud, &["CIDC-RP-25"]),
            (vec!["CIDC-RP-25".to_owned()], None)
        );
    }

    #[test]
    fn regional_kinds_leave_out_account_wide_ones() {
        let alibaba = regional_kinds(CnProvider::Alibaba);
        assert!(
            alibaba.contains(&"audit.trail") && !alibaba.contains(&"monitoring.threat-detection")
        );
        let tencent = regional_kinds(CnProvider::Tencent);
        assert!(
            !tencent.contains(&"audit.trail") && tencent.contains(&"monitoring.threat-detection")
        );
        for provider in [CnProvider::Alibaba, CnProvider::Tencent, CnProvider::Huawei] {
            let kinds = regional_kinds(provider);
            assert!(kinds.contains(&"storage.bucket"));
            for global in [
                "identity.user",
                "monitoring.config-recorder",
                "region.inventory",
            ] {
                assert!(!kinds.contains(&global), "{provider:?} {global}");
            }
        }
    }
}
