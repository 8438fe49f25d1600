//! The domain types Comptoir shows: orders, customers, subscriptions, and what the UI sees of
//! the account and the sync. Every type here crosses IPC, so each derives `TS` and its
//! TypeScript twin is generated into `ui/src/lib/ipc/bindings`.
//!
//! Amounts are integer minor units of their currency (cents, or yen for JPY); the UI formats
//! them with `Intl.NumberFormat`, which knows each currency's decimals.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Unix time in seconds, as Stripe sends it.
pub type Timestamp = i64;

/// A postal address; every part is optional because Stripe's are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Address {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        self == &Address::default()
    }
}

/// Who pays or who receives: a name, contact details and an address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<Address>,
    /// Tax ids as "type value", for example "eu_vat FR12345678901".
    pub tax_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeliveryKind {
    Delivery,
    Pickup,
}

impl DeliveryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryKind::Delivery => "delivery",
            DeliveryKind::Pickup => "pickup",
        }
    }
    pub fn parse(s: &str) -> Self {
        if s == "pickup" {
            DeliveryKind::Pickup
        } else {
            DeliveryKind::Delivery
        }
    }
}

/// Where an order stands for the packing station.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FulfilmentStatus {
    ToBeSent,
    Sent,
    ToBePickedUp,
    PickedUp,
}

impl FulfilmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FulfilmentStatus::ToBeSent => "to_be_sent",
            FulfilmentStatus::Sent => "sent",
            FulfilmentStatus::ToBePickedUp => "to_be_picked_up",
            FulfilmentStatus::PickedUp => "picked_up",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "to_be_sent" => FulfilmentStatus::ToBeSent,
            "sent" => FulfilmentStatus::Sent,
            "to_be_picked_up" => FulfilmentStatus::ToBePickedUp,
            "picked_up" => FulfilmentStatus::PickedUp,
            _ => return None,
        })
    }
    /// The status of an order nobody has touched yet.
    pub fn initial(kind: DeliveryKind) -> Self {
        match kind {
            DeliveryKind::Delivery => FulfilmentStatus::ToBeSent,
            DeliveryKind::Pickup => FulfilmentStatus::ToBePickedUp,
        }
    }
}

/// The tab an order sits in: its fulfilment status, or, while it has not gone out, the payment
/// hold that keeps it from the work queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OrderQueue {
    ToBeSent,
    Sent,
    ToBePickedUp,
    PickedUp,
    /// The payment is still processing (SEPA debit, bank transfer…): not to be sent yet.
    AwaitingPayment,
    /// The payment failed, was refunded in full or is disputed: not to be sent.
    OnHold,
}

impl OrderQueue {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderQueue::ToBeSent => "to_be_sent",
            OrderQueue::Sent => "sent",
            OrderQueue::ToBePickedUp => "to_be_picked_up",
            OrderQueue::PickedUp => "picked_up",
            OrderQueue::AwaitingPayment => "awaiting_payment",
            OrderQueue::OnHold => "on_hold",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "to_be_sent" => OrderQueue::ToBeSent,
            "sent" => OrderQueue::Sent,
            "to_be_picked_up" => OrderQueue::ToBePickedUp,
            "picked_up" => OrderQueue::PickedUp,
            "awaiting_payment" => OrderQueue::AwaitingPayment,
            "on_hold" => OrderQueue::OnHold,
            _ => return None,
        })
    }
}

impl From<FulfilmentStatus> for OrderQueue {
    fn from(s: FulfilmentStatus) -> Self {
        match s {
            FulfilmentStatus::ToBeSent => OrderQueue::ToBeSent,
            FulfilmentStatus::Sent => OrderQueue::Sent,
            FulfilmentStatus::ToBePickedUp => OrderQueue::ToBePickedUp,
            FulfilmentStatus::PickedUp => OrderQueue::PickedUp,
        }
    }
}

/// Where an order's payment stands (the rule is in `payments.rs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PaymentState {
    #[default]
    Paid,
    /// Nothing to pay (a 100 % discount).
    NoPaymentRequired,
    /// An asynchronous method (SEPA debit, bank transfer…) has not settled yet.
    Processing,
    /// The payment failed or was cancelled.
    Failed,
    PartiallyRefunded,
    Refunded,
    /// A dispute is open, or was lost.
    Disputed,
}

