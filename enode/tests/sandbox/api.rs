//! Link sessions, users, vehicles, pagination and the problem documents of failed calls.

use std::collections::HashSet;

use enode::{Error, LinkSessionRequest, Scope, Vendor, VendorType};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::json;
use url::Url;

use crate::support::{start_sandbox, unreachable_url};

fn link_request() -> LinkSessionRequest {
    LinkSessionRequest::vehicle(
        vec![Scope::VehicleReadData],
        "en-US",
        Url::parse("http://127.0.0.1/link/callback?state=abc").expect("valid URL"),
    )
}

fn vendor(name: &str) -> Vendor {
    name.parse().expect("a valid vendor")
}

#[tokio::test]
async fn link_session_points_to_link_ui() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();

    let session = client
        .create_link_session("user-link", &link_request())
        .await
        .expect("the session is created");

    let expected = format!("{}/{}", client.link_ui_url(), session.link_token);
    assert_eq!(session.link_url.as_str(), expected);
}

#[tokio::test]
async fn completed_link_lists_vendor() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();

    sandbox
        .link_user(&client, "user-duo", "duo@sandbox.test", "XPENG")
        .await;
    let user = client.get_user("user-duo").await.expect("the user exists");

    let linked: Vec<(String, bool)> = user
        .linked_vendors
        .iter()
        .map(|linked| (linked.vendor.to_string(), linked.is_valid))
        .collect();
    assert_eq!(linked, vec![("XPENG".to_owned(), true)]);
}

#[tokio::test]
async fn linked_vendor_has_vehicle_type() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();

    sandbox
        .link_user(&client, "user-type", "solo@sandbox.test", "KIA")
        .await;
    let user = client.get_user("user-type").await.expect("the user exists");

    let vendor_type = user
        .linked_vendors
        .first()
        .and_then(|linked| linked.vendor_type.clone());
    assert_eq!(vendor_type, Some(VendorType::Vehicle));
}

#[tokio::test]
async fn vehicles_parse_with_account_count() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();

    sandbox
        .link_user(&client, "user-vehicles", "duo@sandbox.test", "VOLVO")
        .await;
    let vehicles = client
        .list_vehicles("user-vehicles")
        .await
        .expect("vehicles are listed");

    assert_eq!(vehicles.len(), 2);
    for vehicle in &vehicles {
        assert_eq!(vehicle.user_id, "user-vehicles");
        assert_eq!(vehicle.vendor.as_str(), "VOLVO");
        assert!(
            vehicle.information.vin.is_some(),
            "{} has no VIN",
            vehicle.id
        );
        assert!(
            vehicle.charge_state.battery_level.is_some(),
            "{} has no battery level",
            vehicle.id
        );
        assert!(
            vehicle.last_seen.is_some(),
            "{} has no lastSeen",
            vehicle.id
        );
        assert!(
            !vehicle.capabilities.is_empty(),
            "{} has no capabilities",
            vehicle.id
        );
    }
}

#[tokio::test]
async fn get_vehicle_matches_list() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();
    sandbox
        .link_user(&client, "user-one", "solo@sandbox.test", "BMW")
        .await;
    let listed = client
        .list_vehicles("user-one")
        .await
        .expect("vehicles are listed");
    let first = listed.first().expect("one vehicle");

    let fetched = client
        .get_vehicle(&first.id)
        .await
        .expect("the vehicle is found");

    assert_eq!(fetched.information, first.information);
}

#[tokio::test]
async fn vehicles_span_pages() {
    let sandbox = start_sandbox().await;
    let setup = sandbox.client();
    sandbox
        .link_user(&setup, "user-fleet", "fleet@sandbox.test", "XPENG")
        .await;
    sandbox.add_vehicle("user-fleet", "XPENG").await;
    sandbox.add_vehicle("user-fleet", "XPENG").await;
    sandbox.reset_counters().await;
    let client = sandbox.client_with(|config| config.page_size = 2);

    let vehicles = client
        .list_vehicles("user-fleet")
        .await
        .expect("vehicles are listed");

    let ids: HashSet<&str> = vehicles.iter().map(|vehicle| vehicle.id.as_str()).collect();
    assert_eq!(vehicles.len(), 5);
    assert_eq!(ids.len(), 5, "a vehicle was listed twice");
    assert_eq!(sandbox.counter("list_vehicles").await, 3);
}

#[tokio::test]
async fn exact_page_multiple_ends() {
    let sandbox = start_sandbox().await;
    let setup = sandbox.client();
    sandbox
        .link_user(&setup, "user-even", "duo@sandbox.test", "NIO")
        .await;
    let client = sandbox.client_with(|config| config.page_size = 1);

    let vehicles = client
        .list_vehicles("user-even")
        .await
        .expect("vehicles are listed");

    assert_eq!(vehicles.len(), 2);
}

#[tokio::test]
async fn vehicles_fit_one_page() {
    let sandbox = start_sandbox().await;
    let setup = sandbox.client();
    sandbox
        .link_user(&setup, "user-single-page", "fleet@sandbox.test", "AUDI")
        .await;
    sandbox.reset_counters().await;

    let vehicles = sandbox
        .client()
        .list_vehicles("user-single-page")
        .await
        .expect("vehicles are listed");

    assert_eq!(vehicles.len(), 3);
    assert_eq!(sandbox.counter("list_vehicles").await, 1);
}

