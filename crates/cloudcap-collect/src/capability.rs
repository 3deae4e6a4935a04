//! What each collector can evidence, kind by kind: the capability matrix of
//! `docs/collectors.md`, generated from this module by `cargo xtask codegen` and drift-checked.
//!
//! A kind is *collected* when the provider's collector reads it and *not read* when it does
//! not (no sourced call evidences it yet: every scope then gets a `not-implemented` status,
//! which claims nothing of the provider's service), and a collected kind lists the fields the provider does not report — left out of its records,
//! so rules over them are not evaluated (`docs/evidence-kinds.md`, "Unknown is never false").
//! The e2e tests hold these lists to the records the collectors write.

use cloudcap_model::Provider;

use crate::cn::{self, CnProvider};

/// Whether a field is never in a provider's records of a kind or only in some of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// The provider's API does not have the fact at all.
    Always,
    /// Left out for some resources (a condition given in the gap table of the docs).
    Sometimes,
}

/// A field of a collected kind that a provider does not report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    /// Evidence kind.
    pub kind: &'static str,
    /// Field of the kind.
    pub field: &'static str,
    /// Never or only sometimes reported.
    pub when: When,
}

const fn always(kind: &'static str, field: &'static str) -> Gap {
    Gap {
        kind,
        field,
        when: When::Always,
    }
}

const fn sometimes(kind: &'static str, field: &'static str) -> Gap {
    Gap {
        kind,
        field,
        when: When::Sometimes,
    }
}

/// What a provider's collector does with a kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Capability {
    /// Read from the provider; `gaps` are the fields it does not (always) report.
    Collected {
        /// Fields left out of the records (sorted by field).
        gaps: Vec<Gap>,
    },
    /// The collector does not read the kind from the provider (no sourced call yet); its
    /// scopes get `not-implemented` statuses.
    NotRead,
}

/// Every provider with a collector, in the matrix's column order.
pub fn providers() -> Vec<Provider> {
    let mut all = vec![Provider::Aws];
    all.extend(CnProvider::ALL.iter().map(|p| p.provider()));
    all
}

/// Every kind a collector reports on, in the matrix's row order.
pub fn kinds() -> &'static [&'static str] {
    cn::KINDS
}

/// The kinds `provider`'s collector reads (empty for a provider without a collector).
pub fn evidenced_kinds(provider: Provider) -> Vec<&'static str> {
    if provider == Provider::Aws {
        return crate::aws::KINDS.to_vec();
    }
    CnProvider::ALL
        .iter()
        .find(|p| p.provider() == provider)
        .map(|p| cn::evidenced_kinds(*p))
        .unwrap_or_default()
}

/// The fields `provider` does not report, per kind (the conditions of the `Sometimes` ones
/// are in the gap table of `docs/collectors.md`).
pub fn gaps(provider: Provider) -> &'static [Gap] {
    match provider {
        Provider::Aws => AWS_GAPS,
        Provider::Alibaba => ALIBABA_GAPS,
        Provider::Tencent => TENCENT_GAPS,
        Provider::Huawei => HUAWEI_GAPS,
        Provider::Ecloud => ECLOUD_GAPS,
        Provider::Ctyun => CTYUN_GAPS,
        _ => &[],
    }
}

const AWS_GAPS: &[Gap] = &[
    always("identity.password-policy", "max_login_attempts"),
    always("audit.trail", "retention_days"),
    sometimes("crypto.key", "rotation_enabled"),
    sometimes("storage.bucket", "public_access_block"),
    sometimes("backup.plan", "copy_regions"),
    sometimes("backup.plan", "cross_region_copy"),
    sometimes("backup.plan", "copy_outside_mainland"),
    sometimes("identity.user", "last_login_at"),
    sometimes("identity.user", "never_logged_in"),
];

const ALIBABA_GAPS: &[Gap] = &[
    always("monitoring.config-recorder", "all_resources"),
    sometimes("database.instance", "encrypted"),
    always("audit.trail", "log_file_validation"),
    always("audit.trail", "encrypted"),
    always("audit.trail", "retention_days"),
    sometimes("backup.plan", "copy_regions"),
    sometimes("backup.plan", "cross_region_copy"),
    sometimes("backup.plan", "copy_outside_mainland"),
    always("identity.access-key", "never_used"),
    sometimes("identity.access-key", "last_used_at"),
    always("identity.user", "never_logged_in"),
    sometimes("identity.user", "last_login_at"),
];

const TENCENT_GAPS: &[Gap] = &[
    always("network.security-group", "classic_network"),
    always("network.security-group", "vpc_id"),
    always("storage.bucket", "public_access_block"),
    always("audit.trail", "log_file_validation"),
    always("audit.trail", "encrypted"),
    always("audit.trail", "retention_days"),
    always("backup.plan", "cross_region_copy"),
    always("backup.plan", "copy_regions"),
    always("backup.plan", "copy_outside_mainland"),
    always("identity.user", "never_logged_in"),
    sometimes("identity.user", "last_login_at"),
    always("identity.access-key", "never_used"),
    sometimes("identity.access-key", "last_used_at"),
    always("identity.password-policy", "require_uppercase"),
    always("identity.password-policy", "require_lowercase"),
    always("identity.password-policy", "require_numbers"),
    always("identity.password-policy", "require_symbols"),
    always("identity.password-policy", "min_char_classes"),
    always("identity.password-policy", "max_age_days"),
    always("monitoring.config-recorder", "all_resources"),
    sometimes("backup.plan", "retention_days"),
    sometimes("backup.plan", "keeps_forever"),
];

