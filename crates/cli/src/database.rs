//! Which database and which data keys a command uses.

use crate::text::tr;
use anyhow::{Context as _, Result};
use resettle_store::SqlStore;
use resettle_store::crypto::DataKeys;
use std::path::PathBuf;

/// The default database: an embedded SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite:resettle.db";
/// The default key file, created on first use beside the default database.
pub const DEFAULT_KEY_FILE: &str = "resettle.key";

#[derive(clap::Args, Clone)]
pub struct DatabaseArgs {
    #[arg(long, env = "RESETTLE_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    pub database: String,
    #[arg(long, env = "RESETTLE_DATA_KEY", hide_env_values = true)]
    pub data_key: Option<String>,
    #[arg(long, env = "RESETTLE_DATA_KEY_FILE", default_value = DEFAULT_KEY_FILE)]
    pub data_key_file: PathBuf,
}

impl DatabaseArgs {
    /// The configured keys: the setting, else the key file; `None` when there
    /// is no setting and the key file does not exist.
    pub fn keys(&self) -> Result<Option<DataKeys>> {
        if let Some(spec) = &self.data_key {
            let keys = DataKeys::parse(spec).context("RESETTLE_DATA_KEY / --data-key")?;
            return Ok(Some(keys));
        }
        let path = &self.data_key_file;
        if !path.exists() {
            return Ok(None);
        }
        if let Some(mode) = resettle_store::files::open_to_others(path) {
            tracing::warn!(file = %path.display(), mode = format!("{mode:o}"), "others may read the data key file; make it private: chmod 600");
        }
        let spec = std::fs::read_to_string(path)
            .with_context(|| tr!("cannot-read", file = path.display().to_string()))?;
        let keys = DataKeys::parse(spec.trim())
            .with_context(|| tr!("the-key-file", file = path.display().to_string()))?;
        Ok(Some(keys))
    }

    /// Opens the database with its data keys, checked against the keys the
    /// database records (by fingerprint). A new key file is only made for a
    /// database that holds no encrypted data: never over existing data, which
    /// would then no longer decrypt.
    pub async fn open(&self) -> Result<SqlStore> {
        let store = SqlStore::connect(&self.database)
            .await
            .with_context(|| tr!("cannot-open-database", database = shown(&self.database)))?;
        let keys = match self.keys()? {
            Some(keys) => keys,
            None => {
                let path = &self.data_key_file;
                store
                    .check_data_keys()
                    .await
                    .with_context(|| tr!("no-data-key", file = path.display().to_string()))?;
                let spec = DataKeys::generate();
                write_secret(path, &spec)?;
                tracing::warn!(file = %path.display(), "created a new data key file; back it up apart from the database");
                DataKeys::parse(&spec)?
            }
        };
        let store = store.with_data_keys(keys);
        store
            .check_data_keys()
            .await
            .context(tr!("data-key-does-not-fit"))?;
        Ok(store)
    }
}

/// Writes a file only its owner can read.
pub fn write_secret(path: &std::path::Path, content: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(content.as_bytes())?;
    Ok(())
}

/// A database URL as it may be printed: without the password of
/// `postgres://user:password@host/db`.
pub fn shown(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    // The credentials end at the last '@' before the path.
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{}", &rest[at + 1..]),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn a_password_in_the_url_is_never_shown() {
        assert_eq!(
            shown("postgres://app:s3cr%40t@db:5432/resettle?sslmode=verify-full"),
            "postgres://app:***@db:5432/resettle?sslmode=verify-full"
        );
        assert_eq!(
            shown("postgres://app@db/resettle"),
            "postgres://app@db/resettle"
        );
        assert_eq!(shown("sqlite:resettle.db"), "sqlite:resettle.db");
    }
}
