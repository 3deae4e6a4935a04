//! What each Chinese cloud gives the one pipeline of [`super`]: its client (allow-list and
//! signer), how it identifies the account, its region listing, its collector, its object store
//! and which of its regions are in mainland China. Discovery, the runs, the object-store run and
//! the boundary records are written once, in `cn/mod.rs`, for every cloud.

use serde_json::Value;

use super::call::Call;
use super::sign_objstore::ObjectStore;
use super::{CnConfig, CnProvider, Discovery, Endpoint, Send};
use crate::http::{CallError, HttpClient};
use crate::runner::Collector;

/// An object-store collector with its client, or why it cannot run.
pub(crate) type OwnObjectStore = Result<(Box<dyn Collector>, HttpClient), CallError>;

/// One Chinese cloud, as the shared pipeline needs it.
pub(crate) trait CnCloud: Sync {
    /// The API client: this cloud's allow-list of read-only actions and its signer.
    fn client(&self, config: &CnConfig) -> Result<HttpClient, String>;
    /// Identifies the account (and, for Huawei, its projects). A failure here fails the run.
    fn identify(&self, endpoint: &Endpoint, send: &mut Send<'_>) -> Result<Discovery, CallError>;
    /// The region-listing call.
    fn region_listing(&self, discovery: &Discovery) -> Call;
    /// The region ids of the listing's answer that the account can hold resources in.
    fn region_ids(&self, answer: &Value, discovery: &Discovery) -> Vec<String>;
    /// The collector of every API but object storage.
    fn collector(&self, endpoint: Endpoint, discovery: &Discovery) -> Box<dyn Collector>;
    /// The object store, collected by the shared bucket collector.
    fn object_store(&self) -> ObjectStore;
    /// Whether the shared bucket collector runs for this cloud (China Mobile Cloud, China Telecom
    /// Cloud: no).
    fn collects_object_store(&self) -> bool {
        true
    }
    /// Whether the cloud's API names the account (an operator-given account id is then
    /// refused); China Mobile Cloud and China Telecom Cloud: no.
    fn names_account(&self) -> bool {
        true
    }
    /// An object-store collector of this cloud's own, with its client, run after the shared
    /// one (CTyun ZOS over S3); `Err` is recorded in every `storage.bucket` scope.
    fn own_object_store(
        &self,
        _config: &CnConfig,
        _discovery: &Discovery,
    ) -> Option<OwnObjectStore> {
        None
    }
    /// Kinds that are regional in [`super::KINDS`] but account-wide on this cloud.
    fn account_wide(&self) -> &'static [&'static str];
    /// Whether a region code is in mainland China (Hong Kong, Macao and Taiwan are not);
    /// `None` where the vendor's listing does not say (the record then leaves it out).
    fn is_mainland(&self, region: &str) -> Option<bool>;
}

/// The implementation of `provider`.
pub(crate) fn cloud(provider: CnProvider) -> &'static dyn CnCloud {
    match provider {
        CnProvider::Alibaba => &super::alibaba::Alibaba,
        CnProvider::Tencent => &super::tencent::Tencent,
        CnProvider::Huawei => &super::huawei::Huawei,
        CnProvider::Ecloud => &super::ecloud::Ecloud,
        CnProvider::Ctyun => &super::ctyun::Ctyun,
    }
}

/// The one region discovery: identify the account, then read the region listing. A failed
/// listing is kept (its regions then come from `--region` only), never an empty listing.
pub(crate) fn discover(
    cloud: &dyn CnCloud,
    endpoint: &Endpoint,
    send: &mut Send<'_>,
) -> Result<Discovery, CallError> {
    let mut discovery = cloud.identify(endpoint, send)?;
    match endpoint.call(send, cloud.region_listing(&discovery)) {
        Ok((answer, sha)) => {
            discovery.regions_source = sha;
            discovery.listed = cloud.region_ids(&answer, &discovery);
        }
        Err(err) => discovery.regions_error = Some(err),
    }
    Ok(discovery)
}
