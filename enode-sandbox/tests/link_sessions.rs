mod common;

use common::{TestSandbox, content_type, link_body};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Posts `body` as a link session request and checks the 400 problem names `field`.
async fn assert_rejected(body: Value, field: &str) {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let response = sandbox.api_post(&token, "/users/user-1/link", &body).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(content_type(&response), "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["title"], "Bad Request");
    assert!(
        problem["type"]
            .as_str()
            .is_some_and(|kind| kind.ends_with("/bad-request"))
    );
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(field),
        "detail {detail:?} should name {field}"
    );
}

fn without(field: &str) -> Value {
    let mut body = link_body();
    body.as_object_mut().unwrap().remove(field);
    body
}

fn with(field: &str, value: Value) -> Value {
    let mut body = link_body();
    body[field] = value;
    body
}

#[tokio::test]
async fn session_created() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let response = sandbox
        .api_post(&token, "/users/user-1/link", &link_body())
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let link_token = body["linkToken"].as_str().unwrap();
    assert_eq!(
        body["linkUrl"],
        format!("{}/link/{link_token}", sandbox.base)
    );
}

#[tokio::test]
async fn session_tokens_differ() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let first = sandbox.create_session(&token, "user-1", None).await;
    let second = sandbox.create_session(&token, "user-1", None).await;

    assert_ne!(first["linkToken"], second["linkToken"]);
}

#[tokio::test]
async fn session_creates_user() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    sandbox
        .create_session(&token, "new-user", Some("XPENG"))
        .await;

    let response = sandbox.api_get(&token, "/users/new-user").await;

    assert_eq!(response.status(), StatusCode::OK);
    let user: Value = response.json().await.unwrap();
    assert_eq!(user, json!({ "id": "new-user", "linkedVendors": [] }));
}

#[tokio::test]
async fn missing_scopes() {
    assert_rejected(without("scopes"), "scopes").await;
}

#[tokio::test]
async fn empty_scopes() {
    assert_rejected(with("scopes", json!([])), "scopes").await;
}

#[tokio::test]
async fn unknown_scope() {
    assert_rejected(with("scopes", json!(["vehicle:fly"])), "scopes").await;
}

#[tokio::test]
async fn missing_language() {
    assert_rejected(without("language"), "language").await;
}

#[tokio::test]
async fn invalid_language() {
    assert_rejected(with("language", json!("english please")), "language").await;
}

#[tokio::test]
async fn missing_redirect_uri() {
    assert_rejected(without("redirectUri"), "redirectUri").await;
}

#[tokio::test]
async fn relative_redirect_uri() {
    assert_rejected(with("redirectUri", json!("/link/callback")), "redirectUri").await;
}

#[tokio::test]
async fn unknown_vendor() {
    assert_rejected(with("vendor", json!("DELOREAN")), "vendor").await;
}

#[tokio::test]
async fn lowercase_vendor() {
    assert_rejected(with("vendor", json!("tesla")), "vendor").await;
}

#[tokio::test]
async fn unknown_vendor_type() {
    assert_rejected(with("vendorType", json!("toaster")), "vendorType").await;
}

#[tokio::test]
async fn invalid_color_scheme() {
    assert_rejected(with("colorScheme", json!("neon")), "colorScheme").await;
}

#[tokio::test]
async fn body_not_json() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let response = sandbox
        .http
        .post(sandbox.url("/api/users/user-1/link"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(content_type(&response), "application/problem+json");
}

#[tokio::test]
async fn body_not_object() {
    assert_rejected(json!(["scopes"]), "JSON object").await;
}
