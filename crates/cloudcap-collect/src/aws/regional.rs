//! Regional services: KMS, EC2 (security groups, volumes, VPCs + flow logs), CloudTrail,
//! Config, GuardDuty, Backup and RDS. Each function is one unit: one service in one region.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::{
    aws::{AwsCollector, MAX_PAGES, iam::too_many_pages, proto},
    http::{ApiRequest, CallError},
    runner::{Fetched, UnitCtx},
};

const KMS_TARGET: &str = "TrentService";
const TRAIL_TARGET: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";
const CONFIG_TARGET: &str = "StarlingDoveService";
const EC2_VERSION: &str = "2016-11-15";
const RDS_VERSION: &str = "2014-10-31";

fn json_call(ctx: &mut UnitCtx<'_>, request: &ApiRequest) -> Result<(Value, String), CallError> {
    let fetched = ctx.send_ok(request)?;
    let value = proto::json_body(request, &fetched)?;
    Ok((value, fetched.sha256))
}

fn str_field<'v>(value: &'v Value, name: &str) -> Option<&'v str> {
    value.get(name).and_then(Value::as_str)
}

fn bool_field(value: &Value, name: &str) -> bool {
    value.get(name).and_then(Value::as_bool).unwrap_or(false)
}

// ---------------------------------------------------------------- KMS

/// Facts of one key from DescribeKey.
struct KeyFacts {
    arn: String,
    customer_managed: bool,
    enabled: bool,
    symmetric_kms_origin: bool,
    origin: &'static str,
}

fn describe_key(
    aws: &AwsCollector,
    region: &str,
    ctx: &mut UnitCtx<'_>,
    key: &str,
) -> Result<(KeyFacts, String), CallError> {
    let endpoint = aws.endpoint("kms", region);
    let request = proto::json(
        "kms",
        "DescribeKey",
        KMS_TARGET,
        &endpoint,
        &json!({ "KeyId": key }),
    );
    let (value, sha) = json_call(ctx, &request)?;
    let meta = value
        .get("KeyMetadata")
        .ok_or_else(|| proto::missing(&request, "KeyMetadata"))?;
    let origin = match str_field(meta, "Origin") {
        Some("EXTERNAL") => "external",
        Some("AWS_CLOUDHSM" | "EXTERNAL_KEY_STORE") => "hsm",
        _ => "provider",
    };
    let facts = KeyFacts {
        arn: str_field(meta, "Arn").unwrap_or(key).to_owned(),
        customer_managed: str_field(meta, "KeyManager") == Some("CUSTOMER"),
        enabled: str_field(meta, "KeyState") == Some("Enabled"),
        symmetric_kms_origin: str_field(meta, "KeySpec")
            .or(str_field(meta, "CustomerMasterKeySpec"))
            .unwrap_or("SYMMETRIC_DEFAULT")
            == "SYMMETRIC_DEFAULT"
            && str_field(meta, "Origin").unwrap_or("AWS_KMS") == "AWS_KMS",
        origin,
    };
    let mut cache = aws.key_managers.lock().unwrap();
    cache.insert(facts.arn.clone(), facts.customer_managed);
    if let Some(id) = str_field(meta, "KeyId") {
        cache.insert(id.to_owned(), facts.customer_managed);
    }
    Ok((facts, sha))
}

/// Whether a KMS key (id or ARN) is customer managed, from the cache or one DescribeKey.
fn customer_managed(
    aws: &AwsCollector,
    region: &str,
    ctx: &mut UnitCtx<'_>,
    key: &str,
) -> Result<(bool, Option<String>), CallError> {
    if let Some(known) = aws.key_managers.lock().unwrap().get(key) {
        return Ok((*known, None));
    }
    let (facts, sha) = describe_key(aws, region, ctx, key)?;
    Ok((facts.customer_managed, Some(sha)))
}

