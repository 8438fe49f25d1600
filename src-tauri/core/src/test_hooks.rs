//! The variables only the end-to-end tests set (README: Useful variables, "tests only"):
//! `COMPTOIR_OPEN_LOG`, `COMPTOIR_SAVE_DIR`, `COMPTOIR_OPEN_FILE`, `COMPTOIR_STRIPE_FILES_BASE` and
//! `COMPTOIR_INSTANCE_ID` (each end-to-end app its own single instance). They take effect in
//! debug builds, which the tests run; a release build ignores them, so nothing in a merchant's
//! environment can redirect links, files or downloads.

use std::ffi::OsString;

/// Whether this build honours the tests-only variables: debug builds only.
pub const ENABLED: bool = cfg!(debug_assertions);

/// A tests-only variable's value: `None` without `test_hooks` (a release build passes
/// [`ENABLED`], false there), or when it is unset or empty.
pub fn var(name: &str, test_hooks: bool) -> Option<OsString> {
    if !test_hooks {
        return None;
    }
    std::env::var_os(name).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_build_ignores_the_variables() {
        // A name of this test's own: no other test reads or sets it.
        let name = "COMPTOIR_TEST_HOOKS_UNIT_CHECK";
        // SAFETY: edition 2021; this variable is set and read by this test only.
        std::env::set_var(name, "/tmp/somewhere");
        assert_eq!(var(name, true), Some("/tmp/somewhere".into()));
        assert_eq!(var(name, false), None, "release behaviour");
        std::env::set_var(name, "");
        assert_eq!(var(name, true), None, "empty is unset");
        std::env::remove_var(name);
        assert_eq!(var(name, true), None);
        assert_eq!(ENABLED, cfg!(debug_assertions));
    }
}
