//! Tencent Cloud collector: API 3.0 (`TC3-HMAC-SHA256`, POST JSON) calls to STS, CVM, CAM,
//! CloudAudit, Config, KMS, VPC, CBS, CDB and Cloud Workload Protection, mapped into the
//! normalized kinds. COS buckets (own endpoints and signature) are collected by
//! [`crate::cn::objstore`].
//!
//! Every action, parameter and field is the one of tencentcloud-sdk-go
//! (`tencentcloud/<service>/<version>/models.go`); every listing is read to its end with
//! [`paging::list`] (see [`Listing`]). See `docs/collectors.md`.

use std::collections::BTreeMap;

use cloudcap_evidence::{
    AccessKey, AuditTrail, BackupPlan, ComputeVolume, ConfigRecorder, CryptoKey, DatabaseInstance,
    IdentityUser, KeyOrigin, PasswordPolicy, SecurityGroup, ThreatDetection, UtcTimestamp, Vpc,
};
use serde_json::{Value, json};

use crate::allow::AllowList;
use crate::cn::call::Call;
use crate::cn::ingress::{self, Proto, Span, Tie};
use crate::cn::paging::{self, Page};
use crate::cn::sign_tencent::Tc3Signer;
use crate::cn::{
    CnConfig, Discovery, Endpoint, Send, arr, count, flag, int, malformed, normalize_time_cst,
    required_stamp, s, stamp_cst, truthy, unit,
};
use crate::http::{CallError, HttpClient};
use crate::runner::{Collector, Unit, UnitCtx};

/// The region sent as `X-TC-Region` with calls that are not regional but whose API reference
/// marks `Region` required (STS `GetCallerIdentity`, CloudAudit `DescribeAuditTracks`, Config
/// `DescribeConfigRecorder`): every account can call ap-guangzhou.
pub(crate) const HOME_REGION: &str = "ap-guangzhou";

/// The read-only actions this collector may call.
pub fn allow_list() -> AllowList {
    AllowList::new(
        "tencent",
        &[
            ("sts", "GetCallerIdentity"),
            ("cvm", "DescribeRegions"),
            ("cam", "ListUsers"),
            ("cam", "GetUser"),
            ("cam", "DescribeSafeAuthFlagColl"),
            ("cam", "ListAttachedUserAllPolicies"),
            ("cam", "ListAccessKeys"),
            ("cam", "GetSecurityLastUsed"),
            ("cam", "GetPasswordRules"),
            ("cloudaudit", "DescribeAuditTracks"),
            ("config", "DescribeConfigRecorder"),
            ("kms", "ListKeys"),
            ("kms", "DescribeKeys"),
            ("vpc", "DescribeSecurityGroups"),
            ("vpc", "DescribeSecurityGroupPolicies"),
            ("vpc", "DescribeAddressTemplates"),
            ("vpc", "DescribeAddressTemplateGroups"),
            ("cbs", "DescribeDisks"),
            ("cbs", "DescribeAutoSnapshotPolicies"),
            ("cwp", "DescribeMachines"),
            ("vpc", "DescribeVpcs"),
            ("vpc", "DescribeFlowLogs"),
            ("cdb", "DescribeDBInstances"),
            ("cdb", "DescribeDBInstanceInfo"),
            ("cdb", "DescribeBackupConfig"),
        ],
    )
}

pub(crate) fn client(config: &CnConfig) -> Result<HttpClient, String> {
    HttpClient::new(
        config.http.clone(),
        allow_list(),
        Box::new(Tc3Signer::new(config.credentials.clone())),
    )
}

fn version(service: &str) -> &'static str {
    match service {
        "sts" => "2018-08-13",
        "cam" => "2019-01-16",
        "cloudaudit" => "2019-03-19",
        "config" => "2022-08-02",
        "kms" => "2019-01-18",
        "cwp" => "2018-02-28",
        "cdb" => "2017-03-20",
        _ => "2017-03-12", // cvm, vpc, cbs
    }
}

/// A POST JSON call; `region` is `global` for services without a region header.
fn api(service: &'static str, action: &'static str, region: &str, payload: Value) -> Call {
    let mut call = Call::new(
        service,
        action,
        region,
        format!("{service}.tencentcloudapi.com"),
    );
    call.method = reqwest::Method::POST;
    call.headers = vec![
        (
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        ),
        ("X-TC-Action".into(), action.into()),
        ("X-TC-Version".into(), version(service).into()),
    ];
    if region != "global" {
        call.headers.push(("X-TC-Region".into(), region.into()));
    }
    call.body = serde_json::to_vec(&payload).unwrap_or_default();
    call
}

/// Tencent Cloud in the shared pipeline ([`super::cloud::CnCloud`]).
pub(crate) struct Tencent;

/// Tencent's mainland regions (Hong Kong, Taipei and the overseas regions are not).
const MAINLAND: &[&str] = &[
    "ap-beijing",
    "ap-shanghai",
    "ap-guangzhou",
    "ap-chengdu",
    "ap-chongqing",
    "ap-nanjing",
    "ap-shanghai-fsi",
    "ap-shenzhen-fsi",
    "ap-beijing-fsi",
    "ap-shenzhen",
    "ap-tianjin",
    "ap-shijiazhuang",
    "ap-wuhan",
    "ap-changsha",
    "ap-hangzhou",
    "ap-jinan",
    "ap-fuzhou",
    "ap-hefei",
    "ap-xian",
    "ap-zhengzhou",
    "ap-shenyang",
    "ap-qingyuan",
    "ap-guangzhou-open",
];

/// Tencent's `ap-*` regions outside mainland China. Regions not prefixed `ap-` (`na-*`,
/// `eu-*`, `sa-*`) are all outside; an `ap-*` id in neither list is of unknown place.
const ABROAD: &[&str] = &[
    "ap-hongkong",
    "ap-taipei",
    "ap-singapore",
    "ap-bangkok",
    "ap-jakarta",
    "ap-seoul",
    "ap-tokyo",
    "ap-mumbai",
];

impl super::cloud::CnCloud for Tencent {
    fn client(&self, config: &CnConfig) -> Result<HttpClient, String> {
        client(config)
    }

    /// sts 2018-08-13 `GetCallerIdentity`: `Region` is required.
    fn identify(&self, endpoint: &Endpoint, send: &mut Send<'_>) -> Result<Discovery, CallError> {
        let (identity, _) = endpoint.call(
            send,
            api("sts", "GetCallerIdentity", HOME_REGION, json!({})),
        )?;
        Ok(Discovery {
            account: s(&identity["Response"], "AccountId").to_owned(),
            ..Discovery::default()
        })
    }

    /// cvm 2017-03-12 `DescribeRegions`.
    fn region_listing(&self, _: &Discovery) -> Call {
        api("cvm", "DescribeRegions", "global", json!({}))
    }

