//! Retries of 429, 5xx, timeouts and connection failures, and the typed errors after them.

use std::time::{Duration, Instant};

use enode::{Client, CreateWebhook, Error, RetryPolicy};
use reqwest::StatusCode;
use secrecy::SecretString;

use crate::support::{TestSandbox, start_sandbox, unreachable_url};

async fn sandbox_with_user(user_id: &str) -> TestSandbox {
    let sandbox = start_sandbox().await;
    sandbox
        .link_user(&sandbox.client(), user_id, "solo@sandbox.test", "TESLA")
        .await;
    sandbox.reset_counters().await;
    sandbox
}

fn quick_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn rate_limit_retried_after_delay() {
    let sandbox = sandbox_with_user("user-429").await;
    let client = sandbox.client();
    sandbox.fail("get_user", 429, 1, Some(1)).await;

    let started = Instant::now();
    let result = client.get_user("user-429").await;

    assert!(result.is_ok(), "{result:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was not honoured"
    );
    assert_eq!(sandbox.counter("get_user").await, 2);
}

#[tokio::test]
async fn server_error_retried() {
    let sandbox = sandbox_with_user("user-503").await;
    let client = sandbox.client();
    sandbox.fail("get_user", 503, 2, None).await;

    let result = client.get_user("user-503").await;

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(sandbox.counter("get_user").await, 3);
}

#[tokio::test]
async fn server_error_with_retry_after_retried() {
    let sandbox = sandbox_with_user("user-503-retry-after").await;
    let client = sandbox.client();
    sandbox.fail("get_user", 503, 1, Some(1)).await;

    let started = Instant::now();
    let result = client.get_user("user-503-retry-after").await;

    assert!(result.is_ok(), "{result:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was not honoured"
    );
}

#[tokio::test]
async fn server_error_gives_up() {
    let sandbox = sandbox_with_user("user-500").await;
    let client = sandbox.client_with(|config| config.retry = quick_retries(2));
    sandbox.fail("get_user", 500, 10, None).await;

    let result = client.get_user("user-500").await;

    assert!(
        matches!(result, Err(Error::Server { status }) if status == StatusCode::INTERNAL_SERVER_ERROR),
        "{result:?}"
    );
    assert_eq!(sandbox.counter("get_user").await, 3);
}

#[tokio::test]
async fn rate_limit_gives_up() {
    let sandbox = sandbox_with_user("user-429-many").await;
    let client = sandbox.client_with(|config| config.retry = quick_retries(2));
    sandbox.fail("get_user", 429, 10, Some(0)).await;

    let result = client.get_user("user-429-many").await;

    assert!(
        matches!(result, Err(Error::RateLimited { .. })),
        "{result:?}"
    );
    assert_eq!(sandbox.counter("get_user").await, 3);
}

#[tokio::test]
async fn long_retry_after_not_awaited() {
    let sandbox = sandbox_with_user("user-429-long").await;
    let client = sandbox.client();
    sandbox.fail("get_user", 429, 1, Some(120)).await;

    let result = client.get_user("user-429-long").await;

    assert!(
        matches!(result, Err(Error::RateLimited { retry_after: Some(delay) }) if delay == Duration::from_secs(120)),
        "{result:?}"
    );
    assert_eq!(sandbox.counter("get_user").await, 1);
}

#[tokio::test]
async fn retries_disabled_by_policy() {
    let sandbox = sandbox_with_user("user-no-retry").await;
    let client = sandbox.client_with(|config| config.retry = RetryPolicy::none());
    sandbox.fail("get_user", 502, 1, None).await;

    let result = client.get_user("user-no-retry").await;

    assert!(matches!(result, Err(Error::Server { .. })), "{result:?}");
    assert_eq!(sandbox.counter("get_user").await, 1);
}

#[tokio::test]
async fn token_request_retried() {
    let sandbox = sandbox_with_user("user-token-503").await;
    let client = sandbox.client();
    sandbox.fail("oauth_token", 503, 1, None).await;

    let result = client.get_user("user-token-503").await;

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(sandbox.counter("oauth_token").await, 2);
}

#[tokio::test]
async fn every_route_fault_retried() {
    let sandbox = sandbox_with_user("user-star").await;
    let client = sandbox.client();
    sandbox.fail("*", 503, 1, None).await;

    let result = client.get_user("user-star").await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn create_webhook_not_repeated_after_server_error() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();
    sandbox.fail("create_webhook", 503, 1, None).await;
    let request = CreateWebhook::new(
        unreachable_url(),
        SecretString::from("a-webhook-secret-of-32-characters"),
    );

    let result = client.create_webhook(&request).await;

    assert!(matches!(result, Err(Error::Server { .. })), "{result:?}");
    assert_eq!(sandbox.counter("create_webhook").await, 1);
}

#[tokio::test]
async fn create_webhook_retried_after_rate_limit() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();
    sandbox.fail("create_webhook", 429, 1, Some(0)).await;
    let request = CreateWebhook::new(
        unreachable_url(),
        SecretString::from("a-webhook-secret-of-32-characters"),
    );

    let result = client.create_webhook(&request).await;

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(sandbox.counter("create_webhook").await, 2);
}

#[tokio::test]
async fn slow_response_times_out() {
    let sandbox = sandbox_with_user("user-slow").await;
    let client = sandbox.client_with(|config| {
        config.request_timeout = Duration::from_millis(300);
        config.retry = RetryPolicy::none();
    });
    client
        .get_user("user-slow")
        .await
        .expect("the token is fetched");
    sandbox
        .delay("get_user", Duration::from_millis(1500), 1)
        .await;

    let started = Instant::now();
    let result = client.get_user("user-slow").await;

    assert!(matches!(result, Err(Error::TimedOut)), "{result:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "the timeout was not applied"
    );
}

#[tokio::test]
async fn slow_response_retried() {
    let sandbox = sandbox_with_user("user-slow-once").await;
    let client = sandbox.client_with(|config| {
        config.request_timeout = Duration::from_millis(300);
        config.retry = quick_retries(2);
    });
    sandbox
        .delay("get_user", Duration::from_millis(1500), 1)
        .await;

    let result = client.get_user("user-slow-once").await;

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(sandbox.counter("get_user").await, 2);
}

#[tokio::test]
async fn slow_token_request_times_out() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client_with(|config| {
        config.request_timeout = Duration::from_millis(300);
        config.retry = RetryPolicy::none();
    });
    sandbox
        .delay("oauth_token", Duration::from_millis(1500), 1)
        .await;

    let result = client.get_user("anyone").await;

    assert!(matches!(result, Err(Error::TimedOut)), "{result:?}");
}

#[tokio::test]
async fn closed_port_is_unreachable() {
    let sandbox = start_sandbox().await;
    let mut config = sandbox.config();
    config.urls.token = unreachable_url();
    config.retry = quick_retries(1);
    let client = Client::new(config).expect("a valid configuration");

    let result = client.get_user("anyone").await;

    assert!(
        matches!(result, Err(Error::Unreachable { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn transient_errors_flagged() {
    let sandbox = sandbox_with_user("user-transient").await;
    let client = sandbox.client_with(|config| config.retry = RetryPolicy::none());
    sandbox.fail("get_user", 503, 1, None).await;

    let result = client.get_user("user-transient").await;

    assert_eq!(
        result.map_err(|error| error.is_transient()).err(),
        Some(true)
    );
}
