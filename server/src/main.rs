use server::{Application, config::Settings, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A missing .env is normal; every setting has a default.
    let _ = dotenvy::dotenv();
    telemetry::init();

    let settings = Settings::from_env()?;
    let application = Application::build(settings).await?;
    application
        .run_until_stopped(telemetry::shutdown_signal())
        .await?;
    Ok(())
}
