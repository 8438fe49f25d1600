//! The data folder's permissions on a real file system (unix): the folder is the user's alone
//! (0700) and every file Comptoir writes in it — the databases with their -wal and -shm, and
//! `account.json` — is 0600, since they hold customers' names and addresses. Checked for a new
//! folder (demo store, then a connected account synced from the Stripe simulator) and for a
//! folder an earlier version left readable by others.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use comptoir_core::dataset::{Dataset, DatasetSpec};
use comptoir_core::secrets::{MemoryStore, Secret};
use comptoir_core::store;
use comptoir_core::sync::SyncOptions;
use comptoir_core::workspace::{Workspace, WorkspaceConfig};
use comptoir_stripe_sim::{SimConfig, Simulator};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Every file and folder under `dir` with its mode, folders first.
fn modes_under(dir: &Path) -> Vec<(String, bool, u32)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            let is_dir = p.is_dir();
            out.push((p.display().to_string(), is_dir, mode(&p)));
            if is_dir {
                stack.push(p);
            }
        }
    }
    out
}

fn assert_private(dir: &Path) -> Vec<String> {
    assert_eq!(mode(dir), 0o700, "the data folder {}", dir.display());
    let entries = modes_under(dir);
    for (path, is_dir, m) in &entries {
        let want = if *is_dir { 0o700 } else { 0o600 };
        assert_eq!(*m, want, "{path} is {m:o}, not {want:o}: {entries:?}");
    }
    entries.into_iter().map(|(p, _, _)| p).collect()
}

fn config(dir: &Path, api_base: &str) -> WorkspaceConfig {
    WorkspaceConfig {
        data_dir: dir.to_owned(),
        api_base: api_base.to_owned(),
        secrets: Arc::new(MemoryStore::new()),
        sync_options: SyncOptions::default(),
    }
}

#[tokio::test]
async fn a_new_data_folder_and_everything_written_in_it_are_private() {
    let root = tempfile::tempdir().unwrap();
    // Loosen the parent so the folder's mode is not inherited from a private temp folder.
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = root.path().join("Comptoir").join("data");
    let key = format!("sk_test_{}", "filesModes".repeat(3));
    let sim = Simulator::start(
        Dataset::generate(&DatasetSpec {
            orders: 30,
            subscriptions: 4,
            now: store::now(),
            ..DatasetSpec::default()
        }),
        SimConfig {
            api_key: key.clone(),
            ..SimConfig::default()
        },
    )
    .await;
    let ws = Workspace::open(config(&dir, &sim.base_url()))
        .await
        .unwrap();
    // The demo store is open (WAL): its -wal and -shm exist now, and are checked with it.
    let files = assert_private(&dir);
    for name in ["demo.sqlite", "demo.sqlite-wal", "demo.sqlite-shm"] {
        assert!(
            files.iter().any(|f| f.ends_with(name)),
            "{name} in {files:?}"
        );
    }
    assert_eq!(
        mode(&root.path().join("Comptoir")),
        0o700,
        "a parent Comptoir creates is private too"
    );

    let account = ws.connect_stripe(Secret::new(key)).await.unwrap();
    ws.sync(Arc::new(|_| {})).await.unwrap();
    let files = assert_private(&dir);
    assert!(
        files.iter().any(|f| f.ends_with("account.json")),
        "{files:?}"
    );
    let db = files
        .iter()
        .find(|f| f.contains(&format!("stripe-{}", account.id)) && f.ends_with(".sqlite"))
        .unwrap_or_else(|| panic!("the account's store in {files:?}"));
    assert!(files.contains(&format!("{db}-wal")), "{files:?}");
}

#[tokio::test]
async fn a_folder_an_earlier_version_left_readable_is_made_private() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    // What an earlier version left: a readable folder, a readable demo store and its WAL.
    {
        let ws = Workspace::open(config(&dir, "http://127.0.0.1:9/"))
            .await
            .unwrap();
        ws.store().await.close().await;
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let db = dir.join("demo.sqlite");
    let wal = dir.join("demo.sqlite-wal");
    std::fs::write(&wal, b"").unwrap();
    for f in [&db, &wal] {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    assert_eq!(mode(&db), 0o644);

    let ws = Workspace::open(config(&dir, "http://127.0.0.1:9/"))
        .await
        .unwrap();
    assert!(
        ws.status().await.unwrap().counts.orders > 0,
        "the demo store still opens"
    );
    let files = assert_private(&dir);
    assert!(
        files.iter().any(|f| f.ends_with("demo.sqlite-wal")),
        "{files:?}"
    );
}
