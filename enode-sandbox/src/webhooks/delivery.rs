use std::error::Error as _;
use std::sync::{Arc, Weak};

use hmac::{Hmac, Mac};
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;
use sha1::Sha1;
use url::Url;

use super::events::PendingEvent;
use crate::problem::ApiError;
use crate::state::{DeliveryRecord, Shared, Webhook, now};

/// Events per delivery, as at Enode.
const MAX_BATCH: usize = 100;

/// Characters of the receiver's response body kept for the test endpoint's result.
const MAX_RESPONSE_BODY: usize = 1024;

/// The destination and signing secret of one subscription's deliveries.
#[derive(Clone)]
struct Target {
    webhook_id: String,
    url: Url,
    secret: String,
    api_version: String,
}

impl Target {
    fn of(webhook: &Webhook) -> Self {
        Self {
            webhook_id: webhook.id.clone(),
            url: webhook.url.clone(),
            secret: webhook.secret.clone(),
            api_version: webhook.api_version.clone(),
        }
    }
}

/// The result of one delivery attempt.
pub(crate) struct AttemptOutcome {
    pub status_code: Option<u16>,
    pub body: Option<String>,
    pub error: Option<String>,
}

impl AttemptOutcome {
    pub fn is_success(&self) -> bool {
        self.status_code
            .is_some_and(|code| (200..300).contains(&code))
    }
}

/// Sends `events` to every active subscription that wants them, in batches of at most 100,
/// each retried in the background until it succeeds or the retry intervals run out.
pub(crate) fn dispatch(shared: &Arc<Shared>, events: Vec<PendingEvent>) {
    if events.is_empty() {
        return;
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::error!(
            count = events.len(),
            "no tokio runtime to deliver webhook events on, so they are dropped"
        );
        return;
    };

    let targets: Vec<(Target, Vec<&PendingEvent>)> = {
        let state = shared.lock();
        let mut webhooks: Vec<_> = state
            .webhooks
            .values()
            .filter(|webhook| webhook.is_active)
            .collect();
        webhooks.sort_by_key(|webhook| webhook.seq);
        webhooks
            .into_iter()
            .map(|webhook| {
                let wanted = events
                    .iter()
                    .filter(|event| webhook.wants(event.name))
                    .collect();
                (Target::of(webhook), wanted)
            })
            .collect()
    };

    for (target, wanted) in targets {
        for batch in wanted.chunks(MAX_BATCH) {
            let names: Vec<String> = batch.iter().map(|event| event.name.to_owned()).collect();
            let body = batch_body(batch, &target.api_version);
            runtime.spawn(deliver_with_retries(
                Arc::downgrade(shared),
                target.clone(),
                body,
                names,
            ));
        }
    }
}

/// Sends one `enode:webhook:test` event once, without retries.
pub(crate) async fn send_test(
    shared: &Arc<Shared>,
    webhook_id: &str,
) -> Result<AttemptOutcome, ApiError> {
    let target = {
        let state = shared.lock();
        let webhook = state
            .webhooks
            .get(webhook_id)
            .ok_or_else(|| ApiError::NotFound(format!("Webhook {webhook_id:?} does not exist.")))?;
        Target::of(webhook)
    };
    let event = PendingEvent::webhook_test(now());
    let names = vec![event.name.to_owned()];
    let body = batch_body(&[&event], &target.api_version);
    let delivery_id = uuid::Uuid::new_v4().to_string();

    let outcome = post_batch(shared, &target, &delivery_id, body).await;
    shared
        .lock()
        .record_delivery(record(&target, &delivery_id, 1, &outcome, names));
    Ok(outcome)
}

fn batch_body(batch: &[&PendingEvent], api_version: &str) -> Vec<u8> {
    let events: Vec<Value> = batch
        .iter()
        .map(|event| event.to_json(api_version))
        .collect();
    serde_json::to_vec(&events).unwrap_or_default()
}

