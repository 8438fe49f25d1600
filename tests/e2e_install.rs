//! The install test (README: Architecture, Packaging): the `.deb` that `scripts/package.sh
//! --debug` built is installed with `dpkg -i`, the INSTALLED `/usr/bin/comptoir` is started
//! under Xvfb through tauri-driver, its window must open on the demo store with the demo's
//! orders, and the package is removed again with `dpkg -r` (also when the test fails).
//!
//! Needs root or password-less sudo (CI runs as root), and the bundle: `scripts/test.sh` runs
//! its `package` section before `nextest`. One alone:
//!
//! ```sh
//! bash scripts/test.sh ui build package nextest -- --test e2e_install
//! ```
//!
//! The installed app gets a throwaway HOME and XDG folders, its own data folder, keychain
//! service and single-instance name, so it touches nothing of the machine's user.
#![cfg(target_os = "linux")]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use comptoir_core::dataset::Dataset;
use support::{block_on, App, Launch, Ui, DEFAULT_WAIT};

/// The package's name (tauri.conf.json's productName, as Tauri's deb bundler writes it).
const PACKAGE: &str = "comptoir";
const INSTALLED_APP: &str = "/usr/bin/comptoir";
const DESKTOP_ENTRY: &str = "/usr/share/applications/Comptoir.desktop";

/// The `.deb` of this version that `scripts/package.sh --debug` left in
/// `target/debug/bundle/deb/` (or `COMPTOIR_DEB`).
fn the_debug_deb() -> PathBuf {
    match std::env::var_os("COMPTOIR_DEB") {
        Some(p) => PathBuf::from(p),
        None => {
            let dir = support::app_binary()
                .parent()
                .expect("target/debug")
                .join("bundle/deb");
            let suffix = format!("_{}_amd64.deb", env!("CARGO_PKG_VERSION"));
            std::fs::read_dir(&dir)
                .ok()
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .find(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.ends_with(&suffix))
                })
                .unwrap_or_else(|| {
                    panic!(
                        "no *{suffix} in {}: build it with `bash scripts/test.sh package` \
                         (or `bash scripts/package.sh --debug --bundles deb`)",
                        dir.display()
                    )
                })
        }
    }
}

/// `program args…` as root: directly when the test runs as root (CI), else through
/// password-less sudo.
fn as_root(program: &str, args: &[&str]) -> Output {
    // SAFETY: geteuid(2) has no preconditions and touches no memory.
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = if root {
        Command::new(program)
    } else {
        let mut c = Command::new("sudo");
        c.args(["-n", program]);
        c
    };
    cmd.args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"))
}

/// dpkg as root, again while another dpkg holds its lock (an apt run elsewhere on the machine).
fn dpkg(args: &[&str]) -> Result<String, String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let out = as_root("dpkg", args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.status.success() {
            return Ok(text);
        }
        if text.contains("lock") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_secs(1));
            continue;
        }
        return Err(format!("dpkg {}: {}\n{text}", args.join(" "), out.status));
    }
}

