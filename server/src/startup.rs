//! Building the server from settings: store, Enode client, optional sandbox, routes.

use std::{
    future::Future,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    path::Path,
    sync::Arc,
};

use anyhow::Context;
use app::{App, shell, state::AppState};
use axum::{Router, middleware};
use base64::{Engine, engine::general_purpose::STANDARD};
use carlink_core::{Carlink, CoreSettings};
use enode_sandbox::{Sandbox, SandboxConfig};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use tokio::net::TcpListener;
use tower_http::services::ServeDir;
use url::Url;

use crate::{
    api,
    config::{EnodeSettings, Settings},
    cross_site::{PublicAuthority, reject_cross_site},
    telemetry,
};

/// The path the built-in sandbox is mounted at.
const SANDBOX_PATH: &str = "/sandbox";

/// A bound, ready-to-serve server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    carlink: Carlink,
    public_url: Url,
}

impl Application {
    /// Opens the database, binds the listener and assembles every route. Nothing is served until
    /// [`Application::run_until_stopped`].
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = carlink_core::db::open(&settings.database_path).await?;

        let listener = TcpListener::bind(settings.listen_addr)
            .await
            .with_context(|| format!("cannot listen on {}; is another server using it? Set CARLINK_ADDR to another address", settings.listen_addr))?;
        let local_addr = listener.local_addr()?;
        let public_url = match &settings.public_url {
            Some(url) => url.clone(),
            None => Url::parse(&format!("http://{local_addr}"))?,
        };

        let (enode_client, sandbox) = connect_enode(&settings, &public_url, local_addr)?;
        let carlink = Carlink::new(
            db,
            enode_client,
            CoreSettings {
                public_url: public_url.clone(),
                link_lifetime: settings.link_lifetime,
                session_key: settings
                    .session_key
                    .as_ref()
                    .map(decode_session_key)
                    .transpose()?,
            },
        )
        .await?;

        let state = AppState {
            leptos_options: leptos_options(&settings, local_addr)?,
            carlink: carlink.clone(),
            secure_cookies: public_url.scheme() == "https",
        };
        let router = routes(state, sandbox.as_ref(), PublicAuthority::of(&public_url));

