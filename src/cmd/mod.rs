//! One module per subcommand.

pub(crate) mod catalog;

use cloudcap_catalog::{Catalog, Diagnostic};

/// Rule checks that need the engine (CEL parse, evidence kinds and fields).
pub(crate) fn rules_lint(_catalog: &Catalog) -> Vec<Diagnostic> {
    Vec::new()
}
