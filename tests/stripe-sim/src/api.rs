//! The HTTP surface: Stripe's endpoints, parameters and error shapes.

use crate::store::{strip_item, Kind, Page, Store};
use crate::Shared;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;

/// An error answered in Stripe's `{"error": {...}}` shape.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
    pub should_retry: bool,
}

impl ApiError {
    pub fn new(status: StatusCode, type_: &str, message: &str) -> Self {
        ApiError {
            status,
            body: json!({"error": {"type": type_, "message": message}}),
            should_retry: false,
        }
    }

    pub fn invalid(message: &str, param: Option<&str>) -> Self {
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message);
        if let Some(p) = param {
            e.body["error"]["param"] = json!(p);
        }
        e
    }

    pub fn missing(kind: Kind, id: &str) -> Self {
        let mut e = ApiError::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            &format!("No such {}: '{id}'", kind.noun()),
        );
        e.body["error"]["code"] = json!("resource_missing");
        e.body["error"]["param"] = json!("id");
        e
    }

    pub fn with_code(mut self, code: &str) -> Self {
        self.body["error"]["code"] = json!(code);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, json_body(&self.body)).into_response();
        if self.should_retry {
            r.headers_mut()
                .insert("Stripe-Should-Retry", HeaderValue::from_static("true"));
        }
        r
    }
}

pub fn json_body(v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_default();
    ([("content-type", "application/json")], body).into_response()
}

type ApiResult = Result<Response, ApiError>;

/// Parsed request parameters (query string or form body).
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
    pub expand: Vec<String>,
}

impl Params {
    pub fn parse(raw: &str) -> Params {
        let mut p = Params::default();
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            let (k, v) = (k.into_owned(), v.into_owned());
            // Both `expand[]=x` and `expand[0]=x` (what serde_qs writes).
            if k == "expand[]" || (k.starts_with("expand[") && k.ends_with(']')) || k == "expand" {
                p.expand.push(v);
            } else {
                p.pairs.push((k, v));
            }
        }
        p
    }

    /// Refuse any parameter outside `allowed` the way Stripe does. A name ending in `[` admits
    /// a whole family (`created[` admits `created[gt]` …, `metadata[` admits any key).
    pub fn check(&self, allowed: &[&str]) -> Result<(), ApiError> {
        for (k, _) in &self.pairs {
            let ok = allowed.iter().any(|a| {
                if let Some(prefix) = a.strip_suffix('[') {
                    k.strip_prefix(prefix)
                        .map(|r| r.starts_with('[') && r.ends_with(']'))
                        .unwrap_or(false)
                } else {
                    k == a
                }
            });
            if !ok {
                let name = k.split('[').next().unwrap_or(k);
                let name = if allowed.iter().any(|a| a.trim_end_matches('[') == name) {
                    k.as_str()
                } else {
                    name
                };
                return Err(ApiError::invalid(
                    &format!("Received unknown parameter: {name}"),
                    Some(name),
                ));
            }
        }
        Ok(())
    }

    pub fn get(&self, k: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }

    pub fn all<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.pairs
            .iter()
            .filter_map(move |(k, v)| k.strip_prefix(prefix).map(|rest| (rest, v.as_str())))
    }

    fn page(&self) -> Result<Page, ApiError> {
        let limit = match self.get("limit") {
            None => 10,
            Some(s) => match s.parse::<usize>() {
                Ok(n) if (1..=100).contains(&n) => n,
                _ => {
                    return Err(ApiError::invalid(
                        &format!("Invalid integer: {s}. This value must be between 1 and 100."),
                        Some("limit"),
                    ))
                }
            },
        };
        let starting_after = self.get("starting_after").map(String::from);
        let ending_before = self.get("ending_before").map(String::from);
        if starting_after.is_some() && ending_before.is_some() {
            return Err(ApiError::invalid(
                "You may only specify one of these parameters: starting_after, ending_before.",
                Some("starting_after"),
            ));
        }
        Ok(Page {
            limit,
            starting_after,
            ending_before,
        })
    }

    /// `created` as exact value or `created[gt|gte|lt|lte]`.
    fn created(&self) -> Result<Vec<(String, i64)>, ApiError> {
        let mut out = Vec::new();
        for (k, v) in &self.pairs {
            let op = if k == "created" {
                "eq"
            } else if let Some(op) = k.strip_prefix("created[").and_then(|r| r.strip_suffix(']')) {
                if !matches!(op, "gt" | "gte" | "lt" | "lte") {
                    return Err(ApiError::invalid(
                        &format!("Received unknown parameter: {k}"),
                        Some(k),
                    ));
                }
                op
            } else {
                continue;
            };
            let n = v
                .parse::<i64>()
                .map_err(|_| ApiError::invalid(&format!("Invalid integer: {v}"), Some(k)))?;
            out.push((op.to_string(), n));
        }
        Ok(out)
    }

    /// Expand paths for a single object.
    fn object_expand(&self) -> Vec<Vec<String>> {
        self.expand
            .iter()
            .map(|e| e.split('.').map(String::from).collect())
            .collect()
    }

    /// Expand paths for a list: each must start with `data.`.
    fn list_expand(&self) -> Result<Vec<Vec<String>>, ApiError> {
        self.expand
            .iter()
            .map(|e| match e.strip_prefix("data.") {
                Some(rest) => Ok(rest.split('.').map(String::from).collect()),
                None => Err(ApiError::invalid(
                    &format!("This property cannot be expanded ({e}). You may want to try expanding 'data.{e}' instead."),
                    Some("expand"),
                )),
            })
            .collect()
    }
}