const HUAWEI_GAPS: &[Gap] = &[
    always("network.security-group", "classic_network"),
    always("network.security-group", "vpc_id"),
    always("identity.password-policy", "require_uppercase"),
    always("identity.password-policy", "require_lowercase"),
    always("identity.password-policy", "require_numbers"),
    always("identity.password-policy", "require_symbols"),
    sometimes("identity.access-key", "last_used_at"),
    sometimes("identity.access-key", "never_used"),
    always("identity.user", "never_logged_in"),
    sometimes("audit.trail", "retention_days"),
];

const ECLOUD_GAPS: &[Gap] = &[
    always("region.inventory", "mainland_china"),
    always("network.security-group", "classic_network"),
    always("network.security-group", "vpc_id"),
];

// A group without `vpcID` (none is documented, but the field is optional): neither its VPC nor
// whether it serves a classic network is in the answer.
// An encrypted volume's `kmsUUID` names a key, not whether the customer made it.
// A backup policy keeping a number of backups (`num`) has no day count; `all` keeps every one;
// policies say nothing about copies to other regions.
// A ZOS endpoint that does not implement GetPublicAccessBlock (HTTP 501): the block is unknown.
const CTYUN_GAPS: &[Gap] = &[
    sometimes("storage.bucket", "public_access_block"),
    always("backup.plan", "copy_outside_mainland"),
    always("backup.plan", "copy_regions"),
    always("backup.plan", "cross_region_copy"),
    sometimes("backup.plan", "keeps_forever"),
    sometimes("backup.plan", "retention_days"),
    sometimes("compute.volume", "customer_managed_key"),
    sometimes("database.instance", "encrypted"),
    always("region.inventory", "mainland_china"),
    sometimes("network.security-group", "classic_network"),
    sometimes("network.security-group", "vpc_id"),
];

/// What `provider` does with `kind`.
pub fn capability(provider: Provider, kind: &str) -> Capability {
    if !evidenced_kinds(provider).contains(&kind) {
        return Capability::NotRead;
    }
    let mut gaps: Vec<Gap> = gaps(provider)
        .iter()
        .filter(|g| g.kind == kind)
        .copied()
        .collect();
    gaps.sort_by_key(|g| g.field);
    gaps.dedup_by_key(|g| g.field);
    Capability::Collected { gaps }
}

/// The display name of a provider in the matrix.
fn title(provider: Provider) -> &'static str {
    match provider {
        Provider::Aws => "AWS",
        Provider::Alibaba => "Alibaba",
        Provider::Tencent => "Tencent",
        Provider::Huawei => "Huawei",
        Provider::Ecloud => "ecloud",
        Provider::Ctyun => "CTyun",
        _ => provider.as_str(),
    }
}

/// The matrix as a Markdown table (rows: kinds, columns: providers), with its legend.
pub fn matrix_md() -> String {
    let providers = providers();
    let mut out = String::new();
    out.push_str("| kind |");
    for p in &providers {
        out.push_str(&format!(" {} |", title(*p)));
    }
    out.push_str("\n| --- |");
    for _ in &providers {
        out.push_str(" --- |");
    }
    out.push('\n');
    for kind in kinds() {
        out.push_str(&format!("| `{kind}` |"));
        for p in &providers {
            let cell = match capability(*p, kind) {
                Capability::NotRead => "not read".to_owned(),
                Capability::Collected { gaps } if gaps.is_empty() => "collected".to_owned(),
                Capability::Collected { gaps } => {
                    let fields: Vec<String> = gaps
                        .iter()
                        .map(|g| match g.when {
                            When::Always => format!("`{}`", g.field),
                            When::Sometimes => format!("`{}`†", g.field),
                        })
                        .collect();
                    format!("collected; not reported: {}", fields.join(", "))
                }
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out.push_str(
        "\ncollected: the collector reads the kind; not reported: fields left out of its \
         records (never guessed), † only for some resources (the gap table says when); \
         not read: the collector does not read the kind from this provider (no sourced call \
         yet, the gap table says why), every scope gets a `not-implemented` status and the \
         rules over it are not evaluated. It says nothing of whether the provider offers the \
         service.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gap_names_a_collected_kind_and_a_field_of_its_schema() {
        for provider in providers() {
            let evidenced = evidenced_kinds(provider);
            assert!(!evidenced.is_empty(), "{provider:?} evidences nothing");
            for gap in gaps(provider) {
                assert!(
                    evidenced.contains(&gap.kind),
                    "{provider:?}: gap {} on a kind it does not collect",
                    gap.kind
                );
                let kind = cloudcap_evidence::kind(gap.kind)
                    .unwrap_or_else(|| panic!("{}: not a kind", gap.kind));
                assert!(
                    kind.field(gap.field).is_some_and(|f| f.optional),
                    "{provider:?}: {}.{} is not an optional field of the kind",
                    gap.kind,
                    gap.field
                );
            }
        }
    }

    #[test]
    fn matrix_has_a_row_per_kind_and_a_column_per_provider() {
        let md = matrix_md();
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| `")).collect();
        assert_eq!(rows.len(), kinds().len());
        for row in rows {
            assert_eq!(row.matches(" |").count(), providers().len() + 1, "{row}");
        }
    }
}
