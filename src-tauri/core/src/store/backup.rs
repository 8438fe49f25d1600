//! The local safety net (README: Architecture, Local safety net): copies of a database made with
//! SQLite's `VACUUM INTO`, in a `backups/` folder beside it (in the data folder), private like
//! the database (folder `0700`, files `0600`).
//!
//! - **Before a migration**: when the store opens an existing database that has migrations still
//!   to run, it is copied first (`<name>.pre-migration-<UTC time>.sqlite`); the last
//!   [`PRE_MIGRATION_KEPT`] stay.
//! - **Daily**: when the store opens, and on the background loop's ticks, a database with no copy
//!   of today (UTC) gets one (`<name>.daily-<UTC date>.sqlite`); the last [`DAILY_KEPT`] stay.
//!
//! Whatever the count, a copy older than [`MAX_AGE_DAYS`] is removed, so that a customer erased
//! from the store (README: Privacy) does not live on in an old copy.
//!
//! A copy is written under a `.partial` name and renamed once complete, so a copy cut short (a
//! full disk, the app killed) never counts as one, nor pushes a good one out.

use std::path::{Path, PathBuf};

use sqlx::SqlitePool;

use super::{Result, StoreError};

/// The daily copies kept per database: a week.
pub const DAILY_KEPT: usize = 7;
/// The pre-migration copies kept per database.
pub const PRE_MIGRATION_KEPT: usize = 3;
/// The oldest a copy may be, in days, whatever the count: a customer erased from the store
/// (README: Privacy) does not live on in an old copy for longer.
pub const MAX_AGE_DAYS: u64 = 30;
/// The folder, inside the data folder, that holds the copies.
pub const FOLDER: &str = "backups";

/// Which copy: made before a migration, or the day's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    PreMigration,
    Daily,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::PreMigration => "pre-migration",
            Kind::Daily => "daily",
        }
    }

    fn kept(self) -> usize {
        match self {
            Kind::PreMigration => PRE_MIGRATION_KEPT,
            Kind::Daily => DAILY_KEPT,
        }
    }
}

/// The `backups/` folder beside the database at `db`.
pub fn folder(db: &Path) -> PathBuf {
    db.parent().unwrap_or(Path::new(".")).join(FOLDER)
}

/// The database's name without `.sqlite`: what its copies' names start with.
fn stem(db: &Path) -> String {
    db.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "comptoir".to_owned())
}

/// The copies of `kind` of the database at `db`, oldest first (their names sort by time).
pub fn list(db: &Path, kind: Kind) -> Vec<PathBuf> {
    let prefix = format!("{}.{}-", stem(db), kind.tag());
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder(db))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".sqlite"))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::DataDir {
        path: path.to_owned(),
        source,
    }
}

/// Copies the database behind `pool` (at `db`) into `backups/` under `<stem>.<kind>-<stamp>`,
/// then removes the oldest copies of that kind past what is kept. Returns the copy's path.
async fn copy(pool: &SqlitePool, db: &Path, kind: Kind, stamp: &str) -> Result<PathBuf> {
    let dir = folder(db);
    crate::private_fs::private_dir(&dir).map_err(io_error(&dir))?;
    let base = format!("{}.{}-{stamp}", stem(db), kind.tag());
    let mut dest = dir.join(format!("{base}.sqlite"));
    let mut n = 2;
    while dest.exists() {
        dest = dir.join(format!("{base}-{n}.sqlite"));
        n += 1;
    }
    let partial = dest.with_extension("sqlite.partial");
    let _ = std::fs::remove_file(&partial);
    // VACUUM INTO takes an empty file: created private first, the copy keeps its mode.
    crate::private_fs::touch_private(&partial).map_err(io_error(&partial))?;
    let written = sqlx::query("VACUUM INTO ?1")
        .bind(partial.to_string_lossy().into_owned())
        .execute(pool)
        .await;
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e.into());
    }
    std::fs::rename(&partial, &dest).map_err(io_error(&dest))?;
    prune(db, kind);
    tracing::info!(copy = %dest.display(), "database copied ({})", kind.tag());
    Ok(dest)
}

/// Whether the file at `path` was last written more than [`MAX_AGE_DAYS`] ago.
fn too_old(path: &Path) -> bool {
    let max = std::time::Duration::from_secs(MAX_AGE_DAYS * 86_400);
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > max)
}

/// Removes the oldest copies of `kind` past what is kept, and any older than
/// [`MAX_AGE_DAYS`]. A copy that cannot be removed stays (logged): the safety net never fails an
/// open for its own housekeeping.
fn prune(db: &Path, kind: Kind) {
    let copies = list(db, kind);
    let extra = copies.len().saturating_sub(kind.kept());
    let stale = copies[extra..].iter().filter(|p| too_old(p));
    for old in copies[..extra].iter().chain(stale) {
        if let Err(e) = std::fs::remove_file(old) {
            tracing::warn!(copy = %old.display(), "an old database copy could not be removed: {e}");
        }
    }
}

/// A copy made now, before migrations run on the database at `db`.
pub async fn pre_migration(pool: &SqlitePool, db: &Path) -> Result<PathBuf> {
    let stamp = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]-[hour][minute][second]-[subsecond digits:3]"
        ))
        .unwrap_or_else(|_| super::now().to_string());
    copy(pool, db, Kind::PreMigration, &stamp).await
}

/// Today's copy of the database at `db` (`today` in UTC), unless it has one already: then
/// `None`, and nothing is written.
pub async fn daily(pool: &SqlitePool, db: &Path, today: time::Date) -> Result<Option<PathBuf>> {
    let stamp = today
        .format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap_or_else(|_| today.to_string());
    let name = format!("{}.{}-{stamp}.sqlite", stem(db), Kind::Daily.tag());
    if folder(db).join(name).exists() {
        return Ok(None);
    }
    copy(pool, db, Kind::Daily, &stamp).await.map(Some)
}

/// Whether the database behind `pool` exists already (it has tables) and has migrations of
/// `migrator` still to run. A new, empty database has nothing to save.
pub async fn migrations_pending(
    pool: &SqlitePool,
    migrator: &sqlx::migrate::Migrator,
) -> Result<bool> {
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_one(pool)
    .await?;
    if tables == 0 {
        return Ok(false);
    }
    let has_log: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(pool)
    .await?;
    if has_log == 0 {
        return Ok(true);
    }
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
            .fetch_all(pool)
            .await?;
    Ok(migrator
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .any(|m| !applied.contains(&m.version)))
}

/// Today's copy (UTC) of `store`, if it has none yet. The app calls it when a store opens and on
/// each tick of its background loop; a failure is logged, and the app goes on.
pub async fn daily_if_due(store: &super::Store) {
    let today = time::OffsetDateTime::now_utc().date();
    if let Err(e) = daily(store.pool(), store.path(), today).await {
        tracing::warn!("the daily copy of the database failed: {e}");
    }
    // Pre-migration copies are made seldom: their age limit is applied here.
    prune(store.path(), Kind::PreMigration);
}