fn created_matches(filters: &[(String, i64)], v: &Value) -> bool {
    let c = v["created"].as_i64().unwrap_or(0);
    filters.iter().all(|(op, n)| match op.as_str() {
        "gt" => c > *n,
        "gte" => c >= *n,
        "lt" => c < *n,
        "lte" => c <= *n,
        _ => c == *n,
    })
}

const LIST_COMMON: &[&str] = &[
    "limit",
    "starting_after",
    "ending_before",
    "created",
    "created[",
];

fn list_response(
    store: &Store,
    kind: Kind,
    url: &str,
    p: &Params,
    filter: impl Fn(&Value) -> bool,
) -> ApiResult {
    let page = p.page()?;
    let created = p.created()?;
    let expand = p.list_expand()?;
    let (items, has_more) =
        store.list(kind, &page, |v| created_matches(&created, v) && filter(v))?;
    let data = items
        .into_iter()
        .map(|v| store.render(kind, v, &expand))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json_body(
        &json!({"object": "list", "data": data, "has_more": has_more, "url": url}),
    ))
}

fn retrieve(store: &Store, kind: Kind, id: &str, p: &Params) -> ApiResult {
    p.check(&[])?;
    let obj = store
        .get(kind, id)
        .ok_or_else(|| ApiError::missing(kind, id))?;
    Ok(json_body(&store.render(kind, obj, &p.object_expand())?))
}

fn matches_opt(p: &Params, key: &str, v: &Value) -> bool {
    p.get(key).map(|want| v == want).unwrap_or(true)
}

type St = State<Arc<Shared>>;

fn params(q: &Option<String>) -> Params {
    Params::parse(q.as_deref().unwrap_or(""))
}

async fn account(State(s): St, RawQuery(q): RawQuery) -> ApiResult {
    let p = params(&q);
    p.check(&[])?;
    let store = s.store.lock().unwrap();
    Ok(json_body(&store.ds.account))
}

async fn list_customers(State(s): St, RawQuery(q): RawQuery) -> ApiResult {
    let p = params(&q);
    p.check(&[LIST_COMMON, &["email"]].concat())?;
    let store = s.store.lock().unwrap();
    list_response(&store, Kind::Customer, "/v1/customers", &p, |v| {
        matches_opt(&p, "email", &v["email"])
    })
}

async fn get_customer(State(s): St, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::Customer, &id, &params(&q))
}

