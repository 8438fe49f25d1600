//! "Save PDF…" on the order detail: the invoice PDF is downloaded over real HTTP from the Stripe
//! simulator (through `COMPTOIR_STRIPE_FILES_BASE`) and written atomically; a non-PDF answer, an
//! unreachable host and a link off Stripe's hosts give clear errors and leave no file behind.

mod support;

use std::path::Path;

use comptoir_core::dataset::Dataset;
use comptoir_core::invoice_pdf::{self, FILES_BASE_ENV};
use comptoir_core::lang::Lang;
use comptoir_core::problem::Problem;
use comptoir_core::workspace::WorkspaceError;
use comptoir_stripe_sim::SimHandle;
use serde_json::Value;
use support::TestShop;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The shop of these tests: orders and one-off invoices with PDFs, nothing else.
fn shop() -> TestShop {
    TestShop::new()
        .orders(20)
        .one_off_invoices(2)
        .subscriptions(0)
        .deleted_customers(0)
}

async fn simulator() -> SimHandle {
    shop().simulator().await
}

/// Completed payment sessions whose invoice has a PDF link: (session id, invoice).
fn sessions_with_pdf(data: &Dataset) -> Vec<(String, Value)> {
    data.checkout_sessions
        .iter()
        .filter(|s| s["mode"] == "payment" && s["status"] == "complete")
        .filter_map(|s| {
            let inv_id = s["invoice"]
                .as_str()
                .or_else(|| s["invoice"]["id"].as_str())?;
            let inv = data.invoices.iter().find(|i| i["id"] == inv_id)?;
            (inv["invoice_pdf"].is_string() && inv["number"].is_string())
                .then(|| (s["id"].as_str().unwrap().to_owned(), inv.clone()))
        })
        .collect()
}

/// Files in `dir` (the saved PDF, and nothing half-written beside it).
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A link to an invoice PDF on Stripe's host (whose answer the tests' base stands in for).
const A_PDF_LINK: &str = "https://pay.stripe.com/invoice/acct_1/test_abc/pdf?s=ap";

/// Downloads `url` into `dest` with `base` standing in for Stripe's hosts, which must fail.
async fn refused_download(url: &str, base: &str, dest: &Path) -> WorkspaceError {
    WorkspaceError::from(
        invoice_pdf::download(url, Some(base), dest)
            .await
            .unwrap_err(),
    )
}

/// A local server that answers every request with an HTML page, status 200.
async fn html_server() -> String {
    let body = "<html><body>Sign in to Stripe</body></html>";
    raw_server(format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ))
    .await
}

