//! Starts the real server on a free port with a fresh SQLite file and the built-in sandbox.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use reqwest::{Client, Response, StatusCode};
use secrecy::SecretString;
use serde_json::{Value, json};
use server::{
    Application,
    config::{EnodeSettings, Settings},
};
use tokio::{sync::oneshot, task::JoinHandle};
use url::Url;

pub struct TestServer {
    pub url: Url,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    database_path: PathBuf,
    /// Settings to restart with, when the server did not start with the test defaults.
    settings_for_restart: Option<Settings>,
    // Keeps the database folder until the test ends.
    _folder: Option<tempfile::TempDir>,
}

impl TestServer {
    /// Starts a server on a new, empty database.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts a server on a new, empty database with settings changed by `configure`.
    pub async fn start_with(configure: impl FnOnce(&mut Settings)) -> Self {
        let folder = tempfile::tempdir().expect("create a temporary folder");
        let mut settings = Settings::for_tests(folder.path().join("carlink.db"));
        configure(&mut settings);
        let mut server = Self::start_with_settings(settings).await;
        server._folder = Some(folder);
        server
    }

    /// Starts a server on an existing database file.
    pub async fn start_on(database_path: &Path) -> Self {
        Self::start_with_settings(Settings::for_tests(database_path.to_owned())).await
    }

    async fn start_with_settings(settings: Settings) -> Self {
        let database_path = settings.database_path.clone();
        let application = Application::build(settings)
            .await
            .expect("build the server");
        // Requests go to the bound address, which is also the public URL unless a test sets one.
        let url = Url::parse(&format!(
            "http://{}",
            application.local_addr().expect("bound address")
        ))
        .expect("server URL");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(application.run_until_stopped(async {
            let _ = stopped.await;
        }));
        Self {
            url,
            stop: Some(stop),
            task: Some(task),
            database_path,
            settings_for_restart: None,
            _folder: None,
        }
    }

    /// Stops this server and starts a new one on the same database file and settings (on a new
    /// port).
    pub async fn restart(mut self) -> Self {
        let folder = self._folder.take();
        let settings = self.settings_for_restart.take();
        self.stop().await;
        let mut server = match settings {
            Some(settings) => Self::start_with_settings(settings).await,
            None => Self::start_on(&self.database_path).await,
        };
        server._folder = folder;
        server
    }

    /// Starts a server whose Enode is `sandbox`, a sandbox running on its own, so that its state
    /// outlives restarts of the server.
    pub async fn start_with_remote_sandbox(sandbox: &SandboxServer) -> Self {
        let folder = tempfile::tempdir().expect("create a temporary folder");
        let mut settings = Settings::for_tests(folder.path().join("carlink.db"));
        settings.enode = sandbox.enode_settings();
        let mut server = Self::start_with_settings(settings.clone()).await;
        server.settings_for_restart = Some(settings);
        server._folder = Some(folder);
        server
    }

    /// Starts a link for `vendor` through the JSON API and returns `(linkUrl, linkToken)`.
    pub async fn start_link(&self, client: &Client, user: &str, vendor: &str) -> (String, String) {
        let response = client
            .get(self.url(&format!("/api/user/{user}/link?vendor={vendor}")))
            .send()
            .await
            .expect("send start link");
        let (status, body) = json_of(response).await;
        assert_eq!(status, StatusCode::OK, "start link failed: {body}");
        let link_url = body["linkUrl"].as_str().expect("linkUrl").to_owned();
        let link_token = body["linkToken"].as_str().expect("linkToken").to_owned();
        (link_url, link_token)
    }

    /// Confirms a link by token through the JSON API; returns the status and body.
    pub async fn confirm(&self, client: &Client, link_token: &str) -> (StatusCode, Value) {
        let response = client
            .post(self.url("/api/confirm-link"))
            .json(&json!({ "token": link_token }))
            .send()
            .await
            .expect("send confirm");
        json_of(response).await
    }

    /// Fetches the user's stored vendors and vehicles through the JSON API.
    pub async fn garage(&self, client: &Client, user: &str) -> Value {
        let response = client
            .get(self.url(&format!("/api/user/{user}/vehicles")))
            .send()
            .await
            .expect("send vehicles");
        let (status, body) = json_of(response).await;
        assert_eq!(status, StatusCode::OK, "reading vehicles failed: {body}");
        body
    }

    /// Builds a URL of the mounted sandbox, such as `/_control/counters`.
    pub fn sandbox_url(&self, path: &str) -> String {
        self.url(&format!("/sandbox{path}"))
    }

    /// Shuts the server down gracefully and waits until it has closed the database.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task panicked")
                .expect("server stopped with an error");
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.url
            .join(path)
            .expect("join a path to the server URL")
            .to_string()
    }

    /// Builds a browser-like client that keeps cookies and does not follow redirects.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("build an HTTP client")
    }

    /// Signs up `username` with a fixed password on a new client and returns it, signed in.
    pub async fn signed_up_client(&self, username: &str) -> Client {
        let client = self.client();
        let response = client
            .post(self.url("/api/signup"))
            .json(&json!({ "username": username, "password": PASSWORD }))
            .send()
            .await
            .expect("send sign-up");
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "sign-up of {username} failed"
        );
        client
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// Reads the status and the JSON body of a response.
pub async fn json_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

/// The Enode sandbox served alone on a free port.
pub struct SandboxServer {
    pub base_url: Url,
    pub sandbox: enode_sandbox::Sandbox,
}

impl SandboxServer {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the sandbox");
        let base_url = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
        let sandbox =
            enode_sandbox::Sandbox::new(enode_sandbox::SandboxConfig::new(base_url.clone()));
        let router = sandbox.router();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { base_url, sandbox }
    }

    pub fn url(&self, path: &str) -> String {
        self.base_url
            .join(path.trim_start_matches('/'))
            .unwrap()
            .to_string()
    }

    pub fn enode_settings(&self) -> EnodeSettings {
        let config = enode_sandbox::SandboxConfig::new(self.base_url.clone());
        EnodeSettings::Remote {
            urls: Box::new(enode::Urls {
                api: self.sandbox.api_url(),
                token: self.sandbox.token_url(),
                link_ui: self.sandbox.link_ui_url(),
            }),
            client_id: config.client_id,
            client_secret: SecretString::from(config.client_secret),
        }
    }
}

/// Does what the driver does in the sandbox's Link UI (`outcome` is "allow" or "cancel") and
/// returns the URL the Link UI redirects to.
pub async fn complete_link(control_url: &str, link_token: &str, email: &str, outcome: &str) -> Url {
    let response = Client::new()
        .post(format!(
            "{control_url}/_control/link-sessions/{link_token}/complete"
        ))
        .json(&json!({ "email": email, "outcome": outcome }))
        .send()
        .await
        .expect("send complete");
    let (status, body) = json_of(response).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "completing the link session failed: {body}"
    );
    Url::parse(body["redirectUrl"].as_str().expect("redirectUrl")).expect("redirectUrl is a URL")
}

/// Calls a control endpoint of a sandbox and returns the JSON response, if any.
pub async fn control(url: String, body: Value) -> Value {
    let response = Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .expect("send control call");
    assert!(
        response.status().is_success(),
        "control call failed: {}",
        response.status()
    );
    response.json::<Value>().await.unwrap_or(Value::Null)
}

/// Calls per Enode route, from the sandbox's counters.
pub async fn counters(url: String) -> Value {
    Client::new()
        .get(url)
        .send()
        .await
        .expect("read counters")
        .json()
        .await
        .expect("counters JSON")
}
