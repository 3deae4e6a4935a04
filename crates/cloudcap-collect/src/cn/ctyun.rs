//! China Telecom Cloud (天翼云, CTyun) collector: OpenAPI calls signed for the EOP gateway
//! ([`super::sign_ctyun`]): the region (resource pool) listing of the ECS API, each region's
//! security groups with their rules from the VPC API, its volumes from the EBS API
//! (`ctyunsdk-ebs20220909` 2.0.0 `v4_ebs_list_ebs`) and its volume-backup policies
//! (`ctyunsdk-ebsbackup20220909` 2.0.3 `v4_ebs_backup_policy_list_policies`), its cloud-server
//! backup policies (`ctyunsdk-csbs20220909` 2.0.2 `v4_ecs_backup_policy_list`) and its
//! TeleDB for MySQL instances from the RDS2 API (`ctyunsdk-rds220220714` 2.0.2). Buckets come
//! from ZOS over S3 ([`super::zos`], run by the shared pipeline through `own_object_store`).
//! Every other kind is `not-implemented` (see the gap table in `docs/collectors.md`).
//!
//! Calls, parameters and fields: the official Python SDKs on PyPI, `ctyunsdk-ecs20220909` 2.0.2
//! (`ecs_client.py` `v4_region_list_regions`; its response model leaves `returnObj` untyped, so
//! the region fields are those of the API reference page "资源池列表查询",
//! ctyun.cn/document/10026730/10597591) and `ctyunsdk-vpc20220909` 2.0.2 (`vpc_client.py`
//! `v4_vpc_new_query_security_groups`, `models/v4_vpc_new_query_security_groups.py`). The
//! answer envelope (`statusCode` 800/900, `errorCode`, `message`, `description`, `returnObj`)
//! is the one every model of those SDKs shares. Security groups page with `pageNo`/`pageSize`
//! (at most 50) and are read until `returnObj.totalCount` ([`paging::list`]).

use std::collections::BTreeMap;

use cloudcap_evidence::{BackupPlan, ComputeVolume, DatabaseInstance, SecurityGroup};
use serde_json::Value;

use crate::allow::AllowList;
use crate::cn::call::Call;
use crate::cn::ingress::{self, Proto, Span, Tie};
use crate::cn::paging::{self, Page};
use crate::cn::sign_ctyun::CtyunSigner;
use crate::cn::{CnConfig, Discovery, Endpoint, Send, arr, is_world, not_implemented, s, unit};
use crate::http::{CallError, HttpClient};
use crate::runner::{Collector, Unit, UnitCtx};

/// The ECS OpenAPI host (region listing); `--endpoint-url` replaces it.
pub const ECS_HOST: &str = "ctecs-global.ctapi.ctyun.cn";
/// The VPC OpenAPI host (security groups); `--endpoint-url` replaces it.
pub const VPC_HOST: &str = "ctvpc-global.ctapi.ctyun.cn";
/// The EBS OpenAPI host (volumes); `--endpoint-url` replaces it. The three hosts are the
/// production endpoints of ctyun-it/ctyun-sdk-go (`UrlProdCtecs`, `UrlProdCtvpc`,
/// `UrlProdCtebs`).
pub const EBS_HOST: &str = "ebs-global.ctapi.ctyun.cn";

/// Volumes per page we ask for (`pageSize`; the SDK model gives 300 as the maximum).
pub const EBS_PAGE_SIZE: u64 = 300;
/// The volume-backup OpenAPI host (backup policies); `--endpoint-url` replaces it. Not in the
/// official SDKs: the endpoint a third-party CTyun CLI pins for the `/v4/ebs-backup/` APIs
/// (docs/collectors.md, "China Telecom Cloud (CTyun)").
pub const EBSBACKUP_HOST: &str = "ebsbackup-global.ctapi.ctyun.cn";
/// Backup policies per page we ask for: the model's documented default (no maximum is given).
pub const BACKUP_PAGE_SIZE: u64 = 10;
/// Cloud-server backup policies per page we ask for (`pageSize`; the SDK model gives
/// `[1, 50]`). They are served by the ECS host ([`ECS_HOST`]): ctyun-it/terraform-provider-ctyun
/// sends `/v4/ecs/backup-policy/list` to its `ctecs` endpoint.
pub const CSBS_PAGE_SIZE: u64 = 50;

/// The RDS2 (TeleDB for MySQL) OpenAPI host (database instances); `--endpoint-url` replaces
/// it. The production endpoint of ctyun-it/terraform-provider-ctyun
/// (`internal/core/ctyun-sdk-endpoint/mysql/const.go`, `UrlPordCtdas`).
pub const RDS_HOST: &str = "rds2-global.ctapi.ctyun.cn";
/// Instances and backup settings per page we ask for (`pageSize`): the SDK model gives no
/// maximum; 100 is what ctyun-it/terraform-provider-ctyun asks for.
pub const RDS_PAGE_SIZE: u64 = 100;

/// Items per page we ask for (`pageSize`; the API reference gives 50 as the maximum).
pub const PAGE_SIZE: u64 = 50;

/// The kinds this collector evidences; every other kind of [`super::KINDS`] is `not-implemented`.
/// `storage.bucket` comes from ZOS ([`super::zos`]), when its endpoint and key pair are given.
pub const EVIDENCED: &[&str] = &[
    "backup.plan",
    "compute.volume",
    "database.instance",
    "network.security-group",
    "region.inventory",
    "storage.bucket",
];

