//! The simulator over real HTTP: Stripe's paging, expansion, errors and faults as a client sees
//! them.

use comptoir_core::dataset::{Dataset, DatasetSpec, NewOrder, OrderShipping};
use comptoir_stripe_sim::{SimConfig, SimHandle, Simulator};
use serde_json::Value;
use std::collections::HashSet;
use std::time::Duration;

const KEY: &str = "sk_test_simulator_key_abcd";

fn spec() -> DatasetSpec {
    DatasetSpec {
        orders: 150,
        one_off_invoices: 12,
        subscriptions: 25,
        deleted_customers: 3,
        ..DatasetSpec::default()
    }
}

async fn start(spec: DatasetSpec) -> (SimHandle, Dataset) {
    let ds = Dataset::generate(&spec);
    let sim = Simulator::start(
        ds.clone(),
        SimConfig {
            api_key: KEY.into(),
            ..SimConfig::default()
        },
    )
    .await;
    (sim, ds)
}

struct Api {
    base: String,
    client: reqwest::Client,
}

impl Api {
    fn new(sim: &SimHandle) -> Self {
        Api {
            base: sim.base_url(),
            client: reqwest::Client::new(),
        }
    }

    async fn get_with_key(
        &self,
        path: &str,
        key: &str,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let r = self
            .client
            .get(format!("{}{}", self.base, path))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, r.json().await.unwrap(), headers)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let (s, v, _) = self.get_with_key(path, KEY).await;
        (s, v)
    }

    async fn ok(&self, path: &str) -> Value {
        let (s, v) = self.get(path).await;
        assert_eq!(s, 200, "GET {path}: {v}");
        v
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let body: String = form_encode(form);
        let r = self
            .client
            .post(format!("{}{}", self.base, path))
            .bearer_auth(KEY)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    /// Every object of a list, following `starting_after`.
    async fn all(&self, path: &str, limit: usize) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut out: Vec<Value> = Vec::new();
        loop {
            let mut url = format!("{path}{sep}limit={limit}");
            if let Some(last) = out.last() {
                url.push_str(&format!("&starting_after={}", last["id"].as_str().unwrap()));
            }
            let page = self.ok(&url).await;
            let data = page["data"].as_array().unwrap().clone();
            assert!(data.len() <= limit);
            let more = page["has_more"] == true;
            out.extend(data);
            if !more {
                return out;
            }
        }
    }
}