async fn list_sessions(State(s): St, RawQuery(q): RawQuery) -> ApiResult {
    let p = params(&q);
    p.check(
        &[
            LIST_COMMON,
            &[
                "status",
                "customer",
                "payment_intent",
                "subscription",
                "payment_link",
            ],
        ]
        .concat(),
    )?;
    let store = s.store.lock().unwrap();
    list_response(&store, Kind::Session, "/v1/checkout/sessions", &p, |v| {
        [
            "status",
            "customer",
            "payment_intent",
            "subscription",
            "payment_link",
        ]
        .iter()
        .all(|k| matches_opt(&p, k, &v[*k]))
    })
}

async fn get_session(State(s): St, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::Session, &id, &params(&q))
}

async fn session_line_items(
    State(s): St,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let p = params(&q);
    p.check(&["limit", "starting_after", "ending_before"])?;
    let page = p.page()?;
    let expand = p.list_expand()?;
    let store = s.store.lock().unwrap();
    if store.get(Kind::Session, &id).is_none() {
        return Err(ApiError::missing(Kind::Session, &id));
    }
    let items = store.line_items(&id).map(Vec::as_slice).unwrap_or(&[]);
    // Line items keep cart order (oldest first), unlike the top-level lists.
    let pos = |cursor: &str, param: &str| {
        items
            .iter()
            .position(|it| it["id"] == cursor)
            .ok_or_else(|| {
                ApiError::invalid(&format!("No such line item: '{cursor}'"), Some(param))
                    .with_code("resource_missing")
            })
    };
    let (slice, has_more) = if let Some(b) = &page.ending_before {
        let end = pos(b, "ending_before")?;
        let start = end.saturating_sub(page.limit);
        (&items[start..end], start > 0)
    } else {
        let start = match &page.starting_after {
            Some(a) => pos(a, "starting_after")? + 1,
            None => 0,
        };
        let end = (start + page.limit).min(items.len());
        (&items[start..end], end < items.len())
    };
    let wants = |f: &str| {
        expand
            .iter()
            .any(|e| e.first().map(|s| s == f).unwrap_or(false))
    };
    let mut data = Vec::with_capacity(slice.len());
    for it in slice {
        let mut v = strip_item(it, wants("discounts"), wants("taxes"));
        for path in expand
            .iter()
            .filter(|p| p[0] != "discounts" && p[0] != "taxes")
        {
            let segs: Vec<&str> = path.iter().map(String::as_str).collect();
            store.expand(&mut v, &segs, &format!("data.{}", path.join(".")))?;
        }
        data.push(v);
    }
    let url = format!("/v1/checkout/sessions/{id}/line_items");
    Ok(json_body(
        &json!({"object": "list", "data": data, "has_more": has_more, "url": url}),
    ))
}

async fn list_invoices(State(s): St, RawQuery(q): RawQuery) -> ApiResult {
    let p = params(&q);
    p.check(
        &[
            LIST_COMMON,
            &["customer", "subscription", "status", "collection_method"],
        ]
        .concat(),
    )?;
    let store = s.store.lock().unwrap();
    list_response(&store, Kind::Invoice, "/v1/invoices", &p, |v| {
        matches_opt(&p, "customer", &v["customer"])
            && matches_opt(&p, "status", &v["status"])
            && matches_opt(&p, "collection_method", &v["collection_method"])
            && matches_opt(
                &p,
                "subscription",
                &v["parent"]["subscription_details"]["subscription"],
            )
    })
}

async fn get_invoice(State(s): St, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::Invoice, &id, &params(&q))
}

