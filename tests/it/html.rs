//! The HTML report loads in headless Chromium with no console message, and a screenshot is kept;
//! printed to PDF it has a cover, page numbers and a page per family.
//!
//! Needs Debian's `chromium` and, for the PDF, `poppler-utils` (`pdfinfo`, `pdftotext`,
//! `pdftoppm`), installed by `.ci/run`. Without them the tests are skipped loudly, unless
//! `CLOUDCAP_REQUIRE_CHROMIUM=1` (set in CI), where a missing tool is a failure.
//! Artifacts: `tests/artifacts/report-{zh,en}.png` (the first screen at a laptop width) and
//! `tests/artifacts/report-{zh,en}-print-{1,2}.png` (printed pages).

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
            "--window-size=1366,1800",
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

/// The tool at `/usr/bin/NAME`, or why the test cannot run.
fn tool(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin").join(name);
    path.exists().then_some(path)
}

fn skip_or_fail(test: &str, what: &str) {
    if std::env::var("CLOUDCAP_REQUIRE_CHROMIUM").as_deref() == Ok("1") {
        panic!("{what} is required (CLOUDCAP_REQUIRE_CHROMIUM=1) but not installed");
    }
    eprintln!("!!!! SKIPPED {test}: {what} is not installed");
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The demo report in both languages: the first screen (charts and contents) is kept as a PNG;
/// printed, each has a cover naming the boundary, "page / pages" on every page, a page per
/// family, and its first two pages are kept as PNGs.
#[test]
fn html_report_shows_charts_first_and_prints_with_cover_and_page_numbers() {
    const TEST: &str = "html_report_shows_charts_first_and_prints_with_cover_and_page_numbers";
    let Some(browser) = chromium() else {
        return skip_or_fail(TEST, "chromium");
    };
    let (Some(pdfinfo), Some(pdftotext), Some(pdftoppm)) =
        (tool("pdfinfo"), tool("pdftotext"), tool("pdftoppm"))
    else {
        return skip_or_fail(TEST, "poppler-utils (pdfinfo, pdftotext, pdftoppm)");
    };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let bin = env!("CARGO_BIN_EXE_cloudcap");
    run_ok(Command::new(bin).args(["demo", "--out"]).arg(&report));
    let families = serde_json::from_slice::<serde_json::Value>(&std::fs::read(&report).unwrap())
        .unwrap()["families"]
        .as_array()
        .unwrap()
        .len();
    assert!(families >= 11, "{families} families");
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    for (lang, cover, family_heading) in [
        ("zh", "被测评的云服务", "ac 访问控制"),
        ("en", "Service assessed", "ac Access control"),
    ] {
        let html = dir.path().join(format!("report-{lang}.html"));
        run_ok(
            Command::new(bin)
                .arg("report")
                .arg(&report)
                .args(["--format", "html", "--lang", lang, "--out"])
                .arg(&html),
        );
        let page = std::fs::read_to_string(&html).unwrap();
        // On screen, the overview's charts and the contents come before the first section.
        let first_section = page.find("id=\"boundary\"").unwrap();
        for top in ["<svg ", "<nav class=\"toc\">"] {
            assert!(
                page.find(top).unwrap() < first_section,
                "{lang}: {top} not at the top"
            );
        }
        let shot = artifacts.join(format!("report-{lang}.png"));
        let _ = std::fs::remove_file(&shot);
        let console = load(&browser, &html, &shot);
        assert!(console.is_empty(), "{lang}: {console:?}");
        assert!(std::fs::read(&shot).unwrap().starts_with(b"\x89PNG"));

        let pdf = dir.path().join(format!("report-{lang}.pdf"));
        let profile = tempfile::tempdir().unwrap();
        run_ok(
            Command::new(&browser)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-pdf-header-footer",
                ])
                .arg(format!("--user-data-dir={}", profile.path().display()))
                .arg(format!("--print-to-pdf={}", pdf.display()))
                .arg(format!("file://{}", html.display())),
        );
        let info = run_ok(Command::new(&pdfinfo).arg(&pdf));
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .expect("pdfinfo names the page count")
            .trim()
            .parse()
            .unwrap();
        // The cover, then at least a page per family.
        assert!(
            pages > families,
            "{lang}: {pages} pages for {families} families"
        );
        let text = |first: usize, last: usize| {
            run_ok(
                Command::new(&pdftotext)
                    .args(["-layout", "-f", &first.to_string(), "-l", &last.to_string()])
                    .arg(&pdf)
                    .arg("-"),
            )
        };
        let first = text(1, 1);
        assert!(
            first.contains(cover),
            "{lang}: no cover facts on page 1:\n{first}"
        );
        assert!(first.contains("1 / "), "{lang}: no page number on page 1");
        let last = text(pages, pages);
        assert!(
            last.contains(&format!("{pages} / {pages}")),
            "{lang}: no page number on the last page:\n{last}"
        );
        // Families start on a page of their own.
        let starts = (2..=pages)
            .filter(|p| {
                text(*p, *p)
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .is_some_and(|l| {
                        l.split_whitespace().collect::<Vec<_>>().join(" ") == family_heading
                    })
            })
            .count();
        assert_eq!(starts, 1, "{lang}: `{family_heading}` does not open a page");
        let prefix = artifacts.join(format!("report-{lang}-print"));
        run_ok(
            Command::new(&pdftoppm)
                .args(["-png", "-r", "60", "-f", "1", "-l", "2"])
                .arg(&pdf)
                .arg(&prefix),
        );
        let printed: Vec<_> = std::fs::read_dir(&artifacts)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(&format!("report-{lang}-print")) && n.ends_with(".png"))
            .collect();
        assert!(printed.len() >= 2, "{lang}: {printed:?}");
    }
}
