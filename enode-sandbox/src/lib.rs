//! A local stand-in for Enode: the OAuth token endpoint, the vehicle API, the Link UI and
//! signed webhook deliveries, served by one axum [`Router`] under one base URL.
//!
//! State lives in memory. Paths under `/_control` do not exist at Enode: tests use them to
//! inject faults, read call counters and change vehicles.

mod accounts;
mod api;
mod catalog;
mod config;
mod control;
mod fleet;
mod guard;
mod link_ui;
mod linking;
mod oauth;
mod pagination;
mod problem;
mod simulation;
mod state;
mod vehicle;
mod webhooks;

use std::sync::Arc;

use axum::Router;
use axum::routing::post;
use url::Url;

pub use accounts::SandboxAccount;
pub use config::SandboxConfig;

use guard::RouteKey;
use state::Shared;

/// A running sandbox. Clones share the same state.
#[derive(Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
}

impl Sandbox {
    /// Creates an empty sandbox. When `simulated_update_interval` is set, this starts a task on
    /// the current tokio runtime that changes vehicles until every clone of the sandbox and
    /// of its router is dropped.
    pub fn new(config: SandboxConfig) -> Self {
        let shared = Arc::new(Shared::new(config));
        if let Some(interval) = shared.config.simulated_update_interval {
            simulation::start(Arc::downgrade(&shared), interval);
        }
        Self { shared }
    }

    /// Builds the router. Its paths are relative to `base_url`, so mount it with
    /// `Router::nest` when `base_url` has a path. `/_control` is served only when
    /// `control_endpoints` is set.
    pub fn router(&self) -> Router {
        let mut router = Router::new()
            .route(
                "/oauth2/token",
                guard::guarded(post(oauth::issue_token), &self.shared, RouteKey::OauthToken),
            )
            .nest("/api", api::router(&self.shared))
            .nest("/link", link_ui::router());
        if self.shared.config.control_endpoints {
            router = router.nest("/_control", control::router());
        }
        router.with_state(self.shared.clone())
    }

    /// Returns the API base URL, `{base}/api`.
    pub fn api_url(&self) -> Url {
        self.shared.config.url_for("/api")
    }

    /// Returns the OAuth token URL, `{base}/oauth2/token`.
    pub fn token_url(&self) -> Url {
        self.shared.config.url_for("/oauth2/token")
    }

    /// Returns the Link UI base URL, `{base}/link`. A session's page is `{base}/link/{linkToken}`.
    pub fn link_ui_url(&self) -> Url {
        self.shared.config.url_for("/link")
    }

    /// Returns the fixed vendor accounts that the Link UI accepts.
    pub fn accounts() -> &'static [SandboxAccount] {
        accounts::ACCOUNTS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox() -> Sandbox {
        Sandbox::new(SandboxConfig::new(
            Url::parse("http://127.0.0.1:3000/sandbox").unwrap(),
        ))
    }

    #[test]
    fn api_url_under_base() {
        assert_eq!(
            sandbox().api_url().as_str(),
            "http://127.0.0.1:3000/sandbox/api"
        );
    }

    #[test]
    fn token_url_under_base() {
        assert_eq!(
            sandbox().token_url().as_str(),
            "http://127.0.0.1:3000/sandbox/oauth2/token"
        );
    }

    #[test]
    fn link_ui_url_under_base() {
        assert_eq!(
            sandbox().link_ui_url().as_str(),
            "http://127.0.0.1:3000/sandbox/link"
        );
    }

    #[test]
    fn accounts_listed() {
        let emails: Vec<_> = Sandbox::accounts()
            .iter()
            .map(|account| account.email)
            .collect();
        assert_eq!(
            emails,
            [
                "solo@sandbox.test",
                "duo@sandbox.test",
                "fleet@sandbox.test"
            ]
        );
    }
}
