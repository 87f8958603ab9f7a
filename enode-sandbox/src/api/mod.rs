//! Enode's API under `/api`. Every route sits behind the guard, which counts calls, applies
//! injected faults and checks the bearer token.

mod link_sessions;
mod users;
mod webhooks;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::routing::{delete, get, post};
use serde_json::Value;

use crate::guard::{RouteKey, guarded, unknown_api_route};
use crate::problem::ApiError;
use crate::state::Shared;

pub(crate) fn router(shared: &Arc<Shared>) -> Router<Arc<Shared>> {
    let route = |method_router, key| guarded(method_router, shared, key);
    Router::new()
        .route(
            "/users/{user_id}/link",
            route(
                post(link_sessions::create_link_session),
                RouteKey::CreateLinkSession,
            ),
        )
        .route(
            "/users/{user_id}",
            route(get(users::get_user), RouteKey::GetUser),
        )
        .route(
            "/users/{user_id}",
            route(delete(users::delete_user), RouteKey::DeleteUser),
        )
        .route(
            "/users/{user_id}/vehicles",
            route(get(users::list_vehicles), RouteKey::ListVehicles),
        )
        .route(
            "/users/{user_id}/vendors/{vendor}",
            route(delete(users::unlink_vendor), RouteKey::UnlinkVendor),
        )
        .route(
            "/vehicles/{vehicle_id}",
            route(get(users::get_vehicle), RouteKey::GetVehicle),
        )
        .route(
            "/webhooks",
            route(get(webhooks::list_webhooks), RouteKey::ListWebhooks),
        )
        .route(
            "/webhooks",
            route(post(webhooks::create_webhook), RouteKey::CreateWebhook),
        )
        .route(
            "/webhooks/{webhook_id}",
            route(delete(webhooks::delete_webhook), RouteKey::DeleteWebhook),
        )
        .route(
            "/webhooks/{webhook_id}/test",
            route(post(webhooks::test_webhook), RouteKey::TestWebhook),
        )
        .fallback(unknown_api_route)
}

/// Parses a JSON request body. Invalid JSON becomes a 400 with the parser's message.
pub(crate) fn parse_json(body: &Bytes) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest(
            "The request body is empty. Send a JSON object.".to_owned(),
        ));
    }
    serde_json::from_slice(body).map_err(|error| {
        ApiError::BadRequest(format!("The request body is not valid JSON: {error}."))
    })
}

/// Returns the body as a JSON object, or a 400 naming what was sent instead.
pub(crate) fn parse_json_object(body: &Bytes) -> Result<serde_json::Map<String, Value>, ApiError> {
    match parse_json(body)? {
        Value::Object(object) => Ok(object),
        _ => Err(ApiError::BadRequest(
            "The request body must be a JSON object.".to_owned(),
        )),
    }
}
