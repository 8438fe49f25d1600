//! The error every command returns over IPC: a closed `code` the UI can branch on, and a
//! message a merchant can read. Never a secret: keys are not part of any core error.

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

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<WorkspaceError> for IpcError {
    fn from(e: WorkspaceError) -> Self {
        use comptoir_core::store::StoreError;
        use comptoir_core::stripe::StripeError;
        let code = match &e {
            WorkspaceError::InvalidKey(_) => ErrorCode::InvalidKey,
            WorkspaceError::Keychain(_) => ErrorCode::Keychain,
            WorkspaceError::Stripe(StripeError::Network(_)) => ErrorCode::Network,
            WorkspaceError::Stripe(StripeError::Authentication(_) | StripeError::MalformedKey) => {
                ErrorCode::InvalidKey
            }
            WorkspaceError::Stripe(_) => ErrorCode::Stripe,
            WorkspaceError::Store(StoreError::NotFound(_)) => ErrorCode::NotFound,
            WorkspaceError::Store(StoreError::InvalidInput(_)) => ErrorCode::InvalidInput,
            WorkspaceError::Store(_) | WorkspaceError::Io { .. } => ErrorCode::Internal,
            WorkspaceError::Busy => ErrorCode::Busy,
            WorkspaceError::InvalidInput(_) => ErrorCode::InvalidInput,
            WorkspaceError::PaymentNotSettled(_) => ErrorCode::PaymentNotSettled,
            WorkspaceError::NotPermitted(_) => ErrorCode::Permission,
        };
        if code == ErrorCode::Internal {
            tracing::error!("command failed: {e}");
        }
        IpcError {
            code,
            message: e.to_string(),
        }
    }
}

pub type CmdResult<T> = Result<T, IpcError>;