impl PaymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Paid => "paid",
            PaymentState::NoPaymentRequired => "no_payment_required",
            PaymentState::Processing => "processing",
            PaymentState::Failed => "failed",
            PaymentState::PartiallyRefunded => "partially_refunded",
            PaymentState::Refunded => "refunded",
            PaymentState::Disputed => "disputed",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "no_payment_required" => PaymentState::NoPaymentRequired,
            "processing" => PaymentState::Processing,
            "failed" => PaymentState::Failed,
            "partially_refunded" => PaymentState::PartiallyRefunded,
            "refunded" => PaymentState::Refunded,
            "disputed" => PaymentState::Disputed,
            _ => PaymentState::Paid,
        }
    }
    /// The queue that holds an order not yet out back, if this state does: only a paid order,
    /// or one that needs no payment, may go out (a partial refund does not stop it).
    pub fn hold(self) -> Option<OrderQueue> {
        match self {
            PaymentState::Processing => Some(OrderQueue::AwaitingPayment),
            PaymentState::Failed | PaymentState::Refunded | PaymentState::Disputed => {
                Some(OrderQueue::OnHold)
            }
            PaymentState::Paid
            | PaymentState::NoPaymentRequired
            | PaymentState::PartiallyRefunded => None,
        }
    }
}

/// A dispute on the order's payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DisputeSummary {
    pub id: String,
    /// needs_response, under_review, won, lost, warning_needs_response…
    pub status: String,
    /// fraudulent, product_not_received, duplicate…
    pub reason: Option<String>,
    #[ts(type = "number")]
    pub amount: i64,
    /// When the evidence is due (for a dispute that needs a response).
    #[ts(type = "number | null")]
    pub due_by: Option<Timestamp>,
}

/// What Stripe says of one PaymentIntent and its latest charge (the `payments` table).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentFacts {
    pub payment_intent_id: String,
    /// processing, succeeded, requires_payment_method, requires_action, canceled…
    pub status: Option<String>,
    pub method: Option<String>,
    pub amount: i64,
    pub amount_received: i64,
    pub charge_id: Option<String>,
    pub amount_refunded: i64,
    pub refunded_at: Option<Timestamp>,
    pub failure: Option<String>,
}

/// A dispute with what finds its order back (the `disputes` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispute {
    pub summary: DisputeSummary,
    pub payment_intent_id: Option<String>,
    pub charge_id: Option<String>,
    pub currency: Option<String>,
    pub created: Timestamp,
}

/// The order's payment as the list and the detail show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderPayment {
    pub state: PaymentState,
    /// Checkout's `payment_status` (paid, unpaid, no_payment_required) for a session's order.
    pub checkout_status: Option<String>,
    /// card, sepa_debit, customer_balance (bank transfer)…
    pub method: Option<String>,
    /// What the customer paid (or is paying), in minor units.
    #[ts(type = "number")]
    pub amount: i64,
    #[ts(type = "number")]
    pub amount_refunded: i64,
    #[ts(type = "number | null")]
    pub refunded_at: Option<Timestamp>,
    /// Why the payment failed, in Stripe's words.
    pub failure: Option<String>,
    pub dispute: Option<DisputeSummary>,
}

/// Which Stripe object an order was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OrderSource {
    /// A completed Checkout Session in `payment` mode (Checkout and Payment Links).
    CheckoutSession,
    /// A paid one-off invoice (no subscription).
    Invoice,
}

impl OrderSource {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderSource::CheckoutSession => "checkout_session",
            OrderSource::Invoice => "invoice",
        }
    }
    pub fn parse(s: &str) -> Self {
        if s == "invoice" {
            OrderSource::Invoice
        } else {
            OrderSource::CheckoutSession
        }
    }
}

/// One cart line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderLine {
    pub description: String,
    #[ts(type = "number")]
    pub quantity: i64,
    /// Price of one unit before discounts and tax, when Stripe gives it.
    #[ts(type = "number | null")]
    pub unit_amount: Option<i64>,
    #[ts(type = "number")]
    pub amount_subtotal: i64,
    #[ts(type = "number")]
    pub amount_discount: i64,
    #[ts(type = "number")]
    pub amount_tax: i64,
    #[ts(type = "number")]
    pub amount_total: i64,
    /// The Stripe product sold on this line (`price.product`), when Stripe names one: what
    /// packing mode reads the line's picture and codes from (README: Packing mode). Orders
    /// cached before it was kept have none until the sync writes them again.
    #[serde(default)]
    pub product_id: Option<String>,
}

/// One tax line of the VAT breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TaxLine {
    /// For example "TVA 20%" or "VAT".
    pub label: String,
    /// Percentage as text ("20", "5.5"), when known.
    pub rate: Option<String>,
    #[ts(type = "number")]
    pub amount: i64,
}

/// One discount applied to the order, with the coupon or promotion name when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DiscountLine {
    pub name: Option<String>,
    #[ts(type = "number")]
    pub amount: i64,
}

/// A field the customer filled in at checkout (Checkout's `custom_fields`): a gift message,
/// delivery instructions, a choice from a list, a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomField {
    /// The merchant's key for the field ("giftmessage").
    pub key: String,
    /// The label the customer saw ("Gift message"), else the key.
    pub label: String,
    /// text, dropdown or numeric.
    pub kind: String,
    /// What the customer typed or chose (a dropdown's option label); `None` when left empty.
    pub value: Option<String>,
}