/// The read-only actions this collector may call (named as the SDKs' models are).
pub fn allow_list() -> AllowList {
    AllowList::new(
        "ctyun",
        &[
            ("csbs", "V4EcsBackupPolicyList"),
            ("ebs", "V4EbsListEbs"),
            ("ebsbackup", "V4EbsBackupPolicyListPolicies"),
            ("ecs", "V4RegionListRegions"),
            ("rds2", "Rds2GetBackupConfigList"),
            ("rds2", "Rds2GetInstanceDetailV4"),
            ("rds2", "Rds2GetInstanceListV4"),
            ("rds2", "Rds2GetInstanceTdeStatus"),
            ("vpc", "V4VpcNewQuerySecurityGroups"),
        ],
    )
}

pub(crate) fn client(config: &CnConfig) -> Result<HttpClient, String> {
    HttpClient::new(
        config.http.clone(),
        allow_list(),
        Box::new(CtyunSigner::new(config.credentials.clone())),
    )
}

/// A GET call (the SDKs send `Content-type: application/json;charset=UTF-8` on every call).
fn get(
    service: &'static str,
    action: &'static str,
    host: &str,
    path: &str,
    query: &[(&str, String)],
) -> Call {
    let mut call = Call::new(service, action, "global", host.to_owned());
    call.path = path.to_owned();
    call.headers = vec![(
        "Content-Type".into(),
        "application/json;charset=UTF-8".into(),
    )];
    call.query = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    call
}

/// China Telecom Cloud in the shared pipeline ([`super::cloud::CnCloud`]).
pub(crate) struct Ctyun;

impl super::cloud::CnCloud for Ctyun {
    fn client(&self, config: &CnConfig) -> Result<HttpClient, String> {
        client(config)
    }

    /// No call of the SDKs read returns the account id: no request is sent and the account is
    /// recorded as `unknown`.
    fn identify(&self, _: &Endpoint, _: &mut Send<'_>) -> Result<Discovery, CallError> {
        Ok(Discovery {
            account: "unknown".to_owned(),
            ..Discovery::default()
        })
    }

    /// `GET /v4/region/list-regions` (`V4RegionListRegions`).
    fn region_listing(&self, _: &Discovery) -> Call {
        get(
            "ecs",
            "V4RegionListRegions",
            ECS_HOST,
            "/v4/region/list-regions",
            &[],
        )
    }

    /// `regionID` of each `returnObj.regionList` entry (what the other calls take as
    /// `regionID`).
    fn region_ids(&self, answer: &Value, _: &Discovery) -> Vec<String> {
        let mut ids: Vec<String> = arr(answer, &["returnObj", "regionList"])
            .iter()
            .map(|r| s(r, "regionID").to_owned())
            .filter(|r| !r.is_empty())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    fn collector(&self, endpoint: Endpoint, discovery: &Discovery) -> Box<dyn Collector> {
        Box::new(CtyunCollector {
            endpoint,
            regions: discovery.regions.clone(),
            regions_error: discovery.regions_error.clone(),
        })
    }

    fn object_store(&self) -> super::sign_objstore::ObjectStore {
        // Never used: `collects_object_store` is false (ZOS has its own collector).
        super::sign_objstore::ObjectStore::Oss
    }

    fn collects_object_store(&self) -> bool {
        false
    }

    /// No call of the sourced API names the account: `--account-id` may declare it.
    fn names_account(&self) -> bool {
        false
    }

    /// ZOS over S3 ([`super::zos`]); without its configuration every `storage.bucket` scope
    /// is `not-collected`, naming what to set.
    fn own_object_store(
        &self,
        config: &CnConfig,
        discovery: &Discovery,
    ) -> Option<super::cloud::OwnObjectStore> {
        let Some(zos) = &config.zos else {
            return Some(Err(super::zos::not_configured()));
        };
        Some(
            super::zos::client(&config.http, zos)
                .map(|client| {
                    let regions = if discovery.regions.is_empty() {
                        vec!["global".to_owned()]
                    } else {
                        discovery.regions.clone()
                    };
                    let collector: Box<dyn Collector> = Box::new(super::zos::ZosCollector {
                        zos: zos.clone(),
                        regions,
                        max_pages: config.max_pages,
                    });
                    (collector, client)
                })
                .map_err(|message| CallError {
                    class: crate::http::ErrorClass::ServerError,
                    service: "zos",
                    action: "-",
                    code: None,
                    status: None,
                    message,
                }),
        )
    }

    fn account_wide(&self) -> &'static [&'static str] {
        &[]
    }

    /// The region listing names a province (`regionParent`) and a code (`regionCode`) but no
    /// source says which resource pools are in mainland China: see [`mainland_china`]. Not
    /// known, so the inventory record leaves `mainland_china` out and residency is not
    /// evaluated.
    fn is_mainland(&self, region: &str) -> Option<bool> {
        mainland_china(region)
    }
}

/// Whether a CTyun region is in mainland China, as far as a source says: never (`None`): the
/// listing carries no such indicator and the region codes are not documented as one.
pub fn mainland_china(_region: &str) -> Option<bool> {
    None
}

pub(crate) struct CtyunCollector {
    endpoint: Endpoint,
    regions: Vec<String>,
    /// Why the region listing failed: security groups are listed per region, so without one
    /// their `global` scope carries this error.
    regions_error: Option<CallError>,
}