fn form_encode(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn ids(vs: &[Value]) -> Vec<String> {
    vs.iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

fn assert_same_set(got: &[String], want: &[String], what: &str) {
    let set: HashSet<&String> = got.iter().collect();
    assert_eq!(set.len(), got.len(), "{what}: an object was returned twice");
    assert_eq!(
        set,
        want.iter().collect::<HashSet<_>>(),
        "{what}: objects missing or extra"
    );
}

#[tokio::test]
async fn pagination_visits_every_object_once_despite_shared_seconds() {
    let (sim, ds) = start(spec()).await;
    let api = Api::new(&sim);
    let mut seconds = HashSet::new();
    assert!(
        ds.checkout_sessions
            .iter()
            .any(|s| !seconds.insert(s["created"].as_i64().unwrap())),
        "the dataset must have sessions sharing a second"
    );

    let sessions = api.all("v1/checkout/sessions", 7).await;
    assert_same_set(&ids(&sessions), &ids(&ds.checkout_sessions), "sessions");
    for w in sessions.windows(2) {
        assert!(
            w[0]["created"].as_i64() >= w[1]["created"].as_i64(),
            "newest first"
        );
    }
    let invoices = api.all("v1/invoices", 100).await;
    assert_same_set(&ids(&invoices), &ids(&ds.invoices), "invoices");
    let live: Vec<Value> = ds
        .customers
        .iter()
        .filter(|c| c["deleted"] != true)
        .cloned()
        .collect();
    assert_same_set(
        &ids(&api.all("v1/customers", 13).await),
        &ids(&live),
        "customers",
    );
    let all_subs = api.all("v1/subscriptions?status=all", 4).await;
    assert_same_set(&ids(&all_subs), &ids(&ds.subscriptions), "subscriptions");
    let default_subs = api.all("v1/subscriptions", 100).await;
    assert!(default_subs.iter().all(|s| s["status"] != "canceled"));
    assert!(default_subs.len() < all_subs.len());
    assert_same_set(
        &ids(&api.all("v1/events", 9).await),
        &ids(&ds.events),
        "events",
    );

    // Backwards with ending_before from the oldest visits the same objects.
    let mut back: Vec<Value> = Vec::new();
    let mut cursor = sessions.last().unwrap()["id"].as_str().unwrap().to_string();
    back.push(sessions.last().unwrap().clone());
    loop {
        let page = api
            .ok(&format!(
                "v1/checkout/sessions?limit=11&ending_before={cursor}"
            ))
            .await;
        let data = page["data"].as_array().unwrap();
        if data.is_empty() {
            break;
        }
        cursor = data[0]["id"].as_str().unwrap().to_string();
        back.extend(data.iter().cloned());
        if page["has_more"] != true {
            break;
        }
    }
    assert_same_set(
        &ids(&back),
        &ids(&ds.checkout_sessions),
        "sessions backwards",
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn filters_narrow_lists() {
    let (sim, ds) = start(spec()).await;
    let api = Api::new(&sim);
    let complete = api.all("v1/checkout/sessions?status=complete", 100).await;
    let want: Vec<Value> = ds
        .checkout_sessions
        .iter()
        .filter(|s| s["status"] == "complete")
        .cloned()
        .collect();
    assert_same_set(&ids(&complete), &ids(&want), "status=complete");

    let customer = ds
        .checkout_sessions
        .iter()
        .find_map(|s| s["customer"].as_str())
        .unwrap();
    let theirs = api
        .all(&format!("v1/checkout/sessions?customer={customer}"), 100)
        .await;
    assert!(!theirs.is_empty() && theirs.iter().all(|s| s["customer"] == customer));

    let t = ds.now - 90 * 86_400;
    let recent = api.all(&format!("v1/invoices?created[gte]={t}"), 100).await;
    let want: Vec<Value> = ds
        .invoices
        .iter()
        .filter(|v| v["created"].as_i64().unwrap() >= t)
        .cloned()
        .collect();
    assert_same_set(&ids(&recent), &ids(&want), "created[gte]");

    let sub = &ds.subscriptions[0];
    let sub_id = sub["id"].as_str().unwrap();
    let invs = api
        .all(&format!("v1/invoices?subscription={sub_id}"), 100)
        .await;
    assert!(!invs.is_empty());
    assert!(invs
        .iter()
        .all(|v| v["parent"]["subscription_details"]["subscription"] == sub_id));

    let active = api.all("v1/shipping_rates?active=true", 100).await;
    assert!(active.iter().all(|r| r["active"] == true));
    assert_eq!(
        api.all("v1/shipping_rates", 100).await.len(),
        ds.shipping_rates.len()
    );
    assert!(active.len() < ds.shipping_rates.len());

    let paid = api.all("v1/events?type=invoice.paid", 100).await;
    assert!(!paid.is_empty() && paid.iter().all(|e| e["type"] == "invoice.paid"));
    let some = api
        .all(
            "v1/events?types[]=customer.created&types[]=invoice.paid",
            100,
        )
        .await;
    assert!(some.iter().any(|e| e["type"] == "customer.created"));
    assert!(some
        .iter()
        .all(|e| e["type"] == "customer.created" || e["type"] == "invoice.paid"));
    sim.shutdown().await;
}

#[tokio::test]
async fn expand_replaces_ids_with_objects() {
    let (sim, ds) = start(spec()).await;
    let api = Api::new(&sim);
    let page = api.ok("v1/checkout/sessions?limit=20&status=complete&expand[]=data.customer&expand[]=data.payment_intent").await;
    let data = page["data"].as_array().unwrap();
    assert!(data.iter().any(|s| s["customer"]["object"] == "customer"));
    assert!(data
        .iter()
        .any(|s| s["payment_intent"]["object"] == "payment_intent"));

    // serde_qs style, and a nested path through a list.
    let subs = api.ok("v1/subscriptions?limit=5&expand[0]=data.items.data.price.product&expand[1]=data.default_payment_method").await;
    let mut expanded_pms = 0;
    for s in subs["data"].as_array().unwrap() {
        assert_eq!(
            s["items"]["data"][0]["price"]["product"]["object"],
            "product"
        );
        // Some subscriptions charge the customer's default payment method: theirs is null.
        if !s["default_payment_method"].is_null() {
            assert_eq!(s["default_payment_method"]["object"], "payment_method");
            expanded_pms += 1;
        }
    }
    assert!(
        expanded_pms > 0,
        "some subscription has its own payment method, expanded"
    );

    // A list expansion must name `data.`.
    let (status, err) = api.get("v1/subscriptions?expand[]=customer").await;
    assert_eq!(status, 400, "{err}");
    // A deleted customer expands to its deleted form.
    let deleted = ds.customers.iter().find(|c| c["deleted"] == true).unwrap()["id"]
        .as_str()
        .unwrap();
    let with_deleted = ds
        .checkout_sessions
        .iter()
        .find(|s| s["customer"] == deleted)
        .unwrap();
    let s = api
        .ok(&format!(
            "v1/checkout/sessions/{}?expand[]=customer",
            with_deleted["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        s["customer"],
        serde_json::json!({"id": deleted, "object": "customer", "deleted": true})
    );
    let c = api.ok(&format!("v1/customers/{deleted}")).await;
    assert_eq!(c["deleted"], true);
    // Discount names come through the session's `discounts.coupon`.
    let discounted = ds
        .checkout_sessions
        .iter()
        .find(|s| s["discounts"][0]["coupon"].is_string())
        .unwrap();
    let s = api
        .ok(&format!(
            "v1/checkout/sessions/{}?expand[]=discounts.coupon",
            discounted["id"].as_str().unwrap()
        ))
        .await;
    assert!(s["discounts"][0]["coupon"]["name"].is_string());
    let (status, _) = api
        .get(&format!(
            "v1/checkout/sessions/{}?expand[]=nonsense",
            discounted["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn includable_fields_only_when_expanded() {
    let (sim, ds) = start(spec()).await;
    let api = Api::new(&sim);
    let (big, items) = ds
        .session_line_items
        .iter()
        .find(|(_, items)| items.len() > 10)
        .unwrap();
    let plain = api.ok(&format!("v1/checkout/sessions/{big}")).await;
    assert!(plain.get("line_items").is_none());
    assert!(plain["total_details"].get("breakdown").is_none());

    let full = api
        .ok(&format!(
            "v1/checkout/sessions/{big}?expand[]=line_items&expand[]=total_details.breakdown"
        ))
        .await;
    let li = &full["line_items"];
    assert_eq!(li["data"].as_array().unwrap().len(), 10);
    assert_eq!(li["has_more"], true);
    assert!(li["data"][0].get("taxes").is_none());
    assert!(full["total_details"]["breakdown"]["taxes"].is_array());

    let all = api
        .all(&format!("v1/checkout/sessions/{big}/line_items"), 4)
        .await;
    assert_eq!(ids(&all), ids(items), "line items in cart order");
    let with_taxes = api
        .ok(&format!(
            "v1/checkout/sessions/{big}/line_items?expand[]=data.taxes&expand[]=data.price.product"
        ))
        .await;
    assert!(with_taxes["data"][0]["taxes"].is_array());
    assert_eq!(
        with_taxes["data"][0]["price"]["product"]["object"],
        "product"
    );
    let nested = api
        .ok(&format!(
            "v1/checkout/sessions/{big}?expand[]=line_items.data.price.product"
        ))
        .await;
    assert_eq!(
        nested["line_items"]["data"][0]["price"]["product"]["object"],
        "product"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn errors_have_stripe_shapes() {
    let (sim, _) = start(spec()).await;
    let api = Api::new(&sim);
    let wrong = "sk_test_not_the_right_key_9876";
    let (status, body, _) = api.get_with_key("v1/customers", wrong).await;
    assert_eq!(status, 401);
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("Invalid API Key provided: sk_test_"),
        "{msg}"
    );
    assert!(msg.ends_with("9876") && !msg.contains(wrong), "{msg}");
    let (status, _, _) = api.get_with_key("v1/customers", "").await;
    assert_eq!(status, 401);

    let (status, body) = api.get("v1/checkout/sessions?mode=payment").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert_eq!(body["error"]["message"], "Received unknown parameter: mode");
    assert_eq!(body["error"]["param"], "mode");
    assert_eq!(api.get("v1/customers?limit=0").await.0, 400);
    assert_eq!(api.get("v1/customers?limit=101").await.0, 400);

    let (status, body) = api.get("v1/invoices/in_doesnotexist").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "resource_missing");
    let (status, body) = api
        .get("v1/customers?starting_after=cus_doesnotexist")
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "resource_missing");
    sim.shutdown().await;
}

#[tokio::test]
async fn rate_limit_and_server_errors_are_injected_and_counted() {
    let (sim, _) = start(spec()).await;
    let api = Api::new(&sim);
    sim.set_faults(Duration::ZERO, Some(3), 0.0);
    let mut limited = 0;
    for _ in 0..12 {
        let (status, body, headers) = api.get_with_key("v1/account", KEY).await;
        if status == 429 {
            limited += 1;
            assert_eq!(body["error"]["code"], "rate_limit");
            assert_eq!(headers["stripe-should-retry"], "true");
            assert_eq!(headers["retry-after"], "1");
        }
    }
    assert!(limited >= 6, "only {limited} of 12 rate-limited");
    assert_eq!(sim.stats().rate_limited, limited);

    sim.set_faults(Duration::ZERO, None, 1.0);
    let (status, body, headers) = api.get_with_key("v1/account", KEY).await;
    assert_eq!(status, 500);
    assert_eq!(body["error"]["type"], "api_error");
    assert_eq!(headers["stripe-should-retry"], "true");
    assert_eq!(sim.stats().injected_errors, 1);

    sim.set_faults(Duration::from_millis(30), None, 0.0);
    let t = std::time::Instant::now();
    api.ok("v1/account").await;
    assert!(t.elapsed() >= Duration::from_millis(30));
    let stats = sim.stats();
    assert_eq!(stats.requests, 14);
    assert_eq!(stats.requests_by_path["/v1/account"], 14);
    sim.reset_stats();
    assert_eq!(sim.stats().requests, 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn connections_are_counted() {
    let (sim, _) = start(spec()).await;
    let pooled = Api::new(&sim);
    for _ in 0..5 {
        pooled.ok("v1/account").await;
    }
    assert_eq!(
        sim.stats().connections,
        1,
        "a pooling client reuses one connection"
    );
    sim.reset_stats();
    for _ in 0..4 {
        Api::new(&sim).ok("v1/account").await;
    }
    assert_eq!(sim.stats().connections, 4);
    assert_eq!(sim.stats().requests, 4);
    sim.shutdown().await;
}

#[tokio::test]
async fn events_cursor_semantics() {
    let (sim, ds) = start(spec()).await;
    let api = Api::new(&sim);
    let all = api.all("v1/events", 100).await;
    assert_eq!(all.len(), ds.events.len());
    // Newest first; ids increase with time.
    assert_eq!(all[0]["id"], ds.events.last().unwrap()["id"]);
    let mid = all.len() / 2;
    let x = all[mid]["id"].as_str().unwrap();
    let newer = api
        .ok(&format!("v1/events?ending_before={x}&limit=3"))
        .await;
    assert_eq!(
        ids(newer["data"].as_array().unwrap()),
        ids(&all[mid - 3..mid]),
        "the 3 events just newer than X"
    );
    assert_eq!(newer["has_more"], true);
    let older = api
        .ok(&format!("v1/events?starting_after={x}&limit=2"))
        .await;
    assert_eq!(
        ids(older["data"].as_array().unwrap()),
        ids(&all[mid + 1..mid + 3])
    );

    // New activity shows up before the stored cursor.
    let cursor = all[0]["id"].as_str().unwrap().to_string();
    let empty = api.ok(&format!("v1/events?ending_before={cursor}")).await;
    assert!(empty["data"].as_array().unwrap().is_empty());
    assert_eq!(empty["has_more"], false);
    let session = sim.add_order(NewOrder {
        created: sim.now(),
        customer: None,
        shipping: OrderShipping::Pickup,
        items: 12,
        with_invoice: true,
    });
    let customer = ds.customers.iter().find(|c| c["deleted"] != true).unwrap()["id"]
        .as_str()
        .unwrap();
    assert!(sim.update_customer(customer, "Zoé « Nouvelle » Cliente"));
    let new = api.ok(&format!("v1/events?ending_before={cursor}")).await;
    let types: Vec<&str> = new["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "customer.updated",
            "invoice.paid",
            "checkout.session.completed"
        ]
    );
    assert_eq!(new["data"][2]["data"]["object"]["id"], session.as_str());
    let s = api
        .ok(&format!(
            "v1/checkout/sessions/{session}?expand[]=line_items"
        ))
        .await;
    assert_eq!(s["line_items"]["has_more"], true);

    // A cursor older than Stripe's 30 days of events is refused.
    sim.set_now(sim.now() + 31 * 86_400);
    let (status, body) = api.get(&format!("v1/events?ending_before={cursor}")).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "resource_missing");
    assert!(api.ok("v1/events").await["data"]
        .as_array()
        .unwrap()
        .is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn writes_and_previews() {
    let (sim, ds) = start(spec()).await;
    let api = Api::new(&sim);
    let inv = ds.invoices.iter().find(|v| v["status"] == "paid").unwrap()["id"]
        .as_str()
        .unwrap();
    let (status, body) = api
        .post(
            &format!("v1/invoices/{inv}"),
            &[
                ("metadata[comptoir_status]", "sent"),
                ("metadata[tracking]", "6A123"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["metadata"]["comptoir_status"], "sent");
    let again = api.ok(&format!("v1/invoices/{inv}")).await;
    assert_eq!(again["metadata"]["tracking"], "6A123");
    let ev = api.ok("v1/events?type=invoice.updated").await;
    assert_eq!(ev["data"][0]["data"]["object"]["id"], inv);
    assert_eq!(
        api.post(&format!("v1/invoices/{inv}"), &[("description", "x")])
            .await
            .0,
        400
    );

    let active = ds
        .subscriptions
        .iter()
        .find(|s| s["status"] == "active" && s["cancel_at"].is_null())
        .unwrap();
    let (status, preview) = api
        .post(
            "v1/invoices/create_preview",
            &[("subscription", active["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert!(preview["id"].as_str().unwrap().starts_with("upcoming_in_"));
    assert_eq!(
        preview["lines"]["data"][0]["period"]["start"],
        active["items"]["data"][0]["current_period_end"]
    );
    let canceled = ds
        .subscriptions
        .iter()
        .find(|s| s["status"] == "canceled")
        .unwrap();
    let (status, body) = api
        .post(
            "v1/invoices/create_preview",
            &[("subscription", canceled["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invoice_upcoming_none");

    let sched = active["schedule"].as_str().map(String::from).or_else(|| {
        ds.subscriptions
            .iter()
            .find_map(|s| s["schedule"].as_str().map(String::from))
    });
    let sc = api
        .ok(&format!("v1/subscription_schedules/{}", sched.unwrap()))
        .await;
    assert_eq!(sc["object"], "subscription_schedule");
    let pm = active["default_payment_method"].as_str().unwrap();
    assert_eq!(api.ok(&format!("v1/payment_methods/{pm}")).await["id"], pm);

    // Deleting a customer: retrievable in deleted form, gone from the list.
    let victim = ds
        .customers
        .iter()
        .rev()
        .find(|c| c["deleted"] != true)
        .unwrap()["id"]
        .as_str()
        .unwrap();
    assert!(sim.delete_customer(victim));
    assert_eq!(
        api.ok(&format!("v1/customers/{victim}")).await["deleted"],
        true
    );
    let listed = api.all("v1/customers", 100).await;
    assert!(!listed.iter().any(|c| c["id"] == victim));
    let snap = sim.snapshot();
    assert!(snap
        .customers
        .iter()
        .any(|c| c["id"] == victim && c["deleted"] == true));
    sim.shutdown().await;
}

#[tokio::test]
async fn the_binary_prints_its_base_url_and_serves() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_comptoir-stripe-sim"))
        .args(["--orders", "20", "--subscriptions", "3", "--key", KEY])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("COMPTOIR_STRIPE_API_BASE=")
        .expect("first line names the base URL")
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:") && base.ends_with('/'));
    let r = reqwest::Client::new()
        .get(format!("{base}v1/account"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
}
