//! The embedded sample bundle: a small, realistic bundle for the fictional provider `sample`
//! (account `demo-0001`) with good and bad configuration across every evidence kind, one kind
//! not collected because of an access-denied error, and a few assessor attestations.
//!
//! [`build`] is deterministic (fixed timestamps, no randomness); the committed
//! `sample/sample.tar` is its output exported with [`crate::export_archive`] ([`tar`]).
//! `cargo xtask codegen` writes it from [`files`], and `cargo xtask codegen --check` (also run
//! by `cargo test`) fails when the committed file differs.
//!
//! What the demo should show: two console users without MFA (one privileged), root with MFA,
//! an access key older than two years, six buckets of which two are unencrypted and one public,
//! a security group open on port 22 to the world among good ones (so the key control `scp-7.1`
//! is partially satisfied and blocks basic), a VPC without flow logs, data in `ap-southeast-1`
//! outside mainland China, a trail whose log retention the provider does not report (so
//! `au-13.3` a is not evaluated with `field-not-reported`), a weak password policy, and
//! `backup.plan` not evaluated (access denied in every region). The region listing names
//! `cn-hongkong`, which this run did not collect (`--region` restricted it): its inventory
//! record says `collected = false` and every regional kind has a `not-collected` status there.
//! A scope statement says what the account is. Attestations cover the manual controls
//! `sds-6.1`, `sop-15.1` (item d), `pes-16.2`, `dp-9.4` (items a–c), `irdr-12.1` and `ma-11.3`, with all
//! four results and two attachments.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::attest::{Attestation, AttestationResult, Method, parse_date};
use crate::error::{Error, Result};
use crate::hash::Sha256Hex;
use crate::kinds::{CollectionOutcome, CollectionStatus, ErrorClass, Provider};
use crate::manifest::{BundleInfo, EntryMeta, KIND_RAW, Manifest};
use crate::writer::BundleWriter;

/// Provider of every record in the sample.
pub const PROVIDER: &str = "sample";
/// Account of every record in the sample.
pub const ACCOUNT: &str = "demo-0001";
/// Tool version recorded in the sample's manifest.
pub const TOOL_VERSION: &str = "cloudcap-sample 1";
/// Catalog digest recorded in the embedded sample (a fixed placeholder: the sample is
/// catalog-independent evidence; the real digest is recorded by real collections).
pub const CATALOG_DIGEST: &str = "5a3b1e0c0f6f4b9c8e2d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d";
/// When the sample was collected.
pub const COLLECTED_AT: &str = "2026-11-20T08:00:00Z";

/// The regions collected.
const REGIONS: [&str; 3] = ["cn-north-1", "cn-shanghai", "ap-southeast-1"];
/// A region of the account's listing that the run left out.
const NOT_COLLECTED: &str = "cn-hongkong";
/// Every regional kind of the sample (a region left out gets a `not-collected` status for each).
const REGIONAL_KINDS: [&str; 10] = [
    "monitoring.config-recorder",
    "crypto.key",
    "storage.bucket",
    "network.security-group",
    "network.vpc",
    "compute.volume",
    "database.instance",
    "backup.plan",
    "monitoring.threat-detection",
    "region.inventory",
];

struct Sample {
    w: BundleWriter,
    at: Timestamp,
}

impl Sample {
    /// Stores a fictional API response (pretty JSON, as a provider would send it).
    fn raw(
        &mut self,
        region: &str,
        action: &str,
        request_id: &str,
        body: Value,
    ) -> Result<Sha256Hex> {
        let mut response = json!({ "RequestId": request_id });
        if let (Some(r), Value::Object(b)) = (response.as_object_mut(), body) {
            r.extend(b);
        }
        let mut bytes = serde_json::to_vec_pretty(&response).expect("json");
        bytes.push(b'\n');
        self.w.add_raw(
            EntryMeta::new(KIND_RAW, PROVIDER, ACCOUNT, region, action, self.at),
            &bytes,
        )
    }

