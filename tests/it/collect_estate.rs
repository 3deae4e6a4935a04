//! `cloudcap collect estate --accounts-file`: the accounts of several providers, each into its
//! own bundle DIR/<label>/ with the records `collect <provider>` writes, graded together by
//! `assess DIR/a DIR/b`; a bad accounts file refused with every problem at its line:col (exit 4,
//! nothing written); an account that cannot run named while the others finish.

use std::path::Path;
use std::process::{Command, Output};

use cloudcap_evidence::Bundle;
use serde_json::Value;

use crate::cn_e2e::{KEY_ID, SECRET, assert_secret_absent, records, run_collect};
use crate::cn_fixture::{self, ALIBABA_ACCOUNT, TENCENT_ACCOUNT, Vendor};

/// The variables the accounts files name (ours, not the vendors' conventional ones).
const ALI_ID: &str = "ESTATE_TEST_ALI_ID";
const ALI_SECRET: &str = "ESTATE_TEST_ALI_SECRET";
const TC_ID: &str = "ESTATE_TEST_TC_ID";
const TC_SECRET: &str = "ESTATE_TEST_TC_SECRET";

fn estate(dir: &Path, accounts: &str, out: &str, extra: &[&str]) -> Output {
    let file = dir.join("accounts.toml");
    std::fs::write(&file, accounts).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cloudcap"));
    cmd.args(["collect", "estate", "--accounts-file"])
        .arg(&file)
        .arg("--out")
        .arg(dir.join(out))
        .args(["--max-attempts", "2", "--timeout-secs", "10"])
        .args(extra)
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy");
    // The vendors' conventional variables must not be what the run uses.
    for name in [
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        "TENCENTCLOUD_SECRET_ID",
        "TENCENTCLOUD_SECRET_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_PROFILE",
    ] {
        cmd.env_remove(name);
    }
    cmd.env(ALI_ID, KEY_ID)
        .env(ALI_SECRET, SECRET)
        .env(TC_ID, KEY_ID)
        .env(TC_SECRET, SECRET)
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn two_accounts(alibaba_url: &str, tencent_url: &str, tencent_extra: &str) -> String {
    format!(
        r#"# two accounts of two providers
[[account]]
provider = "alibaba"
label = "ali-prod"
access_key_env = "{ALI_ID}"
secret_key_env = "{ALI_SECRET}"
endpoint_url = "{alibaba_url}"

[[account]]
provider = "tencent"
label = "tc_prod"
access_key_env = "{TC_ID}"
secret_key_env = "{TC_SECRET}"
endpoint_url = "{tencent_url}"
{tencent_extra}
"#
    )
}

fn verify(bundle: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
        .args(["evidence", "verify"])
        .arg(bundle)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}: {}",
        bundle.display(),
        text(&output)
    );
}

#[test]
fn collect_estate_collects_each_account_of_the_file_into_its_own_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let alibaba = cn_fixture::start(Vendor::Alibaba, KEY_ID, SECRET);
    let tencent = cn_fixture::start(Vendor::Tencent, KEY_ID, SECRET);
    let output = estate(
        d,
        &two_accounts(&alibaba.url, &tencent.url, ""),
        "estate",
        &["--concurrency", "4"],
    );
    let all = text(&output);
    // The fixtures throttle and deny some calls: collection errors, exit 3 as `collect <vendor>`.
    assert_eq!(output.status.code(), Some(3), "{all}");
    for log in [&alibaba.log, &tencent.log] {
        let log = log.lock().unwrap();
        assert!(!log.is_empty() && log.iter().all(|(_, ok)| *ok), "{log:?}");
    }
    // One summary line per account, and the estate's.
    let out = d.join("estate");
    for (provider, account, label) in [
        ("alibaba", ALIBABA_ACCOUNT, "ali-prod"),
        ("tencent", TENCENT_ACCOUNT, "tc_prod"),
    ] {
        let line = format!("collected {provider} account {account}: ");
        let tail = format!("-> {}", out.join(label).display());
        assert!(
            all.lines()
                .any(|l| l.starts_with(&line) && l.ends_with(&tail)),
            "{all}"
        );
    }
    assert!(
        all.contains(
            "estate: 2 of 2 account(s) collected, 2 with collection errors (ali-prod, tc_prod)"
        ),
        "{all}"
    );
    let mut entries: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    entries.sort();
    assert_eq!(entries, ["ali-prod", "tc_prod"]);

    // Each bundle verifies and holds exactly what `collect <vendor>` writes for the account.
    for (vendor, label, provider, account) in [
        (Vendor::Alibaba, "ali-prod", "alibaba", ALIBABA_ACCOUNT),
        (Vendor::Tencent, "tc_prod", "tencent", TENCENT_ACCOUNT),
    ] {
        verify(&out.join(label));
        let got = records(&Bundle::open(&out.join(label)).unwrap());
        assert!(!got.is_empty(), "{label}");
        assert!(
            got.iter()
                .all(|r| r["provider"] == provider && r["account"] == account),
            "{label}: {got:?}"
        );
        let single = d.join(format!("single-{label}"));
        let (code, stderr, _) = run_collect(vendor, KEY_ID, SECRET, &single, &[]);
        assert_eq!(code, 3, "{stderr}");
        assert_eq!(
            got,
            records(&Bundle::open(&single).unwrap()),
            "{label}: the estate's bundle differs from collect {provider}'s"
        );
    }

    // One assessment grades both bundles as one estate.
    let report_path = d.join("estate.report.json");
    let assessed = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
        .arg("assess")
        .arg(out.join("ali-prod"))
        .arg(out.join("tc_prod"))
        .arg("--out")
        .arg(&report_path)
        .args(["--at", "2026-11-25T00:00:00Z"])
        .output()
        .unwrap();
    assert!(report_path.exists(), "{}", text(&assessed));
    let report: Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    let mut accounts: Vec<&str> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account"].as_str().unwrap())
        .collect();
    accounts.sort();
    let mut expected = [ALIBABA_ACCOUNT, TENCENT_ACCOUNT];
    expected.sort();
    assert_eq!(accounts, expected);
    let mut held: Vec<&str> = report["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["accounts"].as_array().unwrap())
        .map(|a| a.as_str().unwrap())
        .collect();
    held.sort();
    assert_eq!(
        held,
        [
            format!("alibaba/{ALIBABA_ACCOUNT}"),
            format!("tencent/{TENCENT_ACCOUNT}")
        ]
    );

    // The secret reaches no output and no file; nor does the file name it.
    assert_secret_absent(d, &format!("{all}{}", text(&assessed)));
}

