use serde::{Deserialize, Serialize};
use url::Url;

use super::lenient::lenient_enum;
use super::vendor::{Vendor, VendorType};

lenient_enum! {
    /// A permission a user grants through Link UI.
    pub enum Scope {
        VehicleReadData => "vehicle:read:data",
        VehicleReadLocation => "vehicle:read:location",
        VehicleControlCharging => "vehicle:control:charging",
    }
}

/// The Link UI theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorScheme {
    System,
    Light,
    Dark,
}

/// The body of `POST /users/{userId}/link`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkSessionRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_type: Option<VendorType>,
    /// Skips the brand choice in Link UI when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<Vendor>,
    pub scopes: Vec<Scope>,
    /// A BCP 47 tag such as `en-US`, or `browser`.
    pub language: String,
    /// The URL Link UI sends the browser to when the user finishes or cancels. Put an opaque
    /// `state` value in its query, because Enode does not add the link token.
    pub redirect_uri: Url,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color_scheme: Option<ColorScheme>,
}

impl LinkSessionRequest {
    /// Builds a request for a vehicle link with the given scopes, no preset vendor and the
    /// default color scheme.
    pub fn vehicle(scopes: Vec<Scope>, language: impl Into<String>, redirect_uri: Url) -> Self {
        Self {
            vendor_type: Some(VendorType::Vehicle),
            vendor: None,
            scopes,
            language: language.into(),
            redirect_uri,
            color_scheme: None,
        }
    }
}

/// A Link UI session: send the user's browser to `link_url`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkSession {
    pub link_url: Url,
    /// The session's single-use token. It is also the last path segment of `link_url`.
    pub link_token: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> LinkSessionRequest {
        let redirect_uri =
            Url::parse("https://carlink.test/link/done?state=abc").expect("valid URL");
        LinkSessionRequest::vehicle(vec![Scope::VehicleReadData], "en-US", redirect_uri)
    }

    #[test]
    fn request_serializes_camel_case() {
        let json = serde_json::to_value(request()).expect("serializable");
        assert_eq!(
            json["redirectUri"],
            "https://carlink.test/link/done?state=abc"
        );
    }

    #[test]
    fn request_omits_unset_vendor() {
        let json = serde_json::to_value(request()).expect("serializable");
        assert!(json.get("vendor").is_none());
    }

    #[test]
    fn request_serializes_scopes() {
        let json = serde_json::to_value(request()).expect("serializable");
        assert_eq!(json["scopes"], serde_json::json!(["vehicle:read:data"]));
    }

    #[test]
    fn request_serializes_color_scheme() {
        let mut request = request();
        request.color_scheme = Some(ColorScheme::Dark);
        let json = serde_json::to_value(request).expect("serializable");
        assert_eq!(json["colorScheme"], "dark");
    }

    #[test]
    fn session_ignores_unknown_fields() {
        let text = r#"{"linkUrl": "https://link.test/abc", "linkToken": "abc", "extra": 1}"#;
        let session: LinkSession = serde_json::from_str(text).expect("a link session");
        assert_eq!(session.link_token, "abc");
    }
}
