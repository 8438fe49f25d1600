//! Files only the user may read (README: Architecture, Data): the data folder is `0700` and
//! everything Comptoir writes in it (the databases with their `-wal` and `-shm`, `account.json`)
//! is `0600`, since they hold customers' names and addresses. On other platforms the user's
//! profile folder already keeps them private; these functions then only create the folder or
//! write the file.

use std::io::{self, Write};
use std::path::Path;

/// Creates `dir` (and its missing parents) and makes it private (`0700`), tightening a folder
/// an earlier version created with the default mode.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Creates `dir`'s missing parts private (`0700`) without changing a folder that exists: the
/// store may be opened anywhere (a test's temporary folder), and only the data folder is ours to
/// tighten ([`private_dir`]).
pub fn create_dir_private(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Makes an existing file private (`0600`); a missing one is fine.
pub fn restrict_file(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Creates an empty private file at `path` if there is none, and makes an existing one private.
/// SQLite gives a database's `-wal` and `-shm` the database file's mode, so creating the file
/// first makes all three private.
pub fn touch_private(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?;
    restrict_file(path)
}

/// Writes `bytes` to `path` (created or truncated), private (`0600`) from its first byte.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    // An existing file keeps its mode through `open`: tighten it before writing.
    restrict_file(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