    fn region_ids(&self, answer: &Value, _: &Discovery) -> Vec<String> {
        arr(answer, &["Response", "RegionSet"])
            .iter()
            .map(|r| s(r, "Region").to_owned())
            .collect()
    }

    fn collector(&self, endpoint: Endpoint, discovery: &Discovery) -> Box<dyn Collector> {
        Box::new(TencentCollector::new(endpoint, discovery))
    }

    fn object_store(&self) -> super::sign_objstore::ObjectStore {
        super::sign_objstore::ObjectStore::Cos
    }

    /// CloudAudit is account-wide.
    fn account_wide(&self) -> &'static [&'static str] {
        &["audit.trail"]
    }

    fn is_mainland(&self, region: &str) -> Option<bool> {
        if MAINLAND.contains(&region) {
            Some(true)
        } else if ABROAD.contains(&region) || !region.starts_with("ap-") {
            Some(false)
        } else {
            None
        }
    }
}

/// How a listing pages (tencentcloud-sdk-go `models.go` of the action's request).
#[derive(Clone, Copy, Debug)]
enum Paging {
    /// `Offset` / `Limit`, typed Integer.
    Offset,
    /// `Offset` / `Limit`, typed String (VPC `DescribeSecurityGroups`, `DescribeVpcs`).
    OffsetString,
    /// A 1-based page number and a page size, under these names.
    Page(&'static str, &'static str),
}

/// One listing: the action, where its items and its total are, how it pages, the page size
/// (the SDK's documented maximum, or the size we ask for).
#[derive(Clone, Copy, Debug)]
struct Listing {
    service: &'static str,
    action: &'static str,
    items: &'static str,
    total: &'static str,
    paging: Paging,
    size: u64,
}

impl Listing {
    const fn new(
        service: &'static str,
        action: &'static str,
        items: &'static str,
        total: &'static str,
        paging: Paging,
        size: u64,
    ) -> Listing {
        Listing {
            service,
            action,
            items,
            total,
            paging,
            size,
        }
    }
}

// vpc 2017-03-12: Offset/Limit are String, Limit at most 100, `TotalCount`.
const SECURITY_GROUPS: Listing = Listing::new(
    "vpc",
    "DescribeSecurityGroups",
    "SecurityGroupSet",
    "TotalCount",
    Paging::OffsetString,
    100,
);
// vpc 2017-03-12 DescribeAddressTemplates / DescribeAddressTemplateGroups: Offset/Limit
// String, Limit at most 100, `TotalCount`.
const ADDRESS_TEMPLATES: Listing = Listing::new(
    "vpc",
    "DescribeAddressTemplates",
    "AddressTemplateSet",
    "TotalCount",
    Paging::OffsetString,
    100,
);
const ADDRESS_TEMPLATE_GROUPS: Listing = Listing::new(
    "vpc",
    "DescribeAddressTemplateGroups",
    "AddressTemplateGroupSet",
    "TotalCount",
    Paging::OffsetString,
    100,
);
const VPCS: Listing = Listing::new(
    "vpc",
    "DescribeVpcs",
    "VpcSet",
    "TotalCount",
    Paging::OffsetString,
    100,
);
// vpc 2017-03-12 DescribeFlowLogs: Offset/Limit Integer, Limit 1-100, total `TotalNum`.
const FLOW_LOGS: Listing = Listing::new(
    "vpc",
    "DescribeFlowLogs",
    "FlowLog",
    "TotalNum",
    Paging::Offset,
    100,
);
// cbs 2017-03-12: Limit at most 100.
const DISKS: Listing = Listing::new(
    "cbs",
    "DescribeDisks",
    "DiskSet",
    "TotalCount",
    Paging::Offset,
    100,
);
const SNAPSHOT_POLICIES: Listing = Listing::new(
    "cbs",
    "DescribeAutoSnapshotPolicies",
    "AutoSnapshotPolicySet",
    "TotalCount",
    Paging::Offset,
    100,
);
// cwp 2018-02-28 DescribeMachines: Limit at most 100.
const MACHINES: Listing = Listing::new(
    "cwp",
    "DescribeMachines",
    "Machines",
    "TotalCount",
    Paging::Offset,
    100,
);
// kms 2019-01-18 ListKeys: Limit at most 200.
const KEYS: Listing = Listing::new("kms", "ListKeys", "Keys", "TotalCount", Paging::Offset, 200);
// cdb 2017-03-20 DescribeDBInstances: Limit at most 2000 (we ask for 100).
const DB_INSTANCES: Listing = Listing::new(
    "cdb",
    "DescribeDBInstances",
    "Items",
    "TotalCount",
    Paging::Offset,
    100,
);
// cam 2019-01-16 ListAttachedUserAllPolicies: `Page`, `Rp` at most 200, total `TotalNum`.
const USER_POLICIES: Listing = Listing::new(
    "cam",
    "ListAttachedUserAllPolicies",
    "PolicyList",
    "TotalNum",
    Paging::Page("Page", "Rp"),
    200,
);
// cloudaudit 2019-03-19 DescribeAuditTracks: `PageNumber`, `PageSize`, `TotalCount`.
const AUDIT_TRACKS: Listing = Listing::new(
    "cloudaudit",
    "DescribeAuditTracks",
    "Tracks",
    "TotalCount",
    Paging::Page("PageNumber", "PageSize"),
    50,
);

/// Items of a listing, each with the digest of its page.
type Items = Vec<(Value, String)>;

/// kms 2019-01-18 DescribeKeys: "批量查询一次最多支持100个KeyId".
const DESCRIBE_KEYS_MAX: usize = 100;
/// cam 2019-01-16 GetSecurityLastUsed: "最多支持10个" SecretIds.
const LAST_USED_MAX: usize = 10;

/// Units: CAM, CloudAudit and Config account-wide, the rest per region.
pub(crate) struct TencentCollector {
    endpoint: Endpoint,
    regions: Vec<String>,
}

impl TencentCollector {
    pub(crate) fn new(endpoint: Endpoint, discovery: &Discovery) -> TencentCollector {
        TencentCollector {
            endpoint,
            regions: discovery.regions.clone(),
        }
    }

    fn call(&self, ctx: &mut UnitCtx<'_>, call: Call) -> Result<(Value, String), CallError> {
        self.endpoint
            .unit_call(ctx, call)
            .map(|(v, sha)| (v["Response"].clone(), sha))
    }

    /// Every item of `listing` (with the digest of its page), read to the end with
    /// [`paging::list`]; `base` holds the other request parameters.
    fn list(
        &self,
        ctx: &mut UnitCtx<'_>,
        region: &str,
        listing: Listing,
        base: Value,
    ) -> Result<Items, CallError> {
        self.list_pages(ctx, region, listing, base)
            .map(|(items, _)| items)
    }

