//! `resettle keys`: make a new data key, and re-encrypt everything under the current one.

use crate::database::DatabaseArgs;
use anyhow::Result;
use resettle_store::Store;
use resettle_store::crypto::DataKeys;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum KeysCommand {
    /// Print a new random key setting 'ID:BASE64'.
    Generate {
        /// Id of the new key (letters, digits, '-').
        #[arg(long, default_value = "k2")]
        id: String,
    },
    /// Re-encrypt every special-category value and second-factor secret with the
    /// current (first) key. Put the new key first and keep the old ones after it:
    /// RESETTLE_DATA_KEY='k2:NEW;k1:OLD' resettle keys rotate
    Rotate {
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

pub async fn run(command: KeysCommand) -> Result<ExitCode> {
    match command {
        KeysCommand::Generate { id } => {
            let spec = DataKeys::generate_spec(&id);
            DataKeys::parse(&spec)?;
            println!("{spec}");
        }
        KeysCommand::Rotate { db } => {
            let store = db.open().await?;
            let n = store.rotate_data_keys().await?;
            println!(
                "re-encrypted {n} value(s) with key {}",
                db.keys()?.current_id()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
