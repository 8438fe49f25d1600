//! What went wrong, said as a code with its parameters, for the window to put into words in the
//! merchant's language (`ui/src/lib/errors.ts`, with the sentences in `ui/src/lib/i18n/`). Rust
//! writes no sentence a merchant reads: the `Display` texts of the error enums are for logs.
//!
//! Each error enum of the core says which problem it is (`problem()` on the error); the
//! commands send it over IPC beside a coarse `ErrorCode` the screens branch on (README:
//! Architecture, Errors).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One problem, tagged by `code`, with what the sentence needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "code", rename_all = "snake_case")]
#[ts(export)]
pub enum Problem {
    /// The pasted text is not a Stripe secret key (wrong prefix).
    KeyNotStripe,
    /// Stripe refused the key (mistyped, revoked, expired); Stripe's own words.
    KeyRefused { stripe_says: String },
    /// A restricted key lacks a permission Comptoir reads with; Stripe names it when it can.
    KeyMissingPermission { permission: Option<String> },
    /// A restricted key that may not read its Account: Stripe did not say which account it is.
    KeyAccountUnknown,
    /// A refund the key may not make (a restricted key without Refunds write).
    RefundNotPermitted { permission: Option<String> },
    /// The OS keychain cannot be used.
    Keychain { reason: KeychainReason },
    /// Stripe cannot be reached (offline, DNS, timeout).
    StripeUnreachable,
    /// Stripe asks to slow down.
    StripeRateLimited,
    /// Stripe answered with an error; its own words.
    StripeRefused { status: u16, stripe_says: String },
    /// Stripe has no such object.
    StripeNotFound,
    /// Stripe's answer could not be read.
    StripeUnexpected,
    /// The Stripe API address (`COMPTOIR_STRIPE_API_BASE`) is neither Stripe's nor this
    /// computer's: the key is not sent there.
    StripeAddressRefused,
    /// What the window asked for is no longer in the local store.
    NotFound { what: String },
    /// A sync is already running.
    SyncBusy,
    /// A tracking number, link, postcode or custom carrier was refused; `value` is what the
    /// sentence quotes (the number, the scheme, the length…), when it quotes something.
    TrackingInvalid {
        reason: TrackingReason,
        value: Option<String>,
    },
    /// The link to open is not one of the order's recorded tracking links.
    TrackingLinkUnknown,
    /// Neither a pasted link nor a carrier with a number.
    TrackingMissing,
    /// Two custom carriers share an id.
    CarrierDuplicateId { id: String },
    /// Nobody is named at this station (Settings → Staff name): every action records who.
    StaffNameMissing,
    /// "Send shipping email" with no parcel.
    NoParcel,
    /// The order is no longer where the action starts (another station moved it): its status
    /// (`to_be_sent`, `sent`, `to_be_picked_up`, `picked_up`) and the step refused.
    WrongStatus {
        status: String,
        step: FulfilmentStep,
    },
    /// A search longer than the lists take (`max` characters).
    SearchTooLong { max: u32 },
    /// A setting is too long.
    SettingTooLong { field: SettingField, max: u32 },
    /// A background sync interval outside what Settings take (`min` to `max` seconds).
    SyncIntervalOutOfRange { value: u32, min: u32, max: u32 },
    /// A settings file that cannot be imported, and why; nothing was changed.
    SettingsFileRefused {
        reason: SettingsFileReason,
        /// What the sentence quotes: the field, the version or the size, when it quotes one.
        detail: Option<String>,
    },
    /// A language other than `fr` or `en`.
    UnknownLanguage { value: String },
    /// A batch of packing slips larger than the printer takes at once.
    PrintTooMany { count: u32, max: u32 },
    /// A batch of packing slips with no order in it.
    PrintNothing,
    /// No SMTP settings yet.
    SmtpNotConfigured,
    /// An SMTP exchange failed: why, with which server, and the server's reply if it gave one.
    SmtpFailed {
        reason: SmtpReason,
        host: String,
        port: u16,
        reply: Option<String>,
    },
    /// The printer name cannot be a print queue.
    PrinterName { name: String },
    /// No print system (CUPS's `lp`) on this computer.
    NoPrintSystem,
    /// The print system refused or failed; what it said.
    PrintFailed { detail: String },
    /// The print system did not answer within `seconds` and was stopped: nothing printed.
    PrintTimedOut { seconds: u32 },
    /// The order is not paid: going ahead needs the merchant's confirmation; why it is not.
    PaymentNotSettled { reason: Unsettled },
    /// Some orders of the list to print are not paid: printing them needs a confirmation.
    UnpaidInList { count: u32 },
    /// The demo store has no Stripe account to refund from.
    RefundInDemo,
    /// Comptoir has no Stripe client (offline start): refund in the Dashboard.
    RefundOffline,
    /// The order has no invoice, so no PDF.
    NoInvoice,
    /// Stripe has no PDF for the order's invoice (yet).
    NoInvoicePdf,
    /// The invoice PDF's link is not one of Stripe's.
    PdfLinkRefused,
    /// Stripe's answer was not a PDF (an error page, a redirect elsewhere).
    PdfNotAPdf { detail: String },
    /// The save dialog gave no file name.
    PdfNoFileName,
    /// An invoice PDF asked for offline that is not in the offline cache yet (README:
    /// Architecture, Offline invoice PDFs): it will be once Stripe can be reached.
    PdfNotDownloaded,
    /// The offline PDF cache's size limit (Settings) is out of range: 0 to `max` MB.
    PdfCacheLimit { max: u32 },
    /// The system's PDF viewer could not be started for a cached invoice PDF.
    PdfViewerNotOpened,
    /// A file or folder on this computer could not be written.
    CannotWrite { path: String },
    /// The SMTP settings, or an address an email is built from, were refused; `value` is what
    /// the sentence quotes (the host, the address, the TLS library's detail), when it quotes
    /// something.
    MailInvalid {
        reason: MailReason,
        value: Option<String>,
    },
    /// "Retry now" on an email that cannot be retried.
    RetryRefused { reason: RetryRefusal },
    /// The last attempt to send an email failed before this version recorded why (a row an
    /// earlier version wrote); the log has the details.
    EmailFailedEarlier,
    /// A refund request was refused before anything was sent to Stripe.
    RefundInvalid { reason: RefundRefusal },
    /// A refund of more units of a cart line (`line`, its description) than the order has.
    RefundTooManyUnits {
        line: String,
        on_order: u32,
        asked: u32,
    },
    /// A refund of more than what is left to refund: at most `amount` (minor units) of
    /// `currency`.
    RefundTooMuch {
        #[ts(type = "number")]
        amount: i64,
        currency: String,
    },
    /// The save dialog could not be shown or gave no answer.
    SaveDialogFailed,
    /// The place the save dialog chose is not a file on this computer.
    SaveLocationRefused,
    /// Neither the Downloads folder nor the data folder can be found to export into.
    NoExportFolder,
    /// The system browser could not be opened.
    BrowserNotOpened,
    /// A folder of Comptoir's could not be shown in the system's file manager (the start-up
    /// window's "Open data folder", Settings' "Open log folder").
    FolderNotOpened { path: String },
    /// A link the window asked to open is not one of Stripe's `https` pages; `host` is the one
    /// it names, when it is a web address.
    LinkRefused { host: Option<String> },
    /// The invoice files address (`COMPTOIR_STRIPE_FILES_BASE`, tests only) is neither Stripe's
    /// nor this computer's.
    FilesAddressRefused,
    /// Never built by Rust: the window's name for a bare string Tauri itself rejects with (an
    /// unknown command, arguments that do not parse), README: Errors.
    Invalid { message: String },
    /// Something failed inside Comptoir (the local database…); the log has the details.
    Internal,
    /// Another station already shipped or handed the order over ("Already sent by Camille at
    /// Atelier at 14:03"): nothing was done here and no email goes (README: Stations).
    AlreadyDoneElsewhere {
        status: String,
        staff: Option<String>,
        station: Option<String>,
        #[ts(type = "number")]
        at: i64,
    },
    /// The Stripe key may not write metadata: this station works alone (sharing is off);
    /// Stripe names the permission that turns it on when it can.
    SharingNotPermitted { permission: Option<String> },
    /// The demo store shares nothing: it has no Stripe account.
    SharingInDemo,
    /// Too many parcels to share through Stripe's metadata (`parcels`).
    SharedStateTooLarge { parcels: u32 },
    /// Packing mode: the scan found no order by number, invoice number, Checkout Session id or
    /// tracking number (`scan` is what was scanned).
    PackNoMatch { scan: String },
    /// Packing mode: the scanned item is on no line of the order (nor a line number).
    PackWrongItem { scan: String },
    /// Packing mode: one unit too many of line `line` (`quantity` ordered, all ticked).
    PackTooMany { line: u32, quantity: u32 },
    /// Packing mode: "Packed" with units missing needs a reason for the history.
    PackReasonMissing,
    /// Packing mode: the override's reason is longer than `max` characters.
    PackReasonTooLong { max: u32 },
    /// Settings → Product codes: a code to link is empty, too long (`max`) or has control
    /// characters.
    ProductCodeInvalid { max: u32 },
    /// Settings → Product codes: the code is already linked to another product (`product`, its
    /// name when known).
    ProductCodeTaken {
        value: String,
        product: Option<String>,
    },
    /// Settings → Product codes: the metadata keys to read must be 1 to `max` keys of letters,
    /// digits, `_` or `-`.
    ProductCodeKeysInvalid { max: u32 },
}

