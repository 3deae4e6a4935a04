//! The accounts file of `cloudcap collect estate`: which accounts to collect, of which provider,
//! into which bundle, with credentials named by environment variable (never the secrets
//! themselves). Parsed strictly; every problem is returned at once, each with `path:line:col`
//! and a stable code, and nothing is collected while there is one.
//!
//! ```toml
//! [[account]]
//! provider = "alibaba"             # aws | alibaba | tencent | huawei | ecloud | ctyun
//! label = "prod-alibaba"           # the bundle DIR/<label>: a-z 0-9 - _, unique
//! access_key_env = "PROD_ALI_ID"   # names of environment variables
//! secret_key_env = "PROD_ALI_SECRET"
//! regions = ["cn-hangzhou"]        # optional; default every listed region
//!
//! [[account]]
//! provider = "aws"
//! label = "prod-aws"
//! profile = "audit"                # aws only: a shared-credentials profile instead of keys
//! ```
//!
//! The parser is pure: whether a named variable is set is asked of the caller. No value of the
//! file other than a provider word or a label is repeated in a message, so a secret pasted where
//! a variable name belongs does not reach the output.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use cloudcap_evidence::Provider;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The providers an accounts file may name (every provider with a collector).
pub(crate) const PROVIDERS: &[Provider] = &[
    Provider::Aws,
    Provider::Alibaba,
    Provider::Tencent,
    Provider::Huawei,
    Provider::Ecloud,
    Provider::Ctyun,
];

/// The keys of an `[[account]]` table.
const KEYS: &[&str] = &[
    "provider",
    "label",
    "access_key_env",
    "secret_key_env",
    "session_token_env",
    "profile",
    "regions",
    "endpoint_url",
    "account_id",
    "zos_endpoint",
    "zos_region",
    "zos_access_key_env",
    "zos_secret_key_env",
];

/// The ZOS keys of a ctyun account: all of them or none.
const ZOS_KEYS: [&str; 4] = [
    "zos_endpoint",
    "zos_region",
    "zos_access_key_env",
    "zos_secret_key_env",
];

/// A ctyun account's object storage (ZOS): its S3 endpoint, region and the names of the
/// variables holding its key pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ZosSource {
    pub(crate) endpoint: String,
    pub(crate) region: String,
    pub(crate) access_key_env: String,
    pub(crate) secret_key_env: String,
}

/// Where an account's credentials come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CredentialSource {
    /// The names of the environment variables that hold them.
    Env {
        access_key_env: String,
        secret_key_env: String,
        /// AWS only.
        session_token_env: Option<String>,
    },
    /// An AWS shared-credentials profile.
    Profile(String),
}

/// One account of the file, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Account {
    pub(crate) provider: Provider,
    /// The bundle directory under `--out`.
    pub(crate) label: String,
    pub(crate) credentials: CredentialSource,
    /// Empty: every region the account lists.
    pub(crate) regions: Vec<String>,
    pub(crate) endpoint_url: Option<String>,
    /// ecloud, ctyun: the account id to record (their APIs name none).
    pub(crate) account_id: Option<String>,
    /// ctyun: object storage; `None` records ZOS as not collected.
    pub(crate) zos: Option<ZosSource>,
}

/// The stable code of an accounts-file problem.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Code {
    /// Not TOML, or a value of the wrong type.
    Syntax,
    /// A key the accounts file does not have.
    UnknownKey,
    /// `provider`, `label` or a credential key is missing.
    MissingKey,
    /// `provider` is not one with a collector.
    UnknownProvider,
    /// `label` has a character other than `a-z`, `0-9`, `-`, `_`.
    BadLabel,
    /// Two accounts with the same label.
    DuplicateLabel,
    /// A `*_env` value is not the name of an environment variable.
    BadEnvName,
    /// The named environment variable is not set (or empty).
    MissingEnv,
    /// Both a profile and key variables, for one account.
    ConflictingCredentials,
    /// A key the account's provider does not take (`profile`, `session_token_env`: aws only;
    /// `account_id`: ecloud and ctyun only).
    UnsupportedKey,
    /// `account_id` is not 1–64 letters, digits, `.`, `_` or `-`.
    BadAccountId,
    /// No `[[account]]`, or an empty string or list.
    Empty,
}

