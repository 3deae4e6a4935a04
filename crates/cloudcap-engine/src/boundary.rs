//! The assessment boundary: which accounts, regions and kinds the bundle covers, which it does
//! not, and the scope statement (`docs/scoring.md` §10).

use std::collections::{BTreeMap, BTreeSet};

use cloudcap_catalog::Catalog;

use crate::input::Evidence;
use crate::report::*;

/// The kind whose records describe the account's regions.
const REGION_KIND: &str = "region.inventory";

/// Builds the boundary from the runs, statuses and region inventory of `evidence`.
pub(crate) fn build(catalog: &Catalog, evidence: &Evidence) -> Boundary {
    type Key = (String, String);
    let mut accounts: BTreeMap<Key, AccountBoundary> = BTreeMap::new();
    let entry = |accounts: &mut BTreeMap<Key, AccountBoundary>, provider: &str, account: &str| {
        accounts
            .entry((provider.to_owned(), account.to_owned()))
            .or_insert_with(|| AccountBoundary {
                provider: provider.to_owned(),
                account: account.to_owned(),
                partition: None,
                run_recorded: false,
                account_declared: false,
                regions_requested: None,
                regions: Vec::new(),
                kinds: Vec::new(),
                in_scope_statement: None,
            })
            .account
            .clone()
    };

    // Regions: (provider, account) → region → (mainland, collected).
    let mut regions: BTreeMap<Key, BTreeMap<String, (Option<bool>, bool)>> = BTreeMap::new();
    let mut requested: BTreeMap<Key, Option<BTreeSet<String>>> = BTreeMap::new();
    let mut runs: Vec<_> = evidence.runs.iter().collect();
    runs.sort_by(|a, b| {
        (&a.provider, &a.account, &a.partition).cmp(&(&b.provider, &b.account, &b.partition))
    });
    for run in runs {
        entry(&mut accounts, run.provider.as_str(), &run.account);
        let key = (run.provider.as_str().to_owned(), run.account.clone());
        let a = accounts.get_mut(&key).expect("inserted");
        a.run_recorded = true;
        a.account_declared |= run.account_declared == Some(true);
        if a.partition.is_none() {
            a.partition = Some(run.partition.clone());
        }
        // Several runs into one bundle: every listed region counts, and the selection is
        // restricted only when every run was restricted.
        let req = requested
            .entry(key.clone())
            .or_insert_with(|| Some(BTreeSet::new()));
        match (&run.regions_requested, req.as_mut()) {
            (Some(list), Some(set)) => set.extend(list.iter().cloned()),
            _ => *req = None,
        }
        let map = regions.entry(key).or_default();
        for r in &run.regions_listed {
            map.entry(r.clone()).or_insert((None, false));
        }
        for r in &run.regions_collected {
            map.entry(r.clone()).or_insert((None, false)).1 = true;
        }
    }
    for rec in evidence.records.iter().filter(|r| r.kind == REGION_KIND) {
        entry(&mut accounts, rec.provider.as_str(), &rec.account);
        let mainland = rec.value.get("mainland_china").and_then(|v| v.as_bool());
        // Bundles written before `collected` existed only inventoried collected regions.
        let collected = rec
            .value
            .get("collected")
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        let map = regions
            .entry((rec.provider.as_str().to_owned(), rec.account.clone()))
            .or_default();
        let slot = map.entry(rec.region.clone()).or_insert((None, false));
        // Records that disagree (a tampered or merged bundle) make the region not mainland.
        slot.0 = match (slot.0, mainland) {
            (Some(a), Some(b)) => Some(a && b),
            (a, b) => a.or(b),
        };
        slot.1 |= collected;
    }

    // Kinds: per account, per kind, the scopes collected, failed and the records found.
    let mut records: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for r in &evidence.records {
        *records
            .entry((
                r.provider.as_str().to_owned(),
                r.account.clone(),
                r.kind.clone(),
            ))
            .or_default() += 1;
    }
    let mut kinds: BTreeMap<Key, BTreeMap<String, KindCoverage>> = BTreeMap::new();
    for s in &evidence.statuses {
        entry(&mut accounts, s.provider.as_str(), &s.account);
        let k = kinds
            .entry((s.provider.as_str().to_owned(), s.account.clone()))
            .or_default()
            .entry(s.kind.clone())
            .or_insert_with(|| KindCoverage {
                kind: s.kind.clone(),
                scopes_ok: 0,
                failed: Vec::new(),
                records: records
                    .get(&(
                        s.provider.as_str().to_owned(),
                        s.account.clone(),
                        s.kind.clone(),
                    ))
                    .copied()
                    .unwrap_or(0),
            });
        if s.status == cloudcap_evidence::CollectionOutcome::Ok {
            k.scopes_ok += 1;
        } else {
            k.failed.push(FailedScope {
                region: s.region.clone(),
                error_class: crate::decide::error_class_name(s.error_class),
            });
        }
    }

    let scope = evidence.scope.as_ref().map(|s| ScopeStatement {
        sha256: s.sha256.clone(),
        service: s.service.clone(),
        description: s.description.clone(),
        sampling: s.sampling.clone(),
        prepared_by: s.prepared_by.clone(),
        accounts: s
            .accounts
            .iter()
            .map(|a| ScopeAccount {
                provider: a.provider.as_str().to_owned(),
                account: a.account.clone(),
                role: a.role,
                note: a.note.clone(),
            })
            .collect(),
    });
    for (key, a) in accounts.iter_mut() {
        a.regions_requested = requested
            .get(key)
            .cloned()
            .flatten()
            .map(|s| s.into_iter().collect());
        a.regions = regions
            .remove(key)
            .unwrap_or_default()
            .into_iter()
            .map(|(region, (mainland_china, collected))| RegionCoverage {
                region,
                mainland_china,
                collected,
            })
            .collect();
        a.kinds = kinds
            .remove(key)
            .unwrap_or_default()
            .into_values()
            .map(|mut k| {
                k.failed.sort();
                k
            })
            .collect();
        a.in_scope_statement = scope.as_ref().map(|s| {
            s.accounts
                .iter()
                .any(|x| x.provider == a.provider && x.account == a.account)
        });
    }

    let attempted: BTreeSet<&str> = evidence.statuses.iter().map(|s| s.kind.as_str()).collect();
    let read: BTreeSet<&str> = catalog
        .controls
        .iter()
        .flat_map(|c| c.rules.iter().map(|r| r.kind.as_str()))
        .collect();
    Boundary {
        scope,
        accounts: accounts.into_values().collect(),
        kinds_not_collected: read
            .difference(&attempted)
            .map(|k| (*k).to_owned())
            .collect(),
    }
}
