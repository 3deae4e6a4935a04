//! Per-provider allow-lists of read-only API actions.
//!
//! Read-only cannot be told from the HTTP method (AWS query APIs, Tencent API 3.0 and Huawei KMS
//! read through POST), so every request names its `(service, action)` and the HTTP client refuses
//! any pair that is not on its provider's list before signing it.

use std::collections::BTreeSet;

/// The read-only `(service, action)` pairs one provider's collector may call.
#[derive(Debug, Clone)]
pub struct AllowList {
    provider: &'static str,
    actions: BTreeSet<(&'static str, &'static str)>,
}

impl AllowList {
    /// Builds a list from `(service, action)` pairs.
    pub fn new(provider: &'static str, actions: &[(&'static str, &'static str)]) -> AllowList {
        AllowList {
            provider,
            actions: actions.iter().copied().collect(),
        }
    }

    /// The provider this list belongs to.
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// Whether `action` of `service` may be called.
    pub fn permits(&self, service: &str, action: &str) -> bool {
        self.actions
            .iter()
            .any(|&(s, a)| s == service && a == action)
    }

    /// Every allowed pair, sorted.
    pub fn actions(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        self.actions.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_pairs_not_listed() {
        let list = AllowList::new("aws", &[("iam", "ListUsers"), ("s3", "GetBucketAcl")]);
        assert!(list.permits("iam", "ListUsers"));
        assert!(!list.permits("iam", "CreateUser"));
        assert!(!list.permits("s3", "ListUsers"));
        assert!(!list.permits("s3", "PutBucketAcl"));
    }
}
