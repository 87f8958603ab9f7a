//! The Link UI's HTML. Maud escapes every interpolated value.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::accounts::{ACCOUNTS, SandboxAccount};
use crate::catalog::{self, VENDORS, Vendor};
use crate::linking::SessionError;

const STYLE: &str = "
:root { font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; padding: 1.5rem; }
main { max-width: 30rem; margin: 0 auto; }
.note { font-size: 0.875rem; padding: 0.5rem 0.75rem; border: 1px dashed currentColor; border-radius: 0.375rem; }
label { display: block; font-weight: 600; margin-top: 1rem; }
input, select { display: block; width: 100%; box-sizing: border-box; padding: 0.5rem; font: inherit; margin-top: 0.25rem; }
.actions { display: flex; gap: 0.75rem; margin-top: 1.5rem; }
button { font: inherit; padding: 0.5rem 1.25rem; border-radius: 0.375rem; border: 1px solid #1a56db; background: #1a56db; color: #fff; cursor: pointer; }
button.secondary { background: transparent; color: inherit; border-color: currentColor; }
button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.error { color: light-dark(#b91c1c, #fca5a5); font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin-top: 0.5rem; }
th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #9ca3af; }
";

/// Values shared by every page of one session.
pub(crate) struct PageContext<'a> {
    /// Path of the session's page, such as `/link/{linkToken}`. Form actions extend it.
    pub session_path: &'a str,
    /// `system`, `light` or `dark`.
    pub color_scheme: &'a str,
}

fn layout(title: &str, color_scheme: &str, content: Markup) -> Markup {
    let color_scheme = match color_scheme {
        "light" => "light",
        "dark" => "dark",
        _ => "light dark",
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content=(color_scheme);
                title { (title) " - Enode sandbox" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    p.note { "This is the local Enode sandbox. No real vehicles or vendor accounts are involved." }
                    (content)
                }
            }
        }
    }
}

fn cancel_button() -> Markup {
    html! {
        button.secondary type="submit" name="action" value="cancel" formnovalidate { "Cancel" }
    }
}

/// Renders the brand step, shown when the link session named no vendor.
pub(crate) fn brand_page(context: &PageContext<'_>, error: Option<&str>) -> Markup {
    let mut vendors: Vec<&Vendor> = VENDORS.iter().collect();
    vendors.sort_by_key(|vendor| vendor.brand.to_ascii_lowercase());
    let content = html! {
        h1 { "Choose your vehicle brand" }
        p { "Pick the brand of the vehicle you want to link." }
        @if let Some(error) = error {
            p.error role="alert" id="form-error" { (error) }
        }
        form method="post" action={ (context.session_path) "/brand" } {
            label for="vendor" { "Brand" }
            select id="vendor" name="vendor" required aria-describedby=[error.map(|_| "form-error")] {
                option value="" { "Select a brand" }
                @for vendor in vendors {
                    option value=(vendor.id) { (vendor.brand) }
                }
            }
            div.actions {
                button type="submit" name="action" value="continue" { "Continue" }
                (cancel_button())
            }
        }
    };
    layout("Choose your vehicle brand", context.color_scheme, content)
}

/// Renders the login step. `email` refills the field after a failed attempt.
pub(crate) fn login_page(
    context: &PageContext<'_>,
    vendor: &Vendor,
    email: &str,
    wrong_password: bool,
) -> Markup {
    let content = html! {
        h1 { "Sign in to " (vendor.brand) }
        p { "Sign in with your " (vendor.brand) " account to link your vehicles." }
        @if wrong_password {
            p.error role="alert" id="form-error" { "Wrong email or password. Use one of the sandbox accounts listed below." }
        }
        form method="post" action={ (context.session_path) "/login" } {
            label for="email" { "Email" }
            input id="email" name="email" type="email" autocomplete="username" required value=(email)
                aria-invalid=[wrong_password.then_some("true")] aria-describedby=[wrong_password.then_some("form-error")];
            label for="password" { "Password" }
            input id="password" name="password" type="password" autocomplete="current-password" required
                aria-invalid=[wrong_password.then_some("true")];
            div.actions {
                button type="submit" name="action" value="sign_in" { "Sign in" }
                (cancel_button())
            }
        }
        (accounts_table(ACCOUNTS))
    };
    layout(
        &format!("Sign in to {}", vendor.brand),
        context.color_scheme,
        content,
    )
}

fn accounts_table(accounts: &[SandboxAccount]) -> Markup {
    html! {
        section aria-labelledby="accounts-heading" {
            h2 id="accounts-heading" { "Sandbox accounts" }
            p { "Any of these accounts works with every brand." }
            table {
                thead {
                    tr {
                        th scope="col" { "Email" }
                        th scope="col" { "Password" }
                        th scope="col" { "Vehicles" }
                    }
                }
                tbody {
                    @for account in accounts {
                        tr {
                            td { (account.email) }
                            td { code { (account.password) } }
                            td { (account.vehicle_count) }
                        }
                    }
                }
            }
        }
    }
}

/// Renders the consent step, listing the requested scopes.
pub(crate) fn consent_page(
    context: &PageContext<'_>,
    vendor: &Vendor,
    account: &SandboxAccount,
    scopes: &[String],
) -> Markup {
    let vehicles = match account.vehicle_count {
        1 => "1 vehicle".to_owned(),
        count => format!("{count} vehicles"),
    };
    let content = html! {
        h1 { "Allow access to your " (vendor.brand) " vehicles" }
        p { "Signed in as " strong { (account.email) } ". Allowing access links " (vehicles) "." }
        p { "The app requests permission to:" }
        ul {
            @for scope in scopes {
                li {
                    (catalog::scope_description(scope).unwrap_or(scope))
                    " (" code { (scope) } ")"
                }
            }
        }
        form method="post" action={ (context.session_path) "/consent" } {
            div.actions {
                button type="submit" name="action" value="allow" { "Allow access" }
                (cancel_button())
            }
        }
    };
    layout("Allow access", context.color_scheme, content)
}

/// Renders the page for a link token that cannot be used.
pub(crate) fn session_error_page(error: SessionError) -> Markup {
    let (title, text) = match error {
        SessionError::NotFound => (
            "Link session not found",
            "This link is not valid. Go back to the app and start linking again.",
        ),
        SessionError::Expired => (
            "Link session expired",
            "This link has expired. Go back to the app and start linking again.",
        ),
        SessionError::Used => (
            "Link session already used",
            "This link was already used and works only once. Go back to the app to start linking again.",
        ),
    };
    let content = html! {
        h1 { (title) }
        p { (text) }
    };
    layout(title, "system", content)
}
