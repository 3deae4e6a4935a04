//! Writes a large, realistic evidence bundle for the disk benchmark (`benches/million.sh`).
//!
//! `cargo run --release -p cloudcap-evidence --example million -- DIR RECORDS`
//!
//! The bundle is the sample bundle ([`cloudcap_evidence::sample`]: every evidence kind, raw
//! provider answers, collection statuses, the run record, scope and attestations) scaled up:
//! copy `c` repeats every raw answer with its request id suffixed `-c` (so each copy's pages are
//! distinct objects) and every normalized record with its resource id suffixed `/copy-c` and its
//! sources pointing at copy `c`'s raw answers, until `RECORDS` normalized records are written.
//! Each (kind, region) gets one `collection.status` whose count is what was written. Everything
//! goes through [`BundleWriter`], as the collectors write; only fsync is skipped
//! ([`BundleWriter::create_unsynced`]), since a benchmark bundle need not survive a crash.

#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Instant;

use cloudcap_evidence::{
    Bundle, BundleWriter, CollectionStatus, KIND_ATTACHMENT, KIND_ATTESTATION, KIND_COLLECTION_RUN,
    KIND_COLLECTION_STATUS, KIND_RAW, KIND_SCOPE, Sha256Hex, sample,
};
use serde_json::Value;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(n)) = (args.next(), args.next()) else {
        return Err("usage: million DIR RECORDS".into());
    };
    let dir = PathBuf::from(dir);
    let want: u64 = n.parse()?;
    let started = Instant::now();

    let scratch = tempfile::tempdir()?;
    let sample_dir = scratch.path().join("sample");
    sample::build(&sample_dir, sample::CATALOG_DIGEST)?;
    let src = Bundle::open(&sample_dir)?;
    let m = src.manifest();

    let mut w = BundleWriter::create_unsynced(&dir, m.info())?;
    let mut raws = Vec::new();
    let mut records = Vec::new();
    let mut statuses = Vec::new();
    for e in &m.entries {
        let bytes = src.object_bytes(&e.sha256)?;
        match e.kind.as_str() {
            KIND_RAW => raws.push((e, serde_json::from_slice::<Value>(&bytes)?)),
            KIND_COLLECTION_STATUS => {
                statuses.push((e, serde_json::from_slice::<CollectionStatus>(&bytes)?));
            }
            KIND_ATTACHMENT => {
                let name = e.name.as_deref().unwrap_or("attachment");
                w.add_attachment(name, &e.media_type, &bytes, e.collected_at)?;
            }
            KIND_ATTESTATION | KIND_COLLECTION_RUN | KIND_SCOPE => {}
            _ if e.is_record() => records.push((e, serde_json::from_slice::<Value>(&bytes)?)),
            other => return Err(format!("unexpected kind {other}").into()),
        }
    }
    for (_, a) in src.attestations()? {
        w.add_attestation(a)?;
    }
    for (e, run) in src.collection_runs()? {
        w.add_run(&run, e.collected_at)?;
    }
    for (e, s) in src.scope_statements()? {
        w.add_scope(&s, e.collected_at)?;
    }

    let mut written = 0u64;
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut copy = 0u64;
    'outer: loop {
        let mut mapped: HashMap<Sha256Hex, Sha256Hex> = HashMap::new();
        for (e, body) in &raws {
            let mut body = body.clone();
            if let Some(id) = body.get("RequestId").and_then(Value::as_str) {
                body["RequestId"] = Value::String(format!("{id}-{copy}"));
            }
            let mut bytes = serde_json::to_vec_pretty(&body)?;
            bytes.push(b'\n');
            mapped.insert(e.sha256, w.add_raw(e.meta(), &bytes)?);
        }
        for (e, rec) in &records {
            if written == want {
                break 'outer;
            }
            let mut rec = rec.clone();
            if copy > 0 {
                let rid = rec["resource_id"].as_str().unwrap_or_default().to_owned();
                rec["resource_id"] = Value::String(format!("{rid}/copy-{copy}"));
            }
            if let Some(sources) = rec.get_mut("sources").and_then(Value::as_array_mut) {
                for s in sources {
                    let old: Sha256Hex = s.as_str().unwrap_or_default().parse()?;
                    *s = Value::String(mapped[&old].to_string());
                }
            }
            w.add_record(e.meta(), &rec)?;
            let region = e.region.clone().unwrap_or_default();
            *counts.entry((e.kind.clone(), region)).or_default() += 1;
            written += 1;
        }
        copy += 1;
        if copy % 500 == 0 {
            eprintln!(
                "{written} records ({copy} copies) in {:.1?}",
                started.elapsed()
            );
        }
    }
    for (e, mut s) in statuses {
        if let Some(n) = counts.get(&(s.kind.clone(), s.region.clone())) {
            s.record_count = *n;
        }
        w.add_status(&s, &e.source, e.collected_at)?;
    }
    let manifest = w.finish()?;
    eprintln!(
        "wrote {written} records, {} entries ({} copies of the sample) to {} in {:.1?}",
        manifest.entries.len(),
        copy + 1,
        dir.display(),
        started.elapsed()
    );
    Ok(())
}
