//! Comptoir's core: everything the app does, without Tauri. The desktop shell (`src-tauri/`)
//! calls into it through thin commands; tests and benchmarks call it directly with real local
//! parts (a SQLite file, the Stripe simulator, a Secret Service, an SMTP server).

pub mod carriers;
pub mod csv;
pub mod dataset;
pub mod emails;
pub mod fulfilment;
pub mod invoice_pdf;
pub mod lang;
pub mod mail;
pub mod model;
pub mod money;
pub mod packing;
pub mod payments;
pub mod pdf_cache;
pub mod printing;
pub mod private_fs;
pub mod problem;
pub mod refunds;
pub mod secrets;
pub mod sharing;
pub mod startup;
pub mod store;
pub mod stripe;
pub mod subscriptions;
pub mod sync;
pub mod test_hooks;
pub mod workspace;
