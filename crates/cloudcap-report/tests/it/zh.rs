//! The Chinese reports hold no English from the engine: every reason code, scope cause, error
//! class, status and label is rendered in Chinese. Only data stays as recorded (ids, hashes,
//! names, kinds, fields, people's and providers' own words).

use std::collections::BTreeSet;

use cloudcap_catalog::{Automation, EmptyResult, Method, Require, Responsibility, Text, Tier};
use cloudcap_engine::{
    AccountBoundary, AccountRole, AttestationResult, AttestationStatus, AttestationUse, Blocker,
    ControlReport, ControlResult, DecidedBy, FailedScope, FieldGap, ItemReport, KindCoverage,
    NotReportedRef, Reason, RegionCoverage, Report, ResourceError, ResourceRef, ResultState,
    RuleReport, ScopeAccount, ScopeCause, ScopeProblem, TierBasis, WaiverMode, WaiverStatus,
    WaiverUse,
};
use cloudcap_report::{Format, Lang, render};
use serde_json::Value;

use super::report;

/// Which variant a reason is; exhaustive, so a new variant must be added here (and below).
fn reason_index(r: &Reason) -> usize {
    match r {
        Reason::NoEvidence { .. } => 0,
        Reason::CollectionError { .. } => 1,
        Reason::FieldNotReported { .. } => 2,
        Reason::RuleError { .. } => 3,
        Reason::ResourcesFail { .. } => 4,
        Reason::AllPass { .. } => 5,
        Reason::OnePasses { .. } => 6,
        Reason::NothingInScope { .. } => 7,
        Reason::Attested { .. } => 8,
        Reason::NotApplicableJustified { .. } => 9,
        Reason::NoAssessorRecord { .. } => 10,
        Reason::Waived { .. } => 11,
        Reason::AllItemsSatisfied { .. } => 12,
    }
}
const REASONS: usize = 13;

fn cause_index(c: &ScopeCause) -> usize {
    match c {
        ScopeCause::CollectionFailed { .. } => 0,
        ScopeCause::DuplicateStatuses { .. } => 1,
        ScopeCause::RecordCountMismatch { .. } => 2,
        ScopeCause::RecordsWithoutStatus { .. } => 3,
    }
}
const CAUSES: usize = 4;

fn blocker_index(b: &Blocker) -> usize {
    match b {
        Blocker::LowerTier { .. } => 0,
        Blocker::ScoreBelowThreshold { .. } => 1,
        Blocker::CoverageBelowFloor { .. } => 2,
        Blocker::KeyControl { .. } => 3,
    }
}
const BLOCKERS: usize = 4;

const ERROR_CLASSES: [&str; 10] = [
    "access-denied",
    "throttled",
    "server-error",
    "timeout",
    "malformed",
    "unsupported",
    "not-collected",
    "not-implemented",
    "truncated",
    "error",
];

fn t(zh: &str, en: &str) -> Text {
    Text {
        zh: zh.into(),
        en: en.into(),
    }
}

fn scope(region: &str, cause: ScopeCause) -> ScopeProblem {
    ScopeProblem {
        provider: "aws".into(),
        account: "123456789012".into(),
        region: region.into(),
        cause,
    }
}

/// Every scope cause, and a collection failure of every error class, each with an English
/// message from the "provider".
fn causes() -> Vec<ScopeProblem> {
    let mut v: Vec<ScopeProblem> = ERROR_CLASSES
        .iter()
        .map(|c| {
            scope(
                &format!("region-{c}"),
                ScopeCause::CollectionFailed {
                    error_class: (*c).into(),
                    message: format!("The provider said: request failed ({c})"),
                },
            )
        })
        .collect();
    v.push(scope(
        "cn-north-1",
        ScopeCause::DuplicateStatuses { count: 2 },
    ));
    v.push(scope(
        "cn-north-1",
        ScopeCause::RecordCountMismatch {
            written: 3,
            found: 2,
        },
    ));
    v.push(scope(
        "cn-north-1",
        ScopeCause::RecordsWithoutStatus { count: 4 },
    ));
    v
}

