//! The error every server function returns and the JSON API sends. Each kind has one HTTP status;
//! the message is written for the driver and safe to show.

use std::fmt;

use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// 400: a request carries a value the server cannot use, such as an unknown vendor.
    BadRequest,
    /// 401: no session, or a wrong username or password.
    Unauthorized,
    /// 403: the session belongs to another user than the resource.
    Forbidden,
    /// 404: nothing matches the given id, token or state.
    NotFound,
    /// 405: the endpoint exists but not for this HTTP method.
    MethodNotAllowed,
    /// 409: the resource exists already, such as a taken username.
    Conflict,
    /// 410: the resource existed but has expired.
    Gone,
    /// 422: a value breaks a rule; the message states the rule.
    Unprocessable,
    /// 429: too many attempts. The message states when to try again.
    TooManyRequests,
    /// 502: Enode returned an error or a response carlink cannot use.
    BadGateway,
    /// 503: Enode or the database is unavailable for now; trying again later can work.
    Unavailable,
    /// 500: a fault on carlink's side; details are in the server log.
    Internal,
}

impl ErrorKind {
    pub fn status(self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Gone => StatusCode::GONE,
            Self::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::BadGateway => StatusCode::BAD_GATEWAY,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct AppError {
    #[serde(rename = "error")]
    pub kind: ErrorKind,
    pub message: String,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

// NOTE: without WASM, Leptos carries a failed form's error back to the form in the redirect URL
// (`__err`), so a crafted link can put any text into a form's error box. The text is escaped
// like all text, so it can mislead but never inject markup.
impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Maps transport failures, where the request or its response was lost, to an error to show.
    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        let message = match error {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => {
                "The server could not be reached. Check your connection and try again.".to_owned()
            }
            other => format!("The request failed: {other}. Reload the page and try again."),
        };
        Self::new(ErrorKind::Unavailable, message)
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use axum::{
        Json,
        response::{IntoResponse, Response},
    };
    use carlink_core::Error;

    use super::{AppError, ErrorKind};

    impl From<Error> for AppError {
        fn from(error: Error) -> Self {
            let kind = match &error {
                Error::InvalidInput(_) => ErrorKind::Unprocessable,
                Error::UsernameTaken(_) => ErrorKind::Conflict,
                Error::WrongCredentials | Error::NotSignedIn => ErrorKind::Unauthorized,
                Error::TooManySignInAttempts { .. } => ErrorKind::TooManyRequests,
                Error::Forbidden => ErrorKind::Forbidden,
                Error::UnknownVendor(_) => ErrorKind::BadRequest,
                Error::LinkNotFound => ErrorKind::NotFound,
                Error::LinkExpired { .. } => ErrorKind::Gone,
                Error::LinkNotCompleted { .. } => ErrorKind::Conflict,
                Error::UntrustedLinkUrl(_) => ErrorKind::BadGateway,
                Error::Enode(enode_error) => {
                    // The driver gets a short message, and the log keeps Enode's response.
                    tracing::warn!(error = %enode_error, "Enode call failed");
                    if error.is_transient() {
                        ErrorKind::Unavailable
                    } else {
                        ErrorKind::BadGateway
                    }
                }
                Error::Database(_) | Error::Internal(_) => ErrorKind::Internal,
            };
            if kind == ErrorKind::Internal {
                tracing::error!(error = %error, "request failed on the server");
                return Self::new(
                    kind,
                    "Something went wrong on carlink's side. Try again in a moment.",
                );
            }
            Self::new(kind, error.to_string())
        }
    }

    /// The JSON API's error body: `{"error": "<kind>", "message": "..."}` with the kind's status.
    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            (self.kind.status(), Json(self)).into_response()
        }
    }
}
