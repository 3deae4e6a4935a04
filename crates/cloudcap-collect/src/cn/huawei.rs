//! Huawei Cloud collector: APIG-signed (`SDK-HMAC-SHA256`) calls to IAM, CTS, KMS, VPC, EVS,
//! CBR, HSS, RDS and RMS, mapped into the normalized kinds.
//!
//! Project-scoped APIs put `{project_id}` in the path: discovery maps each region to the project
//! of the same name (`GET /v3/auth/projects`). OBS buckets (own endpoints and signature) are
//! collected by [`crate::cn::objstore`].

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::allow::AllowList;
use crate::cn::call::Call;
use crate::cn::sign_huawei::ApigSigner;
use crate::cn::{
    CnConfig, CnProvider, Discovery, Endpoint, Send, WorldOpen, arr, copy_fields, fields, flag,
    int, is_world, normalize_time, s, truthy, unit, unsupported,
};
use crate::http::{CallError, HttpClient};
use crate::runner::{Collector, Unit, UnitCtx};

const IAM_HOST: &str = "iam.myhuaweicloud.com";

/// The read-only actions this collector may call.
pub fn allow_list() -> AllowList {
    AllowList::new(
        "huawei",
        &[
            ("iam", "KeystoneListAuthDomains"),
            ("iam", "KeystoneListAuthProjects"),
            ("iam", "KeystoneListRegions"),
            ("iam", "ShowDomainPasswordPolicy"),
            ("iam", "ShowDomainLoginPolicy"),
            ("iam", "KeystoneListUsers"),
            ("iam", "ShowUser"),
            ("iam", "KeystoneListGroupsForUser"),
            ("iam", "ListUserMfaDevices"),
            ("iam", "ListPermanentAccessKeys"),
            ("cts", "ListTrackers"),
            ("kms", "ListKeys"),
            ("kms", "ShowKeyRotationStatus"),
            ("vpc", "ListSecurityGroups"),
            ("vpc", "ListSecurityGroupRules"),
            ("evs", "ListVolumes"),
            ("cbr", "ListPolicies"),
            ("hss", "ListHostStatus"),
            ("vpc", "ListVpcs"),
            ("vpc", "ListFlowLogs"),
            ("rds", "ListInstances"),
            ("rms", "ShowTrackerConfig"),
        ],
    )
}

pub(crate) fn client(config: &CnConfig) -> Result<HttpClient, String> {
    HttpClient::new(
        config.http.clone(),
        allow_list(),
        Box::new(ApigSigner::new(config.credentials.clone())),
    )
}

fn get(
    service: &'static str,
    action: &'static str,
    region: &str,
    host: String,
    path: String,
    query: &[(&str, &str)],
) -> Call {
    let mut call = Call::new(service, action, region, host);
    call.path = path;
    call.query = query
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    call
}

fn post(
    service: &'static str,
    action: &'static str,
    region: &str,
    host: String,
    path: String,
    body: Value,
) -> Call {
    let mut call = Call::new(service, action, region, host);
    call.method = reqwest::Method::POST;
    call.path = path;
    call.headers = vec![(
        "Content-Type".into(),
        "application/json;charset=UTF-8".into(),
    )];
    call.body = serde_json::to_vec(&body).unwrap_or_default();
    call
}

fn iam(action: &'static str, path: String, query: &[(&str, &str)]) -> Call {
    get("iam", action, "global", IAM_HOST.to_owned(), path, query)
}

