//! The embedded sample bundle is reproducible, verifies, and shows what the demo needs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use cloudcap_evidence::{
    Bundle, CollectionOutcome, VerifyOptions, extract_archive, kinds, sample, sample_bundle_tar,
    verify_path,
};

/// The sample archive is the same bytes on every build. Whether the committed
/// `sample/sample.tar` is that archive is `cargo xtask codegen --check` (xtask's test runs it).
#[test]
fn sample_tar_is_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    std::fs::create_dir(&one).unwrap();
    std::fs::create_dir(&two).unwrap();
    let files = sample::files(&one).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, std::path::Path::new(sample::TAR_PATH));
    assert!(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(sample::TAR_PATH)
            .is_file()
    );
    assert_eq!(sample::tar(&two).unwrap(), files[0].1);
    // The archive is the bundle that `build` writes.
    let dir = tmp.path().join("extracted");
    extract_archive(files[0].1.as_slice(), &dir).unwrap();
    assert!(verify_path(&dir, &VerifyOptions::default()).is_ok());
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
