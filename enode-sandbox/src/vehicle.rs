//! The vehicle document in Enode's JSON shape, and the rules that keep it consistent when
//! it changes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A vehicle as `GET /vehicles/{vehicleId}` returns it. Every field but `id`, `userId` and
/// `vendor` may be null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Vehicle {
    pub id: String,
    pub user_id: String,
    pub vendor: String,
    pub last_seen: Option<DateTime<Utc>>,
    pub is_reachable: Option<bool>,
    pub information: Information,
    pub charge_state: ChargeState,
    pub location: Location,
    pub odometer: Odometer,
    pub smart_charging_policy: SmartChargingPolicy,
    pub capabilities: BTreeMap<String, Capability>,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Information {
    pub vin: Option<String>,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub year: Option<u16>,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ChargeState {
    /// Percent, 0 to 100.
    pub battery_level: Option<u8>,
    /// Kilometres.
    pub range: Option<f64>,
    pub is_plugged_in: Option<bool>,
    pub is_charging: Option<bool>,
    pub is_fully_charged: Option<bool>,
    /// kWh.
    pub battery_capacity: Option<f64>,
    /// Percent, 0 to 100.
    pub charge_limit: Option<u8>,
    /// kW.
    pub charge_rate: Option<f64>,
    /// Minutes.
    pub charge_time_remaining: Option<u32>,
    pub power_delivery_state: Option<PowerDeliveryState>,
    /// Amperes.
    pub max_current: Option<u32>,
    pub last_updated: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum PowerDeliveryState {
    #[serde(rename = "UNKNOWN")]
    Unknown,
    #[serde(rename = "UNPLUGGED")]
    Unplugged,
    #[serde(rename = "PLUGGED_IN:INITIALIZING")]
    Initializing,
    #[serde(rename = "PLUGGED_IN:CHARGING")]
    Charging,
    #[serde(rename = "PLUGGED_IN:STOPPED")]
    Stopped,
    #[serde(rename = "PLUGGED_IN:COMPLETE")]
    Complete,
    #[serde(rename = "PLUGGED_IN:NO_POWER")]
    NoPower,
    #[serde(rename = "PLUGGED_IN:FAULT")]
    Fault,
    #[serde(rename = "PLUGGED_IN:DISCHARGING")]
    Discharging,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Location {
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub last_updated: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Odometer {
    /// Kilometres.
    pub distance: Option<f64>,
    pub last_updated: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SmartChargingPolicy {
    pub is_enabled: Option<bool>,
    /// Local time of day, `HH:MM`.
    pub deadline: Option<String>,
    /// Percent, 0 to 100.
    pub minimum_charge_limit: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Capability {
    pub is_capable: bool,
    pub intervention_ids: Vec<String>,
}

/// A change that could not be applied. The text names the field.
#[derive(Debug, PartialEq)]
pub(crate) struct PatchError(pub String);

/// The result of applying a partial vehicle.
pub(crate) struct Patched {
    pub vehicle: Vehicle,
    /// Dotted paths of the fields whose value changed, such as `chargeState.batteryLevel`.
    /// Timestamps (`lastSeen`, `*.lastUpdated`) are left out.
    pub updated_fields: Vec<String>,
}

const FIXED_FIELDS: &[&str] = &["id", "userId", "vendor"];

impl Vehicle {
    /// Merges a partial vehicle into this one and returns the result. Objects merge field by
    /// field and other values replace. Charging fields that the patch leaves out are
    /// adjusted so the charge state stays consistent with the ones it sets.
    /// `efficiency` (km per kWh) derives the range when only the battery level changes.
    pub fn apply_patch(
        &self,
        patch: &Value,
        efficiency: f64,
        now: DateTime<Utc>,
    ) -> Result<Patched, PatchError> {
        let Value::Object(patch) = patch else {
            return Err(PatchError(
                "the body must be a JSON object with vehicle fields".to_owned(),
            ));
        };
        if let Some(field) = FIXED_FIELDS
            .iter()
            .find(|field| patch.contains_key(**field))
        {
            return Err(PatchError(format!("{field} cannot be changed")));
        }

        let before = serde_json::to_value(self).map_err(|error| PatchError(error.to_string()))?;
        let mut merged = before.clone();
        merge_object(&mut merged, patch, "")?;
        let mut vehicle: Vehicle = serde_json::from_value(merged)
            .map_err(|error| PatchError(format!("invalid vehicle field: {error}")))?;

        let charge_patch = patch.get("chargeState").and_then(Value::as_object);
        vehicle.settle_charge_state(charge_patch, efficiency)?;
        vehicle.validate_ranges()?;

        let after =
            serde_json::to_value(&vehicle).map_err(|error| PatchError(error.to_string()))?;
        let updated_fields = changed_fields(&before, &after);
        vehicle.stamp(&updated_fields, now);
        Ok(Patched {
            vehicle,
            updated_fields,
        })
    }

    /// Makes the charging fields agree with each other. Fields named in `explicit` were set
    /// by the caller and win, and the others follow them.
    fn settle_charge_state(
        &mut self,
        explicit: Option<&Map<String, Value>>,
        efficiency: f64,
    ) -> Result<(), PatchError> {
        let Some(explicit) = explicit else {
            return Ok(());
        };
        let set = |name: &str| explicit.contains_key(name);
        let state = &mut self.charge_state;

        if set("powerDeliveryState") {
            if let Some(power) = state.power_delivery_state {
                if !set("isPluggedIn") {
                    state.is_plugged_in = Some(power.is_plugged_in());
                }
                if !set("isCharging") {
                    state.is_charging = Some(power == PowerDeliveryState::Charging);
                }
                if !set("isFullyCharged") && power == PowerDeliveryState::Complete {
                    state.is_fully_charged = Some(true);
                }
            }
        } else if set("isPluggedIn") || set("isCharging") || set("isFullyCharged") {
            if state.is_charging == Some(true) && !set("isPluggedIn") {
                state.is_plugged_in = Some(true);
            }
            if state.is_plugged_in == Some(false) && !set("isCharging") {
                state.is_charging = Some(false);
            }
            state.power_delivery_state = Some(PowerDeliveryState::from_flags(
                state.is_plugged_in == Some(true),
                state.is_charging == Some(true),
                state.is_fully_charged == Some(true),
            ));
        }

        if state.is_charging == Some(true) && state.is_plugged_in == Some(false) {
            return Err(PatchError(
                "chargeState.isCharging cannot be true while chargeState.isPluggedIn is false"
                    .to_owned(),
            ));
        }

        if set("batteryLevel")
            && !set("range")
            && let (Some(level), Some(capacity)) = (state.battery_level, state.battery_capacity)
        {
            state.range = Some(range_km(level, capacity, efficiency));
        }
        if !set("isFullyCharged")
            && !set("powerDeliveryState")
            && let (Some(level), Some(limit)) = (state.battery_level, state.charge_limit)
        {
            state.is_fully_charged = Some(level >= limit);
        }

        let charging = state.is_charging == Some(true);
        if charging {
            if !set("chargeRate") && state.charge_rate.is_none_or(|rate| rate <= 0.0) {
                state.charge_rate = Some(11.0);
            }
            if !set("chargeTimeRemaining") {
                state.charge_time_remaining = charge_minutes(state);
            }
        } else {
            if !set("chargeRate") {
                state.charge_rate = None;
            }
            if !set("chargeTimeRemaining") {
                state.charge_time_remaining = None;
            }
        }
        Ok(())
    }

    fn validate_ranges(&self) -> Result<(), PatchError> {
        let percent_fields = [
            ("chargeState.batteryLevel", self.charge_state.battery_level),
            ("chargeState.chargeLimit", self.charge_state.charge_limit),
            (
                "smartChargingPolicy.minimumChargeLimit",
                self.smart_charging_policy.minimum_charge_limit,
            ),
        ];
        for (name, value) in percent_fields {
            if value.is_some_and(|percent| percent > 100) {
                return Err(PatchError(format!(
                    "{name} must be a percentage from 0 to 100"
                )));
            }
        }
        if let Some(latitude) = self.location.latitude
            && !(-90.0..=90.0).contains(&latitude)
        {
            return Err(PatchError(
                "location.latitude must be from -90 to 90".to_owned(),
            ));
        }
        if let Some(longitude) = self.location.longitude
            && !(-180.0..=180.0).contains(&longitude)
        {
            return Err(PatchError(
                "location.longitude must be from -180 to 180".to_owned(),
            ));
        }
        Ok(())
    }

    /// Sets `lastSeen` and the `lastUpdated` of each group that changed.
    fn stamp(&mut self, updated_fields: &[String], now: DateTime<Utc>) {
        let touched = |group: &str| updated_fields.iter().any(|field| field.starts_with(group));
        self.last_seen = Some(now);
        if touched("chargeState.") {
            self.charge_state.last_updated = Some(now);
        }
        if touched("location.") {
            self.location.last_updated = Some(now);
        }
        if touched("odometer.") {
            self.odometer.last_updated = Some(now);
        }
    }
}

impl PowerDeliveryState {
    pub fn from_flags(plugged_in: bool, charging: bool, fully_charged: bool) -> Self {
        match (plugged_in, charging, fully_charged) {
            (false, _, _) => Self::Unplugged,
            (true, true, _) => Self::Charging,
            (true, false, true) => Self::Complete,
            (true, false, false) => Self::Stopped,
        }
    }

    fn is_plugged_in(self) -> bool {
        !matches!(self, Self::Unplugged | Self::Unknown)
    }
}

/// Range in km for a battery level in percent, rounded to 0.1 km.
pub(crate) fn range_km(level: u8, capacity: f64, efficiency: f64) -> f64 {
    let range = f64::from(level) / 100.0 * capacity * efficiency;
    (range * 10.0).round() / 10.0
}

/// Minutes until the charge limit at the current rate, or `None` without enough data.
pub(crate) fn charge_minutes(state: &ChargeState) -> Option<u32> {
    let level = f64::from(state.battery_level?);
    let limit = f64::from(state.charge_limit?);
    let rate = state.charge_rate.filter(|rate| *rate > 0.0)?;
    let missing_kwh = ((limit - level).max(0.0) / 100.0) * state.battery_capacity?;
    // A float-to-int `as` saturates, so odd patched values cannot wrap around.
    let minutes = (missing_kwh / rate * 60.0).round() as u32;
    Some(minutes)
}

/// Copies `patch` into `target`, recursing into objects. A key that `target` lacks is an
/// unknown field.
fn merge_object(
    target: &mut Value,
    patch: &Map<String, Value>,
    prefix: &str,
) -> Result<(), PatchError> {
    let Value::Object(target) = target else {
        return Err(PatchError(format!(
            "{} is not an object",
            prefix.trim_end_matches('.')
        )));
    };
    for (key, value) in patch {
        let path = format!("{prefix}{key}");
        let Some(slot) = target.get_mut(key) else {
            return Err(PatchError(format!("unknown vehicle field {path}")));
        };
        match value {
            Value::Object(inner) if slot.is_object() => {
                merge_object(slot, inner, &format!("{path}."))?
            }
            _ => *slot = value.clone(),
        }
    }
    Ok(())
}

/// Lists the dotted paths whose values differ, leaving out timestamps.
pub(crate) fn changed_fields(before: &Value, after: &Value) -> Vec<String> {
    let mut changed = Vec::new();
    collect_changes(before, after, "", &mut changed);
    changed.retain(|field| field != "lastSeen" && !field.ends_with(".lastUpdated"));
    changed
}

fn collect_changes(before: &Value, after: &Value, prefix: &str, changed: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(old), Value::Object(new)) => {
            for (key, new_value) in new {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                match old.get(key) {
                    Some(old_value) => collect_changes(old_value, new_value, &path, changed),
                    None => changed.push(path),
                }
            }
        }
        _ if before != after => changed.push(prefix.to_owned()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vehicle() -> Vehicle {
        Vehicle {
            id: "v1".to_owned(),
            user_id: "u1".to_owned(),
            vendor: "TESLA".to_owned(),
            last_seen: None,
            is_reachable: Some(true),
            information: Information {
                vin: Some("5YJ3E1EA7KF000001".to_owned()),
                brand: Some("Tesla".to_owned()),
                model: Some("Model 3".to_owned()),
                year: Some(2021),
                display_name: Some("Tesla Model 3".to_owned()),
            },
            charge_state: ChargeState {
                battery_level: Some(40),
                range: Some(200.0),
                is_plugged_in: Some(false),
                is_charging: Some(false),
                is_fully_charged: Some(false),
                battery_capacity: Some(75.0),
                charge_limit: Some(80),
                charge_rate: None,
                charge_time_remaining: None,
                power_delivery_state: Some(PowerDeliveryState::Unplugged),
                max_current: Some(16),
                last_updated: None,
            },
            location: Location {
                latitude: Some(59.9),
                longitude: Some(10.7),
                last_updated: None,
            },
            odometer: Odometer {
                distance: Some(1000.0),
                last_updated: None,
            },
            smart_charging_policy: SmartChargingPolicy {
                is_enabled: Some(false),
                deadline: None,
                minimum_charge_limit: Some(0),
            },
            capabilities: BTreeMap::new(),
            scopes: vec!["vehicle:read:data".to_owned()],
        }
    }

    fn patch(value: Value) -> Result<Patched, PatchError> {
        vehicle().apply_patch(&value, 6.0, Utc::now())
    }

    #[test]
    fn patch_charging_plugs_in() {
        let patched = patch(json!({"chargeState": {"isCharging": true}})).unwrap();
        assert_eq!(patched.vehicle.charge_state.is_plugged_in, Some(true));
    }

    #[test]
    fn patch_charging_sets_power_state() {
        let patched = patch(json!({"chargeState": {"isCharging": true}})).unwrap();
        assert_eq!(
            patched.vehicle.charge_state.power_delivery_state,
            Some(PowerDeliveryState::Charging)
        );
    }

    #[test]
    fn patch_level_derives_range() {
        let patched = patch(json!({"chargeState": {"batteryLevel": 50}})).unwrap();
        assert_eq!(patched.vehicle.charge_state.range, Some(225.0));
    }

    #[test]
    fn patch_lists_updated_fields() {
        let patched = patch(json!({"chargeState": {"batteryLevel": 50}})).unwrap();
        assert_eq!(
            patched.updated_fields,
            vec!["chargeState.batteryLevel", "chargeState.range"]
        );
    }

    #[test]
    fn patch_power_state_sets_flags() {
        let patched =
            patch(json!({"chargeState": {"powerDeliveryState": "PLUGGED_IN:STOPPED"}})).unwrap();
        assert_eq!(patched.vehicle.charge_state.is_plugged_in, Some(true));
    }

    #[test]
    fn patch_rejects_unknown_field() {
        let error = patch(json!({"chargeState": {"fuel": 3}})).err();
        assert_eq!(
            error,
            Some(PatchError(
                "unknown vehicle field chargeState.fuel".to_owned()
            ))
        );
    }

    #[test]
    fn patch_rejects_id() {
        assert!(patch(json!({"id": "other"})).is_err());
    }

    #[test]
    fn patch_rejects_level_over_100() {
        assert!(patch(json!({"chargeState": {"batteryLevel": 101}})).is_err());
    }

    #[test]
    fn patch_rejects_charging_unplugged() {
        assert!(patch(json!({"chargeState": {"isCharging": true, "isPluggedIn": false}})).is_err());
    }

    #[test]
    fn patch_sets_last_seen() {
        let patched = patch(json!({"odometer": {"distance": 1200.5}})).unwrap();
        assert!(patched.vehicle.last_seen.is_some());
    }

    #[test]
    fn power_state_json_name() {
        let json = serde_json::to_value(PowerDeliveryState::Charging).unwrap();
        assert_eq!(json, json!("PLUGGED_IN:CHARGING"));
    }
}
