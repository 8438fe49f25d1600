//! `comptoir_core::secrets::Keychain` against a real Secret Service (gnome-keyring), asserting
//! on what the merchant would see: the error code the UI translates and the English message.
//!
//! Run inside a D-Bus session with an unlocked gnome-keyring (packages: dbus, dbus-x11,
//! gnome-keyring):
//!
//! ```sh
//! export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
//! export HOME=$(mktemp -d)
//! dbus-run-session -- sh -c 'printf %s pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && cargo test -p comptoir-core --test keychain'
//! ```
//!
//! The round-trip tests use that session keyring, each under its own keychain service name.
//! The failure tests build their own worlds so they cannot disturb the others: a private
//! `dbus-daemon` (with or without its own gnome-keyring) and a child process of this test
//! binary pointed at it, because the bus address comes from the process environment.

#![cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use comptoir_core::secrets::{Keychain, Secret, SecretKind, SecretStore};

const HOW_TO_RUN: &str = r#"These tests need a real, unlocked Secret Service (scripts/test.sh starts one). Run them as:

  export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
  export HOME=$(mktemp -d)
  dbus-run-session -- sh -c 'printf %s pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && cargo test -p comptoir-core --test keychain'

(apt packages: dbus dbus-x11 gnome-keyring)"#;

const NO_SESSION_BUS: &str = "Comptoir cannot reach your desktop session's keyring (no D-Bus \
                              session bus). Log in to a desktop session or start a keyring.";
const NO_SECRET_SERVICE: &str = "No keyring service is running (Secret Service). \
                                 Install and start GNOME Keyring or KWallet.";
const LOCKED: &str = "Your keyring is locked. Unlock it and try again.";
const NO_DEFAULT: &str = "Your keyring has no default collection to store Comptoir's secrets \
                          in. Create one in your keyring manager (for example Passwords and \
                          Keys) and try again.";

const STRIPE_KEY: &str = "sk_test_51Keychain_Integration_0123456789";

/// A keychain service name no other test (or merchant) uses.
fn unique_service(test: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .subsec_nanos();
    format!(
        "app.comptoir.test.{test}.{}.{nanos}.{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A keychain in the session keyring, or a loud failure explaining how to provide one.
fn session_keychain(test: &str) -> Keychain {
    let keychain = Keychain::new(&unique_service(test));
    if let Err(err) = keychain.check_access() {
        panic!(
            "{HOW_TO_RUN}\n\nThe session keyring is not usable: [{}] {err} ({})",
            err.code(),
            err.detail().unwrap_or("no detail")
        );
    }
    keychain
}

/// Removes a test's entries even when an assertion fails.
struct Wipe<'a>(&'a Keychain);

impl Drop for Wipe<'_> {
    fn drop(&mut self) {
        for kind in SecretKind::ALL {
            let _ = self.0.delete(kind);
        }
    }
}

#[test]
fn stores_reads_replaces_and_deletes_a_stripe_key() {
    let keychain = session_keychain("round_trip");
    let _wipe = Wipe(&keychain);
    let kind = SecretKind::StripeKey;

    assert!(keychain.get(kind).unwrap().is_none());

    keychain.set(kind, &Secret::new(STRIPE_KEY)).unwrap();
    assert_eq!(keychain.get(kind).unwrap().unwrap().expose(), STRIPE_KEY);

    // A second keychain object (a fresh connection, as after an app restart) sees it too.
    let reopened = Keychain::new(keychain.service());
    assert_eq!(reopened.get(kind).unwrap().unwrap().expose(), STRIPE_KEY);

    keychain
        .set(kind, &Secret::new("rk_test_replacement"))
        .unwrap();
    assert_eq!(
        reopened.get(kind).unwrap().unwrap().expose(),
        "rk_test_replacement"
    );

    keychain.delete(kind).unwrap();
    assert!(keychain.get(kind).unwrap().is_none());
    assert!(reopened.get(kind).unwrap().is_none());
    // Deleting what is not there is fine.
    keychain.delete(kind).unwrap();
}

