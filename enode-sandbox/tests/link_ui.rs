mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::browser::{self, Page, location};
use common::{REDIRECT_URI, TestSandbox};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use url::Url;

/// Opens the Link UI page of a new session for `user-1`.
async fn start_session(sandbox: &TestSandbox, vendor: Option<&str>) -> (String, Page) {
    let token = sandbox.token().await;
    let session = sandbox.create_session(&token, "user-1", vendor).await;
    let link_url = session["linkUrl"].as_str().unwrap().to_owned();
    let page = browser::open(&sandbox.http, &link_url).await;
    (link_url, page)
}

/// Submits a form and follows its 303 back to a page.
async fn submit_and_follow(
    sandbox: &TestSandbox,
    page: &Page,
    fill: &[(&str, &str)],
    button: &str,
) -> Page {
    let mut form = page.form();
    for (label, value) in fill {
        form.fill(label, value);
    }
    let response = form.submit(&sandbox.http, button).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "submitting {button:?}"
    );
    browser::open(&sandbox.http, location(&response).as_str()).await
}

fn query(url: &Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

#[tokio::test]
async fn brand_page_shown_without_vendor() {
    let sandbox = TestSandbox::start().await;

    let (_, page) = start_session(&sandbox, None).await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.heading(), "Choose your vehicle brand");
    assert_eq!(page.form().button_texts(), vec!["Continue", "Cancel"]);
}

#[tokio::test]
async fn brand_not_chosen() {
    let sandbox = TestSandbox::start().await;
    let (_, brand) = start_session(&sandbox, None).await;

    let response = brand.form().submit(&sandbox.http, "Continue").await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = Page {
        url: brand.url.clone(),
        status: response.status(),
        html: response.text().await.unwrap(),
    };
    assert!(
        page.texts("[role=alert]")
            .iter()
            .any(|text| text.contains("Choose a brand"))
    );
    assert_eq!(page.heading(), "Choose your vehicle brand");
}

#[tokio::test]
async fn login_page_skips_brand() {
    let sandbox = TestSandbox::start().await;

    let (_, page) = start_session(&sandbox, Some("TESLA")).await;

    assert_eq!(page.heading(), "Sign in to Tesla");
}

#[tokio::test]
async fn login_page_lists_accounts() {
    let sandbox = TestSandbox::start().await;

    let (_, page) = start_session(&sandbox, Some("TESLA")).await;

    let cells = page.texts("table td");
    for account in enode_sandbox::Sandbox::accounts() {
        assert!(
            cells.iter().any(|cell| cell == account.email),
            "{} listed",
            account.email
        );
        assert!(
            cells.iter().any(|cell| cell == account.password),
            "{} listed",
            account.password
        );
    }
}

#[tokio::test]
async fn pages_say_sandbox() {
    let sandbox = TestSandbox::start().await;

    let (_, page) = start_session(&sandbox, None).await;

    assert!(page.contains("local Enode sandbox"));
}

#[tokio::test]
async fn every_control_labelled() {
    let sandbox = TestSandbox::start().await;
    let (_, brand) = start_session(&sandbox, None).await;
    let mut form = brand.form();
    form.choose("Brand", "Kia");
    let response = form.submit(&sandbox.http, "Continue").await;
    let login = browser::open(&sandbox.http, location(&response).as_str()).await;

    assert_eq!(brand.unlabelled_controls(), Vec::<String>::new());
    assert_eq!(login.unlabelled_controls(), Vec::<String>::new());
}