/// An order as cached: everything the list and the detail show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Order {
    /// `cs_…` for a Checkout Session, `in_…` for a one-off invoice.
    pub id: String,
    pub source: OrderSource,
    /// The invoice number when there is one, else a short id.
    pub number: String,
    #[ts(type = "number")]
    pub created: Timestamp,
    pub livemode: bool,
    pub customer_id: Option<String>,
    pub billing: Contact,
    pub shipping: Option<Contact>,
    /// ISO currency code, lower case as Stripe sends it.
    pub currency: String,
    pub lines: Vec<OrderLine>,
    #[ts(type = "number")]
    pub amount_subtotal: i64,
    #[ts(type = "number")]
    pub amount_discount: i64,
    #[ts(type = "number")]
    pub amount_shipping: i64,
    #[ts(type = "number")]
    pub amount_tax: i64,
    #[ts(type = "number")]
    pub amount_total: i64,
    pub discounts: Vec<DiscountLine>,
    pub taxes: Vec<TaxLine>,
    pub shipping_rate_id: Option<String>,
    /// The shipping rate's display name.
    pub delivery_method: Option<String>,
    pub delivery_kind: DeliveryKind,
    pub invoice_id: Option<String>,
    pub invoice_pdf: Option<String>,
    pub hosted_invoice_url: Option<String>,
    pub payment_intent_id: Option<String>,
    /// The customer's preferred language when Stripe knows it ("fr", "en").
    pub locale: Option<String>,
    /// Orders cached before payment state existed read as paid until the next sync.
    #[serde(default)]
    pub payment: OrderPayment,
    /// The fields filled in at checkout; orders cached before they were kept have none.
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
}

impl Order {
    pub fn item_count(&self) -> i64 {
        self.lines.iter().map(|l| l.quantity).sum()
    }
}

/// A row of the orders table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderRow {
    pub id: String,
    pub number: String,
    #[ts(type = "number")]
    pub created: Timestamp,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    #[ts(type = "number")]
    pub item_count: i64,
    pub currency: String,
    #[ts(type = "number")]
    pub amount_total: i64,
    pub delivery_method: Option<String>,
    pub delivery_kind: DeliveryKind,
    pub status: FulfilmentStatus,
    /// The tab it sits in (its status, or the payment hold of an order not yet out).
    pub queue: OrderQueue,
    pub payment_state: PaymentState,
}

/// A customer as cached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Customer {
    pub id: String,
    pub deleted: bool,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<Address>,
    pub shipping: Option<Contact>,
    pub preferred_locale: Option<String>,
    #[ts(type = "number")]
    pub created: Timestamp,
    /// `invoice_settings.default_payment_method`: what Stripe charges for a subscription that
    /// has no payment method of its own. Customers cached before it was read have none.
    #[serde(default)]
    pub default_payment_method: Option<PaymentMethodSummary>,
}

/// An invoice as cached (one-off or of a subscription).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Invoice {
    pub id: String,
    pub number: Option<String>,
    pub customer_id: Option<String>,
    pub subscription_id: Option<String>,
    /// draft, open, paid, uncollectible or void.
    pub status: Option<String>,
    pub currency: String,
    #[ts(type = "number")]
    pub total: i64,
    #[ts(type = "number")]
    pub amount_paid: i64,
    #[ts(type = "number")]
    pub amount_due: i64,
    #[ts(type = "number")]
    pub created: Timestamp,
    pub invoice_pdf: Option<String>,
    pub hosted_invoice_url: Option<String>,
}

/// A card, SEPA debit, bank account or wallet, reduced to what may be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PaymentMethodSummary {
    /// card, sepa_debit, us_bank_account, paypal, …
    pub kind: String,
    /// Card brand ("visa") or bank name, when known.
    pub brand: Option<String>,
    pub last4: Option<String>,
    #[ts(type = "number | null")]
    pub exp_month: Option<i64>,
    #[ts(type = "number | null")]
    pub exp_year: Option<i64>,
    /// Apple Pay, Google Pay, Link … when the card came through a wallet.
    pub wallet: Option<String>,
}

/// A subscription as cached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Subscription {
    pub id: String,
    pub livemode: bool,
    pub customer_id: Option<String>,
    /// active, trialing, past_due, canceled, unpaid, incomplete, incomplete_expired, paused.
    pub status: String,
    /// Every item's product, "Box thé + Option miel ×2" (quantity shown above one).
    pub product_name: Option<String>,
    pub price_id: Option<String>,
    pub currency: String,
    /// Amount per charge for the whole quantity.
    #[ts(type = "number")]
    pub amount: i64,
    #[ts(type = "number")]
    pub quantity: i64,
    /// day, week, month or year.
    pub interval: String,
    #[ts(type = "number")]
    pub interval_count: i64,
    #[ts(type = "number")]
    pub start_date: Timestamp,
    #[ts(type = "number | null")]
    pub current_period_start: Option<Timestamp>,
    #[ts(type = "number | null")]
    pub current_period_end: Option<Timestamp>,
    #[ts(type = "number | null")]
    pub cancel_at: Option<Timestamp>,
    pub cancel_at_period_end: bool,
    #[ts(type = "number | null")]
    pub canceled_at: Option<Timestamp>,
    #[ts(type = "number | null")]
    pub ended_at: Option<Timestamp>,
    #[ts(type = "number | null")]
    pub trial_end: Option<Timestamp>,
    /// The end of the last phase of the subscription's schedule, when it has one that ends.
    #[ts(type = "number | null")]
    pub schedule_end: Option<Timestamp>,
    pub payment_method: Option<PaymentMethodSummary>,
    pub latest_invoice_id: Option<String>,
    #[ts(type = "number")]
    pub created: Timestamp,
    /// Why the latest invoice's payment failed and when Stripe tries again, while that
    /// invoice is unpaid after an attempt.
    #[serde(default)]
    pub payment_failure: Option<PaymentFailure>,
}

