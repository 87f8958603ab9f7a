use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};
use url::Url;

use super::lenient::{lenient_enum, null_as_default};

lenient_enum! {
    /// The name of a webhook event, as used in subscriptions and in the `event` field.
    pub enum EventKind {
        VehicleDiscovered => "user:vehicle:discovered",
        VehicleUpdated => "user:vehicle:updated",
        VehicleDeleted => "user:vehicle:deleted",
        CredentialsInvalidated => "user:credentials:invalidated",
        Heartbeat => "system:heartbeat",
        Test => "enode:webhook:test",
    }
}

/// A webhook subscription. Enode never returns its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: String,
    pub url: Url,
    /// Event names delivered to `url`. Empty means every event.
    #[serde(default, deserialize_with = "null_as_default")]
    pub events: Vec<EventKind>,
    /// False once deliveries kept failing and Enode gave up on the subscription.
    #[serde(default)]
    pub is_active: Option<bool>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub api_version: Option<String>,
}

/// The body of `POST /webhooks`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateWebhook {
    pub url: Url,
    /// The HMAC key Enode signs deliveries with. Enode requires at least 128 bits.
    #[serde(serialize_with = "serialize_secret")]
    pub secret: SecretString,
    /// Event names to deliver. Empty subscribes to every event.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventKind>,
    /// The API version of delivered payloads. `None` uses the client's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

impl CreateWebhook {
    /// Builds a subscription to every event with the client's API version.
    pub fn new(url: Url, secret: SecretString) -> Self {
        Self {
            url,
            secret,
            events: Vec::new(),
            api_version: None,
        }
    }
}

fn serialize_secret<S: Serializer>(
    secret: &SecretString,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

lenient_enum! {
    /// Whether the test delivery of `POST /webhooks/{id}/test` reached the receiver.
    pub enum WebhookTestStatus {
        Success => "SUCCESS",
        Failure => "FAILURE",
    }
}

/// The response of `POST /webhooks/{id}/test`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookTestResult {
    pub status: WebhookTestStatus,
    #[serde(default)]
    pub description: Option<String>,
    /// The receiver's response, when it responded at all.
    #[serde(default)]
    pub response: Option<WebhookTestResponse>,
}

/// The receiver's response to a test delivery.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookTestResponse {
    #[serde(default)]
    pub code: Option<u16>,
    #[serde(default)]
    pub body: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create_request() -> CreateWebhook {
        let url = Url::parse("https://carlink.test/webhooks/enode").expect("valid URL");
        CreateWebhook::new(url, SecretString::from("0123456789abcdef-secret"))
    }

    #[test]
    fn create_serializes_secret() {
        let json = serde_json::to_value(create_request()).expect("serializable");
        assert_eq!(json["secret"], "0123456789abcdef-secret");
    }

    #[test]
    fn create_debug_hides_secret() {
        let text = format!("{:?}", create_request());
        assert!(!text.contains("0123456789abcdef-secret"));
    }

    #[test]
    fn create_omits_empty_events() {
        let json = serde_json::to_value(create_request()).expect("serializable");
        assert!(json.get("events").is_none());
    }

    #[test]
    fn webhook_keeps_unknown_event_name() {
        let text = r#"{"id": "w1", "url": "https://carlink.test/hook",
                       "events": ["user:vehicle:updated", "user:charger:updated"],
                       "isActive": true, "createdAt": "2024-10-01T10:00:00Z",
                       "apiVersion": "2024-10-01"}"#;
        let webhook: Webhook = serde_json::from_str(text).expect("a webhook");
        assert_eq!(
            webhook.events.get(1),
            Some(&EventKind::Other("user:charger:updated".to_owned()))
        );
    }

    #[test]
    fn test_result_parses_failure() {
        let text = r#"{"status": "FAILURE", "description": "connection refused"}"#;
        let result: WebhookTestResult = serde_json::from_str(text).expect("a test result");
        assert_eq!(result.status, WebhookTestStatus::Failure);
    }
}
