//! carlink's domain: accounts, sessions, the link flow and the SQLite store behind them.
//!
//! Nothing here depends on HTTP frameworks or Leptos. The server and the server functions call
//! [`Carlink`] and turn its [`Error`] into responses.

mod accounts;
pub mod db;
mod error;
mod links;
mod locks;
mod random;
mod sessions;
mod throttle;
mod time;
mod vehicles;
mod vendors;

use std::sync::Arc;

use secrecy::SecretSlice;
use sqlx::SqlitePool;
use url::Url;

pub use accounts::{Password, UserId};
pub use error::Error;
pub use links::{
    CALLBACK_PATH, LINK_LIFETIME, Language, LinkOutcome, LinkReference, LinkStart, LinkSummary,
};
pub use random::random_token;
pub use sessions::{SESSION_LIFETIME, SessionToken};
pub use throttle::{MAX_FAILURES as MAX_SIGN_IN_FAILURES, WINDOW as SIGN_IN_WINDOW};
pub use vehicles::{LinkedVendorRecord, VehicleRecord};
pub use vendors::{SUPPORTED_VENDORS, SupportedVendor};

/// The number of password hashes computed at once. Each Argon2id hash with the argon2 crate's
/// default parameters (0.5) uses 19 MiB, so hashing memory stays near 76 MiB under any load.
pub const HASHING_SLOTS: usize = 4;

/// Settings the domain needs from the server's configuration.
#[derive(Clone, Debug)]
pub struct CoreSettings {
    /// The URL browsers use to reach carlink; Enode's Link UI sends drivers back under it.
    pub public_url: Url,
    /// How long a started link can be confirmed; [`LINK_LIFETIME`] matches Enode's sessions.
    pub link_lifetime: std::time::Duration,
    /// Key for hashing session tokens before they are stored. `None` makes the server generate
    /// one on first start and keep it in the database.
    pub session_key: Option<SecretSlice<u8>>,
}

/// The handle the server and every request share: the database pool, the Enode client and the
/// session key.
#[derive(Clone)]
pub struct Carlink {
    inner: Arc<Inner>,
}

struct Inner {
    db: SqlitePool,
    enode: enode::Client,
    public_url: Url,
    link_lifetime: std::time::Duration,
    session_key: SecretSlice<u8>,
    /// Serializes confirms of the same pending link.
    link_locks: locks::KeyedLocks,
    /// Bounds concurrent password hashing, see [`HASHING_SLOTS`].
    hashing_slots: tokio::sync::Semaphore,
    sign_in_throttle: throttle::SignInThrottle,
}

impl Carlink {
    /// Builds the handle on an open, migrated database.
    pub async fn new(
        db: SqlitePool,
        enode: enode::Client,
        settings: CoreSettings,
    ) -> Result<Self, Error> {
        let session_key = match settings.session_key {
            Some(key) => key,
            None => sessions::load_or_create_session_key(&db).await?,
        };
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                enode,
                public_url: settings.public_url,
                link_lifetime: settings.link_lifetime,
                session_key,
                link_locks: locks::KeyedLocks::default(),
                hashing_slots: tokio::sync::Semaphore::new(HASHING_SLOTS),
                sign_in_throttle: throttle::SignInThrottle::default(),
            }),
        })
    }

    pub fn db(&self) -> &SqlitePool {
        &self.inner.db
    }

    pub fn enode(&self) -> &enode::Client {
        &self.inner.enode
    }

    pub fn public_url(&self) -> &Url {
        &self.inner.public_url
    }

    /// Checks that the database responds and its main tables can be read.
    pub async fn check_health(&self) -> Result<(), Error> {
        sqlx::query("SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1)) + (SELECT COUNT(*) FROM (SELECT 1 FROM vehicles LIMIT 1))")
            .execute(self.db())
            .await?;
        Ok(())
    }
}
