//! Enode's endpoints as this client calls them.

use reqwest::Method;

/// One endpoint: how it is logged and whether a retry may repeat work Enode has done.
#[derive(Debug)]
pub(crate) struct Route {
    pub(crate) method: Method,
    /// The path with placeholders, logged in place of the real path.
    pub(crate) template: &'static str,
    /// True when repeating a request that Enode may have processed does no harm. False
    /// limits retries to 429 and failures to connect, where Enode did nothing.
    pub(crate) repeatable: bool,
}

pub(crate) const OAUTH_TOKEN: Route = Route {
    method: Method::POST,
    template: "/oauth2/token",
    repeatable: true,
};

/// A repeated link session request creates a second session, which expires unused.
pub(crate) const CREATE_LINK_SESSION: Route = Route {
    method: Method::POST,
    template: "/users/{userId}/link",
    repeatable: true,
};

pub(crate) const GET_USER: Route = Route {
    method: Method::GET,
    template: "/users/{userId}",
    repeatable: true,
};

pub(crate) const LIST_VEHICLES: Route = Route {
    method: Method::GET,
    template: "/users/{userId}/vehicles",
    repeatable: true,
};

pub(crate) const GET_VEHICLE: Route = Route {
    method: Method::GET,
    template: "/vehicles/{vehicleId}",
    repeatable: true,
};

// NOTE: when a 204 is lost and the retry finds the resource gone, the two DELETE routes
// below return `Error::NotFound` although the deletion happened.
pub(crate) const UNLINK_VENDOR: Route = Route {
    method: Method::DELETE,
    template: "/users/{userId}/vendors/{vendor}",
    repeatable: true,
};

pub(crate) const DELETE_USER: Route = Route {
    method: Method::DELETE,
    template: "/users/{userId}",
    repeatable: true,
};

pub(crate) const LIST_WEBHOOKS: Route = Route {
    method: Method::GET,
    template: "/webhooks",
    repeatable: true,
};

/// A repeated subscription request could create a second subscription.
pub(crate) const CREATE_WEBHOOK: Route = Route {
    method: Method::POST,
    template: "/webhooks",
    repeatable: false,
};

pub(crate) const DELETE_WEBHOOK: Route = Route {
    method: Method::DELETE,
    template: "/webhooks/{webhookId}",
    repeatable: true,
};

/// A repeated test sends one more test event.
pub(crate) const TEST_WEBHOOK: Route = Route {
    method: Method::POST,
    template: "/webhooks/{webhookId}/test",
    repeatable: true,
};
