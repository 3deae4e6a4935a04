//! IAM: password policy, users (credential report + authorization details), access keys.
//!
//! Calls: GetAccountPasswordPolicy, GenerateCredentialReport, GetCredentialReport (MFA, console
//! access, last login, key dates for every user in one CSV), GetAccountAuthorizationDetails
//! (users, groups and local policies in a few pages, for `privileged`), and ListAccessKeys only
//! for users the report shows with keys. GetAccessKeyLastUsed is called only when a key cannot
//! be matched to its credential-report column.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use cloudcap_evidence::{AccessKey, IdentityUser, PasswordPolicy, UtcTimestamp};
use serde_json::Value;

use crate::{
    aws::{AwsCollector, MAX_PAGES, proto},
    http::{CallError, ErrorClass},
    read::{count_text, required_stamp},
    runner::UnitCtx,
};

const VERSION: &str = "2010-05-08";
const REGION: &str = "global";

pub(crate) fn collect(aws: &AwsCollector, ctx: &mut UnitCtx<'_>) {
    password_policy(aws, ctx);
    let report = credential_report(aws, ctx);
    let details = match authorization_details(aws, ctx) {
        Ok(details) => Some(details),
        Err(err) => {
            ctx.fail("identity.user", REGION, "*", &err);
            None
        }
    };
    let report = match report {
        Ok(report) => Some(report),
        Err(err) => {
            ctx.fail("identity.user", REGION, "*", &err);
            ctx.fail("identity.access-key", REGION, "*", &err);
            None
        }
    };
    if let (Some(report), Some(details)) = (&report, &details) {
        users(ctx, report, details);
    }
    if let Some(report) = &report {
        access_keys(aws, ctx, report, details.as_ref());
    }
}

fn password_policy(aws: &AwsCollector, ctx: &mut UnitCtx<'_>) {
    const KIND: &str = "identity.password-policy";
    let endpoint = aws.endpoint("iam", REGION);
    let request = proto::query("iam", "GetAccountPasswordPolicy", VERSION, &endpoint, &[]);
    let resource = format!(
        "arn:{}:iam::{}:account-password-policy",
        aws.partition.name(),
        ctx.account()
    );
    let fetched = match ctx.send(&request) {
        Ok(fetched) => fetched,
        Err(err) => return ctx.fail(KIND, REGION, &resource, &err),
    };
    if fetched.status == 404
        && crate::http::error_code(&fetched.body).as_deref() == Some("NoSuchEntity")
    {
        // No policy: IAM's defaults apply, which are not this record's facts.
        return ctx.put(REGION, &resource, &[&fetched.sha256], |envelope| {
            PasswordPolicy {
                envelope,
                configured: false,
                min_length: None,
                require_uppercase: None,
                require_lowercase: None,
                require_numbers: None,
                require_symbols: None,
                min_char_classes: None,
                max_age_days: None,
                reuse_prevention: None,
                max_login_attempts: None,
            }
        });
    }
    if !(200..300).contains(&fetched.status) {
        let err = crate::http::classify_status(&request, &as_response(&fetched));
        return ctx.fail(KIND, REGION, &resource, &err);
    }
    let doc = match proto::xml(&request, &fetched) {
        Ok(doc) => doc,
        Err(err) => return ctx.fail(KIND, REGION, &resource, &err),
    };
    let Some(policy) = proto::descendant(doc.root_element(), "PasswordPolicy") else {
        return ctx.fail(
            KIND,
            REGION,
            &resource,
            &proto::missing(&request, "PasswordPolicy"),
        );
    };
    // The four flags are always in a configured policy; a missing one stays unknown, and so
    // does the class count then.
    let flag = |element: &str| proto::text(policy, &[element]).map(|t| proto::boolean(Some(t)));
    let require = [
        flag("RequireUppercaseCharacters"),
        flag("RequireLowercaseCharacters"),
        flag("RequireNumbers"),
        flag("RequireSymbols"),
    ];
    let classes = require
        .iter()
        .try_fold(0u32, |n, on| on.map(|on| n + u32::from(on)));
    // Absent from a configured policy means "passwords never expire" / "no reuse
    // prevention": reported facts, 0; a value that is not a count is unknown. IAM has no
    // lockout setting: `max_login_attempts` is not reported.
    let days = |element: &str| match proto::text(policy, &[element]) {
        None => Some(0),
        text => count_text(text),
    };
    ctx.put(REGION, &resource, &[&fetched.sha256], |envelope| {
        PasswordPolicy {
            envelope,
            configured: true,
            min_length: count_text(proto::text(policy, &["MinimumPasswordLength"])),
            require_uppercase: require[0],
            require_lowercase: require[1],
            require_numbers: require[2],
            require_symbols: require[3],
            min_char_classes: classes,
            max_age_days: days("MaxPasswordAge"),
            reuse_prevention: days("PasswordReusePrevention"),
            max_login_attempts: None,
        }
    });
}

