//! What a run was asked to cover and covered: the `collection.run` record, and for every
//! listed region left out (by `--region`) a `region.inventory` record with `collected = false`
//! and a `not-collected` status for each regional kind, so that no rule can read "no
//! resource there" into a region nobody looked at.

use serde_json::json;

use crate::sink::{EvidenceSink, STATUS_KIND, SinkError};

/// Manifest kind of the run record.
pub const RUN_KIND: &str = "collection.run";

/// One run over one account.
#[derive(Debug, Clone)]
pub struct RunBoundary<'a> {
    /// Provider (`aws`, `alibaba`, …).
    pub provider: &'a str,
    /// Partition (`aws`, `aws-cn`) or the vendor's public cloud (`alibaba`, …).
    pub partition: &'a str,
    /// Account id.
    pub account: &'a str,
    /// Every region of the account's region listing.
    pub regions_listed: Vec<String>,
    /// The `--region` restriction, if any.
    pub regions_requested: Option<Vec<String>>,
    /// The regions collected.
    pub regions_collected: Vec<String>,
    /// Every kind attempted.
    pub kinds: Vec<String>,
    /// The account id was given by the operator, not read from the provider.
    pub account_declared: bool,
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// Writes the `collection.run` record.
pub fn write_run(sink: &dyn EvidenceSink, run: &RunBoundary<'_>) -> Result<(), SinkError> {
    let mut record = json!({
        "provider": run.provider,
        "partition": run.partition,
        "account": run.account,
        "region": "global",
        "regions_listed": sorted(run.regions_listed.clone()),
        "regions_collected": sorted(run.regions_collected.clone()),
        "kinds": sorted(run.kinds.clone()),
    });
    if let Some(req) = &run.regions_requested {
        record["regions_requested"] = json!(sorted(req.clone()));
    }
    if run.account_declared {
        record["account_declared"] = json!(true);
    }
    sink.add_record(RUN_KIND, &record)
}

/// Records a listed region that was not collected: its inventory record says
/// `collected = false` (no `holds_data`, no `resource_count`: unknown), and every regional kind
/// gets a `not-collected` error status there. `listing_sha256` is the raw region listing the
/// region came from (the inventory record's source).
#[allow(clippy::too_many_arguments)]
pub fn write_not_collected(
    sink: &dyn EvidenceSink,
    provider: &str,
    account: &str,
    region: &str,
    mainland_china: Option<bool>,
    regional_kinds: &[&str],
    listing_sha256: &str,
    reason: &str,
) -> Result<(), SinkError> {
    let mut record = json!({
        "schema_version": 1,
        "kind": "region.inventory",
        "provider": provider,
        "account": account,
        "region": region,
        "resource_id": region,
        "sources": [listing_sha256],
        "collected": false,
    });
    if let Some(mainland) = mainland_china {
        record["mainland_china"] = json!(mainland);
    }
    sink.add_record("region.inventory", &record)?;
    for kind in regional_kinds
        .iter()
        .chain(std::iter::once(&"region.inventory"))
    {
        let status = json!({
            "kind": kind,
            "provider": provider,
            "account": account,
            "region": region,
            "status": "error",
            "error_class": "not-collected",
            "message": reason,
            "record_count": u64::from(*kind == "region.inventory"),
        });
        sink.add_record(STATUS_KIND, &status)?;
    }
    Ok(())
}
