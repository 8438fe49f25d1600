//! Settings → Export settings / Import settings (README: Settings export and import), on the
//! core's workspace with real SQLite files: a file exported at one station and imported into a
//! fresh one gives the same settings; a password never appears in the file nor travels with
//! it; a hostile or malformed file is refused with the reason and changes nothing.

mod support;

use std::sync::Arc;

use comptoir_core::carriers::CustomCarrier;
use comptoir_core::mail::{SmtpPassword, SmtpSecurity, SmtpSettings};
use comptoir_core::model::Settings;
use comptoir_core::problem::{Problem, SettingsFileReason};
use comptoir_core::secrets::{MemoryStore, Secret, SecretKind, SecretStore};
use comptoir_core::workspace::{
    ImportReport, SettingsFile, Workspace, WorkspaceError, SETTINGS_FILE_FORMAT,
};
use serde_json::{json, Value};
use support::workspace_config;

/// A station on the demo store, in a data folder of its own, its secrets in memory. No Stripe is
/// reached: the demo store is on screen.
async fn station() -> (tempfile::TempDir, Arc<MemoryStore>, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::new());
    let ws = Workspace::open(workspace_config(
        dir.path(),
        "http://127.0.0.1:9/",
        secrets.clone(),
    ))
    .await
    .unwrap();
    (dir, secrets, ws)
}

const PASSWORD: &str = "correct horse battery staple 42";

fn smtp() -> SmtpSettings {
    SmtpSettings {
        host: "smtp.example.com".into(),
        port: 587,
        security: SmtpSecurity::Starttls,
        username: Some("atelier@example.com".into()),
        from_name: "Atelier Céleste".into(),
        from_address: "atelier@example.com".into(),
        reply_to: Some("bonjour@example.com".into()),
        accept_invalid_certs: false,
    }
}

/// A station set up by hand: names, printer, interval, two custom carriers, SMTP with its
/// password, and a shipping rate marked as a pickup.
async fn configured_station() -> (tempfile::TempDir, Arc<MemoryStore>, Workspace) {
    let (dir, secrets, ws) = station().await;
    ws.save_settings(&Settings {
        language: Some("fr".into()),
        // Not the demo store's own station and staff ("Atelier", "Camille").
        station_name: "Comptoir du Marché".into(),
        staff_name: "Léa".into(),
        printer_name: "Brother_QL".into(),
        sync_interval_secs: 30,
    })
    .await
    .unwrap();
    ws.save_custom_carriers(&[
        CustomCarrier::new(
            "coursier",
            "Coursier Vélo",
            "https://velo.example.com/t/{number}",
        )
        .unwrap(),
        CustomCarrier::new("relais-x", "Relais X", "https://x.example.com/?n={number}").unwrap(),
    ])
    .await
    .unwrap();
    ws.save_smtp_settings(
        &smtp(),
        SmtpPassword::Replace {
            password: Secret::new(PASSWORD),
        },
    )
    .await
    .unwrap();
    let rate = ws.shipping_rates().await.unwrap().remove(0);
    ws.set_shipping_rate_pickup(&rate.id, !rate.is_pickup)
        .await
        .unwrap();
    (dir, secrets, ws)
}

/// Everything an import may change, as the station reads it back.
async fn everything(
    ws: &Workspace,
) -> (
    Settings,
    Vec<CustomCarrier>,
    Option<SmtpSettings>,
    Vec<(String, bool, bool)>,
) {
    let rates = ws
        .shipping_rates()
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.is_pickup, r.pickup_set_by_merchant))
        .collect();
    (
        ws.settings().await.unwrap(),
        ws.custom_carriers().await.unwrap(),
        ws.smtp_settings().await.unwrap().settings,
        rates,
    )
}

#[tokio::test]
async fn an_exported_file_imported_into_a_fresh_station_gives_the_same_settings() {
    let (dir_a, _secrets_a, a) = configured_station().await;
    let path = dir_a.path().join("exported.json");
    a.export_settings_to(&path).await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(PASSWORD), "no password in the file:\n{text}");
    assert!(!text.to_lowercase().contains("password"), "{text}");
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(file["format"], SETTINGS_FILE_FORMAT);
    assert_eq!(file["version"], 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    let (_dir_b, secrets_b, b) = station().await;
    let report = b.import_settings_from(&path).await.unwrap();
    assert_eq!(everything(&b).await, everything(&a).await);
    use comptoir_core::workspace::SettingsPart as P;
    assert_eq!(
        report,
        ImportReport {
            changed: vec![
                P::Language,
                P::StationName,
                P::StaffName,
                P::Printer,
                P::SyncInterval,
                P::CustomCarriers,
                P::Smtp,
                P::PickupRates,
            ],
            smtp_password_removed: false,
            rates_not_found: 0,
        }
    );
    // The password stayed at the first station: the second has none until it is typed there.
    assert!(!b.smtp_settings().await.unwrap().password_set);
    assert!(secrets_b.get(SecretKind::SmtpPassword).unwrap().is_none());

    // The same file again changes nothing, and says so.
    let again = b.import_settings_from(&path).await.unwrap();
    assert!(again.changed.is_empty(), "{again:?}");
}

