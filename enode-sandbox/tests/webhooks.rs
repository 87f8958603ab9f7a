mod common;

use std::time::Duration;

use common::receiver::{Delivery, Receiver};
use common::{TestSandbox, eventually};
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha1::Sha1;

const SECRET: &str = "a-webhook-secret-of-32-characters";

async fn subscribe(sandbox: &TestSandbox, token: &str, url: &str, events: Option<Value>) -> Value {
    let mut body = json!({ "url": url, "secret": SECRET, "apiVersion": "2024-10-01" });
    if let Some(events) = events {
        body["events"] = events;
    }
    let response = sandbox.api_post(token, "/webhooks", &body).await;
    assert_eq!(response.status(), StatusCode::OK, "creating a webhook");
    response.json().await.unwrap()
}

/// Checks `x-enode-signature` with an HMAC-SHA1 computed here.
fn signature_valid(delivery: &Delivery) -> bool {
    let Some(hex_signature) = delivery
        .header("x-enode-signature")
        .strip_prefix("sha1=")
        .map(str::to_owned)
    else {
        return false;
    };
    let Ok(signature) = hex::decode(&hex_signature) else {
        return false;
    };
    let mut mac = Hmac::<Sha1>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(&delivery.body);
    hex_signature.bytes().all(|byte| !byte.is_ascii_uppercase())
        && mac.verify_slice(&signature).is_ok()
}

async fn deliveries(sandbox: &TestSandbox) -> Vec<Value> {
    let response = sandbox
        .control(Method::GET, "/webhook-deliveries", None)
        .await;
    response
        .json::<Value>()
        .await
        .unwrap()
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn create_list_delete() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let created = subscribe(
        &sandbox,
        &token,
        "http://127.0.0.1:9/hooks",
        Some(json!(["user:vehicle:updated"])),
    )
    .await;
    let listed: Value = sandbox
        .api_get(&token, "/webhooks")
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let deleted = sandbox.api_delete(&token, &format!("/webhooks/{id}")).await;
    let after: Value = sandbox
        .api_get(&token, "/webhooks")
        .await
        .json()
        .await
        .unwrap();
    let deleted_again = sandbox.api_delete(&token, &format!("/webhooks/{id}")).await;

    assert_eq!(created["url"], "http://127.0.0.1:9/hooks");
    assert_eq!(created["events"], json!(["user:vehicle:updated"]));
    assert_eq!(created["isActive"], true);
    assert_eq!(created["apiVersion"], "2024-10-01");
    assert!(created["createdAt"].is_string());
    assert!(created.get("secret").is_none());
    assert_eq!(listed["data"], json!([created]));
    assert_eq!(
        listed["pagination"],
        json!({ "before": null, "after": null })
    );
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(after["data"], json!([]));
    assert_eq!(deleted_again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn short_secret_rejected() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let response = sandbox
        .api_post(
            &token,
            "/webhooks",
            &json!({ "url": "http://127.0.0.1:9/hooks", "secret": "short" }),
        )
        .await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("secret"));
}

#[tokio::test]
async fn relative_url_rejected() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let response = sandbox
        .api_post(
            &token,
            "/webhooks",
            &json!({ "url": "/hooks", "secret": SECRET }),
        )
        .await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unknown_event_rejected() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let response = sandbox
        .api_post(&token, "/webhooks", &json!({ "url": "http://127.0.0.1:9/hooks", "secret": SECRET, "events": ["user:car:crashed"] }))
        .await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn discovered_delivery_signed() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    let mut receiver = Receiver::start(0).await;
    subscribe(&sandbox, &token, &receiver.url, None).await;

    sandbox
        .link(&token, "user-1", "XPENG", "duo@sandbox.test")
        .await;
    let delivery = receiver.next().await;

    assert!(
        signature_valid(&delivery),
        "signature {:?}",
        delivery.header("x-enode-signature")
    );
    assert!(!delivery.header("x-enode-delivery").is_empty());
    assert_eq!(delivery.header("content-type"), "application/json");
    assert_eq!(
        delivery.event_names(),
        vec!["user:vehicle:discovered", "user:vehicle:discovered"]
    );
    let events = delivery.events();
    assert_eq!(events[0]["user"]["id"], "user-1");
    assert_eq!(events[0]["version"], "2024-10-01");
    assert_eq!(events[0]["vehicle"]["vendor"], "XPENG");
    assert!(events[0]["createdAt"].is_string());
}

