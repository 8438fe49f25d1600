//! Email settings (the password stays in the OS keychain), the test email, and the mail
//! worker's pass over the outbox.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use super::{keychain, mail_error, Result, Workspace};
use crate::mail::{self, MailError, Mailer, SendReport, SmtpSettings};
use crate::model::DataSource;
use crate::secrets::{Secret, SecretKind};
use crate::store;

/// The SMTP settings screen: the settings (if saved), whether a password is in the keychain,
/// and the warning for an unencrypted connection.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SmtpSettingsView {
    pub settings: Option<SmtpSettings>,
    pub password_set: bool,
    pub warning: Option<String>,
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
            warning: settings
                .as_ref()
                .and_then(|s| s.warning())
                .map(str::to_owned),
            settings,
            password_set,
        })
    }

    async fn smtp_password(&self) -> Result<Option<Secret>> {
        let secrets = self.config.secrets.clone();
        Ok(keychain(move || secrets.get(SecretKind::SmtpPassword)).await?)
    }

    /// Saves the SMTP settings; `password` `None` keeps the stored one, an empty one removes it.
    pub async fn save_smtp_settings(
        &self,
        smtp: &SmtpSettings,
        password: Option<Secret>,
    ) -> Result<SmtpSettingsView> {
        smtp.validate().map_err(mail_error)?;
        if let Some(p) = password {
            let secrets = self.config.secrets.clone();
            keychain(move || {
                if p.expose().is_empty() {
                    secrets.delete(SecretKind::SmtpPassword)
                } else {
                    secrets.set(SecretKind::SmtpPassword, &p)
                }
            })
            .await?;
        }
        let cur = self.current().await;
        mail::save_settings(cur.store.pool(), smtp)
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
    /// when woken). Without SMTP settings, the emails wait.
    pub async fn send_due_emails(&self) -> Result<Option<SendReport>> {
        let cur = self.current().await;
        if cur.source == DataSource::Demo {
            return Ok(None);
        }
        let Some(smtp) = mail::load_settings(cur.store.pool())
            .await
            .map_err(mail_error)?
        else {
            return Ok(None);
        };
        let password = self.smtp_password().await?;
        let mailer = Mailer::new(&smtp, password.as_ref()).map_err(mail_error)?;
        Ok(Some(
            mail::send_due(&cur.store, &mailer, store::now())
                .await
                .map_err(mail_error)?,
        ))
    }

    /// Woken after an email is queued; the mail worker waits on it.
    pub fn mail_wakeup(&self) -> Arc<Notify> {
        self.mail_wakeup.clone()
    }
}
