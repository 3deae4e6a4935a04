//! `cloudcap assess`, `cloudcap verify-report` and `cloudcap demo`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use cloudcap_catalog::{Catalog, Tier};
use cloudcap_engine::{Evidence, Options, Report};
use cloudcap_evidence::Bundle;

use crate::cmd::common::{
    CatalogArg, Lang, load, merkle_roots, normalize_at, open_estate, open_verified, parse_tier,
    write_atomic,
};
use crate::exit::{self, Failure, Outcome};

#[derive(clap::Args)]
pub(crate) struct AssessArgs {
    /// Evidence bundles: directories or `.tar` archives. Several (one per account) are assessed
    /// as one estate; their order does not matter, and no two may cover the same scope.
    #[arg(value_name = "BUNDLE", required = true, num_args = 1..)]
    bundles: Vec<PathBuf>,
    /// Target tier: `overall` is scored at this tier.
    #[arg(long, value_parser = parse_tier, default_value = "advanced")]
    tier: Tier,
    /// Assessment time (RFC 3339 UTC, or YYYY-MM-DD for midnight UTC); default: now.
    #[arg(long)]
    at: Option<String>,
    /// Where to write the report (JSON).
    #[arg(long)]
    out: PathBuf,
    /// Rule-evaluation threads (the report does not depend on it); default: available cores.
    #[arg(long)]
    threads: Option<usize>,
    /// Waivers file (TOML, `[[waiver]]` tables; see docs/scoring.md).
    #[arg(long)]
    waivers: Option<PathBuf>,
    #[command(flatten)]
    catalog: CatalogArg,
}

#[derive(clap::Args)]
pub(crate) struct VerifyReportArgs {
    /// The report to check.
    report: PathBuf,
    /// The bundles it claims to assess (any order).
    #[arg(value_name = "BUNDLE", required = true, num_args = 1..)]
    bundles: Vec<PathBuf>,
    #[command(flatten)]
    catalog: CatalogArg,
}

#[derive(clap::Args)]
pub(crate) struct DemoArgs {
    #[arg(long, value_enum, default_value = "en")]
    lang: Lang,
    /// Also write the demo report (JSON) here.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// What the engine reads from a bundle, typed as the evidence crate read it.
pub(crate) fn engine_evidence(bundle: &Bundle) -> Result<Evidence> {
    Ok(Evidence::from_bundle(bundle)?)
}

pub(crate) fn tool_version() -> String {
    format!("cloudcap {}", env!("CARGO_PKG_VERSION"))
}

fn threads(arg: Option<usize>) -> usize {
    arg.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

pub(crate) fn run_assess(args: AssessArgs) -> exit::Result {
    let catalog = load(&args.catalog)?;
    let evidence = open_estate(&args.bundles)?;
    let at = match &args.at {
        Some(at) => normalize_at(at)?,
        None => jiff::Timestamp::now()
            .round(jiff::Unit::Second)?
            .to_string(),
    };
    let waivers = match &args.waivers {
        None => Vec::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read waivers file {}", path.display()))?;
            match cloudcap_engine::parse_waivers(&text) {
                Ok(w) => w,
                Err(errors) => {
                    for e in &errors {
                        eprintln!("{}:{e}", path.display());
                    }
                    return Err(Failure::Reported);
                }
            }
        }
    };
    let opts = Options {
        at,
        target_tier: args.tier,
        tool_version: tool_version(),
        threads: threads(args.threads),
        waivers,
    };
    let report = cloudcap_engine::assess(&catalog, &evidence, &opts)?;
    write_report(&args.out, &report)?;
    print_summary(&report, &catalog, Lang::En);
    eprintln!("report written to {}", args.out.display());
    Ok(Outcome::Success)
}

/// The canonical report bytes: pretty JSON with a trailing newline.
pub(crate) fn report_bytes(report: &Report) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(report).expect("report serializes");
    v.push(b'\n');
    v
}

fn write_report(path: &Path, report: &Report) -> Result<()> {
    write_atomic(path, &report_bytes(report))
}

pub(crate) fn run_verify_report(args: VerifyReportArgs) -> exit::Result {
    let text = std::fs::read(&args.report)
        .with_context(|| format!("cannot read {}", args.report.display()))?;
    let claimed: Report = match serde_json::from_slice(&text) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}: not a cloudcap report: {e}", args.report.display());
            return Err(Failure::Reported);
        }
    };
    let catalog = load(&args.catalog)?;
    match check_against_bundle(&text, &claimed, &args.bundles, &catalog)? {
        Check::Matches => {
            if claimed.bundles.is_empty() {
                outln!(
                    "report verified: recomputed from the bundle (merkle root {}), byte-identical",
                    claimed.merkle_roots()
                );
            } else {
                outln!(
                    "report verified: recomputed from {} bundles (merkle roots {}), byte-identical",
                    claimed.bundles.len(),
                    claimed.merkle_roots()
                );
            }
            Ok(Outcome::Success)
        }
        Check::Invalid(why) => {
            eprintln!("{why}");
            Err(Failure::Reported)
        }
        Check::Differs(why) => {
            eprintln!("{why}");
            Ok(Outcome::Findings)
        }
    }
}

