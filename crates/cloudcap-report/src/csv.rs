//! The findings as CSV (RFC 4180, UTF-8 with a byte-order mark so that spreadsheet programs
//! read Chinese text right): one row per item of every control, in the report's order, with
//! the words in the chosen language and the evidence hashes behind each result.

use cloudcap_engine::Report;

use crate::Lang;
use crate::text::{decided_by, item_reason, l, responsibility, result, text, tier};

/// One field, quoted when it holds a comma, a quote or a line break (quotes doubled). A field
/// that a spreadsheet would take for a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return: a resource name is the account holder's text) gets a leading `'`.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn row(out: &mut String, cells: &[String]) {
    let line: Vec<String> = cells.iter().map(|c| field(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// The findings table: its column labels and one row per item of every control.
pub(crate) fn findings(report: &Report, lang: Lang) -> (Vec<String>, Vec<Vec<String>>) {
    let head = [
        l(lang, "control", "控制项"),
        l(lang, "title", "名称"),
        l(lang, "item", "测评项"),
        l(lang, "tier", "级别"),
        l(lang, "responsibility", "实施方"),
        l(lang, "result", "结果"),
        l(lang, "decided_by", "判定依据"),
        l(lang, "reason", "理由"),
        l(lang, "failing_resources", "不符合的资源"),
        l(lang, "evidence_sha256", "证据 SHA-256"),
    ];
    let mut rows = Vec::new();
    for c in &report.controls {
        for i in &c.items {
            // Failing resources as provider/account/region/id; the evidence: each failing
            // resource's record, the evidence set and the collection statuses of every rule,
            // an attestation that decided.
            let failed: Vec<String> = i
                .rules
                .iter()
                .flat_map(|r| {
                    r.failed.iter().map(|f| {
                        format!(
                            "{}/{}/{}/{}",
                            f.provider, f.account, f.region, f.resource_id
                        )
                    })
                })
                .collect();
            let mut evidence: Vec<String> = i
                .rules
                .iter()
                .flat_map(|r| {
                    r.failed
                        .iter()
                        .map(|f| f.evidence.clone())
                        .chain(std::iter::once(r.evidence_set_sha256.clone()))
                        .chain(r.status_evidence.iter().cloned())
                })
                .chain(i.attestation.iter().cloned())
                .collect();
            evidence.sort();
            evidence.dedup();
            rows.push(vec![
                c.id.clone(),
                text(&c.title, lang).to_string(),
                i.id.clone(),
                tier(report, i.tier, lang),
                responsibility(i.responsibility, lang).to_owned(),
                result(i.result, lang).to_owned(),
                decided_by(i.decided_by, lang).to_owned(),
                item_reason(i, lang),
                failed.join("; "),
                evidence.join("; "),
            ]);
        }
    }
    (head.map(str::to_owned).to_vec(), rows)
}

pub(crate) fn render(report: &Report, lang: Lang) -> String {
    let mut out = String::from("\u{feff}");
    let (head, rows) = findings(report, lang);
    row(&mut out, &head);
    for r in &rows {
        row(&mut out, r);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(super::field("plain"), "plain");
        assert_eq!(super::field("a,b"), "\"a,b\"");
        assert_eq!(super::field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(
            super::field("=HYPERLINK(\"x\")"),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(super::field("@sum"), "'@sum");
        assert_eq!(super::field("-"), "'-");
    }
}
