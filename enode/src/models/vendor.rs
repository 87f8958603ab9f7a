use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::lenient::lenient_enum;

/// A vendor (brand) name as Enode spells it, such as `TESLA` or `XPENG`.
///
/// The name is non-empty and contains only `A-Z`, `0-9` and `_`, so it is safe in a URL path
/// and compares exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Vendor(String);

impl Vendor {
    /// Returns the name as Enode spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The error for a vendor name that is not an upper-case identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid vendor name {0:?}: expected upper-case letters, digits and underscores, such as TESLA"
)]
pub struct InvalidVendor(pub String);

impl FromStr for Vendor {
    type Err = InvalidVendor;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let valid = !value.is_empty()
            && value
                .bytes()
                .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit() || byte == b'_');
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidVendor(value.to_owned()))
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl Serialize for Vendor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Vendor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        value.parse().map_err(serde::de::Error::custom)
    }
}

lenient_enum! {
    /// The kind of device a vendor link covers. carlink links only vehicles.
    pub enum VendorType {
        Vehicle => "vehicle",
        Charger => "charger",
        Hvac => "hvac",
        SolarInverter => "solarInverter",
        Battery => "battery",
        Meter => "meter",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_accepts_identifier() {
        let vendor: Vendor = "LAND_ROVER2".parse().expect("a valid name");
        assert_eq!(vendor.as_str(), "LAND_ROVER2");
    }

    #[test]
    fn vendor_rejects_lower_case() {
        assert!("tesla".parse::<Vendor>().is_err());
    }

    #[test]
    fn vendor_rejects_empty() {
        assert!("".parse::<Vendor>().is_err());
    }

    #[test]
    fn vendor_rejects_path_characters() {
        assert!("TESLA/../X".parse::<Vendor>().is_err());
    }

    #[test]
    fn vendor_type_keeps_unknown_value() {
        let parsed: VendorType = serde_json::from_str("\"toaster\"").expect("a JSON string");
        assert_eq!(parsed, VendorType::Other("toaster".to_owned()));
    }

    #[test]
    fn vendor_type_serializes_camel_case() {
        let text = serde_json::to_string(&VendorType::SolarInverter).expect("serializable");
        assert_eq!(text, "\"solarInverter\"");
    }
}