#[tokio::test]
async fn full_flow_with_brand_choice() {
    let sandbox = TestSandbox::start().await;
    let (link_url, brand) = start_session(&sandbox, None).await;

    let mut form = brand.form();
    form.choose("Brand", "XPeng");
    let response = form.submit(&sandbox.http, "Continue").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response).as_str(), link_url);
    let login = browser::open(&sandbox.http, &link_url).await;
    assert_eq!(login.heading(), "Sign in to XPeng");

    let consent = submit_and_follow(
        &sandbox,
        &login,
        &[("Email", "duo@sandbox.test"), ("Password", "duo-pass")],
        "Sign in",
    )
    .await;
    assert_eq!(consent.heading(), "Allow access to your XPeng vehicles");
    assert_eq!(
        consent.form().button_texts(),
        vec!["Allow access", "Cancel"]
    );
    let scopes = consent.texts("li code");
    assert_eq!(
        scopes,
        vec![
            "vehicle:read:data",
            "vehicle:read:location",
            "vehicle:control:charging"
        ]
    );

    let response = consent.form().submit(&sandbox.http, "Allow access").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response).as_str(), REDIRECT_URI);

    let token = sandbox.token().await;
    let user: Value = sandbox
        .api_get(&token, "/users/user-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(user["linkedVendors"][0]["vendor"], "XPENG");
    assert_eq!(user["linkedVendors"][0]["isValid"], true);
    let vehicles = sandbox.vehicles(&token, "user-1").await;
    assert_eq!(vehicles.len(), 2);
    assert!(
        vehicles
            .iter()
            .all(|vehicle| vehicle["information"]["brand"] == "XPeng")
    );
}

#[tokio::test]
async fn wrong_password_shows_error() {
    let sandbox = TestSandbox::start().await;
    let (_, login) = start_session(&sandbox, Some("BMW")).await;

    let mut form = login.form();
    form.fill("Email", "duo@sandbox.test")
        .fill("Password", "guess");
    let response = form.submit(&sandbox.http, "Sign in").await;

    assert_eq!(response.status(), StatusCode::OK);
    let page = Page {
        url: login.url.clone(),
        status: response.status(),
        html: response.text().await.unwrap(),
    };
    assert!(
        page.texts("[role=alert]")
            .iter()
            .any(|text| text.contains("Wrong email or password"))
    );
    assert_eq!(page.heading(), "Sign in to BMW");
}

#[tokio::test]
async fn wrong_password_then_right() {
    let sandbox = TestSandbox::start().await;
    let (_, login) = start_session(&sandbox, Some("BMW")).await;
    let mut form = login.form();
    form.fill("Email", "solo@sandbox.test")
        .fill("Password", "wrong");
    form.submit(&sandbox.http, "Sign in").await;

    let consent = submit_and_follow(
        &sandbox,
        &login,
        &[("Email", "solo@sandbox.test"), ("Password", "solo-pass")],
        "Sign in",
    )
    .await;

    assert_eq!(consent.heading(), "Allow access to your BMW vehicles");
}

#[tokio::test]
async fn error_page_escapes_email() {
    let sandbox = TestSandbox::start().await;
    let (_, login) = start_session(&sandbox, Some("BMW")).await;

    let mut form = login.form();
    form.fill("Email", "\"><script>alert(1)</script>")
        .fill("Password", "x");
    let html = form
        .submit(&sandbox.http, "Sign in")
        .await
        .text()
        .await
        .unwrap();

    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn cancel_on_brand() {
    let sandbox = TestSandbox::start().await;
    let (_, brand) = start_session(&sandbox, None).await;

    let response = brand.form().submit(&sandbox.http, "Cancel").await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let redirect = location(&response);
    assert_eq!(
        query(&redirect).get("error").map(String::as_str),
        Some("access_denied")
    );
}

#[tokio::test]
async fn cancel_on_login() {
    let sandbox = TestSandbox::start().await;
    let (_, login) = start_session(&sandbox, Some("VOLVO")).await;

    let response = login.form().submit(&sandbox.http, "Cancel").await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let redirect = location(&response);
    let params = query(&redirect);
    assert_eq!(redirect.path(), "/link/callback");
    assert_eq!(
        params.get("state").map(String::as_str),
        Some("opaque-state")
    );
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("access_denied")
    );
    assert!(
        params
            .get("error_description")
            .is_some_and(|text| !text.is_empty())
    );
}

#[tokio::test]
async fn cancel_on_consent() {
    let sandbox = TestSandbox::start().await;
    let (_, login) = start_session(&sandbox, Some("VOLVO")).await;
    let consent = submit_and_follow(
        &sandbox,
        &login,
        &[("Email", "fleet@sandbox.test"), ("Password", "fleet-pass")],
        "Sign in",
    )
    .await;

    let response = consent.form().submit(&sandbox.http, "Cancel").await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let params = query(&location(&response));
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("access_denied")
    );
    assert_eq!(
        params.get("state").map(String::as_str),
        Some("opaque-state")
    );
    let token = sandbox.token().await;
    assert_eq!(sandbox.vehicles(&token, "user-1").await.len(), 0);
}

