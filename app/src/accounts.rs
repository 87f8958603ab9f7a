//! Server functions for accounts: who is signed in, sign-up, sign-in and sign-out.
//!
//! Each one also works as a plain HTML form post without WASM: on success it redirects, on
//! failure Leptos sends the browser back to the form with the error.

use leptos::prelude::*;

use crate::error::AppError;

/// Returns the signed-in user's id, or `None` without a signed-in user.
#[server(prefix = "/rpc", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<String>, AppError> {
    crate::state::with_status(
        async move {
            use crate::state::{app_state, request_cookies};

            let state = app_state()?;
            let cookies = request_cookies().await?;
            let user = state.signed_in_user(&cookies).await?;
            Ok(user.map(|user| user.to_string()))
        }
        .await,
    )
}

/// Creates an account, signs it in and goes to the home page.
#[server(prefix = "/rpc", endpoint = "sign_up")]
pub async fn sign_up(username: String, password: String) -> Result<(), AppError> {
    crate::state::with_status(
        async move {
            use crate::state::{app_state, set_cookie};

            let state = app_state()?;
            let (_, token) = state.carlink.sign_up(username.trim(), &password).await?;
            set_cookie(state.session_cookie(&token))?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

/// Signs in and goes to `next` (a path on this site, such as the callback page that sent the
/// driver to sign in), or to the home page.
#[server(prefix = "/rpc", endpoint = "sign_in")]
pub async fn sign_in(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    crate::state::with_status(
        async move {
            use crate::state::{app_state, set_cookie};

            let state = app_state()?;
            let (_, token) = state.carlink.sign_in(username.trim(), &password).await?;
            set_cookie(state.session_cookie(&token))?;
            leptos_axum::redirect(local_path(next.as_deref()).unwrap_or("/"));
            Ok(())
        }
        .await,
    )
}

/// `path` when it is a path on this site; `None` for anything that could lead elsewhere, such as
/// `//host` or `https://host`.
pub fn local_path(path: Option<&str>) -> Option<&str> {
    path.filter(|path| path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\"))
}

/// Ends the session and goes to the sign-in page.
#[server(prefix = "/rpc", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    crate::state::with_status(
        async move {
            use crate::state::{SESSION_COOKIE, app_state, request_cookies, set_cookie};

            let state = app_state()?;
            let cookies = request_cookies().await?;
            if let Some(cookie) = cookies.get(SESSION_COOKIE) {
                state.carlink.sign_out(cookie.value()).await?;
            }
            set_cookie(state.expired_session_cookie())?;
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn local_path_accepts_site_paths() {
        assert_eq!(
            local_path(Some("/callback?state=abc")),
            Some("/callback?state=abc")
        );
        assert_eq!(local_path(Some("/")), Some("/"));
    }

    #[test]
    fn local_path_rejects_other_sites() {
        for path in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil",
            "",
        ] {
            assert_eq!(local_path(Some(path)), None, "{path}");
        }
        assert_eq!(local_path(None), None);
    }
}