pub(crate) fn discover(endpoint: &Endpoint, send: &mut Send<'_>) -> Result<Discovery, CallError> {
    let (domains, _) = endpoint.call(
        send,
        iam("KeystoneListAuthDomains", "/v3/auth/domains".into(), &[]),
    )?;
    let account = arr(&domains, &["domains"])
        .first()
        .map(|d| s(d, "id").to_owned())
        .unwrap_or_default();
    let mut discovery = Discovery {
        account,
        ..Discovery::default()
    };
    let (projects, _) = endpoint.call(
        send,
        iam("KeystoneListAuthProjects", "/v3/auth/projects".into(), &[]),
    )?;
    for project in arr(&projects, &["projects"]) {
        discovery
            .projects
            .insert(s(project, "name").to_owned(), s(project, "id").to_owned());
    }
    match endpoint.call(send, iam("KeystoneListRegions", "/v3/regions".into(), &[])) {
        Ok((v, sha)) => {
            discovery.regions_source = sha;
            // Regions the account has a project in (projects are named after their region).
            discovery.listed = arr(&v, &["regions"])
                .iter()
                .map(|r| s(r, "id").to_owned())
                .filter(|r| discovery.projects.contains_key(r))
                .collect();
        }
        Err(err) => discovery.regions_error = Some(err),
    }
    Ok(discovery)
}

/// Units: IAM account-wide, the rest per region (project).
pub(crate) struct HuaweiCollector {
    endpoint: Endpoint,
    regions: Vec<String>,
    projects: BTreeMap<String, String>,
}

impl HuaweiCollector {
    pub(crate) fn new(endpoint: Endpoint, discovery: &Discovery) -> HuaweiCollector {
        HuaweiCollector {
            endpoint,
            regions: discovery.regions.clone(),
            projects: discovery.projects.clone(),
        }
    }
}

const REGIONAL: &[(&str, &[&str])] = &[
    ("cts", &["audit.trail"]),
    ("kms", &["crypto.key"]),
    ("vpc", &["network.security-group", "network.vpc"]),
    ("rds", &["database.instance"]),
    ("evs", &["compute.volume"]),
    ("cbr", &["backup.plan"]),
    ("hss", &["monitoring.threat-detection"]),
];

impl Collector for HuaweiCollector {
    fn provider(&self) -> &'static str {
        "huawei"
    }

    fn units(&self) -> Vec<Unit> {
        let mut units = vec![
            unit(
                "iam",
                "global",
                &[
                    "identity.password-policy",
                    "identity.user",
                    "identity.access-key",
                ],
            ),
            unit("rms", "global", &["monitoring.config-recorder"]),
        ];
        for region in &self.regions {
            for (service, kinds) in REGIONAL {
                units.push(unit(service, region, kinds));
            }
        }
        units
    }

    fn collect(&self, unit: &Unit, ctx: &mut UnitCtx<'_>) {
        let region = unit.region.as_str();
        if unit.service == "iam" {
            return self.iam(ctx);
        }
        if unit.service == "rms" {
            return self.tracker_config(ctx);
        }
        let Some(project) = self.projects.get(region).cloned() else {
            for kind in unit.scopes.iter().map(|(k, _)| *k) {
                ctx.fail(
                    kind,
                    region,
                    "*",
                    &unsupported(unit.service, &format!("no IAM project named {region}")),
                );
            }
            return;
        };
        let host = format!("{}.{region}.myhuaweicloud.com", unit.service);
        match unit.service {
            "cts" => self.trackers(ctx, region, &host, &project),
            "kms" => self.keys(ctx, region, &host, &project),
            "vpc" => {
                self.security_groups(ctx, region, &host, &project);
                self.vpcs(ctx, region, &host, &project);
            }
            "rds" => self.databases(ctx, region, &host, &project),
            "evs" => self.volumes(ctx, region, &host, &project),
            "cbr" => self.policies(ctx, region, &host, &project),
            "hss" => self.hss(ctx, region, &host, &project),
            _ => {}
        }
    }
}