#[tokio::test]
async fn used_session_is_gone() {
    let sandbox = TestSandbox::start().await;
    let (link_url, login) = start_session(&sandbox, Some("KIA")).await;
    let consent = submit_and_follow(
        &sandbox,
        &login,
        &[("Email", "solo@sandbox.test"), ("Password", "solo-pass")],
        "Sign in",
    )
    .await;
    consent.form().submit(&sandbox.http, "Allow access").await;

    let again = browser::open(&sandbox.http, &link_url).await;
    let resubmit = consent.form().submit(&sandbox.http, "Allow access").await;

    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(again.heading(), "Link session already used");
    assert_eq!(resubmit.status(), StatusCode::GONE);
}

#[tokio::test]
async fn cancelled_session_is_gone() {
    let sandbox = TestSandbox::start().await;
    let (link_url, login) = start_session(&sandbox, Some("KIA")).await;
    login.form().submit(&sandbox.http, "Cancel").await;

    let again = browser::open(&sandbox.http, &link_url).await;

    assert_eq!(again.status, StatusCode::GONE);
}

#[tokio::test]
async fn expired_session_by_lifetime() {
    let sandbox =
        TestSandbox::start_with(|config| config.link_session_lifetime = Duration::from_millis(200))
            .await;
    let token = sandbox.token().await;
    let session = sandbox.create_session(&token, "user-1", Some("KIA")).await;

    tokio::time::sleep(Duration::from_millis(300)).await;
    let page = browser::open(&sandbox.http, session["linkUrl"].as_str().unwrap()).await;

    assert_eq!(page.status, StatusCode::GONE);
    assert_eq!(page.heading(), "Link session expired");
}

#[tokio::test]
async fn expired_session_by_control() {
    let sandbox = TestSandbox::start().await;
    let (link_url, login) = start_session(&sandbox, Some("KIA")).await;
    let link_token = link_url.rsplit('/').next().unwrap();

    let response = sandbox
        .control(
            Method::POST,
            &format!("/link-sessions/{link_token}/expire"),
            None,
        )
        .await;
    let page = browser::open(&sandbox.http, &link_url).await;
    let mut form = login.form();
    form.fill("Email", "solo@sandbox.test")
        .fill("Password", "solo-pass");
    let submitted = form.submit(&sandbox.http, "Sign in").await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(page.status, StatusCode::GONE);
    assert_eq!(submitted.status(), StatusCode::GONE);
}

#[tokio::test]
async fn unknown_session_not_found() {
    let sandbox = TestSandbox::start().await;

    let page = browser::open(&sandbox.http, &sandbox.url("/link/no-such-token")).await;

    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.heading(), "Link session not found");
}

#[tokio::test]
async fn flow_under_path_prefix() {
    let sandbox = TestSandbox::start_at("/sandbox", |_| {}).await;
    let (link_url, login) = start_session(&sandbox, Some("MG")).await;
    assert!(link_url.contains("/sandbox/link/"));

    let consent = submit_and_follow(
        &sandbox,
        &login,
        &[("Email", "solo@sandbox.test"), ("Password", "solo-pass")],
        "Sign in",
    )
    .await;
    let response = consent.form().submit(&sandbox.http, "Allow access").await;

    assert_eq!(location(&response).as_str(), REDIRECT_URI);
}

#[tokio::test]
async fn relink_keeps_vehicle_ids() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    sandbox
        .link(&token, "user-1", "TESLA", "duo@sandbox.test")
        .await;
    let before: Vec<Value> = sandbox
        .vehicles(&token, "user-1")
        .await
        .iter()
        .map(|vehicle| vehicle["id"].clone())
        .collect();
    sandbox
        .control(Method::POST, "/users/user-1/vendors/TESLA/invalidate", None)
        .await;

    sandbox
        .link(&token, "user-1", "TESLA", "duo@sandbox.test")
        .await;

    let after: Vec<Value> = sandbox
        .vehicles(&token, "user-1")
        .await
        .iter()
        .map(|vehicle| vehicle["id"].clone())
        .collect();
    assert_eq!(after, before);
    let user: Value = sandbox
        .api_get(&token, "/users/user-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(user["linkedVendors"][0]["isValid"], true);
}