#[tokio::test]
async fn delivery_ids_unique() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    let mut receiver = Receiver::start(0).await;
    subscribe(&sandbox, &token, &receiver.url, None).await;

    sandbox
        .link(&token, "user-1", "XPENG", "solo@sandbox.test")
        .await;
    sandbox
        .link(&token, "user-2", "XPENG", "solo@sandbox.test")
        .await;
    let first = receiver.next().await;
    let second = receiver.next().await;

    assert_ne!(
        first.header("x-enode-delivery"),
        second.header("x-enode-delivery")
    );
}

#[tokio::test]
async fn updated_event_fields() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    sandbox
        .link(&token, "user-1", "TESLA", "solo@sandbox.test")
        .await;
    let vehicle_id = sandbox.vehicles(&token, "user-1").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut receiver = Receiver::start(0).await;
    subscribe(&sandbox, &token, &receiver.url, None).await;

    sandbox
        .control(
            Method::PATCH,
            &format!("/vehicles/{vehicle_id}"),
            Some(json!({ "odometer": { "distance": 99999.5 } })),
        )
        .await;
    let delivery = receiver.next().await;

    let event = &delivery.events()[0];
    assert_eq!(event["event"], "user:vehicle:updated");
    assert_eq!(event["updatedFields"], json!(["odometer.distance"]));
    assert_eq!(event["vehicle"]["odometer"]["distance"], 99999.5);
}

#[tokio::test]
async fn deleted_on_unlink() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    sandbox
        .link(&token, "user-1", "TESLA", "duo@sandbox.test")
        .await;
    let mut receiver = Receiver::start(0).await;
    subscribe(&sandbox, &token, &receiver.url, None).await;

    sandbox
        .api_delete(&token, "/users/user-1/vendors/TESLA")
        .await;
    let delivery = receiver.next().await;

    assert_eq!(
        delivery.event_names(),
        vec!["user:vehicle:deleted", "user:vehicle:deleted"]
    );
}

#[tokio::test]
async fn invalidated_event() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    sandbox
        .link(&token, "user-1", "TESLA", "duo@sandbox.test")
        .await;
    let mut receiver = Receiver::start(0).await;
    subscribe(&sandbox, &token, &receiver.url, None).await;

    sandbox
        .control(Method::POST, "/users/user-1/vendors/TESLA/invalidate", None)
        .await;
    let delivery = receiver.next().await;

    let event = &delivery.events()[0];
    assert_eq!(event["event"], "user:credentials:invalidated");
    assert_eq!(event["vendor"], "TESLA");
    assert_eq!(event["user"]["id"], "user-1");
}