pub(crate) fn kms(aws: &AwsCollector, region: &str, ctx: &mut UnitCtx<'_>) {
    const KIND: &str = "crypto.key";
    let endpoint = aws.endpoint("kms", region);
    let mut keys = Vec::new();
    let mut list_sources = Vec::new();
    let mut marker: Option<String> = None;
    let mut complete = false;
    for _ in 0..MAX_PAGES {
        let mut body = json!({ "Limit": 1000 });
        if let Some(m) = &marker {
            body["Marker"] = json!(m);
        }
        let request = proto::json("kms", "ListKeys", KMS_TARGET, &endpoint, &body);
        let (value, sha) = match json_call(ctx, &request) {
            Ok(ok) => ok,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        list_sources.push(sha);
        for key in value
            .get("Keys")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(id) = str_field(key, "KeyArn").or(str_field(key, "KeyId")) {
                keys.push(id.to_owned());
            }
        }
        marker = str_field(&value, "NextMarker").map(str::to_owned);
        if !bool_field(&value, "Truncated") || marker.is_none() {
            complete = true;
            break;
        }
    }
    if !complete {
        return ctx.fail(KIND, region, "*", &too_many_pages("kms", "ListKeys"));
    }
    for key in keys {
        let (facts, sha) = match describe_key(aws, region, ctx, &key) {
            Ok(ok) => ok,
            Err(err) => {
                ctx.fail(KIND, region, &key, &err);
                continue;
            }
        };
        let mut sources = list_sources.clone();
        sources.push(sha);
        // AWS-managed keys rotate automatically; asymmetric/HMAC/imported keys cannot.
        let rotation = if !facts.customer_managed {
            true
        } else if !facts.symmetric_kms_origin {
            false
        } else {
            let request = proto::json(
                "kms",
                "GetKeyRotationStatus",
                KMS_TARGET,
                &endpoint,
                &json!({ "KeyId": facts.arn }),
            );
            match json_call(ctx, &request) {
                Ok((value, sha)) => {
                    sources.push(sha);
                    bool_field(&value, "KeyRotationEnabled")
                }
                Err(err) => {
                    ctx.fail(KIND, region, &facts.arn, &err);
                    continue;
                }
            }
        };
        let mut fields = Map::new();
        fields.insert("customer_managed".into(), json!(facts.customer_managed));
        fields.insert("enabled".into(), json!(facts.enabled));
        fields.insert("rotation_enabled".into(), json!(rotation));
        fields.insert("origin".into(), json!(facts.origin));
        let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
        ctx.record(KIND, region, &facts.arn, fields, &sources);
    }
}

// ---------------------------------------------------------------- EC2

/// All pages of an EC2 Describe* call: (pages as fetched).
fn ec2_pages(
    aws: &AwsCollector,
    region: &str,
    ctx: &mut UnitCtx<'_>,
    action: &'static str,
    max_results: Option<u32>,
) -> Result<Vec<(ApiRequest, Fetched)>, CallError> {
    let endpoint = aws.endpoint("ec2", region);
    let mut pages = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut params = Vec::new();
        if let Some(n) = max_results {
            params.push(("MaxResults", n.to_string()));
        }
        if let Some(t) = &token {
            params.push(("NextToken", t.clone()));
        }
        let request = proto::query("ec2", action, EC2_VERSION, &endpoint, &params);
        let fetched = ctx.send_ok(&request)?;
        let doc = proto::xml(&request, &fetched)?;
        token = proto::text(doc.root_element(), &["nextToken"])
            .map(str::to_owned)
            .filter(|t| !t.is_empty());
        drop(doc);
        pages.push((request, fetched));
        if token.is_none() {
            return Ok(pages);
        }
    }
    Err(too_many_pages("ec2", action))
}

fn doc_of(fetched: &Fetched) -> roxmltree::Document<'_> {
    // Validated by `ec2_pages`.
    roxmltree::Document::parse(std::str::from_utf8(&fetched.body).unwrap_or("<x/>"))
        .unwrap_or_else(|_| roxmltree::Document::parse("<x/>").unwrap())
}

