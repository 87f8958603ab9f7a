//! Sign-up and sign-in: validated usernames and passwords, Argon2id hashes.

use std::{fmt, sync::LazyLock};

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use secrecy::{ExposeSecret, SecretString};

use crate::{Carlink, Error, SessionToken, time::now_millis};

/// A username: 3 to 64 characters of lower-case ASCII letters, digits, `-` and `_`. It is the
/// account's id everywhere, Enode's `userId` included.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(String);

impl UserId {
    pub const RULE: &'static str =
        "A username is 3 to 64 characters of lower-case letters (a-z), digits, '-' and '_'.";

    /// Parses a username, rejecting anything outside [`UserId::RULE`].
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let length_ok = (3..=64).contains(&raw.len());
        let characters_ok = raw.bytes().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-' || byte == b'_'
        });
        if length_ok && characters_ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Error::InvalidInput(format!(
                "\"{}\" is not a valid username. {}",
                truncate_for_message(raw),
                Self::RULE
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// A password that meets the length rule. Debug output never shows it.
pub struct Password(SecretString);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    /// Parses a new password, rejecting one shorter than 8 or longer than 128 characters.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let chars = raw.chars().count();
        if (Self::MIN_CHARS..=Self::MAX_CHARS).contains(&chars) {
            Ok(Self(SecretString::from(raw)))
        } else {
            Err(Error::InvalidInput(format!(
                "The password must be {} to {} characters long; it has {chars}.",
                Self::MIN_CHARS,
                Self::MAX_CHARS
            )))
        }
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Password(..)")
    }
}

/// A hash verified when the username does not exist, so that a wrong username costs as much time
/// as a wrong password and timing does not reveal which accounts exist.
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| hash_password("carlink-dummy").ok());

impl Carlink {
    /// Creates an account and signs it in.
    pub async fn sign_up(
        &self,
        username: &str,
        password: &str,
    ) -> Result<(UserId, SessionToken), Error> {
        let user_id = UserId::parse(username)?;
        let password = Password::parse(password)?;

        let password_hash = self
            .run_hashing(move || hash_password(password.0.expose_secret()))
            .await??;

        // The account and its first session are written together, so a failure leaves neither.
        let mut transaction = self.db().begin_with("BEGIN IMMEDIATE").await?;
        let created_at = now_millis();
        let inserted = sqlx::query!(
            "INSERT INTO users (id, password_hash, created_at) VALUES (?, ?, ?)
             ON CONFLICT (id) DO NOTHING",
            user_id.0,
            password_hash,
            created_at,
        )
        .execute(&mut *transaction)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(Error::UsernameTaken(user_id));
        }
        let token = self.insert_session(&mut transaction, &user_id).await?;
        transaction.commit().await?;

        tracing::info!(user_id = %user_id, "account created");
        Ok((user_id, token))
    }

    /// Checks a username and password and starts a session. Any mismatch is
    /// [`Error::WrongCredentials`], whichever of the two was wrong.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
    ) -> Result<(UserId, SessionToken), Error> {
        self.inner.sign_in_throttle.check(username)?;

        // A malformed username cannot belong to an account; it is still a wrong credential.
        let user_id = UserId::parse(username).ok();
        let stored_hash = match &user_id {
            Some(user_id) => {
                sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = ?", user_id.0)
                    .fetch_optional(self.db())
                    .await?
            }
            None => None,
        };

        let account_exists = stored_hash.is_some();
        let hash = stored_hash.or_else(|| DUMMY_HASH.clone());
        let password = SecretString::from(password);
        let password_matches = match hash {
            Some(hash) => {
                self.run_hashing(move || verify_password(password.expose_secret(), &hash))
                    .await?
            }
            None => false,
        };

        match user_id {
            Some(user_id) if account_exists && password_matches => {
                let mut transaction = self.db().begin_with("BEGIN IMMEDIATE").await?;
                let token = self.insert_session(&mut transaction, &user_id).await?;
                transaction.commit().await?;
                self.inner.sign_in_throttle.forget(username);
                tracing::info!(user_id = %user_id, "signed in");
                Ok((user_id, token))
            }
            _ => {
                self.inner.sign_in_throttle.record_failure(username);
                Err(Error::WrongCredentials)
            }
        }
    }
}

fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| Error::Internal(format!("hashing the password failed: {error}")))
}

fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

impl Carlink {
    /// Runs password hashing off the async worker threads, at most [`crate::HASHING_SLOTS`] at a
    /// time. Each Argon2 hash takes tens of milliseconds and 19 MiB of memory, so without the limit
    /// a burst of sign-in requests could exhaust the server's memory.
    async fn run_hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        let _permit =
            self.inner.hashing_slots.acquire().await.map_err(|error| {
                Error::Internal(format!("the hashing limit is closed: {error}"))
            })?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|error| Error::Internal(format!("a blocking task failed: {error}")))
    }
}

/// Cuts user input shown inside an error message to a readable length.
pub(crate) fn truncate_for_message(raw: &str) -> String {
    const MAX_CHARS: usize = 40;
    if raw.chars().count() <= MAX_CHARS {
        raw.to_owned()
    } else {
        let kept: String = raw.chars().take(MAX_CHARS).collect();
        format!("{kept}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_accepts_rule_examples() {
        for valid in ["abc", "driver_42", "e-v-owner", &"a".repeat(64)] {
            assert!(UserId::parse(valid).is_ok(), "{valid} should be accepted");
        }
    }

    #[test]
    fn username_rejects_rule_breakers() {
        for invalid in [
            "ab",
            "Driver",
            "with space",
            "émile",
            "dot.ted",
            "",
            &"a".repeat(65),
        ] {
            assert!(
                UserId::parse(invalid).is_err(),
                "{invalid} should be rejected"
            );
        }
    }

    #[test]
    fn password_length_rule() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("long enough").is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
    }

    #[test]
    fn password_debug_hides_value() {
        let password = Password::parse("hunter2-secret").unwrap();
        assert!(!format!("{password:?}").contains("hunter2"));
    }

    #[test]
    fn password_hash_round_trip() {
        let hash = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
    }
}
