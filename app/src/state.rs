//! Server-side state shared by pages, server functions and the JSON API, and the session cookie.

use axum::extract::FromRef;
use axum_extra::extract::{
    CookieJar,
    cookie::{Cookie, SameSite},
};
use carlink_core::{Carlink, SESSION_LIFETIME, SessionToken, UserId};
use leptos::prelude::*;

use crate::error::{AppError, ErrorKind};

pub const SESSION_COOKIE: &str = "carlink_session";

/// The axum state. Leptos provides it as context to server functions and SSR.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub carlink: Carlink,
    /// Whether cookies get the `Secure` attribute; true when the public URL is https.
    pub secure_cookies: bool,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// Builds the cookie that carries a new session: HttpOnly, SameSite=Lax, for the whole site.
    pub fn session_cookie(&self, token: &SessionToken) -> Cookie<'static> {
        let max_age =
            time::Duration::seconds(i64::try_from(SESSION_LIFETIME.as_secs()).unwrap_or(i64::MAX));
        Cookie::build((SESSION_COOKIE, token.expose().to_owned()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure_cookies)
            .max_age(max_age)
            .build()
    }

    /// Builds a cookie that makes the browser forget the session.
    pub fn expired_session_cookie(&self) -> Cookie<'static> {
        Cookie::build((SESSION_COOKIE, ""))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure_cookies)
            .max_age(time::Duration::ZERO)
            .build()
    }

    /// Looks up the signed-in user, or `None` without a valid session cookie.
    pub async fn signed_in_user(&self, cookies: &CookieJar) -> Result<Option<UserId>, AppError> {
        match cookies.get(SESSION_COOKIE) {
            Some(cookie) if !cookie.value().is_empty() => {
                Ok(self.carlink.authenticate(cookie.value()).await?)
            }
            _ => Ok(None),
        }
    }
}

/// The state inside a server function or an SSR render.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        AppError::new(
            ErrorKind::Internal,
            "The server state is missing; this is a bug in carlink.",
        )
    })
}

/// The request's cookies inside a server function or an SSR render.
pub async fn request_cookies() -> Result<CookieJar, AppError> {
    leptos_axum::extract::<CookieJar>().await.map_err(|error| {
        AppError::new(
            ErrorKind::BadRequest,
            format!("Reading the request's cookies failed: {error}"),
        )
    })
}

/// The signed-in user of the current server function call; 401 without a session.
pub async fn require_user() -> Result<UserId, AppError> {
    let state = app_state()?;
    let cookies = request_cookies().await?;
    state
        .signed_in_user(&cookies)
        .await?
        .ok_or_else(|| carlink_core::Error::NotSignedIn.into())
}

/// Adds a `Set-Cookie` header to the response of the current server function.
pub fn set_cookie(cookie: Cookie<'static>) -> Result<(), AppError> {
    let response = use_context::<leptos_axum::ResponseOptions>().ok_or_else(|| {
        AppError::new(
            ErrorKind::Internal,
            "The response options are missing; this is a bug in carlink.",
        )
    })?;
    let value = http::HeaderValue::from_str(&cookie.to_string()).map_err(|error| {
        AppError::new(
            ErrorKind::Internal,
            format!("Building the cookie header failed: {error}"),
        )
    })?;
    response.append_header(http::header::SET_COOKIE, value);
    Ok(())
}

/// True for a browser's form submission without WASM, which expects a page or a redirect
/// rather than JSON.
pub fn is_plain_form_post(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Gives a failed server function call from the page's WASM the HTTP status of its error, where
/// Leptos would send 500. A plain form post keeps the redirect back to the form that Leptos sends
/// it, which carries the error.
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        let plain_form_post = use_context::<http::request::Parts>()
            .is_some_and(|parts| is_plain_form_post(&parts.headers));
        if !plain_form_post && let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(error.kind.status());
        }
    }
    result
}
