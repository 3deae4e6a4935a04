//! CEL rules: compilation, the catalog lint that needs evidence kinds, and evaluation.

use std::collections::BTreeSet;
use std::sync::Arc;

use cel::common::ast::{EntryExpr, Expr, IdedExpr};
use cel::{Context, Env, Program, Value};
use cloudcap_catalog::{Catalog, Code, Diagnostic, Location, Rule, Source, did_you_mean};

/// The fields of one evidence kind, for the lint (from the evidence crate's registry).
#[derive(Clone, Debug)]
pub struct KindFields {
    pub kind: String,
    pub fields: Vec<String>,
}

/// Envelope fields present on every record.
pub(crate) const ENVELOPE: &[&str] = &[
    "schema_version",
    "kind",
    "provider",
    "account",
    "region",
    "resource_id",
    "sources",
];

/// Variables a rule may name.
const VARIABLES: &[&str] = &["r", "now"];

/// A compiled rule: CEL programs for `where` and `check`.
pub(crate) struct Compiled {
    pub(crate) filter: Option<Program>,
    pub(crate) check: Program,
}

pub(crate) fn env() -> Arc<Env> {
    Arc::new(Env::stdlib())
}

pub(crate) fn compile(env: &Env, rule: &Rule) -> Result<Compiled, String> {
    let check = env
        .compile(&rule.check)
        .map_err(|e| format!("check: {e}"))?;
    let filter = match &rule.filter {
        Some(f) => Some(env.compile(f).map_err(|e| format!("where: {e}"))?),
        None => None,
    };
    Ok(Compiled { filter, check })
}

impl KindFields {
    /// Every normalized evidence kind of `cloudcap-evidence`, with its fields (envelope included).
    pub fn registry() -> Vec<KindFields> {
        cloudcap_evidence::kinds()
            .iter()
            .map(|k| KindFields {
                kind: k.name.to_owned(),
                fields: k.fields.iter().map(|f| f.name.to_owned()).collect(),
            })
            .collect()
    }
}

/// The one catalog check: [`cloudcap_catalog::load`], then, on a catalog that loads, the rule
/// lint ([`lint_rules`]) against the evidence kinds of `cloudcap-evidence`. `cloudcap catalog
/// lint`, every command that loads a catalog and `cargo xtask lint-controls` call this.
/// Returns the catalog when no error was found (warnings allowed), and every diagnostic, sorted.
pub fn lint_catalog(source: &Source) -> (Option<Catalog>, Vec<Diagnostic>) {
    let (catalog, mut diags) = cloudcap_catalog::load(source);
    if let Some(catalog) = &catalog {
        diags.extend(lint_rules(catalog, &KindFields::registry()));
    }
    diags.sort();
    diags.dedup();
    let clean = !diags.iter().any(Diagnostic::is_error);
    (catalog.filter(|_| clean), diags)
}

