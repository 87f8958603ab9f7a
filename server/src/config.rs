//! Settings from the environment (and an optional `.env`), with embedded defaults so that a
//! fresh checkout runs with none set. `.env.example` documents every variable.

use std::{env, net::SocketAddr, path::PathBuf, time::Duration};

use secrecy::SecretString;
use url::Url;

/// The Enode environment and its credentials.
#[derive(Clone, Debug)]
pub enum EnodeSettings {
    /// No credentials: mount the built-in sandbox under `/sandbox` and talk to it.
    BuiltInSandbox,
    /// Enode's hosted sandbox or production, or explicit URLs.
    Remote {
        urls: Box<enode::Urls>,
        client_id: String,
        client_secret: SecretString,
    },
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port.
    pub listen_addr: SocketAddr,
    /// The URL browsers and Enode use to reach this server; `None` means `http://{bound address}`.
    pub public_url: Option<Url>,
    pub database_path: PathBuf,
    /// The folder with the built WASM, JS and CSS (`pkg/`) and the public assets.
    pub site_root: PathBuf,
    pub enode: EnodeSettings,
    /// Limit for one HTTP attempt to Enode; failed attempts are retried a few times.
    pub enode_timeout: Duration,
    /// How long a started link can be confirmed. Enode's link sessions last 24 hours.
    pub link_lifetime: Duration,
    /// Whether the built-in sandbox serves its `/_control` endpoints, which need no credentials
    /// and let anyone change its cars. Tests and benchmarks turn them on.
    pub sandbox_control: bool,
    /// Secret for signing Enode webhook deliveries; generated when unset.
    pub webhook_secret: Option<SecretString>,
    /// Key for hashing session tokens (base64, at least 32 bytes); generated and stored when unset.
    pub session_key: Option<SecretString>,
}

/// A setting with a value the server cannot use.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}={value:?}: {reason}")]
pub struct SettingsError {
    name: &'static str,
    value: String,
    reason: String,
}

