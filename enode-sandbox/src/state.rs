//! The sandbox's in-memory state. One mutex guards all of it, and no code holds the lock
//! across an `.await`.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SubsecRound, Utc};
use rand::Rng;
use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::accounts::SandboxAccount;
use crate::catalog::{self, Vendor};
use crate::config::SandboxConfig;
use crate::fleet::generate_vehicle;
use crate::guard::{FaultAction, RouteKey};
use crate::linking::LinkSession;
use crate::problem::ApiError;
use crate::vehicle::Vehicle;
use crate::webhooks::events::PendingEvent;

/// Time a webhook receiver has to respond, as at Enode.
pub(crate) const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// Delivery records kept for `GET /_control/webhook-deliveries`. Older ones are dropped.
const MAX_DELIVERY_RECORDS: usize = 1000;

/// State and settings shared by every handler and background task.
pub(crate) struct Shared {
    pub config: SandboxConfig,
    pub http: reqwest::Client,
    state: Mutex<State>,
}

impl Shared {
    pub fn new(config: SandboxConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(WEBHOOK_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap_or_else(|error| {
                tracing::error!(%error, "building the webhook HTTP client failed, so the default client is used");
                reqwest::Client::new()
            });
        let state = State {
            seed_base: rand::rng().random(),
            ..State::default()
        };
        Self {
            config,
            http,
            state: Mutex::new(state),
        }
    }

    /// Locks the state. A panic in another holder leaves the data usable, so poisoning is
    /// ignored.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Default)]
pub(crate) struct State {
    /// Access token to its expiry.
    tokens: HashMap<String, Instant>,
    pub users: HashMap<String, User>,
    pub vehicles: HashMap<String, StoredVehicle>,
    pub link_sessions: HashMap<String, LinkSession>,
    pub webhooks: HashMap<String, Webhook>,
    faults: Vec<Fault>,
    counters: BTreeMap<RouteKey, u64>,
    pub deliveries: VecDeque<DeliveryRecord>,
    /// Source of creation order for vehicles and webhooks.
    next_seq: u64,
    /// Random per sandbox, so vehicle ids and VINs differ between runs.
    seed_base: u64,
}

pub(crate) struct User {
    pub id: String,
    pub linked_vendors: Vec<LinkedVendor>,
}

pub(crate) struct LinkedVendor {
    pub vendor: &'static Vendor,
    pub is_valid: bool,
    /// Scopes granted in the last link, copied to vehicles added later.
    pub scopes: Vec<String>,
}

pub(crate) struct StoredVehicle {
    /// Creation order, used for pagination.
    pub seq: u64,
    pub vehicle: Vehicle,
    /// km per kWh, used to derive the range from the battery level.
    pub efficiency: f64,
}

pub(crate) struct Webhook {
    pub id: String,
    pub seq: u64,
    pub url: Url,
    pub secret: String,
    /// Event names to deliver. Empty means every event.
    pub events: Vec<String>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub api_version: String,
}

impl Webhook {
    pub fn wants(&self, event: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|name| name == "*" || name == event)
    }

    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "id": self.id,
            "url": self.url,
            "events": self.events,
            "isActive": self.is_active,
            "createdAt": self.created_at,
            "apiVersion": self.api_version,
        })
    }
}

/// One attempt to deliver a batch of events, for `GET /_control/webhook-deliveries`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeliveryRecord {
    /// The `x-enode-delivery` value, the same for every attempt of one batch.
    pub id: String,
    pub webhook_id: String,
    pub url: String,
    /// 1 for the first attempt.
    pub attempt: usize,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub event_count: usize,
    pub events: Vec<String>,
    pub attempted_at: DateTime<Utc>,
}

/// An injected fault waiting for calls.
pub(crate) struct Fault {
    /// `None` matches every token and API route.
    pub route: Option<RouteKey>,
    pub action: FaultAction,
    pub remaining: u32,
}

/// Returns the current time, truncated to milliseconds as in Enode's timestamps.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

