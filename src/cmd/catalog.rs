//! `cloudcap catalog list|show|lint|digest`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, format_err};
use cloudcap_catalog::Tier;
use tabled::{Table, Tabled, settings::Style};

use crate::cmd::common::{CatalogArg, Lang, catalog_source, load, parse_tier};
use crate::exit::{self, Failure, Outcome};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// List controls, optionally for one tier or family.
    List {
        #[command(flatten)]
        catalog: CatalogArg,
        /// Only controls that apply at this tier (basic, enhanced, advanced).
        #[arg(long, value_parser = parse_tier)]
        tier: Option<Tier>,
        /// Only controls of this family (e.g. `ac`).
        #[arg(long)]
        family: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
        #[arg(long, value_enum, default_value = "en")]
        lang: Lang,
    },
    /// Show one control in full.
    Show {
        #[command(flatten)]
        catalog: CatalogArg,
        /// Control id, e.g. `ac-8.10`.
        id: String,
        #[arg(long, value_enum, default_value = "en")]
        lang: Lang,
    },
    /// Lint a catalog folder (default: the embedded catalog); prints every problem.
    Lint {
        /// Catalog folder to lint instead of the embedded one.
        dir: Option<PathBuf>,
    },
    /// Print the catalog digest (SHA-256 over the canonical form).
    Digest {
        #[command(flatten)]
        catalog: CatalogArg,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListFormat {
    Table,
    Json,
}

pub(crate) fn run(args: Args) -> exit::Result {
    match args.command {
        Sub::Lint { dir } => lint(dir.as_deref()),
        Sub::Digest { catalog } => {
            outln!("{}", load(&catalog)?.digest());
            Ok(Outcome::Success)
        }
        Sub::List {
            catalog,
            tier,
            family,
            format,
            lang,
        } => {
            let catalog = load(&catalog)?;
            if let Some(f) = &family {
                if catalog.family(f).is_none() {
                    return Err(Failure::Invalid(format_err!(
                        "unknown family `{f}`; known: {}",
                        catalog
                            .families
                            .iter()
                            .map(|f| f.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
            let controls: Vec<_> = catalog
                .controls
                .iter()
                .filter(|c| tier.is_none_or(|t| c.applies_at(t)))
                .filter(|c| family.as_deref().is_none_or(|f| c.family == f))
                .collect();
            match format {
                ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&controls)?),
                ListFormat::Table => {
                    #[derive(Tabled)]
                    struct Row {
                        id: String,
                        clause: String,
                        title: String,
                        tier: &'static str,
                        automation: &'static str,
                        weight: u32,
                        key: &'static str,
                    }
                    let rows = controls.iter().map(|c| Row {
                        id: c.id.clone(),
                        clause: c.clause.clone(),
                        title: c.title.get(lang.report()).to_owned(),
                        tier: c.min_tier().as_str(),
                        automation: c.automation.as_str(),
                        weight: c.weight,
                        key: if c.key { "key" } else { "" },
                    });
                    outln!("{}", Table::new(rows).with(Style::sharp()));
                    outln!("{} control(s)", controls.len());
                }
            }
            Ok(Outcome::Success)
        }
        Sub::Show { catalog, id, lang } => {
            let catalog = load(&catalog)?;
            let Some(c) = catalog.control(&id) else {
                return Err(Failure::Invalid(format_err!(
                    "no control `{id}` in the catalog"
                )));
            };
            let l = lang.report();
            let zh = lang == Lang::Zh;
            let label = |en: &'static str, cn: &'static str| if zh { cn } else { en };
            outln!("{}  {}  [{}]", c.id, c.title.get(l), c.clause);
            outln!(
                "{}: {} ({})",
                label("family", "族"),
                c.family,
                catalog
                    .family(&c.family)
                    .map(|f| f.name.get(l))
                    .unwrap_or("")
            );
            outln!("{}: {}", label("clause basis", "条款依据"), c.clause_basis);
            outln!(
                "{}: {}   {}: {}   {}: {}",
                label("automation", "自动化程度"),
                c.automation.as_str(),
                label("weight", "权重"),
                c.weight,
                label("key", "关键控制项"),
                c.key
            );
            outln!(
                "{}: {}",
                label("methods", "评估方法"),
                c.methods
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if !c.evidence.is_empty() {
                outln!(
                    "{}: {}",
                    label("evidence", "证据类型"),
                    c.evidence.join(", ")
                );
            }
            outln!("\n{}\n", c.objective.get(l));
            for item in &c.items {
                // Who implements it: the provider is scored on provider and shared items only.
                let who = match (item.responsibility, zh) {
                    (cloudcap_catalog::Responsibility::Provider, true) => "云服务商",
                    (cloudcap_catalog::Responsibility::Customer, true) => "客户",
                    (cloudcap_catalog::Responsibility::Shared, true) => "共同",
                    (r, false) => r.as_str(),
                };
                outln!(
                    "  {})  [{} / {} / {}] {}",
                    item.id,
                    item.tier.as_str(),
                    item.tier_basis.as_str(),
                    who,
                    item.text.get(l)
                );
            }
            for r in &c.rules {
                outln!(
                    "\n  {} {} ({} {}) {} {}",
                    label("rule", "规则"),
                    r.id,
                    label("item", "要求项"),
                    r.item,
                    label("over", "作用于"),
                    r.kind
                );
                if let Some(w) = &r.filter {
                    outln!("    where: {w}");
                }
                outln!("    check: {}", r.check);
                outln!(
                    "    {}: {}",
                    label("fails as", "不符合时"),
                    r.message.get(l)
                );
            }
            if let Some(fix) = &c.remediation {
                outln!("\n{}: {}", label("remediation", "整改建议"), fix.get(l));
            }
            let cw = &c.crosswalk;
            outln!(
                "\n{}: NIST SP 800-53 r4 {:?}; MLPS 2.0 {:?}; Measures 2019 {:?}; {} {:?}",
                label("crosswalk", "对照"),
                cw.nist_800_53r4,
                cw.mlps_22239
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
                cw.measures_2019,
                label("related", "相关"),
                cw.related
            );
            if let Some(n) = &cw.notes {
                outln!("{}: {n}", label("notes", "说明"));
            }
            Ok(Outcome::Success)
        }
    }
}

fn lint(dir: Option<&Path>) -> exit::Result {
    let source = catalog_source(dir)?;
    let (catalog, diags) = cloudcap_engine::lint_catalog(&source);
    for d in &diags {
        outln!("{d}");
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if errors > 0 {
        eprintln!("catalog lint: {errors} problem(s), {warnings} warning(s)");
        return Ok(Outcome::Findings);
    }
    if warnings > 0 {
        eprintln!("catalog lint: {warnings} warning(s), no errors");
    }
    let catalog = catalog.context("catalog failed to load")?;
    // Per family: controls, items per tier, controls per automation, key controls.
    let mut per_family: BTreeMap<(u32, &str), [usize; 8]> = BTreeMap::new();
    for c in &catalog.controls {
        let chapter = catalog.family(&c.family).map_or(0, |f| f.chapter);
        let row = per_family.entry((chapter, c.family.as_str())).or_default();
        row[0] += 1;
        for item in &c.items {
            row[1 + item.tier as usize] += 1;
        }
        row[4 + c.automation as usize] += 1;
        row[7] += usize::from(c.key);
    }
    #[derive(Tabled)]
    struct Row {
        family: String,
        controls: usize,
        #[tabled(rename = "items basic")]
        basic: usize,
        #[tabled(rename = "items enhanced")]
        enhanced: usize,
        #[tabled(rename = "items advanced")]
        advanced: usize,
        automated: usize,
        partial: usize,
        manual: usize,
        key: usize,
    }
    let mut totals = [0usize; 8];
    let mut rows: Vec<Row> = per_family
        .iter()
        .map(|((chapter, fam), n)| {
            for i in 0..8 {
                totals[i] += n[i];
            }
            Row {
                family: format!("{fam} (ch. {chapter})"),
                controls: n[0],
                basic: n[1],
                enhanced: n[2],
                advanced: n[3],
                automated: n[4],
                partial: n[5],
                manual: n[6],
                key: n[7],
            }
        })
        .collect();
    let t = totals;
    rows.push(Row {
        family: "total".into(),
        controls: t[0],
        basic: t[1],
        enhanced: t[2],
        advanced: t[3],
        automated: t[4],
        partial: t[5],
        manual: t[6],
        key: t[7],
    });
    outln!("{}", Table::new(rows).with(Style::sharp()));
    let applies: Vec<String> = Tier::ALL
        .iter()
        .map(|t| {
            format!(
                "{} {}",
                t.as_str(),
                catalog.controls.iter().filter(|c| c.applies_at(*t)).count()
            )
        })
        .collect();
    outln!(
        "controls applying per tier (cumulative): {}",
        applies.join(", ")
    );
    outln!(
        "catalog clean: {} controls in {} families, digest {}",
        catalog.controls.len(),
        catalog.families.len(),
        catalog.digest()
    );
    Ok(Outcome::Success)
}
