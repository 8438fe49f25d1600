//! Email (README: Configure email): the SMTP settings, the SMTP transport (lettre over rustls with ring),
//! the messages Comptoir sends, and the sender that drains the outbox (`store::outbox`).
//!
//! Delivery guarantees:
//! - **Never lost.** An email is in the outbox before any SMTP traffic. A server that is down,
//!   refuses, times out or rejects a login leaves it `pending` with the reason in plain words
//!   and a next attempt after an exponential backoff ([`backoff`]); offline, it simply waits.
//!   Only a permanent (5xx) refusal of the message itself, [`PERMANENT_ATTEMPTS`] times, marks
//!   it `failed`, and the merchant can retry it ([`retry_now`]), as they can an email waiting
//!   for its next attempt.
//! - **Sent once.** An email is claimed (`sending`) in one statement before it is sent and
//!   marked `sent` right after the server accepts it, so a later run or an app restart never
//!   sends it again. One window remains: a crash (or a database failure) after the server's
//!   "250 OK" and before `sent` is written. The claim then goes stale, [`send_due`] puts it back
//!   to `pending` after [`STALE_CLAIM_SECS`], and the email is sent a second time **with the
//!   same Message-ID**, which mail clients and servers use to recognise the duplicate. SMTP
//!   offers no way to close this window from the client side.
//! - **Cancelled means never sent.** An email cancelled while no sender holds it
//!   (`store::outbox::cancel_unsent`, e.g. "Mark as not sent") is never claimed again and
//!   cannot be retried. One being sent at that moment may still go out; if its attempt fails,
//!   it is cancelled rather than tried again.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use sqlx::{SqliteExecutor, SqlitePool};
use ts_rs::TS;

use crate::model::Timestamp;
use crate::problem::{MailReason, Problem, RetryRefusal};
use crate::secrets::{Secret, SecretKind, SecretStore, SecretsError};
use crate::store::outbox::{self, NewEmail, OutboxEmail, OutboxState};
use crate::store::{settings, Store, StoreError};

/// The `settings` key the SMTP settings are stored under, as JSON (never the password).
pub const SETTINGS_KEY: &str = "smtp";
/// A claim older than this belongs to a sender that died (every SMTP step times out sooner).
pub const STALE_CLAIM_SECS: i64 = 10 * 60;
/// How many permanent refusals of one email before it is marked `failed`.
pub const PERMANENT_ATTEMPTS: u32 = 3;
/// How long one SMTP step (connect, a command, the TLS handshake) may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);
const BACKOFF_BASE_SECS: i64 = 30;
const BACKOFF_CAP_SECS: i64 = 60 * 60;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which is required (usually port 587).
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// No encryption: the password and the emails travel in clear text.
    None,
}

/// The merchant's SMTP account. The password is not here: it lives in the OS keychain
/// (`SecretKind::SmtpPassword`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// The login; `None` (or empty) for a server that needs none.
    pub username: Option<String>,
    /// The sender's display name, e.g. the shop's name (any UTF-8).
    pub from_name: String,
    pub from_address: String,
    pub reply_to: Option<String>,
    /// Tests only: trust the self-signed certificate of a loopback test server. Never stored,
    /// never sent to or from the UI.
    #[serde(skip)]
    #[ts(skip)]
    pub accept_invalid_certs: bool,
}

impl SmtpSettings {
    /// Checks the settings; a refusal says which [`MailReason`] (the window words it).
    pub fn validate(&self) -> Result<(), MailError> {
        let host = self.host.trim();
        if host.is_empty() {
            return Err(invalid(MailReason::HostMissing, None));
        }
        if host.contains("://") || host.contains(char::is_whitespace) || host.contains('/') {
            return Err(invalid(MailReason::HostNotAName, Some(host)));
        }
        if self.port == 0 {
            return Err(invalid(MailReason::PortZero, None));
        }
        parse_sender(&self.from_address)?;
        if let Some(reply_to) = self.reply_to() {
            reply_to
                .parse::<Address>()
                .map_err(|_| invalid(MailReason::ReplyToInvalid, Some(reply_to)))?;
        }
        if self.from_name.contains(['\r', '\n']) {
            return Err(invalid(MailReason::SenderNameLines, None));
        }
        Ok(())
    }

    /// Whether `other` logs in to the same account: the same server (host names ignore case)
    /// and the same user name. Port, security and sender may change under one account.
    pub fn same_account(&self, other: &SmtpSettings) -> bool {
        self.host.trim().eq_ignore_ascii_case(other.host.trim())
            && self.username() == other.username()
    }

