//! Parsing of every webhook event kind from JSON fixtures.

use enode::webhook::{WebhookEvent, parse_events};
use enode::{EventKind, PowerDeliveryState};

const VEHICLE: &str = r#"{"id": "veh-1", "userId": "user-1", "vendor": "XPENG",
    "lastSeen": "2024-10-01T12:00:00Z", "isReachable": true,
    "chargeState": {"batteryLevel": 64, "powerDeliveryState": "UNKNOWN"}}"#;

fn vehicle_event(name: &str, extra: &str) -> String {
    format!(
        r#"{{"event": "{name}", "createdAt": "2024-10-01T12:00:01Z", "version": "2024-10-01",
            "user": {{"id": "user-1"}}, "vehicle": {VEHICLE}{extra}}}"#
    )
}

fn parse_one(event: &str) -> WebhookEvent {
    let body = format!("[{event}]");
    let mut events = parse_events(body.as_bytes()).expect("a JSON array");
    assert_eq!(events.len(), 1);
    events.remove(0)
}

#[test]
fn discovered_parses_vehicle() {
    let event = parse_one(&vehicle_event("user:vehicle:discovered", ""));

    match event {
        WebhookEvent::VehicleDiscovered(discovered) => {
            assert_eq!(discovered.user.id, "user-1");
            assert_eq!(discovered.vehicle.id, "veh-1");
        }
        other => panic!("expected VehicleDiscovered, got {other:?}"),
    }
}

#[test]
fn updated_parses_fields() {
    let extra = r#", "updatedFields": ["chargeState.batteryLevel", "location.latitude"]"#;
    let event = parse_one(&vehicle_event("user:vehicle:updated", extra));

    match event {
        WebhookEvent::VehicleUpdated(updated) => {
            assert_eq!(
                updated.updated_fields,
                vec![
                    "chargeState.batteryLevel".to_owned(),
                    "location.latitude".to_owned()
                ]
            );
            assert_eq!(
                updated.vehicle.charge_state.power_delivery_state,
                Some(PowerDeliveryState::Unknown)
            );
        }
        other => panic!("expected VehicleUpdated, got {other:?}"),
    }
}

#[test]
fn deleted_parses_vehicle() {
    let event = parse_one(&vehicle_event("user:vehicle:deleted", ""));

    assert!(
        matches!(&event, WebhookEvent::VehicleDeleted(deleted) if deleted.vehicle.id == "veh-1"),
        "{event:?}"
    );
}

#[test]
fn credentials_invalidated_parses_vendor() {
    let event = parse_one(
        r#"{"event": "user:credentials:invalidated", "createdAt": "2024-10-01T12:00:01Z",
            "version": "2024-10-01", "user": {"id": "user-1"}, "vendor": "TESLA",
            "vendorType": "vehicle"}"#,
    );

    assert!(
        matches!(&event, WebhookEvent::CredentialsInvalidated(invalidated) if invalidated.vendor.as_str() == "TESLA"),
        "{event:?}"
    );
}

#[test]
fn heartbeat_parses_pending_events() {
    let event = parse_one(
        r#"{"event": "system:heartbeat", "createdAt": "2024-10-01T12:00:01Z",
            "version": "2024-10-01", "pendingEvents": 12}"#,
    );

    assert!(
        matches!(&event, WebhookEvent::Heartbeat(heartbeat) if heartbeat.pending_events == Some(12)),
        "{event:?}"
    );
}

#[test]
fn test_event_parses() {
    let event = parse_one(
        r#"{"event": "enode:webhook:test", "createdAt": "2024-10-01T12:00:01Z",
            "version": "2024-10-01"}"#,
    );

    assert!(matches!(event, WebhookEvent::Test(_)), "{event:?}");
}

#[test]
fn unknown_event_kept_raw() {
    let event = parse_one(
        r#"{"event": "user:charger:discovered", "createdAt": "2024-10-01T12:00:01Z",
            "user": {"id": "user-1"}, "charger": {"id": "ch-1"}}"#,
    );

    match &event {
        WebhookEvent::Unknown { event: name, raw } => {
            assert_eq!(name, "user:charger:discovered");
            assert_eq!(raw["charger"]["id"], "ch-1");
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    assert_eq!(event.user_id(), Some("user-1"));
    assert_eq!(
        event.kind(),
        EventKind::Other("user:charger:discovered".to_owned())
    );
}

#[test]
fn malformed_known_event_is_invalid() {
    let event = parse_one(r#"{"event": "user:vehicle:updated", "user": {"id": "user-1"}}"#);

    assert!(
        matches!(&event, WebhookEvent::Invalid { event: Some(name), .. } if name == "user:vehicle:updated"),
        "{event:?}"
    );
}

#[test]
fn nameless_event_is_invalid() {
    let event = parse_one(r#"{"user": {"id": "user-1"}}"#);

    assert!(
        matches!(event, WebhookEvent::Invalid { event: None, .. }),
        "{event:?}"
    );
}

#[test]
fn mixed_batch_keeps_order() {
    let body = format!(
        "[{}, {}, {}]",
        vehicle_event("user:vehicle:discovered", ""),
        r#"{"event": "user:battery:updated"}"#,
        r#"{"event": "system:heartbeat", "pendingEvents": 0}"#
    );

    let kinds: Vec<EventKind> = parse_events(body.as_bytes())
        .expect("a JSON array")
        .iter()
        .map(WebhookEvent::kind)
        .collect();

    assert_eq!(
        kinds,
        vec![
            EventKind::VehicleDiscovered,
            EventKind::Other("user:battery:updated".to_owned()),
            EventKind::Heartbeat,
        ]
    );
}

#[test]
fn created_at_read_from_event() {
    let event = parse_one(&vehicle_event("user:vehicle:discovered", ""));

    let created_at = event.created_at().map(|time| time.to_rfc3339());

    assert_eq!(created_at.as_deref(), Some("2024-10-01T12:00:01+00:00"));
}

#[test]
fn empty_batch_parses() {
    let events = parse_events(b"[]").expect("a JSON array");

    assert!(events.is_empty());
}

#[test]
fn object_body_rejected() {
    let result = parse_events(br#"{"event": "enode:webhook:test"}"#);

    assert!(result.is_err());
}

#[test]
fn truncated_body_rejected() {
    let result = parse_events(br#"[{"event": "enode:webhook:te"#);

    assert!(result.is_err());
}