/// Account-wide kinds recorded once, `not-implemented`: the shared account-wide ones.
const GLOBAL_UNREAD: &[&str] = super::ACCOUNT_WIDE;

/// Kinds recorded per region (`not-implemented`): regional and not evidenced.
fn unread_regional() -> Vec<&'static str> {
    super::unread_regional(EVIDENCED)
}

impl Collector for CtyunCollector {
    fn provider(&self) -> cloudcap_evidence::Provider {
        cloudcap_evidence::Provider::Ctyun
    }

    fn units(&self) -> Vec<Unit> {
        let mut units = vec![unit("unread", "global", GLOBAL_UNREAD)];
        let regional = unread_regional();
        // Without a region (the listing failed and none was asked for): one `global` scope.
        let regions = if self.regions.is_empty() {
            vec!["global".to_owned()]
        } else {
            self.regions.clone()
        };
        for region in &regions {
            units.push(unit("vpc", region, &["network.security-group"]));
            units.push(unit("ebs", region, &["compute.volume"]));
            units.push(unit("ebsbackup", region, &["backup.plan"]));
            units.push(unit("rds2", region, &["database.instance"]));
            units.push(unit("unread", region, &regional));
        }
        units
    }

    fn collect(&self, unit: &Unit, ctx: &mut UnitCtx<'_>) {
        match unit.service {
            "vpc" if unit.region != "global" => self.security_groups(ctx, &unit.region),
            "ebs" if unit.region != "global" => self.volumes(ctx, &unit.region),
            "ebsbackup" if unit.region != "global" => self.backup_plans(ctx, &unit.region),
            "rds2" if unit.region != "global" => self.databases(ctx, &unit.region),
            _ => {
                let err = if matches!(unit.service, "vpc" | "ebs" | "ebsbackup" | "rds2") {
                    self.regions_error.clone().unwrap_or_else(|| {
                        super::malformed(unit.service, "no region to list resources in")
                    })
                } else {
                    not_implemented(
                        "ctyun",
                        "not read from China Telecom Cloud by this version of cloudcap: see the gap table in docs/collectors.md",
                    )
                };
                for (kind, region) in &unit.scopes {
                    ctx.fail(kind, region, "*", &err);
                }
            }
        }
    }
}

