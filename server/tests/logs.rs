//! Secrets never reach the logs: passwords, session cookies, link states and tokens, and Enode
//! credentials, across sign-up, sign-in and a whole link flow.

mod common;

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use common::{TestServer, complete_link};
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl CapturedLogs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for CapturedLogs {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn secrets_stay_out_of_logs() {
    // Capture everything the server side logs, at every level. The test's own HTTP client
    // (reqwest and its cookie store) is left out because it is not part of carlink.
    let logs = CapturedLogs::default();
    tracing_subscriber::fmt()
        .with_env_filter("trace,hyper=info,hyper_util=info,h2=info,sqlx=info,tower=info,rustls=info,reqwest=off,cookie_store=off")
        .with_writer(logs.clone())
        .with_ansi(false)
        .init();

    let server = TestServer::start().await;
    let password = "hunter2-very-secret";
    let client = server.client();
    let response = client
        .post(server.url("/api/signup"))
        .json(&json!({ "username": "logged", "password": password }))
        .send()
        .await
        .unwrap();
    let session_cookie = response
        .cookies()
        .next()
        .expect("session cookie")
        .value()
        .to_owned();
    client
        .post(server.url("/api/login"))
        .json(&json!({ "username": "logged", "password": password }))
        .send()
        .await
        .unwrap();

    let (_, link_token) = server.start_link(&client, "logged", "XPENG").await;
    let redirect = complete_link(
        &server.sandbox_url(""),
        &link_token,
        "duo@sandbox.test",
        "allow",
    )
    .await;
    let state = redirect
        .query_pairs()
        .find(|(name, _)| name == "state")
        .unwrap()
        .1
        .into_owned();
    let (status, _) = server.confirm(&client, &link_token).await;
    assert!(status.is_success());

    let text = logs.text();
    assert!(
        text.contains("link confirmed"),
        "the capture works: {} bytes",
        text.len()
    );
    assert!(
        text.contains("/api/user/{user_id}/link"),
        "requests are logged by route"
    );
    assert!(!text.contains(password), "password in logs");
    let leaks: Vec<&str> = text
        .lines()
        .filter(|line| line.contains(&session_cookie))
        .collect();
    assert!(leaks.is_empty(), "session cookie in logs: {leaks:#?}");
    assert!(!text.contains(&state), "link state in logs");
    let leaks: Vec<&str> = text
        .lines()
        .filter(|line| line.contains(&link_token))
        .collect();
    assert!(leaks.is_empty(), "link token in logs: {leaks:#?}");
    assert!(
        !text.contains("carlink-sandbox-secret"),
        "Enode client secret in logs"
    );
    assert!(
        !text.to_lowercase().contains("bearer "),
        "access token in logs"
    );
}
