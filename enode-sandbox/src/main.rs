//! Serves the Enode sandbox on its own: `enode-sandbox --addr 127.0.0.1:7070`.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use enode_sandbox::{Sandbox, SandboxConfig};
use tower_http::trace::TraceLayer;
use tracing_subscriber::EnvFilter;
use url::Url;

/// A local stand-in for Enode's API, OAuth server, Link UI and webhooks. State is kept in
/// memory and lost when the process stops.
#[derive(Debug, Parser)]
#[command(name = "enode-sandbox", version)]
struct Args {
    /// Address to listen on. Use port 0 for any free port.
    #[arg(long, default_value = "127.0.0.1:7070")]
    addr: SocketAddr,

    /// OAuth client id that the token endpoint accepts.
    #[arg(long, default_value = "carlink-sandbox")]
    client_id: String,

    /// OAuth client secret that the token endpoint accepts.
    #[arg(long, default_value = "carlink-sandbox-secret")]
    client_secret: String,

    /// Public URL of the sandbox, used in link URLs and Link UI forms
    /// [default: http://ADDR with the bound address].
    #[arg(long)]
    base_url: Option<Url>,

    /// Lifetime of access tokens, in seconds.
    #[arg(long, default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
    token_lifetime_secs: u64,

    /// Lifetime of link sessions, in seconds.
    #[arg(long, default_value_t = 24 * 3600, value_parser = clap::value_parser!(u64).range(1..))]
    link_session_lifetime_secs: u64,

    /// Change one vehicle every this many seconds and send user:vehicle:updated
    /// [default: off].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    simulate_updates_secs: Option<u64>,

    /// Serve no `/_control` endpoints (they need no credentials).
    #[arg(long)]
    no_control_endpoints: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let args = Args::parse();
    match serve(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "enode-sandbox stopped with an error");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|error| format!("binding {} failed: {error}", args.addr))?;
    let addr = listener
        .local_addr()
        .map_err(|error| format!("reading the bound address failed: {error}"))?;
    let base_url = match args.base_url {
        Some(url) => url,
        None => Url::parse(&format!("http://{addr}"))
            .map_err(|error| format!("building the base URL failed: {error}"))?,
    };

    let mut config = SandboxConfig::new(base_url.clone());
    config.client_id = args.client_id;
    config.client_secret = args.client_secret;
    config.token_lifetime = Duration::from_secs(args.token_lifetime_secs);
    config.link_session_lifetime = Duration::from_secs(args.link_session_lifetime_secs);
    config.simulated_update_interval = args.simulate_updates_secs.map(Duration::from_secs);
    config.control_endpoints = !args.no_control_endpoints;

    let sandbox = Sandbox::new(config.clone());
    print_banner(&sandbox, &config, addr);
    let app = sandbox.router().layer(TraceLayer::new_for_http());

    tracing::info!(%addr, "enode-sandbox listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|error| format!("serving failed: {error}"))?;
    tracing::info!("enode-sandbox stopped");
    Ok(())
}

/// Prints where everything is. The credentials and passwords only work against this sandbox,
/// so printing them is intended.
fn print_banner(sandbox: &Sandbox, config: &SandboxConfig, addr: SocketAddr) {
    println!("Enode sandbox listening on {addr}");
    println!("  base URL:      {}", config.base_url);
    println!("  API:           {}", sandbox.api_url());
    println!("  token URL:     {}", sandbox.token_url());
    println!("  Link UI:       {}", sandbox.link_ui_url());
    println!("  client id:     {}", config.client_id);
    println!("  client secret: {}", config.client_secret);
    println!("  token lifetime: {} s", config.token_lifetime.as_secs());
    match config.simulated_update_interval {
        Some(interval) => println!(
            "  simulated vehicle updates: every {} s",
            interval.as_secs()
        ),
        None => println!("  simulated vehicle updates: off"),
    }
    println!("Sandbox accounts for the Link UI login (any brand):");
    for account in Sandbox::accounts() {
        println!(
            "  {:<22} password {:<12} {} vehicle(s)",
            account.email, account.password, account.vehicle_count
        );
    }
}

async fn shutdown_signal() {
    if let Err(error) = tokio::signal::ctrl_c().await {
        tracing::error!(%error, "listening for Ctrl-C failed, so stop the process with a signal");
        std::future::pending::<()>().await;
    }
    tracing::info!("Ctrl-C received, shutting down");
}
