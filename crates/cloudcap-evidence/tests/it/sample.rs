//! The embedded sample bundle is reproducible, verifies, and shows what the demo needs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use cloudcap_evidence::{
    Bundle, CollectionOutcome, VerifyOptions, export_archive, extract_archive, kinds, sample,
    sample_bundle_tar, verify_path,
};

#[test]
fn sample_tar_is_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sample");
    sample::build(&dir, sample::CATALOG_DIGEST).unwrap();
    let tar = tmp.path().join("sample.tar");
    export_archive(&dir, &tar).unwrap();
    let fresh = std::fs::read(&tar).unwrap();
    let committed_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample/sample.tar");
    if std::env::var_os("UPDATE_SAMPLE").is_some_and(|v| v == "1") {
        std::fs::write(&committed_path, &fresh).unwrap();
    }
    let committed = std::fs::read(&committed_path).unwrap();
    assert!(
        committed == fresh,
        "sample/sample.tar is out of date.\n    NOTE: run `UPDATE_SAMPLE=1 cargo test -p cloudcap-evidence sample_tar_is_up_to_date` and commit it"
    );
    assert!(
        sample_bundle_tar() == committed.as_slice(),
        "the embedded sample is stale: rebuild"
    );
    // A second build is byte-identical.
    let dir2 = tmp.path().join("again");
    sample::build(&dir2, sample::CATALOG_DIGEST).unwrap();
    let tar2 = tmp.path().join("again.tar");
    export_archive(&dir2, &tar2).unwrap();
    assert_eq!(std::fs::read(&tar2).unwrap(), fresh);
}

#[test]
fn embedded_sample_verifies_and_has_the_demo_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sample");
    extract_archive(sample_bundle_tar(), &dir).unwrap();
    let report = verify_path(&dir, &VerifyOptions::default());
    assert!(report.is_ok(), "{:?}", report.problems);
    let tar = tmp.path().join("s.tar");
    std::fs::write(&tar, sample_bundle_tar()).unwrap();
    assert!(verify_path(&tar, &VerifyOptions::default()).is_ok());

    let b = Bundle::open(&dir).unwrap();
    let recs = |k: &str| b.records(k).map(|r| r.unwrap().1).collect::<Vec<_>>();
    let statuses = b.collection_statuses().unwrap();
    // Every kind is either collected or reported as failed.
    for k in kinds() {
        let st: Vec<_> = statuses.iter().filter(|(_, s)| s.kind == k.name).collect();
        assert!(!st.is_empty(), "no collection.status for {}", k.name);
        let n: u64 = st.iter().map(|(_, s)| s.record_count).sum();
        assert_eq!(n as usize, recs(k.name).len(), "{}", k.name);
    }
    let backup: Vec<_> = statuses
        .iter()
        .filter(|(_, s)| s.kind == "backup.plan")
        .collect();
    assert!(
        backup
            .iter()
            .all(|(_, s)| s.status == CollectionOutcome::Error)
    );
    assert!(recs("backup.plan").is_empty());
    for k in kinds().iter().filter(|k| k.name != "backup.plan") {
        assert!(!recs(k.name).is_empty(), "{} has no records", k.name);
    }

    let users = recs("identity.user");
    assert_eq!(
        users
            .iter()
            .filter(|u| u["console_access"] == true && u["mfa_enabled"] == false)
            .count(),
        2
    );
    assert!(
        users
            .iter()
            .any(|u| u["root"] == true && u["mfa_enabled"] == true)
    );
    assert!(
        recs("identity.access-key")
            .iter()
            .any(|k| k["active"] == true && k["created_at"].as_str().unwrap() < "2025-01-01")
    );
    let buckets = recs("storage.bucket");
    assert_eq!(buckets.len(), 6);
    assert_eq!(
        buckets.iter().filter(|b| b["encrypted"] == false).count(),
        2
    );
    assert_eq!(buckets.iter().filter(|b| b["public"] == true).count(), 1);
    assert!(recs("network.security-group").iter().any(|g| {
        g["world_open_ports"]
            .as_array()
            .unwrap()
            .contains(&22.into())
    }));
    assert!(
        recs("network.vpc")
            .iter()
            .any(|v| v["flow_log_enabled"] == false)
    );
    let regions: BTreeMap<String, (bool, bool)> = recs("region.inventory")
        .iter()
        .map(|r| {
            (
                r["region"].as_str().unwrap().to_owned(),
                (r["mainland_china"] == true, r["holds_data"] == true),
            )
        })
        .collect();
    assert_eq!(regions["cn-north-1"], (true, true));
    assert_eq!(regions["cn-shanghai"], (true, true));
    assert_eq!(regions["ap-southeast-1"], (false, true));
    // The provider does not report trail retention: the field is absent, never 0 or false.
    assert!(recs("audit.trail")[0].get("retention_days").is_none());
    assert_eq!(regions["cn-hongkong"], (false, false));
    assert!(
        recs("region.inventory")
            .iter()
            .any(|r| r["region"] == "cn-hongkong"
                && r["collected"] == false
                && r.get("holds_data").is_none())
    );
    assert_eq!(b.scope_statements().unwrap().len(), 1);
    assert_eq!(b.collection_runs().unwrap().len(), 1);
    let atts = b.attestations().unwrap();
    // Eight hand-written findings (dp-9.4 per item a–c; two attachments) and the agency's findings file.
    let findings = include_str!("../../sample/assessor-findings.toml")
        .lines()
        .filter(|l| *l == "[[attestation]]")
        .count();
    assert!(findings > 100, "{findings}");
    assert_eq!(atts.len(), 8 + findings);
    for (_, a) in &atts {
        for sha in &a.attachments {
            assert_eq!(b.entry(sha).unwrap().kind, "attachment");
        }
    }
    // Every record's sources are raw objects in the bundle.
    for r in b.all_records() {
        let (_, v) = r.unwrap();
        for s in v["sources"].as_array().unwrap() {
            let sha = s.as_str().unwrap().parse().unwrap();
            assert_eq!(b.entry(&sha).unwrap().kind, "raw");
        }
    }
}