/// The answer of a POST that was carried out, unless `lose_next_answer` asked to lose the next
/// one of `route`: then a 500 that says not to retry, as when a connection drops after Stripe
/// acted (the caller's retry under the same Idempotency-Key gets the first answer back).
fn answer_unless_lost(s: &Shared, route: &str, answer: &Value) -> Response {
    let lost = {
        let mut f = s.faults.lock().unwrap();
        let at = f.lose_next_answer.iter().position(|r| r == route);
        at.map(|i| f.lose_next_answer.remove(i)).is_some()
    };
    if !lost {
        return json_body(answer);
    }
    s.stats.lock().unwrap().answers_lost += 1;
    let mut r = ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "api_error",
        "The connection was lost before the answer (injected by the Comptoir Stripe simulator).",
    )
    .into_response();
    r.headers_mut()
        .insert("Stripe-Should-Retry", HeaderValue::from_static("false"));
    r
}

/// `POST /v1/invoices/{id}`, `/v1/charges/{id}` and `/v1/checkout/sessions/{id}` with
/// `metadata[…]`: Stripe's limits are checked (50 keys, keys of 40 characters, values of 500), and
/// an Idempotency-Key seen before gets the first answer without acting again.
fn update_metadata(
    s: &Shared,
    kind: Kind,
    object: &str,
    route: &str,
    id: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> ApiResult {
    let p = Params::parse(&String::from_utf8_lossy(body));
    p.check(&["metadata["])?;
    let changes: Vec<(String, String)> = p
        .all("metadata[")
        .map(|(k, v)| (k.trim_end_matches(']').to_string(), v.to_string()))
        .collect();
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    s.stats
        .lock()
        .unwrap()
        .metadata_posts
        .push((route.replace("{id}", id), key.clone()));
    for (k, v) in &changes {
        if k.chars().count() > 40 {
            return Err(ApiError::invalid(
                "Keys for metadata must be 40 characters or less.",
                Some("metadata"),
            ));
        }
        if v.chars().count() > 500 {
            return Err(ApiError::invalid(
                &format!("Metadata values can have up to 500 characters, but you passed in a value that is {} characters. Invalid value: {k}", v.chars().count()),
                Some("metadata"),
            ));
        }
    }
    let mut store = s.store.lock().unwrap();
    if let Some(first) = key.as_ref().and_then(|k| store.idempotent.get(k)) {
        return Ok(json_body(first));
    }
    let Some(current) = store.get(kind, id) else {
        return Err(ApiError::missing(kind, id));
    };
    let mut keys: std::collections::BTreeSet<String> = current["metadata"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    for (k, v) in &changes {
        if v.is_empty() {
            keys.remove(k);
        } else {
            keys.insert(k.clone());
        }
    }
    if keys.len() > 50 {
        return Err(ApiError::invalid(
            "You can have at most 50 metadata keys.",
            Some("metadata"),
        ));
    }
    let now = store.now;
    let updated = store
        .ds
        .update_metadata(object, id, &changes, now)
        .ok_or_else(|| ApiError::missing(kind, id))?;
    store.reindex();
    let answer = store.render(kind, &updated, &p.object_expand())?;
    if let Some(k) = key {
        store.idempotent.insert(k, answer.clone());
    }
    s.stats.lock().unwrap().metadata_updates_applied += 1;
    drop(store);
    Ok(answer_unless_lost(s, route, &answer))
}

async fn update_invoice(
    State(s): St,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    update_metadata(
        &s,
        Kind::Invoice,
        "invoice",
        "/v1/invoices/{id}",
        &id,
        &headers,
        &body,
    )
}

async fn update_charge(
    State(s): St,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    update_metadata(
        &s,
        Kind::Charge,
        "charge",
        "/v1/charges/{id}",
        &id,
        &headers,
        &body,
    )
}

async fn update_session(
    State(s): St,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    update_metadata(
        &s,
        Kind::Session,
        "checkout.session",
        "/v1/checkout/sessions/{id}",
        &id,
        &headers,
        &body,
    )
}

async fn create_preview(State(s): St, body: Bytes) -> ApiResult {
    let p = Params::parse(&String::from_utf8_lossy(&body));
    p.check(&["subscription", "customer"])?;
    let mut store = s.store.lock().unwrap();
    let sub_id = match (p.get("subscription"), p.get("customer")) {
        (Some(sub), _) => sub.to_string(),
        (None, Some(cus)) => store
            .ds
            .subscriptions
            .iter()
            .find(|v| {
                v["customer"] == cus
                    && !matches!(
                        v["status"].as_str(),
                        Some("canceled" | "incomplete_expired")
                    )
            })
            .and_then(|v| v["id"].as_str().map(String::from))
            .ok_or_else(|| {
                ApiError::invalid(&format!("No upcoming invoices for customer: {cus}"), None)
                    .with_code("invoice_upcoming_none")
            })?,
        (None, None) => {
            return Err(ApiError::invalid(
                "Missing required param: customer or subscription.",
                Some("subscription"),
            ))
        }
    };
    if store.get(Kind::Subscription, &sub_id).is_none() {
        return Err(ApiError::invalid(
            &format!("No such subscription: '{sub_id}'"),
            Some("subscription"),
        )
        .with_code("resource_missing"));
    }
    let now = store.now;
    match store.ds.preview_invoice(&sub_id, now) {
        Some(inv) => Ok(json_body(&store.render(
            Kind::Invoice,
            &inv,
            &p.object_expand(),
        )?)),
        None => {
            let customer = store
                .get(Kind::Subscription, &sub_id)
                .map(|v| v["customer"].clone())
                .unwrap_or_default();
            Err(ApiError::invalid(
                &format!(
                    "No upcoming invoices for customer: {}",
                    customer.as_str().unwrap_or("")
                ),
                None,
            )
            .with_code("invoice_upcoming_none"))
        }
    }
}

async fn list_subscriptions(State(s): St, RawQuery(q): RawQuery) -> ApiResult {
    let p = params(&q);
    p.check(&[LIST_COMMON, &["customer", "status", "price"]].concat())?;
    let status = p.get("status").map(String::from);
    let store = s.store.lock().unwrap();
    list_response(&store, Kind::Subscription, "/v1/subscriptions", &p, |v| {
        let st = v["status"].as_str().unwrap_or("");
        let status_ok = match status.as_deref() {
            None => !matches!(st, "canceled" | "incomplete_expired"),
            Some("all") => true,
            Some("ended") => matches!(st, "canceled" | "incomplete_expired"),
            Some(want) => st == want,
        };
        let price_ok = p
            .get("price")
            .map(|pr| {
                v["items"]["data"]
                    .as_array()
                    .map(|a| a.iter().any(|i| i["price"]["id"] == pr))
                    .unwrap_or(false)
            })
            .unwrap_or(true);
        status_ok && price_ok && matches_opt(&p, "customer", &v["customer"])
    })
}

async fn get_subscription(
    State(s): St,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::Subscription, &id, &params(&q))
}

async fn get_schedule(State(s): St, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::Schedule, &id, &params(&q))
}

