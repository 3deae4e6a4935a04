//! Huawei Cloud collector: APIG-signed (`SDK-HMAC-SHA256`) calls to IAM, CTS, KMS, VPC, EVS,
//! CBR, HSS, RDS and RMS, mapped into the normalized kinds.
//!
//! Project-scoped APIs put `{project_id}` in the path: discovery maps each region to the project
//! of the same name (`GET /v3/auth/projects`). OBS buckets (own endpoints and signature) are
//! collected by [`crate::cn::objstore`].

use std::collections::BTreeMap;

use cloudcap_evidence::{
    AccessKey, AuditTrail, BackupPlan, ComputeVolume, ConfigRecorder, CryptoKey, DatabaseInstance,
    IdentityUser, KeyOrigin, PasswordPolicy, SecurityGroup, ThreatDetection, Vpc,
};
use serde_json::{Value, json};

use crate::allow::AllowList;
use crate::cn::call::Call;
use crate::cn::ingress::{self, Proto, Span, Tie};
use crate::cn::paging::{self, Cursor, More, Page};
use crate::cn::sign_huawei::ApigSigner;
use crate::cn::{
    CnConfig, CnProvider, Discovery, Endpoint, Send, arr, copy_fields, count, flag, int, malformed,
    required_stamp, s, stamp, truthy, unit, unsupported,
};
use crate::http::{CallError, HttpClient};
use crate::runner::{Collector, Unit, UnitCtx};

const IAM_HOST: &str = "iam.myhuaweicloud.com";

/// Items asked for per page (every listing here accepts 100: RDS at most 100, HSS 10–200).
const PAGE_LIMIT: u64 = 100;

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
            ("iam", "ShowPermanentAccessKey"),
            ("cts", "ListTrackers"),
            ("kms", "ListKeys"),
            ("kms", "ShowKeyRotationStatus"),
            ("vpc", "ListSecurityGroups"),
            ("vpc", "ListSecurityGroupRules"),
            ("vpc", "ShowAddressGroup"),
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

/// `X-Project-Id` on a project-scoped call, as the SDK's `BasicCredentials` sends it under
/// AK/SK (huaweicloud-sdk-go-v3 `core/auth/basic_credentials.go`, `projectIdInHeader`); signed.
fn in_project(mut call: Call, project: &str) -> Call {
    call.headers
        .push(("X-Project-Id".into(), project.to_owned()));
    call
}

/// `X-Domain-Id` on a global-service call (IAM, RMS), as the SDK's `GlobalCredentials` sends it
/// once the account is known (huaweicloud-sdk-go-v3 `core/auth/global_credentials.go`,
/// `domainIdInHeader`); signed. Before discovery has found the domain there is none to send.
fn in_domain(mut call: Call, domain: &str) -> Call {
    if !domain.is_empty() {
        call.headers.push(("X-Domain-Id".into(), domain.to_owned()));
    }
    call
}

fn iam(action: &'static str, path: String, query: &[(&str, &str)], domain: &str) -> Call {
    in_domain(
        get("iam", action, "global", IAM_HOST.to_owned(), path, query),
        domain,
    )
}

/// Huawei Cloud in the shared pipeline ([`super::cloud::CnCloud`]).
pub(crate) struct Huawei;

impl super::cloud::CnCloud for Huawei {
    fn client(&self, config: &CnConfig) -> Result<HttpClient, String> {
        client(config)
    }

    /// iam v3 `KeystoneListAuthDomains` (the account) and `KeystoneListAuthProjects` (one
    /// project per region, named after it).
    fn identify(&self, endpoint: &Endpoint, send: &mut Send<'_>) -> Result<Discovery, CallError> {
        let (domains, _) = endpoint.call(
            send,
            iam(
                "KeystoneListAuthDomains",
                "/v3/auth/domains".into(),
                &[],
                "",
            ),
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
            iam(
                "KeystoneListAuthProjects",
                "/v3/auth/projects".into(),
                &[],
                &discovery.account,
            ),
        )?;
        for project in arr(&projects, &["projects"]) {
            discovery
                .projects
                .insert(s(project, "name").to_owned(), s(project, "id").to_owned());
        }
        Ok(discovery)
    }

    /// iam v3 `KeystoneListRegions`.
    fn region_listing(&self, discovery: &Discovery) -> Call {
        iam(
            "KeystoneListRegions",
            "/v3/regions".into(),
            &[],
            &discovery.account,
        )
    }

