//! Saving a customer's invoice PDF to disk (the order detail's "Save PDF…"): the link is checked
//! against Stripe's hosts, downloaded, checked to be a PDF, and written atomically.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use crate::lang::Lang;
use crate::problem::Problem;
use crate::stripe::links::LinkError;
use crate::stripe::{links, StripeError};

/// Why an invoice PDF was not saved. `Display` is English, for the log; the window shows
/// [`PdfError::problem`].
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The link is not one of Stripe's invoice links.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The tests' files base is refused (test builds only).
    #[error("{FILES_BASE_ENV} must name this computer (127.0.0.1, ::1, localhost) or one of Stripe's hosts over https: {0}")]
    FilesBase(String),
    #[error("Cannot prepare the download: {0}")]
    Client(String),
    #[error(transparent)]
    Network(#[from] StripeError),
    #[error(
        "Stripe did not return a PDF ({0}); try again later or open the invoice in your browser"
    )]
    NotAPdf(String),
    #[error("Comptoir cannot write to the folder {folder}: {detail}")]
    Write { folder: String, detail: String },
    #[error("Choose a file name to save the PDF")]
    NoFileName,
}

impl PdfError {
    /// The problem the window puts into words.
    pub fn problem(&self) -> Problem {
        match self {
            PdfError::Link(_) => Problem::PdfLinkRefused,
            PdfError::FilesBase(_) => Problem::FilesAddressRefused,
            PdfError::Client(_) => Problem::Internal,
            PdfError::Network(_) => Problem::StripeUnreachable,
            PdfError::NotAPdf(detail) => Problem::PdfNotAPdf {
                detail: detail.clone(),
            },
            PdfError::Write { folder, .. } => Problem::CannotWrite {
                path: folder.clone(),
            },
            PdfError::NoFileName => Problem::PdfNoFileName,
        }
    }
}

type Result<T, E = PdfError> = std::result::Result<T, E>;

/// Tests only (debug builds: see [`crate::test_hooks`]): when set (e.g.
/// `http://127.0.0.1:PORT/`), an invoice PDF link's scheme and host are replaced by this base
/// once the link has passed the Stripe allow-list.
pub const FILES_BASE_ENV: &str = "COMPTOIR_STRIPE_FILES_BASE";

/// A saved invoice PDF: where it was written and its size in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SavedPdf {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// `COMPTOIR_STRIPE_FILES_BASE`, when set and not empty, in a debug build.
pub fn files_base_from_env() -> Option<String> {
    files_base(crate::test_hooks::ENABLED)
}

