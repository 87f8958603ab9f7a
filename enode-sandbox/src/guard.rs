//! The layer in front of every token and API route: it counts the call, applies an injected
//! fault, and checks the bearer token and `Enode-Version` header of API calls.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;

use crate::catalog::is_api_version;
use crate::problem::ApiError;
use crate::state::Shared;

/// The name of a counted route, as used by `/_control/counters` and `/_control/faults`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum RouteKey {
    OauthToken,
    CreateLinkSession,
    GetUser,
    ListVehicles,
    GetVehicle,
    UnlinkVendor,
    DeleteUser,
    ListWebhooks,
    CreateWebhook,
    DeleteWebhook,
    TestWebhook,
}

impl RouteKey {
    pub const ALL: [RouteKey; 11] = [
        Self::OauthToken,
        Self::CreateLinkSession,
        Self::GetUser,
        Self::ListVehicles,
        Self::GetVehicle,
        Self::UnlinkVendor,
        Self::DeleteUser,
        Self::ListWebhooks,
        Self::CreateWebhook,
        Self::DeleteWebhook,
        Self::TestWebhook,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OauthToken => "oauth_token",
            Self::CreateLinkSession => "create_link_session",
            Self::GetUser => "get_user",
            Self::ListVehicles => "list_vehicles",
            Self::GetVehicle => "get_vehicle",
            Self::UnlinkVendor => "unlink_vendor",
            Self::DeleteUser => "delete_user",
            Self::ListWebhooks => "list_webhooks",
            Self::CreateWebhook => "create_webhook",
            Self::DeleteWebhook => "delete_webhook",
            Self::TestWebhook => "test_webhook",
        }
    }

    fn needs_bearer_token(self) -> bool {
        self != Self::OauthToken
    }
}

impl FromStr for RouteKey {
    type Err = ();

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|key| key.as_str() == value)
            .ok_or(())
    }
}

/// The effect of an injected fault on one call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FaultAction {
    /// Status returned instead of calling the handler. `None` calls the handler.
    pub status: Option<StatusCode>,
    pub retry_after: Option<u64>,
    pub delay: Option<Duration>,
}

#[derive(Clone)]
pub(crate) struct Guard {
    shared: Arc<Shared>,
    key: RouteKey,
}

/// Puts the guard in front of one route's handler.
pub(crate) fn guarded(
    route: MethodRouter<Arc<Shared>>,
    shared: &Arc<Shared>,
    key: RouteKey,
) -> MethodRouter<Arc<Shared>> {
    route.route_layer(middleware::from_fn_with_state(
        Guard {
            shared: shared.clone(),
            key,
        },
        guard,
    ))
}

async fn guard(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let fault = guard.shared.lock().record_call(guard.key);

    if let Some(fault) = fault {
        tracing::info!(route = guard.key.as_str(), status = ?fault.status, delay = ?fault.delay, "applying injected fault");
        if let Some(delay) = fault.delay {
            tokio::time::sleep(delay).await;
        }
        if let Some(status) = fault.status {
            return ApiError::Injected {
                status,
                retry_after: fault.retry_after,
            }
            .into_response();
        }
    }

    if guard.key.needs_bearer_token()
        && let Err(error) = check_api_headers(&guard.shared, request.headers())
    {
        return error.into_response();
    }
    next.run(request).await
}

fn check_api_headers(shared: &Shared, headers: &HeaderMap) -> Result<(), ApiError> {
    let authorization = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::Unauthorized(
            "The Authorization header is missing. Send `Authorization: Bearer <access token>`."
                .to_owned(),
        )
    })?;
    let token = authorization
        .to_str()
        .ok()
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "The Authorization header must have the form `Bearer <access token>`.".to_owned(),
            )
        })?;
    if !shared.lock().token_is_valid(token) {
        return Err(ApiError::Unauthorized(
            "The access token is unknown, expired or revoked. Request a new one from the token endpoint.".to_owned(),
        ));
    }

    if let Some(version) = headers.get("enode-version") {
        let version = version.to_str().unwrap_or_default();
        if !is_api_version(version) {
            return Err(ApiError::BadRequest(format!(
                "The Enode-Version header {version:?} is not a date. Send a version such as 2024-10-01."
            )));
        }
    }
    Ok(())
}

/// Returns 404 for paths under `/api` that match no route.
pub(crate) async fn unknown_api_route() -> ApiError {
    ApiError::NotFound("No API route matches this path.".to_owned())
}
