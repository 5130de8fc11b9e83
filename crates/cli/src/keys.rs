//! `resettle keys`: make a new data key, show the keys' fingerprints, and
//! re-encrypt everything under the current key.

use crate::database::DatabaseArgs;
use crate::text::tr;
use anyhow::{Result, bail};
use resettle_store::Store;
use resettle_store::crypto::DataKeys;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum KeysCommand {
    Generate {
        #[arg(long, alias = "id")]
        label: Option<String>,
    },
    Show {
        #[command(flatten)]
        db: DatabaseArgs,
    },
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
                eprintln!(
                    "{}",
                    tr!(
                        "key-generated",
                        label = label.to_string(),
                        fingerprint = fingerprint.to_string()
                    )
                );
            }
        }
        KeysCommand::Show { db } => {
            let store = db.open().await?;
            if let Some(keys) = db.keys()? {
                for (i, (label, fingerprint)) in keys.fingerprints().enumerate() {
                    let role = if i == 0 {
                        tr!("key-current")
                    } else {
                        tr!("key-reads-only")
                    };
                    println!(
                        "{}",
                        tr!(
                            "key-configured",
                            label = label.to_string(),
                            fingerprint = fingerprint.to_string(),
                            role = role
                        )
                    );
                }
            }
            for (label, fingerprint) in store.recorded_data_keys().await? {
                println!(
                    "{}",
                    tr!(
                        "key-recorded",
                        label = label.to_string(),
                        fingerprint = fingerprint.to_string()
                    )
                );
            }
            store.close().await;
        }
        KeysCommand::Rotate { db } => {
            let Some(keys) = db.keys()? else {
                bail!(tr!("rotate-no-key"));
            };
            let store = db.open().await?;
            let done = store.rotate_data_keys().await;
            store.close().await;
            let done = done?;
            let (label, fingerprint) = keys.fingerprints().next().unwrap_or_default();
            println!(
                "{}",
                tr!(
                    "rotated",
                    rewritten = done.rewritten,
                    verified = done.verified,
                    label = label.to_string(),
                    fingerprint = fingerprint.to_string()
                )
            );
            if !done.unused.is_empty() {
                println!("{}", tr!("rotated-unused", labels = done.unused.join(", ")));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
