mod common;

use std::collections::HashSet;

use chrono::DateTime;
use common::{TestSandbox, content_type};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Starts a sandbox where `user-1` linked XPENG with the fleet account (3 vehicles).
async fn fleet_sandbox() -> (TestSandbox, String) {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;
    sandbox
        .link(&token, "user-1", "XPENG", "fleet@sandbox.test")
        .await;
    (sandbox, token)
}

#[tokio::test]
async fn user_unknown() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let response = sandbox.api_get(&token, "/users/nobody").await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(content_type(&response), "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("nobody"));
}

#[tokio::test]
async fn user_lists_linked_vendor() {
    let (sandbox, token) = fleet_sandbox().await;

    let user: Value = sandbox
        .api_get(&token, "/users/user-1")
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(
        user,
        json!({ "id": "user-1", "linkedVendors": [{ "vendor": "XPENG", "vendorType": "vehicle", "isValid": true }] })
    );
}

#[tokio::test]
async fn vehicles_match_account() {
    let (sandbox, token) = fleet_sandbox().await;

    let vehicles = sandbox.vehicles(&token, "user-1").await;

    assert_eq!(vehicles.len(), 3);
}

#[tokio::test]
async fn vehicles_look_real() {
    let (sandbox, token) = fleet_sandbox().await;

    for vehicle in sandbox.vehicles(&token, "user-1").await {
        let information = &vehicle["information"];
        let charge = &vehicle["chargeState"];
        assert_eq!(vehicle["userId"], "user-1");
        assert_eq!(vehicle["vendor"], "XPENG");
        assert_eq!(information["vin"].as_str().map(str::len), Some(17));
        assert_eq!(information["brand"], "XPeng");
        assert!(["G6", "G9", "P7"].contains(&information["model"].as_str().unwrap()));
        assert!(
            information["year"]
                .as_u64()
                .is_some_and(|year| year >= 2021)
        );
        assert!(
            charge["batteryLevel"]
                .as_u64()
                .is_some_and(|level| level <= 100)
        );
        assert!(charge["range"].as_f64().is_some_and(|range| range > 0.0));
        assert!(
            charge["batteryCapacity"]
                .as_f64()
                .is_some_and(|capacity| capacity > 50.0)
        );
        assert!(vehicle["location"]["latitude"].as_f64().is_some());
        assert!(
            vehicle["odometer"]["distance"]
                .as_f64()
                .is_some_and(|distance| distance > 0.0)
        );
        assert_eq!(vehicle["capabilities"]["chargeState"]["isCapable"], true);
        assert_eq!(vehicle["scopes"].as_array().map(Vec::len), Some(3));
        assert!(DateTime::parse_from_rfc3339(vehicle["lastSeen"].as_str().unwrap()).is_ok());
    }
}

#[tokio::test]
async fn power_state_consistent() {
    let (sandbox, token) = fleet_sandbox().await;

    for vehicle in sandbox.vehicles(&token, "user-1").await {
        let charge = &vehicle["chargeState"];
        let expected = match (
            charge["isPluggedIn"].as_bool(),
            charge["isCharging"].as_bool(),
            charge["isFullyCharged"].as_bool(),
        ) {
            (Some(false), _, _) => "UNPLUGGED",
            (Some(true), Some(true), _) => "PLUGGED_IN:CHARGING",
            (Some(true), Some(false), Some(true)) => "PLUGGED_IN:COMPLETE",
            _ => "PLUGGED_IN:STOPPED",
        };
        assert_eq!(charge["powerDeliveryState"], expected, "{charge}");
    }
}

#[tokio::test]
async fn vehicles_differ() {
    let (sandbox, token) = fleet_sandbox().await;

    let vins: HashSet<String> = sandbox
        .vehicles(&token, "user-1")
        .await
        .iter()
        .map(|vehicle| vehicle["information"]["vin"].as_str().unwrap().to_owned())
        .collect();

    assert_eq!(vins.len(), 3);
}