/// Why the OS keychain could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum KeychainReason {
    NoSessionBus,
    Unavailable,
    NoDefault,
    Locked,
    Refused,
    Failed,
}

/// Why a tracking entry or a custom carrier was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TrackingReason {
    EmptyNumber,
    NumberCharacters,
    NumberTooLong,
    PostcodeRequired,
    Postcode,
    UnknownCustomCarrier,
    CustomId,
    CustomName,
    CustomNameCharacters,
    TemplateMissingNumber,
    TemplatePlaceholder,
    TemplateNotHttps,
    EmptyUrl,
    UrlTooLong,
    UrlCharacters,
    NotAWebAddress,
    Scheme,
    NoHost,
    Credentials,
}

/// Why an SMTP exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SmtpReason {
    HostNotFound,
    ConnectionRefused,
    Timeout,
    /// The connection dropped in the middle of the exchange.
    ConnectionLost,
    /// The TLS handshake failed.
    Tls,
    /// The server does not offer STARTTLS.
    NoStartTls,
    /// The server refused the user name or password.
    AuthenticationFailed,
    /// The server wants a login or encryption first (530).
    AuthenticationRequired,
    /// The server offers no login on this connection.
    NoLoginOffered,
    /// A 4xx reply: try again later.
    TemporarilyRejected,
    /// A 5xx reply to the message itself.
    Rejected,
    Other,
}

