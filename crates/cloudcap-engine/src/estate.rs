//! An estate: several bundles (one per account, collected on one machine or many) combined
//! into one [`Evidence`], refused when two of them cover the same scope.
//!
//! The combination does not depend on the order of its parts: the bundles are taken by merkle
//! root, and every list of the result is sorted, so an estate assesses to the same report
//! whatever order its bundles were given in (`docs/scoring.md` §12).

use std::collections::{BTreeMap, BTreeSet};

use crate::input::Evidence;
use crate::report::BundleRef;

/// One scope a bundle covers: a kind collected (or recorded) for one account in one region.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScopeKey {
    pub provider: String,
    pub account: String,
    pub kind: String,
    pub region: String,
}

impl std::fmt::Display for ScopeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "provider {}, account {}, kind {}, region {}",
            self.provider, self.account, self.kind, self.region
        )
    }
}

/// Why bundles cannot be combined into one estate. `first` and `second` are positions in the
/// list given to [`combine`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EstateError {
    #[error("no bundle given")]
    Empty,
    /// The same bundle (by merkle root) given twice.
    #[error("bundles {first} and {second} are the same bundle (merkle root {merkle_root})")]
    SameBundle {
        first: usize,
        second: usize,
        merkle_root: String,
    },
    /// Two bundles cover one scope: grading both would count its resources twice.
    #[error("bundles {first} and {second} both cover {scope}")]
    Overlap {
        first: usize,
        second: usize,
        scope: ScopeKey,
    },
}

/// Every scope `evidence` covers: of its collection statuses and of its records.
pub fn scopes(evidence: &Evidence) -> BTreeSet<ScopeKey> {
    let key = |provider: &str, account: &str, kind: &str, region: &str| ScopeKey {
        provider: provider.to_owned(),
        account: account.to_owned(),
        kind: kind.to_owned(),
        region: region.to_owned(),
    };
    let mut out = BTreeSet::new();
    for s in &evidence.statuses {
        out.insert(key(s.provider.as_str(), &s.account, &s.kind, &s.region));
    }
    for r in &evidence.records {
        out.insert(key(r.provider.as_str(), &r.account, &r.kind, &r.region));
    }
    out
}

/// Every (provider, account) `evidence` speaks of (records, statuses, runs), sorted.
pub fn accounts(evidence: &Evidence) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for r in &evidence.records {
        out.insert((r.provider.as_str().to_owned(), r.account.clone()));
    }
    for s in &evidence.statuses {
        out.insert((s.provider.as_str().to_owned(), s.account.clone()));
    }
    for r in &evidence.runs {
        out.insert((r.provider.as_str().to_owned(), r.account.clone()));
    }
    out
}

/// Combines the evidence of several bundles into one estate. One bundle is returned as it is;
/// several are refused when one is given twice or two cover the same scope, and otherwise give
/// the union of their records, statuses, runs and attestations (an attestation found in two
/// bundles counts once), with the latest recorded scope statement, and [`Evidence::bundles`]
/// naming every bundle, sorted by merkle root.
pub fn combine(parts: Vec<Evidence>) -> Result<Evidence, EstateError> {
    if parts.len() <= 1 {
        return parts.into_iter().next().ok_or(EstateError::Empty);
    }
    let mut parts: Vec<(usize, Evidence)> = parts.into_iter().enumerate().collect();
    parts.sort_by(|(i, a), (j, b)| {
        a.bundle_merkle_root
            .cmp(&b.bundle_merkle_root)
            .then(i.cmp(j))
    });
    for w in parts.windows(2) {
        if w[0].1.bundle_merkle_root == w[1].1.bundle_merkle_root {
            let (first, second) = (w[0].0.min(w[1].0), w[0].0.max(w[1].0));
            return Err(EstateError::SameBundle {
                first,
                second,
                merkle_root: w[0].1.bundle_merkle_root.clone(),
            });
        }
    }
    let mut owner: BTreeMap<ScopeKey, usize> = BTreeMap::new();
    for (i, e) in &parts {
        for scope in scopes(e) {
            if let Some(&first) = owner.get(&scope) {
                return Err(EstateError::Overlap {
                    first,
                    second: *i,
                    scope,
                });
            }
            owner.insert(scope, *i);
        }
    }

    let mut out = Evidence::default();
    for (_, e) in parts {
        out.bundles.push(BundleRef {
            merkle_root: e.bundle_merkle_root.clone(),
            created_at: e.bundle_created_at.clone(),
            accounts: accounts(&e)
                .into_iter()
                .map(|(p, a)| format!("{p}/{a}"))
                .collect(),
        });
        out.records.extend(e.records);
        out.statuses.extend(e.statuses);
        out.attestations.extend(e.attestations);
        out.runs.extend(e.runs);
        // The latest recorded statement decides, as within one bundle (then the greater hash).
        let later = match (&out.scope, &e.scope) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(a), Some(b)) => {
                (e.scope_recorded_at, &b.sha256) > (out.scope_recorded_at, &a.sha256)
            }
        };
        if later {
            out.scope = e.scope;
            out.scope_recorded_at = e.scope_recorded_at;
        }
    }
    out.records
        .sort_by(|a, b| (&a.sha256, &a.resource_id).cmp(&(&b.sha256, &b.resource_id)));
    out.statuses.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    out.attestations.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    out.attestations.dedup_by(|a, b| a.sha256 == b.sha256);
    out.runs
        .sort_by_cached_key(|r| serde_json::to_string(r).unwrap_or_default());
    // The estate's own identity fields name its first bundle; reports name all of them.
    if let Some(first) = out.bundles.first() {
        out.bundle_merkle_root = first.merkle_root.clone();
        out.bundle_created_at = first.created_at.clone();
    }
    Ok(out)
}