fn name_tag(node: roxmltree::Node<'_, '_>) -> Option<String> {
    proto::items(node, &["tagSet"])
        .into_iter()
        .find(|t| proto::text(*t, &["key"]) == Some("Name"))
        .and_then(|t| proto::text(t, &["value"]).map(str::to_owned))
}

pub(crate) fn ec2(aws: &AwsCollector, region: &str, ctx: &mut UnitCtx<'_>) {
    security_groups(aws, region, ctx);
    volumes(aws, region, ctx);
    vpcs(aws, region, ctx);
}

const WORLD: &[&str] = &["0.0.0.0/0", "::/0"];

fn security_groups(aws: &AwsCollector, region: &str, ctx: &mut UnitCtx<'_>) {
    const KIND: &str = "network.security-group";
    let pages = match ec2_pages(aws, region, ctx, "DescribeSecurityGroups", Some(1000)) {
        Ok(pages) => pages,
        Err(err) => return ctx.fail(KIND, region, "*", &err),
    };
    for (_, fetched) in &pages {
        let doc = doc_of(fetched);
        for group in proto::items(doc.root_element(), &["securityGroupInfo"]) {
            let Some(id) = proto::text(group, &["groupId"]) else {
                continue;
            };
            let mut ports = BTreeSet::new();
            let mut all = false;
            for permission in proto::items(group, &["ipPermissions"]) {
                let world = proto::items(permission, &["ipRanges"])
                    .iter()
                    .any(|r| proto::text(*r, &["cidrIp"]).is_some_and(|c| WORLD.contains(&c)))
                    || proto::items(permission, &["ipv6Ranges"]).iter().any(|r| {
                        proto::text(*r, &["cidrIpv6"]).is_some_and(|c| WORLD.contains(&c))
                    });
                if !world {
                    continue;
                }
                let protocol = proto::text(permission, &["ipProtocol"]).unwrap_or("-1");
                if protocol == "-1" {
                    all = true;
                    continue;
                }
                if matches!(protocol, "icmp" | "icmpv6" | "1" | "58") {
                    continue;
                }
                let from =
                    proto::text(permission, &["fromPort"]).and_then(|v| v.parse::<i64>().ok());
                let to = proto::text(permission, &["toPort"]).and_then(|v| v.parse::<i64>().ok());
                match (from, to) {
                    (Some(from), Some(to)) if from <= 0 && to >= 65535 => all = true,
                    (Some(from), Some(to)) if from >= 0 && to >= from => {
                        ports.extend(from..=to.min(65535))
                    }
                    _ => all = true,
                }
            }
            let mut fields = Map::new();
            fields.insert(
                "name".into(),
                json!(proto::text(group, &["groupName"]).unwrap_or(id)),
            );
            if let Some(vpc) = proto::text(group, &["vpcId"]) {
                fields.insert("vpc_id".into(), json!(vpc));
            }
            fields.insert(
                "world_open_ports".into(),
                json!(ports.into_iter().collect::<Vec<_>>()),
            );
            fields.insert("world_open_all".into(), json!(all));
            ctx.record(KIND, region, id, fields, &[&fetched.sha256]);
        }
    }
}

