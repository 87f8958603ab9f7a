//! Webhook subscriptions, and real signed deliveries from the sandbox received over HTTP.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use enode::webhook::{
    DELIVERY_HEADER, SIGNATURE_HEADER, SignatureError, WebhookEvent, parse_events, verify_signature,
};
use enode::{CreateWebhook, Error, EventKind, Webhook, WebhookTestStatus};
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use url::Url;

use crate::support::{TestSandbox, start_sandbox, unreachable_url};

const SECRET: &str = "carlink-webhook-secret-0123456789";

/// One POST the receiver got: its headers and the body bytes exactly as sent.
struct Delivery {
    headers: HeaderMap,
    body: Bytes,
}

/// An HTTP server on 127.0.0.1:0 that responds 200 to `POST /hook` and forwards each delivery
/// to the test.
struct Receiver {
    url: Url,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
    server: JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Receiver {
    async fn start() -> Self {
        let (sender, deliveries) = mpsc::unbounded_channel();
        let app = axum::Router::new()
            .route("/hook", post(receive))
            .with_state(sender);
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("a bound address");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: Url::parse(&format!("http://{address}/hook")).expect("valid URL"),
            deliveries,
            server,
        }
    }

    /// Waits up to 10 seconds for the next delivery.
    async fn next(&mut self) -> Delivery {
        tokio::time::timeout(Duration::from_secs(10), self.deliveries.recv())
            .await
            .expect("a delivery arrives within 10 seconds")
            .expect("the receiver is running")
    }

    /// Waits for deliveries until one contains an event of `kind`, and returns it.
    async fn next_with(&mut self, kind: EventKind) -> (Delivery, Vec<WebhookEvent>) {
        loop {
            let delivery = self.next().await;
            let events = parse_events(&delivery.body).expect("the delivery is a JSON array");
            if events.iter().any(|event| event.kind() == kind) {
                return (delivery, events);
            }
        }
    }
}

async fn receive(
    State(sender): State<mpsc::UnboundedSender<Delivery>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let _ = sender.send(Delivery { headers, body });
    StatusCode::OK
}

fn secret() -> SecretString {
    SecretString::from(SECRET)
}

async fn subscribe(sandbox: &TestSandbox, receiver: &Receiver) -> Webhook {
    sandbox
        .client()
        .create_webhook(&CreateWebhook::new(receiver.url.clone(), secret()))
        .await
        .expect("the webhook is created")
}

/// Returns a delivery of `enode:webhook:test`, sent by `POST /webhooks/{id}/test`.
async fn test_delivery() -> Delivery {
    let sandbox = start_sandbox().await;
    let mut receiver = Receiver::start().await;
    let webhook = subscribe(&sandbox, &receiver).await;
    sandbox
        .client()
        .test_webhook(&webhook.id)
        .await
        .expect("the test is sent");
    let (delivery, _) = receiver.next_with(EventKind::Test).await;
    delivery
}

#[tokio::test]
async fn test_delivery_verifies() {
    let delivery = test_delivery().await;

    let result = verify_signature(
        &secret(),
        &delivery.body,
        delivery.headers.get(SIGNATURE_HEADER),
    );

    assert_eq!(result, Ok(()));
}

#[tokio::test]
async fn test_delivery_has_delivery_id() {
    let delivery = test_delivery().await;

    assert!(delivery.headers.contains_key(DELIVERY_HEADER));
}

#[tokio::test]
async fn test_delivery_parses() {
    let delivery = test_delivery().await;

    let events = parse_events(&delivery.body).expect("the delivery is a JSON array");

    assert!(
        events
            .iter()
            .any(|event| matches!(event, WebhookEvent::Test(_))),
        "{events:?}"
    );
}

