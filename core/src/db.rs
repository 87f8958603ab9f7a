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

    #[error("migrating the database {path} failed: {source}")]
    Migrate {
        path: String,
        source: sqlx::migrate::MigrateError,
    },
}

/// Opens (creating if missing) the database file at `path`, sets WAL mode, a busy timeout and
/// foreign keys, refuses a schema newer than this build, and runs pending migrations.
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
        .map_err(|source| OpenError::Connect {
            path: shown_path.clone(),
            source,
        })?;

    refuse_newer_schema(&pool, &shown_path).await?;
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|source| OpenError::Migrate {
            path: shown_path,
            source,
        })?;
    Ok(pool)
}

/// Fails when the database has migrations applied that this build does not know, which means a
/// newer carlink wrote it and this one would misread it.
async fn refuse_newer_schema(pool: &SqlitePool, path: &str) -> Result<(), OpenError> {
    let connect_error = |source| OpenError::Connect {
        path: path.to_owned(),
        source,
    };

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
