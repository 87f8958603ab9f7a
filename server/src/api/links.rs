//! The link flow over JSON: `GET /api/vendors`, `GET /api/user/{user_id}/link?vendor=...`,
//! `POST /api/confirm-link` and `GET /api/user/{user_id}/vehicles`.

use app::{
    error::{AppError, ErrorKind},
    links::{GarageView, LinkResultView, LinkStartView, VendorOption, ssr},
    state::AppState,
};
use axum::{
    Json,
    extract::{Path, Query, State},
    http::HeaderMap,
};
use carlink_core::LinkReference;
use serde::Deserialize;

use super::extract::{JsonBody, SignedInUser};

pub async fn vendors() -> Json<Vec<VendorOption>> {
    Json(ssr::vendor_options())
}

#[derive(Deserialize)]
pub struct StartQuery {
    vendor: Option<String>,
}

/// Starts a link session for the path's user: `{"linkUrl", "linkToken"}`.
pub async fn start(
    State(state): State<AppState>,
    user: SignedInUser,
    Path(user_id): Path<String>,
    Query(query): Query<StartQuery>,
    headers: HeaderMap,
) -> Result<Json<LinkStartView>, AppError> {
    let user_id = user.require_same(&user_id)?;
    // A GET that starts a session: refuse one that another site's page triggered.
    if crate::cross_site::is_cross_site_fetch(&headers) {
        return Err(AppError::new(
            ErrorKind::Forbidden,
            "Starting a link from another site is not allowed. Start it from carlink's own pages.",
        ));
    }
    let vendor = query.vendor.filter(|vendor| !vendor.trim().is_empty()).ok_or_else(|| {
        AppError::new(
            ErrorKind::BadRequest,
            "The vendor query parameter is missing. Add ?vendor=<id>, for example ?vendor=XPENG; GET /api/vendors lists the ids.",
        )
    })?;
    Ok(Json(ssr::start(&state, user_id, &vendor, &headers).await?))
}

#[derive(Deserialize)]
pub struct ConfirmBody {
    /// Enode's link token of the session to confirm.
    token: String,
}

/// Confirms the session's pending link by its link token and returns what was saved.
pub async fn confirm(
    State(state): State<AppState>,
    user: SignedInUser,
    JsonBody(body): JsonBody<ConfirmBody>,
) -> Result<Json<LinkResultView>, AppError> {
    let token = body.token.trim();
    if token.is_empty() {
        return Err(AppError::new(
            ErrorKind::NotFound,
            "The token is empty. Send the linkToken that GET /api/user/{user_id}/link returned.",
        ));
    }
    let reference = LinkReference::LinkToken(token.to_owned());
    Ok(Json(ssr::confirm(&state, &user.0, &reference).await?))
}

/// Lists the path's user's linked vendors and vehicles from carlink's store.
pub async fn vehicles(
    State(state): State<AppState>,
    user: SignedInUser,
    Path(user_id): Path<String>,
) -> Result<Json<GarageView>, AppError> {
    let user_id = user.require_same(&user_id)?;
    Ok(Json(ssr::garage(&state, user_id).await?))
}
