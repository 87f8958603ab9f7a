//! The vehicle store: linked vendors, vehicles and each vehicle's latest state.

use chrono::{DateTime, Utc};
use sqlx::{Sqlite, Transaction};

use crate::{
    Carlink, Error, UserId,
    time::{from_millis, now_millis},
};

/// A vendor account a user linked.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkedVendorRecord {
    /// Enode's vendor id, such as `XPENG`.
    pub vendor: String,
    /// False once Enode reported the credentials invalid; the driver must link again.
    pub is_valid: bool,
    pub linked_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A vehicle with its latest known state. State fields are `None` when Enode did not report them.
#[derive(Clone, Debug, PartialEq)]
pub struct VehicleRecord {
    pub id: String,
    pub vendor: String,
    pub vin: Option<String>,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub year: Option<i64>,
    pub display_name: Option<String>,
    pub last_seen: Option<DateTime<Utc>>,
    pub is_reachable: Option<bool>,
    /// Percent.
    pub battery_level: Option<f64>,
    pub range_km: Option<f64>,
    pub is_plugged_in: Option<bool>,
    pub is_charging: Option<bool>,
    pub is_fully_charged: Option<bool>,
    pub power_delivery_state: Option<String>,
    /// Percent.
    pub charge_limit: Option<f64>,
    pub charge_rate_kw: Option<f64>,
    pub charge_time_remaining_min: Option<f64>,
    pub odometer_km: Option<f64>,
    pub updated_at: DateTime<Utc>,
}

impl Carlink {
    /// Lists the user's linked vendors, by vendor id.
    pub async fn linked_vendors(&self, user_id: &UserId) -> Result<Vec<LinkedVendorRecord>, Error> {
        let user = user_id.as_str();
        let rows = sqlx::query!(
            "SELECT vendor, is_valid, linked_at, updated_at FROM linked_vendors WHERE user_id = ? ORDER BY vendor",
            user,
        )
        .fetch_all(self.db())
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| LinkedVendorRecord {
                vendor: row.vendor,
                is_valid: row.is_valid != 0,
                linked_at: from_millis(row.linked_at),
                updated_at: from_millis(row.updated_at),
            })
            .collect())
    }

    /// Lists the user's vehicles with their latest state, by vendor, then name.
    pub async fn vehicles(&self, user_id: &UserId) -> Result<Vec<VehicleRecord>, Error> {
        let user = user_id.as_str();
        let rows = sqlx::query!(
            r#"SELECT v.id, v.vendor, v.vin, v.brand, v.model, v.year, v.display_name,
                      v.updated_at,
                      s.last_seen AS "last_seen?: i64",
                      s.is_reachable AS "is_reachable?: bool",
                      s.battery_level AS "battery_level?: f64",
                      s.range_km AS "range_km?: f64",
                      s.is_plugged_in AS "is_plugged_in?: bool",
                      s.is_charging AS "is_charging?: bool",
                      s.is_fully_charged AS "is_fully_charged?: bool",
                      s.power_delivery_state AS "power_delivery_state?: String",
                      s.charge_limit AS "charge_limit?: f64",
                      s.charge_rate_kw AS "charge_rate_kw?: f64",
                      s.charge_time_remaining_min AS "charge_time_remaining_min?: f64",
                      s.odometer_km AS "odometer_km?: f64"
               FROM vehicles v LEFT JOIN vehicle_states s ON s.vehicle_id = v.id
               WHERE v.user_id = ?
               ORDER BY v.vendor, COALESCE(v.display_name, v.model, v.id), v.id"#,
            user,
        )
        .fetch_all(self.db())
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| VehicleRecord {
                id: row.id,
                vendor: row.vendor,
                vin: row.vin,
                brand: row.brand,
                model: row.model,
                year: row.year,
                display_name: row.display_name,
                last_seen: row.last_seen.map(from_millis),
                is_reachable: row.is_reachable,
                battery_level: row.battery_level,
                range_km: row.range_km,
                is_plugged_in: row.is_plugged_in,
                is_charging: row.is_charging,
                is_fully_charged: row.is_fully_charged,
                power_delivery_state: row.power_delivery_state,
                charge_limit: row.charge_limit,
                charge_rate_kw: row.charge_rate_kw,
                charge_time_remaining_min: row.charge_time_remaining_min,
                odometer_km: row.odometer_km,
                updated_at: from_millis(row.updated_at),
            })
            .collect())
    }
}

