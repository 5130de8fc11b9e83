//! `resettle users` and `resettle tokens`: personal accounts and API tokens,
//! created and removed by an administrator at the command line.

use crate::database::DatabaseArgs;
use crate::text::tr;
use anyhow::{Result, bail};
use resettle_domain::audit::AuditResult;
use resettle_domain::{Role, TokenId, TokenScope, User, UserId, Username};
use resettle_store::{Accounts, AuditLog, NewAuditEntry, SqlStore};
use resettle_web::auth::secrets::{
    hash_password, new_totp_secret, random_token, temporary_password, token_hash,
};
use std::process::ExitCode;
use time::{Duration, OffsetDateTime};

#[derive(clap::Subcommand)]
pub enum UsersCommand {
    Add {
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        display_name: String,
        #[arg(long)]
        organisation: Option<String>,
        #[arg(long)]
        second_factor: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    Remove {
        name: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    ResetPassword {
        name: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    List {
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(clap::Subcommand)]
pub enum TokensCommand {
    Create {
        #[arg(long)]
        user: String,
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=365))]
        expires: u32,
        #[arg(long, default_value = "write")]
        scope: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    Revoke {
        id: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    List {
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

/// Who acts at the command line, for the audit trail.
fn operator() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .map_or_else(|| "cli".into(), |u| format!("cli:{u}"))
}

async fn record(store: &SqlStore, action: &str, object: &str) {
    let entry = NewAuditEntry {
        at: OffsetDateTime::now_utc(),
        actor: operator(),
        action: action.into(),
        object: object.into(),
        result: AuditResult::Ok,
        origin: "cli".into(),
    };
    if let Err(e) = store.append_audit(&entry).await {
        eprintln!("{}", tr!("warn-audit-append", error = e.to_string()));
    }
}

pub async fn users(command: UsersCommand) -> Result<ExitCode> {
    match command {
        UsersCommand::Add {
            name,
            role,
            display_name,
            organisation,
            second_factor,
            db,
        } => {
            let role = Role::parse(&role)?;
            let user = User {
                id: UserId::generate(),
                username: Username::parse(&name)?,
                display_name: display_name.trim().to_string(),
                role,
                organisation: organisation.filter(|o| !o.trim().is_empty()),
                second_factor: second_factor || role.requires_second_factor(),
                created_at: OffsetDateTime::now_utc(),
                created_by: operator(),
                removed_at: None,
                last_login_at: None,
            };
            user.validate()?;
            let store = db.open().await?;
            let password = random_token();
            let secret = user.second_factor.then(new_totp_secret);
            store
                .create_user(
                    &user,
                    &hash_password(&password).map_err(anyhow::Error::msg)?,
                    secret.as_deref(),
                )
                .await?;
            record(&store, "create-user", &format!("user {}", user.username)).await;
            println!(
                "{}",
                tr!(
                    "user-created",
                    user = user.username.to_string(),
                    role = role.to_string()
                )
            );
            println!("{}", tr!("user-password", password = password.as_str()));
            if let Some(s) = secret {
                println!("{}", tr!("user-second-factor", secret = s));
            }
        }
        UsersCommand::Remove { name, db } => {
            let store = db.open().await?;
            let username = Username::parse(&name)?;
            if !store
                .remove_user(&username, OffsetDateTime::now_utc())
                .await?
            {
                bail!(tr!("no-account", user = username.to_string()));
            }
            record(&store, "remove-user", &format!("user {username}")).await;
            println!("{}", tr!("user-removed", user = username.to_string()));
        }
        UsersCommand::ResetPassword { name, db } => {
            let store = db.open().await?;
            let username = Username::parse(&name)?;
            let Some(account) = store.credentials(&username).await? else {
                bail!(tr!("no-account", user = username.to_string()));
            };
            let password = temporary_password();
            let hash = hash_password(&password).map_err(anyhow::Error::msg)?;
            if !store
                .set_password(account.user.id, &hash, true, None)
                .await?
            {
                bail!(tr!("no-account", user = username.to_string()));
            }
            record(&store, "reset-password", &format!("user {username}")).await;
            println!("{}", tr!("user-reset", user = username.to_string()));
            println!(
                "{}",
                tr!("user-temporary-password", password = password.as_str())
            );
        }
        UsersCommand::List { db } => {
            let store = db.open().await?;
            println!(
                "{:<24} {:<26} {:<24} {:<4} {:<10} {:<10} {}",
                tr!("col-user"),
                tr!("col-role"),
                tr!("col-organisation"),
                tr!("col-2fa"),
                tr!("col-created"),
                tr!("col-last-login"),
                tr!("col-removed")
            );
            for u in store.users().await? {
                println!(
                    "{:<24} {:<26} {:<24} {:<4} {:<10} {:<10} {}",
                    u.username.as_str(),
                    u.role.as_str(),
                    u.organisation.as_deref().unwrap_or("-"),
                    if u.second_factor {
                        tr!("yes")
                    } else {
                        tr!("no")
                    },
                    u.created_at.date().to_string(),
                    u.last_login_at
                        .map_or_else(|| tr!("never"), |l| l.date().to_string()),
                    u.removed_at
                        .map(|r| r.date().to_string())
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn tokens(command: TokensCommand) -> Result<ExitCode> {
    match command {
        TokensCommand::Create {
            user,
            expires,
            scope,
            db,
        } => {
            let store = db.open().await?;
            let username = Username::parse(&user)?;
            let Some(creds) = store.credentials(&username).await? else {
                bail!(tr!("no-account", user = username.to_string()))
            };
            let scope = TokenScope::parse(&scope)?;
            let token = random_token();
            let id = TokenId::generate();
            let now = OffsetDateTime::now_utc();
            let until = now + Duration::days(i64::from(expires));
            store
                .create_token(id, creds.user.id, &token_hash(&token), scope, now, until)
                .await?;
            record(
                &store,
                "create-token",
                &format!("token {id} for user {username}"),
            )
            .await;
            eprintln!(
                "{}",
                tr!(
                    "token-created",
                    id = id.to_string(),
                    user = username.to_string(),
                    scope = scope.to_string(),
                    until = until.date().to_string()
                )
            );
            println!("{token}");
        }
        TokensCommand::Revoke { id, db } => {
            let store = db.open().await?;
            let id: TokenId = id
                .parse()
                .map_err(|_| anyhow::anyhow!(tr!("not-a-token-id", id = id.as_str())))?;
            if !store.revoke_token(id, OffsetDateTime::now_utc()).await? {
                bail!(tr!("no-token", id = id.to_string()));
            }
            record(&store, "revoke-token", &format!("token {id}")).await;
            println!("{}", tr!("token-revoked", id = id.to_string()));
        }
        TokensCommand::List { db } => {
            let store = db.open().await?;
            for t in store.tokens().await? {
                let state = if t.revoked_at.is_some() {
                    tr!("token-revoked-state")
                } else {
                    tr!("token-active-state")
                };
                println!(
                    "{} {:<24} {:<5} {} {state}",
                    t.id,
                    t.username.as_str(),
                    t.scope.as_str(),
                    tr!("token-expires", date = t.expires_at.date().to_string())
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