/// The part of `evidence` about one account: its records, statuses and runs, with every
/// attestation and the scope statement (they speak of the service, not of an account).
pub fn restrict(evidence: &Evidence, provider: &str, account: &str) -> Evidence {
    let mine = |p: &str, a: &str| p == provider && a == account;
    Evidence {
        bundle_merkle_root: evidence.bundle_merkle_root.clone(),
        bundle_created_at: evidence.bundle_created_at.clone(),
        bundles: Vec::new(),
        records: evidence
            .records
            .iter()
            .filter(|r| mine(r.provider.as_str(), &r.account))
            .cloned()
            .collect(),
        statuses: evidence
            .statuses
            .iter()
            .filter(|s| mine(s.provider.as_str(), &s.account))
            .cloned()
            .collect(),
        attestations: evidence.attestations.clone(),
        runs: evidence
            .runs
            .iter()
            .filter(|r| mine(r.provider.as_str(), &r.account))
            .cloned()
            .collect(),
        scope: evidence.scope.clone(),
        scope_recorded_at: evidence.scope_recorded_at,
    }
}

#[cfg(test)]
mod tests {
    use cloudcap_evidence::{CollectionOutcome, Provider};
    use serde_json::json;

    use super::*;
    use crate::input::{CollectionStatus, Hashed, Record};

    fn record(account: &str, region: &str, id: &str) -> Record {
        Record {
            sha256: format!("{account}-{region}-{id}"),
            kind: "storage.bucket".into(),
            provider: Provider::Sample,
            account: account.into(),
            region: region.into(),
            resource_id: id.into(),
            value: json!({ "encrypted": true }),
        }
    }

    fn status(account: &str, region: &str) -> CollectionStatus {
        Hashed {
            sha256: format!("status-{account}-{region}"),
            object: cloudcap_evidence::CollectionStatus {
                kind: "storage.bucket".into(),
                provider: Provider::Sample,
                account: account.into(),
                region: region.into(),
                status: CollectionOutcome::Ok,
                error_class: None,
                message: None,
                record_count: 1,
            },
        }
    }

    fn bundle(root: &str, account: &str, region: &str) -> Evidence {
        Evidence {
            bundle_merkle_root: root.into(),
            bundle_created_at: "2026-11-20T08:00:00Z".into(),
            records: vec![record(account, region, &format!("{account}-b"))],
            statuses: vec![status(account, region)],
            ..Evidence::default()
        }
    }

    #[test]
    fn one_bundle_is_its_own_estate() {
        let one = bundle("aa", "a1", "r1");
        assert_eq!(combine(vec![one.clone()]), Ok(one));
        assert_eq!(combine(Vec::new()), Err(EstateError::Empty));
    }

    #[test]
    fn the_estate_does_not_depend_on_the_order_of_its_bundles() {
        let parts = [
            bundle("cc", "a3", "r1"),
            bundle("aa", "a1", "r1"),
            bundle("bb", "a2", "r2"),
        ];
        let orders = [[0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0]];
        let estates: Vec<Evidence> = orders
            .iter()
            .map(|o| combine(o.iter().map(|&i| parts[i].clone()).collect()).unwrap())
            .collect();
        assert!(estates.windows(2).all(|w| w[0] == w[1]));
        let e = &estates[0];
        let roots: Vec<&str> = e.bundles.iter().map(|b| b.merkle_root.as_str()).collect();
        assert_eq!(roots, ["aa", "bb", "cc"]);
        assert_eq!(e.bundles[1].accounts, ["sample/a2"]);
        assert_eq!(e.records.len(), 3);
        assert_eq!(e.statuses.len(), 3);
    }

    #[test]
    fn one_scope_in_two_bundles_is_refused_naming_both() {
        // Same account and kind in another region: fine. Same region: refused.
        assert!(combine(vec![bundle("aa", "a1", "r1"), bundle("bb", "a1", "r2")]).is_ok());
        let err = combine(vec![
            bundle("zz", "a2", "r1"),
            bundle("bb", "a1", "r1"),
            bundle("aa", "a1", "r1"),
        ])
        .unwrap_err();
        assert_eq!(
            err,
            EstateError::Overlap {
                first: 2,
                second: 1,
                scope: ScopeKey {
                    provider: "sample".into(),
                    account: "a1".into(),
                    kind: "storage.bucket".into(),
                    region: "r1".into(),
                },
            }
        );
        // A status without records covers its scope too.
        let mut only_status = bundle("cc", "a1", "r1");
        only_status.records.clear();
        assert!(matches!(
            combine(vec![bundle("aa", "a1", "r1"), only_status]),
            Err(EstateError::Overlap { .. })
        ));
    }

    #[test]
    fn the_same_bundle_twice_is_refused() {
        let err = combine(vec![
            bundle("bb", "a2", "r1"),
            bundle("aa", "a1", "r1"),
            bundle("bb", "a2", "r1"),
        ])
        .unwrap_err();
        assert_eq!(
            err,
            EstateError::SameBundle {
                first: 0,
                second: 2,
                merkle_root: "bb".into()
            }
        );
    }

    #[test]
    fn restricting_keeps_one_account_and_every_attestation() {
        let e = combine(vec![bundle("aa", "a1", "r1"), bundle("bb", "a2", "r1")]).unwrap();
        let a1 = restrict(&e, "sample", "a1");
        assert!(a1.records.iter().all(|r| r.account == "a1"));
        assert_eq!(a1.records.len(), 1);
        assert_eq!(a1.statuses.len(), 1);
        assert!(a1.bundles.is_empty());
        assert_eq!(accounts(&e).len(), 2);
        assert_eq!(accounts(&a1).len(), 1);
    }
}