    fn username(&self) -> Option<&str> {
        self.username
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
    }

    fn reply_to(&self) -> Option<&str> {
        self.reply_to
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }

    fn sender(&self) -> Result<Mailbox, MailError> {
        let address = parse_sender(&self.from_address)?;
        let name = self.from_name.trim();
        Ok(Mailbox::new(
            (!name.is_empty()).then(|| name.to_owned()),
            address,
        ))
    }

    /// The domain of the sender address, for Message-IDs.
    fn domain(&self) -> &str {
        self.from_address
            .trim()
            .rsplit_once('@')
            .map_or("", |(_, domain)| domain)
    }
}

fn parse_sender(value: &str) -> Result<Address, MailError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(MailReason::SenderMissing, None));
    }
    value
        .parse::<Address>()
        .map_err(|_| invalid(MailReason::SenderInvalid, Some(value)))
}

fn parse_mailbox(value: &str) -> Result<Mailbox, MailError> {
    let value = value.trim();
    value
        .parse::<Mailbox>()
        .map_err(|_| invalid(MailReason::AddressInvalid, Some(value)))
}

fn invalid(reason: MailReason, value: Option<&str>) -> MailError {
    MailError::Invalid(Problem::MailInvalid {
        reason,
        value: value.map(str::to_owned),
    })
}

/// What saving the SMTP settings does with the password in the OS keychain: the settings
/// screen's password field is left alone (keep), filled in (replace) or removed. It crosses IPC
/// inbound only; a replacement is held as a [`Secret`] from the moment it is read.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "action", rename_all = "snake_case")]
#[ts(export)]
pub enum SmtpPassword {
    /// Keep the stored password, unless the server or user name changes (then it is removed).
    Keep,
    /// Store this password (not empty).
    Replace {
        #[serde(deserialize_with = "secret_from_string")]
        #[ts(type = "string")]
        password: Secret,
    },
    /// Remove the stored password.
    Delete,
}

fn secret_from_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
    String::deserialize(d).map(Secret::from)
}

/// A mail failure, as the merchant should hear about it.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Settings or an address are wrong, or an email cannot be retried; the problem says which
    /// and how. `Display` is the log's English.
    #[error("{}", refusal_in_english(.0))]
    Invalid(Problem),
    /// No SMTP settings are saved yet.
    #[error("Email is not set up yet: enter your SMTP settings first.")]
    NotConfigured,
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The OS keychain (the SMTP password) cannot be read or written.
    #[error(transparent)]
    Keychain(#[from] SecretsError),
    /// Talking to the SMTP server failed.
    #[error("{0}")]
    Send(SendFailure),
}

impl MailError {
    /// Stable identifier the UI translates by.
    pub fn code(&self) -> &'static str {
        match self {
            MailError::Invalid(_) => "mail_invalid",
            MailError::NotConfigured => "mail_not_configured",
            MailError::Store(_) => "mail_store",
            MailError::Keychain(e) => e.code(),
            MailError::Send(failure) => failure.kind.code(),
        }
    }

    /// The problem the window puts into words.
    pub fn problem(&self) -> Problem {
        match self {
            MailError::Invalid(p) => p.clone(),
            MailError::NotConfigured => Problem::SmtpNotConfigured,
            MailError::Store(_) => Problem::Internal,
            MailError::Keychain(e) => Problem::Keychain { reason: e.reason() },
            MailError::Send(f) => f.problem(),
        }
    }
}

/// A refusal of [`MailError::Invalid`] in English, for the log (the window words the problem).
fn refusal_in_english(p: &Problem) -> String {
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    match p {
        Problem::MailInvalid { reason, value: v } => match reason {
            MailReason::HostMissing => "No SMTP host name".to_owned(),
            MailReason::HostNotAName => format!("\u{201c}{}\u{201d} is not a host name", value(v)),
            MailReason::PortZero => "The SMTP port must be between 1 and 65535".to_owned(),
            MailReason::SenderMissing => "No sender email address".to_owned(),
            MailReason::SenderInvalid => format!(
                "The sender address \u{201c}{}\u{201d} is not valid",
                value(v)
            ),
            MailReason::ReplyToInvalid => format!(
                "The reply-to address \u{201c}{}\u{201d} is not valid",
                value(v)
            ),
            MailReason::SenderNameLines => "The sender name spans several lines".to_owned(),
            MailReason::AddressInvalid => {
                format!("\u{201c}{}\u{201d} is not a valid email address", value(v))
            }
            MailReason::TlsSetup => format!("TLS cannot be set up: {}", value(v)),
            MailReason::NotBuilt => format!("The email cannot be built: {}", value(v)),
            MailReason::PasswordMissing => {
                "The user name is set and the SMTP password is not".to_owned()
            }
            MailReason::NewPasswordEmpty => "The new SMTP password is empty".to_owned(),
        },
        Problem::RetryRefused { reason } => match reason {
            RetryRefusal::AlreadySent => "This email was already sent: it is not sent again",
            RetryRefusal::BeingSent => "This email is being sent right now",
            RetryRefusal::Cancelled => "This email was cancelled: it is never sent",
            RetryRefusal::QueuedElsewhere => "This email could not be queued again",
        }
        .to_owned(),
        other => format!("refused: {other:?}"),
    }
}

