//! `POST /users/{userId}/link`: validates the request as Enode does and creates a session.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde_json::{Map, Value, json};
use url::Url;

use super::parse_json_object;
use crate::catalog::{self, SCOPES, VEHICLE_VENDOR_TYPE, Vendor};
use crate::linking::LinkSession;
use crate::problem::ApiError;
use crate::state::{Shared, random_token, unknown_vendor};

/// A link session request that passed validation.
#[derive(Debug)]
struct LinkRequest {
    vendor: Option<&'static Vendor>,
    scopes: Vec<String>,
    redirect_uri: Url,
    color_scheme: &'static str,
}

pub(crate) async fn create_link_session(
    State(shared): State<Arc<Shared>>,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    validate_user_id(&user_id)?;
    let request = parse_link_request(&parse_json_object(&body)?)?;

    let link_token = random_token();
    let session = LinkSession {
        user_id: user_id.clone(),
        vendor: request.vendor,
        scopes: request.scopes,
        redirect_uri: request.redirect_uri,
        color_scheme: request.color_scheme,
        expires_at: Instant::now() + shared.config.link_session_lifetime,
        account: None,
        used: false,
    };
    {
        let mut state = shared.lock();
        state.prune_link_sessions(shared.config.link_session_lifetime);
        state.ensure_user(&user_id);
        state.link_sessions.insert(link_token.clone(), session);
    }
    tracing::info!(%user_id, vendor = request.vendor.map(|vendor| vendor.id), "link session created");

    let link_url = shared.config.url_for(&format!("/link/{link_token}"));
    Ok(Json(
        json!({ "linkUrl": link_url, "linkToken": link_token }),
    ))
}

/// Rejects user ids that cannot round-trip through a URL path segment unchanged.
pub(crate) fn validate_user_id(user_id: &str) -> Result<(), ApiError> {
    if user_id.trim().is_empty() || user_id.len() > 256 {
        return Err(ApiError::BadRequest(
            "userId must be a non-empty string of at most 256 bytes.".to_owned(),
        ));
    }
    Ok(())
}

fn parse_link_request(body: &Map<String, Value>) -> Result<LinkRequest, ApiError> {
    check_vendor_type(body.get("vendorType"))?;
    let vendor = parse_vendor(body.get("vendor"))?;
    let scopes = parse_scopes(body.get("scopes"))?;
    check_language(body.get("language"))?;
    let redirect_uri = parse_redirect_uri(body.get("redirectUri"))?;
    let color_scheme = parse_color_scheme(body.get("colorScheme"))?;
    Ok(LinkRequest {
        vendor,
        scopes,
        redirect_uri,
        color_scheme,
    })
}

fn bad_request(detail: String) -> ApiError {
    ApiError::BadRequest(detail)
}

fn check_vendor_type(value: Option<&Value>) -> Result<(), ApiError> {
    match value {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(kind)) if kind == VEHICLE_VENDOR_TYPE => Ok(()),
        Some(Value::String(kind)) => Err(bad_request(format!(
            "Unknown vendorType {kind:?}. The sandbox links vehicles only: set vendorType to \"vehicle\" or leave it out."
        ))),
        Some(_) => Err(bad_request(
            "vendorType must be a string such as \"vehicle\".".to_owned(),
        )),
    }
}

fn parse_vendor(value: Option<&Value>) -> Result<Option<&'static Vendor>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(vendor)) => catalog::find_vendor(vendor)
            .map(Some)
            .ok_or_else(|| unknown_vendor(vendor)),
        Some(_) => Err(bad_request(
            "vendor must be a string such as \"XPENG\", or left out for the brand choice."
                .to_owned(),
        )),
    }
}

