//! Shared helpers: a small bundle with every object type.

use std::path::Path;

use cloudcap_evidence::{
    Attestation, AttestationResult, BundleInfo, BundleWriter, EntryMeta, KIND_RAW, Manifest,
    Method, Result, Sha256Hex, parse_date,
};
use jiff::Timestamp;
use serde_json::json;

pub(crate) fn at() -> Timestamp {
    "2026-11-20T08:00:00Z".parse().unwrap()
}

pub(crate) fn info() -> BundleInfo {
    BundleInfo {
        tool_version: "test 1".into(),
        catalog_digest: "c0ffee".into(),
        created_at: at(),
    }
}

/// Writes the small bundle's objects.
pub(crate) fn small_steps(w: &mut BundleWriter) -> Result<()> {
    small_steps_acked(w, &mut Vec::new())
}

/// Writes the small bundle's objects, recording the digest of every add that returned `Ok`.
pub(crate) fn small_steps_acked(w: &mut BundleWriter, acked: &mut Vec<Sha256Hex>) -> Result<()> {
    let raw = w.add_raw(
        EntryMeta::new(
            KIND_RAW,
            "sample",
            "demo-0001",
            "cn-north-1",
            "iam:ListUsers",
            at(),
        ),
        b"{\"Users\":[{\"UserName\":\"bob\"}]}\n",
    )?;
    acked.push(raw);
    let raw2 = w.add_raw(
        EntryMeta::new(
            KIND_RAW,
            "sample",
            "demo-0001",
            "cn-north-1",
            "iam:ListMFADevices",
            at(),
        ),
        b"{\"MFADevices\":[]}",
    )?;
    acked.push(raw2);
    let rec = json!({
        "schema_version": 1, "kind": "identity.user", "provider": "sample", "account": "demo-0001", "region": "cn-north-1",
        "resource_id": "user/bob", "sources": [raw.to_string(), raw2.to_string()],
        "name": "bob", "root": false, "console_access": true, "mfa_enabled": false, "privileged": false, "created_at": "2025-01-01T00:00:00Z"
    });
    acked.push(w.add_record(EntryMeta::for_record(&rec, "iam:ListUsers", at())?, &rec)?);
    let status = json!({ "kind": "identity.user", "provider": "sample", "account": "demo-0001", "region": "cn-north-1", "status": "ok", "record_count": 1 });
    acked.push(w.add_record(
        EntryMeta::new(
            "collection.status",
            "sample",
            "demo-0001",
            "cn-north-1",
            "iam:ListUsers",
            at(),
        ),
        &status,
    )?);
    let doc = w.add_attachment("minutes.txt", "text/plain", b"interview minutes\n", at())?;
    acked.push(doc);
    acked.push(w.add_attestation(Attestation {
        control: "sop-15.1".into(),
        item: Some("a".into()),
        method: Method::Interview,
        result: AttestationResult::Satisfied,
        assessor: "A. Assessor".into(),
        date: parse_date("2026-11-19").unwrap(),
        expires: Some(parse_date("2027-11-19").unwrap()),
        note: None,
        attachments: vec![doc],
    })?);
    Ok(())
}

/// Writes the small bundle into `dir`.
pub(crate) fn small_bundle(dir: &Path) -> Manifest {
    let mut w = BundleWriter::create(dir, info()).unwrap();
    small_steps(&mut w).unwrap();
    w.finish().unwrap()
}

/// Every file under `dir`, as sorted relative paths.
pub(crate) fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(
                    p.strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}
