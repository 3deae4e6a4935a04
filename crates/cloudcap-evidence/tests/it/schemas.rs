//! The committed `evidence-schemas/` match the Rust types; invalid records are rejected with the field path named.

use std::collections::BTreeMap;
use std::path::PathBuf;

use cloudcap_evidence::{SCHEMA_DIR, kinds, schema_files, validate_record};

/// One schema per kind plus the five fixed ones, each under `evidence-schemas/`. Whether the
/// committed files match is `cargo xtask codegen --check` (xtask's test runs it).
#[test]
fn schema_files_cover_every_kind() {
    let files = schema_files();
    // Kinds plus collection.status, collection.run, assessment.scope, attestation, manifest.
    assert_eq!(files.len(), kinds().len() + 5);
    for k in kinds() {
        let path = PathBuf::from(SCHEMA_DIR).join(format!("{}.schema.json", k.name));
        let (_, bytes) = files
            .iter()
            .find(|(p, _)| *p == path)
            .unwrap_or_else(|| panic!("no {}", path.display()));
        let schema: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        assert_eq!(schema["title"], k.name);
    }
    assert!(files.iter().all(|(_, b)| b.ends_with(b"}\n")));
}

/// The registry matches the table of docs/evidence-kinds.md (names, types, optionality).
#[test]
fn registry_matches_docs() {
    let doc = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/evidence-kinds.md"),
    )
    .unwrap();
    let mut documented = BTreeMap::new();
    for line in doc.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() != 4 || !cells[1].starts_with('`') || !cells[1][1..].contains('.') {
            continue;
        }
        let name = cells[1].trim_matches('`');
        let mut fields = Vec::new();
        for f in cells[2].split(';') {
            let f = f.trim();
            let (fname, rest) = f.trim_start_matches('`').split_once('`').unwrap();
            let rest = rest.trim();
            let optional = rest
                .split_whitespace()
                .find(|w| !matches!(*w, "list" | "of"))
                .unwrap_or("")
                .ends_with('?');
            let ty = if rest.starts_with("list of int") {
                "list<int>"
            } else if rest.starts_with("list of string") {
                "list<string>"
            } else {
                match rest
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .trim_end_matches('?')
                {
                    "bool" => "bool",
                    "int" => "int",
                    "string" => "string",
                    "timestamp" => "timestamp",
                    other => panic!("unknown doc type `{other}` in {name}.{fname}"),
                }
            };
            fields.push((fname.to_owned(), ty.to_owned(), optional));
        }
        documented.insert(name.to_owned(), fields);
    }
    assert_eq!(
        documented.len(),
        kinds().len(),
        "kinds in docs: {:?}",
        documented.keys()
    );
    for k in kinds() {
        let doc_fields = documented
            .get(k.name)
            .unwrap_or_else(|| panic!("{} is not documented", k.name));
        let ours: Vec<(String, String, bool)> = k
            .fields
            .iter()
            .skip(7)
            .map(|f| (f.name.to_owned(), f.ty.as_str().to_owned(), f.optional))
            .collect();
        assert_eq!(&ours, doc_fields, "{}", k.name);
        assert_eq!(
            k.fields[..7].iter().map(|f| f.name).collect::<Vec<_>>(),
            [
                "schema_version",
                "kind",
                "provider",
                "account",
                "region",
                "resource_id",
                "sources"
            ]
        );
    }
}

fn valid_records() -> Vec<(String, serde_json::Value)> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    cloudcap_evidence::extract_archive(cloudcap_evidence::sample_bundle_tar(), &dir).unwrap();
    let b = cloudcap_evidence::Bundle::open(&dir).unwrap();
    let mut out = Vec::new();
    for k in kinds()
        .iter()
        .map(|k| k.name)
        .chain(["collection.status", "attestation"])
    {
        if let Some(r) = b.records(k).next() {
            out.push((k.to_owned(), r.unwrap().1));
        }
    }
    out
}

