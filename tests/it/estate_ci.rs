//! The documented estate run (`examples/ci/`: a CI matrix with one collection job per account,
//! then one job that gathers the bundles and grades the estate) against moto's organization
//! (tests/moto/seed.py: a management account and three members, one whose role the caller may
//! not assume). Each "job" runs `collect-account.sh` in a directory of its own, as on its own
//! machine; the bundles are then copied together and `assess-estate.sh` grades them.
//!
//! Skipped, loudly, only when CLOUDCAP_MOTO_URL is unset.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::moto_org::{Org, org};

const REGION: &str = "us-east-1";

/// Runs one of the example scripts in `dir`, with the built binary first on `PATH`.
fn script(org: &Org, name: &str, dir: &Path, env: &[(&str, &str)]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = Path::new(env!("CARGO_BIN_EXE_cloudcap")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.arg(root.join("examples/ci").join(name))
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", dir)
        .env("AWS_ENDPOINT_URL", &org.url)
        .env("AWS_ACCESS_KEY_ID", &org.key_id)
        .env("AWS_SECRET_ACCESS_KEY", &org.secret)
        .env("AWS_REGION", REGION)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn estate_ci_matrix_example_collects_each_account_apart_and_grades_them_together() {
    let Some(org) =
        org("estate_ci_matrix_example_collects_each_account_apart_and_grades_them_together")
    else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let mut accounts = vec![org.management.clone(), org.unassumable.clone()];
    accounts.extend(org.audited.iter().cloned());
    accounts.sort();
    // The matrix: one job, one directory, one account.
    for account in &accounts {
        let job = work.path().join(format!("job-{account}"));
        std::fs::create_dir_all(&job).unwrap();
        let out = script(
            &org,
            "collect-account.sh",
            &job,
            &[
                ("ACCOUNT", account),
                ("ROLE", "cloudcap-audit"),
                ("REGIONS", REGION),
            ],
        );
        assert!(
            out.status.success(),
            "job for {account}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The gathering job: every job's bundles/ merged into one (as download-artifact does).
    let gather = work.path().join("gather");
    for account in &accounts {
        copy_dir(
            &work.path().join(format!("job-{account}/bundles")),
            &gather.join("bundles"),
        );
    }
    let all = accounts.join(" ");
    let at = [("ACCOUNTS", all.as_str()), ("AT", "2026-12-01T00:00:00Z")];
    let out = script(&org, "assess-estate.sh", &gather, &at);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // One account could not be collected and the others have known failures: the gate is 1
    // or 3; 0 would hide them, 4 would mean the pipeline broke.
    let code = out.status.code().unwrap_or(-1);
    assert!(code == 1 || code == 3, "exit {code}\n{stdout}\n{stderr}");
    let note = stdout
        .lines()
        .find(|l| l.starts_with("note: report recomputed from "))
        .unwrap_or_else(|| panic!("the gate did not recompute the report\n{stdout}\n{stderr}"));
    assert!(note.ends_with(": identical"), "{note}");
    for account in &accounts {
        assert!(note.contains(&format!("bundles/{account}/")), "{note}");
    }
    let report: Value =
        serde_json::from_slice(&std::fs::read(gather.join("estate.json")).unwrap()).unwrap();
    assert_eq!(report["bundles"].as_array().unwrap().len(), accounts.len());
    // Every account has its own score; the unassumable one has no failure and nothing read: its
    // boundary records every kind as failed to collect (access denied), none as collected.
    let scored: BTreeSet<String> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(scored, accounts.iter().cloned().collect());
    for a in report["accounts"].as_array().unwrap() {
        if a["account"] == org.unassumable.as_str() {
            assert_eq!(a["failed_resources"], 0, "{a}");
            assert_eq!(a["overall"]["evaluated"], 0, "{a}");
        }
    }
    for b in report["boundary"]["accounts"].as_array().unwrap() {
        let kinds = b["kinds"].as_array().unwrap();
        let ok: u64 = kinds.iter().map(|k| k["scopes_ok"].as_u64().unwrap()).sum();
        let denied = kinds.iter().all(|k| {
            let failed = k["failed"].as_array().unwrap();
            !failed.is_empty() && failed.iter().all(|f| f["error_class"] == "access-denied")
        });
        if b["account"] == org.unassumable.as_str() {
            assert!(ok == 0 && denied, "{b}");
        } else {
            assert!(ok > 0, "{b}");
        }
    }
    // Every failing resource names its account, and it is one of the estate's.
    let mut failing_accounts = BTreeSet::new();
    for control in report["controls"].as_array().unwrap() {
        for item in control["items"].as_array().into_iter().flatten() {
            for rule in item["rules"].as_array().into_iter().flatten() {
                for r in rule["failed"].as_array().into_iter().flatten() {
                    let account = r["account"].as_str().expect("a failing resource's account");
                    assert!(accounts.iter().any(|a| a == account), "{r}");
                    failing_accounts.insert(account.to_owned());
                }
            }
        }
    }
    assert!(!failing_accounts.is_empty(), "no failing resource at all");
    assert!(!failing_accounts.contains(&org.unassumable));
    assert!(gather.join("estate.html").metadata().unwrap().len() > 1000);
    // A job that left no bundle: the gathering job refuses the run instead of grading less.
    std::fs::remove_dir_all(gather.join("bundles").join(&org.audited[0])).unwrap();
    let out = script(&org, "assess-estate.sh", &gather, &at);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(&org.audited[0]));
    for text in [&stdout, &stderr] {
        assert!(!text.contains(&org.secret), "the secret leaked");
    }
}