async fn list_shipping_rates(State(s): St, RawQuery(q): RawQuery) -> ApiResult {
    let p = params(&q);
    p.check(&[LIST_COMMON, &["active", "currency"]].concat())?;
    let store = s.store.lock().unwrap();
    list_response(&store, Kind::ShippingRate, "/v1/shipping_rates", &p, |v| {
        let active_ok = p
            .get("active")
            .map(|a| v["active"] == (a == "true"))
            .unwrap_or(true);
        active_ok
            && p.get("currency")
                .map(|c| v["fixed_amount"]["currency"] == c)
                .unwrap_or(true)
    })
}

async fn get_shipping_rate(
    State(s): St,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::ShippingRate, &id, &params(&q))
}

async fn get_payment_method(
    State(s): St,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::PaymentMethod, &id, &params(&q))
}

async fn get_payment_intent(
    State(s): St,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::PaymentIntent, &id, &params(&q))
}

async fn get_charge(State(s): St, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::Charge, &id, &params(&q))
}

/// `GET /v1/disputes` and `GET /v1/refunds`: filtered by `payment_intent` and `charge`.
fn list_payment_objects(s: &Shared, kind: Kind, url: &str, q: &Option<String>) -> ApiResult {
    let p = params(q);
    p.check(&[LIST_COMMON, &["payment_intent", "charge"]].concat())?;
    let store = s.store.lock().unwrap();
    list_response(&store, kind, url, &p, |v| {
        matches_opt(&p, "payment_intent", &v["payment_intent"])
            && matches_opt(&p, "charge", &v["charge"])
    })
}

