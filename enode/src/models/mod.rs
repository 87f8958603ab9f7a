//! Typed request and response bodies of Enode's API.
//!
//! Parsing is lenient: unknown fields are ignored, most fields are optional, and enum values
//! this crate does not know become an `Other` variant instead of an error.

pub(crate) mod lenient;
mod link;
mod page;
mod problem;
mod subscription;
mod user;
mod vehicle;
mod vendor;

pub use link::{ColorScheme, LinkSession, LinkSessionRequest, Scope};
pub use page::{Page, Pagination};
pub use problem::ProblemDocument;
pub use subscription::{
    CreateWebhook, EventKind, Webhook, WebhookTestResponse, WebhookTestResult, WebhookTestStatus,
};
pub use user::{LinkedVendor, User};
pub use vehicle::{
    Capability, ChargeState, Location, Odometer, PowerDeliveryState, SmartChargingPolicy, Vehicle,
    VehicleInformation,
};
pub use vendor::{InvalidVendor, Vendor, VendorType};
