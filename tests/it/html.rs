//! The HTML report loads in headless Chromium with no console message, and a screenshot is kept.
//!
//! Needs Debian's `chromium` (installed by `.ci/run`). Without it the test is skipped loudly,
//! unless `CLOUDCAP_REQUIRE_CHROMIUM=1` (set in CI), where a missing browser is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Loads `html` in headless Chromium, writes a screenshot, returns the console lines logged.
fn load(browser: &Path, html: &Path, screenshot: &Path) -> Vec<String> {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {stderr}");
    stderr
        .lines()
        .filter(|l| l.contains("CONSOLE"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn html_report_loads_in_chromium_without_console_errors() {
    let Some(browser) = chromium() else {
        if std::env::var("CLOUDCAP_REQUIRE_CHROMIUM").as_deref() == Ok("1") {
            panic!("chromium is required (CLOUDCAP_REQUIRE_CHROMIUM=1) but not installed");
        }
        eprintln!(
            "!!!! SKIPPED html_report_loads_in_chromium_without_console_errors: chromium is not installed"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let html = dir.path().join("report.html");
    let bin = env!("CARGO_BIN_EXE_cloudcap");
    let st = Command::new(bin)
        .args(["demo", "--out"])
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let st = Command::new(bin)
        .arg("report")
        .arg(&report)
        .args(["--format", "html", "--lang", "zh", "--out"])
        .arg(&html)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );

    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join("report-zh.png");
    let _ = std::fs::remove_file(&shot);
    let console = load(&browser, &html, &shot);
    assert!(
        console.is_empty(),
        "console messages while loading the report:\n{}",
        console.join("\n")
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.len() > 10_000 && png.starts_with(b"\x89PNG"),
        "screenshot is not a real PNG ({} bytes)",
        png.len()
    );

    // The detector itself works: a page that logs an error is caught.
    let bad = dir.path().join("bad.html");
    std::fs::write(
        &bad,
        "<!doctype html><title>x</title><script>console.error('boom')</script>",
    )
    .unwrap();
    let console = load(&browser, &bad, &dir.path().join("bad.png"));
    assert!(
        console.iter().any(|l| l.contains("boom")),
        "console error not detected: {console:?}"
    );
}
