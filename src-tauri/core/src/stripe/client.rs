//! The HTTP client that talks to Stripe (or to the simulator in tests and benchmarks).
//!
//! Requests are described with async-stripe's typed request builders (paths, `expand`,
//! pagination parameters), and sent here rather than through async-stripe's own hyper client,
//! for three reasons measured against rc.10:
//! - its client disables the idle connection pool (`pool_max_idle_per_host(0)`), so every
//!   request pays a new TCP + TLS handshake; this one keeps connections alive;
//! - its retries ignore `Retry-After` and cannot pace requests under Stripe's rate limit; this
//!   one paces with a token bucket and honours `Retry-After` and `Stripe-Should-Retry`;
//! - its typed deserialisation fails a whole page on one odd object and drops the body; this one
//!   returns raw JSON (mapped in [`super::mapping`]) and logs which request failed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use serde_json::Value;
use stripe_client_core::{RequestBuilder, StripeMethod, StripeRequest};
use tokio::sync::Mutex;

use crate::model::StripeMode;
use crate::problem::Problem;
use crate::secrets::Secret;

/// Stripe's API version this build reads (async-stripe rc.10 pins it).
pub const API_VERSION: &str = "2026-09-30.endive";
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com/";
/// The one host on the internet an API key is sent to.
pub const STRIPE_API_HOST: &str = "api.stripe.com";

/// Where an API base points, once checked by [`check_api_base`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiHost {
    /// `https://api.stripe.com/` (any path), on its default port.
    Stripe,
    /// This computer: the Stripe simulator of the tests and demos, over http or https.
    Loopback,
}

/// Whether `url` names this computer: `127.0.0.1`, `::1` or `localhost`, exactly, by the parsed
/// host (so `localhost.example.com` or `127.0.0.1.example.com` are other computers).
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        Some(url::Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

/// Checks an API base before a key is attached to requests to it (`COMPTOIR_STRIPE_API_BASE`
/// overrides it for the simulator): Stripe's API host over https on its default port, or a
/// loopback host over http or https; never credentials in the address. Anything else would
/// hand the key to another computer, and is refused.
pub fn check_api_base(base: &str) -> Result<ApiHost, StripeError> {
    let refuse = |why: String| Err(StripeError::ApiBase(why));
    let Ok(url) = url::Url::parse(base.trim()) else {
        return refuse(format!("{:?} is not a web address", base.trim()));
    };
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("the address holds a user name or password".into());
    }
    let host = url.host_str().unwrap_or_default();
    if is_loopback(&url) && matches!(url.scheme(), "http" | "https") {
        return Ok(ApiHost::Loopback);
    }
    if url.scheme() == "https" && host == STRIPE_API_HOST && url.port().is_none() {
        return Ok(ApiHost::Stripe);
    }
    if host == STRIPE_API_HOST {
        return refuse(format!(
            "{STRIPE_API_HOST} must be reached over https on its default port"
        ));
    }
    refuse(format!(
        "{} is another computer",
        url.origin().ascii_serialization()
    ))
}

/// The permission a restricted key's refusal names (`rak_…`), if it names one.
pub fn missing_permission(said: &str) -> Option<String> {
    said.split('\'')
        .find(|part| part.starts_with("rak_"))
        .map(str::to_owned)
}

#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    #[error("Stripe refused the API key: {0}")]
    Authentication(String),
    #[error("This API key is not allowed to do that: {0}")]
    Permission(String),
    #[error("Stripe has no such object: {0}")]
    NotFound(String),
    #[error("Stripe is limiting requests; try again in a minute")]
    RateLimited,
    #[error("Stripe answered {status}: {message}")]
    Api {
        status: u16,
        code: Option<String>,
        message: String,
    },
    #[error("Cannot reach Stripe: {0}")]
    Network(String),
    #[error("Unexpected answer from Stripe to {path}: {detail}")]
    Decode { path: String, detail: String },
    #[error("That is not a Stripe API key (it should start with sk_ or rk_)")]
    MalformedKey,
    #[error("The API key is only sent to api.stripe.com over https, or to this computer (127.0.0.1, ::1, localhost): {0}")]
    ApiBase(String),
}

