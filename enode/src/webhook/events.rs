use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::models::lenient::null_as_default;
use crate::models::{EventKind, Vehicle, Vendor, VendorType};

/// One event of a webhook delivery.
///
/// A delivery never fails as a whole because of one event: an event name this crate does not
/// know becomes [`WebhookEvent::Unknown`], and a known event whose fields do not parse becomes
/// [`WebhookEvent::Invalid`]. Both keep the event's JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookEvent {
    /// `user:vehicle:discovered`: a vehicle was linked.
    VehicleDiscovered(VehicleEvent),
    /// `user:vehicle:updated`: some vehicle fields changed.
    VehicleUpdated(VehicleUpdatedEvent),
    /// `user:vehicle:deleted`: a vehicle was unlinked.
    VehicleDeleted(VehicleEvent),
    /// `user:credentials:invalidated`: the user must link the vendor again.
    CredentialsInvalidated(CredentialsInvalidatedEvent),
    /// `system:heartbeat`: Enode is alive and has events waiting for delivery.
    Heartbeat(HeartbeatEvent),
    /// `enode:webhook:test`: sent by `POST /webhooks/{id}/test`.
    Test(TestEvent),
    /// An event name this crate does not know.
    Unknown { event: String, raw: Value },
    /// A known event name whose fields do not match the documented shape, or an element that
    /// has no `event` name.
    Invalid {
        event: Option<String>,
        reason: String,
        raw: Value,
    },
}

/// The user an event belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EventUser {
    pub id: String,
}

/// `user:vehicle:discovered` and `user:vehicle:deleted`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VehicleEvent {
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub version: Option<String>,
    pub user: EventUser,
    pub vehicle: Vehicle,
}

/// `user:vehicle:updated`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VehicleUpdatedEvent {
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub version: Option<String>,
    pub user: EventUser,
    pub vehicle: Vehicle,
    /// Dotted paths of the fields that changed, such as `chargeState.batteryLevel`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub updated_fields: Vec<String>,
}

/// `user:credentials:invalidated`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsInvalidatedEvent {
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub version: Option<String>,
    pub user: EventUser,
    pub vendor: Vendor,
    #[serde(default)]
    pub vendor_type: Option<VendorType>,
}

/// `system:heartbeat`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeartbeatEvent {
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub version: Option<String>,
    /// Events waiting for delivery to this subscription.
    #[serde(default)]
    pub pending_events: Option<u64>,
}

/// `enode:webhook:test`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestEvent {
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub user: Option<EventUser>,
}

impl WebhookEvent {
    /// Returns the event name. `Invalid` without a name gives `EventKind::Other("")`.
    pub fn kind(&self) -> EventKind {
        match self {
            Self::VehicleDiscovered(_) => EventKind::VehicleDiscovered,
            Self::VehicleUpdated(_) => EventKind::VehicleUpdated,
            Self::VehicleDeleted(_) => EventKind::VehicleDeleted,
            Self::CredentialsInvalidated(_) => EventKind::CredentialsInvalidated,
            Self::Heartbeat(_) => EventKind::Heartbeat,
            Self::Test(_) => EventKind::Test,
            Self::Unknown { event, .. } => EventKind::from(event.as_str()),
            Self::Invalid { event, .. } => EventKind::from(event.as_deref().unwrap_or_default()),
        }
    }

    /// Returns the id of the user the event belongs to, when it names one.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Self::VehicleDiscovered(event) | Self::VehicleDeleted(event) => Some(&event.user.id),
            Self::VehicleUpdated(event) => Some(&event.user.id),
            Self::CredentialsInvalidated(event) => Some(&event.user.id),
            Self::Test(event) => event.user.as_ref().map(|user| user.id.as_str()),
            Self::Heartbeat(_) => None,
            Self::Unknown { raw, .. } | Self::Invalid { raw, .. } => {
                raw.get("user")?.get("id")?.as_str()
            }
        }
    }

    /// Returns the event's `createdAt`, when present and valid.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::VehicleDiscovered(event) | Self::VehicleDeleted(event) => event.created_at,
            Self::VehicleUpdated(event) => event.created_at,
            Self::CredentialsInvalidated(event) => event.created_at,
            Self::Heartbeat(event) => event.created_at,
            Self::Test(event) => event.created_at,
            Self::Unknown { raw, .. } | Self::Invalid { raw, .. } => raw
                .get("createdAt")
                .and_then(Value::as_str)
                .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
                .map(|time| time.with_timezone(&Utc)),
        }
    }
}

/// The error for a delivery body that is not a JSON array.
#[derive(Debug, thiserror::Error)]
#[error("the webhook delivery body is not a JSON array of events: {0}")]
pub struct ParseEventsError(#[source] serde_json::Error);

/// Parses a delivery body, a JSON array of events, into typed events in delivery order.
///
/// Fails only when the body is not a JSON array. Single events that do not parse come back as
/// [`WebhookEvent::Unknown`] or [`WebhookEvent::Invalid`].
pub fn parse_events(raw_body: &[u8]) -> Result<Vec<WebhookEvent>, ParseEventsError> {
    let elements: Vec<Value> = serde_json::from_slice(raw_body).map_err(ParseEventsError)?;
    Ok(elements.into_iter().map(parse_event).collect())
}

fn parse_event(raw: Value) -> WebhookEvent {
    let Some(name) = raw.get("event").and_then(Value::as_str).map(str::to_owned) else {
        return WebhookEvent::Invalid {
            event: None,
            reason: "the event has no string field `event`".to_owned(),
            raw,
        };
    };

    match EventKind::from(name.as_str()) {
        EventKind::VehicleDiscovered => typed(name, raw, WebhookEvent::VehicleDiscovered),
        EventKind::VehicleUpdated => typed(name, raw, WebhookEvent::VehicleUpdated),
        EventKind::VehicleDeleted => typed(name, raw, WebhookEvent::VehicleDeleted),
        EventKind::CredentialsInvalidated => typed(name, raw, WebhookEvent::CredentialsInvalidated),
        EventKind::Heartbeat => typed(name, raw, WebhookEvent::Heartbeat),
        EventKind::Test => typed(name, raw, WebhookEvent::Test),
        EventKind::Other(_) => WebhookEvent::Unknown { event: name, raw },
    }
}

/// Deserializes `raw` into the event type of `variant`, or gives `Invalid` with the reason.
fn typed<T: DeserializeOwned>(
    name: String,
    raw: Value,
    variant: impl FnOnce(T) -> WebhookEvent,
) -> WebhookEvent {
    match T::deserialize(&raw) {
        Ok(event) => variant(event),
        Err(error) => WebhookEvent::Invalid {
            event: Some(name),
            reason: error.to_string(),
            raw,
        },
    }
}
