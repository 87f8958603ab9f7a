//! Webhook subscriptions' events and their signed delivery.

mod delivery;
pub(crate) mod events;

pub(crate) use delivery::{dispatch, send_test};
