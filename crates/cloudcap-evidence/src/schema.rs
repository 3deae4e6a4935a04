//! JSON Schemas generated from the Rust types, and validation of records against them.
//!
//! [`generate_schemas`] is the single source of the files in `evidence-schemas/`
//! ([`schema_files`] gives them with their paths): `cargo xtask codegen` writes them, deletes
//! files no schema produces any more, and `cargo xtask codegen --check` (also run by
//! `cargo test`) fails when the committed files differ. Validation uses the same generated
//! schemas, compiled once per process.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::{Value, json};

use crate::attest::Attestation;
use crate::error::SchemaError;
use crate::kinds::{self, CollectionRun, CollectionStatus, SCHEMA_VERSION};
use crate::manifest::{
    KIND_ATTESTATION, KIND_COLLECTION_RUN, KIND_COLLECTION_STATUS, KIND_SCOPE, Manifest,
};
use crate::scope::ScopeStatement;

/// Returns every schema file of `evidence-schemas/`: file name → pretty JSON text (ending in a newline).
///
/// One `<kind>.schema.json` per normalized kind, plus `collection.status.schema.json`, `collection.run.schema.json`,
/// `assessment.scope.schema.json`, `attestation.schema.json` and `manifest.schema.json`.
pub fn generate_schemas() -> BTreeMap<String, String> {
    schema_values()
        .into_iter()
        .map(|(name, v)| (format!("{name}.schema.json"), pretty(&v)))
        .collect()
}

/// The directory of the generated schemas, relative to the workspace root. Every file in it is
/// generated: a file [`schema_files`] does not list is stale.
pub const SCHEMA_DIR: &str = "evidence-schemas";

/// Returns every file of [`SCHEMA_DIR`]: path relative to the workspace root → contents, sorted
/// by path. The same schemas as [`generate_schemas`].
pub fn schema_files() -> Vec<(PathBuf, Vec<u8>)> {
    generate_schemas()
        .into_iter()
        .map(|(name, text)| (Path::new(SCHEMA_DIR).join(name), text.into_bytes()))
        .collect()
}

/// Schema name (kind, `collection.status`, `attestation`, `manifest`) → schema value.
fn schema_values() -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (name, schema) in kinds::kind_schemas(|| settings().into_generator()) {
        let mut v = schema.to_value();
        finish_kind_schema(name, &mut v);
        out.insert(name.to_owned(), v);
    }
    let mut status = root::<CollectionStatus>();
    finish_status_schema(&mut status);
    out.insert(KIND_COLLECTION_STATUS.to_owned(), status);
    let mut run = root::<CollectionRun>();
    set(&mut run, "title", json!(KIND_COLLECTION_RUN));
    *prop(&mut run, "region") = json!({ "type": "string", "const": "global", "description": "Always `global`: a run is not regional." });
    out.insert(KIND_COLLECTION_RUN.to_owned(), run);
    let mut scope = root::<ScopeStatement>();
    set(&mut scope, "title", json!(KIND_SCOPE));
    out.insert(KIND_SCOPE.to_owned(), scope);
    let mut att = root::<Attestation>();
    set(&mut att, "title", json!(KIND_ATTESTATION));
    out.insert(KIND_ATTESTATION.to_owned(), att);
    let mut manifest = root::<Manifest>();
    set(&mut manifest, "title", json!("manifest"));
    out.insert("manifest".to_owned(), manifest);
    out
}

fn settings() -> SchemaSettings {
    SchemaSettings::draft2020_12()
}

fn root<T: JsonSchema>() -> Value {
    let schema: Schema = settings().into_generator().into_root_schema_for::<T>();
    let mut v = schema.to_value();
    strip_null(&mut v);
    v
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("schema serializes");
    s.push('\n');
    s
}

fn set(v: &mut Value, key: &str, value: Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.to_owned(), value);
    }
}

fn prop<'a>(v: &'a mut Value, name: &str) -> &'a mut Value {
    &mut v["properties"][name]
}