/// One reason of every variant (and of every parameter that changes the sentence).
fn reasons() -> Vec<Reason> {
    let kind = || "identity.user".to_string();
    let mut v = vec![Reason::NoEvidence { kind: kind() }];
    for first in causes() {
        v.push(Reason::CollectionError {
            kind: kind(),
            scopes: 3,
            first,
        });
    }
    v.extend([
        Reason::FieldNotReported {
            kind: kind(),
            resources: 3,
            gaps: vec![
                FieldGap {
                    field: "max_login_attempts".into(),
                    provider: "aws".into(),
                    resources: 1,
                },
                FieldGap {
                    field: "retention_days".into(),
                    provider: "aliyun".into(),
                    resources: 2,
                },
            ],
        },
        Reason::RuleError {
            kind: kind(),
            resources: 1,
            message: "No such key: created_at".into(),
        },
    ]);
    for require in [Require::All, Require::Any] {
        v.push(Reason::ResourcesFail {
            kind: kind(),
            failed: 2,
            in_scope: 5,
            require,
            message: t("控制台用户未启用多因素认证", "console user without MFA"),
        });
    }
    v.extend([
        Reason::AllPass {
            kind: kind(),
            passed: 4,
        },
        Reason::OnePasses {
            kind: kind(),
            passed: 1,
            in_scope: 3,
        },
    ]);
    for empty in [
        EmptyResult::NotApplicable,
        EmptyResult::NotSatisfied,
        EmptyResult::NotEvaluated,
    ] {
        v.push(Reason::NothingInScope {
            kind: kind(),
            empty,
        });
    }
    for (method, note) in [
        (
            Method::Interview,
            Some("the operations lead showed the runbook"),
        ),
        (Method::Examine, None),
        (Method::Test, Some("tried five wrong passwords")),
    ] {
        v.push(Reason::Attested {
            method,
            assessor: "Zhang Min".into(),
            date: jiff::civil::date(2026, 11, 20),
            note: note.map(str::to_string),
        });
    }
    v.push(Reason::NotApplicableJustified {
        method: Method::Examine,
        assessor: "Zhang Min".into(),
        date: jiff::civil::date(2026, 11, 20),
        justification: "no physical data centre is operated".into(),
    });
    for manual in [true, false] {
        v.push(Reason::NoAssessorRecord { manual });
    }
    for mode in [WaiverMode::AcceptRisk, WaiverMode::NotApplicable] {
        v.push(Reason::Waived {
            waiver: "W-009".into(),
            mode,
            approver: "Wang Fang".into(),
            ticket: "SEC-99".into(),
            justification: "migration to the new bastion is planned".into(),
        });
    }
    v.push(Reason::AllItemsSatisfied { items: 3 });
    v
}

fn rule(id: &str, reason: Reason, result: ResultState) -> RuleReport {
    RuleReport {
        id: id.into(),
        kind: "identity.user".into(),
        require: Require::All,
        result,
        reason,
        in_scope: 5,
        passed: 3,
        failed: vec![ResourceRef {
            resource_id: "user/carol".into(),
            provider: "aws".into(),
            account: "123456789012".into(),
            region: "global".into(),
            evidence: "1".repeat(64),
            accepted_by: Some("W-009".into()),
        }],
        errors: vec![ResourceError {
            resource_id: "user/dave".into(),
            evidence: "2".repeat(64),
            message: "No such key: created_at".into(),
        }],
        not_reported: vec![NotReportedRef {
            resource_id: "user/erin".into(),
            provider: "aws".into(),
            account: "123456789012".into(),
            region: "global".into(),
            field: "last_login_at".into(),
            evidence: "3".repeat(64),
        }],
        incomplete: causes(),
        status_evidence: vec!["5".repeat(64)],
        evidence_count: 5,
        evidence_set_sha256: "9".repeat(64),
    }
}

