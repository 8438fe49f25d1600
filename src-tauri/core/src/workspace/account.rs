//! The Stripe account on screen: connecting a key (checked with Stripe, kept in the OS
//! keychain), disconnecting, and the `account.json` that lets the app open offline on the
//! right store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    keychain, open_demo, open_store, Current, Result, Workspace, WorkspaceConfig, WorkspaceError,
};
use crate::model::{AccountInfo, DataSource, StripeMode};
use crate::secrets::{Secret, SecretKind};
use crate::stripe::client::missing_permission;
use crate::stripe::client::{mode_of_key, ClientConfig};
use crate::stripe::{StripeClient, StripeError};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AccountFile {
    account: AccountInfo,
}

impl Workspace {
    /// Checks a pasted key with Stripe, stores it in the keychain and switches to its account.
    pub async fn connect_stripe(&self, key: Secret) -> Result<AccountInfo> {
        let trimmed = Secret::new(key.expose().trim());
        let account = validate(&self.config, &trimmed).await?;
        // Keychain first: if it refuses, nothing else changes.
        let secrets = self.config.secrets.clone();
        let to_store = Secret::new(trimmed.expose());
        keychain(move || secrets.set(SecretKind::StripeKey, &to_store)).await?;
        write_account_file(&self.config.data_dir, &account)?;
        let current = open_account(&self.config, &trimmed, account.clone()).await?;
        // A new key may write where the last one could not: sharing is tried again, with the
        // actions taken while it was off.
        self.resume_sharing(&current.store).await?;
        let _sync = self.sync_lock.lock().await;
        *self.current.write().await = Arc::new(current);
        tracing::info!(account = %account.id, mode = ?account.mode, "connected to Stripe");
        Ok(account)
    }

    /// Removes the key from the keychain and goes back to the demo store. The account's cached
    /// data stays on disk, so reconnecting the same account is quick.
    pub async fn disconnect_stripe(&self) -> Result<()> {
        let secrets = self.config.secrets.clone();
        keychain(move || secrets.delete(SecretKind::StripeKey)).await?;
        let path = self.config.data_dir.join("account.json");
        if path.exists() {
            std::fs::remove_file(&path).map_err(|source| WorkspaceError::Io { path, source })?;
        }
        let demo = open_demo(&self.config.data_dir).await?;
        let _sync = self.sync_lock.lock().await;
        *self.current.write().await = Arc::new(demo);
        Ok(())
    }
}

pub(super) fn build_client(
    config: &WorkspaceConfig,
    key: &Secret,
    mode: StripeMode,
) -> Result<StripeClient> {
    Ok(StripeClient::new(
        key,
        ClientConfig::for_mode(&config.api_base, mode),
    )?)
}

/// The account's data on screen: its store, and a client for its key.
pub(super) async fn open_account(
    config: &WorkspaceConfig,
    key: &Secret,
    account: AccountInfo,
) -> Result<Current> {
    let client = build_client(config, key, account.mode)?;
    let store = open_store(&account_db(&config.data_dir, &account)).await?;
    // An account's store shares its fulfilment state with the other stations (README:
    // Stations), unless its key turned out not to be allowed to write.
    crate::sharing::enable(store.pool()).await?;
    Ok(Current {
        source: DataSource::Stripe,
        store,
        client: Some(client),
        account: Some(account),
    })
}

/// Checks a key with a real call and returns the account it belongs to.
pub async fn validate(config: &WorkspaceConfig, key: &Secret) -> Result<AccountInfo> {
    let Some((mode, restricted)) = mode_of_key(key.expose()) else {
        return Err(WorkspaceError::KeyNotStripe);
    };
    let client = build_client(config, key, mode)?;
    let account = match client
        .send(&stripe_connect::account::RetrieveForMyAccountAccount::new())
        .await
    {
        Ok(a) => a,
        Err(StripeError::Authentication(msg)) => {
            return Err(WorkspaceError::KeyRefused(msg));
        }
        // A restricted key may not read the account: prove it works on what we do read.
        Err(StripeError::Permission(refused)) if restricted => {
            client
                .send(&stripe_checkout::checkout_session::ListCheckoutSession::new().limit(1))
                .await
                .map_err(|e| match e {
                    StripeError::Authentication(m) => WorkspaceError::KeyRefused(m),
                    // Said as a missing permission (IPC `permission`), which onboarding shows as
                    // such rather than as a wrong key.
                    StripeError::Permission(said) => WorkspaceError::NotPermitted {
                        permission: missing_permission(&said),
                        refund: false,
                    },
                    other => other.into(),
                })?;
            // Each account needs a store of its own: Stripe's refusal names the account.
            let Some(id) = account_in_refusal(&refused) else {
                return Err(WorkspaceError::AccountUnknown);
            };
            serde_json::json!({ "id": id })
        }
        Err(e) => return Err(e.into()),
    };
    Ok(account_info(&account, mode, restricted))
}

/// The account a refusal names: Stripe says "… for this endpoint on account 'acct_…'".
fn account_in_refusal(message: &str) -> Option<String> {
    let at = message.find("account '")? + "account '".len();
    let id: String = message[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (id.starts_with("acct_") && id.len() > 5).then_some(id)
}

fn account_info(v: &Value, mode: StripeMode, restricted_key: bool) -> AccountInfo {
    let s = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let id = s("/id").unwrap_or_else(|| "acct_unknown".into());
    AccountInfo {
        name: s("/settings/dashboard/display_name")
            .or_else(|| s("/business_profile/name"))
            .or_else(|| s("/email"))
            .unwrap_or_else(|| id.clone()),
        id,
        mode,
        restricted_key,
    }
}

pub(super) fn account_db(dir: &Path, a: &AccountInfo) -> PathBuf {
    let safe: String =
        a.id.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
    let mode = match a.mode {
        StripeMode::Test => "test",
        StripeMode::Live => "live",
    };
    dir.join(format!("stripe-{safe}-{mode}.sqlite"))
}

pub(super) fn read_account_file(dir: &Path) -> Option<AccountInfo> {
    let text = std::fs::read_to_string(dir.join("account.json")).ok()?;
    serde_json::from_str::<AccountFile>(&text)
        .ok()
        .map(|f| f.account)
}

pub(super) fn write_account_file(dir: &Path, account: &AccountInfo) -> Result<()> {
    let path = dir.join("account.json");
    let body = serde_json::to_vec_pretty(&AccountFile {
        account: account.clone(),
    })
    .unwrap_or_default();
    let tmp = dir.join("account.json.tmp");
    crate::private_fs::write_private(&tmp, &body)
        .and_then(|_| std::fs::rename(&tmp, &path))
        .map_err(|source| WorkspaceError::Io { path, source })
}
