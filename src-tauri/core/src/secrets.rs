//! Secrets (README: Configure Stripe): the only two secrets Comptoir keeps — the Stripe API key and the SMTP
//! password — and the OS keychain that holds them.
//!
//! This module owns:
//! - [`Secret`], the wrapper every secret travels in. It prints `<redacted>` and does not
//!   implement `Serialize`, so a secret cannot leak into logs, SQLite, config files or IPC
//!   payloads by accident.
//! - [`SecretKind`], the stable keychain names of the two entries.
//! - [`SecretStore`], the interface the rest of the app uses, with two implementations:
//!   [`Keychain`] (the OS store: Secret Service on Linux/BSD, Keychain on macOS, Credential
//!   Manager on Windows — the stores keyring 4's default `v1` feature picks) and [`MemoryStore`]
//!   (demo and test harnesses where no keychain exists).
//! - [`SecretsError`], one variant per keychain failure a merchant can hit, each with a
//!   plain-language message and a stable [`code`](SecretsError::code) the UI translates.
//!
//! Every [`SecretStore`] call blocks (D-Bus round trips, and possibly an OS unlock dialog that
//! waits for the merchant). Async callers must wrap calls in `tokio::task::spawn_blocking`.
//!
//! A locked Secret Service keyring answers "no such item" to a read, exactly like an empty one.
//! [`Keychain`] therefore re-checks access before it reports a secret as missing (see
//! [`SecretStore::check_access`]).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use keyring_core::{CredentialStore, Entry};
use zeroize::Zeroizing;

/// Keychain service name under which Comptoir stores its secrets in production.
pub const DEFAULT_SERVICE: &str = "app.comptoir.desktop";

/// A secret value (API key or password).
///
/// `Debug` and `Display` print `<redacted>`; the only way to the value is [`Secret::expose`],
/// so every place that handles the clear text is greppable. The type deliberately does not
/// implement `serde::Serialize`, so it cannot be written to SQLite, JSON config or a Tauri IPC
/// payload:
///
/// ```compile_fail
/// let key = comptoir_core::secrets::Secret::new("sk_test_123");
/// let _ = serde_json::to_string(&key); // error: `Secret: Serialize` is not satisfied
/// ```
///
/// The buffer is zeroed on drop. This is best effort: copies made by the OS keychain client
/// libraries on the way in or out are beyond our reach.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The clear-text value. Call it only where the value is actually used (an HTTP header,
    /// an SMTP login), never to log or persist it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Which secret. Each kind is one keychain entry: (service, [`SecretKind::user`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    /// The merchant's Stripe secret or restricted API key.
    StripeKey,
    /// The password of the merchant's SMTP account.
    SmtpPassword,
}

impl SecretKind {
    /// Every kind, e.g. to wipe all secrets.
    pub const ALL: [SecretKind; 2] = [SecretKind::StripeKey, SecretKind::SmtpPassword];

    /// The keychain account ("user") name. Stable: changing it orphans stored secrets.
    pub const fn user(self) -> &'static str {
        match self {
            SecretKind::StripeKey => "stripe-api-key",
            SecretKind::SmtpPassword => "smtp-password",
        }
    }

    /// What keyring managers (Seahorse, KWallet) show for the item.
    #[cfg_attr(
        not(all(
            unix,
            not(any(target_os = "macos", target_os = "ios", target_os = "android"))
        )),
        allow(dead_code)
    )]
    const fn description(self) -> &'static str {
        match self {
            SecretKind::StripeKey => "Comptoir Stripe API key",
            SecretKind::SmtpPassword => "Comptoir SMTP password",
        }
    }
}

