//! Receiving Enode webhook deliveries: signature verification and event parsing.
//!
//! A receiver verifies the signature over the raw body first, then parses the events, stores
//! them and responds with 2xx within 5 seconds. Enode signs no timestamp, so a replayed delivery
//! passes verification: remember the `x-enode-delivery` id to skip repeats.

mod events;
mod signature;

pub use events::{
    CredentialsInvalidatedEvent, EventUser, HeartbeatEvent, ParseEventsError, TestEvent,
    VehicleEvent, VehicleUpdatedEvent, WebhookEvent, parse_events,
};
pub use signature::{DELIVERY_HEADER, SIGNATURE_HEADER, SignatureError, verify_signature};
