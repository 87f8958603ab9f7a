//! Logging: one `tracing` span per request with its id, and the shutdown signal.

use std::{io::IsTerminal, time::Duration};

use axum::http::{HeaderName, HeaderValue, header};
use axum::{body::Body, extract::MatchedPath, http::Request, response::Response};
use tower_http::{
    classify::ServerErrorsFailureClass,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};
use tracing::Span;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

const REQUEST_ID_HEADER: &str = "x-request-id";

/// Installs the global subscriber. `RUST_LOG` overrides the default filter.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,sqlx=warn,tower_http=warn,hyper=warn,leptos=warn")
    });
    // Colours only on a terminal, and never when NO_COLOR is set.
    let ansi = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_ansi(ansi))
        .try_init();
}

/// Gives each request an `x-request-id` (kept if the client sent one), echoes it in the response,
/// logs one line per request inside a span that carries the id, and adds security headers.
pub fn request_layers<S>(router: axum::Router<S>) -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request<Body>| {
            let request_id = request
                .headers()
                .get(REQUEST_ID_HEADER)
                .and_then(|value| value.to_str().ok())
                .unwrap_or("-");
            // The route template, such as `/api/user/{user_id}/link`, rather than the path and
            // query, which can carry link tokens and states. Unrouted paths are logged as sent.
            let route = request
                .extensions()
                .get::<MatchedPath>()
                .map_or_else(|| request.uri().path(), MatchedPath::as_str);
            tracing::info_span!(
                "request",
                method = %request.method(),
                route = %route,
                request_id = %request_id,
            )
        })
        .on_request(())
        .on_response(|response: &Response, latency: Duration, _span: &Span| {
            tracing::info!(
                status = response.status().as_u16(),
                latency_ms = latency.as_millis() as u64,
                "request finished"
            );
        })
        .on_failure(
            |failure: ServerErrorsFailureClass, latency: Duration, _span: &Span| {
                tracing::warn!(%failure, latency_ms = latency.as_millis() as u64, "request failed");
            },
        );

    // Headers every response gets unless it sets its own. They forbid MIME sniffing, framing by
    // other sites (clickjacking), plugins and base-URL changes. They also keep the full URL out
    // of the `Referer` sent to other sites, because callback URLs carry the link's state.
    let default_header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };

    router
        .layer(default_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(default_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(default_header(header::REFERRER_POLICY, "same-origin"))
        .layer(default_header(
            header::CONTENT_SECURITY_POLICY,
            "frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(trace)
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "listening for Ctrl-C failed");
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "listening for SIGTERM failed");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
