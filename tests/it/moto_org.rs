//! `cloudcap collect aws --organization` against moto: tests/moto/seed.py creates an
//! organization in its own management account (111122223333, partition aws) with three member
//! accounts; `audited-a` and `audited-b` hold the read-only role `cloudcap-audit`, the
//! `unassumable` one cannot be assumed (the caller's policy allows sts:AssumeRole only on the
//! other two roles: moto 5.2.5 lets AssumeRole succeed for any role ARN and does not read
//! another account's trust policy). The seed writes the organization auditor's key and the
//! member ids to moto.env (CLOUDCAP_MOTO_ORG_*).
//!
//! Skipped, loudly, only when CLOUDCAP_MOTO_URL is unset.

use std::{
    collections::BTreeSet,
    io::Write,
    net::{Shutdown, TcpListener},
    path::Path,
    process::Output,
    sync::{Arc, Mutex},
};

use crate::moto::{
    assert_absent, by, cloudcap, forward, read_request, records, runs, statuses, text,
};

const REGION: &str = "us-east-1";
const ROLE: &str = "cloudcap-audit";

/// The organization tests/moto/seed.py created, as its moto.env names it.
pub(crate) struct Org {
    pub(crate) url: String,
    pub(crate) key_id: String,
    pub(crate) secret: String,
    pub(crate) management: String,
    pub(crate) audited: Vec<String>,
    pub(crate) unassumable: String,
}

pub(crate) fn org(test: &str) -> Option<Org> {
    let Ok(url) = std::env::var("CLOUDCAP_MOTO_URL") else {
        eprintln!(
            "\n!!!! SKIPPED {test}: CLOUDCAP_MOTO_URL is not set. Start moto with tests/moto/start.sh and export its env file. !!!!\n"
        );
        return None;
    };
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} with CLOUDCAP_MOTO_URL (tests/moto/seed.py writes it)")
        })
    };
    Some(Org {
        url,
        key_id: var("CLOUDCAP_MOTO_ORG_ACCESS_KEY_ID"),
        secret: var("CLOUDCAP_MOTO_ORG_SECRET_ACCESS_KEY"),
        management: var("CLOUDCAP_MOTO_ORG_MANAGEMENT"),
        audited: var("CLOUDCAP_MOTO_ORG_AUDITED")
            .split(',')
            .map(str::to_owned)
            .collect(),
        unassumable: var("CLOUDCAP_MOTO_ORG_UNASSUMABLE"),
    })
}

/// A loopback proxy to moto that keeps every request and every AssumeRole answer, so the test
/// knows the temporary credentials the collector was handed.
struct Recorder {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
    assume_answers: Arc<Mutex<Vec<String>>>,
}

fn recorder(upstream: &str) -> Recorder {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let assume_answers = Arc::new(Mutex::new(Vec::new()));
    let (reqs, answers) = (Arc::clone(&requests), Arc::clone(&assume_answers));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (upstream, reqs, answers) =
                (upstream.clone(), Arc::clone(&reqs), Arc::clone(&answers));
            std::thread::spawn(move || {
                let Some(request) = read_request(&mut stream) else {
                    return;
                };
                let answer = forward(&request, &upstream);
                let request = String::from_utf8_lossy(&request).into_owned();
                if request.contains("Action=AssumeRole") {
                    answers
                        .lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&answer).into_owned());
                }
                reqs.lock().unwrap().push(request);
                let _ = stream.write_all(&answer);
                let _ = stream.shutdown(Shutdown::Both);
            });
        }
    });
    Recorder {
        url,
        requests,
        assume_answers,
    }
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    text.split(open)
        .skip(1)
        .filter_map(|rest| rest.split(close).next())
        .collect()
}