pub(crate) fn as_response(fetched: &crate::runner::Fetched) -> crate::http::ApiResponse {
    crate::http::ApiResponse {
        status: fetched.status,
        request_id: None,
        body: fetched.body.clone(),
        attempts: 1,
    }
}

/// One credential-report CSV, rows keyed by user name.
struct Report {
    sha256: String,
    rows: BTreeMap<String, BTreeMap<String, String>>,
}

impl Report {
    fn get<'a>(&'a self, user: &str, column: &str) -> Option<&'a str> {
        self.rows.get(user)?.get(column).map(String::as_str)
    }
}

fn credential_report(aws: &AwsCollector, ctx: &mut UnitCtx<'_>) -> Result<Report, CallError> {
    let endpoint = aws.endpoint("iam", REGION);
    let generate = proto::query("iam", "GenerateCredentialReport", VERSION, &endpoint, &[]);
    let get = proto::query("iam", "GetCredentialReport", VERSION, &endpoint, &[]);
    // Generation is asynchronous on AWS: ask once, then poll a bounded number of times.
    let state = ctx.send_ok(&generate)?;
    proto::xml(&generate, &state)?;
    for attempt in 0..10u64 {
        {
            let fetched = ctx.send(&get)?;
            let code = crate::http::error_code(&fetched.body);
            if matches!(
                code.as_deref(),
                Some("ReportInProgress" | "ReportNotPresent" | "ReportExpired")
            ) {
                std::thread::sleep(std::time::Duration::from_millis(500 * (attempt + 1)));
                continue;
            }
            if !(200..300).contains(&fetched.status) {
                return Err(crate::http::classify_status(&get, &as_response(&fetched)));
            }
            let doc = proto::xml(&get, &fetched)?;
            let content = proto::descendant(doc.root_element(), "Content")
                .and_then(|n| n.text())
                .ok_or_else(|| proto::missing(&get, "Content"))?;
            let csv = base64::engine::general_purpose::STANDARD
                .decode(content.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| proto::missing(&get, "base64 CSV content"))?;
            let mut lines = csv.lines();
            let header: Vec<&str> = lines
                .next()
                .ok_or_else(|| proto::missing(&get, "CSV header"))?
                .split(',')
                .collect();
            if !header.contains(&"user") || !header.contains(&"mfa_active") {
                return Err(proto::missing(&get, "credential report columns"));
            }
            let mut rows = BTreeMap::new();
            for line in lines.filter(|l| !l.trim().is_empty()) {
                let row: BTreeMap<String, String> = header
                    .iter()
                    .zip(line.split(','))
                    .map(|(h, v)| ((*h).to_owned(), v.to_owned()))
                    .collect();
                if let Some(user) = row.get("user").cloned() {
                    rows.insert(user, row);
                }
            }
            return Ok(Report {
                sha256: fetched.sha256,
                rows,
            });
        }
    }
    Err(CallError {
        class: ErrorClass::Timeout,
        service: "iam",
        action: "GetCredentialReport",
        code: None,
        status: None,
        message: "credential report not ready after 10 polls".into(),
    })
}

#[derive(Default)]
struct Details {
    sources: Vec<String>,
    users: Vec<UserDetail>,
    /// Group name → grants full admin.
    admin_groups: BTreeSet<String>,
}

struct UserDetail {
    name: String,
    arn: String,
    created_at: Option<UtcTimestamp>,
    privileged: bool,
}

