use super::*;
use serde_json::Value;
use std::collections::HashSet;

fn spec() -> DatasetSpec {
    DatasetSpec {
        orders: 400,
        one_off_invoices: 30,
        subscriptions: 60,
        deleted_customers: 4,
        ..DatasetSpec::default()
    }
}

fn fixtures_path() -> String {
    std::env::var("COMPTOIR_FIXTURES").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/stripe/fixtures3.json"
        )
        .to_string()
    })
}

#[test]
fn templates_are_verbatim_copies_of_the_fixtures() {
    let path = fixtures_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let fixtures: Value = serde_json::from_str(&text).unwrap();
    let embedded: Value = serde_json::from_str(templates::TEMPLATES_JSON).unwrap();
    let embedded = embedded["resources"].as_object().unwrap();
    assert_eq!(embedded.len(), TEMPLATE_NAMES.len());
    for name in TEMPLATE_NAMES {
        assert_eq!(
            embedded.get(*name),
            fixtures["resources"].get(*name),
            "template {name} drifted from fixtures3.json"
        );
        assert_eq!(&template(name), &fixtures["resources"][*name]);
    }
}

#[test]
fn generation_is_deterministic() {
    let a = Dataset::generate(&spec());
    let b = Dataset::generate(&spec());
    assert_eq!(a.checkout_sessions, b.checkout_sessions);
    assert_eq!(a.invoices, b.invoices);
    assert_eq!(a.subscriptions, b.subscriptions);
    assert_eq!(a.events, b.events);
    let c = Dataset::generate(&DatasetSpec { seed: 7, ..spec() });
    assert_ne!(a.checkout_sessions, c.checkout_sessions);
}

fn i(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

fn exclusive_tax(taxes: &Value) -> i64 {
    taxes
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["rate"]["inclusive"] == false)
        .map(|t| i(&t["amount"]))
        .sum()
}

