//! Alibaba Cloud collector: OpenAPI (RPC style, `ACS3-HMAC-SHA256`) calls to STS, ECS, RAM,
//! ActionTrail, KMS, HBR, Security Center, VPC, RDS and Cloud Config, mapped into the normalized
//! kinds.
//!
//! OSS buckets (own endpoints and signature) are collected by [`crate::cn::objstore`].

use std::collections::BTreeMap;

use cloudcap_evidence::{
    AccessKey, AuditTrail, BackupPlan, ComputeVolume, ConfigRecorder, CryptoKey, DatabaseInstance,
    IdentityUser, KeyOrigin, PasswordPolicy, SecurityGroup, ThreatDetection, Vpc,
};
use serde_json::Value;

use crate::allow::AllowList;
use crate::cn::call::Call;
use crate::cn::ingress::{self, Proto, Span, Tie};
use crate::cn::paging::{self, Cursor, Page};
use crate::cn::sign_alibaba::AcsV3Signer;
use crate::cn::{
    CnConfig, CnProvider, Discovery, Endpoint, Send, arr, copy_fields, count, flag, int, malformed,
    required_stamp, s, stamp, truthy, unit,
};
use crate::http::{CallError, HttpClient};
use crate::runner::{Collector, Unit, UnitCtx};

const RAM: &str = "2015-05-01";
const ECS: &str = "2014-05-26";
const STS: &str = "2015-04-01";
const ACTIONTRAIL: &str = "2020-07-06";
const KMS: &str = "2016-01-20";
const HBR: &str = "2017-09-08";
const SAS: &str = "2018-12-03";
const VPC: &str = "2016-04-28";
const RDS: &str = "2014-08-15";
const CONFIG: &str = "2020-09-07";

/// The read-only actions this collector may call.
pub fn allow_list() -> AllowList {
    AllowList::new(
        "alibaba",
        &[
            ("sts", "GetCallerIdentity"),
            ("ecs", "DescribeRegions"),
            ("ecs", "DescribeSecurityGroups"),
            ("ecs", "DescribeSecurityGroupAttribute"),
            ("ecs", "DescribePrefixListAttributes"),
            ("ecs", "DescribeDisks"),
            ("ram", "GetPasswordPolicy"),
            ("ram", "ListUsers"),
            ("ram", "GetLoginProfile"),
            ("ram", "ListVirtualMFADevices"),
            ("ram", "ListPoliciesForUser"),
            ("ram", "ListGroupsForUser"),
            ("ram", "ListPoliciesForGroup"),
            ("ram", "ListAccessKeys"),
            ("ram", "GetUser"),
            ("ram", "GetAccessKeyLastUsed"),
            ("ram", "GetPolicy"),
            ("actiontrail", "DescribeTrails"),
            ("actiontrail", "GetTrailStatus"),
            ("kms", "ListKeys"),
            ("kms", "DescribeKey"),
            ("hbr", "DescribeBackupPlans"),
            ("sas", "DescribeVersionConfig"),
            ("vpc", "DescribeVpcs"),
            ("vpc", "DescribeFlowLogs"),
            ("rds", "DescribeDBInstances"),
            ("rds", "DescribeDBInstanceTDE"),
            ("rds", "DescribeBackupPolicy"),
            ("rds", "DescribeDBInstanceNetInfo"),
            ("config", "GetConfigurationRecorder"),
        ],
    )
}

pub(crate) fn client(config: &CnConfig) -> Result<HttpClient, String> {
    HttpClient::new(
        config.http.clone(),
        allow_list(),
        Box::new(AcsV3Signer::new(config.credentials.clone())),
    )
}

/// An RPC-style call: action and version in `x-acs-*` headers, parameters in the query.
/// Empty-valued parameters are never sent. Regional calls always carry `RegionId` (the POP
/// gateway's common parameter), so the region is explicit even behind an endpoint override.
fn rpc(
    service: &'static str,
    action: &'static str,
    version: &str,
    region: &str,
    host: String,
    params: &[(&str, &str)],
) -> Call {
    let mut call = Call::new(service, action, region, host);
    call.headers = vec![
        ("x-acs-action".into(), action.into()),
        ("x-acs-version".into(), version.into()),
    ];
    call.query = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    call
}

/// Alibaba Cloud in the shared pipeline ([`super::cloud::CnCloud`]).
pub(crate) struct Alibaba;

impl super::cloud::CnCloud for Alibaba {
    fn client(&self, config: &CnConfig) -> Result<HttpClient, String> {
        client(config)
    }

    /// sts 2015-04-01 `GetCallerIdentity`: `AccountId`.
    fn identify(&self, endpoint: &Endpoint, send: &mut Send<'_>) -> Result<Discovery, CallError> {
        let (identity, _) = endpoint.call(
            send,
            rpc(
                "sts",
                "GetCallerIdentity",
                STS,
                "global",
                "sts.aliyuncs.com".into(),
                &[],
            ),
        )?;
        Ok(Discovery {
            account: s(&identity, "AccountId").to_owned(),
            ..Discovery::default()
        })
    }

    /// ecs 2014-05-26 `DescribeRegions`.
    fn region_listing(&self, _: &Discovery) -> Call {
        rpc(
            "ecs",
            "DescribeRegions",
            ECS,
            "global",
            "ecs.aliyuncs.com".into(),
            &[],
        )
    }

    fn region_ids(&self, answer: &Value, _: &Discovery) -> Vec<String> {
        arr(answer, &["Regions", "Region"])
            .iter()
            .map(|r| s(r, "RegionId").to_owned())
            .collect()
    }

    fn collector(&self, endpoint: Endpoint, discovery: &Discovery) -> Box<dyn Collector> {
        Box::new(AlibabaCollector::new(endpoint, discovery))
    }

    fn object_store(&self) -> super::sign_objstore::ObjectStore {
        super::sign_objstore::ObjectStore::Oss
    }

