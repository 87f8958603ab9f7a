use std::time::Duration;

use secrecy::SecretString;
use url::Url;

/// The API version sent as `Enode-Version` unless the configuration sets another.
pub const DEFAULT_API_VERSION: &str = "2024-10-01";

/// The three base URLs of one Enode environment.
///
/// Credentials belong to one environment and fail in any other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urls {
    /// The API base, to which paths such as `/users/{userId}` are appended.
    pub api: Url,
    /// The OAuth 2.0 token endpoint.
    pub token: Url,
    /// The Link UI base.
    pub link_ui: Url,
}

impl Urls {
    /// Returns Enode's production environment.
    pub fn production() -> Self {
        Self {
            api: constant_url("https://enode-api.production.enode.io"),
            token: constant_url("https://oauth.production.enode.io/oauth2/token"),
            link_ui: constant_url("https://link.production.enode.io"),
        }
    }

    /// Returns Enode's hosted sandbox environment, which has simulated vendors.
    pub fn sandbox() -> Self {
        Self {
            api: constant_url("https://enode-api.sandbox.enode.io"),
            token: constant_url("https://oauth.sandbox.enode.io/oauth2/token"),
            link_ui: constant_url("https://link.sandbox.enode.io"),
        }
    }
}

/// Parses a URL written in this file. The unit test `environment_urls_parse` covers each one.
fn constant_url(text: &str) -> Url {
    Url::parse(text).expect("constant environment URL is valid")
}

/// Retry rules for 429, 5xx, timeouts and connection failures.
///
/// Retry `n` (counting from 0) waits a random delay between half and all of
/// `min(max_delay, base_delay * 2^n)`, or the server's `Retry-After` when it sends one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt. 0 disables retries.
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` the client waits for. A longer one ends the call at once with
    /// `Error::RateLimited` or `Error::Server`, so the caller can tell the user when to retry.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Returns a policy that makes exactly one attempt.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }
}

/// Everything a [`crate::Client`] needs. `Debug` shows no secret.
#[derive(Debug, Clone)]
pub struct Config {
    pub urls: Urls,
    pub client_id: String,
    pub client_secret: SecretString,
    /// Sent as the `Enode-Version` header on every API call, as `YYYY-MM-DD`.
    pub api_version: String,
    /// Limit for one HTTP attempt, from connecting until the body is read.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
    /// How long before its expiry a token is replaced. When the token's lifetime is not longer
    /// than the margin, the token is replaced after half its lifetime instead.
    pub token_refresh_margin: Duration,
    /// Items per page for list calls, 1 to 100.
    pub page_size: u32,
}

impl Config {
    /// Builds a configuration with the default API version, timeouts, retries and page size.
    pub fn new(urls: Urls, client_id: impl Into<String>, client_secret: SecretString) -> Self {
        Self {
            urls,
            client_id: client_id.into(),
            client_secret,
            api_version: DEFAULT_API_VERSION.to_owned(),
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
            retry: RetryPolicy::default(),
            token_refresh_margin: Duration::from_secs(60),
            page_size: 50,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_urls_parse() {
        let production = Urls::production();
        let sandbox = Urls::sandbox();
        assert_eq!(
            production.api.host_str(),
            Some("enode-api.production.enode.io")
        );
        assert_eq!(sandbox.token.path(), "/oauth2/token");
    }

    #[test]
    fn config_debug_hides_secret() {
        let config = Config::new(
            Urls::sandbox(),
            "client",
            SecretString::from("hunter2-secret"),
        );
        let text = format!("{config:?}");
        assert!(!text.contains("hunter2-secret"));
    }

    #[test]
    fn config_defaults_api_version() {
        let config = Config::new(Urls::sandbox(), "client", SecretString::from("secret"));
        assert_eq!(config.api_version, "2024-10-01");
    }
}
