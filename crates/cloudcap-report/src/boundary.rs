//! The assessment boundary section shared by the human formats (`docs/scoring.md` §10): what the
//! scope statement says is assessed, which accounts, regions and kinds the bundle covers, and
//! what it leaves out. Built only from `report.boundary`, as plain-text blocks that each format
//! lays out (and escapes) its own way.

use std::collections::BTreeMap;

use cloudcap_engine::{AccountBoundary, Boundary, KindCoverage};

use crate::Lang;
use crate::text::{error_class, l, role, yes_no, yes_no_unknown};

/// One piece of the section, unescaped.
pub(crate) enum Block {
    /// A sub-heading.
    Heading(String),
    /// A sentence or short paragraph.
    Para(String),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

pub(crate) fn title(lang: Lang) -> &'static str {
    l(lang, "Assessment boundary", "评估边界")
}

fn list(items: &[String], lang: Lang) -> String {
    if items.is_empty() {
        return "-".into();
    }
    items.join(l(lang, ", ", "、"))
}

fn account_name(provider: &str, account: &str) -> String {
    format!("{provider} / {account}")
}

/// How the account's regions were selected.
fn selection(a: &AccountBoundary, lang: Lang) -> String {
    if !a.run_recorded {
        return l(
            lang,
            "not recorded (no `collection.run` in the bundle)",
            "未记录（证据包中没有 `collection.run`）",
        )
        .into();
    }
    match &a.regions_requested {
        None => l(lang, "every listed region", "全部已列出的地域").into(),
        Some(regions) => {
            let mut r = regions.clone();
            r.sort();
            match lang {
                Lang::En => format!("restricted by `--region` to {}", list(&r, lang)),
                Lang::Zh => format!("经 `--region` 限定为 {}", list(&r, lang)),
            }
        }
    }
}

/// A kind's failed scopes grouped by error class; `compact` gives counts instead of regions.
fn failed(k: &KindCoverage, lang: Lang, compact: bool) -> String {
    if k.failed.is_empty() {
        return "-".into();
    }
    let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for f in &k.failed {
        by.entry(f.error_class.as_str())
            .or_default()
            .push(f.region.clone());
    }
    by.into_iter()
        .map(|(class, mut regions)| {
            regions.sort();
            let what = if compact {
                regions.len().to_string()
            } else {
                list(&regions, lang)
            };
            format!("{}{}{what}", error_class(class, lang), l(lang, ": ", "："))
        })
        .collect::<Vec<_>>()
        .join(l(lang, "; ", "；"))
}