impl Code {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "accounts-syntax",
            Code::UnknownKey => "unknown-key",
            Code::MissingKey => "missing-key",
            Code::UnknownProvider => "unknown-provider",
            Code::BadLabel => "bad-label",
            Code::DuplicateLabel => "duplicate-label",
            Code::BadEnvName => "bad-env-name",
            Code::MissingEnv => "missing-env",
            Code::ConflictingCredentials => "conflicting-credentials",
            Code::UnsupportedKey => "unsupported-key",
            Code::BadAccountId => "bad-account-id",
            Code::Empty => "empty",
        }
    }
}

/// One problem in an accounts file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) path: String,
    pub(crate) line: usize,
    pub(crate) col: usize,
    pub(crate) code: Code,
    pub(crate) message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.path,
            self.line,
            self.col,
            self.code.as_str(),
            self.message
        )
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn is_label(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A POSIX-portable environment variable name: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_env_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

struct Checker<'a> {
    path: &'a str,
    text: &'a str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn push(&mut self, span: &Range<usize>, code: Code, message: String) {
        let (line, col) = line_col(self.text, span.start);
        self.problems.push(Problem {
            path: self.path.to_owned(),
            line,
            col,
            code,
            message,
        });
    }

    /// A non-empty string value, else the problem.
    fn string(&mut self, key: &str, value: &Spanned<DeValue<'_>>) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) if s.trim().is_empty() => {
                self.push(
                    &value.span(),
                    Code::Empty,
                    format!("`{key}` is empty; leave the key out instead"),
                );
                None
            }
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.push(
                    &value.span(),
                    Code::Syntax,
                    format!("`{key}` must be a string, not {}", other.type_str()),
                );
                None
            }
        }
    }

    /// The name of an environment variable that is set, else the problem.
    fn env_name(
        &mut self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
        is_set: &dyn Fn(&str) -> bool,
    ) -> Option<String> {
        let name = self.string(key, value)?;
        if !is_env_name(&name) {
            self.push(
                &value.span(),
                Code::BadEnvName,
                format!(
                    "`{key}` is not the name of an environment variable (A-Z, a-z, 0-9, _): \
                     name the variable that holds the credential, never the credential itself"
                ),
            );
            return None;
        }
        if !is_set(&name) {
            self.push(
                &value.span(),
                Code::MissingEnv,
                format!("the environment variable `{key}` names is not set (or empty)"),
            );
            return None;
        }
        Some(name)
    }

    fn account(
        &mut self,
        table: &Spanned<DeValue<'_>>,
        is_set: &dyn Fn(&str) -> bool,
    ) -> (Option<Account>, Option<(String, Range<usize>)>) {
        let header = table.span();
        let DeValue::Table(entries) = table.get_ref() else {
            self.push(
                &header,
                Code::Syntax,
                format!(
                    "an account must be a table ([[account]]), not {}",
                    table.get_ref().type_str()
                ),
            );
            return (None, None);
        };
        let mut by_key: BTreeMap<&str, &Spanned<DeValue<'_>>> = BTreeMap::new();
        let mut key_spans: BTreeMap<&str, Range<usize>> = BTreeMap::new();
        for (key, value) in entries {
            let name: &str = key.get_ref();
            if KEYS.contains(&name) {
                by_key.insert(name, value);
                key_spans.insert(name, key.span());
            } else {
                self.push(
                    &key.span(),
                    Code::UnknownKey,
                    format!(
                        "unknown key `{}` in [[account]]; expected one of {}",
                        name.escape_debug(),
                        KEYS.join(", ")
                    ),
                );
            }
        }
        let before = self.problems.len();
        let provider = match by_key.get("provider") {
            None => {
                self.push(&header, Code::MissingKey, "no `provider`".to_owned());
                None
            }
            Some(v) => self.string("provider", v).and_then(|word| {
                let found = PROVIDERS.iter().copied().find(|p| p.as_str() == word);
                if found.is_none() {
                    let known: Vec<&str> = PROVIDERS.iter().map(|p| p.as_str()).collect();
                    self.push(
                        &v.span(),
                        Code::UnknownProvider,
                        format!(
                            "unknown provider `{}`; expected one of {}",
                            word.escape_debug(),
                            known.join(", ")
                        ),
                    );
                }
                found
            }),
        };
        let label = match by_key.get("label") {
            None => {
                self.push(
                    &header,
                    Code::MissingKey,
                    "no `label` (the bundle directory's name)".to_owned(),
                );
                None
            }
            Some(v) => self.string("label", v).and_then(|label| {
                if is_label(&label) {
                    Some(label)
                } else {
                    self.push(
                        &v.span(),
                        Code::BadLabel,
                        format!(
                            "label `{}` may only have lowercase letters, digits, `-` and `_`",
                            label.escape_debug()
                        ),
                    );
                    None
                }
            }),
        };
        let aws_only = provider.is_some_and(|p| p != Provider::Aws);
        for key in ["profile", "session_token_env"] {
            if aws_only && let Some(span) = key_spans.get(key) {
                self.push(
                    span,
                    Code::UnsupportedKey,
                    format!(
                        "`{key}` is for aws accounts only; name the variables with \
                         access_key_env and secret_key_env"
                    ),
                );
            }
        }
        let has_keys = ["access_key_env", "secret_key_env", "session_token_env"]
            .iter()
            .any(|k| by_key.contains_key(k));
        // Every named variable is checked, whatever else is wrong with the account.
        let access = by_key.get("access_key_env");
        let secret = by_key.get("secret_key_env");
        let access_name = access.and_then(|v| self.env_name("access_key_env", v, is_set));
        let secret_name = secret.and_then(|v| self.env_name("secret_key_env", v, is_set));
        let token_name = match by_key.get("session_token_env") {
            Some(v) => self.env_name("session_token_env", v, is_set).map(Some),
            None => Some(None),
        };
        let credentials = match by_key.get("profile") {
            Some(_) if has_keys => {
                self.push(
                    &key_spans["profile"],
                    Code::ConflictingCredentials,
                    "both `profile` and key variables: name one credential source".to_owned(),
                );
                None
            }
            Some(profile) => self
                .string("profile", profile)
                .map(CredentialSource::Profile),
            None => {
                if access.is_none() && secret.is_none() {
                    self.push(
                        &header,
                        Code::MissingKey,
                        "no credentials: name the variables with access_key_env and \
                         secret_key_env (aws: or a profile)"
                            .to_owned(),
                    );
                } else {
                    for (key, value) in [("access_key_env", access), ("secret_key_env", secret)] {
                        if value.is_none() {
                            self.push(&header, Code::MissingKey, format!("no `{key}`"));
                        }
                    }
                }
                match (access_name, secret_name, token_name) {
                    (Some(access_key_env), Some(secret_key_env), Some(session_token_env)) => {
                        Some(CredentialSource::Env {
                            access_key_env,
                            secret_key_env,
                            session_token_env,
                        })
                    }
                    _ => None,
                }
            }
        };
        let regions = match by_key.get("regions") {
            None => Vec::new(),
            Some(v) => match v.get_ref() {
                DeValue::Array(items) => {
                    if items.is_empty() {
                        self.push(
                            &v.span(),
                            Code::Empty,
                            "`regions` is empty; leave the key out to collect every listed region"
                                .to_owned(),
                        );
                    }
                    items
                        .iter()
                        .filter_map(|item| self.string("regions", item))
                        .collect()
                }
                other => {
                    self.push(
                        &v.span(),
                        Code::Syntax,
                        format!(
                            "`regions` must be a list of strings, not {}",
                            other.type_str()
                        ),
                    );
                    Vec::new()
                }
            },
        };
        let endpoint_url = by_key
            .get("endpoint_url")
            .and_then(|v| self.string("endpoint_url", v));
        let declarable = provider.is_some_and(|p| matches!(p, Provider::Ecloud | Provider::Ctyun));
        let account_id = match by_key.get("account_id") {
            Some(v) if provider.is_some() && !declarable => {
                self.push(
                    &v.span(),
                    Code::UnsupportedKey,
                    "`account_id` is for ecloud and ctyun accounts only; the other providers' \
                     APIs name the account"
                        .to_owned(),
                );
                None
            }
            Some(v) => self.string("account_id", v).and_then(|id| {
                // The value is not echoed: only provider words and labels are.
                match super::account_id(&id) {
                    Ok(id) => Some(id),
                    Err(message) => {
                        self.push(&v.span(), Code::BadAccountId, message);
                        None
                    }
                }
            }),
            None => None,
        };
        let given: Vec<&str> = ZOS_KEYS
            .iter()
            .copied()
            .filter(|k| by_key.contains_key(k))
            .collect();
        let zos = if given.is_empty() {
            None
        } else if provider.is_some_and(|p| p != Provider::Ctyun) {
            for key in &given {
                self.push(
                    &by_key[key].span(),
                    Code::UnsupportedKey,
                    format!("`{key}` is for ctyun accounts only (its object storage, ZOS)"),
                );
            }
            None
        } else if given.len() < ZOS_KEYS.len() {
            let missing: Vec<&str> = ZOS_KEYS
                .iter()
                .copied()
                .filter(|k| !given.contains(k))
                .collect();
            self.push(
                &by_key[given[0]].span(),
                Code::MissingKey,
                format!(
                    "ZOS needs all of {}: also give {}",
                    ZOS_KEYS.join(", "),
                    missing.join(", ")
                ),
            );
            None
        } else {
            let endpoint = self.string("zos_endpoint", by_key["zos_endpoint"]);
            let region = self.string("zos_region", by_key["zos_region"]);
            let id = self.env_name("zos_access_key_env", by_key["zos_access_key_env"], is_set);
            let secret = self.env_name("zos_secret_key_env", by_key["zos_secret_key_env"], is_set);
            match (endpoint, region, id, secret) {
                (Some(endpoint), Some(region), Some(access_key_env), Some(secret_key_env)) => {
                    Some(ZosSource {
                        endpoint,
                        region,
                        access_key_env,
                        secret_key_env,
                    })
                }
                _ => None,
            }
        };
        let labelled = label.clone().zip(by_key.get("label").map(|v| v.span()));
        if self.problems.len() > before {
            return (None, labelled);
        }
        let account = match (provider, label, credentials) {
            (Some(provider), Some(label), Some(credentials)) => Some(Account {
                provider,
                label,
                credentials,
                regions,
                endpoint_url,
                account_id,
                zos,
            }),
            _ => None,
        };
        (account, labelled)
    }
}