/// A failed payment of a subscription's latest invoice, as Stripe reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PaymentFailure {
    /// Stripe's decline or error code (`expired_card`, `insufficient_funds`, …), when known.
    pub code: Option<String>,
    /// Stripe's own explanation, for codes the app does not name.
    pub message: Option<String>,
    /// The invoice's `attempt_count`.
    #[ts(type = "number")]
    pub attempt_count: i64,
    /// The invoice's `next_payment_attempt`; `None` when Stripe will not retry on its own.
    #[ts(type = "number | null")]
    pub next_attempt: Option<Timestamp>,
}

/// A shipping rate of the account, with whether the merchant treats it as a pickup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ShippingRate {
    pub id: String,
    pub display_name: String,
    #[ts(type = "number | null")]
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub active: bool,
    /// What the merchant chose in Settings, or the guess from the name when they did not.
    pub is_pickup: bool,
    /// True when `is_pickup` is the merchant's explicit choice.
    pub pickup_set_by_merchant: bool,
}

/// Test or live mode, told apart by the key's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StripeMode {
    Test,
    Live,
}

/// The Stripe account the app is connected to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AccountInfo {
    pub id: String,
    /// The business or display name, else the account email, else the id.
    pub name: String,
    pub mode: StripeMode,
    /// True for a restricted key (`rk_…`), which is what onboarding recommends.
    pub restricted_key: bool,
}

/// Merchant preferences kept in SQLite (never a secret).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    /// "fr" or "en"; `None` follows the OS language.
    pub language: Option<String>,
    /// This packing station's name, recorded with every fulfilment action.
    pub station_name: String,
    /// The person working at this station, recorded with every fulfilment action.
    pub staff_name: String,
    /// The print queue (CUPS) for packing slips; empty for the system's default printer.
    #[serde(default)]
    pub printer_name: String,
    /// Seconds between two background syncs while an account is connected
    /// ([`SYNC_INTERVAL_MIN_SECS`] to [`SYNC_INTERVAL_MAX_SECS`]; README: Background sync).
    #[serde(default = "default_sync_interval")]
    pub sync_interval_secs: u32,
}

/// The background sync's interval unless Settings say otherwise, in seconds: another station's
/// action shows within 30 s (README: Background sync).
pub const SYNC_INTERVAL_DEFAULT_SECS: u32 = 15;
/// The shortest background sync interval Settings take, in seconds.
pub const SYNC_INTERVAL_MIN_SECS: u32 = 5;
/// The longest background sync interval Settings take, in seconds.
pub const SYNC_INTERVAL_MAX_SECS: u32 = 60;

fn default_sync_interval() -> u32 {
    SYNC_INTERVAL_DEFAULT_SECS
}

/// What a packing slip is printed as (Settings → Packing slips; README: Packing slips as PDF).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SlipFormat {
    /// A PDF with the order number's Code 128 barcode, in the station's layout.
    #[default]
    Pdf,
    /// The plain-text slip, for a printer that cannot take a PDF.
    Text,
}

/// The paper a PDF packing slip is laid out for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SlipLayout {
    /// A4 paper (210 × 297 mm).
    #[default]
    A4,
    /// US Letter paper (8.5 × 11 in).
    Letter,
    /// A 4 × 6 in thermal shipping label.
    #[serde(rename = "label_4x6")]
    Label4x6,
}

impl SlipFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            SlipFormat::Pdf => "pdf",
            SlipFormat::Text => "text",
        }
    }
    /// A stored value; anything else is the default (PDF).
    pub fn parse(s: &str) -> Self {
        if s == "text" {
            SlipFormat::Text
        } else {
            SlipFormat::Pdf
        }
    }
}

impl SlipLayout {
    pub fn as_str(self) -> &'static str {
        match self {
            SlipLayout::A4 => "a4",
            SlipLayout::Letter => "letter",
            SlipLayout::Label4x6 => "label_4x6",
        }
    }
    /// A stored value; anything else is the default (A4).
    pub fn parse(s: &str) -> Self {
        match s {
            "letter" => SlipLayout::Letter,
            "label_4x6" => SlipLayout::Label4x6,
            _ => SlipLayout::A4,
        }
    }
}