    /// Security Center is account-wide.
    fn account_wide(&self) -> &'static [&'static str] {
        &["monitoring.threat-detection"]
    }

    fn is_mainland(&self, region: &str) -> Option<bool> {
        Some(region.starts_with("cn-") && region != "cn-hongkong")
    }
}

/// Units: RAM and Security Center account-wide, the rest per region.
pub(crate) struct AlibabaCollector {
    endpoint: Endpoint,
    regions: Vec<String>,
}

impl AlibabaCollector {
    pub(crate) fn new(endpoint: Endpoint, discovery: &Discovery) -> AlibabaCollector {
        AlibabaCollector {
            endpoint,
            regions: discovery.regions.clone(),
        }
    }
}

impl Collector for AlibabaCollector {
    fn provider(&self) -> cloudcap_evidence::Provider {
        cloudcap_evidence::Provider::Alibaba
    }

    fn units(&self) -> Vec<Unit> {
        let mut units = vec![
            unit(
                "ram",
                "global",
                &[
                    "identity.password-policy",
                    "identity.user",
                    "identity.access-key",
                ],
            ),
            unit("sas", "global", &["monitoring.threat-detection"]),
            unit("config", "global", &["monitoring.config-recorder"]),
        ];
        for region in &self.regions {
            units.push(unit("actiontrail", region, &["audit.trail"]));
            units.push(unit("kms", region, &["crypto.key"]));
            units.push(unit(
                "ecs",
                region,
                &["network.security-group", "compute.volume"],
            ));
            units.push(unit("hbr", region, &["backup.plan"]));
            units.push(unit("vpc", region, &["network.vpc"]));
            units.push(unit("rds", region, &["database.instance"]));
        }
        units
    }

    fn collect(&self, unit: &Unit, ctx: &mut UnitCtx<'_>) {
        let region = unit.region.as_str();
        match unit.service {
            "ram" => self.ram(ctx),
            "sas" => self.sas(ctx),
            "actiontrail" => self.actiontrail(ctx, region),
            "kms" => self.kms(ctx, region),
            "ecs" => {
                self.security_groups(ctx, region);
                self.disks(ctx, region);
            }
            "hbr" => self.backup_plans(ctx, region),
            "vpc" => self.vpcs(ctx, region),
            "rds" => self.databases(ctx, region),
            "config" => self.config_recorder(ctx),
            _ => {}
        }
    }
}

impl AlibabaCollector {
    fn ram_call(
        &self,
        ctx: &mut UnitCtx<'_>,
        action: &'static str,
        params: &[(&str, &str)],
    ) -> Result<(Value, String), CallError> {
        self.endpoint.unit_call(
            ctx,
            rpc(
                "ram",
                action,
                RAM,
                "global",
                "ram.aliyuncs.com".into(),
                params,
            ),
        )
    }

