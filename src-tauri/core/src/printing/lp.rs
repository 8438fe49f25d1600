//! Handing a slip to `lp`: the slip is written into a folder of its own (0700) as a file created
//! new (0600), since it holds a customer's address; `lp` runs with a time limit, and is stopped
//! when it passes it, so a print system that hangs never hangs the packing station.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use shared_child::SharedChild;

use super::{lp_args, PrintError, PrintJob};

/// How long `lp` may take to queue a job. It only hands the file to the local print system, so
/// it answers within a second or two; one that takes this long is stuck.
pub const LP_TIMEOUT: Duration = Duration::from_secs(30);

/// How `lp` is run.
#[derive(Debug, Clone)]
pub struct LpCommand {
    /// The program: `lp`, looked up on `PATH`.
    pub program: OsString,
    /// How long it may run before it is stopped.
    pub timeout: Duration,
    /// Where each slip's private folder is made (created if missing); the system's temporary
    /// folder when `None`.
    pub slips_dir: Option<PathBuf>,
}

impl Default for LpCommand {
    fn default() -> Self {
        LpCommand {
            program: "lp".into(),
            timeout: LP_TIMEOUT,
            slips_dir: None,
        }
    }
}

/// A slip written for `lp`: a file of its own in a folder of its own, both removed on drop.
#[derive(Debug)]
pub struct SlipFile {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl SlipFile {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

fn slip_error(e: std::io::Error) -> PrintError {
    PrintError::Slip(e.to_string())
}

/// Writes `job`'s document into a new private folder under `slips_dir` (or the temporary folder):
/// the folder is readable by this user only (0700) and the file is created new (0600), never
/// opened if something already stands at its name.
pub fn write_slip(job: &PrintJob, slips_dir: Option<&Path>) -> Result<SlipFile, PrintError> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("comptoir-slip-");
    #[cfg(unix)]
    let private = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o700)
    };
    #[cfg(unix)]
    builder.permissions(private);
    let dir = match slips_dir {
        Some(root) => {
            std::fs::create_dir_all(root).map_err(slip_error)?;
            builder.tempdir_in(root)
        }
        None => builder.tempdir(),
    }
    .map_err(slip_error)?;
    let path = dir.path().join(job.document.file_name());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(slip_error)?;
    std::io::Write::write_all(&mut file, job.document.bytes()).map_err(slip_error)?;
    file.sync_all().map_err(slip_error)?;
    Ok(SlipFile { dir, path })
}

/// The first line of what `lp` wrote, cut to a readable length.
fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    line.chars().take(200).collect()
}

/// Reads a pipe to its end on a blocking thread.
fn drain(pipe: Option<impl Read + Send + 'static>) -> tokio::task::JoinHandle<Vec<u8>> {
    tokio::task::spawn_blocking(move || {
        let mut bytes = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Hands `job` to `lp` (`command.program`) and returns what `lp` answered (e.g. "request id is
/// Brother-12 (1 file(s))"). See [`run_lp_with`].
pub async fn run_lp(job: &PrintJob, command: &LpCommand) -> Result<String, PrintError> {
    run_lp_with(job, command, Command::new(&command.program)).await
}

/// Hands `job` to the program `lp` stands for (the app builds it with tauri-plugin-shell) and
/// returns what it answered. The slip file exists only until it has exited; still running after
/// `command.timeout`, it is killed and the job reported as not printed.
pub async fn run_lp_with(
    job: &PrintJob,
    command: &LpCommand,
    mut lp: Command,
) -> Result<String, PrintError> {
    let slip = write_slip(job, command.slips_dir.as_deref())?;
    lp.args(lp_args(job, slip.path()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = Arc::new(SharedChild::spawn(&mut lp).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            PrintError::NoPrintSystem
        } else {
            PrintError::CannotStart(e.to_string())
        }
    })?);
    let stdout = drain(child.take_stdout());
    let stderr = drain(child.take_stderr());
    let waiter = child.clone();
    let waited = tokio::time::timeout(
        command.timeout,
        tokio::task::spawn_blocking(move || waiter.wait()),
    )
    .await;
    let status = match waited {
        Ok(Ok(Ok(status))) => status,
        Ok(Ok(Err(e))) => return Err(PrintError::CannotStart(e.to_string())),
        Ok(Err(join)) => return Err(PrintError::CannotStart(join.to_string())),
        Err(_) => {
            // Stopped, and reaped before returning: nothing of it is left running.
            let _ = child.kill();
            let reaper = child.clone();
            let _ = tokio::task::spawn_blocking(move || reaper.wait()).await;
            tracing::warn!(
                "lp did not finish within {} s and was stopped",
                command.timeout.as_secs()
            );
            return Err(PrintError::TimedOut(
                command.timeout.as_secs_f64().ceil() as u64
            ));
        }
    };
    drop(slip);
    // `lp` has exited: its pipes close now, unless something it started still holds them.
    let (stdout, stderr) = tokio::join!(
        tokio::time::timeout(Duration::from_secs(2), stdout),
        tokio::time::timeout(Duration::from_secs(2), stderr)
    );
    let stdout = stdout.ok().and_then(Result::ok).unwrap_or_default();
    let stderr = stderr.ok().and_then(Result::ok).unwrap_or_default();
    if !status.success() {
        let said = first_line(&stderr);
        return Err(PrintError::Refused(if said.is_empty() {
            format!(
                "the print system refused the slip (lp exit code {})",
                status.code().unwrap_or(-1)
            )
        } else {
            said
        }));
    }
    Ok(first_line(&stdout))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_skips_blanks_and_is_cut() {
        assert_eq!(
            first_line(b"\n  request id is P-1 (1 file(s))\nmore"),
            "request id is P-1 (1 file(s))"
        );
        assert_eq!(first_line(&[b'x'; 500]).len(), 200);
        assert_eq!(first_line(b""), "");
    }
}
