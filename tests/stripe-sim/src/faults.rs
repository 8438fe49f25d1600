//! What stands between a request and its handler: counting, latency, the rate limit, the API key
//! check and injected server errors, in that order (Stripe rate-limits before it authenticates).

use crate::api::ApiError;
use crate::Shared;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::Rng;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Fault settings and their running state.
pub struct Faults {
    pub latency: Duration,
    pub rate_limit: Option<u32>,
    pub error_rate: f64,
    /// Routes the key may not call, as a restricted key without the permission Stripe names
    /// (route pattern, e.g. `/v1/invoices/create_preview`, and the permission).
    /// Either a route pattern, or a method and a route pattern (`POST /v1/refunds`).
    pub forbidden: Vec<(String, String)>,
    /// Routes whose next request is carried out but whose answer is lost: a 500 that says not to
    /// retry, as when a connection drops after Stripe acted. The caller's retry (same
    /// Idempotency-Key) then gets the first answer back.
    pub lose_next_answer: Vec<String>,
    /// When set, the key may call only these routes (route patterns, or `METHOD route`), as a
    /// restricted key with just those permissions; any other is refused like `forbidden`.
    pub allowed: Option<Vec<String>>,
    /// Every request answered 503 (an outage), until cleared.
    pub down: bool,
    /// Invoice PDF links answer an HTML page (status 200) instead of the PDF, until cleared:
    /// a sign-in page or a broken proxy in front of Stripe's file host.
    pub bad_pdfs: bool,
    pub rng: StdRng,
    tokens: f64,
    refilled: Instant,
}

impl Faults {
    pub fn new(latency: Duration, rate_limit: Option<u32>, error_rate: f64, rng: StdRng) -> Self {
        Faults {
            latency,
            rate_limit,
            error_rate,
            forbidden: Vec::new(),
            lose_next_answer: Vec::new(),
            allowed: None,
            down: false,
            bad_pdfs: false,
            rng,
            tokens: rate_limit.map(f64::from).unwrap_or(0.0),
            refilled: Instant::now(),
        }
    }

    pub fn set(&mut self, latency: Duration, rate_limit: Option<u32>, error_rate: f64) {
        self.latency = latency;
        self.rate_limit = rate_limit;
        self.error_rate = error_rate;
        self.tokens = rate_limit.map(f64::from).unwrap_or(0.0);
        self.refilled = Instant::now();
    }

    /// Token bucket holding one second's worth of requests, refilled continuously.
    pub(crate) fn take_token(&mut self) -> bool {
        let Some(rate) = self.rate_limit else {
            return true;
        };
        let rate = f64::from(rate.max(1));
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.refilled).as_secs_f64() * rate).min(rate);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Stripe's way of showing a key in an error: its prefix, stars, and the last four characters.
pub fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 12 {
        return "*".repeat(chars.len());
    }
    let prefix_len = [
        "sk_test_", "sk_live_", "rk_test_", "rk_live_", "pk_test_", "pk_live_",
    ]
    .iter()
    .find(|p| key.starts_with(*p))
    .map(|p| p.len())
    .unwrap_or(3);
    let tail: String = chars[chars.len() - 4..].iter().collect();
    let head: String = chars[..prefix_len].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - prefix_len - 4))
}

pub async fn gate(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    {
        let mut stats = shared.stats.lock().unwrap();
        stats.requests += 1;
        *stats.requests_by_path.entry(path.clone()).or_default() += 1;
    }
    if shared.faults.lock().unwrap().down {
        // Said not to retry, so a client gives up at once, as on a machine that is offline.
        let mut r = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "api_error",
            "Stripe is unreachable (an outage injected by the Comptoir Stripe simulator).",
        )
        .into_response();
        r.headers_mut()
            .insert("Stripe-Should-Retry", HeaderValue::from_static("false"));
        return r;
    }
    let latency = shared.faults.lock().unwrap().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if !shared.faults.lock().unwrap().take_token() {
        shared.stats.lock().unwrap().rate_limited += 1;
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "invalid_request_error",
            "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.",
        )
        .with_code("rate_limit");
        e.should_retry = true;
        let mut r = e.into_response();
        r.headers_mut()
            .insert("Retry-After", HeaderValue::from_static("1"));
        return r;
    }
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let key = auth.strip_prefix("Bearer ").unwrap_or("").trim();
    if key != shared.api_key {
        let message = if key.is_empty() {
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').".to_string()
        } else {
            format!("Invalid API Key provided: {}", mask_key(key))
        };
        return ApiError::new(StatusCode::UNAUTHORIZED, "invalid_request_error", &message)
            .into_response();
    }
    let forbidden = {
        let faults = shared.faults.lock().unwrap();
        let keyed = format!("{} {path}", req.method());
        let matches = |r: &String| *r == path || *r == keyed;
        faults
            .forbidden
            .iter()
            .find(|(route, _)| matches(route))
            .map(|(_, permission)| permission.clone())
            .or_else(|| {
                let allowed = faults.allowed.as_ref()?;
                (!allowed.iter().any(matches)).then(|| "rak_not_granted".to_owned())
            })
    };
    if let Some(permission) = forbidden {
        let account = shared.store.lock().unwrap().ds.account["id"]
            .as_str()
            .unwrap_or("acct_unknown")
            .to_owned();
        let message = format!(
            "The provided key '{}' does not have the required permissions for this endpoint on account '{account}'. Having the '{permission}' permission would allow this request to continue.",
            mask_key(key)
        );
        return ApiError::new(StatusCode::FORBIDDEN, "invalid_request_error", &message)
            .into_response();
    }
    let fail = {
        let mut f = shared.faults.lock().unwrap();
        let rate = f.error_rate;
        rate > 0.0 && f.rng.random_bool(rate.min(1.0))
    };
    if fail {
        shared.stats.lock().unwrap().injected_errors += 1;
        let mut e = ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            "An unknown error occurred (injected by the Comptoir Stripe simulator).",
        );
        e.should_retry = true;
        return e.into_response();
    }
    tracing::debug!(%path, "stripe-sim request");
    let mut r = next.run(req).await;
    let id = shared.next_request_id();
    if let Ok(v) = HeaderValue::from_str(&id) {
        r.headers_mut().insert("request-id", v);
    }
    r
}