/// The outcome of recomputing a report from its bundle.
pub(crate) enum Check {
    Matches,
    /// The bundle fails verification or the catalog is not the one the report used.
    Invalid(String),
    /// The recomputation differs from the report.
    Differs(String),
}

/// Verifies the bundles, checks the catalog digest, recomputes the report and compares bytes.
pub(crate) fn check_against_bundle(
    text: &[u8],
    claimed: &Report,
    bundles: &[PathBuf],
    catalog: &Catalog,
) -> Result<Check> {
    if claimed.catalog.digest != catalog.digest() {
        return Ok(Check::Invalid(format!(
            "catalog digest mismatch: the report used {}, this catalog is {}",
            claimed.catalog.digest,
            catalog.digest()
        )));
    }
    let evidence = match open_estate(bundles) {
        Ok(e) => e,
        Err(e) => return Ok(Check::Invalid(format!("{e:#}"))),
    };
    let mut wanted: Vec<String> = claimed
        .bundle_refs()
        .iter()
        .map(|b| b.merkle_root.clone())
        .collect();
    wanted.sort();
    let given = merkle_roots(&evidence);
    if given != wanted {
        return Ok(Check::Invalid(if wanted.len() == 1 && given.len() == 1 {
            format!(
                "the report assesses bundle {}, this bundle is {}",
                wanted[0], given[0]
            )
        } else {
            format!(
                "the report assesses bundles {}, these bundles are {}",
                wanted.join(", "),
                given.join(", ")
            )
        }));
    }
    let opts = Options {
        at: claimed.assessed_at.clone(),
        target_tier: claimed.target_tier,
        tool_version: claimed.tool_version.clone(),
        threads: threads(None),
        waivers: claimed.waivers.iter().map(|u| u.waiver.clone()).collect(),
    };
    let recomputed = report_bytes(&cloudcap_engine::assess(catalog, &evidence, &opts)?);
    if recomputed == text {
        return Ok(Check::Matches);
    }
    let old = String::from_utf8_lossy(text);
    let new = String::from_utf8_lossy(&recomputed);
    let first = old
        .lines()
        .zip(new.lines())
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| old.lines().count().min(new.lines().count()));
    Ok(Check::Differs(format!(
        "report differs from the recomputation at line {}:\n  report:     {}\n  recomputed: {}",
        first + 1,
        old.lines().nth(first).unwrap_or("<end>"),
        new.lines().nth(first).unwrap_or("<end>")
    )))
}

pub(crate) fn run_demo(args: DemoArgs) -> exit::Result {
    let catalog = load(&CatalogArg::default())?;
    let dir = std::env::temp_dir().join(format!("cloudcap-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let tar = dir.join("sample-bundle.tar");
    std::fs::write(&tar, cloudcap_evidence::sample_bundle_tar())?;
    let result = (|| -> Result<Report> {
        let bundle = open_verified(&tar)?;
        let evidence = engine_evidence(&bundle)?;
        // The demo is reproducible: it is assessed at a fixed time, a few days after collection.
        let opts = Options {
            at: "2026-11-25T00:00:00Z".into(),
            target_tier: Tier::Advanced,
            tool_version: tool_version(),
            threads: threads(None),
            waivers: Vec::new(),
        };
        Ok(cloudcap_engine::assess(&catalog, &evidence, &opts)?)
    })();
    let _ = std::fs::remove_dir_all(&dir);
    let report = result?;
    if args.lang == Lang::Zh {
        outln!(
            "cloudcap 演示：内置样例证据包（虚构的云服务商），评估时间 {}\n",
            report.assessed_at
        );
    } else {
        outln!(
            "cloudcap demo: the embedded sample bundle (fictional provider), assessed at {}\n",
            report.assessed_at
        );
    }
    print_summary(&report, &catalog, args.lang);
    if let Some(out) = &args.out {
        write_report(out, &report)?;
        if args.lang == Lang::Zh {
            outln!("\n报告已写入 {}", out.display());
        } else {
            outln!("\nreport written to {}", out.display());
        }
    }
    Ok(Outcome::Success)
}

/// The report's summary tables (per-family score and coverage, tiers, what blocks the next tier).
pub(crate) fn print_summary(report: &Report, _catalog: &Catalog, lang: Lang) {
    match cloudcap_report::render(report, cloudcap_report::Format::Table, lang.report()) {
        Ok(text) => out!("{text}"),
        Err(e) => eprintln!("cannot render the summary: {e}"),
    }
}
