//! Hashing and verifying a large evidence bundle: 1024 raw objects of 1 MiB (1 GiB), built once
//! per run in a temporary directory.
//!
//! Prints throughput; the target is at least 0.95 GB/s on one core (openssl's SHA-256 reaches
//! 1.19 GB/s on these machines). `verify` reads every object, hashes it, and checks the
//! manifest and Merkle root; it runs on one thread.

// Benchmarks time themselves and print (clippy.toml's rules are for the library crates).
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

use std::time::Duration;

use cloudcap_evidence::{
    Bundle, BundleInfo, BundleWriter, EntryMeta, KIND_RAW, Sha256Hex, VerifyOptions, verify,
};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

const OBJECTS: usize = 1024;
const OBJECT_SIZE: usize = 1 << 20;

/// Deterministic pseudo-random bytes (xorshift64), distinct per object so nothing is de-duplicated.
fn fill(buf: &mut [u8], seed: u64) {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for chunk in buf.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
}

fn build(dir: &std::path::Path) -> u64 {
    let at: jiff::Timestamp = "2026-11-20T08:00:00Z".parse().expect("timestamp");
    let info = BundleInfo {
        tool_version: "bench".into(),
        catalog_digest: "bench".into(),
        created_at: at,
    };
    let mut w = BundleWriter::create(dir, info).expect("create bundle");
    let mut buf = vec![0u8; OBJECT_SIZE];
    for i in 0..OBJECTS {
        fill(&mut buf, i as u64 + 1);
        let meta = EntryMeta::new(
            KIND_RAW,
            "sample",
            "bench",
            "cn-north-1",
            "oss:GetObject",
            at,
        )
        .with_media_type("application/octet-stream");
        w.add_raw(meta, &buf).expect("add object");
    }
    w.finish().expect("finish");
    (OBJECTS * OBJECT_SIZE) as u64
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("bundle");
    let total = build(&dir);
    let bundle = Bundle::open(&dir).expect("open");

    let mut group = c.benchmark_group("evidence");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(20));

    let mut buf = vec![0u8; 64 << 20];
    fill(&mut buf, 7);
    group.throughput(Throughput::Bytes(buf.len() as u64));
    group.bench_function("sha256 64 MiB in memory", |b| {
        b.iter(|| Sha256Hex::of(std::hint::black_box(&buf)))
    });

    // About 0.7 s per iteration: one iteration per sample.
    group
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Bytes(total));
    // As the CLI does: as many threads as cores.
    let options = VerifyOptions {
        threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        ..VerifyOptions::default()
    };
    group.bench_function("verify 1 GiB bundle (1024 x 1 MiB)", |b| {
        b.iter(|| {
            let report = verify(&bundle, &options);
            assert!(report.is_ok(), "{:?}", report.problems);
            assert_eq!(report.bytes_hashed, total);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
