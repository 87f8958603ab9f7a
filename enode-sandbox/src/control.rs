//! Endpoints under `/_control` that real Enode does not have. Tests use them to inject
//! faults, read call counters, end link sessions and change vendor links and vehicles.
//! They need no authentication.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::accounts::find_account;
use crate::api::{parse_json, parse_json_object};
use crate::catalog::{self, EVENT_VEHICLE_DELETED};
use crate::guard::{FaultAction, RouteKey};
use crate::linking::{FinishError, Outcome, finish_session};
use crate::problem::ApiError;
use crate::state::{Fault, Shared, now, unknown_user, unknown_vendor};
use crate::webhooks::{self, events::PendingEvent};

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/faults", post(add_fault).delete(clear_faults))
        .route("/counters", get(counters))
        .route("/counters/reset", post(reset_counters))
        .route("/tokens/revoke", post(revoke_tokens))
        .route(
            "/link-sessions/{link_token}/expire",
            post(expire_link_session),
        )
        .route(
            "/link-sessions/{link_token}/complete",
            post(complete_link_session),
        )
        .route(
            "/users/{user_id}/vendors/{vendor}/invalidate",
            post(invalidate_vendor),
        )
        .route("/users/{user_id}/vehicles", post(add_vehicle))
        .route(
            "/vehicles/{vehicle_id}",
            delete(remove_vehicle).patch(patch_vehicle),
        )
        .route("/webhook-deliveries", get(webhook_deliveries))
}

