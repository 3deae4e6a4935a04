//! Normalized, provider-neutral evidence kinds (docs/evidence-kinds.md), the collection status
//! object, and a registry of kinds and fields for rule linting.
//!
//! Each kind is a Rust struct whose JSON form is flat: the [`Envelope`] fields are flattened
//! into the record next to the kind's own fields. Optional fields are omitted, never `null`.

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::hash::Sha256Hex;

/// The `schema_version` every record of this crate's kinds carries.
pub const SCHEMA_VERSION: u32 = 1;

/// A field's type, as the rule linter sees it; its name (`as_str`, `Display`) is the short
/// one diagnostics print: `bool`, `int`, `string`, `timestamp`, `list<int>`, `list<string>`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, strum::Display, strum::IntoStaticStr,
)]
#[strum(serialize_all = "lowercase")]
pub enum FieldType {
    /// JSON boolean.
    Bool,
    /// JSON integer (never a float).
    Int,
    /// JSON string.
    String,
    /// RFC 3339 UTC timestamp string (`2026-01-31T08:00:00Z`).
    Timestamp,
    /// Array of integers.
    #[strum(serialize = "list<int>")]
    IntList,
    /// Array of strings.
    #[strum(serialize = "list<string>")]
    StringList,
}

impl FieldType {
    /// The short name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One field of a kind: name, type, and whether it may be omitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    /// Field name as it appears in the JSON record (snake_case).
    pub name: &'static str,
    /// Field type.
    pub ty: FieldType,
    /// `true` if the field may be omitted (rules test it with `has(r.field)`).
    pub optional: bool,
}

/// One evidence kind and its fields, envelope fields first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindInfo {
    /// Kind name, e.g. `identity.user`.
    pub name: &'static str,
    /// Every field of the flat record: the envelope fields, then the kind's own.
    pub fields: &'static [FieldInfo],
}

impl KindInfo {
    /// The field called `name`, if the kind has one.
    pub fn field(&self, name: &str) -> Option<&'static FieldInfo> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Every normalized evidence kind, in the order of docs/evidence-kinds.md.
pub fn kinds() -> &'static [KindInfo] {
    KINDS
}

/// The kind called `name`, if it is a normalized evidence kind.
pub fn kind(name: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.name == name)
}

/// Maps a Rust field type to its [`FieldType`] and optionality (used by the kind macro).
pub(crate) trait FieldTypeOf {
    const TYPE: FieldType;
    const OPTIONAL: bool = false;
}

impl FieldTypeOf for bool {
    const TYPE: FieldType = FieldType::Bool;
}
impl FieldTypeOf for u32 {
    const TYPE: FieldType = FieldType::Int;
}
impl FieldTypeOf for u64 {
    const TYPE: FieldType = FieldType::Int;
}
impl FieldTypeOf for String {
    const TYPE: FieldType = FieldType::String;
}
impl FieldTypeOf for KeyOrigin {
    const TYPE: FieldType = FieldType::String;
}
impl FieldTypeOf for Provider {
    const TYPE: FieldType = FieldType::String;
}
impl FieldTypeOf for UtcTimestamp {
    const TYPE: FieldType = FieldType::Timestamp;
}
impl FieldTypeOf for Vec<u16> {
    const TYPE: FieldType = FieldType::IntList;
}
impl FieldTypeOf for Vec<String> {
    const TYPE: FieldType = FieldType::StringList;
}
impl FieldTypeOf for Vec<Sha256Hex> {
    const TYPE: FieldType = FieldType::StringList;
}
impl<T: FieldTypeOf> FieldTypeOf for Option<T> {
    const TYPE: FieldType = T::TYPE;
    const OPTIONAL: bool = true;
}

pub use cloudcap_model::{ErrorClass, Provider};

/// A UTC timestamp written as RFC 3339 with a `Z` offset, e.g. `2026-01-31T08:00:00Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcTimestamp(pub Timestamp);

impl UtcTimestamp {
    /// Parses an RFC 3339 timestamp that ends in `Z`.
    pub fn parse(s: &str) -> Option<UtcTimestamp> {
        if !s.ends_with('Z') {
            return None;
        }
        s.parse::<Timestamp>().ok().map(UtcTimestamp)
    }
}

