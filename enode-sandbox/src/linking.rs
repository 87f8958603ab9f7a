//! Link sessions: their steps, and how they end (access allowed or cancelled).

use std::sync::Arc;
use std::time::{Duration, Instant};

use url::Url;

use crate::accounts::SandboxAccount;
use crate::catalog::Vendor;
use crate::problem::ApiError;
use crate::state::{Shared, State, now};
use crate::webhooks;

/// A Link UI session created by `POST /users/{userId}/link`.
pub(crate) struct LinkSession {
    pub user_id: String,
    /// Set by the request, or by the brand step when the request named no vendor.
    pub vendor: Option<&'static Vendor>,
    pub scopes: Vec<String>,
    pub redirect_uri: Url,
    /// `system`, `light` or `dark`.
    pub color_scheme: &'static str,
    pub expires_at: Instant,
    /// Set after the login step.
    pub account: Option<&'static SandboxAccount>,
    /// Set when the user allowed or cancelled, after which the session cannot be used again.
    pub used: bool,
}

/// The page a session shows next.
pub(crate) enum Step {
    ChooseBrand,
    SignIn(&'static Vendor),
    Consent(&'static Vendor, &'static SandboxAccount),
}

impl LinkSession {
    pub fn step(&self) -> Step {
        match (self.vendor, self.account) {
            (None, _) => Step::ChooseBrand,
            (Some(vendor), None) => Step::SignIn(vendor),
            (Some(vendor), Some(account)) => Step::Consent(vendor, account),
        }
    }
}

/// The reason a link token cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionError {
    NotFound,
    Expired,
    Used,
}

impl From<SessionError> for ApiError {
    fn from(error: SessionError) -> Self {
        match error {
            SessionError::NotFound => ApiError::NotFound("No link session has this link token.".to_owned()),
            SessionError::Expired => {
                ApiError::Gone("The link session expired. Create a new one with POST /users/{userId}/link.".to_owned())
            }
            SessionError::Used => ApiError::Gone(
                "The link session was already used. Create a new one with POST /users/{userId}/link.".to_owned(),
            ),
        }
    }
}

impl State {
    /// Removes sessions that expired more than `grace` ago, so their pages return 404
    /// instead of 410 from then on.
    pub fn prune_link_sessions(&mut self, grace: Duration) {
        let now = Instant::now();
        self.link_sessions.retain(|_, session| {
            session
                .expires_at
                .checked_add(grace)
                .is_none_or(|end| end > now)
        });
    }

    /// Returns the session when it exists, has not expired and was not used.
    pub fn open_session(&mut self, link_token: &str) -> Result<&mut LinkSession, SessionError> {
        let session = self
            .link_sessions
            .get_mut(link_token)
            .ok_or(SessionError::NotFound)?;
        if session.used {
            return Err(SessionError::Used);
        }
        if session.expires_at <= Instant::now() {
            return Err(SessionError::Expired);
        }
        Ok(session)
    }
}

/// The user's decision that ends a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Allow,
    Cancel,
}

#[derive(Debug)]
pub(crate) enum FinishError {
    Session(SessionError),
    /// Access was allowed before a vendor and an account were chosen.
    NotReady,
}

impl From<SessionError> for FinishError {
    fn from(error: SessionError) -> Self {
        Self::Session(error)
    }
}

/// Ends a session and returns the URL to send the browser to. Allowing links the vendor,
/// creates the account's vehicles and sends `user:vehicle:discovered` for each new one.
pub(crate) fn finish_session(
    shared: &Arc<Shared>,
    link_token: &str,
    outcome: Outcome,
) -> Result<Url, FinishError> {
    let now = now();
    let (redirect, events) = {
        let mut state = shared.lock();
        let session = state.open_session(link_token)?;
        match outcome {
            Outcome::Cancel => {
                session.used = true;
                tracing::info!(user_id = %session.user_id, "link session cancelled");
                (cancel_redirect(&session.redirect_uri), Vec::new())
            }
            Outcome::Allow => {
                let (Some(vendor), Some(account)) = (session.vendor, session.account) else {
                    return Err(FinishError::NotReady);
                };
                session.used = true;
                let user_id = session.user_id.clone();
                let scopes = session.scopes.clone();
                let redirect = session.redirect_uri.clone();
                let events = state.link_vendor(&user_id, vendor, account, &scopes, now);
                tracing::info!(%user_id, vendor = vendor.id, new_vehicles = events.len(), "link session completed");
                (redirect, events)
            }
        }
    };
    webhooks::dispatch(shared, events);
    Ok(redirect)
}

/// Appends the OAuth 2.0 `access_denied` error to the redirect URI, keeping its query.
pub(crate) fn cancel_redirect(redirect_uri: &Url) -> Url {
    let mut url = redirect_uri.clone();
    url.query_pairs_mut()
        .append_pair("error", "access_denied")
        .append_pair(
            "error_description",
            "The user cancelled linking their vehicle account.",
        );
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_keeps_state() {
        let url = cancel_redirect(&Url::parse("https://app.test/done?state=a%20b").unwrap());
        assert!(url.as_str().starts_with(
            "https://app.test/done?state=a%20b&error=access_denied&error_description="
        ));
    }

    #[test]
    fn cancel_without_query() {
        let url = cancel_redirect(&Url::parse("https://app.test/done").unwrap());
        assert_eq!(
            url.query_pairs()
                .next()
                .map(|(key, value)| (key.into_owned(), value.into_owned())),
            Some(("error".to_owned(), "access_denied".to_owned()))
        );
    }
}