    fn ram(&self, ctx: &mut UnitCtx<'_>) {
        let account = ctx.account().to_owned();
        match self.ram_call(ctx, "GetPasswordPolicy", &[]) {
            Ok((v, sha)) => {
                let p = &v["PasswordPolicy"];
                let require = [
                    flag(p.get("RequireUppercaseCharacters")),
                    flag(p.get("RequireLowercaseCharacters")),
                    flag(p.get("RequireNumbers")),
                    flag(p.get("RequireSymbols")),
                ];
                // How many classes a password must mix: the number of required classes, known
                // only when all four flags are reported.
                let classes = require
                    .iter()
                    .try_fold(0u32, |n, r| r.map(|r| n + u32::from(r)));
                ctx.put(
                    "global",
                    &format!("acs:ram::{account}:password-policy"),
                    &[sha.as_str()],
                    |envelope| PasswordPolicy {
                        envelope,
                        configured: p.is_object(),
                        min_length: count(p.get("MinimumPasswordLength")),
                        require_uppercase: require[0],
                        require_lowercase: require[1],
                        require_numbers: require[2],
                        require_symbols: require[3],
                        min_char_classes: classes,
                        // 0 means "never expires" / "no lockout" in RAM: a reported fact, kept.
                        max_age_days: count(p.get("MaxPasswordAge")),
                        reuse_prevention: count(p.get("PasswordReusePrevention")),
                        // RAM spells the field `MaxLoginAttemps`.
                        max_login_attempts: count(p.get("MaxLoginAttemps")),
                    },
                );
            }
            Err(err) => ctx.fail("identity.password-policy", "global", "*", &err),
        }

        // Users, following the Marker pagination (`IsTruncated`, `Marker`).
        let users = paging::list("ram", "ListUsers", self.endpoint.max_pages, |c: &Cursor| {
            let (v, sha) = self.ram_call(
                ctx,
                "ListUsers",
                &[("MaxItems", "100"), ("Marker", &c.token)],
            )?;
            Ok(Page {
                items: paging::items(&v, &["Users", "User"], "ram", "ListUsers")?
                    .into_iter()
                    .map(|u| (u, sha.clone()))
                    .collect(),
                more: paging::token(&v, &["Marker"], Some(&["IsTruncated"]), "ram", "ListUsers")?,
            })
        });
        let users = match users {
            Ok(u) => u,
            Err(err) => {
                ctx.fail("identity.user", "global", "*", &err);
                ctx.fail("identity.access-key", "global", "*", &err);
                return;
            }
        };
        let mfa = match self.ram_call(ctx, "ListVirtualMFADevices", &[]) {
            Ok((v, sha)) => {
                let names: Vec<String> = arr(&v, &["VirtualMFADevices", "VirtualMFADevice"])
                    .iter()
                    .filter(|d| !s(d, "ActivateDate").is_empty())
                    .map(|d| s(&d["User"], "UserName").to_owned())
                    .collect();
                Some((names, sha))
            }
            Err(err) => {
                ctx.fail("identity.user", "global", "*", &err);
                None
            }
        };
        let mut group_admin: BTreeMap<String, Option<(bool, Vec<String>)>> = BTreeMap::new();
        let mut policies: BTreeMap<String, (bool, String)> = BTreeMap::new();
        for (user, list_sha) in &users {
            let name = s(user, "UserName").to_owned();
            let id = format!("acs:ram::{account}:user/{name}");
            self.user(
                ctx,
                &name,
                &id,
                user,
                list_sha,
                mfa.as_ref(),
                &mut group_admin,
                &mut policies,
            );
            match self.ram_call(ctx, "ListAccessKeys", &[("UserName", &name)]) {
                Ok((v, sha)) => {
                    for key in arr(&v, &["AccessKeys", "AccessKey"]) {
                        let key_id = s(key, "AccessKeyId");
                        // `ListAccessKeys` does not say when a key was last used;
                        // `GetAccessKeyLastUsed` does (`AccessKeyLastUsed.LastUsedDate`). An empty
                        // date is not "never used" (RAM does not say which): omitted.
                        let (used, used_sha) = match self.ram_call(
                            ctx,
                            "GetAccessKeyLastUsed",
                            &[("UserName", &name), ("UserAccessKeyId", key_id)],
                        ) {
                            Ok((u, sha)) => (u, sha),
                            Err(err) => {
                                ctx.fail("identity.access-key", "global", key_id, &err);
                                continue;
                            }
                        };
                        let created_at =
                            match required_stamp(stamp(key.get("CreateDate")), "ram", key_id) {
                                Ok(t) => t,
                                Err(err) => {
                                    ctx.fail("identity.access-key", "global", key_id, &err);
                                    continue;
                                }
                            };
                        ctx.put(
                            "global",
                            key_id,
                            &[sha.as_str(), used_sha.as_str()],
                            |envelope| AccessKey {
                                envelope,
                                user: name.clone(),
                                root: false,
                                active: s(key, "Status") == "Active",
                                created_at,
                                last_used_at: stamp(used["AccessKeyLastUsed"].get("LastUsedDate")),
                                never_used: None,
                            },
                        );
                    }
                }
                Err(err) => ctx.fail("identity.access-key", "global", &name, &err),
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn user(
        &self,
        ctx: &mut UnitCtx<'_>,
        name: &str,
        id: &str,
        user: &Value,
        list_sha: &str,
        mfa: Option<&(Vec<String>, String)>,
        group_admin: &mut BTreeMap<String, Option<(bool, Vec<String>)>>,
        policies: &mut BTreeMap<String, (bool, String)>,
    ) {
        let mut sources = vec![list_sha.to_owned()];
        // `ListUsers` does not report the last sign-in; `GetUser` does (`User.LastLoginDate`).
        let last_login = match self.ram_call(ctx, "GetUser", &[("UserName", name)]) {
            Ok((v, sha)) => {
                sources.push(sha);
                stamp(v["User"].get("LastLoginDate"))
            }
            Err(err) => return ctx.fail("identity.user", "global", name, &err),
        };
        let console = match self.ram_call(ctx, "GetLoginProfile", &[("UserName", name)]) {
            Ok((_, sha)) => {
                sources.push(sha);
                true
            }
            Err(err)
                if err
                    .code
                    .as_deref()
                    .is_some_and(|c| c.starts_with("EntityNotExist")) =>
            {
                false
            }
            Err(err) => return ctx.fail("identity.user", "global", name, &err),
        };
        let mut privileged = match self.ram_call(ctx, "ListPoliciesForUser", &[("UserName", name)])
        {
            Ok((v, sha)) => {
                sources.push(sha);
                match self.grants_admin(ctx, &v, policies) {
                    Ok((admin, shas)) => {
                        sources.extend(shas);
                        admin
                    }
                    Err(err) => return ctx.fail("identity.user", "global", name, &err),
                }
            }
            Err(err) => return ctx.fail("identity.user", "global", name, &err),
        };
        match self.ram_call(ctx, "ListGroupsForUser", &[("UserName", name)]) {
            Ok((v, sha)) => {
                sources.push(sha);
                for group in arr(&v, &["Groups", "Group"]) {
                    let group = s(group, "GroupName").to_owned();
                    if !group_admin.contains_key(&group) {
                        let answer = match self.ram_call(
                            ctx,
                            "ListPoliciesForGroup",
                            &[("GroupName", &group)],
                        ) {
                            Ok((v, sha)) => match self.grants_admin(ctx, &v, policies) {
                                Ok((admin, mut shas)) => {
                                    shas.insert(0, sha);
                                    Some((admin, shas))
                                }
                                Err(err) => {
                                    ctx.fail("identity.user", "global", name, &err);
                                    None
                                }
                            },
                            Err(err) => {
                                ctx.fail("identity.user", "global", name, &err);
                                None
                            }
                        };
                        group_admin.insert(group.clone(), answer);
                    }
                    match &group_admin[&group] {
                        Some((admin, shas)) => {
                            privileged |= admin;
                            sources.extend(shas.iter().cloned());
                        }
                        None => return,
                    }
                }
            }
            Err(err) => return ctx.fail("identity.user", "global", name, &err),
        }
        let Some((mfa_users, mfa_sha)) = mfa else {
            return;
        };
        sources.push(mfa_sha.clone());
        let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
        let created_at = match required_stamp(stamp(user.get("CreateDate")), "ram", name) {
            Ok(t) => t,
            Err(err) => return ctx.fail("identity.user", "global", name, &err),
        };
        ctx.put("global", id, &sources, |envelope| IdentityUser {
            envelope,
            name: name.to_owned(),
            root: false,
            console_access: console,
            mfa_enabled: mfa_users.iter().any(|u| u == name),
            privileged,
            created_at,
            last_login_at: last_login,
            never_logged_in: None,
        });
    }

    /// Whether a `Policies.Policy` listing grants full access: the system policy
    /// `AdministratorAccess`, or a custom policy whose default version allows every action on
    /// every resource (`GetPolicy` → `DefaultPolicyVersion.PolicyDocument`). Custom policies are
    /// read once per run (`policies`); returns the digests of the answers used.
    fn grants_admin(
        &self,
        ctx: &mut UnitCtx<'_>,
        listing: &Value,
        policies: &mut BTreeMap<String, (bool, String)>,
    ) -> Result<(bool, Vec<String>), CallError> {
        let mut admin = false;
        let mut shas = Vec::new();
        for p in arr(listing, &["Policies", "Policy"]) {
            let name = s(p, "PolicyName");
            if s(p, "PolicyType") != "Custom" {
                admin |= name == "AdministratorAccess";
                continue;
            }
            if !policies.contains_key(name) {
                let (v, sha) = self.ram_call(
                    ctx,
                    "GetPolicy",
                    &[("PolicyType", "Custom"), ("PolicyName", name)],
                )?;
                let doc = s(&v["DefaultPolicyVersion"], "PolicyDocument");
                let full = serde_json::from_str::<Value>(doc)
                    .map_err(|e| malformed("ram", &format!("policy {name} is not JSON: {e}")))
                    .map(|d| allows_everything(&d))?;
                policies.insert(name.to_owned(), (full, sha));
            }
            let (full, sha) = &policies[name];
            admin |= full;
            shas.push(sha.clone());
        }
        Ok((admin, shas))
    }

    fn sas(&self, ctx: &mut UnitCtx<'_>) {
        let call = rpc(
            "sas",
            "DescribeVersionConfig",
            SAS,
            "global",
            "tds.aliyuncs.com".into(),
            &[],
        );
        match self.endpoint.unit_call(ctx, call) {
            Ok((v, sha)) => match sas_threat_detection(&v) {
                Ok(enabled) => ctx.put("global", "security-center", &[sha.as_str()], |envelope| {
                    ThreatDetection {
                        envelope,
                        service: "Security Center".to_owned(),
                        enabled,
                    }
                }),
                Err(message) => ctx.fail(
                    "monitoring.threat-detection",
                    "global",
                    "*",
                    &malformed("sas", &message),
                ),
            },
            Err(err) => ctx.fail("monitoring.threat-detection", "global", "*", &err),
        }
    }

    fn actiontrail(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        let host = format!("actiontrail.{region}.aliyuncs.com");
        let trails = match self.endpoint.unit_call(
            ctx,
            rpc(
                "actiontrail",
                "DescribeTrails",
                ACTIONTRAIL,
                region,
                host.clone(),
                &[("RegionId", region), ("IncludeShadowTrails", "false")],
            ),
        ) {
            Ok(v) => v,
            Err(err) => return ctx.fail("audit.trail", region, "*", &err),
        };
        let (v, list_sha) = trails;
        for trail in arr(&v, &["TrailList"]) {
            let name = s(trail, "Name").to_owned();
            let status = rpc(
                "actiontrail",
                "GetTrailStatus",
                ACTIONTRAIL,
                region,
                host.clone(),
                &[("RegionId", region), ("Name", &name)],
            );
            let (st, sha) = match self.endpoint.unit_call(ctx, status) {
                Ok(x) => x,
                Err(err) => {
                    ctx.fail("audit.trail", region, &name, &err);
                    continue;
                }
            };
            let rw = s(trail, "EventRW");
            let id = format!("acs:actiontrail:{region}:{}:trail/{name}", ctx.account());
            ctx.put(
                region,
                &id,
                &[list_sha.as_str(), sha.as_str()],
                |envelope| AuditTrail {
                    envelope,
                    name: name.to_owned(),
                    enabled: truthy(st.get("IsLogging")),
                    multi_region: s(trail, "TrailRegion") == "All",
                    // Not reported by ActionTrail (omitted, so not evaluated): log-file
                    // integrity, delivery encryption (a property of the OSS bucket / SLS
                    // project) and retention.
                    log_file_validation: None,
                    encrypted: None,
                    management_events: rw == "All" || rw == "Write",
                    retention_days: None,
                },
            );
        }
    }

    fn kms(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        let host = format!("kms.{region}.aliyuncs.com");
        // `ListKeys` also returns keys that cloud services created for themselves; the filter
        // `CreatorType = User` keeps the customer's own keys (the kind counts customer keys).
        let keys = match self.pages(
            ctx,
            ("kms", KMS, host.clone()),
            region,
            "ListKeys",
            ["Keys", "Key"],
            (100, "TotalCount"),
            &[("Filters", r#"[{"Key":"CreatorType","Values":["User"]}]"#)],
        ) {
            Ok(k) => k,
            Err(err) => return ctx.fail("crypto.key", region, "*", &err),
        };
        {
            for (key, list_sha) in &keys {
                let key_id = s(key, "KeyId").to_owned();
                let call = rpc(
                    "kms",
                    "DescribeKey",
                    KMS,
                    region,
                    host.clone(),
                    &[("RegionId", region), ("KeyId", &key_id)],
                );
                let (d, sha) = match self.endpoint.unit_call(ctx, call) {
                    Ok(x) => x,
                    Err(err) => {
                        ctx.fail("crypto.key", region, &key_id, &err);
                        continue;
                    }
                };
                let m = &d["KeyMetadata"];
                let origin = match (s(m, "Origin"), s(m, "ProtectionLevel")) {
                    ("EXTERNAL", _) => KeyOrigin::External,
                    (_, "HSM") => KeyOrigin::Hsm,
                    _ => KeyOrigin::Provider,
                };
                // KeySpec: Aliyun_AES_256, Aliyun_SM4, ... are symmetric; RSA_*, EC_* are not.
                let spec = s(m, "KeySpec");
                let symmetric = if spec.starts_with("Aliyun_AES") || spec == "Aliyun_SM4" {
                    Some(true)
                } else if spec.starts_with("RSA_") || spec.starts_with("EC_") {
                    Some(false)
                } else {
                    None
                };
                let enabled = s(m, "KeyState") == "Enabled";
                // Only enabled symmetric keys with KMS-generated material rotate automatically.
                let rotation = match s(m, "AutomaticRotation") {
                    _ if !(enabled && origin == KeyOrigin::Provider && symmetric == Some(true)) => {
                        None
                    }
                    "Enabled" => Some(true),
                    "Disabled" | "Suspended" => Some(false),
                    _ => None,
                };
                let arn = if s(key, "KeyArn").is_empty() {
                    key_id.clone()
                } else {
                    s(key, "KeyArn").to_owned()
                };
                ctx.put(
                    region,
                    &arn,
                    &[list_sha.as_str(), sha.as_str()],
                    |envelope| CryptoKey {
                        envelope,
                        // Listed with `CreatorType = User`: the customer's own keys.
                        customer_managed: true,
                        enabled,
                        rotation_enabled: rotation,
                        origin,
                        symmetric,
                    },
                );
            }
        }
    }

    /// Pages through an ECS `Describe*` listing (`PageSize` at most 50 for security groups,
    /// 100 for disks; `TotalCount`); returns `(item, digest of its page)`.
    fn ecs_pages(
        &self,
        ctx: &mut UnitCtx<'_>,
        region: &str,
        action: &'static str,
        path: [&str; 2],
        size: u32,
    ) -> Result<Vec<(Value, String)>, CallError> {
        let host = format!("ecs.{region}.aliyuncs.com");
        self.pages(
            ctx,
            ("ecs", ECS, host),
            region,
            action,
            path,
            (size, "TotalCount"),
            &[],
        )
    }

    /// Pages through a `Describe*` listing of `(service, version, host)` by `PageNumber` /
    /// `PageSize` (`size`, the action's maximum) and the total `total` (`TotalCount`; RDS:
    /// `TotalRecordCount`); `extra` parameters go with every page. Returns `(item, digest of
    /// its page)`.
    #[allow(clippy::too_many_arguments)]
    fn pages(
        &self,
        ctx: &mut UnitCtx<'_>,
        (service, version, host): (&'static str, &str, String),
        region: &str,
        action: &'static str,
        path: [&str; 2],
        (size, total): (u32, &str),
        extra: &[(&str, &str)],
    ) -> Result<Vec<(Value, String)>, CallError> {
        let size = size.to_string();
        paging::list(service, action, self.endpoint.max_pages, |c: &Cursor| {
            let number = c.number.to_string();
            let mut params = vec![
                ("RegionId", region),
                ("PageNumber", number.as_str()),
                ("PageSize", size.as_str()),
            ];
            params.extend_from_slice(extra);
            let call = rpc(service, action, version, region, host.clone(), &params);
            let (v, sha) = self.endpoint.unit_call(ctx, call)?;
            Ok(Page {
                items: paging::items(&v, &path, service, action)?
                    .into_iter()
                    .map(|i| (i, sha.clone()))
                    .collect(),
                more: paging::total(&v, &[total], service, action)?,
            })
        })
    }

    fn security_groups(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        const KIND: &str = "network.security-group";
        let groups = match self.ecs_pages(
            ctx,
            region,
            "DescribeSecurityGroups",
            ["SecurityGroups", "SecurityGroup"],
            50,
        ) {
            Ok(g) => g,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        // Prefix lists named as rule sources, read once a region: id → (CIDRs, answer).
        let mut prefix_lists: BTreeMap<String, (Vec<String>, String)> = BTreeMap::new();
        for (group, list_sha) in groups {
            let id = s(&group, "SecurityGroupId").to_owned();
            // The rules page by `NextToken` when `MaxResults` is sent (10..=1000).
            let rules = paging::list(
                "ecs",
                "DescribeSecurityGroupAttribute",
                self.endpoint.max_pages,
                |c: &Cursor| {
                    let call = rpc(
                        "ecs",
                        "DescribeSecurityGroupAttribute",
                        ECS,
                        region,
                        format!("ecs.{region}.aliyuncs.com"),
                        &[
                            ("RegionId", region),
                            ("SecurityGroupId", &id),
                            ("Direction", "ingress"),
                            ("MaxResults", "1000"),
                            ("NextToken", &c.token),
                        ],
                    );
                    let (v, sha) = self.endpoint.unit_call(ctx, call)?;
                    Ok(Page {
                        items: paging::items(
                            &v,
                            &["Permissions", "Permission"],
                            "ecs",
                            "DescribeSecurityGroupAttribute",
                        )?
                        .into_iter()
                        .map(|r| (r, sha.clone()))
                        .collect(),
                        more: paging::token(
                            &v,
                            &["NextToken"],
                            None,
                            "ecs",
                            "DescribeSecurityGroupAttribute",
                        )?,
                    })
                },
            );
            let rules = match rules {
                Ok(r) => r,
                Err(err) => {
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            let mut sources = vec![list_sha.clone()];
            for (_, sha) in &rules {
                if !sources.contains(sha) {
                    sources.push(sha.clone());
                }
            }
            match self.read_prefix_lists(ctx, region, &rules, &mut prefix_lists) {
                Ok(shas) => {
                    for sha in shas {
                        if !sources.contains(&sha) {
                            sources.push(sha);
                        }
                    }
                }
                Err(err) => {
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            }
            let reach = ingress::reach_of(
                &rules,
                |(rule, _)| world_rules(rule, &prefix_lists),
                Tie::DropWins,
            );
            let (ports, all) = match reach {
                Ok(fields) => fields,
                Err(message) => {
                    let err = malformed("ecs", &format!("security group {id}: {message}"));
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
            ctx.put(region, &id, &sources, |envelope| SecurityGroup {
                envelope,
                name: s(&group, "SecurityGroupName").to_owned(),
                vpc_id: Some(s(&group, "VpcId"))
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned),
                // A classic-network group has an empty `VpcId`.
                classic_network: Some(s(&group, "VpcId").is_empty()),
                world_open_ports: ports,
                world_open_all: all,
            });
        }
    }

    /// Reads the prefix lists that `rules` name as sources and `cache` lacks
    /// (`DescribePrefixListAttributes`: every entry in one answer, no paging, at most
    /// `MaxEntries` of them); returns the answers naming the lists of `rules`. An entry list
    /// that cannot be read makes the group unreadable (its error, never a guess).
    fn read_prefix_lists(
        &self,
        ctx: &mut UnitCtx<'_>,
        region: &str,
        rules: &[(Value, String)],
        cache: &mut BTreeMap<String, (Vec<String>, String)>,
    ) -> Result<Vec<String>, CallError> {
        let mut shas = Vec::new();
        for (rule, _) in rules {
            let list = s(rule, "SourcePrefixListId");
            if list.is_empty() || s(rule, "Direction") == "egress" {
                continue;
            }
            if !cache.contains_key(list) {
                let call = rpc(
                    "ecs",
                    "DescribePrefixListAttributes",
                    ECS,
                    region,
                    format!("ecs.{region}.aliyuncs.com"),
                    &[("RegionId", region), ("PrefixListId", list)],
                );
                let (v, sha) = self.endpoint.unit_call(ctx, call)?;
                let entries = v["Entries"]["Entry"].as_array().ok_or_else(|| {
                    malformed(
                        "ecs",
                        &format!("prefix list {list}: the answer has no Entries.Entry list"),
                    )
                })?;
                let cidrs = entries
                    .iter()
                    .map(|e| match s(e, "Cidr") {
                        "" => Err(malformed(
                            "ecs",
                            &format!("prefix list {list}: an entry without Cidr"),
                        )),
                        c => Ok(c.to_owned()),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                cache.insert(list.to_owned(), (cidrs, sha));
            }
            let sha = &cache[list].1;
            if !shas.contains(sha) {
                shas.push(sha.clone());
            }
        }
        Ok(shas)
    }

    fn disks(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        match self.ecs_pages(ctx, region, "DescribeDisks", ["Disks", "Disk"], 100) {
            Ok(disks) => {
                for (disk, sha) in disks {
                    ctx.put(region, s(&disk, "DiskId"), &[sha.as_str()], |envelope| {
                        ComputeVolume {
                            envelope,
                            encrypted: truthy(disk.get("Encrypted")),
                            customer_managed_key: Some(!s(&disk, "KMSKeyId").is_empty()),
                            attached: s(&disk, "Status") == "In_use",
                        }
                    });
                }
            }
            Err(err) => ctx.fail("compute.volume", region, "*", &err),
        }
    }

    fn backup_plans(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        let plans = self.pages(
            ctx,
            ("hbr", HBR, format!("hbr.{region}.aliyuncs.com")),
            region,
            "DescribeBackupPlans",
            ["BackupPlans", "BackupPlan"],
            (99, "TotalCount"),
            &[],
        );
        match plans {
            Ok(plans) => {
                for (plan, sha) in &plans {
                    let name = if s(plan, "PlanName").is_empty() {
                        s(plan, "PlanId")
                    } else {
                        s(plan, "PlanName")
                    };
                    // Plans with `Rules` say whether a rule copies backups to another region
                    // (`DoCopy`, `DestinationRegionId`); plans without them (the older shape)
                    // say nothing about copies, which vault replication can make: unknown.
                    let copies = plan.get("Rules").map(|_| {
                        arr(plan, &["Rules", "Rule"])
                            .iter()
                            .filter(|r| flag(r.get("Disabled")) != Some(true))
                            .filter(|r| {
                                flag(r.get("DoCopy")) == Some(true)
                                    || !s(r, "DestinationRegionId").is_empty()
                            })
                            .map(|r| s(r, "DestinationRegionId"))
                            .collect::<Vec<_>>()
                    });
                    let (cross, regions, outside) = match &copies {
                        None => (None, None, None),
                        Some(c) if c.is_empty() => (Some(false), None, None),
                        // A copy whose destination is not named: the regions are unknown.
                        Some(c) if c.iter().any(|r| r.is_empty()) => (Some(true), None, None),
                        Some(c) => {
                            let (regions, outside) = copy_fields(CnProvider::Alibaba, c);
                            (Some(true), Some(regions), outside)
                        }
                    };
                    ctx.put(region, s(plan, "PlanId"), &[sha.as_str()], |envelope| {
                        BackupPlan {
                            envelope,
                            name: name.to_owned(),
                            enabled: !truthy(plan.get("Disabled")),
                            retention_days: count(plan.get("Retention")),
                            keeps_forever: count(plan.get("Retention")).map(|_| false),
                            cross_region_copy: cross,
                            copy_regions: regions,
                            copy_outside_mainland: outside,
                        }
                    });
                }
            }
            Err(err) => ctx.fail("backup.plan", region, "*", &err),
        }
    }

    /// VPC `DescribeVpcs` + `DescribeFlowLogs`: a VPC has flow logs when an `Active` flow log
    /// is attached to the VPC itself (`ResourceType = VPC`); flow logs on single vSwitches or
    /// network interfaces do not cover the whole VPC.
    fn vpcs(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        const KIND: &str = "network.vpc";
        let service = || ("vpc", VPC, format!("vpc.{region}.aliyuncs.com"));
        let vpcs = match self.pages(
            ctx,
            service(),
            region,
            "DescribeVpcs",
            ["Vpcs", "Vpc"],
            (50, "TotalCount"),
            &[],
        ) {
            Ok(v) => v,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        let logs = match self.pages(
            ctx,
            service(),
            region,
            "DescribeFlowLogs",
            ["FlowLogs", "FlowLog"],
            (50, "TotalCount"),
            &[],
        ) {
            Ok(l) => l,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        for (vpc, list_sha) in vpcs {
            let id = s(&vpc, "VpcId").to_owned();
            let enabled = logs.iter().any(|(log, _)| {
                s(log, "ResourceType") == "VPC"
                    && s(log, "ResourceId") == id
                    && s(log, "Status") == "Active"
            });
            // The VPC listing page and every flow-log page (they show which logs exist).
            let mut sources = vec![list_sha];
            for (_, sha) in &logs {
                if !sources.contains(sha) {
                    sources.push(sha.clone());
                }
            }
            let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
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

    /// RDS `DescribeDBInstances`, then per instance `DescribeDBInstanceTDE` (`TDEStatus`),
    /// `DescribeBackupPolicy` (`BackupRetentionPeriod`) and `DescribeDBInstanceNetInfo` (a
    /// connection with `IPType = Public` → public). An instance whose detail call fails gets no
    /// record (an error for it instead): no field is guessed.
    fn databases(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        const KIND: &str = "database.instance";
        let host = "rds.aliyuncs.com".to_owned();
        let instances = match self.pages(
            ctx,
            ("rds", RDS, host.clone()),
            region,
            "DescribeDBInstances",
            ["Items", "DBInstance"],
            // The total is `TotalRecordCount` (RDS has no `TotalCount`).
            (100, "TotalRecordCount"),
            &[],
        ) {
            Ok(i) => i,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        for (db, list_sha) in instances {
            let id = s(&db, "DBInstanceId").to_owned();
            let mut answers = Vec::new();
            for action in [
                "DescribeDBInstanceTDE",
                "DescribeBackupPolicy",
                "DescribeDBInstanceNetInfo",
            ] {
                let call = rpc(
                    "rds",
                    action,
                    RDS,
                    region,
                    host.clone(),
                    &[("RegionId", region), ("DBInstanceId", &id)],
                );
                match self.endpoint.unit_call(ctx, call) {
                    Ok(x) => answers.push(x),
                    Err(err) => {
                        ctx.fail(KIND, region, &id, &err);
                        break;
                    }
                }
            }
            let [(tde, tde_sha), (backup, backup_sha), (net, net_sha)] =
                match <[_; 3]>::try_from(answers) {
                    Ok(a) => a,
                    Err(_) => continue,
                };
            let Some(retention) = count(backup.get("BackupRetentionPeriod")) else {
                ctx.fail(
                    KIND,
                    region,
                    &id,
                    &malformed("rds", "DescribeBackupPolicy has no BackupRetentionPeriod"),
                );
                continue;
            };
            let public = arr(&net, &["DBInstanceNetInfos", "DBInstanceNetInfo"])
                .iter()
                .any(|c| s(c, "IPType") == "Public");
            let sources = [
                list_sha.as_str(),
                tde_sha.as_str(),
                backup_sha.as_str(),
                net_sha.as_str(),
            ];
            ctx.put(region, &id, &sources, |envelope| DatabaseInstance {
                envelope,
                engine: s(&db, "Engine").to_ascii_lowercase(),
                // TDE on → encrypted; TDE off says nothing about cloud-disk encryption,
                // which this call does not report: omitted (not evaluated).
                encrypted: (s(&tde, "TDEStatus") == "Enabled").then_some(true),
                public,
                backup_retention_days: retention,
                // RDS spells the multi-zone flag `MutriORsignle`.
                multi_az: truthy(db.get("MutriORsignle")),
            });
        }
    }

    /// Cloud Config `GetConfigurationRecorder` (account-wide, `cn-shanghai` endpoint):
    /// `ConfigurationRecorderStatus = REGISTERED` → recording. The answer lists the monitored
    /// `ResourceTypes` but not whether they are all the supported ones, so `all_resources` is
    /// omitted (not reported: the recorder-scope rules are not evaluated).
    fn config_recorder(&self, ctx: &mut UnitCtx<'_>) {
        const KIND: &str = "monitoring.config-recorder";
        let call = rpc(
            "config",
            "GetConfigurationRecorder",
            CONFIG,
            "global",
            "config.cn-shanghai.aliyuncs.com".into(),
            &[],
        );
        match self.endpoint.unit_call(ctx, call) {
            Ok((v, sha)) => {
                let r = &v["ConfigurationRecorder"];
                if !r.is_object() {
                    return;
                }
                let id = format!("acs:config::{}:configuration-recorder", ctx.account());
                ctx.put("global", &id, &[sha.as_str()], |envelope| ConfigRecorder {
                    envelope,
                    recording: s(r, "ConfigurationRecorderStatus") == "REGISTERED",
                    all_resources: None,
                });
            }
            Err(err) => ctx.fail(KIND, "global", "*", &err),
        }
    }
}

/// The rules of one `DescribeSecurityGroupAttribute` permission that reach from the whole
/// internet (one per address family), or an error when the permission cannot be read.
///
/// The ECS API reference (AuthorizeSecurityGroup) documents `Priority` 1..=100, a smaller value
/// weighed first, and a drop rule winning over an accept rule of the same priority
/// ([`Tie::DropWins`]). `Policy` is `Accept` (the default, so an empty one accepts) or `Drop`.
/// `PortRange` is `from/to`; `-1/-1` with `IpProtocol` `ALL` (every port) or `ICMP` / `ICMPv6`
/// / `GRE` (no port). A source given as a prefix list (`SourcePrefixListId`) stands for the
/// CIDR blocks of its entries (`prefix_lists`, read by `DescribePrefixListAttributes`): the
/// rule reaches from the whole internet in a family when one of them is `0.0.0.0/0` or `::/0`.
/// A list not read is an error (the group's openness is then unknown).
fn world_rules(
    rule: &Value,
    prefix_lists: &BTreeMap<String, (Vec<String>, String)>,
) -> Result<Vec<ingress::Rule>, String> {
    let direction = s(rule, "Direction");
    if !direction.is_empty() && direction != "ingress" {
        return Ok(Vec::new());
    }
    let id = match s(rule, "SecurityGroupRuleId") {
        "" => format!("{}/{}", s(rule, "IpProtocol"), s(rule, "PortRange")),
        id => id.to_owned(),
    };
    let families = match s(rule, "SourcePrefixListId") {
        "" => ingress::world_families(&[
            (s(rule, "SourceCidrIp"), false),
            (s(rule, "Ipv6SourceCidrIp"), true),
        ]),
        list => {
            let (cidrs, _) = prefix_lists.get(list).ok_or_else(|| {
                format!("rule {id}: its source is prefix list {list}, whose entries were not read")
            })?;
            ingress::set_families(cidrs)
                .map_err(|m| format!("rule {id}: prefix list {list}: {m}"))?
        }
    };
    if families.is_empty() {
        return Ok(Vec::new());
    }
    let accept = match s(rule, "Policy").to_ascii_lowercase().as_str() {
        "" | "accept" => true,
        "drop" => false,
        other => {
            return Err(format!(
                "rule {id}: Policy {other:?} is neither Accept nor Drop"
            ));
        }
    };
    let rank = match rule.get("Priority") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_i64()
                .or_else(|| v.as_str().and_then(|t| t.trim().parse().ok()))
                .ok_or_else(|| format!("rule {id}: Priority {v} is not a number"))?,
        ),
    };
    let range = s(rule, "PortRange");
    let (proto, span) = match s(rule, "IpProtocol").to_ascii_uppercase().as_str() {
        "ALL" => (Proto::Any, Span::All),
        "ICMP" | "ICMPV6" | "GRE" => (Proto::Portless, Span::All),
        p @ ("TCP" | "UDP") => {
            let ports = ingress::port_range(range, '/')
                .ok_or_else(|| format!("rule {id}: PortRange {range:?} is not a port range"))?;
            let proto = if p == "TCP" { Proto::Tcp } else { Proto::Udp };
            (proto, Span::Ranges(vec![ports]))
        }
        other => {
            return Err(format!(
                "rule {id}: IpProtocol {other:?} is not one the API lists"
            ));
        }
    };
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

/// Whether a RAM policy document has an `Allow` statement for every action on every resource
/// (`Action` and `Resource` `*`, as a string or in a list).
fn allows_everything(doc: &Value) -> bool {
    let has_star = |v: &Value| match v {
        Value::String(x) => x == "*",
        Value::Array(a) => a.iter().any(|x| x.as_str() == Some("*")),
        _ => false,
    };
    let statements = match &doc["Statement"] {
        Value::Array(a) => a.clone(),
        v @ Value::Object(_) => vec![v.clone()],
        _ => Vec::new(),
    };
    statements.iter().any(|st| {
        s(st, "Effect") == "Allow" && has_star(&st["Action"]) && has_star(&st["Resource"])
    })
}

/// Whether Security Center's edition detects threats, from `DescribeVersionConfig`.
///
/// `Version` (subscription): 1 Basic (free: no threat detection), 3 Enterprise, 5 Advanced,
/// 6 Anti-virus, 7 Ultimate, 8 Multi-version, 10 value-added services only (no threat
/// detection). Pay-as-you-go protection shows in `IsPostpay` with `PostPayHostVersion`
/// (same codes), and the edition in force in `MergedVersion` when reported. An edition code
/// outside this list is not guessed: an error.
fn sas_threat_detection(v: &Value) -> Result<bool, String> {
    let detects = |code: i64| -> Result<bool, String> {
        match code {
            3 | 5 | 6 | 7 | 8 => Ok(true),
            1 | 10 => Ok(false),
            other => Err(format!(
                "DescribeVersionConfig: unknown edition code {other}"
            )),
        }
    };
    let postpay = flag(v.get("IsPostpay")) == Some(true);
    if postpay {
        if let Some(code) = int(v.get("PostPayHostVersion")) {
            if detects(code)? {
                return Ok(true);
            }
        }
    }
    let code = int(v.get("MergedVersion"))
        .filter(|c| *c != 0)
        .or_else(|| int(v.get("Version")))
        .ok_or_else(|| "DescribeVersionConfig has no Version".to_owned())?;
    detects(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn security_center_editions_are_read_from_the_sdk_codes() {
        let v = |x: Value| sas_threat_detection(&x);
        assert_eq!(v(json!({"Version": 1})), Ok(false));
        assert_eq!(v(json!({"Version": 10})), Ok(false));
        for paid in [3, 5, 6, 7, 8] {
            assert_eq!(v(json!({"Version": paid})), Ok(true), "{paid}");
        }
        // Pay-as-you-go protection on a free subscription edition.
        assert_eq!(
            v(json!({"Version": 1, "IsPostpay": true, "PostPayHostVersion": 5})),
            Ok(true)
        );
        // The edition in force (`MergedVersion`) wins over the subscription `Version`.
        assert_eq!(v(json!({"Version": 1, "MergedVersion": 7})), Ok(true));
        // Version 2 was read as "enabled" (`> 1`); it is not an edition code: an error.
        assert!(v(json!({"Version": 2})).is_err());
        assert!(v(json!({})).is_err());
    }

    #[test]
    fn a_prefix_list_source_stands_for_its_entries() {
        let lists: BTreeMap<String, (Vec<String>, String)> = [
            ("pl-w", vec!["10.0.0.0/8", "::/0"]),
            ("pl-n", vec!["203.0.113.0/24"]),
        ]
        .into_iter()
        .map(|(id, c)| {
            let cidrs = c.into_iter().map(str::to_owned).collect();
            (id.to_owned(), (cidrs, "sha".to_owned()))
        })
        .collect();
        let rule = |list: &str| {
            json!({"IpProtocol": "TCP", "PortRange": "22/22", "SourcePrefixListId": list,
                   "Policy": "Accept", "Priority": "1"})
        };
        // `::/0` in the list: from the whole IPv6 internet only.
        let w = world_rules(&rule("pl-w"), &lists).unwrap();
        assert_eq!(w.len(), 1);
        assert!(w[0].v6 && w[0].accept);
        assert!(world_rules(&rule("pl-n"), &lists).unwrap().is_empty());
        // A list not read: unknown, never "not from the world".
        assert!(world_rules(&rule("pl-x"), &lists).is_err());
    }

    #[test]
    fn a_custom_policy_with_every_action_on_every_resource_is_full_access() {
        let p = |x: Value| allows_everything(&x);
        assert!(p(
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        ));
        assert!(p(
            json!({"Statement": {"Effect": "Allow", "Action": ["ecs:*", "*"], "Resource": ["*"]}})
        ));
        assert!(!p(
            json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
        ));
        assert!(!p(
            json!({"Statement": [{"Effect": "Allow", "Action": "oss:*", "Resource": "*"}]})
        ));
        assert!(!p(
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "acs:oss:*:*:b"}]})
        ));
    }
}