/// The fixture plus a control whose items, rules and results carry every reason, every
/// decided-by, every attestation and waiver status, and every blocker on the next tier.
fn everything() -> Report {
    let mut rep = report();
    let all = reasons();
    let decided = DecidedBy::ALL;
    let items: Vec<ItemReport> = all
        .iter()
        .enumerate()
        .map(|(n, reason)| ItemReport {
            id: format!("i{n}"),
            tier: Tier::Basic,
            tier_basis: TierBasis::StandardText,
            // Every third item is the customer's, so the customer's part carries every reason too.
            responsibility: if n % 3 == 0 {
                Responsibility::Customer
            } else {
                Responsibility::Provider
            },
            result: ResultState::ALL[n % ResultState::ALL.len()],
            decided_by: decided[n % decided.len()],
            reason: reason.clone(),
            rule: Some(format!("rule-{n}")),
            rules: vec![rule(
                &format!("rule-{n}"),
                reason.clone(),
                ResultState::ALL[n % ResultState::ALL.len()],
            )],
            attestation: None,
            overridden_rule_result: Some(ResultState::NotSatisfied),
        })
        .collect();
    let mut results = std::collections::BTreeMap::new();
    for (n, tier) in [Tier::Basic, Tier::Enhanced, Tier::Advanced]
        .into_iter()
        .enumerate()
    {
        results.insert(
            tier,
            ControlResult {
                result: ResultState::ALL[n],
                reason: all[n * 5].clone(),
                item: (n != 1).then(|| format!("i{}", n * 5)),
            },
        );
    }
    for i in items
        .iter()
        .filter(|i| i.responsibility == Responsibility::Customer)
    {
        *rep.customer_part.counts.entry(i.result).or_default() += 1;
        rep.customer_part
            .items
            .push(cloudcap_engine::CustomerItem::of("AU-9.9", i));
    }
    rep.controls.push(ControlReport {
        id: "AU-9.9".into(),
        family: "au".into(),
        clause: "9.9".into(),
        title: t("审计综合", "Audit, everything"),
        automation: Automation::Partial,
        methods: Method::ALL.to_vec(),
        weight: 1,
        key: true,
        remediation: Some(t("修好它", "Fix it")),
        min_tier: Tier::Basic,
        results,
        items,
        waivers: vec!["W-009".into()],
    });
    for (n, &status) in AttestationStatus::ALL.iter().enumerate() {
        rep.attestations.push(AttestationUse {
            sha256: format!("{n}").repeat(64),
            control: "AU-9.9".into(),
            item: Some(format!("i{n}")),
            method: Method::ALL[n % Method::ALL.len()],
            result: AttestationResult::ALL[n % AttestationResult::ALL.len()],
            assessor: "Zhang Min".into(),
            date: jiff::civil::date(2026, 11, 20),
            expires: None,
            note: Some("checked the console".into()),
            attachments: vec![],
            status,
        });
    }
    let base = rep.waivers[0].clone();
    for (n, &status) in WaiverStatus::ALL.iter().enumerate() {
        let mut w: WaiverUse = base.clone();
        w.waiver.id = format!("W-01{n}");
        w.waiver.control = "AU-9.9".into();
        w.waiver.mode = [WaiverMode::AcceptRisk, WaiverMode::NotApplicable][n % 2];
        w.waiver.risk = [
            cloudcap_engine::Risk::Low,
            cloudcap_engine::Risk::Medium,
            cloudcap_engine::Risk::High,
            cloudcap_engine::Risk::Critical,
        ][n];
        w.waiver.justification = "the vendor fixes it next quarter".into();
        w.status = status;
        rep.waivers.push(w);
    }
    let next = &mut rep.summary.tiers[0];
    next.blockers
        .insert(0, Blocker::LowerTier { tier: Tier::Basic });
    next.blockers.push(Blocker::KeyControl {
        control: "AU-9.9".into(),
        result: ResultState::PartiallySatisfied,
    });

    // The boundary: every error class among failed scopes, every role, an account without
    // regions or kinds, and a named account without evidence.
    let b = &mut rep.boundary;
    b.accounts.push(AccountBoundary {
        provider: "tencent".into(),
        account: "100000000001".into(),
        partition: Some("tencentcloud".into()),
        run_recorded: true,
        account_declared: false,
        regions_requested: Some(vec!["ap-guangzhou".into(), "ap-beijing".into()]),
        regions: vec![
            RegionCoverage {
                region: "ap-beijing".into(),
                mainland_china: Some(true),
                collected: true,
            },
            RegionCoverage {
                region: "ap-hongkong".into(),
                mainland_china: Some(false),
                collected: false,
            },
        ],
        kinds: vec![KindCoverage {
            kind: "audit.trail".into(),
            scopes_ok: 1,
            failed: ERROR_CLASSES
                .iter()
                .map(|c| FailedScope {
                    region: format!("region-{c}"),
                    error_class: (*c).into(),
                })
                .collect(),
            records: 7,
        }],
        in_scope_statement: Some(true),
    });
    b.accounts.push(AccountBoundary {
        provider: "huawei".into(),
        account: "hw-0001".into(),
        partition: None,
        run_recorded: false,
        account_declared: true,
        regions_requested: None,
        regions: vec![],
        kinds: vec![],
        in_scope_statement: Some(false),
    });
    b.accounts.sort();
    let s = b.scope.as_mut().expect("the fixture has a scope statement");
    s.accounts.push(ScopeAccount {
        provider: "tencent".into(),
        account: "100000000001".into(),
        role: AccountRole::AssessmentTenant,
        note: Some("created for the assessment".into()),
    });
    s.accounts.push(ScopeAccount {
        provider: "huawei".into(),
        account: "hw-9999".into(),
        role: AccountRole::CustomerTenantSample,
        note: None,
    });
    rep
}

