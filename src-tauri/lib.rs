//! The Comptoir desktop app: the Tauri builder, the managed workspace and the IPC commands.
//! Everything the app does lives in `comptoir-core`; this crate wires it to the window.

mod commands;
pub mod error;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use commands::startup::Startup;
use comptoir_core::secrets::Keychain;
use comptoir_core::startup::{self, StartupFailure};
use comptoir_core::stripe::client::{check_api_base, DEFAULT_API_BASE};
use comptoir_core::sync::SyncOptions;
use comptoir_core::workspace::{Workspace, WorkspaceConfig};
use tauri::{Emitter, Manager};
use tracing_appender::rolling::{RollingFileAppender, Rotation};

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

/// How many daily log files the data folder keeps: two weeks of history.
const LOG_FILES_KEPT: usize = 14;

/// The log files: one a day in `logs` (`comptoir.YYYY-MM-DD.log`); when a new one starts (and at
/// start-up), the oldest are removed so that `LOG_FILES_KEPT` remain.
fn log_files(logs: &Path) -> Result<RollingFileAppender, tracing_appender::rolling::InitError> {
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("comptoir")
        .filename_suffix("log")
        .max_log_files(LOG_FILES_KEPT)
        .build(logs)
}

/// Logs go to stderr and to daily files in `logs/` in the data folder. No secret is ever logged:
/// the key is a header set once, never a field of a logged value.
fn init_logging(dir: &Path) {
    use tracing_subscriber::prelude::*;
    let filter = tracing_subscriber::EnvFilter::try_from_env("COMPTOIR_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,hyper=warn,reqwest=warn")
    });
    let files = match log_files(&dir.join("logs")) {
        Ok(files) => Some(files),
        Err(e) => {
            eprintln!(
                "Comptoir cannot write its log files in {}: {e}",
                dir.display()
            );
            None
        }
    };
    let file_layer = files.map(|f| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(f)
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
    // Said once per process: the single-instance test counts it (README: One instance per machine).
    tracing::info!("mail worker started");
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

/// The background sync (README: Background sync): an incremental sync every few seconds while
/// an account is connected, and the day's copy of the database; each pass is told to the window
/// as the `background-sync` event, quietly (no progress bar).
fn spawn_background_sync(app: tauri::AppHandle, workspace: Arc<Workspace>) {
    tauri::async_runtime::spawn(workspace.run_background(None, move |pass| {
        let _ = app.emit("background-sync", pass);
    }));
}

/// Opens the workspace in `dir`; on failure, says why and keeps a damaged database aside
/// (`comptoir_core::startup`).
fn open_workspace(dir: &Path) -> Result<Workspace, StartupFailure> {
    let api_base = api_base_from_env().map_err(|message| StartupFailure::other(dir, message))?;
    // Tests give each run its own keychain entries so they never touch a user's key; a release
    // build always uses the app's own (README: test-only variables).
    let service = comptoir_core::test_hooks::var(
        "COMPTOIR_KEYCHAIN_SERVICE",
        comptoir_core::test_hooks::ENABLED,
    )
    .and_then(|s| s.into_string().ok())
    .map(|s| s.trim().to_owned())
    .filter(|s| !s.is_empty());
    let keychain = match service {
        Some(service) => Keychain::new(&service),
        None => Keychain::app(),
    };
    let config = WorkspaceConfig {
        data_dir: dir.to_owned(),
        api_base,
        secrets: Arc::new(keychain),
        sync_options: SyncOptions::default(),
    };
    tauri::async_runtime::block_on(async {
        match Workspace::open(config).await {
            Ok(workspace) => Ok(workspace),
            Err(e) => Err(startup::diagnose(dir, &e).await),
        }
    })
}

/// The test-only name of this instance (`COMPTOIR_INSTANCE_ID`, debug builds only): end-to-end
/// tests run several apps at once on one D-Bus session, and each must be its own single
/// instance. Its letters, digits and `_` only (a D-Bus name element), at most 64 of them.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn test_instance_id(test_hooks: bool) -> Option<String> {
    let raw = comptoir_core::test_hooks::var("COMPTOIR_INSTANCE_ID", test_hooks)?;
    let id: String = raw
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(64)
        .collect();
    Some(format!("app.comptoir.desktop.test_{id}"))
}

