//! carlink's server: the pages, the JSON API, the SQLite store and, without Enode credentials,
//! the built-in Enode sandbox. `main.rs` and the integration tests both start it through
//! [`Application`].

mod api;
pub mod config;
mod cross_site;
mod startup;
pub mod telemetry;

pub use startup::Application;