/// Inserts or updates a linked vendor. `linked_at` keeps the first link's time.
pub(crate) async fn save_linked_vendor(
    transaction: &mut Transaction<'_, Sqlite>,
    user_id: &UserId,
    vendor: &str,
    is_valid: bool,
) -> Result<(), Error> {
    let user = user_id.as_str();
    let now = now_millis();
    sqlx::query!(
        "INSERT INTO linked_vendors (user_id, vendor, is_valid, linked_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (user_id, vendor) DO UPDATE SET is_valid = excluded.is_valid, updated_at = excluded.updated_at",
        user,
        vendor,
        is_valid,
        now,
        now,
    )
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// Makes the stored vehicles of one vendor exactly `vehicles`: saves each one and deletes those
/// Enode no longer lists.
pub(crate) async fn replace_vendor_vehicles(
    transaction: &mut Transaction<'_, Sqlite>,
    user_id: &UserId,
    vendor: &str,
    vehicles: &[enode::Vehicle],
) -> Result<(), Error> {
    for vehicle in vehicles {
        save_vehicle(transaction, user_id, vehicle).await?;
    }

    let user = user_id.as_str();
    let stored = sqlx::query_scalar!(
        "SELECT id FROM vehicles WHERE user_id = ? AND vendor = ?",
        user,
        vendor
    )
    .fetch_all(&mut **transaction)
    .await?;
    for id in stored {
        if !vehicles.iter().any(|vehicle| vehicle.id == id) {
            sqlx::query!("DELETE FROM vehicles WHERE id = ?", id)
                .execute(&mut **transaction)
                .await?;
            tracing::info!(user_id = %user_id, vehicle_id = %id, "vehicle no longer listed by Enode, removed");
        }
    }
    Ok(())
}

/// Inserts or updates a vehicle and its state. The state is replaced only when the new one is
/// at least as recent (`lastSeen`) as the stored one, because Enode can deliver an older state
/// after a newer one.
pub(crate) async fn save_vehicle(
    transaction: &mut Transaction<'_, Sqlite>,
    user_id: &UserId,
    vehicle: &enode::Vehicle,
) -> Result<(), Error> {
    let user = user_id.as_str();
    let vendor = vehicle.vendor.as_str();
    let information = &vehicle.information;
    let now = now_millis();
    sqlx::query!(
        "INSERT INTO vehicles (id, user_id, vendor, vin, brand, model, year, display_name, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET
             vin = excluded.vin, brand = excluded.brand, model = excluded.model, year = excluded.year,
             display_name = excluded.display_name, updated_at = excluded.updated_at
         WHERE vehicles.user_id = excluded.user_id",
        vehicle.id,
        user,
        vendor,
        information.vin,
        information.brand,
        information.model,
        information.year,
        information.display_name,
        now,
    )
    .execute(&mut **transaction)
    .await?;

    let charge = &vehicle.charge_state;
    let last_seen = vehicle.last_seen.map(|time| time.timestamp_millis());
    let power_delivery_state = charge
        .power_delivery_state
        .as_ref()
        .map(|state| state.as_str().to_owned());
    let raw = serde_json::to_string(vehicle).map_err(|error| {
        Error::Internal(format!(
            "serializing vehicle {} failed: {error}",
            vehicle.id
        ))
    })?;
    sqlx::query!(
        "INSERT INTO vehicle_states (
             vehicle_id, last_seen, is_reachable, battery_level, range_km, is_plugged_in, is_charging,
             is_fully_charged, power_delivery_state, charge_limit, charge_rate_kw, charge_time_remaining_min,
             odometer_km, latitude, longitude, raw, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (vehicle_id) DO UPDATE SET
             last_seen = excluded.last_seen, is_reachable = excluded.is_reachable,
             battery_level = excluded.battery_level, range_km = excluded.range_km,
             is_plugged_in = excluded.is_plugged_in, is_charging = excluded.is_charging,
             is_fully_charged = excluded.is_fully_charged, power_delivery_state = excluded.power_delivery_state,
             charge_limit = excluded.charge_limit, charge_rate_kw = excluded.charge_rate_kw,
             charge_time_remaining_min = excluded.charge_time_remaining_min, odometer_km = excluded.odometer_km,
             latitude = excluded.latitude, longitude = excluded.longitude, raw = excluded.raw,
             updated_at = excluded.updated_at
         WHERE vehicle_states.last_seen IS NULL
            OR (excluded.last_seen IS NOT NULL AND excluded.last_seen >= vehicle_states.last_seen)",
        vehicle.id,
        last_seen,
        vehicle.is_reachable,
        charge.battery_level,
        charge.range,
        charge.is_plugged_in,
        charge.is_charging,
        charge.is_fully_charged,
        power_delivery_state,
        charge.charge_limit,
        charge.charge_rate,
        charge.charge_time_remaining,
        vehicle.odometer.distance,
        vehicle.location.latitude,
        vehicle.location.longitude,
        raw,
        now,
    )
    .execute(&mut **transaction)
    .await?;
    Ok(())
}