/// Why an SMTP exchange failed, in plain words, with the server's own reply when there was one.
/// `Debug` (what logs print) hides email addresses in the message; `Display` (what the merchant
/// reads) keeps it whole.
#[derive(Clone, PartialEq, Eq)]
pub struct SendFailure {
    pub kind: SendFailureKind,
    /// The English sentence, for the logs and the outbox's last error (it includes the
    /// server's reply, if any).
    pub message: String,
    /// The server it was sent through.
    pub host: String,
    pub port: u16,
    /// The server's own reply (its code and text), or the transport's detail, when there is one.
    pub reply: Option<String>,
}

impl SendFailure {
    /// The problem the window puts into words.
    pub fn problem(&self) -> crate::problem::Problem {
        crate::problem::Problem::SmtpFailed {
            reason: self.kind,
            host: self.host.clone(),
            port: self.port,
            reply: self.reply.clone(),
        }
    }
}

impl fmt::Debug for SendFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendFailure")
            .field("kind", &self.kind)
            .field("message", &redact_addresses(&self.message))
            .field("host", &self.host)
            .field("port", &self.port)
            .field("reply", &self.reply.as_deref().map(redact_addresses))
            .finish()
    }
}

/// `text` with every email address replaced by `[address]`, for logs: an SMTP server's reply
/// often names the recipient ("550 5.1.1 <zoe@example.com>: mailbox unavailable"), and a
/// customer's address has no place in a log file. Errs on the side of hiding: whatever touches an
/// `@` and looks like part of an address goes.
pub fn redact_addresses(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('@') {
        return text.into();
    }
    let local = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.\"".contains(c);
    let domain = |c: char| c.is_alphanumeric() || matches!(c, '-' | '.' | '[' | ']' | ':');
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut kept = 0;
    let mut at = 0;
    while at < chars.len() {
        if chars[at] == '@' {
            let mut start = at;
            while start > kept && local(chars[start - 1]) {
                start -= 1;
            }
            let mut end = at + 1;
            while end < chars.len() && domain(chars[end]) {
                end += 1;
            }
            if start < at && end > at + 1 {
                out.extend(&chars[kept..start]);
                out.push_str("[address]");
                kept = end;
                at = end;
                continue;
            }
        }
        at += 1;
    }
    out.extend(&chars[kept..]);
    out.into()
}

impl fmt::Display for SendFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Why an SMTP exchange failed (the IPC problem carries it as `SmtpFailed.reason`).
pub use crate::problem::SmtpReason as SendFailureKind;

impl SendFailureKind {
    pub fn code(self) -> &'static str {
        match self {
            SendFailureKind::HostNotFound => "smtp_host_not_found",
            SendFailureKind::ConnectionRefused => "smtp_connection_refused",
            SendFailureKind::Timeout => "smtp_timeout",
            SendFailureKind::ConnectionLost => "smtp_connection_lost",
            SendFailureKind::Tls | SendFailureKind::NoStartTls => "smtp_tls",
            SendFailureKind::AuthenticationFailed => "smtp_auth_failed",
            SendFailureKind::AuthenticationRequired | SendFailureKind::NoLoginOffered => {
                "smtp_auth_unavailable"
            }
            SendFailureKind::TemporarilyRejected => "smtp_temporarily_rejected",
            SendFailureKind::Rejected => "smtp_rejected",
            SendFailureKind::Other => "smtp_failed",
        }
    }

    /// The server refused this very email for good; retrying the same bytes will not help.
    pub fn is_permanent(self) -> bool {
        self == SendFailureKind::Rejected
    }

    /// The failure is about the server or the account, not one email: the others would fail
    /// the same way, so the run stops.
    fn stops_run(self) -> bool {
        !matches!(
            self,
            SendFailureKind::Rejected | SendFailureKind::TemporarilyRejected
        )
    }
}

