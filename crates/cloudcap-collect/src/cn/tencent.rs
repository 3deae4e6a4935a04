//! Tencent Cloud collector: API 3.0 (`TC3-HMAC-SHA256`, POST JSON) calls to STS, CVM, CAM,
//! CloudAudit, KMS, VPC, CBS, CDB and Cloud Workload Protection, mapped into the normalized kinds.
//!
//! Gaps (`unsupported`): the sub-account password policy (no read API found in CAM 2019-01-16)
//! and the configuration recorder (none found in Tencent Cloud Config);
//! see `docs/collectors.md`. COS buckets (own endpoints and signature) are collected by
//! [`crate::cn::objstore`].

use serde_json::{Value, json};

use crate::allow::AllowList;
use crate::cn::call::Call;
use crate::cn::sign_tencent::Tc3Signer;
use crate::cn::{
    CnConfig, Discovery, Endpoint, Send, WorldOpen, arr, fields, flag, int, is_world,
    normalize_time_cst, s, truthy, unit, unsupported,
};
use crate::http::{CallError, HttpClient};
use crate::runner::{Collector, Unit, UnitCtx};

/// The read-only actions this collector may call.
pub fn allow_list() -> AllowList {
    AllowList::new(
        "tencent",
        &[
            ("sts", "GetCallerIdentity"),
            ("cvm", "DescribeRegions"),
            ("cam", "ListUsers"),
            ("cam", "DescribeSafeAuthFlagColl"),
            ("cam", "ListAttachedUserAllPolicies"),
            ("cam", "ListAccessKeys"),
            ("cloudaudit", "DescribeAuditTracks"),
            ("kms", "ListKeys"),
            ("kms", "DescribeKeys"),
            ("vpc", "DescribeSecurityGroups"),
            ("vpc", "DescribeSecurityGroupPolicies"),
            ("cbs", "DescribeDisks"),
            ("cbs", "DescribeAutoSnapshotPolicies"),
            ("cwp", "DescribeMachines"),
            ("vpc", "DescribeVpcs"),
            ("vpc", "DescribeFlowLogs"),
            ("cdb", "DescribeDBInstances"),
            ("cdb", "DescribeDBEncryptAttributes"),
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

pub(crate) fn discover(endpoint: &Endpoint, send: &mut Send<'_>) -> Result<Discovery, CallError> {
    let (identity, _) =
        endpoint.call(send, api("sts", "GetCallerIdentity", "global", json!({})))?;
    let mut discovery = Discovery {
        account: s(&identity["Response"], "AccountId").to_owned(),
        ..Discovery::default()
    };
    match endpoint.call(send, api("cvm", "DescribeRegions", "global", json!({}))) {
        Ok((v, sha)) => {
            discovery.regions_source = sha;
            discovery.listed = arr(&v, &["Response", "RegionSet"])
                .iter()
                .map(|r| s(r, "Region").to_owned())
                .collect();
        }
        Err(err) => discovery.regions_error = Some(err),
    }
    Ok(discovery)
}

/// Units: CAM and CloudAudit account-wide, the rest per region.
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
}

impl Collector for TencentCollector {
    fn provider(&self) -> &'static str {
        "tencent"
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
            "kms" => self.kms(ctx, region),
            "vpc" => {
                self.security_groups(ctx, region);
                self.vpcs(ctx, region);
            }
            "cdb" => self.databases(ctx, region),
            "config" => ctx.fail(
                "monitoring.config-recorder",
                "global",
                "*",
                &unsupported(
                    "config",
                    "no read API for a configuration recorder's status and scope found in Tencent Cloud Config",
                ),
            ),
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
    fn cam(&self, ctx: &mut UnitCtx<'_>) {
        ctx.fail(
            "identity.password-policy",
            "global",
            "*",
            &unsupported(
                "cam",
                "CAM 2019-01-16 has no read API for the sub-account password policy",
            ),
        );
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
            let mut sources = vec![list_sha.clone()];
            let mfa = match self.call(
                ctx,
                api(
                    "cam",
                    "DescribeSafeAuthFlagColl",
                    "global",
                    json!({"SubUin": uin}),
                ),
            ) {
                Ok((v, sha)) => {
                    sources.push(sha);
                    let flag = &v["LoginFlag"];
                    ["Token", "Stoken", "U2FToken"]
                        .iter()
                        .any(|k| int(flag.get(*k)) == Some(1))
                }
                Err(err) => {
                    ctx.fail("identity.user", "global", &name, &err);
                    self.access_keys(ctx, &name, uin);
                    continue;
                }
            };
            let payload = json!({"TargetUin": uin, "Rp": 200, "Page": 1, "AttachType": 0});
            let privileged = match self.call(
                ctx,
                api("cam", "ListAttachedUserAllPolicies", "global", payload),
            ) {
                Ok((v, sha)) => {
                    sources.push(sha);
                    arr(&v, &["PolicyList"])
                        .iter()
                        .any(|p| s(p, "PolicyName") == "AdministratorAccess")
                }
                Err(err) => {
                    ctx.fail("identity.user", "global", &name, &err);
                    self.access_keys(ctx, &name, uin);
                    continue;
                }
            };
            let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
            ctx.record(
                "identity.user",
                "global",
                &format!("qcs::cam::uin/{account}:uin/{uin}"),
                fields(json!({
                    "name": name,
                    "root": false,
                    "console_access": int(user.get("ConsoleLogin")) == Some(1),
                    "mfa_enabled": mfa,
                    "privileged": privileged,
                    "created_at": user.get("CreateTime").and_then(normalize_time_cst),
                })),
                &sources,
            );
            self.access_keys(ctx, &name, uin);
        }
    }

    fn access_keys(&self, ctx: &mut UnitCtx<'_>, name: &str, uin: i64) {
        match self.call(
            ctx,
            api("cam", "ListAccessKeys", "global", json!({"TargetUin": uin})),
        ) {
            Ok((v, sha)) => {
                for key in arr(&v, &["AccessKeys"]) {
                    ctx.record(
                        "identity.access-key",
                        "global",
                        s(key, "AccessKeyId"),
                        fields(json!({
                            "user": name,
                            "root": false,
                            "active": s(key, "Status") == "Active",
                            "created_at": key.get("CreateTime").and_then(normalize_time_cst),
                        })),
                        &[sha.as_str()],
                    );
                }
            }
            Err(err) => ctx.fail("identity.access-key", "global", name, &err),
        }
    }

    fn cloudaudit(&self, ctx: &mut UnitCtx<'_>) {
        let payload = json!({"PageNumber": 1, "PageSize": 50});
        match self.call(
            ctx,
            api("cloudaudit", "DescribeAuditTracks", "global", payload),
        ) {
            Ok((v, sha)) => {
                for track in arr(&v, &["Tracks"]) {
                    let action = s(track, "ActionType");
                    let id = match track.get("TrackId") {
                        Some(Value::Number(n)) => n.to_string(),
                        Some(Value::String(t)) => t.clone(),
                        _ => s(track, "Name").to_owned(),
                    };
                    ctx.record(
                        "audit.trail",
                        "global",
                        &id,
                        fields(json!({
                            "name": s(track, "Name"),
                            "enabled": int(track.get("Status")) == Some(1),
                            // Tracks record every region of the account. Log-file integrity,
                            // encryption and retention are not reported: omitted.
                            "multi_region": true,
                            "management_events": action == "*" || action == "Write",
                        })),
                        &[sha.as_str()],
                    );
                }
            }
            Err(err) => ctx.fail("audit.trail", "global", "*", &err),
        }
    }

    fn kms(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        let (list, list_sha) = match self.call(
            ctx,
            api(
                "kms",
                "ListKeys",
                region,
                json!({"Offset": 0, "Limit": 200}),
            ),
        ) {
            Ok(x) => x,
            Err(err) => return ctx.fail("crypto.key", region, "*", &err),
        };
        let ids: Vec<String> = arr(&list, &["Keys"])
            .iter()
            .map(|k| s(k, "KeyId").to_owned())
            .collect();
        if ids.is_empty() {
            return;
        }
        match self.call(
            ctx,
            api("kms", "DescribeKeys", region, json!({"KeyIds": ids})),
        ) {
            Ok((v, sha)) => {
                for key in arr(&v, &["KeyMetadatas"]) {
                    let origin = if s(key, "Origin") == "EXTERNAL" {
                        "external"
                    } else if !s(key, "HsmClusterId").is_empty() {
                        "hsm"
                    } else {
                        "provider"
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
                    let rotation =
                        (customer && enabled && origin == "provider" && symmetric == Some(true))
                            .then(|| flag(key.get("KeyRotationEnabled")))
                            .flatten();
                    ctx.record(
                        "crypto.key",
                        region,
                        s(key, "KeyId"),
                        fields(json!({
                            "customer_managed": customer,
                            "enabled": enabled,
                            "rotation_enabled": rotation,
                            "origin": origin,
                            "symmetric": symmetric,
                        })),
                        &[list_sha.as_str(), sha.as_str()],
                    );
                }
            }
            Err(err) => ctx.fail("crypto.key", region, "*", &err),
        }
    }

    fn security_groups(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        const KIND: &str = "network.security-group";
        let payload = json!({"Offset": "0", "Limit": "100"});
        let (list, list_sha) =
            match self.call(ctx, api("vpc", "DescribeSecurityGroups", region, payload)) {
                Ok(x) => x,
                Err(err) => return ctx.fail(KIND, region, "*", &err),
            };
        for group in arr(&list, &["SecurityGroupSet"]) {
            let id = s(group, "SecurityGroupId").to_owned();
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
            let mut open = WorldOpen::default();
            for rule in arr(&policies, &["SecurityGroupPolicySet", "Ingress"]) {
                let world = is_world(s(rule, "CidrBlock")) || is_world(s(rule, "Ipv6CidrBlock"));
                if !world || !s(rule, "Action").eq_ignore_ascii_case("accept") {
                    continue;
                }
                world_open_ingress(&mut open, s(rule, "Protocol"), s(rule, "Port"));
            }
            let (ports, all) = open.fields();
            ctx.record(
                KIND,
                region,
                &id,
                fields(json!({
                    "name": s(group, "SecurityGroupName"),
                    "world_open_ports": ports,
                    "world_open_all": all,
                })),
                &[list_sha.as_str(), sha.as_str()],
            );
        }
    }

    fn disks(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        match self.call(
            ctx,
            api(
                "cbs",
                "DescribeDisks",
                region,
                json!({"Offset": 0, "Limit": 100}),
            ),
        ) {
            Ok((v, sha)) => {
                for disk in arr(&v, &["DiskSet"]) {
                    ctx.record(
                        "compute.volume",
                        region,
                        s(disk, "DiskId"),
                        fields(json!({
                            "encrypted": truthy(disk.get("Encrypt")),
                            "customer_managed_key": !s(disk, "KmsKeyId").is_empty(),
                            "attached": truthy(disk.get("Attached")),
                        })),
                        &[sha.as_str()],
                    );
                }
            }
            Err(err) => ctx.fail("compute.volume", region, "*", &err),
        }
    }

    fn snapshot_policies(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        let payload = json!({"Offset": 0, "Limit": 100});
        match self.call(
            ctx,
            api("cbs", "DescribeAutoSnapshotPolicies", region, payload),
        ) {
            Ok((v, sha)) => {
                for policy in arr(&v, &["AutoSnapshotPolicySet"]) {
                    let retention = if truthy(policy.get("IsPermanent")) {
                        None
                    } else {
                        int(policy.get("RetentionDays"))
                    };
                    ctx.record(
                        "backup.plan",
                        region,
                        s(policy, "AutoSnapshotPolicyId"),
                        fields(json!({
                            "name": s(policy, "AutoSnapshotPolicyName"),
                            "enabled": truthy(policy.get("IsActivated")) && s(policy, "AutoSnapshotPolicyState") != "ISOLATED",
                            "retention_days": retention,
                            // Auto-snapshot policies do not report cross-region copies: omitted.
                        })),
                        &[sha.as_str()],
                    );
                }
            }
            Err(err) => ctx.fail("backup.plan", region, "*", &err),
        }
    }

    fn cwp(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        let payload =
            json!({"MachineType": "CVM", "MachineRegion": region, "Limit": 100, "Offset": 0});
        match self.call(ctx, api("cwp", "DescribeMachines", region, payload)) {
            Ok((v, sha)) => {
                let machines = arr(&v, &["Machines"]);
                let enabled = !machines.is_empty()
                    && machines.iter().all(|m| s(m, "MachineStatus") == "ONLINE");
                ctx.record(
                    "monitoring.threat-detection",
                    region,
                    &format!("cwp/{region}"),
                    fields(json!({"service": "Cloud Workload Protection", "enabled": enabled})),
                    &[sha.as_str()],
                );
            }
            Err(err) => ctx.fail("monitoring.threat-detection", region, "*", &err),
        }
    }

    /// Pages an `Offset`/`Limit` listing (100 per page, `TotalCount` or `total_field`);
    /// returns `(item, digest of its page)`. `string_paging`: VPC `DescribeVpcs` types both
    /// as String.
    #[allow(clippy::too_many_arguments)]
    fn pages(
        &self,
        ctx: &mut UnitCtx<'_>,
        service: &'static str,
        action: &'static str,
        region: &str,
        items_key: &str,
        total_key: &str,
        string_paging: bool,
    ) -> Result<Vec<(Value, String)>, CallError> {
        let mut items = Vec::new();
        let mut offset = 0i64;
        loop {
            let payload = if string_paging {
                json!({"Offset": offset.to_string(), "Limit": "100"})
            } else {
                json!({"Offset": offset, "Limit": 100})
            };
            let (v, sha) = self.call(ctx, api(service, action, region, payload))?;
            let got = arr(&v, &[items_key]);
            items.extend(got.iter().map(|i| (i.clone(), sha.clone())));
            offset += got.len() as i64;
            if got.is_empty() || offset >= int(v.get(total_key)).unwrap_or(0) {
                return Ok(items);
            }
        }
    }

    /// VPC `DescribeVpcs` + `DescribeFlowLogs`: a VPC has flow logs when a flow log on the VPC
    /// itself (`ResourceType = VPC`, `ResourceId` = the VPC) has `Enable = true`.
    fn vpcs(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        const KIND: &str = "network.vpc";
        let vpcs = match self.pages(
            ctx,
            "vpc",
            "DescribeVpcs",
            region,
            "VpcSet",
            "TotalCount",
            true,
        ) {
            Ok(v) => v,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        let logs = match self.pages(
            ctx,
            "vpc",
            "DescribeFlowLogs",
            region,
            "FlowLog",
            "TotalNum",
            false,
        ) {
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
            let mut sources = vec![list_sha];
            for (_, sha) in &logs {
                if !sources.contains(sha) {
                    sources.push(sha.clone());
                }
            }
            let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
            ctx.record(
                KIND,
                region,
                &id,
                fields(json!({
                    "name": Some(s(&vpc, "VpcName")).filter(|n| !n.is_empty()),
                    "default": truthy(vpc.get("IsDefault")),
                    "flow_log_enabled": enabled,
                })),
                &sources,
            );
        }
    }

    /// TencentDB for MySQL (CDB) `DescribeDBInstances` (`WanStatus = 1` → public, `DeployMode
    /// = 1` → multi-AZ), per instance `DescribeDBEncryptAttributes` (`EncryptStatus = on`) and
    /// `DescribeBackupConfig` (`BackupExpireDays`). An instance whose detail call fails gets no
    /// record.
    fn databases(&self, ctx: &mut UnitCtx<'_>, region: &str) {
        const KIND: &str = "database.instance";
        let instances = match self.pages(
            ctx,
            "cdb",
            "DescribeDBInstances",
            region,
            "Items",
            "TotalCount",
            false,
        ) {
            Ok(i) => i,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        for (db, list_sha) in instances {
            let id = s(&db, "InstanceId").to_owned();
            let enc = self.call(
                ctx,
                api(
                    "cdb",
                    "DescribeDBEncryptAttributes",
                    region,
                    json!({"InstanceId": id}),
                ),
            );
            let (enc, enc_sha) = match enc {
                Ok(x) => x,
                Err(err) => {
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            let backup = self.call(
                ctx,
                api(
                    "cdb",
                    "DescribeBackupConfig",
                    region,
                    json!({"InstanceId": id}),
                ),
            );
            let (backup, backup_sha) = match backup {
                Ok(x) => x,
                Err(err) => {
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            let Some(retention) = int(backup.get("BackupExpireDays")) else {
                ctx.fail(
                    KIND,
                    region,
                    &id,
                    &crate::cn::malformed("cdb", "DescribeBackupConfig has no BackupExpireDays"),
                );
                continue;
            };
            ctx.record(
                KIND,
                region,
                &id,
                fields(json!({
                    // CDB is TencentDB for MySQL.
                    "engine": "mysql",
                    "encrypted": s(&enc, "EncryptStatus") == "on",
                    "public": int(db.get("WanStatus")) == Some(1),
                    "backup_retention_days": retention,
                    "multi_az": int(db.get("DeployMode")) == Some(1),
                })),
                &[list_sha.as_str(), enc_sha.as_str(), backup_sha.as_str()],
            );
        }
    }
}

/// Adds what one world-reachable accepting ingress rule opens. The SDK documents `Port` as
/// `all` (lower case), a port, a list (`80,443`) or a range (`3389-3390`); the protocol as
/// `TCP`, `UDP`, `ICMP`, `ICMPv6`, `GRE` or `ALL`, in any case.
fn world_open_ingress(open: &mut WorldOpen, protocol: &str, port: &str) {
    let protocol = protocol.trim().to_ascii_uppercase();
    let port = port.trim();
    if protocol == "ALL"
        || ((protocol == "TCP" || protocol == "UDP")
            && (port.eq_ignore_ascii_case("all") || port.is_empty()))
    {
        open.all();
    } else if protocol == "TCP" || protocol == "UDP" {
        for part in port.split(',') {
            let (from, to) = part
                .trim()
                .split_once('-')
                .unwrap_or((part.trim(), part.trim()));
            if let (Ok(from), Ok(to)) = (from.trim().parse(), to.trim().parse()) {
                open.add_range(from, to);
            }
        }
    }
}

#[cfg(test)]
mod ingress_tests {
    use super::*;

    fn open(rules: &[(&str, &str)]) -> (Value, Value) {
        let mut o = WorldOpen::default();
        for (protocol, port) in rules {
            world_open_ingress(&mut o, protocol, port);
        }
        o.fields()
    }

    #[test]
    fn lower_case_all_port_opens_every_port() {
        // The SDK's documented spelling; it used to be compared with "ALL" and read as nothing.
        assert_eq!(open(&[("TCP", "all")]).1, json!(true));
        assert_eq!(open(&[("tcp", "ALL")]).1, json!(true));
        assert_eq!(open(&[("ALL", "")]).1, json!(true));
    }

    #[test]
    fn ports_lists_and_ranges() {
        let (ports, all) = open(&[("TCP", "22"), ("UDP", "80, 443"), ("TCP", "3389-3390")]);
        assert_eq!(ports, json!([22, 80, 443, 3389, 3390]));
        assert_eq!(all, json!(false));
        assert_eq!(open(&[("ICMP", "all")]), (json!([]), json!(false)));
    }
}
