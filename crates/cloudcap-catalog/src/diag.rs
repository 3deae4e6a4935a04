//! Diagnostics with a stable code and a `path:line:col` location.

use std::fmt;

/// Declares [`Code`] from one table: variant, stable name and, as its doc comment, the one-line
/// description (`Code::description`, `controls/DIAGNOSTICS.md`). `Code::ALL` follows the table.
macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $name:literal,)+) => {
        /// A stable, kebab-case identifier for each kind of catalog problem.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl Code {
            /// Every code, for documentation and uniqueness tests.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The stable kebab-case name printed in diagnostics.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)+
                }
            }

            /// One line saying what the code means: the variant's doc comment.
            pub fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!($($doc),+).trim_ascii(),)+
                }
            }
        }
    };
}

codes! {
    /// The file is not valid TOML.
    TomlSyntax = "toml-syntax",
    /// A table has a key the catalog format does not define (typos get a "did you mean").
    UnknownKey = "unknown-key",
    /// A mandatory key is missing, or `catalog.toml` itself is.
    MissingKey = "missing-key",
    /// A value has the wrong TOML type (e.g. a string where an integer is expected).
    InvalidType = "invalid-type",
    /// A `.toml` file is not `catalog.toml`, `TEMPLATE.toml`, `<family>/family.toml` or `<family>/<id>.toml`.
    UnexpectedFile = "unexpected-file",
    /// A control sits in a folder that has no `family.toml`.
    MissingFamilyFile = "missing-family-file",
    /// A family id, or a control's `family`, differs from the folder it is in.
    FamilyFolderMismatch = "family-folder-mismatch",
    /// A control names a family that the catalog does not define.
    UnknownFamily = "unknown-family",
    /// A control id differs from its file stem.
    IdStemMismatch = "id-stem-mismatch",
    /// Two files define the same control id.
    DuplicateId = "duplicate-id",
    /// A control id is not `<family>-<clause>`.
    IdShape = "id-shape",
    /// A clause is not `N.M`, or a family chapter is not a number.
    ClauseShape = "clause-shape",
    /// A control's clause is not in its family's chapter.
    ClauseChapterMismatch = "clause-chapter-mismatch",
    /// Two controls claim the same clause number.
    DuplicateClause = "duplicate-clause",
    /// A `clause-basis` or `chapter-basis` is not one of the documented values.
    UnknownClauseBasis = "unknown-clause-basis",
    /// A tier is not `basic`, `enhanced` or `advanced`.
    UnknownTier = "unknown-tier",
    /// An item's `tier-basis` is not one of the documented values.
    UnknownTierBasis = "unknown-tier-basis",
    /// An item does not say who implements it (`responsibility`).
    MissingResponsibility = "missing-responsibility",
    /// An item's `responsibility` is not `provider`, `customer` or `shared`.
    UnknownResponsibility = "unknown-responsibility",
    /// An assessment method is not `interview`, `examine` or `test`.
    UnknownMethod = "unknown-method",
    /// An assessment method is listed twice.
    DuplicateMethod = "duplicate-method",
    /// A control lists no assessment method.
    NoMethods = "no-methods",
    /// `automation` is not `automated`, `partial` or `manual`.
    UnknownAutomation = "unknown-automation",
    /// A `{ zh, en }` text lacks a language or is blank.
    MissingText = "missing-text",
    /// A control's weight is outside 1..=5.
    WeightRange = "weight-range",
    /// A control has no `[[item]]`.
    NoItems = "no-items",
    /// Two items of a control have the same id.
    DuplicateItem = "duplicate-item",
    /// An item id is not one lower-case letter.
    ItemShape = "item-shape",
    /// A crosswalk reference has the wrong shape or is cited twice.
    CrosswalkShape = "crosswalk-shape",
    /// A manual control lists evidence kinds.
    EvidenceOnManual = "evidence-on-manual",
    /// An automated or partial control lists no evidence kinds.
    MissingEvidence = "missing-evidence",
    /// An evidence kind is listed twice.
    DuplicateEvidence = "duplicate-evidence",
    /// A manual control has rules.
    RuleOnManual = "rule-on-manual",
    /// An item of an automated control has no rule, or every item of a partial control has one.
    ItemWithoutRule = "item-without-rule",
    /// An automated or partial control has no `[[rule]]`.
    NoRules = "no-rules",
    /// Two rules of a control have the same id.
    DuplicateRule = "duplicate-rule",
    /// A rule id is not kebab-case.
    RuleShape = "rule-shape",
    /// A rule names an item its control does not define.
    RuleUnknownItem = "rule-unknown-item",
    /// A rule reads an evidence kind its control does not list in `evidence`.
    RuleKindNotInEvidence = "rule-kind-not-in-evidence",
    /// A listed evidence kind is read by no rule.
    UnusedEvidence = "unused-evidence",
    /// A rule's `empty` is not `not-applicable`, `not-satisfied` or `not-evaluated`.
    UnknownEmpty = "unknown-empty",
    /// A rule's `require` is not `all` or `any`.
    UnknownRequire = "unknown-require",
    /// A rule's `check` or `where` is blank.
    EmptyRuleExpression = "empty-rule-expression",
    /// A control or rule names an evidence kind that does not exist (rule lint).
    UnknownEvidenceKind = "unknown-evidence-kind",
    /// A rule's `check` or `where` is not valid CEL (rule lint).
    RuleParse = "rule-parse",
    /// A rule reads a field its kind does not have, or a variable other than `r` and `now` (rule lint).
    RuleUnknownField = "rule-unknown-field",
    /// A tier threshold in `catalog.toml` is outside 0..=10000 basis points, or a tier has none.
    TierPolicy = "tier-policy",
    /// The catalog loads zero controls.
    EmptyCatalog = "empty-catalog",
    /// A Chinese text uses a term `GLOSSARY.md` lists as a variant to avoid (warning).
    GlossaryVariant = "glossary-variant",
    /// Two rules test the same fact (same kind, `where` and `check`).
    IdenticalRule = "identical-rule",
    /// An automated or partial control has no `remediation` guidance for the rectification
    /// plan (warning).
    MissingRemediation = "missing-remediation",
    /// A `mlps-22239` reference names an unknown GB/T 22239-2019 control point.
    UnknownMlpsPoint = "unknown-mlps-point",
    /// A `mlps-22239` reference names no level, a level twice, or a level at which the point has no requirements.
    MlpsLevel = "mlps-level",
    /// A `catalog-own` control is numbered below N.91, or another control at or above it.
    CatalogOwnNumber = "catalog-own-number",
}

