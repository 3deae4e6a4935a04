//! `cloudcap gate`, `report` and `diff` on report files: one test per exit code.

use std::path::{Path, PathBuf};
use std::process::Command;

use cloudcap_catalog::Tier;
use cloudcap_engine::{Blocker, Report, ResultState};

const FIXTURE: &str = include_str!("../../crates/cloudcap-report/tests/fixtures/report.json");

/// The synthetic report: target advanced, score 37.50%, coverage 75.00%, no tier achieved,
/// key control AC-8.10 not-satisfied, AC-8.11 partially-satisfied, AU-9.2 not-evaluated; its
/// waivers are dropped so that each test adds the ones it needs.
fn report() -> Report {
    let mut r: Report = serde_json::from_str(FIXTURE).unwrap();
    r.waivers.clear();
    r
}

fn write(dir: &Path, name: &str, r: &Report) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(r).unwrap()).unwrap();
    p
}

fn cloudcap(args: &[&str]) -> (u8, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().expect("exited normally") as u8;
    (
        code,
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn gate_exit_0_when_every_threshold_holds() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "r.json", &report());
    let (code, out, err) =
        cloudcap(&["gate", s(&p), "--min-score", "3750", "--min-coverage", "75"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("gate: passed"), "{out}");
}

#[test]
fn gate_exit_1_when_the_score_threshold_is_breached() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "r.json", &report());
    let (code, out, err) = cloudcap(&["gate", s(&p), "--min-score", "5000"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("failed: score 37.50% at tier advanced is below the minimum 50.00%"),
        "{out}"
    );
}

#[test]
fn gate_exit_1_when_the_tier_is_not_achieved() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = report();
    r.summary.tier_achieved = Some(Tier::Basic);
    r.summary.tiers[0].reached = true;
    r.summary.tiers[0].blockers.clear();
    r.summary.tiers[1].blockers = vec![Blocker::ScoreBelowThreshold {
        score_bp: 3750,
        min_score_bp: 8000,
    }];
    let p = write(dir.path(), "r.json", &r);
    let (code, out, err) = cloudcap(&["gate", s(&p), "--tier", "basic"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = cloudcap(&["gate", s(&p), "--tier", "enhanced"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("tier enhanced is not achieved (achieved: basic)"),
        "{out}"
    );
    assert!(
        out.contains("tier enhanced: score 37.50% is below 80.00%"),
        "{out}"
    );
}

#[test]
fn gate_exit_1_on_regression_against_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let mut old = report();
    old.controls[1]
        .results
        .get_mut(&Tier::Advanced)
        .unwrap()
        .result = ResultState::Satisfied;
    let base = write(dir.path(), "old.json", &old);
    let p = write(dir.path(), "r.json", &report());
    let (code, out, err) = cloudcap(&["gate", s(&p), "--baseline", s(&base)]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("regression: control AC-8.11 went from satisfied to partially-satisfied"),
        "{out}"
    );
    // The same report as its own baseline is no regression.
    let (code, out, _) = cloudcap(&["gate", s(&p), "--baseline", s(&p)]);
    assert_eq!(code, 0, "{out}");
    // A lower overall score alone is a regression too.
    let mut higher = report();
    higher.summary.overall.score_bp = 4000;
    let base = write(dir.path(), "higher.json", &higher);
    let (code, out, _) = cloudcap(&["gate", s(&p), "--baseline", s(&base)]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("regression: score fell from 40.00% to 37.50%"),
        "{out}"
    );
}

#[test]
fn gate_exit_3_when_coverage_is_below_the_floor() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "r.json", &report());
    // Incomplete wins over a breached threshold.
    let (code, out, err) =
        cloudcap(&["gate", s(&p), "--min-coverage", "80", "--min-score", "9000"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains("incomplete: coverage 75.00% at tier advanced is below the floor 80.00%"),
        "{out}"
    );
    assert!(
        out.contains("failed: score"),
        "every reason is printed: {out}"
    );
}