fn authorization_details(aws: &AwsCollector, ctx: &mut UnitCtx<'_>) -> Result<Details, CallError> {
    let endpoint = aws.endpoint("iam", REGION);
    let mut details = Details::default();
    let mut admin_policies = BTreeSet::new();
    let mut marker: Option<String> = None;
    // Raw user entries (name, arn, created, attached arns, groups, inline admin) until all policies are known.
    let mut pending = Vec::new();
    for _ in 0..MAX_PAGES {
        let mut params = vec![
            ("Filter.member.1", "User".to_owned()),
            ("Filter.member.2", "Group".to_owned()),
            ("Filter.member.3", "LocalManagedPolicy".to_owned()),
            ("MaxItems", "1000".to_owned()),
        ];
        if let Some(m) = &marker {
            params.push(("Marker", m.clone()));
        }
        let request = proto::query(
            "iam",
            "GetAccountAuthorizationDetails",
            VERSION,
            &endpoint,
            &params,
        );
        let fetched = ctx.send_ok(&request)?;
        details.sources.push(fetched.sha256.clone());
        let doc = proto::xml(&request, &fetched)?;
        let result = proto::descendant(doc.root_element(), "GetAccountAuthorizationDetailsResult")
            .ok_or_else(|| proto::missing(&request, "GetAccountAuthorizationDetailsResult"))?;
        for policy in proto::items(result, &["Policies"]) {
            let arn = proto::text(policy, &["Arn"]).unwrap_or_default();
            let admin = proto::items(policy, &["PolicyVersionList"])
                .into_iter()
                .any(|version| {
                    proto::boolean(proto::text(version, &["IsDefaultVersion"]))
                        && proto::text(version, &["Document"]).is_some_and(document_grants_all)
                });
            if admin {
                admin_policies.insert(arn.to_owned());
            }
        }
        for group in proto::items(result, &["GroupDetailList"]) {
            let name = proto::text(group, &["GroupName"])
                .unwrap_or_default()
                .to_owned();
            let attached = attached_arns(group);
            let inline = inline_admin(group, "GroupPolicyList");
            pending.push((
                true,
                name,
                String::new(),
                None,
                attached,
                Vec::new(),
                inline,
            ));
        }
        for user in proto::items(result, &["UserDetailList"]) {
            let name = proto::text(user, &["UserName"])
                .unwrap_or_default()
                .to_owned();
            let arn = proto::text(user, &["Arn"]).unwrap_or_default().to_owned();
            let created = proto::text(user, &["CreateDate"]).and_then(proto::timestamp);
            let groups: Vec<String> = proto::items(user, &["GroupList"])
                .iter()
                .filter_map(|g| g.text())
                .map(|g| g.trim().to_owned())
                .collect();
            let inline = inline_admin(user, "UserPolicyList");
            pending.push((
                false,
                name,
                arn,
                created,
                attached_arns(user),
                groups,
                inline,
            ));
        }
        let truncated = proto::boolean(proto::text(result, &["IsTruncated"]));
        marker = proto::text(result, &["Marker"]).map(str::to_owned);
        if !truncated || marker.is_none() {
            marker = None;
            break;
        }
    }
    if marker.is_some() {
        return Err(too_many_pages("iam", "GetAccountAuthorizationDetails"));
    }
    let is_admin = |arn: &String| {
        arn.ends_with(":iam::aws:policy/AdministratorAccess") || admin_policies.contains(arn)
    };
    for (is_group, name, _, _, attached, _, inline) in &pending {
        if *is_group && (*inline || attached.iter().any(is_admin)) {
            details.admin_groups.insert(name.clone());
        }
    }
    for (is_group, name, arn, created_at, attached, groups, inline) in pending {
        if is_group {
            continue;
        }
        let privileged = inline
            || attached.iter().any(is_admin)
            || groups.iter().any(|g| details.admin_groups.contains(g));
        details.users.push(UserDetail {
            name,
            arn,
            created_at,
            privileged,
        });
    }
    Ok(details)
}

pub(crate) fn too_many_pages(service: &'static str, action: &'static str) -> CallError {
    CallError {
        class: ErrorClass::Truncated,
        service,
        action,
        code: None,
        status: None,
        message: format!("more than {MAX_PAGES} pages; the rest of the listing is unknown"),
    }
}

fn attached_arns(node: roxmltree::Node<'_, '_>) -> Vec<String> {
    proto::items(node, &["AttachedManagedPolicies"])
        .iter()
        .filter_map(|p| proto::text(*p, &["PolicyArn"]))
        .map(str::to_owned)
        .collect()
}

fn inline_admin(node: roxmltree::Node<'_, '_>, list: &str) -> bool {
    proto::items(node, &[list])
        .iter()
        .any(|p| proto::text(*p, &["PolicyDocument"]).is_some_and(document_grants_all))
}

/// Whether a (URL-encoded or plain) policy document allows every action on every resource.
pub(crate) fn document_grants_all(document: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(document).decode_utf8_lossy();
    let Ok(policy) = serde_json::from_str::<Value>(&decoded) else {
        return false;
    };
    let statements = match policy.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => return false,
    };
    let has_star = |value: Option<&Value>, star: &[&str]| match value {
        Some(Value::String(s)) => star.contains(&s.as_str()),
        Some(Value::Array(list)) => list
            .iter()
            .any(|v| v.as_str().is_some_and(|s| star.contains(&s))),
        _ => false,
    };
    statements.iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some("Allow")
            && has_star(s.get("Action"), &["*", "*:*"])
            && has_star(s.get("Resource"), &["*"])
    })
}

