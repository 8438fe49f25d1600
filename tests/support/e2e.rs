//! End-to-end harness: runs the real Comptoir binary under tauri-driver + WebKitWebDriver and
//! drives its webview with fantoccini (the Stripe simulator runs in-process beside it: see
//! `TestShop` in this module's parent).
//!
//! Each test gets its own tauri-driver (on free loopback ports), its own data directory and its
//! own keychain service name, so tests never share state and never touch a real keychain entry.
//! Everything started here is stopped by `Drop` guards, also when the test panics.
//!
//! Needs: `tauri-driver` (cargo install tauri-driver), `WebKitWebDriver` (Debian
//! `webkit2gtk-driver`), a display (Xvfb), `ui/dist` built before the app, and the app compiled
//! with `--features custom-protocol` (otherwise it loads the Vite dev server URL).
//! `scripts/test.sh` arranges all of that.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::elements::Element;
use fantoccini::error::{CmdError, ErrorStatus, NewSessionError};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// How long `wait_for` and the helpers built on it wait by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);
/// How long one test may run before the harness gives up, takes a screenshot and cleans up
/// (below nextest's terminate-after, which would kill without cleaning up).
pub const TEST_BUDGET: Duration = Duration::from_secs(240);
const POLL: Duration = Duration::from_millis(100);

/// Runs an async test body on a fresh multi-threaded tokio runtime.
pub fn block_on<F: Future<Output = ()>>(fut: F) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(fut)
}

// ---------------------------------------------------------------------------------------------
// Paths

/// `target/debug/comptoir`, built by cargo for this package's integration tests.
pub fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_comptoir"))
}

/// The cargo profile directory holding the app (e.g. `target/debug`).
fn profile_dir() -> PathBuf {
    app_binary()
        .parent()
        .expect("binary has a parent dir")
        .to_path_buf()
}

/// `target/e2e-screenshots`, where every screenshot is saved.
pub fn screenshot_dir() -> PathBuf {
    let dir = profile_dir()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(profile_dir)
        .join("e2e-screenshots");
    std::fs::create_dir_all(&dir).expect("create target/e2e-screenshots");
    dir
}

fn tauri_driver_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return p.into();
    }
    let on_path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("tauri-driver"))
                .collect()
        })
        .unwrap_or_default();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    on_path
        .into_iter()
        .chain(cargo_home.map(|c| c.join("bin/tauri-driver")))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("tauri-driver not found: `cargo install tauri-driver --version ^2 --locked` (or `bash scripts/setup.sh test`)")
        })
}

// ---------------------------------------------------------------------------------------------
// Processes

/// A port that was free on 127.0.0.1 a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// A name unique to this test run, for keychain services and files.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A process, identified by pid and start time so a reused pid is never mistaken for it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Proc {
    pid: u32,
    start: u64,
}

/// (ppid, start time, zombie) from /proc/PID/stat.
fn stat_of(pid: u32) -> Option<(u32, u64, bool)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid … starttime(22nd) …": comm may hold spaces and parentheses.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    let zombie = fields.first()? == &"Z";
    Some((
        fields.get(1)?.parse().ok()?,
        fields.get(19)?.parse().ok()?,
        zombie,
    ))
}

fn proc_of(pid: u32) -> Option<Proc> {
    stat_of(pid).map(|(_, start, _)| Proc { pid, start })
}

/// Every process below `root` (children, grandchildren …), read from /proc.
fn descendants(root: u32) -> Vec<Proc> {
    let mut children: HashMap<u32, Vec<Proc>> = HashMap::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if let Some((ppid, start, _)) = stat_of(pid) {
            children.entry(ppid).or_default().push(Proc { pid, start });
        }
    }
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(p) = todo.pop() {
        for &c in children.get(&p).map(Vec::as_slice).unwrap_or(&[]) {
            out.push(c);
            todo.push(c.pid);
        }
    }
    out
}

fn alive(p: Proc) -> bool {
    // A zombie still has a /proc entry; it is dead for our purpose.
    matches!(stat_of(p.pid), Some((_, start, false)) if start == p.start)
}

fn signal(p: Proc, sig: libc::c_int) {
    if alive(p) {
        // SAFETY: kill(2) on a process we started or found below one we started, checked alive
        // with the same start time just above; no memory is involved.
        unsafe {
            libc::kill(p.pid as libc::pid_t, sig);
        }
    }
}