/// The same report without a scope statement and with every kind attempted.
fn without_scope() -> Report {
    let mut rep = everything();
    rep.boundary.scope = None;
    for a in &mut rep.boundary.accounts {
        a.in_scope_statement = None;
    }
    rep.boundary.kinds_not_collected.clear();
    rep
}

#[test]
fn the_test_report_exercises_every_reason_cause_and_blocker() {
    let rep = everything();
    let mut reasons = BTreeSet::new();
    let mut causes = BTreeSet::new();
    let mut classes = BTreeSet::new();
    for c in &rep.controls {
        for r in c.results.values() {
            reasons.insert(reason_index(&r.reason));
        }
        for i in &c.items {
            reasons.insert(reason_index(&i.reason));
            for r in &i.rules {
                reasons.insert(reason_index(&r.reason));
                for p in &r.incomplete {
                    causes.insert(cause_index(&p.cause));
                    if let ScopeCause::CollectionFailed { error_class, .. } = &p.cause {
                        classes.insert(error_class.clone());
                    }
                }
            }
        }
    }
    assert_eq!(reasons.len(), REASONS);
    assert_eq!(causes.len(), CAUSES);
    assert_eq!(classes.len(), ERROR_CLASSES.len());
    let blockers: BTreeSet<usize> = rep.summary.tiers[0]
        .blockers
        .iter()
        .map(blocker_index)
        .collect();
    assert_eq!(blockers.len(), BLOCKERS);
}

/// Keys whose values are words the renderer must translate (codes, states, statuses) or an
/// English text; every other string in the report is data and may appear as recorded.
const TRANSLATED: &[&str] = &[
    "result",
    "decided_by",
    "status",
    "mode",
    "risk",
    "role",
    "method",
    "methods",
    "automation",
    "code",
    "type",
    "require",
    "empty",
    "error_class",
    "tier",
    "min_tier",
    "target_tier",
    "tier_basis",
    "tier_achieved",
    "overridden_rule_result",
    "en",
];

fn data_strings(v: &Value, key: Option<&str>, out: &mut BTreeSet<String>) {
    if key.is_some_and(|k| TRANSLATED.contains(&k)) {
        return;
    }
    match v {
        Value::String(s) if !s.is_empty() => {
            out.insert(s.clone());
        }
        Value::Array(a) => a.iter().for_each(|x| data_strings(x, key, out)),
        Value::Object(o) => o
            .iter()
            .for_each(|(k, x)| data_strings(x, Some(k.as_str()), out)),
        _ => {}
    }
}

/// Remove every occurrence of `needle` that is not part of a longer ASCII word.
fn remove_token(hay: &str, needle: &str) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let mut out = String::with_capacity(hay.len());
    let mut rest = hay;
    while let Some(at) = rest.find(needle) {
        let before = rest[..at].chars().last().or_else(|| out.chars().last());
        let after = rest[at + needle.len()..].chars().next();
        out.push_str(&rest[..at]);
        if word(before) || word(after) {
            out.push_str(needle);
        } else {
            out.push(' ');
        }
        rest = &rest[at + needle.len()..];
    }
    out.push_str(rest);
    out
}

fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match (c, in_tag) {
            ('<', false) => in_tag = true,
            ('>', true) => {
                in_tag = false;
                out.push(' ');
            }
            (c, false) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Back to plain text: HTML without its style sheet and tags, Markdown without escapes.
fn plain(out: &str, format: Format) -> String {
    match format {
        Format::Html => {
            let start = out.find("<style>").expect("style sheet");
            let end = out.find("</style>").expect("style sheet end");
            // Code spans are names, like backticked tokens in the other formats.
            let body = format!("{}{}", &out[..start], &out[end..])
                .replace("<code>", "`")
                .replace("</code>", "`");
            decode_entities(&strip_tags(&body))
        }
        Format::Markdown => {
            let s = decode_entities(&out.replace("<br>", " "));
            let mut plain = String::new();
            let mut chars = s.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '\\'
                    && let Some(&n) = chars.peek()
                    && n.is_ascii_punctuation()
                {
                    plain.push(n);
                    chars.next();
                    continue;
                }
                plain.push(c);
            }
            plain
        }
        // What a CI system shows of JUnit: the testcase and suite names, the failure messages
        // and the text inside the elements.
        // (Properties are machine-readable keys and values.)
        Format::Junit => {
            let shown: String = out
                .lines()
                .filter(|l| !l.trim_start().starts_with("<property"))
                .collect::<Vec<_>>()
                .join("\n");
            let mut text = strip_tags(&shown);
            for attr in [" name=\"", " message=\""] {
                for part in shown.split(attr).skip(1) {
                    text.push(' ');
                    text.push_str(part.split('"').next().unwrap_or(""));
                }
            }
            decode_entities(&text)
        }
        // What a code-scanning view shows of SARIF: the messages' and descriptions' text.
        Format::Sarif => {
            fn texts(v: &Value, out: &mut String) {
                match v {
                    Value::Object(o) => o.iter().for_each(|(k, x)| match (k.as_str(), x) {
                        ("text" | "markdown", Value::String(s)) => {
                            out.push(' ');
                            out.push_str(s);
                        }
                        _ => texts(x, out),
                    }),
                    Value::Array(a) => a.iter().for_each(|x| texts(x, out)),
                    _ => {}
                }
            }
            let mut text = String::new();
            texts(
                &serde_json::from_str(out).expect("SARIF is JSON"),
                &mut text,
            );
            assert!(!text.is_empty(), "no message text in the SARIF log");
            text
        }
        _ => out.to_owned(),
    }
}

/// Words of ASCII letters left once data, backticked tokens and URLs are gone.
fn english_words(rep: &Report, format: Format) -> BTreeSet<String> {
    if format == Format::Xlsx {
        // What a spreadsheet shows: the sheet names and every cell's text.
        let bytes =
            cloudcap_report::render_bytes(rep, format, Lang::Zh, &cloudcap_report::Plan::default())
                .unwrap();
        let parts = super::plan::unzip(&bytes);
        let names: String = parts["xl/workbook.xml"]
            .split("<sheet name=\"")
            .skip(1)
            .map(|p| format!(" {}", p.split('"').next().unwrap_or("")))
            .collect();
        let cells = decode_entities(&strip_tags(&parts["xl/sharedStrings.xml"]));
        return english_words_in(rep, &format!("{names} {cells}"), format);
    }
    english_words_in(rep, &render(rep, format, Lang::Zh).unwrap(), format)
}

fn english_words_in(rep: &Report, out: &str, format: Format) -> BTreeSet<String> {
    let mut s = plain(out, format);
    let mut data = BTreeSet::new();
    data_strings(&serde_json::to_value(rep).unwrap(), None, &mut data);
    let mut data: Vec<String> = data.into_iter().collect();
    data.sort_by_key(|d| std::cmp::Reverse(d.len()));
    for d in &data {
        s = remove_token(&s, d);
    }
    // Backticked tokens (kinds, fields, flags) are names, not words.
    let s: String = s
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, p)| p)
        .collect::<Vec<_>>()
        .join(" ");
    let s: String = s
        .split_whitespace()
        .filter(|w| !w.contains("://"))
        .collect::<Vec<_>>()
        .join(" ");
    // The product's name and the digest prefix (`sha256:`) are names too.
    const ALLOWED: &[&str] = &["SHA", "sha", "Merkle", "cloudcap"];
    s.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty() && !ALLOWED.contains(w))
        .map(str::to_string)
        .collect()
}

