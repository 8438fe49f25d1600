//! The offline invoice PDF cache (README: Architecture, Offline invoice PDFs), over real HTTP
//! against the Stripe simulator, which serves each invoice's PDF: after a sync the cache holds
//! the orders' and subscriptions' invoice PDFs within its limit, eviction keeps the newest, a
//! non-PDF answer is refused and retried later without holding up the others, a changed link or
//! a voided invoice replaces its copy, no invoice id writes outside the cache folder, and opening
//! an invoice PDF (by its invoice's id) opens the cached file, online or off; without one it
//! opens Stripe's link online and says so plainly offline, as the background sync decides.

mod support;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use comptoir_core::dataset::Dataset;
use comptoir_core::invoice_pdf::FILES_BASE_ENV;
use comptoir_core::model::OrderQuery;
use comptoir_core::pdf_cache::{self, CacheOptions, Origin};
use comptoir_core::problem::Problem;
use comptoir_core::store::Store;
use comptoir_core::workspace::pdfs::PdfToOpen;
use serde_json::Value;
use support::TestShop;

fn shop() -> TestShop {
    TestShop::new()
        .orders(24)
        .one_off_invoices(3)
        .subscriptions(6)
        .deleted_customers(0)
}

/// Downloads from the simulator, fast: the pacing is the app's, only quicker.
fn options(base: &str) -> CacheOptions {
    CacheOptions {
        files_base: Some(base.to_owned()),
        per_second: 200.0,
        ..CacheOptions::default()
    }
}

fn never() -> impl Fn() -> bool + Send + Sync {
    || false
}

fn id_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(id) => Some(id),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// The invoices whose PDF the cache should hold, read from the simulator's raw objects: those
/// of completed payment sessions, of paid one-off invoices and of subscriptions, with a PDF
/// link; each with its number and the date its order or subscription invoice has.
fn expected(ds: &Dataset) -> HashMap<String, (String, i64)> {
    let mut created: HashMap<&str, i64> = HashMap::new();
    for s in &ds.checkout_sessions {
        if s["mode"] == "payment" && s["status"] == "complete" {
            if let Some(inv) = id_of(&s["invoice"]) {
                created.insert(inv, s["created"].as_i64().unwrap());
            }
        }
    }
    let mut out = HashMap::new();
    for inv in &ds.invoices {
        let id = inv["id"].as_str().unwrap();
        let subscription = id_of(&inv["subscription"]).is_some()
            || id_of(&inv["parent"]["subscription_details"]["subscription"]).is_some();
        let one_off = inv["status"] == "paid" && !subscription;
        let of_session = created.contains_key(id);
        if !(subscription || one_off || of_session) || !inv["invoice_pdf"].is_string() {
            continue;
        }
        // An order is dated by its session, a one-off invoice order by its payment.
        let at = match created.get(id) {
            Some(at) => *at,
            None if one_off => inv["status_transitions"]["paid_at"]
                .as_i64()
                .unwrap_or_else(|| inv["created"].as_i64().unwrap()),
            None => inv["created"].as_i64().unwrap(),
        };
        let number = inv["number"].as_str().unwrap_or_default().to_owned();
        out.insert(id.to_owned(), (number, at));
    }
    out
}