impl fmt::Display for UtcTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for UtcTimestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for UtcTimestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<UtcTimestamp, D::Error> {
        let s = Cow::<'de, str>::deserialize(deserializer)?;
        UtcTimestamp::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{s}` is not an RFC 3339 UTC timestamp ending in Z"
            ))
        })
    }
}

/// RFC 3339 UTC timestamp pattern used in every schema.
pub(crate) const UTC_PATTERN: &str =
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$";

impl JsonSchema for UtcTimestamp {
    fn schema_name() -> Cow<'static, str> {
        "UtcTimestamp".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date-time",
            "pattern": UTC_PATTERN,
            "description": "RFC 3339 timestamp in UTC (Z)"
        })
    }
}

/// Where a key's material comes from.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum KeyOrigin {
    /// Generated by the provider's key service.
    Provider,
    /// Imported by the customer.
    External,
    /// Generated in a (dedicated) hardware security module.
    Hsm,
}

/// The fields every normalized record carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Envelope {
    /// Record schema version, always 1.
    pub schema_version: u32,
    /// The kind name, e.g. `identity.user`.
    pub kind: String,
    /// Provider.
    pub provider: Provider,
    /// Account / tenant / domain id.
    #[schemars(length(min = 1))]
    pub account: String,
    /// Provider region code, `global` for global services.
    #[schemars(length(min = 1))]
    pub region: String,
    /// Stable id named in failures (ARN, resource id, name).
    #[schemars(length(min = 1))]
    pub resource_id: String,
    /// SHA-256 of the raw objects this record came from (at least one).
    #[schemars(length(min = 1))]
    pub sources: Vec<Sha256Hex>,
}

impl Envelope {
    /// An envelope for a record of `kind` with schema version 1.
    pub fn new(
        kind: &str,
        provider: Provider,
        account: &str,
        region: &str,
        resource_id: &str,
        sources: Vec<Sha256Hex>,
    ) -> Envelope {
        Envelope {
            schema_version: SCHEMA_VERSION,
            kind: kind.to_owned(),
            provider,
            account: account.to_owned(),
            region: region.to_owned(),
            resource_id: resource_id.to_owned(),
            sources,
        }
    }
}

/// A normalized record type: knows its kind name.
pub trait Record: Serialize {
    /// The kind name.
    const KIND: &'static str;

    /// The record's envelope.
    fn envelope(&self) -> &Envelope;
}

macro_rules! evidence_kinds {
    ($(
        $(#[doc = $doc:literal])*
        $name:literal => $ty:ident {
            $(
                $(#[$fattr:meta])*
                $field:ident : $fty:ty
            ),* $(,)?
        }
    )*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
            pub struct $ty {
                /// The common envelope, flattened into the record.
                #[serde(flatten)]
                pub envelope: Envelope,
                $(
                    $(#[$fattr])*
                    pub $field: $fty,
                )*
            }

            impl Record for $ty {
                const KIND: &'static str = $name;

                fn envelope(&self) -> &Envelope {
                    &self.envelope
                }
            }
        )*

        static KINDS: &[KindInfo] = &[
            $(
                KindInfo {
                    name: $name,
                    fields: &[
                        FieldInfo { name: "schema_version", ty: FieldType::Int, optional: false },
                        FieldInfo { name: "kind", ty: FieldType::String, optional: false },
                        FieldInfo { name: "provider", ty: FieldType::String, optional: false },
                        FieldInfo { name: "account", ty: FieldType::String, optional: false },
                        FieldInfo { name: "region", ty: FieldType::String, optional: false },
                        FieldInfo { name: "resource_id", ty: FieldType::String, optional: false },
                        FieldInfo { name: "sources", ty: FieldType::StringList, optional: false },
                        $(
                            FieldInfo {
                                name: stringify!($field),
                                ty: <$fty as FieldTypeOf>::TYPE,
                                optional: <$fty as FieldTypeOf>::OPTIONAL,
                            },
                        )*
                    ],
                },
            )*
        ];

        /// The root schema of every kind, generated from the Rust types, in registry order.
        pub(crate) fn kind_schemas(generator: impl Fn() -> SchemaGenerator) -> Vec<(&'static str, Schema)> {
            vec![$( ($name, generator().into_root_schema_for::<$ty>()) ),*]
        }
    };
}

evidence_kinds! {
    /// `identity.password-policy`: the account's console password policy.
    "identity.password-policy" => PasswordPolicy {
        /// A policy is configured (otherwise the provider default applies).
        configured: bool,
        /// Minimum password length.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_length: Option<u32>,
        /// At least one upper-case letter required.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        require_uppercase: Option<bool>,
        /// At least one lower-case letter required.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        require_lowercase: Option<bool>,
        /// At least one digit required.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        require_numbers: Option<bool>,
        /// At least one symbol required.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        require_symbols: Option<bool>,
        /// How many character classes (upper, lower, digit, symbol) a password must mix.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_char_classes: Option<u32>,
        /// Maximum password age in days.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_age_days: Option<u32>,
        /// Number of previous passwords that cannot be reused.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reuse_prevention: Option<u32>,
        /// Failed logons before lock-out.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_login_attempts: Option<u32>,
    }

    /// `identity.user`: a user (or the root account).
    "identity.user" => IdentityUser {
        /// User name.
        name: String,
        /// This is the account's root / main account.
        root: bool,
        /// The user can sign in to the console.
        console_access: bool,
        /// MFA is enabled for the user.
        mfa_enabled: bool,
        /// A full-admin policy is attached directly or through a group.
        privileged: bool,
        /// When the user was created.
        created_at: UtcTimestamp,
        /// Last console sign-in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_login_at: Option<UtcTimestamp>,
        /// The provider says the user has never signed in to the console.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        never_logged_in: Option<bool>,
    }

    /// `identity.access-key`: an API access key.
    "identity.access-key" => AccessKey {
        /// Owning user name.
        user: String,
        /// The key belongs to the root account.
        root: bool,
        /// The key is active.
        active: bool,
        /// When the key was created.
        created_at: UtcTimestamp,
        /// When the key was last used.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_used_at: Option<UtcTimestamp>,
        /// The provider says the key has never been used.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        never_used: Option<bool>,
    }

    /// `audit.trail`: an audit log trail (CloudTrail, ActionTrail, CTS, CloudAudit).
    "audit.trail" => AuditTrail {
        /// Trail name.
        name: String,
        /// Logging now.
        enabled: bool,
        /// Covers every region.
        multi_region: bool,
        /// Log file integrity validation is on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        log_file_validation: Option<bool>,
        /// Logs are encrypted at rest with a managed key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        encrypted: Option<bool>,
        /// Management (control-plane) events are recorded.
        management_events: bool,
        /// Retention of delivered logs in days.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retention_days: Option<u32>,
    }

    /// `monitoring.config-recorder`: the configuration recorder of a region.
    "monitoring.config-recorder" => ConfigRecorder {
        /// The recorder is recording.
        recording: bool,
        /// Every supported resource type is recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        all_resources: Option<bool>,
    }

    /// `crypto.key`: a key in the provider's key management service.
    "crypto.key" => CryptoKey {
        /// Customer managed (not provider managed).
        customer_managed: bool,
        /// The key is enabled.
        enabled: bool,
        /// Automatic rotation is enabled (absent for keys the service cannot rotate automatically,
        /// and where the provider does not report it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rotation_enabled: Option<bool>,
        /// Origin of the key material.
        origin: KeyOrigin,
        /// Symmetric key (only symmetric, provider-generated keys rotate automatically).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        symmetric: Option<bool>,
    }

    /// `storage.bucket`: an object storage bucket.
    "storage.bucket" => StorageBucket {
        /// Bucket name.
        name: String,
        /// Default encryption at rest.
        encrypted: bool,
        /// Encryption uses a customer-managed key.
        customer_managed_key: bool,
        /// Versioning is enabled.
        versioning: bool,
        /// Readable or writable by anyone.
        public: bool,
        /// Public access is blocked at bucket or account level.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        public_access_block: Option<bool>,
        /// Server access logging is enabled.
        access_logging: bool,
    }

    /// `network.security-group`: a security group (stateful firewall).
    "network.security-group" => SecurityGroup {
        /// Group name.
        name: String,
        /// VPC the group belongs to, where the provider ties groups to one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        vpc_id: Option<String>,
        /// The group is in a classic (shared, non-VPC) network; absent where the provider's
        /// answer does not say (groups not tied to a network).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        classic_network: Option<bool>,
        /// Ports reachable from 0.0.0.0/0 or ::/0, sorted, de-duplicated.
        world_open_ports: Vec<u16>,
        /// A rule opens every port to the world.
        world_open_all: bool,
    }

    /// `network.vpc`: a virtual private cloud.
    "network.vpc" => Vpc {
        /// VPC name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The region's default VPC.
        default: bool,
        /// Flow logs are enabled.
        flow_log_enabled: bool,
    }

    /// `compute.volume`: a block storage volume.
    "compute.volume" => ComputeVolume {
        /// Encrypted at rest.
        encrypted: bool,
        /// Encrypted with a customer-managed key (absent where the provider does not say whose
        /// key encrypts a volume: CTyun).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        customer_managed_key: Option<bool>,
        /// Attached to an instance.
        attached: bool,
    }

    /// `database.instance`: a managed database instance.
    "database.instance" => DatabaseInstance {
        /// Engine name (`mysql`, `postgres`, ...).
        engine: String,
        /// Storage encrypted at rest.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        encrypted: Option<bool>,
        /// Reachable from the internet.
        public: bool,
        /// Automated backup retention in days (0 = off).
        backup_retention_days: u32,
        /// Deployed across availability zones.
        multi_az: bool,
    }

    /// `backup.plan`: a backup plan or policy.
    "backup.plan" => BackupPlan {
        /// Plan name.
        name: String,
        /// The plan is enabled.
        enabled: bool,
        /// Retention of backups in days.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retention_days: Option<u32>,
        /// Backups are kept until deleted (the plan sets no expiry); false where a retention in
        /// days is set; absent where the retention is neither (a number of backups, or not
        /// reported).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        keeps_forever: Option<bool>,
        /// Backups are copied to another region.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cross_region_copy: Option<bool>,
        /// Regions the plan copies backups to, sorted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        copy_regions: Option<Vec<String>>,
        /// A copy destination is outside mainland China.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        copy_outside_mainland: Option<bool>,
    }

    /// `monitoring.threat-detection`: a threat-detection service in a region.
    "monitoring.threat-detection" => ThreatDetection {
        /// Service name (`guardduty`, `sas`, ...).
        service: String,
        /// The service is enabled.
        enabled: bool,
    }

    /// `region.inventory`: one region of the account and what it holds.
    "region.inventory" => RegionInventory {
        /// The region is in mainland China (absent when the provider's region listing does not
        /// say where the region is).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mainland_china: Option<bool>,
        /// Evidence was collected in this region (collectors always write it; absent only in
        /// bundles written before it existed, which inventoried collected regions only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        collected: Option<bool>,
        /// The region holds customer data: a bucket, volume, database, backup plan or snapshot
        /// (absent when the region was not collected).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holds_data: Option<bool>,
        /// Number of resources found in the region (absent when the region was not collected).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resource_count: Option<u64>,
    }
}

/// Outcome of one collection attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CollectionOutcome {
    /// Collected completely.
    Ok,
    /// Collection failed; see `error_class` and `message`.
    Error,
}

/// `collection.status`: what a collector attempted for one (kind, provider, account, region).
///
/// A kind with no status at all was never collected (its rules are not evaluated); a kind with
/// an `error` status in some scope is incomplete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionStatus {
    /// The evidence kind that was collected.
    pub kind: String,
    /// Provider.
    pub provider: Provider,
    /// Account / tenant / domain id.
    #[schemars(length(min = 1))]
    pub account: String,
    /// Region code or `global`.
    #[schemars(length(min = 1))]
    pub region: String,
    /// `ok` or `error`.
    pub status: CollectionOutcome,
    /// Why it failed (only when `status = "error"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_class: Option<ErrorClass>,
    /// The provider's or collector's message (only when `status = "error"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Number of records collected in this scope.
    pub record_count: u64,
}

/// `collection.run`: what one `collect` run for one account was asked to cover and what it
/// covered. Together with the `collection.status` objects (every kind attempted, per scope) and
/// the `region.inventory` records (every listed region, with `collected`), it is the
/// assessment boundary a report states.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionRun {
    /// Provider.
    pub provider: Provider,
    /// Partition or site of the provider (`aws`, `aws-cn`; the vendor's public cloud otherwise).
    #[schemars(length(min = 1))]
    pub partition: String,
    /// Account / tenant / domain id.
    #[schemars(length(min = 1))]
    pub account: String,
    /// Always `global`: a run is not regional.
    #[schemars(length(min = 1))]
    pub region: String,
    /// Every region the account's region listing returned, sorted.
    pub regions_listed: Vec<String>,
    /// The regions asked for with `--region`, sorted; absent when every listed region was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions_requested: Option<Vec<String>>,
    /// The regions collected, sorted.
    pub regions_collected: Vec<String>,
    /// The evidence kinds the run attempted, sorted.
    pub kinds: Vec<String>,
    /// `true` when `account` was given by the operator (`--account-id`) because the
    /// provider's API names no account; absent when the collector read it from the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_declared: Option<bool>,
}
