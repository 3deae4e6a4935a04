//! Verification does not depend on the thread count the caller gives: the same report, the
//! same problems in the same order, on a bundle large enough to be cut into chunks.

use cloudcap_evidence::{BundleWriter, EntryMeta, KIND_RAW, VerifyOptions, verify_path};

use crate::support::{at, files, info};

/// Above the size below which verification stays on one thread.
const OBJECTS: usize = 5000;

#[test]
fn verify_reports_the_same_on_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    // Durability is not what is tested here: no fsync per object.
    let mut w = BundleWriter::create_unsynced(&dir, info()).unwrap();
    for i in 0..OBJECTS {
        let meta = EntryMeta::new(
            KIND_RAW,
            "sample",
            "demo-0001",
            "global",
            "iam:ListUsers",
            at(),
        );
        w.add_raw(meta, format!("answer {i}").as_bytes()).unwrap();
    }
    w.finish().unwrap();

    let with = |threads: usize| {
        let r = verify_path(
            &dir,
            &VerifyOptions {
                threads,
                ..VerifyOptions::default()
            },
        );
        (
            format!("{:?}", r.problems),
            r.merkle_root,
            r.entries,
            r.bytes_hashed,
        )
    };
    let one = with(1);
    assert_eq!(one.0, "[]", "a sound bundle verifies");
    assert_eq!(one.2, OBJECTS);
    for threads in [0, 2, 3, 8, 64] {
        assert_eq!(with(threads), one, "{threads} threads");
    }

    // Damage objects spread over the digest order: each thread's chunk finds some, and the
    // problems come back in the same order whatever the count.
    let objects: Vec<String> = files(&dir)
        .into_iter()
        .filter(|f| f.starts_with("objects/"))
        .collect();
    assert_eq!(objects.len(), OBJECTS, "{:?}", &objects[..3]);
    for f in objects.iter().step_by(997) {
        std::fs::write(dir.join(f), b"tampered").unwrap();
    }
    let one = with(1);
    let damaged = objects.iter().step_by(997).count();
    assert!(
        one.0.matches("objects/").count() >= damaged,
        "{damaged} damaged objects: {}",
        one.0
    );
    for threads in [2, 3, 8] {
        assert_eq!(with(threads), one, "{threads} threads on a damaged bundle");
    }
}