impl HuaweiCollector {
    fn iam(&self, ctx: &mut UnitCtx<'_>) {
        let domain = ctx.account().to_owned();
        let policy_path = format!("/v3.0/OS-SECURITYPOLICY/domains/{domain}/password-policy");
        let login_path = format!("/v3.0/OS-SECURITYPOLICY/domains/{domain}/login-policy");
        let policy = self
            .endpoint
            .unit_call(ctx, iam("ShowDomainPasswordPolicy", policy_path, &[]));
        let login = self
            .endpoint
            .unit_call(ctx, iam("ShowDomainLoginPolicy", login_path, &[]));
        match (policy, login) {
            (Ok((p, sha)), Ok((l, login_sha))) => {
                let p = &p["password_policy"];
                ctx.record(
                    "identity.password-policy",
                    "global",
                    &format!("{domain}/password-policy"),
                    fields(json!({
                        "configured": p.is_object(),
                        "min_length": int(p.get("minimum_password_length")),
                        // Huawei sets how many character types a password mixes (2–4), not
                        // which ones: `min_char_classes`, and no `require_*`.
                        "min_char_classes": int(p.get("password_char_combination")),
                        // 0 = never expires / no lockout: reported facts, kept.
                        "max_age_days": int(p.get("password_validity_period")),
                        "reuse_prevention": int(p.get("number_of_recent_passwords_disallowed")),
                        "max_login_attempts": int(l["login_policy"].get("login_failed_times")),
                    })),
                    &[sha.as_str(), login_sha.as_str()],
                );
            }
            (Err(err), _) | (_, Err(err)) => {
                ctx.fail("identity.password-policy", "global", "*", &err)
            }
        }

        let (users, list_sha) = match self.endpoint.unit_call(
            ctx,
            iam(
                "KeystoneListUsers",
                "/v3/users".into(),
                &[("domain_id", &domain)],
            ),
        ) {
            Ok(x) => x,
            Err(err) => {
                ctx.fail("identity.user", "global", "*", &err);
                ctx.fail("identity.access-key", "global", "*", &err);
                return;
            }
        };
        let mfa = match self.endpoint.unit_call(
            ctx,
            iam(
                "ListUserMfaDevices",
                "/v3.0/OS-MFA/virtual-mfa-devices".into(),
                &[],
            ),
        ) {
            Ok((v, sha)) => Some((
                arr(&v, &["virtual_mfa_devices"])
                    .iter()
                    .map(|d| s(d, "user_id").to_owned())
                    .collect::<Vec<_>>(),
                sha,
            )),
            Err(err) => {
                ctx.fail("identity.user", "global", "*", &err);
                None
            }
        };
        for user in arr(&users, &["users"]) {
            let id = s(user, "id").to_owned();
            let name = s(user, "name").to_owned();
            let detail = self.endpoint.unit_call(
                ctx,
                iam("ShowUser", format!("/v3.0/OS-USER/users/{id}"), &[]),
            );
            let groups = self.endpoint.unit_call(
                ctx,
                iam(
                    "KeystoneListGroupsForUser",
                    format!("/v3/users/{id}/groups"),
                    &[],
                ),
            );
            let mut root = false;
            match (detail, groups, &mfa) {
                (Ok((d, detail_sha)), Ok((g, groups_sha)), Some((mfa_users, mfa_sha))) => {
                    let d = &d["user"];
                    root = truthy(d.get("is_domain_owner"));
                    ctx.record(
                        "identity.user",
                        "global",
                        &id,
                        fields(json!({
                            "name": name,
                            "root": root,
                            "console_access": s(d, "access_mode") != "programmatic",
                            "mfa_enabled": mfa_users.contains(&id),
                            // Members of the built-in `admin` group hold every permission.
                            "privileged": root || arr(&g, &["groups"]).iter().any(|g| s(g, "name") == "admin"),
                            "created_at": d.get("create_time").and_then(normalize_time),
                            "last_login_at": d.get("last_login_time").and_then(normalize_time),
                        })),
                        &[list_sha.as_str(), detail_sha.as_str(), groups_sha.as_str(), mfa_sha.as_str()],
                    );
                }
                (Err(err), _, _) | (_, Err(err), _) => {
                    ctx.fail("identity.user", "global", &name, &err)
                }
                _ => {}
            }
            let keys = iam(
                "ListPermanentAccessKeys",
                "/v3.0/OS-CREDENTIAL/credentials".into(),
                &[("user_id", &id)],
            );
            match self.endpoint.unit_call(ctx, keys) {
                Ok((v, sha)) => {
                    for key in arr(&v, &["credentials"]) {
                        ctx.record(
                            "identity.access-key",
                            "global",
                            s(key, "access"),
                            fields(json!({
                                "user": name,
                                "root": root,
                                "active": s(key, "status") == "active",
                                // ListPermanentAccessKeys does not report the last use
                                // (`last_used_at` / `never_used` omitted: not evaluated).
                                "created_at": key.get("create_time").and_then(normalize_time),
                            })),
                            &[sha.as_str()],
                        );
                    }
                }
                Err(err) => ctx.fail("identity.access-key", "global", &name, &err),
            }
        }
    }