#[test]
fn session_amounts_follow_stripe_rules() {
    let ds = Dataset::generate(&spec());
    for s in &ds.checkout_sessions {
        if s["mode"] == "setup" {
            assert!(s["amount_total"].is_null());
            continue;
        }
        let id = s["id"].as_str().unwrap();
        let items = &ds.session_line_items[id];
        assert!(!items.is_empty(), "{id} has no line items");
        let mut subtotal = 0;
        let mut discount = 0;
        let mut excl = 0;
        let mut tax = 0;
        for it in items {
            let line_excl = exclusive_tax(&it["taxes"]);
            assert_eq!(
                i(&it["amount_subtotal"]),
                i(&it["price"]["unit_amount"]) * i(&it["quantity"])
            );
            assert_eq!(
                i(&it["amount_total"]),
                i(&it["amount_subtotal"]) - i(&it["amount_discount"]) + line_excl,
                "line {} of {id}",
                it["id"]
            );
            let line_tax: i64 = it["taxes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| i(&t["amount"]))
                .sum();
            assert_eq!(i(&it["amount_tax"]), line_tax);
            let line_disc: i64 = it["discounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| i(&d["amount"]))
                .sum();
            assert_eq!(i(&it["amount_discount"]), line_disc);
            assert!(i(&it["amount_discount"]) <= i(&it["amount_subtotal"]));
            assert_eq!(it["currency"], s["currency"]);
            subtotal += i(&it["amount_subtotal"]);
            discount += i(&it["amount_discount"]);
            excl += line_excl;
            tax += i(&it["amount_tax"]);
        }
        let td = &s["total_details"];
        let shipping = i(&td["amount_shipping"]);
        assert_eq!(i(&s["amount_subtotal"]), subtotal, "{id}");
        assert_eq!(i(&td["amount_discount"]), discount, "{id}");
        assert_eq!(i(&td["amount_tax"]), tax, "{id}");
        assert_eq!(
            i(&s["amount_total"]),
            subtotal - discount + shipping + excl,
            "{id}"
        );
        let bd = &td["breakdown"];
        assert_eq!(
            bd["taxes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| i(&t["amount"]))
                .sum::<i64>(),
            tax
        );
        assert_eq!(exclusive_tax(&bd["taxes"]), excl);
        assert_eq!(
            bd["discounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| i(&d["amount"]))
                .sum::<i64>(),
            discount
        );
        match s["shipping_cost"].as_object() {
            Some(sc) => {
                assert_eq!(i(&sc["amount_total"]), shipping);
                let rate = sc["shipping_rate"].as_str().unwrap();
                let rate = ds
                    .shipping_rates
                    .iter()
                    .find(|r| r["id"] == rate)
                    .expect("rate exists");
                assert_eq!(i(&rate["fixed_amount"]["amount"]), shipping);
                assert_eq!(rate["fixed_amount"]["currency"], s["currency"]);
            }
            None => assert_eq!(shipping, 0),
        }
    }
}

#[test]
fn invoices_are_consistent_and_linked() {
    let ds = Dataset::generate(&spec());
    let invoices: HashMap<&str, &Value> = ds
        .invoices
        .iter()
        .map(|v| (v["id"].as_str().unwrap(), v))
        .collect();
    for inv in &ds.invoices {
        let lines = inv["lines"]["data"].as_array().unwrap();
        let subtotal: i64 = lines.iter().map(|l| i(&l["amount"])).sum();
        let excl: i64 = lines
            .iter()
            .flat_map(|l| l["taxes"].as_array().unwrap())
            .filter(|t| t["tax_behavior"] == "exclusive")
            .map(|t| i(&t["amount"]))
            .sum();
        let disc: i64 = lines
            .iter()
            .flat_map(|l| l["discount_amounts"].as_array().unwrap())
            .map(|d| i(&d["amount"]))
            .sum();
        assert_eq!(i(&inv["subtotal"]), subtotal);
        assert_eq!(
            i(&inv["total"]),
            subtotal - disc + excl + i(&inv["amount_shipping"]),
            "{}",
            inv["id"]
        );
        if inv["status"] == "paid" {
            assert_eq!(inv["amount_paid"], inv["total"]);
            let n = inv["number"].as_str().unwrap();
            assert!(n.starts_with("CPT-"), "{n}");
            assert!(inv["invoice_pdf"]
                .as_str()
                .unwrap()
                .starts_with("https://pay.stripe.com/invoice/"));
            assert!(inv["hosted_invoice_url"]
                .as_str()
                .unwrap()
                .starts_with("https://invoice.stripe.com/i/"));
        }
    }
    let mut orders = 0;
    for s in ds.checkout_sessions.iter().filter(|s| Dataset::is_order(s)) {
        orders += 1;
        if s["payment_status"] != "paid" {
            // A SEPA debit still processing or bounced: no invoice until it is paid.
            assert_eq!(s["payment_status"], "unpaid");
            let pi = ds
                .payment_intents
                .iter()
                .find(|p| p["id"] == s["payment_intent"])
                .expect("an unpaid session has its PaymentIntent");
            assert!(
                pi["status"] == "processing" || pi["status"] == "requires_payment_method",
                "{pi}"
            );
            assert!(s["invoice"].is_null());
            continue;
        }
        if let Some(id) = s["invoice"].as_str() {
            let inv = invoices.get(id).expect("session invoice exists");
            assert_eq!(inv["total"], s["amount_total"]);
            assert_eq!(inv["customer"], s["customer"]);
            assert!(inv["parent"].is_null());
        }
        if let Some(pi) = s["payment_intent"].as_str() {
            let pi = ds
                .payment_intents
                .iter()
                .find(|p| p["id"] == pi)
                .expect("payment intent exists");
            assert_eq!(pi["amount"], s["amount_total"]);
        }
    }
    assert_eq!(orders, spec().orders);
    let numbers: HashSet<&str> = ds
        .invoices
        .iter()
        .filter_map(|v| v["number"].as_str())
        .collect();
    assert_eq!(
        numbers.len(),
        ds.invoices
            .iter()
            .filter(|v| v["number"].is_string())
            .count()
    );
    let one_off = ds
        .invoices
        .iter()
        .filter(|v| {
            v["parent"].is_null()
                && v["billing_reason"] == "manual"
                && v["collection_method"] == "send_invoice"
        })
        .count();
    assert_eq!(one_off, spec().one_off_invoices);
}

#[test]
fn the_mix_covers_the_cases_the_app_handles() {
    let ds = Dataset::generate(&spec());
    let sessions = &ds.checkout_sessions;
    let has = |f: &dyn Fn(&Value) -> bool| sessions.iter().any(f);
    assert!(has(&|s| s["status"] == "open"));
    assert!(has(&|s| s["status"] == "expired"));
    assert!(has(&|s| s["mode"] == "subscription"));
    assert!(has(&|s| s["mode"] == "setup"));
    for cur in ["eur", "usd", "gbp", "jpy"] {
        assert!(
            has(&|s| Dataset::is_order(s) && s["currency"] == cur),
            "no order in {cur}"
        );
    }
    let rate_name = |s: &Value| {
        let id = s["shipping_cost"]["shipping_rate"].as_str().unwrap_or("");
        ds.shipping_rates
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["display_name"].as_str().unwrap().to_string())
    };
    // Deliveries carry an address, pickups a pickup rate and no address, some have neither.
    assert!(has(&|s| Dataset::is_order(s)
        && s["collected_information"]["shipping_details"]["address"]
            ["line1"]
            .is_string()));
    assert!(has(&|s| Dataset::is_order(s)
        && matches!(
            rate_name(s).as_deref(),
            Some("Retrait en boutique" | "Click & collect")
        )
        && s["collected_information"]["shipping_details"].is_null()));
    assert!(has(
        &|s| Dataset::is_order(s) && s["shipping_cost"].is_null()
    ));
    // Discounts, including one of 100 %.
    assert!(has(&|s| i(&s["total_details"]["amount_discount"]) > 0
        && s["discounts"][0]["promotion_code"].is_string()));
    assert!(has(&|s| Dataset::is_order(s)
        && i(&s["total_details"]["amount_discount"])
            == i(&s["amount_subtotal"])
        && i(&s["amount_subtotal"]) > 0));
    // Several tax rates on one order, inclusive and exclusive rates.
    assert!(has(&|s| s["total_details"]["breakdown"]["taxes"]
        .as_array()
        .map(|t| t.len() > 1)
        .unwrap_or(false)));
    assert!(has(&|s| s["total_details"]["breakdown"]["taxes"][0]
        ["rate"]["inclusive"]
        == true));
    assert!(has(&|s| s["total_details"]["breakdown"]["taxes"][0]
        ["rate"]["inclusive"]
        == false));
    // A cart longer than the 10 items an expanded session holds.
    assert!(ds.session_line_items.values().any(|items| items.len() > 10));

    let statuses: HashSet<&str> = ds
        .subscriptions
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    for st in ["active", "trialing", "past_due", "canceled", "incomplete"] {
        assert!(statuses.contains(st), "no {st} subscription");
    }
    let subs = &ds.subscriptions;
    assert!(subs.iter().any(|s| s["cancel_at_period_end"] == true));
    assert!(subs.iter().any(|s| s["status"] == "active"
        && s["cancel_at"].is_i64()
        && s["cancel_at_period_end"] == false));
    assert!(subs
        .iter()
        .any(|s| s["items"]["data"][0]["price"]["recurring"]["interval_count"] == 3));
    assert!(subs
        .iter()
        .any(|s| s["items"]["data"][0]["price"]["recurring"]["interval"] == "year"));
    let scheduled = subs
        .iter()
        .find(|s| s["schedule"].is_string())
        .expect("a scheduled subscription");
    let sched = ds
        .subscription_schedules
        .iter()
        .find(|x| x["id"] == scheduled["schedule"])
        .unwrap();
    assert_eq!(sched["subscription"], scheduled["id"]);
    assert!(sched["phases"].as_array().unwrap().last().unwrap()["end_date"].is_i64());
    // Defects seen on a real account (issue 8 §2): several items, no payment method of its
    // own, a past-due one with its failure and next attempt, a deleted customer's.
    assert!(subs
        .iter()
        .any(|s| s["items"]["data"].as_array().unwrap().len() > 1));
    assert!(subs.iter().any(|s| s["default_payment_method"].is_null()));
    let past_due = subs.iter().find(|s| s["status"] == "past_due").unwrap();
    let inv = ds
        .invoices
        .iter()
        .find(|v| v["id"] == past_due["latest_invoice"])
        .unwrap();
    assert!(i(&inv["attempt_count"]) > 0 && i(&inv["next_payment_attempt"]) > ds.now);
    let pi = &inv["payments"]["data"][0]["payment"]["payment_intent"];
    let pi = ds.payment_intents.iter().find(|p| p["id"] == *pi).unwrap();
    assert!(pi["last_payment_error"]["code"].is_string());
    assert!(subs.iter().any(|s| ds
        .customers
        .iter()
        .any(|c| c["id"] == s["customer"] && c["deleted"] == true)));
    for s in subs {
        let item = &s["items"]["data"][0];
        assert!(i(&item["current_period_start"]) < i(&item["current_period_end"]));
        assert!(item["price"]["product"]
            .as_str()
            .unwrap()
            .starts_with("prod_"));
        // Its own payment method, or none and the customer's default is charged.
        let pm = s["default_payment_method"].as_str().unwrap_or_else(|| {
            let c = ds
                .customers
                .iter()
                .find(|c| c["id"] == s["customer"])
                .unwrap();
            c["invoice_settings"]["default_payment_method"]
                .as_str()
                .or_else(|| (c["deleted"] == true).then_some("deleted"))
                .expect("no payment method at all")
        });
        assert!(pm == "deleted" || ds.payment_methods.iter().any(|p| p["id"] == pm));
        let sid = s["id"].as_str().unwrap();
        let invs: Vec<&Value> = ds
            .invoices
            .iter()
            .filter(|v| v["parent"]["subscription_details"]["subscription"] == sid)
            .collect();
        assert!(!invs.is_empty());
        assert_eq!(invs[0]["billing_reason"], "subscription_create");
        if s["status"] == "past_due" {
            assert!(invs.iter().any(|v| v["status"] == "open"));
        }
    }
    assert!(ds
        .invoices
        .iter()
        .any(|v| v["billing_reason"] == "subscription_cycle"));
    let pms = &ds.payment_methods;
    assert!(pms
        .iter()
        .any(|p| p["type"] == "sepa_debit" && p["sepa_debit"]["last4"].is_string()));
    assert!(pms
        .iter()
        .any(|p| p["card"]["wallet"]["type"] == "apple_pay"));
    assert!(pms.iter().any(|p| p["card"]["brand"] == "mastercard"));

    let deleted: Vec<&Value> = ds
        .customers
        .iter()
        .filter(|c| c["deleted"] == true)
        .collect();
    assert_eq!(deleted.len(), spec().deleted_customers);
    assert!(deleted.iter().all(|c| c.as_object().unwrap().len() == 3));
    assert!(ds
        .customers
        .iter()
        .any(|c| c["preferred_locales"] == serde_json::json!(["fr-FR"])));
    assert!(ds
        .customers
        .iter()
        .any(|c| c["preferred_locales"] == serde_json::json!(["en-GB"])));
    assert!(ds
        .customers
        .iter()
        .any(|c| c["name"].as_str().map(|n| n.contains('é')).unwrap_or(false)));
}

#[test]
fn ids_are_unique_and_times_shared() {
    let ds = Dataset::generate(&spec());
    let mut seen = HashSet::new();
    let all = ds
        .customers
        .iter()
        .chain(&ds.checkout_sessions)
        .chain(&ds.invoices)
        .chain(&ds.subscriptions)
        .chain(&ds.payment_intents)
        .chain(&ds.payment_methods)
        .chain(&ds.events)
        .chain(&ds.prices)
        .chain(&ds.products)
        .chain(ds.session_line_items.values().flatten());
    for v in all {
        let id = v["id"].as_str().unwrap();
        assert!(seen.insert(id.to_string()), "duplicate id {id}");
        if let Some(c) = v["created"].as_i64() {
            assert!(
                c <= ds.now && c > ds.now - 800 * generate::DAY,
                "{id} created {c}"
            );
        }
    }
    let prefix_ok =
        |vs: &[Value], p: &str| vs.iter().all(|v| v["id"].as_str().unwrap().starts_with(p));
    assert!(prefix_ok(&ds.customers, "cus_"));
    assert!(prefix_ok(&ds.checkout_sessions, "cs_test_"));
    assert!(prefix_ok(&ds.invoices, "in_"));
    assert!(prefix_ok(&ds.subscriptions, "sub_"));
    assert!(prefix_ok(&ds.shipping_rates, "shr_"));
    assert!(prefix_ok(&ds.events, "evt_"));
    // Many sessions share a second: paging by `created` would lose objects.
    let mut by_second: HashMap<i64, usize> = HashMap::new();
    for s in &ds.checkout_sessions {
        *by_second.entry(i(&s["created"])).or_default() += 1;
    }
    assert!(by_second.values().filter(|&&n| n > 1).count() > 20);
}

#[test]
fn events_follow_time_and_snapshot_objects() {
    let mut ds = Dataset::generate(&spec());
    for w in ds.events.windows(2) {
        assert!(i(&w[0]["created"]) <= i(&w[1]["created"]));
        assert!(w[0]["id"].as_str().unwrap() < w[1]["id"].as_str().unwrap());
    }
    let types: HashSet<&str> = ds
        .events
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    for t in [
        "customer.created",
        "customer.deleted",
        "checkout.session.completed",
        "invoice.paid",
        "customer.subscription.created",
    ] {
        assert!(types.contains(t), "no {t} event");
    }
    let completed = ds
        .events
        .iter()
        .find(|e| e["type"] == "checkout.session.completed")
        .unwrap();
    assert_eq!(completed["data"]["object"]["object"], "checkout.session");
    assert!(completed["data"]["object"]["total_details"]
        .get("breakdown")
        .is_none());

    let last = ds.events.last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let at = ds.now + 10;
    let sid = ds.add_order(&NewOrder::at(at));
    let s = ds
        .checkout_sessions
        .iter()
        .find(|s| s["id"] == sid.as_str())
        .unwrap()
        .clone();
    assert!(Dataset::is_order(&s));
    assert!(s["invoice"].is_string());
    let customer = s["customer"].as_str().unwrap().to_string();
    assert!(ds.update_customer_name(&customer, "Zoé Nouveau-Nom", at));
    assert!(ds.delete_customer(&customer, at + 1));
    assert!(!ds.delete_customer(&customer, at + 1));
    let inv = s["invoice"].as_str().unwrap();
    let updated = ds
        .update_invoice_metadata(inv, &[("comptoir_status".into(), "sent".into())], at + 2)
        .unwrap();
    assert_eq!(updated["metadata"]["comptoir_status"], "sent");
    let new: Vec<&str> = ds
        .events
        .iter()
        .filter(|e| e["id"].as_str().unwrap() > last.as_str())
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        new,
        [
            "checkout.session.completed",
            "invoice.paid",
            "customer.updated",
            "customer.deleted",
            "invoice.updated"
        ]
    );
}

#[test]
fn hostile_text_reaches_names_addresses_and_products() {
    let ds = Dataset::generate(&DatasetSpec {
        hostile_text: true,
        ..spec()
    });
    let text = serde_json::to_string(&ds.checkout_sessions).unwrap();
    assert!(text.contains("<img src=x onerror=alert(1)>"));
    assert!(ds.customers.iter().any(|c| c["name"]
        .as_str()
        .unwrap_or("")
        .contains("<img src=x onerror=alert(1)>")));
    assert!(ds.customers.iter().any(|c| c["address"]["line1"]
        .as_str()
        .unwrap_or("")
        .contains("<script>")));
    assert!(ds.products.iter().any(|p| p["description"]
        .as_str()
        .unwrap()
        .contains("<script>alert(1)</script>")));
    let calm = Dataset::generate(&spec());
    assert!(!serde_json::to_string(&calm.customers)
        .unwrap()
        .contains("<script>"));
}

#[test]
fn some_orders_carry_checkout_fields_in_stripes_shape() {
    let ds = Dataset::demo(1_793_491_200);
    let orders: Vec<&Value> = ds
        .checkout_sessions
        .iter()
        .filter(|s| Dataset::is_order(s))
        .collect();
    let with = |key: &str| {
        orders
            .iter()
            .flat_map(|s| s["custom_fields"].as_array().unwrap())
            .filter(|f| f["key"] == key)
            .collect::<Vec<_>>()
    };
    let gifts = with("messagecadeau");
    let wraps = with("emballage");
    let notes = with("instructionslivraison");
    assert!(
        !gifts.is_empty() && gifts.len() < orders.len(),
        "{}",
        gifts.len()
    );
    assert_eq!(wraps.len(), gifts.len(), "asked together");
    assert!(!notes.is_empty());
    assert!(gifts.iter().any(|f| f["text"]["value"].is_string()));
    assert!(
        gifts.iter().any(|f| f["text"]["value"].is_null()),
        "optional"
    );
    for f in gifts.iter().chain(&notes) {
        assert_eq!(f["type"], "text");
        assert_eq!(f["label"]["type"], "custom");
        assert!(f["text"]["maximum_length"].is_number());
    }
    for f in &wraps {
        assert_eq!(f["type"], "dropdown");
        let chosen = f["dropdown"]["value"].as_str().unwrap();
        let options = f["dropdown"]["options"].as_array().unwrap();
        assert!(options.iter().any(|o| o["value"] == chosen), "{f}");
    }
    // Sessions that are not orders ask nothing.
    assert!(ds
        .checkout_sessions
        .iter()
        .filter(|s| !Dataset::is_order(s))
        .all(|s| s["custom_fields"] == serde_json::json!([])));
    // Hostile datasets put their payload in the gift messages too.
    let hostile = Dataset::generate(&DatasetSpec {
        hostile_text: true,
        ..spec()
    });
    assert!(hostile
        .checkout_sessions
        .iter()
        .flat_map(|s| s["custom_fields"].as_array().unwrap())
        .any(|f| f["text"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("<img src=x onerror=alert(1)>"))));
}

#[test]
fn demo_is_a_small_euro_shop() {
    let ds = Dataset::demo(1_793_491_200);
    let orders: Vec<&Value> = ds
        .checkout_sessions
        .iter()
        .filter(|s| Dataset::is_order(s))
        .collect();
    assert_eq!(orders.len(), 150);
    assert_eq!(ds.subscriptions.len(), 25);
    let eur = orders.iter().filter(|s| s["currency"] == "eur").count();
    assert!(eur * 2 > orders.len());
}

/// The generated objects must parse with the Stripe client the app uses.
#[test]
fn objects_parse_with_async_stripe() {
    fn parse<T: miniserde::Deserialize>(what: &str, v: &Value) {
        let text = serde_json::to_string(v).unwrap();
        if let Err(e) = miniserde::json::from_str::<T>(&text) {
            panic!("{what} {} does not parse: {e:?}\n{text}", v["id"]);
        }
    }
    let ds = Dataset::generate(&DatasetSpec {
        hostile_text: true,
        ..spec()
    });
    parse::<stripe_connect::Account>("account", &ds.account);
    for v in &ds.checkout_sessions {
        let mut v = v.clone();
        let items: Vec<Value> = ds.session_line_items[v["id"].as_str().unwrap()].clone();
        v["line_items"] =
            serde_json::json!({"object": "list", "data": items, "has_more": false, "url": "/v1/x"});
        parse::<stripe_checkout::CheckoutSession>("session", &v);
    }
    for v in &ds.invoices {
        parse::<stripe_billing::Invoice>("invoice", v);
    }
    for v in &ds.subscriptions {
        parse::<stripe_billing::Subscription>("subscription", v);
    }
    for v in ds.customers.iter().filter(|c| c["deleted"] != true) {
        parse::<stripe_core::Customer>("customer", v);
    }
    for v in &ds.shipping_rates {
        parse::<stripe_product::ShippingRate>("shipping rate", v);
    }
    for v in ds.events.iter().take(200) {
        parse::<stripe_core::Event>("event", v);
    }
}

#[test]
fn previews_bill_the_next_period_only_when_there_is_one() {
    let mut ds = Dataset::generate(&spec());
    let subs = ds.subscriptions.clone();
    let active = subs
        .iter()
        .find(|s| s["status"] == "active" && s["cancel_at"].is_null())
        .unwrap();
    let id = active["id"].as_str().unwrap();
    let inv = ds.preview_invoice(id, ds.now).unwrap();
    assert!(inv["id"].as_str().unwrap().starts_with("upcoming_in_"));
    assert_eq!(inv["status"], "draft");
    assert_eq!(inv["parent"]["subscription_details"]["subscription"], id);
    let item = &active["items"]["data"][0];
    assert_eq!(
        inv["lines"]["data"][0]["period"]["start"],
        item["current_period_end"]
    );
    let every_item: i64 = active["items"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| i(&it["price"]["unit_amount"]) * i(&it["quantity"]))
        .sum();
    assert_eq!(i(&inv["total"]), every_item);
    assert!(!ds.invoices.iter().any(|v| v["id"] == inv["id"]));
    let canceled = subs.iter().find(|s| s["status"] == "canceled").unwrap();
    assert!(ds
        .preview_invoice(canceled["id"].as_str().unwrap(), ds.now)
        .is_none());
    let ending = subs
        .iter()
        .find(|s| s["cancel_at_period_end"] == true)
        .unwrap();
    assert!(ds
        .preview_invoice(ending["id"].as_str().unwrap(), ds.now)
        .is_none());
}

#[test]
fn tiny_and_empty_specs_generate() {
    for (orders, subscriptions, deleted) in [(0, 0, 0), (1, 0, 5), (0, 1, 0), (3, 2, 1)] {
        let ds = Dataset::generate(&DatasetSpec {
            orders,
            subscriptions,
            one_off_invoices: 0,
            deleted_customers: deleted,
            ..spec()
        });
        assert_eq!(
            ds.checkout_sessions
                .iter()
                .filter(|s| Dataset::is_order(s))
                .count(),
            orders
        );
        assert_eq!(ds.subscriptions.len(), subscriptions);
    }
}
