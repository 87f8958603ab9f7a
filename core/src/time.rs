use chrono::Utc;

/// The current time as stored in the database: Unix milliseconds.
pub(crate) fn now_millis() -> i64 {
    Utc::now().timestamp_millis()
}
