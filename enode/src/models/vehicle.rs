use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::lenient::{lenient_enum, null_as_default};
use super::link::Scope;
use super::vendor::Vendor;

/// A vehicle as Enode reports it.
///
/// Only `id`, `user_id` and `vendor` are always present. The nested objects are empty (every
/// field `None`) when Enode sends `null` or leaves them out, for example before the first
/// successful poll or when a scope was not granted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Vehicle {
    pub id: String,
    pub user_id: String,
    pub vendor: Vendor,
    #[serde(default)]
    pub last_seen: Option<DateTime<Utc>>,
    #[serde(default)]
    pub is_reachable: Option<bool>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub information: VehicleInformation,
    #[serde(default, deserialize_with = "null_as_default")]
    pub charge_state: ChargeState,
    #[serde(default, deserialize_with = "null_as_default")]
    pub location: Location,
    #[serde(default, deserialize_with = "null_as_default")]
    pub odometer: Odometer,
    #[serde(default, deserialize_with = "null_as_default")]
    pub smart_charging_policy: SmartChargingPolicy,
    /// Capabilities by name, such as `startCharging` or `setMaxCurrent`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub capabilities: BTreeMap<String, Capability>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub scopes: Vec<Scope>,
}

/// Static facts about a vehicle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VehicleInformation {
    #[serde(default)]
    pub vin: Option<String>,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub year: Option<i32>,
    #[serde(default)]
    pub display_name: Option<String>,
}

/// Battery and charging state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChargeState {
    /// State of charge in percent.
    #[serde(default)]
    pub battery_level: Option<f64>,
    /// Estimated range in kilometres.
    #[serde(default)]
    pub range: Option<f64>,
    #[serde(default)]
    pub is_plugged_in: Option<bool>,
    #[serde(default)]
    pub is_charging: Option<bool>,
    #[serde(default)]
    pub is_fully_charged: Option<bool>,
    /// Usable battery capacity in kWh.
    #[serde(default)]
    pub battery_capacity: Option<f64>,
    /// Charge limit in percent.
    #[serde(default)]
    pub charge_limit: Option<f64>,
    /// Charging power in kW.
    #[serde(default)]
    pub charge_rate: Option<f64>,
    /// Minutes until the charge limit is reached.
    #[serde(default)]
    pub charge_time_remaining: Option<f64>,
    #[serde(default)]
    pub power_delivery_state: Option<PowerDeliveryState>,
    /// Maximum charging current in amperes.
    #[serde(default)]
    pub max_current: Option<f64>,
    #[serde(default)]
    pub last_updated: Option<DateTime<Utc>>,
}

lenient_enum! {
    /// Whether power flows between charger and vehicle.
    ///
    /// `Unknown` is the documented value `UNKNOWN`, sent when the vendor does not report the
    /// state. A value Enode adds later becomes `Other`.
    pub enum PowerDeliveryState {
        Unknown => "UNKNOWN",
        Unplugged => "UNPLUGGED",
        PluggedInInitializing => "PLUGGED_IN:INITIALIZING",
        PluggedInCharging => "PLUGGED_IN:CHARGING",
        PluggedInStopped => "PLUGGED_IN:STOPPED",
        PluggedInComplete => "PLUGGED_IN:COMPLETE",
        PluggedInNoPower => "PLUGGED_IN:NO_POWER",
        PluggedInFault => "PLUGGED_IN:FAULT",
        PluggedInDischarging => "PLUGGED_IN:DISCHARGING",
    }
}

/// The last known position, in WGS 84 degrees.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub last_updated: Option<DateTime<Utc>>,
}

/// The odometer reading.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Odometer {
    /// Distance driven in kilometres.
    #[serde(default)]
    pub distance: Option<f64>,
    #[serde(default)]
    pub last_updated: Option<DateTime<Utc>>,
}

/// Enode's smart charging settings for the vehicle.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmartChargingPolicy {
    #[serde(default)]
    pub is_enabled: Option<bool>,
    /// The time charging should be done by, kept as Enode sends it.
    #[serde(default)]
    pub deadline: Option<String>,
    /// Charge level in percent that is charged right away, whatever the price.
    #[serde(default)]
    pub minimum_charge_limit: Option<f64>,
}

