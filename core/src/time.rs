use chrono::{DateTime, Utc};

/// Returns the current time as stored in the database: Unix milliseconds.
pub(crate) fn now_millis() -> i64 {
    Utc::now().timestamp_millis()
}

/// Converts stored Unix milliseconds back into a timestamp.
pub(crate) fn from_millis(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or_default()
}
