//! The vehicle brands carlink offers in its picker, with their display names.

use crate::Error;

/// A brand a driver can link, by Enode's vendor id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupportedVendor {
    /// Enode's upper-case vendor id, such as `XPENG`.
    pub id: &'static str,
    /// The brand as drivers write it.
    pub name: &'static str,
}

/// Enode's vehicle vendors that carlink offers, sorted by id.
pub const SUPPORTED_VENDORS: &[SupportedVendor] = &[
    SupportedVendor {
        id: "AUDI",
        name: "Audi",
    },
    SupportedVendor {
        id: "BMW",
        name: "BMW",
    },
    SupportedVendor {
        id: "BYD",
        name: "BYD",
    },
    SupportedVendor {
        id: "CITROEN",
        name: "Citroën",
    },
    SupportedVendor {
        id: "CUPRA",
        name: "CUPRA",
    },
    SupportedVendor {
        id: "FORD",
        name: "Ford",
    },
    SupportedVendor {
        id: "HYUNDAI",
        name: "Hyundai",
    },
    SupportedVendor {
        id: "JAGUAR",
        name: "Jaguar",
    },
    SupportedVendor {
        id: "KIA",
        name: "Kia",
    },
    SupportedVendor {
        id: "LANDROVER",
        name: "Land Rover",
    },
    SupportedVendor {
        id: "MERCEDES",
        name: "Mercedes-Benz",
    },
    SupportedVendor {
        id: "MG",
        name: "MG",
    },
    SupportedVendor {
        id: "MINI",
        name: "MINI",
    },
    SupportedVendor {
        id: "NIO",
        name: "NIO",
    },
    SupportedVendor {
        id: "NISSAN",
        name: "Nissan",
    },
    SupportedVendor {
        id: "OPEL",
        name: "Opel",
    },
    SupportedVendor {
        id: "PEUGEOT",
        name: "Peugeot",
    },
    SupportedVendor {
        id: "POLESTAR",
        name: "Polestar",
    },
    SupportedVendor {
        id: "PORSCHE",
        name: "Porsche",
    },
    SupportedVendor {
        id: "RENAULT",
        name: "Renault",
    },
    SupportedVendor {
        id: "SKODA",
        name: "Škoda",
    },
    SupportedVendor {
        id: "TESLA",
        name: "Tesla",
    },
    SupportedVendor {
        id: "TOYOTA",
        name: "Toyota",
    },
    SupportedVendor {
        id: "VOLKSWAGEN",
        name: "Volkswagen",
    },
    SupportedVendor {
        id: "VOLVO",
        name: "Volvo",
    },
    SupportedVendor {
        id: "XPENG",
        name: "XPENG",
    },
];

impl SupportedVendor {
    /// Finds an offered vendor by id, ignoring case and surrounding spaces.
    pub fn parse(raw: &str) -> Result<&'static Self, Error> {
        let requested = raw.trim();
        SUPPORTED_VENDORS
            .iter()
            .find(|vendor| vendor.id.eq_ignore_ascii_case(requested))
            .ok_or_else(|| Error::UnknownVendor(crate::accounts::truncate_for_message(requested)))
    }

    /// Returns the display name of a vendor id, or the id itself for a vendor carlink does not offer
    /// (Enode may report one linked elsewhere).
    pub fn display_name(id: &str) -> String {
        Self::parse(id).map_or_else(|_| id.to_owned(), |vendor| vendor.name.to_owned())
    }

    pub fn enode_vendor(&self) -> Result<enode::Vendor, Error> {
        self.id.parse().map_err(|error| {
            Error::Internal(format!(
                "vendor id {} is not a valid Enode vendor: {error}",
                self.id
            ))
        })
    }
}

/// Lists the ids of every offered vendor, comma-separated, for error messages.
pub fn vendor_ids() -> String {
    SUPPORTED_VENDORS
        .iter()
        .map(|vendor| vendor.id)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendors_sorted_by_id() {
        let ids: Vec<&str> = SUPPORTED_VENDORS.iter().map(|vendor| vendor.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn every_vendor_id_is_valid_for_enode() {
        for vendor in SUPPORTED_VENDORS {
            assert!(vendor.enode_vendor().is_ok(), "{}", vendor.id);
        }
    }

    #[test]
    fn parse_ignores_case() {
        assert_eq!(
            SupportedVendor::parse(" xpeng ")
                .map(|vendor| vendor.id)
                .ok(),
            Some("XPENG")
        );
        assert!(SupportedVendor::parse("DELOREAN").is_err());
    }
}
