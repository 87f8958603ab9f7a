use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::accounts::{SignIn, SignUp};
use crate::components::{
    form::{FormError, PasswordField},
    session::{RedirectIfSignedIn, use_session},
};

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    use_session().refresh_after(action);

    view! {
        <Title text="Sign up · carlink" />
        <RedirectIfSignedIn />
        <section class="card narrow">
            <h1>"Create your carlink account"</h1>
            <p class="muted">"Link your electric car and see its battery, range and charging at a glance."</p>
            <ActionForm action=action attr:class="stacked">
                <label for="signup-username">"Username"</label>
                <input
                    id="signup-username"
                    name="username"
                    autocomplete="username"
                    required
                    minlength="3"
                    maxlength="64"
                    pattern="[a-z0-9_\\-]+"
                    title="3 to 64 characters of lower-case letters (a-z), digits, - and _"
                    aria-describedby="signup-username-hint"
                />
                <p id="signup-username-hint" class="hint">"3 to 64 characters: a–z, 0–9, - and _."</p>
                <PasswordField id="signup-password" autocomplete="new-password" min_length=8 max_length=128 />
                <p class="hint">"8 to 128 characters."</p>
                <FormError result=action.value() />
                <button type="submit" disabled=move || action.pending().get()>
                    "Create account"
                </button>
            </ActionForm>
            <p>"Already have an account? " <A href="/login">"Sign in"</A></p>
        </section>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    use_session().refresh_after(action);
    let next = use_query_map().with_untracked(|query| query.get("next"));

    view! {
        <Title text="Sign in · carlink" />
        <RedirectIfSignedIn />
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <ActionForm action=action attr:class="stacked">
                {next.map(|next| view! { <input type="hidden" name="next" value=next /> })}
                <label for="signin-username">"Username"</label>
                <input id="signin-username" name="username" autocomplete="username" required />
                <PasswordField id="signin-password" autocomplete="current-password" />
                <FormError result=action.value() />
                <button type="submit" disabled=move || action.pending().get()>
                    "Sign in"
                </button>
            </ActionForm>
            <p>"New to carlink? " <A href="/signup">"Create an account"</A></p>
        </section>
    }
}