#[tokio::test]
async fn events_filtered() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    let mut receiver = Receiver::start(0).await;
    subscribe(
        &sandbox,
        &token,
        &receiver.url,
        Some(json!(["user:credentials:invalidated"])),
    )
    .await;

    sandbox
        .link(&token, "user-1", "TESLA", "duo@sandbox.test")
        .await;
    sandbox
        .control(Method::POST, "/users/user-1/vendors/TESLA/invalidate", None)
        .await;
    let delivery = receiver.next().await;

    assert_eq!(delivery.event_names(), vec!["user:credentials:invalidated"]);
    assert!(
        receiver
            .maybe_next(Duration::from_millis(200))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn test_endpoint_success() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    let mut receiver = Receiver::start(0).await;
    let webhook = subscribe(&sandbox, &token, &receiver.url, None).await;

    let response = sandbox
        .api_post(
            &token,
            &format!("/webhooks/{}/test", webhook["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "SUCCESS");
    assert_eq!(body["response"]["code"], 200);
    let delivery = receiver.next().await;
    assert_eq!(delivery.event_names(), vec!["enode:webhook:test"]);
    assert!(signature_valid(&delivery));
}

#[tokio::test]
async fn test_endpoint_failure() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    let receiver = Receiver::start(1).await;
    let webhook = subscribe(&sandbox, &token, &receiver.url, None).await;

    let body: Value = sandbox
        .api_post(
            &token,
            &format!("/webhooks/{}/test", webhook["id"].as_str().unwrap()),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(body["status"], "FAILURE");
    assert_eq!(body["response"]["code"], 500);
}

#[tokio::test]
async fn test_endpoint_unreachable() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", closed.local_addr().unwrap());
    drop(closed);
    let webhook = subscribe(&sandbox, &token, &url, None).await;

    let body: Value = sandbox
        .api_post(
            &token,
            &format!("/webhooks/{}/test", webhook["id"].as_str().unwrap()),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(body["status"], "FAILURE");
    assert_eq!(body["response"], Value::Null);
}

#[tokio::test]
async fn retries_until_success() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    let mut receiver = Receiver::start(2).await;
    subscribe(&sandbox, &token, &receiver.url, None).await;

    sandbox
        .link(&token, "user-1", "KIA", "solo@sandbox.test")
        .await;
    let first = receiver.next().await;
    let second = receiver.next().await;
    let third = receiver.next().await;

    assert_eq!(first.response_status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(second.response_status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(third.response_status, StatusCode::OK);
    assert_eq!(
        first.header("x-enode-delivery"),
        third.header("x-enode-delivery")
    );
    assert_eq!(first.body, third.body);
    assert!(second.received_at - first.received_at >= Duration::from_millis(50));
    assert!(third.received_at - second.received_at >= Duration::from_millis(100));
    assert!(
        receiver
            .maybe_next(Duration::from_millis(300))
            .await
            .is_none()
    );

    let attempts: Vec<(Value, Value)> = eventually(|| async {
        let records = deliveries(&sandbox).await;
        (records.len() == 3).then(|| {
            records
                .iter()
                .map(|record| (record["attempt"].clone(), record["statusCode"].clone()))
                .collect()
        })
    })
    .await
    .expect("three recorded attempts");
    assert_eq!(
        attempts,
        vec![
            (json!(1), json!(500)),
            (json!(2), json!(500)),
            (json!(3), json!(200))
        ]
    );
}

#[tokio::test]
async fn gives_up_and_deactivates() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    let mut receiver = Receiver::start(usize::MAX).await;
    subscribe(&sandbox, &token, &receiver.url, None).await;

    sandbox
        .link(&token, "user-1", "KIA", "solo@sandbox.test")
        .await;
    for _ in 0..3 {
        receiver.next().await;
    }

    let inactive = eventually(|| async {
        let listed: Value = sandbox
            .api_get(&token, "/webhooks")
            .await
            .json()
            .await
            .unwrap();
        (listed["data"][0]["isActive"] == false).then_some(())
    })
    .await;
    assert!(inactive.is_some());
    assert!(
        receiver
            .maybe_next(Duration::from_millis(300))
            .await
            .is_none()
    );
    sandbox
        .control(Method::POST, "/users/user-1/vendors/KIA/invalidate", None)
        .await;
    assert!(
        receiver
            .maybe_next(Duration::from_millis(300))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn simulated_updates_sent() {
    let sandbox = TestSandbox::start_with(|config| {
        config.simulated_update_interval = Some(Duration::from_millis(100))
    })
    .await;
    let token = sandbox.token().await;
    sandbox
        .link(&token, "user-1", "TESLA", "fleet@sandbox.test")
        .await;
    let mut receiver = Receiver::start(0).await;
    subscribe(
        &sandbox,
        &token,
        &receiver.url,
        Some(json!(["user:vehicle:updated"])),
    )
    .await;

    let delivery = receiver.next().await;

    let event = &delivery.events()[0];
    assert_eq!(event["event"], "user:vehicle:updated");
    assert!(
        event["updatedFields"]
            .as_array()
            .is_some_and(|fields| !fields.is_empty())
    );
    assert!(signature_valid(&delivery));
}
