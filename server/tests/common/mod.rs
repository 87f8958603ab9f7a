//! Starts the real server on a free port with a fresh SQLite file and the built-in sandbox.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use server::{Application, config::Settings};
use tokio::{sync::oneshot, task::JoinHandle};
use url::Url;

pub struct TestServer {
    pub url: Url,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    database_path: PathBuf,
    // Keeps the database folder until the test ends.
    _folder: Option<tempfile::TempDir>,
}

impl TestServer {
    /// Starts a server on a new, empty database.
    pub async fn start() -> Self {
        let folder = tempfile::tempdir().expect("create a temporary folder");
        let database_path = folder.path().join("carlink.db");
        let mut server = Self::start_on(&database_path).await;
        server._folder = Some(folder);
        server
    }

    /// Starts a server on an existing database file.
    pub async fn start_on(database_path: &Path) -> Self {
        let settings = Settings::for_tests(database_path.to_owned());
        let application = Application::build(settings)
            .await
            .expect("build the server");
        let url = application.public_url().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(application.run_until_stopped(async {
            let _ = stopped.await;
        }));
        Self {
            url,
            stop: Some(stop),
            task: Some(task),
            database_path: database_path.to_owned(),
            _folder: None,
        }
    }

    /// Stops this server and starts a new one on the same database file.
    pub async fn restart(mut self) -> Self {
        let folder = self._folder.take();
        self.stop().await;
        let mut server = Self::start_on(&self.database_path).await;
        server._folder = folder;
        server
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

    /// A browser-like client: keeps cookies, does not follow redirects.
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

/// The status and the JSON body of a response.
pub async fn json_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}