#[test]
fn kinds_and_services_are_separate_entries() {
    let first = session_keychain("separate_a");
    let second = session_keychain("separate_b");
    let _wipe_first = Wipe(&first);
    let _wipe_second = Wipe(&second);

    first
        .set(SecretKind::SmtpPassword, &Secret::new("smtp-password-1"))
        .unwrap();

    assert!(first.get(SecretKind::StripeKey).unwrap().is_none());
    assert!(second.get(SecretKind::SmtpPassword).unwrap().is_none());
    assert_eq!(
        first
            .get(SecretKind::SmtpPassword)
            .unwrap()
            .unwrap()
            .expose(),
        "smtp-password-1"
    );
}

#[test]
fn a_locked_keyring_is_reported_as_locked_not_as_missing() {
    let bus = PrivateBus::start("locked");
    let _keyring = bus.start_gnome_keyring(true);
    let service = unique_service("locked");

    let before = run_child(
        &service,
        &["check", "set-stripe", "get-stripe", "get-smtp"],
        |cmd| bus.point_at(cmd),
    );
    assert_eq!(
        codes(&before),
        ["ok", "ok", "ok", "ok"],
        "unlocked: {before:#?}"
    );
    assert_eq!(before[2].message, "some");
    assert_eq!(before[3].message, "none");

    bus.lock_default_collection();

    // The stored Stripe key is behind the lock; the SMTP password was never stored. Neither
    // may read as "no key stored", and writing or deleting must not pretend to succeed.
    let after = run_child(
        &service,
        &[
            "check",
            "get-smtp",
            "get-stripe",
            "delete-smtp",
            "set-stripe",
        ],
        |cmd| bus.point_at(cmd),
    );
    for outcome in &after {
        assert_eq!(outcome.code, "keychain_locked", "{after:#?}");
        assert_eq!(outcome.message, LOCKED, "{after:#?}");
    }
}

#[test]
fn no_session_bus_is_reported_plainly() {
    let empty_runtime_dir = TempDir::new("no-bus");
    let outcomes = run_child(
        &unique_service("no_bus"),
        &["check", "get-stripe", "set-stripe", "delete-smtp"],
        |cmd| {
            // No address, and no `$XDG_RUNTIME_DIR/bus` for zbus to fall back to.
            cmd.env_remove("DBUS_SESSION_BUS_ADDRESS")
                .env("XDG_RUNTIME_DIR", empty_runtime_dir.path());
        },
    );
    assert_all(&outcomes, "keychain_no_session_bus", NO_SESSION_BUS);
}

#[test]
fn a_dead_session_bus_is_reported_as_no_session_bus() {
    // The socket file is still there but nobody listens on it, as after a crashed daemon.
    let dir = TempDir::new("dead-bus");
    let socket = dir.path().join("bus");
    drop(std::os::unix::net::UnixListener::bind(&socket).expect("bind a socket"));
    assert!(socket.exists());
    let address = format!("unix:path={}", socket.display());
    let outcomes = run_child(
        &unique_service("dead_bus"),
        &["check", "get-stripe", "set-stripe"],
        |cmd| {
            cmd.env("DBUS_SESSION_BUS_ADDRESS", &address);
        },
    );
    assert_all(&outcomes, "keychain_no_session_bus", NO_SESSION_BUS);
}

#[test]
fn a_session_without_a_secret_service_is_reported_plainly() {
    // A bus on which nothing provides (or can be activated to provide) org.freedesktop.secrets.
    let bus = PrivateBus::start("no-provider");
    let outcomes = run_child(
        &unique_service("no_provider"),
        &["check", "get-stripe", "set-stripe", "delete-smtp"],
        |cmd| bus.point_at(cmd),
    );
    assert_all(&outcomes, "keychain_unavailable", NO_SECRET_SERVICE);
}

