//! Backoff delays and `Retry-After` parsing.

use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::header::HeaderValue;

use crate::config::RetryPolicy;

/// Returns the delay before retry `retry_index` (0 for the first retry): a random duration
/// between half and all of `min(max_delay, base_delay * 2^retry_index)`.
pub(crate) fn backoff_delay(policy: &RetryPolicy, retry_index: u32) -> Duration {
    let factor = 2_u32.checked_pow(retry_index).unwrap_or(u32::MAX);
    let ceiling = policy
        .base_delay
        .checked_mul(factor)
        .unwrap_or(policy.max_delay)
        .min(policy.max_delay);

    let half = ceiling / 2;
    let jitter_nanos = rand::rng().random_range(0..=nanos(ceiling - half));
    half + Duration::from_nanos(jitter_nanos)
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// Parses `Retry-After` as delay seconds or as an HTTP date relative to `now`. A date in the
/// past gives zero. Returns `None` for a value that is neither.
pub(crate) fn parse_retry_after(value: &HeaderValue, now: SystemTime) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }

    let date = httpdate::parse_http_date(text).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            max_retry_after: Duration::from_secs(10),
        }
    }

    #[test]
    fn backoff_first_retry_within_base() {
        for _ in 0..100 {
            let delay = backoff_delay(&policy(), 0);
            assert!(
                delay >= Duration::from_millis(50),
                "{delay:?} is below half the base"
            );
            assert!(
                delay <= Duration::from_millis(100),
                "{delay:?} is above the base"
            );
        }
    }

    #[test]
    fn backoff_grows_exponentially() {
        for _ in 0..100 {
            let delay = backoff_delay(&policy(), 2);
            assert!(
                delay >= Duration::from_millis(200),
                "{delay:?} is below 200 ms"
            );
            assert!(
                delay <= Duration::from_millis(400),
                "{delay:?} is above 400 ms"
            );
        }
    }

    #[test]
    fn backoff_capped_at_max_delay() {
        for _ in 0..100 {
            let delay = backoff_delay(&policy(), 40);
            assert!(
                delay <= Duration::from_millis(1000),
                "{delay:?} is above the cap"
            );
        }
    }

    #[test]
    fn backoff_varies() {
        let delays: std::collections::HashSet<Duration> =
            (0..20).map(|_| backoff_delay(&policy(), 3)).collect();
        assert!(delays.len() > 1, "20 delays were all equal");
    }

    #[test]
    fn retry_after_reads_seconds() {
        let value = HeaderValue::from_static("7");
        assert_eq!(
            parse_retry_after(&value, SystemTime::now()),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn retry_after_reads_http_date() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:30 GMT").expect("a date");
        let value = HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(parse_retry_after(&value, now), Some(Duration::from_secs(7)));
    }

    #[test]
    fn retry_after_past_date_is_zero() {
        let value = HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(
            parse_retry_after(&value, SystemTime::now()),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_rejects_garbage() {
        let value = HeaderValue::from_static("soon");
        assert_eq!(parse_retry_after(&value, SystemTime::now()), None);
    }
}