    /// Adds a normalized record: envelope + `fields`.
    fn record(
        &mut self,
        kind: &str,
        region: &str,
        resource_id: &str,
        sources: &[Sha256Hex],
        action: &str,
        fields: Value,
    ) -> Result<()> {
        let mut rec = json!({
            "schema_version": 1,
            "kind": kind,
            "provider": PROVIDER,
            "account": ACCOUNT,
            "region": region,
            "resource_id": resource_id,
            "sources": sources.iter().map(ToString::to_string).collect::<Vec<_>>(),
        });
        if let (Some(r), Value::Object(f)) = (rec.as_object_mut(), fields) {
            r.extend(f);
        }
        let meta = EntryMeta::for_record(&rec, action, self.at)?;
        self.w.add_record(meta, &rec)?;
        Ok(())
    }

    fn ok(&mut self, kind: &str, region: &str, action: &str, record_count: u64) -> Result<()> {
        let status = CollectionStatus {
            kind: kind.into(),
            provider: Provider::Sample,
            account: ACCOUNT.into(),
            region: region.into(),
            status: CollectionOutcome::Ok,
            error_class: None,
            message: None,
            record_count,
        };
        self.w.add_status(&status, action, self.at)?;
        Ok(())
    }
}

/// (name, root, console, MFA, privileged, created, last login).
type UserRow = (
    &'static str,
    bool,
    bool,
    bool,
    bool,
    &'static str,
    Option<&'static str>,
);
/// (region, id, name, VPC, world-open ports, open to all).
type GroupRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [u16],
    bool,
);

fn ts(s: &str) -> Timestamp {
    s.parse().expect("fixed timestamp")
}

/// The committed sample archive, relative to the workspace root (embedded by
/// [`crate::sample_bundle_tar`]).
pub const TAR_PATH: &str = "crates/cloudcap-evidence/sample/sample.tar";

/// Returns the generated files of the sample: [`TAR_PATH`] → the bytes of [`tar`].
///
/// `scratch` is an empty directory the caller owns (the bundle is written there first).
pub fn files(scratch: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    Ok(vec![(PathBuf::from(TAR_PATH), tar(scratch)?)])
}

/// Builds the sample bundle (with [`CATALOG_DIGEST`]) in `scratch`, an empty directory the
/// caller owns, and returns it as the deterministic archive [`crate::export_archive`] writes.
pub fn tar(scratch: &Path) -> Result<Vec<u8>> {
    let dir = scratch.join("sample");
    build(&dir, CATALOG_DIGEST)?;
    let out = scratch.join("sample.tar");
    crate::export_archive(&dir, &out)?;
    std::fs::read(&out).map_err(Error::io("read", &out))
}

/// Writes the sample bundle into `dir` (which must not exist or be empty) and returns its manifest.
pub fn build(dir: &Path, catalog_digest: &str) -> Result<Manifest> {
    let at = ts(COLLECTED_AT);
    let info = BundleInfo {
        tool_version: TOOL_VERSION.into(),
        catalog_digest: catalog_digest.into(),
        created_at: at,
    };
    let mut s = Sample {
        w: BundleWriter::create(dir, info)?,
        at,
    };
    scope(&mut s)?;
    identity(&mut s)?;
    audit(&mut s)?;
    per_region(&mut s)?;
    regions(&mut s)?;
    attestations(&mut s)?;
    s.w.finish()
}

/// The scope statement and the run record: what was asked for and covered.
fn scope(s: &mut Sample) -> Result<()> {
    let statement = crate::scope::parse_scope_toml(SCOPE).expect("sample scope parses");
    s.w.add_scope(&statement, s.at)?;
    let mut kinds: Vec<String> = [
        "identity.password-policy",
        "identity.user",
        "identity.access-key",
        "audit.trail",
    ]
    .iter()
    .chain(REGIONAL_KINDS.iter())
    .map(|k| (*k).to_owned())
    .collect();
    kinds.sort();
    let mut listed: Vec<String> = REGIONS.iter().map(|r| (*r).to_owned()).collect();
    listed.push(NOT_COLLECTED.to_owned());
    listed.sort();
    let mut collected: Vec<String> = REGIONS.iter().map(|r| (*r).to_owned()).collect();
    collected.sort();
    let run = crate::kinds::CollectionRun {
        provider: Provider::Sample,
        partition: "sample".into(),
        account: ACCOUNT.into(),
        region: "global".into(),
        regions_listed: listed,
        regions_requested: Some(collected.clone()),
        regions_collected: collected,
        kinds,
        account_declared: None,
    };
    s.w.add_run(&run, s.at)?;
    Ok(())
}

