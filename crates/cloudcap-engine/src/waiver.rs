//! Waivers: approved exceptions with a scope, a mode and a validity window (UTC).
//!
//! `accept-risk` keeps the result (still not-satisfied, shown as accepted); `not-applicable`
//! takes the control (or the matching resources) out of the score, with its justification.

use serde::{Deserialize, Serialize};

/// One waiver from a waivers file (`[[waiver]]` tables).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Waiver {
    pub id: String,
    pub control: String,
    /// Glob over resource ids (`*` matches any run of characters); absent = the whole control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub mode: WaiverMode,
    pub justification: String,
    pub approver: String,
    pub ticket: String,
    pub risk: Risk,
    /// RFC 3339 UTC.
    pub effective: String,
    /// RFC 3339 UTC; the waiver stops applying at this instant.
    pub expires: String,
}

pub use cloudcap_model::{WaiverMode, WaiverStatus};

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    Low,
    Medium,
    High,
    Critical,
}

/// A waiver and what became of it in one assessment.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WaiverUse {
    #[serde(flatten)]
    pub waiver: Waiver,
    pub status: WaiverStatus,
    /// Resources (or 1 for a whole control) the waiver matched.
    pub matched: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    waiver: Vec<toml::Spanned<Waiver>>,
}

/// A problem in a waivers file, located at line:col.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{col}: {message}")]
pub struct WaiverError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Parses a waivers file strictly; every semantic problem is returned, each with its place.
pub fn parse_waivers(text: &str) -> Result<Vec<Waiver>, Vec<WaiverError>> {
    let file: File = toml::from_str(text).map_err(|e| {
        let (line, col) = line_col(text, e.span().map_or(0, |s| s.start));
        vec![WaiverError {
            line,
            col,
            message: e.message().trim().replace('\n', " "),
        }]
    })?;
    let mut errors = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for w in &file.waiver {
        let (line, col) = line_col(text, w.span().start);
        let mut err = |message: String| errors.push(WaiverError { line, col, message });
        let v = w.get_ref();
        if !ids.insert(v.id.clone()) {
            err(format!("waiver id `{}` is used twice", v.id));
        }
        for (name, value) in [
            ("justification", &v.justification),
            ("approver", &v.approver),
            ("ticket", &v.ticket),
        ] {
            if value.trim().is_empty() {
                err(format!("waiver `{}`: {name} must not be empty", v.id));
            }
        }
        let eff = parse_utc(&v.effective);
        let exp = parse_utc(&v.expires);
        if eff.is_none() {
            err(format!(
                "waiver `{}`: effective `{}` is not RFC 3339 UTC (…Z)",
                v.id, v.effective
            ));
        }
        if exp.is_none() {
            err(format!(
                "waiver `{}`: expires `{}` is not RFC 3339 UTC (…Z)",
                v.id, v.expires
            ));
        }
        if let (Some(a), Some(b)) = (eff, exp) {
            if b <= a {
                err(format!(
                    "waiver `{}`: expires must be after effective",
                    v.id
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(file
            .waiver
            .into_iter()
            .map(toml::Spanned::into_inner)
            .collect())
    } else {
        Err(errors)
    }
}

pub(crate) fn parse_utc(s: &str) -> Option<jiff::Timestamp> {
    if !s.ends_with('Z') {
        return None;
    }
    s.parse().ok()
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

impl Waiver {
    /// The state of the waiver at `at` before it is matched: `Unused` while it is in force (it
    /// becomes `Applied` when it matches), else `Expired` or `NotYetEffective`.
    pub(crate) fn state(&self, at: jiff::Timestamp) -> WaiverStatus {
        match (parse_utc(&self.effective), parse_utc(&self.expires)) {
            (Some(e), _) if at < e => WaiverStatus::NotYetEffective,
            (_, Some(x)) if at >= x => WaiverStatus::Expired,
            (Some(_), Some(_)) => WaiverStatus::Unused,
            _ => WaiverStatus::Expired,
        }
    }

    /// Whether a resource (provider, account, id) is in this waiver's scope.
    pub(crate) fn matches(&self, provider: &str, account: &str, resource_id: &str) -> bool {
        self.provider.as_deref().is_none_or(|p| p == provider)
            && self.account.as_deref().is_none_or(|a| a == account)
            && self
                .resource
                .as_deref()
                .is_none_or(|r| glob(r, resource_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches() {
        assert!(glob("arn:aws-cn:s3:::logs-*", "arn:aws-cn:s3:::logs-2026"));
        assert!(glob("*", "x"));
        assert!(glob("a*b*c", "a-b-c"));
        assert!(!glob("a*b*c", "a-c-b"));
        assert!(!glob("logs-*", "data-logs-1"));
        assert!(glob("exact", "exact"));
        assert!(!glob("exact", "exact2"));
    }

    #[test]
    fn expiry_is_exclusive_at_the_boundary_in_utc() {
        let w = Waiver {
            id: "w".into(),
            control: "ac-8.1".into(),
            resource: None,
            provider: None,
            account: None,
            mode: WaiverMode::AcceptRisk,
            justification: "j".into(),
            approver: "a".into(),
            ticket: "t".into(),
            risk: Risk::Low,
            effective: "2026-01-01T00:00:00Z".into(),
            expires: "2026-11-25T00:00:00Z".into(),
        };
        let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        assert_eq!(
            w.state(t("2025-12-31T23:59:59Z")),
            WaiverStatus::NotYetEffective
        );
        assert_eq!(w.state(t("2026-01-01T00:00:00Z")), WaiverStatus::Unused);
        assert_eq!(w.state(t("2026-11-24T23:59:59Z")), WaiverStatus::Unused);
        assert_eq!(w.state(t("2026-11-25T00:00:00Z")), WaiverStatus::Expired);
    }

    #[test]
    fn parse_errors_name_the_place() {
        let text = "[[waiver]]\nid = \"w1\"\ncontrol = \"ac-8.1\"\nmode = \"forgive\"\n";
        let errs = parse_waivers(text).unwrap_err();
        assert_eq!(errs[0].line, 4, "{errs:?}");
        let text = "[[waiver]]\nid = \"w1\"\ncontrol = \"ac-8.1\"\nmode = \"accept-risk\"\njustification = \"\"\napprover = \"CISO\"\nticket = \"SEC-1\"\nrisk = \"low\"\neffective = \"2026-01-01T00:00:00Z\"\nexpires = \"2025-01-01T00:00:00Z\"\n";
        let errs = parse_waivers(text).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!((errs[0].line, errs[0].col), (1, 1));
    }
}
