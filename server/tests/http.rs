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
