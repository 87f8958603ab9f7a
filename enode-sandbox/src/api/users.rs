//! Users, their vendor links and their vehicles.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::catalog::{EVENT_VEHICLE_DELETED, VEHICLE_VENDOR_TYPE};
use crate::pagination::{PageQuery, page};
use crate::problem::ApiError;
use crate::state::{Shared, now, unknown_user};
use crate::webhooks::{self, events::PendingEvent};

/// `GET /users/{userId}`.
pub(crate) async fn get_user(
    State(shared): State<Arc<Shared>>,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    let user = state.user(&user_id)?;
    let linked_vendors: Vec<Value> = user
        .linked_vendors
        .iter()
        .map(|linked| json!({ "vendor": linked.vendor.id, "vendorType": VEHICLE_VENDOR_TYPE, "isValid": linked.is_valid }))
        .collect();
    Ok(Json(
        json!({ "id": user.id, "linkedVendors": linked_vendors }),
    ))
}

/// `GET /users/{userId}/vehicles?pageSize=N&after=CURSOR`.
pub(crate) async fn list_vehicles(
    State(shared): State<Arc<Shared>>,
    Path(user_id): Path<String>,
    RawQuery(raw_query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = PageQuery::parse(raw_query.as_deref())?;
    let state = shared.lock();
    state.user(&user_id)?;
    let vehicles = state
        .user_vehicles(&user_id)
        .into_iter()
        .map(|stored| (stored.seq, &stored.vehicle))
        .collect();
    let (data, pagination) = page(vehicles, &query);
    Ok(Json(json!({ "data": data, "pagination": pagination })))
}

/// `GET /vehicles/{vehicleId}`.
pub(crate) async fn get_vehicle(
    State(shared): State<Arc<Shared>>,
    Path(vehicle_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let state = shared.lock();
    let stored = state.vehicle(&vehicle_id)?;
    Ok(Json(json!(stored.vehicle)))
}

/// `DELETE /users/{userId}/vendors/{vendor}`: removes the link and its vehicles and sends
/// `user:vehicle:deleted` for each vehicle.
pub(crate) async fn unlink_vendor(
    State(shared): State<Arc<Shared>>,
    Path((user_id, vendor)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let now = now();
    let events: Vec<PendingEvent> = {
        let mut state = shared.lock();
        let user = state
            .users
            .get_mut(&user_id)
            .ok_or_else(|| unknown_user(&user_id))?;
        let position = user
            .linked_vendors
            .iter()
            .position(|linked| linked.vendor.id == vendor)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "Vendor {vendor:?} is not linked for user {user_id:?}."
                ))
            })?;
        user.linked_vendors.remove(position);
        state
            .remove_vehicles(&user_id, Some(&vendor))
            .iter()
            .map(|vehicle| PendingEvent::vehicle(EVENT_VEHICLE_DELETED, vehicle, now))
            .collect()
    };
    tracing::info!(%user_id, %vendor, removed_vehicles = events.len(), "vendor unlinked");
    webhooks::dispatch(&shared, events);
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /users/{userId}`: removes the user with all links and vehicles. No events are
/// sent for the removed vehicles.
// NOTE: whether Enode sends user:vehicle:deleted when a whole user is deleted is not known.
pub(crate) async fn delete_user(
    State(shared): State<Arc<Shared>>,
    Path(user_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let removed = {
        let mut state = shared.lock();
        state
            .users
            .remove(&user_id)
            .ok_or_else(|| unknown_user(&user_id))?;
        state.remove_vehicles(&user_id, None).len()
    };
    tracing::info!(%user_id, removed_vehicles = removed, "user deleted");
    Ok(StatusCode::NO_CONTENT)
}
