//! Start-up failures: a damaged database, one whose upgrade fails, one from a newer Comptoir, a
//! data folder that cannot be created. Each is told apart, and a database that cannot be read is
//! kept aside (renamed, its bytes untouched) so the next start opens.

use std::path::Path;
use std::sync::Arc;

use comptoir_core::secrets::MemoryStore;
use comptoir_core::startup::{diagnose, StartupFailureKind};
use comptoir_core::sync::SyncOptions;
use comptoir_core::workspace::{Workspace, WorkspaceConfig};

fn config(dir: &Path) -> WorkspaceConfig {
    WorkspaceConfig {
        data_dir: dir.to_owned(),
        api_base: "http://127.0.0.1:9/".into(),
        secrets: Arc::new(MemoryStore::new()),
        sync_options: SyncOptions::default(),
    }
}

/// The files of `dir`, by name.
fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

#[tokio::test]
async fn a_damaged_database_is_kept_aside_and_the_next_start_opens() {
    let dir = tempfile::tempdir().unwrap();
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 + 3) as u8).collect();
    std::fs::write(dir.path().join("demo.sqlite"), &garbage).unwrap();

    let Err(error) = Workspace::open(config(dir.path())).await else {
        panic!("a damaged database cannot open");
    };
    let failure = diagnose(dir.path(), &error).await;
    assert_eq!(failure.kind, StartupFailureKind::Corrupt, "{failure:?}");
    assert!(
        failure.message.contains("file is not a database"),
        "{failure:?}"
    );
    assert!(failure.kept_aside);
    assert_eq!(failure.files.len(), 1, "{failure:?}");
    let kept = Path::new(&failure.files[0]);
    assert!(
        kept.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("demo.sqlite.unreadable-"),
        "{kept:?}"
    );
    assert_eq!(std::fs::read(kept).unwrap(), garbage, "kept as it was");
    assert!(!dir.path().join("demo.sqlite").exists());
    assert_eq!(failure.data_dir, dir.path().display().to_string());

    // The next start: a fresh demo store; the damaged file is still there, untouched.
    let ws = Workspace::open(config(dir.path())).await.unwrap();
    assert!(ws.status().await.unwrap().counts.orders > 0);
    assert_eq!(std::fs::read(kept).unwrap(), garbage);
}

#[tokio::test]
async fn a_database_from_a_newer_comptoir_stays_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    drop(Workspace::open(config(dir.path())).await.unwrap());
    // A migration this version does not know, as a newer Comptoir would have applied.
    let db = dir.path().join("demo.sqlite");
    {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (99990101000000, 'from the future', 1, x'00', 1)",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    }
    let before = names(dir.path());

    let Err(error) = Workspace::open(config(dir.path())).await else {
        panic!("a newer database is not opened by an older Comptoir");
    };
    let failure = diagnose(dir.path(), &error).await;
    assert_eq!(failure.kind, StartupFailureKind::Newer, "{failure:?}");
    assert!(!failure.kept_aside);
    assert_eq!(failure.files, vec![db.display().to_string()]);
    assert!(db.exists(), "left for the newer version");
    assert!(
        !names(dir.path()).iter().any(|n| n.contains("unreadable")),
        "{before:?}"
    );
}

#[tokio::test]
async fn a_database_whose_upgrade_fails_is_kept_aside() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    {
        use sqlx::Connection;
        let mut conn =
            sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", db.display()))
                .await
                .unwrap();
        // A table the first migration creates, already there in another shape.
        sqlx::query("CREATE TABLE orders (something_else TEXT)")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }

    let Err(error) = Workspace::open(config(dir.path())).await else {
        panic!("the upgrade cannot succeed");
    };
    let failure = diagnose(dir.path(), &error).await;
    assert_eq!(failure.kind, StartupFailureKind::Migration, "{failure:?}");
    assert!(failure.kept_aside, "{failure:?}");
    assert!(!db.exists());
    assert!(Workspace::open(config(dir.path())).await.is_ok());
}

#[tokio::test]
async fn a_data_folder_that_cannot_be_made_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the folder should be: it cannot be created, whoever runs the test.
    let blocked = dir.path().join("data");
    std::fs::write(&blocked, "not a folder").unwrap();
    let Err(error) = Workspace::open(config(&blocked)).await else {
        panic!("no data folder, no start");
    };
    let failure = diagnose(&blocked, &error).await;
    assert_eq!(failure.kind, StartupFailureKind::Unwritable, "{failure:?}");
    assert!(
        failure.message.contains(&blocked.display().to_string()),
        "{failure:?}"
    );
    assert!(failure.files.is_empty() && !failure.kept_aside);
    assert_eq!(std::fs::read_to_string(&blocked).unwrap(), "not a folder");
}
