//! Accounts and sessions through the JSON API of a real server.

mod common;

use common::{PASSWORD, TestServer, json_of};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn sign_up_signs_in() {
    let server = TestServer::start().await;
    let client = server.client();

    let response = client
        .post(server.url("/api/signup"))
        .json(&json!({ "username": "ada", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get("set-cookie")
        .map(|value| value.to_str().unwrap().to_owned());
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["userId"], "ada");

    let cookie = cookie.expect("sign-up sets a session cookie");
    assert!(cookie.starts_with("carlink_session="), "cookie: {cookie}");
    assert!(cookie.contains("HttpOnly"), "cookie: {cookie}");
    assert!(cookie.contains("SameSite=Lax"), "cookie: {cookie}");
    assert!(
        !cookie.contains("Secure"),
        "an http server must not set Secure: {cookie}"
    );

    let (status, body) = json_of(client.get(server.url("/api/me")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["userId"], "ada");
}

#[tokio::test]
async fn sign_in_with_password() {
    let server = TestServer::start().await;
    server.signed_up_client("grace").await;

    let client = server.client();
    let response = client
        .post(server.url("/api/login"))
        .json(&json!({ "username": "grace", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["userId"], "grace");

    let (status, body) = json_of(client.get(server.url("/api/me")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["userId"], "grace");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_look_alike() {
    let server = TestServer::start().await;
    server.signed_up_client("linus").await;
    let client = server.client();

    let wrong_password = client
        .post(server.url("/api/login"))
        .json(&json!({ "username": "linus", "password": "not the password" }))
        .send()
        .await
        .unwrap();
    let (wrong_password_status, wrong_password_body) = json_of(wrong_password).await;
    let unknown_user = client
        .post(server.url("/api/login"))
        .json(&json!({ "username": "nobody", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let (unknown_user_status, unknown_user_body) = json_of(unknown_user).await;

    assert_eq!(wrong_password_status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_user_status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong_password_body, unknown_user_body,
        "the answer must not reveal which part was wrong"
    );
    assert_eq!(wrong_password_body["error"], "unauthorized");

    let (status, _) = json_of(client.get(server.url("/api/me")).send().await.unwrap()).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a failed sign-in must not start a session"
    );
}

#[tokio::test]
async fn duplicate_username_conflicts() {
    let server = TestServer::start().await;
    server.signed_up_client("margaret").await;

    let response = server
        .client()
        .post(server.url("/api/signup"))
        .json(&json!({ "username": "margaret", "password": "another password" }))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "conflict");
    assert!(
        body["message"].as_str().unwrap().contains("margaret"),
        "message: {body}"
    );

    // The first account still signs in with its own password.
    let response = server
        .client()
        .post(server.url("/api/login"))
        .json(&json!({ "username": "margaret", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn invalid_usernames_get_the_rule() {
    let server = TestServer::start().await;
    let client = server.client();

    for username in [
        "ab",
        "Upper",
        "with space",
        "dots.not.allowed",
        &"x".repeat(65),
    ] {
        let response = client
            .post(server.url("/api/signup"))
            .json(&json!({ "username": username, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(response).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "username {username:?}"
        );
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("3 to 64 characters"),
            "username {username:?}: {message}"
        );
    }
}

#[tokio::test]
async fn short_password_is_rejected() {
    let server = TestServer::start().await;
    let response = server
        .client()
        .post(server.url("/api/signup"))
        .json(&json!({ "username": "shorty", "password": "short" }))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["message"].as_str().unwrap().contains("8 to 128"),
        "message: {body}"
    );
}

#[tokio::test]
async fn malformed_body_is_a_bad_request() {
    let server = TestServer::start().await;
    let client = server.client();

    let not_json = client
        .post(server.url("/api/signup"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(not_json).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "bad_request");

    let missing_field = client
        .post(server.url("/api/signup"))
        .json(&json!({ "username": "nopassword" }))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(missing_field).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["message"].as_str().unwrap().contains("password"),
        "message: {body}"
    );
}

#[tokio::test]
async fn sign_out_ends_session() {
    let server = TestServer::start().await;
    let client = server.signed_up_client("alan").await;

    let response = client.post(server.url("/api/logout")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let (status, _) = json_of(client.get(server.url("/api/me")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signed_out_cookie_stays_dead() {
    let server = TestServer::start().await;
    let client = server.client();
    let response = client
        .post(server.url("/api/signup"))
        .json(&json!({ "username": "barbara", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    client.post(server.url("/api/logout")).send().await.unwrap();

    // Replaying the old cookie value after sign-out must not work.
    let replay = reqwest::Client::new()
        .get(server.url("/api/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn session_survives_restart() {
    let server = TestServer::start().await;
    let client = server.signed_up_client("edsger").await;

    let server = server.restart().await;
    // The restarted server listens on another port; the cookie is sent by host, not port.
    let (status, body) = json_of(client.get(server.url("/api/me")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["userId"], "edsger");
}

#[tokio::test]
async fn user_route_needs_own_session() {
    let server = TestServer::start().await;
    let owner = server.signed_up_client("owner").await;
    let other = server.signed_up_client("other").await;

    let anonymous = server
        .client()
        .get(server.url("/api/user/owner"))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(anonymous).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "unauthorized");

    let (status, body) = json_of(
        other
            .get(server.url("/api/user/owner"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "forbidden");

    let (status, body) = json_of(
        owner
            .get(server.url("/api/user/owner"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["userId"], "owner");
}

#[tokio::test]
async fn healthz_reports_ok() {
    let server = TestServer::start().await;
    let (status, body) = json_of(reqwest::get(server.url("/healthz")).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn unknown_api_path_is_json_404() {
    let server = TestServer::start().await;
    let (status, body) = json_of(
        reqwest::get(server.url("/api/does-not-exist"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn signed_out_page_returns_after_sign_in() {
    let server = TestServer::start().await;
    let response = server
        .client()
        .get(server.url("/callback?state=abc&x=1"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_redirection(),
        "status {}",
        response.status()
    );
    assert_eq!(
        response.headers()["location"],
        "/login?next=%2Fcallback%3Fstate%3Dabc%26x%3D1"
    );
}

#[tokio::test]
async fn sign_in_paused_after_repeated_failures() {
    let server = TestServer::start().await;
    server.signed_up_client("target").await;
    let client = server.client();
    let attempt = |password: &'static str| {
        client
            .post(server.url("/api/login"))
            .json(&json!({ "username": "target", "password": password }))
            .send()
    };

    for _ in 0..carlink_core::MAX_SIGN_IN_FAILURES {
        assert_eq!(
            attempt("wrong password").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, body) = json_of(attempt(PASSWORD).await.unwrap()).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits: {body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("minutes"),
        "{body}"
    );

    let other = server.signed_up_client("bystander").await;
    let (status, _) = json_of(other.get(server.url("/api/me")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "other accounts are not affected");
}

#[tokio::test]
async fn sign_in_burst_is_bounded() {
    let server = TestServer::start().await;
    server.signed_up_client("burst").await;

    // Many concurrent wrong passwords for different usernames all get a 401 and none gets a
    // server error, because hashing waits for a free slot instead of running at once.
    let attempts = (0..24).map(|index| {
        server
            .client()
            .post(server.url("/api/login"))
            .json(&json!({ "username": format!("guess{index}"), "password": "not it at all" }))
            .send()
    });
    for response in futures::future::join_all(attempts).await {
        assert_eq!(response.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn server_function_errors_keep_their_status() {
    let server = TestServer::start().await;
    server.signed_up_client("taken").await;

    // The page's WASM calls server functions without asking for HTML.
    let response = server
        .client()
        .post(server.url("/rpc/sign_up"))
        .header("origin", server.url.as_str().trim_end_matches('/'))
        .form(&[("username", "taken"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"], "conflict");

    // A plain form post still goes back to the form with the error.
    let response = server
        .client()
        .post(server.url("/rpc/sign_up"))
        .header("accept", "text/html")
        .header("referer", server.url("/signup"))
        .form(&[("username", "taken"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(
        location.contains("/signup?") && location.contains("__err="),
        "{location}"
    );
}

#[tokio::test]
async fn https_public_url_makes_cookie_secure() {
    let server = TestServer::start_with(|settings| {
        settings.public_url = Some(url::Url::parse("https://carlink.example.com").unwrap());
    })
    .await;
    let response = server
        .client()
        .post(server.url("/api/signup"))
        .json(&json!({ "username": "secure", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
}