fn report_date(value: Option<&str>) -> Option<UtcTimestamp> {
    value.and_then(proto::timestamp)
}

/// Console sign-in facts of a credential-report row, `(last_login_at, never_logged_in)`: the
/// date, or `never_logged_in` when the report says `no_information` (the password was never
/// used, or not since IAM began tracking in October 2014) or `N/A` (no password). Anything else
/// (`not_supported`, empty) is not reported.
fn login_fields(password_last_used: Option<&str>) -> (Option<UtcTimestamp>, Option<bool>) {
    match password_last_used.map(str::trim) {
        Some("no_information" | "N/A") => (None, Some(true)),
        value => match report_date(value) {
            Some(last) => (Some(last), Some(false)),
            None => (None, None),
        },
    }
}

/// Use facts of a key's report column, `(last_used_at, never_used)`: the date, or
/// `never_used` for `N/A` (never used, or not since IAM began tracking in April 2015).
fn key_use_fields(last_used_date: Option<&str>) -> (Option<UtcTimestamp>, Option<bool>) {
    match last_used_date.map(str::trim) {
        Some("N/A") => (None, Some(true)),
        value => match report_date(value) {
            Some(used) => (Some(used), Some(false)),
            None => (None, None),
        },
    }
}

fn users(ctx: &mut UnitCtx<'_>, report: &Report, details: &Details) {
    const KIND: &str = "identity.user";
    let mut sources: Vec<&str> = details.sources.iter().map(String::as_str).collect();
    sources.push(&report.sha256);
    if let Some(root) = report.rows.get("<root_account>") {
        let get = |column: &str| root.get(column).map(String::as_str);
        let arn = root
            .get("arn")
            .cloned()
            .unwrap_or_else(|| "<root_account>".into());
        let created = report_date(get("user_creation_time"));
        match required_stamp(created, "iam", &arn) {
            Ok(created_at) => {
                let (last_login_at, never_logged_in) = login_fields(get("password_last_used"));
                ctx.put(REGION, &arn, &[&report.sha256], |envelope| IdentityUser {
                    envelope,
                    name: "<root_account>".to_owned(),
                    root: true,
                    console_access: true,
                    mfa_enabled: get("mfa_active") == Some("true"),
                    privileged: true,
                    created_at,
                    last_login_at,
                    never_logged_in,
                });
            }
            Err(err) => ctx.fail(KIND, REGION, &arn, &err),
        }
    }
    for user in &details.users {
        let Some(row) = report.rows.get(&user.name) else {
            // Created after the report was generated: MFA and console state unknown.
            let err = CallError {
                class: ErrorClass::Malformed,
                service: "iam",
                action: "GetCredentialReport",
                code: None,
                status: None,
                message: "user missing from the credential report".into(),
            };
            ctx.fail(KIND, REGION, &user.arn, &err);
            continue;
        };
        let get = |column: &str| row.get(column).map(String::as_str);
        let created = user
            .created_at
            .or_else(|| report_date(get("user_creation_time")));
        let created_at = match required_stamp(created, "iam", &user.arn) {
            Ok(created_at) => created_at,
            Err(err) => {
                ctx.fail(KIND, REGION, &user.arn, &err);
                continue;
            }
        };
        let (last_login_at, never_logged_in) = login_fields(get("password_last_used"));
        ctx.put(REGION, &user.arn, &sources, |envelope| IdentityUser {
            envelope,
            name: user.name.clone(),
            root: false,
            console_access: get("password_enabled") == Some("true"),
            mfa_enabled: get("mfa_active") == Some("true"),
            privileged: user.privileged,
            created_at,
            last_login_at,
            never_logged_in,
        });
    }
}

