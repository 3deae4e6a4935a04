//! `lint_catalog`, the one catalog check (loader, then rule lint), on every invalid fixture of
//! `crates/cloudcap-catalog/tests/fixtures/invalid/` and on the shipped catalog.

use cloudcap_catalog::{Code, Severity};
use cloudcap_engine::lint_catalog;

#[path = "../../cloudcap-catalog/tests/support/fixtures.rs"]
mod fixtures;

fn invalid_fixtures() -> Vec<fixtures::Fixture> {
    fixtures::invalid_fixtures(&fixtures::workspace_root(env!("CARGO_MANIFEST_DIR")))
}

#[test]
fn shipped_catalog_passes_the_whole_check() {
    let (catalog, diags) = lint_catalog(&cloudcap_catalog::embedded_source());
    assert!(diags.is_empty(), "{diags:#?}");
    assert!(catalog.is_some());
}

/// Every fixture, load-stage and rule-lint codes alike, gives its code at its place, and a
/// catalog with an error is refused.
#[test]
fn every_invalid_fixture_reports_its_code_at_its_place() {
    let all = invalid_fixtures();
    let mut failures = Vec::new();
    for f in &all {
        let code = Code::parse(&f.code).unwrap_or_else(|| panic!("{}: unknown code", f.name));
        let (catalog, diags) = lint_catalog(&f.source());
        let listing = diags.iter().map(|d| format!("\n  {d}")).collect::<String>();
        let error = code.severity() == Severity::Error;
        if catalog.is_some() == error {
            failures.push(format!("{}: refused must be {error}:{listing}", f.name));
        }
        let path = format!("controls/{}", f.path);
        if !diags
            .iter()
            .any(|d| d.code == code && d.path == path && (d.line, d.col) == (f.line, f.col))
        {
            failures.push(format!(
                "{}: expected {} at {path}:{}:{}, got:{listing}",
                f.name, f.code, f.line, f.col
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every code, the rule-lint ones included, is exercised here.
    for c in Code::ALL {
        assert!(
            all.iter().any(|f| f.code == c.as_str()),
            "no fixture for {c}"
        );
    }
}

/// Unknown fields and kinds name the nearest known one.
#[test]
fn unknown_fields_and_kinds_suggest_the_nearest() {
    let all = invalid_fixtures();
    let get = |name: &str| {
        let f = all.iter().find(|f| f.name == name).unwrap();
        lint_catalog(&f.source()).1
    };
    let diags = get("rule-unknown-field.toml");
    let d = diags
        .iter()
        .find(|d| d.code == Code::RuleUnknownField)
        .unwrap();
    assert!(
        d.message
            .ends_with("does not have; did you mean `r.configured`?"),
        "{d}"
    );
    let diags = get("unknown-evidence-kind.toml");
    let kinds: Vec<_> = diags
        .iter()
        .filter(|d| d.code == Code::UnknownEvidenceKind)
        .collect();
    assert_eq!(kinds.len(), 2, "{diags:#?}");
    for d in kinds {
        assert!(
            d.message
                .ends_with("`identity.passwd-policy`; did you mean `identity.password-policy`?"),
            "{d}"
        );
    }
}
