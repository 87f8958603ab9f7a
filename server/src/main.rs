use server::{Application, config::Settings, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A missing .env is normal, because every setting has a default. A malformed one stops the
    // start: dotenvy would otherwise drop every line after the bad one without a word.
    match dotenvy::dotenv() {
        Ok(_) => {}
        Err(error) if error.not_found() => {}
        Err(error) => {
            anyhow::bail!("reading .env failed: {error}; fix that line or remove the file")
        }
    }
    telemetry::init();

    let settings = Settings::from_env()?;
    let application = Application::build(settings).await?;
    application
        .run_until_stopped(telemetry::shutdown_signal())
        .await?;
    Ok(())
}
