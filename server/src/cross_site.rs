//! Rejects state-changing requests that another site's page sends with the driver's browser
//! (cross-site request forgery, including signing a driver into an attacker's account).
//!
//! Browsers send `Origin` with every cross-site POST, so a request whose `Origin` is neither
//! this server's `Host` nor its public URL is refused. Requests without `Origin`, such as
//! those from curl or Enode's servers, are let through: they carry no driver's browser state.

use app::error::{AppError, ErrorKind};
use axum::{
    extract::{Request, State},
    http::{HeaderMap, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use url::Url;

/// The authority (`host[:port]`) of carlink's public URL, accepted as an `Origin` besides the
/// request's own `Host`, for servers behind a proxy that rewrites `Host`.
#[derive(Clone)]
pub struct PublicAuthority(pub String);

impl PublicAuthority {
    pub fn of(url: &Url) -> Self {
        Self(authority(url).unwrap_or_default())
    }
}

pub async fn reject_cross_site(
    State(public): State<PublicAuthority>,
    request: Request,
    next: Next,
) -> Response {
    if request.method().is_safe() || is_same_site(request.headers(), &public) {
        return next.run(request).await;
    }

    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("unknown")
        .to_owned();
    tracing::warn!(%origin, method = %request.method(), "cross-site request rejected");
    AppError::new(
        ErrorKind::Forbidden,
        format!(
            "This request came from another site ({origin}) and was rejected. Use carlink's own pages."
        ),
    )
    .into_response()
}

/// True unless the browser marks the request as coming from another site.
fn is_same_site(headers: &HeaderMap, public: &PublicAuthority) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        // Without `Origin`, only Fetch metadata can tell; old browsers send neither.
        return !is_cross_site_fetch(headers);
    };
    let Some(origin) = origin
        .to_str()
        .ok()
        .and_then(|origin| Url::parse(origin).ok())
    else {
        // `Origin: null` (sandboxed frames, file pages) and anything unparsable.
        return false;
    };
    let Some(origin) = authority(&origin) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_ascii_lowercase);
    host.as_deref() == Some(origin.as_str()) || origin == public.0
}

/// True when the browser's Fetch metadata marks the request as coming from another site.
pub fn is_cross_site_fetch(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"cross-site"))
}

/// Returns `host[:port]` of a URL, lower-case, with the port only when it is not the scheme's default,
/// as the `Host` header writes it.
fn authority(url: &Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn public() -> PublicAuthority {
        PublicAuthority::of(&Url::parse("https://carlink.example.com").unwrap())
    }

    #[test]
    fn same_origin_passes() {
        let request = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(is_same_site(&request, &public()));
    }

    #[test]
    fn public_origin_behind_proxy_passes() {
        let request = headers(&[
            ("origin", "https://carlink.example.com"),
            ("host", "10.0.0.5:3000"),
        ]);
        assert!(is_same_site(&request, &public()));
    }

    #[test]
    fn other_origins_are_rejected() {
        for origin in [
            "http://localhost:8765",
            "null",
            "http://127.0.0.1:3001",
            "https://carlink.example.com.evil.test",
        ] {
            let request = headers(&[("origin", origin), ("host", "127.0.0.1:3000")]);
            assert!(!is_same_site(&request, &public()), "{origin}");
        }
    }

    #[test]
    fn missing_origin_uses_fetch_metadata() {
        assert!(is_same_site(
            &headers(&[("host", "127.0.0.1:3000")]),
            &public()
        ));
        assert!(!is_same_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            &public()
        ));
        assert!(is_same_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            &public()
        ));
    }
}
