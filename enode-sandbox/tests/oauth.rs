mod common;

use std::time::Duration;

use common::{CLIENT_ID, TestSandbox, content_type};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn token_good_credentials() {
    let sandbox = TestSandbox::start().await;

    let response = sandbox.request_token().await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "");
    assert!(
        body["access_token"]
            .as_str()
            .is_some_and(|token| token.len() >= 32)
    );
}

#[tokio::test]
async fn token_is_accepted_by_api() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let response = sandbox.api_get(&token, "/webhooks").await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn token_wrong_secret() {
    let sandbox = TestSandbox::start().await;

    let response = sandbox
        .http
        .post(sandbox.url("/oauth2/token"))
        .basic_auth(CLIENT_ID, Some("not-the-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
}

#[tokio::test]
async fn token_wrong_client_id() {
    let sandbox = TestSandbox::start().await;

    let response = sandbox
        .http
        .post(sandbox.url("/oauth2/token"))
        .basic_auth("someone-else", Some(common::CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn token_missing_credentials() {
    let sandbox = TestSandbox::start().await;

    let response = sandbox
        .http
        .post(sandbox.url("/oauth2/token"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
}

#[tokio::test]
async fn token_wrong_grant_type() {
    let sandbox = TestSandbox::start().await;

    let response = sandbox
        .http
        .post(sandbox.url("/oauth2/token"))
        .basic_auth(CLIENT_ID, Some(common::CLIENT_SECRET))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn token_expires() {
    let sandbox =
        TestSandbox::start_with(|config| config.token_lifetime = Duration::from_secs(1)).await;
    let body: Value = sandbox.request_token().await.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(body["expires_in"], 1);
    assert_eq!(
        sandbox.api_get(token, "/webhooks").await.status(),
        StatusCode::OK
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let response = sandbox.api_get(token, "/webhooks").await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(content_type(&response), "application/problem+json");
}

#[tokio::test]
async fn api_without_token() {
    let sandbox = TestSandbox::start().await;

    let response = sandbox
        .http
        .get(sandbox.url("/api/webhooks"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(content_type(&response), "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("Authorization"));
}

#[tokio::test]
async fn api_unknown_token() {
    let sandbox = TestSandbox::start().await;

    let response = sandbox.api_get("made-up-token", "/webhooks").await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn api_bad_version_header() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let response = sandbox
        .http
        .get(sandbox.url("/api/webhooks"))
        .bearer_auth(&token)
        .header("Enode-Version", "latest")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("Enode-Version"));
}

#[tokio::test]
async fn api_unknown_path() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let response = sandbox.api_get(&token, "/chargers").await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(content_type(&response), "application/problem+json");
}