/// `; did you mean `x`?`, or nothing.
fn hint(unknown: &str, candidates: &[&str]) -> String {
    did_you_mean(unknown, candidates)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

/// Lints every rule: CEL parses, the kind exists, only known variables and fields are named.
pub fn lint_rules(catalog: &Catalog, kinds: &[KindFields]) -> Vec<Diagnostic> {
    let env = env();
    let mut out = Vec::new();
    let diag = |loc: &Location, code: Code, message: String| Diagnostic {
        path: loc.path.clone(),
        line: loc.line,
        col: loc.col,
        code,
        message,
    };
    let kind_names: Vec<&str> = kinds.iter().map(|k| k.kind.as_str()).collect();
    for control in &catalog.controls {
        for kind in &control.evidence {
            if !kinds.iter().any(|k| &k.kind == kind) {
                out.push(diag(
                    &control.location,
                    Code::UnknownEvidenceKind,
                    format!(
                        "control `{}` lists unknown evidence kind `{kind}`{}",
                        control.id,
                        hint(kind, &kind_names)
                    ),
                ));
            }
        }
        for rule in &control.rules {
            let Some(kind) = kinds.iter().find(|k| k.kind == rule.kind) else {
                out.push(diag(
                    &rule.kind_location,
                    Code::UnknownEvidenceKind,
                    format!(
                        "rule `{}` reads unknown evidence kind `{}`{}",
                        rule.id,
                        rule.kind,
                        hint(&rule.kind, &kind_names)
                    ),
                ));
                continue;
            };
            let exprs = [
                (Some(&rule.check), Some(&rule.check_location), "check"),
                (rule.filter.as_ref(), rule.filter_location.as_ref(), "where"),
            ];
            for (src, loc, what) in exprs {
                let (Some(src), Some(loc)) = (src, loc) else {
                    continue;
                };
                match env.compile(src) {
                    Err(e) => out.push(diag(
                        loc,
                        Code::RuleParse,
                        format!(
                            "rule `{}` {what} does not parse: {}",
                            rule.id,
                            e.to_string().replace('\n', "; ")
                        ),
                    )),
                    Ok(program) => {
                        let mut names = Names::default();
                        names.walk(program.expression(), &mut Vec::new());
                        for v in names.unknown_vars {
                            out.push(diag(loc, Code::RuleUnknownField, format!("rule `{}` {what} names unknown variable `{v}`; use `r` (the record) or `now`{}", rule.id, hint(&v, VARIABLES))));
                        }
                        let fields: BTreeSet<&str> = kind
                            .fields
                            .iter()
                            .map(String::as_str)
                            .chain(ENVELOPE.iter().copied())
                            .collect();
                        let fields: Vec<&str> = fields.into_iter().collect();
                        for f in names.fields {
                            if !fields.contains(&f.as_str()) {
                                let hint = did_you_mean(&f, &fields)
                                    .map(|s| format!("; did you mean `r.{s}`?"))
                                    .unwrap_or_default();
                                out.push(diag(loc, Code::RuleUnknownField, format!("rule `{}` {what} reads `r.{f}`, which kind `{}` does not have{hint}", rule.id, rule.kind)));
                            }
                        }
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Collects the fields selected on `r` and identifiers that are not bound variables.
#[derive(Default)]
struct Names {
    fields: BTreeSet<String>,
    unknown_vars: BTreeSet<String>,
    /// `r` is used other than as `r.field` (e.g. `r["x"]`): every field may be read.
    whole_record: bool,
}

impl Names {
    fn walk(&mut self, e: &IdedExpr, bound: &mut Vec<String>) {
        match &e.expr {
            Expr::Unspecified | Expr::Literal(_) => {}
            Expr::Ident(name) => {
                if name == "r" && !bound.contains(name) {
                    self.whole_record = true;
                }
                if !VARIABLES.contains(&name.as_str()) && !bound.contains(name) {
                    self.unknown_vars.insert(name.clone());
                }
            }
            Expr::Select(sel) => {
                if let Expr::Ident(name) = &sel.operand.expr {
                    if name == "r" && !bound.contains(name) {
                        self.fields.insert(sel.field.clone());
                        return;
                    }
                }
                self.walk(&sel.operand, bound);
            }
            Expr::Call(call) => {
                if let Some(t) = &call.target {
                    self.walk(t, bound);
                }
                for a in &call.args {
                    self.walk(a, bound);
                }
            }
            Expr::List(list) => {
                for el in &list.elements {
                    self.walk(el, bound);
                }
            }
            Expr::Map(map) => {
                for entry in &map.entries {
                    if let EntryExpr::MapEntry(me) = &entry.expr {
                        self.walk(&me.key, bound);
                        self.walk(&me.value, bound);
                    }
                }
            }
            Expr::Struct(s) => {
                for entry in &s.entries {
                    if let EntryExpr::StructField(f) = &entry.expr {
                        self.walk(&f.value, bound);
                    }
                }
            }
            Expr::Comprehension(c) => {
                self.walk(&c.iter_range, bound);
                self.walk(&c.accu_init, bound);
                let n = bound.len();
                bound.push(c.iter_var.clone());
                if let Some(v2) = &c.iter_var2 {
                    bound.push(v2.clone());
                }
                bound.push(c.accu_var.clone());
                self.walk(&c.loop_cond, bound);
                self.walk(&c.loop_step, bound);
                self.walk(&c.result, bound);
                bound.truncate(n);
            }
        }
    }
}

/// The record fields a compiled rule reads, or `None` when it may read any field.
pub(crate) fn fields_read(compiled: &Compiled) -> Option<BTreeSet<String>> {
    let mut names = Names::default();
    names.walk(compiled.check.expression(), &mut Vec::new());
    if let Some(f) = &compiled.filter {
        names.walk(f.expression(), &mut Vec::new());
    }
    (!names.whole_record).then_some(names.fields)
}

/// Converts only the named fields of a record object (what the rules of its kind read).
pub(crate) fn to_cel_projected(
    value: &serde_json::Value,
    keys: &[(String, cel::objects::Key)],
) -> Result<Value, String> {
    let Some(map) = value.as_object() else {
        return to_cel(value);
    };
    let mut out = std::collections::HashMap::with_capacity(keys.len());
    for (name, key) in keys {
        if let Some(v) = map.get(name) {
            out.insert(key.clone(), to_cel(v)?);
        }
    }
    Ok(Value::Map(cel::objects::Map { map: Arc::new(out) }))
}

/// The outcome of one rule on one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    OutOfScope,
    Pass,
    Fail,
    /// A field the rule reads (named) is absent from the record: the provider did not report
    /// it. Never a pass, never a fail.
    NotReported(String),
    Error(String),
}

/// Maps a CEL execution error: a missing record field is "not reported", anything else an error.
fn execution_error(what: &str, e: cel::ExecutionError) -> Outcome {
    match e {
        cel::ExecutionError::NoSuchKey(field) => Outcome::NotReported(field.to_string()),
        e => Outcome::Error(format!("{what}: {e}")),
    }
}

/// Evaluates a compiled rule with `r` already bound in `ctx`.
pub(crate) fn eval(compiled: &Compiled, ctx: &Context<'_, '_>) -> Outcome {
    if let Some(filter) = &compiled.filter {
        match filter.execute(ctx) {
            Ok(Value::Bool(true)) => {}
            Ok(Value::Bool(false)) => return Outcome::OutOfScope,
            Ok(other) => return Outcome::Error(format!("where gave {other:?}, not a bool")),
            Err(e) => return execution_error("where", e),
        }
    }
    match compiled.check.execute(ctx) {
        Ok(Value::Bool(true)) => Outcome::Pass,
        Ok(Value::Bool(false)) => Outcome::Fail,
        Ok(other) => Outcome::Error(format!("check gave {other:?}, not a bool")),
        Err(e) => execution_error("check", e),
    }
}

/// Converts a JSON record to a CEL value directly (integers become `int` when they fit).
pub(crate) fn to_cel(value: &serde_json::Value) -> Result<Value, String> {
    use serde_json::Value as J;
    Ok(match value {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Value::Int(i),
            (None, Some(u), _) => Value::UInt(u),
            (_, _, Some(f)) => Value::Float(f),
            _ => return Err(format!("number {n} is not representable")),
        },
        J::String(s) => Value::String(Arc::new(s.clone())),
        J::Array(items) => Value::List(Arc::new(
            items.iter().map(to_cel).collect::<Result<Vec<_>, _>>()?,
        )),
        J::Object(map) => {
            let mut out = std::collections::HashMap::with_capacity(map.len());
            for (k, v) in map {
                out.insert(cel::objects::Key::String(Arc::new(k.clone())), to_cel(v)?);
            }
            Value::Map(cel::objects::Map { map: Arc::new(out) })
        }
    })
}
