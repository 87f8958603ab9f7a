use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

/// A failed Enode call. Match on the variant to decide what to tell the user.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// 401: the client credentials are wrong, or Enode rejected a fresh token.
    #[error("Enode rejected the credentials: {title}{}", suffix(detail))]
    Unauthorized {
        title: String,
        detail: Option<String>,
    },

    /// 404: the user, vehicle, vendor link or webhook does not exist at Enode.
    #[error("not found at Enode: {title}{}", suffix(detail))]
    NotFound {
        title: String,
        detail: Option<String>,
    },

    /// 429 after every retry, or with a `Retry-After` longer than the policy waits.
    #[error("Enode rate limit reached{}", retry_after_suffix(retry_after))]
    RateLimited { retry_after: Option<Duration> },

    /// 5xx after every retry.
    #[error("Enode failed with {status}; try again later")]
    Server { status: StatusCode },

    /// No complete response within the request timeout, after every retry.
    #[error("Enode did not respond within the request timeout")]
    TimedOut,

    /// The connection failed (DNS, refused, reset, TLS), after every retry.
    #[error("could not reach Enode: {source}")]
    Unreachable {
        #[source]
        source: Arc<reqwest::Error>,
    },

    /// A body that does not match the documented shape.
    #[error("invalid response from Enode ({status}): {reason}; body starts with {excerpt:?}")]
    InvalidResponse {
        status: StatusCode,
        reason: String,
        excerpt: String,
    },

    /// Any other 4xx, from its problem document when Enode sent one.
    #[error("Enode rejected the request with {status}: {title}{}", suffix(detail))]
    Problem {
        status: StatusCode,
        title: String,
        detail: Option<String>,
        /// The problem document's `type`.
        kind: Option<String>,
    },

    /// An argument that cannot name an Enode resource, such as an empty user id.
    #[error("invalid argument: {0}")]
    InvalidInput(String),

    /// A configuration the client cannot work with.
    #[error("invalid Enode client configuration: {0}")]
    InvalidConfig(String),
}

impl Error {
    /// Returns true for failures that may pass when the call is made again later: rate limits,
    /// 5xx, timeouts and connection failures.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. }
                | Self::Server { .. }
                | Self::TimedOut
                | Self::Unreachable { .. }
        )
    }
}

fn suffix(detail: &Option<String>) -> String {
    detail
        .as_deref()
        .map(|detail| format!(": {detail}"))
        .unwrap_or_default()
}

fn retry_after_suffix(retry_after: &Option<Duration>) -> String {
    retry_after
        .map(|delay| format!("; retry after {} s", delay.as_secs_f64().ceil()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_display_includes_detail() {
        let error = Error::Problem {
            status: StatusCode::BAD_REQUEST,
            title: "Validation error".to_owned(),
            detail: Some("scopes is required".to_owned()),
            kind: None,
        };
        assert_eq!(
            error.to_string(),
            "Enode rejected the request with 400 Bad Request: Validation error: scopes is required"
        );
    }

    #[test]
    fn rate_limited_display_rounds_up() {
        let error = Error::RateLimited {
            retry_after: Some(Duration::from_millis(1500)),
        };
        assert_eq!(
            error.to_string(),
            "Enode rate limit reached; retry after 2 s"
        );
    }

    #[test]
    fn timed_out_is_transient() {
        assert!(Error::TimedOut.is_transient());
    }

    #[test]
    fn not_found_is_not_transient() {
        let error = Error::NotFound {
            title: "Not Found".to_owned(),
            detail: None,
        };
        assert!(!error.is_transient());
    }
}
