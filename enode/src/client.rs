use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use crate::config::Config;
use crate::error::Error;
use crate::models::{
    CreateWebhook, LinkSession, LinkSessionRequest, Page, User, Vehicle, Vendor, Webhook,
    WebhookTestResult,
};
use crate::routes::{self, Route};
use crate::token::{AccessToken, TokenCache};
use crate::transport::{Success, send_with_retries};

/// The header that pins the response shapes to one API version.
const VERSION_HEADER: &str = "Enode-Version";

/// The maximum number of pages a list call follows. A longer chain means the server keeps sending new
/// cursors, so the call stops instead of looping.
const MAX_PAGES: usize = 10_000;

/// A client for Enode's API. Cloning is cheap, and clones share the access token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: Config,
    api_version: HeaderValue,
    tokens: TokenCache,
}

/// The body of a successful token request.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: SecretString,
    /// Lifetime in seconds.
    expires_in: u64,
}

impl fmt::Debug for Client {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.inner.config;
        formatter
            .debug_struct("Client")
            .field("urls", &config.urls)
            .field("client_id", &config.client_id)
            .field("api_version", &config.api_version)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds a client. Fails with `Error::InvalidConfig` for a URL that is not http(s), an
    /// empty client id, an API version that is not a valid header value or a page size
    /// outside 1 to 100.
    pub fn new(config: Config) -> Result<Self, Error> {
        validate(&config)?;
        let api_version = HeaderValue::from_str(&config.api_version).map_err(|_| {
            Error::InvalidConfig(format!(
                "api_version {:?} is not a valid header value",
                config.api_version
            ))
        })?;

        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("carlink-enode/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| {
                Error::InvalidConfig(format!("failed to build the HTTP client: {error}"))
            })?;

