use serde::{Deserialize, Serialize};

use super::lenient::null_as_default;
use super::vendor::{Vendor, VendorType};

/// An Enode user: one of our users who has started at least one link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub linked_vendors: Vec<LinkedVendor>,
}

/// A vendor account the user has linked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedVendor {
    pub vendor: Vendor,
    #[serde(default)]
    pub vendor_type: Option<VendorType>,
    /// False once the vendor credentials stopped working. The user must then link again.
    pub is_valid: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_parses_linked_vendors() {
        let text = r#"{"id": "u1", "linkedVendors": [
            {"vendor": "XPENG", "vendorType": "vehicle", "isValid": true},
            {"vendor": "TESLA", "vendorType": "vehicle", "isValid": false, "since": "x"}]}"#;
        let user: User = serde_json::from_str(text).expect("a user");
        let validity: Vec<bool> = user.linked_vendors.iter().map(|v| v.is_valid).collect();
        assert_eq!(validity, vec![true, false]);
    }

    #[test]
    fn user_accepts_null_vendors() {
        let user: User =
            serde_json::from_str(r#"{"id": "u1", "linkedVendors": null}"#).expect("a user");
        assert!(user.linked_vendors.is_empty());
    }
}
