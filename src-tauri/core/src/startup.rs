//! When the workspace cannot be opened at start-up: why, in words a merchant can act on, and the
//! way out. A database file that cannot be read (damaged, or its upgrade failed) is moved aside,
//! renamed and never deleted, so the next start opens a fresh one while the old file stays for
//! support; one written by a newer Comptoir stays where it is (the newer version reads it).

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use crate::store::{Store, StoreError};
use crate::workspace::WorkspaceError;

/// What went wrong at start-up, as the window says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StartupFailureKind {
    /// A database file is damaged: not a database, or malformed.
    Corrupt,
    /// A database was written by a newer version of Comptoir.
    Newer,
    /// A database could not be upgraded to this version.
    Migration,
    /// The data folder cannot be created or written to.
    Unwritable,
    /// Anything else (the error says what).
    Other,
}

/// Why Comptoir could not open its data, and what was done about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct StartupFailure {
    pub kind: StartupFailureKind,
    /// The error, in full.
    pub message: String,
    /// The data folder (`COMPTOIR_DATA_DIR`, else the OS app-data folder).
    pub data_dir: String,
    /// The database files concerned, where they are now: moved aside (damaged, or whose upgrade
    /// failed) or left in place (newer).
    pub files: Vec<String>,
    /// Whether `files` were moved aside, so that a restart opens a fresh database.
    pub kept_aside: bool,
}

impl StartupFailure {
    /// A failure that is not the workspace's (e.g. a refused setting), in the same window.
    pub fn other(data_dir: &Path, message: impl Into<String>) -> Self {
        StartupFailure {
            kind: StartupFailureKind::Other,
            message: message.into(),
            data_dir: data_dir.display().to_string(),
            files: Vec::new(),
            kept_aside: false,
        }
    }
}

/// SQLite's primary result code of a database error, if it is one.
fn sqlite_code(e: &sqlx::Error) -> Option<i64> {
    match e {
        sqlx::Error::Database(db) => db.code()?.parse::<i64>().ok().map(|c| c & 0xff),
        _ => None,
    }
}

const SQLITE_READONLY: i64 = 8;
const SQLITE_IOERR: i64 = 10;
const SQLITE_CORRUPT: i64 = 11;
const SQLITE_FULL: i64 = 13;
const SQLITE_CANTOPEN: i64 = 14;
const SQLITE_NOTADB: i64 = 26;

fn kind_of_store_error(e: &StoreError) -> StartupFailureKind {
    use sqlx::migrate::MigrateError;
    match e {
        StoreError::DataDir { .. } => StartupFailureKind::Unwritable,
        StoreError::Corrupt(_) => StartupFailureKind::Corrupt,
        StoreError::Migrate(MigrateError::VersionMissing(_)) => StartupFailureKind::Newer,
        StoreError::Migrate(
            MigrateError::Execute(inner) | MigrateError::ExecuteMigration(inner, _),
        ) if matches!(sqlite_code(inner), Some(SQLITE_CORRUPT | SQLITE_NOTADB)) => {
            StartupFailureKind::Corrupt
        }
        StoreError::Migrate(_) => StartupFailureKind::Migration,
        StoreError::Database(inner) => match sqlite_code(inner) {
            Some(SQLITE_CORRUPT | SQLITE_NOTADB) => StartupFailureKind::Corrupt,
            Some(SQLITE_READONLY | SQLITE_CANTOPEN | SQLITE_FULL | SQLITE_IOERR) => {
                StartupFailureKind::Unwritable
            }
            _ if matches!(inner, sqlx::Error::Io(_)) => StartupFailureKind::Unwritable,
            _ => StartupFailureKind::Other,
        },
        StoreError::NotFound(_) | StoreError::SearchTooLong { .. } => StartupFailureKind::Other,
    }
}

/// What kind of failure `e` is.
pub fn kind_of(e: &WorkspaceError) -> StartupFailureKind {
    match e {
        WorkspaceError::Io { .. } => StartupFailureKind::Unwritable,
        WorkspaceError::Store(s) => kind_of_store_error(s),
        _ => StartupFailureKind::Other,
    }
}

/// The data folder's database files (`*.sqlite`; files kept aside end otherwise).
fn databases(data_dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(data_dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "sqlite"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Where a damaged file goes: `demo.sqlite` → `demo.sqlite.unreadable-2025-06-01-142233` (and
/// its `-wal` and `-shm` beside it under the same name, so SQLite can still open it), a number
/// added if that name is taken.
fn aside_name(db: &Path) -> PathBuf {
    let stamp = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year]-[month]-[day]-[hour][minute][second]"
        ))
        .unwrap_or_else(|_| crate::store::now().to_string());
    let base = format!("{}.unreadable-{stamp}", db.display());
    let mut candidate = PathBuf::from(&base);
    let mut n = 2;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{base}-{n}"));
        n += 1;
    }
    candidate
}

/// Moves `db` (and its WAL and shared-memory files) aside; returns where it went.
fn move_aside(db: &Path) -> std::io::Result<PathBuf> {
    let to = aside_name(db);
    std::fs::rename(db, &to)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", db.display()));
        if side.exists() {
            let _ = std::fs::rename(&side, format!("{}{suffix}", to.display()));
        }
    }
    Ok(to)
}

/// After `Workspace::open` failed with `error`: says why and, for a database that cannot be
/// read or upgraded, finds it (each database of the folder is opened in turn; those that fail
/// the same way are the culprits) and moves it aside. A newer database is only named.
pub async fn diagnose(data_dir: &Path, error: &WorkspaceError) -> StartupFailure {
    let kind = kind_of(error);
    let mut failure = StartupFailure {
        kind,
        message: error.to_string(),
        data_dir: data_dir.display().to_string(),
        files: Vec::new(),
        kept_aside: false,
    };
    if !matches!(
        kind,
        StartupFailureKind::Corrupt | StartupFailureKind::Migration | StartupFailureKind::Newer
    ) {
        return failure;
    }
    let mut culprits = Vec::new();
    for db in databases(data_dir) {
        match Store::open(&db).await {
            Ok(store) => store.close().await,
            Err(e) if kind_of_store_error(&e) == kind => culprits.push(db),
            Err(e) => tracing::warn!("{} could not be opened either: {e}", db.display()),
        }
    }
    if kind == StartupFailureKind::Newer {
        failure.files = culprits.iter().map(|p| p.display().to_string()).collect();
        return failure;
    }
    let mut moved = Vec::new();
    for db in &culprits {
        match move_aside(db) {
            Ok(to) => {
                tracing::error!(
                    "{} could not be opened and was kept aside as {}",
                    db.display(),
                    to.display()
                );
                moved.push(to.display().to_string());
            }
            Err(e) => {
                tracing::error!("{} could not be moved aside: {e}", db.display());
                failure.message = format!(
                    "{}. Comptoir could not move {} aside either: {e}",
                    failure.message,
                    db.display()
                );
            }
        }
    }
    failure.kept_aside = !moved.is_empty() && moved.len() == culprits.len();
    failure.files = moved;
    failure
}
