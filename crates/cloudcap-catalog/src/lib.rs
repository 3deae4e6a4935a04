//! The GB/T 31168-2023 control catalog: TOML files in `controls/` loaded into a typed [`Catalog`].
//!
//! Loading is two passes, as in RustSec and cargo-deny: a strict typed parse (unknown keys are
//! errors), then a lint pass that collects *every* problem as a [`Diagnostic`] with
//! `path:line:col`, a stable kebab-case [`Code`] and a message. The crate does no I/O beyond
//! reading the folder it is given, and no network, clock or environment access.

mod diag;
mod glossary;
mod load;
mod model;
mod suggest;

pub use crate::diag::{Code, Diagnostic, Severity, Stage, diagnostics_md};
pub use crate::glossary::{GLOSSARY, Term};
pub use crate::load::{Source, SourceFile};
pub use crate::model::{
    Automation, Catalog, CatalogMeta, Control, Crosswalk, EmptyResult, Family, Item, Location,
    Method, MlpsRef, Require, Responsibility, Rule, Text, Tier, TierBasis, TierPolicy,
};
pub use crate::suggest::did_you_mean;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// The catalog shipped inside the binary (the repository's `controls/` at build time).
pub fn embedded_source() -> Source {
    Source::from_files(
        embedded::EMBEDDED
            .iter()
            .map(|(path, text)| SourceFile {
                path: (*path).to_owned(),
                text: (*text).to_owned(),
            })
            .collect(),
    )
}

/// Loads and lints a catalog. Returns the catalog when no error was found, and every diagnostic.
pub fn load(source: &Source) -> (Option<Catalog>, Vec<Diagnostic>) {
    load::load(source)
}