/// The PDF files in the cache folder, by invoice id (the file's stem), with their bytes.
fn cached(dir: &Path) -> HashMap<String, Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return HashMap::new();
    };
    entries
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(
                name.ends_with(".pdf") && !name.starts_with('.'),
                "only finished PDFs in the cache, not {name}"
            );
            (
                name.trim_end_matches(".pdf").to_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

async fn cache_pass(store: &Store, dir: &Path, opts: &CacheOptions) -> pdf_cache::PassReport {
    pdf_cache::run_pass(store, dir, Origin::Stripe, opts, &never())
        .await
        .unwrap()
}

#[tokio::test]
async fn after_a_sync_the_cache_holds_every_orders_and_subscriptions_invoice_pdf() {
    let shop = shop().start().await;
    let store = shop.synced_store().await;
    let want = expected(&shop.sim.snapshot());
    assert!(
        want.len() >= 20,
        "orders and subscription invoices: {}",
        want.len()
    );
    let dir = shop.dir.path().join(pdf_cache::DIR_NAME);
    let report = cache_pass(&store, &dir, &options(&shop.sim.base_url())).await;
    assert_eq!(report.downloaded as usize, want.len(), "{report:?}");
    assert_eq!((report.failed, report.evicted), (0, 0));

    let files = cached(&dir);
    let ids: HashSet<&String> = files.keys().collect();
    assert_eq!(ids, want.keys().collect::<HashSet<_>>());
    for (id, bytes) in &files {
        assert!(bytes.starts_with(b"%PDF-"), "{id} is a PDF");
        let number = &want[id].0;
        assert!(
            String::from_utf8_lossy(bytes).contains(number.as_str()),
            "{id}'s file is its invoice {number}"
        );
    }
    let total: usize = files.values().map(Vec::len).sum();
    assert!((total as u64) < pdf_cache::DEFAULT_LIMIT_BYTES);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700, "the cache folder is the user's alone");
        for id in files.keys() {
            assert_eq!(mode(&dir.join(format!("{id}.pdf"))), 0o600, "{id}");
        }
    }

    // A second pass has nothing to do: not one request for a PDF already there.
    shop.sim.reset_stats();
    let again = cache_pass(&store, &dir, &options(&shop.sim.base_url())).await;
    assert_eq!(again.downloaded + again.failed, 0, "{again:?}");
    assert_eq!(shop.sim.stats().requests, 0);
    shop.sim.shutdown().await;
}

#[tokio::test]
async fn a_size_limit_keeps_the_newest_invoices() {
    let shop = shop().start().await;
    let store = shop.synced_store().await;
    let want = expected(&shop.sim.snapshot());
    let dir = shop.dir.path().join(pdf_cache::DIR_NAME);
    let opts = options(&shop.sim.base_url());
    cache_pass(&store, &dir, &opts).await;
    let all = cached(&dir);

    // Room for the newest eight only.
    let mut newest: Vec<(&String, i64)> = want.iter().map(|(id, (_, at))| (id, *at)).collect();
    newest.sort_by_key(|(id, at)| (std::cmp::Reverse(*at), std::cmp::Reverse((*id).clone())));
    let limit: usize = newest[..8].iter().map(|(id, _)| all[*id].len()).sum();
    pdf_cache::set_limit_bytes(&store, limit as u64)
        .await
        .unwrap();
    assert_eq!(pdf_cache::limit_bytes(&store).await.unwrap(), limit as u64);

    shop.sim.reset_stats();
    let report = cache_pass(&store, &dir, &opts).await;
    assert_eq!(report.downloaded, 0, "nothing new to fetch: {report:?}");
    assert_eq!(report.evicted as usize, want.len() - 8);
    let kept = cached(&dir);
    assert_eq!(kept.len(), 8);
    assert!(kept.values().map(Vec::len).sum::<usize>() <= limit);
    let oldest_kept = kept.keys().map(|id| want[id].1).min().unwrap();
    for (id, (_, at)) in &want {
        if !kept.contains_key(id) {
            assert!(
                *at <= oldest_kept,
                "{id} evicted though newer than one kept"
            );
        }
    }
    // The evicted ones are not fetched again while the cache is full.
    let again = cache_pass(&store, &dir, &opts).await;
    assert_eq!((again.downloaded, again.evicted), (0, 0), "{again:?}");
    assert_eq!(
        shop.sim.stats().requests,
        0,
        "no PDF fetched only to be evicted"
    );

    // From empty, with that limit: the newest come first and the pass stops once full.
    let fresh = shop.dir.path().join("another-cache");
    sqlx_reset(&store).await;
    let report = cache_pass(&store, &fresh, &opts).await;
    let kept = cached(&fresh);
    assert_eq!(kept.len(), 8, "{report:?}");
    assert!(
        (report.downloaded as usize) < want.len(),
        "the pass stopped when full: {report:?}"
    );
    let oldest_kept = kept.keys().map(|id| want[id].1).min().unwrap();
    for (id, (_, at)) in &want {
        if !kept.contains_key(id) {
            assert!(
                *at <= oldest_kept,
                "{id} missing though newer than one kept"
            );
        }
    }
    shop.sim.shutdown().await;
}

/// Forgets what the cache knew (its files stay where they were).
async fn sqlx_reset(store: &Store) {
    sqlx::query("DELETE FROM pdf_cache")
        .execute(store.pool())
        .await
        .unwrap();
}