    /// [`TencentCollector::list`] and the digest of every page (an empty listing is one page).
    fn list_pages(
        &self,
        ctx: &mut UnitCtx<'_>,
        region: &str,
        listing: Listing,
        base: Value,
    ) -> Result<(Items, Vec<String>), CallError> {
        let Listing {
            service,
            action,
            items,
            total,
            paging,
            size,
        } = listing;
        let mut pages = Vec::new();
        let all = paging::list(service, action, self.endpoint.max_pages, |cursor| {
            let mut payload = base.clone();
            match paging {
                Paging::Offset => {
                    payload["Offset"] = json!(cursor.offset);
                    payload["Limit"] = json!(size);
                }
                Paging::OffsetString => {
                    payload["Offset"] = json!(cursor.offset.to_string());
                    payload["Limit"] = json!(size.to_string());
                }
                Paging::Page(number, page_size) => {
                    payload[number] = json!(cursor.number);
                    payload[page_size] = json!(size);
                }
            }
            let (v, sha) = self.call(ctx, api(service, action, region, payload))?;
            let got = paging::items(&v, &[items], service, action)?;
            let more = paging::total(&v, &[total], service, action)?;
            pages.push(sha.clone());
            Ok(Page {
                items: got.into_iter().map(|i| (i, sha.clone())).collect(),
                more,
            })
        })?;
        Ok((all, pages))
    }
}

impl Collector for TencentCollector {
    fn provider(&self) -> cloudcap_evidence::Provider {
        cloudcap_evidence::Provider::Tencent
    }

    fn units(&self) -> Vec<Unit> {
        let mut units = vec![
            unit(
                "cam",
                "global",
                &[
                    "identity.password-policy",
                    "identity.user",
                    "identity.access-key",
                ],
            ),
            unit("cloudaudit", "global", &["audit.trail"]),
            unit("config", "global", &["monitoring.config-recorder"]),
        ];
        for region in &self.regions {
            units.push(unit("kms", region, &["crypto.key"]));
            units.push(unit(
                "vpc",
                region,
                &["network.security-group", "network.vpc"],
            ));
            units.push(unit("cdb", region, &["database.instance"]));
            units.push(unit("cbs", region, &["compute.volume", "backup.plan"]));
            units.push(unit("cwp", region, &["monitoring.threat-detection"]));
        }
        units
    }

    fn collect(&self, unit: &Unit, ctx: &mut UnitCtx<'_>) {
        let region = unit.region.as_str();
        match unit.service {
            "cam" => self.cam(ctx),
            "cloudaudit" => self.cloudaudit(ctx),
            "config" => self.config_recorder(ctx),
            "kms" => self.kms(ctx, region),
            "vpc" => {
                self.security_groups(ctx, region);
                self.vpcs(ctx, region);
            }
            "cdb" => self.databases(ctx, region),
            "cbs" => {
                self.disks(ctx, region);
                self.snapshot_policies(ctx, region);
            }
            "cwp" => self.cwp(ctx, region),
            _ => {}
        }
    }
}

impl TencentCollector {
    /// cam 2019-01-16 `GetPasswordRules` (`Rules`: `MinimumLength`, `MustContain`,
    /// `ForcePasswordChange`, `ReusePasswordLimit`, `RetryPasswordLimit`,
    /// `PasswordExpirationInvalidation`). Only the fields whose meaning the SDK states are
    /// mapped: the minimum length, the reuse limit and the retry limit. `MustContain` (a string
    /// whose encoding the SDK does not define) and `ForcePasswordChange` (a period without a
    /// unit) are not mapped: the character-class and age fields are omitted.
    fn password_policy(&self, ctx: &mut UnitCtx<'_>) {
        const KIND: &str = "identity.password-policy";
        match self.call(ctx, api("cam", "GetPasswordRules", "global", json!({}))) {
            Ok((v, sha)) => {
                let rules = &v["Rules"];
                let account = ctx.account().to_owned();
                ctx.put(
                    "global",
                    &format!("qcs::cam::uin/{account}:password-rules"),
                    &[sha.as_str()],
                    |envelope| PasswordPolicy {
                        envelope,
                        configured: rules.is_object(),
                        min_length: count(rules.get("MinimumLength")),
                        require_uppercase: None,
                        require_lowercase: None,
                        require_numbers: None,
                        require_symbols: None,
                        min_char_classes: None,
                        max_age_days: None,
                        reuse_prevention: count(rules.get("ReusePasswordLimit")),
                        max_login_attempts: count(rules.get("RetryPasswordLimit")),
                    },
                );
            }
            Err(err) => ctx.fail(KIND, "global", "*", &err),
        }
    }

    fn cam(&self, ctx: &mut UnitCtx<'_>) {
        self.password_policy(ctx);
        // cam 2019-01-16 ListUsers takes no paging parameters: it answers every sub-user.
        let (users, list_sha) = match self.call(ctx, api("cam", "ListUsers", "global", json!({}))) {
            Ok(x) => x,
            Err(err) => {
                ctx.fail("identity.user", "global", "*", &err);
                ctx.fail("identity.access-key", "global", "*", &err);
                return;
            }
        };
        let account = ctx.account().to_owned();
        for user in arr(&users, &["Data"]) {
            let name = s(user, "Name").to_owned();
            let uin = int(user.get("Uin")).unwrap_or(0);
            match self.user(ctx, &name, uin) {
                Ok((mfa, privileged, last_login, mut sources)) => {
                    sources.insert(0, list_sha.clone());
                    let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
                    let id = format!("qcs::cam::uin/{account}:uin/{uin}");
                    match required_stamp(stamp_cst(user.get("CreateTime")), "cam", &name) {
                        Ok(created_at) => ctx.put("global", &id, &sources, |envelope| {
                            IdentityUser {
                                envelope,
                                name: name.clone(),
                                root: false,
                                console_access: int(user.get("ConsoleLogin")) == Some(1),
                                mfa_enabled: mfa,
                                privileged,
                                created_at,
                                // `never_logged_in` is not reported by CAM: omitted.
                                last_login_at: last_login.as_deref().and_then(UtcTimestamp::parse),
                                never_logged_in: None,
                            }
                        }),
                        Err(err) => ctx.fail("identity.user", "global", &name, &err),
                    }
                }
                Err(err) => ctx.fail("identity.user", "global", &name, &err),
            }
            self.access_keys(ctx, &name, uin);
        }
    }

