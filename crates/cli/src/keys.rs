//! `resettle keys`: make a new data key, show the keys' fingerprints, and
//! re-encrypt everything under the current key.

use crate::database::DatabaseArgs;
use anyhow::{Result, bail};
use resettle_store::Store;
use resettle_store::crypto::DataKeys;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum KeysCommand {
    /// Print a new random key setting 'LABEL:BASE64', under a new random label.
    Generate {
        /// Label of the new key (letters, digits, '-'); a new random one when left out.
        #[arg(long, alias = "id")]
        label: Option<String>,
    },
    /// Show the configured keys and the keys the database records, with
    /// their fingerprints (never the keys themselves).
    Show {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Re-encrypt every special-category value and second-factor secret with the
    /// current (first) key, then read every value back with that key alone.
    /// Put the new key first and keep the old ones after it:
    /// RESETTLE_DATA_KEY='NEW-LABEL:NEW;OLD-LABEL:OLD' resettle keys rotate
    Rotate {
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

pub async fn run(command: KeysCommand) -> Result<ExitCode> {
    match command {
        KeysCommand::Generate { label } => {
            let spec = match label {
                Some(label) => DataKeys::generate_spec(&label),
                None => DataKeys::generate(),
            };
            let keys = DataKeys::parse(&spec)?;
            println!("{spec}");
            for (label, fingerprint) in keys.fingerprints() {
                eprintln!("key {label}, fingerprint {fingerprint}");
            }
        }
        KeysCommand::Show { db } => {
            let store = db.open().await?;
            if let Some(keys) = db.keys()? {
                for (i, (label, fingerprint)) in keys.fingerprints().enumerate() {
                    let role = if i == 0 { "current" } else { "reads only" };
                    println!("configured {label}  fingerprint {fingerprint}  ({role})");
                }
            }
            for (label, fingerprint) in store.recorded_data_keys().await? {
                println!("recorded   {label}  fingerprint {fingerprint}");
            }
            store.close().await;
        }
        KeysCommand::Rotate { db } => {
            let Some(keys) = db.keys()? else {
                bail!(
                    "no data key is configured: give the new key first and the old ones after it"
                );
            };
            let store = db.open().await?;
            let done = store.rotate_data_keys().await;
            store.close().await;
            let done = done?;
            let (label, fingerprint) = keys.fingerprints().next().unwrap_or_default();
            println!(
                "re-encrypted {} value(s) with key {label} (fingerprint {fingerprint}); all {} value(s) decrypt with that key alone",
                done.rewritten, done.verified
            );
            if !done.unused.is_empty() {
                println!(
                    "no value is encrypted with {} any more: drop it from the setting once the backups made before this rotation have expired",
                    done.unused.join(", ")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
