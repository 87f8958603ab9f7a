//! HTTP behaviour every response shares: headers, compression and errors for wrong methods.

mod common;

use common::{TestServer, json_of};
use reqwest::StatusCode;

#[tokio::test]
async fn responses_carry_security_headers() {
    let server = TestServer::start().await;
    for path in ["/signup", "/healthz", "/api/me"] {
        let response = reqwest::get(server.url(path)).await.unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(headers.contains_key("x-request-id"), "{path}");
    }
}

#[tokio::test]
async fn request_id_is_kept() {
    let server = TestServer::start().await;
    let response = reqwest::Client::new()
        .get(server.url("/healthz"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-me-123");
}

#[tokio::test]
async fn wrong_method_is_json_405() {
    let server = TestServer::start().await;
    let response = reqwest::get(server.url("/api/signup")).await.unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"], "method_not_allowed");
    assert!(body["message"].as_str().unwrap().contains("GET"), "{body}");
}

#[tokio::test]
async fn bundle_served_gzip_when_accepted() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("carlink.js"), "console.log('plain');").unwrap();
    std::fs::write(pkg.join("carlink.js.gz"), b"\x1f\x8b pretend gzip").unwrap();
    let site_root = site.path().to_owned();
    let server = TestServer::start_with(|settings| settings.site_root = site_root).await;
    let client = reqwest::Client::builder().no_gzip().build().unwrap();

    let compressed = client
        .get(server.url("/pkg/carlink.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status(), StatusCode::OK);
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    assert_eq!(
        compressed.bytes().await.unwrap().as_ref(),
        b"\x1f\x8b pretend gzip"
    );

    let plain = client
        .get(server.url("/pkg/carlink.js"))
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.unwrap(), "console.log('plain');");
}

#[tokio::test]
async fn cross_site_sign_in_is_rejected() {
    let server = TestServer::start().await;
    server.signed_up_client("mallory").await;
    let victim = server.client();

    // What an attacker's page would make the victim's browser send.
    let forged = victim
        .post(server.url("/rpc/sign_in"))
        .header("origin", "http://localhost:8765")
        .header("accept", "text/html")
        .form(&[("username", "mallory"), ("password", common::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(
        forged.headers().get("set-cookie").is_none(),
        "no session for a forged request"
    );
    let (status, _) = json_of(victim.get(server.url("/api/me")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The same form from carlink's own page works.
    let own_origin = server.url.as_str().trim_end_matches('/').to_owned();
    let genuine = victim
        .post(server.url("/rpc/sign_in"))
        .header("origin", own_origin)
        .form(&[("username", "mallory"), ("password", common::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(
        genuine.status().is_success() || genuine.status().is_redirection(),
        "{}",
        genuine.status()
    );
    let (status, _) = json_of(victim.get(server.url("/api/me")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn cross_site_link_start_is_rejected() {
    let server = TestServer::start().await;
    let client = server.signed_up_client("alice").await;
    let response = client
        .get(server.url("/api/user/alice/link?vendor=XPENG"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "forbidden");
}

#[tokio::test]
async fn mounted_sandbox_is_closed() {
    let server = TestServer::start_with(|settings| settings.sandbox_control = false).await;

    // The sandbox's published default credentials do not open the mounted sandbox's API.
    let token = reqwest::Client::new()
        .post(server.sandbox_url("/oauth2/token"))
        .basic_auth("carlink-sandbox", Some("carlink-sandbox-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::UNAUTHORIZED);

    let control = reqwest::get(server.sandbox_url("/_control/counters"))
        .await
        .unwrap();
    assert_eq!(
        control.status(),
        StatusCode::NOT_FOUND,
        "control endpoints are off"
    );

    // carlink itself still links cars through it.
    let client = server.signed_up_client("closed").await;
    let (link_url, _) = server.start_link(&client, "closed", "XPENG").await;
    assert!(
        link_url.starts_with(&server.sandbox_url("/link/")),
        "{link_url}"
    );
}
