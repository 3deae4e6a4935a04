//! Strict parse of the catalog files, then a lint pass that collects every problem.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Code, Diagnostic, line_col};
use crate::model::{
    Automation, Catalog, CatalogMeta, Control, Crosswalk, EmptyResult, Family, Item, Location,
    Method, MlpsRef, Require, Responsibility, Rule, Text, Tier, TierBasis, TierPolicy,
};

/// One catalog file: a path relative to the catalog root (with `/` separators) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// The files of a catalog, from the embedded copy or a folder on disk.
#[derive(Clone, Debug, Default)]
pub struct Source {
    files: Vec<SourceFile>,
    /// Prefix shown before relative paths in diagnostics (the folder given by the user).
    display_root: String,
}

impl Source {
    pub fn from_files(files: Vec<SourceFile>) -> Source {
        Source {
            files,
            display_root: "controls".to_owned(),
        }
    }

    /// Reads every `*.toml` below `dir` (I/O errors are returned, not linted).
    pub fn from_dir(dir: &Path) -> std::io::Result<Source> {
        let mut files = Vec::new();
        read_dir_rec(dir, dir, &mut files)?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Source {
            files,
            display_root: dir.display().to_string(),
        })
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    fn display(&self, rel: &str) -> String {
        if self.display_root.is_empty() {
            rel.to_owned()
        } else {
            format!("{}/{}", self.display_root.trim_end_matches('/'), rel)
        }
    }
}

fn read_dir_rec(root: &Path, dir: &Path, files: &mut Vec<SourceFile>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            read_dir_rec(root, &path, files)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            files.push(SourceFile {
                path: rel,
                text: fs::read_to_string(&path)?,
            });
        }
    }
    Ok(())
}

