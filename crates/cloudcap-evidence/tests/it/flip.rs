//! Flipping any single byte of any object, of manifest.json or of manifest.sig is caught by verify.

use std::path::Path;

use cloudcap_evidence::{VerifyOptions, sign_manifest, signing_key_from_seed, verify_path};

use crate::support::{files, small_bundle};

/// Flips every byte of every listed file with each mask, one at a time; returns (flips, caught).
fn flip_all(
    dir: &Path,
    only: impl Fn(&str) -> bool,
    masks: &[u8],
    options: &VerifyOptions,
) -> (usize, usize, Vec<String>) {
    let (mut flips, mut caught, mut missed) = (0, 0, Vec::new());
    for rel in files(dir).into_iter().filter(|f| only(f)) {
        let path = dir.join(&rel);
        let original = std::fs::read(&path).unwrap();
        for i in 0..original.len() {
            for &mask in masks {
                let mut bytes = original.clone();
                bytes[i] ^= mask;
                std::fs::write(&path, &bytes).unwrap();
                flips += 1;
                if verify_path(dir, options).is_ok() {
                    missed.push(format!("{rel} byte {i} ^ {mask:#04x}"));
                } else {
                    caught += 1;
                }
            }
        }
        std::fs::write(&path, &original).unwrap();
    }
    (flips, caught, missed)
}

#[test]
fn every_byte_flip_is_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    small_bundle(&dir);
    let key = signing_key_from_seed([42; 32]);

    // Unsigned bundle: objects and manifest, each byte XOR 0xff and XOR 0x01.
    let plain = VerifyOptions::default();
    assert!(verify_path(&dir, &plain).is_ok());
    let (flips, caught, missed) = flip_all(&dir, |f| f != "manifest.sig", &[0xff, 0x01], &plain);
    println!(
        "unsigned bundle: {flips} single-byte flips over objects and manifest.json, {caught} caught"
    );
    assert!(
        missed.is_empty(),
        "verify missed {} flips: {missed:#?}",
        missed.len()
    );
    assert!(verify_path(&dir, &plain).is_ok(), "restored");

    // Signed bundle checked against the trusted key: the signature file too.
    sign_manifest(&dir, &key).unwrap();
    let trusted = VerifyOptions {
        trusted_key: Some(key.verifying_key()),
        ..VerifyOptions::default()
    };
    assert!(verify_path(&dir, &trusted).is_ok());
    let (sflips, scaught, smissed) = flip_all(
        &dir,
        |f| f == "manifest.sig" || f == "manifest.json",
        &[0xff, 0x01],
        &trusted,
    );
    println!(
        "signed bundle: {sflips} single-byte flips over manifest.json and manifest.sig, {scaught} caught"
    );
    assert!(
        smissed.is_empty(),
        "verify missed {} flips: {smissed:#?}",
        smissed.len()
    );
    assert!(flips > 1000);
}