/// Turns lettre's error into a [`SendFailure`] the merchant can act on.
fn describe(err: &lettre::transport::smtp::Error, settings: &SmtpSettings) -> SendFailure {
    let host = settings.host.trim();
    let port = settings.port;
    let io = io_source(err);
    let detail = err.to_string();
    let mut reply = Some(detail.clone());
    let (kind, message) = if let Some(code) = err.status() {
        let code = u16::from(code);
        let text = reply_text(err);
        let said = if text.is_empty() {
            format!("{code}")
        } else {
            format!("{code} {text}")
        };
        reply = Some(said.clone());
        if code == 530 {
            // "Authentication required" or "Must issue a STARTTLS command first": about the
            // connection and the account, not this email.
            (
                SendFailureKind::AuthenticationRequired,
                format!(
                    "The SMTP server requires a login or an encrypted connection first. Check the \
                     user name and the security setting. The server said: {said}"
                ),
            )
        } else if matches!(code, 534 | 535 | 538) && settings.username().is_some() {
            (
                SendFailureKind::AuthenticationFailed,
                format!(
                    "The SMTP server refused the user name or password (authentication failed). \
                     Check them and try again. The server said: {said}"
                ),
            )
        } else if err.is_transient() {
            (
                SendFailureKind::TemporarilyRejected,
                format!("The SMTP server asked to try again later. The server said: {said}"),
            )
        } else {
            (
                SendFailureKind::Rejected,
                format!("The SMTP server refused the email. The server said: {said}"),
            )
        }
    } else if err.is_timeout() {
        (
            SendFailureKind::Timeout,
            format!(
                "The SMTP server {host}:{port} did not answer in time. Check the host, the port \
                 and your internet connection."
            ),
        )
    } else if err.is_tls() || is_tls_failure(&detail) {
        (
            SendFailureKind::Tls,
            format!(
                "The secure connection (TLS) to {host}:{port} failed: {detail}. Check the security \
                 setting (STARTTLS usually on port 587, TLS on port 465)."
            ),
        )
    } else if detail.contains("STARTTLS is not supported") {
        (
            SendFailureKind::NoStartTls,
            format!(
                "The SMTP server {host}:{port} does not offer STARTTLS. Choose TLS (usually port \
                 465) or check the port."
            ),
        )
    } else if detail.contains("No compatible authentication mechanism") {
        (
            SendFailureKind::NoLoginOffered,
            format!(
                "The SMTP server {host}:{port} does not offer a login on this connection. Turn on \
                 STARTTLS or TLS, or leave the user name empty if the server needs none."
            ),
        )
    } else if err.is_response() && io.is_none() {
        // The reply ended early (the server hung up mid-exchange) or was not SMTP at all.
        (
            SendFailureKind::ConnectionLost,
            format!(
                "The SMTP server {host}:{port} closed the connection or answered something that \
                 is not SMTP ({detail}). Check the port and the security setting."
            ),
        )
    } else if let Some(io) = io {
        use std::io::ErrorKind;
        let text = io.to_string();
        match io.kind() {
            ErrorKind::ConnectionRefused => (
                SendFailureKind::ConnectionRefused,
                format!(
                    "The SMTP server {host}:{port} refused the connection (connection refused). \
                     Check the host and the port, or whether the server is running."
                ),
            ),
            ErrorKind::TimedOut => (
                SendFailureKind::Timeout,
                format!("The SMTP server {host}:{port} did not answer in time."),
            ),
            ErrorKind::UnexpectedEof
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe => (
                SendFailureKind::ConnectionLost,
                format!(
                    "The connection to the SMTP server {host}:{port} was lost ({text}). The \
                     email will be sent again."
                ),
            ),
            _ if text.contains("lookup") || text.contains("not known") => (
                SendFailureKind::HostNotFound,
                format!(
                    "The SMTP server \u{201c}{host}\u{201d} was not found (host not found). \
                     Check the host name and your internet connection."
                ),
            ),
            _ => (
                SendFailureKind::Other,
                format!("Sending through {host}:{port} failed: {detail}"),
            ),
        }
    } else {
        (
            SendFailureKind::Other,
            format!("Sending through {host}:{port} failed: {detail}"),
        )
    };
    if matches!(
        kind,
        SendFailureKind::HostNotFound
            | SendFailureKind::ConnectionRefused
            | SendFailureKind::Timeout
            | SendFailureKind::NoStartTls
            | SendFailureKind::NoLoginOffered
    ) {
        reply = None;
    }
    SendFailure {
        kind,
        message,
        host: host.to_owned(),
        port,
        reply,
    }
}