impl Settings {
    /// Reads every setting from the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        let listen_addr = match read("CARLINK_ADDR").or_else(|| read("LEPTOS_SITE_ADDR")) {
            Some(value) => value.parse().map_err(|error| SettingsError {
                name: "CARLINK_ADDR",
                value: value.clone(),
                reason: format!("{error}; expected an IP address and port such as 127.0.0.1:3000"),
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let public_url = read("CARLINK_PUBLIC_URL")
            .map(|value| parse_url("CARLINK_PUBLIC_URL", &value))
            .transpose()?;
        let database_path = read("CARLINK_DATABASE")
            .map_or_else(|| PathBuf::from("data/carlink.db"), PathBuf::from);
        let site_root =
            read("LEPTOS_SITE_ROOT").map_or_else(|| PathBuf::from("target/site"), PathBuf::from);

        Ok(Self {
            listen_addr,
            public_url,
            database_path,
            site_root,
            enode: enode_from_env()?,
            enode_timeout: read_seconds("ENODE_TIMEOUT_SECS")?.unwrap_or(DEFAULT_ENODE_TIMEOUT),
            link_lifetime: read_seconds("CARLINK_LINK_LIFETIME_SECS")?
                .unwrap_or(carlink_core::LINK_LIFETIME),
            sandbox_control: read_bool("CARLINK_SANDBOX_CONTROL")?.unwrap_or(false),
            webhook_secret: read("ENODE_WEBHOOK_SECRET").map(SecretString::from),
            session_key: read("CARLINK_SESSION_KEY").map(SecretString::from),
        })
    }

    /// Settings for a server on a free loopback port with the built-in sandbox, for tests.
    pub fn for_tests(database_path: PathBuf) -> Self {
        Self {
            listen_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
            database_path,
            site_root: PathBuf::from("target/site"),
            enode: EnodeSettings::BuiltInSandbox,
            enode_timeout: DEFAULT_ENODE_TIMEOUT,
            link_lifetime: carlink_core::LINK_LIFETIME,
            sandbox_control: true,
            webhook_secret: None,
            session_key: None,
        }
    }
}

fn enode_from_env() -> Result<EnodeSettings, SettingsError> {
    let client_id = read("ENODE_CLIENT_ID");
    let client_secret = read("ENODE_CLIENT_SECRET");
    let environment = read("ENODE_ENVIRONMENT");

    let (client_id, client_secret) = match (client_id, client_secret) {
        (None, None) => {
            return match environment.as_deref() {
                None | Some("local") => Ok(EnodeSettings::BuiltInSandbox),
                Some(other) => Err(SettingsError {
                    name: "ENODE_ENVIRONMENT",
                    value: other.to_owned(),
                    reason: "Enode's sandbox and production need ENODE_CLIENT_ID and ENODE_CLIENT_SECRET; \
                             set both, or unset ENODE_ENVIRONMENT to use the built-in sandbox"
                        .to_owned(),
                }),
            };
        }
        (Some(id), Some(secret)) => (id, SecretString::from(secret)),
        (Some(_), None) => return Err(missing_pair("ENODE_CLIENT_SECRET", "ENODE_CLIENT_ID")),
        (None, Some(_)) => return Err(missing_pair("ENODE_CLIENT_ID", "ENODE_CLIENT_SECRET")),
    };

    let mut urls = match environment.as_deref() {
        Some("sandbox") => enode::Urls::sandbox(),
        Some("production") => enode::Urls::production(),
        other => {
            return Err(SettingsError {
                name: "ENODE_ENVIRONMENT",
                value: other.unwrap_or_default().to_owned(),
                reason:
                    "with Enode credentials set, ENODE_ENVIRONMENT must be sandbox or production, \
                         matching where the credentials were issued"
                        .to_owned(),
            });
        }
    };
    if let Some(value) = read("ENODE_API_URL") {
        urls.api = parse_url("ENODE_API_URL", &value)?;
    }
    if let Some(value) = read("ENODE_TOKEN_URL") {
        urls.token = parse_url("ENODE_TOKEN_URL", &value)?;
    }
    if let Some(value) = read("ENODE_LINK_UI_URL") {
        urls.link_ui = parse_url("ENODE_LINK_UI_URL", &value)?;
    }

    Ok(EnodeSettings::Remote {
        urls: Box::new(urls),
        client_id,
        client_secret,
    })
}

const DEFAULT_ENODE_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads a positive whole number of seconds.
fn read_seconds(name: &'static str) -> Result<Option<Duration>, SettingsError> {
    let Some(value) = read(name) else {
        return Ok(None);
    };
    match value.parse::<u64>() {
        Ok(seconds) if seconds > 0 => Ok(Some(Duration::from_secs(seconds))),
        _ => Err(SettingsError {
            name,
            value,
            reason: "expected a whole number of seconds greater than 0".to_owned(),
        }),
    }
}

/// Reads `true` or `false`.
fn read_bool(name: &'static str) -> Result<Option<bool>, SettingsError> {
    match read(name).as_deref() {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(other) => Err(SettingsError {
            name,
            value: other.to_owned(),
            reason: "expected true or false".to_owned(),
        }),
    }
}

/// Reads a variable's value; unset and empty are the same.
fn read(name: &str) -> Option<String> {
    env::var(name)
        .ok()
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

fn parse_url(name: &'static str, value: &str) -> Result<Url, SettingsError> {
    let url = Url::parse(value).map_err(|error| SettingsError {
        name,
        value: value.to_owned(),
        reason: format!("{error}; expected an absolute URL such as https://carlink.example.com"),
    })?;
    if matches!(url.scheme(), "http" | "https") {
        Ok(url)
    } else {
        Err(SettingsError {
            name,
            value: value.to_owned(),
            reason: "the URL must start with http:// or https://".to_owned(),
        })
    }
}

fn missing_pair(missing: &'static str, present: &str) -> SettingsError {
    SettingsError {
        name: missing,
        value: String::new(),
        reason: format!(
            "{present} is set but {missing} is not; set both, or neither to use the built-in sandbox"
        ),
    }
}
