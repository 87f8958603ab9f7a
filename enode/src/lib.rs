//! A client for Enode's vehicle API.
//!
//! [`Client`] fetches and shares OAuth client-credentials tokens, retries 429 and 5xx
//! responses with bounded backoff, and returns typed [`models`] or a typed [`Error`]. The
//! [`webhook`] module verifies and parses webhook deliveries. The crate does not depend on
//! the web framework or database of the application that uses it.
//!
//! ```no_run
//! # async fn run() -> Result<(), enode::Error> {
//! use enode::{Client, Config, Urls};
//!
//! let secret = secrecy::SecretString::from("client-secret");
//! let client = Client::new(Config::new(Urls::sandbox(), "client-id", secret))?;
//! let vehicles = client.list_vehicles("user-1").await?;
//! # Ok(())
//! # }
//! ```

mod client;
mod config;
mod error;
pub mod models;
mod retry;
mod routes;
mod token;
mod transport;
pub mod webhook;

pub use client::Client;
pub use config::{Config, DEFAULT_API_VERSION, RetryPolicy, Urls};
pub use error::Error;
pub use models::*;
