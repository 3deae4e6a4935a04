//! Contract test with the vendors' own code: every JSON answer the fixture server (`cn_fixture`)
//! serves during `cloudcap collect alibaba|tencent|huawei|ctyun` is loaded into the response model
//! of the vendor's official Python SDK (installed into the test venv by `scripts/test` from
//! `tests/contract/requirements.txt`) by `tests/contract/check.py`, which reports every key the
//! model does not define (recursively), every action without a model, cheap type mismatches and,
//! for Huawei and CTyun, a method/path the SDK's operation does not have. It also loads every JSON
//! file of the fixture tree `tests/fixtures/cn`
//! (`<vendor>/<service>-<version>/<Action>[.<case>].json`; the model named by the path, the
//! Huawei operation by the file name) the same way, so a field
//! or an action that the SDK does not know fails even in an answer no run happens to serve, and
//! so does a file outside that layout. Object storage (XML) is checked too, served answers and
//! the files `<vendor>/<store>/<Operation>[.<case>].xml` alike: Alibaba OSS against
//! alibabacloud-oss-v2's models, Huawei OBS against huaweicloudsdkobs's (operations it does not
//! model are counted and named), Tencent COS against the element names of cos-go-sdk-v5's result
//! structs (`tests/contract/cos_models.json`). Known mismatches are listed in
//! `tests/contract/known_mismatches.txt`, checked both ways: a new one fails, and so does a listed
//! one that no longer occurs.
//!
//! Needs `CLOUDCAP_VENV` (set by `scripts/test`) with the SDKs: skipped, loudly, without it —
//! except in CI (`CI` set), where a missing venv or SDK fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::cn_e2e::{KEY_ID, SECRET, env_names};
use crate::cn_fixture::{self, Served, Vendor};

const VENDORS: [Vendor; 4] = [
    Vendor::Alibaba,
    Vendor::Tencent,
    Vendor::Huawei,
    Vendor::Ctyun,
];

fn vendor_name(vendor: Vendor) -> &'static str {
    env_names(vendor).0
}

/// The venv's python, or `None` (skip) outside CI when it or the SDKs are missing.
fn venv_python(test: &str) -> Option<PathBuf> {
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    let problem = match std::env::var_os("CLOUDCAP_VENV") {
        None => "CLOUDCAP_VENV is not set".to_owned(),
        Some(venv) => {
            let python = Path::new(&venv).join("bin/python");
            let probe = Command::new(&python)
                .args([
                    "-c",
                    "import tencentcloud.common, huaweicloudsdkcore, alibabacloud_ram20150501, ctyunsdk_vpc20220909",
                ])
                .output();
            match probe {
                Ok(o) if o.status.success() => return Some(python),
                Ok(o) => format!(
                    "the vendor SDKs are not installed in {}: {}",
                    python.display(),
                    String::from_utf8_lossy(&o.stderr).trim()
                ),
                Err(e) => format!("{} cannot run: {e}", python.display()),
            }
        }
    };
    if in_ci {
        panic!(
            "{test}: {problem} (CI is set, so this fails instead of skipping); run ./scripts/test"
        );
    }
    eprintln!(
        "\n!!!! SKIPPED {test}: {problem}. Run ./scripts/test (it installs tests/contract/requirements.txt into .venv). !!!!\n"
    );
    None
}