/// The section's blocks. `compact` (terminal) counts failed scopes per error class instead of
/// naming their regions, which the region table already lists.
pub(crate) fn blocks(b: &Boundary, lang: Lang, compact: bool) -> Vec<Block> {
    let mut out = Vec::new();
    let h = |en: &'static str, zh: &'static str| Block::Heading(l(lang, en, zh).to_owned());
    let head = |cols: &[(&'static str, &'static str)]| -> Vec<String> {
        cols.iter()
            .map(|(en, zh)| l(lang, en, zh).to_owned())
            .collect()
    };
    let not_stated = || l(lang, "not stated", "未说明").to_owned();

    out.push(h("Scope statement", "范围声明"));
    match &b.scope {
        None => out.push(Block::Para(
            l(
                lang,
                "No scope statement was recorded: what the collected accounts represent (the provider's own platform, a sample of customer tenants, or an assessment tenant) is not stated.",
                "证据包中没有范围声明：未说明所采集的账号代表什么（云服务商自身平台账号、抽样的客户租户，还是测评专用租户）。",
            )
            .to_owned(),
        )),
        Some(s) => {
            let opt = |v: &Option<String>| v.clone().unwrap_or_else(not_stated);
            out.push(Block::Table {
                head: head(&[("Field", "项目"), ("Value", "内容")]),
                rows: vec![
                    vec![
                        l(lang, "Service assessed", "被评估的云服务").into(),
                        s.service.clone(),
                    ],
                    vec![l(lang, "Description", "说明").into(), opt(&s.description)],
                    vec![l(lang, "Sampling", "抽样方法").into(), opt(&s.sampling)],
                    vec![l(lang, "Prepared by", "编制人").into(), opt(&s.prepared_by)],
                    vec![
                        l(lang, "Scope statement SHA-256", "范围声明 SHA-256").into(),
                        s.sha256.clone(),
                    ],
                ],
            });
            if s.accounts.is_empty() {
                out.push(Block::Para(
                    l(
                        lang,
                        "The scope statement names no account.",
                        "范围声明未列出任何账号。",
                    )
                    .into(),
                ));
            } else {
                let mut accounts = s.accounts.clone();
                accounts.sort();
                out.push(Block::Table {
                    head: head(&[
                        ("Provider", "云服务商"),
                        ("Account", "账号"),
                        ("Role", "角色"),
                        ("Note", "备注"),
                    ]),
                    rows: accounts
                        .iter()
                        .map(|a| {
                            vec![
                                a.provider.clone(),
                                a.account.clone(),
                                role(a.role, lang).to_owned(),
                                a.note.clone().unwrap_or_else(|| "-".into()),
                            ]
                        })
                        .collect(),
                });
            }
        }
    }

    out.push(h("Accounts with evidence", "有证据的账号"));
    if b.accounts.is_empty() {
        out.push(Block::Para(
            l(
                lang,
                "The bundle holds no evidence for any account.",
                "证据包中没有任何账号的证据。",
            )
            .into(),
        ));
    } else {
        let mut cols = vec![
            ("Provider", "云服务商"),
            ("Account", "账号"),
            ("Partition", "分区"),
            ("Collection run recorded", "已记录采集运行"),
            ("Region selection", "地域选择"),
        ];
        if b.scope.is_some() {
            cols.push(("Named in the scope statement", "范围声明已列出"));
        }
        let rows = b
            .accounts
            .iter()
            .map(|a| {
                let mut r = vec![
                    a.provider.clone(),
                    a.account.clone(),
                    a.partition.clone().unwrap_or_else(|| "-".into()),
                    yes_no(a.run_recorded, lang).to_owned(),
                    selection(a, lang),
                ];
                if b.scope.is_some() {
                    r.push(yes_no_unknown(a.in_scope_statement, lang).to_owned());
                }
                r
            })
            .collect();
        out.push(Block::Table {
            head: head(&cols),
            rows,
        });
    }
    let declared: Vec<String> = b
        .accounts
        .iter()
        .filter(|a| a.account_declared)
        .map(|a| account_name(&a.provider, &a.account))
        .collect();
    if !declared.is_empty() {
        out.push(Block::Para(format!(
            "{}{}",
            l(
                lang,
                "Account ids given by the operator, not read from the provider (its API names no account): ",
                "账号标识由操作者声明、并非从云服务商读取（其接口不提供账号）："
            ),
            list(&declared, lang)
        )));
    }
    let unnamed: Vec<String> = b
        .accounts
        .iter()
        .filter(|a| a.in_scope_statement == Some(false))
        .map(|a| account_name(&a.provider, &a.account))
        .collect();
    if !unnamed.is_empty() {
        out.push(Block::Para(format!(
            "{}{}",
            l(
                lang,
                "Accounts with evidence that the scope statement does not name: ",
                "有证据但范围声明未列出的账号："
            ),
            list(&unnamed, lang)
        )));
    }
    if let Some(s) = &b.scope {
        let mut missing: Vec<String> = s
            .accounts
            .iter()
            .filter(|x| {
                !b.accounts
                    .iter()
                    .any(|a| a.provider == x.provider && a.account == x.account)
            })
            .map(|x| account_name(&x.provider, &x.account))
            .collect();
        missing.sort();
        missing.dedup();
        if !missing.is_empty() {
            out.push(Block::Para(format!(
                "{}{}",
                l(
                    lang,
                    "Accounts the scope statement names that have no evidence: ",
                    "范围声明已列出但没有任何证据的账号："
                ),
                list(&missing, lang)
            )));
        }
    }

    if !b.accounts.is_empty() {
        out.push(h("Regions", "地域"));
        let mut rows = Vec::new();
        for a in &b.accounts {
            let name = account_name(&a.provider, &a.account);
            if a.regions.is_empty() {
                rows.push(vec![
                    name.clone(),
                    l(lang, "none recorded", "未记录").into(),
                    "-".into(),
                    "-".into(),
                ]);
            }
            for r in &a.regions {
                rows.push(vec![
                    name.clone(),
                    r.region.clone(),
                    yes_no(r.collected, lang).into(),
                    yes_no_unknown(r.mainland_china, lang).into(),
                ]);
            }
        }
        out.push(Block::Table {
            head: head(&[
                ("Provider / account", "云服务商 / 账号"),
                ("Region", "地域"),
                ("Collected", "已采集"),
                ("Mainland China", "中国大陆"),
            ]),
            rows,
        });

        out.push(h("Evidence kinds attempted", "已尝试采集的证据类型"));
        let mut rows = Vec::new();
        for a in &b.accounts {
            let name = account_name(&a.provider, &a.account);
            if a.kinds.is_empty() {
                rows.push(vec![
                    name.clone(),
                    l(lang, "none", "无").into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                ]);
            }
            for k in &a.kinds {
                rows.push(vec![
                    name.clone(),
                    k.kind.clone(),
                    k.scopes_ok.to_string(),
                    failed(k, lang, compact),
                    k.records.to_string(),
                ]);
            }
        }
        out.push(Block::Table {
            head: head(&[
                ("Provider / account", "云服务商 / 账号"),
                ("Kind", "证据类型"),
                ("Complete scopes", "完整采集的范围"),
                ("Failed scopes", "失败的范围"),
                ("Records", "记录数"),
            ]),
            rows,
        });
    }

    let mut missing = b.kinds_not_collected.clone();
    missing.sort();
    out.push(Block::Para(if missing.is_empty() {
        l(
            lang,
            "Every evidence kind the rules read was attempted.",
            "规则读取的每一种证据类型都已尝试采集。",
        )
        .into()
    } else {
        format!(
            "{}{}",
            l(
                lang,
                "Not assessed, no evidence collected (rules reading these kinds are not evaluated): ",
                "未评估，未采集任何证据（读取这些证据类型的规则均未评估）："
            ),
            list(&missing, lang)
        )
    }));
    out
}

/// The boundary in numbers, for the machine formats (SARIF, JUnit).
pub(crate) struct Counts {
    pub accounts: usize,
    pub regions_listed: usize,
    pub regions_collected: usize,
    pub failed_scopes: usize,
    pub kinds_not_collected: usize,
    pub scope_statement: bool,
    pub accounts_not_in_scope_statement: usize,
}

pub(crate) fn counts(b: &Boundary) -> Counts {
    Counts {
        accounts: b.accounts.len(),
        regions_listed: b.accounts.iter().map(|a| a.regions.len()).sum(),
        regions_collected: b
            .accounts
            .iter()
            .map(|a| a.regions.iter().filter(|r| r.collected).count())
            .sum(),
        failed_scopes: b
            .accounts
            .iter()
            .flat_map(|a| &a.kinds)
            .map(|k| k.failed.len())
            .sum(),
        kinds_not_collected: b.kinds_not_collected.len(),
        scope_statement: b.scope.is_some(),
        accounts_not_in_scope_statement: b
            .accounts
            .iter()
            .filter(|a| a.in_scope_statement == Some(false))
            .count(),
    }
}
