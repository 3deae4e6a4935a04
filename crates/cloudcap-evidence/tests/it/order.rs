//! Property: any set of objects makes a bundle that verifies, and the manifest (hence the
//! Merkle root) does not depend on the order the objects were added in.

use cloudcap_evidence::{BundleWriter, EntryMeta, KIND_RAW, VerifyOptions, verify_path};
use proptest::prelude::*;
use serde_json::json;

use crate::support::{at, info};

#[derive(Clone, Debug)]
enum Obj {
    Raw {
        region: usize,
        action: usize,
        bytes: Vec<u8>,
    },
    Bucket {
        source: usize,
        name: String,
        encrypted: bool,
        public: bool,
    },
    Attachment {
        name: String,
        bytes: Vec<u8>,
    },
}

const REGIONS: [&str; 3] = ["cn-north-1", "cn-shanghai", "global"];
const ACTIONS: [&str; 3] = ["oss:ListBuckets", "iam:ListUsers", "kms:ListKeys"];

fn obj() -> impl Strategy<Value = Obj> {
    prop_oneof![
        (
            0..3usize,
            0..3usize,
            proptest::collection::vec(any::<u8>(), 0..64)
        )
            .prop_map(|(region, action, bytes)| Obj::Raw {
                region,
                action,
                bytes
            }),
        (0..4usize, "[a-z]{1,8}", any::<bool>(), any::<bool>()).prop_map(
            |(source, name, encrypted, public)| Obj::Bucket {
                source,
                name,
                encrypted,
                public
            }
        ),
        (
            "[a-z]{1,8}\\.txt",
            proptest::collection::vec(any::<u8>(), 0..32)
        )
            .prop_map(|(name, bytes)| Obj::Attachment { name, bytes }),
    ]
}

/// Adds raw objects first (records need their sources), each group in the given order.
fn write(dir: &std::path::Path, objs: &[Obj]) -> Vec<u8> {
    let mut w = BundleWriter::create(dir, info()).unwrap();
    let mut raws = Vec::new();
    for o in objs {
        if let Obj::Raw {
            region,
            action,
            bytes,
        } = o
        {
            raws.push(
                w.add_raw(
                    EntryMeta::new(
                        KIND_RAW,
                        "sample",
                        "demo-0001",
                        REGIONS[*region],
                        ACTIONS[*action],
                        at(),
                    ),
                    bytes,
                )
                .unwrap(),
            );
        }
    }
    // Sources are chosen by content order so that they do not depend on insertion order.
    raws.sort();
    raws.dedup();
    for o in objs {
        match o {
            Obj::Bucket {
                source,
                name,
                encrypted,
                public,
            } if !raws.is_empty() => {
                let src = raws[source % raws.len()];
                let rec = json!({
                    "schema_version": 1, "kind": "storage.bucket", "provider": "sample", "account": "demo-0001", "region": "cn-north-1",
                    "resource_id": name, "sources": [src.to_string()], "name": name, "encrypted": encrypted, "customer_managed_key": false,
                    "versioning": true, "public": public, "public_access_block": !public, "access_logging": false
                });
                w.add_record(
                    EntryMeta::for_record(&rec, "oss:ListBuckets", at()).unwrap(),
                    &rec,
                )
                .unwrap();
            }
            Obj::Attachment { name, bytes } => {
                w.add_attachment(name, "text/plain", bytes, at()).unwrap();
            }
            _ => {}
        }
    }
    w.finish().unwrap();
    std::fs::read(dir.join("manifest.json")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 64, .. ProptestConfig::default() })]

    #[test]
    fn manifest_is_independent_of_insertion_order(
        (objs, shuffled) in proptest::collection::vec(obj(), 0..12).prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let a = write(&tmp.path().join("a"), &objs);
        let b = write(&tmp.path().join("b"), &shuffled);
        let mut reversed = objs.clone();
        reversed.reverse();
        let c = write(&tmp.path().join("c"), &reversed);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(&a, &c);
        for d in ["a", "b", "c"] {
            let report = verify_path(&tmp.path().join(d), &VerifyOptions::default());
            prop_assert!(report.is_ok(), "{:?}", report.problems);
        }
    }
}