#[test]
fn gate_exit_3_when_a_key_control_is_not_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = report();
    r.controls[0]
        .results
        .get_mut(&Tier::Advanced)
        .unwrap()
        .result = ResultState::NotEvaluated;
    let p = write(dir.path(), "r.json", &r);
    let (code, out, err) = cloudcap(&["gate", s(&p)]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("key control AC-8.10"), "{out}");
}

#[test]
fn gate_exit_4_on_a_malformed_report() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.json");
    std::fs::write(&p, "{\"report_format\": 1, \"tool_version\": ").unwrap();
    let (code, _, err) = cloudcap(&["gate", s(&p)]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("not a valid cloudcap report"), "{err}");
    let (code, _, err) = cloudcap(&["gate", s(&dir.path().join("missing.json"))]);
    assert_eq!(code, 4, "{err}");
}

#[test]
fn gate_exit_4_on_unknown_report_format_or_scoring_method() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = report();
    r.report_format = 99;
    let p = write(dir.path(), "fmt.json", &r);
    let (code, _, err) = cloudcap(&["gate", s(&p)]);
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("report_format 99, this build reads 3"),
        "{err}"
    );
    // A format-1 report (its reasons were sentences, not typed codes) is refused by its format,
    // with what to do, not by the first field whose shape changed.
    let mut v = serde_json::to_value(report()).unwrap();
    v["report_format"] = serde_json::json!(1);
    if let Some(c) = v["controls"].get_mut(0) {
        c["items"][0]["reason"] = serde_json::json!("all 2 item(s) satisfied");
    }
    let p = dir.path().join("format1.json");
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
    let (code, _, err) = cloudcap(&["gate", s(&p)]);
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("report_format 1") && err.contains("re-run `cloudcap assess`"),
        "{err}"
    );
    let mut r = report();
    r.scoring_method = "other/9".into();
    let p = write(dir.path(), "method.json", &r);
    let (code, _, err) = cloudcap(&["gate", s(&p)]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("unknown scoring_method `other/9`"), "{err}");
}

#[test]
fn gate_policy_file_is_honoured_and_strict() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "r.json", &report());
    let policy = dir.path().join("gate.toml");
    std::fs::write(&policy, "min-score-bp = 5000\n").unwrap();
    let (code, out, _) = cloudcap(&["gate", s(&p), "--policy", s(&policy)]);
    assert_eq!(code, 1, "{out}");
    // A flag overrides the policy.
    let (code, out, _) = cloudcap(&["gate", s(&p), "--policy", s(&policy), "--min-score", "3000"]);
    assert_eq!(code, 0, "{out}");
    // An unknown key is invalid input, never ignored.
    std::fs::write(&policy, "min-scor-bp = 5000\n").unwrap();
    let (code, _, err) = cloudcap(&["gate", s(&p), "--policy", s(&policy)]);
    assert_eq!(code, 4, "{err}");
}

