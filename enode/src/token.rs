//! The shared OAuth access token.
//!
//! All requests of a client share one token. When it is missing or due for renewal, exactly
//! one task fetches a new one while the others wait for the result, success or failure.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use secrecy::SecretString;
use tokio::time::Instant;

use crate::error::Error;

/// An access token and the time after which it is no longer handed out.
pub(crate) struct AccessToken {
    pub(crate) value: SecretString,
    renew_at: Instant,
}

impl AccessToken {
    /// Builds a token that Enode issued at `issued_at` (or just after) with `expires_in`.
    /// It is renewed `margin` before it expires, or after half its lifetime when the
    /// lifetime is not longer than the margin.
    pub(crate) fn new(
        value: SecretString,
        issued_at: Instant,
        expires_in: Duration,
        margin: Duration,
    ) -> Self {
        let usable = if expires_in > margin {
            expires_in - margin
        } else {
            expires_in / 2
        };
        Self {
            value,
            renew_at: issued_at + usable,
        }
    }

    fn is_fresh(&self, now: Instant) -> bool {
        now < self.renew_at
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("AccessToken")
            .field("renew_at", &self.renew_at)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct State {
    token: Option<Arc<AccessToken>>,
    /// Completed fetches, successful or not. When the count changed while a caller waited for
    /// the fetch lock, a fetch ran on its behalf.
    fetches: u64,
    last_error: Option<Error>,
}

#[derive(Default)]
pub(crate) struct TokenCache {
    state: Mutex<State>,
    /// Held by the one task that fetches a token.
    fetching: tokio::sync::Mutex<()>,
}

impl TokenCache {
    /// Returns the current token, or fetches a new one with `fetch` when there is none or it
    /// is due for renewal.
    ///
    /// Concurrent callers share one fetch. When that fetch fails, the callers that waited for
    /// it get its error instead of starting fetches of their own.
    pub(crate) async fn token<F, Fut>(&self, fetch: F) -> Result<Arc<AccessToken>, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<AccessToken, Error>>,
    {
        let fetches_seen = {
            let state = self.lock();
            if let Some(token) = fresh_token(&state) {
                return Ok(token);
            }
            state.fetches
        };

        let _fetching = self.fetching.lock().await;
        {
            let state = self.lock();
            if let Some(token) = fresh_token(&state) {
                return Ok(token);
            }
            if state.fetches != fetches_seen
                && let Some(error) = &state.last_error
            {
                return Err(error.clone());
            }
        }

        let result = fetch().await.map(Arc::new);

        let mut state = self.lock();
        state.fetches += 1;
        match &result {
            Ok(token) => {
                state.token = Some(Arc::clone(token));
                state.last_error = None;
            }
            Err(error) => state.last_error = Some(error.clone()),
        }
        result
    }

    /// Drops `rejected` so the next call fetches a new token. Does nothing when another task
    /// has already replaced it.
    pub(crate) fn invalidate(&self, rejected: &Arc<AccessToken>) {
        let mut state = self.lock();
        if state
            .token
            .as_ref()
            .is_some_and(|current| Arc::ptr_eq(current, rejected))
        {
            state.token = None;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Code holding this lock only reads fields and assigns whole values, so a poisoned lock
        // still contains consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn fresh_token(state: &State) -> Option<Arc<AccessToken>> {
    state
        .token
        .as_ref()
        .filter(|token| token.is_fresh(Instant::now()))
        .map(Arc::clone)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use secrecy::ExposeSecret;

    use super::*;

    fn token(value: &str, lifetime: Duration) -> AccessToken {
        AccessToken::new(
            SecretString::from(value),
            Instant::now(),
            lifetime,
            Duration::ZERO,
        )
    }

    #[tokio::test]
    async fn cache_reuses_fresh_token() {
        let cache = TokenCache::default();
        let fetches = AtomicU32::new(0);
        for _ in 0..3 {
            let result = cache
                .token(|| async {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    Ok(token("t", Duration::from_secs(60)))
                })
                .await;
            assert!(result.is_ok());
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn cache_single_flight() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let cache = Arc::clone(&cache);
                let fetches = Arc::clone(&fetches);
                tokio::spawn(async move {
                    cache
                        .token(|| async {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Ok(token("t", Duration::from_secs(60)))
                        })
                        .await
                        .is_ok()
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.ok(), Some(true));
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn cache_shares_fetch_failure() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let cache = Arc::clone(&cache);
                let fetches = Arc::clone(&fetches);
                tokio::spawn(async move {
                    cache
                        .token(|| async {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Err(Error::TimedOut)
                        })
                        .await
                        .is_err()
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.ok(), Some(true));
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn cache_retries_after_failure() {
        let cache = TokenCache::default();
        let failed = cache.token(|| async { Err(Error::TimedOut) }).await;
        assert!(failed.is_err());
        let later = cache
            .token(|| async { Ok(token("t", Duration::from_secs(60))) })
            .await;
        assert!(later.is_ok());
    }

    #[tokio::test]
    async fn cache_renews_expired_token() {
        let cache = TokenCache::default();
        let first = cache
            .token(|| async { Ok(token("old", Duration::from_millis(20))) })
            .await;
        assert!(first.is_ok());
        tokio::time::sleep(Duration::from_millis(40)).await;
        let second = cache
            .token(|| async { Ok(token("new", Duration::from_secs(60))) })
            .await;
        let value = second.map(|token| token.value.expose_secret().to_owned());
        assert_eq!(value.ok().as_deref(), Some("new"));
    }

    #[tokio::test]
    async fn invalidate_drops_rejected_token() {
        let cache = TokenCache::default();
        let rejected = cache
            .token(|| async { Ok(token("old", Duration::from_secs(60))) })
            .await;
        let Ok(rejected) = rejected else {
            panic!("the first fetch failed");
        };
        cache.invalidate(&rejected);
        let next = cache
            .token(|| async { Ok(token("new", Duration::from_secs(60))) })
            .await;
        let value = next.map(|token| token.value.expose_secret().to_owned());
        assert_eq!(value.ok().as_deref(), Some("new"));
    }

    #[tokio::test]
    async fn invalidate_keeps_newer_token() {
        let cache = TokenCache::default();
        let Ok(old) = cache
            .token(|| async { Ok(token("old", Duration::from_secs(60))) })
            .await
        else {
            panic!("the first fetch failed");
        };
        cache.invalidate(&old);
        let Ok(newer) = cache
            .token(|| async { Ok(token("newer", Duration::from_secs(60))) })
            .await
        else {
            panic!("the second fetch failed");
        };
        cache.invalidate(&old);
        let current = cache
            .token(|| async { Ok(token("third", Duration::from_secs(60))) })
            .await;
        let same = current.map(|token| Arc::ptr_eq(&token, &newer));
        assert_eq!(same.ok(), Some(true));
    }

    #[test]
    fn short_lifetime_renews_at_half() {
        let issued_at = Instant::now();
        let token = AccessToken::new(
            SecretString::from("t"),
            issued_at,
            Duration::from_secs(30),
            Duration::from_secs(60),
        );
        assert_eq!(token.renew_at, issued_at + Duration::from_secs(15));
    }
}