/// How this station prints its packing slips: a setting per station, like its printer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SlipSettings {
    pub format: SlipFormat,
    pub layout: SlipLayout,
}

/// What the background sync says after each pass (the `background-sync` event): when the data
/// was last refreshed, whether Stripe could not be reached, and whether anything new came.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BackgroundSync {
    #[ts(type = "number | null")]
    pub last_synced_at: Option<Timestamp>,
    /// The last pass could not reach Stripe; the app works from its cache and retries.
    pub offline: bool,
    /// The pass brought something new: the lists reload.
    pub changed: bool,
}

/// Where the data on screen comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DataSource {
    /// The built-in demo store: sample data, nothing leaves the machine.
    Demo,
    /// The merchant's Stripe account.
    Stripe,
}

/// Counts for the navigation and the order tabs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Counts {
    #[ts(type = "number")]
    pub orders: i64,
    #[ts(type = "number")]
    pub subscriptions: i64,
    #[ts(type = "number")]
    pub to_be_sent: i64,
    #[ts(type = "number")]
    pub sent: i64,
    #[ts(type = "number")]
    pub to_be_picked_up: i64,
    #[ts(type = "number")]
    pub picked_up: i64,
    #[ts(type = "number")]
    pub awaiting_payment: i64,
    #[ts(type = "number")]
    pub on_hold: i64,
}

/// What the shell shows: the source, the account, the last sync and the counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AppStatus {
    pub source: DataSource,
    pub account: Option<AccountInfo>,
    #[ts(type = "number | null")]
    pub last_synced_at: Option<Timestamp>,
    pub sync_running: bool,
    pub counts: Counts,
    /// Why the app opened the demo store although a key may be configured (for example the
    /// keychain was locked), as the problem the window words; `None` when all is well.
    pub notice: Option<crate::problem::Problem>,
    /// A full sync began and did not finish (the app was closed or killed during it), and none
    /// runs now: the store holds only part of the account until it resumes.
    #[serde(default)]
    pub full_sync_incomplete: bool,
    /// The last background sync could not reach Stripe (README: Background sync).
    #[serde(default)]
    pub sync_offline: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncStage {
    Starting,
    ShippingRates,
    Customers,
    Orders,
    Invoices,
    Subscriptions,
    Events,
    Done,
}

/// Sent to the UI while a sync runs (the `sync-progress` event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncProgress {
    pub stage: SyncStage,
    /// 0.0 to 1.0.
    pub fraction: f64,
    #[ts(type = "number")]
    pub orders: i64,
    #[ts(type = "number")]
    pub customers: i64,
    #[ts(type = "number")]
    pub subscriptions: i64,
    #[ts(type = "number")]
    pub invoices: i64,
}

/// What a finished sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncReport {
    /// True for a full sync through the list endpoints, false for an incremental one.
    pub full: bool,
    #[ts(type = "number")]
    pub orders: i64,
    #[ts(type = "number")]
    pub customers: i64,
    #[ts(type = "number")]
    pub subscriptions: i64,
    #[ts(type = "number")]
    pub invoices: i64,
    #[ts(type = "number")]
    pub events: i64,
    /// HTTP requests made to Stripe, retries included.
    #[ts(type = "number")]
    pub requests: i64,
    /// Stripe objects the app could not read; each sync fetches them again.
    #[ts(type = "number")]
    pub skipped: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderQuery {
    /// The tab; `None` lists every order.
    pub status: Option<OrderQueue>,
    #[ts(type = "number")]
    pub limit: i64,
    #[ts(type = "number")]
    pub offset: i64,
    /// Words matched as prefixes against the customer's name and email, the order number, the
    /// product names and the tracking numbers (FTS5); every word must match.
    #[serde(default)]
    #[ts(optional)]
    pub search: Option<String>,
    /// Newest first when `None`.
    #[serde(default)]
    #[ts(optional)]
    pub sort: Option<OrderSort>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OrderSort {
    DateDesc,
    DateAsc,
    TotalDesc,
    TotalAsc,
}

/// How many orders each tab holds, for the query's search (all of them without one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderCounts {
    #[ts(type = "number")]
    pub all: i64,
    #[ts(type = "number")]
    pub to_be_sent: i64,
    #[ts(type = "number")]
    pub sent: i64,
    #[ts(type = "number")]
    pub to_be_picked_up: i64,
    #[ts(type = "number")]
    pub picked_up: i64,
    #[ts(type = "number")]
    pub awaiting_payment: i64,
    #[ts(type = "number")]
    pub on_hold: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderPage {
    pub rows: Vec<OrderRow>,
    /// How many orders match the query in all.
    #[ts(type = "number")]
    pub total: i64,
    /// The tab counts under the same search.
    pub counts: OrderCounts,
}

/// One tracking link recorded for a shipped order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrackingEntry {
    pub carrier: Option<String>,
    pub number: Option<String>,
    pub url: String,
    #[ts(type = "number")]
    pub created_at: Timestamp,
}