/// A fulfilment step, as a refusal names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FulfilmentStep {
    Ship,
    MarkNotSent,
    PickUp,
    AnnounceReady,
}

/// A setting a refusal names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SettingField {
    StationName,
    StaffName,
}

/// Why an order may not go out yet (`payments::unsettled`): the sentence names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum Unsettled {
    /// The payment is on its way; `method` is Stripe's payment method type (`sepa_debit`…).
    Processing { method: Option<String> },
    /// The payment failed; `failure` is Stripe's own explanation, when it gave one.
    Failed { failure: Option<String> },
    /// The order was refunded in full.
    Refunded,
    /// A dispute is open.
    Disputed,
    /// The dispute was lost.
    DisputeLost,
}

/// Why the SMTP settings or an email's address were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MailReason {
    /// No SMTP host.
    HostMissing,
    /// The host is a link or has spaces (`value`: the host).
    HostNotAName,
    /// Port 0.
    PortZero,
    /// No sender address.
    SenderMissing,
    /// The sender address is not an email address (`value`).
    SenderInvalid,
    /// The reply-to address is not an email address (`value`).
    ReplyToInvalid,
    /// The sender name spans several lines.
    SenderNameLines,
    /// A recipient's address is not an email address (`value`).
    AddressInvalid,
    /// TLS cannot be set up for this server (`value`: the TLS library's detail).
    TlsSetup,
    /// The email cannot be built (`value`: the mail library's detail).
    NotBuilt,
    /// A user name is set and no password is stored.
    PasswordMissing,
    /// "Replace password" with an empty password.
    NewPasswordEmpty,
}

/// Why "Retry now" was refused: where the email is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RetryRefusal {
    /// The server accepted it: it is not sent again.
    AlreadySent,
    /// It is being sent right now.
    BeingSent,
    /// It was cancelled (the order was marked as not sent).
    Cancelled,
    /// Someone else queued it again meanwhile.
    QueuedElsewhere,
}

/// Why a refund request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RefundRefusal {
    /// A cart line the order does not have.
    UnknownLine,
    /// Nothing (zero) to refund.
    NoAmount,
    /// The window's request is malformed (its idempotency key).
    Malformed,
    /// The order has no payment to refund.
    NoPayment,
    /// The payment has not gone through (processing, failed, free).
    NotPaid,
}

/// Why a settings file was refused (Settings → Import settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SettingsFileReason {
    /// The file cannot be read.
    Unreadable,
    /// Larger than a settings file can be (`detail`: the limit in kilobytes).
    TooLarge,
    /// Not JSON, or not a Comptoir settings file.
    NotSettings,
    /// Written by a newer Comptoir (`detail`: its format version).
    NewerVersion,
    /// A field this version does not know (`detail`: its name).
    UnknownField,
    /// A password, key or secret in the file (`detail`: the field): secrets are never imported.
    HasSecret,
}