fn identity(s: &mut Sample) -> Result<()> {
    let g = "global";
    let pp = s.raw(g, "iam:GetPasswordPolicy", "7f1c2a40-0001", json!({
        "PasswordPolicy": { "MinimumPasswordLength": 8, "RequireUppercaseCharacters": true, "RequireLowercaseCharacters": true,
            "RequireNumbers": true, "RequireSymbols": false, "MaxPasswordAge": 180, "PasswordReusePrevention": 3, "MaxLoginAttempts": 10 }
    }))?;
    s.record("identity.password-policy", g, "demo-0001/password-policy", &[pp], "iam:GetPasswordPolicy", json!({
        "configured": true, "min_length": 8, "require_uppercase": true, "require_lowercase": true, "require_numbers": true,
        "require_symbols": false, "min_char_classes": 3, "max_age_days": 180, "reuse_prevention": 3, "max_login_attempts": 10
    }))?;
    s.ok("identity.password-policy", g, "iam:GetPasswordPolicy", 1)?;

    // (name, root, console, mfa, privileged, created, last login)
    let users: [UserRow; 5] = [
        (
            "root",
            true,
            true,
            true,
            true,
            "2023-03-01T02:00:00Z",
            Some("2026-10-02T01:15:00Z"),
        ),
        (
            "admin-li",
            false,
            true,
            true,
            true,
            "2024-05-10T03:20:00Z",
            Some("2026-11-18T09:41:00Z"),
        ),
        (
            "ops-wang",
            false,
            true,
            false,
            false,
            "2024-08-21T06:00:00Z",
            Some("2026-11-19T07:02:00Z"),
        ),
        (
            "dev-zhao",
            false,
            true,
            false,
            true,
            "2025-02-14T08:30:00Z",
            Some("2026-06-01T12:00:00Z"),
        ),
        (
            "ci-deployer",
            false,
            false,
            false,
            false,
            "2025-01-07T10:00:00Z",
            None,
        ),
    ];
    let list = s.raw(g, "iam:ListUsers", "7f1c2a40-0002", json!({
        "Users": users.iter().map(|u| json!({ "UserName": u.0, "CreateDate": u.5, "PasswordLastUsed": u.6, "IsRoot": u.1 })).collect::<Vec<_>>()
    }))?;
    let mfa = s.raw(g, "iam:ListVirtualMFADevices", "7f1c2a40-0003", json!({
        "VirtualMFADevices": users.iter().filter(|u| u.3).map(|u| json!({ "SerialNumber": format!("acs:mfa::demo-0001:mfa/{}", u.0), "User": u.0 })).collect::<Vec<_>>()
    }))?;
    let policies = s.raw(
        g,
        "iam:ListEntitiesForPolicy",
        "7f1c2a40-0004",
        json!({
            "PolicyName": "AdministratorAccess",
            "PolicyUsers": users.iter().filter(|u| u.4 && !u.1).map(|u| u.0).collect::<Vec<_>>()
        }),
    )?;
    for u in users {
        let mut f = json!({ "name": u.0, "root": u.1, "console_access": u.2, "mfa_enabled": u.3, "privileged": u.4, "created_at": u.5,
            "never_logged_in": u.6.is_none() });
        if let Some(l) = u.6 {
            f["last_login_at"] = json!(l);
        }
        let id = if u.1 {
            "acs:ram::demo-0001:root".to_owned()
        } else {
            format!("acs:ram::demo-0001:user/{}", u.0)
        };
        s.record(
            "identity.user",
            g,
            &id,
            &[list, mfa, policies],
            "iam:ListUsers",
            f,
        )?;
    }
    s.ok("identity.user", g, "iam:ListUsers", users.len() as u64)?;

    // (key id, user, active, created, last used)
    let keys: [(&str, &str, bool, &str, Option<&str>); 3] = [
        (
            "SAK4OPSWANG0LD2024",
            "ops-wang",
            true,
            "2024-08-21T06:05:00Z",
            Some("2026-11-19T07:00:00Z"),
        ),
        (
            "SAK4CIDEPLOY2026",
            "ci-deployer",
            true,
            "2026-09-30T02:00:00Z",
            Some("2026-11-20T07:55:00Z"),
        ),
        (
            "SAK4ADMINLI2024",
            "admin-li",
            false,
            "2024-05-10T03:30:00Z",
            Some("2025-01-01T00:10:00Z"),
        ),
    ];
    let ak = s.raw(g, "iam:ListAccessKeys", "7f1c2a40-0005", json!({
        "AccessKeys": keys.iter().map(|k| json!({ "AccessKeyId": k.0, "UserName": k.1, "Status": if k.2 { "Active" } else { "Inactive" },
            "CreateDate": k.3, "LastUsedDate": k.4 })).collect::<Vec<_>>()
    }))?;
    for k in keys {
        let mut f = json!({ "user": k.1, "root": false, "active": k.2, "created_at": k.3, "never_used": k.4.is_none() });
        if let Some(l) = k.4 {
            f["last_used_at"] = json!(l);
        }
        s.record(
            "identity.access-key",
            g,
            k.0,
            &[ak],
            "iam:ListAccessKeys",
            f,
        )?;
    }
    s.ok(
        "identity.access-key",
        g,
        "iam:ListAccessKeys",
        keys.len() as u64,
    )
}

