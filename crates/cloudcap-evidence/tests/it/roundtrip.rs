//! Write, open, read back, verify; archive form; idempotent re-adds; signatures.

use cloudcap_evidence::{
    Bundle, BundleWriter, EntryMeta, Error, KIND_RAW, Problem, SignatureStatus, VerifyOptions,
    export_archive, read_signing_key, read_verifying_key, sign_manifest, signing_key_from_seed,
    verify, verify_path, write_key_pair,
};

use crate::support::{at, files, info, small_bundle, small_steps};

#[test]
fn round_trip_directory_and_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let manifest = small_bundle(&dir);
    assert_eq!(manifest.entries.len(), 6);
    assert!(
        !dir.join("journal.jsonl").exists(),
        "finish removes the journal"
    );

    let bundle = Bundle::open(&dir).unwrap();
    assert_eq!(bundle.manifest(), &manifest);
    assert_eq!(
        bundle.manifest_bytes(),
        std::fs::read(dir.join("manifest.json")).unwrap()
    );
    let users: Vec<_> = bundle
        .records("identity.user")
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].1["name"], "bob");
    assert_eq!(bundle.all_records().count(), 1);
    let statuses = bundle.collection_statuses().unwrap();
    assert_eq!(statuses.len(), 1);
    let atts = bundle.attestations().unwrap();
    assert_eq!(atts.len(), 1);
    assert_eq!(atts[0].1.control, "sop-15.1");
    let doc = bundle.object_bytes(&atts[0].1.attachments[0]).unwrap();
    assert_eq!(doc, b"interview minutes\n");

    let report = verify(&bundle, &VerifyOptions::default());
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.objects_checked, 6);
    assert_eq!(report.records_validated, 3);
    assert_eq!(report.signature, SignatureStatus::Unsigned);

    // Archive: deterministic, and verifies in place.
    let tar1 = tmp.path().join("b1.tar");
    let tar2 = tmp.path().join("b2.tar");
    export_archive(&dir, &tar1).unwrap();
    export_archive(&dir, &tar2).unwrap();
    assert_eq!(std::fs::read(&tar1).unwrap(), std::fs::read(&tar2).unwrap());
    let archived = Bundle::open_archive(&tar1).unwrap();
    assert_eq!(archived.manifest(), &manifest);
    assert_eq!(archived.records("identity.user").count(), 1);
    let report = verify_path(&tar1, &VerifyOptions::default());
    assert!(report.is_ok(), "{:?}", report.problems);
    // Re-exporting the archive gives the same bytes.
    let tar3 = tmp.path().join("b3.tar");
    export_archive(&tar1, &tar3).unwrap();
    assert_eq!(std::fs::read(&tar1).unwrap(), std::fs::read(&tar3).unwrap());
    // Unpacked again, it is the same bundle.
    let un = tmp.path().join("unpacked");
    cloudcap_evidence::extract_archive(std::fs::File::open(&tar1).unwrap(), &un).unwrap();
    assert_eq!(files(&un), files(&dir));
    assert!(verify_path(&un, &VerifyOptions::default()).is_ok());
}

#[test]
fn adding_twice_stores_one_object_and_one_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let mut w = BundleWriter::create(&dir, info()).unwrap();
    small_steps(&mut w).unwrap();
    small_steps(&mut w).unwrap();
    let meta = EntryMeta::new(
        KIND_RAW,
        "sample",
        "demo-0001",
        "cn-shanghai",
        "iam:ListUsers",
        at(),
    );
    // Same bytes as an existing object, other metadata: one more entry, no new object.
    w.add_raw(meta, b"{\"MFADevices\":[]}").unwrap();
    let m = w.finish().unwrap();
    assert_eq!(m.entries.len(), 7);
    let objects = files(&dir)
        .iter()
        .filter(|f| f.starts_with("objects/"))
        .count();
    assert_eq!(objects, 6);
    assert_eq!(m, small_bundle_with_extra(&tmp.path().join("c")));
}

