//! Optional background changes: every interval one vehicle charges, finishes charging,
//! unplugs, plugs in or drives, and `user:vehicle:updated` is sent.

use std::sync::{Arc, Weak};
use std::time::Duration;

use rand::Rng;
use serde_json::{Value, json};

use crate::state::{Shared, StoredVehicle, now};
use crate::vehicle::PowerDeliveryState;
use crate::webhooks;

/// Starts the task on the current tokio runtime. It ends once the sandbox is dropped.
pub(crate) fn start(shared: Weak<Shared>, interval: Duration) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!(
            "no tokio runtime when the sandbox was created, so simulated vehicle updates are off"
        );
        return;
    };
    tracing::info!(?interval, "simulated vehicle updates on");
    runtime.spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            let Some(shared) = shared.upgrade() else {
                return;
            };
            update_random_vehicle(&shared);
        }
    });
}

fn update_random_vehicle(shared: &Arc<Shared>) {
    let event = {
        let mut state = shared.lock();
        let mut ids: Vec<&String> = state.vehicles.keys().collect();
        if ids.is_empty() {
            return;
        }
        ids.sort();
        let mut rng = rand::rng();
        let id = ids[rng.random_range(0..ids.len())].clone();
        let Some(stored) = state.vehicles.get(&id) else {
            return;
        };
        let patch = next_change(stored, &mut rng);
        match state.patch_vehicle(&id, &patch, now()) {
            Ok((_, event)) => event,
            Err(error) => {
                tracing::warn!(vehicle_id = %id, ?error, "simulated vehicle update failed");
                None
            }
        }
    };
    if let Some(event) = event {
        webhooks::dispatch(shared, vec![event]);
    }
}

/// Picks the next plausible change for a vehicle as a partial vehicle.
fn next_change(stored: &StoredVehicle, rng: &mut impl Rng) -> Value {
    let vehicle = &stored.vehicle;
    let charge = &vehicle.charge_state;
    let level = charge.battery_level.unwrap_or(50);
    let limit = charge.charge_limit.unwrap_or(80);

    match charge.power_delivery_state {
        Some(PowerDeliveryState::Charging) => {
            let level = (level + rng.random_range(1..=4)).min(limit);
            if level >= limit {
                json!({ "chargeState": {
                    "batteryLevel": level,
                    "isCharging": false,
                    "isFullyCharged": true,
                    "powerDeliveryState": "PLUGGED_IN:COMPLETE",
                }})
            } else {
                json!({ "chargeState": { "batteryLevel": level } })
            }
        }
        Some(PowerDeliveryState::Stopped) if level < limit => {
            json!({ "chargeState": { "powerDeliveryState": "PLUGGED_IN:CHARGING" } })
        }
        Some(PowerDeliveryState::Unplugged) if level < 30 => {
            json!({ "chargeState": { "isPluggedIn": true, "isCharging": true } })
        }
        Some(PowerDeliveryState::Unplugged) | Some(PowerDeliveryState::Unknown) | None => {
            drive(stored, level, rng)
        }
        Some(_) => json!({ "chargeState": { "isPluggedIn": false } }),
    }
}

/// Builds a short trip: battery down, odometer up, and the location moved when it is known.
fn drive(stored: &StoredVehicle, level: u8, rng: &mut impl Rng) -> Value {
    let vehicle = &stored.vehicle;
    let km: f64 = rng.random_range(4.0..40.0);
    let km_per_percent =
        vehicle.charge_state.battery_capacity.unwrap_or(60.0) * stored.efficiency / 100.0;
    // Usually a few percent. A float-to-int `as` saturates, so an odd patched capacity
    // cannot wrap around.
    let drop = (km / km_per_percent).ceil().max(1.0) as u8;
    let round = |value: f64, scale: f64| (value * scale).round() / scale;

    let mut patch = json!({
        "chargeState": { "batteryLevel": level.saturating_sub(drop).max(5) },
        "odometer": { "distance": round(vehicle.odometer.distance.unwrap_or(0.0) + km, 10.0) },
    });
    if let (Some(latitude), Some(longitude)) =
        (vehicle.location.latitude, vehicle.location.longitude)
    {
        patch["location"] = json!({
            "latitude": round(latitude + rng.random_range(-0.02..0.02), 1e5),
            "longitude": round(longitude + rng.random_range(-0.03..0.03), 1e5),
        });
    }
    patch
}
