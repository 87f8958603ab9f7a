//! The link flow's server functions and the data they return. The JSON API in `server/` calls
//! the same functions in [`ssr`], so pages and API share one implementation.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A brand in the picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VendorOption {
    /// Enode's vendor id, such as `XPENG`.
    pub id: String,
    pub name: String,
}

/// A started link session: the browser goes to `link_url`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkStartView {
    pub link_url: String,
    pub link_token: String,
}

/// A linked vendor account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedVendorView {
    pub vendor: String,
    pub name: String,
    /// False once Enode reported the credentials invalid; the driver must link again.
    pub is_valid: bool,
    /// RFC 3339.
    pub linked_at: String,
}

/// A vehicle as the dashboard shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VehicleView {
    pub id: String,
    pub vendor: String,
    pub vendor_name: String,
    /// The driver's name for the car, or brand and model.
    pub name: String,
    pub model: Option<String>,
    pub year: Option<i64>,
    pub vin: Option<String>,
    /// Percent.
    pub battery_level: Option<f64>,
    pub range_km: Option<f64>,
    pub is_plugged_in: Option<bool>,
    pub is_charging: Option<bool>,
    /// Enode's power delivery state, such as `PLUGGED_IN:CHARGING`.
    pub power_delivery_state: Option<String>,
    /// The charging state in words, such as "Charging" or "Unplugged".
    pub charging_state: String,
    /// Percent.
    pub charge_limit: Option<f64>,
    pub odometer_km: Option<f64>,
    /// RFC 3339; `None` when Enode never reported it.
    pub last_seen: Option<String>,
    /// "5 minutes ago", computed when the data was read.
    pub last_seen_ago: String,
}

/// A confirmed link: the vendor and the vehicles saved for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkResultView {
    pub vendor: LinkedVendorView,
    pub vehicles: Vec<VehicleView>,
}

/// Everything the dashboard shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GarageView {
    pub vendors: Vec<LinkedVendorView>,
    pub vehicles: Vec<VehicleView>,
}

/// The pending link a driver returned with, as the callback page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallbackView {
    pub vendor: VendorOption,
    /// The error that explains an expired, unconfirmed link; `None` otherwise.
    pub expired: Option<AppError>,
    /// Present once the link is confirmed.
    pub result: Option<LinkResultView>,
}

/// Lists the brands carlink offers.
#[server(prefix = "/rpc", endpoint = "vendors")]
pub async fn list_vendors() -> Result<Vec<VendorOption>, AppError> {
    crate::state::with_status(async move { Ok(ssr::vendor_options()) }.await)
}

/// Starts linking `vendor` for the signed-in driver. Called from the page, it returns the Link UI
/// address for the browser to open; posted as a plain form without WASM, it redirects there.
#[server(prefix = "/rpc", endpoint = "start_link")]
pub async fn start_link(vendor: String) -> Result<LinkStartView, AppError> {
    crate::state::with_status(
        async move {
            use crate::state::{app_state, require_user};

            let state = app_state()?;
            let user = require_user().await?;
            let headers = use_context::<http::request::Parts>()
                .map(|parts| parts.headers)
                .unwrap_or_default();
            let started = ssr::start(&state, &user, &vendor, &headers).await?;

            if crate::state::is_plain_form_post(&headers) {
                leptos_axum::redirect(&started.link_url);
            }
            Ok(started)
        }
        .await,
    )
}

/// Describes the driver's pending link by `state` (or Enode's `link_token`), without changing it.
#[server(prefix = "/rpc", endpoint = "link_status")]
pub async fn link_status(
    state: Option<String>,
    link_token: Option<String>,
) -> Result<CallbackView, AppError> {
    crate::state::with_status(
        async move {
            use crate::state::{app_state, require_user};

            let app = app_state()?;
            let user = require_user().await?;
            let reference = ssr::reference(state, link_token)?;
            ssr::callback_view(&app, &user, &reference).await
        }
        .await,
    )
}

/// Confirms the driver's pending link by `state` (or Enode's `link_token`).
#[server(prefix = "/rpc", endpoint = "confirm_link")]
pub async fn confirm_link(
    state: Option<String>,
    link_token: Option<String>,
) -> Result<LinkResultView, AppError> {
    crate::state::with_status(
        async move {
            use crate::state::{app_state, require_user};

            let app = app_state()?;
            let user = require_user().await?;
            let reference = ssr::reference(state, link_token)?;
            ssr::confirm(&app, &user, &reference).await
        }
        .await,
    )
}