        Ok(Self {
            inner: Arc::new(Inner {
                http,
                config,
                api_version,
                tokens: TokenCache::default(),
            }),
        })
    }

    /// Returns the Link UI base URL of the configured environment.
    pub fn link_ui_url(&self) -> &Url {
        &self.inner.config.urls.link_ui
    }

    /// Creates a Link UI session for `user_id`. Enode creates the user if it is new.
    pub async fn create_link_session(
        &self,
        user_id: &str,
        request: &LinkSessionRequest,
    ) -> Result<LinkSession, Error> {
        let url = self.api_url(&["users", checked_id("user_id", user_id)?, "link"])?;
        let body = serde_json::to_vec(request).map_err(|error| {
            Error::InvalidInput(format!(
                "failed to serialize the link session request: {error}"
            ))
        })?;
        self.call(&routes::CREATE_LINK_SESSION, url, Some(body))
            .await?
            .json()
    }

    /// Fetches a user and the vendors they linked.
    pub async fn get_user(&self, user_id: &str) -> Result<User, Error> {
        let url = self.api_url(&["users", checked_id("user_id", user_id)?])?;
        self.call(&routes::GET_USER, url, None).await?.json()
    }

    /// Fetches every vehicle of a user, following `pagination.after` page by page.
    pub async fn list_vehicles(&self, user_id: &str) -> Result<Vec<Vehicle>, Error> {
        let url = self.api_url(&["users", checked_id("user_id", user_id)?, "vehicles"])?;
        self.list_all(&routes::LIST_VEHICLES, url).await
    }

    /// Fetches one vehicle.
    pub async fn get_vehicle(&self, vehicle_id: &str) -> Result<Vehicle, Error> {
        let url = self.api_url(&["vehicles", checked_id("vehicle_id", vehicle_id)?])?;
        self.call(&routes::GET_VEHICLE, url, None).await?.json()
    }

    /// Unlinks one vendor of a user, with its vehicles.
    pub async fn unlink_vendor(&self, user_id: &str, vendor: &Vendor) -> Result<(), Error> {
        let user_id = checked_id("user_id", user_id)?;
        let url = self.api_url(&["users", user_id, "vendors", vendor.as_str()])?;
        self.call(&routes::UNLINK_VENDOR, url, None).await?;
        Ok(())
    }

    /// Deletes a user and all their data at Enode.
    pub async fn delete_user(&self, user_id: &str) -> Result<(), Error> {
        let url = self.api_url(&["users", checked_id("user_id", user_id)?])?;
        self.call(&routes::DELETE_USER, url, None).await?;
        Ok(())
    }

    /// Fetches every webhook subscription of the client.
    pub async fn list_webhooks(&self) -> Result<Vec<Webhook>, Error> {
        let url = self.api_url(&["webhooks"])?;
        self.list_all(&routes::LIST_WEBHOOKS, url).await
    }

    /// Subscribes a URL to webhook events. A request without `api_version` gets the client's.
    pub async fn create_webhook(&self, request: &CreateWebhook) -> Result<Webhook, Error> {
        let url = self.api_url(&["webhooks"])?;
        let mut request = request.clone();
        if request.api_version.is_none() {
            request.api_version = Some(self.inner.config.api_version.clone());
        }
        let body = serde_json::to_vec(&request).map_err(|error| {
            Error::InvalidInput(format!("failed to serialize the webhook request: {error}"))
        })?;
        self.call(&routes::CREATE_WEBHOOK, url, Some(body))
            .await?
            .json()
    }

    /// Deletes a webhook subscription.
    pub async fn delete_webhook(&self, id: &str) -> Result<(), Error> {
        let url = self.api_url(&["webhooks", checked_id("webhook id", id)?])?;
        self.call(&routes::DELETE_WEBHOOK, url, None).await?;
        Ok(())
    }

    /// Asks Enode to deliver an `enode:webhook:test` event and returns whether it arrived.
    pub async fn test_webhook(&self, id: &str) -> Result<WebhookTestResult, Error> {
        let url = self.api_url(&["webhooks", checked_id("webhook id", id)?, "test"])?;
        self.call(&routes::TEST_WEBHOOK, url, None).await?.json()
    }

    /// Fetches every page of a list route.
    async fn list_all<T: DeserializeOwned>(
        &self,
        route: &Route,
        url: Url,
    ) -> Result<Vec<T>, Error> {
        let page_size = self.inner.config.page_size.to_string();
        let mut items = Vec::new();
        let mut cursors = CursorTrail::default();
        let mut cursor: Option<String> = None;

        loop {
            let mut page_url = url.clone();
            {
                let mut query = page_url.query_pairs_mut();
                query.append_pair("pageSize", &page_size);
                if let Some(cursor) = &cursor {
                    query.append_pair("after", cursor);
                }
            }

            let page: Page<T> = self.call(route, page_url, None).await?.json()?;
            items.extend(page.data);

            cursor = cursors.next(page.pagination.after)?;
            if cursor.is_none() {
                return Ok(items);
            }
        }
    }

    /// Sends one API request with the shared token, inside a span for the route.
    ///
    /// A 401 drops the token, fetches a new one and sends the request once more.
    async fn call(&self, route: &Route, url: Url, body: Option<Vec<u8>>) -> Result<Success, Error> {
        let span =
            tracing::info_span!("enode_call", method = %route.method, route = route.template);
        async {
            let token = self.access_token().await?;
            match self
                .send_authorized(route, &url, body.as_deref(), &token)
                .await
            {
                Err(Error::Unauthorized { .. }) => {
                    tracing::info!(
                        "Enode rejected the access token, fetching a new one and retrying once"
                    );
                    self.inner.tokens.invalidate(&token);
                    let token = self.access_token().await?;
                    self.send_authorized(route, &url, body.as_deref(), &token)
                        .await
                }
                result => result,
            }
        }
        .instrument(span)
        .await
    }

    async fn send_authorized(
        &self,
        route: &Route,
        url: &Url,
        body: Option<&[u8]>,
        token: &AccessToken,
    ) -> Result<Success, Error> {
        let inner = &self.inner;
        send_with_retries(&inner.config.retry, route, || {
            let request = inner
                .http
                .request(route.method.clone(), url.clone())
                .bearer_auth(token.value.expose_secret())
                .header(VERSION_HEADER, inner.api_version.clone())
                .header(ACCEPT, "application/json");
            match body {
                Some(body) => request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_vec()),
                None => request,
            }
        })
        .await
    }

    async fn access_token(&self) -> Result<Arc<AccessToken>, Error> {
        self.inner.tokens.token(|| self.fetch_token()).await
    }

    /// Requests a token with the client-credentials grant.
    async fn fetch_token(&self) -> Result<AccessToken, Error> {
        let route = &routes::OAUTH_TOKEN;
        let span =
            tracing::info_span!("enode_token", method = %route.method, route = route.template);
        async {
            let config = &self.inner.config;
            let requested_at = Instant::now();
            let success = send_with_retries(&config.retry, route, || {
                self.inner
                    .http
                    .post(config.urls.token.clone())
                    .basic_auth(
                        &config.client_id,
                        Some(config.client_secret.expose_secret()),
                    )
                    .header(ACCEPT, "application/json")
                    .form(&[("grant_type", "client_credentials")])
            })
            .await?;

            // The body contains the token, so a parse error reports only the position.
            let response: TokenResponse =
                serde_json::from_slice(&success.body).map_err(|error| Error::InvalidResponse {
                    status: success.status,
                    reason: format!(
                        "the token response is not an OAuth token (error at line {}, column {})",
                        error.line(),
                        error.column()
                    ),
                    excerpt: String::new(),
                })?;
            tracing::debug!(
                expires_in = response.expires_in,
                "fetched an Enode access token"
            );

            Ok(AccessToken::new(
                response.access_token,
                requested_at,
                Duration::from_secs(response.expires_in),
                config.token_refresh_margin,
            ))
        }
        .instrument(span)
        .await
    }

    /// Appends `segments` to the API base URL, percent-encoding each one.
    fn api_url(&self, segments: &[&str]) -> Result<Url, Error> {
        let mut url = self.inner.config.urls.api.clone();
        url.path_segments_mut()
            .map_err(|()| Error::InvalidConfig("the API URL cannot be a base URL".to_owned()))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }
}

