//! Percent-encoding as the Chinese clouds' signers and URLs need it (RFC 3986, upper-case hex),
//! on top of the `percent-encoding` crate.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Everything but the RFC 3986 unreserved characters `A-Za-z0-9-_.~`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// [`UNRESERVED`], keeping `/` too (paths).
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

/// RFC 3986 percent-encoding: `A-Za-z0-9-_.~` kept, everything else `%XX` (upper case).
/// With `keep_slash`, `/` is kept too (paths).
pub(crate) fn percent_encode(s: &str, keep_slash: bool) -> String {
    let set = if keep_slash { PATH } else { UNRESERVED };
    utf8_percent_encode(s, set).to_string()
}

/// Decodes `%XX` escapes (`+` is left alone: the collectors never send it for a space).
pub(crate) fn percent_decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Query parameters sorted by name (then value) and joined as `name=enc(value)` with `&`: the
/// names as they are, the values percent-encoded (RFC 3986 unreserved kept). The canonical
/// query of Alibaba's V3 signature and of CTyun's EOP signature alike.
pub(crate) fn sorted_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> = query.iter().collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v, false)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encode_is_rfc3986() {
        assert_eq!(percent_encode(" ~/*-+", false), "%20~%2F%2A-%2B");
        assert_eq!(percent_encode("/path/ test", true), "/path/%20test");
        assert_eq!(percent_encode("é", false), "%C3%A9");
    }

    #[test]
    fn percent_decode_reverses_it() {
        assert_eq!(percent_decode("%20~%2F%2A-%2B"), " ~/*-+");
        assert_eq!(percent_decode("a+b%2"), "a+b%2");
        assert_eq!(percent_decode("%C3%A9"), "é");
    }
}