/// A keychain failure, as the merchant should hear about it.
///
/// `Display` is the English sentence for the merchant; the UI translates by
/// [`code`](SecretsError::code). `detail` fields carry the platform's own wording for logs and
/// bug reports; they never contain a secret (see `describe`).
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// There is no D-Bus session bus to talk to (headless login, SSH, broken session).
    #[error(
        "Comptoir cannot reach your desktop session's keyring (no D-Bus session bus). \
         Log in to a desktop session or start a keyring."
    )]
    NoSessionBus { detail: String },
    /// The session bus works but nothing provides the Secret Service.
    #[error(
        "No keyring service is running (Secret Service). \
         Install and start GNOME Keyring or KWallet."
    )]
    Unavailable { detail: String },
    /// The Secret Service has no default keyring to store secrets in (e.g. a fresh account
    /// whose login keyring was never created).
    #[error(
        "Your keyring has no default collection to store Comptoir's secrets in. \
         Create one in your keyring manager (for example Passwords and Keys) and try again."
    )]
    NoDefaultKeyring,
    /// The keyring is locked, or the merchant dismissed or refused the unlock prompt.
    #[error("Your keyring is locked. Unlock it and try again.")]
    Locked,
    /// The keychain refused Comptoir access (access control, denied dialog, sandbox policy).
    #[error(
        "Your keyring refused Comptoir access to its secrets. \
         Allow Comptoir in your keyring or keychain settings and try again."
    )]
    Refused { detail: String },
    /// Any other keychain failure.
    #[error(
        "Comptoir could not use your keyring. Try again; if this keeps happening, \
         restart your keyring or your session."
    )]
    Failed { detail: String },
}

impl SecretsError {
    /// Stable identifier the UI translates the message by.
    pub fn code(&self) -> &'static str {
        match self {
            SecretsError::NoSessionBus { .. } => "keychain_no_session_bus",
            SecretsError::Unavailable { .. } => "keychain_unavailable",
            SecretsError::NoDefaultKeyring => "keychain_no_default",
            SecretsError::Locked => "keychain_locked",
            SecretsError::Refused { .. } => "keychain_refused",
            SecretsError::Failed { .. } => "keychain_failed",
        }
    }

    /// Why, for the window to put into words.
    pub fn reason(&self) -> crate::problem::KeychainReason {
        use crate::problem::KeychainReason as R;
        match self {
            SecretsError::NoSessionBus { .. } => R::NoSessionBus,
            SecretsError::Unavailable { .. } => R::Unavailable,
            SecretsError::NoDefaultKeyring => R::NoDefault,
            SecretsError::Locked => R::Locked,
            SecretsError::Refused { .. } => R::Refused,
            SecretsError::Failed { .. } => R::Failed,
        }
    }

    /// The platform's own description of the failure, for logs. Never contains a secret.
    pub fn detail(&self) -> Option<&str> {
        match self {
            SecretsError::NoSessionBus { detail }
            | SecretsError::Unavailable { detail }
            | SecretsError::Refused { detail }
            | SecretsError::Failed { detail } => Some(detail),
            SecretsError::NoDefaultKeyring | SecretsError::Locked => None,
        }
    }
}

/// Where Comptoir's secrets live.
///
/// All methods block; async callers wrap them in `tokio::task::spawn_blocking`. A call may
/// show an OS unlock dialog and wait for the merchant to answer it.
pub trait SecretStore: Send + Sync {
    /// The stored secret, or `None` when none is stored. Never `None` for a keyring that is
    /// merely locked: that is [`SecretsError::Locked`].
    fn get(&self, kind: SecretKind) -> Result<Option<Secret>, SecretsError>;

    /// Stores `secret`, replacing any previous value.
    fn set(&self, kind: SecretKind, secret: &Secret) -> Result<(), SecretsError>;

    /// Removes the secret. Deleting a secret that is not stored is `Ok`.
    fn delete(&self, kind: SecretKind) -> Result<(), SecretsError>;

    /// Checks that the store can be used right now, without changing anything and without
    /// showing an unlock dialog: reachable, has somewhere to store secrets, not locked. Call it
    /// before telling the merchant "no key stored".
    fn check_access(&self) -> Result<(), SecretsError>;
}

/// The OS keychain, under one keychain service name.
///
/// [`Keychain::app`] is the production instance; [`Keychain::new`] takes another service name
/// so tests use their own entries and never touch a merchant's real ones.
///
/// The connection to the OS store is opened on first use and reopened after a failure, so a
/// keyring started (or restarted) while Comptoir runs is picked up without a restart.
pub struct Keychain {
    service: String,
    backend: Backend,
}

