//! Starting a link session from any page: the picker, "Start again" and "Re-link".

use leptos::prelude::*;

use crate::{components::form::FormError, links::StartLink};

/// Sends the browser to Enode's Link UI once `action` has started a session. Without WASM the
/// server redirects instead, so this only runs in the browser.
pub fn follow_started_link(action: ServerAction<StartLink>) {
    Effect::new(move |_| {
        if let Some(Ok(started)) = action.value().get()
            && let Err(error) = window().location().set_href(&started.link_url)
        {
            leptos::logging::error!("opening Enode's Link UI failed: {error:?}");
        }
    });
}

/// Renders a one-button form that starts a new link session for `vendor`.
#[component]
pub fn StartLinkButton(#[prop(into)] vendor: String, #[prop(into)] label: String) -> impl IntoView {
    let action = ServerAction::<StartLink>::new();
    follow_started_link(action);
    let result = Signal::derive(move || action.value().get().map(|result| result.map(|_| ())));

    view! {
        <ActionForm action=action>
            <input type="hidden" name="vendor" value=vendor />
            <button type="submit" disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Opening Enode…".to_owned() } else { label.clone() }}
            </button>
            <FormError result />
        </ActionForm>
    }
}