#[tokio::test]
async fn unlink_vendor_removes_link() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();
    sandbox
        .link_user(&client, "user-unlink", "solo@sandbox.test", "FORD")
        .await;

    client
        .unlink_vendor("user-unlink", &vendor("FORD"))
        .await
        .expect("the vendor is unlinked");

    let vehicles = client
        .list_vehicles("user-unlink")
        .await
        .expect("vehicles are listed");
    assert!(vehicles.is_empty(), "{vehicles:?}");
}

#[tokio::test]
async fn delete_user_removes_user() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();
    sandbox
        .link_user(&client, "user-delete", "solo@sandbox.test", "MG")
        .await;

    client
        .delete_user("user-delete")
        .await
        .expect("the user is deleted");

    let result = client.get_user("user-delete").await;
    assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
}

#[tokio::test]
async fn user_id_with_slash_round_trips() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();

    sandbox
        .link_user(&client, "team/42 é", "solo@sandbox.test", "BYD")
        .await;
    let user = client
        .get_user("team/42 é")
        .await
        .expect("the user is found");

    assert_eq!(user.id, "team/42 é");
}

#[tokio::test]
async fn unknown_vendor_is_problem() {
    let sandbox = start_sandbox().await;
    let mut request = link_request();
    request.vendor = Some(vendor("NO_SUCH_BRAND"));

    let result = sandbox
        .client()
        .create_link_session("user-x", &request)
        .await;

    match result {
        Err(Error::Problem { status, detail, .. }) => {
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert!(
                detail
                    .as_deref()
                    .is_some_and(|detail| detail.contains("NO_SUCH_BRAND")),
                "detail does not name the vendor: {detail:?}"
            );
        }
        other => panic!("expected a 400 problem, got {other:?}"),
    }
}

#[tokio::test]
async fn empty_scopes_is_problem() {
    let sandbox = start_sandbox().await;
    let mut request = link_request();
    request.scopes.clear();

    let result = sandbox
        .client()
        .create_link_session("user-x", &request)
        .await;

    match result {
        Err(Error::Problem {
            status,
            title,
            detail,
            ..
        }) => {
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert!(!title.is_empty());
            assert!(
                detail
                    .as_deref()
                    .is_some_and(|detail| detail.contains("scopes")),
                "detail does not name the field: {detail:?}"
            );
        }
        other => panic!("expected a 400 problem, got {other:?}"),
    }
}

#[tokio::test]
async fn validation_error_not_retried() {
    let sandbox = start_sandbox().await;
    let mut request = link_request();
    request.scopes.clear();

    let _ = sandbox
        .client()
        .create_link_session("user-x", &request)
        .await;

    assert_eq!(sandbox.counter("create_link_session").await, 1);
}

#[tokio::test]
async fn unknown_user_not_found() {
    let sandbox = start_sandbox().await;

    let result = sandbox.client().get_user("nobody").await;

    assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
}

#[tokio::test]
async fn unknown_vehicle_not_found() {
    let sandbox = start_sandbox().await;

    let result = sandbox.client().get_vehicle("no-such-vehicle").await;

    match result {
        Err(Error::NotFound { title, .. }) => assert!(!title.is_empty()),
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn delete_unknown_user_not_found() {
    let sandbox = start_sandbox().await;

    let result = sandbox.client().delete_user("nobody").await;

    assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
}

#[tokio::test]
async fn unlink_unlinked_vendor_not_found() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();
    sandbox
        .link_user(&client, "user-one-vendor", "solo@sandbox.test", "TESLA")
        .await;

    let result = client
        .unlink_vendor("user-one-vendor", &vendor("VOLVO"))
        .await;

    assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
}

#[tokio::test]
async fn short_webhook_secret_is_problem() {
    let sandbox = start_sandbox().await;
    let request = enode::CreateWebhook::new(unreachable_url(), SecretString::from("too-short"));

    let result = sandbox.client().create_webhook(&request).await;

    assert!(
        matches!(result, Err(Error::Problem { status, .. }) if status == StatusCode::BAD_REQUEST),
        "{result:?}"
    );
}

#[tokio::test]
async fn dot_dot_user_id_rejected() {
    let sandbox = start_sandbox().await;

    let result = sandbox.client().delete_user("..").await;

    assert!(matches!(result, Err(Error::InvalidInput(_))), "{result:?}");
    assert_eq!(sandbox.counter("oauth_token").await, 0);
}

#[tokio::test]
async fn invalidated_vendor_reported_invalid() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client();
    sandbox
        .link_user(&client, "user-invalid", "solo@sandbox.test", "SKODA")
        .await;

    sandbox
        .post_control("/users/user-invalid/vendors/SKODA/invalidate", json!({}))
        .await;
    let user = client
        .get_user("user-invalid")
        .await
        .expect("the user exists");

    let validity: Vec<bool> = user
        .linked_vendors
        .iter()
        .map(|linked| linked.is_valid)
        .collect();
    assert_eq!(validity, vec![false]);
}

#[tokio::test]
async fn api_version_header_sent() {
    let sandbox = start_sandbox().await;
    let client = sandbox.client_with(|config| config.api_version = "latest".to_owned());

    let result = client.get_user("anyone").await;

    match result {
        Err(Error::Problem { status, detail, .. }) => {
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert!(
                detail
                    .as_deref()
                    .is_some_and(|detail| detail.contains("latest")),
                "detail does not name the version: {detail:?}"
            );
        }
        other => panic!("expected a 400 problem for the version header, got {other:?}"),
    }
}
