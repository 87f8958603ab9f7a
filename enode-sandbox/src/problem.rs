//! Errors of the API and control endpoints, sent as RFC 7807 problem documents.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// A failed request. Each variant maps to one status code.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// 400: the request body, path or query is invalid. The detail names the field.
    BadRequest(String),
    /// 401: the bearer token is missing, unknown, expired or revoked.
    Unauthorized(String),
    /// 404: the user, vehicle, vendor link, webhook or link session does not exist.
    NotFound(String),
    /// 409: the request conflicts with the current state.
    Conflict(String),
    /// 410: the link session expired or was used.
    Gone(String),
    /// Any status injected through `POST /_control/faults`.
    Injected {
        status: StatusCode,
        retry_after: Option<u64>,
    },
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Gone(_) => StatusCode::GONE,
            Self::Injected { status, .. } => *status,
        }
    }

    fn detail(&self) -> String {
        match self {
            Self::BadRequest(detail)
            | Self::Unauthorized(detail)
            | Self::NotFound(detail)
            | Self::Conflict(detail)
            | Self::Gone(detail) => detail.clone(),
            Self::Injected { status, .. } => {
                format!(
                    "The sandbox returned {} because a fault was injected with POST /_control/faults.",
                    status.as_u16()
                )
            }
        }
    }
}

/// Returns the problem `type` URI for a status, in the form Enode uses
/// (`https://developers.enode.com/api/problems/not-found`).
fn problem_type(status: StatusCode) -> String {
    let slug = status
        .canonical_reason()
        .unwrap_or("error")
        .to_ascii_lowercase()
        .replace(' ', "-");
    format!("https://developers.enode.com/api/problems/{slug}")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = self.detail();
        tracing::info!(status = status.as_u16(), %detail, "request failed");
        let body = json!({
            "type": problem_type(status),
            "title": status.canonical_reason().unwrap_or("Error"),
            "detail": detail,
        });
        let mut response = (status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match &self {
            Self::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::Injected {
                retry_after: Some(seconds),
                ..
            } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*seconds));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_type_not_found() {
        assert_eq!(
            problem_type(StatusCode::NOT_FOUND),
            "https://developers.enode.com/api/problems/not-found"
        );
    }

    #[test]
    fn problem_type_too_many_requests() {
        assert_eq!(
            problem_type(StatusCode::TOO_MANY_REQUESTS),
            "https://developers.enode.com/api/problems/too-many-requests"
        );
    }
}
