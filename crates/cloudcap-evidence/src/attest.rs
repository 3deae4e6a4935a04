//! Assessor records (interview / examine / test) and the TOML file format for many of them.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

use jiff::civil::Date;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::hash::Sha256Hex;

pub use cloudcap_model::{AttestationResult, Method};

/// Schema of a calendar date `YYYY-MM-DD`.
pub(crate) struct IsoDate;

impl JsonSchema for IsoDate {
    fn schema_name() -> Cow<'static, str> {
        "IsoDate".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": "calendar date YYYY-MM-DD"
        })
    }
}

/// An assessor's record: who assessed which control, how, with what result, and on what date.
///
/// Stored as a JCS object of kind `attestation`; its attachments are separate objects of kind
/// `attachment`, referenced by digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// Control id, `<family>-<clause>` (e.g. `sds-6.1`).
    #[schemars(regex(pattern = r"^[a-z]+-[0-9]+(\.[0-9]+)*$"))]
    pub control: String,
    /// Requirement item of the control (e.g. `a`); absent when the whole control is attested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub item: Option<String>,
    /// How the assessor assessed it.
    pub method: Method,
    /// The finding.
    pub result: AttestationResult,
    /// Who assessed (name, and organisation if useful).
    #[schemars(length(min = 1))]
    pub assessor: String,
    /// Date of the assessment.
    #[schemars(with = "IsoDate")]
    pub date: Date,
    /// Date after which the finding must be renewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<IsoDate>")]
    pub expires: Option<Date>,
    /// Free-text note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// SHA-256 of the attachment objects (documents, screenshots) supporting the finding.
    #[serde(default)]
    pub attachments: Vec<Sha256Hex>,
}

impl Attestation {
    /// Checks what the schema cannot express: the id pattern, `expires` after `date`, no duplicate attachments.
    pub fn check(&self) -> Result<(), String> {
        if !is_control_id(&self.control) {
            return Err(format!(
                "control id `{}` is not of the form <family>-<clause> (e.g. sds-6.1)",
                self.control
            ));
        }
        if self.item.as_deref() == Some("") {
            return Err("item is empty".into());
        }
        if self.assessor.trim().is_empty() {
            return Err("assessor is empty".into());
        }
        if let Some(exp) = self.expires {
            if exp <= self.date {
                return Err(format!(
                    "expires {exp} is not after the assessment date {}",
                    self.date
                ));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for a in &self.attachments {
            if !seen.insert(a) {
                return Err(format!("attachment {a} is listed twice"));
            }
        }
        Ok(())
    }
}

fn is_control_id(s: &str) -> bool {
    let Some((family, clause)) = s.split_once('-') else {
        return false;
    };
    !family.is_empty()
        && family.bytes().all(|b| b.is_ascii_lowercase())
        && !clause.is_empty()
        && clause
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// One `[[attestation]]` table of an attestations file, before attachments are hashed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttestationDraft {
    /// The attestation, with `attachments` empty.
    pub attestation: Attestation,
    /// Files to attach, as written in the file (relative paths are relative to the file).
    pub attach: Vec<PathBuf>,
    /// One-based line of the table (its `[[attestation]]` header).
    pub line: usize,
    /// One-based column of the table.
    pub column: usize,
}

/// An attestations file could not be parsed; `line:column` point at the problem.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseAttestationsError {
    /// One-based line.
    pub line: usize,
    /// One-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    attestation: Vec<toml::Spanned<RawAttestation>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttestation {
    control: String,
    #[serde(default)]
    item: Option<String>,
    method: Method,
    result: AttestationResult,
    assessor: String,
    #[serde(deserialize_with = "de_date")]
    date: Date,
    #[serde(default, deserialize_with = "de_opt_date")]
    expires: Option<Date>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    attach: Vec<PathBuf>,
}

/// Parses a TOML file of `[[attestation]]` tables.
///
/// Keys: `control`, `item`?, `method`, `result`, `assessor`, `date`, `expires`?, `note`?,
/// `attach`? (list of file paths). Dates are TOML dates (`2026-11-20`) or strings. Unknown keys
/// are errors. Every error names `line:column`.
pub fn parse_attestations_toml(
    text: &str,
) -> Result<Vec<AttestationDraft>, ParseAttestationsError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        ParseAttestationsError {
            line,
            column,
            message: e.message().trim_end().to_owned(),
        }
    })?;
    if raw.attestation.is_empty() {
        return Err(ParseAttestationsError {
            line: 1,
            column: 1,
            message: "no [[attestation]] tables".into(),
        });
    }
    let mut out = Vec::with_capacity(raw.attestation.len());
    for spanned in raw.attestation {
        let (line, column) = line_col(text, spanned.span().start);
        let r = spanned.into_inner();
        let attestation = Attestation {
            control: r.control,
            item: r.item,
            method: r.method,
            result: r.result,
            assessor: r.assessor,
            date: r.date,
            expires: r.expires,
            note: r.note,
            attachments: Vec::new(),
        };
        attestation
            .check()
            .map_err(|message| ParseAttestationsError {
                line,
                column,
                message,
            })?;
        out.push(AttestationDraft {
            attestation,
            attach: r.attach,
            line,
            column,
        });
    }
    Ok(out)
}