/// Runs `cloudcap collect <vendor>` against a fresh fixture; returns what it served.
fn collect_served(vendor: Vendor, out: &Path) -> Vec<Served> {
    let fixture = cn_fixture::start(vendor, KEY_ID, SECRET);
    let (name, id_var, secret_var) = env_names(vendor);
    let output = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
        .args(["collect", name, "--out", out.to_str().unwrap()])
        .args(["--endpoint-url", &fixture.url])
        .args(["--max-attempts", "2", "--timeout-secs", "10", "--quiet"])
        .env(id_var, KEY_ID)
        .env(secret_var, SECRET)
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .output()
        .unwrap();
    // Collection errors (throttled, denied) are part of the fixture; the run itself must end.
    assert!(
        output.status.code().is_some(),
        "cloudcap collect {name} was killed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let served = fixture.served.lock().unwrap().clone();
    assert!(!served.is_empty(), "{name}: the fixture served nothing");
    served
}

/// Whether `s` is an object-storage answer (XML, carried as a JSON string).
fn object_storage(s: &Served) -> bool {
    matches!(s.service.as_str(), "oss" | "cos" | "obs") && s.body.is_string()
}

/// Whether `s` is a successful JSON answer (the vendor's error shapes are not models).
fn successful(s: &Served) -> bool {
    if s.body.is_string() || !(200..300).contains(&s.status) {
        return false;
    }
    match s.vendor {
        Vendor::Tencent => s.body["Response"].get("Error").is_none(),
        // ctyunsdk models: `statusCode` 800 is success, 900 failure; the RDS2 models
        // (`ctyunsdk-rds220220714`) document 0 as success.
        Vendor::Ctyun if s.service == "rds2" => s.body["statusCode"] == 0,
        Vendor::Ctyun => s.body["statusCode"] == 800,
        _ => true,
    }
}

/// Writes every successful JSON answer as `<vendor>/<service>-<version>/<Action>.<n>.json` and
/// every successful object-storage answer as `<vendor>/<store>/<sub-resource>.<n>.xml`
/// (`ListBuckets` for GET Service; `.json` for a bucket policy, which COS answers in JSON), and
/// `index.json` naming each file's request.
fn write_responses(dir: &Path, served: &[Served]) -> usize {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut index = Vec::new();
    for s in served {
        let xml = object_storage(s) && (200..300).contains(&s.status);
        if !xml && !successful(s) {
            continue;
        }
        let (folder, name) = if xml {
            let sub = s.query.split(['=', '&']).next().unwrap_or("");
            let name = if s.path.trim_matches('/').is_empty() {
                "ListBuckets"
            } else {
                sub
            };
            (
                format!("{}/{}", vendor_name(s.vendor), s.service),
                name.to_owned(),
            )
        } else {
            (
                format!("{}/{}-{}", vendor_name(s.vendor), s.service, s.version),
                s.action.replace(['/', ' '], "_"),
            )
        };
        let n = counts.entry(format!("{folder}/{name}")).or_default();
        *n += 1;
        let policy = xml && s.body.as_str().is_some_and(|t| t.starts_with('{'));
        let ext = if xml && !policy { "xml" } else { "json" };
        let file = format!("{folder}/{name}.{n}.{ext}");
        std::fs::create_dir_all(dir.join(&folder)).unwrap();
        let bytes = match &s.body {
            Value::String(text) if xml => text.clone().into_bytes(),
            body => serde_json::to_vec_pretty(body).unwrap(),
        };
        std::fs::write(dir.join(&file), bytes).unwrap();
        index.push(json!({
            "file": file, "vendor": vendor_name(s.vendor), "service": s.service,
            "version": s.version, "action": s.action, "method": s.method, "path": s.path,
            "query": s.query, "request": s.request, "status": s.status,
        }));
    }
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec_pretty(&index).unwrap(),
    )
    .unwrap();
    index.len()
}

/// Allow-listed `(vendor, service, action)`s that no successful JSON answer covers.
fn uncovered(served: &[Served]) -> Vec<String> {
    let seen: BTreeSet<(String, String, String)> = served
        .iter()
        .filter(|s| successful(s))
        .map(|s| {
            (
                vendor_name(s.vendor).to_owned(),
                s.service.clone(),
                s.action.clone(),
            )
        })
        .collect();
    let lists = [
        cloudcap_collect::cn::alibaba::allow_list(),
        cloudcap_collect::cn::tencent::allow_list(),
        cloudcap_collect::cn::huawei::allow_list(),
        cloudcap_collect::cn::ctyun::allow_list(),
    ];
    let mut out = Vec::new();
    for list in &lists {
        for (service, action) in list.actions() {
            let key = (
                list.provider().to_owned(),
                service.to_owned(),
                action.to_owned(),
            );
            if !seen.contains(&key) {
                out.push(format!("{} {service} {action}", list.provider()));
            }
        }
    }
    out
}

#[test]
fn cn_contract_fixture_answers_load_into_the_vendor_sdk_models() {
    let test = "cn_contract_fixture_answers_load_into_the_vendor_sdk_models";
    let Some(python) = venv_python(test) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    // `CLOUDCAP_CONTRACT_DIR=<dir>` keeps the recorded answers there for a look (or a rerun of
    // check.py); otherwise they go with the temp dir.
    let responses = std::env::var_os("CLOUDCAP_CONTRACT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| work.path().join("responses"));
    let _ = std::fs::remove_dir_all(&responses);
    let mut served = Vec::new();
    for vendor in VENDORS {
        let out = work.path().join(format!("bundle-{}", vendor_name(vendor)));
        served.extend(collect_served(vendor, &out));
    }
    let written = write_responses(&responses, &served);
    assert!(written > 0, "no successful JSON answer was recorded");

    // Every action the collectors may call must be answered by some fixture.
    let missing = uncovered(&served);
    assert!(
        missing.is_empty(),
        "{} allow-listed action(s) never answered successfully by a fixture, so never checked against the vendor SDK (add a fixture answer):\n  {}",
        missing.len(),
        missing.join("\n  ")
    );

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(&python)
        .arg(root.join("tests/contract/check.py"))
        .arg(&responses)
        .arg("--fixtures")
        .arg(root.join("tests/fixtures/cn"))
        .arg("--known")
        .arg(root.join("tests/contract/known_mismatches.txt"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        output.status.success(),
        "the vendor SDK contract check failed ({written} served answers and every file of tests/fixtures/cn checked); see above"
    );
}