/// The `after` cursors a list call has followed, to stop when the server loops.
#[derive(Default)]
struct CursorTrail {
    seen: HashSet<String>,
}

impl CursorTrail {
    /// Returns the cursor of the next page, or `None` after the last page. Fails when the
    /// cursor was seen before or the list passes `MAX_PAGES` pages.
    fn next(&mut self, after: Option<String>) -> Result<Option<String>, Error> {
        let Some(after) = after.filter(|after| !after.is_empty()) else {
            return Ok(None);
        };

        let reason = if self.seen.contains(&after) {
            format!("pagination returned the cursor {after:?} twice")
        } else if self.seen.len() + 1 >= MAX_PAGES {
            format!("pagination did not end after {MAX_PAGES} pages")
        } else {
            self.seen.insert(after.clone());
            return Ok(Some(after));
        };
        Err(Error::InvalidResponse {
            status: reqwest::StatusCode::OK,
            reason,
            excerpt: String::new(),
        })
    }
}

/// Rejects ids that would change the path: empty, `.` and `..`. `Url` drops `.` and `..`
/// segments, so `DELETE /users/..` would become `DELETE /`.
fn checked_id<'a>(name: &str, id: &'a str) -> Result<&'a str, Error> {
    if id.is_empty() || id == "." || id == ".." {
        return Err(Error::InvalidInput(format!(
            "{name} {id:?} is not a valid id"
        )));
    }
    Ok(id)
}