fn small_bundle_with_extra(dir: &std::path::Path) -> cloudcap_evidence::Manifest {
    let mut w = BundleWriter::create(dir, info()).unwrap();
    let meta = EntryMeta::new(
        KIND_RAW,
        "sample",
        "demo-0001",
        "cn-shanghai",
        "iam:ListUsers",
        at(),
    );
    w.add_raw(meta, b"{\"MFADevices\":[]}").unwrap();
    small_steps(&mut w).unwrap();
    w.finish().unwrap()
}

#[test]
fn half_written_bundle_is_incomplete_until_finished() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let mut w = BundleWriter::create(&dir, info()).unwrap();
    small_steps(&mut w).unwrap();
    drop(w);
    let err = Bundle::open(&dir).unwrap_err();
    let Error::Incomplete(inc) = &err else {
        panic!("{err}")
    };
    assert!(!inc.has_manifest);
    assert_eq!(inc.unsealed.len(), 6);
    let msg = err.to_string();
    assert!(
        msg.contains("no manifest.json") && msg.contains("finish"),
        "{msg}"
    );
    let report = verify_path(&dir, &VerifyOptions::default());
    assert!(
        matches!(report.problems[0], Problem::Incomplete(_)),
        "{:?}",
        report.problems
    );

    BundleWriter::resume(&dir).unwrap().finish().unwrap();
    assert!(verify_path(&dir, &VerifyOptions::default()).is_ok());

    // A finished bundle reopened to add an attestation is incomplete until finished again.
    let mut w = BundleWriter::resume(&dir).unwrap();
    w.add_attachment("late.txt", "text/plain", b"late\n", at())
        .unwrap();
    drop(w);
    let Error::Incomplete(inc) = Bundle::open(&dir).unwrap_err() else {
        panic!()
    };
    assert!(inc.has_manifest);
    assert_eq!(inc.unsealed.len(), 1);
    assert!(
        inc.unsealed[0].starts_with("attachment attachment "),
        "{:?}",
        inc.unsealed
    );
    let m = BundleWriter::resume(&dir).unwrap().finish().unwrap();
    assert_eq!(m.entries.len(), 7);
    assert!(verify_path(&dir, &VerifyOptions::default()).is_ok());
}

#[test]
fn records_are_validated_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let mut w = BundleWriter::create(&dir, info()).unwrap();
    let raw = w
        .add_raw(
            EntryMeta::new(
                KIND_RAW,
                "sample",
                "demo-0001",
                "global",
                "iam:ListUsers",
                at(),
            ),
            b"[]",
        )
        .unwrap();
    let mut rec = serde_json::json!({
        "schema_version": 1, "kind": "identity.user", "provider": "sample", "account": "demo-0001", "region": "global",
        "resource_id": "u", "sources": [raw.to_string()], "name": "u", "root": false, "console_access": true,
        "mfa_enabled": "yes", "privileged": false, "created_at": "2025-01-01T00:00:00+08:00"
    });
    let meta = EntryMeta::for_record(&rec, "iam:ListUsers", at()).unwrap();
    let err = w.add_record(meta.clone(), &rec).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("/mfa_enabled") && msg.contains("/created_at"),
        "{msg}"
    );
    // A source that is not a raw object of the bundle.
    rec["mfa_enabled"] = true.into();
    rec["created_at"] = "2025-01-01T00:00:00Z".into();
    rec["sources"] = serde_json::json!(["0".repeat(64)]);
    assert!(matches!(
        w.add_record(meta.clone(), &rec),
        Err(Error::UnknownObject { .. })
    ));
    // Envelope and entry must agree.
    rec["sources"] = serde_json::json!([raw.to_string()]);
    let mut other = meta.clone();
    other.region = Some("cn-north-1".into());
    assert!(matches!(
        w.add_record(other, &rec),
        Err(Error::InvalidMeta(_))
    ));
    w.add_record(meta, &rec).unwrap();
    // Nothing invalid was written.
    assert_eq!(w.finish().unwrap().entries.len(), 2);
}