impl CtyunCollector {
    /// `GET /v4/vpc/new-query-security-groups` (`regionID`, `pageNo`, `pageSize`) read to
    /// `returnObj.totalCount`; each group carries its rules (`securityGroupRuleList`).
    fn security_groups(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        const KIND: &str = "network.security-group";
        const SERVICE: &str = "vpc";
        const ACTION: &str = "V4VpcNewQuerySecurityGroups";
        let list = paging::list(SERVICE, ACTION, self.endpoint.max_pages, |cursor| {
            let call = get(
                SERVICE,
                ACTION,
                VPC_HOST,
                "/v4/vpc/new-query-security-groups",
                &[
                    ("regionID", region.to_owned()),
                    ("pageNo", cursor.number.to_string()),
                    ("pageSize", PAGE_SIZE.to_string()),
                ],
            );
            let (v, sha) = self.endpoint.unit_call(ctx, call)?;
            let got = paging::items(&v, &["returnObj", "securityGroups"], SERVICE, ACTION)?;
            let more = paging::total(&v, &["returnObj", "totalCount"], SERVICE, ACTION)?;
            Ok(Page {
                items: got.into_iter().map(|g| (g, sha.clone())).collect(),
                more,
            })
        });
        let groups = match list {
            Ok(g) => g,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        ctx.touch(KIND, region);
        for (group, sha) in groups {
            let id = s(&group, "id").to_owned();
            // The rules come with the group; a group whose answer has no rule list is not
            // read as a group without rules.
            let Some(rules) = group.get("securityGroupRuleList").and_then(Value::as_array) else {
                let err = super::malformed(
                    SERVICE,
                    &format!("security group {id}: no securityGroupRuleList"),
                );
                ctx.fail(KIND, region, &id, &err);
                continue;
            };
            let (ports, all) = match group_world_open(rules) {
                Ok(fields) => fields,
                Err(message) => {
                    let err = super::malformed(SERVICE, &format!("security group {id}: {message}"));
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            let vpc = Some(s(&group, "vpcID"))
                .filter(|v| !v.is_empty())
                .map(str::to_owned);
            ctx.put(region, &id, &[sha.as_str()], |envelope| SecurityGroup {
                envelope,
                name: s(&group, "securityGroupName").to_owned(),
                // A group in a VPC is not in a classic network; a group without `vpcID`
                // says neither.
                classic_network: vpc.as_ref().map(|_| false),
                vpc_id: vpc,
                world_open_ports: ports,
                world_open_all: all,
            });
        }
    }
}

impl CtyunCollector {
    /// `GET /v4/ebs/list-ebs` (`V4EbsListEbs`: `regionID`, `pageNo`, `pageSize` at most 300)
    /// read to `returnObj.totalCount`. Fields of `V4EbsListEbsReturnObjDiskList`: `diskID`,
    /// `isEncrypt` (a volume without it is `malformed`, never taken as unencrypted),
    /// `attachments` / `instanceID` (returned only for an attached volume). Whose key encrypts
    /// a volume (`kmsUUID` names a key, not its owner) the answer does not say, so
    /// `customer_managed_key` is left out for an encrypted volume; an unencrypted one has none.
    fn volumes(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        const KIND: &str = "compute.volume";
        const SERVICE: &str = "ebs";
        const ACTION: &str = "V4EbsListEbs";
        let list = paging::list(SERVICE, ACTION, self.endpoint.max_pages, |cursor| {
            let call = get(
                SERVICE,
                ACTION,
                EBS_HOST,
                "/v4/ebs/list-ebs",
                &[
                    ("regionID", region.to_owned()),
                    ("pageNo", cursor.number.to_string()),
                    ("pageSize", EBS_PAGE_SIZE.to_string()),
                ],
            );
            let (v, sha) = self.endpoint.unit_call(ctx, call)?;
            let got = paging::items(&v, &["returnObj", "diskList"], SERVICE, ACTION)?;
            let more = paging::total(&v, &["returnObj", "totalCount"], SERVICE, ACTION)?;
            Ok(Page {
                items: got.into_iter().map(|d| (d, sha.clone())).collect(),
                more,
            })
        });
        let disks = match list {
            Ok(d) => d,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        ctx.touch(KIND, region);
        for (disk, sha) in disks {
            let id = s(&disk, "diskID").to_owned();
            let Some(encrypted) = disk.get("isEncrypt").and_then(Value::as_bool) else {
                let err = super::malformed(SERVICE, &format!("volume {id}: no isEncrypt"));
                ctx.fail(KIND, region, &id, &err);
                continue;
            };
            let attached =
                !arr(&disk, &["attachments"]).is_empty() || !s(&disk, "instanceID").is_empty();
            ctx.put(region, &id, &[sha.as_str()], |envelope| ComputeVolume {
                envelope,
                encrypted,
                customer_managed_key: (!encrypted).then_some(false),
                attached,
            });
        }
    }
}

impl CtyunCollector {
    /// `GET /v4/ebs-backup/policy/list-policies` (`V4EbsBackupPolicyListPolicies`: `regionID`,
    /// `pageNo`, `pageSize`) read to `returnObj.totalCount`. Fields of
    /// `V4EbsBackupPolicyListPoliciesReturnObjPolicyList` (meanings from the field comments of
    /// the policy-create model): `policyID`, `policyName`, `status` (0 off, 1 on; anything else
    /// is `malformed`), `retentionType` (`date`: `retentionDay` days; `num`: a number of backups,
    /// not a period; `all`: kept for ever), so `retention_days` is reported for `date` only and
    /// `keeps_forever` for `date` (false) and `all` (true). The policy says nothing about copies to another region: those fields are
    /// left out.
    ///
    /// Then the cloud-server backup policies, `GET /v4/ecs/backup-policy/list`
    /// (`V4EcsBackupPolicyList` of `ctyunsdk-csbs20220909` 2.0.2: `regionID`, `pageNo`, `pageSize`
    /// at most 50, read to `returnObj.totalCount`): its `V4EcsBackupPolicyListReturnObjPolicyList`
    /// has the same `policyID`, `policyName`, `status` (0 off, 1 on), `retentionType` (`date`,
    /// `num`, `all`) and `retentionDay` (only for `date`), read the same way. Its advanced
    /// retention (`advRetention`, allowed only for `num`) keeps the latest backup of each of
    /// so many days, weeks, months or years: counts, not a period, so a `num` policy has
    /// neither `retention_days` nor `keeps_forever`.
    fn backup_plans(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        const KIND: &str = "backup.plan";
        // Both listings fill the one scope: a failed one is its error, the other's policies
        // are still recorded.
        let mut policies = Vec::new();
        for (service, action, host, path, size) in [
            (
                "ebsbackup",
                "V4EbsBackupPolicyListPolicies",
                EBSBACKUP_HOST,
                "/v4/ebs-backup/policy/list-policies",
                BACKUP_PAGE_SIZE,
            ),
            (
                "csbs",
                "V4EcsBackupPolicyList",
                ECS_HOST,
                "/v4/ecs/backup-policy/list",
                CSBS_PAGE_SIZE,
            ),
        ] {
            let list = paging::list(service, action, self.endpoint.max_pages, |cursor| {
                let call = get(
                    service,
                    action,
                    host,
                    path,
                    &[
                        ("regionID", region.to_owned()),
                        ("pageNo", cursor.number.to_string()),
                        ("pageSize", size.to_string()),
                    ],
                );
                let (v, sha) = self.endpoint.unit_call(ctx, call)?;
                let got = paging::items(&v, &["returnObj", "policyList"], service, action)?;
                let more = paging::total(&v, &["returnObj", "totalCount"], service, action)?;
                Ok(Page {
                    items: got.into_iter().map(|p| (p, sha.clone())).collect(),
                    more,
                })
            });
            match list {
                Ok(p) => policies.extend(p.into_iter().map(|(p, sha)| (service, p, sha))),
                Err(err) => ctx.fail(KIND, region, "*", &err),
            }
        }
        ctx.touch(KIND, region);
        for (service, policy, sha) in policies {
            let id = s(&policy, "policyID").to_owned();
            let plan = backup_plan_fields(&policy);
            let (enabled, retention_days, keeps_forever) = match plan {
                Ok(fields) => fields,
                Err(message) => {
                    let err = super::malformed(service, &format!("backup policy {id}: {message}"));
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            ctx.put(region, &id, &[sha.as_str()], |envelope| BackupPlan {
                envelope,
                name: s(&policy, "policyName").to_owned(),
                enabled,
                retention_days,
                keeps_forever,
                cross_region_copy: None,
                copy_regions: None,
                copy_outside_mainland: None,
            });
        }
    }
}

/// An RDS2 call: the SDK sends `regionId` as a header (`header_params` of
/// `rds2_get_instance_list_v4_api.py`; the GET operations send every request field that is not
/// a query parameter as a header), the instance id and paging of GET calls in the query, and
/// the paging of the instance listing as its JSON body.
fn rds2(
    action: &'static str,
    path: &str,
    region: &str,
    query: &[(&str, String)],
    body: Option<Value>,
) -> Call {
    let mut call = get("rds2", action, RDS_HOST, path, query);
    call.headers.push(("regionId".into(), region.to_owned()));
    if let Some(body) = body {
        call.method = reqwest::Method::POST;
        call.body = body.to_string().into_bytes();
    }
    call
}

impl CtyunCollector {
    /// Every page of an RDS2 listing: `pageNow` from 1 and `pageSize` in the JSON body (`post`)
    /// or the query, items `returnObj.list`, read to `returnObj.total`.
    fn rds2_list(
        &self,
        ctx: &mut UnitCtx<'_>,
        region: &str,
        action: &'static str,
        path: &str,
        post: bool,
    ) -> Result<Vec<(Value, String)>, CallError> {
        const SERVICE: &str = "rds2";
        paging::list(SERVICE, action, self.endpoint.max_pages, |cursor| {
            let call = if post {
                let body = serde_json::json!({"pageNow": cursor.number, "pageSize": RDS_PAGE_SIZE});
                rds2(action, path, region, &[], Some(body))
            } else {
                let paging = [
                    ("pageNow", cursor.number.to_string()),
                    ("pageSize", RDS_PAGE_SIZE.to_string()),
                ];
                rds2(action, path, region, &paging, None)
            };
            let (v, sha) = self.endpoint.unit_call(ctx, call)?;
            let got = paging::items(&v, &["returnObj", "list"], SERVICE, action)?;
            let more = paging::total(&v, &["returnObj", "total"], SERVICE, action)?;
            Ok(Page {
                items: got.into_iter().map(|i| (i, sha.clone())).collect(),
                more,
            })
        })
    }

    /// TeleDB for MySQL instances (`ctyunsdk-rds220220714` 2.0.2):
    /// `POST /RDS2/v1/open-api/instance/instance-list` (`Rds2GetInstanceListV4`: body `pageNow`,
    /// `pageSize`; read to `returnObj.total`), the region's backup settings
    /// `GET /RDS2/v2/open-api/backupConfig/list` (`Rds2GetBackupConfigList`: `pageNow`,
    /// `pageSize`, read to `returnObj.total`), and per instance
    /// `GET /RDS2/v1/open-api/instance` (`Rds2GetInstanceDetailV4`) and
    /// `GET /RDS2/v1/open-api/kmsproxy/status` (`Rds2GetInstanceTdeStatus`), both with
    /// `outerProdInstId`. See [`database_fields`] for the mapping.
    fn databases(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        const KIND: &str = "database.instance";
        const SERVICE: &str = "rds2";
        let instances = match self.rds2_list(
            ctx,
            region,
            "Rds2GetInstanceListV4",
            "/RDS2/v1/open-api/instance/instance-list",
            true,
        ) {
            Ok(i) => i,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        let configs = match self.rds2_list(
            ctx,
            region,
            "Rds2GetBackupConfigList",
            "/RDS2/v2/open-api/backupConfig/list",
            false,
        ) {
            Ok(c) => c,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        let configs: BTreeMap<String, (Value, String)> = configs
            .into_iter()
            .map(|(c, sha)| (s(&c, "outerProdInstId").to_owned(), (c, sha)))
            .filter(|(id, _)| !id.is_empty())
            .collect();
        ctx.touch(KIND, region);
        for (instance, list_sha) in instances {
            let id = s(&instance, "outerProdInstId").to_owned();
            if id.is_empty() {
                let err = super::malformed(SERVICE, "an instance without outerProdInstId");
                ctx.fail(KIND, region, "*", &err);
                continue;
            }
            let query = [("outerProdInstId", id.clone())];
            let mut answers = Vec::new();
            for (action, path) in [
                ("Rds2GetInstanceDetailV4", "/RDS2/v1/open-api/instance"),
                (
                    "Rds2GetInstanceTdeStatus",
                    "/RDS2/v1/open-api/kmsproxy/status",
                ),
            ] {
                match self
                    .endpoint
                    .unit_call(ctx, rds2(action, path, region, &query, None))
                {
                    Ok(answer) => answers.push(answer),
                    Err(err) => {
                        ctx.fail(KIND, region, &id, &err);
                        break;
                    }
                }
            }
            let [(detail, detail_sha), (tde, tde_sha)] = match <[_; 2]>::try_from(answers) {
                Ok(a) => a,
                Err(_) => continue,
            };
            let config = configs.get(&id);
            let fields = database_fields(
                &instance,
                &detail["returnObj"],
                &tde["returnObj"],
                config.map(|(c, _)| c),
            );
            let (engine, encrypted, public, backup_retention_days, multi_az) = match fields {
                Ok(f) => f,
                Err(message) => {
                    let err = super::malformed(SERVICE, &format!("instance {id}: {message}"));
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            let mut sources = vec![list_sha.as_str(), detail_sha.as_str(), tde_sha.as_str()];
            if let Some((_, sha)) = config {
                sources.push(sha.as_str());
            }
            ctx.put(region, &id, &sources, |envelope| DatabaseInstance {
                envelope,
                engine,
                encrypted,
                public,
                backup_retention_days,
                multi_az,
            });
        }
    }
}

/// A whole number in a JSON number or a numeric string (the RDS2 models type most status
/// fields `Any`).
fn number(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `engine`, `encrypted`, `public`, `backup_retention_days` and `multi_az`.
type DatabaseFields = (String, Option<bool>, bool, u32, bool);

/// The fields of a `database.instance` record from the instance's list entry, its detail, its
/// TDE state and its backup setting (`Rds2GetBackupConfigList` entry of the same
/// `outerProdInstId`), or why a required one cannot be read. Field meanings are the SDK models'
/// field comments:
///
/// * `engine` ← list `prodDbEngine`, lower-cased (required).
/// * `public` ← detail `eipStatus`: 1 (an elastic IP is bound) → true, 0 (none bound) → false;
///   2 (being bound) or anything else → not known: an error.
/// * `multi_az` ← detail `azInfoList`: nodes in two or more zones (`azId`, else `azName`) →
///   true, in one → false; no zone listed → an error.
/// * `encrypted` ← `tdeStatus` 0 (TDE on) → true; 2 (TDE off) says nothing about the storage
///   underneath, which no call reports: left out, as is any other value.
/// * `backup_retention_days` ← `backupOperation` false (automatic backup off) → 0; true →
///   `expiredTime`, seconds (the model's comment and its `minExpiredTime`/`maxExpiredTime`), in
///   whole days, rounded down. No setting for the instance, no `backupOperation`, or no
///   readable `expiredTime` → an error.
fn database_fields(
    instance: &Value,
    detail: &Value,
    tde: &Value,
    config: Option<&Value>,
) -> Result<DatabaseFields, String> {
    let engine = s(instance, "prodDbEngine").trim().to_ascii_lowercase();
    if engine.is_empty() {
        return Err("no prodDbEngine".into());
    }
    let public = match number(detail.get("eipStatus")) {
        Some(1) => true,
        Some(0) => false,
        _ => {
            return Err(format!(
                "eipStatus {} is neither 0 (no elastic IP) nor 1 (bound)",
                detail["eipStatus"]
            ));
        }
    };
    let zones: std::collections::BTreeSet<&str> = arr(detail, &["azInfoList"])
        .iter()
        .map(|z| {
            Some(s(z, "azId"))
                .filter(|a| !a.is_empty())
                .unwrap_or(s(z, "azName"))
        })
        .filter(|z| !z.is_empty())
        .collect();
    if zones.is_empty() {
        return Err("azInfoList names no availability zone".into());
    }
    let encrypted = (number(tde.get("tdeStatus")) == Some(0)).then_some(true);
    let config = config.ok_or("no backup setting (Rds2GetBackupConfigList) for it")?;
    let retention = match config.get("backupOperation").and_then(Value::as_bool) {
        Some(false) => 0,
        Some(true) => {
            let seconds = number(config.get("expiredTime")).ok_or_else(|| {
                format!(
                    "expiredTime {} is not a number of seconds",
                    config["expiredTime"]
                )
            })?;
            u32::try_from(seconds / 86_400).map_err(|_| "expiredTime is out of range".to_owned())?
        }
        None => return Err("the backup setting has no backupOperation".into()),
    };
    Ok((engine, encrypted, public, retention, zones.len() >= 2))
}

/// `enabled`, `retention_days` and `keeps_forever` of a backup policy, or why they cannot be
/// read.
fn backup_plan_fields(policy: &Value) -> Result<(bool, Option<u32>, Option<bool>), String> {
    let enabled = match policy.get("status").and_then(Value::as_i64) {
        Some(1) => true,
        Some(0) => false,
        _ => return Err(format!("status {} is neither 0 nor 1", policy["status"])),
    };
    let (retention, forever) = match s(policy, "retentionType") {
        "date" => {
            let days = policy
                .get("retentionDay")
                .and_then(Value::as_u64)
                .and_then(|d| u32::try_from(d).ok())
                .ok_or_else(|| {
                    format!("retentionDay {} is not a day count", policy["retentionDay"])
                })?;
            (Some(days), Some(false))
        }
        "all" => (None, Some(true)),
        "num" => (None, None),
        other => return Err(format!("retentionType {other:?} is not date, num or all")),
    };
    Ok((enabled, retention, forever))
}

/// `world_open_ports` and `world_open_all` of a group from its rules. An unreadable rule is an
/// error. The SDK model documents `priority` 1..=100, a smaller value weighed first; what
/// applies when an accept and a drop rule share a priority no source says, so such an overlap
/// leaves the group's openness unknown ([`Tie::Unknown`]): never failed, never passed on a guess.
fn group_world_open(rules: &[Value]) -> Result<(Vec<u16>, bool), String> {
    let rules = rules
        .iter()
        .map(world_rule)
        .collect::<Result<Vec<_>, _>>()?;
    ingress::world_reach(
        &rules.into_iter().flatten().collect::<Vec<_>>(),
        Tie::Unknown,
    )
}

/// The rule, if it is an ingress rule from the whole internet; an unreadable rule is an error
/// (never skipped).
///
/// An `ingress` rule whose `destCidrIp` (the remote address, as the model names it) is the whole
/// internet; `action` `accept` or `drop`. A remote given as a prefix list (`prefixListID`) is
/// not read: unknown. Protocol `ANY` covers every port; `TCP` / `UDP` cover
/// `range` (`from-to` or one port); `ICMP` / `ICMP6` have no ports (`range` is the ICMP type
/// there). A rule without `action`, or with a protocol or range the model does not describe,
/// is an error for its group.
fn world_rule(rule: &Value) -> Result<Option<ingress::Rule>, String> {
    if !s(rule, "direction").eq_ignore_ascii_case("ingress") {
        return Ok(None);
    }
    let id = s(rule, "id").to_owned();
    if !s(rule, "prefixListID").is_empty() {
        return Err(format!(
            "rule {id}: its remote is prefix list {}, whose addresses are not read",
            s(rule, "prefixListID")
        ));
    }
    let cidr = s(rule, "destCidrIp");
    if !is_world(cidr) {
        return Ok(None);
    }
    let accept = match s(rule, "action").to_ascii_lowercase().as_str() {
        "accept" => true,
        "drop" => false,
        other => {
            return Err(format!(
                "rule {id}: action {other:?} is neither accept nor drop"
            ));
        }
    };
    let range = s(rule, "range");
    let (proto, span) = match s(rule, "protocol").to_ascii_uppercase().as_str() {
        "ANY" => (Proto::Any, Span::All),
        p @ ("TCP" | "UDP") => {
            let ports = ingress::port_range(range, '-')
                .ok_or_else(|| format!("rule {id}: range {range:?} is not a port range"))?;
            let proto = if p == "TCP" { Proto::Tcp } else { Proto::Udp };
            (proto, Span::Ranges(vec![ports]))
        }
        "ICMP" | "ICMP6" => (Proto::Portless, Span::All),
        other => {
            return Err(format!(
                "rule {id}: protocol {other:?} is not one the SDK describes"
            ));
        }
    };
    Ok(Some(ingress::Rule {
        id,
        rank: rule.get("priority").and_then(Value::as_i64),
        accept,
        v6: cidr.contains(':'),
        proto,
        span,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn open(rules: Value) -> Result<(Vec<u16>, bool), String> {
        group_world_open(rules.as_array().unwrap())
    }

    #[test]
    fn a_drop_rule_on_an_opened_port_leaves_the_group_unknown() {
        let rule = |action: &str, protocol: &str, range: &str| json!({"id": "1", "direction": "ingress", "action": action, "protocol": protocol, "range": range, "destCidrIp": "0.0.0.0/0"});
        for (accept, drop) in [
            (rule("accept", "TCP", "20-25"), rule("drop", "TCP", "22")),
            (rule("accept", "TCP", "22"), rule("drop", "ANY", "")),
            (rule("accept", "ANY", ""), rule("drop", "TCP", "3389")),
        ] {
            let got = open(json!([accept, drop]));
            assert!(got.unwrap_err().contains("priority"));
        }
        // A drop on another port does not matter.
        let got = open(json!([
            rule("accept", "TCP", "22"),
            rule("drop", "TCP", "23")
        ]));
        assert_eq!(got.unwrap(), (vec![22], false));
    }

    #[test]
    fn a_drop_rule_weighed_first_closes_and_one_weighed_later_does_not() {
        let rule = |priority: i64, action: &str, range: &str| json!({"id": format!("{action}-{priority}"), "direction": "ingress", "priority": priority, "action": action, "protocol": "TCP", "range": range, "destCidrIp": "0.0.0.0/0"});
        let got = open(json!([rule(2, "accept", "20-25"), rule(1, "drop", "22")]));
        assert_eq!(got.unwrap(), (vec![20, 21, 23, 24, 25], false));
        let got = open(json!([rule(1, "accept", "22"), rule(9, "drop", "22")]));
        assert_eq!(got.unwrap(), (vec![22], false));
        // The same priority: what applies is not documented.
        let got = open(json!([rule(1, "accept", "22"), rule(1, "drop", "22")]));
        assert!(got.unwrap_err().contains("same priority"));
    }

    #[test]
    fn a_prefix_list_remote_leaves_the_group_unknown() {
        let got = open(
            json!([{"id": "1", "direction": "ingress", "priority": 1, "action": "accept", "protocol": "TCP", "range": "22", "destCidrIp": "", "prefixListID": "pl-1"}]),
        );
        assert!(got.unwrap_err().contains("prefix list"));
    }

    #[test]
    fn backup_policy_retention_is_a_period_only_for_date() {
        let p = |status: Value, kind: &str, day: Value| {
            backup_plan_fields(
                &json!({"status": status, "retentionType": kind, "retentionDay": day}),
            )
        };
        assert_eq!(
            p(json!(1), "date", json!(30)),
            Ok((true, Some(30), Some(false)))
        );
        assert_eq!(p(json!(0), "num", Value::Null), Ok((false, None, None)));
        assert_eq!(
            p(json!(1), "all", Value::Null),
            Ok((true, None, Some(true)))
        );
        assert!(p(json!(2), "date", json!(30)).is_err());
        assert!(p(Value::Null, "all", Value::Null).is_err());
        assert!(p(json!(1), "date", Value::Null).is_err());
        assert!(p(json!(1), "forever", Value::Null).is_err());
    }

    #[test]
    fn database_fields_come_from_the_models_only() {
        let instance = json!({"prodDbEngine": "MySQL"});
        let detail = |eip: Value, zones: Value| json!({"eipStatus": eip, "azInfoList": zones});
        let two = json!([{"azId": "az1"}, {"azId": "az2"}]);
        let one = json!([{"azName": "cn-a"}, {"azName": "cn-a"}]);
        let on = json!({"backupOperation": true, "expiredTime": "691200"});
        let got = database_fields(
            &instance,
            &detail(json!(0), two.clone()),
            &json!({"tdeStatus": 0}),
            Some(&on),
        );
        assert_eq!(got, Ok(("mysql".into(), Some(true), false, 8, true)));
        // TDE off, a bound elastic IP, one zone, automatic backup off.
        let off = json!({"backupOperation": false});
        let got = database_fields(
            &instance,
            &detail(json!("1"), one),
            &json!({"tdeStatus": 2}),
            Some(&off),
        );
        assert_eq!(got, Ok(("mysql".into(), None, true, 0, false)));
        let tde = json!({"tdeStatus": 0});
        for (instance, detail, config) in [
            (json!({}), detail(json!(0), two.clone()), Some(&on)),
            (instance.clone(), detail(json!(2), two.clone()), Some(&on)),
            (
                instance.clone(),
                detail(Value::Null, two.clone()),
                Some(&on),
            ),
            (instance.clone(), detail(json!(0), json!([])), Some(&on)),
            (instance.clone(), detail(json!(0), two.clone()), None),
            (
                instance.clone(),
                detail(json!(0), two.clone()),
                Some(&json!({"backupOperation": true})),
            ),
            (
                instance.clone(),
                detail(json!(0), two.clone()),
                Some(&json!({"expiredTime": "86400"})),
            ),
        ] {
            assert!(
                database_fields(&instance, &detail, &tde, config).is_err(),
                "{instance} {detail} {config:?}"
            );
        }
    }

    #[test]
    fn accepted_ingress_from_the_internet_only() {
        let got = open(json!([
            {"id": "1", "direction": "ingress", "action": "accept", "protocol": "TCP", "range": "22", "destCidrIp": "0.0.0.0/0"},
            {"id": "2", "direction": "egress", "action": "accept", "protocol": "ANY", "destCidrIp": "0.0.0.0/0"},
            {"id": "3", "direction": "ingress", "action": "accept", "protocol": "TCP", "range": "3306", "destCidrIp": "10.0.0.0/8"},
            {"id": "4", "direction": "ingress", "action": "accept", "protocol": "UDP", "range": "53-54", "destCidrIp": "::/0"},
            {"id": "5", "direction": "ingress", "action": "accept", "protocol": "ICMP", "range": "8", "destCidrIp": "0.0.0.0/0"},
            {"id": "6", "direction": "ingress", "action": "drop", "protocol": "TCP", "range": "23", "destCidrIp": "0.0.0.0/0"}
        ]))
        .unwrap();
        assert_eq!(got, (vec![22, 53, 54], false));
    }

    #[test]
    fn any_protocol_or_the_full_range_opens_every_port() {
        let any = json!([{"id": "1", "direction": "ingress", "action": "accept", "protocol": "ANY", "destCidrIp": "0.0.0.0/0"}]);
        assert!(open(any).unwrap().1);
        let tcp = json!([{"id": "1", "direction": "ingress", "action": "accept", "protocol": "TCP", "range": "1-65535", "destCidrIp": "0.0.0.0/0"}]);
        assert!(open(tcp).unwrap().1);
    }

    #[test]
    fn unreadable_rules_are_errors() {
        for rule in [
            json!({"id": "1", "direction": "ingress", "action": "accept", "protocol": "GRE", "destCidrIp": "0.0.0.0/0"}),
            json!({"id": "1", "direction": "ingress", "action": "accept", "protocol": "TCP", "destCidrIp": "0.0.0.0/0"}),
            json!({"id": "1", "direction": "ingress", "action": "accept", "protocol": "TCP", "range": "90-80", "destCidrIp": "0.0.0.0/0"}),
            json!({"id": "1", "direction": "ingress", "protocol": "TCP", "range": "22", "destCidrIp": "0.0.0.0/0"}),
        ] {
            assert!(open(json!([rule])).is_err(), "{rule}");
        }
    }

    #[test]
    fn region_ids_come_from_the_region_list() {
        use crate::cn::cloud::CnCloud;
        let answer = json!({"statusCode": 800, "returnObj": {"regionList": [
            {"regionID": "r2", "regionName": "b"}, {"regionID": "r1"}, {"regionName": "no id"}
        ]}});
        assert_eq!(
            Ctyun.region_ids(&answer, &Discovery::default()),
            vec!["r1".to_owned(), "r2".to_owned()]
        );
        assert_eq!(mainland_china("r1"), None);
    }

    #[test]
    fn every_kind_is_evidenced_or_unread_once() {
        let mut all: Vec<&str> = EVIDENCED
            .iter()
            .chain(GLOBAL_UNREAD)
            .copied()
            .chain(unread_regional())
            .collect();
        all.sort();
        let mut kinds = super::super::KINDS.to_vec();
        kinds.sort();
        assert_eq!(all, kinds);
    }
}