#[tokio::test]
async fn delivery_rejects_wrong_secret() {
    let delivery = test_delivery().await;
    let wrong = SecretString::from("another-secret-0123456789abcdef");

    let result = verify_signature(
        &wrong,
        &delivery.body,
        delivery.headers.get(SIGNATURE_HEADER),
    );

    assert_eq!(result, Err(SignatureError::Mismatch));
}

#[tokio::test]
async fn delivery_rejects_changed_body() {
    let delivery = test_delivery().await;
    let mut body = delivery.body.to_vec();
    body.push(b' ');

    let result = verify_signature(&secret(), &body, delivery.headers.get(SIGNATURE_HEADER));

    assert_eq!(result, Err(SignatureError::Mismatch));
}

#[tokio::test]
async fn delivery_rejects_missing_header() {
    let delivery = test_delivery().await;

    let result = verify_signature(
        &secret(),
        &delivery.body,
        delivery.headers.get("x-not-there"),
    );

    assert_eq!(result, Err(SignatureError::MissingHeader));
}

#[tokio::test]
async fn delivery_rejects_malformed_header() {
    let delivery = test_delivery().await;
    let header = delivery
        .headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .expect("a signature header")
        .replacen("sha1=", "", 1);

    let result = verify_signature(&secret(), &delivery.body, Some(&header));

    assert_eq!(result, Err(SignatureError::MalformedHeader));
}

#[tokio::test]
async fn test_webhook_reports_success() {
    let sandbox = start_sandbox().await;
    let receiver = Receiver::start().await;
    let webhook = subscribe(&sandbox, &receiver).await;

    let result = sandbox
        .client()
        .test_webhook(&webhook.id)
        .await
        .expect("the test is sent");

    assert_eq!(result.status, WebhookTestStatus::Success);
}

#[tokio::test]
async fn test_webhook_reports_failure() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();
    let webhook = client
        .create_webhook(&CreateWebhook::new(unreachable_url(), secret()))
        .await
        .expect("the webhook is created");

    let result = client
        .test_webhook(&webhook.id)
        .await
        .expect("the test is sent");

    assert_eq!(result.status, WebhookTestStatus::Failure);
}

#[tokio::test]
async fn discovered_vehicle_delivered() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();
    let mut receiver = Receiver::start().await;
    subscribe(&sandbox, &receiver).await;
    sandbox
        .link_user(&client, "user-hook", "solo@sandbox.test", "XPENG")
        .await;

    let added = sandbox.add_vehicle("user-hook", "XPENG").await;
    let (delivery, events) = loop {
        let (delivery, events) = receiver.next_with(EventKind::VehicleDiscovered).await;
        let matches_added = events.iter().any(|event| {
            matches!(event, WebhookEvent::VehicleDiscovered(discovered) if discovered.vehicle.id == added)
        });
        if matches_added {
            break (delivery, events);
        }
    };

    let signature = verify_signature(
        &secret(),
        &delivery.body,
        delivery.headers.get(SIGNATURE_HEADER),
    );
    assert_eq!(signature, Ok(()));
    let user_ids: Vec<Option<&str>> = events.iter().map(WebhookEvent::user_id).collect();
    assert!(
        user_ids.iter().all(|id| *id == Some("user-hook")),
        "{user_ids:?}"
    );
}

#[tokio::test]
async fn updated_vehicle_names_fields() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();
    sandbox
        .link_user(&client, "user-update", "solo@sandbox.test", "TESLA")
        .await;
    let vehicle_id = client
        .list_vehicles("user-update")
        .await
        .expect("vehicles are listed")
        .first()
        .map(|vehicle| vehicle.id.clone())
        .expect("one vehicle");
    let mut receiver = Receiver::start().await;
    subscribe(&sandbox, &receiver).await;

    sandbox
        .control(
            reqwest::Method::PATCH,
            &format!("/vehicles/{vehicle_id}"),
            Some(serde_json::json!({"chargeState": {"batteryLevel": 55, "isCharging": true}})),
        )
        .await;
    let (_, events) = receiver.next_with(EventKind::VehicleUpdated).await;

    let updated = events
        .iter()
        .find_map(|event| match event {
            WebhookEvent::VehicleUpdated(updated) => Some(updated),
            _ => None,
        })
        .expect("an update event");
    assert_eq!(updated.vehicle.charge_state.battery_level, Some(55.0));
    assert!(
        updated
            .updated_fields
            .iter()
            .any(|field| field == "chargeState.batteryLevel"),
        "{:?}",
        updated.updated_fields
    );
}

