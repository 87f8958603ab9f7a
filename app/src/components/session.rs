//! The signed-in user, shared by every page, and the actions that change it.

use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location, location::Url};

use crate::{accounts::current_user, error::AppError};

/// The signed-in user's id, provided to the children of [`RequireUser`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentUser(pub String);

#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<String>, AppError>>,
    refresh: RwSignal<u64>,
}

impl Session {
    /// Fetches the user again each time `action` completes. Actions are created inside the
    /// routes, where Leptos hands them the error of a form post made without WASM.
    pub fn refresh_after<S>(&self, action: ServerAction<S>)
    where
        S: server_fn::ServerFn + Send + Sync + Clone + 'static,
        S::Output: Send + Sync + 'static,
        S::Error: Send + Sync + 'static,
    {
        let refresh = self.refresh;
        Effect::watch(
            move || action.version().get(),
            move |_, _, _| refresh.update(|count| *count += 1),
            false,
        );
    }
}

/// Provides the [`Session`].
pub fn provide_session() {
    let refresh = RwSignal::new(0);
    let user = Resource::new(move || refresh.get(), |_| current_user());
    provide_context(Session { user, refresh });
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Renders its children for a signed-in user, with [`CurrentUser`] provided. Anybody else goes
/// to `redirect_to`, or to the sign-in page, which returns to this page afterwards.
#[component]
pub fn RequireUser(
    #[prop(optional, into)] redirect_to: Option<String>,
    children: ChildrenFn,
) -> impl IntoView {
    let redirect_to = redirect_to.unwrap_or_else(|| {
        let location = use_location();
        // `search` is the query without its `?`.
        let search = location.search.get_untracked();
        let query = if search.is_empty() {
            String::new()
        } else {
            format!("?{search}")
        };
        let here = format!("{}{query}", location.pathname.get_untracked());
        format!("/login?next={}", Url::escape(&here))
    });
    let session = use_session();
    let children = StoredValue::new(children);

    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let redirect_to = redirect_to.clone();
                Suspend::new(async move {
                match session.user.await {
                    Ok(Some(user)) => {
                        provide_context(CurrentUser(user));
                        children.read_value()().into_any()
                    }
                    Ok(None) => view! { <Redirect path=redirect_to /> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                }
            })
            }}
        </Transition>
    }
}

/// Sends a signed-in user away from the sign-up and sign-in pages to the home page.
#[component]
pub fn RedirectIfSignedIn() -> impl IntoView {
    let session = use_session();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                matches!(session.user.await, Ok(Some(_))).then(|| view! { <Redirect path="/" /> })
            })}
        </Transition>
    }
}
