//! One paging loop for every listing of the Chinese clouds.
//!
//! The vendors page in four ways: a page number and a total (`PageNumber`/`PageSize` with
//! `TotalCount` or `TotalRecordCount`), an offset and a total (`Offset`/`Limit` with
//! `TotalCount`), a continuation token (`NextToken`, `Marker`/`NextMarker`, `next_marker`,
//! `page_info.next_marker`), and "the last item's id of a full page is the next marker" (Huawei VPC v1, as a token). Each
//! call site says how to build the request for a [`Cursor`] and how to read one answer into a
//! [`Page`]; [`list`] runs the loop, so every listing is read to its end or ends in an error:
//!
//! * a total that is missing or not a number is `malformed` (no silent first page);
//! * a page that comes back empty before the total is reached is `malformed`;
//! * a continuation token that repeats is `malformed` (the listing would never end);
//! * a listing that has not ended after `max_pages` pages is `truncated`.

use serde_json::Value;

use crate::http::{CallError, ErrorClass};

/// The default bound on pages per listing (`--max-pages`).
pub const DEFAULT_MAX_PAGES: usize = 1000;

/// Where the next request starts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cursor {
    /// 1-based page number.
    pub(crate) number: u64,
    /// Items read so far (the offset of the next page).
    pub(crate) offset: u64,
    /// The continuation token of the previous answer (empty on the first request).
    pub(crate) token: String,
}

/// How an answer says whether there is more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum More {
    /// The listing has this many items in all.
    Total(u64),
    /// Continue from this token; an empty token ends the listing.
    Token(String),
    /// This was the last page.
    Done,
}

/// One answer, read.
#[derive(Clone, Debug)]
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) more: More,
}

/// Reads every page. `fetch` sends the request for a cursor and reads its answer.
pub(crate) fn list<T>(
    service: &'static str,
    action: &'static str,
    max_pages: usize,
    mut fetch: impl FnMut(&Cursor) -> Result<Page<T>, CallError>,
) -> Result<Vec<T>, CallError> {
    let mut out = Vec::new();
    let mut cursor = Cursor {
        number: 1,
        ..Cursor::default()
    };
    for _ in 0..max_pages.max(1) {
        let page = fetch(&cursor)?;
        let got = page.items.len() as u64;
        out.extend(page.items);
        cursor.offset += got;
        cursor.number += 1;
        match page.more {
            More::Done => return Ok(out),
            More::Total(total) => {
                if cursor.offset >= total {
                    return Ok(out);
                }
                if got == 0 {
                    return Err(error(
                        ErrorClass::Malformed,
                        service,
                        action,
                        format!(
                            "the listing says {total} items but a page came back empty after {}",
                            cursor.offset
                        ),
                    ));
                }
            }
            More::Token(token) => {
                if token.is_empty() {
                    return Ok(out);
                }
                if token == cursor.token {
                    return Err(error(
                        ErrorClass::Malformed,
                        service,
                        action,
                        format!("the continuation token {token:?} repeated"),
                    ));
                }
                cursor.token = token;
            }
        }
    }
    Err(error(
        ErrorClass::Truncated,
        service,
        action,
        format!(
            "the listing did not end within {} pages ({} items read); the rest is unknown",
            max_pages.max(1),
            out.len()
        ),
    ))
}

fn error(
    class: ErrorClass,
    service: &'static str,
    action: &'static str,
    message: String,
) -> CallError {
    CallError {
        class,
        service,
        action,
        code: None,
        status: None,
        message,
    }
}

/// The JSON value at `path` (`Value::Null` when any step is missing).
pub(crate) fn at<'v>(v: &'v Value, path: &[&str]) -> &'v Value {
    path.iter()
        .fold(v, |v, k| v.get(*k).unwrap_or(&Value::Null))
}

/// The array at `path`; a missing or null array is an empty page, any other type is malformed.
pub(crate) fn items(
    v: &Value,
    path: &[&str],
    service: &'static str,
    action: &'static str,
) -> Result<Vec<Value>, CallError> {
    match at(v, path) {
        Value::Array(a) => Ok(a.clone()),
        Value::Null => Ok(Vec::new()),
        other => Err(error(
            ErrorClass::Malformed,
            service,
            action,
            format!("`{}` is not a list: {other}", path.join(".")),
        )),
    }
}

/// The listing's total at `path` (a number, or a number in a string); missing is malformed.
pub(crate) fn total(
    v: &Value,
    path: &[&str],
    service: &'static str,
    action: &'static str,
) -> Result<More, CallError> {
    let t = at(v, path);
    t.as_u64()
        .or_else(|| t.as_str().and_then(|s| s.trim().parse().ok()))
        .map(More::Total)
        .ok_or_else(|| {
            error(
                ErrorClass::Malformed,
                service,
                action,
                format!("the answer has no total `{}`", path.join(".")),
            )
        })
}