#[test]
fn zh_table_markdown_html_junit_sarif_csv_and_xlsx_hold_no_english_from_the_engine() {
    let mut empty = everything();
    empty.boundary = Default::default();
    let table = render(&empty, Format::Table, Lang::Zh).unwrap();
    assert!(table.contains("证据包中没有任何账号的证据。"), "{table}");
    for (name, rep) in [
        ("with scope", everything()),
        ("without scope", without_scope()),
        ("empty boundary", empty),
    ] {
        for format in [
            Format::Table,
            Format::Markdown,
            Format::Html,
            Format::Junit,
            Format::Sarif,
            Format::Csv,
            Format::Xlsx,
        ] {
            let words = english_words(&rep, format);
            assert!(
                words.is_empty(),
                "{format} ({name}): English left in the zh report: {words:?}"
            );
        }
    }
}

#[test]
fn zh_reports_show_every_reason_and_the_boundary() {
    let rep = everything();
    let md = render(&rep, Format::Markdown, Lang::Zh).unwrap();
    for s in [
        // every reason's Chinese sentence is there
        "未采集 `identity.user` 证据",
        "`identity.user` 证据在 3 个采集范围内不完整，例如 aws/123456789012/region-access-denied：无权访问",
        "同一采集范围有 2 条采集状态",
        "采集器写入 3 条记录，证据包中有 2 条",
        "4 条记录没有采集状态",
        "`max_login_attempts`（aws，1 条）；`retention_days`（aliyun，2 条）",
        "1 条 `identity.user` 记录无法按规则评估",
        "5 个资源中有 2 个不符合：控制台用户未启用多因素认证",
        "5 个资源均不符合，而至少需要一个符合",
        "全部 4 个资源符合",
        "3 个资源中有 1 个符合（至少需要一个）",
        "范围内没有 `identity.user` 资源，而规则要求至少有一个",
        "范围内没有 `identity.user` 资源，无从评估",
        "经测试判定（测评人员 Zhang Min，2026-11-20）：tried five wrong passwords",
        "经检查判定不适用（测评人员 Zhang Min，2026-11-20）",
        "该测评项没有规则，也没有测评人员记录",
        "豁免 W-009（不适用，批准人 Wang Fang，工单 SEC-99）",
        "全部 3 个测评项符合",
        // not-reported records next to failing ones, with field and evidence hash
        &format!(
            "| rule-2 | user/erin | `last_login_at` | aws / 123456789012 / global | `{}` |",
            "3".repeat(64)
        ),
        "| rule-2 | identity.user | aws / 123456789012 / region-not-collected | 该地域未采集 | The provider said: request failed (not-collected) |",
        // statuses
        "已被更新的记录取代",
        "有效但未匹配",
        "| 测评记录 |",
        "| 豁免 |",
        // the boundary
        "## 1. 评估边界",
        "测评专用租户",
        "经 `--region` 限定为 ap-beijing、ap-guangzhou",
        "有证据但范围声明未列出的账号：aliyun / 1888000000000001、huawei / hw-0001",
        "范围声明已列出但没有任何证据的账号：huawei / hw-9999",
        "| huawei / hw-0001 | 未记录 | - | - |",
        "未评估，未采集任何证据（读取这些证据类型的规则均未评估）：crypto.key、database.instance",
    ] {
        assert!(md.contains(s), "missing {s}");
    }
    let table = render(&without_scope(), Format::Table, Lang::Zh).unwrap();
    for s in [
        "评估边界",
        "证据包中没有范围声明：未说明所采集的账号代表什么",
        "规则读取的每一种证据类型都已尝试采集。",
        "无权访问：1；采集出错：1；响应无法解析：1；该地域未采集：1",
        "未达到较低级别：基本级",
        "关键控制项 AU-9.9 审计综合：部分符合",
    ] {
        assert!(table.contains(s), "missing {s}:\n{table}");
    }
    assert!(
        !table.contains("范围声明已列出"),
        "no scope column without a statement"
    );
}

#[test]
fn the_english_detector_catches_an_english_sentence() {
    // The check is real: an engine sentence put back into a zh report is found, in every
    // format, while the data around it is not.
    let rep = everything();
    for format in [Format::Table, Format::Markdown, Format::Html] {
        let mut out = render(&rep, format, Lang::Zh).unwrap();
        let at = out
            .find("评估边界")
            .expect("a label to put English next to");
        out.insert_str(at, "all 2 item(s) satisfied ");
        let words = english_words_in(&rep, &out, format);
        assert_eq!(
            words,
            ["all", "item", "s", "satisfied"]
                .map(String::from)
                .into_iter()
                .collect(),
            "{format}"
        );
    }
}

