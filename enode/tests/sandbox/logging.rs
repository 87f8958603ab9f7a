//! What the client writes to `tracing`: spans and retry warnings, never secrets or tokens.

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, filter_fn};
use tracing_subscriber::layer::SubscriberExt;

use crate::support::{CLIENT_ID, CLIENT_SECRET, start_sandbox};

/// A log sink the test can read back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        let bytes = self.0.lock().map(|bytes| bytes.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// Runs a linked-user flow with a 503 and a revoked token, and returns this crate's log
/// output at trace level. The test runtime has one thread, so the thread-local subscriber
/// receives every event the client emits.
async fn captured_flow() -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .with_filter(LevelFilter::TRACE)
            .with_filter(filter_fn(|metadata| {
                metadata.target() == "enode" || metadata.target().starts_with("enode::")
            })),
    );
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = start_sandbox().await;
    let client = sandbox.client();
    sandbox
        .link_user(&client, "user-logs", "solo@sandbox.test", "XPENG")
        .await;
    sandbox.fail("get_user", 503, 1, None).await;
    client
        .get_user("user-logs")
        .await
        .expect("the call succeeds after a retry");
    sandbox.revoke_tokens().await;
    client
        .get_user("user-logs")
        .await
        .expect("the call succeeds after a new token");

    captured.text()
}

#[tokio::test]
async fn logs_omit_client_secret() {
    let logs = captured_flow().await;

    assert!(!logs.is_empty(), "nothing was logged");
    assert!(
        !logs.contains(CLIENT_SECRET),
        "the client secret was logged"
    );
}

#[tokio::test]
async fn logs_omit_basic_credentials() {
    let logs = captured_flow().await;
    let basic = STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));

    assert!(!logs.contains(&basic), "the Basic credentials were logged");
}

#[tokio::test]
async fn logs_omit_bearer_token() {
    let logs = captured_flow().await;

    assert!(
        !logs.to_lowercase().contains("bearer"),
        "an Authorization header was logged"
    );
    assert!(
        !logs.contains("access_token"),
        "a token response was logged"
    );
}

#[tokio::test]
async fn logs_name_route_template() {
    let logs = captured_flow().await;

    assert!(logs.contains(r#"route="/users/{userId}""#), "{logs}");
}

#[tokio::test]
async fn logs_warn_on_retry() {
    let logs = captured_flow().await;

    let retry_line = logs
        .lines()
        .find(|line| line.contains("retrying Enode call"));
    let retry_line = retry_line.unwrap_or_else(|| panic!("no retry warning in:\n{logs}"));
    assert!(retry_line.contains("WARN"), "{retry_line}");
    assert!(retry_line.contains("attempt=1"), "{retry_line}");
    assert!(retry_line.contains("delay_ms="), "{retry_line}");
}
