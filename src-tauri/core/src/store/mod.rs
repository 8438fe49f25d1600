//! The local store: one SQLite file (WAL, `synchronous=FULL`, foreign keys on) holding the cached Stripe objects,
//! the sync cursors, the settings and the local fulfilment state. One module per table, each
//! with `get_/list_/upsert_…` functions taking a connection or an executor.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub mod audit_log;
pub mod backup;
pub mod cursors;
pub mod customers;
pub mod erasure;
pub mod fulfilments;
pub mod invoices;
pub mod orders;
pub mod outbox;
pub mod packing;
pub mod payments;
pub mod pdf_cache;
pub mod products;
pub mod settings;
pub mod shipping_rates;
pub mod stripe_writes;
pub mod subscriptions;
pub mod sync_skipped;
pub mod tax_rates;
pub mod tracking_entries;
pub mod upcoming_invoices;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    /// A search longer than [`MAX_SEARCH_CHARS`]: refused, nothing searched.
    #[error("The search is too long: at most {max} characters.")]
    SearchTooLong { max: usize },
    #[error("the local database failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the local database could not be upgraded: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a cached record is damaged: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("cannot create or protect {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Maps "no row" to a `NotFound` naming what was looked for.
pub(crate) fn not_found(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
    let what = what.into();
    move |e| match e {
        sqlx::Error::RowNotFound => StoreError::NotFound(what),
        other => StoreError::Database(other),
    }
}

/// The longest search the order and subscription lists take, in characters (the search boxes
/// stop there too): a longer one is refused with [`StoreError::SearchTooLong`].
pub const MAX_SEARCH_CHARS: usize = 200;

/// What the merchant typed in a search box, ready to search: control characters (a NUL, a tab
/// from a scanner) separate words like spaces, since neither the search index nor `LIKE` can
/// take them; `None` when nothing is left. Refused, in plain words, past
/// [`MAX_SEARCH_CHARS`].
pub(crate) fn search_text(input: Option<&str>) -> Result<Option<String>> {
    let Some(input) = input else {
        return Ok(None);
    };
    let text: String = input
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.trim();
    if text.chars().count() > MAX_SEARCH_CHARS {
        return Err(StoreError::SearchTooLong {
            max: MAX_SEARCH_CHARS,
        });
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// An open store. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database file at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            crate::private_fs::create_dir_private(dir).map_err(|source| StoreError::DataDir {
                path: dir.to_owned(),
                source,
            })?;
        }
        // Customers' names and addresses: the file is the user's alone (0600) before SQLite
        // opens it, and SQLite gives its -wal and -shm the same mode. Those of an earlier
        // version are tightened too (README: Architecture, Data).
        let private = |p: &Path| {
            crate::private_fs::restrict_file(p).map_err(|source| StoreError::DataDir {
                path: p.to_owned(),
                source,
            })
        };
        crate::private_fs::touch_private(path).map_err(|source| StoreError::DataDir {
            path: path.to_owned(),
            source,
        })?;
        for suffix in ["-wal", "-shm"] {
            private(&sidecar(path, suffix))?;
        }
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL, not NORMAL: the store holds the only copy of the fulfilment actions (who
            // shipped what, the outbox), so a commit must survive a power cut, not only a crash
            // of the app (README: Architecture, Data).
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 32 MiB of page cache per connection (the default is 2 MiB): a search over a large
            // shop reads its matches from memory rather than from the OS on every keystroke.
            .pragma("cache_size", "-32768");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        // An existing database is copied before it is upgraded (README: Local safety net).
        if backup::migrations_pending(&pool, &MIGRATOR).await? {
            backup::pre_migration(&pool, path).await?;
        }
        MIGRATOR.run(&pool).await?;
        Ok(Store {
            pool,
            path: path.to_owned(),
        })
    }

    /// Begins a write transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`). A
    /// deferred transaction that reads first cannot wait for a concurrent writer when it later
    /// upgrades: it fails with "database is locked" at once. Taking the lock up front makes it
    /// wait (busy timeout) like any other writer.
    pub async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The database's `-wal` or `-shm` file.
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