#[test]
fn zh_diff_table_holds_no_english() {
    // `everything()` adds a failing control to the fixture: a new failure and a new resource.
    let (old, new) = (report(), everything());
    let d = cloudcap_report::diff(&old, &new);
    let out = cloudcap_report::render_diff(&d, Format::Table, Lang::Zh).unwrap();
    assert!(out.contains("新增不符合"), "{out}");
    let words = english_words_in(&new, &out, Format::Table);
    assert!(words.is_empty(), "English in the zh diff: {words:?}\n{out}");
}

/// Markdown and HTML of the richest report (every reason, cause, blocker, status and boundary
/// case), in both languages, pinned byte for byte.
#[test]
fn everything_markdown_and_html_snapshots() {
    let rep = everything();
    for (format, name) in [(Format::Markdown, "markdown"), (Format::Html, "html")] {
        for (lang, l) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
            let out = render(&rep, format, lang).unwrap();
            insta::assert_snapshot!(format!("everything_{name}_{l}"), out);
        }
    }
}

/// `Reason::code` (strum) is the `code` tag serde writes, for every reason.
#[test]
fn reason_codes_are_the_serde_tags() {
    let all = reasons();
    let seen: BTreeSet<usize> = all.iter().map(reason_index).collect();
    assert_eq!(seen.len(), REASONS, "every reason variant is covered");
    for r in &all {
        let v = serde_json::to_value(r).unwrap();
        assert_eq!(v["code"], r.code(), "{r:?}");
    }
}

/// The richest report as an estate: two bundles and per-account scores with every blocker.
fn estate() -> Report {
    let mut rep = everything();
    let one = rep.bundle.take().expect("the fixture names one bundle");
    rep.bundles = vec![
        cloudcap_engine::BundleRef {
            accounts: vec!["aws/123456789012".into()],
            ..one.clone()
        },
        cloudcap_engine::BundleRef {
            merkle_root: "f".repeat(64),
            accounts: vec!["aliyun/1888000000000001".into(), "huawei/hw-0001".into()],
            ..one
        },
    ];
    let blockers: Vec<Blocker> = rep
        .summary
        .tiers
        .iter()
        .flat_map(|t| t.blockers.clone())
        .collect();
    rep.accounts = rep
        .boundary
        .accounts
        .iter()
        .enumerate()
        .map(|(n, a)| cloudcap_engine::AccountScore {
            provider: a.provider.clone(),
            account: a.account.clone(),
            tier_achieved: [None, Some(Tier::Basic), Some(Tier::Advanced)][n % 3],
            overall: rep.summary.overall.clone(),
            blockers: if n % 3 == 2 {
                Vec::new()
            } else {
                blockers.clone()
            },
            failed_resources: n as u64,
        })
        .collect();
    assert!(rep.accounts.len() > 1);
    rep
}

#[test]
fn zh_estate_reports_show_each_account_in_chinese_only() {
    let rep = estate();
    for format in [
        Format::Table,
        Format::Markdown,
        Format::Html,
        Format::Junit,
        Format::Sarif,
        Format::Csv,
        Format::Xlsx,
    ] {
        let words = english_words(&rep, format);
        assert!(
            words.is_empty(),
            "{format} (estate): English left in the zh report: {words:?}"
        );
    }
    let md = render(&rep, Format::Markdown, Lang::Zh).unwrap();
    assert!(md.contains("### 各账号得分"), "{md}");
    assert!(md.contains("来自 2 个证据包"), "{md}");
    assert!(md.contains("| aliyun | 1888000000000001 |"), "{md}");
    let en = render(&rep, Format::Markdown, Lang::En).unwrap();
    assert!(en.contains("### Scores per account"), "{en}");
    assert!(en.contains(&"f".repeat(64)), "both merkle roots are named");
    // One account: no per-account table.
    let one = render(&everything(), Format::Markdown, Lang::En).unwrap();
    assert!(!one.contains("Scores per account"));
}