enum Backend {
    /// The OS store; `None` until connected (or after a failure that may have broken it).
    Native(Mutex<Option<Arc<CredentialStore>>>),
    /// A store the caller supplied (keyring_core's mock store in unit tests).
    Given(Arc<CredentialStore>),
}

impl fmt::Debug for Keychain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match self.backend {
            Backend::Native(_) => "native",
            Backend::Given(_) => "given",
        };
        f.debug_struct("Keychain")
            .field("service", &self.service)
            .field("backend", &backend)
            .finish()
    }
}

impl Keychain {
    /// Comptoir's entries in the OS keychain (service [`DEFAULT_SERVICE`]).
    pub fn app() -> Self {
        Self::new(DEFAULT_SERVICE)
    }

    /// Entries under keychain service `service` in the OS keychain. Nothing is contacted
    /// until the first call.
    pub fn new(service: &str) -> Self {
        Self {
            service: service.to_owned(),
            backend: Backend::Native(Mutex::new(None)),
        }
    }

    /// Entries under `service` in a given keyring-core store, e.g.
    /// `Keychain::with_store(keyring_core::mock::Store::new()?, "test")`.
    ///
    /// Note that keyring-core's mock store includes secrets in its `Debug` output; use it in
    /// tests only.
    pub fn with_store(store: Arc<CredentialStore>, service: &str) -> Self {
        Self {
            service: service.to_owned(),
            backend: Backend::Given(store),
        }
    }

    /// The keychain service name.
    pub fn service(&self) -> &str {
        &self.service
    }

    fn store(&self) -> Result<Arc<CredentialStore>, SecretsError> {
        match &self.backend {
            Backend::Given(store) => Ok(store.clone()),
            Backend::Native(slot) => {
                let mut slot = lock(slot);
                if let Some(store) = slot.as_ref() {
                    return Ok(store.clone());
                }
                let store = native::connect()?;
                *slot = Some(store.clone());
                Ok(store)
            }
        }
    }

    fn entry(&self, kind: SecretKind) -> Result<Entry, SecretsError> {
        let store = self.store()?;
        let built = if self.is_native() {
            native::entry(&store, &self.service, kind)
        } else {
            // Stores like the mock reject modifiers, so only the bare (service, user).
            Entry::new_in_store(&store, &self.service, kind.user())
        };
        built.map_err(|err| self.fail(&err))
    }

    fn is_native(&self) -> bool {
        matches!(self.backend, Backend::Native(_))
    }

    /// Maps a keyring error and, when the connection itself may be broken, drops it so the
    /// next call reconnects.
    fn fail(&self, err: &keyring_core::Error) -> SecretsError {
        let mapped = map_error(err);
        self.forget_connection_after(&mapped);
        mapped
    }

    fn forget_connection_after(&self, err: &SecretsError) {
        let reconnect = matches!(
            err,
            SecretsError::NoSessionBus { .. }
                | SecretsError::Unavailable { .. }
                | SecretsError::Failed { .. }
        );
        if let (true, Backend::Native(slot)) = (reconnect, &self.backend) {
            *lock(slot) = None;
        }
    }

    /// Called when the store says "no such entry": make sure that is the truth and not a
    /// locked (or absent) keyring hiding the entry.
    fn confirm_absent(&self) -> Result<(), SecretsError> {
        if self.is_native() {
            native::probe().inspect_err(|err| self.forget_connection_after(err))
        } else {
            Ok(())
        }
    }
}

