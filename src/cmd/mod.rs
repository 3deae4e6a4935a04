//! One module per subcommand.

pub(crate) mod assess;
pub(crate) mod catalog;
pub(crate) mod collect;
pub(crate) mod evidence;
pub(crate) mod gate;
pub(crate) mod report;

use cloudcap_catalog::{Catalog, Diagnostic};

/// Rule checks that need the engine (CEL parse) and the evidence kinds (names and fields).
pub(crate) fn rules_lint(catalog: &Catalog) -> Vec<Diagnostic> {
    let kinds: Vec<cloudcap_engine::KindFields> = cloudcap_evidence::kinds()
        .iter()
        .map(|k| cloudcap_engine::KindFields {
            kind: k.name.to_owned(),
            fields: k.fields.iter().map(|f| f.name.to_owned()).collect(),
        })
        .collect();
    cloudcap_engine::lint_rules(catalog, &kinds)
}