        log_start(&settings, &public_url, sandbox.is_some());
        Ok(Self {
            listener,
            router,
            carlink,
            public_url,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn public_url(&self) -> &Url {
        &self.public_url
    }

    /// Serves until `shutdown` completes, lets requests in flight finish, then closes the
    /// database.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving HTTP failed")?;
        self.carlink.db().close().await;
        tracing::info!("server stopped");
        Ok(())
    }
}

/// Builds the Enode client for the configured environment. Without credentials this is the
/// built-in sandbox, returned too so that its router can be mounted.
fn connect_enode(
    settings: &Settings,
    public_url: &Url,
    local_addr: SocketAddr,
) -> anyhow::Result<(enode::Client, Option<Sandbox>)> {
    let client = |urls: enode::Urls, client_id: String, client_secret: SecretString| {
        let mut config = enode::Config::new(urls, client_id, client_secret);
        config.request_timeout = settings.enode_timeout;
        enode::Client::new(config)
    };
    match &settings.enode {
        EnodeSettings::BuiltInSandbox => {
            let base_url = public_url.join(SANDBOX_PATH.trim_start_matches('/'))?;
            let mut config = SandboxConfig::new(base_url);
            // A fresh secret at every start: the mounted sandbox's API is reachable on carlink's
            // port, and the default secret is public.
            config.client_secret = carlink_core::random_token();
            config.control_endpoints = settings.sandbox_control;
            let (client_id, client_secret) = (
                config.client_id.clone(),
                SecretString::from(config.client_secret.clone()),
            );
            let sandbox = Sandbox::new(config);

            // Drivers' browsers reach the Link UI through the public URL; carlink itself calls
            // the sandbox's API over loopback, which works behind any proxy or TLS terminator.
            let loopback = loopback_url(local_addr)?;
            let urls = enode::Urls {
                api: loopback.join("sandbox/api")?,
                token: loopback.join("sandbox/oauth2/token")?,
                link_ui: sandbox.link_ui_url(),
            };
            Ok((client(urls, client_id, client_secret)?, Some(sandbox)))
        }
        EnodeSettings::Remote {
            urls,
            client_id,
            client_secret,
        } => Ok((
            client(
                urls.as_ref().clone(),
                client_id.clone(),
                client_secret.clone(),
            )?,
            None,
        )),
    }
}

fn routes(state: AppState, sandbox: Option<&Sandbox>, public: PublicAuthority) -> Router {
    let leptos_options = state.leptos_options.clone();
    let page_routes = generate_route_list(App);

    // Built files, served gzip-compressed where the build left a `.gz` next to them.
    let pkg_files = ServeDir::new(
        Path::new(state.leptos_options.site_root.as_ref())
            .join(state.leptos_options.site_pkg_dir.as_ref()),
    )
    .precompressed_gzip();

    let mut router = Router::new()
        .merge(api::router())
        .nest_service("/pkg", pkg_files)
        .leptos_routes(&state, page_routes, {
            let leptos_options = leptos_options.clone();
            move || shell(leptos_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state)
        .layer(middleware::from_fn_with_state(public, reject_cross_site));

    // Nested after the cross-site check, which covers only the routes before it: the sandbox
    // replaces Enode's own site, whose Link UI pages send `Origin: null` with their forms.
    if let Some(sandbox) = sandbox {
        router = router.nest(SANDBOX_PATH, sandbox.router());
    }
    telemetry::request_layers(router)
}

/// Builds `http://` and the address this server listens on, with an unspecified IP (`0.0.0.0`,
/// `::`) replaced by loopback.
fn loopback_url(local_addr: SocketAddr) -> anyhow::Result<Url> {
    let mut addr = local_addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
    }
    Ok(Url::parse(&format!("http://{addr}/"))?)
}

/// Leptos' options from the variables cargo-leptos sets, with the site root and address of
/// these settings.
fn leptos_options(settings: &Settings, local_addr: SocketAddr) -> anyhow::Result<LeptosOptions> {
    let mut options = leptos::config::get_config_from_env()?.leptos_options;
    if options.output_name.is_empty() {
        options.output_name = Arc::from("carlink");
    }
    options.site_root = Arc::from(settings.site_root.to_string_lossy().as_ref());
    options.site_addr = local_addr;

    let bundle = settings
        .site_root
        .join(options.site_pkg_dir.as_ref())
        .join(format!("{}.wasm", options.output_name));
    if !bundle.exists() {
        tracing::warn!(
            path = %bundle.display(),
            "the browser bundle is missing, so pages will render without styles or interaction; \
             build it with `cargo leptos build --release` or set LEPTOS_SITE_ROOT to the built site"
        );
    }
    Ok(options)
}

fn decode_session_key(encoded: &SecretString) -> anyhow::Result<SecretSlice<u8>> {
    let key = STANDARD.decode(encoded.expose_secret()).context(
        "CARLINK_SESSION_KEY is not valid base64; generate one with `openssl rand -base64 32`",
    )?;
    anyhow::ensure!(
        key.len() >= 32,
        "CARLINK_SESSION_KEY decodes to {} bytes; it needs at least 32 (`openssl rand -base64 32`)",
        key.len()
    );
    Ok(SecretSlice::from(key))
}

fn log_start(settings: &Settings, public_url: &Url, sandbox_mounted: bool) {
    tracing::info!(url = %public_url, "carlink listening");
    tracing::info!(path = %settings.database_path.display(), "database");
    match &settings.enode {
        EnodeSettings::BuiltInSandbox if sandbox_mounted => {
            tracing::info!(sandbox = %format!("{public_url}{}", SANDBOX_PATH.trim_start_matches('/')), "no Enode credentials set: using the built-in Enode sandbox");
            for account in Sandbox::accounts() {
                tracing::info!(
                    email = account.email,
                    password = account.password,
                    vehicles = account.vehicle_count,
                    "sandbox vendor account"
                );
            }
        }
        EnodeSettings::BuiltInSandbox => {}
        EnodeSettings::Remote { urls, .. } => {
            tracing::info!(api = %urls.api, link_ui = %urls.link_ui, "using Enode with the configured credentials");
        }
    }
}