/// The local fulfilment state of an order (none of it comes from Stripe).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderFulfilment {
    pub status: FulfilmentStatus,
    #[ts(type = "number | null")]
    pub sent_at: Option<Timestamp>,
    #[ts(type = "number | null")]
    pub picked_up_at: Option<Timestamp>,
    pub staff: Option<String>,
    pub station: Option<String>,
    pub tracking: Vec<TrackingEntry>,
}

/// Why one of the order's Stripe buttons cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LinkUnavailable {
    /// The demo store has no Stripe account to open.
    Demo,
    /// The order has no invoice (Checkout without invoice creation).
    NoInvoice,
    /// The invoice has no PDF (yet).
    NoPdf,
    /// No payment is attached to the order (a free order, for example).
    NoPayment,
}

/// A link the order detail offers, or why it cannot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderLink {
    pub url: Option<String>,
    pub unavailable: Option<LinkUnavailable>,
}

/// Everything the order detail shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderDetail {
    pub order: Order,
    pub status: FulfilmentStatus,
    /// `None` until someone acted on the order.
    pub fulfilment: Option<OrderFulfilment>,
    /// True when the shipping contact says the same as the billing one.
    pub shipping_same_as_billing: bool,
    /// The invoice PDF (`invoice_pdf`, on Stripe's own hosts).
    pub invoice_pdf: OrderLink,
    /// The invoice in the Stripe Dashboard.
    pub invoice_dashboard: OrderLink,
    /// The payment in the Stripe Dashboard, where a refund is made.
    pub payment_dashboard: OrderLink,
    /// Every fulfilment action on the order, oldest first.
    pub history: Vec<AuditEntry>,
    /// The emails sent (or waiting) about the order, oldest first.
    pub emails: Vec<OutboxEmail>,
}

/// A row of the subscriptions table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubscriptionRow {
    pub id: String,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    /// The customer was deleted in Stripe (its name may be gone with it).
    pub customer_deleted: bool,
    pub product_name: Option<String>,
    pub currency: String,
    #[ts(type = "number")]
    pub amount: i64,
    pub interval: String,
    #[ts(type = "number")]
    pub interval_count: i64,
    pub status: String,
    pub cancel_at_period_end: bool,
    /// Active or trialing with an end set (`cancel_at` or at period end): the "Cancelling" tab.
    pub cancelling: bool,
    #[ts(type = "number")]
    pub start_date: Timestamp,
    #[ts(type = "number | null")]
    pub next_charge: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubscriptionQuery {
    #[ts(type = "number")]
    pub limit: i64,
    #[ts(type = "number")]
    pub offset: i64,
    /// `None` lists every subscription.
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<SubscriptionFilter>,
    /// Matches the customer's name or email, or the plan's name.
    #[serde(default)]
    #[ts(optional)]
    pub search: Option<String>,
    /// Newest first when `None`.
    #[serde(default)]
    #[ts(optional)]
    pub sort: Option<SubscriptionSort>,
}

/// The status tabs of the subscriptions table. `Cancelling` is an active or trialing
/// subscription that has an end date; the others are Stripe's statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SubscriptionFilter {
    Active,
    Trialing,
    PastDue,
    Cancelling,
    Canceled,
    Incomplete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SubscriptionSort {
    /// Soonest next charge first; subscriptions without one last.
    NextChargeAsc,
    NextChargeDesc,
}

/// How many subscriptions each status tab holds (ignoring the search).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubscriptionCounts {
    #[ts(type = "number")]
    pub all: i64,
    #[ts(type = "number")]
    pub active: i64,
    #[ts(type = "number")]
    pub trialing: i64,
    #[ts(type = "number")]
    pub past_due: i64,
    #[ts(type = "number")]
    pub cancelling: i64,
    #[ts(type = "number")]
    pub canceled: i64,
    #[ts(type = "number")]
    pub incomplete: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubscriptionPage {
    pub rows: Vec<SubscriptionRow>,
    /// How many subscriptions match the query in all.
    #[ts(type = "number")]
    pub total: i64,
    pub counts: SubscriptionCounts,
}

/// Where a subscription's end comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SubscriptionEndSource {
    /// It has ended (`ended_at`).
    Ended,
    /// It is set to cancel (`cancel_at`, or the end of the period when cancelling at period end).
    CancelAt,
    /// Its subscription schedule cancels it at the end of the last phase.
    Schedule,
}

