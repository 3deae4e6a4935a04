//! JUnit XML: one test suite per family, one test case per control applying at the report's
//! target tier. not-satisfied and partially-satisfied give `<failure>`, not-evaluated gives
//! `<error type="not-evaluated">` (so CI test tabs show it), not-applicable gives `<skipped>`.

use std::fmt::Write as _;

use cloudcap_engine::{ControlReport, Report, ResultState};

use crate::Lang;
use crate::text::{l, result, text, tier};

/// Escape text and attribute values; characters XML 1.0 cannot hold become U+FFFD.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// JUnit's XSD wants a timestamp without a zone designator.
fn timestamp(at: &str) -> String {
    at.trim_end_matches('Z').chars().take(19).collect()
}

/// Per item: its result and reason, then the records behind it (failing, not reported, not
/// evaluable) with their evidence hashes, and the scopes whose evidence is incomplete.
fn details(report: &Report, c: &ControlReport, lang: Lang) -> String {
    let colon = l(lang, ": ", "：");
    let mut s = String::new();
    // The customer's items are not the provider's result; they are in the customer-part suite.
    for i in c
        .items
        .iter()
        .filter(|i| i.responsibility.scores_provider())
    {
        let _ = writeln!(
            s,
            "{} [{}] {}{colon}{}",
            i.id,
            tier(report, i.tier, lang),
            result(i.result, lang),
            crate::text::item_reason(i, lang)
        );
        for r in &i.rules {
            for f in &r.failed {
                let accepted = match (&f.accepted_by, lang) {
                    (None, _) => String::new(),
                    (Some(w), Lang::En) => format!(" (risk accepted by waiver {w})"),
                    (Some(w), Lang::Zh) => format!("（已由豁免 {w} 接受风险）"),
                };
                let _ = writeln!(
                    s,
                    "  {} {} {}/{}/{} {}{accepted} sha256:{}",
                    r.id,
                    f.resource_id,
                    f.provider,
                    f.account,
                    f.region,
                    l(lang, "fails", "不符合"),
                    f.evidence
                );
            }
            for n in &r.not_reported {
                let _ = writeln!(
                    s,
                    "  {} {} {}/{}/{} {}{colon}`{}` sha256:{}",
                    r.id,
                    n.resource_id,
                    n.provider,
                    n.account,
                    n.region,
                    l(lang, "field not reported", "未报告字段"),
                    n.field,
                    n.evidence
                );
            }
            for e in &r.errors {
                let _ = writeln!(
                    s,
                    "  {} {} {}{colon}{} sha256:{}",
                    r.id,
                    e.resource_id,
                    l(lang, "could not be evaluated", "无法评估"),
                    e.message,
                    e.evidence
                );
            }
            for p in &r.incomplete {
                let _ = writeln!(
                    s,
                    "  {} {}/{}/{} {}{colon}{}",
                    r.id,
                    p.provider,
                    p.account,
                    p.region,
                    l(lang, "incomplete evidence", "证据不完整"),
                    crate::text::scope_cause(&p.cause, lang)
                );
            }
        }
    }
    s
}