impl SecretStore for Keychain {
    fn get(&self, kind: SecretKind) -> Result<Option<Secret>, SecretsError> {
        let entry = self.entry(kind)?;
        match entry.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring_core::Error::NoEntry) => self.confirm_absent().map(|()| None),
            Err(err) => Err(self.fail(&err)),
        }
    }

    fn set(&self, kind: SecretKind, secret: &Secret) -> Result<(), SecretsError> {
        self.entry(kind)?
            .set_password(secret.expose())
            .map_err(|err| self.fail(&err))
    }

    fn delete(&self, kind: SecretKind) -> Result<(), SecretsError> {
        match self.entry(kind)?.delete_credential() {
            Ok(()) => Ok(()),
            Err(keyring_core::Error::NoEntry) => self.confirm_absent(),
            // Several items match (e.g. copies in two collections): the merchant asked for the
            // secret to be gone, so remove them all.
            Err(keyring_core::Error::Ambiguous(entries)) => {
                for entry in entries {
                    match entry.delete_credential() {
                        Ok(()) | Err(keyring_core::Error::NoEntry) => {}
                        Err(err) => return Err(self.fail(&err)),
                    }
                }
                Ok(())
            }
            Err(err) => Err(self.fail(&err)),
        }
    }

    fn check_access(&self) -> Result<(), SecretsError> {
        if self.is_native() {
            native::probe().inspect_err(|err| self.forget_connection_after(err))?;
            // The probe used its own connection; make sure the store's connects too.
            self.store().map(drop)
        } else {
            // A read that finds nothing is fine; any other failure is what the merchant would
            // hit on the next real call.
            match self.entry(SecretKind::StripeKey)?.get_password() {
                Ok(_) | Err(keyring_core::Error::NoEntry) => Ok(()),
                Err(err) => Err(self.fail(&err)),
            }
        }
    }
}

/// Secrets held in process memory only, for the demo and test harnesses where no keychain
/// exists. Lost when the process exits.
#[derive(Debug, Default)]
pub struct MemoryStore {
    secrets: Mutex<HashMap<SecretKind, Secret>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, kind: SecretKind) -> Result<Option<Secret>, SecretsError> {
        Ok(lock(&self.secrets).get(&kind).cloned())
    }

    fn set(&self, kind: SecretKind, secret: &Secret) -> Result<(), SecretsError> {
        lock(&self.secrets).insert(kind, secret.clone());
        Ok(())
    }

    fn delete(&self, kind: SecretKind) -> Result<(), SecretsError> {
        lock(&self.secrets).remove(&kind);
        Ok(())
    }

    fn check_access(&self) -> Result<(), SecretsError> {
        Ok(())
    }
}

/// A poisoned lock only means another thread panicked mid-call; the data (a cache slot or a
/// map of secrets) is still consistent, so keep going.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Maps a keyring-core error to what the merchant hears.
fn map_error(err: &keyring_core::Error) -> SecretsError {
    use keyring_core::Error as K;
    match err {
        K::NoStorageAccess(platform) => {
            native::classify(platform.as_ref()).unwrap_or_else(|| SecretsError::Refused {
                detail: describe(err),
            })
        }
        K::PlatformFailure(platform) => {
            native::classify(platform.as_ref()).unwrap_or_else(|| SecretsError::Failed {
                detail: describe(err),
            })
        }
        _ => SecretsError::Failed {
            detail: describe(err),
        },
    }
}

/// Describes a keyring-core error for logs without ever including a secret.
///
/// Not `err.to_string()`: `BadEncoding`/`BadDataFormat` carry the stored bytes, and
/// `Ambiguous` prints entries whose `Debug` may show their secret (the mock store's does).
fn describe(err: &keyring_core::Error) -> String {
    use keyring_core::Error as K;
    match err {
        K::PlatformFailure(platform) => format!("platform failure: {platform}"),
        K::NoStorageAccess(platform) => format!("no storage access: {platform}"),
        K::NoEntry => "no entry".to_owned(),
        K::BadEncoding(_) => "the stored value is not UTF-8 text".to_owned(),
        K::BadDataFormat(_, platform) => format!("the stored value is malformed: {platform}"),
        K::BadStoreFormat(reason) => format!("the keychain is malformed: {reason}"),
        K::TooLong(attribute, limit) => format!("{attribute} is longer than {limit}"),
        K::Invalid(attribute, reason) => format!("invalid {attribute}: {reason}"),
        K::Ambiguous(entries) => format!("{} keychain items match", entries.len()),
        K::NoDefaultStore => "no default keychain store".to_owned(),
        K::NotSupportedByStore(reason) => format!("not supported by the keychain: {reason}"),
        _ => "unrecognised keychain error".to_owned(),
    }
}

