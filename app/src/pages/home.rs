use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::session::{CurrentUser, RequireUser};

/// The signed-in home page.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Your cars · carlink" />
        <RequireUser redirect_to="/signup">
            <Welcome />
        </RequireUser>
    }
}

#[component]
fn Welcome() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    view! {
        <section class="card">
            <h1>"Welcome, " {user.0}</h1>
            <p class="muted">"No cars linked yet."</p>
        </section>
    }
}