/// rustls reports a refused certificate or a failed handshake through an I/O error.
fn is_tls_failure(detail: &str) -> bool {
    let detail = detail.to_ascii_lowercase();
    ["certificate", "handshake", "tls", "alert"]
        .iter()
        .any(|word| detail.contains(word))
}

fn io_source<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a std::io::Error> {
    let mut source = err.source();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        source = e.source();
    }
    None
}

/// The server's reply text (lettre keeps it as the error's source).
fn reply_text(err: &lettre::transport::smtp::Error) -> String {
    use std::error::Error as _;
    err.source()
        .map(|s| s.to_string().replace(['\r', '\n'], " ").trim().to_owned())
        .unwrap_or_default()
}

/// An SMTP transport for one account: the settings plus the password.
pub struct Mailer {
    settings: SmtpSettings,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The transport's Debug is not ours to vouch for; it holds the password.
        f.debug_struct("Mailer")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A transport for `settings`, logging in with `password` when a user name is set.
    /// Nothing is contacted until the first send.
    pub fn new(settings: &SmtpSettings, password: Option<&Secret>) -> Result<Self, MailError> {
        settings.validate()?;
        let host = settings.host.trim();
        let tls = match settings.security {
            SmtpSecurity::None => Tls::None,
            security => {
                let params = TlsParameters::builder(host.to_owned())
                    .dangerous_accept_invalid_certs(settings.accept_invalid_certs)
                    .dangerous_accept_invalid_hostnames(settings.accept_invalid_certs)
                    .build_rustls()
                    .map_err(|e| invalid(MailReason::TlsSetup, Some(&e.to_string())))?;
                if security == SmtpSecurity::Tls {
                    Tls::Wrapper(params)
                } else {
                    Tls::Required(params)
                }
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(settings.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT));
        if let Some(user) = settings.username() {
            let password = password.ok_or_else(|| invalid(MailReason::PasswordMissing, None))?;
            builder = builder.credentials(Credentials::new(
                user.to_owned(),
                password.expose().to_owned(),
            ));
        }
        Ok(Mailer {
            settings: settings.clone(),
            transport: builder.build(),
        })
    }

    pub fn settings(&self) -> &SmtpSettings {
        &self.settings
    }

    /// Sends one outbox email (its Message-ID included) and waits for the server's answer.
    pub async fn send(&self, email: &OutboxEmail) -> Result<(), MailError> {
        let message = build_message(&self.settings, email)?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|err| MailError::Send(describe(&err, &self.settings)))
    }
}

/// The MIME message for an outbox email: multipart/alternative (plain text, then HTML), UTF-8
/// subject and names (lettre encodes them), the outbox's Message-ID, and Reply-To when set.
pub fn build_message(settings: &SmtpSettings, email: &OutboxEmail) -> Result<Message, MailError> {
    let mut builder = Message::builder()
        .from(settings.sender()?)
        .to(parse_mailbox(&email.recipient)?)
        .subject(email.subject.clone())
        .message_id(Some(email.message_id.clone()));
    if let Some(reply_to) = settings.reply_to() {
        builder = builder.reply_to(parse_mailbox(reply_to)?);
    }
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(email.text_body.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(email.html_body.clone()),
                ),
        )
        .map_err(|e| invalid(MailReason::NotBuilt, Some(&e.to_string())))
}

/// The saved SMTP settings, if any.
pub async fn load_settings<'e>(
    db: impl SqliteExecutor<'e>,
) -> Result<Option<SmtpSettings>, MailError> {
    match settings::get_value(db, SETTINGS_KEY).await? {
        Some(json) => Ok(Some(
            serde_json::from_str(&json).map_err(StoreError::Corrupt)?,
        )),
        None => Ok(None),
    }
}

/// Validates and saves the SMTP settings (the password goes to the keychain, not here).
pub async fn save_settings<'e>(
    db: impl SqliteExecutor<'e>,
    smtp: &SmtpSettings,
) -> Result<(), MailError> {
    smtp.validate()?;
    let json = serde_json::to_string(smtp).map_err(StoreError::Corrupt)?;
    settings::set_value(db, SETTINGS_KEY, &json).await?;
    Ok(())
}

