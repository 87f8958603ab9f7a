//! Generation of realistic vehicles for a linked vendor account.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::catalog::{Model, Vendor};
use crate::vehicle::{
    Capability, ChargeState, Information, Location, Odometer, PowerDeliveryState,
    SmartChargingPolicy, Vehicle, charge_minutes, range_km,
};

/// A generated vehicle with the consumption used to derive its range later.
pub(crate) struct GeneratedVehicle {
    pub vehicle: Vehicle,
    /// km per kWh.
    pub efficiency: f64,
}

/// Cities where generated vehicles are parked, as (latitude, longitude).
const PLACES: &[(f64, f64)] = &[
    (59.9139, 10.7522), // Oslo
    (60.3913, 5.3221),  // Bergen
    (59.3293, 18.0686), // Stockholm
    (55.6761, 12.5683), // Copenhagen
    (52.3676, 4.9041),  // Amsterdam
    (52.0907, 5.1214),  // Utrecht
    (52.5200, 13.4050), // Berlin
    (48.1351, 11.5820), // Munich
    (51.5072, -0.1276), // London
    (48.8566, 2.3522),  // Paris
    (60.1699, 24.9384), // Helsinki
];

/// Creates one vehicle of `vendor` for `user_id`. The same `seed` gives the same vehicle,
/// apart from timestamps taken from `now`.
pub(crate) fn generate_vehicle(
    vendor: &Vendor,
    user_id: &str,
    scopes: &[String],
    seed: u64,
    now: DateTime<Utc>,
) -> GeneratedVehicle {
    let mut rng = StdRng::seed_from_u64(seed);
    let id = uuid::Builder::from_random_bytes(rng.random())
        .into_uuid()
        .to_string();

    let model = &vendor.models[rng.random_range(0..vendor.models.len())];
    let latest_year = u16::try_from(now.year())
        .unwrap_or(2025)
        .max(model.first_year);
    let year = rng.random_range(model.first_year..=latest_year);
    let last_seen = now - Duration::minutes(rng.random_range(1..=90));

    let has_scope = |scope: &str| scopes.iter().any(|granted| granted == scope);
    let shows_location = vendor.reports_location && has_scope("vehicle:read:location");
    let controls_charging = has_scope("vehicle:control:charging");

    let vehicle = Vehicle {
        id,
        user_id: user_id.to_owned(),
        vendor: vendor.id.to_owned(),
        last_seen: Some(last_seen),
        is_reachable: Some(rng.random_bool(0.9)),
        information: Information {
            vin: Some(make_vin(vendor.wmi, year, &mut rng)),
            brand: Some(vendor.brand.to_owned()),
            model: Some(model.name.to_owned()),
            year: Some(year),
            display_name: Some(format!("{} {}", vendor.brand, model.name)),
        },
        charge_state: make_charge_state(model, vendor, &mut rng, last_seen),
        location: make_location(shows_location, &mut rng, last_seen),
        odometer: Odometer {
            distance: Some(make_odometer(year, latest_year, &mut rng)),
            last_updated: Some(last_seen),
        },
        smart_charging_policy: SmartChargingPolicy {
            is_enabled: Some(false),
            deadline: None,
            minimum_charge_limit: Some(0),
        },
        capabilities: make_capabilities(vendor, controls_charging),
        scopes: scopes.to_vec(),
    };
    GeneratedVehicle {
        vehicle,
        efficiency: model.efficiency,
    }
}

fn make_charge_state(
    model: &Model,
    vendor: &Vendor,
    rng: &mut StdRng,
    last_updated: DateTime<Utc>,
) -> ChargeState {
    let charge_limit: u8 = [80, 80, 90, 100][rng.random_range(0..4)];
    let power = match rng.random_range(0..20) {
        0..9 => PowerDeliveryState::Unplugged,
        9..14 => PowerDeliveryState::Charging,
        14..16 => PowerDeliveryState::Stopped,
        _ => PowerDeliveryState::Complete,
    };
    let battery_level = match power {
        PowerDeliveryState::Complete => charge_limit,
        _ => rng.random_range(12..charge_limit),
    };
    let charging = power == PowerDeliveryState::Charging;
    let charge_rate = charging.then(|| [3.7, 7.4, 11.0, 11.0, 50.0][rng.random_range(0..5)]);

    let mut state = ChargeState {
        battery_level: Some(battery_level),
        range: Some(range_km(
            battery_level,
            model.battery_capacity,
            model.efficiency,
        )),
        is_plugged_in: Some(power != PowerDeliveryState::Unplugged),
        is_charging: Some(charging),
        is_fully_charged: Some(power == PowerDeliveryState::Complete),
        battery_capacity: Some(model.battery_capacity),
        charge_limit: Some(charge_limit),
        charge_rate,
        charge_time_remaining: None,
        power_delivery_state: Some(power),
        max_current: Some(if vendor.sets_max_current { 32 } else { 16 }),
        last_updated: Some(last_updated),
    };
    if charging {
        state.charge_time_remaining = charge_minutes(&state);
    }
    state
}

fn make_location(shown: bool, rng: &mut StdRng, last_updated: DateTime<Utc>) -> Location {
    if !shown {
        return Location {
            latitude: None,
            longitude: None,
            last_updated: None,
        };
    }
    let (latitude, longitude) = PLACES[rng.random_range(0..PLACES.len())];
    let round = |value: f64| (value * 1e5).round() / 1e5;
    Location {
        latitude: Some(round(latitude + rng.random_range(-0.03..0.03))),
        longitude: Some(round(longitude + rng.random_range(-0.05..0.05))),
        last_updated: Some(last_updated),
    }
}