#[test]
fn signature_round_trip_and_wrong_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    small_bundle(&dir);
    let key_path = tmp.path().join("key");
    let pub_path = write_key_pair(&key_path, &signing_key_from_seed([7; 32])).unwrap();
    assert!(
        write_key_pair(&key_path, &signing_key_from_seed([7; 32])).is_err(),
        "never overwrites a key"
    );
    let key = read_signing_key(&key_path).unwrap();
    assert!(
        read_signing_key(&pub_path).is_err(),
        "a public key is not a private key"
    );
    let public = read_verifying_key(&pub_path).unwrap();
    sign_manifest(&dir, &key).unwrap();

    let trusted = VerifyOptions {
        trusted_key: Some(public),
        ..VerifyOptions::default()
    };
    let r = verify_path(&dir, &trusted);
    assert!(r.is_ok(), "{:?}", r.problems);
    assert!(matches!(r.signature, SignatureStatus::Trusted { .. }));
    let r = verify_path(&dir, &VerifyOptions::default());
    assert!(r.is_ok() && matches!(r.signature, SignatureStatus::SelfConsistent { .. }));

    let other = VerifyOptions {
        trusted_key: Some(signing_key_from_seed([8; 32]).verifying_key()),
        ..VerifyOptions::default()
    };
    let r = verify_path(&dir, &other);
    assert!(
        r.problems.iter().any(
            |p| matches!(p, Problem::SignatureInvalid(m) if m.contains("not by the trusted key"))
        ),
        "{:?}",
        r.problems
    );

    // Archive carries the signature.
    let tar = tmp.path().join("b.tar");
    export_archive(&dir, &tar).unwrap();
    assert!(verify_path(&tar, &trusted).is_ok());

    // Adding an attestation later drops the now-stale signature; an unsigned bundle fails --pubkey.
    let mut w = BundleWriter::resume(&dir).unwrap();
    w.add_attachment("x.txt", "text/plain", b"x", at()).unwrap();
    w.finish().unwrap();
    assert!(!dir.join("manifest.sig").exists());
    let r = verify_path(&dir, &trusted);
    assert!(
        r.problems
            .iter()
            .any(|p| matches!(p, Problem::SignatureInvalid(_)))
    );
    sign_manifest(&dir, &key).unwrap();
    assert!(verify(&Bundle::open(&dir).unwrap(), &trusted).is_ok());
}

#[test]
fn verify_lists_missing_extra_and_mismatched_objects() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let m = small_bundle(&dir);
    let victim = m.entries.iter().find(|e| e.kind == "raw").unwrap().sha256;
    std::fs::remove_file(dir.join(victim.object_path())).unwrap();
    let extra = cloudcap_evidence::Sha256Hex::of(b"stray");
    std::fs::create_dir_all(dir.join(extra.object_path()).parent().unwrap()).unwrap();
    std::fs::write(dir.join(extra.object_path()), b"stray").unwrap();
    let other = m
        .entries
        .iter()
        .find(|e| e.kind == "attachment")
        .unwrap()
        .sha256;
    std::fs::write(dir.join(other.object_path()), b"tampered").unwrap();
    let r = verify_path(&dir, &VerifyOptions::default());
    let text: Vec<String> = r.problems.iter().map(ToString::to_string).collect();
    assert!(
        r.problems
            .iter()
            .any(|p| matches!(p, Problem::ObjectMissing { sha, .. } if *sha == victim)),
        "{text:#?}"
    );
    assert!(
        r.problems
            .iter()
            .any(|p| matches!(p, Problem::ExtraFile { path } if *path == extra.object_path())),
        "{text:#?}"
    );
    assert!(
        r.problems.iter().any(|p| matches!(p, Problem::HashMismatch { expected, actual, .. } if *expected == other && *actual == cloudcap_evidence::Sha256Hex::of(b"tampered"))),
        "{text:#?}"
    );
}

#[test]
fn resume_refuses_an_edited_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    small_bundle(&dir);
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("\"tool_version\":\"test 1\"", "\"tool_version\":\"test 2\""),
    )
    .unwrap();
    let err = BundleWriter::resume(&dir).unwrap_err();
    assert!(matches!(err, Error::ManifestNotIntact { .. }), "{err}");
    assert!(err.to_string().contains("Merkle root"), "{err}");
}