    /// One sub-user's details: `(mfa, privileged, last login, digests)`.
    /// `DescribeSafeAuthFlagColl` `LoginFlag` (`Token`, `Stoken`, `U2FToken`, `Passkey` are
    /// MFA devices), `ListAttachedUserAllPolicies` (every page), `GetUser`
    /// (`RecentlyLoginTime`, Beijing time).
    fn user(
        &self,
        ctx: &mut UnitCtx<'_>,
        name: &str,
        uin: i64,
    ) -> Result<(bool, bool, Option<String>, Vec<String>), CallError> {
        let mut sources = Vec::new();
        let (v, sha) = self.call(
            ctx,
            api(
                "cam",
                "DescribeSafeAuthFlagColl",
                "global",
                json!({"SubUin": uin}),
            ),
        )?;
        sources.push(sha);
        let flag = &v["LoginFlag"];
        let mfa = ["Token", "Stoken", "U2FToken", "Passkey"]
            .iter()
            .any(|k| int(flag.get(*k)) == Some(1));
        let policies = self.list(
            ctx,
            "global",
            USER_POLICIES,
            json!({"TargetUin": uin, "AttachType": 0}),
        )?;
        let privileged = policies
            .iter()
            .any(|(p, _)| s(p, "PolicyName") == "AdministratorAccess");
        for (_, sha) in &policies {
            if !sources.contains(sha) {
                sources.push(sha.clone());
            }
        }
        let (v, sha) = self.call(ctx, api("cam", "GetUser", "global", json!({"Name": name})))?;
        sources.push(sha);
        let last_login = v
            .get("RecentlyLoginTime")
            .filter(|t| t.as_str().is_some_and(|t| !t.trim().is_empty()))
            .and_then(normalize_time_cst);
        Ok((mfa, privileged, last_login, sources))
    }

    /// cam 2019-01-16 `ListAccessKeys` (no paging: a user has at most two keys) and
    /// `GetSecurityLastUsed` (`LastUsedDate`, at most 10 keys a call).
    fn access_keys(&self, ctx: &mut UnitCtx<'_>, name: &str, uin: i64) {
        let (v, sha) = match self.call(
            ctx,
            api("cam", "ListAccessKeys", "global", json!({"TargetUin": uin})),
        ) {
            Ok(x) => x,
            Err(err) => return ctx.fail("identity.access-key", "global", name, &err),
        };
        let keys = arr(&v, &["AccessKeys"]);
        let ids: Vec<&str> = keys.iter().map(|k| s(k, "AccessKeyId")).collect();
        let mut last_used = BTreeMap::new();
        let mut used_shas = Vec::new();
        for chunk in ids.chunks(LAST_USED_MAX) {
            match self.call(
                ctx,
                api(
                    "cam",
                    "GetSecurityLastUsed",
                    "global",
                    json!({"SecretIdList": chunk}),
                ),
            ) {
                Ok((u, sha)) => {
                    for row in arr(&u, &["SecretIdLastUsedRows"]) {
                        if let Some(t) = last_used_time(row) {
                            last_used.insert(s(row, "SecretId").to_owned(), t);
                        }
                    }
                    used_shas.push(sha);
                }
                Err(err) => return ctx.fail("identity.access-key", "global", name, &err),
            }
        }
        for key in keys {
            let id = s(key, "AccessKeyId");
            let mut sources = vec![sha.as_str()];
            sources.extend(used_shas.iter().map(String::as_str));
            let created_at = match required_stamp(stamp_cst(key.get("CreateTime")), "cam", id) {
                Ok(t) => t,
                Err(err) => {
                    ctx.fail("identity.access-key", "global", id, &err);
                    continue;
                }
            };
            ctx.put("global", id, &sources, |envelope| AccessKey {
                envelope,
                user: name.to_owned(),
                root: false,
                active: s(key, "Status") == "Active",
                created_at,
                // `never_used` is not reported by CAM: omitted.
                last_used_at: last_used
                    .get(id)
                    .and_then(|t: &String| UtcTimestamp::parse(t)),
                never_used: None,
            });
        }
    }

