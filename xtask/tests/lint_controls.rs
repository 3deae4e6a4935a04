//! `cargo xtask lint-controls DIR` prints exactly the diagnostics of
//! `cloudcap_engine::lint_catalog` (the check `cloudcap catalog lint` runs) on every invalid
//! fixture, and fails exactly when one is an error.

use std::process::Command;

use cloudcap_catalog::Source;

#[path = "../../crates/cloudcap-catalog/tests/support/fixtures.rs"]
mod fixtures;

#[test]
fn lint_controls_reports_what_lint_catalog_reports_on_every_invalid_fixture() {
    let root = fixtures::workspace_root(env!("CARGO_MANIFEST_DIR"));
    let all = fixtures::invalid_fixtures(&root);
    assert!(!all.is_empty());
    let tmp = tempfile::tempdir().unwrap();
    for f in &all {
        let dir = tmp.path().join(f.name.trim_end_matches(".toml"));
        f.write(&dir);
        let (_, diags) = cloudcap_engine::lint_catalog(&Source::from_dir(&dir).unwrap());
        let expected: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert!(
            expected
                .iter()
                .any(|d| d.contains(&format!(": {}: ", f.code))),
            "{}: {expected:#?}",
            f.name
        );
        let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("lint-controls")
            .arg(&dir)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = stdout.lines().collect();
        let errors = diags.iter().any(|d| d.is_error());
        assert_eq!(out.status.success(), !errors, "{}: {stdout}", f.name);
        // The diagnostics, then on success one summary line.
        assert_eq!(
            lines.len(),
            expected.len() + usize::from(!errors),
            "{}: {stdout}",
            f.name
        );
        assert_eq!(lines[..expected.len()], expected[..], "{}", f.name);
    }
}
