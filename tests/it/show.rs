//! `cloudcap evidence show`: every object of the sample bundle comes back byte for byte, each
//! with its manifest entry; a hash the manifest does not list, or no hash at all, is exit 4.

use std::process::{Command, Output};

fn cloudcap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudcap"))
        .args(args)
        .output()
        .unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn evidence_show_round_trips_every_object_of_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("sample");
    let b = bundle.to_str().unwrap();
    assert!(
        cloudcap(&["evidence", "sample", "--out", b])
            .status
            .success()
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    let entries = manifest["entries"].as_array().unwrap();
    assert!(entries.len() > 50, "the sample has many objects");
    let mut shown = std::collections::BTreeSet::new();
    for e in entries {
        let sha = e["sha256"].as_str().unwrap();
        if !shown.insert(sha.to_owned()) {
            continue;
        }
        let out = cloudcap(&["evidence", "show", b, sha]);
        assert!(
            out.status.success(),
            "{sha}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(sha256_hex(&out.stdout), sha, "the bytes of {sha} as stored");
        assert_eq!(out.stdout.len() as u64, e["size"].as_u64().unwrap());
        let meta = cloudcap(&["evidence", "show", b, sha, "--meta"]);
        assert!(meta.status.success());
        let listed: serde_json::Value = serde_json::from_slice(&meta.stdout).unwrap();
        assert!(
            listed.as_array().unwrap().iter().any(|m| m == e),
            "{sha}: --meta names its manifest entry"
        );
    }

    let absent = "0".repeat(64);
    let out = cloudcap(&["evidence", "show", b, &absent]);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no object"));
    assert!(out.stdout.is_empty());
    let out = cloudcap(&["evidence", "show", b, "not-a-hash"]);
    assert_eq!(out.status.code(), Some(4));

    // A tampered object: the bundle no longer verifies, so nothing is shown.
    let sha = entries[0]["sha256"].as_str().unwrap();
    let object = bundle.join("objects").join(&sha[..2]).join(sha);
    std::fs::write(&object, b"tampered").unwrap();
    let out = cloudcap(&["evidence", "show", b, sha]);
    assert_eq!(out.status.code(), Some(4));
    assert!(out.stdout.is_empty());
}