async fn list_products(State(s): St, RawQuery(q): RawQuery) -> ApiResult {
    let p = params(&q);
    p.check(&[LIST_COMMON, &["active", "shippable"]].concat())?;
    let store = s.store.lock().unwrap();
    list_response(&store, Kind::Product, "/v1/products", &p, |v| {
        p.get("active")
            .map(|a| v["active"] == (a == "true"))
            .unwrap_or(true)
            && p.get("shippable")
                .map(|a| v["shippable"] == (a == "true"))
                .unwrap_or(true)
    })
}

async fn list_tax_rates(State(s): St, RawQuery(q): RawQuery) -> ApiResult {
    let p = params(&q);
    p.check(&[LIST_COMMON, &["active", "inclusive"]].concat())?;
    let store = s.store.lock().unwrap();
    list_response(&store, Kind::TaxRate, "/v1/tax_rates", &p, |v| {
        p.get("active")
            .map(|a| v["active"] == (a == "true"))
            .unwrap_or(true)
            && p.get("inclusive")
                .map(|a| v["inclusive"] == (a == "true"))
                .unwrap_or(true)
    })
}

/// `POST /v1/refunds`: refunds a PaymentIntent's charge (all that is left, or `amount`), once
/// per Idempotency-Key.
async fn create_refund(State(s): St, headers: HeaderMap, body: Bytes) -> ApiResult {
    let p = Params::parse(&String::from_utf8_lossy(&body));
    p.check(&["payment_intent", "charge", "amount", "reason", "metadata["])?;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    s.stats.lock().unwrap().refund_posts.push(key.clone());
    let answer = {
        let mut store = s.store.lock().unwrap();
        match key.as_ref().and_then(|k| store.idempotent.get(k)) {
            Some(first) => first.clone(),
            None => {
                let refund = refund_now(&mut store, &p)?;
                if let Some(k) = &key {
                    store.idempotent.insert(k.clone(), refund.clone());
                }
                refund
            }
        }
    };
    Ok(answer_unless_lost(&s, "/v1/refunds", &answer))
}

fn refund_now(store: &mut Store, p: &Params) -> Result<Value, ApiError> {
    let pi = match (p.get("payment_intent"), p.get("charge")) {
        (Some(pi), _) => pi.to_owned(),
        (None, Some(ch)) => store
            .get(Kind::Charge, ch)
            .and_then(|c| c["payment_intent"].as_str())
            .ok_or_else(|| ApiError::missing(Kind::Charge, ch))?
            .to_owned(),
        (None, None) => {
            return Err(ApiError::invalid(
                "One of the following params should be provided for this request: payment_intent or charge.",
                None,
            ))
        }
    };
    let charge = store
        .get(Kind::PaymentIntent, &pi)
        .and_then(|v| v["latest_charge"].as_str())
        .and_then(|ch| store.get(Kind::Charge, ch))
        .cloned()
        .ok_or_else(|| ApiError::missing(Kind::PaymentIntent, &pi))?;
    let left = charge["amount_captured"].as_i64().unwrap_or(0)
        - charge["amount_refunded"].as_i64().unwrap_or(0);
    let amount =
        match p.get("amount") {
            None => left,
            Some(a) => a.parse::<i64>().ok().filter(|a| *a > 0).ok_or_else(|| {
                ApiError::invalid(&format!("Invalid integer: {a}"), Some("amount"))
            })?,
        };
    if left <= 0 {
        return Err(ApiError::invalid(
            &format!(
                "Charge {} has already been refunded.",
                charge["id"].as_str().unwrap_or("")
            ),
            None,
        )
        .with_code("charge_already_refunded"));
    }
    if amount > left {
        return Err(ApiError::invalid(
            &format!(
                "Refund amount ({amount}) is greater than unrefunded amount on charge ({left})"
            ),
            Some("amount"),
        )
        .with_code("amount_too_large"));
    }
    let now = store.now;
    let id = store
        .ds
        .refund(&pi, amount, now)
        .ok_or_else(|| ApiError::missing(Kind::PaymentIntent, &pi))?;
    store.reindex();
    if let Some(reason) = p.get("reason") {
        if let Some(r) = store.ds.refunds.iter_mut().find(|r| r["id"] == id.as_str()) {
            r["reason"] = json!(reason);
        }
    }
    let metadata: serde_json::Map<String, Value> = p
        .all("metadata[")
        .map(|(k, v)| (k.trim_end_matches(']').to_string(), json!(v)))
        .collect();
    let r = store
        .ds
        .refunds
        .iter_mut()
        .find(|r| r["id"] == id.as_str())
        .ok_or_else(|| ApiError::missing(Kind::Refund, &id))?;
    r["metadata"] = Value::Object(metadata);
    Ok(r.clone())
}