fn validate(config: &Config) -> Result<(), Error> {
    let urls = [
        ("api", &config.urls.api),
        ("token", &config.urls.token),
        ("link_ui", &config.urls.link_ui),
    ];
    for (name, url) in urls {
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(Error::InvalidConfig(format!(
                "the {name} URL {url} must be an http or https URL"
            )));
        }
    }

    if config.client_id.is_empty() {
        return Err(Error::InvalidConfig("client_id is empty".to_owned()));
    }
    if !(1..=100).contains(&config.page_size) {
        return Err(Error::InvalidConfig(format!(
            "page_size {} is outside 1 to 100",
            config.page_size
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Urls;

    fn config() -> Config {
        let urls = Urls {
            api: Url::parse("http://127.0.0.1:9/sandbox/api/").expect("valid URL"),
            token: Url::parse("http://127.0.0.1:9/sandbox/oauth2/token").expect("valid URL"),
            link_ui: Url::parse("http://127.0.0.1:9/sandbox/link").expect("valid URL"),
        };
        Config::new(urls, "client", SecretString::from("do-not-print-me"))
    }

    fn client() -> Client {
        Client::new(config()).expect("a valid configuration")
    }

    #[test]
    fn client_debug_hides_secret() {
        let text = format!("{:?}", client());
        assert!(!text.contains("do-not-print-me"));
    }

    #[test]
    fn api_url_keeps_base_path() {
        let url = client().api_url(&["users", "u1"]).expect("a URL");
        assert_eq!(url.as_str(), "http://127.0.0.1:9/sandbox/api/users/u1");
    }

    #[test]
    fn api_url_encodes_segments() {
        let url = client().api_url(&["users", "a/b?c#d"]).expect("a URL");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/sandbox/api/users/a%2Fb%3Fc%23d"
        );
    }

    #[test]
    fn cursor_trail_follows_new_cursor() {
        let mut trail = CursorTrail::default();
        let next = trail.next(Some("c1".to_owned()));
        assert_eq!(next.ok().flatten().as_deref(), Some("c1"));
    }

    #[test]
    fn cursor_trail_ends_on_empty_cursor() {
        let mut trail = CursorTrail::default();
        assert_eq!(trail.next(Some(String::new())).ok(), Some(None));
    }

    #[test]
    fn cursor_trail_rejects_repeat() {
        let mut trail = CursorTrail::default();
        let first = trail.next(Some("c1".to_owned()));
        assert!(first.is_ok());
        let repeated = trail.next(Some("c1".to_owned()));
        assert!(
            matches!(repeated, Err(Error::InvalidResponse { .. })),
            "{repeated:?}"
        );
    }

    #[test]
    fn cursor_trail_stops_at_max_pages() {
        let mut trail = CursorTrail::default();
        let mut last = Ok(None);
        for page in 0..MAX_PAGES {
            last = trail.next(Some(format!("c{page}")));
            if last.is_err() {
                break;
            }
        }
        assert!(
            matches!(last, Err(Error::InvalidResponse { .. })),
            "{last:?}"
        );
        assert_eq!(trail.seen.len(), MAX_PAGES - 1);
    }

    #[test]
    fn checked_id_rejects_dot_dot() {
        assert!(checked_id("user_id", "..").is_err());
    }

    #[test]
    fn checked_id_rejects_empty() {
        assert!(checked_id("user_id", "").is_err());
    }

    #[test]
    fn new_rejects_page_size_zero() {
        let mut config = config();
        config.page_size = 0;
        assert!(matches!(Client::new(config), Err(Error::InvalidConfig(_))));
    }

    #[test]
    fn new_rejects_non_http_url() {
        let mut config = config();
        config.urls.token = Url::parse("mailto:ops@carlink.test").expect("valid URL");
        assert!(matches!(Client::new(config), Err(Error::InvalidConfig(_))));
    }

    #[test]
    fn new_rejects_empty_client_id() {
        let mut config = config();
        config.client_id.clear();
        assert!(matches!(Client::new(config), Err(Error::InvalidConfig(_))));
    }
}
