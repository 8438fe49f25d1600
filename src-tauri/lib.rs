//! The Comptoir desktop app: the Tauri builder, the managed workspace and the IPC commands.
//! Everything the app does lives in `comptoir-core`; this crate wires it to the window.

mod commands;
pub mod error;

use std::path::PathBuf;
use std::sync::Arc;

use comptoir_core::secrets::Keychain;
use comptoir_core::stripe::client::{check_api_base, DEFAULT_API_BASE};
use comptoir_core::sync::SyncOptions;
use comptoir_core::workspace::{Workspace, WorkspaceConfig};
use tauri::Manager;

/// Where the data lives: `COMPTOIR_DATA_DIR`, else the OS app-data folder.
fn data_dir(app: &tauri::App) -> PathBuf {
    match std::env::var_os("COMPTOIR_DATA_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => app
            .path()
            .app_data_dir()
            .unwrap_or_else(|_| PathBuf::from(".comptoir")),
    }
}

/// Stripe's API, or `COMPTOIR_STRIPE_API_BASE` (the simulator) when it names Stripe's API host
/// or this computer: any other address would receive the API key, and is refused.
fn api_base_from_env() -> Result<String, String> {
    match std::env::var("COMPTOIR_STRIPE_API_BASE") {
        Ok(base) if !base.trim().is_empty() => match check_api_base(&base) {
            Ok(_) => Ok(base.trim().to_owned()),
            Err(e) => Err(format!("COMPTOIR_STRIPE_API_BASE is refused. {e}")),
        },
        _ => Ok(DEFAULT_API_BASE.to_owned()),
    }
}

/// Logs go to stderr and to `logs/comptoir.log` in the data folder. No secret is ever logged:
/// the key is a header set once, never a field of a logged value.
fn init_logging(dir: &std::path::Path) {
    use tracing_subscriber::prelude::*;
    let filter = tracing_subscriber::EnvFilter::try_from_env("COMPTOIR_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,hyper=warn,reqwest=warn")
    });
    let logs = dir.join("logs");
    let file = std::fs::create_dir_all(&logs)
        .and_then(|_| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(logs.join("comptoir.log"))
        })
        .ok();
    let file_layer = file.map(|f| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(Arc::new(f))
    });
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(file_layer)
        .try_init();
}

/// The mail worker: drains the outbox at start-up, every 30 seconds, and as soon as an action
/// queues an email. Failures stay in the outbox with their reason (README: Configure email).
fn spawn_mail_worker(workspace: Arc<Workspace>) {
    let wakeup = workspace.mail_wakeup();
    tauri::async_runtime::spawn(async move {
        loop {
            match workspace.send_due_emails().await {
                Ok(Some(report)) if report.sent + report.retrying + report.failed > 0 => {
                    tracing::info!(?report, "outbox run");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("outbox run failed: {e}"),
            }
            let _ =
                tokio::time::timeout(std::time::Duration::from_secs(30), wakeup.notified()).await;
        }
    });
}

pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let dir = data_dir(app);
            init_logging(&dir);
            let api_base = api_base_from_env()?;
            // Tests give each run its own keychain entries so they never touch a user's key.
            let keychain = match std::env::var("COMPTOIR_KEYCHAIN_SERVICE") {
                Ok(service) if !service.trim().is_empty() => Keychain::new(service.trim()),
                _ => Keychain::app(),
            };
            let config = WorkspaceConfig {
                data_dir: dir.clone(),
                api_base,
                secrets: Arc::new(keychain),
                sync_options: SyncOptions::default(),
            };
            let workspace = tauri::async_runtime::block_on(Workspace::open(config))?;
            tracing::info!(data_dir = %dir.display(), "Comptoir started");
            let workspace = Arc::new(workspace);
            spawn_mail_worker(workspace.clone());
            app.manage(workspace);
            Ok(())
        })
        // Every command of src-tauri/commands/list.rs, and no other.
        .invoke_handler(commands::contract::handler())
        .run(tauri::generate_context!("tauri.conf.json"))
        .expect("error while running Comptoir");
}