/// One-based line and column (in characters) of byte offset `at`.
pub(crate) fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn de_opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    de_date(d).map(Some)
}

/// Accepts a TOML local date (`2026-11-20`) or a string `"2026-11-20"`.
fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    struct DateVisitor;

    impl<'de> Visitor<'de> for DateVisitor {
        type Value = Date;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date YYYY-MM-DD")
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Date, E> {
            parse_date(s).map_err(E::custom)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Date, A::Error> {
            let dt =
                toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
            match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => {
                    Date::new(d.year as i16, d.month as i8, d.day as i8).map_err(de::Error::custom)
                }
                _ => Err(de::Error::custom(format!(
                    "expected a date YYYY-MM-DD without a time, found {dt}"
                ))),
            }
        }
    }

    d.deserialize_any(DateVisitor)
}

/// Parses a strict `YYYY-MM-DD` calendar date.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !ok {
        return Err(format!("`{s}` is not a date YYYY-MM-DD"));
    }
    s.parse::<Date>()
        .map_err(|e| format!("`{s}` is not a valid date: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_file_parses_and_reports_line_col() {
        let text = "[[attestation]]\ncontrol = \"sds-6.1\"\nmethod = \"interview\"\nresult = \"satisfied\"\nassessor = \"Li Wei\"\ndate = 2026-11-20\nexpires = \"2027-11-20\"\nattach = [\"a.pdf\"]\n";
        let d = parse_attestations_toml(text).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].attestation.date.to_string(), "2026-11-20");
        assert_eq!(d[0].attestation.expires.unwrap().to_string(), "2027-11-20");
        assert_eq!(d[0].attach, vec![PathBuf::from("a.pdf")]);
        assert_eq!((d[0].line, d[0].column), (1, 1));

        let bad = text.replace("method = \"interview\"", "method = \"guess\"");
        let e = parse_attestations_toml(&bad).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(
            e.message.contains("guess") || e.message.contains("variant"),
            "{e}"
        );

        let unknown = text
            .replace("note", "x")
            .replace("attach = ", "color = \"red\"\nattach = ");
        let e = parse_attestations_toml(&unknown).unwrap_err();
        assert_eq!(e.line, 8, "{e}");
        assert!(e.message.contains("unknown field"), "{e}");

        let early = text.replace("expires = \"2027-11-20\"", "expires = 2025-01-01");
        let e = parse_attestations_toml(&early).unwrap_err();
        assert!(e.message.contains("not after"), "{e}");

        let e = parse_attestations_toml(
            &text.replace("date = 2026-11-20", "date = 2026-11-20T08:00:00Z"),
        )
        .unwrap_err();
        assert_eq!(e.line, 6, "{e}");
    }

    #[test]
    fn control_ids() {
        for ok in ["sds-6.1", "pes-16.2", "ac-8.10"] {
            assert!(is_control_id(ok), "{ok}");
        }
        for bad in ["SDS-6.1", "sds6.1", "sds-", "sds-6.", "-6.1", "sds-6.a"] {
            assert!(!is_control_id(bad), "{bad}");
        }
    }
}