// ---- raw (spanned) forms -------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    zh: Option<Spanned<String>>,
    en: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFamily {
    id: Spanned<String>,
    chapter: Spanned<String>,
    chapter_basis: Spanned<String>,
    name: Spanned<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTierPolicy {
    name: Spanned<RawText>,
    min_score_bp: Spanned<i64>,
    min_coverage_bp: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawMeta {
    standard: String,
    assessment_method: String,
    catalog_version: String,
    tiers: BTreeMap<Spanned<String>, RawTierPolicy>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCrosswalk {
    #[serde(default, rename = "nist-800-53r4")]
    nist_800_53r4: Vec<Spanned<String>>,
    #[serde(default, rename = "mlps-22239")]
    mlps_22239: Vec<Spanned<RawMlpsRef>>,
    #[serde(default, rename = "measures-2019")]
    measures_2019: Vec<Spanned<String>>,
    #[serde(default)]
    related: Vec<String>,
    notes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMlpsRef {
    point: Spanned<String>,
    levels: Spanned<Vec<Spanned<i64>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawItem {
    id: Spanned<String>,
    tier: Spanned<String>,
    tier_basis: Spanned<String>,
    responsibility: Option<Spanned<String>>,
    text: Spanned<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    id: Spanned<String>,
    item: Spanned<String>,
    kind: Spanned<String>,
    #[serde(rename = "where")]
    filter: Option<Spanned<String>>,
    check: Spanned<String>,
    empty: Option<Spanned<String>>,
    require: Option<Spanned<String>>,
    message: Spanned<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawControl {
    id: Spanned<String>,
    family: Spanned<String>,
    clause: Spanned<String>,
    clause_basis: Spanned<String>,
    title: Spanned<RawText>,
    objective: Spanned<RawText>,
    methods: Spanned<Vec<Spanned<String>>>,
    automation: Spanned<String>,
    #[serde(default)]
    evidence: Vec<Spanned<String>>,
    weight: Spanned<i64>,
    key: bool,
    remediation: Option<Spanned<RawText>>,
    crosswalk: Option<Spanned<RawCrosswalk>>,
    #[serde(default, rename = "item")]
    items: Vec<RawItem>,
    #[serde(default, rename = "rule")]
    rules: Vec<RawRule>,
}

// ---- the lint context ----------------------------------------------------------------------

struct Ctx<'a> {
    source: &'a Source,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    /// How many error-severity diagnostics have been collected (warnings do not stop loading).
    fn errors(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }

    fn push(&mut self, file: &SourceFile, offset: usize, code: Code, message: impl Into<String>) {
        let (line, col) = line_col(&file.text, offset);
        self.diags.push(Diagnostic {
            path: self.source.display(&file.path),
            line,
            col,
            code,
            message: message.into(),
        });
    }

    fn loc(&self, file: &SourceFile, offset: usize) -> Location {
        let (line, col) = line_col(&file.text, offset);
        Location {
            path: self.source.display(&file.path),
            line,
            col,
        }
    }

    fn parse<T: for<'de> Deserialize<'de>>(&mut self, file: &SourceFile) -> Option<T> {
        match toml::from_str::<T>(&file.text) {
            Ok(v) => Some(v),
            Err(e) => {
                let msg = e.message().trim().to_owned();
                let code = if msg.contains("unknown field") {
                    Code::UnknownKey
                } else if msg.contains("missing field") {
                    Code::MissingKey
                } else if msg.contains("invalid type")
                    || msg.contains("invalid value")
                    || msg.contains("invalid length")
                {
                    Code::InvalidType
                } else {
                    Code::TomlSyntax
                };
                let offset = e.span().map_or(0, |s| s.start);
                let mut msg = msg.replace('\n', " ");
                if code == Code::UnknownKey {
                    if let Some(hint) = unknown_field_hint(&msg) {
                        msg.push_str(&hint);
                    }
                }
                self.push(file, offset, code, msg);
                None
            }
        }
    }

    /// Converts a `{ zh, en }` table, reporting each missing or blank language.
    fn text(&mut self, file: &SourceFile, raw: &Spanned<RawText>, what: &str) -> Text {
        let mut get = |lang: &str, v: &Option<Spanned<String>>| match v {
            Some(s) if !s.get_ref().trim().is_empty() => {
                if lang == "zh" {
                    // Search the source slice (quotes and escapes included) so that offsets are
                    // exact positions in the file.
                    let span = s.span();
                    if let Some(raw_src) = file.text.get(span.clone()) {
                        for hit in crate::glossary::variants_in(raw_src) {
                            self.push(
                                file,
                                span.start + hit.offset,
                                Code::GlossaryVariant,
                                format!(
                                    "{what}.zh uses `{}`; the glossary's term for {} is `{}` (controls/GLOSSARY.md)",
                                    hit.variant, hit.term.concept, hit.term.preferred
                                ),
                            );
                        }
                    }
                }
                s.get_ref().trim().to_owned()
            }
            Some(s) => {
                self.push(
                    file,
                    s.span().start,
                    Code::MissingText,
                    format!("{what}.{lang} is blank"),
                );
                String::new()
            }
            None => {
                self.push(
                    file,
                    raw.span().start,
                    Code::MissingText,
                    format!("{what} has no `{lang}` text"),
                );
                String::new()
            }
        };
        let inner = raw.get_ref();
        Text {
            zh: get("zh", &inner.zh),
            en: get("en", &inner.en),
        }
    }
}

/// `; did you mean `x`?` for serde's "unknown field `y`, expected one of `a`, `b`" (or "expected
/// `a` or `b`", "expected `a`"): the candidates are the keys the table in question accepts.
fn unknown_field_hint(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("unknown field `")?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest.split_once("expected")?.1;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    crate::suggest::did_you_mean(unknown, &candidates).map(|s| format!("; did you mean `{s}`?"))
}

// ---- shape checks --------------------------------------------------------------------------

/// GB/T 22239-2019 control points a crosswalk may cite, with the protection levels (of 2, 3, 4)
/// at which the point has requirements. Named, not numbered (clause numbers are not verified).
/// `cloud.*`: the cloud-extension points and their levels as transcribed in source S17
/// (shared/reference/standards.md §6.2, [V3]). `general.*`: the general requirements' control
/// points as recalled from the standard's structure ([R], names and levels not checked against
/// the text). controls/README.md lists them with their Chinese names; change both together.
/// First clause number (after the dot) of the catalog's own controls.
const CATALOG_OWN_FROM: u32 = 91;

pub(crate) const MLPS_POINTS: &[(&str, &[u8])] = &[
    ("cloud.physical.infrastructure-location", &[2, 3, 4]),
    ("cloud.network.architecture", &[2, 3, 4]),
    ("cloud.boundary.access-control", &[2, 3, 4]),
    ("cloud.boundary.intrusion-prevention", &[2, 3, 4]),
    ("cloud.boundary.audit", &[2, 3, 4]),
    ("cloud.computing.identification", &[3, 4]),
    ("cloud.computing.access-control", &[2, 3, 4]),
    ("cloud.computing.intrusion-prevention", &[3, 4]),
    ("cloud.computing.image-snapshot-protection", &[2, 3, 4]),
    ("cloud.computing.data-integrity-confidentiality", &[2, 3, 4]),
    ("cloud.computing.backup-recovery", &[2, 3, 4]),
    ("cloud.computing.residual-information", &[2, 3, 4]),
    ("cloud.management.centralized-control", &[3, 4]),
    ("cloud.construction.provider-selection", &[2, 3, 4]),
    ("cloud.construction.supply-chain", &[2, 3, 4]),
    ("cloud.operations.cloud-environment", &[2, 3, 4]),
    ("general.physical.location-selection", &[2, 3, 4]),
    ("general.physical.access-control", &[2, 3, 4]),
    ("general.physical.theft-damage", &[2, 3, 4]),
    ("general.physical.lightning", &[2, 3, 4]),
    ("general.physical.fire", &[2, 3, 4]),
    ("general.physical.water-moisture", &[2, 3, 4]),
    ("general.physical.static", &[2, 3, 4]),
    ("general.physical.temperature-humidity", &[2, 3, 4]),
    ("general.physical.power-supply", &[2, 3, 4]),
    ("general.physical.electromagnetic", &[2, 3, 4]),
    ("general.network.architecture", &[2, 3, 4]),
    ("general.network.communication-transmission", &[2, 3, 4]),
    ("general.network.trusted-verification", &[2, 3, 4]),
    ("general.boundary.boundary-protection", &[2, 3, 4]),
    ("general.boundary.access-control", &[2, 3, 4]),
    ("general.boundary.intrusion-prevention", &[2, 3, 4]),
    ("general.boundary.malicious-code", &[2, 3, 4]),
    ("general.boundary.security-audit", &[2, 3, 4]),
    ("general.boundary.trusted-verification", &[2, 3, 4]),
    ("general.computing.identification", &[2, 3, 4]),
    ("general.computing.access-control", &[2, 3, 4]),
    ("general.computing.security-audit", &[2, 3, 4]),
    ("general.computing.intrusion-prevention", &[2, 3, 4]),
    ("general.computing.malicious-code", &[2, 3, 4]),
    ("general.computing.trusted-verification", &[2, 3, 4]),
    ("general.computing.data-integrity", &[2, 3, 4]),
    ("general.computing.data-confidentiality", &[3, 4]),
    ("general.computing.backup-recovery", &[2, 3, 4]),
    ("general.computing.residual-information", &[2, 3, 4]),
    ("general.computing.personal-information", &[2, 3, 4]),
    ("general.management-center.system-management", &[2, 3, 4]),
    ("general.management-center.audit-management", &[2, 3, 4]),
    ("general.management-center.security-management", &[3, 4]),
    ("general.management-center.centralized-control", &[3, 4]),
    ("general.policy.security-policy", &[3, 4]),
    ("general.policy.management-rules", &[2, 3, 4]),
    ("general.policy.formulation-release", &[2, 3, 4]),
    ("general.policy.review-revision", &[2, 3, 4]),
    ("general.organisation.posts", &[2, 3, 4]),
    ("general.organisation.staffing", &[2, 3, 4]),
    ("general.organisation.authorisation-approval", &[2, 3, 4]),
    ("general.organisation.communication-cooperation", &[2, 3, 4]),
    ("general.organisation.audit-inspection", &[2, 3, 4]),
    ("general.personnel.recruitment", &[2, 3, 4]),
    ("general.personnel.departure", &[2, 3, 4]),
    ("general.personnel.awareness-training", &[2, 3, 4]),
    ("general.personnel.external-access", &[2, 3, 4]),
    ("general.construction.grading-filing", &[2, 3, 4]),
    ("general.construction.solution-design", &[2, 3, 4]),
    ("general.construction.product-procurement", &[2, 3, 4]),
    ("general.construction.in-house-development", &[2, 3, 4]),
    ("general.construction.outsourced-development", &[2, 3, 4]),
    ("general.construction.implementation", &[2, 3, 4]),
    ("general.construction.acceptance-testing", &[2, 3, 4]),
    ("general.construction.delivery", &[2, 3, 4]),
    ("general.construction.level-assessment", &[2, 3, 4]),
    ("general.construction.provider-selection", &[2, 3, 4]),
    ("general.operations.environment", &[2, 3, 4]),
    ("general.operations.assets", &[2, 3, 4]),
    ("general.operations.media", &[2, 3, 4]),
    ("general.operations.equipment-maintenance", &[2, 3, 4]),
    ("general.operations.vulnerability-risk", &[2, 3, 4]),
    ("general.operations.network-system", &[2, 3, 4]),
    ("general.operations.malicious-code", &[2, 3, 4]),
    ("general.operations.configuration", &[2, 3, 4]),
    ("general.operations.cryptography", &[2, 3, 4]),
    ("general.operations.change", &[2, 3, 4]),
    ("general.operations.backup-recovery", &[2, 3, 4]),
    ("general.operations.incident-handling", &[2, 3, 4]),
    ("general.operations.contingency-plan", &[2, 3, 4]),
    ("general.operations.outsourced-operations", &[2, 3, 4]),
];

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0')
}

/// `AC-7`, `IA-2(1)`.
fn is_nist_id(s: &str) -> bool {
    let Some((fam, rest)) = s.split_once('-') else {
        return false;
    };
    if fam.len() != 2 || !fam.bytes().all(|b| b.is_ascii_uppercase()) {
        return false;
    }
    match rest.split_once('(') {
        None => is_number(rest),
        Some((base, enh)) => is_number(base) && enh.strip_suffix(')').is_some_and(is_number),
    }
}

/// `art3`, `art3(2)`.
fn is_measures_ref(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("art") else {
        return false;
    };
    match rest.split_once('(') {
        None => is_number(rest),
        Some((base, item)) => is_number(base) && item.strip_suffix(')').is_some_and(is_number),
    }
}

/// `8.10`.
fn is_clause(s: &str) -> bool {
    s.split_once('.')
        .is_some_and(|(a, b)| is_number(a) && is_number(b))
}

fn is_item_id(s: &str) -> bool {
    s.len() == 1 && s.bytes().all(|b| b.is_ascii_lowercase())
}

// ---- the loader ----------------------------------------------------------------------------

pub(crate) fn load(source: &Source) -> (Option<Catalog>, Vec<Diagnostic>) {
    let mut cx = Ctx {
        source,
        diags: Vec::new(),
    };
    let mut meta = None;
    let mut families: BTreeMap<String, Family> = BTreeMap::new();
    let mut family_files: BTreeSet<String> = BTreeSet::new();
    let mut control_files = Vec::new();

    for file in source.files() {
        let parts: Vec<&str> = file.path.split('/').collect();
        match parts.as_slice() {
            ["catalog.toml"] => meta = load_meta(&mut cx, file),
            ["TEMPLATE.toml"] => {}
            [folder, "family.toml"] => {
                family_files.insert((*folder).to_owned());
                // A family's id equals its folder (else `family-folder-mismatch`), so no two
                // loaded families share an id.
                if let Some(f) = load_family(&mut cx, file, folder) {
                    families.insert(f.id.clone(), f);
                }
            }
            [folder, name] => control_files.push((
                file,
                (*folder).to_owned(),
                name.trim_end_matches(".toml").to_owned(),
            )),
            _ => cx.push(
                file,
                0,
                Code::UnexpectedFile,
                "catalog files are `catalog.toml`, `<family>/family.toml` or `<family>/<id>.toml`",
            ),
        }
    }
    if meta.is_none() && !source.files().iter().any(|f| f.path == "catalog.toml") {
        cx.diags.push(Diagnostic {
            path: source.display("catalog.toml"),
            line: 1,
            col: 1,
            code: Code::MissingKey,
            message: "catalog.toml (catalog metadata and tier thresholds) is missing".into(),
        });
    }

    let mut controls: Vec<Control> = Vec::new();
    let mut seen_ids: BTreeMap<String, Location> = BTreeMap::new();
    let mut seen_clauses: BTreeMap<String, String> = BTreeMap::new();
    for (file, folder, stem) in control_files {
        if !family_files.contains(&folder) {
            cx.push(
                file,
                0,
                Code::MissingFamilyFile,
                format!("folder `{folder}` has no family.toml"),
            );
        }
        let Some(raw) = cx.parse::<RawControl>(file) else {
            continue;
        };
        let raw_id = raw.id.get_ref().clone();
        if let Some(first) = seen_ids.get(&raw_id) {
            let msg = format!(
                "control id `{raw_id}` is already defined at {}:{}:{}",
                first.path, first.line, first.col
            );
            cx.push(file, raw.id.span().start, Code::DuplicateId, msg);
            continue;
        }
        seen_ids.insert(raw_id, cx.loc(file, raw.id.span().start));
        let Some(control) = lint_control(&mut cx, file, raw, &folder, &stem, &families) else {
            continue;
        };
        if let Some(other) = seen_clauses.get(&control.clause) {
            let offset = offset_of(&file.text, "clause");
            cx.push(
                file,
                offset,
                Code::DuplicateClause,
                format!("clause {} is also control `{other}`", control.clause),
            );
        }
        seen_clauses.insert(control.clause.clone(), control.id.clone());
        controls.push(control);
    }

    identical_rules(&mut cx, &controls);

    if controls.is_empty() {
        cx.diags.push(Diagnostic {
            path: source.display("catalog.toml"),
            line: 1,
            col: 1,
            code: Code::EmptyCatalog,
            message: "the catalog loads zero controls".into(),
        });
    }

    cx.diags.sort();
    cx.diags.dedup();
    let has_error = cx.diags.iter().any(Diagnostic::is_error);
    match (meta, has_error) {
        (Some(meta), false) => {
            let mut catalog = Catalog {
                meta,
                families: families.into_values().collect(),
                controls,
            };
            catalog.normalize();
            (Some(catalog), cx.diags)
        }
        _ => (None, cx.diags),
    }
}

/// One fact, one rule: two rules with the same kind, `where` and `check` (whitespace aside) test
/// the same fact, and the catalog keeps it in one control (see controls/README.md). Reported at
/// the second rule's `check`, naming the first.
fn identical_rules(cx: &mut Ctx<'_>, controls: &[Control]) {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut seen: BTreeMap<(String, String, String), (String, String)> = BTreeMap::new();
    for c in controls {
        for r in &c.rules {
            let key = (
                r.kind.clone(),
                norm(r.filter.as_deref().unwrap_or("")),
                norm(&r.check),
            );
            if let Some((control, rule)) = seen.get(&key) {
                let at = &r.check_location;
                cx.diags.push(Diagnostic {
                    path: at.path.clone(),
                    line: at.line,
                    col: at.col,
                    code: Code::IdenticalRule,
                    message: format!(
                        "rule `{}` of `{}` tests the same fact as rule `{rule}` of `{control}` (same kind, where and check): keep the fact in the control whose objective it evidences and let the other say so in its notes",
                        r.id, c.id
                    ),
                });
            } else {
                seen.insert(key, (c.id.clone(), r.id.clone()));
            }
        }
    }
}

/// Byte offset of the first line that assigns `key` (best effort, for whole-file diagnostics).
pub(crate) fn offset_of(text: &str, key: &str) -> usize {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(key) && trimmed[key.len()..].trim_start().starts_with('=') {
            return offset + (line.len() - trimmed.len());
        }
        offset += line.len();
    }
    0
}

fn load_meta(cx: &mut Ctx<'_>, file: &SourceFile) -> Option<CatalogMeta> {
    let raw: RawMeta = cx.parse(file)?;
    let mut tiers = BTreeMap::new();
    let mut ok = true;
    for (name, policy) in &raw.tiers {
        let Some(tier) = Tier::parse(name.get_ref()) else {
            cx.push(
                file,
                name.span().start,
                Code::UnknownTier,
                format!(
                    "unknown tier `{}`; expected basic, enhanced or advanced",
                    name.get_ref()
                ),
            );
            ok = false;
            continue;
        };
        let mut bp = |v: &Spanned<i64>, what: &str| {
            let n = *v.get_ref();
            if !(0..=10_000).contains(&n) {
                cx.push(
                    file,
                    v.span().start,
                    Code::TierPolicy,
                    format!("{what} must be within 0..=10000 basis points, got {n}"),
                );
                ok = false;
            }
            n.clamp(0, 10_000) as u32
        };
        let min_score_bp = bp(&policy.min_score_bp, "min-score-bp");
        let min_coverage_bp = bp(&policy.min_coverage_bp, "min-coverage-bp");
        let name = cx.text(file, &policy.name, &format!("tiers.{}.name", tier.as_str()));
        tiers.insert(
            tier,
            TierPolicy {
                name,
                min_score_bp,
                min_coverage_bp,
            },
        );
    }
    for &tier in Tier::ALL {
        if !tiers.contains_key(&tier) && ok {
            cx.push(
                file,
                0,
                Code::TierPolicy,
                format!("no thresholds for tier `{}`", tier.as_str()),
            );
            ok = false;
        }
    }
    ok.then_some(CatalogMeta {
        standard: raw.standard,
        assessment_method: raw.assessment_method,
        catalog_version: raw.catalog_version,
        tiers,
    })
}

fn load_family(cx: &mut Ctx<'_>, file: &SourceFile, folder: &str) -> Option<Family> {
    let raw: RawFamily = cx.parse(file)?;
    let before = cx.errors();
    if raw.id.get_ref() != folder {
        cx.push(
            file,
            raw.id.span().start,
            Code::FamilyFolderMismatch,
            format!(
                "family id `{}` differs from its folder `{folder}`",
                raw.id.get_ref()
            ),
        );
    }
    let chapter = raw
        .chapter
        .get_ref()
        .parse::<u32>()
        .ok()
        .filter(|_| is_number(raw.chapter.get_ref()));
    if chapter.is_none() {
        cx.push(
            file,
            raw.chapter.span().start,
            Code::ClauseShape,
            format!("chapter must be a number, got `{}`", raw.chapter.get_ref()),
        );
    }
    if !["toc-verified", "inferred"].contains(&raw.chapter_basis.get_ref().as_str()) {
        cx.push(
            file,
            raw.chapter_basis.span().start,
            Code::UnknownClauseBasis,
            format!(
                "unknown chapter-basis `{}`; expected toc-verified or inferred",
                raw.chapter_basis.get_ref()
            ),
        );
    }
    let name = cx.text(file, &raw.name, "name");
    (cx.errors() == before).then(|| Family {
        id: raw.id.into_inner(),
        chapter: chapter.unwrap_or_default(),
        chapter_basis: raw.chapter_basis.into_inner(),
        name,
    })
}

fn lint_control(
    cx: &mut Ctx<'_>,
    file: &SourceFile,
    raw: RawControl,
    folder: &str,
    stem: &str,
    families: &BTreeMap<String, Family>,
) -> Option<Control> {
    let before = cx.errors();
    let id = raw.id.get_ref();
    if id != stem {
        cx.push(
            file,
            raw.id.span().start,
            Code::IdStemMismatch,
            format!("control id `{id}` differs from the file stem `{stem}`"),
        );
    }
    if raw.family.get_ref() != folder {
        cx.push(
            file,
            raw.family.span().start,
            Code::FamilyFolderMismatch,
            format!(
                "family `{}` differs from the folder `{folder}`",
                raw.family.get_ref()
            ),
        );
    }
    let family = families.get(raw.family.get_ref());
    if family.is_none() && families.contains_key(folder) {
        cx.push(
            file,
            raw.family.span().start,
            Code::UnknownFamily,
            format!("unknown family `{}`", raw.family.get_ref()),
        );
    }
    let clause = raw.clause.get_ref();
    if !is_clause(clause) {
        cx.push(
            file,
            raw.clause.span().start,
            Code::ClauseShape,
            format!("clause must look like `8.10`, got `{clause}`"),
        );
    } else if let Some(f) = family {
        if crate::model::clause_key(clause).0 != f.chapter {
            cx.push(
                file,
                raw.clause.span().start,
                Code::ClauseChapterMismatch,
                format!(
                    "clause {clause} is not in chapter {} of family `{}`",
                    f.chapter, f.id
                ),
            );
        }
    }
    if id != &format!("{}-{}", raw.family.get_ref(), clause) {
        cx.push(
            file,
            raw.id.span().start,
            Code::IdShape,
            format!(
                "control id must be `<family>-<clause>`, i.e. `{}-{clause}`",
                raw.family.get_ref()
            ),
        );
    }
    let basis = raw.clause_basis.get_ref().as_str();
    if !["toc-verified", "toc-number", "inferred", "catalog-own"].contains(&basis) {
        cx.push(
            file,
            raw.clause_basis.span().start,
            Code::UnknownClauseBasis,
            format!(
                "unknown clause-basis `{}`; expected toc-verified, toc-number, inferred or catalog-own",
                raw.clause_basis.get_ref()
            ),
        );
    } else if is_clause(raw.clause.get_ref()) {
        // A control of the catalog's own (not a clause of GB/T 31168) is numbered from N.91 so
        // that it can never be taken for, or collide with, a clause of the standard.
        let own_number = crate::model::clause_key(raw.clause.get_ref()).1 >= CATALOG_OWN_FROM;
        if (basis == "catalog-own") != own_number {
            cx.push(
                file,
                raw.clause.span().start,
                Code::CatalogOwnNumber,
                format!(
                    "clause `{}` with clause-basis `{basis}`: controls of the catalog's own (catalog-own) and only they are numbered N.{CATALOG_OWN_FROM} and above",
                    raw.clause.get_ref()
                ),
            );
        }
    }
    let title = cx.text(file, &raw.title, "title");
    let objective = cx.text(file, &raw.objective, "objective");
    let remediation = raw
        .remediation
        .as_ref()
        .map(|r| cx.text(file, r, "remediation"));

    let mut methods = Vec::new();
    if raw.methods.get_ref().is_empty() {
        cx.push(
            file,
            raw.methods.span().start,
            Code::NoMethods,
            "methods must name at least one of interview, examine, test",
        );
    }
    for m in raw.methods.get_ref() {
        match Method::parse(m.get_ref()) {
            Some(method) if methods.contains(&method) => cx.push(
                file,
                m.span().start,
                Code::DuplicateMethod,
                format!("method `{}` listed twice", m.get_ref()),
            ),
            Some(method) => methods.push(method),
            None => cx.push(
                file,
                m.span().start,
                Code::UnknownMethod,
                format!(
                    "unknown method `{}`; expected interview, examine or test",
                    m.get_ref()
                ),
            ),
        }
    }
    let automation = Automation::parse(raw.automation.get_ref());
    if automation.is_none() {
        cx.push(
            file,
            raw.automation.span().start,
            Code::UnknownAutomation,
            format!(
                "unknown automation `{}`; expected automated, partial or manual",
                raw.automation.get_ref()
            ),
        );
    }
    let weight = *raw.weight.get_ref();
    if !(1..=5).contains(&weight) {
        cx.push(
            file,
            raw.weight.span().start,
            Code::WeightRange,
            format!("weight must be within 1..=5, got {weight}"),
        );
    }

    let mut evidence: Vec<String> = Vec::new();
    for e in &raw.evidence {
        if evidence.contains(e.get_ref()) {
            cx.push(
                file,
                e.span().start,
                Code::DuplicateEvidence,
                format!("evidence kind `{}` listed twice", e.get_ref()),
            );
        } else {
            evidence.push(e.get_ref().clone());
        }
    }

    let crosswalk = match &raw.crosswalk {
        None => Crosswalk::default(),
        Some(cw) => lint_crosswalk(cx, file, cw.get_ref()),
    };

    // Items.
    let mut items = Vec::new();
    if raw.items.is_empty() {
        cx.push(
            file,
            0,
            Code::NoItems,
            "a control needs at least one [[item]]",
        );
    }
    for item in &raw.items {
        let iid = item.id.get_ref();
        if !is_item_id(iid) {
            cx.push(
                file,
                item.id.span().start,
                Code::ItemShape,
                format!("item id must be one lower-case letter, got `{iid}`"),
            );
        }
        if items.iter().any(|i: &Item| &i.id == iid) {
            cx.push(
                file,
                item.id.span().start,
                Code::DuplicateItem,
                format!("item `{iid}` defined twice"),
            );
        }
        let tier = Tier::parse(item.tier.get_ref());
        if tier.is_none() {
            cx.push(
                file,
                item.tier.span().start,
                Code::UnknownTier,
                format!(
                    "unknown tier `{}`; expected basic, enhanced or advanced",
                    item.tier.get_ref()
                ),
            );
        }
        let tier_basis = TierBasis::parse(item.tier_basis.get_ref());
        if tier_basis.is_none() {
            cx.push(file, item.tier_basis.span().start, Code::UnknownTierBasis, format!("unknown tier-basis `{}`; expected standard-text, inferred-nist-baseline, legal-duty or unverified", item.tier_basis.get_ref()));
        }
        let responsibility = match &item.responsibility {
            None => {
                cx.push(
                    file,
                    item.id.span().start,
                    Code::MissingResponsibility,
                    format!(
                        "item `{iid}` has no `responsibility`; expected provider, customer or shared (controls/README.md, Who implements it)"
                    ),
                );
                None
            }
            Some(r) => {
                let parsed = Responsibility::parse(r.get_ref());
                if parsed.is_none() {
                    cx.push(
                        file,
                        r.span().start,
                        Code::UnknownResponsibility,
                        format!(
                            "unknown responsibility `{}`; expected provider, customer or shared",
                            r.get_ref()
                        ),
                    );
                }
                parsed
            }
        };
        let text = cx.text(file, &item.text, &format!("item {iid} text"));
        if let (Some(tier), Some(tier_basis), Some(responsibility)) =
            (tier, tier_basis, responsibility)
        {
            items.push(Item {
                id: iid.clone(),
                tier,
                tier_basis,
                responsibility,
                text,
            });
        }
    }

    // Rules.
    let mut rules: Vec<Rule> = Vec::new();
    for rule in &raw.rules {
        let rid = rule.id.get_ref();
        if !is_kebab(rid) {
            cx.push(
                file,
                rule.id.span().start,
                Code::RuleShape,
                format!("rule id must be kebab-case, got `{rid}`"),
            );
        }
        if rules.iter().any(|r| &r.id == rid) {
            cx.push(
                file,
                rule.id.span().start,
                Code::DuplicateRule,
                format!("rule `{rid}` defined twice"),
            );
        }
        if !raw
            .items
            .iter()
            .any(|i| i.id.get_ref() == rule.item.get_ref())
        {
            cx.push(
                file,
                rule.item.span().start,
                Code::RuleUnknownItem,
                format!(
                    "rule `{rid}` names item `{}`, which this control does not define",
                    rule.item.get_ref()
                ),
            );
        }
        if !evidence.contains(rule.kind.get_ref()) {
            cx.push(
                file,
                rule.kind.span().start,
                Code::RuleKindNotInEvidence,
                format!(
                    "rule `{rid}` reads `{}`, which is not listed in `evidence`",
                    rule.kind.get_ref()
                ),
            );
        }
        if rule.check.get_ref().trim().is_empty() {
            cx.push(
                file,
                rule.check.span().start,
                Code::EmptyRuleExpression,
                format!("rule `{rid}` has an empty check"),
            );
        }
        if let Some(f) = &rule.filter {
            if f.get_ref().trim().is_empty() {
                cx.push(
                    file,
                    f.span().start,
                    Code::EmptyRuleExpression,
                    format!("rule `{rid}` has an empty where"),
                );
            }
        }
        let empty = match &rule.empty {
            None => Some(EmptyResult::NotApplicable),
            Some(e) => {
                let parsed = EmptyResult::parse(e.get_ref());
                if parsed.is_none() {
                    cx.push(file, e.span().start, Code::UnknownEmpty, format!("unknown empty `{}`; expected not-applicable, not-satisfied or not-evaluated", e.get_ref()));
                }
                parsed
            }
        };
        let require = match &rule.require {
            None => Require::All,
            Some(r) => Require::parse(r.get_ref()).unwrap_or_else(|| {
                cx.push(
                    file,
                    r.span().start,
                    Code::UnknownRequire,
                    format!("unknown require `{}`; expected all or any", r.get_ref()),
                );
                Require::All
            }),
        };
        let message = cx.text(file, &rule.message, &format!("rule {rid} message"));
        // Point at the expression's first character, inside the quotes.
        let check_location = cx.loc(file, rule.check.span().start + 1);
        let filter_location = rule
            .filter
            .as_ref()
            .map(|f| cx.loc(file, f.span().start + 1));
        let kind_location = cx.loc(file, rule.kind.span().start);
        rules.push(Rule {
            id: rid.clone(),
            item: rule.item.get_ref().clone(),
            kind: rule.kind.get_ref().clone(),
            filter: rule.filter.as_ref().map(|f| f.get_ref().clone()),
            check: rule.check.get_ref().clone(),
            empty: empty.unwrap_or(EmptyResult::NotEvaluated),
            require,
            message,
            check_location,
            filter_location,
            kind_location,
        });
    }

    // Automation consistency.
    if let Some(automation) = automation {
        let auto_at = raw.automation.span().start;
        match automation {
            Automation::Manual => {
                if !rules.is_empty() {
                    cx.push(
                        file,
                        auto_at,
                        Code::RuleOnManual,
                        "a manual control cannot have rules; use `partial`",
                    );
                }
                if let Some(e) = raw.evidence.first() {
                    cx.push(
                        file,
                        e.span().start,
                        Code::EvidenceOnManual,
                        "a manual control lists no evidence kinds",
                    );
                }
            }
            Automation::Automated | Automation::Partial => {
                if raw.remediation.is_none() {
                    cx.push(
                        file,
                        auto_at,
                        Code::MissingRemediation,
                        format!(
                            "an {} control should say how to fix what its rules find (`remediation = {{ zh = \"…\", en = \"…\" }}`): the rectification plan quotes it",
                            automation.as_str()
                        ),
                    );
                }
                if raw.evidence.is_empty() {
                    cx.push(
                        file,
                        auto_at,
                        Code::MissingEvidence,
                        format!(
                            "an {} control must list its evidence kinds",
                            automation.as_str()
                        ),
                    );
                }
                if rules.is_empty() {
                    cx.push(
                        file,
                        auto_at,
                        Code::NoRules,
                        format!(
                            "an {} control needs at least one [[rule]]",
                            automation.as_str()
                        ),
                    );
                }
                for e in &raw.evidence {
                    if !rules.iter().any(|r| &r.kind == e.get_ref()) {
                        cx.push(
                            file,
                            e.span().start,
                            Code::UnusedEvidence,
                            format!("evidence kind `{}` is read by no rule", e.get_ref()),
                        );
                    }
                }
                if automation == Automation::Automated {
                    for item in &raw.items {
                        if !rules.iter().any(|r| &r.item == item.id.get_ref()) {
                            cx.push(file, item.id.span().start, Code::ItemWithoutRule, format!("item `{}` of an automated control has no rule; make the control `partial`", item.id.get_ref()));
                        }
                    }
                } else if !raw
                    .items
                    .iter()
                    .any(|i| !rules.iter().any(|r| &r.item == i.id.get_ref()))
                {
                    cx.push(
                        file,
                        auto_at,
                        Code::ItemWithoutRule,
                        "every item of this partial control has a rule; make it `automated`",
                    );
                }
            }
        }
    }

    if cx.errors() != before {
        return None;
    }
    Some(Control {
        id: raw.id.get_ref().clone(),
        family: raw.family.get_ref().clone(),
        clause: clause.clone(),
        clause_basis: raw.clause_basis.get_ref().clone(),
        title,
        objective,
        methods,
        automation: automation?,
        evidence,
        weight: weight as u32,
        key: raw.key,
        remediation,
        crosswalk,
        items,
        rules,
        location: cx.loc(file, raw.id.span().start),
    })
}

fn lint_crosswalk(cx: &mut Ctx<'_>, file: &SourceFile, cw: &RawCrosswalk) -> Crosswalk {
    let mut mlps_22239: Vec<MlpsRef> = Vec::new();
    for r in &cw.mlps_22239 {
        let point = r.get_ref().point.get_ref();
        let Some((_, allowed)) = MLPS_POINTS.iter().find(|(p, _)| p == point) else {
            cx.push(
                file,
                r.get_ref().point.span().start,
                Code::UnknownMlpsPoint,
                format!(
                    "unknown GB/T 22239-2019 control point `{point}`; expected `general.<area>.<point>` or `cloud.<area>.<point>` from the list in controls/README.md"
                ),
            );
            continue;
        };
        let mut levels: Vec<u8> = Vec::new();
        let mut ok = !r.get_ref().levels.get_ref().is_empty();
        if !ok {
            cx.push(
                file,
                r.get_ref().levels.span().start,
                Code::MlpsLevel,
                format!("`{point}` names no protection level; give the levels (of 2, 3, 4) it applies at"),
            );
        }
        for l in r.get_ref().levels.get_ref() {
            let v = *l.get_ref();
            let level = u8::try_from(v).ok().filter(|x| allowed.contains(x));
            match level {
                Some(x) if !levels.contains(&x) => levels.push(x),
                Some(x) => {
                    ok = false;
                    cx.push(
                        file,
                        l.span().start,
                        Code::MlpsLevel,
                        format!("level {x} listed twice"),
                    );
                }
                None => {
                    ok = false;
                    cx.push(
                        file,
                        l.span().start,
                        Code::MlpsLevel,
                        format!("`{point}` has no requirements at protection level {v}; it applies at {allowed:?}"),
                    );
                }
            }
        }
        if ok {
            levels.sort_unstable();
            let m = MlpsRef {
                point: point.clone(),
                levels,
            };
            if mlps_22239.iter().any(|x| x.point == m.point) {
                cx.push(
                    file,
                    r.get_ref().point.span().start,
                    Code::CrosswalkShape,
                    format!("`{point}` is cited twice"),
                );
            } else {
                mlps_22239.push(m);
            }
        }
    }
    mlps_22239.sort();
    let mut check = |list: &[Spanned<String>], ok: fn(&str) -> bool, what: &str, example: &str| {
        let mut out: Vec<String> = Vec::new();
        for v in list {
            if !ok(v.get_ref()) {
                cx.push(
                    file,
                    v.span().start,
                    Code::CrosswalkShape,
                    format!(
                        "{what} reference `{}` has the wrong shape; expected e.g. `{example}`",
                        v.get_ref()
                    ),
                );
            } else if !out.contains(v.get_ref()) {
                out.push(v.get_ref().clone());
            }
        }
        out.sort();
        out
    };
    let nist_800_53r4 = check(
        &cw.nist_800_53r4,
        is_nist_id,
        "nist-800-53r4",
        "AC-7 or IA-2(1)",
    );
    let measures_2019 = check(
        &cw.measures_2019,
        is_measures_ref,
        "measures-2019",
        "art3(2)",
    );
    Crosswalk {
        nist_800_53r4,
        mlps_22239,
        measures_2019,
        related: cw.related.clone(),
        notes: cw.notes.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(is_nist_id("AC-7"));
        assert!(is_nist_id("IA-2(1)"));
        assert!(!is_nist_id("ac-7"));
        assert!(!is_nist_id("AC-07"));
        assert!(!is_nist_id("AC7"));
        assert!(is_measures_ref("art3(2)"));
        assert!(!is_measures_ref("3(2)"));
        assert!(is_clause("8.10"));
        assert!(!is_clause("8.x"));
        assert!(!is_clause("8"));
    }
}