/// A local server that answers every request with `answer`, verbatim.
async fn raw_server(answer: String) -> String {
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

#[tokio::test]
async fn saves_the_simulators_pdf_into_a_folder() {
    let sim = simulator().await;
    let data = sim.snapshot();
    let (_, invoice) = sessions_with_pdf(&data)
        .into_iter()
        .next()
        .expect("an order with a PDF");
    let number = invoice["number"].as_str().unwrap();
    let url = invoice["invoice_pdf"].as_str().unwrap();
    assert!(url.starts_with("https://pay.stripe.com/invoice/"), "{url}");

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join(invoice_pdf::file_name(number, Lang::Fr));
    let saved = invoice_pdf::download(url, Some(&sim.base_url()), &dest)
        .await
        .expect("the PDF is saved");
    let bytes = std::fs::read(&dest).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4"));
    assert!(bytes.ends_with(b"%%EOF\n"));
    assert!(
        String::from_utf8_lossy(&bytes).contains(number),
        "the PDF shows the invoice number {number}"
    );
    assert_eq!(saved.bytes, bytes.len() as u64);
    assert_eq!(saved.path, dest.display().to_string());
    assert_eq!(files_in(dir.path()), vec![format!("Facture {number}.pdf")]);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_non_pdf_answer_is_refused_and_leaves_no_file() {
    let base = html_server().await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("Invoice X.pdf");
    let err = refused_download(A_PDF_LINK, &base, &dest).await;
    assert!(matches!(err.problem(), Problem::PdfNotAPdf { .. }), "{err}");
    assert!(files_in(dir.path()).is_empty(), "nothing is written");

    // An unknown invoice: the simulator answers 404, which is not a PDF either.
    let sim = simulator().await;
    let err = refused_download(
        "https://pay.stripe.com/invoice/acct_1/test_nope/pdf?s=ap",
        &sim.base_url(),
        &dest,
    )
    .await;
    assert!(
        err.to_string()
            .contains("Stripe did not return a PDF (HTTP 404)"),
        "{err}"
    );
    assert!(files_in(dir.path()).is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_redirect_off_stripe_is_not_followed() {
    let pdf = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-length: 9\r\nconnection: close\r\n\r\n%PDF-1.4\n".into(),
    )
    .await;
    // Loopback is not a Stripe host: the redirect stops there, and a 302 is not a PDF.
    let base = raw_server(format!(
        "HTTP/1.1 302 Found\r\nlocation: {pdf}x.pdf\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("Invoice X.pdf");
    let err = refused_download(A_PDF_LINK, &base, &dest).await;
    assert!(
        err.to_string()
            .contains("Stripe did not return a PDF (HTTP 302)"),
        "{err}"
    );
    assert!(files_in(dir.path()).is_empty());
}

#[tokio::test]
async fn an_unreachable_host_is_a_network_error_and_leaves_no_file() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("Invoice X.pdf");
    let err = refused_download(A_PDF_LINK, &format!("http://127.0.0.1:{port}/"), &dest).await;
    assert!(err.problem() == Problem::StripeUnreachable, "{err:?}");
    assert!(
        err.to_string().contains("check the internet connection"),
        "{err}"
    );
    assert!(files_in(dir.path()).is_empty());
}

#[tokio::test]
async fn links_off_stripe_are_refused_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("Invoice X.pdf");
    for url in [
        "https://evil.example/invoice.pdf",
        "http://pay.stripe.com/invoice/acct_1/test_abc/pdf",
        "https://pay.stripe.com.evil.example/invoice/acct_1/test_abc/pdf",
        "file:///etc/passwd",
    ] {
        // Even with the test base set, the allow-list is checked on the original link.
        let err = refused_download(url, "http://127.0.0.1:9/", &dest).await;
        assert!(err.problem() == Problem::PdfLinkRefused, "{url}: {err:?}");
        let message = err.to_string();
        assert!(
            message.contains("Only https links") || message.contains("only opens links to Stripe"),
            "{url}: {message}"
        );
    }
    assert!(files_in(dir.path()).is_empty());
}

#[tokio::test]
async fn a_folder_that_cannot_be_written_is_a_clear_error() {
    let sim = simulator().await;
    let data = sim.snapshot();
    let (_, invoice) = sessions_with_pdf(&data).into_iter().next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("missing-folder").join("Invoice.pdf");
    let err = refused_download(
        invoice["invoice_pdf"].as_str().unwrap(),
        &sim.base_url(),
        &dest,
    )
    .await;
    assert!(
        err.to_string()
            .starts_with("Comptoir cannot write to the folder"),
        "{err}"
    );
    assert!(files_in(dir.path()).is_empty());
    sim.shutdown().await;
}

/// The workspace path: the order's cached link is used, and an order without a PDF says so.
#[tokio::test]
async fn the_workspace_saves_an_orders_pdf_and_explains_a_missing_one() {
    let shop = shop().start().await;
    let sim = &shop.sim;
    let pdfs = sessions_with_pdf(&sim.snapshot());
    assert!(pdfs.len() >= 3, "the dataset has orders with PDFs");
    let (with_pdf, invoice) = pdfs[0].clone();
    let (without_pdf, stripped) = pdfs[1].clone();
    let (off_stripe, moved) = pdfs[2].clone();
    sim.with_dataset(|d| {
        for inv in d.invoices.iter_mut() {
            if inv["id"] == stripped["id"] {
                inv["invoice_pdf"] = Value::Null;
            }
            if inv["id"] == moved["id"] {
                inv["invoice_pdf"] = Value::from("https://evil.example/invoice.pdf");
            }
        }
    });

    let ws = shop.synced_workspace().await;

    // This test process alone reads the variable (the other tests pass the base explicitly).
    std::env::set_var(FILES_BASE_ENV, sim.base_url());
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("Invoice.pdf");
    let saved = ws.save_invoice_pdf(&with_pdf, &dest).await.expect("saved");
    let bytes = std::fs::read(&dest).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&bytes).contains(invoice["number"].as_str().unwrap()));
    assert_eq!(saved.bytes, bytes.len() as u64);

    let other = out.path().join("Other.pdf");
    let err = ws.save_invoice_pdf(&without_pdf, &other).await.unwrap_err();
    assert_eq!(err.problem(), Problem::NoInvoicePdf, "{err}");
    let err = ws.save_invoice_pdf(&off_stripe, &other).await.unwrap_err();
    assert_eq!(err.problem(), Problem::PdfLinkRefused, "{err}");
    assert!(
        err.to_string().contains("evil.example"),
        "the log names the host: {err}"
    );
    assert_eq!(files_in(out.path()), vec!["Invoice.pdf".to_owned()]);
    shop.sim.shutdown().await;
}
