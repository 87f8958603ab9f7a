//! Opening the SQLite store: file creation, pragmas and migrations.

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    SqlitePool,
    migrate::Migrator,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

/// The schema migrations, embedded at compile time.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How long a connection waits for another writer before reporting the database busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Failures while opening the store. Each message states the fix.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the database folder {folder}: {source}")]
    CreateFolder {
        folder: String,
        source: std::io::Error,
    },

    #[error("cannot open the database {path}: {source}")]
    Connect { path: String, source: sqlx::Error },

    #[error(
        "the database {path} was written by a newer carlink (schema version {found}, this build \
         knows up to {known}); run a newer carlink or set CARLINK_DATABASE to another file"
    )]
    NewerSchema {
        path: String,
        found: i64,
        known: i64,
    },

    #[error(
        "the database {path} is damaged ({details}); restore it from a backup or set \
         CARLINK_DATABASE to another file"
    )]
    Corrupt { path: String, details: String },

    #[error(
        "the database {path} cannot be written ({source}); check the permissions of the file and \
         its folder, or set CARLINK_DATABASE to a writable file"
    )]
    ReadOnly { path: String, source: sqlx::Error },

    #[error("migrating the database {path} failed: {source}")]
    Migrate {
        path: String,
        source: sqlx::migrate::MigrateError,
    },
}

impl OpenError {
    /// Classifies a SQLite failure while opening `path`: a damaged or foreign file, a read-only
    /// one, or any other failure to connect.
    fn from_sqlite(path: &str, source: sqlx::Error) -> Self {
        let code = source
            .as_database_error()
            .and_then(|error| error.code())
            .and_then(|code| code.parse::<i32>().ok());
        // Primary result codes: SQLITE_READONLY 8, SQLITE_CORRUPT 11, SQLITE_NOTADB 26; the low
        // byte of an extended code is its primary code.
        match code.map(|code| code & 0xff) {
            Some(11 | 26) => Self::Corrupt {
                path: path.to_owned(),
                details: source.to_string(),
            },
            Some(8) => Self::ReadOnly {
                path: path.to_owned(),
                source,
            },
            _ => Self::Connect {
                path: path.to_owned(),
                source,
            },
        }
    }
}

/// Opens (creating if missing) the database file at `path`, sets WAL mode, a busy timeout and
/// foreign keys, refuses a schema newer than this build, runs pending migrations, and checks
/// that the file is intact and writable.
pub async fn open(path: &Path) -> Result<SqlitePool, OpenError> {
    let shown_path = path.display().to_string();

    if let Some(folder) = path
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
    {
        std::fs::create_dir_all(folder).map_err(|source| OpenError::CreateFolder {
            folder: folder.display().to_string(),
            source,
        })?;
    }

    let options = SqliteConnectOptions::from_str("sqlite:")
        .map_err(|source| OpenError::Connect {
            path: shown_path.clone(),
            source,
        })?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|source| OpenError::from_sqlite(&shown_path, source))?;

    refuse_newer_schema(&pool, &shown_path).await?;
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|source| OpenError::Migrate {
            path: shown_path.clone(),
            source,
        })?;
    check_integrity(&pool, &shown_path).await?;
    check_writable(&pool, &shown_path).await?;
    Ok(pool)
}

/// Runs SQLite's `quick_check`, which reads every page, so a damaged file is reported at start-up
/// instead of failing requests later. It takes time in proportion to the file's size.
async fn check_integrity(pool: &SqlitePool, path: &str) -> Result<(), OpenError> {
    let problems: Vec<String> = sqlx::query_scalar("PRAGMA quick_check(5)")
        .fetch_all(pool)
        .await
        .map_err(|source| OpenError::Corrupt {
            path: path.to_owned(),
            details: source.to_string(),
        })?;
    if problems.iter().all(|problem| problem == "ok") {
        Ok(())
    } else {
        Err(OpenError::Corrupt {
            path: path.to_owned(),
            details: problems.join("; "),
        })
    }
}

/// Writes one row, so that a read-only file fails at start-up with its path in the message.
async fn check_writable(pool: &SqlitePool, path: &str) -> Result<(), OpenError> {
    sqlx::query(
        "INSERT INTO server_secrets (name, value) VALUES ('write_check', x'')
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .execute(pool)
    .await
    .map(|_| ())
    .map_err(|source| OpenError::from_sqlite(path, source))
}

/// Fails when the database has migrations applied that this build does not know, which means a
/// newer carlink wrote it and this one would misread it.
async fn refuse_newer_schema(pool: &SqlitePool, path: &str) -> Result<(), OpenError> {
    let connect_error = |source| OpenError::from_sqlite(path, source);

    let has_history: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(pool)
    .await
    .map_err(connect_error)?;
    if !has_history {
        return Ok(());
    }

    let found: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await
        .map_err(connect_error)?;
    let known = MIGRATOR
        .iter()
        .map(|migration| migration.version)
        .max()
        .unwrap_or(0);
    match found {
        Some(found) if found > known => Err(OpenError::NewerSchema {
            path: path.to_owned(),
            found,
            known,
        }),
        _ => Ok(()),
    }
}