pub(crate) fn render(report: &Report, lang: Lang) -> String {
    let t = report.target_tier;
    let cases: Vec<(&ControlReport, ResultState, String)> = report
        .controls
        .iter()
        .filter_map(|c| {
            c.results
                .get(&t)
                .map(|r| (c, r.result, crate::text::control_reason(r, lang)))
        })
        .collect();
    let n = |pred: &dyn Fn(ResultState) -> bool, fam: Option<&str>| {
        cases
            .iter()
            .filter(|(c, r, _)| pred(*r) && fam.is_none_or(|f| c.family == f))
            .count()
    };
    let failure = |r: ResultState| {
        matches!(
            r,
            ResultState::NotSatisfied | ResultState::PartiallySatisfied
        )
    };
    let error = |r: ResultState| r == ResultState::NotEvaluated;
    let skipped = |r: ResultState| r == ResultState::NotApplicable;
    let any = |_: ResultState| true;

    let ts = timestamp(&report.assessed_at);
    let b = crate::boundary::counts(&report.boundary);
    let mut boundary: Vec<(&str, String)> = vec![
        ("boundary.accounts", b.accounts.to_string()),
        (
            "boundary.accounts_not_in_scope_statement",
            b.accounts_not_in_scope_statement.to_string(),
        ),
        ("boundary.regions_listed", b.regions_listed.to_string()),
        (
            "boundary.regions_collected",
            b.regions_collected.to_string(),
        ),
        ("boundary.failed_scopes", b.failed_scopes.to_string()),
        (
            "boundary.kinds_not_collected",
            b.kinds_not_collected.to_string(),
        ),
        ("boundary.scope_statement", b.scope_statement.to_string()),
    ];
    if let Some(s) = &report.boundary.scope {
        boundary.push(("boundary.scope_statement_sha256", s.sha256.clone()));
    }
    // The customer's part is one more suite whose cases are all skipped: visible, with their
    // results in the message, but never a failure of the provider's run.
    let customer = report.customer_part.items.len();
    let roots = report.merkle_roots();
    let properties = |out: &mut String| {
        out.push_str("    <properties>\n");
        for (k, v) in [
            ("catalog.digest", report.catalog.digest.as_str()),
            ("bundle.merkle_root", roots.as_str()),
            ("target_tier", t.as_str()),
            ("scoring_method", report.scoring_method.as_str()),
        ]
        .into_iter()
        .chain(boundary.iter().map(|(k, v)| (*k, v.as_str())))
        {
            let _ = writeln!(
                out,
                "      <property name=\"{}\" value=\"{}\"/>",
                esc(k),
                esc(v)
            );
        }
        out.push_str("    </properties>\n");
    };
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"cloudcap {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\">",
        esc(&tier(report, t, lang)),
        n(&any, None) + customer,
        n(&failure, None),
        n(&error, None),
        n(&skipped, None) + customer
    );
    let mut id = 0;
    for f in &report.families {
        let fam = Some(f.family.as_str());
        let total = n(&any, fam);
        if total == 0 {
            continue;
        }
        let _ = writeln!(
            out,
            "  <testsuite name=\"{} {}\" package=\"cloudcap\" id=\"{id}\" timestamp=\"{}\" hostname=\"cloudcap\" tests=\"{total}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\">",
            esc(&f.family),
            esc(text(&f.name, lang)),
            esc(&ts),
            n(&failure, fam),
            n(&error, fam),
            n(&skipped, fam)
        );
        id += 1;
        properties(&mut out);
        for (c, r, reason) in cases.iter().filter(|(c, _, _)| c.family == f.family) {
            let _ = write!(
                out,
                "    <testcase name=\"{} {}\" classname=\"cloudcap.{}\" time=\"0\"",
                esc(&c.id),
                esc(text(&c.title, lang)),
                esc(&c.family)
            );
            let message = format!("{}{}{}", result(*r, lang), l(lang, ": ", "："), reason);
            match r {
                ResultState::Satisfied => out.push_str("/>\n"),
                ResultState::NotApplicable => {
                    let _ = write!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                        esc(&message)
                    );
                }
                ResultState::NotEvaluated => {
                    let _ = write!(
                        out,
                        ">\n      <error type=\"not-evaluated\" message=\"{}\">{}</error>\n    </testcase>\n",
                        esc(&message),
                        esc(&details(report, c, lang))
                    );
                }
                ResultState::NotSatisfied | ResultState::PartiallySatisfied => {
                    let _ = write!(
                        out,
                        ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
                        r.as_str(),
                        esc(&message),
                        esc(&details(report, c, lang))
                    );
                }
            }
        }
        out.push_str("    <system-out/>\n    <system-err/>\n  </testsuite>\n");
    }
    if customer > 0 {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" package=\"cloudcap\" id=\"{id}\" timestamp=\"{}\" hostname=\"cloudcap\" tests=\"{customer}\" failures=\"0\" errors=\"0\" skipped=\"{customer}\" time=\"0\">",
            esc(crate::text::customer_part_title(lang)),
            esc(&ts),
        );
        properties(&mut out);
        let (_, rows) = crate::text::customer_part_table(report, lang);
        for (i, row) in report.customer_part.items.iter().zip(rows) {
            let message = format!(
                "{}{}{}{}{}",
                crate::text::customer_part_title(lang),
                l(lang, ": ", "："),
                result(i.result, lang),
                l(lang, ": ", "："),
                row[5]
            );
            let _ = write!(
                out,
                "    <testcase name=\"{} {} {}\" classname=\"cloudcap.customer-part\" time=\"0\">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                esc(&i.control),
                esc(&i.item),
                esc(&row[1]),
                esc(&message)
            );
        }
        out.push_str("    <system-out/>\n    <system-err/>\n  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