#[test]
fn a_keyring_without_a_default_collection_is_reported_plainly() {
    // gnome-keyring started without --unlock on a fresh account has no login keyring, so the
    // `default` alias points nowhere and there is nowhere to store a secret.
    let bus = PrivateBus::start("no-default");
    let _keyring = bus.start_gnome_keyring(false);
    let outcomes = run_child(
        &unique_service("no_default"),
        &["check", "get-stripe", "set-stripe"],
        |cmd| bus.point_at(cmd),
    );
    assert_all(&outcomes, "keychain_no_default", NO_DEFAULT);
}

// ---------------------------------------------------------------------------------------------
// Child process: runs keychain operations with the environment its parent test gave it.

const CHILD_OPS: &str = "COMPTOIR_KEYCHAIN_TEST_CHILD_OPS";
const CHILD_SERVICE: &str = "COMPTOIR_KEYCHAIN_TEST_CHILD_SERVICE";
const CHILD_TEST: &str = "child_process_entry_point";

/// Not a test on its own: the failure tests re-run this binary with only this test selected
/// and `COMPTOIR_KEYCHAIN_TEST_CHILD_OPS` set. It prints one `OUTCOME` line per operation.
#[test]
fn child_process_entry_point() {
    let Ok(ops) = std::env::var(CHILD_OPS) else {
        return;
    };
    let service = std::env::var(CHILD_SERVICE).expect("child needs a service name");
    let keychain = Keychain::new(&service);
    let found = |secret: Option<Secret>| if secret.is_some() { "some" } else { "none" };
    for op in ops.split(',') {
        let result = match op {
            "check" => keychain.check_access().map(|()| "ok"),
            "get-stripe" => keychain.get(SecretKind::StripeKey).map(found),
            "get-smtp" => keychain.get(SecretKind::SmtpPassword).map(found),
            "set-stripe" => keychain
                .set(SecretKind::StripeKey, &Secret::new(STRIPE_KEY))
                .map(|()| "ok"),
            "delete-smtp" => keychain.delete(SecretKind::SmtpPassword).map(|()| "ok"),
            other => panic!("unknown child operation {other}"),
        };
        match result {
            Ok(value) => println!("OUTCOME\t{op}\tok\t{value}"),
            Err(err) => println!(
                "OUTCOME\t{op}\t{}\t{err}\t{}",
                err.code(),
                err.detail().unwrap_or_default()
            ),
        }
    }
}

#[derive(Debug)]
struct Outcome {
    op: String,
    /// `ok`, or the error code.
    code: String,
    /// The value on success, the merchant-facing message on failure.
    message: String,
    /// The platform's wording, for failure reports.
    #[allow(dead_code)] // read through Debug
    detail: String,
}

fn codes(outcomes: &[Outcome]) -> Vec<&str> {
    outcomes.iter().map(|o| o.code.as_str()).collect()
}

fn assert_all(outcomes: &[Outcome], code: &str, message: &str) {
    assert!(!outcomes.is_empty());
    for outcome in outcomes {
        assert_eq!(outcome.code, code, "{} in {outcomes:#?}", outcome.op);
        assert_eq!(outcome.message, message, "{} in {outcomes:#?}", outcome.op);
        assert!(!outcome.message.contains(STRIPE_KEY));
    }
}