impl StripeError {
    /// The failure as the window says it; a restricted key's refusal names the permission.
    pub fn problem(&self) -> Problem {
        match self {
            StripeError::Network(_) => Problem::StripeUnreachable,
            StripeError::RateLimited => Problem::StripeRateLimited,
            StripeError::Authentication(said) => Problem::KeyRefused {
                stripe_says: said.clone(),
            },
            StripeError::MalformedKey => Problem::KeyNotStripe,
            StripeError::Permission(said) => Problem::KeyMissingPermission {
                permission: missing_permission(said),
            },
            StripeError::NotFound(_) => Problem::StripeNotFound,
            StripeError::Api {
                status, message, ..
            } => Problem::StripeRefused {
                status: *status,
                stripe_says: message.clone(),
            },
            StripeError::Decode { .. } => Problem::StripeUnexpected,
            StripeError::ApiBase(_) => Problem::StripeAddressRefused,
        }
    }

    /// Whether the failure is the network's (offline, DNS, refused, timed out).
    pub fn is_network(&self) -> bool {
        matches!(self, StripeError::Network(_))
    }
}

impl stripe_client_core::StripeClientErr for StripeError {
    fn deserialize_err(msg: impl std::fmt::Display) -> Self {
        StripeError::Decode {
            path: String::new(),
            detail: msg.to_string(),
        }
    }
}

/// Tells test from live mode by the key's prefix.
pub fn mode_of_key(key: &str) -> Option<(StripeMode, bool)> {
    let (mode, restricted) = match key.get(..8)? {
        "sk_test_" => (StripeMode::Test, false),
        "rk_test_" => (StripeMode::Test, true),
        "sk_live_" => (StripeMode::Live, false),
        "rk_live_" => (StripeMode::Live, true),
        _ => return None,
    };
    (key.len() > 12 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some((mode, restricted))
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL ending in `/`; `https://api.stripe.com/` unless overridden.
    pub api_base: String,
    /// Requests per second we allow ourselves (Stripe: 25 in test mode, 100 in live mode).
    pub requests_per_sec: f64,
    /// Attempts for one request, the first included.
    pub max_attempts: u32,
    /// First retry delay; doubles each time, with jitter.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    pub timeout: Duration,
}

impl ClientConfig {
    pub fn for_mode(api_base: &str, mode: StripeMode) -> Self {
        let mut base = api_base.trim().to_owned();
        // A base with a path must end in `/`, or `v1/…` is glued to its last segment.
        if !base.ends_with('/') {
            base.push('/');
        }
        ClientConfig {
            api_base: base,
            // Stay a little under Stripe's documented limits.
            requests_per_sec: match mode {
                StripeMode::Test => 24.0,
                StripeMode::Live => 90.0,
            },
            max_attempts: 8,
            backoff_base: Duration::from_millis(200),
            backoff_max: Duration::from_secs(10),
            timeout: Duration::from_secs(40),
        }
    }
}

/// A token bucket: at most `rate` requests a second, with a burst of one second's worth.
struct Pacer {
    rate: f64,
    state: Mutex<(f64, Instant)>,
}

impl Pacer {
    fn new(rate: f64) -> Self {
        Pacer {
            rate,
            state: Mutex::new((rate.min(5.0), Instant::now())),
        }
    }

    async fn take(&self) {
        loop {
            let wait = {
                let mut st = self.state.lock().await;
                let now = Instant::now();
                let refill = now.duration_since(st.1).as_secs_f64() * self.rate;
                st.0 = (st.0 + refill).min(self.rate);
                st.1 = now;
                if st.0 >= 1.0 {
                    st.0 -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - st.0) / self.rate)
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// After a 429 everyone waits: empty the bucket so the next tokens come `pause` from now.
    async fn pause(&self, pause: Duration) {
        let mut st = self.state.lock().await;
        st.0 = -(pause.as_secs_f64() * self.rate);
        st.1 = Instant::now();
    }
}

/// A Stripe API client bound to one key. Cheap to clone.
#[derive(Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    config: Arc<ClientConfig>,
    pacer: Arc<Pacer>,
    requests: Arc<AtomicU64>,
}

impl std::fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeClient")
            .field("api_base", &self.config.api_base)
            .finish_non_exhaustive()
    }
}