/// The continuation token at `path` (missing or null ends the listing). When `truncated` is
/// given, the listing ends when that flag is false (`false`, `"false"`), and a true flag
/// without a token is malformed.
pub(crate) fn token(
    v: &Value,
    path: &[&str],
    truncated: Option<&[&str]>,
    service: &'static str,
    action: &'static str,
) -> Result<More, CallError> {
    let next = match at(v, path) {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    if let Some(flag) = truncated {
        let more = match at(v, flag) {
            Value::Bool(b) => *b,
            Value::String(s) => s.eq_ignore_ascii_case("true"),
            _ => false,
        };
        if !more {
            return Ok(More::Done);
        }
        if next.is_empty() {
            return Err(error(
                ErrorClass::Malformed,
                service,
                action,
                format!(
                    "`{}` says there is more but `{}` is empty",
                    flag.join("."),
                    path.join(".")
                ),
            ));
        }
    }
    Ok(More::Token(next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn numbered(total: u64, size: u64) -> impl FnMut(&Cursor) -> Result<Page<u64>, CallError> {
        move |c: &Cursor| {
            let start = (c.number - 1) * size;
            let items: Vec<u64> = (start..total.min(start + size)).collect();
            Ok(Page {
                items,
                more: More::Total(total),
            })
        }
    }

    #[test]
    fn reads_every_page_of_a_total() {
        assert_eq!(list("s", "A", 10, numbered(250, 100)).unwrap().len(), 250);
        assert_eq!(list("s", "A", 10, numbered(0, 100)).unwrap().len(), 0);
        assert_eq!(list("s", "A", 10, numbered(100, 100)).unwrap().len(), 100);
    }

    #[test]
    fn the_page_bound_is_an_error_never_a_short_listing() {
        let err = list("s", "A", 2, numbered(250, 100)).unwrap_err();
        assert_eq!(err.class, ErrorClass::Truncated);
        assert!(err.message.contains("200 items read"), "{}", err.message);
    }

    #[test]
    fn an_empty_page_before_the_total_is_malformed() {
        let err = list("s", "A", 10, |_: &Cursor| {
            Ok(Page::<u64> {
                items: vec![],
                more: More::Total(5),
            })
        })
        .unwrap_err();
        assert_eq!(err.class, ErrorClass::Malformed);
    }

    #[test]
    fn tokens_are_followed_and_a_repeated_token_is_malformed() {
        let got = list("s", "A", 10, |c: &Cursor| {
            let n: u64 = if c.token.is_empty() {
                0
            } else {
                c.token.parse().unwrap()
            };
            Ok(Page {
                items: vec![n],
                more: More::Token(if n < 4 {
                    (n + 1).to_string()
                } else {
                    String::new()
                }),
            })
        })
        .unwrap();
        assert_eq!(got, vec![0, 1, 2, 3, 4]);
        let err = list("s", "A", 10, |_: &Cursor| {
            Ok(Page {
                items: vec![1],
                more: More::Token("same".into()),
            })
        })
        .unwrap_err();
        assert_eq!(err.class, ErrorClass::Malformed);
    }

    #[test]
    fn totals_and_tokens_are_read_strictly() {
        let v = json!({"TotalRecordCount": 7, "S": "12", "Next": "t", "Trunc": "false"});
        assert_eq!(
            total(&v, &["TotalRecordCount"], "s", "A").unwrap(),
            More::Total(7)
        );
        assert_eq!(total(&v, &["S"], "s", "A").unwrap(), More::Total(12));
        assert_eq!(
            total(&v, &["TotalCount"], "s", "A").unwrap_err().class,
            ErrorClass::Malformed
        );
        assert_eq!(
            token(&v, &["Next"], None, "s", "A").unwrap(),
            More::Token("t".into())
        );
        assert_eq!(
            token(&v, &["Next"], Some(&["Trunc"]), "s", "A").unwrap(),
            More::Done
        );
        let t = json!({"truncated": "true", "next_marker": ""});
        assert_eq!(
            token(&t, &["next_marker"], Some(&["truncated"]), "s", "A")
                .unwrap_err()
                .class,
            ErrorClass::Malformed
        );
        assert_eq!(items(&json!({}), &["X"], "s", "A").unwrap().len(), 0);
        assert!(items(&json!({"X": 1}), &["X"], "s", "A").is_err());
    }
}