/// About 9,000 to 18,000 km a year of age, plus the delivery distance.
fn make_odometer(year: u16, latest_year: u16, rng: &mut StdRng) -> f64 {
    let age = f64::from(latest_year - year) + rng.random_range(0.1..1.0);
    let distance = age * rng.random_range(9_000.0..18_000.0);
    (distance * 10.0).round() / 10.0
}

fn make_capabilities(vendor: &Vendor, controls_charging: bool) -> BTreeMap<String, Capability> {
    let capability = |is_capable: bool| Capability {
        is_capable,
        intervention_ids: Vec::new(),
    };
    BTreeMap::from([
        ("information".to_owned(), capability(true)),
        ("chargeState".to_owned(), capability(true)),
        ("location".to_owned(), capability(vendor.reports_location)),
        ("odometer".to_owned(), capability(true)),
        (
            "setMaxCurrent".to_owned(),
            capability(controls_charging && vendor.sets_max_current),
        ),
        ("startCharging".to_owned(), capability(controls_charging)),
        ("stopCharging".to_owned(), capability(controls_charging)),
        ("smartCharging".to_owned(), capability(controls_charging)),
    ])
}

/// Characters allowed in a VIN: digits and capitals without I, O and Q.
const VIN_CHARACTERS: &[u8] = b"0123456789ABCDEFGHJKLMNPRSTUVWXYZ";

/// Builds a 17-character VIN: manufacturer, random descriptor, check digit, model year
/// code, plant and serial number.
fn make_vin(wmi: &str, year: u16, rng: &mut StdRng) -> String {
    let mut vin: Vec<u8> = wmi.bytes().collect();
    for _ in 0..5 {
        vin.push(VIN_CHARACTERS[rng.random_range(0..VIN_CHARACTERS.len())]);
    }
    vin.push(b'0');
    vin.push(model_year_code(year));
    vin.push(VIN_CHARACTERS[rng.random_range(10..VIN_CHARACTERS.len())]);
    vin.extend(format!("{:06}", rng.random_range(0..1_000_000)).bytes());
    vin[8] = check_digit(&vin);
    String::from_utf8_lossy(&vin).into_owned()
}

/// Returns the model year letter at VIN position 10, which repeats every 30 years.
fn model_year_code(year: u16) -> u8 {
    const CODES: &[u8] = b"ABCDEFGHJKLMNPRSTVWXY123456789";
    CODES[usize::from(year.saturating_sub(2010)) % CODES.len()]
}

/// Computes the check digit at VIN position 9 as North American VINs do (49 CFR 565).
fn check_digit(vin: &[u8]) -> u8 {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let value = |character: u8| -> u32 {
        match character {
            b'0'..=b'9' => u32::from(character - b'0'),
            b'A'..=b'H' => u32::from(character - b'A') + 1,
            b'J'..=b'N' => u32::from(character - b'J') + 1,
            b'P' => 7,
            b'R' => 9,
            b'S'..=b'Z' => u32::from(character - b'S') + 2,
            _ => 0,
        }
    };
    let sum: u32 = vin
        .iter()
        .zip(WEIGHTS)
        .map(|(character, weight)| value(*character) * weight)
        .sum();
    match sum % 11 {
        10 => b'X',
        // The remainder is below 10 here, so it fits in one digit.
        digit => b'0' + digit as u8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find_vendor;

    fn vehicle(vendor: &str, seed: u64) -> Vehicle {
        let vendor = find_vendor(vendor).unwrap();
        let scopes = vec![
            "vehicle:read:data".to_owned(),
            "vehicle:read:location".to_owned(),
        ];
        generate_vehicle(vendor, "user-1", &scopes, seed, Utc::now()).vehicle
    }

    #[test]
    fn check_digit_known_vin() {
        assert_eq!(check_digit(b"1M8GDM9AXKP042788"), b'X');
    }

    #[test]
    fn vin_has_17_characters() {
        let vin = vehicle("XPENG", 7).information.vin.unwrap();
        assert_eq!(vin.len(), 17);
    }

    #[test]
    fn vin_check_digit_valid() {
        let vin = vehicle("TESLA", 3).information.vin.unwrap();
        assert_eq!(vin.as_bytes()[8], check_digit(vin.as_bytes()));
    }

    #[test]
    fn vin_starts_with_wmi() {
        let vin = vehicle("VOLVO", 3).information.vin.unwrap();
        assert!(vin.starts_with("YV1"));
    }

    #[test]
    fn model_year_code_2024() {
        assert_eq!(model_year_code(2024), b'R');
    }

    #[test]
    fn same_seed_same_vin() {
        assert_eq!(
            vehicle("KIA", 11).information.vin,
            vehicle("KIA", 11).information.vin
        );
    }

    #[test]
    fn seeds_vary_vehicles() {
        let vins: std::collections::HashSet<_> = (0..10)
            .map(|seed| vehicle("KIA", seed).information.vin)
            .collect();
        assert_eq!(vins.len(), 10);
    }

    #[test]
    fn power_state_matches_flags() {
        for seed in 0..50 {
            let state = vehicle("BMW", seed).charge_state;
            let expected = PowerDeliveryState::from_flags(
                state.is_plugged_in == Some(true),
                state.is_charging == Some(true),
                state.is_fully_charged == Some(true),
            );
            assert_eq!(state.power_delivery_state, Some(expected), "seed {seed}");
        }
    }

    #[test]
    fn location_hidden_without_scope() {
        let vendor = find_vendor("TESLA").unwrap();
        let scopes = vec!["vehicle:read:data".to_owned()];
        let vehicle = generate_vehicle(vendor, "user-1", &scopes, 1, Utc::now()).vehicle;
        assert_eq!(vehicle.location.latitude, None);
    }
}