    /// Regions the account has a project in (projects are named after their region).
    fn region_ids(&self, answer: &Value, discovery: &Discovery) -> Vec<String> {
        arr(answer, &["regions"])
            .iter()
            .map(|r| s(r, "id").to_owned())
            .filter(|r| discovery.projects.contains_key(r))
            .collect()
    }

    fn collector(&self, endpoint: Endpoint, discovery: &Discovery) -> Box<dyn Collector> {
        Box::new(HuaweiCollector::new(endpoint, discovery))
    }

    fn object_store(&self) -> super::sign_objstore::ObjectStore {
        super::sign_objstore::ObjectStore::Obs
    }

    fn account_wide(&self) -> &'static [&'static str] {
        &[]
    }

    fn is_mainland(&self, region: &str) -> Option<bool> {
        Some(region.starts_with("cn-") && !region.starts_with("cn-hk"))
    }
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
    fn provider(&self) -> cloudcap_evidence::Provider {
        cloudcap_evidence::Provider::Huawei
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
        let policy = self.endpoint.unit_call(
            ctx,
            iam("ShowDomainPasswordPolicy", policy_path, &[], &domain),
        );
        let login = self
            .endpoint
            .unit_call(ctx, iam("ShowDomainLoginPolicy", login_path, &[], &domain));
        match (policy, login) {
            (Ok((p, sha)), Ok((l, login_sha))) => {
                let p = &p["password_policy"];
                ctx.put(
                    "global",
                    &format!("{domain}/password-policy"),
                    &[sha.as_str(), login_sha.as_str()],
                    |envelope| PasswordPolicy {
                        envelope,
                        configured: p.is_object(),
                        min_length: count(p.get("minimum_password_length")),
                        // Huawei sets how many character types a password mixes (2–4), not
                        // which ones: `min_char_classes`, and no `require_*`.
                        require_uppercase: None,
                        require_lowercase: None,
                        require_numbers: None,
                        require_symbols: None,
                        min_char_classes: count(p.get("password_char_combination")),
                        // 0 = never expires / no lockout: reported facts, kept.
                        max_age_days: count(p.get("password_validity_period")),
                        reuse_prevention: count(p.get("number_of_recent_passwords_disallowed")),
                        max_login_attempts: count(l["login_policy"].get("login_failed_times")),
                    },
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
                // The enabled users, explicitly: a disabled user can neither sign in nor use
                // its access keys, so it is outside what the identity rules judge.
                &[("domain_id", &domain), ("enabled", "true")],
                &domain,
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
                &domain,
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
                iam(
                    "ShowUser",
                    format!("/v3.0/OS-USER/users/{id}"),
                    &[],
                    &domain,
                ),
            );
            let groups = self.endpoint.unit_call(
                ctx,
                iam(
                    "KeystoneListGroupsForUser",
                    format!("/v3/users/{id}/groups"),
                    &[],
                    &domain,
                ),
            );
            let mut root = false;
            match (detail, groups, &mfa) {
                (Ok((d, detail_sha)), Ok((g, groups_sha)), Some((mfa_users, mfa_sha))) => {
                    let d = &d["user"];
                    root = truthy(d.get("is_domain_owner"));
                    let sources = [
                        list_sha.as_str(),
                        detail_sha.as_str(),
                        groups_sha.as_str(),
                        mfa_sha.as_str(),
                    ];
                    match required_stamp(stamp(d.get("create_time")), "iam", &name) {
                        Ok(created_at) => ctx.put("global", &id, &sources, |envelope| {
                            IdentityUser {
                                envelope,
                                name: name.clone(),
                                root,
                                console_access: s(d, "access_mode") != "programmatic",
                                mfa_enabled: mfa_users.contains(&id),
                                // Members of the built-in `admin` group hold every permission.
                                privileged: root
                                    || arr(&g, &["groups"]).iter().any(|g| s(g, "name") == "admin"),
                                created_at,
                                last_login_at: stamp(d.get("last_login_time")),
                                never_logged_in: None,
                            }
                        }),
                        Err(err) => ctx.fail("identity.user", "global", &name, &err),
                    }
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
                &domain,
            );
            match self.endpoint.unit_call(ctx, keys) {
                Ok((v, sha)) => {
                    for key in arr(&v, &["credentials"]) {
                        let access = s(key, "access").to_owned();
                        // ListPermanentAccessKeys has no last use; ShowPermanentAccessKey has
                        // `credential.last_use_time` (huaweicloud-sdk-go-v3
                        // services/iam/v3/model/model_show_credential.go). Only a reported time
                        // sets `last_used_at` / `never_used = false`; an empty or missing one
                        // leaves both out (not evaluated): the API does not say "never used".
                        let show = iam(
                            "ShowPermanentAccessKey",
                            format!("/v3.0/OS-CREDENTIAL/credentials/{access}"),
                            &[],
                            &domain,
                        );
                        let (detail, detail_sha) = match self.endpoint.unit_call(ctx, show) {
                            Ok(x) => x,
                            Err(err) => {
                                ctx.fail("identity.access-key", "global", &access, &err);
                                continue;
                            }
                        };
                        let last_used = stamp(detail["credential"].get("last_use_time"));
                        let created_at =
                            match required_stamp(stamp(key.get("create_time")), "iam", &access) {
                                Ok(t) => t,
                                Err(err) => {
                                    ctx.fail("identity.access-key", "global", &access, &err);
                                    continue;
                                }
                            };
                        ctx.put(
                            "global",
                            &access,
                            &[sha.as_str(), detail_sha.as_str()],
                            |envelope| AccessKey {
                                envelope,
                                user: name.clone(),
                                root,
                                active: s(key, "status") == "active",
                                created_at,
                                never_used: last_used.as_ref().map(|_| false),
                                last_used_at: last_used,
                            },
                        );
                    }
                }
                Err(err) => ctx.fail("identity.access-key", "global", &name, &err),
            }
        }
    }

    fn trackers(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        let call = in_project(
            get(
                "cts",
                "ListTrackers",
                region,
                host.to_owned(),
                format!("/v3/{project}/trackers"),
                &[],
            ),
            project,
        );
        match self.endpoint.unit_call(ctx, call) {
            Ok((v, sha)) => {
                for t in arr(&v, &["trackers"]) {
                    let retention = count(t["obs_info"].get("bucket_lifecycle")).filter(|n| *n > 0);
                    ctx.put(region, s(t, "id"), &[sha.as_str()], |envelope| AuditTrail {
                        envelope,
                        name: s(t, "tracker_name").to_owned(),
                        enabled: s(t, "status") == "enabled",
                        // CTS trackers are regional.
                        multi_region: false,
                        log_file_validation: flag(t.get("is_support_validate")),
                        encrypted: flag(t.get("is_support_trace_files_encryption"))
                            .map(|on| on && !s(t, "kms_id").is_empty()),
                        management_events: s(t, "tracker_type") == "system",
                        retention_days: retention,
                    });
                }
            }
            Err(err) => ctx.fail("audit.trail", region, "*", &err),
        }
    }

    /// KMS `ListKeys` (kms v2 model `ListKeysRequestBody`): `key_spec` defaults to `AES_256`, so
    /// `ALL` lists the asymmetric and SM keys too; paged by `marker` = `next_marker` while
    /// `truncated` (a string, `ListKeysResponseTruncated`) is `"true"`.
    fn keys(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        let listed = self.pages(
            ctx,
            ("kms", "ListKeys"),
            &["key_details"],
            |c| {
                let mut body = json!({"limit": PAGE_LIMIT.to_string(), "key_spec": "ALL"});
                if !c.token.is_empty() {
                    body["marker"] = json!(c.token);
                }
                in_project(
                    post(
                        "kms",
                        "ListKeys",
                        region,
                        host.to_owned(),
                        format!("/v1.0/{project}/kms/list-keys"),
                        body,
                    ),
                    project,
                )
            },
            |v, _| paging::token(v, &["next_marker"], Some(&["truncated"]), "kms", "ListKeys"),
        );
        let listed = match listed {
            Ok(x) => x,
            Err(err) => return ctx.fail("crypto.key", region, "*", &err),
        };
        for (key, list_sha) in &listed {
            let key_id = s(key, "key_id").to_owned();
            let customer_managed = s(key, "default_key_flag") != "1";
            let origin = if s(key, "origin") == "external" {
                KeyOrigin::External
            } else {
                KeyOrigin::Provider
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
            let rotation = if customer_managed
                && enabled
                && origin == KeyOrigin::Provider
                && symmetric == Some(true)
            {
                let call = in_project(
                    post(
                        "kms",
                        "ShowKeyRotationStatus",
                        region,
                        host.to_owned(),
                        format!("/v1.0/{project}/kms/get-key-rotation-status"),
                        json!({"key_id": key_id}),
                    ),
                    project,
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
            ctx.put(region, &key_id, &sources, |envelope| CryptoKey {
                envelope,
                customer_managed,
                enabled,
                rotation_enabled: rotation,
                origin,
                symmetric,
            });
        }
    }

    /// VPC v3 `ListSecurityGroups` and `ListSecurityGroupRules` (vpc v3 model): `limit`/`marker`,
    /// continued from `page_info.next_marker` (absent on the last page). Security groups of every
    /// enterprise project need `enterprise_project_id=all_granted_eps`. A rule with
    /// `enabled = false` (model `SecurityGroupRule.Enabled`, default true) opens nothing.
    fn security_groups(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        const KIND: &str = "network.security-group";
        let limit = PAGE_LIMIT.to_string();
        let groups = self.pages(
            ctx,
            ("vpc", "ListSecurityGroups"),
            &["security_groups"],
            |c| {
                in_project(
                    get(
                        "vpc",
                        "ListSecurityGroups",
                        region,
                        host.to_owned(),
                        format!("/v3/{project}/vpc/security-groups"),
                        &[
                            ("limit", &limit),
                            ("marker", &c.token),
                            ("enterprise_project_id", "all_granted_eps"),
                        ],
                    ),
                    project,
                )
            },
            |v, _| {
                paging::token(
                    v,
                    &["page_info", "next_marker"],
                    None,
                    "vpc",
                    "ListSecurityGroups",
                )
            },
        );
        let groups = match groups {
            Ok(x) => x,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        // Address groups named as rule sources, read once a region: id → (IP set, answer).
        let mut address_groups: BTreeMap<String, (Vec<String>, String)> = BTreeMap::new();
        for (group, list_sha) in &groups {
            let id = s(group, "id").to_owned();
            let rules = self.pages(
                ctx,
                ("vpc", "ListSecurityGroupRules"),
                &["security_group_rules"],
                |c| {
                    in_project(
                        get(
                            "vpc",
                            "ListSecurityGroupRules",
                            region,
                            host.to_owned(),
                            format!("/v3/{project}/vpc/security-group-rules"),
                            &[
                                ("limit", &limit),
                                ("marker", &c.token),
                                ("security_group_id", &id),
                            ],
                        ),
                        project,
                    )
                },
                |v, _| {
                    paging::token(
                        v,
                        &["page_info", "next_marker"],
                        None,
                        "vpc",
                        "ListSecurityGroupRules",
                    )
                },
            );
            let rules = match rules {
                Ok(x) => x,
                Err(err) => {
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            let named = match self.read_address_groups(
                ctx,
                (region, host, project),
                &rules,
                &mut address_groups,
            ) {
                Ok(shas) => shas,
                Err(err) => {
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            let reach = ingress::reach_of(
                &rules,
                |(rule, _)| world_rules(rule, &address_groups),
                Tie::DropWins,
            );
            let (ports, all) = match reach {
                Ok(fields) => fields,
                Err(message) => {
                    let err = malformed("vpc", &format!("security group {id}: {message}"));
                    ctx.fail(KIND, region, &id, &err);
                    continue;
                }
            };
            let mut sources = vec![list_sha.as_str()];
            for sha in rules.iter().map(|(_, sha)| sha).chain(&named) {
                if !sources.contains(&sha.as_str()) {
                    sources.push(sha.as_str());
                }
            }
            ctx.put(region, &id, &sources, |envelope| SecurityGroup {
                envelope,
                name: s(group, "name").to_owned(),
                vpc_id: None,
                // Groups here are not tied to a network: whether one serves a classic
                // network is not in the answer.
                classic_network: None,
                world_open_ports: ports,
                world_open_all: all,
            });
        }
    }

    /// Reads the address groups that enabled ingress `rules` name as sources and `cache` lacks
    /// (VPC v3 `ShowAddressGroup`, `GET /v3/{project_id}/vpc/address-groups/{id}`: the whole
    /// `address_group.ip_set` in one answer); returns the answers naming the groups of `rules`.
    /// A group that cannot be read leaves the security group with that call's error.
    fn read_address_groups(
        &self,
        ctx: &mut UnitCtx<'_>,
        (region, host, project): (&str, &str, &str),
        rules: &[(Value, String)],
        cache: &mut BTreeMap<String, (Vec<String>, String)>,
    ) -> Result<Vec<String>, CallError> {
        let mut shas = Vec::new();
        for (rule, _) in rules {
            let group = s(rule, "remote_address_group_id");
            if group.is_empty()
                || s(rule, "direction") != "ingress"
                || rule.get("enabled").and_then(Value::as_bool) == Some(false)
            {
                continue;
            }
            if !cache.contains_key(group) {
                let call = in_project(
                    get(
                        "vpc",
                        "ShowAddressGroup",
                        region,
                        host.to_owned(),
                        format!(
                            "/v3/{project}/vpc/address-groups/{}",
                            super::percent_encode(group, false)
                        ),
                        &[],
                    ),
                    project,
                );
                let (v, sha) = self.endpoint.unit_call(ctx, call)?;
                let set = v["address_group"]["ip_set"].as_array().ok_or_else(|| {
                    malformed(
                        "vpc",
                        &format!("address group {group}: the answer has no address_group.ip_set"),
                    )
                })?;
                let ips = set
                    .iter()
                    .map(|ip| {
                        ip.as_str().map(str::to_owned).ok_or_else(|| {
                            malformed("vpc", &format!("address group {group}: {ip} is not text"))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                cache.insert(group.to_owned(), (ips, sha));
            }
            let sha = &cache[group].1;
            if !shas.contains(sha) {
                shas.push(sha.clone());
            }
        }
        Ok(shas)
    }

    /// EVS v2 `ListVolumes` (evs v2 model): `offset`/`limit` (default 1000) against `count`, the
    /// total "not affected by paging"; `enterprise_project_id=all_granted_eps` for the volumes of
    /// every enterprise project.
    fn volumes(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        let limit = PAGE_LIMIT.to_string();
        let volumes = self.pages(
            ctx,
            ("evs", "ListVolumes"),
            &["volumes"],
            |c| {
                // `offset` is "greater than 0": the first page sends none.
                let offset = if c.offset == 0 {
                    String::new()
                } else {
                    c.offset.to_string()
                };
                in_project(
                    get(
                        "evs",
                        "ListVolumes",
                        region,
                        host.to_owned(),
                        format!("/v2/{project}/cloudvolumes/detail"),
                        &[
                            ("limit", &limit),
                            ("offset", &offset),
                            ("enterprise_project_id", "all_granted_eps"),
                        ],
                    ),
                    project,
                )
            },
            |v, _| paging::total(v, &["count"], "evs", "ListVolumes"),
        );
        match volumes {
            Ok(volumes) => {
                for (vol, sha) in &volumes {
                    let meta = &vol["metadata"];
                    ctx.put(region, s(vol, "id"), &[sha.as_str()], |envelope| {
                        ComputeVolume {
                            envelope,
                            encrypted: truthy(vol.get("encrypted"))
                                || s(meta, "__system__encrypted") == "1",
                            customer_managed_key: Some(!s(meta, "__system__cmkid").is_empty()),
                            attached: !arr(vol, &["attachments"]).is_empty()
                                || s(vol, "status") == "in-use",
                        }
                    });
                }
            }
            Err(err) => ctx.fail("compute.volume", region, "*", &err),
        }
    }

    fn policies(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        let call = in_project(
            get(
                "cbr",
                "ListPolicies",
                region,
                host.to_owned(),
                format!("/v3/{project}/policies"),
                &[],
            ),
            project,
        );
        // CBR v3 `ListPolicies` takes no paging parameters (SDK `ListPoliciesRequest`: only
        // `operation_type`, `vault_id`) and answers every policy with their `count`: a count
        // that is missing or differs from the list is a short answer, never taken as whole.
        let answer = self.endpoint.unit_call(ctx, call).and_then(|(v, sha)| {
            let listed = arr(&v, &["policies"]).len();
            match int(v.get("count")) {
                Some(n) if usize::try_from(n).ok() == Some(listed) => Ok((v, sha)),
                Some(n) => Err(malformed(
                    "cbr",
                    &format!("ListPolicies: count {n} but {listed} policies listed"),
                )),
                None => Err(malformed("cbr", "ListPolicies: no count")),
            }
        });
        match answer {
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
                            (None, None)
                        } else {
                            let (regions, outside) = copy_fields(CnProvider::Huawei, &dests);
                            (Some(regions), outside)
                        };
                    ctx.put(region, s(p, "id"), &[sha.as_str()], |envelope| BackupPlan {
                        envelope,
                        name: s(p, "name").to_owned(),
                        enabled: truthy(p.get("enabled")),
                        retention_days: count(def.get("retention_duration_days"))
                            .filter(|n| *n > 0),
                        keeps_forever: count(def.get("retention_duration_days"))
                            .filter(|n| *n > 0)
                            .map(|_| false),
                        cross_region_copy: Some(!dests.is_empty()),
                        copy_regions: regions,
                        copy_outside_mainland: outside,
                    });
                }
            }
            Err(err) => ctx.fail("backup.plan", region, "*", &err),
        }
    }

    /// HSS v5 `ListHostStatus` (hss v5 model): `offset`/`limit` (10–200) against `total_num`;
    /// `enterprise_project_id` defaults to `0`, the default enterprise project only, so
    /// `all_granted_eps`. A region without hosts has nothing in scope: no record (never a false
    /// "disabled" fact, nor a pass).
    fn hss(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        let hosts = self.pages(
            ctx,
            ("hss", "ListHostStatus"),
            &["data_list"],
            |c| {
                let offset = c.offset.to_string();
                in_project(
                    get(
                        "hss",
                        "ListHostStatus",
                        region,
                        host.to_owned(),
                        format!("/v5/{project}/host-management/hosts"),
                        &[
                            ("limit", "200"),
                            ("offset", &offset),
                            ("enterprise_project_id", "all_granted_eps"),
                        ],
                    ),
                    project,
                )
            },
            |v, _| paging::total(v, &["total_num"], "hss", "ListHostStatus"),
        );
        match hosts {
            Ok(hosts) if hosts.is_empty() => {}
            Ok(hosts) => {
                let enabled = hosts
                    .iter()
                    .all(|(h, _)| s(h, "protect_status") == "opened");
                let mut sources: Vec<&str> = Vec::new();
                for (_, sha) in &hosts {
                    if !sources.contains(&sha.as_str()) {
                        sources.push(sha.as_str());
                    }
                }
                ctx.put(region, &format!("hss/{region}"), &sources, |envelope| {
                    ThreatDetection {
                        envelope,
                        service: "Host Security Service".to_owned(),
                        enabled,
                    }
                });
            }
            Err(err) => ctx.fail("monitoring.threat-detection", region, "*", &err),
        }
    }

    /// Every page of a listing through [`paging::list`] (bounded by `--max-pages`): `request`
    /// builds the call for a cursor, `more` reads whether there is more from the answer and the
    /// page's items (at `key`). Each item comes with the digest of its page.
    fn pages(
        &self,
        ctx: &mut UnitCtx<'_>,
        (service, action): (&'static str, &'static str),
        key: &[&str],
        request: impl Fn(&Cursor) -> Call,
        more: impl Fn(&Value, &[Value]) -> Result<More, CallError>,
    ) -> Result<Vec<(Value, String)>, CallError> {
        paging::list(service, action, self.endpoint.max_pages, |c| {
            let (v, sha) = self.endpoint.unit_call(ctx, request(c))?;
            let items = paging::items(&v, key, service, action)?;
            let more = more(&v, &items)?;
            Ok(Page {
                items: items.into_iter().map(|i| (i, sha.clone())).collect(),
                more,
            })
        })
    }

    /// A VPC v1 listing (vpc v2 SDK model `ListVpcsRequest`, `ListFlowLogsRequest`: `limit`,
    /// `marker` = "the resource id the page starts after"), whose answer has no total and no next
    /// marker: a full page continues from its last item's `id`, a short page is the last.
    #[allow(clippy::too_many_arguments)]
    fn id_marker_pages(
        &self,
        ctx: &mut UnitCtx<'_>,
        (service, action): (&'static str, &'static str),
        region: &str,
        host: &str,
        project: &str,
        path: String,
        key: &str,
    ) -> Result<Vec<(Value, String)>, CallError> {
        let limit = PAGE_LIMIT.to_string();
        self.pages(
            ctx,
            (service, action),
            &[key],
            |c| {
                in_project(
                    get(
                        service,
                        action,
                        region,
                        host.to_owned(),
                        path.clone(),
                        &[("limit", &limit), ("marker", &c.token)],
                    ),
                    project,
                )
            },
            |_, items| {
                if (items.len() as u64) < PAGE_LIMIT {
                    return Ok(More::Done);
                }
                match items.last().map(|i| s(i, "id")) {
                    Some(id) if !id.is_empty() => Ok(More::Token(id.to_owned())),
                    _ => Err(malformed(
                        service,
                        &format!("{action}: a full page whose last item has no id"),
                    )),
                }
            },
        )
    }

    /// VPC v1 `ListVpcs` + `ListFlowLogs`: a VPC has flow logs when a flow log on the VPC itself
    /// (`resource_type = vpc`) is administratively up and `ACTIVE`. Huawei Cloud has no default
    /// VPC, so `default` is `false`.
    fn vpcs(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        const KIND: &str = "network.vpc";
        let vpcs = match self.id_marker_pages(
            ctx,
            ("vpc", "ListVpcs"),
            region,
            host,
            project,
            format!("/v1/{project}/vpcs"),
            "vpcs",
        ) {
            Ok(v) => v,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        let logs = match self.id_marker_pages(
            ctx,
            ("vpc", "ListFlowLogs"),
            region,
            host,
            project,
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
            ctx.put(region, &id, &sources, |envelope| Vpc {
                envelope,
                name: Some(s(&vpc, "name"))
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
                default: false,
                flow_log_enabled: enabled,
            });
        }
    }

    /// RDS v3 `ListInstances`: `disk_encryption_id` → encrypted, `public_ips` → public,
    /// `backup_strategy.keep_days`, `type = Ha` with nodes in more than one availability zone →
    /// multi-AZ. An instance without `backup_strategy.keep_days` gets no record.
    fn databases(&self, ctx: &mut UnitCtx<'_>, region: &str, host: &str, project: &str) {
        const KIND: &str = "database.instance";
        let limit = PAGE_LIMIT.to_string();
        // RDS v3 model `ListInstancesRequest`: `offset`/`limit` (1–100); `total_count`.
        let instances = self.pages(
            ctx,
            ("rds", "ListInstances"),
            &["instances"],
            |c| {
                let offset = c.offset.to_string();
                in_project(
                    get(
                        "rds",
                        "ListInstances",
                        region,
                        host.to_owned(),
                        format!("/v3/{project}/instances"),
                        &[("offset", &offset), ("limit", &limit)],
                    ),
                    project,
                )
            },
            |v, _| paging::total(v, &["total_count"], "rds", "ListInstances"),
        );
        let instances = match instances {
            Ok(x) => x,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        for (db, sha) in &instances {
            let id = s(db, "id");
            let Some(retention) = count(db["backup_strategy"].get("keep_days")) else {
                ctx.fail(
                    KIND,
                    region,
                    id,
                    &malformed("rds", "instance has no backup_strategy.keep_days"),
                );
                continue;
            };
            let zones: std::collections::BTreeSet<&str> = arr(db, &["nodes"])
                .iter()
                .map(|n| s(n, "availability_zone"))
                .filter(|z| !z.is_empty())
                .collect();
            ctx.put(region, id, &[sha.as_str()], |envelope| DatabaseInstance {
                envelope,
                engine: s(&db["datastore"], "type").to_ascii_lowercase(),
                encrypted: Some(!s(db, "disk_encryption_id").is_empty()),
                public: !arr(db, &["public_ips"]).is_empty(),
                backup_retention_days: retention,
                multi_az: s(db, "type").eq_ignore_ascii_case("ha") && zones.len() > 1,
            });
        }
    }

    /// RMS `ShowTrackerConfig` (global): a tracker exists → recording; `selector.all_supported`
    /// → all resources. No tracker (HTTP 404) → no record, so the recorder rules fail.
    fn tracker_config(&self, ctx: &mut UnitCtx<'_>) {
        const KIND: &str = "monitoring.config-recorder";
        let domain = ctx.account().to_owned();
        let call = in_domain(
            get(
                "rms",
                "ShowTrackerConfig",
                "global",
                "rms.myhuaweicloud.com".to_owned(),
                format!("/v1/resource-manager/domains/{domain}/tracker-config"),
                &[],
            ),
            &domain,
        );
        match self.endpoint.unit_call(ctx, call) {
            Ok((v, sha)) => ctx.put(
                "global",
                &format!("{domain}/tracker-config"),
                &[sha.as_str()],
                |envelope| ConfigRecorder {
                    envelope,
                    recording: v.is_object(),
                    all_resources: flag(v["selector"].get("all_supported")),
                },
            ),
            Err(err) if err.status == Some(404) => {}
            Err(err) => ctx.fail(KIND, "global", "*", &err),
        }
    }
}

/// The VPC v3 `ListSecurityGroupRules` rule, if it reaches from the whole internet, or an
/// error when it cannot be read.
///
/// The SDK model (`SecurityGroupRule`): `action` `allow` or `deny` (its stated default is
/// `deny`, so a missing one is not guessed); `priority` 1..=100, 1 weighed first; `protocol`
/// `tcp`, `udp`, `icmp`, `icmpv6` or an IP protocol number, empty for every protocol;
/// `multiport` one port, a range (`1-30`) or a list (`22,3389,80`), empty for every port;
/// `enabled` false for a rule that is off. Huawei's VPC guide documents that a deny rule wins
/// over an allow rule of the same priority ([`Tie::DropWins`]). A source given as an address
/// group (`remote_address_group_id`) stands for its `ip_set` (`address_groups`, read by
/// `ShowAddressGroup`): from the whole internet in a family when it holds `0.0.0.0/0` or
/// `::/0`; an entry that is an address range (`a-b`), which this reader does not weigh, or a
/// group not read leaves the rule unknown, as does a rule with no source at all (not
/// documented).
fn world_rules(
    rule: &Value,
    address_groups: &BTreeMap<String, (Vec<String>, String)>,
) -> Result<Vec<ingress::Rule>, String> {
    if s(rule, "direction") != "ingress"
        || rule.get("enabled").and_then(Value::as_bool) == Some(false)
    {
        return Ok(Vec::new());
    }
    let id = s(rule, "id").to_owned();
    let prefix = s(rule, "remote_ip_prefix");
    let families: Vec<bool> = match s(rule, "remote_address_group_id") {
        "" if prefix.is_empty() && s(rule, "remote_group_id").is_empty() => {
            return Err(format!("rule {id}: it names no source"));
        }
        "" => ingress::world_families(&[(prefix, prefix.contains(':'))]),
        group => {
            let (ips, _) = address_groups.get(group).ok_or_else(|| {
                format!(
                    "rule {id}: its source is address group {group}, whose addresses were not read"
                )
            })?;
            ingress::set_families(ips)
                .map_err(|m| format!("rule {id}: address group {group}: {m}"))?
        }
    };
    if families.is_empty() {
        return Ok(Vec::new());
    }
    let accept = match s(rule, "action") {
        "allow" => true,
        "deny" => false,
        other => {
            return Err(format!(
                "rule {id}: action {other:?} is neither allow nor deny"
            ));
        }
    };
    let rank = rule.get("priority").and_then(Value::as_i64);
    let ports = s(rule, "multiport").trim();
    let span = if ports.is_empty() {
        Span::All
    } else {
        Span::Ranges(
            ports
                .split(',')
                .map(|part| ingress::port_range(part, '-'))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| format!("rule {id}: multiport {ports:?} is not a port list"))?,
        )
    };
    let proto = match s(rule, "protocol").trim().to_ascii_lowercase().as_str() {
        "" | "any" => Proto::Any,
        "tcp" | "6" => Proto::Tcp,
        "udp" | "17" => Proto::Udp,
        "icmp" | "icmpv6" => Proto::Portless,
        n if n.parse::<u8>().is_ok() => Proto::Portless,
        other => {
            return Err(format!(
                "rule {id}: protocol {other:?} is not one the SDK lists"
            ));
        }
    };
    let span = if proto == Proto::Any { Span::All } else { span };
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_address_group_source_stands_for_its_ip_set() {
        let groups: BTreeMap<String, (Vec<String>, String)> = [
            ("ag-w", vec!["10.0.0.0/8", "0.0.0.0/0"]),
            ("ag-n", vec!["203.0.113.0/24", "192.0.2.10"]),
            ("ag-r", vec!["0.0.0.0-255.255.255.255"]),
        ]
        .into_iter()
        .map(|(id, ips)| {
            let ips = ips.into_iter().map(str::to_owned).collect();
            (id.to_owned(), (ips, "sha".to_owned()))
        })
        .collect();
        let rule = |group: &str| {
            json!({"id": "r", "direction": "ingress", "protocol": "tcp", "multiport": "6379",
                   "action": "allow", "priority": 1, "remote_address_group_id": group})
        };
        let w = world_rules(&rule("ag-w"), &groups).unwrap();
        assert_eq!(w.len(), 1);
        assert!(!w[0].v6 && w[0].accept);
        assert!(world_rules(&rule("ag-n"), &groups).unwrap().is_empty());
        // A range is not weighed and a group not read is unknown: never "not from the world".
        assert!(world_rules(&rule("ag-r"), &groups).is_err());
        assert!(world_rules(&rule("ag-x"), &groups).is_err());
        // A plain prefix still decides by itself.
        let plain = json!({"id": "p", "direction": "ingress", "protocol": "tcp", "multiport": "22",
                           "action": "allow", "priority": 1, "remote_ip_prefix": "::/0"});
        assert!(world_rules(&plain, &groups).unwrap()[0].v6);
    }
}