/// Optional fields are omitted, never `null`: removes the `null` alternatives schemars adds to `Option<T>`.
fn strip_null(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if let Some(Value::Array(types)) = o.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let t = types.remove(0);
                    o.insert("type".into(), t);
                }
            }
            if let Some(Value::Array(alts)) = o.get_mut("anyOf") {
                alts.retain(|a| a.get("type").and_then(Value::as_str) != Some("null"));
                if alts.len() == 1 {
                    let only = alts.remove(0);
                    o.remove("anyOf");
                    if let Value::Object(inner) = only {
                        for (k, val) in inner {
                            o.entry(k).or_insert(val);
                        }
                    }
                }
            }
            for val in o.values_mut() {
                strip_null(val);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_null),
        _ => {}
    }
}

fn finish_kind_schema(name: &str, v: &mut Value) {
    strip_null(v);
    set(v, "title", json!(name));
    set(v, "additionalProperties", json!(false));
    *prop(v, "schema_version") = json!({ "type": "integer", "const": SCHEMA_VERSION, "description": "Record schema version, always 1." });
    *prop(v, "kind") = json!({ "type": "string", "const": name, "description": "The kind name." });
    set(prop(v, "sources"), "uniqueItems", json!(true));
    if v["properties"].get("world_open_ports").is_some() {
        let ports = prop(v, "world_open_ports");
        set(ports, "uniqueItems", json!(true));
    }
}

fn finish_status_schema(v: &mut Value) {
    set(v, "title", json!(KIND_COLLECTION_STATUS));
    let names: Vec<&str> = kinds::kinds().iter().map(|k| k.name).collect();
    *prop(v, "kind") = json!({ "type": "string", "enum": names, "description": "The evidence kind that was collected." });
    set(
        v,
        "allOf",
        json!([{
            "if": { "properties": { "status": { "const": "error" } } },
            "then": { "required": ["error_class", "message"] },
            "else": { "not": { "anyOf": [ { "required": ["error_class"] }, { "required": ["message"] } ] } }
        }]),
    );
}

/// Compiled validators, one per schema name, built on first use.
fn validators() -> &'static BTreeMap<String, jsonschema::Validator> {
    static VALIDATORS: OnceLock<BTreeMap<String, jsonschema::Validator>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        schema_values()
            .into_iter()
            .map(|(name, schema)| {
                let validator = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .should_validate_formats(true)
                    .build(&schema)
                    .unwrap_or_else(|e| panic!("generated schema `{name}` does not compile: {e}"));
                (name, validator)
            })
            .collect()
    })
}

/// Validates a normalized record, a `collection.status` object or an attestation against its schema.
///
/// `kind` is the evidence kind (e.g. `identity.user`), `collection.status` or `attestation`.
/// Returns every violation with the JSON pointer of the offending value; beyond the schema it
/// checks that `world_open_ports` is sorted.
pub fn validate_record(kind: &str, record: &Value) -> Result<(), Vec<SchemaError>> {
    let Some(validator) = validators().get(kind) else {
        return Err(vec![SchemaError {
            pointer: String::new(),
            message: format!("no schema for kind `{kind}`"),
        }]);
    };
    let mut errors: Vec<SchemaError> = validator
        .iter_errors(record)
        .map(|e| to_schema_error(&e))
        .collect();
    if let Some(ports) = record.get("world_open_ports").and_then(Value::as_array) {
        let nums: Vec<u64> = ports.iter().filter_map(Value::as_u64).collect();
        if nums.windows(2).any(|w| w[0] >= w[1]) {
            errors.push(SchemaError {
                pointer: "/world_open_ports".into(),
                message: "ports must be sorted ascending without duplicates".into(),
            });
        }
    }
    errors.sort_by(|a, b| {
        a.pointer
            .cmp(&b.pointer)
            .then_with(|| a.message.cmp(&b.message))
    });
    errors.dedup();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn to_schema_error(e: &jsonschema::ValidationError<'_>) -> SchemaError {
    let base = e.instance_path().as_str().to_owned();
    match e.kind() {
        jsonschema::error::ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            SchemaError {
                pointer: format!("{base}/{}", escape_pointer(&name)),
                message: "required field is missing".into(),
            }
        }
        jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected }
            if unexpected.len() == 1 =>
        {
            SchemaError {
                pointer: format!("{base}/{}", escape_pointer(&unexpected[0])),
                message: "unknown field".into(),
            }
        }
        _ => SchemaError {
            pointer: base,
            message: e.to_string(),
        },
    }
}

fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}