async fn get_dispute(State(s): St, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::Dispute, &id, &params(&q))
}

async fn list_disputes(State(s): St, RawQuery(q): RawQuery) -> ApiResult {
    list_payment_objects(&s, Kind::Dispute, "/v1/disputes", &q)
}

async fn list_refunds(State(s): St, RawQuery(q): RawQuery) -> ApiResult {
    list_payment_objects(&s, Kind::Refund, "/v1/refunds", &q)
}

async fn get_product(State(s): St, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::Product, &id, &params(&q))
}

async fn get_price(State(s): St, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::Price, &id, &params(&q))
}

async fn get_coupon(State(s): St, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::Coupon, &id, &params(&q))
}

async fn get_promotion_code(
    State(s): St,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::PromotionCode, &id, &params(&q))
}

async fn get_tax_rate(State(s): St, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::TaxRate, &id, &params(&q))
}

async fn list_events(State(s): St, RawQuery(q): RawQuery) -> ApiResult {
    let p = params(&q);
    p.check(&[LIST_COMMON, &["type", "types[]", "types["]].concat())?;
    let types: Vec<&str> = p.all("types[").map(|(_, v)| v).collect();
    let store = s.store.lock().unwrap();
    let type_matches = |pattern: &str, t: &str| match pattern.strip_suffix('*') {
        Some(prefix) => t.starts_with(prefix),
        None => pattern == t,
    };
    list_response(&store, Kind::Event, "/v1/events", &p, |v| {
        let t = v["type"].as_str().unwrap_or("");
        p.get("type")
            .map(|want| type_matches(want, t))
            .unwrap_or(true)
            && (types.is_empty() || types.iter().any(|want| type_matches(want, t)))
    })
}

async fn get_event(State(s): St, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let store = s.store.lock().unwrap();
    retrieve(&store, Kind::Event, &id, &params(&q))
}