    /// cloudaudit 2019-03-19 `DescribeAuditTracks` (every page). A track records all management
    /// events only when it takes every action type (`*` or `Write`), every product
    /// (`ResourceType = *`) and every event (`EventNames = ["*"]`).
    fn cloudaudit(&self, ctx: &mut UnitCtx<'_>) {
        // `Region` is required by the API reference.
        let tracks = match self.list(ctx, HOME_REGION, AUDIT_TRACKS, json!({})) {
            Ok(t) => t,
            Err(err) => return ctx.fail("audit.trail", "global", "*", &err),
        };
        for (track, sha) in tracks {
            let id = match track.get("TrackId") {
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::String(t)) => t.clone(),
                _ => s(&track, "Name").to_owned(),
            };
            ctx.put("global", &id, &[sha.as_str()], |envelope| AuditTrail {
                envelope,
                name: s(&track, "Name").to_owned(),
                enabled: int(track.get("Status")) == Some(1),
                // Tracks record every region of the account. Log-file integrity,
                // encryption and retention are not reported: omitted.
                multi_region: true,
                log_file_validation: None,
                encrypted: None,
                management_events: all_management_events(&track),
                retention_days: None,
            });
        }
    }

    /// config 2022-08-02 `DescribeConfigRecorder`: `Status` 1 is on, 0 off. Whether `Items`
    /// covers every supported resource type is not stated by the API: `all_resources` omitted.
    fn config_recorder(&self, ctx: &mut UnitCtx<'_>) {
        const KIND: &str = "monitoring.config-recorder";
        match self.call(
            ctx,
            api("config", "DescribeConfigRecorder", HOME_REGION, json!({})),
        ) {
            Ok((v, sha)) => match int(v.get("Status")) {
                Some(status) => {
                    let account = ctx.account().to_owned();
                    ctx.put(
                        "global",
                        &format!("qcs::config::uin/{account}:recorder"),
                        &[sha.as_str()],
                        |envelope| ConfigRecorder {
                            envelope,
                            recording: status == 1,
                            all_resources: None,
                        },
                    );
                }
                None => ctx.fail(
                    KIND,
                    "global",
                    "*",
                    &malformed("config", "DescribeConfigRecorder has no Status"),
                ),
            },
            Err(err) => ctx.fail(KIND, "global", "*", &err),
        }
    }

    fn kms(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        let list = match self.list(ctx, region, KEYS, json!({})) {
            Ok(x) => x,
            Err(err) => return ctx.fail("crypto.key", region, "*", &err),
        };
        let ids: Vec<String> = list.iter().map(|(k, _)| s(k, "KeyId").to_owned()).collect();
        let mut list_shas: Vec<String> = Vec::new();
        for (_, sha) in &list {
            if !list_shas.contains(sha) {
                list_shas.push(sha.clone());
            }
        }
        for chunk in ids.chunks(DESCRIBE_KEYS_MAX) {
            let (v, sha) = match self.call(
                ctx,
                api("kms", "DescribeKeys", region, json!({"KeyIds": chunk})),
            ) {
                Ok(x) => x,
                Err(err) => return ctx.fail("crypto.key", region, "*", &err),
            };
            for key in arr(&v, &["KeyMetadatas"]) {
                let origin = if s(key, "Origin") == "EXTERNAL" {
                    KeyOrigin::External
                } else if !s(key, "HsmClusterId").is_empty() {
                    KeyOrigin::Hsm
                } else {
                    KeyOrigin::Provider
                };
                // KeyUsage ENCRYPT_DECRYPT is symmetric; ASYMMETRIC_* are not.
                let usage = s(key, "KeyUsage");
                let symmetric = match usage {
                    "ENCRYPT_DECRYPT" => Some(true),
                    u if u.starts_with("ASYMMETRIC") => Some(false),
                    _ => None,
                };
                let customer = s(key, "Owner") == "user";
                let enabled = s(key, "KeyState") == "Enabled";
                // Rotation only for the keys that can rotate: enabled, symmetric,
                // KMS-generated customer keys.
                let rotation = (customer
                    && enabled
                    && origin == KeyOrigin::Provider
                    && symmetric == Some(true))
                .then(|| flag(key.get("KeyRotationEnabled")))
                .flatten();
                let id = s(key, "KeyId");
                let list_sha = list
                    .iter()
                    .find(|(k, _)| s(k, "KeyId") == id)
                    .map(|(_, sha)| sha.as_str())
                    .unwrap_or(list_shas[0].as_str());
                ctx.put(region, id, &[list_sha, sha.as_str()], |envelope| {
                    CryptoKey {
                        envelope,
                        customer_managed: customer,
                        enabled,
                        rotation_enabled: rotation,
                        origin,
                        symmetric,
                    }
                });
            }
        }
    }

    fn security_groups(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        const KIND: &str = "network.security-group";
        let groups = match self.list(ctx, region, SECURITY_GROUPS, json!({})) {
            Ok(x) => x,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        // The region's IP address templates and their groups, read once when a rule names one.
        let mut book: Option<AddressBook> = None;
        for (group, list_sha) in groups {
            let id = s(&group, "SecurityGroupId").to_owned();
            let payload = json!({"SecurityGroupId": id});
            let (policies, sha) = match self.call(
                ctx,
                api("vpc", "DescribeSecurityGroupPolicies", region, payload),
            ) {
                Ok(x) => x,
                Err(err) => {
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            let ingress_rules = arr(&policies, &["SecurityGroupPolicySet", "Ingress"]);
            let mut sources = vec![list_sha.clone(), sha.clone()];
            if ingress_rules.iter().any(names_address_template) {
                if book.is_none() {
                    match self.address_book(ctx, region) {
                        Ok(b) => book = Some(b),
                        Err(err) => {
                            ctx.fail(KIND, region, &id, &err);
                            continue;
                        }
                    }
                }
                for sha in book.iter().flat_map(|b| &b.pages) {
                    if !sources.contains(sha) {
                        sources.push(sha.clone());
                    }
                }
            }
            let empty = AddressBook::default();
            let addresses = book.as_ref().unwrap_or(&empty);
            let reach = ingress::reach_of(
                ingress_rules,
                |rule| world_rules(rule, addresses),
                Tie::Unknown,
            );
            let (ports, all) = match reach {
                Ok(fields) => fields,
                Err(message) => {
                    let err = malformed("vpc", &format!("security group {id}: {message}"));
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
            ctx.put(region, &id, &sources, |envelope| SecurityGroup {
                envelope,
                name: s(&group, "SecurityGroupName").to_owned(),
                vpc_id: None,
                // Groups here are not tied to a network: whether one serves a classic
                // network is not in the answer.
                classic_network: None,
                world_open_ports: ports,
                world_open_all: all,
            });
        }
    }

    /// Every IP address template of the region (`DescribeAddressTemplates`: `AddressSet`, the
    /// addresses, ranges and CIDR blocks of the template) and every template group
    /// (`DescribeAddressTemplateGroups`: `AddressTemplateIdSet`), both paged to their end.
    fn address_book(&self, ctx: &mut UnitCtx<'_>, region: &str) -> Result<AddressBook, CallError> {
        let (templates, mut pages) = self.list_pages(ctx, region, ADDRESS_TEMPLATES, json!({}))?;
        let (groups, more) = self.list_pages(ctx, region, ADDRESS_TEMPLATE_GROUPS, json!({}))?;
        pages.extend(more);
        let strings = |v: &Value, key: &str, what: &str| -> Result<Vec<String>, CallError> {
            v[key]
                .as_array()
                .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_owned)).collect())
                .ok_or_else(|| malformed("vpc", &format!("{what}: {key} is not a list of text")))
        };
        let mut book = AddressBook {
            pages,
            ..AddressBook::default()
        };
        for (t, _) in &templates {
            let id = s(t, "AddressTemplateId");
            book.templates
                .insert(id.to_owned(), strings(t, "AddressSet", id)?);
        }
        for (g, _) in &groups {
            let id = s(g, "AddressTemplateGroupId");
            book.groups
                .insert(id.to_owned(), strings(g, "AddressTemplateIdSet", id)?);
        }
        Ok(book)
    }

    fn disks(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        match self.list(ctx, region, DISKS, json!({})) {
            Ok(disks) => {
                for (disk, sha) in disks {
                    ctx.put(region, s(&disk, "DiskId"), &[sha.as_str()], |envelope| {
                        ComputeVolume {
                            envelope,
                            encrypted: truthy(disk.get("Encrypt")),
                            customer_managed_key: Some(!s(&disk, "KmsKeyId").is_empty()),
                            attached: truthy(disk.get("Attached")),
                        }
                    });
                }
            }
            Err(err) => ctx.fail("compute.volume", region, "*", &err),
        }
    }

    fn snapshot_policies(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        match self.list(ctx, region, SNAPSHOT_POLICIES, json!({})) {
            Ok(policies) => {
                for (policy, sha) in policies {
                    let id = s(&policy, "AutoSnapshotPolicyId");
                    ctx.put(region, id, &[sha.as_str()], |envelope| BackupPlan {
                        envelope,
                        name: s(&policy, "AutoSnapshotPolicyName").to_owned(),
                        enabled: truthy(policy.get("IsActivated"))
                            && s(&policy, "AutoSnapshotPolicyState") != "ISOLATED",
                        retention_days: snapshot_retention_days(&policy)
                            .and_then(|d| u32::try_from(d).ok()),
                        // `IsPermanent` keeps every snapshot; a day count is not for ever; a
                        // number of snapshots is neither.
                        keeps_forever: if truthy(policy.get("IsPermanent")) {
                            Some(true)
                        } else {
                            snapshot_retention_days(&policy).map(|_| false)
                        },
                        // Auto-snapshot policies do not report cross-region copies: omitted.
                        cross_region_copy: None,
                        copy_regions: None,
                        copy_outside_mainland: None,
                    });
                }
            }
            Err(err) => ctx.fail("backup.plan", region, "*", &err),
        }
    }

    /// cwp 2018-02-28 `DescribeMachines` (every page): enabled when every machine's agent is
    /// `ONLINE`. A region without machines has nothing in scope: no record (never a false
    /// "disabled" fact, nor a pass), as for Huawei HSS.
    fn cwp(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        let payload = json!({"MachineType": "CVM", "MachineRegion": region});
        match self.list_pages(ctx, region, MACHINES, payload) {
            Ok((machines, _)) if machines.is_empty() => {}
            Ok((machines, pages)) => {
                let enabled = machines
                    .iter()
                    .all(|(m, _)| s(m, "MachineStatus") == "ONLINE");
                let sources: Vec<&str> = pages.iter().map(String::as_str).collect();
                ctx.put(region, &format!("cwp/{region}"), &sources, |envelope| {
                    ThreatDetection {
                        envelope,
                        service: "Cloud Workload Protection".to_owned(),
                        enabled,
                    }
                });
            }
            Err(err) => ctx.fail("monitoring.threat-detection", region, "*", &err),
        }
    }

    /// VPC `DescribeVpcs` + `DescribeFlowLogs` (every page of both): a VPC has flow logs when a
    /// flow log on the VPC itself (`ResourceType = VPC`, `ResourceId` = the VPC) has
    /// `Enable = true`.
    fn vpcs(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        const KIND: &str = "network.vpc";
        let vpcs = match self.list(ctx, region, VPCS, json!({})) {
            Ok(v) => v,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        if vpcs.is_empty() {
            return;
        }
        let (logs, log_pages) = match self.list_pages(ctx, region, FLOW_LOGS, json!({})) {
            Ok(l) => l,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        for (vpc, list_sha) in vpcs {
            let id = s(&vpc, "VpcId").to_owned();
            let enabled = logs.iter().any(|(log, _)| {
                s(log, "ResourceType") == "VPC"
                    && s(log, "ResourceId") == id
                    && log.get("Enable").and_then(Value::as_bool) == Some(true)
            });
            let mut sources = vec![list_sha.as_str()];
            sources.extend(log_pages.iter().map(String::as_str));
            ctx.put(region, &id, &sources, |envelope| Vpc {
                envelope,
                name: Some(s(&vpc, "VpcName"))
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
                default: truthy(vpc.get("IsDefault")),
                flow_log_enabled: enabled,
            });
        }
    }

    /// TencentDB for MySQL (CDB) `DescribeDBInstances` (every page; `WanStatus = 1` → public,
    /// `DeployMode = 1` → multi-AZ), per instance `DescribeDBInstanceInfo` (`Encryption` "YES" /
    /// "NO"; cdb 2017-03-20 has no `DescribeDBEncryptAttributes`) and `DescribeBackupConfig`
    /// (`BackupExpireDays`). An instance whose detail call fails gets no record.
    fn databases(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        const KIND: &str = "database.instance";
        let instances = match self.list(ctx, region, DB_INSTANCES, json!({})) {
            Ok(i) => i,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        for (db, list_sha) in instances {
            let id = s(&db, "InstanceId").to_owned();
            let detail = |ctx: &mut UnitCtx<'_>, action: &'static str| {
                self.call(ctx, api("cdb", action, region, json!({"InstanceId": id})))
            };
            let (info, info_sha) = match detail(ctx, "DescribeDBInstanceInfo") {
                Ok(x) => x,
                Err(err) => {
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            let (backup, backup_sha) = match detail(ctx, "DescribeBackupConfig") {
                Ok(x) => x,
                Err(err) => {
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            let Some(retention) = count(backup.get("BackupExpireDays")) else {
                ctx.fail(
                    KIND,
                    region,
                    &id,
                    &malformed("cdb", "DescribeBackupConfig has no BackupExpireDays"),
                );
                continue;
            };
            // Another value (or none) is not reported: omitted.
            let encrypted = match s(&info, "Encryption") {
                "YES" => Some(true),
                "NO" => Some(false),
                _ => None,
            };
            let sources = [list_sha.as_str(), info_sha.as_str(), backup_sha.as_str()];
            ctx.put(region, &id, &sources, |envelope| DatabaseInstance {
                envelope,
                // CDB is TencentDB for MySQL.
                engine: "mysql".to_owned(),
                encrypted,
                public: int(db.get("WanStatus")) == Some(1),
                backup_retention_days: retention,
                multi_az: int(db.get("DeployMode")) == Some(1),
            });
        }
    }
}

/// Whether a CloudAudit track records every management event: every action type (`*`, or
/// `Write`: management events are the writes), every product (`ResourceType = *`) and every
/// event name (`EventNames = ["*"]`). A track restricted to some products or events does not.
fn all_management_events(track: &Value) -> bool {
    let action = s(track, "ActionType");
    let every_event = match track.get("EventNames") {
        Some(Value::Array(names)) => names.iter().any(|n| n.as_str() == Some("*")),
        // Not reported: the track is not shown to record every event.
        _ => false,
    };
    (action == "*" || action == "Write") && s(track, "ResourceType") == "*" && every_event
}

/// The shortest span, in days, of `months` consecutive calendar months (a lower bound: a
/// retention of N months is never read as longer than it is).
fn months_min_days(months: u64) -> u64 {
    const LEN: [u64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let (years, rest) = (months / 12, (months % 12) as usize);
    let shortest = (0..12)
        .map(|start| (0..rest).map(|i| LEN[(start + i) % 12]).sum::<u64>())
        .min()
        .unwrap_or(0);
    years * 365 + shortest
}

/// Retention of an auto-snapshot policy in days (cbs 2017-03-12 `AutoSnapshotPolicy`):
/// `IsPermanent` → kept forever (omitted: no day count); `RetentionDays`; `RetentionMonths`
/// (the shortest span of that many months); `AdvancedRetentionPolicy` (`Days` daily, `Weeks`
/// weekly, `Months` monthly, `Years` yearly snapshots: the oldest kept snapshot is the longest
/// of these spans). `RetentionAmount` keeps a number of snapshots, not a period: without one of
/// the others the retention in days is not reported (omitted).
fn snapshot_retention_days(policy: &Value) -> Option<i64> {
    if truthy(policy.get("IsPermanent")) {
        return None;
    }
    let positive = |v: Option<&Value>| int(v).filter(|n| *n > 0).map(|n| n as u64);
    if let Some(days) = positive(policy.get("RetentionDays")) {
        return Some(days as i64);
    }
    if let Some(months) = positive(policy.get("RetentionMonths")) {
        return Some(months_min_days(months) as i64);
    }
    let advanced = policy.get("AdvancedRetentionPolicy")?;
    let spans = [
        positive(advanced.get("Days")),
        positive(advanced.get("Weeks")).map(|w| w * 7),
        positive(advanced.get("Months")).map(months_min_days),
        positive(advanced.get("Years")).map(|y| y * 365),
    ];
    spans.into_iter().flatten().max().map(|d| d as i64)
}

/// `LastUsedDate` of a cam `SecretIdLastUsed` row (Beijing time; a bare date is its
/// midnight); empty or absent is not reported.
fn last_used_time(row: &Value) -> Option<String> {
    let text = s(row, "LastUsedDate").trim();
    if text.is_empty() {
        return None;
    }
    let text = if text.len() == 10 {
        format!("{text} 00:00:00")
    } else {
        text.to_owned()
    };
    normalize_time_cst(&Value::String(text))
}

/// The rules of one `DescribeSecurityGroupPolicies` ingress policy that reach from the whole
/// internet (one per address family), or an error when the policy cannot be read.
///
/// Tencent Cloud documents that a group's rules are weighed from the top of the list down and
/// the first that matches applies: the rank is `PolicyIndex` (the rule's place in that list; two
/// rules never share one, so a shared one is unknown, [`Tie::Unknown`]). The SDK model gives
/// `Action` `ACCEPT` or `DROP`; `Protocol` `TCP`, `UDP`, `ICMP`, `ICMPv6`, `GRE` or `ALL`, in
/// any case; `Port` `all`, a port, a list (`80,443`) or a range (`3389-3390`). A rule whose
/// ports come from a service template (`ServiceTemplate`) names what this collector does not
/// read: unknown. A source given as an IP address template or template group
/// (`AddressTemplate.AddressId` / `.AddressGroupId`) stands for the template's `AddressSet`
/// (a group: the sets of its templates, [`AddressBook`]): from the whole internet in a family
/// when it holds `0.0.0.0/0` or `::/0`; an address range (`a-b`), which this reader does not
/// weigh, or a template not in the book leaves the rule unknown.
fn world_rules(rule: &Value, book: &AddressBook) -> Result<Vec<ingress::Rule>, String> {
    let id = match rule.get("PolicyIndex").and_then(Value::as_i64) {
        Some(i) => format!("#{i}"),
        None => format!("{}/{}", s(rule, "Protocol"), s(rule, "Port")),
    };
    let template = |key: &str, ids: [&str; 2]| {
        rule.get(key)
            .map(|t| ids.iter().any(|k| !s(t, k).is_empty()))
            .unwrap_or(false)
    };
    let families = if template("AddressTemplate", ["AddressId", "AddressGroupId"]) {
        book.world_families(&rule["AddressTemplate"])
            .map_err(|m| format!("rule {id}: {m}"))?
    } else {
        ingress::world_families(&[
            (s(rule, "CidrBlock"), false),
            (s(rule, "Ipv6CidrBlock"), true),
        ])
    };
    if families.is_empty() {
        return Ok(Vec::new());
    }
    let accept = match s(rule, "Action").to_ascii_uppercase().as_str() {
        "ACCEPT" => true,
        "DROP" => false,
        other => {
            return Err(format!(
                "rule {id}: Action {other:?} is neither ACCEPT nor DROP"
            ));
        }
    };
    if template("ServiceTemplate", ["ServiceId", "ServiceGroupId"]) {
        return Err(format!(
            "rule {id}: its ports come from a service template, which is not read"
        ));
    }
    let port = s(rule, "Port").trim();
    let (proto, span) = match s(rule, "Protocol").trim().to_ascii_uppercase().as_str() {
        "ALL" => (Proto::Any, Span::All),
        "ICMP" | "ICMPV6" | "GRE" => (Proto::Portless, Span::All),
        p @ ("TCP" | "UDP") => {
            let span = if port.eq_ignore_ascii_case("all") {
                Span::All
            } else {
                Span::Ranges(
                    port.split(',')
                        .map(|part| ingress::port_range(part, '-'))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| format!("rule {id}: Port {port:?} is not a port list"))?,
                )
            };
            let proto = if p == "TCP" { Proto::Tcp } else { Proto::Udp };
            (proto, span)
        }
        other => {
            return Err(format!(
                "rule {id}: Protocol {other:?} is not one the SDK lists"
            ));
        }
    };
    let rank = rule.get("PolicyIndex").and_then(Value::as_i64);
    let rule = ingress::Rule {
        id,
        rank,
        accept,
        v6: false,
        proto,
        span,
    };
    Ok(ingress::per_family(rule, &families))
}

/// Whether an ingress rule's source is an IP address template or template group.
fn names_address_template(rule: &Value) -> bool {
    ["AddressId", "AddressGroupId"]
        .iter()
        .any(|k| !s(&rule["AddressTemplate"], k).is_empty())
}

/// A region's IP address templates (id → `AddressSet`) and template groups (id → template
/// ids), with the answers they came from.
#[derive(Debug, Default)]
struct AddressBook {
    templates: BTreeMap<String, Vec<String>>,
    groups: BTreeMap<String, Vec<String>>,
    pages: Vec<String>,
}

impl AddressBook {
    /// The address families (false: IPv4, true: IPv6) in which `spec` (`AddressId` or
    /// `AddressGroupId`) holds the whole internet, or why that is not known.
    fn world_families(&self, spec: &Value) -> Result<Vec<bool>, String> {
        let ids: Vec<&str> = match (s(spec, "AddressId"), s(spec, "AddressGroupId")) {
            (t, "") => vec![t],
            ("", g) => self
                .groups
                .get(g)
                .ok_or_else(|| format!("address template group {g} is not in the listing"))?
                .iter()
                .map(String::as_str)
                .collect(),
            (t, g) => return Err(format!("it names both template {t} and group {g}")),
        };
        let mut sets = Vec::new();
        for t in ids {
            sets.push(
                self.templates
                    .get(t)
                    .ok_or_else(|| format!("address template {t} is not in the listing"))?,
            );
        }
        ingress::set_families(sets.into_iter().flatten())
            .map_err(|m| format!("its address templates: {m}"))
    }
}

#[cfg(test)]
mod ingress_tests {
    use super::*;
    use serde_json::json;

    fn reach(rules: &[Value]) -> Result<(Vec<u16>, bool), String> {
        let book = AddressBook::default();
        ingress::reach_of(rules, |r| world_rules(r, &book), Tie::Unknown)
    }

    fn rule(index: i64, action: &str, protocol: &str, port: &str) -> Value {
        json!({"PolicyIndex": index, "Action": action, "Protocol": protocol, "Port": port,
               "CidrBlock": "0.0.0.0/0", "Ipv6CidrBlock": ""})
    }

    #[test]
    fn address_templates_and_groups_stand_for_their_addresses() {
        let list = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let book = AddressBook {
            templates: [
                ("ipm-w".to_owned(), list(&["10.0.0.0/8", "::/0"])),
                ("ipm-n".to_owned(), list(&["203.0.113.0/24"])),
                ("ipm-r".to_owned(), list(&["10.0.0.1-10.0.0.9"])),
            ]
            .into(),
            groups: [
                ("ipmg-n".to_owned(), list(&["ipm-n"])),
                ("ipmg-w".to_owned(), list(&["ipm-n", "ipm-w"])),
                ("ipmg-x".to_owned(), list(&["ipm-gone"])),
            ]
            .into(),
            pages: Vec::new(),
        };
        let fam =
            |t: &str, g: &str| book.world_families(&json!({"AddressId": t, "AddressGroupId": g}));
        assert_eq!(fam("ipm-w", ""), Ok(vec![true]));
        assert_eq!(fam("ipm-n", ""), Ok(vec![]));
        assert_eq!(fam("", "ipmg-w"), Ok(vec![true]));
        assert_eq!(fam("", "ipmg-n"), Ok(vec![]));
        // Unknown, never "not from the world": a range, a template or group not listed.
        assert!(fam("ipm-r", "").is_err());
        assert!(fam("", "ipmg-x").is_err());
        assert!(fam("ipm-gone", "").is_err());
        assert!(fam("", "ipmg-gone").is_err());
    }

    #[test]
    fn lower_case_all_port_opens_every_port() {
        // The SDK's documented spelling; it used to be compared with "ALL" and read as nothing.
        assert!(reach(&[rule(0, "ACCEPT", "TCP", "all")]).unwrap().1);
        assert!(reach(&[rule(0, "accept", "tcp", "ALL")]).unwrap().1);
        assert!(reach(&[rule(0, "ACCEPT", "ALL", "")]).unwrap().1);
    }

    #[test]
    fn ports_lists_and_ranges() {
        let rules = [
            rule(0, "ACCEPT", "TCP", "22"),
            rule(1, "ACCEPT", "UDP", "80, 443"),
            rule(2, "ACCEPT", "TCP", "3389-3390"),
        ];
        assert_eq!(reach(&rules), Ok((vec![22, 80, 443, 3389, 3390], false)));
        assert_eq!(
            reach(&[rule(0, "ACCEPT", "ICMP", "all")]),
            Ok((vec![], false))
        );
    }

    #[test]
    fn a_drop_above_an_accept_closes_its_ports_and_one_below_does_not() {
        let above = [
            rule(0, "DROP", "TCP", "3389"),
            rule(1, "ACCEPT", "TCP", "443,3389"),
        ];
        assert_eq!(reach(&above), Ok((vec![443], false)));
        let below = [
            rule(0, "ACCEPT", "TCP", "443,3389"),
            rule(1, "DROP", "TCP", "3389"),
        ];
        assert_eq!(reach(&below), Ok((vec![443, 3389], false)));
    }

    #[test]
    fn what_cannot_be_read_leaves_the_group_unknown() {
        let mut templated = rule(0, "ACCEPT", "", "");
        templated["ServiceTemplate"] = json!({"ServiceId": "ppm-1", "ServiceGroupId": ""});
        assert!(reach(&[templated]).is_err());
        let mut address = rule(0, "ACCEPT", "TCP", "22");
        address["CidrBlock"] = json!("");
        address["AddressTemplate"] = json!({"AddressId": "", "AddressGroupId": "ipmg-1"});
        assert!(reach(&[address]).is_err());
        assert!(reach(&[rule(0, "ACCEPT", "TCP", "")]).is_err());
        assert!(reach(&[rule(0, "ALLOW", "TCP", "22")]).is_err());
        assert!(reach(&[rule(0, "ACCEPT", "SCTP", "22")]).is_err());
        // Two rules at one index: which is weighed first is not known.
        let shared = [rule(0, "DROP", "TCP", "22"), rule(0, "ACCEPT", "TCP", "22")];
        assert!(reach(&shared).is_err());
    }
}

#[cfg(test)]
mod value_tests {
    use super::*;

    #[test]
    fn snapshot_retention_from_months_and_the_advanced_policy() {
        // RetentionDays 0 used to read as 0 days.
        let months = json!({"RetentionDays": 0, "RetentionMonths": 3, "IsPermanent": false});
        assert_eq!(snapshot_retention_days(&months), Some(89));
        assert_eq!(months_min_days(1), 28);
        assert_eq!(months_min_days(12), 365);
        assert_eq!(months_min_days(13), 393);
        let advanced = json!({"RetentionDays": 0, "AdvancedRetentionPolicy": {"Days": 7, "Weeks": 4, "Months": 0, "Years": 0}});
        assert_eq!(snapshot_retention_days(&advanced), Some(28));
        let yearly =
            json!({"AdvancedRetentionPolicy": {"Days": 7, "Weeks": 4, "Months": 6, "Years": 1}});
        assert_eq!(snapshot_retention_days(&yearly), Some(365));
        assert_eq!(
            snapshot_retention_days(&json!({"RetentionDays": 7, "RetentionMonths": 3})),
            Some(7)
        );
        // A number of snapshots is not a period; permanent has no day count: not reported.
        assert_eq!(
            snapshot_retention_days(&json!({"RetentionDays": 0, "RetentionAmount": 10})),
            None
        );
        assert_eq!(
            snapshot_retention_days(&json!({"IsPermanent": true, "RetentionDays": 0})),
            None
        );
    }

    #[test]
    fn restricted_tracks_do_not_record_every_management_event() {
        let track = |action: &str, resource: &str, events: Value| json!({"ActionType": action, "ResourceType": resource, "EventNames": events});
        assert!(all_management_events(&track("*", "*", json!(["*"]))));
        assert!(all_management_events(&track("Write", "*", json!(["*"]))));
        assert!(!all_management_events(&track("*", "cos", json!(["*"]))));
        assert!(!all_management_events(&track(
            "*",
            "*",
            json!(["CreateUser"])
        )));
        assert!(!all_management_events(&track("Read", "*", json!(["*"]))));
        assert!(!all_management_events(
            &json!({"ActionType": "*", "ResourceType": "*"})
        ));
    }

    #[test]
    fn key_last_used_dates_are_beijing_midnight() {
        assert_eq!(
            last_used_time(&json!({"SecretId": "AKID1", "LastUsedDate": "2026-11-28"})),
            Some("2026-11-27T16:00:00Z".to_owned())
        );
        assert_eq!(last_used_time(&json!({"LastUsedDate": ""})), None);
        assert_eq!(last_used_time(&json!({"LastSecretUsedDate": 1})), None);
    }
}