/// Whether the vehicle supports one feature, and what the user must do first if not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Capability {
    #[serde(default)]
    pub is_capable: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub intervention_ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL_VEHICLE: &str = r#"{
        "id": "veh-1",
        "userId": "user-1",
        "vendor": "XPENG",
        "lastSeen": "2024-10-01T12:00:00Z",
        "isReachable": true,
        "information": {"vin": "LXP1234567890", "brand": "XPENG", "model": "G6", "year": 2024,
                        "displayName": "Family car", "imageUrl": "https://x.test/car.png"},
        "chargeState": {"batteryLevel": 71, "range": 312.5, "isPluggedIn": true,
                        "isCharging": true, "isFullyCharged": false, "batteryCapacity": 87.5,
                        "chargeLimit": 90, "chargeRate": 11.0, "chargeTimeRemaining": 95,
                        "powerDeliveryState": "PLUGGED_IN:CHARGING", "maxCurrent": 16,
                        "lastUpdated": "2024-10-01T11:59:00+02:00"},
        "location": {"latitude": 59.91, "longitude": 10.75, "lastUpdated": null},
        "odometer": {"distance": 12345.6, "lastUpdated": "2024-10-01T11:00:00Z"},
        "smartChargingPolicy": {"isEnabled": false, "deadline": null, "minimumChargeLimit": 20},
        "capabilities": {"startCharging": {"isCapable": true, "interventionIds": []},
                         "setMaxCurrent": {"isCapable": false, "interventionIds": ["int-1"]}},
        "scopes": ["vehicle:read:data", "vehicle:teleport"]
    }"#;

    fn full_vehicle() -> Vehicle {
        serde_json::from_str(FULL_VEHICLE).expect("a vehicle")
    }

    #[test]
    fn vehicle_parses_battery_level() {
        assert_eq!(full_vehicle().charge_state.battery_level, Some(71.0));
    }

    #[test]
    fn vehicle_parses_power_delivery_state() {
        let state = full_vehicle().charge_state.power_delivery_state;
        assert_eq!(state, Some(PowerDeliveryState::PluggedInCharging));
    }

    #[test]
    fn vehicle_converts_offset_to_utc() {
        let last_updated = full_vehicle()
            .charge_state
            .last_updated
            .map(|time| time.to_rfc3339());
        assert_eq!(last_updated.as_deref(), Some("2024-10-01T09:59:00+00:00"));
    }

    #[test]
    fn vehicle_parses_capability_map() {
        let vehicle = full_vehicle();
        let capability = vehicle.capabilities.get("setMaxCurrent");
        assert_eq!(
            capability.map(|c| c.intervention_ids.clone()),
            Some(vec!["int-1".to_owned()])
        );
    }

    #[test]
    fn vehicle_keeps_unknown_scope() {
        let scopes = full_vehicle().scopes;
        assert_eq!(
            scopes.get(1),
            Some(&Scope::Other("vehicle:teleport".to_owned()))
        );
    }

    #[test]
    fn vehicle_parses_information() {
        assert_eq!(full_vehicle().information.year, Some(2024));
    }

    #[test]
    fn vehicle_accepts_null_objects() {
        let text = r#"{"id": "v", "userId": "u", "vendor": "TESLA", "lastSeen": null,
                       "isReachable": null, "information": null, "chargeState": null,
                       "location": null, "odometer": null, "smartChargingPolicy": null,
                       "capabilities": null, "scopes": null}"#;
        let vehicle: Vehicle = serde_json::from_str(text).expect("a vehicle");
        assert_eq!(vehicle.charge_state, ChargeState::default());
    }

    #[test]
    fn vehicle_accepts_missing_objects() {
        let text = r#"{"id": "v", "userId": "u", "vendor": "TESLA"}"#;
        let vehicle: Vehicle = serde_json::from_str(text).expect("a vehicle");
        assert!(vehicle.capabilities.is_empty());
    }

    #[test]
    fn power_state_unknown_is_documented_value() {
        let state: PowerDeliveryState = serde_json::from_str("\"UNKNOWN\"").expect("a string");
        assert_eq!(state, PowerDeliveryState::Unknown);
    }

    #[test]
    fn power_state_new_value_is_other() {
        let state: PowerDeliveryState =
            serde_json::from_str("\"PLUGGED_IN:V2G\"").expect("a string");
        assert_eq!(
            state,
            PowerDeliveryState::Other("PLUGGED_IN:V2G".to_owned())
        );
    }

    #[test]
    fn power_state_round_trips_other() {
        let state = PowerDeliveryState::from("PLUGGED_IN:V2G");
        let text = serde_json::to_string(&state).expect("serializable");
        assert_eq!(text, "\"PLUGGED_IN:V2G\"");
    }
}