fn audit(s: &mut Sample) -> Result<()> {
    let g = "global";
    let trails = s.raw(g, "trail:DescribeTrails", "7f1c2a40-0010", json!({
        "TrailList": [{ "Name": "org-audit", "HomeRegion": "cn-north-1", "IsMultiRegionTrail": true, "LogFileValidationEnabled": true,
            "KmsKeyId": "key-app-0001", "EventRW": "All", "OssBucketName": "app-logs" }]
    }))?;
    let status = s.raw(g, "trail:GetTrailStatus", "7f1c2a40-0011", json!({ "Name": "org-audit", "IsLogging": true, "LatestDeliveryTime": "2026-11-20T07:58:12Z" }))?;
    // The trail API does not report how long delivered logs are kept: `retention_days` is absent.
    s.record("audit.trail", g, "acs:actiontrail:cn-north-1:demo-0001:trail/org-audit", &[trails, status], "trail:DescribeTrails", json!({
        "name": "org-audit", "enabled": true, "multi_region": true, "log_file_validation": true, "encrypted": true,
        "management_events": true
    }))?;
    s.ok("audit.trail", g, "trail:DescribeTrails", 1)
}

fn per_region(s: &mut Sample) -> Result<()> {
    // Configuration recorder: on in cn-north-1, off in cn-shanghai, partial in ap-southeast-1.
    for (region, recording, all) in [
        ("cn-north-1", true, true),
        ("cn-shanghai", false, false),
        ("ap-southeast-1", true, false),
    ] {
        let r = s.raw(region, "config:DescribeConfigurationRecorders", &format!("cfg-{region}"), json!({
            "ConfigurationRecorders": [{ "Name": "default", "Status": if recording { "RECORDING" } else { "STOPPED" }, "AllSupported": all }]
        }))?;
        s.record(
            "monitoring.config-recorder",
            region,
            &format!("{region}/config-recorder/default"),
            &[r],
            "config:DescribeConfigurationRecorders",
            json!({ "recording": recording, "all_resources": all }),
        )?;
        s.ok(
            "monitoring.config-recorder",
            region,
            "config:DescribeConfigurationRecorders",
            1,
        )?;
    }

    // Keys: (region, id, customer managed, enabled, rotation, origin)
    let keys = [
        ("cn-north-1", "key-app-0001", true, true, true, "provider"),
        (
            "cn-north-1",
            "key-backup-0002",
            true,
            true,
            false,
            "external",
        ),
        (
            "cn-shanghai",
            "key-default-0003",
            false,
            true,
            true,
            "provider",
        ),
        (
            "ap-southeast-1",
            "key-replica-0004",
            true,
            true,
            true,
            "hsm",
        ),
    ];
    for region in REGIONS {
        let mine: Vec<_> = keys.iter().filter(|k| k.0 == region).collect();
        let r = s.raw(region, "kms:ListKeys", &format!("kms-{region}"), json!({
            "Keys": mine.iter().map(|k| json!({ "KeyId": k.1, "Creator": if k.2 { "Customer" } else { "Service" }, "KeyState": if k.3 { "Enabled" } else { "Disabled" },
                "AutomaticRotation": if k.4 { "Enabled" } else { "Disabled" }, "Origin": match k.5 { "external" => "EXTERNAL", "hsm" => "HSM", _ => "Aliyun_KMS" } })).collect::<Vec<_>>()
        }))?;
        for k in &mine {
            // Only provider-generated symmetric keys rotate automatically; imported and HSM keys
            // carry no rotation flag.
            let mut f = json!({ "customer_managed": k.2, "enabled": k.3, "symmetric": true, "origin": k.5 });
            if k.5 == "provider" {
                f["rotation_enabled"] = json!(k.4);
            }
            s.record(
                "crypto.key",
                region,
                &format!("acs:kms:{region}:demo-0001:key/{}", k.1),
                &[r],
                "kms:ListKeys",
                f,
            )?;
        }
        s.ok("crypto.key", region, "kms:ListKeys", mine.len() as u64)?;
    }

    // Buckets: (region, name, encrypted, cmk, versioning, public, public access block, logging)
    let buckets = [
        (
            "cn-north-1",
            "app-prod-data",
            true,
            true,
            true,
            false,
            true,
            true,
        ),
        (
            "cn-north-1",
            "app-logs",
            true,
            false,
            true,
            false,
            true,
            false,
        ),
        (
            "cn-north-1",
            "marketing-site",
            true,
            false,
            false,
            true,
            false,
            false,
        ),
        (
            "cn-shanghai",
            "finance-archive",
            false,
            false,
            true,
            false,
            true,
            true,
        ),
        (
            "cn-shanghai",
            "tmp-exports",
            false,
            false,
            false,
            false,
            false,
            false,
        ),
        (
            "ap-southeast-1",
            "sg-replica",
            true,
            true,
            true,
            false,
            true,
            true,
        ),
    ];
    for region in REGIONS {
        let mine: Vec<_> = buckets.iter().filter(|b| b.0 == region).collect();
        let r = s.raw(region, "oss:ListBuckets", &format!("oss-{region}"), json!({
            "Buckets": mine.iter().map(|b| json!({ "Name": b.1, "Location": format!("oss-{region}"),
                "ServerSideEncryption": if b.2 { if b.3 { "KMS" } else { "AES256" } } else { "None" },
                "Versioning": if b.4 { "Enabled" } else { "Suspended" }, "ACL": if b.5 { "public-read" } else { "private" },
                "BlockPublicAccess": b.6, "Logging": b.7 })).collect::<Vec<_>>()
        }))?;
        for b in &mine {
            s.record("storage.bucket", region, &format!("acs:oss:{region}:demo-0001:{}", b.1), &[r], "oss:ListBuckets", json!({
                "name": b.1, "encrypted": b.2, "customer_managed_key": b.3, "versioning": b.4, "public": b.5,
                "public_access_block": b.6, "access_logging": b.7
            }))?;
        }
        s.ok(
            "storage.bucket",
            region,
            "oss:ListBuckets",
            mine.len() as u64,
        )?;
    }

    // Security groups: (region, id, name, vpc, world-open ports, open all)
    let groups: [GroupRow; 5] = [
        (
            "cn-north-1",
            "sg-0a11",
            "web",
            "vpc-prod",
            &[80, 443],
            false,
        ),
        ("cn-north-1", "sg-0a12", "admin", "vpc-prod", &[22], false),
        ("cn-north-1", "sg-0a13", "internal", "vpc-prod", &[], false),
        ("cn-shanghai", "sg-0b21", "db", "vpc-legacy", &[], false),
        ("ap-southeast-1", "sg-0c31", "replica", "vpc-sg", &[], false),
    ];
    for region in REGIONS {
        let mine: Vec<_> = groups.iter().filter(|g| g.0 == region).collect();
        let r = s.raw(region, "vpc:DescribeSecurityGroups", &format!("sg-{region}"), json!({
            "SecurityGroups": mine.iter().map(|g| json!({ "SecurityGroupId": g.1, "SecurityGroupName": g.2, "VpcId": g.3,
                "Permissions": g.4.iter().map(|p| json!({ "IpProtocol": "TCP", "PortRange": format!("{p}/{p}"), "SourceCidrIp": "0.0.0.0/0", "Policy": "Accept" }))
                    .chain(std::iter::once(json!({ "IpProtocol": "ALL", "PortRange": "-1/-1", "SourceCidrIp": "10.0.0.0/8", "Policy": "Accept" })))
                    .collect::<Vec<_>>() })).collect::<Vec<_>>()
        }))?;
        for g in &mine {
            s.record(
                "network.security-group",
                region,
                g.1,
                &[r],
                "vpc:DescribeSecurityGroups",
                json!({
                    "name": g.2, "vpc_id": g.3, "classic_network": g.3.is_empty(), "world_open_ports": g.4, "world_open_all": g.5
                }),
            )?;
        }
        s.ok(
            "network.security-group",
            region,
            "vpc:DescribeSecurityGroups",
            mine.len() as u64,
        )?;
    }

    // VPCs: (region, id, name, default, flow logs)
    let vpcs = [
        ("cn-north-1", "vpc-prod", "prod", false, true),
        ("cn-shanghai", "vpc-legacy", "legacy", true, false),
        ("ap-southeast-1", "vpc-sg", "replica", false, true),
    ];
    for v in vpcs {
        let r = s.raw(v.0, "vpc:DescribeVpcs", &format!("vpc-{}", v.0), json!({ "Vpcs": [{ "VpcId": v.1, "VpcName": v.2, "IsDefault": v.3, "CidrBlock": "10.0.0.0/16" }] }))?;
        let fl = s.raw(v.0, "vpc:DescribeFlowLogs", &format!("fl-{}", v.0), json!({
            "FlowLogs": if v.4 { json!([{ "FlowLogId": format!("fl-{}", v.1), "ResourceId": v.1, "Status": "Active" }]) } else { json!([]) }
        }))?;
        s.record(
            "network.vpc",
            v.0,
            v.1,
            &[r, fl],
            "vpc:DescribeVpcs",
            json!({ "name": v.2, "default": v.3, "flow_log_enabled": v.4 }),
        )?;
        s.ok("network.vpc", v.0, "vpc:DescribeVpcs", 1)?;
    }

    // Volumes: (region, id, encrypted, cmk, attached)
    let disks = [
        ("cn-north-1", "d-n1a", true, true, true),
        ("cn-north-1", "d-n1b", true, false, true),
        ("cn-shanghai", "d-sh1", false, false, false),
        ("ap-southeast-1", "d-sg1", true, true, true),
    ];
    for region in REGIONS {
        let mine: Vec<_> = disks.iter().filter(|d| d.0 == region).collect();
        let r = s.raw(region, "ecs:DescribeDisks", &format!("ecs-{region}"), json!({
            "Disks": mine.iter().map(|d| json!({ "DiskId": d.1, "Encrypted": d.2, "KMSKeyId": if d.3 { "key-app-0001" } else { "" },
                "Status": if d.4 { "In_use" } else { "Available" } })).collect::<Vec<_>>()
        }))?;
        for d in &mine {
            s.record(
                "compute.volume",
                region,
                d.1,
                &[r],
                "ecs:DescribeDisks",
                json!({ "encrypted": d.2, "customer_managed_key": d.3, "attached": d.4 }),
            )?;
        }
        s.ok(
            "compute.volume",
            region,
            "ecs:DescribeDisks",
            mine.len() as u64,
        )?;
    }

    // Databases: (region, id, engine, encrypted, public, backup days, multi-AZ)
    let dbs = [
        ("cn-north-1", "rm-orders", "mysql", true, false, 7u32, true),
        (
            "cn-shanghai",
            "pg-reporting",
            "postgres",
            false,
            true,
            1,
            false,
        ),
    ];
    for region in REGIONS {
        let mine: Vec<_> = dbs.iter().filter(|d| d.0 == region).collect();
        let r = s.raw(region, "rds:DescribeDBInstances", &format!("rds-{region}"), json!({
            "Items": mine.iter().map(|d| json!({ "DBInstanceId": d.1, "Engine": d.2, "TDEStatus": if d.3 { "Enabled" } else { "Disabled" },
                "PublicConnectionString": if d.4 { format!("{}.rds.sample-cloud.example", d.1) } else { String::new() },
                "BackupRetentionPeriod": d.5, "ZoneId": if d.6 { "multi" } else { "single" } })).collect::<Vec<_>>()
        }))?;
        for d in &mine {
            s.record("database.instance", region, d.1, &[r], "rds:DescribeDBInstances", json!({
                "engine": d.2, "encrypted": d.3, "public": d.4, "backup_retention_days": d.5, "multi_az": d.6
            }))?;
        }
        s.ok(
            "database.instance",
            region,
            "rds:DescribeDBInstances",
            mine.len() as u64,
        )?;
    }

    // Backup plans: the collector's role may not read them (access denied everywhere).
    for region in REGIONS {
        s.raw(region, "backup:ListBackupPlans", &format!("hbr-{region}"), json!({
            "Code": "Forbidden.AccessDenied", "Message": "User not authorized to operate on the specified resource: hbr:DescribeBackupPlans"
        }))?;
        let status = CollectionStatus {
            kind: "backup.plan".into(),
            provider: Provider::Sample,
            account: ACCOUNT.into(),
            region: region.into(),
            status: CollectionOutcome::Error,
            error_class: Some(ErrorClass::AccessDenied),
            message: Some("Forbidden.AccessDenied: User not authorized to operate on the specified resource: hbr:DescribeBackupPlans".into()),
            record_count: 0,
        };
        s.w.add_status(&status, "backup:ListBackupPlans", s.at)?;
    }

    // Threat detection: on in cn-north-1 only.
    for (region, on) in [
        ("cn-north-1", true),
        ("cn-shanghai", false),
        ("ap-southeast-1", false),
    ] {
        let r = s.raw(region, "threat:DescribeDetectors", &format!("td-{region}"), json!({
            "Detectors": [{ "Service": "security-center", "Status": if on { "ENABLED" } else { "DISABLED" } }]
        }))?;
        s.record(
            "monitoring.threat-detection",
            region,
            &format!("{region}/security-center"),
            &[r],
            "threat:DescribeDetectors",
            json!({ "service": "security-center", "enabled": on }),
        )?;
        s.ok(
            "monitoring.threat-detection",
            region,
            "threat:DescribeDetectors",
            1,
        )?;
    }
    Ok(())
}

