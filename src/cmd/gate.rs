//! `cloudcap gate`: the CI gate over a report. Every reason is printed; the exit code is the
//! most serious one found: 4 invalid input, 3 evaluation incomplete (coverage below the floor, a
//! key control not evaluated, an expired waiver), 1 threshold breached or regression, 0 pass.
//! Unused waivers are printed as notes.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail, format_err};
use cloudcap_catalog::Tier;
use cloudcap_engine::{Blocker, Report, ResultState, WaiverStatus};
use serde::Deserialize;

use crate::cmd::assess::{Check, check_against_bundle};
use crate::cmd::common::{CatalogArg, load, load_report, parse_tier};
use crate::exit::{self, Failure};

#[derive(clap::Args)]
pub(crate) struct GateArgs {
    /// The report written by `cloudcap assess` (JSON).
    report: PathBuf,
    /// Gate policy (TOML: `min-score-bp`, `tier`, `min-coverage-bp`, `baseline`); flags override it.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Minimum overall score (at the report's target tier), in basis points (0..=10000).
    #[arg(long, value_name = "BP", value_parser = clap::value_parser!(u32).range(0..=10000))]
    min_score: Option<u32>,
    /// This tier must be achieved (basic, enhanced, advanced).
    #[arg(long, value_parser = parse_tier)]
    tier: Option<Tier>,
    /// Minimum coverage in percent (up to two decimals, e.g. 95 or 97.5).
    #[arg(long, value_name = "PCT", value_parser = parse_pct)]
    min_coverage: Option<u32>,
    /// Fail on any regression against this older report.
    #[arg(long, value_name = "OLD.json")]
    baseline: Option<PathBuf>,
    /// Also verify the report against its evidence bundle (hashes, Merkle root, catalog digest,
    /// byte-identical recomputation); any mismatch is invalid input (exit 4). An estate's report
    /// takes every bundle it assesses: `--bundle B1 --bundle B2`, or `--bundle B1 B2`.
    #[arg(long, value_name = "BUNDLE", num_args = 1..)]
    bundle: Vec<PathBuf>,
    #[command(flatten)]
    catalog: CatalogArg,
}

/// `gate.toml`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Policy {
    min_score_bp: Option<u32>,
    tier: Option<String>,
    min_coverage_bp: Option<u32>,
    baseline: Option<PathBuf>,
}

/// A percentage with at most two decimals, as basis points: `97.5` → 9750.
fn parse_pct(s: &str) -> Result<u32, String> {
    let bad = || format!("invalid percentage `{s}`: expected 0 to 100 with at most two decimals");
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty()
        || frac.len() > 2
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let int: u32 = int.parse().map_err(|_| bad())?;
    let frac: u32 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().map_err(|_| bad())?
    };
    let bp = int
        .checked_mul(100)
        .and_then(|v| v.checked_add(frac))
        .ok_or_else(bad)?;
    if bp > 10000 {
        return Err(bad());
    }
    Ok(bp)
}

fn pct(bp: u32) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

struct Thresholds {
    min_score: Option<u32>,
    tier: Option<Tier>,
    min_coverage: Option<u32>,
    baseline: Option<PathBuf>,
}

fn thresholds(args: &GateArgs) -> Result<(PathBuf, Thresholds)> {
    let policy = match &args.policy {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read policy {}", p.display()))?;
            let policy: Policy =
                toml::from_str(&text).with_context(|| format!("invalid policy {}", p.display()))?;
            if policy.min_score_bp.is_some_and(|v| v > 10000)
                || policy.min_coverage_bp.is_some_and(|v| v > 10000)
            {
                bail!(
                    "invalid policy {}: basis points must be 0..=10000",
                    p.display()
                );
            }
            policy
        }
        None => Policy::default(),
    };
    let policy_tier = match &policy.tier {
        Some(t) => Some(
            parse_tier(t)
                .map_err(anyhow::Error::msg)
                .context("invalid policy")?,
        ),
        None => None,
    };
    // A baseline path in the policy is relative to the policy file.
    let policy_baseline =
        policy
            .baseline
            .clone()
            .map(|b| match args.policy.as_deref().and_then(Path::parent) {
                Some(dir) if b.is_relative() => dir.join(b),
                _ => b,
            });
    Ok((
        args.report.clone(),
        Thresholds {
            min_score: args.min_score.or(policy.min_score_bp),
            tier: args.tier.or(policy_tier),
            min_coverage: args.min_coverage.or(policy.min_coverage_bp),
            baseline: args.baseline.clone().or(policy_baseline),
        },
    ))
}

#[derive(Default)]
struct Outcome {
    incomplete: Vec<String>,
    failed: Vec<String>,
    /// Printed, but do not change the exit code.
    notes: Vec<String>,
}