/// Parses a JSON object body into `T`. A mismatch becomes a 400 with serde's message.
fn parse_body<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, ApiError> {
    let object = parse_json_object(body)?;
    serde_json::from_value(Value::Object(object))
        .map_err(|error| ApiError::BadRequest(format!("Invalid request body: {error}.")))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FaultRequest {
    route: String,
    status: Option<u16>,
    count: Option<u32>,
    retry_after_seconds: Option<u64>,
    delay_ms: Option<u64>,
}

/// `POST /_control/faults`: the next `count` calls of `route` return `status`, or run
/// normally after `delayMs`, or both.
async fn add_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<StatusCode, ApiError> {
    let request: FaultRequest = parse_body(&body)?;

    let route = match request.route.as_str() {
        "*" => None,
        name => Some(name.parse::<RouteKey>().map_err(|()| {
            let keys: Vec<_> = RouteKey::ALL.iter().map(|key| key.as_str()).collect();
            ApiError::BadRequest(format!(
                "Unknown route {name:?}. Use \"*\" or one of: {}.",
                keys.join(", ")
            ))
        })?),
    };
    let status = request
        .status
        .map(|code| {
            StatusCode::from_u16(code)
                .ok()
                .filter(|status| status.is_client_error() || status.is_server_error())
                .ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "status {code} is not an error status. Use 400 to 599."
                    ))
                })
        })
        .transpose()?;
    if status.is_none() && request.delay_ms.is_none() {
        return Err(ApiError::BadRequest(
            "The fault does nothing. Send status, delayMs or both.".to_owned(),
        ));
    }
    let count = request.count.unwrap_or(1);
    if count == 0 {
        return Err(ApiError::BadRequest("count must be at least 1.".to_owned()));
    }

    let action = FaultAction {
        status,
        retry_after: request.retry_after_seconds,
        delay: request.delay_ms.map(Duration::from_millis),
    };
    tracing::info!(route = %request.route, ?status, count, "fault injected");
    shared.lock().add_fault(Fault {
        route,
        action,
        remaining: count,
    });
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /_control/faults`.
async fn clear_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.lock().clear_faults();
    StatusCode::NO_CONTENT
}

/// `GET /_control/counters`: calls received per route key, faulted ones included.
async fn counters(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!(shared.lock().counters()))
}

/// `POST /_control/counters/reset`.
async fn reset_counters(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.lock().reset_counters();
    StatusCode::NO_CONTENT
}

/// `POST /_control/tokens/revoke`: every issued access token stops working.
async fn revoke_tokens(State(shared): State<Arc<Shared>>) -> StatusCode {
    let revoked = shared.lock().revoke_tokens();
    tracing::info!(revoked, "access tokens revoked");
    StatusCode::NO_CONTENT
}

/// `POST /_control/link-sessions/{linkToken}/expire`.
async fn expire_link_session(
    State(shared): State<Arc<Shared>>,
    Path(link_token): Path<String>,
) -> Result<StatusCode, ApiError> {
    let mut state = shared.lock();
    let session = state.open_session(&link_token)?;
    session.expires_at = Instant::now();
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CompleteRequest {
    email: Option<String>,
    vendor: Option<String>,
    outcome: Option<String>,
}

/// `POST /_control/link-sessions/{linkToken}/complete`: does what the Link UI would and
/// returns `{"redirectUrl"}` instead of redirecting.
async fn complete_link_session(
    State(shared): State<Arc<Shared>>,
    Path(link_token): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let request: CompleteRequest = parse_body(&body)?;
    let outcome = match request.outcome.as_deref() {
        None | Some("allow") => Outcome::Allow,
        Some("cancel") => Outcome::Cancel,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "outcome {other:?} is invalid. Use \"allow\" or \"cancel\"."
            )));
        }
    };

    if outcome == Outcome::Allow {
        prepare_allow(&shared, &link_token, &request)?;
    }
    let redirect = finish_session(&shared, &link_token, outcome).map_err(|error| match error {
        FinishError::Session(error) => ApiError::from(error),
        FinishError::NotReady => {
            ApiError::Conflict("The link session has no vendor or account yet.".to_owned())
        }
    })?;
    Ok(Json(json!({ "redirectUrl": redirect })))
}

/// Sets the vendor and account that the brand and login steps would set.
fn prepare_allow(
    shared: &Shared,
    link_token: &str,
    request: &CompleteRequest,
) -> Result<(), ApiError> {
    let email = request.email.as_deref().ok_or_else(|| {
        ApiError::BadRequest(
            "The field email is missing. Name a sandbox account, such as \"duo@sandbox.test\"."
                .to_owned(),
        )
    })?;
    let account = find_account(email).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "email {email:?} is not a sandbox account. Use solo@, duo@ or fleet@sandbox.test."
        ))
    })?;
    let requested_vendor = request
        .vendor
        .as_deref()
        .map(|id| catalog::find_vendor(id).ok_or_else(|| unknown_vendor(id)))
        .transpose()?;

    let mut state = shared.lock();
    let session = state.open_session(link_token)?;
    match (session.vendor, requested_vendor) {
        (None, None) => {
            return Err(ApiError::BadRequest(
                "The field vendor is missing. The session named no vendor, so send one such as \"XPENG\".".to_owned(),
            ));
        }
        (Some(preset), Some(requested)) if preset.id != requested.id => {
            return Err(ApiError::Conflict(format!(
                "The session is for vendor {}, not {}.",
                preset.id, requested.id
            )));
        }
        (None, Some(requested)) => session.vendor = Some(requested),
        (Some(_), _) => {}
    }
    session.account = Some(account);
    Ok(())
}

/// `POST /_control/users/{userId}/vendors/{vendor}/invalidate`: marks the link invalid and
/// sends `user:credentials:invalidated`.
async fn invalidate_vendor(
    State(shared): State<Arc<Shared>>,
    Path((user_id, vendor)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    {
        let mut state = shared.lock();
        let user = state
            .users
            .get_mut(&user_id)
            .ok_or_else(|| unknown_user(&user_id))?;
        let linked = user
            .linked_vendors
            .iter_mut()
            .find(|linked| linked.vendor.id == vendor)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "Vendor {vendor:?} is not linked for user {user_id:?}."
                ))
            })?;
        linked.is_valid = false;
    }
    tracing::info!(%user_id, %vendor, "vendor credentials invalidated");
    let event = PendingEvent::credentials_invalidated(&user_id, &vendor, now());
    webhooks::dispatch(&shared, vec![event]);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddVehicleRequest {
    vendor: String,
}

/// `POST /_control/users/{userId}/vehicles` with `{"vendor"}`: adds a vehicle to a linked
/// vendor and sends `user:vehicle:discovered`.
async fn add_vehicle(
    State(shared): State<Arc<Shared>>,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let request: AddVehicleRequest = parse_body(&body)?;
    let (vehicle, event) = shared
        .lock()
        .add_vehicle(&user_id, &request.vendor, now())?;
    tracing::info!(%user_id, vehicle_id = %vehicle.id, "vehicle added");
    webhooks::dispatch(&shared, vec![event]);
    Ok(Json(json!(vehicle)))
}

/// `DELETE /_control/vehicles/{vehicleId}`: removes the vehicle and sends
/// `user:vehicle:deleted`.
async fn remove_vehicle(
    State(shared): State<Arc<Shared>>,
    Path(vehicle_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let stored = shared
        .lock()
        .vehicles
        .remove(&vehicle_id)
        .ok_or_else(|| ApiError::NotFound(format!("Vehicle {vehicle_id:?} does not exist.")))?;
    tracing::info!(%vehicle_id, "vehicle removed");
    let event = PendingEvent::vehicle(EVENT_VEHICLE_DELETED, &stored.vehicle, now());
    webhooks::dispatch(&shared, vec![event]);
    Ok(StatusCode::NO_CONTENT)
}

/// `PATCH /_control/vehicles/{vehicleId}` with a partial vehicle: merges it, sets `lastSeen`
/// and sends `user:vehicle:updated` when a field changed.
async fn patch_vehicle(
    State(shared): State<Arc<Shared>>,
    Path(vehicle_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let patch = parse_json(&body)?;
    let (vehicle, event) = shared.lock().patch_vehicle(&vehicle_id, &patch, now())?;
    if let Some(event) = event {
        webhooks::dispatch(&shared, vec![event]);
    }
    Ok(Json(json!(vehicle)))
}

/// `GET /_control/webhook-deliveries`: every recorded delivery attempt, oldest first.
async fn webhook_deliveries(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let state = shared.lock();
    Json(json!(state.deliveries))
}