/// A minimal blocking HTTP/1.0 request on loopback: for readiness probes and for cleanup in
/// `Drop`, where no async runtime is available. Returns (status, body).
fn http_blocking(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    timeout: Duration,
) -> std::io::Result<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), timeout)?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(timeout))?;
    let mut req = format!("{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    // No half-close after the request: hyper servers drop the response when the client
    // shuts its write side. HTTP/1.0 + `Connection: close` make the server end the stream.
    req.push_str("Connection: close\r\nContent-Length: 0\r\n\r\n");
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no HTTP header end"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line: {head}")))?;
    Ok((status, raw[split + 4..].to_vec()))
}

/// tauri-driver, and through it WebKitWebDriver, the app and WebKit's helper processes.
struct Driver {
    child: Child,
    port: u16,
    /// Every process seen below the driver: the app's WebKit helpers can outlive it, reparented
    /// away from the driver, and would otherwise keep the test's output pipes open.
    seen: HashSet<Proc>,
}

impl Driver {
    /// Starts tauri-driver on free ports with the app's environment, and waits until it
    /// answers. A port taken between choosing and binding it makes the driver exit: then try
    /// other ports.
    fn start(app_env: &[(String, String)]) -> Driver {
        let bin = tauri_driver_binary();
        let mut last_err = String::new();
        for _ in 0..3 {
            let port = free_port();
            let mut native_port = free_port();
            while native_port == port {
                native_port = free_port();
            }
            let mut cmd = Command::new(&bin);
            cmd.args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .args(["--native-host", "127.0.0.1"])
            .stdin(Stdio::null())
            // The app inherits this environment through WebKitWebDriver.
            .env_remove("COMPTOIR_STRIPE_API_BASE")
            .envs(app_env.iter().map(|(k, v)| (k, v)));
            let child = cmd
                .spawn()
                .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
            let mut driver = Driver {
                child,
                port,
                seen: HashSet::new(),
            };
            match driver.wait_ready(Duration::from_secs(20)) {
                Ok(()) => return driver,
                Err(e) => last_err = e, // dropping `driver` stops it
            }
        }
        panic!("tauri-driver did not come up: {last_err}");
    }

    fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("tauri-driver exited early: {status}"));
            }
            // /status is forwarded to WebKitWebDriver: a 200 means both are listening.
            match http_blocking(self.port, "GET", "/status", &[], Duration::from_secs(2)) {
                Ok((200, _)) => return Ok(()),
                Ok((code, body)) if Instant::now() >= deadline => {
                    return Err(format!(
                        "/status answered {code}: {}",
                        String::from_utf8_lossy(&body)
                    ))
                }
                Err(e) if Instant::now() >= deadline => return Err(format!("/status: {e}")),
                _ => std::thread::sleep(POLL),
            }
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Records the processes below the driver now (the app and its WebKit processes).
    fn remember_tree(&mut self) {
        self.seen.extend(descendants(self.child.id()));
    }

    /// Stops the driver and every process seen below it: SIGTERM (tauri-driver then stops
    /// WebKitWebDriver), a grace period, then SIGKILL.
    fn stop(&mut self, grace: Duration) {
        self.remember_tree();
        let mut all: Vec<Proc> = self.seen.iter().copied().collect();
        all.extend(proc_of(self.child.id()));
        for &p in &all {
            signal(p, libc::SIGTERM);
        }
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            let _ = self.child.try_wait(); // reap the driver so it stops counting as alive
            if all.iter().all(|&p| !alive(p)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        for &p in &all {
            signal(p, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(5));
    }
}

// ---------------------------------------------------------------------------------------------
// WebDriver calls, retried when tauri-driver loses a pooled connection

/// Whether an error is the connection to (or behind) tauri-driver dropping: tauri-driver
/// reuses a pooled connection that WebKitWebDriver has already closed, the request is never
/// delivered, and sending it again is safe.
fn is_connection_drop(e: &CmdError) -> bool {
    match e {
        CmdError::Failed(_) | CmdError::FailedC(_) | CmdError::Lost(_) => {
            let text = format!("{e} {e:?}").to_ascii_lowercase();
            [
                "connection reset",
                "connectionreset",
                "connection closed",
                "incompletemessage",
                "broken pipe",
                "brokenpipe",
                "connection aborted",
                "unexpected eof",
                "unexpectedeof",
                "channel closed",
            ]
            .iter()
            .any(|needle| text.contains(needle))
        }
        CmdError::NotJson(body) => {
            // tauri-driver can answer with its own plain-text error for a failed proxy call.
            let t = body.to_ascii_lowercase();
            t.contains("connection reset") || t.contains("connection closed")
        }
        _ => false,
    }
}

fn new_session_dropped(e: &NewSessionError) -> bool {
    match e {
        NewSessionError::UnexpectedError(e) => is_connection_drop(e),
        NewSessionError::Failed(_) | NewSessionError::FailedC(_) | NewSessionError::Lost(_) => {
            let text = format!("{e} {e:?}").to_ascii_lowercase();
            [
                "reset",
                "closed",
                "incompletemessage",
                "broken pipe",
                "brokenpipe",
            ]
            .iter()
            .any(|n| text.contains(n))
        }
        _ => false,
    }
}

fn is_stale(e: &CmdError) -> bool {
    matches!(e, CmdError::Standard(w) if w.error == ErrorStatus::StaleElementReference)
}

/// Runs a WebDriver call, again (a few times) if the connection dropped under it.
pub async fn retry<T, F, Fut>(what: &str, mut call: F) -> Result<T, CmdError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CmdError>>,
{
    let mut attempt = 0;
    loop {
        match call().await {
            Err(e) if is_connection_drop(&e) && attempt < 5 => {
                attempt += 1;
                eprintln!("e2e: {what}: connection dropped ({e}); retry {attempt}");
                tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
            }
            other => return other,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The app under test

/// How to start the app for one test.
#[derive(Default)]
pub struct Launch {
    name: String,
    env: Vec<(String, String)>,
    /// The app to start instead of cargo's `target/debug/comptoir` (the installed one).
    application: Option<PathBuf>,
}

impl Launch {
    /// `name` names the screenshots and the keychain service.
    pub fn new(name: &str) -> Self {
        Launch {
            name: name.to_string(),
            env: Vec::new(),
            application: None,
        }
    }

    /// Starts this binary instead of `target/debug/comptoir` (`tests/e2e_install.rs` starts the
    /// one the `.deb` installed).
    pub fn application(mut self, path: &Path) -> Self {
        self.application = Some(path.to_path_buf());
        self
    }

    /// Where the app sends Stripe API calls (the simulator's base URL).
    pub fn stripe_api_base(self, base: &str) -> Self {
        self.env("COMPTOIR_STRIPE_API_BASE", base)
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }
}

/// The running app: its driver, its WebDriver session and its data directory.
pub struct App {
    ui: Ui,
    session_id: Option<String>,
    // Field order is drop order: the driver (and app) stop before the data dir is removed.
    driver: Driver,
    data_dir: tempfile::TempDir,
    pub keychain_service: String,
    /// The environment the app was started with (data folder, keychain service, instance name
    /// and the test's own variables): a second launch of the same app uses it.
    pub env: Vec<(String, String)>,
}

impl App {
    /// Starts tauri-driver and opens a WebDriver session, which launches the app with an empty
    /// data directory and a keychain service of its own.
    pub async fn launch(launch: Launch) -> App {
        if !cfg!(feature = "custom-protocol") {
            panic!("E2E tests need the app built with the embedded UI: run them with `--features custom-protocol`");
        }
        if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
            panic!("E2E tests need a display: run them under `xvfb-run -a` (scripts/test.sh does)");
        }
        let data_dir = tempfile::Builder::new()
            .prefix("comptoir-e2e-data-")
            .tempdir()
            .expect("temp data dir");
        let keychain_service = unique(&format!("comptoir-e2e-{}", launch.name));
        let mut env = vec![
            (
                "COMPTOIR_DATA_DIR".to_string(),
                data_dir.path().display().to_string(),
            ),
            (
                "COMPTOIR_KEYCHAIN_SERVICE".to_string(),
                keychain_service.clone(),
            ),
            // Tests run apps side by side on one D-Bus session: each is its own single instance
            // (README: One instance per machine), or they would focus each other and exit.
            ("COMPTOIR_INSTANCE_ID".to_string(), keychain_service.clone()),
        ];
        env.extend(launch.env);
        let application = launch.application.unwrap_or_else(app_binary);

        let t0 = Instant::now();
        let mut driver = tokio::task::block_in_place(|| Driver::start(&env));
        eprintln!(
            "e2e: tauri-driver ready on 127.0.0.1:{} in {:?}",
            driver.port,
            t0.elapsed()
        );

        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": application }),
        );
        let url = driver.url();
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps);
        let mut attempt = 0;
        let client = loop {
            let connecting = builder.connect(&url);
            match tokio::time::timeout(Duration::from_secs(60), connecting).await {
                Ok(Ok(c)) => break c,
                Ok(Err(e)) if attempt < 3 && new_session_dropped(&e) => {
                    eprintln!("e2e: new session: connection dropped ({e}); retrying")
                }
                Ok(Err(e)) => panic!("WebDriver session for {}: {e}", application.display()),
                Err(_) => panic!("WebDriver session: the app did not start within 60 s"),
            }
            attempt += 1;
            tokio::time::sleep(Duration::from_millis(300)).await;
        };
        eprintln!("e2e: session open (app launched) after {:?}", t0.elapsed());
        driver.remember_tree();
        let session_id = retry("session id", || client.session_id())
            .await
            .ok()
            .flatten();
        App {
            ui: Ui {
                client,
                name: launch.name,
            },
            session_id,
            driver,
            data_dir,
            keychain_service,
            env,
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// The executables of the processes below the driver now (the app and WebKit's helpers),
    /// read from `/proc/<pid>/exe`.
    pub fn executables(&mut self) -> Vec<PathBuf> {
        self.driver.remember_tree();
        self.driver
            .seen
            .iter()
            .filter(|&&p| alive(p))
            .filter_map(|p| std::fs::read_link(format!("/proc/{}/exe", p.pid)).ok())
            .collect()
    }

    /// Runs the test body against the UI. On a panic or after `TEST_BUDGET`, saves
    /// `<name>-failure.png`; in every case closes the session and stops the app and driver.
    pub async fn run<F, Fut>(mut self, body: F)
    where
        F: FnOnce(Ui) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let task = tokio::spawn(body(self.ui.clone()));
        let abort = task.abort_handle();
        let outcome = tokio::time::timeout(TEST_BUDGET, task).await;
        let failure: Option<Box<dyn std::any::Any + Send>> = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(join)) if join.is_panic() => Some(join.into_panic()),
            Ok(Err(join)) => Some(Box::new(format!("test task failed: {join}"))),
            Err(_) => {
                abort.abort();
                Some(Box::new(format!(
                    "test did not finish within {TEST_BUDGET:?}"
                )))
            }
        };
        if failure.is_some() {
            let name = format!("{}-failure", self.ui.name);
            match self.ui.screenshot(&name).await {
                Ok(p) => eprintln!("e2e: failure screenshot: {}", p.display()),
                Err(e) => eprintln!("e2e: no failure screenshot: {e}"),
            }
        }
        // A clean session end closes the app; Drop then stops the driver.
        self.driver.remember_tree();
        let t0 = Instant::now();
        if tokio::time::timeout(Duration::from_secs(10), self.ui.client.clone().close())
            .await
            .is_ok_and(|r| r.is_ok())
        {
            self.session_id = None;
        }
        eprintln!("e2e: session closed in {:?}", t0.elapsed());
        let t0 = Instant::now();
        drop(self);
        eprintln!("e2e: driver and app stopped in {:?}", t0.elapsed());
        if let Some(panic) = failure {
            std::panic::resume_unwind(panic);
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // Reached with a live session only when something failed before `run` ended it: delete
        // it synchronously (no runtime here), so WebKitWebDriver closes the app properly.
        if let Some(id) = self.session_id.take() {
            self.driver.remember_tree();
            let _ = http_blocking(
                self.driver.port,
                "DELETE",
                &format!("/session/{id}"),
                &[],
                Duration::from_secs(5),
            );
        }
    }
}

/// The app's webview, through WebDriver. Cheap to clone.
#[derive(Clone)]
pub struct Ui {
    pub client: Client,
    name: String,
}

fn css_testid(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

impl Ui {
    /// Polls the DOM until `selector` (CSS) matches, and returns the first match.
    pub async fn wait_for(&self, selector: &str, timeout: Duration) -> Element {
        let deadline = Instant::now() + timeout;
        loop {
            match retry(selector, || self.client.find(Locator::Css(selector))).await {
                Ok(el) => return el,
                Err(e) if e.is_no_such_element() && Instant::now() < deadline => {}
                Err(e) if e.is_no_such_element() => {
                    panic!("{selector} did not appear within {timeout:?}")
                }
                Err(e) => panic!("looking for {selector}: {e}"),
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Polls until `cond` returns `Some`, and returns its value. `what` names the wait in the
    /// panic message.
    pub async fn wait_until<T, F, Fut>(&self, what: &str, timeout: Duration, mut cond: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Option<T>>,
    {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = cond().await {
                return v;
            }
            if Instant::now() >= deadline {
                panic!("timed out after {timeout:?} waiting for {what}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Polls until the element with `data-testid=testid` exists.
    pub async fn wait_for_testid(&self, testid: &str, timeout: Duration) -> Element {
        self.wait_for(&css_testid(testid), timeout).await
    }

    /// Whether an element with `data-testid=testid` is in the DOM now, displayed or not (no
    /// waiting).
    pub async fn exists(&self, testid: &str) -> bool {
        let sel = css_testid(testid);
        match retry(&sel, || self.client.find(Locator::Css(&sel))).await {
            Ok(_) => true,
            Err(e) if e.is_no_such_element() => false,
            Err(e) => panic!("looking for {sel}: {e}"),
        }
    }

    /// Polls until an element matching `selector` (CSS) is displayed, and returns the first
    /// displayed one: the same test id can sit in a hidden part of the page too.
    pub async fn wait_for_displayed(&self, selector: &str, timeout: Duration) -> Element {
        let deadline = Instant::now() + timeout;
        loop {
            let found = retry(selector, || self.client.find_all(Locator::Css(selector)))
                .await
                .unwrap_or_else(|e| panic!("looking for {selector}: {e}"));
            for el in found {
                match retry("is displayed", || el.is_displayed()).await {
                    Ok(true) => return el,
                    Ok(false) => {}
                    Err(e) if is_stale(&e) => {}
                    Err(e) => panic!("is {selector} displayed: {e}"),
                }
            }
            if Instant::now() >= deadline {
                panic!("no displayed {selector} within {timeout:?}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs `act` on the displayed element with `data-testid=testid` once there is one; looks
    /// it up again if the UI re-rendered it in between (stale element).
    async fn with_testid<T, F, Fut>(&self, testid: &str, what: &str, mut act: F) -> T
    where
        F: FnMut(Element) -> Fut,
        Fut: Future<Output = Result<T, CmdError>>,
    {
        let sel = css_testid(testid);
        for _ in 0..5 {
            let el = self.wait_for_displayed(&sel, DEFAULT_WAIT).await;
            match retry(what, || act(el.clone())).await {
                Ok(v) => return v,
                Err(e) if is_stale(&e) => continue,
                Err(e) => panic!("{what} {sel}: {e}"),
            }
        }
        panic!("{what} {sel}: element kept going stale")
    }

    /// The text of the displayed element with `data-testid=testid` (waits for one).
    pub async fn text_of(&self, testid: &str) -> String {
        self.with_testid(testid, "text of", |el| async move { el.text().await })
            .await
    }

    /// An attribute of the displayed element with `data-testid=testid` (waits for one).
    pub async fn attr_of(&self, testid: &str, attr: &str) -> Option<String> {
        self.with_testid(
            testid,
            "attribute of",
            |el| async move { el.attr(attr).await },
        )
        .await
    }

    pub async fn click(&self, testid: &str) {
        self.with_testid(testid, "click", |el| async move { el.click().await })
            .await
    }

    /// Types `text` into the input with `data-testid=testid`, replacing what it held.
    pub async fn type_into(&self, testid: &str, text: &str) {
        self.with_testid(testid, "type into", |el| async move {
            el.clear().await?;
            el.send_keys(text).await
        })
        .await
    }

    /// How many elements match `selector` (CSS) now.
    pub async fn count(&self, selector: &str) -> usize {
        retry(selector, || self.client.find_all(Locator::Css(selector)))
            .await
            .unwrap_or_else(|e| panic!("counting {selector}: {e}"))
            .len()
    }

    /// Saves a PNG of the window as `target/e2e-screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf, CmdError> {
        let png = retry("screenshot", || self.client.screenshot()).await?;
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).map_err(CmdError::Lost)?;
        Ok(path)
    }
}