    fn trackers(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        let call = get(
            "cts",
            "ListTrackers",
            region,
            host.to_owned(),
            format!("/v3/{project}/trackers"),
            &[],
        );
        match self.endpoint.unit_call(ctx, call) {
            Ok((v, sha)) => {
                for t in arr(&v, &["trackers"]) {
                    let retention = int(t["obs_info"].get("bucket_lifecycle")).filter(|n| *n > 0);
                    ctx.record(
                        "audit.trail",
                        region,
                        s(t, "id"),
                        fields(json!({
                            "name": s(t, "tracker_name"),
                            "enabled": s(t, "status") == "enabled",
                            // CTS trackers are regional.
                            "multi_region": false,
                            "log_file_validation": flag(t.get("is_support_validate")),
                            "encrypted": flag(t.get("is_support_trace_files_encryption")).map(|on| on && !s(t, "kms_id").is_empty()),
                            "management_events": s(t, "tracker_type") == "system",
                            "retention_days": retention,
                        })),
                        &[sha.as_str()],
                    );
                }
            }
            Err(err) => ctx.fail("audit.trail", region, "*", &err),
        }
    }

    fn keys(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        let call = post(
            "kms",
            "ListKeys",
            region,
            host.to_owned(),
            format!("/v1.0/{project}/kms/list-keys"),
            json!({"limit": "100"}),
        );
        let (v, list_sha) = match self.endpoint.unit_call(ctx, call) {
            Ok(x) => x,
            Err(err) => return ctx.fail("crypto.key", region, "*", &err),
        };
        for key in arr(&v, &["key_details"]) {
            let key_id = s(key, "key_id").to_owned();
            let customer_managed = s(key, "default_key_flag") != "1";
            let origin = if s(key, "origin") == "external" {
                "external"
            } else {
                "provider"
            };
            // key_spec: AES_256 and SM4 are symmetric; RSA_*, EC_*, SM2 are not.
            let symmetric = match s(key, "key_spec") {
                "AES_256" | "SM4" => Some(true),
                "" => None,
                _ => Some(false),
            };
            // key_state: 1 pending creation, 2 enabled, 3 disabled, 4 pending deletion.
            let enabled = s(key, "key_state") == "2";
            let mut sources = vec![list_sha.clone()];
            // Rotation only for the keys that can rotate: enabled, symmetric, KMS-generated
            // customer keys (default keys are the services').
            let rotation =
                if customer_managed && enabled && origin == "provider" && symmetric == Some(true) {
                    let call = post(
                        "kms",
                        "ShowKeyRotationStatus",
                        region,
                        host.to_owned(),
                        format!("/v1.0/{project}/kms/get-key-rotation-status"),
                        json!({"key_id": key_id}),
                    );
                    match self.endpoint.unit_call(ctx, call) {
                        Ok((r, sha)) => {
                            sources.push(sha);
                            flag(r.get("key_rotation_enabled"))
                        }
                        Err(err) => {
                            ctx.fail("crypto.key", region, &key_id, &err);
                            continue;
                        }
                    }
                } else {
                    None
                };
            let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
            ctx.record(
                "crypto.key",
                region,
                &key_id,
                fields(json!({
                    "customer_managed": customer_managed,
                    "enabled": enabled,
                    "rotation_enabled": rotation,
                    "origin": origin,
                    "symmetric": symmetric,
                })),
                &sources,
            );
        }
    }