/// Saves the SMTP settings and applies `password` to the keychain (README: Configure email).
///
/// A new server or a new user name is another account: the stored password is removed with the
/// change (unless a new one comes with it), so a password is never sent to a server it was not
/// typed for. Changing only the port, the security or the sender keeps it. With no settings
/// saved before, a stored password belongs to no known server and is removed the same way.
///
/// Order matters against the mail worker, which reads the settings, then the password, then the
/// settings again, and sends only if they did not change in between ([`run_outbox`]): for a new
/// account the old password is removed before the new settings are written, and a new password
/// is stored after them. Invalid settings or an empty replacement change nothing.
pub async fn save_settings_and_password(
    db: &SqlitePool,
    secrets: &Arc<dyn SecretStore>,
    smtp: &SmtpSettings,
    password: SmtpPassword,
) -> Result<(), MailError> {
    smtp.validate()?;
    if let SmtpPassword::Replace { password } = &password {
        if password.expose().is_empty() {
            return Err(invalid(MailReason::NewPasswordEmpty, None));
        }
    }
    let new_account = load_settings(db)
        .await?
        .is_none_or(|old| !old.same_account(smtp));
    match password {
        SmtpPassword::Delete => {
            keychain(secrets, |s| s.delete(SecretKind::SmtpPassword)).await?;
            save_settings(db, smtp).await
        }
        SmtpPassword::Keep => {
            if new_account {
                keychain(secrets, |s| s.delete(SecretKind::SmtpPassword)).await?;
            }
            save_settings(db, smtp).await
        }
        SmtpPassword::Replace { password } if new_account => {
            keychain(secrets, |s| s.delete(SecretKind::SmtpPassword)).await?;
            save_settings(db, smtp).await?;
            keychain(secrets, move |s| s.set(SecretKind::SmtpPassword, &password)).await
        }
        SmtpPassword::Replace { password } => {
            keychain(secrets, move |s| s.set(SecretKind::SmtpPassword, &password)).await?;
            save_settings(db, smtp).await
        }
    }
}

/// Runs one keychain call off the async runtime (the platform clients block).
async fn keychain<T: Send + 'static>(
    secrets: &Arc<dyn SecretStore>,
    call: impl FnOnce(&dyn SecretStore) -> Result<T, SecretsError> + Send + 'static,
) -> Result<T, MailError> {
    let secrets = secrets.clone();
    tokio::task::spawn_blocking(move || call(&*secrets))
        .await
        .unwrap_or_else(|e| {
            Err(SecretsError::Failed {
                detail: e.to_string(),
            })
        })
        .map_err(MailError::Keychain)
}

/// Queues an email after checking its recipient. The Message-ID uses the sender's domain when
/// the settings are known (they may not be yet: the email then waits for them).
pub async fn enqueue<'e>(
    db: impl SqliteExecutor<'e>,
    smtp: Option<&SmtpSettings>,
    email: &NewEmail,
    now: Timestamp,
) -> Result<OutboxEmail, MailError> {
    parse_mailbox(&email.recipient)?;
    let message_id = outbox::new_message_id(smtp.map_or("", SmtpSettings::domain));
    Ok(outbox::enqueue(db, email, &message_id, now).await?)
}

/// "Retry now": queues a `failed` email, or one waiting for its next attempt, again, due at
/// `now`, with the same Message-ID. The caller then wakes the mail worker. Refused
/// ([`RetryRefusal`]) for an email that was sent, is being sent, or was cancelled.
pub async fn retry_now(
    conn: &mut sqlx::SqliteConnection,
    id: i64,
    now: Timestamp,
) -> Result<OutboxEmail, MailError> {
    if let Some(email) = outbox::retry(&mut *conn, id, now).await? {
        return Ok(email);
    }
    let email = outbox::get(&mut *conn, id).await?;
    let reason = match email.state {
        OutboxState::Sent => RetryRefusal::AlreadySent,
        OutboxState::Sending => RetryRefusal::BeingSent,
        OutboxState::Cancelled => RetryRefusal::Cancelled,
        // Queued again by someone else in the meantime.
        OutboxState::Pending | OutboxState::Failed => RetryRefusal::QueuedElsewhere,
    };
    Err(MailError::Invalid(Problem::RetryRefused { reason }))
}

/// The wait before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min, … up to
/// one hour.
pub fn backoff(attempts: u32) -> i64 {
    let doublings = attempts.saturating_sub(1).min(16);
    (BACKOFF_BASE_SECS << doublings).min(BACKOFF_CAP_SECS)
}

/// What one [`send_due`] run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReport {
    pub sent: u32,
    /// Attempts that failed and were rescheduled.
    pub retrying: u32,
    /// Emails given up on in this run.
    pub failed: u32,
    /// The server- or account-level failure that ended the run early (offline, refused, bad
    /// password…); the remaining emails wait for the next run.
    pub stopped: Option<SendFailure>,
}