/// A local server that answers every request with an HTML page, status 200.
async fn html_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = "<html><body>Sign in to Stripe</body></html>";
    let answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf).await;
                let _ = conn.write_all(answer.as_bytes()).await;
                let _ = conn.shutdown().await;
            });
        }
    });
    format!("http://{addr}/")
}

/// Makes every failed download due now, as if its retry delay had passed.
async fn time_passes(store: &Store) {
    sqlx::query("UPDATE pdf_cache SET next_attempt_at = 0 WHERE state = 'failed'")
        .execute(store.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_non_pdf_answer_is_refused_retried_later_and_holds_up_nothing_else() {
    let shop = shop().start().await;
    let store = shop.synced_store().await;
    let want = expected(&shop.sim.snapshot());
    let dir = shop.dir.path().join(pdf_cache::DIR_NAME);

    // A sign-in page instead of PDFs (the simulator's file host, status 200): refused, nothing
    // written, each retried later.
    let opts = options(&shop.sim.base_url());
    shop.sim.serve_bad_pdfs(true);
    let report = cache_pass(&store, &dir, &opts).await;
    assert_eq!(report.failed as usize, want.len(), "{report:?}");
    assert_eq!(report.downloaded, 0);
    assert!(!report.offline, "a bad answer is not the network gone");
    assert!(cached(&dir).is_empty(), "no file from a non-PDF answer");
    assert!(report.next_retry_at.unwrap() > comptoir_core::store::now());
    // Another host answering HTML (a captive portal): the same.
    let html = html_server().await;
    sqlx_reset(&store).await;
    let report = cache_pass(&store, &dir, &options(&html)).await;
    assert_eq!(report.failed as usize, want.len(), "{report:?}");
    assert!(cached(&dir).is_empty(), "no file from a non-PDF answer");

    // Stripe answers again, but the retry is not due: no request yet.
    shop.sim.serve_bad_pdfs(false);
    shop.sim.reset_stats();
    let early = cache_pass(&store, &dir, &opts).await;
    assert_eq!(early.downloaded + early.failed, 0, "{early:?}");
    assert_eq!(shop.sim.stats().requests, 0);

    // One invoice's link now leads to a 404 (Stripe has no such PDF), the others to PDFs: all
    // but that one are cached.
    let broken = want.keys().min().unwrap().clone();
    sqlx::query("UPDATE invoices SET invoice_pdf = ?1 WHERE id = ?2")
        .bind("https://pay.stripe.com/invoice/acct_1/test_gone/pdf")
        .bind(&broken)
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query(
        "UPDATE orders SET detail = json_set(detail, '$.invoice_pdf', ?1) WHERE invoice_id = ?2",
    )
    .bind("https://pay.stripe.com/invoice/acct_1/test_gone/pdf")
    .bind(&broken)
    .execute(store.pool())
    .await
    .unwrap();
    time_passes(&store).await;
    let report = cache_pass(&store, &dir, &opts).await;
    assert_eq!(report.downloaded as usize, want.len() - 1, "{report:?}");
    assert_eq!(report.failed, 1);
    let files = cached(&dir);
    assert_eq!(files.len(), want.len() - 1);
    assert!(!files.contains_key(&broken));

    // Retried with a longer delay each time.
    let next = |store: Store, id: String| async move {
        sqlx::query_as::<_, (i64, i64, String)>(
            "SELECT attempts, next_attempt_at - updated_at, last_error FROM pdf_cache WHERE invoice_id = ?1",
        )
        .bind(id)
        .fetch_one(store.pool())
        .await
        .unwrap()
    };
    let (attempts, delay, error) = next(store.clone(), broken.clone()).await;
    assert_eq!(attempts, 1, "a new link starts its count again");
    assert!(error.contains("HTTP 404"), "{error}");
    time_passes(&store).await;
    cache_pass(&store, &dir, &opts).await;
    let (attempts2, delay2, _) = next(store.clone(), broken.clone()).await;
    assert_eq!(attempts2, 2);
    assert!(delay2 > delay, "{delay2} > {delay}");
    shop.sim.shutdown().await;
}

#[tokio::test]
async fn a_changed_link_replaces_the_cached_copy() {
    let shop = shop().start().await;
    let store = shop.synced_store().await;
    let want = expected(&shop.sim.snapshot());
    let dir = shop.dir.path().join(pdf_cache::DIR_NAME);
    let opts = options(&shop.sim.base_url());
    cache_pass(&store, &dir, &opts).await;

    // The invoice is voided and reissued under a new number and link.
    let new_link = "https://pay.stripe.com/invoice/acct_1/test_reissued/pdf?s=ap";
    let id = shop.sim.with_dataset(|d| {
        let inv = d
            .invoices
            .iter_mut()
            .find(|i| want.contains_key(i["id"].as_str().unwrap()))
            .unwrap();
        inv["invoice_pdf"] = Value::from(new_link);
        inv["number"] = Value::from("REISSUED-0001");
        inv["id"].as_str().unwrap().to_owned()
    });
    let old = cached(&dir)[&id].clone();
    assert!(!String::from_utf8_lossy(&old).contains("REISSUED-0001"));
    for sql in [
        "UPDATE invoices SET invoice_pdf = ?1 WHERE id = ?2",
        "UPDATE orders SET detail = json_set(detail, '$.invoice_pdf', ?1) WHERE invoice_id = ?2",
    ] {
        sqlx::query(sql)
            .bind(new_link)
            .bind(&id)
            .execute(store.pool())
            .await
            .unwrap();
    }
    let report = cache_pass(&store, &dir, &opts).await;
    assert_eq!(report.downloaded, 1, "{report:?}");
    let files = cached(&dir);
    assert_eq!(files.len(), want.len(), "replaced, not added");
    assert!(String::from_utf8_lossy(&files[&id]).contains("REISSUED-0001"));

    // Another invoice is voided: same link, new status; the next pass downloads it again (its
    // PDF now says so: here, its new number), and only it.
    let (voided, link) = shop.sim.with_dataset(|d| {
        let inv = d
            .invoices
            .iter_mut()
            .find(|i| i["id"] != id.as_str() && want.contains_key(i["id"].as_str().unwrap()))
            .unwrap();
        inv["status"] = Value::from("void");
        inv["number"] = Value::from("VOIDED-0002");
        (
            inv["id"].as_str().unwrap().to_owned(),
            inv["invoice_pdf"].as_str().unwrap().to_owned(),
        )
    });
    let upsert =
        "INSERT INTO invoices (id, number, status, currency, total, amount_paid, amount_due,
                      created, invoice_pdf, raw)
                  VALUES (?1, 'VOIDED-0002', 'void', 'eur', 0, 0, 0, 0, ?2, '{}')
                  ON CONFLICT(id) DO UPDATE SET status = 'void', number = 'VOIDED-0002'";
    sqlx::query(upsert)
        .bind(&voided)
        .bind(&link)
        .execute(store.pool())
        .await
        .unwrap();
    shop.sim.reset_stats();
    let report = cache_pass(&store, &dir, &opts).await;
    assert_eq!(report.downloaded, 1, "{report:?}");
    assert_eq!(shop.sim.stats().requests, 1);
    assert!(String::from_utf8_lossy(&cached(&dir)[&voided]).contains("VOIDED-0002"));
    shop.sim.shutdown().await;
}

#[tokio::test]
async fn no_invoice_id_writes_outside_the_cache_folder() {
    let shop = shop().start().await;
    let store = shop.synced_store().await;
    let data = shop.sim.snapshot();
    let want = expected(&data);
    let (real_id, _) = want.iter().next().unwrap();
    let link = data
        .invoices
        .iter()
        .find(|i| i["id"] == real_id.as_str())
        .unwrap()["invoice_pdf"]
        .as_str()
        .unwrap()
        .to_owned();
    // Invoices as a hostile or damaged store could hold them, each pointing at a real PDF.
    let hostile = [
        "../../escaped",
        "../pdf-cache-sibling",
        "/tmp/absolute",
        "..",
        "a\\..\\b",
        "in_1\n../x",
        "",
    ];
    for (i, id) in hostile.iter().enumerate() {
        sqlx::query(
            "INSERT INTO invoices (id, number, subscription_id, status, currency, total,
                                   amount_paid, amount_due, created, invoice_pdf, raw)
             VALUES (?1, ?2, 'sub_hostile', 'paid', 'eur', 100, 100, 0, ?3, ?4, '{}')",
        )
        .bind(id)
        .bind(format!("../../../etc/{i}"))
        .bind(4_000_000_000_i64 + i as i64)
        .bind(&link)
        .execute(store.pool())
        .await
        .unwrap();
    }
    let root = tempfile::tempdir().unwrap();
    let data_dir = root.path().join("data");
    let dir = data_dir.join(pdf_cache::DIR_NAME);
    let report = cache_pass(&store, &dir, &options(&shop.sim.base_url())).await;
    assert_eq!(report.failed, 0, "{report:?}");
    assert_eq!(report.downloaded as usize, want.len() + hostile.len());
    // Everything written is a direct child of the cache folder.
    for (path, bytes) in support::files_under(root.path()) {
        let path = Path::new(&path);
        assert_eq!(path.parent(), Some(dir.as_path()), "{}", path.display());
        assert!(bytes.starts_with(b"%PDF-"));
    }
    assert!(!Path::new("/tmp/absolute.pdf").exists());
    assert_eq!(
        cached(&dir).len(),
        want.len() + hostile.len(),
        "one file each"
    );
    shop.sim.shutdown().await;
}