    fn security_groups(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        const KIND: &str = "network.security-group";
        let call = get(
            "vpc",
            "ListSecurityGroups",
            region,
            host.to_owned(),
            format!("/v3/{project}/vpc/security-groups"),
            &[],
        );
        let (v, list_sha) = match self.endpoint.unit_call(ctx, call) {
            Ok(x) => x,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        for group in arr(&v, &["security_groups"]) {
            let id = s(group, "id").to_owned();
            let call = get(
                "vpc",
                "ListSecurityGroupRules",
                region,
                host.to_owned(),
                format!("/v3/{project}/vpc/security-group-rules"),
                &[("security_group_id", &id)],
            );
            let (rules, sha) = match self.endpoint.unit_call(ctx, call) {
                Ok(x) => x,
                Err(err) => {
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            let mut open = WorldOpen::default();
            for rule in arr(&rules, &["security_group_rules"]) {
                if s(rule, "direction") != "ingress"
                    || s(rule, "action") == "deny"
                    || !is_world(s(rule, "remote_ip_prefix"))
                {
                    continue;
                }
                let protocol = s(rule, "protocol").to_ascii_lowercase();
                let ports = s(rule, "multiport").trim();
                if protocol.is_empty()
                    || protocol == "any"
                    || ((protocol == "tcp" || protocol == "udp") && ports.is_empty())
                {
                    open.all();
                } else if protocol == "tcp" || protocol == "udp" {
                    for part in ports.split(',') {
                        let (from, to) = part
                            .trim()
                            .split_once('-')
                            .unwrap_or((part.trim(), part.trim()));
                        if let (Ok(from), Ok(to)) = (from.parse(), to.parse()) {
                            open.add_range(from, to);
                        }
                    }
                }
            }
            let (ports, all) = open.fields();
            ctx.record(
                KIND,
                region,
                &id,
                fields(json!({"name": s(group, "name"), "world_open_ports": ports, "world_open_all": all})),
                &[list_sha.as_str(), sha.as_str()],
            );
        }
    }

    fn volumes(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        let call = get(
            "evs",
            "ListVolumes",
            region,
            host.to_owned(),
            format!("/v2/{project}/cloudvolumes/detail"),
            &[],
        );
        match self.endpoint.unit_call(ctx, call) {
            Ok((v, sha)) => {
                for vol in arr(&v, &["volumes"]) {
                    let meta = &vol["metadata"];
                    ctx.record(
                        "compute.volume",
                        region,
                        s(vol, "id"),
                        fields(json!({
                            "encrypted": truthy(vol.get("encrypted")) || s(meta, "__system__encrypted") == "1",
                            "customer_managed_key": !s(meta, "__system__cmkid").is_empty(),
                            "attached": !arr(vol, &["attachments"]).is_empty() || s(vol, "status") == "in-use",
                        })),
                        &[sha.as_str()],
                    );
                }
            }
            Err(err) => ctx.fail("compute.volume", region, "*", &err),
        }
    }

    fn policies(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        let call = get(
            "cbr",
            "ListPolicies",
            region,
            host.to_owned(),
            format!("/v3/{project}/policies"),
            &[],
        );
        match self.endpoint.unit_call(ctx, call) {
            Ok((v, sha)) => {
                let all = arr(&v, &["policies"]);
                // A replication policy on the same vault copies that vault's backups to
                // `operation_definition.destination_region`: (vault, destination).
                let replicated: Vec<(&str, &str)> = all
                    .iter()
                    .filter(|p| s(p, "operation_type") == "replication" && truthy(p.get("enabled")))
                    .flat_map(|p| {
                        let dest = s(&p["operation_definition"], "destination_region");
                        arr(p, &["associated_vaults"])
                            .iter()
                            .map(move |a| (s(a, "vault_id"), dest))
                    })
                    .collect();
                for p in all.iter().filter(|p| s(p, "operation_type") == "backup") {
                    let def = &p["operation_definition"];
                    let dests: Vec<&str> = arr(p, &["associated_vaults"])
                        .iter()
                        .flat_map(|a| {
                            replicated
                                .iter()
                                .filter(move |(v, _)| *v == s(a, "vault_id"))
                                .map(|(_, d)| *d)
                        })
                        .collect();
                    // A destination that is not named leaves the copy regions unknown.
                    let (regions, outside) =
                        if dests.is_empty() || dests.iter().any(|d| d.is_empty()) {
                            (Value::Null, Value::Null)
                        } else {
                            copy_fields(CnProvider::Huawei, &dests)
                        };
                    ctx.record(
                        "backup.plan",
                        region,
                        s(p, "id"),
                        fields(json!({
                            "name": s(p, "name"),
                            "enabled": truthy(p.get("enabled")),
                            "retention_days": int(def.get("retention_duration_days")).filter(|n| *n > 0),
                            "cross_region_copy": !dests.is_empty(),
                            "copy_regions": regions,
                            "copy_outside_mainland": outside,
                        })),
                        &[sha.as_str()],
                    );
                }
            }
            Err(err) => ctx.fail("backup.plan", region, "*", &err),
        }
    }

    fn hss(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        let call = get(
            "hss",
            "ListHostStatus",
            region,
            host.to_owned(),
            format!("/v5/{project}/host-management/hosts"),
            &[("limit", "200")],
        );
        match self.endpoint.unit_call(ctx, call) {
            Ok((v, sha)) => {
                let hosts = arr(&v, &["data_list"]);
                let enabled =
                    !hosts.is_empty() && hosts.iter().all(|h| s(h, "protect_status") == "opened");
                ctx.record(
                    "monitoring.threat-detection",
                    region,
                    &format!("hss/{region}"),
                    fields(json!({"service": "Host Security Service", "enabled": enabled})),
                    &[sha.as_str()],
                );
            }
            Err(err) => ctx.fail("monitoring.threat-detection", region, "*", &err),
        }
    }

    /// Pages a `limit`/`marker` listing (marker = the last item's `id`); returns `(item, digest
    /// of its page)`.
    fn marker_pages(
        &self,
        ctx: &mut UnitCtx<'_>,
        (service, action): (&'static str, &'static str),
        region: &str,
        host: &str,
        path: String,
        key: &str,
    ) -> Result<Vec<(Value, String)>, CallError> {
        let mut items = Vec::new();
        let mut marker = String::new();
        loop {
            let call = get(
                service,
                action,
                region,
                host.to_owned(),
                path.clone(),
                &[("limit", "100"), ("marker", &marker)],
            );
            let (v, sha) = self.endpoint.unit_call(ctx, call)?;
            let got = arr(&v, &[key]);
            items.extend(got.iter().map(|i| (i.clone(), sha.clone())));
            match got.last() {
                Some(last) if got.len() >= 100 && !s(last, "id").is_empty() => {
                    marker = s(last, "id").to_owned();
                }
                _ => return Ok(items),
            }
        }
    }

    /// VPC v1 `ListVpcs` + `ListFlowLogs`: a VPC has flow logs when a flow log on the VPC itself
    /// (`resource_type = vpc`) is administratively up and `ACTIVE`. Huawei Cloud has no default
    /// VPC, so `default` is `false`.
    fn vpcs(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        const KIND: &str = "network.vpc";
        let vpcs = match self.marker_pages(
            ctx,
            ("vpc", "ListVpcs"),
            region,
            host,
            format!("/v1/{project}/vpcs"),
            "vpcs",
        ) {
            Ok(v) => v,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        let logs = match self.marker_pages(
            ctx,
            ("vpc", "ListFlowLogs"),
            region,
            host,
            format!("/v1/{project}/fl/flow_logs"),
            "flow_logs",
        ) {
            Ok(l) => l,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        for (vpc, list_sha) in vpcs {
            let id = s(&vpc, "id").to_owned();
            let enabled = logs.iter().any(|(log, _)| {
                s(log, "resource_type") == "vpc"
                    && s(log, "resource_id") == id
                    && log.get("admin_state").and_then(Value::as_bool) == Some(true)
                    && s(log, "status") == "ACTIVE"
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
                    "name": Some(s(&vpc, "name")).filter(|n| !n.is_empty()),
                    "default": false,
                    "flow_log_enabled": enabled,
                })),
                &sources,
            );
        }
    }

    /// RDS v3 `ListInstances`: `disk_encryption_id` → encrypted, `public_ips` → public,
    /// `backup_strategy.keep_days`, `type = Ha` with nodes in more than one availability zone →
    /// multi-AZ. An instance without `backup_strategy.keep_days` gets no record.
    fn databases(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        const KIND: &str = "database.instance";
        let mut offset = 0usize;
        loop {
            let offset_text = offset.to_string();
            let call = get(
                "rds",
                "ListInstances",
                region,
                host.to_owned(),
                format!("/v3/{project}/instances"),
                &[("offset", &offset_text), ("limit", "100")],
            );
            let (v, sha) = match self.endpoint.unit_call(ctx, call) {
                Ok(x) => x,
                Err(err) => return ctx.fail(KIND, region, "*", &err),
            };
            let instances = arr(&v, &["instances"]);
            for db in instances {
                let id = s(db, "id");
                let Some(retention) = int(db["backup_strategy"].get("keep_days")) else {
                    ctx.fail(
                        KIND,
                        region,
                        id,
                        &crate::cn::malformed("rds", "instance has no backup_strategy.keep_days"),
                    );
                    continue;
                };
                let zones: std::collections::BTreeSet<&str> = arr(db, &["nodes"])
                    .iter()
                    .map(|n| s(n, "availability_zone"))
                    .filter(|z| !z.is_empty())
                    .collect();
                ctx.record(
                    KIND,
                    region,
                    id,
                    fields(json!({
                        "engine": s(&db["datastore"], "type").to_ascii_lowercase(),
                        "encrypted": !s(db, "disk_encryption_id").is_empty(),
                        "public": !arr(db, &["public_ips"]).is_empty(),
                        "backup_retention_days": retention,
                        "multi_az": s(db, "type").eq_ignore_ascii_case("ha") && zones.len() > 1,
                    })),
                    &[sha.as_str()],
                );
            }
            offset += instances.len();
            let total = int(v.get("total_count")).unwrap_or(0) as usize;
            if instances.is_empty() || offset >= total {
                return;
            }
        }
    }

    /// RMS `ShowTrackerConfig` (global): a tracker exists → recording; `selector.all_supported`
    /// → all resources. No tracker (HTTP 404) → no record, so the recorder rules fail.
    fn tracker_config(&self, ctx: &mut UnitCtx<'_>) {
        const KIND: &str = "monitoring.config-recorder";
        let domain = ctx.account().to_owned();
        let call = get(
            "rms",
            "ShowTrackerConfig",
            "global",
            "rms.myhuaweicloud.com".to_owned(),
            format!("/v1/resource-manager/domains/{domain}/tracker-config"),
            &[],
        );
        match self.endpoint.unit_call(ctx, call) {
            Ok((v, sha)) => ctx.record(
                KIND,
                "global",
                &format!("{domain}/tracker-config"),
                fields(json!({
                    "recording": v.is_object(),
                    "all_resources": flag(v["selector"].get("all_supported")),
                })),
                &[sha.as_str()],
            ),
            Err(err) if err.status == Some(404) => {}
            Err(err) => ctx.fail(KIND, "global", "*", &err),
        }
    }
}
