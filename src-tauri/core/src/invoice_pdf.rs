//! Saving a customer's invoice PDF to disk (the order detail's "Save PDF…"): the link is checked
//! against Stripe's hosts, downloaded, checked to be a PDF, and written atomically.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use crate::lang::Lang;
use crate::stripe::{links, StripeError};
use crate::workspace::{Result, WorkspaceError};

/// Tests only: when set (e.g. `http://127.0.0.1:PORT/`), an invoice PDF link's scheme and host
/// are replaced by this base once the link has passed the Stripe allow-list.
pub const FILES_BASE_ENV: &str = "COMPTOIR_STRIPE_FILES_BASE";

/// A saved invoice PDF: where it was written and its size in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SavedPdf {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// `COMPTOIR_STRIPE_FILES_BASE`, when set and not empty.
pub fn files_base_from_env() -> Option<String> {
    std::env::var(FILES_BASE_ENV)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The file name offered in the save dialog: `Facture CPT-0042.pdf` in French, `Invoice
/// CPT-0042.pdf` otherwise. Characters no file system accepts are replaced.
pub fn file_name(number: &str, lang: Lang) -> String {
    let clean: String = number
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim();
    let word = lang.pick("Facture", "Invoice");
    if clean.is_empty() {
        format!("{word}.pdf")
    } else {
        format!("{word} {clean}.pdf")
    }
}

/// The URL actually fetched: the allow-listed link, or with `files_base` its path and query
/// under that base.
fn target(url: &str, files_base: Option<&str>) -> Result<reqwest::Url> {
    let checked = links::external(url).map_err(|e| WorkspaceError::InvalidInput(e.to_string()))?;
    let parsed = reqwest::Url::parse(&checked)
        .map_err(|_| WorkspaceError::InvalidInput("That link is not a valid web address".into()))?;
    let Some(base) = files_base else {
        return Ok(parsed);
    };
    let base = reqwest::Url::parse(base).map_err(|_| {
        WorkspaceError::InvalidInput(format!("{FILES_BASE_ENV} is not a valid web address"))
    })?;
    let mut rewritten = base
        .join(parsed.path().trim_start_matches('/'))
        .map_err(|_| {
            WorkspaceError::InvalidInput(format!("{FILES_BASE_ENV} is not a valid web address"))
        })?;
    rewritten.set_query(parsed.query());
    Ok(rewritten)
}

/// A client for one download: rustls, timeouts, and redirects followed only to Stripe's hosts
/// (a redirect elsewhere stops, and its 3xx answer is then refused as "not a PDF").
fn client() -> Result<reqwest::Client> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() < 5 && links::external(attempt.url().as_str()).is_ok() {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .redirect(policy)
        .user_agent(concat!("Comptoir/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| WorkspaceError::InvalidInput(format!("Cannot prepare the download: {e}")))
}

fn not_a_pdf(detail: &str) -> WorkspaceError {
    WorkspaceError::InvalidInput(format!(
        "Stripe did not return a PDF ({detail}); try again later or open the invoice in your browser"
    ))
}

/// Downloads the invoice PDF at `url` (an `https` Stripe link; `files_base` replaces its scheme
/// and host after that check, for tests) and writes it to `dest` through a temporary file in the
/// same folder, renamed into place: a failure leaves no file behind.
pub async fn download(url: &str, files_base: Option<&str>, dest: &Path) -> Result<SavedPdf> {
    let target = target(url, files_base)?;
    let client = client()?;
    let response = client.get(target).send().await.map_err(|e| {
        StripeError::Network(format!(
            "the invoice PDF could not be downloaded; check the internet connection ({})",
            reason(e)
        ))
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(not_a_pdf(&format!("HTTP {}", status.as_u16())));
    }
    let body = response.bytes().await.map_err(|e| {
        StripeError::Network(format!(
            "the download of the invoice PDF was interrupted ({})",
            reason(e)
        ))
    })?;
    if !body.starts_with(b"%PDF-") {
        return Err(not_a_pdf("the answer is not a PDF document"));
    }
    write_atomically(dest, &body)?;
    Ok(SavedPdf {
        path: dest.display().to_string(),
        bytes: body.len() as u64,
    })
}

/// A network failure in a few words, without the URL (it carries the invoice's access token).
fn reason(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "no connection".into()
    } else {
        e.without_url().to_string()
    }
}

fn write_atomically(dest: &Path, bytes: &[u8]) -> Result<()> {
    let folder = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let cannot = |e: std::io::Error| {
        WorkspaceError::InvalidInput(format!(
            "Comptoir cannot write to the folder {}: {e}",
            folder.display()
        ))
    };
    let name = dest
        .file_name()
        .ok_or_else(|| WorkspaceError::InvalidInput("Choose a file name to save the PDF".into()))?;
    let tmp = folder.join(format!(
        ".{}.{}.part",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, dest));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(cannot(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_the_language() {
        assert_eq!(file_name("CPT-0042", Lang::Fr), "Facture CPT-0042.pdf");
        assert_eq!(file_name("CPT-0042", Lang::En), "Invoice CPT-0042.pdf");
        assert_eq!(file_name("a/b:c", Lang::En), "Invoice a-b-c.pdf");
        assert_eq!(file_name("", Lang::Fr), "Facture.pdf");
    }

    #[test]
    fn the_test_base_replaces_only_scheme_and_host_after_the_check() {
        let u = target(
            "https://pay.stripe.com/invoice/acct_1/test_abc/pdf?s=ap",
            Some("http://127.0.0.1:9/"),
        )
        .unwrap();
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:9/invoice/acct_1/test_abc/pdf?s=ap"
        );
        assert!(target("https://evil.com/x.pdf", Some("http://127.0.0.1:9/")).is_err());
    }
}
