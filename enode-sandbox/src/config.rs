use std::time::Duration;

use url::Url;

/// Settings of one sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The absolute URL the router is reachable at, such as `http://127.0.0.1:3000/sandbox`.
    /// It is used to build `linkUrl` values and the Link UI's form actions.
    pub base_url: Url,
    pub client_id: String,
    pub client_secret: String,
    /// Lifetime of an access token, also sent as `expires_in` (whole seconds).
    pub token_lifetime: Duration,
    /// Time from creating a link session until its Link UI page returns 410.
    pub link_session_lifetime: Duration,
    /// Waits between delivery attempts of a webhook batch: one first attempt plus one retry
    /// per entry. After the last failure the batch is dropped and the webhook turns inactive.
    pub webhook_retry_intervals: Vec<Duration>,
    /// Period of the background task that changes one vehicle and sends
    /// `user:vehicle:updated`. `None` turns the task off.
    pub simulated_update_interval: Option<Duration>,
    /// Whether the router serves the `/_control` endpoints. They need no credentials, so turn
    /// them off wherever people other than the tests can reach the sandbox.
    pub control_endpoints: bool,
}

pub const DEFAULT_CLIENT_ID: &str = "carlink-sandbox";
pub const DEFAULT_CLIENT_SECRET: &str = "carlink-sandbox-secret";

impl SandboxConfig {
    /// Creates a configuration with the default credentials and lifetimes.
    pub fn new(base_url: Url) -> Self {
        Self {
            base_url,
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            token_lifetime: Duration::from_secs(3600),
            link_session_lifetime: Duration::from_secs(24 * 3600),
            webhook_retry_intervals: default_retry_intervals(),
            simulated_update_interval: None,
            control_endpoints: true,
        }
    }

    /// Joins `path` (starting with `/`) to the base URL, keeping the base URL's own path.
    pub(crate) fn url_for(&self, path: &str) -> Url {
        let mut url = self.base_url.clone();
        let joined = format!("{}{}", self.base_url.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        url.set_query(None);
        url.set_fragment(None);
        url
    }

    /// Path-only form of [`Self::url_for`], for form actions and same-site redirects.
    pub(crate) fn path_for(&self, path: &str) -> String {
        format!("{}{}", self.base_url.path().trim_end_matches('/'), path)
    }
}

/// Sixteen retries that grow from 5 seconds to 5 hours and add up to about 26 hours, the
/// retry span Enode documents for failed webhook deliveries.
fn default_retry_intervals() -> Vec<Duration> {
    [
        5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 10_800, 14_400, 18_000, 18_000,
        18_000,
    ]
    .into_iter()
    .map(Duration::from_secs)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base: &str) -> SandboxConfig {
        SandboxConfig::new(Url::parse(base).unwrap())
    }

    #[test]
    fn url_for_keeps_base_path() {
        let config = config("http://127.0.0.1:3000/sandbox/");
        assert_eq!(
            config.url_for("/api").as_str(),
            "http://127.0.0.1:3000/sandbox/api"
        );
    }

    #[test]
    fn url_for_root_base() {
        let config = config("http://127.0.0.1:3000");
        assert_eq!(
            config.url_for("/link").as_str(),
            "http://127.0.0.1:3000/link"
        );
    }

    #[test]
    fn path_for_root_base() {
        let config = config("http://127.0.0.1:3000");
        assert_eq!(config.path_for("/link/abc"), "/link/abc");
    }

    #[test]
    fn default_retries_span_about_26_hours() {
        let total: u64 = default_retry_intervals()
            .iter()
            .map(Duration::as_secs)
            .sum();
        assert_eq!(total / 3600, 26);
    }
}