/// Parses the accounts file `text` (shown as `path` in problems); `is_set` says whether an
/// environment variable is set to a non-empty value.
pub(crate) fn parse_accounts(
    path: &str,
    text: &str,
    is_set: &dyn Fn(&str) -> bool,
) -> Result<Vec<Account>, Vec<Problem>> {
    let mut checker = Checker {
        path,
        text,
        problems: Vec::new(),
    };
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for err in &errors {
            let message = err.message().trim().replace('\n', " ");
            checker.push(&err.span().unwrap_or(0..0), Code::Syntax, message);
        }
        return Err(finish(checker.problems));
    }
    let mut accounts = Vec::new();
    let mut labels: BTreeMap<String, usize> = BTreeMap::new();
    let mut any = false;
    for (key, value) in root.get_ref() {
        if key.get_ref() != "account" {
            checker.push(
                &key.span(),
                Code::UnknownKey,
                format!(
                    "unknown key `{}`; the file holds [[account]] tables",
                    key.get_ref().escape_debug()
                ),
            );
            continue;
        }
        let DeValue::Array(tables) = value.get_ref() else {
            checker.push(
                &value.span(),
                Code::Syntax,
                format!(
                    "`account` must be a list of tables ([[account]]), not {}",
                    value.get_ref().type_str()
                ),
            );
            continue;
        };
        for table in tables.iter() {
            any = true;
            let (account, labelled) = checker.account(table, is_set);
            if let Some((label, span)) = labelled {
                if let Some(first) = labels.get(&label) {
                    checker.push(
                        &span,
                        Code::DuplicateLabel,
                        format!(
                            "label `{label}` is already the label of the account at line {first}"
                        ),
                    );
                    continue;
                }
                labels.insert(label, line_col(text, span.start).0);
            }
            accounts.extend(account);
        }
    }
    if !any && checker.problems.is_empty() {
        checker.push(
            &(0..0),
            Code::Empty,
            "no [[account]] table: nothing to collect".to_owned(),
        );
    }
    if checker.problems.is_empty() {
        Ok(accounts)
    } else {
        Err(finish(checker.problems))
    }
}