#[test]
fn invalid_records_are_rejected_with_the_field_path_named() {
    let records = valid_records();
    assert_eq!(
        records.len(),
        kinds().len() + 1,
        "backup.plan has no sample record"
    );
    for (kind, rec) in &records {
        assert_eq!(validate_record(kind, rec), Ok(()), "{kind}");
        let first_field = kinds()
            .iter()
            .find(|k| k.name == kind)
            .and_then(|k| k.fields[7..].iter().find(|f| !f.optional))
            .map(|f| f.name);

        // Unknown field.
        let mut bad = rec.clone();
        bad["colour"] = "red".into();
        let errs = validate_record(kind, &bad).unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.pointer == "/colour" && e.message == "unknown field"),
            "{kind}: {errs:?}"
        );

        if let Some(field) = first_field {
            // Missing required field.
            let mut bad = rec.clone();
            bad.as_object_mut().unwrap().remove(field);
            let errs = validate_record(kind, &bad).unwrap_err();
            assert!(
                errs.iter()
                    .any(|e| e.pointer == format!("/{field}") && e.message.contains("required")),
                "{kind}: {errs:?}"
            );
            // Wrong type, and null is never allowed.
            for v in [
                serde_json::json!({"x": 1}),
                serde_json::Value::Null,
                serde_json::json!(1.5),
            ] {
                let mut bad = rec.clone();
                bad[field] = v;
                let errs = validate_record(kind, &bad).unwrap_err();
                assert!(
                    errs.iter().any(|e| e.pointer == format!("/{field}")),
                    "{kind}: {errs:?}"
                );
            }
            // Envelope: wrong schema version, kind, bad source digest.
            let mut bad = rec.clone();
            bad["schema_version"] = 2.into();
            bad["kind"] = "identity.usr".into();
            bad["sources"][0] = "ABC".into();
            let errs = validate_record(kind, &bad).unwrap_err();
            let pointers: Vec<&str> = errs.iter().map(|e| e.pointer.as_str()).collect();
            assert!(
                pointers.contains(&"/schema_version")
                    && pointers.contains(&"/kind")
                    && pointers.contains(&"/sources/0"),
                "{kind}: {errs:?}"
            );
        }
    }
    let sg = &records
        .iter()
        .find(|(k, _)| k == "network.security-group")
        .unwrap()
        .1;
    let mut bad = sg.clone();
    bad["world_open_ports"] = serde_json::json!([443, 22]);
    let errs = validate_record("network.security-group", &bad).unwrap_err();
    assert_eq!(errs[0].pointer, "/world_open_ports", "{errs:?}");
    bad["world_open_ports"] = serde_json::json!([22, 70000]);
    assert_eq!(
        validate_record("network.security-group", &bad).unwrap_err()[0].pointer,
        "/world_open_ports/1"
    );
    let mut bad = records
        .iter()
        .find(|(k, _)| k == "identity.user")
        .unwrap()
        .1
        .clone();
    bad["created_at"] = "2026-11-20T16:00:00+08:00".into();
    assert_eq!(
        validate_record("identity.user", &bad).unwrap_err()[0].pointer,
        "/created_at"
    );
    bad["created_at"] = "2026-13-20T08:00:00Z".into();
    assert_eq!(
        validate_record("identity.user", &bad).unwrap_err()[0].pointer,
        "/created_at"
    );

    // collection.status: error needs error_class and message; ok must not carry them.
    let mut st = serde_json::json!({ "kind": "backup.plan", "provider": "sample", "account": "a", "region": "r", "status": "error", "record_count": 0 });
    let errs = validate_record("collection.status", &st).unwrap_err();
    assert!(
        errs.iter().any(|e| e.pointer == "/error_class")
            && errs.iter().any(|e| e.pointer == "/message"),
        "{errs:?}"
    );
    st["status"] = "ok".into();
    assert_eq!(validate_record("collection.status", &st), Ok(()));
    st["message"] = "x".into();
    assert!(validate_record("collection.status", &st).is_err());
    st["kind"] = "network.flow-log".into();
    assert!(
        validate_record("collection.status", &st)
            .unwrap_err()
            .iter()
            .any(|e| e.pointer == "/kind")
    );
}

/// A bundle written by another tool, with correct hashes and Merkle root but an invalid
/// record: verify reports the schema violation with the field path.
#[test]
fn verify_reports_schema_violations_in_forged_bundles() {
    use cloudcap_evidence::{
        Entry, EntryMeta, Manifest, Problem, Sha256Hex, VerifyOptions, verify_path,
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let at: jiff::Timestamp = "2026-11-20T08:00:00Z".parse().unwrap();
    let raw = b"[]".to_vec();
    let raw_sha = Sha256Hex::of(&raw);
    let rec = serde_json::json!({
        "schema_version": 1, "kind": "storage.bucket", "provider": "sample", "account": "a", "region": "r", "resource_id": "b",
        "sources": [raw_sha.to_string()], "name": "b", "encrypted": "no", "customer_managed_key": false, "versioning": true,
        "public": false, "public_access_block": true
    });
    let rec_bytes = serde_jcs::to_vec(&rec).unwrap();
    let entries = vec![
        Entry::new(
            EntryMeta::new("raw", "sample", "a", "r", "oss:ListBuckets", at),
            raw.len() as u64,
            raw_sha,
        ),
        Entry::new(
            EntryMeta::new("storage.bucket", "sample", "a", "r", "oss:ListBuckets", at),
            rec_bytes.len() as u64,
            Sha256Hex::of(&rec_bytes),
        ),
    ];
    for (sha, bytes) in [(raw_sha, &raw), (Sha256Hex::of(&rec_bytes), &rec_bytes)] {
        let p = dir.join(sha.object_path());
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let info = cloudcap_evidence::BundleInfo {
        tool_version: "other".into(),
        catalog_digest: "x".into(),
        created_at: at,
    };
    std::fs::write(
        dir.join("manifest.json"),
        Manifest::build(&info, entries).to_jcs(),
    )
    .unwrap();
    let report = verify_path(dir, &VerifyOptions::default());
    let pointers: Vec<String> = report
        .problems
        .iter()
        .map(|p| match p {
            Problem::SchemaViolation { error, .. } => error.pointer.clone(),
            other => panic!("unexpected {other}"),
        })
        .collect();
    assert_eq!(pointers, ["/access_logging", "/encrypted"]);
    println!("{}", report.problems[0]);
}