/// Attempts one batch until the receiver responds with 2xx. Stops early when the sandbox is dropped
/// or the subscription is deleted or inactive. After the last failed retry it drops the batch
/// and marks the subscription inactive.
async fn deliver_with_retries(
    shared: Weak<Shared>,
    target: Target,
    body: Vec<u8>,
    events: Vec<String>,
) {
    let delivery_id = uuid::Uuid::new_v4().to_string();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let Some(strong) = shared.upgrade() else {
            return;
        };
        let active = strong
            .lock()
            .webhooks
            .get(&target.webhook_id)
            .is_some_and(|webhook| webhook.is_active);
        if !active {
            tracing::info!(webhook_id = %target.webhook_id, delivery_id, "webhook deleted or inactive, so the batch is dropped");
            return;
        }

        let outcome = post_batch(&strong, &target, &delivery_id, body.clone()).await;
        strong.lock().record_delivery(record(
            &target,
            &delivery_id,
            attempt,
            &outcome,
            events.clone(),
        ));
        if outcome.is_success() {
            tracing::debug!(webhook_id = %target.webhook_id, delivery_id, attempt, "webhook delivered");
            return;
        }

        let failure = outcome
            .error
            .clone()
            .unwrap_or_else(|| format!("status {}", outcome.status_code.unwrap_or(0)));
        match strong
            .config
            .webhook_retry_intervals
            .get(attempt - 1)
            .copied()
        {
            Some(wait) => {
                tracing::warn!(webhook_id = %target.webhook_id, delivery_id, attempt, %failure, retry_in = ?wait, "webhook delivery failed, retrying");
                drop(strong);
                tokio::time::sleep(wait).await;
            }
            None => {
                tracing::warn!(webhook_id = %target.webhook_id, delivery_id, attempt, %failure, "webhook delivery failed after the last retry, so the batch is dropped and the webhook deactivated");
                if let Some(webhook) = strong.lock().webhooks.get_mut(&target.webhook_id) {
                    webhook.is_active = false;
                }
                return;
            }
        }
    }
}

async fn post_batch(
    shared: &Shared,
    target: &Target,
    delivery_id: &str,
    body: Vec<u8>,
) -> AttemptOutcome {
    let signature = match sign(&target.secret, &body) {
        Ok(signature) => signature,
        Err(error) => {
            return AttemptOutcome {
                status_code: None,
                body: None,
                error: Some(error),
            };
        }
    };
    let response = shared
        .http
        .post(target.url.clone())
        .header(CONTENT_TYPE, "application/json")
        .header("x-enode-delivery", delivery_id)
        .header("x-enode-signature", format!("sha1={signature}"))
        .body(body)
        .send()
        .await;

    match response {
        Ok(response) => {
            let status_code = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            let body = text.chars().take(MAX_RESPONSE_BODY).collect();
            AttemptOutcome {
                status_code: Some(status_code),
                body: Some(body),
                error: None,
            }
        }
        Err(error) => AttemptOutcome {
            status_code: None,
            body: None,
            error: Some(describe(&error)),
        },
    }
}

/// Returns the lowercase hex HMAC-SHA1 of `body` keyed with `secret`.
pub(crate) fn sign(secret: &str, body: &[u8]) -> Result<String, String> {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes())
        .map_err(|error| format!("signing failed: {error}"))?;
    mac.update(body);
    Ok(hex::encode(mac.finalize().into_bytes()))
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out after 5 seconds".to_owned();
    }
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn record(
    target: &Target,
    delivery_id: &str,
    attempt: usize,
    outcome: &AttemptOutcome,
    events: Vec<String>,
) -> DeliveryRecord {
    DeliveryRecord {
        id: delivery_id.to_owned(),
        webhook_id: target.webhook_id.clone(),
        url: target.url.to_string(),
        attempt,
        status_code: outcome.status_code,
        error: outcome.error.clone(),
        event_count: events.len(),
        events,
        attempted_at: now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_known_vector() {
        // RFC 2202 test case 2.
        let signature = sign("Jefe", b"what do ya want for nothing?").unwrap();
        assert_eq!(signature, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }
}