fn check(report: &Report, baseline: Option<&Report>, t: &Thresholds) -> Outcome {
    let mut o = Outcome::default();
    let key_tier = t.tier.unwrap_or(report.target_tier);

    for c in report.controls.iter().filter(|c| c.key) {
        if c.result_at(key_tier) == Some(ResultState::NotEvaluated) {
            o.incomplete.push(format!(
                "key control {} ({}) is not evaluated at tier {}",
                c.id,
                c.title.en,
                key_tier.as_str()
            ));
        }
    }

    for w in &report.waivers {
        match w.status {
            WaiverStatus::Expired => o.incomplete.push(format!(
                "waiver {} for control {} expired at {} (approver {}, ticket {})",
                w.waiver.id, w.waiver.control, w.waiver.expires, w.waiver.approver, w.waiver.ticket
            )),
            WaiverStatus::Unused => o.notes.push(format!(
                "waiver {} for control {} matched nothing (unused)",
                w.waiver.id, w.waiver.control
            )),
            _ => {}
        }
    }

    if let Some(min) = t.min_coverage {
        let (coverage, at) = match t.tier {
            Some(tier) => match report.summary.tiers.iter().find(|s| s.tier == tier) {
                Some(s) => (s.score.coverage_bp, tier),
                None => (0, tier),
            },
            None => (report.summary.overall.coverage_bp, report.target_tier),
        };
        if coverage < min {
            o.incomplete.push(format!(
                "coverage {} at tier {} is below the floor {}",
                pct(coverage),
                at.as_str(),
                pct(min)
            ));
        }
    }

    if let Some(tier) = t.tier {
        if report.summary.tier_achieved < Some(tier) {
            let achieved = report.summary.tier_achieved.map_or("none", Tier::as_str);
            o.failed.push(format!(
                "tier {} is not achieved (achieved: {achieved})",
                tier.as_str()
            ));
            for s in report
                .summary
                .tiers
                .iter()
                .filter(|s| s.tier <= tier && !s.reached)
            {
                for b in &s.blockers {
                    match b {
                        Blocker::LowerTier { .. } => {}
                        Blocker::ScoreBelowThreshold {
                            score_bp,
                            min_score_bp,
                        } => o.failed.push(format!(
                            "tier {}: score {} is below {}",
                            s.tier.as_str(),
                            pct(*score_bp),
                            pct(*min_score_bp)
                        )),
                        Blocker::CoverageBelowFloor {
                            coverage_bp,
                            min_coverage_bp,
                        } => o.incomplete.push(format!(
                            "tier {}: coverage {} is below the floor {}",
                            s.tier.as_str(),
                            pct(*coverage_bp),
                            pct(*min_coverage_bp)
                        )),
                        Blocker::KeyControl { control, result }
                            if *result == ResultState::NotEvaluated =>
                        {
                            let msg = format!(
                                "tier {}: key control {control} is not evaluated",
                                s.tier.as_str()
                            );
                            if !o
                                .incomplete
                                .iter()
                                .any(|m| m.contains(&format!("key control {control} ")))
                            {
                                o.incomplete.push(msg);
                            }
                        }
                        Blocker::KeyControl { control, result } => o.failed.push(format!(
                            "tier {}: key control {control} is {result}",
                            s.tier.as_str()
                        )),
                    }
                }
            }
        }
    }

    if let Some(min) = t.min_score {
        let score = report.summary.overall.score_bp;
        if score < min {
            o.failed.push(format!(
                "score {} at tier {} is below the minimum {}",
                pct(score),
                report.target_tier.as_str(),
                pct(min)
            ));
        }
    }

    if let Some(old) = baseline {
        let d = cloudcap_report::diff(old, report);
        for c in d
            .controls
            .iter()
            .filter(|c| cloudcap_report::is_worse(c.old, c.new))
        {
            let show = |r: Option<ResultState>| r.map_or("absent", ResultState::as_str);
            o.failed.push(format!(
                "regression: control {} went from {} to {}",
                c.control,
                show(c.old),
                show(c.new)
            ));
        }
        if d.new_score_bp < d.old_score_bp {
            o.failed.push(format!(
                "regression: score fell from {} to {}",
                pct(d.old_score_bp),
                pct(d.new_score_bp)
            ));
        }
    }
    o
}

pub(crate) fn run(args: GateArgs) -> exit::Result {
    let (path, t) = thresholds(&args)?;
    let report = load_report(&path)?;
    if !args.bundle.is_empty() {
        let bundles = &args.bundle;
        let catalog = load(&args.catalog)?;
        let text =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        match check_against_bundle(&text, &report, bundles, &catalog)? {
            Check::Matches => outln!(
                "note: report recomputed from {}: identical",
                bundles
                    .iter()
                    .map(|b| b.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Check::Invalid(why) | Check::Differs(why) => {
                outln!("invalid: {why}");
                outln!("gate: invalid input (exit {})", exit::INVALID);
                return Err(Failure::Reported);
            }
        }
    } else if args.catalog.controls.is_some() {
        return Err(Failure::Invalid(format_err!(
            "--controls only applies together with --bundle"
        )));
    }
    let baseline = match &t.baseline {
        Some(p) => Some(load_report(p).context("invalid baseline")?),
        None => None,
    };
    let o = check(&report, baseline.as_ref(), &t);
    for r in &o.notes {
        outln!("note: {r}");
    }
    for r in &o.incomplete {
        outln!("incomplete: {r}");
    }
    for r in &o.failed {
        outln!("failed: {r}");
    }
    let outcome = if !o.incomplete.is_empty() {
        outln!("gate: evaluation incomplete (exit {})", exit::INCOMPLETE);
        exit::Outcome::Incomplete
    } else if !o.failed.is_empty() {
        outln!("gate: failed (exit {})", exit::FAILED);
        exit::Outcome::Findings
    } else {
        outln!(
            "gate: passed (score {}, coverage {}, tier achieved {})",
            pct(report.summary.overall.score_bp),
            pct(report.summary.overall.coverage_bp),
            report.summary.tier_achieved.map_or("none", Tier::as_str)
        );
        exit::Outcome::Success
    };
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::parse_pct;

    #[test]
    fn percentages_become_exact_basis_points() {
        assert_eq!(parse_pct("95"), Ok(9500));
        assert_eq!(parse_pct("97.5"), Ok(9750));
        assert_eq!(parse_pct("0.01"), Ok(1));
        assert_eq!(parse_pct("100"), Ok(10000));
        for bad in ["100.01", "", ".5", "9.999", "-1", "1e2", "50%", "ninety"] {
            assert!(parse_pct(bad).is_err(), "{bad}");
        }
    }
}