fn known_scopes() -> String {
    SCOPES
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_scopes(value: Option<&Value>) -> Result<Vec<String>, ApiError> {
    let items = match value {
        None | Some(Value::Null) => {
            return Err(bad_request(format!(
                "The field scopes is missing. Send the scopes to request as an array, from: {}.",
                known_scopes()
            )));
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(bad_request(
                "scopes must be an array of strings such as [\"vehicle:read:data\"].".to_owned(),
            ));
        }
    };
    if items.is_empty() {
        return Err(bad_request(format!(
            "scopes is empty. Request at least one scope, from: {}.",
            known_scopes()
        )));
    }

    let mut scopes: Vec<String> = Vec::new();
    for item in items {
        let Some(scope) = item.as_str() else {
            return Err(bad_request(
                "scopes must contain only strings such as \"vehicle:read:data\".".to_owned(),
            ));
        };
        if catalog::scope_description(scope).is_none() {
            return Err(bad_request(format!(
                "Unknown scope {scope:?} in scopes. Use scopes from: {}.",
                known_scopes()
            )));
        }
        if !scopes.iter().any(|seen| seen == scope) {
            scopes.push(scope.to_owned());
        }
    }
    Ok(scopes)
}

fn check_language(value: Option<&Value>) -> Result<(), ApiError> {
    let language = match value {
        None | Some(Value::Null) => {
            return Err(bad_request(
                "The field language is missing. Send a BCP 47 language tag such as \"en-US\", or \"browser\".".to_owned(),
            ));
        }
        Some(Value::String(language)) => language,
        Some(_) => {
            return Err(bad_request(
                "language must be a string such as \"en-US\" or \"browser\".".to_owned(),
            ));
        }
    };
    if language == "browser" || is_language_tag(language) {
        Ok(())
    } else {
        Err(bad_request(format!(
            "language {language:?} is not a BCP 47 language tag. Send a tag such as \"en-US\", or \"browser\"."
        )))
    }
}

/// Checks the shape of a BCP 47 tag: a 2 to 8 letter primary subtag, then subtags of 1 to 8
/// letters or digits.
fn is_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let primary_ok = subtags.next().is_some_and(|primary| {
        (2..=8).contains(&primary.len()) && primary.bytes().all(|byte| byte.is_ascii_alphabetic())
    });
    primary_ok
        && subtags.all(|subtag| {
            (1..=8).contains(&subtag.len())
                && subtag.bytes().all(|byte| byte.is_ascii_alphanumeric())
        })
}

fn parse_redirect_uri(value: Option<&Value>) -> Result<Url, ApiError> {
    let text = match value {
        None | Some(Value::Null) => {
            return Err(bad_request(
                "The field redirectUri is missing. Send the absolute URL that Link UI redirects to when the user is done, such as \"https://app.example/link/callback?state=...\".".to_owned(),
            ));
        }
        Some(Value::String(text)) => text,
        Some(_) => {
            return Err(bad_request(
                "redirectUri must be a string holding an absolute URL.".to_owned(),
            ));
        }
    };
    match Url::parse(text) {
        Ok(url) if !url.cannot_be_a_base() => Ok(url),
        _ => Err(bad_request(format!(
            "redirectUri {text:?} is not an absolute URL. Include the scheme and host, such as \"https://app.example/link/callback\"."
        ))),
    }
}

fn parse_color_scheme(value: Option<&Value>) -> Result<&'static str, ApiError> {
    match value.and_then(Value::as_str) {
        None if value.is_none_or(Value::is_null) => Ok("system"),
        Some("system") => Ok("system"),
        Some("light") => Ok("light"),
        Some("dark") => Ok("dark"),
        _ => Err(bad_request(
            "colorScheme must be \"system\", \"light\" or \"dark\".".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tag_en_us() {
        assert!(is_language_tag("en-US"));
    }

    #[test]
    fn language_tag_rejects_spaces() {
        assert!(!is_language_tag("en US"));
    }

    #[test]
    fn language_tag_rejects_one_letter() {
        assert!(!is_language_tag("e"));
    }
}
