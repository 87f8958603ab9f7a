use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::catalog;
use crate::vehicle::Vehicle;

/// An event waiting to be delivered. The `version` field is added per subscription.
#[derive(Debug, Clone)]
pub(crate) struct PendingEvent {
    pub name: &'static str,
    created_at: DateTime<Utc>,
    user_id: Option<String>,
    /// Fields that depend on the event kind, such as `vehicle` or `vendor`.
    fields: Map<String, Value>,
}

impl PendingEvent {
    /// Creates a `user:vehicle:discovered` or `user:vehicle:deleted` event carrying the vehicle.
    pub fn vehicle(name: &'static str, vehicle: &Vehicle, now: DateTime<Utc>) -> Self {
        let mut fields = Map::new();
        fields.insert("vehicle".to_owned(), vehicle_json(vehicle));
        Self {
            name,
            created_at: now,
            user_id: Some(vehicle.user_id.clone()),
            fields,
        }
    }

    pub fn vehicle_updated(
        vehicle: &Vehicle,
        updated_fields: Vec<String>,
        now: DateTime<Utc>,
    ) -> Self {
        let mut event = Self::vehicle(catalog::EVENT_VEHICLE_UPDATED, vehicle, now);
        event
            .fields
            .insert("updatedFields".to_owned(), json!(updated_fields));
        event
    }

    pub fn credentials_invalidated(user_id: &str, vendor: &str, now: DateTime<Utc>) -> Self {
        let mut fields = Map::new();
        fields.insert("vendor".to_owned(), json!(vendor));
        Self {
            name: catalog::EVENT_CREDENTIALS_INVALIDATED,
            created_at: now,
            user_id: Some(user_id.to_owned()),
            fields,
        }
    }

    pub fn webhook_test(now: DateTime<Utc>) -> Self {
        Self {
            name: catalog::EVENT_WEBHOOK_TEST,
            created_at: now,
            user_id: None,
            fields: Map::new(),
        }
    }

    /// Returns the event as delivered to a subscription pinned to `version`.
    pub fn to_json(&self, version: &str) -> Value {
        let mut event = Map::new();
        event.insert("event".to_owned(), json!(self.name));
        event.insert("createdAt".to_owned(), json!(self.created_at));
        event.insert("version".to_owned(), json!(version));
        if let Some(user_id) = &self.user_id {
            event.insert("user".to_owned(), json!({ "id": user_id }));
        }
        event.extend(self.fields.clone());
        Value::Object(event)
    }
}

fn vehicle_json(vehicle: &Vehicle) -> Value {
    serde_json::to_value(vehicle).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalidated_event_shape() {
        let event = PendingEvent::credentials_invalidated("user-1", "XPENG", Utc::now())
            .to_json("2024-10-01");
        assert_eq!(event["vendor"], "XPENG");
        assert_eq!(event["user"]["id"], "user-1");
        assert_eq!(event["event"], "user:credentials:invalidated");
        assert_eq!(event["version"], "2024-10-01");
    }

    #[test]
    fn test_event_has_no_user() {
        let event = PendingEvent::webhook_test(Utc::now()).to_json("2024-10-01");
        assert!(event.get("user").is_none());
    }
}
