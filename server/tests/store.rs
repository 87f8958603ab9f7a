//! The SQLite store as the server opens it: WAL mode, and a database from a newer carlink.

mod common;

use common::TestServer;
use server::{Application, config::Settings};
use sqlx::{Connection, SqliteConnection};

#[tokio::test]
async fn database_uses_wal() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("carlink.db");
    let mut server = TestServer::start_on(&path).await;
    server.stop().await;

    let mut connection = SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn newer_schema_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("carlink.db");
    let mut server = TestServer::start_on(&path).await;
    server.stop().await;

    // What a later carlink would leave behind: a migration this build does not know.
    let mut connection = SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99990101000000, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut connection)
    .await
    .unwrap();
    connection.close().await.unwrap();

    let error = match Application::build(Settings::for_tests(path.clone())).await {
        Ok(_) => panic!("a database from a newer carlink must be refused"),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("newer carlink"), "{error}");
    assert!(error.contains("99990101000000"), "{error}");
    assert!(
        error.contains("CARLINK_DATABASE"),
        "the message names the fix: {error}"
    );
}

#[tokio::test]
async fn missing_database_folder_is_created() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder
        .path()
        .join("nested")
        .join("deeper")
        .join("carlink.db");
    let mut server = TestServer::start_on(&path).await;
    server.stop().await;
    assert!(path.exists());
}

#[tokio::test]
async fn damaged_database_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("carlink.db");
    let mut server = TestServer::start_on(&path).await;
    for index in 0..40 {
        server.signed_up_client(&format!("driver{index}")).await;
    }
    server.stop().await;

    // Overwrite every page but the first two and the last, as a failing disk would.
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.len() > 3 * 4096,
        "the database has several pages: {} bytes",
        bytes.len()
    );
    let end = bytes.len() - 4096;
    bytes[2 * 4096..end].fill(0xA5);
    std::fs::write(&path, bytes).unwrap();

    let error = match Application::build(Settings::for_tests(path.clone())).await {
        Ok(_) => panic!("a damaged database must be refused"),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("damaged"), "{error}");
    assert!(
        error.contains("carlink.db"),
        "the message names the file: {error}"
    );
}
