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
        Self::from_vars(|name| env::var(name).ok())
    }

    /// Reads every setting through `lookup`, which returns a variable's value.
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let vars = Vars(&lookup);
        let listen_addr = match vars
            .read("CARLINK_ADDR")
            .or_else(|| vars.read("LEPTOS_SITE_ADDR"))
        {
            Some(value) => value.parse().map_err(|error| SettingsError {
                name: "CARLINK_ADDR",
                value: value.clone(),
                reason: format!("{error}; expected an IP address and port such as 127.0.0.1:3000"),
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let public_url = vars
            .read("CARLINK_PUBLIC_URL")
            .map(|value| parse_public_url(&value))
            .transpose()?;
        let database_path = vars
            .read("CARLINK_DATABASE")
            .map_or_else(|| PathBuf::from("data/carlink.db"), PathBuf::from);
        let site_root = vars
            .read("LEPTOS_SITE_ROOT")
            .map_or_else(|| PathBuf::from("target/site"), PathBuf::from);

        Ok(Self {
            listen_addr,
            public_url,
            database_path,
            site_root,
            enode: enode_from_vars(&vars)?,
            enode_timeout: vars
                .seconds("ENODE_TIMEOUT_SECS", MAX_ENODE_TIMEOUT)?
                .unwrap_or(DEFAULT_ENODE_TIMEOUT),
            link_lifetime: vars
                .seconds("CARLINK_LINK_LIFETIME_SECS", carlink_core::LINK_LIFETIME)?
                .unwrap_or(carlink_core::LINK_LIFETIME),
            sandbox_control: vars.flag("CARLINK_SANDBOX_CONTROL")?.unwrap_or(false),
            webhook_secret: vars.read("ENODE_WEBHOOK_SECRET").map(SecretString::from),
            session_key: vars.read("CARLINK_SESSION_KEY").map(SecretString::from),
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

fn enode_from_vars(vars: &Vars<'_>) -> Result<EnodeSettings, SettingsError> {
    let client_id = vars.read("ENODE_CLIENT_ID");
    let client_secret = vars.read("ENODE_CLIENT_SECRET");
    let environment = vars.read("ENODE_ENVIRONMENT");

    let url_overrides = ["ENODE_API_URL", "ENODE_TOKEN_URL", "ENODE_LINK_UI_URL"];
    let (client_id, client_secret) = match (client_id, client_secret) {
        (None, None) => {
            if let Some(name) = url_overrides
                .into_iter()
                .find(|name| vars.read(name).is_some())
            {
                return Err(SettingsError {
                    name,
                    value: vars.read(name).unwrap_or_default(),
                    reason: "Enode URLs apply only with ENODE_CLIENT_ID and ENODE_CLIENT_SECRET; \
                             set the credentials too, or unset it to use the built-in sandbox"
                        .to_owned(),
                });
            }
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
    if let Some(value) = vars.read("ENODE_API_URL") {
        urls.api = parse_url("ENODE_API_URL", &value)?;
    }
    if let Some(value) = vars.read("ENODE_TOKEN_URL") {
        urls.token = parse_url("ENODE_TOKEN_URL", &value)?;
    }
    if let Some(value) = vars.read("ENODE_LINK_UI_URL") {
        urls.link_ui = parse_url("ENODE_LINK_UI_URL", &value)?;
    }

    Ok(EnodeSettings::Remote {
        urls: Box::new(urls),
        client_id,
        client_secret,
    })
}

/// The limit for one attempt. With the client's 3 retries, a confirm waits about 4 times this at
/// most before the driver gets the message that Enode is not responding.
const DEFAULT_ENODE_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_ENODE_TIMEOUT: Duration = Duration::from_secs(60);

/// The variables settings are read from; unset and empty values are the same.
struct Vars<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Vars<'_> {
    /// Reads a whole number of seconds from 1 to `max`.
    fn seconds(
        &self,
        name: &'static str,
        max: Duration,
    ) -> Result<Option<Duration>, SettingsError> {
        let Some(value) = self.read(name) else {
            return Ok(None);
        };
        match value.parse::<u64>() {
            Ok(seconds) if (1..=max.as_secs()).contains(&seconds) => {
                Ok(Some(Duration::from_secs(seconds)))
            }
            _ => Err(SettingsError {
                name,
                value,
                reason: format!(
                    "expected a whole number of seconds from 1 to {}",
                    max.as_secs()
                ),
            }),
        }
    }

    /// Reads `true` or `false`.
    fn flag(&self, name: &'static str) -> Result<Option<bool>, SettingsError> {
        match self.read(name).as_deref() {
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
    fn read(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }
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

/// Parses the public URL: an origin such as `https://carlink.example.com`. carlink serves its
/// pages from the root, so a path, query or fragment cannot be honoured and is rejected.
fn parse_public_url(value: &str) -> Result<Url, SettingsError> {
    let url = parse_url("CARLINK_PUBLIC_URL", value)?;
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(SettingsError {
            name: "CARLINK_PUBLIC_URL",
            value: value.to_owned(),
            reason: "expected only a scheme, host and optional port, such as https://carlink.example.com; \
                     carlink cannot run under a path"
                .to_owned(),
        });
    }
    Ok(url)
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        Settings::from_vars(|name| vars.get(name).cloned())
    }

    fn error(pairs: &[(&str, &str)]) -> String {
        match settings(pairs) {
            Ok(_) => panic!("{pairs:?} must be rejected"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn defaults_need_no_settings() {
        let settings = settings(&[]).unwrap();
        assert_eq!(
            settings.listen_addr,
            SocketAddr::from(([127, 0, 0, 1], 3000))
        );
        assert_eq!(settings.database_path, PathBuf::from("data/carlink.db"));
        assert!(matches!(settings.enode, EnodeSettings::BuiltInSandbox));
        assert!(!settings.sandbox_control);
        assert_eq!(settings.link_lifetime, carlink_core::LINK_LIFETIME);
    }

    #[test]
    fn credentials_select_remote_enode() {
        let settings = settings(&[
            ("ENODE_ENVIRONMENT", "sandbox"),
            ("ENODE_CLIENT_ID", "id"),
            ("ENODE_CLIENT_SECRET", "secret"),
        ])
        .unwrap();
        let EnodeSettings::Remote {
            urls, client_id, ..
        } = settings.enode
        else {
            panic!("credentials must select remote Enode");
        };
        assert_eq!(client_id, "id");
        assert_eq!(urls.api.host_str(), Some("enode-api.sandbox.enode.io"));
    }

    #[test]
    fn public_url_must_be_an_origin() {
        for url in [
            "http://127.0.0.1:3000/sub",
            "https://carlink.example.com/?x=1",
            "https://carlink.example.com/#top",
        ] {
            assert!(
                error(&[("CARLINK_PUBLIC_URL", url)]).contains("cannot run under a path"),
                "{url}"
            );
        }
        assert!(error(&[("CARLINK_PUBLIC_URL", "ftp://carlink.example.com")]).contains("http://"));
        assert!(settings(&[("CARLINK_PUBLIC_URL", "https://carlink.example.com")]).is_ok());
    }

    #[test]
    fn half_credentials_are_rejected() {
        assert!(error(&[("ENODE_CLIENT_ID", "id")]).contains("ENODE_CLIENT_SECRET"));
        assert!(error(&[("ENODE_CLIENT_SECRET", "secret")]).contains("ENODE_CLIENT_ID"));
        let without_environment =
            error(&[("ENODE_CLIENT_ID", "id"), ("ENODE_CLIENT_SECRET", "secret")]);
        assert!(
            without_environment.contains("sandbox or production"),
            "{without_environment}"
        );
    }

    #[test]
    fn enode_urls_need_credentials() {
        let message = error(&[("ENODE_API_URL", "https://proxy.example.com")]);
        assert!(message.contains("ENODE_API_URL"), "{message}");
        assert!(message.contains("ENODE_CLIENT_ID"), "{message}");
    }

    #[test]
    fn numbers_are_range_checked() {
        for value in ["0", "-5", "abc", "999999999999999999", "86401"] {
            assert!(
                error(&[("CARLINK_LINK_LIFETIME_SECS", value)]).contains("1 to 86400"),
                "{value}"
            );
        }
        assert!(error(&[("ENODE_TIMEOUT_SECS", "61")]).contains("1 to 60"));
        assert!(error(&[("CARLINK_SANDBOX_CONTROL", "yes")]).contains("true or false"));
        assert!(error(&[("CARLINK_ADDR", "localhost")]).contains("127.0.0.1:3000"));
    }
}