/// The PDF of the invoice whose `invoice_pdf` link has this path: a small valid PDF document
/// whose text is the invoice number.
/// Stripe's file host is not the API, but the simulator's faults apply to it too (counted under
/// its route, the outage, the latency and the same rate limit), and `bad_pdfs` makes it answer
/// an HTML page instead.
async fn invoice_pdf(State(s): St, Path((acct, token)): Path<(String, String)>) -> Response {
    {
        let mut stats = s.stats.lock().unwrap();
        stats.requests += 1;
        *stats
            .requests_by_path
            .entry("/invoice/{acct}/{token}/pdf".to_owned())
            .or_default() += 1;
    }
    let (down, latency) = {
        let f = s.faults.lock().unwrap();
        (f.down, f.latency)
    };
    if down {
        return (StatusCode::SERVICE_UNAVAILABLE, "Service unavailable").into_response();
    }
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (allowed, bad) = {
        let mut f = s.faults.lock().unwrap();
        (f.take_token(), f.bad_pdfs)
    };
    if !allowed {
        s.stats.lock().unwrap().rate_limited += 1;
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(axum::http::header::RETRY_AFTER, "1")],
            "Too many requests",
        )
            .into_response();
    }
    if bad {
        return (
            [(axum::http::header::CONTENT_TYPE, "text/html")],
            "<html><body>Sign in to Stripe</body></html>",
        )
            .into_response();
    }
    let needle = format!("/invoice/{acct}/{token}/pdf");
    let number = {
        let store = s.store.lock().unwrap();
        store
            .vec(Kind::Invoice)
            .iter()
            .find(|inv| {
                inv["invoice_pdf"]
                    .as_str()
                    .and_then(|u| u.split('?').next())
                    .is_some_and(|u| u.ends_with(&needle))
            })
            .map(|inv| inv["number"].as_str().unwrap_or_default().to_owned())
    };
    match number {
        Some(number) => (
            [(axum::http::header::CONTENT_TYPE, "application/pdf")],
            minimal_pdf(&number),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "Not found").into_response(),
    }
}

/// A one-page PDF document showing "Invoice `text`" (the core's `pdf_cache::text_pdf`, which
/// also makes the demo store's sample invoices).
pub fn minimal_pdf(text: &str) -> Vec<u8> {
    comptoir_core::pdf_cache::text_pdf(&[(24, format!("Invoice {text}"))])
}

async fn unknown_route(uri: axum::http::Uri) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        &format!("Unrecognized request URL (GET: {}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.", uri.path()),
    );
    e.body["error"]["code"] = Value::Null;
    e
}

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/account", get(account))
        .route("/v1/customers", get(list_customers))
        .route("/v1/customers/{id}", get(get_customer))
        .route("/v1/checkout/sessions", get(list_sessions))
        .route(
            "/v1/checkout/sessions/{id}",
            get(get_session).post(update_session),
        )
        .route(
            "/v1/checkout/sessions/{id}/line_items",
            get(session_line_items),
        )
        .route("/v1/invoices", get(list_invoices))
        .route("/v1/invoices/create_preview", post(create_preview))
        .route("/v1/invoices/{id}", get(get_invoice).post(update_invoice))
        .route("/v1/subscriptions", get(list_subscriptions))
        .route("/v1/subscriptions/{id}", get(get_subscription))
        .route("/v1/subscription_schedules/{id}", get(get_schedule))
        .route("/v1/shipping_rates", get(list_shipping_rates))
        .route("/v1/shipping_rates/{id}", get(get_shipping_rate))
        .route("/v1/payment_methods/{id}", get(get_payment_method))
        .route("/v1/payment_intents/{id}", get(get_payment_intent))
        .route("/v1/charges/{id}", get(get_charge).post(update_charge))
        .route("/v1/disputes", get(list_disputes))
        .route("/v1/disputes/{id}", get(get_dispute))
        .route("/v1/refunds", get(list_refunds).post(create_refund))
        .route("/v1/products", get(list_products))
        .route("/v1/products/{id}", get(get_product))
        .route("/v1/prices/{id}", get(get_price))
        .route("/v1/coupons/{id}", get(get_coupon))
        .route("/v1/promotion_codes/{id}", get(get_promotion_code))
        .route("/v1/tax_rates", get(list_tax_rates))
        .route("/v1/tax_rates/{id}", get(get_tax_rate))
        .route("/v1/events", get(list_events))
        .route("/v1/events/{id}", get(get_event))
        .route_layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            crate::faults::gate,
        ))
        // Stripe's invoice PDF links (`https://pay.stripe.com/invoice/{acct}/{token}/pdf`), served
        // here when the app's `COMPTOIR_STRIPE_FILES_BASE` points at the simulator. Outside the
        // API gate: these links need no key.
        .route("/invoice/{acct}/{token}/pdf", get(invoice_pdf))
        .fallback(unknown_route)
        .with_state(shared)
}
