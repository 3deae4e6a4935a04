//! `assessment.scope`: the scope statement of an assessment — which cloud service is assessed and
//! what the collected accounts are — and its TOML file format.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::kinds::Provider;

pub use cloudcap_model::AccountRole;

/// One account named by the scope statement.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeAccount {
    /// Provider.
    pub provider: Provider,
    /// Account / tenant / domain id, as collectors record it.
    #[schemars(length(min = 1))]
    pub account: String,
    /// What the account is.
    pub role: AccountRole,
    /// Free text: what runs in the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The scope statement (`cloudcap collect … --scope FILE.toml`, `cloudcap evidence scope`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeStatement {
    /// The cloud service being assessed (name and service model).
    #[schemars(length(min = 1))]
    pub service: String,
    /// Free text: what the service comprises, its deployment, what is out of scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How customer tenants were drawn, when the accounts are a sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<String>,
    /// Who prepared the statement (the provider's or the agency's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepared_by: Option<String>,
    /// The accounts the assessment covers, sorted by provider and account.
    pub accounts: Vec<ScopeAccount>,
}

/// A scope file that cannot be used, with the one-based line and column of the problem.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseScopeError {
    /// One-based line.
    pub line: usize,
    /// One-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScope {
    service: Option<toml::Spanned<String>>,
    description: Option<String>,
    sampling: Option<String>,
    #[serde(rename = "prepared-by")]
    prepared_by: Option<String>,
    #[serde(default)]
    account: Vec<toml::Spanned<RawAccount>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    provider: Provider,
    account: String,
    role: AccountRole,
    note: Option<String>,
}

/// Parses a scope file:
///
/// ```toml
/// service = "Example Cloud IaaS: ECS, OSS, RDS (public cloud, mainland regions)"
/// description = "…"            # optional
/// sampling = "…"               # optional: how customer tenants were drawn
/// prepared-by = "…"            # optional
/// [[account]]
/// provider = "aws"             # aws, alibaba, tencent, huawei, sample
/// account = "123456789012"
/// role = "provider-platform"   # provider-platform, customer-tenant-sample, assessment-tenant
/// note = "…"                   # optional
/// ```
///
/// Unknown keys, a missing or empty `service`, an account without id and a duplicate account
/// are refused with the line and column.
pub fn parse_scope_toml(text: &str) -> Result<ScopeStatement, ParseScopeError> {
    let err = |at: usize, message: String| {
        let (line, column) = crate::attest::line_col(text, at);
        ParseScopeError {
            line,
            column,
            message,
        }
    };
    let raw: RawScope = toml::from_str(text).map_err(|e| {
        err(
            e.span().map_or(0, |s| s.start),
            e.message().trim_end().to_owned(),
        )
    })?;
    let Some(service) = raw.service else {
        return Err(err(
            0,
            "missing key `service`: name the cloud service being assessed".into(),
        ));
    };
    if service.get_ref().trim().is_empty() {
        return Err(err(service.span().start, "`service` is empty".into()));
    }
    let mut accounts: Vec<ScopeAccount> = Vec::with_capacity(raw.account.len());
    for spanned in raw.account {
        let at = spanned.span().start;
        let a = spanned.into_inner();
        if a.account.trim().is_empty() {
            return Err(err(at, "`account` is empty".into()));
        }
        if accounts
            .iter()
            .any(|b| b.provider == a.provider && b.account == a.account)
        {
            return Err(err(
                at,
                format!(
                    "account `{}` of `{}` is listed twice",
                    a.account,
                    a.provider.as_str()
                ),
            ));
        }
        accounts.push(ScopeAccount {
            provider: a.provider,
            account: a.account,
            role: a.role,
            note: a.note,
        });
    }
    accounts.sort();
    Ok(ScopeStatement {
        service: service.into_inner(),
        description: raw.description,
        sampling: raw.sampling,
        prepared_by: raw.prepared_by,
        accounts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_scope_file() {
        let s = parse_scope_toml(
            "service = \"X IaaS\"\nsampling = \"3 of 40 tenants, random\"\n[[account]]\nprovider = \"aws\"\naccount = \"2\"\nrole = \"customer-tenant-sample\"\n[[account]]\nprovider = \"aws\"\naccount = \"1\"\nrole = \"provider-platform\"\n",
        )
        .unwrap();
        assert_eq!(s.service, "X IaaS");
        assert_eq!(s.accounts[0].account, "1");
        assert_eq!(s.accounts[1].role, AccountRole::CustomerTenantSample);
    }

    #[test]
    fn unknown_key_is_refused_with_line_and_column() {
        let e = parse_scope_toml("service = \"X\"\n[[account]]\nprovider = \"aws\"\naccount = \"1\"\nrole = \"provider-platform\"\nowner = \"me\"\n")
            .unwrap_err();
        assert_eq!((e.line, e.column), (6, 1), "{e}");
        assert!(e.message.contains("owner"), "{e}");
    }

    #[test]
    fn missing_service_is_refused() {
        let e = parse_scope_toml("description = \"x\"\n").unwrap_err();
        assert!(e.message.contains("service"), "{e}");
        let e = parse_scope_toml("service = \"  \"\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 11), "{e}");
    }

    #[test]
    fn unknown_role_and_duplicate_account_are_refused() {
        let e = parse_scope_toml(
            "service = \"X\"\n[[account]]\nprovider = \"aws\"\naccount = \"1\"\nrole = \"boss\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 5, "{e}");
        let e = parse_scope_toml("service = \"X\"\n[[account]]\nprovider = \"aws\"\naccount = \"1\"\nrole = \"provider-platform\"\n[[account]]\nprovider = \"aws\"\naccount = \"1\"\nrole = \"provider-platform\"\n").unwrap_err();
        assert!(e.message.contains("twice"), "{e}");
    }
}