impl StripeClient {
    pub fn new(key: &Secret, config: ClientConfig) -> Result<Self, StripeError> {
        // Before the key is put anywhere: the base must be Stripe's or this computer's.
        let host = check_api_base(&config.api_base)?;
        let key = key.expose();
        if mode_of_key(key).is_none() {
            return Err(StripeError::MalformedKey);
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {key}"))
            .map_err(|_| StripeError::MalformedKey)?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert("Stripe-Version", HeaderValue::from_static(API_VERSION));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("Comptoir/", env!("CARGO_PKG_VERSION")))
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(60))
            .https_only(host == ApiHost::Stripe)
            .build()
            .map_err(|e| StripeError::Network(e.to_string()))?;
        Ok(StripeClient {
            http,
            pacer: Arc::new(Pacer::new(config.requests_per_sec)),
            config: Arc::new(config),
            requests: Arc::new(AtomicU64::new(0)),
        })
    }

    /// HTTP requests sent so far, retries included.
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Sends one of async-stripe's typed requests and returns the raw JSON answer.
    pub async fn send<R: StripeRequest>(&self, req: &R) -> Result<Value, StripeError> {
        self.execute_raw(req.build()).await
    }

    /// A GET of `path` (after `/v1`) with query pairs, for routes async-stripe's features in
    /// this build do not cover (payment intents, disputes, refunds).
    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, StripeError> {
        // Built before the await: the serializer is not `Send`.
        let query = {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in query {
                q.append_pair(k, v);
            }
            q.finish()
        };
        self.execute_raw(RequestBuilder {
            query: Some(query),
            body: None,
            path: path.to_owned(),
            method: StripeMethod::Get,
        })
        .await
    }

    /// A form POST of `path` (after `/v1`) under the caller's idempotency key: an action the
    /// merchant may click again after an error (a refund) keeps one key for all its attempts,
    /// the app's own retries included, so Stripe acts once.
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        idempotency_key: &str,
    ) -> Result<Value, StripeError> {
        let body = {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in form {
                q.append_pair(k, v);
            }
            q.finish()
        };
        self.execute_keyed(
            RequestBuilder {
                query: None,
                body: Some(body),
                path: path.to_owned(),
                method: StripeMethod::Post,
            },
            Some(idempotency_key.to_owned()),
        )
        .await
    }

    pub async fn execute_raw(&self, req: RequestBuilder) -> Result<Value, StripeError> {
        // One key per logical POST, reused by its retries, so a retry never acts twice.
        let key = matches!(req.method, StripeMethod::Post).then(new_idempotency_key);
        self.execute_keyed(req, key).await
    }

    async fn execute_keyed(
        &self,
        req: RequestBuilder,
        idempotency_key: Option<String>,
    ) -> Result<Value, StripeError> {
        let mut url = format!("{}v1{}", self.config.api_base, req.path);
        if let Some(q) = req.query.as_deref().filter(|q| !q.is_empty()) {
            url.push('?');
            url.push_str(q);
        }
        let mut attempt = 0u32;
        let mut unreachable_tries = 0u32;
        loop {
            attempt += 1;
            self.pacer.take().await;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let mut rb = match req.method {
                StripeMethod::Get => self.http.get(&url),
                StripeMethod::Post => self.http.post(&url),
                StripeMethod::Delete => self.http.delete(&url),
            };
            if let Some(body) = &req.body {
                rb = rb
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(body.clone());
            }
            if let Some(k) = &idempotency_key {
                rb = rb.header("Idempotency-Key", k.as_str());
            }
            let outcome = match rb.send().await {
                Err(e) => {
                    unreachable_tries += u32::from(e.is_connect());
                    Outcome::Retry(StripeError::Network(describe_reqwest(&e)), None)
                }
                Ok(resp) => self.read(resp, &req.path).await,
            };
            match outcome {
                Outcome::Done(v) => return Ok(v),
                Outcome::Fail(e) => return Err(e),
                Outcome::Retry(e, retry_after) => {
                    // A refused or unroutable connection means offline: say so after a couple
                    // of tries instead of keeping the merchant waiting through every backoff.
                    if attempt >= self.config.max_attempts || unreachable_tries >= 3 {
                        tracing::warn!(path = %req.path, attempts = attempt, "Stripe request gave up: {e}");
                        return Err(e);
                    }
                    let delay = backoff(&self.config, attempt).max(retry_after.unwrap_or_default());
                    if matches!(e, StripeError::RateLimited) {
                        self.pacer.pause(delay).await;
                    }
                    tracing::debug!(path = %req.path, attempt, ?delay, "retrying Stripe request: {e}");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    async fn read(&self, resp: reqwest::Response, path: &str) -> Outcome {
        let status = resp.status().as_u16();
        let should_retry = resp
            .headers()
            .get("Stripe-Should-Retry")
            .and_then(|v| v.to_str().ok())
            .map(|v| v == "true");
        let retry_after = resp
            .headers()
            .get("Retry-After")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| Duration::from_secs_f64(s.min(60.0)));
        let body = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => return Outcome::Retry(StripeError::Network(describe_reqwest(&e)), None),
        };
        if (200..300).contains(&status) {
            return match serde_json::from_slice::<Value>(&body) {
                Ok(v) => Outcome::Done(v),
                Err(e) => {
                    tracing::warn!(path, "could not parse Stripe's answer: {e}");
                    Outcome::Fail(StripeError::Decode {
                        path: path.to_owned(),
                        detail: e.to_string(),
                    })
                }
            };
        }
        let parsed: Option<Value> = serde_json::from_slice(&body).ok();
        let message = parsed
            .as_ref()
            .and_then(|v| v.pointer("/error/message"))
            .and_then(Value::as_str)
            .unwrap_or("no message")
            .to_owned();
        let code = parsed
            .as_ref()
            .and_then(|v| v.pointer("/error/code"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let err = match status {
            401 => StripeError::Authentication(message),
            403 => StripeError::Permission(message),
            404 => StripeError::NotFound(message),
            429 => StripeError::RateLimited,
            _ => StripeError::Api {
                status,
                code,
                message,
            },
        };
        let retryable = match should_retry {
            Some(v) => v,
            None => status == 429 || status == 409 || status >= 500,
        };
        if retryable {
            Outcome::Retry(err, retry_after)
        } else {
            tracing::warn!(path, status, "Stripe request failed: {err}");
            Outcome::Fail(err)
        }
    }
}

enum Outcome {
    Done(Value),
    Fail(StripeError),
    Retry(StripeError, Option<Duration>),
}

fn describe_reqwest(e: &reqwest::Error) -> String {
    // reqwest's Display names the URL (no key: the key is a header) and the cause chain.
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

fn backoff(config: &ClientConfig, attempt: u32) -> Duration {
    let exp = config
        .backoff_base
        .saturating_mul(1u32 << (attempt - 1).min(10));
    let capped = exp.min(config.backoff_max);
    // Equal jitter: half fixed, half random, so parallel workers do not retry in lockstep.
    let half = capped / 2;
    half + half.mul_f64(rand::random::<f64>())
}

fn new_idempotency_key() -> String {
    format!("comptoir-{:032x}", rand::random::<u128>())
}

impl stripe_client_core::StripeClient for StripeClient {
    type Err = StripeError;

    async fn execute(
        &self,
        req: stripe_client_core::CustomizedStripeRequest,
    ) -> Result<bytes::Bytes, StripeError> {
        let (req, _overrides) = req.into_pieces();
        let v = self.execute_raw(req).await?;
        Ok(bytes::Bytes::from(
            serde_json::to_vec(&v).unwrap_or_default(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_prefix_tells_mode() {
        let k = |p: &str| format!("{p}{}", "a1B2c3D4e5".repeat(3));
        assert_eq!(mode_of_key(&k("sk_test_")), Some((StripeMode::Test, false)));
        assert_eq!(mode_of_key(&k("rk_test_")), Some((StripeMode::Test, true)));
        assert_eq!(mode_of_key(&k("sk_live_")), Some((StripeMode::Live, false)));
        assert_eq!(mode_of_key(&k("rk_live_")), Some((StripeMode::Live, true)));
        assert_eq!(
            mode_of_key(&k("pk_test_")),
            None,
            "a publishable key is not a secret key"
        );
        assert_eq!(mode_of_key("sk_test_"), None);
        assert_eq!(mode_of_key(&format!("{} ", k("sk_test_"))), None);
        assert_eq!(mode_of_key(&format!("{}\n", k("sk_test_"))), None);
    }

    #[test]
    fn the_key_goes_only_to_stripe_or_this_computer() {
        for ok in [
            "https://api.stripe.com/",
            "https://api.stripe.com",
            " https://API.stripe.com/v0/ ",
        ] {
            assert_eq!(check_api_base(ok).unwrap(), ApiHost::Stripe, "{ok}");
        }
        for ok in [
            "http://127.0.0.1:12111/",
            "http://localhost:8080/",
            "https://localhost/",
            "http://[::1]:9/stripe/",
            "http://LOCALHOST:1/",
        ] {
            assert_eq!(check_api_base(ok).unwrap(), ApiHost::Loopback, "{ok}");
        }
        for hostile in [
            "http://localhost.evil.tld/",
            "http://localhost.evil.tld:12111/",
            "https://localhost.evil.tld/",
            "http://127.0.0.1.evil.tld/",
            "http://localhost./",
            "http://127.0.0.1@evil.tld/",
            "http://evil.tld#@127.0.0.1/",
            "http://evil.tld/?http://127.0.0.1/",
            "http://user:pass@127.0.0.1:9/",
            "https://evil.tld/",
            "https://api.stripe.com.evil.tld/",
            "https://evil.tld/api.stripe.com/",
            "http://api.stripe.com/",
            "https://api.stripe.com:8443/",
            "http://10.0.0.1/",
            "http://[::2]/",
            "ftp://127.0.0.1/",
            "file:///tmp/stripe",
            "127.0.0.1:9",
            "",
        ] {
            let e = check_api_base(hostile).unwrap_err();
            assert!(matches!(e, StripeError::ApiBase(_)), "{hostile}: {e}");
        }
    }

    #[test]
    fn no_client_is_made_for_another_host() {
        let key = Secret::new(format!("sk_test_{}", "a1B2c3D4e5".repeat(3)));
        let hostile = ClientConfig::for_mode("http://localhost.evil.tld:12111/", StripeMode::Test);
        let e = StripeClient::new(&key, hostile).unwrap_err();
        assert!(
            e.to_string().contains("http://localhost.evil.tld:12111"),
            "{e}"
        );
        assert!(!e.to_string().contains("a1B2c3D4e5"), "never the key: {e}");
        let local = ClientConfig::for_mode("http://127.0.0.1:9/", StripeMode::Test);
        assert!(StripeClient::new(&key, local).is_ok());
    }

    #[test]
    fn base_url_gets_a_trailing_slash() {
        let c = ClientConfig::for_mode("http://127.0.0.1:9/stripe", StripeMode::Test);
        assert_eq!(c.api_base, "http://127.0.0.1:9/stripe/");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let c = ClientConfig::for_mode(DEFAULT_API_BASE, StripeMode::Test);
        for attempt in 1..20 {
            let d = backoff(&c, attempt);
            assert!(d <= c.backoff_max, "attempt {attempt}: {d:?}");
        }
        assert!(backoff(&c, 1) <= c.backoff_base);
        assert!(backoff(&c, 4) >= c.backoff_base * 4);
    }
}
