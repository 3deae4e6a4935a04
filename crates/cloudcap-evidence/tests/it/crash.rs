//! Killing the writer between any two durable steps never yields a bundle that verifies with
//! missing data: the state is either reported (Incomplete / verify fails) or holds everything
//! acknowledged, and resume + re-adding + finish always gives the bundle an uncrashed run gives.

use std::path::Path;

use cloudcap_evidence::{
    Bundle, BundleWriter, Error, Manifest, Sha256Hex, VerifyOptions, sign_manifest,
    signing_key_from_seed, verify_path,
};

use crate::support::{at, files, info, small_bundle, small_steps, small_steps_acked};

/// Extra objects added to a finished bundle (attestation with an attachment, a raw object).
fn extra_steps(w: &mut BundleWriter, acked: &mut Vec<Sha256Hex>) -> cloudcap_evidence::Result<()> {
    let doc = w.add_attachment("photo.png", "image/png", b"\x89PNG fake", at())?;
    acked.push(doc);
    let att = cloudcap_evidence::Attestation {
        control: "pes-16.2".into(),
        item: None,
        method: cloudcap_evidence::Method::Examine,
        result: cloudcap_evidence::AttestationResult::Satisfied,
        assessor: "B".into(),
        date: cloudcap_evidence::parse_date("2026-11-20").unwrap(),
        expires: None,
        note: Some("site visit".into()),
        attachments: vec![doc],
    };
    acked.push(w.add_attestation(att)?);
    Ok(())
}

/// Checks the property for a crashed state; returns how it was classified.
fn check_state(dir: &Path, acked: &[Sha256Hex], complete: &[u8]) -> &'static str {
    let report = verify_path(dir, &VerifyOptions::default());
    match Bundle::open(dir) {
        Ok(b) => {
            if report.is_ok() {
                for sha in acked {
                    assert!(
                        b.contains(sha),
                        "{}: verifies but acknowledged object {sha} is missing",
                        dir.display()
                    );
                }
                if b.manifest_bytes() == complete {
                    "complete"
                } else {
                    "verifies (nothing acknowledged missing)"
                }
            } else {
                "opens, verify fails"
            }
        }
        Err(Error::Incomplete(_)) => {
            assert!(!report.is_ok());
            "incomplete"
        }
        Err(Error::NotABundle { .. }) => {
            assert!(!report.is_ok());
            "not a bundle"
        }
        Err(e) => panic!("{}: unexpected error {e}", dir.display()),
    }
}

fn assert_same_bundle(dir: &Path, reference: &Path) {
    assert_eq!(
        std::fs::read(dir.join("manifest.json")).unwrap(),
        std::fs::read(reference.join("manifest.json")).unwrap()
    );
    assert_eq!(files(dir), files(reference), "{}", dir.display());
    let report = verify_path(dir, &VerifyOptions::default());
    assert!(report.is_ok(), "{}: {:?}", dir.display(), report.problems);
}

#[test]
fn crash_after_every_step_of_a_new_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let reference = tmp.path().join("reference");
    small_bundle(&reference);
    let complete = std::fs::read(reference.join("manifest.json")).unwrap();
    let mut classes = std::collections::BTreeMap::<&str, usize>::new();
    for n in 0.. {
        let dir = tmp.path().join(format!("n{n}"));
        let mut acked = Vec::new();
        let run = (|| -> cloudcap_evidence::Result<Manifest> {
            let mut w = BundleWriter::create_with_crash_after(&dir, info(), n)?;
            small_steps_acked(&mut w, &mut acked)?;
            w.finish()
        })();
        match run {
            Ok(_) => {
                assert_same_bundle(&dir, &reference);
                println!("new bundle: {n} crash points; states: {classes:?}");
                assert!(n > 20);
                return;
            }
            Err(Error::Interrupted) => {}
            Err(e) => panic!("step {n}: {e}"),
        }
        *classes
            .entry(check_state(&dir, &acked, &complete))
            .or_default() += 1;
        // Recover: resume (or start over if not even the journal was written), add everything again, finish.
        let mut w = match BundleWriter::resume(&dir) {
            Ok(w) => w,
            Err(Error::NotABundle { .. }) => {
                let _ = std::fs::remove_dir_all(&dir);
                BundleWriter::create(&dir, info()).unwrap()
            }
            Err(e) => panic!("step {n}: resume failed: {e}"),
        };
        small_steps(&mut w).unwrap();
        w.finish().unwrap();
        assert_same_bundle(&dir, &reference);
    }
}

#[test]
fn crash_after_every_step_of_adding_to_a_signed_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let key = signing_key_from_seed([1; 32]);
    let base = tmp.path().join("base");
    small_bundle(&base);
    sign_manifest(&base, &key).unwrap();
    let reference = tmp.path().join("reference");
    copy_dir(&base, &reference);
    let mut w = BundleWriter::resume(&reference).unwrap();
    extra_steps(&mut w, &mut Vec::new()).unwrap();
    w.finish().unwrap();
    let complete = std::fs::read(reference.join("manifest.json")).unwrap();
    let mut classes = std::collections::BTreeMap::<&str, usize>::new();
    for n in 0.. {
        let dir = tmp.path().join(format!("n{n}"));
        copy_dir(&base, &dir);
        let mut acked = Vec::new();
        let run = (|| -> cloudcap_evidence::Result<Manifest> {
            let mut w = BundleWriter::resume_with_crash_after(&dir, n)?;
            extra_steps(&mut w, &mut acked)?;
            w.finish()
        })();
        match run {
            Ok(_) => {
                assert_same_bundle(&dir, &reference);
                println!("adding to a signed bundle: {n} crash points; states: {classes:?}");
                return;
            }
            Err(Error::Interrupted) => {}
            Err(e) => panic!("step {n}: {e}"),
        }
        *classes
            .entry(check_state(&dir, &acked, &complete))
            .or_default() += 1;
        let mut w = BundleWriter::resume(&dir).unwrap();
        extra_steps(&mut w, &mut Vec::new()).unwrap();
        w.finish().unwrap();
        assert_same_bundle(&dir, &reference);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for rel in files(from) {
        let dst = to.join(&rel);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&rel), dst).unwrap();
    }
}
