//! Personal accounts, login sessions and API tokens. Secrets are never stored
//! in the clear: passwords as argon2id hashes (made by the caller), session and
//! API tokens as SHA-256 hashes, second-factor secrets encrypted with the data key.

use crate::error::StoreError;
use crate::sql::{BeginWrite, SqlStore, on_pool};
use async_trait::async_trait;
use resettle_domain::account::lockout_after;
use resettle_domain::{Role, TokenId, TokenScope, User, UserId, Username};
use serde::Serialize;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// An account with what a login needs to check.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    /// The second-factor secret (base32), decrypted.
    pub totp_secret: Option<String>,
    pub failed_logins: u32,
    pub locked_until: Option<OffsetDateTime>,
    /// Set by an administrator's reset: the account chooses its own password
    /// before it may use any page.
    pub password_must_change: bool,
}

/// A live page session: its account, its CSRF token, and whether the account
/// must first choose a new password.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub user: User,
    pub csrf: String,
    pub password_must_change: bool,
}

/// An API token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    pub id: TokenId,
    pub username: Username,
    pub scope: TokenScope,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

#[async_trait]
pub trait Accounts: Send + Sync {
    /// Creates an account; a name in use (also by a removed account) is refused.
    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        totp_secret: Option<&str>,
    ) -> Result<(), StoreError>;
    /// An active (not removed) account by name.
    async fn credentials(&self, username: &Username) -> Result<Option<Credentials>, StoreError>;
    /// Every account, removed ones included (for the access review).
    async fn users(&self) -> Result<Vec<User>, StoreError>;
    /// Removes an account: it can no longer log in, its sessions end and its tokens are revoked.
    async fn remove_user(
        &self,
        username: &Username,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    /// Counts a failed login and locks the account per the lockout rule; returns the count.
    async fn record_failed_login(
        &self,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<u32, StoreError>;
    /// Ends the count of failed logins and records when the account logged in.
    async fn record_successful_login(
        &self,
        user: UserId,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Takes second-factor time step `step` for the account: true when no
    /// code of this step or a later one was used before, so a code works once.
    async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool, StoreError>;
    async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        csrf_token: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// The account and CSRF token of a live session: not expired, and used
    /// within `idle` before `now`. Counts this use (at most once a minute,
    /// so that reading pages does not become a write per request).
    async fn session(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
        idle: Duration,
    ) -> Result<Option<LiveSession>, StoreError>;
    /// Replaces an active account's password hash, ends its failed-login
    /// lock and all its sessions but `keep_session` (the one that changes its
    /// own password). `must_change` marks a password an administrator set.
    /// Returns false if there is no such active account.
    async fn set_password(
        &self,
        user: UserId,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
    ) -> Result<bool, StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    async fn create_token(
        &self,
        id: TokenId,
        user: UserId,
        token_hash: &str,
        scope: TokenScope,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// The account and scope of a live (unexpired, unrevoked) token.
    async fn token(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(User, TokenScope)>, StoreError>;
    async fn revoke_token(&self, id: TokenId, at: OffsetDateTime) -> Result<bool, StoreError>;
    async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError>;
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    username: String,
    display_name: String,
    role: String,
    organisation: Option<String>,
    password_hash: String,
    totp_secret: Option<String>,
    failed_logins: i64,
    locked_until: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    created_by: String,
    removed_at: Option<OffsetDateTime>,
    password_must_change: bool,
    last_login_at: Option<OffsetDateTime>,
}

/// A live session with its account.
#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    csrf_token: String,
    /// The session's last counted use, or its start.
    seen_at: OffsetDateTime,
}

/// A live API token's scope with its account.
#[derive(sqlx::FromRow)]
struct TokenRow {
    #[sqlx(flatten)]
    user: UserRow,
    scope: String,
}

fn corrupt(key: &str, column: &'static str, message: String) -> StoreError {
    StoreError::Corrupt {
        table: "users",
        key: key.to_string(),
        column,
        message,
    }
}

impl UserRow {
    /// The account, with its second-factor secret still encrypted.
    fn into_credentials(self) -> Result<Credentials, StoreError> {
        let user = User {
            id: UserId::from_uuid(self.id),
            username: Username::parse(&self.username)
                .map_err(|e| corrupt(&self.username, "username", e.to_string()))?,
            display_name: self.display_name,
            role: Role::parse(&self.role)
                .map_err(|e| corrupt(&self.username, "role", e.to_string()))?,
            organisation: self.organisation,
            second_factor: self.totp_secret.is_some(),
            created_at: self.created_at,
            created_by: self.created_by,
            removed_at: self.removed_at,
            last_login_at: self.last_login_at,
        };
        Ok(Credentials {
            user,
            password_hash: self.password_hash,
            totp_secret: self.totp_secret,
            failed_logins: u32::try_from(self.failed_logins).unwrap_or(u32::MAX),
            locked_until: self.locked_until,
            password_must_change: self.password_must_change,
        })
    }
}

/// What binds a second-factor secret to its account.
pub(crate) fn totp_binding(user: uuid::Uuid) -> crate::crypto::Binding {
    crate::crypto::Binding::new(
        format!("users/{user}/totp_secret"),
        b"users/totp_secret".to_vec(),
    )
}

/// How often a session's use is written down: a minute's precision is enough
/// for an idle limit of many minutes.
const SEEN_EVERY: Duration = Duration::minutes(1);

#[async_trait]
impl Accounts for SqlStore {
    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        totp_secret: Option<&str>,
    ) -> Result<(), StoreError> {
        let totp = totp_secret
            .map(|s| {
                let binding = totp_binding(user.id.as_uuid());
                self.keys().and_then(|k| Ok(k.encrypt(s, &binding)?))
            })
            .transpose()?;
        let result = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO users (id, username, display_name, role, organisation, password_hash, \
                 totp_secret, failed_logins, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)",
            )
            .bind(user.id.as_uuid())
            .bind(user.username.as_str())
            .bind(user.display_name.as_str())
            .bind(user.role.as_str())
            .bind(user.organisation.as_deref())
            .bind(password_hash)
            .bind(totp.as_deref())
            .bind(user.created_at)
            .bind(user.created_by.as_str())
            .execute(pool)
            .await
            .map(|_| ())
        });
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                Err(StoreError::Duplicate {
                    what: "user name",
                    value: user.username.to_string(),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn credentials(&self, username: &Username) -> Result<Option<Credentials>, StoreError> {
        let row: Option<UserRow> = on_pool!(self, pool => {
            sqlx::query_as("SELECT * FROM users WHERE username = $1 AND removed_at IS NULL")
                .bind(username.as_str())
                .fetch_optional(pool)
                .await?
        });
        let Some(row) = row else { return Ok(None) };
        let mut creds = row.into_credentials()?;
        creds.totp_secret = creds
            .totp_secret
            .map(|t| {
                let binding = totp_binding(creds.user.id.as_uuid());
                self.keys().and_then(|k| Ok(k.decrypt(&t, &binding)?))
            })
            .transpose()?;
        Ok(Some(creds))
    }

    async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows: Vec<UserRow> = on_pool!(self, pool => {
            sqlx::query_as("SELECT * FROM users ORDER BY username").fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|r| r.into_credentials().map(|c| c.user))
            .collect()
    }

    async fn remove_user(
        &self,
        username: &Username,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: Option<Uuid> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1 AND removed_at IS NULL")
                .bind(username.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(id) = id else { return Ok(false) };
            sqlx::query("UPDATE users SET removed_at = $1 WHERE id = $2").bind(at).bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    async fn record_failed_login(
        &self,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<u32, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let failed: i64 = sqlx::query_scalar(
                "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
            )
            .bind(user.as_uuid())
            .fetch_one(&mut *tx)
            .await?;
            let failed = u32::try_from(failed).unwrap_or(u32::MAX);
            if let Some(lock) = lockout_after(failed) {
                sqlx::query("UPDATE users SET locked_until = $1 WHERE id = $2")
                    .bind(now + lock)
                    .bind(user.as_uuid())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(failed)
        })
    }

    async fn record_successful_login(
        &self,
        user: UserId,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2")
                .bind(crate::audit::stored_instant(at))
                .bind(user.as_uuid())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool, StoreError> {
        let taken = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
                 AND (totp_last_step IS NULL OR totp_last_step < $1)",
            )
            .bind(step)
            .bind(user.as_uuid())
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(taken == 1)
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        csrf_token: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(pool).await?;
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(user.as_uuid())
            .bind(csrf_token)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn session(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
        idle: Duration,
    ) -> Result<Option<LiveSession>, StoreError> {
        // One statement for the session and its account: every page asks this.
        let row: Option<SessionRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT u.*, s.csrf_token, COALESCE(s.last_seen_at, s.created_at) AS seen_at \
                 FROM users u JOIN sessions s ON s.user_id = u.id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.removed_at IS NULL \
                 AND COALESCE(s.last_seen_at, s.created_at) > $3",
            )
            .bind(token_hash)
            .bind(now)
            .bind(now - idle)
            .fetch_optional(pool)
            .await?
        });
        if row.as_ref().is_some_and(|r| now - r.seen_at >= SEEN_EVERY) {
            on_pool!(self, pool => {
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                    .bind(now)
                    .bind(token_hash)
                    .execute(pool)
                    .await?;
            });
        }
        row.map(|r| {
            r.user.into_credentials().map(|c| LiveSession {
                user: c.user,
                csrf: r.csrf_token,
                password_must_change: c.password_must_change,
            })
        })
        .transpose()
    }

    async fn set_password(
        &self,
        user: UserId,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
    ) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let changed = sqlx::query(
                "UPDATE users SET password_hash = $1, password_must_change = $2, failed_logins = 0, \
                 locked_until = NULL WHERE id = $3 AND removed_at IS NULL",
            )
            .bind(password_hash)
            .bind(must_change)
            .bind(user.as_uuid())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user.as_uuid())
                .bind(keep_session.unwrap_or(""))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(pool).await?;
        });
        Ok(())
    }

    async fn create_token(
        &self,
        id: TokenId,
        user: UserId,
        token_hash: &str,
        scope: TokenScope,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO api_tokens (id, user_id, token_hash, scope, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id.as_uuid())
            .bind(user.as_uuid())
            .bind(token_hash)
            .bind(scope.as_str())
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn token(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(User, TokenScope)>, StoreError> {
        // One statement for the token and its account: every API call asks this.
        let row: Option<TokenRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT u.*, t.scope FROM users u JOIN api_tokens t ON t.user_id = u.id \
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.removed_at IS NULL",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        let Some(row) = row else { return Ok(None) };
        let scope = TokenScope::parse(&row.scope).map_err(|e| StoreError::Corrupt {
            table: "api_tokens",
            key: "scope".into(),
            column: "scope",
            message: e.to_string(),
        })?;
        row.user.into_credentials().map(|c| Some((c.user, scope)))
    }

    async fn revoke_token(&self, id: TokenId, at: OffsetDateTime) -> Result<bool, StoreError> {
        let done = on_pool!(self, pool => {
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at)
                .bind(id.as_uuid())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done > 0)
    }

    async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        type Row = (
            Uuid,
            String,
            String,
            OffsetDateTime,
            OffsetDateTime,
            Option<OffsetDateTime>,
        );
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT t.id, u.username, t.scope, t.created_at, t.expires_at, t.revoked_at FROM api_tokens t \
                 JOIN users u ON u.id = t.user_id ORDER BY t.created_at",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(
                |(id, username, scope, created_at, expires_at, revoked_at)| {
                    Ok(TokenInfo {
                        id: TokenId::from_uuid(id),
                        username: Username::parse(&username)
                            .map_err(|e| corrupt(&username, "username", e.to_string()))?,
                        scope: TokenScope::parse(&scope)
                            .map_err(|e| corrupt(&username, "scope", e.to_string()))?,
                        created_at,
                        expires_at,
                        revoked_at,
                    })
                },
            )
            .collect()
    }
}