/// The Secret Service (Linux and the BSDs), as keyring 4 uses it: the zbus-based store.
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
mod native {
    use std::collections::HashMap;
    use std::sync::Arc;

    use keyring_core::{CredentialStore, Entry};
    use secret_service::blocking::SecretService;
    use secret_service::{EncryptionType, Error as SsError};
    use zbus::DBusError;

    use super::{SecretKind, SecretsError};

    pub(super) fn connect() -> Result<Arc<CredentialStore>, SecretsError> {
        // The store's constructor reports "no session bus" and "no provider" alike; probing
        // first tells the merchant which one it is.
        reach()?;
        let store: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new()
            .map_err(|err| super::map_error(&err))?;
        Ok(store)
    }

    pub(super) fn entry(
        store: &Arc<CredentialStore>,
        service: &str,
        kind: SecretKind,
    ) -> keyring_core::Result<Entry> {
        // A label keyring managers can show instead of "keyring:stripe-api-key@app.…".
        let label = format!("{} ({service})", kind.description());
        let modifiers = HashMap::from([("label", label.as_str())]);
        Entry::new_in_store_with_modifiers(store, service, kind.user(), &modifiers)
    }

    fn reach() -> Result<SecretService<'static>, SecretsError> {
        let bus =
            zbus::blocking::Connection::session().map_err(|err| SecretsError::NoSessionBus {
                detail: err.to_string(),
            })?;
        // Plain: this connection never carries a secret, so skip the key exchange.
        SecretService::connect_with_existing(EncryptionType::Plain, bus).map_err(|err| {
            match classify_ss(&err) {
                // The bus answered, so "unavailable" here means no provider, not no bus.
                SecretsError::NoSessionBus { detail } => SecretsError::Unavailable { detail },
                other => other,
            }
        })
    }

    /// Reachable, has a default collection, and that collection is unlocked. Never prompts:
    /// it reads the collection's `Locked` property instead of asking to unlock.
    pub(super) fn probe() -> Result<(), SecretsError> {
        let ss = reach()?;
        let collection = ss
            .get_default_collection()
            .map_err(|err| classify_ss(&err))?;
        if collection.is_locked().map_err(|err| classify_ss(&err))? {
            return Err(SecretsError::Locked);
        }
        Ok(())
    }

    /// The merchant-level meaning of an error the store boxed, if it is a Secret Service one.
    pub(super) fn classify(
        platform: &(dyn std::error::Error + Send + Sync + 'static),
    ) -> Option<SecretsError> {
        platform.downcast_ref::<SsError>().map(classify_ss)
    }

    fn classify_ss(err: &SsError) -> SecretsError {
        let detail = err.to_string();
        match err {
            // Locked, or the unlock prompt was dismissed or could not finish.
            SsError::Locked | SsError::Prompt | SsError::PromptDisconnected => SecretsError::Locked,
            // The crate's only source of NoResult on our paths: the `default` alias points
            // nowhere.
            SsError::NoResult => SecretsError::NoDefaultKeyring,
            SsError::Unavailable => SecretsError::NoSessionBus { detail },
            SsError::Zbus(zbus_err) => classify_zbus(zbus_err, detail),
            SsError::ZbusFdo(fdo_err) => by_error_name(fdo_err.name().as_str(), detail),
            _ => SecretsError::Failed { detail },
        }
    }

    fn classify_zbus(err: &zbus::Error, detail: String) -> SecretsError {
        match err {
            zbus::Error::Address(_) | zbus::Error::InputOutput(_) | zbus::Error::Handshake(_) => {
                SecretsError::NoSessionBus { detail }
            }
            zbus::Error::InterfaceNotFound => SecretsError::Unavailable { detail },
            zbus::Error::MethodError(name, _, _) => by_error_name(name.as_str(), detail),
            zbus::Error::FDO(fdo_err) => by_error_name(fdo_err.name().as_str(), detail),
            _ => SecretsError::Failed { detail },
        }
    }

    fn by_error_name(name: &str, detail: String) -> SecretsError {
        match name {
            "org.freedesktop.DBus.Error.ServiceUnknown"
            | "org.freedesktop.DBus.Error.NameHasNoOwner" => SecretsError::Unavailable { detail },
            // D-Bus activation found a provider but could not start it.
            name if name.starts_with("org.freedesktop.DBus.Error.Spawn.") => {
                SecretsError::Unavailable { detail }
            }
            "org.freedesktop.DBus.Error.Disconnected" => SecretsError::NoSessionBus { detail },
            "org.freedesktop.Secret.Error.IsLocked" => SecretsError::Locked,
            "org.freedesktop.DBus.Error.AccessDenied"
            | "org.freedesktop.DBus.Error.AuthFailed"
            | "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired" => {
                SecretsError::Refused { detail }
            }
            _ => SecretsError::Failed { detail },
        }
    }
}

