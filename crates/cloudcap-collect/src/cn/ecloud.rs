//! China Mobile Cloud (移动云, ecloud) collector: OpenAPI calls signed with `V2.0`
//! ([`super::sign_ecloud`]) to one resource pool's API gateway: its region listing and its
//! security groups with their rules. Every other kind is `not-implemented`: no public source names
//! the call or the fields that would evidence it (see the gap table in `docs/collectors.md`).
//!
//! Calls, parameters and fields: the paths and JSON names of the public Go SDK for ecloud
//! `aesirteam/cmecloud-golang-sdk` (`ecloud/core/region.go`, `ecloud/vm/SecurityGroup/*.go`,
//! `ecloud/global/const.go`); the answer envelope (`state`, `body`, `errorCode`, `errorMessage`,
//! `requestId`) from its `ecloud/core/EcloudClient.go`. Listings page with `page`/`size` and are
//! read until a short page ([`paging::list`]). See `docs/collectors.md`.

use cloudcap_evidence::SecurityGroup;
use serde_json::Value;

use crate::allow::AllowList;
use crate::cn::call::Call;
use crate::cn::ingress::{self, Proto, Span, Tie};
use crate::cn::paging::{self, More, Page};
use crate::cn::sign_ecloud::EcloudSigner;
use crate::cn::{CnConfig, Discovery, Endpoint, Send, is_world, not_implemented, s, unit};
use crate::http::{CallError, HttpClient};
use crate::runner::{Collector, Unit, UnitCtx};

/// The API gateway the source SDK addresses by default (`ApiGwHost`, HTTPS port 8443); another
/// resource pool is reached with `--endpoint-url`.
pub const GATEWAY: &str = "api-guangzhou-2.cmecloud.cn:8443";

/// Items per page we ask for (`size`); the source SDK states no maximum.
pub const PAGE_SIZE: u64 = 50;

/// The kinds this collector evidences; every other kind of [`super::KINDS`] is `not-implemented`.
pub const EVIDENCED: &[&str] = &["network.security-group", "region.inventory"];

/// The read-only actions this collector may call.
pub fn allow_list() -> AllowList {
    AllowList::new(
        "ecloud",
        &[
            ("region", "GetRegionList"),
            ("securitygroup", "GetSecurityGroupList"),
            ("securitygroup", "GetSecurityGroupRules"),
        ],
    )
}

pub(crate) fn client(config: &CnConfig) -> Result<HttpClient, String> {
    HttpClient::new(
        config.http.clone(),
        allow_list(),
        Box::new(EcloudSigner::new(config.credentials.clone())),
    )
}

/// A GET call to the gateway.
fn get(service: &'static str, action: &'static str, path: &str, query: &[(&str, String)]) -> Call {
    let mut call = Call::new(service, action, "global", GATEWAY.to_owned());
    call.path = path.to_owned();
    call.headers = vec![
        ("Content-Type".into(), "application/json".into()),
        ("Accept".into(), "application/json".into()),
    ];
    call.query = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    call
}

/// The list an answer's `body` holds: `body` itself, or its `content` (the source SDK reads
/// `content` when present).
fn body_items(
    answer: &Value,
    service: &'static str,
    action: &'static str,
) -> Result<Vec<Value>, CallError> {
    let body = &answer["body"];
    if body.get("content").is_some() {
        paging::items(answer, &["body", "content"], service, action)
    } else {
        paging::items(answer, &["body"], service, action)
    }
}

/// China Mobile Cloud in the shared pipeline ([`super::cloud::CnCloud`]).
pub(crate) struct Ecloud;

impl super::cloud::CnCloud for Ecloud {
    fn client(&self, config: &CnConfig) -> Result<HttpClient, String> {
        client(config)
    }

    /// No source names a call that returns the account (user) id: no request is sent and the
    /// account is recorded as `unknown`.
    fn identify(&self, _: &Endpoint, _: &mut Send<'_>) -> Result<Discovery, CallError> {
        Ok(Discovery {
            account: "unknown".to_owned(),
            ..Discovery::default()
        })
    }

    /// `GET /api/v2/region?component=NOVA` (`GetRegionList`).
    fn region_listing(&self, _: &Discovery) -> Call {
        get(
            "region",
            "GetRegionList",
            "/api/v2/region",
            &[("component", "NOVA".to_owned())],
        )
    }

    /// `region` of each entry (entries marked `deleted` are left out).
    fn region_ids(&self, answer: &Value, _: &Discovery) -> Vec<String> {
        body_items(answer, "region", "GetRegionList")
            .unwrap_or_default()
            .iter()
            .filter(|r| r.get("deleted").and_then(Value::as_bool) != Some(true))
            .map(|r| s(r, "region").to_owned())
            .filter(|r| !r.is_empty())
            .collect()
    }

    fn collector(&self, endpoint: Endpoint, discovery: &Discovery) -> Box<dyn Collector> {
        Box::new(EcloudCollector {
            endpoint,
            regions: discovery.regions.clone(),
        })
    }