/// Sends every due email of the outbox, one at a time, oldest first, until none is due or the
/// server cannot be reached. Call it on a timer, after queuing an email, and at start-up (it
/// first puts back emails whose sender died mid-send).
pub async fn send_due(
    store: &Store,
    mailer: &Mailer,
    now: Timestamp,
) -> Result<SendReport, MailError> {
    let db = store.pool();
    let recovered = outbox::recover_stale(db, now - STALE_CLAIM_SECS).await?;
    if recovered > 0 {
        tracing::warn!(
            recovered,
            "emails left mid-send by a previous run are queued again"
        );
    }
    let mut report = SendReport::default();
    while let Some(email) = outbox::claim_due(db, now, 1).await?.pop() {
        match mailer.send(&email).await {
            Ok(()) => {
                outbox::mark_sent(db, email.id, now).await?;
                report.sent += 1;
                tracing::info!(id = email.id, kind = %email.kind, "email sent");
            }
            Err(MailError::Send(failure)) => {
                let attempts = email.attempts.saturating_add(1);
                let give_up = failure.kind.is_permanent() && attempts >= PERMANENT_ATTEMPTS;
                let retry_at = (!give_up).then(|| now + backoff(attempts));
                outbox::mark_failed(db, email.id, &failure.message, &failure.problem(), retry_at)
                    .await?;
                // The server's reply may name the recipient: not in the log (the outbox keeps it
                // whole for the merchant).
                tracing::warn!(id = email.id, attempts, code = failure.kind.code(), give_up,
                    error = %redact_addresses(&failure.message), "email not sent");
                if give_up {
                    report.failed += 1;
                } else {
                    report.retrying += 1;
                }
                if failure.kind.stops_run() {
                    report.stopped = Some(failure);
                    break;
                }
            }
            // The email cannot even be built (e.g. the sender address was emptied): keep it,
            // with the reason, until the settings are fixed.
            Err(other) => {
                let attempts = email.attempts.saturating_add(1);
                outbox::mark_failed(
                    db,
                    email.id,
                    &other.to_string(),
                    &other.problem(),
                    Some(now + backoff(attempts)),
                )
                .await?;
                report.retrying += 1;
            }
        }
    }
    Ok(report)
}

/// One run of the mail worker over `store` (README: Configure email): the due emails are sent
/// with the saved settings and the password from the keychain. `None` without settings (the
/// emails wait for them).
///
/// The keychain is read only when an email is due and the settings have a user name: the worker
/// wakes every 30 seconds, and an empty outbox never touches the keychain (which may prompt, or
/// log each access). The settings are read again after the password, and the run waits for the
/// next wake-up if they changed in between: with [`save_settings_and_password`]'s order, a
/// password is never paired with a server it was not saved for.
pub async fn run_outbox(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    now: Timestamp,
) -> Result<Option<SendReport>, MailError> {
    let db = store.pool();
    let Some(smtp) = load_settings(db).await? else {
        return Ok(None);
    };
    if !outbox::any_due(db, now, now - STALE_CLAIM_SECS).await? {
        return Ok(Some(SendReport::default()));
    }
    let password = match smtp.username() {
        Some(_) => keychain(secrets, |s| s.get(SecretKind::SmtpPassword)).await?,
        None => None,
    };
    if load_settings(db).await?.as_ref() != Some(&smtp) {
        // Saved meanwhile; the save wakes the worker, which runs again with the new ones.
        return Ok(Some(SendReport::default()));
    }
    let mailer = Mailer::new(&smtp, password.as_ref())?;
    send_due(store, &mailer, now).await.map(Some)
}

