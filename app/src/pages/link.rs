//! The vendor picker: choosing a brand starts a link session and opens Enode's Link UI.

use leptos::{ev, prelude::*};
use leptos_meta::Title;

use crate::{
    components::{form::FormError, link_actions::follow_started_link, session::RequireUser},
    links::{StartLink, VendorOption, list_vendors},
};

#[component]
pub fn LinkPage() -> impl IntoView {
    view! {
        <Title text="Link your car · carlink" />
        <RequireUser>
            <VendorPicker />
        </RequireUser>
    }
}

#[component]
fn VendorPicker() -> impl IntoView {
    let vendors = Resource::new(|| (), |_| list_vendors());
    let action = ServerAction::<StartLink>::new();
    follow_started_link(action);
    let result = Signal::derive(move || action.value().get().map(|result| result.map(|_| ())));

    // The filter needs the WASM, so it appears only after hydration; without it every brand
    // is a plain submit button.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let filter = RwSignal::new(String::new());

    view! {
        <section class="card">
            <h1>"Link your car"</h1>
            <p class="muted">
                "Choose your car's brand. Enode's page opens, where you sign in to your account at the
                carmaker and allow carlink to read your car's battery, range, charging state and location."
            </p>
            <ActionForm action=action attr:class="vendor-picker">
                <Show when=move || hydrated.get()>
                    <label for="vendor-filter">"Find your brand"</label>
                    <input
                        id="vendor-filter"
                        type="search"
                        placeholder="Type to filter, for example XPENG"
                        autocomplete="off"
                        aria-controls="vendor-list"
                        prop:value=move || filter.get()
                        on:input=move |event| filter.set(event_target_value(&event))
                        on:keydown=move |event: ev::KeyboardEvent| {
                            // Enter chooses the first brand that matches.
                            if event.key() == "Enter" {
                                event.prevent_default();
                                let first = vendors
                                    .get()
                                    .and_then(Result::ok)
                                    .and_then(|list| matching(&list, &filter.get()).into_iter().next());
                                if let Some(vendor) = first {
                                    action.dispatch(StartLink { vendor: vendor.id });
                                }
                            }
                        }
                    />
                </Show>
                <Transition fallback=|| view! { <p class="muted">"Loading brands…"</p> }>
                    {move || Suspend::new(async move {
                        match vendors.await {
                            Ok(list) => view! { <VendorList vendors=list filter pending=action.pending() /> }.into_any(),
                            Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                        }
                    })}
                </Transition>
                <FormError result />
                <p class="muted" role="status">
                    {move || if action.pending().get() { "Opening Enode…" } else { "" }}
                </p>
            </ActionForm>
        </section>
    }
}

#[component]
fn VendorList(
    vendors: Vec<VendorOption>,
    filter: RwSignal<String>,
    pending: Memo<bool>,
) -> impl IntoView {
    let vendors = StoredValue::new(vendors);
    let visible = move || matching(&vendors.read_value(), &filter.get());

    view! {
        <ul id="vendor-list" class="vendor-list" aria-label="Car brands">
            {move || {
                visible()
                    .into_iter()
                    .map(|vendor| {
                        view! {
                            <li>
                                <button type="submit" name="vendor" value=vendor.id class="vendor" disabled=move || pending.get()>
                                    {vendor.name}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
        <Show when=move || visible().is_empty()>
            <p class="muted">"No brand matches “" {move || filter.get()} "”. Check the spelling or clear the filter."</p>
        </Show>
    }
}

/// Keeps the vendors whose name or id contains `filter`, ignoring case.
fn matching(vendors: &[VendorOption], filter: &str) -> Vec<VendorOption> {
    let filter = filter.trim().to_lowercase();
    vendors
        .iter()
        .filter(|vendor| {
            vendor.name.to_lowercase().contains(&filter)
                || vendor.id.to_lowercase().contains(&filter)
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vendors() -> Vec<VendorOption> {
        [("XPENG", "XPENG"), ("SKODA", "Škoda"), ("TESLA", "Tesla")]
            .into_iter()
            .map(|(id, name)| VendorOption {
                id: id.into(),
                name: name.into(),
            })
            .collect()
    }

    #[test]
    fn filter_matches_name_or_id() {
        let ids = |filter: &str| {
            matching(&vendors(), filter)
                .into_iter()
                .map(|vendor| vendor.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("xp"), ["XPENG"]);
        assert_eq!(ids("škoda"), ["SKODA"]);
        assert_eq!(ids("skoda"), ["SKODA"]);
        assert_eq!(ids(""), ["XPENG", "SKODA", "TESLA"]);
        assert!(ids("delorean").is_empty());
    }
}
