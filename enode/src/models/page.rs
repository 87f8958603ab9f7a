use serde::{Deserialize, Serialize};

use super::lenient::null_as_default;

/// Cursors of a paginated list. `after` is `None` on the last page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pagination {
    #[serde(default)]
    pub before: Option<String>,
    #[serde(default)]
    pub after: Option<String>,
}

/// One page of a list endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub pagination: Pagination,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_without_pagination_is_last() {
        let page: Page<u32> = serde_json::from_str(r#"{"data": [1, 2]}"#).expect("a page");
        assert_eq!(page.pagination.after, None);
    }

    #[test]
    fn page_reads_after_cursor() {
        let text = r#"{"data": [], "pagination": {"before": null, "after": "c2"}}"#;
        let page: Page<u32> = serde_json::from_str(text).expect("a page");
        assert_eq!(page.pagination.after.as_deref(), Some("c2"));
    }
}
