//! Files that hold personal data (the SQLite database, its WAL, backups) are
//! readable by their owner only: they are created with mode 0600, and a start
//! on a file that others can read warns.

use std::path::Path;

/// Creates `path` empty with mode 0600 if it does not exist (SQLite gives its
/// WAL and shared-memory files the mode of the database file).
pub(crate) fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// The permission bits of `path` when its group or others may read or write
/// it; `None` when only its owner may (or on systems without such modes).
pub fn open_to_others(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Warns when `path` (and the SQLite files beside it) can be read by others.
pub(crate) fn warn_if_open(path: &Path) {
    let wal = path.with_file_name(format!(
        "{}-wal",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    for p in [path, wal.as_path()] {
        if let Some(mode) = open_to_others(p) {
            tracing::warn!(
                file = %p.display(),
                mode = format!("{mode:o}"),
                "this file holds personal data and others may read it; make it private: chmod 600"
            );
        }
    }
}