/// macOS Keychain Services, as keyring 4 uses it.
#[cfg(target_os = "macos")]
mod native {
    use std::sync::Arc;

    use keyring_core::{CredentialStore, Entry};

    use super::{SecretKind, SecretsError};

    pub(super) fn connect() -> Result<Arc<CredentialStore>, SecretsError> {
        let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new()
            .map_err(|err| super::map_error(&err))?;
        Ok(store)
    }

    pub(super) fn entry(
        store: &Arc<CredentialStore>,
        service: &str,
        kind: SecretKind,
    ) -> keyring_core::Result<Entry> {
        Entry::new_in_store(store, service, kind.user())
    }

    /// The Keychain does not hide items behind a lock (it prompts instead), so a missing
    /// item is missing; access problems surface on the read itself.
    pub(super) fn probe() -> Result<(), SecretsError> {
        Ok(())
    }

    pub(super) fn classify(
        platform: &(dyn std::error::Error + Send + Sync + 'static),
    ) -> Option<SecretsError> {
        let code = platform
            .downcast_ref::<security_framework::base::Error>()?
            .code();
        let detail = platform.to_string();
        match code {
            // userCanceledErr, errSecAuthFailed: the merchant denied or cancelled the dialog.
            -128 | -25293 => Some(SecretsError::Refused { detail }),
            // errSecInteractionNotAllowed: the keychain is locked and may not prompt.
            -25308 => Some(SecretsError::Locked),
            _ => None,
        }
    }
}

/// Windows Credential Manager (and any other platform, where there is no native store), as
/// keyring 4 uses it.
#[cfg(not(all(unix, not(any(target_os = "ios", target_os = "android")))))]
mod native {
    use std::sync::Arc;

    use keyring_core::{CredentialStore, Entry};

    use super::{SecretKind, SecretsError};

    pub(super) fn connect() -> Result<Arc<CredentialStore>, SecretsError> {
        #[cfg(target_os = "windows")]
        {
            let store: Arc<CredentialStore> =
                windows_native_keyring_store::Store::new().map_err(|err| super::map_error(&err))?;
            Ok(store)
        }
        #[cfg(not(target_os = "windows"))]
        Err(SecretsError::Unavailable {
            detail: "no supported keychain on this platform".to_owned(),
        })
    }

    pub(super) fn entry(
        store: &Arc<CredentialStore>,
        service: &str,
        kind: SecretKind,
    ) -> keyring_core::Result<Entry> {
        Entry::new_in_store(store, service, kind.user())
    }

    /// Credential Manager has no lock of its own: a missing credential is missing.
    pub(super) fn probe() -> Result<(), SecretsError> {
        Ok(())
    }