/// Sends a test email to `to` with `settings` and `password`, for the settings screen's
/// "Send test email". The error says exactly what went wrong, in plain words.
pub async fn send_test(
    smtp: &SmtpSettings,
    password: Option<&Secret>,
    to: &str,
) -> Result<(), MailError> {
    let mailer = Mailer::new(smtp, password)?;
    let recipient = parse_mailbox(to)?;
    let now = crate::store::now();
    let shop = if smtp.from_name.trim().is_empty() {
        "Comptoir"
    } else {
        smtp.from_name.trim()
    };
    let content = crate::emails::test(shop, smtp.host.trim());
    let email = OutboxEmail {
        id: 0,
        message_id: outbox::new_message_id(smtp.domain()),
        kind: "test".to_owned(),
        order_id: None,
        recipient: recipient.to_string(),
        subject: content.subject,
        text_body: content.text,
        html_body: content.html,
        state: outbox::OutboxState::Sending,
        attempts: 0,
        last_error: None,
        last_problem: None,
        next_attempt_at: now,
        created_at: now,
        sent_at: None,
    };
    mailer.send(&email).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SmtpSettings {
        SmtpSettings {
            host: "smtp.example.com".into(),
            port: 587,
            security: SmtpSecurity::Starttls,
            username: Some("shop".into()),
            from_name: "L\u{e9}a's Caf\u{e9}".into(),
            from_address: "shop@example.com".into(),
            reply_to: None,
            accept_invalid_certs: false,
        }
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), 30);
        assert_eq!(backoff(2), 60);
        assert_eq!(backoff(3), 120);
        assert_eq!(backoff(8), 3600);
        assert_eq!(backoff(u32::MAX), 3600);
    }

    #[test]
    fn settings_json_never_carries_the_test_flag() {
        let mut s = settings();
        s.accept_invalid_certs = true;
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("accept_invalid"), "{json}");
        let back: SmtpSettings = serde_json::from_str(&json).unwrap();
        assert!(!back.accept_invalid_certs);
    }

    /// The settings screen's password field as it crosses IPC: `{ "action": … }`, the
    /// replacement read straight into a `Secret` that never prints.
    #[test]
    fn the_password_field_reads_keep_replace_and_delete() {
        let keep: SmtpPassword = serde_json::from_str(r#"{"action":"keep"}"#).unwrap();
        assert!(matches!(keep, SmtpPassword::Keep));
        let delete: SmtpPassword = serde_json::from_str(r#"{"action":"delete"}"#).unwrap();
        assert!(matches!(delete, SmtpPassword::Delete));
        let replace: SmtpPassword =
            serde_json::from_str(r#"{"action":"replace","password":"s3cr\u00e9t"}"#).unwrap();
        let SmtpPassword::Replace { password } = &replace else {
            panic!("{replace:?}")
        };
        assert_eq!(password.expose(), "s3cr\u{e9}t");
        assert!(!format!("{replace:?}").contains("s3cr"), "{replace:?}");
        for bad in [
            r#"null"#,
            r#""keep""#,
            r#"{"action":"replace"}"#,
            r#"{"action":"forget"}"#,
        ] {
            assert!(serde_json::from_str::<SmtpPassword>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_same_account_is_the_same_host_and_user_name() {
        let a = settings();
        let mut b = SmtpSettings {
            host: " SMTP.Example.COM ".into(),
            port: 465,
            security: SmtpSecurity::Tls,
            username: Some(" shop ".into()),
            from_address: "other@example.com".into(),
            ..settings()
        };
        assert!(a.same_account(&b));
        b.host = "smtp.example.net".into();
        assert!(!a.same_account(&b));
        b.host = a.host.clone();
        b.username = Some("Shop".into());
        assert!(!a.same_account(&b), "user names keep their case");
        b.username = None;
        assert!(!a.same_account(&b));
    }

    #[test]
    fn addresses_are_redacted_from_what_is_logged() {
        assert_eq!(
            redact_addresses("550 5.1.1 <zoe@example.com>: mailbox unavailable"),
            "550 5.1.1 <[address]>: mailbox unavailable"
        );
        assert_eq!(
            redact_addresses(
                "553 sender ventes+fr@boutique.example.fr refused for zo\u{eb}.m\u{fc}ller@m\u{fc}ller.de."
            ),
            "553 sender [address] refused for [address]"
        );
        assert_eq!(
            redact_addresses("\"Zo\u{eb} D.\" <zoe.d@[192.0.2.1]>, bob@x.io"),
            "\"Zo\u{eb} D.\" <[address]>, [address]"
        );
        // No address: unchanged, and an @ alone is not an address.
        assert_eq!(
            redact_addresses("421 try again @ noon"),
            "421 try again @ noon"
        );
        assert_eq!(redact_addresses("no address here"), "no address here");

        let failure = SendFailure {
            kind: SendFailureKind::Rejected,
            message: "The SMTP server refused the email. The server said: 550 <zoe@example.com>"
                .into(),
            host: "smtp.example.com".into(),
            port: 587,
            reply: Some("550 <zoe@example.com>".into()),
        };
        let logged = format!(
            "{:?}",
            SendReport {
                stopped: Some(failure.clone()),
                ..SendReport::default()
            }
        );
        assert!(!logged.contains("zoe@"), "{logged}");
        assert!(logged.contains("550 <[address]>"), "{logged}");
        assert!(
            failure.to_string().contains("zoe@example.com"),
            "the merchant reads it whole"
        );
    }
}
