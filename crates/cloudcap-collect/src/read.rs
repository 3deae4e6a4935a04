//! Reading provider answers into record facts, shared by every collector: integers, counts and
//! the creation time a kind requires. What cannot be read is absent (or, where the kind
//! requires it, a `malformed` failure for that resource): never a guessed value.

use cloudcap_evidence::UtcTimestamp;
use serde_json::Value;

use crate::http::CallError;

/// Integer that may be a JSON number or a numeric string.
pub(crate) fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => int_text(s),
        _ => None,
    }
}

/// Integer written as text (an XML element, a numeric JSON string), surrounding space ignored.
pub(crate) fn int_text(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// A count, a length or a number of days: [`int`] when it is between 0 and `u32::MAX`; a
/// negative or oversized value is not a fact the record can hold, so it is absent.
pub(crate) fn count(v: Option<&Value>) -> Option<u32> {
    int(v).and_then(|n| u32::try_from(n).ok())
}

/// [`count`] of a text value (an XML element).
pub(crate) fn count_text(s: Option<&str>) -> Option<u32> {
    s.and_then(int_text).and_then(|n| u32::try_from(n).ok())
}

/// A timestamp the kind requires (`created_at`): an answer without a readable one is
/// `malformed` for that resource, never a guessed date.
pub(crate) fn required_stamp(
    stamp: Option<UtcTimestamp>,
    service: &'static str,
    what: &str,
) -> Result<UtcTimestamp, CallError> {
    stamp
        .ok_or_else(|| CallError::malformed(service, &format!("{what}: no readable creation time")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::http::ErrorClass;

    #[test]
    fn counts_are_absent_when_not_a_fact() {
        assert_eq!(count(Some(&json!(90))), Some(90));
        assert_eq!(count(Some(&json!("7"))), Some(7));
        // A negative or oversized number is not a count: absent, so not evaluated.
        assert_eq!(count(Some(&json!(-1))), None);
        assert_eq!(count(Some(&json!(5_000_000_000_i64))), None);
        assert_eq!(count(Some(&json!(1.5))), None);
        assert_eq!(count(None), None);
        assert_eq!(count_text(Some(" 24 ")), Some(24));
        assert_eq!(count_text(Some("0")), Some(0));
        assert_eq!(count_text(Some("-3")), None);
        assert_eq!(count_text(Some("4294967296")), None);
        assert_eq!(count_text(Some("seven")), None);
        assert_eq!(count_text(None), None);
    }

    #[test]
    fn a_required_creation_time_is_never_guessed() {
        let at = UtcTimestamp::parse("2026-01-31T08:00:00Z");
        assert_eq!(required_stamp(at, "iam", "alice").unwrap(), at.unwrap());
        let err = required_stamp(None, "iam", "alice").unwrap_err();
        assert_eq!(err.class, ErrorClass::Malformed);
        assert_eq!(err.service, "iam");
        assert!(err.message.contains("alice"), "{}", err.message);
    }
}