/// Which pass finds a code: the catalog loader, or the rule lint of the engine (CEL, evidence
/// kinds and fields), which needs the evidence kinds and so runs in `cloudcap_engine::lint_catalog`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// `cloudcap_catalog::load`.
    Load,
    /// `cloudcap_engine::lint_rules`, after a clean load.
    RuleLint,
}

impl Code {
    /// Errors stop the catalog from loading; warnings are reported and the catalog still loads.
    pub fn severity(self) -> Severity {
        match self {
            Code::GlossaryVariant | Code::MissingRemediation => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The pass that reports this code.
    pub fn stage(self) -> Stage {
        match self {
            Code::UnknownEvidenceKind | Code::RuleParse | Code::RuleUnknownField => Stage::RuleLint,
            _ => Stage::Load,
        }
    }

    /// Looks a code up by its kebab-case name.
    pub fn parse(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

/// How serious a diagnostic is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Severity {
    /// The catalog does not load.
    Error,
    /// The catalog loads; the text should still be mended (e.g. a glossary variant).
    Warning,
}

impl Severity {
    /// `error` or `warning`, as diagnostics print it.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in the catalog, located at `path:line:col` (1-based).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub code: Code,
    pub message: String,
}

impl Diagnostic {
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}

/// Errors print as `path:line:col: code: message`; warnings as
/// `path:line:col: warning: code: message`.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.path, self.line, self.col)?;
        if self.severity() == Severity::Warning {
            f.write_str("warning: ")?;
        }
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// `controls/DIAGNOSTICS.md`: every code with its severity, the pass that finds it and its
/// description, from the [`Code`] table (written by `cargo xtask codegen`, drift-checked by
/// `cargo xtask codegen --check`).
pub fn diagnostics_md() -> String {
    let mut out = String::from(
        "# Catalog diagnostics\n\n\
         <!-- Generated by `cargo xtask codegen` from `Code` in crates/cloudcap-catalog/src/diag.rs; do not edit. -->\n\n\
         `cloudcap catalog lint`, `cargo xtask lint-controls` and every command that loads a catalog\n\
         run one check, `cloudcap_engine::lint_catalog`: the loader (`cloudcap_catalog::load`), then,\n\
         on a catalog that loads, the rule lint (`cloudcap_engine::lint_rules`: CEL, evidence kinds\n\
         and fields). Each problem prints as `path:line:col: code: message` (a warning as\n\
         `path:line:col: warning: code: message`). Every code has an invalid fixture in\n\
         `crates/cloudcap-catalog/tests/fixtures/invalid/` that reports it at its `# expect:` place.\n\n\
         | code | severity | found by | meaning |\n\
         | --- | --- | --- | --- |\n",
    );
    for code in Code::ALL {
        let stage = match code.stage() {
            Stage::Load => "load",
            Stage::RuleLint => "rule lint",
        };
        out.push_str(&format!(
            "| `{}` | {} | {stage} | {} |\n",
            code.as_str(),
            code.severity().as_str(),
            code.description().replace('|', "\\|")
        ));
    }
    out
}

/// Converts a byte offset into a 1-based (line, column) pair, counting columns in characters.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
