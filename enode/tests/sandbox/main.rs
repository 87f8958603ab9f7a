//! Tests of the client against the real Enode sandbox over HTTP on 127.0.0.1.
//!
//! Each test starts its own sandbox on port 0, so tests run in parallel without sharing
//! state.

mod api;
mod events;
mod logging;
mod retries;
mod support;
mod tokens;
mod webhooks;