fn collect_org(
    home: &Path,
    endpoint: &str,
    key_id: &str,
    secret: &str,
    region: &str,
    out: &Path,
    extra: &[&str],
) -> Output {
    cloudcap(home)
        .args([
            "collect",
            "aws",
            "--organization",
            "--role-name",
            ROLE,
            "--region",
            region,
            "--max-attempts",
            "2",
            "--endpoint-url",
            endpoint,
            "--out",
        ])
        .arg(out)
        .args(extra)
        .env("AWS_REGION", region)
        .env("AWS_ACCESS_KEY_ID", key_id)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .output()
        .unwrap()
}

fn verify(home: &Path, bundle: &Path) {
    let output = cloudcap(home)
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
fn moto_org_collects_every_account_and_records_the_unassumable_one() {
    let Some(org) = org("moto_org_collects_every_account_and_records_the_unassumable_one") else {
        return;
    };
    let recorder = recorder(&org.url);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("estate");
    let output = collect_org(
        dir.path(),
        &recorder.url,
        &org.key_id,
        &org.secret,
        REGION,
        &out,
        &["--concurrency", "4"],
    );
    let shown = text(&output);
    // 3: the unassumable account's scopes (and moto's REST-JSON GuardDuty/Backup answers).
    assert_eq!(output.status.code(), Some(3), "{shown}");

    // One verified bundle per account, named by its id: the management account and all three
    // members, the unassumable one included.
    let mut expected: BTreeSet<String> = org.audited.iter().cloned().collect();
    expected.insert(org.management.clone());
    expected.insert(org.unassumable.clone());
    let found: BTreeSet<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(found, expected, "{shown}");
    for account in &expected {
        verify(dir.path(), &out.join(account));
        // A progress line and a summary line per account.
        assert!(shown.contains(&format!("account {account}")), "{shown}");
    }

    // Member audited-a: its own records, every one carrying its account id; the user seeded
    // there with the assumed role's credentials, exactly.
    let a = &org.audited[0];
    let records_a = records(&out.join(a));
    for (kind, list) in &records_a {
        for record in list {
            assert_eq!(record["account"], a.as_str(), "{kind}: {record:#}");
        }
    }
    let users_a = &records_a["identity.user"];
    let dev = by(users_a, "name", "member-a-dev");
    assert_eq!(dev["kind"], "identity.user");
    assert_eq!(dev["provider"], "aws");
    assert_eq!(dev["region"], "global");
    assert_eq!(dev["mfa_enabled"], false);
    assert_eq!(dev["console_access"], false);
    assert_eq!(dev["privileged"], false);
    assert_eq!(dev["root"], false);
    assert!(
        dev["resource_id"]
            .as_str()
            .unwrap()
            .contains(&format!(":{a}:user/member-a-dev")),
        "{dev:#}"
    );
    // The other member and the management account do not hold it.
    let b = &org.audited[1];
    let users_b = records(&out.join(b))
        .remove("identity.user")
        .unwrap_or_default();
    assert!(
        users_b.iter().all(|u| u["name"] != "member-a-dev"),
        "{users_b:#?}"
    );
    let users_m = &records(&out.join(&org.management))["identity.user"];
    assert!(users_m.iter().any(|u| u["name"] == "org-auditor"));
    assert!(
        users_m
            .iter()
            .all(|u| u["account"] == org.management.as_str())
    );
    for account in [a, b, &org.management] {
        let statuses = statuses(&out.join(account));
        assert_eq!(
            statuses[&("identity.user".to_owned(), "global".to_owned())].0,
            "ok",
            "{account}: {statuses:#?}"
        );
    }

    // The unassumable account: every scope it would have collected is an access-denied
    // failure naming the role and AssumeRole's error code; no record, nothing collected.
    let c = out.join(&org.unassumable);
    let failed = statuses(&c);
    let kinds: BTreeSet<&str> = failed.keys().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(kinds.len(), 14, "{failed:#?}");
    assert!(kinds.contains("identity.user") && kinds.contains("region.inventory"));
    let role = format!("arn:aws:iam::{}:role/{ROLE}", org.unassumable);
    for ((kind, region), (status, class, message)) in &failed {
        assert_eq!(status, "error", "{kind} {region}");
        assert_eq!(class, "access-denied", "{kind} {region}");
        assert!(message.contains(&role), "{message}");
        assert!(
            message.contains("AssumeRole") && message.contains("AccessDenied"),
            "{message}"
        );
    }
    assert!(records(&c).is_empty());
    let run = &runs(&c)[0];
    assert_eq!(run["account"], org.unassumable.as_str());
    assert_eq!(run["regions_collected"], serde_json::json!([]));
    assert_eq!(run["regions_requested"], serde_json::json!([REGION]));
    assert!(shown.contains("role(s) not assumed"), "{shown}");

    // Temporary credentials: the session token is signed on every member request, and neither
    // it nor any secret key shows in any bundle or in the output.
    let answers = recorder.assume_answers.lock().unwrap().clone();
    let tokens: Vec<&str> = answers
        .iter()
        .flat_map(|a| between(a, "<SessionToken>", "</SessionToken>"))
        .collect();
    let secrets: Vec<&str> = answers
        .iter()
        .flat_map(|a| between(a, "<SecretAccessKey>", "</SecretAccessKey>"))
        .collect();
    assert_eq!((tokens.len(), secrets.len()), (2, 2), "{answers:#?}");
    let requests = recorder.requests.lock().unwrap();
    for token in &tokens {
        let signed = requests.iter().filter(|r| {
            let lower = r.to_ascii_lowercase();
            lower.contains(&format!(
                "x-amz-security-token: {}",
                token.to_ascii_lowercase()
            )) && between(&lower, "signedheaders=", ",")
                .iter()
                .any(|h| h.split(';').any(|n| n == "x-amz-security-token"))
        });
        assert!(signed.count() > 5, "the session token is not signed");
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    for needle in tokens.iter().chain(&secrets).chain([&org.secret.as_str()]) {
        assert_absent(&out, needle, &[&stdout, &stderr]);
    }
}

#[test]
fn moto_org_listing_denied_exits_4_naming_the_permission() {
    let Some(org) = org("moto_org_listing_denied_exits_4_naming_the_permission") else {
        return;
    };
    // The default account's read-only auditor (partition aws-cn) may not list accounts.
    let key_id = std::env::var("CLOUDCAP_MOTO_ACCESS_KEY_ID").unwrap();
    let secret = std::env::var("CLOUDCAP_MOTO_SECRET_ACCESS_KEY").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("estate");
    let output = collect_org(
        dir.path(),
        &org.url,
        &key_id,
        &secret,
        "cn-north-1",
        &out,
        &[],
    );
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(4), "{shown}");
    assert!(shown.contains("organizations:ListAccounts"), "{shown}");
    assert!(shown.contains("AccessDenied"), "{shown}");
    assert!(!out.exists(), "nothing is written");
    assert_absent(dir.path(), &secret, &[&shown]);
}

#[test]
fn moto_org_account_filters() {
    let Some(org) = org("moto_org_account_filters") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // An id the listing does not hold is refused before anything is written.
    let out = dir.path().join("unknown");
    let output = collect_org(
        dir.path(),
        &org.url,
        &org.key_id,
        &org.secret,
        REGION,
        &out,
        &["--accounts", "999999999999"],
    );
    assert_eq!(output.status.code(), Some(4), "{}", text(&output));
    assert!(text(&output).contains("999999999999"));
    assert!(!out.exists());
    // --accounts and --exclude-accounts: only audited-b is left.
    let out = dir.path().join("one");
    let accounts = format!("{},{}", org.audited[1], org.unassumable);
    let output = collect_org(
        dir.path(),
        &org.url,
        &org.key_id,
        &org.secret,
        REGION,
        &out,
        &[
            "--quiet",
            "--accounts",
            &accounts,
            "--exclude-accounts",
            &org.unassumable,
        ],
    );
    assert!(
        matches!(output.status.code(), Some(0 | 3)),
        "{}",
        text(&output)
    );
    assert!(output.stderr.is_empty(), "--quiet: {}", text(&output));
    let found: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(found, [org.audited[1].clone()]);
}