    pub(super) fn classify(
        _platform: &(dyn std::error::Error + Send + Sync + 'static),
    ) -> Option<SecretsError> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyring_core::mock;

    const KEY: &str = "sk_test_51Hxyzzy_0123456789_abcdef";

    fn mock_keychain() -> (Arc<mock::Store>, Keychain) {
        let store = mock::Store::new().expect("mock store");
        let keychain = Keychain::with_store(store.clone(), "app.comptoir.unit-test");
        (store, keychain)
    }

    /// Makes the next call on the mock credential for `kind` fail with `err`.
    fn fail_next(store: &Arc<mock::Store>, kind: SecretKind, err: keyring_core::Error) {
        let store: Arc<CredentialStore> = store.clone();
        let entry =
            Entry::new_in_store(&store, "app.comptoir.unit-test", kind.user()).expect("mock entry");
        let cred: &mock::Cred = entry.as_any().downcast_ref().expect("a mock credential");
        cred.set_error(err);
    }

    #[test]
    fn set_get_replace_delete_round_trip() {
        let (_, keychain) = mock_keychain();
        let kind = SecretKind::StripeKey;

        keychain.set(kind, &Secret::new(KEY)).unwrap();
        assert_eq!(keychain.get(kind).unwrap().unwrap().expose(), KEY);

        keychain
            .set(kind, &Secret::new("sk_test_replaced"))
            .unwrap();
        assert_eq!(
            keychain.get(kind).unwrap().unwrap().expose(),
            "sk_test_replaced"
        );

        keychain.delete(kind).unwrap();
        assert!(keychain.get(kind).unwrap().is_none());
    }

    #[test]
    fn missing_secret_is_none_and_deleting_it_is_ok() {
        let (_, keychain) = mock_keychain();
        assert!(keychain.get(SecretKind::SmtpPassword).unwrap().is_none());
        keychain.delete(SecretKind::SmtpPassword).unwrap();
        keychain.check_access().unwrap();
    }

    #[test]
    fn kinds_are_separate_entries() {
        let (_, keychain) = mock_keychain();
        keychain
            .set(SecretKind::SmtpPassword, &Secret::new("smtp-pw"))
            .unwrap();
        assert!(keychain.get(SecretKind::StripeKey).unwrap().is_none());
        assert_eq!(
            keychain
                .get(SecretKind::SmtpPassword)
                .unwrap()
                .unwrap()
                .expose(),
            "smtp-pw"
        );
    }

    #[test]
    fn keychain_names_are_stable() {
        assert_eq!(DEFAULT_SERVICE, "app.comptoir.desktop");
        assert_eq!(Keychain::app().service(), DEFAULT_SERVICE);
        assert_eq!(SecretKind::StripeKey.user(), "stripe-api-key");
        assert_eq!(SecretKind::SmtpPassword.user(), "smtp-password");
    }

    #[test]
    fn debug_and_display_are_redacted() {
        let secret = Secret::new(KEY);
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(format!("{secret}"), "<redacted>");

        #[derive(Debug)]
        #[allow(dead_code)] // only read through Debug
        struct Settings {
            stripe_key: Secret,
        }
        let shown = format!("{:?}", Settings { stripe_key: secret });
        assert!(!shown.contains(KEY), "{shown}");
        assert!(!shown.contains("sk_test"), "{shown}");
    }

    #[test]
    fn storage_access_refusal_is_reported_as_refused() {
        let (store, keychain) = mock_keychain();
        keychain
            .set(SecretKind::StripeKey, &Secret::new(KEY))
            .unwrap();
        fail_next(
            &store,
            SecretKind::StripeKey,
            keyring_core::Error::NoStorageAccess("access denied by policy".into()),
        );
        let err = keychain.get(SecretKind::StripeKey).unwrap_err();
        assert_eq!(err.code(), "keychain_refused");
        assert_eq!(
            err.to_string(),
            "Your keyring refused Comptoir access to its secrets. \
             Allow Comptoir in your keyring or keychain settings and try again."
        );
        // The failure was not sticky: the secret is still there.
        assert_eq!(
            keychain
                .get(SecretKind::StripeKey)
                .unwrap()
                .unwrap()
                .expose(),
            KEY
        );
    }

    #[test]
    fn errors_never_carry_the_secret() {
        let (store, keychain) = mock_keychain();
        keychain
            .set(SecretKind::StripeKey, &Secret::new(KEY))
            .unwrap();
        // A value that is not UTF-8 comes back with its bytes attached; they must not reach
        // the message, the detail or the Debug output.
        let mut bytes = KEY.as_bytes().to_vec();
        bytes.push(0xff);
        fail_next(
            &store,
            SecretKind::StripeKey,
            keyring_core::Error::BadEncoding(bytes),
        );
        let err = keychain.get(SecretKind::StripeKey).unwrap_err();
        assert_eq!(err.code(), "keychain_failed");
        for shown in [
            err.to_string(),
            format!("{err:?}"),
            err.detail().unwrap().to_owned(),
        ] {
            assert!(!shown.contains(KEY), "{shown}");
            assert!(
                !shown.contains("115, 107"),
                "bytes of the key leaked: {shown}"
            );
        }

        // Ambiguous entries print their credential, which for the mock includes the secret.
        let duplicate = Entry::new_in_store(
            &(store.clone() as Arc<CredentialStore>),
            "app.comptoir.unit-test",
            SecretKind::StripeKey.user(),
        )
        .unwrap();
        fail_next(
            &store,
            SecretKind::StripeKey,
            keyring_core::Error::Ambiguous(vec![duplicate]),
        );
        let err = keychain.get(SecretKind::StripeKey).unwrap_err();
        assert_eq!(err.code(), "keychain_failed");
        assert!(!format!("{err:?}").contains("115, 107"), "{err:?}");
    }

    #[cfg(all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    ))]
    #[test]
    fn secret_service_errors_map_to_merchant_failures() {
        let cases: Vec<(keyring_core::Error, &str)> = vec![
            (
                keyring_core::Error::NoStorageAccess(Box::new(secret_service::Error::Locked)),
                "keychain_locked",
            ),
            (
                keyring_core::Error::NoStorageAccess(Box::new(secret_service::Error::Prompt)),
                "keychain_locked",
            ),
            (
                keyring_core::Error::NoStorageAccess(Box::new(secret_service::Error::NoResult)),
                "keychain_no_default",
            ),
            (
                keyring_core::Error::PlatformFailure(Box::new(secret_service::Error::Zbus(
                    zbus::Error::Address("bad".to_owned()),
                ))),
                "keychain_no_session_bus",
            ),
            (
                keyring_core::Error::PlatformFailure(Box::new(secret_service::Error::Crypto(
                    "bad padding",
                ))),
                "keychain_failed",
            ),
        ];
        for (err, code) in cases {
            assert_eq!(map_error(&err).code(), code, "{err}");
        }
    }

    #[test]
    fn memory_store_round_trip() {
        let store = MemoryStore::new();
        store.check_access().unwrap();
        assert!(store.get(SecretKind::StripeKey).unwrap().is_none());
        store.set(SecretKind::StripeKey, &Secret::new(KEY)).unwrap();
        store
            .set(SecretKind::StripeKey, &Secret::new("sk_test_2"))
            .unwrap();
        assert_eq!(
            store.get(SecretKind::StripeKey).unwrap().unwrap().expose(),
            "sk_test_2"
        );
        assert!(!format!("{store:?}").contains("sk_test_2"));
        store.delete(SecretKind::StripeKey).unwrap();
        store.delete(SecretKind::StripeKey).unwrap();
        assert!(store.get(SecretKind::StripeKey).unwrap().is_none());
    }

    #[test]
    fn the_store_is_usable_as_a_trait_object() {
        let stores: Vec<Box<dyn SecretStore>> =
            vec![Box::new(MemoryStore::new()), Box::new(mock_keychain().1)];
        for store in stores {
            store
                .set(SecretKind::SmtpPassword, &Secret::new("pw"))
                .unwrap();
            assert_eq!(
                store
                    .get(SecretKind::SmtpPassword)
                    .unwrap()
                    .unwrap()
                    .expose(),
                "pw"
            );
        }
    }
}
