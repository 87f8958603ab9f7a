//! Server-side sessions: a random token in the cookie, its keyed hash in the database.

use std::{fmt, time::Duration};

use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use sha2::Sha256;
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::{Carlink, Error, UserId, time::now_millis};

/// How long a session lasts after sign-in.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);

const SESSION_KEY_NAME: &str = "session_key";
const SESSION_KEY_BYTES: usize = 32;

/// The value of the session cookie. Only its keyed hash is stored, so a copy of the database
/// cannot be used to sign in.
pub struct SessionToken(SecretString);

impl SessionToken {
    fn generate() -> Self {
        Self(SecretString::from(crate::random_token()))
    }

    /// Returns the cookie value. Callers must not log it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("SessionToken(..)")
    }
}

impl Carlink {
    /// Starts a session for `user_id` inside `transaction`, and drops expired sessions.
    pub(crate) async fn insert_session(
        &self,
        transaction: &mut Transaction<'_, Sqlite>,
        user_id: &UserId,
    ) -> Result<SessionToken, Error> {
        let user_id = user_id.as_str();
        let token = SessionToken::generate();
        let token_hash = self.hash_token(token.expose())?;
        let now = now_millis();
        let expires_at =
            now.saturating_add(i64::try_from(SESSION_LIFETIME.as_millis()).unwrap_or(i64::MAX));

        sqlx::query!("DELETE FROM sessions WHERE expires_at <= ?", now)
            .execute(&mut **transaction)
            .await?;
        sqlx::query!(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            token_hash,
            user_id,
            now,
            expires_at,
        )
        .execute(&mut **transaction)
        .await?;
        Ok(token)
    }

    /// Finds the user a session cookie belongs to. `None` for an unknown, ended or expired session.
    pub async fn authenticate(&self, cookie_value: &str) -> Result<Option<UserId>, Error> {
        let token_hash = self.hash_token(cookie_value)?;
        let now = now_millis();
        let user_id = sqlx::query_scalar!(
            "SELECT user_id FROM sessions WHERE token_hash = ? AND expires_at > ?",
            token_hash,
            now,
        )
        .fetch_optional(self.db())
        .await?;
        // Stored ids were parsed before they were written.
        Ok(user_id.and_then(|user_id| UserId::parse(&user_id).ok()))
    }

    /// Ends a session. Ending an unknown session is not an error: the result is the same.
    pub async fn sign_out(&self, cookie_value: &str) -> Result<(), Error> {
        let token_hash = self.hash_token(cookie_value)?;
        sqlx::query!("DELETE FROM sessions WHERE token_hash = ?", token_hash)
            .execute(self.db())
            .await?;
        Ok(())
    }

    fn hash_token(&self, token: &str) -> Result<String, Error> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.inner.session_key.expose_secret())
            .map_err(|error| Error::Internal(format!("the session key is unusable: {error}")))?;
        mac.update(token.as_bytes());
        Ok(hex::encode(mac.finalize().into_bytes()))
    }
}

/// Reads the generated session key, creating and storing it on first start so that sessions
/// survive restarts without configuration.
pub(crate) async fn load_or_create_session_key(db: &SqlitePool) -> Result<SecretSlice<u8>, Error> {
    let mut fresh = vec![0u8; SESSION_KEY_BYTES];
    rand::rng().fill_bytes(&mut fresh);

    // Two servers starting at once on one file both insert; the first one's key wins for both.
    sqlx::query!(
        "INSERT INTO server_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        SESSION_KEY_NAME,
        fresh,
    )
    .execute(db)
    .await?;
    let stored = sqlx::query_scalar!(
        "SELECT value FROM server_secrets WHERE name = ?",
        SESSION_KEY_NAME
    )
    .fetch_one(db)
    .await?;
    Ok(SecretSlice::from(stored))
}