fn regions(s: &mut Sample) -> Result<()> {
    // (region, mainland China, resources, data-bearing resources)
    let inv = [
        ("cn-north-1", true, 48u64, 16u64),
        ("cn-shanghai", true, 21, 7),
        ("ap-southeast-1", false, 6, 2),
    ];
    let r = s.raw("global", "resource:ListResourceCountsByRegion", "7f1c2a40-0020", json!({
        "Regions": inv.iter().map(|i| json!({ "RegionId": i.0, "ResourceCount": i.2, "DataResourceCount": i.3 }))
            .chain(std::iter::once(json!({ "RegionId": NOT_COLLECTED, "ResourceCount": null, "DataResourceCount": null })))
            .collect::<Vec<_>>()
    }))?;
    for i in inv {
        s.record(
            "region.inventory",
            i.0,
            i.0,
            &[r],
            "resource:ListResourceCountsByRegion",
            json!({
                "mainland_china": i.1, "collected": true, "holds_data": i.3 > 0, "resource_count": i.2
            }),
        )?;
        s.ok(
            "region.inventory",
            i.0,
            "resource:ListResourceCountsByRegion",
            1,
        )?;
    }
    // Listed, not collected: nothing is known about what it holds.
    s.record(
        "region.inventory",
        NOT_COLLECTED,
        NOT_COLLECTED,
        &[r],
        "resource:ListResourceCountsByRegion",
        json!({ "mainland_china": false, "collected": false }),
    )?;
    for kind in REGIONAL_KINDS {
        let status = CollectionStatus {
            kind: kind.into(),
            provider: Provider::Sample,
            account: ACCOUNT.into(),
            region: NOT_COLLECTED.into(),
            status: CollectionOutcome::Error,
            error_class: Some(ErrorClass::NotCollected),
            message: Some(format!(
                "{NOT_COLLECTED} is in the account's region listing but was left out by --region"
            )),
            record_count: u64::from(kind == "region.inventory"),
        };
        s.w.add_status(&status, "cloudcap-collect", s.at)?;
    }
    Ok(())
}

