//! The link flow through the JSON API and the server functions of a real server, against the
//! Enode sandbox over HTTP.

mod common;

use std::time::Duration;

use common::{SandboxServer, TestServer, complete_link, control, counters, json_of};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DUO: &str = "duo@sandbox.test";

/// Signs up `user`, starts an XPENG link and completes it in the sandbox as `email`.
async fn linked(server: &TestServer, user: &str, email: &str) -> (reqwest::Client, String) {
    let client = server.signed_up_client(user).await;
    let (_, token) = server.start_link(&client, user, "XPENG").await;
    complete_link(&server.sandbox_url(""), &token, email, "allow").await;
    (client, token)
}

fn vehicle_ids(body: &Value) -> Vec<String> {
    let mut ids: Vec<String> = body["vehicles"]
        .as_array()
        .expect("vehicles array")
        .iter()
        .map(|vehicle| vehicle["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn link_flow_saves_vendor_and_vehicles() {
    let server = TestServer::start().await;
    let client = server.signed_up_client("ada").await;

    let (link_url, token) = server.start_link(&client, "ada", "XPENG").await;
    assert!(
        link_url.starts_with(&server.sandbox_url("/link/")),
        "linkUrl {link_url}"
    );
    assert!(!token.is_empty());

    let redirect = complete_link(&server.sandbox_url(""), &token, DUO, "allow").await;
    assert_eq!(redirect.path(), "/callback");
    let state = redirect
        .query_pairs()
        .find(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned());
    assert!(
        state.is_some_and(|state| state.len() >= 40),
        "redirect {redirect} carries an unguessable state"
    );

    let (status, body) = server.confirm(&client, &token).await;
    assert_eq!(status, StatusCode::OK, "confirm: {body}");
    assert_eq!(body["vendor"]["vendor"], "XPENG");
    assert_eq!(body["vendor"]["isValid"], true);
    let vehicles = body["vehicles"].as_array().unwrap();
    assert_eq!(vehicles.len(), 2, "duo@sandbox.test has two cars: {body}");
    for vehicle in vehicles {
        assert_eq!(vehicle["vendor"], "XPENG");
        assert!(
            vehicle["batteryLevel"].is_number(),
            "battery level of {vehicle}"
        );
        assert!(vehicle["rangeKm"].is_number(), "range of {vehicle}");
        assert!(
            vehicle["chargingState"].is_string(),
            "charging state of {vehicle}"
        );
        assert!(vehicle["lastSeen"].is_string(), "last seen of {vehicle}");
        assert_eq!(
            vehicle["vin"].as_str().map(str::len),
            Some(17),
            "VIN of {vehicle}"
        );
    }

    let garage = server.garage(&client, "ada").await;
    assert_eq!(garage["vendors"].as_array().unwrap().len(), 1);
    assert_eq!(garage["vendors"][0]["vendor"], "XPENG");
    assert_eq!(vehicle_ids(&garage), vehicle_ids(&body));
}

#[tokio::test]
async fn callback_state_confirms_through_server_function() {
    let server = TestServer::start().await;
    let client = server.signed_up_client("grace").await;
    let (_, token) = server.start_link(&client, "grace", "TESLA").await;
    let redirect = complete_link(
        &server.sandbox_url(""),
        &token,
        "fleet@sandbox.test",
        "allow",
    )
    .await;
    let state = redirect
        .query_pairs()
        .find(|(name, _)| name == "state")
        .unwrap()
        .1
        .into_owned();

    // The callback page's status call, then its confirm call, as the hydrated page makes them.
    let status = client
        .post(server.url("/rpc/link_status"))
        .form(&[("state", state.as_str())])
        .send()
        .await
        .unwrap();
    let (code, body) = json_of(status).await;
    assert_eq!(code, StatusCode::OK, "link status: {body}");
    assert_eq!(body["vendor"]["id"], "TESLA");
    assert!(body["expired"].is_null(), "not expired: {body}");
    assert!(body["result"].is_null(), "not confirmed yet: {body}");

    let confirm = client
        .post(server.url("/rpc/confirm_link"))
        .form(&[("state", state.as_str())])
        .send()
        .await
        .unwrap();
    let (code, body) = json_of(confirm).await;
    assert_eq!(code, StatusCode::OK, "confirm: {body}");
    assert_eq!(body["vehicles"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn confirm_again_returns_same_result() {
    let server = TestServer::start().await;
    let (client, token) = linked(&server, "linus", DUO).await;

    let (first_status, first) = server.confirm(&client, &token).await;
    let before = counters(server.sandbox_url("/_control/counters")).await;
    let (second_status, second) = server.confirm(&client, &token).await;
    let after = counters(server.sandbox_url("/_control/counters")).await;

    assert_eq!(first_status, StatusCode::OK);
    assert_eq!(second_status, StatusCode::OK);
    assert_eq!(vehicle_ids(&first), vehicle_ids(&second));
    assert_eq!(first["vendor"], second["vendor"]);
    assert_eq!(
        before["get_user"], after["get_user"],
        "a repeated confirm must not call Enode"
    );
    assert_eq!(before["list_vehicles"], after["list_vehicles"]);
}

#[tokio::test]
async fn concurrent_confirms_write_once() {
    let server = TestServer::start().await;
    let (client, token) = linked(&server, "margaret", "fleet@sandbox.test").await;
    let before = counters(server.sandbox_url("/_control/counters")).await;

    let confirms = (0..20).map(|_| server.confirm(&client, &token));
    let results = futures::future::join_all(confirms).await;

    let first_ids = vehicle_ids(&results[0].1);
    assert_eq!(first_ids.len(), 3);
    for (status, body) in &results {
        assert_eq!(*status, StatusCode::OK, "confirm: {body}");
        assert_eq!(vehicle_ids(body), first_ids);
    }
    let garage = server.garage(&client, "margaret").await;
    assert_eq!(
        garage["vendors"].as_array().unwrap().len(),
        1,
        "one vendor row: {garage}"
    );
    assert_eq!(vehicle_ids(&garage), first_ids, "no duplicate vehicles");

    let after = counters(server.sandbox_url("/_control/counters")).await;
    let calls = |name: &str| after[name].as_u64().unwrap_or(0) - before[name].as_u64().unwrap_or(0);
    assert_eq!(calls("get_user"), 1, "20 confirms make one user call");
    assert_eq!(
        calls("list_vehicles"),
        1,
        "20 confirms make one vehicle list call"
    );
    assert_eq!(
        calls("oauth_token"),
        0,
        "the token from starting the link is reused"
    );
}

#[tokio::test]
async fn unknown_vendor_names_valid_ones() {
    let server = TestServer::start().await;
    let client = server.signed_up_client("alan").await;

    let response = client
        .get(server.url("/api/user/alan/link?vendor=DELOREAN"))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("DELOREAN"), "{message}");
    assert!(message.contains("XPENG"), "{message}");
    assert!(message.contains("TESLA"), "{message}");

    let response = client
        .get(server.url("/api/user/alan/link"))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("vendor"),
        "{body}"
    );
}

#[tokio::test]
async fn vendor_is_case_insensitive() {
    let server = TestServer::start().await;
    let client = server.signed_up_client("barbara").await;
    let (link_url, _) = server.start_link(&client, "barbara", "xpeng").await;
    assert!(link_url.contains("/sandbox/link/"), "{link_url}");
}

#[tokio::test]
async fn start_needs_own_session() {
    let server = TestServer::start().await;
    server.signed_up_client("owner").await;
    let other = server.signed_up_client("other").await;

    let anonymous = server
        .client()
        .get(server.url("/api/user/owner/link?vendor=XPENG"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let foreign = other
        .get(server.url("/api/user/owner/link?vendor=XPENG"))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let foreign_vehicles = other
        .get(server.url("/api/user/owner/vehicles"))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign_vehicles.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn cancelled_link_saves_nothing() {
    let server = TestServer::start().await;
    let client = server.signed_up_client("edsger").await;
    let (_, token) = server.start_link(&client, "edsger", "XPENG").await;

    let redirect = complete_link(&server.sandbox_url(""), &token, DUO, "cancel").await;
    let query: Vec<(String, String)> = redirect.query_pairs().into_owned().collect();
    assert!(
        query.contains(&("error".into(), "access_denied".into())),
        "{redirect}"
    );
    assert!(query.iter().any(|(name, _)| name == "state"), "{redirect}");

    let (status, body) = server.confirm(&client, &token).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("start again"),
        "{body}"
    );

    let garage = server.garage(&client, "edsger").await;
    assert_eq!(garage["vendors"], json!([]));
    assert_eq!(garage["vehicles"], json!([]));
}

#[tokio::test]
async fn unknown_or_malformed_token_is_404() {
    let server = TestServer::start().await;
    let client = server.signed_up_client("tony").await;

    for token in [
        "no-such-token",
        "",
        "   ",
        "'; DROP TABLE pending_links; --",
    ] {
        let (status, body) = server.confirm(&client, token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "token {token:?}: {body}");
        assert_eq!(body["error"], "not_found");
    }

    let missing_field = client
        .post(server.url("/api/confirm-link"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing_field.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn expired_link_is_gone() {
    let server =
        TestServer::start_with(|settings| settings.link_lifetime = Duration::from_secs(1)).await;
    let (client, token) = linked(&server, "niklaus", DUO).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let (status, body) = server.confirm(&client, &token).await;
    assert_eq!(status, StatusCode::GONE, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("XPENG"),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("Start again"),
        "{body}"
    );
    assert_eq!(
        server.garage(&client, "niklaus").await["vehicles"],
        json!([])
    );
}

#[tokio::test]
async fn session_expired_at_enode_is_not_completed() {
    let server = TestServer::start().await;
    let client = server.signed_up_client("ken").await;
    let (_, token) = server.start_link(&client, "ken", "XPENG").await;
    control(
        server.sandbox_url(&format!("/_control/link-sessions/{token}/expire")),
        json!({}),
    )
    .await;

    // Link UI rejects the expired session, so the driver never links the vendor.
    let link_ui = server
        .client()
        .get(server.sandbox_url(&format!("/link/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(link_ui.status(), StatusCode::GONE);

    let (status, body) = server.confirm(&client, &token).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("start again"),
        "{body}"
    );
}

#[tokio::test]
async fn another_users_link_is_forbidden() {
    let server = TestServer::start().await;
    let (_, token) = linked(&server, "owner", DUO).await;
    let intruder = server.signed_up_client("intruder").await;

    let (status, body) = server.confirm(&intruder, &token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "forbidden");
    let message = body["message"].as_str().unwrap();
    assert!(
        !message.contains("XPENG"),
        "nothing about the link leaks: {message}"
    );
    assert!(
        !message.contains("owner"),
        "nothing about the link leaks: {message}"
    );
    assert_eq!(
        server.garage(&intruder, "intruder").await["vehicles"],
        json!([])
    );
}

#[tokio::test]
async fn enode_failure_keeps_link_usable() {
    let server =
        TestServer::start_with(|settings| settings.enode_timeout = Duration::from_secs(1)).await;
    let (client, token) = linked(&server, "barbara", DUO).await;
    let faults = server.sandbox_url("/_control/faults");

    // 503 on every attempt of the vehicle list: the user call passed, nothing may be saved.
    control(
        faults.clone(),
        json!({ "route": "list_vehicles", "status": 503, "count": 10 }),
    )
    .await;
    let (status, body) = server.confirm(&client, &token).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("try again"),
        "{body}"
    );
    let garage = server.garage(&client, "barbara").await;
    assert_eq!(
        garage["vendors"],
        json!([]),
        "no vendor saved after a failure"
    );
    assert_eq!(
        garage["vehicles"],
        json!([]),
        "no vehicles saved after a failure"
    );

    // 429 with Retry-After on every attempt.
    reqwest::Client::new().delete(&faults).send().await.unwrap();
    control(
        faults.clone(),
        json!({ "route": "get_user", "status": 429, "count": 10, "retryAfterSeconds": 1 }),
    )
    .await;
    let (status, _) = server.confirm(&client, &token).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);

    // Responses slower than the 1 s timeout.
    reqwest::Client::new().delete(&faults).send().await.unwrap();
    control(
        faults.clone(),
        json!({ "route": "get_user", "delayMs": 3000, "count": 10 }),
    )
    .await;
    let (status, _) = server.confirm(&client, &token).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);

    // Once Enode responds again, the same link confirms.
    reqwest::Client::new().delete(&faults).send().await.unwrap();
    let (status, body) = server.confirm(&client, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["vehicles"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn transient_failure_is_retried() {
    let server = TestServer::start().await;
    let (client, token) = linked(&server, "frances", DUO).await;
    control(
        server.sandbox_url("/_control/faults"),
        json!({ "route": "get_user", "status": 502, "count": 1 }),
    )
    .await;

    let (status, body) = server.confirm(&client, &token).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "one 502 is retried by the client: {body}"
    );
}

#[tokio::test]
async fn enode_unreachable_is_503() {
    let sandbox = SandboxServer::start().await;
    let unreachable = {
        // A port that was free a moment ago: nothing listens there.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let server = TestServer::start_with(|settings| {
        let mut enode = sandbox.enode_settings();
        if let server::config::EnodeSettings::Remote { urls, .. } = &mut enode {
            urls.api = url::Url::parse(&format!("http://{unreachable}/api")).unwrap();
        }
        settings.enode = enode;
    })
    .await;
    let client = server.signed_up_client("dennis").await;

    let response = client
        .get(server.url("/api/user/dennis/link?vendor=XPENG"))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("try again"),
        "{body}"
    );
}

#[tokio::test]
async fn foreign_link_url_is_refused() {
    let sandbox = SandboxServer::start().await;
    let server = TestServer::start_with(|settings| {
        let mut enode = sandbox.enode_settings();
        if let server::config::EnodeSettings::Remote { urls, .. } = &mut enode {
            urls.link_ui = url::Url::parse("https://link.production.enode.io").unwrap();
        }
        settings.enode = enode;
    })
    .await;
    let client = server.signed_up_client("mallory").await;

    let response = client
        .get(server.url("/api/user/mallory/link?vendor=XPENG"))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert!(
        body.get("linkUrl").is_none(),
        "the link must not be handed out: {body}"
    );
}

#[tokio::test]
async fn restart_between_start_and_confirm() {
    let sandbox = SandboxServer::start().await;
    let server = TestServer::start_with_remote_sandbox(&sandbox).await;
    let client = server.signed_up_client("ada").await;
    let (_, token) = server.start_link(&client, "ada", "XPENG").await;
    complete_link(sandbox.url("").trim_end_matches('/'), &token, DUO, "allow").await;

    let server = server.restart().await;
    let (status, body) = server.confirm(&client, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["vehicles"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn relink_keeps_vehicles() {
    let server = TestServer::start().await;
    let (client, first_token) = linked(&server, "joan", DUO).await;
    let (_, first) = server.confirm(&client, &first_token).await;

    let (_, second_token) = server.start_link(&client, "joan", "XPENG").await;
    complete_link(&server.sandbox_url(""), &second_token, DUO, "allow").await;
    let (status, second) = server.confirm(&client, &second_token).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(vehicle_ids(&first), vehicle_ids(&second));
    let garage = server.garage(&client, "joan").await;
    assert_eq!(vehicle_ids(&garage).len(), 2);
}
