//! The JSON API under `/api`, and `/healthz`. Failures are [`AppError`] bodies with the status of
//! their kind.

mod accounts;
mod extract;
mod links;

use app::{error::AppError, state::AppState};
use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{any, get, post},
};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health))
        .route("/api/signup", post(accounts::sign_up))
        .route("/api/login", post(accounts::sign_in))
        .route("/api/logout", post(accounts::sign_out))
        .route("/api/me", get(accounts::me))
        .route("/api/user/{user_id}", get(accounts::user))
        .route("/api/vendors", get(links::vendors))
        .route("/api/user/{user_id}/link", get(links::start))
        .route("/api/confirm-link", post(links::confirm))
        .route("/api/user/{user_id}/vehicles", get(links::vehicles))
        .route("/api/{*rest}", any(unknown_endpoint))
        .method_not_allowed_fallback(wrong_method)
}

/// Returns 200 when the server is up and the database responds, 503 otherwise.
async fn health(State(state): State<AppState>) -> Response {
    match state.carlink.check_health().await {
        Ok(()) => Json(json!({ "status": "ok" })).into_response(),
        Err(error) => {
            tracing::error!(%error, "health check: the database does not respond");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    json!({ "status": "unavailable", "message": "The database does not respond." }),
                ),
            )
                .into_response()
        }
    }
}

async fn wrong_method(method: axum::http::Method) -> AppError {
    AppError::new(
        app::error::ErrorKind::MethodNotAllowed,
        format!(
            "This endpoint does not accept {method}. The README lists each endpoint with its method."
        ),
    )
}

async fn unknown_endpoint() -> AppError {
    AppError::new(
        app::error::ErrorKind::NotFound,
        "There is no API endpoint at this path and method.",
    )
}
