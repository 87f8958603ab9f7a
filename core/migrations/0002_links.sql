-- The link flow: pending Link UI sessions, linked vendors, vehicles and their latest state.
-- Times are Unix milliseconds (UTC).

-- A Link UI session started by a driver and not yet confirmed, or confirmed.
CREATE TABLE pending_links (
    state        TEXT    PRIMARY KEY NOT NULL,  -- opaque random value carried in the redirect URI
    link_token   TEXT    NOT NULL UNIQUE,       -- Enode's linkToken for the session
    user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    vendor       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,              -- Enode link sessions last 24 hours
    confirmed_at INTEGER                        -- set once the vendor and vehicles are saved
) STRICT;

CREATE INDEX pending_links_by_user ON pending_links (user_id);

-- A vendor account (such as XPENG) that a user linked through Enode.
CREATE TABLE linked_vendors (
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    vendor     TEXT    NOT NULL,
    is_valid   INTEGER NOT NULL,  -- 0 once Enode reports the credentials invalid: re-link needed
    linked_at  INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, vendor)
) STRICT;

CREATE TABLE vehicles (
    id           TEXT    PRIMARY KEY NOT NULL,  -- Enode's vehicle id
    user_id      TEXT    NOT NULL,
    vendor       TEXT    NOT NULL,
    vin          TEXT,
    brand        TEXT,
    model        TEXT,
    year         INTEGER,
    display_name TEXT,
    updated_at   INTEGER NOT NULL,
    FOREIGN KEY (user_id, vendor) REFERENCES linked_vendors (user_id, vendor) ON DELETE CASCADE
) STRICT;

CREATE INDEX vehicles_by_user ON vehicles (user_id, vendor);

-- The latest state Enode reported for each vehicle. A state with an older last_seen never
-- replaces a newer one.
CREATE TABLE vehicle_states (
    vehicle_id           TEXT    PRIMARY KEY NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
    last_seen            INTEGER,  -- Enode's lastSeen
    is_reachable         INTEGER,
    battery_level        REAL,     -- percent
    range_km             REAL,
    is_plugged_in        INTEGER,
    is_charging          INTEGER,
    is_fully_charged     INTEGER,
    power_delivery_state TEXT,     -- as Enode sent it, such as PLUGGED_IN:CHARGING
    charge_limit         REAL,     -- percent
    charge_rate_kw       REAL,
    charge_time_remaining_min REAL,
    odometer_km          REAL,
    latitude             REAL,
    longitude            REAL,
    raw                  TEXT    NOT NULL,  -- the whole Vehicle JSON as received
    updated_at           INTEGER NOT NULL
) STRICT;
