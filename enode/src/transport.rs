//! One Enode HTTP exchange with retries: status mapping, `Retry-After`, backoff and body
//! limits. Authentication is the caller's job.

use std::time::{Duration, SystemTime};

use reqwest::header::RETRY_AFTER;
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::config::RetryPolicy;
use crate::error::Error;
use crate::retry::{backoff_delay, parse_retry_after};
use crate::routes::Route;

/// The maximum response body size read. Enode's largest response, a page of 100 vehicles, is
/// a few hundred kilobytes by an estimate from the documented vehicle shape.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// How many characters of an unexpected body an error keeps.
const EXCERPT_CHARS: usize = 200;

/// A 2xx response.
#[derive(Debug)]
pub(crate) struct Success {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
}

impl Success {
    /// Parses the body as JSON of type `T`.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|error| Error::InvalidResponse {
            status: self.status,
            reason: error.to_string(),
            excerpt: excerpt(&self.body),
        })
    }
}

/// A failed attempt and whether trying again is safe.
#[derive(Debug)]
struct Failure {
    error: Error,
    retry: RetryClass,
    retry_after: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RetryClass {
    /// A retry would fail the same way. The caller handles a 401 with a new token.
    Never,
    /// Enode did not process the request, so any route may try again.
    NotProcessed,
    /// Enode may have processed the request, so only repeatable routes try again.
    MaybeProcessed,
}

/// Sends the request made by `build` until it succeeds, fails for good, or the retry policy
/// is used up. Each retry is logged at warn level with the failed attempt's number (from 1)
/// and the delay.
pub(crate) async fn send_with_retries(
    policy: &RetryPolicy,
    route: &Route,
    build: impl Fn() -> RequestBuilder,
) -> Result<Success, Error> {
    let mut retries_done = 0;
    loop {
        let failure = match send_once(build()).await {
            Ok(success) => return Ok(success),
            Err(failure) => failure,
        };

        let Some(delay) = retry_delay(policy, route, &failure, retries_done) else {
            tracing::debug!(error = %failure.error, attempts = retries_done + 1, "Enode call failed");
            return Err(failure.error);
        };
        tracing::warn!(
            attempt = retries_done + 1,
            max_retries = policy.max_retries,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            error = %failure.error,
            "retrying Enode call"
        );
        retries_done += 1;
        tokio::time::sleep(delay).await;
    }
}

/// Returns how long to wait before the next attempt, or `None` to give up.
fn retry_delay(
    policy: &RetryPolicy,
    route: &Route,
    failure: &Failure,
    retries_done: u32,
) -> Option<Duration> {
    let allowed = match failure.retry {
        RetryClass::Never => false,
        RetryClass::NotProcessed => true,
        RetryClass::MaybeProcessed => route.repeatable,
    };
    if !allowed || retries_done >= policy.max_retries {
        return None;
    }

    match failure.retry_after {
        Some(wait) if wait > policy.max_retry_after => None,
        Some(wait) => Some(wait),
        None => Some(backoff_delay(policy, retries_done)),
    }
}

async fn send_once(request: RequestBuilder) -> Result<Success, Failure> {
    let response = request.send().await.map_err(transport_failure)?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|value| parse_retry_after(value, SystemTime::now()));
    let body = read_body(response).await?;
    tracing::debug!(status = status.as_u16(), "Enode responded");

    if status.is_success() {
        return Ok(Success { status, body });
    }
    Err(status_failure(status, retry_after, &body))
}

