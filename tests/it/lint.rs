//! `cloudcap catalog lint DIR` prints exactly the diagnostics of `cloudcap_engine::lint_catalog`
//! on every invalid fixture (`cargo xtask lint-controls` is held to the same function by
//! `xtask/tests/lint_controls.rs`), and the other commands refuse the same catalogs.

use std::path::Path;
use std::process::Command;

use cloudcap_catalog::Source;

#[path = "../../crates/cloudcap-catalog/tests/support/fixtures.rs"]
mod fixtures;

fn cloudcap(args: &[&str], dir: &Path) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cloudcap"))
        .args(args)
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn catalog_lint_reports_what_lint_catalog_reports_on_every_invalid_fixture() {
    let root = fixtures::workspace_root(env!("CARGO_MANIFEST_DIR"));
    let all = fixtures::invalid_fixtures(&root);
    assert!(!all.is_empty());
    let tmp = tempfile::tempdir().unwrap();
    for f in &all {
        let dir = tmp.path().join(f.name.trim_end_matches(".toml"));
        f.write(&dir);
        let (_, diags) = cloudcap_engine::lint_catalog(&Source::from_dir(&dir).unwrap());
        let expected: Vec<String> = diags.iter().map(ToString::to_string).collect();
        let errors = diags.iter().any(|d| d.is_error());
        let (ok, out, err) = cloudcap(&["catalog", "lint"], &dir);
        assert_eq!(ok, !errors, "{}: {out}{err}", f.name);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.len() >= expected.len(), "{}: {out}", f.name);
        assert_eq!(lines[..expected.len()], expected[..], "{}", f.name);
        if errors {
            assert_eq!(lines.len(), expected.len(), "{}: {out}", f.name);
            // A command that uses the catalog refuses it with the same diagnostics.
            let (ok, _, err) = cloudcap(&["catalog", "digest", "--controls"], &dir);
            assert!(!ok, "{}: digest accepted it", f.name);
            let shown: Vec<&str> = err
                .lines()
                .filter(|l| expected.contains(&(*l).to_owned()))
                .collect();
            assert_eq!(shown.len(), expected.len(), "{}: {err}", f.name);
        }
    }
}