/// Returns 32 random bytes as URL-safe base64, for tokens and link tokens.
pub(crate) fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::rng().random::<[u8; 32]>())
}

impl State {
    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Counts a call of `key` and takes one use of the first fault that matches it.
    pub fn record_call(&mut self, key: RouteKey) -> Option<FaultAction> {
        *self.counters.entry(key).or_default() += 1;

        let index = self
            .faults
            .iter()
            .position(|fault| fault.route.is_none_or(|route| route == key))?;
        let fault = &mut self.faults[index];
        let action = fault.action;
        fault.remaining -= 1;
        if fault.remaining == 0 {
            self.faults.remove(index);
        }
        Some(action)
    }

    pub fn add_fault(&mut self, fault: Fault) {
        self.faults.push(fault);
    }

    pub fn clear_faults(&mut self) {
        self.faults.clear();
    }

    /// Calls per route key, with zero for routes not called yet.
    pub fn counters(&self) -> BTreeMap<&'static str, u64> {
        RouteKey::ALL
            .into_iter()
            .map(|key| (key.as_str(), self.counters.get(&key).copied().unwrap_or(0)))
            .collect()
    }

    pub fn reset_counters(&mut self) {
        self.counters.clear();
    }

    /// Issues an access token and removes the expired ones.
    pub fn issue_token(&mut self, lifetime: Duration) -> String {
        let now = Instant::now();
        self.tokens.retain(|_, expires_at| *expires_at > now);
        let token = random_token();
        self.tokens.insert(token.clone(), now + lifetime);
        token
    }

    pub fn token_is_valid(&self, token: &str) -> bool {
        self.tokens
            .get(token)
            .is_some_and(|expires_at| *expires_at > Instant::now())
    }

    pub fn revoke_tokens(&mut self) -> usize {
        let count = self.tokens.len();
        self.tokens.clear();
        count
    }

    /// Returns the user, creating it when new, as Enode does on the first link session.
    pub fn ensure_user(&mut self, user_id: &str) -> &mut User {
        self.users
            .entry(user_id.to_owned())
            .or_insert_with(|| User {
                id: user_id.to_owned(),
                linked_vendors: Vec::new(),
            })
    }

    pub fn user(&self, user_id: &str) -> Result<&User, ApiError> {
        self.users.get(user_id).ok_or_else(|| unknown_user(user_id))
    }

    /// Returns the user's vehicles in creation order.
    pub fn user_vehicles(&self, user_id: &str) -> Vec<&StoredVehicle> {
        let mut vehicles: Vec<_> = self
            .vehicles
            .values()
            .filter(|stored| stored.vehicle.user_id == user_id)
            .collect();
        vehicles.sort_by_key(|stored| stored.seq);
        vehicles
    }

    /// Removes the user's vehicles, of one vendor or of all, and returns them in creation order.
    pub fn remove_vehicles(&mut self, user_id: &str, vendor: Option<&str>) -> Vec<Vehicle> {
        let mut doomed: Vec<(u64, String)> = self
            .vehicles
            .iter()
            .filter(|(_, stored)| {
                stored.vehicle.user_id == user_id
                    && vendor.is_none_or(|vendor| stored.vehicle.vendor == vendor)
            })
            .map(|(id, stored)| (stored.seq, id.clone()))
            .collect();
        doomed.sort();
        doomed
            .into_iter()
            .filter_map(|(_, id)| self.vehicles.remove(&id))
            .map(|stored| stored.vehicle)
            .collect()
    }

    /// Links `vendor` for the user with the account's vehicles and returns the
    /// `user:vehicle:discovered` events. A vendor linked before keeps its vehicles and ids.
    pub fn link_vendor(
        &mut self,
        user_id: &str,
        vendor: &'static Vendor,
        account: &SandboxAccount,
        scopes: &[String],
        now: DateTime<Utc>,
    ) -> Vec<PendingEvent> {
        let user = self.ensure_user(user_id);
        match user
            .linked_vendors
            .iter_mut()
            .find(|linked| linked.vendor.id == vendor.id)
        {
            Some(linked) => {
                linked.is_valid = true;
                linked.scopes = scopes.to_vec();
            }
            None => user.linked_vendors.push(LinkedVendor {
                vendor,
                is_valid: true,
                scopes: scopes.to_vec(),
            }),
        }

        let existing = self
            .vehicles
            .values()
            .filter(|stored| {
                stored.vehicle.user_id == user_id && stored.vehicle.vendor == vendor.id
            })
            .count();
        (existing..account.vehicle_count)
            .map(|_| self.create_vehicle(user_id, vendor, scopes, now).1)
            .collect()
    }

    /// Adds one more vehicle of a linked vendor, as if the user bought a car.
    pub fn add_vehicle(
        &mut self,
        user_id: &str,
        vendor_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(Vehicle, PendingEvent), ApiError> {
        let user = self.user(user_id)?;
        let vendor = catalog::find_vendor(vendor_id).ok_or_else(|| unknown_vendor(vendor_id))?;
        let linked = user.linked_vendors.iter().find(|linked| linked.vendor.id == vendor.id).ok_or_else(|| {
            ApiError::Conflict(format!(
                "Vendor {vendor_id} is not linked for user {user_id:?}. Complete a link session for it first."
            ))
        })?;
        let scopes = linked.scopes.clone();
        Ok(self.create_vehicle(user_id, vendor, &scopes, now))
    }

    fn create_vehicle(
        &mut self,
        user_id: &str,
        vendor: &'static Vendor,
        scopes: &[String],
        now: DateTime<Utc>,
    ) -> (Vehicle, PendingEvent) {
        let seq = self.next_seq();
        let generated = generate_vehicle(
            vendor,
            user_id,
            scopes,
            self.seed_base.wrapping_add(seq),
            now,
        );
        let vehicle = generated.vehicle.clone();
        let event = PendingEvent::vehicle(catalog::EVENT_VEHICLE_DISCOVERED, &vehicle, now);
        self.vehicles.insert(
            vehicle.id.clone(),
            StoredVehicle {
                seq,
                vehicle: generated.vehicle,
                efficiency: generated.efficiency,
            },
        );
        (vehicle, event)
    }

    pub fn vehicle(&self, vehicle_id: &str) -> Result<&StoredVehicle, ApiError> {
        self.vehicles
            .get(vehicle_id)
            .ok_or_else(|| ApiError::NotFound(format!("Vehicle {vehicle_id:?} does not exist.")))
    }

    /// Applies a partial vehicle and returns the result with its `user:vehicle:updated`
    /// event, or `None` as the event when nothing changed.
    pub fn patch_vehicle(
        &mut self,
        vehicle_id: &str,
        patch: &Value,
        now: DateTime<Utc>,
    ) -> Result<(Vehicle, Option<PendingEvent>), ApiError> {
        let stored = self
            .vehicles
            .get_mut(vehicle_id)
            .ok_or_else(|| ApiError::NotFound(format!("Vehicle {vehicle_id:?} does not exist.")))?;
        let patched = stored
            .vehicle
            .apply_patch(patch, stored.efficiency, now)
            .map_err(|error| {
                ApiError::BadRequest(format!("Invalid vehicle patch: {}.", error.0))
            })?;
        stored.vehicle = patched.vehicle;

        let event = (!patched.updated_fields.is_empty())
            .then(|| PendingEvent::vehicle_updated(&stored.vehicle, patched.updated_fields, now));
        Ok((stored.vehicle.clone(), event))
    }

    pub fn record_delivery(&mut self, record: DeliveryRecord) {
        if self.deliveries.len() == MAX_DELIVERY_RECORDS {
            self.deliveries.pop_front();
        }
        self.deliveries.push_back(record);
    }
}

pub(crate) fn unknown_user(user_id: &str) -> ApiError {
    ApiError::NotFound(format!("User {user_id:?} does not exist."))
}

pub(crate) fn unknown_vendor(vendor: &str) -> ApiError {
    ApiError::BadRequest(format!(
        "Unknown vendor {vendor:?}. Use one of: {}.",
        catalog::vendor_ids()
    ))
}