/// Lists the signed-in driver's linked vendors and vehicles.
#[server(prefix = "/rpc", endpoint = "garage")]
pub async fn garage() -> Result<GarageView, AppError> {
    crate::state::with_status(
        async move {
            use crate::state::{app_state, require_user};

            let app = app_state()?;
            let user = require_user().await?;
            ssr::garage(&app, &user).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! The link flow for server functions and the JSON API alike.

    use carlink_core::{
        Language, LinkReference, LinkedVendorRecord, SUPPORTED_VENDORS, SupportedVendor, UserId,
        VehicleRecord,
    };
    use chrono::{DateTime, SecondsFormat, Utc};
    use http::HeaderMap;

    use super::{
        CallbackView, GarageView, LinkResultView, LinkStartView, LinkedVendorView, VehicleView,
        VendorOption,
    };
    use crate::{
        error::{AppError, ErrorKind},
        state::AppState,
    };

    pub fn vendor_options() -> Vec<VendorOption> {
        SUPPORTED_VENDORS.iter().map(vendor_option).collect()
    }

    fn vendor_option(vendor: &SupportedVendor) -> VendorOption {
        VendorOption {
            id: vendor.id.to_owned(),
            name: vendor.name.to_owned(),
        }
    }

    /// Starts a link session in the language of the request's `Accept-Language`.
    pub async fn start(
        state: &AppState,
        user: &UserId,
        vendor: &str,
        headers: &HeaderMap,
    ) -> Result<LinkStartView, AppError> {
        let accept_language = headers
            .get(http::header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok());
        let language = Language::from_accept_language(accept_language);
        let started = state.carlink.start_link(user, vendor, &language).await?;
        Ok(LinkStartView {
            link_url: started.link_url.to_string(),
            link_token: started.link_token,
        })
    }

    /// Picks the link reference from the callback's parameters; `state` wins when both are given.
    pub fn reference(
        state: Option<String>,
        link_token: Option<String>,
    ) -> Result<LinkReference, AppError> {
        let present = |value: Option<String>| {
            value
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        match (present(state), present(link_token)) {
            (Some(state), _) => Ok(LinkReference::State(state)),
            (None, Some(token)) => Ok(LinkReference::LinkToken(token)),
            (None, None) => Err(AppError::new(
                ErrorKind::NotFound,
                "This address has no link to confirm. Start linking your car from the list of brands.",
            )),
        }
    }

    pub async fn callback_view(
        state: &AppState,
        user: &UserId,
        reference: &LinkReference,
    ) -> Result<CallbackView, AppError> {
        let summary = state.carlink.link_summary(user, reference).await?;
        let result = if summary.confirmed {
            Some(confirm(state, user, reference).await?)
        } else {
            None
        };
        let expired = (summary.expired && result.is_none()).then(|| {
            AppError::from(carlink_core::Error::LinkExpired {
                vendor: summary.vendor.name.to_owned(),
            })
        });
        Ok(CallbackView {
            vendor: vendor_option(summary.vendor),
            expired,
            result,
        })
    }

    pub async fn confirm(
        state: &AppState,
        user: &UserId,
        reference: &LinkReference,
    ) -> Result<LinkResultView, AppError> {
        let outcome = state.carlink.confirm_link(user, reference).await?;
        let now = Utc::now();
        Ok(LinkResultView {
            vendor: linked_vendor_view(&outcome.vendor),
            vehicles: outcome
                .vehicles
                .iter()
                .map(|vehicle| vehicle_view(vehicle, now))
                .collect(),
        })
    }

    pub async fn garage(state: &AppState, user: &UserId) -> Result<GarageView, AppError> {
        let vendors = state.carlink.linked_vendors(user).await?;
        let vehicles = state.carlink.vehicles(user).await?;
        let now = Utc::now();
        Ok(GarageView {
            vendors: vendors.iter().map(linked_vendor_view).collect(),
            vehicles: vehicles
                .iter()
                .map(|vehicle| vehicle_view(vehicle, now))
                .collect(),
        })
    }

    fn linked_vendor_view(record: &LinkedVendorRecord) -> LinkedVendorView {
        LinkedVendorView {
            vendor: record.vendor.clone(),
            name: SupportedVendor::display_name(&record.vendor),
            is_valid: record.is_valid,
            linked_at: rfc3339(record.linked_at),
        }
    }

    fn vehicle_view(record: &VehicleRecord, now: DateTime<Utc>) -> VehicleView {
        let vendor_name = SupportedVendor::display_name(&record.vendor);
        let brand = record.brand.clone().unwrap_or_else(|| vendor_name.clone());
        let name = match (&record.display_name, &record.model) {
            (Some(display_name), _) if !display_name.trim().is_empty() => display_name.clone(),
            (_, Some(model)) => format!("{brand} {model}"),
            _ => brand,
        };
        VehicleView {
            id: record.id.clone(),
            vendor: record.vendor.clone(),
            vendor_name,
            name,
            model: record.model.clone(),
            year: record.year,
            vin: record.vin.clone(),
            battery_level: record.battery_level,
            range_km: record.range_km,
            is_plugged_in: record.is_plugged_in,
            is_charging: record.is_charging,
            power_delivery_state: record.power_delivery_state.clone(),
            charging_state: charging_state(record).to_owned(),
            charge_limit: record.charge_limit,
            odometer_km: record.odometer_km,
            last_seen: record.last_seen.map(rfc3339),
            last_seen_ago: record
                .last_seen
                .map_or_else(|| "never".to_owned(), |seen| time_ago(seen, now)),
        }
    }

    /// Describes the charging state in words, from Enode's power delivery state and flags.
    fn charging_state(record: &VehicleRecord) -> &'static str {
        match record.power_delivery_state.as_deref() {
            Some("PLUGGED_IN:CHARGING") => return "Charging",
            Some("PLUGGED_IN:COMPLETE") => return "Fully charged",
            Some("PLUGGED_IN:INITIALIZING") => return "Starting to charge",
            Some("PLUGGED_IN:STOPPED") => return "Plugged in, not charging",
            Some("PLUGGED_IN:NO_POWER") => return "Plugged in, no power",
            Some("PLUGGED_IN:FAULT") => return "Charging fault",
            Some("PLUGGED_IN:DISCHARGING") => return "Discharging",
            Some("UNPLUGGED") => return "Unplugged",
            _ => {}
        }
        match (
            record.is_charging,
            record.is_fully_charged,
            record.is_plugged_in,
        ) {
            (Some(true), _, _) => "Charging",
            (_, Some(true), Some(true)) => "Fully charged",
            (_, _, Some(true)) => "Plugged in, not charging",
            (_, _, Some(false)) => "Unplugged",
            _ => "Unknown",
        }
    }

    fn rfc3339(time: DateTime<Utc>) -> String {
        time.to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// "just now", "1 minute ago", "3 hours ago", "2 days ago".
    pub fn time_ago(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
        let seconds = (now - then).num_seconds();
        let (amount, unit) = match seconds {
            ..60 => return "just now".to_owned(),
            60..3_600 => (seconds / 60, "minute"),
            3_600..86_400 => (seconds / 3_600, "hour"),
            _ => (seconds / 86_400, "day"),
        };
        let plural = if amount == 1 { "" } else { "s" };
        format!("{amount} {unit}{plural} ago")
    }

    #[cfg(test)]
    mod tests {
        use chrono::Duration;

        use super::*;

        #[test]
        fn time_ago_units() {
            let now = Utc::now();
            assert_eq!(time_ago(now - Duration::seconds(5), now), "just now");
            assert_eq!(time_ago(now + Duration::seconds(30), now), "just now");
            assert_eq!(time_ago(now - Duration::seconds(60), now), "1 minute ago");
            assert_eq!(time_ago(now - Duration::minutes(59), now), "59 minutes ago");
            assert_eq!(time_ago(now - Duration::hours(3), now), "3 hours ago");
            assert_eq!(time_ago(now - Duration::days(1), now), "1 day ago");
            assert_eq!(time_ago(now - Duration::days(40), now), "40 days ago");
        }

        #[test]
        fn reference_prefers_state() {
            let by_state = reference(Some("s1".into()), Some("t1".into())).unwrap();
            assert!(matches!(by_state, LinkReference::State(state) if state == "s1"));
            let by_token = reference(Some(String::new()), Some("t1".into())).unwrap();
            assert!(matches!(by_token, LinkReference::LinkToken(token) if token == "t1"));
            assert!(reference(None, Some("  ".into())).is_err());
        }
    }
}
