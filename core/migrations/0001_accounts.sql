-- Accounts and their sign-in sessions. Times are Unix milliseconds (UTC).

CREATE TABLE users (
    id            TEXT    PRIMARY KEY NOT NULL,  -- the username, also Enode's userId
    password_hash TEXT    NOT NULL,              -- Argon2id in PHC string format
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY NOT NULL,  -- hex HMAC-SHA256 of the cookie value
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX sessions_by_user ON sessions (user_id);

-- Keys the server generates once and keeps, such as the session key when none is configured.
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) STRICT;