fn attestations(s: &mut Sample) -> Result<()> {
    let assessor = "Zhang Min (Example Assessment Co.)";
    let visit = s.w.add_attachment(
        "idc-visit-2026-11-19.txt",
        "text/plain",
        b"Site visit, cn-north-1 data centre, 2026-11-19\n- Badge access log for November reviewed: 312 entries, no unexplained access.\n- CCTV covers both entrances and the cage row; 90-day retention confirmed.\n- Visitor register signed by escort for every visitor sampled (10 of 10).\n",
        ts("2026-11-19T00:00:00Z"),
    )?;
    let tickets = s.w.add_attachment(
        "support-ticket-sample-2026-11-19.csv",
        "text/csv",
        b"ticket,opened,customer,data_access,customer_authorisation\nT-20231,2026-10-03,cust-118,read object in app-prod-data,AUTH-5521\nT-20277,2026-10-09,cust-042,export database rm-orders,\nT-20315,2026-10-17,cust-118,read object in app-prod-data,AUTH-5540\nT-20388,2026-10-28,cust-207,read volume snapshot d-n1b,\nT-20412,2026-11-02,cust-009,read object in finance-archive,\nT-20450,2026-11-11,cust-042,export database rm-orders,AUTH-5602\n",
        ts("2026-11-19T00:00:00Z"),
    )?;
    let d = |s: &str| parse_date(s).expect("fixed date");
    let list = [
        (
            "sds-6.1",
            None,
            Method::Examine,
            AttestationResult::Satisfied,
            "2026-11-18",
            Some("2027-11-18"),
            "2026 security budget and staffing plan reviewed; the security headcount is approved and filled.",
            vec![],
        ),
        (
            "sop-15.1",
            Some("d"),
            Method::Interview,
            AttestationResult::PartiallySatisfied,
            "2026-11-18",
            None,
            "The deputy security officer role has been vacant since 2026-09, so one person holds both approval and audit duties.",
            vec![],
        ),
        (
            "pes-16.2",
            None,
            Method::Examine,
            AttestationResult::Satisfied,
            "2026-11-19",
            Some("2027-11-19"),
            "Site visit: physical access authorisation, badge logs and CCTV checked.",
            vec![visit],
        ),
        (
            "dp-9.4",
            Some("a"),
            Method::Examine,
            AttestationResult::NotSatisfied,
            "2026-11-19",
            None,
            "Sampled 6 support tickets that accessed customer data: 3 have no recorded customer authorisation.",
            vec![tickets],
        ),
        (
            "dp-9.4",
            Some("b"),
            Method::Examine,
            AttestationResult::NotSatisfied,
            "2026-11-19",
            None,
            "Sampled 6 support tickets that accessed customer data: 3 have no recorded customer authorisation.",
            vec![tickets],
        ),
        (
            "dp-9.4",
            Some("c"),
            Method::Examine,
            AttestationResult::NotSatisfied,
            "2026-11-19",
            None,
            "Sampled 6 support tickets that accessed customer data: 3 have no recorded customer authorisation.",
            vec![tickets],
        ),
        (
            "irdr-12.1",
            None,
            Method::Interview,
            AttestationResult::Satisfied,
            "2026-11-20",
            Some("2027-05-20"),
            "Incident response plan walked through with the on-call lead; last exercise 2026-10.",
            vec![],
        ),
        (
            "ma-11.3",
            None,
            Method::Examine,
            AttestationResult::NotApplicable,
            "2026-11-20",
            None,
            "No remote maintenance: all maintenance is done on site and remote maintenance paths are disabled in the bastion configuration.",
            vec![],
        ),
    ];
    for (control, item, method, result, date, expires, note, attachments) in list {
        s.w.add_attestation(Attestation {
            control: control.into(),
            item: item.map(str::to_owned),
            method,
            result,
            assessor: assessor.into(),
            date: d(date),
            expires: expires.map(d),
            note: Some(note.into()),
            attachments,
        })?;
    }
    // The rest of the agency's findings, kept in the `--from FILE` format: most controls and
    // the items rules do not decide; a few controls are left unassessed on purpose, and one
    // finding has lapsed, so the demo shows not-evaluated results too.
    let drafts = crate::attest::parse_attestations_toml(FINDINGS).expect("sample findings parse");
    for draft in drafts {
        s.w.add_attestation(draft.attestation)?;
    }
    Ok(())
}

/// `sample/scope.toml`.
const SCOPE: &str = include_str!("../sample/scope.toml");

/// `sample/assessor-findings.toml`.
const FINDINGS: &str = include_str!("../sample/assessor-findings.toml");