#[test]
fn collect_estate_names_an_account_that_cannot_run_and_finishes_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let alibaba = cn_fixture::start(Vendor::Alibaba, KEY_ID, SECRET);
    let tencent = cn_fixture::start(Vendor::Tencent, KEY_ID, SECRET);
    // A region the Tencent account does not list: that account is refused, nothing written.
    let output = estate(
        d,
        &two_accounts(&alibaba.url, &tencent.url, r#"regions = ["xx-nowhere-1"]"#),
        "estate",
        &["--concurrency", "1"],
    );
    let all = text(&output);
    assert_eq!(output.status.code(), Some(4), "{all}");
    assert!(all.contains("account tc_prod: not collected: "), "{all}");
    assert!(all.contains("estate: 1 of 2 account(s) collected"), "{all}");
    assert!(
        all.contains("1 account(s) could not be collected: tc_prod: "),
        "{all}"
    );
    verify(&d.join("estate/ali-prod"));
    assert!(!d.join("estate/tc_prod").exists());
    assert_secret_absent(d, &all);
}

#[test]
fn collect_estate_refuses_a_bad_accounts_file_with_every_problem_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bad = format!(
        r#"[[account]]
provider = "alibaba"
label = "Prod"
access_key_env = "{ALI_ID}"
secret_key_env = "{ALI_SECRET}"
secret_key = "{SECRET}"

[[account]]
provider = "tencent"
label = "tc"
access_key_env = "{TC_ID}"

[[account]]
provider = "aws"
label = "tc"
profile = "audit"
access_key_env = "{ALI_ID}"
secret_key_env = "{ALI_SECRET}"
"#
    );
    let output = estate(d, &bad, "estate", &[]);
    let all = text(&output);
    assert_eq!(output.status.code(), Some(4), "{all}");
    let path = d.join("accounts.toml").display().to_string();
    // Every problem, each at its line:col with its code, in the order of the file.
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let got: Vec<(String, String)> = stderr
        .lines()
        .map(|l| {
            let rest = l
                .strip_prefix(&format!("{path}:"))
                .unwrap_or_else(|| panic!("not path:line:col: {l}"));
            let parts: Vec<&str> = rest.splitn(4, ':').collect();
            (
                format!("{}:{}", parts[0], parts[1]),
                parts[2].trim().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("3:9", "bad-label"),
        ("6:1", "unknown-key"),
        ("8:1", "missing-key"),
        ("15:9", "duplicate-label"),
        ("16:1", "conflicting-credentials"),
    ]
    .iter()
    .map(|(at, code)| ((*at).to_owned(), (*code).to_owned()))
    .collect();
    assert_eq!(got, expected, "{all}");
    assert!(!d.join("estate").exists(), "nothing is written");
    // The pasted secret is not echoed.
    assert!(!all.contains(SECRET), "{all}");

    // An unknown provider, at its value.
    let output = estate(
        d,
        &format!(
            "[[account]]\nprovider = \"azure\"\nlabel = \"a\"\naccess_key_env = \"{ALI_ID}\"\nsecret_key_env = \"{ALI_SECRET}\"\n"
        ),
        "estate",
        &[],
    );
    let all = text(&output);
    assert_eq!(output.status.code(), Some(4), "{all}");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        format!(
            "{path}:2:12: unknown-provider: unknown provider `azure`; expected one of aws, alibaba, tencent, huawei, ecloud, ctyun"
        )
    );
    assert!(!d.join("estate").exists());

    // A variable named but not set: named by its key and place, its name is not needed.
    let output = estate(
        d,
        &format!(
            "[[account]]\nprovider = \"huawei\"\nlabel = \"hw\"\naccess_key_env = \"{ALI_ID}\"\nsecret_key_env = \"ESTATE_TEST_NOT_SET\"\n"
        ),
        "estate",
        &[],
    );
    let all = text(&output);
    assert_eq!(output.status.code(), Some(4), "{all}");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        format!(
            "{path}:5:18: missing-env: the environment variable `secret_key_env` names is not set (or empty)"
        )
    );
    assert!(!d.join("estate").exists());

    // A file without accounts.
    let output = estate(d, "# nothing\n", "estate", &[]);
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        format!("{path}:1:1: empty: no [[account]] table: nothing to collect")
    );
    assert!(!d.join("estate").exists());
}