fn volumes(aws: &AwsCollector, region: &str, ctx: &mut UnitCtx<'_>) {
    const KIND: &str = "compute.volume";
    let pages = match ec2_pages(aws, region, ctx, "DescribeVolumes", Some(500)) {
        Ok(pages) => pages,
        Err(err) => return ctx.fail(KIND, region, "*", &err),
    };
    for (_, fetched) in &pages {
        let doc = doc_of(fetched);
        for volume in proto::items(doc.root_element(), &["volumeSet"]) {
            let Some(id) = proto::text(volume, &["volumeId"]) else {
                continue;
            };
            let encrypted = proto::boolean(proto::text(volume, &["encrypted"]));
            let mut sources = vec![fetched.sha256.clone()];
            let customer =
                match proto::text(volume, &["kmsKeyId"]).filter(|k| encrypted && !k.is_empty()) {
                    None => false,
                    Some(key) => match customer_managed(aws, region, ctx, key) {
                        Ok((customer, sha)) => {
                            sources.extend(sha);
                            customer
                        }
                        Err(err) => {
                            ctx.fail(KIND, region, id, &err);
                            continue;
                        }
                    },
                };
            let attached = !proto::items(volume, &["attachmentSet"]).is_empty()
                || proto::text(volume, &["status"]) == Some("in-use");
            let mut fields = Map::new();
            fields.insert("encrypted".into(), json!(encrypted));
            fields.insert("customer_managed_key".into(), json!(customer));
            fields.insert("attached".into(), json!(attached));
            let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
            ctx.record(KIND, region, id, fields, &sources);
        }
    }
}

fn vpcs(aws: &AwsCollector, region: &str, ctx: &mut UnitCtx<'_>) {
    const KIND: &str = "network.vpc";
    let flow_pages = match ec2_pages(aws, region, ctx, "DescribeFlowLogs", Some(1000)) {
        Ok(pages) => pages,
        Err(err) => return ctx.fail(KIND, region, "*", &err),
    };
    let mut logged: BTreeMap<String, String> = BTreeMap::new();
    for (_, fetched) in &flow_pages {
        let doc = doc_of(fetched);
        for flow in proto::items(doc.root_element(), &["flowLogSet"]) {
            let status = proto::text(flow, &["flowLogStatus"]).unwrap_or("ACTIVE");
            if let (Some(resource), "ACTIVE") = (proto::text(flow, &["resourceId"]), status) {
                logged.insert(resource.to_owned(), fetched.sha256.clone());
            }
        }
    }
    let pages = match ec2_pages(aws, region, ctx, "DescribeVpcs", Some(1000)) {
        Ok(pages) => pages,
        Err(err) => return ctx.fail(KIND, region, "*", &err),
    };
    let flow_sources: Vec<&str> = flow_pages.iter().map(|(_, f)| f.sha256.as_str()).collect();
    for (_, fetched) in &pages {
        let doc = doc_of(fetched);
        for vpc in proto::items(doc.root_element(), &["vpcSet"]) {
            let Some(id) = proto::text(vpc, &["vpcId"]) else {
                continue;
            };
            let mut fields = Map::new();
            if let Some(name) = name_tag(vpc) {
                fields.insert("name".into(), json!(name));
            }
            fields.insert(
                "default".into(),
                json!(proto::boolean(proto::text(vpc, &["isDefault"]))),
            );
            fields.insert("flow_log_enabled".into(), json!(logged.contains_key(id)));
            let mut sources = flow_sources.clone();
            sources.push(&fetched.sha256);
            ctx.record(KIND, region, id, fields, &sources);
        }
    }
}

// ---------------------------------------------------------------- CloudTrail

