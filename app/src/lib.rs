//! carlink's pages, components and server functions. The server renders them (feature `ssr`) and
//! the browser hydrates them (feature `hydrate`).

pub mod accounts;
pub mod components;
pub mod error;
pub mod links;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::{
    components::session::provide_session,
    pages::{CallbackPage, HomePage, LinkPage, NotFoundPage, SignInPage, SignUpPage},
};

/// Renders the HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_session();
    mark_hydrated();

    view! {
        <Stylesheet id="leptos" href="/pkg/carlink.css" />
        <Title text="carlink" />
        <Router>
            <components::layout::Header />
            <main class="page">
                // Async mode renders the whole page before sending it, so a page that redirects
                // (for example to sign-in) can still answer with a redirect status.
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/link") view=LinkPage ssr=SsrMode::Async />
                    <Route path=path!("/callback") view=CallbackPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

/// Sets `data-hydrated` on the root element once the WASM has taken over the page, so tests and
/// styles can tell a hydrated page from a server-rendered one.
fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}
