//! Engine properties on random evidence against the shipped catalog.

// Tests may read the environment and the clock and print (clippy.toml's rules are for the
// library code).
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

use cloudcap_catalog::{Catalog, Require, Responsibility, Tier};
use cloudcap_engine::{
    Attestation, AttestationResult, CollectionStatus, DecidedBy, Evidence, ItemReport, Method,
    Options, Record, Report, ResultState, WaiverStatus, assess, assess_reference, recombine,
};
use cloudcap_evidence::{CollectionOutcome, ErrorClass, Provider};
use proptest::prelude::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn catalog() -> Catalog {
    let (c, d) = cloudcap_catalog::load(&cloudcap_catalog::embedded_source());
    assert!(d.is_empty(), "{d:?}");
    c.unwrap()
}

fn opts(threads: usize) -> Options {
    Options {
        at: "2026-11-25T00:00:00Z".into(),
        target_tier: Tier::Advanced,
        tool_version: "test".into(),
        threads,
        waivers: vec![],
    }
}

const KINDS: &[&str] = &[
    "identity.password-policy",
    "identity.user",
    "identity.access-key",
    "audit.trail",
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

/// A small deterministic PRNG so a proptest seed expands into a whole bundle.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn bool(&mut self) -> bool {
        self.next() % 2 == 0
    }
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }
    fn ts(&mut self) -> String {
        format!(
            "2026-{:02}-{:02}T08:00:00Z",
            self.int(1, 11),
            self.int(1, 28)
        )
    }
}

fn fields(kind: &str, rng: &mut Rng) -> Value {
    let mut v = match kind {
        "identity.password-policy" => {
            json!({"configured": rng.bool(), "min_length": rng.int(4, 16), "require_uppercase": rng.bool(), "require_lowercase": rng.bool(), "require_numbers": rng.bool(), "require_symbols": rng.bool(), "min_char_classes": rng.int(0, 4), "max_age_days": rng.int(0, 180), "reuse_prevention": rng.int(0, 5), "max_login_attempts": rng.int(0, 10)})
        }
        "identity.user" => {
            json!({"name": format!("u{}", rng.next() % 1000), "root": rng.next() % 5 == 0, "console_access": rng.bool(), "mfa_enabled": rng.bool(), "privileged": rng.bool(), "created_at": rng.ts(), "last_login_at": rng.ts(), "never_logged_in": rng.next() % 4 == 0})
        }
        "identity.access-key" => {
            json!({"user": "u", "root": rng.next() % 5 == 0, "active": rng.bool(), "created_at": rng.ts(), "last_used_at": rng.ts(), "never_used": rng.next() % 4 == 0})
        }
        "audit.trail" => {
            json!({"name": "t", "enabled": rng.bool(), "multi_region": rng.bool(), "log_file_validation": rng.bool(), "encrypted": rng.bool(), "management_events": rng.bool(), "retention_days": rng.int(30, 400)})
        }
        "monitoring.config-recorder" => {
            json!({"recording": rng.bool(), "all_resources": rng.bool()})
        }
        "crypto.key" => {
            let origin = ["provider", "external", "hsm"][(rng.next() % 3) as usize];
            json!({"customer_managed": rng.bool(), "enabled": rng.bool(), "rotation_enabled": rng.bool(), "symmetric": rng.next() % 4 != 0, "origin": origin})
        }
        "storage.bucket" => {
            json!({"name": "b", "encrypted": rng.bool(), "customer_managed_key": rng.bool(), "versioning": rng.bool(), "public": rng.bool(), "public_access_block": rng.bool(), "access_logging": rng.bool()})
        }
        "network.security-group" => {
            let ports: Vec<i64> = [22, 80, 443, 3306, 3389]
                .into_iter()
                .filter(|_| rng.next() % 3 == 0)
                .collect();
            json!({"name": "sg", "vpc_id": "vpc-1", "world_open_ports": ports, "world_open_all": rng.next() % 6 == 0})
        }
        "network.vpc" => {
            json!({"name": "v", "default": rng.bool(), "flow_log_enabled": rng.bool()})
        }
        "compute.volume" => {
            json!({"encrypted": rng.bool(), "customer_managed_key": rng.bool(), "attached": rng.bool()})
        }
        "database.instance" => {
            json!({"engine": "mysql", "encrypted": rng.bool(), "public": rng.bool(), "backup_retention_days": rng.int(0, 35), "multi_az": rng.bool()})
        }
        "backup.plan" => {
            json!({"name": "p", "enabled": rng.bool(), "retention_days": rng.int(1, 400), "cross_region_copy": rng.bool(), "copy_outside_mainland": rng.next() % 3 == 0})
        }
        "monitoring.threat-detection" => json!({"service": "gd", "enabled": rng.bool()}),
        "region.inventory" => {
            json!({"mainland_china": rng.bool(), "collected": true, "holds_data": rng.bool(), "resource_count": rng.int(0, 50)})
        }
        other => panic!("unknown kind {other}"),
    };
    if rng.next() % 7 == 0 {
        // Optional fields are sometimes absent.
        if let Some(o) = v.as_object_mut() {
            // Fields a provider may not report (docs/evidence-kinds.md).
            for f in [
                "max_login_attempts",
                "min_char_classes",
                "last_login_at",
                "never_logged_in",
                "last_used_at",
                "never_used",
                "retention_days",
                "log_file_validation",
                "encrypted",
                "all_resources",
                "rotation_enabled",
                "symmetric",
                "public_access_block",
                "cross_region_copy",
                "copy_outside_mainland",
                "vpc_id",
                "max_age_days",
            ] {
                if rng.bool() {
                    o.remove(f);
                }
            }
        }
    }
    v
}

