//! Cursor pagination as Enode does it: `pageSize`, `after` and `before` query parameters and
//! a `pagination` object with opaque cursors.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::problem::ApiError;

const DEFAULT_PAGE_SIZE: usize = 50;
const MAX_PAGE_SIZE: usize = 100;

/// A validated page request. Cursors hold the creation sequence number of an item.
#[derive(Debug, PartialEq)]
pub(crate) struct PageQuery {
    size: usize,
    after: Option<u64>,
    before: Option<u64>,
}

impl PageQuery {
    /// Parses the raw query string of a list request.
    pub fn parse(raw_query: Option<&str>) -> Result<Self, ApiError> {
        let mut query = PageQuery {
            size: DEFAULT_PAGE_SIZE,
            after: None,
            before: None,
        };
        for (key, value) in form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "pageSize" => query.size = parse_page_size(&value)?,
                "after" => query.after = Some(decode_cursor("after", &value)?),
                "before" => query.before = Some(decode_cursor("before", &value)?),
                _ => {}
            }
        }
        if query.after.is_some() && query.before.is_some() {
            return Err(ApiError::BadRequest(
                "Send either after or before, not both.".to_owned(),
            ));
        }
        Ok(query)
    }
}

fn parse_page_size(value: &str) -> Result<usize, ApiError> {
    value
        .parse::<usize>()
        .ok()
        .filter(|size| (1..=MAX_PAGE_SIZE).contains(size))
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "pageSize {value:?} is invalid. Send a whole number from 1 to {MAX_PAGE_SIZE}, or leave it out for {DEFAULT_PAGE_SIZE}."
            ))
        })
}

fn encode_cursor(seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("seq:{seq}"))
}

fn decode_cursor(name: &str, value: &str) -> Result<u64, ApiError> {
    URL_SAFE_NO_PAD
        .decode(value)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("seq:").and_then(|seq| seq.parse().ok()))
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "{name} {value:?} is not a cursor from this API. Use a pagination.{name} value from an earlier page."
            ))
        })
}

/// Returns the requested page of `items` (sorted by sequence number) and the `pagination`
/// object. A cursor is null when the page is empty or no item lies beyond it in that
/// direction.
pub(crate) fn page<T>(items: Vec<(u64, T)>, query: &PageQuery) -> (Vec<T>, Value) {
    let total = items.len();
    let (start, end) = match (query.after, query.before) {
        (Some(after), _) => {
            let start = items
                .iter()
                .position(|(seq, _)| *seq > after)
                .unwrap_or(total);
            (start, (start + query.size).min(total))
        }
        (None, Some(before)) => {
            let end = items
                .iter()
                .position(|(seq, _)| *seq >= before)
                .unwrap_or(total);
            (end.saturating_sub(query.size), end)
        }
        (None, None) => (0, query.size.min(total)),
    };

    let not_empty = start < end;
    let before = (not_empty && start > 0).then(|| encode_cursor(items[start].0));
    let after = (not_empty && end < total).then(|| encode_cursor(items[end - 1].0));
    let data = items
        .into_iter()
        .skip(start)
        .take(end - start)
        .map(|(_, item)| item)
        .collect();
    (data, json!({ "before": before, "after": after }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<(u64, u64)> {
        (1..=5).map(|seq| (seq * 10, seq)).collect()
    }

    fn query(raw: &str) -> PageQuery {
        PageQuery::parse(Some(raw)).unwrap()
    }

    #[test]
    fn first_page() {
        let (data, _) = page(items(), &query("pageSize=2"));
        assert_eq!(data, vec![1, 2]);
    }

    #[test]
    fn first_page_has_no_before() {
        let (_, pagination) = page(items(), &query("pageSize=2"));
        assert_eq!(pagination["before"], Value::Null);
    }

    #[test]
    fn after_cursor_continues() {
        let (_, pagination) = page(items(), &query("pageSize=2"));
        let after = pagination["after"].as_str().unwrap().to_owned();
        let (data, _) = page(items(), &query(&format!("pageSize=2&after={after}")));
        assert_eq!(data, vec![3, 4]);
    }

    #[test]
    fn last_page_has_no_after() {
        let after = encode_cursor(40);
        let (_, pagination) = page(items(), &query(&format!("pageSize=2&after={after}")));
        assert_eq!(pagination["after"], Value::Null);
    }

    #[test]
    fn before_cursor_goes_back() {
        let before = encode_cursor(50);
        let (data, _) = page(items(), &query(&format!("pageSize=2&before={before}")));
        assert_eq!(data, vec![3, 4]);
    }

    #[test]
    fn page_size_zero_rejected() {
        assert!(PageQuery::parse(Some("pageSize=0")).is_err());
    }

    #[test]
    fn page_size_101_rejected() {
        assert!(PageQuery::parse(Some("pageSize=101")).is_err());
    }

    #[test]
    fn garbage_cursor_rejected() {
        assert!(PageQuery::parse(Some("after=nonsense")).is_err());
    }
}
