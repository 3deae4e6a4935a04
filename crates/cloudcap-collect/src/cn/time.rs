//! Time for the Chinese clouds, on `jiff`: the signers' date formats, and vendor timestamps
//! normalized to RFC 3339 UTC. The clock itself is read in one place, [`crate::clock`].

use jiff::Timestamp;
use jiff::tz::Offset;
use serde_json::Value;

/// The instant of a Unix time (seconds); out of `jiff`'s range (beyond year ±9999) is the epoch.
fn at(unix: i64) -> Timestamp {
    Timestamp::from_second(unix).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A Unix time formatted in UTC with a `strftime` pattern.
pub(crate) fn format_utc(unix: i64, pattern: &str) -> String {
    at(unix).strftime(pattern).to_string()
}

/// `2023-10-26T09:01:01Z`.
pub(crate) fn rfc3339(unix: i64) -> String {
    format_utc(unix, "%Y-%m-%dT%H:%M:%SZ")
}

/// Normalizes a vendor timestamp to RFC 3339 UTC (`2026-01-31T08:00:00Z`).
///
/// Accepts `2020-01-08T06:26:08Z`, `2020-01-08T06:26:08.123Z`, `2020-01-08 06:26:08`,
/// `2020-01-08 06:26:08.0` (treated as UTC), `2020-01-08T14:26:08+08:00` and Unix milliseconds.
pub(crate) fn normalize_time(v: &Value) -> Option<String> {
    if let Some(ms) = v.as_i64() {
        return Some(rfc3339(ms / 1000));
    }
    normalize_text(v.as_str()?, Offset::UTC)
}

/// Beijing time (UTC+8).
const CST: Offset = Offset::constant(8);

/// Like [`normalize_time`], but a date and time of day without an offset is Beijing time
/// (UTC+8), as Tencent Cloud writes `CreateTime`; only strings are accepted.
pub(crate) fn normalize_time_cst(v: &Value) -> Option<String> {
    let text = v.as_str()?;
    // A bare date (shorter than `YYYY-MM-DD HH:MM:SS`) is read as UTC, as before.
    let offset = if text.trim().len() >= 19 {
        CST
    } else {
        Offset::UTC
    };
    normalize_text(text, offset)
}

/// A timestamp string: Unix seconds (10 digits or fewer) or milliseconds, RFC 3339, or a civil
/// date-time (`T` or space) taken at `offset`.
fn normalize_text(text: &str, offset: Offset) -> Option<String> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        return Some(rfc3339(if s.len() > 10 { n / 1000 } else { n }));
    }
    let ts = match s.parse::<Timestamp>() {
        Ok(ts) => ts,
        Err(_) => {
            let dt: jiff::civil::DateTime = s.replace(' ', "T").parse().ok()?;
            offset.to_timestamp(dt).ok()?
        }
    };
    Some(rfc3339(ts.as_second()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rfc3339_matches_known_dates() {
        assert_eq!(rfc3339(1_551_113_065), "2019-02-25T16:44:25Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(
            format_utc(1_132_253_398, "%a, %d %b %Y %H:%M:%S GMT"),
            "Thu, 17 Nov 2005 18:49:58 GMT"
        );
    }

    #[test]
    fn normalize_time_accepts_vendor_spellings() {
        let want = Some("2020-01-08T06:26:08Z".to_owned());
        assert_eq!(normalize_time(&json!("2020-01-08T06:26:08Z")), want);
        assert_eq!(normalize_time(&json!("2020-01-08T06:26:08.123059Z")), want);
        assert_eq!(normalize_time(&json!("2020-01-08 06:26:08")), want);
        assert_eq!(normalize_time(&json!("2020-01-08 06:26:08.0")), want);
        assert_eq!(normalize_time(&json!("2020-01-08T14:26:08+08:00")), want);
        assert_eq!(normalize_time(&json!(1_578_464_768_000_i64)), want);
        assert_eq!(normalize_time(&json!("1578464768")), want);
        assert_eq!(normalize_time(&json!("")), None);
        assert_eq!(normalize_time_cst(&json!("2020-01-08 14:26:08")), want);
        assert_eq!(normalize_time_cst(&json!("2020-01-08T14:26:08")), want);
        assert_eq!(normalize_time_cst(&json!("2020-01-08T06:26:08Z")), want);
        assert_eq!(
            normalize_time_cst(&json!("2020-01-08T14:26:08+08:00")),
            want
        );
        assert_eq!(normalize_time_cst(&json!(1_578_464_768_000_i64)), None);
    }
}
