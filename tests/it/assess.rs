//! `assess`, `verify-report` and `gate --bundle` on the sample bundle: byte-identical reports,
//! recomputation, and tampering caught as invalid input.

use std::path::Path;
use std::process::Command;

fn cloudcap(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sample(dir: &Path) {
    let (code, _, err) = cloudcap(dir, &["evidence", "sample", "--out", "bundle"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn reports_are_byte_identical_across_runs_and_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(d);
    let mut outputs = Vec::new();
    for (n, threads) in ["1", "2", "4", "1"].iter().enumerate() {
        let out = format!("r{n}.json");
        let (code, _, err) = cloudcap(
            d,
            &[
                "assess",
                "bundle",
                "--at",
                "2026-11-25T00:00:00Z",
                "--threads",
                threads,
                "--out",
                &out,
            ],
        );
        assert_eq!(code, 0, "{err}");
        outputs.push(std::fs::read(d.join(&out)).unwrap());
    }
    assert!(
        outputs.windows(2).all(|w| w[0] == w[1]),
        "reports differ between runs or thread counts"
    );
    // The archive form of the same bundle assesses to the same bytes too.
    let (code, _, err) = cloudcap(d, &["evidence", "export", "bundle", "--out", "bundle.tar"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = cloudcap(
        d,
        &[
            "assess",
            "bundle.tar",
            "--at",
            "2026-11-25T00:00:00Z",
            "--out",
            "tar.json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read(d.join("tar.json")).unwrap(), outputs[0]);
}

#[test]
fn verify_report_recomputes_and_catches_edits_and_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(d);
    let (code, _, err) = cloudcap(
        d,
        &[
            "assess",
            "bundle",
            "--at",
            "2026-11-25",
            "--out",
            "report.json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = cloudcap(d, &["verify-report", "report.json", "bundle"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = cloudcap(d, &["gate", "report.json", "--bundle", "bundle"]);
    assert_ne!(code, 4, "{out}");

    // An edited score no longer recomputes: exit 1.
    let text = std::fs::read_to_string(d.join("report.json")).unwrap();
    let edited = text.replacen("\"score_bp\": ", "\"score_bp\": 1", 1);
    assert_ne!(edited, text);
    std::fs::write(d.join("edited.json"), edited).unwrap();
    let (code, _, err) = cloudcap(d, &["verify-report", "edited.json", "bundle"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("differs"), "{err}");

    // One flipped byte in one evidence object: the bundle fails verification, exit 4 everywhere.
    let objects = d.join("bundle/objects");
    let sub = std::fs::read_dir(&objects)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let obj = std::fs::read_dir(&sub)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut bytes = std::fs::read(&obj).unwrap();
    bytes[0] ^= 0x01;
    std::fs::write(&obj, bytes).unwrap();
    let (code, _, err) = cloudcap(d, &["verify-report", "report.json", "bundle"]);
    assert_eq!(code, 4, "{err}");
    let (code, out, _) = cloudcap(
        d,
        &[
            "gate",
            "report.json",
            "--bundle",
            "bundle",
            "--min-score",
            "0",
        ],
    );
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("invalid:"), "{out}");
    let (code, _, err) = cloudcap(
        d,
        &[
            "assess",
            "bundle",
            "--at",
            "2026-11-25",
            "--out",
            "again.json",
        ],
    );
    assert_eq!(code, 4, "{err}");
}

#[test]
fn bad_flags_are_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, _) = cloudcap(dir.path(), &["assess", "--no-such-flag"]);
    assert_eq!(code, 4);
    let (code, _, _) = cloudcap(dir.path(), &["catalog", "list", "--tier", "gold"]);
    assert_eq!(code, 4);
    let (code, _, _) = cloudcap(dir.path(), &["--help"]);
    assert_eq!(code, 0);
}

#[test]
fn catalog_lint_names_file_line_column_and_code() {
    let dir = tempfile::tempdir().unwrap();
    let controls = dir.path().join("controls");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("controls");
    for f in ["catalog.toml", "ac/family.toml", "ac/ac-8.11.toml"] {
        std::fs::create_dir_all(controls.join(f).parent().unwrap()).unwrap();
        std::fs::copy(src.join(f), controls.join(f)).unwrap();
    }
    let (code, out, _) = cloudcap(dir.path(), &["catalog", "lint", "controls"]);
    assert_eq!(code, 0, "{out}");
    let text = std::fs::read_to_string(controls.join("ac/ac-8.11.toml")).unwrap();
    std::fs::write(
        controls.join("ac/ac-8.11.toml"),
        text.replacen("tier = \"basic\"", "tier = \"gold\"", 1),
    )
    .unwrap();
    let (code, out, _) = cloudcap(dir.path(), &["catalog", "lint", "controls"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("controls/ac/ac-8.11.toml:") && out.contains(": unknown-tier: "),
        "{out}"
    );
}

#[test]
fn glossary_warnings_are_shown_but_do_not_fail_lint_or_loading() {
    let dir = tempfile::tempdir().unwrap();
    let controls = dir.path().join("controls");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("controls");
    for f in ["catalog.toml", "au/family.toml", "au/au-13.7.toml"] {
        std::fs::create_dir_all(controls.join(f).parent().unwrap()).unwrap();
        std::fs::copy(src.join(f), controls.join(f)).unwrap();
    }
    let text = std::fs::read_to_string(controls.join("au/au-13.7.toml")).unwrap();
    assert!(text.contains("云服务商"));
    std::fs::write(
        controls.join("au/au-13.7.toml"),
        text.replacen("云服务商", "服务商", 1),
    )
    .unwrap();
    let (code, out, err) = cloudcap(dir.path(), &["catalog", "lint", "controls"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("controls/au/au-13.7.toml:") && out.contains(": warning: glossary-variant: "),
        "{out}"
    );
    assert!(err.contains("1 warning(s), no errors"), "{err}");
    let (code, out, err) = cloudcap(dir.path(), &["catalog", "list", "--controls", "controls"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("glossary-variant"), "{err}");
}

#[test]
fn catalog_lint_rejects_bad_rules_unknown_kinds_and_fields() {
    let dir = tempfile::tempdir().unwrap();
    let controls = dir.path().join("controls");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("controls");
    for f in ["catalog.toml", "ac/family.toml", "ac/ac-8.10.toml"] {
        std::fs::create_dir_all(controls.join(f).parent().unwrap()).unwrap();
        std::fs::copy(src.join(f), controls.join(f)).unwrap();
    }
    let file = controls.join("ac/ac-8.10.toml");
    let good = std::fs::read_to_string(&file).unwrap();
    let (code, out, _) = cloudcap(dir.path(), &["catalog", "lint", "controls"]);
    assert_eq!(code, 0, "{out}");
    let check = good
        .lines()
        .find(|l| l.starts_with("check = "))
        .unwrap()
        .to_owned();
    for (bad, code_name) in [
        ("check = \"r.configured &&\"", "rule-parse"),
        ("check = \"r.max_login_attempt <= 5\"", "rule-unknown-field"),
        ("check = \"attempts <= 5\"", "rule-unknown-field"),
    ] {
        std::fs::write(&file, good.replacen(&check, bad, 1)).unwrap();
        let (code, out, _) = cloudcap(dir.path(), &["catalog", "lint", "controls"]);
        assert_eq!(code, 1, "{bad}: {out}");
        assert!(
            out.contains("controls/ac/ac-8.10.toml:") && out.contains(&format!(": {code_name}: ")),
            "{bad}: {out}"
        );
    }
    let unknown_kind = good.replace("identity.password-policy", "identity.passwd-policy");
    std::fs::write(&file, unknown_kind).unwrap();
    let (code, out, _) = cloudcap(dir.path(), &["catalog", "lint", "controls"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(": unknown-evidence-kind: "), "{out}");
}
