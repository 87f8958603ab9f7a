//! `POST /api/signup`, `POST /api/login`, `POST /api/logout`, `GET /api/me` and
//! `GET /api/user/{user_id}`.

use app::{
    error::AppError,
    state::{AppState, SESSION_COOKIE},
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use axum_extra::extract::CookieJar;
use carlink_core::{SessionToken, UserId};
use serde::{Deserialize, Serialize};

use super::extract::{JsonBody, SignedInUser};

#[derive(Deserialize)]
pub struct Credentials {
    username: String,
    password: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    user_id: String,
}

/// Creates an account and signs it in: 201 with the user id and the session cookie.
pub async fn sign_up(
    State(state): State<AppState>,
    cookies: CookieJar,
    JsonBody(credentials): JsonBody<Credentials>,
) -> Result<Response, AppError> {
    let session = state
        .carlink
        .sign_up(credentials.username.trim(), &credentials.password)
        .await?;
    Ok(signed_in(StatusCode::CREATED, &state, cookies, session))
}

/// Signs in: 200 with the user id and the session cookie; 401 for a wrong username or password.
pub async fn sign_in(
    State(state): State<AppState>,
    cookies: CookieJar,
    JsonBody(credentials): JsonBody<Credentials>,
) -> Result<Response, AppError> {
    let session = state
        .carlink
        .sign_in(credentials.username.trim(), &credentials.password)
        .await?;
    Ok(signed_in(StatusCode::OK, &state, cookies, session))
}

/// Builds the response to a new session: the user id and the session cookie.
fn signed_in(
    status: StatusCode,
    state: &AppState,
    cookies: CookieJar,
    (user_id, token): (UserId, SessionToken),
) -> Response {
    let cookies = cookies.add(state.session_cookie(&token));
    let body = Json(Me {
        user_id: user_id.to_string(),
    });
    (status, cookies, body).into_response()
}

/// Ends the session, if any: 204 and a cookie that clears the session.
pub async fn sign_out(
    State(state): State<AppState>,
    cookies: CookieJar,
) -> Result<Response, AppError> {
    if let Some(cookie) = cookies.get(SESSION_COOKIE) {
        state.carlink.sign_out(cookie.value()).await?;
    }
    let cookies = cookies.add(state.expired_session_cookie());
    Ok((StatusCode::NO_CONTENT, cookies).into_response())
}

/// Returns the session's user; 401 without a session.
pub async fn me(user: SignedInUser) -> Json<Me> {
    Json(Me {
        user_id: user.0.to_string(),
    })
}

/// Returns the account behind a user id; only its own user may read it.
pub async fn user(user: SignedInUser, Path(user_id): Path<String>) -> Result<Json<Me>, AppError> {
    let user_id = user.require_same(&user_id)?;
    Ok(Json(Me {
        user_id: user_id.to_string(),
    }))
}