/// No file under `dir` and no output contains `secret`.
fn assert_absent(dir: &Path, output: &str, secret: &str) {
    assert!(!output.contains(secret));
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else {
            let bytes = std::fs::read(&p).unwrap();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "secret found in {}",
                p.display()
            );
        }
    }
}

/// AWS accounts of the file, one by key variables, one by a shared-credentials profile, against
/// the seeded moto server: each bundle holds what `collect aws` writes for the account.
#[test]
fn collect_estate_collects_aws_accounts_by_key_variables_and_by_profile() {
    let Ok(url) = std::env::var("CLOUDCAP_MOTO_URL") else {
        eprintln!(
            "\n!!!! SKIPPED collect_estate_collects_aws_accounts_by_key_variables_and_by_profile: CLOUDCAP_MOTO_URL is not set. Start moto with tests/moto/start.sh and export its env file. !!!!\n"
        );
        return;
    };
    let key_id = std::env::var("CLOUDCAP_MOTO_ACCESS_KEY_ID").unwrap();
    let secret = std::env::var("CLOUDCAP_MOTO_SECRET_ACCESS_KEY").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The profile lives outside the directory searched for the secret.
    let creds = tempfile::tempdir().unwrap();
    let credentials = creds.path().join("credentials");
    std::fs::write(
        &credentials,
        format!("[audit]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"),
    )
    .unwrap();
    let file = d.join("accounts.toml");
    std::fs::write(
        &file,
        format!(
            r#"[[account]]
provider = "aws"
label = "by-env"
access_key_env = "ESTATE_TEST_AWS_ID"
secret_key_env = "ESTATE_TEST_AWS_SECRET"
regions = ["cn-north-1"]
endpoint_url = "{url}"

[[account]]
provider = "aws"
label = "by-profile"
profile = "audit"
regions = ["cn-north-1"]
endpoint_url = "{url}"
"#
        ),
    )
    .unwrap();
    let output = crate::moto::cloudcap(d)
        .args(["collect", "estate", "--accounts-file"])
        .arg(&file)
        .arg("--out")
        .arg(d.join("estate"))
        .env("AWS_REGION", "cn-north-1")
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("ESTATE_TEST_AWS_ID", &key_id)
        .env("ESTATE_TEST_AWS_SECRET", &secret)
        .output()
        .unwrap();
    let all = text(&output);
    let single = d.join("single");
    let alone = crate::moto::cloudcap(d)
        .args(["collect", "aws", "--quiet", "--region", "cn-north-1"])
        .args(["--endpoint-url", &url, "--out"])
        .arg(&single)
        .env("AWS_REGION", "cn-north-1")
        .env("AWS_ACCESS_KEY_ID", &key_id)
        .env("AWS_SECRET_ACCESS_KEY", &secret)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), alone.status.code(), "{all}");
    assert!(all.contains("estate: 2 of 2 account(s) collected"), "{all}");
    // The auditor key's `last_used_at` moves with every run; the rest is the same.
    let stable = |bundle: &Path| -> Vec<Value> {
        let mut records = records(&Bundle::open(bundle).unwrap());
        for r in &mut records {
            r.as_object_mut().unwrap().remove("last_used_at");
        }
        records
    };
    let expected = stable(&single);
    assert!(!expected.is_empty());
    for label in ["by-env", "by-profile"] {
        let bundle = d.join("estate").join(label);
        verify(&bundle);
        assert!(
            all.lines().any(|l| l.starts_with("collected aws account ")
                && l.ends_with(&format!("-> {}", bundle.display()))),
            "{all}"
        );
        assert!(
            stable(&bundle) == expected,
            "{label}: not the records collect aws writes"
        );
    }
    assert_absent(d, &format!("{all}{}", text(&alone)), &secret);
}
