//! Webhook subscriptions: list, create, delete and test.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use url::Url;

use super::parse_json_object;
use crate::catalog::{DEFAULT_API_VERSION, SUBSCRIBABLE_EVENTS, is_api_version};
use crate::pagination::{PageQuery, page};
use crate::problem::ApiError;
use crate::state::{Shared, Webhook, now};
use crate::webhooks;

/// Minimum secret length: 128 bits.
const MIN_SECRET_BYTES: usize = 16;

/// `GET /webhooks`.
pub(crate) async fn list_webhooks(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw_query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = PageQuery::parse(raw_query.as_deref())?;
    let state = shared.lock();
    let mut webhooks: Vec<(u64, Value)> = state
        .webhooks
        .values()
        .map(|webhook| (webhook.seq, webhook.to_json()))
        .collect();
    webhooks.sort_by_key(|(seq, _)| *seq);
    let (data, pagination) = page(webhooks, &query);
    Ok(Json(json!({ "data": data, "pagination": pagination })))
}

/// `POST /webhooks` with `{"url", "secret", "events"?, "apiVersion"?}`.
pub(crate) async fn create_webhook(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = parse_json_object(&body)?;
    let url = parse_url(&body)?;
    let secret = parse_secret(&body)?;
    let events = parse_events(&body)?;
    let api_version = parse_api_version(&body)?;

    let json = {
        let mut state = shared.lock();
        let seq = state.next_seq();
        let webhook = Webhook {
            id: uuid::Uuid::new_v4().to_string(),
            seq,
            url,
            secret,
            events,
            is_active: true,
            created_at: now(),
            api_version,
        };
        let json = webhook.to_json();
        tracing::info!(webhook_id = %webhook.id, url = %webhook.url, "webhook created");
        state.webhooks.insert(webhook.id.clone(), webhook);
        json
    };
    Ok(Json(json))
}

/// `DELETE /webhooks/{id}`.
pub(crate) async fn delete_webhook(
    State(shared): State<Arc<Shared>>,
    Path(webhook_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    shared
        .lock()
        .webhooks
        .remove(&webhook_id)
        .ok_or_else(|| ApiError::NotFound(format!("Webhook {webhook_id:?} does not exist.")))?;
    tracing::info!(%webhook_id, "webhook deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /webhooks/{id}/test`: delivers one `enode:webhook:test` event and reports the
/// receiver's response.
pub(crate) async fn test_webhook(
    State(shared): State<Arc<Shared>>,
    Path(webhook_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let outcome = webhooks::send_test(&shared, &webhook_id).await?;
    let (status, description) = match (outcome.is_success(), outcome.status_code, &outcome.error) {
        (true, Some(code), _) => ("SUCCESS", format!("The receiver responded with {code}.")),
        (false, Some(code), _) => (
            "FAILURE",
            format!("The receiver responded with {code}, but a 2xx status was expected."),
        ),
        (_, None, error) => (
            "FAILURE",
            format!(
                "The delivery failed: {}.",
                error.as_deref().unwrap_or("unknown error")
            ),
        ),
    };
    let response = outcome
        .status_code
        .map(|code| json!({ "code": code, "body": outcome.body.unwrap_or_default() }));
    Ok(Json(
        json!({ "status": status, "description": description, "response": response }),
    ))
}

fn parse_url(body: &Map<String, Value>) -> Result<Url, ApiError> {
    let text = match body.get("url") {
        Some(Value::String(text)) => text,
        None | Some(Value::Null) => {
            return Err(ApiError::BadRequest(
                "The field url is missing. Send the absolute http or https URL that receives deliveries.".to_owned(),
            ));
        }
        Some(_) => {
            return Err(ApiError::BadRequest(
                "url must be a string holding an absolute URL.".to_owned(),
            ));
        }
    };
    match Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(url),
        _ => Err(ApiError::BadRequest(format!(
            "url {text:?} is not an absolute http or https URL. Send one such as \"https://app.example/webhooks/enode\"."
        ))),
    }
}

fn parse_secret(body: &Map<String, Value>) -> Result<String, ApiError> {
    match body.get("secret") {
        Some(Value::String(secret)) if secret.len() >= MIN_SECRET_BYTES => Ok(secret.clone()),
        Some(Value::String(secret)) => Err(ApiError::BadRequest(format!(
            "secret is {} bytes long. Send a random secret of at least {MIN_SECRET_BYTES} bytes (128 bits).",
            secret.len()
        ))),
        None | Some(Value::Null) => Err(ApiError::BadRequest(format!(
            "The field secret is missing. Send a random secret of at least {MIN_SECRET_BYTES} bytes, which signs every delivery."
        ))),
        Some(_) => Err(ApiError::BadRequest("secret must be a string.".to_owned())),
    }
}

fn parse_events(body: &Map<String, Value>) -> Result<Vec<String>, ApiError> {
    let items = match body.get("events") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ApiError::BadRequest(
                "events must be an array of event names.".to_owned(),
            ));
        }
    };
    let mut events = Vec::new();
    for item in items {
        match item.as_str() {
            Some(name) if SUBSCRIBABLE_EVENTS.contains(&name) => events.push(name.to_owned()),
            _ => {
                return Err(ApiError::BadRequest(format!(
                    "events contains {item}, which is not an event name. Use names from: {}.",
                    SUBSCRIBABLE_EVENTS.join(", ")
                )));
            }
        }
    }
    Ok(events)
}

fn parse_api_version(body: &Map<String, Value>) -> Result<String, ApiError> {
    match body.get("apiVersion") {
        None | Some(Value::Null) => Ok(DEFAULT_API_VERSION.to_owned()),
        Some(Value::String(version)) if is_api_version(version) => Ok(version.clone()),
        Some(other) => Err(ApiError::BadRequest(format!(
            "apiVersion {other} is not a date. Send a version such as \"{DEFAULT_API_VERSION}\"."
        ))),
    }
}
