//! The rectification plan file (`cloudcap report … --plan plan.toml`): who fixes which item of
//! the plan, by when, and how far the work is. Parsed strictly, then checked against the report;
//! every problem is returned at once, each with `path:line:col` and a stable code.
//!
//! ```toml
//! [[item]]
//! control = "ac-8.1"
//! item = "a"
//! owner = "IAM team"
//! due = "2027-01-31"
//! status = "in-progress"   # open | in-progress | done
//! note = "MFA roll-out, ticket SEC-142"
//! ```
//!
//! An entry may name an item that is no longer in the plan (since satisfied): it is kept and
//! shown nowhere, so one plan file serves successive assessments.

use std::collections::BTreeMap;
use std::fmt;

use cloudcap_engine::Report;
use serde::Deserialize;
use toml::Spanned;

/// How far the rectification of a plan item has come.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum PlanStatus {
    /// Not started.
    Open,
    /// Work under way.
    InProgress,
    /// The owner says it is fixed; the next assessment confirms it (`cloudcap diff`).
    Done,
}

impl PlanStatus {
    pub const ALL: &'static [PlanStatus] =
        &[PlanStatus::Open, PlanStatus::InProgress, PlanStatus::Done];

    /// The word in the plan file.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<PlanStatus> {
        PlanStatus::ALL.iter().copied().find(|p| p.as_str() == s)
    }
}

/// What the plan file says of one item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlanEntry {
    pub owner: Option<String>,
    /// `YYYY-MM-DD`, a real calendar date.
    pub due: Option<String>,
    /// `None`: the file does not say (shown as open).
    pub status: Option<PlanStatus>,
    pub note: Option<String>,
}

/// A checked plan file: entries by (control id, item id).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    entries: BTreeMap<(String, String), PlanEntry>,
}

impl Plan {
    /// The entry for an item, if the file has one.
    pub fn entry(&self, control: &str, item: &str) -> Option<&PlanEntry> {
        self.entries.get(&(control.to_owned(), item.to_owned()))
    }

    /// Whether the file has no entries (or there is no file).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The stable code of a plan-file problem.
#[derive(Copy, Clone, Debug, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum PlanCode {
    /// Not TOML, or a key of the wrong type.
    PlanSyntax,
    /// A key the plan file does not have.
    PlanUnknownKey,
    /// `control` or `item` is missing.
    PlanMissingKey,
    /// No control of that id in the report.
    PlanUnknownControl,
    /// The control has no item of that id.
    PlanUnknownItem,
    /// Two entries for the same item.
    PlanDuplicate,
    /// `due` is not a `YYYY-MM-DD` calendar date.
    PlanBadDate,
    /// `status` is not `open`, `in-progress` or `done`.
    PlanUnknownStatus,
    /// `owner` or `note` is empty.
    PlanEmpty,
}

impl PlanCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One problem in a plan file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanProblem {
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub code: PlanCode,
    pub message: String,
}

impl fmt::Display for PlanProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.path,
            self.line,
            self.col,
            self.code.as_str(),
            self.message
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    item: Vec<Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    control: Spanned<String>,
    item: Spanned<String>,
    owner: Option<Spanned<String>>,
    due: Option<Spanned<String>>,
    status: Option<Spanned<String>>,
    note: Option<Spanned<String>>,
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Whether `s` is a `YYYY-MM-DD` date of the calendar.
fn is_date(s: &str) -> bool {
    s.len() == 10
        && s.parse::<jiff::civil::Date>()
            .is_ok_and(|d| d.to_string() == s)
}

/// Parses the plan file `text` (shown as `path` in problems) and checks it against `report`:
/// every entry names a control of the report and one of its items, once, with a calendar date
/// and a known status.
pub fn parse_plan(path: &str, text: &str, report: &Report) -> Result<Plan, Vec<PlanProblem>> {
    let problem = |offset: usize, code: PlanCode, message: String| {
        let (line, col) = line_col(text, offset);
        PlanProblem {
            path: path.to_owned(),
            line,
            col,
            code,
            message,
        }
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let msg = e.message().trim().replace('\n', " ");
        let code = if msg.contains("unknown field") {
            PlanCode::PlanUnknownKey
        } else if msg.contains("missing field") {
            PlanCode::PlanMissingKey
        } else {
            PlanCode::PlanSyntax
        };
        vec![problem(e.span().map_or(0, |s| s.start), code, msg)]
    })?;
    let mut problems = Vec::new();
    let mut entries = BTreeMap::new();
    for entry in &raw.item {
        let e = entry.get_ref();
        let (control, item) = (e.control.get_ref(), e.item.get_ref());
        let Some(c) = report.controls.iter().find(|c| &c.id == control) else {
            problems.push(problem(
                e.control.span().start,
                PlanCode::PlanUnknownControl,
                format!("no control `{control}` in the report"),
            ));
            continue;
        };
        if !c.items.iter().any(|i| &i.id == item) {
            let known: Vec<&str> = c.items.iter().map(|i| i.id.as_str()).collect();
            problems.push(problem(
                e.item.span().start,
                PlanCode::PlanUnknownItem,
                format!(
                    "control `{control}` has no item `{item}` (its items: {})",
                    known.join(", ")
                ),
            ));
            continue;
        }
        let mut checked = PlanEntry::default();
        for (name, value, slot) in [
            ("owner", &e.owner, &mut checked.owner),
            ("note", &e.note, &mut checked.note),
        ] {
            if let Some(v) = value {
                if v.get_ref().trim().is_empty() {
                    problems.push(problem(
                        v.span().start,
                        PlanCode::PlanEmpty,
                        format!("`{name}` is empty; leave the key out instead"),
                    ));
                } else {
                    *slot = Some(v.get_ref().trim().to_owned());
                }
            }
        }
        if let Some(due) = &e.due {
            if is_date(due.get_ref()) {
                checked.due = Some(due.get_ref().clone());
            } else {
                problems.push(problem(
                    due.span().start,
                    PlanCode::PlanBadDate,
                    format!(
                        "due `{}` is not a calendar date written YYYY-MM-DD",
                        due.get_ref()
                    ),
                ));
            }
        }
        if let Some(status) = &e.status {
            match PlanStatus::parse(status.get_ref()) {
                Some(s) => checked.status = Some(s),
                None => problems.push(problem(
                    status.span().start,
                    PlanCode::PlanUnknownStatus,
                    format!(
                        "unknown status `{}`; expected open, in-progress or done",
                        status.get_ref()
                    ),
                )),
            }
        }
        if entries
            .insert((control.clone(), item.clone()), checked)
            .is_some()
        {
            problems.push(problem(
                entry.span().start,
                PlanCode::PlanDuplicate,
                format!("a second entry for item `{item}` of `{control}`"),
            ));
        }
    }
    if problems.is_empty() {
        Ok(Plan { entries })
    } else {
        Err(problems)
    }
}