/// `COMPTOIR_STRIPE_FILES_BASE` if `test_hooks` (false in a release build).
fn files_base(test_hooks: bool) -> Option<String> {
    crate::test_hooks::var(FILES_BASE_ENV, test_hooks)
        .map(|v| v.to_string_lossy().trim().to_owned())
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

/// Checks a files base (`COMPTOIR_STRIPE_FILES_BASE`): this computer (127.0.0.1, ::1 or
/// localhost exactly, by the parsed host), or one of Stripe's own file hosts over https. An
/// invoice link carries the invoice's access token: another computer never receives it.
fn check_files_base(base: &str) -> Result<reqwest::Url> {
    let invalid = |why: &str| PdfError::FilesBase(why.to_owned());
    let url = reqwest::Url::parse(base.trim()).map_err(|_| invalid("not a web address"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("the address holds a user name or password"));
    }
    let local =
        crate::stripe::client::is_loopback(&url) && matches!(url.scheme(), "http" | "https");
    let stripe = url.scheme() == "https"
        && url.port().is_none()
        && links::EXTERNAL_HOSTS.contains(&url.host_str().unwrap_or_default());
    if !(local || stripe) {
        return Err(invalid(&format!(
            "{} is another computer",
            url.origin().ascii_serialization()
        )));
    }
    Ok(url)
}

/// The URL actually fetched: the allow-listed link, or with `files_base` its path and query
/// under that base.
fn target(url: &str, files_base: Option<&str>) -> Result<reqwest::Url> {
    let checked = links::external(url)?;
    let parsed = reqwest::Url::parse(&checked).map_err(|_| LinkError::Malformed)?;
    let Some(base) = files_base else {
        return Ok(parsed);
    };
    let base = check_files_base(base)?;
    let mut rewritten = base
        .join(parsed.path().trim_start_matches('/'))
        .map_err(|_| PdfError::FilesBase("not a web address".into()))?;
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
        .map_err(|e| PdfError::Client(e.to_string()))
}

fn not_a_pdf(detail: &str) -> PdfError {
    PdfError::NotAPdf(detail.to_owned())
}

/// Downloads the invoice PDF at `url` (an `https` Stripe link; `files_base` replaces its scheme
/// and host after that check, for tests) and writes it to `dest` through a temporary file in the
/// same folder, renamed into place: a failure leaves no file behind.
pub async fn download(url: &str, files_base: Option<&str>, dest: &Path) -> Result<SavedPdf> {
    download_to(url, files_base, dest, false).await
}

/// [`download`], the file private to the user (`0600` from its first byte) when `private`: the
/// offline PDF cache in the data folder (README: Architecture, Offline invoice PDFs).
pub(crate) async fn download_to(
    url: &str,
    files_base: Option<&str>,
    dest: &Path,
    private: bool,
) -> Result<SavedPdf> {
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
    write_atomically(dest, &body, private)?;
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

/// Writes `bytes` to `dest` through a temporary file in the same folder renamed into place (the
/// temporary name is unique in this process: two downloads of one file never share it).
pub(crate) fn write_atomically(dest: &Path, bytes: &[u8], private: bool) -> Result<()> {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let folder = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let cannot = |e: std::io::Error| PdfError::Write {
        folder: folder.display().to_string(),
        detail: e.to_string(),
    };
    let name = dest.file_name().ok_or(PdfError::NoFileName)?;
    let tmp = folder.join(format!(
        ".{}.{}.{}.part",
        name.to_string_lossy(),
        std::process::id(),
        SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let written = if private {
        crate::private_fs::write_private(&tmp, bytes)
    } else {
        std::fs::write(&tmp, bytes)
    }
    .and_then(|_| std::fs::rename(&tmp, dest));
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

    #[test]
    fn a_release_build_fetches_from_stripe_whatever_the_variable_says() {
        // SAFETY: edition 2021; no other test of this crate reads or sets this variable.
        std::env::set_var(FILES_BASE_ENV, " http://127.0.0.1:9/ ");
        assert_eq!(files_base(true).as_deref(), Some("http://127.0.0.1:9/"));
        assert_eq!(files_base(false), None, "release behaviour");
        std::env::remove_var(FILES_BASE_ENV);
        assert_eq!(files_base(true), None);
    }

    #[test]
    fn the_test_base_names_this_computer_or_stripe_by_its_parsed_host() {
        let link = "https://pay.stripe.com/invoice/acct_1/test_abc/pdf?s=ap";
        for ok in [
            "http://127.0.0.1:9/",
            "http://localhost:9/",
            "http://[::1]:9/",
            "https://files.stripe.com/",
        ] {
            assert!(target(link, Some(ok)).is_ok(), "{ok}");
        }
        for hostile in [
            "http://localhost.evil.tld/",
            "http://127.0.0.1.evil.tld:9/",
            "http://127.0.0.1@evil.tld/",
            "http://evil.tld#@127.0.0.1/",
            "http://user:pw@localhost:9/",
            "https://evil.tld/",
            "https://pay.stripe.com.evil.tld/",
            "http://pay.stripe.com/",
            "http://192.168.1.10:9/",
            "ftp://127.0.0.1/",
        ] {
            let e = target(link, Some(hostile)).unwrap_err().to_string();
            assert!(e.contains(FILES_BASE_ENV), "{hostile}: {e}");
            assert!(!e.contains("test_abc"), "never the link's token: {e}");
        }
    }
}
