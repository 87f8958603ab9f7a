//! Fixed reference data: vendors with their brands and models, scopes and event names.

/// One electric or plug-in hybrid model of a brand.
#[derive(Debug)]
pub(crate) struct Model {
    pub name: &'static str,
    /// Usable battery capacity in kWh.
    pub battery_capacity: f64,
    /// Typical consumption expressed as km per kWh, used to derive the range.
    pub efficiency: f64,
    pub first_year: u16,
}

/// A vehicle vendor that the sandbox can link.
#[derive(Debug)]
pub(crate) struct Vendor {
    /// Enode's identifier, such as `XPENG`.
    pub id: &'static str,
    /// The brand as shown to people, such as `XPeng`.
    pub brand: &'static str,
    /// The VIN's world manufacturer identifier (first three characters).
    /// NOTE: these are plausible for the brand but were not checked against a WMI registry.
    pub wmi: &'static str,
    pub models: &'static [Model],
    pub reports_location: bool,
    pub sets_max_current: bool,
}

const fn model(
    name: &'static str,
    battery_capacity: f64,
    efficiency: f64,
    first_year: u16,
) -> Model {
    Model {
        name,
        battery_capacity,
        efficiency,
        first_year,
    }
}

pub(crate) const VENDORS: &[Vendor] = &[
    Vendor {
        id: "TESLA",
        brand: "Tesla",
        wmi: "5YJ",
        models: &[
            model("Model 3", 75.0, 6.7, 2019),
            model("Model Y", 75.0, 6.2, 2020),
            model("Model S", 100.0, 5.9, 2019),
            model("Model X", 100.0, 5.2, 2019),
        ],
        reports_location: true,
        sets_max_current: true,
    },
    Vendor {
        id: "BMW",
        brand: "BMW",
        wmi: "WBY",
        models: &[
            model("i4 eDrive40", 81.5, 6.3, 2021),
            model("iX3", 74.0, 5.6, 2020),
            model("iX xDrive40", 71.0, 5.0, 2021),
            model("i5 eDrive40", 81.2, 6.1, 2023),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "AUDI",
        brand: "Audi",
        wmi: "WAU",
        models: &[
            model("Q4 e-tron", 77.0, 5.5, 2021),
            model("e-tron GT", 84.0, 5.4, 2021),
            model("Q8 e-tron", 106.0, 4.8, 2023),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "VOLKSWAGEN",
        brand: "Volkswagen",
        wmi: "WVW",
        models: &[
            model("ID.3 Pro", 58.0, 6.1, 2020),
            model("ID.4 Pro", 77.0, 5.5, 2021),
            model("ID.7 Pro", 77.0, 6.4, 2023),
            model("ID. Buzz", 77.0, 4.8, 2022),
        ],
        reports_location: true,
        sets_max_current: true,
    },
    Vendor {
        id: "SKODA",
        brand: "Skoda",
        wmi: "TMB",
        models: &[
            model("Enyaq iV 80", 77.0, 5.6, 2021),
            model("Elroq 85", 77.0, 6.0, 2024),
        ],
        reports_location: true,
        sets_max_current: true,
    },
    Vendor {
        id: "CUPRA",
        brand: "Cupra",
        wmi: "VSS",
        models: &[
            model("Born", 58.0, 6.2, 2021),
            model("Tavascan", 77.0, 5.7, 2024),
        ],
        reports_location: true,
        sets_max_current: true,
    },
    Vendor {
        id: "PORSCHE",
        brand: "Porsche",
        wmi: "WP0",
        models: &[
            model("Taycan", 83.7, 5.1, 2020),
            model("Macan Electric", 95.0, 5.2, 2024),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "MINI",
        brand: "MINI",
        wmi: "WMW",
        models: &[
            model("Cooper SE", 28.9, 6.6, 2020),
            model("Aceman E", 38.5, 6.5, 2024),
            model("Countryman SE ALL4", 64.6, 5.9, 2024),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "HYUNDAI",
        brand: "Hyundai",
        wmi: "KMH",
        models: &[
            model("Ioniq 5", 77.4, 5.8, 2021),
            model("Ioniq 6", 77.4, 6.8, 2022),
            model("Kona Electric", 64.8, 6.4, 2019),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "KIA",
        brand: "Kia",
        wmi: "KNA",
        models: &[
            model("EV6", 77.4, 6.0, 2021),
            model("Niro EV", 64.8, 6.3, 2019),
            model("EV9", 99.8, 4.9, 2023),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "NISSAN",
        brand: "Nissan",
        wmi: "SJN",
        models: &[
            model("Leaf e+", 59.0, 6.2, 2019),
            model("Ariya", 87.0, 5.6, 2022),
        ],
        reports_location: false,
        sets_max_current: false,
    },
    Vendor {
        id: "PEUGEOT",
        brand: "Peugeot",
        wmi: "VF3",
        models: &[
            model("e-208", 50.0, 6.9, 2020),
            model("e-2008", 54.0, 6.5, 2020),
            model("e-3008", 73.0, 5.8, 2024),
        ],
        reports_location: false,
        sets_max_current: false,
    },
    Vendor {
        id: "CITROEN",
        brand: "Citroen",
        wmi: "VF7",
        models: &[
            model("e-C4", 50.0, 6.6, 2021),
            model("e-C3", 44.0, 7.0, 2024),
        ],
        reports_location: false,
        sets_max_current: false,
    },
    Vendor {
        id: "OPEL",
        brand: "Opel",
        wmi: "W0L",
        models: &[
            model("Corsa Electric", 50.0, 6.9, 2020),
            model("Mokka Electric", 54.0, 6.4, 2021),
            model("Astra Electric", 54.0, 6.6, 2023),
        ],
        reports_location: false,
        sets_max_current: false,
    },
    Vendor {
        id: "FORD",
        brand: "Ford",
        wmi: "WF0",
        models: &[
            model("Mustang Mach-E", 91.0, 5.5, 2021),
            model("Explorer EV", 77.0, 5.9, 2024),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "VOLVO",
        brand: "Volvo",
        wmi: "YV1",
        models: &[
            model("EX30", 64.0, 6.1, 2023),
            model("XC40 Recharge", 78.0, 5.3, 2020),
            model("EX90", 107.0, 4.9, 2024),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "POLESTAR",
        brand: "Polestar",
        wmi: "LPS",
        models: &[
            model("Polestar 2", 78.0, 5.9, 2020),
            model("Polestar 3", 107.0, 5.0, 2024),
            model("Polestar 4", 100.0, 5.6, 2024),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "RENAULT",
        brand: "Renault",
        wmi: "VF1",
        models: &[
            model("Zoe", 52.0, 6.9, 2019),
            model("Megane E-Tech", 60.0, 6.3, 2022),
            model("Scenic E-Tech", 87.0, 6.1, 2024),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "MERCEDES",
        brand: "Mercedes-Benz",
        wmi: "W1K",
        models: &[
            model("EQA 250", 66.5, 5.9, 2021),
            model("EQE 300", 89.0, 6.1, 2022),
            model("EQS 450+", 108.4, 6.2, 2021),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "TOYOTA",
        brand: "Toyota",
        wmi: "JTM",
        models: &[model("bZ4X", 71.4, 5.7, 2022)],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "JAGUAR",
        brand: "Jaguar",
        wmi: "SAD",
        models: &[model("I-Pace", 84.7, 4.9, 2019)],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "LANDROVER",
        brand: "Land Rover",
        wmi: "SAL",
        models: &[
            model("Range Rover Sport P460e", 31.8, 3.8, 2022),
            model("Defender 110 P400e", 15.4, 3.2, 2021),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "MG",
        brand: "MG",
        wmi: "LSJ",
        models: &[
            model("MG4 Electric", 64.0, 6.3, 2022),
            model("ZS EV", 72.6, 5.8, 2019),
            model("MG5 Electric", 61.1, 6.5, 2021),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "XPENG",
        brand: "XPeng",
        wmi: "LMV",
        models: &[
            model("G6", 87.5, 5.8, 2023),
            model("G9", 98.0, 5.5, 2022),
            model("P7", 86.2, 6.4, 2021),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "BYD",
        brand: "BYD",
        wmi: "LGX",
        models: &[
            model("Atto 3", 60.5, 5.8, 2022),
            model("Seal", 82.5, 6.2, 2023),
            model("Dolphin", 60.4, 6.5, 2023),
        ],
        reports_location: true,
        sets_max_current: false,
    },
    Vendor {
        id: "NIO",
        brand: "NIO",
        wmi: "LJ1",
        models: &[
            model("ET5", 75.0, 6.1, 2022),
            model("ET7", 100.0, 5.9, 2022),
            model("EL6", 75.0, 5.4, 2023),
        ],
        reports_location: true,
        sets_max_current: false,
    },
];

/// Finds a vendor by its exact upper-case identifier.
pub(crate) fn find_vendor(id: &str) -> Option<&'static Vendor> {
    VENDORS.iter().find(|vendor| vendor.id == id)
}

/// Returns the identifiers of every vendor, for error messages.
pub(crate) fn vendor_ids() -> String {
    VENDORS
        .iter()
        .map(|vendor| vendor.id)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The only `vendorType` the sandbox serves.
pub(crate) const VEHICLE_VENDOR_TYPE: &str = "vehicle";

/// Vehicle scopes with the text the consent page shows for each.
pub(crate) const SCOPES: &[(&str, &str)] = &[
    (
        "vehicle:read:data",
        "Read vehicle data: battery level, range, charging state and odometer",
    ),
    ("vehicle:read:location", "Read the vehicle's location"),
    ("vehicle:control:charging", "Start and stop charging"),
];

/// Returns the consent text of a scope, or `None` for an unknown scope.
pub(crate) fn scope_description(scope: &str) -> Option<&'static str> {
    SCOPES
        .iter()
        .find(|(name, _)| *name == scope)
        .map(|(_, text)| *text)
}

pub(crate) const EVENT_VEHICLE_DISCOVERED: &str = "user:vehicle:discovered";
pub(crate) const EVENT_VEHICLE_UPDATED: &str = "user:vehicle:updated";
pub(crate) const EVENT_VEHICLE_DELETED: &str = "user:vehicle:deleted";
pub(crate) const EVENT_CREDENTIALS_INVALIDATED: &str = "user:credentials:invalidated";
// NOTE: the sandbox never sends system:heartbeat. Subscriptions may still name it.
pub(crate) const EVENT_HEARTBEAT: &str = "system:heartbeat";
pub(crate) const EVENT_WEBHOOK_TEST: &str = "enode:webhook:test";

/// Event names a webhook subscription may filter on. `*` matches every event.
pub(crate) const SUBSCRIBABLE_EVENTS: &[&str] = &[
    "*",
    EVENT_VEHICLE_DISCOVERED,
    EVENT_VEHICLE_UPDATED,
    EVENT_VEHICLE_DELETED,
    EVENT_CREDENTIALS_INVALIDATED,
    EVENT_HEARTBEAT,
];

/// The API version used when a request pins none.
pub(crate) const DEFAULT_API_VERSION: &str = "2024-10-01";

/// Checks the `YYYY-MM-DD` shape of an API version.
pub(crate) fn is_api_version(value: &str) -> bool {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok() && value.len() == 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_ids_are_unique() {
        let mut ids: Vec<_> = VENDORS.iter().map(|vendor| vendor.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), VENDORS.len());
    }

    #[test]
    fn every_vendor_has_models() {
        assert!(VENDORS.iter().all(|vendor| !vendor.models.is_empty()));
    }

    #[test]
    fn api_version_shape() {
        assert!(is_api_version("2024-10-01"));
        assert!(!is_api_version("2024-1-1"));
    }
}
