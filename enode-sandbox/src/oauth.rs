//! The OAuth 2.0 token endpoint (client-credentials grant, RFC 6749 section 4.4).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::state::Shared;

/// `POST /oauth2/token`: checks the Basic credentials and issues an access token.
pub(crate) async fn issue_token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(description) = check_client(&shared, &headers) {
        tracing::info!(%description, "token request rejected");
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", description);
    }

    let grant_type = form_urlencoded::parse(&body)
        .find(|(key, _)| key == "grant_type")
        .map(|(_, value)| value);
    match grant_type.as_deref() {
        Some("client_credentials") => {}
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!("grant_type {other:?} is not supported. Use client_credentials."),
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The form field grant_type is missing. Send grant_type=client_credentials."
                    .to_owned(),
            );
        }
    }

    let lifetime = shared.config.token_lifetime;
    let access_token = shared.lock().issue_token(lifetime);
    tracing::debug!(lifetime_secs = lifetime.as_secs(), "access token issued");
    let body = json!({
        "access_token": access_token,
        "expires_in": lifetime.as_secs(),
        "scope": "",
        "token_type": "bearer",
    });
    let mut response = axum::Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Checks `Authorization: Basic base64(client_id:client_secret)`, comparing in constant time.
fn check_client(shared: &Shared, headers: &HeaderMap) -> Result<(), String> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or("The Authorization header with the client's Basic credentials is missing.")?
        .to_str()
        .map_err(|_| "The Authorization header is not valid text.")?;
    let encoded = value.strip_prefix("Basic ").ok_or(
        "The Authorization header must use the Basic scheme with the client id and secret.",
    )?;
    let decoded = STANDARD
        .decode(encoded.trim())
        .map_err(|_| "The Basic credentials are not valid base64.")?;
    let decoded =
        String::from_utf8(decoded).map_err(|_| "The Basic credentials are not valid UTF-8.")?;
    let (client_id, client_secret) = decoded
        .split_once(':')
        .ok_or("The Basic credentials must have the form client_id:client_secret.")?;

    let config = &shared.config;
    let id_matches = client_id.as_bytes().ct_eq(config.client_id.as_bytes());
    let secret_matches = client_secret
        .as_bytes()
        .ct_eq(config.client_secret.as_bytes());
    if bool::from(id_matches & secret_matches) {
        Ok(())
    } else {
        Err("Unknown client id or wrong client secret.".to_owned())
    }
}

/// Builds an OAuth error response (RFC 6749 section 5.2).
fn oauth_error(status: StatusCode, error: &str, description: String) -> Response {
    let mut response = (
        status,
        axum::Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"enode-sandbox\""),
        );
    }
    response
}