    fn object_store(&self) -> super::sign_objstore::ObjectStore {
        // Never used: `collects_object_store` is false (EOS speaks S3, not collected here).
        super::sign_objstore::ObjectStore::Oss
    }

    fn collects_object_store(&self) -> bool {
        false
    }

    /// No call of the sourced API names the account: `--account-id` may declare it.
    fn names_account(&self) -> bool {
        false
    }

    /// Security groups are listed per resource pool (the gateway), not per region.
    fn account_wide(&self) -> &'static [&'static str] {
        &["network.security-group"]
    }

    /// China Mobile Cloud's region listing names no location, and no source we can cite maps
    /// its pools to places (the vendor also runs pools outside the mainland): not known, so
    /// the inventory record leaves `mainland_china` out and residency is not evaluated.
    fn is_mainland(&self, _region: &str) -> Option<bool> {
        None
    }
}

pub(crate) struct EcloudCollector {
    endpoint: Endpoint,
    regions: Vec<String>,
}

/// Account-wide kinds recorded once, `not-implemented`: the shared account-wide ones.
const GLOBAL_UNREAD: &[&str] = super::ACCOUNT_WIDE;

/// Kinds recorded per region (`not-implemented`): regional and not evidenced.
fn unread_regional() -> Vec<&'static str> {
    super::unread_regional(EVIDENCED)
}

impl Collector for EcloudCollector {
    fn provider(&self) -> cloudcap_evidence::Provider {
        cloudcap_evidence::Provider::Ecloud
    }

    fn units(&self) -> Vec<Unit> {
        let mut units = vec![
            unit("securitygroup", "global", &["network.security-group"]),
            unit("unread", "global", GLOBAL_UNREAD),
        ];
        let regional = unread_regional();
        // Without a region (the listing failed and none was asked for): one `global` scope.
        let regions = if self.regions.is_empty() {
            vec!["global".to_owned()]
        } else {
            self.regions.clone()
        };
        for region in &regions {
            units.push(unit("unread", region, &regional));
        }
        units
    }

    fn collect(&self, unit: &Unit, ctx: &mut UnitCtx<'_>) {
        match unit.service {
            "securitygroup" => self.security_groups(ctx),
            _ => {
                let err = not_implemented(
                    "ecloud",
                    "not read by this version of cloudcap: no public China Mobile Cloud SDK or API reference we found names a call that evidences this kind",
                );
                for (kind, region) in &unit.scopes {
                    ctx.fail(kind, region, "*", &err);
                }
            }
        }
    }
}

impl EcloudCollector {
    /// `GET /api/securitygroup` (`types=VM`, `page`, `size`) read to a short page, then
    /// `GET /api/securitygrouprule?securityGroupId=` per group. World-open: an `ingress` rule
    /// whose `remoteIpPrefix` is the whole internet; protocol `ANY` opens every port, `TCP` /
    /// `UDP` open `portRangeMin..=portRangeMax` (both absent: every port); ICMP and IGMP have no
    /// ports. A rule without a usable range is `malformed` for its group.
    fn security_groups(&self, ctx: &mut UnitCtx<'_>) {
        const KIND: &str = "network.security-group";
        const SERVICE: &str = "securitygroup";
        let list = paging::list(
            SERVICE,
            "GetSecurityGroupList",
            self.endpoint.max_pages,
            |cursor| {
                let call = get(
                    SERVICE,
                    "GetSecurityGroupList",
                    "/api/securitygroup",
                    &[
                        ("types", "VM".to_owned()),
                        ("page", cursor.number.to_string()),
                        ("size", PAGE_SIZE.to_string()),
                    ],
                );
                let (v, sha) = self.endpoint.unit_call(ctx, call)?;
                let got = body_items(&v, SERVICE, "GetSecurityGroupList")?;
                let more = if (got.len() as u64) < PAGE_SIZE {
                    More::Done
                } else {
                    More::Token((cursor.number + 1).to_string())
                };
                Ok(Page {
                    items: got.into_iter().map(|g| (g, sha.clone())).collect(),
                    more,
                })
            },
        );
        let groups = match list {
            Ok(g) => g,
            Err(err) => return ctx.fail(KIND, "global", "*", &err),
        };
        ctx.touch(KIND, "global");
        for (group, list_sha) in groups {
            let id = s(&group, "id").to_owned();
            let call = get(
                SERVICE,
                "GetSecurityGroupRules",
                "/api/securitygrouprule",
                &[("securityGroupId", id.clone())],
            );
            let (answer, sha) = match self.endpoint.unit_call(ctx, call) {
                Ok(x) => x,
                Err(err) => {
                    ctx.fail(KIND, "global", &id, &err);
                    continue;
                }
            };
            let rules = match body_items(&answer, SERVICE, "GetSecurityGroupRules") {
                Ok(r) => r,
                Err(err) => {
                    ctx.fail(KIND, "global", &id, &err);
                    continue;
                }
            };
            let reach = rules
                .iter()
                .map(world_rule)
                .collect::<Result<Vec<_>, _>>()
                .map(|r| r.into_iter().flatten().collect::<Vec<_>>())
                // Every rule accepts: no drop rule to weigh, so no tie either.
                .and_then(|r| ingress::world_reach(&r, Tie::Unknown));
            let (ports, all) = match reach {
                Ok(fields) => fields,
                Err(message) => {
                    let err = super::malformed(SERVICE, &format!("security group {id}: {message}"));
                    ctx.fail(KIND, "global", &id, &err);
                    continue;
                }
            };
            ctx.put(
                "global",
                &id,
                &[list_sha.as_str(), sha.as_str()],
                |envelope| SecurityGroup {
                    envelope,
                    name: s(&group, "name").to_owned(),
                    vpc_id: None,
                    // Groups here are not tied to a network: whether one serves a classic
                    // network is not in the answer.
                    classic_network: None,
                    world_open_ports: ports,
                    world_open_all: all,
                },
            );
        }
    }
}

