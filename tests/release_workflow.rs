//! The release workflow (`.github/workflows/release.yml`, README: Architecture, Packaging) only
//! runs on GitHub, on a version tag: CI here checks that it is valid YAML and builds what the
//! README promises, on the systems it names, with signing gated on the secrets.

use serde_norway::Value;

fn workflow() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/.github/workflows/release.yml");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path} is not valid YAML: {e}"))
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {v:?}"))
}

/// The one job's steps.
fn steps(wf: &Value) -> Vec<Value> {
    wf["jobs"]["installers"]["steps"]
        .as_sequence()
        .expect("jobs.installers.steps is a list")
        .clone()
}

#[test]
fn the_release_workflow_runs_on_a_version_tag_or_by_hand() {
    let wf = workflow();
    assert_eq!(str_of(&wf, "name"), "Release");
    // YAML 1.1 reads a bare `on` as true; the file quotes nothing, serde_norway keeps "on".
    let on = &wf["on"];
    assert_eq!(on["push"]["tags"][0].as_str(), Some("v*"), "on: {on:?}");
    assert!(on.get("workflow_dispatch").is_some(), "on: {on:?}");
    assert_eq!(wf["permissions"]["contents"].as_str(), Some("write"));
}

#[test]
fn the_matrix_builds_every_installer_on_its_own_system() {
    let wf = workflow();
    let job = &wf["jobs"]["installers"];
    assert_eq!(job["runs-on"].as_str(), Some("${{ matrix.os }}"));
    let include = job["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("a matrix include list");
    let mut entries: Vec<(String, String, String)> = include
        .iter()
        .map(|e| {
            (
                str_of(e, "os").to_string(),
                str_of(e, "target").to_string(),
                str_of(e, "bundles").to_string(),
            )
        })
        .collect();
    entries.sort();
    let expected = [
        ("macos-latest", "aarch64-apple-darwin", "app,dmg"),
        ("macos-latest", "x86_64-apple-darwin", "app,dmg"),
        (
            "ubuntu-22.04",
            "x86_64-unknown-linux-gnu",
            "deb,rpm,appimage",
        ),
        ("windows-latest", "x86_64-pc-windows-msvc", "msi,nsis"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(entries, expected);
}

#[test]
fn the_official_tauri_action_builds_for_the_matrix_target() {
    let wf = workflow();
    let steps = steps(&wf);
    let action: Vec<&Value> = steps
        .iter()
        .filter(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("tauri-apps/tauri-action@"))
        })
        .collect();
    assert_eq!(action.len(), 1, "one tauri-action step");
    let with = &action[0]["with"];
    let args = str_of(with, "args");
    for part in [
        "--target ${{ matrix.target }}",
        "--bundles ${{ matrix.bundles }}",
        "--features custom-protocol",
    ] {
        assert!(args.contains(part), "args lack {part}: {args}");
    }
    assert_eq!(with["releaseDraft"].as_bool(), Some(true));
    // The CLI version the repository pins (ui/package.json), not one the action downloads.
    assert!(str_of(with, "tauriScript").contains("ui/node_modules/@tauri-apps/cli"));
    let env = &action[0]["env"];
    assert_eq!(
        env["TAURI_SIGNING_PRIVATE_KEY"].as_str(),
        Some("${{ secrets.TAURI_SIGNING_PRIVATE_KEY }}"),
        "the update key comes from a secret"
    );
}

#[test]
fn signing_and_notarising_run_only_where_their_secrets_are_set() {
    let wf = workflow();
    let steps = steps(&wf);
    let step = |name_part: &str| -> Value {
        steps
            .iter()
            .find(|s| s["name"].as_str().is_some_and(|n| n.contains(name_part)))
            .unwrap_or_else(|| panic!("no step named …{name_part}…"))
            .clone()
    };
    let windows = step("Windows code-signing");
    assert_eq!(
        str_of(&windows, "if"),
        "runner.os == 'Windows' && env.HAS_WINDOWS_CERTIFICATE == 'true'"
    );
    let apple = step("Apple signing");
    assert_eq!(
        str_of(&apple, "if"),
        "runner.os == 'macOS' && env.HAS_APPLE_CERTIFICATE == 'true'"
    );
    assert!(str_of(&apple, "run").contains("HAS_APPLE_NOTARISATION"));
    let updater = step("Update manifests");
    assert_eq!(str_of(&updater, "if"), "env.HAS_UPDATER_KEY == 'true'");
    let env = &wf["jobs"]["installers"]["env"];
    for (flag, secret) in [
        ("HAS_WINDOWS_CERTIFICATE", "WINDOWS_CERTIFICATE"),
        ("HAS_APPLE_CERTIFICATE", "APPLE_CERTIFICATE"),
        ("HAS_UPDATER_KEY", "TAURI_SIGNING_PRIVATE_KEY"),
    ] {
        assert_eq!(
            env[flag].as_str(),
            Some(format!("${{{{ secrets.{secret} != '' }}}}").as_str()),
            "{flag}"
        );
    }
    // No secret's value is ever written into the file itself.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.github/workflows/release.yml"
    ))
    .unwrap();
    assert!(!text.contains("BEGIN") && !text.contains("PRIVATE KEY-----"));
}
