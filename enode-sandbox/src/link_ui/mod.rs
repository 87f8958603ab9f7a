//! The Link UI under `/link`: server-rendered pages that work without JavaScript. Each step
//! posts a form and gets a 303 to the next page or to the session's `redirectUri`.

mod pages;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::Markup;

use crate::accounts;
use crate::catalog;
use crate::linking::{FinishError, LinkSession, Outcome, SessionError, Step, finish_session};
use crate::state::Shared;
use pages::PageContext;

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/{link_token}", get(show_step))
        .route("/{link_token}/brand", post(choose_brand))
        .route("/{link_token}/login", post(sign_in))
        .route("/{link_token}/consent", post(decide))
}

/// `GET /link/{linkToken}`: the session's current step.
async fn show_step(State(shared): State<Arc<Shared>>, Path(link_token): Path<String>) -> Response {
    let session_path = session_path(&shared, &link_token);
    let mut state = shared.lock();
    let session = match state.open_session(&link_token) {
        Ok(session) => session,
        Err(error) => return session_error(error),
    };
    let context = PageContext {
        session_path: &session_path,
        color_scheme: session.color_scheme,
    };
    html_page(StatusCode::OK, render_step(session, &context))
}

fn render_step(session: &LinkSession, context: &PageContext<'_>) -> Markup {
    match session.step() {
        Step::ChooseBrand => pages::brand_page(context, None),
        Step::SignIn(vendor) => pages::login_page(context, vendor, "", false),
        Step::Consent(vendor, account) => {
            pages::consent_page(context, vendor, account, &session.scopes)
        }
    }
}

/// `POST /link/{linkToken}/brand` with `vendor` and `action`.
async fn choose_brand(
    State(shared): State<Arc<Shared>>,
    Path(link_token): Path<String>,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    if is_cancel(&form) {
        return cancel(&shared, &link_token);
    }
    let session_path = session_path(&shared, &link_token);

    let mut state = shared.lock();
    let session = match state.open_session(&link_token) {
        Ok(session) => session,
        Err(error) => return session_error(error),
    };
    if !matches!(session.step(), Step::ChooseBrand) {
        return see_other(&session_path);
    }
    let chosen = form.get("vendor").and_then(|id| catalog::find_vendor(id));
    let Some(vendor) = chosen else {
        let context = PageContext {
            session_path: &session_path,
            color_scheme: session.color_scheme,
        };
        let page = pages::brand_page(&context, Some("Choose a brand from the list."));
        return html_page(StatusCode::BAD_REQUEST, page);
    };
    session.vendor = Some(vendor);
    see_other(&session_path)
}

/// `POST /link/{linkToken}/login` with `email`, `password` and `action`.
async fn sign_in(
    State(shared): State<Arc<Shared>>,
    Path(link_token): Path<String>,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    if is_cancel(&form) {
        return cancel(&shared, &link_token);
    }
    let session_path = session_path(&shared, &link_token);

    let mut state = shared.lock();
    let session = match state.open_session(&link_token) {
        Ok(session) => session,
        Err(error) => return session_error(error),
    };
    let Step::SignIn(vendor) = session.step() else {
        return see_other(&session_path);
    };
    let email = form.get("email").map(String::as_str).unwrap_or_default();
    let password = form.get("password").map(String::as_str).unwrap_or_default();
    match accounts::sign_in(email, password) {
        Some(account) => {
            session.account = Some(account);
            see_other(&session_path)
        }
        None => {
            tracing::info!(user_id = %session.user_id, "Link UI sign-in failed: wrong email or password");
            let context = PageContext {
                session_path: &session_path,
                color_scheme: session.color_scheme,
            };
            html_page(
                StatusCode::OK,
                pages::login_page(&context, vendor, email, true),
            )
        }
    }
}

/// `POST /link/{linkToken}/consent` with `action` set to `allow` or `cancel`.
async fn decide(
    State(shared): State<Arc<Shared>>,
    Path(link_token): Path<String>,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    if is_cancel(&form) {
        return cancel(&shared, &link_token);
    }
    match finish_session(&shared, &link_token, Outcome::Allow) {
        Ok(redirect) => see_other(redirect.as_str()),
        Err(FinishError::Session(error)) => session_error(error),
        Err(FinishError::NotReady) => see_other(&session_path(&shared, &link_token)),
    }
}

fn cancel(shared: &Arc<Shared>, link_token: &str) -> Response {
    match finish_session(shared, link_token, Outcome::Cancel) {
        Ok(redirect) => see_other(redirect.as_str()),
        Err(FinishError::Session(error)) => session_error(error),
        Err(FinishError::NotReady) => see_other(&session_path(shared, link_token)),
    }
}

fn session_path(shared: &Shared, link_token: &str) -> String {
    shared.config.path_for(&format!("/link/{link_token}"))
}

fn parse_form(body: &Bytes) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn is_cancel(form: &HashMap<String, String>) -> bool {
    form.get("action").is_some_and(|action| action == "cancel")
}

fn session_error(error: SessionError) -> Response {
    let status = match error {
        SessionError::NotFound => StatusCode::NOT_FOUND,
        SessionError::Expired | SessionError::Used => StatusCode::GONE,
    };
    html_page(status, pages::session_error_page(error))
}

fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => {
            tracing::error!(location, "redirect location is not a valid header value");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Builds an HTML response that is never cached, sends no referrer (because the URL contains
/// the link token) and allows no scripts.
fn html_page(status: StatusCode, markup: Markup) -> Response {
    let headers = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        ),
    ];
    (status, headers, markup.into_string()).into_response()
}