/// The rule, if it is an ingress rule from the whole internet (every rule accepts); an
/// unreadable rule is an error (never skipped).
fn world_rule(rule: &Value) -> Result<Option<ingress::Rule>, String> {
    if !s(rule, "direction").eq_ignore_ascii_case("ingress") {
        return Ok(None);
    }
    let cidr = s(rule, "remoteIpPrefix");
    if !is_world(cidr) {
        return Ok(None);
    }
    let id = s(rule, "id");
    let port = |k: &str| -> Result<Option<i64>, String> {
        match rule.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_i64()
                .or_else(|| v.as_str().and_then(|t| t.trim().parse().ok()))
                .map(Some)
                .ok_or_else(|| format!("rule {id}: `{k}` is not a port: {v}")),
        }
    };
    let ranged = |from: i64, to: i64| -> Result<Span, String> {
        if from <= 1 && to >= 65535 {
            return Ok(Span::All);
        }
        match (u16::try_from(from), u16::try_from(to)) {
            (Ok(a), Ok(b)) if a >= 1 && a <= b => Ok(Span::Ranges(vec![(a, b)])),
            _ => Err(format!("rule {id}: {from}-{to} is not a port range")),
        }
    };
    let (proto, span) = match s(rule, "protocol").to_ascii_uppercase().as_str() {
        "ANY" => (Proto::Any, Span::All),
        p @ ("TCP" | "UDP") => {
            let span = match (port("portRangeMin")?, port("portRangeMax")?) {
                (None, None) => Span::All,
                (Some(from), Some(to)) => ranged(from, to)?,
                (Some(p), None) | (None, Some(p)) => ranged(p, p)?,
            };
            (if p == "TCP" { Proto::Tcp } else { Proto::Udp }, span)
        }
        "ICMP" | "IGMP" => (Proto::Portless, Span::All),
        other => {
            return Err(format!(
                "rule {id}: protocol {other:?} is not one the SDK defines"
            ));
        }
    };
    Ok(Some(ingress::Rule {
        id: id.to_owned(),
        rank: None,
        accept: true,
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
        let rules = rules.as_array().unwrap().iter().map(world_rule);
        let rules = rules.collect::<Result<Vec<_>, _>>()?;
        ingress::world_reach(
            &rules.into_iter().flatten().collect::<Vec<_>>(),
            Tie::Unknown,
        )
    }

    #[test]
    fn ingress_from_the_internet_only() {
        let got = open(json!([
            {"id": "1", "direction": "ingress", "protocol": "TCP", "portRangeMin": 22, "portRangeMax": 22, "remoteIpPrefix": "0.0.0.0/0"},
            {"id": "2", "direction": "egress", "protocol": "ANY", "remoteIpPrefix": "0.0.0.0/0"},
            {"id": "3", "direction": "ingress", "protocol": "TCP", "portRangeMin": 3306, "portRangeMax": 3306, "remoteIpPrefix": "10.0.0.0/8"},
            {"id": "4", "direction": "ingress", "protocol": "UDP", "portRangeMin": 53, "portRangeMax": 54, "remoteIpPrefix": "::/0"},
            {"id": "5", "direction": "ingress", "protocol": "ICMP", "remoteIpPrefix": "0.0.0.0/0"}
        ]))
        .unwrap();
        assert_eq!(got, (vec![22, 53, 54], false));
    }

    #[test]
    fn any_protocol_or_no_range_opens_every_port() {
        let any = json!([{"id": "1", "direction": "ingress", "protocol": "ANY", "remoteIpPrefix": "0.0.0.0/0"}]);
        assert!(open(any).unwrap().1);
        let tcp = json!([{"id": "1", "direction": "ingress", "protocol": "TCP", "remoteIpPrefix": "0.0.0.0/0"}]);
        assert!(open(tcp).unwrap().1);
    }

    #[test]
    fn unknown_protocols_and_ports_are_errors() {
        let bad = json!([{"id": "1", "direction": "ingress", "protocol": "GRE", "remoteIpPrefix": "0.0.0.0/0"}]);
        assert!(open(bad).is_err());
        let bad = json!([{"id": "1", "direction": "ingress", "protocol": "TCP", "portRangeMin": "x", "remoteIpPrefix": "0.0.0.0/0"}]);
        assert!(open(bad).is_err());
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