pub(crate) fn cloudtrail(aws: &AwsCollector, region: &str, ctx: &mut UnitCtx<'_>) {
    const KIND: &str = "audit.trail";
    let endpoint = aws.endpoint("cloudtrail", region);
    let request = proto::json(
        "cloudtrail",
        "DescribeTrails",
        TRAIL_TARGET,
        &endpoint,
        &json!({ "includeShadowTrails": true }),
    );
    let (value, list_sha) = match json_call(ctx, &request) {
        Ok(ok) => ok,
        Err(err) => return ctx.fail(KIND, region, "*", &err),
    };
    let Some(trails) = value.get("trailList").and_then(Value::as_array) else {
        return ctx.fail(KIND, region, "*", &proto::missing(&request, "trailList"));
    };
    for trail in trails {
        // A multi-region trail shows in every region; record it once, in its home region.
        if str_field(trail, "HomeRegion").is_some_and(|home| home != region) {
            continue;
        }
        let Some(arn) = str_field(trail, "TrailARN") else {
            continue;
        };
        let mut sources = vec![list_sha.clone()];
        let status = proto::json(
            "cloudtrail",
            "GetTrailStatus",
            TRAIL_TARGET,
            &endpoint,
            &json!({ "Name": arn }),
        );
        let logging = match json_call(ctx, &status) {
            Ok((value, sha)) => {
                sources.push(sha);
                bool_field(&value, "IsLogging")
            }
            Err(err) => {
                ctx.fail(KIND, region, arn, &err);
                continue;
            }
        };
        let selectors = proto::json(
            "cloudtrail",
            "GetEventSelectors",
            TRAIL_TARGET,
            &endpoint,
            &json!({ "TrailName": arn }),
        );
        let management = match json_call(ctx, &selectors) {
            Ok((value, sha)) => {
                sources.push(sha);
                let basic = value
                    .get("EventSelectors")
                    .and_then(Value::as_array)
                    .is_some_and(|list| {
                        list.iter().any(|s| {
                            s.get("IncludeManagementEvents")
                                .and_then(Value::as_bool)
                                .unwrap_or(true)
                        })
                    });
                let advanced = value
                    .get("AdvancedEventSelectors")
                    .and_then(Value::as_array)
                    .is_some_and(|list| {
                        list.iter()
                            .any(|s| s.to_string().contains("\"Management\""))
                    });
                basic || advanced
            }
            Err(err) => {
                ctx.fail(KIND, region, arn, &err);
                continue;
            }
        };
        let mut fields = Map::new();
        fields.insert(
            "name".into(),
            json!(str_field(trail, "Name").unwrap_or(arn)),
        );
        fields.insert("enabled".into(), json!(logging));
        fields.insert(
            "multi_region".into(),
            json!(bool_field(trail, "IsMultiRegionTrail")),
        );
        fields.insert(
            "log_file_validation".into(),
            json!(bool_field(trail, "LogFileValidationEnabled")),
        );
        fields.insert(
            "encrypted".into(),
            json!(str_field(trail, "KmsKeyId").is_some_and(|k| !k.is_empty())),
        );
        fields.insert("management_events".into(), json!(management));
        let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
        ctx.record(KIND, region, arn, fields, &sources);
    }
}

// ---------------------------------------------------------------- Config

pub(crate) fn config(aws: &AwsCollector, region: &str, ctx: &mut UnitCtx<'_>) {
    const KIND: &str = "monitoring.config-recorder";
    let endpoint = aws.endpoint("config", region);
    let request = proto::json(
        "config",
        "DescribeConfigurationRecorders",
        CONFIG_TARGET,
        &endpoint,
        &json!({}),
    );
    let (recorders, sha) = match json_call(ctx, &request) {
        Ok(ok) => ok,
        Err(err) => return ctx.fail(KIND, region, "*", &err),
    };
    let status_request = proto::json(
        "config",
        "DescribeConfigurationRecorderStatus",
        CONFIG_TARGET,
        &endpoint,
        &json!({}),
    );
    let (statuses, status_sha) = match json_call(ctx, &status_request) {
        Ok(ok) => ok,
        Err(err) => return ctx.fail(KIND, region, "*", &err),
    };
    let recording: BTreeMap<&str, bool> = statuses
        .get("ConfigurationRecordersStatus")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| Some((str_field(s, "name")?, bool_field(s, "recording"))))
        .collect();
    let list = recorders
        .get("ConfigurationRecorders")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let account = ctx.account().to_owned();
    if list.is_empty() {
        // No recorder at all: a record that says so, so rules fail rather than find nothing.
        let mut fields = Map::new();
        fields.insert("recording".into(), json!(false));
        fields.insert("all_resources".into(), json!(false));
        let id = format!(
            "arn:{}:config:{region}:{account}:config-recorder/none",
            aws.partition.name()
        );
        return ctx.record(KIND, region, &id, fields, &[&sha, &status_sha]);
    }
    for recorder in &list {
        let name = str_field(recorder, "name").unwrap_or("default");
        let mut fields = Map::new();
        fields.insert(
            "recording".into(),
            json!(recording.get(name).copied().unwrap_or(false)),
        );
        let all = recorder
            .get("recordingGroup")
            .is_some_and(|g| bool_field(g, "allSupported"));
        fields.insert("all_resources".into(), json!(all));
        let id = format!(
            "arn:{}:config:{region}:{account}:config-recorder/{name}",
            aws.partition.name()
        );
        ctx.record(KIND, region, &id, fields, &[&sha, &status_sha]);
    }
}

