//! The shared access token: reuse, single-flight fetch, expiry and 401 handling.

use std::time::Duration;

use enode::Error;
use futures::future::join_all;
use secrecy::SecretString;

use crate::support::{TestSandbox, start_sandbox, start_sandbox_with};

/// Links a user with a separate client and clears the counters, so a test counts only the
/// calls of its own client.
async fn linked_user(sandbox: &TestSandbox, user_id: &str) {
    sandbox
        .link_user(&sandbox.client(), user_id, "solo@sandbox.test", "XPENG")
        .await;
    sandbox.reset_counters().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_token() {
    let sandbox = start_sandbox().await;
    linked_user(&sandbox, "user-concurrent").await;
    let client = sandbox.client();

    let calls = (0..50).map(|_| client.get_user("user-concurrent"));
    let results = join_all(calls).await;

    let failures = results.iter().filter(|result| result.is_err()).count();
    assert_eq!(failures, 0, "failed calls: {results:?}");
    assert_eq!(sandbox.counter("oauth_token").await, 1);
    assert_eq!(sandbox.counter("get_user").await, 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawned_calls_share_one_token() {
    let sandbox = start_sandbox().await;
    linked_user(&sandbox, "user-spawned").await;
    let client = sandbox.client();

    let tasks = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_user("user-spawned").await })
    });
    let results = join_all(tasks).await;

    let failures = results
        .iter()
        .filter(|result| !matches!(result, Ok(Ok(_))))
        .count();
    assert_eq!(failures, 0);
    assert_eq!(sandbox.counter("oauth_token").await, 1);
}

#[tokio::test]
async fn sequential_calls_reuse_token() {
    let sandbox = start_sandbox().await;
    linked_user(&sandbox, "user-sequential").await;
    let client = sandbox.client();

    for _ in 0..5 {
        client
            .get_user("user-sequential")
            .await
            .expect("the user is found");
    }

    assert_eq!(sandbox.counter("oauth_token").await, 1);
}

#[tokio::test]
async fn token_renewed_after_expiry() {
    let sandbox = start_sandbox_with(|config| config.token_lifetime = Duration::from_secs(1)).await;
    linked_user(&sandbox, "user-expiry").await;
    let client = sandbox.client_with(|config| config.token_refresh_margin = Duration::ZERO);

    client
        .get_user("user-expiry")
        .await
        .expect("the first call succeeds");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client
        .get_user("user-expiry")
        .await
        .expect("the second call succeeds");

    assert_eq!(sandbox.counter("oauth_token").await, 2);
    // Two calls and no 401 retry: the client renewed the token before using it.
    assert_eq!(sandbox.counter("get_user").await, 2);
}

#[tokio::test]
async fn token_renewed_within_margin() {
    let sandbox = start_sandbox_with(|config| config.token_lifetime = Duration::from_secs(3)).await;
    linked_user(&sandbox, "user-margin").await;
    let client = sandbox.client_with(|config| config.token_refresh_margin = Duration::from_secs(2));

    client
        .get_user("user-margin")
        .await
        .expect("the first call succeeds");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client
        .get_user("user-margin")
        .await
        .expect("the second call succeeds");

    assert_eq!(sandbox.counter("oauth_token").await, 2);
}

#[tokio::test]
async fn revoked_token_replaced_once() {
    let sandbox = start_sandbox().await;
    linked_user(&sandbox, "user-revoked").await;
    let client = sandbox.client();
    client
        .get_user("user-revoked")
        .await
        .expect("the first call succeeds");

    sandbox.revoke_tokens().await;
    let result = client.get_user("user-revoked").await;

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(sandbox.counter("oauth_token").await, 2);
    // The first call, the rejected call and its one retry.
    assert_eq!(sandbox.counter("get_user").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_token_replaced_once_concurrently() {
    let sandbox = start_sandbox().await;
    linked_user(&sandbox, "user-revoked-many").await;
    let client = sandbox.client();
    client
        .get_user("user-revoked-many")
        .await
        .expect("the first call succeeds");

    sandbox.revoke_tokens().await;
    let results = join_all((0..50).map(|_| client.get_user("user-revoked-many"))).await;

    let failures = results.iter().filter(|result| result.is_err()).count();
    assert_eq!(failures, 0, "failed calls: {results:?}");
    assert_eq!(sandbox.counter("oauth_token").await, 2);
}

#[tokio::test]
async fn wrong_secret_is_unauthorized() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client_with(|config| {
        config.client_secret = SecretString::from("not-the-sandbox-secret");
    });

    let result = client.get_user("anyone").await;

    assert!(
        matches!(result, Err(Error::Unauthorized { .. })),
        "{result:?}"
    );
    // A rejected credential is not retried, and no API call is made without a token.
    assert_eq!(sandbox.counter("oauth_token").await, 1);
    assert_eq!(sandbox.counter("get_user").await, 0);
}

#[tokio::test]
async fn wrong_secret_keeps_oauth_error() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client_with(|config| config.client_id = "someone-else".to_owned());

    let result = client.get_user("anyone").await;

    let title = match result {
        Err(Error::Unauthorized { title, .. }) => title,
        other => panic!("expected Unauthorized, got {other:?}"),
    };
    assert_eq!(title, "invalid_client");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_token_fetch_shared_by_waiters() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client_with(|config| {
        config.client_secret = SecretString::from("not-the-sandbox-secret");
    });

    let results = join_all((0..20).map(|_| client.get_user("anyone"))).await;

    let unauthorized = results
        .iter()
        .filter(|result| matches!(result, Err(Error::Unauthorized { .. })))
        .count();
    assert_eq!(unauthorized, 20, "{results:?}");
    assert_eq!(sandbox.counter("oauth_token").await, 1);
}