#[tokio::test]
async fn importing_another_smtp_server_removes_the_password_of_the_old_one() {
    let (dir_a, _, a) = configured_station().await;
    let path = dir_a.path().join("exported.json");
    a.export_settings_to(&path).await.unwrap();

    let (_dir_b, secrets_b, b) = station().await;
    let mut other = smtp();
    other.host = "mail.other.example".into();
    b.save_smtp_settings(
        &other,
        SmtpPassword::Replace {
            password: Secret::new("the other server's password"),
        },
    )
    .await
    .unwrap();
    let report = b.import_settings_from(&path).await.unwrap();
    assert!(report.smtp_password_removed);
    assert!(secrets_b.get(SecretKind::SmtpPassword).unwrap().is_none());
    assert_eq!(b.smtp_settings().await.unwrap().settings, Some(smtp()));
}

/// The file `a` exports, as JSON to change.
async fn exported(ws: &Workspace) -> Value {
    serde_json::to_value(file_of(ws).await).unwrap()
}

async fn file_of(ws: &Workspace) -> SettingsFile {
    ws.export_settings().await.unwrap()
}

fn refusal(e: WorkspaceError) -> Problem {
    e.problem()
}

#[tokio::test]
async fn a_hostile_or_malformed_file_is_refused_and_changes_nothing() {
    let (_dir_a, _, a) = configured_station().await;
    let good = exported(&a).await;
    let (_dir_b, secrets_b, b) = station().await;
    b.save_smtp_settings(
        &smtp(),
        SmtpPassword::Replace {
            password: Secret::new(PASSWORD),
        },
    )
    .await
    .unwrap();
    let before = everything(&b).await;

    let with = |edit: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        edit(&mut v);
        serde_json::to_vec(&v).unwrap()
    };
    let refused = |reason, detail: Option<&str>| Problem::SettingsFileRefused {
        reason,
        detail: detail.map(str::to_owned),
    };
    let key = ["sk", "live", "51AbCdEfGhIjKlMn"].join("_");
    let cases: Vec<(&str, Vec<u8>, Problem)> = vec![
        (
            "not JSON",
            b"station_name = Atelier".to_vec(),
            refused(SettingsFileReason::NotSettings, None),
        ),
        (
            "another JSON file",
            br#"{"name": "package", "version": 1}"#.to_vec(),
            refused(SettingsFileReason::NotSettings, None),
        ),
        (
            "a newer version",
            with(&|v| v["version"] = json!(2)),
            refused(SettingsFileReason::NewerVersion, Some("2")),
        ),
        (
            "an SMTP password",
            with(&|v| v["smtp"]["password"] = json!("hunter2")),
            refused(SettingsFileReason::HasSecret, Some("smtp.password")),
        ),
        (
            "a Stripe key",
            with(&|v| v["station"]["staff_name"] = json!(key)),
            refused(SettingsFileReason::HasSecret, Some("station.staff_name")),
        ),
        (
            "an unknown field",
            with(&|v| v["station"]["theme"] = json!("dark")),
            refused(SettingsFileReason::UnknownField, Some("theme")),
        ),
        (
            "too large",
            with(&|v| v["station"]["station_name"] = json!("x".repeat(300 * 1024))),
            refused(SettingsFileReason::TooLarge, Some("256")),
        ),
        (
            "a sync interval out of range",
            with(&|v| v["station"]["sync_interval_secs"] = json!(1)),
            Problem::SyncIntervalOutOfRange {
                value: 1,
                min: 5,
                max: 60,
            },
        ),
        (
            "a station name too long",
            with(&|v| v["station"]["station_name"] = json!("A".repeat(81))),
            Problem::SettingTooLong {
                field: comptoir_core::problem::SettingField::StationName,
                max: 80,
            },
        ),
        (
            "two carriers with one id",
            with(&|v| {
                let first = v["custom_carriers"][0].clone();
                v["custom_carriers"][1] = first;
            }),
            Problem::CarrierDuplicateId {
                id: "coursier".into(),
            },
        ),
    ];
    for (what, bytes, expected) in cases {
        let e = b.import_settings(&bytes).await.expect_err(what);
        assert_eq!(refusal(e), expected, "{what}");
        assert_eq!(everything(&b).await, before, "{what}: nothing changed");
    }

    // Values the checks of Settings refuse, whatever their wording.
    for (what, bytes) in [
        (
            "a carrier link that runs script",
            with(&|v| v["custom_carriers"][0]["template"] = json!("javascript:alert(1)//{number}")),
        ),
        (
            "an SMTP host that is a URL",
            with(&|v| v["smtp"]["host"] = json!("https://smtp.example.com/")),
        ),
        (
            "a printer name that is an option",
            with(&|v| v["station"]["printer_name"] = json!("-o evil")),
        ),
        (
            "a language Comptoir does not speak",
            with(&|v| v["station"]["language"] = json!("de")),
        ),
    ] {
        assert!(b.import_settings(&bytes).await.is_err(), "{what}");
        assert_eq!(everything(&b).await, before, "{what}: nothing changed");
    }
    // The password was never touched.
    assert_eq!(
        secrets_b
            .get(SecretKind::SmtpPassword)
            .unwrap()
            .map(|s| s.expose().to_owned())
            .as_deref(),
        Some(PASSWORD)
    );
    // A missing file is unreadable, not a crash.
    let e = b
        .import_settings_from(std::path::Path::new("/nonexistent/settings.json"))
        .await
        .unwrap_err();
    assert_eq!(refusal(e), refused(SettingsFileReason::Unreadable, None));
}