// ---------------------------------------------------------------- GuardDuty

pub(crate) fn guardduty(aws: &AwsCollector, region: &str, ctx: &mut UnitCtx<'_>) {
    const KIND: &str = "monitoring.threat-detection";
    let endpoint = aws.endpoint("guardduty", region);
    let request = proto::rest_get("guardduty", "ListDetectors", &endpoint, "/detector");
    let (value, sha) = match json_call(ctx, &request) {
        Ok(ok) => ok,
        Err(err) => return ctx.fail(KIND, region, "*", &err),
    };
    let ids: Vec<String> = value
        .get("detectorIds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let account = ctx.account().to_owned();
    if ids.is_empty() {
        let mut fields = Map::new();
        fields.insert("service".into(), json!("guardduty"));
        fields.insert("enabled".into(), json!(false));
        let id = format!(
            "arn:{}:guardduty:{region}:{account}:detector/none",
            aws.partition.name()
        );
        return ctx.record(KIND, region, &id, fields, &[&sha]);
    }
    for detector in ids {
        let id = format!(
            "arn:{}:guardduty:{region}:{account}:detector/{detector}",
            aws.partition.name()
        );
        let get = proto::rest_get(
            "guardduty",
            "GetDetector",
            &endpoint,
            &format!("/detector/{}", proto::encode(&detector)),
        );
        match json_call(ctx, &get) {
            Ok((value, detail_sha)) => {
                let mut fields = Map::new();
                fields.insert("service".into(), json!("guardduty"));
                fields.insert(
                    "enabled".into(),
                    json!(str_field(&value, "status") == Some("ENABLED")),
                );
                ctx.record(KIND, region, &id, fields, &[&sha, &detail_sha]);
            }
            Err(err) => ctx.fail(KIND, region, &id, &err),
        }
    }
}

// ---------------------------------------------------------------- Backup

pub(crate) fn backup(aws: &AwsCollector, region: &str, ctx: &mut UnitCtx<'_>) {
    const KIND: &str = "backup.plan";
    let endpoint = aws.endpoint("backup", region);
    let mut plans = Vec::new();
    let mut list_sources = Vec::new();
    let mut token: Option<String> = None;
    let mut complete = false;
    for _ in 0..MAX_PAGES {
        let mut path = "/backup/plans/?maxResults=1000".to_owned();
        if let Some(t) = &token {
            path.push_str(&format!("&nextToken={}", proto::encode(t)));
        }
        let request = proto::rest_get("backup", "ListBackupPlans", &endpoint, &path);
        let (value, sha) = match json_call(ctx, &request) {
            Ok(ok) => ok,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        list_sources.push(sha);
        for plan in value
            .get("BackupPlansList")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(id), Some(arn)) = (
                str_field(plan, "BackupPlanId"),
                str_field(plan, "BackupPlanArn"),
            ) {
                plans.push((
                    id.to_owned(),
                    arn.to_owned(),
                    str_field(plan, "BackupPlanName").unwrap_or(id).to_owned(),
                ));
            }
        }
        token = str_field(&value, "NextToken")
            .map(str::to_owned)
            .filter(|t| !t.is_empty());
        if token.is_none() {
            complete = true;
            break;
        }
    }
    if !complete {
        return ctx.fail(
            KIND,
            region,
            "*",
            &too_many_pages("backup", "ListBackupPlans"),
        );
    }
    for (id, arn, name) in plans {
        let request = proto::rest_get(
            "backup",
            "GetBackupPlan",
            &endpoint,
            &format!("/backup/plans/{}/", proto::encode(&id)),
        );
        let (value, sha) = match json_call(ctx, &request) {
            Ok(ok) => ok,
            Err(err) => {
                ctx.fail(KIND, region, &arn, &err);
                continue;
            }
        };
        let rules = value
            .pointer("/BackupPlan/Rules")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let retention = rules
            .iter()
            .filter_map(|r| {
                r.pointer("/Lifecycle/DeleteAfterDays")
                    .and_then(Value::as_i64)
            })
            .min();
        let cross_region = rules.iter().any(|r| {
            r.get("CopyActions")
                .and_then(Value::as_array)
                .is_some_and(|copies| {
                    copies.iter().any(|c| {
                        str_field(c, "DestinationBackupVaultArn")
                            .is_some_and(|dest| !dest.contains(&format!(":{region}:")))
                    })
                })
        });
        let mut fields = Map::new();
        fields.insert("name".into(), json!(name));
        fields.insert("enabled".into(), json!(!rules.is_empty()));
        if let Some(days) = retention {
            fields.insert("retention_days".into(), json!(days));
        }
        fields.insert("cross_region_copy".into(), json!(cross_region));
        let mut sources: Vec<&str> = list_sources.iter().map(String::as_str).collect();
        sources.push(&sha);
        ctx.record(KIND, region, &arn, fields, &sources);
    }
}

