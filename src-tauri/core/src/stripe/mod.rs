//! Everything Stripe: the HTTP client, the mapping from Stripe objects to Comptoir's model, and
//! Dashboard links.

pub mod client;
pub mod links;
pub mod mapping;

pub use client::{ClientConfig, StripeClient, StripeError};
