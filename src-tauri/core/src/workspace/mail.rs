//! Email settings (the password stays in the OS keychain), the test email, and the mail
//! worker's pass over the outbox.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use super::{keychain, mail_error, Result, Workspace};
use crate::mail::{self, MailError, SendReport, SmtpPassword, SmtpSettings};
use crate::model::DataSource;
use crate::secrets::{Secret, SecretKind};
use crate::store;

/// The SMTP settings screen: the settings (if saved) and whether a password is in the
/// keychain. The window words the warning for an unencrypted connection itself, from
/// `settings.security`: no English sentence of the core reaches the screen.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SmtpSettingsView {
    pub settings: Option<SmtpSettings>,
    pub password_set: bool,
}

impl Workspace {
    /// The SMTP settings and whether a password is stored (never the password).
    pub async fn smtp_settings(&self) -> Result<SmtpSettingsView> {
        let cur = self.current().await;
        let settings = mail::load_settings(cur.store.pool())
            .await
            .map_err(mail_error)?;
        let password_set = self.smtp_password().await?.is_some();
        Ok(SmtpSettingsView {
            settings,
            password_set,
        })
    }

    async fn smtp_password(&self) -> Result<Option<Secret>> {
        let secrets = self.config.secrets.clone();
        Ok(keychain(move || secrets.get(SecretKind::SmtpPassword)).await?)
    }

    /// Saves the SMTP settings and keeps, replaces or removes the password; a new server or
    /// user name removes the old one (`mail::save_settings_and_password`).
    pub async fn save_smtp_settings(
        &self,
        smtp: &SmtpSettings,
        password: SmtpPassword,
    ) -> Result<SmtpSettingsView> {
        let cur = self.current().await;
        mail::save_settings_and_password(cur.store.pool(), &self.config.secrets, smtp, password)
            .await
            .map_err(mail_error)?;
        self.mail_wakeup.notify_one();
        self.smtp_settings().await
    }

    /// "Send test email" with the saved settings and password, to `to`.
    pub async fn send_test_email(&self, to: &str) -> Result<()> {
        let cur = self.current().await;
        let smtp = mail::load_settings(cur.store.pool())
            .await
            .map_err(mail_error)?
            .ok_or_else(|| mail_error(MailError::NotConfigured))?;
        let password = self.smtp_password().await?;
        mail::send_test(&smtp, password.as_ref(), to)
            .await
            .map_err(mail_error)
    }

    /// Sends the due emails of the store on screen (the mail worker calls this on a timer and
    /// when woken). Without SMTP settings, the emails wait; the password is read only when an
    /// email is due (`mail::run_outbox`).
    pub async fn send_due_emails(&self) -> Result<Option<SendReport>> {
        let cur = self.current().await;
        if cur.source == DataSource::Demo {
            return Ok(None);
        }
        mail::run_outbox(&cur.store, &self.config.secrets, store::now())
            .await
            .map_err(mail_error)
    }

    /// Woken after an email is queued; the mail worker waits on it.
    pub fn mail_wakeup(&self) -> Arc<Notify> {
        self.mail_wakeup.clone()
    }
}