// ---------------------------------------------------------------- RDS

pub(crate) fn rds(aws: &AwsCollector, region: &str, ctx: &mut UnitCtx<'_>) {
    const KIND: &str = "database.instance";
    let endpoint = aws.endpoint("rds", region);
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut params = vec![("MaxRecords", "100".to_owned())];
        if let Some(m) = &marker {
            params.push(("Marker", m.clone()));
        }
        let request = proto::query(
            "rds",
            "DescribeDBInstances",
            RDS_VERSION,
            &endpoint,
            &params,
        );
        let fetched = match ctx.send_ok(&request) {
            Ok(f) => f,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        let doc = match proto::xml(&request, &fetched) {
            Ok(doc) => doc,
            Err(err) => return ctx.fail(KIND, region, "*", &err),
        };
        let Some(result) = proto::descendant(doc.root_element(), "DescribeDBInstancesResult")
        else {
            return ctx.fail(
                KIND,
                region,
                "*",
                &proto::missing(&request, "DescribeDBInstancesResult"),
            );
        };
        let instances: Vec<_> = proto::child(result, "DBInstances")
            .into_iter()
            .flat_map(|list| list.children().filter(|n| n.is_element()))
            .collect();
        for db in instances {
            let Some(arn) =
                proto::text(db, &["DBInstanceArn"]).or(proto::text(db, &["DBInstanceIdentifier"]))
            else {
                continue;
            };
            let mut fields = Map::new();
            fields.insert(
                "engine".into(),
                json!(proto::text(db, &["Engine"]).unwrap_or("")),
            );
            fields.insert(
                "encrypted".into(),
                json!(proto::boolean(proto::text(db, &["StorageEncrypted"]))),
            );
            fields.insert(
                "public".into(),
                json!(proto::boolean(proto::text(db, &["PubliclyAccessible"]))),
            );
            let retention = proto::text(db, &["BackupRetentionPeriod"])
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0);
            fields.insert("backup_retention_days".into(), json!(retention));
            fields.insert(
                "multi_az".into(),
                json!(proto::boolean(proto::text(db, &["MultiAZ"]))),
            );
            ctx.record(KIND, region, arn, fields, &[&fetched.sha256]);
        }
        marker = proto::text(result, &["Marker"])
            .map(str::to_owned)
            .filter(|m| !m.is_empty());
        if marker.is_none() {
            return;
        }
    }
    ctx.fail(
        KIND,
        region,
        "*",
        &too_many_pages("rds", "DescribeDBInstances"),
    );
}
