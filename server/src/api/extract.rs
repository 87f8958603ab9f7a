//! Extractors that turn malformed requests into [`AppError`]s, so every API failure has the same
//! JSON shape.

use app::{
    error::{AppError, ErrorKind},
    state::AppState,
};
use axum::{
    Json,
    extract::{FromRequest, FromRequestParts, Request, rejection::JsonRejection},
    http::request::Parts,
};
use axum_extra::extract::CookieJar;
use carlink_core::{Error, UserId};
use serde::de::DeserializeOwned;

/// A JSON request body. A malformed body is a 400 (a 422 when it is JSON with wrong fields) whose
/// message states what was wrong.
pub struct JsonBody<T>(pub T);

impl<T> FromRequest<AppState> for JsonBody<T>
where
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => {
                let kind = match rejection {
                    JsonRejection::JsonDataError(_) => ErrorKind::Unprocessable,
                    _ => ErrorKind::BadRequest,
                };
                Err(AppError::new(kind, format!("{}.", rejection.body_text())))
            }
        }
    }
}

/// The user of the request's session; 401 without a valid session cookie.
pub struct SignedInUser(pub UserId);

impl FromRequestParts<AppState> for SignedInUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let cookies = CookieJar::from_headers(&parts.headers);
        match state.signed_in_user(&cookies).await? {
            Some(user) => Ok(Self(user)),
            None => Err(Error::NotSignedIn.into()),
        }
    }
}

impl SignedInUser {
    /// Checks that a user-scoped path (`/api/user/{user_id}/...`) names the session's own user;
    /// 403 otherwise, without saying whether the other user exists.
    pub fn require_same(&self, path_user_id: &str) -> Result<&UserId, AppError> {
        if self.0.as_str() == path_user_id {
            Ok(&self.0)
        } else {
            Err(Error::Forbidden.into())
        }
    }
}