/// Opening through the workspace, as "Customer invoice" and the subscription PDF icons do: by
/// the invoice's id, never downloading on click; offline is what the background sync found.
#[tokio::test]
async fn opening_uses_the_cached_file_online_and_offline_and_says_when_there_is_none() {
    let shop = shop().start().await;
    let base = shop.sim.base_url();
    // This test alone in this binary reads the variable (the others pass the base explicitly).
    std::env::set_var(FILES_BASE_ENV, &base);
    let ws = shop.synced_workspace().await;
    let store = ws.store().await;
    let want = expected(&shop.sim.snapshot());

    let page = ws
        .list_orders(&OrderQuery {
            limit: 500,
            ..OrderQuery::default()
        })
        .await
        .unwrap();
    let mut with_pdf = Vec::new();
    for row in &page.rows {
        let detail = ws.order_detail(&row.id).await.unwrap();
        if let (Some(url), Some(inv)) = (detail.invoice_pdf.url.clone(), detail.order.invoice_id) {
            with_pdf.push((detail.order.created, row.id.clone(), inv, url));
        }
    }
    with_pdf.sort();
    assert!(with_pdf.len() >= 4);
    let report = ws.cache_invoice_pdfs().await.unwrap().expect("a pass");
    assert_eq!(report.downloaded as usize, want.len());
    let dir = ws.pdf_cache_dir().await;
    assert!(dir.starts_with(shop.dir.path().join(pdf_cache::DIR_NAME)));
    assert_eq!(
        ws.pdf_cache_status().await.unwrap().files as usize,
        want.len()
    );
    // The two oldest orders' PDFs are not in the cache (removed as "Clear" would, one by one).
    let (_, missing_order, missing_inv, missing_url) = with_pdf[0].clone();
    for (_, _, inv, _) in &with_pdf[..2] {
        std::fs::remove_file(dir.join(pdf_cache::file_name(inv))).unwrap();
    }

    // Online: a cached PDF opens as its file.
    let (_, newest_order, newest_inv, _) = with_pdf.last().unwrap().clone();
    let expected_file = dir.join(pdf_cache::file_name(&newest_inv));
    assert_eq!(
        ws.open_invoice_pdf(&newest_inv).await.unwrap(),
        PdfToOpen::File(expected_file.clone())
    );
    // Online without a copy: Stripe's link, as before, even when Stripe's file host fails
    // (nothing is fetched on click, so a file host error never reads as "offline").
    shop.sim.serve_bad_pdfs(true);
    shop.sim.reset_stats();
    assert_eq!(
        ws.open_invoice_pdf(&missing_inv).await.unwrap(),
        PdfToOpen::Link(missing_url.clone())
    );
    assert_eq!(shop.sim.stats().requests, 0, "nothing fetched on click");
    shop.sim.serve_bad_pdfs(false);
    // An id the store has no invoice PDF for.
    let err = ws.open_invoice_pdf("in_unknown").await.unwrap_err();
    assert_eq!(err.problem(), Problem::NoInvoicePdf);

    // A subscription invoice's PDF icon.
    let sub_inv: String = sqlx::query_scalar(
        "SELECT id FROM invoices WHERE subscription_id IS NOT NULL
          AND invoice_pdf IS NOT NULL ORDER BY created DESC LIMIT 1",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();

    // Offline: Stripe cannot be reached, as the background sync finds.
    shop.sim.shutdown().await;
    assert!(ws.background_sync().await.is_err());
    assert!(ws.status().await.unwrap().sync_offline);
    assert_eq!(
        ws.open_invoice_pdf(&newest_inv).await.unwrap(),
        PdfToOpen::File(expected_file.clone()),
        "the cached copy opens offline"
    );
    assert_eq!(
        ws.open_invoice_pdf(&sub_inv).await.unwrap(),
        PdfToOpen::File(dir.join(pdf_cache::file_name(&sub_inv)))
    );
    let err = ws.open_invoice_pdf(&missing_inv).await.unwrap_err();
    assert_eq!(err.problem(), Problem::PdfNotDownloaded, "{err}");
    assert!(!dir.join(pdf_cache::file_name(&missing_inv)).exists());

    // "Save PDF…" offline: the cached copy is saved.
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("Invoice.pdf");
    let saved = ws
        .save_invoice_pdf(&newest_order, &dest)
        .await
        .expect("saved offline");
    assert_eq!(
        std::fs::read(&dest).unwrap(),
        std::fs::read(&expected_file).unwrap()
    );
    assert_eq!(saved.bytes, std::fs::metadata(&dest).unwrap().len());
    let err = ws
        .save_invoice_pdf(&missing_order, &out.path().join("Other.pdf"))
        .await
        .unwrap_err();
    assert_eq!(err.problem(), Problem::StripeUnreachable, "{err}");

    // Settings → Clear: the files go, the rest of the data folder stays.
    let status = ws.clear_pdf_cache().await.unwrap();
    assert_eq!((status.files, status.bytes), (0, 0));
    assert!(cached(&dir).is_empty());
    assert!(store.path().exists());
    let err = ws.open_invoice_pdf(&newest_inv).await.unwrap_err();
    assert_eq!(err.problem(), Problem::PdfNotDownloaded);
    // A limit out of range is refused, nothing changed.
    let err = ws.set_pdf_cache_limit(100_001).await.unwrap_err();
    assert_eq!(err.problem(), Problem::PdfCacheLimit { max: 100_000 });
    assert_eq!(ws.pdf_cache_status().await.unwrap().limit_mb, 500);
    assert_eq!(ws.set_pdf_cache_limit(20).await.unwrap().limit_mb, 20);
}

/// The demo store: its invoices get sample PDFs made on this computer, which open as files.
#[tokio::test]
async fn the_demo_store_makes_sample_pdfs_that_open_as_files() {
    let dir = tempfile::tempdir().unwrap();
    // No key in the keychain: the app opens its demo store.
    let ws = comptoir_core::workspace::Workspace::open(support::workspace_config(
        dir.path(),
        "http://127.0.0.1:9/",
        std::sync::Arc::new(comptoir_core::secrets::MemoryStore::new()),
    ))
    .await
    .unwrap();
    assert_eq!(
        ws.status().await.unwrap().source,
        comptoir_core::model::DataSource::Demo
    );
    let report = ws.cache_invoice_pdfs().await.unwrap().expect("a pass");
    assert!(report.downloaded > 0, "{report:?}");
    assert_eq!(report.failed, 0);
    let cache = ws.pdf_cache_dir().await;
    let files = cached(&cache);
    assert_eq!(files.len(), report.downloaded as usize);
    let page = ws.list_orders(&OrderQuery::default()).await.unwrap();
    let mut opened = 0;
    for row in page.rows.iter().take(20) {
        let detail = ws.order_detail(&row.id).await.unwrap();
        let Some(inv) = detail.order.invoice_id.clone() else {
            continue;
        };
        assert!(
            detail.invoice_pdf.url.is_some(),
            "the demo's PDF button is offered"
        );
        let PdfToOpen::File(path) = ws.open_invoice_pdf(&inv).await.unwrap() else {
            panic!("the demo opens its sample file");
        };
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        assert!(text.starts_with("%PDF-"));
        assert!(text.contains("Sample invoice"));
        assert!(
            text.contains(&detail.order.number),
            "{} in its sample",
            detail.order.number
        );
        opened += 1;
    }
    assert!(opened > 0, "the demo has orders with invoices");
}
