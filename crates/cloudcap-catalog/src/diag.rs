//! Diagnostics with a stable code and a `path:line:col` location.

use std::fmt;

/// A stable, kebab-case identifier for each kind of catalog problem.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    TomlSyntax,
    UnknownKey,
    MissingKey,
    InvalidType,
    UnexpectedFile,
    MissingFamilyFile,
    FamilyFolderMismatch,
    UnknownFamily,
    DuplicateFamily,
    IdStemMismatch,
    DuplicateId,
    IdShape,
    ClauseShape,
    ClauseChapterMismatch,
    DuplicateClause,
    UnknownClauseBasis,
    UnknownTier,
    UnknownTierBasis,
    MissingResponsibility,
    UnknownResponsibility,
    UnknownMethod,
    DuplicateMethod,
    NoMethods,
    UnknownAutomation,
    MissingText,
    WeightRange,
    NoItems,
    DuplicateItem,
    ItemShape,
    CrosswalkShape,
    EvidenceOnManual,
    MissingEvidence,
    DuplicateEvidence,
    RuleOnManual,
    ItemWithoutRule,
    NoRules,
    DuplicateRule,
    RuleShape,
    RuleUnknownItem,
    RuleKindNotInEvidence,
    UnusedEvidence,
    UnknownEmpty,
    UnknownRequire,
    EmptyRuleExpression,
    UnknownEvidenceKind,
    RuleParse,
    RuleUnknownField,
    TierPolicy,
    EmptyCatalog,
    GlossaryVariant,
    IdenticalRule,
    UnknownMlpsPoint,
    MlpsLevel,
    CatalogOwnNumber,
}

impl Code {
    /// Every code, for documentation and uniqueness tests.
    pub const ALL: &'static [Code] = &[
        Code::TomlSyntax,
        Code::UnknownKey,
        Code::MissingKey,
        Code::InvalidType,
        Code::UnexpectedFile,
        Code::MissingFamilyFile,
        Code::FamilyFolderMismatch,
        Code::UnknownFamily,
        Code::DuplicateFamily,
        Code::IdStemMismatch,
        Code::DuplicateId,
        Code::IdShape,
        Code::ClauseShape,
        Code::ClauseChapterMismatch,
        Code::DuplicateClause,
        Code::UnknownClauseBasis,
        Code::UnknownTier,
        Code::UnknownTierBasis,
        Code::MissingResponsibility,
        Code::UnknownResponsibility,
        Code::UnknownMethod,
        Code::DuplicateMethod,
        Code::NoMethods,
        Code::UnknownAutomation,
        Code::MissingText,
        Code::WeightRange,
        Code::NoItems,
        Code::DuplicateItem,
        Code::ItemShape,
        Code::CrosswalkShape,
        Code::EvidenceOnManual,
        Code::MissingEvidence,
        Code::DuplicateEvidence,
        Code::RuleOnManual,
        Code::ItemWithoutRule,
        Code::NoRules,
        Code::DuplicateRule,
        Code::RuleShape,
        Code::RuleUnknownItem,
        Code::RuleKindNotInEvidence,
        Code::UnusedEvidence,
        Code::UnknownEmpty,
        Code::UnknownRequire,
        Code::EmptyRuleExpression,
        Code::UnknownEvidenceKind,
        Code::RuleParse,
        Code::RuleUnknownField,
        Code::TierPolicy,
        Code::EmptyCatalog,
        Code::GlossaryVariant,
        Code::IdenticalRule,
        Code::UnknownMlpsPoint,
        Code::MlpsLevel,
        Code::CatalogOwnNumber,
    ];

    /// The stable kebab-case name printed in diagnostics.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::TomlSyntax => "toml-syntax",
            Code::UnknownKey => "unknown-key",
            Code::MissingKey => "missing-key",
            Code::InvalidType => "invalid-type",
            Code::UnexpectedFile => "unexpected-file",
            Code::MissingFamilyFile => "missing-family-file",
            Code::FamilyFolderMismatch => "family-folder-mismatch",
            Code::UnknownFamily => "unknown-family",
            Code::DuplicateFamily => "duplicate-family",
            Code::IdStemMismatch => "id-stem-mismatch",
            Code::DuplicateId => "duplicate-id",
            Code::IdShape => "id-shape",
            Code::ClauseShape => "clause-shape",
            Code::ClauseChapterMismatch => "clause-chapter-mismatch",
            Code::DuplicateClause => "duplicate-clause",
            Code::UnknownClauseBasis => "unknown-clause-basis",
            Code::UnknownTier => "unknown-tier",
            Code::UnknownTierBasis => "unknown-tier-basis",
            Code::MissingResponsibility => "missing-responsibility",
            Code::UnknownResponsibility => "unknown-responsibility",
            Code::UnknownMethod => "unknown-method",
            Code::DuplicateMethod => "duplicate-method",
            Code::NoMethods => "no-methods",
            Code::UnknownAutomation => "unknown-automation",
            Code::MissingText => "missing-text",
            Code::WeightRange => "weight-range",
            Code::NoItems => "no-items",
            Code::DuplicateItem => "duplicate-item",
            Code::ItemShape => "item-shape",
            Code::CrosswalkShape => "crosswalk-shape",
            Code::EvidenceOnManual => "evidence-on-manual",
            Code::MissingEvidence => "missing-evidence",
            Code::DuplicateEvidence => "duplicate-evidence",
            Code::RuleOnManual => "rule-on-manual",
            Code::ItemWithoutRule => "item-without-rule",
            Code::NoRules => "no-rules",
            Code::DuplicateRule => "duplicate-rule",
            Code::RuleShape => "rule-shape",
            Code::RuleUnknownItem => "rule-unknown-item",
            Code::RuleKindNotInEvidence => "rule-kind-not-in-evidence",
            Code::UnusedEvidence => "unused-evidence",
            Code::UnknownEmpty => "unknown-empty",
            Code::UnknownRequire => "unknown-require",
            Code::EmptyRuleExpression => "empty-rule-expression",
            Code::UnknownEvidenceKind => "unknown-evidence-kind",
            Code::RuleParse => "rule-parse",
            Code::RuleUnknownField => "rule-unknown-field",
            Code::TierPolicy => "tier-policy",
            Code::EmptyCatalog => "empty-catalog",
            Code::GlossaryVariant => "glossary-variant",
            Code::IdenticalRule => "identical-rule",
            Code::UnknownMlpsPoint => "unknown-mlps-point",
            Code::MlpsLevel => "mlps-level",
            Code::CatalogOwnNumber => "catalog-own-number",
        }
    }

    /// Errors stop the catalog from loading; warnings are reported and the catalog still loads.
    pub fn severity(self) -> Severity {
        match self {
            Code::GlossaryVariant => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

/// How serious a diagnostic is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The catalog does not load.
    Error,
    /// The catalog loads; the text should still be mended (e.g. a glossary variant).
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
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