#[test]
fn report_writes_every_implemented_format_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "r.json", &report());
    for f in [
        "table",
        "json",
        "markdown",
        "html",
        "junit",
        "sarif",
        "oscal-ar",
        "oscal-poam",
        "csv",
        "xlsx",
    ] {
        let out = dir.path().join(format!("out.{f}"));
        let (code, stdout, err) = cloudcap(&[
            "report",
            s(&p),
            "--format",
            f,
            "--lang",
            "zh",
            "--out",
            s(&out),
        ]);
        assert_eq!(code, 0, "{f}: {err}");
        assert!(stdout.is_empty());
        assert!(!std::fs::read(&out).unwrap().is_empty());
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
    let (code, stdout, _) = cloudcap(&["report", s(&p), "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<Report>(&stdout).unwrap(), report());
    let (code, _, err) = cloudcap(&["report", s(&p), "--format", "pdf"]);
    assert_ne!(code, 0, "an unknown format is an error: {err}");
    let mut bad = report();
    bad.scoring_method = "other/9".into();
    let b = write(dir.path(), "bad.json", &bad);
    let (code, _, err) = cloudcap(&["report", s(&b)]);
    assert_eq!(code, 4, "{err}");
}

#[test]
fn diff_reports_changes_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let mut old = report();
    old.controls[1]
        .results
        .get_mut(&Tier::Advanced)
        .unwrap()
        .result = ResultState::Satisfied;
    let o = write(dir.path(), "old.json", &old);
    let n = write(dir.path(), "new.json", &report());
    let (code, out, err) = cloudcap(&["diff", s(&o), s(&n), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["control_counts"]["new_failures"], 1);
    let (code, out, _) = cloudcap(&["diff", s(&o), s(&n)]);
    assert_eq!(code, 0);
    assert!(out.contains("AC-8.11"), "{out}");
}

/// `report --plan`: a bad plan file is refused with every problem at its place, exit 4 and
/// nothing written; a good one puts owners and due dates in the plan; xlsx needs a file.
#[test]
fn report_plan_file_is_checked_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "r.json", &report());
    let bad = dir.path().join("plan.toml");
    std::fs::write(
        &bad,
        "[[item]]\ncontrol = \"AC-8.10\"\nitem = \"a\"\ndue = \"2027-13-01\"\n\n[[item]]\ncontrol = \"NO-1.1\"\nitem = \"a\"\n",
    )
    .unwrap();
    let out = dir.path().join("out.html");
    let (code, stdout, err) = cloudcap(&[
        "report",
        s(&p),
        "--format",
        "html",
        "--plan",
        s(&bad),
        "--out",
        s(&out),
    ]);
    assert_eq!(code, 4, "{err}");
    assert!(stdout.is_empty());
    let plan = s(&bad);
    assert!(
        err.contains(&format!("{plan}:4:7: plan-bad-date: ")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{plan}:7:11: plan-unknown-control: ")),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written");

    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "[[item]]\ncontrol = \"AC-8.10\"\nitem = \"a\"\nowner = \"平台安全组\"\ndue = \"2027-01-31\"\n",
    )
    .unwrap();
    let (code, md, err) = cloudcap(&[
        "report",
        s(&p),
        "--format",
        "markdown",
        "--lang",
        "zh",
        "--plan",
        s(&good),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(md.contains("## 6. 整改计划"), "{md}");
    assert!(md.contains("| 平台安全组 | 2027-01-31 | 未开始 |"), "{md}");

    let (code, _, err) = cloudcap(&["report", s(&p), "--format", "xlsx"]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("--out"), "{err}");
}

fn waiver(id: &str, status: &str) -> cloudcap_engine::WaiverUse {
    serde_json::from_value(serde_json::json!({
        "id": id, "control": "AC-8.11", "mode": "accept-risk", "justification": "legacy host",
        "approver": "CISO", "ticket": "SEC-1", "risk": "low",
        "effective": "2026-01-01T00:00:00Z", "expires": "2026-11-24T23:59:59Z",
        "status": status, "matched": 0
    }))
    .unwrap()
}

#[test]
fn gate_exit_3_on_an_expired_waiver_and_notes_an_unused_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = report();
    r.waivers = vec![waiver("w-unused", "unused")];
    let p = write(dir.path(), "unused.json", &r);
    let (code, out, err) = cloudcap(&["gate", s(&p)]);
    assert_eq!(
        code, 0,
        "an unused waiver is reported, not fatal: {out}{err}"
    );
    assert!(
        out.contains("note: waiver w-unused for control AC-8.11 matched nothing (unused)"),
        "{out}"
    );
    r.waivers.push(waiver("w-old", "expired"));
    let p = write(dir.path(), "expired.json", &r);
    let (code, out, err) = cloudcap(&["gate", s(&p)]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains(
            "incomplete: waiver w-old for control AC-8.11 expired at 2026-11-24T23:59:59Z"
        ),
        "{out}"
    );
}