fn sha(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A random bundle: records of every kind over two regions, statuses (some failed), attestations.
fn random_evidence(catalog: &Catalog, seed: u64, max_per_kind: u64) -> Evidence {
    let mut rng = Rng(seed | 1);
    let mut ev = Evidence {
        bundle_merkle_root: "00".repeat(32),
        bundle_created_at: "2026-11-20T08:00:00Z".into(),
        ..Evidence::default()
    };
    for kind in KINDS {
        if rng.next() % 10 == 0 {
            continue; // never collected
        }
        for region in ["cn-north-1", "cn-shanghai"] {
            let failed = rng.next() % 8 == 0;
            let n = if failed {
                0
            } else {
                rng.next() % (max_per_kind + 1)
            };
            for i in 0..n {
                let mut v = fields(kind, &mut rng);
                let id = format!("{kind}/{region}/{i}");
                let o = v.as_object_mut().unwrap();
                for (k, val) in [
                    ("schema_version", json!(1)),
                    ("kind", json!(kind)),
                    ("provider", json!("sample")),
                    ("account", json!("a1")),
                    ("region", json!(region)),
                    ("resource_id", json!(id)),
                    ("sources", json!([])),
                ] {
                    o.insert(k.into(), val);
                }
                ev.records.push(Record {
                    sha256: sha(&v.to_string()),
                    kind: (*kind).into(),
                    provider: Provider::Sample,
                    account: "a1".into(),
                    region: region.into(),
                    resource_id: id,
                    value: v,
                });
            }
            ev.statuses.push(CollectionStatus {
                sha256: sha(&format!("{kind}{region}{failed}{n}")),
                object: cloudcap_evidence::CollectionStatus {
                    kind: (*kind).into(),
                    provider: Provider::Sample,
                    account: "a1".into(),
                    region: region.into(),
                    status: if failed {
                        CollectionOutcome::Error
                    } else {
                        CollectionOutcome::Ok
                    },
                    error_class: failed.then_some(ErrorClass::AccessDenied),
                    message: failed.then(|| "denied".into()),
                    record_count: n,
                },
            });
        }
    }
    let manual: Vec<_> = catalog
        .controls
        .iter()
        .filter(|c| c.rules.is_empty())
        .collect();
    for k in 0..(rng.next() % 40) {
        let c = manual[(rng.next() as usize) % manual.len()];
        let result = AttestationResult::ALL[(rng.next() % 4) as usize];
        ev.attestations.push(Attestation {
            sha256: sha(&format!("att{k}{}", c.id)),
            object: cloudcap_evidence::Attestation {
                control: c.id.clone(),
                item: None,
                method: Method::Interview,
                result,
                assessor: "A".into(),
                date: jiff::civil::date(2026, 1 + (rng.next() % 12) as i8, 1),
                expires: None,
                note: Some("checked".into()),
                attachments: vec![],
            },
        });
    }
    ev
}

fn json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap()
}

fn all_scores(r: &Report) -> Vec<u32> {
    let mut v = vec![r.summary.overall.score_bp];
    v.extend(r.summary.tiers.iter().map(|t| t.score.score_bp));
    for f in &r.families {
        v.extend(f.scores.values().map(|s| s.score_bp));
    }
    v
}

#[test]
fn report_is_byte_identical_across_runs_and_threads() {
    let catalog = catalog();
    let ev = random_evidence(&catalog, 42, 400);
    let a = json(&assess(&catalog, &ev, &opts(1)).unwrap());
    for threads in [1, 2, 4, 7] {
        assert_eq!(
            a,
            json(&assess(&catalog, &ev, &opts(threads)).unwrap()),
            "threads={threads}"
        );
    }
}