/// Runs `ops` in a child process configured by `configure`. Panics if it hangs, which is
/// what an unlock prompt nobody can answer would look like.
fn run_child(service: &str, ops: &[&str], configure: impl FnOnce(&mut Command)) -> Vec<Outcome> {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary path"));
    cmd.args(["--exact", CHILD_TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD_OPS, ops.join(","))
        .env(CHILD_SERVICE, service)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    configure(&mut cmd);
    let child = cmd.spawn().expect("re-run the test binary");
    let output = wait_with_timeout(child, Duration::from_secs(60), "keychain child process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed: {}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let outcomes: Vec<Outcome> = stdout
        .lines()
        // libtest prints "test <name> ... " without a newline before the first one.
        .filter_map(|line| line.split_once("OUTCOME\t").map(|(_, rest)| rest))
        .map(|line| {
            let mut fields = line.splitn(4, '\t');
            let mut next = || fields.next().unwrap_or_default().to_owned();
            Outcome {
                op: next(),
                code: next(),
                message: next(),
                detail: next(),
            }
        })
        .collect();
    assert_eq!(outcomes.len(), ops.len(), "child output:\n{stdout}");
    outcomes
}

fn wait_with_timeout(mut child: Child, limit: Duration, what: &str) -> std::process::Output {
    let start = Instant::now();
    loop {
        if child.try_wait().expect("poll child").is_some() {
            return child.wait_with_output().expect("collect child output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().expect("collect child output");
            panic!(
                "{what} hung for {limit:?}\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        sleep(Duration::from_millis(50));
    }
}

// ---------------------------------------------------------------------------------------------
// Private D-Bus session buses.

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let path = std::env::temp_dir().join(unique_service(tag));
        std::fs::create_dir_all(&path).expect("create temp dir");
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process killed when the test ends, pass or fail.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A `dbus-daemon` of our own with no activatable services, so nothing appears on it unless
/// the test starts it.
struct PrivateBus {
    address: String,
    // Field order: the daemon dies before its directory is removed.
    _daemon: Daemon,
    dir: TempDir,
}

impl PrivateBus {
    fn start(tag: &str) -> Self {
        let dir = TempDir::new(tag);
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.path().join("bus").display()
            ),
        )
        .expect("write bus config");
        let mut child = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start dbus-daemon ({err}).\n{HOW_TO_RUN}"));
        let mut address = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut address)
            .expect("read bus address");
        let daemon = Daemon(child);
        let address = address.trim().to_owned();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        Self {
            address,
            _daemon: daemon,
            dir,
        }
    }

    fn point_at(&self, cmd: &mut Command) {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address);
    }

    fn connect(&self) -> zbus::blocking::Connection {
        zbus::blocking::connection::Builder::address(self.address.as_str())
            .and_then(|builder| builder.build())
            .expect("connect to the private bus")
    }

    /// Starts a gnome-keyring (secrets only) on this bus, in its own home. With `unlock`, a
    /// login keyring is created unlocked with password "pw", as scripts/test.sh does.
    fn start_gnome_keyring(&self, unlock: bool) -> Daemon {
        let home = self.dir.path().join("home");
        let runtime = self.dir.path().join("run");
        for dir in [&home, &runtime] {
            std::fs::create_dir_all(dir).expect("create keyring dirs");
        }
        let mut cmd = Command::new("gnome-keyring-daemon");
        cmd.args(["--foreground", "--components=secrets"]);
        if unlock {
            cmd.arg("--unlock");
        }
        let mut child = cmd
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("HOME", &home)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            // Never attach to the session's own daemon, and never put an unlock dialog on a
            // display (xvfb in CI) where nobody would answer it.
            .env_remove("GNOME_KEYRING_CONTROL")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!("cannot start gnome-keyring-daemon ({err}).\n{HOW_TO_RUN}")
            });
        let mut stdin = child.stdin.take().expect("piped stdin");
        if unlock {
            stdin.write_all(b"pw").expect("send keyring password");
        }
        drop(stdin);
        let daemon = Daemon(child);

        let bus = self.connect();
        let dbus = zbus::blocking::fdo::DBusProxy::new(&bus).expect("bus proxy");
        let name = zbus::names::BusName::try_from("org.freedesktop.secrets").expect("bus name");
        let start = Instant::now();
        while !dbus.name_has_owner(name.clone()).expect("NameHasOwner") {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "gnome-keyring-daemon did not appear on the private bus"
            );
            sleep(Duration::from_millis(50));
        }
        daemon
    }

    /// Locks the default collection the way a screen lock or the merchant would.
    fn lock_default_collection(&self) {
        use secret_service::blocking::SecretService;
        use secret_service::EncryptionType;

        let service = SecretService::connect_with_existing(EncryptionType::Plain, self.connect())
            .expect("open a Secret Service session");
        let collection = service
            .get_default_collection()
            .expect("default collection");
        collection.lock().expect("lock the default collection");
        assert!(collection.is_locked().expect("Locked property"));
    }
}