/// One Comptoir per machine (README: One instance per machine): a second launch hands over to
/// the running app, which shows and focuses its window, and exits before it opens any data, so
/// two processes never run the sync and the mail worker on one database. On Linux the running
/// app owns a D-Bus name (`app.comptoir.desktop.SingleInstance`); tests name their own.
fn single_instance() -> tauri::plugin::TauriPlugin<tauri::Wry> {
    let builder = tauri_plugin_single_instance::Builder::new().callback(|app, _args, _cwd| {
        tracing::info!("second launch: focused the running window");
        if let Some(window) = app.get_webview_window("main") {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
    });
    #[cfg(target_os = "linux")]
    let builder = match test_instance_id(comptoir_core::test_hooks::ENABLED) {
        Some(id) => builder.dbus_id(id),
        None => builder,
    };
    builder.build()
}

pub fn run() {
    tauri::Builder::default()
        // First: a second launch must exit before any other plugin or the setup runs.
        .plugin(single_instance())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_shell::init())
        .setup(|app| {
            let dir = data_dir(app);
            init_logging(&dir);
            // A failure here opens the window all the same, on what went wrong and the way
            // out (commands/startup.rs), rather than ending the app without a word.
            let failure = match open_workspace(&dir) {
                Ok(workspace) => {
                    tracing::info!(data_dir = %dir.display(), "Comptoir started");
                    let workspace = Arc::new(workspace);
                    spawn_mail_worker(workspace.clone());
                    spawn_background_sync(app.handle().clone(), workspace.clone());
                    // Fulfilment state written back to Stripe for the other stations
                    // (README: Stations).
                    tauri::async_runtime::spawn(workspace.clone().run_write_worker());
                    tauri::async_runtime::spawn(workspace.clone().run_pdf_worker());
                    app.manage(workspace);
                    None
                }
                Err(failure) => {
                    tracing::error!(
                        kind = ?failure.kind,
                        files = ?failure.files,
                        "Comptoir could not open its data: {}",
                        failure.message
                    );
                    Some(failure)
                }
            };
            app.manage(Startup {
                data_dir: dir,
                failure,
            });
            Ok(())
        })
        // Every command of src-tauri/commands/list.rs, and no other.
        .invoke_handler(commands::contract::handler())
        .run(tauri::generate_context!("tauri.conf.json"))
        .expect("error while running Comptoir");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test's instance name is a valid D-Bus name whatever it is given, and a release build
    /// ignores it (one instance per machine, whatever the environment).
    #[test]
    fn the_test_instance_id_is_a_dbus_name_and_release_builds_ignore_it() {
        // SAFETY: edition 2021; no other test of this crate reads or sets this variable.
        std::env::set_var("COMPTOIR_INSTANCE_ID", "e2e-run 1/ü.x");
        assert_eq!(
            test_instance_id(true).as_deref(),
            Some("app.comptoir.desktop.test_e2e_run_1___x")
        );
        assert_eq!(test_instance_id(false), None, "release: the app's own name");
        std::env::remove_var("COMPTOIR_INSTANCE_ID");
        assert_eq!(test_instance_id(true), None);
    }

    /// Logs rotate: with more files than kept (older days, and the single file of earlier
    /// versions), opening the logs removes the oldest (by creation: these were all created a
    /// moment ago, so which go is not checked) and leaves `LOG_FILES_KEPT`, today's among them;
    /// files that are not logs stay.
    #[test]
    fn log_files_rotate_and_keep_at_most_two_weeks() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        std::fs::create_dir_all(&logs).unwrap();
        std::fs::write(logs.join("comptoir.log"), "an earlier version's log\n").unwrap();
        for day in 1..=20 {
            std::fs::write(logs.join(format!("comptoir.2020-01-{day:02}.log")), "old\n").unwrap();
        }
        std::fs::write(logs.join("notes.txt"), "not a log\n").unwrap();

        let mut files = log_files(&logs).unwrap();
        std::io::Write::write_all(&mut files, b"started\n").unwrap();
        std::io::Write::flush(&mut files).unwrap();

        let mut names: Vec<String> = std::fs::read_dir(&logs)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let kept: Vec<&String> = names.iter().filter(|n| n.ends_with(".log")).collect();
        assert_eq!(kept.len(), LOG_FILES_KEPT, "{names:?}");
        assert!(names.contains(&"notes.txt".to_owned()), "{names:?}");
        let today = names
            .iter()
            .find(|n| {
                n.len() == "comptoir.YYYY-MM-DD.log".len()
                    && n.starts_with("comptoir.")
                    && !n.starts_with("comptoir.2020-")
            })
            .unwrap_or_else(|| panic!("today's file: {names:?}"));
        assert_eq!(
            std::fs::read_to_string(logs.join(today)).unwrap(),
            "started\n"
        );
    }
}