#[tokio::test]
async fn pagination_follows_after() {
    let (sandbox, token) = fleet_sandbox().await;

    let first: Value = sandbox
        .api_get(&token, "/users/user-1/vehicles?pageSize=2")
        .await
        .json()
        .await
        .unwrap();
    let after = first["pagination"]["after"].as_str().unwrap();
    let second: Value = sandbox
        .api_get(
            &token,
            &format!("/users/user-1/vehicles?pageSize=2&after={after}"),
        )
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    assert_eq!(first["pagination"]["before"], Value::Null);
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert_eq!(second["pagination"]["after"], Value::Null);
    let ids: HashSet<&str> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["data"].as_array().unwrap())
        .map(|vehicle| vehicle["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
}

#[tokio::test]
async fn pagination_before_goes_back() {
    let (sandbox, token) = fleet_sandbox().await;
    let first: Value = sandbox
        .api_get(&token, "/users/user-1/vehicles?pageSize=1")
        .await
        .json()
        .await
        .unwrap();
    let after = first["pagination"]["after"].as_str().unwrap();
    let second: Value = sandbox
        .api_get(
            &token,
            &format!("/users/user-1/vehicles?pageSize=1&after={after}"),
        )
        .await
        .json()
        .await
        .unwrap();
    let before = second["pagination"]["before"].as_str().unwrap();

    let back: Value = sandbox
        .api_get(
            &token,
            &format!("/users/user-1/vehicles?pageSize=1&before={before}"),
        )
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(back["data"], first["data"]);
}

#[tokio::test]
async fn pagination_default_page() {
    let (sandbox, token) = fleet_sandbox().await;

    let page: Value = sandbox
        .api_get(&token, "/users/user-1/vehicles")
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(page["data"].as_array().unwrap().len(), 3);
    assert_eq!(page["pagination"], json!({ "before": null, "after": null }));
}

#[tokio::test]
async fn page_size_invalid() {
    let (sandbox, token) = fleet_sandbox().await;

    for size in ["0", "101", "abc", "-1"] {
        let response = sandbox
            .api_get(&token, &format!("/users/user-1/vehicles?pageSize={size}"))
            .await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "pageSize={size}"
        );
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains("pageSize"),
            "pageSize={size}"
        );
    }
}

#[tokio::test]
async fn cursor_invalid() {
    let (sandbox, token) = fleet_sandbox().await;

    let response = sandbox
        .api_get(&token, "/users/user-1/vehicles?after=not-a-cursor")
        .await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn vehicles_unknown_user() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let response = sandbox.api_get(&token, "/users/nobody/vehicles").await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn vehicle_by_id() {
    let (sandbox, token) = fleet_sandbox().await;
    let listed = sandbox.vehicles(&token, "user-1").await.remove(0);

    let response = sandbox
        .api_get(
            &token,
            &format!("/vehicles/{}", listed["id"].as_str().unwrap()),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap(), listed);
}

#[tokio::test]
async fn vehicle_unknown() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let response = sandbox.api_get(&token, "/vehicles/no-such-vehicle").await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(content_type(&response), "application/problem+json");
}

#[tokio::test]
async fn unlink_removes_vendor() {
    let (sandbox, token) = fleet_sandbox().await;
    let vehicle_id = sandbox.vehicles(&token, "user-1").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let response = sandbox
        .api_delete(&token, "/users/user-1/vendors/XPENG")
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let user: Value = sandbox
        .api_get(&token, "/users/user-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(user["linkedVendors"], json!([]));
    assert_eq!(sandbox.vehicles(&token, "user-1").await.len(), 0);
    assert_eq!(
        sandbox
            .api_get(&token, &format!("/vehicles/{vehicle_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn unlink_keeps_other_vendor() {
    let (sandbox, token) = fleet_sandbox().await;
    sandbox
        .link(&token, "user-1", "TESLA", "solo@sandbox.test")
        .await;

    sandbox
        .api_delete(&token, "/users/user-1/vendors/XPENG")
        .await;

    let vehicles = sandbox.vehicles(&token, "user-1").await;
    assert_eq!(vehicles.len(), 1);
    assert_eq!(vehicles[0]["vendor"], "TESLA");
}

#[tokio::test]
async fn unlink_not_linked() {
    let (sandbox, token) = fleet_sandbox().await;

    let response = sandbox
        .api_delete(&token, "/users/user-1/vendors/TESLA")
        .await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(content_type(&response), "application/problem+json");
}

#[tokio::test]
async fn delete_user_removes_all() {
    let (sandbox, token) = fleet_sandbox().await;
    let vehicle_id = sandbox.vehicles(&token, "user-1").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let response = sandbox.api_delete(&token, "/users/user-1").await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sandbox.api_get(&token, "/users/user-1").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sandbox
            .api_get(&token, &format!("/vehicles/{vehicle_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn delete_user_unknown() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let response = sandbox.api_delete(&token, "/users/nobody").await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn concurrent_links() {
    let sandbox = TestSandbox::start().await;
    let token = sandbox.token().await;

    let links = (0..20).map(|index| {
        let sandbox = &sandbox;
        let token = &token;
        async move {
            sandbox
                .link(token, &format!("user-{index}"), "KIA", "duo@sandbox.test")
                .await
        }
    });
    futures::future::join_all(links).await;

    for index in 0..20 {
        assert_eq!(
            sandbox
                .vehicles(&token, &format!("user-{index}"))
                .await
                .len(),
            2,
            "user-{index}"
        );
    }
}