/// The subscription's total duration, from its start to its end; no end reads "until cancelled".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubscriptionDuration {
    #[ts(type = "number")]
    pub start: Timestamp,
    #[ts(type = "number | null")]
    pub end: Option<Timestamp>,
    pub end_source: Option<SubscriptionEndSource>,
    /// Whole calendar months from start to end (UTC), when there is an end.
    #[ts(type = "number | null")]
    pub months: Option<i64>,
    /// The days left over after the whole months.
    #[ts(type = "number | null")]
    pub days: Option<i64>,
}

/// The state a subscription's detail states plainly, with the date it refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SubscriptionStateKind {
    /// Renews on `at` (the next charge), or has no next charge known.
    Active,
    /// Trial until `at`.
    Trialing,
    /// The last payment failed on `at`.
    PastDue,
    /// Unpaid: Stripe stopped retrying.
    Unpaid,
    /// Cancels on `at`.
    Cancelling,
    /// Cancelled on `at`.
    Canceled,
    /// The first payment has not gone through.
    Incomplete,
    Paused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubscriptionState {
    pub kind: SubscriptionStateKind,
    #[ts(type = "number | null")]
    pub at: Option<Timestamp>,
}

/// The next invoice of a subscription as `create_preview` gave it, cached for offline viewing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UpcomingInvoice {
    /// When it will be charged.
    #[ts(type = "number")]
    pub date: Timestamp,
    pub currency: String,
    pub lines: Vec<OrderLine>,
    #[ts(type = "number")]
    pub subtotal: i64,
    #[ts(type = "number")]
    pub discount: i64,
    pub discounts: Vec<DiscountLine>,
    #[ts(type = "number")]
    pub tax: i64,
    pub taxes: Vec<TaxLine>,
    #[ts(type = "number")]
    pub total: i64,
    /// When Stripe was asked; the UI shows "as of" this time.
    #[ts(type = "number")]
    pub fetched_at: Timestamp,
}

/// Everything the subscription detail screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubscriptionDetail {
    pub subscription: Subscription,
    pub customer: Option<Customer>,
    pub billing: Contact,
    pub shipping: Option<Contact>,
    /// The payment method Stripe charges: the subscription's own, else the customer's default.
    pub payment_method: Option<PaymentMethodSummary>,
    /// True when `payment_method` is the customer's default, the subscription having none.
    pub payment_method_is_customer_default: bool,
    pub duration: SubscriptionDuration,
    #[ts(type = "number | null")]
    pub next_charge: Option<Timestamp>,
    pub state: SubscriptionState,
    /// `None` when there is no next charge, or Stripe could not be asked and nothing is cached.
    pub upcoming: Option<UpcomingInvoice>,
    /// True when `upcoming` comes from the cache because Stripe could not be reached or
    /// refused to preview it.
    pub upcoming_stale: bool,
    /// Why Stripe refused to preview the upcoming charge (a restricted key without the
    /// permission, say), in plain words; `None` when it answered or could not be reached.
    pub upcoming_refused: Option<crate::problem::Problem>,
    /// Every invoice of the subscription, newest first.
    pub invoices: Vec<Invoice>,
    /// The shipment of each paid cycle, for a subscription box (README: Subscription boxes).
    pub shipments: Vec<CycleShipment>,
    /// The customer's record in the Stripe Dashboard (none in the demo store).
    pub dashboard_url: Option<String>,
}

/// The order that ships one paid cycle of a subscription box (README: Subscription boxes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CycleShipment {
    pub invoice_id: String,
    pub order_id: String,
    pub number: String,
    pub status: FulfilmentStatus,
}

/// One line of an order's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub at: Timestamp,
    /// `shipped`, `marked_not_sent`, `picked_up`, `ready_for_pickup_email`, `email_not_sent`…
    pub action: String,
    pub staff: Option<String>,
    pub station: Option<String>,
    pub detail: Option<String>,
}

/// Where an email is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OutboxState {
    /// Waiting for its next attempt (perhaps after a failed one: see `last_error`).
    Pending,
    /// Claimed by a sender right now.
    Sending,
    /// Accepted by the SMTP server.
    Sent,
    /// Given up on (the server refused it for good); `last_error` says why.
    Failed,
    /// Cancelled before it was sent (e.g. the order was marked as not sent); never sent.
    Cancelled,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sending => "sending",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
            OutboxState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "sending" => OutboxState::Sending,
            "sent" => OutboxState::Sent,
            "failed" => OutboxState::Failed,
            "cancelled" => OutboxState::Cancelled,
            _ => OutboxState::Pending,
        }
    }
}

/// One email of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutboxEmail {
    #[ts(type = "number")]
    pub id: i64,
    /// The Message-ID header, angle brackets included; the same on every attempt.
    pub message_id: String,
    /// What the email is, e.g. `shipping`, `pickup`, `test`.
    pub kind: String,
    pub order_id: Option<String>,
    /// The recipient mailbox: `Name <address>` or a bare address.
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub state: OutboxState,
    pub attempts: u32,
    /// The last failure in English, for the log; never sent to the window.
    #[serde(skip)]
    #[ts(skip)]
    pub last_error: Option<String>,
    /// The last failure, when an attempt failed, for the window to word.
    pub last_problem: Option<crate::problem::Problem>,
    #[ts(type = "number")]
    pub next_attempt_at: Timestamp,
    #[ts(type = "number")]
    pub created_at: Timestamp,
    #[ts(type = "number | null")]
    pub sent_at: Option<Timestamp>,
}

