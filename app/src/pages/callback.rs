//! The page Enode's Link UI sends drivers back to. It renders on the server, then confirms the
//! link by itself once hydrated; without WASM a Confirm button does the same.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    components::{link_actions::StartLinkButton, session::RequireUser, vehicle::VehicleGrid},
    error::{AppError, ErrorKind},
    links::{CallbackView, ConfirmLink, LinkResultView, VendorOption, link_status},
};

/// The query Enode's Link UI returns with: carlink's `state`, and on failure the OAuth 2.0 error.
#[derive(Clone, Debug, Default)]
struct CallbackQuery {
    state: Option<String>,
    link_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

#[component]
pub fn CallbackPage() -> impl IntoView {
    view! {
        <Title text="Linking your car · carlink" />
        <RequireUser>
            <Callback />
        </RequireUser>
    }
}

#[component]
fn Callback() -> impl IntoView {
    let query = use_query_map().with_untracked(|query| CallbackQuery {
        state: query.get("state"),
        link_token: query.get("link_token"),
        error: query.get("error"),
        error_description: query.get("error_description"),
    });
    let status = Resource::new(
        {
            let query = query.clone();
            move || (query.state.clone(), query.link_token.clone())
        },
        |(state, link_token)| link_status(state, link_token),
    );

    view! {
        <section class="card callback">
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let query = query.clone();
                    Suspend::new(async move {
                        let status = status.await;
                        match (status, &query.error) {
                            // A confirmed link stays confirmed, whatever error the address carries.
                            (Ok(CallbackView { result: Some(result), .. }), _) => view! { <LinkConfirmed result /> }.into_any(),
                            (status, Some(code)) => {
                                let vendor = status.ok().map(|view| view.vendor);
                                view! { <LinkRefused vendor code=code.clone() description=query.error_description.clone() /> }.into_any()
                            }
                            (Err(error), None) => view! { <LinkProblem error vendor=None /> }.into_any(),
                            (Ok(CallbackView { vendor, expired: Some(error), .. }), None) => {
                                view! { <LinkProblem error vendor=Some(vendor) /> }.into_any()
                            }
                            (Ok(CallbackView { vendor, .. }), None) => {
                                view! { <Confirming vendor state=query.state.clone() link_token=query.link_token.clone() /> }.into_any()
                            }
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

/// Confirms the link as soon as the page is hydrated, and offers a Confirm button that works
/// without WASM.
#[component]
fn Confirming(
    vendor: VendorOption,
    state: Option<String>,
    link_token: Option<String>,
) -> impl IntoView {
    let action = ServerAction::<ConfirmLink>::new();
    let input = ConfirmLink {
        state: state.clone(),
        link_token: link_token.clone(),
    };
    // An effect runs only in the browser, once, after hydration.
    Effect::new(move |_| {
        action.dispatch(input.clone());
    });
    let vendor = StoredValue::new(vendor);

    move || match action.value().get() {
        Some(Ok(result)) => view! { <LinkConfirmed result /> }.into_any(),
        Some(Err(error)) => {
            // Enode failures pass; the pending link is kept, so the same confirm can succeed later.
            let retryable = matches!(
                error.kind,
                ErrorKind::Unavailable | ErrorKind::BadGateway | ErrorKind::Internal
            );
            let (state, link_token) = (state.clone(), link_token.clone());
            view! {
                <LinkProblem error vendor=Some(vendor.get_value())>
                    {retryable.then(|| view! { <ConfirmForm action state link_token label="Try again" /> })}
                </LinkProblem>
            }
            .into_any()
        }
        None => view! {
            <h1>"Confirming your " {vendor.get_value().name} " link…"</h1>
            <p class="muted" role="status" aria-live="polite">
                {move || if action.pending().get() {
                    "Asking Enode for your cars. This takes a moment."
                } else {
                    "Confirm to save your cars in carlink."
                }}
            </p>
            <ConfirmForm action state=state.clone() link_token=link_token.clone() label="Confirm" />
        }
        .into_any(),
    }
}

#[component]
fn ConfirmForm(
    action: ServerAction<ConfirmLink>,
    state: Option<String>,
    link_token: Option<String>,
    #[prop(into)] label: String,
) -> impl IntoView {
    view! {
        <ActionForm action>
            {state.map(|state| view! { <input type="hidden" name="state" value=state /> })}
            {link_token.map(|token| view! { <input type="hidden" name="link_token" value=token /> })}
            <button type="submit" disabled=move || action.pending().get()>{label}</button>
        </ActionForm>
    }
}

#[component]
fn LinkConfirmed(result: LinkResultView) -> impl IntoView {
    let count = result.vehicles.len();
    let summary = match count {
        0 => "Enode reports no cars on this account yet. They appear here once Enode finds them."
            .to_owned(),
        1 => "1 car is now in carlink.".to_owned(),
        _ => format!("{count} cars are now in carlink."),
    };

    view! {
        <h1>"Your " {result.vendor.name.clone()} " account is linked"</h1>
        <p class="success" role="status">{summary}</p>
        <VehicleGrid vehicles=result.vehicles />
        <div class="actions">
            <A href="/" attr:class="button">"Go to your cars"</A>
            <A href="/link" attr:class="button secondary">"Link another car"</A>
        </div>
    }
}

/// Explains that the driver cancelled in Link UI, or that the carmaker's login failed there.
#[component]
fn LinkRefused(
    vendor: Option<VendorOption>,
    code: String,
    description: Option<String>,
) -> impl IntoView {
    let brand = vendor
        .as_ref()
        .map_or_else(|| "car".to_owned(), |vendor| vendor.name.clone());
    let message = if code == "access_denied" {
        format!(
            "You cancelled linking your {brand} account, or did not allow access. Nothing was saved."
        )
    } else {
        // Anyone can put text into this address, so the provider's words are shortened and shown
        // as a quote, never as carlink's own statement.
        let reason = description
            .as_deref()
            .map(|description| shorten(description, 160))
            .unwrap_or_else(|| shorten(&code, 40));
        format!(
            "Linking your {brand} account failed. The provider reported: “{reason}”. Nothing was saved."
        )
    };

    view! {
        <h1>"Your " {brand.clone()} " account was not linked"</h1>
        <p class="notice" role="alert">{message}</p>
        <NextSteps vendor />
    }
}

/// Cuts `text` to at most `max_chars` characters, marking the cut with an ellipsis.
fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        let kept: String = text.chars().take(max_chars).collect();
        format!("{kept}…")
    }
}

/// Shows a failure with its message and the steps that can fix it; `children` adds more steps.
#[component]
fn LinkProblem(
    error: AppError,
    vendor: Option<VendorOption>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let title = match error.kind {
        ErrorKind::NotFound => "Link not found",
        ErrorKind::Gone => "Link expired",
        ErrorKind::Forbidden => "Not your link",
        ErrorKind::Unauthorized => "Sign in to continue",
        ErrorKind::Unavailable | ErrorKind::BadGateway => "Enode is not responding",
        _ => "Linking did not finish",
    };
    let vendor = (error.kind != ErrorKind::Forbidden)
        .then_some(vendor)
        .flatten();

    view! {
        <h1>{title}</h1>
        <p class="error" role="alert">{error.message}</p>
        {children.map(|children| view! { <div class="actions">{children()}</div> })}
        <NextSteps vendor />
    }
}

/// "Start again" for a known vendor, and the way back to the brands and the dashboard.
#[component]
fn NextSteps(vendor: Option<VendorOption>) -> impl IntoView {
    view! {
        <div class="actions">
            {vendor.map(|vendor| view! { <StartLinkButton vendor=vendor.id label="Start again" /> })}
            <A href="/link" attr:class="button secondary">"Choose a brand"</A>
            <A href="/" attr:class="button secondary">"Your cars"</A>
        </div>
    }
}
