mod common;

use std::time::{Duration, Instant};

use common::{TestSandbox, content_type};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn add_fault(sandbox: &TestSandbox, fault: Value) {
    let response = sandbox.control_post("/faults", fault).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT, "adding a fault");
}

/// Starts a sandbox where `user-1` linked TESLA with the duo account (2 vehicles).
async fn duo_sandbox() -> (TestSandbox, String) {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    sandbox
        .link(&token, "user-1", "TESLA", "duo@sandbox.test")
        .await;
    (sandbox, token)
}

#[tokio::test]
async fn fault_status_then_normal() {
    let (sandbox, token) = duo_sandbox().await;
    add_fault(
        &sandbox,
        json!({ "route": "get_user", "status": 503, "count": 2 }),
    )
    .await;

    let first = sandbox.api_get(&token, "/users/user-1").await;
    let second = sandbox.api_get(&token, "/users/user-1").await;
    let third = sandbox.api_get(&token, "/users/user-1").await;

    assert_eq!(first.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(content_type(&first), "application/problem+json");
    assert_eq!(second.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(third.status(), StatusCode::OK);
}

#[tokio::test]
async fn fault_only_hits_its_route() {
    let (sandbox, token) = duo_sandbox().await;
    add_fault(&sandbox, json!({ "route": "list_vehicles", "status": 500 })).await;

    let response = sandbox.api_get(&token, "/users/user-1").await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn fault_retry_after() {
    let (sandbox, token) = duo_sandbox().await;
    add_fault(
        &sandbox,
        json!({ "route": "list_vehicles", "status": 429, "retryAfterSeconds": 7 }),
    )
    .await;

    let response = sandbox.api_get(&token, "/users/user-1/vehicles").await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers().get("retry-after").unwrap(), "7");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["title"], "Too Many Requests");
}

#[tokio::test]
async fn fault_delay() {
    let (sandbox, token) = duo_sandbox().await;
    add_fault(&sandbox, json!({ "route": "get_user", "delayMs": 300 })).await;

    let started = Instant::now();
    let response = sandbox.api_get(&token, "/users/user-1").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn fault_star_hits_token() {
    let sandbox = TestSandbox::start().await;
    add_fault(&sandbox, json!({ "route": "*", "status": 502 })).await;

    let response = sandbox.request_token().await;

    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(content_type(&response), "application/problem+json");
}

#[tokio::test]
async fn fault_before_auth() {
    let sandbox = TestSandbox::start().await;
    add_fault(&sandbox, json!({ "route": "list_webhooks", "status": 500 })).await;

    let response = sandbox.api_get("no-token", "/webhooks").await;

    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn faults_cleared() {
    let (sandbox, token) = duo_sandbox().await;
    add_fault(
        &sandbox,
        json!({ "route": "get_user", "status": 500, "count": 5 }),
    )
    .await;

    let response = sandbox.control(Method::DELETE, "/faults", None).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sandbox.api_get(&token, "/users/user-1").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn fault_unknown_route() {
    let sandbox = TestSandbox::start().await;

    let response = sandbox
        .control_post("/faults", json!({ "route": "get_charger", "status": 500 }))
        .await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("get_charger"));
}

#[tokio::test]
async fn fault_needs_status_or_delay() {
    let sandbox = TestSandbox::start().await;

    let response = sandbox
        .control_post("/faults", json!({ "route": "get_user" }))
        .await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn counters_count_calls() {
    let (sandbox, token) = duo_sandbox().await;
    sandbox.control(Method::POST, "/counters/reset", None).await;
    add_fault(&sandbox, json!({ "route": "get_user", "status": 503 })).await;

    sandbox.token().await;
    sandbox.token().await;
    sandbox.api_get(&token, "/users/user-1").await;
    sandbox.api_get(&token, "/users/user-1").await;
    sandbox.api_get("wrong-token", "/users/user-1").await;

    let counters = sandbox.counters().await;
    assert_eq!(counters["oauth_token"], 2);
    assert_eq!(counters["get_user"], 3);
    assert_eq!(counters["list_vehicles"], 0);
}

#[tokio::test]
async fn counters_list_every_route() {
    let sandbox = TestSandbox::start().await;

    let counters = sandbox.counters().await;

    let keys: Vec<&String> = counters.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 11);
}

#[tokio::test]
async fn counters_reset() {
    let sandbox = TestSandbox::start().await;
    sandbox.token().await;

    let response = sandbox.control(Method::POST, "/counters/reset", None).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(sandbox.counters().await["oauth_token"], 0);
}

#[tokio::test]
async fn revoke_tokens() {
    let (sandbox, token) = duo_sandbox().await;

    let response = sandbox.control(Method::POST, "/tokens/revoke", None).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sandbox.api_get(&token, "/users/user-1").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let fresh = sandbox.token().await;
    assert_eq!(
        sandbox.api_get(&fresh, "/users/user-1").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn invalidate_vendor() {
    let (sandbox, token) = duo_sandbox().await;

    let response = sandbox
        .control(Method::POST, "/users/user-1/vendors/TESLA/invalidate", None)
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let user: Value = sandbox
        .api_get(&token, "/users/user-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(user["linkedVendors"][0]["isValid"], false);
}

#[tokio::test]
async fn invalidate_not_linked() {
    let (sandbox, _) = duo_sandbox().await;

    let response = sandbox
        .control(Method::POST, "/users/user-1/vendors/BMW/invalidate", None)
        .await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn add_vehicle() {
    let (sandbox, token) = duo_sandbox().await;

    let response = sandbox
        .control_post("/users/user-1/vehicles", json!({ "vendor": "TESLA" }))
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let vehicle: Value = response.json().await.unwrap();
    assert_eq!(vehicle["information"]["brand"], "Tesla");
    let vehicles = sandbox.vehicles(&token, "user-1").await;
    assert_eq!(vehicles.len(), 3);
    assert_eq!(vehicles[2]["id"], vehicle["id"]);
}

#[tokio::test]
async fn add_vehicle_unlinked_vendor() {
    let (sandbox, _) = duo_sandbox().await;

    let response = sandbox
        .control_post("/users/user-1/vehicles", json!({ "vendor": "BMW" }))
        .await;

    assert_eq!(response.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn remove_vehicle() {
    let (sandbox, token) = duo_sandbox().await;
    let vehicle_id = sandbox.vehicles(&token, "user-1").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let response = sandbox
        .control(Method::DELETE, &format!("/vehicles/{vehicle_id}"), None)
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sandbox
            .api_get(&token, &format!("/vehicles/{vehicle_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(sandbox.vehicles(&token, "user-1").await.len(), 1);
}

#[tokio::test]
async fn patch_vehicle_merges() {
    let (sandbox, token) = duo_sandbox().await;
    let before = sandbox.vehicles(&token, "user-1").await.remove(0);
    let vehicle_id = before["id"].as_str().unwrap();
    sandbox
        .control(
            Method::PATCH,
            &format!("/vehicles/{vehicle_id}"),
            Some(json!({ "chargeState": { "isPluggedIn": false, "batteryLevel": 20 } })),
        )
        .await;

    let response = sandbox
        .control(
            Method::PATCH,
            &format!("/vehicles/{vehicle_id}"),
            Some(json!({ "chargeState": { "batteryLevel": 55, "isCharging": true } })),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let patched: Value = response.json().await.unwrap();
    let charge = &patched["chargeState"];
    assert_eq!(charge["batteryLevel"], 55);
    assert_eq!(charge["isCharging"], true);
    assert_eq!(charge["isPluggedIn"], true);
    assert_eq!(charge["powerDeliveryState"], "PLUGGED_IN:CHARGING");
    assert_eq!(patched["information"], before["information"]);
    assert_ne!(patched["lastSeen"], before["lastSeen"]);
    let fetched: Value = sandbox
        .api_get(&token, &format!("/vehicles/{vehicle_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, patched);
}

#[tokio::test]
async fn patch_vehicle_unknown_field() {
    let (sandbox, token) = duo_sandbox().await;
    let vehicle_id = sandbox.vehicles(&token, "user-1").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let response = sandbox
        .control(
            Method::PATCH,
            &format!("/vehicles/{vehicle_id}"),
            Some(json!({ "chargeState": { "fuel": 1 } })),
        )
        .await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("chargeState.fuel")
    );
}

#[tokio::test]
async fn complete_cancel() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    let session = sandbox.create_session(&token, "user-1", None).await;
    let link_token = session["linkToken"].as_str().unwrap();

    let response = sandbox
        .control_post(
            &format!("/link-sessions/{link_token}/complete"),
            json!({ "outcome": "cancel" }),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let redirect = body["redirectUrl"].as_str().unwrap();
    assert!(redirect.starts_with(&format!(
        "{}&error=access_denied&error_description=",
        common::REDIRECT_URI
    )));
}

#[tokio::test]
async fn complete_with_vendor() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    let session = sandbox.create_session(&token, "user-1", None).await;
    let link_token = session["linkToken"].as_str().unwrap();

    let response = sandbox
        .control_post(
            &format!("/link-sessions/{link_token}/complete"),
            json!({ "email": "solo@sandbox.test", "vendor": "NIO", "outcome": "allow" }),
        )
        .await;

    let body: Value = response.json().await.unwrap();
    assert_eq!(body["redirectUrl"], common::REDIRECT_URI);
    let vehicles = sandbox.vehicles(&token, "user-1").await;
    assert_eq!(vehicles.len(), 1);
    assert_eq!(vehicles[0]["vendor"], "NIO");
}

#[tokio::test]
async fn complete_needs_vendor() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    let session = sandbox.create_session(&token, "user-1", None).await;
    let link_token = session["linkToken"].as_str().unwrap();

    let response = sandbox
        .control_post(
            &format!("/link-sessions/{link_token}/complete"),
            json!({ "email": "solo@sandbox.test" }),
        )
        .await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn complete_twice_gone() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    let session = sandbox.create_session(&token, "user-1", Some("KIA")).await;
    let path = format!(
        "/link-sessions/{}/complete",
        session["linkToken"].as_str().unwrap()
    );
    sandbox
        .control_post(&path, json!({ "email": "solo@sandbox.test" }))
        .await;

    let response = sandbox
        .control_post(&path, json!({ "email": "solo@sandbox.test" }))
        .await;

    assert_eq!(response.status(), StatusCode::GONE);
}

#[tokio::test]
async fn complete_unknown_session() {
    let sandbox = TestSandbox::start().await;

    let response = sandbox
        .control_post(
            "/link-sessions/nothing/complete",
            json!({ "email": "solo@sandbox.test" }),
        )
        .await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
