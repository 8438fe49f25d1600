//! The error every command returns over IPC: a closed `code` the UI can branch on, and the
//! problem with its parameters, which the window puts into the merchant's language. Never a
//! secret: keys are not part of any core error.

use comptoir_core::problem::Problem;
use comptoir_core::workspace::WorkspaceError;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// The pasted Stripe key is malformed or refused.
    InvalidKey,
    /// The OS keychain cannot be reached, is locked, or refused.
    Keychain,
    /// Stripe cannot be reached: offline, or the network failed.
    Network,
    /// Stripe answered with an error.
    Stripe,
    NotFound,
    InvalidInput,
    /// Another sync is running.
    Busy,
    /// The print system is missing or refused the job.
    Printer,
    /// The order is not paid: the action needs the merchant's confirmation.
    PaymentNotSettled,
    /// The API key may not do this (a restricted key without the permission).
    Permission,
    Internal,
}

/// A failed command: `code` for the screens to branch on, `problem` for the sentence the
/// window writes in the merchant's language (`ui/src/lib/errors.ts`). Rust's English
/// description goes to the log, never to the window.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IpcError {
    pub code: ErrorCode,
    pub problem: Problem,
}

impl IpcError {
    pub fn new(code: ErrorCode, problem: Problem) -> Self {
        IpcError { code, problem }
    }
}

impl From<WorkspaceError> for IpcError {
    fn from(e: WorkspaceError) -> Self {
        let problem = e.problem();
        let code = match &problem {
            Problem::KeyNotStripe | Problem::KeyRefused { .. } => ErrorCode::InvalidKey,
            Problem::Keychain { .. } => ErrorCode::Keychain,
            Problem::StripeUnreachable | Problem::PdfNotDownloaded => ErrorCode::Network,
            Problem::StripeRateLimited
            | Problem::StripeRefused { .. }
            | Problem::StripeNotFound
            | Problem::StripeUnexpected => ErrorCode::Stripe,
            Problem::KeyMissingPermission { .. }
            | Problem::KeyAccountUnknown
            | Problem::RefundNotPermitted { .. } => ErrorCode::Permission,
            Problem::NotFound { .. } => ErrorCode::NotFound,
            Problem::SyncBusy => ErrorCode::Busy,
            Problem::PrinterName { .. } | Problem::NoPrintSystem | Problem::PrintFailed { .. } => {
                ErrorCode::Printer
            }
            Problem::PaymentNotSettled { .. } | Problem::UnpaidInList { .. } => {
                ErrorCode::PaymentNotSettled
            }
            Problem::Internal | Problem::CannotWrite { .. } => ErrorCode::Internal,
            _ => ErrorCode::InvalidInput,
        };
        if code == ErrorCode::Internal {
            tracing::error!("command failed: {e}");
        } else {
            tracing::info!("command refused: {e}");
        }
        IpcError { code, problem }
    }
}

pub type CmdResult<T> = Result<T, IpcError>;
