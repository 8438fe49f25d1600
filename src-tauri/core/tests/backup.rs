//! The local safety net (README: Local safety net), on real SQLite files: a copy of an existing
//! database before its migrations run (none when nothing is pending), a copy that opens and holds
//! the data, the rotation that keeps the last few, and one daily copy a day.

use std::path::{Path, PathBuf};

use comptoir_core::store::{self, backup, Store};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;

fn migrations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations")
}

async fn pool_of(path: &Path) -> SqlitePool {
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true),
        )
        .await
        .unwrap()
}

/// A database as the first version of Comptoir left it: only the first migration applied, and a
/// setting written. Its later migrations are pending.
async fn first_version_database(path: &Path) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(migrations_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() > 1, "the later migrations are pending");
    let old = tempfile::tempdir().unwrap();
    std::fs::copy(&files[0], old.path().join(files[0].file_name().unwrap())).unwrap();
    let pool = pool_of(path).await;
    sqlx::migrate::Migrator::new(old.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    store::settings::set_value(&pool, store::settings::STATION, "Atelier")
        .await
        .unwrap();
    pool.close().await;
}

async fn applied_migrations(pool: &SqlitePool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn a_database_with_pending_migrations_is_copied_first_and_the_copy_holds_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    first_version_database(&db).await;

    let store = Store::open(&db).await.unwrap();
    let copies = backup::list(&db, backup::Kind::PreMigration);
    assert_eq!(copies.len(), 1, "{copies:?}");
    let copy = &copies[0];
    assert_eq!(copy.parent().unwrap(), dir.path().join("backups"));
    let name = copy.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("demo.pre-migration-"), "{name}");
    #[cfg(unix)]
    {
        assert_eq!(mode(copy), 0o600, "the copy is the user's alone");
        assert_eq!(mode(&dir.path().join("backups")), 0o700);
    }

    // The copy is the database as it was before the upgrade: one migration, the setting.
    let old = pool_of(copy).await;
    assert_eq!(applied_migrations(&old).await, 1);
    assert_eq!(
        store::settings::get_value(&old, store::settings::STATION)
            .await
            .unwrap()
            .as_deref(),
        Some("Atelier")
    );
    old.close().await;
    // And the store itself was upgraded, its data kept.
    assert!(applied_migrations(store.pool()).await > 1);
    assert_eq!(
        store::settings::get_value(store.pool(), store::settings::STATION)
            .await
            .unwrap()
            .as_deref(),
        Some("Atelier")
    );
    store.close().await;

    // Opened again with nothing pending: no new copy.
    let store = Store::open(&db).await.unwrap();
    assert_eq!(backup::list(&db, backup::Kind::PreMigration).len(), 1);
    store.close().await;
}

#[tokio::test]
async fn a_new_database_or_one_up_to_date_is_not_copied() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("stripe-acct_1-test.sqlite");
    let store = Store::open(&db).await.unwrap();
    store.close().await;
    let store = Store::open(&db).await.unwrap();
    store.close().await;
    assert!(backup::list(&db, backup::Kind::PreMigration).is_empty());
    assert!(
        !dir.path().join("backups").exists(),
        "nothing was copied, no folder made"
    );
}

#[tokio::test]
async fn pre_migration_copies_rotate_keeping_the_last_three() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let store = Store::open(&db).await.unwrap();
    let mut made = Vec::new();
    for _ in 0..5 {
        made.push(backup::pre_migration(store.pool(), &db).await.unwrap());
    }
    let kept = backup::list(&db, backup::Kind::PreMigration);
    assert_eq!(kept.len(), backup::PRE_MIGRATION_KEPT);
    assert_eq!(
        kept,
        made[5 - backup::PRE_MIGRATION_KEPT..],
        "the newest stay"
    );
    store.close().await;
}

#[tokio::test]
async fn one_daily_copy_a_day_and_the_last_seven_days_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let other = dir.path().join("stripe-acct_1-test.sqlite");
    let store = Store::open(&db).await.unwrap();
    let other_store = Store::open(&other).await.unwrap();
    store::settings::set_value(store.pool(), store::settings::STAFF, "Camille")
        .await
        .unwrap();

    let day = |d: u8| time::Date::from_calendar_date(2026, time::Month::November, d).unwrap();
    let first = backup::daily(store.pool(), &db, day(1)).await.unwrap();
    let first = first.expect("the day's first copy");
    assert!(
        first.ends_with("backups/demo.daily-2026-11-01.sqlite"),
        "{first:?}"
    );
    assert_eq!(
        backup::daily(store.pool(), &db, day(1)).await.unwrap(),
        None,
        "not twice the same day"
    );
    assert_eq!(backup::list(&db, backup::Kind::Daily).len(), 1);
    let copy = pool_of(&first).await;
    assert_eq!(
        store::settings::get_value(&copy, store::settings::STAFF)
            .await
            .unwrap()
            .as_deref(),
        Some("Camille")
    );
    copy.close().await;

    for d in 2..=10 {
        assert!(backup::daily(store.pool(), &db, day(d))
            .await
            .unwrap()
            .is_some());
    }
    // Another database's copies are counted apart.
    backup::daily(other_store.pool(), &other, day(10))
        .await
        .unwrap();
    let kept: Vec<String> = backup::list(&db, backup::Kind::Daily)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(kept.len(), backup::DAILY_KEPT);
    assert_eq!(kept.first().unwrap(), "demo.daily-2026-11-04.sqlite");
    assert_eq!(kept.last().unwrap(), "demo.daily-2026-11-10.sqlite");
    assert_eq!(backup::list(&other, backup::Kind::Daily).len(), 1);
    store.close().await;
    other_store.close().await;
}