/// Reads the body, failing once it passes `MAX_BODY_BYTES`.
async fn read_body(mut response: Response) -> Result<Vec<u8>, Failure> {
    let status = response.status();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_failure)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(Failure {
                error: Error::InvalidResponse {
                    status,
                    reason: format!("the body is larger than {MAX_BODY_BYTES} bytes"),
                    excerpt: excerpt(&body),
                },
                retry: RetryClass::Never,
                retry_after: None,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn transport_failure(error: reqwest::Error) -> Failure {
    let (error, retry) = if error.is_connect() {
        (
            Error::Unreachable {
                source: error.into(),
            },
            RetryClass::NotProcessed,
        )
    } else if error.is_timeout() {
        (Error::TimedOut, RetryClass::MaybeProcessed)
    } else {
        (
            Error::Unreachable {
                source: error.into(),
            },
            RetryClass::MaybeProcessed,
        )
    };
    Failure {
        error,
        retry,
        retry_after: None,
    }
}

fn status_failure(status: StatusCode, retry_after: Option<Duration>, body: &[u8]) -> Failure {
    let (error, retry) = match status {
        StatusCode::TOO_MANY_REQUESTS => {
            (Error::RateLimited { retry_after }, RetryClass::NotProcessed)
        }
        status if status.is_server_error() => {
            (Error::Server { status }, RetryClass::MaybeProcessed)
        }
        status if status.is_client_error() => (client_error(status, body), RetryClass::Never),
        status => (
            Error::InvalidResponse {
                status,
                reason: "unexpected status".to_owned(),
                excerpt: excerpt(body),
            },
            RetryClass::Never,
        ),
    };
    Failure {
        error,
        retry,
        retry_after,
    }
}

/// Maps a 4xx response to an error, with title and detail from its problem document or OAuth
/// error body when it has one.
fn client_error(status: StatusCode, body: &[u8]) -> Error {
    let document: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let text = |field: &str| {
        document
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };

    let title = text("title")
        .or_else(|| text("error"))
        .or_else(|| status.canonical_reason().map(str::to_owned))
        .unwrap_or_else(|| status.to_string());
    let detail = text("detail").or_else(|| text("error_description"));

    match status {
        StatusCode::UNAUTHORIZED => Error::Unauthorized { title, detail },
        StatusCode::NOT_FOUND => Error::NotFound { title, detail },
        status => Error::Problem {
            status,
            title,
            detail,
            kind: text("type"),
        },
    }
}

/// Returns the start of `body` as text, for error messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut excerpt: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        excerpt.push('…');
    }
    excerpt
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::{CREATE_WEBHOOK, GET_USER};

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(5),
        }
    }

    fn failure(status: StatusCode, retry_after: Option<Duration>) -> Failure {
        status_failure(status, retry_after, b"")
    }

    #[test]
    fn retry_honours_retry_after() {
        let failure = failure(StatusCode::TOO_MANY_REQUESTS, Some(Duration::from_secs(3)));
        let delay = retry_delay(&policy(), &GET_USER, &failure, 0);
        assert_eq!(delay, Some(Duration::from_secs(3)));
    }

    #[test]
    fn retry_stops_at_long_retry_after() {
        let failure = failure(StatusCode::TOO_MANY_REQUESTS, Some(Duration::from_secs(60)));
        assert_eq!(retry_delay(&policy(), &GET_USER, &failure, 0), None);
    }

    #[test]
    fn retry_stops_after_max_retries() {
        let failure = failure(StatusCode::SERVICE_UNAVAILABLE, None);
        assert_eq!(retry_delay(&policy(), &GET_USER, &failure, 2), None);
    }

    #[test]
    fn retry_skips_client_errors() {
        let failure = failure(StatusCode::BAD_REQUEST, None);
        assert_eq!(retry_delay(&policy(), &GET_USER, &failure, 0), None);
    }

    #[test]
    fn create_webhook_skips_server_error() {
        let failure = failure(StatusCode::BAD_GATEWAY, None);
        assert_eq!(retry_delay(&policy(), &CREATE_WEBHOOK, &failure, 0), None);
    }

    #[test]
    fn create_webhook_retries_rate_limit() {
        let failure = failure(StatusCode::TOO_MANY_REQUESTS, None);
        assert!(retry_delay(&policy(), &CREATE_WEBHOOK, &failure, 0).is_some());
    }

    #[test]
    fn client_error_reads_oauth_body() {
        let body = br#"{"error": "invalid_client", "error_description": "wrong secret"}"#;
        let error = client_error(StatusCode::UNAUTHORIZED, body);
        assert!(matches!(
            error,
            Error::Unauthorized { title, detail: Some(detail) }
                if title == "invalid_client" && detail == "wrong secret"
        ));
    }

    #[test]
    fn client_error_without_body_uses_reason() {
        let error = client_error(StatusCode::CONFLICT, b"<html>oops</html>");
        assert!(matches!(error, Error::Problem { title, .. } if title == "Conflict"));
    }

    #[test]
    fn html_body_is_invalid_response() {
        let success = Success {
            status: StatusCode::OK,
            body: b"<html><body>Maintenance</body></html>".to_vec(),
        };
        let result = success.json::<crate::models::User>();
        assert!(
            matches!(&result, Err(Error::InvalidResponse { excerpt, .. }) if excerpt.starts_with("<html>")),
            "{result:?}"
        );
    }

    #[test]
    fn missing_field_is_invalid_response() {
        let success = Success {
            status: StatusCode::OK,
            body: br#"{"linkedVendors": []}"#.to_vec(),
        };
        let result = success.json::<crate::models::User>();
        assert!(
            matches!(result, Err(Error::InvalidResponse { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn excerpt_cuts_long_body() {
        let body = "é".repeat(300);
        assert_eq!(excerpt(body.as_bytes()).chars().count(), EXCERPT_CHARS + 1);
    }
}
