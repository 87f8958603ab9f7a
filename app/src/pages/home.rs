//! The signed-in home page: linked vendors and cars from carlink's store.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    components::{link_actions::StartLinkButton, session::RequireUser, vehicle::VehicleGrid},
    links::{GarageView, LinkedVendorView, garage},
};

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Your cars · carlink" />
        <RequireUser redirect_to="/signup">
            <Garage />
        </RequireUser>
    }
}

#[component]
fn Garage() -> impl IntoView {
    let garage = Resource::new(|| (), |_| garage());

    view! {
        <Transition fallback=|| view! { <h1>"Your cars"</h1> <p class="muted">"Loading your cars…"</p> }>
            {move || Suspend::new(async move {
                match garage.await {
                    Ok(garage) if garage.vendors.is_empty() => view! {
                        <h1>"Your cars"</h1>
                        <EmptyGarage />
                    }
                    .into_any(),
                    Ok(GarageView { vendors, vehicles }) => view! {
                        <div class="page-heading">
                            <h1>"Your cars"</h1>
                            <A href="/link" attr:class="button">"Link another car"</A>
                        </div>
                        <VendorList vendors />
                        {if vehicles.is_empty() {
                            view! { <p class="muted">"Enode reports no cars on your linked accounts yet."</p> }.into_any()
                        } else {
                            view! { <VehicleGrid vehicles /> }.into_any()
                        }}
                    }
                    .into_any(),
                    Err(error) => view! {
                        <h1>"Your cars"</h1>
                        <p class="error" role="alert">{error.message}</p>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn EmptyGarage() -> impl IntoView {
    view! {
        <section class="card empty">
            <h2>"No cars linked yet"</h2>
            <p class="muted">"Link your car's brand account to see its battery, range and charging state here."</p>
            <A href="/link" attr:class="button">"Link your car"</A>
        </section>
    }
}

#[component]
fn VendorList(vendors: Vec<LinkedVendorView>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Linked accounts"</h2>
            <ul class="linked-vendors">
                {vendors
                    .into_iter()
                    .map(|vendor| {
                        let needs_relink = !vendor.is_valid;
                        view! {
                            <li>
                                <strong>{vendor.name.clone()}</strong>
                                {if needs_relink {
                                    view! {
                                        <span class="badge warning">"Needs re-linking"</span>
                                        <StartLinkButton vendor=vendor.vendor.clone() label="Re-link" />
                                    }
                                    .into_any()
                                } else {
                                    view! { <span class="badge ok">"Linked"</span> }.into_any()
                                }}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