fn finish(mut problems: Vec<Problem>) -> Vec<Problem> {
    problems.sort_by_key(|p| (p.line, p.col, p.code));
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(name: &str) -> bool {
        name.starts_with("SET_")
    }

    fn problems(text: &str) -> Vec<String> {
        parse_accounts("a.toml", text, &set)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn accounts_file_parses_every_provider() {
        let text = r#"
[[account]]
provider = "alibaba"
label = "ali-1"
access_key_env = "SET_A"
secret_key_env = "SET_B"
regions = ["cn-hangzhou"]
endpoint_url = "http://127.0.0.1:1"

[[account]]
provider = "aws"
label = "aws_2"
profile = "audit"
"#;
        let accounts = parse_accounts("a.toml", text, &set).unwrap();
        assert_eq!(accounts.len(), 2);
        assert_eq!(accounts[0].provider, Provider::Alibaba);
        assert_eq!(accounts[0].regions, vec!["cn-hangzhou".to_owned()]);
        assert_eq!(
            accounts[1].credentials,
            CredentialSource::Profile("audit".to_owned())
        );
    }

    #[test]
    fn account_ids_are_declared_for_ecloud_and_ctyun_only() {
        let text = "[[account]]\nprovider = \"ctyun\"\nlabel = \"ct\"\naccess_key_env = \"SET_A\"\nsecret_key_env = \"SET_B\"\naccount_id = \"ct-0001\"\n";
        let accounts = parse_accounts("a.toml", text, &set).unwrap();
        assert_eq!(accounts[0].account_id.as_deref(), Some("ct-0001"));
        let got = problems(
            "[[account]]\nprovider = \"alibaba\"\nlabel = \"a\"\naccess_key_env = \"SET_A\"\nsecret_key_env = \"SET_B\"\naccount_id = \"123\"\n\n[[account]]\nprovider = \"ecloud\"\nlabel = \"e\"\naccess_key_env = \"SET_A\"\nsecret_key_env = \"SET_B\"\naccount_id = \"not an id\"\n",
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            got[0]
                .starts_with("a.toml:6:14: unsupported-key: `account_id` is for ecloud and ctyun"),
            "{got:?}"
        );
        assert!(
            got[1].starts_with("a.toml:13:14: bad-account-id: "),
            "{got:?}"
        );
        assert!(
            !got[1].contains("not an id"),
            "the value is not echoed: {got:?}"
        );
    }

    #[test]
    fn zos_keys_are_for_ctyun_all_or_none() {
        let base = |provider: &str, extra: &str| {
            format!(
                "[[account]]\nprovider = \"{provider}\"\nlabel = \"c\"\naccess_key_env = \"SET_A\"\nsecret_key_env = \"SET_B\"\n{extra}"
            )
        };
        let all = "zos_endpoint = \"https://zos.example\"\nzos_region = \"r1\"\nzos_access_key_env = \"SET_Z\"\nzos_secret_key_env = \"SET_S\"\n";
        let accounts = parse_accounts("a.toml", &base("ctyun", all), &set).unwrap();
        assert_eq!(
            accounts[0].zos,
            Some(ZosSource {
                endpoint: "https://zos.example".into(),
                region: "r1".into(),
                access_key_env: "SET_Z".into(),
                secret_key_env: "SET_S".into(),
            })
        );
        assert_eq!(
            parse_accounts("a.toml", &base("ctyun", ""), &set).unwrap()[0].zos,
            None
        );
        // Some but not all: one problem naming the missing keys.
        let got = problems(&base("ctyun", "zos_region = \"r1\"\n"));
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].starts_with("a.toml:6:14: missing-key: ZOS needs all of"),
            "{got:?}"
        );
        assert!(
            got[0].contains("also give zos_endpoint, zos_access_key_env, zos_secret_key_env"),
            "{got:?}"
        );
        // Another provider: each key refused. An unset variable: named, its value not shown.
        let got = problems(&base("huawei", all));
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(
            got.iter().all(|p| p.contains(": unsupported-key: ")),
            "{got:?}"
        );
        let unset = all.replace("SET_S", "UNSET_S");
        let got = problems(&base("ctyun", &unset));
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("a.toml:9:22: missing-env: "), "{got:?}");
    }

    #[test]
    fn accounts_file_reports_every_problem_at_once() {
        let text = r#"[[account]]
provider = "sample"
label = "Bad Label"
access_key_env = "SET_A"
secret_key_env = "UNSET_B"
colour = "blue"

[[account]]
provider = "tencent"
label = "t"
profile = "x"
access_key_env = "SET_A"
secret_key_env = "wJal/rXUtnFEMI+K7MDENG"

[[account]]
provider = "huawei"
label = "t"
regions = []
"#;
        let got = problems(text);
        assert_eq!(
            got,
            vec![
                "a.toml:2:12: unknown-provider: unknown provider `sample`; expected one of aws, alibaba, tencent, huawei, ecloud, ctyun",
                "a.toml:3:9: bad-label: label `Bad Label` may only have lowercase letters, digits, `-` and `_`",
                "a.toml:5:18: missing-env: the environment variable `secret_key_env` names is not set (or empty)",
                "a.toml:6:1: unknown-key: unknown key `colour` in [[account]]; expected one of provider, label, access_key_env, secret_key_env, session_token_env, profile, regions, endpoint_url, account_id, zos_endpoint, zos_region, zos_access_key_env, zos_secret_key_env",
                "a.toml:11:1: conflicting-credentials: both `profile` and key variables: name one credential source",
                "a.toml:11:1: unsupported-key: `profile` is for aws accounts only; name the variables with access_key_env and secret_key_env",
                "a.toml:13:18: bad-env-name: `secret_key_env` is not the name of an environment variable (A-Z, a-z, 0-9, _): name the variable that holds the credential, never the credential itself",
                "a.toml:15:1: missing-key: no credentials: name the variables with access_key_env and secret_key_env (aws: or a profile)",
                "a.toml:17:9: duplicate-label: label `t` is already the label of the account at line 10",
                "a.toml:18:11: empty: `regions` is empty; leave the key out to collect every listed region",
            ]
        );
        assert!(!got.concat().contains("wJal"));
    }

    #[test]
    fn accounts_file_syntax_and_type_problems_have_their_place() {
        let got = problems("[[account]]\nprovider = \"aws\nlabel = 1\n");
        assert!(!got.is_empty());
        assert!(
            got.iter().all(|p| p.contains(": accounts-syntax: ")),
            "{got:?}"
        );
        assert!(got[0].starts_with("a.toml:2:"), "{got:?}");

        let got = problems(
            "owner = \"x\"\n[[account]]\nprovider = \"aws\"\nlabel = \"a\"\nprofile = \"p\"\nregions = \"cn-north-1\"\nendpoint_url = \"\"\n",
        );
        assert_eq!(
            got,
            vec![
                "a.toml:1:1: unknown-key: unknown key `owner`; the file holds [[account]] tables",
                "a.toml:6:11: accounts-syntax: `regions` must be a list of strings, not string",
                "a.toml:7:16: empty: `endpoint_url` is empty; leave the key out instead",
            ]
        );

        let accounts = parse_accounts(
            "a.toml",
            "[[account]]\nprovider = \"aws\"\nlabel = \"a\"\naccess_key_env = \"SET_A\"\nsecret_key_env = \"SET_B\"\nsession_token_env = \"SET_C\"\n",
            &set,
        )
        .unwrap();
        assert_eq!(
            accounts[0].credentials,
            CredentialSource::Env {
                access_key_env: "SET_A".into(),
                secret_key_env: "SET_B".into(),
                session_token_env: Some("SET_C".into()),
            }
        );
    }
}