#[tokio::test]
async fn deleted_vehicle_delivered() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();
    sandbox
        .link_user(&client, "user-removed", "solo@sandbox.test", "NISSAN")
        .await;
    let vehicle_id = sandbox.add_vehicle("user-removed", "NISSAN").await;
    let mut receiver = Receiver::start().await;
    subscribe(&sandbox, &receiver).await;

    sandbox
        .control(
            reqwest::Method::DELETE,
            &format!("/vehicles/{vehicle_id}"),
            None,
        )
        .await;
    let (_, events) = receiver.next_with(EventKind::VehicleDeleted).await;

    let deleted_ids: Vec<&str> = events
        .iter()
        .filter_map(|event| match event {
            WebhookEvent::VehicleDeleted(deleted) => Some(deleted.vehicle.id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(deleted_ids, vec![vehicle_id.as_str()]);
}

#[tokio::test]
async fn invalidated_credentials_delivered() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();
    sandbox
        .link_user(&client, "user-creds", "solo@sandbox.test", "PORSCHE")
        .await;
    let mut receiver = Receiver::start().await;
    subscribe(&sandbox, &receiver).await;

    sandbox
        .post_control(
            "/users/user-creds/vendors/PORSCHE/invalidate",
            serde_json::json!({}),
        )
        .await;
    let (_, events) = receiver.next_with(EventKind::CredentialsInvalidated).await;

    let vendors: Vec<&str> = events
        .iter()
        .filter_map(|event| match event {
            WebhookEvent::CredentialsInvalidated(invalidated) => Some(invalidated.vendor.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(vendors, vec!["PORSCHE"]);
}

#[tokio::test]
async fn created_webhook_listed() {
    let sandbox = start_sandbox().await;
    let receiver = Receiver::start().await;
    let created = subscribe(&sandbox, &receiver).await;

    let webhooks = sandbox
        .client()
        .list_webhooks()
        .await
        .expect("webhooks are listed");

    let ids: Vec<&str> = webhooks.iter().map(|webhook| webhook.id.as_str()).collect();
    assert_eq!(ids, vec![created.id.as_str()]);
}

#[tokio::test]
async fn created_webhook_keeps_fields() {
    let sandbox = start_sandbox().await;
    let receiver = Receiver::start().await;
    let mut request = CreateWebhook::new(receiver.url.clone(), secret());
    request.events = vec![EventKind::VehicleUpdated, EventKind::CredentialsInvalidated];

    let created = sandbox
        .client()
        .create_webhook(&request)
        .await
        .expect("the webhook is created");

    assert_eq!(created.url, receiver.url);
    assert_eq!(created.events, request.events);
    assert_eq!(
        created.api_version.as_deref(),
        Some(enode::DEFAULT_API_VERSION)
    );
    assert_eq!(created.is_active, Some(true));
}

#[tokio::test]
async fn deleted_webhook_not_listed() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();
    let receiver = Receiver::start().await;
    let created = subscribe(&sandbox, &receiver).await;

    client
        .delete_webhook(&created.id)
        .await
        .expect("the webhook is deleted");

    let webhooks = client.list_webhooks().await.expect("webhooks are listed");
    assert!(webhooks.is_empty(), "{webhooks:?}");
}

#[tokio::test]
async fn delete_unknown_webhook_not_found() {
    let sandbox = start_sandbox().await;

    let result = sandbox.client().delete_webhook("no-such-webhook").await;

    assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
}
