//! Pieces shared by the forms.

use leptos::prelude::*;

use crate::error::AppError;

/// Renders a labelled password input with a Show/Hide button. The button needs the WASM; without it the
/// field works as a plain password input.
#[component]
pub fn PasswordField(
    #[prop(into)] id: String,
    #[prop(into)] autocomplete: String,
    #[prop(optional)] min_length: Option<u32>,
    #[prop(optional)] max_length: Option<u32>,
) -> impl IntoView {
    let (visible, set_visible) = signal(false);
    let input_type = move || if visible.get() { "text" } else { "password" };

    view! {
        <label for=id.clone()>"Password"</label>
        <div class="password-field">
            <input
                id=id
                name="password"
                type=input_type
                autocomplete=autocomplete
                minlength=min_length
                maxlength=max_length
                required
            />
            <button
                type="button"
                class="secondary"
                aria-pressed=move || visible.get().to_string()
                on:click=move |_| set_visible.update(|visible| *visible = !*visible)
            >
                {move || if visible.get() { "Hide" } else { "Show" }}
            </button>
        </div>
    }
}

/// Shows the error of the last submission of a form, if it failed.
#[component]
pub fn FormError(#[prop(into)] result: Signal<Option<Result<(), AppError>>>) -> impl IntoView {
    move || {
        result
            .get()
            .and_then(Result::err)
            .map(|error| view! { <p class="error" role="alert">{error.message}</p> })
    }
}