/// Names that mean the customer collects the order. The merchant can override the guess per
/// shipping rate in Settings.
pub fn looks_like_pickup(display_name: &str) -> bool {
    let n = display_name.to_lowercase();
    const WORDS: [&str; 12] = [
        "pickup",
        "pick-up",
        "pick up",
        "retrait",
        "click & collect",
        "click and collect",
        "click&collect",
        "collect",
        "en boutique",
        "en magasin",
        "à emporter",
        "abholung",
    ];
    WORDS.iter().any(|w| n.contains(w))
}

/// Decides delivery or pickup: a pickup rate wins, then a shipping address means delivery, and
/// an order with neither is collected.
pub fn delivery_kind(rate_is_pickup: Option<bool>, has_shipping_address: bool) -> DeliveryKind {
    match rate_is_pickup {
        Some(true) => DeliveryKind::Pickup,
        _ if has_shipping_address => DeliveryKind::Delivery,
        _ => DeliveryKind::Pickup,
    }
}

/// Whether this station shares its fulfilment state through Stripe (README: Stations).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SharingStatus {
    /// Why sharing is off (a key that may not write, the demo store); `None` when it is on.
    pub off: Option<crate::problem::Problem>,
    /// Fulfilment writes not on Stripe yet (offline, or Stripe failing).
    #[ts(type = "number")]
    pub waiting: i64,
    /// Orders where another station acted first in the last day, newest first.
    pub conflicts: Vec<ConflictNotice>,
}

/// Another station acted first on an order this station had acted on: its state won here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConflictNotice {
    /// The history entry that records it (increases with time).
    #[ts(type = "number")]
    pub id: i64,
    pub order_id: String,
    pub order_number: String,
    /// "Already sent by … on …".
    pub problem: crate::problem::Problem,
}

// ---------------------------------------------------------------------------------------------
// Packing mode (README: Packing mode).

/// A product as packing mode and Settings → Product codes show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProductSummary {
    pub id: String,
    pub name: Option<String>,
    /// Its first picture, an https link on Stripe's file host, when Stripe has one.
    pub image: Option<String>,
    /// Its codes: the metadata values under the keys Settings names, then the linked ones.
    pub codes: Vec<String>,
}

/// A code linked in Settings to a product by scanning it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LinkedCode {
    pub code: String,
    pub product_id: String,
    pub product_name: Option<String>,
    #[ts(type = "number")]
    pub created_at: Timestamp,
}

/// Settings → Product codes: the codes linked by scanning, the products to link them to and the
/// metadata keys a product's codes are read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProductCodes {
    pub keys: Vec<String>,
    pub linked: Vec<LinkedCode>,
    pub products: Vec<ProductSummary>,
}

/// The metadata keys read for product codes unless Settings says otherwise.
pub const PRODUCT_CODE_KEYS_DEFAULT: [&str; 4] = ["sku", "barcode", "ean", "gtin"];

/// One line of the order on the bench: its number (1 for the first line, what the packer types
/// to tick it), quantity, picture and codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PackLine {
    #[ts(type = "number")]
    pub number: i64,
    pub description: String,
    #[ts(type = "number")]
    pub quantity: i64,
    pub product_id: Option<String>,
    pub image: Option<String>,
    pub codes: Vec<String>,
}

/// An order opened in packing mode: its detail (the state, the payment, the history) and its
/// lines ready to tick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PackOrder {
    pub detail: OrderDetail,
    pub lines: Vec<PackLine>,
}

/// How a scan found an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PackMatchKind {
    OrderNumber,
    InvoiceNumber,
    CheckoutSession,
    TrackingNumber,
}

/// One order a scan found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PackMatch {
    pub order_id: String,
    pub number: String,
    pub customer_name: Option<String>,
    #[ts(type = "number")]
    pub created: Timestamp,
    pub queue: OrderQueue,
    pub delivery_kind: DeliveryKind,
    pub matched_by: PackMatchKind,
}

/// The bench's queue: orders still to send (paid, To be sent), the oldest of them, and how
/// many were sent or handed over since local midnight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PackQueue {
    #[ts(type = "number")]
    pub remaining: i64,
    /// The oldest order To be sent: the next to pack.
    pub next_number: Option<String>,
    #[ts(type = "number")]
    pub packed_today: i64,
}

/// A unit ticked: the units ticked per line after it, and the line it went to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PackTick {
    #[ts(type = "number[]")]
    pub ticked: Vec<i64>,
    #[ts(type = "number")]
    pub line: i64,
    pub complete: bool,
}
