//! Limits failed sign-ins per username, so passwords cannot be guessed at the server's speed.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::Error;

/// Failed sign-ins allowed per username within [`WINDOW`].
pub const MAX_FAILURES: u32 = 5;

/// How long failures count; the username is free again once the window has passed.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// The number of usernames tracked at once. Past it, expired entries are dropped first and then
/// every entry, so an attacker who sprays usernames cannot grow the map without bound.
const MAX_TRACKED: usize = 10_000;

#[derive(Default)]
pub(crate) struct SignInThrottle {
    failures: Mutex<HashMap<String, Failures>>,
}

struct Failures {
    count: u32,
    first_at: Instant,
}

impl SignInThrottle {
    /// Fails with [`Error::TooManySignInAttempts`] while `username` has used up its failures.
    pub(crate) fn check(&self, username: &str) -> Result<(), Error> {
        let failures = self.lock();
        match failures.get(&key(username)) {
            Some(entry) if entry.count >= MAX_FAILURES && entry.first_at.elapsed() < WINDOW => {
                Err(Error::TooManySignInAttempts {
                    retry_after: WINDOW.saturating_sub(entry.first_at.elapsed()),
                })
            }
            _ => Ok(()),
        }
    }

    pub(crate) fn record_failure(&self, username: &str) {
        let mut failures = self.lock();
        if failures.len() >= MAX_TRACKED {
            failures.retain(|_, entry| entry.first_at.elapsed() < WINDOW);
            if failures.len() >= MAX_TRACKED {
                tracing::warn!(
                    tracked = failures.len(),
                    "too many usernames with failed sign-ins; forgetting them all"
                );
                failures.clear();
            }
        }
        let entry = failures.entry(key(username)).or_insert(Failures {
            count: 0,
            first_at: Instant::now(),
        });
        if entry.first_at.elapsed() >= WINDOW {
            *entry = Failures {
                count: 0,
                first_at: Instant::now(),
            };
        }
        entry.count += 1;
        if entry.count == MAX_FAILURES {
            tracing::warn!(username = %key(username), "sign-in paused after repeated wrong passwords");
        }
    }

    /// Clears the failures of `username` after a successful sign-in.
    pub(crate) fn forget(&self, username: &str) {
        self.lock().remove(&key(username));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        self.failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Normalizes a username for tracking: trimmed, lower-case and at most 64 characters, the longest
/// valid username.
fn key(username: &str) -> String {
    username.trim().to_lowercase().chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_blocks_after_max_failures() {
        let throttle = SignInThrottle::default();
        for _ in 0..MAX_FAILURES {
            assert!(throttle.check("ada").is_ok());
            throttle.record_failure("ada");
        }
        assert!(matches!(
            throttle.check("ada"),
            Err(Error::TooManySignInAttempts { .. })
        ));
        assert!(matches!(
            throttle.check(" ADA "),
            Err(Error::TooManySignInAttempts { .. })
        ));
        assert!(
            throttle.check("grace").is_ok(),
            "other usernames are not affected"
        );
    }

    #[test]
    fn throttle_forgets_after_success() {
        let throttle = SignInThrottle::default();
        for _ in 0..MAX_FAILURES {
            throttle.record_failure("ada");
        }
        throttle.forget("ada");
        assert!(throttle.check("ada").is_ok());
    }
}