#[test]
fn no_evidence_means_nothing_is_satisfied_by_rules() {
    let catalog = catalog();
    let r = assess(&catalog, &Evidence::default(), &opts(1)).unwrap();
    for c in &r.controls {
        for item in &c.items {
            assert_eq!(
                item.result,
                ResultState::NotEvaluated,
                "{}/{}",
                c.id,
                item.id
            );
        }
    }
    assert_eq!(r.summary.overall.score_bp, 0);
    assert_eq!(r.summary.overall.coverage_bp, 0);
    assert_eq!(r.summary.tier_achieved, None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn optimized_matches_reference(seed in any::<u64>()) {
        let catalog = catalog();
        let ev = random_evidence(&catalog, seed, 30);
        let fast = assess(&catalog, &ev, &opts(2)).unwrap();
        let slow = assess_reference(&catalog, &ev, &opts(1)).unwrap();
        prop_assert_eq!(json(&fast), json(&slow));
    }

    #[test]
    fn permuting_evidence_changes_nothing(seed in any::<u64>(), perm in any::<u64>()) {
        let catalog = catalog();
        let ev = random_evidence(&catalog, seed, 20);
        let base = json(&assess(&catalog, &ev, &opts(1)).unwrap());
        let mut shuffled = ev.clone();
        let mut rng = Rng(perm | 1);
        for v in [&mut shuffled.records] { for i in (1..v.len()).rev() { let j = (rng.next() as usize) % (i + 1); v.swap(i, j); } }
        for i in (1..shuffled.statuses.len()).rev() { let j = (rng.next() as usize) % (i + 1); shuffled.statuses.swap(i, j); }
        for i in (1..shuffled.attestations.len()).rev() { let j = (rng.next() as usize) % (i + 1); shuffled.attestations.swap(i, j); }
        prop_assert_eq!(&base, &json(&assess(&catalog, &shuffled, &opts(3)).unwrap()));
        // Permuting the catalog's controls changes nothing either (the engine sorts by clause).
        let mut cat2 = catalog.clone();
        cat2.controls.reverse();
        let r2 = assess(&cat2, &ev, &opts(1)).unwrap();
        prop_assert_eq!(r2.summary.overall.score_bp, serde_json::from_str::<Report>(&base).unwrap().summary.overall.score_bp);
    }

    #[test]
    fn scores_stay_in_range_and_not_evaluated_is_never_satisfied(seed in any::<u64>()) {
        let catalog = catalog();
        let r = assess(&catalog, &random_evidence(&catalog, seed, 20), &opts(1)).unwrap();
        for s in all_scores(&r) { prop_assert!(s <= 10_000); }
        for c in &r.controls {
            for (tier, res) in &c.results {
                // The provider's items only: customer items take no part in a control's result.
                let items: Vec<_> = c.items.iter().filter(|i| i.tier <= *tier && i.responsibility.scores_provider() && i.result != ResultState::NotApplicable).collect();
                let unsettled = |i: &&ItemReport| i.result == ResultState::NotEvaluated || (i.decided_by == DecidedBy::Rules && i.rules.iter().any(|r| r.result == ResultState::NotEvaluated));
                if items.iter().any(unsettled) {
                    prop_assert!(res.result.points() == 0, "{} at {:?} is {:?} with an item not wholly evaluated", c.id, tier, res.result);
                }
            }
            for item in &c.items {
                for rule in &item.rules {
                    // Missing evidence is never a pass: with `require = all` any gap keeps a rule
                    // from being satisfied; with `require = any` only a passing record satisfies it.
                    let gap = rule.status_evidence.is_empty() || !rule.incomplete.is_empty() || !rule.errors.is_empty() || !rule.not_reported.is_empty();
                    if rule.require == Require::All && gap {
                        prop_assert!(rule.result != ResultState::Satisfied, "{}/{} satisfied on missing evidence", c.id, rule.id);
                    }
                    if rule.result == ResultState::Satisfied {
                        prop_assert!(rule.passed > 0, "{}/{} satisfied without a passing record", c.id, rule.id);
                    }
                    // Unknown is never false: a rule fails only on records that fail.
                    if matches!(rule.result, ResultState::NotSatisfied | ResultState::PartiallySatisfied) && rule.in_scope > 0 {
                        prop_assert!(!rule.failed.is_empty(), "{}/{} fails with no failing record", c.id, rule.id);
                    }
                    for nr in &rule.not_reported {
                        prop_assert!(!rule.failed.iter().any(|f| f.evidence == nr.evidence), "{}/{}: an unreported record counted as failing", c.id, rule.id);
                    }
                }
            }
            // A key control blocks every tier at which it is not fully satisfied.
            if c.key {
                for t in &r.summary.tiers {
                    if let Some(res) = c.result_at(t.tier) {
                        if res != ResultState::Satisfied && res != ResultState::NotApplicable {
                            prop_assert!(!t.reached, "{} is {:?} at {:?} but the tier is reached", c.id, res, t.tier);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn fixing_one_item_never_lowers_a_score(seed in any::<u64>(), pick in any::<u64>()) {
        let catalog = catalog();
        let before = assess(&catalog, &random_evidence(&catalog, seed, 20), &opts(1)).unwrap();
        let failing: Vec<(usize, usize)> = before.controls.iter().enumerate().flat_map(|(ci, c)| c.items.iter().enumerate().filter(|(_, i)| i.result == ResultState::NotSatisfied).map(move |(ii, _)| (ci, ii))).collect();
        prop_assume!(!failing.is_empty());
        let (ci, ii) = failing[(pick as usize) % failing.len()];
        let mut after = before.clone();
        after.controls[ci].items[ii].result = ResultState::Satisfied;
        recombine(&catalog, &mut after);
        for (b, a) in all_scores(&before).into_iter().zip(all_scores(&after)) {
            prop_assert!(a >= b, "score fell from {b} to {a}");
        }
        prop_assert!(after.summary.tier_achieved >= before.summary.tier_achieved);
    }

    #[test]
    fn customer_items_never_move_the_provider_score(seed in any::<u64>(), to in 0usize..5) {
        let catalog = catalog();
        let before = assess(&catalog, &random_evidence(&catalog, seed, 20), &opts(1)).unwrap();
        let mut after = before.clone();
        let state = ResultState::ALL[to];
        let mut changed = 0;
        for c in &mut after.controls {
            for i in c.items.iter_mut().filter(|i| i.responsibility == Responsibility::Customer) {
                i.result = state;
                i.decided_by = DecidedBy::Attestation;
                changed += 1;
            }
        }
        prop_assert!(changed > 0);
        recombine(&catalog, &mut after);
        prop_assert_eq!(all_scores(&before), all_scores(&after));
        prop_assert_eq!(&before.summary.tiers, &after.summary.tiers);
        for (b, a) in before.controls.iter().zip(&after.controls) {
            prop_assert_eq!(&b.results, &a.results, "{}", b.id);
        }
        // The customer's part lists every customer item, with its (changed) result.
        prop_assert_eq!(after.customer_part.items.len(), changed);
        prop_assert!(after.customer_part.items.iter().all(|i| i.result == state));
        prop_assert_eq!(after.customer_part.counts.get(&state).copied(), Some(changed as u32));
    }

    #[test]
    fn removing_evidence_never_raises_a_score_or_tier(seed in any::<u64>(), drop in any::<u64>()) {
        let catalog = catalog();
        let ev = random_evidence(&catalog, seed, 15);
        let before = assess(&catalog, &ev, &opts(1)).unwrap();
        let mut less = ev.clone();
        let mut rng = Rng(drop | 1);
        less.records.retain(|_| rng.next() % 4 != 0);
        // Statuses disappear a whole kind at a time (a kind that was never collected). Dropping
        // one scope's error status alone would hide that the scope exists at all; that is
        // tampering, which bundle verification (hashes, Merkle root) rejects before assessment.
        let dropped: Vec<&str> = KINDS.iter().copied().filter(|_| rng.next() % 6 == 0).collect();
        less.statuses.retain(|s| !dropped.contains(&s.kind.as_str()));
        // One attestation per scope at most here, so removal cannot reveal an older one.
        less.attestations.retain(|_| rng.next() % 3 != 0);
        let after = assess(&catalog, &less, &opts(1)).unwrap();
        let only_latest = |e: &Evidence| { let mut keys: Vec<_> = e.attestations.iter().map(|a| (&a.control, &a.item)).collect(); let n = keys.len(); keys.sort(); keys.dedup(); n == keys.len() };
        prop_assume!(only_latest(&ev));
        for (b, a) in all_scores(&before).into_iter().zip(all_scores(&after)) {
            prop_assert!(a <= b, "score rose from {b} to {a}");
        }
        prop_assert!(after.summary.tier_achieved <= before.summary.tier_achieved);
    }
}

fn bucket(name: &str, encrypted: bool) -> Record {
    let v = json!({"schema_version": 1, "kind": "storage.bucket", "provider": "aws", "account": "111", "region": "cn-north-1", "resource_id": name, "sources": [],
        "name": name, "encrypted": encrypted, "customer_managed_key": false, "versioning": true, "public": false, "public_access_block": true, "access_logging": true});
    Record {
        sha256: sha(&v.to_string()),
        kind: "storage.bucket".into(),
        provider: Provider::Aws,
        account: "111".into(),
        region: "cn-north-1".into(),
        resource_id: name.into(),
        value: v,
    }
}

fn waiver(
    id: &str,
    control: &str,
    resource: Option<&str>,
    mode: &str,
    effective: &str,
    expires: &str,
) -> String {
    let res = resource
        .map(|r| format!("resource = \"{r}\"\n"))
        .unwrap_or_default();
    format!(
        "[[waiver]]\nid = \"{id}\"\ncontrol = \"{control}\"\n{res}mode = \"{mode}\"\njustification = \"legacy\"\napprover = \"CISO\"\nticket = \"SEC-1\"\nrisk = \"medium\"\neffective = \"{effective}\"\nexpires = \"{expires}\"\n"
    )
}

#[test]
fn waivers_apply_expire_and_report_unused() {
    let catalog = catalog();
    let ev = Evidence {
        records: vec![
            bucket("logs-1", false),
            bucket("data-1", true),
            bucket("data-2", false),
        ],
        statuses: vec![CollectionStatus {
            sha256: sha("st"),
            object: cloudcap_evidence::CollectionStatus {
                kind: "storage.bucket".into(),
                provider: Provider::Aws,
                account: "111".into(),
                region: "cn-north-1".into(),
                status: CollectionOutcome::Ok,
                error_class: None,
                message: None,
                record_count: 3,
            },
        }],
        ..Evidence::default()
    };
    let text = [
        waiver(
            "accept-logs",
            "dp-9.2",
            Some("logs-*"),
            "accept-risk",
            "2026-01-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        ),
        waiver(
            "na-data2",
            "dp-9.2",
            Some("data-2"),
            "not-applicable",
            "2026-01-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        ),
        // Expires exactly at the assessment time: no longer applies.
        waiver(
            "expired",
            "dp-9.9",
            None,
            "not-applicable",
            "2026-01-01T00:00:00Z",
            "2026-11-25T00:00:00Z",
        ),
        waiver(
            "unused",
            "dp-9.2",
            Some("nothing-*"),
            "accept-risk",
            "2026-01-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        ),
        waiver(
            "whole-na",
            "ac-8.11",
            None,
            "not-applicable",
            "2026-01-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        ),
    ]
    .concat();
    let waivers = cloudcap_engine::parse_waivers(&text).unwrap();
    let mut o = opts(1);
    o.waivers = waivers;
    let r = assess(&catalog, &ev, &o).unwrap();
    let status = |id: &str| r.waivers.iter().find(|w| w.waiver.id == id).unwrap().status;
    assert_eq!(status("accept-logs"), WaiverStatus::Applied);
    assert_eq!(status("na-data2"), WaiverStatus::Applied);
    assert_eq!(status("expired"), WaiverStatus::Expired);
    assert_eq!(status("unused"), WaiverStatus::Unused);
    assert_eq!(status("whole-na"), WaiverStatus::Applied);
    let dp92 = r.controls.iter().find(|c| c.id == "dp-9.2").unwrap();
    let rule = dp92
        .items
        .iter()
        .flat_map(|i| &i.rules)
        .find(|r| r.kind == "storage.bucket")
        .unwrap();
    // data-2 left the scope; logs-1 still fails but is accepted.
    assert_eq!(rule.in_scope, 2);
    assert_eq!(rule.failed.len(), 1);
    assert_eq!(rule.failed[0].resource_id, "logs-1");
    assert_eq!(rule.failed[0].accepted_by.as_deref(), Some("accept-logs"));
    assert_eq!(rule.result, ResultState::PartiallySatisfied);
    let ac811 = r.controls.iter().find(|c| c.id == "ac-8.11").unwrap();
    assert!(
        ac811
            .results
            .values()
            .all(|x| x.result == ResultState::NotApplicable)
    );
    // One second earlier the expired waiver still applied.
    let mut o2 = o.clone();
    o2.at = "2026-11-24T23:59:59Z".into();
    let r2 = assess(&catalog, &ev, &o2).unwrap();
    assert_eq!(
        r2.waivers
            .iter()
            .find(|w| w.waiver.id == "expired")
            .unwrap()
            .status,
        WaiverStatus::Applied
    );
}

/// Two whole-control waivers on one control act the same whatever their order in the file: the
/// not-applicable one decides every item, so the accept-risk one has nothing to accept.
#[test]
fn whole_control_waivers_do_not_depend_on_their_order() {
    let catalog = catalog();
    let ev = Evidence {
        records: vec![bucket("data-1", false)],
        statuses: vec![ok_status("storage.bucket", 1)],
        ..Evidence::default()
    };
    let (from, to) = ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
    let accept = waiver("accept", "dp-9.2", None, "accept-risk", from, to);
    let na = waiver("na", "dp-9.2", None, "not-applicable", from, to);
    let run = |text: String| {
        let mut o = opts(1);
        o.waivers = cloudcap_engine::parse_waivers(&text).unwrap();
        assess(&catalog, &ev, &o).unwrap()
    };
    let first = run([accept.clone(), na.clone()].concat());
    let second = run([na, accept].concat());
    assert_eq!(
        serde_json::to_string(&first.controls).unwrap(),
        serde_json::to_string(&second.controls).unwrap()
    );
    assert_eq!(first.waivers, second.waivers);
    let status = |id: &str| {
        first
            .waivers
            .iter()
            .find(|w| w.waiver.id == id)
            .unwrap()
            .status
    };
    assert_eq!(status("na"), WaiverStatus::Applied);
    assert_eq!(status("accept"), WaiverStatus::Unused);
    let dp92 = first.controls.iter().find(|c| c.id == "dp-9.2").unwrap();
    assert!(dp92.items.iter().all(|i| i.decided_by == DecidedBy::Waiver));
    assert_eq!(dp92.waivers, vec!["na".to_owned()]);
}

/// The evidence as if `region` had been listed but left out of the collection: its records
/// are gone, each kind there has a `not-collected` error status, and its inventory record says
/// `collected = false` with nothing known about what it holds.
fn uncollect(ev: &Evidence, region: &str) -> Evidence {
    let mut out = ev.clone();
    let inventory = ev
        .records
        .iter()
        .find(|r| r.kind == "region.inventory" && r.region == region)
        .map(|r| r.value["mainland_china"].as_bool().unwrap_or(false))
        .unwrap_or(region.starts_with("cn-"));
    out.records.retain(|r| r.region != region);
    let kinds: Vec<String> = ev
        .statuses
        .iter()
        .filter(|s| s.region == region)
        .map(|s| s.kind.clone())
        .collect();
    out.statuses.retain(|s| s.region != region);
    for kind in kinds {
        let count = u64::from(kind == "region.inventory");
        out.statuses.push(CollectionStatus {
            sha256: sha(&format!("not-collected {kind} {region}")),
            object: cloudcap_evidence::CollectionStatus {
                kind,
                provider: Provider::Sample,
                account: "a1".into(),
                region: region.into(),
                status: CollectionOutcome::Error,
                error_class: Some(ErrorClass::NotCollected),
                message: Some("region excluded by --region".into()),
                record_count: count,
            },
        });
    }
    let v = json!({"schema_version": 1, "kind": "region.inventory", "provider": "sample", "account": "a1",
        "region": region, "resource_id": region, "sources": [], "mainland_china": inventory, "collected": false});
    out.records.push(Record {
        sha256: sha(&v.to_string()),
        kind: "region.inventory".into(),
        provider: Provider::Sample,
        account: "a1".into(),
        region: region.into(),
        resource_id: region.into(),
        value: v,
    });
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn collecting_fewer_regions_never_raises_a_score_tier_or_residency_result(seed in any::<u64>(), which in any::<bool>()) {
        let catalog = catalog();
        let ev = random_evidence(&catalog, seed, 12);
        prop_assume!(ev.statuses.iter().any(|s| s.kind == "region.inventory"));
        let region = if which { "cn-shanghai" } else { "cn-north-1" };
        let before = assess(&catalog, &ev, &opts(1)).unwrap();
        let after = assess(&catalog, &uncollect(&ev, region), &opts(1)).unwrap();
        for (b, a) in all_scores(&before).into_iter().zip(all_scores(&after)) {
            prop_assert!(a <= b, "score rose from {b} to {a} after leaving out {region}");
        }
        prop_assert!(after.summary.tier_achieved <= before.summary.tier_achieved);
        // The residency rule (one fact, one rule: only dp-9.1 reads it).
        {
            let (control, rule) = ("dp-9.1", "data-in-mainland");
            let find = |r: &Report| r.controls.iter().find(|c| c.id == control).unwrap().items.iter().flat_map(|i| i.rules.iter()).find(|x| x.id == rule).unwrap().result;
            let (b, a) = (find(&before), find(&after));
            prop_assert!(a.points() <= b.points(), "{control}/{rule} rose from {b:?} to {a:?}");
            prop_assert!(a != ResultState::Satisfied, "{control}/{rule} satisfied with {region} not collected");
        }
    }
}

fn record(kind: &str, id: &str, fields: Value) -> Record {
    let mut v = fields;
    let o = v.as_object_mut().unwrap();
    for (k, val) in [
        ("schema_version", json!(1)),
        ("kind", json!(kind)),
        ("provider", json!("aws")),
        ("account", json!("111")),
        ("region", json!("cn-north-1")),
        ("resource_id", json!(id)),
        ("sources", json!([])),
    ] {
        o.insert(k.into(), val);
    }
    Record {
        sha256: sha(&v.to_string()),
        kind: kind.into(),
        provider: Provider::Aws,
        account: "111".into(),
        region: "cn-north-1".into(),
        resource_id: id.into(),
        value: v,
    }
}

fn ok_status(kind: &str, n: u64) -> CollectionStatus {
    CollectionStatus {
        sha256: sha(&format!("status {kind}")),
        object: cloudcap_evidence::CollectionStatus {
            kind: kind.into(),
            provider: Provider::Aws,
            account: "111".into(),
            region: "cn-north-1".into(),
            status: CollectionOutcome::Ok,
            error_class: None,
            message: None,
            record_count: n,
        },
    }
}

fn evidence(records: Vec<Record>) -> Evidence {
    let mut kinds: Vec<&str> = records.iter().map(|r| r.kind.as_str()).collect();
    kinds.sort();
    let mut seen = std::collections::BTreeMap::<&str, u64>::new();
    for k in &kinds {
        *seen.entry(k).or_default() += 1;
    }
    Evidence {
        bundle_merkle_root: "00".repeat(32),
        bundle_created_at: "2026-11-20T08:00:00Z".into(),
        statuses: seen.iter().map(|(k, n)| ok_status(k, *n)).collect(),
        records,
        ..Evidence::default()
    }
}

fn rule<'a>(r: &'a Report, control: &str, rule: &str) -> &'a cloudcap_engine::RuleReport {
    r.controls
        .iter()
        .find(|c| c.id == control)
        .unwrap()
        .items
        .iter()
        .flat_map(|i| i.rules.iter())
        .find(|x| x.id == rule)
        .unwrap()
}

#[test]
fn an_unreported_field_is_not_evaluated_never_failed() {
    let catalog = catalog();
    // AWS IAM has no lockout setting: the policy record has no `max_login_attempts`.
    let policy = json!({"configured": true, "min_length": 14, "require_uppercase": true, "require_lowercase": true,
        "require_numbers": true, "require_symbols": true, "min_char_classes": 4, "max_age_days": 90, "reuse_prevention": 24});
    let r = assess(
        &catalog,
        &evidence(vec![record(
            "identity.password-policy",
            "pp",
            policy.clone(),
        )]),
        &opts(1),
    )
    .unwrap();
    let lockout = rule(&r, "ac-8.10", "lockout-threshold");
    assert_eq!(lockout.result, ResultState::NotEvaluated);
    assert!(lockout.failed.is_empty());
    assert_eq!(
        lockout.reason,
        cloudcap_engine::Reason::FieldNotReported {
            kind: "identity.password-policy".into(),
            resources: 1,
            gaps: vec![cloudcap_engine::FieldGap {
                field: "max_login_attempts".into(),
                provider: "aws".into(),
                resources: 1
            }],
        }
    );
    assert_eq!(lockout.not_reported[0].field, "max_login_attempts");
    // The other password rules read reported fields and pass.
    assert_eq!(
        rule(&r, "ac-8.3", "password-min-length").result,
        ResultState::Satisfied
    );
    // A present failing fact is still a fact: an unconfigured policy fails even though the
    // fields it would have are absent (`false && <absent>` is false).
    let r = assess(
        &catalog,
        &evidence(vec![record(
            "identity.password-policy",
            "pp",
            json!({"configured": false}),
        )]),
        &opts(1),
    )
    .unwrap();
    assert_eq!(
        rule(&r, "ac-8.3", "password-min-length").result,
        ResultState::NotSatisfied
    );
    assert_eq!(
        rule(&r, "ac-8.10", "lockout-threshold").result,
        ResultState::NotEvaluated
    );
    // One failing record among unreported ones: the rule fails on the present fact.
    let mut bad = policy.clone();
    bad["max_login_attempts"] = json!(0);
    let r = assess(
        &catalog,
        &evidence(vec![
            record("identity.password-policy", "pp1", policy),
            record("identity.password-policy", "pp2", bad),
        ]),
        &opts(1),
    )
    .unwrap();
    let lockout = rule(&r, "ac-8.10", "lockout-threshold");
    assert_eq!(lockout.result, ResultState::NotSatisfied);
    assert_eq!(lockout.failed.len(), 1);
    assert_eq!(lockout.not_reported.len(), 1);
}

#[test]
fn require_any_is_satisfied_by_one_passing_record() {
    let catalog = catalog();
    let trail = |name: &str, mgmt: bool, multi: bool| {
        record(
            "audit.trail",
            name,
            json!({"name": name, "enabled": true, "multi_region": multi, "log_file_validation": true,
                "encrypted": true, "management_events": mgmt, "retention_days": 365}),
        )
    };
    // One organisation trail plus one data-events-only trail: au-13.1 is met.
    let r = assess(
        &catalog,
        &evidence(vec![
            trail("org", true, true),
            trail("data-only", false, false),
        ]),
        &opts(1),
    )
    .unwrap();
    for id in [
        "trail-logging",
        "trail-management-events",
        "trail-all-regions",
    ] {
        let x = rule(&r, "au-13.1", id);
        assert_eq!(x.result, ResultState::Satisfied, "{id}");
        assert!(x.failed.is_empty(), "{id}");
    }
    // Only the data-events trail: no trail records management events.
    let r = assess(
        &catalog,
        &evidence(vec![trail("data-only", false, false)]),
        &opts(1),
    )
    .unwrap();
    assert_eq!(
        rule(&r, "au-13.1", "trail-management-events").result,
        ResultState::NotSatisfied
    );
    assert_eq!(
        rule(&r, "au-13.1", "trail-logging").result,
        ResultState::Satisfied
    );
}

#[test]
fn rotation_covers_only_keys_that_can_rotate_and_disabled_keys_do_not_fail() {
    let catalog = catalog();
    let key = |id: &str, fields: Value| record("crypto.key", id, fields);
    let r = assess(
        &catalog,
        &evidence(vec![
            key("sym", json!({"customer_managed": true, "enabled": true, "rotation_enabled": true, "symmetric": true, "origin": "provider"})),
            key("rsa", json!({"customer_managed": true, "enabled": true, "symmetric": false, "origin": "provider"})),
            key("imported", json!({"customer_managed": true, "enabled": true, "symmetric": true, "origin": "external"})),
            key("off", json!({"customer_managed": true, "enabled": false, "rotation_enabled": false, "symmetric": true, "origin": "provider"})),
        ]),
        &opts(1),
    )
    .unwrap();
    let rotation = rule(&r, "scp-7.5", "cmk-rotation");
    assert_eq!(rotation.result, ResultState::Satisfied);
    assert_eq!((rotation.in_scope, rotation.passed), (1, 1));
    assert_eq!(
        rule(&r, "dp-9.3", "customer-keys-enabled").result,
        ResultState::Satisfied
    );
}

#[test]
fn backup_copies_outside_the_mainland_fail_residency_and_do_not_count_as_dr() {
    let catalog = catalog();
    let plan = |outside: bool| {
        record(
            "backup.plan",
            "p",
            json!({"name": "p", "enabled": true, "retention_days": 35, "cross_region_copy": true,
                "copy_regions": [if outside { "ap-southeast-1" } else { "cn-northwest-1" }], "copy_outside_mainland": outside}),
        )
    };
    let r = assess(&catalog, &evidence(vec![plan(true)]), &opts(1)).unwrap();
    assert_eq!(
        rule(&r, "dp-9.1", "backup-copies-in-mainland").result,
        ResultState::NotSatisfied
    );
    assert_eq!(
        rule(&r, "irdr-12.7", "backup-cross-region").result,
        ResultState::NotSatisfied
    );
    let r = assess(&catalog, &evidence(vec![plan(false)]), &opts(1)).unwrap();
    assert_eq!(
        rule(&r, "dp-9.1", "backup-copies-in-mainland").result,
        ResultState::Satisfied
    );
    assert_eq!(
        rule(&r, "irdr-12.7", "backup-cross-region").result,
        ResultState::Satisfied
    );
}

fn security_group(id: &str, ports: Vec<u16>, all: bool) -> Record {
    record(
        "network.security-group",
        id,
        json!({"name": id, "vpc_id": "vpc-1", "world_open_ports": ports, "world_open_all": all}),
    )
}

#[test]
fn a_failing_customer_item_does_not_lower_the_provider_score_and_is_in_the_customer_part() {
    let catalog = catalog();
    // scp-7.1 a (no group open on every port to the internet) is the customer's own
    // configuration of its tenant; every rule over security groups is a customer item.
    let scp = catalog.control("scp-7.1").unwrap();
    assert_eq!(scp.items[0].responsibility, Responsibility::Customer);
    assert!(scp.key);
    let db = record(
        "database.instance",
        "db",
        json!({"engine": "mysql", "encrypted": true, "public": false, "backup_retention_days": 7, "multi_az": true}),
    );
    let good = assess(
        &catalog,
        &evidence(vec![security_group("web", vec![443], false), db.clone()]),
        &opts(1),
    )
    .unwrap();
    let bad = assess(
        &catalog,
        &evidence(vec![
            security_group("web", vec![443], false),
            security_group("open", vec![], true),
            db,
        ]),
        &opts(1),
    )
    .unwrap();
    let part = |r: &Report| {
        r.customer_part
            .items
            .iter()
            .find(|i| i.control == "scp-7.1" && i.item == "a")
            .cloned()
            .unwrap()
    };
    assert_eq!(part(&good).result, ResultState::Satisfied);
    let failing = part(&bad);
    assert_eq!(failing.result, ResultState::PartiallySatisfied);
    assert_eq!(failing.reason.code(), "resources-fail");
    assert_eq!(failing.rule.as_deref(), Some("no-world-open-all"));
    // The provider's figures do not move: score, coverage, tiers and blockers are identical.
    assert_eq!(all_scores(&good), all_scores(&bad));
    assert_eq!(good.summary, bad.summary);
    assert_eq!(good.families, bad.families);
    for c in good.controls.iter().zip(&bad.controls) {
        assert_eq!(c.0.results, c.1.results, "{}", c.0.id);
    }
    // No tier lists scp-7.1 at basic: every basic item of it is the customer's.
    assert_eq!(
        bad.controls
            .iter()
            .find(|c| c.id == "scp-7.1")
            .unwrap()
            .result_at(Tier::Basic),
        None
    );
    assert!(bad.summary.tiers[0].blockers.iter().all(|b| !matches!(b, cloudcap_engine::Blocker::KeyControl { control, .. } if control == "scp-7.1")));
}

#[test]
fn a_control_whose_items_are_all_the_customers_contributes_nothing() {
    let catalog = catalog();
    // dp-9.2 (encryption at rest of the tenant's buckets, volumes and databases) is all customer.
    let c = catalog.control("dp-9.2").unwrap();
    assert!(
        c.items
            .iter()
            .all(|i| i.responsibility == Responsibility::Customer)
    );
    assert_eq!(c.provider_min_tier(), None);
    let r = assess(&catalog, &evidence(vec![bucket("plain", false)]), &opts(1)).unwrap();
    let cr = r.controls.iter().find(|x| x.id == "dp-9.2").unwrap();
    assert!(cr.results.is_empty());
    assert!(r.summary.tiers.iter().all(|t| t.blockers.iter().all(|b| !matches!(b, cloudcap_engine::Blocker::KeyControl { control, .. } if control == "dp-9.2"))));
    // Its failing bucket is in the customer's part.
    assert!(
        r.customer_part.items.iter().any(|i| i.control == "dp-9.2"
            && i.item == "a"
            && i.result == ResultState::NotSatisfied)
    );
    // Every customer item of the catalog is listed, once, in control order.
    let expected: Vec<(String, String)> = catalog
        .controls
        .iter()
        .flat_map(|c| {
            c.items
                .iter()
                .filter(|i| i.responsibility == Responsibility::Customer)
                .map(move |i| (c.id.clone(), i.id.clone()))
        })
        .collect();
    let listed: Vec<(String, String)> = r
        .customer_part
        .items
        .iter()
        .map(|i| (i.control.clone(), i.item.clone()))
        .collect();
    assert_eq!(listed, expected);
}

#[test]
fn a_partially_satisfied_key_control_blocks_its_tier() {
    // scp-7.1 is key at basic. Its rules read the customer's security groups, so the shipped
    // catalog makes those items the customer's; to test the engine's key-control rule on a
    // rule-decided control, this catalog makes them the provider's (a provider-platform
    // account's own groups would be).
    let mut catalog = catalog();
    for c in catalog.controls.iter_mut().filter(|c| c.id == "scp-7.1") {
        for i in &mut c.items {
            i.responsibility = Responsibility::Provider;
        }
    }
    // One world-open SSH group among good ones makes it partial.
    let sg = |id: &str, ports: Vec<u16>| {
        record(
            "network.security-group",
            id,
            json!({"name": id, "vpc_id": "vpc-1", "world_open_ports": ports, "world_open_all": false}),
        )
    };
    let r = assess(
        &catalog,
        &evidence(vec![
            sg("good", vec![443]),
            sg("ssh", vec![22]),
            record(
                "database.instance",
                "db",
                json!({"engine": "mysql", "encrypted": true, "public": false, "backup_retention_days": 7, "multi_az": true}),
            ),
        ]),
        &opts(1),
    )
    .unwrap();
    let scp = r.controls.iter().find(|c| c.id == "scp-7.1").unwrap();
    assert!(scp.key);
    assert_eq!(
        scp.result_at(Tier::Basic),
        Some(ResultState::PartiallySatisfied)
    );
    let basic = &r.summary.tiers[0];
    assert!(!basic.reached);
    assert!(
        basic
            .blockers
            .contains(&cloudcap_engine::Blocker::KeyControl {
                control: "scp-7.1".into(),
                result: ResultState::PartiallySatisfied
            })
    );
}

/// One fact, one rule (controls/README.md): flipping one fact from good to bad, all else equal,
/// changes the result of exactly one control at each tier where that control applies, and of no
/// other control. The facts are those that used to be tested by several controls.
#[test]
fn one_failing_fact_lowers_one_control_per_tier() {
    // Who implements an item is beside the point here: every item is scored as the provider's.
    let mut catalog = catalog();
    for c in &mut catalog.controls {
        for i in &mut c.items {
            i.responsibility = Responsibility::Provider;
        }
    }
    let good = || {
        vec![
            record(
                "storage.bucket",
                "b",
                json!({"name": "b", "encrypted": true, "customer_managed_key": true, "versioning": true, "public": false, "public_access_block": true, "access_logging": true}),
            ),
            record(
                "crypto.key",
                "key",
                json!({"customer_managed": true, "enabled": true, "rotation_enabled": true, "origin": "provider", "symmetric": true}),
            ),
            record(
                "compute.volume",
                "v",
                json!({"encrypted": true, "customer_managed_key": true, "attached": true}),
            ),
            record(
                "database.instance",
                "db",
                json!({"engine": "mysql", "encrypted": true, "public": false, "backup_retention_days": 7, "multi_az": true}),
            ),
            record(
                "network.security-group",
                "sg",
                json!({"name": "sg", "vpc_id": "vpc-1", "world_open_ports": [443], "world_open_all": false}),
            ),
            record(
                "monitoring.threat-detection",
                "td",
                json!({"service": "guardduty", "enabled": true}),
            ),
            record(
                "monitoring.config-recorder",
                "rec",
                json!({"recording": true, "all_resources": true}),
            ),
            record(
                "identity.user",
                "u",
                json!({"name": "u", "root": false, "console_access": true, "mfa_enabled": true, "privileged": false, "created_at": "2026-01-01T00:00:00Z", "last_login_at": "2026-11-20T00:00:00Z", "never_logged_in": false}),
            ),
            record(
                "identity.access-key",
                "k",
                json!({"user": "u", "root": false, "active": true, "created_at": "2026-01-01T00:00:00Z", "last_used_at": "2026-11-20T00:00:00Z", "never_used": false}),
            ),
            record(
                "audit.trail",
                "t",
                json!({"name": "t", "enabled": true, "multi_region": true, "log_file_validation": true, "encrypted": true, "management_events": true, "retention_days": 365}),
            ),
            record(
                "region.inventory",
                "cn-north-1",
                json!({"mainland_china": true, "collected": true, "holds_data": true, "resource_count": 9}),
            ),
        ]
    };
    // (record id, field, bad value, the one control whose result must change)
    let flips: &[(&str, &str, Value, &str)] = &[
        ("b", "public", json!(true), "dp-9.9"),
        ("b", "public_access_block", json!(false), "dp-9.9"),
        ("b", "customer_managed_key", json!(false), "dp-9.3"),
        ("v", "customer_managed_key", json!(false), "dp-9.3"),
        ("db", "public", json!(true), "dp-9.9"),
        ("sg", "world_open_all", json!(true), "scp-7.1"),
        ("td", "enabled", json!(false), "racm-14.6"),
        ("rec", "all_resources", json!(false), "cm-10.8"),
        (
            "u",
            "last_login_at",
            json!("2026-01-02T00:00:00Z"),
            "ac-8.2",
        ),
        ("k", "last_used_at", json!("2026-01-02T00:00:00Z"), "ac-8.6"),
        ("t", "management_events", json!(false), "au-13.1"),
        ("cn-north-1", "mainland_china", json!(false), "dp-9.1"),
    ];
    let results = |r: &Report| -> Vec<(String, Tier, ResultState)> {
        r.controls
            .iter()
            .flat_map(|c| {
                Tier::ALL
                    .iter()
                    .copied()
                    .filter_map(move |t| c.result_at(t).map(|s| (c.id.clone(), t, s)))
            })
            .collect()
    };
    let before = results(&assess(&catalog, &evidence(good()), &opts(1)).unwrap());
    for (id, field, bad, home) in flips {
        let records = good()
            .into_iter()
            .map(|r| {
                if r.resource_id == *id {
                    let mut v = r.value.clone();
                    v[*field] = bad.clone();
                    record(&r.kind, id, v)
                } else {
                    r
                }
            })
            .collect();
        let after = results(&assess(&catalog, &evidence(records), &opts(1)).unwrap());
        for &tier in Tier::ALL {
            let moved: Vec<&str> = before
                .iter()
                .zip(&after)
                .filter(|(b, a)| b.1 == tier && b.2 != a.2)
                .map(|(b, _)| b.0.as_str())
                .collect();
            assert!(
                moved.is_empty() || moved == [*home],
                "{id}.{field} bad moved {moved:?} at {tier:?}, expected only {home}"
            );
        }
        // The home control moves at some tier and never gains points.
        let home_moves: Vec<(ResultState, ResultState)> = before
            .iter()
            .zip(&after)
            .filter(|(b, a)| b.0 == *home && b.2 != a.2)
            .map(|(b, a)| (b.2, a.2))
            .collect();
        assert!(
            !home_moves.is_empty(),
            "{id}.{field} bad did not move {home}"
        );
        assert!(
            home_moves.iter().all(|(b, a)| a.points() <= b.points()),
            "{id}.{field} bad raised {home}: {home_moves:?}"
        );
    }
}

/// `ev` as the evidence of another account, in a bundle with another merkle root.
fn relabel(ev: &Evidence, account: &str, root: &str) -> Evidence {
    let mut out = ev.clone();
    out.bundle_merkle_root = root.into();
    for r in &mut out.records {
        r.account = account.into();
        r.value["account"] = json!(account);
        r.sha256 = sha(&r.value.to_string());
    }
    for s in &mut out.statuses {
        s.object.account = account.into();
        s.sha256 = sha(&format!("{account}{}", s.sha256));
    }
    out
}

/// An estate of several accounts: each per-account score is the account's own evidence graded
/// alone; the estate summary is the grading of the union; a failing resource of the estate
/// names its account; and the bundles' order changes nothing.
#[test]
fn estate_scores_each_account_as_if_assessed_alone() {
    let catalog = catalog();
    for seed in [3_u64, 17, 91] {
        let base = random_evidence(&catalog, seed, 4);
        let mut parts = vec![
            relabel(&base, "a1", "11"),
            relabel(&random_evidence(&catalog, seed + 1, 4), "a2", "22"),
            relabel(&random_evidence(&catalog, seed + 2, 4), "a3", "33"),
        ];
        for p in &mut parts[1..] {
            // One assessor's records per estate: the bundles of the other accounts carry none.
            p.attestations.clear();
        }
        let estate = cloudcap_engine::combine_estate(parts.clone()).unwrap();
        let report = assess(&catalog, &estate, &opts(2)).unwrap();
        parts.rotate_left(1);
        let rotated = cloudcap_engine::combine_estate(parts.clone()).unwrap();
        assert_eq!(report, assess(&catalog, &rotated, &opts(1)).unwrap());
        assert!(report.bundle.is_none());
        assert_eq!(report.bundles.len(), 3);
        assert_eq!(report.accounts.len(), 3);
        for a in &report.accounts {
            let alone = assess(
                &catalog,
                &cloudcap_engine::restrict_to_account(&estate, "sample", &a.account),
                &opts(1),
            )
            .unwrap();
            assert_eq!(a.overall, alone.summary.overall, "{}", a.account);
            assert_eq!(a.tier_achieved, alone.summary.tier_achieved);
        }
        let failing: Vec<_> = report
            .controls
            .iter()
            .flat_map(|c| &c.items)
            .flat_map(|i| &i.rules)
            .flat_map(|r| &r.failed)
            .collect();
        assert!(
            failing
                .iter()
                .all(|f| ["a1", "a2", "a3"].contains(&f.account.as_str()))
        );
    }
}
