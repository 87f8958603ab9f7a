//! A sandbox served over HTTP on 127.0.0.1:0, and helpers for its control endpoints.

use std::collections::HashMap;
use std::time::Duration;

use enode::{Client, Config, LinkSessionRequest, RetryPolicy, Scope, Urls, Vendor};
use enode_sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::Url;

pub const CLIENT_ID: &str = "carlink-sandbox";
pub const CLIENT_SECRET: &str = "carlink-sandbox-secret";

/// Returns a URL on 127.0.0.1 port 1, where nothing listens, so connecting fails at once.
/// Tests bind only ephemeral ports, so no other test can start listening there.
pub fn unreachable_url() -> Url {
    Url::parse("http://127.0.0.1:1/hook").expect("valid URL")
}

/// A sandbox mounted under `/sandbox`, so the client's URL joining must keep a base path.
pub struct TestSandbox {
    pub sandbox: Sandbox,
    pub base_url: Url,
    control: reqwest::Client,
    server: JoinHandle<()>,
}

impl Drop for TestSandbox {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Starts a sandbox with the default configuration.
pub async fn start_sandbox() -> TestSandbox {
    start_sandbox_with(|_| {}).await
}

/// Starts a sandbox after `configure` adjusted its configuration.
pub async fn start_sandbox_with(configure: impl FnOnce(&mut SandboxConfig)) -> TestSandbox {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let address = listener.local_addr().expect("a bound address");
    let base_url = Url::parse(&format!("http://{address}/sandbox")).expect("valid URL");

    let mut config = SandboxConfig::new(base_url.clone());
    configure(&mut config);
    let sandbox = Sandbox::new(config);
    let app = axum::Router::new().nest("/sandbox", sandbox.router());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    TestSandbox {
        sandbox,
        base_url,
        control: reqwest::Client::new(),
        server,
    }
}

impl TestSandbox {
    pub fn urls(&self) -> Urls {
        Urls {
            api: self.sandbox.api_url(),
            token: self.sandbox.token_url(),
            link_ui: self.sandbox.link_ui_url(),
        }
    }

    /// Builds a configuration with the sandbox's credentials and short retry delays.
    pub fn config(&self) -> Config {
        let mut config = Config::new(self.urls(), CLIENT_ID, SecretString::from(CLIENT_SECRET));
        config.request_timeout = Duration::from_secs(5);
        config.retry = RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(5),
        };
        config
    }

    pub fn client(&self) -> Client {
        Client::new(self.config()).expect("a valid client configuration")
    }

    pub fn client_with(&self, configure: impl FnOnce(&mut Config)) -> Client {
        let mut config = self.config();
        configure(&mut config);
        Client::new(config).expect("a valid client configuration")
    }

    fn control_url(&self, path: &str) -> String {
        format!("{}/_control{path}", self.base_url)
    }

    /// Sends a control request and returns its JSON body, or `Null` for an empty body.
    pub async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.control.request(method, self.control_url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the control request is sent");
        let status = response.status();
        let text = response.text().await.expect("the control body is read");
        assert!(
            status.is_success(),
            "control {path} responded {status}: {text}"
        );
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("the control body is JSON")
        }
    }

    pub async fn post_control(&self, path: &str, body: Value) -> Value {
        self.control(reqwest::Method::POST, path, Some(body)).await
    }

    /// Returns the calls the sandbox received per route key.
    pub async fn counters(&self) -> HashMap<String, u64> {
        let counters = self.control(reqwest::Method::GET, "/counters", None).await;
        serde_json::from_value(counters).expect("counters are a map of numbers")
    }

    pub async fn counter(&self, route: &str) -> u64 {
        self.counters().await.get(route).copied().unwrap_or(0)
    }

    pub async fn reset_counters(&self) {
        self.control(reqwest::Method::POST, "/counters/reset", None)
            .await;
    }

    /// Makes the next `count` calls of `route` fail with `status`, with `Retry-After` when
    /// given.
    pub async fn fail(
        &self,
        route: &str,
        status: u16,
        count: u32,
        retry_after_seconds: Option<u64>,
    ) {
        let mut fault = json!({"route": route, "status": status, "count": count});
        if let Some(seconds) = retry_after_seconds {
            fault["retryAfterSeconds"] = json!(seconds);
        }
        self.post_control("/faults", fault).await;
    }

    /// Makes the next `count` calls of `route` respond normally after `delay`.
    pub async fn delay(&self, route: &str, delay: Duration, count: u32) {
        let delay_ms = u64::try_from(delay.as_millis()).expect("a short delay");
        self.post_control(
            "/faults",
            json!({"route": route, "delayMs": delay_ms, "count": count}),
        )
        .await;
    }

    pub async fn revoke_tokens(&self) {
        self.control(reqwest::Method::POST, "/tokens/revoke", None)
            .await;
    }

    /// Links `vendor` for `user_id` with the sandbox account `email`, as Link UI would.
    pub async fn link_user(&self, client: &Client, user_id: &str, email: &str, vendor: &str) {
        let mut request = LinkSessionRequest::vehicle(
            vec![Scope::VehicleReadData, Scope::VehicleReadLocation],
            "en-US",
            Url::parse("http://127.0.0.1/link/callback?state=test").expect("valid URL"),
        );
        request.vendor = Some(vendor.parse::<Vendor>().expect("a valid vendor"));
        let session = client
            .create_link_session(user_id, &request)
            .await
            .expect("the link session is created");

        let path = format!("/link-sessions/{}/complete", session.link_token);
        self.post_control(&path, json!({"email": email, "outcome": "allow"}))
            .await;
    }

    /// Adds a vehicle of `vendor` to a linked user and returns its id.
    pub async fn add_vehicle(&self, user_id: &str, vendor: &str) -> String {
        let path = format!("/users/{user_id}/vehicles");
        let vehicle = self.post_control(&path, json!({"vendor": vendor})).await;
        vehicle["id"]
            .as_str()
            .expect("the new vehicle has an id")
            .to_owned()
    }
}