fn access_keys(
    aws: &AwsCollector,
    ctx: &mut UnitCtx<'_>,
    report: &Report,
    details: Option<&Details>,
) {
    const KIND: &str = "identity.access-key";
    let endpoint = aws.endpoint("iam", REGION);
    // Root keys are only visible in the report.
    if let Some(root) = report.rows.get("<root_account>") {
        let arn = root
            .get("arn")
            .cloned()
            .unwrap_or_else(|| "<root_account>".into());
        for n in [1, 2] {
            let rotated =
                report_date(report.get("<root_account>", &format!("access_key_{n}_last_rotated")));
            let active =
                report.get("<root_account>", &format!("access_key_{n}_active")) == Some("true");
            // No rotation date: the root account has no key in this column.
            let Some(created_at) = rotated else { continue };
            let (last_used_at, never_used) = key_use_fields(
                report.get("<root_account>", &format!("access_key_{n}_last_used_date")),
            );
            let id = format!("{arn}/access-key-{n}");
            ctx.put(REGION, &id, &[&report.sha256], |envelope| AccessKey {
                envelope,
                user: "<root_account>".to_owned(),
                root: true,
                active,
                created_at,
                last_used_at,
                never_used,
            });
        }
    }
    let names: Vec<String> = match details {
        Some(details) => details.users.iter().map(|u| u.name.clone()).collect(),
        None => report
            .rows
            .keys()
            .filter(|u| *u != "<root_account>")
            .cloned()
            .collect(),
    };
    for user in names {
        let has_keys = match report.rows.get(&user) {
            Some(_) => [1, 2].iter().any(|n| {
                report_date(report.get(&user, &format!("access_key_{n}_last_rotated"))).is_some()
                    || report.get(&user, &format!("access_key_{n}_active")) == Some("true")
            }),
            None => true,
        };
        if !has_keys {
            continue;
        }
        let request = proto::query(
            "iam",
            "ListAccessKeys",
            VERSION,
            &endpoint,
            &[("UserName", user.clone())],
        );
        let fetched = match ctx.send_ok(&request) {
            Ok(fetched) => fetched,
            Err(err) => {
                ctx.fail(KIND, REGION, &user, &err);
                continue;
            }
        };
        let doc = match proto::xml(&request, &fetched) {
            Ok(doc) => doc,
            Err(err) => {
                ctx.fail(KIND, REGION, &user, &err);
                continue;
            }
        };
        let mut keys: Vec<(String, UtcTimestamp, bool)> = Vec::new();
        for key in proto::items(
            proto::descendant(doc.root_element(), "ListAccessKeysResult")
                .unwrap_or(doc.root_element()),
            &["AccessKeyMetadata"],
        ) {
            let Some(id) = proto::text(key, &["AccessKeyId"]) else {
                continue;
            };
            let created = proto::text(key, &["CreateDate"]).and_then(proto::timestamp);
            match required_stamp(created, "iam", id) {
                Ok(created) => keys.push((
                    id.to_owned(),
                    created,
                    proto::text(key, &["Status"]) == Some("Active"),
                )),
                Err(err) => ctx.fail(KIND, REGION, id, &err),
            }
        }
        keys.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        for (index, (id, created_at, active)) in keys.into_iter().enumerate() {
            let mut sources = vec![fetched.sha256.clone()];
            let column = index + 1;
            let rotated =
                report_date(report.get(&user, &format!("access_key_{column}_last_rotated")));
            let last_used = if rotated == Some(created_at) {
                sources.push(report.sha256.clone());
                Ok(key_use_fields(report.get(
                    &user,
                    &format!("access_key_{column}_last_used_date"),
                )))
            } else {
                last_used_by_call(aws, ctx, &id).map(|(used, sha)| {
                    sources.push(sha);
                    // GetAccessKeyLastUsed without LastUsedDate: never used (since tracking).
                    match used {
                        Some(used) => (Some(used), Some(false)),
                        None => (None, Some(true)),
                    }
                })
            };
            let (last_used_at, never_used) = match last_used {
                Ok(facts) => facts,
                Err(err) => {
                    ctx.fail(KIND, REGION, &id, &err);
                    continue;
                }
            };
            let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
            ctx.put(REGION, &id, &sources, |envelope| AccessKey {
                envelope,
                user: user.clone(),
                root: false,
                active,
                created_at,
                last_used_at,
                never_used,
            });
        }
    }
}

fn last_used_by_call(
    aws: &AwsCollector,
    ctx: &mut UnitCtx<'_>,
    key_id: &str,
) -> Result<(Option<UtcTimestamp>, String), CallError> {
    let endpoint = aws.endpoint("iam", REGION);
    let request = proto::query(
        "iam",
        "GetAccessKeyLastUsed",
        VERSION,
        &endpoint,
        &[("AccessKeyId", key_id.to_owned())],
    );
    let fetched = ctx.send_ok(&request)?;
    let doc = proto::xml(&request, &fetched)?;
    let used = proto::descendant(doc.root_element(), "LastUsedDate")
        .and_then(|n| n.text())
        .and_then(proto::timestamp);
    Ok((used, fetched.sha256))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_admin_documents() {
        assert!(document_grants_all(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        ));
        assert!(document_grants_all(
            "%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22*%3A*%22%5D%2C%22Resource%22%3A%22*%22%7D%7D"
        ));
        assert!(!document_grants_all(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        ));
        assert!(!document_grants_all(
            r#"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#
        ));
    }
}
