//! Helpers shared by the integration tests: a sandbox served over real HTTP on port 0, a
//! form-driving browser stand-in and a webhook receiver.
#![allow(dead_code)]

pub mod browser;
pub mod receiver;

use std::future::Future;
use std::time::Duration;

use enode_sandbox::{Sandbox, SandboxConfig};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::Url;

pub const CLIENT_ID: &str = "carlink-sandbox";
pub const CLIENT_SECRET: &str = "carlink-sandbox-secret";
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/link/callback?state=opaque-state";

/// A sandbox served on 127.0.0.1 with an OS-chosen port, stopped on drop.
pub struct TestSandbox {
    pub sandbox: Sandbox,
    /// The base URL, without a trailing slash.
    pub base: String,
    /// A client that follows no redirects and uses no proxy.
    pub http: reqwest::Client,
    server: JoinHandle<()>,
}

impl Drop for TestSandbox {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Builds the HTTP client tests use: no redirects, so each 303 can be checked, and no proxy.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client")
}

impl TestSandbox {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts a sandbox after `configure` adjusted the default configuration.
    pub async fn start_with(configure: impl FnOnce(&mut SandboxConfig)) -> Self {
        Self::start_at("", configure).await
    }

    /// Starts a sandbox mounted under `prefix` (such as `/sandbox`), as carlink's server does.
    pub async fn start_at(prefix: &str, configure: impl FnOnce(&mut SandboxConfig)) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = listener.local_addr().expect("the bound address");
        let base = format!("http://{addr}{prefix}");
        let mut config = SandboxConfig::new(Url::parse(&base).expect("a base URL"));
        config.webhook_retry_intervals =
            vec![Duration::from_millis(50), Duration::from_millis(100)];
        configure(&mut config);

        let sandbox = Sandbox::new(config);
        let router = if prefix.is_empty() {
            sandbox.router()
        } else {
            axum::Router::new().nest(prefix, sandbox.router())
        };
        let server = tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("the sandbox server");
        });
        Self {
            sandbox,
            base,
            http: http_client(),
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn request_token(&self) -> Response {
        self.http
            .post(self.url("/oauth2/token"))
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("a token response")
    }

    pub async fn token(&self) -> String {
        let body: Value = self
            .request_token()
            .await
            .json()
            .await
            .expect("a token body");
        body["access_token"]
            .as_str()
            .expect("an access token")
            .to_owned()
    }

    pub async fn api_get(&self, token: &str, path: &str) -> Response {
        self.http
            .get(self.url(&format!("/api{path}")))
            .bearer_auth(token)
            .header("Enode-Version", "2024-10-01")
            .send()
            .await
            .expect("an API response")
    }

    pub async fn api_post(&self, token: &str, path: &str, body: &Value) -> Response {
        self.http
            .post(self.url(&format!("/api{path}")))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("an API response")
    }

    pub async fn api_delete(&self, token: &str, path: &str) -> Response {
        self.http
            .delete(self.url(&format!("/api{path}")))
            .bearer_auth(token)
            .send()
            .await
            .expect("an API response")
    }

    pub async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Response {
        let mut request = self
            .http
            .request(method, self.url(&format!("/_control{path}")));
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("a control response")
    }

    pub async fn control_post(&self, path: &str, body: Value) -> Response {
        self.control(reqwest::Method::POST, path, Some(body)).await
    }

    /// Creates a link session and returns its JSON response body.
    pub async fn create_session(&self, token: &str, user_id: &str, vendor: Option<&str>) -> Value {
        let mut body = link_body();
        if let Some(vendor) = vendor {
            body["vendor"] = json!(vendor);
        }
        let response = self
            .api_post(token, &format!("/users/{user_id}/link"), &body)
            .await;
        assert_eq!(response.status(), StatusCode::OK, "creating a link session");
        response.json().await.expect("a link session")
    }

    /// Links `vendor` for the user with the sandbox account `email`, through the control API.
    pub async fn link(&self, token: &str, user_id: &str, vendor: &str, email: &str) {
        let session = self.create_session(token, user_id, Some(vendor)).await;
        let link_token = session["linkToken"].as_str().expect("a link token");
        let response = self
            .control_post(
                &format!("/link-sessions/{link_token}/complete"),
                json!({ "email": email, "outcome": "allow" }),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "completing a link session"
        );
    }

    /// Returns every vehicle of the user in one page.
    pub async fn vehicles(&self, token: &str, user_id: &str) -> Vec<Value> {
        let response = self
            .api_get(token, &format!("/users/{user_id}/vehicles?pageSize=100"))
            .await;
        let body: Value = response.json().await.expect("a vehicle list");
        body["data"].as_array().cloned().unwrap_or_default()
    }

    pub async fn counters(&self) -> Value {
        self.control(reqwest::Method::GET, "/counters", None)
            .await
            .json()
            .await
            .expect("counters")
    }
}

/// Returns a valid link session request body with no vendor.
pub fn link_body() -> Value {
    json!({
        "vendorType": "vehicle",
        "scopes": ["vehicle:read:data", "vehicle:read:location", "vehicle:control:charging"],
        "language": "en-US",
        "redirectUri": REDIRECT_URI,
    })
}

pub fn content_type(response: &Response) -> String {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Polls `check` every 20 ms until it returns `Some`, for at most 5 seconds.
pub async fn eventually<T, F, Fut>(mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while tokio::time::Instant::now() < deadline {
        if let Some(value) = check().await {
            return Some(value);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}
