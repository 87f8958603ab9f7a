use leptos::prelude::*;

use crate::links::VehicleView;

/// Renders one car with its battery, range and charging state.
#[component]
pub fn VehicleCard(vehicle: VehicleView) -> impl IntoView {
    // The model only when the name does not already say it, as a driver's own name may not.
    let model = vehicle
        .model
        .clone()
        .filter(|model| !vehicle.name.contains(model.as_str()));
    // The end of the VIN distinguishes two cars of one model.
    let vin_end = vehicle
        .vin
        .as_deref()
        .filter(|vin| vin.len() > 4)
        .map(|vin| {
            let end: String = vin
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("VIN …{end}")
        });
    let details = [
        Some(vehicle.vendor_name.clone()),
        model,
        vehicle.year.map(|year| year.to_string()),
        vin_end,
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let battery = vehicle
        .battery_level
        .map_or_else(|| "Unknown".to_owned(), |level| format!("{level:.0}%"));
    let range = vehicle
        .range_km
        .map_or_else(|| "Unknown".to_owned(), |range| format!("{range:.0} km"));
    let plugged_in = match vehicle.is_plugged_in {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Unknown",
    };

    view! {
        <article class="vehicle" aria-label=vehicle.name.clone() data-vehicle-id=vehicle.id.clone()>
            <h3>{vehicle.name.clone()}</h3>
            <p class="muted">{details}</p>
            {vehicle.battery_level.map(|level| view! {
                <meter class="battery" min="0" max="100" low="20" optimum="80" value=level aria-label="Battery level"></meter>
            })}
            <dl class="stats">
                <div><dt>"Battery"</dt><dd>{battery}</dd></div>
                <div><dt>"Range"</dt><dd>{range}</dd></div>
                <div><dt>"Charging"</dt><dd>{vehicle.charging_state.clone()}</dd></div>
                <div><dt>"Plugged in"</dt><dd>{plugged_in}</dd></div>
            </dl>
            <p class="muted last-seen">
                "Last seen "
                <time datetime=vehicle.last_seen.clone().unwrap_or_default()>{vehicle.last_seen_ago.clone()}</time>
            </p>
        </article>
    }
}

/// Renders the cars of a confirmed link or of the whole garage.
#[component]
pub fn VehicleGrid(vehicles: Vec<VehicleView>) -> impl IntoView {
    view! {
        <div class="vehicle-grid">
            {vehicles.into_iter().map(|vehicle| view! { <VehicleCard vehicle /> }).collect_view()}
        </div>
    }
}
