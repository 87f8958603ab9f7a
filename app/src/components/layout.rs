use leptos::prelude::*;
use leptos_router::components::A;

use crate::{accounts::SignOut, components::session::use_session};

/// Renders the bar at the top of every page: the product name and the signed-in user with sign-out.
#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    let sign_out = ServerAction::<SignOut>::new();
    session.refresh_after(sign_out);

    view! {
        <header class="top-bar">
            <A href="/" attr:class="brand">"carlink"</A>
            <Transition>
                {move || Suspend::new(async move {
                    match session.user.await {
                        Ok(Some(user)) => view! {
                            <nav class="account" aria-label="Account">
                                <span class="signed-in-as">"Signed in as " <strong>{user}</strong></span>
                                <ActionForm action=sign_out>
                                    <button type="submit" class="secondary">"Sign out"</button>
                                </ActionForm>
                            </nav>
                        }
                        .into_any(),
                        _ => view! {
                            <nav class="account" aria-label="Account">
                                <A href="/login">"Sign in"</A>
                                <A href="/signup">"Sign up"</A>
                            </nav>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </header>
    }
}
