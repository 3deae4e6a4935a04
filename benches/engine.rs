//! Assessing a synthetic bundle of 1,000,000 resources against the full catalog.
//!
//! Prints resources per second; the target is under 5 s on a 2-core machine.

// Benchmarks time themselves and print (clippy.toml's rules are for the library crates).
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

use std::time::Duration;

use cloudcap_catalog::Tier;
use cloudcap_engine::{CollectionStatus, Evidence, Options, Record, assess};
use cloudcap_evidence::{CollectionOutcome, Provider};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};

const RESOURCES: u64 = 1_000_000;

fn record(kind: &str, i: u64) -> Value {
    let b = |n: u64| (i / n) % 2 == 0;
    match kind {
        "identity.user" => {
            json!({"name": format!("u{i}"), "root": i % 1000 == 0, "console_access": b(1), "mfa_enabled": b(3), "privileged": i % 50 == 0, "created_at": "2026-01-01T00:00:00Z", "last_login_at": "2026-10-01T00:00:00Z"})
        }
        "identity.access-key" => {
            json!({"user": format!("u{i}"), "root": false, "active": b(1), "created_at": "2026-03-01T00:00:00Z", "last_used_at": "2026-11-01T00:00:00Z"})
        }
        "storage.bucket" => {
            json!({"name": format!("b{i}"), "encrypted": b(1), "customer_managed_key": b(2), "versioning": b(3), "public": i % 97 == 0, "public_access_block": b(5), "access_logging": b(7)})
        }
        "network.security-group" => {
            json!({"name": format!("sg{i}"), "vpc_id": "vpc-1", "world_open_ports": if i % 13 == 0 { json!([22]) } else { json!([443]) }, "world_open_all": false})
        }
        "compute.volume" => {
            json!({"encrypted": b(1), "customer_managed_key": b(2), "attached": true})
        }
        _ => {
            json!({"customer_managed": true, "enabled": true, "rotation_enabled": b(1), "origin": "provider"})
        }
    }
}

fn synthetic() -> Evidence {
    let kinds = [
        "identity.user",
        "identity.access-key",
        "storage.bucket",
        "network.security-group",
        "compute.volume",
        "crypto.key",
    ];
    let mut ev = Evidence {
        bundle_merkle_root: "00".repeat(32),
        bundle_created_at: "2026-11-20T08:00:00Z".into(),
        ..Evidence::default()
    };
    let per_kind = RESOURCES / kinds.len() as u64;
    for kind in kinds {
        for i in 0..per_kind {
            let mut v = record(kind, i);
            let id = format!("{kind}/{i}");
            let o = v.as_object_mut().unwrap();
            o.insert("schema_version".into(), json!(1));
            o.insert("kind".into(), json!(kind));
            o.insert("provider".into(), json!("aws"));
            o.insert("account".into(), json!("111"));
            o.insert("region".into(), json!("cn-north-1"));
            o.insert("resource_id".into(), json!(id));
            o.insert("sources".into(), json!([]));
            ev.records.push(Record {
                sha256: format!("{:064x}", ev.records.len()),
                kind: kind.into(),
                provider: Provider::Aws,
                account: "111".into(),
                region: "cn-north-1".into(),
                resource_id: id,
                value: v,
            });
        }
        ev.statuses.push(CollectionStatus {
            sha256: format!("{:064x}", u64::MAX - ev.statuses.len() as u64),
            object: cloudcap_evidence::CollectionStatus {
                kind: kind.into(),
                provider: Provider::Aws,
                account: "111".into(),
                region: "cn-north-1".into(),
                status: CollectionOutcome::Ok,
                error_class: None,
                message: None,
                record_count: per_kind,
            },
        });
    }
    ev
}

fn bench(c: &mut Criterion) {
    let (catalog, diags) = cloudcap_catalog::load(&cloudcap_catalog::embedded_source());
    assert!(diags.is_empty());
    let catalog = catalog.unwrap();
    let evidence = synthetic();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let opts = Options {
        at: "2026-11-25T00:00:00Z".into(),
        target_tier: Tier::Advanced,
        tool_version: "bench".into(),
        threads,
        waivers: vec![],
    };
    let start = std::time::Instant::now();
    let report = assess(&catalog, &evidence, &opts).unwrap();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "one assessment of {} resources with {threads} thread(s): {secs:.2} s, {:.0} resources/s, overall score {} bp",
        evidence.records.len(),
        evidence.records.len() as f64 / secs,
        report.summary.overall.score_bp
    );
    let mut g = c.benchmark_group("engine");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(40))
        .warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(evidence.records.len() as u64));
    g.bench_function("assess_1m_resources", |b| {
        b.iter(|| assess(&catalog, &evidence, &opts).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