/// dpkg's status line for the package ("install ok installed"), empty when it is unknown.
fn package_status() -> String {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", PACKAGE])
        .output()
        .expect("run dpkg-query");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A field of the `.deb`'s control file.
fn control_field(deb: &Path, field: &str) -> String {
    let out = Command::new("dpkg-deb")
        .arg("-f")
        .arg(deb)
        .arg(field)
        .output()
        .expect("run dpkg-deb");
    assert!(out.status.success(), "dpkg-deb -f {}", deb.display());
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Holds an exclusive lock on `/tmp/comptoir-e2e-install.lock` while alive: `/usr/bin/comptoir`
/// is one per machine, and two checkouts running this test at once (developers sharing a
/// machine) would install over each other.
struct MachineLock {
    _file: std::fs::File,
}

impl MachineLock {
    fn take() -> MachineLock {
        use std::os::fd::AsRawFd;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open("/tmp/comptoir-e2e-install.lock")
            .expect("open /tmp/comptoir-e2e-install.lock");
        // SAFETY: flock(2) on a descriptor this File owns for as long as the lock is held.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        assert_eq!(rc, 0, "flock: {}", std::io::Error::last_os_error());
        MachineLock { _file: file }
    }
}

/// The installed package; removed on drop if the test did not remove it itself.
struct Installed {
    removed: bool,
}

impl Installed {
    fn install(deb: &Path) -> Installed {
        let deb = deb.to_str().expect("a UTF-8 path");
        // From here on, whatever happens, the package is removed again.
        let installed = Installed { removed: false };
        if let Err(e) = dpkg(&["-i", deb]) {
            panic!("{e}\n(the test installs as root: run it as root or with password-less sudo)");
        }
        installed
    }

    fn remove(&mut self) -> Result<String, String> {
        self.removed = true;
        dpkg(&["-r", PACKAGE])
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        if !self.removed {
            if let Err(e) = self.remove() {
                eprintln!("e2e_install: could not remove {PACKAGE}: {e}");
            }
        }
    }
}

/// How many orders the demo store has: the built-in dataset, counted the way the sync maps it.
fn demo_order_count() -> usize {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64;
    support::expected_order_count(&Dataset::demo(now))
}

#[test]
fn the_deb_installs_opens_the_demo_store_and_uninstalls() {
    let deb = the_debug_deb();
    println!(
        "installing {} ({} bytes)",
        deb.display(),
        std::fs::metadata(&deb).map(|m| m.len()).unwrap_or(0)
    );
    the_package_says_what_it_needs(&deb);

    // Dropped last (declared first): the package is removed before another run may install.
    let _machine = MachineLock::take();
    let mut installed = Installed::install(&deb);
    assert_eq!(package_status(), "install ok installed", "after dpkg -i");
    the_desktop_finds_the_app();
    the_installed_app_is_the_one_just_built();

    // The user's folders, for this run only: WebKit's caches and the app's own files land here.
    let home = tempfile::Builder::new()
        .prefix("comptoir-install-home-")
        .tempdir()
        .expect("temp HOME");
    let xdg = |sub: &str| home.path().join(sub).display().to_string();
    let expected = demo_order_count();
    block_on(async {
        let mut app = App::launch(
            Launch::new("install_deb")
                .application(Path::new(INSTALLED_APP))
                .env("HOME", &home.path().display().to_string())
                .env("XDG_DATA_HOME", &xdg(".local/share"))
                .env("XDG_CONFIG_HOME", &xdg(".config"))
                .env("XDG_CACHE_HOME", &xdg(".cache")),
        )
        .await;
        let running = app.executables();
        assert!(
            running.iter().any(|p| p == Path::new(INSTALLED_APP)),
            "the window should belong to {INSTALLED_APP}; running: {running:?}"
        );
        let data_dir = app.data_dir().to_path_buf();
        app.run(move |ui| async move {
            the_window_shows_the_demo_store(&ui, expected).await;
            let shot = ui.screenshot("install_deb").await.expect("screenshot");
            println!("screenshot: {}", shot.display());
            assert!(
                data_dir.join("demo.sqlite").is_file(),
                "the installed app keeps its demo store in the data folder it was given"
            );
        })
        .await;
    });

    installed.remove().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !Path::new(INSTALLED_APP).exists(),
        "{INSTALLED_APP} is still there after dpkg -r"
    );
    let status = package_status();
    assert!(!status.ends_with(" installed"), "after dpkg -r: {status}");
}

/// The control file names the package and the WebKitGTK it runs on.
fn the_package_says_what_it_needs(deb: &Path) {
    assert_eq!(control_field(deb, "Package"), PACKAGE);
    assert_eq!(control_field(deb, "Version"), env!("CARGO_PKG_VERSION"));
    let depends = control_field(deb, "Depends");
    assert!(
        depends.contains("libwebkit2gtk-4.1-0") && depends.contains("libgtk-3-0"),
        "Depends: {depends}"
    );
}

/// The binary is on PATH's /usr/bin and the menu entry launches it.
fn the_desktop_finds_the_app() {
    let meta = std::fs::metadata(INSTALLED_APP)
        .unwrap_or_else(|e| panic!("{INSTALLED_APP} after dpkg -i: {e}"));
    assert!(
        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o111 != 0,
        "{INSTALLED_APP} is not executable"
    );
    let entry = std::fs::read_to_string(DESKTOP_ENTRY)
        .unwrap_or_else(|e| panic!("{DESKTOP_ENTRY} after dpkg -i: {e}"));
    for line in [
        "Name=Comptoir",
        "Exec=comptoir",
        "Icon=comptoir",
        "Type=Application",
    ] {
        assert!(
            entry.lines().any(|l| l.trim() == line),
            "{DESKTOP_ENTRY} lacks {line}:\n{entry}"
        );
    }
}

/// `scripts/package.sh --debug` packs `target/debug/comptoir` unpatched: the installed binary is
/// that file byte for byte, or the `.deb` is an older build and would test an older app.
fn the_installed_app_is_the_one_just_built() {
    let installed = std::fs::read(INSTALLED_APP).expect("read the installed app");
    let built = std::fs::read(support::app_binary()).expect("read target/debug/comptoir");
    assert!(
        installed == built,
        "{INSTALLED_APP} differs from {}: the .deb is from another build; rebuild it with \
         `bash scripts/test.sh package`",
        support::app_binary().display()
    );
}

/// The demo badge, the demo's order count, and its orders in the table.
async fn the_window_shows_the_demo_store(ui: &Ui, expected: usize) {
    ui.wait_until("the mode badge to say demo", DEFAULT_WAIT, || async {
        let badge = ui.text_of("mode-badge").await;
        badge.trim().eq_ignore_ascii_case("demo").then_some(())
    })
    .await;
    ui.wait_for_testid("orders-table", DEFAULT_WAIT).await;
    let shown = ui
        .wait_until("the orders screen's order count", DEFAULT_WAIT, || async {
            ui.attr_of("order-count", "data-count")
                .await
                .and_then(|c| c.trim().parse::<usize>().ok())
                .filter(|&n| n > 0)
        })
        .await;
    assert_eq!(
        shown, expected,
        "the orders screen counts the demo's orders"
    );
    let rows = ui
        .wait_until("order rows", DEFAULT_WAIT, || async {
            let n = ui.count("[data-testid=\"order-row\"]").await;
            (n > 0).then_some(n)
        })
        .await;
    assert!(rows > 0, "the orders table lists the demo's orders");
    // What a merchant sees: the first row is on screen, starting with its order number.
    let first = ui
        .wait_for_displayed("[data-testid=\"order-row\"]", DEFAULT_WAIT)
        .await;
    let text = support::retry("first row text", || first.text())
        .await
        .expect("first row text");
    let number = support::js_string(
        ui,
        "return document.querySelector('[data-testid=order-row] td.number').textContent.trim()",
    )
    .await;
    assert!(
        !number.is_empty() && text.trim_start().starts_with(&number),
        "the first order row shows its number {number:?}: {text:?}"
    );
}
